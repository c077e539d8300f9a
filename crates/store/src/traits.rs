//! The storage contract, one trait per context. Each backend implements all of them and passes
//! the same test suite.

use crate::StoreResult;
use crate::model::*;
use crate::seed::SeedBatch;
use async_trait::async_trait;
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
    async fn set_user_ban(&self, user_id: Uuid, reason: Option<String>) -> StoreResult<Option<User>>;

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

    /// Restaurants in the store, banned ones included.
    async fn restaurant_count(&self) -> StoreResult<i64>;

    /// Bulk insert for demo and benchmark cities; all rows or none.
    async fn seed(&self, batch: &SeedBatch) -> StoreResult<()>;
}

/// Everything a node needs from its system of record.
#[async_trait]
pub trait Store: UserStore + CatalogStore {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Applies this backend's migrations that have not run yet.
    async fn migrate(&self) -> StoreResult<()>;
    /// Succeeds when the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Closes the pools, waiting for connections in use.
    async fn close(&self);
}
