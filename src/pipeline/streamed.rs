//! The build order of `build` and `check`: everything once, in as little memory as the
//! output allows. Each episode's body is rendered together with the files made from it
//! alone (its pages, its `digest.json`), a batch at a time, and a streaming output writes
//! each batch while the next is made; what later stages no longer need is dropped as soon
//! as they are done with it (the Markdown sources after the bodies, episode HTML after the
//! site feeds, cards after the pages). See `docs/architecture.md`.

use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::reach::{self, Reach};
use super::stages::{self, push};
use super::timer::Timer;
use super::{BuildOptions, Built, Report};
use crate::bodies::{self, Html};
use crate::error::{Diagnostic, Error, Result};
use crate::markdown::{Highlighter, highlight};
use crate::output::reuse::Previous;
use crate::output::{self, Output, OutputFile};
use crate::render::{self, Inputs, Shared, Templates, pages};
use crate::site::{RelatedCache, Site, paths};
use crate::{feeds, load, search};

/// Builds the site. With `staging`, files are written into that folder as the build goes
/// (reusing the unchanged files of the previous build, when given) and dropped from memory;
/// without, the output holds them all.
pub(super) fn build(
    opts: &BuildOptions,
    progress: &dyn Fn(&str),
    staging: Option<OnDisk>,
) -> Result<Built> {
    build_handing(opts, progress, staging, None)
}

/// [`build`], where an in-memory output hands each batch's files to `sink` and drops them
/// ([`Output::handing`]).
pub(super) fn build_handing(
    opts: &BuildOptions,
    progress: &dyn Fn(&str),
    staging: Option<OnDisk>,
    sink: Option<output::Sink>,
) -> Result<Built> {
    let start = Instant::now();
    let mut timer = Timer::new();
    progress("loading");
    // On disk, the digests whose files are unchanged come from the previous build, and
    // this build's are kept for the next.
    let (mut staging, kept_digests, kept_bodies) = match staging {
        Some(OnDisk {
            staging,
            previous,
            kept_words,
            kept_digests,
            kept_bodies,
        }) => (
            Some((staging, previous, kept_words)),
            Some(kept_digests),
            Some(kept_bodies),
        ),
        None => (None, None, None),
    };
    let kept_generation = kept_digests.as_ref().map_or(0, |k| k.generation());
    let mut digests_to_keep = None;
    let mut parsed = None;
    let read = |root: &std::path::Path| match &kept_digests {
        Some(kept) => {
            let loaded = load::load_kept(root, kept);
            digests_to_keep = Some(loaded.keep);
            parsed = Some(loaded.before);
            (loaded.content, loaded.errors)
        }
        None => load::load(root),
    };
    let loaded = stages::load(opts, read, highlight::stylesheet)?;
    // Kept digests whose files are gone: what a removal reaches is found from them.
    let kept_count = kept_digests.as_ref().map_or(0, |k| k.len());
    let gone = kept_digests.as_ref().map(|kept| {
        // Every digest is taken from the kept ones or parsed again, and `before` says
        // which of those parsed again are kept: when the kept ones loaded are all of them,
        // none is gone, and no set of every digest's path is made (at 100,000 digests,
        // 30 ms on one core after no edit).
        let loaded_kept = parsed.as_ref().map(|p| {
            (loaded.content.digests.len())
                .saturating_sub(p.len())
                .saturating_add(p.iter().filter(|(_, before)| before.is_some()).count())
        });
        if loaded_kept == Some(kept.len()) {
            return Vec::new();
        }
        // Kept digests are known by their files' paths under the site folder.
        let present: load::kept::Present = loaded
            .content
            .digests
            .iter()
            .map(|d| output::stamp::joined(&opts.root, &d.path).into_os_string())
            .collect();
        kept.gone(&present)
    });
    drop(kept_digests);
    timer.stage("load");
    if let Some(parsed) = &parsed {
        timer.note(&format!(
            "digests parsed {} of {}",
            parsed.len(),
            loaded.content.digests.len()
        ));
    }
    if let Some(gone) = &gone {
        timer.note(&format!("kept digests gone {} of {kept_count}", gone.len()));
    }
    // On disk only: the record keeps it for the next build's reach.
    let others = parsed
        .is_some()
        .then(|| reach::others_hash(&loaded.content, &opts.root, loaded.config.image.as_deref()));
    // On disk, the related episodes come from the record when the episodes' order and
    // concepts are as then, and go to the next record.
    let mut related = staging.as_mut().map(|(_, previous, _)| {
        match previous.as_mut().and_then(Previous::take_related) {
            Some((key, lists)) => RelatedCache::new(key, lists),
            None => RelatedCache::default(),
        }
    });
    // What new or removed digests reach compares them with this build's (they move
    // rankings); copied only when a digest is new to the previous build, or gone.
    let recorded = staging
        .as_ref()
        .and_then(|(_, previous, _)| previous.as_ref());
    let is_new = |before: &Option<load::kept::Before>| {
        recorded.is_none_or(|previous| reach::published_version(previous, before).is_none())
    };
    let anything_new = parsed
        .as_ref()
        .is_some_and(|p| p.iter().any(|(_, before)| is_new(before)))
        || gone.as_ref().is_some_and(|g| !g.is_empty());
    let related_before: Option<Vec<Vec<usize>>> = related
        .as_ref()
        .filter(|_| anything_new)
        .map(|r| r.parts().1.to_vec());
    let (mut site, stylesheet) = stages::model(opts, loaded, related.as_mut())?;
    let others_hash = others.map_or(0, |h| reach::with_schedule(h, &site));
    timer.stage("model");
    let warnings = stages::warnings(&site);
    progress("rendering");
    let templates = stages::templates(&site)?;
    let highlighter = Highlighter::with_max_bytes(site.config.highlight_max_bytes);
    let (mut out, kept_words) = match staging {
        Some((staging, previous, kept_words)) => {
            (Output::streaming(&staging.dir, previous), kept_words)
        }
        None => (sink.map_or_else(Output::default, Output::handing), None),
    };
    let mut errors = Vec::new();
    let mut template_errors = Vec::new();
    // On disk, pages are fingerprinted for the next build, and the previous build's pages
    // made from the same values are kept rather than rendered; after edits that keep the
    // model's shape, the pages they do not reach are kept without being declared.
    let previous = out.previous();
    let reach = match (&previous, &parsed) {
        (Some(previous), Some(parsed)) => {
            let known = reach::Known {
                kept: kept_generation,
                others: others_hash,
                parsed,
                related: related_before.as_deref(),
                gone: gone.as_deref().unwrap_or_default(),
            };
            Reach::of_edits(&site, previous, &known)
        }
        _ => Err("no previous build to reuse".into()),
    };
    timer.note(&reach::said(&reach));
    // After edits that reach few pages, only the cards those pages show are made.
    let shared = if reach.is_ok() {
        Shared::lazy(&site)
    } else {
        Shared::new(&site)
    };
    let (others, page_texts) = bodies::others(&site, &highlighter);
    timer.stage("markdown");
    let inputs = Inputs {
        shared: &shared,
        others: &others,
    };
    let mut reach = reach.ok();
    let records = out.records();
    let reuse = if records {
        render::Reuse::Disk(previous.as_deref())
    } else {
        render::Reuse::None
    };
    // Each episode's words are counted for the search index as its body is rendered; on
    // disk they are kept for the next build, which counts only the bodies that changed,
    // and patches the index of the output it finds.
    let made_by = previous.as_deref().map(|p| p.generation().number);
    let mut index = site
        .config
        .search
        .then(|| search::Index::patching(&site, kept_words, made_by));
    let episodes = EpisodeStage {
        site: &site,
        templates: &templates,
        highlighter: &highlighter,
        inputs,
        reuse: &reuse,
        reach: reach.as_ref(),
        all_concepts: bodies::all_concepts_key(&site),
        kept_words: index.as_ref().map(search::Index::kept),
        kept_bodies: kept_bodies.as_ref(),
    };
    let (newest, rendered) =
        episodes.run(&mut out, index.as_mut(), &mut errors, &mut template_errors);
    drop(episodes);
    // Nothing after this reads a digest's Markdown: about a fifth of a build's peak memory.
    site.release_bodies();
    timer.stage("episodes");
    timer.note(&format!(
        "bodies rendered {rendered} of {}",
        site.episodes.len()
    ));
    let mut jobs = pages::all(&site, false);
    if let (Some(reach), Some(previous)) = (&reach, &previous) {
        // Looked up in parallel (a path made and a file looked at per page), kept in order.
        let kept: Vec<Option<OutputFile>> = jobs
            .par_iter()
            .map(|job| {
                if reach.makes_page(job) {
                    return None;
                }
                reach::kept(previous, &paths::index_file(&job.path(&site)))
            })
            .collect();
        let mut kept = kept.into_iter();
        jobs.retain(|_| match kept.next().flatten() {
            Some(file) => {
                push(&mut out, file, "a page", &mut errors);
                false
            }
            None => true,
        });
    }
    let render_errors = render::render_pages(
        &site,
        &templates,
        (inputs, None),
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
    // The site feeds are the last files to show episode HTML. It is freed after them,
    // before the search index (the build's peak) is made, except the bodies they were
    // made from, kept for the next build (`feed_limit` bodies, a few hundred kilobytes).
    let site_feeds = reach.as_mut().and_then(Reach::kept_feeds);
    let made_feeds = site_feeds.is_none();
    let site_feeds = site_feeds.unwrap_or_else(|| {
        let html: Vec<Arc<Html>> = newest.iter().map(|(_, h)| h.clone()).collect();
        feeds::site_feeds(&site, &html)
    });
    for f in site_feeds {
        push(&mut out, f, "feeds", &mut errors);
    }
    // Any body kept is right for its key, so the next build may take these whatever it
    // makes; when the feeds were kept, the file beside the output already holds theirs.
    let feed_bodies = made_feeds.then_some(newest);

    // The term feeds and redirects beside the search index: writing is disk-bound (on the
    // writing thread) and the index is CPU-bound, so one overlaps the other. (The files
    // made last are not: at 100,000 digests the sitemap and llms.txt made beside the index
    // raised the build's peak by 60 MB, to save 90 ms.)
    let ((), search) = rayon::join(
        || {
            let make = |job: feeds::FeedJob| (job.path, None, Arc::new((job.make)()));
            let kept = |job: &feeds::FeedJob| match (&reach, &previous) {
                (Some(reach), Some(previous))
                    if !reach.makes_term_feed(job.term, &job.episodes) =>
                {
                    reach::kept(previous, &job.path)
                }
                _ => None,
            };
            stages::term_feeds(&site, &mut out, &mut errors, (&make, &kept), &mut |_| {});
            stages::redirects(&site, &templates, &mut out, &mut errors);
            out.batch_done();
        },
        || index.map(|index| index.finish(&site, &page_texts, (records, previous.as_deref()))),
    );
    let (search, search_words, how) = search.unwrap_or_default();
    if let Some(how) = how {
        timer.note(&how);
    }
    let gz = search.iter().filter(|f| f.path.ends_with(".gz"));
    let compressed = gz
        .clone()
        .filter(|f| matches!(f.body, output::Body::Bytes(_)))
        .count();
    match gz.count() {
        0 => {}
        of => timer.note(&format!("search files compressed {compressed} of {of}")),
    }
    for f in search {
        push(&mut out, f, "search index", &mut errors);
    }
    // The index (a tenth of the output) is written while the last small files are made.
    out.batch_done();
    timer.stage("data+search");
    stages::finish(&site, &templates, stylesheet, &mut out, &mut errors);
    if out.previous().is_some() {
        let (copied, of) = out.copies();
        timer.note(&format!("static files copied {copied} of {of}"));
    }
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
        search_words,
        digests_to_keep,
        others: others_hash,
        related,
        feed_bodies,
    })
}

/// A build written into a staging folder, with what it may reuse of the previous build.
pub(super) struct OnDisk<'a> {
    /// Where the files go.
    pub staging: &'a output::Staging,
    /// The previous build's record, when it can be trusted.
    pub previous: Option<Previous>,
    /// The previous build's counted search words (empty when there are none to trust),
    /// and where this build's go (`None`: the file could not be made; nothing is kept).
    pub kept_words: Option<(search::KeptWords, search::kept::Writer)>,
    /// The previous build's parsed digests (empty when there are none to trust).
    pub kept_digests: load::kept::KeptDigests,
    /// The bodies the previous build's site feeds showed (empty when there are none to
    /// trust).
    pub kept_bodies: bodies::kept::KeptBodies,
}

/// The episode stage of a build: every episode's body with the files made from it alone.
struct EpisodeStage<'a> {
    site: &'a Site,
    templates: &'a Templates,
    highlighter: &'a Highlighter,
    inputs: Inputs<'a>,
    reuse: &'a render::Reuse<'a>,
    /// What the edits reach (with `reuse`'s previous build): the episodes they do not
    /// reach are kept without being declared.
    reach: Option<&'a Reach>,
    /// `bodies::all_concepts_key`, which bodies' keys are made with.
    all_concepts: u64,
    /// The bodies the previous build's site feeds showed, by key: an episode the site
    /// feeds show is not rendered again for them when its body is there.
    kept_bodies: Option<&'a bodies::kept::KeptBodies>,
    /// The previous build's counted search words (`None`: no search index).
    kept_words: Option<Arc<search::KeptWords>>,
}

impl EpisodeStage<'_> {
    /// Renders every episode's body, its pages and its `digest.json`, a batch at a time,
    /// each batch added to `out` (which may write it) and its words counted into `index`
    /// before the next is rendered. Returns the HTML of the newest `feed_limit` episodes
    /// (the site feeds are its only later reader) and how many bodies were rendered.
    /// Template errors go to `template_errors`, one per place; other problems to `errors`.
    fn run(
        &self,
        out: &mut Output,
        mut index: Option<&mut search::Index>,
        errors: &mut Vec<Diagnostic>,
        template_errors: &mut Vec<Diagnostic>,
    ) -> (Vec<(u64, Arc<Html>)>, usize) {
        let site = self.site;
        let count = site.episodes.len();
        let mut newest = Vec::new();
        let mut rendered = 0;
        // Each batch is handed to the output and counted for the index while the next one
        // renders: handing it over and parts of the counting run on one thread, and alone
        // they left the other core idle for about a tenth of the stage.
        let mut made: Option<(usize, Vec<Made>)> = None;
        let starts = (0..count).step_by(render::PAGE_BATCH).map(Some);
        for next in starts.chain([None]) {
            let render = || {
                next.map(|start| {
                    let batch: Vec<Made> = (start..(start + render::PAGE_BATCH).min(count))
                        .into_par_iter()
                        .map(|i| self.episode(i))
                        .collect();
                    (start, batch)
                })
            };
            let hand_over = || {
                let Some((start, batch)) = made.take() else {
                    return;
                };
                let mut texts: Vec<search::EpisodeWords> = Vec::with_capacity(batch.len());
                for files in batch {
                    let EpisodeFiles {
                        html,
                        words,
                        pages,
                        data,
                        body_rendered,
                    } = match files {
                        Ok(m) => m,
                        Err(d) => {
                            // Kept in step with the episodes; the build fails on the error.
                            texts.push(search::EpisodeWords::Missing);
                            errors.push(d);
                            continue;
                        }
                    };
                    newest.extend(html);
                    texts.push(words);
                    rendered += usize::from(body_rendered);
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
            };
            let (next_made, ()) = rayon::join(render, hand_over);
            made = next_made;
        }
        (newest, rendered)
    }

    /// Episode `i`'s pages and `digest.json`, and what the search index counts of its
    /// body. On disk, what the previous build made from the same values is kept, and the
    /// body is rendered only for what is not (or for the site feeds, which show the
    /// newest bodies whole).
    fn episode(&self, i: usize) -> std::result::Result<EpisodeFiles, Diagnostic> {
        let site = self.site;
        let key = bodies::episode_key(site, i, self.all_concepts);
        if let (Some(reach), render::Reuse::Disk(Some(previous))) = (self.reach, self.reuse)
            && !reach.makes_episode(i)
            && let Some(files) = self.kept_episode(i, key, previous)
        {
            return Ok(files);
        }
        let (mut pages, pending) =
            render::declare_episode_pages(site, (self.inputs, self.reuse), i, key);
        let path = site.episodes[i].data_path();
        let parts = crate::data::DigestParts::new(site, i);
        let (data_fp, data_kept) = match self.reuse {
            render::Reuse::Disk(previous) => {
                let fp = parts.fingerprint(key);
                (Some(fp), previous.and_then(|p| p.kept(&path, fp)))
            }
            _ => (None, None),
        };
        let words_kept = self.kept_words.as_ref().is_some_and(|k| k.has(key));
        let in_feeds = i < site.config.feed_limit;
        // The site feeds need the body; the previous build's, when it kept it.
        let kept_html = in_feeds
            .then(|| self.kept_bodies.and_then(|k| k.get(key)))
            .flatten()
            .map(|h| (key, h));
        if let (Some(entry), Some(fp), true, true, false) = (
            data_kept,
            data_fp,
            pending.is_empty(),
            words_kept || self.kept_words.is_none(),
            in_feeds && kept_html.is_none(),
        ) {
            // Nothing here needs the body rendered.
            return Ok(EpisodeFiles {
                html: kept_html,
                words: search::EpisodeWords::Kept(key),
                pages,
                data: OutputFile::kept(path, entry, fp),
                body_rendered: false,
            });
        }
        let (html, text) = bodies::episode(site, self.highlighter, i)?;
        pages.extend(render::finish_episode_pages(
            site,
            self.templates,
            pending,
            &html,
        ));
        let data = match (data_kept, data_fp) {
            (Some(entry), Some(fp)) => OutputFile::kept(path, entry, fp),
            (_, fp) => {
                let file = OutputFile::bytes(path, parts.finish(&text));
                match fp {
                    Some(fp) => file.with_fingerprint(fp),
                    None => file,
                }
            }
        };
        // Freed here, on the worker, for all but the episodes the site feeds show.
        let html = in_feeds.then_some((key, html));
        Ok(EpisodeFiles {
            html,
            words: if words_kept {
                search::EpisodeWords::Kept(key)
            } else {
                search::EpisodeWords::Text(key, text)
            },
            pages,
            data,
            body_rendered: true,
        })
    }
}

impl EpisodeStage<'_> {
    /// Episode `i`'s pages and `digest.json` as the previous build left them, and its
    /// counted words, for an episode no edit reaches; `None` when one of them cannot be
    /// kept (changed in the output by hand, or its words not kept).
    fn kept_episode(&self, i: usize, key: u64, previous: &Previous) -> Option<EpisodeFiles> {
        let site = self.site;
        if self.kept_words.as_ref().is_some_and(|k| !k.has(key)) {
            return None;
        }
        let mut pages = Vec::new();
        for job in pages::of_episode(site, i) {
            let file = reach::kept(previous, &paths::index_file(&job.path(site)))?;
            pages.push(Ok(file));
        }
        Some(EpisodeFiles {
            html: None,
            words: search::EpisodeWords::Kept(key),
            pages,
            data: reach::kept(previous, &site.episodes[i].data_path())?,
            body_rendered: false,
        })
    }
}

/// What the episode stage makes of one episode, or why it could not.
type Made = std::result::Result<EpisodeFiles, Diagnostic>;

/// What the episode stage makes of one episode.
struct EpisodeFiles {
    /// The body's HTML with its key, for the newest `feed_limit` episodes only.
    html: Option<(u64, Arc<Html>)>,
    /// What the search index counts of the body.
    words: search::EpisodeWords,
    pages: Vec<std::result::Result<OutputFile, Diagnostic>>,
    data: OutputFile,
    /// Whether the body was rendered (or everything made from it was kept).
    body_rendered: bool,
}
