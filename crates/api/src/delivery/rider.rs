//! The rider's own endpoints (seed 001): vehicle, going online, current orders, and the steps
//! of a delivery. A rider acts only on orders given to them; DELIVERED needs the customer's code.

use super::ingest::{self, Ping};
use super::otp;
use super::tracking::mask_phone;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::orders::{check, events, money, moved_meanwhile};
use axum::extract::State;
use axum::http::StatusCode;
use dabba_domain::Role;
use dabba_domain::eta::Vehicle;
use dabba_domain::invalid::optional_text;
use dabba_domain::order::{Actor, OrderStatus};
use dabba_domain::{Invalid, LatLng};
use dabba_store::Transition;
use dabba_store::model::{AddressSnapshot, Order, Restaurant, RiderProfile};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(profile, put_profile))
        .routes(routes!(available))
        .routes(routes!(current))
        .routes(routes!(status))
}

/// A rider's vehicle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleIn {
    pub vehicle_type: Vehicle,
    /// As on the plate (bicycles: any label), 1–20 characters.
    pub vehicle_number: String,
}

#[utoipa::path(get, path = "/api/v1/delivery/profile", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = RiderProfile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn profile(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<RiderProfile>> {
    auth.require(Role::Delivery)?;
    Ok(Json(state.store.rider(auth.user_id).await?.ok_or(ApiError::NotFound("rider profile"))?))
}

#[utoipa::path(put, path = "/api/v1/delivery/profile", tag = "delivery", security(("bearer" = [])), request_body = VehicleIn,
    responses((status = 200, body = RiderProfile), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn put_profile(
    State(state): State<AppState>,
    auth: Auth,
    Json(v): Json<VehicleIn>,
) -> ApiResult<Json<RiderProfile>> {
    auth.require(Role::Delivery)?;
    let number = v.vehicle_number.trim().to_ascii_uppercase();
    if number.is_empty()
        || number.chars().count() > 20
        || !number.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(ApiError::invalid("vehicle_number", "1 to 20 letters, digits, spaces or dashes, as on the plate"));
    }
    state.store.put_rider(auth.user_id, v.vehicle_type, &number).await?;
    state.delivery.fleet.know(auth.user_id, v.vehicle_type);
    Ok(Json(state.store.rider(auth.user_id).await?.ok_or(ApiError::NotFound("rider profile"))?))
}

/// Going online (with where the rider is) or offline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    pub lat: f64,
    pub lng: f64,
    pub available: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityView {
    pub available: bool,
    /// Offers waiting for an answer (going online may bring one within a moment).
    pub offers: usize,
}

#[utoipa::path(post, path = "/api/v1/delivery/available", tag = "delivery", security(("bearer" = [])), request_body = Availability,
    responses((status = 200, body = AvailabilityView), (status = 400, body = ErrorBody), (status = 403, description = "not a rider, or APPROVAL_PENDING (going online waits for an admin's approval)", body = ErrorBody),
              (status = 409, description = "RIDER_PROFILE_REQUIRED", body = ErrorBody)))]
async fn available(
    State(state): State<AppState>,
    auth: Auth,
    Json(a): Json<Availability>,
) -> ApiResult<Json<AvailabilityView>> {
    auth.require(Role::Delivery)?;
    if a.available {
        crate::admin::require_approved(&state, &auth).await?;
    }
    let fix = ingest::to_fix(
        &Ping { lat: a.lat, lng: a.lng, accuracy: None, speed: None, heading: None, recorded_at: None, order_id: None },
        "",
        ingest::now_ms(),
    )?;
    ingest::known(&state, auth.user_id).await?;
    let d = &state.delivery;
    ingest::apply(&state, auth.user_id, &[fix]);
    d.fleet.set_online(auth.user_id, a.available);
    if a.available {
        d.dispatcher.retry_all();
    } else {
        // Going offline declines what was offered.
        for o in d.dispatcher.offers_for(auth.user_id) {
            let _ = d.dispatcher.decline(o.job.order_id, auth.user_id, &d.fleet);
        }
    }
    Ok(Json(AvailabilityView { available: a.available, offers: d.dispatcher.offers_for(auth.user_id).len() }))
}

/// The restaurant as the rider needs it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pickup {
    pub restaurant_id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub address: String,
    pub lat: f64,
    pub lng: f64,
}

/// An order given to the rider: where to collect, where to drop, what to collect at the door.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiderJob {
    pub order_id: Uuid,
    pub status: OrderStatus,
    pub pickup: Pickup,
    pub drop: AddressSnapshot,
    pub customer_name: String,
    pub customer_phone: String,
    pub delivery_instructions: Option<String>,
    pub payment_method: String,
    /// Cash to collect at the door (COD), in paise; 0 otherwise.
    pub collect_amount: i64,
    /// What the rider earns for it, in paise.
    pub earnings: i64,
    pub distance_km: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub estimated_delivery_time: OffsetDateTime,
}

pub async fn job_view(state: &AppState, o: Order) -> ApiResult<RiderJob> {
    let (r, customer) = tokio::try_join!(state.store.restaurant(o.restaurant_id), state.store.user(o.user_id))?;
    let r = r.ok_or(ApiError::NotFound("restaurant"))?;
    let customer = customer.ok_or(ApiError::NotFound("customer"))?;
    let a = &r.address;
    Ok(RiderJob {
        order_id: o.order_id,
        status: o.status,
        pickup: Pickup {
            restaurant_id: r.restaurant_id,
            name: r.name,
            phone: r.phone,
            address: [Some(a.line1.as_str()), a.line2.as_deref(), Some(a.city.as_str())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
            lat: r.latitude,
            lng: r.longitude,
        },
        drop: o.delivery_address.clone(),
        customer_name: customer.name,
        customer_phone: mask_phone(&customer.phone),
        delivery_instructions: o.delivery_instructions.clone(),
        payment_method: o.payment_method.clone(),
        collect_amount: if o.payment_method == "COD" { o.total_amount } else { 0 },
        earnings: state.payments.config.payout.rider_pay(o.distance_km, 0),
        distance_km: o.distance_km,
        estimated_delivery_time: o.estimated_delivery_time,
    })
}

#[utoipa::path(get, path = "/api/v1/delivery/orders/current", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, description = "orders given to this rider, not yet delivered, in drop-off order (empty when free)", body = Vec<RiderJob>),
              (status = 403, body = ErrorBody)))]
async fn current(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<RiderJob>>> {
    auth.require(Role::Delivery)?;
    let mut orders = state.store.orders_of_rider(auth.user_id).await?;
    // In the order the rider took them (a bundle's drop-off order); any the fleet does not
    // know (a restart) last.
    if let Some((_, _, super::fleet::Task::Delivering(carried), _)) = state.delivery.fleet.rider(auth.user_id) {
        orders.sort_by_key(|o| carried.iter().position(|c| *c == o.order_id).unwrap_or(usize::MAX));
    }
    let mut out = Vec::new();
    for o in orders {
        out.push(job_view(&state, o).await?);
    }
    Ok(Json(out))
}

/// Minutes at the door before a rider presses "delivered" (half the drop-off service the
/// tracking ETA counts for a stop on the way).
const DOOR_MINUTES: f64 = 2.0;

/// Learns the traffic of the hour `order` was picked up in from its ride to the door.
async fn learn_traffic(state: &AppState, order: &Order, restaurant: &Restaurant, vehicle: Vehicle) {
    let Ok(timeline) = state.store.timeline(order.order_id).await else { return };
    let Some(picked) = timeline.iter().rev().find(|e| e.status == OrderStatus::PickedUp).map(|e| e.at) else {
        return;
    };
    // Less the half of the drop-off spent at the door before "delivered" (parking, the code):
    // the model it is compared with is the ride alone.
    let minutes = (dabba_store::now_utc() - picked).as_seconds_f64() / 60.0 - DOOR_MINUTES;
    let tz = jiff::tz::TimeZone::get(&restaurant.timezone).ok();
    let hour = super::local_hour(tz.as_ref(), picked);
    super::traffic::observe(state, &restaurant.timezone, hour, order.distance_km, vehicle, minutes).await;
}

/// A step of the delivery.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiderStep {
    /// PICKED_UP (only once READY), OUT_FOR_DELIVERY or DELIVERED.
    pub status: OrderStatus,
    /// The customer's 4-digit code; required for DELIVERED.
    pub otp: Option<String>,
}

fn unprocessable(code: &'static str, message: String) -> ApiError {
    ApiError::Status { status: StatusCode::UNPROCESSABLE_ENTITY, code, message }
}

/// Checks the code at the door, counting wrong ones.
async fn verify_otp(state: &AppState, o: &Order, given: Option<&str>) -> ApiResult<()> {
    let given = optional_text("otp", given, 8)?.ok_or_else(|| {
        ApiError::from(Invalid::new("otp", "ask the customer for the 4-digit code shown on their order"))
    })?;
    let locked = || {
        unprocessable(
            "OTP_LOCKED",
            format!("{} wrong codes were tried; call support to close this delivery", otp::TRIES),
        )
    };
    // Every try takes an attempt first, in one conditional write, and only then is the code
    // compared: concurrent guesses cannot all be compared against one stale count.
    let Some(spent) = state.store.spend_otp_attempt(o.order_id, otp::TRIES).await? else {
        return Err(locked());
    };
    if o.delivery_otp.as_deref().is_some_and(|code| otp::matches(code, &given)) {
        // The right code was not a wrong try.
        state.store.return_otp_attempt(o.order_id).await?;
        return Ok(());
    }
    let left = otp::TRIES - spent;
    if left <= 0 {
        return Err(locked());
    }
    Err(unprocessable("INVALID_OTP", format!("that is not the customer's code; {left} tries left")))
}

#[utoipa::path(put, path = "/api/v1/delivery/orders/{id}/status", operation_id = "rider_status", tag = "delivery", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")), request_body = RiderStep,
    responses((status = 200, body = RiderJob), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = "INVALID_TRANSITION", body = ErrorBody),
              (status = 422, description = "INVALID_OTP or OTP_LOCKED", body = ErrorBody),
              (status = 429, description = "RATE_LIMITED: too many codes tried; see Retry-After", body = ErrorBody)))]
async fn status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<RiderStep>,
) -> ApiResult<Json<RiderJob>> {
    auth.require(Role::Delivery)?;
    let order =
        state.store.order(id).await?.filter(|o| o.rider_id == Some(auth.user_id)).ok_or(ApiError::NotFound("order"))?;
    if !matches!(req.status, OrderStatus::PickedUp | OrderStatus::OutForDelivery | OrderStatus::Delivered) {
        return Err(ApiError::invalid("status", "a rider sets PICKED_UP, OUT_FOR_DELIVERY or DELIVERED"));
    }
    check(&order, req.status, Actor::Rider)?;
    if req.status == OrderStatus::Delivered {
        // Across all of a rider's orders, not only this one's five tries.
        state.edge.check(crate::edge::Bucket::Otp, &auth.user_id.to_string())?;
        verify_otp(&state, &order, req.otp.as_deref()).await?;
    } else if req.otp.is_some() {
        return Err(ApiError::invalid("otp", "the code is given only with DELIVERED"));
    }
    let restaurant = state.store.restaurant(order.restaurant_id).await?.ok_or(ApiError::NotFound("restaurant"))?;
    let customer = LatLng { lat: order.delivery_address.latitude, lng: order.delivery_address.longitude };
    // From pickup on, the estimate is the ride left from where the rider is.
    let eta = match req.status {
        OrderStatus::PickedUp | OrderStatus::OutForDelivery => {
            let (fix, vehicle, ..) = state.delivery.fleet.rider(auth.user_id).unwrap_or((
                None,
                Vehicle::Scooter,
                super::fleet::Task::Idle,
                false,
            ));
            let from = fix.map_or(LatLng { lat: restaurant.latitude, lng: restaurant.longitude }, |f| f.at);
            let now = dabba_store::now_utc();
            let tz = jiff::tz::TimeZone::get(&restaurant.timezone).ok();
            let hour = super::local_hour(tz.as_ref(), now);
            // Through the drop-offs the rider makes first, as the tracker counts them.
            let minutes = match state.delivery.tracker.route(id) {
                Some(mut route) => {
                    route.picked_up = true;
                    route.vehicle = vehicle;
                    route.estimate(from, now).0 as i64
                }
                None => {
                    let traffic = state.delivery.speeds.of(tz.as_ref());
                    traffic.travel_minutes(from.distance_km(customer), vehicle, hour).ceil() as i64
                }
            };
            Some(now + time::Duration::minutes(minutes))
        }
        _ => None,
    };
    let t = Transition {
        order_id: id,
        from: order.status,
        to: req.status,
        actor: Actor::Rider,
        note: None,
        cancel: None,
        preparation_minutes: None,
        estimated_delivery_time: eta,
        accept_by: None,
        rider: Some(auth.user_id),
        events: events::changed(
            &order,
            restaurant.owner_id,
            order.status,
            req.status,
            Actor::Rider,
            Some(json!({"rider_id": auth.user_id})),
        ),
        money: Default::default(),
    };
    if !money::run(&state, &order, t).await? {
        return Err(moved_meanwhile(&state, id, req.status).await);
    }
    if req.status == OrderStatus::Delivered {
        // The rider's other orders no longer wait for this drop-off.
        let (vehicle, carried) = match state.delivery.fleet.rider(auth.user_id) {
            Some((_, vehicle, super::fleet::Task::Delivering(carried), _)) => (vehicle, carried),
            other => (other.map_or(Vehicle::Scooter, |r| r.1), Vec::new()),
        };
        for other in carried.iter().filter(|o| **o != id) {
            state.delivery.tracker.update_route(*other, |r| r.before.retain(|p| *p != customer));
        }
        let solo = state.delivery.tracker.route(id).is_some_and(|r| r.solo) && carried == [id];
        state.delivery.free_rider(auth.user_id, id);
        // A trip of this order alone, start to end, teaches the hour's traffic (only the one
        // rider whose DELIVERED applied gets here, so each trip counts once); off the request.
        if solo {
            let (state, order) = (state.clone(), order.clone());
            tokio::spawn(async move { learn_traffic(&state, &order, &restaurant, vehicle).await });
        }
    } else {
        state.delivery.tracker.update_route(id, |r| r.picked_up = true);
    }
    let now = state.store.order(id).await?.ok_or(ApiError::NotFound("order"))?;
    Ok(Json(job_view(&state, now).await?))
}
