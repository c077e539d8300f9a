//! A node with no payment gateway configured (the default outside the demo): cash and wallet
//! work, card and UPI are refused plainly, and no pay page exists.

use crate::helpers::{TestApp, Tuning};
use dabba_api::payments::GatewayChoice;
use serde_json::json;

fn no_gateway(t: &mut Tuning) {
    t.payments.gateway = GatewayChoice::Off;
}

crate::both_backends_tuned!(no_gateway; card_and_upi_are_refused_cash_works);

async fn card_and_upi_are_refused_cash_works(app: TestApp) {
    let s = app.shop().await;
    assert!(app.state.payments.sandbox.is_none());
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    for method in ["CARD", "UPI"] {
        let key = uuid::Uuid::new_v4().to_string();
        let r = app.checkout_body(&s.customer, &key, json!({"address_id": s.address, "payment_method": method})).await;
        assert_eq!(r.expect(422)["error_code"], "ONLINE_PAYMENT_UNAVAILABLE");
    }
    let top = app.post("/api/v1/wallet/topup", Some(&s.customer), json!({"amount": 10000, "method": "UPI"})).await;
    assert_eq!(top.expect(422)["error_code"], "ONLINE_PAYMENT_UNAVAILABLE");
    app.checkout(&s.customer, &s.address).await.expect(201);
    assert_eq!(app.get("/sandbox/pay/ch_x", None).await.status, 404);
    app.ledger_ok().await;
}
