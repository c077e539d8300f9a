//! Offers as the rider sees them: waiting offers, accept, decline; and the loop that runs
//! dispatch rounds and pushes their outcome to riders and customers.

use super::dispatch::{Action, Offer};
use super::follower::{DELIVERY_SEARCHING, assigned_event};
use super::ingest;
use super::rider::{RiderJob, job_view};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use axum::extract::State;
use dabba_domain::Role;
use dabba_domain::order::OrderStatus;
use dabba_store::model::{Assignment, NewEvent};
use serde::Serialize;
use serde_json::json;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(waiting)).routes(routes!(accept)).routes(routes!(reject))
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
}

/// An order offered to the rider, to accept before `expires_at`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DeliveryOffer)]
pub struct OfferView {
    pub order_id: Uuid,
    pub restaurant_name: String,
    pub pickup: Point,
    pub drop: Point,
    /// Km from the rider to the restaurant.
    pub pickup_km: f64,
    /// Km from the restaurant to the customer (great circle).
    pub trip_km: f64,
    /// What the rider earns for it, in paise (tips come on top).
    pub earnings: i64,
    /// The orders offered together (this one included), in drop-off order: one kitchen's, or
    /// two near kitchens' (each offer names its own); accepting or declining one answers for all.
    pub bundle: Vec<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub fn offer_view(o: &Offer) -> OfferView {
    let j = &o.job;
    OfferView {
        order_id: j.order_id,
        restaurant_name: j.restaurant_name.clone(),
        pickup: Point { lat: j.restaurant.lat, lng: j.restaurant.lng },
        drop: Point { lat: j.customer.lat, lng: j.customer.lng },
        pickup_km: round2(o.pickup_km),
        trip_km: round2(j.restaurant.distance_km(j.customer)),
        earnings: j.earnings,
        bundle: o.bundle.clone(),
        expires_at: o.expires_at,
    }
}

#[utoipa::path(get, path = "/api/v1/delivery/orders/available", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, description = "offers waiting for this rider's answer", body = Vec<OfferView>), (status = 403, body = ErrorBody)))]
async fn waiting(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<OfferView>>> {
    auth.require(Role::Delivery)?;
    Ok(Json(state.delivery.dispatcher.offers_for(auth.user_id).iter().map(offer_view).collect()))
}

fn not_open() -> ApiError {
    ApiError::conflict(
        "OFFER_NOT_OPEN",
        "there is no open offer of this order for you (it may have expired or been withdrawn)",
    )
}

#[utoipa::path(post, path = "/api/v1/delivery/orders/{id}/accept", tag = "delivery", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")),
    responses((status = 200, description = "the order is yours, with every order offered in its bundle (this one, or if it was cancelled meanwhile the first of the others; `GET /delivery/orders/current` lists them all)", body = RiderJob), (status = 403, body = ErrorBody),
              (status = 409, description = "OFFER_NOT_OPEN or ORDER_GONE", body = ErrorBody)))]
async fn accept(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>) -> ApiResult<Json<RiderJob>> {
    auth.require(Role::Delivery)?;
    match accept_offer(&state, id, auth.user_id).await? {
        Some(job) => Ok(Json(job)),
        None => Err(ApiError::conflict("ORDER_GONE", "the order was cancelled or given to another rider")),
    }
}

/// The rider takes the offer, with every order of its bundle: the offers are held for them
/// while the assignments are written, one by one. That runs on its own task, so a request
/// dropped mid-way (the rider's phone lost its connection) still ends it: each order is theirs,
/// or offered again, never held for ever. The job of `id`, or of the first other order written
/// if `id` moved on meanwhile; `None` if none was.
pub async fn accept_offer(state: &AppState, id: Uuid, rider: Uuid) -> ApiResult<Option<RiderJob>> {
    let taken = state.delivery.dispatcher.begin_accept(id, rider).map_err(|_| not_open())?;
    let state = state.clone();
    let work = tokio::spawn(async move {
        // Ends each accept however the task ends (a panic included): no offer is held for ever.
        struct Ending {
            state: AppState,
            id: Uuid,
            rider: Uuid,
            ok: bool,
        }
        impl Drop for Ending {
            fn drop(&mut self) {
                self.state.delivery.dispatcher.end_accept(self.id, self.ok);
                if !self.ok {
                    self.state.delivery.free_rider(self.rider, self.id);
                }
            }
        }
        let mut endings: Vec<Ending> =
            taken.iter().map(|o| Ending { state: state.clone(), id: o.job.order_id, rider, ok: false }).collect();
        // Written in drop-off order (the order the rider's list shows them in).
        let mut answers: Vec<(Uuid, ApiResult<Option<RiderJob>>)> = Vec::new();
        // Each customer's ETA counts the drop-offs made before theirs.
        let mut before = Vec::new();
        let solo = taken.len() == 1;
        for (ending, offer) in endings.iter_mut().zip(&taken) {
            let written = assign(&state, ending.id, rider, before.clone(), solo, &mut ending.ok).await;
            if ending.ok {
                before.push(offer.job.customer);
            }
            answers.push((ending.id, written));
        }
        // The order asked for answers; if it moved on, the first other one that did not.
        let mine = answers.iter().position(|(o, _)| *o == id);
        let pick = mine
            .filter(|&i| matches!(answers[i].1, Ok(Some(_))))
            .or_else(|| answers.iter().position(|(_, a)| matches!(a, Ok(Some(_)))))
            .or(mine);
        pick.map_or(Ok(None), |i| answers.swap_remove(i).1)
    });
    work.await.map_err(|e| ApiError::Internal(format!("accepting an offer failed: {e}")))?
}

/// Writes the assignment of an offered order; `None` if the order moved on. `written` is set
/// the moment the database holds it (whatever fails after, the order is the rider's).
async fn assign(
    state: &AppState,
    id: Uuid,
    rider: Uuid,
    before: Vec<dabba_domain::LatLng>,
    solo: bool,
    written: &mut bool,
) -> ApiResult<Option<RiderJob>> {
    let order = state.store.order(id).await?.ok_or(ApiError::NotFound("order"))?;
    let restaurant = state.store.restaurant(order.restaurant_id).await?.ok_or(ApiError::NotFound("restaurant"))?;
    let a = Assignment {
        order_id: id,
        rider_id: rider,
        current: None,
        statuses: vec![OrderStatus::Confirmed, OrderStatus::Preparing, OrderStatus::Ready],
        events: vec![assigned_event(&order, restaurant.owner_id, rider, false)],
    };
    if !state.store.assign_rider(&a).await? {
        return Ok(None);
    }
    *written = true;
    let vehicle = ingest::vehicle(state, rider);
    state.delivery.fleet.deliver(rider, vehicle, id);
    state.delivery.tracker.open(id, state.delivery.route_of(&order, &restaurant, vehicle));
    state.delivery.tracker.update_route(id, |r| (r.before, r.solo) = (before, solo));
    state.relay.wake();
    let order = state.store.order(id).await?.ok_or(ApiError::NotFound("order"))?;
    Ok(Some(job_view(state, order).await?))
}

#[utoipa::path(post, path = "/api/v1/delivery/orders/{id}/reject", tag = "delivery", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")),
    responses((status = 204, description = "declined; it goes to another rider"), (status = 403, body = ErrorBody),
              (status = 409, description = "OFFER_NOT_OPEN", body = ErrorBody)))]
async fn reject(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>) -> ApiResult<axum::http::StatusCode> {
    auth.require(Role::Delivery)?;
    let d = &state.delivery;
    d.dispatcher.decline(id, auth.user_id, &d.fleet).map_err(|_| not_open())?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

pub fn offer_frame(o: &Offer) -> String {
    let mut v = serde_json::to_value(offer_view(o)).unwrap_or_default();
    v["type"] = json!("offer");
    v.to_string()
}

/// Runs dispatch rounds whenever something changes, and at the next deadline.
pub async fn dispatch_loop(state: AppState) {
    let d = state.delivery.clone();
    let terms = state.payments.config.payout;
    loop {
        // Riders about to finish are looked up (every busy rider's route) only when an order
        // waits for a rider.
        if d.dispatcher.waiting() {
            d.dispatcher.soon(d.soon_free());
        }
        let (actions, next) = d.dispatcher.step(&d.fleet, |km| terms.rider_pay(km, 0));
        for a in actions {
            match a {
                Action::Offer(o) => d.tell_rider(o.rider, offer_frame(&o).into()),
                Action::Withdrawn { rider, order_id } => {
                    let text = json!({"type": "offer_withdrawn", "order_id": order_id, "reason": "EXPIRED"});
                    d.tell_rider(rider, text.to_string().into());
                }
                Action::Searching(job) => {
                    let e = NewEvent {
                        topic: DELIVERY_SEARCHING,
                        key: job.order_id,
                        payload: json!({"order_id": job.order_id, "user_id": job.user_id, "owner_id": job.owner_id}),
                    };
                    match state.store.emit(&[e]).await {
                        Ok(()) => state.relay.wake(),
                        Err(err) => {
                            tracing::warn!(error = %err, order_id = %job.order_id, "searching event not written")
                        }
                    }
                }
            }
        }
        let wait = next.map_or(Duration::from_secs(1), |n| n.saturating_duration_since(Instant::now()));
        tokio::select! {
            _ = d.dispatcher.wake.notified() => {}
            _ = tokio::time::sleep(wait.min(Duration::from_secs(1))) => {}
        }
    }
}
