//! Domain events: written to the outbox in the same transaction as the change (see the store),
//! relayed here to in-process subscribers, at least once. The catalogue of topics and payloads
//! is in docs/EVENTS.md.
//!
//! Each subscriber is a lane of its own: it reads the events it has not handled, handles a
//! batch, and marks it handled with its bit (an event is `relayed` once every lane has). A lane
//! that fails retries with doubling backoff, one event at a time, and after its tries parks the
//! event in the dead-letter list (admins see and replay it) and moves on; the other lanes never
//! wait for it. A subscriber must still be idempotent: a crash between handling and marking
//! delivers the batch again.

use async_trait::async_trait;
use dabba_store::model::{DeadLetter, Event};
use dabba_store::{Store, StoreResult};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, Notify, watch};
use tokio::time::Instant;

/// Something that reacts to domain events.
#[async_trait]
pub trait Subscriber: Send + Sync {
    /// Its lane's name: the key of its progress, shown in the dead-letter list.
    fn name(&self) -> &'static str;
    /// Handles events in order; an error leaves them all to be delivered again. Subscribers
    /// that write may do so once per batch, which is what keeps the relay cheap under load.
    async fn handle(&self, events: &[Event]) -> anyhow::Result<()>;
}

/// How the relay retries a failing subscriber.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Tries of one event before it is parked as a dead letter.
    pub max_attempts: u32,
    /// Wait after the first failure; doubles with each further one.
    pub retry_base: Duration,
    /// Longest wait between two tries.
    pub retry_cap: Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        // 1 + 2 + … + 64 s: a failing event is parked after about two minutes of tries, long
        // enough to ride out a database fail-over, short enough not to hold a lane for long.
        Self { max_attempts: 8, retry_base: Duration::from_secs(1), retry_cap: Duration::from_secs(300) }
    }
}

/// Moves events from the outbox to the subscribers.
pub struct Relay {
    store: Arc<dyn Store>,
    config: std::sync::RwLock<RelayConfig>,
    lanes: std::sync::RwLock<Vec<Arc<Lane>>>,
    /// Bits of every lane known so far: an event is relayed when all of them are set.
    all: AtomicI64,
    wake: Notify,
}

/// One subscriber's progress.
struct Lane {
    sub: Arc<dyn Subscriber>,
    /// 0 until the store gave the lane its bit.
    bit: AtomicI64,
    /// One drain of a lane at a time, so its subscriber sees events in order.
    state: Arc<Mutex<LaneState>>,
    /// Drains begun and finished: a writer that wants to read its own write waits for a drain
    /// that began after its commit.
    begun: AtomicU64,
    finished: watch::Sender<u64>,
}

#[derive(Default)]
struct LaneState {
    /// After a batch failed: events up to this id are handled one at a time, so that one bad
    /// event is found and does not take its batch with it.
    single_until: i64,
    /// The event that keeps failing and how many times it has.
    failing: Option<(i64, u32)>,
    /// No try before this (backoff).
    retry_at: Option<Instant>,
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
        Arc::new(Self {
            store,
            config: Default::default(),
            lanes: Default::default(),
            all: AtomicI64::new(0),
            wake: Notify::new(),
        })
    }

    /// Changes how failures are retried.
    pub fn configure(&self, config: RelayConfig) {
        *self.config.write().unwrap_or_else(|p| p.into_inner()) = config;
    }

    /// Adds a subscriber; it receives every event relayed from its first drain on.
    pub fn subscribe(&self, s: Arc<dyn Subscriber>) {
        let lane = Lane {
            sub: s,
            bit: AtomicI64::new(0),
            state: Arc::default(),
            begun: AtomicU64::new(0),
            finished: watch::Sender::new(0),
        };
        self.lanes.write().unwrap_or_else(|p| p.into_inner()).push(Arc::new(lane));
        self.wake();
    }

    /// Tells the relay that events were just committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn lanes(&self) -> Vec<Arc<Lane>> {
        self.lanes.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn config(&self) -> RelayConfig {
        self.config.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Gives every lane without one its bit before any lane marks an event: a lane that
    /// marked with a mask missing another's bit would relay events that lane never saw.
    async fn register(&self) -> StoreResult<()> {
        for lane in self.lanes() {
            if lane.bit.load(Ordering::Acquire) == 0 {
                let bit = self.store.subscriber_bit(lane.sub.name()).await?;
                // Into the mask first: once the lane has its bit, no other lane may mark an
                // event with a mask that lacks it.
                self.all.fetch_or(bit, Ordering::AcqRel);
                lane.bit.store(bit, Ordering::Release);
            }
        }
        Ok(())
    }

    /// Delivers every pending event to every lane not waiting out a backoff, here and now; for
    /// tests and tools. Returns how many events the lanes handled in all.
    pub async fn drain(&self) -> StoreResult<usize> {
        let mut handled = 0;
        for lane in self.lanes() {
            let mut state = lane.state.lock().await;
            handled += self.drain_lane(&lane, &mut state).await?;
        }
        Ok(handled)
    }

    /// Wakes the relay and waits, at most `bound`, until the lane `name` has handled every
    /// event committed before this call: how a writer reads its own write in a read model fed
    /// by events. The work is the relay's: a request dropped meanwhile interrupts nothing.
    pub async fn settle(&self, name: &str, bound: Duration) -> bool {
        let Some(lane) = self.lanes().into_iter().find(|l| l.sub.name() == name) else { return false };
        let mut finished = lane.finished.subscribe();
        let wanted = lane.begun.load(Ordering::Acquire) + 1;
        self.wake();
        tokio::time::timeout(bound, finished.wait_for(|f| *f >= wanted)).await.is_ok()
    }

    /// One lane until it has nothing left or must back off. The caller holds the lane's lock.
    /// Only a drain that read to the end counts as finished for [`Relay::settle`].
    async fn drain_lane(&self, lane: &Lane, state: &mut LaneState) -> StoreResult<usize> {
        let pass = lane.begun.fetch_add(1, Ordering::AcqRel) + 1;
        let result = self.drain_steps(lane, state).await;
        if state.retry_at.is_none() && result.is_ok() {
            lane.finished.send_replace(pass);
        }
        result
    }

    /// Handles events as a subscriber call that cannot take the lane down: a panic is a failure
    /// like an error (retried, then parked), not a task that dies and is started again.
    async fn handle(sub: &dyn Subscriber, events: &[Event]) -> anyhow::Result<()> {
        use futures_util::FutureExt;
        match std::panic::AssertUnwindSafe(sub.handle(events)).catch_unwind().await {
            Ok(done) => done,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".into());
                Err(anyhow::anyhow!("the subscriber panicked: {what}"))
            }
        }
    }

    /// Replays one event to the subscriber `name` (a dead letter), in turn with its lane's own
    /// drains so that the subscriber never sees two calls at once. `None` if no such lane.
    pub async fn replay(&self, name: &str, event: &Event) -> Option<anyhow::Result<()>> {
        let lane = self.lanes().into_iter().find(|l| l.sub.name() == name)?;
        let _turn = lane.state.lock().await;
        Some(Self::handle(lane.sub.as_ref(), std::slice::from_ref(event)).await)
    }

    async fn drain_steps(&self, lane: &Lane, state: &mut LaneState) -> StoreResult<usize> {
        if state.retry_at.is_some_and(|at| Instant::now() < at) {
            return Ok(0);
        }
        state.retry_at = None;
        self.register().await?;
        let bit = lane.bit.load(Ordering::Acquire);
        let mut handled = 0;
        loop {
            let careful = state.single_until > 0;
            let mut events = self.store.pending_events(bit, if careful { 1 } else { BATCH }).await?;
            let Some(last) = events.last().map(|e| e.event_id) else {
                state.single_until = 0;
                return Ok(handled);
            };
            if careful && last > state.single_until {
                // Past the batch that failed: back to batches.
                state.single_until = 0;
                events = self.store.pending_events(bit, BATCH).await?;
            }
            let ids: Vec<i64> = events.iter().map(|e| e.event_id).collect();
            let last = *ids.last().unwrap_or(&last);
            match Self::handle(lane.sub.as_ref(), &events).await {
                Ok(()) => {
                    self.store.mark_handled(bit, self.all.load(Ordering::Acquire), &ids).await?;
                    handled += ids.len();
                    state.failing = None;
                }
                Err(err) if events.len() > 1 => {
                    tracing::warn!(subscriber = lane.sub.name(), first_event = ids[0], error = %err,
                        "event batch failed; trying its events one at a time");
                    state.single_until = last;
                }
                Err(err) => {
                    let event = &events[0];
                    let tries = match state.failing {
                        Some((id, n)) if id == event.event_id => n + 1,
                        _ => 1,
                    };
                    let config = self.config();
                    if tries >= config.max_attempts {
                        tracing::error!(subscriber = lane.sub.name(), event = event.event_id, topic = %event.topic,
                            tries, error = %err, "event parked as a dead letter after its last try");
                        let letter = dead_letter(lane.sub.name(), event, &err, tries);
                        self.store.dead_letter(&letter, bit, self.all.load(Ordering::Acquire)).await?;
                        state.failing = None;
                        continue;
                    }
                    let wait = backoff(&config, tries);
                    tracing::warn!(subscriber = lane.sub.name(), event = event.event_id, tries, retry_in = ?wait,
                        error = %err, "event handling failed; will retry");
                    state.failing = Some((event.event_id, tries));
                    state.retry_at = Some(Instant::now() + wait);
                    return Ok(handled);
                }
            }
        }
    }

    /// Runs each lane on its own task whenever woken, and every half second regardless, until
    /// aborted (which aborts the lanes too).
    pub fn spawn(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let relay = Arc::clone(self);
        tokio::spawn(async move {
            let mut running = tokio::task::JoinSet::new();
            loop {
                while running.try_join_next().is_some() {}
                for lane in relay.lanes() {
                    // A lane still draining (or drained by a caller) is skipped: it will read
                    // what was just committed on its next step.
                    let Ok(mut state) = Arc::clone(&lane.state).try_lock_owned() else { continue };
                    let relay = Arc::clone(&relay);
                    running.spawn(async move {
                        if let Err(e) = relay.drain_lane(&lane, &mut state).await {
                            tracing::warn!(subscriber = lane.sub.name(), error = %e, "event relay failed; will retry");
                        }
                    });
                }
                if tokio::time::timeout(IDLE, relay.wake.notified()).await.is_ok() {
                    tokio::time::sleep(COALESCE).await;
                }
            }
        })
    }
}

/// The wait before try `tries + 1`: the base, doubled per failure, capped.
fn backoff(config: &RelayConfig, tries: u32) -> Duration {
    config.retry_base.saturating_mul(1 << tries.saturating_sub(1).min(20)).min(config.retry_cap)
}

fn dead_letter(subscriber: &str, e: &Event, err: &anyhow::Error, attempts: u32) -> DeadLetter {
    DeadLetter {
        subscriber: subscriber.to_owned(),
        event_id: e.event_id,
        topic: e.topic.clone(),
        key: e.key,
        payload: e.payload.clone(),
        created_at: e.created_at,
        error: format!("{err:#}"),
        attempts: attempts as i32,
        failed_at: dabba_store::now_utc(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let c = RelayConfig { max_attempts: 8, retry_base: Duration::from_secs(1), retry_cap: Duration::from_secs(10) };
        let waits: Vec<u64> = (1..=6).map(|t| backoff(&c, t).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
        assert_eq!(backoff(&c, u32::MAX), Duration::from_secs(10));
    }
}
