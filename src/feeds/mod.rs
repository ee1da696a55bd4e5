//! Feeds: Atom 1.0 and RSS 2.0 built with the `atom_syndication` and `rss` crates
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

use std::sync::Arc;

use crate::bodies::Html;
use crate::output::OutputFile;
use crate::site::{Site, TermKind, paths};

/// The three site feeds of the newest `feed_limit` episodes, whose bodies are the first of
/// `bodies` (episode `k`'s is `bodies[k]`; a build keeps only those, serve has them all).
pub fn site_feeds(site: &Site, bodies: &[Arc<Html>]) -> Vec<OutputFile> {
    let entries: Vec<(usize, &str)> = bodies
        .iter()
        .take(site.config.feed_limit)
        .enumerate()
        .map(|(i, h)| (i, h.html.as_str()))
        .collect();
    vec![
        OutputFile::bytes(paths::ATOM, atom::feed(site, &entries, None)),
        OutputFile::bytes(paths::RSS, rss::feed(site, &entries)),
        OutputFile::bytes(paths::JSON_FEED, json::feed(site, &entries)),
    ]
}

/// A term feed to make.
pub struct FeedJob<'a> {
    /// Where it is written.
    pub path: String,
    /// Its term.
    pub term: (TermKind, usize),
    /// The episodes it holds, newest first.
    pub episodes: Vec<usize>,
    /// Makes it.
    pub make: Box<dyn FnOnce() -> Vec<u8> + Send + 'a>,
}

/// The Atom feed of every concept, show and person, as jobs so a caller can skip unchanged
/// ones. Term feeds carry summaries, not whole bodies: a popular concept's feed stays small.
pub fn term_feeds(site: &Site) -> Vec<FeedJob<'_>> {
    let limit = site.config.feed_limit;
    let cache = Arc::new(atom::EntryCache::new(site));
    TermKind::ALL
        .into_iter()
        .flat_map(|k| (0..site.terms(k).len()).map(move |i| (k, i)))
        .map(|(k, i)| {
            let episodes: Vec<usize> = site.terms(k)[i]
                .episodes
                .iter()
                .take(limit)
                .copied()
                .collect();
            let for_job = episodes.clone();
            let cache = cache.clone();
            FeedJob {
                path: site.terms(k)[i].feed_path(),
                term: (k, i),
                episodes,
                make: Box::new(move || atom::term_feed(site, &for_job, (k, i), &cache)),
            }
        })
        .collect()
}

/// The HTML of a page made fit for a feed, which readers show away from the page: every
/// `href="…"` and `src="…"` that is root-relative (`/sub/x/`) gets the site's `origin`,
/// and every relative one (`x.png`, `files/a.pdf`, a co-located file) is resolved against
/// the page's absolute URL `page` (ending in `/`). Absolute URLs, `//host` and fragments
/// stay.
pub fn absolutize(html: &str, origin: &str, page: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    loop {
        let next = ["href=\"", "src=\"", "srcset=\""]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, p.len())))
            .min();
        let Some((i, len)) = next else {
            out.push_str(rest);
            return out;
        };
        let (before, after) = rest.split_at(i + len);
        out.push_str(before);
        rest = after;
        if before.ends_with("srcset=\"") {
            // `a.png 1x, b.png 2x`: each candidate's URL.
            let end = rest.find('"').unwrap_or(rest.len());
            let resolved: Vec<String> = rest[..end]
                .split(',')
                .map(|candidate| {
                    let c = candidate.trim();
                    let (url, descriptor) = c.split_once(' ').unwrap_or((c, ""));
                    let url = absolute_one(url, origin, page);
                    if descriptor.is_empty() {
                        url
                    } else {
                        format!("{url} {}", descriptor.trim())
                    }
                })
                .collect();
            out.push_str(&resolved.join(", "));
            rest = &rest[end..];
            continue;
        }
        let value_end = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..value_end];
        if value.starts_with("//")
            || value.starts_with('#')
            || value.is_empty()
            || has_scheme(value)
        {
            continue;
        }
        if value.starts_with('/') {
            out.push_str(origin);
        } else {
            out.push_str(page);
        }
    }
}

/// One URL of a page made absolute as [`absolutize`] does.
fn absolute_one(url: &str, origin: &str, page: &str) -> String {
    if url.starts_with("//") || url.starts_with('#') || url.is_empty() || has_scheme(url) {
        url.to_string()
    } else if url.starts_with('/') {
        format!("{origin}{url}")
    } else {
        format!("{page}{url}")
    }
}

/// Whether a URL starts with a scheme (`https:`, `mailto:`): letters, digits, `+ - .`, then `:`
/// before any `/`, `?` or `#`.
fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(c) => {
            let scheme = &url[..c];
            !scheme.is_empty()
                && scheme.starts_with(|ch: char| ch.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '+' | '-' | '.'))
        }
        None => false,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolutizes_root_relative_and_relative_links() {
        let html = r##"<a href="/sub/a/">a</a><img src="/sub/i.png"><a href="https://x.org/">x</a><a href="//cdn/x">c</a><a href="#f">f</a><img src="cover.png"><a href="files/a.pdf">p</a><a href="mailto:a@b.c">m</a>"##;
        let out = absolutize(
            html,
            "https://h.example",
            "https://h.example/sub/episodes/e/",
        );
        assert_eq!(
            out,
            r##"<a href="https://h.example/sub/a/">a</a><img src="https://h.example/sub/i.png"><a href="https://x.org/">x</a><a href="//cdn/x">c</a><a href="#f">f</a><img src="https://h.example/sub/episodes/e/cover.png"><a href="https://h.example/sub/episodes/e/files/a.pdf">p</a><a href="mailto:a@b.c">m</a>"##
        );
    }

    #[test]
    fn origin_strips_the_path() {
        assert_eq!(origin("https://h.example/sub/"), "https://h.example");
        assert_eq!(origin("http://localhost:1111/"), "http://localhost:1111");
    }
}
