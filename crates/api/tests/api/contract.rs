//! The contract as served: whole-number floats are integers (JSON Schema says so), the error
//! body's details are what the document says, links lead from checkout to the order.

use crate::helpers::TestApp;
use serde_json::json;

async fn whole_number_floats_are_integers(app: TestApp) {
    let s = app.shop().await;
    let body = json!({"restaurant_id": s.restaurant, "item_id": s.dosa, "quantity": 2.0});
    let cart = app.post("/api/v1/cart/items", Some(&s.customer), body).await;
    assert_eq!(cart.expect(200)["lines"][0]["quantity"], 2);
    let body = json!({"restaurant_id": s.restaurant, "item_id": s.dosa, "quantity": 2.5});
    let r = app.post("/api/v1/cart/items", Some(&s.customer), body).await;
    r.expect(400);
    assert_eq!(r.body["details"][0]["field"], "quantity", "{}", r.body);
    let r = app
        .post(
            "/api/v1/cart/items",
            Some(&s.customer),
            json!({"restaurant_id": s.restaurant, "item_id": s.dosa, "quantity": 1e300}),
        )
        .await;
    r.expect(400);
}

async fn the_served_document_names_shared_answers_and_links(app: TestApp) {
    let doc = app.get("/api/openapi.json", None).await.expect(200).clone();
    let checkout = &doc["paths"]["/api/v1/orders"]["post"];
    assert_eq!(checkout["responses"]["201"]["links"]["Order"]["operationId"], "get_order");
    assert_eq!(checkout["responses"]["201"]["links"]["Order"]["parameters"]["id"], "$response.body#/order_id");
    for code in ["400", "401", "403", "409", "413", "415", "422", "503"] {
        assert!(checkout["responses"][code]["description"].is_string(), "checkout documents {code}");
    }
    // A write can meet a conflict with what is stored (a category renamed onto another's name
    // answers 409 ALREADY_EXISTS): every write says so.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if path.starts_with("/api/v1") && ["post", "put", "patch", "delete"].contains(&method.as_str()) {
                assert!(op["responses"]["409"].is_object(), "{method} {path} documents 409");
            }
        }
    }
    // What a 400 carries is what the document says it carries.
    let r = app.post("/api/v1/auth/register", None, json!({"name": "A", "phone": "12", "password": "x"})).await;
    let details = r.expect(400)["details"].as_array().unwrap().clone();
    assert!(details.iter().all(|d| d["field"].is_string() && d["message"].is_string()), "{details:?}");
    let schema = &doc["components"]["schemas"]["ErrorBody"]["properties"]["details"]["anyOf"][0];
    assert_eq!(schema["items"]["$ref"], "#/components/schemas/FieldError");
}

/// Near a pole the distance grids' walks grew without bound: one listing at latitude -90 hung
/// the node (found by fuzzing). The world now stops at 85°, and the edge answers at once.
async fn polar_points_are_refused_and_the_edge_answers(app: TestApp) {
    // A restaurant, so that the index has a reach to walk.
    let _shop = app.shop().await;
    for q in ["restaurants?lat=-90&lng=179", "offers?lat=89.9&lng=0", "search?q=dosa&lat=90&lng=0"] {
        let r = app.get(&format!("/api/v1/{q}"), None).await;
        r.expect(400);
        assert_eq!(r.body["details"][0]["field"], "lat", "{}", r.body);
    }
    for q in ["restaurants?lat=85&lng=179.9", "offers?lat=-85&lng=-180", "search?q=dosa&lat=85&lng=0"] {
        // The bound only turns a hang into a failure; the answer comes in milliseconds.
        let r = tokio::time::timeout(std::time::Duration::from_secs(30), app.get(&format!("/api/v1/{q}"), None))
            .await
            .expect("an answer at 85 degrees");
        r.expect(200);
    }
}

crate::both_backends!(
    whole_number_floats_are_integers,
    the_served_document_names_shared_answers_and_links,
    polar_points_are_refused_and_the_edge_answers
);
