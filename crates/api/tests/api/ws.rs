//! Test helpers for delivery: a WebSocket client over a real socket, riders with a vehicle, and
//! waiting for frames (never sleeping: each wait ends when the frame arrives, or fails after 15 s).

use crate::helpers::TestApp;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

pub type Stream = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Longest a test waits for a frame that must come.
const PATIENCE: Duration = Duration::from_secs(15);

pub struct Ws {
    pub stream: Stream,
    /// Every frame type received, in order.
    pub seen: Vec<String>,
    pub frames: Vec<Value>,
}

impl Ws {
    /// The next JSON frame; `None` when the server closed the socket.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            let Ok(msg) = tokio::time::timeout(PATIENCE, self.stream.next()).await else {
                panic!("no frame within 15 s; saw {:?}", self.seen)
            };
            match msg {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(t.as_str()).expect("frames are JSON");
                    self.seen.push(v["type"].as_str().unwrap_or("").to_owned());
                    self.frames.push(v.clone());
                    return Some(v);
                }
                Some(Ok(Message::Close(_))) | None => return None,
                Some(Ok(_)) => continue,
                Some(Err(e)) => panic!("socket error: {e}"),
            }
        }
    }

    /// Skips frames until one of type `kind` (for which `also` holds) arrives.
    pub async fn until(&mut self, kind: &str, also: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = self.next().await.unwrap_or_else(|| panic!("closed while waiting for {kind}; saw {:?}", self.seen));
            if v["type"] == kind && also(&v) {
                return v;
            }
        }
    }

    /// Waits for the status_update reporting `status`.
    pub async fn status(&mut self, status: &str) -> Value {
        self.until("status_update", |v| v["status"] == status).await
    }

    pub async fn send(&mut self, v: Value) {
        self.stream.send(Message::Text(v.to_string().into())).await.expect("send");
    }

    /// The server closes the socket (after any frames still queued).
    pub async fn closed(&mut self) {
        while let Some(v) = self.next().await {
            let _ = v;
        }
    }
}

impl TestApp {
    /// Opens a WebSocket at `path` (with its query); the HTTP status if refused.
    pub async fn ws(&self, path: &str) -> Result<Ws, u16> {
        let url = format!("{}{path}", self.base.replacen("http://", "ws://", 1));
        match tokio_tungstenite::connect_async(url).await {
            Ok((stream, _)) => Ok(Ws { stream, seen: Vec::new(), frames: Vec::new() }),
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
            Err(e) => panic!("websocket connect: {e}"),
        }
    }

    pub async fn watch(&self, order: &str, token: &str) -> Ws {
        self.ws(&format!("/ws/track?order_id={order}&token={token}")).await.expect("watch the order")
    }

    /// A rider on a scooter, registered and with a vehicle; `(token, user id)`.
    pub async fn rider_with_vehicle(&self) -> (String, String) {
        let (token, id) = self.user("DELIVERY").await;
        self.put(
            "/api/v1/delivery/profile",
            Some(&token),
            json!({"vehicle_type": "SCOOTER", "vehicle_number": "KA01AB1234"}),
        )
        .await
        .expect(200);
        (token, id)
    }

    /// A rider online at the point, with their socket open.
    pub async fn rider_online(&self, lat: f64, lng: f64) -> (String, String, Ws) {
        let (token, id) = self.rider_with_vehicle().await;
        let socket = self.ws(&format!("/ws/rider?token={token}")).await.expect("rider socket");
        self.post("/api/v1/delivery/available", Some(&token), json!({"lat": lat, "lng": lng, "available": true}))
            .await
            .expect(200);
        (token, id, socket)
    }
}

/// The restaurant of `shop()` stands here; its customer lives 1 km north.
pub const SHOP: (f64, f64) = (12.9716, 77.5946);

/// A point `km` north of the shop.
pub fn north(km: f64) -> (f64, f64) {
    (SHOP.0 + km / 111.195, SHOP.1)
}
