//! A rider's phone that was offline sends what it kept in one message; the order's watchers get
//! the whole way, in order, so the trail on the customer's map has no jump.

use crate::helpers::TestApp;
use crate::ws::SHOP;
use serde_json::json;

crate::both_backends!(a_batch_of_fixes_reaches_watchers_as_a_path);

async fn a_batch_of_fixes_reaches_watchers_as_a_path(app: TestApp) {
    let s = app.shop().await;
    let (rider, _, mut rider_ws) = app.rider_online(SHOP.0, SHOP.1).await;
    let order = app.order(&s).await;
    rider_ws.until("offer", |v| v["order_id"] == order.as_str()).await;
    app.post(&format!("/api/v1/delivery/orders/{order}/accept"), Some(&rider), json!({})).await.expect(200);
    let mut watcher = app.watch(&order, &s.customer).await;
    watcher.until("partner_assigned", |_| true).await;
    let now = time::OffsetDateTime::now_utc();
    let at = |i: i64| {
        // After the fix that put the rider online, 2 s apart (within the minute a phone's clock
        // may run ahead).
        let t = now + time::Duration::seconds(2 * i);
        json!({"lat": SHOP.0 + 0.0001 * i as f64, "lng": SHOP.1, "recorded_at": t.format(&time::format_description::well_known::Rfc3339).unwrap()})
    };
    let batch = json!({"pings": [at(1), at(2), at(3)]});
    app.post("/api/v1/delivery/location/batch", Some(&rider), batch).await.expect(200);
    let frame = watcher.until("location_update", |v| v["path"].is_array()).await;
    let lats: Vec<f64> = frame["path"].as_array().unwrap().iter().map(|p| p["lat"].as_f64().unwrap()).collect();
    assert_eq!(lats.len(), 3, "{frame}");
    assert!(lats.windows(2).all(|w| w[0] < w[1]), "oldest first: {lats:?}");
    assert_eq!(frame["location"]["lat"], frame["path"][2]["lat"], "the position is the last of the way");
    // One fix alone is a position, not a path.
    let t = (now + time::Duration::seconds(8)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let one = json!({"lat": SHOP.0 + 0.0004, "lng": SHOP.1, "recorded_at": t});
    app.post("/api/v1/delivery/location", Some(&rider), one).await.expect(200);
    let single = watcher
        .until("location_update", |v| (v["location"]["lat"].as_f64().unwrap() - (SHOP.0 + 0.0004)).abs() < 1e-9)
        .await;
    assert!(single.get("path").is_none(), "{single}");
}
