//! The plain greedy dispatcher (Deliveroo's first, "Louie"): each waiting order, oldest first,
//! goes at once to the free courier who can pick it up soonest, one order at a time. Kept as
//! the policy to compare against.

use crate::sim::{Policy, View};

pub struct Greedy;

impl Policy for Greedy {
    fn decide(&mut self, v: &View) -> Vec<(usize, Vec<usize>)> {
        let mut free: Vec<usize> = v.free.to_vec();
        let mut out = Vec::new();
        for &o in v.waiting {
            let best = free
                .iter()
                .enumerate()
                .map(|(i, &c)| (v.pickup_time(c, &[o]), i))
                .filter(|&(pickup, i)| pickup <= v.inst.couriers[free[i]].off)
                .min();
            if let Some((_, i)) = best {
                out.push((free.swap_remove(i), vec![o]));
            }
            if free.is_empty() {
                break;
            }
        }
        out
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
        let sol = simulate(&inst, &Euclid { meters_per_minute: 320.0 }, &mut Greedy);
        let by: Vec<(usize, Vec<usize>)> = sol.assignments.iter().map(|a| (a.courier, a.orders.clone())).collect();
        assert_eq!(by, vec![(1, vec![0]), (0, vec![1])], "each courier takes the order at their restaurant");
        assert!(sol.deliveries.iter().all(Option::is_some));
    }
}
