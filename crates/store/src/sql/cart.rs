//! `CartStore` and `OfferStore` in SQL both backends accept, instantiated per backend.

macro_rules! offer_cols {
    () => {
        "offer_id, code, description, discount_type, discount_value, min_order_value, max_discount, valid_from, \
         valid_until, usage_limit, usage_count, per_user_limit, applicable_to, restaurant_ids, created_by, is_active, \
         created_at, funded_by"
    };
}

macro_rules! impl_cart_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::CartStore for $store {
            async fn cart(
                &self,
                user_id: uuid::Uuid,
            ) -> $crate::StoreResult<(Option<$crate::model::CartHead>, Vec<$crate::model::CartLine>)> {
                let head = sqlx::query_as("SELECT user_id, restaurant_id, promo_code FROM carts WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_optional(self.reader())
                    .await?;
                let lines = sqlx::query_as(
                    "SELECT cart_item_id, user_id, item_id, selection_key, selection, quantity, unit_price \
                     FROM cart_items WHERE user_id = $1 ORDER BY cart_item_id",
                )
                .bind(user_id)
                .fetch_all(self.reader())
                .await?;
                Ok((head, lines))
            }

            async fn add_to_cart(
                &self,
                user_id: uuid::Uuid,
                restaurant_id: uuid::Uuid,
                line: $crate::model::CartLine,
                replace: bool,
                max_quantity: i64,
                max_lines: i64,
            ) -> $crate::StoreResult<$crate::model::CartLine> {
                let mut tx = self.begin_write().await?;
                let now = $crate::now_utc();
                // Create or lock the cart row first: concurrent adds (and checkout) for this
                // customer then queue on it instead of colliding on inserts or deadlocking.
                let (current,): (uuid::Uuid,) = sqlx::query_as(
                    "INSERT INTO carts (user_id, restaurant_id, promo_code, updated_at) VALUES ($1, $2, NULL, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING restaurant_id",
                )
                .bind(user_id)
                .bind(restaurant_id)
                .bind($crate::Stamp(now))
                .fetch_one(&mut *tx)
                .await
                .map_err($crate::StoreError::classify)?;
                if current != restaurant_id {
                    let (lines,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cart_items WHERE user_id = $1")
                        .bind(user_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    if lines > 0 && !replace {
                        return Err($crate::StoreError::refused(
                            "CART_RESTAURANT_CONFLICT",
                            "your cart has food from another restaurant; send replace_cart: true to start a new cart",
                        ));
                    }
                    sqlx::query("DELETE FROM cart_items WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                    sqlx::query("UPDATE carts SET restaurant_id = $2, promo_code = NULL WHERE user_id = $1")
                        .bind(user_id)
                        .bind(restaurant_id)
                        .execute(&mut *tx)
                        .await?;
                }
                let same: Option<$crate::model::CartLine> = sqlx::query_as(
                    "SELECT cart_item_id, user_id, item_id, selection_key, selection, quantity, unit_price \
                     FROM cart_items WHERE user_id = $1 AND item_id = $2 AND selection_key = $3",
                )
                .bind(user_id)
                .bind(line.item_id)
                .bind(&line.selection_key)
                .fetch_optional(&mut *tx)
                .await?;
                let saved = match same {
                    Some(mut existing) => {
                        existing.quantity += line.quantity;
                        existing.unit_price = line.unit_price;
                        if existing.quantity > max_quantity {
                            return Err($crate::StoreError::refused(
                                "QUANTITY_TOO_LARGE",
                                format!("at most {max_quantity} of one dish per order"),
                            ));
                        }
                        sqlx::query("UPDATE cart_items SET quantity = $2, unit_price = $3 WHERE cart_item_id = $1")
                            .bind(existing.cart_item_id)
                            .bind(existing.quantity)
                            .bind(existing.unit_price)
                            .execute(&mut *tx)
                            .await?;
                        existing
                    }
                    None => {
                        let (lines,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cart_items WHERE user_id = $1")
                            .bind(user_id)
                            .fetch_one(&mut *tx)
                            .await?;
                        if lines >= max_lines {
                            return Err($crate::StoreError::refused(
                                "CART_FULL",
                                format!("a cart holds at most {max_lines} different dishes"),
                            ));
                        }
                        sqlx::query(
                            "INSERT INTO cart_items (cart_item_id, user_id, item_id, selection_key, selection, quantity, unit_price) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        )
                        .bind(line.cart_item_id)
                        .bind(user_id)
                        .bind(line.item_id)
                        .bind(&line.selection_key)
                        .bind(sqlx::types::Json(&line.selection))
                        .bind(line.quantity)
                        .bind(line.unit_price)
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::StoreError::classify)?;
                        line
                    }
                };
                tx.commit().await?;
                Ok(saved)
            }

            async fn set_cart_quantity(&self, user_id: uuid::Uuid, id: uuid::Uuid, quantity: i64) -> $crate::StoreResult<bool> {
                let done = sqlx::query("UPDATE cart_items SET quantity = $3 WHERE user_id = $1 AND cart_item_id = $2")
                    .bind(user_id)
                    .bind(id)
                    .bind(quantity)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn remove_cart_line(&self, user_id: uuid::Uuid, id: uuid::Uuid) -> $crate::StoreResult<bool> {
                let done = sqlx::query("DELETE FROM cart_items WHERE user_id = $1 AND cart_item_id = $2")
                    .bind(user_id)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn clear_cart(&self, user_id: uuid::Uuid) -> $crate::StoreResult<()> {
                // The cart row first (its lines go with it, ON DELETE CASCADE), as every cart write.
                sqlx::query("DELETE FROM carts WHERE user_id = $1").bind(user_id).execute(self.writer()).await?;
                Ok(())
            }

            async fn set_cart_promo(&self, user_id: uuid::Uuid, code: Option<String>) -> $crate::StoreResult<bool> {
                let done = sqlx::query("UPDATE carts SET promo_code = $2 WHERE user_id = $1")
                    .bind(user_id)
                    .bind(code)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn reprice_cart(&self, user_id: uuid::Uuid, prices: &[(uuid::Uuid, i64)]) -> $crate::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                for (id, price) in prices {
                    sqlx::query("UPDATE cart_items SET unit_price = $3 WHERE user_id = $1 AND cart_item_id = $2")
                        .bind(user_id)
                        .bind(id)
                        .bind(price)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn replace_cart(
                &self,
                user_id: uuid::Uuid,
                restaurant_id: uuid::Uuid,
                lines: &[$crate::model::CartLine],
            ) -> $crate::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                // Create or lock the cart row first, as every cart write does.
                sqlx::query(
                    "INSERT INTO carts (user_id, restaurant_id, promo_code, updated_at) VALUES ($1, $2, NULL, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET restaurant_id = excluded.restaurant_id, promo_code = NULL, \
                     updated_at = excluded.updated_at",
                )
                .bind(user_id)
                .bind(restaurant_id)
                .bind($crate::Stamp($crate::now_utc()))
                .execute(&mut *tx)
                .await
                .map_err($crate::StoreError::classify)?;
                sqlx::query("DELETE FROM cart_items WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                for l in lines {
                    sqlx::query(
                        "INSERT INTO cart_items (cart_item_id, user_id, item_id, selection_key, selection, quantity, unit_price) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(l.cart_item_id)
                    .bind(user_id)
                    .bind(l.item_id)
                    .bind(&l.selection_key)
                    .bind(sqlx::types::Json(&l.selection))
                    .bind(l.quantity)
                    .bind(l.unit_price)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::OfferStore for $store {
            async fn create_offer(&self, o: &$crate::model::Offer) -> $crate::StoreResult<()> {
                sqlx::query(concat!(
                    "INSERT INTO offers (",
                    offer_cols!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
                ))
                .bind(o.offer_id)
                .bind(&o.code)
                .bind(&o.description)
                .bind(&o.discount_type)
                .bind(o.discount_value)
                .bind(o.min_order_value)
                .bind(o.max_discount)
                .bind(o.valid_from.map($crate::Stamp))
                .bind(o.valid_until.map($crate::Stamp))
                .bind(o.usage_limit)
                .bind(o.usage_count)
                .bind(o.per_user_limit)
                .bind(&o.applicable_to)
                .bind(sqlx::types::Json(&o.restaurant_ids))
                .bind(o.created_by)
                .bind(o.is_active)
                .bind($crate::Stamp(o.created_at))
                .bind(&o.funded_by)
                .execute(self.writer())
                .await
                .map_err($crate::StoreError::classify)?;
                Ok(())
            }

            async fn offer_by_code(&self, code: &str) -> $crate::StoreResult<Option<$crate::model::Offer>> {
                Ok(sqlx::query_as(concat!("SELECT ", offer_cols!(), " FROM offers WHERE code = $1"))
                    .bind(code)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn offer(&self, offer_id: uuid::Uuid) -> $crate::StoreResult<Option<$crate::model::Offer>> {
                Ok(sqlx::query_as(concat!("SELECT ", offer_cols!(), " FROM offers WHERE offer_id = $1"))
                    .bind(offer_id)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn live_offers(&self, now: time::OffsetDateTime) -> $crate::StoreResult<Vec<$crate::model::Offer>> {
                let all: Vec<$crate::model::Offer> =
                    sqlx::query_as(concat!("SELECT ", offer_cols!(), " FROM offers WHERE is_active = TRUE ORDER BY offer_id"))
                        .fetch_all(self.reader())
                        .await?;
                // Validity is compared here, in the same code as the checkout's own check.
                Ok(all
                    .into_iter()
                    .filter(|o| o.valid_from.is_none_or(|f| f <= now) && o.valid_until.is_none_or(|u| now < u))
                    .collect())
            }

            async fn deactivate_offer(&self, offer_id: uuid::Uuid) -> $crate::StoreResult<bool> {
                let done = sqlx::query("UPDATE offers SET is_active = FALSE WHERE offer_id = $1")
                    .bind(offer_id)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn user_redemptions(&self, offer_id: uuid::Uuid, user_id: uuid::Uuid) -> $crate::StoreResult<i64> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM offer_redemptions WHERE offer_id = $1 AND user_id = $2 AND released_at IS NULL",
                )
                .bind(offer_id)
                .bind(user_id)
                .fetch_one(self.reader())
                .await?;
                Ok(n)
            }
        }
    };
}
