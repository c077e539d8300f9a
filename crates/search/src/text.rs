//! What a word is: lower case, accents folded away (`Crème Brûlée` → `creme brulee`), split on
//! anything that is not a letter or digit. Documents and queries go through the same function,
//! so case and accents never decide a match.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Words a query may carry that say nothing about food.
const STOPWORDS: &[&str] = &["a", "an", "and", "n", "of", "the", "with", "in", "near", "me"];

/// Folds `text` and appends its words to `out`.
pub fn words_into(text: &str, out: &mut Vec<String>) {
    let mut word = String::new();
    let mut flush = |word: &mut String| {
        if !word.is_empty() {
            out.push(std::mem::take(word));
        }
    };
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        // Letters NFD does not decompose.
        let spelled = match c {
            'ß' => Some("ss"),
            'æ' | 'Æ' => Some("ae"),
            'œ' | 'Œ' => Some("oe"),
            'ø' | 'Ø' => Some("o"),
            'ł' | 'Ł' => Some("l"),
            'đ' | 'Đ' => Some("d"),
            _ => None,
        };
        if let Some(s) = spelled {
            word.push_str(s);
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if c != '\'' && c != '’' {
            // "Domino's" stays one word; everything else separates.
            flush(&mut word);
        }
    }
    flush(&mut word);
}

/// The folded words of `text`.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    words_into(text, &mut out);
    out
}

/// The words of a query that carry meaning (stopwords dropped unless that leaves nothing).
pub fn query_words(q: &str) -> Vec<String> {
    let all = words(q);
    let kept: Vec<String> = all.iter().filter(|w| !STOPWORDS.contains(&w.as_str())).cloned().collect();
    if kept.is_empty() { all } else { kept }
}

/// The folded words joined by single spaces: the key under which phrases are merged.
pub fn normalized(text: &str) -> String {
    words(text).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(words("Crème Brûlée"), ["creme", "brulee"]);
        assert_eq!(words("JALAPEÑO  poppers!"), ["jalapeno", "poppers"]);
        assert_eq!(words("Domino's Pizza"), ["dominos", "pizza"]);
        assert_eq!(words("Paneer-Tikka (Half)"), ["paneer", "tikka", "half"]);
        assert_eq!(words("Straße Café"), ["strasse", "cafe"]);
        assert_eq!(normalized("  Chicken   BIRYANI "), "chicken biryani");
        assert!(words(" -- ").is_empty());
    }

    #[test]
    fn query_words_drop_stopwords_but_never_everything() {
        assert_eq!(query_words("chicken and rice"), ["chicken", "rice"]);
        assert_eq!(query_words("the"), ["the"]);
    }
}
