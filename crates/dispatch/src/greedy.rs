//! The plain greedy dispatcher (Deliveroo's first, "Louie"): each waiting order, oldest first,
//! goes at once to the free courier who can pick it up soonest, one order at a time. Kept as
//! the policy to compare against.

use crate::round::{Job, Params, Rider, Send};
use crate::sim::{Policy, View};
use crate::travel::Travel;

/// One greedy round: the oldest order first, each to the rider free now who can pick it up
/// soonest (not after their shift, not beyond `max_reach`), the nearest among those who would
/// all be there by the time the food is ready; one order per rider.
pub fn round(now: i64, jobs: &[Job], riders: &[Rider], travel: &dyn Travel, p: &Params) -> Vec<Send> {
    plan(now, jobs, riders, travel, p, &|_, _| true)
}

/// [`round`] where job `j` may go only to a rider `r` with `allowed(j, r)` (the server: riders
/// within reach of the kitchen who have not turned the order down).
pub fn plan(
    now: i64,
    jobs: &[Job],
    riders: &[Rider],
    travel: &dyn Travel,
    p: &Params,
    allowed: &dyn Fn(usize, usize) -> bool,
) -> Vec<Send> {
    let mut free: Vec<usize> = (0..riders.len()).filter(|&r| riders[r].free <= now && now <= riders[r].off).collect();
    let mut oldest: Vec<usize> = (0..jobs.len()).collect();
    oldest.sort_by_key(|&j| (jobs[j].placed, j));
    let mut out = Vec::new();
    for j in oldest {
        if free.is_empty() {
            break;
        }
        let job = &jobs[j];
        let reach =
            |r: &Rider| if r.at_restaurant == Some(job.restaurant) { 0 } else { r.ride(travel, r.at, job.pickup_at) };
        let best = free
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                let ride = reach(&riders[r]);
                ((now + ride + p.pickup_service / 2).max(job.ready), ride, i)
            })
            .filter(|&(t, ride, i)| t <= riders[free[i]].off && ride <= p.max_reach && allowed(j, free[i]))
            .min();
        if let Some((_, _, i)) = best {
            out.push(Send { rider: free.swap_remove(i), jobs: vec![j], first: j });
        }
    }
    out
}

pub struct Greedy {
    pub params: Params,
}

impl Greedy {
    pub fn for_instance(inst: &crate::mdrp::Instance) -> Self {
        Self {
            params: Params {
                pickup_service: inst.pickup_service,
                dropoff_service: inst.dropoff_service,
                ..Params::default()
            },
        }
    }
}

impl Policy for Greedy {
    fn decide(&mut self, v: &View) -> Vec<(usize, Vec<usize>)> {
        let (couriers, riders) = v.riders();
        v.sends(&couriers, round(v.now, &v.jobs(), &riders, v.travel, &self.params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mdrp::{Courier, Instance, Order, Restaurant};
    use crate::sim::simulate;
    use crate::travel::{Euclid, Point};

    #[test]
    fn each_order_goes_to_the_courier_who_picks_it_up_soonest() {
        let p = |x: f64, y: f64| Point { x, y };
        let inst = Instance {
            orders: vec![
                Order { id: "o1".into(), at: p(0.0, 3200.0), placed: 5, restaurant: 0, ready: 6 },
                Order { id: "o2".into(), at: p(0.0, 3200.0), placed: 5, restaurant: 1, ready: 6 },
            ],
            restaurants: vec![
                Restaurant { id: "r1".into(), at: p(0.0, 0.0) },
                Restaurant { id: "r2".into(), at: p(6400.0, 0.0) },
            ],
            couriers: vec![
                Courier { id: "far".into(), at: p(6400.0, 320.0), on: 0, off: 100 },
                Courier { id: "near".into(), at: p(0.0, 320.0), on: 0, off: 100 },
            ],
            meters_per_minute: 320.0,
            pickup_service: 4,
            dropoff_service: 4,
            target_click_to_door: 40,
            pay_per_order: 10.0,
            guaranteed_pay_per_hour: 15.0,
        };
        let sol = simulate(&inst, &Euclid { meters_per_minute: 320.0 }, &mut Greedy::for_instance(&inst));
        let by: Vec<(usize, Vec<usize>)> = sol.assignments.iter().map(|a| (a.courier, a.orders.clone())).collect();
        assert_eq!(by, vec![(1, vec![0]), (0, vec![1])], "each courier takes the order at their restaurant");
        assert!(sol.deliveries.iter().all(Option::is_some));
    }
}
