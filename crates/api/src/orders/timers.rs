//! Orders that nobody moves: CONFIRMED orders the restaurant did not accept in time are
//! cancelled (full refund, the customer told why).

use crate::AppState;
use dabba_domain::order::Actor;
use dabba_store::StoreResult;
use std::time::Duration;
use time::OffsetDateTime;

pub const NOT_ACCEPTED: &str = "the restaurant did not accept the order in time";

/// Cancels every CONFIRMED order whose acceptance deadline is before `now`; returns how many.
pub async fn cancel_unaccepted(state: &AppState, now: OffsetDateTime) -> StoreResult<usize> {
    let mut n = 0;
    for order in state.store.unaccepted_before(now).await? {
        // Accepted meanwhile? Then the conditional write does nothing, as it should.
        match super::money::cancel(state, &order, Actor::System, NOT_ACCEPTED, Vec::new()).await {
            Ok(Some(_)) => n += 1,
            Ok(None) => {}
            Err(e) => tracing::warn!(order_id = %order.order_id, error = ?e, "auto-cancel failed; will retry"),
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
        loop {
            tick.tick().await;
            if let Err(e) = cancel_unaccepted(&state, OffsetDateTime::now_utc()).await {
                tracing::warn!(error = %e, "cancelling unaccepted orders failed; will retry");
            }
        }
    })
}
