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
                let token = uuid::Uuid::new_v4();
                // The common case (a new key) is one autocommitted statement.
                let inserted = sqlx::query(
                    "INSERT INTO idempotency_keys (user_id, key, request_hash, state, created_at, claim_token) \
                     VALUES ($1, $2, $3, 'IN_PROGRESS', $4, $5) ON CONFLICT (user_id, key) DO NOTHING",
                )
                .bind(user_id)
                .bind(key)
                .bind(request_hash)
                .bind(now)
                .bind(token)
                .execute(self.writer())
                .await?;
                if inserted.rows_affected() == 1 {
                    return Ok(KeyClaim::Claimed(token));
                }
                let row: Option<(
                    String,
                    String,
                    Option<i32>,
                    Option<sqlx::types::Json<serde_json::Value>>,
                    time::OffsetDateTime,
                    Option<uuid::Uuid>,
                )> = sqlx::query_as(
                    "SELECT request_hash, state, status_code, response, created_at, claim_token FROM idempotency_keys \
                     WHERE user_id = $1 AND key = $2",
                )
                .bind(user_id)
                .bind(key)
                .fetch_optional(self.writer())
                .await?;
                // Released between our insert and this read: the caller may simply ask again.
                let Some((hash, state, status, body, created_at, seen)) = row else { return Ok(KeyClaim::InProgress) };
                if hash != request_hash {
                    return Ok(KeyClaim::Mismatch);
                }
                if state == "DONE" {
                    return Ok(KeyClaim::Done {
                        status: status.unwrap_or(200) as u16,
                        body: body.map(|b| b.0).unwrap_or_default(),
                    });
                }
                if now - created_at <= stale_after {
                    return Ok(KeyClaim::InProgress);
                }
                // A takeover is a compare-and-set on the claim seen: of two retries racing for
                // one stale key, exactly one wins; the other sees the request in progress. (A
                // claim without a token, from a node older than tokens, is taken over too.)
                let taken = sqlx::query(
                    "UPDATE idempotency_keys SET created_at = $3, claim_token = $4 \
                     WHERE user_id = $1 AND key = $2 AND state = 'IN_PROGRESS' AND claim_token IS NOT DISTINCT FROM $5",
                )
                .bind(user_id)
                .bind(key)
                .bind(now)
                .bind(token)
                .bind(seen)
                .execute(self.writer())
                .await?;
                Ok(if taken.rows_affected() == 1 { KeyClaim::Claimed(token) } else { KeyClaim::InProgress })
            }

            async fn finish_key(
                &self,
                user_id: uuid::Uuid,
                key: &str,
                token: uuid::Uuid,
                status: u16,
                body: &serde_json::Value,
            ) -> $crate::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE idempotency_keys SET state = 'DONE', status_code = $3, response = $4 \
                     WHERE user_id = $1 AND key = $2 AND state = 'IN_PROGRESS' AND claim_token = $5",
                )
                .bind(user_id)
                .bind(key)
                .bind(status as i32)
                .bind(sqlx::types::Json(body))
                .bind(token)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_key(&self, user_id: uuid::Uuid, key: &str, token: uuid::Uuid) -> $crate::StoreResult<bool> {
                let done = sqlx::query(
                    "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND state = 'IN_PROGRESS' \
                     AND claim_token = $3",
                )
                .bind(user_id)
                .bind(key)
                .bind(token)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_unfinished_keys(&self) -> $crate::StoreResult<u64> {
                let done = sqlx::query("DELETE FROM idempotency_keys WHERE state = 'IN_PROGRESS'")
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
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
