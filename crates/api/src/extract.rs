//! Extractors that turn axum's rejections into [`ApiError`]s, so a body that does not parse, a
//! malformed id or an unknown query parameter gets the same error body as everything else.

use crate::error::ApiError;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A JSON body (request) or JSON response.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !json_content_type(req.headers()) {
            return Err(unsupported_media_type());
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::BadRequest { code: "BAD_REQUEST", message: r.body_text() }
            }
        })?;
        // Every body of this API is an object. serde would also read a struct from an array of
        // its fields in order (`["+91…", null, "pw"]` as a login), which no client means.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::BadRequest {
                code: "INVALID_JSON",
                message: "the body must be a JSON object ({\"field\": value, …})".into(),
            });
        }
        let mut value: serde_json::Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                return Err(ApiError::BadRequest {
                    code: "INVALID_JSON",
                    message: format!("the body is not valid JSON: {e}"),
                });
            }
        };
        whole_numbers(&mut value);
        serde_path_to_error::deserialize::<_, T>(value).map(Json).map_err(|e| {
            let path = e.path().to_string();
            let problem = e.into_inner().to_string();
            if path == "." { field_problem(&problem, "body") } else { ApiError::invalid(path, problem) }
        })
    }
}

/// JSON has one number type: `5000.0` is the whole number 5000 to a JavaScript or Python
/// client, and an integer to JSON Schema. Such numbers are read as integers wherever they are,
/// so an integer field takes them; fractions stay fractions (and an integer field refuses them).
fn whole_numbers(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() < 9_007_199_254_740_992.0
            {
                *n = serde_json::Number::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// `application/json`, or any `application/…+json`, with or without parameters.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mime = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

fn unsupported_media_type() -> ApiError {
    ApiError::Status {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: "send the body as JSON with Content-Type: application/json".into(),
    }
}

fn too_large() -> ApiError {
    ApiError::Status {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        code: "PAYLOAD_TOO_LARGE",
        message: format!("the body is larger than {} bytes", crate::MAX_BODY_BYTES),
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Splits serde's "field.path: problem at line 1 column 9" into a field and a message.
fn field_problem(text: &str, whole: &str) -> ApiError {
    let text = text.split(" at line ").next().unwrap_or(text);
    match text.split_once(": ") {
        Some((field, problem)) if !field.contains(' ') => ApiError::invalid(field, problem),
        _ => ApiError::invalid(whole, text),
    }
}

/// Path parameters (ids); a malformed one is a 400 naming it.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                Err(ApiError::invalid("path", format!("{} (ids are UUIDs)", e.body_text())))
            }
            Err(other) => Err(ApiError::Internal(other.body_text())),
        }
    }
}

/// Query-string parameters; unknown or malformed ones are a 400.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                let text = e.body_text();
                Err(field_problem(text.trim_start_matches("Failed to deserialize query string: "), "query"))
            }
            Err(other) => Err(ApiError::BadRequest { code: "BAD_REQUEST", message: other.body_text() }),
        }
    }
}

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
/// Use with `#[serde(default, deserialize_with = "crate::extract::nullable")]`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// For POSTs that take no input (logout, unban): an empty body or `{}` is fine; anything else
/// is refused, so a field the client thinks it is sending is never silently dropped.
pub struct NoBody;

impl<S: Send + Sync> FromRequest<S> for NoBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest { code: "BAD_REQUEST", message: e.body_text() })?;
        let text = std::str::from_utf8(&bytes).unwrap_or("?").trim();
        let empty_object =
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).is_ok_and(|m| m.is_empty());
        if text.is_empty() || empty_object {
            Ok(NoBody)
        } else {
            Err(ApiError::invalid("body", "this endpoint takes no input; send an empty body or {}"))
        }
    }
}

/// Largest page any list returns.
pub const MAX_PAGE_SIZE: u32 = 50;
/// The last page anyone may ask for: deep enough for any list a person pages through, and
/// a bound on the work a listing does for one request.
pub const MAX_PAGE: u32 = 10_000;

/// `page` (1-based, default 1) and `limit` (1–50, default 20) as SQL `LIMIT`/`OFFSET`, checked.
pub fn paging(page: Option<u32>, limit: Option<u32>) -> Result<(i64, i64), ApiError> {
    let (page, limit) = (page.unwrap_or(1), limit.unwrap_or(20));
    if page == 0 {
        return Err(ApiError::invalid("page", "pages start at 1"));
    }
    if page > MAX_PAGE {
        return Err(ApiError::invalid("page", format!("must be at most {MAX_PAGE}")));
    }
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("must be between 1 and {MAX_PAGE_SIZE}")));
    }
    Ok((limit as i64, (page as i64 - 1) * limit as i64))
}
