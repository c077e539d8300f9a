//! Discovery: an in-memory index of restaurants and their dishes. It answers "who delivers
//! here" (listings), text searches with typo tolerance and ranking, and autocomplete, without
//! touching the database. The API keeps it fresh from catalog events.

mod fuzzy;
mod grid;
mod index;
mod query;
mod suggest;
pub mod text;
mod vocab;

pub use index::{Dish, Index, Kind, Place};
pub use query::{DishHit, Filters, Hit, LISTING_TOTAL_CAP, Page, Request, Sort};
pub use suggest::Suggestion;
