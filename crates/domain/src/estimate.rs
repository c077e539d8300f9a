//! Delivery-time estimate used before a rider is assigned (listings, checkout). The dispatch
//! work refines it with the rider's real position; the shape stays the same.

/// Roads are longer than the straight line; 1.35 is a common urban detour factor.
pub const ROAD_DETOUR_FACTOR: f64 = 1.35;
/// Average two-wheeler speed in city traffic, km/h.
pub const CITY_SPEED_KMH: f64 = 20.0;
/// Minutes for a rider to reach the restaurant and hand over at the door.
pub const HANDOFF_MINUTES: u32 = 8;

/// Minutes from order to door: preparation, then travel over the road distance, then handoff.
pub fn delivery_minutes(avg_preparation_minutes: u32, distance_km: f64) -> u32 {
    let travel = (distance_km.max(0.0) * ROAD_DETOUR_FACTOR / CITY_SPEED_KMH * 60.0).ceil() as u32;
    avg_preparation_minutes + travel + HANDOFF_MINUTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_with_distance_and_preparation() {
        assert_eq!(delivery_minutes(20, 0.0), 28);
        // 5 km * 1.35 / 20 km/h = 20.25 min -> 21
        assert_eq!(delivery_minutes(20, 5.0), 49);
        assert!(delivery_minutes(20, 6.0) > delivery_minutes(20, 5.0));
        assert!(delivery_minutes(30, 5.0) > delivery_minutes(20, 5.0));
        assert_eq!(delivery_minutes(10, -1.0), 18);
    }
}
