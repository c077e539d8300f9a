//! The live-state scenarios of `dabba bench`: `ingest` (rider pings into live state),
//! `nearby` (nearest available riders) and `tracking` (pings to WebSocket watchers). Each
//! measures the named reference in the same run (Redis for the first two) and prints a table.

use anyhow::Result;
use serde::Serialize;

/// A point scattered over a ~22 × 22 km city around Bengaluru, deterministic per seed.
pub struct Scatter(u64);

impl Scatter {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A point in the city (`margin` in degrees kept clear of its edges).
    pub fn point(&mut self, margin: f64) -> (f64, f64) {
        let span = 0.2 - 2.0 * margin;
        (12.87 + margin + self.unit() * span, 77.49 + margin + self.unit() * span)
    }
}

/// One line of the live table.
#[derive(Debug, Serialize)]
pub struct LiveRow {
    pub scenario: &'static str,
    pub metric: String,
    pub dabba: f64,
    /// The reference of the same run (Redis), if it could be measured.
    pub reference: Option<f64>,
    /// How many times better Dabba is (higher is better, whichever way the metric goes).
    pub ratio: Option<f64>,
    pub note: String,
}

/// Percentile of sorted values.
pub fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub fn print(rows: &[LiveRow]) {
    println!("{:<9} {:<34} {:>14} {:>14} {:>7}  note", "scenario", "metric", "dabba", "reference", "ratio");
    for r in rows {
        let reference = r.reference.map_or("-".to_owned(), |v| format!("{v:.2}"));
        let ratio = r.ratio.map_or("-".to_owned(), |v| format!("{v:.2}x"));
        println!("{:<9} {:<34} {:>14.2} {:>14} {:>7}  {}", r.scenario, r.metric, r.dabba, reference, ratio, r.note);
    }
}

pub fn write(path: &std::path::Path, rows: &[LiveRow]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(
        path,
        serde_json::to_string_pretty(
            &serde_json::json!({"cores": std::thread::available_parallelism().map_or(1, |n| n.get()), "rows": rows}),
        )?,
    )?;
    Ok(())
}
