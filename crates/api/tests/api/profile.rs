use crate::helpers::{TestApp, phone};
use serde_json::json;

async fn profile_needs_a_session(app: TestApp) {
    app.get("/api/v1/users/profile", None).await.expect(401);
    app.put("/api/v1/users/profile", None, json!({"name": "X"})).await.expect(401);
}

async fn profile_update_changes_only_what_is_sent(app: TestApp) {
    let (token, _) = app.user("CUSTOMER").await;
    let r =
        app.put("/api/v1/users/profile", Some(&token), json!({"name": "New Name", "email": "me@example.com"})).await;
    let before = r.expect(200).clone();
    assert_eq!(before["name"], "New Name");
    assert_eq!(before["email"], "me@example.com");
    let r = app.put("/api/v1/users/profile", Some(&token), json!({"email": null})).await;
    assert!(r.expect(200)["email"].is_null(), "null removes the email");
    assert_eq!(r.body["name"], "New Name", "absent fields stay");
}

async fn profile_update_rejects_bad_and_taken_values(app: TestApp) {
    let (token, _) = app.user("CUSTOMER").await;
    let taken = phone();
    app.post("/api/v1/auth/register", None, json!({"name": "Other", "phone": taken, "password": "long enough"}))
        .await
        .expect(201);
    for body in
        [json!({"email": "not-an-email"}), json!({"name": ""}), json!({"phone": "abc"}), json!({"role": "ADMIN"})]
    {
        app.put("/api/v1/users/profile", Some(&token), body).await.expect(400);
    }
    app.put("/api/v1/users/profile", Some(&token), json!({"phone": taken})).await.expect(409);
    let me = app.get("/api/v1/users/profile", Some(&token)).await;
    assert_eq!(me.expect(200)["name"], "Test User", "nothing was changed by refused updates");
    assert_eq!(me.body["role"], "CUSTOMER");
}

crate::both_backends!(
    profile_needs_a_session,
    profile_update_changes_only_what_is_sent,
    profile_update_rejects_bad_and_taken_values
);
