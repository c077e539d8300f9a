//! `dabba seed`: writes a synthetic city through the storage layer, in batches, with progress.

mod city;
mod data;
mod rng;

pub use city::{CENTRE, City, phone};
pub use rng::Rng;

use anyhow::{Context, Result};
use dabba_domain::Role;
use dabba_store::Store;
use dabba_store::seed::SeedBatch;
use std::io::Write;
use std::time::Instant;

/// The password of every seeded account (they share one hash: hashing 50,000 passwords with
/// Argon2 would take most of an hour, and these are demo accounts).
pub const DEMO_PASSWORD: &str = "dabba-demo";

/// How big a city to seed.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub restaurants: usize,
    pub customers: usize,
    pub riders: usize,
    pub seed: u64,
}

const RESTAURANTS_PER_BATCH: usize = 500;

/// A whole small city as one batch, so it is written all or nothing (the demo city).
pub fn whole_city(plan: Plan) -> Result<SeedBatch> {
    let hash = dabba_api::auth::password::hash_now(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut city = City::sized(plan.seed, hash, plan.restaurants);
    let mut batch = SeedBatch {
        users: [city.users(Role::Customer, 0, plan.customers), city.users(Role::Delivery, 0, plan.riders)].concat(),
        ..SeedBatch::default()
    };
    let places = city.restaurants(plan.restaurants);
    batch.users.extend(places.users);
    batch.restaurants = places.restaurants;
    batch.categories = places.categories;
    batch.items = places.items;
    Ok(batch)
}

/// Seeds the city; prints a progress bar to stderr when `progress` is set.
pub async fn run(store: &dyn Store, plan: Plan, progress: bool) -> Result<()> {
    let started = Instant::now();
    let hash = dabba_api::auth::password::hash_now(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut city = City::sized(plan.seed, hash, plan.restaurants);
    let people = SeedBatch {
        users: [city.users(Role::Customer, 0, plan.customers), city.users(Role::Delivery, 0, plan.riders)].concat(),
        ..SeedBatch::default()
    };
    store.seed(&people).await.context("seeding customers and riders (already seeded with this --seed?)")?;
    // Generation runs on its own thread, one batch ahead of the database.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<SeedBatch>(2);
    let total = plan.restaurants;
    let generator = std::thread::spawn(move || {
        let mut left = total;
        while left > 0 {
            let n = left.min(RESTAURANTS_PER_BATCH);
            left -= n;
            if tx.blocking_send(city.restaurants(n)).is_err() {
                break;
            }
        }
    });
    let mut done = 0;
    while let Some(batch) = rx.recv().await {
        store.seed(&batch).await.context("seeding restaurants")?;
        done += batch.restaurants.len();
        if progress {
            bar(done, total, started);
        }
    }
    generator.join().map_err(|_| anyhow::anyhow!("the city generator panicked"))?;
    if progress {
        eprintln!();
    }
    Ok(())
}

fn bar(done: usize, total: usize, started: Instant) {
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    let secs = started.elapsed().as_secs_f64();
    let rate = done as f64 / secs.max(1e-9);
    eprint!(
        "\rseeding [{}{}] {done}/{total} restaurants, {secs:.1}s, {rate:.0}/s ",
        "#".repeat(filled),
        ".".repeat(width - filled)
    );
    let _ = std::io::stderr().flush();
}
