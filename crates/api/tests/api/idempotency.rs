//! Idempotency-Key under the worst timing: every claim is stale at once (as if each request had
//! died a minute ago), so two concurrent retries of one key both try to take it over. Whatever
//! the interleaving, one request's effect happens and the other copy is told the request is in
//! progress; no copy sees a half-state of the other (a cart it emptied, a refund it took).

use crate::helpers::{TestApp, Tuning};
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

fn every_claim_stale(t: &mut Tuning) {
    // Negative: a claim made a moment after this request read the clock is stale too.
    t.ordering.key_stale_after = time::Duration::seconds(-1);
}

crate::both_backends_tuned!(
    every_claim_stale;
    racing_retries_of_a_stale_key_place_one_order,
    racing_retries_of_a_stale_key_open_one_payment,
    racing_retries_of_a_stale_key_grant_one_refund,
);

/// Each answer of a racing pair is the request's own success or "in progress"; the successes
/// agree on `id_field`. Returns the id, if any copy succeeded.
fn judge(answers: &[(u16, Value)], id_field: &str) -> Option<String> {
    let mut ids = HashSet::new();
    for (status, body) in answers {
        match status {
            201 => {
                ids.insert(body[id_field].as_str().expect("an id").to_owned());
            }
            409 => assert_eq!(body["error_code"], "REQUEST_IN_PROGRESS", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(ids.len() <= 1, "one key, one {id_field}: {answers:?}");
    ids.into_iter().next()
}

async fn keyed(app: &TestApp, path: &str, token: &str, key: &str, body: &Value) -> (u16, Value) {
    let r = app.post_with_key(path, token, key, body.clone()).await;
    (r.status.as_u16(), r.body)
}

/// Retries until the key is not in progress (with every claim stale, at most one more try).
async fn settle(app: &TestApp, path: &str, token: &str, key: &str, body: &Value) -> (u16, Value) {
    for _ in 0..20 {
        let answer = keyed(app, path, token, key, body).await;
        if answer.1["error_code"] != "REQUEST_IN_PROGRESS" {
            return answer;
        }
    }
    panic!("the key stayed in progress");
}

async fn racing_retries_of_a_stale_key_place_one_order(app: TestApp) {
    let s = app.shop().await;
    let body = json!({"address_id": s.address, "payment_method": "COD"});
    const ROUNDS: usize = 8;
    for round in 0..ROUNDS {
        app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
        let key = Uuid::new_v4().to_string();
        let (a, b) = tokio::join!(
            keyed(&app, "/api/v1/orders", &s.customer, &key, &body),
            keyed(&app, "/api/v1/orders", &s.customer, &key, &body)
        );
        let won = judge(&[a, b], "order_id");
        let (status, after) = settle(&app, "/api/v1/orders", &s.customer, &key, &body).await;
        assert_eq!(status, 201, "round {round}: {after}");
        if let Some(id) = won {
            assert_eq!(after["order_id"], id.as_str(), "the retry replays the order placed");
        }
    }
    let orders = app.get("/api/v1/orders", Some(&s.customer)).await;
    assert_eq!(orders.expect(200).as_array().unwrap().len(), ROUNDS, "one order per key");
    app.ledger_ok().await;
}

async fn racing_retries_of_a_stale_key_open_one_payment(app: TestApp) {
    let s = app.shop().await;
    for _ in 0..4 {
        let placed = app.order_paying(&s, "CARD").await;
        let order_id: Uuid = placed["order_id"].as_str().unwrap().parse().unwrap();
        let body = json!({"order_id": order_id, "method": "UPI"});
        let key = Uuid::new_v4().to_string();
        let path = "/api/v1/payments/initiate";
        let (a, b) =
            tokio::join!(keyed(&app, path, &s.customer, &key, &body), keyed(&app, path, &s.customer, &key, &body));
        let won = judge(&[a, b], "payment_id");
        let (status, after) = settle(&app, path, &s.customer, &key, &body).await;
        assert_eq!(status, 201, "{after}");
        if let Some(id) = won {
            assert_eq!(after["payment_id"], id.as_str());
        }
        let payments = app.store.payments_of_order(order_id).await.unwrap();
        assert_eq!(payments.len(), 2, "the checkout's attempt and one for the key: {payments:?}");
    }
}

async fn racing_retries_of_a_stale_key_grant_one_refund(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let placed = app.order_paying(&s, "CARD").await;
    app.pay_card(&placed["payment"], "4111111111111111").await;
    let pid: Uuid = placed["payment"]["payment_id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/v1/payments/{pid}/refund");
    for n in 1..=4 {
        let body = json!({"amount": 100, "reason": "cold food"});
        let key = Uuid::new_v4().to_string();
        let (a, b) = tokio::join!(keyed(&app, &path, &admin, &key, &body), keyed(&app, &path, &admin, &key, &body));
        let won = judge(&[a, b], "refund_id");
        let (status, after) = settle(&app, &path, &admin, &key, &body).await;
        assert_eq!(status, 201, "{after}");
        if let Some(id) = won {
            assert_eq!(after["refund_id"], id.as_str());
        }
        let refunds = app.store.refunds_of_payment(pid).await.unwrap();
        assert_eq!(refunds.len(), n, "one refund per key: {refunds:?}");
        assert_eq!(app.store.payment(pid).await.unwrap().unwrap().refunded, 100 * n as i64);
    }
    app.ledger_ok().await;
}
