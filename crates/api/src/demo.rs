//! `GET /api/v1/demo`: the demo accounts, when the server runs with `--demo`, so that the web
//! client's first screen can offer one-click sign-in as each role. A server without `--demo`
//! answers 404: a real deployment has no shared accounts to show.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Json;
use axum::extract::State;
use dabba_domain::Role;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DemoAccount {
    pub role: Role,
    pub name: String,
    pub phone: String,
}

/// The demo city's accounts; they share one password.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DemoAccounts {
    pub password: String,
    pub accounts: Vec<DemoAccount>,
    /// A point in the demo city (where its customers live).
    pub centre: [f64; 2],
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(demo))
}

#[utoipa::path(get, path = "/api/v1/demo", tag = "auth",
    responses((status = 200, body = DemoAccounts), (status = 404, body = ErrorBody, description = "not a demo server")))]
async fn demo(State(state): State<AppState>) -> ApiResult<Json<DemoAccounts>> {
    state.demo.as_deref().cloned().map(Json).ok_or(ApiError::NotFound("demo"))
}
