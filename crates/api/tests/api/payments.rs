//! Online payment end to end through the sandbox gateway's pay page and signed webhooks, and
//! every failure on the way: declines, a gateway that is down, lost, repeated, out-of-order,
//! forged and tampered callbacks, payment deadlines, paying twice.

use crate::helpers::{Shop, TestApp};
use dabba_api::payments::timers;
use serde_json::{Value, json};
use time::OffsetDateTime;

crate::both_backends!(
    card_payment_confirms_the_order_and_delivery_splits_the_bill,
    a_declined_upi_payment_can_be_retried_with_another_method,
    a_gateway_that_is_down_pauses_only_online_payment,
    a_lost_webhook_is_found_by_reconciliation,
    replayed_and_out_of_order_callbacks_change_nothing,
    forged_stale_or_missing_signatures_are_refused,
    an_amount_that_does_not_match_is_flagged_not_confirmed,
    an_unpaid_order_is_cancelled_and_a_late_payment_returned,
    paying_twice_confirms_once_and_returns_the_second,
    a_delayed_result_confirms_when_it_arrives,
    bad_payment_requests_and_wrong_users,
    a_double_clicked_card_checkout_opens_one_order_and_one_charge,
);

async fn payment_of(app: &TestApp, token: &str, start: &Value) -> Value {
    let id = start["payment_id"].as_str().unwrap();
    app.get(&format!("/api/v1/payments/{id}/status"), Some(token)).await.expect(200).clone()
}

fn order_id(v: &Value) -> String {
    v["order_id"].as_str().unwrap().to_owned()
}

async fn deliver(app: &TestApp, shop: &Shop, order: &str) {
    app.kitchen(shop, order, json!({"status": "PREPARING"})).await.expect(200);
    app.kitchen(shop, order, json!({"status": "READY"})).await.expect(200);
    let admin = app.admin().await;
    for status in ["PICKED_UP", "OUT_FOR_DELIVERY", "DELIVERED"] {
        app.patch(&format!("/api/v1/admin/orders/{order}/status"), Some(&admin), json!({"status": status}))
            .await
            .expect(200);
    }
}

async fn card_payment_confirms_the_order_and_delivery_splits_the_bill(app: TestApp) {
    let s = app.shop().await;
    let placed = app.order_paying(&s, "CARD").await;
    assert_eq!(placed["status"], "PENDING");
    let start = &placed["payment"];
    assert_eq!(start["status"], "PENDING");
    let url = start["gateway_url"].as_str().unwrap();
    let page = app.client.get(format!("{}{url}", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let total = placed["total_amount"].as_i64().unwrap();
    assert!(html.contains(&format!("₹{}.{:02}", total / 100, total % 100)), "the page shows the amount: {html}");

    let (status, html) = app.pay_card(start, "4111 1111 1111 1111").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Payment successful"));
    // The webhook arrived before the customer came back.
    let order = app.order_of(&s.customer, &order_id(&placed)).await;
    assert_eq!((order["status"].as_str(), order["payment_status"].as_str()), (Some("CONFIRMED"), Some("SUCCESS")));
    assert!(order["accept_by"].is_string(), "the restaurant's clock starts at payment");
    let p = payment_of(&app, &s.customer, start).await;
    assert_eq!((p["status"].as_str(), p["captured"].as_i64()), (Some("SUCCEEDED"), Some(total)));
    assert_eq!((p["card_brand"].as_str(), p["card_last4"].as_str()), (Some("VISA"), Some("1111")));
    assert!(p.get("card_token").is_none() && !p.to_string().contains("4111111111111111"));
    app.ledger_ok().await;

    deliver(&app, &s, &order_id(&placed)).await;
    app.ledger_ok().await;
    let payouts = app.get(&format!("/api/v1/restaurants/{}/payouts", s.restaurant), Some(&s.owner)).await;
    let payouts = payouts.expect(200);
    // One dosa (₹200) + packaging ₹15; commission 18% of the food.
    assert_eq!(payouts["orders"], 1);
    assert_eq!(payouts["gross"], 20_000 + 1_500);
    assert_eq!(payouts["commission"], 3_600);
    assert_eq!(payouts["net"], 20_000 + 1_500 - 3_600);
}

async fn a_declined_upi_payment_can_be_retried_with_another_method(app: TestApp) {
    let s = app.shop().await;
    let placed = app.order_paying(&s, "UPI").await;
    let url = placed["payment"]["gateway_url"].as_str().unwrap().to_owned();
    let (status, html) = app.pay_page(&url, &[("action", "pay"), ("upi_id", "failure@dabba")]).await;
    assert_eq!(status, 200);
    assert!(html.contains("declined"), "{html}");
    let p = payment_of(&app, &s.customer, &placed["payment"]).await;
    assert_eq!((p["status"].as_str(), p["failure_reason"].as_str()), (Some("FAILED"), Some("upi_declined")));
    let id = order_id(&placed);
    assert_eq!(app.order_of(&s.customer, &id).await["status"], "PENDING", "the customer may try again");
    let (status, _) = app.pay_page(&url, &[("action", "pay"), ("upi_id", "success@dabba")]).await;
    assert_eq!(status, 409, "a finished attempt cannot be paid again");

    let again =
        app.post("/api/v1/payments/initiate", Some(&s.customer), json!({"order_id": id, "method": "CARD"})).await;
    let again = again.expect(201).clone();
    assert_ne!(again["payment_id"], placed["payment"]["payment_id"]);
    let (status, _) = app.pay_card(&again, "5555 5555 5555 4444").await;
    assert_eq!(status, 200);
    let order = app.order_of(&s.customer, &id).await;
    assert_eq!((order["status"].as_str(), order["payment_method"].as_str()), (Some("CONFIRMED"), Some("CARD")));
    let paid =
        app.post("/api/v1/payments/initiate", Some(&s.customer), json!({"order_id": id, "method": "CARD"})).await;
    paid.expect(409);
    assert_eq!(paid.code(), "ORDER_NOT_AWAITING_PAYMENT");
    app.ledger_ok().await;
}

async fn a_gateway_that_is_down_pauses_only_online_payment(app: TestApp) {
    let s = app.shop().await;
    let sandbox = app.state.payments.sandbox.clone().unwrap();
    sandbox.set_down(true);
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let card =
        app.checkout_body(&s.customer, "down-1", json!({"address_id": s.address, "payment_method": "CARD"})).await;
    card.expect(503);
    assert_eq!(card.code(), "PAYMENT_GATEWAY_UNAVAILABLE");
    assert!(card.body["message"].as_str().unwrap().contains("cash on delivery"));
    assert!(app.get("/api/v1/orders", Some(&s.customer)).await.expect(200).as_array().unwrap().is_empty());
    let cart = app.get("/api/v1/cart", Some(&s.customer)).await;
    assert_eq!(cart.expect(200)["lines"].as_array().unwrap().len(), 1, "the cart is untouched");
    // Enough failures open the breaker: the gateway is not even called then.
    for i in 0..3 {
        let r = app
            .checkout_body(
                &s.customer,
                &format!("down-{i}-b"),
                json!({"address_id": s.address, "payment_method": "UPI"}),
            )
            .await;
        r.expect(503);
    }
    assert_eq!(app.state.payments.breaker.state(), dabba_api::payments::breaker::BreakerState::Open);
    // Cash keeps working.
    let cod =
        app.checkout_body(&s.customer, "down-cod", json!({"address_id": s.address, "payment_method": "COD"})).await;
    assert_eq!(cod.expect(201)["status"], "CONFIRMED");
    app.ledger_ok().await;
}

async fn a_lost_webhook_is_found_by_reconciliation(app: TestApp) {
    let s = app.shop().await;
    let placed = app.order_paying(&s, "CARD").await;
    let (status, html) = app.pay_card(&placed["payment"], "4000 0000 0000 0077").await;
    assert_eq!(status, 200, "{html}");
    let id = order_id(&placed);
    assert_eq!(app.order_of(&s.customer, &id).await["status"], "PENDING", "no webhook came");
    // Too young to be asked about.
    assert_eq!(timers::reconcile(&app.state, OffsetDateTime::now_utc()).await.unwrap(), 0);
    let asked = timers::reconcile(&app.state, OffsetDateTime::now_utc() + time::Duration::minutes(2)).await.unwrap();
    assert_eq!(asked, 1);
    assert_eq!(app.order_of(&s.customer, &id).await["status"], "CONFIRMED");
    let p = payment_of(&app, &s.customer, &placed["payment"]).await;
    assert_eq!(p["card_last4"], "0077");
    app.ledger_ok().await;
}

/// The event the sandbox would send for this payment.
fn event(placed: &Value, payment: &Value, kind: &str, id: &str) -> Value {
    json!({
        "event_id": id,
        "type": kind,
        "charge_id": payment["gateway_ref_for_test"].as_str().unwrap_or_default(),
        "payment_id": placed["payment"]["payment_id"],
        "amount": placed["total_amount"],
        "currency": "INR",
        "card": null,
        "failure_reason": null,
    })
}

async fn gateway_ref(app: &TestApp, placed: &Value) -> String {
    let id = placed["payment"]["payment_id"].as_str().unwrap().parse().unwrap();
    app.store.payment(id).await.unwrap().unwrap().gateway_ref.unwrap()
}

async fn replayed_and_out_of_order_callbacks_change_nothing(app: TestApp) {
    let s = app.shop().await;
    let placed = app.order_paying(&s, "CARD").await;
    let charge = gateway_ref(&app, &placed).await;
    let mut ev = event(&placed, &Value::Null, "charge.succeeded", "evt_first");
    ev["charge_id"] = json!(charge);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let secret = app.webhook_secret();
    let first = app.callback_signed(&ev, &secret, now).await;
    assert_eq!(first.expect(200)["outcome"], "CONFIRMED");
    let again = app.callback_signed(&ev, &secret, now + 5).await;
    assert_eq!(again.expect(200)["outcome"], "DUPLICATE");
    // The same news under another event id, and a late failure: both after the fact.
    ev["event_id"] = json!("evt_second");
    assert_eq!(app.callback_signed(&ev, &secret, now).await.expect(200)["outcome"], "ALREADY_SETTLED");
    ev["event_id"] = json!("evt_late_failure");
    ev["type"] = json!("charge.failed");
    assert_eq!(app.callback_signed(&ev, &secret, now).await.expect(200)["outcome"], "ALREADY_SETTLED");
    let id = order_id(&placed);
    assert_eq!(app.order_of(&s.customer, &id).await["status"], "CONFIRMED");
    let p = payment_of(&app, &s.customer, &placed["payment"]).await;
    assert_eq!((p["status"].as_str(), p["captured"].as_i64()), (Some("SUCCEEDED"), placed["total_amount"].as_i64()));
    // A pending notice after success, and the sandbox re-sending its own event, too.
    ev["event_id"] = json!("evt_pending");
    ev["type"] = json!("charge.pending");
    assert_eq!(app.callback_signed(&ev, &secret, now).await.expect(200)["outcome"], "PENDING");
    assert_eq!(app.order_of(&s.customer, &id).await["status"], "CONFIRMED");
    app.ledger_ok().await;
}

async fn forged_stale_or_missing_signatures_are_refused(app: TestApp) {
    let s = app.shop().await;
    let placed = app.order_paying(&s, "CARD").await;
    let mut ev = event(&placed, &Value::Null, "charge.succeeded", "evt_forged");
    ev["charge_id"] = json!(gateway_ref(&app, &placed).await);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let r = app.callback_raw(ev.to_string(), None).await;
    r.expect(401);
    app.callback_signed(&ev, b"not the secret", now).await.expect(401);
    app.callback_signed(&ev, &app.webhook_secret(), now - 3_600).await.expect(401);
    // Signed, then changed on the way.
    let sig = dabba_api::payments::signature::sign(&app.webhook_secret(), now, ev.to_string().as_bytes());
    let mut tampered = ev.clone();
    tampered["amount"] = json!(1);
    app.callback_raw(tampered.to_string(), Some(sig)).await.expect(401);
    app.callback_raw("{not json".into(), Some("t=1,v1=00".into())).await.expect(401);
    let id = order_id(&placed);
    assert_eq!(app.order_of(&s.customer, &id).await["status"], "PENDING", "nothing changed");
    assert_eq!(payment_of(&app, &s.customer, &placed["payment"]).await["status"], "PENDING");
    // The real event still works afterwards: the forgeries did not burn its id.
    assert_eq!(app.callback_signed(&ev, &app.webhook_secret(), now).await.expect(200)["outcome"], "CONFIRMED");
    // Well signed but not an event.
    let bad = json!({"event_id": "x"});
    app.callback_signed(&bad, &app.webhook_secret(), now).await.expect(400);
    app.ledger_ok().await;
}

async fn an_amount_that_does_not_match_is_flagged_not_confirmed(app: TestApp) {
    let s = app.shop().await;
    let placed = app.order_paying(&s, "CARD").await;
    let mut ev = event(&placed, &Value::Null, "charge.succeeded", "evt_tampered");
    ev["charge_id"] = json!(gateway_ref(&app, &placed).await);
    ev["amount"] = json!(100);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    assert_eq!(app.callback_signed(&ev, &app.webhook_secret(), now).await.expect(200)["outcome"], "FLAGGED");
    let mut currency = ev.clone();
    currency["event_id"] = json!("evt_currency");
    currency["amount"] = placed["total_amount"].clone();
    currency["currency"] = json!("USD");
    assert_eq!(
        app.callback_signed(&currency, &app.webhook_secret(), now).await.expect(200)["outcome"],
        "ALREADY_SETTLED",
        "a flagged payment waits for a person"
    );
    let id = order_id(&placed);
    assert_eq!(app.order_of(&s.customer, &id).await["status"], "PENDING");
    let p = payment_of(&app, &s.customer, &placed["payment"]).await;
    assert_eq!((p["status"].as_str(), p["captured"].as_i64()), (Some("REVIEW"), Some(0)));
    app.ledger_ok().await;
}

async fn an_unpaid_order_is_cancelled_and_a_late_payment_returned(app: TestApp) {
    let s = app.shop().await;
    let item =
        app.item(&s.owner, &s.restaurant, &s.category, json!({"name": "Thali", "price": 25000, "stock": 1})).await;
    let item = item["item_id"].as_str().unwrap().to_owned();
    app.add(&s.customer, &s.restaurant, &item, 1).await.expect(200);
    let placed = app
        .checkout_body(&s.customer, "late-1", json!({"address_id": s.address, "payment_method": "CARD"}))
        .await
        .expect(201)
        .clone();
    let id = order_id(&placed);
    assert_eq!(timers::expire_unpaid(&app.state, OffsetDateTime::now_utc()).await.unwrap(), 0, "still in its window");
    let later = OffsetDateTime::now_utc() + time::Duration::minutes(16);
    // Even when the gateway cannot be asked one last time, the deadline holds.
    let sandbox = app.state.payments.sandbox.clone().unwrap();
    sandbox.set_down(true);
    assert_eq!(timers::expire_unpaid(&app.state, later).await.unwrap(), 1);
    sandbox.set_down(false);
    let order = app.order_of(&s.customer, &id).await;
    assert_eq!(order["status"], "CANCELLED");
    assert_eq!(order["cancel_reason"], timers::NOT_PAID);
    let menu = app.get(&format!("/api/v1/restaurants/{}/menu", s.restaurant), None).await;
    assert!(menu.expect(200).to_string().contains("\"stock\":1"), "the unit is back on sale");
    assert_eq!(payment_of(&app, &s.customer, &placed["payment"]).await["status"], "CANCELLED");

    // The customer pays on the still-open page anyway: the money goes straight back.
    let (status, _) = app.pay_card(&placed["payment"], "4111111111111111").await;
    assert_eq!(status, 200);
    let p = payment_of(&app, &s.customer, &placed["payment"]).await;
    let total = placed["total_amount"].as_i64().unwrap();
    assert_eq!((p["captured"].as_i64(), p["refunded"].as_i64()), (Some(total), Some(total)));
    assert_eq!(p["refunds"][0]["amount"], total);
    assert_eq!(app.order_of(&s.customer, &id).await["status"], "CANCELLED");
    timers::run_once(&app.state, OffsetDateTime::now_utc()).await.unwrap();
    let p = payment_of(&app, &s.customer, &placed["payment"]).await;
    assert_eq!(p["refunds"][0]["status"], "SUCCEEDED", "the refund reached the gateway");
    app.drain().await;
    app.ledger_ok().await;
}

async fn paying_twice_confirms_once_and_returns_the_second(app: TestApp) {
    let s = app.shop().await;
    let placed = app.order_paying(&s, "CARD").await;
    let id = order_id(&placed);
    // A second tab: another attempt while the first page is still open.
    let second =
        app.post("/api/v1/payments/initiate", Some(&s.customer), json!({"order_id": id, "method": "CARD"})).await;
    let second = second.expect(201).clone();
    let (a, b) =
        tokio::join!(app.pay_card(&placed["payment"], "4111111111111111"), app.pay_card(&second, "4111111111111111"));
    assert_eq!((a.0, b.0), (200, 200));
    let order = app.order_of(&s.customer, &id).await;
    assert_eq!(order["status"], "CONFIRMED");
    let total = placed["total_amount"].as_i64().unwrap();
    let first = payment_of(&app, &s.customer, &placed["payment"]).await;
    let other = payment_of(&app, &s.customer, &second).await;
    let refunded: i64 = [&first, &other].iter().map(|p| p["refunded"].as_i64().unwrap()).sum();
    assert_eq!(refunded, total, "exactly one of the two captures went back");
    app.ledger_ok().await;
}

async fn a_delayed_result_confirms_when_it_arrives(app: TestApp) {
    let s = app.shop().await;
    app.state.payments.sandbox.as_ref().unwrap().set_delay(std::time::Duration::from_millis(200));
    let placed = app.order_paying(&s, "UPI").await;
    let url = placed["payment"]["gateway_url"].as_str().unwrap().to_owned();
    let (status, html) = app.pay_page(&url, &[("action", "pay"), ("upi_id", "delayed@dabba")]).await;
    assert_eq!(status, 202, "{html}");
    let (again, _) = app.pay_page(&url, &[("action", "pay"), ("upi_id", "success@dabba")]).await;
    assert_eq!(again, 409, "a submitted payment cannot be submitted again while the bank decides");
    let id = order_id(&placed);
    // The customer is back before the bank answered.
    assert_eq!(app.order_of(&s.customer, &id).await["status"], "PENDING");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let order = app.order_of(&s.customer, &id).await;
        if order["status"] == "CONFIRMED" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the delayed webhook never confirmed the order");
        tokio::task::yield_now().await;
    }
    app.ledger_ok().await;
}

async fn bad_payment_requests_and_wrong_users(app: TestApp) {
    let s = app.shop().await;
    let placed = app.order_paying(&s, "CARD").await;
    let id = order_id(&placed);
    let stranger = app.customer().await;
    let r = app.post("/api/v1/payments/initiate", Some(&stranger), json!({"order_id": id, "method": "CARD"})).await;
    r.expect(404);
    let pid = placed["payment"]["payment_id"].as_str().unwrap();
    app.get(&format!("/api/v1/payments/{pid}/status"), Some(&stranger)).await.expect(404);
    app.get(&format!("/api/v1/payments/{pid}/status"), Some(&s.owner)).await.expect(404);
    app.get(&format!("/api/v1/payments/{pid}/status"), None).await.expect(401);
    let admin = app.admin().await;
    app.get(&format!("/api/v1/payments/{pid}/status"), Some(&admin)).await.expect(200);
    app.post("/api/v1/payments/initiate", Some(&s.owner), json!({"order_id": id, "method": "CARD"})).await.expect(403);
    let r =
        app.post("/api/v1/payments/initiate", Some(&s.customer), json!({"order_id": id, "method": "BITCOIN"})).await;
    r.expect(400);
    app.post("/api/v1/payments/initiate", Some(&s.customer), json!({"order_id": "nope", "method": "CARD"}))
        .await
        .expect(400);
    // Bad pay-page input re-shows the form with the reason and changes nothing.
    let (status, html) = app.pay_card(&placed["payment"], "4111 1111 1111 1112").await;
    assert_eq!(status, 422);
    assert!(html.contains("not valid"));
    let (status, _) = app.pay_page("/sandbox/pay/ch_nope", &[("action", "pay")]).await;
    assert_eq!(status, 404);
    assert_eq!(app.order_of(&s.customer, &id).await["status"], "PENDING");
    // Declining on the page is a failed attempt.
    let url = placed["payment"]["gateway_url"].as_str().unwrap();
    let (status, html) = app.pay_page(url, &[("action", "decline")]).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(payment_of(&app, &s.customer, &placed["payment"]).await["status"], "FAILED");
    app.ledger_ok().await;
}

async fn a_double_clicked_card_checkout_opens_one_order_and_one_charge(app: TestApp) {
    let s = app.shop().await;
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let body = json!({"address_id": s.address, "payment_method": "CARD"});
    let (a, b) = tokio::join!(
        app.checkout_body(&s.customer, "click", body.clone()),
        app.checkout_body(&s.customer, "click", body.clone())
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert!(statuses == [201, 201] || statuses == [201, 409], "{statuses:?}");
    let replay = app.checkout_body(&s.customer, "click", body).await;
    let first = if a.status == 201 { &a } else { &b };
    assert_eq!(replay.expect(201)["payment"]["payment_id"], first.body["payment"]["payment_id"]);
    let orders = app.get("/api/v1/orders", Some(&s.customer)).await.expect(200).clone();
    assert_eq!(orders.as_array().unwrap().len(), 1);
    let id = order_id(&first.body);
    let payments = app.store.payments_of_order(id.parse().unwrap()).await.unwrap();
    assert_eq!(payments.len(), 1, "one charge");
    app.ledger_ok().await;
}
