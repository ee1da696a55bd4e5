//! Render: turns the site model into HTML pages through the theme (SPEC §6). Markdown bodies
//! are rendered here, in parallel, because Key Concepts links need the final concept slugs.
//! Values shared by many pages (episode cards, term links) are built once and cloned cheaply.

pub mod context;
pub mod tera;

use std::collections::BTreeMap;

use rayon::prelude::*;

pub use self::tera::Templates;
use self::tera::{PageContext, array, to_value};
use crate::error::Diagnostic;
use crate::markdown::{self, Highlighter, RenderContext};
use crate::output::OutputFile;
use crate::site::{Site, TermKind};
use context::{Shared, page_value};

/// Rendered bodies of every episode, in `Site::episodes` order; other stages (feeds, search,
/// digest.json) reuse them.
pub struct Bodies {
    /// One per episode.
    pub episodes: Vec<markdown::Rendered>,
    /// One per standalone page.
    pub pages: Vec<markdown::Rendered>,
    /// Curated descriptions per kind, by term index.
    pub curated: BTreeMap<(TermKind, usize), markdown::Rendered>,
}

/// Renders every Markdown body of the site.
pub fn render_bodies(site: &Site, highlighter: &Highlighter) -> Bodies {
    let lookup = |term: &str| {
        site.concept_by_name(term)
            .map(|t| site.base.link(&t.path()))
    };
    let cx = RenderContext {
        options: site.config.markdown,
        highlighter,
        base_path: &site.base.path,
        concept_url: &lookup,
    };
    let episodes = site
        .episodes
        .par_iter()
        .map(|e| markdown::render(&e.digest.body, &cx))
        .collect();
    let pages = site
        .pages
        .par_iter()
        .map(|p| markdown::render(&p.body, &cx))
        .collect();
    let mut curated = BTreeMap::new();
    for kind in [TermKind::Concept, TermKind::Show, TermKind::Person] {
        for (i, t) in site.terms(kind).iter().enumerate() {
            if let Some(c) = &t.curated {
                curated.insert((kind, i), markdown::render(&c.body, &cx));
            }
        }
    }
    Bodies {
        episodes,
        pages,
        curated,
    }
}

/// Page `n` (1-based) of a paginated list rooted at `base` (`""` or `concepts/x/`).
pub fn paginated_path(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// The file a page path is written to: `a/b/` → `a/b/index.html`.
pub fn index_file(path: &str) -> String {
    format!("{path}index.html")
}

/// Renders every HTML page.
pub fn render_pages(
    site: &Site,
    templates: &Templates,
    bodies: &Bodies,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let shared = Shared::new(site);
    let mut jobs: Vec<Job> = Vec::new();
    for (i, e) in site.episodes.iter().enumerate() {
        jobs.push(Job::Episode(i));
        if e.digest.transcript_data.is_some() {
            jobs.push(Job::Transcript(i));
        }
    }
    let per = site.config.paginate;
    let home_pages = site.episodes.len().div_ceil(per).max(1);
    for n in 1..=home_pages {
        jobs.push(Job::Home(n, home_pages));
    }
    for kind in [TermKind::Concept, TermKind::Show, TermKind::Person] {
        jobs.push(Job::TermList(kind));
        for (i, t) in site.terms(kind).iter().enumerate() {
            let pages = t.episodes.len().div_ceil(per).max(1);
            for n in 1..=pages {
                jobs.push(Job::Term(kind, i, n, pages));
            }
        }
    }
    for i in 0..site.pages.len() {
        jobs.push(Job::Page(i));
    }
    jobs.push(Job::NotFound);
    let results: Vec<Result<Vec<OutputFile>, Diagnostic>> = jobs
        .par_iter()
        .map(|job| job.run(site, templates, bodies, &shared))
        .collect();
    let mut files = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    for r in results {
        match r {
            Ok(mut f) => files.append(&mut f),
            Err(d) => {
                // One broken template breaks many pages; report each place once.
                if !errors
                    .iter()
                    .any(|e| e.path == d.path && e.line == d.line && e.column == d.column)
                {
                    errors.push(d);
                }
            }
        }
    }
    (files, errors)
}

enum Job {
    Episode(usize),
    Transcript(usize),
    Home(usize, usize),
    TermList(TermKind),
    Term(TermKind, usize, usize, usize),
    Page(usize),
    NotFound,
}

impl Job {
    fn run(
        &self,
        site: &Site,
        t: &Templates,
        bodies: &Bodies,
        shared: &Shared,
    ) -> Result<Vec<OutputFile>, Diagnostic> {
        let mut cx = PageContext::new();
        let (template, path) = match *self {
            Job::Episode(i) => {
                let e = &site.episodes[i];
                cx.insert("episode", context::episode_value(site, shared, bodies, i));
                cx.insert(
                    "page",
                    page_value(
                        site,
                        &e.path,
                        &e.digest.title,
                        &e.digest.summary,
                        "article",
                        context::episode_jsonld(site, i),
                    ),
                );
                ("episode.html", e.path.clone())
            }
            Job::Transcript(i) => {
                let e = &site.episodes[i];
                let path = crate::transcript::page_path(e).unwrap_or_default();
                cx.insert("episode", shared.cards[i].clone());
                cx.insert("transcript", context::transcript_value(site, i));
                let title = format!("Transcript: {}", e.digest.title);
                let desc = format!(
                    "Full transcript of “{}”, with timestamps linking to the original.",
                    e.digest.title
                );
                cx.insert(
                    "page",
                    page_value(
                        site,
                        &path,
                        &title,
                        &desc,
                        "article",
                        context::webpage_jsonld(site, &path, &title),
                    ),
                );
                ("transcript.html", path)
            }
            Job::Home(n, total) => {
                let path = paginated_path("", n);
                let start = (n - 1) * site.config.paginate;
                let end = (start + site.config.paginate).min(site.episodes.len());
                let cards: Vec<_> = (start..end).map(|i| shared.cards[i].clone()).collect();
                cx.insert("episodes", array(&cards));
                cx.insert(
                    "paginator",
                    context::paginator(site, "", n, total, site.episodes.len()),
                );
                let title = if n == 1 {
                    site.config.title.clone()
                } else {
                    format!("{} — page {n}", site.config.title)
                };
                let desc = if site.config.description.is_empty() {
                    site.config.title.clone()
                } else {
                    site.config.description.clone()
                };
                cx.insert(
                    "page",
                    page_value(
                        site,
                        &path,
                        &title,
                        &desc,
                        "website",
                        context::website_jsonld(site),
                    ),
                );
                ("index.html", path)
            }
            Job::TermList(kind) => {
                let path = format!("{}/", kind.section());
                cx.insert("terms", context::term_list(site, shared, kind));
                cx.insert("kind", to_value(kind.section()));
                let title = match kind {
                    TermKind::Concept => "Concepts",
                    TermKind::Show => "Shows",
                    TermKind::Person => "People",
                };
                let desc = format!(
                    "All {} of {}, with episode counts.",
                    kind.section(),
                    site.config.title
                );
                cx.insert(
                    "page",
                    page_value(
                        site,
                        &path,
                        title,
                        &desc,
                        "website",
                        context::collection_jsonld(site, &path, title),
                    ),
                );
                (list_template(kind), path)
            }
            Job::Term(kind, i, n, total) => {
                let term = &site.terms(kind)[i];
                let base = term.path();
                let path = paginated_path(&base, n);
                let per = site.config.paginate;
                let start = (n - 1) * per;
                let end = (start + per).min(term.episodes.len());
                let cards: Vec<_> = term.episodes[start..end]
                    .iter()
                    .map(|&e| shared.cards[e].clone())
                    .collect();
                cx.insert("episodes", array(&cards));
                cx.insert(
                    "paginator",
                    context::paginator(site, &base, n, total, term.episodes.len()),
                );
                cx.insert(
                    "term",
                    context::term_value(site, shared, bodies, kind, i, n == 1),
                );
                let title = if n == 1 {
                    term.name.clone()
                } else {
                    format!("{} — page {n}", term.name)
                };
                let desc = context::term_description(site, bodies, kind, i);
                cx.insert(
                    "page",
                    page_value(
                        site,
                        &path,
                        &title,
                        &desc,
                        "website",
                        context::collection_jsonld(site, &path, &term.name),
                    ),
                );
                (term_template(kind), path)
            }
            Job::Page(i) => {
                let p = &site.pages[i];
                let path = format!("{}/", p.slug);
                cx.insert("content", to_value(&bodies.pages[i].html));
                cx.insert("toc", to_value(&bodies.pages[i].toc));
                cx.insert("extra", to_value(&p.extra));
                cx.insert(
                    "page",
                    page_value(
                        site,
                        &path,
                        &p.title,
                        &p.description,
                        "article",
                        context::webpage_jsonld(site, &path, &p.title),
                    ),
                );
                ("page.html", path)
            }
            Job::NotFound => {
                cx.insert(
                    "page",
                    page_value(
                        site,
                        "404.html",
                        "Page not found",
                        "This page does not exist.",
                        "website",
                        String::new(),
                    ),
                );
                let html = t.render("404.html", &cx, "/404.html")?;
                return Ok(vec![OutputFile::bytes("404.html", html.into_bytes())]);
            }
        };
        let shown = format!("{}{}", site.base.path, path);
        let html = t.render(template, &cx, &shown)?;
        Ok(vec![OutputFile::bytes(
            index_file(&path),
            html.into_bytes(),
        )])
    }
}

fn list_template(kind: TermKind) -> &'static str {
    match kind {
        TermKind::Concept => "concepts.html",
        TermKind::Show => "shows.html",
        TermKind::Person => "people.html",
    }
}

fn term_template(kind: TermKind) -> &'static str {
    match kind {
        TermKind::Concept => "concept.html",
        TermKind::Show => "show.html",
        TermKind::Person => "person.html",
    }
}

/// Renders a redirect page from an old path to `target` (an absolute URL).
pub fn render_alias(
    templates: &Templates,
    site: &Site,
    from: &str,
    target: &str,
) -> Result<String, Diagnostic> {
    let mut cx = PageContext::new();
    cx.insert("target", to_value(target));
    templates.render("alias.html", &cx, &format!("{}{}", site.base.path, from))
}
