//! Sockets live for hours; their authority does not: a logout, a ban or the token's end closes
//! them, and a banned rider leaves the fleet at once.

use crate::helpers::TestApp;
use crate::ws::SHOP;
use serde_json::json;

crate::both_backends!(
    a_logout_closes_the_sockets_of_its_session,
    a_banned_rider_is_cut_off_and_offered_nothing,
    a_socket_closes_when_its_token_ends,
);

async fn a_logout_closes_the_sockets_of_its_session(app: TestApp) {
    let s = app.shop().await;
    let order = app.order(&s).await;
    let mut watcher = app.watch(&order, &s.customer).await;
    watcher.status("CONFIRMED").await;
    let (rider, _, mut rider_ws) = app.rider_online(SHOP.0, SHOP.1).await;
    app.post("/api/v1/auth/logout", Some(&s.customer), json!({})).await.expect(204);
    watcher.closed().await;
    app.post("/api/v1/auth/logout", Some(&rider), json!({})).await.expect(204);
    rider_ws.closed().await;
    assert_eq!(app.ws(&format!("/ws/track?order_id={order}&token={}", s.customer)).await.err(), Some(401));
}

async fn a_banned_rider_is_cut_off_and_offered_nothing(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let (_, rider_id, mut rider_ws) = app.rider_online(SHOP.0, SHOP.1).await;
    let first = app.order(&s).await;
    rider_ws.until("offer", |v| v["order_id"] == first.as_str()).await;
    app.post(&format!("/api/v1/admin/users/{rider_id}/ban"), Some(&admin), json!({"reason": "fraud"}))
        .await
        .expect(200);
    rider_ws.closed().await;
    let d = &app.state.delivery;
    let rider: uuid::Uuid = rider_id.parse().unwrap();
    assert!(d.dispatcher.offers_for(rider).is_empty(), "the waiting offer is withdrawn");
    assert_eq!(d.fleet.available(), 0, "and the rider is out of the fleet");
    let second = app.order(&s).await;
    app.drain().await;
    assert!(d.dispatcher.offers_for(rider).is_empty(), "no new order reaches them: {second}");
}

async fn a_socket_closes_when_its_token_ends(app: TestApp) {
    let s = app.shop().await;
    let order = app.order(&s).await;
    // The same session, in a token that ends a second from now.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut claims = app.state.tokens.verify(&s.customer, now).unwrap();
    claims.exp = now + 1;
    let short = app.state.tokens.sign(&claims);
    let mut watcher = app.watch(&order, &short).await;
    watcher.status("CONFIRMED").await;
    // The event is the token's end: the server closes the socket then, with no frame asked for.
    watcher.closed().await;
}
