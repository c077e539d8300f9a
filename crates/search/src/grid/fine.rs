//! Small cells (~110 m) for "the nearest k": in a dense district the nearest twenty are a few
//! hundred metres away, so a few rings of small cells hold them, where one coarse cell holds
//! thousands of restaurants.

use super::probe::{self, KM_PER_DEG, KeyMap, Probe, key};

const FINE_DEG: f64 = 0.001;
/// Rings walked before giving up for the coarse cells (~1 km around the point).
const RINGS: i32 = 9;

struct Spot {
    ord: u32,
    lat: f64,
    lng: f64,
    radius: f64,
}

#[derive(Default)]
pub(super) struct Fine {
    cells: KeyMap<Vec<Spot>>,
}

impl Fine {
    pub fn insert(&mut self, ord: u32, lat: f64, lng: f64, radius: f64) {
        self.cells.entry(key(lat, lng, FINE_DEG)).or_default().push(Spot { ord, lat, lng, radius });
    }

    pub fn remove(&mut self, ord: u32, lat: f64, lng: f64) {
        let k = key(lat, lng, FINE_DEG);
        if let Some(spots) = self.cells.get_mut(&k) {
            spots.retain(|s| s.ord != ord);
            if spots.is_empty() {
                self.cells.remove(&k);
            }
        }
    }

    /// The `k` nearest restaurants that serve the probe and pass `keep`, nearest first; `None`
    /// if that is not settled within [`RINGS`] rings.
    pub fn nearest(
        &self,
        p: &Probe,
        k: usize,
        reach_km: f64,
        keep: &mut impl FnMut(u32, f64) -> bool,
    ) -> Option<Vec<(u32, f64)>> {
        let centre = key(p.lat, p.lng, FINE_DEG);
        let cell_km = FINE_DEG * KM_PER_DEG.min(p.km_per_deg_lng());
        let mut found = Vec::new();
        for ring in 0..=RINGS {
            let floor = probe::ring_floor(ring, cell_km);
            if floor > reach_km || probe::settled(&mut found, k, floor) {
                return Some(probe::finish(found, k));
            }
            for c in probe::ring_cells(centre, ring) {
                for s in self.cells.get(&c).into_iter().flatten() {
                    if let Some(d) = p.serves(s.lat, s.lng, s.radius)
                        && keep(s.ord, d)
                    {
                        found.push((s.ord, d));
                    }
                }
            }
        }
        None
    }
}
