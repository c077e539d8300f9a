//! Two orders from one kitchen and one rider: the batch dispatcher offers them together, the
//! rider accepts (or declines) both at once, carries both, and is free after the last drop-off.

use crate::helpers::{Shop, TestApp};
use crate::ws::{SHOP, north};
use serde_json::{Value, json};

crate::both_backends!(two_orders_from_one_kitchen_go_to_one_rider, declining_a_bundle_declines_all_of_it);

/// The second customer's home: 1 km east of the first (who lives 1 km north of the shop).
fn second_home() -> (f64, f64) {
    let (lat, lng) = north(1.0);
    (lat, lng + 1.0 / (111.195 * lat.to_radians().cos()))
}

/// Two orders of the shop's dosa, by its customer and one living 1 km east of them.
async fn two_orders(app: &TestApp, shop: &Shop) -> (String, String, String) {
    let first = app.order(shop).await;
    let (lat, lng) = second_home();
    let (other, address) = app.customer_near(lat, lng).await;
    app.add(&other, &shop.restaurant, &shop.dosa, 1).await.expect(200);
    let second = app.checkout(&other, &address).await.expect(201)["order_id"].as_str().unwrap().to_owned();
    app.drain().await;
    (first, second, other)
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    let mut out: Vec<String> = v.as_array().unwrap().iter().map(|o| o[key].as_str().unwrap().to_owned()).collect();
    out.sort();
    out
}

async fn otp(app: &TestApp, customer: &str, order: &str) -> String {
    let o = app.get(&format!("/api/v1/orders/{order}"), Some(customer)).await;
    o.expect(200)["delivery_otp"].as_str().unwrap().to_owned()
}

async fn two_orders_from_one_kitchen_go_to_one_rider(app: TestApp) {
    let shop = app.shop().await;
    let (a, b, other) = two_orders(&app, &shop).await;
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    // Nobody was online; one rider comes, 300 m from the kitchen: both orders are offered to
    // them together, the nearer drop first (1 km, then 1 km on; not 1.4 km, then 1 km back).
    let (rider, rider_id, mut ws) = app.rider_online(north(-0.3).0, SHOP.1).await;
    let offer = ws.until("offer", |_| true).await;
    let bundle: Vec<String> = offer["bundle"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().into()).collect();
    assert_eq!(bundle, vec![a.clone(), b.clone()], "{offer}");
    let listed = app.get("/api/v1/delivery/orders/available", Some(&rider)).await;
    let listed = listed.expect(200);
    assert_eq!(ids(listed, "order_id"), both, "{listed}");
    assert!(listed.as_array().unwrap().iter().all(|o| o["bundle"] == offer["bundle"]), "{listed}");

    // Another rider cannot take it; the offered one accepts the second order and gets both.
    let (stranger, _, _) = app.rider_online(north(-4.0).0, SHOP.1).await;
    let r = app.post(&format!("/api/v1/delivery/orders/{b}/accept"), Some(&stranger), json!({})).await;
    assert_eq!(r.expect(409)["error_code"], "OFFER_NOT_OPEN");
    let job = app.post(&format!("/api/v1/delivery/orders/{b}/accept"), Some(&rider), json!({})).await;
    assert_eq!(job.expect(200)["order_id"], b.as_str());
    let current = app.get("/api/v1/delivery/orders/current", Some(&rider)).await;
    assert_eq!(ids(current.expect(200), "order_id"), both);
    assert!(
        app.get("/api/v1/delivery/orders/available", Some(&rider)).await.expect(200).as_array().unwrap().is_empty()
    );
    let again = app.post(&format!("/api/v1/delivery/orders/{a}/accept"), Some(&rider), json!({})).await;
    assert_eq!(again.expect(409)["error_code"], "OFFER_NOT_OPEN", "accepted already, with the other");
    app.drain().await;
    for (customer, order) in [(&shop.customer, &a), (&other, &b)] {
        let t = app.get(&format!("/api/v1/tracking/{order}"), Some(customer)).await;
        assert!(!t.expect(200)["partner"].is_null(), "each customer sees the rider: {}", t.body);
    }

    // Both cooked, both picked up; the first drop-off leaves the rider busy with the second.
    for order in [&a, &b] {
        app.kitchen(&shop, order, json!({"status": "PREPARING"})).await.expect(200);
        app.kitchen(&shop, order, json!({"status": "READY"})).await.expect(200);
        for step in ["PICKED_UP", "OUT_FOR_DELIVERY"] {
            let step = json!({"status": step});
            app.put(&format!("/api/v1/delivery/orders/{order}/status"), Some(&rider), step).await.expect(200);
        }
    }
    // The time each customer is told at pickup counts the drop-off before theirs: 1.3 km to
    // the first door, then a stop and 1 km more to the second (not 1.64 km straight there).
    let told = |o: Value| {
        time::OffsetDateTime::parse(
            o["estimated_delivery_time"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    let first_told = told(app.order_of(&shop.customer, &a).await);
    let second_told = told(app.order_of(&other, &b).await);
    assert!(second_told - first_told >= time::Duration::minutes(7), "{first_told} {second_told}");
    // The second customer's ETA rides through the first drop-off: from the kitchen, 1 km north,
    // then 1 km east (not the 1.41 km straight there).
    // (Half a minute after their last fix: 300 m in a second would be dropped as impossible.)
    let at = (time::OffsetDateTime::now_utc() + time::Duration::seconds(30))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let ping = json!({"lat": SHOP.0, "lng": SHOP.1, "recorded_at": at});
    app.post("/api/v1/delivery/location", Some(&rider), ping).await.expect(200);
    let km = |t: &Value| t["location"]["distance_km"].as_f64().unwrap_or(f64::NAN);
    let second = app.get(&format!("/api/v1/tracking/{b}"), Some(&other)).await;
    assert!((km(second.expect(200)) - 2.0).abs() < 0.05, "{}", second.body);
    let first_eta = app.get(&format!("/api/v1/tracking/{a}"), Some(&shop.customer)).await;
    assert!((km(first_eta.expect(200)) - 1.0).abs() < 0.05, "{}", first_eta.body);
    let code = otp(&app, &shop.customer, &a).await;
    let step = json!({"status": "DELIVERED", "otp": code});
    app.put(&format!("/api/v1/delivery/orders/{a}/status"), Some(&rider), step).await.expect(200);
    let admin = app.admin().await;
    let live = app.get("/api/v1/admin/live", Some(&admin)).await;
    let me =
        live.expect(200)["riders"].as_array().unwrap().iter().find(|r| r["rider_id"] == rider_id.as_str()).cloned();
    let me = me.unwrap();
    assert_eq!((me["state"].as_str(), me["order_ids"].clone()), (Some("ON_JOB"), json!([b])), "{me}");
    // Delivered: the second customer's route goes straight there now (1.41 km from the
    // rider's next fix, still at the kitchen).
    let at = (time::OffsetDateTime::now_utc() + time::Duration::seconds(55))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let ping = json!({"lat": SHOP.0, "lng": SHOP.1, "recorded_at": at});
    app.post("/api/v1/delivery/location", Some(&rider), ping).await.expect(200);
    let second = app.get(&format!("/api/v1/tracking/{b}"), Some(&other)).await;
    assert!((km(second.expect(200)) - 2f64.sqrt()).abs() < 0.05, "{}", second.body);
    let code = otp(&app, &other, &b).await;
    let step = json!({"status": "DELIVERED", "otp": code});
    app.put(&format!("/api/v1/delivery/orders/{b}/status"), Some(&rider), step).await.expect(200);
    assert!(app.get("/api/v1/delivery/orders/current", Some(&rider)).await.expect(200).as_array().unwrap().is_empty());
    let earnings = app.get("/api/v1/delivery/earnings", Some(&rider)).await;
    assert_eq!(earnings.expect(200)["deliveries"], 2, "{}", earnings.body);
    app.drain().await;
    app.ledger_ok().await;
}

async fn declining_a_bundle_declines_all_of_it(app: TestApp) {
    let shop = app.shop().await;
    let (a, b, _) = two_orders(&app, &shop).await;
    let (rider, _, mut ws) = app.rider_online(north(-0.3).0, SHOP.1).await;
    ws.until("offer", |_| true).await;
    app.post(&format!("/api/v1/delivery/orders/{a}/reject"), Some(&rider), json!({})).await.expect(204);
    assert!(
        app.get("/api/v1/delivery/orders/available", Some(&rider)).await.expect(200).as_array().unwrap().is_empty()
    );
    let r = app.post(&format!("/api/v1/delivery/orders/{b}/accept"), Some(&rider), json!({})).await;
    assert_eq!(r.expect(409)["error_code"], "OFFER_NOT_OPEN", "declined with the first");
    // A second rider gets both, together.
    let (_, _, mut next) = app.rider_online(north(-0.6).0, SHOP.1).await;
    let offer = next.until("offer", |_| true).await;
    assert_eq!(offer["bundle"].as_array().map(Vec::len), Some(2), "{offer}");
}
