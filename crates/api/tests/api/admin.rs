use crate::helpers::{TestApp, phone};
use serde_json::json;

async fn banned_users_are_locked_out_until_unbanned(app: TestApp) {
    let admin = app.admin().await;
    let p = phone();
    let reg = app
        .post("/api/v1/auth/register", None, json!({"name": "Mallory", "phone": p, "password": "long enough"}))
        .await;
    let body = reg.expect(201).clone();
    let (token, id) = (body["token"].as_str().unwrap(), body["user"]["user_id"].as_str().unwrap());
    let r = app.post(&format!("/api/v1/admin/users/{id}/ban"), Some(&admin), json!({"reason": "refund fraud"})).await;
    assert_eq!(r.expect(200)["is_banned"], true);
    let r = app.get("/api/v1/users/profile", Some(token)).await;
    r.expect(403);
    assert_eq!(r.code(), "USER_BANNED");
    assert!(r.body["message"].as_str().unwrap().contains("refund fraud"), "the user sees why");
    let login = app.post("/api/v1/auth/login", None, json!({"phone": p, "password": "long enough"})).await;
    assert_eq!(login.expect(403)["error_code"], "USER_BANNED");
    let r = app.post(&format!("/api/v1/admin/users/{id}/unban"), Some(&admin), json!({})).await;
    assert_eq!(r.expect(200)["is_banned"], false);
    app.get("/api/v1/users/profile", Some(token)).await.expect(200);
}

async fn only_admins_ban(app: TestApp) {
    let (_, victim) = app.user("CUSTOMER").await;
    let owner = app.owner().await;
    let restaurant = app.restaurant(&owner, json!({})).await;
    let paths = [
        format!("/api/v1/admin/users/{victim}/ban"),
        format!("/api/v1/admin/users/{victim}/unban"),
        format!("/api/v1/admin/restaurants/{restaurant}/ban"),
        format!("/api/v1/admin/restaurants/{restaurant}/unban"),
    ];
    let body = |p: &str| if p.ends_with("/ban") { json!({"reason": "because"}) } else { json!({}) };
    for token in [app.customer().await, owner.clone(), app.rider().await] {
        for p in &paths {
            app.post(p, Some(&token), body(p)).await.expect(403);
        }
    }
    for p in &paths {
        app.post(p, None, body(p)).await.expect(401);
    }
    assert_eq!(app.get(&format!("/api/v1/restaurants/{restaurant}"), None).await.expect(200)["is_banned"], false);
}

async fn ban_input_is_checked(app: TestApp) {
    let admin = app.admin().await;
    let (_, victim) = app.user("CUSTOMER").await;
    app.post(&format!("/api/v1/admin/users/{victim}/ban"), Some(&admin), json!({"reason": ""})).await.expect(400);
    app.post(&format!("/api/v1/admin/users/{victim}/ban"), Some(&admin), json!({})).await.expect(400);
    // Unban takes no input: a body with fields is refused rather than silently ignored.
    let r = app.post(&format!("/api/v1/admin/users/{victim}/unban"), Some(&admin), json!({"reason": "x"})).await;
    r.expect(400);
    app.post("/api/v1/admin/users/not-an-id/ban", Some(&admin), json!({"reason": "x"})).await.expect(400);
    app.post(&format!("/api/v1/admin/users/{}/ban", uuid::Uuid::now_v7()), Some(&admin), json!({"reason": "x"}))
        .await
        .expect(404);
    app.post(&format!("/api/v1/admin/restaurants/{}/ban", uuid::Uuid::now_v7()), Some(&admin), json!({"reason": "x"}))
        .await
        .expect(404);
    // Admins cannot be banned (by mistake or by a rogue admin).
    let other_admin = app.admin().await;
    let me = app.get("/api/v1/users/profile", Some(&other_admin)).await.expect(200).clone();
    let r = app
        .post(
            &format!("/api/v1/admin/users/{}/ban", me["user_id"].as_str().unwrap()),
            Some(&admin),
            json!({"reason": "x"}),
        )
        .await;
    r.expect(409);
}

async fn banned_restaurants_disappear_except_for_their_owner(app: TestApp) {
    let admin = app.admin().await;
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({})).await;
    let list = "/api/v1/restaurants?lat=12.9716&lng=77.5946";
    assert_eq!(app.get(list, None).await.expect(200)["total"], 1);
    let r = app
        .post(
            &format!("/api/v1/admin/restaurants/{id}/ban"),
            Some(&admin),
            json!({"reason": "hygiene inspection failed"}),
        )
        .await;
    assert_eq!(r.expect(200)["is_banned"], true);
    assert_eq!(app.get(list, None).await.expect(200)["total"], 0);
    let customer = app.customer().await;
    app.get(&format!("/api/v1/restaurants/{id}"), Some(&customer)).await.expect(404);
    app.get(&format!("/api/v1/restaurants/{id}/menu"), None).await.expect(404);
    let seen = app.get(&format!("/api/v1/restaurants/{id}"), Some(&owner)).await;
    assert_eq!(seen.expect(200)["ban_reason"], "hygiene inspection failed");
    let mine = app.get("/api/v1/restaurants/mine", Some(&owner)).await;
    assert_eq!(mine.expect(200)[0]["is_banned"], true);
    app.post(&format!("/api/v1/admin/restaurants/{id}/unban"), Some(&admin), json!({})).await.expect(200);
    assert_eq!(app.get(list, None).await.expect(200)["total"], 1);
}

crate::both_backends!(
    banned_users_are_locked_out_until_unbanned,
    only_admins_ban,
    ban_input_is_checked,
    banned_restaurants_disappear_except_for_their_owner,
);
