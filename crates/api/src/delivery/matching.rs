//! The batch policy on the live city: the orders due for an offer and the riders near their
//! kitchens, put into the dispatch crate's terms (points in metres, times in whole minutes from
//! now, Dabba's road-detour travel model) and handed to `dabba_dispatch::batch::plan`, the same
//! round the MDRP simulator runs.

use dabba_dispatch::batch;
use dabba_dispatch::round::{Job, Params, Rider};
use dabba_dispatch::travel::{Point, Travel};
use dabba_domain::LatLng;
use dabba_domain::eta::{Vehicle, travel_minutes};
use std::collections::HashMap;
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
}

/// A rider one of the due orders may go to, `km` from its kitchen.
#[derive(Debug, Clone, Copy)]
pub struct Reachable {
    pub order: usize,
    pub rider: Uuid,
    pub at: LatLng,
}

/// The travel port on the live city: the straight line in metres of a local flat projection,
/// ridden at a scooter's speed for the hour with the road-detour factor, rounded up to minutes.
struct Road {
    hour: u8,
}

impl Travel for Road {
    fn minutes(&self, from: Point, to: Point) -> i64 {
        let km = ((to.x - from.x).powi(2) + (to.y - from.y).powi(2)).sqrt() / 1000.0;
        travel_minutes(km, Vehicle::Scooter, self.hour).ceil() as i64
    }
}

/// Metres east and north of `origin` (flat within a city: under 0.1% off over 20 km).
fn project(origin: LatLng, p: LatLng) -> Point {
    let east = (p.lng - origin.lng) * 111_320.0 * origin.lat.to_radians().cos();
    Point { x: east, y: (p.lat - origin.lat) * 110_574.0 }
}

/// One round: which due orders go to which rider now (order index, rider), and which the round
/// planned for a rider but holds back until the rider needs to set off (`lead_minutes` before
/// that, to answer the offer). Each rider at most once.
pub fn round(due: &[Due], reachable: &[Reachable], hour: u8, lead_minutes: i64) -> (Vec<(usize, Uuid)>, Vec<bool>) {
    let Some(origin) = due.first().map(|d| d.restaurant) else { return (Vec::new(), Vec::new()) };
    let mut kitchens: HashMap<Uuid, usize> = HashMap::new();
    let jobs: Vec<Job> = due
        .iter()
        .map(|d| {
            let next = kitchens.len();
            Job {
                restaurant: *kitchens.entry(d.restaurant_id).or_insert(next),
                pickup_at: project(origin, d.restaurant),
                drop_at: project(origin, d.customer),
                placed: -(d.waited_minutes.max(0.0).floor() as i64),
                ready: d.ready_minutes.max(0.0).ceil() as i64,
            }
        })
        .collect();
    let mut ids: Vec<Uuid> = Vec::new();
    let mut index: HashMap<Uuid, usize> = HashMap::new();
    let mut riders: Vec<Rider> = Vec::new();
    let mut allowed: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    for r in reachable {
        let i = *index.entry(r.rider).or_insert_with(|| {
            ids.push(r.rider);
            riders.push(Rider { at: project(origin, r.at), at_restaurant: None, free: 0, off: i64::MAX / 4 });
            ids.len() - 1
        });
        allowed.insert((r.order, i));
    }
    // One order per offer until riders carry several; no rider still on a trip is planned for
    // (the server does not know when a trip ends yet).
    let params = Params { max_bundle: 1, horizon: 0, lead: lead_minutes, ..Params::default() };
    let plan = batch::plan(0, &jobs, &riders, &Road { hour }, &params, &|j, r| allowed.contains(&(j, r)));
    let send = plan.send.iter().filter_map(|s| Some((*s.jobs.first()?, ids[s.rider]))).collect();
    (send, plan.planned)
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
        }
    }

    fn near(order: usize, rider: u128, km_east: f64) -> Reachable {
        let lng = KITCHEN.lng + km_east / (111.32 * KITCHEN.lat.to_radians().cos());
        Reachable { order, rider: Uuid::from_u128(rider), at: LatLng { lat: KITCHEN.lat, lng } }
    }

    #[test]
    fn the_projection_keeps_city_distances() {
        let p = project(KITCHEN, LatLng { lat: 12.98, lng: 77.60 });
        let km = (p.x * p.x + p.y * p.y).sqrt() / 1000.0;
        let great_circle = KITCHEN.distance_km(LatLng { lat: 12.98, lng: 77.60 });
        assert!((km - great_circle).abs() < 0.005, "{km} vs {great_circle}");
    }

    #[test]
    fn food_ready_now_goes_to_the_nearest_and_later_food_waits() {
        // Ready now: the rider 1 km away, not the one 3 km away.
        let (send, planned) = round(&[due(0.0, 2.0)], &[near(0, 1, 3.0), near(0, 2, 1.0)], 14, 0);
        assert_eq!(send, vec![(0, Uuid::from_u128(2))]);
        assert_eq!(planned, vec![true]);
        // Ready in 40 minutes: planned, held back, unless the lead covers it.
        let (send, planned) = round(&[due(40.0, 0.0)], &[near(0, 1, 1.0)], 14, 0);
        assert!(send.is_empty() && planned == vec![true]);
        let (send, _) = round(&[due(40.0, 0.0)], &[near(0, 1, 1.0)], 14, 60);
        assert_eq!(send.len(), 1);
        // Nobody reachable: not planned.
        let (send, planned) = round(&[due(0.0, 0.0), due(0.0, 0.0)], &[near(0, 1, 1.0)], 14, 0);
        assert_eq!((send.len(), planned), (1, vec![true, false]));
    }
}
