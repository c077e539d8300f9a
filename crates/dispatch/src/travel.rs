//! Travel time as a port: the simulator uses MDRP's rule, the server its road-detour model.

/// A place, as the travel port reads it: metres on a plane for MDRP, longitude (x) and latitude
/// (y) for the server's road model. Nothing else looks inside.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// How long a trip takes, in whole minutes.
pub trait Travel {
    fn minutes(&self, from: Point, to: Point) -> i64;
}

/// MDRP's rule: the straight line at a constant speed, rounded up to the minute.
#[derive(Debug, Clone, Copy)]
pub struct Euclid {
    pub meters_per_minute: f64,
}

impl Travel for Euclid {
    fn minutes(&self, from: Point, to: Point) -> i64 {
        let d = ((to.x - from.x).powi(2) + (to.y - from.y).powi(2)).sqrt();
        (d / self.meters_per_minute).ceil() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trip_is_rounded_up_to_the_minute() {
        let t = Euclid { meters_per_minute: 320.0 };
        let o = Point { x: 0.0, y: 0.0 };
        assert_eq!(t.minutes(o, o), 0);
        assert_eq!(t.minutes(o, Point { x: 320.0, y: 0.0 }), 1);
        assert_eq!(t.minutes(o, Point { x: 300.0, y: 400.0 }), 2, "500 m at 320 m/min is 1.56 min");
    }
}
