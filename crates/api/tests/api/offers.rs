use crate::helpers::TestApp;
use serde_json::{Value, json};

fn offer(code: &str, more: Value) -> Value {
    let mut o = json!({"code": code, "discount_type": "PERCENTAGE", "discount_value": 20, "max_discount": 5000,
                       "min_order_value": 20000, "applicable_to": "ALL"});
    crate::helpers::merge(&mut o, more);
    o
}

async fn who_may_create_offers(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    app.post("/api/v1/offers", Some(&admin), offer("PLATFORM20", json!({}))).await.expect(201);
    app.post("/api/v1/offers", Some(&admin), offer("platform20", json!({}))).await.expect(409);
    let mine = offer("DOSA10", json!({"applicable_to": "RESTAURANT", "restaurant_ids": [s.restaurant]}));
    let r = app.post("/api/v1/offers", Some(&s.owner), mine).await;
    assert_eq!(r.expect(201)["code"], "DOSA10");
    let dosa10 = r.body["offer_id"].as_str().unwrap().to_owned();
    let other_owner = app.owner().await;
    let theirs = offer("STEAL10", json!({"applicable_to": "RESTAURANT", "restaurant_ids": [s.restaurant]}));
    app.post("/api/v1/offers", Some(&other_owner), theirs).await.expect(403);
    app.post("/api/v1/offers", Some(&other_owner), offer("NOIDS10", json!({}))).await.expect(403);
    app.post("/api/v1/offers", Some(&s.customer), offer("MINE10", json!({}))).await.expect(403);
    app.post("/api/v1/offers", None, offer("ANON10", json!({}))).await.expect(401);
    for bad in [
        offer("X", json!({})),
        offer("BAD101", json!({"discount_value": 101})),
        offer("BAD0", json!({"discount_type": "FLAT", "discount_value": 0})),
        offer("BADMIN", json!({"min_order_value": -1})),
        offer("BADLIMIT", json!({"usage_limit": 0})),
        offer("BADDATE", json!({"valid_from": "2030-01-02T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"})),
        offer("BADTYPE", json!({"applicable_to": "EVERYONE"})),
        offer("NOREST", json!({"applicable_to": "RESTAURANT"})),
        offer("EXTRA1", json!({"stackable": true})),
    ] {
        app.post("/api/v1/offers", Some(&admin), bad).await.refused();
    }
    // Withdrawing: the creator or an admin; then the code no longer applies.
    app.delete(&format!("/api/v1/offers/{dosa10}"), Some(&other_owner)).await.expect(403);
    app.delete(&format!("/api/v1/offers/{dosa10}"), Some(&s.customer)).await.expect(403);
    app.delete(&format!("/api/v1/offers/{}", uuid::Uuid::now_v7()), Some(&admin)).await.expect(404);
    app.delete(&format!("/api/v1/offers/{dosa10}"), Some(&s.owner)).await.expect(204);
    app.add(&s.customer, &s.restaurant, &s.dosa, 2).await.expect(200);
    let r = app.post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": "DOSA10"})).await;
    assert_eq!(r.expect(409)["details"]["reason_code"], "OFFER_INACTIVE");
}

async fn offers_apply_in_the_cart_and_say_why_not(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    app.post("/api/v1/offers", Some(&admin), offer("SAVE20", json!({"min_order_value": 25000}))).await.expect(201);
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let r = app.post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": "save20"})).await;
    r.expect(409);
    assert_eq!(r.code(), "OFFER_NOT_APPLICABLE");
    assert_eq!(r.body["details"]["reason_code"], "OFFER_MIN_ORDER");
    assert!(r.body["message"].as_str().unwrap().contains("₹"), "{}", r.body);
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let cart = app
        .post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": "SAVE20"}))
        .await
        .expect(200)
        .clone();
    // 20% of ₹400 = ₹80, under the ₹50 cap? No: capped at ₹50.
    assert_eq!(cart["bill"]["discount"], 5000);
    assert_eq!(cart["offer"]["applied"], true);
    let v = app
        .post(
            "/api/v1/offers/validate",
            Some(&s.customer),
            json!({"code": "SAVE20", "cart_value": 10000, "restaurant_id": s.restaurant}),
        )
        .await;
    assert_eq!(v.expect(200)["valid"], false);
    assert_eq!(v.body["reason_code"], "OFFER_MIN_ORDER");
    app.post(
        "/api/v1/offers/validate",
        None,
        json!({"code": "NOPE99", "cart_value": 10000, "restaurant_id": s.restaurant}),
    )
    .await
    .expect(404);
    app.post(
        "/api/v1/offers/validate",
        None,
        json!({"code": "SAVE20", "cart_value": -5, "restaurant_id": s.restaurant}),
    )
    .await
    .expect(400);
    let placed = app.checkout(&s.customer, &s.address).await.expect(201).clone();
    assert_eq!(placed["bill"]["discount"], 5000);
    let near = app.get("/api/v1/offers?lat=12.9716&lng=77.5946", None).await;
    assert!(near.expect(200).as_array().unwrap().iter().any(|o| o["code"] == "SAVE20"));
    app.get("/api/v1/offers?lat=120&lng=77.5946", None).await.expect(400);
    let removed = app.delete("/api/v1/cart/offer", Some(&s.customer)).await;
    assert!(removed.expect(200)["offer"].is_null());
}

async fn exactly_the_limit_of_redemptions_succeed(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    app.post("/api/v1/offers", Some(&admin), offer("FIRST2", json!({"usage_limit": 2, "min_order_value": 0})))
        .await
        .expect(201);
    let mut carts = Vec::new();
    for _ in 0..6 {
        let (c, a) = app.customer_near(12.9716, 77.5946).await;
        app.add(&c, &s.restaurant, &s.dosa, 1).await.expect(200);
        app.post("/api/v1/cart/apply-offer", Some(&c), json!({"promo_code": "FIRST2"})).await.expect(200);
        carts.push((c, a));
    }
    let mut tasks = Vec::new();
    for (c, a) in &carts {
        tasks.push(app.spawn_checkout(c, a, &uuid::Uuid::new_v4().to_string()));
    }
    let mut redeemed = Vec::new();
    for (t, (c, _)) in tasks.into_iter().zip(&carts) {
        let (status, body) = t.await.unwrap();
        if status == 201 {
            redeemed.push((c.clone(), body["order_id"].as_str().unwrap().to_owned()));
        } else {
            assert_eq!(status, 409, "{body}");
            assert!(
                ["OFFER_EXHAUSTED", "OFFER_NOT_APPLICABLE"].contains(&body["error_code"].as_str().unwrap()),
                "{body}"
            );
        }
    }
    assert_eq!(redeemed.len(), 2, "exactly the limit");
    let used = |app: &TestApp| {
        let store = app.store.clone();
        async move { store.offer_by_code("FIRST2").await.unwrap().unwrap().usage_count }
    };
    assert_eq!(used(&app).await, 2);
    // A cancelled order gives its redemption back.
    let (c, id) = &redeemed[0];
    app.put(&format!("/api/v1/orders/{id}/cancel"), Some(c), json!({})).await.expect(200);
    assert_eq!(used(&app).await, 1);
}

async fn per_user_and_first_order_limits(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    app.post("/api/v1/offers", Some(&admin), offer("ONCE", json!({"per_user_limit": 1, "min_order_value": 0})))
        .await
        .expect(201);
    app.post(
        "/api/v1/offers",
        Some(&admin),
        offer("WELCOME", json!({"applicable_to": "FIRST_ORDER", "min_order_value": 0})),
    )
    .await
    .expect(201);
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    app.post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": "WELCOME"})).await.expect(200);
    app.post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": "ONCE"})).await.expect(200);
    app.checkout(&s.customer, &s.address).await.expect(201);
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let r = app.post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": "ONCE"})).await;
    assert_eq!(r.expect(409)["details"]["reason_code"], "OFFER_LIMIT_REACHED");
    let r = app.post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": "WELCOME"})).await;
    assert_eq!(r.expect(409)["details"]["reason_code"], "OFFER_FIRST_ORDER_ONLY");
    app.post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": "GHOST1"})).await.expect(404);
    app.post("/api/v1/cart/apply-offer", Some(&s.owner), json!({"promo_code": "ONCE"})).await.expect(403);
}

crate::both_backends!(
    who_may_create_offers,
    offers_apply_in_the_cart_and_say_why_not,
    exactly_the_limit_of_redemptions_succeed,
    per_user_and_first_order_limits,
);
