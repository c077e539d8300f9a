//! Riders end to end: the whole journey with a watcher, re-offers, the search for a rider, the
//! code at the door, and who may do what.

use crate::helpers::TestApp;
use crate::ws::{SHOP, north};
use serde_json::{Value, json};

crate::both_backends!(
    journey_from_order_to_door,
    an_ignored_offer_goes_to_the_next_rider,
    no_rider_means_searching_until_one_comes,
    the_code_at_the_door_locks_after_five_wrong_tries,
    riders_act_only_on_their_own_orders,
    admins_assign_and_reassign,
    a_reconnecting_watcher_resumes_where_it_was,
);

fn id(v: &Value) -> String {
    v["order_id"].as_str().unwrap().to_owned()
}

async fn step(app: &TestApp, rider: &str, order: &str, body: Value) -> crate::helpers::Reply {
    app.put(&format!("/api/v1/delivery/orders/{order}/status"), Some(rider), body).await
}

async fn journey_from_order_to_door(app: TestApp) {
    let shop = app.shop().await;
    let south = (SHOP.0 - 0.5 / 111.195, SHOP.1);
    let (rider, rider_id, mut rider_ws) = app.rider_online(south.0, south.1).await;
    let order = app.order(&shop).await;
    let mut watcher = app.watch(&order, &shop.customer).await;
    let first = watcher.next().await.unwrap();
    assert_eq!(
        (first["type"].as_str(), first["status"].as_str()),
        (Some("status_update"), Some("CONFIRMED")),
        "{first}"
    );
    assert!(first["eta_minutes"].as_u64().is_some(), "{first}");
    watcher.send(json!({"type": "ping"})).await;
    watcher.until("pong", |_| true).await;

    app.kitchen(&shop, &order, json!({"status": "PREPARING"})).await.expect(200);
    app.drain().await;
    watcher.status("PREPARING").await;

    // Dispatch offers the order to the only rider, on their socket and in their list.
    let offer = rider_ws.until("offer", |v| v["order_id"] == order.as_str()).await;
    assert!(offer["earnings"].as_i64().unwrap() >= 2_500 && offer["pickup_km"].as_f64().unwrap() > 0.4, "{offer}");
    let listed = app.get("/api/v1/delivery/orders/available", Some(&rider)).await;
    assert_eq!(listed.expect(200).as_array().unwrap().len(), 1);
    let job = app.post(&format!("/api/v1/delivery/orders/{order}/accept"), Some(&rider), json!({})).await;
    let job = job.expect(200);
    assert_eq!(job["payment_method"], "COD");
    assert!(job["collect_amount"].as_i64().unwrap() > 20_000, "the rider collects the bill in cash: {job}");
    assert!(job["customer_phone"].as_str().unwrap().contains('X'), "{job}");
    app.drain().await;
    let partner = watcher.until("partner_assigned", |_| true).await;
    assert_eq!(partner["partner"]["vehicle_number"], "KA01AB1234");
    assert!(partner["partner"]["phone"].as_str().unwrap().contains("XXX"), "{partner}");

    // The kitchen sees the rider coming.
    let kitchen = app.get(&format!("/api/v1/restaurants/{}/orders", shop.restaurant), Some(&shop.owner)).await;
    let arrival = &kitchen.expect(200)[0]["rider_arrival"];
    assert!(arrival["minutes"].as_u64().unwrap() >= 1 && arrival["rider_id"] == rider_id.as_str(), "{arrival}");

    // Picking up before the food is ready is refused.
    step(&app, &rider, &order, json!({"status": "PICKED_UP"})).await.expect(409);
    app.kitchen(&shop, &order, json!({"status": "READY"})).await.expect(200);
    app.drain().await;
    watcher.status("READY").await;
    step(&app, &rider, &order, json!({"status": "PICKED_UP"})).await.expect(200);
    app.drain().await;
    watcher.status("PICKED_UP").await;
    step(&app, &rider, &order, json!({"status": "OUT_FOR_DELIVERY"})).await.expect(200);
    app.drain().await;
    watcher.status("OUT_FOR_DELIVERY").await;

    // Pings on the way: each one reaches the watcher with a shrinking distance.
    let mut last_km = f64::MAX;
    // (The rider rides 0.5 km to the restaurant, then on north towards the customer at ~20 m/s.)
    for (i, (km, secs)) in [(0.0, 20), (0.3, 35), (0.55, 50)].into_iter().enumerate() {
        let (lat, lng) = north(km);
        let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(secs);
        let at = at.format(&time::format_description::well_known::Rfc3339).unwrap();
        rider_ws.send(json!({"type": "location", "lat": lat, "lng": lng, "recorded_at": at, "seq": i})).await;
        let ack = rider_ws.until("ack", |v| v["seq"] == i).await;
        assert_eq!(ack["accepted"], 1, "{ack}");
        let loc =
            watcher.until("location_update", |v| (v["location"]["lat"].as_f64().unwrap() - lat).abs() < 1e-9).await;
        let km_left = loc["distance_km"].as_f64().unwrap();
        assert!(km_left < last_km && loc["eta_minutes"].as_u64().is_some(), "{loc}");
        last_km = km_left;
    }
    assert!(last_km < 0.5, "{last_km}");

    // The customer's order shows the code; the rider needs it.
    let mine = app.get(&format!("/api/v1/orders/{order}"), Some(&shop.customer)).await;
    let otp = mine.expect(200)["delivery_otp"].as_str().unwrap().to_owned();
    let owner_view = app.get(&format!("/api/v1/orders/{order}"), Some(&shop.owner)).await;
    assert!(owner_view.expect(200).get("delivery_otp").is_none(), "only the customer sees the code");
    let wrong = if otp == "0000" { "1111" } else { "0000" };
    let r = step(&app, &rider, &order, json!({"status": "DELIVERED", "otp": wrong})).await;
    assert_eq!(r.expect(422)["error_code"], "INVALID_OTP");
    step(&app, &rider, &order, json!({"status": "DELIVERED", "otp": otp})).await.expect(200);
    app.drain().await;
    watcher.status("DELIVERED").await;
    let done = watcher.until("delivered", |_| true).await;
    assert_eq!(done["otp_verified"], true);
    watcher.closed().await;
    let types: Vec<&str> = watcher.seen.iter().map(String::as_str).filter(|t| *t != "location_update").collect();
    let expected = [
        "status_update",
        "pong",
        "status_update",
        "partner_assigned",
        "status_update",
        "status_update",
        "status_update",
        "status_update",
        "delivered",
    ];
    assert_eq!(types, expected, "every message type, in order: {:?}", watcher.frames);

    // The rider was paid in the ledger and is free again.
    let earnings = app.get("/api/v1/delivery/earnings", Some(&rider)).await;
    let earnings = earnings.expect(200);
    // ₹25 base + ₹7 for the one started km.
    assert_eq!((earnings["total"].as_i64(), earnings["deliveries"].as_i64()), (Some(3_200), Some(1)), "{earnings}");
    assert_eq!(earnings["lines"][0]["order_id"], order.as_str());
    let current = app.get("/api/v1/delivery/orders/current", Some(&rider)).await;
    assert_eq!(current.expect(200).as_array().unwrap().len(), 0);
    let track = app.get(&format!("/api/v1/orders/{order}/track"), Some(&shop.customer)).await;
    let track = track.expect(200);
    assert_eq!(track["status"], "DELIVERED");
    assert!(track["location"].is_null() && track["delivered_at"].is_string(), "no position after delivery: {track}");
    app.drain().await;
}

async fn an_ignored_offer_goes_to_the_next_rider(app: TestApp) {
    let shop = app.shop().await;
    let (a, _, mut a_ws) = app.rider_online(north(-0.3).0, SHOP.1).await;
    let order = app.order(&shop).await;
    app.drain().await;
    let first = a_ws.until("offer", |v| v["order_id"] == order.as_str()).await;
    assert_eq!(id(&first), order);
    // B comes online while A holds the offer: a rider with an open offer is not offered it
    // twice, and B waits. A lets it expire: withdrawn from A, offered to B.
    let (b, _, mut b_ws) = app.rider_online(north(-0.6).0, SHOP.1).await;
    a_ws.until("offer_withdrawn", |v| v["order_id"] == order.as_str()).await;
    b_ws.until("offer", |v| v["order_id"] == order.as_str()).await;
    let late = app.post(&format!("/api/v1/delivery/orders/{order}/accept"), Some(&a), json!({})).await;
    assert_eq!(late.expect(409)["error_code"], "OFFER_NOT_OPEN");
    assert_eq!(app.get("/api/v1/delivery/orders/available", Some(&a)).await.expect(200).as_array().unwrap().len(), 0);
    // B declines: nobody else is near (A declined moments ago), so the order waits.
    app.post(&format!("/api/v1/delivery/orders/{order}/reject"), Some(&b), json!({})).await.expect(204);
    let again = app.post(&format!("/api/v1/delivery/orders/{order}/reject"), Some(&b), json!({})).await;
    assert_eq!(again.expect(409)["error_code"], "OFFER_NOT_OPEN");
    let t = app.get(&format!("/api/v1/tracking/{order}"), Some(&shop.customer)).await;
    let t = t.expect(200);
    assert!(t["partner"].is_null() && t["location"].is_null(), "{t}");
}

async fn no_rider_means_searching_until_one_comes(app: TestApp) {
    let shop = app.shop().await;
    let order = app.order(&shop).await;
    let mut watcher = app.watch(&order, &shop.customer).await;
    app.drain().await;
    let searching = watcher.until("status_update", |v| v["dispatch"] == "SEARCHING").await;
    assert_eq!(searching["message"], "We are looking for a delivery partner near the restaurant");
    app.drain().await;
    let inbox = app.get("/api/v1/notifications", Some(&shop.customer)).await;
    assert!(inbox.expect(200).as_array().unwrap().iter().any(|n| n["kind"] == "RIDER_SEARCHING"), "{}", inbox.body);
    let t = app.get(&format!("/api/v1/tracking/{order}"), Some(&shop.customer)).await;
    assert_eq!(t.expect(200)["dispatch"], "SEARCHING");

    // A rider just outside the 5 km search radius comes online: nothing offered. They ride
    // into it; the retry with backoff (not any event) finds them.
    let far = north(-6.0);
    let (_, _, mut ws) = app.rider_online(far.0, far.1).await;
    let near = north(-4.8);
    let at = (time::OffsetDateTime::now_utc() + time::Duration::seconds(55))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    ws.send(json!({"type": "location", "lat": near.0, "lng": near.1, "recorded_at": at, "seq": 1})).await;
    assert_eq!(ws.until("ack", |_| true).await["accepted"], 1);
    let offer = ws.until("offer", |v| v["order_id"] == order.as_str()).await;
    assert!(offer["pickup_km"].as_f64().unwrap() < 5.0, "{offer}");
}

async fn the_code_at_the_door_locks_after_five_wrong_tries(app: TestApp) {
    let shop = app.shop().await;
    let admin = app.admin().await;
    let (rider, rider_id) = app.rider_with_vehicle().await;
    let order = app.order(&shop).await;
    app.post(&format!("/api/v1/admin/orders/{order}/assign"), Some(&admin), json!({"rider_id": rider_id}))
        .await
        .expect(200);
    app.kitchen(&shop, &order, json!({"status": "PREPARING"})).await.expect(200);
    app.kitchen(&shop, &order, json!({"status": "READY"})).await.expect(200);
    step(&app, &rider, &order, json!({"status": "PICKED_UP"})).await.expect(200);
    step(&app, &rider, &order, json!({"status": "OUT_FOR_DELIVERY", "otp": "1234"})).await.expect(400);
    step(&app, &rider, &order, json!({"status": "OUT_FOR_DELIVERY"})).await.expect(200);
    step(&app, &rider, &order, json!({"status": "DELIVERED"})).await.expect(400);
    let otp = app.get(&format!("/api/v1/orders/{order}"), Some(&shop.customer)).await.expect(200)["delivery_otp"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = if otp == "9999" { "8888" } else { "9999" };
    for left in (1..5).rev() {
        let r = step(&app, &rider, &order, json!({"status": "DELIVERED", "otp": wrong})).await;
        assert_eq!(r.expect(422)["error_code"], "INVALID_OTP");
        assert!(r.body["message"].as_str().unwrap().contains(&format!("{left} tries left")), "{}", r.body);
    }
    let r = step(&app, &rider, &order, json!({"status": "DELIVERED", "otp": wrong})).await;
    assert_eq!(r.expect(422)["error_code"], "OTP_LOCKED");
    // Locked: even the right code is refused now; support closes it.
    let r = step(&app, &rider, &order, json!({"status": "DELIVERED", "otp": otp})).await;
    assert_eq!(r.expect(422)["error_code"], "OTP_LOCKED");
    app.patch(&format!("/api/v1/admin/orders/{order}/status"), Some(&admin), json!({"status": "DELIVERED"}))
        .await
        .expect(200);
    app.drain().await;
}

async fn riders_act_only_on_their_own_orders(app: TestApp) {
    let shop = app.shop().await;
    let admin = app.admin().await;
    let (rider, rider_id) = app.rider_with_vehicle().await;
    let (other, _) = app.rider_with_vehicle().await;
    let order = app.order(&shop).await;
    // Not riders: 403 on every rider endpoint.
    for token in [&shop.customer, &shop.owner] {
        assert_eq!(app.get("/api/v1/delivery/orders/available", Some(token)).await.status, 403);
        assert_eq!(app.get("/api/v1/delivery/orders/current", Some(token)).await.status, 403);
        let r = app.post("/api/v1/delivery/location", Some(token), json!({"lat": 12.9, "lng": 77.5})).await;
        r.expect(403);
        let r = app.post(&format!("/api/v1/delivery/orders/{order}/accept"), Some(token), json!({})).await;
        r.expect(403);
        step(&app, token, &order, json!({"status": "PICKED_UP"})).await.expect(403);
        app.get("/api/v1/delivery/profile", Some(token)).await.expect(403);
        let v = json!({"vehicle_type": "CAR", "vehicle_number": "KA01"});
        app.put("/api/v1/delivery/profile", Some(token), v).await.expect(403);
        let on = json!({"lat": 12.9, "lng": 77.5, "available": true});
        app.post("/api/v1/delivery/available", Some(token), on).await.expect(403);
        let batch = json!({"pings": [{"lat": 12.9, "lng": 77.5}]});
        app.post("/api/v1/delivery/location/batch", Some(token), batch).await.expect(403);
        app.post(&format!("/api/v1/delivery/orders/{order}/reject"), Some(token), json!({})).await.expect(403);
    }
    assert_eq!(app.get("/api/v1/delivery/orders/current", None).await.status, 401);
    // A rider without a vehicle cannot go online or stream.
    let (bare, _) = app.user("DELIVERY").await;
    let r =
        app.post("/api/v1/delivery/available", Some(&bare), json!({"lat": 12.9, "lng": 77.5, "available": true})).await;
    assert_eq!(r.expect(409)["error_code"], "RIDER_PROFILE_REQUIRED");
    assert_eq!(app.ws(&format!("/ws/rider?token={bare}")).await.err(), Some(409));
    assert_eq!(app.ws("/ws/rider?token=nope").await.err(), Some(401));
    assert_eq!(app.ws(&format!("/ws/rider?token={}", shop.customer)).await.err(), Some(403));
    // Bad input.
    let bad = [
        json!({"vehicle_type": "JETPACK", "vehicle_number": "X1"}),
        json!({"vehicle_type": "CAR", "vehicle_number": ""}),
        json!({"vehicle_type": "CAR", "vehicle_number": "KA01<script>"}),
    ];
    for b in bad {
        assert!(app.put("/api/v1/delivery/profile", Some(&rider), b).await.status.is_client_error());
    }
    for b in [
        json!({"lat": 91.0, "lng": 77.0}),
        json!({"lat": 12.0, "lng": 181.0}),
        json!({"lat": 12.0, "lng": 77.0, "speed": -1.0}),
        json!({"lat": 12.0, "lng": 77.0, "recorded_at": "2999-01-01T00:00:00Z"}),
        json!({"lat": 12.0}),
    ] {
        let r = app.post("/api/v1/delivery/location", Some(&rider), b).await;
        r.refused();
    }
    let many: Vec<Value> = (0..501).map(|_| json!({"lat": 12.0, "lng": 77.0})).collect();
    app.post("/api/v1/delivery/location/batch", Some(&rider), json!({"pings": many})).await.expect(400);
    let mixed = json!({"pings": [{"lat": 12.0, "lng": 77.0}, {"lat": 95.0, "lng": 77.0}]});
    let r = app.post("/api/v1/delivery/location/batch", Some(&rider), mixed).await;
    assert_eq!(r.expect(400)["details"][0]["field"], "pings[1].lat");
    // The filter: duplicates, old fixes and jumps are counted, not kept.
    // One clock reading: two calls straddling a millisecond would make the duplicate a new fix.
    let now = time::OffsetDateTime::now_utc();
    let t = |s: i64| {
        (now - time::Duration::seconds(100 - s)).format(&time::format_description::well_known::Rfc3339).unwrap()
    };
    let pings = json!({"pings": [
        {"lat": 12.9, "lng": 77.5, "recorded_at": t(0)}, {"lat": 12.9, "lng": 77.5, "recorded_at": t(0)},
        {"lat": 12.9001, "lng": 77.5, "recorded_at": t(10)}, {"lat": 13.9, "lng": 77.5, "recorded_at": t(20)}]});
    let r = app.post("/api/v1/delivery/location/batch", Some(&rider), pings).await;
    assert_eq!(*r.expect(200), json!({"accepted": 2, "duplicate": 1, "out_of_order": 0, "impossible": 1}));
    let old = json!({"lat": 12.9002, "lng": 77.5, "recorded_at": t(5)});
    assert_eq!(app.post("/api/v1/delivery/location", Some(&rider), old).await.expect(200)["out_of_order"], 1);

    app.post(&format!("/api/v1/admin/orders/{order}/assign"), Some(&admin), json!({"rider_id": rider_id}))
        .await
        .expect(200);
    // Another rider cannot see or move it; no offer means no accept.
    step(&app, &other, &order, json!({"status": "PICKED_UP"})).await.expect(404);
    let r = app.post(&format!("/api/v1/delivery/orders/{order}/accept"), Some(&other), json!({})).await;
    assert_eq!(r.expect(409)["error_code"], "OFFER_NOT_OPEN");
    step(&app, &rider, &order, json!({"status": "READY"})).await.expect(400);
    // Watching: the customer and admins only.
    assert_eq!(app.ws(&format!("/ws/track?order_id={order}&token={}", shop.owner)).await.err(), Some(404));
    assert_eq!(app.ws(&format!("/ws/track?order_id={order}&token={rider}")).await.err(), Some(404));
    assert_eq!(app.ws(&format!("/ws/track?order_id={order}&token=junk")).await.err(), Some(401));
    assert_eq!(app.ws(&format!("/ws/track?order_id=nope&token={}", shop.customer)).await.err(), Some(400));
    let mut admin_ws = app.watch(&order, &admin).await;
    assert_eq!(admin_ws.next().await.unwrap()["type"], "status_update");
    let stranger = app.customer().await;
    app.get(&format!("/api/v1/tracking/{order}"), Some(&stranger)).await.expect(404);
    app.get(&format!("/api/v1/orders/{order}/track"), Some(&shop.owner)).await.expect(404);
    let plain = app.get(&format!("/ws/track?order_id={order}&token={}", shop.customer), None).await;
    assert_eq!(plain.expect(426)["error_code"], "UPGRADE_REQUIRED");
    // Only admins assign, and only riders can be assigned.
    let r = app
        .post(&format!("/api/v1/admin/orders/{order}/assign"), Some(&shop.owner), json!({"rider_id": rider_id}))
        .await;
    r.expect(403);
    let customer_id = app.get("/api/v1/users/profile", Some(&stranger)).await.body["user_id"].clone();
    let r =
        app.post(&format!("/api/v1/admin/orders/{order}/assign"), Some(&admin), json!({"rider_id": customer_id})).await;
    r.expect(404);
}

async fn admins_assign_and_reassign(app: TestApp) {
    let shop = app.shop().await;
    let admin = app.admin().await;
    let (first, first_id) = app.rider_with_vehicle().await;
    let (second, second_id) = app.rider_with_vehicle().await;
    let order = app.order(&shop).await;
    let mut watcher = app.watch(&order, &shop.customer).await;
    let a =
        app.post(&format!("/api/v1/admin/orders/{order}/assign"), Some(&admin), json!({"rider_id": first_id})).await;
    assert_eq!(a.expect(200)["rider_id"], first_id.as_str());
    app.drain().await;
    let p = watcher.until("partner_assigned", |_| true).await;
    assert_eq!(p["partner"]["rider_id"], first_id.as_str());
    app.post(&format!("/api/v1/admin/orders/{order}/assign"), Some(&admin), json!({"rider_id": second_id}))
        .await
        .expect(200);
    app.drain().await;
    watcher.until("partner_assigned", |v| v["partner"]["rider_id"] == second_id.as_str()).await;
    assert_eq!(app.get("/api/v1/delivery/orders/current", Some(&first)).await.expect(200).as_array().unwrap().len(), 0);
    let mine = app.get("/api/v1/delivery/orders/current", Some(&second)).await;
    assert_eq!(mine.expect(200)[0]["order_id"], order.as_str());
    // The route history: pings of the assigned rider are kept, one per period, for disputes.
    let now = time::OffsetDateTime::now_utc();
    let fmt = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap();
    let pings: Vec<Value> = (0..6).map(|i| json!({"lat": 12.97 + i as f64 * 0.0001, "lng": 77.59, "recorded_at": fmt(now - time::Duration::seconds(30 - i * 2))})).collect();
    let r = app.post("/api/v1/delivery/location/batch", Some(&second), json!({"pings": pings})).await;
    assert_eq!(r.expect(200)["accepted"], 6);
    app.state.delivery.history.flush().await;
    let q = format!(
        "/api/v1/admin/riders/{second_id}/locations?from={}&to={}",
        fmt(now - time::Duration::hours(1)).replace('+', "%2B"),
        fmt(now + time::Duration::hours(1)).replace('+', "%2B")
    );
    let kept = app.get(&q, Some(&admin)).await;
    let kept = kept.expect(200).as_array().unwrap().clone();
    assert_eq!(kept.len(), 6, "one point per second of history period: {kept:?}");
    assert!(kept.iter().all(|k| k["order_id"] == order.as_str()));
    app.get(&q, Some(&second)).await.expect(403);
    let backwards = format!(
        "/api/v1/admin/riders/{second_id}/locations?from={}&to={}",
        fmt(now).replace('+', "%2B"),
        fmt(now - time::Duration::hours(1)).replace('+', "%2B")
    );
    app.get(&backwards, Some(&admin)).await.expect(422);
    app.drain().await;
}

async fn a_reconnecting_watcher_resumes_where_it_was(app: TestApp) {
    let shop = app.shop().await;
    let admin = app.admin().await;
    let (rider, rider_id) = app.rider_with_vehicle().await;
    let order = app.order(&shop).await;
    // Before a rider has it, nobody's position is shown.
    let mut w = app.watch(&order, &shop.customer).await;
    assert_eq!(w.next().await.unwrap()["status"], "CONFIRMED");
    app.post(&format!("/api/v1/admin/orders/{order}/assign"), Some(&admin), json!({"rider_id": rider_id}))
        .await
        .expect(200);
    app.kitchen(&shop, &order, json!({"status": "PREPARING"})).await.expect(200);
    app.kitchen(&shop, &order, json!({"status": "READY"})).await.expect(200);
    step(&app, &rider, &order, json!({"status": "PICKED_UP"})).await.expect(200);
    let first = north(0.2);
    app.post("/api/v1/delivery/location", Some(&rider), json!({"lat": first.0, "lng": first.1})).await.expect(200);
    w.until("location_update", |_| true).await;
    drop(w);

    // Away meanwhile: the rider moved on.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::seconds(20))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let second = north(0.5);
    let r = app
        .post(
            "/api/v1/delivery/location",
            Some(&rider),
            json!({"lat": second.0, "lng": second.1, "recorded_at": later}),
        )
        .await;
    assert_eq!(r.expect(200)["accepted"], 1);
    app.drain().await;
    let mut w = app.watch(&order, &shop.customer).await;
    let status = w.next().await.unwrap();
    assert_eq!(status["status"], "PICKED_UP");
    assert_eq!(w.next().await.unwrap()["type"], "partner_assigned");
    let loc = w.next().await.unwrap();
    assert_eq!(loc["type"], "location_update");
    assert!(
        (loc["location"]["lat"].as_f64().unwrap() - second.0).abs() < 1e-9,
        "resumes at the newest position: {loc}"
    );
    // The polling fallback says the same.
    let t = app.get(&format!("/api/v1/tracking/{order}"), Some(&shop.customer)).await;
    let t = t.expect(200);
    assert_eq!((t["status"].as_str(), t["dispatch"].as_str()), (Some("PICKED_UP"), Some("ASSIGNED")));
    assert_eq!(t["location"]["lat"], loc["location"]["lat"]);
    assert_eq!(t["eta_minutes"], loc["eta_minutes"]);
    assert_eq!(t["partner"]["rider_id"], rider_id.as_str());
    app.drain().await;
}
