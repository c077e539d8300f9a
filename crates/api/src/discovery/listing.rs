//! `GET /api/v1/restaurants?lat=&lng=`: restaurants that deliver to a point, from the discovery
//! index: serviceability is each restaurant's own radius; filters, a sort with a stable
//! tie-break (distance, then id), pages.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Query, paging};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Room reserved per card when writing a page.
const CARD_BYTES: usize = 480;
use dabba_domain::LatLng;
use dabba_search::{Filters, Hit, Index};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_restaurants))
}

/// Orderings of results; ties always fall back to distance, then id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Searches: the blend of text, rating, speed and popularity (listings: distance).
    Relevance,
    #[default]
    Distance,
    /// Best rated first.
    Rating,
    /// Cheapest (cost for two) first.
    Cost,
    /// Fastest estimated delivery first.
    DeliveryTime,
}

impl From<Sort> for dabba_search::Sort {
    fn from(s: Sort) -> Self {
        match s {
            Sort::Relevance => Self::Relevance,
            Sort::Distance => Self::Distance,
            Sort::Rating => Self::Rating,
            Sort::Cost => Self::Cost,
            Sort::DeliveryTime => Self::DeliveryTime,
        }
    }
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
    /// Only restaurants running an offer of their own.
    pub has_offer: Option<bool>,
    /// Only restaurants whose estimated delivery is at most this many minutes.
    pub max_delivery_time: Option<u32>,
    #[param(inline)]
    pub sort: Option<Sort>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// Page size, 1–50 (default 20).
    pub limit: Option<u32>,
}

/// Filters shared by listings and searches, as received (query structs cannot share fields:
/// `serde(flatten)` breaks numbers in query strings).
#[derive(Debug, Default)]
pub struct FilterQuery<'a> {
    pub cuisine: Option<&'a str>,
    pub veg_only: Option<bool>,
    pub min_rating: Option<f64>,
    pub max_cost_for_two: Option<i64>,
    pub open_now: Option<bool>,
    pub has_offer: Option<bool>,
    pub max_delivery_time: Option<u32>,
}

/// The filter fields of a query struct.
macro_rules! filter_query {
    ($q:expr) => {
        $crate::discovery::listing::FilterQuery {
            cuisine: $q.cuisine.as_deref(),
            veg_only: $q.veg_only,
            min_rating: $q.min_rating,
            max_cost_for_two: $q.max_cost_for_two,
            open_now: $q.open_now,
            has_offer: $q.has_offer,
            max_delivery_time: $q.max_delivery_time,
        }
    };
}
pub(crate) use filter_query;

/// Longest cuisine filter (a restaurant's cuisines are at most 40 characters).
pub const MAX_CUISINE_FILTER: usize = 40;

impl FilterQuery<'_> {
    /// Checks the values and turns them into the index's filters.
    pub fn parse(&self) -> ApiResult<Filters> {
        if self.min_rating.is_some_and(|m| !(0.0..=5.0).contains(&m)) {
            return Err(ApiError::invalid("min_rating", "must be between 0 and 5"));
        }
        if self.max_cost_for_two.is_some_and(|m| m < 0) {
            return Err(ApiError::invalid("max_cost_for_two", "must not be negative"));
        }
        if self.max_delivery_time.is_some_and(|m| !(1..=300).contains(&m)) {
            return Err(ApiError::invalid("max_delivery_time", "must be between 1 and 300 minutes"));
        }
        let cuisine = dabba_domain::invalid::optional_text("cuisine", self.cuisine, MAX_CUISINE_FILTER)?;
        Ok(Filters {
            cuisine,
            veg_only: self.veg_only == Some(true),
            min_rating: self.min_rating,
            max_cost_for_two: self.max_cost_for_two,
            open_now: self.open_now == Some(true),
            has_offer: self.has_offer == Some(true),
            max_delivery_minutes: self.max_delivery_time,
        })
    }
}

/// One restaurant in a listing or search.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RestaurantCard {
    pub restaurant_id: Uuid,
    pub name: String,
    pub cuisines: Vec<String>,
    pub tags: Vec<String>,
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
    /// When a closed restaurant opens next (RFC 3339, UTC); absent when open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<String>,
    /// Runs an offer of its own.
    pub has_offer: bool,
    /// Great-circle distance from the customer, km (2 decimals).
    pub distance_km: f64,
    /// Preparation + travel + handoff, minutes.
    pub estimated_delivery_minutes: u32,
}

impl RestaurantCard {
    /// The card of a hit; `None` if the restaurant left the index meanwhile.
    pub fn of(index: &Index, hit: &Hit, now: jiff::Timestamp) -> Option<Self> {
        CardView::of(index, hit, now).map(|c| RestaurantCard {
            restaurant_id: c.restaurant_id,
            name: c.name.to_owned(),
            cuisines: c.cuisines.to_vec(),
            tags: c.tags.to_vec(),
            latitude: c.latitude,
            longitude: c.longitude,
            city: c.city.to_owned(),
            rating_avg: c.rating_avg,
            rating_count: c.rating_count,
            cost_for_two: c.cost_for_two,
            min_order_value: c.min_order_value,
            is_veg: c.is_veg,
            is_open: c.is_open,
            opens_at: c.opens_at,
            has_offer: c.has_offer,
            distance_km: c.distance_km,
            estimated_delivery_minutes: c.estimated_delivery_minutes,
        })
    }
}

/// A [`RestaurantCard`] borrowed from the index. The listing, the busiest endpoint, writes its
/// page from these under the read lock instead of copying every string first.
#[derive(Serialize)]
struct CardView<'a> {
    restaurant_id: Uuid,
    name: &'a str,
    cuisines: &'a [String],
    tags: &'a [String],
    latitude: f64,
    longitude: f64,
    city: &'a str,
    rating_avg: f64,
    rating_count: i64,
    cost_for_two: i64,
    min_order_value: i64,
    is_veg: bool,
    is_open: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    opens_at: Option<String>,
    has_offer: bool,
    distance_km: f64,
    estimated_delivery_minutes: u32,
}

impl<'a> CardView<'a> {
    fn of(index: &'a Index, hit: &Hit, now: jiff::Timestamp) -> Option<Self> {
        let place = index.place(hit.ord)?;
        let r = &place.restaurant;
        let is_open = hit.open.unwrap_or_else(|| place.is_open(now));
        Some(CardView {
            restaurant_id: r.restaurant_id,
            name: &r.name,
            cuisines: &r.cuisines,
            tags: &r.tags,
            latitude: r.latitude,
            longitude: r.longitude,
            city: &r.address.city,
            rating_avg: r.rating_avg,
            rating_count: r.rating_count,
            cost_for_two: r.cost_for_two,
            min_order_value: r.min_order_value,
            is_veg: r.is_veg,
            is_open,
            opens_at: if is_open { None } else { place.opens_at(now).map(|t| t.to_string()) },
            has_offer: index.has_offer(place),
            distance_km: (hit.distance_km * 100.0).round() / 100.0,
            estimated_delivery_minutes: hit.minutes,
        })
    }
}

/// [`RestaurantList`] made of [`CardView`]s.
#[derive(Serialize)]
struct ListView<'a> {
    restaurants: Vec<CardView<'a>>,
    page: u32,
    limit: u32,
    total: usize,
    total_exact: bool,
}

/// A page of a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestaurantList {
    pub restaurants: Vec<RestaurantCard>,
    pub page: u32,
    pub limit: u32,
    /// Restaurants matching, across all pages, counted up to 1,000 (nearest first).
    pub total: usize,
    /// `false` when more than `total` match: page on until a page comes back short.
    pub total_exact: bool,
}

/// The page bounds asked for: (page, limit, first index, end index).
pub fn window(page: Option<u32>, limit: Option<u32>) -> ApiResult<(u32, u32, usize, usize)> {
    paging(page, limit)?;
    let (page, limit) = (page.unwrap_or(1), limit.unwrap_or(20));
    let start = ((page - 1) as usize).saturating_mul(limit as usize);
    Ok((page, limit, start, start.saturating_add(limit as usize)))
}

#[utoipa::path(get, path = "/api/v1/restaurants", tag = "discovery", params(ListQuery),
    responses((status = 200, body = RestaurantList), (status = 400, body = ErrorBody)))]
async fn list_restaurants(State(state): State<AppState>, Query(q): Query<ListQuery>) -> ApiResult<Response> {
    let at = LatLng::parse(q.lat, q.lng, "lat", "lng")?;
    let (page, limit, start, end) = window(q.page, q.limit)?;
    let filters = filter_query!(q).parse()?;
    let now = jiff::Timestamp::now();
    let index = state.discovery.read();
    let found = index.list(at.lat, at.lng, &filters, q.sort.unwrap_or_default().into(), now, end);
    let restaurants = found.hits.iter().skip(start).filter_map(|h| CardView::of(&index, h, now)).collect();
    let view = ListView { restaurants, page, limit, total: found.total, total_exact: found.exact };
    // Written out here, while the cards still borrow the index, into a buffer sized for the page
    // (a card is ~400 bytes) rather than one grown step by step.
    let mut body = Vec::with_capacity(256 + CARD_BYTES * view.restaurants.len());
    serde_json::to_writer(&mut body, &view).map_err(|e| ApiError::Internal(format!("listing page: {e}")))?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response())
}
