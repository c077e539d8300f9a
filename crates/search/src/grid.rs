//! Serviceability: which restaurants deliver to a point, and which of those carry a key (a word,
//! a phrase). Restaurants sit in cells of ~1 km; inside a cell they are sorted by delivery radius,
//! largest first. For a point, each cell within reach has a nearest and a farthest distance:
//! restaurants whose radius exceeds the farthest surely serve the point (counted without a look),
//! those whose radius is below the nearest surely do not (skipped), and only the band between is
//! checked one by one.
//!
//! Each cell also holds inverted lists (key → positions in the cell), so a search visits only the
//! restaurants that carry its words, never every restaurant that delivers. A second, finer grid
//! (~110 m) answers "the nearest k" by walking a few rings of small cells.

mod cell;
mod fine;
mod probe;

use cell::Cell;
pub use probe::Probe;
use probe::{KM_PER_DEG, Key, KeyMap, key};

/// Cell edge in degrees (~1.1 km of latitude).
const CELL_DEG: f64 = 0.01;

#[derive(Default)]
pub struct Grid {
    cells: KeyMap<Cell>,
    /// Cells changed since the last [`Grid::settle`].
    dirty: Vec<Key>,
    fine: fine::Fine,
    /// The largest delivery radius seen: nothing reaches farther.
    reach_km: f64,
}

/// Restaurants within reach (before text) per extra thread a search is spread over.
const PARALLEL_FROM: usize = 6_000;

/// The machine's cores, asked once: the question reads cgroup files, too slow for every search.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// One reachable cell for one point: positions below `sure` serve it, `sure..maybe` may.
#[derive(Clone, Copy)]
struct Span<'g> {
    cell: &'g Cell,
    sure: usize,
    maybe: usize,
}

/// The cells that may serve a point, ready for any number of questions about it.
pub struct Reach<'g> {
    probe: Probe,
    spans: Vec<Span<'g>>,
}

impl Grid {
    /// Adds a restaurant; [`Grid::settle`] must run before the next query.
    pub fn insert(&mut self, ord: u32, lat: f64, lng: f64, radius: f64) {
        self.reach_km = self.reach_km.max(radius);
        let k = key(lat, lng, CELL_DEG);
        self.cells.entry(k).or_default().push(ord, lat, lng, radius);
        self.dirty.push(k);
        self.fine.insert(ord, lat, lng, radius);
    }

    /// Removes a restaurant; [`Grid::settle`] must run before the next query.
    pub fn remove(&mut self, ord: u32, lat: f64, lng: f64) {
        let k = key(lat, lng, CELL_DEG);
        if let Some(cell) = self.cells.get_mut(&k) {
            cell.remove(ord);
            self.dirty.push(k);
        }
        self.fine.remove(ord, lat, lng);
    }

    /// Re-sorts the cells changed since the last call and rebuilds their inverted lists;
    /// `keys(ord, out)` appends a restaurant's keys. Spread over the machine's cores.
    pub fn settle<F: Fn(u32, &mut Vec<u32>) + Sync>(&mut self, keys: F) {
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_unstable();
        dirty.dedup();
        if dirty.len() * 8 < self.cells.len() {
            // A catalog change: a cell or two, looked up rather than found in a scan of all.
            for k in dirty {
                if let Some(cell) = self.cells.get_mut(&k) {
                    cell.settle(&keys);
                    if cell.is_empty() {
                        self.cells.remove(&k);
                    }
                }
            }
            return;
        }
        let mut cells: Vec<&mut Cell> = self.cells.values_mut().filter(|c| c.dirty).collect();
        let threads = cores().min(cells.len() / 64 + 1);
        if threads <= 1 {
            cells.into_iter().for_each(|c| c.settle(&keys));
        } else {
            let per = cells.len().div_ceil(threads);
            std::thread::scope(|s| {
                for chunk in cells.chunks_mut(per) {
                    let keys = &keys;
                    s.spawn(move || chunk.iter_mut().for_each(|c| c.settle(keys)));
                }
            });
        }
        self.cells.retain(|_, c| !c.is_empty());
    }

    /// The cells within reach of the point, with what each says about it.
    pub fn reach(&self, p: &Probe) -> Reach<'_> {
        let dlat = self.reach_km / KM_PER_DEG;
        let dlng = self.reach_km / p.km_per_deg_lng().max(1e-6);
        let (lo, hi) = (key(p.lat - dlat, p.lng - dlng, CELL_DEG), key(p.lat + dlat, p.lng + dlng, CELL_DEG));
        let mut spans = Vec::new();
        for y in lo.0..=hi.0 {
            for x in lo.1..=hi.1 {
                let Some(cell) = self.cells.get(&(y, x)) else { continue };
                let (near, far) = p.bounds((y, x), CELL_DEG);
                if near > self.reach_km {
                    continue;
                }
                let maybe = cell.reaching(near);
                if maybe > 0 {
                    spans.push(Span { cell, sure: cell.reaching(far), maybe });
                }
            }
        }
        Reach { probe: *p, spans }
    }

    /// Calls `f(ord, distance_km)` for restaurants delivering to the probe, cell by cell from the
    /// nearest cells outwards, until `f` returns `false`. Cells within a ring come in no order.
    pub fn each_outwards(&self, p: &Probe, mut f: impl FnMut(u32, f64) -> bool) {
        self.outwards(p, |cell, _, maybe| {
            let mut go = true;
            cell.each_serving(p, 0, maybe, |o, d| go = go && f(o, d));
            go
        });
    }

    /// How many restaurants deliver to the probe, counting no further than just past `cap`
    /// (nearest cells first): a result above `cap` means "more than `cap`".
    pub fn count_upto(&self, p: &Probe, cap: usize) -> usize {
        let mut n = 0;
        self.outwards(p, |cell, sure, maybe| {
            n += sure;
            if n <= cap {
                n += cell.count_serving(p, sure, maybe);
            }
            n <= cap
        });
        n
    }

    /// Calls `f(cell, sure, maybe)` for the cells that may serve the probe, ring by ring
    /// outwards, until it returns `false`.
    fn outwards(&self, p: &Probe, mut f: impl FnMut(&Cell, usize, usize) -> bool) {
        let centre = key(p.lat, p.lng, CELL_DEG);
        let cell_km = CELL_DEG * KM_PER_DEG.min(p.km_per_deg_lng());
        let rings = (self.reach_km / cell_km).ceil() as i32 + 1;
        for ring in 0..=rings {
            if probe::ring_floor(ring, cell_km) > self.reach_km {
                return;
            }
            for k in probe::ring_cells(centre, ring) {
                let Some(cell) = self.cells.get(&k) else { continue };
                let (near, far) = p.bounds(k, CELL_DEG);
                let maybe = cell.reaching(near);
                if maybe > 0 && !f(cell, cell.reaching(far), maybe) {
                    return;
                }
            }
        }
    }

    /// The `k` nearest restaurants that deliver to the probe and pass `keep`, nearest first (ties
    /// by `ord`).
    pub fn nearest(&self, p: &Probe, k: usize, mut keep: impl FnMut(u32, f64) -> bool) -> Vec<(u32, f64)> {
        if k == 0 {
            return Vec::new();
        }
        match self.fine.nearest(p, k, self.reach_km, &mut keep) {
            Some(found) => found,
            // Sparse surroundings or a rare filter: the coarse cells get there in fewer steps.
            None => self.nearest_coarse(p, k, keep),
        }
    }

    /// [`Grid::nearest`] over the coarse cells: rings outwards until no farther cell can do better.
    fn nearest_coarse(&self, p: &Probe, k: usize, mut keep: impl FnMut(u32, f64) -> bool) -> Vec<(u32, f64)> {
        let mut found: Vec<(u32, f64)> = Vec::new();
        let centre = key(p.lat, p.lng, CELL_DEG);
        let cell_km = CELL_DEG * KM_PER_DEG.min(p.km_per_deg_lng());
        let rings = (self.reach_km / cell_km).ceil() as i32 + 1;
        for ring in 0..=rings {
            let floor = probe::ring_floor(ring, cell_km);
            if floor > self.reach_km || probe::settled(&mut found, k, floor) {
                break;
            }
            for k in probe::ring_cells(centre, ring) {
                let Some(cell) = self.cells.get(&k) else { continue };
                let maybe = cell.reaching(p.bounds(k, CELL_DEG).0);
                cell.each_serving(p, 0, maybe, |o, d| {
                    if keep(o, d) {
                        found.push((o, d));
                    }
                });
            }
        }
        probe::finish(found, k)
    }
}

impl Reach<'_> {
    /// Calls `f(ord, distance_km)` for every restaurant that delivers here.
    pub fn each(&self, mut f: impl FnMut(u32, f64)) {
        for s in &self.spans {
            s.cell.each_serving(&self.probe, 0, s.maybe, &mut f);
        }
    }

    /// Calls `f(ord, distance_km)` for every restaurant delivering here that carries, for each
    /// group of `groups`, at least one of its keys.
    pub fn matching(&self, groups: &[Vec<u32>], mut f: impl FnMut(u32, f64)) {
        let mut all: Vec<u64> = Vec::new();
        let mut one: Vec<u64> = Vec::new();
        for s in &self.spans {
            let words = s.maybe.div_ceil(64);
            all.clear();
            all.resize(words, u64::MAX);
            for group in groups {
                one.clear();
                one.resize(words, 0);
                for &k in group {
                    for &pos in s.cell.postings(k).iter().take_while(|&&p| (p as usize) < s.maybe) {
                        one[pos as usize / 64] |= 1 << (pos % 64);
                    }
                }
                all.iter_mut().zip(&one).for_each(|(a, o)| *a &= o);
            }
            for (w, &bits) in all.iter().enumerate() {
                let mut bits = bits;
                while bits != 0 {
                    let pos = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if pos >= s.maybe {
                        break;
                    }
                    if let Some(d) = s.cell.serving(&self.probe, pos, s.sure) {
                        f(s.cell.ords[pos], d);
                    }
                }
            }
        }
    }

    /// [`Reach::matching`] with `f(ord, distance_km, out)` pushing results, spread over the
    /// machine's cores when there is enough to do: a search is one customer waiting.
    pub fn gather<T: Send>(&self, groups: &[Vec<u32>], f: impl Fn(u32, f64, &mut Vec<T>) + Sync) -> Vec<T> {
        let work: usize = self.spans.iter().map(|s| s.maybe).sum();
        let threads = cores().min(work / PARALLEL_FROM + 1);
        if threads <= 1 {
            let mut out = Vec::new();
            self.matching(groups, |o, d| f(o, d, &mut out));
            return out;
        }
        // Split the cells into runs of about equal work, one per thread.
        let per = work.div_ceil(threads);
        let mut parts: Vec<Reach<'_>> = Vec::with_capacity(threads);
        let mut acc = 0;
        for s in &self.spans {
            if parts.is_empty() || (acc >= per && parts.len() < threads) {
                parts.push(Reach { probe: self.probe, spans: Vec::new() });
                acc = 0;
            }
            acc += s.maybe;
            parts.last_mut().expect("a part").spans.push(*s);
        }
        let f = &f;
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .map(|part| {
                    scope.spawn(move || {
                        let mut out = Vec::new();
                        part.matching(groups, |o, d| f(o, d, &mut out));
                        out
                    })
                })
                .collect();
            let mut all = Vec::new();
            for h in handles {
                all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            all
        })
    }

    /// Whether some restaurant delivering here carries `key`.
    pub fn any_with(&self, key: u32) -> bool {
        self.spans.iter().any(|s| {
            s.cell
                .postings(key)
                .iter()
                .take_while(|&&p| (p as usize) < s.maybe)
                .any(|&pos| (pos as usize) < s.sure || s.cell.serving(&self.probe, pos as usize, s.sure).is_some())
        })
    }
}

#[cfg(test)]
mod tests;
