//! The ordering events written with each change (catalogue: docs/EVENTS.md). Payloads carry the
//! ids subscribers need (customer, restaurant, owner) so they do not have to read back.

use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::model::{NewEvent, Order};
use serde_json::json;
use uuid::Uuid;

pub const ORDER_PLACED: &str = "order.placed";
pub const ORDER_CONFIRMED: &str = "order.confirmed";
pub const ORDER_STATUS_CHANGED: &str = "order.status.changed";
pub const ORDER_CANCELLED: &str = "order.cancelled";
pub const RATING_SUBMITTED: &str = "rating.submitted";
pub const OFFER_APPLIED: &str = "offer.applied";

fn base(o: &Order, owner_id: Uuid) -> serde_json::Value {
    json!({
        "order_id": o.order_id,
        "user_id": o.user_id,
        "restaurant_id": o.restaurant_id,
        "owner_id": owner_id,
        "total_amount": o.total_amount,
    })
}

/// Events of a new order (COD orders are confirmed at once).
pub fn placed(o: &Order, owner_id: Uuid) -> Vec<NewEvent> {
    let mut out = vec![NewEvent { topic: ORDER_PLACED, key: o.order_id, payload: base(o, owner_id) }];
    if let Some(code) = &o.promo_code {
        let mut p = base(o, owner_id);
        p["promo_code"] = json!(code);
        p["discount"] = json!(o.discount);
        out.push(NewEvent { topic: OFFER_APPLIED, key: o.order_id, payload: p });
    }
    if o.status == OrderStatus::Confirmed {
        out.extend(confirmed(o, owner_id));
    }
    out
}

/// Events of a PENDING order becoming CONFIRMED (paid, or cash chosen).
pub fn confirmed(o: &Order, owner_id: Uuid) -> Vec<NewEvent> {
    let mut out = changed(o, owner_id, OrderStatus::Pending, OrderStatus::Confirmed, Actor::System, None);
    out.push(NewEvent { topic: ORDER_CONFIRMED, key: o.order_id, payload: base(o, owner_id) });
    out
}

/// Events of a status change; `extra` is merged into the payload (reason, refund, minutes…).
pub fn changed(
    o: &Order,
    owner_id: Uuid,
    from: OrderStatus,
    to: OrderStatus,
    actor: Actor,
    extra: Option<serde_json::Value>,
) -> Vec<NewEvent> {
    let mut p = base(o, owner_id);
    p["from"] = json!(from);
    p["to"] = json!(to);
    p["actor"] = json!(actor);
    if let (Some(obj), Some(serde_json::Value::Object(more))) = (p.as_object_mut(), extra) {
        obj.extend(more);
    }
    let mut out = vec![NewEvent { topic: ORDER_STATUS_CHANGED, key: o.order_id, payload: p.clone() }];
    if to == OrderStatus::Cancelled {
        out.push(NewEvent { topic: ORDER_CANCELLED, key: o.order_id, payload: p });
    }
    out
}
