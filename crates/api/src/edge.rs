//! What protects a node from its clients: a deadline per request, a cap on requests in flight
//! (beyond it, 503 at once rather than a queue that grows until memory runs out), and rate
//! limits on the endpoints a guesser or a flood would hammer (login, registration, delivery
//! codes, offer codes, the pay page), answered with 429 and `Retry-After`. Limits are per node
//! and per client address (behind a load balancer, the balancer's own limits come first).

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Operator settings of the edge.
#[derive(Debug, Clone)]
pub struct EdgeConfig {
    /// A request not answered by then gets 503 (its work is dropped; every state change is
    /// written to survive that).
    pub request_timeout: Duration,
    /// Requests handled at once; more get 503 with `Retry-After: 1`.
    pub max_in_flight: usize,
    /// Attempts per minute: login per client address and per account, registrations per
    /// client address, delivery-code tries per rider, offer-code checks per customer, pay-page
    /// submissions per client address.
    pub login_per_ip: u32,
    pub login_per_account: u32,
    pub register_per_ip: u32,
    pub otp_per_rider: u32,
    pub offer_checks_per_user: u32,
    pub pay_page_per_ip: u32,
    /// Behind a load balancer: the header it writes the client's address into
    /// (`x-forwarded-for`; its last entry is the one the balancer saw). Unset: the socket's peer.
    pub client_ip_header: Option<String>,
}

impl Default for EdgeConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            max_in_flight: 2_048,
            login_per_ip: 30,
            login_per_account: 5,
            register_per_ip: 10,
            otp_per_rider: 10,
            offer_checks_per_user: 30,
            pay_page_per_ip: 20,
            client_ip_header: None,
        }
    }
}

impl EdgeConfig {
    /// No rate limits (load benchmarks drive many clients from one address).
    pub fn unlimited() -> Self {
        Self {
            login_per_ip: u32::MAX,
            login_per_account: u32::MAX,
            register_per_ip: u32::MAX,
            otp_per_rider: u32::MAX,
            offer_checks_per_user: u32::MAX,
            pay_page_per_ip: u32::MAX,
            ..Self::default()
        }
    }
}

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    LoginIp,
    LoginAccount,
    RegisterIp,
    Otp,
    OfferCheck,
    PayPage,
}

pub struct Edge {
    pub config: EdgeConfig,
    in_flight: Semaphore,
    windows: Mutex<HashMap<(Bucket, String), Window>>,
}

/// A fixed one-minute window: its start and what was counted in it.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

const WINDOW: Duration = Duration::from_secs(60);

impl Edge {
    pub fn new(config: EdgeConfig) -> Self {
        Self { in_flight: Semaphore::new(config.max_in_flight.max(1)), windows: Mutex::default(), config }
    }

    fn limit(&self, bucket: Bucket) -> u32 {
        let c = &self.config;
        match bucket {
            Bucket::LoginIp => c.login_per_ip,
            Bucket::LoginAccount => c.login_per_account,
            Bucket::RegisterIp => c.register_per_ip,
            Bucket::Otp => c.otp_per_rider,
            Bucket::OfferCheck => c.offer_checks_per_user,
            Bucket::PayPage => c.pay_page_per_ip,
        }
    }

    /// Counts one attempt of `key` in `bucket`; refused with 429 once the minute's are spent.
    pub fn check(&self, bucket: Bucket, key: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 100_000 {
            // A flood of distinct keys: forget the finished windows rather than grow for ever,
            // and if they are all live, start afresh (a lost count beats an unbounded map).
            windows.retain(|_, w| now.duration_since(w.start) < WINDOW);
            if windows.len() > 50_000 {
                windows.clear();
            }
        }
        let w = windows.entry((bucket, key.to_owned())).or_insert(Window { start: now, count: 0 });
        if now.duration_since(w.start) >= WINDOW {
            *w = Window { start: now, count: 0 };
        }
        if w.count >= self.limit(bucket) {
            let left = WINDOW.saturating_sub(now.duration_since(w.start));
            return Err(ApiError::RateLimited {
                retry_after: left.as_secs().max(1),
                message: "too many attempts; wait a moment and try again".into(),
            });
        }
        w.count += 1;
        Ok(())
    }
}

/// The deadline and the cap on requests in flight, around every request.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Ok(_permit) = state.edge.in_flight.try_acquire() else {
        return ApiError::Unavailable {
            code: "OVERLOADED",
            message: "the server is busy; try again in a moment".into(),
        }
        .into_response();
    };
    match tokio::time::timeout(state.edge.config.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::Unavailable {
            code: "TIMEOUT",
            message: "the request took too long and was stopped; send it again (with the same Idempotency-Key)".into(),
        }
        .into_response(),
    }
}

/// The client's address, as rate limits key it: an IPv6 address by its /64 (one subscriber's
/// network), behind a load balancer the address it reports. Unspecified when the server was not
/// started with connection info.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let forwarded = state.edge.config.client_ip_header.as_deref().and_then(|h| {
            let value = parts.headers.get(h)?.to_str().ok()?;
            value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let ip = forwarded.or(peer).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientIp(match ip {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
                IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1)))
            }
            IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().unwrap_or(Ipv4Addr::UNSPECIFIED)),
            v4 => v4,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refuses_past_its_limit_and_per_key() {
        let edge = Edge::new(EdgeConfig { login_per_account: 2, ..Default::default() });
        assert!(edge.check(Bucket::LoginAccount, "a").is_ok());
        assert!(edge.check(Bucket::LoginAccount, "a").is_ok());
        let refused = edge.check(Bucket::LoginAccount, "a").unwrap_err();
        assert!(matches!(refused, ApiError::RateLimited { retry_after: 1..=60, .. }), "{refused:?}");
        assert!(edge.check(Bucket::LoginAccount, "b").is_ok(), "another account has its own count");
        assert!(edge.check(Bucket::LoginIp, "a").is_ok(), "another bucket too");
    }
}
