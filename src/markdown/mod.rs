//! Markdown: pulldown-cmark (tables, footnotes, strikethrough, task lists, heading
//! attributes, smart punctuation when configured), plus what castdown adds on the
//! event stream — stable deduplicated heading ids and a table of contents, per-section text
//! (for `digest.json` and search), links from Key Concepts terms to concept pages, syntect
//! highlighting, base-path-aware root links and raw-HTML policy.
//!
//! [`scan`] is the cheap first pass run at load time (Key Concepts, first paragraph, word
//! count) because the site model needs concepts before any page can be rendered; [`render`]
//! is the full pass run once slugs are known (in `render.rs`: a safety pass, then a walk).

pub mod highlight;
mod key_concepts;
mod render;
pub mod sanitize;
pub mod timestamps;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, TextMergeStream};
use serde::Serialize;

pub use highlight::Highlighter;
pub use render::render;

/// How raw HTML inside Markdown is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Keep safe HTML; remove scripts, event handlers and `javascript:` URLs.
    Sanitize,
    /// Show the HTML as text.
    Escape,
    /// Pass it through untouched (trusted content only).
    Allow,
}

/// Markdown options (`markdown:` in `castdown.yaml`, validated).
#[derive(Debug, Clone, Copy)]
pub struct MarkdownOptions {
    /// Raw HTML policy.
    pub raw_html: RawHtml,
    /// Smart punctuation on or off.
    pub smart_punctuation: bool,
}

fn options(smart: bool) -> Options {
    let mut o = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if smart {
        o |= Options::ENABLE_SMART_PUNCTUATION;
    }
    o
}

/// What the load stage needs from a body before rendering.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Scan {
    /// `(term, definition)` pairs from a "Key Concepts" list.
    pub key_concepts: Vec<(String, String)>,
    /// The first top-level paragraph as plain text.
    pub first_paragraph: String,
}

/// `t`'s words joined by single spaces, as `split_whitespace` and `join(" ")` would make them
/// (transcript cues; section text is collapsed as it is built, by [`push_collapsed`]).
pub(crate) fn collapse_whitespace(t: &mut String) {
    // Most cues are one line of words with single spaces: nothing to make.
    if is_collapsed(t) {
        return;
    }
    let mut out = String::with_capacity(t.len());
    collapse_into(&mut out, t);
    *t = out;
}

/// Whether `t` is already its words joined by single spaces (told for ASCII text only:
/// other text may hold other spaces, and is said not to be).
fn is_collapsed(t: &str) -> bool {
    let bytes = t.as_bytes();
    // Whole-slice tests (no early exit in the fold), which run many bytes at a time: a test
    // a byte pair cost more than the copy it saves.
    t.is_ascii()
        && bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && !bytes
            .iter()
            .fold(false, |any, &b| any | is_control_space(b))
        && TWO_SPACES.find(bytes).is_none()
}

/// Two spaces, searched for in every transcript cue: `memmem::find` set up a searcher for
/// each call, which cost more than the search.
static TWO_SPACES: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"  "));

/// Makes `out` `t`'s words joined by single spaces (as [`collapse_whitespace`]), in the
/// room `out` already has: for a caller collapsing many short names, one buffer for all.
pub(crate) fn collapse_into(out: &mut String, t: &str) {
    out.clear();
    push_collapsed(out, t);
    end_collapsed(out);
}

/// Ends text built by [`push_collapsed`]: drops the one trailing space it may leave.
fn end_collapsed(t: &mut String) {
    if t.ends_with(' ') {
        t.pop();
    }
}

/// ASCII whitespace other than the space, as `char::is_whitespace` has it: tab, line feed,
/// vertical tab, form feed and carriage return (9 to 13). Without branches, for byte loops
/// meant to run many bytes at a time.
fn is_control_space(b: u8) -> bool {
    b.wrapping_sub(b'\t') < 5
}

/// Words in `t` as `split_whitespace` counts them, with a byte loop for ASCII text (the
/// common case; this runs over every body and transcript).
pub(crate) fn count_words(t: &str) -> usize {
    if !t.is_ascii() {
        return t.split_whitespace().count();
    }
    // ASCII whitespace as `char::is_whitespace` has it, vertical tab included.
    let space = |b: u8| (b == b' ') | is_control_space(b);
    let bytes = t.as_bytes();
    let first = bytes.first().is_some_and(|&b| !space(b));
    // A word starts wherever a space is followed by a non-space: counted over byte pairs
    // without a running state, so the loop compiles to wide compares (the stateful loop
    // ran ~12 instructions a byte).
    // Counted in bytes per 255 pairs, which keeps the vectors narrow.
    let next = bytes.get(1..).unwrap_or_default();
    let starts: usize = bytes
        .chunks(255)
        .zip(next.chunks(255))
        .map(|(a, b)| {
            let n: u8 = a
                .iter()
                .zip(b)
                .map(|(&a, &b)| u8::from(space(a) & !space(b)))
                .sum();
            usize::from(n)
        })
        .sum();
    usize::from(first) + starts
}

/// Whether some heading of `body` could read "Key Concepts": false only when no entity or
/// tag could spell or split it and the letters of "keyconcepts" never follow one another
/// (in any case) with only ASCII punctuation and whitespace between them. Heading text is
/// made of the source's own characters, entities and code spans, so this is a superset test.
fn may_name_key_concepts(body: &str) -> bool {
    const WORD: &[u8] = b"keyconcepts";
    let bytes = body.as_bytes();
    // Markup and spaces may sit between the letters.
    let spelled_from = |start: usize| {
        let mut matched = 0;
        for &b in bytes.get(start..).unwrap_or_default() {
            if WORD.get(matched).is_some_and(|w| b.eq_ignore_ascii_case(w)) {
                matched += 1;
                if matched == WORD.len() {
                    return true;
                }
            } else if !(b.is_ascii_punctuation() || b.is_ascii_whitespace()) {
                return false;
            }
        }
        false
    };
    // `contains` and `match_indices` of one byte run on memchr, many bytes at a time: a
    // byte loop here cost more than the parse it saves.
    if bytes.contains(&b'&') || bytes.contains(&b'<') {
        return true;
    }
    body.match_indices('k')
        .chain(body.match_indices('K'))
        .any(|(i, _)| spelled_from(i))
}

/// Relative destinations of a body's images and links (`![](cover.png)`,
/// `[notes](files/a.pdf)`, `<img src="x.png">`): what may name a file beside the digest.
/// Read from the text, not parsed: a candidate that names no file is simply not one.
pub fn local_references(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for marker in ["](", "src=\"", "href=\""] {
        // memchr's substring search: the standard library's took 3% of a build's time here,
        // three passes over every body at load.
        for i in memchr::memmem::find_iter(body.as_bytes(), marker.as_bytes()) {
            // The markers are ASCII, so this is a character boundary.
            let rest = body.get(i + marker.len()..).unwrap_or_default();
            let dest = rest.trim_start_matches('<');
            let end = dest
                .find(|c: char| c == ')' || c == '"' || c == '>' || c.is_whitespace())
                .unwrap_or(dest.len());
            let dest = &dest[..end];
            let dest = dest.split(['#', '?']).next().unwrap_or(dest);
            let relative = !dest.is_empty()
                && !dest.starts_with('/')
                && !dest.contains(':')
                && !dest.starts_with('.');
            if relative && !out.iter().any(|d| d == dest) {
                out.push(dest.to_string());
            }
        }
    }
    out
}

/// First pass over a body: Key Concepts and the first paragraph. Stops after the first
/// paragraph when [`may_name_key_concepts`] says there is no list to find; otherwise the
/// Key Concepts recognizer the render uses reads the whole body ([`key_concepts::pairs`]).
/// The render counts the words (this pass used to, so every body was parsed in full twice).
pub fn scan(body: &str) -> Scan {
    let parser = TextMergeStream::new(Parser::new_ext(body, options(false)));
    if may_name_key_concepts(body) {
        let events: Vec<Event> = parser.collect();
        Scan {
            first_paragraph: first_paragraph(events.iter().cloned()),
            key_concepts: key_concepts::pairs(&events),
        }
    } else {
        Scan {
            first_paragraph: first_paragraph(parser),
            key_concepts: Vec::new(),
        }
    }
}

/// The first paragraph outside any other block (list, quote, table, heading) as plain text.
fn first_paragraph<'a>(events: impl Iterator<Item = Event<'a>>) -> String {
    let mut depth = 0usize;
    let mut para: Option<String> = None;
    for ev in events {
        match ev {
            Event::Start(Tag::Paragraph) if depth == 0 => para = Some(String::new()),
            Event::End(TagEnd::Paragraph) if depth == 0 => {
                if let Some(p) = para.take() {
                    let p = p.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !p.is_empty() {
                        return p;
                    }
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                if let Some(p) = para.as_mut() {
                    p.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(p) = para.as_mut() {
                    p.push(' ');
                }
            }
            _ => {}
        }
    }
    String::new()
}

/// One entry of the table of contents.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct TocEntry {
    /// Heading level, 1–6.
    pub level: u8,
    /// The heading's `id`.
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// The text of one section (the part before the first heading has no heading).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Section {
    /// Heading text.
    pub heading: Option<String>,
    /// Heading id.
    pub id: Option<String>,
    /// Heading level.
    pub level: u8,
    /// Plain text of the section.
    pub text: String,
}

/// A rendered body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// HTML.
    pub html: String,
    /// Headings in order.
    pub toc: Vec<TocEntry>,
    /// Text by section.
    pub sections: Vec<Section>,
    /// Words in the body's text and code, as `split_whitespace` counts them.
    pub word_count: usize,
}

/// What `render` needs from the rest of the build.
pub struct RenderContext<'a> {
    /// Markdown options from the config.
    pub options: MarkdownOptions,
    /// The shared highlighter.
    pub highlighter: &'a Highlighter,
    /// The site's base path (`/` or `/digests/`), prefixed to root-relative links.
    pub base_path: &'a str,
    /// Resolves a Key Concepts term to its concept page URL.
    pub concept_url: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// For an episode's body: the URL of a second of the episode (see
    /// [`timestamps`]), `None` when it has nothing to seek. Without it (pages, curated
    /// descriptions) `[12:34]` stays text.
    pub moment_url: Option<&'a (dyn Fn(u64) -> Option<String> + Sync)>,
}

/// Code blocks of `body` over `max` bytes, as (1-based line in the body, size in bytes).
pub fn oversized_code_blocks(body: &str, max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (ev, range) in Parser::new_ext(body, options(false)).into_offset_iter() {
        match ev {
            Event::Start(Tag::CodeBlock(_)) => open = Some((range.start, 0)),
            Event::Text(t) => {
                if let Some((_, len)) = open.as_mut() {
                    *len += t.len();
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((start, len)) = open.take()
                    && len > max
                {
                    out.push((crate::error::line_col(body, start).0, len));
                }
            }
            _ => {}
        }
    }
    out
}

fn add_text(sections: &mut [Section], text: &str) {
    if let Some(last) = sections.last_mut() {
        push_collapsed(&mut last.text, text);
    }
}

/// Appends `text` to `out`, which holds text collapsed so far, so that `out` stays what
/// [`collapse_whitespace`] would make of everything appended, but for at most one trailing
/// space (the caller trims it at the end). Collapsing as text arrives spared a second pass
/// over every section and a copy of it.
fn push_collapsed(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    // Most text events are words with single spaces between them: nothing to collapse.
    // Without short-circuiting, so the check runs many bytes at a time: non-ASCII bytes and
    // whitespace other than a space send text the slow way.
    let odd = bytes
        .iter()
        .fold(false, |odd, &b| odd | (b >= 0x80) | is_control_space(b));
    let plain = !odd
        && !text.contains("  ")
        && !(text.starts_with(' ') && (out.is_empty() || out.ends_with(' ')));
    if plain {
        out.push_str(text);
        return;
    }
    let mut word_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(start) = word_start.take() {
                out.push_str(&text[start..i]);
            }
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else if word_start.is_none() {
            word_start = Some(i);
        }
    }
    if let Some(start) = word_start {
        out.push_str(&text[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_references_are_the_relative_destinations_in_order_once_each() {
        let body = "Café ![cover](cover.png \"t\") and [notes](<files/a b.pdf>) — \
                    [again](cover.png#x) [web](https://e.example/x.png) [root](/x.png) \
                    [up](../secret.png) <img src=\"img/ü.jpg\"> <a href=\"doc.html?v=1\">d</a> \
                    [empty]() ](";
        assert_eq!(
            local_references(body),
            ["cover.png", "files/a", "img/ü.jpg", "doc.html"]
        );
        assert!(local_references("no links here").is_empty());
    }

    #[test]
    fn text_collapsed_piece_by_piece_agrees_with_split_and_join() {
        let pieces = [
            "",
            " ",
            "one",
            "one two",
            " lead",
            "trail ",
            "  two  spaces ",
            "\n",
            "tab\there",
            "vt\u{b}ff\u{c}cr\r",
            "x\u{a0}y",
            "café  au\u{2003}lait ",
            "\u{2003}",
        ];
        // Every ordered pair and triple of pieces, as text events arrive one by one.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let mut got = String::new();
                    for p in [a, b, c] {
                        push_collapsed(&mut got, p);
                    }
                    end_collapsed(&mut got);
                    let whole = format!("{a}{b}{c}");
                    let want = whole.split_whitespace().collect::<Vec<_>>().join(" ");
                    assert_eq!(got, want, "{a:?} {b:?} {c:?}");
                }
            }
        }
    }

    #[test]
    fn collapsed_whitespace_agrees_with_split_and_join() {
        for t in [
            "",
            "   ",
            "one",
            "  one  two\tthree\n\nfour\u{b}five\u{c}six\r\n ",
            "x\u{a0}y  z",
            "café  au\u{2003}lait ",
            // Already collapsed (left as it is), and nearly: one space too many, a tab, a
            // space at either end, a space other than ASCII's.
            "Words with single spaces.",
            "Words with  a double space.",
            "Words\twith a tab.",
            " Leading space.",
            "Trailing space. ",
            "No-break\u{a0}space.",
        ] {
            let mut got = t.to_string();
            collapse_whitespace(&mut got);
            let want = t.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(got, want, "{t:?}");
            // Into a buffer that held another name (what the model's terms do).
            let mut buffer = "a name before ".to_string();
            collapse_into(&mut buffer, t);
            assert_eq!(buffer, want, "{t:?}");
        }
    }

    #[test]
    fn word_count_agrees_with_split_whitespace() {
        for t in [
            "",
            "one",
            "  two  words ",
            "tab\tnew\nline\r\nvt\x0bff\x0cend",
            "caf\u{e9} na\u{ef}ve\u{a0}nbsp",
            "---",
        ] {
            assert_eq!(count_words(t), t.split_whitespace().count(), "{t:?}");
        }
    }

    fn md(body: &str, raw_html: RawHtml) -> Rendered {
        let h = Highlighter::new();
        let lookup =
            |t: &str| (t == "Alpha" || t == "Beta").then(|| format!("/c/{}/", t.to_lowercase()));
        let cx = RenderContext {
            options: MarkdownOptions {
                raw_html,
                smart_punctuation: true,
            },
            highlighter: &h,
            base_path: "/sub/",
            concept_url: &lookup,
            moment_url: None,
        };
        render(body, &cx)
    }

    #[test]
    fn scan_reads_key_concepts_and_first_paragraph() {
        let s = scan(
            "## Key concepts\n- **Alpha**: one: two\n- Beta: three\n- Gamma\n\n## Next\nFirst *para*\ngoes on.\n\nSecond.\n",
        );
        assert_eq!(
            s.key_concepts,
            [
                ("Alpha".into(), "one: two".into()),
                ("Beta".into(), "three".into()),
                ("Gamma".into(), String::new())
            ]
        );
        assert_eq!(s.first_paragraph, "First para goes on.");
    }

    #[test]
    fn scan_finds_key_concepts_under_every_spelling_of_the_heading() {
        // The scan stops after the first paragraph when the body cannot name the list; each
        // of these names it in a way the parser still reads as "Key Concepts".
        for heading in [
            "## Key Concepts",
            "## key concepts:",
            "## Key *Concepts*",
            "## **Key** Concepts:",
            "## `Key Concepts`",
            "## K\\ey Concepts",
            "## Key&#32;Concepts",
            "## &#75;ey Concepts",
            "## K<!-- x -->ey Concepts",
            "Key Concepts\n---",
            "# Key [Concepts](x)",
        ] {
            let body = format!("Intro comes first.\n\n{heading}\n\n- **Alpha**: one\n");
            // memchr looks at many bytes at a time: also with the heading at every offset
            // across such a block.
            for pad in 0..70 {
                let padded = format!("{}\n\n{body}", "x".repeat(pad));
                assert!(may_name_key_concepts(&padded), "{heading:?} after {pad}");
            }
            let s = scan(&body);
            let parsed = s.key_concepts.len();
            assert!(may_name_key_concepts(&body), "{heading:?}");
            // Not every variant is a Key Concepts heading to the parser (the backslash one is
            // not), but those that are must be found.
            if heading != "## K\\ey Concepts" {
                assert_eq!(parsed, 1, "{heading:?}");
            }
            assert_eq!(s.first_paragraph, "Intro comes first.");
        }
    }

    #[test]
    fn bodies_without_the_words_cannot_name_key_concepts() {
        for body in [
            "",
            "Plain text about keys and concepts.",
            "## Concepts\n\n- **A**: b",
            "## Key ideas\n\nconcept",
            "## Kéy Concepts",
        ] {
            assert!(!may_name_key_concepts(body), "{body:?}");
            assert!(scan(body).key_concepts.is_empty());
        }
    }

    #[test]
    fn render_counts_words_as_the_load_pass_did() {
        // What the scan counted before the render took it over: text and code of the body
        // parsed without smart punctuation (which changes characters, never spaces).
        let without_smart = |body: &str| -> usize {
            TextMergeStream::new(Parser::new_ext(body, options(false)))
                .map(|ev| match ev {
                    Event::Text(t) | Event::Code(t) => count_words(&t),
                    _ => 0,
                })
                .sum()
        };
        for body in [
            "",
            "# Title here\n\nOne *two* three `four five`.\n\n```\nsix seven\n```\n\n- eight\n",
            "\"Quoted\" -- and --- dashes... 'single' it's\n\nA | B\n--|--\n1 | 2\n",
            "## Key Concepts\n\n- **Alpha**: one two\n- Beta: three\n\nText[^1].\n\n[^1]: Note here.\n",
            "<div>raw html</div>\n\n> quote *x*y\n",
        ] {
            let got = md(body, RawHtml::Allow).word_count;
            assert_eq!(got, without_smart(body), "{body:?}");
        }
        assert_eq!(
            md("One *two* three `four five`.", RawHtml::Allow).word_count,
            6
        );
    }

    #[test]
    fn scan_ignores_lists_not_under_key_concepts() {
        let s = scan("## Other\n- A: b\n");
        assert!(s.key_concepts.is_empty());
    }

    #[test]
    fn heading_ids_are_stable_deduplicated_and_in_toc() {
        let r = md(
            "# Intro\n## Intro\n## Custom {#mine}\n### Intro\n",
            RawHtml::Sanitize,
        );
        let ids: Vec<&str> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["intro", "intro-1", "mine", "intro-2"]);
        assert!(r.html.contains("<h2 id=\"intro-1\">"), "{}", r.html);
    }

    #[test]
    fn key_concept_terms_link_to_concept_pages() {
        let body = "## Key Concepts\n- **Alpha**: first\n- Beta: second\n- Other: none\n";
        let html = md(body, RawHtml::Sanitize).html;
        for needle in [
            "<dl class=\"key-concepts-list\">",
            "<dt><a href=\"/c/alpha/\"><strong>Alpha</strong></a></dt><dd>first</dd>",
            "<dt><a href=\"/c/beta/\">Beta</a></dt><dd>second</dd>",
            "<dt>Other</dt><dd>none</dd>",
        ] {
            assert!(html.contains(needle), "{needle} missing from {html}");
        }
        assert!(!html.contains("<li>"), "{html}");
    }

    #[test]
    fn loose_key_concept_lists_and_colon_inside_strong() {
        let r = md(
            "## Key Concepts\n\n- **Alpha:** first: with colon\n\n- Beta: second\n\n  more text\n",
            RawHtml::Sanitize,
        );
        assert!(r.html.contains("<dt><a href=\"/c/alpha/\"><strong>Alpha</strong></a></dt><dd>first: with colon</dd>"), "{}", r.html);
        assert!(
            r.html.contains(
                "<dt><a href=\"/c/beta/\">Beta</a></dt><dd>second\n<p>more text</p>\n</dd>"
            ),
            "{}",
            r.html
        );
    }

    #[test]
    fn raw_html_policies() {
        let body = "Hi <span onclick=\"x()\">there</span>\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n";
        let s = md(body, RawHtml::Sanitize).html;
        assert!(
            !s.contains("onclick") && !s.contains("<script") && !s.contains("javascript:"),
            "{s}"
        );
        let e = md(body, RawHtml::Escape).html;
        assert!(
            e.contains("&lt;script&gt;") && !e.contains("<script"),
            "{e}"
        );
        let a = md(body, RawHtml::Allow).html;
        assert!(a.contains("<script>alert(1)</script>"), "{a}");
    }

    #[test]
    fn root_links_get_the_base_path_and_extensions_work() {
        let r = md(
            "[a](/about/) [b](https://x.org/) ![i](/img.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ - [x] done\n\nNote[^1]\n\n[^1]: The note.\n",
            RawHtml::Sanitize,
        );
        assert!(r.html.contains("href=\"/sub/about/\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://x.org/\""), "{}", r.html);
        assert!(r.html.contains("src=\"/sub/img.png\""), "{}", r.html);
        assert!(
            r.html.contains("<table>") && r.html.contains("<del>old</del>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("footnote-definition"), "{}", r.html);
    }

    #[test]
    fn sections_collect_text_by_heading() {
        let r = md(
            "Intro text.\n## One\nAlpha beta.\n## Two\n- item\n",
            RawHtml::Sanitize,
        );
        let heads: Vec<Option<&str>> = r.sections.iter().map(|s| s.heading.as_deref()).collect();
        assert_eq!(heads, [None, Some("One"), Some("Two")]);
        assert_eq!(r.sections[1].text, "Alpha beta.");
    }

    #[test]
    fn regression_heading_ids_images_and_fences_that_went_wrong() {
        // A heading over two lines keeps its words apart in id and TOC.
        let r = md("Foo\nBar\n---\n", RawHtml::Sanitize);
        assert_eq!(r.toc[0].id, "foo-bar");
        assert_eq!(r.toc[0].title, "Foo Bar");
        // Heading ids do not take a footnote's id or the theme's.
        let r = md(
            "# 1\n\n# Main\n\nText[^1].\n\n[^1]: Note.\n",
            RawHtml::Sanitize,
        );
        let ids: Vec<&str> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["1-1", "main-1"]);
        // An image in a heading gets the base path, as one in a paragraph does.
        let r = md("# See ![i](/i.png)\n", RawHtml::Sanitize);
        assert!(r.html.contains("src=\"/sub/i.png\""), "{}", r.html);
        // A fence info string is one word, taken whole or not at all.
        let r = md("``` föö\ncode\n```\n", RawHtml::Sanitize);
        assert!(!r.html.contains("language-f"), "{}", r.html);
        // Heading attributes cannot add handlers.
        let r = md("# T {onclick=\"alert(1)\" data-x=1}\n", RawHtml::Sanitize);
        assert!(
            !r.html.contains("onclick") && r.html.contains("data-x"),
            "{}",
            r.html
        );
    }

    #[test]
    fn smart_punctuation_applies() {
        let r = md("\"quoted\" -- dash...\n", RawHtml::Sanitize);
        assert!(
            r.html.contains('“') && r.html.contains('–') && r.html.contains('…'),
            "{}",
            r.html
        );
    }
}
