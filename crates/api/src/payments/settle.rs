//! Applies what the gateway says about a charge (a webhook, or reconciliation asking) to our
//! payment, exactly once: the event id is recorded in the same transaction, and every change is
//! guarded on the payment's status, so replays and out-of-order deliveries change nothing.
//!
//! - paid, amounts match, order still waiting → the order is CONFIRMED (`payment.completed`);
//! - paid, but the order was cancelled or paid another way meanwhile → captured and at once
//!   refunded in full;
//! - paid, but amount or currency differ → never confirmed: flagged REVIEW (`payment.review`);
//! - declined → the attempt FAILED (`payment.declined`); the customer may pay again;
//! - still pending → nothing but the receipt.

use super::events::{self as pay_events, PAYMENT_COMPLETED, PAYMENT_DECLINED, PAYMENT_REVIEW};
use super::gateway::{ChargeReport, ChargeStatus};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::orders::events;
use crate::orders::money::refund_of;
use dabba_domain::ledger::{self, Account, RefundTo};
use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::model::Payment;
use dabba_store::{GatewayEvent, LedgerTxn, MoneyWrite, PaymentChange, StoreError, Transition};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Applied {
    /// The order is confirmed.
    Confirmed,
    /// A wallet top-up is credited.
    Credited,
    /// Paid for an order that no longer wanted it: refunded in full.
    Returned,
    Declined,
    Pending,
    /// Amount or currency did not match: held for review.
    Flagged,
    /// This event was applied before.
    Duplicate,
    /// The payment had already reached this outcome (another event, reconciliation).
    AlreadySettled,
}

/// Applies `report` to its payment; `event_id` is the gateway's event (None when we asked).
pub async fn apply(state: &AppState, report: &ChargeReport, event_id: Option<&str>) -> ApiResult<Applied> {
    for _ in 0..5 {
        let p = state.store.payment(report.payment_id).await?.ok_or(ApiError::NotFound("payment"))?;
        let event = event_id.map(|id| GatewayEvent {
            event_id: id.to_owned(),
            payment_id: p.payment_id,
            kind: format!("{:?}", report.status).to_lowercase(),
        });
        match attempt(state, &p, report, event, false).await {
            Err(StoreError::Refused { code: "STALE", .. }) => continue,
            Err(StoreError::Refused { code: "DUPLICATE_EVENT", .. }) => return Ok(Applied::Duplicate),
            Ok(Some(applied)) => {
                state.relay.wake();
                state.payments.wake_refunds();
                return Ok(applied);
            }
            // The order moved under a confirmation: decide again against its new status.
            Ok(None) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict("TRY_AGAIN", "the payment kept changing; the gateway will send it again"))
}

fn receipt_only(event: Option<GatewayEvent>) -> MoneyWrite {
    MoneyWrite { gateway_event: event, ..Default::default() }
}

fn change(p: &Payment, to: &str, capture: i64, report: &ChargeReport) -> PaymentChange {
    PaymentChange {
        payment_id: p.payment_id,
        from: p.status.clone(),
        to: to.into(),
        capture,
        card: report.card.clone(),
        failure_reason: report.failure_reason.clone(),
        review_reason: None,
    }
}

async fn record(state: &AppState, w: MoneyWrite, applied: Applied) -> Result<Option<Applied>, StoreError> {
    if !w.is_empty() {
        state.store.apply_money(&w).await?;
    }
    Ok(Some(applied))
}

/// One decision against the payment as read; `Ok(None)` when the order moved meanwhile.
/// `reviewed`: support vouches for a payment held in REVIEW, which is then settled as paid.
async fn attempt(
    state: &AppState,
    p: &Payment,
    report: &ChargeReport,
    event: Option<GatewayEvent>,
    reviewed: bool,
) -> Result<Option<Applied>, StoreError> {
    let open = matches!(p.status.as_str(), "PENDING" | "FAILED" | "CANCELLED") || (reviewed && p.status == "REVIEW");
    match report.status {
        ChargeStatus::Pending => record(state, receipt_only(event), Applied::Pending).await,
        ChargeStatus::Failed if p.status != "PENDING" => {
            record(state, receipt_only(event), Applied::AlreadySettled).await
        }
        ChargeStatus::Failed => {
            let mut w = receipt_only(event);
            w.payment_changes.push(change(p, "FAILED", 0, report));
            w.events.push(pay_events::event(PAYMENT_DECLINED, p, json!({"failure_reason": report.failure_reason})));
            record(state, w, Applied::Declined).await
        }
        ChargeStatus::Succeeded if !open => record(state, receipt_only(event), Applied::AlreadySettled).await,
        ChargeStatus::Succeeded
            if report.amount != p.amount
                || report.currency != p.currency
                || p.gateway_ref.as_deref() != Some(report.gateway_ref.as_str()) =>
        {
            let reason = format!(
                "gateway reported {} {} on {}, expected {} {} on {}",
                report.amount,
                report.currency,
                report.gateway_ref,
                p.amount,
                p.currency,
                p.gateway_ref.as_deref().unwrap_or("-")
            );
            tracing::warn!(payment_id = %p.payment_id, %reason, "payment flagged for review");
            let mut w = receipt_only(event);
            let mut c = change(p, "REVIEW", 0, report);
            c.review_reason = Some(reason.clone());
            w.payment_changes.push(c);
            w.events.push(pay_events::event(PAYMENT_REVIEW, p, json!({"reason": reason})));
            record(state, w, Applied::Flagged).await
        }
        ChargeStatus::Succeeded if p.purpose == "TOPUP" => {
            let mut w = receipt_only(event);
            w.payment_changes.push(change(p, "SUCCEEDED", p.amount, report));
            w.wallet.push((p.user_id, p.amount));
            w.ledger.push(LedgerTxn::new(ledger::topped_up(p.user_id, p.amount), None, Some(p.payment_id)));
            w.events.push(pay_events::event(PAYMENT_COMPLETED, p, json!({})));
            record(state, w, Applied::Credited).await
        }
        ChargeStatus::Succeeded => captured(state, p, report, event).await,
    }
}

/// A successful charge for an order: confirm it, or give the money back.
async fn captured(
    state: &AppState,
    p: &Payment,
    report: &ChargeReport,
    event: Option<GatewayEvent>,
) -> Result<Option<Applied>, StoreError> {
    let order_id = p.order_id.unwrap_or_default();
    let Some(order) = state.store.order(order_id).await? else {
        return Err(StoreError::refused("NOT_FOUND", "the payment's order is gone"));
    };
    let mut w = receipt_only(event);
    w.payment_changes.push(change(p, "SUCCEEDED", p.amount, report));
    w.ledger.push(LedgerTxn::new(
        ledger::paid(order_id, Account::Gateway, p.amount),
        Some(order_id),
        Some(p.payment_id),
    ));
    w.events.push(pay_events::event(PAYMENT_COMPLETED, p, json!({})));
    if order.status == OrderStatus::Pending {
        w.order_payment = Some((order_id, p.method.clone(), "SUCCESS".into()));
        let owner = state.store.restaurant(order.restaurant_id).await?.map(|r| r.owner_id).unwrap_or_default();
        let evs = events::confirmed(&order, owner);
        let t = Transition {
            order_id,
            from: OrderStatus::Pending,
            to: OrderStatus::Confirmed,
            actor: Actor::System,
            note: Some(format!("paid by {}", p.method)),
            cancel: None,
            preparation_minutes: None,
            estimated_delivery_time: None,
            accept_by: Some(dabba_store::now_utc() + state.ordering.accept_within),
            rider: None,
            events: evs,
            money: w,
        };
        return Ok(state.store.transition(&t).await?.then_some(Applied::Confirmed));
    }
    // Cancelled (the window passed) or paid by another attempt: the money goes straight back.
    let reason = format!("paid after the order was {}", order.status);
    give_back(p, p.amount, &mut w, &reason, Actor::System);
    record(state, w, Applied::Returned).await
}

/// Adds to `w` (which captures `amount` on `p`) the refund of all of it to where it came from.
fn give_back(p: &Payment, amount: i64, w: &mut MoneyWrite, reason: &str, actor: Actor) {
    let (r, to) = refund_of(p, amount, reason, actor, false);
    let mut captured_p = p.clone();
    captured_p.captured = amount;
    // A top-up's money never reached a wallet: in and straight out at the gateway.
    if let Some(order_id) = p.order_id {
        w.ledger.push(LedgerTxn::new(ledger::returned(order_id, amount, to), Some(order_id), Some(p.payment_id)));
    }
    if let RefundTo::Wallet(u) = to {
        w.wallet.push((u, amount));
    }
    w.events.push(pay_events::refunded(&captured_p, &r.refund));
    w.refunds.push(r);
}

/// What support decides about a payment held in REVIEW.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Resolution {
    /// The gateway holds exactly the amount due after all (the report was wrong): settle it as
    /// paid (the order is confirmed if it still waits, the top-up credited; otherwise given back).
    Accept,
    /// Give back to the card or UPI whatever the gateway took.
    Refund,
}

/// Settles a REVIEW payment as support decided, on what the gateway holds now (asked first:
/// the report that flagged it is exactly what is in doubt).
pub async fn resolve(state: &AppState, payment_id: uuid::Uuid, how: Resolution, note: &str) -> ApiResult<Applied> {
    for _ in 0..5 {
        let p = state.store.payment(payment_id).await?.ok_or(ApiError::NotFound("payment"))?;
        if p.status != "REVIEW" {
            return Err(ApiError::conflict(
                "NOT_IN_REVIEW",
                format!("this payment is {}; only a payment held for review is resolved", p.status),
            ));
        }
        let gateway_ref = p.gateway_ref.clone().unwrap_or_default();
        let gateway = state.payments.gateway.clone();
        let held = state.payments.breaker.call(|| gateway.charge_status(&gateway_ref)).await.map_err(|e| {
            ApiError::Unavailable {
                code: "PAYMENT_GATEWAY_UNAVAILABLE",
                message: format!("cannot ask the gateway now: {e}"),
            }
        })?;
        let done = match (how, held.status) {
            (_, ChargeStatus::Pending) => {
                return Err(ApiError::conflict(
                    "NOT_SETTLED",
                    "the gateway has not settled this charge yet; look again later",
                ));
            }
            // Nothing was taken after all: the attempt failed; the customer may pay again.
            (_, ChargeStatus::Failed) => {
                let mut w = receipt_only(None);
                w.payment_changes.push(change(&p, "FAILED", 0, &held));
                record(state, w, Applied::Declined).await
            }
            (_, ChargeStatus::Succeeded) if held.currency != p.currency => {
                return Err(ApiError::conflict(
                    "CURRENCY_MISMATCH",
                    format!("the gateway holds {} {}; settle it at the gateway by hand", held.amount, held.currency),
                ));
            }
            (Resolution::Accept, ChargeStatus::Succeeded) if held.amount != p.amount => {
                return Err(ApiError::conflict(
                    "AMOUNT_MISMATCH",
                    format!(
                        "the gateway holds {} paise, the payment is for {}; refund it instead",
                        held.amount, p.amount
                    ),
                ));
            }
            (Resolution::Accept, ChargeStatus::Succeeded) => attempt(state, &p, &held, None, true).await,
            (Resolution::Refund, ChargeStatus::Succeeded) => {
                let mut w = receipt_only(None);
                w.payment_changes.push(change(&p, "SUCCEEDED", held.amount, &held));
                if let Some(order_id) = p.order_id {
                    w.ledger.push(LedgerTxn::new(
                        ledger::paid(order_id, Account::Gateway, held.amount),
                        Some(order_id),
                        Some(p.payment_id),
                    ));
                }
                give_back(&p, held.amount, &mut w, &format!("refused in review: {note}"), Actor::Admin);
                record(state, w, Applied::Returned).await
            }
        };
        match done {
            Err(StoreError::Refused { code: "STALE", .. }) | Ok(None) => continue,
            Ok(Some(applied)) => {
                tracing::info!(%payment_id, ?how, note, "payment in review resolved");
                state.relay.wake();
                state.payments.wake_refunds();
                return Ok(applied);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict("TRY_AGAIN", "the payment kept changing; send the request again"))
}
