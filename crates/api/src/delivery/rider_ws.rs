//! `WS /ws/rider?token=`: the rider app's line. It streams fixes (one, or a batch of queued
//! ones) and receives offers as dispatch makes them. Messages from the rider:
//! `{"type":"location","lat":..,"lng":..,"recorded_at"?,..,"seq"?}`,
//! `{"type":"locations","pings":[..],"seq"?}`, `{"type":"ping"}` (which also keeps a rider standing still, whose phone reports no new fix, in
//! dispatch). With a `seq`, the server
//! acknowledges (`{"type":"ack","seq":..,"accepted":..,"dropped":..}`) so the app can forget
//! what was delivered; without, it does not answer, which keeps a 2 Hz stream cheap.

use super::ingest::{self, Ping};
use super::offers::offer_frame;
use super::watch::upgrade_required;
use crate::AppState;
use crate::auth::{Authority, from_token, lapsed_frame};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::response::Response;
use dabba_domain::Role;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use uuid::Uuid;

pub fn route() -> axum::Router<AppState> {
    axum::Router::new().route("/ws/rider", axum::routing::get(rider_socket))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiderQuery {
    pub token: String,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum FromRider {
    Ping,
    Location {
        lat: f64,
        lng: f64,
        accuracy: Option<f64>,
        speed: Option<f64>,
        heading: Option<f64>,
        #[serde(default, with = "time::serde::rfc3339::option")]
        recorded_at: Option<OffsetDateTime>,
        seq: Option<u64>,
    },
    Locations {
        pings: Vec<Ping>,
        seq: Option<u64>,
    },
}

/// Largest message a rider sends (a full batch of fixes).
const MAX_MESSAGE: usize = 128 * 1024;

async fn rider_socket(
    State(state): State<AppState>,
    Query(q): Query<RiderQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let auth = from_token(&state, &q.token).await?;
    auth.require(Role::Delivery)?;
    ingest::known(&state, auth.user_id).await?;
    let ws = ws.map_err(|_| upgrade_required())?;
    Ok(ws.read_buffer_size(8 * 1024).write_buffer_size(0).max_message_size(MAX_MESSAGE).on_upgrade(move |socket| {
        let authority = Authority::of(&state, &auth);
        serve_rider(state, auth.user_id, authority, socket)
    }))
}

fn error_frame(e: &ApiError) -> String {
    let (_, body) = e.client_view();
    let mut v = body;
    v["type"] = json!("error");
    v.to_string()
}

/// Applies one message; the answer to send, if any.
fn handle(state: &AppState, rider: Uuid, text: &str) -> Option<String> {
    let msg: FromRider = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            let err = ApiError::BadRequest { code: "BAD_MESSAGE", message: format!("cannot read this message: {e}") };
            return Some(error_frame(&err));
        }
    };
    let (fixes, seq) = match msg {
        FromRider::Ping => {
            // A connected app standing still is alive: it stays in dispatch (back in the grid,
            // the orders waiting may take it).
            if state.delivery.fleet.touch(rider) {
                state.delivery.dispatcher.retry_all();
            }
            return Some(r#"{"type":"pong"}"#.into());
        }
        FromRider::Location { lat, lng, accuracy, speed, heading, recorded_at, seq } => {
            let p = Ping { lat, lng, accuracy, speed, heading, recorded_at, order_id: None };
            (ingest::to_fix(&p, "", ingest::now_ms()).map(|f| vec![f]), seq)
        }
        FromRider::Locations { pings, seq } => (ingest::fixes_of(&pings), seq),
    };
    match fixes {
        Ok(fixes) => {
            let c = ingest::apply(state, rider, &fixes);
            seq.map(|seq| {
                let dropped = c.duplicate + c.out_of_order + c.impossible;
                json!({"type": "ack", "seq": seq, "accepted": c.accepted, "dropped": dropped}).to_string()
            })
        }
        Err(e) => Some(error_frame(&e)),
    }
}

async fn serve_rider(state: AppState, rider: Uuid, mut authority: Authority, mut socket: WebSocket) {
    let d = state.delivery.clone();
    let (tx, mut rx) = mpsc::channel::<Arc<str>>(32);
    d.sockets().insert(rider, tx.clone());
    for o in d.dispatcher.offers_for(rider) {
        if socket.send(Message::Text(offer_frame(&o).into())).await.is_err() {
            break;
        }
    }
    loop {
        tokio::select! {
            reason = authority.lapsed() => {
                let _ = socket.send(lapsed_frame(reason)).await;
                break;
            }
            out = rx.recv() => match out {
                Some(text) => {
                    if socket.send(Message::Text(text.as_ref().into())).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(t))) => {
                    if let Some(answer) = handle(&state, rider, t.as_str())
                        && socket.send(Message::Text(answer.into())).await.is_err()
                    {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    // A newer connection of the same rider may have replaced this one.
    let mut sockets = d.sockets();
    if sockets.get(&rider).is_some_and(|s| s.same_channel(&tx)) {
        sockets.remove(&rider);
    }
}
