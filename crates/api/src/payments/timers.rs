//! Payments' background work: reconciliation (ask the gateway about payments still PENDING
//! after a while: a webhook may have been lost), payment deadlines (a PENDING order not paid in
//! its window is cancelled, stock and offer given back), and sending owed refunds.

use super::breaker::CallError;
use super::events::{self as pay_events, PAYMENT_FAILED};
use super::gateway::GatewayError;
use super::refunds::send_refunds;
use super::settle;
use crate::AppState;
use crate::orders::money;
use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::model::Payment;
use dabba_store::{MoneyWrite, PaymentChange, StoreError};
use std::time::Duration;
use time::OffsetDateTime;

pub const NOT_PAID: &str = "payment was not received in time";

/// Asks the gateway about one payment and applies the answer.
async fn ask(state: &AppState, p: &Payment) -> anyhow::Result<()> {
    let Some(gateway_ref) = p.gateway_ref.clone() else { return Ok(()) };
    let gateway = state.payments.gateway.clone();
    let report = state.payments.breaker.call(|| gateway.charge_status(&gateway_ref)).await?;
    settle::apply(state, &report, None).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(())
}

/// Settles payments PENDING since before `now − reconcile_after`, a batch per round, the
/// longest-unasked first (so abandoned attempts cannot starve a paid one whose webhook was
/// lost); returns how many were asked.
pub async fn reconcile(state: &AppState, now: OffsetDateTime) -> anyhow::Result<usize> {
    let cfg = &state.payments.config;
    let open = state.store.open_payments(now - cfg.reconcile_after, cfg.reconcile_batch).await?;
    for p in &open {
        if let Err(e) = ask(state, p).await {
            // The gateway may be down: leave this one for the next round, try the others.
            tracing::warn!(payment_id = %p.payment_id, error = %e, "reconciliation could not settle a payment");
        }
    }
    let asked: Vec<_> = open.iter().map(|p| p.payment_id).collect();
    state.store.payments_checked(&asked, now).await?;
    Ok(open.len())
}

/// Closes card and UPI attempts past their deadline (top-ups, attempts left open after the
/// customer paid another way): one last question to the gateway (a payment made at the last
/// moment counts), then the charge is cancelled there so it can no longer be paid, then the
/// payment is CANCELLED here. Returns how many were closed.
pub async fn expire_payments(state: &AppState, now: OffsetDateTime) -> anyhow::Result<usize> {
    let mut n = 0;
    for p in state.store.expired_payments(now, 200).await? {
        let Some(gateway_ref) = p.gateway_ref.clone() else { continue };
        let gateway = state.payments.gateway.clone();
        // The gateway not knowing the charge (a test gateway restarted) means nobody can pay
        // it: it is closed here as well. Any other failure: its turn comes again later, after
        // the others (it is marked asked).
        let known = match state.payments.breaker.call(|| gateway.charge_status(&gateway_ref)).await {
            Ok(report) => {
                settle::apply(state, &report, None).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
                true
            }
            Err(CallError::Gateway(GatewayError::Rejected(_))) => false,
            Err(e) => {
                tracing::warn!(payment_id = %p.payment_id, error = %e, "could not ask about an expired payment");
                state.store.payments_checked(&[p.payment_id], now).await?;
                continue;
            }
        };
        let Some(p) = state.store.payment(p.payment_id).await?.filter(|p| p.status == "PENDING") else { continue };
        let cancelled = match known {
            true => state.payments.breaker.call(|| gateway.cancel_charge(&gateway_ref)).await,
            false => Ok(()),
        };
        match cancelled {
            Ok(()) => {}
            // Paid after all, between our question and the cancel: settle it as paid.
            Err(CallError::Gateway(GatewayError::Rejected(_))) => {
                let _ = ask(state, &p).await;
                continue;
            }
            Err(e) => {
                tracing::warn!(payment_id = %p.payment_id, error = %e, "could not cancel an expired charge");
                state.store.payments_checked(&[p.payment_id], now).await?;
                continue;
            }
        }
        let reason = "not paid before its deadline";
        let w = MoneyWrite {
            payment_changes: vec![PaymentChange {
                payment_id: p.payment_id,
                from: "PENDING".into(),
                to: "CANCELLED".into(),
                capture: 0,
                card: None,
                failure_reason: Some(reason.into()),
                review_reason: None,
            }],
            events: vec![pay_events::event(PAYMENT_FAILED, &p, serde_json::json!({"reason": reason}))],
            ..Default::default()
        };
        match state.store.apply_money(&w).await {
            Ok(()) => n += 1,
            // Settled meanwhile (a webhook): that answer stands.
            Err(StoreError::Refused { code: "STALE", .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if n > 0 {
        state.relay.wake();
    }
    Ok(n)
}

/// Cancels PENDING orders past their payment deadline (after one last question to the
/// gateway about their open attempts); returns how many were cancelled.
pub async fn expire_unpaid(state: &AppState, now: OffsetDateTime) -> anyhow::Result<usize> {
    let mut n = 0;
    for order in state.store.unpaid_before(now).await? {
        for p in state.store.payments_of_order(order.order_id).await?.iter().filter(|p| p.status == "PENDING") {
            // If the gateway cannot say, the order is cancelled anyway: a success that arrives
            // later is refunded at once (see `settle`).
            if let Err(e) = ask(state, p).await {
                tracing::warn!(payment_id = %p.payment_id, error = %e, "could not ask about a payment before its deadline");
            }
        }
        let Some(order) = state.store.order(order.order_id).await?.filter(|o| o.status == OrderStatus::Pending) else {
            continue;
        };
        let failed = state
            .store
            .payments_of_order(order.order_id)
            .await?
            .last()
            .map(|p| pay_events::event(PAYMENT_FAILED, p, serde_json::json!({"reason": NOT_PAID})));
        if money::cancel(state, &order, Actor::System, NOT_PAID, failed.into_iter().collect())
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?
            .is_some()
        {
            n += 1;
        }
    }
    Ok(n)
}

/// One round of everything; the timer calls it, tests call it with a chosen `now`.
pub async fn run_once(state: &AppState, now: OffsetDateTime) -> anyhow::Result<()> {
    reconcile(state, now).await?;
    expire_payments(state, now).await?;
    expire_unpaid(state, now).await?;
    send_refunds(state, now).await?;
    Ok(())
}

/// Runs the rounds every `period`, and sends refunds as soon as one is owed.
pub fn spawn(state: AppState, period: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let all = tokio::select! {
                _ = tick.tick() => true,
                _ = state.payments.refunds_due() => false,
            };
            let done = if all {
                run_once(&state, OffsetDateTime::now_utc()).await
            } else {
                send_refunds(&state, OffsetDateTime::now_utc()).await.map(|_| ()).map_err(Into::into)
            };
            if let Err(e) = done {
                tracing::warn!(error = %e, "payments round failed; will retry");
            }
        }
    })
}
