//! `POST /api/v1/payments/callback`: the gateway's webhook. The signature is checked over the
//! raw body before anything is read from it; a bad, missing or stale one is a 401 and changes
//! nothing. Applying is idempotent by event id (see `settle`).

use super::gateway::{ChargeReport, ChargeStatus};
use super::settle::{self, Applied};
use super::signature;
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use dabba_store::CardOnFile;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(callback))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CardDescription {
    pub token: String,
    pub brand: String,
    pub last4: String,
    pub expiry: String,
}

/// A gateway event, as signed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GatewayWebhook {
    pub event_id: String,
    /// charge.succeeded, charge.failed or charge.pending.
    #[serde(rename = "type")]
    pub kind: String,
    pub charge_id: String,
    pub payment_id: Uuid,
    pub amount: i64,
    pub currency: String,
    pub card: Option<CardDescription>,
    pub failure_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackAnswer {
    pub received: bool,
    pub outcome: Applied,
}

#[utoipa::path(post, path = "/api/v1/payments/callback", tag = "payments", request_body = GatewayWebhook,
    params(("Dabba-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\">")),
    responses((status = 200, body = CallbackAnswer), (status = 400, body = ErrorBody),
              (status = 401, description = "missing, wrong or stale signature", body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 503, description = "try again later", body = ErrorBody)))]
async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, axum::Json<CallbackAnswer>)> {
    let header = headers.get(signature::HEADER).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let config = &state.payments.config;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if let Err(e) = signature::verify(&config.webhook_secret, header, &body, now, config.webhook_tolerance_secs) {
        tracing::warn!(error = %e, "payment callback refused");
        return Err(ApiError::Unauthorized(e.to_string()));
    }
    let hook: GatewayWebhook = serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest {
        code: "MALFORMED_EVENT",
        message: format!("the event is not valid: {e}"),
    })?;
    let status = match hook.kind.as_str() {
        "charge.succeeded" => ChargeStatus::Succeeded,
        "charge.failed" => ChargeStatus::Failed,
        "charge.pending" => ChargeStatus::Pending,
        other => {
            return Err(ApiError::BadRequest {
                code: "MALFORMED_EVENT",
                message: format!("unknown event type {other:?}"),
            });
        }
    };
    let report = ChargeReport {
        gateway_ref: hook.charge_id,
        payment_id: hook.payment_id,
        status,
        amount: hook.amount,
        currency: hook.currency,
        card: hook.card.map(|c| CardOnFile { token: c.token, brand: c.brand, last4: c.last4, expiry: c.expiry }),
        failure_reason: hook.failure_reason,
    };
    match settle::apply(&state, &report, Some(&hook.event_id)).await {
        Ok(outcome) => Ok((StatusCode::OK, axum::Json(CallbackAnswer { received: true, outcome }))),
        Err(e @ ApiError::NotFound(_)) => Err(e),
        // Anything else (a busy database) is worth the gateway's retry.
        Err(e) => {
            tracing::warn!(error = ?e, "payment callback not applied; the gateway will retry");
            Err(ApiError::Status {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "TRY_AGAIN",
                message: "the event could not be applied right now; send it again".into(),
            })
        }
    }
}
