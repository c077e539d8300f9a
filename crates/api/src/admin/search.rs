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

/// The search text, trimmed; `None` if absent. A phone number typed with spaces, dashes or
/// brackets (`+91 94200 00000`) is searched without them, as phones are stored.
fn search_text(q: Option<&str>) -> ApiResult<Option<String>> {
    let Some(t) = q.map(|q| text("q", q, 1, MAX_TEXT)).transpose()? else { return Ok(None) };
    let phone_like =
        t.chars().any(|c| c.is_ascii_digit()) && t.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
    Ok(Some(if phone_like { t.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect() } else { t }))
}

/// The forms an Indian number may be stored in: as typed at sign-up, `+91` and ten digits, or
/// the ten digits alone.
fn phone_forms(phone: &str) -> Vec<String> {
    let mut forms = vec![phone.to_owned()];
    if phone.len() == 10 && !phone.starts_with('+') {
        forms.push(format!("+91{phone}"));
    } else if let Some(local) = phone.strip_prefix("+91").filter(|l| l.len() == 10) {
        forms.push(local.to_owned());
    }
    forms
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserSearch {
    /// A part of the phone number (spaces and dashes ignored), the email or the name (any case;
    /// on SQLite, letters beyond A–Z match only as typed), or a user id.
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
        let wanted = |u: &User| q.role.is_none_or(|r| u.role == r) && q.banned.is_none_or(|b| u.is_banned == b);
        return Ok(Json(found.into_iter().filter(wanted).collect()));
    }
    let query = UserQuery { text, role: q.role.map(|r| r.as_str().to_owned()), banned: q.banned, limit };
    Ok(Json(state.store.search_users(&query).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RestaurantSearch {
    /// A part of the name (any case; on SQLite, letters beyond A–Z match only as typed), or a
    /// restaurant id.
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
    /// The customer's phone number: `+91` and ten digits and the ten digits alone find the same
    /// customer.
    pub phone: Option<String>,
    /// The restaurant's id.
    pub restaurant_id: Option<Uuid>,
    /// Only orders in this status.
    #[param(inline)]
    pub status: Option<OrderStatus>,
    pub page: Option<u32>,
    /// 1–50 (default 20).
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/admin/orders", tag = "admin", security(("bearer" = [])), params(OrderSearch),
    responses((status = 200, description = "orders newest first, narrowed by each filter given (none for a phone nobody has; the whole platform's latest with none)", body = Vec<Order>),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn find_orders(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<OrderSearch>,
) -> ApiResult<Json<Vec<Order>>> {
    auth.require(Role::Admin)?;
    let (limit, offset) = paging(q.page, q.limit)?;
    let customer = match q.phone.as_deref() {
        None => None,
        Some(phone) => {
            let phone = Phone::parse("phone", phone)?;
            let mut found = None;
            for form in phone_forms(phone.as_str()) {
                if let Some((user, _)) = state.store.user_for_login(Some(&form), None).await? {
                    found = Some(user.user_id);
                    break;
                }
            }
            // Nobody has this phone: no orders, rather than everyone's.
            let Some(id) = found else { return Ok(Json(Vec::new())) };
            Some(id)
        }
    };
    Ok(Json(state.store.find_orders(customer, q.restaurant_id, q.status, limit, offset).await?))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_indian_number_is_looked_up_in_both_forms() {
        assert_eq!(phone_forms("9876543210"), ["9876543210", "+919876543210"]);
        assert_eq!(phone_forms("+919876543210"), ["+919876543210", "9876543210"]);
        assert_eq!(phone_forms("+14155550100"), ["+14155550100"]);
    }

    #[test]
    fn a_typed_phone_is_searched_without_its_spaces() {
        assert_eq!(search_text(Some(" +91 98765-43210 ")).unwrap().as_deref(), Some("+919876543210"));
        assert_eq!(search_text(Some("Ravi 2")).unwrap().as_deref(), Some("Ravi 2"), "not a phone: kept");
        assert!(search_text(Some("   ")).is_err());
    }
}
