//! Identity records: users, sessions, addresses.

use dabba_domain::Role;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// A platform user, as others may see it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct User {
    pub user_id: Uuid,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// Banned users cannot use the API; the reason is shown to them.
    pub is_banned: bool,
    pub ban_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When an admin approved the account: restaurant partners and riders who registered
    /// themselves wait for it (no restaurant, no rides, so nobody's order is shown to them).
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
}

/// A user to insert; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub user_id: Uuid,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub role: Role,
    /// Approved at creation (customers, admins, seeded accounts) or waiting for an admin.
    pub approved: bool,
}

/// Who a live session belongs to, read on every authenticated request.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Principal {
    pub user_id: Uuid,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub is_banned: bool,
    pub ban_reason: Option<String>,
}

/// Changes to a profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    pub name: Option<String>,
    pub phone: Option<String>,
    /// `Some(None)` removes the email.
    pub email: Option<Option<String>>,
}

/// A delivery address of a customer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Address {
    pub address_id: Uuid,
    pub user_id: Uuid,
    /// HOME, WORK or OTHER.
    pub address_type: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub landmark: Option<String>,
    pub city: String,
    pub state: Option<String>,
    pub pincode: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    /// Exactly one address of a user with addresses is the default.
    pub is_default: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}
