//! The customer's wallet: its balance and history, and top-ups through the gateway. Spending
//! happens at checkout (`payment_method: WALLET`); refunds may land here.

use super::initiate::{OpenedCharge, PaymentMethod, PaymentStart, payment_row};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Json;
use axum::extract::State;
use axum::http::StatusCode;
use dabba_domain::Role;
use dabba_domain::ledger::Account;
use dabba_domain::order::OrderStatus;
use dabba_store::MoneyWrite;
use dabba_store::model::LedgerLine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(wallet)).routes(routes!(top_up))
}

/// Smallest and largest top-up, in paise (₹10 to ₹20,000).
const TOP_UP: (i64, i64) = (MIN_TOP_UP, MAX_TOP_UP);
pub const MIN_TOP_UP: i64 = 1_000;
pub const MAX_TOP_UP: i64 = 2_000_000;

#[derive(Debug, Serialize, ToSchema)]
pub struct WalletView {
    pub balance: i64,
    pub currency: String,
    /// The last 50 movements, oldest first; a negative amount is money in (a credit to you).
    pub recent: Vec<LedgerLine>,
}

#[utoipa::path(get, path = "/api/v1/wallet", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = WalletView), (status = 403, body = ErrorBody)))]
async fn wallet(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<WalletView>> {
    auth.require(Role::Customer)?;
    let balance = state.store.wallet_balance(auth.user_id).await?;
    let now = dabba_store::now_utc();
    let account = Account::Wallet(auth.user_id).to_string();
    let mut recent = state.store.account_lines(&account, now - time::Duration::days(90), now, 10_000).await?;
    let keep = recent.len().saturating_sub(50);
    recent.drain(..keep);
    Ok(Json(WalletView { balance, currency: state.payments.config.currency.clone(), recent }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopUp {
    /// Paise, ₹10 to ₹20,000.
    pub amount: i64,
    /// CARD or UPI.
    pub method: PaymentMethod,
}

#[utoipa::path(post, path = "/api/v1/wallet/topup", tag = "payments", security(("bearer" = [])), request_body = TopUp,
    responses((status = 201, body = PaymentStart), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
async fn top_up(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<TopUp>,
) -> ApiResult<(StatusCode, Json<PaymentStart>)> {
    auth.require(Role::Customer)?;
    if !(TOP_UP.0..=TOP_UP.1).contains(&req.amount) {
        return Err(ApiError::invalid("amount", "a top-up is ₹10 to ₹20,000 (1000 to 2000000 paise)"));
    }
    let Some(online) = req.method.online() else {
        return Err(ApiError::invalid("method", "top up by CARD or UPI"));
    };
    let payment_id = uuid::Uuid::now_v7();
    let opened = OpenedCharge::open(&state, payment_id, online, req.amount).await?;
    let mut p = payment_row(&state, auth.user_id, None, req.method, req.amount, Some(&opened.charge));
    p.payment_id = payment_id;
    match state.store.apply_money(&MoneyWrite { new_payments: vec![p.clone()], ..Default::default() }).await {
        Ok(()) => opened.recorded(),
        Err(e) => {
            opened.cancel().await;
            return Err(e.into());
        }
    }
    Ok((StatusCode::CREATED, Json(PaymentStart::of(&p, OrderStatus::Pending))))
}
