use crate::helpers::TestApp;
use serde_json::json;

async fn menu_lists_categories_and_items_in_order(app: TestApp) {
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({})).await;
    let mains = app.category(&owner, &id, "Mains").await;
    let drinks = app.category(&owner, &id, "Drinks").await;
    app.item(&owner, &id, &mains, json!({"name": "Dosa"})).await;
    app.item(&owner, &id, &mains, json!({"name": "Idli"})).await;
    app.item(&owner, &id, &drinks, json!({"name": "Filter Coffee", "price": 4000})).await;
    let menu = app.get(&format!("/api/v1/restaurants/{id}/menu"), None).await.expect(200).clone();
    assert_eq!(menu["categories"][0]["name"], "Mains");
    assert_eq!(menu["categories"][0]["items"][0]["name"], "Dosa");
    assert_eq!(menu["categories"][0]["items"][1]["name"], "Idli");
    assert_eq!(menu["categories"][1]["items"][0]["price"], 4000);
    // Reorder: drinks first.
    let r = app
        .put(
            &format!("/api/v1/restaurants/{id}/categories/order"),
            Some(&owner),
            json!({"category_ids": [drinks, mains]}),
        )
        .await;
    r.expect(200);
    let menu = app.get(&format!("/api/v1/restaurants/{id}/menu"), None).await.expect(200).clone();
    assert_eq!(menu["categories"][0]["name"], "Drinks");
}

async fn customizations_are_validated_and_stored(app: TestApp) {
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({})).await;
    let cat = app.category(&owner, &id, "Pizzas").await;
    let groups = json!([
        {"name": "Size", "required": true, "options": [{"label": "Small", "price": 0}, {"label": "Large", "price": 10000}]},
        {"name": "Add-ons", "required": false, "max_selections": 3,
         "options": [{"label": "Cheese", "price": 3000}, {"label": "Olives", "price": 2000}, {"label": "Corn", "price": 2000}]}
    ]);
    let item =
        app.item(&owner, &id, &cat, json!({"name": "Margherita", "price": 29900, "customizations": groups})).await;
    let size = &item["customizations"][0];
    assert_eq!((size["min_selections"].as_i64(), size["max_selections"].as_i64()), (Some(1), Some(1)));
    assert!(size["group_id"].is_string() && size["options"][1]["option_id"].is_string());
    let bad = [
        json!([{"name": "Size", "required": true, "min_selections": 0, "options": [{"label": "S", "price": 0}]}]),
        json!([{"name": "Size", "required": false, "max_selections": 4, "options": [{"label": "S", "price": 0}]}]),
        json!([{"name": "Size", "required": true, "options": []}]),
        json!([{"name": "Size", "required": true, "options": [{"label": "S", "price": -1}]}]),
        json!([{"name": "Size", "required": true, "options": [{"label": "S", "price": 0}, {"label": "s", "price": 0}]}]),
    ];
    for groups in bad {
        let r = app
            .post(
                &format!("/api/v1/restaurants/{id}/items"),
                Some(&owner),
                json!({"category_id": cat, "name": "Bad", "price": 100, "is_veg": true, "customizations": groups}),
            )
            .await;
        r.refused();
    }
    let menu = app.get(&format!("/api/v1/restaurants/{id}/menu"), None).await.expect(200).clone();
    assert_eq!(menu["categories"][0]["items"].as_array().unwrap().len(), 1, "refused items were not written");
    // Ids sent back keep the options carts refer to; the same id twice is refused.
    let path = format!("/api/v1/restaurants/{id}/items/{}", item["item_id"].as_str().unwrap());
    let g = size["group_id"].clone();
    let o = size["options"][0]["option_id"].clone();
    let keep = json!([{"group_id": g, "name": "Size", "required": true,
                       "options": [{"option_id": o, "label": "Small", "price": 500}]}]);
    let r = app.patch(&path, Some(&owner), json!({"customizations": keep})).await;
    assert_eq!(r.expect(200)["customizations"][0]["options"][0]["option_id"], o);
    let twice = json!([{"group_id": g, "name": "Size", "required": true,
                        "options": [{"option_id": o, "label": "Small", "price": 0}, {"option_id": o, "label": "Big", "price": 0}]}]);
    app.patch(&path, Some(&owner), json!({"customizations": twice})).await.expect(422);
}

async fn items_are_edited_marked_unavailable_and_deleted(app: TestApp) {
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({})).await;
    let cat = app.category(&owner, &id, "Mains").await;
    let item = app.item(&owner, &id, &cat, json!({"stock": 5, "image": "https://img.example.com/dosa.jpg"})).await;
    let path = format!("/api/v1/restaurants/{id}/items/{}", item["item_id"].as_str().unwrap());
    let r = app
        .patch(&path, Some(&owner), json!({"is_available": false, "price": 13000, "stock": null, "image": null}))
        .await;
    let edited = r.expect(200);
    assert_eq!(edited["is_available"], false);
    assert_eq!(edited["price"], 13000);
    assert!(edited["stock"].is_null() && edited["image"].is_null());
    assert_eq!(edited["name"], "Masala Dosa");
    let menu = app.get(&format!("/api/v1/restaurants/{id}/menu"), None).await.expect(200).clone();
    assert_eq!(menu["categories"][0]["items"][0]["is_available"], false, "shown as sold out");
    for bad in [
        json!({"price": -1}),
        json!({"stock": -3}),
        json!({"image": "ftp://x"}),
        json!({"name": ""}),
        json!({"colour": "red"}),
    ] {
        app.patch(&path, Some(&owner), bad).await.expect(400);
    }
    app.delete(&path, Some(&owner)).await.expect(204);
    app.delete(&path, Some(&owner)).await.expect(404);
}

async fn items_must_fit_their_restaurant(app: TestApp) {
    let owner = app.owner().await;
    let veg = app.restaurant(&owner, json!({"is_veg": true})).await;
    let other = app.restaurant(&owner, json!({})).await;
    let veg_cat = app.category(&owner, &veg, "Mains").await;
    let other_cat = app.category(&owner, &other, "Mains").await;
    let r = app
        .post(
            &format!("/api/v1/restaurants/{veg}/items"),
            Some(&owner),
            json!({"category_id": veg_cat, "name": "Chicken", "price": 100, "is_veg": false}),
        )
        .await;
    r.expect(422);
    assert!(r.body["message"].as_str().unwrap().contains("vegetarian"));
    let r = app
        .post(
            &format!("/api/v1/restaurants/{veg}/items"),
            Some(&owner),
            json!({"category_id": other_cat, "name": "Dosa", "price": 100, "is_veg": true}),
        )
        .await;
    r.expect(422);
    assert!(r.body["message"].as_str().unwrap().contains("category_id"));
}

async fn categories_are_managed_and_checked(app: TestApp) {
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({})).await;
    let a = app.category(&owner, &id, "Starters").await;
    let b = app.category(&owner, &id, "Mains").await;
    let base = format!("/api/v1/restaurants/{id}/categories");
    app.post(&base, Some(&owner), json!({"name": "starters"})).await.expect(409);
    app.post(&base, Some(&owner), json!({"name": ""})).await.expect(400);
    let r = app.patch(&format!("{base}/{a}"), Some(&owner), json!({"name": "Small plates"})).await;
    assert_eq!(r.expect(200)["name"], "Small plates");
    app.put(&format!("{base}/order"), Some(&owner), json!({"category_ids": [a]})).await.expect(422);
    app.put(&format!("{base}/order"), Some(&owner), json!({"category_ids": [a, a]})).await.expect(422);
    app.item(&owner, &id, &b, json!({})).await;
    let r = app.delete(&format!("{base}/{b}"), Some(&owner)).await;
    r.expect(409);
    app.delete(&format!("{base}/{a}"), Some(&owner)).await.expect(204);
    app.delete(&format!("{base}/{}", uuid::Uuid::now_v7()), Some(&owner)).await.expect(404);
}

async fn only_the_owner_changes_the_menu(app: TestApp) {
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({})).await;
    let cat = app.category(&owner, &id, "Mains").await;
    let item = app.item(&owner, &id, &cat, json!({})).await;
    let item_path = format!("/api/v1/restaurants/{id}/items/{}", item["item_id"].as_str().unwrap());
    let cats = format!("/api/v1/restaurants/{id}/categories");
    for token in [Some(app.owner().await), Some(app.customer().await), Some(app.rider().await), None] {
        let t = token.as_deref();
        let expected = if t.is_some() { 403 } else { 401 };
        app.post(&cats, t, json!({"name": "Mine now"})).await.expect(expected);
        app.patch(&format!("{cats}/{cat}"), t, json!({"name": "X"})).await.expect(expected);
        app.delete(&format!("{cats}/{cat}"), t).await.expect(expected);
        app.put(&format!("{cats}/order"), t, json!({"category_ids": [cat]})).await.expect(expected);
        app.post(
            &format!("/api/v1/restaurants/{id}/items"),
            t,
            json!({"category_id": cat, "name": "X", "price": 1, "is_veg": true}),
        )
        .await
        .expect(expected);
        app.patch(&item_path, t, json!({"price": 1})).await.expect(expected);
        app.delete(&item_path, t).await.expect(expected);
    }
    let menu = app.get(&format!("/api/v1/restaurants/{id}/menu"), None).await.expect(200).clone();
    assert_eq!(menu["categories"].as_array().unwrap().len(), 1);
    assert_eq!(menu["categories"][0]["items"][0]["price"], 12000, "untouched");
}

crate::both_backends!(
    menu_lists_categories_and_items_in_order,
    customizations_are_validated_and_stored,
    items_are_edited_marked_unavailable_and_deleted,
    items_must_fit_their_restaurant,
    categories_are_managed_and_checked,
    only_the_owner_changes_the_menu,
);
