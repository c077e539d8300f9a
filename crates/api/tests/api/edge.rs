//! The edge under abuse: floods of logins, registrations and code guesses get 429 with
//! `Retry-After`; a client that sends half a request is cut off at the deadline; a node past
//! its cap on requests in flight answers 503 at once; a body that is not a JSON object is
//! refused.

use crate::helpers::{TestApp, Tuning, phone};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn tight(t: &mut Tuning) {
    t.edge.login_per_account = 3;
    t.edge.login_per_ip = 5;
    t.edge.register_per_ip = 4;
    t.edge.offer_checks_per_user = 3;
    t.edge.pay_page_per_ip = 2;
    t.edge.request_timeout = Duration::from_millis(500);
    t.edge.max_in_flight = 8;
    t.edge.client_ip_header = Some("x-forwarded-for".into());
}

crate::both_backends_tuned!(
    tight;
    login_floods_are_refused_before_any_password_is_hashed,
    registrations_and_code_guesses_are_limited,
    half_a_request_is_cut_off_at_the_deadline,
    bodies_must_be_json_objects,
);

fn retry_after(r: &crate::helpers::Reply) -> u64 {
    r.headers["retry-after"].to_str().unwrap().parse().unwrap()
}

async fn login_floods_are_refused_before_any_password_is_hashed(app: TestApp) {
    let login =
        |phone: String| app.post("/api/v1/auth/login", None, json!({"phone": phone, "password": "guess-guess"}));
    let victim = phone();
    for _ in 0..3 {
        login(victim.clone()).await.expect(401);
    }
    let r = login(victim.clone()).await;
    assert_eq!(r.expect(429)["error_code"], "RATE_LIMITED");
    assert!((1..=60).contains(&retry_after(&r)));
    // Other accounts from the same address, up to the address's limit (the four tries above
    // counted there too).
    login(phone()).await.expect(401);
    login(phone()).await.expect(429);
    // Behind the balancer, each client is counted by the address it reports (the last entry:
    // what the balancer saw), and an IPv6 client by its /64.
    let via = |forwarded: &'static str| {
        app.client
            .post(format!("{}/api/v1/auth/login", app.base))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"phone": phone(), "password": "guess-guess"}))
            .send()
    };
    assert_eq!(via("10.9.9.9, 203.0.113.7").await.unwrap().status(), 401, "another client");
    for n in 1..=5 {
        let status = via(if n % 2 == 0 { "2001:db8:1:2::1" } else { "2001:db8:1:2::ffff" }).await.unwrap().status();
        assert_eq!(status, 401);
    }
    assert_eq!(via("2001:db8:1:2:abcd::9").await.unwrap().status(), 429, "one /64, one count");
}

async fn registrations_and_code_guesses_are_limited(app: TestApp) {
    let s = app.shop().await; // two registrations from this address: the owner and the customer
    let register = || {
        app.post(
            "/api/v1/auth/register",
            None,
            json!({"name": "Flood", "phone": phone(), "password": "secret-pass", "role": "CUSTOMER"}),
        )
    };
    register().await.expect(201);
    register().await.expect(201);
    assert_eq!(register().await.expect(429)["error_code"], "RATE_LIMITED");
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    for code in ["GUESS1", "GUESS2", "GUESS3"] {
        app.post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": code})).await.expect(404);
    }
    let r = app
        .post(
            "/api/v1/offers/validate",
            Some(&s.customer),
            json!({"code": "GUESS4", "cart_value": 30000, "restaurant_id": s.restaurant}),
        )
        .await;
    assert_eq!(r.expect(429)["error_code"], "RATE_LIMITED");
    // The pay page, per address.
    let placed = app.order_paying(&s, "CARD").await;
    let url = placed["payment"]["gateway_url"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        let (status, _) = app
            .pay_page(
                &url,
                &[("action", "pay"), ("card_number", "4000 0000 0000 0002"), ("expiry", "12/39"), ("cvv", "123")],
            )
            .await;
        assert_ne!(status, 429);
    }
    let (status, _) = app.pay_page(&url, &[("action", "decline")]).await;
    assert_eq!(status, 429);
}

/// Sends `head` and the start of a body that never ends; returns the status line received.
async fn half_request(app: &TestApp, head: &str) -> String {
    let addr = app.base.trim_start_matches("http://");
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(head.as_bytes()).await.unwrap();
    let mut got = vec![0u8; 4096];
    let n = sock.read(&mut got).await.unwrap();
    String::from_utf8_lossy(&got[..n]).lines().next().unwrap_or_default().to_owned()
}

async fn half_a_request_is_cut_off_at_the_deadline(app: TestApp) {
    let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: dabba\r\nContent-Type: application/json\r\n\
                Content-Length: 100\r\n\r\n{\"phone\":";
    // The server answers without the rest of the body: the deadline stopped the request.
    assert_eq!(half_request(&app, head).await, "HTTP/1.1 503 Service Unavailable");
    // Past the cap on requests in flight, the next request is refused at once.
    let mut held = Vec::new();
    for _ in 0..8 {
        let addr = app.base.trim_start_matches("http://").to_owned();
        let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
        sock.write_all(head.as_bytes()).await.unwrap();
        held.push(sock);
    }
    let mut refused = None;
    // The held requests reach the cap as the server reads them; one of these finds it full.
    for _ in 0..50 {
        let r = app.get("/api/v1/restaurants?lat=12.97&lng=77.59", None).await;
        if r.status == 503 {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("a request past the cap is refused");
    assert_eq!(r.body["error_code"], "OVERLOADED");
    assert_eq!(retry_after(&r), 1);
    drop(held);
}

async fn bodies_must_be_json_objects(app: TestApp) {
    let customer = app.customer().await;
    let r = app.post("/api/v1/auth/login", None, json!(["+919420000000", null, "dabba-demo"])).await;
    assert_eq!(r.expect(400)["error_code"], "INVALID_JSON");
    let r = app.put("/api/v1/users/profile", Some(&customer), json!([null, null])).await;
    assert_eq!(r.expect(400)["error_code"], "INVALID_JSON");
    app.put("/api/v1/users/profile", Some(&customer), json!("name")).await.expect(400);
    app.put("/api/v1/users/profile", Some(&customer), json!({"name": "Asha Rao"})).await.expect(200);
}
