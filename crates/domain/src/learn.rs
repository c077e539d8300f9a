//! Estimates that learn from what happened: a restaurant's preparation time from its observed
//! accept-to-ready times, and the riders' speed in each hour from delivered trips. Each is a
//! running mean that starts at a prior (the promise, the model) and weighs recent observations
//! more once it has seen a few, so a kitchen that slows down is followed within a day.

use crate::estimate::ROAD_DETOUR_FACTOR;

/// The least weight a new observation gets once many have been seen (the store's update of a
/// kitchen's preparation time writes the same rule in SQL).
pub const RECENT_WEIGHT: f64 = 0.1;

/// The longest preparation a kitchen may promise; an observation past it (an order marked ready
/// hours late) counts as this.
pub const MAX_PREPARATION_MINUTES: f64 = 180.0;

/// A running estimate: the plain mean of the first observations (the prior counts as one), then
/// an exponentially weighted mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Learned {
    pub value: f64,
    pub seen: u32,
}

impl Learned {
    pub fn prior(value: f64) -> Self {
        Self { value, seen: 0 }
    }

    pub fn observe(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.seen = self.seen.saturating_add(1);
        let weight = (1.0 / (self.seen as f64 + 1.0)).max(RECENT_WEIGHT);
        self.value += weight * (x - self.value);
    }
}

/// Minutes from order to door as the customer is told at checkout, from a preparation estimate
/// and a speed factor for the hour (1 = the model's city speed): preparation, the ride over the
/// road distance, and the handoff. With the restaurant's promised preparation and the model's
/// factor this is [`crate::estimate::delivery_minutes`].
pub fn delivery_minutes(preparation_minutes: f64, distance_km: f64, speed_factor: f64) -> f64 {
    let speed = crate::estimate::CITY_SPEED_KMH * speed_factor.max(0.05);
    preparation_minutes.max(0.0)
        + (distance_km.max(0.0) * ROAD_DETOUR_FACTOR / speed * 60.0).ceil()
        + crate::estimate::HANDOFF_MINUTES as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_moves_from_the_prior_to_what_is_seen() {
        let mut prep = Learned::prior(20.0);
        prep.observe(30.0);
        assert_eq!(prep.value, 25.0, "the prior counts as one observation");
        for _ in 0..60 {
            prep.observe(30.0);
        }
        assert!((prep.value - 30.0).abs() < 0.01, "{}", prep.value);
        // Then a slower kitchen is followed, recent observations weighing a tenth each.
        for _ in 0..20 {
            prep.observe(40.0);
        }
        assert!(prep.value > 38.0 && prep.value < 40.0, "{}", prep.value);
        prep.observe(f64::NAN);
        assert!(prep.value.is_finite());
    }

    #[test]
    fn the_quote_is_the_checkout_estimate_with_the_model_figures() {
        for (prep, km) in [(20, 0.0), (20, 5.0), (35, 2.3)] {
            assert_eq!(delivery_minutes(prep as f64, km, 1.0), crate::estimate::delivery_minutes(prep, km) as f64);
        }
        assert!(delivery_minutes(20.0, 5.0, 0.7) > delivery_minutes(20.0, 5.0, 1.0), "slower traffic, later");
    }
}
