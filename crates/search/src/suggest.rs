//! Autocomplete: phrases that start a word with what was typed (`bir` → "Chicken Biryani",
//! "Biryani", "Biryani Blues"), only those available near the point, most popular first.
//!
//! Popularity is the orders (last 7 days) a suggestion accounts for: a restaurant's own, a dish's
//! or cuisine's summed over every restaurant offering it (plus one per restaurant, so new ones
//! are not all zero). Dish and cuisine phrases are ranked city-wide and kept if at least one
//! restaurant near the point offers them; restaurants are found among those delivering there.
//! Paused restaurants suggest nothing (searches leave them out).

use crate::grid::Probe;
use crate::index::{Index, Kind};
use crate::text::{normalized, words};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub text: String,
    pub kind: Kind,
    /// For a restaurant.
    pub restaurant_id: Option<uuid::Uuid>,
    pub popularity: u64,
}

impl Index {
    /// Up to `limit` suggestions for what was typed so far.
    pub fn suggest(&self, lat: f64, lng: f64, typed: &str, limit: usize) -> Vec<Suggestion> {
        let mut typed = words(typed);
        let Some(last) = typed.pop() else { return Vec::new() };
        // Whole words before the last must be known words.
        let Some(whole) = typed.iter().map(|w| self.vocab.get(w)).collect::<Option<Vec<u32>>>() else {
            return Vec::new();
        };
        let mut prefixed: Vec<u32> = self.vocab.with_prefix(&last).collect();
        if prefixed.is_empty() {
            return Vec::new();
        }
        prefixed.sort_unstable();
        let mut near = vec![0u64; self.places.len().div_ceil(64)];
        let mut restaurants: Vec<Suggestion> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        self.grid.each(&Probe::new(lat, lng), |o, _| {
            // A paused restaurant is out of searches, so it suggests nothing either.
            let Some(place) = self.place(o).filter(|p| !p.restaurant.is_paused) else { return };
            near[o as usize / 64] |= 1 << (o % 64);
            let named = &place.name_terms;
            if whole.iter().all(|t| named.contains(t))
                && named.iter().any(|t| prefixed.binary_search(t).is_ok())
                && seen.insert(normalized(&place.restaurant.name))
            {
                restaurants.push(Suggestion {
                    text: place.restaurant.name.clone(),
                    kind: Kind::Restaurant,
                    restaurant_id: Some(place.restaurant.restaurant_id),
                    popularity: 1 + u64::from(place.orders),
                });
            }
        });
        let mut phrases: Vec<u32> =
            prefixed.iter().filter_map(|t| self.phrases_by_term.get(t)).flatten().copied().collect();
        phrases.sort_unstable();
        phrases.dedup();
        phrases.retain(|&p| whole.iter().all(|t| self.phrases[p as usize].terms.contains(t)));
        phrases.sort_by(|&a, &b| {
            let (a, b) = (&self.phrases[a as usize], &self.phrases[b as usize]);
            b.popularity.cmp(&a.popularity).then_with(|| a.text.cmp(&b.text))
        });
        let offered_near =
            |p: u32| self.phrases[p as usize].places.iter().any(|&o| near[o as usize / 64] & (1 << (o % 64)) != 0);
        let mut out: Vec<Suggestion> = phrases
            .into_iter()
            .filter(|&p| offered_near(p))
            .take(limit)
            .map(|p| {
                let phrase = &self.phrases[p as usize];
                Suggestion {
                    text: phrase.text.to_string(),
                    kind: phrase.kind,
                    restaurant_id: None,
                    popularity: phrase.popularity,
                }
            })
            .collect();
        out.extend(restaurants);
        out.sort_by(|a, b| b.popularity.cmp(&a.popularity).then_with(|| a.text.cmp(&b.text)));
        out.truncate(limit);
        out
    }
}
