//! Atom 1.0 (RFC 4287) with `atom_syndication`.

use std::str::FromStr;
use std::sync::OnceLock;

use atom_syndication::{
    Category, Content, Entry, Feed, FixedDateTime, Generator, Link, Person, Text, WriteConfig,
};

use super::{absolutize, origin};
use crate::site::{Site, TermKind};
use crate::text::xml_clean as clean;

fn date(s: &str) -> FixedDateTime {
    FixedDateTime::from_str(s).unwrap_or_default()
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel.to_string());
    l.set_mime_type(mime.map(str::to_string));
    l
}

/// Each episode's `<entry>` of a term feed, written once when first needed: an episode is
/// in the feed of each of its concepts, its show and its people, and the entry is the same
/// in all of them.
pub struct EntryCache(Vec<OnceLock<Vec<u8>>>);

impl EntryCache {
    /// An empty cache for the site's episodes.
    pub fn new(site: &Site) -> EntryCache {
        EntryCache((0..site.episodes.len()).map(|_| OnceLock::new()).collect())
    }
}

/// The start tag `atom_syndication` gives an entry written on its own; inside a feed the
/// namespace comes from `<feed>`, and the crate writes a plain `<entry>`.
const STANDALONE_ENTRY: &[u8] = b"<entry xmlns=\"http://www.w3.org/2005/Atom\">";

/// The feed of one term (summaries only), its entries from `cache`. Byte for byte what
/// [`feed`] writes: the feed is written without entries and they go before `</feed>`.
pub fn term_feed(
    site: &Site,
    episodes: &[usize],
    term: (TermKind, usize),
    cache: &EntryCache,
) -> Vec<u8> {
    let out = write(&head(site, episodes.first().copied(), Some(term)));
    let close = b"</feed>\n";
    let Some(head) = out.strip_suffix(close) else {
        return summaries(site, episodes, term);
    };
    let mut xml = head.to_vec();
    for &i in episodes {
        let entry = match cache.0.get(i) {
            Some(slot) => slot.get_or_init(|| standalone_entry(site, i)),
            None => return summaries(site, episodes, term),
        };
        match entry.strip_prefix(STANDALONE_ENTRY) {
            Some(rest) => {
                xml.extend_from_slice(b"<entry>");
                xml.extend_from_slice(rest);
            }
            None => return summaries(site, episodes, term),
        }
    }
    xml.extend_from_slice(close);
    xml
}

/// A term's feed written whole (what [`term_feed`] writes piece by piece).
fn summaries(site: &Site, episodes: &[usize], term: (TermKind, usize)) -> Vec<u8> {
    let entries: Vec<(usize, Option<&str>)> = episodes.iter().map(|&i| (i, None)).collect();
    write_feed(site, &entries, Some(term))
}

fn standalone_entry(site: &Site, i: usize) -> Vec<u8> {
    let config = WriteConfig {
        write_document_declaration: false,
        indent_size: None,
    };
    entry(site, i, None)
        .write_with_config(Vec::new(), config)
        .unwrap_or_default()
}

/// `updated` of a feed without entries: a fixed instant, so output is stable.
const EMPTY_UPDATED: &str = "1970-01-01T00:00:00+00:00";

/// An Atom feed of `episodes` (indexes, newest first, with their bodies' HTML as content);
/// `term` makes it that term's feed.
pub fn feed(site: &Site, episodes: &[(usize, &str)], term: Option<(TermKind, usize)>) -> Vec<u8> {
    let entries: Vec<(usize, Option<&str>)> =
        episodes.iter().map(|&(i, html)| (i, Some(html))).collect();
    write_feed(site, &entries, term)
}

/// A feed of `entries`: episode indexes, each with its content when the feed carries it.
fn write_feed(
    site: &Site,
    entries: &[(usize, Option<&str>)],
    term: Option<(TermKind, usize)>,
) -> Vec<u8> {
    let mut feed = head(site, entries.first().map(|e| e.0), term);
    feed.set_entries(
        entries
            .iter()
            .map(|&(i, html)| entry(site, i, html))
            .collect::<Vec<_>>(),
    );
    write(&feed)
}

fn write(feed: &Feed) -> Vec<u8> {
    let mut out = Vec::new();
    if feed.write_to(&mut out).is_err() {
        out.clear();
    }
    out.push(b'\n');
    out
}

/// Everything of a feed but its entries; `newest` is the episode whose date is `updated`.
fn head(site: &Site, newest: Option<usize>, term: Option<(TermKind, usize)>) -> Feed {
    let (title, self_path, alternate) = match term {
        Some((k, i)) => {
            let t = &site.terms(k)[i];
            let label = match k {
                TermKind::Concept => "Concept",
                TermKind::Show => "Show",
                TermKind::Person => "Person",
            };
            (
                format!("{} — {label}: {}", site.config.title, t.name),
                site.terms(k)[i].feed_path(),
                site.base.absolute(&t.path()),
            )
        }
        None => (
            site.config.title.clone(),
            crate::site::paths::ATOM.to_string(),
            site.base.url.clone(),
        ),
    };
    let self_url = site.base.absolute(&self_path);
    let mut feed = Feed::default();
    feed.set_title(Text::plain(clean(&title)));
    feed.set_id(self_url.clone());
    if !site.config.description.is_empty() {
        feed.set_subtitle(Some(Text::plain(clean(&site.config.description))));
    }
    feed.set_lang(Some(site.config.language.clone()));
    feed.set_links(vec![
        link(self_url, "self", Some("application/atom+xml")),
        link(alternate, "alternate", Some("text/html")),
    ]);
    let mut author = Person::default();
    author.set_name(clean(&site.config.author.name));
    author.set_email(site.config.author.email.clone());
    feed.set_authors(vec![author]);
    let mut generator = Generator::default();
    generator.set_value("castdown");
    generator.set_version(Some(env!("CARGO_PKG_VERSION").to_string()));
    feed.set_generator(Some(generator));
    // `updated` is the newest entry; an empty feed uses a fixed instant so output is stable.
    let updated = newest
        .map(|i| site.episodes[i].digest.date.rfc3339())
        .unwrap_or_else(|| EMPTY_UPDATED.into());
    feed.set_updated(date(&updated));
    feed
}

/// Episode `i`'s entry, with its body's `html` as content when given (the site feed).
fn entry(site: &Site, i: usize, html: Option<&str>) -> Entry {
    let full = html.is_some();
    let origin = origin(&site.base.url);
    let e = &site.episodes[i];
    let d = &e.digest;
    let permalink = site.base.absolute(&e.path);
    let mut entry = Entry::default();
    entry.set_title(Text::plain(clean(&d.title)));
    entry.set_id(permalink.clone());
    let when = date(&d.date.rfc3339());
    entry.set_updated(when);
    entry.set_published(Some(when));
    let mut links = vec![link(permalink, "alternate", Some("text/html"))];
    if let Some(m) = &d.media {
        let mut l = link(site.media_absolute(m), "enclosure", Some(&m.mime));
        l.set_length(Some(m.length.to_string()));
        links.push(l);
    }
    entry.set_links(links);
    if !d.summary.is_empty() {
        entry.set_summary(Some(Text::plain(clean(&d.summary))));
    }
    if let Some(html) = html {
        let mut c = Content::default();
        c.set_content_type(Some("html".to_string()));
        c.set_value(Some(clean(&absolutize(
            html,
            origin,
            &site.base.absolute(&site.episodes[i].path),
        ))));
        entry.set_content(Some(c));
    }
    let mut cats: Vec<Category> = Vec::new();
    // Bounded in term feeds (see `CARD_TERMS`); the site feeds list them all.
    let shown = if full {
        usize::MAX
    } else {
        crate::site::CARD_TERMS
    };
    for c in e.concepts.iter().take(shown) {
        let t = &site.concepts[c.concept];
        let mut cat = Category::default();
        cat.set_term(t.slug.clone());
        cat.set_label(Some(clean(&t.name)));
        cat.set_scheme(Some(site.base.absolute("concepts/")));
        cats.push(cat);
    }
    entry.set_categories(cats);
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spliced_term_feed_is_what_the_crate_writes_with_its_entries() {
        let config = WriteConfig {
            write_document_declaration: false,
            indent_size: None,
        };
        let mut e = Entry::default();
        e.set_title(Text::plain("A & B"));
        e.set_id("https://h.example/episodes/a/");
        let alone = e.write_with_config(Vec::new(), config).unwrap_or_default();
        assert!(alone.starts_with(STANDALONE_ENTRY));
        let mut feed = Feed::default();
        feed.set_title(Text::plain("T"));
        let head = write(&feed);
        feed.set_entries(vec![e.clone(), e]);
        let whole = write(&feed);
        let close = b"</feed>\n";
        let body = &alone[STANDALONE_ENTRY.len()..];
        let spliced = [
            head.strip_suffix(close).unwrap_or_default(),
            b"<entry>",
            body,
            b"<entry>",
            body,
            close,
        ]
        .concat();
        assert_eq!(
            String::from_utf8_lossy(&spliced),
            String::from_utf8_lossy(&whole)
        );
    }
}
