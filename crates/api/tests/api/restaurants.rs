use crate::helpers::{TestApp, merge, restaurant_body};
use serde_json::json;

async fn owner_creates_and_everyone_reads(app: TestApp) {
    let owner = app.owner().await;
    let r = app.post("/api/v1/restaurants", Some(&owner), restaurant_body()).await;
    let created = r.expect(201).clone();
    assert_eq!(created["name"], "Test Kitchen");
    assert_eq!(created["is_open"], true, "open all day, every day");
    assert_eq!(created["operating_hours"]["monday"]["open"], "00:00");
    let id = created["restaurant_id"].as_str().unwrap();
    let public = app.get(&format!("/api/v1/restaurants/{id}"), None).await;
    assert_eq!(public.expect(200)["cost_for_two"], 40000);
    let mine = app.get("/api/v1/restaurants/mine", Some(&owner)).await;
    assert_eq!(mine.expect(200).as_array().unwrap().len(), 1);
}

async fn only_restaurant_accounts_create(app: TestApp) {
    for token in [app.customer().await, app.rider().await] {
        let r = app.post("/api/v1/restaurants", Some(&token), restaurant_body()).await;
        r.expect(403);
        assert_eq!(r.code(), "FORBIDDEN");
    }
    app.post("/api/v1/restaurants", None, restaurant_body()).await.expect(401);
    app.get("/api/v1/restaurants/mine", Some(&app.customer().await)).await.expect(403);
    app.get("/api/v1/restaurants/mine", None).await.expect(401);
}

async fn bad_restaurants_are_refused_and_nothing_is_written(app: TestApp) {
    let owner = app.owner().await;
    let bad = [
        json!({"cost_for_two": -1}),
        json!({"min_order_value": -500}),
        json!({"latitude": 95.0}),
        json!({"longitude": 181.0}),
        json!({"delivery_radius_km": 80.0}),
        json!({"avg_preparation_minutes": 0}),
        json!({"cuisines": []}),
        json!({"timezone": "Mars/Olympus"}),
        json!({"operating_hours": {"monday": {"open": "25:00", "close": "23:00"}}}),
        json!({"operating_hours": {"funday": {"open": "10:00", "close": "23:00"}}}),
        json!({"address": {"line1": "", "city": "Bengaluru"}}),
        json!({"phone": "call me"}),
        json!({"name": "x", "stars": 5}),
    ];
    for change in bad {
        let mut body = restaurant_body();
        merge(&mut body, change.clone());
        let r = app.post("/api/v1/restaurants", Some(&owner), body).await;
        r.expect(400);
        assert_eq!(r.code(), "VALIDATION_ERROR", "{change}");
    }
    let mine = app.get("/api/v1/restaurants/mine", Some(&owner)).await;
    assert_eq!(mine.expect(200).as_array().unwrap().len(), 0, "no refused restaurant was written");
}

async fn owner_edits_with_put_and_patch(app: TestApp) {
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({})).await;
    let path = format!("/api/v1/restaurants/{id}");
    let mut full = restaurant_body();
    merge(&mut full, json!({"name": "Renamed", "cuisines": ["Chinese", "chinese", "Thai"]}));
    let r = app.put(&path, Some(&owner), full).await;
    assert_eq!(r.expect(200)["name"], "Renamed");
    assert_eq!(r.body["cuisines"], json!(["Chinese", "Thai"]), "duplicates dropped");
    let r = app.patch(&path, Some(&owner), json!({"is_paused": true, "description": null})).await;
    let body = r.expect(200);
    assert_eq!(body["is_paused"], true);
    assert_eq!(body["is_open"], false, "a paused restaurant is closed");
    assert!(body["description"].is_null());
    assert_eq!(body["name"], "Renamed", "absent fields stay");
    // A bad patch changes nothing, not even its valid fields.
    let r = app.patch(&path, Some(&owner), json!({"name": "Half", "cost_for_two": -5})).await;
    r.expect(400);
    assert_eq!(app.get(&path, None).await.expect(200)["name"], "Renamed");
}

async fn only_the_owner_edits(app: TestApp) {
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({})).await;
    let path = format!("/api/v1/restaurants/{id}");
    for token in [app.owner().await, app.customer().await, app.rider().await] {
        let r = app.patch(&path, Some(&token), json!({"name": "Hijacked"})).await;
        r.expect(403);
        app.put(&path, Some(&token), restaurant_body()).await.expect(403);
    }
    app.patch(&path, None, json!({"name": "Hijacked"})).await.expect(401);
    assert_eq!(app.get(&path, None).await.expect(200)["name"], "Test Kitchen");
    // Admins may correct any restaurant.
    let admin = app.admin().await;
    app.patch(&path, Some(&admin), json!({"name": "Fixed by support"})).await.expect(200);
}

async fn ids_are_checked(app: TestApp) {
    let owner = app.owner().await;
    let r = app.get("/api/v1/restaurants/12345", None).await;
    r.expect(400);
    app.get(&format!("/api/v1/restaurants/{}", uuid::Uuid::now_v7()), None).await.expect(404);
    app.get("/api/v1/restaurants/12345/menu", None).await.expect(400);
    app.get(&format!("/api/v1/restaurants/{}/menu", uuid::Uuid::now_v7()), None).await.expect(404);
    let id = app.restaurant(&owner, json!({})).await;
    app.patch(&format!("/api/v1/restaurants/{id}/items/nope"), Some(&owner), json!({})).await.expect(400);
    app.patch(&format!("/api/v1/restaurants/{id}/items/{}", uuid::Uuid::now_v7()), Some(&owner), json!({}))
        .await
        .expect(404);
    app.patch(&format!("/api/v1/restaurants/{}", uuid::Uuid::now_v7()), Some(&owner), json!({})).await.expect(404);
}

async fn going_vegetarian_needs_a_vegetarian_menu(app: TestApp) {
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({})).await;
    let cat = app.category(&owner, &id, "Mains").await;
    app.item(&owner, &id, &cat, json!({"name": "Chicken 65", "is_veg": false})).await;
    let r = app.patch(&format!("/api/v1/restaurants/{id}"), Some(&owner), json!({"is_veg": true})).await;
    r.expect(409);
    assert_eq!(r.code(), "MENU_NOT_VEG");
}

crate::both_backends!(
    owner_creates_and_everyone_reads,
    only_restaurant_accounts_create,
    bad_restaurants_are_refused_and_nothing_is_written,
    owner_edits_with_put_and_patch,
    only_the_owner_edits,
    ids_are_checked,
    going_vegetarian_needs_a_vegetarian_menu,
);
