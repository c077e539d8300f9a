//! The OpenAPI document says everything the server does. The handlers' annotations describe
//! their own answers; what every handler shares is added here, from one rule each, so that it
//! cannot be forgotten on one endpoint:
//!
//! - the edge: 503 (`OVERLOADED`, `TIMEOUT`) anywhere; 400/413/415 wherever a body is read;
//!   400 wherever a parameter is parsed (a malformed id, an unknown query field);
//! - authentication: 401 wherever a token is read, 403 (`USER_BANNED`, the wrong role) wherever
//!   one is required; 404 wherever a path names an object;
//! - `Idempotency-Key`: 409 `REQUEST_IN_PROGRESS` and 422 `IDEMPOTENCY_KEY_REUSED`; any write:
//!   409 for a conflict with the current state;
//! - the error body's `details` as the server writes them;
//! - links between operations (an order's id from checkout to the order's operations, …), so
//!   that a client, or a stateful fuzzer, can walk from a cart to a delivered order.

use serde_json::{Map, Value, json};

/// Completes a generated document (see the module's doc). The result is served as it is:
/// utoipa's types cannot hold everything OpenAPI 3.1 can (links with bodies, `anyOf`).
pub fn complete(doc: utoipa::openapi::OpenApi) -> Value {
    let mut v = serde_json::to_value(&doc).expect("an OpenAPI document is JSON");
    error_body(&mut v);
    super::limits::apply(&mut v);
    if let Some(paths) = v.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, op) in item.iter_mut() {
                if let Some(op) = op.as_object_mut()
                    && METHODS.contains(&method.as_str())
                {
                    shared_answers(path, method, op);
                }
            }
        }
    }
    super::links::add(&mut v);
    v
}

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

fn error_ref() -> Value {
    json!({"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}})
}

/// Adds `status` with `text` unless the handler documented it.
fn answer(op: &mut Map<String, Value>, status: &str, text: &str) {
    let responses = op.entry("responses").or_insert_with(|| json!({}));
    if let Some(r) = responses.as_object_mut()
        && !r.contains_key(status)
    {
        r.insert(status.to_owned(), json!({"description": text, "content": error_ref()}));
    }
}

fn shared_answers(path: &str, method: &str, op: &mut Map<String, Value>) {
    let params: Vec<Value> = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    let located = |place: &str| params.iter().any(|p| p["in"] == place);
    let has_body = op.contains_key("requestBody");
    let security = op.get("security").and_then(Value::as_array).cloned();
    let reads_token = security.as_ref().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
    let needs_token = security.as_ref().is_some_and(|s| !s.iter().any(|r| r.as_object().is_some_and(Map::is_empty)));
    let keyed = params.iter().any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key");
    let ours = path.starts_with("/api/");

    if has_body {
        answer(op, "400", "VALIDATION_ERROR (details: [{field, message}]) or INVALID_JSON");
        answer(op, "413", "PAYLOAD_TOO_LARGE: the body is over 64 KiB");
        answer(op, "415", "UNSUPPORTED_MEDIA_TYPE: send the body as application/json");
    }
    if located("query") || located("path") || located("header") {
        answer(
            op,
            "400",
            "VALIDATION_ERROR: a parameter is malformed, out of range or unknown (details: [{field, message}])",
        );
    }
    if reads_token {
        answer(op, "401", "UNAUTHORIZED: no token, or a malformed, expired or revoked one");
    }
    if needs_token {
        answer(op, "403", "USER_BANNED, or FORBIDDEN: this account's role or ownership does not allow it");
    }
    if located("path") || located("query") || has_body {
        answer(op, "404", "NOT_FOUND: something the request names does not exist, or is not this account's to see");
    }
    if has_body || located("query") {
        answer(
            op,
            "422",
            "UNPROCESSABLE: every field is well formed, but they do not fit together or with what is stored (details: [{field, message}])",
        );
    }
    if ours && method != "get" {
        answer(
            op,
            "409",
            "A conflict with the current state (the error_code says which: ALREADY_EXISTS, EDIT_CONFLICT, INVALID_TRANSITION…)",
        );
    }
    if keyed {
        answer(op, "409", "REQUEST_IN_PROGRESS: a request with this Idempotency-Key is running");
        answer(op, "422", "IDEMPOTENCY_KEY_REUSED: the key was used with another body");
    }
    if ours {
        answer(op, "503", "OVERLOADED or TIMEOUT: the node is busy; retry after Retry-After seconds");
    }
    // Every response has a description (OpenAPI requires one).
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for (status, r) in responses.iter_mut() {
            if let Some(r) = r.as_object_mut()
                && !r.contains_key("description")
            {
                let text = status
                    .parse::<u16>()
                    .ok()
                    .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("answer");
                r.insert("description".into(), Value::String(text.to_owned()));
            }
        }
    }
}

/// `details` is `[{field, message}]` on validation errors and an object or a list naming what
/// a conflict is about (the updated cart, the dishes concerned) on some conflicts.
fn error_body(v: &mut Value) {
    let Some(schemas) = v.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    schemas.insert(
        "FieldError".into(),
        json!({
            "type": "object",
            "description": "One invalid field or parameter.",
            "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}
        }),
    );
    if let Some(details) = schemas.get_mut("ErrorBody").and_then(|b| b.pointer_mut("/properties/details")) {
        let text = details.get("description").cloned().unwrap_or(Value::Null);
        *details = json!({
            "description": text,
            "anyOf": [
                {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
                {"type": "array"},
                {"type": "object"}
            ]
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(doc: &Value, path: &str, method: &str) -> Value {
        doc["paths"][path][method].clone()
    }

    #[test]
    fn every_operation_names_the_answers_it_shares() {
        let doc = crate::openapi();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, o) in item.as_object().unwrap() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let codes = o["responses"].as_object().unwrap();
                let has = |c: &str| codes.contains_key(c);
                assert!(codes.values().all(|r| r["description"].is_string()), "{method} {path}");
                if o.get("requestBody").is_some() {
                    assert!(has("400") && has("413") && has("415"), "{method} {path}");
                }
                if o.get("security").is_some_and(|s| s.to_string().contains("bearer")) {
                    assert!(has("401"), "{method} {path}");
                }
                if path.contains('{') {
                    assert!(has("404") && has("400"), "{method} {path}");
                }
            }
        }
        let checkout = op(&doc, "/api/v1/orders", "post");
        assert!(checkout["responses"]["422"].is_object() && checkout["responses"]["409"].is_object());
        let details = &doc["components"]["schemas"]["ErrorBody"]["properties"]["details"];
        assert_eq!(details["anyOf"][0]["items"]["$ref"], "#/components/schemas/FieldError");
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = crate::openapi();
        let mut seen = std::collections::HashSet::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for (method, o) in item.as_object().unwrap() {
                if METHODS.contains(&method.as_str()) {
                    let id = o["operationId"].as_str().unwrap().to_owned();
                    assert!(seen.insert(id.clone()), "operationId {id} twice");
                }
            }
        }
    }
}
