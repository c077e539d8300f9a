//! Scenario `ingest`: riders stream batches of queued fixes over `/ws/rider` into the live
//! state (filtered, indexed, sampled for history) while 100,000 riders are in it; then the
//! reference: pipelined `GEOADD` into Redis from as many connections, in batches of the same
//! size, for the same time.

use super::live::{LiveRow, Scatter};
use super::resp::{self, Redis};
use super::riders;
use anyhow::{Context, Result};
use dabba_api::{AppState, TokenKeys};
use dabba_domain::Role;
use futures_util::SinkExt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Connections of the Redis side (redis-benchmark's default).
const REDIS_CONNECTIONS: usize = 50;

/// Fixes per message, and commands per Redis pipeline: the same batching on both sides.
pub const BATCH: usize = 16;

fn rfc3339_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
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
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    // Rider clocks start five minutes back: a fix per millisecond stays in the past for minutes of run.
    let start_ms = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64 - 300_000;
    for (n, r) in streamers.iter().enumerate() {
        let url = format!("ws://{addr}/ws/rider?token={}", r.token);
        let (stop, sent) = (stop.clone(), sent.clone());
        let (mut lat, lng) = Scatter::new(n as u64 + 1).point(0.01);
        tasks.push(tokio::spawn(async move {
            let (mut ws, _) = tokio_tungstenite::connect_async(url).await.context("rider socket")?;
            let mut t = start_ms;
            while !stop.load(Ordering::Relaxed) {
                let mut msg = String::with_capacity(BATCH * 90 + 40);
                msg.push_str(r#"{"type":"locations","pings":["#);
                for k in 0..BATCH {
                    // A rider creeping north, a fix per millisecond of their clock: every fix
                    // is newer than the last and physically possible, so all are kept.
                    t += 1;
                    lat += 1e-6;
                    if k > 0 {
                        msg.push(',');
                    }
                    msg.push_str(&format!(r#"{{"lat":{lat:.7},"lng":{lng:.7},"recorded_at":"{}"}}"#, rfc3339_ms(t)));
                }
                msg.push_str("]}");
                ws.send(Message::Text(msg.into())).await?;
                sent.fetch_add(BATCH as u64, Ordering::Relaxed);
            }
            let _ = ws.close(None).await;
            Ok::<_, anyhow::Error>(())
        }));
    }
    let totals = &state.delivery.fleet.totals;
    tokio::time::sleep(duration / 4).await;
    let (a0, d0, t0) =
        (totals.accepted.load(Ordering::Relaxed), totals.dropped.load(Ordering::Relaxed), Instant::now());
    tokio::time::sleep(duration).await;
    let (a1, d1, secs) =
        (totals.accepted.load(Ordering::Relaxed), totals.dropped.load(Ordering::Relaxed), t0.elapsed().as_secs_f64());
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.context("rider client")??;
    }
    // Fixes still in socket buffers are applied after the clients stop: wait for the server
    // to go quiet, so the reference does not share the machine with them.
    let mut last = totals.accepted.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = totals.accepted.load(Ordering::Relaxed);
        if now == last {
            break;
        }
        last = now;
    }
    let ours = (a1 - a0) as f64 / secs;
    eprintln!("ingest: {ours:.0} fixes/s kept over {connections} rider sockets ({} dropped)", d1 - d0);
    let reference = redis(REDIS_CONNECTIONS, duration).await?;
    let note = match reference {
        Some(_) => format!(
            "{connections} rider sockets, {BATCH} fixes/message vs GEOADD pipelined x{BATCH} over {REDIS_CONNECTIONS} connections; {} dropped",
            d1 - d0
        ),
        None => "Redis not reachable on 127.0.0.1:6379: no comparison".into(),
    };
    Ok(vec![LiveRow {
        scenario: "ingest",
        metric: "location fixes/s".into(),
        dabba: ours,
        reference,
        ratio: reference.map(|r| ours / r),
        note,
    }])
}

/// GEOADDs per second into Redis, pipelined in batches of [`BATCH`].
async fn redis(connections: usize, duration: Duration) -> Result<Option<f64>> {
    if Redis::connect().await.is_none() {
        return Ok(None);
    }
    let done = Arc::new(AtomicU64::new(0));
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (done, counting, stop) = (done.clone(), counting.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut r = Redis::connect().await.context("redis")?;
            let mut s = Scatter::new(c as u64 + 7);
            let mut buf = Vec::with_capacity(BATCH * 80);
            while !stop.load(Ordering::Relaxed) {
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
                r.pipeline(&buf, BATCH).await?;
                if counting.load(Ordering::Relaxed) {
                    done.fetch_add(BATCH as u64, Ordering::Relaxed);
                }
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    tokio::time::sleep(duration / 4).await;
    counting.store(true, Ordering::Relaxed);
    let t0 = Instant::now();
    tokio::time::sleep(duration).await;
    counting.store(false, Ordering::Relaxed);
    let n = done.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.context("redis client")??;
    }
    if let Some(mut r) = Redis::connect().await {
        r.call(&[b"DEL", b"dabba:bench:ingest"]).await?;
    }
    eprintln!("ingest reference: {n:.0} GEOADD/s into Redis over {connections} connections");
    Ok(Some(n))
}
