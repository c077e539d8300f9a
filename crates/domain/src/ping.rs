//! Filtering a rider's location fixes, as Traccar's filters do: a fix no newer than the last one
//! kept is out of order (or a duplicate), and one that implies moving faster than the vehicle
//! can is a GPS jump. Such fixes are dropped and counted, never stored.

use crate::LatLng;
use crate::eta::Vehicle;

/// A location fix, time in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    pub at: LatLng,
    pub recorded_ms: i64,
    /// m/s, as the device reports it.
    pub speed: Option<f32>,
    /// Degrees from north.
    pub heading: Option<f32>,
    /// Metres.
    pub accuracy: Option<f32>,
}

/// What the filter makes of a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    /// Same time and place as the last fix kept.
    Duplicate,
    /// Older than (or as old as) the last fix kept.
    OutOfOrder,
    /// Faster than the vehicle could have moved.
    Impossible,
}

/// Movement this small is GPS noise whatever the time between fixes (metres).
const JITTER_M: f64 = 50.0;

/// Judges `next` against the last fix kept.
pub fn judge(last: Option<&Fix>, next: &Fix, vehicle: Vehicle) -> Verdict {
    let Some(last) = last else { return Verdict::Keep };
    if next.recorded_ms == last.recorded_ms && next.at == last.at {
        return Verdict::Duplicate;
    }
    if next.recorded_ms <= last.recorded_ms {
        return Verdict::OutOfOrder;
    }
    let metres = last.at.distance_km(next.at) * 1000.0;
    let seconds = (next.recorded_ms - last.recorded_ms) as f64 / 1000.0;
    if metres > JITTER_M && metres / seconds > vehicle.max_speed_mps() {
        return Verdict::Impossible;
    }
    Verdict::Keep
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(lat: f64, lng: f64, ms: i64) -> Fix {
        Fix { at: LatLng { lat, lng }, recorded_ms: ms, speed: None, heading: None, accuracy: None }
    }

    #[test]
    fn first_fix_is_kept() {
        assert_eq!(judge(None, &fix(12.0, 77.0, 0), Vehicle::Bicycle), Verdict::Keep);
    }

    #[test]
    fn repeats_and_old_fixes_are_dropped() {
        let last = fix(12.0, 77.0, 10_000);
        assert_eq!(judge(Some(&last), &fix(12.0, 77.0, 10_000), Vehicle::Scooter), Verdict::Duplicate);
        assert_eq!(judge(Some(&last), &fix(12.0001, 77.0, 10_000), Vehicle::Scooter), Verdict::OutOfOrder);
        assert_eq!(judge(Some(&last), &fix(12.0001, 77.0, 9_000), Vehicle::Scooter), Verdict::OutOfOrder);
    }

    #[test]
    fn speed_limit_depends_on_the_vehicle() {
        let last = fix(12.0, 77.0, 0);
        // ~222 m in 10 s = 22 m/s: a scooter can, a bicycle cannot.
        let next = fix(12.002, 77.0, 10_000);
        assert_eq!(judge(Some(&last), &next, Vehicle::Scooter), Verdict::Keep);
        assert_eq!(judge(Some(&last), &next, Vehicle::Bicycle), Verdict::Impossible);
        // 11 km in 10 s is a jump for anything.
        assert_eq!(judge(Some(&last), &fix(12.1, 77.0, 10_000), Vehicle::Car), Verdict::Impossible);
        // GPS jitter of 30 m in 1 ms is not a ride but is not a jump either.
        assert_eq!(judge(Some(&last), &fix(12.00027, 77.0, 1), Vehicle::Bicycle), Verdict::Keep);
    }
}
