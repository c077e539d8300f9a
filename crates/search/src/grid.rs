//! Serviceability: which restaurants deliver to a point. Restaurants sit in cells of ~1 km; inside
//! a cell they are sorted by delivery radius, largest first. For a point, each cell within reach
//! has a nearest and a farthest distance: restaurants whose radius exceeds the farthest surely
//! serve the point (counted without a look), those whose radius is below the nearest surely do
//! not (skipped), and only the band between is checked one by one.

use std::collections::HashMap;

/// Cell edge in degrees (~1.1 km of latitude).
const CELL_DEG: f64 = 0.01;
const KM_PER_DEG: f64 = 111.195;
/// Within this of the radius the flat-earth distance defers to the great circle, which checkout
/// uses too, so the listing and checkout agree on the edge.
const EDGE_KM: f64 = 0.02;

type Key = (i32, i32);

fn key(lat: f64, lng: f64) -> Key {
    ((lat / CELL_DEG).floor() as i32, (lng / CELL_DEG).floor() as i32)
}

/// One cell, columns sorted by radius (largest first).
#[derive(Default)]
struct Cell {
    ords: Vec<u32>,
    lat: Vec<f64>,
    lng: Vec<f64>,
    radius: Vec<f64>,
}

impl Cell {
    fn insert(&mut self, ord: u32, lat: f64, lng: f64, radius: f64) {
        let at = self.radius.partition_point(|&r| r >= radius);
        self.ords.insert(at, ord);
        self.lat.insert(at, lat);
        self.lng.insert(at, lng);
        self.radius.insert(at, radius);
    }

    fn remove(&mut self, ord: u32) {
        if let Some(at) = self.ords.iter().position(|&o| o == ord) {
            self.ords.remove(at);
            self.lat.remove(at);
            self.lng.remove(at);
            self.radius.remove(at);
        }
    }
}

/// A point and what distances from it cost.
#[derive(Clone, Copy)]
pub struct Probe {
    lat: f64,
    lng: f64,
    km_per_deg_lng: f64,
}

impl Probe {
    pub fn new(lat: f64, lng: f64) -> Self {
        Self { lat, lng, km_per_deg_lng: KM_PER_DEG * lat.to_radians().cos() }
    }

    /// Flat-earth distance, km: within metres of the great circle at delivery distances.
    pub fn km(&self, lat: f64, lng: f64) -> f64 {
        let dy = (lat - self.lat) * KM_PER_DEG;
        let dx = (lng - self.lng) * self.km_per_deg_lng;
        (dy * dy + dx * dx).sqrt()
    }

    /// Whether a restaurant at (`lat`, `lng`) with `radius` delivers here; its distance if so.
    fn serves(&self, lat: f64, lng: f64, radius: f64) -> Option<f64> {
        let d = self.km(lat, lng);
        if (d - radius).abs() > EDGE_KM {
            return (d <= radius).then_some(d);
        }
        let exact =
            dabba_domain::LatLng { lat: self.lat, lng: self.lng }.distance_km(dabba_domain::LatLng { lat, lng });
        (exact <= radius).then_some(d)
    }

    /// Nearest and farthest flat distance from the probe to a cell, with a safety margin.
    fn bounds(&self, (y, x): Key) -> (f64, f64) {
        let (lat0, lat1) = (y as f64 * CELL_DEG, (y + 1) as f64 * CELL_DEG);
        let (lng0, lng1) = (x as f64 * CELL_DEG, (x + 1) as f64 * CELL_DEG);
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

#[derive(Default)]
pub struct Grid {
    cells: HashMap<Key, Cell>,
    /// The largest delivery radius seen: nothing reaches farther.
    reach_km: f64,
}

impl Grid {
    pub fn insert(&mut self, ord: u32, lat: f64, lng: f64, radius: f64) {
        self.reach_km = self.reach_km.max(radius);
        self.cells.entry(key(lat, lng)).or_default().insert(ord, lat, lng, radius);
    }

    pub fn remove(&mut self, ord: u32, lat: f64, lng: f64) {
        if let Some(cell) = self.cells.get_mut(&key(lat, lng)) {
            cell.remove(ord);
        }
    }

    /// Cells within reach of the probe, with their distance bounds.
    fn reachable(&self, p: &Probe) -> impl Iterator<Item = (&Cell, f64, f64)> {
        let dlat = self.reach_km / KM_PER_DEG;
        let dlng = self.reach_km / p.km_per_deg_lng.max(1e-6);
        let (lo, hi) = (key(p.lat - dlat, p.lng - dlng), key(p.lat + dlat, p.lng + dlng));
        (lo.0..=hi.0).flat_map(move |y| (lo.1..=hi.1).map(move |x| (y, x))).filter_map(move |k| {
            let cell = self.cells.get(&k)?;
            let (near, far) = p.bounds(k);
            (near <= self.reach_km && !cell.ords.is_empty()).then_some((cell, near, far))
        })
    }

    /// How many restaurants deliver to the probe (no other condition): most are counted by
    /// their cell's bounds alone.
    pub fn count(&self, p: &Probe) -> usize {
        let mut n = 0;
        for (cell, near, far) in self.reachable(p) {
            let sure = cell.radius.partition_point(|&r| r >= far);
            let maybe = cell.radius.partition_point(|&r| r >= near);
            n += sure;
            n += (sure..maybe).filter(|&i| p.serves(cell.lat[i], cell.lng[i], cell.radius[i]).is_some()).count();
        }
        n
    }

    /// Calls `f(ord, distance_km)` for every restaurant that delivers to the probe.
    pub fn each(&self, p: &Probe, mut f: impl FnMut(u32, f64)) {
        for (cell, near, _) in self.reachable(p) {
            let maybe = cell.radius.partition_point(|&r| r >= near);
            for i in 0..maybe {
                if let Some(d) = p.serves(cell.lat[i], cell.lng[i], cell.radius[i]) {
                    f(cell.ords[i], d);
                }
            }
        }
    }

    /// The `k` nearest restaurants that deliver to the probe and pass `keep`, nearest first (ties
    /// by `ord`). Walks rings of cells outwards and stops once no farther cell can do better.
    pub fn nearest(&self, p: &Probe, k: usize, mut keep: impl FnMut(u32, f64) -> bool) -> Vec<(u32, f64)> {
        let mut found: Vec<(u32, f64)> = Vec::new();
        if k == 0 {
            return found;
        }
        let centre = key(p.lat, p.lng);
        let cell_km = CELL_DEG * KM_PER_DEG.min(p.km_per_deg_lng);
        let rings = (self.reach_km / cell_km).ceil() as i32 + 1;
        let order = |a: &(u32, f64), b: &(u32, f64)| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0));
        for ring in 0..=rings {
            // Every cell of this ring is at least this far.
            let floor = (ring - 1).max(0) as f64 * cell_km * 0.99;
            if floor > self.reach_km {
                break;
            }
            if found.len() >= k {
                found.select_nth_unstable_by(k - 1, order);
                found.truncate(k);
                if found.iter().all(|c| c.1 <= floor) {
                    break;
                }
            }
            for (y, x) in ring_cells(centre, ring) {
                let Some(cell) = self.cells.get(&(y, x)) else { continue };
                let (near, _) = p.bounds((y, x));
                let maybe = cell.radius.partition_point(|&r| r >= near);
                for i in 0..maybe {
                    if let Some(d) = p.serves(cell.lat[i], cell.lng[i], cell.radius[i])
                        && keep(cell.ords[i], d)
                    {
                        found.push((cell.ords[i], d));
                    }
                }
            }
        }
        found.sort_by(order);
        found.truncate(k);
        found
    }
}

/// The cells at Chebyshev distance `ring` from `c`.
fn ring_cells(c: Key, ring: i32) -> impl Iterator<Item = Key> {
    let side = (-ring..=ring).flat_map(move |d| [(c.0 - ring, c.1 + d), (c.0 + ring, c.1 + d)]);
    let ends = (-ring + 1..ring).flat_map(move |d| [(c.0 + d, c.1 - ring), (c.0 + d, c.1 + ring)]);
    let centre = (ring == 0).then_some(c);
    centre.into_iter().chain(side.filter(move |_| ring > 0)).chain(ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic scatter of restaurants around a point.
    fn scatter(n: usize) -> Vec<(f64, f64, f64)> {
        let mut s = 12345u64;
        let mut next = move || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n).map(|_| (12.9 + next() * 0.3, 77.5 + next() * 0.3, 0.5 + next() * 7.5)).collect()
    }

    #[test]
    fn agrees_with_checking_every_restaurant() {
        let places = scatter(4000);
        let mut g = Grid::default();
        for (i, &(lat, lng, r)) in places.iter().enumerate() {
            g.insert(i as u32, lat, lng, r);
        }
        for q in scatter(60) {
            let p = Probe::new(q.0, q.1);
            let mut truth: Vec<(u32, f64)> = places
                .iter()
                .enumerate()
                .filter_map(|(i, &(lat, lng, r))| p.serves(lat, lng, r).map(|d| (i as u32, d)))
                .collect();
            assert_eq!(g.count(&p), truth.len());
            let mut each = Vec::new();
            g.each(&p, |o, d| each.push((o, d)));
            each.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(each, truth);
            truth.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let near = g.nearest(&p, 25, |_, _| true);
            assert_eq!(near, truth[..25.min(truth.len())]);
            let odd = g.nearest(&p, 10, |o, _| o % 2 == 1);
            let want: Vec<(u32, f64)> = truth.iter().filter(|t| t.0 % 2 == 1).take(10).copied().collect();
            assert_eq!(odd, want);
        }
    }

    #[test]
    fn moves_and_removals_are_seen() {
        let mut g = Grid::default();
        g.insert(1, 12.97, 77.59, 3.0);
        let here = Probe::new(12.97, 77.59);
        assert_eq!(g.count(&here), 1);
        g.remove(1, 12.97, 77.59);
        assert_eq!(g.count(&here), 0);
        g.insert(1, 13.5, 77.59, 3.0);
        assert_eq!(g.count(&here), 0);
        assert_eq!(g.count(&Probe::new(13.5, 77.6)), 1);
    }
}
