use crate::helpers::{Shop, TestApp};
use serde_json::json;

async fn delivered(app: &TestApp, s: &Shop) -> String {
    let id = app.order(s).await;
    let admin = app.admin().await;
    for st in ["PREPARING", "READY", "PICKED_UP", "OUT_FOR_DELIVERY", "DELIVERED"] {
        app.patch(&format!("/api/v1/admin/orders/{id}/status"), Some(&admin), json!({"status": st})).await.expect(200);
    }
    id
}

async fn rating_completes_the_order_and_moves_the_average(app: TestApp) {
    let s = app.shop().await;
    let id = delivered(&app, &s).await;
    let r = app
        .post(
            "/api/v1/ratings",
            Some(&s.customer),
            json!({"order_id": id, "restaurant_rating": 4, "delivery_rating": 5,
            "review_text": "crisp dosa", "dish_ratings": [{"item_id": s.dosa, "rating": 5}]}),
        )
        .await;
    r.expect(201);
    assert_eq!(app.get(&format!("/api/v1/orders/{id}"), Some(&s.customer)).await.expect(200)["status"], "COMPLETED");
    let rest = app.get(&format!("/api/v1/restaurants/{}", s.restaurant), None).await.expect(200).clone();
    assert_eq!((rest["rating_avg"].as_f64().unwrap(), rest["rating_count"].as_i64().unwrap()), (4.0, 1));
    let second = delivered(&app, &s).await;
    app.post(
        "/api/v1/ratings",
        Some(&s.customer),
        json!({"order_id": second, "restaurant_rating": 1, "delivery_rating": 3}),
    )
    .await
    .expect(201);
    let rest = app.get(&format!("/api/v1/restaurants/{}", s.restaurant), None).await.expect(200).clone();
    assert_eq!((rest["rating_avg"].as_f64().unwrap(), rest["rating_count"].as_i64().unwrap()), (2.5, 2));
    let reviews = app.get(&format!("/api/v1/restaurants/{}/reviews", s.restaurant), None).await.expect(200).clone();
    assert_eq!(reviews[0]["order_id"], second.as_str(), "newest first");
    let same = app.get(&format!("/api/v1/ratings/restaurant/{}?limit=1", s.restaurant), None).await.expect(200).clone();
    assert_eq!(same.as_array().unwrap().len(), 1);
    app.drain().await;
    let listed = app.get("/api/v1/restaurants?lat=12.9716&lng=77.5946", None).await.expect(200).clone();
    assert_eq!(listed["restaurants"][0]["rating_avg"], 2.5, "listings see the new average");
}

async fn ratings_are_checked(app: TestApp) {
    let s = app.shop().await;
    let open = app.order(&s).await;
    let r = app
        .post(
            "/api/v1/ratings",
            Some(&s.customer),
            json!({"order_id": open, "restaurant_rating": 4, "delivery_rating": 4}),
        )
        .await;
    r.expect(409);
    assert_eq!(r.code(), "NOT_DELIVERED");
    let id = delivered(&app, &s).await;
    for bad in [
        json!({"order_id": id, "restaurant_rating": 0, "delivery_rating": 4}),
        json!({"order_id": id, "restaurant_rating": 6, "delivery_rating": 4}),
        json!({"order_id": id, "restaurant_rating": 4, "delivery_rating": 4, "food_quality": 9}),
        json!({"order_id": id, "restaurant_rating": 4, "delivery_rating": 4, "dish_ratings": [{"item_id": uuid::Uuid::now_v7(), "rating": 4}]}),
        json!({"order_id": id, "restaurant_rating": 4, "delivery_rating": 4, "stars": 4}),
    ] {
        app.post("/api/v1/ratings", Some(&s.customer), bad).await.refused();
    }
    let stranger = app.customer().await;
    app.post("/api/v1/ratings", Some(&stranger), json!({"order_id": id, "restaurant_rating": 1, "delivery_rating": 1}))
        .await
        .expect(404);
    app.post("/api/v1/ratings", Some(&s.owner), json!({"order_id": id, "restaurant_rating": 5, "delivery_rating": 5}))
        .await
        .expect(403);
    app.post("/api/v1/ratings", None, json!({"order_id": id, "restaurant_rating": 5, "delivery_rating": 5}))
        .await
        .expect(401);
    app.post(
        "/api/v1/ratings",
        Some(&s.customer),
        json!({"order_id": id, "restaurant_rating": 5, "delivery_rating": 5}),
    )
    .await
    .expect(201);
    let again = app
        .post(
            "/api/v1/ratings",
            Some(&s.customer),
            json!({"order_id": id, "restaurant_rating": 5, "delivery_rating": 5}),
        )
        .await;
    assert_eq!(again.expect(409)["error_code"], "ALREADY_RATED");
    app.get(&format!("/api/v1/restaurants/{}/reviews?limit=99", s.restaurant), None).await.expect(400);
}

crate::both_backends!(rating_completes_the_order_and_moves_the_average, ratings_are_checked);
