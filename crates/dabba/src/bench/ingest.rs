//! Scenario `ingest`: riders stream batches of queued fixes over `/ws/rider` into the live
//! state (filtered, indexed in the available-riders grid, sampled for the route history) while
//! 100,000 other riders are in it. Each rider's client behaves as the app does: every message
//! carries a `seq`, and at most [`WINDOW`] messages are waiting for their ack at any time; the
//! fixes in a message are [`FIX_EVERY_MS`] apart in their recorded times (1 Hz), so the history
//! keeps one in 15 of them (one per 15 s of the rider's clock) and its writer works for real.
//! The riders are online, so every message moves them in the grid.
//!
//! The reference: `GEOADD` into Redis, in pipelines of the same [`BATCH`] size, from as many
//! connections, each also keeping at most [`WINDOW`] pipelines waiting for their replies.

use super::live::{LiveRow, Scatter};
use super::resp::{self, Redis};
use super::riders;
use anyhow::{Context, Result, bail};
use dabba_api::{AppState, TokenKeys};
use dabba_domain::Role;
use futures_util::{SinkExt, StreamExt};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Fixes per message, and commands per Redis pipeline: the same batching on both sides.
pub const BATCH: usize = 16;
/// Messages (or pipelines) a client keeps waiting for their ack before it sends more.
pub const WINDOW: usize = 4;
/// Time between two fixes of a rider, in the fixes' recorded times.
pub const FIX_EVERY_MS: i64 = 1_000;
/// The history keeps one fix per rider per this much of their clock (the server's default).
const HISTORY_EVERY_MS: i64 = 15_000;
/// Riders' clocks start this far back: a client sends far faster than 1 Hz, so its clock runs
/// ahead of the wall clock; fixes more than a minute in the future would be refused.
const CLOCK_BACK_MS: i64 = 48 * 3_600_000;

fn rfc3339_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// What the measured part of a run counted, on either side.
#[derive(Default)]
struct Counted {
    /// Fixes (or GEOADDs) acknowledged while measuring.
    done: AtomicU64,
    dropped: AtomicU64,
    /// Answers that were not acks (error frames), over the whole run.
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
    /// Message sent → its ack received, µs, while measuring.
    latencies: Mutex<Vec<u32>>,
}

impl Counted {
    fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.first_error.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(what);
    }

    fn percentiles(&self) -> (f64, f64) {
        let mut l = std::mem::take(&mut *self.latencies.lock().unwrap_or_else(|p| p.into_inner()));
        l.sort_unstable();
        let p = |q: f64| {
            if l.is_empty() { 0.0 } else { l[((l.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0 }
        };
        (p(0.5), p(0.99))
    }
}

/// One rider's phone: a point circling at scooter speed, its clock, its queue of messages.
struct Phone {
    center: (f64, f64),
    angle: f64,
    clock_ms: i64,
    seq: u64,
    /// Fixes sent, and how many of them the history should keep.
    sent: u64,
    history_due: u64,
    kept_ms: i64,
}

impl Phone {
    fn message(&mut self) -> String {
        let mut msg = String::with_capacity(BATCH * 130 + 60);
        self.seq += 1;
        msg.push_str(&format!(r#"{{"type":"locations","seq":{},"pings":["#, self.seq));
        for k in 0..BATCH {
            // ~5.5 m/s on a circle of ~550 m: a scooter, plausible to the speed filter.
            self.clock_ms += FIX_EVERY_MS;
            self.angle += 0.01;
            let (lat, lng) = (self.center.0 + 0.005 * self.angle.sin(), self.center.1 + 0.005 * self.angle.cos());
            if k > 0 {
                msg.push(',');
            }
            msg.push_str(&format!(
                r#"{{"lat":{lat:.7},"lng":{lng:.7},"accuracy":8.0,"speed":5.5,"heading":{:.0},"recorded_at":"{}"}}"#,
                (self.angle.to_degrees() + 90.0).rem_euclid(360.0),
                rfc3339_ms(self.clock_ms)
            ));
            self.sent += 1;
            if self.clock_ms.saturating_sub(self.kept_ms) >= HISTORY_EVERY_MS {
                self.kept_ms = self.clock_ms;
                self.history_due += 1;
            }
        }
        msg.push_str("]}");
        msg
    }
}

pub async fn run(
    state: &AppState,
    keys: &TokenKeys,
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
) -> Result<Vec<LiveRow>> {
    // The index holds a city's fleet while the streaming riders move.
    let mut s = Scatter::new(5);
    for i in 0..100_000u128 {
        let id = uuid::Uuid::from_u128((1 << 100) + i);
        let (lat, lng) = s.point(0.0);
        state.delivery.fleet.know(id, dabba_domain::eta::Vehicle::Scooter);
        state.delivery.fleet.set_online(id, true);
        let fix = dabba_domain::ping::Fix {
            at: dabba_domain::LatLng { lat, lng },
            recorded_ms: 0,
            speed: None,
            heading: None,
            accuracy: None,
        };
        state.delivery.fleet.ingest(id, &[fix]);
    }
    let streamers = riders::users(state, keys, Role::Delivery, connections).await?;
    for r in &streamers {
        // Online, as riders at work are (`POST /delivery/available`): their fixes move them in the grid.
        state.delivery.fleet.know(r.user_id, dabba_domain::eta::Vehicle::Scooter);
        state.delivery.fleet.set_online(r.user_id, true);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let measuring = Arc::new(AtomicBool::new(false));
    let counted = Arc::new(Counted::default());
    let run_started = time::OffsetDateTime::now_utc();
    let start_ms = now_ms() - CLOCK_BACK_MS;
    let mut tasks = Vec::new();
    for (n, r) in streamers.iter().enumerate() {
        let url = format!("ws://{addr}/ws/rider?token={}", r.token);
        let (stop, measuring, counted) = (stop.clone(), measuring.clone(), counted.clone());
        let center = Scatter::new(n as u64 + 1).point(0.01);
        tasks.push(tokio::spawn(async move {
            let (mut ws, _) = tokio_tungstenite::connect_async(url).await.context("rider socket")?;
            let mut phone =
                Phone { center, angle: 0.0, clock_ms: start_ms, seq: 0, sent: 0, history_due: 0, kept_ms: i64::MIN };
            let mut waiting: VecDeque<(u64, Instant)> = VecDeque::with_capacity(WINDOW);
            loop {
                if !stop.load(Ordering::Relaxed) && waiting.len() < WINDOW {
                    if phone.clock_ms + BATCH as i64 * FIX_EVERY_MS > now_ms() {
                        bail!("a rider's clock caught up with the wall clock: start it further back");
                    }
                    let msg = phone.message();
                    waiting.push_back((phone.seq, Instant::now()));
                    ws.send(Message::Text(msg.into())).await?;
                    continue;
                }
                if waiting.is_empty() {
                    break;
                }
                let Some(msg) = ws.next().await else { bail!("the server closed a rider socket") };
                let Message::Text(text) = msg? else { continue };
                let v: serde_json::Value = serde_json::from_str(text.as_str()).unwrap_or_default();
                if v["type"] != "ack" {
                    counted.error(text.to_string());
                    continue;
                }
                let Some((seq, sent)) = waiting.pop_front() else { bail!("an ack nobody waited for: {text}") };
                if v["seq"].as_u64() != Some(seq) {
                    bail!("ack of seq {} while waiting for {seq}", v["seq"]);
                }
                if measuring.load(Ordering::Relaxed) {
                    counted.done.fetch_add(v["accepted"].as_u64().unwrap_or(0), Ordering::Relaxed);
                    counted.dropped.fetch_add(v["dropped"].as_u64().unwrap_or(0), Ordering::Relaxed);
                    counted.latencies.lock().unwrap_or_else(|p| p.into_inner()).push(sent.elapsed().as_micros() as u32);
                }
            }
            let _ = ws.close(None).await;
            Ok::<_, anyhow::Error>((phone.sent, phone.history_due))
        }));
    }
    tokio::time::sleep(duration / 4).await;
    measuring.store(true, Ordering::Relaxed);
    let t0 = Instant::now();
    tokio::time::sleep(duration).await;
    measuring.store(false, Ordering::Relaxed);
    let secs = t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let (mut sent, mut history_due) = (0u64, 0u64);
    for t in tasks {
        let (s, h) = t.await.context("rider client")??;
        sent += s;
        history_due += h;
    }
    let ours = counted.done.load(Ordering::Relaxed) as f64 / secs;
    let dropped = counted.dropped.load(Ordering::Relaxed);
    let (ack50, ack99) = counted.percentiles();
    let errors = counted.errors.load(Ordering::Relaxed);
    if let Some(e) = counted.first_error.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        eprintln!("ingest: {errors} answers were not acks, the first: {e}");
    }
    // Every point the history should keep, written? (The writer drops what it cannot keep up with.)
    state.delivery.history.flush().await;
    let until = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let mut written = 0usize;
    for r in &streamers {
        written +=
            state.store.locations(r.user_id, run_started - time::Duration::days(3), until, 10_000_000).await?.len();
    }
    let history = format!(
        "route history: {history_due} points due (1 per {} s of rider clock), {written} written",
        HISTORY_EVERY_MS / 1000
    );
    eprintln!(
        "ingest: {ours:.0} fixes/s acked over {connections} rider sockets (window {WINDOW} x {BATCH} fixes), \
         ack p50 {ack50:.2} ms p99 {ack99:.2} ms; {dropped} dropped, {errors} errors; {sent} fixes sent in all; {history}"
    );
    let reference = redis(connections, duration).await?;
    let shape = format!("{connections} rider sockets, window {WINDOW} messages x {BATCH} fixes 1 s apart");
    let vs = format!("Redis GEOADD, pipelines of {BATCH}, {connections} connections, window {WINDOW} pipelines");
    let note = |what: &str| match reference {
        Some(_) => format!("{shape}; {what} {vs}"),
        None => format!("{shape}; Redis not reachable on 127.0.0.1:6379: no comparison"),
    };
    Ok(vec![
        LiveRow {
            scenario: "ingest",
            metric: "fixes/s, acked".into(),
            dabba: ours,
            reference: reference.map(|r| r.0),
            ratio: reference.map(|r| ours / r.0),
            note: format!("{}; {dropped} dropped by the filters, {errors} errors", note("vs")),
        },
        LiveRow {
            scenario: "ingest",
            metric: "message sent -> ack, p50 (ms)".into(),
            dabba: ack50,
            reference: reference.map(|r| r.1),
            ratio: reference.map(|r| r.1 / ack50),
            note: note("vs pipeline sent -> its replies,"),
        },
        LiveRow {
            scenario: "ingest",
            metric: "message sent -> ack, p99 (ms)".into(),
            dabba: ack99,
            reference: reference.map(|r| r.2),
            ratio: reference.map(|r| r.2 / ack99),
            note: note("vs pipeline sent -> its replies,"),
        },
        LiveRow {
            scenario: "ingest",
            metric: "route history points written".into(),
            dabba: written as f64,
            reference: None,
            ratio: None,
            note: history,
        },
    ])
}

/// GEOADDs per second into Redis and the pipelines' reply time `(per s, p50 ms, p99 ms)`.
async fn redis(connections: usize, duration: Duration) -> Result<Option<(f64, f64, f64)>> {
    if Redis::connect().await.is_none() {
        return Ok(None);
    }
    let counted = Arc::new(Counted::default());
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (counted, measuring, stop) = (counted.clone(), measuring.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut r = Redis::connect().await.context("redis")?;
            let mut s = Scatter::new(c as u64 + 7);
            let mut buf = Vec::with_capacity(BATCH * 80);
            let mut waiting: VecDeque<Instant> = VecDeque::with_capacity(WINDOW);
            loop {
                if !stop.load(Ordering::Relaxed) && waiting.len() < WINDOW {
                    buf.clear();
                    for _ in 0..BATCH {
                        let (lat, lng) = s.point(0.0);
                        let member = format!("{}", (s.unit() * 100_000.0) as u64);
                        let (lng, lat) = (format!("{lng:.7}"), format!("{lat:.7}"));
                        resp::encode(
                            &mut buf,
                            &[b"GEOADD", b"dabba:bench:ingest", lng.as_bytes(), lat.as_bytes(), member.as_bytes()],
                        );
                    }
                    waiting.push_back(Instant::now());
                    r.send(&buf).await?;
                    continue;
                }
                let Some(sent) = waiting.pop_front() else { break };
                r.replies(BATCH).await?;
                if measuring.load(Ordering::Relaxed) {
                    counted.done.fetch_add(BATCH as u64, Ordering::Relaxed);
                    counted.latencies.lock().unwrap_or_else(|p| p.into_inner()).push(sent.elapsed().as_micros() as u32);
                }
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    tokio::time::sleep(duration / 4).await;
    measuring.store(true, Ordering::Relaxed);
    let t0 = Instant::now();
    tokio::time::sleep(duration).await;
    measuring.store(false, Ordering::Relaxed);
    let n = counted.done.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.context("redis client")??;
    }
    if let Some(mut r) = Redis::connect().await {
        r.call(&[b"DEL", b"dabba:bench:ingest"]).await?;
    }
    let (p50, p99) = counted.percentiles();
    eprintln!(
        "ingest reference: {n:.0} GEOADD/s into Redis over {connections} connections (window {WINDOW} x {BATCH}), \
         replies p50 {p50:.2} ms p99 {p99:.2} ms"
    );
    Ok(Some((n, p50, p99)))
}
