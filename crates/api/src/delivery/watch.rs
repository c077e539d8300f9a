//! Watching an order: `WS /ws/track?order_id=&token=` and its polling fallback
//! (`GET /api/v1/tracking/{id}`, `GET /api/v1/orders/{id}/track`), with the same content. Only
//! the order's customer and admins may watch; the rider's position is shown only between
//! assignment and delivery.

use super::Delivery;
use super::follower::partner;
use super::tracking::{
    Frame, LiveLocation, Partner, delivered_frame, location_frame, partner_frame, rank, status_frame, status_message,
};
use crate::AppState;
use crate::auth::{Auth, Authority, from_token, lapsed_frame};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::StatusCode;
use axum::response::Response;
use dabba_domain::order::OrderStatus;
use dabba_store::model::Order;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(tracking)).routes(routes!(order_track))
}

pub fn socket_route() -> axum::Router<AppState> {
    axum::Router::new().route("/ws/track", axum::routing::get(track_socket))
}

/// Minutes to the door: from the rider's last position when there is one, else from the
/// order's estimate. `None` once the order is over.
pub fn eta_of(d: &Delivery, o: &Order) -> Option<u32> {
    if !o.status.is_active() || o.status == OrderStatus::Pending {
        return None;
    }
    if let Some(l) = d.tracker.live(o.order_id) {
        return Some(l.eta_minutes);
    }
    let left = (o.estimated_delivery_time - OffsetDateTime::now_utc()).as_seconds_f64() / 60.0;
    Some(left.max(0.0).ceil() as u32)
}

/// Where an order is, as its customer sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingView {
    pub order_id: Uuid,
    pub status: OrderStatus,
    pub message: String,
    pub eta_minutes: Option<u32>,
    #[serde(with = "time::serde::rfc3339")]
    pub estimated_delivery_time: OffsetDateTime,
    /// `SEARCHING` while no rider was found, `ASSIGNED` once one was, else absent.
    pub dispatch: Option<&'static str>,
    pub partner: Option<Partner>,
    /// The rider's last position (only between assignment and delivery).
    pub location: Option<LiveLocation>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

async fn view(state: &AppState, o: &Order) -> ApiResult<TrackingView> {
    let d = &state.delivery;
    let partner = match o.rider_id {
        Some(r) => partner(state.store.as_ref(), r).await.map_err(|e| ApiError::Internal(e.to_string()))?,
        None => None,
    };
    let delivered_at = if matches!(o.status, OrderStatus::Delivered | OrderStatus::Completed) {
        state.store.timeline(o.order_id).await?.iter().find(|t| t.status == OrderStatus::Delivered).map(|t| t.at)
    } else {
        None
    };
    let searching = o.rider_id.is_none() && d.dispatcher.is_searching(o.order_id);
    let live = o.status.is_active() && o.rider_id.is_some();
    let location = if live { d.tracker.live(o.order_id) } else { None };
    let eta_minutes = eta_of(d, o);
    Ok(TrackingView {
        order_id: o.order_id,
        status: o.status,
        message: status_message(o.status, searching).into(),
        eta_minutes,
        estimated_delivery_time: match (&location, eta_minutes) {
            (Some(_), Some(m)) => OffsetDateTime::now_utc() + time::Duration::minutes(m as i64),
            _ => o.estimated_delivery_time,
        },
        dispatch: if o.rider_id.is_some() {
            Some("ASSIGNED")
        } else if searching {
            Some("SEARCHING")
        } else {
            None
        },
        partner,
        location,
        delivered_at,
    })
}

/// The frames that bring a new watcher up to date.
fn snapshot(v: &TrackingView) -> Vec<Frame> {
    let mut out = vec![status_frame(v.order_id, v.status, v.eta_minutes, v.dispatch == Some("SEARCHING"))];
    if let Some(p) = &v.partner {
        out.push(partner_frame(v.order_id, p));
    }
    if let Some(l) = &v.location {
        out.push(Frame { rank: None, text: location_frame(v.order_id, l).into() });
    }
    if let Some(at) = v.delivered_at {
        out.push(delivered_frame(v.order_id, at));
    }
    out
}

/// The order if `auth` may watch it: its customer or an admin. Others get a 404.
async fn watchable(state: &AppState, auth: &Auth, id: Uuid) -> ApiResult<Order> {
    state
        .store
        .order(id)
        .await?
        .filter(|o| o.user_id == auth.user_id || auth.is_admin())
        .ok_or(ApiError::NotFound("order"))
}

#[utoipa::path(get, path = "/api/v1/tracking/{order_id}", tag = "tracking", security(("bearer" = [])),
    params(("order_id" = Uuid, Path)),
    responses((status = 200, body = TrackingView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn tracking(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>) -> ApiResult<Json<TrackingView>> {
    let o = watchable(&state, &auth, id).await?;
    Ok(Json(view(&state, &o).await?))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}/track", tag = "tracking", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "order id")),
    responses((status = 200, body = TrackingView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn order_track(State(state): State<AppState>, auth: Auth, Path(id): Path<Uuid>) -> ApiResult<Json<TrackingView>> {
    tracking(State(state), auth, Path(id)).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackQuery {
    pub order_id: Uuid,
    pub token: String,
}

/// Bytes a watcher's socket reads at a time, and its largest message: watchers only send
/// pings, and every idle watcher keeps this buffer.
const READ_BUFFER: usize = 1024;

async fn track_socket(
    State(state): State<AppState>,
    Query(q): Query<TrackQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let auth = from_token(&state, &q.token).await?;
    let order = watchable(&state, &auth, q.order_id).await?;
    let ws = ws.map_err(|_| upgrade_required())?;
    Ok(ws.read_buffer_size(READ_BUFFER).write_buffer_size(0).max_message_size(READ_BUFFER).on_upgrade(move |socket| {
        let authority = Authority::of(&state, &auth);
        watch(state, order, authority, socket)
    }))
}

pub fn upgrade_required() -> ApiError {
    ApiError::Status {
        status: StatusCode::UPGRADE_REQUIRED,
        code: "UPGRADE_REQUIRED",
        message: "this is a WebSocket endpoint; connect with a WebSocket client".into(),
    }
}

/// Opens the order's channel if it is still moving (a watcher may come before any rider).
async fn channel(state: &AppState, o: &Order) -> Option<std::sync::Arc<super::tracking::Channel>> {
    if !o.status.is_active() {
        return None;
    }
    if let Some(c) = state.delivery.tracker.get(o.order_id) {
        return Some(c);
    }
    let r = state.store.restaurant(o.restaurant_id).await.ok()??;
    let vehicle = o.rider_id.map_or(dabba_domain::eta::Vehicle::Scooter, |rider| super::ingest::vehicle(state, rider));
    Some(state.delivery.tracker.open(o.order_id, state.delivery.route_of(o, &r, vehicle)))
}

/// Sends the snapshot; the stream to follow and the status shown, or `None` when there is
/// nothing more to follow (the order is over, or the socket closed).
async fn start(state: AppState, order: Order, socket: &mut WebSocket) -> Option<(broadcast::Receiver<Frame>, u8)> {
    // Subscribe before reading the state, so nothing falls between the snapshot and the stream.
    let rx = channel(&state, &order).await.map(|c| c.tx.subscribe());
    let now = match state.store.order(order.order_id).await {
        Ok(Some(o)) => o,
        _ => order,
    };
    let v = view(&state, &now).await.ok()?;
    for f in snapshot(&v) {
        socket.send(Message::Text(f.text.as_ref().into())).await.ok()?;
    }
    match rx.filter(|_| now.status.is_active()) {
        Some(rx) => Some((rx, rank(v.status))),
        None => {
            let _ = socket.send(Message::Close(None)).await;
            None
        }
    }
}

/// Serves one watcher. The snapshot's work runs in its own boxed future, freed before the
/// loop: an idle watcher holds only its socket, its receiver and this small state.
async fn watch(state: AppState, order: Order, mut authority: Authority, mut socket: WebSocket) {
    let Some((mut rx, mut seen)) = Box::pin(start(state, order, &mut socket)).await else { return };
    loop {
        tokio::select! {
            reason = authority.lapsed() => {
                let _ = socket.send(lapsed_frame(reason)).await;
                return;
            }
            got = rx.recv() => match got {
                Ok(f) => {
                    // A status already shown (a repeat, or one the snapshot was newer than) is not news.
                    if f.rank.is_some_and(|r| r <= seen) {
                        continue;
                    }
                    seen = f.rank.unwrap_or(seen).max(seen);
                    if socket.send(Message::Text(f.text.as_ref().into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
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

/// `{"type":"ping"}` from a client.
pub fn is_ping(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Kind<'a> {
        #[serde(rename = "type", borrow)]
        kind: &'a str,
    }
    serde_json::from_str::<Kind>(text).is_ok_and(|k| k.kind == "ping")
}
