//! Ratings (seed 004 §5.1 Rating Service): once per DELIVERED order, by its customer; rating
//! completes the order and moves the restaurant's average.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query, paging};
use crate::orders::events::RATING_SUBMITTED;
use axum::extract::State;
use axum::http::StatusCode;
use dabba_domain::Role;
use dabba_domain::invalid::optional_text;
use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::model::{DishRating, NewEvent, Rating};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(rate)).routes(routes!(ratings_of_restaurant)).routes(routes!(reviews))
}

/// A review of a delivered order. Ratings are whole numbers 1–5.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    pub order_id: Uuid,
    pub restaurant_rating: i32,
    pub delivery_rating: i32,
    pub food_quality: Option<i32>,
    pub review_text: Option<String>,
    pub dish_ratings: Option<Vec<DishRating>>,
}

fn stars(field: &str, v: i32) -> Result<i32, dabba_domain::Invalid> {
    if (1..=5).contains(&v) {
        Ok(v)
    } else {
        Err(dabba_domain::Invalid::new(field, "must be a whole number from 1 to 5"))
    }
}

#[utoipa::path(post, path = "/api/v1/ratings", tag = "ratings", security(("bearer" = [])), request_body = RatingInput,
    responses((status = 201, body = Rating), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "ALREADY_RATED, or NOT_DELIVERED yet", body = ErrorBody)))]
async fn rate(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<RatingInput>,
) -> ApiResult<(StatusCode, Json<Rating>)> {
    auth.require(Role::Customer)?;
    let mut errs = Vec::new();
    let r = stars("restaurant_rating", req.restaurant_rating).map_err(|e| errs.push(e)).ok();
    let d = stars("delivery_rating", req.delivery_rating).map_err(|e| errs.push(e)).ok();
    let f = req.food_quality.map(|f| stars("food_quality", f)).transpose().map_err(|e| errs.push(e)).ok().flatten();
    let text = optional_text("review_text", req.review_text.as_deref(), 2000).map_err(|e| errs.push(e)).ok().flatten();
    let dishes = req.dish_ratings.unwrap_or_default();
    for (i, dr) in dishes.iter().enumerate() {
        if let Err(e) = stars(&format!("dish_ratings[{i}].rating"), dr.rating) {
            errs.push(e);
        }
    }
    let (Some(r), Some(d)) = (r, d) else { return Err(ApiError::Invalid(errs)) };
    if !errs.is_empty() {
        return Err(ApiError::Invalid(errs));
    }
    let order = state
        .store
        .order(req.order_id)
        .await?
        .filter(|o| o.user_id == auth.user_id)
        .ok_or(ApiError::NotFound("order"))?;
    let lines = state.store.order_lines(order.order_id).await?;
    if let Some(bad) = dishes.iter().find(|dr| !lines.iter().any(|l| l.item_id == dr.item_id)) {
        return Err(ApiError::unprocessable("dish_ratings", format!("item {} is not in this order", bad.item_id)));
    }
    if state.store.rating(order.order_id).await?.is_some() {
        return Err(ApiError::conflict("ALREADY_RATED", "this order is already rated"));
    }
    if order.status != OrderStatus::Delivered {
        return Err(ApiError::conflict(
            "NOT_DELIVERED",
            format!("an order can be rated once delivered; this one is {}", order.status),
        ));
    }
    let rating = Rating {
        rating_id: Uuid::now_v7(),
        order_id: order.order_id,
        user_id: auth.user_id,
        restaurant_id: order.restaurant_id,
        restaurant_rating: r,
        delivery_rating: d,
        food_quality: f,
        review_text: text,
        dish_ratings: dishes,
        created_at: dabba_store::now_utc(),
    };
    let owner = state.store.restaurant(order.restaurant_id).await?.map(|x| x.owner_id).unwrap_or_default();
    let mut events = crate::orders::events::changed(
        &order,
        owner,
        OrderStatus::Delivered,
        OrderStatus::Completed,
        Actor::Customer,
        None,
    );
    events.push(NewEvent {
        topic: RATING_SUBMITTED,
        key: order.restaurant_id,
        payload: serde_json::json!({"order_id": order.order_id, "restaurant_id": order.restaurant_id, "restaurant_rating": r, "delivery_rating": d}),
    });
    match state.store.rate_order(&rating, &events).await {
        Ok(true) => {}
        Ok(false) => return Err(ApiError::conflict("NOT_DELIVERED", "the order changed meanwhile; reload it")),
        Err(dabba_store::StoreError::Conflict { .. }) => {
            return Err(ApiError::conflict("ALREADY_RATED", "this order is already rated"));
        }
        Err(e) => return Err(e.into()),
    }
    state.relay.wake();
    Ok((StatusCode::CREATED, Json(rating)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub page: Option<u32>,
    pub limit: Option<u32>,
}

async fn page_of(state: &AppState, id: Uuid, q: PageQuery) -> ApiResult<Json<Vec<Rating>>> {
    let (limit, offset) = paging(q.page, q.limit)?;
    let r = state.store.restaurant(id).await?.filter(|r| !r.is_banned).ok_or(ApiError::NotFound("restaurant"))?;
    Ok(Json(state.store.ratings_of_restaurant(r.restaurant_id, limit, offset).await?))
}

#[utoipa::path(get, path = "/api/v1/ratings/restaurant/{id}", tag = "ratings", params(("id" = Uuid, Path, description = "restaurant id"), PageQuery),
    responses((status = 200, description = "newest first", body = Vec<Rating>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn ratings_of_restaurant(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Vec<Rating>>> {
    page_of(&state, id, q).await
}

#[utoipa::path(get, path = "/api/v1/restaurants/{id}/reviews", tag = "ratings", params(("id" = Uuid, Path, description = "restaurant id"), PageQuery),
    responses((status = 200, description = "newest first", body = Vec<Rating>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn reviews(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Vec<Rating>>> {
    page_of(&state, id, q).await
}
