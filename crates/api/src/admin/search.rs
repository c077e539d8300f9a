//! Finding things for support: users by phone, email or name; restaurants by name; an order by
//! its customer's phone or its restaurant; an order's ledger lines. Bans show with their reason.

use crate::AppState;
use crate::auth::Auth;
use crate::catalog::RestaurantView;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query, paging};
use axum::extract::State;
use dabba_domain::invalid::text;
use dabba_domain::order::OrderStatus;
use dabba_domain::{Phone, Role};
use dabba_store::model::{LedgerLine, Order, User, UserQuery};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_users))
        .routes(routes!(search_restaurants))
        .routes(routes!(find_orders))
        .routes(routes!(order_ledger))
}

/// Longest text a search takes.
pub const MAX_TEXT: usize = 100;

/// The search text, trimmed; `None` if absent.
fn search_text(q: Option<&str>) -> ApiResult<Option<String>> {
    Ok(q.map(|q| text("q", q, 1, MAX_TEXT)).transpose()?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserSearch {
    /// A part of the phone number, the email or the name (any case), or a user id.
    pub q: Option<String>,
    #[param(inline)]
    pub role: Option<Role>,
    /// Only banned (`true`) or only not banned (`false`) accounts.
    pub banned: Option<bool>,
    /// 1–50 (default 20).
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])), params(UserSearch),
    responses((status = 200, description = "matching accounts, newest first; a banned one carries its reason", body = Vec<User>),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn search_users(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<UserSearch>,
) -> ApiResult<Json<Vec<User>>> {
    auth.require(Role::Admin)?;
    let (limit, _) = paging(None, q.limit)?;
    let text = search_text(q.q.as_deref())?;
    if let Some(id) = text.as_deref().and_then(|t| Uuid::try_parse(t).ok()) {
        let found = state.store.user(id).await?;
        return Ok(Json(found.into_iter().filter(|u| q.role.is_none_or(|r| u.role == r)).collect()));
    }
    let query = UserQuery { text, role: q.role.map(|r| r.as_str().to_owned()), banned: q.banned, limit };
    Ok(Json(state.store.search_users(&query).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RestaurantSearch {
    /// A part of the name (any case), or a restaurant id.
    pub q: Option<String>,
    /// Only banned (`true`) or only not banned (`false`) restaurants.
    pub banned: Option<bool>,
    /// 1–50 (default 20).
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/admin/restaurants", tag = "admin", security(("bearer" = [])), params(RestaurantSearch),
    responses((status = 200, description = "matching restaurants by name, banned ones included (with their reason)", body = Vec<RestaurantView>),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn search_restaurants(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<RestaurantSearch>,
) -> ApiResult<Json<Vec<RestaurantView>>> {
    auth.require(Role::Admin)?;
    let (limit, _) = paging(None, q.limit)?;
    let text = search_text(q.q.as_deref())?;
    let found = match text.as_deref().and_then(|t| Uuid::try_parse(t).ok()) {
        Some(id) => state
            .store
            .restaurant(id)
            .await?
            .into_iter()
            .filter(|r| q.banned.is_none_or(|b| r.is_banned == b))
            .collect(),
        None => state.store.search_restaurants(text.as_deref(), q.banned, limit).await?,
    };
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrderSearch {
    /// The customer's phone number (E.164, or 10 digits for India).
    pub phone: Option<String>,
    /// The restaurant's id.
    pub restaurant_id: Option<Uuid>,
    /// Only orders in this status (with `restaurant_id`).
    #[param(inline)]
    pub status: Option<OrderStatus>,
    pub page: Option<u32>,
    /// 1–50 (default 20).
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/admin/orders", tag = "admin", security(("bearer" = [])), params(OrderSearch),
    responses((status = 200, description = "the customer's or the restaurant's orders, newest first (none for a phone nobody has)", body = Vec<Order>),
              (status = 400, description = "neither or both of `phone` and `restaurant_id`, or `status` with `phone`", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, description = "no such restaurant", body = ErrorBody)))]
async fn find_orders(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<OrderSearch>,
) -> ApiResult<Json<Vec<Order>>> {
    auth.require(Role::Admin)?;
    let (limit, offset) = paging(q.page, q.limit)?;
    match (q.phone.as_deref(), q.restaurant_id) {
        (Some(phone), None) => {
            if q.status.is_some() {
                return Err(ApiError::invalid(
                    "status",
                    "filters a restaurant's orders; give `restaurant_id` instead of `phone`",
                ));
            }
            let phone = Phone::parse("phone", phone)?;
            let Some((user, _)) = state.store.user_for_login(Some(phone.as_str()), None).await? else {
                return Ok(Json(Vec::new()));
            };
            Ok(Json(state.store.orders_of_user(user.user_id, None, limit, offset).await?))
        }
        (None, Some(id)) => {
            state.store.restaurant(id).await?.ok_or(ApiError::NotFound("restaurant"))?;
            Ok(Json(state.store.orders_of_restaurant(id, q.status, limit, offset).await?))
        }
        _ => Err(ApiError::invalid("phone", "give the customer's `phone` or a `restaurant_id`, one of the two")),
    }
}

#[utoipa::path(get, path = "/api/v1/admin/orders/{id}/ledger", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")),
    responses((status = 200, description = "every ledger line of the order's transactions, oldest first; each transaction's lines sum to zero", body = Vec<LedgerLine>),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn order_ledger(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<LedgerLine>>> {
    auth.require(Role::Admin)?;
    state.store.order(id).await?.ok_or(ApiError::NotFound("order"))?;
    Ok(Json(state.store.order_ledger(id).await?))
}
