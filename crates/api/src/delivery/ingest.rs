//! Location ingest: one fix, a batch of queued fixes, or a stream over `/ws/rider`. Bad
//! coordinates are refused whole (400); fixes the filter drops are counted in the answer.

use super::fleet::Counts;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Json;
use axum::extract::State;
use dabba_domain::eta::Vehicle;
use dabba_domain::ping::Fix;
use dabba_domain::{LatLng, Role};
use dabba_store::model::LocationRow;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(location)).routes(routes!(batch))
}

/// Most fixes in one batch (a phone that was offline for ~4 minutes at 2 Hz).
pub const MAX_BATCH: usize = 500;
/// The coarsest accuracy a fix may report, metres.
pub const MAX_ACCURACY_M: f64 = 100_000.0;
/// The highest speed a fix may report, m/s (faster than any vehicle on a road).
pub const MAX_SPEED_MPS: f64 = 1_000.0;
/// A fix dated further ahead than this is a wrong clock, not a position.
const FUTURE_SLACK_MS: i64 = 60_000;

/// A location fix from the rider's phone.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ping {
    pub lat: f64,
    pub lng: f64,
    /// Metres, 0 to 100 km. (Read as f64 and checked before it is narrowed: a number just
    /// past a bound must not round onto it.)
    pub accuracy: Option<f64>,
    /// Metres per second, 0 to 1000.
    pub speed: Option<f64>,
    /// Degrees from north, 0–360.
    pub heading: Option<f64>,
    /// When the phone took the fix (RFC 3339); now if absent.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub recorded_at: Option<OffsetDateTime>,
    /// Accepted for compatibility (seed 004 §5.1) and not read: the server knows the rider's order.
    #[allow(dead_code)]
    pub order_id: Option<Uuid>,
}

/// Queued fixes, oldest first.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub pings: Vec<Ping>,
}

/// Checks a fix; `field` prefixes error fields in batches (`pings[3].lat`).
pub fn to_fix(p: &Ping, field: &str, now_ms: i64) -> Result<Fix, ApiError> {
    let at = LatLng::parse(p.lat, p.lng, &format!("{field}lat"), &format!("{field}lng"))?;
    let bad = |name: &str, why: &str| ApiError::invalid(format!("{field}{name}"), why);
    if p.accuracy.is_some_and(|a| !a.is_finite() || !(0.0..=MAX_ACCURACY_M).contains(&a)) {
        return Err(bad("accuracy", "must be a distance in metres, 0 to 100000"));
    }
    if p.speed.is_some_and(|s| !s.is_finite() || !(0.0..=MAX_SPEED_MPS).contains(&s)) {
        return Err(bad("speed", "must be in metres per second, 0 to 1000"));
    }
    if p.heading.is_some_and(|h| !h.is_finite() || !(0.0..=360.0).contains(&h)) {
        return Err(bad("heading", "must be degrees from north, 0 to 360"));
    }
    let recorded_ms = match p.recorded_at {
        Some(t) => (t.unix_timestamp_nanos() / 1_000_000) as i64,
        None => now_ms,
    };
    if recorded_ms > now_ms + FUTURE_SLACK_MS {
        // Well formed, but not a time the phone can have seen yet.
        return Err(ApiError::unprocessable(
            format!("{field}recorded_at"),
            "is in the future; check the phone's clock",
        ));
    }
    let narrow = |v: Option<f64>| v.map(|x| x as f32);
    Ok(Fix { at, recorded_ms, speed: narrow(p.speed), heading: narrow(p.heading), accuracy: narrow(p.accuracy) })
}

pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Makes sure the fleet knows the rider (their vehicle decides the speed filter).
pub async fn known(state: &AppState, rider: Uuid) -> ApiResult<()> {
    if state.delivery.fleet.knows(rider) {
        return Ok(());
    }
    let p = state.store.rider(rider).await?.ok_or_else(profile_required)?;
    state.delivery.fleet.know(rider, p.vehicle_type);
    Ok(())
}

pub fn profile_required() -> ApiError {
    ApiError::conflict("RIDER_PROFILE_REQUIRED", "add your vehicle first: PUT /api/v1/delivery/profile")
}

/// Applies checked fixes of a known rider: live state, the order's watchers, the history.
pub fn apply(state: &AppState, rider: Uuid, fixes: &[Fix]) -> Counts {
    let d = &state.delivery;
    let Some(got) = d.fleet.ingest(rider, fixes) else { return Counts::default() };
    let carried = match got.task {
        Some(super::fleet::Task::Delivering(o)) => o,
        _ => Vec::new(),
    };
    if let Some(latest) = got.latest {
        for o in &carried {
            d.tracker.location(*o, &latest, &got.path);
        }
    }
    // The history names one order per point: the first still carried.
    let order = carried.first().copied();
    for f in &got.keep {
        d.history.keep(LocationRow {
            rider_id: rider,
            recorded_at: OffsetDateTime::from_unix_timestamp_nanos(f.recorded_ms as i128 * 1_000_000)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            latitude: f.at.lat,
            longitude: f.at.lng,
            order_id: order,
        });
    }
    got.counts
}

/// Checks a batch whole (nothing is applied if one fix is bad), oldest first.
pub fn fixes_of(pings: &[Ping]) -> ApiResult<Vec<Fix>> {
    if pings.is_empty() || pings.len() > MAX_BATCH {
        return Err(ApiError::invalid("pings", format!("send 1 to {MAX_BATCH} fixes")));
    }
    let now = now_ms();
    let mut fixes = pings
        .iter()
        .enumerate()
        .map(|(i, p)| to_fix(p, &format!("pings[{i}]."), now))
        .collect::<ApiResult<Vec<_>>>()?;
    fixes.sort_by_key(|f| f.recorded_ms);
    Ok(fixes)
}

/// The vehicle a known rider rides.
pub fn vehicle(state: &AppState, rider: Uuid) -> Vehicle {
    state.delivery.fleet.rider(rider).map_or(Vehicle::Scooter, |r| r.1)
}

#[utoipa::path(post, path = "/api/v1/delivery/location", tag = "delivery", security(("bearer" = [])), request_body = Ping,
    responses((status = 200, description = "what was kept and dropped", body = Counts), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, description = "RIDER_PROFILE_REQUIRED", body = ErrorBody)))]
async fn location(State(state): State<AppState>, auth: Auth, Json(p): Json<Ping>) -> ApiResult<Json<Counts>> {
    auth.require(Role::Delivery)?;
    let fix = to_fix(&p, "", now_ms())?;
    known(&state, auth.user_id).await?;
    Ok(Json(apply(&state, auth.user_id, &[fix])))
}

#[utoipa::path(post, path = "/api/v1/delivery/location/batch", tag = "delivery", security(("bearer" = [])), request_body = Batch,
    responses((status = 200, description = "what was kept and dropped", body = Counts), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, description = "RIDER_PROFILE_REQUIRED", body = ErrorBody)))]
async fn batch(State(state): State<AppState>, auth: Auth, Json(b): Json<Batch>) -> ApiResult<Json<Counts>> {
    auth.require(Role::Delivery)?;
    let fixes = fixes_of(&b.pings)?;
    known(&state, auth.user_id).await?;
    Ok(Json(apply(&state, auth.user_id, &fixes)))
}
