//! `OrderStore` in SQL both backends accept, instantiated per backend. Every status change
//! is conditional on the status it starts from (`WHERE status = $from`), so of two racing
//! changes (cancel and accept) exactly one applies.

macro_rules! order_cols {
    () => {
        "order_id, user_id, restaurant_id, status, payment_method, payment_status, subtotal, discount, delivery_fee, \
         packaging_fee, taxes, total_amount, promo_code, offer_id, delivery_address, delivery_instructions, distance_km, \
         estimated_delivery_time, estimated_preparation_minutes, accept_by, cancel_reason, cancellation_fee, \
         refund_amount, created_at, updated_at, pay_by, rider_id, assigned_at, delivery_otp, otp_attempts, restaurant_discount"
    };
}

macro_rules! rating_cols {
    () => {
        "rating_id, order_id, user_id, restaurant_id, restaurant_rating, delivery_rating, food_quality, review_text, \
         dish_ratings, created_at"
    };
}

macro_rules! impl_order_store {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn write_events(
                tx: &mut sqlx::Transaction<'static, $db>,
                events: &[$crate::model::NewEvent],
            ) -> $crate::StoreResult<()> {
                if events.is_empty() {
                    return Ok(());
                }
                let now = $crate::now_utc();
                let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO outbox (topic, key, payload, created_at, relayed) ");
                qb.push_values(events, |mut b, e| {
                    b.push_bind(e.topic)
                        .push_bind(e.key)
                        .push_bind(sqlx::types::Json(&e.payload))
                        .push_bind($crate::Stamp(now))
                        .push_bind(false);
                });
                qb.build().execute(&mut **tx).await?;
                Ok(())
            }

            async fn write_timeline(
                tx: &mut sqlx::Transaction<'static, $db>,
                order_id: uuid::Uuid,
                status: dabba_domain::order::OrderStatus,
                actor: dabba_domain::order::Actor,
                note: Option<&str>,
                at: time::OffsetDateTime,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO order_timeline (order_id, seq, status, actor, note, at) \
                     SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM order_timeline WHERE order_id = $1",
                )
                .bind(order_id)
                .bind(status.as_str())
                .bind($crate::ordering::actor_name(actor))
                .bind(note)
                .bind($crate::Stamp(at))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// The kitchen took from accepting `order_id` to `now_us` (it is READY): its
            /// learned preparation time moves towards that, as `dabba_domain::learn::Learned`
            /// does, in one statement (two kitchens' orders racing cannot lose one). A time past
            /// the longest promise allowed (a kitchen that forgot to mark it ready) counts as
            /// that.
            async fn learn_preparation(
                tx: &mut sqlx::Transaction<'static, $db>,
                order_id: uuid::Uuid,
                now_us: i64,
            ) -> $crate::StoreResult<()> {
                let row: Option<(uuid::Uuid, Option<i64>)> =
                    sqlx::query_as("SELECT restaurant_id, accepted_us FROM orders WHERE order_id = $1")
                        .bind(order_id)
                        .fetch_optional(&mut **tx)
                        .await?;
                let Some((restaurant, Some(accepted))) = row else { return Ok(()) };
                let seen = ((now_us - accepted) as f64 / 60e6).clamp(1.0, dabba_domain::learn::MAX_PREPARATION_MINUTES);
                let (before,): (f64,) = sqlx::query_as(
                    "SELECT CAST(COALESCE(learned_preparation_minutes, avg_preparation_minutes) AS DOUBLE PRECISION) \
                     FROM restaurants WHERE restaurant_id = $1",
                )
                .bind(restaurant)
                .fetch_one(&mut **tx)
                .await?;
                // The weight of the n-th observation is max(1 / (n + 1), RECENT_WEIGHT): with n =
                // samples + 1, 1 / (samples + 2) until that falls under a tenth (samples >= 9).
                let after: (f64,) = sqlx::query_as(
                    "UPDATE restaurants SET \
                     learned_preparation_minutes = COALESCE(learned_preparation_minutes, avg_preparation_minutes) \
                       + (CASE WHEN preparation_samples < 9 THEN CAST(1.0 AS DOUBLE PRECISION) / (preparation_samples + 2) \
                          ELSE CAST(0.1 AS DOUBLE PRECISION) END) \
                       * ($2 - COALESCE(learned_preparation_minutes, avg_preparation_minutes)), \
                     preparation_samples = preparation_samples + 1 \
                     WHERE restaurant_id = $1 RETURNING learned_preparation_minutes",
                )
                .bind(restaurant)
                .bind(seen)
                .fetch_one(&mut **tx)
                .await?;
                // Listings quote whole minutes from the index: a new minute reaches it as a
                // catalog change (rare once a kitchen's time has settled).
                if after.0.round() != before.round() {
                    Self::write_events(tx, &[$crate::model::catalog_changed(restaurant, "preparation")]).await?;
                }
                Ok(())
            }

            /// The conditional status change, its timeline entry and events; `false` if the
            /// order is no longer in `t.from`.
            async fn apply_transition(
                tx: &mut sqlx::Transaction<'static, $db>,
                t: &$crate::Transition,
            ) -> $crate::StoreResult<bool> {
                let now = $crate::now_utc();
                let (reason, fee, refund) = match &t.cancel {
                    Some(c) => (Some(c.reason.as_str()), c.fee, c.refund),
                    None => (None, 0, 0),
                };
                let done = sqlx::query(
                    "UPDATE orders SET status = $3, updated_at = $4, cancel_reason = COALESCE($5, cancel_reason), \
                     cancellation_fee = cancellation_fee + $6, refund_amount = refund_amount + $7, \
                     estimated_preparation_minutes = COALESCE($8, estimated_preparation_minutes), \
                     estimated_delivery_time = COALESCE($9, estimated_delivery_time), \
                     accept_by = COALESCE($10, accept_by), \
                     confirmed_us = CASE WHEN $3 = 'CONFIRMED' THEN COALESCE(confirmed_us, $12) ELSE confirmed_us END, \
                     accepted_us = CASE WHEN $3 = 'PREPARING' THEN COALESCE(accepted_us, $12) ELSE accepted_us END, \
                     delivered_us = CASE WHEN $3 = 'DELIVERED' THEN COALESCE(delivered_us, $12) ELSE delivered_us END, \
                     cancelled_by = CASE WHEN $3 = 'CANCELLED' THEN $13 ELSE cancelled_by END \
                     WHERE order_id = $1 AND status = $2 AND ($11 IS NULL OR rider_id = $11)",
                )
                .bind(t.order_id)
                .bind(t.from.as_str())
                .bind(t.to.as_str())
                .bind($crate::Stamp(now))
                .bind(reason)
                .bind(fee)
                .bind(refund)
                .bind(t.preparation_minutes)
                .bind(t.estimated_delivery_time.map($crate::Stamp))
                .bind(t.accept_by.map($crate::Stamp))
                .bind(t.rider)
                .bind($crate::micros(now))
                .bind($crate::ordering::actor_name(t.actor))
                .execute(&mut **tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                if t.to == dabba_domain::order::OrderStatus::Ready {
                    Self::learn_preparation(tx, t.order_id, $crate::micros(now)).await?;
                }
                if t.cancel.is_some() {
                    // Put taken stock back and give the offer redemption back.
                    // Exactly what checkout took, in item order (the order checkouts lock items in).
                    let lines: Vec<(uuid::Uuid, i64)> = sqlx::query_as(
                        "SELECT item_id, stock_taken FROM order_items WHERE order_id = $1 AND stock_taken > 0 ORDER BY item_id",
                    )
                            .bind(t.order_id)
                            .fetch_all(&mut **tx)
                            .await?;
                    for (item_id, quantity) in lines {
                        sqlx::query(
                            "UPDATE menu_items SET stock = stock + $2, updated_at = $3 WHERE item_id = $1 AND stock IS NOT NULL",
                        )
                        .bind(item_id)
                        .bind(quantity)
                        .bind($crate::Stamp(now))
                        .execute(&mut **tx)
                        .await?;
                    }
                    let released: Option<(uuid::Uuid,)> = sqlx::query_as(
                        "UPDATE offer_redemptions SET released_at = $2 WHERE order_id = $1 AND released_at IS NULL RETURNING offer_id",
                    )
                    .bind(t.order_id)
                    .bind($crate::Stamp(now))
                    .fetch_optional(&mut **tx)
                    .await?;
                    if let Some((offer_id,)) = released {
                        sqlx::query("UPDATE offers SET usage_count = usage_count - 1 WHERE offer_id = $1 AND usage_count > 0")
                            .bind(offer_id)
                            .execute(&mut **tx)
                            .await?;
                    }
                }
                Self::write_timeline(tx, t.order_id, t.to, t.actor, t.note.as_deref(), now).await?;
                Self::write_events(tx, &t.events).await?;
                Self::apply_money_in(tx, &t.money).await?;
                Ok(true)
            }
        }

        #[async_trait::async_trait]
        impl $crate::OrderStore for $store {
            async fn place_order(&self, p: &$crate::PlaceOrder) -> $crate::StoreResult<()> {
                let o = &p.order;
                let mut tx = self.begin_write().await?;
                // The key first: it fences the whole transaction. A request whose claim a retry
                // took over stops here, before it can refuse anything (a cart the retry
                // consumed) or place a second order; and holding the key's row makes a takeover
                // wait for this transaction's outcome.
                if let Some(k) = &p.key {
                    Self::answer_key_in(&mut tx, k).await?;
                }
                // The cart row next: every cart write locks it first, so they queue, not deadlock.
                sqlx::query("UPDATE carts SET updated_at = updated_at WHERE user_id = $1")
                    .bind(o.user_id)
                    .execute(&mut *tx)
                    .await?;
                if let Some((limit, since)) = p.kitchen_limit {
                    // Serialise this restaurant's checkouts so the limit is exact.
                    sqlx::query("UPDATE restaurants SET kitchen_limit = kitchen_limit WHERE restaurant_id = $1")
                        .bind(o.restaurant_id)
                        .execute(&mut *tx)
                        .await?;
                    let recent: Vec<(time::OffsetDateTime,)> = sqlx::query_as(
                        "SELECT created_at FROM orders WHERE restaurant_id = $1 AND status <> 'CANCELLED' \
                         ORDER BY order_id DESC LIMIT $2",
                    )
                    .bind(o.restaurant_id)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                    if recent.len() as i64 >= limit && recent.iter().all(|(at,)| *at >= since) {
                        return Err($crate::StoreError::refused("RESTAURANT_BUSY", "the kitchen is at its limit"));
                    }
                }
                let mut consumed: Vec<(uuid::Uuid, i64)> =
                    sqlx::query_as("DELETE FROM cart_items WHERE user_id = $1 RETURNING cart_item_id, quantity")
                        .bind(o.user_id)
                        .fetch_all(&mut *tx)
                        .await?;
                let mut expected = p.cart_lines.clone();
                consumed.sort();
                expected.sort();
                if consumed != expected {
                    return Err($crate::StoreError::refused(
                        "CART_CHANGED",
                        "the cart changed while checking out (or this order was already placed); review it and try again",
                    ));
                }
                sqlx::query("DELETE FROM carts WHERE user_id = $1").bind(o.user_id).execute(&mut *tx).await?;
                let now = $crate::now_utc();
                let mut stock: Vec<&$crate::StockTake> = p.stock.iter().collect();
                stock.sort_by_key(|s| s.item_id);
                for s in stock {
                    let taken = sqlx::query(
                        "UPDATE menu_items SET stock = stock - $2, updated_at = $3 \
                         WHERE item_id = $1 AND stock IS NOT NULL AND stock >= $2",
                    )
                    .bind(s.item_id)
                    .bind(s.quantity)
                    .bind($crate::Stamp(now))
                    .execute(&mut *tx)
                    .await?;
                    if taken.rows_affected() == 0 {
                        return Err($crate::StoreError::refused(
                            "OUT_OF_STOCK",
                            format!("{} has just sold out (fewer than {} left)", s.name, s.quantity),
                        ));
                    }
                }
                if let Some(offer) = &p.offer {
                    let took = sqlx::query(
                        "UPDATE offers SET usage_count = usage_count + 1 WHERE offer_id = $1 AND is_active = TRUE \
                         AND (usage_limit IS NULL OR usage_count < usage_limit)",
                    )
                    .bind(offer.offer_id)
                    .execute(&mut *tx)
                    .await?;
                    if took.rows_affected() == 0 {
                        return Err($crate::StoreError::refused("OFFER_EXHAUSTED", "this offer has just been fully used"));
                    }
                    if let Some(limit) = offer.per_user_limit {
                        let (used,): (i64,) = sqlx::query_as(
                            "SELECT COUNT(*) FROM offer_redemptions WHERE offer_id = $1 AND user_id = $2 AND released_at IS NULL",
                        )
                        .bind(offer.offer_id)
                        .bind(o.user_id)
                        .fetch_one(&mut *tx)
                        .await?;
                        if used >= limit {
                            return Err($crate::StoreError::refused(
                                "OFFER_LIMIT_REACHED",
                                "you have already used this offer as often as allowed",
                            ));
                        }
                    }
                }
                sqlx::query(concat!(
                    "INSERT INTO orders (",
                    order_cols!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                     $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)"
                ))
                .bind(o.order_id)
                .bind(o.user_id)
                .bind(o.restaurant_id)
                .bind(o.status.as_str())
                .bind(&o.payment_method)
                .bind(&o.payment_status)
                .bind(o.subtotal)
                .bind(o.discount)
                .bind(o.delivery_fee)
                .bind(o.packaging_fee)
                .bind(o.taxes)
                .bind(o.total_amount)
                .bind(&o.promo_code)
                .bind(o.offer_id)
                .bind(sqlx::types::Json(&o.delivery_address))
                .bind(&o.delivery_instructions)
                .bind(o.distance_km)
                .bind($crate::Stamp(o.estimated_delivery_time))
                .bind(o.estimated_preparation_minutes)
                .bind(o.accept_by.map($crate::Stamp))
                .bind(&o.cancel_reason)
                .bind(o.cancellation_fee)
                .bind(o.refund_amount)
                .bind($crate::Stamp(o.created_at))
                .bind($crate::Stamp(o.updated_at))
                .bind(o.pay_by.map($crate::Stamp))
                .bind(o.rider_id)
                .bind(o.assigned_at.map($crate::Stamp))
                .bind(&o.delivery_otp)
                .bind(o.otp_attempts)
                .bind(o.restaurant_discount)
                .execute(&mut *tx)
                .await
                .map_err($crate::StoreError::classify)?;
                for l in &p.lines {
                    sqlx::query(
                        "INSERT INTO order_items (order_id, line_no, item_id, name, quantity, unit_price, customizations, \
                         line_total, stock_taken) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(o.order_id)
                    .bind(l.line_no)
                    .bind(l.item_id)
                    .bind(&l.name)
                    .bind(l.quantity)
                    .bind(l.unit_price)
                    .bind(sqlx::types::Json(&l.customizations))
                    .bind(l.line_total)
                    .bind(l.stock_taken)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some(offer) = &p.offer {
                    sqlx::query("INSERT INTO offer_redemptions (order_id, offer_id, user_id, redeemed_at) VALUES ($1, $2, $3, $4)")
                        .bind(o.order_id)
                        .bind(offer.offer_id)
                        .bind(o.user_id)
                        .bind($crate::Stamp(now))
                        .execute(&mut *tx)
                        .await?;
                }
                Self::write_timeline(&mut tx, o.order_id, o.status, p.actor, None, o.created_at).await?;
                // The dashboard's moments (see the migration 0009).
                let placed = $crate::micros(o.created_at);
                sqlx::query("UPDATE orders SET placed_us = $2, confirmed_us = $3 WHERE order_id = $1")
                    .bind(o.order_id)
                    .bind(placed)
                    .bind((o.status == dabba_domain::order::OrderStatus::Confirmed).then_some(placed))
                    .execute(&mut *tx)
                    .await?;
                Self::write_events(&mut tx, &p.events).await?;
                Self::apply_money_in(&mut tx, &p.money).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn order(&self, order_id: uuid::Uuid) -> $crate::StoreResult<Option<$crate::model::Order>> {
                Ok(sqlx::query_as(concat!("SELECT ", order_cols!(), " FROM orders WHERE order_id = $1"))
                    .bind(order_id)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn order_lines(&self, order_id: uuid::Uuid) -> $crate::StoreResult<Vec<$crate::model::OrderLine>> {
                Ok(sqlx::query_as(
                    "SELECT order_id, line_no, item_id, name, quantity, unit_price, customizations, line_total, stock_taken \
                     FROM order_items WHERE order_id = $1 ORDER BY line_no",
                )
                .bind(order_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn timeline(&self, order_id: uuid::Uuid) -> $crate::StoreResult<Vec<$crate::model::TimelineEntry>> {
                Ok(sqlx::query_as(
                    "SELECT order_id, seq, status, actor, note, at FROM order_timeline WHERE order_id = $1 ORDER BY seq",
                )
                .bind(order_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn orders_of_user(
                &self,
                user_id: uuid::Uuid,
                active: Option<bool>,
                limit: i64,
                offset: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::Order>> {
                let q = match active {
                    None => concat!("SELECT ", order_cols!(), " FROM orders WHERE user_id = $1 ORDER BY order_id DESC LIMIT $2 OFFSET $3"),
                    Some(true) => concat!(
                        "SELECT ",
                        order_cols!(),
                        " FROM orders WHERE user_id = $1 AND status NOT IN ('DELIVERED', 'COMPLETED', 'CANCELLED') \
                         ORDER BY order_id DESC LIMIT $2 OFFSET $3"
                    ),
                    Some(false) => concat!(
                        "SELECT ",
                        order_cols!(),
                        " FROM orders WHERE user_id = $1 AND status IN ('DELIVERED', 'COMPLETED', 'CANCELLED') \
                         ORDER BY order_id DESC LIMIT $2 OFFSET $3"
                    ),
                };
                Ok(sqlx::query_as(q).bind(user_id).bind(limit).bind(offset).fetch_all(self.reader()).await?)
            }

            async fn orders_of_restaurant(
                &self,
                restaurant_id: uuid::Uuid,
                status: Option<dabba_domain::order::OrderStatus>,
                limit: i64,
                offset: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::Order>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    order_cols!(),
                    " FROM orders WHERE restaurant_id = $1 AND ($2 IS NULL OR status = $2) ORDER BY order_id DESC LIMIT $3 OFFSET $4"
                ))
                .bind(restaurant_id)
                .bind(status.map(|s| s.as_str()))
                .bind(limit)
                .bind(offset)
                .fetch_all(self.reader())
                .await?)
            }

            async fn find_orders(
                &self,
                user_id: Option<uuid::Uuid>,
                restaurant_id: Option<uuid::Uuid>,
                status: Option<dabba_domain::order::OrderStatus>,
                limit: i64,
                offset: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::Order>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    order_cols!(),
                    " FROM orders WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR restaurant_id = $2) \
                     AND ($3 IS NULL OR status = $3) ORDER BY order_id DESC LIMIT $4 OFFSET $5"
                ))
                .bind(user_id)
                .bind(restaurant_id)
                .bind(status.map(|s| s.as_str()))
                .bind(limit)
                .bind(offset)
                .fetch_all(self.reader())
                .await?)
            }

            async fn count_orders_of_user(&self, user_id: uuid::Uuid) -> $crate::StoreResult<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders WHERE user_id = $1 AND status <> 'CANCELLED'")
                    .bind(user_id)
                    .fetch_one(self.reader())
                    .await?;
                Ok(n)
            }

            async fn transition(&self, t: &$crate::Transition) -> $crate::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let applied = Self::apply_transition(&mut tx, t).await?;
                if applied {
                    tx.commit().await?;
                }
                Ok(applied)
            }

            async fn unaccepted_before(&self, now: time::OffsetDateTime) -> $crate::StoreResult<Vec<$crate::model::Order>> {
                // Times are stored in one text form (`Stamp`): compared exactly, through the index.
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    order_cols!(),
                    " FROM orders WHERE status = 'CONFIRMED' AND accept_by < $1 ORDER BY accept_by LIMIT 500"
                ))
                .bind($crate::Stamp(now))
                .fetch_all(self.reader())
                .await?)
            }

            async fn rate_order(
                &self,
                r: &$crate::model::Rating,
                events: &[$crate::model::NewEvent],
            ) -> $crate::StoreResult<bool> {
                use dabba_domain::order::{Actor, OrderStatus};
                let mut tx = self.begin_write().await?;
                let t = $crate::Transition {
                    order_id: r.order_id,
                    from: OrderStatus::Delivered,
                    to: OrderStatus::Completed,
                    actor: Actor::Customer,
                    note: Some("rated".into()),
                    cancel: None,
                    preparation_minutes: None,
                    estimated_delivery_time: None,
                    accept_by: None,
                    rider: None,
                    events: events.to_vec(),
                    money: Default::default(),
                };
                if !Self::apply_transition(&mut tx, &t).await? {
                    return Ok(false);
                }
                sqlx::query(concat!("INSERT INTO ratings (", rating_cols!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
                    .bind(r.rating_id)
                    .bind(r.order_id)
                    .bind(r.user_id)
                    .bind(r.restaurant_id)
                    .bind(r.restaurant_rating)
                    .bind(r.delivery_rating)
                    .bind(r.food_quality)
                    .bind(&r.review_text)
                    .bind(sqlx::types::Json(&r.dish_ratings))
                    .bind($crate::Stamp(r.created_at))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::StoreError::classify)?;
                sqlx::query(
                    "UPDATE restaurants SET rating_avg = (rating_avg * rating_count + $2) / (rating_count + 1), \
                     rating_count = rating_count + 1, updated_at = $3 WHERE restaurant_id = $1",
                )
                .bind(r.restaurant_id)
                .bind(r.restaurant_rating as f64)
                .bind($crate::Stamp($crate::now_utc()))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn rating(&self, order_id: uuid::Uuid) -> $crate::StoreResult<Option<$crate::model::Rating>> {
                Ok(sqlx::query_as(concat!("SELECT ", rating_cols!(), " FROM ratings WHERE order_id = $1"))
                    .bind(order_id)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn order_counts_since(
                &self,
                since: time::OffsetDateTime,
            ) -> $crate::StoreResult<Vec<(uuid::Uuid, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT restaurant_id, COUNT(*) FROM orders WHERE created_at >= $1 GROUP BY restaurant_id",
                )
                .bind($crate::Stamp(since))
                .fetch_all(self.reader())
                .await?)
            }

            async fn dashboard_counts(
                &self,
                from: time::OffsetDateTime,
                to: time::OffsetDateTime,
            ) -> $crate::StoreResult<$crate::model::DashboardCounts> {
                use $crate::dashboard as d;
                let (a, b) = ($crate::micros(from), $crate::micros(to));
                // Before the snapshot: the margin a quarter needs counts from what it saw.
                let now = $crate::micros($crate::now_utc());
                // One snapshot, so the kept quarters and the counted ones agree.
                let mut tx = self.begin_snapshot().await?;
                let kept: Vec<(i64, sqlx::types::Json<d::SlotFigures>)> = if d::on_grid(a, b) {
                    sqlx::query_as("SELECT slot_us, figures FROM dashboard_slots WHERE slot_us >= $1 AND slot_us < $2 ORDER BY slot_us")
                        .bind(a)
                        .bind(b)
                        .fetch_all(&mut *tx)
                        .await?
                } else {
                    Vec::new()
                };
                let starts: Vec<i64> = kept.iter().map(|(s, _)| *s).collect();
                let mut counted = std::collections::BTreeMap::new();
                for (ga, gb) in d::gaps(a, b, &starts) {
                    // Each read comes from the index `orders_dashboard` alone (cancelled orders'
                    // reasons from their rows); quarters counted from `a`.
                    let grouped = d::Grouped {
                        by_status: sqlx::query_as(
                            "SELECT (placed_us - $1) / 900000000, status, COUNT(*), CAST(SUM(total_amount) AS BIGINT) FROM orders \
                             WHERE placed_us >= $2 AND placed_us < $3 GROUP BY 1, 2",
                        )
                        .bind(a)
                        .bind(ga)
                        .bind(gb)
                        .fetch_all(&mut *tx)
                        .await?,
                        delivery: sqlx::query_as(
                            "SELECT (placed_us - $1) / 900000000, (delivered_us - placed_us) / 1000000, COUNT(*) FROM orders \
                             WHERE placed_us >= $2 AND placed_us < $3 AND delivered_us IS NOT NULL GROUP BY 1, 2",
                        )
                        .bind(a)
                        .bind(ga)
                        .bind(gb)
                        .fetch_all(&mut *tx)
                        .await?,
                        accept: sqlx::query_as(
                            "SELECT (placed_us - $1) / 900000000, (accepted_us - confirmed_us) / 1000000, COUNT(*) FROM orders \
                             WHERE placed_us >= $2 AND placed_us < $3 AND accepted_us IS NOT NULL AND confirmed_us IS NOT NULL \
                             GROUP BY 1, 2",
                        )
                        .bind(a)
                        .bind(ga)
                        .bind(gb)
                        .fetch_all(&mut *tx)
                        .await?,
                        cancellations: sqlx::query_as(
                            "SELECT (placed_us - $1) / 900000000, cancelled_by, cancel_reason, COUNT(*) FROM orders \
                             WHERE placed_us >= $2 AND placed_us < $3 AND cancelled_by IS NOT NULL GROUP BY 1, 2, 3",
                        )
                        .bind(a)
                        .bind(ga)
                        .bind(gb)
                        .fetch_all(&mut *tx)
                        .await?,
                    };
                    counted.extend(grouped.into_slots(a));
                }
                tx.commit().await?;
                let seal = d::sealable(&counted, a, b, now);
                for (start, f) in seal.iter().filter(|(s, _)| starts.binary_search(s).is_err()) {
                    // Kept only if the quarter still holds the orders counted (a seed may have
                    // written into it since the snapshot); another reader may have kept the
                    // same quarter first, from the same orders. A failure costs only the speed
                    // of a later read, so it does not fail this one.
                    let orders: i64 = f.by_status.iter().map(|(_, n, _)| n).sum();
                    let kept = sqlx::query(
                        "INSERT INTO dashboard_slots (slot_us, figures) SELECT $1, $2 \
                         WHERE (SELECT COUNT(*) FROM orders WHERE placed_us >= $1 AND placed_us < $3) = $4 \
                         ON CONFLICT (slot_us) DO NOTHING",
                    )
                    .bind(*start)
                    .bind(sqlx::types::Json(f))
                    .bind(*start + d::SLOT_US)
                    .bind(orders)
                    .execute(self.writer())
                    .await;
                    if let Err(e) = kept {
                        tracing::warn!(error = %e, "keeping a settled quarter hour of the dashboard failed");
                        break;
                    }
                }
                let all = kept.iter().map(|(s, f)| (*s, &f.0)).chain(counted.iter().map(|(s, f)| (*s, f)));
                Ok(d::counts(a, all))
            }

            async fn ratings_of_restaurant(
                &self,
                restaurant_id: uuid::Uuid,
                limit: i64,
                offset: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::Rating>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    rating_cols!(),
                    " FROM ratings WHERE restaurant_id = $1 ORDER BY rating_id DESC LIMIT $2 OFFSET $3"
                ))
                .bind(restaurant_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(self.reader())
                .await?)
            }
        }
    };
}
