//! The embedded backend: one SQLite file in WAL mode. All writes go through a single-connection
//! pool, so writers queue in the process instead of failing with "database is locked"; reads use
//! their own pool and never wait for writers (WAL).

use crate::{Store, StoreOptions, StoreResult};
use async_trait::async_trait;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// A SQLite database file.
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
}

impl SqliteStore {
    pub async fn open(url: &str, options: &StoreOptions) -> StoreResult<Self> {
        let sync = if options.sqlite_durable { SqliteSynchronous::Full } else { SqliteSynchronous::Normal };
        let base = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(sync)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .pragma("temp_store", "memory");
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(base.clone()).await?;
        // Each SQLite connection is a thread in sqlx. Many readers serve many concurrent reads
        // (listings, menus); a write-heavy load on few cores does better with fewer
        // (`db_max_connections`; see the README's checkout figures).
        let reader = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .connect_with(base.read_only(true))
            .await?;
        Ok(Self { reader, writer })
    }

    /// The physical row id, for deletes in batches.
    const ROW_ID: &'static str = "rowid";

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// `BEGIN IMMEDIATE`: take the write lock up front. A deferred transaction that reads and
    /// then writes fails at once (SQLITE_BUSY_SNAPSHOT) if another process, such as `dabba seed`,
    /// committed in between; waiting for the lock instead is what the busy timeout is for.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }

    /// A read-only transaction: WAL gives it one snapshot from its first read on.
    async fn begin_snapshot(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.reader.begin().await
    }
}

impl_user_store!(SqliteStore);
impl_catalog_store!(SqliteStore, sqlx::Sqlite);
impl_cart_store!(SqliteStore, sqlx::Sqlite);
impl_order_store!(SqliteStore, sqlx::Sqlite);
impl_event_store!(SqliteStore, sqlx::Sqlite);
impl_payment_store!(SqliteStore, sqlx::Sqlite);
impl_delivery_store!(SqliteStore, sqlx::Sqlite);

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/sqlite").run(&self.writer).await?;
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}
