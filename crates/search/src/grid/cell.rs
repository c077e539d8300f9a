//! One coarse cell: its restaurants as columns sorted by delivery radius (largest first), and an
//! inverted list per key over those positions.

use super::probe::{KM_PER_DEG, Probe, edges2};

#[derive(Default)]
pub(super) struct Cell {
    pub ords: Vec<u32>,
    lat: Vec<f64>,
    lng: Vec<f64>,
    radius: Vec<f64>,
    /// For counting: f32 columns, four to a vector instruction. Offsets from `origin` (degrees)
    /// and the squared radii within which a restaurant surely serves and beyond which it surely
    /// does not.
    origin: (f64, f64),
    dlat: Vec<f32>,
    dlng: Vec<f32>,
    inner2: Vec<f32>,
    outer2: Vec<f32>,
    /// Distinct keys, sorted; the positions carrying `keys[i]` are `posts[starts[i]..starts[i + 1]]`,
    /// ascending.
    keys: Vec<u32>,
    starts: Vec<u32>,
    posts: Vec<u32>,
    /// Each distinct radius (largest first) with how many restaurants reach at least that far:
    /// delivery radii come in few values, so this is far shorter than the columns.
    steps: Vec<(f64, u32)>,
    /// Changed since the columns were sorted and the lists built.
    pub dirty: bool,
}

impl Cell {
    pub fn push(&mut self, ord: u32, lat: f64, lng: f64, radius: f64) {
        self.ords.push(ord);
        self.lat.push(lat);
        self.lng.push(lng);
        self.radius.push(radius);
        self.dirty = true;
    }

    pub fn remove(&mut self, ord: u32) {
        if let Some(at) = self.ords.iter().position(|&o| o == ord) {
            self.ords.swap_remove(at);
            self.lat.swap_remove(at);
            self.lng.swap_remove(at);
            self.radius.swap_remove(at);
            self.dirty = true;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ords.is_empty()
    }

    /// Sorts the columns by radius (largest first, then ord) and rebuilds the inverted lists.
    pub fn settle(&mut self, keys_of: &impl Fn(u32, &mut Vec<u32>)) {
        let mut order: Vec<usize> = (0..self.ords.len()).collect();
        order
            .sort_unstable_by(|&a, &b| self.radius[b].total_cmp(&self.radius[a]).then(self.ords[a].cmp(&self.ords[b])));
        self.ords = order.iter().map(|&i| self.ords[i]).collect();
        self.lat = order.iter().map(|&i| self.lat[i]).collect();
        self.lng = order.iter().map(|&i| self.lng[i]).collect();
        self.radius = order.iter().map(|&i| self.radius[i]).collect();
        self.origin = (self.lat.first().copied().unwrap_or(0.0), self.lng.first().copied().unwrap_or(0.0));
        self.dlat = self.lat.iter().map(|&l| (l - self.origin.0) as f32).collect();
        self.dlng = self.lng.iter().map(|&l| (l - self.origin.1) as f32).collect();
        (self.inner2, self.outer2) = self.radius.iter().map(|&r| edges2(r)).unzip();
        self.steps.clear();
        for (i, &r) in self.radius.iter().enumerate() {
            match self.steps.last_mut() {
                Some(last) if last.0 == r => last.1 = i as u32 + 1,
                _ => self.steps.push((r, i as u32 + 1)),
            }
        }
        self.steps.shrink_to_fit();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut keys = Vec::new();
        for (pos, &ord) in self.ords.iter().enumerate() {
            keys.clear();
            keys_of(ord, &mut keys);
            pairs.extend(keys.iter().map(|&k| (k, pos as u32)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        self.keys.clear();
        self.starts.clear();
        self.posts = Vec::with_capacity(pairs.len());
        for (k, pos) in pairs {
            if self.keys.last() != Some(&k) {
                self.keys.push(k);
                self.starts.push(self.posts.len() as u32);
            }
            self.posts.push(pos);
        }
        self.starts.push(self.posts.len() as u32);
        self.keys.shrink_to_fit();
        self.starts.shrink_to_fit();
        self.dirty = false;
    }

    /// Positions carrying `key`, ascending.
    pub fn postings(&self, key: u32) -> &[u32] {
        match self.keys.binary_search(&key) {
            Ok(i) => &self.posts[self.starts[i] as usize..self.starts[i + 1] as usize],
            Err(_) => &[],
        }
    }

    /// How many restaurants reach at least `km`: a prefix, thanks to the sort.
    pub fn reaching(&self, km: f64) -> usize {
        match self.steps.partition_point(|s| s.0 >= km) {
            0 => 0,
            n => self.steps[n - 1].1 as usize,
        }
    }

    /// The distance to the restaurant at `pos` if it serves the probe (`pos < sure`: it does).
    pub fn serving(&self, p: &Probe, pos: usize, sure: usize) -> Option<f64> {
        if pos < sure {
            Some(p.km(self.lat[pos], self.lng[pos]))
        } else {
            p.serves(self.lat[pos], self.lng[pos], self.radius[pos])
        }
    }

    /// How many of positions `from..to` serve the probe.
    pub fn count_serving(&self, p: &Probe, from: usize, to: usize) -> usize {
        // Branch-free over f32 columns, so the compiler uses vector instructions; the few
        // restaurants within metres of their edge are then settled one by one.
        let kx = p.km_per_deg_lng_towards(self.origin.0);
        let (qy, qx) = (((p.lat - self.origin.0) * KM_PER_DEG) as f32, ((p.lng - self.origin.1) * kx) as f32);
        let (ky, kx) = (KM_PER_DEG as f32, kx as f32);
        let d2 = |i: usize| -> f32 {
            let (dy, dx) = (self.dlat[i] * ky - qy, self.dlng[i] * kx - qx);
            dy * dy + dx * dx
        };
        let (mut inside, mut edge) = (0u32, 0u32);
        let columns = self.dlat[from..to].iter().zip(&self.dlng[from..to]).zip(&self.inner2[from..to]);
        for (((&y, &x), &inner), &outer) in columns.zip(&self.outer2[from..to]) {
            let (dy, dx) = (y * ky - qy, x * kx - qx);
            let d2 = dy * dy + dx * dx;
            inside += u32::from(d2 < inner);
            edge += u32::from((d2 >= inner) & (d2 <= outer));
        }
        let mut n = inside as usize;
        if edge > 0 {
            n += (from..to)
                .filter(|&i| (self.inner2[i]..=self.outer2[i]).contains(&d2(i)))
                .filter(|&i| p.serves(self.lat[i], self.lng[i], self.radius[i]).is_some())
                .count();
        }
        n
    }

    /// Calls `f(ord, distance_km)` for positions `from..to` that serve the probe.
    pub fn each_serving(&self, p: &Probe, from: usize, to: usize, mut f: impl FnMut(u32, f64)) {
        for i in from..to {
            if let Some(d) = p.serves(self.lat[i], self.lng[i], self.radius[i]) {
                f(self.ords[i], d);
            }
        }
    }
}
