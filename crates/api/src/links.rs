//! OpenAPI links: where an answer's ids lead. A client (or a stateful fuzzer) follows them
//! from a cart to an order, its payment, its kitchen steps and its delivery.

use serde_json::{Map, Value, json};

/// One link: from an operation's answer to another operation, with its parameters (runtime
/// expressions) and perhaps a body.
struct Link {
    from: &'static str,
    status: &'static str,
    name: &'static str,
    to: &'static str,
    parameters: Value,
    body: Option<Value>,
}

const fn link(
    from: &'static str,
    status: &'static str,
    name: &'static str,
    to: &'static str,
) -> (&'static str, &'static str, &'static str, &'static str) {
    (from, status, name, to)
}

fn links() -> Vec<Link> {
    let id = |pointer: &str| json!({"id": format!("$response.body#{pointer}")});
    let mut out = Vec::new();
    let mut add =
        |(from, status, name, to): (&'static str, &'static str, &'static str, &'static str),
         parameters: Value,
         body: Option<Value>| { out.push(Link { from, status, name, to, parameters, body }) };
    // The customer: discovery → menu → cart → checkout → order → payment → rating.
    add(link("list_restaurants", "200", "Restaurant", "get_restaurant"), id("/restaurants/0/restaurant_id"), None);
    add(link("list_restaurants", "200", "Menu", "get_menu"), id("/restaurants/0/restaurant_id"), None);
    add(
        link("get_menu", "200", "AddToCart", "add_item"),
        json!({}),
        Some(json!({
            "restaurant_id": "$response.body#/restaurant_id",
            "item_id": "$response.body#/categories/0/items/0/item_id",
            "quantity": 1
        })),
    );
    for (from, status) in [("add_item", "200"), ("get_cart", "200"), ("set_quantity", "200")] {
        let line = json!({"cart_item_id": "$response.body#/lines/0/cart_item_id"});
        add(link(from, status, "SetQuantity", "set_quantity"), line.clone(), None);
        add(link(from, status, "RemoveLine", "remove_line"), line, None);
    }
    add(link("create_address", "201", "UpdateAddress", "update_address"), id("/address_id"), None);
    add(link("create_address", "201", "DeleteAddress", "delete_address"), id("/address_id"), None);
    add(
        link("create_address", "201", "Checkout", "checkout"),
        json!({}),
        Some(json!({
            "address_id": "$response.body#/address_id", "payment_method": "COD"
        })),
    );
    for (from, status, pointer) in [("checkout", "201", "/order_id"), ("list_orders", "200", "/0/order_id")] {
        for (name, to) in [
            ("Order", "get_order"),
            ("Cancel", "cancel_order"),
            ("Reorder", "reorder"),
            ("Track", "order_track"),
            ("AdminStatus", "admin_status"),
            ("Assign", "assign"),
        ] {
            add(link(from, status, name, to), id(pointer), None);
        }
        add(link(from, status, "Tracking", "tracking"), json!({"order_id": format!("$response.body#{pointer}")}), None);
        add(
            link(from, status, "PayAgain", "initiate"),
            json!({}),
            Some(json!({
                "order_id": format!("$response.body#{pointer}"), "method": "UPI"
            })),
        );
        add(
            link(from, status, "Rate", "rate"),
            json!({}),
            Some(json!({
                "order_id": format!("$response.body#{pointer}"), "restaurant_rating": 5, "delivery_rating": 5
            })),
        );
    }
    add(link("checkout", "201", "Payment", "payment_status"), id("/payment/payment_id"), None);
    for from in ["initiate", "top_up"] {
        add(link(from, "201", "Payment", "payment_status"), id("/payment_id"), None);
        add(link(from, "201", "Refund", "refund"), id("/payment_id"), None);
    }
    add(link("list_notifications", "200", "Read", "read_one"), id("/0/notification_id"), None);
    // The restaurant: its restaurants → menu editing → its kitchen's orders.
    for (from, status, pointer) in
        [("create_restaurant", "201", "/restaurant_id"), ("my_restaurants", "200", "/0/restaurant_id")]
    {
        for (name, to) in [
            ("Restaurant", "get_restaurant"),
            ("Replace", "replace_restaurant"),
            ("Patch", "patch_restaurant"),
            ("Menu", "get_menu"),
            ("AddCategory", "create_category"),
            ("AddItem", "create_item"),
            ("ReorderCategories", "reorder_categories"),
            ("Orders", "restaurant_orders"),
            ("Payouts", "payouts"),
            ("Reviews", "reviews"),
            ("Ban", "ban_restaurant"),
            ("Unban", "unban_restaurant"),
        ] {
            add(link(from, status, name, to), id(pointer), None);
        }
    }
    let category = json!({"id": "$response.body#/restaurant_id", "category_id": "$response.body#/category_id"});
    add(link("create_category", "201", "Rename", "patch_category"), category.clone(), None);
    add(link("create_category", "201", "Delete", "delete_category"), category, None);
    let item = json!({"id": "$response.body#/restaurant_id", "item_id": "$response.body#/item_id"});
    add(link("create_item", "201", "Edit", "patch_item"), item.clone(), None);
    add(link("create_item", "201", "Delete", "delete_item"), item, None);
    add(
        link("restaurant_orders", "200", "Step", "restaurant_status"),
        json!({"id": "$request.path.id", "order_id": "$response.body#/0/order_id"}),
        None,
    );
    add(link("create_offer", "201", "Withdraw", "deactivate_offer"), id("/offer_id"), None);
    // The rider: offers → accept or reject → the job's steps.
    for (name, to) in [("Accept", "accept"), ("Reject", "reject")] {
        add(link("waiting", "200", name, to), id("/0/order_id"), None);
    }
    add(link("current", "200", "Step", "rider_status"), id("/0/order_id"), None);
    // The admin: queues → their actions.
    add(link("awaiting_approval", "200", "Approve", "approve_user"), id("/0/user_id"), None);
    add(link("awaiting_approval", "200", "Ban", "ban_user"), id("/0/user_id"), None);
    add(link("review_payments", "200", "Resolve", "resolve"), id("/0/payment_id"), None);
    add(link("failed_refunds", "200", "Retry", "retry_refund"), id("/0/refund_id"), None);
    add(link("failed_refunds", "200", "ToWallet", "refund_to_wallet"), id("/0/refund_id"), None);
    add(
        link("dead_letters", "200", "Replay", "replay_dead_letter"),
        json!({"subscriber": "$response.body#/0/subscriber", "event_id": "$response.body#/0/event_id"}),
        None,
    );
    out
}

/// Adds every link to the document. A link whose operations are missing is a bug: the test
/// below finds it.
pub fn add(doc: &mut Value) {
    let ids = operation_ids(doc);
    for l in links() {
        let Some(pointer) = ids.get(l.from) else { continue };
        if !ids.contains_key(l.to) {
            continue;
        }
        let Some(response) =
            doc.pointer_mut(&format!("{pointer}/responses/{}", l.status)).and_then(Value::as_object_mut)
        else {
            continue;
        };
        let mut entry = Map::new();
        entry.insert("operationId".into(), Value::String(l.to.into()));
        if l.parameters.as_object().is_some_and(|p| !p.is_empty()) {
            entry.insert("parameters".into(), l.parameters);
        }
        if let Some(body) = l.body {
            entry.insert("requestBody".into(), body);
        }
        let links = response.entry("links").or_insert_with(|| json!({}));
        if let Some(links) = links.as_object_mut() {
            links.insert(l.name.into(), Value::Object(entry));
        }
    }
}

/// operationId → JSON pointer of its operation.
fn operation_ids(doc: &Value) -> std::collections::HashMap<String, String> {
    let mut ids = std::collections::HashMap::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                let escaped = path.replace('~', "~0").replace('/', "~1");
                ids.insert(id.to_owned(), format!("/paths/{escaped}/{method}"));
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_joins_two_operations_and_names_their_parameters() {
        let doc = crate::openapi();
        let ids = operation_ids(&doc);
        for l in links() {
            let from = ids.get(l.from).unwrap_or_else(|| panic!("no operation {}", l.from));
            let to = ids.get(l.to).unwrap_or_else(|| panic!("no operation {}", l.to));
            let answer = doc.pointer(&format!("{from}/responses/{}", l.status));
            assert!(
                answer.is_some_and(|a| a["links"][l.name].is_object()),
                "{} {} has no link {}",
                l.from,
                l.status,
                l.name
            );
            let target = doc.pointer(to).unwrap();
            let path_params: Vec<&str> = target["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            for name in &path_params {
                assert!(l.parameters.get(name).is_some(), "{} → {}: path parameter {name} not given", l.from, l.to);
            }
            if l.body.is_some() {
                assert!(target.get("requestBody").is_some(), "{} takes no body", l.to);
            }
        }
    }
}
