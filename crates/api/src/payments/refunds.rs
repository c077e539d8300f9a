//! Refunds: `POST /payments/{id}/refund` for admins (partial or full, to the original method or
//! to the wallet), and the worker that sends owed refunds to the gateway. A refund never
//! exceeds what was captured minus what was refunded: the store's guard checks it in the same
//! transaction, so two concurrent refunds cannot both pass on the same money.

use super::breaker::CallError;
use super::events as pay_events;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::idempotency::{Fence, idempotency_key, idempotent};
use crate::orders::money::refund_of;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use dabba_domain::Role;
use dabba_domain::invalid::text;
use dabba_domain::ledger::{self, RefundTo};
use dabba_domain::order::Actor;
use dabba_store::{LedgerTxn, MoneyWrite, StoreError, StoreResult};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(refund))
}

/// A refund by support.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Paise; at most what was captured minus what was refunded.
    pub amount: i64,
    pub reason: String,
    /// Credit the customer's wallet instead of the card/UPI it came from (always so for cash).
    #[serde(default)]
    pub to_wallet: bool,
}

#[utoipa::path(post, path = "/api/v1/payments/{id}/refund", tag = "payments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "payment id"),
           ("Idempotency-Key" = String, Header, description = "one per refund; a retry returns the first answer")),
    request_body = RefundRequest,
    responses((status = 201, body = dabba_store::model::Refund), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = "NOT_CAPTURED, REFUND_EXCEEDS_CAPTURED", body = ErrorBody)))]
async fn refund(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(req): Json<RefundRequest>,
) -> ApiResult<Response> {
    auth.require(Role::Admin)?;
    let key = idempotency_key(&headers)?
        .ok_or_else(|| ApiError::invalid("Idempotency-Key", "send an Idempotency-Key header (a UUID per refund)"))?;
    let reason = text("reason", &req.reason, 3, 300)?;
    if req.amount <= 0 {
        return Err(ApiError::invalid("amount", "must be a positive number of paise"));
    }
    let request = serde_json::to_value(&req).unwrap_or_default();
    // The refund's id comes from the key: if we crash after granting it but before storing the
    // key's answer, the retry finds the refund instead of granting a second one.
    let refund_id = key_id(id, &key);
    let (st, reason) = (&state, &reason);
    idempotent(st, auth.user_id, Some(key), &format!("refund:{id}"), &request, |fence| async move {
        let r = grant(st, id, refund_id, req.amount, reason, req.to_wallet, fence).await?;
        Ok((StatusCode::CREATED, serde_json::to_value(r).unwrap_or_default()))
    })
    .await
}

fn key_id(payment_id: Uuid, key: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{payment_id}:{key}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

async fn grant(
    state: &AppState,
    payment_id: Uuid,
    refund_id: Uuid,
    amount: i64,
    reason: &str,
    to_wallet: bool,
    fence: Option<Fence>,
) -> ApiResult<dabba_store::model::Refund> {
    let granted_before = || async {
        Ok::<_, ApiError>(
            state.store.refunds_of_payment(payment_id).await?.into_iter().find(|r| r.refund_id == refund_id),
        )
    };
    for _ in 0..5 {
        let p = state.store.payment(payment_id).await?.ok_or(ApiError::NotFound("payment"))?;
        if let Some(done) = granted_before().await? {
            return Ok(done);
        }
        if p.status != "SUCCEEDED" || p.captured == 0 {
            return Err(ApiError::conflict(
                "NOT_CAPTURED",
                format!("this payment is {} and holds no money to refund", p.status),
            ));
        }
        let refundable = p.captured - p.refunded;
        if amount > refundable {
            return Err(ApiError::ConflictWith {
                code: "REFUND_EXCEEDS_CAPTURED",
                message: format!("at most {refundable} paise can still be refunded on this payment"),
                details: json!({"refundable": refundable, "captured": p.captured, "refunded": p.refunded}),
            });
        }
        // Cash was handed to a rider: it can only come back as wallet credit.
        let (mut r, to) = refund_of(&p, amount, reason, Actor::Admin, to_wallet || p.method == "COD");
        r.refund.refund_id = refund_id;
        let mut w = MoneyWrite::default();
        w.ledger.push(LedgerTxn::new(ledger::refunded(amount, to), p.order_id, Some(p.payment_id)));
        if let RefundTo::Wallet(u) = to {
            w.wallet.push((u, amount));
        }
        if let Some(order_id) = p.order_id {
            w.order_refund = Some((order_id, amount));
            if amount == refundable {
                w.order_payment = Some((order_id, p.method.clone(), "REFUNDED".into()));
            }
        }
        w.events.push(pay_events::refunded(&p, &r.refund));
        let refund = r.refund.clone();
        w.key = fence.as_ref().map(|f| f.answer(StatusCode::CREATED, &refund));
        w.refunds.push(r);
        match state.store.apply_money(&w).await {
            Err(StoreError::Refused { code: "STALE", .. }) => continue,
            // Granted concurrently under this key (see `key_id`).
            Err(StoreError::Conflict { .. }) => continue,
            other => other?,
        }
        state.relay.wake();
        state.payments.wake_refunds();
        return Ok(refund);
    }
    Err(ApiError::conflict("TRY_AGAIN", "the payment kept changing; send the request again"))
}

/// When a refund that failed `tries` times is tried again: the backoff doubles from the
/// configured first wait, up to six hours.
pub fn next_try(cfg: &super::PaymentsConfig, tries: i32, now: OffsetDateTime) -> OffsetDateTime {
    let doubled = cfg.refund_backoff * 2i32.saturating_pow(tries.saturating_sub(1).clamp(0, 16) as u32);
    now + doubled.min(time::Duration::hours(6))
}

/// Sends owed refunds that are due to the gateway; returns how many went through. Each refund
/// is tried on its own: one the gateway refuses is tried again later with backoff and, after
/// the configured tries, FAILED (for support: `GET /admin/refunds?status=FAILED`, and the
/// ledger check) while the others go on. The gateway refunds idempotently by our refund id,
/// so a restart between its answer and our record sends the same refund again, never a second.
pub async fn send_refunds(state: &AppState, now: OffsetDateTime) -> StoreResult<usize> {
    let mut sent = 0;
    for r in state.store.pending_refunds(now, 100).await? {
        let Some(p) = state.store.payment(r.payment_id).await? else { continue };
        let Some(gateway_ref) = p.gateway_ref.clone() else { continue };
        let gateway = state.payments.gateway.clone();
        match state.payments.breaker.call(|| gateway.refund(&gateway_ref, r.refund_id, r.amount)).await {
            Ok(refund_ref) => {
                if state.store.refund_sent(r.refund_id, &refund_ref).await? {
                    sent += 1;
                }
            }
            // The gateway is down for everyone: no refund's tries are spent on that.
            Err(CallError::Open) => break,
            Err(CallError::Gateway(e)) => {
                let cfg = &state.payments.config;
                let tries = r.attempts + 1;
                let at = next_try(cfg, tries, now);
                state.store.refund_attempt_failed(r.refund_id, &e.to_string(), cfg.refund_attempts, at).await?;
                if tries >= cfg.refund_attempts {
                    tracing::error!(refund_id = %r.refund_id, error = %e, tries, "refund FAILED; support must settle it");
                } else {
                    tracing::warn!(refund_id = %r.refund_id, error = %e, %at, "refund not sent; will retry");
                }
            }
        }
    }
    Ok(sent)
}
