//! `UserStore` in SQL that both backends accept (`$n` placeholders, `RETURNING`, TRUE/FALSE),
//! instantiated once per backend by `impl_user_store!`. Orderings "newest first" use the ids:
//! they are UUIDv7, ordered by creation time.

macro_rules! user_cols {
    () => {
        "user_id, name, phone, email, role, is_banned, ban_reason, created_at, updated_at, approved_at"
    };
}

macro_rules! address_cols {
    () => {
        "address_id, user_id, address_type, address_line1, address_line2, landmark, city, state, pincode, \
         latitude, longitude, is_default, created_at"
    };
}

/// Serialises a user's address changes: a no-op update takes the user row's lock on
/// PostgreSQL (and the write lock on SQLite), so two requests cannot both decide the default.
macro_rules! lock_user {
    ($tx:ident, $user:expr) => {
        sqlx::query("UPDATE users SET updated_at = updated_at WHERE user_id = $1")
            .bind($user)
            .execute(&mut *$tx)
            .await?;
    };
}

macro_rules! impl_user_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::UserStore for $store {
            async fn create_user(&self, u: $crate::model::NewUser) -> $crate::StoreResult<$crate::model::User> {
                let now = $crate::now_utc();
                sqlx::query(
                    "INSERT INTO users (user_id, name, phone, email, password_hash, role, is_banned, created_at, updated_at, \
                     approved_at) VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $7, $8)",
                )
                .bind(u.user_id)
                .bind(&u.name)
                .bind(&u.phone)
                .bind(&u.email)
                .bind(&u.password_hash)
                .bind(u.role.as_str())
                .bind($crate::Stamp(now))
                .bind(u.approved.then_some($crate::Stamp(now)))
                .execute(self.writer())
                .await
                .map_err($crate::StoreError::classify)?;
                Ok($crate::model::User {
                    user_id: u.user_id,
                    name: u.name,
                    phone: u.phone,
                    email: u.email,
                    role: u.role,
                    is_banned: false,
                    ban_reason: None,
                    created_at: now,
                    updated_at: now,
                    approved_at: u.approved.then_some(now),
                })
            }

            async fn approve_user(&self, user_id: uuid::Uuid) -> $crate::StoreResult<Option<$crate::model::User>> {
                let now = $crate::now_utc();
                Ok(sqlx::query_as(concat!(
                    "UPDATE users SET approved_at = COALESCE(approved_at, $2), updated_at = $2 WHERE user_id = $1 RETURNING ",
                    user_cols!()
                ))
                .bind(user_id)
                .bind($crate::Stamp(now))
                .fetch_optional(self.writer())
                .await?)
            }

            async fn users_awaiting_approval(&self, limit: i64) -> $crate::StoreResult<Vec<$crate::model::User>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    user_cols!(),
                    " FROM users WHERE approved_at IS NULL AND is_banned = FALSE ORDER BY user_id LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn user(&self, user_id: uuid::Uuid) -> $crate::StoreResult<Option<$crate::model::User>> {
                Ok(sqlx::query_as(concat!("SELECT ", user_cols!(), " FROM users WHERE user_id = $1"))
                    .bind(user_id)
                    .fetch_optional(self.reader())
                    .await?)
            }

            async fn user_for_login(
                &self,
                phone: Option<&str>,
                email: Option<&str>,
            ) -> $crate::StoreResult<Option<($crate::model::User, String)>> {
                use sqlx::{FromRow, Row};
                let row = sqlx::query(concat!(
                    "SELECT ",
                    user_cols!(),
                    ", password_hash FROM users WHERE phone = $1 OR email = $2"
                ))
                .bind(phone)
                .bind(email)
                .fetch_optional(self.reader())
                .await?;
                match row {
                    None => Ok(None),
                    Some(row) => Ok(Some(($crate::model::User::from_row(&row)?, row.try_get("password_hash")?))),
                }
            }

            async fn update_profile(
                &self,
                user_id: uuid::Uuid,
                change: $crate::model::ProfileChange,
            ) -> $crate::StoreResult<Option<$crate::model::User>> {
                let mut tx = self.begin_write().await?;
                let current: Option<$crate::model::User> =
                    sqlx::query_as(concat!("SELECT ", user_cols!(), " FROM users WHERE user_id = $1"))
                        .bind(user_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some(mut user) = current else { return Ok(None) };
                if let Some(name) = change.name {
                    user.name = name;
                }
                if let Some(phone) = change.phone {
                    user.phone = phone;
                }
                if let Some(email) = change.email {
                    user.email = email;
                }
                user.updated_at = $crate::now_utc();
                sqlx::query("UPDATE users SET name = $2, phone = $3, email = $4, updated_at = $5 WHERE user_id = $1")
                    .bind(user_id)
                    .bind(&user.name)
                    .bind(&user.phone)
                    .bind(&user.email)
                    .bind($crate::Stamp(user.updated_at))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::StoreError::classify)?;
                tx.commit().await?;
                Ok(Some(user))
            }

            async fn set_user_ban(
                &self,
                user_id: uuid::Uuid,
                reason: Option<String>,
            ) -> $crate::StoreResult<Option<$crate::model::User>> {
                Ok(sqlx::query_as(concat!(
                    "UPDATE users SET is_banned = $2, ban_reason = $3, updated_at = $4 WHERE user_id = $1 RETURNING ",
                    user_cols!()
                ))
                .bind(user_id)
                .bind(reason.is_some())
                .bind(reason)
                .bind($crate::Stamp($crate::now_utc()))
                .fetch_optional(self.writer())
                .await?)
            }

            async fn search_users(&self, q: &$crate::model::UserQuery) -> $crate::StoreResult<Vec<$crate::model::User>> {
                // Folded by the database on both sides, so a backend matches "any case" as far as
                // its LOWER goes (SQLite's: A–Z).
                let pattern = q.text.as_deref().map(|t| format!("%{}%", $crate::sql::like_escaped(t)));
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    user_cols!(),
                    " FROM users WHERE ($1 IS NULL OR phone LIKE $1 ESCAPE '\\' OR LOWER(email) LIKE LOWER($1) ESCAPE '\\' \
                     OR LOWER(name) LIKE LOWER($1) ESCAPE '\\') AND ($2 IS NULL OR role = $2) AND ($3 IS NULL OR is_banned = $3) \
                     ORDER BY created_at DESC, user_id LIMIT $4"
                ))
                .bind(pattern)
                .bind(q.role.as_deref())
                .bind(q.banned)
                .bind(q.limit)
                .fetch_all(self.reader())
                .await?)
            }

            async fn create_session(
                &self,
                session_id: uuid::Uuid,
                user_id: uuid::Uuid,
                expires_at: time::OffsetDateTime,
            ) -> $crate::StoreResult<()> {
                sqlx::query("INSERT INTO sessions (session_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(session_id)
                    .bind(user_id)
                    .bind($crate::Stamp($crate::now_utc()))
                    .bind($crate::Stamp(expires_at))
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn session_principal(
                &self,
                session_id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<$crate::model::Principal>> {
                Ok(sqlx::query_as(
                    "SELECT u.user_id, u.role, u.is_banned, u.ban_reason FROM sessions s \
                     JOIN users u ON u.user_id = s.user_id WHERE s.session_id = $1 AND s.revoked_at IS NULL",
                )
                .bind(session_id)
                .fetch_optional(self.reader())
                .await?)
            }

            async fn revoke_session(&self, session_id: uuid::Uuid) -> $crate::StoreResult<()> {
                sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE session_id = $1 AND revoked_at IS NULL")
                    .bind(session_id)
                    .bind($crate::Stamp($crate::now_utc()))
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn create_address(
                &self,
                mut a: $crate::model::Address,
                max: usize,
            ) -> $crate::StoreResult<$crate::model::Address> {
                let mut tx = self.begin_write().await?;
                lock_user!(tx, a.user_id);
                let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM addresses WHERE user_id = $1")
                    .bind(a.user_id)
                    .fetch_one(&mut *tx)
                    .await?;
                if count as usize >= max {
                    return Err($crate::StoreError::refused("TOO_MANY_ADDRESSES", "this account has the most addresses allowed; delete one first"));
                }
                a.is_default = a.is_default || count == 0;
                if a.is_default {
                    sqlx::query("UPDATE addresses SET is_default = FALSE WHERE user_id = $1")
                        .bind(a.user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(concat!(
                    "INSERT INTO addresses (",
                    address_cols!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                ))
                .bind(a.address_id)
                .bind(a.user_id)
                .bind(&a.address_type)
                .bind(&a.address_line1)
                .bind(&a.address_line2)
                .bind(&a.landmark)
                .bind(&a.city)
                .bind(&a.state)
                .bind(&a.pincode)
                .bind(a.latitude)
                .bind(a.longitude)
                .bind(a.is_default)
                .bind($crate::Stamp(a.created_at))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(a)
            }

            async fn addresses(&self, user_id: uuid::Uuid) -> $crate::StoreResult<Vec<$crate::model::Address>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    address_cols!(),
                    " FROM addresses WHERE user_id = $1 ORDER BY is_default DESC, address_id DESC"
                ))
                .bind(user_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn update_address(
                &self,
                mut a: $crate::model::Address,
            ) -> $crate::StoreResult<Option<$crate::model::Address>> {
                let mut tx = self.begin_write().await?;
                lock_user!(tx, a.user_id);
                let old: Option<$crate::model::Address> = sqlx::query_as(concat!(
                    "SELECT ",
                    address_cols!(),
                    " FROM addresses WHERE user_id = $1 AND address_id = $2"
                ))
                .bind(a.user_id)
                .bind(a.address_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(old) = old else { return Ok(None) };
                // The default moves only when another address claims it, so one always exists.
                a.is_default = a.is_default || old.is_default;
                a.created_at = old.created_at;
                if a.is_default && !old.is_default {
                    sqlx::query("UPDATE addresses SET is_default = FALSE WHERE user_id = $1")
                        .bind(a.user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "UPDATE addresses SET address_type = $3, address_line1 = $4, address_line2 = $5, landmark = $6, \
                     city = $7, state = $8, pincode = $9, latitude = $10, longitude = $11, is_default = $12 \
                     WHERE user_id = $1 AND address_id = $2",
                )
                .bind(a.user_id)
                .bind(a.address_id)
                .bind(&a.address_type)
                .bind(&a.address_line1)
                .bind(&a.address_line2)
                .bind(&a.landmark)
                .bind(&a.city)
                .bind(&a.state)
                .bind(&a.pincode)
                .bind(a.latitude)
                .bind(a.longitude)
                .bind(a.is_default)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Some(a))
            }

            async fn delete_address(&self, user_id: uuid::Uuid, address_id: uuid::Uuid) -> $crate::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                lock_user!(tx, user_id);
                let gone: Option<(bool,)> =
                    sqlx::query_as("DELETE FROM addresses WHERE user_id = $1 AND address_id = $2 RETURNING is_default")
                        .bind(user_id)
                        .bind(address_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((was_default,)) = gone else { return Ok(false) };
                if was_default {
                    sqlx::query(
                        "UPDATE addresses SET is_default = TRUE WHERE address_id = \
                         (SELECT address_id FROM addresses WHERE user_id = $1 ORDER BY address_id DESC LIMIT 1)",
                    )
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}
