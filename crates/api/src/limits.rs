//! The input rules the server enforces, written into the OpenAPI document (see `contract`):
//! lengths, ranges, patterns. A free-text field (every plain string a request carries, unless
//! listed here) follows `dabba_domain::invalid::text`: its pattern says "not blank, no control
//! characters"; its lengths come from the handler's `#[schema(min_length, max_length)]`.
//! What differs from that is listed below, next to the code that enforces it.

use dabba_domain::invalid::{optional_text_pattern, text_pattern};
use dabba_domain::{Email, LatLng, Phone};
use serde_json::{Map, Value, json};

/// Constraints of one property of a request schema: (schema, property, constraints).
fn properties() -> Vec<(&'static str, &'static str, Value)> {
    let phone = json!({"pattern": Phone::PATTERN, "maxLength": 40});
    let email = json!({"pattern": Email::pattern(), "maxLength": Email::MAX_CHARS});
    let password = json!({"format": "password", "minLength": 8, "maxLength": 128});
    let code = json!({"pattern": *crate::offers::CODE_PATTERN});
    vec![
        ("RegisterRequest", "phone", phone.clone()),
        ("RegisterRequest", "email", email.clone()),
        ("RegisterRequest", "password", password.clone()),
        ("LoginRequest", "phone", phone.clone()),
        ("LoginRequest", "email", email.clone()),
        ("LoginRequest", "password", json!({"format": "password", "minLength": 1, "maxLength": 128})),
        ("ProfileUpdate", "phone", phone.clone()),
        ("AddressInput", "latitude", json!({"minimum": -LatLng::MAX_LAT, "maximum": LatLng::MAX_LAT})),
        ("AddressInput", "longitude", json!({"minimum": -180.0, "maximum": 180.0})),
        ("RestaurantInput", "latitude", json!({"minimum": -LatLng::MAX_LAT, "maximum": LatLng::MAX_LAT})),
        ("RestaurantInput", "longitude", json!({"minimum": -180.0, "maximum": 180.0})),
        ("RestaurantPatch", "latitude", json!({"minimum": -LatLng::MAX_LAT, "maximum": LatLng::MAX_LAT})),
        ("RestaurantPatch", "longitude", json!({"minimum": -180.0, "maximum": 180.0})),
        ("Availability", "lat", json!({"minimum": -LatLng::MAX_LAT, "maximum": LatLng::MAX_LAT})),
        ("Availability", "lng", json!({"minimum": -180.0, "maximum": 180.0})),
        ("Ping", "lat", json!({"minimum": -LatLng::MAX_LAT, "maximum": LatLng::MAX_LAT})),
        ("Ping", "lng", json!({"minimum": -180.0, "maximum": 180.0})),
        ("ProfileUpdate", "email", email),
        ("RestaurantInput", "phone", phone.clone()),
        ("RestaurantPatch", "phone", phone),
        ("ApplyOffer", "promo_code", code.clone()),
        ("ValidateRequest", "code", code.clone()),
        ("OfferInput", "code", code),
    ]
}

/// Constraints of query, path and header parameters, by name (the API names a thing the same
/// way everywhere).
fn parameters() -> Vec<(&'static str, Value)> {
    vec![
        ("lat", json!({"minimum": -LatLng::MAX_LAT, "maximum": LatLng::MAX_LAT})),
        ("lng", json!({"minimum": -180.0, "maximum": 180.0})),
        ("page", json!({"minimum": 1, "maximum": crate::extract::MAX_PAGE})),
        ("limit", json!({"minimum": 1, "maximum": crate::extract::MAX_PAGE_SIZE})),
        ("from", json!({"format": "date-time"})),
        ("to", json!({"format": "date-time"})),
        ("Idempotency-Key", json!({"minLength": 1, "maxLength": 255})),
    ]
}

/// Applies the rules to the document's request schemas and parameters.
pub fn apply(doc: &mut Value) {
    let requests = request_schemas(doc);
    let table = properties();
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for name in &requests {
            let Some(props) =
                schemas.get_mut(name).and_then(|s| s.get_mut("properties")).and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (prop, schema) in props.iter_mut() {
                let listed = table.iter().find(|(s, p, _)| s == name && p == prop).map(|(_, _, c)| c);
                constrain(schema, listed);
            }
        }
    }
    let params = parameters();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for op in item.as_object_mut().into_iter().flat_map(|i| i.values_mut()) {
                for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                    let name = p["name"].as_str().unwrap_or("").to_owned();
                    let listed = params.iter().find(|(n, _)| *n == name).map(|(_, c)| c);
                    if let Some(schema) = p.get_mut("schema") {
                        constrain(schema, listed);
                    }
                }
            }
        }
    }
}

/// Adds the listed constraints, or for a plain string the free-text rule.
fn constrain(schema: &mut Value, listed: Option<&Value>) {
    let Some(s) = schema.as_object_mut() else { return };
    if let Some(Value::Object(extra)) = listed {
        for (k, v) in extra {
            s.insert(k.clone(), v.clone());
        }
        // An integer documented as int32 but read wider, or the reverse: the range says it.
        if extra.contains_key("maximum") {
            s.remove("format");
        }
        return;
    }
    let plain = |s: &Map<String, Value>| {
        !s.contains_key("pattern") && !s.contains_key("format") && !s.contains_key("enum") && !s.contains_key("$ref")
    };
    match s.get("type") {
        Some(Value::String(t)) if t == "string" && plain(s) => {
            s.insert("pattern".into(), Value::String(text_pattern()));
        }
        Some(Value::Array(t)) if t.iter().any(|t| t == "string") && t.iter().any(|t| t == "null") && plain(s) => {
            s.insert("pattern".into(), Value::String(optional_text_pattern()));
        }
        Some(Value::String(t)) if t == "array" => {
            if let Some(items) = s.get_mut("items") {
                constrain(items, None);
            }
        }
        _ => {}
    }
}

/// Names of the component schemas a request body reaches.
fn request_schemas(doc: &Value) -> Vec<String> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x.as_str()) {
                        ("$ref", Some(r)) => out.push(r.rsplit('/').next().unwrap_or(r).to_owned()),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for item in doc["paths"].as_object().into_iter().flatten().map(|(_, i)| i) {
        for op in item.as_object().into_iter().flatten().map(|(_, o)| o) {
            if let Some(body) = op.get("requestBody") {
                refs(body, &mut todo);
            }
        }
    }
    let mut seen: Vec<String> = Vec::new();
    while let Some(name) = todo.pop() {
        if seen.contains(&name) {
            continue;
        }
        refs(&doc["components"]["schemas"][&name], &mut todo);
        seen.push(name);
    }
    seen
}
