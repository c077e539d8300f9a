//! The input rules the server enforces, written into the OpenAPI document (see `contract`):
//! lengths, ranges, patterns. A free-text field (every plain string a request carries, unless
//! listed here) follows `dabba_domain::invalid::text`: its pattern says "not blank, no control
//! characters"; its lengths come from the handler's `#[schema(min_length, max_length)]`.
//! What differs from that is listed below, next to the code that enforces it.

use dabba_domain::invalid::{optional_text_pattern, text_pattern};
use dabba_domain::{Email, LatLng, Phone};
use serde_json::{Map, Value, json};

/// A free-text field of `min..=max` characters (`invalid::text`).
fn text(min: usize, max: usize) -> Value {
    json!({"pattern": text_pattern(), "minLength": min, "maxLength": max})
}

/// An optional free-text field of at most `max` characters; blank means none.
fn optional(max: usize) -> Value {
    json!({"pattern": optional_text_pattern(), "maxLength": max})
}

fn range(min: impl Into<Value>, max: impl Into<Value>) -> Value {
    json!({"minimum": min.into(), "maximum": max.into()})
}

fn at_least(min: i64) -> Value {
    json!({"minimum": min})
}

/// Money in paise, as `Money::parse` takes it.
fn money() -> Value {
    range(0, dabba_domain::Money::MAX_PRICE)
}

fn latitude() -> Value {
    range(-LatLng::MAX_LAT, LatLng::MAX_LAT)
}

fn longitude() -> Value {
    range(-180.0, 180.0)
}

/// Constraints of one property of a request schema: (schema, property, constraints). An
/// empty property adds to the schema itself (rules between fields).
fn properties() -> Vec<(&'static str, &'static str, Value)> {
    use dabba_domain::invalid::{TEXT_SPACE as TS, WHITE_SPACE as WS};
    let phone = json!({"pattern": Phone::PATTERN});
    let email = json!({"pattern": Email::pattern(), "maxLength": Email::MAX_CHARS});
    let code = json!({"pattern": *crate::offers::CODE_PATTERN});
    // Registration takes a blank email as none.
    let email_body = Email::pattern();
    let email_or_blank = format!("^[{WS}]*$|^{}$", email_body.trim_start_matches('^').trim_end_matches('$'));
    let status = |allowed: &[&str]| json!({"type": "string", "enum": allowed});
    // Admins are made from the command line, never by registering.
    let role = json!({"type": ["string", "null"], "enum": ["CUSTOMER", "RESTAURANT", "DELIVERY", null]});
    vec![
        // Accounts.
        ("RegisterRequest", "name", text(1, 100)),
        ("RegisterRequest", "phone", phone.clone()),
        ("RegisterRequest", "email", json!({"pattern": email_or_blank, "maxLength": Email::MAX_CHARS})),
        ("RegisterRequest", "password", json!({"format": "password", "minLength": 8, "maxLength": 128})),
        ("RegisterRequest", "role", role),
        ("LoginRequest", "phone", phone.clone()),
        ("LoginRequest", "email", email.clone()),
        // Login reads the password only to compare it: any string, a wrong one is a 401.
        ("LoginRequest", "password", json!({"format": "password"})),
        (
            "LoginRequest",
            "",
            json!({"oneOf": [
                {"required": ["phone"], "properties": {"phone": {"type": "string"}, "email": {"type": "null"}}},
                {"required": ["email"], "properties": {"email": {"type": "string"}, "phone": {"type": "null"}}}
            ]}),
        ),
        ("ProfileUpdate", "name", text(1, 100)),
        ("ProfileUpdate", "phone", phone.clone()),
        ("ProfileUpdate", "email", email),
        ("AddressInput", "address_line1", text(1, 200)),
        ("AddressInput", "address_line2", optional(200)),
        ("AddressInput", "landmark", optional(200)),
        ("AddressInput", "city", text(1, 100)),
        ("AddressInput", "state", optional(100)),
        ("AddressInput", "pincode", json!({"pattern": format!("^[{TS}]*[A-Za-z0-9 -]*[{TS}]*$"), "maxLength": 10})),
        ("AddressInput", "latitude", latitude()),
        ("AddressInput", "longitude", longitude()),
        // Restaurants.
        ("RestaurantInput", "name", text(1, 120)),
        ("RestaurantPatch", "name", text(1, 120)),
        ("RestaurantInput", "description", optional(2000)),
        ("RestaurantPatch", "description", optional(2000)),
        ("RestaurantInput", "cuisines", json!({"minItems": 1, "maxItems": 10, "items": text(1, 40)})),
        ("RestaurantPatch", "cuisines", json!({"minItems": 1, "maxItems": 10, "items": text(1, 40)})),
        ("RestaurantInput", "tags", json!({"maxItems": 10, "items": text(1, 30)})),
        ("RestaurantPatch", "tags", json!({"maxItems": 10, "items": text(1, 30)})),
        ("RestaurantInput", "latitude", latitude()),
        ("RestaurantInput", "longitude", longitude()),
        ("RestaurantPatch", "latitude", latitude()),
        ("RestaurantPatch", "longitude", longitude()),
        ("RestaurantInput", "phone", phone.clone()),
        ("RestaurantPatch", "phone", phone),
        ("RestaurantInput", "cost_for_two", money()),
        ("RestaurantPatch", "cost_for_two", money()),
        ("RestaurantInput", "min_order_value", money()),
        ("RestaurantPatch", "min_order_value", money()),
        ("RestaurantInput", "avg_preparation_minutes", range(1, 180)),
        ("RestaurantPatch", "avg_preparation_minutes", range(1, 180)),
        ("RestaurantInput", "delivery_radius_km", range(0.5, crate::catalog::input::MAX_DELIVERY_RADIUS_KM)),
        ("RestaurantPatch", "delivery_radius_km", range(0.5, crate::catalog::input::MAX_DELIVERY_RADIUS_KM)),
        ("RestaurantInput", "kitchen_limit", range(1, 500)),
        ("RestaurantPatch", "kitchen_limit", range(1, 500)),
        ("RestaurantInput", "timezone", json!({"enum": dabba_domain::hours::time_zone_names()})),
        ("RestaurantPatch", "timezone", json!({"enum": dabba_domain::hours::time_zone_names()})),
        ("PostalAddress", "line1", text(1, 200)),
        ("PostalAddress", "line2", optional(200)),
        ("PostalAddress", "city", text(1, 100)),
        ("PostalAddress", "state", optional(100)),
        ("PostalAddress", "pincode", optional(10)),
        ("DayHours", "open", json!({"pattern": dabba_domain::hours::time_pattern(false)})),
        ("DayHours", "close", json!({"pattern": dabba_domain::hours::time_pattern(true)})),
        // Menus.
        ("CategoryInput", "name", text(1, 80)),
        ("CategoryPatch", "name", text(1, 80)),
        ("ItemInput", "name", text(1, 120)),
        ("ItemPatch", "name", text(1, 120)),
        ("ItemInput", "description", optional(1000)),
        ("ItemPatch", "description", optional(1000)),
        ("ItemInput", "price", money()),
        ("ItemPatch", "price", money()),
        ("ItemInput", "stock", range(0, 1_000_000)),
        ("ItemPatch", "stock", range(0, 1_000_000)),
        (
            "ItemInput",
            "image",
            json!({"pattern": crate::catalog::menu_input::image_pattern(), "maxLength": crate::catalog::menu_input::MAX_IMAGE_URL}),
        ),
        (
            "ItemPatch",
            "image",
            json!({"pattern": crate::catalog::menu_input::image_pattern(), "maxLength": crate::catalog::menu_input::MAX_IMAGE_URL}),
        ),
        ("ItemInput", "customizations", json!({"maxItems": 10})),
        ("ItemPatch", "customizations", json!({"maxItems": 10})),
        ("GroupInput", "name", text(1, 60)),
        ("GroupInput", "options", json!({"minItems": 1, "maxItems": 30})),
        ("OptionInput", "label", text(1, 60)),
        ("OptionInput", "price", money()),
        // Carts and orders.
        ("AddItem", "quantity", range(1, crate::cart::MAX_QUANTITY)),
        ("QuantityChange", "quantity", range(1, crate::cart::MAX_QUANTITY)),
        ("ApplyOffer", "promo_code", code.clone()),
        ("CheckoutRequest", "delivery_instructions", optional(300)),
        ("CancelRequest", "reason", optional(300)),
        ("StatusChange", "reason", optional(300)),
        (
            "StatusChange",
            "",
            json!({
                "if": {"properties": {"status": {"const": "PREPARING"}}},
                "then": {"properties": {"estimated_preparation_minutes": {"type": ["integer", "null"], "minimum": 1, "maximum": 180}}},
                "else": {"if": {"properties": {"status": {"const": "CANCELLED"}}},
                         "then": {"required": ["reason"], "properties": {"reason": {"type": "string", "pattern": text_pattern()}}}}
            }),
        ),
        ("KitchenStatusChange", "status", status(&["PREPARING", "READY", "CANCELLED"])),
        // Riders.
        (
            "VehicleIn",
            "vehicle_number",
            json!({"pattern": format!("^[{WS}]*(?:[A-Za-z0-9-]|[A-Za-z0-9-][A-Za-z0-9 -]{{0,18}}[A-Za-z0-9-])[{WS}]*$")}),
        ),
        ("Availability", "lat", latitude()),
        ("Availability", "lng", longitude()),
        ("Ping", "lat", latitude()),
        ("Ping", "lng", longitude()),
        ("Ping", "accuracy", range(0, crate::delivery::ingest::MAX_ACCURACY_M)),
        ("Ping", "speed", range(0, crate::delivery::ingest::MAX_SPEED_MPS)),
        ("Ping", "heading", range(0, 360)),
        ("Batch", "pings", json!({"minItems": 1, "maxItems": crate::delivery::ingest::MAX_BATCH})),
        ("RiderStep", "status", status(&["PICKED_UP", "OUT_FOR_DELIVERY", "DELIVERED"])),
        (
            "RiderStep",
            "",
            json!({
                "if": {"properties": {"status": {"const": "DELIVERED"}}},
                "then": {"required": ["otp"], "properties": {"otp": {"type": "string", "pattern": text_pattern(), "maxLength": 8}}},
                "else": {"properties": {"otp": {"type": "null"}}}
            }),
        ),
        // Payments.
        ("RefundRequest", "amount", at_least(1)),
        ("RefundRequest", "reason", text(3, 300)),
        ("TopUp", "amount", range(crate::payments::wallet::MIN_TOP_UP, crate::payments::wallet::MAX_TOP_UP)),
        ("TopUp", "method", status(&["CARD", "UPI"])),
        ("ResolveRequest", "note", text(3, 300)),
        // Offers.
        ("OfferInput", "code", code.clone()),
        ("OfferInput", "description", optional(300)),
        ("OfferInput", "min_order_value", money()),
        ("OfferInput", "max_discount", money()),
        ("OfferInput", "usage_limit", at_least(1)),
        ("OfferInput", "per_user_limit", at_least(1)),
        (
            "OfferInput",
            "",
            json!({
                "allOf": [
                    {"if": {"properties": {"discount_type": {"const": "PERCENTAGE"}}},
                     "then": {"properties": {"discount_value": {"minimum": 1, "maximum": 100}}},
                     "else": {"properties": {"discount_value": {"minimum": 1, "maximum": dabba_domain::Money::MAX_PRICE}}}},
                    {"if": {"properties": {"applicable_to": {"const": "RESTAURANT"}}},
                     "then": {"required": ["restaurant_ids"], "properties": {"restaurant_ids": {"type": "array", "minItems": 1}}}}
                ]
            }),
        ),
        ("ValidateRequest", "code", code),
        ("ValidateRequest", "cart_value", money()),
        // Ratings and support.
        ("RatingInput", "restaurant_rating", range(1, 5)),
        ("RatingInput", "delivery_rating", range(1, 5)),
        ("RatingInput", "food_quality", range(1, 5)),
        ("RatingInput", "review_text", optional(2000)),
        ("DishRating", "rating", range(1, 5)),
        ("BanRequest", "reason", text(1, 500)),
    ]
}

/// Request schemas read by hand, not through these rules: the gateway's signed webhook (its
/// signature is checked first; its fields are the gateway's).
const UNCHECKED: [&str; 2] = ["GatewayWebhook", "CardDescription"];

/// Constraints of query, path and header parameters: (operation or `*` for all, name,
/// constraints). `required` is the parameter's own flag, not its schema's.
fn parameters() -> Vec<(&'static str, &'static str, Value)> {
    let q = json!({"required": true, "pattern": text_pattern(), "minLength": 1, "maxLength": crate::discovery::search::MAX_QUERY});
    vec![
        ("*", "lat", latitude()),
        ("*", "lng", longitude()),
        ("*", "page", json!({"minimum": 1, "maximum": crate::extract::MAX_PAGE})),
        ("suggestions", "limit", json!({"minimum": 1, "maximum": crate::discovery::search::MAX_SUGGESTIONS})),
        ("*", "limit", json!({"minimum": 1, "maximum": crate::extract::MAX_PAGE_SIZE})),
        ("*", "from", json!({"format": "date-time"})),
        ("*", "to", json!({"format": "date-time"})),
        (
            "*",
            "Idempotency-Key",
            json!({"minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7E\\t]*[\\x21-\\x7E][\\x20-\\x7E\\t]*$"}),
        ),
        ("*", "q", q),
        // The console's searches may list without a text.
        (
            "search_users",
            "q",
            json!({"pattern": text_pattern(), "minLength": 1, "maxLength": crate::admin::search::MAX_TEXT}),
        ),
        (
            "search_restaurants",
            "q",
            json!({"pattern": text_pattern(), "minLength": 1, "maxLength": crate::admin::search::MAX_TEXT}),
        ),
        ("find_orders", "phone", json!({"pattern": Phone::PATTERN})),
        (
            "*",
            "cuisine",
            json!({"pattern": optional_text_pattern(), "maxLength": crate::discovery::listing::MAX_CUISINE_FILTER}),
        ),
        ("*", "min_rating", range(0, 5)),
        ("*", "max_cost_for_two", at_least(0)),
        ("*", "max_delivery_time", range(1, 300)),
        ("*", "subscriber", json!({"minLength": 1})),
    ]
}

/// Applies the rules to the document's request schemas and parameters.
pub fn apply(doc: &mut Value) {
    kitchen_status(doc);
    let requests = request_schemas(doc);
    let table = properties();
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for name in requests.iter().filter(|n| !UNCHECKED.contains(&n.as_str())) {
            let Some(schema) = schemas.get_mut(name).and_then(Value::as_object_mut) else { continue };
            for (_, _, rule) in table.iter().filter(|(s, p, _)| s == name && p.is_empty()) {
                for (k, v) in rule.as_object().into_iter().flatten() {
                    schema.insert(k.clone(), v.clone());
                }
            }
            let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else { continue };
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
                let id = op.get("operationId").and_then(Value::as_str).unwrap_or("").to_owned();
                for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                    let name = p["name"].as_str().unwrap_or("").to_owned();
                    let listed = params
                        .iter()
                        .find(|(o, n, _)| *o == id && *n == name)
                        .or_else(|| params.iter().find(|(o, n, _)| *o == "*" && *n == name))
                        .map(|(_, _, c)| c.clone());
                    let mut listed = listed;
                    if let Some(Value::Bool(true)) =
                        listed.as_mut().and_then(|l| l.as_object_mut()).and_then(|l| l.remove("required"))
                    {
                        p["required"] = Value::Bool(true);
                    }
                    if let Some(schema) = p.get_mut("schema") {
                        constrain(schema, listed.as_ref());
                    }
                }
            }
        }
    }
}

/// The kitchen's status change takes three statuses where support's takes any: the kitchen's
/// operation gets a schema of its own, which the table narrows.
fn kitchen_status(doc: &mut Value) {
    let Some(general) = doc.pointer("/components/schemas/StatusChange").cloned() else { return };
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        schemas.insert("KitchenStatusChange".into(), general);
    }
    let path = "/paths/~1api~1v1~1restaurants~1{id}~1orders~1{order_id}~1status/patch/requestBody/content/application~1json/schema";
    if let Some(schema) = doc.pointer_mut(path) {
        *schema = json!({"$ref": "#/components/schemas/KitchenStatusChange"});
    }
}

/// Adds the listed constraints, or for a plain string the free-text rule.
fn constrain(schema: &mut Value, listed: Option<&Value>) {
    let Some(s) = schema.as_object_mut() else { return };
    if let Some(Value::Object(extra)) = listed {
        for (k, v) in extra {
            match (s.get_mut(k), v) {
                // An array's items keep their type: the rule adds to them.
                (Some(Value::Object(items)), Value::Object(more)) if k == "items" => {
                    items.extend(more.iter().map(|(a, b)| (a.clone(), b.clone())));
                }
                _ => {
                    s.insert(k.clone(), v.clone());
                }
            }
        }
        // An integer documented as int32 but read wider, or the reverse: the range says it.
        if extra.contains_key("maximum") && s.get("format").is_some_and(|f| f == "int32" || f == "int64") {
            s.remove("format");
        }
        // An enum that narrows a referenced one replaces the reference.
        if extra.contains_key("enum") {
            s.remove("$ref");
            s.remove("oneOf");
            s.remove("anyOf");
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
