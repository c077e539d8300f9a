//! What support sees and settles by hand: payments held in REVIEW (the gateway reported another
//! amount or currency) and refunds the gateway refused every time (FAILED).

use super::settle::{self, Applied, Resolution};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use axum::extract::State;
use dabba_domain::Role;
use dabba_domain::invalid::text;
use dabba_store::model::{Payment, Refund};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(payments))
        .routes(routes!(resolve))
        .routes(routes!(refunds))
        .routes(routes!(retry_refund))
        .routes(routes!(refund_to_wallet))
        .routes(routes!(order_payments))
}

/// An order's payments, for support to see what was taken and refunded and to refund it.
#[utoipa::path(get, path = "/api/v1/admin/orders/{id}/payments", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")),
    responses((status = 200, description = "oldest first", body = Vec<Payment>),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn order_payments(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<Payment>>> {
    auth.require(Role::Admin)?;
    state.store.order(id).await?.ok_or(ApiError::NotFound("order"))?;
    Ok(Json(state.store.payments_of_order(id).await?))
}

/// Most rows one list answers.
const LIMIT: i64 = 200;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentState {
    Review,
    Pending,
    Failed,
    Cancelled,
    Succeeded,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PaymentsQuery {
    /// Default REVIEW: the payments waiting for a decision.
    pub status: Option<PaymentState>,
}

#[utoipa::path(get, path = "/api/v1/admin/payments", operation_id = "review_payments", tag = "admin", security(("bearer" = [])), params(PaymentsQuery),
    responses((status = 200, description = "oldest first, at most 200", body = Vec<Payment>),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn payments(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PaymentsQuery>,
) -> ApiResult<Json<Vec<Payment>>> {
    auth.require(Role::Admin)?;
    let status = match q.status.unwrap_or(PaymentState::Review) {
        PaymentState::Review => "REVIEW",
        PaymentState::Pending => "PENDING",
        PaymentState::Failed => "FAILED",
        PaymentState::Cancelled => "CANCELLED",
        PaymentState::Succeeded => "SUCCEEDED",
    };
    Ok(Json(state.store.payments_in(status, LIMIT).await?))
}

/// Support's decision on a payment held in REVIEW.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub action: Resolution,
    /// Why (kept in the log and on the refund), 3 to 300 characters.
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Resolved {
    pub outcome: Applied,
    pub payment: Payment,
}

#[utoipa::path(post, path = "/api/v1/admin/payments/{id}/resolve", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "payment id")), request_body = ResolveRequest,
    responses((status = 200, body = Resolved), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "NOT_IN_REVIEW, TRY_AGAIN", body = ErrorBody)))]
async fn resolve(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<ResolveRequest>,
) -> ApiResult<Json<Resolved>> {
    auth.require(Role::Admin)?;
    let note = text("note", &req.note, 3, 300)?;
    let outcome = settle::resolve(&state, id, req.action, &note).await?;
    let payment = state.store.payment(id).await?.ok_or(ApiError::NotFound("payment"))?;
    Ok(Json(Resolved { outcome, payment }))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundState {
    Failed,
    Pending,
    Succeeded,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RefundsQuery {
    /// Default FAILED: the refunds support must settle.
    pub status: Option<RefundState>,
}

#[utoipa::path(get, path = "/api/v1/admin/refunds", operation_id = "failed_refunds", tag = "admin", security(("bearer" = [])), params(RefundsQuery),
    responses((status = 200, description = "oldest first, at most 200, with tries and the last error", body = Vec<Refund>),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn refunds(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<RefundsQuery>,
) -> ApiResult<Json<Vec<Refund>>> {
    auth.require(Role::Admin)?;
    let status = match q.status.unwrap_or(RefundState::Failed) {
        RefundState::Failed => "FAILED",
        RefundState::Pending => "PENDING",
        RefundState::Succeeded => "SUCCEEDED",
    };
    Ok(Json(state.store.refunds_in(status, LIMIT).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/refunds/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "refund id")),
    responses((status = 202, description = "owed again: the worker sends it now"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, description = "NOT_FAILED: there is no FAILED refund with this id", body = ErrorBody)))]
async fn retry_refund(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::http::StatusCode> {
    auth.require(Role::Admin)?;
    if !state.store.retry_refund(id).await? {
        return Err(ApiError::conflict(
            "NOT_FAILED",
            "there is no FAILED refund with this id; only those are sent again",
        ));
    }
    state.payments.wake_refunds();
    Ok(axum::http::StatusCode::ACCEPTED)
}

#[utoipa::path(post, path = "/api/v1/admin/refunds/{id}/to-wallet", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "refund id")),
    responses((status = 200, description = "paid into the customer's wallet", body = Refund), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "NOT_FAILED: only a FAILED refund is paid to the wallet instead", body = ErrorBody)))]
async fn refund_to_wallet(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>) -> ApiResult<Json<Refund>> {
    auth.require(Role::Admin)?;
    let r = state.store.refund(id).await?.ok_or(ApiError::NotFound("refund"))?;
    if r.status != "FAILED" {
        return Err(ApiError::conflict("NOT_FAILED", "only a FAILED refund is paid to the wallet instead"));
    }
    let p = state.store.payment(r.payment_id).await?.ok_or(ApiError::NotFound("payment"))?;
    let w = dabba_store::MoneyWrite {
        refund_to_wallet: Some(id),
        wallet: vec![(p.user_id, r.amount)],
        ledger: vec![dabba_store::LedgerTxn::new(
            dabba_domain::ledger::rerouted(p.user_id, r.amount),
            p.order_id,
            Some(p.payment_id),
        )],
        ..Default::default()
    };
    match state.store.apply_money(&w).await {
        Err(dabba_store::StoreError::Refused { code: "STALE", .. }) => {
            return Err(ApiError::conflict("NOT_FAILED", "the refund changed meanwhile; look again"));
        }
        other => other?,
    }
    tracing::info!(refund_id = %id, admin = %auth.user_id, "a failed refund was paid into the wallet");
    Ok(Json(state.store.refund(id).await?.ok_or(ApiError::NotFound("refund"))?))
}
