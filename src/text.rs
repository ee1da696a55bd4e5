//! Text helpers every stage uses (escaping for HTML and XML, truncating for display). They
//! sit on the ground floor so that the markdown renderer, the feeds, the search index and
//! the data files can share them without importing one another.

/// Appends `text` with `&`, `<`, `>` and `"` escaped for HTML.
pub(crate) fn escape_html_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// `text` with `&`, `<`, `>` and `"` escaped for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_html_into(&mut out, text);
    out
}

/// `parts` one after another, in one allocation of their length: paths and links are made
/// for every file and every card of every build, and `format!` grows its string from empty
/// (the output paths' `format!`s were a fortieth of a build that reused the last).
pub fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// Whether XML 1.0 allows this character.
pub fn is_xml_char(c: char) -> bool {
    ((c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r')) && c != '\u{FFFE}' && c != '\u{FFFF}'
}

/// The first `N` words of `line` (each ended by one space) and the rest after them, for
/// the files a build keeps beside its output, whose lines are numbers then a path that may
/// hold spaces. `None` when it has fewer. memchr finds the spaces: splitting on a `char`
/// was most of reading a record of 30,000 lines.
pub fn leading_words<const N: usize>(line: &str) -> Option<([&str; N], &str)> {
    let mut words = [""; N];
    let mut rest = line;
    for word in &mut words {
        let at = memchr::memchr(b' ', rest.as_bytes())?;
        // A space is a character of its own: both sides are character boundaries.
        *word = rest.get(..at)?;
        rest = rest.get(at + 1..)?;
    }
    Some((words, rest))
}

/// The lines of `text`, each without its `\n` (a last line without one included, an
/// empty text after the last `\n` not); unlike [`str::lines`], a `\r` is kept: the
/// paths in the files a build keeps may end with one.
pub fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    ends.filter_map(move |end| {
        let line = text.get(start..end)?;
        let last = end == text.len();
        start = end + 1;
        (!last || !line.is_empty()).then_some(line)
    })
}

/// Escapes text for XML.
pub fn xml_escape(s: &str) -> String {
    // Most texts (every URL of a sitemap) are printable ASCII with nothing to escape.
    let plain =
        |b: &u8| (0x20..0x7f).contains(b) && !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'');
    if s.as_bytes().iter().all(plain) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped rather than emitted.
            c if !is_xml_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// `s` without the characters XML 1.0 cannot carry.
pub fn xml_clean(s: &str) -> String {
    // Nearly every text is clean already: one check and a copy beat rebuilding it by char.
    if s.chars().all(is_xml_char) {
        return s.to_string();
    }
    s.chars().filter(|&c| is_xml_char(c)).collect()
}

/// `s` cut to at most `max` characters at a word boundary, with an ellipsis when cut.
pub fn truncate(s: &str, max: usize) -> String {
    // The byte offset of character `max`, if there is one: one pass over the kept part only
    // (every search result section goes through here).
    let Some((end, _)) = s.char_indices().nth(max) else {
        return s.to_string();
    };
    let kept = &s[..end];
    let mut out = String::with_capacity(end + '…'.len_utf8());
    out.push_str(kept.rfind(' ').map_or(kept, |i| &kept[..i]));
    out.push('…');
    out
}

/// `1 concept`, `2 concepts`: a count with its noun.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Edit distance with adjacent transpositions (optimal string alignment), on characters.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// The words of a definition for comparing two definitions: lowercase letters and digits,
/// every run of anything else one space. "Platform risk: depending on one vendor." and
/// "platform risk — depending on ONE vendor" are the same definition. A digest keeps the
/// hash of its definitions' words (`load::digest::ConceptRef::wording`), made at load, and
/// `site::definitions` compares those.
pub fn comparable_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        // Definitions are mostly ASCII: one test and one push per letter there, where
        // `char::to_lowercase` builds an iterator (its cost showed in every build).
        if c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric()) {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            gap = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_cuts_at_a_word_boundary_by_characters() {
        assert_eq!(truncate("short", 5), "short");
        assert_eq!(truncate("", 0), "");
        assert_eq!(truncate("one two three", 9), "one two…");
        assert_eq!(truncate("one two three", 8), "one two…");
        assert_eq!(truncate("onetwothree", 3), "one…");
        // Characters, not bytes: six two-byte characters fit in six.
        assert_eq!(truncate("éééééé", 6), "éééééé");
        assert_eq!(truncate("éé éé éé", 6), "éé éé…");
    }

    #[test]
    fn comparable_words_fold_case_punctuation_and_spacing() {
        assert_eq!(
            comparable_words("Platform risk: depending on  ONE vendor."),
            comparable_words("platform risk — depending on one vendor")
        );
        assert_eq!(comparable_words("  Élan, vital! "), "élan vital");
        assert_ne!(
            comparable_words("one vendor"),
            comparable_words("one vendors")
        );
        assert_eq!(comparable_words("…"), "");
        // Punctuation between words, digits, and letters beyond ASCII.
        assert_eq!(
            comparable_words(" Platform-risk:  ONE vendor 2 "),
            "platform risk one vendor 2"
        );
        assert_eq!(
            comparable_words("Platform-risk: ONE véndor"),
            "platform risk one véndor"
        );
    }

    #[test]
    fn xml_escape_of_plain_text_is_the_text() {
        for (text, escaped) in [
            (
                "https://e.com/episodes/a-b/?q=1",
                "https://e.com/episodes/a-b/?q=1",
            ),
            ("a & b", "a &amp; b"),
            (
                "it's <b>\"x\"</b>",
                "it&apos;s &lt;b&gt;&quot;x&quot;&lt;/b&gt;",
            ),
            ("tab\tand\nline", "tab\tand\nline"),
            ("bell\u{7}del\u{7f}", "belldel\u{7f}"),
            ("élan", "élan"),
            ("", ""),
        ] {
            assert_eq!(xml_escape(text), escaped, "{text:?}");
        }
    }

    #[test]
    fn xml_clean_drops_control_characters() {
        assert_eq!(xml_clean("a\u{1}b\tc\u{FFFF}"), "ab\tc");
    }

    #[test]
    fn leading_words_split_at_single_spaces_and_keep_the_rest() {
        assert_eq!(
            leading_words::<2>("1a 22 path with spaces"),
            Some((["1a", "22"], "path with spaces"))
        );
        assert_eq!(leading_words::<2>("1a 22 "), Some((["1a", "22"], "")));
        assert_eq!(leading_words::<2>("a  b"), Some((["a", ""], "b")));
        assert_eq!(leading_words::<3>("a b"), None);
        assert_eq!(leading_words::<0>("a b"), Some(([], "a b")));
        assert_eq!(leading_words::<1>("é ü"), Some((["é"], "ü")));
    }

    #[test]
    fn lines_of_is_lines_but_keeps_carriage_returns() {
        for text in ["", "a", "a\n", "a\nb", "a\n\nb\n", "\n", "\n\n", "é\nü\n"] {
            let ours: Vec<&str> = lines_of(text).collect();
            let std: Vec<&str> = text.lines().collect();
            assert_eq!(ours, std, "{text:?}");
        }
        let ours: Vec<&str> = lines_of("a\r\nb\r").collect();
        assert_eq!(ours, ["a\r", "b\r"]);
    }
}
