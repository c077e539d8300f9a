//! Scenario `nearby`: the 20 nearest available riders within 2 km, among 100,000 riders. Three
//! ways, and they are not alike:
//!
//! - in process: a function call on the live state (what dispatch does), no socket;
//! - over HTTP: the same call behind a bench-only axum route (`GET /riders/nearest`, JSON of the
//!   20 riders and their distance), one keep-alive loopback connection, one query at a time. The
//!   API has no endpoint that answers this query: dispatch runs it inside its loop, which order
//!   events and `POST /api/v1/delivery/available` only wake, so no request waits on it;
//! - Redis `GEOSEARCH … BYRADIUS 2 km ASC COUNT 20` over the same points and the same query
//!   points: a loopback round trip each, one connection, one at a time, with how often both agree.
//!
//! Next to them, what a round trip costs with nothing in it: a bare axum `{"ok":true}` over the
//! same client, and Redis `PING`.

use super::client::Conn;
use super::live::{LiveRow, Scatter, pct};
use super::resp::{self, Redis, Reply};
use anyhow::{Context, Result};
use dabba_api::delivery::fleet::Fleet;
use dabba_domain::LatLng;
use dabba_domain::eta::Vehicle;
use dabba_domain::ping::Fix;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const KEY: &[u8] = b"dabba:bench:riders";

/// A fleet of `n` available riders scattered over the city.
pub fn fleet(n: usize, seed: u64) -> (Fleet, Vec<(f64, f64)>) {
    let fleet = Fleet::new(Duration::from_secs(15), Duration::from_secs(3_600));
    let mut s = Scatter::new(seed);
    let mut points = Vec::with_capacity(n);
    for i in 0..n {
        let id = Uuid::from_u128(i as u128 + 1);
        let (lat, lng) = s.point(0.0);
        fleet.know(id, Vehicle::Scooter);
        fleet.set_online(id, true);
        let fix = Fix { at: LatLng { lat, lng }, recorded_ms: 0, speed: None, heading: None, accuracy: None };
        fleet.ingest(id, &[fix]);
        points.push((lat, lng));
    }
    (fleet, points)
}

pub async fn run(riders: usize, queries: usize) -> Result<Vec<LiveRow>> {
    let (fleet, points) = fleet(riders, 11);
    let mut s = Scatter::new(99);
    let centers: Vec<LatLng> = (0..queries)
        .map(|_| {
            let (lat, lng) = s.point(0.03);
            LatLng { lat, lng }
        })
        .collect();
    let mut ours = Vec::with_capacity(queries);
    let mut found = 0usize;
    for c in centers.iter().take(1_000) {
        found += fleet.nearest(*c, 2.0, 20, |_| false).len();
    }
    for c in &centers {
        let t = Instant::now();
        let near = fleet.nearest(*c, 2.0, 20, |_| false);
        ours.push(t.elapsed().as_secs_f64() * 1e6);
        found += near.len();
    }
    ours.sort_by(f64::total_cmp);
    let (p50, p99) = (pct(&ours, 0.5), pct(&ours, 0.99));
    eprintln!("nearby: {riders} riders, {queries} queries, p50 {p50:.2} µs, p99 {p99:.2} µs ({found} riders found)");
    let mut rows = vec![];
    let reference = redis(&points, &centers, &fleet).await?;
    let (ref50, ref99, agree, ping) = match reference {
        Some(r) => (Some(r.p50), Some(r.p99), Some(r.agree), Some((r.ping50, r.ping99))),
        None => (None, None, None, None),
    };
    let note = match agree {
        Some(a) => format!("{riders} riders; same top-20 as Redis in {:.1}% of ids", a * 100.0),
        None => "Redis not reachable on 127.0.0.1:6379: no comparison".into(),
    };
    let fleet = Arc::new(fleet);
    let http = http(fleet.clone(), &centers[..centers.len().min(HTTP_QUERIES)]).await?;
    eprintln!(
        "nearby over HTTP: p50 {:.1} µs, p99 {:.1} µs; bare axum round trip p50 {:.1} µs, p99 {:.1} µs{}",
        http.p50,
        http.p99,
        http.bare50,
        http.bare99,
        ping.map_or(String::new(), |(a, b)| format!("; Redis PING p50 {a:.1} µs, p99 {b:.1} µs"))
    );
    let pair = |metric: &str, dabba: f64, reference: Option<f64>, note: &str| LiveRow {
        scenario: "nearby",
        metric: metric.into(),
        dabba,
        reference,
        ratio: reference.map(|r| r / dabba),
        note: note.to_owned(),
    };
    let vs = "vs Redis GEOSEARCH, a loopback round trip";
    rows.push(pair("in-process call, p50 (µs)", p50, ref50, &format!("{note}; {vs}")));
    rows.push(pair("in-process call, p99 (µs)", p99, ref99, &format!("{note}; {vs}")));
    let over = "bench-only axum route, 1 keep-alive loopback connection, JSON of 20 riders";
    rows.push(pair("over HTTP, p50 (µs)", http.p50, ref50, &format!("{over}; {vs}")));
    rows.push(pair("over HTTP, p99 (µs)", http.p99, ref99, &format!("{over}; {vs}")));
    let bare = "bare axum {\"ok\":true}, same client; vs Redis PING";
    rows.push(pair("bare HTTP round trip, p50 (µs)", http.bare50, ping.map(|p| p.0), bare));
    rows.push(pair("bare HTTP round trip, p99 (µs)", http.bare99, ping.map(|p| p.1), bare));
    Ok(rows)
}

/// Queries over HTTP (and bare round trips), one at a time.
const HTTP_QUERIES: usize = 5_000;

struct OverHttp {
    p50: f64,
    p99: f64,
    bare50: f64,
    bare99: f64,
}

#[derive(serde::Deserialize)]
struct Point {
    lat: f64,
    lng: f64,
}

#[derive(serde::Serialize)]
struct NearView {
    rider_id: Uuid,
    km: f64,
}

/// The nearest-riders call behind a bench-only route, and a bare handler, over one keep-alive
/// loopback connection each; `(p50, p99)` in µs of each.
async fn http(fleet: Arc<Fleet>, centers: &[LatLng]) -> Result<OverHttp> {
    let app = axum::Router::new()
        .route(
            "/riders/nearest",
            axum::routing::get(move |axum::extract::Query(p): axum::extract::Query<Point>| {
                let fleet = fleet.clone();
                async move {
                    let near = fleet.nearest(LatLng { lat: p.lat, lng: p.lng }, 2.0, 20, |_| false);
                    axum::Json(near.iter().map(|n| NearView { rider_id: n.entry.rider, km: n.km }).collect::<Vec<_>>())
                }
            }),
        )
        .route("/", axum::routing::get(|| async { axum::Json(serde_json::json!({"ok": true})) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let mut conn = Conn::open(addr).await?;
    let mut run = async |bare: bool| -> Result<Vec<f64>> {
        let mut lat = Vec::with_capacity(centers.len());
        for (i, c) in centers.iter().enumerate() {
            let path = if bare { "/".to_owned() } else { format!("/riders/nearest?lat={}&lng={}", c.lat, c.lng) };
            let t = Instant::now();
            let status = conn.get(&path).await?;
            let us = t.elapsed().as_secs_f64() * 1e6;
            anyhow::ensure!(status == 200 && !conn.body().is_empty(), "{path}: {status}");
            // The first queries warm up (connection, allocator).
            if i >= 200 {
                lat.push(us);
            }
        }
        lat.sort_by(f64::total_cmp);
        Ok(lat)
    };
    let ours = run(false).await.context("nearest riders over HTTP")?;
    let bare = run(true).await.context("bare round trips")?;
    server.abort();
    Ok(OverHttp { p50: pct(&ours, 0.5), p99: pct(&ours, 0.99), bare50: pct(&bare, 0.5), bare99: pct(&bare, 0.99) })
}

struct RedisFigures {
    p50: f64,
    p99: f64,
    agree: f64,
    ping50: f64,
    ping99: f64,
}

/// GEOSEARCH on the same points (p50, p99 µs, agreement) and PING; `None` without Redis.
async fn redis(points: &[(f64, f64)], centers: &[LatLng], fleet: &Fleet) -> Result<Option<RedisFigures>> {
    let Some(mut r) = Redis::connect().await else { return Ok(None) };
    r.call(&[b"DEL", KEY]).await?;
    for (chunk_no, chunk) in points.chunks(500).enumerate() {
        let mut args: Vec<Vec<u8>> = vec![b"GEOADD".to_vec(), KEY.to_vec()];
        for (i, (lat, lng)) in chunk.iter().enumerate() {
            let id = chunk_no * 500 + i + 1;
            args.push(format!("{lng}").into_bytes());
            args.push(format!("{lat}").into_bytes());
            args.push(id.to_string().into_bytes());
        }
        let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        r.call(&refs).await?;
    }
    // Redis answers ~100x slower: a few thousand queries give stable percentiles.
    let n = centers.len().min(5_000);
    let mut lat = Vec::with_capacity(n);
    let (mut same, mut total) = (0usize, 0usize);
    for (i, c) in centers.iter().take(n).enumerate() {
        let (lng, la) = (c.lng.to_string(), c.lat.to_string());
        let args: [&[u8]; 11] = [
            b"GEOSEARCH",
            KEY,
            b"FROMLONLAT",
            lng.as_bytes(),
            la.as_bytes(),
            b"BYRADIUS",
            b"2",
            b"km",
            b"ASC",
            b"COUNT",
            b"20",
        ];
        let mut buf = Vec::new();
        resp::encode(&mut buf, &args);
        let t = Instant::now();
        let reply = r.pipeline(&buf, 1).await?.remove(0);
        lat.push(t.elapsed().as_secs_f64() * 1e6);
        if i < 500 {
            let theirs: HashSet<u128> = match reply {
                Reply::Array(items) => items
                    .into_iter()
                    .filter_map(|x| match x {
                        Reply::Bulk(Some(b)) => String::from_utf8(b).ok()?.parse().ok(),
                        _ => None,
                    })
                    .collect(),
                _ => HashSet::new(),
            };
            let ours: HashSet<u128> =
                fleet.nearest(*c, 2.0, 20, |_| false).iter().map(|n| n.entry.rider.as_u128()).collect();
            same += ours.intersection(&theirs).count();
            total += ours.len().max(theirs.len());
        }
    }
    r.call(&[b"DEL", KEY]).await?;
    lat.sort_by(f64::total_cmp);
    let mut pings = Vec::with_capacity(n);
    let mut buf = Vec::new();
    resp::encode(&mut buf, &[b"PING"]);
    for _ in 0..n {
        let t = Instant::now();
        r.pipeline(&buf, 1).await?;
        pings.push(t.elapsed().as_secs_f64() * 1e6);
    }
    pings.sort_by(f64::total_cmp);
    Ok(Some(RedisFigures {
        p50: pct(&lat, 0.5),
        p99: pct(&lat, 0.99),
        agree: if total == 0 { 1.0 } else { same as f64 / total as f64 },
        ping50: pct(&pings, 0.5),
        ping99: pct(&pings, 0.99),
    }))
}
