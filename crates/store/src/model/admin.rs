//! What the operations console reads: searches over users, restaurants and orders, and the
//! rows the dashboard counts.

use dabba_domain::order::OrderStatus;
use time::OffsetDateTime;

/// One order as the dashboard counts it: when it was placed and the moments of its life that
/// the figures are made of (the first of each in its timeline).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DashboardOrder {
    pub created_at: OffsetDateTime,
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    pub total_amount: i64,
    pub cancel_reason: Option<String>,
    /// Who cancelled it: CUSTOMER, RESTAURANT, RIDER, ADMIN or SYSTEM.
    pub cancelled_by: Option<String>,
    /// The restaurant was asked (for prepaid orders, once paid).
    pub confirmed_at: Option<OffsetDateTime>,
    /// The restaurant accepted (PREPARING).
    pub accepted_at: Option<OffsetDateTime>,
    pub delivered_at: Option<OffsetDateTime>,
}

/// What an admin looks users up by; every given part must match.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Matches a part of the phone or the email, or of the name (any case).
    pub text: Option<String>,
    /// CUSTOMER, RESTAURANT, DELIVERY or ADMIN.
    pub role: Option<String>,
    pub banned: Option<bool>,
    pub limit: i64,
}
