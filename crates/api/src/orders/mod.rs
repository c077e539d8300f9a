//! The ordering context over HTTP: checkout, the customer's and the restaurant's views of an
//! order, status changes, and the timers that move orders nobody moves.

mod checkout;
mod customer;
pub mod events;
pub mod feed;
mod kitchen;
pub mod money;
pub mod timers;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use dabba_domain::order::{Actor, OrderStatus, TransitionError, check_transition};
use dabba_store::model::{Order, OrderLine, Rating, TimelineEntry};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    checkout::router()
        .merge(customer::router())
        .merge(kitchen::router())
        .merge(OpenApiRouter::new().routes(utoipa_axum::routes!(feed::kitchen_socket)))
}

/// Operator settings of ordering.
#[derive(Debug, Clone)]
pub struct OrderingConfig {
    /// A CONFIRMED order the restaurant has not accepted by then is cancelled automatically.
    pub accept_within: time::Duration,
    /// How long idempotency keys are kept (at least 24 h, as Stripe does).
    pub key_keep: time::Duration,
    /// A key claimed longer ago than this by a request that never answered is taken over by
    /// its retry (the request died on another node).
    pub key_stale_after: time::Duration,
    /// Window of the kitchen limit.
    pub kitchen_window: time::Duration,
}

impl Default for OrderingConfig {
    fn default() -> Self {
        Self {
            accept_within: time::Duration::minutes(10),
            key_keep: time::Duration::hours(48),
            key_stale_after: crate::idempotency::STALE_AFTER,
            kitchen_window: time::Duration::minutes(15),
        }
    }
}

/// An order with its lines, history and rating.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    #[serde(flatten)]
    pub order: Order,
    pub items: Vec<OrderLine>,
    pub timeline: Vec<TimelineEntry>,
    pub rating: Option<Rating>,
    /// The code to give the rider at the door: shown to the customer only, until delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_otp: Option<String>,
    /// What cancelling now would cost the customer, while they may cancel: shown before they
    /// confirm (free until the kitchen starts cooking, then a fee). Absent once they cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<CancelTerms>,
}

/// Were the customer to cancel now: the fee kept (owed, for an order not paid online) and what
/// would come back to them, computed as the cancellation itself computes it.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct CancelTerms {
    pub fee: i64,
    /// Paise refunded: what was paid online, less the fee; 0 for cash or unpaid orders.
    pub refund: i64,
}

impl CancelTerms {
    /// The terms if the customer may cancel `o` now.
    pub async fn of(state: &AppState, o: &Order) -> ApiResult<Option<Self>> {
        use dabba_domain::order::cancellation_terms;
        if check_transition(o.status, dabba_domain::order::OrderStatus::Cancelled, Actor::Customer).is_err() {
            return Ok(None);
        }
        let (fee, _) = cancellation_terms(o.status, o.total_amount, Actor::Customer);
        let (refund, _) = money::cancellation_money(state, o, fee, Actor::Customer).await?;
        Ok(Some(Self { fee, refund }))
    }
}

pub async fn order_view(state: &AppState, order: Order) -> ApiResult<OrderView> {
    let id = order.order_id;
    let (items, timeline, rating) =
        tokio::try_join!(state.store.order_lines(id), state.store.timeline(id), state.store.rating(id))?;
    Ok(OrderView { order, items, timeline, rating, delivery_otp: None, cancellation: None })
}

/// Who the caller is to this order, if anyone allowed to see it.
pub enum Party {
    Customer,
    Owner,
    Admin,
}

/// The order, if the caller may see it: its customer, its restaurant's owner, an admin.
/// Anyone else gets a 404: an order's existence is not theirs to know.
pub async fn visible_order(state: &AppState, auth: &Auth, id: Uuid) -> ApiResult<(Order, Party)> {
    let order = state.store.order(id).await?.ok_or(ApiError::NotFound("order"))?;
    if order.user_id == auth.user_id {
        return Ok((order, Party::Customer));
    }
    if auth.is_admin() {
        return Ok((order, Party::Admin));
    }
    if auth.role == dabba_domain::Role::Restaurant
        && state.store.restaurant(order.restaurant_id).await?.is_some_and(|r| r.owner_id == auth.user_id)
    {
        return Ok((order, Party::Owner));
    }
    Err(ApiError::NotFound("order"))
}

/// The state machine's refusal as the API says it.
pub fn transition_error(e: TransitionError) -> ApiError {
    match e {
        TransitionError::Invalid { from, to } => ApiError::ConflictWith {
            code: "INVALID_TRANSITION",
            message: format!("an order that is {from} cannot become {to}"),
            details: serde_json::json!({"from": from, "to": to}),
        },
        not_allowed @ TransitionError::NotAllowed { .. } => ApiError::forbidden(not_allowed.to_string()),
    }
}

/// Checks a step for `actor` against the order's current status.
pub fn check(order: &Order, to: OrderStatus, actor: Actor) -> ApiResult<()> {
    check_transition(order.status, to, actor).map_err(transition_error)
}

/// A conditional write found the order moved on: report it against its status now.
pub async fn moved_meanwhile(state: &AppState, id: Uuid, to: OrderStatus) -> ApiError {
    match state.store.order(id).await {
        Ok(Some(now)) => transition_error(TransitionError::Invalid { from: now.status, to }),
        Ok(None) => ApiError::NotFound("order"),
        Err(e) => e.into(),
    }
}
