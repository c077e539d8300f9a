//! `dabba bench-watchers` (hidden): the client side of the `tracking` scenario, in its own
//! process. Opens one `/ws/track` socket per line of `--file` (`order_id token`), half of
//! them, prints `half N` and waits for a line on stdin, then the rest; prints `connected N`, then measures for `--seconds` how old each `location_update` is when it
//! arrives, and prints `result {json}`.

use anyhow::{Context, Result};
use futures_util::StreamExt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[derive(Debug, clap::Args)]
pub struct WatchersArgs {
    #[arg(long)]
    addr: SocketAddr,
    #[arg(long)]
    file: PathBuf,
    #[arg(long)]
    seconds: u64,
}

/// Connections opened at once while connecting.
const CONNECTING: usize = 256;

pub async fn run(args: WatchersArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file).context("watchers file")?;
    let pairs: Vec<(String, String)> =
        text.lines().filter_map(|l| l.split_once(' ').map(|(o, t)| (o.to_owned(), t.to_owned()))).collect();
    let latencies = Arc::new(Mutex::new(Vec::<f64>::new()));
    let measuring = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Two halves: the server's memory is read after each, so the difference is what the
    // second half of the idle watchers costs, free of one-off growth (thread arenas, pools).
    let half = pairs.len() / 2;
    let mut sockets = Vec::with_capacity(pairs.len());
    for (i, chunk) in pairs.chunks(CONNECTING).enumerate() {
        if i * CONNECTING == half.next_multiple_of(CONNECTING) {
            println!("half {}", sockets.len());
            tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new())).await??;
        }
        let opened = futures_util::future::join_all(chunk.iter().map(|(order, token)| {
            let url = format!("ws://{}/ws/track?order_id={order}&token={token}", args.addr);
            async move { tokio_tungstenite::connect_async(url).await.map(|(s, _)| s) }
        }))
        .await;
        for s in opened {
            sockets.push(s.context("watcher socket")?);
        }
    }
    let n = sockets.len();
    for mut s in sockets {
        let (latencies, measuring) = (latencies.clone(), measuring.clone());
        tokio::spawn(async move {
            while let Some(Ok(msg)) = s.next().await {
                let Message::Text(t) = msg else { continue };
                if !measuring.load(std::sync::atomic::Ordering::Relaxed) {
                    continue;
                }
                let received = time::OffsetDateTime::now_utc();
                let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap_or_default();
                if v["type"] != "location_update" {
                    continue;
                }
                let Some(at) = v["timestamp"].as_str().and_then(|ts| {
                    time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).ok()
                }) else {
                    continue;
                };
                let ms = (received - at).as_seconds_f64() * 1000.0;
                latencies.lock().unwrap_or_else(|p| p.into_inner()).push(ms);
            }
        });
    }
    println!("connected {n}");
    // The first seconds warm up (every rider's first fix, the server's buffers).
    tokio::time::sleep(Duration::from_secs(2)).await;
    measuring.store(true, std::sync::atomic::Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(args.seconds.saturating_sub(2).max(1))).await;
    measuring.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut l = std::mem::take(&mut *latencies.lock().unwrap_or_else(|p| p.into_inner()));
    l.sort_by(f64::total_cmp);
    let p = |q: f64| super::live::pct(&l, q);
    let result = serde_json::json!({"connected": n, "frames": l.len(), "p50_ms": p(0.5), "p99_ms": p(0.99), "max_ms": l.last().copied().unwrap_or(0.0)});
    println!("result {result}");
    Ok(())
}
