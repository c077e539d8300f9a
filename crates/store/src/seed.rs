//! A batch of pre-built rows for bulk loading (demo cities, benchmarks).

use crate::model::{Category, MenuItem, NewUser, Restaurant};

/// Rows to insert together; users first, so restaurants can reference their owners.
#[derive(Debug, Default)]
pub struct SeedBatch {
    pub users: Vec<NewUser>,
    pub restaurants: Vec<Restaurant>,
    pub categories: Vec<Category>,
    pub items: Vec<MenuItem>,
}

impl SeedBatch {
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.restaurants.is_empty() && self.categories.is_empty() && self.items.is_empty()
    }
}
