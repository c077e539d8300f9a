//! `dabba bench`: starts the server in this process on a seeded city, drives it over loopback
//! with many keep-alive connections, prints a table and writes it as JSON.
//!
//! Scenarios: `browse` (list nearby + menu), `checkout` (add to cart + COD checkout),
//! `payment` (add to cart + card checkout + the sandbox pay page and its webhook) and
//! `contested` (many customers on four restaurants with tracked stock, kitchen limits and a
//! limited offer). Each run also drives a bare axum handler with the same client: the
//! reference of the same run.

mod browse;
mod checkout;
mod client;
mod contested;
mod dashboard;
mod discovery;
mod dispatch;
mod ingest;
mod live;
mod nearby;
mod resp;
mod riders;
mod tracking;
pub mod watchers;

use crate::config::Settings;
use crate::{seed, serve};
use anyhow::{Context, Result, bail};
use client::Conn;
use dabba_api::{AppState, TokenKeys};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Restaurants in the city (seeded into an empty database; an existing one must hold at least this many).
    #[arg(long, default_value_t = 50_000)]
    restaurants: usize,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Seconds of measurement (after a warm-up of a quarter of that).
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Where to write the JSON results.
    #[arg(long, default_value = "bench-results/bench.json")]
    out: PathBuf,
    /// Which scenarios to run.
    #[arg(long, value_enum, default_value_t = Scenario::All)]
    scenario: Scenario,
    /// Concurrent customers in the checkout scenario.
    #[arg(long, default_value_t = 16)]
    checkout_connections: usize,
    /// Concurrent customers in the contested scenario (all on four restaurants).
    #[arg(long, default_value_t = 64)]
    contested_customers: usize,
    /// Riders streaming fixes in the ingest scenario (one socket each).
    #[arg(long, default_value_t = 256)]
    ingest_connections: usize,
    /// Riders in the nearby scenario's fleet.
    #[arg(long, default_value_t = 100_000)]
    fleet: usize,
    /// Watchers (one order each) in the tracking scenario.
    #[arg(long, default_value_t = 10_000)]
    watchers: usize,
    /// Waiting orders and riders of the dispatch scenario's round.
    #[arg(long, default_value_t = 1_000)]
    waiting: usize,
    #[arg(long, default_value_t = 2_000)]
    riders: usize,
    /// Orders of the day the dashboard scenario writes (once) and counts.
    #[arg(long, default_value_t = 200_000)]
    day_orders: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, clap::ValueEnum)]
enum Scenario {
    All,
    Browse,
    Checkout,
    Payment,
    /// Many customers on four restaurants: tracked stock, kitchen limits, an offer with a
    /// redemption limit; refusals counted by error code, invariants checked after the run.
    Contested,
    /// `ingest`, `nearby` and `tracking` (the live-state scenarios; their own table).
    Live,
    Ingest,
    Nearby,
    Tracking,
    /// The search index on the city: build, in-process searches and suggestions, HTTP listing,
    /// and (on PostgreSQL) the same searches in SQL.
    Discovery,
    /// The operations dashboard of one day of a busy city's orders (written once).
    Dashboard,
    /// One round of the batch dispatcher on a busy moment (no server, no store), beside greedy.
    Dispatch,
}

impl Scenario {
    fn is_live(self) -> bool {
        matches!(self, Scenario::Live | Scenario::Ingest | Scenario::Nearby | Scenario::Tracking)
    }
}

/// One line of the results table.
#[derive(Debug, Serialize)]
pub struct Row {
    pub scenario: String,
    pub backend: String,
    pub requests: usize,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: usize,
    /// Requests/s as a fraction of the bare-axum reference of the same run.
    pub vs_reference: f64,
    /// Expected refusals (not errors), by `error_code`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<(String, usize)>,
}

#[derive(Debug, Serialize)]
struct Report {
    restaurants: usize,
    connections: usize,
    duration_secs: u64,
    cores: usize,
    rows: Vec<Row>,
}

pub async fn run(settings: Settings, args: BenchArgs) -> Result<()> {
    if args.scenario == Scenario::Dispatch {
        dispatch::run(args.waiting, args.riders);
        return Ok(());
    }
    if args.scenario == Scenario::Nearby {
        let rows = nearby::run(args.fleet, 20_000).await?;
        live::print(&rows);
        return live::write(&args.out, &rows);
    }
    let store = serve::open_store(&settings).await?;
    let have = store.restaurant_count().await? as usize;
    if args.scenario == Scenario::Discovery {
        if have < args.restaurants {
            bail!("the database holds {have} restaurants: seed the city first (`dabba seed --restaurants N`)");
        }
        let measured = Duration::from_secs(args.duration.max(1));
        return discovery::run(settings.database_url.expose(), store, args.connections, measured).await;
    }
    if have == 0 {
        let plan = seed::Plan { restaurants: args.restaurants, customers: 100, riders: 50, seed: 7 };
        let started = Instant::now();
        seed::run(store.as_ref(), plan, true).await?;
        eprintln!("seeded {} restaurants in {:.1}s", args.restaurants, started.elapsed().as_secs_f64());
    } else if have < args.restaurants {
        bail!(
            "the database holds {have} restaurants, fewer than --restaurants {}: use an empty database",
            args.restaurants
        );
    }
    let all = store.restaurants_changed_since(time::OffsetDateTime::UNIX_EPOCH).await?;
    let places: Arc<Vec<(uuid::Uuid, f64, f64)>> =
        Arc::new(all.iter().filter(|r| !r.is_banned).map(|r| (r.restaurant_id, r.latitude, r.longitude)).collect());
    drop(all);
    if places.is_empty() {
        bail!("no restaurants to browse");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let keys = TokenKeys::new(b"bench", Duration::from_secs(3600));
    // One address drives every client: rate limits would measure themselves.
    let mut state =
        AppState::load(store.clone(), keys.clone()).await?.with_edge(dabba_api::edge::EdgeConfig::unlimited());
    let wants = |s: Scenario| args.scenario == Scenario::All || args.scenario == s;
    if wants(Scenario::Contested) {
        // Only restaurants with a kitchen limit see it: the contested scenario's four.
        state.ordering = Arc::new(dabba_api::orders::OrderingConfig {
            kitchen_window: contested::KITCHEN_WINDOW,
            ..Default::default()
        });
    }
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dabba_api::serve(listener, state.clone(), async {
        let _ = stop_rx.await;
    }));
    if args.scenario == Scenario::Dashboard {
        dashboard::run(&state, &keys, addr, args.day_orders).await?;
        let _ = stop_tx.send(());
        match tokio::time::timeout(Duration::from_secs(10), server).await {
            Ok(done) => done.context("server task")??,
            Err(_) => eprintln!("the server did not stop within 10 s"),
        }
        store.close().await;
        return Ok(());
    }
    let measured = Duration::from_secs(args.duration.max(1));
    let backend = store.backend().to_owned();
    let mut rows = Vec::new();
    if args.scenario.is_live() {
        let wants = |s: Scenario| args.scenario == Scenario::Live || args.scenario == s;
        let mut rows = Vec::new();
        if wants(Scenario::Ingest) {
            rows.extend(ingest::run(&state, &keys, addr, args.ingest_connections, measured).await?);
        }
        if wants(Scenario::Nearby) {
            rows.extend(nearby::run(args.fleet, 20_000).await?);
        }
        if wants(Scenario::Tracking) {
            rows.extend(tracking::run(&state, &keys, addr, args.watchers, measured).await?);
        }
        let _ = stop_tx.send(());
        // Graceful: the background tasks stop before the database closes.
        match tokio::time::timeout(Duration::from_secs(10), server).await {
            Ok(done) => done.context("server task")??,
            Err(_) => eprintln!("the server did not stop within 10 s"),
        }
        store.close().await;
        live::print(&rows);
        return live::write(&args.out, &rows);
    }
    if wants(Scenario::Browse) {
        rows.extend(browse::run(addr, &places, args.connections, measured, &backend).await?);
    }
    if wants(Scenario::Checkout) || wants(Scenario::Payment) {
        let shoppers = checkout::prepare(&state, &keys, args.checkout_connections).await?;
        if wants(Scenario::Checkout) {
            rows.extend(checkout::run(addr, &shoppers, measured, &backend).await?);
        }
        if wants(Scenario::Payment) {
            rows.extend(checkout::run_paid(addr, &shoppers, measured, &backend).await?);
        }
    }
    if wants(Scenario::Contested) {
        rows.extend(contested::run(&state, &keys, addr, args.contested_customers, measured, &backend).await?);
    }
    let _ = stop_tx.send(());
    server.await.context("server task")??;
    // Every paisa the run moved must still be explained.
    let ledger = dabba_api::payments::check::check(&store.ledger_snapshot().await?);
    eprintln!(
        "ledger check after the run: {} ({} transactions{})",
        if ledger.ok { "ok" } else { "FAILED" },
        ledger.transactions,
        ledger.problems.first().map(|p| format!("; first problem: {p}")).unwrap_or_default()
    );
    store.close().await;
    if !ledger.ok {
        bail!("the ledger check failed after the benchmark");
    }
    rows.push(reference(args.connections, measured).await?);
    let best = rows.last().map_or(0.0, |r| r.requests_per_sec);
    for r in &mut rows {
        r.vs_reference = if best > 0.0 { r.requests_per_sec / best } else { 0.0 };
    }
    print_table(&rows);
    let report = Report {
        restaurants: have.max(args.restaurants),
        connections: args.connections,
        duration_secs: args.duration,
        cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        rows,
    };
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&report)?)?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

/// The reference of the same run: a bare axum handler returning a small JSON object, driven by
/// the same client, so figures can be read as a ratio of what this machine does at best.
pub(super) async fn reference(connections: usize, duration: Duration) -> Result<Row> {
    let app =
        axum::Router::new().route("/", axum::routing::get(|| async { axum::Json(serde_json::json!({"ok": true})) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let (mut micros, mut errors) = (Vec::new(), 0usize);
            while Instant::now() < deadline {
                let t = Instant::now();
                errors += usize::from(conn.get("/").await? != 200);
                micros.push(t.elapsed().as_micros() as u32);
            }
            Ok::<_, std::io::Error>((micros, errors))
        }));
    }
    let (mut micros, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (m, e) = t.await.context("reference client")??;
        micros.extend(m);
        errors += e;
    }
    let elapsed = started.elapsed();
    server.abort();
    Ok(row("reference: bare axum JSON", "-", micros, errors, elapsed))
}

pub(crate) fn seed_rng(n: u64) -> seed::Rng {
    seed::Rng::new(1000 + n)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

pub(crate) fn row(scenario: &str, backend: &str, mut micros: Vec<u32>, errors: usize, elapsed: Duration) -> Row {
    micros.sort_unstable();
    Row {
        scenario: scenario.into(),
        backend: backend.into(),
        requests: micros.len(),
        requests_per_sec: micros.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: percentile(&micros, 0.50),
        p99_ms: percentile(&micros, 0.99),
        errors,
        vs_reference: 0.0,
        refused: Vec::new(),
    }
}

fn print_table(rows: &[Row]) {
    println!("| scenario | backend | requests/s | vs reference | p50 ms | p99 ms | errors | refused |");
    println!("|---|---|---:|---:|---:|---:|---:|---|");
    for r in rows {
        let refused = if r.refused.is_empty() {
            "–".to_owned()
        } else {
            r.refused.iter().map(|(code, n)| format!("{code} {n}")).collect::<Vec<_>>().join(", ")
        };
        println!(
            "| {} | {} | {:.0} | {:.3} | {:.2} | {:.2} | {} | {refused} |",
            r.scenario, r.backend, r.requests_per_sec, r.vs_reference, r.p50_ms, r.p99_ms, r.errors
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_right_sample() {
        let v: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
