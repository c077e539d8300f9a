//! The figures of a dispatched day, as the published evaluator computes them: orders
//! delivered, click-to-door (mean, 90th percentile), ready-to-pickup, cost per order.

use crate::mdrp::{Instance, Solution};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub orders: usize,
    pub delivered: usize,
    pub click_to_door_mean: f64,
    /// Linear between ranks, as pandas' `describe` does.
    pub click_to_door_p90: f64,
    pub ready_to_pickup_mean: f64,
    /// Couriers' pay (per order, or the guaranteed hourly pay if more) per delivered order.
    pub cost_per_order: f64,
    pub orders_per_bundle: f64,
}

impl Metrics {
    pub fn undelivered_share(&self) -> f64 {
        if self.orders == 0 { 0.0 } else { 1.0 - self.delivered as f64 / self.orders as f64 }
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 }
}

/// The `q` quantile of `v`, interpolating between ranks.
pub fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q * (s.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

pub fn measure(inst: &Instance, sol: &Solution) -> Metrics {
    let mut c2d = Vec::new();
    let mut r2p = Vec::new();
    let mut per_courier = vec![0usize; inst.couriers.len()];
    for (o, d) in inst.orders.iter().zip(&sol.deliveries) {
        if let Some(d) = d {
            c2d.push((d.dropoff - o.placed) as f64);
            r2p.push((d.pickup - o.ready) as f64);
            per_courier[d.courier] += 1;
        }
    }
    let pay: f64 = inst
        .couriers
        .iter()
        .zip(&per_courier)
        .map(|(c, &n)| (inst.pay_per_order * n as f64).max(inst.guaranteed_pay_per_hour * (c.off - c.on) as f64 / 60.0))
        .sum();
    let delivered = c2d.len();
    let bundles = sol.assignments.len();
    Metrics {
        orders: inst.orders.len(),
        delivered,
        click_to_door_mean: mean(&c2d),
        click_to_door_p90: quantile(&c2d, 0.9),
        ready_to_pickup_mean: mean(&r2p),
        cost_per_order: if delivered == 0 { 0.0 } else { pay / delivered as f64 },
        orders_per_bundle: if bundles == 0 {
            0.0
        } else {
            sol.assignments.iter().map(|a| a.orders.len()).sum::<usize>() as f64 / bundles as f64
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_90th_percentile_interpolates_like_pandas() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile(&v, 0.9) - 9.1).abs() < 1e-9);
        assert_eq!(quantile(&[5.0], 0.9), 5.0);
        assert_eq!(quantile(&[], 0.9), 0.0);
    }
}
