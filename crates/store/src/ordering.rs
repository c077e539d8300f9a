//! The inputs of the ordering transactions: everything checkout and a status change write,
//! decided by the caller, applied by the store atomically.

use crate::MoneyWrite;
use crate::model::{NewEvent, Order, OrderLine};
use dabba_domain::order::{Actor, OrderStatus};
use time::OffsetDateTime;
use uuid::Uuid;

/// Units of a tracked item to take at checkout.
#[derive(Debug, Clone)]
pub struct StockTake {
    pub item_id: Uuid,
    pub quantity: i64,
    /// For the error that names it when it ran out.
    pub name: String,
}

/// An offer to redeem at checkout.
#[derive(Debug, Clone)]
pub struct OfferTake {
    pub offer_id: Uuid,
    pub per_user_limit: Option<i64>,
}

/// The response to remember under a claimed idempotency key, written with the order.
#[derive(Debug, Clone)]
pub struct KeyDone {
    pub user_id: uuid::Uuid,
    pub key: String,
    /// The claim this request holds: the order is placed only if it still holds it.
    pub token: uuid::Uuid,
    pub status: u16,
    pub body: serde_json::Value,
}

/// Checkout's transaction. In order: the cart row (locked first, as every cart write does), the
/// kitchen limit (`RESTAURANT_BUSY`), consuming exactly
/// these cart lines (`CART_CHANGED`), taking stock (`OUT_OF_STOCK`, naming the item), redeeming
/// the offer (`OFFER_EXHAUSTED`, `OFFER_LIMIT_REACHED`), then the order, its lines, timeline,
/// events and idempotency record. Any refusal rolls everything back.
#[derive(Debug, Clone)]
pub struct PlaceOrder {
    pub order: Order,
    pub lines: Vec<OrderLine>,
    /// The cart lines priced, with their quantities: the cart must still be exactly this.
    pub cart_lines: Vec<(Uuid, i64)>,
    /// Stock to take, sorted by item id (every transaction locks items in that order, so two
    /// checkouts cannot deadlock).
    pub stock: Vec<StockTake>,
    pub offer: Option<OfferTake>,
    /// `(limit, since)`: refuse if the restaurant took `limit` orders since `since`.
    pub kitchen_limit: Option<(i64, OffsetDateTime)>,
    pub actor: Actor,
    pub events: Vec<NewEvent>,
    pub key: Option<KeyDone>,
    /// The payment row, and for a wallet payment the debit and its ledger posting.
    pub money: MoneyWrite,
}

/// What a cancellation settles.
#[derive(Debug, Clone)]
pub struct Cancellation {
    pub reason: String,
    pub fee: i64,
    pub refund: i64,
}

/// One status change. Cancelling also puts taken stock back and gives the offer redemption back.
#[derive(Debug, Clone)]
pub struct Transition {
    pub order_id: Uuid,
    pub from: OrderStatus,
    pub to: OrderStatus,
    pub actor: Actor,
    pub note: Option<String>,
    pub cancel: Option<Cancellation>,
    pub preparation_minutes: Option<i32>,
    pub estimated_delivery_time: Option<OffsetDateTime>,
    /// A new acceptance deadline (set when a paid order becomes CONFIRMED).
    pub accept_by: Option<OffsetDateTime>,
    /// Applies only while this rider holds the order (a rider's own steps: a rider who was
    /// reassigned meanwhile cannot deliver, nor be paid for it).
    pub rider: Option<Uuid>,
    pub events: Vec<NewEvent>,
    /// Money that moves with this step (capture, refund, the delivery split), applied only if
    /// the step applies.
    pub money: MoneyWrite,
}

pub fn actor_name(a: Actor) -> &'static str {
    match a {
        Actor::Customer => "CUSTOMER",
        Actor::Restaurant => "RESTAURANT",
        Actor::Rider => "RIDER",
        Actor::Admin => "ADMIN",
        Actor::System => "SYSTEM",
    }
}
