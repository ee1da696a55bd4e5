//! Internal link and anchor resolution for `castdown check`: every `href` and `src` in every
//! generated HTML page that points inside the site must name a produced file, and every
//! `#fragment` an `id` on that page.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::error::Diagnostic;
use crate::output::{Body, Output};
use crate::site::{Site, paths};

/// Attribute values of `name="…"` in `html` (double-quoted, as our templates write them).
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let pat = format!(" {name}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&pat) {
        rest = &rest[i + pat.len()..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
}

/// `s` with its percent-escapes decoded (invalid UTF-8 replaced).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether a link is relative to its page (`x.png`, `files/a.pdf`, `../b/`): no scheme, not
/// from the root, not `//host`.
fn is_relative(link: &str) -> bool {
    let scheme = link
        .find(':')
        .is_some_and(|c| !link[..c].contains(['/', '?', '#']));
    !link.is_empty() && !link.starts_with('/') && !scheme
}

/// The output path a relative link on the page written to `page` (`episodes/x/index.html`)
/// names; `None` when `..` climbs above the site.
fn resolve_relative(page: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop(); // the page's own file name
    for seg in link.split('/') {
        match seg {
            "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Strings packed one after another, each after its length: a page's links or ids in a
/// fraction of the memory of the page (and of a `Vec<String>`).
#[derive(Default)]
struct Packed(Vec<u8>);

impl Packed {
    fn push(&mut self, s: &str) {
        // No attribute of a page reaches 4 GB.
        if let Ok(len) = u32::try_from(s.len()) {
            self.0.extend_from_slice(&len.to_le_bytes());
            self.0.extend_from_slice(s.as_bytes());
        }
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        let mut rest = self.0.as_slice();
        std::iter::from_fn(move || {
            let (len, after) = rest.split_first_chunk::<4>()?;
            let len = u32::from_le_bytes(*len) as usize;
            let (s, after) = after.split_at_checked(len)?;
            rest = after;
            // Pushed from `&str`s whole: always UTF-8.
            Some(std::str::from_utf8(s).unwrap_or_default())
        })
    }
}

/// What checking needs of one page: its distinct links (`href` and `src`, unescaped, in
/// order) and its ids (unescaped).
pub struct PageLinks {
    links: Packed,
    ids: Packed,
}

impl PageLinks {
    /// The links and ids of a page's HTML.
    pub fn of(html: &str) -> PageLinks {
        let mut links = Packed::default();
        let mut seen = HashSet::new();
        for raw in attributes(html, "href")
            .into_iter()
            .chain(attributes(html, "src"))
        {
            let link = unescape(raw);
            if seen.insert(link.clone()) {
                links.push(&link);
            }
        }
        let mut ids = Packed::default();
        for id in attributes(html, "id") {
            ids.push(&unescape(id));
        }
        links.0.shrink_to_fit();
        ids.0.shrink_to_fit();
        PageLinks { links, ids }
    }

    fn has_id(&self, id: &str) -> bool {
        self.ids.iter().any(|i| i == id)
    }
}

/// The links and ids of the pages an output handed on as it went ([`Output::handing`]).
#[derive(Default)]
pub struct Pages(HashMap<String, PageLinks>);

impl Pages {
    /// Keeps what checking needs of the HTML pages among `files` (in parallel), and drops
    /// the files.
    pub fn add(&mut self, files: Vec<(String, std::sync::Arc<Vec<u8>>)>) {
        let found: Vec<(String, PageLinks)> = files
            .into_par_iter()
            .filter(|(p, _)| p.ends_with(".html"))
            .filter_map(|(p, b)| Some((p, PageLinks::of(std::str::from_utf8(&b).ok()?))))
            .collect();
        self.0.extend(found);
    }
}

/// Checks every internal link of the output: the pages `handed` on, and the HTML pages the
/// output still holds.
pub fn check(site: &Site, output: &Output, mut handed: Pages) -> Vec<Diagnostic> {
    let held: Vec<(String, std::sync::Arc<Vec<u8>>)> = output
        .iter()
        .filter_map(|(p, b)| match b {
            Body::Bytes(bytes) => Some((p.clone(), bytes.clone())),
            _ => None,
        })
        .collect();
    handed.add(held);
    let pages = handed.0;
    // Which source file made each page, so the error names something the user can edit.
    let mut origin: HashMap<String, PathBuf> = HashMap::new();
    for e in &site.episodes {
        origin.insert(paths::index_file(&e.path), e.digest.path.clone());
    }
    for p in &site.pages {
        origin.insert(paths::index_file(&paths::page(&p.slug)), p.path.clone());
    }
    let base_path = site.base.path.as_str();
    let base_url = site.base.url.as_str();
    let mut errors: Vec<Diagnostic> = pages
        .par_iter()
        .flat_map_iter(|(page, found)| {
            let mut errs = Vec::new();
            for link in found.links.iter() {
                let (path_part, fragment) = match link.split_once('#') {
                    Some((p, f)) => (p.to_string(), Some(f.to_string())),
                    None => (link.to_string(), None),
                };
                let path_part = path_part.split('?').next().unwrap_or("").to_string();
                let target = if path_part.is_empty() {
                    Some(page.to_string())
                } else if let Some(rest) = path_part.strip_prefix(base_url) {
                    Some(rest.to_string())
                } else if let Some(rest) = path_part.strip_prefix(base_path) {
                    Some(rest.to_string())
                } else if path_part.starts_with('/') && !path_part.starts_with("//") {
                    errs.push(format!(
                        "link `{link}` is outside the site's base path {base_path}"
                    ));
                    None
                } else if is_relative(&path_part) {
                    // A file beside the page (`x.png` in a digest): it must be published.
                    match resolve_relative(page, &path_part) {
                        Some(t) => Some(t),
                        None => {
                            errs.push(format!("link `{link}` climbs out of the site"));
                            None
                        }
                    }
                } else {
                    None // external (a scheme or `//host`)
                };
                let Some(target) = target else { continue };
                let target = percent_decode(&target);
                // A file, or a folder written with or without its final slash.
                let file = paths::index_file(&target);
                if !output.contains(&file)
                    && !output.contains(&paths::index_file(&format!("{target}/")))
                {
                    errs.push(format!(
                        "broken link `{link}`: nothing is built at /{target}"
                    ));
                    continue;
                }
                if let Some(f) = fragment
                    && !f.is_empty()
                    && let Some(linked) = pages.get(file.as_str())
                    && !linked.has_id(&percent_decode(&f))
                {
                    errs.push(format!("broken anchor `{link}`: /{target} has no id `{f}`"));
                }
            }
            let shown = origin
                .get(page.as_str())
                .cloned()
                .unwrap_or_else(|| PathBuf::from(format!("public/{page}")));
            errs.into_iter()
                .map(move |m| Diagnostic::new(shown.clone(), format!("{m} (on /{page})")))
        })
        .collect();
    errors.sort();
    errors.dedup();
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_attributes() {
        let html = r#"<a href="/a/">x</a><img src="/i.png"><h2 id="k">"#;
        assert_eq!(attributes(html, "href"), ["/a/"]);
        assert_eq!(attributes(html, "src"), ["/i.png"]);
        assert_eq!(attributes(html, "id"), ["k"]);
    }

    #[test]
    fn relative_links_resolve_against_their_page() {
        assert!(is_relative("x.png") && is_relative("files/a.pdf") && is_relative("../b/"));
        assert!(!is_relative("https://x/") && !is_relative("mailto:a@b") && !is_relative("/a"));
        assert!(is_relative("a/b:c"));
        assert_eq!(
            resolve_relative("episodes/x/index.html", "wave.png").as_deref(),
            Some("episodes/x/wave.png")
        );
        assert_eq!(
            resolve_relative("episodes/x/index.html", "../y/").as_deref(),
            Some("episodes/y/")
        );
        assert_eq!(resolve_relative("index.html", "../../x"), None);
    }

    #[test]
    fn a_page_is_kept_as_its_distinct_unescaped_links_and_its_ids() {
        let html = r#"<a href="/a/?x=1&amp;y=2">a</a><a href="/a/?x=1&amp;y=2">again</a>
<img src="caf%C3%A9.png"><h2 id="it&#39;s">x</h2><p id="">y</p><a href="">z</a><a href="/é/#q">é</a>"#;
        let page = PageLinks::of(html);
        let links: Vec<&str> = page.links.iter().collect();
        assert_eq!(links, ["/a/?x=1&y=2", "", "/é/#q", "caf%C3%A9.png"]);
        let ids: Vec<&str> = page.ids.iter().collect();
        assert_eq!(ids, ["it's", ""]);
        assert!(page.has_id("it's") && page.has_id("") && !page.has_id("it"));
        assert!(page.links.0.len() < html.len());
    }

    #[test]
    fn only_html_pages_are_kept_when_handed_on() {
        let mut pages = Pages::default();
        let file = |p: &str, b: &str| (p.to_string(), std::sync::Arc::new(b.as_bytes().to_vec()));
        pages.add(vec![
            file("a/index.html", r#"<a href="/b/">b</a>"#),
            file("feed.xml", r#"<link href="/c/"/>"#),
        ]);
        pages.add(vec![file("b/index.html", r#"<h1 id="top">b</h1>"#)]);
        let mut paths: Vec<&String> = pages.0.keys().collect();
        paths.sort();
        assert_eq!(paths, ["a/index.html", "b/index.html"]);
        assert!(pages.0["b/index.html"].has_id("top"));
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
