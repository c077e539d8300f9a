use crate::helpers::TestApp;
use serde_json::{Value, json};

fn address(line: &str) -> Value {
    json!({"address_type": "HOME", "address_line1": line, "city": "Bengaluru", "latitude": 12.93, "longitude": 77.62})
}

async fn first_address_is_default_and_default_moves(app: TestApp) {
    let t = app.customer().await;
    let a = app.post("/api/v1/users/addresses", Some(&t), address("A")).await.expect(201).clone();
    assert_eq!(a["is_default"], true, "the first address is the default");
    let b = app.post("/api/v1/users/addresses", Some(&t), address("B")).await.expect(201).clone();
    assert_eq!(b["is_default"], false);
    let mut c = address("C");
    c["is_default"] = json!(true);
    let c = app.post("/api/v1/users/addresses", Some(&t), c).await.expect(201).clone();
    let list = app.get("/api/v1/users/addresses", Some(&t)).await.expect(200).clone();
    let defaults: Vec<_> = list.as_array().unwrap().iter().filter(|x| x["is_default"] == true).collect();
    assert_eq!(defaults.len(), 1, "exactly one default");
    assert_eq!(defaults[0]["address_id"], c["address_id"]);
    assert_eq!(list[0]["address_id"], c["address_id"], "default first");
    // Deleting the default hands it to the newest remaining address.
    app.delete(&format!("/api/v1/users/addresses/{}", c["address_id"].as_str().unwrap()), Some(&t)).await.expect(204);
    let list = app.get("/api/v1/users/addresses", Some(&t)).await.expect(200).clone();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["address_id"], b["address_id"]);
    assert_eq!(list[0]["is_default"], true);
    let _ = a;
}

async fn update_replaces_fields_and_keeps_a_default(app: TestApp) {
    let t = app.customer().await;
    let a = app.post("/api/v1/users/addresses", Some(&t), address("Old")).await.expect(201).clone();
    let id = a["address_id"].as_str().unwrap();
    let mut body = address("New line");
    body["address_type"] = json!("WORK");
    body["is_default"] = json!(false);
    let r = app.put(&format!("/api/v1/users/addresses/{id}"), Some(&t), body).await;
    let u = r.expect(200);
    assert_eq!(u["address_line1"], "New line");
    assert_eq!(u["address_type"], "WORK");
    assert_eq!(u["is_default"], true, "the only address stays the default");
}

async fn addresses_reject_bad_input(app: TestApp) {
    let t = app.customer().await;
    let mut bad_lat = address("A");
    bad_lat["latitude"] = json!(91.0);
    let mut bad_type = address("A");
    bad_type["address_type"] = json!("CASTLE");
    let mut no_line = address("");
    no_line["pincode"] = json!("56@001");
    let mut extra = address("A");
    extra["floor"] = json!(3);
    for body in [bad_lat, bad_type, no_line, extra] {
        app.post("/api/v1/users/addresses", Some(&t), body).await.expect(400);
    }
    assert_eq!(app.get("/api/v1/users/addresses", Some(&t)).await.expect(200).as_array().unwrap().len(), 0);
    app.put("/api/v1/users/addresses/not-a-uuid", Some(&t), address("A")).await.expect(400);
}

async fn addresses_are_private(app: TestApp) {
    let owner = app.customer().await;
    let other = app.customer().await;
    let a = app.post("/api/v1/users/addresses", Some(&owner), address("Mine")).await.expect(201).clone();
    let path = format!("/api/v1/users/addresses/{}", a["address_id"].as_str().unwrap());
    app.put(&path, Some(&other), address("Stolen")).await.expect(404);
    app.delete(&path, Some(&other)).await.expect(404);
    assert_eq!(app.get("/api/v1/users/addresses", Some(&other)).await.expect(200).as_array().unwrap().len(), 0);
    app.get("/api/v1/users/addresses", None).await.expect(401);
    app.post("/api/v1/users/addresses", None, address("x")).await.expect(401);
    app.delete(&path, None).await.expect(401);
    let mine = app.get("/api/v1/users/addresses", Some(&owner)).await.expect(200).clone();
    assert_eq!(mine[0]["address_line1"], "Mine", "untouched by the other user");
}

async fn racing_requests_leave_exactly_one_default(app: TestApp) {
    let t = app.customer().await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (client, url, t) = (app.client.clone(), format!("{}/api/v1/users/addresses", app.base), t.clone());
        let mut body = address(&format!("line {i}"));
        body["is_default"] = json!(i % 2 == 0);
        tasks.push(tokio::spawn(
            async move { client.post(url).bearer_auth(t).json(&body).send().await.unwrap().status() },
        ));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    let list = app.get("/api/v1/users/addresses", Some(&t)).await.expect(200).clone();
    assert_eq!(list.as_array().unwrap().len(), 8);
    assert_eq!(list.as_array().unwrap().iter().filter(|x| x["is_default"] == true).count(), 1);
}

crate::both_backends!(
    racing_requests_leave_exactly_one_default,
    first_address_is_default_and_default_moves,
    update_replaces_fields_and_keeps_a_default,
    addresses_reject_bad_input,
    addresses_are_private,
);
