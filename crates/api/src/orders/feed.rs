//! The kitchen's live feed: `WS /ws/kitchen?restaurant_id=&token=`. Each change of one of the
//! restaurant's orders (a new order, a payment confirming it, a cancellation, a rider
//! assigned…) sends `{"type":"order_changed","order_id","status","topic"}`; the board then
//! reads the orders it shows from `GET /restaurants/{id}/orders`, so the socket carries nudges,
//! never state to keep in step, and a reconnect only has to read the list again. The first
//! frame is `{"type":"ready"}`: from then on no change is missed.
//!
//! Fed by a relay subscriber on the node that relays (one node in embedded mode; see the
//! architecture notes for cluster mode).

use crate::AppState;
use crate::auth::{Authority, from_token, lapsed_frame};
use crate::catalog::owned_restaurant;
use crate::delivery::watch::{is_ping, upgrade_required};
use crate::error::{ApiResult, ErrorBody};
use crate::events::Subscriber;
use crate::extract::Query;
use async_trait::async_trait;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::response::Response;
use dabba_store::model::Event;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use uuid::Uuid;

/// One broadcast channel per restaurant with someone watching, and one for every order (the
/// operations console).
pub struct KitchenFeed {
    channels: Mutex<HashMap<Uuid, broadcast::Sender<Arc<str>>>>,
    all: broadcast::Sender<Arc<str>>,
}

impl Default for KitchenFeed {
    fn default() -> Self {
        Self { channels: Mutex::default(), all: broadcast::channel(64).0 }
    }
}

impl KitchenFeed {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, broadcast::Sender<Arc<str>>>> {
        self.channels.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn subscribe(&self, restaurant: Uuid) -> broadcast::Receiver<Arc<str>> {
        self.map().entry(restaurant).or_insert_with(|| broadcast::channel(64).0).subscribe()
    }

    /// Every restaurant's frames.
    pub fn subscribe_all(&self) -> broadcast::Receiver<Arc<str>> {
        self.all.subscribe()
    }

    /// Sends to the restaurant's watchers; forgets the channel once nobody listens.
    pub fn publish(&self, restaurant: Uuid, frame: Arc<str>) {
        // Nobody listening is fine.
        let _ = self.all.send(frame.clone());
        let mut map = self.map();
        if let Some(tx) = map.get(&restaurant)
            && tx.send(frame).is_err()
        {
            map.remove(&restaurant);
        }
    }
}

/// Forgets a restaurant's channel when its last watcher leaves (dropped after the watcher's
/// receiver, so the count is right).
struct Unwatch<'a>(&'a KitchenFeed, Uuid);

impl Drop for Unwatch<'_> {
    fn drop(&mut self) {
        let mut map = self.0.map();
        if map.get(&self.1).is_some_and(|tx| tx.receiver_count() == 0) {
            map.remove(&self.1);
        }
    }
}

/// Turns order and delivery events into the kitchen's frames. Repeats are harmless: a frame
/// only makes the board read again.
pub struct KitchenFollower {
    pub feed: Arc<KitchenFeed>,
}

#[async_trait]
impl Subscriber for KitchenFollower {
    fn name(&self) -> &'static str {
        "kitchen-feed"
    }

    async fn handle(&self, events: &[Event]) -> anyhow::Result<()> {
        for e in events {
            if !(e.topic.starts_with("order.") || e.topic.starts_with("delivery.")) {
                continue;
            }
            let Some(restaurant) = e.payload["restaurant_id"].as_str().and_then(|s| s.parse::<Uuid>().ok()) else {
                continue;
            };
            let frame = serde_json::json!({
                "type": "order_changed",
                "order_id": e.payload["order_id"],
                "status": e.payload.get("to"),
                "topic": e.topic,
            });
            self.feed.publish(restaurant, frame.to_string().into());
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct KitchenQuery {
    /// The restaurant whose orders to follow (its owner's, or an admin's token).
    pub restaurant_id: Uuid,
    /// A token from `POST /auth/login` (browsers cannot set headers on a WebSocket).
    pub token: String,
}

/// The live feed of a restaurant's orders, as a WebSocket. Frames (JSON text): `{"type":"ready"}`
/// once subscribed; `{"type":"order_changed","order_id","status","topic"}` on every change of
/// one of its orders (read the orders again); `{"type":"pong"}` for a client's
/// `{"type":"ping"}`; `{"type":"session_ended","reason"}` before closing when the token lapses
/// or the session ends. A plain GET (no upgrade) answers 426.
#[utoipa::path(get, path = "/ws/kitchen", tag = "restaurants", params(KitchenQuery),
    responses(
        (status = 101, description = "Switching protocols: the feed follows"),
        (status = 400, body = ErrorBody, description = "VALIDATION_ERROR: a missing or malformed parameter"),
        (status = 401, body = ErrorBody, description = "the token is missing, expired or ended"),
        (status = 403, body = ErrorBody, description = "the restaurant belongs to another owner"),
        (status = 404, body = ErrorBody, description = "no such restaurant"),
        (status = 426, body = ErrorBody, description = "UPGRADE_REQUIRED: connect with a WebSocket client"),
    ))]
pub async fn kitchen_socket(
    State(state): State<AppState>,
    Query(q): Query<KitchenQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let auth = from_token(&state, &q.token).await?;
    owned_restaurant(&state, &auth, q.restaurant_id).await?;
    let ws = ws.map_err(|_| upgrade_required())?;
    Ok(ws.max_message_size(1024).on_upgrade(move |socket| {
        let authority = Authority::of(&state, &auth);
        follow(state, q.restaurant_id, authority, socket)
    }))
}

async fn follow(state: AppState, restaurant: Uuid, mut authority: Authority, mut socket: WebSocket) {
    let _unwatch = Unwatch(&state.kitchen, restaurant);
    let mut rx = state.kitchen.subscribe(restaurant);
    if socket.send(Message::Text(r#"{"type":"ready"}"#.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            reason = authority.lapsed() => {
                let _ = socket.send(lapsed_frame(reason)).await;
                return;
            }
            got = rx.recv() => match got {
                Ok(text) => {
                    if socket.send(Message::Text(text.as_ref().into())).await.is_err() {
                        return;
                    }
                }
                // Missed frames only mean "read again": say so once.
                Err(RecvError::Lagged(_)) => {
                    if socket.send(Message::Text(r#"{"type":"order_changed"}"#.into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(t))) if is_ping(&t) => {
                    if socket.send(Message::Text(r#"{"type":"pong"}"#.into())).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
