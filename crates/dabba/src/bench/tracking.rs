//! Scenario `tracking`: orders out for delivery, each watched over `/ws/track` by its
//! customer, each rider pinging once a second. The watchers run in a child process (`dabba
//! bench-watchers`), so the server's memory per idle watcher can be read from this process
//! alone and neither side runs out of file descriptors.
//!
//! Two phases on the same watchers. First the fixes are injected in process (stamped, then
//! handed to ingest): latency is from that stamp to the frame's arrival, the fan-out alone.
//! Then the riders connect over `/ws/rider` from the child process and send their fixes as
//! the app does (`{"type":"location",…,"recorded_at"}` stamped when sent): latency is from the
//! rider's send to the watcher's frame, through both sockets. The server then holds a socket
//! per watcher and per rider; as many riders as the file-descriptor limit allows go on
//! sockets (all of them under `ulimit -n 65536`), the others stay in process, and the two
//! kinds are reported apart.

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
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// Latencies of one kind of frame, as the child reports them.
#[derive(Debug, serde::Deserialize)]
struct Seen {
    frames: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

/// What the child reports after a measure.
#[derive(Debug, serde::Deserialize)]
struct Watched {
    connected: usize,
    all: Seen,
    socket: Seen,
    in_process: Seen,
}

/// The soft limit of open files of this process (children inherit it).
fn open_files_limit() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1024)
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
    // Consecutive numbers from a random start: unique in the run, and unlikely to meet an
    // earlier run's in the same database.
    let first_phone = Uuid::new_v4().as_u128() % 10_000_000_000;
    for (i, id) in rider_ids.iter().enumerate() {
        batch.users.push(NewUser {
            user_id: *id,
            name: "Bench Rider".into(),
            phone: format!("+2{:010}", (first_phone + i as u128) % 10_000_000_000),
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
    // The riders that will send over their own socket: a socket each on both sides, next to
    // the watchers', within the limit of open files.
    let limit = open_files_limit();
    let on_sockets = watchers.min(limit.saturating_sub(watchers + 1_000));
    let mut rider_lines = String::new();
    for (order, rider, lat, lng) in orders.iter().take(on_sockets) {
        let token = riders::sign_in(state, keys, *rider, Role::Delivery).await?;
        rider_lines.push_str(&format!("{order} {token} {lat} {lng}\n"));
    }
    eprintln!(
        "tracking: {watchers} orders out for delivery prepared in {:.1}s; {on_sockets} riders will send over sockets (open files limit {limit})",
        started.elapsed().as_secs_f64()
    );
    let file = std::env::temp_dir().join(format!("dabba-bench-watchers-{}.txt", std::process::id()));
    std::fs::write(&file, lines)?;
    let riders_file = std::env::temp_dir().join(format!("dabba-bench-riders-{}.txt", std::process::id()));
    std::fs::write(&riders_file, rider_lines)?;

    let seconds = duration.as_secs().max(2) + 2;
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .args(["bench-watchers", "--addr", &addr.to_string(), "--file"])
        .arg(&file)
        .arg("--riders")
        .arg(&riders_file)
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

    // Each rider pings once a second, spread evenly over the second; from the second phase
    // on, the first `on_sockets` riders send over their sockets instead.
    let pinger_state = state.clone();
    let skip = Arc::new(AtomicUsize::new(0));
    let skipping = skip.clone();
    let pinger = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        let per_tick = orders.len().div_ceil(100);
        let mut next = 0usize;
        loop {
            tick.tick().await;
            for _ in 0..per_tick {
                let i = next;
                next = (next + 1) % orders.len();
                if i < skipping.load(Ordering::Relaxed) {
                    continue;
                }
                let (_, rider, lat, lng) = orders[i];
                let now = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
                // ~5.5 m further north each second: a scooter in traffic.
                let at = dabba_domain::LatLng { lat: super::watchers::position(lat, now), lng };
                let fix = Fix { at, recorded_ms: now, speed: None, heading: None, accuracy: None };
                dabba_api::delivery::ingest::apply(&pinger_state, rider, &[fix]);
            }
        }
    });
    input.write_all(b"measure\n").await?;
    let result = next(&mut out).await?;
    let w: Watched = serde_json::from_str(result.trim_start_matches("result ")).context("watchers result")?;
    let a = &w.all;
    eprintln!(
        "tracking, fixes in process: {} frames, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        a.frames, a.p50_ms, a.p99_ms, a.max_ms
    );
    // Second phase: the riders' own sockets.
    skip.store(on_sockets, Ordering::Relaxed);
    input.write_all(b"riders\n").await?;
    let ridden = next(&mut out).await?;
    eprintln!("tracking: {} riders connected over /ws/rider", ridden.trim_start_matches("riders "));
    input.write_all(b"measure\n").await?;
    let result = next(&mut out).await?;
    pinger.abort();
    drop(input);
    let _ = child.wait().await;
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&riders_file);
    let s: Watched = serde_json::from_str(result.trim_start_matches("result ")).context("watchers result")?;
    let (so, ip) = (&s.socket, &s.in_process);
    eprintln!(
        "tracking, fixes over rider sockets: {} frames, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; the {} riders still in process: {} frames, p50 {:.1} ms, p99 {:.1} ms",
        so.frames,
        so.p50_ms,
        so.p99_ms,
        so.max_ms,
        watchers - on_sockets,
        ip.frames,
        ip.p50_ms,
        ip.p99_ms
    );
    let note = format!(
        "{} watchers, 1 fix/s per order, fixes injected in process; {} frames measured, max {:.1} ms",
        w.connected, a.frames, a.max_ms
    );
    let socket_note = format!(
        "{} watchers; {on_sockets} riders on /ws/rider sockets ({} in process); {} frames measured, max {:.1} ms",
        s.connected,
        watchers - on_sockets,
        so.frames,
        so.max_ms
    );
    let row = |metric: &str, dabba: f64, note: &str| LiveRow {
        scenario: "tracking",
        metric: metric.into(),
        dabba,
        reference: None,
        ratio: None,
        note: note.to_owned(),
    };
    Ok(vec![
        row("fix injected -> watcher p50 (ms)", a.p50_ms, &note),
        row("fix injected -> watcher p99 (ms)", a.p99_ms, &note),
        row("fix sent on rider socket -> watcher p50 (ms)", so.p50_ms, &socket_note),
        row("fix sent on rider socket -> watcher p99 (ms)", so.p99_ms, &socket_note),
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
