//! What the edits since the previous build reach, for a build that reuses it. Declaring
//! every page to compare its fingerprint with the record was most of such a build's time
//! after an edit to one digest. When this build knows which digests the previous output was
//! made from, and every digest that changed since keeps the model's shape (the edits serve
//! redoes without a build: a body, or what an episode's card shows; `episode::classify`),
//! it makes only the pages and files that show the edited episodes (`render::pages`'s
//! `of_episode` and `showing_episode`, which serve uses too) and keeps every other page,
//! `digest.json` and feed as the previous build left it, without declaring it. Anything else
//! (a new, deleted or renamed digest, a date, a show, a concept's definition, a page or a
//! curated description) and the build declares every page, as before. See
//! `docs/architecture.md`, "Builds that reuse the last one".

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::episode::{Edit, classify};
use crate::load::kept::Before;
use crate::output::OutputFile;
use crate::output::reuse::{Generation, Previous};
use crate::render::Job;
use crate::site::{Site, paths};

/// The pages and files a reusing build makes; the others it keeps.
#[derive(Debug)]
pub(super) struct Reach {
    /// Episodes whose pages are made (edited, or showing an edited episode's card).
    pages_of: Vec<bool>,
    /// Episodes whose digest changed: their `digest.json` is made.
    edited: Vec<bool>,
    /// The other pages made.
    pages: BTreeSet<Job>,
    /// Episodes whose card changed: the term feeds holding them are made.
    cards: Vec<usize>,
    /// Whether the site feeds are made (with the bodies of the newest `feed_limit`).
    feeds: bool,
    /// The site feeds as the previous build left them, when they are not made.
    kept_feeds: Option<Vec<OutputFile>>,
    feed_limit: usize,
}

/// Why a build declares every page (said with `CASTDOWN_TIMINGS`).
pub(super) type Everything = String;

/// What a build knows of the previous one besides its record.
pub(super) struct Known<'a> {
    /// The generation the kept digests name (0 when none were read: no build draws 0).
    pub kept: u64,
    /// The hash of what this build's pages are made from besides digests
    /// ([`others_hash`], [`with_schedule`]).
    pub others: u64,
    /// The digests this build parsed, with the version the kept digests have.
    pub parsed: &'a [(PathBuf, Option<Before>)],
}

/// A hash of what pages are made from besides digests, config and templates: standalone
/// pages and curated descriptions reach pages this module cannot name (menus, term
/// descriptions on every card's page), and so do files under `static/` (the width and
/// height of a cover, a show's or the site's image are read from them), known by their
/// stamps.
pub(super) fn others_hash(content: &crate::load::Content, root: &Path) -> u64 {
    use std::fmt::Write as _;
    let mut text = format!("{:?}{:?}", content.pages, content.curated);
    for entry in walkdir::WalkDir::new(root.join("static"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
    {
        let stamp = crate::load::kept::FileStamp::of(entry.path());
        let _ = write!(text, "\n{}{stamp:?}", entry.path().display());
    }
    crate::hash::bytes(text.as_bytes())
}

/// [`others_hash`] with the episodes published ahead of their date (`--future`), whose
/// cards say `scheduled` until the date passes: a build after it must make those cards
/// again though no file changed.
pub(super) fn with_schedule(others: u64, site: &Site) -> u64 {
    site.episodes
        .iter()
        .filter(|e| e.digest.date.timestamp() > site.now)
        .map(|e| crate::hash::bytes(e.digest.path.to_string_lossy().as_bytes()))
        .fold(others, crate::hash::fold)
}

impl Reach {
    /// What this build's edits reach, or why it must declare every page.
    pub fn of_edits(site: &Site, previous: &Previous, known: &Known) -> Result<Reach, Everything> {
        let Generation { number, others } = previous.generation();
        if known.kept != number {
            return Err("the kept digests are not those the previous output was made from".into());
        }
        if others != known.others {
            return Err(
                "a standalone page, a curated description or a file under static/ changed".into(),
            );
        }
        let n = site.episodes.len();
        let mut reach = Reach {
            pages_of: vec![false; n],
            edited: vec![false; n],
            pages: BTreeSet::new(),
            cards: Vec::new(),
            feeds: false,
            kept_feeds: None,
            feed_limit: site.config.feed_limit,
        };
        let index: HashMap<&Path, usize> = site
            .episodes
            .iter()
            .enumerate()
            .map(|(i, e)| (e.digest.path.as_path(), i))
            .collect();
        for (path, before) in known.parsed {
            let shown = path.display();
            // A draft or a digest dated in the future is in no file. It was in none in the
            // previous build either, or its page would be missing now ([`same_pages`]).
            let Some(&i) = index.get(path.as_path()) else {
                continue;
            };
            let Some(before) = before else {
                return Err(format!("{shown} is new"));
            };
            if !before.transcript_unchanged {
                return Err(format!("{shown}: its transcript changed"));
            }
            let new = &site.episodes[i].digest;
            let mut old = (*before.digest).clone();
            // Kept digests leave their cues out; the file is as it was.
            old.transcript_data = new.transcript_data.clone();
            let jobs = match classify(&old, new) {
                Edit::Nothing => continue,
                Edit::Model => return Err(format!("{shown}: the edit changes the model")),
                Edit::Card if old.concepts != new.concepts => {
                    return Err(format!("{shown}: the edit changes definitions"));
                }
                Edit::Body => crate::render::pages::of_episode(site, i),
                Edit::Card => {
                    reach.cards.push(i);
                    crate::render::pages::showing_episode(site, i)
                }
            };
            reach.edited[i] = true;
            reach.feeds |= i < site.config.feed_limit;
            for job in jobs {
                match job {
                    Job::Episode(j) | Job::Transcript(j) => reach.pages_of[j] = true,
                    other => {
                        reach.pages.insert(other);
                    }
                }
            }
        }
        same_pages(site, previous)?;
        // A feed changed in the output by hand is made again, with the bodies it shows.
        if !reach.feeds {
            reach.kept_feeds = [paths::ATOM, paths::RSS, paths::JSON_FEED]
                .iter()
                .map(|p| kept(previous, p))
                .collect();
            reach.feeds = reach.kept_feeds.is_none();
        }
        Ok(reach)
    }

    /// Whether episode `i`'s pages and `digest.json` are made (else they are kept). The
    /// site feeds show the newest episodes' bodies: when they are made, so are those.
    pub fn makes_episode(&self, i: usize) -> bool {
        self.pages_of.get(i).copied().unwrap_or(true)
            || self.edited.get(i).copied().unwrap_or(true)
            || (self.feeds && i < self.feed_limit)
    }

    /// Whether a page other than an episode's is made (else it is kept).
    pub fn makes_page(&self, job: &Job) -> bool {
        self.pages.contains(job)
    }

    /// Whether a term feed holding `episodes` is made (else it is kept).
    pub fn makes_term_feed(&self, episodes: &[usize]) -> bool {
        self.cards.iter().any(|i| episodes.contains(i))
    }

    /// The site feeds as the previous build left them, unless they are made.
    pub fn kept_feeds(&mut self) -> Option<Vec<OutputFile>> {
        self.kept_feeds.take()
    }

    /// How many published digests changed in what a file shows.
    pub fn changed(&self) -> usize {
        self.edited.iter().filter(|e| **e).count()
    }
}

/// The previous output's file at `path` as it is, when the record says so.
pub(super) fn kept(previous: &Previous, path: &str) -> Option<OutputFile> {
    let (entry, fp) = previous.unchanged(path)?;
    Some(OutputFile::kept(path, entry, fp))
}

/// Checks that this build has the pages the previous one recorded, no more and no fewer:
/// a page is kept only where its path is the same page of the same site.
fn same_pages(site: &Site, previous: &Previous) -> Result<(), Everything> {
    let mut expected: HashSet<String> = crate::render::pages::all(site, true)
        .iter()
        .map(|job| paths::index_file(&job.path(site)))
        .collect();
    expected.extend(site.episodes.iter().map(|e| e.data_path()));
    // The search index's files have fingerprints too (of their JSON): not pages.
    let pages = || {
        previous
            .files()
            .filter(|(p, fp)| *fp != 0 && (p.ends_with(".html") || p.ends_with(paths::DIGEST_JSON)))
    };
    let recorded = pages().count();
    let all_there = pages().all(|(p, _)| expected.contains(p));
    if recorded != expected.len() || !all_there {
        return Err("the site's pages are not the previous build's".into());
    }
    Ok(())
}
