//! The operations console's view of the city: `GET /api/v1/admin/live` (every rider the node
//! knows, every order between confirmation and delivery, which ones wait for a rider and which
//! run late) and `WS /ws/ops?token=`, which says `{"type":"changed"}` when that view changed (an
//! order event, or riders moving; at most once a second), so the console reads it again. Admins
//! only.

use crate::AppState;
use crate::auth::{Auth, Authority, from_token, lapsed_frame};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Query};
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::response::Response;
use dabba_domain::Role;
use dabba_domain::order::OrderStatus;
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::broadcast;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::fleet::Task;
use super::watch::{is_ping, upgrade_required};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(live)).routes(routes!(ops_socket))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LatLngView {
    pub lat: f64,
    pub lng: f64,
}

/// A rider on the map.
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveRider {
    pub rider_id: Uuid,
    /// Last known position (absent before their first fix).
    pub location: Option<LatLngView>,
    /// `AVAILABLE` (online, idle, heard from recently), `OFFERED`, `ON_JOB` or `OFFLINE`.
    pub state: &'static str,
    /// The order they carry or are offered (the first, when they have several).
    pub order_id: Option<Uuid>,
    /// Every order they carry or are offered (a bundle).
    pub order_ids: Vec<Uuid>,
    /// Seconds since their last fix reached the server.
    pub silent_seconds: u64,
}

/// An order on the map.
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveOrder {
    pub order_id: Uuid,
    pub status: OrderStatus,
    pub restaurant_id: Uuid,
    pub restaurant_name: String,
    pub restaurant: LatLngView,
    pub drop: LatLngView,
    pub rider_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub estimated_delivery_time: OffsetDateTime,
    /// No rider yet, and dispatch is looking for one.
    pub searching: bool,
    /// Seconds since it was placed.
    pub age_seconds: i64,
    /// Past its promised delivery time and not delivered.
    pub late: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LiveCity {
    pub riders: Vec<LiveRider>,
    pub orders: Vec<LiveOrder>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// The live city as an admin sees it: riders and active orders.
#[utoipa::path(get, path = "/api/v1/admin/live", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = LiveCity), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn live(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<LiveCity>> {
    auth.require(Role::Admin)?;
    let d = &state.delivery;
    let silence = d.config.max_silence;
    let riders = d
        .fleet
        .snapshot()
        .into_iter()
        .map(|(rider_id, at, online, task, quiet)| {
            let (state, order_ids) = match task {
                Task::Delivering(o) => ("ON_JOB", o),
                Task::Offered(o) => ("OFFERED", o),
                Task::Idle if online && at.is_some() && quiet <= silence => ("AVAILABLE", Vec::new()),
                Task::Idle => ("OFFLINE", Vec::new()),
            };
            LiveRider {
                rider_id,
                location: at.map(|p| LatLngView { lat: p.lat, lng: p.lng }),
                state,
                order_id: order_ids.first().copied(),
                order_ids,
                silent_seconds: quiet.as_secs(),
            }
        })
        .collect();
    let (waiting, carried) = tokio::try_join!(state.store.orders_without_rider(), state.store.riders_on_orders())?;
    let now = OffsetDateTime::now_utc();
    let mut orders = Vec::with_capacity(waiting.len() + carried.len());
    for o in waiting.into_iter().chain(carried) {
        let known = {
            let index = state.discovery.read();
            index.ord(o.restaurant_id).and_then(|ord| index.place(ord)).map(|p| p.restaurant.clone())
        };
        let r = match known {
            Some(r) => r,
            None => match state.store.restaurant(o.restaurant_id).await? {
                Some(r) => r,
                None => continue,
            },
        };
        orders.push(LiveOrder {
            order_id: o.order_id,
            status: o.status,
            restaurant_id: r.restaurant_id,
            restaurant_name: r.name,
            restaurant: LatLngView { lat: r.latitude, lng: r.longitude },
            drop: LatLngView { lat: o.delivery_address.latitude, lng: o.delivery_address.longitude },
            rider_id: o.rider_id,
            created_at: o.created_at,
            estimated_delivery_time: o.estimated_delivery_time,
            searching: o.rider_id.is_none() && d.dispatcher.is_searching(o.order_id),
            age_seconds: (now - o.created_at).whole_seconds(),
            late: now > o.estimated_delivery_time,
        });
    }
    orders.sort_by_key(|o| o.created_at);
    Ok(Json(LiveCity { riders, orders, at: now }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OpsQuery {
    /// An admin's token from `POST /auth/login` (browsers cannot set headers on a WebSocket).
    pub token: String,
}

/// The operations feed, as a WebSocket. Frames (JSON text): `{"type":"ready"}` once
/// subscribed; `{"type":"changed"}` when orders or riders changed (read `GET /admin/live`
/// again; at most one a second); `{"type":"pong"}` for `{"type":"ping"}`;
/// `{"type":"session_ended","reason"}` before closing when the session ends. A plain GET
/// answers 426.
#[utoipa::path(get, path = "/ws/ops", tag = "admin", params(OpsQuery),
    responses(
        (status = 101, description = "Switching protocols: the feed follows"),
        (status = 400, body = ErrorBody, description = "VALIDATION_ERROR: a missing or malformed parameter"),
        (status = 401, body = ErrorBody, description = "the token is missing, expired or ended"),
        (status = 403, body = ErrorBody, description = "not an admin"),
        (status = 426, body = ErrorBody, description = "UPGRADE_REQUIRED: connect with a WebSocket client"),
    ))]
async fn ops_socket(
    State(state): State<AppState>,
    Query(q): Query<OpsQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let auth = from_token(&state, &q.token).await?;
    if !auth.is_admin() {
        return Err(ApiError::forbidden("the operations feed is for admins"));
    }
    let ws = ws.map_err(|_| upgrade_required())?;
    Ok(ws.max_message_size(1024).on_upgrade(move |socket| {
        let authority = Authority::of(&state, &auth);
        follow(state, authority, socket)
    }))
}

/// How often riders' movement is looked at; order events wait for the same tick, so a burst is
/// one frame.
const TICK: Duration = Duration::from_secs(1);

async fn follow(state: AppState, mut authority: Authority, mut socket: WebSocket) {
    let mut events = state.kitchen.subscribe_all();
    if socket.send(Message::Text(r#"{"type":"ready"}"#.into())).await.is_err() {
        return;
    }
    let mut moved = state.delivery.fleet.totals.accepted.load(Ordering::Relaxed);
    let mut dirty = false;
    let mut tick = tokio::time::interval(TICK);
    loop {
        tokio::select! {
            reason = authority.lapsed() => {
                let _ = socket.send(lapsed_frame(reason)).await;
                return;
            }
            got = events.recv() => match got {
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => dirty = true,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tick.tick() => {
                let now = state.delivery.fleet.totals.accepted.load(Ordering::Relaxed);
                if now != moved {
                    moved = now;
                    dirty = true;
                }
                if std::mem::take(&mut dirty) && socket.send(Message::Text(r#"{"type":"changed"}"#.into())).await.is_err() {
                    return;
                }
            }
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
