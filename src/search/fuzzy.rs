//! Typo tolerance inside a static index: deletion keys (the "symmetric delete" method).
//! Two words within an edit or two of each other become equal once as many letters are
//! deleted from each, so the index lists every term under each of its deletion keys, and
//! the browser computes the keys of a typed word, fetches only the key files they hash to,
//! and checks each candidate's true distance. Keys are made from a word's first
//! [`PREFIX`] letters only, which bounds their number (29 at most) without losing a match:
//! the candidates are then checked on the whole word.
//!
//! `themes/default/static/search.js` computes query keys the same way (a unit test there
//! and here pin the same examples).

use std::collections::BTreeSet;

/// Letters of a word that its keys are made from.
pub const PREFIX: usize = 7;

/// Edits forgiven in a typed word of `letters` letters: none below four, one from four,
/// two from eight.
pub fn max_edits(letters: usize) -> usize {
    match letters {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Deletions an indexed term is keyed under: enough to meet any query word it is within
/// [`max_edits`] of (a term of three or four letters is at most one edit from a typed word
/// of up to seven letters, or exactly two insertions short of a longer one, which the
/// query side's own deletions cover).
pub fn index_deletes(letters: usize) -> usize {
    match letters {
        0..=2 => 0,
        3..=4 => 1,
        _ => 2,
    }
}

/// Whether a term gets keys: three letters or more, letters only (a typo in a number or a
/// code is not one to forgive).
pub fn keyed(term: &str) -> bool {
    term.chars().all(char::is_alphabetic) && index_deletes(term.chars().count()) > 0
}

/// The deletion keys of a word: its first [`PREFIX`] letters with up to `deletes` of them
/// removed, each key once, sorted.
pub fn keys(word: &str, deletes: usize) -> Vec<String> {
    let prefix: Vec<char> = word.chars().take(PREFIX).collect();
    let mut out = BTreeSet::new();
    let mut level: BTreeSet<Vec<char>> = BTreeSet::from([prefix]);
    for _ in 0..=deletes {
        let mut next = BTreeSet::new();
        for w in &level {
            out.insert(w.iter().collect::<String>());
            if w.len() > 1 {
                for i in 0..w.len() {
                    let mut v = w.clone();
                    v.remove(i);
                    next.insert(v);
                }
            }
        }
        level = next;
    }
    out.into_iter().collect()
}

/// Edit distance with adjacent transpositions (kept in `text`: the translation files' "did you
/// mean" hints use it too).
pub use crate::text::distance;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deletions_of_the_prefix() {
        assert_eq!(keys("work", 1), ["ork", "wok", "wor", "work", "wrk"]);
        assert_eq!(keys("aab", 1), ["aa", "aab", "ab"]);
        assert!(keys("platformization", 2).len() <= 29);
        assert!(keys("platformization", 2).iter().all(|k| k.len() <= PREFIX));
    }

    #[test]
    fn distance_counts_transpositions_as_one() {
        assert_eq!(distance("platfrom", "platform"), 1);
        assert_eq!(distance("compt", "comput"), 1);
        assert_eq!(distance("microsft", "microsoft"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
    }

    /// Every pair within the forgiven distance shares a key, typo at the start included:
    /// checked over every one- and two-edit variant of a set of words.
    #[test]
    fn every_word_within_the_forgiven_distance_shares_a_key() {
        let words = [
            "work",
            "risk",
            "platform",
            "compute",
            "polyamory",
            "microsoft",
            "abc",
            "data",
            "lawsuit",
            "partnership",
            "transformation",
            "aa",
            "queue",
        ];
        let alphabet = ['a', 'e', 'o', 'r', 'x'];
        let edits = |w: &str| -> Vec<String> {
            let c: Vec<char> = w.chars().collect();
            let mut out = Vec::new();
            for i in 0..=c.len() {
                for &x in &alphabet {
                    let mut v = c.clone();
                    v.insert(i, x);
                    out.push(v.iter().collect());
                }
                if i < c.len() {
                    let mut v = c.clone();
                    v.remove(i);
                    out.push(v.iter().collect());
                    for &x in &alphabet {
                        let mut v = c.clone();
                        v[i] = x;
                        out.push(v.iter().collect());
                    }
                }
                if i + 1 < c.len() {
                    let mut v = c.clone();
                    v.swap(i, i + 1);
                    out.push(v.iter().collect());
                }
            }
            out
        };
        let mut checked = 0;
        for term in words {
            let n = term.chars().count();
            if !keyed(term) {
                continue;
            }
            let tkeys: BTreeSet<String> = keys(term, index_deletes(n)).into_iter().collect();
            let mut typos: Vec<String> = edits(term);
            typos.extend(typos.clone().iter().flat_map(|t| edits(t)));
            for typo in typos {
                let k = max_edits(typo.chars().count());
                let d = distance(&typo, term);
                if d == 0 || d > k {
                    continue;
                }
                let qkeys = keys(&typo, k);
                assert!(
                    qkeys.iter().any(|q| tkeys.contains(q)),
                    "{typo} (distance {d}) shares no key with {term}"
                );
                checked += 1;
            }
        }
        assert!(checked > 10_000, "{checked}");
    }
}
