//! Times given with an offset mean the same instant as in UTC: statements and route history
//! for a period written in India's time (`+05:30`) or with a sub-second edge.

use crate::helpers::TestApp;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

/// `t` in the given offset, ready for a query string.
fn at(t: OffsetDateTime, hours: i8, minutes: i8) -> String {
    let offset = UtcOffset::from_hms(hours, minutes, 0).unwrap();
    t.to_offset(offset).format(&Rfc3339).unwrap().replace('+', "%2B")
}

async fn periods_with_an_offset_mean_the_same_instant(app: TestApp) {
    let s = app.shop().await;
    let admin = app.admin().await;
    let order = app.order(&s).await;
    app.kitchen(&s, &order, json!({"status": "PREPARING"})).await.expect(200);
    app.kitchen(&s, &order, json!({"status": "READY"})).await.expect(200);
    for status in ["PICKED_UP", "OUT_FOR_DELIVERY", "DELIVERED"] {
        let path = format!("/api/v1/admin/orders/{order}/status");
        app.patch(&path, Some(&admin), json!({"status": status})).await.expect(200);
    }
    let now = OffsetDateTime::now_utc();
    let payouts = |from: String, to: String| {
        let path = format!("/api/v1/restaurants/{}/payouts?from={from}&to={to}", s.restaurant);
        let owner = s.owner.clone();
        let app = &app;
        async move { app.get(&path, Some(&owner)).await.expect(200)["orders"].as_u64().unwrap() }
    };
    // Ten minutes either side of the delivery, written in IST (as text, 13:…+05:30 sorts after
    // the 07:…Z it means).
    assert_eq!(payouts(at(now - Duration::minutes(10), 5, 30), at(now + Duration::minutes(10), 5, 30)).await, 1);
    assert_eq!(payouts(at(now - Duration::minutes(10), -7, 0), at(now + Duration::minutes(10), 5, 30)).await, 1);
    // A period that ended before it, in IST: nothing.
    assert_eq!(payouts(at(now - Duration::hours(3), 5, 30), at(now - Duration::hours(2), 5, 30)).await, 0);

    // Route history with a sub-second edge: fixes at whole second 1 and at 2.5 s, asked from
    // 1.5 s (as text, `…:01Z` sorted after `…:01.5Z`).
    let (rider, rider_id) = app.rider_with_vehicle().await;
    let order = app.order(&s).await;
    app.post(&format!("/api/v1/admin/orders/{order}/assign"), Some(&admin), json!({"rider_id": rider_id}))
        .await
        .expect(200);
    let base = now.replace_nanosecond(0).unwrap() - Duration::seconds(40);
    let pings: Vec<Value> = [1000, 2500]
        .iter()
        .enumerate()
        .map(|(i, ms)| {
            json!({"lat": 12.97 + i as f64 * 0.0001, "lng": 77.59,
                   "recorded_at": (base + Duration::milliseconds(*ms)).format(&Rfc3339).unwrap()})
        })
        .collect();
    let r = app.post("/api/v1/delivery/location/batch", Some(&rider), json!({"pings": pings})).await;
    assert_eq!(r.expect(200)["accepted"], 2);
    app.state.delivery.history.flush().await;
    let route = |from: String| {
        let q =
            format!("/api/v1/admin/riders/{rider_id}/locations?from={from}&to={}", at(now + Duration::hours(1), 5, 30));
        let (app, admin) = (&app, admin.clone());
        async move { app.get(&q, Some(&admin)).await.expect(200).as_array().unwrap().len() }
    };
    assert_eq!(route(at(base, 0, 0)).await, 2);
    assert_eq!(route(at(base + Duration::milliseconds(1500), 0, 0)).await, 1, "only the fix at 2.5 s");
    assert_eq!(route(at(base + Duration::milliseconds(1500), 5, 30)).await, 1, "the same instant in IST");
    assert_eq!(route(at(base + Duration::milliseconds(2500), -3, -30)).await, 1, "from is inclusive");
    assert_eq!(route(at(base + Duration::milliseconds(2501), 0, 0)).await, 0);
}

crate::both_backends!(periods_with_an_offset_mean_the_same_instant);
