//! The `dispatch` scenario: one round of the batch dispatcher (`dabba_dispatch::batch::round`)
//! on a busy moment of a city, timed on one core, beside the greedy round over the same orders
//! and riders (the reference: the dispatcher the server ran before). The city is 20 km square
//! with 400 kitchens; orders were placed over the last 20 minutes and are ready over the next
//! 20; three riders in four are free, the rest finish a trip within 30 minutes.

use crate::seed::Rng;
use dabba_dispatch::round::{Job, NO_PROMISE, Params, Rider};
use dabba_dispatch::travel::{Euclid, Point};
use std::time::Instant;

/// Timed rounds of each (after one to warm up).
const ROUNDS: usize = 7;
const KITCHENS: usize = 400;
const SIDE_M: f64 = 20_000.0;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A busy moment at minute 0: `orders` waiting and `riders` on shift.
pub fn moment(orders: usize, riders: usize, seed: u64) -> (Vec<Job>, Vec<Rider>) {
    let mut rng = Rng::new(seed);
    let place = |rng: &mut Rng| Point { x: rng.range(0.0, SIDE_M), y: rng.range(0.0, SIDE_M) };
    let kitchens: Vec<Point> = (0..KITCHENS).map(|_| place(&mut rng)).collect();
    let jobs = (0..orders)
        .map(|_| {
            let restaurant = rng.below(KITCHENS);
            let k = kitchens[restaurant];
            // Customers within about 4 km of the kitchen.
            let drop_at = Point { x: k.x + rng.range(-3000.0, 3000.0), y: k.y + rng.range(-3000.0, 3000.0) };
            Job {
                restaurant,
                pickup_at: k,
                drop_at,
                placed: -(rng.below(20) as i64),
                ready: rng.below(21) as i64,
                due: NO_PROMISE,
            }
        })
        .collect();
    let riders = (0..riders)
        .map(|_| Rider {
            at: place(&mut rng),
            at_restaurant: None,
            free: if rng.chance(0.75) { 0 } else { 1 + rng.below(30) as i64 },
            off: 240,
            pace: 1.0,
        })
        .collect();
    (jobs, riders)
}

pub fn run(orders: usize, riders: usize) {
    let (jobs, fleet) = moment(orders, riders, 11);
    // About 18 km/h through streets: 300 m a minute.
    let travel = Euclid { meters_per_minute: 300.0 };
    let p = Params::default();
    let (mut batch, mut greedy) = (Vec::new(), Vec::new());
    let (mut sent, mut sent_greedy) = ((0, 0), (0, 0));
    for round in 0..ROUNDS + 1 {
        // The two take turns, so a drift of the shared machine reaches both.
        let t = Instant::now();
        let s = dabba_dispatch::batch::round(0, &jobs, &fleet, &travel, &p);
        let took = t.elapsed().as_secs_f64() * 1000.0;
        sent = (s.len(), s.iter().map(|s| s.jobs.len()).sum::<usize>());
        let t = Instant::now();
        let g = dabba_dispatch::greedy::round(0, &jobs, &fleet, &travel, &p);
        let reference = t.elapsed().as_secs_f64() * 1000.0;
        sent_greedy = (g.len(), g.len());
        if round > 0 {
            batch.push(took);
            greedy.push(reference);
        }
    }
    let worst = batch.iter().copied().fold(0.0, f64::max);
    let (b, g) = (median(&mut batch), median(&mut greedy));
    println!(
        "\n| one dispatch round, one core | waiting orders | riders | batch p50 ms | worst ms | sent now (riders / orders) | greedy p50 ms | greedy sent |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| 20 km city, 400 kitchens | {orders} | {riders} | {b:.1} | {worst:.1} | {} / {} | {g:.2} | {} |",
        sent.0, sent.1, sent_greedy.1
    );
}
