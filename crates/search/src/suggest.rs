//! Autocomplete: phrases that start a word with what was typed (`bir` → "Chicken Biryani",
//! "Biryani", "Biryani Blues"), only those available near the point, most popular first.
//!
//! Popularity is the orders (last 7 days) a suggestion accounts for: a restaurant's own, a dish's
//! or cuisine's summed over every restaurant offering it (plus one per restaurant, so new ones
//! are not all zero). Dish and cuisine phrases are ranked city-wide and kept if at least one
//! restaurant near the point offers them; restaurants are found among those delivering there,
//! the nearer first when equally popular.
//! Paused restaurants suggest nothing (searches leave them out).

use crate::grid::{Probe, Reach};
use crate::index::{Index, Kind, NAME_KEY, PHRASE_KEY};
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
        let prefixed: Vec<u32> = self.vocab.with_prefix(&last).collect();
        if prefixed.is_empty() || limit == 0 {
            return Vec::new();
        }
        // Paused restaurants are filed under no key, so they offer nothing here.
        let reach = self.grid.reach(&Probe::new(lat, lng));
        let mut out = self.phrases_near(&reach, &prefixed, &whole, limit);
        out.extend(self.restaurants_near(&reach, &prefixed, &whole, limit));
        out.sort_by(|a, b| b.popularity.cmp(&a.popularity).then_with(|| a.text.cmp(&b.text)));
        out.truncate(limit);
        out
    }

    /// The most popular dish and cuisine phrases with a word starting with a prefixed word and
    /// every whole word, offered by a restaurant delivering here.
    fn phrases_near(&self, reach: &Reach<'_>, prefixed: &[u32], whole: &[u32], limit: usize) -> Vec<Suggestion> {
        let mut phrases: Vec<u32> =
            prefixed.iter().filter_map(|t| self.phrases_by_term.get(t)).flatten().copied().collect();
        phrases.sort_unstable();
        phrases.dedup();
        phrases.retain(|&p| whole.iter().all(|t| self.phrases[p as usize].terms.contains(t)));
        phrases.sort_by(|&a, &b| {
            let (a, b) = (&self.phrases[a as usize], &self.phrases[b as usize]);
            b.popularity.cmp(&a.popularity).then_with(|| a.text.cmp(&b.text))
        });
        phrases
            .into_iter()
            .filter(|&p| reach.any_with(PHRASE_KEY | p))
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
            .collect()
    }

    /// The most popular restaurants delivering here whose name has a word starting with a
    /// prefixed word and every whole word (equally popular: the nearer first); one per name
    /// (branches of a chain are one).
    fn restaurants_near(&self, reach: &Reach<'_>, prefixed: &[u32], whole: &[u32], limit: usize) -> Vec<Suggestion> {
        let mut groups: Vec<Vec<u32>> = vec![prefixed.iter().map(|&t| NAME_KEY | t).collect()];
        groups.extend(whole.iter().map(|&t| vec![NAME_KEY | t]));
        // Ranked from the packed order counts; only the head is read in full.
        let mut found: Vec<(u32, f64, u32)> = Vec::new();
        reach.matching(&groups, |o, d| found.push((self.orders[o as usize], d, o)));
        let order =
            |a: &(u32, f64, u32), b: &(u32, f64, u32)| b.0.cmp(&a.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2));
        // Only the head needs sorting, unless branches sharing a name crowd it.
        let mut head = (limit * 8).min(found.len());
        loop {
            if head < found.len() {
                found.select_nth_unstable_by(head - 1, order);
            }
            found[..head].sort_by(order);
            let mut seen: HashSet<String> = HashSet::new();
            let out: Vec<Suggestion> = found[..head]
                .iter()
                .filter_map(|&(_, _, o)| self.place(o))
                .filter(|p| seen.insert(normalized(&p.restaurant.name)))
                .take(limit)
                .map(|p| Suggestion {
                    text: p.restaurant.name.clone(),
                    kind: Kind::Restaurant,
                    restaurant_id: Some(p.restaurant.restaurant_id),
                    popularity: 1 + u64::from(p.orders),
                })
                .collect();
            if out.len() >= limit || head == found.len() {
                return out;
            }
            head = found.len();
        }
    }
}
