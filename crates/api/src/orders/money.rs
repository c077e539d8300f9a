//! The money that moves with an order's steps, decided here for every caller (customer cancel,
//! restaurant reject, timers, admins, payments): a cancellation refunds what was paid less the
//! fee, a delivery splits the bill in the ledger. Each write is guarded in the store; when a
//! guard finds that something moved (a refund landed meanwhile), the step is decided again.

use super::events;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::payments::events as pay_events;
use dabba_domain::ledger::{self, OrderMoney, RefundTo};
use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::model::{Order, Payment, Refund};
use dabba_store::{Cancellation, LedgerTxn, MoneyWrite, PaymentChange, RefundWrite, StoreError, Transition};
use uuid::Uuid;

/// How many times a step is decided again after a guard found a concurrent change.
const ATTEMPTS: usize = 5;

pub fn order_money(o: &Order) -> OrderMoney {
    OrderMoney {
        order_id: o.order_id,
        user_id: o.user_id,
        restaurant_id: o.restaurant_id,
        subtotal: o.subtotal,
        discount: o.discount,
        restaurant_discount: o.restaurant_discount,
        delivery_fee: o.delivery_fee,
        packaging_fee: o.packaging_fee,
        taxes: o.taxes,
        total: o.total_amount,
    }
}

fn cancel_change(p: &Payment) -> PaymentChange {
    PaymentChange {
        payment_id: p.payment_id,
        from: p.status.clone(),
        to: "CANCELLED".into(),
        capture: 0,
        card: None,
        failure_reason: Some("the order was cancelled".into()),
        review_reason: None,
    }
}

/// A refund of `amount` on `p`; to the wallet for wallet payments (done at once), else back
/// through the gateway (sent by the refund worker).
pub fn refund_of(p: &Payment, amount: i64, reason: &str, actor: Actor, to_wallet: bool) -> (RefundWrite, RefundTo) {
    let wallet = to_wallet || p.method == "WALLET";
    let now = dabba_store::now_utc();
    let refund = Refund {
        refund_id: Uuid::now_v7(),
        payment_id: p.payment_id,
        amount,
        reason: reason.into(),
        destination: if to_wallet { "WALLET" } else { "ORIGINAL" }.into(),
        status: if wallet { "SUCCEEDED" } else { "PENDING" }.into(),
        gateway_ref: None,
        actor: dabba_store::actor_name(actor).into(),
        created_at: now,
        updated_at: now,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
    };
    let to = if wallet { RefundTo::Wallet(p.user_id) } else { RefundTo::Gateway };
    (RefundWrite { refund, seen_refunded: p.refunded }, to)
}

/// The money of cancelling `o` with `fee`: `(refund given, write)`.
pub async fn cancellation_money(state: &AppState, o: &Order, fee: i64, actor: Actor) -> ApiResult<(i64, MoneyWrite)> {
    let payments = state.store.payments_of_order(o.order_id).await?;
    let mut w = MoneyWrite::default();
    w.payment_changes.extend(payments.iter().filter(|p| p.status == "PENDING" && p.method != "COD").map(cancel_change));
    let m = order_money(o);
    let paid = payments
        .iter()
        .filter(|p| p.status == "SUCCEEDED" && p.method != "COD" && p.captured > 0)
        .max_by_key(|p| p.captured - p.refunded);
    let Some(p) = paid else {
        for cod in payments.iter().filter(|p| p.method == "COD" && p.status == "PENDING") {
            w.payment_changes.push(cancel_change(cod));
        }
        if fee > 0 {
            w.ledger.push(LedgerTxn::new(ledger::fee_owed(&m, fee), Some(o.order_id), None));
        }
        return Ok((0, w));
    };
    let refund = (o.total_amount - fee).min(p.captured - p.refunded).max(0);
    let to = if p.method == "WALLET" { RefundTo::Wallet(o.user_id) } else { RefundTo::Gateway };
    w.ledger.push(LedgerTxn::new(
        ledger::cancelled(&m, o.total_amount, fee, refund, to),
        Some(o.order_id),
        Some(p.payment_id),
    ));
    if refund > 0 {
        let (r, to) = refund_of(p, refund, "order cancelled", actor, false);
        if let RefundTo::Wallet(u) = to {
            w.wallet.push((u, refund));
        }
        w.events.push(pay_events::refunded(p, &r.refund));
        w.refunds.push(r);
        let status = if p.refunded + refund == p.captured { "REFUNDED" } else { "SUCCESS" };
        w.order_payment = Some((o.order_id, p.method.clone(), status.into()));
    }
    Ok((refund, w))
}

/// The money of delivering `o`: cash collected (COD) and the bill split.
pub async fn delivery_money(state: &AppState, o: &Order) -> ApiResult<MoneyWrite> {
    let mut w = MoneyWrite::default();
    let cash = o.payment_method == "COD";
    let terms = state.payments.config.payout;
    // The rider is paid for the delivery: base plus distance (tips will come on top).
    let rider = o.rider_id.map(|r| (r, terms.rider_pay(o.distance_km, 0)));
    w.ledger.push(LedgerTxn::new(ledger::delivered(&order_money(o), &terms, cash, rider), Some(o.order_id), None));
    if cash {
        for p in state
            .store
            .payments_of_order(o.order_id)
            .await?
            .iter()
            .filter(|p| p.method == "COD" && p.status == "PENDING")
        {
            w.payment_changes.push(PaymentChange {
                payment_id: p.payment_id,
                from: "PENDING".into(),
                to: "SUCCEEDED".into(),
                capture: o.total_amount,
                card: None,
                failure_reason: None,
                review_reason: None,
            });
        }
        w.order_payment = Some((o.order_id, "COD".into(), "SUCCESS".into()));
    }
    Ok(w)
}

/// Applies a step of `o`, with the money it moves; `false` if the order moved meanwhile.
/// A cancellation's fee is taken from `t.cancel`; its refund is decided here.
pub async fn run(state: &AppState, o: &Order, mut t: Transition) -> ApiResult<bool> {
    for _ in 0..ATTEMPTS {
        match t.to {
            OrderStatus::Cancelled => {
                let fee = t.cancel.as_ref().map_or(0, |c| c.fee);
                let (refund, money) = cancellation_money(state, o, fee, t.actor).await?;
                if let Some(c) = t.cancel.as_mut() {
                    c.refund = refund;
                }
                for e in &mut t.events {
                    e.payload["refund_amount"] = refund.into();
                }
                t.money = money;
            }
            OrderStatus::Delivered => t.money = delivery_money(state, o).await?,
            _ => {}
        }
        match state.store.transition(&t).await {
            Err(StoreError::Refused { code: "STALE", .. }) => continue,
            other => {
                let applied = other?;
                if applied {
                    state.relay.wake();
                    state.payments.wake_refunds();
                }
                return Ok(applied);
            }
        }
    }
    Err(ApiError::conflict("TRY_AGAIN", "the order's payment kept changing; send the request again"))
}

/// Cancels `o` (from its current status) by `actor`: the fee rule of the domain, refund of
/// what was paid, stock and offer given back. `None` if it moved meanwhile; else `(fee, refund)`.
pub async fn cancel(
    state: &AppState,
    o: &Order,
    actor: Actor,
    reason: &str,
    also: Vec<dabba_store::model::NewEvent>,
) -> ApiResult<Option<(i64, i64)>> {
    let (fee, _) = dabba_domain::order::cancellation_terms(o.status, o.total_amount, actor);
    let owner = state.store.restaurant(o.restaurant_id).await?.map(|r| r.owner_id).unwrap_or_default();
    let extra = serde_json::json!({"reason": reason, "refund_amount": 0, "cancellation_fee": fee});
    let t = Transition {
        order_id: o.order_id,
        from: o.status,
        to: OrderStatus::Cancelled,
        actor,
        note: Some(reason.into()),
        cancel: Some(Cancellation { reason: reason.into(), fee, refund: 0 }),
        preparation_minutes: None,
        estimated_delivery_time: None,
        accept_by: None,
        rider: None,
        events: [events::changed(o, owner, o.status, OrderStatus::Cancelled, actor, Some(extra)), also].concat(),
        money: MoneyWrite::default(),
    };
    if !run(state, o, t.clone()).await? {
        return Ok(None);
    }
    let now = state.store.order(o.order_id).await?.ok_or(ApiError::NotFound("order"))?;
    Ok(Some((now.cancellation_fee, now.refund_amount)))
}
