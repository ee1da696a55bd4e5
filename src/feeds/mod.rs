//! Feeds (SPEC §7): Atom 1.0 and RSS 2.0 built with the `atom_syndication` and `rss` crates
//! (structure and escaping by construction) and JSON Feed 1.1 from serde structs, for the site,
//! plus an Atom feed for every concept, show and person.
//!
//! Rules kept everywhere: absolute URLs, content included; RFC 3339 (Atom, JSON) and RFC 822
//! (RSS) dates with zones; ids are the entry's permalink, so they survive rebuilds and new
//! episodes; a self link equal to where the feed is served; `updated` equal to the newest
//! entry; an author.

mod atom;
mod json;
mod rss;

use crate::output::OutputFile;
use crate::render::Bodies;
use crate::site::{Site, TermKind};

/// Where the site feeds are served.
pub const ATOM: &str = "atom.xml";
/// RSS 2.0 path.
pub const RSS: &str = "rss.xml";
/// JSON Feed path.
pub const JSON: &str = "feed.json";

/// The three site feeds.
pub fn site_feeds(site: &Site, bodies: &Bodies) -> Vec<OutputFile> {
    let newest: Vec<usize> = (0..site.episodes.len().min(site.config.feed_limit)).collect();
    vec![
        OutputFile::bytes(ATOM, atom::feed(site, bodies, &newest, None, true)),
        OutputFile::bytes(RSS, rss::feed(site, bodies, &newest)),
        OutputFile::bytes(JSON, json::feed(site, bodies, &newest)),
    ]
}

/// A feed to make: its path, the episodes it holds, and how to make it.
pub type FeedJob<'a> = (String, Vec<usize>, Box<dyn FnOnce() -> Vec<u8> + Send + 'a>);

/// The Atom feed of every concept, show and person, as jobs so a caller can skip unchanged
/// ones. Term feeds carry summaries, not whole bodies: a popular concept's feed stays small.
pub fn term_feeds<'a>(site: &'a Site, bodies: &'a Bodies) -> Vec<FeedJob<'a>> {
    let limit = site.config.feed_limit;
    let cache = std::sync::Arc::new(atom::EntryCache::new(site));
    [TermKind::Concept, TermKind::Show, TermKind::Person]
        .into_iter()
        .flat_map(|k| (0..site.terms(k).len()).map(move |i| (k, i)))
        .map(|(k, i)| {
            let entries: Vec<usize> = site.terms(k)[i]
                .episodes
                .iter()
                .take(limit)
                .copied()
                .collect();
            let for_job = entries.clone();
            let cache = cache.clone();
            let make: Box<dyn FnOnce() -> Vec<u8> + Send + 'a> =
                Box::new(move || atom::term_feed(site, bodies, &for_job, (k, i), &cache));
            (site.terms(k)[i].feed_path(), entries, make)
        })
        .collect()
}

/// Makes root-relative `href`/`src` URLs in HTML absolute (feed readers have no base URL).
pub fn absolutize(html: &str, origin: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    loop {
        let next = ["href=\"/", "src=\"/"]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, p.len())))
            .min();
        match next {
            Some((i, len)) => {
                let (before, after) = rest.split_at(i + len - 1);
                out.push_str(before);
                if after.starts_with("//") {
                    out.push('/');
                    rest = &after[1..];
                } else {
                    out.push_str(origin);
                    rest = after;
                }
            }
            None => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// `https://host` from `https://host/sub/`.
pub fn origin(base_url: &str) -> &str {
    let after_scheme = base_url.find("://").map(|i| i + 3).unwrap_or(0);
    match base_url[after_scheme..].find('/') {
        Some(i) => &base_url[..after_scheme + i],
        None => base_url,
    }
}

/// Removes characters XML 1.0 cannot carry.
pub fn clean(s: &str) -> String {
    let ok = crate::output::extras::is_xml_char;
    // Nearly every text is clean already: one check and a copy beat rebuilding it by char.
    if s.chars().all(ok) {
        return s.to_string();
    }
    s.chars().filter(|&c| ok(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolutizes_root_relative_links_only() {
        let html = r##"<a href="/sub/a/">a</a><img src="/sub/i.png"><a href="https://x.org/">x</a><a href="//cdn/x">c</a><a href="#f">f</a>"##;
        let out = absolutize(html, "https://h.example");
        assert_eq!(
            out,
            r##"<a href="https://h.example/sub/a/">a</a><img src="https://h.example/sub/i.png"><a href="https://x.org/">x</a><a href="//cdn/x">c</a><a href="#f">f</a>"##
        );
    }

    #[test]
    fn origin_strips_the_path() {
        assert_eq!(origin("https://h.example/sub/"), "https://h.example");
        assert_eq!(origin("http://localhost:1111/"), "http://localhost:1111");
    }

    #[test]
    fn clean_drops_control_characters() {
        assert_eq!(clean("a\u{1}b\tc\u{FFFF}"), "ab\tc");
    }
}
