use crate::helpers::TestApp;
use serde_json::json;

async fn lines_merge_and_the_bill_adds_up(app: TestApp) {
    let s = app.shop().await;
    app.add(&s.customer, &s.restaurant, &s.dosa, 2).await.expect(200);
    let cart = app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200).clone();
    assert_eq!(cart["lines"].as_array().unwrap().len(), 1, "the same dish merges into one line");
    assert_eq!(cart["lines"][0]["quantity"], 3);
    let b = &cart["bill"];
    // 3 × ₹200 = ₹600; 1 km: ₹20 delivery; ₹15 packaging; 5% of ₹615 = ₹30.75.
    assert_eq!(b["subtotal"], 60000);
    assert_eq!(b["delivery_fee"], 2000);
    assert_eq!(b["packaging_fee"], 1500);
    assert_eq!(b["taxes"], 3075);
    assert_eq!(b["total"], 60000 + 2000 + 1500 + 3075);
    assert_eq!(cart["address_id"], s.address.as_str(), "priced for the default address");
}

async fn customizations_are_checked_and_priced(app: TestApp) {
    let s = app.shop().await;
    let pizza = s.pizza["item_id"].as_str().unwrap();
    let group = s.pizza["customizations"][0]["group_id"].as_str().unwrap();
    let large = s.pizza["customizations"][0]["options"][1]["option_id"].as_str().unwrap();
    let small = s.pizza["customizations"][0]["options"][0]["option_id"].as_str().unwrap();
    let body = |sel: serde_json::Value| json!({"restaurant_id": s.restaurant, "item_id": pizza, "quantity": 1, "customizations": sel});
    // Required group missing, two options where one is allowed, an option from nowhere.
    for bad in [
        json!([]),
        json!([{"group_id": group, "option_ids": [small, large]}]),
        json!([{"group_id": group, "option_ids": [s.dosa]}]),
    ] {
        let r = app.post("/api/v1/cart/items", Some(&s.customer), body(bad)).await;
        r.refused();
    }
    let cart = app
        .post("/api/v1/cart/items", Some(&s.customer), body(json!([{"group_id": group, "option_ids": [large]}])))
        .await;
    let line = &cart.expect(200)["lines"][0];
    assert_eq!(line["unit_price"], 40000);
    assert_eq!(line["customizations"][0]["label"], "Large");
    let cart = app
        .post("/api/v1/cart/items", Some(&s.customer), body(json!([{"group_id": group, "option_ids": [small]}])))
        .await;
    assert_eq!(cart.expect(200)["lines"].as_array().unwrap().len(), 2, "another choice is another line");
}

async fn one_restaurant_per_cart_unless_replaced(app: TestApp) {
    let s = app.shop().await;
    let other = app.restaurant(&s.owner, json!({"name": "Other"})).await;
    let cat = app.category(&s.owner, &other, "Mains").await;
    let idli = app.item(&s.owner, &other, &cat, json!({"name": "Idli"})).await;
    let idli = idli["item_id"].as_str().unwrap();
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let r = app.add(&s.customer, &other, idli, 1).await;
    r.expect(409);
    assert_eq!(r.code(), "CART_RESTAURANT_CONFLICT");
    let r = app
        .post(
            "/api/v1/cart/items",
            Some(&s.customer),
            json!({"restaurant_id": other, "item_id": idli, "quantity": 1, "replace_cart": true}),
        )
        .await;
    let cart = r.expect(200);
    assert_eq!(cart["restaurant_id"], other.as_str());
    assert_eq!(cart["lines"].as_array().unwrap().len(), 1);
}

async fn unavailable_dishes_cannot_be_added(app: TestApp) {
    let s = app.shop().await;
    app.patch(
        &format!("/api/v1/restaurants/{}/items/{}", s.restaurant, s.dosa),
        Some(&s.owner),
        json!({"is_available": false}),
    )
    .await
    .expect(200);
    let r = app.add(&s.customer, &s.restaurant, &s.dosa, 1).await;
    r.expect(409);
    assert_eq!(r.code(), "ITEM_UNAVAILABLE");
    assert!(r.body["message"].as_str().unwrap().contains("Dosa"));
}

async fn lines_are_edited_removed_and_cleared(app: TestApp) {
    let s = app.shop().await;
    let cart = app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200).clone();
    let line = cart["lines"][0]["cart_item_id"].as_str().unwrap().to_owned();
    let r = app.put(&format!("/api/v1/cart/items/{line}"), Some(&s.customer), json!({"quantity": 4})).await;
    assert_eq!(r.expect(200)["bill"]["subtotal"], 80000);
    for q in [0, -1, 51] {
        app.put(&format!("/api/v1/cart/items/{line}"), Some(&s.customer), json!({"quantity": q})).await.expect(400);
    }
    // Another customer cannot touch this line.
    let other = app.customer().await;
    app.put(&format!("/api/v1/cart/items/{line}"), Some(&other), json!({"quantity": 1})).await.expect(404);
    app.delete(&format!("/api/v1/cart/items/{line}"), Some(&other)).await.expect(404);
    app.delete(&format!("/api/v1/cart/items/{line}"), Some(&s.customer)).await.expect(200);
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let cleared = app.delete("/api/v1/cart/clear", Some(&s.customer)).await;
    assert_eq!(cleared.expect(200)["lines"].as_array().unwrap().len(), 0);
    assert_eq!(cleared.body["bill"]["total"], 0);
}

async fn carts_are_for_customers(app: TestApp) {
    let s = app.shop().await;
    app.get("/api/v1/cart", None).await.expect(401);
    app.delete("/api/v1/cart/clear", None).await.expect(401);
    app.delete("/api/v1/cart/offer", Some(&s.owner)).await.expect(403);
    app.delete("/api/v1/cart/clear", Some(&s.owner)).await.expect(403);
    for t in [s.owner.clone(), app.rider().await, app.admin().await] {
        app.get("/api/v1/cart", Some(&t)).await.expect(403);
        app.add(&t, &s.restaurant, &s.dosa, 1).await.expect(403);
    }
    let r = app
        .post(
            "/api/v1/cart/items",
            Some(&s.customer),
            json!({"restaurant_id": s.restaurant, "item_id": s.dosa, "quantity": 1, "qty": 2}),
        )
        .await;
    r.expect(400);
    app.add(&s.customer, &s.restaurant, &uuid::Uuid::now_v7().to_string(), 1).await.expect(404);
    app.add(&s.customer, &uuid::Uuid::now_v7().to_string(), &s.dosa, 1).await.expect(404);
}

crate::both_backends!(
    lines_merge_and_the_bill_adds_up,
    customizations_are_checked_and_priced,
    one_restaurant_per_cart_unless_replaced,
    unavailable_dishes_cannot_be_added,
    lines_are_edited_removed_and_cleared,
    carts_are_for_customers,
);
