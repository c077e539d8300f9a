//! The index of available riders: a grid of ~280 m cells, sharded so pings moving riders in
//! different parts of town do not queue on one lock. "Nearest riders to this restaurant" visits
//! rings of cells outwards and stops as soon as the rings seen are sure to hold the answer, so a
//! query touches a few hundred riders whatever the size of the fleet.

use dabba_domain::LatLng;
use dabba_domain::eta::Vehicle;
use std::collections::HashMap;
use std::sync::RwLock;
use uuid::Uuid;

/// Cell edge in degrees (~280 m of latitude).
const CELL_DEG: f64 = 0.0025;
const SHARDS: usize = 64;
/// Metres per degree of latitude (mean Earth radius).
const KM_PER_DEG: f64 = 111.194_93;

type Cell = (i32, i32);

/// An available rider where they last were.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    pub rider: Uuid,
    pub at: LatLng,
    pub vehicle: Vehicle,
}

/// A rider found near a point, `km` away (great circle).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    pub entry: Entry,
    pub km: f64,
}

/// The cells of one shard and who is in them.
type Cells = HashMap<Cell, Vec<Entry>>;

pub struct Grid {
    shards: Box<[RwLock<Cells>]>,
}

impl Default for Grid {
    fn default() -> Self {
        Self { shards: (0..SHARDS).map(|_| RwLock::default()).collect() }
    }
}

fn cell_of(p: LatLng) -> Cell {
    ((p.lat / CELL_DEG).floor() as i32, (p.lng / CELL_DEG).floor() as i32)
}

fn shard_of(c: Cell) -> usize {
    (c.0.wrapping_mul(73_856_093) ^ c.1.wrapping_mul(19_349_663)) as u32 as usize % SHARDS
}

impl Grid {
    /// Puts `e` at its position; `was` is where it was indexed before, if anywhere.
    pub fn put(&self, e: Entry, was: Option<LatLng>) {
        let cell = cell_of(e.at);
        if let Some(old) = was.map(cell_of).filter(|c| *c != cell) {
            self.remove_from(old, e.rider);
        }
        let mut shard = self.shards[shard_of(cell)].write().unwrap_or_else(|p| p.into_inner());
        let list = shard.entry(cell).or_default();
        match list.iter_mut().find(|x| x.rider == e.rider) {
            Some(x) => *x = e,
            None => list.push(e),
        }
    }

    /// Takes the rider indexed at `at` out.
    pub fn remove(&self, rider: Uuid, at: LatLng) {
        self.remove_from(cell_of(at), rider);
    }

    fn remove_from(&self, cell: Cell, rider: Uuid) {
        let mut shard = self.shards[shard_of(cell)].write().unwrap_or_else(|p| p.into_inner());
        if let Some(list) = shard.get_mut(&cell) {
            list.retain(|x| x.rider != rider);
            if list.is_empty() {
                shard.remove(&cell);
            }
        }
    }

    /// Up to `count` riders within `radius_km` of `center`, nearest first (ties by id), leaving
    /// out those `skip` names.
    pub fn nearest(&self, center: LatLng, radius_km: f64, count: usize, skip: impl Fn(Uuid) -> bool) -> Vec<Near> {
        if count == 0 || radius_km <= 0.0 {
            return Vec::new();
        }
        let cos = center.lat.to_radians().cos().max(1e-6);
        // The narrower side of a cell: after ring r, every point closer than r cells of this
        // width has been seen.
        let cell_km = CELL_DEG * KM_PER_DEG * cos.min(1.0);
        let max_ring = (radius_km / cell_km).ceil() as i32 + 1;
        let (cy, cx) = cell_of(center);
        // Equirectangular distance: within 0.1% of the great circle at these ranges, and a
        // multiply instead of trigonometry per rider.
        let dist = |p: LatLng| {
            let dy = p.lat - center.lat;
            let dx = (p.lng - center.lng) * cos;
            (dx * dx + dy * dy).sqrt() * KM_PER_DEG
        };
        let mut found: Vec<(f64, Entry)> = Vec::with_capacity(count * 4);
        for ring in 0..=max_ring {
            for y in cy - ring..=cy + ring {
                let edge = y == cy - ring || y == cy + ring;
                let step = if edge { 1 } else { (2 * ring).max(1) as usize };
                for x in (cx - ring..=cx + ring).step_by(step) {
                    let shard = self.shards[shard_of((y, x))].read().unwrap_or_else(|p| p.into_inner());
                    let Some(list) = shard.get(&(y, x)) else { continue };
                    for e in list {
                        let d = dist(e.at);
                        if d <= radius_km && !skip(e.rider) {
                            found.push((d, *e));
                        }
                    }
                }
            }
            let covered = ring as f64 * cell_km;
            if found.len() >= count {
                found.select_nth_unstable_by(count - 1, |a, b| a.0.total_cmp(&b.0));
                if found[count - 1].0 <= covered {
                    break;
                }
            }
            if covered >= radius_km {
                break;
            }
        }
        found.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.rider.cmp(&b.1.rider)));
        found.truncate(count);
        found.into_iter().map(|(_, entry)| Near { entry, km: center.distance_km(entry.at) }).collect()
    }

    /// How many riders are indexed (for metrics and tests).
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().unwrap_or_else(|p| p.into_inner()).values().map(Vec::len).sum::<usize>())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u128, lat: f64, lng: f64) -> Entry {
        Entry { rider: Uuid::from_u128(n), at: LatLng { lat, lng }, vehicle: Vehicle::Scooter }
    }

    /// Brute force over the same points: what the grid must agree with.
    fn brute(points: &[Entry], c: LatLng, r: f64, k: usize) -> Vec<Uuid> {
        let mut v: Vec<(f64, Uuid)> =
            points.iter().map(|e| (c.distance_km(e.at), e.rider)).filter(|(d, _)| *d <= r).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        v.into_iter().take(k).map(|x| x.1).collect()
    }

    #[test]
    fn agrees_with_brute_force() {
        let g = Grid::default();
        let mut points = Vec::new();
        // A deterministic scatter over ~10 km around Bengaluru.
        let mut s: u64 = 42;
        let mut next = || {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        for n in 0..5_000u128 {
            let e = entry(n, 12.90 + next() * 0.1, 77.55 + next() * 0.1);
            g.put(e, None);
            points.push(e);
        }
        assert_eq!(g.len(), 5_000);
        for q in 0..200 {
            let c = LatLng { lat: 12.90 + next() * 0.1, lng: 77.55 + next() * 0.1 };
            let r = [0.3, 1.0, 2.0, 5.0][q % 4];
            let got: Vec<Uuid> = g.nearest(c, r, 20, |_| false).iter().map(|n| n.entry.rider).collect();
            // Distances within 0.1% may swap neighbours at equal rank; compare as sets of the
            // clear winners and the count.
            let want = brute(&points, c, r, 20);
            assert_eq!(got.len(), want.len(), "query {q}");
            let common = got.iter().filter(|id| want.contains(id)).count();
            assert!(common + 1 >= want.len(), "query {q}: {common} of {} in common", want.len());
        }
    }

    #[test]
    fn moves_and_removals_are_seen_and_skip_is_obeyed() {
        let g = Grid::default();
        let c = LatLng { lat: 12.97, lng: 77.59 };
        g.put(entry(1, 12.97, 77.59), None);
        g.put(entry(2, 12.971, 77.59), None);
        assert_eq!(g.nearest(c, 1.0, 5, |_| false).len(), 2);
        // Rider 1 rides 3 km north: out of a 1 km query, in the 5 km one, in one cell only.
        g.put(entry(1, 12.997, 77.59), Some(LatLng { lat: 12.97, lng: 77.59 }));
        assert_eq!(g.len(), 2);
        let near: Vec<u128> = g.nearest(c, 1.0, 5, |_| false).iter().map(|n| n.entry.rider.as_u128()).collect();
        assert_eq!(near, vec![2]);
        let far = g.nearest(c, 5.0, 5, |_| false);
        assert_eq!(far.len(), 2);
        assert!((far[1].km - 3.0).abs() < 0.05, "{}", far[1].km);
        assert!(g.nearest(c, 5.0, 5, |id| id.as_u128() == 2).iter().all(|n| n.entry.rider.as_u128() == 1));
        g.remove(Uuid::from_u128(1), LatLng { lat: 12.997, lng: 77.59 });
        assert_eq!(g.len(), 1);
        assert!(g.nearest(c, 0.0, 5, |_| false).is_empty());
    }
}
