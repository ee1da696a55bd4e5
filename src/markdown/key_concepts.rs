//! The Key Concepts shape of a body, recognised once for both passes over it: the load scan
//! needs the terms and definitions before any page can be rendered, and the render turns the
//! same list into a definition list of linked terms. Both call [`lists`] and [`split`], so
//! they cannot disagree about which list is meant or where a term ends.
//!
//! The shape (see `docs/architecture.md`, "Key Concepts"): a heading that reads "Key
//! Concepts" (any level, any case, an optional final colon), and the list that is the very
//! next block after it. Each top-level item reads `**Term**: definition`, `**Term:**
//! definition` or `Term: definition`; the term ends at the first colon outside inline markup.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// Whether a heading's text names the Key Concepts list.
pub(crate) fn is_heading(text: &str) -> bool {
    text.trim()
        .trim_end_matches(':')
        .trim()
        .eq_ignore_ascii_case("key concepts")
}

/// The index of the `End` event matching the `Start` event at `start` (pulldown-cmark's
/// events are balanced); the last index when the stream is cut short.
pub(crate) fn matching_end(events: &[Event], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, ev) in events.iter().enumerate().skip(start) {
        match ev {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        if depth == 0 {
            return i;
        }
    }
    events.len().saturating_sub(1)
}

/// A heading's plain text: text and code spans, line breaks as spaces (a heading written
/// over two lines keeps its words apart), trimmed.
pub(crate) fn heading_text(inner: &[Event]) -> String {
    let mut text = String::new();
    for e in inner {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_string()
}

/// The Key Concepts lists of a body: the index of each list's `Start` and of its `End`.
pub(crate) fn lists(events: &[Event]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { .. }) = events[i] {
            let end = matching_end(events, i);
            let named = is_heading(&heading_text(&events[i + 1..end]));
            if named && matches!(events.get(end + 1), Some(Event::Start(Tag::List(_)))) {
                out.push((end + 1, matching_end(events, end + 1)));
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// The top-level items of the list whose `Start` is at `start` and `End` at `end`: the range
/// of each item's inner events (between its own `Start` and `End`).
pub(crate) fn items(events: &[Event], (start, end): (usize, usize)) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = start + 1;
    while i < end {
        if let Event::Start(Tag::Item) = events[i] {
            let item_end = matching_end(events, i);
            out.push(i + 1..item_end);
            i = item_end + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// One item split into its term and its definition.
#[derive(Debug)]
pub(crate) struct Split<'a> {
    /// The term's inline events, without the strong wrapper and without a trailing colon.
    pub term: Vec<Event<'a>>,
    /// Whether the term was written in bold (`**Term**`).
    pub strong: bool,
    /// Whether a colon parted term and definition (kept in the section's plain text).
    pub colon: bool,
    /// Text that opens the definition, cut from the event that held the colon.
    pub head: Option<CowStr<'a>>,
    /// The rest of the definition: ranges of the item's events, in order.
    pub rest: Vec<Range<usize>>,
}

fn is_block_start(ev: &Event) -> bool {
    matches!(
        ev,
        Event::Start(
            Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::HtmlBlock
                | Tag::List(_)
                | Tag::Item
                | Tag::FootnoteDefinition(_)
                | Tag::Table(_)
                | Tag::DefinitionList
                | Tag::MetadataBlock(_)
        ) | Event::Rule
    )
}

/// Splits the item whose inner events are `item` (a range of `events`) into term and
/// definition. The term comes from the item's first line of text: a tight item's leading
/// inline events, or a loose item's first paragraph (whose wrapper is dropped). An item that
/// opens with a block (a nested list, a code block) has no term.
pub(crate) fn split<'a>(events: &[Event<'a>], item: Range<usize>) -> Split<'a> {
    let (inline, after) = match events.get(item.start) {
        Some(Event::Start(Tag::Paragraph)) => {
            let end = matching_end(events, item.start).min(item.end);
            (item.start + 1..end, end + 1..item.end)
        }
        _ => {
            let end = (item.start..item.end)
                .find(|&i| is_block_start(&events[i]))
                .unwrap_or(item.end);
            (item.start..end, end..item.end)
        }
    };
    let mut out = Split {
        term: Vec::new(),
        strong: false,
        colon: false,
        head: None,
        rest: Vec::new(),
    };
    let mut def_from = inline.start;
    let first = (inline.start..inline.end).find(|&i| {
        !matches!(&events[i], Event::Text(t) if t.trim().is_empty())
            && !matches!(events[i], Event::SoftBreak)
    });
    match first.map(|i| (i, &events[i])) {
        Some((s, Event::Start(Tag::Strong))) => {
            let e = matching_end(events, s).min(inline.end);
            out.strong = true;
            out.term = events[s + 1..e].to_vec();
            out.colon = trim_trailing_colon(&mut out.term);
            def_from = e + 1;
            if let Some(Event::Text(t)) = events.get(def_from).filter(|_| def_from < inline.end) {
                out.colon |= t.trim_start().starts_with(':');
                let rest = t.trim_start().trim_start_matches(':').trim_start();
                out.head = (!rest.is_empty()).then(|| CowStr::from(rest.to_string()));
                def_from += 1;
            }
        }
        Some(_) => {
            // The first colon in text at the item's own level (not inside emphasis or a link).
            let mut depth = 0usize;
            let mut colon = None;
            for i in inline.clone() {
                match &events[i] {
                    Event::Start(_) => depth += 1,
                    Event::End(_) => depth = depth.saturating_sub(1),
                    Event::Text(t) if depth == 0 => {
                        if let Some(p) = t.find(':') {
                            colon = Some((i, p));
                            break;
                        }
                    }
                    _ => {}
                }
            }
            match colon {
                Some((i, p)) => {
                    let Event::Text(t) = &events[i] else {
                        return out;
                    };
                    out.colon = true;
                    out.term = events[inline.start..i].to_vec();
                    let before = t[..p].trim_end();
                    if !before.is_empty() {
                        out.term.push(Event::Text(CowStr::from(before.to_string())));
                    }
                    let rest = t[p + 1..].trim_start();
                    out.head = (!rest.is_empty()).then(|| CowStr::from(rest.to_string()));
                    def_from = i + 1;
                }
                None => {
                    out.term = events[inline.clone()].to_vec();
                    def_from = inline.end;
                }
            }
        }
        None => {}
    }
    if def_from < inline.end {
        out.rest.push(def_from..inline.end);
    }
    if !after.is_empty() {
        out.rest.push(after);
    }
    out
}

/// Drops a colon that ends the term (`**Term:**`); whether there was one.
fn trim_trailing_colon(term: &mut Vec<Event>) -> bool {
    let Some(Event::Text(t)) = term.last_mut() else {
        return false;
    };
    let had = t.trim_end().ends_with(':');
    let kept = t.trim_end().trim_end_matches(':').trim_end();
    if kept.is_empty() {
        term.pop();
    } else if kept.len() != t.len() {
        *t = CowStr::from(kept.to_string());
    }
    had
}

/// Plain text of events: text and code, breaks and block ends as spaces, whitespace collapsed.
pub(crate) fn plain_text<'e, 'a: 'e>(events: impl IntoIterator<Item = &'e Event<'a>>) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock) => s.push(' '),
            _ => {}
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `(term, definition)` pairs of every Key Concepts list in `events`, as plain text.
pub(crate) fn pairs(events: &[Event]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for list in lists(events) {
        for item in items(events, list) {
            let s = split(events, item);
            let term = plain_text(&s.term);
            if term.is_empty() {
                continue;
            }
            let head = s.head.as_ref().map(|h| Event::Text(h.clone()));
            let def = plain_text(
                head.iter()
                    .chain(s.rest.iter().flat_map(|r| events[r.clone()].iter())),
            );
            out.push((term, def));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser, TextMergeStream};

    fn events(body: &str) -> Vec<Event<'_>> {
        TextMergeStream::new(Parser::new_ext(body, Options::ENABLE_STRIKETHROUGH)).collect()
    }

    #[test]
    fn terms_end_at_the_first_colon_outside_markup() {
        let body = "## Key Concepts\n- Foo *bar*: def: more\n- [x:y](u) z: d\n- **A** : b\n- ****B****: c\n- Bare\n";
        let ev = events(body);
        assert_eq!(
            pairs(&ev),
            [
                ("Foo bar".into(), "def: more".into()),
                ("x:y z".into(), "d".into()),
                ("A".into(), "b".into()),
                ("B".into(), "c".into()),
                ("Bare".into(), String::new()),
            ]
        );
    }

    #[test]
    fn only_the_list_right_after_the_heading_counts() {
        for body in [
            "## Key Concepts\n\n---\n\n- A: b\n",
            "## Key Concepts\n\n<div>x</div>\n\n- A: b\n",
            "## Key Concepts\n\nText.\n\n- A: b\n",
        ] {
            assert!(pairs(&events(body)).is_empty(), "{body:?}");
        }
        assert_eq!(pairs(&events("Key\nConcepts\n---\n- A: b\n")).len(), 1);
    }

    #[test]
    fn an_item_that_opens_with_a_block_has_no_term() {
        let ev = events("## Key Concepts\n- - a: b\n-     code: x\n");
        assert!(pairs(&ev).is_empty(), "{:?}", pairs(&ev));
    }
}
