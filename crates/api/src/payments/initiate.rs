//! Starting a payment: checkout does it for the first attempt; `POST /payments/initiate` pays a
//! PENDING order again (after a decline, or with another method) until its deadline. And
//! `GET /payments/{id}/status`.

use super::breaker::CallError;
use super::events as pay_events;
use super::gateway::GatewayError;
use super::gateway::{Charge, ChargeRequest, OnlineMethod};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path};
use crate::idempotency::{Fence, idempotency_key, idempotent};
use crate::orders::events;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use dabba_domain::Role;
use dabba_domain::ledger::{self, Account};
use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::model::{Order, Payment, Refund};
use dabba_store::{LedgerTxn, MoneyWrite, StoreError, Transition};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(initiate)).routes(routes!(status))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentMethod {
    Cod,
    Card,
    Upi,
    Wallet,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cod => "COD",
            Self::Card => "CARD",
            Self::Upi => "UPI",
            Self::Wallet => "WALLET",
        }
    }

    pub fn online(self) -> Option<OnlineMethod> {
        match self {
            Self::Card => Some(OnlineMethod::Card),
            Self::Upi => Some(OnlineMethod::Upi),
            _ => None,
        }
    }
}

/// Opens a charge at the gateway, through retries and the circuit breaker.
pub async fn open_charge(state: &AppState, payment_id: Uuid, method: OnlineMethod, amount: i64) -> ApiResult<Charge> {
    if !state.payments.online() {
        return Err(ApiError::Status {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "ONLINE_PAYMENT_UNAVAILABLE",
            message: "this service takes cash on delivery and wallet payments only; card and UPI are not set up".into(),
        });
    }
    let req = ChargeRequest { payment_id, amount, currency: state.payments.config.currency.clone(), method };
    let gateway = state.payments.gateway.clone();
    match state.payments.breaker.call(|| gateway.create_charge(&req)).await {
        Ok(charge) => Ok(charge),
        Err(e) => {
            tracing::warn!(error = %e, "opening a charge failed");
            Err(ApiError::Status {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "PAYMENT_GATEWAY_UNAVAILABLE",
                message: match e {
                    CallError::Open => "card and UPI payments are briefly unavailable; try again in a minute, or pay \
                                        by wallet or cash on delivery"
                        .into(),
                    CallError::Gateway(_) => "the payment provider is not answering; try again, or pay by wallet or \
                                              cash on delivery"
                        .into(),
                },
            })
        }
    }
}

/// Tries to close a charge nothing records, so nobody can pay it: through the breaker, a few
/// times with backoff while the gateway is down. A charge still open after that is left to
/// the gateway's own expiry (its deadline is the attempt's) and logged for support.
async fn close_orphan(state: &AppState, gateway_ref: &str) {
    let mut wait = std::time::Duration::from_secs(1);
    for _ in 0..5 {
        let gateway = state.payments.gateway.clone();
        match state.payments.breaker.call(|| gateway.cancel_charge(gateway_ref)).await {
            Ok(()) => return,
            // Refused by the gateway (paid already, unknown): nothing more to do here; a paid
            // orphan's webhook finds no payment and is logged by the callback.
            Err(CallError::Gateway(GatewayError::Rejected(e))) => {
                tracing::warn!(%gateway_ref, error = %e, "an orphaned charge could not be cancelled");
                return;
            }
            Err(_) => tokio::time::sleep(wait).await,
        }
        wait *= 4;
    }
    tracing::error!(%gateway_ref, "an orphaned charge is still open at the gateway; support should cancel it");
}

/// A charge opened for a payment row not yet written. Dropped before [`Self::recorded`] (the
/// checkout was refused, failed, or its request went away), it is cancelled at the gateway
/// unless the row was written after all.
pub struct OpenedCharge {
    state: AppState,
    payment_id: Uuid,
    pub charge: Charge,
    recorded: bool,
}

impl OpenedCharge {
    pub async fn open(state: &AppState, payment_id: Uuid, method: OnlineMethod, amount: i64) -> ApiResult<Self> {
        let charge = open_charge(state, payment_id, method, amount).await?;
        Ok(Self { state: state.clone(), payment_id, charge, recorded: false })
    }

    /// The payment row holding the charge is committed.
    pub fn recorded(mut self) {
        self.recorded = true;
    }

    /// The payment row will not be written (the checkout was refused): close the charge, on
    /// its own task so a dropped request does not stop it.
    pub async fn cancel(mut self) {
        self.recorded = true;
        let (state, gateway_ref) = (self.state.clone(), self.charge.gateway_ref.clone());
        let _ = tokio::spawn(async move { close_orphan(&state, &gateway_ref).await }).await;
    }
}

impl Drop for OpenedCharge {
    fn drop(&mut self) {
        if self.recorded || tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let (state, payment_id, gateway_ref) = (self.state.clone(), self.payment_id, self.charge.gateway_ref.clone());
        tokio::spawn(async move {
            // Dropped mid-commit, the row may be about to exist: give that commit time to land
            // (or fail) before deciding the charge is an orphan.
            tokio::time::sleep(std::time::Duration::from_secs(10)).await;
            match state.store.payment(payment_id).await {
                Ok(Some(_)) => {}
                _ => close_orphan(&state, &gateway_ref).await,
            }
        });
    }
}

/// A payment row for an attempt; `status` PENDING unless decided at once.
pub fn payment_row(
    state: &AppState,
    user_id: Uuid,
    order_id: Option<Uuid>,
    method: PaymentMethod,
    amount: i64,
    charge: Option<&Charge>,
) -> Payment {
    let now = dabba_store::now_utc();
    Payment {
        payment_id: Uuid::now_v7(),
        user_id,
        order_id,
        purpose: if order_id.is_some() { "ORDER" } else { "TOPUP" }.into(),
        method: method.as_str().into(),
        amount,
        currency: state.payments.config.currency.clone(),
        status: "PENDING".into(),
        gateway_ref: charge.map(|c| c.gateway_ref.clone()),
        gateway_url: charge.map(|c| c.pay_url.clone()),
        captured: 0,
        refunded: 0,
        card_token: None,
        card_brand: None,
        card_last4: None,
        card_expiry: None,
        failure_reason: None,
        review_reason: None,
        expires_at: now + state.payments.config.window,
        created_at: now,
        updated_at: now,
    }
}

/// A wallet payment of an order, taken at once: the debit, the payment row and the hold.
pub fn wallet_payment(state: &AppState, o: &Order) -> MoneyWrite {
    let mut p = payment_row(state, o.user_id, Some(o.order_id), PaymentMethod::Wallet, o.total_amount, None);
    p.status = "SUCCEEDED".into();
    p.captured = o.total_amount;
    let mut w = MoneyWrite::default();
    w.wallet.push((o.user_id, -o.total_amount));
    w.ledger.push(LedgerTxn::new(
        ledger::paid(o.order_id, Account::Wallet(o.user_id), o.total_amount),
        Some(o.order_id),
        Some(p.payment_id),
    ));
    w.events.push(pay_events::event(pay_events::PAYMENT_COMPLETED, &p, json!({})));
    w.order_payment = Some((o.order_id, "WALLET".into(), "SUCCESS".into()));
    w.new_payments.push(p);
    w
}

/// The refusal of a wallet that holds too little.
pub fn short_wallet(balance: i64, total: i64) -> ApiError {
    ApiError::ConflictWith {
        code: "INSUFFICIENT_BALANCE",
        message: format!(
            "your wallet holds ₹{}.{:02}, the order is ₹{}.{:02}; top up or choose another method",
            balance / 100,
            balance % 100,
            total / 100,
            total % 100
        ),
        details: json!({"wallet_balance": balance, "total_amount": total}),
    }
}

/// Pay a PENDING order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InitiateRequest {
    pub order_id: Uuid,
    pub method: PaymentMethod,
}

/// The attempt: for CARD and UPI, where the customer pays.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PaymentStart {
    pub payment_id: Uuid,
    pub method: PaymentMethod,
    /// PENDING (pay at `gateway_url`) or SUCCEEDED (wallet) — cash on delivery stays PENDING
    /// until the rider collects it.
    pub status: String,
    pub gateway_url: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub order_status: OrderStatus,
}

impl PaymentStart {
    pub fn of(p: &Payment, order_status: OrderStatus) -> Self {
        let method = match p.method.as_str() {
            "CARD" => PaymentMethod::Card,
            "UPI" => PaymentMethod::Upi,
            "WALLET" => PaymentMethod::Wallet,
            _ => PaymentMethod::Cod,
        };
        Self {
            payment_id: p.payment_id,
            method,
            status: p.status.clone(),
            gateway_url: p.gateway_url.clone(),
            expires_at: p.expires_at,
            order_status,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/payments/initiate", tag = "payments", security(("bearer" = [])), request_body = InitiateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "optional; a retry with the same key and body returns the first answer")),
    responses((status = 201, body = PaymentStart), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "ORDER_NOT_AWAITING_PAYMENT, INSUFFICIENT_BALANCE", body = ErrorBody),
              (status = 503, description = "PAYMENT_GATEWAY_UNAVAILABLE: card and UPI paused; wallet and COD work", body = ErrorBody)))]
async fn initiate(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Json(req): Json<InitiateRequest>,
) -> ApiResult<Response> {
    auth.require(Role::Customer)?;
    let key = idempotency_key(&headers)?;
    let request = serde_json::to_value(&req).unwrap_or_default();
    let st = &state;
    idempotent(st, auth.user_id, key, "initiate", &request, |fence| async move {
        let start = pay_again(st, auth.user_id, req.order_id, req.method, fence).await?;
        Ok((StatusCode::CREATED, serde_json::to_value(start).unwrap_or_default()))
    })
    .await
}

async fn pay_again(
    state: &AppState,
    user_id: Uuid,
    order_id: Uuid,
    method: PaymentMethod,
    fence: Option<Fence>,
) -> ApiResult<PaymentStart> {
    let order =
        state.store.order(order_id).await?.filter(|o| o.user_id == user_id).ok_or(ApiError::NotFound("order"))?;
    let waiting = || {
        ApiError::conflict(
            "ORDER_NOT_AWAITING_PAYMENT",
            format!("this order is {} and is not waiting for a payment", order.status),
        )
    };
    if order.status != OrderStatus::Pending {
        return Err(waiting());
    }
    if let Some(online) = method.online() {
        let payment_id = Uuid::now_v7();
        let opened = OpenedCharge::open(state, payment_id, online, order.total_amount).await?;
        let mut p = payment_row(state, user_id, Some(order_id), method, order.total_amount, Some(&opened.charge));
        p.payment_id = payment_id;
        // An attempt never outlives the order's deadline.
        if let Some(pay_by) = order.pay_by {
            p.expires_at = p.expires_at.min(pay_by);
        }
        let start = PaymentStart::of(&p, order.status);
        let key = fence.map(|f| f.answer(StatusCode::CREATED, &start));
        state.store.apply_money(&MoneyWrite { new_payments: vec![p], key, ..Default::default() }).await?;
        opened.recorded();
        return Ok(start);
    }
    // Wallet and cash confirm the order now.
    let money = match method {
        PaymentMethod::Wallet => wallet_payment(state, &order),
        _ => {
            let p = payment_row(state, user_id, Some(order_id), PaymentMethod::Cod, order.total_amount, None);
            MoneyWrite {
                order_payment: Some((order_id, "COD".into(), "PENDING".into())),
                new_payments: vec![p],
                ..Default::default()
            }
        }
    };
    let mut money = money;
    let start = PaymentStart::of(&money.new_payments[0], OrderStatus::Confirmed);
    money.key = fence.map(|f| f.answer(StatusCode::CREATED, &start));
    let owner = state.store.restaurant(order.restaurant_id).await?.map(|r| r.owner_id).unwrap_or_default();
    let evs = events::confirmed(&order, owner);
    let t = Transition {
        order_id,
        from: OrderStatus::Pending,
        to: OrderStatus::Confirmed,
        actor: Actor::Customer,
        note: Some(format!("paying by {}", method.as_str())),
        cancel: None,
        preparation_minutes: None,
        estimated_delivery_time: None,
        accept_by: Some(dabba_store::now_utc() + state.ordering.accept_within),
        rider: None,
        events: evs,
        money,
    };
    match state.store.transition(&t).await {
        Ok(true) => {
            state.relay.wake();
            Ok(start)
        }
        Ok(false) => Err(waiting()),
        Err(StoreError::Refused { code: "INSUFFICIENT_BALANCE", .. }) => {
            Err(short_wallet(state.store.wallet_balance(user_id).await?, order.total_amount))
        }
        Err(e) => Err(e.into()),
    }
}

/// A payment with what was refunded on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    #[serde(flatten)]
    pub payment: Payment,
    pub refunds: Vec<Refund>,
}

#[utoipa::path(get, path = "/api/v1/payments/{id}/status", operation_id = "payment_status", tag = "payments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "payment id")),
    responses((status = 200, body = PaymentView), (status = 404, body = ErrorBody)))]
async fn status(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>) -> ApiResult<Json<PaymentView>> {
    let payment = state
        .store
        .payment(id)
        .await?
        .filter(|p| p.user_id == auth.user_id || auth.is_admin())
        .ok_or(ApiError::NotFound("payment"))?;
    let refunds = state.store.refunds_of_payment(id).await?;
    Ok(Json(PaymentView { payment, refunds }))
}
