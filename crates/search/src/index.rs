//! The index: every visible restaurant with its available dishes, the words they are found by,
//! the grid that says who delivers where, and the phrases autocomplete offers. One restaurant is
//! the unit of change: a catalog event reloads it whole and [`Index::upsert`] swaps it in, adjusting
//! only what differs.

use crate::grid::Grid;
use crate::text::{normalized, words, words_into};
use crate::vocab::Vocab;
use dabba_store::model::{DishRow, Restaurant};
use jiff::tz::TimeZone;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

/// Where in a restaurant a word was found; text relevance weighs them differently.
pub const NAME: u8 = 1;
pub const CUISINE: u8 = 2;
pub const TAG: u8 = 4;
pub const DISH: u8 = 8;

/// Keys of the grid's inverted lists: a word anywhere in a restaurant, a word of its name, an
/// autocomplete phrase it offers. The kind sits in the top bits.
pub(crate) const WORD_KEY: u32 = 0;
pub(crate) const NAME_KEY: u32 = 1 << 30;
pub(crate) const PHRASE_KEY: u32 = 2 << 30;

/// A dish on sale (unavailable and sold-out dishes are not indexed).
pub struct Dish {
    pub item_id: Uuid,
    /// Into [`Index::dish_name`].
    pub name: u32,
    pub price: i64,
    pub is_veg: bool,
    pub is_bestseller: bool,
}

/// A restaurant as discovery holds it.
pub struct Place {
    pub restaurant: Restaurant,
    pub tz: Option<TimeZone>,
    pub dishes: Vec<Dish>,
    /// (word, fields it appears in), sorted by word.
    pub(crate) terms: Vec<(u32, u8)>,
    /// The words of its name, for autocomplete's pass over every restaurant near a point.
    pub(crate) name_terms: Box<[u32]>,
    /// Autocomplete phrases (dishes, cuisines) this restaurant offers.
    phrases: Vec<u32>,
    /// Orders in the popularity window.
    pub orders: u32,
    /// Some dish has a stock count: orders change what is on sale.
    pub stock_tracked: bool,
    /// Open state cached per minute: `minute << 1 | open`.
    open_at: AtomicU64,
}

impl Place {
    /// The fields of this restaurant where word `term` occurs (0 if none).
    pub(crate) fn fields(&self, term: u32) -> u8 {
        self.terms.binary_search_by_key(&term, |t| t.0).map_or(0, |i| self.terms[i].1)
    }

    /// What the grid files this restaurant under.
    fn keys(&self, out: &mut Vec<u32>) {
        out.extend(self.terms.iter().map(|t| WORD_KEY | t.0));
        out.extend(self.name_terms.iter().map(|&t| NAME_KEY | t));
        out.extend(self.phrases.iter().map(|&p| PHRASE_KEY | p));
    }

    /// Open by its hours now, and not paused; cached for the minute.
    pub fn is_open(&self, now: jiff::Timestamp) -> bool {
        let minute = (now.as_second() / 60) as u64 + 1;
        let cached = self.open_at.load(Ordering::Relaxed);
        if cached >> 1 == minute {
            return cached & 1 == 1;
        }
        let r = &self.restaurant;
        let open = !r.is_paused && self.tz.as_ref().is_some_and(|tz| r.operating_hours.is_open_at(now, tz));
        self.open_at.store(minute << 1 | u64::from(open), Ordering::Relaxed);
        open
    }

    /// When a closed restaurant opens next (not for a paused one: nobody knows).
    pub fn opens_at(&self, now: jiff::Timestamp) -> Option<jiff::Timestamp> {
        if self.restaurant.is_paused {
            return None;
        }
        self.restaurant.operating_hours.next_opening(now, self.tz.as_ref()?)
    }
}

/// What an autocomplete phrase stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Dish,
    Cuisine,
    Restaurant,
}

/// A dish or cuisine phrase, shared by every restaurant offering it.
pub(crate) struct Phrase {
    pub text: Box<str>,
    pub kind: Kind,
    pub terms: Box<[u32]>,
    /// Restaurants offering it (unordered).
    pub places: Vec<u32>,
    /// Orders in the window at those restaurants, plus one per restaurant.
    pub popularity: u64,
}

/// A dish name as written, with its words and its autocomplete phrase.
struct DishName {
    text: Box<str>,
    terms: Box<[u32]>,
    phrase: Option<u32>,
}

#[derive(Default)]
pub struct Index {
    pub(crate) vocab: Vocab,
    names: Vec<DishName>,
    name_ids: HashMap<Box<str>, u32>,
    pub(crate) phrases: Vec<Phrase>,
    phrase_ids: HashMap<(Kind, Box<str>), u32>,
    /// Word → phrases containing it.
    pub(crate) phrases_by_term: HashMap<u32, Vec<u32>>,
    pub(crate) places: Vec<Option<Place>>,
    ord_of: HashMap<Uuid, u32>,
    pub(crate) grid: Grid,
    /// Restaurants running an offer of their own.
    offers: HashSet<Uuid>,
    dishes: usize,
    visible: usize,
    /// Each restaurant's orders in the popularity window, by ordinal: a copy of
    /// [`Place::orders`] packed tight, for ranking thousands of candidates without reading them.
    pub(crate) orders: Vec<u32>,
    /// Restaurants read by [`Index::load_restaurants`], waiting for their dishes.
    loading: Vec<Place>,
}

impl Index {
    pub fn place(&self, ord: u32) -> Option<&Place> {
        self.places.get(ord as usize).and_then(Option::as_ref)
    }

    pub fn dish_name(&self, name: u32) -> &str {
        &self.names[name as usize].text
    }

    pub(crate) fn dish_terms(&self, name: u32) -> &[u32] {
        &self.names[name as usize].terms
    }

    /// Restaurants indexed (banned ones are not).
    pub fn len(&self) -> usize {
        self.visible
    }

    pub fn is_empty(&self) -> bool {
        self.visible == 0
    }

    /// Distinct words known.
    pub fn vocabulary(&self) -> usize {
        self.vocab.len()
    }

    /// Dishes indexed (on sale at indexed restaurants).
    pub fn dish_count(&self) -> usize {
        self.dishes
    }

    pub fn has_offer(&self, place: &Place) -> bool {
        self.offers.contains(&place.restaurant.restaurant_id)
    }

    /// Replaces the set of restaurants that run their own offer.
    pub fn set_offers(&mut self, restaurants: HashSet<Uuid>) {
        self.offers = restaurants;
    }

    fn name_id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(text) {
            return id;
        }
        let terms = words(text).iter().map(|w| self.vocab.intern(w)).collect();
        let phrase = self.phrase_id(Kind::Dish, text);
        let id = self.names.len() as u32;
        self.names.push(DishName { text: text.into(), terms, phrase });
        self.name_ids.insert(text.into(), id);
        id
    }

    fn phrase_id(&mut self, kind: Kind, text: &str) -> Option<u32> {
        let key = normalized(text);
        if key.is_empty() {
            return None;
        }
        if let Some(&id) = self.phrase_ids.get(&(kind, key.as_str().into())) {
            return Some(id);
        }
        let id = self.phrases.len() as u32;
        let terms: Box<[u32]> = key.split(' ').map(|w| self.vocab.intern(w)).collect();
        for &t in terms.iter() {
            self.phrases_by_term.entry(t).or_default().push(id);
        }
        self.phrases.push(Phrase { text: text.trim().into(), kind, terms, places: Vec::new(), popularity: 0 });
        self.phrase_ids.insert((kind, key.into()), id);
        Some(id)
    }

    /// Adds or replaces a restaurant with its dishes (all of them; those not on sale are left
    /// out here). A banned restaurant is removed.
    pub fn upsert(&mut self, restaurant: Restaurant, dishes: &[DishRow]) {
        if restaurant.is_banned {
            self.remove(restaurant.restaurant_id);
            return;
        }
        let ord = self.ord_for(restaurant.restaurant_id);
        let mut place = self.new_place(restaurant);
        for d in dishes {
            self.add_dish(&mut place, d);
        }
        seal(&mut place);
        let old = self.take(ord);
        place.orders = old.as_ref().map_or(0, |o| o.orders);
        self.put(ord, place);
        self.settle();
    }

    /// Starts a bulk load into an empty index: the restaurants, whose dishes then come in any
    /// order through [`Index::add_dishes`] until [`Index::finish`]. Banned ones are skipped.
    pub fn load_restaurants(&mut self, restaurants: Vec<Restaurant>) {
        assert!(self.places.is_empty() && self.loading.is_empty(), "bulk loads start from an empty index");
        for r in restaurants.into_iter().filter(|r| !r.is_banned) {
            self.ord_for(r.restaurant_id);
            let place = self.new_place(r);
            self.loading.push(place);
        }
    }

    /// Dishes of restaurants given to [`Index::load_restaurants`] (others are ignored: they
    /// arrived after the load began and their own change events will bring them).
    pub fn add_dishes(&mut self, dishes: &[DishRow]) {
        let mut loading = std::mem::take(&mut self.loading);
        for d in dishes {
            if let Some(place) = self.ord_of.get(&d.restaurant_id).and_then(|&o| loading.get_mut(o as usize)) {
                self.add_dish(place, d);
            }
        }
        self.loading = loading;
    }

    /// Ends a bulk load: every restaurant goes live.
    pub fn finish(&mut self) {
        for (ord, mut place) in std::mem::take(&mut self.loading).into_iter().enumerate() {
            seal(&mut place);
            self.put(ord as u32, place);
        }
        self.settle();
    }

    /// The ordinal of a restaurant, given one if new.
    fn ord_for(&mut self, id: Uuid) -> u32 {
        if let Some(&ord) = self.ord_of.get(&id) {
            return ord;
        }
        self.places.push(None);
        let ord = (self.places.len() - 1) as u32;
        self.ord_of.insert(id, ord);
        ord
    }

    /// A restaurant without its dishes yet.
    fn new_place(&mut self, restaurant: Restaurant) -> Place {
        let mut terms: Vec<(u32, u8)> = Vec::new();
        let mut scratch = Vec::new();
        let mut add = |vocab: &mut Vocab, text: &str, field: u8, terms: &mut Vec<(u32, u8)>| {
            scratch.clear();
            words_into(text, &mut scratch);
            terms.extend(scratch.iter().map(|w| (vocab.intern(w), field)));
        };
        add(&mut self.vocab, &restaurant.name, NAME, &mut terms);
        let name_terms = terms.iter().map(|t| t.0).collect();
        for c in &restaurant.cuisines {
            add(&mut self.vocab, c, CUISINE, &mut terms);
        }
        for t in &restaurant.tags {
            add(&mut self.vocab, t, TAG, &mut terms);
        }
        let phrases = restaurant.cuisines.iter().filter_map(|c| self.phrase_id(Kind::Cuisine, c)).collect();
        let tz = dabba_domain::hours::parse_time_zone("timezone", &restaurant.timezone).ok();
        Place {
            tz,
            dishes: Vec::new(),
            terms,
            name_terms,
            phrases,
            orders: 0,
            stock_tracked: false,
            open_at: AtomicU64::new(0),
            restaurant,
        }
    }

    /// A dish of `place`: indexed if on sale, and its stock noted.
    fn add_dish(&mut self, place: &mut Place, d: &DishRow) {
        place.stock_tracked |= d.stock.is_some();
        if !d.is_available || d.stock == Some(0) {
            return;
        }
        let name = self.name_id(&d.name);
        let dish_name = &self.names[name as usize];
        place.terms.extend(dish_name.terms.iter().map(|&t| (t, DISH)));
        place.phrases.extend(dish_name.phrase);
        place.dishes.push(Dish {
            item_id: d.item_id,
            name,
            price: d.price,
            is_veg: d.is_veg,
            is_bestseller: d.is_bestseller,
        });
    }

    /// Brings the grid's cells and lists up to date with the restaurants' changes.
    fn settle(&mut self) {
        let places = &self.places;
        self.grid.settle(|ord, out| {
            if let Some(p) = places.get(ord as usize).and_then(Option::as_ref) {
                p.keys(out);
            }
        });
    }

    /// Drops a restaurant (banned or gone).
    pub fn remove(&mut self, id: Uuid) {
        if let Some(&ord) = self.ord_of.get(&id)
            && self.take(ord).is_some()
        {
            self.settle();
        }
    }

    /// Takes a restaurant out of every structure; its slot stays for when it comes back.
    fn take(&mut self, ord: u32) -> Option<Place> {
        let old = self.places[ord as usize].take()?;
        let r = &old.restaurant;
        if r.is_paused {
            // Never filed (see `put`).
            self.dishes -= old.dishes.len();
            self.visible -= 1;
            return Some(old);
        }
        self.grid.remove(ord, r.latitude, r.longitude);
        for &p in &old.phrases {
            let phrase = &mut self.phrases[p as usize];
            if let Some(i) = phrase.places.iter().position(|&o| o == ord) {
                phrase.places.swap_remove(i);
                phrase.popularity = phrase.popularity.saturating_sub(1 + u64::from(old.orders));
            }
        }
        self.dishes -= old.dishes.len();
        self.visible -= 1;
        Some(old)
    }

    /// Files a restaurant where customers find it. A paused one is kept (its owner's changes
    /// and its resumption reload it) but filed nowhere: it takes no orders, so it is out of
    /// listings, searches and suggestions until it resumes, as on the big apps.
    fn put(&mut self, ord: u32, place: Place) {
        let r = &place.restaurant;
        if !r.is_paused {
            self.grid.insert(ord, r.latitude, r.longitude, r.delivery_radius_km);
            for &p in &place.phrases {
                let phrase = &mut self.phrases[p as usize];
                phrase.places.push(ord);
                phrase.popularity += 1 + u64::from(place.orders);
            }
        }
        self.dishes += place.dishes.len();
        self.visible += 1;
        if self.orders.len() <= ord as usize {
            self.orders.resize(ord as usize + 1, 0);
        }
        self.orders[ord as usize] = place.orders;
        self.places[ord as usize] = Some(place);
    }

    /// The ordinal of an indexed restaurant.
    pub fn ord(&self, id: Uuid) -> Option<u32> {
        self.ord_of.get(&id).copied().filter(|&o| self.place(o).is_some())
    }

    /// Sets each restaurant's orders in the popularity window (absent: none) and recomputes
    /// the phrases' popularity from them.
    pub fn set_popularity(&mut self, orders: &HashMap<Uuid, u32>) {
        for (ord, place) in self.places.iter_mut().enumerate() {
            if let Some(place) = place {
                place.orders = orders.get(&place.restaurant.restaurant_id).copied().unwrap_or(0);
                self.orders[ord] = place.orders;
            }
        }
        self.recount_phrases();
    }

    /// One more order at a restaurant.
    pub fn count_order(&mut self, id: Uuid) {
        let Some(ord) = self.ord(id) else { return };
        let Some(place) = self.places[ord as usize].as_mut() else { return };
        place.orders += 1;
        self.orders[ord as usize] = place.orders;
        // A paused place is in no phrase's list (see `put`); resuming counts its orders in.
        if place.restaurant.is_paused {
            return;
        }
        for &p in &place.phrases {
            self.phrases[p as usize].popularity += 1;
        }
    }

    fn recount_phrases(&mut self) {
        for phrase in &mut self.phrases {
            phrase.popularity = phrase
                .places
                .iter()
                .map(|&o| 1 + u64::from(self.places[o as usize].as_ref().map_or(0, |p| p.orders)))
                .sum();
        }
    }
}

/// Sorts a place's words and phrases, one entry each (a word's fields folded together).
fn seal(place: &mut Place) {
    place.terms.sort_unstable();
    place.terms.dedup_by(|b, a| {
        // Sorted by (term, field): fold the fields of one term into its first entry.
        if a.0 == b.0 {
            a.1 |= b.1;
            true
        } else {
            false
        }
    });
    place.terms.shrink_to_fit();
    place.phrases.sort_unstable();
    place.phrases.dedup();
    place.phrases.shrink_to_fit();
    // Item id order: ties between a restaurant's dishes go by it.
    place.dishes.sort_unstable_by_key(|d| d.item_id);
    place.dishes.shrink_to_fit();
}
