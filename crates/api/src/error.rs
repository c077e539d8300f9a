//! The one error type of the HTTP edge. Every failure becomes the seed's body:
//! `{"status":"error","error_code":"…","message":"…","details"?:[…]}`. 5xx bodies carry the
//! request id and nothing internal; the cause goes to the log under that id.

use crate::observe::current_request_id;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dabba_domain::Invalid;
use dabba_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Fields that failed validation (400 `VALIDATION_ERROR`).
    #[error("invalid input")]
    Invalid(Vec<Invalid>),
    /// A malformed request that is not about one field (400).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// Missing, malformed, expired or revoked credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is banned (403 `USER_BANNED`).
    #[error("banned: {0}")]
    Banned(String),
    /// Authenticated, but not allowed to do this (403 `FORBIDDEN`).
    #[error("{0}")]
    Forbidden(String),
    /// No such thing, or not one the caller may see (404 `NOT_FOUND`).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Like `Conflict`, with structured details (the items concerned, the updated cart…).
    #[error("{message}")]
    ConflictWith { code: &'static str, message: String, details: serde_json::Value },
    /// Too many attempts (429 `RATE_LIMITED`), with the seconds to wait in `Retry-After`.
    #[error("{message}")]
    RateLimited { retry_after: u64, message: String },
    /// The node is overloaded or the request ran past its deadline (503, `Retry-After: 1`).
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// A status the framework decided (413, 415, 405…), with our body.
    #[error("{message}")]
    Status { status: StatusCode, code: &'static str, message: String },
    /// A bug or an outage (500). The text is logged, never returned.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The error body of every 4xx and 5xx response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Always `error`.
    pub status: &'static str,
    /// A stable code clients can branch on (`VALIDATION_ERROR`, `NOT_FOUND`, …).
    pub error_code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// Per-field problems (`[{field, message}]`) for validation errors; what a conflict is
    /// about (the items concerned, the updated cart…) for some conflicts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
    /// The request id to quote when reporting a server error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl ApiError {
    /// A field that does not fit the others or the stored state (422 `UNPROCESSABLE`).
    pub fn unprocessable(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![Invalid::combination(field, message)])
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![Invalid::new(field, message)])
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Forbidden(message.into())
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Conflict { code, message: message.into() }
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Invalid(list) => {
                let message = list.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                // Each field as the document describes it, but not together (or not with what
                // is stored): 422. Any field wrong on its own: 400.
                if !list.is_empty() && list.iter().all(|i| i.combination) {
                    (StatusCode::UNPROCESSABLE_ENTITY, "UNPROCESSABLE", message)
                } else {
                    (StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message)
                }
            }
            ApiError::BadRequest { code, message } => (StatusCode::BAD_REQUEST, code, message.clone()),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED", m.clone()),
            ApiError::Banned(reason) => {
                (StatusCode::FORBIDDEN, "USER_BANNED", format!("this account is banned: {reason}"))
            }
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, "FORBIDDEN", m.clone()),
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, "NOT_FOUND", format!("{what} not found")),
            ApiError::Conflict { code, message } | ApiError::ConflictWith { code, message, .. } => {
                (StatusCode::CONFLICT, code, message.clone())
            }
            ApiError::RateLimited { message, .. } => (StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", message.clone()),
            ApiError::Unavailable { code, message } => (StatusCode::SERVICE_UNAVAILABLE, code, message.clone()),
            ApiError::Status { status, code, message } => (*status, code, message.clone()),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "something went wrong on our side; quote the request id when reporting it".into(),
            ),
        }
    }
}

impl ApiError {
    /// Whether this answer is final for the request that got it (kept under its
    /// Idempotency-Key): a refusal of the request itself. A 409 describes the state of the
    /// world now, a 429 or 5xx a moment of ours: a retry may get another answer.
    pub fn is_final(&self) -> bool {
        let (status, _, _) = self.parts();
        status.is_client_error() && !matches!(status.as_u16(), 409 | 429)
    }

    /// The status and body a client sees, without the request id (to store under an
    /// idempotency key and replay later).
    pub fn client_view(&self) -> (StatusCode, serde_json::Value) {
        let (status, error_code, message) = self.parts();
        let details = match self {
            ApiError::Invalid(list) => serde_json::to_value(
                list.iter()
                    .map(|i| FieldError { field: i.field.clone(), message: i.message.clone() })
                    .collect::<Vec<_>>(),
            )
            .ok(),
            ApiError::ConflictWith { details, .. } => Some(details.clone()),
            _ => None,
        };
        let body = ErrorBody { status: "error", error_code, message, details, request_id: None };
        (status, serde_json::to_value(body).unwrap_or_default())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error_code, message) = self.parts();
        let retry_after = match &self {
            ApiError::RateLimited { retry_after, .. } => Some(*retry_after),
            ApiError::Unavailable { .. } => Some(1),
            _ => None,
        };
        let request_id = current_request_id();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(request_id = request_id.as_deref().unwrap_or("-"), %cause, "request failed");
        }
        let details = match self {
            ApiError::Invalid(list) => {
                let list: Vec<FieldError> =
                    list.into_iter().map(|i| FieldError { field: i.field, message: i.message }).collect();
                serde_json::to_value(list).ok()
            }
            ApiError::ConflictWith { details, .. } => Some(details),
            _ => None,
        };
        let request_id = if status.is_server_error() { request_id } else { None };
        let body = ErrorBody { status: "error", error_code, message, details, request_id };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::Invalid(vec![e])
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { field } => {
                ApiError::conflict("ALREADY_EXISTS", format!("this {field} is already registered"))
            }
            StoreError::Refused { code, message } => ApiError::conflict(code, message),
            // A deadlock or serialisation failure (PostgreSQL) or a lock wait that timed out
            // (SQLite): nothing was written, and the same request will most likely pass.
            StoreError::Database(sqlx::Error::Database(db))
                if matches!(db.code().as_deref(), Some("40P01" | "40001" | "55P03" | "5" | "517")) =>
            {
                ApiError::conflict("TRY_AGAIN", "the request ran into a concurrent change; send it again")
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
