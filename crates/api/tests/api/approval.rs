//! Anyone can sign up as a restaurant partner or a rider; nobody's order reaches them before an
//! admin has approved the account.

use crate::helpers::{TestApp, restaurant_body};
use serde_json::json;

crate::both_backends!(partners_and_riders_wait_for_approval);

async fn partners_and_riders_wait_for_approval(app: TestApp) {
    let admin = app.admin().await;
    let (owner, owner_id) = app.unapproved("RESTAURANT").await;
    let (rider, rider_id) = app.unapproved("DELIVERY").await;
    let (customer, _) = app.unapproved("CUSTOMER").await;
    let me = app.get("/api/v1/users/profile", Some(&customer)).await;
    assert!(me.expect(200)["approved_at"].is_string(), "customers start at once");
    let r = app.post("/api/v1/restaurants", Some(&owner), restaurant_body()).await;
    assert_eq!(r.expect(403)["error_code"], "APPROVAL_PENDING");
    app.put("/api/v1/delivery/profile", Some(&rider), json!({"vehicle_type": "BICYCLE", "vehicle_number": "KA01"}))
        .await
        .expect(200);
    let online = json!({"lat": 12.97, "lng": 77.59, "available": true});
    let r = app.post("/api/v1/delivery/available", Some(&rider), online.clone()).await;
    assert_eq!(r.expect(403)["error_code"], "APPROVAL_PENDING");
    // Support sees who waits, and only support may approve.
    let pending = app.get("/api/v1/admin/users/pending", Some(&admin)).await;
    let ids: Vec<&str> =
        pending.expect(200).as_array().unwrap().iter().map(|u| u["user_id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![owner_id.as_str(), rider_id.as_str()]);
    app.get("/api/v1/admin/users/pending", Some(&owner)).await.expect(403);
    app.post(&format!("/api/v1/admin/users/{owner_id}/approve"), Some(&owner), json!({})).await.expect(403);
    app.post(&format!("/api/v1/admin/users/{}/approve", uuid::Uuid::new_v4()), Some(&admin), json!({}))
        .await
        .expect(404);
    for id in [&owner_id, &rider_id] {
        let r = app.post(&format!("/api/v1/admin/users/{id}/approve"), Some(&admin), json!({})).await;
        assert!(r.expect(200)["approved_at"].is_string());
    }
    assert!(app.get("/api/v1/admin/users/pending", Some(&admin)).await.expect(200).as_array().unwrap().is_empty());
    app.post("/api/v1/restaurants", Some(&owner), restaurant_body()).await.expect(201);
    app.post("/api/v1/delivery/available", Some(&rider), online).await.expect(200);
}
