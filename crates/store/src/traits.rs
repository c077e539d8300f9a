//! The storage contract, one trait per context. Each backend implements all of them and passes
//! the same test suite.

use crate::StoreResult;
use crate::model::*;
use crate::seed::SeedBatch;
use async_trait::async_trait;
use dabba_domain::order::OrderStatus;
use time::OffsetDateTime;
use uuid::Uuid;

/// Users, sessions and addresses.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a user; a taken phone or email is a `Conflict`.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    async fn user(&self, user_id: Uuid) -> StoreResult<Option<User>>;
    /// The user with this phone or email, with its password hash.
    async fn user_for_login(&self, phone: Option<&str>, email: Option<&str>) -> StoreResult<Option<(User, String)>>;
    async fn update_profile(&self, user_id: Uuid, change: ProfileChange) -> StoreResult<Option<User>>;
    /// Bans (`Some(reason)`) or unbans (`None`) a user.
    /// An admin approves the account (a no-op if it was); `None` if there is no such user.
    async fn approve_user(&self, user_id: Uuid) -> StoreResult<Option<User>>;
    /// Accounts waiting for an admin's approval (not banned), oldest first.
    async fn users_awaiting_approval(&self, limit: i64) -> StoreResult<Vec<User>>;
    async fn set_user_ban(&self, user_id: Uuid, reason: Option<String>) -> StoreResult<Option<User>>;
    /// Users matching every given part of `q`, newest first, at most `q.limit`.
    async fn search_users(&self, q: &UserQuery) -> StoreResult<Vec<User>>;

    async fn create_session(&self, session_id: Uuid, user_id: Uuid, expires_at: OffsetDateTime) -> StoreResult<()>;
    /// The owner of a session that was not revoked.
    async fn session_principal(&self, session_id: Uuid) -> StoreResult<Option<Principal>>;
    async fn revoke_session(&self, session_id: Uuid) -> StoreResult<()>;

    /// Inserts an address. The first address, or one marked default, becomes the only default.
    /// Refused (`TOO_MANY_ADDRESSES`) when the user already has `max`.
    async fn create_address(&self, address: Address, max: usize) -> StoreResult<Address>;
    /// A user's addresses, default first, then newest first.
    async fn addresses(&self, user_id: Uuid) -> StoreResult<Vec<Address>>;
    /// Replaces an address of `address.user_id`; `None` if that user has no such address.
    async fn update_address(&self, address: Address) -> StoreResult<Option<Address>>;
    /// Deletes an address; if it was the default, the newest remaining one takes over.
    async fn delete_address(&self, user_id: Uuid, address_id: Uuid) -> StoreResult<bool>;
}

/// Restaurants and menus.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    async fn create_restaurant(&self, restaurant: Restaurant) -> StoreResult<()>;
    async fn restaurant(&self, restaurant_id: Uuid) -> StoreResult<Option<Restaurant>>;
    async fn restaurants_of_owner(&self, owner_id: Uuid) -> StoreResult<Vec<Restaurant>>;
    /// Writes every editable field of a restaurant, if its row still has the `updated_at` it had
    /// when read (`read_at`); `false` means someone else changed it meanwhile.
    async fn update_restaurant(&self, restaurant: &Restaurant, read_at: OffsetDateTime) -> StoreResult<bool>;
    async fn set_restaurant_ban(&self, restaurant_id: Uuid, reason: Option<String>) -> StoreResult<Option<Restaurant>>;
    /// Restaurants (banned ones included) whose name holds `text` (any case), optionally only
    /// banned or not banned ones, by name, at most `limit`.
    async fn search_restaurants(
        &self,
        text: Option<&str>,
        banned: Option<bool>,
        limit: i64,
    ) -> StoreResult<Vec<Restaurant>>;
    /// Every restaurant (banned ones included) whose row changed at or after `since`, oldest
    /// change first. Read models such as the listing index follow the catalog with it; every
    /// write to a restaurant row must therefore set `updated_at`.
    async fn restaurants_changed_since(&self, since: OffsetDateTime) -> StoreResult<Vec<Restaurant>>;

    /// Categories of a restaurant in menu order.
    async fn categories(&self, restaurant_id: Uuid) -> StoreResult<Vec<Category>>;
    async fn create_category(&self, category: Category) -> StoreResult<()>;
    async fn update_category(&self, category: &Category) -> StoreResult<bool>;
    /// Refused while the category still holds items.
    async fn delete_category(&self, restaurant_id: Uuid, category_id: Uuid) -> StoreResult<bool>;
    /// Sets positions 0.. in the given order; the ids must be exactly the restaurant's categories.
    async fn reorder_categories(&self, restaurant_id: Uuid, category_ids: &[Uuid]) -> StoreResult<bool>;

    /// Items of a restaurant in menu order.
    async fn items(&self, restaurant_id: Uuid) -> StoreResult<Vec<MenuItem>>;
    async fn item(&self, restaurant_id: Uuid, item_id: Uuid) -> StoreResult<Option<MenuItem>>;
    async fn create_item(&self, item: &MenuItem) -> StoreResult<()>;
    /// Like [`CatalogStore::update_restaurant`]: `false` if the item is gone or changed since `read_at`.
    async fn update_item(&self, item: &MenuItem, read_at: OffsetDateTime) -> StoreResult<bool>;
    async fn delete_item(&self, restaurant_id: Uuid, item_id: Uuid) -> StoreResult<bool>;

    /// The dishes of these restaurants, lean (for the search index), in no particular order.
    async fn dishes_of(&self, restaurant_ids: &[Uuid]) -> StoreResult<Vec<DishRow>>;

    /// Every menu item (lean, as [`CatalogStore::dishes_of`]) in the order the store keeps them:
    /// one sequential pass, for building the search index at start-up.
    fn scan_dishes(&self) -> futures_util::stream::BoxStream<'_, StoreResult<DishRow>>;

    /// Restaurants in the store, banned ones included.
    async fn restaurant_count(&self) -> StoreResult<i64>;

    /// Bulk insert for demo and benchmark cities; all rows or none.
    async fn seed(&self, batch: &SeedBatch) -> StoreResult<()>;
}

/// Everything a node needs from its system of record.
#[async_trait]
pub trait Store:
    UserStore + CatalogStore + CartStore + OfferStore + OrderStore + EventStore + PaymentStore + DeliveryStore
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Applies this backend's migrations that have not run yet.
    async fn migrate(&self) -> StoreResult<()>;
    /// Succeeds when the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Closes the pools, waiting for connections in use.
    async fn close(&self);
}

/// Server-side carts: one per customer, one restaurant per cart.
#[async_trait]
pub trait CartStore: Send + Sync {
    /// The cart's head (if any) and its lines, oldest first.
    async fn cart(&self, user_id: Uuid) -> StoreResult<(Option<CartHead>, Vec<CartLine>)>;
    /// Adds a line, or adds to the quantity of the line with the same item and selection.
    /// A cart holding another restaurant's food is refused (`CART_RESTAURANT_CONFLICT`) unless
    /// `replace`, which empties it first. Quantities above `max_quantity` are refused
    /// (`QUANTITY_TOO_LARGE`), and a line past `max_lines` (`CART_FULL`).
    async fn add_to_cart(
        &self,
        user_id: Uuid,
        restaurant_id: Uuid,
        line: CartLine,
        replace: bool,
        max_quantity: i64,
        max_lines: i64,
    ) -> StoreResult<CartLine>;
    async fn set_cart_quantity(&self, user_id: Uuid, cart_item_id: Uuid, quantity: i64) -> StoreResult<bool>;
    async fn remove_cart_line(&self, user_id: Uuid, cart_item_id: Uuid) -> StoreResult<bool>;
    async fn clear_cart(&self, user_id: Uuid) -> StoreResult<()>;
    /// Sets or removes the promo code; `false` when there is no cart.
    async fn set_cart_promo(&self, user_id: Uuid, code: Option<String>) -> StoreResult<bool>;
    /// Records the prices the customer has now been shown.
    async fn reprice_cart(&self, user_id: Uuid, prices: &[(Uuid, i64)]) -> StoreResult<()>;
    /// Replaces the whole cart (reorder).
    async fn replace_cart(&self, user_id: Uuid, restaurant_id: Uuid, lines: &[CartLine]) -> StoreResult<()>;
}

/// Promo codes.
#[async_trait]
pub trait OfferStore: Send + Sync {
    /// A taken code is a `Conflict { field: "code" }`.
    async fn create_offer(&self, offer: &Offer) -> StoreResult<()>;
    async fn offer_by_code(&self, code: &str) -> StoreResult<Option<Offer>>;
    async fn offer(&self, offer_id: Uuid) -> StoreResult<Option<Offer>>;
    /// Active offers whose validity window contains `now` (the caller filters by place).
    async fn live_offers(&self, now: OffsetDateTime) -> StoreResult<Vec<Offer>>;
    async fn deactivate_offer(&self, offer_id: Uuid) -> StoreResult<bool>;
    /// Redemptions of an offer by a user that were not given back.
    async fn user_redemptions(&self, offer_id: Uuid, user_id: Uuid) -> StoreResult<i64>;
}

/// Orders, their lifecycle and their ratings.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Checkout's one transaction; see [`crate::PlaceOrder`].
    async fn place_order(&self, p: &crate::PlaceOrder) -> StoreResult<()>;
    async fn order(&self, order_id: Uuid) -> StoreResult<Option<Order>>;
    async fn order_lines(&self, order_id: Uuid) -> StoreResult<Vec<OrderLine>>;
    async fn timeline(&self, order_id: Uuid) -> StoreResult<Vec<TimelineEntry>>;
    /// A customer's orders, newest first; `active` filters on still-moving orders.
    async fn orders_of_user(
        &self,
        user_id: Uuid,
        active: Option<bool>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Order>>;
    /// A restaurant's orders, newest first, optionally in one status.
    async fn orders_of_restaurant(
        &self,
        restaurant_id: Uuid,
        status: Option<OrderStatus>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Order>>;
    /// Orders of any customer and restaurant, newest first, narrowed by each filter given
    /// (support's search).
    async fn find_orders(
        &self,
        user_id: Option<Uuid>,
        restaurant_id: Option<Uuid>,
        status: Option<OrderStatus>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Order>>;
    /// Orders that are not cancelled, of a customer (FIRST_ORDER offers).
    async fn count_orders_of_user(&self, user_id: Uuid) -> StoreResult<i64>;
    /// Applies a transition if the order is still in `t.from`; `false` if it moved meanwhile.
    async fn transition(&self, t: &crate::Transition) -> StoreResult<bool>;
    /// CONFIRMED orders whose `accept_by` is before `now`.
    async fn unaccepted_before(&self, now: OffsetDateTime) -> StoreResult<Vec<Order>>;
    /// Records a rating, completes the DELIVERED order and updates the restaurant's average;
    /// `false` if the order is not DELIVERED (any more).
    async fn rate_order(&self, rating: &Rating, events: &[NewEvent]) -> StoreResult<bool>;
    async fn rating(&self, order_id: Uuid) -> StoreResult<Option<Rating>>;
    /// Orders placed at or after `since`, per restaurant (popularity for discovery).
    async fn order_counts_since(&self, since: OffsetDateTime) -> StoreResult<Vec<(Uuid, i64)>>;
    /// The orders placed in `[from, to)`, counted for the dashboard.
    async fn dashboard_counts(&self, from: OffsetDateTime, to: OffsetDateTime) -> StoreResult<DashboardCounts>;
    async fn ratings_of_restaurant(&self, restaurant_id: Uuid, limit: i64, offset: i64) -> StoreResult<Vec<Rating>>;
}

/// Idempotency keys, the outbox and the notification inbox.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Claims an idempotency key for a request whose body hashes to `request_hash`, in its own
    /// short transaction. A claim left IN_PROGRESS longer than `stale_after` (a crashed request)
    /// is taken over.
    async fn claim_key(
        &self,
        user_id: Uuid,
        key: &str,
        request_hash: &str,
        stale_after: time::Duration,
    ) -> StoreResult<KeyClaim>;
    /// Stores the final answer of a key claimed with `token`; `false` if the claim was taken
    /// over meanwhile (the answer then belongs to the request that took it).
    async fn finish_key(
        &self,
        user_id: Uuid,
        key: &str,
        token: Uuid,
        status: u16,
        body: &serde_json::Value,
    ) -> StoreResult<bool>;
    /// Gives a key claimed with `token` back: a retry may run the request again. `false` if
    /// the claim was no longer this token's.
    async fn release_key(&self, user_id: Uuid, key: &str, token: Uuid) -> StoreResult<bool>;
    /// Gives back every key still IN_PROGRESS: only for a single node at start-up, when no
    /// request can be running (they died with the previous process).
    async fn release_unfinished_keys(&self) -> StoreResult<u64>;
    async fn forget_keys_before(&self, before: OffsetDateTime) -> StoreResult<u64>;
    /// Deletes up to `batch` rows of `what` older than `before`; how many. Callers repeat
    /// until fewer come back, so no statement holds locks for long.
    async fn forget_before(&self, what: Retained, before: OffsetDateTime, batch: i64) -> StoreResult<u64>;
    /// The bit that marks events handled by the subscriber `name` (given once, kept for good).
    async fn subscriber_bit(&self, name: &str) -> StoreResult<i64>;
    /// Events not yet relayed and not yet handled by the subscriber with `bit`, oldest first.
    async fn pending_events(&self, bit: i64, limit: i64) -> StoreResult<Vec<Event>>;
    /// Marks events handled by the subscriber with `bit`; an event is relayed once every bit
    /// of `all` is set.
    async fn mark_handled(&self, bit: i64, all: i64, event_ids: &[i64]) -> StoreResult<()>;
    /// Parks an event the subscriber gave up on (and marks it handled by that subscriber), in
    /// one transaction.
    async fn dead_letter(&self, letter: &DeadLetter, bit: i64, all: i64) -> StoreResult<()>;
    /// Parked events, newest first.
    async fn dead_letters(&self, limit: i64, offset: i64) -> StoreResult<Vec<DeadLetter>>;
    async fn dead_letter_of(&self, subscriber: &str, event_id: i64) -> StoreResult<Option<DeadLetter>>;
    /// Removes a parked event (replayed); whether it was there.
    async fn forget_dead_letter(&self, subscriber: &str, event_id: i64) -> StoreResult<bool>;
    /// Adds notifications, in one transaction, skipping any (event, user) already notified;
    /// returns how many were added.
    async fn notify(&self, batch: &[Notification]) -> StoreResult<u64>;
    /// A user's notifications, newest first.
    async fn notifications(
        &self,
        user_id: Uuid,
        unread_only: bool,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Notification>>;
    /// Marks one notification of the user read (returns 1 if it is theirs, read before or not, 0
    /// if not), or with `None` every unread one (returns how many).
    async fn mark_read(&self, user_id: Uuid, notification_id: Option<Uuid>) -> StoreResult<u64>;
}

/// Payments, refunds, wallets and the ledger.
#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Applies a money write in one transaction; a guard that fails refuses all of it
    /// (`STALE`, `DUPLICATE_EVENT`, `INSUFFICIENT_BALANCE`).
    async fn apply_money(&self, w: &crate::MoneyWrite) -> StoreResult<()>;
    async fn payment(&self, payment_id: Uuid) -> StoreResult<Option<Payment>>;
    /// An order's payment attempts, oldest first.
    async fn payments_of_order(&self, order_id: Uuid) -> StoreResult<Vec<Payment>>;
    /// CARD and UPI payments still PENDING that were created before `created_before`, the
    /// longest-unasked first.
    async fn open_payments(&self, created_before: OffsetDateTime, limit: i64) -> StoreResult<Vec<Payment>>;
    /// Records that the gateway was asked about these payments at `at`.
    async fn payments_checked(&self, ids: &[Uuid], at: OffsetDateTime) -> StoreResult<()>;
    /// CARD and UPI payments still PENDING past their deadline, the longest-unasked first.
    async fn expired_payments(&self, now: OffsetDateTime, limit: i64) -> StoreResult<Vec<Payment>>;
    /// Payments in `status` (REVIEW, say), oldest first.
    async fn payments_in(&self, status: &str, limit: i64) -> StoreResult<Vec<Payment>>;
    async fn refunds_of_payment(&self, payment_id: Uuid) -> StoreResult<Vec<Refund>>;
    async fn refund(&self, refund_id: Uuid) -> StoreResult<Option<Refund>>;
    /// Refunds in `status` (FAILED, say), oldest first.
    async fn refunds_in(&self, status: &str, limit: i64) -> StoreResult<Vec<Refund>>;
    /// Refunds owed, not yet sent to the gateway and due for a try at `now`, oldest first.
    async fn pending_refunds(&self, now: OffsetDateTime, limit: i64) -> StoreResult<Vec<Refund>>;
    /// Counts a failed try of a PENDING refund: tried again at `retry_at`, or FAILED for good
    /// once `tries` were spent. `false` if it was not PENDING.
    async fn refund_attempt_failed(
        &self,
        refund_id: Uuid,
        error: &str,
        tries: i32,
        retry_at: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Support sends a FAILED refund again: PENDING, its count of tries reset.
    async fn retry_refund(&self, refund_id: Uuid) -> StoreResult<bool>;
    /// Marks a refund done at the gateway; `false` if it was already.
    async fn refund_sent(&self, refund_id: Uuid, gateway_ref: &str) -> StoreResult<bool>;
    /// PENDING orders whose payment deadline is before `now`.
    async fn unpaid_before(&self, now: OffsetDateTime) -> StoreResult<Vec<Order>>;
    async fn wallet_balance(&self, user_id: Uuid) -> StoreResult<i64>;
    /// Every ledger line of an order's transactions, oldest first.
    async fn order_ledger(&self, order_id: Uuid) -> StoreResult<Vec<LedgerLine>>;
    /// Lines on one account in `[from, to)`, oldest first.
    async fn account_lines(
        &self,
        account: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<LedgerLine>>;
    /// What the ledger check compares, from one snapshot.
    async fn ledger_snapshot(&self) -> StoreResult<LedgerSnapshot>;
}

/// Riders, assignments and the location history.
#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// A rider's profile with their rating; `None` until they gave their vehicle.
    async fn rider(&self, user_id: Uuid) -> StoreResult<Option<RiderProfile>>;
    /// Creates or replaces a rider's vehicle.
    async fn put_rider(&self, user_id: Uuid, vehicle: dabba_domain::eta::Vehicle, number: &str) -> StoreResult<()>;
    /// Gives the order to the rider with the events, if it still has `a.current` as rider and
    /// one of `a.statuses`; `false` otherwise.
    async fn assign_rider(&self, a: &Assignment) -> StoreResult<bool>;
    /// Takes one delivery-code attempt, before the code is compared; the attempts spent, or
    /// `None` (nothing taken) once `limit` were spent.
    async fn spend_otp_attempt(&self, order_id: Uuid, limit: i32) -> StoreResult<Option<i32>>;
    /// Gives back the attempt of a code that was right.
    async fn return_otp_attempt(&self, order_id: Uuid) -> StoreResult<()>;
    /// Orders dispatch still has to find a rider for.
    async fn orders_without_rider(&self) -> StoreResult<Vec<Order>>;
    /// A rider's orders not yet delivered or cancelled.
    async fn orders_of_rider(&self, rider_id: Uuid) -> StoreResult<Vec<Order>>;
    /// Every order with a rider, not yet delivered or cancelled (rebuilding live state).
    async fn riders_on_orders(&self) -> StoreResult<Vec<Order>>;
    /// Appends kept route points (repeats are ignored); how many were new.
    async fn record_locations(&self, rows: &[LocationRow]) -> StoreResult<u64>;
    /// A rider's kept points in `[from, to)`, oldest first.
    async fn locations(
        &self,
        rider_id: Uuid,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<LocationRow>>;
    /// Deletes points older than the retention; how many.
    async fn forget_locations_before(&self, before: OffsetDateTime) -> StoreResult<u64>;
    /// How many riders were seen (a stored position) in each UTC hour of `[from, to)`, the
    /// hour holding `from` included; hours with nobody are left out.
    async fn riders_per_hour(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> StoreResult<Vec<(OffsetDateTime, i64)>>;
    /// Writes events that go with no other change (dispatch found no rider yet).
    async fn emit(&self, events: &[NewEvent]) -> StoreResult<()>;
    /// A delivered trip in `zone` at local `hour` made `seen` of city speed: the hour's learned
    /// factor moves towards it (from `prior`, the model's, the first time), as
    /// `dabba_domain::learn::Learned` does, in one statement. The new factor.
    async fn observe_traffic(&self, zone: &str, hour: u8, seen: f64, prior: f64) -> StoreResult<f64>;
    /// Every learned hour: zone, local hour, factor.
    async fn learned_traffic(&self) -> StoreResult<Vec<(String, i32, f64)>>;
}
