//! The listing read model: every restaurant in memory, bucketed in a grid of ~5.5 km cells, so
//! "who delivers here?" touches only the cells around a point instead of the database.
//!
//! It follows the catalog by asking the store for rows changed since its watermark: every
//! second in the background (other nodes' writes, eventually consistent as listings may be), and
//! at once after a write made through this node (read-your-writes for the owner). The discovery
//! work replaces polling with catalog events; the query side stays.

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
/// Re-read this far behind the watermark: a transaction may commit after a later one, with an
/// earlier `updated_at`, and SQLite compares sub-second times as text. Re-reading is harmless.
const OVERLAP: Duration = Duration::from_secs(5);

/// A restaurant as the listing needs it, with its time zone parsed once.
pub struct Entry {
    pub restaurant: Restaurant,
    pub tz: Option<TimeZone>,
}

#[derive(Default)]
struct Grid {
    entries: HashMap<Uuid, Arc<Entry>>,
    cells: HashMap<(i32, i32), Vec<Uuid>>,
}

fn cell(lat: f64, lng: f64) -> (i32, i32) {
    ((lat / CELL_DEG).floor() as i32, (lng / CELL_DEG).floor() as i32)
}

impl Grid {
    fn upsert(&mut self, r: Restaurant) {
        let id = r.restaurant_id;
        if let Some(old) = self.entries.remove(&id) {
            let c = cell(old.restaurant.latitude, old.restaurant.longitude);
            if let Some(ids) = self.cells.get_mut(&c) {
                ids.retain(|x| *x != id);
            }
        }
        if r.is_banned {
            return;
        }
        self.cells.entry(cell(r.latitude, r.longitude)).or_default().push(id);
        let tz = parse_time_zone("timezone", &r.timezone).ok();
        self.entries.insert(id, Arc::new(Entry { restaurant: r, tz }));
    }
}

/// The in-memory listing index.
pub struct NearbyIndex {
    store: Arc<dyn Store>,
    grid: RwLock<Grid>,
    /// The newest `updated_at` applied; the lock also keeps refreshes one at a time.
    watermark: tokio::sync::Mutex<Option<OffsetDateTime>>,
}

impl NearbyIndex {
    /// Builds the index from the whole catalog.
    pub async fn load(store: Arc<dyn Store>) -> StoreResult<Arc<Self>> {
        let index = Arc::new(Self { store, grid: RwLock::default(), watermark: tokio::sync::Mutex::new(None) });
        index.refresh().await?;
        Ok(index)
    }

    /// Applies every restaurant row changed since the last refresh.
    pub async fn refresh(&self) -> StoreResult<usize> {
        let mut watermark = self.watermark.lock().await;
        let since = watermark.map_or(OffsetDateTime::UNIX_EPOCH, |w| w - OVERLAP);
        let changed = self.store.restaurants_changed_since(since).await?;
        let n = changed.len();
        if let Some(newest) = changed.iter().map(|r| r.updated_at).max() {
            *watermark = Some(watermark.map_or(newest, |w| w.max(newest)));
        }
        let mut grid = self.grid.write().unwrap_or_else(|p| p.into_inner());
        for r in changed {
            grid.upsert(r);
        }
        Ok(n)
    }

    /// Refreshes every `period` until the returned task is dropped or aborted.
    pub fn follow(self: &Arc<Self>, period: Duration) -> tokio::task::JoinHandle<()> {
        let index = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = index.refresh().await {
                    tracing::warn!(error = %e, "listing index refresh failed; will retry");
                }
            }
        })
    }

    /// Calls `f` with every indexed restaurant within `radius_km` (by its grid cells, so some
    /// a little farther too) of `at`.
    pub fn around<T>(&self, at: LatLng, radius_km: f64, mut f: impl FnMut(&Arc<Entry>) -> Option<T>) -> Vec<T> {
        let b = at.bounding_box(radius_km);
        let (lo, hi) = (cell(b.min_lat, b.min_lng), cell(b.max_lat, b.max_lng));
        let grid = self.grid.read().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        for y in lo.0..=hi.0 {
            for x in lo.1..=hi.1 {
                for id in grid.cells.get(&(y, x)).into_iter().flatten() {
                    if let Some(found) = grid.entries.get(id).and_then(&mut f) {
                        out.push(found);
                    }
                }
            }
        }
        out
    }

    /// Restaurants indexed (banned ones are not).
    pub fn len(&self) -> usize {
        self.grid.read().unwrap_or_else(|p| p.into_inner()).entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
