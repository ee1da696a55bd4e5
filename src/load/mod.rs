//! Load: walk `content/`, read every file, split and validate front matter (the layout of
//! `content/` and every key: `docs/configuration.md`).
//!
//! The walk is sequential and sorted (deterministic order); reading and parsing run in
//! parallel. Every problem of every file is collected; nothing stops at the first error.

pub mod curated;
pub mod date;
pub mod digest;
pub mod duration;
pub mod frontmatter;
pub mod kept;
pub mod page;
pub mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use walkdir::WalkDir;

pub use curated::{Curated, CuratedKind};
pub use digest::{Digest, Media};
pub use page::Page;

use crate::error::{Diagnostic, line_col};

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Content {
    /// Digests, drafts included (the site model drops them unless asked). Shared, so a
    /// rebuild in `serve` reuses unchanged ones without copying.
    pub digests: Vec<Arc<Digest>>,
    /// Curated concept, show and person descriptions.
    pub curated: Vec<Curated>,
    /// Standalone pages.
    pub pages: Vec<Page>,
}

enum Kind {
    Digest,
    Curated(CuratedKind),
    Page,
}

/// What one file parsed to.
#[derive(Debug, Clone)]
enum Item {
    Digest(Arc<Digest>),
    Curated(Curated),
    Page(Page),
}

/// Parsed files from the previous load, keyed by path and checked by modification time and
/// size, so `serve` re-reads only what changed. A digest's result depends on other files (its
/// transcript, the files it links to beside it, its cover), so a digest is re-read when one
/// of those changes, appears or goes too (its key includes their stamps).
#[derive(Debug, Default)]
pub struct LoadCache {
    entries: HashMap<PathBuf, (Stamp, Result<Item, Vec<Diagnostic>>)>,
}

/// What a cached parse is checked by: the files it read besides its own (for a digest,
/// [`kept::reads`]: its transcript, the files its body and cover name beside it, its media
/// under `static/`), found once when it is parsed, and the stamps of its own file and of
/// those, present or not. Each must make serve read the file again; a file that is missing
/// stamps as such, so one that appears is seen. No stamps when the file cannot be read.
#[derive(Debug, Default)]
struct Stamp {
    reads: Vec<PathBuf>,
    times: Vec<(SystemTime, u64)>,
}

impl Stamp {
    /// The stamp of the file at `path` (in the site folder `root`), parsed to `result`.
    fn of_parse(root: &Path, path: &Path, result: &Result<Item, Vec<Diagnostic>>) -> Stamp {
        let reads = match result {
            Ok(Item::Digest(d)) => {
                kept::reads(root, path, d.body.as_deref().unwrap_or_default(), d)
            }
            _ => Vec::new(),
        };
        Stamp::of(path, reads)
    }

    /// The stamps, now, of the file at `path` and of the files its parse read, `reads`.
    fn of(path: &Path, reads: Vec<PathBuf>) -> Stamp {
        let Some(own) = stamp_of(path) else {
            return Stamp::default();
        };
        let times = std::iter::once(own)
            .chain(
                reads
                    .iter()
                    .map(|f| stamp_of(f).unwrap_or((SystemTime::UNIX_EPOCH, u64::MAX))),
            )
            .collect();
        Stamp { reads, times }
    }

    /// This stamp taken again, if no file changed since (a body's references are not
    /// looked for again: they change only with the file, which is stamped).
    fn again(&self, path: &Path) -> Option<Stamp> {
        let now = Stamp::of(path, self.reads.clone());
        (now.times == self.times && !now.times.is_empty()).then_some(now)
    }
}

fn stamp_of(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Reads a file as UTF-8, locating the first invalid byte.
pub fn read_text(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::new(shown, format!("cannot read file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let (line, col) = line_col(&text, valid);
        Diagnostic::new(shown, "file is not valid UTF-8")
            .at_position(line, col)
            .hint("save the file as UTF-8")
    })
}

/// Walks `root/content` and loads every Markdown file. Keeps nothing for a later load: no
/// file stamps and no source hashes (`Digest::source_hash` is `None`), which only `serve` reads.
pub fn load(root: &Path) -> (Content, Vec<Diagnostic>) {
    load_with(root, None, None)
}

/// Like [`load`], reusing results for files unchanged since the cache was filled, and
/// filling it.
pub fn load_cached(root: &Path, cache: &mut LoadCache) -> (Content, Vec<Diagnostic>) {
    load_with(root, Some(cache), None)
}

/// What [`load_kept`] read.
pub struct LoadedKeeping {
    /// The content.
    pub content: Content,
    /// Every problem of every file.
    pub errors: Vec<Diagnostic>,
    /// The digests to keep for the next build.
    pub keep: Vec<kept::Entry>,
    /// The digests read and parsed, by path relative to the site root, each with the
    /// version the build that kept the digests used, if it had one.
    pub before: Vec<(PathBuf, Option<kept::Before>)>,
}

/// Like [`load`], taking the digests whose files are unchanged from `kept` (the previous
/// build's) instead of parsing them; returns with the content the digests to keep for the
/// next build.
pub fn load_kept(root: &Path, kept: &kept::KeptDigests) -> LoadedKeeping {
    let mut keep = Vec::new();
    let mut before = Vec::new();
    let (content, errors) = load_with(root, None, Some((kept, &mut keep, &mut before)));
    LoadedKeeping {
        content,
        errors,
        keep,
        before,
    }
}

/// One file as the load made it: its path, its stamp (serve), what it parsed to and, in a
/// build that keeps parsed digests, what it keeps of it.
type Loaded = (PathBuf, Stamp, Result<Item, Vec<Diagnostic>>, Keep);

/// What a build that keeps parsed digests makes of one file.
enum Keep {
    /// Nothing (not a digest, or not such a build).
    Nothing,
    /// A digest taken from the kept ones: its entry, kept again.
    Taken(kept::Entry),
    /// A digest read and parsed: its entry (when it parsed cleanly) and the version the
    /// kept digests have.
    Parsed(Option<kept::Entry>, Option<kept::Before>),
}

/// Digests kept by the previous build, those this one keeps and those it parsed with
/// their previous version.
type Keeping<'a> = (
    &'a kept::KeptDigests,
    &'a mut Vec<kept::Entry>,
    &'a mut Vec<(PathBuf, Option<kept::Before>)>,
);

fn load_with(
    root: &Path,
    mut cache: Option<&mut LoadCache>,
    keeping: Option<Keeping>,
) -> (Content, Vec<Diagnostic>) {
    let start = SystemTime::now();
    let content_dir = root.join("content");
    let mut errors = Vec::new();
    let mut files: Vec<(PathBuf, Kind)> = Vec::new();
    if !content_dir.is_dir() {
        errors.push(
            Diagnostic::new("content", "no content/ folder")
                .hint("create content/episodes/ and put digests there, or run `castdown init`"),
        );
        return (Content::default(), errors);
    }
    let walker = WalkDir::new(&content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    // The folder directly under content/ that the walk is in: it goes depth first, each
    // folder before what it holds. (Taking every path apart again, from the site folder
    // down, was most of a reusing build's walk.)
    let mut top = String::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| content_dir.clone());
                errors.push(Diagnostic::new(rel(root, &p), format!("cannot read: {e}")));
                continue;
            }
        };
        // How many names the path has under content/.
        let depth = entry.depth();
        if depth == 1 && entry.file_type().is_dir() {
            top = entry.file_name().to_string_lossy().into_owned();
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            // Transcripts and other assets are read when a digest references them.
            continue;
        }
        let kind = match top.as_str() {
            _ if depth == 1 => Some(Kind::Page),
            "episodes" => Some(Kind::Digest),
            "concepts" if depth == 2 => Some(Kind::Curated(CuratedKind::Concept)),
            "shows" if depth == 2 => Some(Kind::Curated(CuratedKind::Show)),
            "people" if depth == 2 => Some(Kind::Curated(CuratedKind::Person)),
            _ => None,
        };
        match kind {
            Some(k) => files.push((path.to_path_buf(), k)),
            None => errors.push(
                Diagnostic::new(rel(root, path), "Markdown file in an unexpected place")
                    .hint("digests go under content/episodes/; descriptions directly in content/concepts/, content/shows/ or content/people/; pages directly in content/"),
            ),
        }
    }

    let keep = cache.is_some();
    let previous = cache
        .as_deref_mut()
        .map(|c| std::mem::take(&mut c.entries))
        .unwrap_or_default();
    let kept = keeping.as_ref().map(|k| k.0);
    let results: Vec<Loaded> = files
        .par_iter()
        .map(|(path, kind)| {
            if let Some((stamp, result)) = previous.get(path)
                && let Some(now) = stamp.again(path)
            {
                return (path.clone(), now, result.clone(), Keep::Nothing);
            }
            if let (Some(kept), Kind::Digest) = (kept, kind) {
                if let Some((d, entry)) = kept.get(path) {
                    return (
                        path.clone(),
                        Stamp::default(),
                        Ok(Item::Digest(d)),
                        Keep::Taken(entry),
                    );
                }
                let (result, entry) = parse_file(root, path, kind, Parse::Keeping(start));
                let before = kept.before(path);
                return (
                    path.clone(),
                    Stamp::default(),
                    result,
                    Keep::Parsed(entry, before),
                );
            }
            let mode = if keep { Parse::Serve } else { Parse::Build };
            let (result, _) = parse_file(root, path, kind, mode);
            // A stat per file (and per file a digest read), for nothing when no load comes after.
            let stamp = if keep {
                Stamp::of_parse(root, path, &result)
            } else {
                Stamp::default()
            };
            (path.clone(), stamp, result, Keep::Nothing)
        })
        .collect();
    let mut content = Content::default();
    let mut keeping = keeping.map(|(_, keep, parsed)| (keep, parsed));
    for (path, stamp, r, entry) in results {
        if let Some((keep, parsed)) = keeping.as_mut() {
            match entry {
                Keep::Nothing => {}
                Keep::Taken(e) => keep.push(e),
                Keep::Parsed(e, before) => {
                    keep.extend(e);
                    parsed.push((rel(root, &path), before));
                }
            }
        }
        match &r {
            Ok(Item::Digest(d)) => content.digests.push(d.clone()),
            Ok(Item::Curated(c)) => content.curated.push(c.clone()),
            Ok(Item::Page(p)) => content.pages.push(p.clone()),
            Err(e) => errors.extend(e.iter().cloned()),
        }
        if let Some(c) = cache.as_deref_mut() {
            c.entries.insert(path, (stamp, r));
        }
    }
    (content, errors)
}

/// What a load keeps of a digest besides the digest.
#[derive(Clone, Copy)]
enum Parse {
    /// Nothing: a build reads the body again when it renders it (`Digest::read_body`);
    /// holding every source until then was a quarter of its peak memory.
    Build,
    /// The body and `Digest::source_hash` (a SipHash over every byte, a percent of a build
    /// that never reads it), for serve.
    Serve,
    /// As `Build`, and the digest's entry for the next build (`kept`), whose stamps are
    /// trusted only for files modified well before the build started (at the instant given).
    Keeping(SystemTime),
}

/// Reads and parses one file; with `Parse::Keeping`, a digest comes with its entry for
/// the next build.
fn parse_file(
    root: &Path,
    path: &Path,
    kind: &Kind,
    mode: Parse,
) -> (Result<Item, Vec<Diagnostic>>, Option<kept::Entry>) {
    let shown = rel(root, path);
    let text = match read_text(path, &shown) {
        Ok(t) => t,
        Err(d) => return (Err(vec![d]), None),
    };
    let item = match kind {
        Kind::Digest => {
            let dir = path.parent().unwrap_or(root);
            let mut d = match digest::parse_digest(&shown, dir, root, &text) {
                Ok(d) => d,
                Err(e) => return (Err(e), None),
            };
            if let Parse::Serve = mode {
                d.source_hash = Some(digest::source_hash(&text));
                return (Ok(Item::Digest(Arc::new(d))), None);
            }
            let body = d.body.take().unwrap_or_default();
            let d = Arc::new(d);
            let entry = match mode {
                Parse::Keeping(start) => Some(kept::Entry::new(root, path, &body, &d, start)),
                _ => None,
            };
            return (Ok(Item::Digest(d)), entry);
        }
        Kind::Curated(k) => curated::parse_curated(*k, &shown, &text).map(Item::Curated),
        Kind::Page => page::parse_page(&shown, &text).map(Item::Page),
    };
    (item, None)
}

/// `path` relative to `root` when inside it.
pub fn rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}
