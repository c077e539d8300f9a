//! The event relay: a failing or stalled subscriber holds no other back, its bad event is
//! parked as a dead letter after its tries (admins list and replay it), and a catalog write
//! does not run subscribers inside its request.

use crate::helpers::{TestApp, Tuning};
use async_trait::async_trait;
use dabba_api::events::{RelayConfig, Subscriber};
use dabba_store::model::Event;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

fn fast_retries(t: &mut Tuning) {
    t.relay =
        RelayConfig { max_attempts: 3, retry_base: Duration::from_millis(5), retry_cap: Duration::from_millis(20) };
}

/// Fails on every `order.placed` until healed; counts its failures, records what it handled.
struct Poisoned {
    healed: AtomicBool,
    failures: watch::Sender<u32>,
    handled: Mutex<Vec<String>>,
}

#[async_trait]
impl Subscriber for Poisoned {
    fn name(&self) -> &'static str {
        "poisoned"
    }

    async fn handle(&self, events: &[Event]) -> anyhow::Result<()> {
        if !self.healed.load(Ordering::SeqCst) && events.iter().any(|e| e.topic == "order.placed") {
            self.failures.send_modify(|n| *n += 1);
            anyhow::bail!("cannot digest order.placed");
        }
        self.handled.lock().unwrap().extend(events.iter().map(|e| e.topic.clone()));
        Ok(())
    }
}

/// Counts how often it is handed each event.
#[derive(Default)]
struct Counter(Mutex<HashMap<i64, u32>>);

#[async_trait]
impl Subscriber for Counter {
    fn name(&self) -> &'static str {
        "counter"
    }

    async fn handle(&self, events: &[Event]) -> anyhow::Result<()> {
        let mut seen = self.0.lock().unwrap();
        for e in events {
            *seen.entry(e.event_id).or_default() += 1;
        }
        Ok(())
    }
}

async fn a_failing_subscriber_is_parked_and_holds_no_one_back(app: TestApp) {
    // The counter comes first: the old relay handed it every batch again while a later
    // subscriber kept failing.
    let counter = Arc::new(Counter::default());
    app.state.relay.subscribe(counter.clone());
    let poisoned = Arc::new(Poisoned {
        healed: AtomicBool::new(false),
        failures: watch::Sender::new(0),
        handled: Mutex::default(),
    });
    app.state.relay.subscribe(poisoned.clone());
    let admin = app.admin().await;
    let shop = app.shop().await;
    let order = app.order(&shop).await;
    app.kitchen(&shop, &order, json!({"status": "PREPARING", "estimated_preparation_minutes": 15})).await.expect(200);

    // Tried, then parked: each drain the test waits for is one the relay began after the last.
    let path = "/api/v1/admin/events/dead-letters";
    let mut failures = poisoned.failures.subscribe();
    tokio::time::timeout(Duration::from_secs(30), failures.wait_for(|n| *n >= 3)).await.expect("three tries").unwrap();
    let mut letters = Vec::new();
    for _ in 0..500 {
        letters = app.get(path, Some(&admin)).await.expect(200).as_array().unwrap().clone();
        if !letters.is_empty() {
            break;
        }
        app.state.relay.settle("poisoned", Duration::from_secs(5)).await;
    }
    let tried = *failures.borrow();
    assert!(app.state.relay.settle("poisoned", Duration::from_secs(30)).await);
    assert_eq!(*failures.borrow(), tried, "no try after the event was parked");
    let later = poisoned.handled.lock().unwrap().clone();
    assert!(later.iter().any(|t| t == "order.status.changed"), "events after the bad one arrived: {later:?}");
    assert!(app.state.relay.settle("counter", Duration::from_secs(30)).await);
    let counts = counter.0.lock().unwrap().clone();
    assert!(counts.len() >= 3, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "each event handed to the healthy subscriber once: {counts:?}");
    assert!(app.state.relay.settle("notifications", Duration::from_secs(30)).await);
    let inbox = app.inbox(&shop.customer, "").await;
    assert!(inbox.iter().any(|n| n["kind"] == "ORDER_ACCEPTED"), "{inbox:?}");

    // Admins see the dead letter; nobody else does.
    assert_eq!(letters.len(), 1, "{letters:?}");
    let l = &letters[0];
    assert_eq!(
        (l["subscriber"].as_str(), l["topic"].as_str(), l["attempts"].as_i64()),
        (Some("poisoned"), Some("order.placed"), Some(3))
    );
    assert!(l["error"].as_str().unwrap().contains("cannot digest"), "{l}");
    assert_eq!(l["payload"]["order_id"], order.as_str());
    app.get(path, Some(&shop.customer)).await.expect(403);
    app.get(path, None).await.expect(401);
    app.get(&format!("{path}?limit=0"), Some(&admin)).await.expect(400);
    app.get(&format!("{path}?page=x"), Some(&admin)).await.expect(400);

    // A replay that fails again keeps the letter; once healed it goes through.
    let replay = format!("{path}/poisoned/{}/replay", l["event_id"]);
    let r = app.post(&replay, Some(&admin), json!({})).await;
    r.expect(409);
    assert_eq!(r.code(), "REPLAY_FAILED");
    app.post(&replay, Some(&shop.owner), json!({})).await.expect(403);
    poisoned.healed.store(true, Ordering::SeqCst);
    app.post(&replay, Some(&admin), json!({})).await.expect(200);
    assert!(poisoned.handled.lock().unwrap().iter().any(|t| t == "order.placed"));
    assert!(app.get(path, Some(&admin)).await.expect(200).as_array().unwrap().is_empty());
    app.post(&replay, Some(&admin), json!({})).await.expect(404);
    app.post(&format!("{path}/nobody/1/replay"), Some(&admin), json!({})).await.expect(404);
    app.post(&format!("{path}/poisoned/not-a-number/replay"), Some(&admin), json!({})).await.expect(400);
}

/// Never returns from a batch until released.
struct Stalled(Arc<Notify>);

#[async_trait]
impl Subscriber for Stalled {
    fn name(&self) -> &'static str {
        "stalled"
    }

    async fn handle(&self, _: &[Event]) -> anyhow::Result<()> {
        self.0.notified().await;
        Ok(())
    }
}

async fn a_catalog_write_runs_no_subscriber_in_its_request(app: TestApp) {
    let release = Arc::new(Notify::new());
    app.state.relay.subscribe(Arc::new(Stalled(release.clone())));
    let owner = app.owner().await;
    // The old write drained the outbox through every subscriber and would wait for ever here;
    // the timeout only turns that hang into a failure.
    let id =
        tokio::time::timeout(Duration::from_secs(60), app.restaurant(&owner, json!({"name": "Lane Test Kitchen"})))
            .await
            .expect("the write answered while a subscriber was stalled");
    // The discovery lane took it meanwhile: the owner reads their own write.
    let found = app.get("/api/v1/search?q=lane%20test&lat=12.9716&lng=77.5946", None).await;
    let hits = found.expect(200)["restaurants"].as_array().unwrap().clone();
    assert!(hits.iter().any(|h| h["restaurant_id"] == id.as_str()), "{hits:?}");
    release.notify_waiters();
}

crate::both_backends_tuned!(fast_retries; a_failing_subscriber_is_parked_and_holds_no_one_back, a_catalog_write_runs_no_subscriber_in_its_request);
