//! `/api/v1/cart`: one server-side cart per customer, priced by the server.

pub mod price;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, NoBody, Path, Query};
use axum::extract::State;
use dabba_domain::Role;
use dabba_store::model::{CartLine, Selection};
use price::{CartView, price_cart, price_selection, selection_key};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_cart))
        .routes(routes!(add_item))
        .routes(routes!(set_quantity, remove_line))
        .routes(routes!(clear_cart))
        .routes(routes!(apply_offer))
        .routes(routes!(remove_offer))
}

/// Most of one dish per order: enough for a party, few enough to stop a typo of 1000.
pub const MAX_QUANTITY: i64 = 50;

/// A dish to put in the cart.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddItem {
    pub restaurant_id: Uuid,
    pub item_id: Uuid,
    pub quantity: i64,
    #[serde(default)]
    pub customizations: Vec<Selection>,
    /// Empty a cart holding another restaurant's food first.
    #[serde(default)]
    pub replace_cart: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantityChange {
    pub quantity: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyOffer {
    pub promo_code: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CartQuery {
    /// Price delivery to this address instead of the default one.
    pub address_id: Option<Uuid>,
}

fn quantity(q: i64) -> ApiResult<i64> {
    if (1..=MAX_QUANTITY).contains(&q) {
        Ok(q)
    } else {
        Err(ApiError::invalid("quantity", format!("must be between 1 and {MAX_QUANTITY}")))
    }
}

async fn view(state: &AppState, user_id: Uuid, address_id: Option<Uuid>) -> ApiResult<Json<CartView>> {
    Ok(Json(price_cart(state, user_id, address_id).await?.view))
}

#[utoipa::path(get, path = "/api/v1/cart", tag = "cart", security(("bearer" = [])), params(CartQuery),
    responses((status = 200, body = CartView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_cart(State(state): State<AppState>, auth: Auth, Query(q): Query<CartQuery>) -> ApiResult<Json<CartView>> {
    auth.require(Role::Customer)?;
    view(&state, auth.user_id, q.address_id).await
}

#[utoipa::path(post, path = "/api/v1/cart/items", tag = "cart", security(("bearer" = [])), request_body = AddItem,
    responses((status = 200, body = CartView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "CART_RESTAURANT_CONFLICT, ITEM_UNAVAILABLE, QUANTITY_TOO_LARGE, CART_FULL (50 different dishes)", body = ErrorBody)))]
async fn add_item(State(state): State<AppState>, auth: Auth, Json(req): Json<AddItem>) -> ApiResult<Json<CartView>> {
    auth.require(Role::Customer)?;
    let q = quantity(req.quantity)?;
    let restaurant = state.store.restaurant(req.restaurant_id).await?.filter(|r| !r.is_banned);
    restaurant.ok_or(ApiError::NotFound("restaurant"))?;
    let item = state.store.item(req.restaurant_id, req.item_id).await?.ok_or(ApiError::NotFound("item"))?;
    if !item.is_available || item.stock == Some(0) {
        return Err(ApiError::conflict("ITEM_UNAVAILABLE", format!("{} is not available right now", item.name)));
    }
    let (unit_price, _) =
        price_selection(&item, &req.customizations).map_err(|e| ApiError::unprocessable("customizations", e))?;
    let line = CartLine {
        cart_item_id: Uuid::now_v7(),
        user_id: auth.user_id,
        item_id: item.item_id,
        selection_key: selection_key(&req.customizations),
        selection: req.customizations.into_iter().filter(|s| !s.option_ids.is_empty()).collect(),
        quantity: q,
        unit_price,
    };
    let max_lines = dabba_domain::pricing::MAX_CART_LINES;
    state.store.add_to_cart(auth.user_id, req.restaurant_id, line, req.replace_cart, MAX_QUANTITY, max_lines).await?;
    view(&state, auth.user_id, None).await
}

#[utoipa::path(put, path = "/api/v1/cart/items/{cart_item_id}", tag = "cart", security(("bearer" = [])),
    params(("cart_item_id" = Uuid, Path)), request_body = QuantityChange,
    responses((status = 200, body = CartView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_quantity(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<QuantityChange>,
) -> ApiResult<Json<CartView>> {
    auth.require(Role::Customer)?;
    let q = quantity(req.quantity)?;
    if !state.store.set_cart_quantity(auth.user_id, id, q).await? {
        return Err(ApiError::NotFound("cart item"));
    }
    view(&state, auth.user_id, None).await
}

#[utoipa::path(delete, path = "/api/v1/cart/items/{cart_item_id}", tag = "cart", security(("bearer" = [])),
    params(("cart_item_id" = Uuid, Path)),
    responses((status = 200, body = CartView), (status = 404, body = ErrorBody)))]
async fn remove_line(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>) -> ApiResult<Json<CartView>> {
    auth.require(Role::Customer)?;
    if !state.store.remove_cart_line(auth.user_id, id).await? {
        return Err(ApiError::NotFound("cart item"));
    }
    view(&state, auth.user_id, None).await
}

#[utoipa::path(delete, path = "/api/v1/cart/clear", tag = "cart", security(("bearer" = [])),
    responses((status = 200, body = CartView), (status = 401, body = ErrorBody)))]
async fn clear_cart(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<CartView>> {
    auth.require(Role::Customer)?;
    state.store.clear_cart(auth.user_id).await?;
    view(&state, auth.user_id, None).await
}

#[utoipa::path(post, path = "/api/v1/cart/apply-offer", tag = "cart", security(("bearer" = [])), request_body = ApplyOffer,
    responses((status = 200, description = "the cart, with the offer applied", body = CartView),
              (status = 404, body = ErrorBody), (status = 409, description = "the offer does not apply; details say why", body = ErrorBody),
              (status = 429, description = "RATE_LIMITED: too many codes tried; see Retry-After", body = ErrorBody)))]
async fn apply_offer(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<ApplyOffer>,
) -> ApiResult<Json<CartView>> {
    auth.require(Role::Customer)?;
    state.edge.check(crate::edge::Bucket::OfferCheck, &auth.user_id.to_string())?;
    let code = crate::offers::normalise_code(&req.promo_code)?;
    state.store.offer_by_code(&code).await?.ok_or(ApiError::NotFound("offer"))?;
    if !state.store.set_cart_promo(auth.user_id, Some(code.clone())).await? {
        return Err(ApiError::conflict("CART_EMPTY", "add something to the cart first"));
    }
    let priced = price_cart(&state, auth.user_id, None).await?;
    match &priced.view.offer {
        Some(o) if !o.applied => {
            state.store.set_cart_promo(auth.user_id, None).await?;
            Err(ApiError::ConflictWith {
                code: "OFFER_NOT_APPLICABLE",
                message: o.reason.clone().unwrap_or_else(|| "this offer does not apply".into()),
                details: serde_json::json!({"reason_code": o.reason_code}),
            })
        }
        _ => Ok(Json(priced.view)),
    }
}

#[utoipa::path(delete, path = "/api/v1/cart/offer", tag = "cart", security(("bearer" = [])),
    responses((status = 200, body = CartView), (status = 401, body = ErrorBody)))]
async fn remove_offer(State(state): State<AppState>, auth: Auth, _: NoBody) -> ApiResult<Json<CartView>> {
    auth.require(Role::Customer)?;
    state.store.set_cart_promo(auth.user_id, None).await?;
    view(&state, auth.user_id, None).await
}
