use crate::helpers::TestApp;
use dabba_domain::WeeklyHours;
use dabba_store::seed::SeedBatch;
use serde_json::{Value, json};
use uuid::Uuid;

const LAT: f64 = 12.9716;
const LNG: f64 = 77.5946;
/// Kilometres per degree of latitude on the sphere the server measures with.
const KM_PER_DEG: f64 = 111.1951;

struct Spec {
    name: &'static str,
    north_km: f64,
    rating: f64,
    cost: i64,
    prep: i32,
    veg: bool,
    cuisines: &'static [&'static str],
    always_open: bool,
}

const BASE: Spec = Spec {
    name: "R",
    north_km: 0.0,
    rating: 4.0,
    cost: 40000,
    prep: 20,
    veg: false,
    cuisines: &["Chinese"],
    always_open: true,
};

/// Writes restaurants with fixed ratings straight through the store (ratings come from
/// reviews, which have no API yet).
async fn city(app: &TestApp, specs: &[Spec]) {
    let (_, owner) = app.user("RESTAURANT").await;
    let owner: Uuid = owner.parse().unwrap();
    let restaurants = specs
        .iter()
        .map(|s| {
            let mut r = crate::helpers::stored_restaurant(owner, LAT + s.north_km / KM_PER_DEG, LNG);
            r.name = s.name.into();
            r.cuisines = s.cuisines.iter().map(|c| c.to_string()).collect();
            r.cost_for_two = s.cost;
            r.avg_preparation_minutes = s.prep;
            r.is_veg = s.veg;
            r.rating_avg = s.rating;
            if !s.always_open {
                r.operating_hours = WeeklyHours::default();
            }
            r
        })
        .collect::<Vec<_>>();
    let ids: Vec<Uuid> = restaurants.iter().map(|r: &dabba_store::model::Restaurant| r.restaurant_id).collect();
    app.store.seed(&SeedBatch { restaurants, ..Default::default() }).await.unwrap();
    // Bulk-loaded behind the API's back (no events): make the index read them now.
    app.state.discovery.reload(&ids).await.unwrap();
}

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let r = app.get(&format!("/api/v1/restaurants?lat={LAT}&lng={LNG}&{query}"), None).await;
    r.expect(200)["restaurants"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap().to_owned()).collect()
}

async fn serviceability_follows_each_restaurants_radius(app: TestApp) {
    city(&app, &[Spec { name: "Here", ..BASE }]).await;
    let at = |km: f64| format!("/api/v1/restaurants?lat={}&lng={LNG}", LAT - km / KM_PER_DEG);
    let inside = app.get(&at(4.95), None).await;
    let list = inside.expect(200)["restaurants"].as_array().unwrap().clone();
    assert_eq!(list.len(), 1, "4.95 km is inside a 5 km radius");
    assert!((list[0]["distance_km"].as_f64().unwrap() - 4.95).abs() < 0.01);
    assert!(list[0]["estimated_delivery_minutes"].as_u64().unwrap() > 20);
    let outside = app.get(&at(5.05), None).await;
    assert_eq!(outside.expect(200)["total"], 0, "5.05 km is outside");
}

async fn filters_narrow_the_list(app: TestApp) {
    city(
        &app,
        &[
            Spec { name: "Veg", veg: true, cuisines: &["South Indian"], rating: 4.5, cost: 20000, ..BASE },
            Spec { name: "Wok", cuisines: &["Chinese", "Thai"], rating: 3.5, cost: 60000, ..BASE },
            Spec { name: "Closed", always_open: false, rating: 4.8, cost: 30000, ..BASE },
        ],
    )
    .await;
    let mut chinese = names(&app, "cuisine=CHINESE").await;
    chinese.sort();
    assert_eq!(chinese, ["Closed", "Wok"]);
    assert_eq!(names(&app, "veg_only=true").await, ["Veg"]);
    let mut rated = names(&app, "min_rating=4.5").await;
    rated.sort();
    assert_eq!(rated, ["Closed", "Veg"]);
    let mut cheap = names(&app, "max_cost_for_two=30000").await;
    cheap.sort();
    assert_eq!(cheap, ["Closed", "Veg"]);
    let mut open = names(&app, "open_now=true").await;
    open.sort();
    assert_eq!(open, ["Veg", "Wok"]);
    let all = app.get(&format!("/api/v1/restaurants?lat={LAT}&lng={LNG}"), None).await.expect(200).clone();
    let closed: Vec<&Value> = all["restaurants"].as_array().unwrap().iter().filter(|r| r["name"] == "Closed").collect();
    assert_eq!(closed[0]["is_open"], false);
}

async fn sorts_order_the_list(app: TestApp) {
    city(
        &app,
        &[
            Spec { name: "Near", north_km: 0.5, rating: 3.0, cost: 50000, prep: 40, ..BASE },
            Spec { name: "Mid", north_km: 1.5, rating: 4.9, cost: 30000, prep: 10, ..BASE },
            Spec { name: "Far", north_km: 3.0, rating: 4.0, cost: 10000, prep: 25, ..BASE },
        ],
    )
    .await;
    assert_eq!(names(&app, "").await, ["Near", "Mid", "Far"], "distance by default");
    assert_eq!(names(&app, "sort=rating").await, ["Mid", "Far", "Near"]);
    assert_eq!(names(&app, "sort=cost").await, ["Far", "Mid", "Near"]);
    // Mid: 10 + 5 + 8 = 23; Far: 25 + 13 + 8 = 46; Near: 40 + 3 + 8 = 51.
    assert_eq!(names(&app, "sort=delivery_time").await, ["Mid", "Far", "Near"]);
}

async fn pages_are_stable_and_disjoint(app: TestApp) {
    // Equal distances: the id tie-break keeps pages stable.
    let specs: Vec<Spec> = ["A", "B", "C", "D", "E"].iter().map(|n| Spec { name: n, north_km: 1.0, ..BASE }).collect();
    city(&app, &specs).await;
    let mut seen = Vec::new();
    for page in 1..=3 {
        let r = app.get(&format!("/api/v1/restaurants?lat={LAT}&lng={LNG}&limit=2&page={page}"), None).await;
        let body = r.expect(200).clone();
        assert_eq!((body["total"].clone(), body["total_exact"].clone()), (json!(5), json!(true)));
        for x in body["restaurants"].as_array().unwrap() {
            seen.push(x["restaurant_id"].as_str().unwrap().to_owned());
        }
    }
    let again: Vec<String> = names(&app, "limit=5").await;
    assert_eq!(again.len(), 5);
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(seen.len(), 5);
    assert_eq!(unique.len(), 5, "no restaurant on two pages");
    let first_again = app.get(&format!("/api/v1/restaurants?lat={LAT}&lng={LNG}&limit=2&page=1"), None).await;
    assert_eq!(first_again.expect(200)["restaurants"][0]["restaurant_id"].as_str().unwrap(), seen[0]);
}

async fn totals_are_counted_up_to_a_thousand(app: TestApp) {
    // 1,004 restaurants within 100 m, three of them veg.
    let specs: Vec<Spec> =
        (0..1004).map(|i| Spec { north_km: f64::from(i) * 0.0001, veg: i % 400 == 7, ..BASE }).collect();
    city(&app, &specs).await;
    let first = app.get(&format!("/api/v1/restaurants?lat={LAT}&lng={LNG}&limit=50"), None).await;
    let body = first.expect(200);
    assert_eq!((body["total"].clone(), body["total_exact"].clone()), (json!(1000), json!(false)));
    // Paging goes on past the count: page 21 holds the last four.
    let last = app.get(&format!("/api/v1/restaurants?lat={LAT}&lng={LNG}&limit=50&page=21"), None).await;
    assert_eq!(last.expect(200)["restaurants"].as_array().unwrap().len(), 4);
    let veg = app.get(&format!("/api/v1/restaurants?lat={LAT}&lng={LNG}&veg_only=true"), None).await;
    let body = veg.expect(200);
    assert_eq!((body["total"].clone(), body["total_exact"].clone()), (json!(3), json!(true)));
    let small = app.get(&format!("/api/v1/restaurants?lat={LAT}&lng={LNG}&min_rating=4.5"), None).await;
    assert_eq!(small.expect(200)["total"], 0);
}

async fn listing_cards_are_search_cards(app: TestApp) {
    // The listing writes its cards from borrowed views; they must read exactly like search's.
    city(&app, &[Spec { name: "Dosa Hut", north_km: 1.0, ..BASE }]).await;
    let listed = app.get(&format!("/api/v1/restaurants?lat={LAT}&lng={LNG}"), None).await;
    let found = app.get(&format!("/api/v1/search?q=dosa&lat={LAT}&lng={LNG}"), None).await;
    let card = listed.expect(200)["restaurants"][0].clone();
    assert_eq!(card["name"], "Dosa Hut");
    assert_eq!(card, found.expect(200)["restaurants"][0]);
}

async fn bad_listing_parameters_are_400(app: TestApp) {
    for q in [
        "lng=77.5",
        "lat=12.9",
        "lat=100&lng=77.5",
        "lat=12.9&lng=200",
        "lat=abc&lng=77.5",
        "lat=12.9&lng=77.5&limit=0",
        "lat=12.9&lng=77.5&limit=51",
        "lat=12.9&lng=77.5&page=0",
        "lat=12.9&lng=77.5&sort=stars",
        "lat=12.9&lng=77.5&min_rating=6",
        "lat=12.9&lng=77.5&max_cost_for_two=-1",
        "lat=12.9&lng=77.5&cusine=thai",
    ] {
        let r = app.get(&format!("/api/v1/restaurants?{q}"), None).await;
        r.expect(400);
        assert_eq!(r.code(), "VALIDATION_ERROR", "{q}");
    }
}

async fn paused_restaurants_are_not_listed(app: TestApp) {
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({"name": "Paused"})).await;
    app.restaurant(&owner, json!({"name": "Open"})).await;
    app.patch(&format!("/api/v1/restaurants/{id}"), Some(&owner), json!({"is_paused": true})).await.expect(200);
    assert_eq!(names(&app, "").await, ["Open"]);
    assert_eq!(names(&app, "open_now=true").await, ["Open"]);
    app.patch(&format!("/api/v1/restaurants/{id}"), Some(&owner), json!({"is_paused": false})).await.expect(200);
    let mut all = names(&app, "").await;
    all.sort();
    assert_eq!(all, ["Open", "Paused"]);
}

async fn moved_restaurants_are_listed_where_they_are(app: TestApp) {
    let owner = app.owner().await;
    let id = app.restaurant(&owner, json!({"name": "Mover"})).await;
    assert_eq!(names(&app, "").await, ["Mover"]);
    // 50 km north: out of reach of the old point, listed at the new one.
    let north = LAT + 50.0 / KM_PER_DEG;
    app.patch(&format!("/api/v1/restaurants/{id}"), Some(&owner), json!({"latitude": north})).await.expect(200);
    assert!(names(&app, "").await.is_empty());
    let there = app.get(&format!("/api/v1/restaurants?lat={north}&lng={LNG}"), None).await;
    assert_eq!(there.expect(200)["restaurants"][0]["name"], "Mover");
}

async fn changes_from_other_nodes_arrive_within_seconds(app: TestApp) {
    // Another node (or `dabba seed`) writes to the shared database; this node's index follows.
    city(&app, &[]).await;
    let (_, owner) = app.user("RESTAURANT").await;
    let mut r = crate::helpers::stored_restaurant(owner.parse().unwrap(), LAT, LNG);
    r.name = "From elsewhere".into();
    // What another node's API does: the store commits the row with its catalog event.
    app.store.create_restaurant(r).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if names(&app, "").await == ["From elsewhere"] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the listing never picked up the change: {:?}",
            names(&app, "").await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

crate::both_backends!(
    moved_restaurants_are_listed_where_they_are,
    changes_from_other_nodes_arrive_within_seconds,
    serviceability_follows_each_restaurants_radius,
    filters_narrow_the_list,
    sorts_order_the_list,
    pages_are_stable_and_disjoint,
    totals_are_counted_up_to_a_thousand,
    listing_cards_are_search_cards,
    bad_listing_parameters_are_400,
    paused_restaurants_are_not_listed,
);
