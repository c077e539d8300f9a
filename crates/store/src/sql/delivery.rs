//! `DeliveryStore` in SQL both backends accept. Assignment is conditional on the order's rider
//! and status as the caller saw them, so a rider's accept and a cancellation (or two admins)
//! cannot both win.

/// Statuses in which an order is with, or waiting for, a rider.
macro_rules! active_for_rider {
    () => {
        "('CONFIRMED', 'PREPARING', 'READY', 'PICKED_UP', 'OUT_FOR_DELIVERY')"
    };
}

macro_rules! impl_delivery_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::DeliveryStore for $store {
            async fn rider(&self, user_id: uuid::Uuid) -> $crate::StoreResult<Option<$crate::model::RiderProfile>> {
                Ok(sqlx::query_as(
                    "SELECT r.user_id, u.name, u.phone, r.vehicle_type, r.vehicle_number, \
                     (SELECT CAST(AVG(g.delivery_rating) AS DOUBLE PRECISION) FROM ratings g \
                      JOIN orders o ON o.order_id = g.order_id WHERE o.rider_id = r.user_id) AS rating, \
                     (SELECT COUNT(*) FROM orders o WHERE o.rider_id = r.user_id \
                      AND o.status IN ('DELIVERED', 'COMPLETED')) AS deliveries, \
                     r.created_at, r.updated_at \
                     FROM riders r JOIN users u ON u.user_id = r.user_id WHERE r.user_id = $1",
                )
                .bind(user_id)
                .fetch_optional(self.reader())
                .await?)
            }

            async fn put_rider(
                &self,
                user_id: uuid::Uuid,
                vehicle: dabba_domain::eta::Vehicle,
                number: &str,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now_utc();
                sqlx::query(
                    "INSERT INTO riders (user_id, vehicle_type, vehicle_number, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $4) ON CONFLICT (user_id) DO UPDATE SET \
                     vehicle_type = excluded.vehicle_type, vehicle_number = excluded.vehicle_number, \
                     updated_at = excluded.updated_at",
                )
                .bind(user_id)
                .bind(vehicle.as_str())
                .bind(number)
                .bind($crate::Stamp(now))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn assign_rider(&self, a: &$crate::model::Assignment) -> $crate::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let now = $crate::now_utc();
                let mut qb = sqlx::QueryBuilder::<$db>::new("UPDATE orders SET rider_id = ");
                qb.push_bind(a.rider_id)
                    .push(", assigned_at = ")
                    .push_bind($crate::Stamp(now))
                    .push(", updated_at = ")
                    .push_bind($crate::Stamp(now))
                    .push(" WHERE order_id = ")
                    .push_bind(a.order_id);
                match a.current {
                    None => qb.push(" AND rider_id IS NULL"),
                    Some(c) => qb.push(" AND rider_id = ").push_bind(c),
                };
                qb.push(" AND status IN (");
                let mut list = qb.separated(", ");
                for s in &a.statuses {
                    list.push_bind(s.as_str());
                }
                qb.push(")");
                if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                    return Ok(false);
                }
                Self::write_events(&mut tx, &a.events).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn spend_otp_attempt(&self, order_id: uuid::Uuid, limit: i32) -> $crate::StoreResult<Option<i32>> {
                Ok(sqlx::query_scalar(
                    "UPDATE orders SET otp_attempts = otp_attempts + 1 WHERE order_id = $1 AND otp_attempts < $2 \
                     RETURNING otp_attempts",
                )
                .bind(order_id)
                .bind(limit)
                .fetch_optional(self.writer())
                .await?)
            }

            async fn return_otp_attempt(&self, order_id: uuid::Uuid) -> $crate::StoreResult<()> {
                sqlx::query("UPDATE orders SET otp_attempts = otp_attempts - 1 WHERE order_id = $1 AND otp_attempts > 0")
                    .bind(order_id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn orders_without_rider(&self) -> $crate::StoreResult<Vec<$crate::model::Order>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    order_cols!(),
                    " FROM orders WHERE rider_id IS NULL AND status IN ('CONFIRMED', 'PREPARING', 'READY') \
                     ORDER BY order_id"
                ))
                .fetch_all(self.reader())
                .await?)
            }

            async fn orders_of_rider(&self, rider_id: uuid::Uuid) -> $crate::StoreResult<Vec<$crate::model::Order>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    order_cols!(),
                    " FROM orders WHERE rider_id = $1 AND status IN ",
                    active_for_rider!(),
                    " ORDER BY order_id"
                ))
                .bind(rider_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn riders_on_orders(&self) -> $crate::StoreResult<Vec<$crate::model::Order>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    order_cols!(),
                    " FROM orders WHERE rider_id IS NOT NULL AND status IN ",
                    active_for_rider!(),
                    " ORDER BY order_id"
                ))
                .fetch_all(self.reader())
                .await?)
            }

            async fn record_locations(&self, rows: &[$crate::model::LocationRow]) -> $crate::StoreResult<u64> {
                let mut written = 0;
                for chunk in rows.chunks(1000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO rider_locations (rider_id, recorded_at, latitude, longitude, order_id) ",
                    );
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(r.rider_id)
                            .push_bind($crate::Stamp(r.recorded_at))
                            .push_bind(r.latitude)
                            .push_bind(r.longitude)
                            .push_bind(r.order_id);
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    written += qb.build().execute(self.writer()).await?.rows_affected();
                    // The hours these riders were seen in, for the dashboard's riders online.
                    let mut hours: Vec<(time::OffsetDateTime, uuid::Uuid)> =
                        chunk.iter().map(|r| ($crate::stamp::hour_of(r.recorded_at), r.rider_id)).collect();
                    hours.sort_unstable();
                    hours.dedup();
                    let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO rider_hours (hour, rider_id) ");
                    qb.push_values(&hours, |mut b, (hour, rider)| {
                        b.push_bind($crate::Stamp(*hour)).push_bind(*rider);
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(self.writer()).await?;
                }
                Ok(written)
            }

            async fn riders_per_hour(
                &self,
                from: time::OffsetDateTime,
                to: time::OffsetDateTime,
            ) -> $crate::StoreResult<Vec<(time::OffsetDateTime, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT hour, COUNT(*) FROM rider_hours WHERE hour >= $1 AND hour < $2 GROUP BY hour ORDER BY hour",
                )
                .bind($crate::Stamp($crate::stamp::hour_of(from)))
                .bind($crate::Stamp(to))
                .fetch_all(self.reader())
                .await?)
            }

            async fn locations(
                &self,
                rider_id: uuid::Uuid,
                from: time::OffsetDateTime,
                to: time::OffsetDateTime,
                limit: i64,
            ) -> $crate::StoreResult<Vec<$crate::model::LocationRow>> {
                Ok(sqlx::query_as(
                    "SELECT rider_id, recorded_at, latitude, longitude, order_id FROM rider_locations \
                     WHERE rider_id = $1 AND recorded_at >= $2 AND recorded_at < $3 ORDER BY recorded_at LIMIT $4",
                )
                .bind(rider_id)
                .bind($crate::Stamp(from))
                .bind($crate::Stamp(to))
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn forget_locations_before(&self, before: time::OffsetDateTime) -> $crate::StoreResult<u64> {
                let done =
                    sqlx::query("DELETE FROM rider_locations WHERE recorded_at < $1").bind($crate::Stamp(before)).execute(self.writer()).await?;
                // The hours riders were seen in stay a year longer than their positions (a
                // dashboard of a past month still counts riders; the rows are few).
                sqlx::query("DELETE FROM rider_hours WHERE hour < $1")
                    .bind($crate::Stamp($crate::stamp::hour_of(before) - time::Duration::days(365)))
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected())
            }

            async fn emit(&self, events: &[$crate::model::NewEvent]) -> $crate::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                Self::write_events(&mut tx, events).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn observe_traffic(&self, zone: &str, hour: u8, seen: f64, prior: f64) -> $crate::StoreResult<f64> {
                // The first observation weighs a half against the prior; the n-th
                // max(1 / (n + 1), RECENT_WEIGHT), as `Learned::observe`.
                let mut tx = self.begin_write().await?;
                let (factor,): (f64,) = sqlx::query_as(
                    "INSERT INTO learned_traffic (zone, hour, factor, samples) VALUES ($1, $2, $4 + ($3 - $4) / 2, 1) \
                     ON CONFLICT (zone, hour) DO UPDATE SET \
                     factor = learned_traffic.factor + (CASE WHEN learned_traffic.samples < 9 \
                       THEN CAST(1.0 AS DOUBLE PRECISION) / (learned_traffic.samples + 2) \
                       ELSE CAST(0.1 AS DOUBLE PRECISION) END) * ($3 - learned_traffic.factor), \
                     samples = learned_traffic.samples + 1 \
                     RETURNING factor",
                )
                .bind(zone)
                .bind(hour as i32)
                .bind(seen)
                .bind(prior)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(factor)
            }

            async fn learned_traffic(&self) -> $crate::StoreResult<Vec<(String, i32, f64)>> {
                Ok(sqlx::query_as("SELECT zone, hour, factor FROM learned_traffic ORDER BY zone, hour")
                    .fetch_all(self.reader())
                    .await?)
            }
        }
    };
}
