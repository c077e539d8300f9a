//! `GET /api/v1/search` (restaurants or dishes matching words, near a point) and
//! `GET /api/v1/search/suggestions` (autocomplete for every keystroke).

use super::listing::{RestaurantCard, Sort, filter_query, window};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Query};
use axum::extract::State;
use dabba_domain::LatLng;
use dabba_search::{Kind, Request, text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search)).routes(routes!(suggestions))
}

/// Longest query accepted, characters.
pub const MAX_QUERY: usize = 100;
/// Most suggestions one keystroke asks for.
pub const MAX_SUGGESTIONS: u32 = 20;
/// Most words of a query that count.
const MAX_WORDS: usize = 8;

/// What a search returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchType {
    #[default]
    Restaurant,
    Dish,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// What to look for: words of a restaurant's name, cuisines, tags or dishes.
    pub q: Option<String>,
    pub lat: f64,
    pub lng: f64,
    #[serde(rename = "type")]
    #[param(inline, rename = "type")]
    pub kind: Option<SearchType>,
    pub cuisine: Option<String>,
    /// Pure-veg restaurants; for dishes, veg dishes.
    pub veg_only: Option<bool>,
    pub min_rating: Option<f64>,
    /// Paise.
    pub max_cost_for_two: Option<i64>,
    pub open_now: Option<bool>,
    pub has_offer: Option<bool>,
    /// Minutes.
    pub max_delivery_time: Option<u32>,
    /// Default `relevance`.
    #[param(inline)]
    pub sort: Option<Sort>,
    pub page: Option<u32>,
    /// 1–50 (default 20).
    pub limit: Option<u32>,
}

/// A dish found, with its restaurant.
#[derive(Debug, Serialize, ToSchema)]
pub struct DishResult {
    pub item_id: Uuid,
    pub name: String,
    /// Paise.
    pub price: i64,
    pub is_veg: bool,
    pub is_bestseller: bool,
    pub restaurant: RestaurantCard,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub query: String,
    #[serde(rename = "type")]
    pub kind: SearchType,
    /// For `type=restaurant`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restaurants: Option<Vec<RestaurantCard>>,
    /// For `type=dish`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dishes: Option<Vec<DishResult>>,
    pub page: u32,
    pub limit: u32,
    pub total: usize,
}

/// The words of a query, or why it cannot be searched.
fn query_words(q: Option<&str>) -> ApiResult<(String, Vec<String>)> {
    let Some(q) = q else { return Err(ApiError::invalid("q", "type something to search for")) };
    let q = dabba_domain::invalid::text("q", q, 1, MAX_QUERY).map_err(|mut e| {
        if e.message == "must not be empty" {
            e.message = "type something to search for".into();
        }
        e
    })?;
    let q = q.as_str();
    // A query of only punctuation has no words: it finds nothing, as a search box would.
    let mut words = text::query_words(q);
    words.truncate(MAX_WORDS);
    Ok((q.to_owned(), words))
}

#[utoipa::path(get, path = "/api/v1/search", tag = "discovery", params(SearchQuery),
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorBody)))]
async fn search(State(state): State<AppState>, Query(q): Query<SearchQuery>) -> ApiResult<Json<SearchResults>> {
    let (query, words) = query_words(q.q.as_deref())?;
    let at = LatLng::parse(q.lat, q.lng, "lat", "lng")?;
    let (page, limit, start, end) = window(q.page, q.limit)?;
    let filters = filter_query!(q).parse()?;
    let sort = q.sort.unwrap_or(Sort::Relevance).into();
    let kind = q.kind.unwrap_or_default();
    let now = jiff::Timestamp::now();
    let request = Request { lat: at.lat, lng: at.lng, words: &words, filters: &filters, sort, now, first: end };
    let index = state.discovery.read();
    let mut out = SearchResults { query, kind, restaurants: None, dishes: None, page, limit, total: 0 };
    if words.is_empty() {
        match kind {
            SearchType::Restaurant => out.restaurants = Some(Vec::new()),
            SearchType::Dish => out.dishes = Some(Vec::new()),
        }
        return Ok(Json(out));
    }
    match kind {
        SearchType::Restaurant => {
            let found = index.search(&request);
            out.total = found.total;
            out.restaurants =
                Some(found.hits.iter().skip(start).filter_map(|h| RestaurantCard::of(&index, h, now)).collect());
        }
        SearchType::Dish => {
            let found = index.search_dishes(&request);
            out.total = found.total;
            out.dishes = Some(
                found
                    .hits
                    .iter()
                    .skip(start)
                    .filter_map(|h| {
                        let dish = index.place(h.hit.ord)?.dishes.get(h.dish)?;
                        Some(DishResult {
                            item_id: dish.item_id,
                            name: index.dish_name(dish.name).to_owned(),
                            price: dish.price,
                            is_veg: dish.is_veg,
                            is_bestseller: dish.is_bestseller,
                            restaurant: RestaurantCard::of(&index, &h.hit, now)?,
                        })
                    })
                    .collect(),
            );
        }
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SuggestQuery {
    /// What was typed so far (the last word may be partial).
    pub q: Option<String>,
    pub lat: f64,
    pub lng: f64,
    /// 1–20 (default 8).
    pub limit: Option<u32>,
}

/// What a suggestion stands for.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionType {
    Dish,
    Cuisine,
    Restaurant,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionView {
    pub text: String,
    #[serde(rename = "type")]
    pub kind: SuggestionType,
    /// For a restaurant: open it directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restaurant_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestions {
    pub query: String,
    pub suggestions: Vec<SuggestionView>,
}

#[utoipa::path(get, path = "/api/v1/search/suggestions", tag = "discovery", params(SuggestQuery),
    responses((status = 200, body = Suggestions), (status = 400, body = ErrorBody)))]
async fn suggestions(State(state): State<AppState>, Query(q): Query<SuggestQuery>) -> ApiResult<Json<Suggestions>> {
    let (query, words) = query_words(q.q.as_deref())?;
    let at = LatLng::parse(q.lat, q.lng, "lat", "lng")?;
    let limit = q.limit.unwrap_or(8);
    if !(1..=MAX_SUGGESTIONS).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("must be between 1 and {MAX_SUGGESTIONS}")));
    }
    let found = if words.is_empty() {
        Vec::new()
    } else {
        state.discovery.read().suggest(at.lat, at.lng, &query, limit as usize)
    };
    let suggestions = found
        .into_iter()
        .map(|s| SuggestionView {
            text: s.text,
            kind: match s.kind {
                Kind::Dish => SuggestionType::Dish,
                Kind::Cuisine => SuggestionType::Cuisine,
                Kind::Restaurant => SuggestionType::Restaurant,
            },
            restaurant_id: s.restaurant_id,
        })
        .collect();
    Ok(Json(Suggestions { query, suggestions }))
}
