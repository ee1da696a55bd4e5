//! Words as the search sees them, identical at build time and in the browser: the script
//! `themes/default/static/search.js` folds, splits and stems the same way, and a
//! differential test (`tests/search_differential.rs`) runs both over every code point and a
//! large English word list.
//!
//! Folding: NFD, combining marks dropped, lowercase, then letters that do not decompose are
//! spelled out (`ß` → `ss`, `æ` → `ae`, `œ` → `oe`, `ø` → `o`, `đ`/`ð` → `d`, `þ` → `th`,
//! `ł` → `l`, `ı` → `i`, final `ς` → `σ`). A token is a run of letters and digits (Unicode
//! `Alphabetic` or `Numeric`); an apostrophe between two of them is dropped, so `Zoë's`,
//! `zoe's` and `zoës` are all `zoes`. Tokens shorter than two characters and a short list
//! of English stopwords are not indexed.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Sorted, so [`keep`] can binary-search it (a unit test checks the order). At most five
/// bytes each.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in",
    "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were",
    "will", "with",
];

/// Splits text into search tokens (folded, unstemmed).
pub fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, &mut |t| out.push(t.to_string()));
    out
}

/// A token of at most eight bytes as one integer (bytes big-endian, zero-padded), so
/// comparing it is one instruction: tokens of five bytes or less met the stopword list as
/// often as not.
const fn pack(token: &[u8]) -> u64 {
    let mut v = 0u64;
    let mut i = 0;
    while i < 8 {
        v <<= 8;
        if i < token.len() {
            v |= token[i] as u64;
        }
        i += 1;
    }
    v
}

/// [`STOPWORDS`] packed; packing keeps byte order, so the list stays sorted.
const STOP_KEYS: [u64; STOPWORDS.len()] = {
    let mut keys = [0u64; STOPWORDS.len()];
    let mut i = 0;
    while i < STOPWORDS.len() {
        keys[i] = pack(STOPWORDS[i].as_bytes());
        i += 1;
    }
    keys
};

/// Whether a folded token is indexed: two characters or more, not a stopword.
pub fn keep(token: &str) -> bool {
    // At least two characters (not bytes: "と" is one character in three bytes).
    if token.is_ascii() {
        keep_ascii(token)
    } else {
        token.chars().nth(1).is_some() && !is_stopword(token)
    }
}

/// [`keep`] for a token known to be ASCII (the tokeniser's fast path knows it).
fn keep_ascii(token: &str) -> bool {
    token.len() >= 2 && !is_stopword(token)
}

fn is_stopword(token: &str) -> bool {
    // Every stopword is at most five bytes; most tokens skip the list.
    token.len() <= 5 && STOP_KEYS.binary_search(&pack(token.as_bytes())).is_ok()
}

/// Calls `f` with each token of `text`, reusing one buffer: indexing ten thousand digests
/// tokenises tens of millions of words, so no token is allocated here.
pub fn each_token(text: &str, f: &mut dyn FnMut(&str)) {
    each_token_ref(text, &mut |t| f(t.as_str()));
}

// Bit flags, so a run's classes can be or-ed together and tested once for a capital or an
// apostrophe.
const SEPARATOR: u8 = 0;
const LOWER_OR_DIGIT: u8 = 1;
const UPPER: u8 = 2 | LOWER_OR_DIGIT;
const APOSTROPHE: u8 = 4;

/// Each byte's class for the ASCII tokeniser: one load a byte where three range tests were
/// (the byte loop ran some twenty instructions a byte).
const ASCII_CLASS: [u8; 256] = {
    let mut t = [SEPARATOR; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_uppercase() {
            t[b] = UPPER;
        } else if c.is_ascii_alphanumeric() {
            t[b] = LOWER_OR_DIGIT;
        } else if c == b'\'' {
            t[b] = APOSTROPHE;
        }
        b += 1;
    }
    t
};

/// A token as [`each_token_ref`] hands it out.
pub enum Token<'a, 'b> {
    /// A slice of the text itself: it was already in folded form.
    Text(&'a str),
    /// A folded copy in a buffer that the next token reuses.
    Folded(&'b str),
}

impl<'a> Token<'a, '_> {
    /// The token's text.
    pub fn as_str(&self) -> &str {
        match self {
            Token::Text(s) | Token::Folded(s) => s,
        }
    }

    /// The token as a key that outlives the call: borrowed from the text when it can be, so
    /// most of a document's distinct terms cost no allocation.
    pub fn to_cow(&self) -> Cow<'a, str> {
        match *self {
            Token::Text(s) => Cow::Borrowed(s),
            Token::Folded(s) => Cow::Owned(s.to_string()),
        }
    }
}

/// Appends a lowercase character in folded form: letters with no decomposition spelled out.
fn push_folded(out: &mut String, c: char) {
    match c {
        'ß' => out.push_str("ss"),
        'æ' => out.push_str("ae"),
        'œ' => out.push_str("oe"),
        'ø' => out.push('o'),
        'đ' | 'ð' => out.push('d'),
        'þ' => out.push_str("th"),
        'ł' => out.push('l'),
        'ı' => out.push('i'),
        'ς' => out.push('σ'),
        c => out.push(c),
    }
}

/// Whether `c` joins two halves of a word when it stands between letters (`zoë's`).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Folds a whole string as tokens are folded, keeping every other character (for names:
/// `C++` → `c++`), inner whitespace collapsed to one space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.nfd() {
            if is_combining_mark(c) {
                continue;
            }
            for l in c.to_lowercase() {
                push_folded(&mut out, l);
            }
        }
    }
    out
}

/// [`each_token`], telling apart tokens that are slices of `text` (lower-case ASCII runs,
/// most of them) from folded copies.
pub fn each_token_ref<'a>(text: &'a str, f: &mut dyn FnMut(Token<'a, '_>)) {
    let mut cur = String::with_capacity(32);
    if text.is_ascii() {
        ascii_tokens(text, &mut cur, f);
        return;
    }
    let emit = |cur: &mut String, f: &mut dyn FnMut(Token<'a, '_>)| {
        if !cur.is_empty() {
            if keep(cur) {
                f(Token::Folded(cur));
            }
            cur.clear();
        }
    };
    let mut chars = text.nfd().filter(|&c| !is_combining_mark(c)).peekable();
    while let Some(c) = chars.next() {
        // Apostrophes first: U+02BC is a letter, but one that joins or ends a word.
        if is_apostrophe(c) {
            let joins = !cur.is_empty() && chars.peek().is_some_and(|n| n.is_alphanumeric());
            if !joins {
                emit(&mut cur, f);
            }
            // Inside a word: dropped, the word goes on.
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                push_folded(&mut cur, l);
            }
        } else {
            emit(&mut cur, f);
        }
    }
    emit(&mut cur, f);
}

/// The ASCII tokeniser: byte by byte (splitting on a char predicate decoded every character,
/// and a tenth of a 10k build went to tokenising). A run of letters and digits without
/// capitals or apostrophes is passed as the slice it is.
fn ascii_tokens<'a>(text: &'a str, cur: &mut String, f: &mut dyn FnMut(Token<'a, '_>)) {
    let bytes = text.as_bytes();
    let class = |i: usize| {
        bytes
            .get(i)
            .map_or(SEPARATOR, |&b| ASCII_CLASS[usize::from(b)])
    };
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && class(i) & LOWER_OR_DIGIT == 0 {
            i += 1;
        }
        let start = i;
        let mut classes = SEPARATOR;
        while i < bytes.len() {
            let c = class(i);
            if c == APOSTROPHE && class(i + 1) & LOWER_OR_DIGIT != 0 {
                // An apostrophe inside a word (one alphanumeric byte before it, one after).
                classes |= c;
                i += 1;
                continue;
            }
            if c & LOWER_OR_DIGIT == 0 {
                break;
            }
            classes |= c;
            i += 1;
        }
        // ASCII text: every byte offset is a character boundary.
        let Some(run) = text.get(start..i).filter(|r| !r.is_empty()) else {
            continue;
        };
        if classes == LOWER_OR_DIGIT {
            if keep_ascii(run) {
                f(Token::Text(run));
            }
        } else {
            cur.clear();
            cur.extend(
                run.bytes()
                    .filter(|&b| b != b'\'')
                    .map(|b| char::from(b.to_ascii_lowercase())),
            );
            if keep_ascii(cur) {
                f(Token::Folded(cur));
            }
        }
    }
}

/// The stemmer for a site's `language` (English, the one the browser script also has), or
/// none: words are then matched as they are spelled.
pub struct Stemmer(Option<rust_stemmers::Stemmer>);

impl Stemmer {
    /// The stemmer for a language tag (`en`, `en-GB`, …).
    pub fn for_language(language: &str) -> Stemmer {
        let primary = language
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Stemmer(
            (primary == "en")
                .then(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English)),
        )
    }

    /// The stemmer's name in the manifest (`english`), if there is one.
    pub fn name(&self) -> Option<&'static str> {
        self.0.as_ref().map(|_| "english")
    }

    /// A folded token's stem. Only tokens of the letters a–z are stemmed (the English
    /// stemmer's alphabet); others (`401k`, `2024`, `機械学習`) are kept whole, as the
    /// script does.
    pub fn stem<'t>(&self, token: &'t str) -> Cow<'t, str> {
        match &self.0 {
            Some(s) if token.bytes().all(|b| b.is_ascii_lowercase()) => s.stem(token),
            _ => Cow::Borrowed(token),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_case_and_accents_and_drop_stopwords() {
        assert_eq!(
            tokenize("Café ÉCONOMIE, the C++ crowd!"),
            ["cafe", "economie", "crowd"]
        );
        assert_eq!(tokenize("Naïve-Bayes 2024"), ["naive", "bayes", "2024"]);
        assert_eq!(tokenize("機械学習 と AI"), ["機械学習", "ai"]);
    }

    #[test]
    fn equivalent_spellings_fold_alike() {
        assert_eq!(tokenize("Straße strasse STRASSE"), ["strasse"; 3]);
        assert_eq!(
            tokenize("Æsir aesir Øresund oresund"),
            ["aesir", "aesir", "oresund", "oresund"]
        );
        assert_eq!(tokenize("Zoë's zoe's zoës Zoe’s"), ["zoes"; 4]);
        // An apostrophe that does not join two word halves separates as before.
        assert_eq!(
            tokenize("'quoted' rock'n'roll dogs'"),
            ["quoted", "rocknroll", "dogs"]
        );
        assert_eq!(fold("  C++   Zoë's\tLaw "), "c++ zoe's law");
    }

    #[test]
    fn regression_one_character_non_ascii_tokens_were_kept() {
        // The byte-length fast path once kept "と" (3 bytes); the script drops it.
        assert_eq!(tokenize("と é 漢字"), ["漢字"]);
    }

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_KEYS.windows(2).all(|w| w[0] < w[1]));
        for w in STOPWORDS {
            assert!(!keep(w), "{w}");
        }
        for w in ["theory", "an0", "the1", "wit", "withs", "ai"] {
            assert!(keep(w), "{w}");
        }
    }

    #[test]
    fn ascii_runs_split_on_every_non_alphanumeric_byte() {
        assert_eq!(
            tokenize("--Rust's  BM25\tscore:x9 ok\n"),
            ["rusts", "bm25", "score", "x9", "ok"]
        );
        assert_eq!(tokenize(""), Vec::<String>::new());
        assert_eq!(tokenize("!!"), Vec::<String>::new());
        assert_eq!(tokenize("a'b ''x"), ["ab"]);
    }

    #[test]
    fn english_stems_word_forms_alike() {
        let s = Stemmer::for_language("en-GB");
        assert_eq!(s.name(), Some("english"));
        assert_eq!(s.stem("partnerships"), s.stem("partnership"));
        assert_eq!(s.stem("lawsuits"), s.stem("lawsuit"));
        assert_eq!(s.stem("computing"), s.stem("compute"));
        assert_eq!(s.stem("401k"), "401k");
        let none = Stemmer::for_language("fr");
        assert_eq!(none.name(), None);
        assert_eq!(none.stem("partenariats"), "partenariats");
    }
}
