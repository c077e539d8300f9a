use crate::helpers::TestApp;

async fn health_and_readiness(app: TestApp) {
    assert_eq!(app.get("/healthz", None).await.expect(200)["status"], "ok");
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.expect(200)["database"], app.store.backend());
}

async fn readiness_fails_when_the_database_is_gone(app: TestApp) {
    app.store.close().await;
    let r = app.get("/readyz", None).await;
    r.expect(503);
    assert_eq!(r.code(), "NOT_READY");
}

async fn request_ids_are_returned_and_reused(app: TestApp) {
    let r = app.get("/healthz", None).await;
    let id = r.headers["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    let res =
        app.client.get(format!("{}/healthz", app.base)).header("x-request-id", "trace-abc-123").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-abc-123");
    let res = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "bad id\twith space")
        .send()
        .await
        .unwrap();
    assert_ne!(res.headers()["x-request-id"], "bad id\twith space");
}

async fn server_errors_carry_the_request_id_only(app: TestApp) {
    let token = app.customer().await;
    app.store.close().await;
    let r = app.get("/api/v1/users/profile", Some(&token)).await;
    r.expect(500);
    assert_eq!(r.body["request_id"], r.headers["x-request-id"].to_str().unwrap());
    let text = r.body.to_string().to_lowercase();
    assert!(!text.contains("sqlx") && !text.contains("pool") && !text.contains("sql"), "no internals: {text}");
}

async fn metrics_count_requests_by_route_and_status(app: TestApp) {
    app.get("/healthz", None).await;
    app.get(&format!("/api/v1/restaurants/{}", uuid::Uuid::now_v7()), None).await.expect(404);
    let text = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(text.contains(r#"dabba_http_requests_total{method="GET",route="/healthz",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"route="/api/v1/restaurants/{id}",status="404"} 1"#), "{text}");
    assert!(text.contains("dabba_http_request_duration_seconds_bucket"));
}

async fn unknown_routes_and_methods_get_the_error_body(app: TestApp) {
    let r = app.get("/api/v1/nothing-here", None).await;
    r.expect(404);
    let r = app.delete("/api/v1/auth/login", None).await;
    r.expect(405);
    assert_eq!(r.code(), "METHOD_NOT_ALLOWED");
}

async fn openapi_documents_every_endpoint(app: TestApp) {
    let doc = app.get("/api/openapi.json", None).await.expect(200).clone();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/users/profile", "get"),
        ("/api/v1/users/profile", "put"),
        ("/api/v1/users/addresses", "post"),
        ("/api/v1/users/addresses", "get"),
        ("/api/v1/users/addresses/{id}", "put"),
        ("/api/v1/users/addresses/{id}", "delete"),
        ("/api/v1/restaurants", "get"),
        ("/api/v1/restaurants", "post"),
        ("/api/v1/restaurants/mine", "get"),
        ("/api/v1/restaurants/{id}", "get"),
        ("/api/v1/restaurants/{id}", "put"),
        ("/api/v1/restaurants/{id}", "patch"),
        ("/api/v1/restaurants/{id}/menu", "get"),
        ("/api/v1/restaurants/{id}/categories", "post"),
        ("/api/v1/restaurants/{id}/categories/{category_id}", "patch"),
        ("/api/v1/restaurants/{id}/categories/{category_id}", "delete"),
        ("/api/v1/restaurants/{id}/categories/order", "put"),
        ("/api/v1/restaurants/{id}/items", "post"),
        ("/api/v1/restaurants/{id}/items/{item_id}", "patch"),
        ("/api/v1/restaurants/{id}/items/{item_id}", "delete"),
        ("/api/v1/admin/users/{id}/ban", "post"),
        ("/api/v1/admin/users/{id}/unban", "post"),
        ("/api/v1/admin/restaurants/{id}/ban", "post"),
        ("/api/v1/admin/restaurants/{id}/unban", "post"),
        ("/api/v1/cart", "get"),
        ("/api/v1/cart/items", "post"),
        ("/api/v1/cart/items/{cart_item_id}", "put"),
        ("/api/v1/cart/items/{cart_item_id}", "delete"),
        ("/api/v1/cart/clear", "delete"),
        ("/api/v1/cart/apply-offer", "post"),
        ("/api/v1/cart/offer", "delete"),
        ("/api/v1/offers", "post"),
        ("/api/v1/offers", "get"),
        ("/api/v1/offers/validate", "post"),
        ("/api/v1/offers/{id}", "delete"),
        ("/api/v1/orders", "post"),
        ("/api/v1/orders", "get"),
        ("/api/v1/orders/{id}", "get"),
        ("/api/v1/orders/{id}/cancel", "put"),
        ("/api/v1/orders/{id}/reorder", "post"),
        ("/api/v1/restaurants/{id}/orders", "get"),
        ("/api/v1/restaurants/{id}/orders/{order_id}/status", "patch"),
        ("/api/v1/admin/orders/{id}/status", "patch"),
        ("/api/v1/ratings", "post"),
        ("/api/v1/ratings/restaurant/{id}", "get"),
        ("/api/v1/restaurants/{id}/reviews", "get"),
        ("/api/v1/notifications", "get"),
        ("/api/v1/notifications/{id}/read", "post"),
        ("/api/v1/notifications/read-all", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is not documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

async fn api_docs_are_served_locally(app: TestApp) {
    let page = app.client.get(format!("{}/api/docs/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("cdn.") && !html.contains("unpkg"), "no assets from the internet");
    for asset in ["swagger-ui.css", "swagger-ui-bundle.js"] {
        let r = app.client.get(format!("{}/api/docs/{asset}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{asset}");
        assert!(r.bytes().await.unwrap().len() > 10_000);
    }
}

crate::both_backends!(
    health_and_readiness,
    readiness_fails_when_the_database_is_gone,
    request_ids_are_returned_and_reused,
    server_errors_carry_the_request_id_only,
    metrics_count_requests_by_route_and_status,
    unknown_routes_and_methods_get_the_error_body,
    openapi_documents_every_endpoint,
    api_docs_are_served_locally,
);

/// SIGTERM-style shutdown lets a request that is already being handled finish. The request
/// asks for `100 Continue`, so we know the handler is reading its body before we shut down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_in_flight_requests_finish() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let dir = std::env::temp_dir().join(format!("dabba-shutdown-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("s.db").display());
    let store = dabba_store::connect(&url, &dabba_store::StoreOptions::default()).await.unwrap();
    store.migrate().await.unwrap();
    let keys = dabba_api::TokenKeys::new(b"k", std::time::Duration::from_secs(60));
    let state = dabba_api::AppState::load(store, keys).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dabba_api::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let body = format!(r#"{{"name":"Late","phone":"{}","password":"long enough"}}"#, crate::helpers::phone());
    let mut conn = BufReader::new(tokio::net::TcpStream::connect(addr).await.unwrap());
    let head = format!(
        "POST /api/v1/auth/register HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    );
    conn.get_mut().write_all(head.as_bytes()).await.unwrap();
    let mut line = String::new();
    conn.read_line(&mut line).await.unwrap();
    assert!(line.starts_with("HTTP/1.1 100"), "{line}");
    conn.read_line(&mut line).await.unwrap();

    stop.send(()).unwrap();
    conn.get_mut().write_all(body.as_bytes()).await.unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "the in-flight request completed: {response}");
    server.await.unwrap().unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no new connections after shutdown");
}
