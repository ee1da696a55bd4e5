//! Timestamps in a digest's body: `[12:34]` or `[1:02:03]` in the text becomes a link that
//! seeks the episode, and a heading that ends with one (`## The shift [12:34]`) starts a
//! chapter. One reader of the notation for the load (which checks the chapters, with their
//! lines) and the render (which links them), so the two cannot disagree. See
//! `docs/configuration.md` ("Timestamps and chapters").

use std::ops::Range;

/// Seconds of a timestamp written `M:SS`, `MM:SS`, `H:MM:SS` or `HH:MM:SS` (without the
/// brackets): minutes and seconds after the first part are two digits below 60.
pub fn parse(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let (first, rest) = parts.split_first()?;
    if first.is_empty() || first.len() > 2 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut total: u64 = first.parse().ok()?;
    for p in rest {
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = p.parse().ok()?;
        if n >= 60 {
            return None;
        }
        total = total * 60 + n;
    }
    Some(total)
}

/// Every bracketed timestamp in `text`: its byte range (brackets included) and seconds.
pub fn find_all(text: &str) -> Vec<(Range<usize>, u64)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('[').map(|i| from + i) {
        let Some(close) = text[open..].find(']').map(|i| open + i) else {
            break;
        };
        match parse(&text[open + 1..close]) {
            Some(secs) => {
                out.push((open..close + 1, secs));
                from = close + 1;
            }
            None => from = open + 1,
        }
    }
    out
}

/// A heading's text split into its title and the timestamp it ends with, if it ends with
/// one: `The shift [12:34]` → (`The shift`, 754).
pub fn trailing(heading: &str) -> Option<(&str, u64)> {
    let trimmed = heading.trim_end();
    let inner = trimmed.strip_suffix(']')?;
    let open = inner.rfind('[')?;
    let secs = parse(&inner[open + 1..])?;
    Some((inner[..open].trim_end(), secs))
}

/// A chapter as a body's heading gives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Chapter {
    /// Start, in seconds.
    pub start: u64,
    /// The heading's text without the timestamp.
    pub title: String,
    /// 1-based line in the body, and the column of the `[`, for errors.
    pub line: usize,
    /// See `line`.
    pub column: usize,
}

/// The chapters of a body: its ATX headings (`## Title [12:34]`) that end with a timestamp,
/// in order, skipping fenced code. Line-based and cheap, so the load can check every body.
pub fn chapters(body: &str) -> Vec<Chapter> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (n, line) in body.lines().enumerate() {
        let t = line.trim_start_matches(' ');
        let indent = line.len() - t.len();
        if indent > 3 {
            continue;
        }
        let ticks = |c: char| t.chars().take_while(|&x| x == c).count();
        match fence {
            Some((c, len)) => {
                if ticks(c) >= len && t.trim_start_matches(c).trim().is_empty() {
                    fence = None;
                }
                continue;
            }
            None => {
                for c in ['`', '~'] {
                    if ticks(c) >= 3 {
                        fence = Some((c, ticks(c)));
                    }
                }
                if fence.is_some() {
                    continue;
                }
            }
        }
        let hashes = ticks('#');
        if !(1..=6).contains(&hashes) {
            continue;
        }
        let rest = &t[hashes..];
        if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
            continue;
        }
        // A closing sequence of `#`s is not part of the heading.
        let text = rest.trim().trim_end_matches('#').trim_end();
        if let Some((title, start)) = trailing(text) {
            let column = line.rfind('[').map_or(1, |c| line[..c].chars().count() + 1);
            out.push(Chapter {
                start,
                title: title.to_string(),
                line: n + 1,
                column,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_like_a_player_shows_them() {
        assert_eq!(parse("12:34"), Some(754));
        assert_eq!(parse("0:02"), Some(2));
        assert_eq!(parse("1:02:03"), Some(3723));
        assert_eq!(parse("12:60"), None);
        assert_eq!(parse("1:2"), None);
        assert_eq!(parse("123:00"), None);
        assert_eq!(parse("12"), None);
        assert_eq!(parse("a:00"), None);
        assert_eq!(parse("1:02:03:04"), None);
    }

    #[test]
    fn bracketed_timestamps_are_found_among_other_brackets() {
        let text = "See [x] and [12:34], then [1:02:03] but not [99:99] or [link](u).";
        let found: Vec<(&str, u64)> = find_all(text)
            .into_iter()
            .map(|(r, s)| (&text[r], s))
            .collect();
        assert_eq!(found, [("[12:34]", 754), ("[1:02:03]", 3723)]);
        assert!(find_all("[[0:05]").len() == 1);
        assert!(find_all("[").is_empty());
    }

    #[test]
    fn a_heading_may_end_with_its_start() {
        assert_eq!(trailing("The shift [12:34]"), Some(("The shift", 754)));
        assert_eq!(trailing("The shift [12:34]  "), Some(("The shift", 754)));
        assert_eq!(trailing("[0:00]"), Some(("", 0)));
        assert_eq!(trailing("The shift"), None);
        assert_eq!(trailing("Notes [draft]"), None);
    }

    #[test]
    fn chapters_are_atx_headings_with_timestamps_outside_code() {
        let body = "Intro.\n\n## Start [0:00]\n\nText [0:30] here.\n\n```\n## Not [1:00]\n```\n\n### Deeper [2:00] ##\n\n#NoSpace [3:00]\n\n## Plain heading\n";
        let found = chapters(body);
        let got: Vec<(u64, &str, usize, usize)> = found
            .iter()
            .map(|c| (c.start, c.title.as_str(), c.line, c.column))
            .collect();
        assert_eq!(got, [(0, "Start", 3, 10), (120, "Deeper", 11, 12)]);
    }
}
