//! The cluster backend: PostgreSQL. One pool serves reads and writes; row locks and constraints
//! do the serialising that the SQLite backend does with its single writer.

use crate::{Store, StoreOptions, StoreResult};
use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// A PostgreSQL database (or a schema of one, with `?options=-c search_path=…` in the URL).
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn open(url: &str, options: &StoreOptions) -> StoreResult<Self> {
        let connect = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(connect)
            .await?;
        Ok(Self { pool })
    }

    /// The physical row id, for deletes in batches.
    const ROW_ID: &'static str = "ctid";

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    /// One snapshot for every statement of the transaction (READ COMMITTED would not).
    async fn begin_snapshot(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await
    }
}

impl_user_store!(PgStore);
impl_catalog_store!(PgStore, sqlx::Postgres);
impl_cart_store!(PgStore, sqlx::Postgres);
impl_order_store!(PgStore, sqlx::Postgres);
impl_event_store!(PgStore, sqlx::Postgres);
impl_payment_store!(PgStore, sqlx::Postgres);
impl_delivery_store!(PgStore, sqlx::Postgres);

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/postgres").run(&self.pool).await?;
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
