//! Request counts and latency histograms per route and status, rendered as Prometheus text.
//! Hand-written: a fixed-bucket histogram is a few atomics, and the exporter crates pull in far
//! more than this needs.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Upper bounds of the latency buckets, seconds.
const BUCKETS: [f64; 14] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

type Key = (&'static str, String, u16);

/// The registry of HTTP metrics.
#[derive(Default)]
pub struct Metrics {
    series: RwLock<HashMap<Key, Arc<Histogram>>>,
}

impl Metrics {
    /// Records one request. `route` is the route template (`/api/v1/restaurants/{id}`), never the
    /// raw path, so ids do not explode the number of series.
    pub fn record(&self, method: &'static str, route: &str, status: u16, elapsed: Duration) {
        let key = (method, route.to_owned(), status);
        let found = self.series.read().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
        let h = match found {
            Some(h) => h,
            None => self.series.write().unwrap_or_else(|p| p.into_inner()).entry(key).or_default().clone(),
        };
        let secs = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|&b| secs <= b) {
            h.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        h.count.fetch_add(1, Ordering::Relaxed);
        h.sum_micros.fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every series.
    pub fn render(&self) -> String {
        let series = self.series.read().unwrap_or_else(|p| p.into_inner());
        let mut keys: Vec<_> = series.keys().collect();
        keys.sort();
        let mut out = String::new();
        out.push_str("# HELP dabba_http_requests_total HTTP requests served, by route and status.\n");
        out.push_str("# TYPE dabba_http_requests_total counter\n");
        for k in &keys {
            let h = &series[*k];
            let _ = writeln!(out, "dabba_http_requests_total{{{}}} {}", labels(k), h.count.load(Ordering::Relaxed));
        }
        out.push_str("# HELP dabba_http_request_duration_seconds Time to produce the response.\n");
        out.push_str("# TYPE dabba_http_request_duration_seconds histogram\n");
        for k in &keys {
            let h = &series[*k];
            let l = labels(k);
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(&h.buckets) {
                cumulative += n.load(Ordering::Relaxed);
                let _ = writeln!(out, "dabba_http_request_duration_seconds_bucket{{{l},le=\"{bound}\"}} {cumulative}");
            }
            let count = h.count.load(Ordering::Relaxed);
            let sum = h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "dabba_http_request_duration_seconds_bucket{{{l},le=\"+Inf\"}} {count}");
            let _ = writeln!(out, "dabba_http_request_duration_seconds_sum{{{l}}} {sum}");
            let _ = writeln!(out, "dabba_http_request_duration_seconds_count{{{l}}} {count}");
        }
        out
    }
}

fn labels((method, route, status): &Key) -> String {
    let route = route.replace('\\', "\\\\").replace('"', "\\\"");
    format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_buckets_are_cumulative() {
        let m = Metrics::default();
        m.record("GET", "/a/{id}", 200, Duration::from_micros(300));
        m.record("GET", "/a/{id}", 200, Duration::from_millis(30));
        m.record("GET", "/a/{id}", 404, Duration::from_millis(1));
        let text = m.render();
        assert!(text.contains("dabba_http_requests_total{method=\"GET\",route=\"/a/{id}\",status=\"200\"} 2"));
        assert!(text.contains("route=\"/a/{id}\",status=\"200\",le=\"0.0005\"} 1"));
        assert!(text.contains("route=\"/a/{id}\",status=\"200\",le=\"0.05\"} 2"));
        assert!(text.contains("route=\"/a/{id}\",status=\"200\",le=\"+Inf\"} 2"));
        assert!(text.contains("status=\"404\"} 1"));
    }
}
