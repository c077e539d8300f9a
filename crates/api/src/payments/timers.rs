//! Payments' background work: reconciliation (ask the gateway about payments still PENDING
//! after a while: a webhook may have been lost), payment deadlines (a PENDING order not paid in
//! its window is cancelled, stock and offer given back), and sending owed refunds.

use super::events::{self as pay_events, PAYMENT_FAILED};
use super::refunds::send_refunds;
use super::settle;
use crate::AppState;
use crate::orders::money;
use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::model::Payment;
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

/// Settles payments PENDING since before `now − reconcile_after`; returns how many were asked.
pub async fn reconcile(state: &AppState, now: OffsetDateTime) -> anyhow::Result<usize> {
    let open = state.store.open_payments(now - state.payments.config.reconcile_after, 200).await?;
    for p in &open {
        if let Err(e) = ask(state, p).await {
            // The gateway may be down: leave this one for the next round, try the others.
            tracing::warn!(payment_id = %p.payment_id, error = %e, "reconciliation could not settle a payment");
        }
    }
    Ok(open.len())
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
    expire_unpaid(state, now).await?;
    send_refunds(state).await?;
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
                send_refunds(&state).await.map(|_| ()).map_err(Into::into)
            };
            if let Err(e) = done {
                tracing::warn!(error = %e, "payments round failed; will retry");
            }
        }
    })
}
