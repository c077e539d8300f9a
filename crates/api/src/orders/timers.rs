//! Orders that nobody moves: CONFIRMED orders the restaurant did not accept in time are
//! cancelled (full refund, the customer told why); old idempotency keys are forgotten.

use super::events;
use crate::AppState;
use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::{Cancellation, StoreResult, Transition};
use std::time::Duration;
use time::OffsetDateTime;

pub const NOT_ACCEPTED: &str = "the restaurant did not accept the order in time";

/// Cancels every CONFIRMED order whose acceptance deadline is before `now`; returns how many.
pub async fn cancel_unaccepted(state: &AppState, now: OffsetDateTime) -> StoreResult<usize> {
    let mut n = 0;
    for order in state.store.unaccepted_before(now).await? {
        let owner = state.store.restaurant(order.restaurant_id).await?.map(|r| r.owner_id).unwrap_or_default();
        let (fee, refund) = super::settle(&order, Actor::System);
        let extra = serde_json::json!({"reason": NOT_ACCEPTED, "refund_amount": refund, "cancellation_fee": fee});
        let t = Transition {
            order_id: order.order_id,
            from: OrderStatus::Confirmed,
            to: OrderStatus::Cancelled,
            actor: Actor::System,
            note: Some(NOT_ACCEPTED.into()),
            cancel: Some(Cancellation { reason: NOT_ACCEPTED.into(), fee, refund }),
            preparation_minutes: None,
            estimated_delivery_time: None,
            events: events::changed(
                &order,
                owner,
                OrderStatus::Confirmed,
                OrderStatus::Cancelled,
                Actor::System,
                Some(extra),
            ),
        };
        // Accepted meanwhile? Then the conditional write does nothing, as it should.
        if state.store.transition(&t).await? {
            n += 1;
        }
    }
    if n > 0 {
        state.relay.wake();
    }
    Ok(n)
}

/// Runs the timers every `period` until aborted.
pub fn spawn(state: AppState, period: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        for round in 0u64.. {
            tick.tick().await;
            let now = OffsetDateTime::now_utc();
            if let Err(e) = cancel_unaccepted(&state, now).await {
                tracing::warn!(error = %e, "cancelling unaccepted orders failed; will retry");
            }
            // Forgetting keys reads them all: seldom is enough (they are kept 48 h anyway).
            if round % 720 == 0
                && let Err(e) = state.store.forget_keys_before(now - state.ordering.key_keep).await
            {
                tracing::warn!(error = %e, "forgetting old idempotency keys failed; will retry");
            }
        }
    })
}
