//! Per-request plumbing: a request id (the client's `x-request-id` if it is sane, else a new
//! UUID) echoed in the response and visible to error rendering, an access log line, and metrics.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled on this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

const HEADER: &str = "x-request-id";

fn incoming_id(req: &Request) -> Option<String> {
    let v = req.headers().get(HEADER)?.to_str().ok()?;
    let sane = !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    sane.then(|| v.to_owned())
}

fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Route template of a matched request, carried from the router to [`observe`] in the response.
#[derive(Clone)]
struct Route(MatchedPath);

/// Inner layer (inside routing): tags the response with the matched route template.
pub async fn tag_route(req: Request, next: Next) -> Response {
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let mut res = next.run(req).await;
    if let Some(m) = matched {
        res.extensions_mut().insert(Route(m));
    }
    res
}

/// Outer layer: request id, access log, metrics.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let id = incoming_id(&req).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = method_name(req.method());
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let mut res = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    let elapsed = started.elapsed();
    let route = res.extensions().get::<Route>().map(|r| r.0.as_str().to_owned());
    let status = res.status().as_u16();
    state.metrics.record(method, route.as_deref().unwrap_or("unmatched"), status, elapsed);
    tracing::info!(
        request_id = %id, method, path = %path, status, micros = elapsed.as_micros() as u64, "request"
    );
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, v);
    }
    res
}
