//! Records the stores read and write. They are also the API's response shapes, so their field
//! names are the public contract (`user_id`, `restaurant_id`, …).

mod admin;
mod catalog;
mod delivery;
mod ordering;
mod payments;
mod users;

pub use admin::{DashboardCounts, UserQuery};
pub use catalog::{
    CATALOG_CHANGED, Category, CustomizationGroup, CustomizationOption, DishRow, MenuItem, PostalAddress, Restaurant,
    catalog_changed,
};
pub use delivery::{Assignment, LocationRow, RiderProfile};
pub use ordering::{
    AddressSnapshot, CartHead, CartLine, ChosenOption, DeadLetter, DishRating, Event, KeyClaim, NewEvent, Notification,
    Offer, Order, OrderLine, Rating, Retained, Selection, TimelineEntry,
};
pub use payments::{LedgerLine, LedgerSnapshot, OrderMoneyRow, Payment, Refund};
pub use users::{Address, NewUser, Principal, ProfileChange, User};
