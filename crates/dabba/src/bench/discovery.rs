//! Scenario `discovery`: the search index over the seeded city. It builds the index from the
//! store (timed, with a progress bar, resident memory measured), runs searches and suggestions in
//! process, drives the listing over HTTP next to two bare axum handlers serving the same page (one
//! re-serialising a `serde_json::Value` per request, one cloning pre-serialised `Bytes`), and on
//! PostgreSQL runs a sample of the same searches the obvious way in SQL (earthdistance for the
//! radius, pg_trgm for the text) for the ratio.

use super::client::Conn;
use super::{Row, row, seed_rng};
use anyhow::{Context, Result};
use dabba_api::discovery::Discovery;
use dabba_api::{AppState, TokenKeys};
use dabba_search::{Filters, Request, Sort};
use dabba_store::Store;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What customers type: dishes, cuisines, two words, and typos.
const QUERIES: &[&str] = &[
    "biryani",
    "chicken biryani",
    "paneer",
    "paneer tikka",
    "pizza",
    "margherita pizza",
    "noodles",
    "hakka noodles",
    "dosa",
    "masala dosa",
    "momos",
    "butter chicken",
    "north indian",
    "chinese",
    "biriyani",
    "panner tikka",
    "margarita",
    "late night",
];
/// In-process searches measured.
const SEARCHES: usize = 4_000;
const SUGGESTIONS: usize = 10_000;
const LISTINGS: usize = 10_000;
/// Restaurants re-read one at a time, as catalog events do.
const RELOADS: usize = 200;
/// Turns the listing and its reference take over HTTP.
const ROUNDS: usize = 5;
/// Searches run on PostgreSQL (each may take a while).
const SQL_SAMPLE: usize = 60;

fn progress(done: usize, total: usize, started: Instant) {
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    eprint!(
        "\rindexing [{}{}] {done}/{total} restaurants, {:.1}s ",
        "#".repeat(filled),
        ".".repeat(width - filled),
        started.elapsed().as_secs_f64()
    );
    let _ = std::io::stderr().flush();
}

/// A customer's point: near a random restaurant, where people are.
fn point(places: &[(f64, f64)], rng: &mut crate::seed::Rng) -> (f64, f64) {
    let (lat, lng) = places[rng.below(places.len())];
    (lat + rng.range(-0.018, 0.018), lng + rng.range(-0.018, 0.018))
}

fn filters(i: usize) -> Filters {
    Filters {
        veg_only: i % 3 == 1,
        min_rating: (i % 4 == 2).then_some(4.0),
        max_delivery_minutes: (i % 5 == 3).then_some(45),
        ..Filters::default()
    }
}

fn micros(t: Instant) -> u32 {
    (t.elapsed().as_nanos() / 1000) as u32
}

fn ms(sorted: &[u32], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len().max(1)) - 1;
    sorted.get(i).copied().unwrap_or(0) as f64 / 1000.0
}

pub async fn run(database_url: &str, store: Arc<dyn Store>, connections: usize, duration: Duration) -> Result<()> {
    let before = super::tracking::rss();
    let started = Instant::now();
    let discovery = Discovery::load(store.clone(), |d, t| progress(d, t, started)).await?;
    let build = started.elapsed();
    let grown = super::tracking::rss().saturating_sub(before);
    let (restaurants, dishes, words) = {
        let i = discovery.read();
        (i.len(), i.dish_count(), i.vocabulary())
    };
    eprintln!();
    println!(
        "index: {restaurants} restaurants, {dishes} dishes, {words} words; built in {:.1} s; resident memory +{} MB",
        build.as_secs_f64(),
        grown / (1 << 20)
    );
    let places: Vec<(f64, f64)> = {
        let mut out = Vec::new();
        let i = discovery.read();
        i.each_serving_all(|p| out.push((p.restaurant.latitude, p.restaurant.longitude)));
        out
    };
    let mut rng = seed_rng(99);
    let now = jiff::Timestamp::now();
    // In process: text + geo + filters, a page of 20.
    let mut times = Vec::with_capacity(SEARCHES);
    let mut found = 0usize;
    for i in 0..SEARCHES {
        let (lat, lng) = point(&places, &mut rng);
        let words = dabba_search::text::query_words(QUERIES[i % QUERIES.len()]);
        let f = filters(i);
        let req = Request { lat, lng, words: &words, filters: &f, sort: Sort::Relevance, now, first: 20 };
        let t = Instant::now();
        let index = discovery.read();
        found += if i % 2 == 0 { index.search(&req).total } else { index.search_dishes(&req).total };
        drop(index);
        times.push(micros(t));
    }
    times.sort_unstable();
    println!(
        "search in process ({SEARCHES}, restaurants and dishes, a third with filters): p50 {:.3} ms, p99 {:.3} ms, mean results {}",
        ms(&times, 0.5),
        ms(&times, 0.99),
        found / SEARCHES
    );
    let prefixes: Vec<String> =
        QUERIES.iter().flat_map(|q| (1..=q.len().min(6)).map(move |n| q[..n].to_owned())).collect();
    let mut times = Vec::with_capacity(SUGGESTIONS);
    for i in 0..SUGGESTIONS {
        let (lat, lng) = point(&places, &mut rng);
        let t = Instant::now();
        let n = discovery.read().suggest(lat, lng, &prefixes[i % prefixes.len()], 8).len();
        times.push(micros(t));
        std::hint::black_box(n);
    }
    times.sort_unstable();
    println!(
        "suggestions in process ({SUGGESTIONS}, 1–6 letters): p50 {:.3} ms, p99 {:.3} ms",
        ms(&times, 0.5),
        ms(&times, 0.99)
    );
    let mut times = Vec::with_capacity(LISTINGS);
    for _ in 0..LISTINGS {
        let (lat, lng) = point(&places, &mut rng);
        let t = Instant::now();
        let page = discovery.read().list(lat, lng, &Filters::default(), Sort::Distance, now, 20);
        times.push(micros(t));
        std::hint::black_box(page.total);
    }
    times.sort_unstable();
    println!(
        "listing in process ({LISTINGS}, nearest 20 and the total): p50 {:.3} ms, p99 {:.3} ms",
        ms(&times, 0.5),
        ms(&times, 0.99)
    );
    // Freshness: one restaurant re-read and swapped in (its cell's lists rebuilt) under the lock.
    let ids: Vec<uuid::Uuid> = {
        let mut out = Vec::new();
        discovery.read().each_serving_all(|p| out.push(p.restaurant.restaurant_id));
        out
    };
    let mut times = Vec::with_capacity(RELOADS);
    for _ in 0..RELOADS {
        let id = ids[rng.below(ids.len())];
        let t = Instant::now();
        discovery.reload(&[id]).await?;
        times.push(micros(t));
    }
    times.sort_unstable();
    println!(
        "reload of one restaurant ({RELOADS}, store read + swap): p50 {:.3} ms, max {:.3} ms",
        ms(&times, 0.5),
        ms(&times, 1.0)
    );
    if database_url.starts_with("postgres") {
        sql_comparison(database_url, &discovery, &places).await?;
    }
    http(store, discovery, &places, connections, duration).await
}

/// The listing over HTTP; the same page from bare axum, re-serialised from a `serde_json::Value`
/// per request and as pre-serialised `Bytes`; and `{"ok":true}`.
async fn http(
    store: Arc<dyn Store>,
    discovery: Arc<Discovery>,
    places: &[(f64, f64)],
    connections: usize,
    duration: Duration,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = AppState::with_index(store, TokenKeys::new(b"bench", Duration::from_secs(3600)), discovery)
        .with_edge(dabba_api::edge::EdgeConfig::unlimited());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dabba_api::serve(listener, state, async {
        let _ = stop_rx.await;
    }));
    let places = Arc::new(places.to_vec());
    let listing = |rng: &mut crate::seed::Rng, places: &[(f64, f64)]| {
        let (lat, lng) = point(places, rng);
        format!("/api/v1/restaurants?lat={lat:.6}&lng={lng:.6}&limit=20")
    };
    // One real page, served verbatim by the references.
    let mut conn = Conn::open(addr).await?;
    let path = listing(&mut seed_rng(5), &places);
    conn.get(&path).await?;
    let bytes = axum::body::Bytes::copy_from_slice(conn.body());
    let page: serde_json::Value = serde_json::from_slice(conn.body()).context("a listing page")?;
    println!("listing page: {} bytes", conn.body().len());
    let page = Arc::new(page);
    let app = axum::Router::new()
        .route(
            "/value",
            axum::routing::get(move || {
                let page = page.clone();
                async move { axum::Json(page.as_ref().clone()) }
            }),
        )
        .route(
            "/bytes",
            axum::routing::get(move || {
                let bytes = bytes.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let raddr = listener.local_addr()?;
    let reference = tokio::spawn(async move { axum::serve(listener, app).await });
    let value = |_: &mut crate::seed::Rng, _: &[(f64, f64)]| "/value".to_owned();
    let bytes = |_: &mut crate::seed::Rng, _: &[(f64, f64)]| "/bytes".to_owned();
    drive(addr, connections, duration / 4, places.clone(), listing).await?;
    drive(raddr, connections, duration / 4, places.clone(), value).await?;
    drive(raddr, connections, duration / 4, places.clone(), bytes).await?;
    // The machine is shared and its speed drifts: the three take turns, and the medians count.
    let (mut ours, mut values, mut bytes_rows) = (Vec::new(), Vec::new(), Vec::new());
    let (mut vs_value, mut vs_bytes) = (Vec::new(), Vec::new());
    let turn = duration / ROUNDS as u32;
    for _ in 0..ROUNDS {
        let a = drive(addr, connections, turn, places.clone(), listing).await?;
        let b = drive(raddr, connections, turn, places.clone(), value).await?;
        let c = drive(raddr, connections, turn, places.clone(), bytes).await?;
        vs_value.push(a.requests_per_sec / b.requests_per_sec);
        vs_bytes.push(a.requests_per_sec / c.requests_per_sec);
        ours.push(a);
        values.push(b);
        bytes_rows.push(c);
    }
    let _ = stop_tx.send(());
    let _ = server.await;
    reference.abort();
    let median = |rows: &mut Vec<Row>| {
        rows.sort_by(|a, b| a.requests_per_sec.total_cmp(&b.requests_per_sec));
        rows.swap_remove(rows.len() / 2)
    };
    let (ours, same_value, same_bytes) = (median(&mut ours), median(&mut values), median(&mut bytes_rows));
    vs_value.sort_by(f64::total_cmp);
    vs_bytes.sort_by(f64::total_cmp);
    println!("listing ÷ the same page re-serialised from a Value, per round (sorted): {vs_value:.2?}");
    println!("listing ÷ the same page as pre-serialised Bytes, per round (sorted): {vs_bytes:.2?}");
    println!(
        "median of per-round ratios: ÷ Value {:.2}, ÷ Bytes {:.2}; ratio of the medians: ÷ Value {:.2}, ÷ Bytes {:.2}",
        vs_value[ROUNDS / 2],
        vs_bytes[ROUNDS / 2],
        ours.requests_per_sec / same_value.requests_per_sec,
        ours.requests_per_sec / same_bytes.requests_per_sec
    );
    let tiny = super::reference(connections, duration).await?;
    let rows = [
        (
            Row { scenario: "GET /api/v1/restaurants (page of 20)".into(), ..ours },
            vs_value[ROUNDS / 2],
            vs_bytes[ROUNDS / 2],
        ),
        (Row { scenario: "bare axum, the same page re-serialised from a Value".into(), ..same_value }, 1.0, f64::NAN),
        (Row { scenario: "bare axum, the same page as pre-serialised Bytes".into(), ..same_bytes }, f64::NAN, 1.0),
        (Row { scenario: "bare axum, {\"ok\":true}".into(), ..tiny }, f64::NAN, f64::NAN),
    ];
    println!(
        "| over HTTP, {connections} connections | requests/s | ÷ Value reference (median of rounds) | ÷ Bytes reference (median of rounds) | p50 ms | p99 ms | errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let ratio = |x: f64| if x.is_nan() { "–".to_owned() } else { format!("{x:.2}") };
    for (r, v, b) in &rows {
        println!(
            "| {} | {:.0} | {} | {} | {:.2} | {:.2} | {} |",
            r.scenario,
            r.requests_per_sec,
            ratio(*v),
            ratio(*b),
            r.p50_ms,
            r.p99_ms,
            r.errors
        );
    }
    Ok(())
}

async fn drive(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    places: Arc<Vec<(f64, f64)>>,
    path: fn(&mut crate::seed::Rng, &[(f64, f64)]) -> String,
) -> Result<Row> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for c in 0..connections {
        let places = places.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = seed_rng(c as u64);
            let mut conn = Conn::open(addr).await?;
            let (mut micros, mut errors) = (Vec::new(), 0usize);
            while Instant::now() < deadline {
                let p = path(&mut rng, &places);
                let t = Instant::now();
                errors += usize::from(conn.get(&p).await? != 200);
                micros.push(t.elapsed().as_micros() as u32);
            }
            Ok::<_, std::io::Error>((micros, errors))
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (m, e) = t.await.context("client task")??;
        all.extend(m);
        errors += e;
    }
    Ok(row(if places.is_empty() { "" } else { "listing" }, "", all, errors, started.elapsed()))
}

/// The same searches, the obvious way in PostgreSQL. Indexes are made once (and kept).
async fn sql_comparison(url: &str, discovery: &Arc<Discovery>, places: &[(f64, f64)]) -> Result<()> {
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(url).await?;
    let setup = [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE EXTENSION IF NOT EXISTS cube",
        "CREATE EXTENSION IF NOT EXISTS earthdistance",
        "CREATE INDEX IF NOT EXISTS bench_restaurants_earth ON restaurants USING gist (ll_to_earth(latitude, longitude))",
        "CREATE INDEX IF NOT EXISTS bench_items_name_trgm ON menu_items USING gin (name gin_trgm_ops)",
        "ANALYZE restaurants",
        "ANALYZE menu_items",
    ];
    let t = Instant::now();
    for s in setup {
        sqlx::query(s).execute(&pool).await.with_context(|| s.to_owned())?;
    }
    println!("postgres: extensions and indexes ready in {:.1} s", t.elapsed().as_secs_f64());
    let restaurants = "SELECT r.restaurant_id, earth_distance(ll_to_earth($1, $2), ll_to_earth(r.latitude, r.longitude)) AS m \
         FROM restaurants r \
         WHERE earth_box(ll_to_earth($1, $2), 8000) @> ll_to_earth(r.latitude, r.longitude) \
           AND earth_distance(ll_to_earth($1, $2), ll_to_earth(r.latitude, r.longitude)) <= r.delivery_radius_km * 1000 \
           AND NOT r.is_banned AND NOT r.is_paused \
           AND (r.name ILIKE '%' || $3 || '%' OR r.cuisines::text ILIKE '%' || $3 || '%' OR r.tags::text ILIKE '%' || $3 || '%' \
                OR EXISTS (SELECT 1 FROM menu_items i WHERE i.restaurant_id = r.restaurant_id AND i.is_available AND $3 <% i.name)) \
         ORDER BY r.rating_avg DESC, m LIMIT 20";
    let dishes = "SELECT i.item_id, earth_distance(ll_to_earth($1, $2), ll_to_earth(r.latitude, r.longitude)) AS m \
         FROM menu_items i JOIN restaurants r ON r.restaurant_id = i.restaurant_id \
         WHERE $3 <% i.name AND i.is_available \
           AND earth_box(ll_to_earth($1, $2), 8000) @> ll_to_earth(r.latitude, r.longitude) \
           AND earth_distance(ll_to_earth($1, $2), ll_to_earth(r.latitude, r.longitude)) <= r.delivery_radius_km * 1000 \
           AND NOT r.is_banned AND NOT r.is_paused \
         ORDER BY word_similarity($3, i.name) DESC, m LIMIT 20";
    let mut rng = seed_rng(77);
    let now = jiff::Timestamp::now();
    let (mut sql, mut ours, mut rows) = (Vec::new(), Vec::new(), 0usize);
    for i in 0..SQL_SAMPLE {
        let (lat, lng) = point(places, &mut rng);
        let q = QUERIES[i % QUERIES.len()];
        let t = Instant::now();
        let got = sqlx::query(if i % 2 == 0 { restaurants } else { dishes })
            .bind(lat)
            .bind(lng)
            .bind(q)
            .fetch_all(&pool)
            .await?;
        sql.push(micros(t));
        rows += got.len();
        let words = dabba_search::text::query_words(q);
        let f = Filters::default();
        let req = Request { lat, lng, words: &words, filters: &f, sort: Sort::Relevance, now, first: 20 };
        let t = Instant::now();
        let index = discovery.read();
        let _ = if i % 2 == 0 { index.search(&req).total } else { index.search_dishes(&req).total };
        drop(index);
        ours.push(micros(t));
    }
    sql.sort_unstable();
    ours.sort_unstable();
    println!(
        "same {SQL_SAMPLE} searches: postgres p50 {:.2} ms p99 {:.2} ms ({} rows); index p50 {:.3} ms p99 {:.3} ms; ratio of medians {:.0}x",
        ms(&sql, 0.5),
        ms(&sql, 0.99),
        rows,
        ms(&ours, 0.5),
        ms(&ours, 0.99),
        ms(&sql, 0.5) / ms(&ours, 0.5).max(1e-6)
    );
    Ok(())
}
