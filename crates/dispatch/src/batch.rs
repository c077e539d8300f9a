//! The batch dispatcher: every round it looks at all the orders waiting and at the riders who
//! are free or soon will be, bundles each restaurant's orders that are ready about together
//! (and, where stacking is on, two near kitchens' orders when the detour is small and every
//! promise holds), matches bundles to riders at the least total click-to-door (an assignment problem, solved
//! exactly), and sends only what cannot wait for the next round: a rider leaves when leaving
//! later would make the food wait. Everything else stays open, so the next round can still give
//! an order to a rider who frees up nearby, or add a new order of the same kitchen to its bundle.
//!
//! Pure: times are whole minutes (any unit, as long as [`Travel`] answers in it), places are
//! points. The MDRP simulator and the server call the same [`round`].

use crate::round::{Job, Params, Plan, Rider, Send};
use crate::travel::{Point, Travel};
use pathfinding::prelude::{Matrix, kuhn_munkres_min};

/// A second kitchen on the way (a stacked bundle): where, when its orders are ready, and the
/// ride to it from the first.
#[derive(Debug, Clone, Copy)]
struct Stop {
    at: Point,
    ready: i64,
    ride: i64,
}

/// One kitchen's orders for one rider (or two near kitchens', stacked), in their best drop-off
/// order.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub jobs: Vec<usize>,
    /// A job of the first kitchen.
    first: usize,
    restaurant: usize,
    at: Point,
    /// When the last of the first kitchen's orders is ready.
    ready: i64,
    then: Option<Stop>,
    /// Minutes from leaving the last counter to each drop-off, summed over the orders.
    tail: i64,
    placed: i64,
    /// Each order's drop-off, minutes after leaving the last counter, and its promise.
    promises: Vec<(i64, i64)>,
}

impl Bundle {
    /// `members` (the first's kitchen's, then perhaps another's) in the drop-off order with the
    /// least total click-to-door. Every trip with them leaves from the same counter, so the
    /// best order is the same whoever carries it.
    fn new(jobs: &[Job], members: &[usize], travel: &dyn Travel, p: &Params) -> Self {
        let first = &jobs[members[0]];
        let (here, there): (Vec<usize>, Vec<usize>) =
            members.iter().partition(|&&j| jobs[j].restaurant == first.restaurant);
        let then = there.first().map(|&k| Stop {
            at: jobs[k].pickup_at,
            ready: there.iter().map(|&j| jobs[j].ready).max().unwrap_or(0),
            ride: travel.minutes(first.pickup_at, jobs[k].pickup_at),
        });
        let start = then.map_or(first.pickup_at, |s| s.at);
        let mut best = (i64::MAX, members.to_vec(), Vec::new());
        for order in orders_of(members) {
            let (mut t, mut at, mut sum, mut drops) = (0, start, 0, Vec::with_capacity(order.len()));
            for &j in &order {
                let dropoff = t + travel.minutes(at, jobs[j].drop_at) + p.dropoff_service / 2;
                sum += dropoff;
                drops.push((dropoff, jobs[j].due));
                t = dropoff + p.dropoff_service - p.dropoff_service / 2;
                at = jobs[j].drop_at;
            }
            if sum < best.0 {
                best = (sum, order, drops);
            }
        }
        Self {
            first: members[0],
            restaurant: first.restaurant,
            at: first.pickup_at,
            ready: here.iter().map(|&j| jobs[j].ready).max().unwrap_or(0),
            then,
            placed: members.iter().map(|&j| jobs[j].placed).sum(),
            tail: best.0,
            jobs: best.1,
            promises: best.2,
        }
    }

    /// Minutes for `rider` to reach the counter.
    fn reach(&self, rider: &Rider, travel: &dyn Travel) -> i64 {
        if rider.at_restaurant == Some(self.restaurant) { 0 } else { rider.ride(travel, rider.at, self.at) }
    }

    /// The pickup instant if `rider` (leaving when free, not before `now`) carries it; `None` if
    /// that falls after their shift, or, stacked, breaks an order's promise.
    fn pickup(&self, now: i64, rider: &Rider, travel: &dyn Travel, p: &Params) -> Option<i64> {
        let reach = self.reach(rider, travel);
        let pickup = (rider.free.max(now) + reach + p.pickup_service / 2).max(self.ready);
        (pickup <= rider.off && reach <= p.max_reach && (self.then.is_none() || self.keeps_promises(pickup, p)))
            .then_some(pickup)
    }

    /// The latest pickup at the first counter that still waits for no food: its own, and,
    /// stacked, the one that reaches the second counter as its food is ready.
    fn wanted(&self, p: &Params) -> i64 {
        let after = p.pickup_service - p.pickup_service / 2;
        self.then.map_or(self.ready, |s| self.ready.max(s.ready - p.pickup_service / 2 - s.ride - after))
    }

    /// When the rider leaves the last counter, having picked up at the first at `pickup`.
    fn leave(&self, pickup: i64, p: &Params) -> i64 {
        let after = p.pickup_service - p.pickup_service / 2;
        match self.then {
            None => pickup + after,
            Some(s) => (pickup + after + s.ride + p.pickup_service / 2).max(s.ready) + after,
        }
    }

    /// The orders' click-to-door minutes summed, picked up at `pickup`.
    fn click_to_door(&self, pickup: i64, p: &Params) -> i64 {
        self.jobs.len() as i64 * self.leave(pickup, p) + self.tail - self.placed
    }

    /// Every order dropped by its promise, picked up at `pickup`.
    fn keeps_promises(&self, pickup: i64, p: &Params) -> bool {
        let leave = self.leave(pickup, p);
        self.promises.iter().all(|&(at, due)| leave + at <= due)
    }
}

/// Stacking: pairs of groups of two kitchens within `stack_reach` of each other, together at
/// most `size` orders, ready about together, are carried by one rider when that costs each
/// order at most `stack_detour` minutes more than carrying them apart and every promise holds
/// (judged with the pickup when the food is ready). The pairs that cost least go first; a
/// group is stacked once.
fn stack(groups: Vec<Vec<usize>>, jobs: &[Job], size: usize, travel: &dyn Travel, p: &Params) -> Vec<Vec<usize>> {
    if p.stack_reach <= 0 || size < 2 {
        return groups;
    }
    let bundles: Vec<Bundle> = groups.iter().map(|g| Bundle::new(jobs, g, travel, p)).collect();
    let alone: Vec<i64> = bundles.iter().map(|b| b.click_to_door(b.ready, p)).collect();
    let mut pairs = Vec::new();
    for (i, a) in groups.iter().enumerate() {
        for (j, b) in groups.iter().enumerate() {
            if i == j
                || jobs[a[0]].restaurant == jobs[b[0]].restaurant
                || a.len() + b.len() > size
                || (bundles[i].ready - bundles[j].ready).abs() > p.bundle_window
                || travel.minutes(bundles[i].at, bundles[j].at) > p.stack_reach
            {
                continue;
            }
            let members: Vec<usize> = a.iter().chain(b).copied().collect();
            let m = Bundle::new(jobs, &members, travel, p);
            let extra = m.click_to_door(m.ready, p) - alone[i] - alone[j];
            if m.keeps_promises(m.ready, p) && extra <= p.stack_detour * members.len() as i64 {
                pairs.push((extra, i, j, members));
            }
        }
    }
    pairs.sort_by_key(|(extra, i, j, _)| (*extra, *i, *j));
    let mut used = vec![false; groups.len()];
    let mut out = Vec::with_capacity(groups.len());
    for (_, i, j, members) in pairs {
        if !used[i] && !used[j] {
            (used[i], used[j]) = (true, true);
            out.push(members);
        }
    }
    out.extend(groups.into_iter().zip(used).filter(|(_, u)| !u).map(|(g, _)| g));
    out
}

/// Every drop-off order of a few orders.
fn orders_of(bundle: &[usize]) -> Vec<Vec<usize>> {
    if bundle.len() <= 1 {
        return vec![bundle.to_vec()];
    }
    let mut out = Vec::new();
    for (i, &first) in bundle.iter().enumerate() {
        let rest: Vec<usize> = bundle.iter().enumerate().filter(|&(k, _)| k != i).map(|(_, &j)| j).collect();
        for mut tail in orders_of(&rest) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

/// Each kitchen's orders grouped: by ready time, up to `size` orders whose ready times are
/// within `window` of the group's first.
pub fn groups(jobs: &[Job], size: usize, window: i64) -> Vec<Vec<usize>> {
    let mut by_kitchen: Vec<usize> = (0..jobs.len()).collect();
    by_kitchen.sort_by_key(|&j| (jobs[j].restaurant, jobs[j].ready, j));
    let mut out: Vec<Vec<usize>> = Vec::new();
    for j in by_kitchen {
        match out.last_mut() {
            Some(b)
                if b.len() < size
                    && jobs[b[0]].restaurant == jobs[j].restaurant
                    && jobs[j].ready - jobs[b[0]].ready <= window =>
            {
                b.push(j)
            }
            _ => out.push(vec![j]),
        }
    }
    out
}

/// The cost of leaving an order for a later round: more than any trip, so that as many orders
/// as possible are planned, and among those plans the one with the least click-to-door.
const UNPLANNED: i64 = 1_000_000;
/// Costs are click-to-door minutes times this, plus the minutes of the ride to the counter.
const TIE: i64 = 64;

/// One round at `now`: who leaves now with which orders.
pub fn round(now: i64, jobs: &[Job], riders: &[Rider], travel: &dyn Travel, p: &Params) -> Vec<Send> {
    plan(now, jobs, riders, travel, p, &|_, _| true).send
}

/// One round at `now` where job `j` may go only to a rider `r` with `allowed(j, r)` (the server:
/// riders within reach of the kitchen who have not turned the order down).
pub fn plan(
    now: i64,
    jobs: &[Job],
    riders: &[Rider],
    travel: &dyn Travel,
    p: &Params,
    allowed: &dyn Fn(usize, usize) -> bool,
) -> Plan {
    let mut planned = vec![false; jobs.len()];
    let mut pool: Vec<usize> =
        (0..riders.len()).filter(|&r| riders[r].off >= now && riders[r].free <= now + p.horizon).collect();
    if jobs.is_empty() || pool.is_empty() {
        return Plan { send: Vec::new(), planned };
    }
    // The fewer riders per order, the more each carries from one kitchen.
    let size = jobs.len().div_ceil(pool.len()).clamp(1, p.max_bundle.max(1));
    let mut groups = stack(groups(jobs, size, p.bundle_window), jobs, size, travel, p);
    let mut out = Vec::new();
    // A bundle no rider can take whole (one of its orders out of reach, or turned down) is
    // tried again order by order, with the riders left.
    while !groups.is_empty() && !pool.is_empty() {
        let bundles: Vec<Bundle> = groups.iter().map(|g| Bundle::new(jobs, g, travel, p)).collect();
        let matched = assign(now, jobs, &bundles, riders, &pool, travel, p, allowed);
        let mut split = Vec::new();
        for (b, rider) in bundles.iter().zip(&matched) {
            let Some(r) = *rider else {
                if b.jobs.len() > 1 {
                    split.extend(b.jobs.iter().map(|&j| vec![j]));
                }
                continue;
            };
            for &j in &b.jobs {
                planned[j] = true;
            }
            let rider = &riders[r];
            // Planned for a rider still on a trip: the bundle waits for them.
            if rider.free > now {
                continue;
            }
            // Sending a round later would still get the rider to the counter by the time the
            // food is ready: wait, and keep the rider for whatever the next round brings.
            if now + p.every + p.lead + b.reach(rider, travel) + p.pickup_service / 2 <= b.wanted(p) {
                continue;
            }
            out.push(Send { rider: r, jobs: b.jobs.clone(), first: b.first });
        }
        pool.retain(|r| !matched.contains(&Some(*r)));
        groups = split;
    }
    Plan { send: out, planned }
}

/// Matches `bundles` to riders of `pool` at the least total cost: each bundle's rider, if it
/// got one who can take it.
#[allow(clippy::too_many_arguments)]
fn assign(
    now: i64,
    jobs: &[Job],
    bundles: &[Bundle],
    riders: &[Rider],
    pool: &[usize],
    travel: &dyn Travel,
    p: &Params,
    allowed: &dyn Fn(usize, usize) -> bool,
) -> Vec<Option<usize>> {
    let n = bundles.len();
    // Each bundle's cost with each rider of the pool; `None` where the pickup would be too late.
    let costs: Vec<Vec<Option<i64>>> = bundles
        .iter()
        .map(|b| {
            pool.iter()
                .map(|&r| {
                    let bonus = if riders[r].free <= now { p.free_now_bonus } else { 0 };
                    // Among riders who would make the same pickup, the one with the shortest
                    // ride there (less riding empty, less waiting at the counter). The tie-break
                    // also spares the solver the many equal costs of food not ready yet.
                    Some(())
                        .filter(|_| b.jobs.iter().all(|&j| allowed(j, r)))
                        .and_then(|_| b.pickup(now, &riders[r], travel, p))
                        .map(|t| (b.click_to_door(t, p) - bonus) * TIE + b.reach(&riders[r], travel).min(TIE - 1))
                })
                .collect()
        })
        .collect();
    // However tight the budget, each bundle keeps a few riders, so that its cheapest ones
    // being taken by other bundles does not leave it none.
    let columns = candidates(&costs, (p.max_cells / n).max(8));
    // Rows are bundles; columns the candidate riders, then, if there are fewer riders than
    // bundles, one "not this round" per missing rider. (With enough riders, a bundle matched to
    // a rider who cannot take it is one not planned this round.)
    let m = columns.len();
    let spare = n.saturating_sub(m);
    let mut w = Vec::with_capacity(n * (m + spare));
    for (b, row) in bundles.iter().zip(&costs) {
        // Left for a later round, an order still counts its wait so far: among plans that carry
        // as many orders, an order's age then weighs the same whether it is served or not, and
        // the plan with the least click-to-door still to come wins (what keeps the mean low and
        // riders productive). With a bare constant, leaving the oldest out would look cheapest;
        // counting the wait more than once serves the oldest first at the others' expense (an
        // earlier version counted it twice: 0.35% undelivered and 31.58 min over MDRP's 48,
        // against 0.31% and 31.43 now). Equal otherwise, the older order goes first (a tie-break
        // under a minute for a whole bundle: each order's part is below a quarter of one).
        let unplanned: i64 = b
            .jobs
            .iter()
            .map(|&j| {
                let age = (now - jobs[j].placed).max(0);
                (UNPLANNED + age) * TIE + age.min(TIE / 4 - 1)
            })
            .sum();
        w.extend(columns.iter().map(|&c| row[c].unwrap_or(unplanned)));
        w.extend(std::iter::repeat_n(unplanned, spare));
    }
    let Ok(weights) = Matrix::from_vec(n, m + spare, w) else { return vec![None; n] };
    let (_, chosen) = kuhn_munkres_min(&weights);
    chosen
        .iter()
        .zip(&costs)
        // Matched to a rider who cannot take it, or to "not this round": not planned.
        .map(|(&col, row)| columns.get(col).filter(|&&c| row[c].is_some()).map(|&c| pool[c]))
        .collect()
}

/// The pool's riders worth a column: with few enough cells, all of them; otherwise each
/// bundle's `per_row` cheapest (the solver's work grows with rows × columns, so this is the
/// round's time budget).
fn candidates(costs: &[Vec<Option<i64>>], per_row: usize) -> Vec<usize> {
    let width = costs.first().map_or(0, Vec::len);
    if width <= per_row {
        return (0..width).collect();
    }
    let mut keep = vec![false; width];
    for row in costs {
        let mut by_cost: Vec<(i64, usize)> = row.iter().enumerate().filter_map(|(c, v)| v.map(|v| (v, c))).collect();
        let k = per_row.max(1).min(by_cost.len());
        if k > 0 {
            by_cost.select_nth_unstable(k - 1);
            for &(_, c) in &by_cost[..k] {
                keep[c] = true;
            }
        }
    }
    (0..width).filter(|&c| keep[c]).collect()
}

/// The batch dispatcher as a policy of the MDRP simulator: a round every `every` minutes.
pub struct Batch {
    pub params: Params,
}

impl Batch {
    pub fn for_instance(inst: &crate::mdrp::Instance) -> Self {
        let params =
            Params { pickup_service: inst.pickup_service, dropoff_service: inst.dropoff_service, ..Params::default() };
        Self { params }
    }
}

impl crate::sim::Policy for Batch {
    fn decide(&mut self, v: &crate::sim::View) -> Vec<(usize, Vec<usize>)> {
        if v.now % self.params.every.max(1) != 0 {
            return Vec::new();
        }
        let (couriers, riders) = v.riders();
        v.sends(&couriers, round(v.now, &v.jobs(), &riders, v.travel, &self.params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::round::NO_PROMISE;
    use crate::travel::Euclid;

    /// 100 m a minute: a kilometre is ten minutes.
    const T: Euclid = Euclid { meters_per_minute: 100.0 };

    fn at(x: f64) -> Point {
        Point { x, y: 0.0 }
    }

    fn job(restaurant: usize, kitchen: f64, placed: i64, ready: i64) -> Job {
        Job {
            restaurant,
            pickup_at: at(kitchen),
            drop_at: Point { x: kitchen, y: 500.0 },
            placed,
            ready,
            due: NO_PROMISE,
        }
    }

    fn rider(x: f64, free: i64) -> Rider {
        Rider { at: at(x), at_restaurant: None, free, off: 1_000, pace: 1.0 }
    }

    fn sent(s: &[Send]) -> Vec<(usize, Vec<usize>)> {
        s.iter().map(|s| (s.rider, s.jobs.clone())).collect()
    }

    #[test]
    fn a_rider_leaves_only_when_waiting_would_keep_the_food_waiting() {
        // Ten minutes away, two more for the pickup: food ready at 30 wants a start at 18.
        let jobs = [job(0, 1000.0, 0, 30)];
        let first = (0..40).find(|&now| !round(now, &jobs, &[rider(0.0, 0)], &T, &Params::default()).is_empty());
        assert_eq!(first, Some(18));
    }

    #[test]
    fn a_rider_who_must_answer_first_is_sent_that_much_earlier() {
        let jobs = [job(0, 1000.0, 0, 30)];
        let p = Params { lead: 10, ..Params::default() };
        let first = (0..40).find(|&now| !round(now, &jobs, &[rider(0.0, 0)], &T, &p).is_empty());
        assert_eq!(first, Some(8));
    }

    #[test]
    fn a_job_goes_only_to_riders_allowed_and_the_plan_says_what_waits() {
        // Job 1's food is ready in 100 minutes: planned, held back.
        let jobs = [job(0, 0.0, 0, 0), job(1, 1000.0, 0, 100)];
        let riders = [rider(100.0, 0), rider(-400.0, 0)];
        let p = Params::default();
        let refused = plan(0, &jobs, &riders, &T, &p, &|j, r| !(j == 0 && r == 0));
        assert_eq!(sent(&refused.send), vec![(1, vec![0])], "not to the rider who turned it down");
        assert_eq!(refused.planned, vec![true, true]);
        let nobody = plan(0, &jobs, &riders, &T, &p, &|j, _| j == 0);
        assert_eq!(nobody.planned, vec![true, false]);
    }

    #[test]
    fn one_kitchens_orders_go_together_when_riders_are_short() {
        let jobs = [job(0, 0.0, 0, 5), job(0, 0.0, 1, 8), job(1, 3000.0, 0, 5)];
        let p = Params::default();
        let one = round(10, &jobs[..2], &[rider(100.0, 0)], &T, &p);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].jobs.len(), 2, "both dosas to the one rider");
        // With a rider each, each goes alone.
        let two = round(10, &jobs[..2], &[rider(100.0, 0), rider(-100.0, 0)], &T, &p);
        assert!(two.len() == 2 && two.iter().all(|s| s.jobs.len() == 1), "{two:?}");
        // Two kitchens never share a rider.
        let apart = round(10, &[jobs[0], jobs[2]], &[rider(100.0, 0)], &T, &p);
        assert_eq!(sent(&apart), vec![(0, vec![0])]);
    }

    /// Job `j` of kitchen `k` at `x` metres, its customer 500 m north of it, promised by `due`.
    fn promised(k: usize, x: f64, placed: i64, ready: i64, due: i64) -> Job {
        Job { due, ..job(k, x, placed, ready) }
    }

    #[test]
    fn a_near_kitchens_order_is_stacked_when_the_detour_is_small_and_promises_hold() {
        // Kitchens 200 m apart (2 minutes), both orders ready at 10, one rider at the first.
        let jobs = [promised(0, 0.0, 0, 10, 60), promised(1, 200.0, 0, 10, 60)];
        let riders = [rider(0.0, 0)];
        let off = Params::default();
        assert_eq!(round(10, &jobs, &riders, &T, &off).len(), 1);
        assert_eq!(round(10, &jobs, &riders, &T, &off)[0].jobs.len(), 1, "no stacking unless asked (MDRP)");
        let on = Params { stack_reach: 5, ..Params::default() };
        let stacked = round(10, &jobs, &riders, &T, &on);
        assert_eq!(sent(&stacked).len(), 1);
        let mut both = stacked[0].jobs.clone();
        both.sort();
        assert_eq!(both, vec![0, 1], "both kitchens' orders to the one rider: {stacked:?}");
        // A promise that the stacked trip would break: not stacked, the other order waits.
        let tight = [promised(0, 0.0, 0, 10, 60), promised(1, 200.0, 0, 10, 18)];
        let got = round(10, &tight, &riders, &T, &on);
        assert!(got.len() == 1 && got[0].jobs.len() == 1, "{got:?}");
        // A kitchen farther than the reach: not stacked.
        let far = [promised(0, 0.0, 0, 10, 60), promised(1, 900.0, 0, 10, 60)];
        assert_eq!(round(10, &far, &riders, &T, &on)[0].jobs.len(), 1);
        // Orders whose customers lie in opposite directions: the detour is too long.
        let apart = [
            promised(0, 0.0, 0, 10, 90),
            Job { drop_at: Point { x: 200.0, y: -2000.0 }, ..promised(1, 200.0, 0, 10, 90) },
        ];
        assert_eq!(round(10, &apart, &riders, &T, &on)[0].jobs.len(), 1);
    }

    #[test]
    fn a_stacked_trip_picks_up_at_both_counters_before_the_drops() {
        // Pickup at the first counter at 10, leave at 12, 2 minutes to the second counter,
        // pickup there at 16 (arrive 14 plus 2), leave at 18; then the drops.
        let jobs = [promised(0, 0.0, 0, 10, 90), promised(1, 200.0, 0, 10, 90)];
        let p = Params { stack_reach: 5, ..Params::default() };
        let b = Bundle::new(&jobs, &[0, 1], &T, &p);
        assert_eq!(b.leave(10, &p), 18);
        let alone = Bundle::new(&jobs, &[0], &T, &p);
        assert_eq!(alone.leave(10, &p), 12);
        // Food at the second counter ready only at 25: the rider waits for it there.
        let late = [jobs[0], promised(1, 200.0, 0, 25, 90)];
        assert_eq!(Bundle::new(&late, &[0, 1], &T, &p).leave(10, &p), 27);
        assert!(b.keeps_promises(10, &p));
        let tight = [jobs[0], promised(1, 200.0, 0, 10, 20)];
        assert!(!Bundle::new(&tight, &[0, 1], &T, &p).keeps_promises(10, &p));
    }

    #[test]
    fn a_bundle_no_rider_may_take_whole_goes_order_by_order() {
        // One rider, two orders of one kitchen: bundled; but the rider turned order 0 down.
        let jobs = [job(0, 0.0, 0, 5), job(0, 0.0, 1, 8)];
        let p = Params::default();
        let got = plan(10, &jobs, &[rider(100.0, 0)], &T, &p, &|j, _| j != 0);
        assert_eq!(sent(&got.send), vec![(0, vec![1])]);
        assert_eq!(got.planned, vec![false, true]);
    }

    #[test]
    fn the_matching_minimises_the_total_where_greedy_does_not() {
        // Kitchen A at 0 and B at 1 km, both ready; rider 0 is 1 min from A and 9 from B,
        // rider 1 is 4 from A and 14 from B. Oldest first (A) to its nearest leaves B 14 min
        // away (15 in all); the matching sends rider 1 to A and rider 0 to B (13).
        let jobs = [job(0, 0.0, 0, 0), job(1, 1000.0, 1, 0)];
        let riders = [rider(100.0, 0), rider(-400.0, 0)];
        let p = Params::default();
        let mut batch = sent(&round(2, &jobs, &riders, &T, &p));
        batch.sort();
        assert_eq!(batch, vec![(0, vec![1]), (1, vec![0])]);
        let mut greedy = sent(&crate::greedy::round(2, &jobs, &riders, &T, &p));
        greedy.sort();
        assert_eq!(greedy, vec![(0, vec![0]), (1, vec![1])]);
    }

    #[test]
    fn a_rider_finishing_at_the_kitchen_is_waited_for() {
        let jobs = [job(0, 0.0, 0, 0)];
        // One free rider 20 min away; one finishing a trip at the counter in 3 min.
        let riders = [rider(2000.0, 0), Rider { at: at(0.0), at_restaurant: Some(0), free: 3, off: 1_000, pace: 1.0 }];
        let p = Params::default();
        assert!(round(0, &jobs, &riders, &T, &p).is_empty(), "the far rider is not sent");
        assert_eq!(sent(&round(3, &jobs, &riders, &T, &p)), vec![(1, vec![0])]);
        // Beyond the horizon they are not counted on.
        let later = [riders[0], Rider { free: 3 + p.horizon + 1, ..riders[1] }];
        assert_eq!(sent(&round(2, &jobs, &later, &T, &p)), vec![(0, vec![0])]);
    }

    #[test]
    fn the_oldest_order_is_served_first_when_riders_are_short() {
        // Two kitchens the same distance away; the order placed at 0 before the one at 10.
        let jobs = [job(0, 1000.0, 10, 0), job(1, -1000.0, 0, 0)];
        assert_eq!(sent(&round(20, &jobs, &[rider(0.0, 0)], &T, &Params::default())), vec![(0, vec![1])]);
    }

    #[test]
    fn no_pickup_after_the_shift() {
        let jobs = [job(0, 1000.0, 0, 0)];
        let tired = Rider { off: 11, ..rider(0.0, 0) };
        assert!(round(0, &jobs, &[tired], &T, &Params::default()).is_empty(), "pickup at 12, shift ends at 11");
        assert_eq!(round(0, &jobs, &[Rider { off: 12, ..tired }], &T, &Params::default()).len(), 1);
    }

    #[test]
    fn a_small_budget_keeps_each_bundles_cheapest_riders() {
        let costs = vec![vec![Some(5), Some(1), None, Some(3)], vec![Some(2), Some(9), Some(8), None]];
        assert_eq!(candidates(&costs, 1), vec![0, 1]);
        assert_eq!(candidates(&costs, 4), vec![0, 1, 2, 3]);
        // A round on a budget of one cell a bundle still keeps a few riders each.
        let jobs = [job(0, 0.0, 0, 0), job(1, 1000.0, 1, 0)];
        let riders = [rider(100.0, 0), rider(-400.0, 0), rider(5000.0, 0)];
        let tight = Params { max_cells: 2, ..Params::default() };
        assert_eq!(round(2, &jobs, &riders, &T, &tight).len(), 2);
    }
}
