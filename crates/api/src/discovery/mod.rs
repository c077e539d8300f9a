//! Discovery over HTTP: the listing, search and autocomplete, served from the in-memory index of
//! `dabba-search`. The index is built from the store at start-up and kept fresh by
//! [`follower::CatalogFollower`] from the events every catalog write commits with.

pub mod follower;
pub(crate) mod listing;
pub(crate) mod search;

pub use listing::{RestaurantCard, RestaurantList, Sort};

use crate::AppState;
use dabba_search::Index;
use dabba_store::model::DishRow;
use dabba_store::{Store, StoreResult};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::Duration;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    listing::router().merge(search::router())
}

/// Dishes handed to the indexing thread at a time while building.
const BATCH: usize = 10_000;
/// Popularity counts the orders of this many days.
pub const POPULARITY_DAYS: i64 = 7;
/// How often offers are re-read (they come and go on their own clock).
const OFFERS_EVERY: Duration = Duration::from_secs(10);
/// How often popularity is recounted from the store (orders age out of the window).
const POPULARITY_EVERY: Duration = Duration::from_secs(3600);

/// The index and where it comes from.
pub struct Discovery {
    store: Arc<dyn Store>,
    index: RwLock<Index>,
}

impl Discovery {
    /// Builds the index from the whole catalog; `progress(done, total)` as dishes arrive. The
    /// store streams every dish in one pass while a blocking thread indexes them, so decoding and
    /// indexing share the cores.
    pub async fn load(store: Arc<dyn Store>, progress: impl Fn(usize, usize)) -> StoreResult<Arc<Self>> {
        use futures_util::StreamExt;
        let restaurants = store.restaurants_changed_since(OffsetDateTime::UNIX_EPOCH).await?;
        // Seeded menus run about twenty dishes; the bar only needs a rough total.
        let total = restaurants.len() * 20;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<DishRow>>(4);
        let indexer = tokio::task::spawn_blocking(move || {
            let mut index = Index::default();
            index.load_restaurants(restaurants);
            while let Some(batch) = rx.blocking_recv() {
                index.add_dishes(&batch);
            }
            index.finish();
            index
        });
        let mut rows = store.scan_dishes();
        let (mut batch, mut done) = (Vec::with_capacity(BATCH), 0);
        while let Some(row) = rows.next().await {
            batch.push(row?);
            if batch.len() == BATCH {
                done += BATCH;
                progress(done.min(total), total);
                if tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).await.is_err() {
                    break;
                }
            }
        }
        drop(rows);
        let _ = tx.send(batch).await;
        drop(tx);
        // Indexing only fails by panicking: pass that on as it was.
        let index = indexer.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        progress(total, total);
        let discovery = Arc::new(Self { store, index: RwLock::new(index) });
        discovery.refresh_popularity().await?;
        discovery.refresh_offers().await?;
        Ok(discovery)
    }

    /// The index, for reading.
    pub fn read(&self) -> RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Index> {
        self.index.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Re-reads restaurants (and their dishes) from the store and swaps them in.
    pub async fn reload(&self, ids: &[Uuid]) -> StoreResult<()> {
        let mut found = Vec::with_capacity(ids.len());
        for &id in ids {
            found.push((id, self.store.restaurant(id).await?));
        }
        let mut dishes = self.store.dishes_of(ids).await?;
        dishes.sort_unstable_by_key(|d| d.restaurant_id);
        let mut index = self.write();
        for (id, r) in found {
            match r {
                Some(r) => {
                    let from = dishes.partition_point(|d| d.restaurant_id < id);
                    let to = dishes.partition_point(|d| d.restaurant_id <= id);
                    index.upsert(r, &dishes[from..to]);
                }
                None => index.remove(id),
            }
        }
        Ok(())
    }

    /// Re-reads which restaurants run a live offer of their own.
    pub async fn refresh_offers(&self) -> StoreResult<()> {
        let live = self.store.live_offers(OffsetDateTime::now_utc()).await?;
        let with: HashSet<Uuid> = live
            .iter()
            .filter(|o| o.usage_limit.is_none_or(|l| o.usage_count < l))
            .flat_map(|o| o.restaurant_ids.iter().copied())
            .collect();
        self.write().set_offers(with);
        Ok(())
    }

    /// Recounts every restaurant's orders in the popularity window.
    pub async fn refresh_popularity(&self) -> StoreResult<()> {
        let since = OffsetDateTime::now_utc() - time::Duration::days(POPULARITY_DAYS);
        let counts: HashMap<Uuid, u32> =
            self.store.order_counts_since(since).await?.into_iter().map(|(id, n)| (id, n as u32)).collect();
        self.write().set_popularity(&counts);
        Ok(())
    }

    /// One more order at a restaurant; `true` if its dishes' stock may have changed.
    pub fn count_order(&self, restaurant_id: Uuid) -> bool {
        let mut index = self.write();
        index.count_order(restaurant_id);
        index.ord(restaurant_id).and_then(|o| index.place(o)).is_some_and(|p| p.stock_tracked)
    }

    /// Whether this restaurant's stock counts matter to the index.
    pub fn tracks_stock(&self, restaurant_id: Uuid) -> bool {
        let index = self.read();
        index.ord(restaurant_id).and_then(|o| index.place(o)).is_some_and(|p| p.stock_tracked)
    }

    /// Re-reads offers and popularity on their periods until aborted.
    pub fn follow(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let mut offers = tokio::time::interval(OFFERS_EVERY);
            let mut popularity = tokio::time::interval(POPULARITY_EVERY);
            offers.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            popularity.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let done = tokio::select! {
                    _ = offers.tick() => me.refresh_offers().await,
                    _ = popularity.tick() => me.refresh_popularity().await,
                };
                if let Err(e) = done {
                    tracing::warn!(error = %e, "discovery refresh failed; will retry");
                }
            }
        })
    }
}
