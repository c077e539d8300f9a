//! The restaurant's side (seed 001): its orders, accept (→ PREPARING), reject (→ CANCELLED,
//! full refund), mark READY; and an admin's hand on any order, for support.

use super::{check, events, moved_meanwhile};
use crate::AppState;
use crate::auth::Auth;
use crate::catalog::owned_restaurant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query, paging};
use axum::extract::State;
use dabba_domain::Role;
use dabba_domain::estimate::delivery_minutes;
use dabba_domain::invalid::optional_text;
use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::model::Order;
use dabba_store::{Cancellation, Transition};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(restaurant_orders))
        .routes(routes!(restaurant_status))
        .routes(routes!(admin_status))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct KitchenQuery {
    /// Only orders in this status.
    pub status: Option<OrderStatus>,
    pub page: Option<u32>,
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/restaurants/{id}/orders", tag = "orders", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id"), KitchenQuery),
    responses((status = 200, description = "newest first", body = Vec<KitchenOrder>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn restaurant_orders(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<KitchenQuery>,
) -> ApiResult<Json<Vec<KitchenOrder>>> {
    let restaurant = owned_restaurant(&state, &auth, id).await?;
    let (limit, offset) = paging(q.page, q.limit)?;
    let orders = state.store.orders_of_restaurant(id, q.status, limit, offset).await?;
    let here = dabba_domain::LatLng { lat: restaurant.latitude, lng: restaurant.longitude };
    let tz = jiff::tz::TimeZone::get(&restaurant.timezone).ok();
    let hour = crate::delivery::local_hour(tz.as_ref(), dabba_store::now_utc());
    let traffic = state.delivery.speeds.of(tz.as_ref());
    Ok(Json(
        orders
            .into_iter()
            .map(|order| {
                let rider_arrival = order
                    .rider_id
                    .filter(|_| {
                        matches!(order.status, OrderStatus::Confirmed | OrderStatus::Preparing | OrderStatus::Ready)
                    })
                    .and_then(|rider| {
                        let (fix, vehicle, ..) = state.delivery.fleet.rider(rider)?;
                        let km = fix?.at.distance_km(here);
                        let minutes = traffic.travel_minutes(km, vehicle, hour).ceil() as u32;
                        Some(RiderArrival {
                            rider_id: rider,
                            vehicle_type: vehicle,
                            distance_km: (km * 100.0).round() / 100.0,
                            minutes,
                        })
                    });
                KitchenOrder { order, rider_arrival }
            })
            .collect(),
    ))
}

/// An order as the kitchen sees it, with when its rider will walk in.
#[derive(Debug, Serialize, ToSchema)]
pub struct KitchenOrder {
    #[serde(flatten)]
    pub order: Order,
    /// Set once a rider has the order and until pickup, when the rider's position is known.
    pub rider_arrival: Option<RiderArrival>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiderArrival {
    pub rider_id: Uuid,
    pub vehicle_type: dabba_domain::eta::Vehicle,
    pub distance_km: f64,
    /// Minutes until the rider is at the counter.
    pub minutes: u32,
}

/// A status change by the restaurant (or an admin).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// PREPARING (accept), READY, or CANCELLED (reject); admins may give any status the state
    /// machine allows them.
    pub status: OrderStatus,
    /// Required when cancelling.
    pub reason: Option<String>,
    /// On accept: minutes until ready (defaults to the restaurant's average).
    pub estimated_preparation_minutes: Option<i32>,
}

async fn apply(state: &AppState, order: Order, req: StatusChange, actor: Actor) -> ApiResult<Json<Order>> {
    check(&order, req.status, actor)?;
    let reason = optional_text("reason", req.reason.as_deref(), 300)?;
    let restaurant = state.store.restaurant(order.restaurant_id).await?.ok_or(ApiError::NotFound("restaurant"))?;
    let mut t = Transition {
        order_id: order.order_id,
        from: order.status,
        to: req.status,
        actor,
        note: reason.clone(),
        cancel: None,
        preparation_minutes: None,
        estimated_delivery_time: None,
        accept_by: None,
        rider: None,
        events: Vec::new(),
        money: Default::default(),
    };
    let mut extra = serde_json::json!({});
    match req.status {
        OrderStatus::Preparing => {
            // Unless the kitchen says otherwise for this order, what it was seen to take.
            let minutes = req
                .estimated_preparation_minutes
                .unwrap_or_else(|| restaurant.preparation_minutes().round().clamp(1.0, 180.0) as i32);
            if !(1..=180).contains(&minutes) {
                return Err(ApiError::invalid("estimated_preparation_minutes", "must be between 1 and 180"));
            }
            // A kitchen already cooking other orders takes longer (the ETA model's queue term).
            let cooking =
                state.store.orders_of_restaurant(order.restaurant_id, Some(OrderStatus::Preparing), 50, 0).await?;
            let prep = dabba_domain::eta::preparation_left(minutes as f64, cooking.len() as u32, 0.0).ceil() as u32;
            let total = delivery_minutes(prep, order.distance_km);
            t.preparation_minutes = Some(minutes);
            t.estimated_delivery_time = Some(dabba_store::now_utc() + time::Duration::minutes(total as i64));
            extra = serde_json::json!({"estimated_preparation_minutes": minutes});
        }
        OrderStatus::Cancelled => {
            let reason = reason
                .ok_or_else(|| ApiError::invalid("reason", "say why the order is cancelled; the customer is told"))?;
            let (fee, _) = dabba_domain::order::cancellation_terms(order.status, order.total_amount, actor);
            extra = serde_json::json!({"reason": reason, "refund_amount": 0, "cancellation_fee": fee});
            t.cancel = Some(Cancellation { reason, fee, refund: 0 });
        }
        _ => {}
    }
    t.events = events::changed(&order, restaurant.owner_id, order.status, req.status, actor, Some(extra));
    if !super::money::run(state, &order, t).await? {
        return Err(moved_meanwhile(state, order.order_id, req.status).await);
    }
    let now = state.store.order(order.order_id).await?.ok_or(ApiError::NotFound("order"))?;
    Ok(Json(now))
}

#[utoipa::path(patch, path = "/api/v1/restaurants/{id}/orders/{order_id}/status", tag = "orders", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id"), ("order_id" = Uuid, Path)), request_body = StatusChange,
    responses((status = 200, body = Order), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = "INVALID_TRANSITION", body = ErrorBody)))]
async fn restaurant_status(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, order_id)): Path<(Uuid, Uuid)>,
    Json(req): Json<StatusChange>,
) -> ApiResult<Json<Order>> {
    owned_restaurant(&state, &auth, id).await?;
    let order =
        state.store.order(order_id).await?.filter(|o| o.restaurant_id == id).ok_or(ApiError::NotFound("order"))?;
    if !matches!(req.status, OrderStatus::Preparing | OrderStatus::Ready | OrderStatus::Cancelled) {
        return Err(ApiError::invalid("status", "a restaurant sets PREPARING (accept), READY or CANCELLED (reject)"));
    }
    apply(&state, order, req, Actor::Restaurant).await
}

#[utoipa::path(patch, path = "/api/v1/admin/orders/{id}/status", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")), request_body = StatusChange,
    responses((status = 200, body = Order), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn admin_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<StatusChange>,
) -> ApiResult<Json<Order>> {
    auth.require(Role::Admin)?;
    let order = state.store.order(id).await?.ok_or(ApiError::NotFound("order"))?;
    apply(&state, order, req, Actor::Admin).await
}
