//! Domain events: written to the outbox in the same transaction as the change (see the store),
//! relayed here to in-process subscribers, at least once. A subscriber must be idempotent: after
//! a crash between handling and marking, it sees the event again. The catalogue of topics and
//! payloads is in docs/EVENTS.md.

use async_trait::async_trait;
use dabba_store::model::Event;
use dabba_store::{Store, StoreResult};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, Notify};

/// Something that reacts to domain events.
#[async_trait]
pub trait Subscriber: Send + Sync {
    /// For logs.
    fn name(&self) -> &'static str;
    /// Handles events in order; an error leaves them all to be delivered again. Subscribers
    /// that write may do so once per batch, which is what keeps the relay cheap under load.
    async fn handle(&self, events: &[Event]) -> anyhow::Result<()>;
}

/// Moves events from the outbox to the subscribers.
pub struct Relay {
    store: Arc<dyn Store>,
    subscribers: std::sync::RwLock<Vec<Arc<dyn Subscriber>>>,
    wake: Notify,
    /// One drain at a time, so a subscriber sees events in order.
    draining: Mutex<()>,
}

/// How many events one drain step reads.
const BATCH: i64 = 256;
/// How long the relay sleeps when nobody wakes it (changes made by other nodes).
const IDLE: Duration = Duration::from_millis(500);
/// After a wake-up, wait this long for more events, so that under load one drain (and one
/// transaction per subscriber) carries many events instead of one.
const COALESCE: Duration = Duration::from_millis(20);

impl Relay {
    pub fn new(store: Arc<dyn Store>) -> Arc<Self> {
        Arc::new(Self { store, subscribers: Default::default(), wake: Notify::new(), draining: Mutex::new(()) })
    }

    /// Adds a subscriber; it receives every event relayed from now on.
    pub fn subscribe(&self, s: Arc<dyn Subscriber>) {
        self.subscribers.write().unwrap_or_else(|p| p.into_inner()).push(s);
    }

    /// Tells the relay that events were just committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Delivers every pending event, a batch at a time; returns how many were delivered to all
    /// subscribers. A batch some subscriber failed on stays pending (and stops the drain, to keep
    /// order).
    pub async fn drain(&self) -> StoreResult<usize> {
        let _one = self.draining.lock().await;
        let subscribers = self.subscribers.read().unwrap_or_else(|p| p.into_inner()).clone();
        let mut delivered = 0;
        loop {
            let events = self.store.pending_events(BATCH).await?;
            if events.is_empty() {
                return Ok(delivered);
            }
            for s in &subscribers {
                if let Err(err) = s.handle(&events).await {
                    tracing::warn!(first_event = events[0].event_id, subscriber = s.name(), error = %err, "event handling failed; will retry");
                    return Ok(delivered);
                }
            }
            let ids: Vec<i64> = events.iter().map(|e| e.event_id).collect();
            self.store.mark_relayed(&ids).await?;
            delivered += ids.len();
        }
    }

    /// Drains whenever woken, and every half second regardless, until aborted.
    pub fn spawn(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let relay = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                if let Err(e) = relay.drain().await {
                    tracing::warn!(error = %e, "event relay failed; will retry");
                }
                if tokio::time::timeout(IDLE, relay.wake.notified()).await.is_ok() {
                    tokio::time::sleep(COALESCE).await;
                }
            }
        })
    }
}
