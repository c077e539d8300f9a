//! Arrival estimates (seed 004 §11 Q8): preparation left (the restaurant's average, stretched by
//! its queue) plus travel (road-detour factor × great-circle distance ÷ the vehicle's speed at
//! that hour). Pure, so the model can be measured against real deliveries later and swapped.

use crate::estimate::ROAD_DETOUR_FACTOR;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a rider rides. Decides the speed in the ETA and the fastest plausible movement in
/// location filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Vehicle {
    Bicycle,
    Scooter,
    Motorcycle,
    Car,
}

impl Vehicle {
    pub const ALL: [Vehicle; 4] = [Vehicle::Bicycle, Vehicle::Scooter, Vehicle::Motorcycle, Vehicle::Car];

    pub fn as_str(self) -> &'static str {
        match self {
            Vehicle::Bicycle => "BICYCLE",
            Vehicle::Scooter => "SCOOTER",
            Vehicle::Motorcycle => "MOTORCYCLE",
            Vehicle::Car => "CAR",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Average speed in city traffic outside rush hours, km/h.
    pub fn city_speed_kmh(self) -> f64 {
        match self {
            Vehicle::Bicycle => 12.0,
            Vehicle::Scooter => 20.0,
            Vehicle::Motorcycle => 24.0,
            Vehicle::Car => 18.0,
        }
    }

    /// Faster than this (m/s) between two fixes is a GPS jump, not a ride: generous, since
    /// riders do speed on empty roads at night.
    pub fn max_speed_mps(self) -> f64 {
        match self {
            Vehicle::Bicycle => 15.0,
            Vehicle::Scooter => 30.0,
            Vehicle::Motorcycle => 40.0,
            Vehicle::Car => 45.0,
        }
    }
}

impl TryFrom<String> for Vehicle {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Vehicle::parse(&s).ok_or_else(|| format!("unknown vehicle {s:?}"))
    }
}

/// Traffic slows riders at lunch (12–14 h) and dinner (19–22 h), local time.
pub fn rush_factor(local_hour: u8) -> f64 {
    match local_hour {
        12..=13 | 19..=21 => 0.7,
        _ => 1.0,
    }
}

/// Minutes to ride `distance_km` of great-circle distance.
pub fn travel_minutes(distance_km: f64, vehicle: Vehicle, local_hour: u8) -> f64 {
    Traffic::default().travel_minutes(distance_km, vehicle, local_hour)
}

/// Each local hour's speed as a share of the vehicles' city speed: the model's rush hours
/// ([`rush_factor`]) until delivered trips have taught the server its city's (`learn`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Traffic(pub [f64; 24]);

impl Default for Traffic {
    fn default() -> Self {
        Self(std::array::from_fn(|h| rush_factor(h as u8)))
    }
}

impl Traffic {
    pub fn factor(&self, local_hour: u8) -> f64 {
        self.0[local_hour as usize % 24].max(0.05)
    }

    /// Minutes to ride `distance_km` of great-circle distance at that hour.
    pub fn travel_minutes(&self, distance_km: f64, vehicle: Vehicle, local_hour: u8) -> f64 {
        let speed = vehicle.city_speed_kmh() * self.factor(local_hour);
        distance_km.max(0.0) * ROAD_DETOUR_FACTOR / speed * 60.0
    }

    /// Minutes until the food is at the door, rounded up.
    pub fn eta_minutes(&self, stage: Stage, vehicle: Vehicle, local_hour: u8) -> u32 {
        let ride = |km: f64| self.travel_minutes(km, vehicle, local_hour);
        let m = match stage {
            Stage::BeforePickup { cooking_left, rider_to_restaurant_km, restaurant_to_customer_km } => {
                cooking_left.max(rider_to_restaurant_km.map_or(0.0, ride)) + ride(restaurant_to_customer_km)
            }
            Stage::OnTheWay { rider_to_customer_km } => ride(rider_to_customer_km),
        };
        m.ceil() as u32
    }

    /// The hour's factor a delivered trip shows: the minutes the model gives its distance at
    /// the vehicle's city speed over the minutes it took. `None` for a trip too short to say
    /// (under 500 m or a minute: the handoff would be most of it); at most twice and at least a
    /// fifth of city speed (a rider who forgot to press "delivered" is not traffic).
    pub fn seen(distance_km: f64, vehicle: Vehicle, minutes: f64) -> Option<f64> {
        if !(distance_km >= 0.5 && minutes >= 1.0) {
            return None;
        }
        let model = distance_km * ROAD_DETOUR_FACTOR / vehicle.city_speed_kmh() * 60.0;
        Some((model / minutes).clamp(0.2, 2.0))
    }
}

/// Minutes of cooking left: the promised preparation time stretched by 20% for each other order
/// the kitchen is cooking (at most doubled), less what has passed, never below zero.
pub fn preparation_left(promised_minutes: f64, others_cooking: u32, elapsed_minutes: f64) -> f64 {
    let stretch = 1.0 + (0.2 * others_cooking as f64).min(1.0);
    (promised_minutes * stretch - elapsed_minutes.max(0.0)).max(0.0)
}

/// Where the order is, with what the estimate needs at that point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stage {
    /// Not picked up yet: cooking left, the rider's distance to the restaurant (`None` while no
    /// rider is assigned: assume one arrives in time) and the restaurant's to the customer.
    BeforePickup { cooking_left: f64, rider_to_restaurant_km: Option<f64>, restaurant_to_customer_km: f64 },
    /// The food is with the rider.
    OnTheWay { rider_to_customer_km: f64 },
}

/// Minutes until the food is at the door, rounded up (the model's traffic).
pub fn eta_minutes(stage: Stage, vehicle: Vehicle, local_hour: u8) -> u32 {
    Traffic::default().eta_minutes(stage, vehicle, local_hour)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn travel_follows_vehicle_detour_and_rush_hour() {
        // 4 km * 1.35 / 20 km/h = 16.2 min off-peak, /0.7 at dinner.
        assert!((travel_minutes(4.0, Vehicle::Scooter, 16) - 16.2).abs() < 1e-9);
        assert!((travel_minutes(4.0, Vehicle::Scooter, 20) - 16.2 / 0.7).abs() < 1e-9);
        assert!(travel_minutes(4.0, Vehicle::Bicycle, 16) > travel_minutes(4.0, Vehicle::Motorcycle, 16));
        assert_eq!(travel_minutes(-1.0, Vehicle::Car, 3), 0.0);
    }

    #[test]
    fn learned_traffic_replaces_the_rush_hours() {
        let mut t = Traffic::default();
        assert_eq!(t.travel_minutes(4.0, Vehicle::Scooter, 20), travel_minutes(4.0, Vehicle::Scooter, 20));
        t.0[20] = 0.5;
        assert!((t.travel_minutes(4.0, Vehicle::Scooter, 20) - 16.2 / 0.5).abs() < 1e-9);
        // A 4 km scooter trip of 16.2 minutes is city speed; of 32.4, half of it.
        assert!((Traffic::seen(4.0, Vehicle::Scooter, 16.2).unwrap() - 1.0).abs() < 1e-9);
        assert!((Traffic::seen(4.0, Vehicle::Scooter, 32.4).unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(Traffic::seen(4.0, Vehicle::Scooter, 600.0), Some(0.2), "forgot to press delivered");
        assert_eq!(Traffic::seen(0.2, Vehicle::Scooter, 3.0), None, "too short to say");
        assert_eq!(Traffic::seen(4.0, Vehicle::Scooter, 0.5), None);
    }

    #[test]
    fn a_busy_kitchen_takes_longer_and_time_passes() {
        assert_eq!(preparation_left(20.0, 0, 0.0), 20.0);
        assert_eq!(preparation_left(20.0, 2, 0.0), 28.0);
        assert_eq!(preparation_left(20.0, 50, 0.0), 40.0);
        assert_eq!(preparation_left(20.0, 0, 15.0), 5.0);
        assert_eq!(preparation_left(20.0, 0, 45.0), 0.0);
    }

    #[test]
    fn before_pickup_waits_for_the_later_of_food_and_rider() {
        let v = Vehicle::Scooter;
        // Food in 10 min, rider 1 km away (4.05 min): 10 + 2 km (8.1) = 18.1 -> 19.
        let s = Stage::BeforePickup {
            cooking_left: 10.0,
            rider_to_restaurant_km: Some(1.0),
            restaurant_to_customer_km: 2.0,
        };
        assert_eq!(eta_minutes(s, v, 16), 19);
        // Rider 5 km away (20.25 min) is later than the food: 20.25 + 8.1 -> 29.
        let s = Stage::BeforePickup {
            cooking_left: 10.0,
            rider_to_restaurant_km: Some(5.0),
            restaurant_to_customer_km: 2.0,
        };
        assert_eq!(eta_minutes(s, v, 16), 29);
        let s =
            Stage::BeforePickup { cooking_left: 10.0, rider_to_restaurant_km: None, restaurant_to_customer_km: 2.0 };
        assert_eq!(eta_minutes(s, v, 16), 19);
    }

    #[test]
    fn on_the_way_counts_only_the_ride_left() {
        assert_eq!(eta_minutes(Stage::OnTheWay { rider_to_customer_km: 0.0 }, Vehicle::Scooter, 9), 0);
        assert_eq!(eta_minutes(Stage::OnTheWay { rider_to_customer_km: 2.0 }, Vehicle::Scooter, 9), 9);
    }

    #[test]
    fn vehicles_round_trip_their_names() {
        for v in Vehicle::ALL {
            assert_eq!(Vehicle::parse(v.as_str()), Some(v));
        }
        assert_eq!(Vehicle::parse("JETPACK"), None);
    }
}
