//! The console's searches: people, restaurants and orders, an order's ledger lines.

use crate::helpers::{TestApp, phone};
use serde_json::{Value, json};

crate::both_backends!(
    support_finds_people_with_their_bans,
    support_finds_restaurants_banned_or_not,
    support_finds_orders_by_phone_or_restaurant,
    support_reads_an_orders_ledger_lines,
    the_searches_are_for_admins_only,
);

fn ids(v: &Value, key: &str) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x[key].as_str().unwrap().to_owned()).collect()
}

async fn support_finds_people_with_their_bans(app: TestApp) {
    let admin = app.admin().await;
    let number = phone();
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "Zoya 50%_Off", "phone": number, "password": "a-long-secret-1"}),
        )
        .await;
    let id = r.expect(201)["user"]["user_id"].as_str().unwrap().to_owned();
    let me = |q: &str| format!("/api/v1/admin/users?q={q}");
    // By a part of the phone, the name in any case, the id.
    let tail = &number[number.len() - 7..];
    assert_eq!(ids(app.get(&me(tail), Some(&admin)).await.expect(200), "user_id"), [id.as_str()]);
    assert_eq!(ids(app.get(&me("zOyA"), Some(&admin)).await.expect(200), "user_id"), [id.as_str()]);
    assert_eq!(ids(app.get(&me(&id), Some(&admin)).await.expect(200), "user_id"), [id.as_str()]);
    // The wildcards of a LIKE are plain characters in a search.
    assert_eq!(ids(app.get(&me("50%25_"), Some(&admin)).await.expect(200), "user_id"), [id.as_str()]);
    assert!(app.get(&me("5_%25"), Some(&admin)).await.expect(200).as_array().unwrap().is_empty());
    // By role, with everyone listed when there is no text.
    let all = app.get("/api/v1/admin/users?role=CUSTOMER&limit=50", Some(&admin)).await.expect(200).clone();
    assert!(all.as_array().unwrap().iter().all(|u| u["role"] == "CUSTOMER"), "{all}");
    assert!(ids(&all, "user_id").contains(&id));
    assert!(
        app.get(&format!("{}&role=DELIVERY", me(tail)), Some(&admin)).await.expect(200).as_array().unwrap().is_empty()
    );
    // Banned, they show with the reason; the banned filter finds them and only them.
    app.post(&format!("/api/v1/admin/users/{id}/ban"), Some(&admin), json!({"reason": "chargeback fraud"}))
        .await
        .expect(200);
    let banned = app.get("/api/v1/admin/users?banned=true", Some(&admin)).await.expect(200).clone();
    assert_eq!(ids(&banned, "user_id"), [id.as_str()]);
    assert_eq!(banned[0]["ban_reason"], "chargeback fraud");
    assert!(
        !ids(app.get("/api/v1/admin/users?banned=false&limit=50", Some(&admin)).await.expect(200), "user_id")
            .contains(&id)
    );
    app.post(&format!("/api/v1/admin/users/{id}/unban"), Some(&admin), json!({})).await.expect(200);
    assert!(app.get("/api/v1/admin/users?banned=true", Some(&admin)).await.expect(200).as_array().unwrap().is_empty());
    // Bad input.
    for bad in ["?limit=0", "?limit=51", "?role=KING", "?banned=maybe", "?q=%20%20", "?q=a%07b"] {
        let r = app.get(&format!("/api/v1/admin/users{bad}"), Some(&admin)).await;
        assert_eq!(r.status.as_u16(), 400, "{bad}: {}", r.body);
    }
    // A number typed as people write it, spaces and all.
    let indian = format!("+91{:010}", uuid::Uuid::new_v4().as_u128() % 10_000_000_000);
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "Ravi Kumar", "phone": indian, "password": "a-long-secret-1"}),
        )
        .await;
    let ravi = r.expect(201)["user"]["user_id"].as_str().unwrap().to_owned();
    let spaced = format!("%2B91%20{}%20{}", &indian[3..8], &indian[8..]);
    assert_eq!(ids(app.get(&me(&spaced), Some(&admin)).await.expect(200), "user_id"), [ravi.as_str()]);
    // A user id with a filter the user does not pass finds nobody.
    assert!(
        app.get(&format!("{}&banned=true", me(&ravi)), Some(&admin)).await.expect(200).as_array().unwrap().is_empty()
    );
    let long = "x".repeat(101);
    app.get(&me(&long), Some(&admin)).await.expect(400);
}

async fn support_finds_restaurants_banned_or_not(app: TestApp) {
    let admin = app.admin().await;
    let owner = app.owner().await;
    let a = app.restaurant(&owner, json!({"name": "Sharma Dhaba"})).await;
    let b = app.restaurant(&owner, json!({"name": "Dhaba Express"})).await;
    let _c = app.restaurant(&owner, json!({"name": "Idli Corner"})).await;
    let found = app.get("/api/v1/admin/restaurants?q=dhaba", Some(&admin)).await.expect(200).clone();
    assert_eq!(ids(&found, "restaurant_id"), [b.as_str(), a.as_str()], "by name: {found}");
    app.post(&format!("/api/v1/admin/restaurants/{a}/ban"), Some(&admin), json!({"reason": "hygiene"}))
        .await
        .expect(200);
    let banned = app.get("/api/v1/admin/restaurants?banned=true", Some(&admin)).await.expect(200).clone();
    assert_eq!(ids(&banned, "restaurant_id"), [a.as_str()]);
    assert_eq!(banned[0]["ban_reason"], "hygiene");
    let open = app.get("/api/v1/admin/restaurants?q=dhaba&banned=false", Some(&admin)).await.expect(200).clone();
    assert_eq!(ids(&open, "restaurant_id"), [b.as_str()]);
    assert_eq!(
        ids(app.get(&format!("/api/v1/admin/restaurants?q={a}"), Some(&admin)).await.expect(200), "restaurant_id"),
        [a]
    );
    app.get("/api/v1/admin/restaurants?limit=0", Some(&admin)).await.expect(400);
    app.get("/api/v1/admin/restaurants?banned=1", Some(&admin)).await.expect(400);
}

async fn support_finds_orders_by_phone_or_restaurant(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let first = app.order(&s).await;
    let second = app.order(&s).await;
    app.kitchen(&s, &second, json!({"status": "PREPARING", "estimated_preparation_minutes": 10})).await.expect(200);
    // Another customer's order at another restaurant.
    let other = app.shop().await;
    let third = app.order(&other).await;
    let number =
        app.get("/api/v1/users/profile", Some(&s.customer)).await.expect(200)["phone"].as_str().unwrap().to_owned();
    let by_phone = format!("/api/v1/admin/orders?phone={}", number.replace('+', "%2B"));
    assert_eq!(ids(app.get(&by_phone, Some(&admin)).await.expect(200), "order_id"), [second.as_str(), first.as_str()]);
    let by_shop = format!("/api/v1/admin/orders?restaurant_id={}", s.restaurant);
    assert_eq!(ids(app.get(&by_shop, Some(&admin)).await.expect(200), "order_id"), [second.as_str(), first.as_str()]);
    let preparing = format!("{by_shop}&status=PREPARING");
    assert_eq!(ids(app.get(&preparing, Some(&admin)).await.expect(200), "order_id"), [second.as_str()]);
    assert_eq!(
        ids(app.get(&format!("{by_phone}&status=CONFIRMED"), Some(&admin)).await.expect(200), "order_id"),
        [first.as_str()]
    );
    assert_eq!(
        ids(app.get(&format!("{by_shop}&limit=1&page=2"), Some(&admin)).await.expect(200), "order_id"),
        [first.as_str()]
    );
    // Both filters narrow; none lists the platform's latest orders.
    let mismatch = format!("{by_phone}&restaurant_id={}", other.restaurant);
    assert!(app.get(&mismatch, Some(&admin)).await.expect(200).as_array().unwrap().is_empty());
    let latest = app.get("/api/v1/admin/orders", Some(&admin)).await.expect(200).clone();
    assert_eq!(ids(&latest, "order_id"), [third.as_str(), second.as_str(), first.as_str()]);
    // Nobody has this phone: nothing, not everyone's.
    let nobody = format!("/api/v1/admin/orders?phone={}", phone().replace('+', "%2B"));
    assert!(app.get(&nobody, Some(&admin)).await.expect(200).as_array().unwrap().is_empty());
    for bad in [
        "/api/v1/admin/orders?phone=12".to_owned(),
        "/api/v1/admin/orders?restaurant_id=nope".to_owned(),
        format!("{by_shop}&status=EATEN"),
        format!("{by_shop}&limit=0"),
    ] {
        let r = app.get(&bad, Some(&admin)).await;
        assert_eq!(r.status.as_u16(), 400, "{bad}: {}", r.body);
    }
    // A restaurant nobody has: no orders.
    let missing = format!("/api/v1/admin/orders?restaurant_id={}", uuid::Uuid::now_v7());
    assert!(app.get(&missing, Some(&admin)).await.expect(200).as_array().unwrap().is_empty());
}

async fn support_reads_an_orders_ledger_lines(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let start = app.order_paying(&s, "CARD").await;
    let order = start["order_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/orders/{order}/ledger");
    assert!(app.get(&path, Some(&admin)).await.expect(200).as_array().unwrap().is_empty(), "nothing paid yet");
    assert_eq!(app.pay_card(&start["payment"], "4111111111111111").await.0, 200);
    app.put(&format!("/api/v1/orders/{order}/cancel"), Some(&s.customer), json!({"reason": "ordered twice"}))
        .await
        .expect(200);
    let lines = app.get(&path, Some(&admin)).await.expect(200).clone();
    let lines = lines.as_array().unwrap();
    let mut by_txn: std::collections::BTreeMap<String, (String, i64)> = Default::default();
    for l in lines {
        assert_eq!(l["order_id"], order.as_str());
        let e = by_txn
            .entry(l["txn_id"].as_str().unwrap().to_owned())
            .or_insert((l["kind"].as_str().unwrap().to_owned(), 0));
        e.1 += l["amount"].as_i64().unwrap();
    }
    let kinds: Vec<&str> = by_txn.values().map(|(k, _)| k.as_str()).collect();
    assert!(kinds.contains(&"order.paid") && kinds.contains(&"order.cancelled"), "{kinds:?}");
    assert!(by_txn.values().all(|(_, sum)| *sum == 0), "each transaction balances: {by_txn:?}");
    app.get(&path, Some(&s.customer)).await.expect(403);
    app.get(&format!("/api/v1/admin/orders/{}/ledger", uuid::Uuid::now_v7()), Some(&admin)).await.expect(404);
    app.get("/api/v1/admin/orders/nope/ledger", Some(&admin)).await.expect(400);
}

async fn the_searches_are_for_admins_only(app: TestApp) {
    let s = app.shop().await;
    let rider = app.rider().await;
    for path in [
        "/api/v1/admin/users",
        "/api/v1/admin/restaurants",
        &format!("/api/v1/admin/orders?restaurant_id={}", s.restaurant),
    ] {
        app.get(path, None).await.expect(401);
        for token in [&s.customer, &s.owner, &rider] {
            app.get(path, Some(token)).await.expect(403);
        }
    }
}
