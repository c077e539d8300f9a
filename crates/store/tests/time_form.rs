//! SQLite's migration to one text form of times: rows written before it (with the writer's
//! offset, fractions of any length) are rewritten so that comparing the text compares times.

use dabba_store::StoreOptions;
use sqlx::Connection;
use uuid::Uuid;

#[tokio::test]
async fn old_times_are_rewritten_in_utc_with_microseconds() {
    let dir = std::env::temp_dir().join(format!("dabba-times-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let store = dabba_store::connect(&url, &StoreOptions::default()).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;

    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    // As sqlx wrote them before: the caller's offset, the fraction trimmed or absent.
    let old = [
        ("a", "2026-12-04T13:02:31.5+05:30"),
        ("b", "2026-12-04T07:32:31Z"),
        ("c", "2026-12-04T07:32:31.000001Z"),
        ("d", "2026-12-04T02:32:32-05:00"),
        ("e", "2026-12-04T07:32:31.123456789Z"),
        // A fraction near the next second with an offset (SQLite's own conversion rounds to
        // milliseconds), and one with no zone at all (UTC).
        ("f", "2026-12-04T13:02:32.9995+05:30"),
        ("g", "2026-12-04 07:32:33.25"),
    ];
    for (id, at) in old {
        sqlx::query("INSERT INTO gateway_events (event_id, payment_id, kind, received_at) VALUES ($1, $2, 'paid', $3)")
            .bind(id)
            .bind(Uuid::now_v7())
            .bind(at)
            .execute(&mut db)
            .await
            .unwrap();
    }
    // Before: the text order is not the time order.
    let before: Vec<(String,)> =
        sqlx::query_as("SELECT event_id FROM gateway_events ORDER BY received_at").fetch_all(&mut db).await.unwrap();
    assert_ne!(before.iter().map(|r| r.0.as_str()).collect::<String>(), "bcead");

    let migration = include_str!("../migrations/sqlite/0008_time_form.sql");
    for _ in 0..2 {
        // Twice: a second run changes nothing.
        sqlx::raw_sql(migration).execute(&mut db).await.unwrap();
    }
    let after: Vec<(String, String)> =
        sqlx::query_as("SELECT event_id, received_at FROM gateway_events ORDER BY received_at")
            .fetch_all(&mut db)
            .await
            .unwrap();
    let got: Vec<(&str, &str)> = after.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(
        got,
        [
            ("b", "2026-12-04T07:32:31.000000Z"),
            ("c", "2026-12-04T07:32:31.000001Z"),
            ("e", "2026-12-04T07:32:31.123456Z"),
            ("a", "2026-12-04T07:32:31.500000Z"),
            ("d", "2026-12-04T07:32:32.000000Z"),
            ("f", "2026-12-04T07:32:32.999500Z"),
            ("g", "2026-12-04T07:32:33.250000Z"),
        ]
    );
    // And each is what the store writes now.
    let now = time::macros::datetime!(2026-12-04 13:02:31.5 +05:30);
    assert_eq!(dabba_store::stamp::text(now), after[3].1);
}
