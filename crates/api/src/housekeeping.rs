//! Retention: tables that would otherwise grow for ever lose their old rows on a timer, in
//! small batches so that no delete holds locks for long. Route history has its own sweep
//! (`delivery::history`); the ledger, orders and payments are records and are never deleted.

use crate::AppState;
use dabba_store::StoreResult;
use dabba_store::model::Retained;
use std::time::Duration;
use time::OffsetDateTime;

/// How long each kind of row is kept.
#[derive(Debug, Clone)]
pub struct RetentionConfig {
    /// Outbox events every subscriber has handled (dead letters keep their own copy).
    pub relayed_events: time::Duration,
    /// Sessions after they expire (a revoked one is refused either way).
    pub sessions: time::Duration,
    /// Webhook ids: a replay older than the signature's five-minute tolerance is refused anyway.
    pub gateway_events: time::Duration,
    /// Inbox messages, read or not.
    pub notifications: time::Duration,
    /// How often the sweep runs.
    pub every: Duration,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            relayed_events: time::Duration::days(7),
            sessions: time::Duration::days(7),
            gateway_events: time::Duration::days(30),
            notifications: time::Duration::days(90),
            every: Duration::from_secs(3600),
        }
    }
}

/// Rows deleted per statement.
const BATCH: i64 = 5_000;

/// Deletes what is past its retention at `now`; how many rows of each kind.
pub async fn sweep(state: &AppState, now: OffsetDateTime) -> StoreResult<Vec<(Retained, u64)>> {
    let r = &state.retention;
    let plan = [
        (Retained::RelayedEvents, r.relayed_events),
        (Retained::Sessions, r.sessions),
        (Retained::GatewayEvents, r.gateway_events),
        (Retained::Notifications, r.notifications),
        // Kept at least 24 h, as Stripe does (`ordering.key_keep`).
        (Retained::IdempotencyKeys, state.ordering.key_keep),
    ];
    let mut done = Vec::with_capacity(plan.len());
    let mut failed = None;
    for (what, keep) in plan {
        let mut n = 0;
        loop {
            match state.store.forget_before(what, now - keep, BATCH).await {
                Ok(deleted) => {
                    n += deleted;
                    if deleted < BATCH as u64 {
                        break;
                    }
                }
                // One kind failing does not keep the others: the error is reported at the end.
                Err(e) => {
                    tracing::warn!(?what, error = %e, "retention sweep of one kind failed; will retry");
                    failed = Some(e);
                    break;
                }
            }
            // Let other writers in between two batches (SQLite has one writer).
            tokio::task::yield_now().await;
        }
        done.push((what, n));
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

/// Sweeps every `retention.every` until aborted; the first sweep a minute after start, not
/// in the middle of it.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = state.retention.every;
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + Duration::from_secs(60), every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sweep(&state, OffsetDateTime::now_utc()).await {
                Ok(done) => {
                    for (what, n) in done.into_iter().filter(|(_, n)| *n > 0) {
                        tracing::info!(?what, deleted = n, "rows past their retention deleted");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "retention sweep failed; will retry"),
            }
            if let Err(e) = crate::admin::dashboard::keep_settled(&state, OffsetDateTime::now_utc()).await {
                tracing::warn!(error = %e, "keeping the dashboard's settled quarter hours failed; will retry");
            }
        }
    })
}
