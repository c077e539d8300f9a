//! The seam to a payment gateway. The built-in sandbox implements it; a real gateway
//! (Razorpay, Stripe…) is another implementation. Calls go through [`super::breaker`].

use async_trait::async_trait;
use dabba_store::CardOnFile;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Online methods a gateway takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OnlineMethod {
    Card,
    Upi,
}

impl OnlineMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "CARD",
            Self::Upi => "UPI",
        }
    }
}

/// Ask the gateway to take `amount` for our payment `payment_id`.
#[derive(Debug, Clone)]
pub struct ChargeRequest {
    pub payment_id: Uuid,
    pub amount: i64,
    pub currency: String,
    pub method: OnlineMethod,
}

/// The gateway's charge: its reference and the hosted page where the customer pays.
#[derive(Debug, Clone)]
pub struct Charge {
    pub gateway_ref: String,
    pub pay_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeStatus {
    /// Not paid yet, or the bank has not answered yet.
    Pending,
    Succeeded,
    Failed,
}

/// What the gateway says about a charge, by webhook or when asked.
#[derive(Debug, Clone)]
pub struct ChargeReport {
    pub gateway_ref: String,
    pub payment_id: Uuid,
    pub status: ChargeStatus,
    pub amount: i64,
    pub currency: String,
    pub card: Option<CardOnFile>,
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum GatewayError {
    /// Down, timing out, answering 5xx: worth retrying later.
    #[error("the payment gateway is unavailable: {0}")]
    Unavailable(String),
    /// The gateway refused the request itself (unknown charge, refund too large…).
    #[error("the payment gateway refused: {0}")]
    Rejected(String),
}

#[async_trait]
pub trait PaymentGateway: Send + Sync {
    async fn create_charge(&self, req: &ChargeRequest) -> Result<Charge, GatewayError>;
    async fn charge_status(&self, gateway_ref: &str) -> Result<ChargeReport, GatewayError>;
    /// Gives `amount` of a charge back. Idempotent by `refund_id`: asking twice refunds once.
    /// Returns the gateway's refund reference.
    async fn refund(&self, gateway_ref: &str, refund_id: Uuid, amount: i64) -> Result<String, GatewayError>;
    /// Closes an unpaid charge so it can no longer be paid (its order failed, or its deadline
    /// passed). A charge already paid is `Rejected`: its money is settled, then refunded.
    async fn cancel_charge(&self, gateway_ref: &str) -> Result<(), GatewayError>;
}

/// No gateway: a node configured for cash and wallet only. Nothing reaches it (checkout and
/// top-ups refuse card and UPI first); if something did, it is refused as a gateway would.
pub struct NoGateway;

#[async_trait]
impl PaymentGateway for NoGateway {
    async fn create_charge(&self, _: &ChargeRequest) -> Result<Charge, GatewayError> {
        Err(GatewayError::Rejected("no payment gateway is configured".into()))
    }
    async fn charge_status(&self, _: &str) -> Result<ChargeReport, GatewayError> {
        Err(GatewayError::Rejected("no payment gateway is configured".into()))
    }
    async fn refund(&self, _: &str, _: Uuid, _: i64) -> Result<String, GatewayError> {
        Err(GatewayError::Rejected("no payment gateway is configured".into()))
    }
    async fn cancel_charge(&self, _: &str) -> Result<(), GatewayError> {
        Err(GatewayError::Rejected("no payment gateway is configured".into()))
    }
}
