//! Payment events (catalogue: docs/EVENTS.md). Payloads carry the customer and, for orders,
//! the order's ids so the inbox can tell people without reading back.

use dabba_store::model::{NewEvent, Payment, Refund};
use serde_json::json;

pub const PAYMENT_COMPLETED: &str = "payment.completed";
/// One attempt failed; the customer may try again until the order's payment deadline.
pub const PAYMENT_DECLINED: &str = "payment.declined";
/// No payment arrived in time: the order is cancelled.
pub const PAYMENT_FAILED: &str = "payment.failed";
pub const PAYMENT_REFUNDED: &str = "payment.refunded";
/// The gateway reported something that does not match (amount, currency): support looks.
pub const PAYMENT_REVIEW: &str = "payment.review";

fn base(p: &Payment) -> serde_json::Value {
    json!({
        "payment_id": p.payment_id,
        "order_id": p.order_id,
        "user_id": p.user_id,
        "purpose": p.purpose,
        "method": p.method,
        "amount": p.amount,
        "currency": p.currency,
    })
}

pub fn event(topic: &'static str, p: &Payment, extra: serde_json::Value) -> NewEvent {
    let mut payload = base(p);
    if let (Some(obj), serde_json::Value::Object(more)) = (payload.as_object_mut(), extra) {
        obj.extend(more);
    }
    NewEvent { topic, key: p.order_id.unwrap_or(p.payment_id), payload }
}

pub fn refunded(p: &Payment, r: &Refund) -> NewEvent {
    event(
        PAYMENT_REFUNDED,
        p,
        json!({"refund_id": r.refund_id, "refund_amount": r.amount, "destination": r.destination, "reason": r.reason}),
    )
}
