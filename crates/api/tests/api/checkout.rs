use crate::helpers::TestApp;
use serde_json::json;

async fn cod_checkout_places_a_confirmed_order(app: TestApp) {
    let s = app.shop().await;
    let cart = app.add(&s.customer, &s.restaurant, &s.dosa, 2).await.expect(200).clone();
    let r = app.checkout(&s.customer, &s.address).await;
    let placed = r.expect(201).clone();
    assert_eq!(placed["status"], "CONFIRMED", "COD confirms at once");
    assert_eq!(placed["total_amount"], cart["bill"]["total"], "charged what the cart showed");
    assert_eq!(placed["bill"], cart["bill"]);
    let id = placed["order_id"].as_str().unwrap();
    let after = app.get("/api/v1/cart", Some(&s.customer)).await;
    assert_eq!(after.expect(200)["lines"].as_array().unwrap().len(), 0, "the cart is cleared");
    let order = app.get(&format!("/api/v1/orders/{id}"), Some(&s.customer)).await.expect(200).clone();
    assert_eq!(order["items"][0]["name"], "Dosa");
    assert_eq!(order["items"][0]["quantity"], 2);
    assert_eq!(order["delivery_address"]["address_line1"], "2 Church St");
    assert_eq!(order["timeline"][0]["status"], "CONFIRMED");
    // Renaming the dish later does not change what was ordered.
    app.patch(
        &format!("/api/v1/restaurants/{}/items/{}", s.restaurant, s.dosa),
        Some(&s.owner),
        json!({"name": "Plain Dosa"}),
    )
    .await
    .expect(200);
    let order = app.get(&format!("/api/v1/orders/{id}"), Some(&s.customer)).await.expect(200).clone();
    assert_eq!(order["items"][0]["name"], "Dosa");
    let kitchen =
        app.get(&format!("/api/v1/restaurants/{}/orders?status=CONFIRMED", s.restaurant), Some(&s.owner)).await;
    assert_eq!(kitchen.expect(200)[0]["order_id"], id);
    app.drain().await;
    let inbox = app.get("/api/v1/notifications", Some(&s.owner)).await.expect(200).clone();
    assert_eq!(inbox[0]["kind"], "NEW_ORDER");
    let mine = app.inbox(&s.customer, "").await;
    assert_eq!(mine[0]["kind"], "ORDER_CONFIRMED");
    assert_eq!(mine[0]["order_id"], id);
}

async fn the_same_key_returns_the_same_order(app: TestApp) {
    let s = app.shop().await;
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let key = uuid::Uuid::new_v4().to_string();
    let first = app.checkout_with_key(&s.customer, &s.address, &key).await.expect(201).clone();
    let again = app.checkout_with_key(&s.customer, &s.address, &key).await;
    assert_eq!(again.expect(201)["order_id"], first["order_id"]);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let orders = app.get("/api/v1/orders", Some(&s.customer)).await;
    assert_eq!(orders.expect(200).as_array().unwrap().len(), 1);
    // The same key with another body is a client bug.
    let other = json!({"address_id": s.address, "payment_method": "COD", "delivery_instructions": "ring twice"});
    app.checkout_body(&s.customer, &key, other).await.expect(422);
    let no_key =
        app.post("/api/v1/orders", Some(&s.customer), json!({"address_id": s.address, "payment_method": "COD"})).await;
    no_key.expect(400);
}

async fn double_clicks_make_one_order(app: TestApp) {
    let s = app.shop().await;
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let key = uuid::Uuid::new_v4().to_string();
    // The same key twice at once, then two different keys at once: one order in all.
    let mut tasks = Vec::new();
    for k in [key.clone(), key.clone(), uuid::Uuid::new_v4().to_string()] {
        tasks.push(app.spawn_checkout(&s.customer, &s.address, &k));
    }
    let mut placed = std::collections::HashSet::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            201 => {
                placed.insert(body["order_id"].as_str().unwrap().to_owned());
            }
            409 => assert!(
                ["REQUEST_IN_PROGRESS", "CART_CHANGED", "CART_EMPTY"].contains(&body["error_code"].as_str().unwrap()),
                "{body}"
            ),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(placed.len(), 1, "one order, however many clicks");
    assert_eq!(app.get("/api/v1/orders", Some(&s.customer)).await.expect(200).as_array().unwrap().len(), 1);
}

async fn a_changed_price_stops_checkout_and_shows_the_new_cart(app: TestApp) {
    let s = app.shop().await;
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    app.patch(
        &format!("/api/v1/restaurants/{}/items/{}", s.restaurant, s.dosa),
        Some(&s.owner),
        json!({"price": 25000}),
    )
    .await
    .expect(200);
    let key = uuid::Uuid::new_v4().to_string();
    let r = app.checkout_with_key(&s.customer, &s.address, &key).await;
    r.expect(409);
    assert_eq!(r.code(), "PRICE_CHANGED");
    assert!(r.body["message"].as_str().unwrap().contains("Dosa"));
    assert_eq!(r.body["details"]["cart"]["lines"][0]["unit_price"], 25000);
    assert!(
        app.get("/api/v1/orders", Some(&s.customer)).await.expect(200).as_array().unwrap().is_empty(),
        "nothing placed"
    );
    // A 409 describes the cart now, not the request: it is not kept under the key. Having
    // seen the new price, the customer places the order at it, with the same key.
    let placed = app.checkout_with_key(&s.customer, &s.address, &key).await;
    assert_eq!(placed.expect(201)["bill"]["subtotal"], 25000);
    assert!(placed.headers.get("idempotent-replayed").is_none(), "it ran again");
    let again = app.checkout_with_key(&s.customer, &s.address, &key).await;
    assert_eq!(again.expect(201)["order_id"], placed.body["order_id"], "and the success is kept");
    assert_eq!(again.headers["idempotent-replayed"], "true");
}

async fn checkout_rechecks_the_live_catalog(app: TestApp) {
    let s = app.shop().await;
    let empty = app.checkout(&s.customer, &s.address).await;
    empty.expect(409);
    assert_eq!(empty.code(), "CART_EMPTY");
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    // Far away: 30 km north of a 5 km radius.
    let far = app
        .post(
            "/api/v1/users/addresses",
            Some(&s.customer),
            json!({"address_type": "WORK", "address_line1": "Far",
        "city": "Bengaluru", "latitude": 12.9716 + 30.0 / 111.195, "longitude": 77.5946}),
        )
        .await
        .expect(201)["address_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.checkout(&s.customer, &far).await;
    r.expect(409);
    assert_eq!(r.code(), "ADDRESS_NOT_SERVICEABLE");
    let stranger = app.customer_near(12.97, 77.59).await.1;
    app.checkout(&s.customer, &stranger).await.expect(404);
    app.patch(&format!("/api/v1/restaurants/{}", s.restaurant), Some(&s.owner), json!({"is_paused": true}))
        .await
        .expect(200);
    let r = app.checkout(&s.customer, &s.address).await;
    assert_eq!(r.code(), "RESTAURANT_CLOSED");
    app.patch(
        &format!("/api/v1/restaurants/{}", s.restaurant),
        Some(&s.owner),
        json!({"is_paused": false, "min_order_value": 50000}),
    )
    .await
    .expect(200);
    let r = app.checkout(&s.customer, &s.address).await;
    assert_eq!(r.code(), "BELOW_MINIMUM_ORDER");
    app.patch(&format!("/api/v1/restaurants/{}", s.restaurant), Some(&s.owner), json!({"min_order_value": 0}))
        .await
        .expect(200);
    app.patch(
        &format!("/api/v1/restaurants/{}/items/{}", s.restaurant, s.dosa),
        Some(&s.owner),
        json!({"is_available": false}),
    )
    .await
    .expect(200);
    let r = app.checkout(&s.customer, &s.address).await;
    r.expect(409);
    assert_eq!(r.code(), "ITEMS_UNAVAILABLE");
    assert!(r.body["message"].as_str().unwrap().contains("Dosa"), "names the dish");
    let online =
        app.checkout_body(&s.customer, "k-online", json!({"address_id": s.address, "payment_method": "UPI"})).await;
    // The catalog is checked before any payment is opened.
    online.expect(409);
    assert_eq!(online.code(), "ITEMS_UNAVAILABLE");
    assert!(app.get("/api/v1/orders", Some(&s.customer)).await.expect(200).as_array().unwrap().is_empty());
}

async fn the_last_units_go_to_exactly_that_many_customers(app: TestApp) {
    let s = app.shop().await;
    let item = app
        .item(&s.owner, &s.restaurant, &s.category, json!({"name": "Last Biryani", "price": 20000, "stock": 3}))
        .await;
    let item = item["item_id"].as_str().unwrap().to_owned();
    let mut customers = Vec::new();
    for _ in 0..8 {
        let (c, a) = app.customer_near(12.9716, 77.5946).await;
        app.add(&c, &s.restaurant, &item, 1).await.expect(200);
        customers.push((c, a));
    }
    let mut tasks = Vec::new();
    for (c, a) in customers {
        tasks.push(app.spawn_checkout(&c, &a, &uuid::Uuid::new_v4().to_string()));
    }
    let mut won = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        if status == 201 {
            won += 1;
        } else {
            assert_eq!(status, 409, "{body}");
            assert!(["OUT_OF_STOCK", "ITEMS_UNAVAILABLE"].contains(&body["error_code"].as_str().unwrap()), "{body}");
        }
    }
    assert_eq!(won, 3, "no overselling, no underselling");
    let menu = app.get(&format!("/api/v1/restaurants/{}/menu", s.restaurant), None).await.expect(200).clone();
    let left = menu["categories"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item_id"] == item.as_str())
        .unwrap()["stock"]
        .clone();
    assert_eq!(left, 0);
}

async fn a_busy_kitchen_refuses_more_orders(app: TestApp) {
    let s = app.shop().await;
    app.patch(&format!("/api/v1/restaurants/{}", s.restaurant), Some(&s.owner), json!({"kitchen_limit": 1}))
        .await
        .expect(200);
    app.order(&s).await;
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let r = app.checkout(&s.customer, &s.address).await;
    r.expect(409);
    assert_eq!(r.code(), "RESTAURANT_BUSY");
    let wait = r.body["details"]["retry_after_seconds"].as_i64().unwrap();
    assert!((800..=900).contains(&wait), "the first order leaves the 15-minute window in ~15 minutes: {wait}");
    app.patch(&format!("/api/v1/restaurants/{}", s.restaurant), Some(&s.owner), json!({"kitchen_limit": 0}))
        .await
        .expect(400);
}

async fn only_customers_check_out(app: TestApp) {
    let s = app.shop().await;
    for t in [s.owner.clone(), app.rider().await] {
        app.checkout(&t, &s.address).await.expect(403);
    }
    let r = app
        .client
        .post(format!("{}/api/v1/orders", app.base))
        .header("idempotency-key", "x")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let bad = app.checkout_body(&s.customer, "k1", json!({"address_id": s.address, "payment_method": "BITCOIN"})).await;
    bad.expect(400);
}

async fn crossing_carts_do_not_deadlock(app: TestApp) {
    // Two customers take the same two tracked dishes, added in opposite orders, at once.
    let s = app.shop().await;
    let x = app.item(&s.owner, &s.restaurant, &s.category, json!({"name": "X", "price": 20000, "stock": 100})).await;
    let y = app.item(&s.owner, &s.restaurant, &s.category, json!({"name": "Y", "price": 20000, "stock": 100})).await;
    let (x, y) = (x["item_id"].as_str().unwrap().to_owned(), y["item_id"].as_str().unwrap().to_owned());
    for _ in 0..5 {
        let (a, a_addr) = app.customer_near(12.9716, 77.5946).await;
        let (b, b_addr) = app.customer_near(12.9716, 77.5946).await;
        for (c, first, second) in [(&a, &x, &y), (&b, &y, &x)] {
            app.add(c, &s.restaurant, first, 1).await.expect(200);
            app.add(c, &s.restaurant, second, 1).await.expect(200);
        }
        let (r1, r2) = tokio::join!(app.checkout(&a, &a_addr), app.checkout(&b, &b_addr));
        r1.expect(201);
        r2.expect(201);
    }
}

crate::both_backends!(
    crossing_carts_do_not_deadlock,
    cod_checkout_places_a_confirmed_order,
    the_same_key_returns_the_same_order,
    double_clicks_make_one_order,
    a_changed_price_stops_checkout_and_shows_the_new_cart,
    checkout_rechecks_the_live_catalog,
    the_last_units_go_to_exactly_that_many_customers,
    a_busy_kitchen_refuses_more_orders,
    only_customers_check_out,
);
