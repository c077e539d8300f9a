//! Live state of the riders: where each one last was, whether they take work, and what they
//! are doing. In memory (embedded mode), sharded by rider so that ingest from many riders runs
//! in parallel; the available ones are also in the [`Grid`].

use super::grid::{Entry, Grid, Near};
use dabba_domain::LatLng;
use dabba_domain::eta::Vehicle;
use dabba_domain::ping::{Fix, Track, Verdict};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long a rider's last fix stands for where they are while their app, still connected,
/// sends no new one (a phone lying still): past it, dispatch waits for a fix.
pub const STILL_FOR: Duration = Duration::from_secs(600);

const SHARDS: usize = 64;

/// What a rider is busy with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    Idle,
    /// An offer of these orders (taken together) waits for their answer.
    Offered(Vec<Uuid>),
    /// They carry (or are on the way to collect) these orders.
    Delivering(Vec<Uuid>),
}

#[derive(Debug)]
struct Rider {
    vehicle: Vehicle,
    online: bool,
    /// Their fixes as the filter keeps them (`track.last`: where they are).
    track: Track,
    /// When the server last heard from their app: a kept fix, or a ping while the last fix is
    /// recent (see [`Fleet::touch`]).
    heard: Instant,
    /// When the server last kept a fix of theirs.
    fixed: Instant,
    /// Where the grid has them, if it does.
    indexed: Option<LatLng>,
    /// Orders offered to them, waiting for their answer (a bundle is offered whole).
    offered: Vec<Uuid>,
    /// Orders they carry or are on the way to collect.
    carrying: Vec<Uuid>,
    /// Time of the last fix sent to the history.
    kept_ms: i64,
}

impl Rider {
    /// Takes work now: online, idle, placed, and heard from within `max_silence`.
    fn available(&self, max_silence: Duration) -> bool {
        self.online
            && self.offered.is_empty()
            && self.carrying.is_empty()
            && self.track.last.is_some()
            && self.heard.elapsed() <= max_silence
    }

    /// What they do: carrying comes first (an offer never comes on top of a trip).
    fn task(&self) -> Task {
        if !self.carrying.is_empty() {
            Task::Delivering(self.carrying.clone())
        } else if !self.offered.is_empty() {
            Task::Offered(self.offered.clone())
        } else {
            Task::Idle
        }
    }
}

/// What happened to a batch of fixes.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub accepted: u64,
    pub duplicate: u64,
    pub out_of_order: u64,
    pub impossible: u64,
}

/// The outcome of ingesting fixes for one rider.
#[derive(Debug, Default)]
pub struct Ingested {
    pub counts: Counts,
    /// The newest fix kept, if any was.
    pub latest: Option<Fix>,
    pub task: Option<Task>,
    /// Fixes due for the history (one per history period).
    pub keep: Vec<Fix>,
    /// Every fix kept, oldest first, when a message carried several (a phone catching up after
    /// a lost connection): watchers draw the whole way, not a jump.
    pub path: Vec<Fix>,
}

/// Totals since start, for metrics and the benchmark.
#[derive(Debug, Default)]
pub struct Totals {
    pub accepted: AtomicU64,
    pub dropped: AtomicU64,
}

pub struct Fleet {
    shards: Box<[Mutex<HashMap<Uuid, Rider>>]>,
    grid: Grid,
    history_every_ms: i64,
    /// A rider not heard from for this long is not offered work (their app may have died).
    max_silence: Duration,
    pub totals: Totals,
}

impl Fleet {
    pub fn new(history_every: Duration, max_silence: Duration) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            grid: Grid::default(),
            history_every_ms: history_every.as_millis() as i64,
            max_silence,
            totals: Totals::default(),
        }
    }

    fn shard(&self, rider: Uuid) -> std::sync::MutexGuard<'_, HashMap<Uuid, Rider>> {
        let i = (rider.as_u128() as u64 ^ (rider.as_u128() >> 64) as u64) as usize % SHARDS;
        self.shards[i].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps the grid in step with one rider's state.
    fn reindex(&self, id: Uuid, r: &mut Rider) {
        match (r.available(self.max_silence), r.track.last) {
            (true, Some(fix)) => {
                self.grid.put(Entry { rider: id, at: fix.at, vehicle: r.vehicle }, r.indexed);
                r.indexed = Some(fix.at);
            }
            _ => {
                if let Some(at) = r.indexed.take() {
                    self.grid.remove(id, at);
                }
            }
        }
    }

    /// Makes the rider known (with their vehicle), keeping any state they have.
    pub fn know(&self, rider: Uuid, vehicle: Vehicle) {
        let mut s = self.shard(rider);
        let r = s.entry(rider).or_insert(Rider {
            vehicle,
            online: false,
            track: Track::default(),
            heard: Instant::now(),
            fixed: Instant::now(),
            indexed: None,
            offered: Vec::new(),
            carrying: Vec::new(),
            kept_ms: i64::MIN,
        });
        r.vehicle = vehicle;
    }

    pub fn knows(&self, rider: Uuid) -> bool {
        self.shard(rider).contains_key(&rider)
    }

    /// Judges and applies fixes, oldest first; `None` if the rider is not known.
    pub fn ingest(&self, rider: Uuid, fixes: &[Fix]) -> Option<Ingested> {
        let mut out = Ingested::default();
        {
            let mut s = self.shard(rider);
            let r = s.get_mut(&rider)?;
            for f in fixes {
                match r.track.judge(f, r.vehicle) {
                    Verdict::Keep => {
                        out.counts.accepted += 1;
                        if fixes.len() > 1 {
                            out.path.push(*f);
                        }
                        r.heard = Instant::now();
                        r.fixed = r.heard;
                        if f.recorded_ms.saturating_sub(r.kept_ms) >= self.history_every_ms {
                            r.kept_ms = f.recorded_ms;
                            out.keep.push(*f);
                        }
                    }
                    Verdict::Duplicate => out.counts.duplicate += 1,
                    Verdict::OutOfOrder => out.counts.out_of_order += 1,
                    Verdict::Impossible => out.counts.impossible += 1,
                }
            }
            if out.counts.accepted > 0 {
                out.latest = r.track.last;
                if r.indexed.is_some() || r.available(self.max_silence) {
                    self.reindex(rider, r);
                }
            }
            out.task = Some(r.task());
        }
        let dropped = fixes.len() as u64 - out.counts.accepted;
        self.totals.accepted.fetch_add(out.counts.accepted, Ordering::Relaxed);
        if dropped > 0 {
            self.totals.dropped.fetch_add(dropped, Ordering::Relaxed);
        }
        Some(out)
    }

    /// The rider's app says it is alive without a new fix (a phone standing still may report
    /// none for minutes). While their last fix is younger than [`STILL_FOR`] they stay heard
    /// from, and come back into the grid at it if silence had taken them out; past that, a
    /// position that old is not where they are (their GPS may be off), and only a fix counts.
    /// Whether they came back into the grid.
    pub fn touch(&self, rider: Uuid) -> bool {
        let mut s = self.shard(rider);
        let Some(r) = s.get_mut(&rider).filter(|r| r.fixed.elapsed() <= STILL_FOR) else { return false };
        r.heard = Instant::now();
        if r.indexed.is_some() {
            return false;
        }
        self.reindex(rider, r);
        r.indexed.is_some()
    }

    /// Goes online or offline; `false` if the rider is not known.
    pub fn set_online(&self, rider: Uuid, online: bool) -> bool {
        let mut s = self.shard(rider);
        let Some(r) = s.get_mut(&rider) else { return false };
        r.online = online;
        self.reindex(rider, r);
        true
    }

    /// Holds an available rider for an offer of `orders` (taken together); `false` if they are
    /// not available.
    pub fn reserve(&self, rider: Uuid, orders: &[Uuid]) -> bool {
        let mut s = self.shard(rider);
        let Some(r) = s.get_mut(&rider).filter(|r| r.available(self.max_silence)) else { return false };
        r.offered = orders.to_vec();
        self.reindex(rider, r);
        true
    }

    /// Ends the rider's offer or delivery of `order` (declined, expired, delivered, cancelled).
    /// Whether that freed them (`false`: they still have other orders, had not this one, or
    /// are unknown).
    pub fn release(&self, rider: Uuid, order: Uuid) -> bool {
        let mut s = self.shard(rider);
        let Some(r) = s.get_mut(&rider).filter(|r| r.offered.contains(&order) || r.carrying.contains(&order)) else {
            return false;
        };
        r.offered.retain(|o| *o != order);
        r.carrying.retain(|o| *o != order);
        self.reindex(rider, r);
        r.offered.is_empty() && r.carrying.is_empty()
    }

    /// The rider now delivers `order` too (accepted, assigned by hand, or found so at start-up);
    /// it is no longer only offered.
    pub fn deliver(&self, rider: Uuid, vehicle: Vehicle, order: Uuid) {
        self.know(rider, vehicle);
        let mut s = self.shard(rider);
        if let Some(r) = s.get_mut(&rider) {
            r.offered.retain(|o| *o != order);
            if !r.carrying.contains(&order) {
                r.carrying.push(order);
            }
            self.reindex(rider, r);
        }
    }

    /// Where the rider last was, on what, and what they do.
    pub fn rider(&self, rider: Uuid) -> Option<(Option<Fix>, Vehicle, Task, bool)> {
        self.shard(rider).get(&rider).map(|r| (r.track.last, r.vehicle, r.task(), r.online))
    }

    /// Available riders nearest to `center` (see [`Grid::nearest`]).
    pub fn nearest(&self, center: LatLng, radius_km: f64, count: usize, skip: impl Fn(Uuid) -> bool) -> Vec<Near> {
        self.grid.nearest(center, radius_km, count, skip)
    }

    /// Takes riders not heard from for `silence` out of the grid (their app may have died;
    /// their next fix puts them back); returns how many. Dispatch also refuses to reserve one.
    pub fn sweep_silent(&self, silence: Duration) -> usize {
        let mut swept = 0;
        for shard in self.shards.iter() {
            let mut s = shard.lock().unwrap_or_else(|p| p.into_inner());
            for (id, r) in s.iter_mut().filter(|(_, r)| r.indexed.is_some() && r.heard.elapsed() > silence) {
                if let Some(at) = r.indexed.take() {
                    self.grid.remove(*id, at);
                    swept += 1;
                }
            }
        }
        swept
    }

    /// Every known rider as the operations map shows them: where, online or not, what they do,
    /// and how long since they were last heard from.
    pub fn snapshot(&self) -> Vec<(Uuid, Option<LatLng>, bool, Task, Duration)> {
        let mut out = Vec::new();
        for shard in self.shards.iter() {
            let s = shard.lock().unwrap_or_else(|p| p.into_inner());
            out.extend(
                s.iter().map(|(id, r)| (*id, r.track.last.map(|f| f.at), r.online, r.task(), r.heard.elapsed())),
            );
        }
        out
    }

    /// Riders online, heard from lately, carrying orders: where they last were, on what, and
    /// their orders in drop-off order (dispatch plans for those about to finish).
    pub fn busy(&self) -> Vec<(Uuid, Fix, Vehicle, Vec<Uuid>)> {
        let mut out = Vec::new();
        for shard in self.shards.iter() {
            let s = shard.lock().unwrap_or_else(|p| p.into_inner());
            out.extend(s.iter().filter_map(|(id, r)| {
                let fix = r.track.last?;
                (r.online && !r.carrying.is_empty() && r.heard.elapsed() <= self.max_silence)
                    .then(|| (*id, fix, r.vehicle, r.carrying.clone()))
            }));
        }
        out
    }

    /// How many riders take work now.
    pub fn available(&self) -> usize {
        self.grid.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(lat: f64, ms: i64) -> Fix {
        Fix { at: LatLng { lat, lng: 77.59 }, recorded_ms: ms, speed: None, heading: None, accuracy: None }
    }

    #[test]
    fn only_online_idle_riders_with_a_position_are_offered() {
        let f = Fleet::new(Duration::from_secs(15), Duration::from_secs(120));
        let (a, o) = (Uuid::from_u128(1), Uuid::from_u128(99));
        let c = LatLng { lat: 12.97, lng: 77.59 };
        assert!(f.ingest(a, &[fix(12.97, 0)]).is_none(), "unknown riders are not tracked");
        f.know(a, Vehicle::Scooter);
        assert!(f.set_online(a, true));
        assert_eq!(f.available(), 0, "no position yet");
        f.ingest(a, &[fix(12.97, 1_000)]).unwrap();
        assert_eq!(f.nearest(c, 1.0, 5, |_| false).len(), 1);
        assert!(f.reserve(a, &[o]));
        assert!(!f.reserve(a, &[Uuid::from_u128(100)]), "one offer at a time");
        assert_eq!(f.available(), 0);
        assert!(f.release(a, o));
        assert_eq!(f.available(), 1);
        f.deliver(a, Vehicle::Scooter, o);
        assert_eq!(f.available(), 0);
        assert!(f.release(a, o));
        f.set_online(a, false);
        assert_eq!(f.available(), 0);
    }

    #[test]
    fn a_bundle_keeps_its_rider_busy_until_its_last_order() {
        let f = Fleet::new(Duration::from_secs(15), Duration::from_secs(120));
        let (a, o1, o2) = (Uuid::from_u128(1), Uuid::from_u128(11), Uuid::from_u128(12));
        f.know(a, Vehicle::Scooter);
        f.set_online(a, true);
        f.ingest(a, &[fix(12.97, 1_000)]).unwrap();
        assert!(f.reserve(a, &[o1, o2]));
        assert_eq!(f.rider(a).unwrap().2, Task::Offered(vec![o1, o2]));
        // Accepted: both carried, one after the other.
        f.deliver(a, Vehicle::Scooter, o1);
        f.deliver(a, Vehicle::Scooter, o2);
        assert_eq!(f.rider(a).unwrap().2, Task::Delivering(vec![o1, o2]));
        assert!(!f.release(a, o1), "still carrying the second");
        assert_eq!(f.available(), 0);
        assert!(!f.release(a, o1), "not theirs any more");
        assert!(f.release(a, o2));
        assert_eq!(f.available(), 1);
        // An order of the bundle cancelled under the offer leaves the other offered.
        assert!(f.reserve(a, &[o1, o2]));
        assert!(!f.release(a, o1));
        assert_eq!(f.rider(a).unwrap().2, Task::Offered(vec![o2]));
    }

    #[test]
    fn a_rider_gone_quiet_is_not_offered_work() {
        let (a, c) = (Uuid::from_u128(1), LatLng { lat: 12.97, lng: 77.59 });
        let f = Fleet::new(Duration::from_secs(15), Duration::from_secs(120));
        f.know(a, Vehicle::Scooter);
        f.set_online(a, true);
        f.ingest(a, &[fix(12.97, 1_000)]).unwrap();
        assert_eq!(f.nearest(c, 1.0, 5, |_| false).len(), 1);
        assert_eq!(f.sweep_silent(Duration::from_secs(120)), 0, "heard from just now");
        // Swept as if two minutes had passed without a fix (no waiting: the silence is a parameter).
        assert_eq!(f.sweep_silent(Duration::ZERO), 1);
        assert!(f.nearest(c, 1.0, 5, |_| false).is_empty(), "their app may have died");
        assert!(f.ingest(a, &[fix(12.9701, 2_000)]).unwrap().counts.accepted == 1);
        assert_eq!(f.nearest(c, 1.0, 5, |_| false).len(), 1, "the next fix puts them back");
        assert_eq!(f.sweep_silent(Duration::ZERO), 1);
        assert!(f.touch(a), "back in the grid");
        assert_eq!(f.nearest(c, 1.0, 5, |_| false).len(), 1, "an app that says it is alive puts them back");
        assert!(!f.touch(a), "already there");
        assert!(!f.touch(Uuid::from_u128(2)), "an unknown rider");
        // Silent longer than allowed the moment they are heard: never offered, never reserved.
        let strict = Fleet::new(Duration::from_secs(15), Duration::ZERO);
        strict.know(a, Vehicle::Scooter);
        strict.set_online(a, true);
        strict.ingest(a, &[fix(12.97, 1_000)]).unwrap();
        assert!(strict.nearest(c, 1.0, 5, |_| false).is_empty());
        assert!(!strict.reserve(a, &[Uuid::from_u128(9)]));
    }

    #[test]
    fn ingest_counts_what_it_drops_and_samples_the_history() {
        let f = Fleet::new(Duration::from_secs(15), Duration::from_secs(120));
        let a = Uuid::from_u128(1);
        f.know(a, Vehicle::Bicycle);
        let got = f
            .ingest(
                a,
                &[
                    fix(12.97, 0),
                    fix(12.97, 0),
                    fix(12.9701, 5_000),
                    fix(12.9702, 4_000),
                    fix(13.5, 6_000),
                    fix(12.9702, 16_000),
                ],
            )
            .unwrap();
        assert_eq!(got.counts, Counts { accepted: 3, duplicate: 1, out_of_order: 1, impossible: 1 });
        assert_eq!(got.latest.unwrap().recorded_ms, 16_000);
        let kept: Vec<i64> = got.keep.iter().map(|k| k.recorded_ms).collect();
        assert_eq!(kept, vec![0, 16_000]);
        assert_eq!(f.totals.dropped.load(Ordering::Relaxed), 3);
    }
}
