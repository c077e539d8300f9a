//! Generates a synthetic city: neighbourhood hubs around a centre, restaurants clustered around
//! the hubs (normally distributed, as real restaurant density is), each with an owner, hours,
//! ratings and a menu of ~20 dishes in categories, some with customizations. Everything is drawn
//! from one [`Rng`] stream in a fixed order, so a `--seed` always yields the same city.

use super::data::*;
use super::rng::Rng;
use dabba_domain::hours::DayHours;
use dabba_domain::{Role, WeeklyHours};
use dabba_store::model::*;
use dabba_store::seed::SeedBatch;

/// Bengaluru's centre; the generated city spreads ~15 km around it.
pub const CENTRE: (f64, f64) = (12.9716, 77.5946);
const KM_PER_DEG_LAT: f64 = 110.574;

/// A dish to put on a menu: name, veg, price (paise), cuisine it comes from.
type Dish = (String, bool, i64, &'static str);

pub struct City {
    rng: Rng,
    seed: u64,
    hubs: Vec<(f64, f64, &'static str)>,
    password_hash: String,
    restaurants_made: usize,
    /// How far restaurants spread around their hub (σ of a normal, km).
    spread_km: f64,
}

/// The phone of the `index`-th seeded user of a role: `+91` + role digit + 2 seed digits + 7 digits.
pub fn phone(role: Role, seed: u64, index: usize) -> String {
    let digit = match role {
        Role::Customer => 9,
        Role::Restaurant => 8,
        Role::Delivery => 7,
        Role::Admin => 6,
    };
    format!("+91{digit}{:02}{:07}", seed % 100, index)
}

fn offset_km(lat: f64, lng: f64, dx_km: f64, dy_km: f64) -> (f64, f64) {
    let lat2 = lat + dy_km / KM_PER_DEG_LAT;
    let lng2 = lng + dx_km / (KM_PER_DEG_LAT * lat.to_radians().cos());
    (lat2, lng2)
}

fn hours(open: &str, close: &str) -> Option<DayHours> {
    Some(DayHours { open: open.into(), close: close.into() })
}

impl City {
    /// A city laid out for `restaurants`: beyond 50,000 it grows in area (hubs farther apart,
    /// wider around each hub) so density stays that of the 50,000 city instead of piling up
    /// around the same hubs.
    pub fn sized(seed: u64, password_hash: String, restaurants: usize) -> Self {
        let scale = (restaurants as f64 / 50_000.0).sqrt().max(1.0);
        let mut rng = Rng::new(seed);
        let hubs = NEIGHBOURHOODS
            .iter()
            .map(|name| {
                let (r, theta) = (rng.range(1.0, 13.0) * scale, rng.range(0.0, std::f64::consts::TAU));
                let (lat, lng) = offset_km(CENTRE.0, CENTRE.1, r * theta.cos(), r * theta.sin());
                (lat, lng, *name)
            })
            .collect();
        Self { rng, seed, hubs, password_hash, restaurants_made: 0, spread_km: 1.3 * scale }
    }

    fn person(&mut self) -> String {
        format!("{} {}", self.rng.pick(FIRST_NAMES), self.rng.pick(LAST_NAMES))
    }

    fn user(&mut self, role: Role, index: usize) -> NewUser {
        NewUser {
            user_id: self.rng.uuid(),
            name: self.person(),
            phone: phone(role, self.seed, index),
            email: None,
            password_hash: self.password_hash.clone(),
            role,
            approved: true,
        }
    }

    /// `n` users of `role`, numbered from `from`.
    pub fn users(&mut self, role: Role, from: usize, n: usize) -> Vec<NewUser> {
        (from..from + n).map(|i| self.user(role, i)).collect()
    }

    fn weekly(&mut self) -> WeeklyHours {
        let roll = self.rng.unit();
        let (open, close) = match roll {
            r if r < 0.65 => ("11:00", "23:00"),
            r if r < 0.82 => ("07:00", "22:30"),
            r if r < 0.94 => ("18:00", "02:00"),
            _ => ("00:00", "00:00"),
        };
        let closed_monday = self.rng.chance(0.05);
        let d = || hours(open, close);
        WeeklyHours {
            monday: if closed_monday { None } else { d() },
            tuesday: d(),
            wednesday: d(),
            thursday: d(),
            friday: d(),
            saturday: d(),
            sunday: d(),
        }
    }

    fn customizations(&mut self, cuisine: &str, dish: &str) -> Vec<CustomizationGroup> {
        let option = |rng: &mut Rng, label: &str, rupees: i64| CustomizationOption {
            option_id: rng.uuid(),
            label: label.into(),
            price: rupees * 100,
        };
        let rng = &mut self.rng;
        let mut groups = Vec::new();
        if cuisine == "Pizza" && dish.contains("Pizza") {
            let options = vec![option(rng, "Regular", 0), option(rng, "Medium", 120), option(rng, "Large", 240)];
            groups.push(CustomizationGroup {
                group_id: rng.uuid(),
                name: "Size".into(),
                required: true,
                min_selections: 1,
                max_selections: 1,
                options,
            });
            let options = vec![
                option(rng, "Extra Cheese", 60),
                option(rng, "Olives", 40),
                option(rng, "Jalapeños", 40),
                option(rng, "Mushrooms", 50),
            ];
            groups.push(CustomizationGroup {
                group_id: rng.uuid(),
                name: "Add-ons".into(),
                required: false,
                min_selections: 0,
                max_selections: 3,
                options,
            });
        } else if dish.contains("Biryani") {
            let options = vec![option(rng, "Half", 0), option(rng, "Full", 110)];
            groups.push(CustomizationGroup {
                group_id: rng.uuid(),
                name: "Portion".into(),
                required: true,
                min_selections: 1,
                max_selections: 1,
                options,
            });
        } else if rng.chance(0.15) {
            let options =
                vec![option(rng, "Extra Spicy", 0), option(rng, "Extra Gravy", 30), option(rng, "Add Raita", 40)];
            groups.push(CustomizationGroup {
                group_id: rng.uuid(),
                name: "Make it yours".into(),
                required: false,
                min_selections: 0,
                max_selections: 2,
                options,
            });
        }
        groups
    }

    /// Ends a price in 9 (₹249), as menus do.
    fn price(&mut self, (lo, hi): (u32, u32)) -> i64 {
        let rupees = self.rng.range(lo as f64, hi as f64) as i64;
        ((rupees / 10) * 10 + 9) * 100
    }

    /// The next `n` restaurants, with owners and menus.
    pub fn restaurants(&mut self, n: usize) -> SeedBatch {
        let mut batch = SeedBatch::default();
        for _ in 0..n {
            self.restaurant(&mut batch);
        }
        batch
    }

    fn tags(&mut self, veg_kitchen: bool) -> Vec<String> {
        let mut tags: Vec<String> = Vec::new();
        if veg_kitchen {
            tags.push("pure veg".into());
        }
        for _ in 0..self.rng.below(3) {
            let t = self.rng.pick(TAGS).to_string();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        tags
    }

    fn restaurant(&mut self, batch: &mut SeedBatch) {
        let owner = self.user(Role::Restaurant, self.restaurants_made);
        self.restaurants_made += 1;
        let hub = self.hubs[self.rng.below(self.hubs.len())];
        let (lat, lng) =
            offset_km(hub.0, hub.1, self.rng.normal() * self.spread_km, self.rng.normal() * self.spread_km);
        let n_cuisines = 1 + usize::from(self.rng.chance(0.5)) + usize::from(self.rng.chance(0.2));
        let mut cuisines: Vec<&Cuisine> = Vec::new();
        while cuisines.len() < n_cuisines {
            let c = self.rng.pick(CUISINES);
            if !cuisines.iter().any(|x| x.name == c.name) {
                cuisines.push(c);
            }
        }
        let main = cuisines[0];
        let veg_kitchen = cuisines.iter().all(|c| c.dishes.iter().filter(|d| d.1).count() >= 5) && self.rng.chance(0.2);
        let name = if self.rng.chance(0.3) {
            format!("{} {}, {}", self.rng.pick(PREFIXES), self.rng.pick(main.suffixes), hub.2)
        } else {
            format!("{} {}", self.rng.pick(PREFIXES), self.rng.pick(main.suffixes))
        };
        let now = dabba_store::now_utc();
        let restaurant_id = self.rng.uuid();
        let rated = self.rng.chance(0.9);
        let cost = self.rng.range(main.cost_for_two.0 as f64, main.cost_for_two.1 as f64) as i64 / 50 * 5000;
        let r = Restaurant {
            restaurant_id,
            owner_id: owner.user_id,
            name,
            description: Some(format!("{} favourites from the heart of {}", main.name, hub.2)),
            cuisines: cuisines.iter().map(|c| c.name.to_owned()).collect(),
            tags: self.tags(veg_kitchen),
            latitude: lat,
            longitude: lng,
            address: PostalAddress {
                line1: format!(
                    "{} {} Main Road",
                    1 + self.rng.below(400),
                    self.rng.pick(&["1st", "4th", "7th", "12th", "80 Feet"])
                ),
                line2: None,
                city: "Bengaluru".into(),
                state: Some("Karnataka".into()),
                pincode: Some(format!("560{:03}", self.rng.below(110))),
            },
            phone: Some(phone(Role::Restaurant, self.seed, self.restaurants_made - 1)),
            cost_for_two: cost,
            avg_preparation_minutes: 10 + self.rng.below(31) as i32,
            learned_preparation_minutes: None,
            delivery_radius_km: [3.0, 4.0, 5.0, 6.0, 7.0, 8.0][self.rng.below(6)],
            min_order_value: [0, 9900, 14900, 19900][self.rng.below(4)],
            is_veg: veg_kitchen,
            operating_hours: self.weekly(),
            timezone: "Asia/Kolkata".into(),
            is_paused: self.rng.chance(0.02),
            kitchen_limit: None,
            is_banned: false,
            ban_reason: None,
            rating_avg: if rated {
                ((3.3 + self.rng.normal() * 0.45).clamp(2.0, 5.0) * 10.0).round() / 10.0
            } else {
                0.0
            },
            rating_count: if rated { 5 + self.rng.below(4000) as i64 } else { 0 },
            created_at: now,
            updated_at: now,
        };
        let mut sections: Vec<(String, Vec<Dish>)> = Vec::new();
        for c in &cuisines {
            let mut dishes = Vec::new();
            let want = if cuisines.len() == 1 { 16 } else { 16 / cuisines.len() + 1 };
            let mut pool: Vec<&(&str, bool)> = c.dishes.iter().filter(|d| d.1 || !veg_kitchen).collect();
            while dishes.len() < want && !pool.is_empty() {
                let d = pool.swap_remove(self.rng.below(pool.len()));
                let price = self.price(c.price);
                dishes.push((d.0.to_owned(), d.1, price, c.name));
            }
            sections.push((c.name.to_owned(), dishes));
        }
        let drinks = (0..4).map(|i| (BEVERAGES[i].to_owned(), true, self.price((40, 120)), "Beverages")).collect();
        sections.push(("Beverages".into(), drinks));
        for (position, (title, dishes)) in sections.into_iter().enumerate() {
            let category_id = self.rng.uuid();
            batch.categories.push(Category { category_id, restaurant_id, name: title, position: position as i32 });
            for (i, (dish, is_veg, price, cuisine)) in dishes.into_iter().enumerate() {
                let customizations = self.customizations(cuisine, &dish);
                batch.items.push(MenuItem {
                    item_id: self.rng.uuid(),
                    restaurant_id,
                    category_id,
                    description: Some(format!("{dish}, made fresh to order")),
                    name: dish,
                    price,
                    is_veg,
                    is_available: self.rng.chance(0.95),
                    is_bestseller: self.rng.chance(0.15),
                    stock: if self.rng.chance(0.1) { Some(self.rng.below(30) as i64) } else { None },
                    image: None,
                    position: i as i32,
                    customizations,
                    created_at: now,
                    updated_at: now,
                });
            }
        }
        batch.users.push(owner);
        batch.restaurants.push(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dabba_domain::LatLng;

    #[test]
    fn deterministic_and_plausible() {
        let a = City::sized(42, "h".into(), 0).restaurants(50);
        let b = City::sized(42, "h".into(), 0).restaurants(50);
        let key = |b: &SeedBatch| {
            b.restaurants.iter().map(|r| (r.restaurant_id, r.name.clone(), r.latitude.to_bits())).collect::<Vec<_>>()
        };
        let items = |b: &SeedBatch| b.items.iter().map(|i| (i.item_id, i.name.clone(), i.price)).collect::<Vec<_>>();
        assert_eq!(key(&a), key(&b));
        assert_eq!(items(&a), items(&b));
        assert_ne!(
            City::sized(43, "h".into(), 0).restaurants(1).restaurants[0].restaurant_id,
            a.restaurants[0].restaurant_id
        );
        let centre = LatLng { lat: CENTRE.0, lng: CENTRE.1 };
        for r in &a.restaurants {
            assert!(centre.distance_km(LatLng { lat: r.latitude, lng: r.longitude }) < 25.0);
            assert!(r.cost_for_two > 0 && !r.cuisines.is_empty());
            assert!(r.operating_hours.clone().parse("h").is_ok());
        }
        let per = a.items.len() as f64 / 50.0;
        assert!((15.0..=25.0).contains(&per), "{per} dishes per restaurant");
        for r in a.restaurants.iter().filter(|r| r.is_veg) {
            assert!(a.items.iter().filter(|i| i.restaurant_id == r.restaurant_id).all(|i| i.is_veg));
        }
        assert_eq!(a.users.len(), 50);
        assert_eq!(a.users[0].phone, "+918420000000");
    }
}
