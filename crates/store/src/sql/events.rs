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
                .bind($crate::Stamp(now))
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
                .bind($crate::Stamp(now))
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
                // One statement; every stored time has one text form (`Stamp`), so SQLite's
                // text comparison is exact.
                let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                    .bind($crate::Stamp(before))
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
            }

            async fn forget_before(
                &self,
                what: $crate::model::Retained,
                before: time::OffsetDateTime,
                batch: i64,
            ) -> $crate::StoreResult<u64> {
                let (table, at, when) = what.sql();
                // The physical row id (SQLite's rowid, PostgreSQL's ctid) serves every table,
                // composite keys included.
                let id = Self::ROW_ID;
                let sql = format!(
                    "DELETE FROM {table} WHERE {id} IN (SELECT {id} FROM {table} WHERE {at} < $1 AND {when} LIMIT $2)"
                );
                // Every name comes from `Retained::sql` and `ROW_ID`, fixed strings.
                let done = sqlx::query(sqlx::AssertSqlSafe(sql)).bind($crate::Stamp(before)).bind(batch).execute(self.writer()).await?;
                Ok(done.rows_affected())
            }

            async fn subscriber_bit(&self, name: &str) -> $crate::StoreResult<i64> {
                // Two nodes naming a new subscriber at once may pick the same bit: the UNIQUE
                // constraint refuses one, which then reads the other's choice or tries again.
                for _ in 0..8 {
                    let known: Option<(i64,)> = sqlx::query_as("SELECT bit FROM event_subscribers WHERE name = $1")
                        .bind(name)
                        .fetch_optional(self.writer())
                        .await?;
                    if let Some((bit,)) = known {
                        return Ok(bit);
                    }
                    let taken: Option<i64> = sqlx::query_scalar("SELECT MAX(bit) FROM event_subscribers")
                        .fetch_one(self.writer())
                        .await?;
                    let next = match taken {
                        None | Some(0) => 1,
                        Some(b) if b >= 1 << 61 => {
                            return Err($crate::StoreError::Database(sqlx::Error::Protocol("no subscriber bits left".into())));
                        }
                        Some(b) => b * 2,
                    };
                    let _ = sqlx::query("INSERT INTO event_subscribers (name, bit) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(name)
                        .bind(next)
                        .execute(self.writer())
                        .await?;
                }
                Err($crate::StoreError::Database(sqlx::Error::Protocol(format!("could not give subscriber {name} a bit"))))
            }

            async fn pending_events(&self, bit: i64, limit: i64) -> $crate::StoreResult<Vec<$crate::model::Event>> {
                Ok(sqlx::query_as(
                    "SELECT event_id, topic, key, payload, created_at FROM outbox WHERE relayed = FALSE \
                     AND (done_mask & $1) = 0 ORDER BY event_id LIMIT $2",
                )
                .bind(bit)
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn mark_handled(&self, bit: i64, all: i64, ids: &[i64]) -> $crate::StoreResult<()> {
                if ids.is_empty() {
                    return Ok(());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new("UPDATE outbox SET done_mask = done_mask | ");
                qb.push_bind(bit);
                qb.push(", relayed = ((done_mask | ");
                qb.push_bind(bit);
                qb.push(") & ");
                qb.push_bind(all);
                qb.push(") = ");
                qb.push_bind(all);
                qb.push(" WHERE event_id IN (");
                let mut list = qb.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                qb.push(")");
                qb.build().execute(self.writer()).await?;
                Ok(())
            }

            async fn dead_letter(&self, l: &$crate::model::DeadLetter, bit: i64, all: i64) -> $crate::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO event_dead_letters (subscriber, event_id, topic, key, payload, created_at, error, attempts, failed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (subscriber, event_id) DO UPDATE \
                     SET error = EXCLUDED.error, attempts = EXCLUDED.attempts, failed_at = EXCLUDED.failed_at",
                )
                .bind(&l.subscriber)
                .bind(l.event_id)
                .bind(&l.topic)
                .bind(l.key)
                .bind(sqlx::types::Json(&l.payload))
                .bind($crate::Stamp(l.created_at))
                .bind(&l.error)
                .bind(l.attempts)
                .bind($crate::Stamp(l.failed_at))
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE outbox SET done_mask = done_mask | $1, relayed = ((done_mask | $1) & $2) = $2 WHERE event_id = $3",
                )
                .bind(bit)
                .bind(all)
                .bind(l.event_id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn dead_letters(&self, limit: i64, offset: i64) -> $crate::StoreResult<Vec<$crate::model::DeadLetter>> {
                Ok(sqlx::query_as(
                    "SELECT subscriber, event_id, topic, key, payload, created_at, error, attempts, failed_at \
                     FROM event_dead_letters ORDER BY event_id DESC, subscriber LIMIT $1 OFFSET $2",
                )
                .bind(limit)
                .bind(offset)
                .fetch_all(self.reader())
                .await?)
            }

            async fn dead_letter_of(
                &self,
                subscriber: &str,
                event_id: i64,
            ) -> $crate::StoreResult<Option<$crate::model::DeadLetter>> {
                Ok(sqlx::query_as(
                    "SELECT subscriber, event_id, topic, key, payload, created_at, error, attempts, failed_at \
                     FROM event_dead_letters WHERE subscriber = $1 AND event_id = $2",
                )
                .bind(subscriber)
                .bind(event_id)
                .fetch_optional(self.reader())
                .await?)
            }

            async fn forget_dead_letter(&self, subscriber: &str, event_id: i64) -> $crate::StoreResult<bool> {
                let done = sqlx::query("DELETE FROM event_dead_letters WHERE subscriber = $1 AND event_id = $2")
                    .bind(subscriber)
                    .bind(event_id)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
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
                    .bind($crate::Stamp(n.created_at))
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
                .bind($crate::Stamp($crate::now_utc()))
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
