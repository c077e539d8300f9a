//! Coordinates and distances. Great-circle distance is what every serviceability and ETA rule
//! starts from; a routing engine can refine it later behind the same numbers.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// Mean Earth radius in km (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A validated WGS84 point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLng {
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
    /// Longitude in degrees, -180..=180.
    pub lng: f64,
}

impl LatLng {
    /// The farthest latitude served, north or south. Near a pole a degree of longitude shrinks
    /// to nothing, and the distance grids' walks around a point grow without bound; as on web
    /// maps, the world stops at 85°.
    pub const MAX_LAT: f64 = 85.0;

    /// Parses a point; `prefix` names the fields in errors (`latitude`, `longitude` or `lat`, `lng`).
    pub fn parse(lat: f64, lng: f64, lat_field: &str, lng_field: &str) -> Result<Self, Invalid> {
        if !lat.is_finite() || !(-Self::MAX_LAT..=Self::MAX_LAT).contains(&lat) {
            return Err(Invalid::new(
                lat_field,
                "must be a latitude between -85 and 85 (Dabba does not serve the polar regions)",
            ));
        }
        if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
            return Err(Invalid::new(lng_field, "must be a longitude between -180 and 180"));
        }
        Ok(Self { lat, lng })
    }

    /// Great-circle distance in km (haversine).
    pub fn distance_km(self, other: LatLng) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lng - self.lng).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }

    /// A box that contains every point within `radius_km` of `self`, for an indexed pre-filter.
    /// It errs on the large side; callers refine with [`LatLng::distance_km`].
    pub fn bounding_box(self, radius_km: f64) -> BoundingBox {
        let dlat = (radius_km / EARTH_RADIUS_KM).to_degrees();
        let cos = self.lat.to_radians().cos().max(1e-6);
        let dlng = (dlat / cos).min(180.0);
        BoundingBox {
            min_lat: (self.lat - dlat).max(-90.0),
            max_lat: (self.lat + dlat).min(90.0),
            min_lng: (self.lng - dlng).max(-180.0),
            max_lng: (self.lng + dlng).min(180.0),
        }
    }
}

/// A latitude/longitude rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lng: f64,
    pub max_lng: f64,
}

impl BoundingBox {
    pub fn contains(&self, p: LatLng) -> bool {
        (self.min_lat..=self.max_lat).contains(&p.lat) && (self.min_lng..=self.max_lng).contains(&p.lng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_distance_bangalore_mysore() {
        let blr = LatLng::parse(12.9716, 77.5946, "lat", "lng").unwrap();
        let mys = LatLng::parse(12.2958, 76.6394, "lat", "lng").unwrap();
        let d = blr.distance_km(mys);
        assert!((d - 127.0).abs() < 2.0, "{d}");
    }

    #[test]
    fn rejects_out_of_range() {
        assert_eq!(LatLng::parse(91.0, 0.0, "lat", "lng").unwrap_err().field, "lat");
        assert_eq!(LatLng::parse(0.0, -180.5, "lat", "lng").unwrap_err().field, "lng");
        assert!(LatLng::parse(f64::NAN, 0.0, "lat", "lng").is_err());
    }

    proptest! {
        #[test]
        fn box_contains_every_point_within_radius(
            lat in -80.0f64..80.0, lng in -179.0f64..179.0,
            bearing in 0.0f64..360.0, frac in 0.0f64..1.0, radius in 0.1f64..30.0,
        ) {
            let c = LatLng { lat, lng };
            // Walk `frac * radius` km along `bearing` (small-distance approximation, then measured).
            let d = frac * radius;
            let dlat = (d / EARTH_RADIUS_KM).to_degrees() * bearing.to_radians().cos();
            let dlng = (d / EARTH_RADIUS_KM).to_degrees() * bearing.to_radians().sin() / lat.to_radians().cos();
            let p = LatLng { lat: lat + dlat, lng: lng + dlng };
            prop_assume!(p.lng.abs() <= 180.0);
            if c.distance_km(p) <= radius {
                prop_assert!(c.bounding_box(radius).contains(p));
            }
        }

        #[test]
        fn distance_is_symmetric_and_non_negative(a in -89.0f64..89.0, b in -179.0f64..179.0, c in -89.0f64..89.0, d in -179.0f64..179.0) {
            let p = LatLng { lat: a, lng: b };
            let q = LatLng { lat: c, lng: d };
            prop_assert!(p.distance_km(q) >= 0.0);
            prop_assert!((p.distance_km(q) - q.distance_km(p)).abs() < 1e-9);
        }
    }
}
