//! The dispatch policies on the live city: the orders due for an offer and the riders near their
//! kitchens, put into the dispatch crate's terms (points as longitude and latitude, times in
//! whole minutes from now, Dabba's road-detour travel model at a scooter's speed, each rider's
//! vehicle as their pace) and handed to `dabba_dispatch::batch::plan` (or, with the greedy
//! policy, `dabba_dispatch::greedy::plan`), the same rounds the MDRP and city simulators run.

use dabba_dispatch::round::{Job, Params, Rider};
use dabba_dispatch::travel::{Point, Travel};
use dabba_dispatch::{batch, greedy};
use dabba_domain::LatLng;
use dabba_domain::eta::{Traffic, Vehicle};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// An order due for an offer, as the round needs it.
#[derive(Debug, Clone, Copy)]
pub struct Due {
    pub restaurant_id: Uuid,
    pub restaurant: LatLng,
    pub customer: LatLng,
    /// Minutes since dispatch started looking for a rider (its age in the round).
    pub waited_minutes: f64,
    /// Minutes until the food is expected ready.
    pub ready_minutes: f64,
    /// Minutes until the drop-off promised to the customer.
    pub due_minutes: f64,
}

/// A rider one of the due orders may go to.
#[derive(Debug, Clone, Copy)]
pub struct Reachable {
    pub order: usize,
    pub rider: Uuid,
    pub at: LatLng,
    pub vehicle: Vehicle,
    /// Minutes until they are free at `at` (0: free now).
    pub free_minutes: f64,
}

/// The travel port on the live city: the great-circle distance ridden at a scooter's speed for
/// the hour with the road-detour factor, rounded up to minutes.
struct Road {
    hour: u8,
    traffic: Traffic,
}

fn point(p: LatLng) -> Point {
    Point { x: p.lng, y: p.lat }
}

impl Travel for Road {
    fn minutes(&self, from: Point, to: Point) -> i64 {
        let km = LatLng { lat: from.y, lng: from.x }.distance_km(LatLng { lat: to.y, lng: to.x });
        self.traffic.travel_minutes(km, Vehicle::Scooter, self.hour).ceil() as i64
    }
}

/// How the round is run.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// An order is sent once its rider would need to set off within this many minutes (the
    /// time to answer an offer); planned but held back until then.
    pub lead_minutes: i64,
    /// The most orders to one rider (one kitchen's, or two within `stack_reach` minutes of each
    /// other), when riders are short.
    pub max_bundle: usize,
    pub stack_reach: i64,
    /// The crate's greedy round instead of the batch one: each order, oldest first, at once to
    /// its soonest pickup.
    pub greedy: bool,
    /// The zone's traffic by hour.
    pub traffic: Traffic,
}

/// One round at the local `hour`: which due orders go to which rider now (order indices in
/// drop-off order, and the index of one of the kitchen to ride to first), and which the round
/// planned for a rider, sent now or held back until the rider needs to set off. Each rider at
/// most once.
pub fn round(due: &[Due], reachable: &[Reachable], hour: u8, s: &Settings) -> (Vec<Sent>, Vec<bool>) {
    let mut kitchens: HashMap<Uuid, usize> = HashMap::new();
    let jobs: Vec<Job> = due
        .iter()
        .map(|d| {
            let next = kitchens.len();
            Job {
                restaurant: *kitchens.entry(d.restaurant_id).or_insert(next),
                pickup_at: point(d.restaurant),
                drop_at: point(d.customer),
                placed: -(d.waited_minutes.max(0.0).floor() as i64),
                ready: d.ready_minutes.max(0.0).ceil() as i64,
                due: d.due_minutes.max(0.0).floor() as i64,
            }
        })
        .collect();
    let mut ids: Vec<Uuid> = Vec::new();
    let mut index: HashMap<Uuid, usize> = HashMap::new();
    let mut riders: Vec<Rider> = Vec::new();
    let mut allowed: HashSet<(usize, usize)> = HashSet::new();
    let scooter = Vehicle::Scooter.city_speed_kmh();
    for r in reachable {
        let i = *index.entry(r.rider).or_insert_with(|| {
            ids.push(r.rider);
            let pace = scooter / r.vehicle.city_speed_kmh();
            let free = r.free_minutes.max(0.0).ceil() as i64;
            riders.push(Rider { at: point(r.at), at_restaurant: None, free, off: i64::MAX / 4, pace });
            ids.len() - 1
        });
        allowed.insert((r.order, i));
    }
    // Riders still on a trip are planned for, never sent (the round sends only riders free now).
    let params = Params {
        max_bundle: s.max_bundle,
        stack_reach: s.stack_reach,
        horizon: super::dispatch::SOON_MINUTES,
        lead: s.lead_minutes,
        ..Params::default()
    };
    let allowed = |j: usize, r: usize| allowed.contains(&(j, r));
    let road = Road { hour, traffic: s.traffic };
    let (sends, planned) = if s.greedy {
        let sends = greedy::plan(0, &jobs, &riders, &road, &params, &allowed);
        let mut planned = vec![false; jobs.len()];
        for j in sends.iter().flat_map(|s| &s.jobs) {
            planned[*j] = true;
        }
        (sends, planned)
    } else {
        let plan = batch::plan(0, &jobs, &riders, &road, &params, &allowed);
        (plan.send, plan.planned)
    };
    let sent = sends.into_iter().map(|s| Sent { orders: s.jobs, first: s.first, rider: ids[s.rider] }).collect();
    (sent, planned)
}

/// A rider sent now with orders (indices into the due orders, in drop-off order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub orders: Vec<usize>,
    /// One of the orders of the kitchen to ride to first.
    pub first: usize,
    pub rider: Uuid,
}

#[cfg(test)]
mod tests {
    use super::*;

    const KITCHEN: LatLng = LatLng { lat: 12.9716, lng: 77.5946 };

    fn due(ready_minutes: f64, waited_minutes: f64) -> Due {
        Due {
            restaurant_id: Uuid::from_u128(1),
            restaurant: KITCHEN,
            customer: LatLng { lat: 12.98, lng: 77.60 },
            waited_minutes,
            ready_minutes,
            due_minutes: 60.0,
        }
    }

    fn near(order: usize, rider: u128, km_east: f64) -> Reachable {
        let lng = KITCHEN.lng + km_east / (111.32 * KITCHEN.lat.to_radians().cos());
        Reachable {
            order,
            rider: Uuid::from_u128(rider),
            at: LatLng { lat: KITCHEN.lat, lng },
            vehicle: Vehicle::Scooter,
            free_minutes: 0.0,
        }
    }

    fn batch(lead_minutes: i64) -> Settings {
        Settings { lead_minutes, max_bundle: 3, stack_reach: 0, greedy: false, traffic: Traffic::default() }
    }

    fn riders(sent: &[Sent]) -> Vec<(Vec<usize>, Uuid)> {
        sent.iter().map(|s| (s.orders.clone(), s.rider)).collect()
    }

    #[test]
    fn the_road_rides_the_great_circle() {
        let far = LatLng { lat: 12.98, lng: 77.60 };
        let want = dabba_domain::eta::travel_minutes(KITCHEN.distance_km(far), Vehicle::Scooter, 14).ceil() as i64;
        let road = |hour| Road { hour, traffic: Traffic::default() };
        assert_eq!(road(14).minutes(point(KITCHEN), point(far)), want);
        assert!(road(13).minutes(point(KITCHEN), point(far)) > want, "lunch traffic");
        // Learned: 14 h is slow in this city after all.
        let mut slow = Traffic::default();
        slow.0[14] = 0.5;
        assert!(Road { hour: 14, traffic: slow }.minutes(point(KITCHEN), point(far)) > want);
    }

    #[test]
    fn a_bicycle_counts_as_slower() {
        // A bicycle 1 km away against a scooter 1.5 km away: the scooter gets there first.
        let bike = Reachable { vehicle: Vehicle::Bicycle, ..near(0, 1, 1.0) };
        let (send, _) = round(&[due(0.0, 0.0)], &[bike, near(0, 2, 1.5)], 14, &batch(0));
        assert_eq!(riders(&send), vec![(vec![0], Uuid::from_u128(2))]);
    }

    #[test]
    fn food_ready_now_goes_to_the_nearest_and_later_food_waits() {
        // Ready now: the rider 1 km away, not the one 3 km away.
        let (send, planned) = round(&[due(0.0, 2.0)], &[near(0, 1, 3.0), near(0, 2, 1.0)], 14, &batch(0));
        assert_eq!(riders(&send), vec![(vec![0], Uuid::from_u128(2))]);
        assert_eq!(planned, vec![true]);
        // Ready in 40 minutes: planned, held back, unless the lead covers it.
        let (send, planned) = round(&[due(40.0, 0.0)], &[near(0, 1, 1.0)], 14, &batch(0));
        assert!(send.is_empty() && planned == vec![true]);
        let (send, _) = round(&[due(40.0, 0.0)], &[near(0, 1, 1.0)], 14, &batch(60));
        assert_eq!(send.len(), 1);
        // Nobody reachable: not planned.
        let (send, planned) = round(&[due(0.0, 0.0), due(0.0, 0.0)], &[near(0, 1, 1.0)], 14, &batch(0));
        assert_eq!((riders(&send), planned), (vec![(vec![0], Uuid::from_u128(1))], vec![true, false]));
    }

    #[test]
    fn greedy_sends_at_once_and_only_to_riders_allowed() {
        let greedy = Settings { greedy: true, ..batch(0) };
        // Food ready in 40 minutes: greedy sends the nearest now all the same.
        let (send, planned) = round(&[due(40.0, 0.0)], &[near(0, 1, 3.0), near(0, 2, 1.0)], 14, &greedy);
        assert_eq!((riders(&send), planned), (vec![(vec![0], Uuid::from_u128(2))], vec![true]));
        // Two orders, one rider who may take only the second: one order at a time, to them.
        let (send, planned) = round(&[due(0.0, 5.0), due(0.0, 0.0)], &[near(1, 1, 1.0)], 14, &greedy);
        assert_eq!((riders(&send), planned), (vec![(vec![1], Uuid::from_u128(1))], vec![false, true]));
    }
}
