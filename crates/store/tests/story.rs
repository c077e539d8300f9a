//! The storage story: one walk through every store call, run against SQLite always and against
//! PostgreSQL when `DABBA_TEST_DATABASE_URL` is set. Both backends must tell the same story.

use dabba_domain::hours::DayHours;
use dabba_domain::{Role, WeeklyHours};
use dabba_store::model::*;
use dabba_store::seed::SeedBatch;
use dabba_store::{Store, StoreError, StoreOptions};
use std::sync::Arc;
use uuid::Uuid;

async fn sqlite() -> Arc<dyn Store> {
    let dir = std::env::temp_dir().join(format!("dabba-story-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = dabba_store::connect(&format!("sqlite://{}", dir.join("s.db").display()), &StoreOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store
}

async fn postgres() -> Option<Arc<dyn Store>> {
    use sqlx::Connection;
    let base = pg_test_url()?;
    let schema = format!("t_{}", Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut conn).await.unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let store =
        dabba_store::connect(&format!("{base}{sep}options=-c%20search_path%3D{schema}"), &StoreOptions::default())
            .await
            .unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.expect("migrating twice is harmless");
    Some(store)
}

fn new_user(phone: &str, email: Option<&str>, role: Role) -> NewUser {
    NewUser {
        user_id: Uuid::now_v7(),
        name: "Asha".into(),
        phone: phone.into(),
        email: email.map(Into::into),
        password_hash: "$argon2id$fake".into(),
        role,
        approved: true,
    }
}

fn restaurant(owner: Uuid, lat: f64, lng: f64) -> Restaurant {
    let now = dabba_store::now_utc();
    let day = Some(DayHours { open: "18:00".into(), close: "02:00".into() });
    Restaurant {
        restaurant_id: Uuid::now_v7(),
        owner_id: owner,
        name: "Night Owl".into(),
        description: Some("late food".into()),
        cuisines: vec!["Biryani".into(), "Kerala".into()],
        tags: Vec::new(),
        latitude: lat,
        longitude: lng,
        address: PostalAddress {
            line1: "1 Road".into(),
            line2: Some("Floor 2".into()),
            city: "Kochi".into(),
            state: None,
            pincode: Some("682001".into()),
        },
        phone: Some("+919876543210".into()),
        cost_for_two: 60000,
        avg_preparation_minutes: 25,
        learned_preparation_minutes: None,
        delivery_radius_km: 6.5,
        min_order_value: 14900,
        is_veg: false,
        operating_hours: WeeklyHours { friday: day.clone(), saturday: day, ..Default::default() },
        timezone: "Asia/Kolkata".into(),
        is_paused: false,
        kitchen_limit: None,
        is_banned: false,
        ban_reason: None,
        rating_avg: 4.3,
        rating_count: 120,
        created_at: now,
        updated_at: now,
    }
}

async fn story(store: Arc<dyn Store>) {
    // Users: unique phone and email, mapped to the field that clashed.
    let asha = store.create_user(new_user("+911111111111", Some("asha@example.com"), Role::Customer)).await.unwrap();
    assert_eq!(store.user(asha.user_id).await.unwrap().unwrap(), asha, "what is read back equals what was written");
    let clash = store.create_user(new_user("+911111111111", None, Role::Customer)).await.unwrap_err();
    assert!(matches!(clash, StoreError::Conflict { field: "phone" }), "{clash:?}");
    let clash =
        store.create_user(new_user("+912222222222", Some("asha@example.com"), Role::Customer)).await.unwrap_err();
    assert!(matches!(clash, StoreError::Conflict { field: "email" }), "{clash:?}");
    let (found, hash) = store.user_for_login(None, Some("asha@example.com")).await.unwrap().unwrap();
    assert_eq!((found.user_id, hash.as_str()), (asha.user_id, "$argon2id$fake"));
    assert!(store.user_for_login(Some("+910000000000"), None).await.unwrap().is_none());
    let changed = store
        .update_profile(
            asha.user_id,
            ProfileChange { name: Some("Asha R".into()), email: Some(None), ..Default::default() },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (changed.name.as_str(), changed.email.as_deref(), changed.phone.as_str()),
        ("Asha R", None, "+911111111111")
    );

    // Sessions and bans.
    let sid = Uuid::now_v7();
    store.create_session(sid, asha.user_id, dabba_store::now_utc()).await.unwrap();
    assert_eq!(store.session_principal(sid).await.unwrap().unwrap().role, Role::Customer);
    store.set_user_ban(asha.user_id, Some("spam".into())).await.unwrap();
    let p = store.session_principal(sid).await.unwrap().unwrap();
    assert!(p.is_banned && p.ban_reason.as_deref() == Some("spam"));
    store.set_user_ban(asha.user_id, None).await.unwrap();
    assert!(!store.session_principal(sid).await.unwrap().unwrap().is_banned);
    store.revoke_session(sid).await.unwrap();
    assert!(store.session_principal(sid).await.unwrap().is_none());

    // Addresses: one default at all times.
    let addr = |line: &str, default: bool| Address {
        address_id: Uuid::now_v7(),
        user_id: asha.user_id,
        address_type: "HOME".into(),
        address_line1: line.into(),
        address_line2: None,
        landmark: None,
        city: "Kochi".into(),
        state: None,
        pincode: None,
        latitude: 9.93,
        longitude: 76.26,
        is_default: default,
        created_at: dabba_store::now_utc(),
    };
    let a = store.create_address(addr("a", false), 5).await.unwrap();
    assert!(a.is_default);
    let b = store.create_address(addr("b", true), 5).await.unwrap();
    let list = store.addresses(asha.user_id).await.unwrap();
    assert_eq!(list.iter().filter(|x| x.is_default).count(), 1);
    assert_eq!(list[0].address_id, b.address_id);
    assert!(store.delete_address(asha.user_id, b.address_id).await.unwrap());
    assert!(store.addresses(asha.user_id).await.unwrap()[0].is_default, "the default moved to the remaining address");
    assert!(!store.delete_address(Uuid::now_v7(), a.address_id).await.unwrap(), "only the owner deletes");
    let full = store.create_address(addr("c", false), 1).await.unwrap_err();
    assert!(matches!(full, StoreError::Refused { code: "TOO_MANY_ADDRESSES", .. }), "{full:?}");

    // Restaurants and menus: JSON columns round-trip exactly.
    let owner = store.create_user(new_user("+913333333333", None, Role::Restaurant)).await.unwrap();
    let r = restaurant(owner.user_id, 9.9312, 76.2673);
    store.create_restaurant(r.clone()).await.unwrap();
    assert_eq!(store.restaurant(r.restaurant_id).await.unwrap().unwrap(), r);
    let far = restaurant(owner.user_id, 28.6139, 77.2090);
    store.create_restaurant(far.clone()).await.unwrap();
    let changed = store.restaurants_changed_since(r.updated_at).await.unwrap();
    assert_eq!(changed.len(), 2, "both restaurants changed at or after the first one's write");
    let later = store.restaurants_changed_since(far.updated_at + time::Duration::seconds(1)).await.unwrap();
    assert!(later.is_empty());
    store.set_restaurant_ban(r.restaurant_id, Some("closed by order".into())).await.unwrap();
    let changed = store.restaurants_changed_since(far.updated_at + time::Duration::milliseconds(1)).await.unwrap();
    assert_eq!(changed.len(), 1, "a ban is a change; banned rows are still reported");
    assert!(changed[0].is_banned);
    assert_eq!(store.restaurants_of_owner(owner.user_id).await.unwrap().len(), 2);
    let current = store.restaurant(r.restaurant_id).await.unwrap().unwrap();
    let mut stale = r.clone();
    stale.name = "Lost update".into();
    stale.updated_at = dabba_store::now_utc();
    assert!(!store.update_restaurant(&stale, r.updated_at).await.unwrap(), "the ban came after this read: refused");
    let mut edited = current.clone();
    edited.name = "Night Owl Cafe".into();
    edited.operating_hours = WeeklyHours::default();
    edited.updated_at = dabba_store::now_utc();
    assert!(store.update_restaurant(&edited, current.updated_at).await.unwrap());
    let back = store.restaurant(r.restaurant_id).await.unwrap().unwrap();
    assert_eq!((back.name.as_str(), back.is_banned), ("Night Owl Cafe", true), "edits keep the ban");

    let cat = |name: &str, position| Category {
        category_id: Uuid::now_v7(),
        restaurant_id: r.restaurant_id,
        name: name.into(),
        position,
    };
    let (c1, c2) = (cat("Mains", 0), cat("Drinks", 1));
    store.create_category(c1.clone()).await.unwrap();
    store.create_category(c2.clone()).await.unwrap();
    assert!(store.reorder_categories(r.restaurant_id, &[c2.category_id, c1.category_id]).await.unwrap());
    assert_eq!(store.categories(r.restaurant_id).await.unwrap()[0].category_id, c2.category_id);
    let now = dabba_store::now_utc();
    let item = MenuItem {
        item_id: Uuid::now_v7(),
        restaurant_id: r.restaurant_id,
        category_id: c1.category_id,
        name: "Appam".into(),
        description: None,
        price: 9900,
        is_veg: true,
        is_available: true,
        is_bestseller: false,
        stock: Some(3),
        image: None,
        position: 0,
        customizations: vec![CustomizationGroup {
            group_id: Uuid::now_v7(),
            name: "Side".into(),
            required: true,
            min_selections: 1,
            max_selections: 1,
            options: vec![CustomizationOption { option_id: Uuid::now_v7(), label: "Stew".into(), price: 4000 }],
        }],
        created_at: now,
        updated_at: now,
    };
    store.create_item(&item).await.unwrap();
    assert_eq!(store.item(r.restaurant_id, item.item_id).await.unwrap().unwrap(), item);
    assert!(store.item(far.restaurant_id, item.item_id).await.unwrap().is_none(), "items belong to their restaurant");
    let refused = store.delete_category(r.restaurant_id, c1.category_id).await.unwrap_err();
    assert!(matches!(refused, StoreError::Refused { code: "CATEGORY_NOT_EMPTY", .. }));
    let mut sold_out = item.clone();
    sold_out.stock = Some(0);
    sold_out.is_available = false;
    sold_out.updated_at = dabba_store::now_utc();
    assert!(store.update_item(&sold_out, item.updated_at).await.unwrap());
    assert!(!store.update_item(&sold_out, item.updated_at).await.unwrap(), "stale");
    assert_eq!(store.items(r.restaurant_id).await.unwrap(), vec![sold_out]);
    assert!(store.delete_item(r.restaurant_id, item.item_id).await.unwrap());
    assert!(store.delete_category(r.restaurant_id, c1.category_id).await.unwrap());

    // Seeding is all or nothing.
    let before = store.restaurant_count().await.unwrap();
    let dup = SeedBatch {
        users: vec![new_user("+914444444444", None, Role::Customer), new_user("+914444444444", None, Role::Customer)],
        ..Default::default()
    };
    assert!(store.seed(&dup).await.is_err());
    assert!(
        store.user_for_login(Some("+914444444444"), None).await.unwrap().is_none(),
        "the failed batch left nothing"
    );
    let seeded = SeedBatch { restaurants: vec![restaurant(owner.user_id, 9.9, 76.2)], ..Default::default() };
    store.seed(&seeded).await.unwrap();
    assert_eq!(store.restaurant_count().await.unwrap(), before + 1);
    store.ping().await.unwrap();
    store.close().await;
    assert!(store.ping().await.is_err(), "a closed store is not ready");
}

#[tokio::test]
async fn sqlite_story() {
    story(sqlite().await).await;
}

#[tokio::test]
async fn postgres_story() {
    // Runs only where DABBA_TEST_DATABASE_URL is set (CI sets it).
    if let Some(store) = postgres().await {
        story(store).await;
    }
}

#[tokio::test]
async fn unknown_schemes_are_refused() {
    let err = dabba_store::connect("mysql://localhost/x", &StoreOptions::default()).await.err().unwrap();
    assert!(err.to_string().contains("unsupported database URL scheme"), "{err}");
}

/// The PostgreSQL URL for tests. Unset, the PostgreSQL variants are skipped on a developer's
/// machine; in CI (`CI=true`) that is a failure, never a silent skip.
fn pg_test_url() -> Option<String> {
    let url = std::env::var("DABBA_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() && std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("CI is set but DABBA_TEST_DATABASE_URL is not: the PostgreSQL tests would be skipped");
    }
    url
}
