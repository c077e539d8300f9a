//! A real server per test: its own SQLite file, or its own PostgreSQL schema when
//! `DABBA_TEST_DATABASE_URL` is set, bound to 127.0.0.1:0, driven over real sockets.

use dabba_api::{AppState, TokenKeys};
use dabba_domain::Role;
use dabba_domain::WeeklyHours;
use dabba_domain::hours::DayHours;
use dabba_store::model::{NewUser, PostalAddress, Restaurant};
use dabba_store::{Store, StoreOptions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub state: AppState,
    /// The test's own database, for tests that hold a lock in it from outside the server.
    pub database_url: String,
}

/// A response: status, JSON body (or `Null`), headers.
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error_code"].as_str().unwrap_or("")
    }

    /// Asserts a refusal of bad input: 400 `VALIDATION_ERROR` for a field wrong on its own, 422
    /// `UNPROCESSABLE` for fields that do not fit together or with what is stored.
    #[track_caller]
    pub fn refused(&self) -> &Value {
        let status = self.status.as_u16();
        assert!(status == 400 || status == 422, "refused with 400 or 422, got {status}: {}", self.body);
        let code = if status == 400 { "VALIDATION_ERROR" } else { "UNPROCESSABLE" };
        if self.code() != "INVALID_JSON" {
            assert_eq!(self.code(), code, "{}", self.body);
        }
        self.expect(status)
    }

    /// Asserts the status and that an error body has the seed's shape.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        if status >= 400 {
            assert_eq!(self.body["status"], "error", "error body: {}", self.body);
            assert!(self.body["error_code"].is_string() && self.body["message"].is_string(), "{}", self.body);
        }
        &self.body
    }
}

/// After every SQLite test: each stored time has the one text form the store writes (see
/// `dabba_store::stamp`), or SQLite's text comparisons of times would be wrong. A time bound
/// without `Stamp` anywhere in the store fails the test that wrote it.
impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() || !self.database_url.starts_with("sqlite:") {
            return;
        }
        let url = self.database_url.clone();
        let odd = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(times_in_another_form(&url))
        })
        .join()
        .expect("scanning the stored times");
        assert!(odd.is_empty(), "times stored in another form than `Stamp`'s: {odd:?}");
    }
}

/// `(table.column, value)` of stored times not in the form `2026-12-04T07:32:31.123456Z`.
async fn times_in_another_form(url: &str) -> Vec<(String, String)> {
    use sqlx::Connection;
    let mut db = sqlx::SqliteConnection::connect(url).await.expect("open the test database");
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let form =
        "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z";
    let mut odd = Vec::new();
    for (table,) in tables {
        let columns: Vec<(i64, String, String, i64, Option<String>, i64)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("PRAGMA table_info({table})")))
                .fetch_all(&mut db)
                .await
                .unwrap();
        for (_, column, _, _, _, _) in columns {
            let is_time = column.ends_with("_at")
                || ["at", "valid_from", "valid_until", "accept_by", "pay_by", "estimated_delivery_time"]
                    .contains(&column.as_str());
            if !is_time {
                continue;
            }
            let sql = format!(
                "SELECT CAST({column} AS TEXT) FROM {table} WHERE {column} IS NOT NULL AND {column} NOT GLOB '{form}' LIMIT 1"
            );
            let found: Option<(String,)> =
                sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_optional(&mut db).await.unwrap();
            if let Some((value,)) = found {
                odd.push((format!("{table}.{column}"), value));
            }
        }
    }
    odd
}

/// Starts a server on the backend; `None` when PostgreSQL is asked for but not configured.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Settings a test may change before its server starts.
pub struct Tuning {
    pub ordering: dabba_api::orders::OrderingConfig,
    pub payments: dabba_api::payments::PaymentsConfig,
    /// Unlimited by default: every test client comes from 127.0.0.1.
    pub edge: dabba_api::edge::EdgeConfig,
    /// How the event relay retries failing subscribers.
    pub relay: dabba_api::events::RelayConfig,
    /// Serve demo accounts at `GET /api/v1/demo`.
    pub demo: Option<dabba_api::demo::DemoAccounts>,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            ordering: Default::default(),
            payments: Default::default(),
            edge: dabba_api::edge::EdgeConfig::unlimited(),
            relay: Default::default(),
            demo: None,
        }
    }
}

/// Starts a server with settings changed by `tune`.
pub async fn spawn_app_with(backend: Backend, tune: impl FnOnce(&mut Tuning)) -> Option<TestApp> {
    let url = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("dabba-test-{}", Uuid::now_v7()));
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}", dir.join("test.db").display())
        }
        Backend::Postgres => {
            let base = pg_test_url()?;
            pg_schema_url(&base).await
        }
    };
    let options = StoreOptions { max_connections: 4, sqlite_durable: false };
    let store = dabba_store::connect(&url, &options).await.expect("open test database");
    store.migrate().await.expect("migrate test database");
    let secret: [u8; 16] = *Uuid::new_v4().as_bytes();
    let keys = TokenKeys::new(&secret, Duration::from_secs(3600));
    let mut tuning = Tuning::default();
    tune(&mut tuning);
    let state = AppState::with_settings(
        store.clone(),
        keys,
        Default::default(),
        tuning.ordering,
        tuning.payments,
        test_delivery(),
    )
    .await
    .unwrap()
    .with_edge(tuning.edge);
    let state = match tuning.demo {
        Some(accounts) => state.with_demo(accounts),
        None => state,
    };
    state.relay.configure(tuning.relay);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(dabba_api::serve(listener, state.clone(), std::future::pending()));
    Some(TestApp { base: format!("http://{addr}"), client: reqwest::Client::new(), store, state, database_url: url })
}

/// Dispatch on a test's time scale: offers expire in 2 s, searches retry within a second.
fn test_delivery() -> dabba_api::delivery::DeliveryConfig {
    let mut d = dabba_api::delivery::DeliveryConfig::default();
    d.dispatch.offer_timeout = Duration::from_secs(2);
    d.dispatch.retry_base = Duration::from_millis(200);
    d.dispatch.retry_max = Duration::from_millis(800);
    // Offers as soon as a rider is matched: these tests follow the flow; holding an order back
    // until its rider must set off has tests of its own.
    d.dispatch.lead = Duration::from_secs(24 * 3600);
    d.history_every = Duration::from_secs(1);
    d
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

/// A fresh schema for one test, so tests run in parallel on one database.
async fn pg_schema_url(base: &str) -> String {
    use sqlx::Connection;
    let schema = format!("t_{}", Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(base).await.expect("connect to DABBA_TEST_DATABASE_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut conn).await.unwrap();
    conn.close().await.ok();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// A unique, valid phone number.
pub fn phone() -> String {
    let n = Uuid::new_v4().as_u128() % 10_000_000_000;
    format!("+1{n:010}")
}

impl TestApp {
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, body, headers }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::DELETE, path, token, None).await
    }

    /// Registers a user of `role`, approved as an admin would approve a partner; returns
    /// (token, user_id).
    pub async fn user(&self, role: &str) -> (String, String) {
        let (token, id) = self.unapproved(role).await;
        self.store.approve_user(id.parse().unwrap()).await.unwrap().unwrap();
        (token, id)
    }

    /// Registers a user of `role` as they sign up themselves; returns (token, user_id).
    pub async fn unapproved(&self, role: &str) -> (String, String) {
        let r = self
            .post(
                "/api/v1/auth/register",
                None,
                json!({"name": "Test User", "phone": phone(), "password": "secret-pass", "role": role}),
            )
            .await;
        let body = r.expect(201);
        (body["token"].as_str().unwrap().to_owned(), body["user"]["user_id"].as_str().unwrap().to_owned())
    }

    pub async fn customer(&self) -> String {
        self.user("CUSTOMER").await.0
    }

    pub async fn owner(&self) -> String {
        self.user("RESTAURANT").await.0
    }

    pub async fn rider(&self) -> String {
        self.user("DELIVERY").await.0
    }

    /// An admin, created as the CLI does (straight into the store), then logged in.
    pub async fn admin(&self) -> String {
        let phone = phone();
        let hash = dabba_api::auth::password::hash("admin-pass".into()).await.unwrap();
        self.store
            .create_user(NewUser {
                user_id: Uuid::now_v7(),
                name: "Admin".into(),
                phone: phone.clone(),
                email: None,
                password_hash: hash,
                role: Role::Admin,
                approved: true,
            })
            .await
            .unwrap();
        let r = self.post("/api/v1/auth/login", None, json!({"phone": phone, "password": "admin-pass"})).await;
        r.expect(200)["token"].as_str().unwrap().to_owned()
    }

    /// Creates a restaurant from `restaurant_body()` with `changes` merged in; returns its id.
    pub async fn restaurant(&self, owner: &str, changes: Value) -> String {
        let mut body = restaurant_body();
        merge(&mut body, changes);
        let r = self.post("/api/v1/restaurants", Some(owner), body).await;
        r.expect(201)["restaurant_id"].as_str().unwrap().to_owned()
    }

    pub async fn category(&self, owner: &str, restaurant: &str, name: &str) -> String {
        let r = self
            .post(&format!("/api/v1/restaurants/{restaurant}/categories"), Some(owner), json!({"name": name}))
            .await;
        r.expect(201)["category_id"].as_str().unwrap().to_owned()
    }

    pub async fn item(&self, owner: &str, restaurant: &str, category: &str, changes: Value) -> Value {
        let mut body = json!({"category_id": category, "name": "Masala Dosa", "price": 12000, "is_veg": true});
        merge(&mut body, changes);
        let r = self.post(&format!("/api/v1/restaurants/{restaurant}/items"), Some(owner), body).await;
        r.expect(201).clone()
    }
}

/// Shallow-merges the fields of `changes` into `body`.
pub fn merge(body: &mut Value, changes: Value) {
    if let (Some(b), Value::Object(c)) = (body.as_object_mut(), changes) {
        b.extend(c);
    }
}

/// Open every day, all day, in Bengaluru.
pub fn restaurant_body() -> Value {
    let day = json!({"open": "00:00", "close": "00:00"});
    json!({
        "name": "Test Kitchen",
        "description": "Dosas and more",
        "cuisines": ["South Indian"],
        "latitude": 12.9716,
        "longitude": 77.5946,
        "address": {"line1": "1 MG Road", "city": "Bengaluru", "pincode": "560001"},
        "phone": "+919876543210",
        "cost_for_two": 40000,
        "avg_preparation_minutes": 20,
        "delivery_radius_km": 5.0,
        "min_order_value": 10000,
        "is_veg": false,
        "operating_hours": {"monday": day, "tuesday": day, "wednesday": day, "thursday": day,
                            "friday": day, "saturday": day, "sunday": day},
        "timezone": "Asia/Kolkata"
    })
}

/// A restaurant record to write straight into the store: open all day, 5 km radius.
pub fn stored_restaurant(owner: Uuid, lat: f64, lng: f64) -> Restaurant {
    let day = Some(DayHours { open: "00:00".into(), close: "00:00".into() });
    let now = dabba_store::now_utc();
    Restaurant {
        restaurant_id: Uuid::now_v7(),
        owner_id: owner,
        name: "Stored".into(),
        description: None,
        cuisines: vec!["Chinese".into()],
        tags: Vec::new(),
        latitude: lat,
        longitude: lng,
        address: PostalAddress {
            line1: "1 Road".into(),
            line2: None,
            city: "Bengaluru".into(),
            state: None,
            pincode: None,
        },
        phone: None,
        cost_for_two: 40000,
        avg_preparation_minutes: 20,
        learned_preparation_minutes: None,
        delivery_radius_km: 5.0,
        min_order_value: 0,
        is_veg: false,
        operating_hours: WeeklyHours {
            monday: day.clone(),
            tuesday: day.clone(),
            wednesday: day.clone(),
            thursday: day.clone(),
            friday: day.clone(),
            saturday: day.clone(),
            sunday: day,
        },
        timezone: "Asia/Kolkata".into(),
        is_paused: false,
        kitchen_limit: None,
        is_banned: false,
        ban_reason: None,
        rating_avg: 4.0,
        rating_count: 10,
        created_at: now,
        updated_at: now,
    }
}

/// Generates one `#[tokio::test]` per backend for each listed `async fn(TestApp)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await.unwrap();
                super::$name(app).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                // Runs where DABBA_TEST_DATABASE_URL is set; in CI its absence fails.
                if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await {
                    super::$name(app).await;
                }
            })*
        }
    };
}

/// Like `both_backends!`, on servers whose settings `$tune` (a `fn(&mut Tuning)` in the same
/// module) changes.
#[macro_export]
macro_rules! both_backends_tuned {
    ($tune:ident; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let app = $crate::helpers::spawn_app_with($crate::helpers::Backend::Sqlite, super::$tune).await.unwrap();
                super::$name(app).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(app) = $crate::helpers::spawn_app_with($crate::helpers::Backend::Postgres, super::$tune).await {
                    super::$name(app).await;
                }
            })*
        }
    };
}

/// A restaurant with a small menu, its owner, and a customer who lives 1 km away.
pub struct Shop {
    pub owner: String,
    pub restaurant: String,
    pub category: String,
    /// ₹200 dosa, untracked stock.
    pub dosa: String,
    /// ₹300 pizza with a required Size group (Small +0 / Large +₹100).
    pub pizza: Value,
    pub customer: String,
    pub address: String,
}

impl TestApp {
    pub async fn shop(&self) -> Shop {
        let owner = self.owner().await;
        let restaurant = self.restaurant(&owner, json!({"min_order_value": 10000})).await;
        let category = self.category(&owner, &restaurant, "Mains").await;
        let dosa = self.item(&owner, &restaurant, &category, json!({"name": "Dosa", "price": 20000})).await;
        let size = json!([{"name": "Size", "required": true,
                           "options": [{"label": "Small", "price": 0}, {"label": "Large", "price": 10000}]}]);
        let pizza = self
            .item(&owner, &restaurant, &category, json!({"name": "Pizza", "price": 30000, "customizations": size}))
            .await;
        let (customer, address) = self.customer_near(12.9716 + 1.0 / 111.195, 77.5946).await;
        Shop {
            owner,
            restaurant,
            category,
            dosa: dosa["item_id"].as_str().unwrap().to_owned(),
            pizza,
            customer,
            address,
        }
    }

    /// A customer with a default address at the point.
    pub async fn customer_near(&self, lat: f64, lng: f64) -> (String, String) {
        let customer = self.customer().await;
        let a = self
            .post(
                "/api/v1/users/addresses",
                Some(&customer),
                json!({"address_type": "HOME", "address_line1": "2 Church St",
                "city": "Bengaluru", "latitude": lat, "longitude": lng}),
            )
            .await;
        let address = a.expect(201)["address_id"].as_str().unwrap().to_owned();
        (customer, address)
    }

    pub async fn add(&self, customer: &str, restaurant: &str, item: &str, quantity: i64) -> Reply {
        self.post(
            "/api/v1/cart/items",
            Some(customer),
            json!({"restaurant_id": restaurant, "item_id": item, "quantity": quantity}),
        )
        .await
    }

    /// Checks out with COD under a fresh idempotency key.
    pub async fn checkout(&self, customer: &str, address: &str) -> Reply {
        self.checkout_with_key(customer, address, &Uuid::new_v4().to_string()).await
    }

    pub async fn checkout_with_key(&self, customer: &str, address: &str, key: &str) -> Reply {
        self.checkout_body(customer, key, json!({"address_id": address, "payment_method": "COD"})).await
    }

    /// `POST /api/v1/orders` with any body under `key`.
    pub async fn checkout_body(&self, customer: &str, key: &str, body: Value) -> Reply {
        self.post_with_key("/api/v1/orders", customer, key, body).await
    }

    /// A POST carrying an `Idempotency-Key`.
    pub async fn post_with_key(&self, path: &str, token: &str, key: &str, body: Value) -> Reply {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let body = serde_json::from_str(&res.text().await.unwrap_or_default()).unwrap_or(Value::Null);
        Reply { status, body, headers }
    }

    /// Starts a COD checkout on its own task (for races); yields its status and body.
    pub fn spawn_checkout(&self, customer: &str, address: &str, key: &str) -> tokio::task::JoinHandle<(u16, Value)> {
        let (client, base) = (self.client.clone(), self.base.clone());
        let (customer, key) = (customer.to_owned(), key.to_owned());
        let body = json!({"address_id": address, "payment_method": "COD"});
        tokio::spawn(async move {
            let r = client
                .post(format!("{base}/api/v1/orders"))
                .bearer_auth(customer)
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .expect("request");
            let status = r.status().as_u16();
            (status, r.json().await.unwrap_or(Value::Null))
        })
    }

    /// An order placed by the shop's customer: one dosa. Returns its id.
    pub async fn order(&self, shop: &Shop) -> String {
        self.add(&shop.customer, &shop.restaurant, &shop.dosa, 1).await.expect(200);
        self.checkout(&shop.customer, &shop.address).await.expect(201)["order_id"].as_str().unwrap().to_owned()
    }

    /// Moves an order with the restaurant's PATCH.
    pub async fn kitchen(&self, shop: &Shop, order: &str, body: Value) -> Reply {
        self.patch(&format!("/api/v1/restaurants/{}/orders/{order}/status", shop.restaurant), Some(&shop.owner), body)
            .await
    }

    /// A user's inbox, newest first, without the "finding a rider" messages that every order
    /// placed with no rider online brings (the delivery tests check those).
    pub async fn inbox(&self, token: &str, query: &str) -> Vec<Value> {
        let r = self.get(&format!("/api/v1/notifications{query}"), Some(token)).await;
        r.expect(200).as_array().unwrap().iter().filter(|n| n["kind"] != "RIDER_SEARCHING").cloned().collect()
    }

    /// Delivers events to subscribers now (instead of waiting for the relay's timer), and
    /// checks that the ledger still explains every paisa.
    pub async fn drain(&self) {
        self.state.relay.drain().await.unwrap();
        self.ledger_ok().await;
    }
}

/// Payments helpers: the sandbox pay page, signed callbacks, the ledger check.
impl TestApp {
    /// Submits the sandbox pay page at `url` (as a browser posts a form); `(status, page)`.
    pub async fn pay_page(&self, url: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace(' ', "+").replace('/', "%2F").replace('@', "%40")))
            .collect();
        let res = self
            .client
            .post(format!("{}{url}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"))
            .send()
            .await
            .expect("request");
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }

    /// Pays with a card number on the page of a checkout/initiate answer.
    pub async fn pay_card(&self, start: &Value, number: &str) -> (u16, String) {
        let url = start["gateway_url"].as_str().expect("a gateway_url").to_owned();
        self.pay_page(&url, &[("action", "pay"), ("card_number", number), ("expiry", "12/39"), ("cvv", "987")]).await
    }

    /// Posts a gateway event signed with `secret` at unix time `t`.
    pub async fn callback_signed(&self, body: &Value, secret: &[u8], t: i64) -> Reply {
        let raw = body.to_string();
        let sig = dabba_api::payments::signature::sign(secret, t, raw.as_bytes());
        self.callback_raw(raw, Some(sig)).await
    }

    pub async fn callback_raw(&self, raw: String, signature: Option<String>) -> Reply {
        let mut req = self
            .client
            .post(format!("{}/api/v1/payments/callback", self.base))
            .header("content-type", "application/json")
            .body(raw);
        if let Some(s) = signature {
            req = req.header("dabba-signature", s);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let body = serde_json::from_str(&res.text().await.unwrap_or_default()).unwrap_or(Value::Null);
        Reply { status, body, headers }
    }

    /// The webhook secret this server shares with its gateway.
    pub fn webhook_secret(&self) -> Vec<u8> {
        self.state.payments.config.webhook_secret.clone()
    }

    /// Asserts every ledger invariant holds now.
    pub async fn ledger_ok(&self) -> Value {
        let report = dabba_api::payments::check::check(&self.store.ledger_snapshot().await.unwrap());
        assert!(report.ok, "ledger problems: {:#?}", report.problems);
        serde_json::to_value(&report).unwrap()
    }

    pub async fn order_of(&self, token: &str, order: &str) -> Value {
        self.get(&format!("/api/v1/orders/{order}"), Some(token)).await.expect(200).clone()
    }

    /// A checkout of one dosa by the shop's customer with `method`; the 201 body.
    pub async fn order_paying(&self, shop: &Shop, method: &str) -> Value {
        self.add(&shop.customer, &shop.restaurant, &shop.dosa, 1).await.expect(200);
        let key = Uuid::new_v4().to_string();
        let r = self
            .checkout_body(&shop.customer, &key, json!({"address_id": shop.address, "payment_method": method}))
            .await;
        r.expect(201).clone()
    }
}
