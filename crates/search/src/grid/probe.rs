//! A point and what distances from it cost; cell keys and the rings walked around a cell.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub(super) const KM_PER_DEG: f64 = 111.195;
/// Within this of the radius the flat-earth distance defers to the great circle, which checkout
/// uses too, so the listing and checkout agree on the edge.
const EDGE_KM: f64 = 0.02;

pub(super) type Key = (i32, i32);

pub(super) fn key(lat: f64, lng: f64, deg: f64) -> Key {
    ((lat / deg).floor() as i32, (lng / deg).floor() as i32)
}

/// Cell keys are small integer pairs: a multiply-and-fold hash does, where SipHash would cost
/// more than the rest of a lookup.
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u32(u32::from(b));
        }
    }

    fn write_i32(&mut self, i: i32) {
        self.write_u32(i as u32);
    }

    fn write_u32(&mut self, i: u32) {
        self.0 = (self.0.rotate_left(32) ^ u64::from(i)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub(super) type KeyMap<V> = HashMap<Key, V, BuildHasherDefault<KeyHasher>>;

/// Counting measures east-west degrees at the latitude halfway to each cell, which keeps it
/// within a metre of the great circle at delivery distances; so its margin can be narrower than
/// [`EDGE_KM`] and far fewer restaurants need a second look.
const COUNT_EDGE_KM: f64 = 0.005;

/// The squared distances within which a restaurant of `radius` surely serves a point, and
/// beyond which it surely does not, when counting (between them, [`Probe::serves`] decides).
pub(super) fn edges2(radius: f64) -> (f32, f32) {
    let (inner, outer) = ((radius - COUNT_EDGE_KM).max(0.0), radius + COUNT_EDGE_KM);
    ((inner * inner) as f32, (outer * outer) as f32)
}

/// A point and what distances from it cost.
#[derive(Clone, Copy)]
pub struct Probe {
    pub(super) lat: f64,
    pub(super) lng: f64,
    km_per_deg_lng: f64,
    sin_lat: f64,
}

impl Probe {
    pub fn new(lat: f64, lng: f64) -> Self {
        Self { lat, lng, km_per_deg_lng: KM_PER_DEG * lat.to_radians().cos(), sin_lat: lat.to_radians().sin() }
    }

    /// Km per degree of longitude halfway between the probe and latitude `lat` (a Taylor step
    /// from the probe's own: no cosine per call).
    pub(super) fn km_per_deg_lng_towards(&self, lat: f64) -> f64 {
        let half = (lat - self.lat).to_radians() / 2.0;
        let cos = self.km_per_deg_lng / KM_PER_DEG;
        KM_PER_DEG * (cos * (1.0 - half * half / 2.0) - self.sin_lat * half)
    }

    pub(super) fn km_per_deg_lng(&self) -> f64 {
        self.km_per_deg_lng
    }

    fn km2(&self, lat: f64, lng: f64) -> f64 {
        let dy = (lat - self.lat) * KM_PER_DEG;
        let dx = (lng - self.lng) * self.km_per_deg_lng;
        dy * dy + dx * dx
    }

    /// Flat-earth distance, km: within metres of the great circle at delivery distances.
    pub fn km(&self, lat: f64, lng: f64) -> f64 {
        self.km2(lat, lng).sqrt()
    }

    /// Whether a restaurant at (`lat`, `lng`) with `radius` delivers here; its distance if so.
    pub(super) fn serves(&self, lat: f64, lng: f64, radius: f64) -> Option<f64> {
        let d = self.km(lat, lng);
        if (d - radius).abs() > EDGE_KM {
            return (d <= radius).then_some(d);
        }
        let exact =
            dabba_domain::LatLng { lat: self.lat, lng: self.lng }.distance_km(dabba_domain::LatLng { lat, lng });
        (exact <= radius).then_some(d)
    }

    /// Nearest and farthest flat distance from the probe to a cell of `deg` degrees, with a
    /// safety margin.
    pub(super) fn bounds(&self, (y, x): Key, deg: f64) -> (f64, f64) {
        let (lat0, lat1) = (f64::from(y) * deg, f64::from(y + 1) * deg);
        let (lng0, lng1) = (f64::from(x) * deg, f64::from(x + 1) * deg);
        let near = |p: f64, lo: f64, hi: f64| {
            if p < lo {
                lo - p
            } else if p > hi {
                p - hi
            } else {
                0.0
            }
        };
        let far = |p: f64, lo: f64, hi: f64| (p - lo).abs().max((hi - p).abs());
        let dy = (near(self.lat, lat0, lat1) * KM_PER_DEG, far(self.lat, lat0, lat1) * KM_PER_DEG);
        let dx = (near(self.lng, lng0, lng1) * self.km_per_deg_lng, far(self.lng, lng0, lng1) * self.km_per_deg_lng);
        let (nearest, farthest) = ((dy.0 * dy.0 + dx.0 * dx.0).sqrt(), (dy.1 * dy.1 + dx.1 * dx.1).sqrt());
        (nearest * 0.99 - EDGE_KM, farthest * 1.01 + EDGE_KM)
    }
}

/// The cells at Chebyshev distance `ring` from `c`.
pub(super) fn ring_cells(c: Key, ring: i32) -> impl Iterator<Item = Key> {
    let side = (-ring..=ring).flat_map(move |d| [(c.0 - ring, c.1 + d), (c.0 + ring, c.1 + d)]);
    let ends = (-ring + 1..ring).flat_map(move |d| [(c.0 + d, c.1 - ring), (c.0 + d, c.1 + ring)]);
    let centre = (ring == 0).then_some(c);
    centre.into_iter().chain(side.filter(move |_| ring > 0)).chain(ends)
}

/// Every cell of ring `ring` around the point's cell is at least this far from the point.
pub(super) fn ring_floor(ring: i32, cell_km: f64) -> f64 {
    f64::from((ring - 1).max(0)) * cell_km * 0.99
}

fn nearer(a: &(u32, f64), b: &(u32, f64)) -> std::cmp::Ordering {
    a.1.total_cmp(&b.1).then(a.0.cmp(&b.0))
}

/// Keeps the `k` nearest found so far; `true` once none of them can be beaten by a restaurant
/// at least `floor` away.
pub(super) fn settled(found: &mut Vec<(u32, f64)>, k: usize, floor: f64) -> bool {
    if found.len() < k {
        return false;
    }
    found.select_nth_unstable_by(k - 1, nearer);
    found.truncate(k);
    found.iter().all(|c| c.1 <= floor)
}

/// The `k` nearest of `found`, nearest first.
pub(super) fn finish(mut found: Vec<(u32, f64)>, k: usize) -> Vec<(u32, f64)> {
    found.sort_by(nearer);
    found.truncate(k);
    found
}
