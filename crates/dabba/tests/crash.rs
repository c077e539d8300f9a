//! A machine that dies mid-storm: customers check out as fast as they can, the server is killed
//! with SIGKILL while requests are in flight, restarted, and every request whose answer was
//! lost is retried with its Idempotency-Key, twice at once, as impatient apps do. Afterwards
//! every key has exactly one order, every order belongs to a key that answered it, and the
//! ledger explains every paisa. On SQLite and (where DABBA_TEST_DATABASE_URL is set) PostgreSQL.

mod common;

use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, Notify};
use uuid::Uuid;

const CUSTOMERS: usize = 12;
/// Orders placed before the kill: enough that many requests are in flight when it lands.
const KILL_AFTER: usize = 40;
/// Claims of requests that died stay taken this long on PostgreSQL (SQLite gives them back
/// at start-up).
const STALE: &str = "1";
/// Every test customer registers from 127.0.0.1; tokens must survive the restart (on
/// PostgreSQL the secret is not kept next to a database file).
const SETTINGS: [&str; 6] = [
    "--idempotency-stale-seconds",
    STALE,
    "--limit-register-per-ip",
    "1000",
    "--jwt-secret",
    "crash-test-secret-that-is-long-enough-0123456789",
];

struct Shop {
    restaurant: String,
    item: String,
    customers: Vec<(String, String)>,
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: &Value,
) -> reqwest::Result<(u16, Value)> {
    let mut req = client.post(format!("{base}{path}")).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let res = req.send().await?;
    let status = res.status().as_u16();
    let text = res.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

async fn ok(client: &reqwest::Client, base: &str, path: &str, token: Option<&str>, body: Value) -> Value {
    let (status, body) = post(client, base, path, token, None, &body).await.unwrap();
    assert!(status == 200 || status == 201, "{path}: {status} {body}");
    body
}

fn phone() -> String {
    format!("+1{:010}", Uuid::new_v4().as_u128() % 10_000_000_000)
}

async fn register(client: &reqwest::Client, base: &str, role: &str) -> String {
    let body = json!({"name": "Crash Test", "phone": phone(), "password": "secret-pass", "role": role});
    ok(client, base, "/api/v1/auth/register", None, body).await["token"].as_str().unwrap().to_owned()
}

async fn shop(client: &reqwest::Client, base: &str, admin: &str) -> Shop {
    let owner = register(client, base, "RESTAURANT").await;
    // A new partner waits for approval; the operator's admin gives it.
    let me: Value = client
        .get(format!("{base}/api/v1/users/profile"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let approve = format!("/api/v1/admin/users/{}/approve", me["user_id"].as_str().unwrap());
    let r = client.post(format!("{base}{approve}")).bearer_auth(admin).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let day = json!({"open": "00:00", "close": "00:00"});
    let r = ok(
        client,
        base,
        "/api/v1/restaurants",
        Some(&owner),
        json!({
        "name": "Crash Kitchen", "cuisines": ["South Indian"], "latitude": 12.9716, "longitude": 77.5946,
        "address": {"line1": "1 MG Road", "city": "Bengaluru"}, "cost_for_two": 40000,
        "avg_preparation_minutes": 20, "delivery_radius_km": 5.0, "min_order_value": 0, "is_veg": true,
        "operating_hours": {"monday": day, "tuesday": day, "wednesday": day, "thursday": day,
                            "friday": day, "saturday": day, "sunday": day},
        "timezone": "Asia/Kolkata"}),
    )
    .await;
    let restaurant = r["restaurant_id"].as_str().unwrap().to_owned();
    let c = ok(
        client,
        base,
        &format!("/api/v1/restaurants/{restaurant}/categories"),
        Some(&owner),
        json!({"name": "Mains"}),
    )
    .await;
    let i = ok(
        client,
        base,
        &format!("/api/v1/restaurants/{restaurant}/items"),
        Some(&owner),
        json!({"category_id": c["category_id"], "name": "Dosa", "price": 20000, "is_veg": true}),
    )
    .await;
    let mut customers = Vec::new();
    for _ in 0..CUSTOMERS {
        let token = register(client, base, "CUSTOMER").await;
        let a = ok(
            client,
            base,
            "/api/v1/users/addresses",
            Some(&token),
            json!({"address_type": "HOME",
            "address_line1": "2 Church St", "city": "Bengaluru", "latitude": 12.98, "longitude": 77.5946}),
        )
        .await;
        customers.push((token, a["address_id"].as_str().unwrap().to_owned()));
    }
    Shop { restaurant, item: i["item_id"].as_str().unwrap().to_owned(), customers }
}

/// What a checkout got: an answer, or nothing (the connection died with the server).
type Outcomes = Arc<Mutex<Vec<(usize, String, Option<(u16, Value)>)>>>;

/// Every customer adds a dosa and checks out under a fresh key, again and again, until the
/// server stops answering. Returns once `KILL_AFTER` orders were placed, with the handle that
/// ends when every customer has stopped.
async fn storm(
    base: &str,
    shop: &Arc<Shop>,
    placed: &Arc<AtomicUsize>,
    enough: &Arc<Notify>,
) -> (Outcomes, tokio::task::JoinHandle<()>) {
    let outcomes: Outcomes = Arc::default();
    let mut tasks = Vec::new();
    for c in 0..CUSTOMERS {
        let (base, shop, outcomes, placed, enough) =
            (base.to_owned(), shop.clone(), outcomes.clone(), placed.clone(), enough.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let (token, address) = &shop.customers[c];
            loop {
                let add = json!({"restaurant_id": shop.restaurant, "item_id": shop.item, "quantity": 1});
                match post(&client, &base, "/api/v1/cart/items", Some(token), None, &add).await {
                    Ok((200, _)) => {}
                    Ok((status, body)) => panic!("add to cart: {status} {body}"),
                    Err(_) => return,
                }
                let key = Uuid::new_v4().to_string();
                let body = json!({"address_id": address, "payment_method": "COD"});
                let answer = post(&client, &base, "/api/v1/orders", Some(token), Some(&key), &body).await.ok();
                let lost = answer.is_none();
                if matches!(answer, Some((201, _))) && placed.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                    enough.notify_one();
                }
                outcomes.lock().await.push((c, key, answer));
                if lost {
                    return;
                }
            }
        }));
    }
    enough.notified().await;
    // The caller kills the server now; the tasks end when their requests fail.
    let all = tokio::spawn(async move {
        for t in tasks {
            t.await.unwrap();
        }
    });
    (outcomes, all)
}

/// Retries a lost checkout until the key is no longer in progress; every answer on the way
/// is this request's own.
async fn retry(client: &reqwest::Client, base: &str, token: &str, key: &str, body: &Value) -> (u16, Value) {
    for _ in 0..100 {
        let answer = post(client, base, "/api/v1/orders", Some(token), Some(key), body).await.unwrap();
        if answer.1["error_code"] != "REQUEST_IN_PROGRESS" {
            return answer;
        }
        // On PostgreSQL the dead request's claim is taken over once stale: time is the event.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("key {key} stayed in progress");
}

async fn crash_and_retry(url: &str) {
    let admin_phone = phone();
    let made = common::dabba_at(url)
        .args(["admin", "create", "--phone", &admin_phone])
        .env("DABBA_ADMIN_PASSWORD", "admin-password")
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let (server, base, _) = common::serve_at(url, &SETTINGS);
    let client = reqwest::Client::new();
    let login = json!({"phone": admin_phone, "password": "admin-password"});
    let admin = ok(&client, &base, "/api/v1/auth/login", None, login).await["token"].as_str().unwrap().to_owned();
    let shop = Arc::new(shop(&client, &base, &admin).await);
    let (placed, enough) = (Arc::new(AtomicUsize::new(0)), Arc::new(Notify::new()));
    let (outcomes, customers_stopped) = storm(&base, &shop, &placed, &enough).await;
    let mut server = server;
    server.kill().unwrap(); // SIGKILL: no graceful anything.
    server.wait().unwrap();
    customers_stopped.await.unwrap();
    let outcomes = Arc::try_unwrap(outcomes).unwrap().into_inner();

    let (server, base, _) = common::serve_at(url, &SETTINGS);
    let mut order_of_key: HashMap<String, String> = HashMap::new();
    let mut lost = 0;
    for (c, key, answer) in &outcomes {
        let (token, address) = &shop.customers[*c];
        let body = json!({"address_id": address, "payment_method": "COD"});
        match answer {
            Some((201, placed)) => {
                order_of_key.insert(key.clone(), placed["order_id"].as_str().unwrap().to_owned());
            }
            Some((status, body)) => panic!("a checkout in the storm got {status}: {body}"),
            None => {
                lost += 1;
                // Two copies at once: each gets the order or "in progress", never another answer.
                let (a, b) = tokio::join!(
                    post(&client, &base, "/api/v1/orders", Some(token), Some(key), &body),
                    post(&client, &base, "/api/v1/orders", Some(token), Some(key), &body)
                );
                let mut ids = HashSet::new();
                for (status, answer) in [a.unwrap(), b.unwrap()] {
                    match status {
                        201 => {
                            ids.insert(answer["order_id"].as_str().unwrap().to_owned());
                        }
                        409 => assert_eq!(answer["error_code"], "REQUEST_IN_PROGRESS", "{answer}"),
                        other => panic!("retry of a lost checkout: {other} {answer}"),
                    }
                }
                let (status, settled) = retry(&client, &base, token, key, &body).await;
                assert_eq!(status, 201, "the lost checkout is placed once: {settled}");
                let id = settled["order_id"].as_str().unwrap().to_owned();
                assert!(ids.iter().all(|i| *i == id), "one key, one order: {ids:?} vs {id}");
                order_of_key.insert(key.clone(), id);
            }
        }
    }
    assert!(lost > 0, "the kill landed while checkouts were in flight");
    eprintln!("{} checkouts before the kill, {lost} of them lost with it", outcomes.len());
    // Every order in the store is the answer of exactly one key.
    let mut stored = HashSet::new();
    for (token, _) in &shop.customers {
        let r = client.get(format!("{base}/api/v1/orders?limit=50")).bearer_auth(token).send().await.unwrap();
        for o in r.json::<Vec<Value>>().await.unwrap() {
            stored.insert(o["order_id"].as_str().unwrap().to_owned());
        }
    }
    let answered: HashSet<String> = order_of_key.values().cloned().collect();
    assert_eq!(answered.len(), order_of_key.len(), "no two keys share an order");
    assert_eq!(stored, answered, "every order placed is one a key answered, and none is lost");
    let mut server = server;
    server.kill().unwrap();
    server.wait().unwrap();
    let check = common::dabba_at(url).args(["ledger", "check"]).output().unwrap();
    assert!(check.status.success(), "ledger check: {}", String::from_utf8_lossy(&check.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_a_kill_mid_checkout() {
    let dir = std::env::temp_dir().join(format!("dabba-crash-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    crash_and_retry(&format!("sqlite://{}", dir.join("crash.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_a_kill_mid_checkout() {
    // Runs where DABBA_TEST_DATABASE_URL is set; in CI its absence fails.
    let Some(base) = pg_test_url() else { return };
    use sqlx::Connection;
    let schema = format!("t_{}", Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut conn).await.unwrap();
    conn.close().await.ok();
    let sep = if base.contains('?') { '&' } else { '?' };
    crash_and_retry(&format!("{base}{sep}options=-c%20search_path%3D{schema}")).await;
}

/// The PostgreSQL URL for tests. Unset, the PostgreSQL variants are skipped on a developer's
/// machine; in CI (`CI=true`) that is a failure, never a silent skip.
fn pg_test_url() -> Option<String> {
    let url = std::env::var("DABBA_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() && std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("CI is set but DABBA_TEST_DATABASE_URL is not: the PostgreSQL tests would be skipped");
    }
    url
}
