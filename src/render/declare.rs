//! What each page shows, declared once: a page is its template, its path and the values
//! handed to the template ([`Page`]). The render uses the values; serve's change detection
//! hashes the very same values ([`Page::fingerprint`]), so a field added to a card, a term
//! reference or a page is picked up by serve with no second list to update. Every value a
//! template receives is listed in `docs/themes.md`.

use super::context::{self, Inputs, Shared, page_value};
use super::pages::{Job, Sort};
use super::tera::{PageContext, Templates, array, to_value};
use crate::bodies::{BodyRef, Html, Others};
use crate::error::Diagnostic;
use crate::output::OutputFile;
use crate::site::{Site, TermKind, paths};

/// One page ready to render.
pub struct Page {
    template: &'static str,
    path: String,
    cx: PageContext,
    /// The episode whose page this is, declared without its body's values: they must be
    /// set ([`Page::set_body`]) before it is rendered.
    needs_body: Option<usize>,
}

impl Page {
    /// The file the page is written to.
    pub fn file(&self) -> String {
        paths::index_file(&self.path)
    }

    /// A hash of everything the page shows (template and values); `shared` knows the
    /// hashes of the values pages share.
    pub fn fingerprint(&self, shared: &Shared) -> u64 {
        self.cx.fingerprint(self.template, shared.known())
    }

    /// Everything the template receives, as JSON: `{template, site, t, <page values>}`
    /// (`castdown context`).
    pub fn to_json(&self, site: &Site) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("template".into(), self.template.into());
        let globals = [
            ("site", context::site_value(site)),
            ("t", to_value(&site.words.texts())),
        ];
        for (k, v) in globals.iter().chain(self.cx.values()) {
            map.insert(
                (*k).to_string(),
                serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
            );
        }
        serde_json::Value::Object(map)
    }

    /// Gives an episode page declared from its body's key alone the body's values. The
    /// fingerprint does not change: the key stood in for them.
    pub fn set_body(&mut self, site: &Site, html: &Html) {
        let Some(i) = self.needs_body.take() else {
            return;
        };
        let with_body = self
            .cx
            .values()
            .find(|(k, _)| *k == "episode")
            .map(|(_, v)| super::tera::extend(v, context::episode_body_values(site, html, i)));
        if let Some(v) = with_body {
            self.cx.replace("episode", v);
        }
    }

    /// Renders the page.
    pub fn render(&self, site: &Site, templates: &Templates) -> Result<OutputFile, Diagnostic> {
        if let Some(i) = self.needs_body {
            return Err(Diagnostic::new(
                &site.episodes[i].digest.path,
                "internal error: the episode's body was not rendered",
            ));
        }
        let shown = format!("{}{}", site.base.path, self.path);
        let html = templates.render(self.template, &self.cx, &shown)?;
        Ok(OutputFile::bytes(self.file(), html))
    }
}

impl Job {
    /// Declares this page: template, path and values. An episode's page needs its
    /// body's key, and its HTML before it is rendered ([`Page::set_body`]).
    pub fn declare(
        &self,
        site: &Site,
        inputs: Inputs,
        body: Option<BodyRef>,
    ) -> Result<Page, Diagnostic> {
        let path = self.path(site);
        let mut cx = PageContext::new();
        let mut needs_body = None;
        let template = match *self {
            Job::Episode(i) => {
                let Some(body) = body else {
                    return Err(Diagnostic::new(
                        &site.episodes[i].digest.path,
                        "internal error: the episode's body was not rendered",
                    ));
                };
                if body.html.is_none() {
                    needs_body = Some(i);
                }
                episode(site, inputs.shared, body, i, &path, &mut cx)
            }
            Job::Transcript(i) => transcript(site, inputs.shared, i, &path, &mut cx),
            Job::Home(n, total) => home(site, inputs.shared, n, total, &path, &mut cx),
            Job::TermList(kind, sort) => {
                term_list(site, inputs.shared, (kind, sort), &path, &mut cx)
            }
            Job::Definitions(c, n, total) => {
                definitions(site, inputs.shared, c, (n, total), &path, &mut cx)
            }
            Job::Term(kind, i, n, total) => {
                term(site, inputs, (kind, i), (n, total), &path, &mut cx)
            }
            Job::Page(i) => page(site, inputs.others, i, &path, &mut cx),
            Job::Search => {
                let w = &site.words;
                let desc = w.fill("search_description", &[("site", &site.config.title)]);
                let ld = context::webpage_jsonld(site, &path, w.get("search"));
                cx.insert(
                    "page",
                    page_value(site, &path, w.get("search"), &desc, "website", ld),
                );
                cx.insert("search_words", to_value(&w.script(&SEARCH_WORDS)));
                "search.html"
            }
            Job::NotFound => {
                let page = page_value(
                    site,
                    &path,
                    site.words.get("page_not_found"),
                    site.words.get("page_not_found_description"),
                    "website",
                    String::new(),
                );
                // Served for every unknown address: no search engine should index it.
                let page = super::tera::extend(&page, [("noindex", true.into())]);
                cx.insert("page", page);
                "404.html"
            }
        };
        Ok(Page {
            template,
            path,
            cx,
            needs_body,
        })
    }
}

fn episode(
    site: &Site,
    shared: &Shared,
    body: BodyRef,
    i: usize,
    path: &str,
    cx: &mut PageContext,
) -> &'static str {
    let e = &site.episodes[i];
    let value = context::episode_value(site, shared, i);
    // What comes from the body is known by the body's key in the fingerprint.
    cx.stand_in("episode", value.clone(), body.key);
    let value = match body.html {
        Some(html) => super::tera::extend(&value, context::episode_body_values(site, html, i)),
        None => value,
    };
    cx.insert("episode", value);
    let page = page_value(
        site,
        path,
        &e.digest.title,
        &e.digest.summary,
        "article",
        context::episode_jsonld(site, i),
    );
    let cover = context::image_value(site.episode_image(i));
    cx.insert("page", super::tera::extend(&page, [("image", cover)]));
    "episode.html"
}

fn transcript(
    site: &Site,
    shared: &Shared,
    i: usize,
    path: &str,
    cx: &mut PageContext,
) -> &'static str {
    let e = &site.episodes[i];
    cx.insert("episode", shared.card(site, i));
    cx.insert("transcript", context::transcript_value(site, i));
    let on = [("title", e.digest.title.as_str())];
    let title = site.words.fill("transcript_title", &on);
    let desc = site.words.fill("transcript_description", &on);
    let ld = context::webpage_jsonld(site, path, &title);
    cx.insert("page", page_value(site, path, &title, &desc, "article", ld));
    "transcript.html"
}

fn home(
    site: &Site,
    shared: &Shared,
    n: usize,
    total: usize,
    path: &str,
    cx: &mut PageContext,
) -> &'static str {
    let start = (n - 1) * site.config.paginate;
    let end = (start + site.config.paginate).min(site.episodes.len());
    let cards: Vec<_> = (start..end).map(|i| shared.card(site, i)).collect();
    cx.insert("episodes", array(&cards));
    cx.insert(
        "paginator",
        context::paginator(site, paths::HOME, n, total, site.episodes.len()),
    );
    let title = paged_title(site, &site.config.title, n);
    let desc = if site.config.description.is_empty() {
        site.config.title.clone()
    } else {
        site.config.description.clone()
    };
    let ld = context::website_jsonld(site);
    cx.insert("page", page_value(site, path, &title, &desc, "website", ld));
    "index.html"
}

fn term_list(
    site: &Site,
    shared: &Shared,
    (kind, sort): (TermKind, Sort),
    path: &str,
    cx: &mut PageContext,
) -> &'static str {
    cx.insert("terms", context::term_list(site, shared, kind, sort));
    cx.insert("kind", to_value(kind.section()));
    let w = &site.words;
    let (name, template, described) = match kind {
        TermKind::Concept => (w.get("concepts"), "concepts.html", "glossary_description"),
        TermKind::Show => (w.get("shows"), "shows.html", "shows_description"),
        TermKind::Person => (w.get("people"), "people.html", "people_description"),
    };
    let title = match sort {
        Sort::Name => name.to_string(),
        Sort::Count => w.fill("by_digest_count_title", &[("name", name)]),
    };
    let desc = w.fill(described, &[("site", &site.config.title)]);
    let ld = context::collection_jsonld(site, path, &title);
    cx.insert("page", page_value(site, path, &title, &desc, "website", ld));
    template
}

fn definitions(
    site: &Site,
    shared: &Shared,
    c: usize,
    (n, total): (usize, usize),
    path: &str,
    cx: &mut PageContext,
) -> &'static str {
    let t = &site.concepts[c];
    let compared = &t.definitions;
    cx.insert("term", shared.term(TermKind::Concept, c));
    cx.insert(
        "definitions",
        context::full_list_definitions(site, shared, c, n),
    );
    cx.insert(
        "paginator",
        context::paginator(site, &t.definitions_path(1), n, total, compared.distinct()),
    );
    let w = &site.words;
    let title = paged_title(
        site,
        &w.fill("every_definition_title", &[("name", &t.name)]),
        n,
    );
    let desc = w.count(
        "definitions_description",
        compared.distinct(),
        &[("name", &t.name)],
    );
    let ld = context::collection_jsonld(site, path, &title);
    cx.insert("page", page_value(site, path, &title, &desc, "website", ld));
    "definitions.html"
}

fn term(
    site: &Site,
    inputs: Inputs,
    (kind, i): (TermKind, usize),
    (n, total): (usize, usize),
    path: &str,
    cx: &mut PageContext,
) -> &'static str {
    let term = &site.terms(kind)[i];
    let per = site.config.paginate;
    let start = (n - 1) * per;
    let end = (start + per).min(term.episodes.len());
    let cards: Vec<_> = term.episodes[start..end]
        .iter()
        .map(|&e| inputs.shared.card(site, e))
        .collect();
    cx.insert("episodes", array(&cards));
    cx.insert(
        "paginator",
        context::paginator(site, &term.path(), n, total, term.episodes.len()),
    );
    cx.insert("term", context::term_value(site, inputs, kind, i, n == 1));
    let title = paged_title(site, &term.name, n);
    let desc = context::term_description(site, kind, i);
    let ld = context::collection_jsonld(site, path, &term.name);
    let mut page = page_value(site, path, &title, &desc, "website", ld);
    if kind == TermKind::Show
        && let Some(img) = site.show_image(i)
    {
        page = super::tera::extend(&page, [("image", context::image_value(Some(img)))]);
    }
    cx.insert("page", page);
    match kind {
        TermKind::Concept => "concept.html",
        TermKind::Show => "show.html",
        TermKind::Person => "person.html",
    }
}

fn page(site: &Site, others: &Others, i: usize, path: &str, cx: &mut PageContext) -> &'static str {
    let p = &site.pages[i];
    let body = others.pages.get(i);
    cx.insert("content", to_value(&body.map_or("", |b| b.html.as_str())));
    cx.insert(
        "toc",
        to_value(&body.map(|b| &b.toc[..]).unwrap_or_default()),
    );
    cx.insert("extra", to_value(&p.extra));
    let ld = context::webpage_jsonld(site, path, &p.title);
    cx.insert(
        "page",
        page_value(site, path, &p.title, &p.description, "article", ld),
    );
    "page.html"
}

/// Renders a site's own `templates/robots.txt`, which gets `site` and `sitemap_url` (the
/// sitemap's absolute URL).
pub fn robots(templates: &Templates, site: &Site) -> Result<Vec<u8>, Diagnostic> {
    let mut cx = PageContext::new();
    cx.insert("sitemap_url", to_value(&site.base.absolute(paths::SITEMAP)));
    templates.render(paths::ROBOTS, &cx, paths::ROBOTS)
}

/// Renders a site's own `templates/sitemap.xml`, which gets `site` and `entries`: [{loc
/// (absolute), lastmod? (YYYY-MM-DD, episodes)}].
pub fn sitemap(
    templates: &Templates,
    entries: &[(String, Option<String>)],
) -> Result<Vec<u8>, Diagnostic> {
    let mut cx = PageContext::new();
    let list: Vec<_> = entries
        .iter()
        .map(|(loc, lastmod)| {
            super::tera::obj([
                ("loc", loc.as_str().into()),
                ("lastmod", lastmod.as_deref().into()),
            ])
        })
        .collect();
    cx.insert("entries", array(&list));
    templates.render(paths::SITEMAP, &cx, paths::SITEMAP)
}

/// The words the search page's script says (`search_words`, JSON).
const SEARCH_WORDS: [&str; 17] = [
    "searching",
    "no_results",
    "n_results",
    "cannot_search",
    "did_you_mean",
    "search_failed",
    "index_failed",
    "in_transcript",
    "in_concepts",
    "at_time",
    "show_n_more",
    "n_digests",
    "kind_concept",
    "kind_show",
    "kind_person",
    "show_more",
    "search",
];

/// The title of page `n` of a list: the list's own title on page 1, else "… — page n".
fn paged_title(site: &Site, title: &str, n: usize) -> String {
    if n == 1 {
        title.to_string()
    } else {
        let n = n.to_string();
        site.words
            .fill("page_title", &[("title", title), ("page", &n)])
    }
}

/// Renders a redirect page from the site path `from` to the site path `to`. The page
/// moves on by a URL relative to itself, so a built site previewed on another host or port
/// (a local file server) stays there instead of jumping to the production host; the
/// canonical link keeps the absolute URL.
pub fn alias(
    templates: &Templates,
    site: &Site,
    from: &str,
    to: &str,
) -> Result<Vec<u8>, Diagnostic> {
    let mut cx = PageContext::new();
    cx.insert("target", to_value(&site.base.absolute(to)));
    cx.insert("relative", to_value(&relative(from, to)));
    templates.render("alias.html", &cx, &format!("{}{}", site.base.path, from))
}

/// The URL of site path `to` relative to the page at site path `from` (a folder ending in
/// `/`, or a file such as `old.html`).
fn relative(from: &str, to: &str) -> String {
    let segments = from.split('/').filter(|s| !s.is_empty()).count();
    // A file's own name is not a folder to climb out of.
    let depth = segments.saturating_sub(usize::from(!from.ends_with('/')));
    let to = to.trim_start_matches('/');
    let url = format!("{}{to}", "../".repeat(depth));
    if url.is_empty() { "./".into() } else { url }
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn redirects_climb_out_of_their_own_folder() {
        assert_eq!(relative("page/1/", ""), "../../");
        assert_eq!(
            relative("old/post/", "episodes/new/"),
            "../../episodes/new/"
        );
        assert_eq!(relative("old.html", "episodes/new/"), "episodes/new/");
        assert_eq!(relative("a/old.html", "pages/about/"), "../pages/about/");
        assert_eq!(relative("old.html", ""), "./");
    }
}
