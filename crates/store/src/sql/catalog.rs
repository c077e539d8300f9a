//! `CatalogStore` in SQL that both backends accept, instantiated per backend by
//! `impl_catalog_store!`. Cuisines, address, hours and customizations are JSON columns: they are
//! always read and written whole with their parent row.

macro_rules! restaurant_cols {
    () => {
        "restaurant_id, owner_id, name, description, cuisines, latitude, longitude, address, phone, cost_for_two, \
         avg_preparation_minutes, delivery_radius_km, min_order_value, is_veg, operating_hours, timezone, \
         is_paused, kitchen_limit, is_banned, ban_reason, rating_avg, rating_count, created_at, updated_at, tags"
    };
}

/// The columns read back: what is written, and what the store learns on its own.
macro_rules! restaurant_read_cols {
    () => {
        concat!(restaurant_cols!(), ", learned_preparation_minutes")
    };
}

macro_rules! item_cols {
    () => {
        "item_id, restaurant_id, category_id, name, description, price, is_veg, is_available, is_bestseller, \
         stock, image, position, customizations, created_at, updated_at"
    };
}

macro_rules! impl_catalog_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::CatalogStore for $store {
            async fn create_restaurant(&self, r: $crate::model::Restaurant) -> $crate::StoreResult<()> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(concat!("INSERT INTO restaurants (", restaurant_cols!(), ") "));
                qb.push_values(std::iter::once(&r), |b, r| $crate::sql::push_restaurant!(b, r));
                let mut tx = self.begin_write().await?;
                qb.build().execute(&mut *tx).await?;
                Self::write_events(&mut tx, &[$crate::model::catalog_changed(r.restaurant_id, "restaurant")]).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn restaurant(&self, id: uuid::Uuid) -> $crate::StoreResult<Option<$crate::model::Restaurant>> {
                Ok(sqlx::query_as(concat!("SELECT ", restaurant_read_cols!(), " FROM restaurants WHERE restaurant_id = $1"))
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn restaurants_of_owner(
                &self,
                owner_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<$crate::model::Restaurant>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    restaurant_read_cols!(),
                    " FROM restaurants WHERE owner_id = $1 ORDER BY restaurant_id"
                ))
                .bind(owner_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn update_restaurant(
                &self,
                r: &$crate::model::Restaurant,
                read_at: time::OffsetDateTime,
            ) -> $crate::StoreResult<bool> {
                use sqlx::types::Json;
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE restaurants SET name = $2, description = $3, cuisines = $4, latitude = $5, longitude = $6, \
                     address = $7, phone = $8, cost_for_two = $9, avg_preparation_minutes = $10, \
                     delivery_radius_km = $11, min_order_value = $12, is_veg = $13, operating_hours = $14, \
                     timezone = $15, is_paused = $16, updated_at = $17, kitchen_limit = $19, tags = $20 \
                     WHERE restaurant_id = $1 AND updated_at = $18",
                )
                .bind(r.restaurant_id)
                .bind(&r.name)
                .bind(&r.description)
                .bind(Json(&r.cuisines))
                .bind(r.latitude)
                .bind(r.longitude)
                .bind(Json(&r.address))
                .bind(&r.phone)
                .bind(r.cost_for_two)
                .bind(r.avg_preparation_minutes)
                .bind(r.delivery_radius_km)
                .bind(r.min_order_value)
                .bind(r.is_veg)
                .bind(Json(&r.operating_hours))
                .bind(&r.timezone)
                .bind(r.is_paused)
                .bind($crate::Stamp(r.updated_at))
                .bind($crate::Stamp(read_at))
                .bind(r.kitchen_limit)
                .bind(Json(&r.tags))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                Self::write_events(&mut tx, &[$crate::model::catalog_changed(r.restaurant_id, "restaurant")]).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn search_restaurants(
                &self,
                text: Option<&str>,
                banned: Option<bool>,
                limit: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::Restaurant>> {
                // Folded by the database on both sides (see `search_users`).
                let pattern = text.map(|t| format!("%{}%", $crate::sql::like_escaped(t)));
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    restaurant_read_cols!(),
                    " FROM restaurants WHERE ($1 IS NULL OR LOWER(name) LIKE LOWER($1) ESCAPE '\\') AND ($2 IS NULL OR is_banned = $2) \
                     ORDER BY name, restaurant_id LIMIT $3"
                ))
                .bind(pattern)
                .bind(banned)
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn set_restaurant_ban(
                &self,
                id: uuid::Uuid,
                reason: Option<String>,
            ) -> $crate::StoreResult<Option<$crate::model::Restaurant>> {
                let mut tx = self.begin_write().await?;
                let found: Option<$crate::model::Restaurant> = sqlx::query_as(concat!(
                    "UPDATE restaurants SET is_banned = $2, ban_reason = $3, updated_at = $4 WHERE restaurant_id = $1 RETURNING ",
                    restaurant_read_cols!()
                ))
                .bind(id)
                .bind(reason.is_some())
                .bind(reason)
                .bind($crate::Stamp($crate::now_utc()))
                .fetch_optional(&mut *tx)
                .await?;
                if found.is_some() {
                    Self::write_events(&mut tx, &[$crate::model::catalog_changed(id, "ban")]).await?;
                }
                tx.commit().await?;
                Ok(found)
            }

            async fn restaurants_changed_since(
                &self,
                since: time::OffsetDateTime,
            ) -> $crate::StoreResult<Vec<$crate::model::Restaurant>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    restaurant_read_cols!(),
                    " FROM restaurants WHERE updated_at >= $1 ORDER BY updated_at, restaurant_id"
                ))
                .bind($crate::Stamp(since))
                .fetch_all(self.reader())
                .await?)
            }

            async fn categories(&self, restaurant_id: uuid::Uuid) -> $crate::StoreResult<Vec<$crate::model::Category>> {
                Ok(sqlx::query_as(
                    "SELECT category_id, restaurant_id, name, position FROM menu_categories \
                     WHERE restaurant_id = $1 ORDER BY position, category_id",
                )
                .bind(restaurant_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn create_category(&self, c: $crate::model::Category) -> $crate::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO menu_categories (category_id, restaurant_id, name, position, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(c.category_id)
                .bind(c.restaurant_id)
                .bind(&c.name)
                .bind(c.position)
                .bind($crate::Stamp($crate::now_utc()))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn update_category(&self, c: &$crate::model::Category) -> $crate::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE menu_categories SET name = $3, position = $4 WHERE restaurant_id = $1 AND category_id = $2",
                )
                .bind(c.restaurant_id)
                .bind(c.category_id)
                .bind(&c.name)
                .bind(c.position)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_category(&self, restaurant_id: uuid::Uuid, category_id: uuid::Uuid) -> $crate::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let (items,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM menu_items WHERE restaurant_id = $1 AND category_id = $2")
                        .bind(restaurant_id)
                        .bind(category_id)
                        .fetch_one(&mut *tx)
                        .await?;
                if items > 0 {
                    return Err($crate::StoreError::refused("CATEGORY_NOT_EMPTY", "the category still has items; move or delete them first"));
                }
                let done = sqlx::query("DELETE FROM menu_categories WHERE restaurant_id = $1 AND category_id = $2")
                    .bind(restaurant_id)
                    .bind(category_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }

            async fn reorder_categories(&self, restaurant_id: uuid::Uuid, ids: &[uuid::Uuid]) -> $crate::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                for (position, id) in ids.iter().enumerate() {
                    let done = sqlx::query(
                        "UPDATE menu_categories SET position = $3 WHERE restaurant_id = $1 AND category_id = $2",
                    )
                    .bind(restaurant_id)
                    .bind(id)
                    .bind(position as i32)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Ok(false);
                    }
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn items(&self, restaurant_id: uuid::Uuid) -> $crate::StoreResult<Vec<$crate::model::MenuItem>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    item_cols!(),
                    " FROM menu_items WHERE restaurant_id = $1 ORDER BY position, item_id"
                ))
                .bind(restaurant_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn item(
                &self,
                restaurant_id: uuid::Uuid,
                item_id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<$crate::model::MenuItem>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    item_cols!(),
                    " FROM menu_items WHERE restaurant_id = $1 AND item_id = $2"
                ))
                .bind(restaurant_id)
                .bind(item_id)
                .fetch_optional(self.reader())
                .await?)
            }

            async fn create_item(&self, item: &$crate::model::MenuItem) -> $crate::StoreResult<()> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(concat!("INSERT INTO menu_items (", item_cols!(), ") "));
                qb.push_values(std::iter::once(item), |b, i| $crate::sql::push_item!(b, i));
                let mut tx = self.begin_write().await?;
                qb.build().execute(&mut *tx).await.map_err($crate::StoreError::classify)?;
                Self::write_events(&mut tx, &[$crate::model::catalog_changed(item.restaurant_id, "menu")]).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn update_item(
                &self,
                i: &$crate::model::MenuItem,
                read_at: time::OffsetDateTime,
            ) -> $crate::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE menu_items SET category_id = $3, name = $4, description = $5, price = $6, is_veg = $7, \
                     is_available = $8, is_bestseller = $9, stock = $10, image = $11, position = $12, \
                     customizations = $13, updated_at = $14 WHERE restaurant_id = $1 AND item_id = $2 AND updated_at = $15",
                )
                .bind(i.restaurant_id)
                .bind(i.item_id)
                .bind(i.category_id)
                .bind(&i.name)
                .bind(&i.description)
                .bind(i.price)
                .bind(i.is_veg)
                .bind(i.is_available)
                .bind(i.is_bestseller)
                .bind(i.stock)
                .bind(&i.image)
                .bind(i.position)
                .bind(sqlx::types::Json(&i.customizations))
                .bind($crate::Stamp(i.updated_at))
                .bind($crate::Stamp(read_at))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                Self::write_events(&mut tx, &[$crate::model::catalog_changed(i.restaurant_id, "menu")]).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn delete_item(&self, restaurant_id: uuid::Uuid, item_id: uuid::Uuid) -> $crate::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query("DELETE FROM menu_items WHERE restaurant_id = $1 AND item_id = $2")
                    .bind(restaurant_id)
                    .bind(item_id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                Self::write_events(&mut tx, &[$crate::model::catalog_changed(restaurant_id, "menu")]).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn dishes_of(&self, ids: &[uuid::Uuid]) -> $crate::StoreResult<Vec<$crate::model::DishRow>> {
                let mut out = Vec::new();
                // Chunks keep each statement under SQLite's bound-parameter limit.
                for chunk in ids.chunks(5000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "SELECT item_id, restaurant_id, name, price, is_veg, is_available, is_bestseller, stock \
                         FROM menu_items WHERE restaurant_id IN (",
                    );
                    let mut list = qb.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    qb.push(")");
                    out.extend(qb.build_query_as::<$crate::model::DishRow>().fetch_all(self.reader()).await?);
                }
                Ok(out)
            }

            fn scan_dishes(&self) -> futures_util::stream::BoxStream<'_, $crate::StoreResult<$crate::model::DishRow>> {
                use futures_util::{StreamExt, TryStreamExt};
                sqlx::query_as::<_, $crate::model::DishRow>(
                    "SELECT item_id, restaurant_id, name, price, is_veg, is_available, is_bestseller, stock FROM menu_items",
                )
                .fetch(self.reader())
                .map_err($crate::StoreError::from)
                .boxed()
            }

            async fn restaurant_count(&self) -> $crate::StoreResult<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM restaurants").fetch_one(self.reader()).await?;
                Ok(n)
            }

            async fn seed(&self, batch: &$crate::seed::SeedBatch) -> $crate::StoreResult<()> {
                // Chunks keep each statement under SQLite's 32,766 bound parameters.
                let mut tx = self.begin_write().await?;
                for chunk in batch.users.chunks(2000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO users (user_id, name, phone, email, password_hash, role, is_banned, created_at, updated_at, \
                         approved_at) ",
                    );
                    let now = $crate::now_utc();
                    qb.push_values(chunk, |mut b, u| {
                        b.push_bind(u.user_id)
                            .push_bind(&u.name)
                            .push_bind(&u.phone)
                            .push_bind(&u.email)
                            .push_bind(&u.password_hash)
                            .push_bind(u.role.as_str())
                            .push_bind(false)
                            .push_bind($crate::Stamp(now))
                            .push_bind($crate::Stamp(now))
                            .push_bind(u.approved.then_some($crate::Stamp(now)));
                    });
                    qb.build().execute(&mut *tx).await.map_err($crate::StoreError::classify)?;
                }
                for chunk in batch.restaurants.chunks(1000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(concat!("INSERT INTO restaurants (", restaurant_cols!(), ") "));
                    qb.push_values(chunk, |b, r| $crate::sql::push_restaurant!(b, r));
                    qb.build().execute(&mut *tx).await?;
                }
                for chunk in batch.categories.chunks(4000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO menu_categories (category_id, restaurant_id, name, position, created_at) ",
                    );
                    let now = $crate::now_utc();
                    qb.push_values(chunk, |mut b, c| {
                        b.push_bind(c.category_id)
                            .push_bind(c.restaurant_id)
                            .push_bind(&c.name)
                            .push_bind(c.position)
                            .push_bind($crate::Stamp(now));
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                for chunk in batch.items.chunks(1500) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(concat!("INSERT INTO menu_items (", item_cols!(), ") "));
                    qb.push_values(chunk, |b, i| $crate::sql::push_item!(b, i));
                    qb.build().execute(&mut *tx).await?;
                }
                // The dashboard's moments of each order, from its timeline (see migration 0009).
                let mut moments: std::collections::HashMap<uuid::Uuid, [Option<i64>; 3]> = Default::default();
                let mut cancelled_by: std::collections::HashMap<uuid::Uuid, &str> = Default::default();
                for t in &batch.timeline {
                    use dabba_domain::order::OrderStatus as S;
                    let slot = match t.status {
                        S::Confirmed => 0,
                        S::Preparing => 1,
                        S::Delivered => 2,
                        S::Cancelled => {
                            cancelled_by.entry(t.order_id).or_insert(&t.actor);
                            continue;
                        }
                        _ => continue,
                    };
                    moments.entry(t.order_id).or_default()[slot].get_or_insert($crate::micros(t.at));
                }
                // Quarters kept for the dashboard that the new orders fall into count again.
                if let (Some(lo), Some(hi)) = (
                    batch.orders.iter().map(|o| $crate::micros(o.created_at)).min(),
                    batch.orders.iter().map(|o| $crate::micros(o.created_at)).max(),
                ) {
                    sqlx::query("DELETE FROM dashboard_slots WHERE slot_us > $1 AND slot_us <= $2")
                        .bind(lo - $crate::dashboard::SLOT_US)
                        .bind(hi)
                        .execute(&mut *tx)
                        .await?;
                }
                for chunk in batch.orders.chunks(800) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(concat!(
                        "INSERT INTO orders (",
                        order_cols!(),
                        ", placed_us, confirmed_us, accepted_us, delivered_us, cancelled_by) "
                    ));
                    qb.push_values(chunk, |b, o| {
                        let m = moments.get(&o.order_id).copied().unwrap_or_default();
                        let mut b = $crate::sql::push_order!(b, o);
                        b.push_bind($crate::micros(o.created_at))
                            .push_bind(m[0])
                            .push_bind(m[1])
                            .push_bind(m[2])
                            .push_bind(cancelled_by.get(&o.order_id).copied());
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                for chunk in batch.timeline.chunks(5000) {
                    let mut qb =
                        sqlx::QueryBuilder::<$db>::new("INSERT INTO order_timeline (order_id, seq, status, actor, note, at) ");
                    qb.push_values(chunk, |mut b, t| {
                        b.push_bind(t.order_id)
                            .push_bind(t.seq)
                            .push_bind(t.status.as_str())
                            .push_bind(&t.actor)
                            .push_bind(&t.note)
                            .push_bind($crate::Stamp(t.at));
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                for chunk in batch.rider_hours.chunks(10000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO rider_hours (hour, rider_id) ");
                    qb.push_values(chunk, |mut b, (hour, rider)| {
                        b.push_bind($crate::Stamp(*hour)).push_bind(*rider);
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
