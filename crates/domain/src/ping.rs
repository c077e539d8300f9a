//! Filtering a rider's location fixes, as Traccar's filters do: a fix no newer than the last one
//! kept is out of order (or a duplicate), and one that implies moving faster than the vehicle
//! can is a GPS jump. Such fixes are dropped and counted, never stored.
//!
//! A wrong fix can be the one kept (a phone's first coarse fix, a stale position sent when
//! going online): then every true fix after it looks like a jump. Two things undo that: the
//! reported accuracy widens what counts as plausible, and two refused fixes in a row that
//! agree with each other win over the anchor (the track re-anchors on them).

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

/// Accuracy beyond this is not believed (a fix claiming ±5 km explains any jump).
const MAX_ACCURACY_M: f64 = 500.0;

/// What the filter remembers of one rider's fixes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Track {
    /// The last fix kept: the rider's position.
    pub last: Option<Fix>,
    /// The last fix refused as impossible, while the next one is awaited.
    doubt: Option<Fix>,
}

fn uncertainty(f: &Fix) -> f64 {
    f.accuracy.map_or(0.0, |a| f64::from(a).clamp(0.0, MAX_ACCURACY_M))
}

/// Judges `next` against `last` alone.
fn against(last: &Fix, next: &Fix, vehicle: Vehicle) -> Verdict {
    if next.recorded_ms == last.recorded_ms && next.at == last.at {
        return Verdict::Duplicate;
    }
    if next.recorded_ms <= last.recorded_ms {
        return Verdict::OutOfOrder;
    }
    let metres = last.at.distance_km(next.at) * 1000.0;
    let seconds = (next.recorded_ms - last.recorded_ms) as f64 / 1000.0;
    // Either fix may be off by its accuracy: only what is beyond both counts as movement.
    let moved = metres - uncertainty(last) - uncertainty(next);
    if moved > JITTER_M && moved / seconds > vehicle.max_speed_mps() {
        return Verdict::Impossible;
    }
    Verdict::Keep
}

impl Track {
    /// Judges `next` and remembers what it needs to; a fix kept becomes the position.
    pub fn judge(&mut self, next: &Fix, vehicle: Vehicle) -> Verdict {
        let Some(last) = self.last else {
            self.last = Some(*next);
            return Verdict::Keep;
        };
        match against(&last, next, vehicle) {
            Verdict::Keep => {
                self.last = Some(*next);
                self.doubt = None;
                Verdict::Keep
            }
            Verdict::Impossible => {
                // Two refused fixes in a row that agree with each other: the anchor was wrong.
                if self.doubt.is_some_and(|d| against(&d, next, vehicle) == Verdict::Keep) {
                    self.last = Some(*next);
                    self.doubt = None;
                    return Verdict::Keep;
                }
                self.doubt = Some(*next);
                Verdict::Impossible
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(lat: f64, lng: f64, ms: i64) -> Fix {
        Fix { at: LatLng { lat, lng }, recorded_ms: ms, speed: None, heading: None, accuracy: None }
    }

    /// `next` judged against a track whose last kept fix is `last`.
    fn judge(last: Option<&Fix>, next: &Fix, vehicle: Vehicle) -> Verdict {
        Track { last: last.copied(), doubt: None }.judge(next, vehicle)
    }

    #[test]
    fn first_fix_is_kept() {
        assert_eq!(judge(None, &fix(12.0, 77.0, 0), Vehicle::Bicycle), Verdict::Keep);
    }

    /// The rider app's case: "go online" sent from where the phone was 300 m ago, then true
    /// fixes a second apart as the rider rides on at 5 m/s.
    #[test]
    fn a_wrong_anchor_gives_way_to_fixes_that_agree() {
        let mut t = Track::default();
        assert_eq!(t.judge(&fix(12.0027, 77.0, 0), Vehicle::Scooter), Verdict::Keep);
        let kept = (1..=12)
            .filter(|s| t.judge(&fix(12.0 + 0.000045 * *s as f64, 77.0, 1_000 * s), Vehicle::Scooter) == Verdict::Keep)
            .count();
        assert_eq!(kept, 11, "only the first true fix is dropped");
        assert!((t.last.unwrap().at.lat - 12.00054).abs() < 1e-9);
    }

    #[test]
    fn a_lone_jump_is_still_dropped_and_two_that_disagree_too() {
        let mut t = Track::default();
        t.judge(&fix(12.0, 77.0, 0), Vehicle::Scooter);
        assert_eq!(t.judge(&fix(12.1, 77.0, 1_000), Vehicle::Scooter), Verdict::Impossible);
        assert_eq!(t.judge(&fix(12.00001, 77.0, 2_000), Vehicle::Scooter), Verdict::Keep, "back on track");
        assert_eq!(t.judge(&fix(12.1, 77.0, 3_000), Vehicle::Scooter), Verdict::Impossible);
        assert_eq!(t.judge(&fix(11.9, 77.0, 4_000), Vehicle::Scooter), Verdict::Impossible, "jumps elsewhere");
        assert_eq!(t.last.unwrap().at.lat, 12.00001);
    }

    #[test]
    fn a_coarse_fix_does_not_make_true_fixes_impossible() {
        let coarse = Fix { accuracy: Some(400.0), ..fix(12.0036, 77.0, 0) };
        // 400 m off, a second later: within what the first fix said of itself.
        assert_eq!(judge(Some(&coarse), &fix(12.0, 77.0, 1_000), Vehicle::Bicycle), Verdict::Keep);
        // Without the accuracy, the same fixes are a jump.
        let sure = fix(12.0036, 77.0, 0);
        assert_eq!(judge(Some(&sure), &fix(12.0, 77.0, 1_000), Vehicle::Bicycle), Verdict::Impossible);
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
