//! The customer's side of an order: read it, list them, cancel, reorder.

use super::{OrderView, Party, check, moved_meanwhile, order_view, visible_order};
use crate::AppState;
use crate::auth::Auth;
use crate::cart::MAX_QUANTITY;
use crate::cart::price::{CartView, price_cart, price_selection, selection_key};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query, paging};
use axum::extract::State;
use dabba_domain::Role;
use dabba_domain::invalid::optional_text;
use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::model::{CartLine, Order, Selection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orders))
        .routes(routes!(get_order))
        .routes(routes!(cancel_order))
        .routes(routes!(reorder))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderFilter {
    /// Still moving.
    Active,
    /// Delivered, completed or cancelled.
    Completed,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrderListQuery {
    #[param(inline)]
    pub status: Option<OrderFilter>,
    /// 1-based.
    pub page: Option<u32>,
    /// 1–50, default 20.
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), params(OrderListQuery),
    responses((status = 200, description = "newest first", body = Vec<Order>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_orders(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<OrderListQuery>,
) -> ApiResult<Json<Vec<Order>>> {
    let (limit, offset) = paging(q.page, q.limit)?;
    let active = q.status.map(|s| matches!(s, OrderFilter::Active));
    Ok(Json(state.store.orders_of_user(auth.user_id, active, limit, offset).await?))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")),
    responses((status = 200, body = OrderView), (status = 404, body = ErrorBody)))]
async fn get_order(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>) -> ApiResult<Json<OrderView>> {
    let (mut order, party) = visible_order(&state, &auth, id).await?;
    // While a rider is on the way, the estimate follows their last position.
    if let Some(live) = state.delivery.tracker.live(id).filter(|_| order.status.is_active()) {
        order.estimated_delivery_time = dabba_store::now_utc() + time::Duration::minutes(live.eta_minutes as i64);
    }
    let otp = order.delivery_otp.clone().filter(|_| matches!(party, Party::Customer) && order.status.is_active());
    let terms = match party {
        Party::Customer => super::CancelTerms::of(&state, &order).await?,
        _ => None,
    };
    let mut view = order_view(&state, order).await?;
    view.delivery_otp = otp;
    view.cancellation = terms;
    Ok(Json(view))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub reason: Option<String>,
}

/// What cancelling settled. Only money actually paid is refunded (cash on delivery: nothing);
/// the fee (20% once cooking started) is kept from a refund, or owed on a COD order.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancelResponse {
    pub order_id: Uuid,
    pub status: OrderStatus,
    pub refund_amount: i64,
    pub cancellation_fee: i64,
}

#[utoipa::path(put, path = "/api/v1/orders/{id}/cancel", tag = "orders", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")), request_body = CancelRequest,
    responses((status = 200, body = CancelResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "INVALID_TRANSITION: picked up already, or cancelled", body = ErrorBody)))]
async fn cancel_order(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<CancelRequest>,
) -> ApiResult<Json<CancelResponse>> {
    let reason =
        optional_text("reason", req.reason.as_deref(), 300)?.unwrap_or_else(|| "cancelled by the customer".into());
    let (order, party) = visible_order(&state, &auth, id).await?;
    if !matches!(party, Party::Customer) {
        return Err(ApiError::forbidden(
            "only the customer cancels here; restaurants reject through their order status",
        ));
    }
    check(&order, OrderStatus::Cancelled, Actor::Customer)?;
    let Some((fee, refund)) = super::money::cancel(&state, &order, Actor::Customer, &reason, Vec::new()).await? else {
        return Err(moved_meanwhile(&state, id, OrderStatus::Cancelled).await);
    };
    Ok(Json(CancelResponse {
        order_id: id,
        status: OrderStatus::Cancelled,
        refund_amount: refund,
        cancellation_fee: fee,
    }))
}

/// A dish of the old order that could not go back in the cart, or whose price changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReorderNote {
    pub item_id: Uuid,
    pub name: String,
    pub reason: String,
}

/// The refilled cart, and what differs from the old order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReorderResponse {
    pub cart: CartView,
    pub unavailable: Vec<ReorderNote>,
    pub price_changes: Vec<ReorderNote>,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/reorder", tag = "orders", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")),
    responses((status = 200, body = ReorderResponse), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn reorder(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>) -> ApiResult<Json<ReorderResponse>> {
    auth.require(Role::Customer)?;
    let (order, party) = visible_order(&state, &auth, id).await?;
    if !matches!(party, Party::Customer) {
        return Err(ApiError::NotFound("order"));
    }
    let restaurant = state.store.restaurant(order.restaurant_id).await?.filter(|r| !r.is_banned);
    let Some(restaurant) = restaurant else {
        return Err(ApiError::conflict("RESTAURANT_UNAVAILABLE", "this restaurant no longer takes orders"));
    };
    let (old, items) = tokio::try_join!(state.store.order_lines(id), state.store.items(restaurant.restaurant_id))?;
    let (mut lines, mut unavailable, mut price_changes) = (Vec::<CartLine>::new(), Vec::new(), Vec::new());
    for l in old {
        let note = |reason: String| ReorderNote { item_id: l.item_id, name: l.name.clone(), reason };
        let Some(item) = items.iter().find(|i| i.item_id == l.item_id) else {
            unavailable.push(note("no longer on the menu".into()));
            continue;
        };
        if !item.is_available || item.stock == Some(0) {
            unavailable.push(note("not available right now".into()));
            continue;
        }
        // Rebuild the choices from their labels: ids of the old order may have been replaced.
        let selection: Vec<Selection> = item
            .customizations
            .iter()
            .map(|g| Selection {
                group_id: g.group_id,
                option_ids: g
                    .options
                    .iter()
                    .filter(|o| l.customizations.iter().any(|c| c.group == g.name && c.label == o.label))
                    .map(|o| o.option_id)
                    .collect(),
            })
            .filter(|s| !s.option_ids.is_empty())
            .collect();
        let Ok((unit, _)) = price_selection(item, &selection) else {
            unavailable.push(note("its choices changed; add it again from the menu".into()));
            continue;
        };
        if unit != l.unit_price {
            price_changes.push(note(format!("was {} paise, now {} paise", l.unit_price, unit)));
        }
        let key = selection_key(&selection);
        match lines.iter_mut().find(|x| x.item_id == item.item_id && x.selection_key == key) {
            Some(x) => x.quantity = (x.quantity + l.quantity).min(MAX_QUANTITY),
            None => lines.push(CartLine {
                cart_item_id: Uuid::now_v7(),
                user_id: auth.user_id,
                item_id: item.item_id,
                selection_key: key,
                selection,
                quantity: l.quantity.min(MAX_QUANTITY),
                unit_price: unit,
            }),
        }
    }
    state.store.replace_cart(auth.user_id, restaurant.restaurant_id, &lines).await?;
    let cart = price_cart(&state, auth.user_id, None).await?.view;
    Ok(Json(ReorderResponse { cart, unavailable, price_changes }))
}
