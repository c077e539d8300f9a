//! What the operations console reads: searches over users, restaurants and orders, and the
//! rows the dashboard counts.

/// A period's orders as the dashboard counts them, grouped in SQL (a day of a busy city is a few
/// thousand groups, not hundreds of thousands of rows).
#[derive(Debug, Clone, Default)]
pub struct DashboardCounts {
    /// (hours since `from`, whole; status; orders; their total in paise), by placing time.
    pub by_hour: Vec<(i64, String, i64, i64)>,
    /// (whole seconds from placing to delivery, orders).
    pub delivery_seconds: Vec<(i64, i64)>,
    /// (whole seconds from CONFIRMED to PREPARING, orders).
    pub accept_seconds: Vec<(i64, i64)>,
    /// (who cancelled: CUSTOMER, RESTAURANT, RIDER, ADMIN or SYSTEM; the reason; orders).
    pub cancellations: Vec<(Option<String>, Option<String>, i64)>,
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
