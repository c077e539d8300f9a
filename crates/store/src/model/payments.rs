//! Payments records: payment attempts, refunds, ledger lines and what the ledger check reads.

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// One attempt to pay for an order (or to top up a wallet). Money in paise.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Payment {
    pub payment_id: Uuid,
    #[serde(skip)]
    pub user_id: Uuid,
    /// None for a wallet top-up.
    pub order_id: Option<Uuid>,
    /// ORDER or TOPUP.
    pub purpose: String,
    /// COD, CARD, UPI or WALLET.
    pub method: String,
    pub amount: i64,
    pub currency: String,
    /// PENDING, SUCCEEDED, FAILED, or REVIEW (the gateway reported something that does not
    /// match; support looks at it).
    pub status: String,
    #[serde(skip)]
    pub gateway_ref: Option<String>,
    /// The gateway's hosted pay page, for CARD and UPI.
    pub gateway_url: Option<String>,
    pub captured: i64,
    pub refunded: i64,
    #[serde(skip)]
    pub card_token: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    /// MM/YY.
    pub card_expiry: Option<String>,
    pub failure_reason: Option<String>,
    #[serde(skip)]
    pub review_reason: Option<String>,
    /// A payment not completed by then is given up.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Money given back on a payment.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Refund {
    pub refund_id: Uuid,
    pub payment_id: Uuid,
    pub amount: i64,
    pub reason: String,
    /// ORIGINAL (the card/UPI/wallet it came from) or WALLET.
    pub destination: String,
    /// PENDING (owed, on its way to the gateway), SUCCEEDED, or FAILED (the gateway refused it
    /// every time; support settles it).
    pub status: String,
    #[serde(skip)]
    pub gateway_ref: Option<String>,
    /// CUSTOMER, RESTAURANT, ADMIN or SYSTEM: whose action caused it.
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Tries at the gateway that failed so far.
    pub attempts: i32,
    /// When the next try is due (after a failed one).
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// What the gateway said on the last failed try.
    pub last_error: Option<String>,
}

/// One ledger line on an account, with the transaction it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct LedgerLine {
    pub txn_id: Uuid,
    /// order.paid, order.delivered, order.cancelled, refund, wallet.topup…
    pub kind: String,
    pub order_id: Option<Uuid>,
    pub payment_id: Option<Uuid>,
    pub account: String,
    /// Debit positive, credit negative. On an account owed to someone (restaurant, rider,
    /// wallet) a credit is money to them.
    pub amount: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An order's money as the ledger check needs it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OrderMoneyRow {
    pub order_id: Uuid,
    pub user_id: Uuid,
    pub restaurant_id: Uuid,
    pub status: String,
    pub payment_method: String,
    pub subtotal: i64,
    pub discount: i64,
    pub restaurant_discount: i64,
    pub delivery_fee: i64,
    pub packaging_fee: i64,
    pub taxes: i64,
    pub total_amount: i64,
    pub cancellation_fee: i64,
}

/// Everything the ledger check compares, read in one consistent snapshot.
#[derive(Debug, Clone, Default)]
pub struct LedgerSnapshot {
    pub transactions: i64,
    /// Transactions whose lines do not sum to zero: `(txn_id, sum)`.
    pub unbalanced: Vec<(Uuid, i64)>,
    /// The sum of every line.
    pub total: i64,
    /// `(order_id, kind, account, sum)` over transactions tied to an order.
    pub by_order: Vec<(Uuid, String, String, i64)>,
    pub orders: Vec<OrderMoneyRow>,
    /// `(user_id, stored balance)`.
    pub wallets: Vec<(Uuid, i64)>,
    /// Every account's balance (debit positive), by account name.
    pub accounts: Vec<(String, i64)>,
    /// `(payment_id, order_id, status, captured, refunded, sum of its refunds)`.
    pub payments: Vec<(Uuid, Option<Uuid>, String, i64, i64, i64)>,
    /// Refunds the gateway refused every time: `(refund_id, payment_id, amount)`.
    pub failed_refunds: Vec<(Uuid, Uuid, i64)>,
}
