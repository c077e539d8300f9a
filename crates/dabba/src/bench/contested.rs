//! Scenario `contested`: many customers on a few restaurants, where checkouts compete for the
//! same rows. Each of the [`RESTAURANTS`] restaurants gets a kitchen limit and two dishes with
//! tracked stock (one plentiful, one that sells out during the run), and one offer with a
//! redemption limit covers all of them. Every customer, again and again, picks one of the
//! restaurants and a dish, puts it in the cart (replacing the last cart), half of them apply the
//! offer, and checks out with cash on delivery under a fresh Idempotency-Key (refused, they
//! clear the cart and start over). Refusals are
//! counted by `error_code`; anything else that is not a success is an error. After the run the
//! store is read back and the invariants checked: no stock below zero and exactly what the
//! orders took, redemptions within the limit and equal to the orders that carry the offer, never
//! more orders in a kitchen window than the limit.
//!
//! All of it goes through the public API (the owners set the limits and add the dishes, an
//! admin creates the offer), except the users and sessions, made through the store.

use super::client::Conn;
use super::riders::{self, sign_in};
use super::{Row, row, seed_rng};
use anyhow::{Context, Result, bail};
use dabba_api::{AppState, TokenKeys};
use dabba_domain::Role;
use dabba_domain::order::OrderStatus;
use dabba_store::model::Address;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Restaurants every customer orders from.
pub const RESTAURANTS: usize = 4;
/// The kitchen window of this scenario. The product's is 15 minutes (limits of 1–500 orders):
/// a run of seconds would hit such a limit once and then only be refused, so the bench
/// shortens the window and the limit is a sustained cap instead.
pub const KITCHEN_WINDOW: time::Duration = time::Duration::seconds(1);
/// Orders per kitchen window per restaurant.
const KITCHEN_LIMIT: i64 = 50;
/// Units of the dish that lasts (never sold out within a run).
const PLENTY: i64 = 1_000_000;
/// Units of the dish that sells out, per restaurant (put on sale when the measured run starts).
const SCARCE: i64 = 60;
/// One customer in this many picks the scarce dish.
const SCARCE_ONE_IN: usize = 4;
/// Redemptions the offer allows (made when the measured run starts).
const OFFER_LIMIT: i64 = 300;
/// The offer's discount, paise (FLAT).
const OFFER_DISCOUNT: i64 = 5_000;

struct Place {
    restaurant_id: Uuid,
    price: i64,
    plenty: Uuid,
    scarce: Option<Uuid>,
}

struct Customer {
    token: String,
    /// One address per restaurant, ~0.5 km from it.
    addresses: Vec<Uuid>,
}

/// What one run of the customers saw.
#[derive(Default)]
struct Seen {
    add: Vec<u32>,
    apply: Vec<u32>,
    placed: Vec<u32>,
    refused_checkout: Vec<u32>,
    add_refused: BTreeMap<String, usize>,
    apply_refused: BTreeMap<String, usize>,
    checkout_refused: BTreeMap<String, usize>,
    add_errors: usize,
    apply_errors: usize,
    checkout_errors: usize,
    first_error: Option<String>,
    /// Orders placed per dish.
    sold: HashMap<Uuid, i64>,
    /// Orders placed with the offer's discount.
    discounted: usize,
}

impl Seen {
    fn merge(&mut self, o: Seen) {
        self.add.extend(o.add);
        self.apply.extend(o.apply);
        self.placed.extend(o.placed);
        self.refused_checkout.extend(o.refused_checkout);
        for (mine, theirs) in [
            (&mut self.add_refused, o.add_refused),
            (&mut self.apply_refused, o.apply_refused),
            (&mut self.checkout_refused, o.checkout_refused),
        ] {
            for (k, v) in theirs {
                *mine.entry(k).or_default() += v;
            }
        }
        self.add_errors += o.add_errors;
        self.apply_errors += o.apply_errors;
        self.checkout_errors += o.checkout_errors;
        self.first_error = self.first_error.take().or(o.first_error);
        for (k, v) in o.sold {
            *self.sold.entry(k).or_default() += v;
        }
        self.discounted += o.discounted;
    }
}

fn refusals(m: &BTreeMap<String, usize>) -> Vec<(String, usize)> {
    m.iter().map(|(k, v)| (k.clone(), *v)).collect()
}

async fn expect(conn: &mut Conn, status: u16, want: u16, what: &str) -> Result<()> {
    if status != want {
        bail!("{what}: {status} {}", String::from_utf8_lossy(conn.body()));
    }
    Ok(())
}

fn id_of(body: &[u8], field: &str) -> Result<Uuid> {
    let v: serde_json::Value = serde_json::from_slice(body)?;
    v[field].as_str().and_then(|s| s.parse().ok()).with_context(|| format!("no {field} in {v}"))
}

/// Adds a tracked dish through the owner's API.
async fn add_dish(
    conn: &mut Conn,
    owner: &str,
    restaurant: Uuid,
    category: Uuid,
    name: &str,
    price: i64,
    stock: i64,
) -> Result<Uuid> {
    let body = serde_json::to_vec(&serde_json::json!({
        "category_id": category, "name": name, "price": price, "is_veg": true, "stock": stock
    }))?;
    let auth = format!("Bearer {owner}");
    let status =
        conn.post(&format!("/api/v1/restaurants/{restaurant}/items"), &[("Authorization", &auth)], &body).await?;
    expect(conn, status, 201, "adding a dish").await?;
    id_of(conn.body(), "item_id")
}

pub async fn run(
    state: &AppState,
    keys: &TokenKeys,
    addr: SocketAddr,
    customers: usize,
    duration: Duration,
    backend: &str,
) -> Result<Vec<Row>> {
    let store = &state.store;
    let started_at = time::OffsetDateTime::now_utc();
    let now = jiff::Timestamp::now();
    let later = now.checked_add(jiff::SignedDuration::from_mins(10)).unwrap_or(now);
    let mut chosen = Vec::new();
    for r in store.restaurants_changed_since(time::OffsetDateTime::UNIX_EPOCH).await? {
        if chosen.len() == RESTAURANTS {
            break;
        }
        // Open now and for the next minutes, without a limit of its own (an earlier run's).
        if r.kitchen_limit.is_some()
            || !dabba_api::catalog::is_open_now(&r, now)
            || !dabba_api::catalog::is_open_now(&r, later)
        {
            continue;
        }
        let Some(category) = store.categories(r.restaurant_id).await?.first().map(|c| c.category_id) else { continue };
        chosen.push((r, category));
    }
    if chosen.len() < RESTAURANTS {
        bail!("only {} restaurants are open for the next 10 minutes; need {RESTAURANTS}", chosen.len());
    }
    let mut conn = Conn::open(addr).await?;
    let mut places = Vec::new();
    let mut owners = Vec::new();
    for (r, category) in &chosen {
        let owner = sign_in(state, keys, r.owner_id, Role::Restaurant).await?;
        let auth = format!("Bearer {owner}");
        let body = serde_json::to_vec(&serde_json::json!({"kitchen_limit": KITCHEN_LIMIT}))?;
        let status =
            conn.patch(&format!("/api/v1/restaurants/{}", r.restaurant_id), &[("Authorization", &auth)], &body).await?;
        expect(&mut conn, status, 200, "setting the kitchen limit").await?;
        // One unit reaches the minimum order.
        let price = r.min_order_value.max(15_000);
        let plenty = add_dish(&mut conn, &owner, r.restaurant_id, *category, "Bench Thali", price, PLENTY).await?;
        places.push(Place { restaurant_id: r.restaurant_id, price, plenty, scarce: None });
        owners.push((owner, *category));
    }
    let people = riders::users(state, keys, Role::Customer, customers).await?;
    let mut shoppers = Vec::with_capacity(customers);
    for p in &people {
        let mut addresses = Vec::new();
        for (r, _) in &chosen {
            let a = store
                .create_address(
                    Address {
                        address_id: Uuid::now_v7(),
                        user_id: p.user_id,
                        address_type: "OTHER".into(),
                        address_line1: "2 Bench Road".into(),
                        address_line2: None,
                        landmark: None,
                        city: "Bengaluru".into(),
                        state: None,
                        pincode: None,
                        latitude: r.latitude + 0.0045,
                        longitude: r.longitude,
                        is_default: addresses.is_empty(),
                        created_at: dabba_store::now_utc(),
                    },
                    20,
                )
                .await?;
            addresses.push(a.address_id);
        }
        shoppers.push(Customer { token: p.token.clone(), addresses });
    }
    eprintln!(
        "contested: {customers} customers on {RESTAURANTS} restaurants, kitchen limit {KITCHEN_LIMIT} orders per {} s",
        KITCHEN_WINDOW.whole_seconds()
    );
    // Warm-up on the dish that lasts, without the offer.
    drive(addr, &shoppers, &places, None, (duration / 4).max(Duration::from_secs(1))).await?;
    // Then the scarce dishes go on sale and the offer opens.
    for (p, (owner, category)) in places.iter_mut().zip(&owners) {
        p.scarce =
            Some(add_dish(&mut conn, owner, p.restaurant_id, *category, "Bench Last Biryani", p.price, SCARCE).await?);
    }
    let admin = riders::users(state, keys, Role::Admin, 1).await?.remove(0);
    let code = format!("RUSH{}", &Uuid::new_v4().simple().to_string()[..8]).to_uppercase();
    let offer = serde_json::to_vec(&serde_json::json!({
        "code": code, "discount_type": "FLAT", "discount_value": OFFER_DISCOUNT, "min_order_value": 0,
        "usage_limit": OFFER_LIMIT, "applicable_to": "RESTAURANT",
        "restaurant_ids": places.iter().map(|p| p.restaurant_id).collect::<Vec<_>>(),
    }))?;
    let auth = format!("Bearer {}", admin.token);
    let status = conn.post("/api/v1/offers", &[("Authorization", &auth)], &offer).await?;
    expect(&mut conn, status, 201, "creating the offer").await?;
    let offer_id = id_of(conn.body(), "offer_id")?;
    let mut stock_before = HashMap::new();
    for p in &places {
        for item in [p.plenty, p.scarce.unwrap_or(p.plenty)] {
            let stock = store.item(p.restaurant_id, item).await?.and_then(|i| i.stock).context("a tracked dish")?;
            stock_before.insert(item, stock);
        }
    }
    let measured_from = time::OffsetDateTime::now_utc();
    let (seen, elapsed) = drive(addr, &shoppers, &places, Some(&code), duration).await?;
    if let Some(e) = &seen.first_error {
        eprintln!("contested: {} errors, the first: {e}", seen.add_errors + seen.apply_errors + seen.checkout_errors);
    }
    let checks = verify(state, &places, offer_id, &stock_before, &seen, started_at, measured_from).await?;
    for c in &checks {
        eprintln!("contested invariant: {c}");
    }
    if checks.iter().any(|c| c.starts_with("FAILED")) {
        bail!("an invariant of the contested checkout failed");
    }
    let placed = seen.placed.len();
    eprintln!(
        "contested: {placed} orders placed in {:.1} s, {} with the offer; refused at checkout: {:?}",
        elapsed.as_secs_f64(),
        seen.discounted,
        seen.checkout_refused
    );
    let rows = vec![
        Row {
            refused: refusals(&seen.checkout_refused),
            ..row("contested: orders placed (COD)", backend, seen.placed, seen.checkout_errors, elapsed)
        },
        row("  checkout refused (409)", backend, seen.refused_checkout, 0, elapsed),
        Row {
            refused: refusals(&seen.add_refused),
            ..row("  add to cart", backend, seen.add, seen.add_errors, elapsed)
        },
        Row {
            refused: refusals(&seen.apply_refused),
            ..row("  apply offer (half the customers)", backend, seen.apply, seen.apply_errors, elapsed)
        },
    ];
    Ok(rows)
}

/// Runs every customer for `duration`; with `offer`, the scarce dishes are on sale and half
/// the customers apply the code.
async fn drive(
    addr: SocketAddr,
    shoppers: &[Customer],
    places: &[Place],
    offer: Option<&str>,
    duration: Duration,
) -> Result<(Seen, Duration)> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    let menu: Vec<(Uuid, Uuid, Option<Uuid>)> = places.iter().map(|p| (p.restaurant_id, p.plenty, p.scarce)).collect();
    for (c, s) in shoppers.iter().enumerate() {
        let auth = format!("Bearer {}", s.token);
        let addresses = s.addresses.clone();
        let menu = menu.clone();
        let apply = offer.filter(|_| c % 2 == 0).map(|code| serde_json::json!({"promo_code": code}).to_string());
        tasks.push(tokio::spawn(async move {
            let mut rng = seed_rng(5_000 + c as u64);
            let mut out = Seen::default();
            let mut conn = Conn::open(addr).await?;
            let error = |out: &mut Seen, conn: &Conn, what: &str, status: u16| {
                out.first_error
                    .get_or_insert_with(|| format!("{what}: {status} {}", String::from_utf8_lossy(conn.body())));
            };
            while Instant::now() < deadline {
                let i = rng.below(menu.len());
                let (restaurant, plenty, scarce) = menu[i];
                let item = match scarce {
                    Some(s) if rng.below(SCARCE_ONE_IN) == 0 => s,
                    _ => plenty,
                };
                let add = serde_json::json!({
                    "restaurant_id": restaurant, "item_id": item, "quantity": 1, "replace_cart": true
                })
                .to_string();
                let t = Instant::now();
                let status = conn.post("/api/v1/cart/items", &[("Authorization", &auth)], add.as_bytes()).await?;
                out.add.push(t.elapsed().as_micros() as u32);
                match status {
                    200 => {}
                    409 if conn.error_code() == "ITEM_UNAVAILABLE" => {
                        *out.add_refused.entry(conn.error_code()).or_default() += 1;
                        continue;
                    }
                    _ => {
                        out.add_errors += 1;
                        error(&mut out, &conn, "add", status);
                        continue;
                    }
                }
                if let Some(body) = &apply {
                    let t = Instant::now();
                    let status =
                        conn.post("/api/v1/cart/apply-offer", &[("Authorization", &auth)], body.as_bytes()).await?;
                    out.apply.push(t.elapsed().as_micros() as u32);
                    match status {
                        200 => {}
                        // Used up: the customer checks out at the full price.
                        409 if conn.error_code().starts_with("OFFER_NOT_APPLICABLE") => {
                            *out.apply_refused.entry(conn.error_code()).or_default() += 1;
                        }
                        _ => {
                            out.apply_errors += 1;
                            error(&mut out, &conn, "apply offer", status);
                        }
                    }
                }
                let order = serde_json::json!({"address_id": addresses[i], "payment_method": "COD"}).to_string();
                let key = Uuid::new_v4().to_string();
                let t = Instant::now();
                let status = conn
                    .post("/api/v1/orders", &[("Authorization", &auth), ("Idempotency-Key", &key)], order.as_bytes())
                    .await?;
                let micros = t.elapsed().as_micros() as u32;
                match status {
                    201 => {
                        out.placed.push(micros);
                        *out.sold.entry(item).or_default() += 1;
                        let v: serde_json::Value = serde_json::from_slice(conn.body()).unwrap_or_default();
                        out.discounted += usize::from(v["bill"]["discount"].as_i64().unwrap_or(0) > 0);
                    }
                    409 if is_refusal(&conn.error_code()) => {
                        out.refused_checkout.push(micros);
                        *out.checkout_refused.entry(conn.error_code()).or_default() += 1;
                        // Refused: the customer starts over (adding to the same restaurant
                        // would otherwise add to the dish left in the cart).
                        let status = conn.delete("/api/v1/cart/clear", &[("Authorization", &auth)]).await?;
                        if status != 200 {
                            out.checkout_errors += 1;
                            error(&mut out, &conn, "clearing the cart", status);
                        }
                    }
                    _ => {
                        out.checkout_errors += 1;
                        error(&mut out, &conn, "checkout", status);
                    }
                }
            }
            Ok::<_, std::io::Error>(out)
        }));
    }
    let mut all = Seen::default();
    for t in tasks {
        all.merge(t.await.context("contested client")?.context("contested client I/O")?);
    }
    Ok((all, started.elapsed()))
}

/// The refusals this scenario provokes, as checkout names them.
fn is_refusal(code: &str) -> bool {
    ["RESTAURANT_BUSY", "OUT_OF_STOCK", "ITEMS_UNAVAILABLE", "OFFER_EXHAUSTED"].contains(&code)
        || code.starts_with("OFFER_NOT_APPLICABLE")
}

/// Most orders inside any window of `window` (created times, sorted).
fn most_in_window(sorted: &[time::OffsetDateTime], window: time::Duration) -> usize {
    let (mut first, mut most) = (0, 0);
    for (i, t) in sorted.iter().enumerate() {
        while *t - sorted[first] >= window {
            first += 1;
        }
        most = most.max(i + 1 - first);
    }
    most
}

/// Reads the store back; one line per invariant, starting with `ok` or `FAILED`.
async fn verify(
    state: &AppState,
    places: &[Place],
    offer_id: Uuid,
    stock_before: &HashMap<Uuid, i64>,
    seen: &Seen,
    since: time::OffsetDateTime,
    measured_from: time::OffsetDateTime,
) -> Result<Vec<String>> {
    let store = &state.store;
    let mut lines = Vec::new();
    let verdict = |ok: bool| if ok { "ok" } else { "FAILED" };
    let (mut taken, mut with_offer, mut busiest, mut orders) = (HashMap::<Uuid, i64>::new(), 0i64, 0usize, 0usize);
    // Units each dish gave to orders placed in the measured run, as the store has them.
    let mut taken_measured = HashMap::<Uuid, i64>::new();
    for p in places {
        let mut mine: Vec<_> = store
            .orders_of_restaurant(p.restaurant_id, None, 1_000_000, 0)
            .await?
            .into_iter()
            .filter(|o| o.created_at >= since && o.status != OrderStatus::Cancelled)
            .collect();
        orders += mine.len();
        for o in &mine {
            with_offer += i64::from(o.offer_id == Some(offer_id));
            for l in store.order_lines(o.order_id).await? {
                *taken.entry(l.item_id).or_default() += l.stock_taken;
                if o.created_at >= measured_from {
                    *taken_measured.entry(l.item_id).or_default() += l.stock_taken;
                }
            }
        }
        mine.sort_by_key(|o| o.created_at);
        let times: Vec<_> = mine.iter().map(|o| o.created_at).collect();
        busiest = busiest.max(most_in_window(&times, KITCHEN_WINDOW));
    }
    for p in places {
        let dishes = std::iter::once((p.plenty, "lasting dish")).chain(p.scarce.map(|s| (s, "scarce dish")));
        for (item, what) in dishes {
            let Some(before) = stock_before.get(&item).copied() else { continue };
            let now = store.item(p.restaurant_id, item).await?.and_then(|i| i.stock).unwrap_or(i64::MIN);
            // Taken since the stock was read: the measured run (the lasting dish also sold
            // during the warm-up, before the reading). Once a unit an order: the orders the
            // customers were told of, and the orders' lines in the store.
            let sold = seen.sold.get(&item).copied().unwrap_or(0);
            let lines_say = taken_measured.get(&item).copied().unwrap_or(0);
            let ok = now >= 0 && before - now == sold && sold == lines_say;
            lines.push(format!(
                "{} {what} of {}: {before} → {now} units; {sold} orders placed with it, {lines_say} units in their lines{}",
                verdict(ok),
                p.restaurant_id,
                if what == "scarce dish" && now == 0 { " (sold out, no oversell)" } else { "" }
            ));
        }
    }
    let all_taken: i64 = taken.values().sum();
    lines.push(format!(
        "{} stock taken by the orders in the store ({all_taken} units) = orders placed since the start ({orders})",
        verdict(all_taken == orders as i64)
    ));
    let offer = store.offer(offer_id).await?.context("the offer")?;
    lines.push(format!(
        "{} offer: {} redemptions, limit {}; {with_offer} orders carry it, {} placed with its discount seen by customers",
        verdict(
            offer.usage_count <= OFFER_LIMIT && offer.usage_count == with_offer && with_offer == seen.discounted as i64
        ),
        offer.usage_count,
        OFFER_LIMIT,
        seen.discounted
    ));
    lines.push(format!(
        "{} kitchens: at most {busiest} orders in any {} s window (limit {KITCHEN_LIMIT})",
        verdict(busiest as i64 <= KITCHEN_LIMIT),
        KITCHEN_WINDOW.whole_seconds()
    ));
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_window_is_counted() {
        let t0 = time::OffsetDateTime::UNIX_EPOCH;
        let ms = |n: i64| t0 + time::Duration::milliseconds(n);
        let times = [ms(0), ms(100), ms(999), ms(1000), ms(1500), ms(1600), ms(1700)];
        // [0 ms, 1 s) holds 3; [999 ms, 1.999 s) holds 5: 999, 1000, 1500, 1600, 1700.
        assert_eq!(most_in_window(&times, time::Duration::seconds(1)), 5);
        assert_eq!(most_in_window(&times[..3], time::Duration::seconds(1)), 3);
        // Half-open: 1500 and 1600 are not in one window of 100 ms; 999 and 1000 are.
        assert_eq!(most_in_window(&times, time::Duration::milliseconds(100)), 2);
        assert_eq!(most_in_window(&[], time::Duration::seconds(1)), 0);
    }
}
