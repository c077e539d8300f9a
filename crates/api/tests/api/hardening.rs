//! Holes a review found, each as the user, fraudster or outage that produces it: an owner's
//! offer booked as the platform's expense, an admin confirming an unpaid order, a charge left
//! payable after its checkout failed, OTP guesses fired in parallel, a reassigned rider closing
//! the delivery, an accept whose request went away.

use crate::helpers::TestApp;
use dabba_domain::order::{Actor, OrderStatus};
use dabba_store::Transition;
use serde_json::{Value, json};
use uuid::Uuid;

mod postgres_only {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_right_code_is_judged_on_the_count_not_a_stale_copy() {
        if let Some(app) = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await {
            super::the_right_code_is_judged_on_the_count_not_a_stale_copy(app).await;
        }
    }
}

crate::both_backends!(
    a_restaurant_funded_offer_comes_off_the_restaurant,
    an_admin_cannot_confirm_an_unpaid_order,
    a_refused_checkout_leaves_no_payable_charge,
    parallel_otp_guesses_count_every_try,
    a_reassigned_rider_cannot_close_the_delivery,
    an_accept_dropped_mid_way_still_ends,
    carts_and_orders_are_bounded,
);

fn id(v: &Value, field: &str) -> String {
    v[field].as_str().unwrap().to_owned()
}

/// Moves an order on as support can, up to `to`.
async fn admin_to(app: &TestApp, admin: &str, order: &str, to: &[&str]) {
    for status in to {
        let r =
            app.patch(&format!("/api/v1/admin/orders/{order}/status"), Some(admin), json!({"status": status})).await;
        r.expect(200);
    }
}

async fn a_restaurant_funded_offer_comes_off_the_restaurant(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    // The fraud: an owner's FLAT offer as large as the food, on cash.
    let offer = json!({"code": "FREEFOOD", "discount_type": "FLAT", "discount_value": 20000,
                       "applicable_to": "RESTAURANT", "restaurant_ids": [s.restaurant]});
    let created = app.post("/api/v1/offers", Some(&s.owner), offer).await;
    assert_eq!(created.expect(201)["funded_by"], "RESTAURANT");
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let cart = app.post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": "FREEFOOD"})).await;
    assert_eq!(cart.expect(200)["bill"]["discount"], 20000);
    let placed = app.checkout(&s.customer, &s.address).await.expect(201).clone();
    let order = id(&placed, "order_id");
    admin_to(&app, &admin, &order, &["PREPARING", "READY", "PICKED_UP", "OUT_FOR_DELIVERY", "DELIVERED"]).await;
    app.drain().await;
    let report = app.ledger_ok().await;
    assert_eq!(report["platform"].get("DISCOUNTS"), None, "the platform funds none of it: {report}");
    let payouts = app.get(&format!("/api/v1/restaurants/{}/payouts", s.restaurant), Some(&s.owner)).await;
    let payouts = payouts.expect(200);
    // Food 200 less its own 200 off: the kitchen keeps the packaging and owes no commission.
    assert_eq!((payouts["discount"].as_i64(), payouts["commission"].as_i64()), (Some(20000), Some(0)), "{payouts}");
    assert_eq!(payouts["net"], placed["bill"]["packaging_fee"], "{payouts}");

    // A platform offer on the same food is the platform's expense, capped by its maximum.
    let platform = json!({"code": "ONUS", "discount_type": "PERCENTAGE", "discount_value": 50, "max_discount": 3000,
                          "min_order_value": 15000, "applicable_to": "ALL"});
    assert_eq!(app.post("/api/v1/offers", Some(&admin), platform).await.expect(201)["funded_by"], "PLATFORM");
    app.add(&s.customer, &s.restaurant, &s.dosa, 1).await.expect(200);
    let cart = app.post("/api/v1/cart/apply-offer", Some(&s.customer), json!({"promo_code": "ONUS"})).await;
    assert_eq!(cart.expect(200)["bill"]["discount"], 3000, "the maximum discount holds");
    let second = app.checkout(&s.customer, &s.address).await.expect(201).clone();
    admin_to(
        &app,
        &admin,
        &id(&second, "order_id"),
        &["PREPARING", "READY", "PICKED_UP", "OUT_FOR_DELIVERY", "DELIVERED"],
    )
    .await;
    let report = app.ledger_ok().await;
    assert_eq!(report["platform"]["DISCOUNTS"], 3000, "{report}");
}

async fn an_admin_cannot_confirm_an_unpaid_order(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let placed = app.order_paying(&s, "CARD").await;
    let order = id(&placed, "order_id");
    let r =
        app.patch(&format!("/api/v1/admin/orders/{order}/status"), Some(&admin), json!({"status": "CONFIRMED"})).await;
    assert!(r.expect(403)["message"].as_str().unwrap().contains("payment"), "{}", r.body);
    assert_eq!(app.order_of(&s.customer, &order).await["status"], "PENDING", "only a settled payment confirms");
    // Paying it does.
    let (status, _) = app.pay_card(&placed["payment"], "4111111111111111").await;
    assert_eq!(status, 200);
    assert_eq!(app.order_of(&s.customer, &order).await["status"], "CONFIRMED");
    app.ledger_ok().await;
}

async fn a_refused_checkout_leaves_no_payable_charge(app: TestApp) {
    let s = app.shop().await;
    let sandbox = app.state.payments.sandbox.clone().unwrap();
    app.patch(&format!("/api/v1/restaurants/{}", s.restaurant), Some(&s.owner), json!({"kitchen_limit": 1}))
        .await
        .expect(200);
    app.order(&s).await;
    let before = sandbox.payable_charges();
    // The charge is opened, then the kitchen's limit refuses the order in its transaction.
    let (other, address) = app.customer_near(12.9716 + 1.0 / 111.195, 77.5946).await;
    app.add(&other, &s.restaurant, &s.dosa, 1).await.expect(200);
    let key = Uuid::new_v4().to_string();
    let r = app.checkout_body(&other, &key, json!({"address_id": address, "payment_method": "CARD"})).await;
    assert_eq!(r.expect(409)["error_code"], "RESTAURANT_BUSY");
    assert_eq!(sandbox.payable_charges(), before, "the refused checkout's charge was cancelled");
    assert!(app.get("/api/v1/orders", Some(&other)).await.expect(200).as_array().unwrap().is_empty());
}

/// An order out for delivery with `rider`; returns its id.
async fn out_for_delivery(app: &TestApp, s: &crate::helpers::Shop, admin: &str, rider_id: &str) -> String {
    let order = app.order(s).await;
    app.post(&format!("/api/v1/admin/orders/{order}/assign"), Some(admin), json!({"rider_id": rider_id}))
        .await
        .expect(200);
    admin_to(app, admin, &order, &["PREPARING", "READY", "PICKED_UP", "OUT_FOR_DELIVERY"]).await;
    order
}

async fn parallel_otp_guesses_count_every_try(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let (rider, rider_id) = app.rider_with_vehicle().await;
    let order = out_for_delivery(&app, &s, &admin, &rider_id).await;
    let otp = id(&app.order_of(&s.customer, &order).await, "delivery_otp");
    let path = format!("/api/v1/delivery/orders/{order}/status");
    // 40 wrong guesses at once: five tries in all, so four are told "wrong" and it locks.
    let guesses: Vec<String> = (0..10_000).map(|n| format!("{n:04}")).filter(|g| *g != otp).take(40).collect();
    let replies = futures_util::future::join_all(
        guesses.iter().map(|g| app.put(&path, Some(&rider), json!({"status": "DELIVERED", "otp": g}))),
    )
    .await;
    assert!(replies.iter().all(|r| r.status == 422), "every guess is refused");
    let counted = replies.iter().filter(|r| r.code() == "INVALID_OTP").count();
    assert_eq!(counted, 4, "exactly four wrong codes are answered as wrong tries");
    let r = app.put(&path, Some(&rider), json!({"status": "DELIVERED", "otp": otp})).await;
    assert_eq!(r.expect(422)["error_code"], "OTP_LOCKED", "the right code comes too late");
    assert_eq!(app.order_of(&s.customer, &order).await["status"], "OUT_FOR_DELIVERY");
}

/// The race itself, made certain: the right code's request reads the order while the last
/// wrong tries are being counted (a transaction of the test holds them, uncommitted). Its try
/// must wait for that count, and so be refused.
async fn the_right_code_is_judged_on_the_count_not_a_stale_copy(app: TestApp) {
    use sqlx::Connection;
    let s = app.shop().await;
    let admin = app.admin().await;
    let (rider, rider_id) = app.rider_with_vehicle().await;
    let order = out_for_delivery(&app, &s, &admin, &rider_id).await;
    let otp = id(&app.order_of(&s.customer, &order).await, "delivery_otp");
    let order_id: Uuid = order.parse().unwrap();
    let mut other = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
    let mut tx = other.begin().await.unwrap();
    sqlx::query("UPDATE orders SET otp_attempts = 5 WHERE order_id = $1")
        .bind(order_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    let path = format!("/api/v1/delivery/orders/{order}/status");
    let right = app.put(&path, Some(&rider), json!({"status": "DELIVERED", "otp": otp}));
    let commit_once_waiting = async {
        // The event: the request's write is queued behind the test's lock.
        let mut watch = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
        loop {
            let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_locks WHERE NOT granted")
                .fetch_one(&mut watch)
                .await
                .unwrap();
            if waiting > 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        tx.commit().await.unwrap();
    };
    let (reply, ()) = tokio::join!(right, commit_once_waiting);
    assert_eq!(reply.expect(422)["error_code"], "OTP_LOCKED", "{}", reply.body);
    assert_eq!(app.order_of(&s.customer, &order).await["status"], "OUT_FOR_DELIVERY");
}

async fn a_reassigned_rider_cannot_close_the_delivery(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let (first, first_id) = app.rider_with_vehicle().await;
    let (_, second_id) = app.rider_with_vehicle().await;
    let order = out_for_delivery(&app, &s, &admin, &first_id).await;
    let seen = app.store.order(order.parse().unwrap()).await.unwrap().unwrap();
    // Support gives the order to another rider while the first one's DELIVERED is in flight:
    // the write that first rider's request makes (it read the order before) must not apply.
    app.post(&format!("/api/v1/admin/orders/{order}/assign"), Some(&admin), json!({"rider_id": second_id}))
        .await
        .expect(200);
    let late = Transition {
        order_id: seen.order_id,
        from: OrderStatus::OutForDelivery,
        to: OrderStatus::Delivered,
        actor: Actor::Rider,
        note: None,
        cancel: None,
        preparation_minutes: None,
        estimated_delivery_time: None,
        accept_by: None,
        rider: Some(first_id.parse().unwrap()),
        events: vec![],
        money: dabba_api::orders::money::delivery_money(&app.state, &seen).await.unwrap(),
    };
    assert!(!app.store.transition(&late).await.unwrap(), "the first rider no longer holds the order");
    let now = app.order_of(&s.customer, &order).await;
    assert_eq!(
        (now["status"].as_str(), now["rider_id"].as_str()),
        (Some("OUT_FOR_DELIVERY"), Some(second_id.as_str()))
    );
    // And over the API the first rider cannot see or move it.
    let otp = id(&now, "delivery_otp");
    let r = app
        .put(
            &format!("/api/v1/delivery/orders/{order}/status"),
            Some(&first),
            json!({"status": "DELIVERED", "otp": otp}),
        )
        .await;
    r.expect(404);
    let earnings = app.get("/api/v1/delivery/earnings", Some(&first)).await;
    assert_eq!(earnings.expect(200)["total"], 0, "and is not paid for it");
    app.ledger_ok().await;
}

async fn an_accept_dropped_mid_way_still_ends(app: TestApp) {
    let s = app.shop().await;
    let (rider, rider_id, mut rider_ws) = app.rider_online(crate::ws::SHOP.0, crate::ws::SHOP.1).await;
    let order = app.order(&s).await;
    rider_ws.until("offer", |v| v["order_id"] == order.as_str()).await;
    // The rider's phone loses its connection while the accept is being written: the request's
    // future is dropped at its first wait.
    let accepting =
        dabba_api::delivery::offers::accept_offer(&app.state, order.parse().unwrap(), rider_id.parse().unwrap());
    let _ = tokio::time::timeout(std::time::Duration::ZERO, accepting).await;
    // The accept ends anyway: the order is the rider's (the assignment event says so).
    app.drain().await;
    let mut watcher = app.watch(&order, &s.customer).await;
    let p = watcher.until("partner_assigned", |_| true).await;
    assert_eq!(p["partner"]["rider_id"], rider_id.as_str());
    let mine = app.get("/api/v1/delivery/orders/current", Some(&rider)).await;
    assert_eq!(mine.expect(200)[0]["order_id"], order.as_str());
}

async fn carts_and_orders_are_bounded(app: TestApp) {
    let s = app.shop().await;
    // A lakh-rupee dish six times over: more food than one order may carry.
    let dear = app.item(&s.owner, &s.restaurant, &s.category, json!({"name": "Gold Thali", "price": 10_000_000})).await;
    app.add(&s.customer, &s.restaurant, &id(&dear, "item_id"), 6).await.expect(200);
    let r = app.checkout(&s.customer, &s.address).await;
    assert_eq!(r.expect(409)["error_code"], "ORDER_TOO_LARGE");
    app.add(&s.customer, &s.restaurant, &id(&dear, "item_id"), 50).await.expect(409);
    app.delete("/api/v1/cart/clear", Some(&s.customer)).await;
    // Fifty different dishes fit in a cart; the fifty-first does not.
    for n in 0..51 {
        let item =
            app.item(&s.owner, &s.restaurant, &s.category, json!({"name": format!("Dish {n}"), "price": 100})).await;
        let r = app.add(&s.customer, &s.restaurant, &id(&item, "item_id"), 1).await;
        if n < 50 {
            r.expect(200);
        } else {
            assert_eq!(r.expect(409)["error_code"], "CART_FULL");
        }
    }
    assert!(app.get("/api/v1/orders", Some(&s.customer)).await.expect(200).as_array().unwrap().is_empty());
}
