//! Scenario `nearby`: the 20 nearest available riders within 2 km, among 100,000 riders, in
//! process; then Redis `GEOSEARCH … BYRADIUS 2 km ASC COUNT 20` over the same points and the
//! same query points, with how often both agree.

use super::live::{LiveRow, Scatter, pct};
use super::resp::{self, Redis, Reply};
use anyhow::Result;
use dabba_api::delivery::fleet::Fleet;
use dabba_domain::LatLng;
use dabba_domain::eta::Vehicle;
use dabba_domain::ping::Fix;
use std::collections::HashSet;
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
    let (ref50, ref99, agree) = match reference {
        Some((a, b, c)) => (Some(a), Some(b), Some(c)),
        None => (None, None, None),
    };
    let note = match agree {
        Some(a) => format!("{riders} riders; same top-20 as Redis in {:.1}% of ids", a * 100.0),
        None => "Redis not reachable on 127.0.0.1:6379: no comparison".into(),
    };
    rows.push(LiveRow {
        scenario: "nearby",
        metric: "p50 latency (µs)".into(),
        dabba: p50,
        reference: ref50,
        ratio: ref50.map(|r| r / p50),
        note: note.clone(),
    });
    rows.push(LiveRow {
        scenario: "nearby",
        metric: "p99 latency (µs)".into(),
        dabba: p99,
        reference: ref99,
        ratio: ref99.map(|r| r / p99),
        note,
    });
    Ok(rows)
}

/// `(p50 µs, p99 µs, agreement)` of GEOSEARCH on the same points; `None` without Redis.
async fn redis(points: &[(f64, f64)], centers: &[LatLng], fleet: &Fleet) -> Result<Option<(f64, f64, f64)>> {
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
    Ok(Some((pct(&lat, 0.5), pct(&lat, 0.99), if total == 0 { 1.0 } else { same as f64 / total as f64 })))
}
