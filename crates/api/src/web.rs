//! The web client (`web/` at the repository's root), served by the binary: a client of the
//! public API like any phone app. Files under `/app/` are embedded at build time with
//! content-hashed names (`api.3f2a9c0d11e4.js`), served `immutable` and gzip-compressed when the
//! browser takes it; `index.html` is never cached and carries an import map from each module's
//! plain name to its hashed one, so modules import each other by plain names and a new build
//! never meets a stale copy.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::Digest;
use std::sync::LazyLock;

pub struct Asset {
    /// `/app/…` as written in the sources.
    pub path: &'static str,
    /// The same with the content's hash before the extension.
    pub hashed: &'static str,
    pub raw: &'static [u8],
    pub gzip: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The page every screen starts from, rendered once.
pub struct Index {
    /// A few KB: served as is.
    pub html: String,
    /// `script-src` allows the inline import map by its hash and nothing else inline.
    pub csp: String,
}

pub static INDEX: LazyLock<Index> = LazyLock::new(render_index);

fn hashed(path: &str) -> &'static str {
    ASSETS.iter().find(|a| a.path == path).map_or("/missing", |a| a.hashed)
}

fn render_index() -> Index {
    let modules: Vec<&Asset> = ASSETS.iter().filter(|a| a.path.ends_with(".js")).collect();
    let map: serde_json::Map<String, serde_json::Value> =
        modules.iter().map(|a| (a.path.to_string(), a.hashed.into())).collect();
    let import_map = serde_json::json!({ "imports": map }).to_string();
    // Every module is fetched at once with the page, not one import at a time.
    let preload: String =
        modules.iter().map(|a| format!("<link rel=\"modulepreload\" href=\"{}\">\n", a.hashed)).collect();
    let html = INDEX_TEMPLATE
        .replace("{{importmap}}", &import_map)
        .replace("{{preload}}", &preload)
        .replace("{{css}}", hashed("/app/style.css"))
        .replace("{{main}}", hashed("/app/main.js"));
    let digest = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(import_map.as_bytes()));
    let csp = format!(
        "default-src 'self'; script-src 'self' 'sha256-{digest}'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    );
    Index { html, csp }
}

fn takes_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().split(';').next() == Some("gzip")))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("mp3") => "audio/mpeg",
        Some("wav") => "audio/wav",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn index() -> Response {
    let page = &*INDEX;
    let mut r = page.html.clone().into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&page.csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let path = format!("/app/{file}");
    let (found, immutable) = match ASSETS.iter().find(|a| a.hashed == path) {
        Some(a) => (a, true),
        // The plain name answers too (a module a stale page asks for), but is revalidated.
        None => match ASSETS.iter().find(|a| a.path == path) {
            Some(a) => (a, false),
            None => return (StatusCode::NOT_FOUND, "no such file").into_response(),
        },
    };
    let gzip = takes_gzip(&headers) && found.gzip.len() < found.raw.len();
    let body = if gzip { found.gzip } else { found.raw };
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(found.path)));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable { "public, max-age=31536000, immutable" } else { "no-cache" }),
    );
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    r
}

/// `/` and `/app/*`. The screens route by the URL's fragment (`/#/orders/…`), so `/` is the
/// only page.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/", axum::routing::get(index)).route("/app/{*file}", axum::routing::get(asset))
}
