//! The build order of `build` and `check`: everything once, in as little memory as the
//! output allows. Each episode's body is rendered together with the files made from it
//! alone (its pages, its `digest.json`), a batch at a time, and a streaming output writes
//! each batch while the next is made; what later stages no longer need is dropped as soon
//! as they are done with it (the Markdown sources after the bodies, episode HTML after the
//! site feeds, cards after the pages). See `docs/architecture.md`.

use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::stages::{self, push};
use super::timer::Timer;
use super::{BuildOptions, Built, Report};
use crate::bodies::{self, Html, Text};
use crate::error::{Diagnostic, Error, Result};
use crate::markdown::{Highlighter, highlight};
use crate::output::reuse::Previous;
use crate::output::{self, Output, OutputFile};
use crate::render::{self, Inputs, Shared, Templates, pages};
use crate::site::Site;
use crate::{feeds, load, search};

/// Builds the site. With `staging`, files are written into that folder as the build goes
/// (reusing the unchanged files of the previous build, when given) and dropped from memory;
/// without, the output holds them all.
pub(super) fn build(
    opts: &BuildOptions,
    progress: &dyn Fn(&str),
    staging: Option<(&output::Staging, Option<Previous>)>,
) -> Result<Built> {
    let start = Instant::now();
    let mut timer = Timer::new();
    progress("loading");
    let loaded = stages::load(opts, load::load, highlight::stylesheet)?;
    timer.stage("load");
    let (mut site, stylesheet) = stages::model(opts, loaded, None)?;
    timer.stage("model");
    let warnings = stages::warnings(&site);
    progress("rendering");
    let templates = stages::templates(&site)?;
    let highlighter = Highlighter::with_max_bytes(site.config.highlight_max_bytes);
    let mut out = match staging {
        Some((s, previous)) => Output::streaming(&s.dir, previous),
        None => Output::default(),
    };
    let mut errors = Vec::new();
    let mut template_errors = Vec::new();
    let shared = Shared::new(&site);
    let (others, page_texts) = bodies::others(&site, &highlighter);
    timer.stage("markdown");
    let inputs = Inputs {
        shared: &shared,
        others: &others,
    };
    // On disk, pages are fingerprinted for the next build, and the previous build's pages
    // made from the same values are kept rather than rendered.
    let previous = out.previous();
    let reuse = if out.records() {
        render::Reuse::Disk(previous.as_deref())
    } else {
        render::Reuse::None
    };
    let episodes = EpisodeStage {
        site: &site,
        templates: &templates,
        highlighter: &highlighter,
        inputs,
        reuse: &reuse,
    };
    // Each episode's words are counted for the search index as its body is rendered.
    let mut index = site.config.search.then(|| search::Index::new(&site));
    let newest = episodes.run(&mut out, index.as_mut(), &mut errors, &mut template_errors);
    // Nothing after this reads a digest's Markdown: about a fifth of a build's peak memory.
    site.release_bodies();
    timer.stage("episodes");
    let jobs = pages::all(&site, false);
    let render_errors = render::render_pages(
        &site,
        &templates,
        (inputs, &[]),
        &jobs,
        reuse,
        &mut |files| {
            for f in files {
                push(&mut out, f, "a page", &mut errors);
            }
            out.batch_done();
        },
    );
    for d in render_errors {
        render::note_error(&mut template_errors, d);
    }
    errors.append(&mut template_errors);
    drop(shared);
    timer.stage("pages");
    // The site feeds are the last files to show episode HTML: it is freed after them,
    // before the search index (the build's peak) is made.
    for f in feeds::site_feeds(&site, &newest) {
        push(&mut out, f, "feeds", &mut errors);
    }
    drop(newest);

    // The term feeds and redirects beside the search index: writing is disk-bound (on the
    // writing thread) and the index is CPU-bound, so one overlaps the other.
    let ((), search) = rayon::join(
        || {
            let make = |job: feeds::FeedJob| (job.path, None, Arc::new((job.make)()));
            stages::term_feeds(&site, &mut out, &mut errors, &make, &mut |_| {});
            stages::redirects(&site, &templates, &mut out, &mut errors);
            out.batch_done();
        },
        || index.map(|index| index.finish(&site, &page_texts)),
    );
    for f in search.into_iter().flatten() {
        push(&mut out, f, "search index", &mut errors);
    }
    // The index (a tenth of the output) is written while the last small files are made.
    out.batch_done();
    timer.stage("data+search");
    stages::finish(&site, &templates, stylesheet, &mut out, &mut errors);
    timer.stage("rest");
    if !errors.is_empty() {
        return Err(Error::Site(errors));
    }
    out.finish_writing()?;
    timer.stage("writing");
    let report = Report::new(&site, &out, warnings, start);
    Ok(Built {
        site,
        output: out,
        report,
    })
}

/// The episode stage of a build: every episode's body with the files made from it alone.
struct EpisodeStage<'a> {
    site: &'a Site,
    templates: &'a Templates,
    highlighter: &'a Highlighter,
    inputs: Inputs<'a>,
    reuse: &'a render::Reuse<'a>,
}

impl EpisodeStage<'_> {
    /// Renders every episode's body, its pages and its `digest.json`, a batch at a time,
    /// each batch added to `out` (which may write it) and its words counted into `index`
    /// before the next is rendered. Returns the HTML of the newest `feed_limit` episodes
    /// (the site feeds are its only later reader). Template errors go to
    /// `template_errors`, one per place; other problems to `errors`.
    fn run(
        &self,
        out: &mut Output,
        mut index: Option<&mut search::Index>,
        errors: &mut Vec<Diagnostic>,
        template_errors: &mut Vec<Diagnostic>,
    ) -> Vec<Arc<Html>> {
        let site = self.site;
        let count = site.episodes.len();
        let mut newest = Vec::new();
        for start in (0..count).step_by(render::PAGE_BATCH) {
            let batch: Vec<_> = (start..(start + render::PAGE_BATCH).min(count))
                .into_par_iter()
                .map(|i| self.episode(i))
                .collect();
            let mut texts: Vec<Arc<Text>> = Vec::with_capacity(batch.len());
            for made in batch {
                let EpisodeFiles {
                    html,
                    text,
                    pages,
                    data,
                } = match made {
                    Ok(m) => m,
                    Err(d) => {
                        // Kept in step with the episodes; the build fails on the error.
                        texts.push(Arc::default());
                        errors.push(d);
                        continue;
                    }
                };
                newest.extend(html);
                texts.push(text);
                for page in pages {
                    match page {
                        Ok(f) => push(out, f, "a page", errors),
                        Err(d) => render::note_error(template_errors, d),
                    }
                }
                push(out, data, "data", errors);
            }
            // Counted while the writing thread writes the batch.
            out.batch_done();
            if let Some(index) = index.as_deref_mut() {
                index.add_episodes(site, start, &texts);
            }
        }
        newest
    }

    /// Episode `i`'s body, pages and `digest.json`.
    fn episode(&self, i: usize) -> std::result::Result<EpisodeFiles, Diagnostic> {
        let site = self.site;
        let (html, text) = bodies::episode(site, self.highlighter, i)?;
        let pages =
            render::episode_pages(site, self.templates, (self.inputs, self.reuse), i, &html);
        let data = OutputFile::bytes(
            site.episodes[i].data_path(),
            crate::data::digest_json(site, &text, i),
        );
        // Freed here, on the worker, for all but the episodes the site feeds show.
        let html = (i < site.config.feed_limit).then_some(html);
        Ok(EpisodeFiles {
            html,
            text,
            pages,
            data,
        })
    }
}

/// What the episode stage makes of one episode.
struct EpisodeFiles {
    /// The body's HTML, for the newest `feed_limit` episodes only.
    html: Option<Arc<Html>>,
    text: Arc<Text>,
    pages: Vec<std::result::Result<OutputFile, Diagnostic>>,
    data: OutputFile,
}
