//! A batch of pre-built rows for bulk loading (demo cities, benchmarks).

use crate::model::{Category, MenuItem, NewUser, Order, Restaurant, TimelineEntry};
use time::OffsetDateTime;
use uuid::Uuid;

/// Rows to insert together; users first, so restaurants can reference their owners.
#[derive(Debug, Default)]
pub struct SeedBatch {
    pub users: Vec<NewUser>,
    pub restaurants: Vec<Restaurant>,
    pub categories: Vec<Category>,
    pub items: Vec<MenuItem>,
    /// Past orders (a benchmark's history: no lines, payments or ledger of their own).
    pub orders: Vec<Order>,
    pub timeline: Vec<TimelineEntry>,
    /// Riders seen per UTC hour, as kept route points would have recorded them.
    pub rider_hours: Vec<(OffsetDateTime, Uuid)>,
}

impl SeedBatch {
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
            && self.restaurants.is_empty()
            && self.categories.is_empty()
            && self.items.is_empty()
            && self.orders.is_empty()
            && self.timeline.is_empty()
            && self.rider_hours.is_empty()
    }
}
