//! `GET /api/v1/restaurants?lat=&lng=`: restaurants that deliver to a point. The listing index
//! yields the restaurants near the point; the rules here decide serviceability (the point lies
//! within the restaurant's own radius), filter, sort with a stable tie-break, and paginate.

use super::is_open_with;
use super::nearby::{Entry, NearbyIndex};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Query, paging};
use axum::extract::State;
use dabba_domain::LatLng;
use dabba_domain::estimate::delivery_minutes;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_restaurants))
}

/// Orderings of a listing; ties always fall back to distance, then id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Distance,
    /// Best rated first.
    Rating,
    /// Cheapest (cost for two) first.
    Cost,
    /// Fastest estimated delivery first.
    DeliveryTime,
}

/// Where the customer is, and what they want.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Customer latitude.
    pub lat: f64,
    /// Customer longitude.
    pub lng: f64,
    /// Only restaurants serving this cuisine (case-insensitive).
    pub cuisine: Option<String>,
    /// Only pure-vegetarian restaurants.
    pub veg_only: Option<bool>,
    /// Only restaurants rated at least this (0–5).
    pub min_rating: Option<f64>,
    /// Only restaurants whose cost for two is at most this, paise.
    pub max_cost_for_two: Option<i64>,
    /// Only restaurants open right now.
    pub open_now: Option<bool>,
    #[param(inline)]
    pub sort: Option<Sort>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// Page size, 1–50 (default 20).
    pub limit: Option<u32>,
}

/// One restaurant in a listing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RestaurantCard {
    pub restaurant_id: Uuid,
    pub name: String,
    pub cuisines: Vec<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub city: String,
    pub rating_avg: f64,
    pub rating_count: i64,
    /// Paise.
    pub cost_for_two: i64,
    /// Paise.
    pub min_order_value: i64,
    pub is_veg: bool,
    pub is_open: bool,
    /// Great-circle distance from the customer, km (2 decimals).
    pub distance_km: f64,
    /// Preparation + travel + handoff, minutes.
    pub estimated_delivery_minutes: u32,
}

/// A page of a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestaurantList {
    pub restaurants: Vec<RestaurantCard>,
    pub page: u32,
    pub limit: u32,
    /// Restaurants matching, across all pages.
    pub total: usize,
}

/// A serviceable restaurant and what the listing derived for it.
struct Scored {
    entry: Arc<Entry>,
    distance_km: f64,
    minutes: u32,
    /// Known when the `open_now` filter needed it; otherwise worked out for the page only.
    is_open: Option<bool>,
}

impl Scored {
    fn card(&self, now: jiff::Timestamp) -> RestaurantCard {
        let r = &self.entry.restaurant;
        RestaurantCard {
            restaurant_id: r.restaurant_id,
            name: r.name.clone(),
            cuisines: r.cuisines.clone(),
            latitude: r.latitude,
            longitude: r.longitude,
            city: r.address.city.clone(),
            rating_avg: r.rating_avg,
            rating_count: r.rating_count,
            cost_for_two: r.cost_for_two,
            min_order_value: r.min_order_value,
            is_veg: r.is_veg,
            is_open: self.is_open.unwrap_or_else(|| is_open_with(r, self.entry.tz.as_ref(), now)),
            distance_km: (self.distance_km * 100.0).round() / 100.0,
            estimated_delivery_minutes: self.minutes,
        }
    }
}

/// Restaurants whose own radius reaches `at` and that pass the filters; the first `first` of
/// them in listing order, then the rest unordered. Returns them with their total.
fn rank(index: &NearbyIndex, at: LatLng, q: &ListQuery, now: jiff::Timestamp, first: usize) -> Vec<Scored> {
    let cuisine = q.cuisine.as_deref().map(str::trim).filter(|c| !c.is_empty());
    // A flat-earth distance (1% slack) rules most candidates out before the exact haversine.
    let km_per_deg = 111.195;
    let km_per_deg_lng = km_per_deg * at.lat.to_radians().cos();
    let mut found = index.around(at, |entry| {
        let r = &entry.restaurant;
        let (dy, dx) = ((r.latitude - at.lat) * km_per_deg, (r.longitude - at.lng) * km_per_deg_lng);
        let reach = r.delivery_radius_km * 1.01;
        if dy * dy + dx * dx > reach * reach {
            return None;
        }
        let distance_km = at.distance_km(LatLng { lat: r.latitude, lng: r.longitude });
        let keep = distance_km <= r.delivery_radius_km
            && cuisine.is_none_or(|c| r.cuisines.iter().any(|x| x.eq_ignore_ascii_case(c)))
            && (q.veg_only != Some(true) || r.is_veg)
            && q.min_rating.is_none_or(|m| r.rating_avg >= m)
            && q.max_cost_for_two.is_none_or(|m| r.cost_for_two <= m);
        if !keep {
            return None;
        }
        let is_open = (q.open_now == Some(true)).then(|| is_open_with(r, entry.tz.as_ref(), now));
        if is_open == Some(false) {
            return None;
        }
        let minutes = delivery_minutes(r.avg_preparation_minutes.max(0) as u32, distance_km);
        Some(Scored { entry: Arc::clone(entry), distance_km, minutes, is_open })
    });
    let sort = q.sort.unwrap_or_default();
    let order = |a: &Scored, b: &Scored| {
        let (ra, rb) = (&a.entry.restaurant, &b.entry.restaurant);
        let primary = match sort {
            Sort::Distance => std::cmp::Ordering::Equal,
            Sort::Rating => rb.rating_avg.total_cmp(&ra.rating_avg),
            Sort::Cost => ra.cost_for_two.cmp(&rb.cost_for_two),
            Sort::DeliveryTime => a.minutes.cmp(&b.minutes),
        };
        primary.then(a.distance_km.total_cmp(&b.distance_km)).then(ra.restaurant_id.cmp(&rb.restaurant_id))
    };
    // Only the pages up to the one asked for need ordering: select them, then sort them.
    if first < found.len() {
        found.select_nth_unstable_by(first, order);
        found[..first].sort_by(order);
    } else {
        found.sort_by(order);
    }
    found
}

#[utoipa::path(get, path = "/api/v1/restaurants", tag = "restaurants", params(ListQuery),
    responses((status = 200, body = RestaurantList), (status = 400, body = ErrorBody)))]
async fn list_restaurants(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<RestaurantList>> {
    let at = LatLng::parse(q.lat, q.lng, "lat", "lng")?;
    paging(q.page, q.limit)?;
    let (page, limit) = (q.page.unwrap_or(1), q.limit.unwrap_or(20));
    if q.min_rating.is_some_and(|m| !(0.0..=5.0).contains(&m)) {
        return Err(ApiError::invalid("min_rating", "must be between 0 and 5"));
    }
    if q.max_cost_for_two.is_some_and(|m| m < 0) {
        return Err(ApiError::invalid("max_cost_for_two", "must not be negative"));
    }
    let now = jiff::Timestamp::now();
    let start = ((page - 1) as usize).saturating_mul(limit as usize);
    let end = start.saturating_add(limit as usize);
    let all = rank(&state.nearby, at, &q, now, end);
    let total = all.len();
    let restaurants = all.get(start..end.min(total)).unwrap_or_default().iter().map(|s| s.card(now)).collect();
    Ok(Json(RestaurantList { restaurants, page, limit, total }))
}
