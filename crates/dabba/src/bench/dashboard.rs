//! The `dashboard` scenario: a day of a busy city's orders (lunch and dinner peaks, nine in ten
//! delivered, the rest cancelled for the usual reasons, every timeline) written into the
//! seeded city, then `GET /api/v1/admin/dashboard` for that day over HTTP, timed: once cold (it
//! counts the orders and keeps the settled quarter hours), then warm. Beside it, in the same run,
//! the reference: the store counting that day's orders themselves, in process, with nothing kept.

use super::client::Conn;
use crate::seed::Rng;
use anyhow::{Result, bail};
use dabba_api::AppState;
use dabba_api::auth::token::Claims;
use dabba_domain::Role;
use dabba_domain::order::OrderStatus;
use dabba_store::model::{AddressSnapshot, NewUser, Order, TimelineEntry, UserQuery};
use dabba_store::seed::SeedBatch;
use dabba_store::stamp::hour_of;
use std::time::Instant;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Timed requests (after two to warm up).
const ROUNDS: usize = 15;
/// Riders on shift over the day (each seen for eight hours).
const RIDERS: usize = 5_000;

/// The share of the day's orders placed in each local hour (IST), lunch and dinner peaks.
use crate::simulate::city::DAY_SHAPE as SHAPE;

const REASONS: [(&str, &str); 5] = [
    ("CUSTOMER", "ordered by mistake"),
    ("CUSTOMER", "taking too long"),
    ("RESTAURANT", "item out of stock"),
    ("RESTAURANT", "kitchen too busy"),
    ("SYSTEM", "not accepted in time"),
];

/// Yesterday in UTC: a whole day that is over.
fn the_day() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    hour_of(now) - Duration::hours(i64::from(now.hour())) - Duration::days(1)
}

fn entry(order_id: Uuid, seq: i32, status: OrderStatus, actor: &str, at: OffsetDateTime) -> TimelineEntry {
    TimelineEntry { order_id, seq, status, actor: actor.into(), note: None, at }
}

/// The day's orders and timelines for these restaurants and customers.
fn history(day: OffsetDateTime, orders: usize, places: &[(Uuid, f64, f64)], customers: &[Uuid]) -> SeedBatch {
    let mut rng = Rng::new(11);
    let total: f64 = SHAPE.iter().sum();
    let mut batch = SeedBatch::default();
    for (hour, share) in SHAPE.iter().enumerate() {
        // IST is UTC+05:30: local hour `hour` starts 5.5 hours earlier in UTC.
        let start = day + Duration::minutes(hour as i64 * 60 - 330).max(Duration::ZERO);
        for _ in 0..(orders as f64 * share / total).round() as usize {
            let created = start + Duration::milliseconds((rng.unit() * 3_600_000.0) as i64);
            let (restaurant, lat, lng) = places[rng.below(places.len())];
            let id = Uuid::now_v7();
            let subtotal = 15_000 + rng.below(60_000) as i64;
            let total = subtotal + 3_000 + subtotal / 20;
            let accepted = created + Duration::seconds(20 + rng.below(240) as i64);
            let ready = accepted + Duration::minutes(10 + rng.below(15) as i64);
            let delivered = ready + Duration::minutes(8 + rng.below(25) as i64);
            let mut t = vec![entry(id, 1, OrderStatus::Confirmed, "CUSTOMER", created)];
            let (status, reason) = if rng.chance(0.9) {
                for (i, (s, a, at)) in [
                    (OrderStatus::Preparing, "RESTAURANT", accepted),
                    (OrderStatus::Ready, "RESTAURANT", ready),
                    (OrderStatus::PickedUp, "RIDER", ready + Duration::minutes(2)),
                    (OrderStatus::OutForDelivery, "RIDER", ready + Duration::minutes(3)),
                    (OrderStatus::Delivered, "RIDER", delivered),
                ]
                .into_iter()
                .enumerate()
                {
                    t.push(entry(id, i as i32 + 2, s, a, at));
                }
                (OrderStatus::Delivered, None)
            } else {
                let (by, why) = REASONS[rng.below(REASONS.len())];
                t.push(entry(id, 2, OrderStatus::Cancelled, by, created + Duration::minutes(5)));
                (OrderStatus::Cancelled, Some(why.to_owned()))
            };
            let end = t.last().map_or(created, |e| e.at);
            batch.timeline.extend(t);
            batch.orders.push(Order {
                order_id: id,
                user_id: customers[rng.below(customers.len())],
                restaurant_id: restaurant,
                status,
                payment_method: "COD".into(),
                payment_status: if status == OrderStatus::Delivered { "SUCCESS" } else { "FAILED" }.into(),
                subtotal,
                discount: 0,
                restaurant_discount: 0,
                delivery_fee: 3_000,
                packaging_fee: 0,
                taxes: subtotal / 20,
                total_amount: total,
                promo_code: None,
                offer_id: None,
                delivery_address: AddressSnapshot {
                    address_id: Uuid::nil(),
                    address_line1: "1 Bench Road".into(),
                    address_line2: None,
                    landmark: None,
                    city: "Bengaluru".into(),
                    pincode: None,
                    latitude: lat + 0.01,
                    longitude: lng,
                },
                delivery_instructions: None,
                distance_km: 1.1,
                estimated_delivery_time: created + Duration::minutes(35),
                estimated_preparation_minutes: Some(15),
                accept_by: None,
                pay_by: None,
                cancel_reason: reason,
                cancellation_fee: 0,
                refund_amount: 0,
                created_at: created,
                updated_at: end,
                rider_id: None,
                assigned_at: None,
                delivery_otp: None,
                otp_attempts: 0,
            });
        }
    }
    for r in 0..RIDERS {
        let rider = Uuid::from_u128((0xda66a_u128 << 96) + r as u128);
        let first = rng.below(17) as i64;
        batch.rider_hours.extend((first..first + 8).map(|h| (day + Duration::hours(h), rider)));
    }
    batch
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub async fn run(
    state: &AppState,
    keys: &dabba_api::TokenKeys,
    addr: std::net::SocketAddr,
    orders: usize,
) -> Result<()> {
    let store = state.store.clone();
    let day = the_day();
    let next = day + Duration::days(1);
    // Off the quarter grid, so that asking keeps no (empty) quarter before the orders are written.
    if store.dashboard_counts(day, next - Duration::microseconds(1)).await?.by_hour.is_empty() {
        let all = store.restaurants_changed_since(OffsetDateTime::UNIX_EPOCH).await?;
        let places: Vec<(Uuid, f64, f64)> = all.iter().map(|r| (r.restaurant_id, r.latitude, r.longitude)).collect();
        let q = UserQuery { role: Some("CUSTOMER".into()), limit: 10_000, ..Default::default() };
        let customers: Vec<Uuid> = store.search_users(&q).await?.iter().map(|u| u.user_id).collect();
        if places.is_empty() || customers.is_empty() {
            bail!("the city has no restaurants or no customers");
        }
        let started = Instant::now();
        let batch = history(day, orders, &places, &customers);
        let n = batch.orders.len();
        store.seed(&batch).await?;
        eprintln!("wrote a day of {n} orders in {:.1}s", started.elapsed().as_secs_f64());
    } else {
        eprintln!("the day {day} already holds orders: measuring them");
    }
    let admin = store
        .create_user(NewUser {
            user_id: Uuid::now_v7(),
            name: "Bench Admin".into(),
            phone: format!("+1{:010}", Uuid::new_v4().as_u128() % 10_000_000_000),
            email: None,
            password_hash: "-".into(),
            role: Role::Admin,
            approved: true,
        })
        .await?;
    let session = Uuid::now_v7();
    let expires = OffsetDateTime::now_utc() + Duration::hours(2);
    store.create_session(session, admin.user_id, expires).await?;
    let token = keys.sign(&Claims {
        sub: admin.user_id,
        sid: session,
        role: Role::Admin,
        iat: OffsetDateTime::now_utc().unix_timestamp(),
        exp: expires.unix_timestamp(),
    });
    let fmt = |t: OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let path = format!("/api/v1/admin/dashboard?from={}&to={}", fmt(day), fmt(next));
    let bearer = format!("Bearer {token}");
    let mut conn = Conn::open(addr).await?;
    // The first request counts the day's orders and keeps its settled quarter hours (on a
    // running server housekeeping does this within the hour); the timed ones read them back.
    let t = Instant::now();
    let status = conn.get_with(&path, &[("authorization", &bearer)]).await?;
    let first = t.elapsed().as_secs_f64() * 1000.0;
    if status != 200 {
        bail!("the dashboard answered {status}: {}", String::from_utf8_lossy(conn.body()));
    }
    let (mut ours, mut scan) = (Vec::new(), Vec::new());
    let mut counted = serde_json::Value::Null;
    let mut scanned = 0;
    for round in 0..ROUNDS + 2 {
        // The two take turns, so a drift of the shared machine reaches both.
        let t = Instant::now();
        let status = conn.get_with(&path, &[("authorization", &bearer)]).await?;
        let took = t.elapsed().as_secs_f64() * 1000.0;
        if status != 200 {
            bail!("the dashboard answered {status}: {}", String::from_utf8_lossy(conn.body()));
        }
        counted = serde_json::from_slice(conn.body())?;
        // The reference counts the orders themselves, in process: a period one microsecond
        // off the quarter-hour grid, which no kept quarter can serve.
        let t = Instant::now();
        scanned = store.dashboard_counts(day, next - Duration::microseconds(1)).await?.by_hour.len();
        let reference = t.elapsed().as_secs_f64() * 1000.0;
        if round >= 2 {
            ours.push(took);
            scan.push(reference);
        }
    }
    let (p50, reference) = (median(&mut ours), median(&mut scan));
    let worst = ours.iter().copied().fold(0.0, f64::max);
    println!(
        "\n| dashboard of one day, {} backend | orders | delivered | riders (peak hour) | first request ms (counts, keeps quarters) | over HTTP p50 ms | worst ms | counting the orders in process p50 ms | ratio |",
        store.backend()
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {} restaurants | {} | {} | {} | {first:.1} | {p50:.1} | {worst:.1} | {reference:.1} ({scanned} groups) | {:.3} |",
        store.restaurant_count().await?,
        counted["orders"],
        counted["delivered"],
        counted["riders_online_peak"],
        p50 / reference.max(0.001)
    );
    Ok(())
}
