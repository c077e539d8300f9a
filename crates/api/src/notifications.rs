//! Notifications: every event that matters to a person becomes a message in their inbox
//! (`/api/v1/notifications`). The subscriber is idempotent: one message per (event, person).

use crate::AppState;
use crate::auth::Auth;
use crate::delivery::follower::{DELIVERY_ASSIGNED, DELIVERY_SEARCHING};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::events::Subscriber;
use crate::extract::{Json, NoBody, Path, Query, paging};
use crate::orders::events::{ORDER_PLACED, ORDER_STATUS_CHANGED};
use async_trait::async_trait;
use axum::extract::State;
use dabba_store::Store;
use dabba_store::model::{Event, Notification};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(read_one)).routes(routes!(read_all))
}

/// Turns ordering events into inbox messages.
pub struct Inbox {
    pub store: Arc<dyn Store>,
}

fn rupees(paise: i64) -> String {
    format!("₹{}.{:02}", paise / 100, paise % 100)
}

/// `(recipient, kind, title, body)` for an event; most events notify one or two people.
fn messages(e: &Event) -> Vec<(Uuid, &'static str, String, String)> {
    let p = &e.payload;
    let id = |k: &str| p[k].as_str().and_then(|s| s.parse::<Uuid>().ok());
    let (Some(customer), Some(owner)) = (id("user_id"), id("owner_id")) else { return vec![] };
    let short = p["order_id"].as_str().map(|s| s[s.len().saturating_sub(6)..].to_owned()).unwrap_or_default();
    match e.topic.as_str() {
        ORDER_PLACED => vec![(
            owner,
            "NEW_ORDER",
            "New order".into(),
            format!(
                "Order …{short} for {} is waiting for you to accept it",
                rupees(p["total_amount"].as_i64().unwrap_or(0))
            ),
        )],
        ORDER_STATUS_CHANGED => match p["to"].as_str().unwrap_or("") {
            "CONFIRMED" => vec![(
                customer,
                "ORDER_CONFIRMED",
                "Order confirmed".into(),
                format!("Order …{short} is confirmed; the restaurant is asked to accept it"),
            )],
            "PREPARING" => vec![(
                customer,
                "ORDER_ACCEPTED",
                "Your food is being prepared".into(),
                format!(
                    "The restaurant accepted order …{short}; ready in about {} minutes",
                    p["estimated_preparation_minutes"].as_i64().unwrap_or(0)
                ),
            )],
            "READY" => vec![(
                customer,
                "ORDER_READY",
                "Ready for pickup".into(),
                format!("Order …{short} is packed and waiting for the rider"),
            )],
            "PICKED_UP" | "OUT_FOR_DELIVERY" => vec![(
                customer,
                "ORDER_ON_THE_WAY",
                "On the way".into(),
                format!("Your rider has order …{short} and is heading to you; keep your delivery code handy"),
            )],
            "DELIVERED" => vec![(
                customer,
                "ORDER_DELIVERED",
                "Delivered".into(),
                format!("Order …{short} was delivered. Enjoy your meal, and rate it when you can"),
            )],
            "CANCELLED" => {
                let reason = p["reason"].as_str().unwrap_or("cancelled").to_owned();
                let refund = p["refund_amount"].as_i64().unwrap_or(0);
                let money = if refund > 0 {
                    format!("{} will be refunded", rupees(refund))
                } else {
                    "nothing was charged".to_owned()
                };
                let mut out = vec![(
                    customer,
                    "ORDER_CANCELLED",
                    "Order cancelled".into(),
                    format!("Order …{short} was cancelled: {reason}; {money}"),
                )];
                if p["actor"].as_str() != Some("RESTAURANT") {
                    out.push((
                        owner,
                        "ORDER_CANCELLED",
                        "Order cancelled".into(),
                        format!("Order …{short} was cancelled: {reason}"),
                    ));
                }
                out
            }
            _ => vec![],
        },
        DELIVERY_ASSIGNED if p["by_admin"] != true || p["previous_rider_id"].is_null() => vec![(
            customer,
            "RIDER_ASSIGNED",
            "Rider assigned".into(),
            format!("A delivery partner is on the way to the restaurant for order …{short}"),
        )],
        DELIVERY_ASSIGNED => vec![(
            customer,
            "RIDER_CHANGED",
            "New rider".into(),
            format!("Another delivery partner now takes order …{short} to you"),
        )],
        DELIVERY_SEARCHING => vec![(
            customer,
            "RIDER_SEARCHING",
            "Finding a rider".into(),
            format!("Riders near the restaurant are busy; we keep looking for one for order …{short}"),
        )],
        _ => vec![],
    }
}

#[async_trait]
impl Subscriber for Inbox {
    fn name(&self) -> &'static str {
        "notifications"
    }

    async fn handle(&self, events: &[Event]) -> anyhow::Result<()> {
        let mut batch = Vec::new();
        for e in events {
            for (user_id, kind, title, body) in messages(e) {
                batch.push(Notification {
                    notification_id: Uuid::now_v7(),
                    user_id,
                    event_id: e.event_id,
                    kind: kind.into(),
                    title,
                    body,
                    order_id: e.payload["order_id"].as_str().and_then(|s| s.parse().ok()),
                    read_at: None,
                    created_at: dabba_store::now_utc(),
                });
            }
        }
        self.store.notify(&batch).await?;
        Ok(())
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Only unread ones.
    pub unread: Option<bool>,
    pub page: Option<u32>,
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/notifications", operation_id = "list_notifications", tag = "notifications", security(("bearer" = [])), params(InboxQuery),
    responses((status = 200, description = "newest first", body = Vec<Notification>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<InboxQuery>,
) -> ApiResult<Json<Vec<Notification>>> {
    let (limit, offset) = paging(q.page, q.limit)?;
    Ok(Json(state.store.notifications(auth.user_id, q.unread.unwrap_or(false), limit, offset).await?))
}

/// How many messages changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    pub marked: u64,
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "notification id")),
    responses((status = 200, body = Marked), (status = 404, body = ErrorBody)))]
async fn read_one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    _: NoBody,
) -> ApiResult<Json<Marked>> {
    let marked = state.store.mark_read(auth.user_id, Some(id)).await?;
    if marked == 0
        && !state.store.notifications(auth.user_id, false, 1000, 0).await?.iter().any(|n| n.notification_id == id)
    {
        return Err(ApiError::NotFound("notification"));
    }
    Ok(Json(Marked { marked }))
}

#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Marked), (status = 401, body = ErrorBody)))]
async fn read_all(State(state): State<AppState>, auth: Auth, _: NoBody) -> ApiResult<Json<Marked>> {
    Ok(Json(Marked { marked: state.store.mark_read(auth.user_id, None).await? }))
}
