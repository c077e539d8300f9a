//! Support's hand on delivery: give an order to a rider (or another rider), and read a rider's
//! kept route for a dispute.

use super::follower::assigned_event;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use axum::extract::State;
use dabba_domain::Role;
use dabba_domain::order::OrderStatus;
use dabba_store::model::{Assignment, LocationRow, Order};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(assign)).routes(routes!(locations))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRider {
    pub rider_id: Uuid,
}

#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/assign", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")), request_body = AssignRider,
    responses((status = 200, body = Order), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = "RIDER_BUSY, INVALID_TRANSITION or ORDER_CHANGED", body = ErrorBody)))]
async fn assign(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<AssignRider>,
) -> ApiResult<Json<Order>> {
    auth.require(Role::Admin)?;
    let order = state.store.order(id).await?.ok_or(ApiError::NotFound("order"))?;
    let statuses = vec![
        OrderStatus::Confirmed,
        OrderStatus::Preparing,
        OrderStatus::Ready,
        OrderStatus::PickedUp,
        OrderStatus::OutForDelivery,
    ];
    if !statuses.contains(&order.status) {
        return Err(ApiError::conflict(
            "INVALID_TRANSITION",
            format!("an order that is {} cannot be given to a rider", order.status),
        ));
    }
    let rider = state.store.rider(req.rider_id).await?.ok_or(ApiError::NotFound("rider"))?;
    let user = state.store.user(req.rider_id).await?.ok_or(ApiError::NotFound("rider"))?;
    if user.is_banned || user.role != Role::Delivery || user.approved_at.is_none() {
        return Err(ApiError::unprocessable("rider_id", "is not an active, approved rider"));
    }
    if order.rider_id == Some(req.rider_id) {
        return Ok(Json(order));
    }
    let d = &state.delivery;
    if let Some((_, _, super::fleet::Task::Delivering(other), _)) = d.fleet.rider(req.rider_id)
        && !other.contains(&id)
    {
        return Err(ApiError::conflict("RIDER_BUSY", "this rider is delivering another order"));
    }
    let restaurant = state.store.restaurant(order.restaurant_id).await?.ok_or(ApiError::NotFound("restaurant"))?;
    let a = Assignment {
        order_id: id,
        rider_id: req.rider_id,
        current: order.rider_id,
        statuses,
        events: vec![assigned_event(&order, restaurant.owner_id, req.rider_id, true)],
    };
    if !state.store.assign_rider(&a).await? {
        return Err(ApiError::conflict("ORDER_CHANGED", "the order changed meanwhile; look again"));
    }
    // Withdraw a pending offer, free the previous rider, give the order to the new one.
    d.dispatcher.remove(id, &d.fleet);
    if let Some(previous) = order.rider_id {
        d.free_rider(previous, id);
    }
    // The new rider is busy with this order before their other offers are withdrawn, so the
    // round those withdrawals wake cannot offer them a third order meanwhile.
    let vehicle = rider.vehicle_type;
    d.fleet.deliver(req.rider_id, vehicle, id);
    for o in d.dispatcher.offers_for(req.rider_id) {
        let _ = d.dispatcher.decline(o.job.order_id, req.rider_id, &d.fleet);
    }
    // A channel opened earlier (a watcher, the previous rider) keeps its route: give it the new vehicle.
    d.tracker.open(id, d.route_of(&order, &restaurant, vehicle));
    // Handed over after pickup, the trip is two riders': it teaches no traffic.
    let picked_up = matches!(order.status, OrderStatus::PickedUp | OrderStatus::OutForDelivery);
    d.tracker.update_route(id, |r| (r.vehicle, r.solo) = (vehicle, r.solo && !picked_up));
    state.relay.wake();
    Ok(Json(state.store.order(id).await?.ok_or(ApiError::NotFound("order"))?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// RFC 3339, inclusive.
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    /// RFC 3339, exclusive.
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
}

/// Most points returned at once (a day at one point per 15 s).
const MAX_POINTS: i64 = 5_760;

#[utoipa::path(get, path = "/api/v1/admin/riders/{id}/locations", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "rider id"), Period),
    responses((status = 200, description = "kept points, oldest first", body = Vec<LocationRow>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn locations(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<Period>,
) -> ApiResult<Json<Vec<LocationRow>>> {
    auth.require(Role::Admin)?;
    if p.to <= p.from || p.to - p.from > time::Duration::days(7) {
        return Err(ApiError::unprocessable("to", "must be after from, at most 7 days later"));
    }
    Ok(Json(state.store.locations(id, p.from, p.to, MAX_POINTS).await?))
}
