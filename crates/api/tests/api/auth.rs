use crate::helpers::{TestApp, phone};
use serde_json::json;

async fn register_returns_user_and_working_token(app: TestApp) {
    let p = phone();
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": " Asha ", "phone": p, "email": "Asha@Example.com", "password": "long enough"}),
        )
        .await;
    let body = r.expect(201);
    assert_eq!(body["user"]["name"], "Asha");
    assert_eq!(body["user"]["role"], "CUSTOMER");
    assert_eq!(body["user"]["email"], "asha@example.com");
    assert!(body["user"].get("password_hash").is_none() && !body.to_string().contains("argon2"));
    let token = body["token"].as_str().unwrap();
    let me = app.get("/api/v1/users/profile", Some(token)).await;
    assert_eq!(me.expect(200)["phone"], p);
}

async fn register_rejects_bad_input_and_writes_nothing(app: TestApp) {
    let p = phone();
    let cases = [
        (json!({"name": "A", "phone": p, "password": "short"}), "password"),
        (json!({"name": "A", "phone": "12", "password": "long enough"}), "phone"),
        (json!({"name": "", "phone": p, "password": "long enough"}), "name"),
        (json!({"name": "A", "phone": p, "password": "long enough", "email": "nope"}), "email"),
        (json!({"name": "A", "phone": p, "password": "long enough", "role": "ADMIN"}), "role"),
        (json!({"name": "A", "phone": p, "password": "long enough", "rol": "CUSTOMER"}), "rol"),
        (json!({"name": "A", "phone": p, "password": "long enough", "role": "KING"}), "role"),
    ];
    for (body, field) in cases {
        let r = app.post("/api/v1/auth/register", None, body.clone()).await;
        r.expect(400);
        assert_eq!(r.code(), "VALIDATION_ERROR");
        assert!(r.body["message"].as_str().unwrap().contains(field), "{field}: {}", r.body);
    }
    // Several problems are reported together.
    let r = app.post("/api/v1/auth/register", None, json!({"name": "", "phone": "1", "password": "x"})).await;
    assert_eq!(r.expect(400)["details"].as_array().unwrap().len(), 3);
    // None of the refused attempts created the account.
    let ok = app.post("/api/v1/auth/register", None, json!({"name": "A", "phone": p, "password": "long enough"})).await;
    ok.expect(201);
}

async fn malformed_bodies_get_the_error_body(app: TestApp) {
    let url = format!("{}/api/v1/auth/register", app.base);
    let r = app.client.post(&url).header("content-type", "application/json").body("{\"name\":").send().await.unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], "INVALID_JSON");
    let r = app.client.post(&url).body("{}").send().await.unwrap();
    assert_eq!(r.status(), 415);
    let big = format!("{{\"name\":\"{}\"}}", "x".repeat(100_000));
    let r = app.client.post(&url).header("content-type", "application/json").body(big).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], "PAYLOAD_TOO_LARGE");
}

async fn duplicate_phone_or_email_is_409(app: TestApp) {
    let p = phone();
    let first = json!({"name": "A", "phone": p, "email": "dup@example.com", "password": "long enough"});
    app.post("/api/v1/auth/register", None, first).await.expect(201);
    let r = app.post("/api/v1/auth/register", None, json!({"name": "B", "phone": p, "password": "long enough"})).await;
    r.expect(409);
    assert!(r.body["message"].as_str().unwrap().contains("phone"));
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "B", "phone": phone(), "email": "DUP@example.com", "password": "long enough"}),
        )
        .await;
    r.expect(409);
    assert!(r.body["message"].as_str().unwrap().contains("email"));
}

async fn login_by_phone_or_email_and_same_401_for_wrong_or_unknown(app: TestApp) {
    let p = phone();
    app.post(
        "/api/v1/auth/register",
        None,
        json!({"name": "A", "phone": p, "email": "a@example.com", "password": "long enough"}),
    )
    .await
    .expect(201);
    let by_phone = app.post("/api/v1/auth/login", None, json!({"phone": p, "password": "long enough"})).await;
    assert!(by_phone.expect(200)["token"].is_string());
    let by_email =
        app.post("/api/v1/auth/login", None, json!({"email": "A@example.com", "password": "long enough"})).await;
    assert_eq!(by_email.expect(200)["user"]["phone"], p);
    let wrong = app.post("/api/v1/auth/login", None, json!({"phone": p, "password": "not the one"})).await;
    let unknown = app.post("/api/v1/auth/login", None, json!({"phone": phone(), "password": "long enough"})).await;
    wrong.expect(401);
    unknown.expect(401);
    assert_eq!(wrong.body, unknown.body, "an unknown account and a wrong password look the same");
    let both =
        app.post("/api/v1/auth/login", None, json!({"phone": p, "email": "a@example.com", "password": "x"})).await;
    both.expect(400);
    let neither = app.post("/api/v1/auth/login", None, json!({"password": "x"})).await;
    neither.expect(400);
}

async fn logout_revokes_only_that_token(app: TestApp) {
    let p = phone();
    let reg =
        app.post("/api/v1/auth/register", None, json!({"name": "A", "phone": p, "password": "long enough"})).await;
    let first = reg.expect(201)["token"].as_str().unwrap().to_owned();
    let second = app.post("/api/v1/auth/login", None, json!({"phone": p, "password": "long enough"})).await;
    let second = second.expect(200)["token"].as_str().unwrap().to_owned();
    app.post("/api/v1/auth/logout", Some(&first), json!({})).await.expect(204);
    let r = app.get("/api/v1/users/profile", Some(&first)).await;
    r.expect(401);
    app.get("/api/v1/users/profile", Some(&second)).await.expect(200);
    app.post("/api/v1/auth/logout", None, json!({})).await.expect(401);
    app.post("/api/v1/auth/logout", Some(&second), json!({"everywhere": true})).await.expect(400);
    app.get("/api/v1/users/profile", Some(&second)).await.expect(200);
}

async fn forged_and_garbled_tokens_are_401(app: TestApp) {
    let token = app.customer().await;
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    for t in [forged.as_str(), "nonsense", "a.b.c"] {
        app.get("/api/v1/users/profile", Some(t)).await.expect(401);
    }
    let r = app
        .client
        .get(format!("{}/api/v1/users/profile", app.base))
        .header("authorization", token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "a token without the Bearer scheme");
}

crate::both_backends!(
    register_returns_user_and_working_token,
    register_rejects_bad_input_and_writes_nothing,
    malformed_bodies_get_the_error_body,
    duplicate_phone_or_email_is_409,
    login_by_phone_or_email_and_same_401_for_wrong_or_unknown,
    logout_revokes_only_that_token,
    forged_and_garbled_tokens_are_401,
);
