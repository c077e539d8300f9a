//! Listings and searches over the index. Every result is a restaurant that delivers to the point
//! (its own radius) and passes the filters; a search also needs every query word (or a typo of
//! it) in the restaurant, or for dishes in the dish's name.
//!
//! Ranking of a search (`Sort::Relevance`), each part in 0..1:
//!
//! `score = 0.55 × text + 0.15 × rating / 5 + 0.20 × speed + 0.10 × popularity`
//!
//! - text: per query word, the best place it was found — restaurant name 1.0, cuisine 0.9, tag
//!   0.8, a dish 0.6 (for dish results: the dish's name 1.0, +0.05 for a bestseller) — less 0.2
//!   per typo edit; averaged over the words;
//! - speed: 1 at ≤ 20 minutes of estimated delivery, falling to 0 at 80;
//! - popularity: orders in the last 7 days, ln(1 + n) / ln(1001), capped at 1.
//!
//! Open restaurants come before closed ones (which carry when they open); ties go to the nearer
//! restaurant, then the smaller id, so a page never changes while the data does not.

use crate::grid::Probe;
use crate::index::{CUISINE, DISH, Index, NAME, Place, TAG, WORD_KEY};
use crate::vocab::Variant;
use dabba_domain::estimate::delivery_minutes;
use std::cmp::Ordering;

/// Conditions on a result, as the listing and search endpoints take them.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Serves this cuisine (case-insensitive).
    pub cuisine: Option<String>,
    /// Pure-veg restaurant; for dish results, a veg dish.
    pub veg_only: bool,
    pub min_rating: Option<f64>,
    pub max_cost_for_two: Option<i64>,
    pub open_now: bool,
    /// Runs an offer of its own.
    pub has_offer: bool,
    pub max_delivery_minutes: Option<u32>,
}

impl Filters {
    fn is_empty(&self) -> bool {
        self.cuisine.is_none()
            && !self.veg_only
            && self.min_rating.is_none()
            && self.max_cost_for_two.is_none()
            && !self.open_now
            && !self.has_offer
            && self.max_delivery_minutes.is_none()
    }
}

/// Orders of results; ties always fall back to distance, then id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Relevance,
    Distance,
    Rating,
    Cost,
    DeliveryTime,
}

/// A search: where, what words, which conditions and order, and how many results to rank.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub lat: f64,
    pub lng: f64,
    pub words: &'a [String],
    pub filters: &'a Filters,
    pub sort: Sort,
    pub now: jiff::Timestamp,
    /// Results to put in order (the end of the page asked for).
    pub first: usize,
}

/// A restaurant in a result.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    pub ord: u32,
    pub distance_km: f64,
    pub minutes: u32,
    pub score: f64,
    /// The sort's own key, smaller first (worked out once, so ordering reads no restaurant).
    rank: f64,
    /// Open now (known when the query needed it; listings work it out for the page).
    pub open: Option<bool>,
}

/// A dish in a result: `dish` indexes the restaurant's dishes.
#[derive(Debug, Clone, Copy)]
pub struct DishHit {
    pub hit: Hit,
    pub dish: usize,
}

/// The first results in order (up to the end of the page asked for) and how many there are.
#[derive(Debug)]
pub struct Page<T> {
    pub hits: Vec<T>,
    pub total: usize,
    /// `false` when `total` is a floor: listings count up to [`LISTING_TOTAL_CAP`].
    pub exact: bool,
}

impl<T> Page<T> {
    fn empty() -> Self {
        Page { hits: Vec::new(), total: 0, exact: true }
    }

    fn all(hits: Vec<T>, total: usize) -> Self {
        Page { hits, total, exact: true }
    }
}

/// Listings count matches up to this many, nearest first, and beyond it say "more than" (as
/// search engines do with hit counts): near a busy district tens of thousands of restaurants
/// deliver, and counting every one would cost more than the page itself.
pub const LISTING_TOTAL_CAP: usize = 1_000;

const WEIGHT_TEXT: f64 = 0.55;
const WEIGHT_RATING: f64 = 0.15;
const WEIGHT_SPEED: f64 = 0.20;
const WEIGHT_POPULARITY: f64 = 0.10;
/// Lost per typo edit.
const TYPO_COST: f64 = 0.2;

fn field_weight(fields: u8) -> f64 {
    if fields & NAME != 0 {
        1.0
    } else if fields & CUISINE != 0 {
        0.9
    } else if fields & TAG != 0 {
        0.8
    } else if fields & DISH != 0 {
        0.6
    } else {
        0.0
    }
}

fn typo(edits: u8) -> f64 {
    1.0 - TYPO_COST * f64::from(edits)
}

/// The part of the score that does not depend on the text.
fn place_score(place: &Place, minutes: u32) -> f64 {
    let rating = place.restaurant.rating_avg.clamp(0.0, 5.0) / 5.0;
    let speed = (1.0 - f64::from(minutes.saturating_sub(20)) / 60.0).clamp(0.0, 1.0);
    let popularity = ((1.0 + f64::from(place.orders)).ln() / 1001f64.ln()).min(1.0);
    WEIGHT_RATING * rating + WEIGHT_SPEED * speed + WEIGHT_POPULARITY * popularity
}

/// Keeps the first `first` items in order (the rest follow unordered).
fn top<T>(items: &mut [T], first: usize, order: impl Fn(&T, &T) -> Ordering) {
    if first > 0 && first < items.len() {
        items.select_nth_unstable_by(first - 1, &order);
        items[..first].sort_by(&order);
    } else {
        items.sort_by(&order);
    }
}

impl Index {
    /// The restaurant-level filters for a restaurant `distance_km` away; `None` if it fails one.
    fn admit(&self, ord: u32, distance_km: f64, f: &Filters, now: jiff::Timestamp, sort: Sort) -> Option<Hit> {
        self.admit_as(ord, distance_km, f, now, sort, false)
    }

    /// [`Index::admit`]; for dish results (`dishes`) `veg_only` is left to the dishes.
    fn admit_as(
        &self,
        ord: u32,
        distance_km: f64,
        f: &Filters,
        now: jiff::Timestamp,
        sort: Sort,
        dishes: bool,
    ) -> Option<Hit> {
        let place = self.place(ord)?;
        let r = &place.restaurant;
        // The kitchen's preparation as seen on its orders (its promise until it has some), as
        // checkout quotes it.
        let minutes = delivery_minutes(r.preparation_minutes().round().max(0.0) as u32, distance_km);
        let keep = (dishes || !f.veg_only || r.is_veg)
            && f.min_rating.is_none_or(|m| r.rating_avg >= m)
            && f.max_cost_for_two.is_none_or(|m| r.cost_for_two <= m)
            && f.max_delivery_minutes.is_none_or(|m| minutes <= m)
            && f.cuisine.as_deref().is_none_or(|c| r.cuisines.iter().any(|x| x.eq_ignore_ascii_case(c)))
            && (!f.has_offer || self.has_offer(place));
        if !keep {
            return None;
        }
        let open = f.open_now.then(|| place.is_open(now));
        if open == Some(false) {
            return None;
        }
        let rank = match sort {
            // Set with the score.
            Sort::Relevance | Sort::Distance => 0.0,
            Sort::Rating => -r.rating_avg,
            Sort::Cost => r.cost_for_two as f64,
            Sort::DeliveryTime => f64::from(minutes),
        };
        Some(Hit { ord, distance_km, minutes, score: 0.0, rank, open })
    }

    fn id_of(&self, ord: u32) -> uuid::Uuid {
        self.place(ord).map_or(uuid::Uuid::nil(), |p| p.restaurant.restaurant_id)
    }

    /// The order of results; searches put open restaurants before closed ones under every sort.
    fn order(&self, sort: Sort, open_first: bool) -> impl Fn(&Hit, &Hit) -> Ordering + '_ {
        move |a, b| {
            let open = |h: &Hit| h.open.unwrap_or(true);
            let first = if open_first { open(b).cmp(&open(a)) } else { Ordering::Equal };
            let primary = if sort == Sort::Distance { Ordering::Equal } else { a.rank.total_cmp(&b.rank) };
            first
                .then(primary)
                .then(a.distance_km.total_cmp(&b.distance_km))
                .then_with(|| if a.ord == b.ord { Ordering::Equal } else { self.id_of(a.ord).cmp(&self.id_of(b.ord)) })
        }
    }

    /// Calls `f(place, distance_km)` for every restaurant that delivers to (`lat`, `lng`).
    pub fn each_serving(&self, lat: f64, lng: f64, mut f: impl FnMut(&Place, f64)) {
        self.grid.reach(&Probe::new(lat, lng)).each(|o, d| {
            if let Some(p) = self.place(o) {
                f(p, d);
            }
        });
    }

    /// Calls `f` with every indexed restaurant.
    pub fn each_serving_all(&self, f: impl FnMut(&Place)) {
        self.places.iter().flatten().for_each(f);
    }

    /// Restaurants that deliver to (`lat`, `lng`) and pass `f`, the first `first` in `sort` order
    /// (`Relevance` means distance here).
    pub fn list(&self, lat: f64, lng: f64, f: &Filters, sort: Sort, now: jiff::Timestamp, first: usize) -> Page<Hit> {
        let probe = Probe::new(lat, lng);
        if matches!(sort, Sort::Distance | Sort::Relevance) {
            let all = f.is_empty();
            let near =
                self.grid.nearest(&probe, first, |o, d| all || self.admit(o, d, f, now, Sort::Distance).is_some());
            let mut hits: Vec<Hit> =
                near.iter().filter_map(|&(o, d)| self.admit(o, d, f, now, Sort::Distance)).collect();
            hits.sort_by(self.order(Sort::Distance, false));
            let total = if f.is_empty() {
                self.grid.count_upto(&probe, LISTING_TOTAL_CAP)
            } else {
                let mut n = 0;
                self.grid.each_outwards(&probe, |o, d| {
                    n += usize::from(self.admit(o, d, f, now, Sort::Distance).is_some());
                    n <= LISTING_TOTAL_CAP
                });
                n
            };
            let exact = total <= LISTING_TOTAL_CAP;
            return Page { hits, total: total.min(LISTING_TOTAL_CAP), exact };
        }
        let mut hits = Vec::new();
        self.grid.reach(&probe).each(|o, d| hits.extend(self.admit(o, d, f, now, sort)));
        top(&mut hits, first, self.order(sort, false));
        let total = hits.len();
        hits.truncate(first);
        Page::all(hits, total)
    }

    /// The typo variants of each query word; `None` if some word matches nothing at all.
    fn variants(&self, words: &[String]) -> Option<Vec<Vec<Variant>>> {
        let all: Vec<Vec<Variant>> = words.iter().map(|w| self.vocab.variants(w)).collect();
        all.iter().all(|v| !v.is_empty()).then_some(all)
    }

    /// What `f(place, ord, distance_km, out)` makes of every restaurant delivering to the point
    /// that holds every query word (or a variant of it) somewhere: only those are visited.
    fn holding<T: Send>(
        &self,
        lat: f64,
        lng: f64,
        variants: &[Vec<Variant>],
        f: impl Fn(&Place, u32, f64, &mut Vec<T>) + Sync,
    ) -> Vec<T> {
        let groups: Vec<Vec<u32>> = variants.iter().map(|vs| vs.iter().map(|v| WORD_KEY | v.term).collect()).collect();
        self.grid.reach(&Probe::new(lat, lng)).gather(&groups, |o, d, out| {
            if let Some(place) = self.place(o) {
                f(place, o, d, out);
            }
        })
    }

    /// Notes on the hit whether its restaurant is open now: searches put open ones first.
    /// (Paused restaurants never get here: the index files them nowhere.)
    fn mark_open(&self, hit: &mut Hit, now: jiff::Timestamp) {
        if let Some(place) = self.place(hit.ord) {
            hit.open.get_or_insert_with(|| place.is_open(now));
        }
    }

    /// Restaurants matching every word of `words` by name, cuisine, tag or dish.
    pub fn search(&self, q: &Request<'_>) -> Page<Hit> {
        let Request { lat, lng, words, filters: f, sort, now, first } = *q;
        let Some(variants) = self.variants(words) else { return Page::empty() };
        let mut hits = self.holding(lat, lng, &variants, |place, o, d, hits| {
            let mut text = 0.0;
            for vs in &variants {
                let best = vs.iter().map(|v| field_weight(place.fields(v.term)) * typo(v.edits)).fold(0.0, f64::max);
                if best <= 0.0 {
                    return;
                }
                text += best;
            }
            if let Some(mut hit) = self.admit(o, d, f, now, sort) {
                self.mark_open(&mut hit, now);
                hit.score = WEIGHT_TEXT * text / variants.len() as f64 + place_score(place, hit.minutes);
                if sort == Sort::Relevance {
                    hit.rank = -hit.score;
                }
                hits.push(hit);
            }
        });
        top(&mut hits, first, self.order(sort, true));
        let total = hits.len();
        hits.truncate(first);
        Page::all(hits, total)
    }

    /// Dishes whose name holds every word of `words`, with their restaurant.
    pub fn search_dishes(&self, q: &Request<'_>) -> Page<DishHit> {
        let Request { lat, lng, words, filters: f, sort, now, first } = *q;
        let Some(variants) = self.variants(words) else { return Page::empty() };
        let mut hits = self.holding(lat, lng, &variants, |place, o, d, hits: &mut Vec<DishHit>| {
            // Every word must be in some dish of the restaurant before its dishes are read.
            if !variants.iter().all(|vs| vs.iter().any(|v| place.fields(v.term) & DISH != 0)) {
                return;
            }
            let Some(mut hit) = self.admit_as(o, d, f, now, sort, true) else { return };
            self.mark_open(&mut hit, now);
            let base = place_score(place, hit.minutes);
            for (i, dish) in place.dishes.iter().enumerate() {
                if f.veg_only && !dish.is_veg {
                    continue;
                }
                let terms = self.dish_terms(dish.name);
                let mut text = 0.0;
                for vs in &variants {
                    let best = vs.iter().filter(|v| terms.contains(&v.term)).map(|v| typo(v.edits)).fold(0.0, f64::max);
                    if best <= 0.0 {
                        text = -1.0;
                        break;
                    }
                    text += best;
                }
                if text < 0.0 {
                    continue;
                }
                let text = (text / variants.len() as f64 + if dish.is_bestseller { 0.05 } else { 0.0 }).min(1.0);
                let score = WEIGHT_TEXT * text + base;
                let rank = if sort == Sort::Relevance { -score } else { hit.rank };
                hits.push(DishHit { hit: Hit { score, rank, ..hit }, dish: i });
            }
        });
        let order = self.order(sort, true);
        // A restaurant's dishes are kept in item id order, so the index stands for the id.
        top(&mut hits, first, |a, b| order(&a.hit, &b.hit).then(a.dish.cmp(&b.dish)));
        let total = hits.len();
        hits.truncate(first);
        Page::all(hits, total)
    }
}
