//! Replays an MDRP instance minute by minute: orders are revealed when placed, couriers come on
//! and go off shift, the policy decides who carries what, and the simulator carries it out by
//! the problem's rules (pickup once ready and before the courier's shift ends, half of each
//! service time before the instant and half after, no rerouting on the way).

use crate::mdrp::{Assignment, Delivery, Instance, Move, Place, Solution};
use crate::round::{Job, Rider, Send};
use crate::travel::{Point, Travel};

/// Where a courier is and from when they can leave.
#[derive(Debug, Clone, Copy)]
pub struct CourierState {
    pub place: Place,
    pub at: Point,
    pub free: i64,
}

/// What a policy sees at a minute.
pub struct View<'a> {
    pub now: i64,
    pub inst: &'a Instance,
    pub travel: &'a dyn Travel,
    /// Orders placed and not yet given to anyone, by placement.
    pub waiting: &'a [usize],
    /// Couriers on shift and free now.
    pub free: &'a [usize],
    pub couriers: &'a [CourierState],
}

impl View<'_> {
    /// The waiting orders as a round's jobs, in the order of `waiting`.
    pub fn jobs(&self) -> Vec<Job> {
        let inst = self.inst;
        self.waiting
            .iter()
            .map(|&o| {
                let order = &inst.orders[o];
                Job {
                    restaurant: order.restaurant,
                    pickup_at: inst.restaurants[order.restaurant].at,
                    drop_at: order.at,
                    placed: order.placed,
                    ready: order.ready,
                    due: crate::round::NO_PROMISE,
                }
            })
            .collect()
    }

    /// Every courier on shift as a round's rider (those on a trip free when it ends, where it
    /// ends), with their courier numbers.
    pub fn riders(&self) -> (Vec<usize>, Vec<Rider>) {
        let inst = self.inst;
        let on: Vec<usize> = (0..inst.couriers.len())
            .filter(|&c| inst.couriers[c].on <= self.now && self.now <= inst.couriers[c].off)
            .collect();
        let riders = on
            .iter()
            .map(|&c| {
                let s = &self.couriers[c];
                let at_restaurant = match s.place {
                    Place::Restaurant(r) => Some(r),
                    _ => None,
                };
                Rider { at: s.at, at_restaurant, free: s.free, off: inst.couriers[c].off, pace: 1.0 }
            })
            .collect();
        (on, riders)
    }

    /// A round's decisions as the simulator's: courier numbers and order numbers.
    pub fn sends(&self, couriers: &[usize], sends: Vec<Send>) -> Vec<(usize, Vec<usize>)> {
        sends.into_iter().map(|s| (couriers[s.rider], s.jobs.iter().map(|&j| self.waiting[j]).collect())).collect()
    }
}

/// Decides, at a minute, which free couriers take which waiting orders.
pub trait Policy {
    /// Bundles to send now: a courier and orders of one restaurant, in drop-off order.
    fn decide(&mut self, view: &View) -> Vec<(usize, Vec<usize>)>;
}

/// Runs the whole day under `policy`.
pub fn simulate(inst: &Instance, travel: &dyn Travel, policy: &mut dyn Policy) -> Solution {
    let mut couriers: Vec<CourierState> =
        inst.couriers.iter().map(|c| CourierState { place: Place::Start, at: c.at, free: c.on }).collect();
    let mut sol = Solution { deliveries: vec![None; inst.orders.len()], ..Default::default() };
    let mut given = vec![false; inst.orders.len()];
    let mut by_placement: Vec<usize> = (0..inst.orders.len()).collect();
    by_placement.sort_by_key(|&o| (inst.orders[o].placed, o));
    let start = inst.orders.iter().map(|o| o.placed).chain(inst.couriers.iter().map(|c| c.on)).min().unwrap_or(0);
    let end = inst.couriers.iter().map(|c| c.off).max().unwrap_or(0);
    let mut revealed = 0;
    for now in start..=end {
        while revealed < by_placement.len() && inst.orders[by_placement[revealed]].placed <= now {
            revealed += 1;
        }
        let waiting: Vec<usize> = by_placement[..revealed].iter().copied().filter(|&o| !given[o]).collect();
        let free: Vec<usize> = (0..couriers.len())
            .filter(|&c| inst.couriers[c].on <= now && now < inst.couriers[c].off && couriers[c].free <= now)
            .collect();
        if waiting.is_empty() || free.is_empty() {
            continue;
        }
        let view = View { now, inst, travel, waiting: &waiting, free: &free, couriers: &couriers };
        let decided = policy.decide(&view);
        for (c, orders) in decided {
            if let Some(a) = carry(inst, travel, &mut couriers, &mut sol, now, c, &orders, &given, &free) {
                for o in &a.orders {
                    given[*o] = true;
                }
                sol.assignments.push(a);
            }
        }
    }
    sol
}

/// Sends courier `c` with `orders` at `now`, if the problem's rules allow it.
#[allow(clippy::too_many_arguments)]
fn carry(
    inst: &Instance,
    travel: &dyn Travel,
    couriers: &mut [CourierState],
    sol: &mut Solution,
    now: i64,
    c: usize,
    orders: &[usize],
    given: &[bool],
    free: &[usize],
) -> Option<Assignment> {
    let r = inst.orders.get(*orders.first()?)?.restaurant;
    let fits = orders
        .iter()
        .all(|&o| o < inst.orders.len() && !given[o] && inst.orders[o].restaurant == r && inst.orders[o].placed <= now);
    let distinct = orders.iter().enumerate().all(|(i, o)| !orders[..i].contains(o));
    if !fits || !distinct || !free.contains(&c) || couriers[c].free > now {
        return None;
    }
    let mut s = couriers[c];
    let restaurant = Place::Restaurant(r);
    let arrive = if s.place == restaurant {
        now
    } else {
        sol.moves.push(Move { courier: c, depart: now, from: s.place, to: restaurant });
        now + travel.minutes(s.at, inst.restaurants[r].at)
    };
    let ready = orders.iter().map(|&o| inst.orders[o].ready).max().unwrap_or(0);
    let pickup = (arrive + inst.pickup_service / 2).max(ready);
    if pickup > inst.couriers[c].off {
        // Undo the trip: a pickup after the shift is not allowed.
        if s.place != restaurant {
            sol.moves.pop();
        }
        return None;
    }
    s.place = restaurant;
    s.at = inst.restaurants[r].at;
    let mut leave = pickup + inst.pickup_service - inst.pickup_service / 2;
    for &o in orders {
        sol.moves.push(Move { courier: c, depart: leave, from: s.place, to: Place::Customer(o) });
        let arrive = leave + travel.minutes(s.at, inst.orders[o].at);
        let dropoff = arrive + inst.dropoff_service / 2;
        sol.deliveries[o] = Some(Delivery { courier: c, pickup, dropoff });
        s.place = Place::Customer(o);
        s.at = inst.orders[o].at;
        leave = dropoff + inst.dropoff_service - inst.dropoff_service / 2;
    }
    s.free = leave;
    couriers[c] = s;
    Some(Assignment { courier: c, at: now, pickup, orders: orders.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mdrp::{Courier, Order, Restaurant};
    use crate::travel::Euclid;

    fn tiny() -> Instance {
        let p = |x: f64, y: f64| Point { x, y };
        Instance {
            orders: vec![
                Order { id: "o1".into(), at: p(960.0, 0.0), placed: 10, restaurant: 0, ready: 20 },
                Order { id: "o2".into(), at: p(0.0, 640.0), placed: 12, restaurant: 0, ready: 15 },
            ],
            restaurants: vec![Restaurant { id: "r1".into(), at: p(0.0, 0.0) }],
            couriers: vec![Courier { id: "c1".into(), at: p(320.0, 0.0), on: 0, off: 60 }],
            meters_per_minute: 320.0,
            pickup_service: 4,
            dropoff_service: 4,
            target_click_to_door: 40,
            pay_per_order: 10.0,
            guaranteed_pay_per_hour: 15.0,
        }
    }

    /// Sends both orders together at the first minute it can.
    struct Both;
    impl Policy for Both {
        fn decide(&mut self, v: &View) -> Vec<(usize, Vec<usize>)> {
            if v.waiting.len() == 2 { vec![(v.free[0], v.waiting.to_vec())] } else { Vec::new() }
        }
    }

    #[test]
    fn a_bundle_is_carried_by_the_rules() {
        let inst = tiny();
        let sol = simulate(&inst, &Euclid { meters_per_minute: 320.0 }, &mut Both);
        // At 12 the courier leaves, is at the counter at 13, picks up once both are ready (20)
        // and leaves at 22: o1 is 3 min away (arrives 25, drops at 27, leaves 29), then o2
        // ceil(1154/320) = 4 min on (arrives 33, drops at 35).
        assert_eq!(sol.assignments, vec![Assignment { courier: 0, at: 12, pickup: 20, orders: vec![0, 1] }]);
        assert_eq!(sol.deliveries[0], Some(Delivery { courier: 0, pickup: 20, dropoff: 27 }));
        assert_eq!(sol.deliveries[1], Some(Delivery { courier: 0, pickup: 20, dropoff: 35 }));
        assert_eq!(
            sol.moves,
            vec![
                Move { courier: 0, depart: 12, from: Place::Start, to: Place::Restaurant(0) },
                Move { courier: 0, depart: 22, from: Place::Restaurant(0), to: Place::Customer(0) },
                Move { courier: 0, depart: 29, from: Place::Customer(0), to: Place::Customer(1) },
            ]
        );
    }

    /// Tries what the rules forbid: a pickup after the shift, a bundle of two restaurants'
    /// orders, an order twice.
    struct Cheat(u8);
    impl Policy for Cheat {
        fn decide(&mut self, v: &View) -> Vec<(usize, Vec<usize>)> {
            self.0 += 1;
            match self.0 {
                1 => vec![(v.free[0], vec![v.waiting[0], v.waiting[0]])],
                _ => Vec::new(),
            }
        }
    }

    #[test]
    fn what_the_rules_forbid_is_not_carried() {
        let mut inst = tiny();
        let sol = simulate(&inst, &Euclid { meters_per_minute: 320.0 }, &mut Cheat(0));
        assert!(sol.assignments.is_empty() && sol.moves.is_empty(), "an order twice in a bundle");
        inst.couriers[0].off = 18;
        let sol = simulate(&inst, &Euclid { meters_per_minute: 320.0 }, &mut Both);
        assert!(sol.assignments.is_empty() && sol.moves.is_empty(), "the food is ready after the shift ends");
    }
}
