//! `dabba bench-watchers` (hidden): the client side of the `tracking` scenario, in its own
//! process. Opens one `/ws/track` socket per line of `--file` (`order_id token`), half of
//! them, prints `half N` and waits for a line on stdin, then the rest; prints `connected N`.
//! Then it obeys stdin, a command a line:
//!
//! - `measure`: after 2 s of warm-up, measures for `--seconds` − 2 how old each
//!   `location_update` is when it arrives (its `timestamp` is the fix's recorded time), and
//!   prints `result {json}`, with the orders of `--riders` apart from the others;
//! - `riders`: opens one `/ws/rider` socket per line of `--riders` (`order_id token lat lng`)
//!   and has each rider send a `location` once a second (spread evenly over the second,
//!   `recorded_at` = the moment it is sent); prints `riders N`.

use anyhow::{Context, Result};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Riders whose fixes go over their own socket (`order_id token lat lng` a line).
    #[arg(long)]
    riders: Option<PathBuf>,
}

/// Connections opened at once while connecting.
const CONNECTING: usize = 256;

/// Where an order's rider is at `now_ms`: ~5.5 m further north each second, on the wall clock
/// (the same rule in process and on the riders' sockets, so a rider moving from one to the
/// other does not jump).
pub fn position(lat: f64, now_ms: i64) -> f64 {
    lat + ((now_ms / 1000) % 1000) as f64 * 5e-5
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[derive(Default)]
struct Latencies {
    socket: Vec<f64>,
    in_process: Vec<f64>,
}

fn summary(mut l: Vec<f64>) -> serde_json::Value {
    l.sort_by(f64::total_cmp);
    let p = |q: f64| super::live::pct(&l, q);
    serde_json::json!({"frames": l.len(), "p50_ms": p(0.5), "p99_ms": p(0.99), "max_ms": l.last().copied().unwrap_or(0.0)})
}

pub async fn run(args: WatchersArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file).context("watchers file")?;
    let pairs: Vec<(String, String)> =
        text.lines().filter_map(|l| l.split_once(' ').map(|(o, t)| (o.to_owned(), t.to_owned()))).collect();
    let riders: Vec<(String, String, f64, f64)> = match &args.riders {
        Some(f) => std::fs::read_to_string(f)
            .context("riders file")?
            .lines()
            .filter_map(|l| {
                let mut w = l.split(' ');
                Some((w.next()?.to_owned(), w.next()?.to_owned(), w.next()?.parse().ok()?, w.next()?.parse().ok()?))
            })
            .collect(),
        None => Vec::new(),
    };
    let on_sockets: Arc<HashSet<String>> = Arc::new(riders.iter().map(|r| r.0.clone()).collect());
    let latencies = Arc::new(Mutex::new(Latencies::default()));
    let measuring = Arc::new(AtomicBool::new(false));
    // Commands arrive on stdin, read on a thread of their own (a line at a time, `None` at the end).
    let (tx, mut stdin) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Two halves: the server's memory is read after each, so the difference is what the
    // second half of the idle watchers costs, free of one-off growth (thread arenas, pools).
    let half = pairs.len() / 2;
    let mut sockets = Vec::with_capacity(pairs.len());
    for (i, chunk) in pairs.chunks(CONNECTING).enumerate() {
        if i * CONNECTING == half.next_multiple_of(CONNECTING) {
            println!("half {}", sockets.len());
            stdin.recv().await;
        }
        let opened = futures_util::future::join_all(chunk.iter().map(|(order, token)| {
            let url = format!("ws://{}/ws/track?order_id={order}&token={token}", args.addr);
            async move { tokio_tungstenite::connect_async(url).await.map(|(s, _)| (order.clone(), s)) }
        }))
        .await;
        for s in opened {
            sockets.push(s.context("watcher socket")?);
        }
    }
    let n = sockets.len();
    for (order, mut s) in sockets {
        let (latencies, measuring) = (latencies.clone(), measuring.clone());
        let on_socket = on_sockets.contains(&order);
        tokio::spawn(async move {
            while let Some(Ok(msg)) = s.next().await {
                let Message::Text(t) = msg else { continue };
                if !measuring.load(Ordering::Relaxed) {
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
                let mut l = latencies.lock().unwrap_or_else(|p| p.into_inner());
                if on_socket { l.socket.push(ms) } else { l.in_process.push(ms) }
            }
        });
    }
    println!("connected {n}");
    while let Some(line) = stdin.recv().await {
        match line.trim() {
            "measure" => {
                // The first seconds warm up (every rider's first fix, the server's buffers).
                tokio::time::sleep(Duration::from_secs(2)).await;
                measuring.store(true, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_secs(args.seconds.saturating_sub(2).max(1))).await;
                measuring.store(false, Ordering::Relaxed);
                let l = std::mem::take(&mut *latencies.lock().unwrap_or_else(|p| p.into_inner()));
                let all: Vec<f64> = l.socket.iter().chain(&l.in_process).copied().collect();
                let result = serde_json::json!({
                    "connected": n, "all": summary(all), "socket": summary(l.socket), "in_process": summary(l.in_process),
                });
                println!("result {result}");
            }
            "riders" => {
                let opened = ride(args.addr, &riders).await?;
                println!("riders {opened}");
            }
            _ => {}
        }
    }
    Ok(())
}

/// Connects the riders and starts their 1 Hz fixes; how many are connected.
async fn ride(addr: SocketAddr, riders: &[(String, String, f64, f64)]) -> Result<usize> {
    let mut sockets = Vec::with_capacity(riders.len());
    for chunk in riders.chunks(CONNECTING) {
        let opened = futures_util::future::join_all(chunk.iter().map(|(_, token, lat, lng)| {
            let url = format!("ws://{addr}/ws/rider?token={token}");
            async move { tokio_tungstenite::connect_async(url).await.map(|(s, _)| (s, *lat, *lng)) }
        }))
        .await;
        for s in opened {
            sockets.push(s.context("rider socket")?);
        }
    }
    let n = sockets.len();
    let start = tokio::time::Instant::now();
    for (i, (mut ws, lat, lng)) in sockets.into_iter().enumerate() {
        // Spread over the second, as phones are.
        let offset = Duration::from_micros((i as u64 * 1_000_000) / n.max(1) as u64);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(start + offset, Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        let now = now_ms();
                        let at = time::OffsetDateTime::from_unix_timestamp_nanos(now as i128 * 1_000_000)
                            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
                            .format(&time::format_description::well_known::Rfc3339)
                            .unwrap_or_default();
                        let msg = format!(
                            r#"{{"type":"location","lat":{:.7},"lng":{lng:.7},"recorded_at":"{at}"}}"#,
                            position(lat, now)
                        );
                        if ws.send(Message::Text(msg.into())).await.is_err() {
                            break;
                        }
                    }
                    msg = ws.next() => match msg {
                        Some(Ok(_)) => {}
                        _ => break,
                    },
                }
            }
        });
    }
    Ok(n)
}
