//! Keeps the discovery index fresh: every catalog write commits a `catalog.changed` event (menu
//! edits, stock and availability, pause, ban, new restaurants), a rating changes the average,
//! an order adds to popularity and may sell out a dish. Each affected restaurant is re-read
//! whole, once per batch of events.

use super::Discovery;
use crate::events::Subscriber;
use crate::orders::events::{ORDER_CANCELLED, ORDER_PLACED, RATING_SUBMITTED};
use async_trait::async_trait;
use dabba_store::model::{CATALOG_CHANGED, Event};
use std::sync::Arc;
use uuid::Uuid;

pub struct CatalogFollower {
    pub discovery: Arc<Discovery>,
}

fn restaurant_of(e: &Event) -> Option<Uuid> {
    e.payload.get("restaurant_id")?.as_str()?.parse().ok()
}

#[async_trait]
impl Subscriber for CatalogFollower {
    fn name(&self) -> &'static str {
        "discovery"
    }

    async fn handle(&self, events: &[Event]) -> anyhow::Result<()> {
        let mut reload: Vec<Uuid> = Vec::new();
        for e in events {
            let Some(id) = restaurant_of(e) else { continue };
            let stale = match e.topic.as_str() {
                CATALOG_CHANGED | RATING_SUBMITTED => true,
                ORDER_PLACED => self.discovery.count_order(id),
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
