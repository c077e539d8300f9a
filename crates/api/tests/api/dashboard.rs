//! The console's dashboard: its figures against what the test computes from the orders the API
//! shows, and its refusals.

use crate::helpers::{Shop, TestApp};
use crate::ws::SHOP;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

crate::both_backends!(
    the_dashboard_agrees_with_the_orders,
    the_dashboard_counts_the_minutes_of_a_known_day,
    the_dashboard_refuses_bad_periods_and_other_roles,
);

fn at(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap()
}

fn q(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap().replace('+', "%2B")
}

/// The first time the order reached `status`, from its timeline.
fn reached(o: &Value, status: &str) -> Option<OffsetDateTime> {
    o["timeline"].as_array().unwrap().iter().find(|t| t["status"] == status).map(|t| at(&t["at"]))
}

/// Minutes between two moments, counted in whole seconds as the dashboard counts them.
fn minutes(a: OffsetDateTime, b: OffsetDateTime) -> f64 {
    (b - a).whole_seconds() as f64 / 60.0
}

/// Mean and nearest-rank p90, as the test reads the definition.
fn mean_p90(mut v: Vec<f64>) -> (usize, Option<f64>, Option<f64>) {
    if v.is_empty() {
        return (0, None, None);
    }
    v.sort_by(f64::total_cmp);
    let rank = ((v.len() as f64) * 0.9).ceil() as usize;
    (v.len(), Some(v.iter().sum::<f64>() / v.len() as f64), Some(v[rank - 1]))
}

fn close(got: &Value, want: Option<f64>, what: &str) {
    match want {
        None => assert!(got.is_null(), "{what}: {got}"),
        Some(w) => assert!((got.as_f64().unwrap() - w).abs() <= 0.006, "{what}: {got} against {w}"),
    }
}

async fn deliver(app: &TestApp, s: &Shop, admin: &str, order: &str) {
    app.kitchen(s, order, json!({"status": "PREPARING", "estimated_preparation_minutes": 15})).await.expect(200);
    app.kitchen(s, order, json!({"status": "READY"})).await.expect(200);
    for status in ["PICKED_UP", "OUT_FOR_DELIVERY", "DELIVERED"] {
        app.patch(&format!("/api/v1/admin/orders/{order}/status"), Some(admin), json!({"status": status}))
            .await
            .expect(200);
    }
}

async fn the_dashboard_agrees_with_the_orders(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    // From the start of the previous UTC hour: the period's hours are UTC hours.
    let from = dabba_store::stamp::hour_of(OffsetDateTime::now_utc()) - time::Duration::hours(1);
    // Three delivered (one of two dosas), one cancelled by the customer, one refused by the
    // kitchen, one accepted and still cooking, one waiting for the kitchen; all cash.
    let mut orders = Vec::new();
    for fate in ["delivered", "delivered", "delivered2", "customer", "kitchen", "cooking", "waiting"] {
        let qty = if fate == "delivered2" { 2 } else { 1 };
        app.add(&s.customer, &s.restaurant, &s.dosa, qty).await.expect(200);
        let order = app.checkout(&s.customer, &s.address).await.expect(201)["order_id"].as_str().unwrap().to_owned();
        match fate {
            "delivered" | "delivered2" => deliver(&app, &s, &admin, &order).await,
            "customer" => {
                let body = json!({"reason": "ordered by mistake"});
                app.put(&format!("/api/v1/orders/{order}/cancel"), Some(&s.customer), body).await.expect(200);
            }
            "kitchen" => {
                app.kitchen(&s, &order, json!({"status": "CANCELLED", "reason": "out of rice"})).await.expect(200);
            }
            "cooking" => {
                app.kitchen(&s, &order, json!({"status": "PREPARING", "estimated_preparation_minutes": 20}))
                    .await
                    .expect(200);
            }
            _ => {}
        }
        orders.push(order);
    }
    // A card order: the restaurant is asked once it is paid, and accepts it.
    let start = app.order_paying(&s, "CARD").await;
    let card = start["order_id"].as_str().unwrap().to_owned();
    assert_eq!(app.pay_card(&start["payment"], "4111111111111111").await.0, 200);
    app.kitchen(&s, &card, json!({"status": "PREPARING", "estimated_preparation_minutes": 20})).await.expect(200);
    orders.push(card);
    // A rider is seen this hour (a kept position).
    let (rider, _, _socket) = app.rider_online(SHOP.0, SHOP.1).await;
    app.post("/api/v1/delivery/location", Some(&rider), json!({"lat": SHOP.0, "lng": SHOP.1 + 0.0002}))
        .await
        .expect(200);
    app.state.delivery.history.flush().await;
    let to = OffsetDateTime::now_utc() + time::Duration::hours(1);

    let path = format!("/api/v1/admin/dashboard?from={}&to={}", q(from), q(to));
    let d = app.get(&path, Some(&admin)).await.expect(200).clone();

    // The same figures from the orders as the API shows them.
    let mut views = Vec::new();
    for id in &orders {
        views.push(app.get(&format!("/api/v1/orders/{id}"), Some(&admin)).await.expect(200).clone());
    }
    let status = |o: &Value| o["status"].as_str().unwrap().to_owned();
    let delivered: Vec<&Value> = views.iter().filter(|o| status(o) == "DELIVERED").collect();
    let cancelled: Vec<&Value> = views.iter().filter(|o| status(o) == "CANCELLED").collect();
    let gmv: i64 = delivered.iter().map(|o| o["total_amount"].as_i64().unwrap()).sum();
    assert_eq!(d["orders"], views.len());
    assert_eq!(
        (d["delivered"].as_u64(), d["cancelled"].as_u64(), d["in_progress"].as_u64()),
        (Some(3), Some(2), Some(3))
    );
    assert_eq!(d["gmv"], gmv);
    assert_eq!(d["average_order_value"], (gmv as f64 / 3.0).round() as i64);
    let (n, mean, p90) =
        mean_p90(delivered.iter().map(|o| minutes(at(&o["created_at"]), reached(o, "DELIVERED").unwrap())).collect());
    assert_eq!(d["delivery_minutes"]["count"], n);
    close(&d["delivery_minutes"]["mean"], mean, "delivery mean");
    close(&d["delivery_minutes"]["p90"], p90, "delivery p90");
    let accepts: Vec<f64> =
        views.iter().filter_map(|o| Some(minutes(reached(o, "CONFIRMED")?, reached(o, "PREPARING")?))).collect();
    assert_eq!(accepts.len(), 5, "three delivered and two cooking were accepted");
    let (n, mean, p90) = mean_p90(accepts);
    assert_eq!(d["accept_minutes"]["count"], n);
    close(&d["accept_minutes"]["mean"], mean, "accept mean");
    close(&d["accept_minutes"]["p90"], p90, "accept p90");
    // Cancellations by who and why, from the timeline's CANCELLED entry.
    let mut causes: BTreeMap<(String, String), u64> = BTreeMap::new();
    for o in &cancelled {
        let entry = o["timeline"].as_array().unwrap().iter().find(|t| t["status"] == "CANCELLED").unwrap();
        let reason = o["cancel_reason"].as_str().unwrap_or("no reason given").to_owned();
        *causes.entry((entry["actor"].as_str().unwrap().to_owned(), reason)).or_default() += 1;
    }
    let got: BTreeMap<(String, String), u64> = d["cancellations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                (c["cancelled_by"].as_str().unwrap().to_owned(), c["reason"].as_str().unwrap().to_owned()),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, causes);
    assert!(got.contains_key(&("RESTAURANT".to_owned(), "out of rice".to_owned())), "{got:?}");
    // Per hour: every order in the hour it was placed; the rider in this hour.
    let hours = d["hours"].as_array().unwrap();
    assert_eq!(at(&hours[0]["start"]), from);
    assert!(hours.windows(2).all(|w| at(&w[1]["start"]) - at(&w[0]["start"]) == time::Duration::hours(1)));
    let mut want: BTreeMap<OffsetDateTime, (u64, u64, i64)> = BTreeMap::new();
    for o in &views {
        let e = want.entry(dabba_store::stamp::hour_of(at(&o["created_at"]))).or_default();
        e.0 += 1;
        if status(o) == "DELIVERED" {
            e.1 += 1;
            e.2 += o["total_amount"].as_i64().unwrap();
        }
    }
    for h in hours {
        let (orders, delivered, gmv) = want.get(&at(&h["start"])).copied().unwrap_or_default();
        assert_eq!(
            (h["orders"].as_u64(), h["delivered"].as_u64(), h["gmv"].as_i64()),
            (Some(orders), Some(delivered), Some(gmv)),
            "{h}"
        );
    }
    // The rider was seen in one hour (two, if an hour turned while the test ran).
    let seen: i64 = hours.iter().map(|h| h["riders_online"].as_i64().unwrap()).sum();
    assert!((1..=2).contains(&seen), "{hours:?}");
    assert_eq!(d["riders_online_peak"], 1);
    // A period before all of it counts nothing.
    let day = dabba_store::stamp::hour_of(from - time::Duration::days(2));
    let empty = format!("/api/v1/admin/dashboard?from={}&to={}", q(day), q(day + time::Duration::days(1)));
    let e = app.get(&empty, Some(&admin)).await.expect(200).clone();
    assert_eq!((e["orders"].as_u64(), e["hours"].as_array().unwrap().len()), (Some(0), 24));
    assert!(e["delivery_minutes"]["mean"].is_null() && e["average_order_value"].is_null());
}

async fn the_dashboard_refuses_bad_periods_and_other_roles(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let now = OffsetDateTime::now_utc();
    let d = app.get("/api/v1/admin/dashboard", Some(&admin)).await.expect(200).clone();
    assert_eq!(at(&d["to"]) - at(&d["from"]), time::Duration::days(1), "the last 24 hours by default");
    // Hours count from `from`, widened to quarter hours (a local midnight in India is :30 UTC).
    let hours = d["hours"].as_array().unwrap();
    assert_eq!((hours.len(), at(&hours[0]["start"])), (24, at(&d["from"])));
    let odd = dabba_store::stamp::hour_of(now) - time::Duration::hours(5) + time::Duration::seconds(37 * 60 + 12);
    let path = format!("/api/v1/admin/dashboard?from={}&to={}", q(odd), q(odd + time::Duration::hours(2)));
    let w = app.get(&path, Some(&admin)).await.expect(200).clone();
    let quarter = |m: i64| dabba_store::stamp::hour_of(now) - time::Duration::hours(5) + time::Duration::minutes(m);
    assert_eq!((at(&w["from"]), at(&w["to"])), (quarter(30), quarter(165)));
    assert_eq!((w["hours"].as_array().unwrap().len(), at(&w["hours"][0]["start"])), (3, quarter(30)));
    let backwards = format!("/api/v1/admin/dashboard?from={}&to={}", q(now), q(now - time::Duration::hours(1)));
    assert_eq!(app.get(&backwards, Some(&admin)).await.expect(422)["details"][0]["field"], "from");
    let long = format!("/api/v1/admin/dashboard?from={}&to={}", q(now - time::Duration::days(32)), q(now));
    assert_eq!(app.get(&long, Some(&admin)).await.expect(422)["details"][0]["field"], "to");
    app.get("/api/v1/admin/dashboard?from=yesterday", Some(&admin)).await.expect(400);
    app.get("/api/v1/admin/dashboard?days=1", Some(&admin)).await.expect(400);
    app.get("/api/v1/admin/dashboard", None).await.expect(401);
    for token in [&s.customer, &s.owner] {
        app.get("/api/v1/admin/dashboard", Some(token)).await.expect(403);
    }
}

/// The backfill of migration 0009, for this backend.
fn backfill(url: &str) -> &'static str {
    let file = if url.starts_with("sqlite:") {
        include_str!("../../../store/migrations/sqlite/0009_console.sql")
    } else {
        include_str!("../../../store/migrations/postgres/0009_console.sql")
    };
    let start = file.find("UPDATE orders SET").unwrap();
    &file[start..start + file[start..].find(";\n").unwrap()]
}

async fn run_sql(url: &str, sql: &str) {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    }
}

async fn the_dashboard_counts_the_minutes_of_a_known_day(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    // A template order of this shop's customer, copied into a past day with known times.
    let template_id = app.order(&s).await;
    let template = app.store.order(template_id.parse().unwrap()).await.unwrap().unwrap();
    // From half past an hour (a local midnight in India), so kept quarters serve hours off UTC.
    let day =
        dabba_store::stamp::hour_of(OffsetDateTime::now_utc()) - time::Duration::days(3) + time::Duration::minutes(30);
    let mut batch = dabba_store::seed::SeedBatch::default();
    use dabba_domain::order::OrderStatus as S;
    // Ten delivered orders taking 21..=30 minutes (and 10 s), accepted after 1..=10 minutes;
    // two cancelled by the kitchen.
    for i in 0..12i64 {
        let id = uuid::Uuid::now_v7();
        let placed = day + time::Duration::minutes(5 * i);
        let mut o = template.clone();
        o.order_id = id;
        o.created_at = placed;
        o.updated_at = placed;
        let entry = |seq: i32, status, actor: &str, at| dabba_store::model::TimelineEntry {
            order_id: id,
            seq,
            status,
            actor: actor.into(),
            note: None,
            at,
        };
        batch.timeline.push(entry(1, S::Confirmed, "CUSTOMER", placed));
        if i < 10 {
            o.status = S::Delivered;
            batch.timeline.push(entry(2, S::Preparing, "RESTAURANT", placed + time::Duration::minutes(i + 1)));
            batch.timeline.push(entry(3, S::Delivered, "RIDER", placed + time::Duration::seconds((21 + i) * 60 + 10)));
        } else {
            o.status = S::Cancelled;
            o.cancel_reason = Some("kitchen too busy".into());
            batch.timeline.push(entry(2, S::Cancelled, "RESTAURANT", placed + time::Duration::minutes(2)));
        }
        batch.orders.push(o);
    }
    app.store.seed(&batch).await.unwrap();
    let path = format!("/api/v1/admin/dashboard?from={}&to={}", q(day), q(day + time::Duration::days(1)));
    let d = app.get(&path, Some(&admin)).await.expect(200).clone();
    assert_eq!((d["orders"].as_u64(), d["delivered"].as_u64(), d["cancelled"].as_u64()), (Some(12), Some(10), Some(2)));
    // 21m10s..30m10s: mean 25m40s, p90 the 9th, 29m10s; accepted after 1..10 min: 5.5, 9.
    assert_eq!(d["delivery_minutes"], json!({"count": 10, "mean": 25.67, "p90": 29.17}));
    assert_eq!(d["accept_minutes"], json!({"count": 10, "mean": 5.5, "p90": 9.0}));
    assert_eq!(d["cancellations"], json!([{"cancelled_by": "RESTAURANT", "reason": "kitchen too busy", "count": 2}]));
    let hours = d["hours"].as_array().unwrap();
    assert_eq!(hours[0]["orders"], 12, "all placed in the first hour");
    // The day has ended and every order with it: its quarter hours are kept and read back, so
    // blanking the orders' moments changes nothing until the kept quarters go too.
    run_sql(
        &app.database_url,
        "UPDATE orders SET placed_us = NULL, confirmed_us = NULL, accepted_us = NULL, delivered_us = NULL, cancelled_by = NULL",
    )
    .await;
    assert_eq!(app.get(&path, Some(&admin)).await.expect(200).clone(), d, "read from the kept quarters");
    run_sql(&app.database_url, "DELETE FROM dashboard_slots").await;
    let blank = app.get(&path, Some(&admin)).await.expect(200).clone();
    assert_eq!(blank["orders"], 0, "without the moments nothing is counted");
    run_sql(&app.database_url, "DELETE FROM dashboard_slots").await;
    // The migration's backfill, run on these orders, gives the same figures.
    run_sql(&app.database_url, backfill(&app.database_url)).await;
    assert_eq!(app.get(&path, Some(&admin)).await.expect(200).clone(), d);

    // A quarter with an order still moving is not kept: its end shows when it comes. An order
    // seeded into a kept quarter is counted.
    let mut more = dabba_store::seed::SeedBatch::default();
    let (moving, late) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    for (id, minute, status) in [(moving, 600, S::Preparing), (late, 7, S::Cancelled)] {
        let mut o = template.clone();
        (o.order_id, o.status, o.created_at) = (id, status, day + time::Duration::minutes(minute));
        o.cancel_reason = (status == S::Cancelled).then(|| "changed my mind".into());
        more.orders.push(o);
    }
    app.store.seed(&more).await.unwrap();
    let d2 = app.get(&path, Some(&admin)).await.expect(200).clone();
    assert_eq!(
        (d2["orders"].as_u64(), d2["in_progress"].as_u64(), d2["cancelled"].as_u64()),
        (Some(14), Some(1), Some(3))
    );
    let at_ten = time::Duration::minutes(600);
    let moment = dabba_store::micros(day + at_ten + time::Duration::minutes(30));
    let id =
        if app.database_url.starts_with("sqlite:") { format!("X'{}'", moving.simple()) } else { format!("'{moving}'") };
    run_sql(
        &app.database_url,
        &format!("UPDATE orders SET status = 'DELIVERED', delivered_us = {moment} WHERE order_id = {id}"),
    )
    .await;
    let d3 = app.get(&path, Some(&admin)).await.expect(200).clone();
    assert_eq!(
        (d3["in_progress"].as_u64(), d3["delivered"].as_u64()),
        (Some(0), Some(11)),
        "the open quarter was counted again"
    );
    assert_eq!(d3["delivery_minutes"]["count"], 11);
}
