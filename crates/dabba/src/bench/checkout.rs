//! Scenarios `checkout` and `payment`: each connection is a customer who, again and again, puts
//! a dish in the cart (replacing the last cart) and checks out — with cash on delivery, or by
//! card: checkout, then the sandbox's pay page, which returns once the gateway's signed webhook
//! has confirmed the order. Customers are spread over restaurants that are open now, each
//! living ~0.5 km from theirs.

use super::client::Conn;
use super::{Row, row};
use anyhow::{Context, Result, bail};
use dabba_api::auth::token::Claims;
use dabba_api::{AppState, TokenKeys};
use dabba_domain::Role;
use dabba_store::model::{Address, NewUser};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A customer ready to order: signed in, with an address near `restaurant_id`.
pub struct Shopper {
    token: String,
    address_id: Uuid,
    add_body: Vec<u8>,
}

/// Creates `n` customers (straight through the store: the scenario measures ordering, not
/// sign-up) and chooses what each orders.
pub async fn prepare(state: &AppState, keys: &TokenKeys, n: usize) -> Result<Vec<Shopper>> {
    let store = &state.store;
    let now = jiff::Timestamp::now();
    let mut open: Vec<_> = store
        .restaurants_changed_since(time::OffsetDateTime::UNIX_EPOCH)
        .await?
        .into_iter()
        .filter(|r| dabba_api::catalog::is_open_now(r, now) && r.kitchen_limit.is_none())
        .collect();
    open.truncate(n.max(1) * 4);
    let mut shoppers = Vec::new();
    for r in &open {
        if shoppers.len() == n {
            break;
        }
        let items = store.items(r.restaurant_id).await?;
        let Some(item) =
            items.iter().find(|i| i.is_available && i.stock.is_none() && i.customizations.is_empty() && i.price > 0)
        else {
            continue;
        };
        let quantity = ((r.min_order_value + item.price - 1) / item.price).clamp(1, 50);
        let user = store
            .create_user(NewUser {
                user_id: Uuid::now_v7(),
                name: "Bench Customer".into(),
                phone: format!("+1{:010}", Uuid::new_v4().as_u128() % 10_000_000_000),
                email: None,
                password_hash: "-".into(),
                role: Role::Customer,
                approved: true,
            })
            .await?;
        let session = Uuid::now_v7();
        let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
        store.create_session(session, user.user_id, expires).await?;
        let token = keys.sign(&Claims {
            sub: user.user_id,
            sid: session,
            role: Role::Customer,
            iat: time::OffsetDateTime::now_utc().unix_timestamp(),
            exp: expires.unix_timestamp(),
        });
        let address = store
            .create_address(
                Address {
                    address_id: Uuid::now_v7(),
                    user_id: user.user_id,
                    address_type: "HOME".into(),
                    address_line1: "1 Bench Road".into(),
                    address_line2: None,
                    landmark: None,
                    city: "Bengaluru".into(),
                    state: None,
                    pincode: None,
                    latitude: r.latitude + 0.0045,
                    longitude: r.longitude,
                    is_default: true,
                    created_at: dabba_store::now_utc(),
                },
                20,
            )
            .await?;
        let add_body = serde_json::to_vec(&serde_json::json!({
            "restaurant_id": r.restaurant_id, "item_id": item.item_id, "quantity": quantity, "replace_cart": true
        }))?;
        shoppers.push(Shopper { token, address_id: address.address_id, add_body });
    }
    if shoppers.len() < n {
        bail!("only {} restaurants are open with a simple dish right now; need {n}", shoppers.len());
    }
    Ok(shoppers)
}

/// The pay page form of a test card that is paid at once.
const CARD_FORM: &[u8] = b"action=pay&card_number=4111111111111111&expiry=12%2F39&cvv=123";

#[derive(Default)]
struct Samples {
    add: Vec<u32>,
    checkout: Vec<u32>,
    /// Checkout plus payment, end to end (card only).
    paid: Vec<u32>,
    /// Unexpected answers, per kind of request.
    add_errors: usize,
    checkout_errors: usize,
    pay_errors: usize,
    first_error: Option<String>,
}

impl Samples {
    fn errors(&self) -> usize {
        self.add_errors + self.checkout_errors + self.pay_errors
    }
}

fn gateway_url(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v["payment"]["gateway_url"].as_str().map(str::to_owned)
}

async fn drive(
    addr: SocketAddr,
    shoppers: &[Shopper],
    duration: Duration,
    method: &'static str,
) -> Result<(Samples, Duration)> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for s in shoppers {
        let auth = format!("Bearer {}", s.token);
        let add = s.add_body.clone();
        let order = serde_json::to_vec(&serde_json::json!({"address_id": s.address_id, "payment_method": method}))?;
        tasks.push(tokio::spawn(async move {
            let mut out = Samples::default();
            let mut conn = Conn::open(addr).await?;
            while Instant::now() < deadline {
                let t = Instant::now();
                let status = conn.post("/api/v1/cart/items", &[("Authorization", &auth)], &add).await?;
                out.add.push(t.elapsed().as_micros() as u32);
                if status != 200 {
                    out.add_errors += 1;
                    out.first_error.get_or_insert_with(|| String::from_utf8_lossy(conn.body()).into_owned());
                    continue;
                }
                let key = Uuid::new_v4().to_string();
                let t = Instant::now();
                let status =
                    conn.post("/api/v1/orders", &[("Authorization", &auth), ("Idempotency-Key", &key)], &order).await?;
                if status != 201 {
                    out.checkout_errors += 1;
                    out.first_error.get_or_insert_with(|| String::from_utf8_lossy(conn.body()).into_owned());
                    continue;
                }
                out.checkout.push(t.elapsed().as_micros() as u32);
                if let Some(url) = gateway_url(conn.body()) {
                    let status = conn.post_form(&url, CARD_FORM).await?;
                    if status == 200 {
                        out.paid.push(t.elapsed().as_micros() as u32);
                    } else {
                        out.pay_errors += 1;
                        out.first_error.get_or_insert_with(|| String::from_utf8_lossy(conn.body()).into_owned());
                    }
                } else if method == "CARD" {
                    // A card checkout that opened no charge is an error of the checkout.
                    out.checkout_errors += 1;
                    out.first_error.get_or_insert_with(|| String::from_utf8_lossy(conn.body()).into_owned());
                }
            }
            Ok::<_, std::io::Error>(out)
        }));
    }
    let mut all = Samples::default();
    for t in tasks {
        let s = t.await.context("checkout client")?.context("checkout client I/O")?;
        all.add.extend(s.add);
        all.checkout.extend(s.checkout);
        all.paid.extend(s.paid);
        all.add_errors += s.add_errors;
        all.checkout_errors += s.checkout_errors;
        all.pay_errors += s.pay_errors;
        all.first_error = all.first_error.or(s.first_error);
    }
    Ok((all, started.elapsed()))
}

/// Warms up, measures, and returns the rows: orders/s is the rate of placed orders.
pub async fn run(addr: SocketAddr, shoppers: &[Shopper], duration: Duration, backend: &str) -> Result<Vec<Row>> {
    drive(addr, shoppers, (duration / 4).max(Duration::from_secs(1)), "COD").await?;
    let (samples, elapsed) = drive(addr, shoppers, duration, "COD").await?;
    if let Some(e) = &samples.first_error {
        eprintln!("checkout: {} errors, the first: {e}", samples.errors());
    }
    Ok(vec![
        row("checkout: orders placed (COD)", backend, samples.checkout, samples.checkout_errors, elapsed),
        row("  add to cart", backend, samples.add, samples.add_errors, elapsed),
    ])
}

/// Card payment end to end: paid orders/s, latency from checkout to confirmed.
pub async fn run_paid(addr: SocketAddr, shoppers: &[Shopper], duration: Duration, backend: &str) -> Result<Vec<Row>> {
    drive(addr, shoppers, (duration / 4).max(Duration::from_secs(1)), "CARD").await?;
    let (samples, elapsed) = drive(addr, shoppers, duration, "CARD").await?;
    if let Some(e) = &samples.first_error {
        eprintln!("payment: {} errors, the first: {e}", samples.errors());
    }
    Ok(vec![
        row(
            "payment: paid orders (CARD, checkout → pay page → signed webhook)",
            backend,
            samples.paid,
            samples.pay_errors,
            elapsed,
        ),
        row("  checkout (order PENDING, charge opened)", backend, samples.checkout, samples.checkout_errors, elapsed),
        row("  add to cart", backend, samples.add, samples.add_errors, elapsed),
    ])
}
