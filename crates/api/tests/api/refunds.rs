//! Money after payment: wallets, refunds on cancellation (less the fee), cash collected at the
//! door, admin refunds capped under concurrency, statements, and who may see what.

use crate::helpers::TestApp;
use dabba_api::payments::timers;
use serde_json::{Value, json};
use time::OffsetDateTime;

crate::both_backends!(
    a_wallet_is_topped_up_spent_and_refunded,
    cancellations_refund_what_was_paid_less_the_fee,
    cash_is_collected_at_delivery_and_a_late_cancel_fee_is_owed,
    admin_refunds_never_exceed_what_was_captured,
    statements_and_the_ledger_check_are_for_their_owners,
);

async fn top_up(app: &TestApp, customer: &str, amount: i64) {
    let start = app.post("/api/v1/wallet/topup", Some(customer), json!({"amount": amount, "method": "CARD"})).await;
    let start = start.expect(201).clone();
    let (status, html) = app.pay_card(&start, "4111111111111111").await;
    assert_eq!(status, 200, "{html}");
}

async fn balance(app: &TestApp, customer: &str) -> i64 {
    app.get("/api/v1/wallet", Some(customer)).await.expect(200)["balance"].as_i64().unwrap()
}

async fn a_wallet_is_topped_up_spent_and_refunded(app: TestApp) {
    let s = app.shop().await;
    assert_eq!(balance(&app, &s.customer).await, 0);
    // Too little in the wallet: refused before anything is written.
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let short =
        app.checkout_body(&s.customer, "w-short", json!({"address_id": s.address, "payment_method": "WALLET"})).await;
    short.expect(409);
    assert_eq!(short.code(), "INSUFFICIENT_BALANCE");
    assert_eq!(short.body["details"]["wallet_balance"], 0);

    top_up(&app, &s.customer, 50_000).await;
    assert_eq!(balance(&app, &s.customer).await, 50_000);
    let placed = app
        .checkout_body(&s.customer, "w-pay", json!({"address_id": s.address, "payment_method": "WALLET"}))
        .await
        .expect(201)
        .clone();
    assert_eq!(placed["status"], "CONFIRMED", "a wallet pays at once");
    assert_eq!(placed["payment"]["status"], "SUCCEEDED");
    let total = placed["total_amount"].as_i64().unwrap();
    assert_eq!(balance(&app, &s.customer).await, 50_000 - total);
    app.ledger_ok().await;

    let id = placed["order_id"].as_str().unwrap();
    let cancel = app.put(&format!("/api/v1/orders/{id}/cancel"), Some(&s.customer), json!({})).await;
    assert_eq!(cancel.expect(200)["refund_amount"], total);
    assert_eq!(balance(&app, &s.customer).await, 50_000, "refunded into the wallet at once");
    let wallet = app.get("/api/v1/wallet", Some(&s.customer)).await.expect(200).clone();
    let kinds: Vec<&str> = wallet["recent"].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["wallet.topup", "order.paid", "order.cancelled"]);
    app.ledger_ok().await;

    app.post("/api/v1/wallet/topup", Some(&s.customer), json!({"amount": 10, "method": "CARD"})).await.expect(400);
    app.post("/api/v1/wallet/topup", Some(&s.customer), json!({"amount": 5_000, "method": "WALLET"})).await.expect(400);
    app.post("/api/v1/wallet/topup", Some(&s.owner), json!({"amount": 5_000, "method": "CARD"})).await.expect(403);
    app.get("/api/v1/wallet", Some(&s.owner)).await.expect(403);
    app.get("/api/v1/wallet", None).await.expect(401);
}

async fn cancellations_refund_what_was_paid_less_the_fee(app: TestApp) {
    let s = app.shop().await;
    let placed = app.order_paying(&s, "CARD").await;
    app.pay_card(&placed["payment"], "4111111111111111").await;
    let id = placed["order_id"].as_str().unwrap().to_owned();
    app.kitchen(&s, &id, json!({"status": "PREPARING"})).await.expect(200);
    let cancel = app.put(&format!("/api/v1/orders/{id}/cancel"), Some(&s.customer), json!({})).await;
    let cancel = cancel.expect(200).clone();
    let total = placed["total_amount"].as_i64().unwrap();
    let fee = (total * 20 + 50) / 100;
    assert_eq!((cancel["cancellation_fee"].as_i64(), cancel["refund_amount"].as_i64()), (Some(fee), Some(total - fee)));
    let pid = placed["payment"]["payment_id"].as_str().unwrap();
    let p = app.get(&format!("/api/v1/payments/{pid}/status"), Some(&s.customer)).await.expect(200).clone();
    assert_eq!(p["refunded"], total - fee);
    timers::run_once(&app.state, OffsetDateTime::now_utc()).await.unwrap();
    let p = app.get(&format!("/api/v1/payments/{pid}/status"), Some(&s.customer)).await.expect(200).clone();
    assert_eq!(p["refunds"][0]["status"], "SUCCEEDED");
    let payouts = app.get(&format!("/api/v1/restaurants/{}/payouts", s.restaurant), Some(&s.owner)).await;
    let payouts = payouts.expect(200).clone();
    assert_eq!(payouts["net"], fee, "the kitchen keeps the fee");
    assert_eq!(payouts["lines"][0]["kind"], "order.cancelled");

    // A rejected paid order is refunded in full.
    let placed = app.order_paying(&s, "UPI").await;
    let url = placed["payment"]["gateway_url"].as_str().unwrap().to_owned();
    app.pay_page(&url, &[("action", "pay"), ("upi_id", "success@dabba")]).await;
    let id = placed["order_id"].as_str().unwrap().to_owned();
    let rejected = app.kitchen(&s, &id, json!({"status": "CANCELLED", "reason": "out of rice"})).await;
    assert_eq!(rejected.expect(200)["refund_amount"], placed["total_amount"]);
    assert_eq!(app.order_of(&s.customer, &id).await["payment_status"], "REFUNDED");
    app.ledger_ok().await;
}

async fn cash_is_collected_at_delivery_and_a_late_cancel_fee_is_owed(app: TestApp) {
    let s = app.shop().await;
    let id = app.order(&s).await;
    app.kitchen(&s, &id, json!({"status": "PREPARING"})).await.expect(200);
    app.kitchen(&s, &id, json!({"status": "READY"})).await.expect(200);
    let admin = app.admin().await;
    for status in ["PICKED_UP", "OUT_FOR_DELIVERY", "DELIVERED"] {
        app.patch(&format!("/api/v1/admin/orders/{id}/status"), Some(&admin), json!({"status": status}))
            .await
            .expect(200);
    }
    let order = app.order_of(&s.customer, &id).await;
    assert_eq!((order["payment_method"].as_str(), order["payment_status"].as_str()), (Some("COD"), Some("SUCCESS")));
    let report = app.ledger_ok().await;
    assert_eq!(report["platform"]["CASH"], order["total_amount"], "the cash collected is on the books");

    let late = app.order(&s).await;
    app.kitchen(&s, &late, json!({"status": "PREPARING"})).await.expect(200);
    let cancel = app.put(&format!("/api/v1/orders/{late}/cancel"), Some(&s.customer), json!({})).await;
    let cancel = cancel.expect(200).clone();
    assert_eq!(cancel["refund_amount"], 0, "nothing was paid");
    assert!(cancel["cancellation_fee"].as_i64().unwrap() > 0);
    app.ledger_ok().await;
}

async fn refund(app: &TestApp, token: &str, payment: &str, key: &str, body: Value) -> crate::helpers::Reply {
    app.post_with_key(&format!("/api/v1/payments/{payment}/refund"), token, key, body).await
}

async fn admin_refunds_never_exceed_what_was_captured(app: TestApp) {
    let s = app.shop().await;
    let placed = app.order_paying(&s, "CARD").await;
    app.pay_card(&placed["payment"], "4111111111111111").await;
    let pid = placed["payment"]["payment_id"].as_str().unwrap().to_owned();
    let total = placed["total_amount"].as_i64().unwrap();
    let admin = app.admin().await;
    let big = total * 6 / 10;
    let body = |reason: &str| json!({"amount": big, "reason": reason});
    let (a, b) = tokio::join!(
        refund(&app, &admin, &pid, "r-1", body("cold food")),
        refund(&app, &admin, &pid, "r-2", body("late delivery"))
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} / {}", a.body, b.body);
    let refused = if a.status == 409 { &a } else { &b };
    assert_eq!(refused.code(), "REFUND_EXCEEDS_CAPTURED");
    assert_eq!(refused.body["details"]["refundable"], total - big);
    let granted = if a.status == 201 { &a } else { &b };
    let key = if a.status == 201 { "r-1" } else { "r-2" };
    let reason = if a.status == 201 { "cold food" } else { "late delivery" };
    let replay = refund(&app, &admin, &pid, key, body(reason)).await;
    assert_eq!(replay.expect(201)["refund_id"], granted.body["refund_id"]);
    assert_eq!(replay.headers.get("idempotent-replayed").unwrap(), "true");
    refund(&app, &admin, &pid, key, json!({"amount": 1, "reason": "other"})).await.expect(422);

    let rest_body = json!({"amount": total - big, "reason": "goodwill", "to_wallet": true});
    let rest = refund(&app, &admin, &pid, "r-3", rest_body.clone()).await;
    assert_eq!(rest.expect(201)["destination"], "WALLET");
    // A crash after the refund committed but before its key's answer was stored (here: the key
    // forgotten): the retry finds the refund instead of granting it again.
    app.store.forget_keys_before(OffsetDateTime::now_utc() + time::Duration::days(1)).await.unwrap();
    let retried = refund(&app, &admin, &pid, "r-3", rest_body).await;
    assert_eq!(retried.expect(201)["refund_id"], rest.body["refund_id"]);
    assert_eq!(app.get("/api/v1/wallet", Some(&s.customer)).await.expect(200)["balance"], total - big);
    let over = refund(&app, &admin, &pid, "r-4", json!({"amount": 1, "reason": "one more"})).await;
    over.expect(409);
    let order = app.order_of(&s.customer, placed["order_id"].as_str().unwrap()).await;
    assert_eq!((order["payment_status"].as_str(), order["refund_amount"].as_i64()), (Some("REFUNDED"), Some(total)));

    refund(&app, &s.customer, &pid, "r-5", json!({"amount": 1, "reason": "please"})).await.expect(403);
    refund(&app, &admin, &pid, "r-6", json!({"amount": 0, "reason": "zero"})).await.expect(400);
    refund(&app, &admin, &pid, "r-7", json!({"amount": 1, "reason": ""})).await.expect(400);
    let unknown = uuid::Uuid::now_v7();
    refund(&app, &admin, &unknown.to_string(), "r-8", json!({"amount": 1, "reason": "who"})).await.expect(404);
    let no_key =
        app.post(&format!("/api/v1/payments/{pid}/refund"), Some(&admin), json!({"amount": 1, "reason": "k"})).await;
    no_key.expect(400);
    timers::run_once(&app.state, OffsetDateTime::now_utc()).await.unwrap();
    let report = app.ledger_ok().await;
    assert_eq!(report["platform"]["REFUNDS"], total, "support refunds are the platform's expense");
}

async fn statements_and_the_ledger_check_are_for_their_owners(app: TestApp) {
    let s = app.shop().await;
    let other = app.owner().await;
    let path = format!("/api/v1/restaurants/{}/payouts", s.restaurant);
    app.get(&path, Some(&other)).await.expect(403);
    app.get(&path, Some(&s.customer)).await.expect(403);
    app.get(&path, None).await.expect(401);
    let admin = app.admin().await;
    assert_eq!(app.get(&path, Some(&admin)).await.expect(200)["orders"], 0);
    let r = app.get(&format!("{path}?from=2026-11-20T00:00:00Z&to=2026-11-19T00:00:00Z"), Some(&s.owner)).await;
    r.expect(422);
    app.get(&format!("{path}?from=2026-01-01T00:00:00Z&to=2026-11-19T00:00:00Z"), Some(&s.owner)).await.expect(422);
    app.get(&format!("{path}?from=yesterday"), Some(&s.owner)).await.expect(400);
    let rider = app.rider().await;
    let earnings = app.get("/api/v1/delivery/earnings", Some(&rider)).await;
    assert_eq!(earnings.expect(200)["total"], 0);
    app.get("/api/v1/delivery/earnings", Some(&s.customer)).await.expect(403);
    app.get("/api/v1/admin/ledger/check", Some(&s.customer)).await.expect(403);
    assert_eq!(app.get("/api/v1/admin/ledger/check", Some(&admin)).await.expect(200)["ok"], true);
}
