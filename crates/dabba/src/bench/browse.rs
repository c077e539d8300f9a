//! Scenario `browse`: a customer somewhere in the city lists nearby restaurants (page of 20),
//! then opens a restaurant's menu.

use super::client::Conn;
use super::{Row, row, seed_rng};
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Samples {
    list: Vec<u32>,
    menu: Vec<u32>,
    /// Non-200 answers (or an empty menu), per kind of request.
    list_errors: usize,
    menu_errors: usize,
}

/// Warms up, measures, and returns the rows of the scenario.
pub async fn run(
    addr: SocketAddr,
    places: &Arc<Vec<(uuid::Uuid, f64, f64)>>,
    connections: usize,
    duration: Duration,
    backend: &str,
) -> Result<Vec<Row>> {
    drive(addr, places, connections, (duration / 4).max(Duration::from_secs(1))).await?;
    let (samples, elapsed) = drive(addr, places, connections, duration).await?;
    let both: Vec<u32> = samples.list.iter().chain(&samples.menu).copied().collect();
    Ok(vec![
        row("browse (list + menu)", backend, both, samples.list_errors + samples.menu_errors, elapsed),
        row("  list nearby", backend, samples.list, samples.list_errors, elapsed),
        row("  menu", backend, samples.menu, samples.menu_errors, elapsed),
    ])
}

/// Runs `connections` clients for `duration`; each repeats list-then-menu.
async fn drive(
    addr: SocketAddr,
    places: &Arc<Vec<(uuid::Uuid, f64, f64)>>,
    connections: usize,
    duration: Duration,
) -> Result<(Samples, Duration)> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for c in 0..connections {
        let places = places.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = seed_rng(c as u64);
            let mut s = Samples::default();
            let mut conn = Conn::open(addr).await?;
            while Instant::now() < deadline {
                let (_, lat, lng) = places[rng.below(places.len())];
                // A customer up to ~2 km from a restaurant: where people actually are.
                let (lat, lng) = (lat + rng.range(-0.018, 0.018), lng + rng.range(-0.018, 0.018));
                let t = Instant::now();
                let status = conn.get(&format!("/api/v1/restaurants?lat={lat:.6}&lng={lng:.6}&limit=20")).await?;
                s.list.push(t.elapsed().as_micros() as u32);
                s.list_errors += usize::from(status != 200);
                let (id, _, _) = places[rng.below(places.len())];
                let t = Instant::now();
                let status = conn.get(&format!("/api/v1/restaurants/{id}/menu")).await?;
                s.menu.push(t.elapsed().as_micros() as u32);
                s.menu_errors += usize::from(status != 200 || conn.body().is_empty());
            }
            Ok::<_, std::io::Error>(s)
        }));
    }
    let mut all = Samples::default();
    for t in tasks {
        let s = t.await.context("client task")?.context("client I/O")?;
        all.list.extend(s.list);
        all.menu.extend(s.menu);
        all.list_errors += s.list_errors;
        all.menu_errors += s.menu_errors;
    }
    Ok((all, started.elapsed()))
}
