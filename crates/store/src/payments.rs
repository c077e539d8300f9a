//! The inputs of money writes: decided by the caller from what it read, applied by the store
//! in one transaction with optimistic guards. If anything moved since the caller read it (a
//! payment's status, what was refunded, a wallet's balance), the whole write is refused and the
//! caller reads again and decides again.

use crate::model::{NewEvent, Payment, Refund};
use dabba_domain::ledger::Posting;
use uuid::Uuid;

/// A gateway event being applied; a second application of the same id is refused
/// (`DUPLICATE_EVENT`) and writes nothing.
#[derive(Debug, Clone)]
pub struct GatewayEvent {
    pub event_id: String,
    pub payment_id: Uuid,
    pub kind: String,
}

/// The card as the gateway describes it after tokenising it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardOnFile {
    pub token: String,
    pub brand: String,
    pub last4: String,
    pub expiry: String,
}

/// A payment's status change, only if it is still `from` (else `STALE`).
#[derive(Debug, Clone)]
pub struct PaymentChange {
    pub payment_id: Uuid,
    pub from: String,
    pub to: String,
    /// Added to what was captured.
    pub capture: i64,
    pub card: Option<CardOnFile>,
    pub failure_reason: Option<String>,
    pub review_reason: Option<String>,
}

/// A refund, only if the payment's refunded total is still `seen_refunded` and the refund fits
/// in what was captured (else `STALE`).
#[derive(Debug, Clone)]
pub struct RefundWrite {
    pub refund: Refund,
    pub seen_refunded: i64,
}

/// One ledger transaction.
#[derive(Debug, Clone)]
pub struct LedgerTxn {
    pub txn_id: Uuid,
    pub order_id: Option<Uuid>,
    pub payment_id: Option<Uuid>,
    pub posting: Posting,
}

impl LedgerTxn {
    pub fn new(posting: Posting, order_id: Option<Uuid>, payment_id: Option<Uuid>) -> Self {
        Self { txn_id: Uuid::now_v7(), order_id, payment_id, posting }
    }
}

/// Everything one money movement writes. Applied in this order: the gateway event, new
/// payments, payment changes, refunds, wallet changes (refused with `INSUFFICIENT_BALANCE` if
/// a balance would go below zero), ledger, the order's payment fields, events.
#[derive(Debug, Clone, Default)]
pub struct MoneyWrite {
    pub gateway_event: Option<GatewayEvent>,
    pub new_payments: Vec<Payment>,
    pub payment_changes: Vec<PaymentChange>,
    pub refunds: Vec<RefundWrite>,
    /// `(user_id, delta)`.
    pub wallet: Vec<(Uuid, i64)>,
    pub ledger: Vec<LedgerTxn>,
    /// `(order_id, payment_method, payment_status)` shown on the order.
    pub order_payment: Option<(Uuid, String, String)>,
    /// Added to the order's `refund_amount`: `(order_id, amount)`.
    pub order_refund: Option<(Uuid, i64)>,
    /// A FAILED refund paid into the customer's wallet instead: it becomes SUCCEEDED to WALLET
    /// (guarded on FAILED).
    pub refund_to_wallet: Option<Uuid>,
    pub events: Vec<NewEvent>,
    /// The answer of the Idempotency-Key this write is the effect of, stored with it first:
    /// the write applies only while the request still holds the key's claim.
    pub key: Option<crate::KeyDone>,
}

impl MoneyWrite {
    pub fn is_empty(&self) -> bool {
        self.gateway_event.is_none()
            && self.new_payments.is_empty()
            && self.payment_changes.is_empty()
            && self.refunds.is_empty()
            && self.wallet.is_empty()
            && self.ledger.is_empty()
            && self.order_payment.is_none()
            && self.order_refund.is_none()
            && self.refund_to_wallet.is_none()
            && self.events.is_empty()
            && self.key.is_none()
    }
}
