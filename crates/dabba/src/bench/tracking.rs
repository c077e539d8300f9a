//! Scenario `tracking`: orders out for delivery, each watched over `/ws/track` by its
//! customer, each rider pinging once a second. The watchers run in a child process (`dabba
//! bench-watchers`), so the server's memory per idle watcher can be read from this process
//! alone and neither side runs out of file descriptors. Latency is from the moment a fix is
//! accepted (its `recorded_at`, stamped just before ingest) to the frame's arrival.

use super::live::LiveRow;
use super::riders;
use anyhow::{Context, Result, bail};
use dabba_api::{AppState, TokenKeys};
use dabba_domain::Role;
use dabba_domain::eta::Vehicle;
use dabba_domain::order::{Actor, OrderStatus};
use dabba_domain::ping::Fix;
use dabba_store::PlaceOrder;
use dabba_store::model::{AddressSnapshot, NewUser, Order};
use dabba_store::seed::SeedBatch;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use uuid::Uuid;

/// Resident memory of this process, bytes.
pub(crate) fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn order_for(customer: Uuid, rider: Uuid, r: &dabba_store::model::Restaurant, n: usize) -> Order {
    let now = dabba_store::now_utc();
    Order {
        order_id: Uuid::now_v7(),
        user_id: customer,
        restaurant_id: r.restaurant_id,
        status: OrderStatus::OutForDelivery,
        payment_method: "CARD".into(),
        payment_status: "SUCCESS".into(),
        subtotal: 0,
        discount: 0,
        restaurant_discount: 0,
        delivery_fee: 0,
        packaging_fee: 0,
        taxes: 0,
        total_amount: 0,
        promo_code: None,
        offer_id: None,
        delivery_address: AddressSnapshot {
            address_id: Uuid::now_v7(),
            address_line1: format!("{n} Bench Road"),
            address_line2: None,
            landmark: None,
            city: "Bengaluru".into(),
            pincode: None,
            latitude: r.latitude + 0.01,
            longitude: r.longitude,
        },
        delivery_instructions: None,
        distance_km: 1.1,
        estimated_delivery_time: now + time::Duration::minutes(10),
        estimated_preparation_minutes: Some(10),
        accept_by: None,
        pay_by: None,
        cancel_reason: None,
        cancellation_fee: 0,
        refund_amount: 0,
        created_at: now,
        updated_at: now,
        rider_id: Some(rider),
        assigned_at: Some(now),
        delivery_otp: Some("0000".into()),
        otp_attempts: 0,
    }
}

/// What the child reports.
#[derive(Debug, serde::Deserialize)]
struct Watched {
    connected: usize,
    frames: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

pub async fn run(
    state: &AppState,
    keys: &TokenKeys,
    addr: SocketAddr,
    watchers: usize,
    duration: Duration,
) -> Result<Vec<LiveRow>> {
    let store = &state.store;
    let restaurants = store.restaurants_changed_since(time::OffsetDateTime::UNIX_EPOCH).await?;
    let Some(r) = restaurants.iter().find(|r| !r.is_banned) else { bail!("no restaurant to order from: seed first") };
    let customers = riders::users(state, keys, Role::Customer, 100).await?;
    let started = Instant::now();
    let rider_ids: Vec<Uuid> = (0..watchers).map(|_| Uuid::now_v7()).collect();
    let mut batch = SeedBatch::default();
    for (i, id) in rider_ids.iter().enumerate() {
        batch.users.push(NewUser {
            user_id: *id,
            name: "Bench Rider".into(),
            phone: format!("+2{:010}", Uuid::new_v4().as_u128() % 10_000_000_000 + i as u128),
            email: None,
            password_hash: "-".into(),
            role: Role::Delivery,
            approved: true,
        });
    }
    store.seed(&batch).await.context("bench riders")?;
    let mut lines = String::new();
    let mut orders = Vec::with_capacity(watchers);
    for (i, rider) in rider_ids.iter().enumerate() {
        let customer = &customers[i % customers.len()];
        let o = order_for(customer.user_id, *rider, r, i);
        let place = PlaceOrder {
            order: o.clone(),
            lines: Vec::new(),
            cart_lines: Vec::new(),
            stock: Vec::new(),
            offer: None,
            kitchen_limit: None,
            actor: Actor::Customer,
            events: Vec::new(),
            key: None,
            money: Default::default(),
        };
        store.place_order(&place).await.context("bench order")?;
        state.delivery.fleet.deliver(*rider, Vehicle::Scooter, o.order_id);
        state.delivery.tracker.open(o.order_id, dabba_api::delivery::route_of(&o, r, Vehicle::Scooter));
        lines.push_str(&format!("{} {}\n", o.order_id, customer.token));
        orders.push((o.order_id, *rider, r.latitude, r.longitude));
    }
    eprintln!("tracking: {watchers} orders out for delivery prepared in {:.1}s", started.elapsed().as_secs_f64());
    let file = std::env::temp_dir().join(format!("dabba-bench-watchers-{}.txt", std::process::id()));
    std::fs::write(&file, lines)?;

    let seconds = duration.as_secs().max(2) + 2;
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .args(["bench-watchers", "--addr", &addr.to_string(), "--file"])
        .arg(&file)
        .args(["--seconds", &seconds.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting the watchers process")?;
    let mut input = child.stdin.take().context("watchers input")?;
    let mut out = tokio::io::BufReader::new(child.stdout.take().context("watchers output")?).lines();
    let first: usize =
        next(&mut out).await?.strip_prefix("half ").and_then(|n| n.parse().ok()).context("watchers: bad first line")?;
    // Idle connections settle, then the server's memory is read after each half.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss();
    input.write_all(b"go\n").await?;
    let n: usize =
        next(&mut out).await?.strip_prefix("connected ").and_then(|n| n.parse().ok()).context("watchers: bad line")?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss();
    let per_watcher = after.saturating_sub(before) as f64 / (n - first).max(1) as f64;
    eprintln!(
        "tracking: {n} watchers connected; server memory {} -> {} MB over the second {} ({per_watcher:.0} B each)",
        before >> 20,
        after >> 20,
        n - first
    );

    // Each rider pings once a second, spread evenly over the second.
    let pinger_state = state.clone();
    let pinger = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        let per_tick = orders.len().div_ceil(100);
        let mut next = 0usize;
        let mut step = 0u64;
        loop {
            tick.tick().await;
            step += 1;
            for _ in 0..per_tick {
                let (_, rider, lat, lng) = orders[next];
                next = (next + 1) % orders.len();
                let now = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
                // ~5.5 m further north each second: a scooter in traffic.
                let at = dabba_domain::LatLng { lat: lat + (step / 100 % 1000) as f64 * 5e-5, lng };
                let fix = Fix { at, recorded_ms: now, speed: None, heading: None, accuracy: None };
                dabba_api::delivery::ingest::apply(&pinger_state, rider, &[fix]);
            }
        }
    });
    let result = next(&mut out).await?;
    pinger.abort();
    let _ = child.wait().await;
    let _ = std::fs::remove_file(&file);
    let w: Watched = serde_json::from_str(result.trim_start_matches("result ")).context("watchers result")?;
    eprintln!("tracking: {} frames, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms", w.frames, w.p50_ms, w.p99_ms, w.max_ms);
    let note =
        format!("{} watchers, 1 fix/s per order; {} frames measured, max {:.1} ms", w.connected, w.frames, w.max_ms);
    Ok(vec![
        LiveRow {
            scenario: "tracking",
            metric: "fix -> watcher p50 (ms)".into(),
            dabba: w.p50_ms,
            reference: None,
            ratio: None,
            note: note.clone(),
        },
        LiveRow {
            scenario: "tracking",
            metric: "fix -> watcher p99 (ms)".into(),
            dabba: w.p99_ms,
            reference: None,
            ratio: None,
            note,
        },
        LiveRow {
            scenario: "tracking",
            metric: "server memory per idle watcher (B)".into(),
            dabba: per_watcher,
            reference: None,
            ratio: None,
            note: format!("RSS growth over the second {} of {n} idle connections", n - first),
        },
    ])
}

async fn next(out: &mut tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>) -> Result<String> {
    out.next_line().await?.context("the watchers process ended early")
}
