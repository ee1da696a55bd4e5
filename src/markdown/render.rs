//! The full render of a body, in two parts a newcomer can read apart: [`secure`] makes every
//! event safe (raw HTML escaped, flagged or bounded; URLs checked; heading attributes
//! filtered), then the [`Walker`] gives headings ids, collects the table of contents and
//! per-section text, turns the Key Concepts list into a definition list of linked terms,
//! and highlights code blocks.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, TextMergeStream,
};

use super::RawHtml;
use super::{
    RenderContext, Rendered, Section, TocEntry, add_text, count_words, end_collapsed, key_concepts,
    options, sanitize, timestamps,
};
use crate::names::slugify;

fn level_num(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Ids the built-in theme's templates give their own elements: a heading of the same name
/// gets a suffix, so a `#fragment` never lands on the wrong element (`docs/themes.md`).
pub const THEME_IDS: &[&str] = &[
    "by-count",
    "by-count-title",
    "by-name",
    "by-name-title",
    "chapters-title",
    "definitions-title",
    "episodes-title",
    "key-concepts-title",
    "main",
    "player-title",
    "related-concepts-title",
    "related-title",
    "search",
    "search-concept",
    "search-q",
    "search-results",
    "search-show",
    "search-status",
    "site-search-q",
    "toc-title",
    "transcript-title",
];

/// A link or image destination as the page must carry it: refused when the sanitiser would
/// refuse it (the same scheme rules, whether or not the body has raw HTML), and root-relative
/// paths prefixed with the site's base path.
fn fix_url<'a>(url: CowStr<'a>, cx: &RenderContext) -> CowStr<'a> {
    if cx.options.raw_html != RawHtml::Allow && !sanitize::is_allowed_url(&url) {
        return CowStr::Borrowed("#");
    }
    if url.starts_with('/') && !url.starts_with("//") && cx.base_path != "/" {
        return CowStr::from(format!("{}{}", cx.base_path, &url[1..]));
    }
    url
}

/// Heading attributes a body may set (`{#id .class key=value}`): no event handlers, no
/// styles, nothing that loads.
fn is_safe_heading_attr(key: &str) -> bool {
    matches!(key, "lang" | "dir" | "title")
        || key.strip_prefix("data-").is_some_and(|k| {
            !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// The first pass of the render, over every event wherever it stands (headings, Key
/// Concepts items and terms included): raw HTML escaped or flagged for the sanitiser, link
/// and image destinations checked and given the base path, heading attributes filtered.
/// Whatever the later passes move around is safe already. Returns whether raw HTML remains.
fn secure(events: &mut [Event], cx: &RenderContext) -> bool {
    // The sanitiser's HTML parser takes time quadratic in nesting depth (50,000 nested
    // `<div>`s took seconds): raw HTML nested deeper than any real page is escaped instead.
    let escape = cx.options.raw_html == RawHtml::Escape
        || (cx.options.raw_html == RawHtml::Sanitize
            && raw_html_depth(events) > MAX_RAW_HTML_DEPTH);
    let allow = cx.options.raw_html == RawHtml::Allow;
    let mut has_raw_html = false;
    for ev in events.iter_mut() {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => {
                if escape {
                    *ev = Event::Text(std::mem::replace(h, CowStr::Borrowed("")));
                } else {
                    has_raw_html = true;
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let url = std::mem::replace(dest_url, CowStr::Borrowed(""));
                *dest_url = fix_url(url, cx);
            }
            Event::Start(Tag::Heading { attrs, .. }) if !allow => {
                attrs.retain(|(k, _)| is_safe_heading_attr(k));
            }
            _ => {}
        }
    }
    has_raw_html
}

/// Raw HTML nested deeper than this is escaped, not sanitised (see [`secure`]).
pub const MAX_RAW_HTML_DEPTH: usize = 256;

/// How deep the raw HTML of a body nests its tags, counted roughly: every opening tag but a
/// void or self-closed one goes one level down, every closing tag one up.
fn raw_html_depth(events: &[Event]) -> usize {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let (mut depth, mut max) = (0usize, 0usize);
    for ev in events {
        let (Event::Html(h) | Event::InlineHtml(h)) = ev else {
            continue;
        };
        let mut rest: &str = h;
        while let Some(i) = rest.find('<') {
            rest = &rest[i + 1..];
            if let Some(after) = rest.strip_prefix('/') {
                depth = depth.saturating_sub(1);
                rest = after;
                continue;
            }
            let name_len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
            if name_len == 0 {
                continue;
            }
            let name = rest[..name_len].to_ascii_lowercase();
            let self_closed = rest.find('>').is_some_and(|end| rest[..end].ends_with('/'));
            if !VOID.contains(&name.as_str()) && !self_closed {
                depth += 1;
                max = max.max(depth);
            }
            rest = &rest[name_len..];
        }
    }
    max
}

/// Heading ids, unique within the page and apart from the ids footnotes and the theme use.
/// Linear however many headings share a name: each base keeps the next suffix to try.
struct Ids {
    used: HashSet<String>,
    next: HashMap<String, usize>,
    /// Footnote labels, which pulldown-cmark writes as the ids of footnote definitions.
    footnotes: Vec<String>,
}

impl Ids {
    fn new(events: &[Event]) -> Ids {
        let mut used: HashSet<String> = THEME_IDS.iter().map(|s| s.to_string()).collect();
        let mut footnotes = Vec::new();
        for ev in events {
            if let Event::Start(Tag::FootnoteDefinition(label)) = ev {
                used.insert(label.to_string());
                footnotes.push(label.to_string());
            }
        }
        Ids {
            used,
            next: HashMap::new(),
            footnotes,
        }
    }

    fn unique(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// The second pass: walks the secured events and writes the output events, the table of
/// contents and the text of each section.
struct Walker<'e, 'a, 'c> {
    events: &'e [Event<'a>],
    cx: &'c RenderContext<'c>,
    /// Key Concepts lists: the index of each list's `Start` to that of its `End`.
    key_lists: HashMap<usize, usize>,
    /// Whether a Key Concepts section was opened for the list that comes next.
    key_section_open: bool,
    out: Vec<Event<'a>>,
    toc: Vec<TocEntry>,
    sections: Vec<Section>,
    ids: Ids,
    /// Links and images open around the current event (no timestamp link inside them).
    inside_link: usize,
}

impl<'a> Walker<'_, 'a, '_> {
    fn walk(&mut self, range: std::ops::Range<usize>) {
        let mut i = range.start;
        while i < range.end {
            i = self.event(i);
        }
    }

    /// Handles the event at `i` (and what belongs to it); the index of the next one.
    fn event(&mut self, i: usize) -> usize {
        let events = self.events;
        match &events[i] {
            Event::Start(Tag::Heading { .. }) => return self.heading(i),
            Event::Start(Tag::List(_)) if self.key_lists.contains_key(&i) => {
                return self.key_list(i);
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let end = key_concepts::matching_end(events, i);
                let mut code = String::new();
                for e in &events[i + 1..end] {
                    if let Event::Text(t) = e {
                        code.push_str(t);
                    }
                }
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.add_text(&code);
                self.out.push(Event::Html(CowStr::from(
                    self.cx.highlighter.highlight(&info, &code),
                )));
                return end + 1;
            }
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => self.inside_link += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => {
                self.inside_link = self.inside_link.saturating_sub(1);
            }
            Event::Text(t) => {
                self.add_text(t);
                if let Some(moment) = self.cx.moment_url
                    && self.inside_link == 0
                    && t.contains('[')
                {
                    let found = timestamps::find_all(t);
                    if !found.is_empty() {
                        let mut at = 0;
                        for (range, secs) in found {
                            if range.start > at {
                                self.out.push(Event::Text(CowStr::from(
                                    t[at..range.start].to_string(),
                                )));
                            }
                            let label = &t[range.start + 1..range.end - 1];
                            self.out.push(Event::InlineHtml(CowStr::from(timestamp_html(
                                moment, label, secs,
                            ))));
                            at = range.end;
                        }
                        if at < t.len() {
                            self.out
                                .push(Event::Text(CowStr::from(t[at..].to_string())));
                        }
                        return i + 1;
                    }
                }
            }
            Event::Code(t) => self.add_text(t),
            Event::SoftBreak | Event::HardBreak => self.add_text(" "),
            Event::End(TagEnd::Paragraph | TagEnd::Item) => self.add_text("\n"),
            _ => {}
        }
        self.out.push(events[i].clone());
        i + 1
    }

    fn add_text(&mut self, text: &str) {
        add_text(&mut self.sections, text);
    }

    fn heading(&mut self, i: usize) -> usize {
        let events = self.events;
        let end = key_concepts::matching_end(events, i);
        let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) = &events[i]
        else {
            return i + 1;
        };
        let inner = &events[i + 1..end];
        // A heading that ends with a timestamp starts a chapter: the time becomes a link
        // after the title and is no part of its id or its entry in the contents.
        let mut stamp: Option<(Vec<Event<'a>>, String)> = None;
        if let (Some(moment), Some(Event::Text(last))) = (self.cx.moment_url, inner.last())
            && let Some((title, secs)) = timestamps::trailing(last)
        {
            let label = last.trim_end();
            let label = &label[label.rfind('[').map_or(0, |p| p + 1)..label.len() - 1];
            let mut kept: Vec<Event<'a>> = inner[..inner.len() - 1].to_vec();
            if !title.is_empty() {
                kept.push(Event::Text(CowStr::from(title.to_string())));
            }
            stamp = Some((kept, format!(" {}", timestamp_html(moment, label, secs))));
        }
        let inner: &[Event<'a>] = match &stamp {
            Some((kept, _)) => kept,
            None => inner,
        };
        let text = key_concepts::heading_text(inner);
        let base = match id {
            Some(explicit) => explicit.to_string(),
            None => Some(slugify(&text))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "section".to_string()),
        };
        let unique = self.ids.unique(base);
        let lvl = level_num(*level);
        if self.key_lists.contains_key(&(end + 1)) {
            // A Key Concepts heading over its list: the same component a front-matter list
            // makes (`docs/themes.md`: a section, an h2, the list), in the author's words,
            // and not a section of the table of contents. Its text is still a section for search and digest.json.
            self.sections.push(Section {
                heading: Some(text),
                id: Some(unique.clone()),
                level: lvl,
                text: String::new(),
            });
            self.out.push(Event::Html(CowStr::from(format!(
                "<section class=\"key-concepts\" aria-labelledby=\"{unique}\">\n"
            ))));
            self.out.push(Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                id: Some(CowStr::from(unique)),
                classes: Vec::new(),
                attrs: Vec::new(),
            }));
            self.out.extend(inner.iter().cloned());
            self.out.push(Event::End(TagEnd::Heading(HeadingLevel::H2)));
            self.key_section_open = true;
            return end + 1;
        }
        self.toc.push(TocEntry {
            level: lvl,
            id: unique.clone(),
            title: text.clone(),
        });
        self.sections.push(Section {
            heading: Some(text),
            id: Some(unique.clone()),
            level: lvl,
            text: String::new(),
        });
        self.out.push(Event::Start(Tag::Heading {
            level: *level,
            id: Some(CowStr::from(unique)),
            classes: classes.clone(),
            attrs: attrs.clone(),
        }));
        self.out.extend(inner.iter().cloned());
        if let Some((_, link)) = stamp {
            self.out.push(Event::InlineHtml(CowStr::from(link)));
        }
        self.out.push(Event::End(TagEnd::Heading(*level)));
        end + 1
    }

    /// The Key Concepts list as a definition list whose terms link to their concept pages.
    fn key_list(&mut self, start: usize) -> usize {
        let end = self.key_lists.get(&start).copied().unwrap_or(start);
        self.out.push(Event::Html(CowStr::Borrowed(
            "<dl class=\"key-concepts-list\">\n",
        )));
        for item in key_concepts::items(self.events, (start, end)) {
            self.key_item(item);
        }
        self.out.push(Event::Html(CowStr::Borrowed("</dl>\n")));
        if std::mem::take(&mut self.key_section_open) {
            self.out.push(Event::Html(CowStr::Borrowed("</section>\n")));
        }
        end + 1
    }

    fn key_item(&mut self, item: std::ops::Range<usize>) {
        let split = key_concepts::split(self.events, item);
        let url = (self.cx.concept_url)(&key_concepts::plain_text(&split.term));
        self.out.push(Event::Html(CowStr::Borrowed("<dt>")));
        if let Some(u) = &url {
            self.out.push(link_start(u));
        }
        if split.strong {
            self.out.push(Event::Start(Tag::Strong));
        }
        for e in split.term {
            match &e {
                // A link inside a linked term would nest an anchor in an anchor.
                Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) if url.is_some() => {
                    continue;
                }
                Event::Text(t) | Event::Code(t) => self.add_text(t),
                Event::SoftBreak | Event::HardBreak => self.add_text(" "),
                _ => {}
            }
            self.out.push(e);
        }
        if split.strong {
            self.out.push(Event::End(TagEnd::Strong));
        }
        if url.is_some() {
            self.out.push(Event::End(TagEnd::Link));
        }
        self.out.push(Event::Html(CowStr::Borrowed("</dt><dd>")));
        if split.colon {
            self.add_text(":");
        }
        if let Some(head) = split.head {
            self.add_text(" ");
            self.add_text(&head);
            self.out.push(Event::Text(head));
        }
        for range in split.rest {
            self.walk(range);
        }
        self.add_text("\n");
        self.out.push(Event::Html(CowStr::Borrowed("</dd>\n")));
    }
}

/// Full render of a body: a pass that makes every event safe ([`secure`]), then a walk that
/// gives headings ids, turns the Key Concepts list into linked terms and highlights code.
pub fn render(body: &str, cx: &RenderContext) -> Rendered {
    let mut events: Vec<Event> =
        TextMergeStream::new(Parser::new_ext(body, options(cx.options.smart_punctuation)))
            .collect();
    let word_count = events
        .iter()
        .map(|ev| match ev {
            Event::Text(t) | Event::Code(t) => count_words(t),
            _ => 0,
        })
        .sum();
    let has_raw_html = secure(&mut events, cx);
    let mut walker = Walker {
        events: &events,
        cx,
        key_lists: key_concepts::lists(&events).into_iter().collect(),
        key_section_open: false,
        out: Vec::with_capacity(events.len()),
        toc: Vec::new(),
        sections: vec![Section {
            heading: None,
            id: None,
            level: 0,
            text: String::new(),
        }],
        ids: Ids::new(&events),
        inside_link: 0,
    };
    walker.walk(0..events.len());
    let Walker {
        out,
        mut toc,
        mut sections,
        ids,
        ..
    } = walker;
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    if has_raw_html && cx.options.raw_html == RawHtml::Sanitize {
        // The ids castdown gave (headings, footnotes) stay; any other id came from raw HTML.
        let own: Vec<String> = toc
            .iter()
            .map(|t| t.id.clone())
            .chain(ids.footnotes)
            .collect();
        html = sanitize::clean(&html, &own);
    }
    for s in &mut sections {
        end_collapsed(&mut s.text);
        s.text.shrink_to_fit();
    }
    sections.retain(|s| s.heading.is_some() || !s.text.is_empty());
    // Every body stays in memory until the pages are written; give back the spare capacity.
    html.shrink_to_fit();
    sections.shrink_to_fit();
    toc.shrink_to_fit();
    Rendered {
        html,
        toc,
        sections,
        word_count,
    }
}

/// A timestamp as the page shows it: a link to that moment (`moment` says where, see
/// `site::media`) carrying its second for the player script, or the bare time when there is
/// nothing to seek.
fn timestamp_html(
    moment: &(dyn Fn(u64) -> Option<String> + Sync),
    label: &str,
    secs: u64,
) -> String {
    let label = crate::text::escape_html(label);
    match moment(secs) {
        Some(url) => format!(
            "<a class=\"ts\" href=\"{}\" data-t=\"{secs}\">{label}</a>",
            crate::text::escape_html(&url)
        ),
        None => format!("<span class=\"ts\" data-t=\"{secs}\">{label}</span>"),
    }
}

fn link_start(url: &str) -> Event<'static> {
    Event::Start(Tag::Link {
        link_type: pulldown_cmark::LinkType::Inline,
        dest_url: CowStr::from(url.to_string()),
        title: CowStr::Borrowed(""),
        id: CowStr::Borrowed(""),
    })
}
