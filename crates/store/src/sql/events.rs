//! `EventStore` in SQL both backends accept: idempotency keys, the outbox relay's reads, the
//! notification inbox.

macro_rules! impl_event_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::EventStore for $store {
            async fn stored_response(
                &self,
                user_id: uuid::Uuid,
                key: &str,
            ) -> $crate::StoreResult<Option<$crate::model::StoredResponse>> {
                let row: Option<(String, i32, sqlx::types::Json<serde_json::Value>)> = sqlx::query_as(
                    "SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = $1 AND key = $2",
                )
                .bind(user_id)
                .bind(key)
                .fetch_optional(self.reader())
                .await?;
                Ok(row.map(|(request_hash, status, body)| $crate::model::StoredResponse {
                    request_hash,
                    status: status as u16,
                    body: body.0,
                }))
            }

            async fn forget_keys_before(&self, before: time::OffsetDateTime) -> $crate::StoreResult<u64> {
                let old: Vec<(uuid::Uuid, String, time::OffsetDateTime)> =
                    sqlx::query_as("SELECT user_id, key, created_at FROM idempotency_keys")
                        .fetch_all(self.reader())
                        .await?;
                let mut n = 0;
                for (user_id, key, _) in old.into_iter().filter(|(_, _, at)| *at < before) {
                    n += sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2")
                        .bind(user_id)
                        .bind(key)
                        .execute(self.writer())
                        .await?
                        .rows_affected();
                }
                Ok(n)
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
                let done = sqlx::query(
                    "UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND read_at IS NULL \
                     AND ($2 IS NULL OR notification_id = $2)",
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
