//! Keeps the discovery index fresh: every catalog write commits a `catalog.changed` event (menu
//! edits, stock and availability, pause, ban, new restaurants), a rating changes the average,
//! an order adds to popularity and may sell out a dish. Each affected restaurant is re-read
//! whole, once per batch of events.

use super::Discovery;
use crate::events::Subscriber;
use crate::orders::events::{ORDER_CANCELLED, ORDER_PLACED, RATING_SUBMITTED};
use async_trait::async_trait;
use dabba_store::model::{CATALOG_CHANGED, Event};
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The lane's name (writers wait on it to read their own catalog writes).
pub const NAME: &str = "discovery";

pub struct CatalogFollower {
    pub discovery: Arc<Discovery>,
    /// Orders already counted: a batch delivered again (after a failed reload, or a crash
    /// before it was marked) must not count them twice.
    counted: Mutex<Counted>,
}

impl CatalogFollower {
    pub fn new(discovery: Arc<Discovery>) -> Self {
        Self { discovery, counted: Mutex::default() }
    }
}

/// The last few thousand events counted; older ones are long marked handled.
#[derive(Default)]
struct Counted {
    ids: HashSet<i64>,
    order: VecDeque<i64>,
}

impl Counted {
    const KEEP: usize = 8192;

    /// `true` the first time an event is seen.
    fn first(&mut self, id: i64) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > Self::KEEP
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        true
    }
}

fn restaurant_of(e: &Event) -> Option<Uuid> {
    e.payload.get("restaurant_id")?.as_str()?.parse().ok()
}

#[async_trait]
impl Subscriber for CatalogFollower {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn handle(&self, events: &[Event]) -> anyhow::Result<()> {
        let mut reload: Vec<Uuid> = Vec::new();
        for e in events {
            let Some(id) = restaurant_of(e) else { continue };
            let stale = match e.topic.as_str() {
                CATALOG_CHANGED | RATING_SUBMITTED => true,
                ORDER_PLACED if self.counted.lock().unwrap_or_else(|p| p.into_inner()).first(e.event_id) => {
                    self.discovery.count_order(id)
                }
                ORDER_PLACED => self.discovery.tracks_stock(id),
                ORDER_CANCELLED => self.discovery.tracks_stock(id),
                _ => false,
            };
            if stale && !reload.contains(&id) {
                reload.push(id);
            }
        }
        if !reload.is_empty() {
            self.discovery.reload(&reload).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Counted;

    #[test]
    fn an_event_counts_once_while_it_is_remembered() {
        let mut c = Counted::default();
        assert!(c.first(7));
        assert!(!c.first(7));
        for id in 100..100 + Counted::KEEP as i64 {
            assert!(c.first(id));
        }
        assert!(c.first(7), "forgotten after KEEP newer events");
        assert_eq!(c.ids.len(), c.order.len());
        assert!(c.order.len() <= Counted::KEEP);
    }
}
