//! Typo tolerance: how many edits a word may be off by, and a bounded edit distance that counts
//! a swap of neighbours ("birynai") as one edit.

/// Edits allowed for a query word of `len` letters: none below 5, one from 5, two from 9.
pub fn max_edits(len: usize) -> u8 {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The optimal-string-alignment distance between `a` and `b` if it is at most `k`.
pub fn distance_within(a: &[char], b: &[char], k: u8) -> Option<u8> {
    let k = k as usize;
    if a.len().abs_diff(b.len()) > k {
        return None;
    }
    let n = b.len();
    // Three rows: the one before last (for swaps), the last, the current.
    let mut before: Vec<usize> = vec![0; n + 1];
    let mut last: Vec<usize> = (0..=n).collect();
    let mut row: Vec<usize> = vec![0; n + 1];
    for i in 1..=a.len() {
        row[0] = i;
        let mut best = row[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
            best = best.min(d);
        }
        if best > k {
            return None;
        }
        std::mem::swap(&mut before, &mut last);
        std::mem::swap(&mut last, &mut row);
    }
    let d = last[n];
    (d <= k).then_some(d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str, k: u8) -> Option<u8> {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        distance_within(&a, &b, k)
    }

    #[test]
    fn counts_edits_up_to_the_bound() {
        assert_eq!(d("biryani", "biryani", 1), Some(0));
        assert_eq!(d("biriyani", "biryani", 1), Some(1));
        assert_eq!(d("biryni", "biryani", 1), Some(1));
        assert_eq!(d("biryaani", "biryani", 1), Some(1));
        assert_eq!(d("birynai", "biryani", 1), Some(1), "a swap is one edit");
        assert_eq!(d("bryni", "biryani", 1), None);
        assert_eq!(d("bryni", "biryani", 2), Some(2));
        assert_eq!(d("", "ab", 2), Some(2));
        assert_eq!(d("abc", "xyz", 2), None);
    }

    #[test]
    fn edits_grow_with_word_length() {
        assert_eq!(max_edits(4), 0);
        assert_eq!(max_edits(5), 1);
        assert_eq!(max_edits(8), 1);
        assert_eq!(max_edits(9), 2);
    }
}
