//! Delivery records: riders and their vehicles, assignments, the location history.

use dabba_domain::eta::Vehicle;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// A rider as the platform knows them: vehicle, and the customers' rating of their deliveries.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct RiderProfile {
    pub user_id: Uuid,
    pub name: String,
    #[serde(skip)]
    pub phone: String,
    #[sqlx(try_from = "String")]
    pub vehicle_type: Vehicle,
    pub vehicle_number: String,
    /// Average delivery rating (1–5) over rated deliveries; `None` before the first.
    pub rating: Option<f64>,
    pub deliveries: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Giving an order to a rider, if it is still as the caller saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub order_id: Uuid,
    pub rider_id: Uuid,
    /// The rider it must have now (`None`: no rider yet).
    pub current: Option<Uuid>,
    /// Statuses in which it may be given.
    pub statuses: Vec<dabba_domain::order::OrderStatus>,
    pub events: Vec<super::NewEvent>,
}

/// One kept point of a rider's route.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct LocationRow {
    #[serde(skip)]
    pub rider_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    pub latitude: f64,
    pub longitude: f64,
    pub order_id: Option<Uuid>,
}
