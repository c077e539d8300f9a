//! Records the stores read and write. They are also the API's response shapes, so their field
//! names are the public contract (`user_id`, `restaurant_id`, …).

mod catalog;
mod users;

pub use catalog::{Category, CustomizationGroup, CustomizationOption, MenuItem, PostalAddress, Restaurant};
pub use users::{Address, NewUser, Principal, ProfileChange, User};
