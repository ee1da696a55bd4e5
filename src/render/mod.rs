//! Render: turns the site model into HTML pages through the theme (SPEC §6). Markdown bodies
//! are rendered here, in parallel, because Key Concepts links need the final concept slugs.
//! Values shared by many pages (episode cards, term links) are built once and cloned cheaply.

pub mod context;
pub mod fingerprint;
pub mod tera;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

pub use self::tera::Templates;
use self::tera::{PageContext, array, to_value};
use crate::error::Diagnostic;
use crate::markdown::{self, Highlighter, RenderContext};
use crate::output::{self, OutputFile};
use crate::site::{Site, TermKind};
pub use context::Shared;
use context::page_value;

/// Rendered bodies of every episode, in `Site::episodes` order; other stages (feeds, search,
/// digest.json) reuse them.
pub struct Bodies {
    /// One per episode.
    pub episodes: Vec<Arc<markdown::Rendered>>,
    /// What each episode body was rendered from (its cache key and fingerprint). Empty in a
    /// build: only `serve` reads them.
    pub episode_keys: Vec<u64>,
    /// One per standalone page.
    pub pages: Vec<markdown::Rendered>,
    /// Curated descriptions per kind, by term index.
    pub curated: BTreeMap<(TermKind, usize), markdown::Rendered>,
}

impl Bodies {
    /// Drops the HTML of every episode body not shared with a cache, keeping the section text
    /// (search and `digest.json` read that): `build` needs no HTML once pages and feeds exist.
    pub fn release_episode_html(&mut self) {
        for body in &mut self.episodes {
            if let Some(b) = Arc::get_mut(body) {
                b.html = String::new();
            }
        }
    }
}

/// Work kept between builds by `serve`: rendered bodies by input, and pages by fingerprint.
/// Cleared whenever templates or the config change.
#[derive(Default)]
pub struct RenderCache {
    bodies: HashMap<u64, Arc<markdown::Rendered>>,
    pages: HashMap<String, (u64, Arc<Vec<u8>>)>,
}

impl RenderCache {
    /// Forgets everything.
    pub fn clear(&mut self) {
        self.bodies.clear();
        self.pages.clear();
    }
}

/// What an episode body renders from: its text and the URLs its Key Concepts terms link to.
fn body_key(site: &Site, i: usize, all_concepts: u64) -> u64 {
    let d = &site.episodes[i].digest;
    let mut c = crate::hash::Combine::new("body");
    c.add(&d.body);
    if d.key_concepts_in_body {
        if d.concepts_in_front_matter {
            // The body list may name concepts the front matter does not: depend on them all.
            c.add(&all_concepts);
        } else {
            for concept in &d.concepts {
                c.add(&site.concept_by_name(&concept.name).map(|t| t.slug.as_str()));
            }
        }
    }
    c.finish()
}

/// Calls `f` with the Markdown context of this site: its options and concept links.
fn with_context<R>(
    site: &Site,
    highlighter: &Highlighter,
    f: impl FnOnce(&RenderContext) -> R,
) -> R {
    let lookup = |term: &str| {
        site.concept_by_name(term)
            .map(|t| site.base.link(&t.path()))
    };
    f(&RenderContext {
        options: site.config.markdown,
        highlighter,
        base_path: &site.base.path,
        concept_url: &lookup,
    })
}

/// What every body linking Key Concepts depends on: each concept's key and slug.
fn all_concepts_key(site: &Site) -> u64 {
    let mut c = crate::hash::Combine::new("concepts");
    for t in &site.concepts {
        c.add(&t.key).add(&t.slug);
    }
    c.finish()
}

/// Renders episode `i`'s body again after its text changed (serve's one-episode edit), and
/// records it in `bodies`.
pub fn rerender_episode_body(
    site: &Site,
    highlighter: &Highlighter,
    bodies: &mut Bodies,
    i: usize,
) {
    let rendered = render_episode_body(site, highlighter, i);
    if let (Some(slot), Some(key)) = (bodies.episodes.get_mut(i), bodies.episode_keys.get_mut(i)) {
        *slot = Arc::new(rendered);
        *key = body_key(site, i, all_concepts_key(site));
    }
}

/// Renders episode `i`'s body.
pub fn render_episode_body(site: &Site, highlighter: &Highlighter, i: usize) -> markdown::Rendered {
    with_context(site, highlighter, |cx| {
        markdown::render(&site.episodes[i].digest.body, cx)
    })
}

/// Renders the bodies of standalone pages and curated term descriptions, leaving
/// `episodes` empty for the caller to fill (a build renders episode bodies one batch at a
/// time, each with its pages).
pub fn render_other_bodies(site: &Site, highlighter: &Highlighter) -> Bodies {
    with_context(site, highlighter, |cx| {
        let (pages, curated) = other_bodies(site, cx);
        Bodies {
            episodes: Vec::new(),
            episode_keys: Vec::new(),
            pages,
            curated,
        }
    })
}

/// Renders every Markdown body of the site, reusing the bodies in `cache` whose key is
/// unchanged (serve; a build renders episode bodies with their pages instead).
pub fn render_bodies(site: &Site, highlighter: &Highlighter, cache: &mut RenderCache) -> Bodies {
    with_context(site, highlighter, |cx| render_bodies_with(site, cx, cache))
}

fn render_bodies_with(site: &Site, cx: &RenderContext, cache: &mut RenderCache) -> Bodies {
    let all_concepts = all_concepts_key(site);
    let episode_keys: Vec<u64> = (0..site.episodes.len())
        .into_par_iter()
        .map(|i| body_key(site, i, all_concepts))
        .collect();
    let previous = &cache.bodies;
    let episodes: Vec<Arc<markdown::Rendered>> = site
        .episodes
        .par_iter()
        .zip(episode_keys.par_iter())
        .map(|(e, key)| match previous.get(key) {
            Some(r) => r.clone(),
            None => Arc::new(markdown::render(&e.digest.body, cx)),
        })
        .collect();
    cache.bodies = episode_keys
        .iter()
        .copied()
        .zip(episodes.iter().cloned())
        .collect();
    let (pages, curated) = other_bodies(site, cx);
    Bodies {
        episodes,
        episode_keys,
        pages,
        curated,
    }
}

/// Curated term descriptions by kind and term index.
type Curated = BTreeMap<(TermKind, usize), markdown::Rendered>;

/// The bodies of standalone pages and curated term descriptions.
fn other_bodies(site: &Site, cx: &RenderContext) -> (Vec<markdown::Rendered>, Curated) {
    let pages = site
        .pages
        .par_iter()
        .map(|p| markdown::render(&p.body, cx))
        .collect();
    let mut curated = BTreeMap::new();
    for kind in [TermKind::Concept, TermKind::Show, TermKind::Person] {
        for (i, t) in site.terms(kind).iter().enumerate() {
            if let Some(c) = &t.curated {
                curated.insert((kind, i), markdown::render(&c.body, cx));
            }
        }
    }
    (pages, curated)
}

/// Page `n` (1-based) of a paginated list rooted at `base` (`""` or `concepts/x/`).
pub fn paginated_path(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// How many pages a list of `items` takes at `per` a page (an empty list still has one).
pub fn page_count(items: usize, per: usize) -> usize {
    items.div_ceil(per.max(1)).max(1)
}

/// The file a page path is written to: `a/b/` → `a/b/index.html`.
pub fn index_file(path: &str) -> String {
    format!("{path}index.html")
}

/// Pages rendered between two hand-offs to the sink. A build writes one batch while it
/// renders the next; 512 pages (about 15 MB at 10k) keep the two within what one batch of
/// 1,024 used to hold.
pub const PAGE_BATCH: usize = 512;

/// The pages made from episode `i` and its rendered `body` alone: its page and its
/// transcript's page, if it has one. `bodies` gives the other bodies (its `episodes` may be
/// empty).
pub fn episode_pages(
    site: &Site,
    templates: &Templates,
    bodies: &Bodies,
    shared: &Shared,
    i: usize,
    body: &markdown::Rendered,
) -> Vec<Result<OutputFile, Diagnostic>> {
    let mut pages = vec![Job::Episode(i).render(site, templates, bodies, Some(body), shared)];
    if site.episodes[i].digest.transcript_data.is_some() {
        pages.push(Job::Transcript(i).run(site, templates, bodies, shared));
    }
    pages
}

/// Adds a template error to `errors` unless that place is reported already: one broken
/// template breaks many pages.
pub fn note_error(errors: &mut Vec<Diagnostic>, d: Diagnostic) {
    if !errors
        .iter()
        .any(|e| e.path == d.path && e.line == d.line && e.column == d.column)
    {
        errors.push(d);
    }
}

/// Renders every HTML page (without the episode and transcript pages unless
/// `with_episodes`: see [`episode_pages`]), handing them to `sink` in batches; with a cache,
/// pages whose fingerprint is unchanged are reused. Returns the template errors.
pub fn render_pages(
    site: &Site,
    templates: &Templates,
    bodies: &Bodies,
    shared: &Shared,
    with_episodes: bool,
    cache: Option<(&mut RenderCache, &fingerprint::Fingerprints)>,
    sink: &mut dyn FnMut(Vec<OutputFile>),
) -> Vec<Diagnostic> {
    let (cache, fps) = match cache {
        Some((c, f)) => (Some(c), Some(f)),
        None => (None, None),
    };
    let mut jobs: Vec<Job> = Vec::new();
    for (i, e) in site.episodes.iter().enumerate().filter(|_| with_episodes) {
        jobs.push(Job::Episode(i));
        if e.digest.transcript_data.is_some() {
            jobs.push(Job::Transcript(i));
        }
    }
    let per = site.config.paginate;
    let home_pages = page_count(site.episodes.len(), per);
    for n in 1..=home_pages {
        jobs.push(Job::Home(n, home_pages));
    }
    for kind in [TermKind::Concept, TermKind::Show, TermKind::Person] {
        jobs.push(Job::TermList(kind));
        for (i, t) in site.terms(kind).iter().enumerate() {
            let pages = page_count(t.episodes.len(), per);
            for n in 1..=pages {
                jobs.push(Job::Term(kind, i, n, pages));
            }
        }
    }
    for i in 0..site.pages.len() {
        jobs.push(Job::Page(i));
    }
    if site.config.search {
        jobs.push(Job::Search);
    }
    jobs.push(Job::NotFound);
    let previous = cache.as_ref().map(|c| &c.pages);
    // In batches, so a build can write each batch out before rendering the next.
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut fingerprints = HashMap::new();
    for batch in jobs.chunks(PAGE_BATCH) {
        let results: Vec<Result<(OutputFile, u64), Diagnostic>> = batch
            .par_iter()
            .map(|job| {
                let fp = fps.map(|f| f.of(site, job)).unwrap_or(0);
                // Only serve has a previous build to reuse; build renders every page.
                if let Some(previous) = previous {
                    let file = job.file(site);
                    if let Some((old, bytes)) = previous.get(&file)
                        && *old == fp
                    {
                        return Ok((OutputFile::shared(file, bytes.clone()), fp));
                    }
                }
                job.run(site, templates, bodies, shared).map(|f| (f, fp))
            })
            .collect();
        let mut files = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok((f, fp)) => {
                    if fps.is_some()
                        && let output::Body::Bytes(b) = &f.body
                    {
                        fingerprints.insert(f.path.clone(), (fp, b.clone()));
                    }
                    files.push(f);
                }
                Err(d) => note_error(&mut errors, d),
            }
        }
        sink(files);
    }
    if let Some(c) = cache {
        c.pages = if errors.is_empty() {
            fingerprints
        } else {
            HashMap::new()
        };
    }
    errors
}

/// One page to render.
pub enum Job {
    Episode(usize),
    Transcript(usize),
    Home(usize, usize),
    TermList(TermKind),
    Term(TermKind, usize, usize, usize),
    Page(usize),
    Search,
    NotFound,
}

impl Job {
    /// The output file this job writes.
    fn file(&self, site: &Site) -> String {
        match *self {
            Job::Episode(i) => index_file(&site.episodes[i].path),
            Job::Transcript(i) => {
                index_file(&site.episodes[i].transcript_page_path().unwrap_or_default())
            }
            Job::Home(n, _) => index_file(&paginated_path("", n)),
            Job::TermList(kind) => index_file(&format!("{}/", kind.section())),
            Job::Term(kind, i, n, _) => index_file(&paginated_path(&site.terms(kind)[i].path(), n)),
            Job::Page(i) => index_file(&format!("{}/", site.pages[i].slug)),
            Job::Search => index_file("search/"),
            Job::NotFound => "404.html".into(),
        }
    }

    /// Renders this page.
    pub fn run(
        &self,
        site: &Site,
        t: &Templates,
        bodies: &Bodies,
        shared: &Shared,
    ) -> Result<OutputFile, Diagnostic> {
        self.render(site, t, bodies, None, shared)
    }

    /// Renders this page; an episode's page with `episode_body` when given, else with its
    /// body in `bodies`.
    fn render(
        &self,
        site: &Site,
        t: &Templates,
        bodies: &Bodies,
        episode_body: Option<&markdown::Rendered>,
        shared: &Shared,
    ) -> Result<OutputFile, Diagnostic> {
        let mut cx = PageContext::new();
        let (template, path) = match *self {
            Job::Episode(i) => {
                let e = &site.episodes[i];
                let Some(body) = episode_body.or_else(|| bodies.episodes.get(i).map(|b| &**b))
                else {
                    return Err(Diagnostic::new(
                        &e.digest.path,
                        "internal error: the episode's body was not rendered",
                    ));
                };
                cx.insert("episode", context::episode_value(site, shared, body, i));
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
                let path = e.transcript_page_path().unwrap_or_default();
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
                    context::term_value(
                        site,
                        shared,
                        bodies,
                        kind,
                        i,
                        &term.episodes[start..end],
                        n == 1,
                    ),
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
            Job::Search => {
                let path = "search/".to_string();
                let desc = format!("Search the episodes of {}.", site.config.title);
                cx.insert(
                    "page",
                    page_value(
                        site,
                        &path,
                        "Search",
                        &desc,
                        "website",
                        context::webpage_jsonld(site, &path, "Search"),
                    ),
                );
                ("search.html", path)
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
                return Ok(OutputFile::bytes("404.html", html));
            }
        };
        let shown = format!("{}{}", site.base.path, path);
        let html = t.render(template, &cx, &shown)?;
        Ok(OutputFile::bytes(index_file(&path), html))
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
) -> Result<Vec<u8>, Diagnostic> {
    let mut cx = PageContext::new();
    cx.insert("target", to_value(target));
    templates.render("alias.html", &cx, &format!("{}{}", site.base.path, from))
}
