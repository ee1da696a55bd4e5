//! Every output path the site produces, in one place: pages are folders (`a/b/` written as
//! `a/b/index.html`), files are named here. The model's methods ([`super::Episode::path`],
//! [`super::Term::path`] …), the page list, the feeds, the data files and the link checker
//! all take their paths from here, so a URL changes in one edit. See `docs/architecture.md`.

use crate::text::concat;

/// The home page (page 1 of the episode list).
pub const HOME: &str = "";
/// Page 1 of the episode list by number, a redirect to the home page (as in Zola).
pub const FIRST_PAGE: &str = "page/1/";
/// The search page.
pub const SEARCH: &str = "search/";
/// The search index's manifest (the rest of the index lies beside it).
pub const SEARCH_DIR: &str = "search/";
/// The page served for unknown paths.
pub const NOT_FOUND: &str = "404.html";
/// The site's Atom feed.
pub const ATOM: &str = "atom.xml";
/// The site's RSS 2.0 feed.
pub const RSS: &str = "rss.xml";
/// The site's JSON Feed.
pub const JSON_FEED: &str = "feed.json";
/// The sitemap.
pub const SITEMAP: &str = "sitemap.xml";
/// Part `n` (1-based) of a sitemap split under the `sitemap.xml` index.
pub fn sitemap_part(n: usize) -> String {
    format!("sitemap-{n}.xml")
}

/// Redirects for hosts that read them (Netlify, Cloudflare Pages), with `redirects_file`.
pub const REDIRECTS: &str = "_redirects";

/// The robots file.
pub const ROBOTS: &str = "robots.txt";
/// The site for language-model readers.
pub const LLMS: &str = "llms.txt";
/// The highlighting stylesheet.
pub const SYNTAX_CSS: &str = "syntax.css";
/// The folder every episode lies in.
pub const EPISODES: &str = "episodes";

/// An episode's page: `episodes/<slug>/`.
pub fn episode(slug: &str) -> String {
    concat(&[EPISODES, "/", slug, "/"])
}

/// The name of an episode's data file.
pub const DIGEST_JSON: &str = "digest.json";

/// An episode's data file, beside its page: `episodes/<slug>/digest.json`.
pub fn episode_data(page: &str) -> String {
    concat(&[page, DIGEST_JSON])
}

/// An episode's chapters in the Podcasting 2.0 JSON format, beside its page:
/// `episodes/<slug>/chapters.json`.
pub fn chapters_json(page: &str) -> String {
    concat(&[page, "chapters.json"])
}

/// An episode's chapters as a WebVTT chapters track for the player:
/// `episodes/<slug>/chapters.vtt`.
pub fn chapters_vtt(page: &str) -> String {
    concat(&[page, "chapters.vtt"])
}

/// An episode's raw transcript file: `episodes/<slug>/transcript.<ext>`.
pub fn transcript_file(page: &str, extension: &str) -> String {
    concat(&[page, "transcript.", extension])
}

/// An episode's transcript page: `episodes/<slug>/transcript/`.
pub fn transcript_page(page: &str) -> String {
    concat(&[page, "transcript/"])
}

/// A term's page: `<section>/<slug>/` (`concepts/`, `shows/`, `people/`).
pub fn term(section: &str, slug: &str) -> String {
    concat(&[section, "/", slug, "/"])
}

/// The list of every term of a kind: `<section>/`.
pub fn term_list(section: &str) -> String {
    concat(&[section, "/"])
}

/// The list of every term of a kind sorted by how many digests name each:
/// `<section>/by-count/` (a term whose slug is `by-count` is refused, see `terms.rs`).
pub fn term_list_by_count(section: &str) -> String {
    concat(&[section, "/", BY_COUNT, "/"])
}

/// The folder of the by-count list inside a term section, which no term's slug may take.
pub const BY_COUNT: &str = "by-count";

/// A concept's full list of definitions, beside its page: `concepts/<slug>/definitions/`
/// (paginated under it like any list).
pub fn term_definitions(page: &str) -> String {
    concat(&[page, "definitions/"])
}

/// A term's Atom feed, beside its page: `concepts/<slug>/atom.xml`.
pub fn term_feed(page: &str) -> String {
    concat(&[page, ATOM])
}

/// A standalone page: `<slug>/`.
pub fn page(slug: &str) -> String {
    concat(&[slug, "/"])
}

/// Page `n` (1-based) of a paginated list rooted at `base` (`""` or `concepts/x/`).
pub fn paginated(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        use std::fmt::Write as _;
        let mut s = String::with_capacity(base.len() + 26);
        s.push_str(base);
        let _ = write!(s, "page/{n}/");
        s
    }
}

/// How many pages a list of `items` takes at `per` a page (an empty list still has one).
pub fn page_count(items: usize, per: usize) -> usize {
    items.div_ceil(per.max(1)).max(1)
}

/// The file a page path is written to: `a/b/` → `a/b/index.html`; a path naming a file
/// (`404.html`, an alias `old.html`) is that file.
pub fn index_file(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        concat(&[path, "index.html"])
    } else {
        path.to_string()
    }
}

/// The page path a written HTML file serves: `a/b/index.html` → `a/b/`.
pub fn page_of_file(file: &str) -> &str {
    file.strip_suffix("index.html").unwrap_or(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_folders_and_files_are_named() {
        assert_eq!(index_file(HOME), "index.html");
        assert_eq!(index_file(&episode("a")), "episodes/a/index.html");
        assert_eq!(index_file(NOT_FOUND), "404.html");
        assert_eq!(index_file("old.html"), "old.html");
        assert_eq!(page_of_file("episodes/a/index.html"), "episodes/a/");
        assert_eq!(paginated("concepts/x/", 1), "concepts/x/");
        assert_eq!(paginated("concepts/x/", 3), "concepts/x/page/3/");
        assert_eq!(term_feed(&term("shows", "s")), "shows/s/atom.xml");
        assert_eq!(term_list_by_count("people"), "people/by-count/");
        assert_eq!(
            paginated(&term_definitions(&term("concepts", "x")), 2),
            "concepts/x/definitions/page/2/"
        );
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(21, 10), 3);
    }
}
