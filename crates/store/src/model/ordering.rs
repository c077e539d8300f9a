//! Ordering records: carts, offers, orders and what hangs off them, events, notifications,
//! ratings.

use dabba_domain::order::OrderStatus;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// The options chosen in one customization group of a cart line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    pub group_id: Uuid,
    pub option_ids: Vec<Uuid>,
}

/// The head of a customer's cart: one restaurant, maybe a promo code.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CartHead {
    pub user_id: Uuid,
    pub restaurant_id: Uuid,
    pub promo_code: Option<String>,
}

/// A line of a cart. `unit_price` is the price (item + options) when the customer last saw it;
/// checkout compares it with the live catalog.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CartLine {
    pub cart_item_id: Uuid,
    pub user_id: Uuid,
    pub item_id: Uuid,
    /// Canonical form of the selection: lines with the same item and key merge.
    pub selection_key: String,
    #[sqlx(json)]
    pub selection: Vec<Selection>,
    pub quantity: i64,
    pub unit_price: i64,
}

/// A promo code and its terms. Money in paise; `discount_value` is percent for PERCENTAGE.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Offer {
    pub offer_id: Uuid,
    pub code: String,
    pub description: Option<String>,
    /// PERCENTAGE or FLAT.
    pub discount_type: String,
    pub discount_value: i64,
    pub min_order_value: i64,
    pub max_discount: Option<i64>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub valid_from: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub valid_until: Option<OffsetDateTime>,
    pub usage_limit: Option<i64>,
    pub usage_count: i64,
    pub per_user_limit: Option<i64>,
    /// ALL, FIRST_ORDER or RESTAURANT.
    pub applicable_to: String,
    #[sqlx(json)]
    pub restaurant_ids: Vec<Uuid>,
    pub created_by: Uuid,
    pub is_active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Who pays the discount: PLATFORM (an admin's offer) or RESTAURANT (an owner's).
    pub funded_by: String,
}

/// Where an order goes, copied at checkout so later edits to the address book do not move it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AddressSnapshot {
    pub address_id: Uuid,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub landmark: Option<String>,
    pub city: String,
    pub pincode: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
}

/// An order, with its bill as paid. Money in paise.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Order {
    pub order_id: Uuid,
    pub user_id: Uuid,
    pub restaurant_id: Uuid,
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    /// COD, CARD, UPI or WALLET.
    pub payment_method: String,
    /// PENDING, SUCCESS, FAILED or REFUNDED.
    pub payment_status: String,
    pub subtotal: i64,
    pub discount: i64,
    /// The part of `discount` the restaurant funds (its own offer); the rest is the platform's.
    pub restaurant_discount: i64,
    pub delivery_fee: i64,
    pub packaging_fee: i64,
    pub taxes: i64,
    pub total_amount: i64,
    pub promo_code: Option<String>,
    pub offer_id: Option<Uuid>,
    #[sqlx(json)]
    pub delivery_address: AddressSnapshot,
    pub delivery_instructions: Option<String>,
    pub distance_km: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub estimated_delivery_time: OffsetDateTime,
    pub estimated_preparation_minutes: Option<i32>,
    /// A CONFIRMED order not accepted by then is cancelled automatically.
    #[serde(with = "time::serde::rfc3339::option")]
    pub accept_by: Option<OffsetDateTime>,
    /// A PENDING order (online payment) not paid by then is cancelled.
    #[serde(with = "time::serde::rfc3339::option")]
    pub pay_by: Option<OffsetDateTime>,
    pub cancel_reason: Option<String>,
    pub cancellation_fee: i64,
    pub refund_amount: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// The rider delivering it, once one accepted (or an admin assigned one).
    pub rider_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub assigned_at: Option<OffsetDateTime>,
    /// Four digits the customer gives the rider at the door. Only the customer's view shows it.
    #[serde(skip)]
    pub delivery_otp: Option<String>,
    /// Wrong codes tried so far; at the limit, only an admin can mark the order delivered.
    #[serde(skip)]
    pub otp_attempts: i32,
}

/// A chosen option as it was priced at checkout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChosenOption {
    pub group: String,
    pub label: String,
    pub price: i64,
}

/// A line of an order: the dish as sold (name and prices frozen at checkout).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct OrderLine {
    #[serde(skip)]
    pub order_id: Uuid,
    pub line_no: i32,
    pub item_id: Uuid,
    pub name: String,
    pub quantity: i64,
    pub unit_price: i64,
    #[sqlx(json)]
    pub customizations: Vec<ChosenOption>,
    pub line_total: i64,
    /// Units taken from tracked stock at checkout (given back on cancellation).
    #[serde(skip)]
    pub stock_taken: i64,
}

/// One step of an order's history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct TimelineEntry {
    #[serde(skip)]
    pub order_id: Uuid,
    #[serde(skip)]
    pub seq: i32,
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    /// CUSTOMER, RESTAURANT, RIDER, ADMIN or SYSTEM.
    pub actor: String,
    pub note: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A domain event to write to the outbox with the change that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub topic: &'static str,
    /// The aggregate it is about (order id, restaurant id…).
    pub key: Uuid,
    pub payload: serde_json::Value,
}

/// A domain event read back from the outbox.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Event {
    pub event_id: i64,
    pub topic: String,
    pub key: Uuid,
    #[sqlx(json)]
    pub payload: serde_json::Value,
    pub created_at: OffsetDateTime,
}

/// An event a subscriber gave up on after its tries: a copy of the event and the last error.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct DeadLetter {
    /// The subscriber that failed (`notifications`, `discovery`, `delivery`).
    pub subscriber: String,
    pub event_id: i64,
    pub topic: String,
    /// The event's aggregate (an order, a restaurant).
    pub key: Uuid,
    #[sqlx(json)]
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// When the event was written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The subscriber's last error.
    pub error: String,
    /// How many times it was tried.
    pub attempts: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub failed_at: OffsetDateTime,
}

/// Rows deleted by age (see `EventStore::forget_before`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retained {
    /// Outbox events every subscriber has handled, by when they were written.
    RelayedEvents,
    /// Sessions, by when they expire(d).
    Sessions,
    /// Gateway webhook ids kept to refuse replays, by when they arrived.
    GatewayEvents,
    /// Inbox messages, read or not, by when they were sent.
    Notifications,
    /// Idempotency keys and their stored answers, by when they were claimed.
    IdempotencyKeys,
}

impl Retained {
    /// (table, time column, extra condition): fixed strings, never input.
    pub fn sql(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Retained::RelayedEvents => ("outbox", "created_at", "relayed = TRUE"),
            Retained::Sessions => ("sessions", "expires_at", "TRUE"),
            Retained::GatewayEvents => ("gateway_events", "received_at", "TRUE"),
            Retained::Notifications => ("notifications", "created_at", "TRUE"),
            // Past the keep, a key still claimed belongs to a request long dead.
            Retained::IdempotencyKeys => ("idempotency_keys", "created_at", "TRUE"),
        }
    }
}

/// A message in a user's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Notification {
    pub notification_id: Uuid,
    #[serde(skip)]
    pub user_id: Uuid,
    #[serde(skip)]
    pub event_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub order_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A dish's own rating inside a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DishRating {
    pub item_id: Uuid,
    pub rating: i32,
}

/// A customer's review of a delivered order. Who wrote it is not published.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Rating {
    /// UUIDv7: reviews page newest first by it.
    pub rating_id: Uuid,
    pub order_id: Uuid,
    #[serde(skip)]
    pub user_id: Uuid,
    pub restaurant_id: Uuid,
    pub restaurant_rating: i32,
    pub delivery_rating: i32,
    pub food_quality: Option<i32>,
    pub review_text: Option<String>,
    #[sqlx(json)]
    pub dish_ratings: Vec<DishRating>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What happened to an idempotency key when a request claimed it.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyClaim {
    /// First use (or the claim of a crashed request, taken over): go ahead. The token fences
    /// the claim: only its holder stores the answer.
    Claimed(uuid::Uuid),
    /// The same request is running now.
    InProgress,
    /// The key was used with another request body.
    Mismatch,
    /// Answered before: here is the stored response.
    Done { status: u16, body: serde_json::Value },
}
