//! Statements from the ledger: a restaurant's payouts (orders, commission, net), a rider's
//! earnings, and the ledger check for admins.

use super::check::{LedgerReport, check};
use crate::AppState;
use crate::auth::Auth;
use crate::catalog::owned_restaurant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use axum::extract::State;
use dabba_domain::Role;
use dabba_domain::ledger::Account;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(payouts)).routes(routes!(earnings)).routes(routes!(ledger_check))
}

/// Most lines a statement lists.
const MAX_LINES: i64 = 1_000;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// RFC 3339; default 7 days before `to`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>)]
    pub from: Option<OffsetDateTime>,
    /// RFC 3339, exclusive; default now.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>)]
    pub to: Option<OffsetDateTime>,
}

impl Period {
    fn bounds(&self) -> ApiResult<(OffsetDateTime, OffsetDateTime)> {
        let to = self.to.unwrap_or_else(OffsetDateTime::now_utc);
        let from = self.from.unwrap_or(to - time::Duration::days(7));
        if from >= to {
            return Err(ApiError::unprocessable("from", "must be before `to`"));
        }
        if to - from > time::Duration::days(93) {
            return Err(ApiError::unprocessable("from", "a statement covers at most 93 days"));
        }
        Ok((from, to))
    }
}

/// One order (or fee) on a restaurant's statement. Money in paise.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutLine {
    pub order_id: Option<Uuid>,
    /// order.delivered, order.cancelled (fee kept), order.fee_owed (fee on cash on delivery).
    pub kind: String,
    /// Food and packaging sold (delivered orders).
    pub gross: i64,
    /// The discount of the restaurant's own offer on this order (it funds it).
    pub discount: i64,
    pub commission: i64,
    /// What the restaurant is owed for this line.
    pub net: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutStatement {
    pub restaurant_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    pub orders: usize,
    pub gross: i64,
    pub discount: i64,
    pub commission: i64,
    pub net: i64,
    pub lines: Vec<PayoutLine>,
}

#[utoipa::path(get, path = "/api/v1/restaurants/{id}/payouts", tag = "payments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "restaurant id"), Period),
    responses((status = 200, body = PayoutStatement), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn payouts(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
    Query(q): Query<Period>,
) -> ApiResult<Json<PayoutStatement>> {
    if !auth.is_admin() {
        owned_restaurant(&state, &auth, id).await?;
    }
    let (from, to) = q.bounds()?;
    let account = Account::Restaurant(id).to_string();
    let mut lines = Vec::new();
    for l in state.store.account_lines(&account, from, to, MAX_LINES).await? {
        let net = -l.amount;
        let (gross, discount) = match (l.kind.as_str(), l.order_id) {
            ("order.delivered", Some(order_id)) => state
                .store
                .order(order_id)
                .await?
                .map_or((net, 0), |o| (o.subtotal + o.packaging_fee, o.restaurant_discount)),
            _ => (net, 0),
        };
        lines.push(PayoutLine {
            order_id: l.order_id,
            kind: l.kind,
            gross,
            discount,
            commission: gross - discount - net,
            net,
            at: l.created_at,
        });
    }
    Ok(Json(PayoutStatement {
        restaurant_id: id,
        from,
        to,
        orders: lines.iter().filter(|l| l.kind == "order.delivered").count(),
        gross: lines.iter().map(|l| l.gross).sum(),
        discount: lines.iter().map(|l| l.discount).sum(),
        commission: lines.iter().map(|l| l.commission).sum(),
        net: lines.iter().map(|l| l.net).sum(),
        lines,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EarningLine {
    pub order_id: Option<Uuid>,
    pub amount: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Earnings {
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    pub deliveries: usize,
    pub total: i64,
    pub lines: Vec<EarningLine>,
}

#[utoipa::path(get, path = "/api/v1/delivery/earnings", tag = "payments", security(("bearer" = [])), params(Period),
    responses((status = 200, body = Earnings), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn earnings(State(state): State<AppState>, auth: Auth, Query(q): Query<Period>) -> ApiResult<Json<Earnings>> {
    auth.require(Role::Delivery)?;
    let (from, to) = q.bounds()?;
    let account = Account::Rider(auth.user_id).to_string();
    let lines: Vec<EarningLine> = state
        .store
        .account_lines(&account, from, to, MAX_LINES)
        .await?
        .into_iter()
        .map(|l| EarningLine { order_id: l.order_id, amount: -l.amount, at: l.created_at })
        .collect();
    Ok(Json(Earnings { from, to, deliveries: lines.len(), total: lines.iter().map(|l| l.amount).sum(), lines }))
}

#[utoipa::path(get, path = "/api/v1/admin/ledger/check", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = LedgerReport), (status = 403, body = ErrorBody)))]
async fn ledger_check(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<LedgerReport>> {
    auth.require(Role::Admin)?;
    Ok(Json(check(&state.store.ledger_snapshot().await?)))
}
