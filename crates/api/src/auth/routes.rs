//! `/api/v1/auth`: register, login, logout.

use super::{Auth, password};
use crate::AppState;
use crate::edge::{Bucket, ClientIp};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, NoBody};
use axum::extract::State;
use axum::http::StatusCode;
use dabba_domain::{Email, Invalid, Password, PersonName, Phone, Role};
use dabba_store::model::{NewUser, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(register)).routes(routes!(login)).routes(routes!(logout))
}

/// A new account. ADMIN accounts are created by an operator with `dabba admin create`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(example = "Asha Rao")]
    pub name: String,
    #[schema(example = "+919876543210")]
    pub phone: String,
    pub email: Option<String>,
    /// At least 8 characters.
    pub password: String,
    /// CUSTOMER (default), RESTAURANT or DELIVERY.
    pub role: Option<Role>,
}

/// Sign in with a phone or an email (exactly one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub password: String,
}

/// A signed-in user and their bearer token.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthResponse {
    pub token: String,
    pub user: User,
}

/// Collects every field error, so the client learns all of them at once.
pub(crate) fn gather<T>(results: &mut Vec<Invalid>, r: Result<T, Invalid>) -> Option<T> {
    r.map_err(|e| results.push(e)).ok()
}

/// Starts a session for `user` and signs its token.
pub(crate) async fn issue_token(state: &AppState, user: &User) -> ApiResult<String> {
    let session_id = Uuid::now_v7();
    let now = time::OffsetDateTime::now_utc();
    let exp = now + state.tokens.ttl;
    state.store.create_session(session_id, user.user_id, exp).await?;
    let claims = super::token::Claims {
        sub: user.user_id,
        sid: session_id,
        role: user.role,
        iat: now.unix_timestamp(),
        exp: exp.unix_timestamp(),
    };
    Ok(state.tokens.sign(&claims))
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = AuthResponse), (status = 400, body = ErrorBody),
              (status = 409, description = "phone or email already registered", body = ErrorBody),
              (status = 429, description = "RATE_LIMITED: too many registrations from this address; see Retry-After", body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<AuthResponse>)> {
    state.edge.check(Bucket::RegisterIp, &ip.to_string())?;
    let mut errs = Vec::new();
    let name = gather(&mut errs, PersonName::parse("name", &req.name));
    let phone = gather(&mut errs, Phone::parse("phone", &req.phone));
    // Blank means no email; lengths count as sent, as everywhere.
    let email = match req.email.as_deref() {
        Some(e) if !e.trim().is_empty() || e.chars().count() > Email::MAX_CHARS => {
            gather(&mut errs, Email::parse("email", e).map(Some))
        }
        _ => Some(None),
    };
    let password = gather(&mut errs, Password::parse("password", &req.password));
    let role = req.role.unwrap_or(Role::Customer);
    if role == Role::Admin {
        errs.push(Invalid::new("role", "ADMIN accounts cannot be registered; an operator creates them"));
    }
    let (Some(name), Some(phone), Some(email), Some(password)) = (name, phone, email, password) else {
        return Err(ApiError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(ApiError::Invalid(errs));
    }
    let password_hash = password::hash(password.expose().to_owned()).await?;
    let user = state
        .store
        .create_user(NewUser {
            user_id: Uuid::now_v7(),
            name: name.into_inner(),
            phone: phone.into_inner(),
            email: email.map(Email::into_inner),
            password_hash,
            role,
            approved: !role.needs_approval(),
        })
        .await?;
    let token = issue_token(&state, &user).await?;
    Ok((StatusCode::CREATED, Json(AuthResponse { token, user })))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = AuthResponse), (status = 400, body = ErrorBody),
              (status = 401, description = "wrong phone/email or password", body = ErrorBody),
              (status = 403, description = "banned", body = ErrorBody),
              (status = 429, description = "RATE_LIMITED: too many attempts from this address or on this account; see Retry-After", body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Json<AuthResponse>> {
    let (phone, email) = match (req.phone.as_deref(), req.email.as_deref()) {
        (Some(p), None) => (Some(Phone::parse("phone", p)?.into_inner()), None),
        (None, Some(e)) => (None, Some(Email::parse("email", e)?.into_inner())),
        _ => return Err(ApiError::invalid("phone", "send either phone or email, not both or neither")),
    };
    // Counted before any password is hashed: a flood costs us a map lookup, not Argon2.
    state.edge.check(Bucket::LoginIp, &ip.to_string())?;
    state.edge.check(Bucket::LoginAccount, phone.as_deref().or(email.as_deref()).unwrap_or_default())?;
    let found = state.store.user_for_login(phone.as_deref(), email.as_deref()).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    // The same answer for an unknown account and a wrong password.
    let wrong = || ApiError::Unauthorized("the phone/email or the password is wrong".into());
    if !password::verify(req.password, hash).await? {
        return Err(wrong());
    }
    let user = user.ok_or_else(wrong)?;
    if user.is_banned {
        return Err(ApiError::Banned(user.ban_reason.clone().unwrap_or_else(|| "no reason given".into())));
    }
    let token = issue_token(&state, &user).await?;
    Ok(Json(AuthResponse { token, user }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "the token no longer works"), (status = 401, body = ErrorBody)))]
async fn logout(State(state): State<AppState>, auth: Auth, _: NoBody) -> ApiResult<StatusCode> {
    state.store.revoke_session(auth.session_id).await?;
    state.sessions.forget(auth.session_id);
    Ok(StatusCode::NO_CONTENT)
}
