//! Every word the index has seen, with an id. Words are grouped by length for typo lookups (a word
//! can only be within k edits of words whose length differs by at most k) and kept sorted for
//! prefix lookups (autocomplete).

use crate::fuzzy::{distance_within, max_edits};
use std::collections::{BTreeMap, HashMap};

#[derive(Default)]
pub struct Vocab {
    ids: HashMap<Box<str>, u32>,
    words: Vec<Box<[char]>>,
    by_len: Vec<Vec<u32>>,
    sorted: BTreeMap<Box<str>, u32>,
}

/// A vocabulary word a query word may stand for, and how many edits apart they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    pub term: u32,
    pub edits: u8,
}

impl Vocab {
    /// The id of `word`, adding it if new.
    pub fn intern(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = self.words.len() as u32;
        let chars: Box<[char]> = word.chars().collect();
        let len = chars.len();
        if self.by_len.len() <= len {
            self.by_len.resize_with(len + 1, Vec::new);
        }
        self.by_len[len].push(id);
        self.words.push(chars);
        self.ids.insert(word.into(), id);
        self.sorted.insert(word.into(), id);
        id
    }

    pub fn get(&self, word: &str) -> Option<u32> {
        self.ids.get(word).copied()
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// The words `word` may stand for: itself, and words within the edits its length allows.
    pub fn variants(&self, word: &str) -> Vec<Variant> {
        let chars: Vec<char> = word.chars().collect();
        let k = max_edits(chars.len());
        let mut out: Vec<Variant> = self.get(word).map(|term| Variant { term, edits: 0 }).into_iter().collect();
        if k == 0 {
            return out;
        }
        let lo = chars.len().saturating_sub(k as usize);
        let hi = (chars.len() + k as usize).min(self.by_len.len().saturating_sub(1));
        for len in lo..=hi {
            for &id in &self.by_len[len] {
                if let Some(edits) = distance_within(&chars, &self.words[id as usize], k)
                    && edits > 0
                {
                    out.push(Variant { term: id, edits });
                }
            }
        }
        out
    }

    /// Ids of the words that start with `prefix`.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = u32> + 'a {
        self.sorted
            .range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded))
            .take_while(move |(w, _)| w.starts_with(prefix))
            .map(|(_, &id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_variants_and_prefixes() {
        let mut v = Vocab::default();
        for w in ["biryani", "biriyani", "pizza", "pizzas", "paneer", "bir"] {
            v.intern(w);
        }
        assert_eq!(v.intern("pizza"), v.get("pizza").unwrap(), "interning twice keeps the id");
        let found: Vec<u32> = v.variants("biryni").iter().map(|x| x.term).collect();
        assert_eq!(found, [v.get("biryani").unwrap()]);
        // Four letters: exact only.
        assert!(v.variants("pizz").is_empty());
        let mut pre: Vec<u32> = v.with_prefix("bir").collect();
        pre.sort();
        assert_eq!(pre.len(), 3);
        assert_eq!(v.with_prefix("pi").count(), 2);
        assert_eq!(v.with_prefix("zz").count(), 0);
    }
}
