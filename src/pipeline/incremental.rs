//! The build order of `serve`: everything in memory, reusing what the last build made.
//! Parsed files are reused by modification time, bodies by what they render from, pages by
//! the fingerprint of the values their template receives (see `render`), data files by the
//! hash of what they are made from. The result is byte for byte a clean build's (the tests
//! in `tests/incremental.rs` check it after every kind of edit). See
//! `docs/architecture.md`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::reach::{self, Reach};
use super::stages::{self, Made, push};
use super::timer::Timer;
use super::{BuildOptions, Built, Report};
use crate::bodies::{self, Bodies, BodyCache};
use crate::error::{Error, Result};
use crate::hash::Combine;
use crate::markdown::{Highlighter, highlight};
use crate::output::{Output, OutputFile};
use crate::render::{self, Inputs, PageCache, Shared, Templates, pages};
use crate::site::{RelatedCache, Site, TermKind};
use crate::{feeds, load, search};

/// What to do about the search index, the slowest part of a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Make it anew.
    Rebuild,
    /// Reuse the last build's index when there is one (it may be out of date: the caller
    /// refreshes it once edits pause).
    ReuseLast,
}

/// Work `serve` keeps between builds so a one-file edit rebuilds only what depends on it.
#[derive(Default)]
pub struct Caches {
    /// Parsed files by path, checked by modification time and size.
    load: load::LoadCache,
    /// Rendered episode bodies by what they render from.
    bodies: BodyCache,
    /// Pages by fingerprint.
    pages: PageCache,
    /// Data files (digest.json, term feeds) by path with the hash of their inputs.
    data: HashMap<String, (u64, Arc<Vec<u8>>)>,
    /// Compiled templates.
    templates: Option<Arc<Templates>>,
    /// Related episodes, reused while no episode's concepts change.
    related: RelatedCache,
    /// The highlighter, whose grammars load once.
    highlighter: Arc<Highlighter>,
    /// The generated highlighting stylesheet for a pair of theme names.
    stylesheet: Option<((String, String), std::result::Result<String, String>)>,
    /// The last search index.
    search: Option<Vec<OutputFile>>,
    /// What the caches were filled under: the config file's bytes and the options.
    config: Option<u64>,
    /// The words pages were rendered in (`Words::fingerprint`).
    words: Option<String>,
    /// What the last build's pages (`pages`) were made from, for what the next build's
    /// changes reach: the pages they do not reach are kept without being declared.
    last: Option<reach::Last>,
}

impl Caches {
    /// Forgets everything: after a template or config change every page may differ.
    pub fn clear(&mut self) {
        let highlighter = self.highlighter.clone();
        *self = Caches {
            highlighter,
            ..Caches::default()
        };
    }
}

/// What a one-episode edit needs from the last build besides the model: rendered bodies,
/// the values pages share, templates and the highlighter.
pub struct Memo {
    pub(super) bodies: Bodies,
    pub(super) shared: Shared,
    pub(super) templates: Arc<Templates>,
    pub(super) highlighter: Arc<Highlighter>,
}

/// A build made by [`build`].
pub struct Incremental {
    /// The site, its files and figures.
    pub built: Built,
    /// What [`super::rebuild_episode`] needs.
    pub memo: Memo,
    /// Whether the search index was reused and may be out of date.
    pub search_stale: bool,
    /// How many digests changed, when the changes since the last build reached only the
    /// pages that show them (`None`: every page was declared).
    pub reached: Option<usize>,
}

/// What every cached thing depends on: the config file and the build options. The
/// templates receive the config as the global `site`, which no page fingerprint holds.
pub(super) fn config_key(opts: &BuildOptions) -> u64 {
    let file = std::fs::read(opts.config_file()).unwrap_or_default();
    Combine::new("config")
        .add(&file)
        .add(&opts.base_url)
        .add(&opts.drafts)
        .add(&opts.future)
        .finish()
}

/// Builds the site in memory, reusing and refilling `caches` (all of which a change to
/// the config file or the options clears).
pub fn build(opts: &BuildOptions, caches: &mut Caches, search: Search) -> Result<Incremental> {
    let start = Instant::now();
    let mut timer = Timer::new();
    let config = config_key(opts);
    if caches.config != Some(config) {
        caches.clear();
        caches.config = Some(config);
    }
    let loaded = stages::load(
        opts,
        |root| load::load_cached(root, &mut caches.load),
        |light, dark| {
            let key = (light.to_string(), dark.to_string());
            match &caches.stylesheet {
                Some((k, css)) if *k == key => css.clone(),
                _ => {
                    let css = highlight::stylesheet(light, dark);
                    caches.stylesheet = Some((key, css.clone()));
                    css
                }
            }
        },
    )?;
    timer.stage("load");
    let others = reach::others_hash(&loaded.content, &opts.root, loaded.config.image.as_deref());
    let (site, stylesheet) = stages::model(opts, loaded, Some(&mut caches.related))?;
    let others = reach::with_schedule(others, &site);
    timer.stage("model");
    // Edited words (a site's i18n/ file) reach every page through the templates' globals,
    // which no page fingerprint holds: render everything again, keeping what was read.
    let words = site.words.fingerprint();
    if caches.words.as_ref() != Some(&words) {
        let load = std::mem::take(&mut caches.load);
        let related = std::mem::take(&mut caches.related);
        caches.clear();
        caches.load = load;
        caches.related = related;
        caches.config = Some(config);
        caches.words = Some(words);
    }
    let warnings = stages::warnings(&site);
    let templates = match &caches.templates {
        Some(t) => t.clone(),
        None => Arc::new(stages::templates(&site)?),
    };
    caches.templates = Some(templates.clone());
    let highlighter = caches.highlighter.clone();
    let bodies = bodies::all(&site, &highlighter, &mut caches.bodies).map_err(Error::Site)?;
    let shared = Shared::new(&site);
    timer.stage("markdown");
    let mut out = Output::default();
    let mut errors = Vec::new();
    let inputs = Inputs {
        shared: &shared,
        others: &bodies.others,
    };
    // After changes that keep the site's shape, the pages they do not reach are the last
    // build's, kept without being declared (declaring every page was most of a rebuild after
    // a new or deleted digest).
    let reach = match caches.last.take() {
        Some(last) => Reach::in_memory(&site, &last, others),
        None => Err("no previous build".into()),
    };
    timer.note(&reach::said(&reach));
    let mut jobs = pages::all(&site, true);
    let mut kept = Vec::new();
    if let Ok(reach) = &reach {
        jobs.retain(|job| {
            if reach.makes(job) {
                return true;
            }
            let file = crate::site::paths::index_file(&job.path(&site));
            match caches.pages.get(&file) {
                Some(page) => {
                    kept.push((file, page));
                    false
                }
                None => true,
            }
        });
    }
    for (file, (_, bytes)) in &kept {
        push(
            &mut out,
            OutputFile::shared(file.clone(), bytes.clone()),
            "a page",
            &mut errors,
        );
    }
    let render_errors = render::render_pages(
        &site,
        &templates,
        (inputs, Some(&bodies)),
        &jobs,
        render::Reuse::Memory(&mut caches.pages),
        &mut |files| {
            for f in files {
                push(&mut out, f, "a page", &mut errors);
            }
        },
    );
    // One error per place already (`render::note_error`).
    errors.extend(render_errors);
    caches.pages.keep(kept);
    timer.stage("pages");
    for f in feeds::site_feeds(&site, &bodies.episodes) {
        push(&mut out, f, "feeds", &mut errors);
    }
    let reuse = (search == Search::ReuseLast)
        .then(|| caches.search.clone())
        .flatten();
    let search_stale = reuse.is_some();
    let data_cache = &mut caches.data;
    let (data, index) = rayon::join(
        || {
            let data = data_files(&site, &bodies, &shared, data_cache, &mut out, &mut errors);
            stages::redirects(&site, &templates, &mut out, &mut errors);
            data
        },
        || {
            site.config.search.then(|| {
                reuse.unwrap_or_else(|| {
                    search::index(&site, &bodies.texts.episodes, &bodies.texts.pages)
                })
            })
        },
    );
    caches.data = data;
    // Kept only once the build succeeded (below): it is the one cache not checked against
    // what it was made from.
    let search_files = index.clone();
    for f in index.into_iter().flatten() {
        push(&mut out, f, "search index", &mut errors);
    }
    timer.stage("data+search");
    stages::finish(&site, &templates, stylesheet, &mut out, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Site(errors));
    }
    let report = Report::new(&site, &out, warnings, start);
    caches.search = search_files;
    caches.last = Some(reach::Last::of(&site, others));
    let reached = reach.as_ref().ok().map(Reach::changed);
    Ok(Incremental {
        built: Built {
            site,
            output: out,
            report,
            search_words: None,
            digests_to_keep: None,
            others: 0,
            related: None,
            feed_bodies: None,
        },
        memo: Memo {
            bodies,
            shared,
            templates,
            highlighter,
        },
        search_stale,
        reached,
    })
}

/// The search index made anew from the last build's model and bodies (`site` and `memo` as
/// [`build`] and [`super::rebuild_episode`] left them), after builds that reused an older
/// index; the next build that may reuse an index reuses this one. No other file changes, so
/// serve refreshes the index without a build.
pub fn refresh_search(caches: &mut Caches, site: &Site, memo: &Memo) -> Vec<OutputFile> {
    if !site.config.search {
        return Vec::new();
    }
    let files = search::index(site, &memo.bodies.texts.episodes, &memo.bodies.texts.pages);
    caches.search = Some(files.clone());
    files
}

/// The hash of what episode `i`'s data files are made from: its digest's file, its body,
/// its transcript, its cover art (which may be its show's) and the card (which names its
/// show, people and concepts with their slugs and counts).
fn episode_inputs(site: &Site, bodies: &Bodies, shared: &Shared, i: usize) -> u64 {
    let d = &site.episodes[i].digest;
    let mut c = Combine::new("episode-data");
    c.add(&d.source_hash)
        // A media file under static/ is measured, not written in the digest: its length
        // changes with the file alone.
        .add(&d.media.as_ref().map(|m| (&m.url, &m.mime, m.length)))
        .add(&site.episode_image_url(i))
        .add(&bodies.episode_keys[i])
        .add(&d.transcript_data.as_ref().map(|t| t.hash))
        .add(&shared.card_fingerprint(site, i));
    // A card names at most `CARD_TERMS` concepts and people; the data file names them all.
    let e = &site.episodes[i];
    let terms = e.concepts.iter().map(|ec| (TermKind::Concept, ec.concept));
    let terms = terms.chain(e.people.iter().map(|&p| (TermKind::Person, p)));
    for (kind, t) in terms {
        c.add(&shared.term_fingerprint(kind, t));
    }
    c.finish()
}

/// Every episode's `digest.json` and every term's feed, each reused from `previous` when
/// what it is made from is unchanged. Returns them by path with those hashes.
fn data_files(
    site: &Site,
    bodies: &Bodies,
    shared: &Shared,
    previous: &HashMap<String, (u64, Arc<Vec<u8>>)>,
    out: &mut Output,
    errors: &mut Vec<crate::error::Diagnostic>,
) -> HashMap<String, (u64, Arc<Vec<u8>>)> {
    // Only a file made from the same inputs is reused.
    let reuse = |path: String, fp: u64, make: Box<dyn FnOnce() -> Vec<u8> + '_>| -> Made {
        match previous.get(&path) {
            Some((old, bytes)) if *old == fp => (path, Some(fp), bytes.clone()),
            _ => (path, Some(fp), Arc::new(make())),
        }
    };
    let keys: Vec<u64> = (0..site.episodes.len())
        .into_par_iter()
        .map(|i| episode_inputs(site, bodies, shared, i))
        .collect();
    let mut new = HashMap::new();
    let mut learn = |(path, fp, bytes): &Made| {
        if let Some(fp) = fp {
            new.insert(path.clone(), (*fp, bytes.clone()));
        }
    };
    let digests: Vec<Made> = (0..site.episodes.len())
        .into_par_iter()
        .map(|i| {
            let make = || crate::data::digest_json(site, &bodies.texts.episodes[i], i);
            reuse(site.episodes[i].data_path(), keys[i], Box::new(make))
        })
        .collect();
    for m in digests {
        learn(&m);
        push(out, OutputFile::shared(m.0, m.2), "data", errors);
    }
    let make = |job: feeds::FeedJob| {
        let (kind, t) = job.term;
        let mut c = Combine::new("term-feed");
        c.add(&job.path).add(&shared.term_fingerprint(kind, t));
        for &e in &job.episodes {
            c.add(&keys[e]);
        }
        reuse(job.path, c.finish(), job.make)
    };
    stages::term_feeds(site, out, errors, (&make, &|_| None), &mut learn);
    new
}
