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

/// Checks every internal link of the output.
pub fn check(site: &Site, output: &Output) -> Vec<Diagnostic> {
    let pages: Vec<(&String, &str)> = output
        .iter()
        .filter_map(|(p, b)| match b {
            Body::Bytes(bytes) if p.ends_with(".html") => {
                std::str::from_utf8(bytes).ok().map(|t| (p, t))
            }
            _ => None,
        })
        .collect();
    let ids: HashMap<&str, HashSet<String>> = pages
        .par_iter()
        .map(|(p, html)| {
            (
                p.as_str(),
                attributes(html, "id").into_iter().map(unescape).collect(),
            )
        })
        .collect();
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
        .flat_map_iter(|(page, html)| {
            let mut errs = Vec::new();
            let mut seen = HashSet::new();
            for raw in attributes(html, "href")
                .into_iter()
                .chain(attributes(html, "src"))
            {
                let link = unescape(raw);
                if !seen.insert(link.clone()) {
                    continue;
                }
                let (path_part, fragment) = match link.split_once('#') {
                    Some((p, f)) => (p.to_string(), Some(f.to_string())),
                    None => (link.clone(), None),
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
                    && let Some(set) = ids.get(file.as_str())
                    && !set.contains(&percent_decode(&f))
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
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
