//! Retention: rows past their settings are deleted by the sweep, the rest stay; an event some
//! subscriber has not handled is never deleted.

use crate::helpers::TestApp;
use async_trait::async_trait;
use dabba_api::events::Subscriber;
use dabba_api::housekeeping::sweep;
use dabba_store::model::{Event, Retained};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use time::{Duration, OffsetDateTime};
use tokio::sync::Notify;

/// Holds its lane until released; afterwards handles everything at once.
struct Held {
    released: AtomicBool,
    wake: Notify,
}

#[async_trait]
impl Subscriber for Held {
    fn name(&self) -> &'static str {
        "held"
    }

    async fn handle(&self, _: &[Event]) -> anyhow::Result<()> {
        while !self.released.load(Ordering::SeqCst) {
            let woken = self.wake.notified();
            if self.released.load(Ordering::SeqCst) {
                break;
            }
            woken.await;
        }
        Ok(())
    }
}

fn count(done: &[(Retained, u64)], what: Retained) -> u64 {
    done.iter().find(|(w, _)| *w == what).map(|(_, n)| *n).unwrap()
}

async fn old_rows_go_and_the_rest_stay(app: TestApp) {
    let held = Arc::new(Held { released: AtomicBool::new(false), wake: Notify::new() });
    app.state.relay.subscribe(held.clone());
    let shop = app.shop().await;
    let placed = app.order_paying(&shop, "CARD").await;
    let (status, html) = app.pay_card(&placed["payment"], "4111 1111 1111 1111").await;
    assert_eq!(status, 200, "{html}");
    let me = app.get("/api/v1/users/profile", Some(&shop.customer)).await.expect(200)["user_id"].clone();
    let me: uuid::Uuid = me.as_str().unwrap().parse().unwrap();
    assert!(app.state.relay.settle("notifications", std::time::Duration::from_secs(30)).await);
    let inbox = app.store.notifications(me, false, 50, 0).await.unwrap().len();
    assert!(inbox > 0);

    let now = OffsetDateTime::now_utc();
    let at = |days: i64| now + Duration::days(days) + Duration::hours(2);
    let done = sweep(&app.state, now).await.unwrap();
    assert!(done.iter().all(|(_, n)| *n == 0), "nothing is old yet: {done:?}");

    // Two days on: only the answered idempotency keys (kept 48 h) go.
    let done = sweep(&app.state, at(2)).await.unwrap();
    assert!(count(&done, Retained::IdempotencyKeys) > 0, "{done:?}");
    assert_eq!(done.iter().filter(|(_, n)| *n > 0).count(), 1, "{done:?}");

    // A week on: expired sessions go; no event does, while one subscriber has not had them.
    let done = sweep(&app.state, at(8)).await.unwrap();
    assert!(count(&done, Retained::Sessions) > 0, "{done:?}");
    assert_eq!(count(&done, Retained::RelayedEvents), 0, "{done:?}");
    held.released.store(true, Ordering::SeqCst);
    held.wake.notify_waiters();
    app.state.relay.drain().await.unwrap();
    // Everything is delivered by now; the payment's own messages may have come after the count.
    let inbox = app.store.notifications(me, false, 50, 0).await.unwrap().len();
    let done = sweep(&app.state, at(8)).await.unwrap();
    assert!(count(&done, Retained::RelayedEvents) > 0, "handled by all now: {done:?}");
    assert_eq!(count(&done, Retained::GatewayEvents), 0);
    assert_eq!(app.store.notifications(me, false, 50, 0).await.unwrap().len(), inbox, "the inbox is kept longer");

    let done = sweep(&app.state, at(31)).await.unwrap();
    assert!(count(&done, Retained::GatewayEvents) > 0, "{done:?}");
    assert_eq!(count(&done, Retained::Notifications), 0);

    let done = sweep(&app.state, at(91)).await.unwrap();
    assert!(count(&done, Retained::Notifications) >= inbox as u64, "the customer's and the owner's: {done:?}");
    assert!(app.store.notifications(me, false, 50, 0).await.unwrap().is_empty());
    // Orders and the ledger are records: never swept.
    app.store.order(placed["order_id"].as_str().unwrap().parse().unwrap()).await.unwrap().expect("the order stays");
    app.ledger_ok().await;
}

crate::both_backends!(old_rows_go_and_the_rest_stay);
