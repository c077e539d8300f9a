//! The route history kept for disputes: one fix per rider per period (15 s by default), written
//! in batches off the request path, deleted after the retention.

use dabba_store::Store;
use dabba_store::model::LocationRow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Points waiting for the writer beyond this are dropped (and counted): the live path never
/// waits for the database.
const QUEUE: usize = 65_536;
/// Rows per insert.
const BATCH: usize = 1_000;

enum Msg {
    Row(LocationRow),
    Flush(oneshot::Sender<()>),
}

pub struct History {
    tx: mpsc::Sender<Msg>,
    rx: std::sync::Mutex<Option<mpsc::Receiver<Msg>>>,
    pub dropped: Arc<AtomicU64>,
}

impl Default for History {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        Self { tx, rx: std::sync::Mutex::new(Some(rx)), dropped: Arc::default() }
    }
}

impl History {
    /// Queues a point without waiting.
    pub fn keep(&self, row: LocationRow) {
        if self.tx.try_send(Msg::Row(row)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Waits until every point queued before this call is written.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Starts the writer (once) and the retention sweep.
    pub fn spawn(&self, store: Arc<dyn Store>, retention: time::Duration) -> Vec<tokio::task::JoinHandle<()>> {
        let Some(mut rx) = self.rx.lock().unwrap_or_else(|p| p.into_inner()).take() else { return Vec::new() };
        let writer_store = store.clone();
        let self_dropped = self.dropped.clone();
        let writer = tokio::spawn(async move {
            let mut buf = Vec::with_capacity(BATCH);
            let mut rows = Vec::with_capacity(BATCH);
            while rx.recv_many(&mut buf, BATCH).await > 0 {
                let mut waiting = Vec::new();
                for m in buf.drain(..) {
                    match m {
                        Msg::Row(r) => rows.push(r),
                        Msg::Flush(done) => waiting.push(done),
                    }
                }
                let dropped = self_dropped.swap(0, Ordering::Relaxed);
                if dropped > 0 {
                    tracing::warn!(dropped, "route points dropped: the history writer fell behind");
                }
                if !rows.is_empty() {
                    if let Err(e) = writer_store.record_locations(&rows).await {
                        tracing::warn!(error = %e, rows = rows.len(), "location history not written");
                    }
                    rows.clear();
                }
                for done in waiting {
                    let _ = done.send(());
                }
            }
        });
        let sweep = tokio::spawn(async move {
            loop {
                match store.forget_locations_before(dabba_store::now_utc() - retention).await {
                    Ok(n) if n > 0 => tracing::info!(deleted = n, "location history past retention deleted"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "location history sweep failed"),
                }
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        });
        vec![writer, sweep]
    }
}
