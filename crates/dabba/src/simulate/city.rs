//! `dabba simulate --city`: a day in Dabba's own seeded city, minute by minute, through the
//! dispatch crate's policies. The kitchens are a sample of the seeded 50,000-restaurant city
//! (their places and promised preparation times); orders come over the day with lunch and dinner
//! peaks; riders work lunch, dinner or long shifts on their own vehicles. What the dispatcher and
//! the customer's quote believe differs from what happens, as in a real city: each kitchen is
//! slower or faster than it promises and each order varies around that, and traffic by hour is
//! not the model's. The same day (same orders, same riders) runs under each policy, with and
//! without learning (`dabba_domain::learn`): preparation per kitchen from the food's ready
//! times, speed per hour from delivered trips, both used by the dispatcher and by the quote.

use crate::seed::{City, Rng};
use dabba_dispatch::round::{Job, Params, Rider, Send};
use dabba_dispatch::travel::{Point, Travel};
use dabba_domain::LatLng;
use dabba_domain::estimate::{CITY_SPEED_KMH, ROAD_DETOUR_FACTOR};
use dabba_domain::eta::{Vehicle, rush_factor};
use dabba_domain::learn::{Learned, delivery_minutes};

/// The share of the day's orders placed in each local hour: lunch and dinner peaks.
pub const DAY_SHAPE: [f64; 24] = [
    0.6, 0.3, 0.2, 0.1, 0.1, 0.2, 0.6, 1.5, 2.5, 3.0, 3.5, 4.5, 8.0, 9.0, 7.0, 4.5, 3.5, 4.0, 5.0, 7.5, 9.5, 9.0, 6.0,
    3.0,
];

/// How fast traffic really moves each local hour, as a share of the model's city speed (the
/// model believes `rush_factor`: 0.7 at lunch and dinner, 1 otherwise).
const TRUE_SPEED: [f64; 24] = [
    1.15, 1.2, 1.2, 1.2, 1.2, 1.15, 1.05, 0.95, 0.85, 0.85, 0.9, 0.85, 0.75, 0.65, 0.8, 0.9, 0.9, 0.85, 0.75, 0.7, 0.6,
    0.7, 0.85, 1.0,
];

/// Minutes of each service, half before the instant (as in MDRP).
const SERVICE: i64 = 4;
/// The day runs on until this many minutes past midnight, for the last orders to arrive (the
/// late shift ends at 02:00).
const END: i64 = 26 * 60;

#[derive(Debug, Clone)]
struct Kitchen {
    at: LatLng,
    /// Minutes the restaurant promises.
    promise: f64,
}

#[derive(Debug, Clone)]
struct Order {
    placed: i64,
    kitchen: usize,
    at: LatLng,
    /// Minutes the food really takes.
    prep: f64,
}

#[derive(Debug, Clone)]
struct Shift {
    at: LatLng,
    on: i64,
    off: i64,
    vehicle: Vehicle,
}

/// One day's kitchens, orders and rider shifts.
pub struct Day {
    kitchens: Vec<Kitchen>,
    orders: Vec<Order>,
    shifts: Vec<Shift>,
}

/// A day of `orders` orders from `kitchens` kitchens of the seeded city, with `riders` riders.
pub fn day(seed: u64, kitchens: usize, orders: usize, riders: usize) -> Day {
    nth_day(seed, kitchens, orders, riders, 0)
}

/// The `nth` day before [`day`] in the same city: the same kitchens, each as slow or fast as
/// it is then, with other orders and riders.
pub fn nth_day(seed: u64, kitchens: usize, orders: usize, riders: usize, nth: u64) -> Day {
    let mut city = City::sized(seed, "-".into(), 50_000);
    let made = city.restaurants(kitchens.max(1)).restaurants;
    let mut rng = Rng::new(seed ^ 0xC17);
    // Each kitchen is slower or faster than it promises (σ 25%), and stays so.
    let slowness: Vec<f64> = made.iter().map(|_| (0.25 * rng.normal()).exp()).collect();
    if nth > 0 {
        rng = Rng::new(seed ^ 0xC17 ^ nth.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    }
    let kitchens: Vec<Kitchen> = made
        .iter()
        .map(|r| Kitchen {
            at: LatLng { lat: r.latitude, lng: r.longitude },
            promise: r.avg_preparation_minutes as f64,
        })
        .collect();
    let total: f64 = DAY_SHAPE.iter().sum();
    let mut list = Vec::with_capacity(orders);
    for (hour, share) in DAY_SHAPE.iter().enumerate() {
        for _ in 0..(orders as f64 * share / total).round() as usize {
            let kitchen = rng.below(kitchens.len());
            let k = &kitchens[kitchen];
            // A customer within 4 km, evenly over the area.
            let (r, theta) = (4.0 * rng.unit().sqrt(), rng.range(0.0, std::f64::consts::TAU));
            let at = offset(k.at, r * theta.cos(), r * theta.sin());
            // Each order varies around its kitchen's pace (σ 15%).
            let prep = k.promise * slowness[kitchen] * (0.15 * rng.normal()).exp();
            list.push(Order { placed: hour as i64 * 60 + rng.below(60) as i64, kitchen, at, prep });
        }
    }
    list.sort_by_key(|o| o.placed);
    let shifts = (0..riders)
        .map(|_| {
            // Night, morning, lunch, long, dinner and late shifts, weighted to the day's orders.
            let (on, off) = match rng.unit() {
                x if x < 0.04 => (0, 7 * 60),
                x if x < 0.16 => (7 * 60, 12 * 60),
                x if x < 0.41 => (11 * 60, 16 * 60),
                x if x < 0.54 => (9 * 60, 21 * 60),
                x if x < 0.84 => (16 * 60 + 30, 23 * 60 + 30),
                _ => (20 * 60, 26 * 60),
            };
            let vehicle = match rng.unit() {
                x if x < 0.8 => Vehicle::Scooter,
                x if x < 0.95 => Vehicle::Motorcycle,
                _ => Vehicle::Bicycle,
            };
            let home = kitchens[rng.below(kitchens.len())].at;
            Shift { at: offset(home, rng.normal(), rng.normal()), on, off, vehicle }
        })
        .collect();
    Day { kitchens, orders: list, shifts }
}

fn offset(p: LatLng, east_km: f64, north_km: f64) -> LatLng {
    LatLng { lat: p.lat + north_km / 110.574, lng: p.lng + east_km / (111.320 * p.lat.to_radians().cos()) }
}

fn point(p: LatLng) -> Point {
    Point { x: p.lng, y: p.lat }
}

fn at(p: Point) -> LatLng {
    LatLng { lat: p.y, lng: p.x }
}

/// What the dispatcher believes: the road model at a scooter's speed times the hour's factor.
struct Believed {
    factor: f64,
}

impl Travel for Believed {
    fn minutes(&self, from: Point, to: Point) -> i64 {
        let km = at(from).distance_km(at(to)) * ROAD_DETOUR_FACTOR;
        (km / (CITY_SPEED_KMH * self.factor) * 60.0).ceil() as i64
    }
}

/// How long a ride really takes at minute `t`: the vehicle's speed in that hour's real traffic.
fn true_minutes(km: f64, vehicle: Vehicle, t: i64) -> f64 {
    let hour = (t.rem_euclid(24 * 60) / 60) as usize;
    km * ROAD_DETOUR_FACTOR / (vehicle.city_speed_kmh() * TRUE_SPEED[hour]) * 60.0
}

/// What the estimates start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Learning {
    /// The kitchens' promises and the model, all day.
    Promised,
    /// Learned from the day's first order on.
    Today,
    /// Kitchens' preparation learned over the day before, and everything on through this one.
    DayBefore,
}

impl Learning {
    fn label(self) -> &'static str {
        match self {
            Learning::Promised => "promised",
            Learning::Today => "learned today",
            Learning::DayBefore => "kitchens learned the day before",
        }
    }
}

/// Which policy runs the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Batch,
    Greedy,
}

/// What a day came to.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub orders: usize,
    pub delivered: usize,
    /// Placing to door, minutes.
    pub delivery_mean: f64,
    pub delivery_p90: f64,
    /// Riders' km (to the kitchen and on to the doors) per delivered order.
    pub km_per_order: f64,
    /// Share of riders' shift minutes with nothing to do.
    pub idle_share: f64,
    pub orders_per_rider_hour: f64,
    /// Minutes the food waited at the counter for its rider.
    pub food_waiting: f64,
    /// Minutes riders waited at the counter for the food.
    pub rider_waiting: f64,
    /// Share of delivered orders within 5 minutes of the first time quoted.
    pub eta_within_5: f64,
    /// Mean of (delivered − quoted), minutes: positive is late.
    pub eta_bias: f64,
    /// Riders the policy sent who were still on a trip (none: the rules hold).
    pub broken: usize,
    /// Pickups after the rider's shift ended (real traffic or kitchens slower than believed).
    pub late_pickups: usize,
}

/// Something learned once it has happened: a kitchen's food ready, a trip's leg ridden.
enum Seen {
    Prep {
        kitchen: usize,
        minutes: f64,
    },
    Speed {
        hour: usize,
        factor: f64,
    },
    /// How much later than preparation, ride and handoff an order placed in `hour` arrived
    /// (waiting for a rider, the ride to the kitchen).
    Late {
        hour: usize,
        minutes: f64,
    },
}

struct RiderNow {
    at: LatLng,
    /// When their trip really ends.
    free: i64,
    /// When the dispatcher expects it to end (its believed traffic and preparation times).
    expected: i64,
    /// Minutes on a trip within their shift.
    busy: i64,
    km: f64,
}

/// What is learned, carried from one day to the next (the server keeps a kitchen's learned
/// preparation time in its row).
pub struct Memory {
    prep: Vec<Learned>,
    speed: Vec<Learned>,
    late: Vec<Learned>,
}

impl Memory {
    /// What the server keeps from one day to the next: each kitchen's preparation time (the
    /// hour's speed and lateness start again from the model).
    pub fn kitchens_only(self, day: &Day) -> Self {
        Self { prep: self.prep, ..Self::new(day) }
    }

    /// Nothing learned yet: the promises and the model.
    pub fn new(day: &Day) -> Self {
        Self {
            prep: day.kitchens.iter().map(|k| Learned::prior(k.promise)).collect(),
            speed: (0..24).map(|h| Learned::prior(rush_factor(h as u8))).collect(),
            late: (0..24).map(|_| Learned::prior(0.0)).collect(),
        }
    }
}

/// Runs the day under `policy`, learning from its start or not.
pub fn run(day: &Day, policy: Policy, learn: bool) -> Outcome {
    run_from(day, policy, learn, Memory::new(day)).0
}

/// Runs the day under `policy` from what `memory` holds, learning or not; what it knows at the
/// end.
pub fn run_from(day: &Day, policy: Policy, learn: bool, memory: Memory) -> (Outcome, Memory) {
    let Memory { mut prep, mut speed, mut late } = memory;
    let mut riders: Vec<RiderNow> =
        day.shifts.iter().map(|s| RiderNow { at: s.at, free: s.on, expected: s.on, busy: 0, km: 0.0 }).collect();
    let n = day.orders.len();
    let (mut quoted, mut delivered) = (vec![0.0; n], vec![None::<i64>; n]);
    // The quote before what is learned of lateness: preparation, ride and handoff.
    let mut base = vec![0.0; n];
    let mut given = vec![false; n];
    let (mut food_waiting, mut rider_waiting) = (Vec::new(), Vec::new());
    let mut seen: Vec<(i64, Seen)> = Vec::new();
    // Riders within 20 minutes of the kitchen (the server's 5 km at a scooter's pace), sent the
    // moment they must leave (no offer to answer here).
    let params = Params { lead: 0, max_reach: 20, stack_reach: 5, ..Params::default() };
    let mut revealed = 0;
    let (mut broken, mut late_pickups) = (0, 0);
    for now in 0..END {
        // What has happened by now is learned from.
        if learn {
            seen.retain(|(t, s)| {
                if *t > now {
                    return true;
                }
                match s {
                    Seen::Prep { kitchen, minutes } => prep[*kitchen].observe(*minutes),
                    Seen::Speed { hour, factor } => speed[*hour].observe(*factor),
                    Seen::Late { hour, minutes } => late[*hour].observe(*minutes),
                }
                false
            });
        }
        let hour = (now.rem_euclid(24 * 60) / 60) as usize;
        while revealed < n && day.orders[revealed].placed <= now {
            let o = &day.orders[revealed];
            let km = day.kitchens[o.kitchen].at.distance_km(o.at);
            base[revealed] = o.placed as f64 + delivery_minutes(prep[o.kitchen].value, km, speed[hour].value);
            quoted[revealed] = base[revealed] + late[hour].value;
            revealed += 1;
        }
        let waiting: Vec<usize> = (0..revealed).filter(|&o| !given[o]).collect();
        if waiting.is_empty() {
            continue;
        }
        let on: Vec<usize> =
            (0..riders.len()).filter(|&r| day.shifts[r].on <= now && now < day.shifts[r].off).collect();
        let jobs: Vec<Job> = waiting
            .iter()
            .map(|&o| {
                let order = &day.orders[o];
                Job {
                    restaurant: order.kitchen,
                    pickup_at: point(day.kitchens[order.kitchen].at),
                    drop_at: point(order.at),
                    placed: order.placed,
                    ready: order.placed + prep[order.kitchen].value.round() as i64,
                    // The customer was promised the first quote (give or take a minute).
                    due: quoted[o].round() as i64,
                }
            })
            .collect();
        let scooter = Vehicle::Scooter.city_speed_kmh();
        let fleet: Vec<Rider> = on
            .iter()
            .map(|&r| Rider {
                at: point(riders[r].at),
                at_restaurant: None,
                // A rider who has finished is known free; one still on a trip is expected free
                // when the dispatcher's own estimate says (never "now": they are not back).
                free: if riders[r].free <= now { riders[r].free } else { riders[r].expected.max(now + 1) },
                off: day.shifts[r].off,
                pace: scooter / day.shifts[r].vehicle.city_speed_kmh(),
            })
            .collect();
        let believed = Believed { factor: speed[hour].value };
        let sends: Vec<Send> = match policy {
            Policy::Batch => dabba_dispatch::batch::round(now, &jobs, &fleet, &believed, &params),
            Policy::Greedy => dabba_dispatch::greedy::round(now, &jobs, &fleet, &believed, &params),
        };
        for s in sends {
            let r = on[s.rider];
            if riders[r].free > now {
                broken += 1;
                continue;
            }
            let bundle: Vec<usize> = s.jobs.iter().map(|&j| waiting[j]).collect();
            if bundle.is_empty() {
                continue;
            }
            let vehicle = day.shifts[r].vehicle;
            let rider = &mut riders[r];
            // A stacked trip calls at two kitchens, in the order the plan judged it by.
            let first = day.orders[waiting[s.first]].kitchen;
            let mut stops: Vec<usize> = bundle.iter().map(|&o| day.orders[o].kitchen).collect();
            stops.sort_by_key(|&k| (k != first, k));
            stops.dedup();
            // What the dispatcher expects of this trip: its own ride times and ready estimates.
            let pace = scooter / vehicle.city_speed_kmh();
            let ride = |a: LatLng, b: LatLng| (believed.minutes(point(a), point(b)) as f64 * pace).ceil() as i64;
            let (mut expected, mut from) = (now, rider.at);
            for &k in &stops {
                let ready = s.jobs.iter().filter(|&&j| jobs[j].restaurant == k).map(|&j| jobs[j].ready).max();
                expected = (expected + ride(from, day.kitchens[k].at) + SERVICE / 2).max(ready.unwrap_or(now))
                    + (SERVICE - SERVICE / 2);
                from = day.kitchens[k].at;
            }
            for &o in &bundle {
                expected += ride(from, day.orders[o].at) + SERVICE;
                from = day.orders[o].at;
            }
            rider.expected = expected;
            // What happens: the true rides and kitchens.
            let (mut t, mut here, mut km) = (now, rider.at, 0.0);
            for &k in &stops {
                let leg = here.distance_km(day.kitchens[k].at);
                let arrive = t + true_minutes(leg, vehicle, t).ceil() as i64;
                let mine: Vec<usize> = bundle.iter().copied().filter(|&o| day.orders[o].kitchen == k).collect();
                let ready = |o: usize| day.orders[o].placed + day.orders[o].prep.ceil() as i64;
                let last_ready = mine.iter().map(|&o| ready(o)).max().unwrap_or(arrive);
                let pickup = (arrive + SERVICE / 2).max(last_ready);
                late_pickups += usize::from(pickup > day.shifts[r].off);
                rider_waiting.push((last_ready - arrive - SERVICE / 2).max(0) as f64);
                for &o in &mine {
                    given[o] = true;
                    food_waiting.push((pickup - ready(o)).max(0) as f64);
                    seen.push((ready(o), Seen::Prep { kitchen: k, minutes: (ready(o) - day.orders[o].placed) as f64 }));
                }
                t = pickup + SERVICE - SERVICE / 2;
                km += leg * ROAD_DETOUR_FACTOR;
                here = day.kitchens[k].at;
            }
            for &o in &bundle {
                let leg = here.distance_km(day.orders[o].at);
                let ride = true_minutes(leg, vehicle, t);
                if leg >= 1.0 {
                    // The hour's speed as a scooter would have seen it (the vehicle's own pace
                    // taken out), against the model's city speed.
                    let model = leg * ROAD_DETOUR_FACTOR / vehicle.city_speed_kmh() * 60.0;
                    let h = (t.rem_euclid(24 * 60) / 60) as usize;
                    seen.push((t + ride.ceil() as i64, Seen::Speed { hour: h, factor: model / ride }));
                }
                t += ride.ceil() as i64 + SERVICE / 2;
                delivered[o] = Some(t);
                let placed_hour = (day.orders[o].placed.rem_euclid(24 * 60) / 60) as usize;
                seen.push((t, Seen::Late { hour: placed_hour, minutes: t as f64 - base[o] }));
                t += SERVICE - SERVICE / 2;
                km += leg * ROAD_DETOUR_FACTOR;
                here = day.orders[o].at;
            }
            // Only the part of the trip inside the shift counts as busy.
            let shift = &day.shifts[r];
            rider.busy += (t.min(shift.off) - now.max(shift.on)).max(0);
            rider.km += km;
            rider.at = here;
            rider.free = t;
        }
    }
    let mut o = outcome(day, &riders, &quoted, &delivered, &food_waiting, &rider_waiting);
    (o.broken, o.late_pickups) = (broken, late_pickups);
    (o, Memory { prep, speed, late })
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 }
}

fn outcome(
    day: &Day,
    riders: &[RiderNow],
    quoted: &[f64],
    delivered: &[Option<i64>],
    food_waiting: &[f64],
    rider_waiting: &[f64],
) -> Outcome {
    let done: Vec<usize> = (0..day.orders.len()).filter(|&o| delivered[o].is_some()).collect();
    let mut times: Vec<f64> = done.iter().map(|&o| (delivered[o].unwrap_or(0) - day.orders[o].placed) as f64).collect();
    times.sort_by(f64::total_cmp);
    let p90 = times.get(((times.len() as f64 * 0.9).ceil() as usize).saturating_sub(1)).copied().unwrap_or(0.0);
    let errors: Vec<f64> = done.iter().map(|&o| delivered[o].unwrap_or(0) as f64 - quoted[o]).collect();
    let shift_minutes: i64 = day.shifts.iter().map(|s| s.off - s.on).sum();
    let busy: i64 = riders.iter().map(|r| r.busy).sum();
    Outcome {
        orders: day.orders.len(),
        delivered: done.len(),
        delivery_mean: mean(&times),
        delivery_p90: p90,
        km_per_order: riders.iter().map(|r| r.km).sum::<f64>() / done.len().max(1) as f64,
        idle_share: 1.0 - busy as f64 / shift_minutes.max(1) as f64,
        orders_per_rider_hour: done.len() as f64 / (shift_minutes.max(1) as f64 / 60.0),
        food_waiting: mean(food_waiting),
        rider_waiting: mean(rider_waiting),
        eta_within_5: errors.iter().filter(|e| e.abs() <= 5.0).count() as f64 / errors.len().max(1) as f64,
        eta_bias: mean(&errors),
        broken: 0,
        late_pickups: 0,
    }
}

/// Runs the day under each policy, with and without learning (on both cores), and prints the
/// table.
pub fn report(seed: u64, kitchens: usize, orders: usize, riders: usize) {
    let started = std::time::Instant::now();
    let d = day(seed, kitchens, orders, riders);
    let before = nth_day(seed, kitchens, orders, riders, 1);
    // Promised estimates; learning from this day's start; and learning carried on from the
    // day before (as the server, which keeps what it learned).
    let runs = [
        (Policy::Greedy, Learning::Promised),
        (Policy::Batch, Learning::Promised),
        (Policy::Greedy, Learning::Today),
        (Policy::Batch, Learning::Today),
        (Policy::Greedy, Learning::DayBefore),
        (Policy::Batch, Learning::DayBefore),
    ];
    let out: Vec<Outcome> = std::thread::scope(|s| {
        let (d, before) = (&d, &before);
        let handles: Vec<_> = runs
            .iter()
            .map(|&(p, learning)| {
                s.spawn(move || match learning {
                    Learning::Promised => run(d, p, false),
                    Learning::Today => run(d, p, true),
                    Learning::DayBefore => {
                        let (_, memory) = run_from(before, p, true, Memory::new(before));
                        run_from(d, p, true, memory.kitchens_only(d)).0
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    println!(
        "a day of the seeded city: {} kitchens, {} orders, {} riders (seed {seed}; {:.1} s)",
        d.kitchens.len(),
        d.orders.len(),
        d.shifts.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "| policy | learning | delivered | delivery mean min | p90 | rider km per order | idle share | orders per rider-hour | food waiting min | rider waiting min | within ±5 min of first ETA | ETA bias min |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for ((p, learn), o) in runs.iter().zip(&out) {
        println!(
            "| {p:?} | {} | {} / {} | {:.2} | {:.1} | {:.2} | {:.1}% | {:.2} | {:.2} | {:.2} | {:.1}% | {:+.2} |",
            learn.label(),
            o.delivered,
            o.orders,
            o.delivery_mean,
            o.delivery_p90,
            o.km_per_order,
            100.0 * o.idle_share,
            o.orders_per_rider_hour,
            o.food_waiting,
            o.rider_waiting,
            100.0 * o.eta_within_5,
            o.eta_bias
        );
    }
    let late: Vec<String> =
        runs.iter().zip(&out).map(|((p, l), o)| format!("{p:?}/{}: {}", l.label(), o.late_pickups)).collect();
    println!("pickups after the rider's shift ended (slower than believed): {}", late.join(", "));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_has_its_peaks_and_every_order_is_carried_by_the_rules() {
        let d = day(7, 200, 1_500, 150);
        assert!((1_450..=1_550).contains(&d.orders.len()), "{}", d.orders.len());
        let at = |h: i64| d.orders.iter().filter(|o| o.placed / 60 == h).count();
        assert!(at(13) > 2 * at(16) && at(20) > 3 * at(4), "lunch and dinner peaks");
        for policy in [Policy::Batch, Policy::Greedy] {
            let o = run(&d, policy, false);
            assert!(o.delivered as f64 > 0.95 * o.orders as f64, "{policy:?}: {o:?}");
            assert_eq!(o.broken, 0, "no rider sent while still on a trip");
            assert!(o.delivery_mean > 20.0 && o.km_per_order > 1.0 && (0.0..1.0).contains(&o.idle_share), "{o:?}");
        }
    }

    #[test]
    fn learning_brings_the_quote_closer() {
        // Riders enough that the quote is about the kitchens and the roads, not a queue.
        let d = day(7, 100, 1_500, 300);
        let (before, after) = (run(&d, Policy::Batch, false), run(&d, Policy::Batch, true));
        assert!(after.eta_within_5 > before.eta_within_5, "{before:?} {after:?}");
        // Carried on from the day before (other orders, the same kitchens), closer still.
        let (_, memory) = run_from(&nth_day(7, 100, 1_500, 300, 1), Policy::Batch, true, Memory::new(&d));
        let carried = run_from(&d, Policy::Batch, true, memory.kitchens_only(&d)).0;
        assert!(carried.eta_within_5 > after.eta_within_5, "{after:?} {carried:?}");
    }
}
