//! The operations console's live view: `GET /api/v1/admin/live` and the `WS /ws/ops` nudges.

use crate::helpers::TestApp;
use crate::ws::SHOP;
use serde_json::{Value, json};

crate::both_backends!(
    the_live_city_shows_riders_and_active_orders,
    the_live_city_is_for_admins_only,
    the_ops_feed_says_when_the_city_changed,
    support_sees_an_orders_payments,
);

fn order_in<'a>(live: &'a Value, order: &str) -> &'a Value {
    live["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["order_id"] == order)
        .unwrap_or_else(|| panic!("{order} in {live}"))
}

async fn the_live_city_shows_riders_and_active_orders(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let order = app.order(&s).await;
    let live = app.get("/api/v1/admin/live", Some(&admin)).await.expect(200).clone();
    let o = order_in(&live, &order);
    assert_eq!(o["status"], "CONFIRMED");
    assert!(o["rider_id"].is_null());
    assert!((o["restaurant"]["lat"].as_f64().unwrap() - SHOP.0).abs() < 1e-9, "{o}");
    assert_eq!(o["late"], false);
    // A rider comes online and takes the order: they are on the job, on the map.
    let (rider, rider_id, mut socket) = app.rider_online(SHOP.0, SHOP.1).await;
    socket.until("offer", |v| v["order_id"] == order.as_str()).await;
    app.post(&format!("/api/v1/delivery/orders/{order}/accept"), Some(&rider), json!({})).await.expect(200);
    let live = app.get("/api/v1/admin/live", Some(&admin)).await.expect(200).clone();
    assert_eq!(order_in(&live, &order)["rider_id"], rider_id.as_str());
    let r = live["riders"].as_array().unwrap().iter().find(|r| r["rider_id"] == rider_id.as_str()).unwrap();
    assert_eq!(r["state"], "ON_JOB", "{r}");
    assert_eq!(r["order_id"], order.as_str());
    assert!((r["location"]["lat"].as_f64().unwrap() - SHOP.0).abs() < 1e-6, "{r}");
    // Cancelled, it leaves the map.
    app.put(&format!("/api/v1/orders/{order}/cancel"), Some(&s.customer), json!({})).await.expect(200);
    let live = app.get("/api/v1/admin/live", Some(&admin)).await.expect(200).clone();
    assert!(live["orders"].as_array().unwrap().iter().all(|o| o["order_id"] != order.as_str()));
}

async fn the_live_city_is_for_admins_only(app: TestApp) {
    let s = app.shop().await;
    app.get("/api/v1/admin/live", None).await.expect(401);
    for token in [&s.customer, &s.owner] {
        app.get("/api/v1/admin/live", Some(token)).await.expect(403);
        assert_eq!(app.ws(&format!("/ws/ops?token={token}")).await.err(), Some(403));
    }
    assert_eq!(app.ws("/ws/ops?token=nope").await.err(), Some(401));
    let admin = app.admin().await;
    let r = app.get(&format!("/ws/ops?token={admin}"), None).await;
    r.expect(426);
    assert_eq!(app.ws("/ws/ops").await.err(), Some(400), "the token is required");
}

async fn the_ops_feed_says_when_the_city_changed(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let mut feed = app.ws(&format!("/ws/ops?token={admin}")).await.expect("the admin's feed");
    feed.until("ready", |_| true).await;
    let _order = app.order(&s).await;
    feed.until("changed", |_| true).await;
    // A rider moving is a change too.
    let (rider, _, _socket) = app.rider_online(SHOP.0, SHOP.1).await;
    feed.until("changed", |_| true).await;
    app.post("/api/v1/delivery/location", Some(&rider), json!({"lat": SHOP.0 + 0.0003, "lng": SHOP.1}))
        .await
        .expect(200);
    feed.until("changed", |_| true).await;
}

async fn support_sees_an_orders_payments(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let start = app.order_paying(&s, "CARD").await;
    let order = start["order_id"].as_str().unwrap().to_owned();
    assert_eq!(app.pay_card(&start["payment"], "4111111111111111").await.0, 200);
    let path = format!("/api/v1/admin/orders/{order}/payments");
    let list = app.get(&path, Some(&admin)).await.expect(200).clone();
    let p = &list[0];
    assert_eq!(p["payment_id"], start["payment"]["payment_id"]);
    assert_eq!((p["status"].as_str(), p["captured"].as_i64()), (Some("SUCCEEDED"), start["total_amount"].as_i64()));
    app.get(&path, Some(&s.customer)).await.expect(403);
    app.get(&path, None).await.expect(401);
    app.get(&format!("/api/v1/admin/orders/{}/payments", uuid::Uuid::now_v7()), Some(&admin)).await.expect(404);
    app.get("/api/v1/admin/orders/nope/payments", Some(&admin)).await.expect(400);
}
