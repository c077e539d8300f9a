//! `Idempotency-Key` with Stripe's semantics for POSTs that create orders, payments and
//! refunds: the key is claimed first (a duplicate while it runs gets 409, the same key with
//! another body 422), the answer is stored with it (success or refusal, so a retry gets the same
//! answer), our own failure gives it back. Checkout stores its success inside the order's
//! transaction; the others use [`idempotent`].

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dabba_store::model::KeyClaim;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::future::Future;
use uuid::Uuid;

/// The `Idempotency-Key` header, if sent; malformed is a 400.
pub fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(key) = headers.get("idempotency-key") else { return Ok(None) };
    let key = key.to_str().map_err(|_| ApiError::invalid("Idempotency-Key", "must be printable ASCII"))?.trim();
    if key.is_empty() || key.len() > 255 {
        return Err(ApiError::invalid("Idempotency-Key", "must be 1 to 255 characters"));
    }
    Ok(Some(key.to_owned()))
}

/// What identifies a request body under a key.
pub fn request_hash(request: &impl Serialize) -> String {
    Sha256::digest(serde_json::to_vec(request).unwrap_or_default()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A claimed key older than this belongs to a request that died; the next one takes it over.
const STALE_AFTER: time::Duration = time::Duration::seconds(60);

/// Claims `key` for a request hashing to `hash`: `None` means go ahead, `Some` is the stored
/// answer to replay.
pub async fn claim(state: &AppState, user_id: Uuid, key: &str, hash: &str) -> ApiResult<Option<Response>> {
    match state.store.claim_key(user_id, key, hash, STALE_AFTER).await? {
        KeyClaim::Claimed => Ok(None),
        KeyClaim::Done { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            Ok(Some((status, [("idempotent-replayed", "true")], axum::Json(body)).into_response()))
        }
        KeyClaim::InProgress => {
            Err(ApiError::conflict("REQUEST_IN_PROGRESS", "this request is running right now; wait for its answer"))
        }
        KeyClaim::Mismatch => Err(ApiError::Status {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "IDEMPOTENCY_KEY_REUSED",
            message: "this Idempotency-Key was used for a different request; use a new key".into(),
        }),
    }
}

/// After a claimed request failed with `e`: a refusal (4xx) is the key's answer, as Stripe
/// keeps it; our own failure (5xx) gives the key back so a retry may run again.
pub async fn answer_failure(state: &AppState, user_id: Uuid, key: &str, e: &ApiError) -> ApiResult<()> {
    let (status, body) = e.client_view();
    if status.is_client_error() {
        state.store.finish_key(user_id, key, status.as_u16(), &body).await?;
    } else {
        state.store.release_key(user_id, key).await?;
    }
    Ok(())
}

/// Runs `run` at most once per `(user, scope, key)`, storing its answer; without a key it just
/// runs.
pub async fn idempotent<F, Fut>(
    state: &AppState,
    user_id: Uuid,
    key: Option<String>,
    scope: &str,
    request: &serde_json::Value,
    run: F,
) -> ApiResult<Response>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ApiResult<(StatusCode, serde_json::Value)>>,
{
    let Some(key) = key.map(|k| format!("{scope}:{k}")) else {
        let (status, body) = run().await?;
        return Ok((status, axum::Json(body)).into_response());
    };
    if let Some(replay) = claim(state, user_id, &key, &request_hash(request)).await? {
        return Ok(replay);
    }
    match run().await {
        Ok((status, body)) => {
            state.store.finish_key(user_id, &key, status.as_u16(), &body).await?;
            Ok((status, axum::Json(body)).into_response())
        }
        Err(e) => {
            answer_failure(state, user_id, &key, &e).await?;
            Err(e)
        }
    }
}
