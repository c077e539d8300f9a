use super::*;

/// A deterministic scatter of restaurants around a point.
fn scatter(n: usize, spread: f64) -> Vec<(f64, f64, f64)> {
    let mut s = 12345u64 + n as u64;
    let mut next = move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n).map(|_| (12.9 + next() * spread, 77.5 + next() * spread, 0.5 + next() * 7.5)).collect()
}

/// Keys of restaurant `ord`: its remainders by 3, 5 and 7, kept apart by kind.
fn keys_of(ord: u32, out: &mut Vec<u32>) {
    out.extend([ord % 3, 10 + ord % 5, 20 + ord % 7]);
}

fn grid(places: &[(f64, f64, f64)]) -> Grid {
    let mut g = Grid::default();
    for (i, &(lat, lng, r)) in places.iter().enumerate() {
        g.insert(i as u32, lat, lng, r);
    }
    g.settle(keys_of);
    g
}

fn truth(places: &[(f64, f64, f64)], p: &Probe) -> Vec<(u32, f64)> {
    places.iter().enumerate().filter_map(|(i, &(lat, lng, r))| p.serves(lat, lng, r).map(|d| (i as u32, d))).collect()
}

#[test]
fn agrees_with_checking_every_restaurant() {
    // Dense (fine rings settle) and sparse (the coarse walk takes over).
    for spread in [0.3, 3.0] {
        let places = scatter(4000, spread);
        let g = grid(&places);
        for q in scatter(60, spread) {
            let p = Probe::new(q.0, q.1);
            let mut truth = truth(&places, &p);
            let reach = g.reach(&p);
            assert_eq!(g.count_upto(&p, usize::MAX), truth.len());
            // Capped: exact up to the cap, and "more" beyond it.
            assert_eq!(g.count_upto(&p, 40).min(41), truth.len().min(41));
            let mut each = Vec::new();
            reach.each(|o, d| each.push((o, d)));
            each.sort_by_key(|a| a.0);
            assert_eq!(each, truth);
            let mut with = Vec::new();
            reach.matching(&[vec![11]], |o, d| with.push((o, d)));
            with.sort_by_key(|a| a.0);
            let want: Vec<(u32, f64)> = truth.iter().filter(|t| t.0 % 5 == 1).copied().collect();
            assert_eq!(with, want);
            assert_eq!(reach.any_with(11), !want.is_empty());
            assert!(!reach.any_with(99));
            // (÷3 leaves 1 or 2) and (÷7 leaves 4).
            let mut both = Vec::new();
            reach.matching(&[vec![1, 2], vec![24]], |o, d| both.push((o, d)));
            both.sort_by_key(|a| a.0);
            let want: Vec<(u32, f64)> = truth.iter().filter(|t| t.0 % 3 != 0 && t.0 % 7 == 4).copied().collect();
            assert_eq!(both, want);
            truth.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let near = g.nearest(&p, 25, |_, _| true);
            assert_eq!(near, truth[..25.min(truth.len())]);
            let odd = g.nearest(&p, 10, |o, _| o % 2 == 1);
            let want: Vec<(u32, f64)> = truth.iter().filter(|t| t.0 % 2 == 1).take(10).copied().collect();
            assert_eq!(odd, want);
        }
    }
}

#[test]
fn moves_and_removals_are_seen() {
    let mut g = Grid::default();
    g.insert(1, 12.97, 77.59, 3.0);
    g.settle(keys_of);
    let here = Probe::new(12.97, 77.59);
    assert_eq!(g.count_upto(&here, 10), 1);
    assert!(g.reach(&here).any_with(1));
    g.remove(1, 12.97, 77.59);
    g.settle(keys_of);
    assert_eq!(g.count_upto(&here, 10), 0);
    assert!(g.nearest(&here, 5, |_, _| true).is_empty());
    g.insert(1, 13.5, 77.59, 3.0);
    g.settle(keys_of);
    assert_eq!(g.count_upto(&here, 10), 0);
    assert_eq!(g.count_upto(&Probe::new(13.5, 77.6), 10), 1);
    assert_eq!(g.nearest(&Probe::new(13.5, 77.6), 5, |_, _| true).len(), 1);
}
