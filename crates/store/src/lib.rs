//! Storage for Dabba: one trait per context ([`UserStore`], [`CatalogStore`]) and two backends,
//! SQLite (embedded default) and PostgreSQL (cluster), chosen from the database URL's scheme.

pub mod dashboard;
mod error;
pub mod model;
mod ordering;
mod payments;
pub mod seed;
mod traits;
#[macro_use]
mod sql;
mod postgres;
mod sqlite;
pub mod stamp;

pub use error::{StoreError, StoreResult};
pub use ordering::{Cancellation, KeyDone, OfferTake, PlaceOrder, StockTake, Transition, actor_name};
pub use payments::{CardOnFile, GatewayEvent, LedgerTxn, MoneyWrite, PaymentChange, RefundWrite};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use stamp::Stamp;
pub use traits::{
    CartStore, CatalogStore, DeliveryStore, EventStore, OfferStore, OrderStore, PaymentStore, Store, UserStore,
};

use std::sync::Arc;
use time::OffsetDateTime;

/// Tuning shared by both backends.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections in the (reading) pool.
    pub max_connections: u32,
    /// SQLite `synchronous=FULL`: a commit survives power loss, at the cost of an fsync per commit.
    /// With `false` (NORMAL) a commit survives a crash of the process but not of the machine.
    pub sqlite_durable: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { max_connections: 16, sqlite_durable: true }
    }
}

/// Opens the store a URL names: `sqlite:` (file created if missing) or `postgres:`/`postgresql:`.
pub async fn connect(url: &str, options: &StoreOptions) -> StoreResult<Arc<dyn Store>> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(Arc::new(SqliteStore::open(url, options).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(PgStore::open(url, options).await?)),
        _ => Err(StoreError::Database(sqlx::Error::Configuration(
            format!("unsupported database URL scheme {scheme:?}: use sqlite:// or postgres://").into(),
        ))),
    }
}

/// Microseconds since 1970: how the dashboard's moments are stored (see migration 0009).
pub fn micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

/// Now, in UTC, at the microsecond precision both databases keep, so a value read back equals
/// the value written.
pub fn now_utc() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1000 * 1000).unwrap_or(now)
}
