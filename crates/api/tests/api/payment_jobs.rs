//! The payments worker under the failures that starved or blocked it: abandoned attempts that
//! never expired and crowded a paid top-up out of reconciliation, one refused refund that
//! stopped every refund after it, a restart between the gateway's answer and ours, and
//! payments held in REVIEW with no way out.

use crate::helpers::{TestApp, Tuning};
use dabba_api::payments::{refunds, timers};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Two payments per reconciliation round, three tries per refund: the limits are reached
/// with a handful of payments.
fn small_batches(t: &mut Tuning) {
    t.payments.reconcile_batch = 2;
    t.payments.refund_attempts = 3;
}

crate::both_backends_tuned!(
    small_batches;
    abandoned_attempts_expire_and_cannot_starve_a_paid_top_up,
    a_refused_refund_is_retried_then_failed_without_blocking_the_others,
    a_refund_answered_by_the_gateway_but_not_recorded_is_sent_once,
    a_failed_refund_can_be_paid_into_the_wallet,
    support_resolves_payments_held_in_review,
);

async fn top_up_start(app: &TestApp, customer: &str, amount: i64) -> Value {
    let r = app.post("/api/v1/wallet/topup", Some(customer), json!({"amount": amount, "method": "CARD"})).await;
    r.expect(201).clone()
}

fn payment_id(start: &Value) -> Uuid {
    start["payment_id"].as_str().unwrap().parse().unwrap()
}

async fn status_of(app: &TestApp, id: Uuid) -> String {
    app.store.payment(id).await.unwrap().unwrap().status
}

async fn abandoned_attempts_expire_and_cannot_starve_a_paid_top_up(app: TestApp) {
    let customer = app.customer().await;
    let sandbox = app.state.payments.sandbox.clone().unwrap();
    // Three top-ups opened and left (more than a round's batch), then one paid whose webhook
    // was lost.
    let mut abandoned = Vec::new();
    for _ in 0..3 {
        abandoned.push(payment_id(&top_up_start(&app, &customer, 10_000).await));
    }
    let paid = top_up_start(&app, &customer, 25_000).await;
    let (status, _) = app.pay_card(&paid, "4000 0000 0000 0077").await;
    assert_eq!(status, 200);
    assert_eq!(status_of(&app, payment_id(&paid)).await, "PENDING", "the webhook was lost");
    let now = OffsetDateTime::now_utc();
    // Rounds a few minutes later: each asks the longest-unasked, so the paid one's turn comes.
    for round in 1..=3 {
        timers::run_once(&app.state, now + Duration::minutes(1 + round)).await.unwrap();
    }
    let wallet = app.get("/api/v1/wallet", Some(&customer)).await;
    assert_eq!(wallet.expect(200)["balance"], 25_000, "reconciliation found the paid top-up");
    // Past their deadline, the abandoned attempts are closed here and at the gateway.
    assert_eq!(sandbox.payable_charges(), 3);
    timers::run_once(&app.state, now + Duration::minutes(20)).await.unwrap();
    for id in &abandoned {
        assert_eq!(status_of(&app, *id).await, "CANCELLED");
    }
    assert_eq!(sandbox.payable_charges(), 0, "no one can pay an expired attempt");
    app.ledger_ok().await;
}

async fn first_refund(app: &TestApp, payment: Uuid) -> dabba_store::model::Refund {
    app.store.refunds_of_payment(payment).await.unwrap().remove(0)
}

/// A card order paid and cancelled by the customer: a full refund is owed through the gateway.
async fn refund_owed(app: &TestApp, s: &crate::helpers::Shop) -> (Uuid, String) {
    let placed = app.order_paying(s, "CARD").await;
    app.pay_card(&placed["payment"], "4111111111111111").await;
    let order = placed["order_id"].as_str().unwrap();
    let r = app.put(&format!("/api/v1/orders/{order}/cancel"), Some(&s.customer), json!({})).await;
    r.expect(200);
    let pid = payment_id(&placed["payment"]);
    let gateway_ref = app.store.payment(pid).await.unwrap().unwrap().gateway_ref.unwrap();
    (pid, gateway_ref)
}

async fn a_refused_refund_is_retried_then_failed_without_blocking_the_others(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let sandbox = app.state.payments.sandbox.clone().unwrap();
    // The older refund is refused by the bank, every time.
    let placed = app.order_paying(&s, "CARD").await;
    let first_ref = app.store.payment(payment_id(&placed["payment"])).await.unwrap().unwrap().gateway_ref.unwrap();
    sandbox.refuse_refunds(&first_ref, true);
    app.pay_card(&placed["payment"], "4111111111111111").await;
    let order = placed["order_id"].as_str().unwrap();
    app.put(&format!("/api/v1/orders/{order}/cancel"), Some(&s.customer), json!({})).await.expect(200);
    let first = payment_id(&placed["payment"]);
    let (second, second_ref) = refund_owed(&app, &s).await;
    let later = OffsetDateTime::now_utc() + Duration::hours(1);
    refunds::send_refunds(&app.state, later).await.unwrap();
    assert_eq!(first_refund(&app, second).await.status, "SUCCEEDED", "the refused one does not block the next");
    assert_eq!(sandbox.refunds_made(&second_ref), 1);
    // Tried again later, with backoff, until the tries are spent: FAILED, for support.
    for hours in [2, 4, 8, 16] {
        refunds::send_refunds(&app.state, later + Duration::hours(hours)).await.unwrap();
    }
    let failed = first_refund(&app, first).await;
    assert_eq!((failed.status.as_str(), failed.attempts), ("FAILED", 3), "{failed:?}");
    assert!(failed.last_error.as_deref().unwrap().contains("refused"), "{failed:?}");
    let listed = app.get("/api/v1/admin/refunds?status=FAILED", Some(&admin)).await;
    assert_eq!(listed.expect(200)[0]["refund_id"], failed.refund_id.to_string());
    app.get("/api/v1/admin/refunds", Some(&s.customer)).await.expect(403);
    let check = app.get("/api/v1/admin/ledger/check", Some(&admin)).await;
    let check = check.expect(200);
    assert_eq!(check["ok"], false, "a refund the customer never got is a problem to settle");
    assert!(check["problems"][0].as_str().unwrap().contains("FAILED"), "{check}");
    // The bank takes it now; support sends it again.
    sandbox.refuse_refunds(&first_ref, false);
    let retry = format!("/api/v1/admin/refunds/{}/retry", failed.refund_id);
    app.post(&retry, Some(&s.owner), json!({})).await.expect(403);
    app.post(&retry, Some(&admin), json!({})).await.expect(202);
    app.post(&retry, Some(&admin), json!({})).await.expect(409);
    refunds::send_refunds(&app.state, OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(first_refund(&app, first).await.status, "SUCCEEDED");
    assert_eq!(sandbox.refunds_made(&first_ref), 1);
    app.ledger_ok().await;
}

async fn a_refund_answered_by_the_gateway_but_not_recorded_is_sent_once(app: TestApp) {
    let s = app.shop().await;
    let sandbox = app.state.payments.sandbox.clone().unwrap();
    // The worker may have sent it already when the cancel woke it; make the crash explicit:
    // the gateway accepts a refund and the process dies before recording it.
    let (pid, gateway_ref) = refund_owed(&app, &s).await;
    let owed = app.store.refunds_of_payment(pid).await.unwrap().remove(0);
    use dabba_api::payments::gateway::PaymentGateway;
    let first = sandbox.refund(&gateway_ref, owed.refund_id, owed.amount).await.unwrap();
    // After the restart the worker finds it still owed and sends it again, as the same refund.
    refunds::send_refunds(&app.state, OffsetDateTime::now_utc()).await.unwrap();
    let done = app.store.refunds_of_payment(pid).await.unwrap().remove(0);
    assert_eq!(done.status, "SUCCEEDED");
    assert_eq!(sandbox.refunds_made(&gateway_ref), 1, "refunded once, not twice");
    let again = sandbox.refund(&gateway_ref, owed.refund_id, owed.amount).await.unwrap();
    assert_eq!(again, first, "the gateway knows it by our id");
    app.ledger_ok().await;
}

/// A card order whose charge was reported with another amount: held in REVIEW. `paid`: the
/// customer then really pays the charge at the gateway (its own webhook changes nothing now).
async fn in_review(app: &TestApp, s: &crate::helpers::Shop, paid: bool) -> (String, Uuid) {
    let placed = app.order_paying(s, "CARD").await;
    let pid = payment_id(&placed["payment"]);
    let gateway_ref = app.store.payment(pid).await.unwrap().unwrap().gateway_ref.unwrap();
    let ev = json!({"event_id": format!("evt_{}", Uuid::new_v4().simple()), "type": "charge.succeeded",
        "charge_id": gateway_ref, "payment_id": pid, "amount": 100, "currency": "INR", "card": null,
        "failure_reason": null});
    let now = OffsetDateTime::now_utc().unix_timestamp();
    assert_eq!(app.callback_signed(&ev, &app.webhook_secret(), now).await.expect(200)["outcome"], "FLAGGED");
    if paid {
        let (status, _) = app.pay_card(&placed["payment"], "4111111111111111").await;
        assert_eq!(status, 200);
        assert_eq!(status_of(app, pid).await, "REVIEW", "a flagged payment waits for a person");
    }
    (placed["order_id"].as_str().unwrap().to_owned(), pid)
}

async fn support_resolves_payments_held_in_review(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let (accepted_order, accepted) = in_review(&app, &s, true).await;
    let (refused_order, refused) = in_review(&app, &s, true).await;
    let (_, unpaid) = in_review(&app, &s, false).await;
    let listed = app.get("/api/v1/admin/payments?status=REVIEW", Some(&admin)).await;
    let ids: Vec<&str> =
        listed.expect(200).as_array().unwrap().iter().map(|p| p["payment_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&accepted.to_string().as_str()) && ids.contains(&refused.to_string().as_str()), "{ids:?}");
    app.get("/api/v1/admin/payments", Some(&s.customer)).await.expect(403);
    app.get("/api/v1/admin/payments?status=LOST", Some(&admin)).await.expect(400);
    let path = |p: Uuid| format!("/api/v1/admin/payments/{p}/resolve");
    app.post(&path(accepted), Some(&s.owner), json!({"action": "ACCEPT", "note": "checked"})).await.expect(403);
    app.post(&path(accepted), Some(&admin), json!({"action": "KEEP", "note": "checked"})).await.expect(400);
    app.post(&path(accepted), Some(&admin), json!({"action": "ACCEPT", "note": ""})).await.expect(400);
    app.post(&path(Uuid::new_v4()), Some(&admin), json!({"action": "ACCEPT", "note": "checked"})).await.expect(404);

    // The gateway is asked first: a charge nobody paid cannot be accepted.
    let r = app.post(&path(unpaid), Some(&admin), json!({"action": "ACCEPT", "note": "looks fine"})).await;
    assert_eq!(r.expect(409)["error_code"], "NOT_SETTLED");
    // The gateway holds the full amount: the report was wrong. The order goes ahead.
    let r =
        app.post(&path(accepted), Some(&admin), json!({"action": "ACCEPT", "note": "bank statement shows it"})).await;
    assert_eq!(r.expect(200)["outcome"], "CONFIRMED");
    assert_eq!(app.order_of(&s.customer, &accepted_order).await["status"], "CONFIRMED");
    let again = app.post(&path(accepted), Some(&admin), json!({"action": "ACCEPT", "note": "twice"})).await;
    assert_eq!(again.expect(409)["error_code"], "NOT_IN_REVIEW");

    // The other is refused: all of it goes back to the card; the order still waits for a payment.
    let r = app.post(&path(refused), Some(&admin), json!({"action": "REFUND", "note": "amount tampered"})).await;
    assert_eq!(r.expect(200)["outcome"], "RETURNED");
    let p = app.store.payment(refused).await.unwrap().unwrap();
    assert_eq!((p.status.as_str(), p.captured, p.refunded), ("SUCCEEDED", p.amount, p.amount));
    assert_eq!(app.order_of(&s.customer, &refused_order).await["status"], "PENDING");
    app.ledger_ok().await;
}

async fn a_failed_refund_can_be_paid_into_the_wallet(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let sandbox = app.state.payments.sandbox.clone().unwrap();
    let placed = app.order_paying(&s, "CARD").await;
    let pid = payment_id(&placed["payment"]);
    let gateway_ref = app.store.payment(pid).await.unwrap().unwrap().gateway_ref.unwrap();
    sandbox.refuse_refunds(&gateway_ref, true);
    app.pay_card(&placed["payment"], "4111111111111111").await;
    let order = placed["order_id"].as_str().unwrap();
    app.put(&format!("/api/v1/orders/{order}/cancel"), Some(&s.customer), json!({})).await.expect(200);
    let later = OffsetDateTime::now_utc() + Duration::hours(1);
    for hours in [0, 2, 4, 8] {
        refunds::send_refunds(&app.state, later + Duration::hours(hours)).await.unwrap();
    }
    let failed = first_refund(&app, pid).await;
    assert_eq!(failed.status, "FAILED");
    let path = format!("/api/v1/admin/refunds/{}/to-wallet", failed.refund_id);
    app.post(&path, Some(&s.customer), json!({})).await.expect(403);
    let r = app.post(&path, Some(&admin), json!({})).await;
    assert_eq!((r.expect(200)["status"].as_str(), r.body["destination"].as_str()), (Some("SUCCEEDED"), Some("WALLET")));
    app.post(&path, Some(&admin), json!({})).await.expect(409);
    let wallet = app.get("/api/v1/wallet", Some(&s.customer)).await;
    assert_eq!(wallet.expect(200)["balance"].as_i64(), Some(failed.amount), "the customer has the money back");
    app.ledger_ok().await;
}
