//! Pure rules of Dabba. Nothing in this crate performs I/O, so every rule can be tested
//! exhaustively without a server or a database.

pub mod estimate;
pub mod eta;
pub mod geo;
pub mod hours;
pub mod invalid;
pub mod learn;
pub mod ledger;
pub mod offer;
pub mod order;
pub mod ping;
pub mod pricing;
pub mod values;

pub use geo::LatLng;
pub use hours::WeeklyHours;
pub use invalid::Invalid;
pub use values::{Email, Money, Password, PersonName, Phone, Role};
