//! `/api/v1/admin/events/dead-letters`: events a subscriber gave up on after its tries (see
//! `events`). Support looks at them, fixes the cause, and replays them. Admin only.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, NoBody, Path, Query, paging};
use axum::extract::State;
use dabba_domain::Role;
use dabba_store::model::{DeadLetter, Event};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(replay))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeadLetterQuery {
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/admin/events/dead-letters", operation_id = "dead_letters", tag = "admin", security(("bearer" = [])),
    params(DeadLetterQuery),
    responses((status = 200, description = "parked events, newest first", body = Vec<DeadLetter>),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DeadLetterQuery>,
) -> ApiResult<Json<Vec<DeadLetter>>> {
    auth.require(Role::Admin)?;
    let (limit, offset) = paging(q.page, q.limit)?;
    Ok(Json(state.store.dead_letters(limit, offset).await?))
}

/// What a replay did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    pub subscriber: String,
    pub event_id: i64,
}

#[utoipa::path(post, path = "/api/v1/admin/events/dead-letters/{subscriber}/{event_id}/replay", operation_id = "replay_dead_letter", tag = "admin",
    security(("bearer" = [])),
    params(("subscriber" = String, Path, description = "the subscriber that gave up"),
           ("event_id" = i64, Path, description = "the event")),
    responses((status = 200, description = "handled this time; the dead letter is gone", body = Replayed),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, description = "no such dead letter, or its subscriber no longer runs", body = ErrorBody),
              (status = 409, description = "REPLAY_FAILED: the subscriber failed again (the message says why); the dead letter stays",
               body = ErrorBody)))]
async fn replay(
    State(state): State<AppState>,
    auth: Auth,
    Path((subscriber, event_id)): Path<(String, i64)>,
    _: NoBody,
) -> ApiResult<Json<Replayed>> {
    auth.require(Role::Admin)?;
    let letter = state.store.dead_letter_of(&subscriber, event_id).await?.ok_or(ApiError::NotFound("dead letter"))?;
    let event = Event {
        event_id: letter.event_id,
        topic: letter.topic.clone(),
        key: letter.key,
        payload: letter.payload.clone(),
        created_at: letter.created_at,
    };
    // A letter of a subscriber this version no longer runs can only be looked at.
    match state.relay.replay(&letter.subscriber, &event).await {
        None => return Err(ApiError::NotFound("subscriber")),
        Some(Err(e)) => {
            return Err(ApiError::conflict("REPLAY_FAILED", format!("{} failed again: {e:#}", letter.subscriber)));
        }
        Some(Ok(())) => {}
    }
    state.store.forget_dead_letter(&letter.subscriber, letter.event_id).await?;
    tracing::info!(subscriber = %letter.subscriber, event_id, admin = %auth.user_id, "dead letter replayed");
    Ok(Json(Replayed { subscriber: letter.subscriber, event_id }))
}
