//! `Idempotency-Key` with Stripe's semantics for POSTs that create orders, payments and
//! refunds: the key is claimed first (a duplicate while it runs gets 409, the same key with
//! another body 422), the answer is stored with it so a retry gets the same answer, and a
//! failure that is not final gives the key back. Checkout stores its success inside the order's
//! transaction; the others use [`idempotent`].
//!
//! Which answers are kept ([`ApiError::is_final`]): successes, and refusals of the request
//! itself (400, 401, 403, 404, 422: running it again cannot change them). Not kept: 409 (the
//! state of the world right now: `RESTAURANT_BUSY`, `CART_CHANGED`, `PRICE_CHANGED`,
//! `OUT_OF_STOCK`, `TRY_AGAIN`, `INSUFFICIENT_BALANCE`…), 429 and every 5xx; a retry with the
//! same key runs again, as a client that retries should expect.
//!
//! A claim carries a token: a claim left by a dead request is taken over by compare-and-set
//! after [`STALE_AFTER`], and only the token's holder can store the answer or place the order,
//! so two retries racing for one stale key never both run to completion.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dabba_store::KeyDone;
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
pub const STALE_AFTER: time::Duration = time::Duration::seconds(60);

/// A key this request holds. Dropped without an answer (the client went away mid-request),
/// it gives the key back, so a retry does not wait for the stale window.
pub struct Claim {
    state: AppState,
    user_id: Uuid,
    key: String,
    /// Fences the claim: the store accepts an answer only with it.
    pub token: Uuid,
    open: bool,
}

impl Claim {
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What the request's own transaction stores with its effect: the write applies only
    /// while this claim holds (a retry that took it over refuses it).
    pub fn fence(&self) -> Fence {
        Fence { user_id: self.user_id, key: self.key.clone(), token: self.token }
    }

    /// Stores the answer (a success this module's caller wrote itself, or a final refusal).
    pub async fn finish(mut self, status: StatusCode, body: &serde_json::Value) -> ApiResult<()> {
        self.open = false;
        self.state.store.finish_key(self.user_id, &self.key, self.token, status.as_u16(), body).await?;
        Ok(())
    }

    /// The answer was stored in the request's own transaction (checkout).
    pub fn stored(mut self) {
        self.open = false;
    }

    /// After the claimed request failed with `e`: a final refusal is the key's answer,
    /// anything else gives the key back so a retry runs again. Returns what to answer: `e`,
    /// or, if a retry took the claim over meanwhile, that the request is in progress (what
    /// this copy saw, a cart the retry emptied say, is not the request's answer).
    pub async fn failed(mut self, e: ApiError) -> ApiError {
        self.open = false;
        let (status, body) = e.client_view();
        let held = if e.is_final() {
            self.state.store.finish_key(self.user_id, &self.key, self.token, status.as_u16(), &body).await
        } else {
            self.state.store.release_key(self.user_id, &self.key, self.token).await
        };
        match held {
            Ok(true) => e,
            Ok(false) => in_progress(),
            Err(store) => store.into(),
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        // Conditional on the token and on IN_PROGRESS: a transaction that committed the answer
        // (or is committing it: the row is locked) keeps it.
        let (store, user_id, key, token) = (self.state.store.clone(), self.user_id, self.key.clone(), self.token);
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = store.release_key(user_id, &key, token).await {
                    tracing::warn!(error = %e, "could not give back the key of a dropped request");
                }
            });
        }
    }
}

/// A claim, as the transaction of the request's effect checks it.
#[derive(Debug, Clone)]
pub struct Fence {
    user_id: Uuid,
    key: String,
    token: Uuid,
}

impl Fence {
    /// The answer to store with the effect.
    pub fn answer(&self, status: StatusCode, body: &impl Serialize) -> KeyDone {
        KeyDone {
            user_id: self.user_id,
            key: self.key.clone(),
            token: self.token,
            status: status.as_u16(),
            body: serde_json::to_value(body).unwrap_or_default(),
        }
    }
}

/// What claiming a key gave.
pub enum Claimed {
    /// Go ahead, holding the claim.
    Run(Claim),
    /// Answered before: the stored response.
    Replay(Response),
}

/// Claims `key` for a request hashing to `hash`.
pub async fn claim(state: &AppState, user_id: Uuid, key: &str, hash: &str) -> ApiResult<Claimed> {
    match state.store.claim_key(user_id, key, hash, state.ordering.key_stale_after).await? {
        KeyClaim::Claimed(token) => {
            Ok(Claimed::Run(Claim { state: state.clone(), user_id, key: key.to_owned(), token, open: true }))
        }
        KeyClaim::Done { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            Ok(Claimed::Replay((status, [("idempotent-replayed", "true")], axum::Json(body)).into_response()))
        }
        KeyClaim::InProgress => Err(in_progress()),
        KeyClaim::Mismatch => Err(ApiError::Status {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "IDEMPOTENCY_KEY_REUSED",
            message: "this Idempotency-Key was used for a different request; use a new key".into(),
        }),
    }
}

/// The refusal of a second copy of a request that is running now.
pub fn in_progress() -> ApiError {
    ApiError::conflict("REQUEST_IN_PROGRESS", "this request is running right now; wait for its answer")
}

/// Runs `run` at most once per `(user, scope, key)`, storing its answer; without a key it just
/// runs. `run` gets the claim's fence to store its answer with its effect (see [`Fence`]).
pub async fn idempotent<F, Fut>(
    state: &AppState,
    user_id: Uuid,
    key: Option<String>,
    scope: &str,
    request: &serde_json::Value,
    run: F,
) -> ApiResult<Response>
where
    F: FnOnce(Option<Fence>) -> Fut,
    Fut: Future<Output = ApiResult<(StatusCode, serde_json::Value)>>,
{
    let Some(key) = key.map(|k| format!("{scope}:{k}")) else {
        let (status, body) = run(None).await?;
        return Ok((status, axum::Json(body)).into_response());
    };
    let claim = match claim(state, user_id, &key, &request_hash(request)).await? {
        Claimed::Run(c) => c,
        Claimed::Replay(r) => return Ok(r),
    };
    match run(Some(claim.fence())).await {
        Ok((status, body)) => {
            // Usually stored already with the effect; this covers answers without a write.
            claim.finish(status, &body).await?;
            Ok((status, axum::Json(body)).into_response())
        }
        Err(e) => Err(claim.failed(e).await),
    }
}
