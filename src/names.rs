//! Names and slugs. Two concepts, shows or people are the same when their names are
//! equal after trimming, whitespace folding, NFC normalisation and case folding; their URL slug
//! is derived from that identity, so a new spelling never moves an existing page.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The longest file or folder name most file systems take, in bytes: a URL segment past it
/// could not be written.
pub const MAX_SEGMENT_BYTES: usize = 255;

/// The identity key of a name: trimmed, inner whitespace folded to one space, NFC, lowercased.
pub fn identity(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.push_str(word);
    }
    // ASCII is already in NFC; most names are ASCII and this runs for every name of every
    // episode, so skip the normaliser for them.
    if folded.is_ascii() {
        folded.make_ascii_lowercase();
        return folded;
    }
    folded.nfc().flat_map(char::to_lowercase).collect()
}

/// A key to sort names by as a reader expects: lowercase, accents dropped (`Élan` sorts
/// with `elan`), spaces collapsed; leading punctuation skipped, so `"Quoted"` sorts under Q.
pub fn sort_key(name: &str) -> String {
    let start = name
        .find(|c: char| c.is_alphanumeric())
        .unwrap_or(name.len());
    let words: Vec<&str> = name[start..].split_whitespace().collect();
    words
        .join(" ")
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A URL slug: lowercase words joined by `-`. `+` becomes `plus` and `#` becomes `sharp` (so C,
/// C++ and C# differ), accents on Latin letters are dropped, and letters of other scripts are
/// kept as they are. May return an empty string; callers treat that as an error.
pub fn slugify(text: &str) -> String {
    if text.is_ascii() {
        slugify_ascii(text)
    } else {
        slugify_unicode(text)
    }
}

/// [`slugify`] of ASCII text, written straight into the slug: the Unicode path (decompose,
/// collect words, join, recompose) cost 15,000 instructions per heading id.
fn slugify_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_word = false;
    let word = |out: &mut String, w: &str| {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(w);
    };
    for b in text.bytes() {
        match b {
            b'+' => {
                word(&mut out, "plus");
                in_word = false;
            }
            b'#' => {
                word(&mut out, "sharp");
                in_word = false;
            }
            b'\'' => {}
            b if b.is_ascii_alphanumeric() => {
                if !in_word && !out.is_empty() {
                    out.push('-');
                }
                out.push(char::from(b.to_ascii_lowercase()));
                in_word = true;
            }
            _ => in_word = false,
        }
    }
    out
}

fn slugify_unicode(text: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, words: &mut Vec<String>| {
        if !current.is_empty() {
            words.push(std::mem::take(current));
        }
    };
    for c in text.nfd() {
        match c {
            '+' => {
                flush(&mut current, &mut words);
                words.push("plus".into());
            }
            '#' => {
                flush(&mut current, &mut words);
                words.push("sharp".into());
            }
            // Apostrophes join a word ("don't" → "dont") rather than split it.
            '\'' | '\u{2019}' => {}
            c if is_combining_mark(c) => {
                // Keep marks that belong to non-Latin scripts (Devanagari vowel signs, kana
                // voicing marks); drop Latin diacritics so "café" → "cafe".
                let latin_diacritic = ('\u{0300}'..='\u{036F}').contains(&c);
                let after_latin = current
                    .chars()
                    .last()
                    .is_some_and(|p| p.is_ascii_alphabetic());
                if !(latin_diacritic && after_latin) {
                    current.push(c);
                }
            }
            c if c.is_alphanumeric() => current.extend(c.to_lowercase()),
            _ => flush(&mut current, &mut words),
        }
    }
    flush(&mut current, &mut words);
    words.join("-").nfc().collect()
}

/// Why a path segment cannot be a file or folder name on some host, if it cannot: the
/// device names Windows reserves in any case and with any extension (`con`, `aux.html`,
/// `com1`…), which a Windows checkout, a zip for upload or an SMB share cannot hold, and a
/// trailing dot or space, which Windows drops.
pub fn host_trouble(segment: &str) -> Option<String> {
    const DEVICES: &[&str] = &["con", "prn", "aux", "nul", "conin$", "conout$"];
    let base = segment
        .split('.')
        .next()
        .unwrap_or(segment)
        .to_ascii_lowercase();
    let numbered = ["com", "lpt"].iter().any(|p| {
        base.strip_prefix(p).is_some_and(|n| {
            matches!(
                n,
                "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
            )
        })
    });
    if DEVICES.contains(&base.as_str()) || numbered {
        return Some(format!(
            "`{segment}` is a device name Windows reserves: no file or folder can be called that there"
        ));
    }
    if segment.ends_with(['.', ' ']) {
        return Some(format!(
            "`{segment}` ends with a dot or a space, which Windows drops from file names"
        ));
    }
    None
}

/// Whether `segment` is safe as one path segment of the output (an explicit `slug:` or part of
/// an alias): no separators, no `.`/`..`, no control or reserved characters.
pub fn is_safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && !segment.starts_with('.')
        && segment
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_windows_reserves_are_found_in_any_case_and_with_extensions() {
        for bad in ["con", "AUX", "nul.html", "com1", "LPT9", "v1.", "x "] {
            assert!(host_trouble(bad).is_some(), "{bad}");
        }
        for ok in [
            "console",
            "auxiliary",
            "com10",
            "com",
            "nullable",
            "v1.2",
            "icon",
        ] {
            assert_eq!(host_trouble(ok), None, "{ok}");
        }
    }

    #[test]
    fn ascii_slugs_match_the_unicode_path() {
        let mut samples: Vec<String> = (0x20u8..0x7f).map(|b| format!("a{}b", b as char)).collect();
        samples.extend(
            [
                "",
                "C++ and C#",
                "  Don't   Panic!  ",
                "++x",
                "#1 Hit",
                "Section 1: user latency",
                "a\tb\nc",
                "'quoted' words",
                "x#",
                "---",
                "Mixed CASE 42",
            ]
            .map(String::from),
        );
        for t in &samples {
            assert_eq!(slugify_ascii(t), slugify_unicode(t), "{t:?}");
        }
    }

    #[test]
    fn identity_folds_case_space_and_normalisation() {
        assert_eq!(
            identity("  Compute   resources "),
            identity("Compute Resources")
        );
        // "é" precomposed vs "e" + combining acute
        assert_eq!(identity("Caf\u{e9}"), identity("Cafe\u{301}"));
        assert_ne!(identity("C"), identity("C++"));
    }

    #[test]
    fn sort_keys_drop_accents_case_and_leading_punctuation() {
        assert_eq!(sort_key("Élan  Vital"), "elan vital");
        assert_eq!(sort_key("\"Quoted\" name"), "quoted\" name");
        assert_eq!(sort_key(".NET"), "net");
        assert_eq!(sort_key("401(k)"), "401(k)");
        assert_eq!(sort_key("!!!"), "");
    }

    #[test]
    fn slugs_keep_c_family_apart() {
        assert_eq!(slugify("C"), "c");
        assert_eq!(slugify("C++"), "c-plus-plus");
        assert_eq!(slugify("C#"), "c-sharp");
        assert_eq!(slugify("F# & .NET"), "f-sharp-net");
    }

    #[test]
    fn slugs_of_words_and_scripts() {
        assert_eq!(slugify("Corporate Polyamory"), "corporate-polyamory");
        assert_eq!(slugify("Don't Panic!"), "dont-panic");
        assert_eq!(slugify("Café Économie"), "cafe-economie");
        assert_eq!(slugify("機械学習"), "機械学習");
        assert_eq!(slugify("Большие данные"), "большие-данные");
        assert_eq!(slugify("हिन्दी"), "हिन्दी");
        assert_eq!(slugify("がぎ"), "がぎ");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify("--a--b--"), "a-b");
    }

    #[test]
    fn safe_segments() {
        assert!(is_safe_segment("my-episode_2"));
        assert!(is_safe_segment("página"));
        for bad in [
            "", ".", "..", "../x", "a/b", "a\\b", ".hidden", "a b", "%2e%2e",
        ] {
            assert!(!is_safe_segment(bad), "{bad}");
        }
    }
}
