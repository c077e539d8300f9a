//! A kitchen's preparation time is learned from its orders (accept to READY) and used by the
//! estimates customers see: each order counts once, in the same write as its READY.

use crate::helpers::{Shop, TestApp};
use crate::ws::SHOP;
use dabba_api::delivery::traffic;
use dabba_domain::eta::{Traffic, Vehicle, rush_factor};
use dabba_domain::learn::Learned;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

crate::both_backends!(
    a_kitchens_preparation_time_is_learned_and_quoted,
    the_hours_traffic_is_learned_from_delivered_trips
);

async fn learned(app: &TestApp, shop: &Shop) -> Value {
    let r = app.get(&format!("/api/v1/restaurants/{}", shop.restaurant), None).await;
    r.expect(200)["learned_preparation_minutes"].clone()
}

fn minutes_between(from: &Value, to: &Value) -> f64 {
    let at = |v: &Value| OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap();
    (at(to) - at(from)).as_seconds_f64() / 60.0
}

async fn a_kitchens_preparation_time_is_learned_and_quoted(app: TestApp) {
    let shop = app.shop().await;
    assert!(learned(&app, &shop).await.is_null(), "nothing seen yet: the promise (20 min) stands");
    let before = app.order(&shop).await;
    let first = app.order_of(&shop.customer, &before).await;
    let quoted = minutes_between(&first["created_at"], &first["estimated_delivery_time"]);
    let distance = first["distance_km"].as_f64().unwrap();
    assert_eq!(quoted.round() as u32, dabba_domain::estimate::delivery_minutes(20, distance));

    // This kitchen is quick: ready within the minute (an observation counts at least 1 minute).
    let mut want = Learned::prior(20.0);
    for n in 0..2 {
        let order = if n == 0 { before.clone() } else { app.order(&shop).await };
        app.kitchen(&shop, &order, json!({"status": "PREPARING"})).await.expect(200);
        app.kitchen(&shop, &order, json!({"status": "READY"})).await.expect(200);
        want.observe(1.0);
        let got = learned(&app, &shop).await.as_f64().unwrap();
        assert!((got - want.value).abs() < 1e-9, "after {} orders: {got} against {}", n + 1, want.value);
        // A second READY is refused and is not seen twice.
        app.kitchen(&shop, &order, json!({"status": "READY"})).await.expect(409);
        assert_eq!(learned(&app, &shop).await.as_f64(), Some(got));
    }
    assert!((want.value - 22.0 / 3.0).abs() < 1e-9, "20, then 10.5, then 7.33: {}", want.value);

    // The listing quotes it too, once the index has the new minute.
    app.drain().await;
    let (lat, lng) = (
        first["delivery_address"]["latitude"].as_f64().unwrap(),
        first["delivery_address"]["longitude"].as_f64().unwrap(),
    );
    let list = app.get(&format!("/api/v1/restaurants?lat={lat}&lng={lng}"), None).await;
    let card = list.expect(200)["restaurants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["restaurant_id"] == shop.restaurant.as_str())
        .cloned();
    let card = card.unwrap();
    assert_eq!(card["estimated_delivery_minutes"], dabba_domain::estimate::delivery_minutes(7, distance), "{card}");

    // The next customer is quoted with what was learned, 13 minutes sooner than the promise.
    let next = app.order(&shop).await;
    let next = app.order_of(&shop.customer, &next).await;
    let quoted = minutes_between(&next["created_at"], &next["estimated_delivery_time"]);
    let want_minutes = dabba_domain::estimate::delivery_minutes(want.value.round() as u32, distance);
    assert_eq!(quoted.round() as u32, want_minutes, "{next}");
    // Accepted without an estimate, the kitchen is expected to take what it was seen to take.
    let r = app.kitchen(&shop, next["order_id"].as_str().unwrap(), json!({"status": "PREPARING"})).await;
    assert_eq!(r.expect(200)["estimated_preparation_minutes"], 7, "{}", r.body);
}

async fn the_hours_traffic_is_learned_from_delivered_trips(app: TestApp) {
    let shop = app.shop().await;
    // One instant for the hour learned and the estimate made (an hour may turn meanwhile).
    let t0 = OffsetDateTime::now_utc();
    let hour = dabba_api::delivery::local_hour(jiff::tz::TimeZone::get("Asia/Kolkata").ok().as_ref(), t0);
    // Trips at this hour took twice what the model says (a 4 km scooter ride of 32.4 minutes,
    // then another): the hour is learned as half of city speed, in the store and here.
    let zone = "Asia/Kolkata";
    traffic::observe(&app.state, zone, hour, 4.0, Vehicle::Scooter, 32.4).await;
    let mut want = dabba_domain::learn::Learned::prior(rush_factor(hour));
    want.observe(0.5);
    let stored = app.store.learned_traffic().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].0 == zone && stored[0].1 == hour as i32 && (stored[0].2 - want.value).abs() < 1e-9, "{stored:?}");
    traffic::observe(&app.state, zone, hour, 4.0, Vehicle::Scooter, 32.4).await;
    want.observe(0.5);
    let stored = app.store.learned_traffic().await.unwrap();
    assert!((stored[0].2 - want.value).abs() < 1e-9, "{stored:?} {}", want.value);
    // Too short a trip to say anything: nothing learned.
    traffic::observe(&app.state, zone, hour, 0.2, Vehicle::Scooter, 30.0).await;
    assert!((app.store.learned_traffic().await.unwrap()[0].2 - want.value).abs() < 1e-9);
    let tz = jiff::tz::TimeZone::get(zone).ok();
    assert!((app.state.delivery.speeds.of(tz.as_ref()).factor(hour) - want.value).abs() < 1e-9);
    assert_eq!(
        app.state.delivery.speeds.of(tz.as_ref()).factor((hour + 1) % 24),
        Traffic::default().factor((hour + 1) % 24)
    );

    // A node starting afresh reads what was learned.
    let fresh = dabba_api::delivery::Delivery::new(Default::default());
    fresh.restore(app.store.as_ref()).await.unwrap();
    assert!((fresh.speeds.of(tz.as_ref()).factor(hour) - want.value).abs() < 1e-9);

    // A route opened now rides at the learned speed: the next order's ETA is later.
    let next = app.order(&shop).await;
    app.drain().await;
    let r = app.state.store.restaurant(shop.restaurant.parse().unwrap()).await.unwrap().unwrap();
    let o = app.state.store.order(next.parse().unwrap()).await.unwrap().unwrap();
    let route = app.state.delivery.route_of(&o, &r, Vehicle::Scooter);
    let model = dabba_api::delivery::route_of(&o, &r, Vehicle::Scooter);
    let at = dabba_domain::LatLng { lat: SHOP.0, lng: SHOP.1 };
    assert!(route.estimate(at, t0).0 > model.estimate(at, t0).0, "slower than the model at this hour");
}
