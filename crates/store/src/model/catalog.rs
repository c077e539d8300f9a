//! Catalog records: restaurants, menu categories, items and their customizations.

use dabba_domain::WeeklyHours;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// A restaurant's postal address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub state: Option<String>,
    pub pincode: Option<String>,
}

/// A restaurant as stored. Money fields are paise.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Restaurant {
    pub restaurant_id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    #[sqlx(json)]
    pub cuisines: Vec<String>,
    /// Free-form search words ("biryani", "late night"), lower case.
    #[sqlx(json)]
    pub tags: Vec<String>,
    pub latitude: f64,
    pub longitude: f64,
    #[sqlx(json)]
    pub address: PostalAddress,
    pub phone: Option<String>,
    /// Typical bill for two people, paise.
    pub cost_for_two: i64,
    /// The preparation time the owner promises (minutes); the estimates start from it.
    pub avg_preparation_minutes: i32,
    /// The preparation time seen on its orders, accept to ready (minutes): a running mean that
    /// starts at the promise and follows the kitchen (absent until an order was ready). The
    /// estimates customers see use it; it cannot be set.
    pub learned_preparation_minutes: Option<f64>,
    /// Customers farther than this (great-circle) are not served.
    pub delivery_radius_km: f64,
    /// Smallest cart subtotal accepted at checkout, paise.
    pub min_order_value: i64,
    /// Pure-vegetarian kitchen.
    pub is_veg: bool,
    #[sqlx(json)]
    pub operating_hours: WeeklyHours,
    /// IANA zone the operating hours are in.
    pub timezone: String,
    /// The owner stopped taking orders for now.
    pub is_paused: bool,
    /// At most this many orders per 15 minutes; checkout beyond it is refused (busy kitchen).
    pub kitchen_limit: Option<i32>,
    /// Banned by an admin: hidden from everyone but its owner.
    pub is_banned: bool,
    pub ban_reason: Option<String>,
    /// Average rating 0–5 (0 when unrated).
    pub rating_avg: f64,
    pub rating_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Restaurant {
    /// Minutes the kitchen is expected to take: what it was seen to take, else its promise.
    pub fn preparation_minutes(&self) -> f64 {
        self.learned_preparation_minutes
            .filter(|m| m.is_finite() && *m > 0.0)
            .unwrap_or(self.avg_preparation_minutes as f64)
    }
}

/// A menu section ("Pizzas", "Desserts"), ordered by `position`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Category {
    pub category_id: Uuid,
    pub restaurant_id: Uuid,
    pub name: String,
    pub position: i32,
}

/// One priced choice inside a customization group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomizationOption {
    pub option_id: Uuid,
    pub label: String,
    /// Added to the item price, paise.
    pub price: i64,
}

/// A group of choices on an item ("Size": required, exactly one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomizationGroup {
    pub group_id: Uuid,
    pub name: String,
    pub required: bool,
    pub min_selections: i32,
    pub max_selections: i32,
    pub options: Vec<CustomizationOption>,
}

/// A dish on a menu.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct MenuItem {
    pub item_id: Uuid,
    pub restaurant_id: Uuid,
    pub category_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// Base price, paise.
    pub price: i64,
    pub is_veg: bool,
    pub is_available: bool,
    pub is_bestseller: bool,
    /// Units left; `None` means not tracked (unlimited).
    pub stock: Option<i64>,
    pub image: Option<String>,
    pub position: i32,
    #[sqlx(json)]
    pub customizations: Vec<CustomizationGroup>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The topic of the event every catalog write commits with (key and payload: the restaurant).
pub const CATALOG_CHANGED: &str = "catalog.changed";

/// The event a catalog write commits with: read models (search) reload the restaurant.
pub fn catalog_changed(restaurant_id: Uuid, what: &'static str) -> crate::model::NewEvent {
    crate::model::NewEvent {
        topic: CATALOG_CHANGED,
        key: restaurant_id,
        payload: serde_json::json!({ "restaurant_id": restaurant_id, "what": what }),
    }
}

/// A dish as discovery needs it: no customizations, no timestamps.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DishRow {
    pub item_id: Uuid,
    pub restaurant_id: Uuid,
    pub name: String,
    pub price: i64,
    pub is_veg: bool,
    pub is_available: bool,
    pub is_bestseller: bool,
    pub stock: Option<i64>,
}
