//! The catalog context over HTTP: restaurants (owners write, everyone reads), menus, listings.

pub(crate) mod input;
mod menu;
pub(crate) mod menu_input;
mod restaurants;

pub use input::MAX_DELIVERY_RADIUS_KM;

use crate::AppState;
use crate::auth::{Auth, MaybeAuth};
use crate::error::{ApiError, ApiResult};
use dabba_domain::Role;
use dabba_domain::hours::parse_time_zone;
use dabba_store::model::Restaurant;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    restaurants::router().merge(menu::router())
}

/// A restaurant with what is derived from it at read time.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestaurantView {
    #[serde(flatten)]
    pub restaurant: Restaurant,
    /// Open by its hours now and not paused or banned.
    pub is_open: bool,
}

/// Whether a restaurant takes orders at this instant.
pub fn is_open_now(r: &Restaurant, now: jiff::Timestamp) -> bool {
    is_open_with(r, parse_time_zone("timezone", &r.timezone).ok().as_ref(), now)
}

/// [`is_open_now`] with the restaurant's time zone already parsed.
pub fn is_open_with(r: &Restaurant, tz: Option<&jiff::tz::TimeZone>, now: jiff::Timestamp) -> bool {
    !r.is_paused && !r.is_banned && tz.is_some_and(|tz| r.operating_hours.is_open_at(now, tz))
}

impl From<Restaurant> for RestaurantView {
    fn from(restaurant: Restaurant) -> Self {
        let is_open = is_open_now(&restaurant, jiff::Timestamp::now());
        RestaurantView { restaurant, is_open }
    }
}

/// Lets the writer of a catalog change see it in listings and searches on its next request:
/// wakes the relay and waits (a bounded while) until the discovery index has taken the change.
/// The relay does the work, so a slow subscriber or a dropped request holds nothing up; past
/// the bound the change still arrives, a moment later.
pub async fn reindex(state: &AppState) {
    if !state.relay.settle(crate::discovery::follower::NAME, REINDEX_WAIT).await {
        tracing::warn!("the discovery index had not taken a catalog write yet when its request answered");
    }
}

/// How long a catalog write waits for the index before answering anyway.
const REINDEX_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Someone else saved a change between our read and our write: the client should reload.
pub fn edited_meanwhile(what: &str) -> ApiError {
    ApiError::conflict(
        "EDIT_CONFLICT",
        format!("the {what} was changed by someone else meanwhile; reload it and try again"),
    )
}

/// The restaurant, if the caller owns it (or is an admin).
pub async fn owned_restaurant(state: &AppState, auth: &Auth, id: Uuid) -> ApiResult<Restaurant> {
    let r = state.store.restaurant(id).await?.ok_or(ApiError::NotFound("restaurant"))?;
    if r.owner_id == auth.user_id || auth.is_admin() {
        return Ok(r);
    }
    Err(ApiError::forbidden(if auth.role == Role::Restaurant {
        "this restaurant belongs to another owner"
    } else {
        "only the restaurant's owner can change it"
    }))
}

/// The restaurant as the public may see it: banned ones exist only for their owner and admins.
pub async fn visible_restaurant(state: &AppState, who: &MaybeAuth, id: Uuid) -> ApiResult<Restaurant> {
    let r = state.store.restaurant(id).await?.ok_or(ApiError::NotFound("restaurant"))?;
    let privileged = who.0.as_ref().is_some_and(|a| a.is_admin() || a.user_id == r.owner_id);
    if r.is_banned && !privileged {
        return Err(ApiError::NotFound("restaurant"));
    }
    Ok(r)
}
