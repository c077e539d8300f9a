//! The listing read model: every restaurant in memory, bucketed in a grid of ~5.5 km cells, so
//! "who delivers here?" touches only the cells around a point instead of the database.
//!
//! It follows the catalog by asking the store for rows changed since its watermark: every
//! second in the background (other nodes' writes, eventually consistent as listings may be), and
//! at once after a write made through this node (read-your-writes for the owner).
//!
//! Each poll reads the rows stamped since [`OVERLAP`] before the previous poll began: `updated_at`
//! is stamped by the writer's clock before commit, so a row can commit a little "in the past".
//! A full rebuild every [`REBUILD_EVERY`] periods bounds what a longer delay (clock skew between
//! nodes, a stalled writer) can hide. With no writes, a poll reads nothing. The discovery work replaces polling with the commit-ordered catalog event stream.

use dabba_domain::LatLng;
use dabba_domain::hours::parse_time_zone;
use dabba_store::model::Restaurant;
use dabba_store::{Store, StoreResult};
use jiff::tz::TimeZone;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

/// Cell edge in degrees (~5.5 km of latitude).
const CELL_DEG: f64 = 0.05;
/// Re-read this far behind the previous poll: a transaction may commit after a later one, with an
/// earlier `updated_at`, and SQLite compares sub-second times as text. Re-reading is harmless.
const OVERLAP: Duration = Duration::from_secs(30);
/// Rebuild from the whole catalog this often (in refresh periods).
const REBUILD_EVERY: u32 = 300;

/// A restaurant as the listing needs it, with its time zone parsed once.
pub struct Entry {
    pub restaurant: Restaurant,
    pub tz: Option<TimeZone>,
}

/// A restaurant in its cell. Position and radius sit inline so a scan over a cell reads
/// contiguous memory and follows the pointer only for restaurants that pass the distance check.
struct Slot {
    lat: f64,
    lng: f64,
    entry: Arc<Entry>,
}

#[derive(Default)]
struct Grid {
    /// Where each restaurant is, to move or drop it on change.
    cell_of: HashMap<Uuid, (i32, i32)>,
    cells: HashMap<(i32, i32), Vec<Slot>>,
    /// The largest delivery radius seen: no restaurant reaches farther, so no search needs to.
    reach_km: f64,
}

fn cell(lat: f64, lng: f64) -> (i32, i32) {
    ((lat / CELL_DEG).floor() as i32, (lng / CELL_DEG).floor() as i32)
}

impl Grid {
    fn upsert(&mut self, r: Restaurant) {
        let id = r.restaurant_id;
        if let Some(old) = self.cell_of.remove(&id)
            && let Some(slots) = self.cells.get_mut(&old)
        {
            slots.retain(|s| s.entry.restaurant.restaurant_id != id);
        }
        if r.is_banned {
            return;
        }
        let c = cell(r.latitude, r.longitude);
        self.reach_km = self.reach_km.max(r.delivery_radius_km);
        self.cell_of.insert(id, c);
        let tz = parse_time_zone("timezone", &r.timezone).ok();
        let (lat, lng) = (r.latitude, r.longitude);
        self.cells.entry(c).or_default().push(Slot { lat, lng, entry: Arc::new(Entry { restaurant: r, tz }) });
    }
}

/// The in-memory listing index.
pub struct NearbyIndex {
    store: Arc<dyn Store>,
    grid: RwLock<Grid>,
    /// When the previous refresh began (this node's clock); the lock also keeps refreshes one
    /// at a time.
    watermark: tokio::sync::Mutex<Option<OffsetDateTime>>,
}

impl NearbyIndex {
    /// Builds the index from the whole catalog.
    pub async fn load(store: Arc<dyn Store>) -> StoreResult<Arc<Self>> {
        let index = Arc::new(Self { store, grid: RwLock::default(), watermark: tokio::sync::Mutex::new(None) });
        index.refresh().await?;
        Ok(index)
    }

    /// Applies every restaurant row changed since shortly before the previous refresh began.
    pub async fn refresh(&self) -> StoreResult<usize> {
        let mut watermark = self.watermark.lock().await;
        let started = OffsetDateTime::now_utc();
        let since = watermark.map_or(OffsetDateTime::UNIX_EPOCH, |w| w - OVERLAP);
        let changed = self.store.restaurants_changed_since(since).await?;
        let n = changed.len();
        let mut grid = self.grid.write().unwrap_or_else(|p| p.into_inner());
        for r in changed {
            grid.upsert(r);
        }
        *watermark = Some(started);
        Ok(n)
    }

    /// Replaces the whole index with the catalog as it is now.
    pub async fn rebuild(&self) -> StoreResult<usize> {
        let mut watermark = self.watermark.lock().await;
        let started = OffsetDateTime::now_utc();
        let all = self.store.restaurants_changed_since(OffsetDateTime::UNIX_EPOCH).await?;
        let n = all.len();
        let mut fresh = Grid::default();
        for r in all {
            fresh.upsert(r);
        }
        *self.grid.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        *watermark = Some(started);
        Ok(n)
    }

    /// Refreshes every `period` (rebuilding now and then) until the task is aborted.
    pub fn follow(self: &Arc<Self>, period: Duration) -> tokio::task::JoinHandle<()> {
        let index = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            for round in 1u32.. {
                tick.tick().await;
                let done = if round % REBUILD_EVERY == 0 { index.rebuild().await } else { index.refresh().await };
                if let Err(e) = done {
                    tracing::warn!(error = %e, "listing index refresh failed; will retry");
                }
            }
        })
    }

    /// Calls `f` with every indexed restaurant that could deliver to `at`: those inside the box
    /// of the largest delivery radius around it. `f` decides, and maps what it keeps.
    pub fn around<T>(&self, at: LatLng, mut f: impl FnMut(&Arc<Entry>) -> Option<T>) -> Vec<T> {
        let grid = self.grid.read().unwrap_or_else(|p| p.into_inner());
        let b = at.bounding_box(grid.reach_km);
        let (lo, hi) = (cell(b.min_lat, b.min_lng), cell(b.max_lat, b.max_lng));
        let mut out = Vec::new();
        for y in lo.0..=hi.0 {
            for x in lo.1..=hi.1 {
                for slot in grid.cells.get(&(y, x)).into_iter().flatten() {
                    if b.contains(LatLng { lat: slot.lat, lng: slot.lng })
                        && let Some(found) = f(&slot.entry)
                    {
                        out.push(found);
                    }
                }
            }
        }
        out
    }

    /// Restaurants indexed (banned ones are not).
    pub fn len(&self) -> usize {
        self.grid.read().unwrap_or_else(|p| p.into_inner()).cell_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
