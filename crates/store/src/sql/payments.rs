//! `PaymentStore` in SQL both backends accept, and the money write that checkout and status
//! changes also apply inside their own transactions. Every guard is a conditional statement
//! (`WHERE status = $seen`, `WHERE refunded = $seen`, `WHERE balance + $delta >= 0`) whose
//! "0 rows" refuses the whole write.

macro_rules! payment_cols {
    () => {
        "payment_id, user_id, order_id, purpose, method, amount, currency, status, gateway_ref, gateway_url, captured, \
         refunded, card_token, card_brand, card_last4, card_expiry, failure_reason, review_reason, expires_at, \
         created_at, updated_at"
    };
}

macro_rules! refund_cols {
    () => {
        "refund_id, payment_id, amount, reason, destination, status, gateway_ref, actor, created_at, updated_at, \
         attempts, next_attempt_at, last_error"
    };
}

macro_rules! impl_payment_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Stores the answer of a claimed Idempotency-Key in the transaction of its effect.
            /// A request whose claim a retry took over (it ran past the stale window) stops
            /// here and writes nothing; holding the key's row makes a takeover wait for this
            /// transaction's outcome.
            pub(crate) async fn answer_key_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                k: &$crate::KeyDone,
            ) -> $crate::StoreResult<()> {
                let done = sqlx::query(
                    "UPDATE idempotency_keys SET state = 'DONE', status_code = $3, response = $4 \
                     WHERE user_id = $1 AND key = $2 AND state = 'IN_PROGRESS' AND claim_token = $5",
                )
                .bind(k.user_id)
                .bind(&k.key)
                .bind(k.status as i32)
                .bind(sqlx::types::Json(&k.body))
                .bind(k.token)
                .execute(&mut **tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err($crate::StoreError::refused(
                        "REQUEST_IN_PROGRESS",
                        "a retry of this request is running now; wait for its answer",
                    ));
                }
                Ok(())
            }

            pub(crate) async fn apply_money_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                w: &$crate::MoneyWrite,
            ) -> $crate::StoreResult<()> {
                use $crate::StoreError;
                let now = $crate::now_utc();
                if let Some(k) = &w.key {
                    Self::answer_key_in(tx, k).await?;
                }
                let stale = || StoreError::refused("STALE", "the payment changed meanwhile; read it again");
                if let Some(e) = &w.gateway_event {
                    let fresh = sqlx::query(
                        "INSERT INTO gateway_events (event_id, payment_id, kind, received_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (event_id) DO NOTHING",
                    )
                    .bind(&e.event_id)
                    .bind(e.payment_id)
                    .bind(&e.kind)
                    .bind($crate::Stamp(now))
                    .execute(&mut **tx)
                    .await?;
                    if fresh.rows_affected() == 0 {
                        return Err(StoreError::refused("DUPLICATE_EVENT", "this gateway event was applied before"));
                    }
                }
                for p in &w.new_payments {
                    sqlx::query(concat!(
                        "INSERT INTO payments (",
                        payment_cols!(),
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
                    ))
                    .bind(p.payment_id)
                    .bind(p.user_id)
                    .bind(p.order_id)
                    .bind(&p.purpose)
                    .bind(&p.method)
                    .bind(p.amount)
                    .bind(&p.currency)
                    .bind(&p.status)
                    .bind(&p.gateway_ref)
                    .bind(&p.gateway_url)
                    .bind(p.captured)
                    .bind(p.refunded)
                    .bind(&p.card_token)
                    .bind(&p.card_brand)
                    .bind(&p.card_last4)
                    .bind(&p.card_expiry)
                    .bind(&p.failure_reason)
                    .bind(&p.review_reason)
                    .bind($crate::Stamp(p.expires_at))
                    .bind($crate::Stamp(p.created_at))
                    .bind($crate::Stamp(p.updated_at))
                    .execute(&mut **tx)
                    .await
                    .map_err(StoreError::classify)?;
                }
                for c in &w.payment_changes {
                    let card = c.card.as_ref();
                    let done = sqlx::query(
                        "UPDATE payments SET status = $3, captured = captured + $4, \
                         card_token = COALESCE($5, card_token), card_brand = COALESCE($6, card_brand), \
                         card_last4 = COALESCE($7, card_last4), card_expiry = COALESCE($8, card_expiry), \
                         failure_reason = COALESCE($9, failure_reason), review_reason = COALESCE($10, review_reason), \
                         updated_at = $11 WHERE payment_id = $1 AND status = $2",
                    )
                    .bind(c.payment_id)
                    .bind(&c.from)
                    .bind(&c.to)
                    .bind(c.capture)
                    .bind(card.map(|c| &c.token))
                    .bind(card.map(|c| &c.brand))
                    .bind(card.map(|c| &c.last4))
                    .bind(card.map(|c| &c.expiry))
                    .bind(&c.failure_reason)
                    .bind(&c.review_reason)
                    .bind($crate::Stamp(now))
                    .execute(&mut **tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err(stale());
                    }
                }
                for r in &w.refunds {
                    let f = &r.refund;
                    let fits = sqlx::query(
                        "UPDATE payments SET refunded = refunded + $3, updated_at = $4 \
                         WHERE payment_id = $1 AND refunded = $2 AND captured >= refunded + $3",
                    )
                    .bind(f.payment_id)
                    .bind(r.seen_refunded)
                    .bind(f.amount)
                    .bind($crate::Stamp(now))
                    .execute(&mut **tx)
                    .await?;
                    if fits.rows_affected() == 0 {
                        return Err(stale());
                    }
                    sqlx::query(concat!("INSERT INTO refunds (", refund_cols!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"))
                        .bind(f.refund_id)
                        .bind(f.payment_id)
                        .bind(f.amount)
                        .bind(&f.reason)
                        .bind(&f.destination)
                        .bind(&f.status)
                        .bind(&f.gateway_ref)
                        .bind(&f.actor)
                        .bind($crate::Stamp(f.created_at))
                        .bind($crate::Stamp(f.updated_at))
                        .bind(f.attempts)
                        .bind(f.next_attempt_at.map($crate::Stamp))
                        .bind(&f.last_error)
                        .execute(&mut **tx)
                        .await
                        .map_err(StoreError::classify)?;
                }
                for (user_id, delta) in &w.wallet {
                    sqlx::query(
                        "INSERT INTO wallets (user_id, balance, updated_at) VALUES ($1, 0, $2) ON CONFLICT (user_id) DO NOTHING",
                    )
                    .bind(user_id)
                    .bind($crate::Stamp(now))
                    .execute(&mut **tx)
                    .await?;
                    let moved = sqlx::query(
                        "UPDATE wallets SET balance = balance + $2, updated_at = $3 WHERE user_id = $1 AND balance + $2 >= 0",
                    )
                    .bind(user_id)
                    .bind(delta)
                    .bind($crate::Stamp(now))
                    .execute(&mut **tx)
                    .await?;
                    if moved.rows_affected() == 0 {
                        return Err(StoreError::refused("INSUFFICIENT_BALANCE", "the wallet does not hold enough"));
                    }
                }
                Self::write_ledger(tx, &w.ledger, now).await?;
                if let Some((order_id, method, status)) = &w.order_payment {
                    sqlx::query("UPDATE orders SET payment_method = $2, payment_status = $3, updated_at = $4 WHERE order_id = $1")
                        .bind(order_id)
                        .bind(method)
                        .bind(status)
                        .bind($crate::Stamp(now))
                        .execute(&mut **tx)
                        .await?;
                }
                if let Some((order_id, amount)) = w.order_refund {
                    sqlx::query("UPDATE orders SET refund_amount = refund_amount + $2 WHERE order_id = $1")
                        .bind(order_id)
                        .bind(amount)
                        .execute(&mut **tx)
                        .await?;
                }
                if let Some(refund_id) = w.refund_to_wallet {
                    let done = sqlx::query(
                        "UPDATE refunds SET status = 'SUCCEEDED', destination = 'WALLET', updated_at = $2 \
                         WHERE refund_id = $1 AND status = 'FAILED'",
                    )
                    .bind(refund_id)
                    .bind($crate::Stamp(now))
                    .execute(&mut **tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Err(stale());
                    }
                }
                Self::write_events(tx, &w.events).await?;
                Ok(())
            }

            async fn write_ledger(
                tx: &mut sqlx::Transaction<'static, $db>,
                txns: &[$crate::LedgerTxn],
                now: time::OffsetDateTime,
            ) -> $crate::StoreResult<()> {
                if txns.is_empty() {
                    return Ok(());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO ledger_transactions (txn_id, kind, order_id, payment_id, created_at) ",
                );
                qb.push_values(txns, |mut b, t| {
                    b.push_bind(t.txn_id).push_bind(t.posting.kind).push_bind(t.order_id).push_bind(t.payment_id).push_bind($crate::Stamp(now));
                });
                qb.build().execute(&mut **tx).await?;
                let lines: Vec<(uuid::Uuid, i32, String, i64)> = txns
                    .iter()
                    .flat_map(|t| {
                        t.posting.lines.iter().enumerate().map(|(i, (account, amount))| (t.txn_id, i as i32, account.to_string(), *amount))
                    })
                    .collect();
                if lines.is_empty() {
                    return Ok(());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO ledger_entries (txn_id, line_no, account, amount, created_at) ");
                qb.push_values(&lines, |mut b, l| {
                    b.push_bind(l.0).push_bind(l.1).push_bind(&l.2).push_bind(l.3).push_bind($crate::Stamp(now));
                });
                qb.build().execute(&mut **tx).await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::PaymentStore for $store {
            async fn apply_money(&self, w: &$crate::MoneyWrite) -> $crate::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::apply_money_in(&mut tx, w).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn payment(&self, payment_id: uuid::Uuid) -> $crate::StoreResult<Option<$crate::model::Payment>> {
                Ok(sqlx::query_as(concat!("SELECT ", payment_cols!(), " FROM payments WHERE payment_id = $1"))
                    .bind(payment_id)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn payments_of_order(&self, order_id: uuid::Uuid) -> $crate::StoreResult<Vec<$crate::model::Payment>> {
                Ok(sqlx::query_as(concat!("SELECT ", payment_cols!(), " FROM payments WHERE order_id = $1 ORDER BY payment_id"))
                    .bind(order_id)
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn open_payments(
                &self,
                created_before: time::OffsetDateTime,
                limit: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::Payment>> {
                // Longest-unasked first (never asked counts from creation), so every open payment
                // gets its turn however many are open.
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    payment_cols!(),
                    " FROM payments WHERE status = 'PENDING' AND method IN ('CARD', 'UPI') AND created_at < $1 \
                     ORDER BY COALESCE(checked_at, created_at), payment_id LIMIT $2"
                ))
                .bind($crate::Stamp(created_before))
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn payments_checked(&self, ids: &[uuid::Uuid], at: time::OffsetDateTime) -> $crate::StoreResult<()> {
                for id in ids {
                    sqlx::query("UPDATE payments SET checked_at = $2 WHERE payment_id = $1")
                        .bind(id)
                        .bind($crate::Stamp(at))
                        .execute(self.writer())
                        .await?;
                }
                Ok(())
            }

            async fn expired_payments(
                &self,
                now: time::OffsetDateTime,
                limit: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::Payment>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    payment_cols!(),
                    " FROM payments WHERE status = 'PENDING' AND method IN ('CARD', 'UPI') AND expires_at < $1 \
                     ORDER BY COALESCE(checked_at, expires_at), payment_id LIMIT $2"
                ))
                .bind($crate::Stamp(now))
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn payments_in(&self, status: &str, limit: i64) -> $crate::StoreResult<Vec<$crate::model::Payment>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    payment_cols!(),
                    " FROM payments WHERE status = $1 ORDER BY payment_id LIMIT $2"
                ))
                .bind(status)
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn refund(&self, refund_id: uuid::Uuid) -> $crate::StoreResult<Option<$crate::model::Refund>> {
                Ok(sqlx::query_as(concat!("SELECT ", refund_cols!(), " FROM refunds WHERE refund_id = $1"))
                    .bind(refund_id)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn refunds_in(&self, status: &str, limit: i64) -> $crate::StoreResult<Vec<$crate::model::Refund>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    refund_cols!(),
                    " FROM refunds WHERE status = $1 ORDER BY refund_id LIMIT $2"
                ))
                .bind(status)
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn refunds_of_payment(&self, payment_id: uuid::Uuid) -> $crate::StoreResult<Vec<$crate::model::Refund>> {
                Ok(sqlx::query_as(concat!("SELECT ", refund_cols!(), " FROM refunds WHERE payment_id = $1 ORDER BY refund_id"))
                    .bind(payment_id)
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn pending_refunds(
                &self,
                now: time::OffsetDateTime,
                limit: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::Refund>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    refund_cols!(),
                    " FROM refunds WHERE status = 'PENDING' AND (next_attempt_at IS NULL OR next_attempt_at <= $1) \
                     ORDER BY refund_id LIMIT $2"
                ))
                .bind($crate::Stamp(now))
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn refund_attempt_failed(
                &self,
                refund_id: uuid::Uuid,
                error: &str,
                tries: i32,
                retry_at: time::OffsetDateTime,
            ) -> $crate::StoreResult<bool> {
                // Counted here, not from the caller's copy: two workers failing one refund at
                // once spend two tries, and the one that spends the last makes it FAILED.
                let done = sqlx::query(
                    "UPDATE refunds SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, \
                     status = CASE WHEN attempts + 1 >= $4 THEN 'FAILED' ELSE 'PENDING' END, updated_at = $5 \
                     WHERE refund_id = $1 AND status = 'PENDING'",
                )
                .bind(refund_id)
                .bind(error)
                .bind($crate::Stamp(retry_at))
                .bind(tries)
                .bind($crate::Stamp($crate::now_utc()))
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn retry_refund(&self, refund_id: uuid::Uuid) -> $crate::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE refunds SET status = 'PENDING', attempts = 0, next_attempt_at = NULL, updated_at = $2 \
                     WHERE refund_id = $1 AND status = 'FAILED'",
                )
                .bind(refund_id)
                .bind($crate::Stamp($crate::now_utc()))
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn refund_sent(&self, refund_id: uuid::Uuid, gateway_ref: &str) -> $crate::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE refunds SET status = 'SUCCEEDED', gateway_ref = $2, updated_at = $3 \
                     WHERE refund_id = $1 AND status = 'PENDING'",
                )
                .bind(refund_id)
                .bind(gateway_ref)
                .bind($crate::Stamp($crate::now_utc()))
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn unpaid_before(&self, now: time::OffsetDateTime) -> $crate::StoreResult<Vec<$crate::model::Order>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    order_cols!(),
                    " FROM orders WHERE status = 'PENDING' AND pay_by < $1 ORDER BY pay_by LIMIT 500"
                ))
                .bind($crate::Stamp(now))
                .fetch_all(self.reader())
                .await?)
            }

            async fn wallet_balance(&self, user_id: uuid::Uuid) -> $crate::StoreResult<i64> {
                let row: Option<(i64,)> = sqlx::query_as("SELECT balance FROM wallets WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(row.map_or(0, |(b,)| b))
            }

            async fn order_ledger(&self, order_id: uuid::Uuid) -> $crate::StoreResult<Vec<$crate::model::LedgerLine>> {
                Ok(sqlx::query_as(
                    "SELECT e.txn_id, t.kind, t.order_id, t.payment_id, e.account, e.amount, e.created_at \
                     FROM ledger_transactions t JOIN ledger_entries e ON e.txn_id = t.txn_id \
                     WHERE t.order_id = $1 ORDER BY e.created_at, e.txn_id, e.line_no",
                )
                .bind(order_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn account_lines(
                &self,
                account: &str,
                from: time::OffsetDateTime,
                to: time::OffsetDateTime,
                limit: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::LedgerLine>> {
                Ok(sqlx::query_as(
                    "SELECT e.txn_id, t.kind, t.order_id, t.payment_id, e.account, e.amount, e.created_at \
                     FROM ledger_entries e JOIN ledger_transactions t ON t.txn_id = e.txn_id \
                     WHERE e.account = $1 AND e.created_at >= $2 AND e.created_at < $3 \
                     ORDER BY e.created_at, e.txn_id, e.line_no LIMIT $4",
                )
                .bind(account)
                .bind($crate::Stamp(from))
                .bind($crate::Stamp(to))
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn ledger_snapshot(&self) -> $crate::StoreResult<$crate::model::LedgerSnapshot> {
                // One snapshot, so every read sees the same ledger.
                let mut tx = self.begin_snapshot().await?;
                let (transactions,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM ledger_transactions").fetch_one(&mut *tx).await?;
                let unbalanced: Vec<(uuid::Uuid, i64)> = sqlx::query_as(
                    "SELECT txn_id, CAST(SUM(amount) AS BIGINT) FROM ledger_entries GROUP BY txn_id HAVING SUM(amount) <> 0",
                )
                .fetch_all(&mut *tx)
                .await?;
                let (total,): (i64,) = sqlx::query_as("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries")
                    .fetch_one(&mut *tx)
                    .await?;
                let by_order: Vec<(uuid::Uuid, String, String, i64)> = sqlx::query_as(
                    "SELECT t.order_id, t.kind, e.account, CAST(SUM(e.amount) AS BIGINT) FROM ledger_transactions t \
                     JOIN ledger_entries e ON e.txn_id = t.txn_id WHERE t.order_id IS NOT NULL \
                     GROUP BY t.order_id, t.kind, e.account",
                )
                .fetch_all(&mut *tx)
                .await?;
                let orders: Vec<$crate::model::OrderMoneyRow> = sqlx::query_as(
                    "SELECT order_id, user_id, restaurant_id, status, payment_method, subtotal, discount, delivery_fee, \
                     packaging_fee, taxes, total_amount, cancellation_fee, restaurant_discount FROM orders",
                )
                .fetch_all(&mut *tx)
                .await?;
                let wallets: Vec<(uuid::Uuid, i64)> =
                    sqlx::query_as("SELECT user_id, balance FROM wallets").fetch_all(&mut *tx).await?;
                let accounts: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT account, CAST(SUM(amount) AS BIGINT) FROM ledger_entries GROUP BY account ORDER BY account",
                )
                .fetch_all(&mut *tx)
                .await?;
                let payments: Vec<(uuid::Uuid, Option<uuid::Uuid>, String, i64, i64, i64)> = sqlx::query_as(
                    "SELECT p.payment_id, p.order_id, p.status, p.captured, p.refunded, \
                     CAST(COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.payment_id = p.payment_id), 0) AS BIGINT) \
                     FROM payments p",
                )
                .fetch_all(&mut *tx)
                .await?;
                let failed_refunds: Vec<(uuid::Uuid, uuid::Uuid, i64)> =
                    sqlx::query_as("SELECT refund_id, payment_id, amount FROM refunds WHERE status = 'FAILED' ORDER BY refund_id")
                        .fetch_all(&mut *tx)
                        .await?;
                tx.rollback().await?;
                Ok($crate::model::LedgerSnapshot {
                    transactions,
                    unbalanced,
                    total,
                    by_order,
                    orders,
                    wallets,
                    accounts,
                    payments,
                    failed_refunds,
                })
            }
        }
    };
}
