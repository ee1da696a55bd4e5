//! The build pipeline: config → load → site model → markdown → render → output. `build` and
//! `check` (and later `serve`) share it; `check` stops before writing and resolves links.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{BaseUrl, Config};
use crate::error::{Diagnostic, Error, Result};
use crate::markdown::{Highlighter, highlight};
use crate::output::{self, Output, OutputFile, extras};
use crate::render::{self, Templates};
use crate::site::Site;
use crate::{linkcheck, load, theme};

/// What to build and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Site root.
    pub root: PathBuf,
    /// Output folder (default `<root>/public`).
    pub output: Option<PathBuf>,
    /// Overrides `base_url`.
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
}

/// Figures about a finished build.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Published episodes.
    pub episodes: usize,
    /// Concepts.
    pub concepts: usize,
    /// Shows.
    pub shows: usize,
    /// People.
    pub people: usize,
    /// Standalone pages.
    pub pages: usize,
    /// Files in the output.
    pub files: usize,
    /// Problems that did not stop the build (an oversized code block left unhighlighted).
    pub warnings: Vec<Diagnostic>,
    /// Wall time.
    pub elapsed: Duration,
}

/// Output files by path with the fingerprint they were made from.
type DataCache = HashMap<String, (u64, Arc<Vec<u8>>)>;

/// Work `serve` keeps between builds so a one-file edit rebuilds only what depends on it.
#[derive(Default)]
pub struct Caches {
    /// Parsed files by path, checked by modification time and size.
    pub load: load::LoadCache,
    /// Rendered bodies and pages.
    pub render: render::RenderCache,
    /// Data files (digest.json, term feeds) by path with their fingerprint.
    data: DataCache,
    /// Compiled templates.
    templates: Option<Arc<Templates>>,
    /// Related episodes, reused while no episode's concepts change.
    related: crate::site::RelatedCache,
    /// The highlighter, whose grammars load once.
    highlighter: Arc<Highlighter>,
    /// The generated highlighting stylesheet for a pair of theme names.
    stylesheet: Option<((String, String), std::result::Result<String, String>)>,
    /// The last search index.
    search: Option<Vec<OutputFile>>,
    /// When set, a build reuses the last search index instead of rebuilding it.
    pub defer_search: bool,
    /// Whether the last build reused a search index that may be out of date.
    pub search_stale: bool,
}

impl Caches {
    /// Forgets everything: after a template or config change every page may differ.
    pub fn clear(&mut self) {
        self.load.clear();
        self.render.clear();
        self.data.clear();
        self.templates = None;
        self.related = crate::site::RelatedCache::default();
        self.stylesheet = None;
        self.search = None;
        self.search_stale = false;
    }
}

/// Prints how long each stage took when `CASTDOWN_TIMINGS` is set (for profiling).
struct Timer {
    on: bool,
    last: Instant,
    cpu: u64,
}

impl Timer {
    fn new() -> Timer {
        Timer {
            on: std::env::var_os("CASTDOWN_TIMINGS").is_some(),
            last: Instant::now(),
            cpu: 0,
        }
    }

    fn stage(&mut self, name: &str) {
        if self.on {
            // Resident and peak memory so far (Linux only), to see which stage holds the most.
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |key: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim().to_string())
                    .unwrap_or_default()
            };
            // CPU time of the process (user + system, in clock ticks of 10 ms), to see how
            // well each stage uses the cores.
            let cpu = std::fs::read_to_string("/proc/self/stat")
                .ok()
                .and_then(|s| {
                    let after = s.rsplit_once(')')?.1;
                    let f: Vec<&str> = after.split_whitespace().collect();
                    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
                })
                .unwrap_or(0);
            eprintln!(
                "  {name:<14} {:>7.1} ms   cpu {:>6} ms   rss {:>10}   peak {:>10}",
                self.last.elapsed().as_secs_f64() * 1000.0,
                (cpu - self.cpu) * 10,
                field("VmRSS:"),
                field("VmHWM:"),
            );
            self.cpu = cpu;
        }
        self.last = Instant::now();
    }
}

/// Reuses a data file when its fingerprint is unchanged, else makes it.
fn cached_data(
    previous: Option<&DataCache>,
    path: String,
    fp: Option<u64>,
    make: impl FnOnce() -> Vec<u8>,
) -> (String, Option<u64>, Arc<Vec<u8>>) {
    if let (Some(fp), Some((old, bytes))) = (fp, previous.and_then(|p| p.get(&path)))
        && *old == fp
    {
        return (path, Some(fp), bytes.clone());
    }
    (path, fp, Arc::new(make()))
}

/// A built site held in memory.
pub struct Built {
    /// The model.
    pub site: Site,
    /// Every output file.
    pub output: Output,
    /// Figures.
    pub report: Report,
    /// What `serve` keeps to redo one episode alone (only for builds with [`Caches`]).
    pub memo: Option<Memo>,
}

/// The parts of a build that serve keeps besides the site model: rendered bodies, the values
/// pages share (cards, term links), templates and the highlighter.
pub struct Memo {
    bodies: render::Bodies,
    shared: render::Shared,
    templates: Arc<Templates>,
    highlighter: Arc<Highlighter>,
}

/// Redoes the output of one episode after an edit to its Markdown file `changed`, without a
/// build: the common edit while writing. Applies only when the new digest parses cleanly and
/// keeps everything the rest of the model is computed from: slug, date, show, people, the
/// concepts' names and order, draft, aliases, transcript. Then two cases:
/// - only the body changed (and its summary did not): only what shows the body can differ,
///   the episode's page, its `digest.json` and, when it is among the newest `feed_limit`,
///   the site feeds (term feeds carry summaries);
/// - its card changed too (title, summary, duration, source, media, extra, definitions):
///   also every page that shows its card ([`render::fingerprint::pages_showing`]), the term
///   feeds it is in, and `llms.txt`.
///
/// Returns those files, having updated `site` and `memo`; `None` when a build is needed
/// (`site` and `memo` may then be half-updated: the caller drops them). The search index
/// is left to the caller to refresh.
pub fn rebuild_episode(
    root: &Path,
    site: &mut Site,
    memo: &mut Memo,
    changed: &Path,
) -> Option<Vec<OutputFile>> {
    let i = site
        .episodes
        .iter()
        .position(|e| root.join(&e.digest.path) == changed)?;
    let old = site.episodes[i].digest.clone();
    let text = std::fs::read_to_string(changed).ok()?;
    let dir = changed.parent()?;
    let mut new = load::digest::parse_digest(&old.path, dir, root, &text).ok()?;
    new.source_hash = load::digest::source_hash(&text);
    // Compared through `Debug` with the allowed fields blanked: a field added to `Digest`
    // later is compared (and so takes a full build) until someone decides otherwise.
    let blank_body = |d: &load::Digest| {
        let mut d = d.clone();
        d.body = String::new();
        d.body_line = 0;
        d.source_hash = 0;
        d
    };
    let blank_card = |d: &load::Digest| {
        let mut d = blank_body(d);
        d.title = String::new();
        d.summary = String::new();
        d.duration = None;
        d.source = None;
        d.media = None;
        d.extra = serde_json::Value::Null;
        for c in &mut d.concepts {
            c.definition = None;
        }
        format!("{d:?}")
    };
    let body_only = format!("{:?}", blank_body(&new)) == format!("{:?}", blank_body(&old));
    if !body_only && blank_card(&new) != blank_card(&old) {
        return None;
    }
    let body_changed = new.body != old.body;
    site.replace_digest(i, Arc::new(new));
    if body_only && !body_changed {
        return Some(Vec::new());
    }
    if body_changed {
        render::rerender_episode_body(site, &memo.highlighter, &mut memo.bodies, i);
    }
    let pages = if body_only {
        vec![render::Job::Episode(i)]
    } else {
        memo.shared.refresh_card(site, i);
        render::fingerprint::pages_showing(site, i)
    };
    let (site, memo) = (&*site, &*memo);
    let bodies = &memo.bodies;
    // Data files and feeds alongside the pages: each is small, but together they are most
    // of this path's time.
    type Make<'a> = Box<dyn FnOnce() -> Vec<OutputFile> + Send + 'a>;
    let mut makes: Vec<Make> = vec![Box::new(move || {
        vec![OutputFile::bytes(
            site.episodes[i].data_path(),
            extras::digest_json(site, &bodies.episodes[i], i),
        )]
    })];
    if i < site.config.feed_limit {
        makes.push(Box::new(move || crate::feeds::site_feeds(site, bodies)));
    }
    if !body_only {
        for (path, episodes, make) in crate::feeds::term_feeds(site, bodies) {
            if episodes.contains(&i) {
                makes.push(Box::new(move || vec![OutputFile::bytes(path, make())]));
            }
        }
        makes.push(Box::new(move || {
            vec![OutputFile::bytes(
                "llms.txt",
                extras::llms(site).into_bytes(),
            )]
        }));
    }
    let (pages, data) = rayon::join(
        || {
            pages
                .par_iter()
                .map(|job| job.run(site, &memo.templates, bodies, &memo.shared))
                .collect::<std::result::Result<Vec<_>, _>>()
        },
        || {
            makes
                .into_par_iter()
                .flat_map_iter(|make| make())
                .collect::<Vec<_>>()
        },
    );
    // The full build reports a template error where it belongs.
    let mut files = pages.ok()?;
    files.extend(data);
    Some(files)
}

/// Loads config and content and builds every output file in memory.
pub fn build_in_memory(opts: &BuildOptions, progress: &dyn Fn(&str)) -> Result<Built> {
    build_cached(opts, progress, None)
}

/// [`build_in_memory`] reusing (and refilling) `caches`.
pub fn build_cached(
    opts: &BuildOptions,
    progress: &dyn Fn(&str),
    caches: Option<&mut Caches>,
) -> Result<Built> {
    build_impl(opts, progress, caches, None)
}

/// The build itself. With `flush`, finished files are written into that staging folder as
/// the build goes and dropped from memory (`build` holds at most one stage's output).
fn build_impl(
    opts: &BuildOptions,
    progress: &dyn Fn(&str),
    mut caches: Option<&mut Caches>,
    flush: Option<&Path>,
) -> Result<Built> {
    let start = Instant::now();
    let root = &opts.root;
    if !root.is_dir() {
        return Err(Error::Usage(format!(
            "site folder {} does not exist",
            root.display()
        )));
    }
    let mut errors: Vec<Diagnostic> = Vec::new();
    progress("loading");
    let mut timer = Timer::new();
    let config = match Config::load(root) {
        Ok(c) => Some(c),
        Err(mut e) => {
            errors.append(&mut e);
            None
        }
    };
    let base = match (&opts.base_url, config.as_ref()) {
        (Some(u), _) => match BaseUrl::parse(u) {
            Ok(b) => Some(b),
            Err(m) => return Err(Error::Usage(format!("--base-url: {m}"))),
        },
        (None, Some(c)) => match c.require_base_url() {
            Ok(b) => Some(b.clone()),
            Err(d) => {
                errors.push(d);
                None
            }
        },
        (None, None) => None,
    };
    errors.extend(linked_out_folders(root));
    let (content, mut load_errors) = match caches.as_deref_mut() {
        Some(c) => load::load_cached(root, &mut c.load),
        None => load::load(root),
    };
    errors.append(&mut load_errors);
    let (Some(config), Some(base)) = (config, base) else {
        return Err(Error::Site(errors));
    };
    // Made once per build (or kept by serve): loading the theme set costs milliseconds.
    let themes = (
        config.highlight_theme.clone(),
        config.highlight_dark_theme.clone(),
    );
    let stylesheet = match caches
        .as_deref()
        .and_then(|c| c.stylesheet.as_ref())
        .filter(|(k, _)| *k == themes)
    {
        Some((_, css)) => css.clone(),
        None => highlight::stylesheet(&themes.0, &themes.1),
    };
    if let Some(c) = caches.as_deref_mut() {
        c.stylesheet = Some((themes, stylesheet.clone()));
    }
    if let Err(m) = &stylesheet {
        errors.push(Diagnostic::new(crate::config::CONFIG_FILE, m.clone()));
    }
    if !errors.is_empty() {
        return Err(Error::Site(errors));
    }
    timer.stage("load");
    let mut site = Site::build_cached(
        config,
        base,
        root.clone(),
        content,
        opts.drafts,
        caches.as_deref_mut().map(|c| &mut c.related),
    )
    .map_err(Error::Site)?;
    timer.stage("model");
    let warnings = oversized_code_warnings(&site);
    progress("rendering");
    // Templates and the highlighter's grammars are kept by serve (a template or config change
    // clears the caches).
    let templates = match caches.as_deref().and_then(|c| c.templates.clone()) {
        Some(t) => t,
        None => {
            let site_value = render::context::site_value(&site);
            Arc::new(
                Templates::load(root, &site.config.theme, &site.base, site_value)
                    .map_err(Error::Site)?,
            )
        }
    };
    if let Some(c) = caches.as_deref_mut() {
        c.templates = Some(templates.clone());
    }
    let highlighter = match caches.as_deref() {
        Some(c) => c.highlighter.clone(),
        None => Arc::new(Highlighter::with_max_bytes(site.config.highlight_max_bytes)),
    };
    let mut out = Output::default();
    let writer = flush.map(crate::output::Writer::start);
    let shared = render::Shared::new(&site);
    // A build renders each episode's body together with the files made from it alone, a
    // batch at a time, so writing starts while bodies are still being rendered; serve
    // renders every body first, to look bodies and pages up in its caches by fingerprint.
    let streamed = caches.is_none();
    let mut template_errors = Vec::new();
    let (bodies, fps) = match caches.as_deref_mut() {
        None => {
            let mut bodies = render::render_other_bodies(&site, &highlighter);
            timer.stage("markdown");
            bodies.episodes = episode_files(
                &site,
                (&templates, &highlighter, &bodies, &shared),
                writer.as_ref(),
                &mut out,
                &mut errors,
                &mut template_errors,
            );
            // Nothing after this reads a digest's Markdown (serve keeps it to compare edits):
            // about a fifth of a build's peak memory.
            site.release_bodies();
            timer.stage("episodes");
            (bodies, None)
        }
        Some(c) => {
            let bodies = render::render_bodies(&site, highlighter.as_ref(), &mut c.render);
            let fps = render::fingerprint::Fingerprints::new(&site, &bodies);
            timer.stage("markdown");
            (bodies, Some(fps))
        }
    };
    let render_errors = render::render_pages(
        &site,
        &templates,
        &bodies,
        &shared,
        !streamed,
        caches
            .as_deref_mut()
            .map(|c| &mut c.render)
            .zip(fps.as_ref()),
        &mut |pages| {
            for f in pages {
                push(&mut out, f, "a page", &mut errors);
            }
            if let Some(w) = &writer {
                out.flush(w);
            }
        },
    );
    for d in render_errors {
        render::note_error(&mut template_errors, d);
    }
    errors.append(&mut template_errors);
    // Only serve keeps the cards; a build frees them before the data files and search.
    let shared = caches.is_some().then_some(shared);
    timer.stage("pages");
    // The site feeds are the last files to show episode HTML: a build frees it after them,
    // before the search index (the build's peak) is made.
    for f in crate::feeds::site_feeds(&site, &bodies) {
        push(&mut out, f, "feeds", &mut errors);
    }
    let mut bodies = bodies;
    if streamed {
        bodies.release_episode_html();
    }
    // serve may reuse the previous index for a quick first publish, then refresh it.
    let reuse_search = caches
        .as_deref()
        .filter(|c| c.defer_search)
        .and_then(|c| c.search.clone());
    // The data files, aliases and the search index side by side: writing data files is
    // disk-bound (a file per episode, on the writing thread) and the index is CPU-bound, so
    // one overlaps the other.
    let (data, search) = rayon::join(
        || {
            let previous = caches.as_deref().map(|c| &c.data);
            let data = data_files(
                &site,
                &bodies,
                fps.as_ref(),
                previous,
                writer.as_ref(),
                &mut out,
                &mut errors,
            );
            redirects(&site, &templates, &mut out, &mut errors);
            if let Some(w) = &writer {
                out.flush(w);
            }
            data
        },
        || {
            site.config
                .search
                .then(|| reuse_search.unwrap_or_else(|| crate::search::index(&site, &bodies)))
        },
    );
    if let Some(c) = caches.as_deref_mut() {
        c.data = data;
    }
    if let Some(files) = search {
        if let Some(c) = &mut caches {
            c.search_stale = c.defer_search && c.search.is_some();
            c.search = Some(files.clone());
        }
        for f in files {
            push(&mut out, f, "search index", &mut errors);
        }
    }
    // The index (a tenth of the output) is written while the last small files are made.
    if let Some(w) = &writer {
        out.flush(w);
    }
    timer.stage("data+search");
    for e in &site.episodes {
        if let (Some(path), Some(src)) = (e.transcript_file_path(), e.digest.transcript.as_ref()) {
            out.add_static(path, src.clone(), "transcript");
        }
    }
    if let Ok(css) = stylesheet {
        push(
            &mut out,
            OutputFile::bytes("syntax.css", css.into_bytes()),
            "highlight theme",
            &mut errors,
        );
    }
    push(
        &mut out,
        OutputFile::bytes("robots.txt", extras::robots(&site).into_bytes()),
        "robots.txt",
        &mut errors,
    );
    push(
        &mut out,
        OutputFile::bytes("llms.txt", extras::llms(&site).into_bytes()),
        "llms.txt",
        &mut errors,
    );
    let html_paths: Vec<String> = out
        .iter()
        .filter(|(p, _)| p.ends_with(".html") && !out.is_redirect(p))
        .map(|(p, _)| p.clone())
        .collect();
    push(
        &mut out,
        OutputFile::bytes(
            "sitemap.xml",
            extras::sitemap(&site, &html_paths).into_bytes(),
        ),
        "sitemap",
        &mut errors,
    );
    // Static files: the theme's first, then the site's, each yielding to generated files and
    // the site's replacing the theme's.
    add_static(&mut out, root, &site.config.theme, &mut errors);
    errors.extend(unwritable_paths(&site, &out));
    timer.stage("rest");
    if !errors.is_empty() {
        return Err(Error::Site(errors));
    }
    if let Some(w) = writer {
        w.finish()?;
    }
    timer.stage("writing");
    // serve keeps what a one-episode edit needs; `build` drops it here.
    let memo = shared.map(|shared| Memo {
        bodies,
        shared,
        templates,
        highlighter,
    });
    let report = Report {
        episodes: site.episodes.len(),
        concepts: site.concepts.len(),
        shows: site.shows.len(),
        people: site.people.len(),
        pages: site.pages.len(),
        files: out.len(),
        warnings,
        elapsed: start.elapsed(),
    };
    Ok(Built {
        site,
        output: out,
        report,
        memo,
    })
}

/// Renders every episode's body and the files made from it alone (its page, its
/// transcript's page and its `digest.json`), a batch at a time, each batch handed to
/// `writer` before the next is rendered. Returns the bodies, keeping their HTML only for the
/// newest `feed_limit` episodes: the site feeds are the only later reader. Template errors
/// go to `template_errors`, one per place; other problems to `errors`.
fn episode_files(
    site: &Site,
    (templates, highlighter, others, shared): (
        &Templates,
        &Highlighter,
        &render::Bodies,
        &render::Shared,
    ),
    writer: Option<&output::Writer>,
    out: &mut Output,
    errors: &mut Vec<Diagnostic>,
    template_errors: &mut Vec<Diagnostic>,
) -> Vec<Arc<crate::markdown::Rendered>> {
    let episodes = site.episodes.len();
    let mut bodies = Vec::with_capacity(episodes);
    for start in (0..episodes).step_by(render::PAGE_BATCH) {
        let batch: Vec<_> = (start..(start + render::PAGE_BATCH).min(episodes))
            .into_par_iter()
            .map(|i| {
                let mut body = render::render_episode_body(site, highlighter, i);
                let pages = render::episode_pages(site, templates, others, shared, i, &body);
                let data = OutputFile::bytes(
                    site.episodes[i].data_path(),
                    extras::digest_json(site, &body, i),
                );
                if i >= site.config.feed_limit {
                    body.html = String::new();
                }
                (body, pages, data)
            })
            .collect();
        for (body, pages, data) in batch {
            bodies.push(Arc::new(body));
            for page in pages {
                match page {
                    Ok(f) => push(out, f, "a page", errors),
                    Err(d) => render::note_error(template_errors, d),
                }
            }
            push(out, data, "data", errors);
        }
        if let Some(w) = writer {
            out.flush(w);
        }
    }
    bodies
}

/// Every term's feed and, for serve (which builds with fingerprints `fps`), every episode's
/// `digest.json` (a build makes those with the episode pages), in batches each handed to
/// `writer` before the next is made (all digest.json files at once would hold ~9 KB per
/// episode). Returns them by path with their fingerprints, for serve to reuse.
fn data_files(
    site: &Site,
    bodies: &render::Bodies,
    fps: Option<&render::fingerprint::Fingerprints>,
    previous: Option<&DataCache>,
    writer: Option<&output::Writer>,
    out: &mut Output,
    errors: &mut Vec<Diagnostic>,
) -> DataCache {
    let mut new_data = HashMap::new();
    let mut take = |batch: Vec<(String, Option<u64>, Arc<Vec<u8>>)>,
                    out: &mut Output,
                    errors: &mut Vec<Diagnostic>| {
        for (path, fp, bytes) in batch {
            if let Some(fp) = fp {
                new_data.insert(path.clone(), (fp, bytes.clone()));
            }
            push(out, OutputFile::shared(path, bytes), "data", errors);
        }
        if let Some(w) = writer {
            out.flush(w);
        }
    };
    let episodes = if fps.is_some() {
        site.episodes.len()
    } else {
        0
    };
    for start in (0..episodes).step_by(render::PAGE_BATCH) {
        let batch = (start..(start + render::PAGE_BATCH).min(episodes))
            .into_par_iter()
            .map(|i| {
                let path = site.episodes[i].data_path();
                cached_data(previous, path, fps.map(|f| f.episodes[i]), || {
                    extras::digest_json(site, &bodies.episodes[i], i)
                })
            })
            .collect();
        take(batch, out, errors);
    }
    let mut term_feeds = crate::feeds::term_feeds(site, bodies)
        .into_iter()
        .peekable();
    while term_feeds.peek().is_some() {
        let chunk: Vec<_> = term_feeds.by_ref().take(render::PAGE_BATCH).collect();
        let batch = chunk
            .into_par_iter()
            .map(|(path, episodes, make)| {
                let fp = fps.map(|f| {
                    let mut c = crate::hash::Combine::new("term-feed");
                    c.add(&path);
                    for &e in &episodes {
                        c.add(&f.episodes[e]);
                    }
                    c.finish()
                });
                cached_data(previous, path, fp, make)
            })
            .collect();
        take(batch, out, errors);
    }
    new_data
}

/// The redirect from `/page/1/` and every alias's redirect page.
fn redirects(site: &Site, templates: &Templates, out: &mut Output, errors: &mut Vec<Diagnostic>) {
    let home_pages = render::page_count(site.episodes.len(), site.config.paginate);
    if home_pages > 1 || !site.episodes.is_empty() {
        // `/page/1/` is the home page; like Zola, redirect it there.
        match render::render_alias(templates, site, "page/1/", &site.base.url) {
            Ok(html) => push(
                out,
                OutputFile::bytes("page/1/index.html", html),
                "pagination",
                errors,
            ),
            Err(d) => errors.push(d),
        }
    }
    let mut aliases: Vec<(String, String, PathBuf)> = Vec::new();
    for e in &site.episodes {
        for a in &e.digest.aliases {
            aliases.push((
                a.clone(),
                site.base.absolute(&e.path),
                e.digest.path.clone(),
            ));
        }
    }
    for p in &site.pages {
        for a in &p.aliases {
            aliases.push((
                a.clone(),
                site.base.absolute(&format!("{}/", p.slug)),
                p.path.clone(),
            ));
        }
    }
    for (from, to, origin) in aliases {
        let file = if from.ends_with('/') {
            format!("{from}index.html")
        } else {
            from.clone()
        };
        match render::render_alias(templates, site, &from, &to) {
            Ok(html) => {
                if let Err(d) =
                    out.add(OutputFile::bytes(file, html), &origin.display().to_string())
                {
                    let pos = digest_at(site, &origin).map_or((0, 0), |d| d.key_pos.aliases);
                    errors.push(
                        Diagnostic::new(origin, format!("alias `/{from}`: {}", d.message))
                            .at_position(pos.0, pos.1)
                            .hint("an alias may not replace a page the site produces"),
                    );
                }
            }
            Err(d) => errors.push(d),
        }
    }
}

/// The published digest read from `path` (relative to the site root), to locate a problem
/// in it. A linear search: it runs only for errors.
fn digest_at<'s>(site: &'s Site, path: &Path) -> Option<&'s load::Digest> {
    site.episodes
        .iter()
        .map(|e| e.digest.as_ref())
        .find(|d| d.path == path)
}

/// Located errors for output paths that cannot be written (see [`Output::unwritable`]),
/// found before the build is swapped in: an alias on a generated file, a segment too long.
fn unwritable_paths(site: &Site, out: &Output) -> Vec<Diagnostic> {
    out.unwritable()
        .into_iter()
        .map(|(file, path)| {
            let origin = out.origin(&path).unwrap_or("the site").to_string();
            let digest = digest_at(site, Path::new(&origin));
            let (message, pos) = if file == path {
                (
                    format!(
                        "output path `/{path}` has a segment over {} bytes",
                        crate::names::MAX_SEGMENT_BYTES
                    ),
                    digest.map(|d| d.key_pos.slug),
                )
            } else {
                (
                    format!("`/{path}` would need `/{file}` to be a folder, but the site generates a file there"),
                    digest.map(|d| d.key_pos.aliases),
                )
            };
            let d = Diagnostic::new(origin, message)
                .hint("change the alias or slug so it does not fall on a generated file");
            match pos {
                Some((l, c)) => d.at_position(l, c),
                None => d,
            }
        })
        .collect()
}

/// A warning for every code block too large to highlight, naming the digest and line.
fn oversized_code_warnings(site: &Site) -> Vec<Diagnostic> {
    let max = site.config.highlight_max_bytes;
    let mut out = Vec::new();
    // Only a body larger than the limit can hold such a block: the parse runs on those alone.
    for e in site.episodes.iter().filter(|e| e.digest.body.len() > max) {
        let d = &e.digest;
        for (line, len) in crate::markdown::oversized_code_blocks(&d.body, max) {
            out.push(
                Diagnostic::new(
                    &d.path,
                    format!("code block of {len} bytes is left unhighlighted (over {max} bytes)"),
                )
                .at_position(d.body_line + line - 1, 1)
                .hint("raise `highlight.max_bytes` in castdown.yaml to highlight it anyway")
                .warning(),
            );
        }
    }
    out
}

fn push(out: &mut Output, f: OutputFile, origin: &str, errors: &mut Vec<Diagnostic>) {
    if let Err(d) = out.add(f, origin) {
        errors.push(d);
    }
}

/// The site's folders that may not be symbolic links leading out of the site (a build would
/// read, and serve would serve, whatever they point at).
const CONFINED: [&str; 4] = ["content", "static", "templates", "themes"];

/// Errors for site folders that are links out of the site.
fn linked_out_folders(root: &Path) -> Vec<Diagnostic> {
    let Ok(root_real) = root.canonicalize() else {
        return Vec::new();
    };
    CONFINED
        .iter()
        .filter(|dir| root.join(dir).is_symlink())
        .filter_map(|dir| {
            let real = root.join(dir).canonicalize().ok()?;
            (!real.starts_with(&root_real)).then(|| {
                Diagnostic::new(
                    format!("{dir}/"),
                    format!(
                        "`{dir}/` is a symbolic link to {}, outside the site",
                        real.display()
                    ),
                )
                .hint("move the folder into the site, or link only to folders inside it")
            })
        })
        .collect()
}

fn add_static(out: &mut Output, root: &Path, theme_name: &str, errors: &mut Vec<Diagnostic>) {
    let site_static = root.join("static");
    let mut site_files: Vec<(String, PathBuf)> = Vec::new();
    if site_static.is_dir() {
        for e in WalkDir::new(&site_static)
            .sort_by_file_name()
            .into_iter()
            .filter_map(|e| e.ok())
        {
            if e.file_type().is_file() && e.path().to_str().is_none() {
                // Two such names would become the same URL once made readable.
                errors.push(
                    Diagnostic::new(e.path(), "static file name is not valid UTF-8")
                        .relative_to(root)
                        .hint("rename the file: URLs are UTF-8"),
                );
                continue;
            }
            if e.file_type().is_file()
                && let Ok(rel) = e.path().strip_prefix(&site_static)
            {
                site_files.push((
                    rel.to_string_lossy().replace('\\', "/"),
                    e.path().to_path_buf(),
                ));
            }
        }
    }
    for (rel, path) in &site_files {
        out.add_static(rel.clone(), path.clone(), "static/");
    }
    let theme_static = root.join("themes").join(theme_name).join("static");
    if theme_static.is_dir() {
        for e in WalkDir::new(&theme_static)
            .sort_by_file_name()
            .into_iter()
            .filter_map(|e| e.ok())
        {
            if e.file_type().is_file()
                && let Ok(rel) = e.path().strip_prefix(&theme_static)
            {
                out.add_static(
                    rel.to_string_lossy().replace('\\', "/"),
                    e.path().to_path_buf(),
                    "theme static/",
                );
            }
        }
    } else if theme_name == theme::DEFAULT_NAME {
        for (rel, bytes) in theme::static_files() {
            if !out.contains(rel) {
                let _ = out.add(OutputFile::bytes(rel, bytes.to_vec()), "built-in theme");
            }
        }
    }
}

/// The output folder for these options.
pub fn output_dir(opts: &BuildOptions) -> PathBuf {
    opts.output
        .clone()
        .unwrap_or_else(|| opts.root.join("public"))
}

/// Builds and writes the site atomically.
pub fn build(opts: &BuildOptions, progress: &dyn Fn(&str)) -> Result<Report> {
    build_keeping(opts, progress).map(|(report, _)| report)
}

/// [`build`], handing back the site instead of dropping it, for a caller about to exit: the
/// operating system takes back a process's memory at once, where dropping a 10,000-episode
/// site walks and frees millions of values one by one.
pub fn build_keeping(opts: &BuildOptions, progress: &dyn Fn(&str)) -> Result<(Report, Built)> {
    let start = Instant::now();
    let out_dir = output_dir(opts);
    output::check_output_dir(&opts.root, &out_dir)?;
    if !opts.root.is_dir() {
        return Err(Error::Usage(format!(
            "site folder {} does not exist",
            opts.root.display()
        )));
    }
    // Files are written into the staging folder as the build goes; it replaces the output
    // only when everything succeeded, and is removed otherwise.
    let staging = output::prepare_staging(&out_dir)?;
    let built = match build_impl(opts, progress, None, Some(&staging.dir)) {
        Ok(b) => b,
        Err(e) => {
            staging.discard();
            return Err(e);
        }
    };
    progress("writing");
    let write_start = Instant::now();
    output::write_atomic_from(&built.output, staging)?;
    if std::env::var_os("CASTDOWN_TIMINGS").is_some() {
        eprintln!(
            "  {:<14} {:>7.1} ms",
            "write",
            write_start.elapsed().as_secs_f64() * 1000.0
        );
    }
    let mut report = built.report.clone();
    report.elapsed = start.elapsed();
    Ok((report, built))
}

/// Builds in memory and resolves every internal link and anchor; writes nothing.
pub fn check(opts: &BuildOptions, progress: &dyn Fn(&str)) -> Result<Report> {
    let built = build_in_memory(opts, progress)?;
    progress("checking links");
    let errors = linkcheck::check(&built.site, &built.output);
    if !errors.is_empty() {
        return Err(Error::Site(errors));
    }
    Ok(built.report)
}
