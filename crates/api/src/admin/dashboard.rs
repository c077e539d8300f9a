//! `GET /api/v1/admin/dashboard`: the figures of a period for the operations console, counted
//! from the store: orders placed per hour, what they became, GMV, delivery and restaurant
//! accept times (mean and p90), cancellations by who and why, riders online per hour.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Query};
use axum::extract::State;
use dabba_domain::Role;
use dabba_store::model::DashboardCounts;
use dabba_store::stamp::hour_of;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

/// The longest period one dashboard covers.
pub const MAX_DAYS: i64 = 31;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DashboardPeriod {
    /// RFC 3339; default 24 hours before `to`. Taken back to the quarter hour it falls in (UTC;
    /// every time zone's offset is whole quarter hours, so a local midnight stays one).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>)]
    pub from: Option<OffsetDateTime>,
    /// RFC 3339, exclusive; default the end of the current quarter hour. Taken on to the next
    /// quarter hour unless it is one. At most 31 days after `from` once both are on quarter hours.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>)]
    pub to: Option<OffsetDateTime>,
}

/// How long something took, in minutes (counted in whole seconds), over the orders it applies to.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Spread {
    pub count: usize,
    /// Absent when `count` is 0.
    pub mean: Option<f64>,
    /// The 90th percentile (nearest rank); absent when `count` is 0.
    pub p90: Option<f64>,
}

/// One hour of the period, counted from `from` (a period from local midnight has local hours),
/// its start given in UTC.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HourFigures {
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// Orders placed in this hour.
    pub orders: u64,
    /// Of them, delivered by now.
    pub delivered: u64,
    /// Of them, cancelled.
    pub cancelled: u64,
    /// What the delivered ones cost their customers, paise.
    pub gmv: i64,
    /// Riders seen (a kept position) in the UTC hour holding `start` (in zones off the hour,
    /// such as India's, that hour is half an hour off).
    pub riders_online: i64,
}

/// Cancellations with one cause.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CancelCount {
    /// CUSTOMER, RESTAURANT, RIDER, ADMIN or SYSTEM.
    pub cancelled_by: String,
    /// As given; "no reason given" when none was.
    pub reason: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    /// The period counted: the one asked for, widened to whole quarter hours, in UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    /// Its end, exclusive, in UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    /// Orders placed in the period.
    pub orders: u64,
    pub delivered: u64,
    pub cancelled: u64,
    /// Neither delivered nor cancelled yet.
    pub in_progress: u64,
    /// Gross merchandise value: what customers paid for the delivered orders, paise.
    pub gmv: i64,
    /// `gmv` per delivered order, paise; absent with none.
    pub average_order_value: Option<i64>,
    /// From placing the order to its delivery, delivered orders.
    pub delivery_minutes: Spread,
    /// From the restaurant being asked (CONFIRMED) to its accepting (PREPARING).
    pub accept_minutes: Spread,
    /// Most frequent first.
    pub cancellations: Vec<CancelCount>,
    /// The most riders seen in one hour.
    pub riders_online_peak: i64,
    pub hours: Vec<HourFigures>,
}

#[utoipa::path(get, path = "/api/v1/admin/dashboard", tag = "admin", security(("bearer" = [])), params(DashboardPeriod),
    responses((status = 200, body = Dashboard),
              (status = 400, description = "`from` or `to` not an RFC 3339 time, or an unknown parameter", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, description = "`from` not before `to`, or a period longer than 31 days", body = ErrorBody)))]
async fn dashboard(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DashboardPeriod>,
) -> ApiResult<Json<Dashboard>> {
    auth.require(Role::Admin)?;
    // The default is the 24 hours up to the end of the current quarter hour.
    let to = q.to.unwrap_or_else(|| quarter(OffsetDateTime::now_utc(), true));
    let from = q.from.unwrap_or(to - Duration::days(1));
    let (from, to) = (quarter(from, false), quarter(to, true));
    if from >= to {
        return Err(ApiError::unprocessable("from", "must be before `to`"));
    }
    if to - from > Duration::days(MAX_DAYS) {
        return Err(ApiError::unprocessable("to", format!("a dashboard covers at most {MAX_DAYS} days")));
    }
    let counts = state.store.dashboard_counts(from, to).await?;
    let riders = state.store.riders_per_hour(from, to).await?;
    Ok(Json(figures(from, to, &counts, &riders)))
}

/// Counts the last two days once, so that their settled quarter hours are kept before an admin
/// asks for them (run by housekeeping).
pub async fn keep_settled(state: &AppState, now: OffsetDateTime) -> dabba_store::StoreResult<()> {
    let to = quarter(now, false);
    state.store.dashboard_counts(to - Duration::days(2), to).await.map(|_| ())
}

/// `t` on the quarter-hour grid the store keeps settled figures by: back to the quarter it
/// falls in, or on to the next one (`up`).
fn quarter(t: OffsetDateTime, up: bool) -> OffsetDateTime {
    let q = dabba_store::dashboard::SLOT_US as i128 * 1_000;
    let ns = t.unix_timestamp_nanos();
    let down = ns - ns.rem_euclid(q);
    let ns = if up && down != ns { down + q } else { down };
    OffsetDateTime::from_unix_timestamp_nanos(ns).unwrap_or(t)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Mean and nearest-rank p90 in minutes, to the hundredth, of durations given as (whole
/// seconds, how many).
pub fn spread(mut seconds: Vec<(i64, i64)>) -> Spread {
    let n: i64 = seconds.iter().map(|(_, c)| c).sum();
    if n <= 0 {
        return Spread { count: 0, mean: None, p90: None };
    }
    seconds.sort_unstable();
    let sum: i64 = seconds.iter().map(|(s, c)| s * c).sum();
    let rank = (n * 9 + 9) / 10;
    let mut seen = 0;
    let p90 = seconds.iter().find(|(_, c)| {
        seen += c;
        seen >= rank
    });
    Spread {
        count: n as usize,
        mean: Some(round2(sum as f64 / n as f64 / 60.0)),
        p90: p90.map(|(s, _)| round2(*s as f64 / 60.0)),
    }
}

/// The dashboard of the counts of `[from, to)` and the riders seen per hour.
fn figures(
    from: OffsetDateTime,
    to: OffsetDateTime,
    counts: &DashboardCounts,
    riders: &[(OffsetDateTime, i64)],
) -> Dashboard {
    let seen: HashMap<OffsetDateTime, i64> = riders.iter().copied().collect();
    let mut hours = Vec::new();
    let mut start = from;
    while start < to {
        let riders_online = seen.get(&hour_of(start)).copied().unwrap_or(0);
        hours.push(HourFigures { start, orders: 0, delivered: 0, cancelled: 0, gmv: 0, riders_online });
        start += Duration::hours(1);
    }
    let mut d = Dashboard {
        from,
        to,
        orders: 0,
        delivered: 0,
        cancelled: 0,
        in_progress: 0,
        gmv: 0,
        average_order_value: None,
        delivery_minutes: spread(counts.delivery_seconds.clone()),
        accept_minutes: spread(counts.accept_seconds.clone()),
        cancellations: Vec::new(),
        riders_online_peak: 0,
        hours: Vec::new(),
    };
    for (hour, status, n, total) in &counts.by_hour {
        let last = hours.len().saturating_sub(1);
        let (n, i) = (*n as u64, ((*hour).max(0) as usize).min(last));
        let Some(h) = hours.get_mut(i) else { continue };
        d.orders += n;
        h.orders += n;
        match status.as_str() {
            // A rated order is a delivered one.
            "DELIVERED" | "COMPLETED" => {
                d.delivered += n;
                d.gmv += total;
                h.delivered += n;
                h.gmv += total;
            }
            "CANCELLED" => {
                d.cancelled += n;
                h.cancelled += n;
            }
            _ => d.in_progress += n,
        }
    }
    d.riders_online_peak = hours.iter().map(|h| h.riders_online).max().unwrap_or(0);
    d.average_order_value = (d.delivered > 0).then(|| (d.gmv as f64 / d.delivered as f64).round() as i64);
    let mut causes: HashMap<(String, String), u64> = HashMap::new();
    for (by, reason, n) in &counts.cancellations {
        let by = by.clone().unwrap_or_else(|| "SYSTEM".into());
        let reason = reason.clone().filter(|r| !r.trim().is_empty()).unwrap_or_else(|| "no reason given".into());
        *causes.entry((by, reason)).or_default() += *n as u64;
    }
    let mut causes: Vec<CancelCount> =
        causes.into_iter().map(|((cancelled_by, reason), count)| CancelCount { cancelled_by, reason, count }).collect();
    causes.sort_by(|a, b| {
        b.count.cmp(&a.count).then_with(|| a.cancelled_by.cmp(&b.cancelled_by)).then_with(|| a.reason.cmp(&b.reason))
    });
    d.cancellations = causes;
    d.hours = hours;
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Minutes as (seconds, 1) each.
    fn each(minutes: impl Iterator<Item = i64>) -> Vec<(i64, i64)> {
        minutes.map(|m| (m * 60, 1)).collect()
    }

    #[test]
    fn periods_widen_to_quarter_hours() {
        use time::macros::datetime;
        assert_eq!(quarter(datetime!(2026-12-04 18:37:12.5 UTC), false), datetime!(2026-12-04 18:30 UTC));
        assert_eq!(quarter(datetime!(2026-12-04 18:37:12.5 UTC), true), datetime!(2026-12-04 18:45 UTC));
        assert_eq!(quarter(datetime!(2026-12-04 18:30 UTC), true), datetime!(2026-12-04 18:30 UTC));
        // A local midnight in India stays where it is.
        assert_eq!(quarter(datetime!(2026-12-05 00:00 +05:30), false), datetime!(2026-12-04 18:30 UTC));
    }

    #[test]
    fn p90_is_the_nearest_rank() {
        let s = spread(each(1..=10));
        assert_eq!((s.count, s.mean, s.p90), (10, Some(5.5), Some(9.0)));
        assert_eq!(spread(vec![(420, 1)]).p90, Some(7.0));
        assert_eq!(spread(each(1..=11)).p90, Some(10.0), "ceil(9.9) = 10th");
        // Counted groups are the same as their members one by one, in any order.
        assert_eq!(spread(vec![(600, 3), (60, 7)]), spread(each([10, 1, 1, 10, 1, 1, 1, 10, 1, 1].into_iter())));
        assert_eq!(spread(vec![(600, 3), (60, 7)]).p90, Some(10.0));
        assert_eq!(spread(Vec::new()), Spread { count: 0, mean: None, p90: None });
    }
}
