//! The web client as the binary serves it, the demo accounts its first screen offers, the
//! kitchen's live feed and the cancellation terms an order page shows.

use crate::helpers::{TestApp, Tuning};
use serde_json::{Value, json};

crate::both_backends!(
    the_page_and_its_assets_are_served_for_caching,
    the_kitchen_feed_follows_the_restaurants_orders,
    the_kitchen_feed_is_for_the_owner_only,
    an_order_says_what_cancelling_costs,
    a_plain_server_has_no_demo_accounts,
);

mod demo {
    crate::both_backends_tuned!(demo_server; demo_accounts_are_offered);
    fn demo_server(t: &mut crate::helpers::Tuning) {
        super::demo_server(t)
    }
    async fn demo_accounts_are_offered(app: crate::helpers::TestApp) {
        super::demo_accounts_are_offered(app).await
    }
}

/// FNV-1a, as the build names the files: a name changes exactly when the bytes do.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

async fn the_page_and_its_assets_are_served_for_caching(app: TestApp) {
    let page = app.client.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let h = page.headers().clone();
    assert_eq!(h["cache-control"], "no-cache", "the page is never cached: it names the current files");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self' 'sha256-"), "{csp}");
    let html = page.text().await.unwrap();
    let start = html.find("<script type=\"importmap\">").unwrap() + "<script type=\"importmap\">".len();
    let map: Value = serde_json::from_str(&html[start..start + html[start..].find("</script>").unwrap()]).unwrap();
    let map = map["imports"].as_object().unwrap();
    assert!(map.contains_key("/app/main.js") && map.len() >= 10, "{map:?}");
    for (plain, hashed) in map {
        let hashed = hashed.as_str().unwrap();
        assert!(html.contains(&format!("<link rel=\"modulepreload\" href=\"{hashed}\">")), "{hashed} preloaded");
        let raw = app.client.get(format!("{}{hashed}", app.base)).send().await.unwrap();
        assert_eq!(raw.status(), 200, "{hashed}");
        assert_eq!(raw.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert!(raw.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
        let bytes = raw.bytes().await.unwrap();
        let hash = hashed.rsplit('.').nth(1).unwrap();
        assert_eq!(hash, format!("{:012x}", fnv1a(&bytes) >> 16), "{plain} is named by its content");
        let zipped =
            app.client.get(format!("{}{hashed}", app.base)).header("accept-encoding", "gzip, br").send().await.unwrap();
        assert_eq!(zipped.headers()["content-encoding"], "gzip", "{hashed}");
        assert_eq!(zipped.headers()["vary"], "accept-encoding");
        let body = zipped.bytes().await.unwrap();
        assert!(body.starts_with(&[0x1f, 0x8b]) && body.len() < bytes.len(), "{hashed} compressed");
        // The plain name still answers (a page from before a deploy), revalidated each time.
        let plain = app.client.get(format!("{}{plain}", app.base)).send().await.unwrap();
        assert_eq!(plain.headers()["cache-control"], "no-cache");
    }
    assert!(html.contains("/app/style."), "the stylesheet is linked by its hashed name");
    let missing = app.client.get(format!("{}/app/nope.js", app.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

fn demo_server(t: &mut Tuning) {
    t.demo = Some(dabba_api::demo::DemoAccounts {
        password: "dabba-demo".into(),
        accounts: vec![dabba_api::demo::DemoAccount {
            role: dabba_domain::Role::Customer,
            name: "Asha".into(),
            phone: "+919420000000".into(),
        }],
        centre: [12.97, 77.59],
    });
}

async fn demo_accounts_are_offered(app: TestApp) {
    let r = app.get("/api/v1/demo", None).await;
    let body = r.expect(200);
    assert_eq!(body["accounts"][0]["role"], "CUSTOMER");
    assert_eq!(body["password"], "dabba-demo");
}

async fn a_plain_server_has_no_demo_accounts(app: TestApp) {
    let r = app.get("/api/v1/demo", None).await;
    r.expect(404);
    assert_eq!(r.code(), "NOT_FOUND");
}

async fn the_kitchen_feed_follows_the_restaurants_orders(app: TestApp) {
    let s = app.shop().await;
    let mut feed = app
        .ws(&format!("/ws/kitchen?restaurant_id={}&token={}", s.restaurant, s.owner))
        .await
        .expect("the owner follows their kitchen");
    feed.until("ready", |_| true).await;
    let order = app.order(&s).await;
    feed.until("order_changed", |v| v["order_id"] == order.as_str() && v["status"] == "CONFIRMED").await;
    app.kitchen(&s, &order, json!({"status": "PREPARING", "estimated_preparation_minutes": 10})).await.expect(200);
    feed.until("order_changed", |v| v["order_id"] == order.as_str() && v["status"] == "PREPARING").await;
    app.put(&format!("/api/v1/orders/{order}/cancel"), Some(&s.customer), json!({"reason": "changed my mind"}))
        .await
        .expect(200);
    feed.until("order_changed", |v| v["order_id"] == order.as_str() && v["status"] == "CANCELLED").await;
}

async fn the_kitchen_feed_is_for_the_owner_only(app: TestApp) {
    let s = app.shop().await;
    let other = app.owner().await;
    let path = |token: &str, id: &str| format!("/ws/kitchen?restaurant_id={id}&token={token}");
    assert_eq!(app.ws(&path(&other, &s.restaurant)).await.err(), Some(403), "another owner");
    assert_eq!(app.ws(&path(&s.customer, &s.restaurant)).await.err(), Some(403), "a customer");
    assert_eq!(app.ws(&path("not-a-token", &s.restaurant)).await.err(), Some(401));
    assert_eq!(app.ws(&path(&s.owner, &uuid::Uuid::now_v7().to_string())).await.err(), Some(404));
    assert_eq!(app.ws(&format!("/ws/kitchen?restaurant_id=nope&token={}", s.owner)).await.err(), Some(400));
    // Not a WebSocket: said so, with the error body.
    let r = app.get(&path(&s.owner, &s.restaurant), None).await;
    r.expect(426);
    assert_eq!(r.code(), "UPGRADE_REQUIRED");
}

async fn an_order_says_what_cancelling_costs(app: TestApp) {
    let s = app.shop().await;
    // Cash: nothing comes back; once cooking started, the fee is owed.
    let cash = app.order(&s).await;
    let view = app.order_of(&s.customer, &cash).await;
    assert_eq!(view["cancellation"], json!({"fee": 0, "refund": 0}), "free, and nothing was paid");
    app.kitchen(&s, &cash, json!({"status": "PREPARING", "estimated_preparation_minutes": 10})).await.expect(200);
    let view = app.order_of(&s.customer, &cash).await;
    let fee = view["cancellation"]["fee"].as_i64().unwrap();
    assert!(fee > 0 && view["cancellation"]["refund"] == 0, "{view}");
    let owner_view = app.order_of(&s.owner, &cash).await;
    assert!(owner_view.get("cancellation").is_none(), "terms are the customer's");
    let cancelled = app.put(&format!("/api/v1/orders/{cash}/cancel"), Some(&s.customer), json!({})).await;
    let body = cancelled.expect(200);
    assert_eq!((body["cancellation_fee"].as_i64(), body["refund_amount"].as_i64()), (Some(fee), Some(0)));
    assert!(app.order_of(&s.customer, &cash).await.get("cancellation").is_none());

    // Paid by card: the terms are what the cancellation then refunds.
    let start = app.order_paying(&s, "CARD").await;
    let card = start["order_id"].as_str().unwrap().to_owned();
    let unpaid = app.order_of(&s.customer, &card).await;
    assert_eq!(unpaid["cancellation"]["refund"], 0, "nothing paid yet: {unpaid}");
    assert_eq!(app.pay_card(&start["payment"], "4111111111111111").await.0, 200);
    app.kitchen(&s, &card, json!({"status": "PREPARING", "estimated_preparation_minutes": 10})).await.expect(200);
    let terms = app.order_of(&s.customer, &card).await["cancellation"].clone();
    let total = start["total_amount"].as_i64().unwrap();
    assert_eq!(terms["fee"].as_i64().unwrap() + terms["refund"].as_i64().unwrap(), total, "{terms}");
    let cancelled = app.put(&format!("/api/v1/orders/{card}/cancel"), Some(&s.customer), json!({})).await;
    let body = cancelled.expect(200);
    assert_eq!(body["cancellation_fee"], terms["fee"], "the fee shown is the fee charged");
    assert_eq!(body["refund_amount"], terms["refund"], "the refund shown is the refund made");
}
