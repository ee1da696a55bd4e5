//! The build pipeline: config → content → site model → bodies → pages, feeds, data files
//! and search → output. The stages every build order shares are in `stages.rs`, each order
//! in its own file, reading top to bottom as stage calls:
//!
//! - `streamed.rs`: `build` and `check`, everything once in little memory;
//! - `incremental.rs`: `serve`, everything in memory, reusing the last build's work;
//! - `episode.rs`: `serve` after an edit to one digest that keeps the model's shape.
//!
//! Beside them, `reach.rs` says what the edits since the last build reach (for `build` on
//! disk and for serve's full rebuilds), and `edit.rs` what kind of edit a digest had.
//!
//! `docs/architecture.md` draws the stages and the orders on one page.

mod edit;
mod episode;
mod incremental;
mod inspect;
mod reach;
mod stages;
mod streamed;
mod timer;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use episode::rebuild_episode;
pub use incremental::{
    Caches, Incremental, Memo, Search, build as build_incremental, refresh_search,
};
pub use inspect::page_context;

use crate::error::{Diagnostic, Error, Result};
use crate::hash::Combine;
use crate::output::reuse::{self, Previous};
use crate::output::{self, Output};
use crate::search;
use crate::site::Site;

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Site root.
    pub root: PathBuf,
    /// The config file given with `--config` (default `<root>/castdown.yaml`).
    pub config: Option<PathBuf>,
    /// Output folder (default `<root>/public`).
    pub output: Option<PathBuf>,
    /// Overrides `base_url`.
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
    /// Include digests dated in the future (scheduled), as Hugo's `--buildFuture`.
    pub future: bool,
    /// Build from nothing: parse, render and write everything instead of reusing the
    /// previous build's work and unchanged files.
    pub clean: bool,
}

impl BuildOptions {
    /// The config file this build reads.
    pub fn config_file(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| self.root.join(crate::config::CONFIG_FILE))
    }
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
    /// Digests dated in the future left out (without `--future`).
    pub scheduled: usize,
    /// Problems that did not stop the build (an oversized code block left unhighlighted).
    pub warnings: Vec<Diagnostic>,
    /// Wall time.
    pub elapsed: Duration,
    /// Files written and files reused unchanged from the previous build (a written build).
    pub written: Option<(usize, usize)>,
    /// Why the previous output was not reused, when there was one.
    pub full_build: Option<String>,
}

impl Report {
    fn new(site: &Site, out: &Output, warnings: Vec<Diagnostic>, start: Instant) -> Report {
        Report {
            episodes: site.episodes.len(),
            concepts: site.concepts.len(),
            shows: site.shows.len(),
            people: site.people.len(),
            pages: site.pages.len(),
            files: out.len(),
            scheduled: site.held_back,
            warnings,
            elapsed: start.elapsed(),
            written: None,
            full_build: None,
        }
    }

    /// The line a build ends with: `Built 1 episode, 3 concepts, … → 40 files in public
    /// (12 ms)`.
    pub fn summary(&self, output: &std::path::Path) -> String {
        let count = crate::text::count;
        let held = if self.scheduled > 0 {
            format!(
                "; {} dated in the future held back (--future publishes {})",
                count(self.scheduled, "digest", "digests"),
                if self.scheduled == 1 { "it" } else { "them" }
            )
        } else {
            String::new()
        };
        let written = match self.written {
            Some((w, r)) if r > 0 => format!(" ({} written, {} unchanged)", w, r),
            _ => String::new(),
        };
        format!(
            "Built {}, {}, {}, {}, {} → {}{written} in {} ({} ms){held}",
            count(self.episodes, "episode", "episodes"),
            count(self.concepts, "concept", "concepts"),
            count(self.shows, "show", "shows"),
            count(self.people, "person", "people"),
            count(self.pages, "page", "pages"),
            count(self.files, "file", "files"),
            output.display(),
            self.elapsed.as_millis()
        )
    }
}

/// A built site.
pub struct Built {
    /// The model.
    pub site: Site,
    /// Every output file (in a written build, the paths of files already written).
    pub output: Output,
    /// Figures.
    pub report: Report,
    /// The episode bodies' counted search words, to keep beside the output for the next
    /// build (a build on disk with a search index).
    pub search_words: Option<search::kept::Writer>,
    /// The digests this build parsed, to keep beside the output for the next build (a
    /// build on disk).
    pub digests_to_keep: Option<Vec<crate::load::kept::Entry>>,
    /// The hash of what pages were made from besides digests, for the record
    /// (`output::reuse::Generation`).
    pub others: u64,
    /// The related episodes with their key, for the record (a build on disk).
    pub related: Option<crate::site::RelatedCache>,
    /// The bodies the site feeds were made from, with their keys, to keep beside the
    /// output for the next build (when this build made the site feeds).
    pub(crate) feed_bodies: Option<Vec<(u64, std::sync::Arc<crate::bodies::Html>)>>,
}

/// Loads config and content and builds every output file in memory.
pub fn build_in_memory(opts: &BuildOptions, progress: &dyn Fn(&str)) -> Result<Built> {
    streamed::build(opts, progress, None)
}

/// The output folder for these options.
pub fn output_dir(opts: &BuildOptions) -> PathBuf {
    opts.output
        .clone()
        .unwrap_or_else(|| opts.root.join("public"))
}

/// The key of everything that reaches every page of a build: the config file and the
/// options (serve's caches are keyed by the same, `incremental::config_key`), and every file
/// of the site's `templates/`, `i18n/` and `themes/` (the built-in theme is part of the
/// binary, which the record names apart). When it changes, nothing of the previous build is
/// reused.
fn inputs_key(opts: &BuildOptions) -> u64 {
    let mut key = Combine::new("build inputs");
    key.add(&incremental::config_key(opts));
    for folder in ["templates", crate::i18n::FOLDER, "themes"] {
        for entry in walkdir::WalkDir::new(opts.root.join(folder))
            .sort_by_file_name()
            .into_iter()
            .filter_map(std::result::Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            key.add(
                &entry
                    .path()
                    .strip_prefix(&opts.root)
                    .unwrap_or(entry.path()),
            )
            .add(&std::fs::read(entry.path()).unwrap_or_default());
        }
    }
    key.finish()
}

/// Builds and writes the site atomically.
pub fn build(opts: &BuildOptions, progress: &dyn Fn(&str)) -> Result<Report> {
    build_keeping(opts, progress).map(|(report, _)| report)
}

/// [`build`], handing back the site instead of dropping it, for a caller about to exit: the
/// operating system takes back a process's memory at once, where dropping a 10,000-episode
/// site walks and frees millions of values one by one.
pub fn build_keeping(opts: &BuildOptions, progress: &dyn Fn(&str)) -> Result<(Report, Built)> {
    // One spelling of the site folder, whichever was typed (`site`, `./site`, `/abs/site`):
    // the parsed digests kept for the next build are known by their paths under it, and a
    // build from another spelling parsed every digest again.
    let canonical;
    let opts = match opts.root.canonicalize() {
        Ok(root) if root != opts.root => {
            canonical = BuildOptions {
                root,
                ..opts.clone()
            };
            &canonical
        }
        _ => opts,
    };
    let start = Instant::now();
    let mut timer = timer::Timer::new();
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
    // The previous build's files are reused where their bytes are unchanged (after the
    // staging folder is ready: an interrupted build's output has been put back by then).
    let resolved = output::resolve_output(&out_dir);
    let words_path = output::beside(&resolved, "search-words");
    let digests_path = output::beside(&resolved, "parsed-digests");
    let bodies_path = output::beside(&resolved, "feed-bodies");
    // What a build killed while writing them left (this build holds the lock).
    for kept in [
        &words_path,
        &digests_path,
        &bodies_path,
        &reuse::record_path(&resolved),
    ] {
        let _ = std::fs::remove_file(output::temporary(kept));
    }
    let had_output = resolved.join(output::MARKER).is_file();
    let binary = reuse::binary_id(&resolved);
    let inputs = inputs_key(opts);
    timer.stage("prepare");
    // The record and the kept files are read side by side: a reusing build waits on them
    // before anything else.
    let read_record = || {
        if opts.clean {
            Err("--clean".to_string())
        } else {
            // The previous output's folders are looked at while the kept files are read.
            Previous::read(&resolved, &binary.id, inputs).inspect(|p| {
                p.seen();
            })
        }
    };
    // Each body's counted words are known by what the body is made from, so they are right
    // for any build by this binary from these inputs, whatever the record says.
    let read_words = || {
        if opts.clean {
            search::KeptWords::default()
        } else {
            search::KeptWords::read(&words_path, &binary.id, inputs).unwrap_or_default()
        }
    };
    // So are parsed digests, each checked against the files it was parsed from.
    let read_digests = || {
        if opts.clean {
            Err("--clean".to_string())
        } else {
            crate::load::kept::KeptDigests::read(&digests_path, &binary.id, inputs, &opts.root)
        }
    };
    let (previous, (kept_words, kept_digests)) =
        rayon::join(read_record, || rayon::join(read_words, read_digests));
    // A few hundred kilobytes: read after the others.
    let kept_bodies = if opts.clean {
        crate::bodies::kept::KeptBodies::default()
    } else {
        crate::bodies::kept::KeptBodies::read(&bodies_path, &binary.id, inputs)
    };
    let (previous, full_build) = match previous {
        Ok(p) => (Some(p), None),
        Err(why) => (None, had_output.then_some(why)),
    };
    timer.stage("kept files");
    // Appended to when it was read whole.
    let kept_records = kept_digests.as_ref().ok().map(|k| k.records());
    let kept_digests = kept_digests.unwrap_or_default();
    // Named by the record and the kept digests this build writes.
    let generation = reuse::Generation::draw();
    // Written as the build counts them; put in place once it succeeded.
    let words_writer =
        search::kept::Writer::create(&words_path, &binary.id, inputs, generation).ok();
    let on_disk = streamed::OnDisk {
        staging: &staging,
        previous,
        kept_words: words_writer.map(|w| (kept_words, w)),
        kept_digests,
        kept_bodies,
    };
    let mut built = match streamed::build(opts, progress, Some(on_disk)) {
        Ok(b) => b,
        Err(e) => {
            staging.discard();
            return Err(e);
        }
    };
    progress("writing");
    let write_start = Instant::now();
    // What the next build reuses besides the output is written while the output is moved
    // into place (which waits on the file system more than on the processor). Without it
    // the next build parses and counts everything again: slower, never wrong.
    let search_words = built.search_words.take();
    let digests_to_keep = built.digests_to_keep.take();
    let feed_bodies = built.feed_bodies.take();
    let keep_for_next = || {
        let kept = search_words.map(|words| words.finish(&words_path));
        if !matches!(kept, Some(Ok(()))) {
            let _ = std::fs::remove_file(&words_path);
        }
        let kept = digests_to_keep.map(|entries| {
            crate::load::kept::write(
                &digests_path,
                &binary.id,
                inputs,
                &opts.root,
                &entries,
                (kept_records, generation),
            )
        });
        if !matches!(kept, Some(Ok(()))) {
            let _ = std::fs::remove_file(&digests_path);
        }
        // Left as it was when the site feeds were kept: its bodies are those they show.
        if let Some(bodies) = feed_bodies
            && crate::bodies::kept::write(&bodies_path, &binary.id, inputs, &bodies).is_err()
        {
            let _ = std::fs::remove_file(&bodies_path);
        }
    };
    let others = built.others;
    let terms = reach::terms_key(&built.site, &[]);
    let related = built.related.take();
    let commit = || -> Result<output::Written> {
        // The record read at the start, which the new one is appended to.
        let previous = built.output.previous();
        let mut written = output::write_atomic_from(&mut built.output, staging)?;
        let generation = reuse::Generation {
            number: generation,
            others,
            terms,
        };
        if reuse::write(
            &resolved,
            (&binary, inputs, generation),
            (
                std::mem::take(&mut written.entries),
                &written.gone,
                &written.folders,
            ),
            built.output.fingerprints(),
            related.as_ref().map(crate::site::RelatedCache::parts),
            previous.as_deref(),
        )
        .is_err()
        {
            reuse::forget(&resolved);
        }
        Ok(written)
    };
    let (written, ()) = rayon::join(commit, keep_for_next);
    // The kept digests name this build, whose output is not in place: the next build must
    // not take them for the previous output's.
    if written.is_err() {
        let _ = std::fs::remove_file(&digests_path);
    }
    let written = written?;
    if std::env::var_os("CASTDOWN_TIMINGS").is_some() {
        eprintln!(
            "  {:<14} {:>7.1} ms",
            "write",
            write_start.elapsed().as_secs_f64() * 1000.0
        );
        if let Some((listed, of)) = written.listed {
            eprintln!("  output folders listed {listed} of {of}");
        }
    }
    let mut report = built.report.clone();
    report.elapsed = start.elapsed();
    report.written = Some((written.written, written.reused));
    report.full_build = full_build;
    Ok((report, built))
}

/// Builds in memory and resolves every internal link and anchor; writes nothing.
pub fn check(opts: &BuildOptions, progress: &dyn Fn(&str)) -> Result<Report> {
    // Each batch's pages are reduced to their links and ids as the build goes: holding
    // every page until the end took 18 GB at 300,000 digests.
    let pages = std::sync::Arc::new(std::sync::Mutex::new(crate::linkcheck::Pages::default()));
    let handed = pages.clone();
    let sink: output::Sink = Box::new(move |files| {
        handed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .add(files);
    });
    let built = streamed::build_handing(opts, progress, None, Some(sink))?;
    progress("checking links");
    let pages = std::mem::take(
        &mut *pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    let errors = crate::linkcheck::check(&built.site, &built.output, pages);
    if !errors.is_empty() {
        return Err(Error::Site(errors));
    }
    Ok(built.report)
}
