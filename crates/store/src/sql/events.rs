//! `EventStore` in SQL both backends accept: idempotency keys, the outbox relay's reads, the
//! notification inbox.

macro_rules! impl_event_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::EventStore for $store {
            async fn claim_key(
                &self,
                user_id: uuid::Uuid,
                key: &str,
                request_hash: &str,
                stale_after: time::Duration,
            ) -> $crate::StoreResult<$crate::model::KeyClaim> {
                use $crate::model::KeyClaim;
                let now = $crate::now_utc();
                // The common case (a new key) is one autocommitted statement.
                let inserted = sqlx::query(
                    "INSERT INTO idempotency_keys (user_id, key, request_hash, state, created_at) \
                     VALUES ($1, $2, $3, 'IN_PROGRESS', $4) ON CONFLICT (user_id, key) DO NOTHING",
                )
                .bind(user_id)
                .bind(key)
                .bind(request_hash)
                .bind(now)
                .execute(self.writer())
                .await?;
                if inserted.rows_affected() == 1 {
                    return Ok(KeyClaim::Claimed);
                }
                let mut tx = self.begin_write().await?;
                let (hash, state, status, body, created_at): (
                    String,
                    String,
                    Option<i32>,
                    Option<sqlx::types::Json<serde_json::Value>>,
                    time::OffsetDateTime,
                ) = sqlx::query_as(
                    "SELECT request_hash, state, status_code, response, created_at FROM idempotency_keys \
                     WHERE user_id = $1 AND key = $2",
                )
                .bind(user_id)
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
                let claim = if hash != request_hash {
                    KeyClaim::Mismatch
                } else if state == "DONE" {
                    KeyClaim::Done { status: status.unwrap_or(200) as u16, body: body.map(|b| b.0).unwrap_or_default() }
                } else if now - created_at > stale_after {
                    sqlx::query("UPDATE idempotency_keys SET created_at = $3 WHERE user_id = $1 AND key = $2")
                        .bind(user_id)
                        .bind(key)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    KeyClaim::Claimed
                } else {
                    KeyClaim::InProgress
                };
                tx.commit().await?;
                Ok(claim)
            }

            async fn finish_key(
                &self,
                user_id: uuid::Uuid,
                key: &str,
                status: u16,
                body: &serde_json::Value,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "UPDATE idempotency_keys SET state = 'DONE', status_code = $3, response = $4 \
                     WHERE user_id = $1 AND key = $2 AND state = 'IN_PROGRESS'",
                )
                .bind(user_id)
                .bind(key)
                .bind(status as i32)
                .bind(sqlx::types::Json(body))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn release_key(&self, user_id: uuid::Uuid, key: &str) -> $crate::StoreResult<()> {
                sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND state = 'IN_PROGRESS'")
                    .bind(user_id)
                    .bind(key)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn forget_keys_before(&self, before: time::OffsetDateTime) -> $crate::StoreResult<u64> {
                // One statement. SQLite compares these times as text: off by under a second at
                // worst, for keys kept two days.
                let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                    .bind(before)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
            }

            async fn pending_events(&self, limit: i64) -> $crate::StoreResult<Vec<$crate::model::Event>> {
                Ok(sqlx::query_as(
                    "SELECT event_id, topic, key, payload, created_at FROM outbox WHERE relayed = FALSE \
                     ORDER BY event_id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn mark_relayed(&self, ids: &[i64]) -> $crate::StoreResult<()> {
                if ids.is_empty() {
                    return Ok(());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new("UPDATE outbox SET relayed = TRUE WHERE event_id IN (");
                let mut list = qb.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                qb.push(")");
                qb.build().execute(self.writer()).await?;
                Ok(())
            }

            async fn notify(&self, batch: &[$crate::model::Notification]) -> $crate::StoreResult<u64> {
                if batch.is_empty() {
                    return Ok(0);
                }
                let mut tx = self.begin_write().await?;
                let mut added = 0;
                for n in batch {
                    added += sqlx::query(
                        "INSERT INTO notifications (notification_id, user_id, event_id, kind, title, body, order_id, read_at, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8) ON CONFLICT (event_id, user_id) DO NOTHING",
                    )
                    .bind(n.notification_id)
                    .bind(n.user_id)
                    .bind(n.event_id)
                    .bind(&n.kind)
                    .bind(&n.title)
                    .bind(&n.body)
                    .bind(n.order_id)
                    .bind(n.created_at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                Ok(added)
            }

            async fn notifications(
                &self,
                user_id: uuid::Uuid,
                unread_only: bool,
                limit: i64,
                offset: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::Notification>> {
                Ok(sqlx::query_as(
                    "SELECT notification_id, user_id, event_id, kind, title, body, order_id, read_at, created_at \
                     FROM notifications WHERE user_id = $1 AND ($2 = FALSE OR read_at IS NULL) \
                     ORDER BY event_id DESC, notification_id LIMIT $3 OFFSET $4",
                )
                .bind(user_id)
                .bind(unread_only)
                .bind(limit)
                .bind(offset)
                .fetch_all(self.reader())
                .await?)
            }

            async fn mark_read(&self, user_id: uuid::Uuid, id: Option<uuid::Uuid>) -> $crate::StoreResult<u64> {
                // One message: counts it if it is the user's, read before or not. All: counts
                // those newly read.
                let done = sqlx::query(
                    "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE user_id = $1 \
                     AND (($2 IS NULL AND read_at IS NULL) OR notification_id = $2)",
                )
                .bind(user_id)
                .bind(id)
                .bind($crate::now_utc())
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
