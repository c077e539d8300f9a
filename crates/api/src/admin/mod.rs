//! `/api/v1/admin`: bans and unbans of users and restaurants, and the approval of restaurant
//! partners and riders who registered themselves; finding things (`search`) and the
//! dashboard's figures (`dashboard`). Admin only.

pub mod dashboard;
pub mod search;

use crate::AppState;
use crate::auth::Auth;
use crate::catalog::RestaurantView;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, NoBody, Path};
use axum::extract::State;
use dabba_domain::Role;
use dabba_domain::invalid::text;
use dabba_store::model::User;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ban_user))
        .routes(routes!(unban_user))
        .routes(routes!(ban_restaurant))
        .routes(routes!(unban_restaurant))
        .routes(routes!(approve_user))
        .routes(routes!(awaiting_approval))
        .merge(search::router())
        .merge(dashboard::router())
}

/// Refuses a partner or rider an admin has not approved yet (403 `APPROVAL_PENDING`).
pub async fn require_approved(state: &AppState, auth: &Auth) -> ApiResult<()> {
    let user = state.store.user(auth.user_id).await?.ok_or(ApiError::NotFound("user"))?;
    if user.approved_at.is_none() {
        return Err(ApiError::Status {
            status: axum::http::StatusCode::FORBIDDEN,
            code: "APPROVAL_PENDING",
            message: "new restaurant partners and riders are checked by our team before they start; \
                      you will be able to do this once your account is approved"
                .into(),
        });
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/approve", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "user id")),
    responses((status = 200, description = "approved (again is a no-op)", body = User), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn approve_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    _: NoBody,
) -> ApiResult<Json<User>> {
    auth.require(Role::Admin)?;
    let user = state.store.approve_user(id).await?.ok_or(ApiError::NotFound("user"))?;
    tracing::info!(user_id = %id, admin = %auth.user_id, "account approved");
    Ok(Json(user))
}

#[utoipa::path(get, path = "/api/v1/admin/users/pending", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "accounts waiting for approval, oldest first (at most 200)", body = Vec<User>),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn awaiting_approval(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<User>>> {
    auth.require(Role::Admin)?;
    Ok(Json(state.store.users_awaiting_approval(200).await?))
}

/// Why the ban; shown to the banned user or owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BanRequest {
    #[schema(example = "repeated fraudulent refund claims")]
    pub reason: String,
}

async fn set_user_ban(state: &AppState, auth: &Auth, id: Uuid, reason: Option<String>) -> ApiResult<User> {
    auth.require(Role::Admin)?;
    let target = state.store.user(id).await?.ok_or(ApiError::NotFound("user"))?;
    if target.role == Role::Admin {
        return Err(ApiError::conflict("CANNOT_BAN_ADMIN", "admins cannot be banned; remove the account instead"));
    }
    let user = state.store.set_user_ban(id, reason).await?.ok_or(ApiError::NotFound("user"))?;
    state.sessions.forget_user(id);
    if user.is_banned && user.role == Role::Delivery {
        // Out of the fleet at once: no offer reaches a banned rider, those waiting are withdrawn.
        let d = &state.delivery;
        d.fleet.set_online(id, false);
        for o in d.dispatcher.offers_for(id) {
            let _ = d.dispatcher.decline(o.job.order_id, id, &d.fleet);
        }
    }
    Ok(user)
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/ban", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "user id")), request_body = BanRequest,
    responses((status = 200, body = User), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn ban_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<BanRequest>,
) -> ApiResult<Json<User>> {
    auth.require(Role::Admin)?;
    let reason = text("reason", &req.reason, 1, 500)?;
    Ok(Json(set_user_ban(&state, &auth, id, Some(reason)).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/unban", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "user id")),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "CANNOT_BAN_ADMIN: admins are never banned, so never unbanned", body = ErrorBody)))]
async fn unban_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    _: NoBody,
) -> ApiResult<Json<User>> {
    Ok(Json(set_user_ban(&state, &auth, id, None).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/restaurants/{id}/ban", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id")), request_body = BanRequest,
    responses((status = 200, body = RestaurantView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn ban_restaurant(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<BanRequest>,
) -> ApiResult<Json<RestaurantView>> {
    auth.require(Role::Admin)?;
    let reason = text("reason", &req.reason, 1, 500)?;
    let r = state.store.set_restaurant_ban(id, Some(reason)).await?.ok_or(ApiError::NotFound("restaurant"))?;
    crate::catalog::reindex(&state).await;
    Ok(Json(r.into()))
}

#[utoipa::path(post, path = "/api/v1/admin/restaurants/{id}/unban", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id")),
    responses((status = 200, body = RestaurantView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unban_restaurant(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    _: NoBody,
) -> ApiResult<Json<RestaurantView>> {
    auth.require(Role::Admin)?;
    let r = state.store.set_restaurant_ban(id, None).await?.ok_or(ApiError::NotFound("restaurant"))?;
    crate::catalog::reindex(&state).await;
    Ok(Json(r.into()))
}
