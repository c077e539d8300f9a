//! Each time zone's traffic by local hour as the server has learned it from delivered trips
//! (`learned_traffic`), for the ETAs riders and customers see and for dispatch. Read from the
//! store at start-up and kept in step with this node's own observations; another node's reach
//! this one at its next start (learning is slow, so a node a little behind is close enough).

use dabba_domain::eta::{Traffic, Vehicle};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Shared by the tracker's routes, dispatch and the rider's endpoints of this node.
#[derive(Debug, Clone, Default)]
pub struct Speeds(Arc<Mutex<HashMap<String, Traffic>>>);

impl Speeds {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Traffic>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The zone's traffic: learned hours, the model's elsewhere.
    pub fn of(&self, zone: Option<&jiff::tz::TimeZone>) -> Traffic {
        zone.and_then(|z| z.iana_name()).and_then(|z| self.map().get(z).copied()).unwrap_or_default()
    }

    /// The zone's learned factor for the hour is now `factor`.
    pub fn set(&self, zone: &str, hour: u8, factor: f64) {
        if hour < 24 && factor.is_finite() && factor > 0.0 {
            self.map().entry(zone.to_owned()).or_default().0[hour as usize] = factor;
        }
    }
}

/// A delivered trip: `minutes` from pickup to door over `distance_km` on `vehicle`, picked up
/// at local `hour` in `zone`. Learned in the store, then here.
pub async fn observe(state: &crate::AppState, zone: &str, hour: u8, distance_km: f64, vehicle: Vehicle, minutes: f64) {
    let Some(seen) = Traffic::seen(distance_km, vehicle, minutes) else { return };
    let prior = dabba_domain::eta::rush_factor(hour);
    match state.store.observe_traffic(zone, hour, seen, prior).await {
        Ok(factor) => state.delivery.speeds.set(zone, hour, factor),
        // Learning is a running mean: one trip missed is no harm.
        Err(e) => tracing::warn!(error = %e, "a delivered trip's traffic was not learned"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learned_hours_replace_the_models() {
        let s = Speeds::default();
        let kolkata = jiff::tz::TimeZone::get("Asia/Kolkata").ok();
        assert_eq!(s.of(kolkata.as_ref()), Traffic::default());
        s.set("Asia/Kolkata", 20, 0.5);
        s.set("Asia/Kolkata", 24, 0.5);
        let t = s.of(kolkata.as_ref());
        assert_eq!((t.factor(20), t.factor(13)), (0.5, dabba_domain::eta::rush_factor(13)));
        assert_eq!(s.of(None), Traffic::default(), "no zone: the model");
    }
}
