//! What the edits since the previous build reach, for a build that reuses it. Declaring
//! every page to compare its fingerprint with the record was most of such a build's time
//! after an edit to one digest. When this build knows which digests the previous output was
//! made from, and every digest that changed since keeps the model's shape (the edits serve
//! redoes without a build: a body, or what an episode's card shows; `edit::classify`),
//! it makes only the pages and files that show the edited episodes (`render::pages`'s
//! `of_episode` and `showing_episode`, which serve uses too) and keeps every other page,
//! `digest.json` and feed as the previous build left it, without declaring it. New digests
//! (and nothing else changed) reach what shows them and what they shift ([`Reach::add`]);
//! so do removed digests ([`Reach::remove`]), and a digest moved to another file keeps its
//! slug and is compared as an edit. Anything else (a new slug, a date, a show, a concept's
//! definition, a page or a curated description, a new or removed digest that renames a
//! term) and the build declares every page, as before. See `docs/architecture.md`, "Builds that reuse the last one".

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::edit::{Edit, classify};
use crate::load::Digest;
use crate::load::kept::Before;
use crate::output::OutputFile;
use crate::output::reuse::{Generation, Previous};
use crate::render::{Job, pages};
use crate::site::{Site, TermKind, paths};

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
    /// Terms whose feed held a removed digest: made again. A term left with no episode
    /// (kept by its curated page) holds no card that would say so.
    term_feeds: Vec<(TermKind, usize)>,
    /// Whether the site feeds are made (with the bodies of the newest `feed_limit`).
    feeds: bool,
    /// The site feeds as the previous build left them, when they are not made.
    kept_feeds: Option<Vec<OutputFile>>,
    feed_limit: usize,
    /// Whether an edit changed which people a digest names: the terms must be the
    /// previous build's ([`terms_key`]), or every page is declared.
    renamed_people: bool,
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
    /// Each episode's related episodes as the previous build computed them, in its
    /// episodes' order (`None`: not recorded).
    pub related: Option<&'a [Vec<usize>]>,
    /// Kept digests whose files are gone, as the kept digests have them (some may be
    /// older than the previous build: only those it published count).
    pub gone: &'a [Arc<Digest>],
}

/// What serve keeps of its last full build for the next one's reach
/// ([`Reach::in_memory`]): the published digests in order, their related episodes, the
/// terms' hash and the hash of everything else pages are made from.
pub struct Last {
    others: u64,
    terms: u64,
    episodes: Vec<Arc<Digest>>,
    related: Vec<Vec<usize>>,
}

impl Last {
    /// What the next build needs of `site`, built with `others` ([`others_hash`] and
    /// [`with_schedule`]).
    pub(super) fn of(site: &Site, others: u64) -> Last {
        Last {
            others,
            terms: terms_key(site, &[]),
            episodes: site.episodes.iter().map(|e| e.digest.clone()).collect(),
            related: site.episodes.iter().map(|e| e.related.clone()).collect(),
        }
    }
}

/// Whether a digest's `image` is a file on the site (beside it, or under `static/`, which
/// [`others_hash`] leaves to the digest's stamps): pages show its width and height, read
/// from the file, so the digest parsed again may show another size though it reads the same.
fn own_cover(d: &Digest) -> bool {
    d.image.as_deref().is_some_and(|w| !w.contains("://"))
}

/// A hash of what pages are made from besides digests, config and templates: standalone
/// pages and curated descriptions reach pages this module cannot name (menus, term
/// descriptions on every card's page), and so do the site's image (`site_image`, the
/// config's `image`) and the curated images under `static/`, whose width and height pages
/// show (`Site::image`), known by their files' stamps.
///
/// No other file under `static/` is read by a page: a digest's media file and cover are
/// among the files its parse read (`load::kept::static_files`), so a change to one has the
/// digest parsed again and compared as edited (an enclosure's length, a cover's size); the
/// rest are copied as they are (`Output::add_static`). So an episode published with its
/// audio and cover, or a file put in `static/` for download, reaches only what it shows.
pub(super) fn others_hash(
    content: &crate::load::Content,
    root: &Path,
    site_image: Option<&str>,
) -> u64 {
    use std::fmt::Write as _;
    let static_dir = root.join("static");
    let images: BTreeSet<PathBuf> = site_image
        .into_iter()
        .chain(content.curated.iter().filter_map(|c| c.image.as_deref()))
        .filter_map(|written| written.strip_prefix('/'))
        .map(|rel| static_dir.join(rel))
        .collect();
    let mut text = format!("{:?}{:?}", content.pages, content.curated);
    for image in images {
        let stamp = crate::load::kept::FileStamp::of(&image);
        let _ = write!(text, "\n{}{stamp:?}", image.display());
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
    /// A reach of nothing yet: every page kept.
    fn nothing(site: &Site) -> Reach {
        let n = site.episodes.len();
        Reach {
            pages_of: vec![false; n],
            edited: vec![false; n],
            pages: BTreeSet::new(),
            cards: Vec::new(),
            term_feeds: Vec::new(),
            feeds: false,
            kept_feeds: None,
            feed_limit: site.config.feed_limit,
            renamed_people: false,
        }
    }

    /// What this build's edits reach, or why it must declare every page.
    pub fn of_edits(site: &Site, previous: &Previous, known: &Known) -> Result<Reach, Everything> {
        let Generation {
            number,
            others,
            terms,
        } = previous.generation();
        if known.kept != number {
            return Err("the kept digests are not those the previous output was made from".into());
        }
        if others != known.others {
            return Err(
                "a standalone page, a curated description, or the site's or a curated image under static/ changed".into(),
            );
        }
        let mut reach = Reach::nothing(site);
        // Only for the digests parsed again, and only when there are some: at 100,000
        // digests, hashing every path (a `Path` hashes component by component) was a
        // fifth of what a build after no edit spent here.
        let index: HashMap<&Path, usize> = if known.parsed.is_empty() {
            HashMap::new()
        } else {
            site.episodes
                .iter()
                .enumerate()
                .map(|(i, e)| (e.digest.path.as_path(), i))
                .collect()
        };
        // Published digests the previous build did not have.
        let mut added: Vec<usize> = Vec::new();
        // A digest parsed again that is in no file now (a draft, or dated in the future)
        // and was published by the previous build.
        let mut unpublished = None;
        let published = |slug: &str| published(previous, slug);
        for (path, before) in known.parsed {
            let before = published_version(previous, before);
            let shown = path.display();
            // A draft or a digest dated in the future is in no file. It was in none in the
            // previous build either, or its page would be missing now ([`same_pages`]).
            let Some(&i) = index.get(path.as_path()) else {
                if before.is_some() {
                    unpublished = Some(shown.to_string());
                }
                continue;
            };
            // Moved: a gone digest of its slug is its version in the previous build (a file
            // moved to another folder, or away and back), whatever the kept digests hold
            // for its own path. Only one can be: the previous build published the slug once.
            let new = &site.episodes[i].digest;
            let mut from = known
                .gone
                .iter()
                .filter(|g| g.slug == new.slug && published(&g.slug));
            if let Some(moved) = from.next() {
                if from.next().is_some() {
                    return Err(format!("{shown}: more than one gone digest had its slug"));
                }
                reach.moved(site, i, moved, &shown.to_string())?;
                continue;
            }
            // New, or back after a build that did not publish it (the kept digests keep the
            // version of a digest removed since): its pages are not the previous build's.
            let Some(before) = before else {
                added.push(i);
                continue;
            };
            let mut old = (*before.digest).clone();
            // Its transcript file is as it was (its stamp says so): this build's parse of it
            // stands for the kept one. Else the kept one is compared (`Reach::edit`).
            if before.transcript_unchanged {
                old.transcript_data = site.episodes[i].digest.transcript_data.clone();
            }
            // Parsed again though unchanged, or with its body alone changed: a file it read
            // changed, which may be its cover beside it.
            let cover = own_cover(&site.episodes[i].digest);
            reach.edit(site, i, (&old, cover), &shown.to_string())?;
        }
        // The digests the previous build published whose files are gone (a kept digest of
        // a slug published now is older than the previous build, from a renamed file).
        let slugs: HashSet<&str> = if known.gone.is_empty() {
            HashSet::new()
        } else {
            site.episodes
                .iter()
                .map(|e| e.digest.slug.as_str())
                .collect()
        };
        let removed: Vec<&Arc<Digest>> = known
            .gone
            .iter()
            .filter(|d| !slugs.contains(d.slug.as_str()) && published(&d.slug))
            .collect();
        let change = match (added.is_empty(), removed.is_empty()) {
            (true, true) => {
                if reach.renamed_people && terms_key(site, &[]) != terms {
                    return Err(
                        "an edit names a person no other digest names, or no longer \
                         names one, or changes a person's spelling"
                            .into(),
                    );
                }
                Change::Edits
            }
            (false, true) => {
                // Edits beside them (a typo mended in an older digest as a new one is
                // published) keep the model's shape: the order, terms, definitions and
                // related episodes the new digests are placed among are the previous
                // build's, so what each reaches adds up.
                added.sort_unstable();
                reach.add(site, &added, terms, known.related)?;
                Change::Added
            }
            (true, false) => {
                // Edits beside a removal add up as beside new digests; a published digest
                // made a draft is a removal the kept digests cannot place: every page.
                if let Some(other) = unpublished {
                    return Err(format!("digests removed, and {other} unpublished"));
                }
                reach.remove(site, &removed, terms, known.related)?;
                Change::Removed
            }
            (false, false) => return Err("a digest is new and another is gone".into()),
        };
        same_pages(site, previous, change)?;
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

    /// What a change to the people digest `i` names (from `old`'s to `new`'s) reaches
    /// beyond its card: every page of each person it names or named (their lists shift,
    /// their profiles count its show and concepts) and their feeds, the lists of people
    /// (counts), and the first page of its show (whose profile counts its people). The
    /// people themselves must be the previous build's ([`terms_key`], checked once every
    /// edit is in); so a person it names is found now.
    fn people_moved(&mut self, site: &Site, i: usize, old: &Digest, new: &Digest) -> Vec<Job> {
        let mut jobs = pages::term_lists(TermKind::Person).to_vec();
        for name in old.people.iter().chain(&new.people) {
            if let Some(p) = site.find_term(TermKind::Person, name) {
                jobs.extend(pages::term_pages(site, TermKind::Person, p));
                self.term_feeds.push((TermKind::Person, p));
            }
        }
        if let Some(s) = site.episodes[i].show {
            jobs.push(pages::first_term_page(site, TermKind::Show, s));
        }
        jobs
    }

    /// Adds what the edit of episode `i` from `old` reaches (`shown`: its file, for the
    /// reason when the edit reaches every page). With `cover`, its cover beside it may have
    /// changed too: what shows its card shows the cover's width and height, read from the
    /// file, which the digest does not hold.
    ///
    /// Its transcript's text changed alone (the same file, read again) is shown by the
    /// episode's own pages and `digest.json` only (cue counts, word count, the transcript
    /// page), as a body edit is; a transcript added, taken away or another file changes
    /// which files the site has, and the model.
    fn edit(
        &mut self,
        site: &Site,
        i: usize,
        (old, cover): (&Digest, bool),
        shown: &str,
    ) -> Result<(), Everything> {
        let new = &site.episodes[i].digest;
        let retold = old.transcript == new.transcript
            && matches!((&old.transcript_data, &new.transcript_data),
                (Some(a), Some(b)) if a.hash != b.hash);
        let people = old.people != new.people;
        let edit = if retold || people {
            let mut was = old.clone();
            if retold {
                was.transcript_data = new.transcript_data.clone();
            }
            if people {
                was.people = new.people.clone();
            }
            let edit = classify(&was, new);
            match (retold, people) {
                (_, true) => edit.max(Edit::Card),
                _ => edit.max(Edit::Body),
            }
        } else {
            classify(old, new)
        };
        let edit = match edit {
            Edit::Nothing | Edit::Body if cover => Edit::Card,
            edit => edit,
        };
        let jobs = match edit {
            Edit::Nothing => return Ok(()),
            Edit::Model => return Err(format!("{shown}: the edit changes the model")),
            // The same concepts (else the model changed) with other definitions: also the
            // pages comparing its concepts' definitions, and the digests borrowing them
            // (serve's one-episode path reaches the same). Every concept of the episode,
            // whether or not its own definition changed, and its borrowers whatever the most
            // common definition was: the previous build's comparison is not at hand. A full
            // list of definitions that gains or loses a page changes the pages the site has,
            // which `same_pages` refuses.
            Edit::Card if old.concepts != new.concepts => {
                self.cards.push(i);
                let mut jobs = pages::showing_episode(site, i);
                let concepts: Vec<(usize, bool)> = site.episodes[i]
                    .concepts
                    .iter()
                    .map(|c| (c.concept, true))
                    .collect();
                jobs.extend(pages::redefining(site, &concepts));
                jobs
            }
            Edit::Body => pages::of_episode(site, i),
            Edit::Card => {
                self.cards.push(i);
                pages::showing_episode(site, i)
            }
        };
        let jobs = if people {
            self.renamed_people = true;
            let mut jobs = jobs;
            jobs.extend(self.people_moved(site, i, old, new));
            jobs
        } else {
            jobs
        };
        self.edited[i] = true;
        self.feeds |= i < site.config.feed_limit;
        for job in jobs {
            match job {
                Job::Episode(j) | Job::Transcript(j) => self.pages_of[j] = true,
                other => {
                    self.pages.insert(other);
                }
            }
        }
        Ok(())
    }

    /// Adds what episode `i` reaches, its digest moved from `from` (its version in the
    /// previous build, at another path): an edit from that version, the path aside (no
    /// page shows it; files beside it that moved with it, a transcript or an asset, are
    /// another path and change the model).
    fn moved(
        &mut self,
        site: &Site,
        i: usize,
        from: &Digest,
        shown: &str,
    ) -> Result<(), Everything> {
        let new = &site.episodes[i].digest;
        let mut old = from.clone();
        old.path = new.path.clone();
        // It was read again: its cover may be another file now.
        self.edit(site, i, (&old, own_cover(new)), shown)
    }

    /// What the changes since serve's last full build reach (`last`, with `others` this
    /// build's [`others_hash`] and [`with_schedule`]): the same rules as a build on disk,
    /// with the last build's model at hand instead of the kept digests and the record.
    /// Digests are compared by identity first (serve's load cache hands back the same
    /// digest for a file that did not change). A digest made a draft or scheduled is a
    /// removed one here: the last build's model says exactly what it published.
    pub(super) fn in_memory(site: &Site, last: &Last, others: u64) -> Result<Reach, Everything> {
        if others != last.others {
            return Err(
                "a standalone page, a curated description, or the site's or a curated image under static/ changed".into(),
            );
        }
        let mut reach = Reach::nothing(site);
        let before: HashMap<&Path, &Arc<Digest>> = last
            .episodes
            .iter()
            .map(|d| (d.path.as_path(), d))
            .collect();
        let mut added = Vec::new();
        let now: HashSet<&Path> = site
            .episodes
            .iter()
            .map(|e| e.digest.path.as_path())
            .collect();
        // Digests of the last build whose files are gone, by slug: a new file of the same
        // slug is the same digest moved.
        let mut gone: HashMap<&str, &Arc<Digest>> = last
            .episodes
            .iter()
            .filter(|d| !now.contains(d.path.as_path()))
            .map(|d| (d.slug.as_str(), d))
            .collect();
        for (i, e) in site.episodes.iter().enumerate() {
            let Some(old) = before.get(e.digest.path.as_path()) else {
                match gone.remove(e.digest.slug.as_str()) {
                    Some(from) => {
                        let shown = e.digest.path.display().to_string();
                        reach.moved(site, i, from, &shown)?;
                    }
                    None => added.push(i),
                }
                continue;
            };
            // serve's load cache hands back the same digest while no file it read changed
            // (its cover beside it among them); one read again is compared as a build on
            // disk compares a digest parsed again.
            if Arc::ptr_eq(old, &e.digest) {
                continue;
            }
            let shown = e.digest.path.display().to_string();
            reach.edit(site, i, (old, own_cover(&e.digest)), &shown)?;
        }
        let mut removed: Vec<&Arc<Digest>> = gone.into_values().collect();
        removed.sort_by(|a, b| a.path.cmp(&b.path));
        let related = Some(last.related.as_slice());
        match (added.is_empty(), removed.is_empty()) {
            (true, true) => {
                if reach.renamed_people && terms_key(site, &[]) != last.terms {
                    return Err(
                        "an edit names a person no other digest names, or no longer \
                         names one, or changes a person's spelling"
                            .into(),
                    );
                }
            }
            // As on disk: edits beside new or removed digests add up.
            (false, true) => reach.add(site, &added, last.terms, related)?,
            (true, false) => reach.remove(site, &removed, last.terms, related)?,
            (false, false) => return Err("a digest is new and another is gone".into()),
        }
        Ok(reach)
    }

    /// Adds what new digests (episodes `added`, ascending) reach, when every other digest
    /// is as the previous build had it or edited in its body or card alone (the model's
    /// order, terms, definitions and related episodes are then what the new digests
    /// change): their own pages; the pages that show their cards
    /// (the episodes listing them as related, previous or next, the pages of their terms'
    /// lists, the digests borrowing their definitions); every home page, every page of
    /// their terms' lists and of their concepts' definitions, and the lists of terms (the
    /// new episodes shift them, and change their counts); the episodes whose related
    /// episodes changed (a new episode changes every concept's weight: rankings may move
    /// anywhere); and the digests borrowing a definition that is now another's. Every
    /// other page shows nothing of the new episodes, as long as no existing term's name
    /// or slug changed (`terms`, the previous build's [`terms_key`]), on which every card
    /// depends. See `docs/architecture.md` ("What an edit reaches").
    fn add(
        &mut self,
        site: &Site,
        added: &[usize],
        terms: u64,
        related_before: Option<&[Vec<usize>]>,
    ) -> Result<(), Everything> {
        let is_new = |i: &usize| added.binary_search(i).is_ok();
        if terms_key(site, added) != terms {
            return Err("a new digest renames an existing concept, show or person".into());
        }
        // A body whose Key Concepts list may name any concept links to a new one.
        let new_concept = site.concepts.iter().any(|t| named_only_by(t, added));
        if new_concept
            && site
                .episodes
                .iter()
                .any(|e| e.digest.key_concepts_in_body && e.digest.concepts_in_front_matter)
        {
            return Err("a new concept, which Key Concepts lists may link to".into());
        }
        let Some(before) = related_before else {
            return Err("the previous build's related episodes are not recorded".into());
        };
        let n = site.episodes.len();
        if before.len() + added.len() != n {
            return Err("a digest is new and another is gone".into());
        }
        // The previous build's episode `o` is this build's `was[o]`.
        let was: Vec<Option<usize>> = (0..n).filter(|i| !is_new(i)).map(Some).collect();
        self.related_changed(site, before, &was)?;
        let mut jobs: Vec<Job> = Vec::new();
        for &i in added {
            self.edited[i] = true;
            self.cards.push(i);
            self.feeds |= i < site.config.feed_limit;
            jobs.extend(pages::showing_episode(site, i));
            let e = &site.episodes[i];
            for (kind, t) in e.terms() {
                jobs.extend(pages::term_pages(site, kind, t));
            }
            // The definition digests naming a concept without defining it borrow: the most
            // common one, as it was without the new digests, and as it is.
            for c in &e.concepts {
                let concept = &site.concepts[c.concept];
                if concept.curated_summary().is_some() {
                    continue;
                }
                let without: Vec<usize> = concept
                    .episodes
                    .iter()
                    .copied()
                    .filter(|j| !is_new(j))
                    .collect();
                let then = crate::site::definitions::compare(&site.episodes, c.concept, &without)
                    .common
                    .map(|d| d.episode);
                if then != concept.definitions.common.map(|d| d.episode) {
                    jobs.extend(pages::borrowing(site, c.concept, None));
                }
            }
        }
        self.shifted(site, jobs);
        Ok(())
    }

    /// Adds what removed digests (`removed`, as the previous build had them) reach, when
    /// every other digest is as the previous build had it or edited in its body or card
    /// alone (as for [`Reach::add`]): the same as a new digest's, seen
    /// from the other side. Every home page, every page of their terms' lists and of their
    /// concepts' definitions, and the lists of terms (they shift, and their counts change);
    /// the term feeds that held them; the episodes whose related episodes changed (they
    /// listed a removed one, or its concepts' weights moved a ranking); the episodes of the
    /// same show before and after each (their previous and next); and every digest borrowing
    /// a concept's definition that a removed digest gave (the most common may be another
    /// now). Falls back to every page when a removed digest was the only one naming a term,
    /// or its spelling named one (`terms`, the previous build's [`terms_key`]).
    fn remove(
        &mut self,
        site: &Site,
        removed: &[&Arc<Digest>],
        terms: u64,
        related_before: Option<&[Vec<usize>]>,
    ) -> Result<(), Everything> {
        if terms_key(site, &[]) != terms {
            return Err(
                "a removed digest named a concept, show or person no other names, \
                 or spelled one's name"
                    .into(),
            );
        }
        let Some(before) = related_before else {
            return Err("the previous build's related episodes are not recorded".into());
        };
        let n = site.episodes.len();
        if before.len() != n + removed.len() {
            return Err("the previous build's episodes are not these and the removed ones".into());
        }
        // Where each removed digest stood among this build's episodes, and in the previous
        // build's order (this build's before it, and the removed before it).
        let mut removed: Vec<&Arc<Digest>> = removed.to_vec();
        removed.sort_by(|a, b| crate::site::newest_first(a, b));
        let at: Vec<usize> = removed
            .iter()
            .map(|d| {
                site.episodes
                    .partition_point(|e| crate::site::newest_first(&e.digest, d).is_lt())
            })
            .collect();
        let gone_at: Vec<usize> = at.iter().enumerate().map(|(k, &i)| i + k).collect();
        // The previous build's episode `o` is this build's `was[o]` (`None`: removed).
        let mut was: Vec<Option<usize>> = Vec::with_capacity(n + removed.len());
        let mut next = 0;
        for o in 0..n + removed.len() {
            if gone_at.binary_search(&o).is_ok() {
                was.push(None);
            } else {
                was.push(Some(next));
                next += 1;
            }
        }
        self.related_changed(site, before, &was)?;
        let mut jobs: Vec<Job> = Vec::new();
        for (d, &i) in removed.iter().zip(&at) {
            self.feeds |= i < site.config.feed_limit;
            let mut named: Vec<(TermKind, usize)> = Vec::new();
            let mut find = |kind: TermKind, name: &str| match site.find_term(kind, name) {
                Some(t) => {
                    named.push((kind, t));
                    Ok(t)
                }
                None => Err(format!("{}: a term it named is gone", d.path.display())),
            };
            for c in &d.concepts {
                let t = find(TermKind::Concept, &c.name)?;
                // Its definition may have been the most common one, which digests borrow.
                if c.definition.is_some() {
                    jobs.extend(pages::borrowing(site, t, None));
                }
            }
            if let Some(show) = &d.show {
                let s = find(TermKind::Show, show)?;
                // Its neighbours in the show are each other's previous and next now.
                let list = &site.shows[s].episodes;
                let q = list.partition_point(|&j| j < i);
                for k in [q.checked_sub(1), Some(q)].into_iter().flatten() {
                    if let Some(&j) = list.get(k) {
                        self.pages_of[j] = true;
                    }
                }
            }
            for p in &d.people {
                find(TermKind::Person, p)?;
            }
            for (kind, t) in named {
                jobs.extend(pages::term_pages(site, kind, t));
                // The term's feed held it: made again, even when the term has no episode
                // left to mark as a changed card.
                self.term_feeds.push((kind, t));
            }
        }
        self.shifted(site, jobs);
        Ok(())
    }

    /// Marks the episodes whose related episodes differ from the previous build's
    /// (`before`, in its order; its episode `o` is this build's `was[o]`, `None` when gone).
    fn related_changed(
        &mut self,
        site: &Site,
        before: &[Vec<usize>],
        was: &[Option<usize>],
    ) -> Result<(), Everything> {
        for (o, list) in before.iter().enumerate() {
            let Some(j) = was.get(o).copied().flatten() else {
                continue;
            };
            let Some(now) = site.episodes.get(j).map(|e| &e.related) else {
                return Err("the previous build's related episodes are damaged".into());
            };
            if list.len() != now.len()
                || list
                    .iter()
                    .zip(now)
                    .any(|(&b, &a)| was.get(b).copied().flatten() != Some(a))
            {
                self.pages_of[j] = true;
            }
        }
        Ok(())
    }

    /// Makes `jobs`, every home page and the lists of terms: what a digest added or
    /// removed shifts (the home pages count from the newest) or recounts.
    fn shifted(&mut self, site: &Site, mut jobs: Vec<Job>) {
        let per = site.config.paginate.max(1);
        let total = paths::page_count(site.episodes.len(), per);
        jobs.extend((1..=total).map(|k| Job::Home(k, total)));
        for kind in TermKind::ALL {
            jobs.extend(pages::term_lists(kind));
        }
        for job in jobs {
            match job {
                Job::Episode(j) | Job::Transcript(j) => self.pages_of[j] = true,
                other => {
                    self.pages.insert(other);
                }
            }
        }
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

    /// Whether the page of `job` is made (else it is kept): an episode's or transcript's
    /// page with its episode ([`Reach::makes_episode`]), any page when named.
    pub fn makes(&self, job: &Job) -> bool {
        match job {
            Job::Episode(i) | Job::Transcript(i) => self.makes_episode(*i) || self.makes_page(job),
            other => self.makes_page(other),
        }
    }

    /// Whether the feed of `term`, holding `episodes`, is made (else it is kept).
    pub fn makes_term_feed(&self, term: (TermKind, usize), episodes: &[usize]) -> bool {
        self.term_feeds.contains(&term) || self.cards.iter().any(|i| episodes.contains(i))
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

/// What a build says of its reach with `CASTDOWN_TIMINGS` (the tests read it).
pub(super) fn said(reach: &Result<Reach, Everything>) -> String {
    match reach {
        Ok(r) => format!(
            "digests changed {}: only what shows them declared",
            r.changed()
        ),
        Err(why) => format!("every page declared: {why}"),
    }
}

/// The kept version of a digest parsed again, when it is the one the previous build
/// published: the kept digests also keep the version of a digest removed since, which a
/// digest back at its path is new to (`None`: new to the previous build).
pub(super) fn published_version<'b>(
    previous: &Previous,
    before: &'b Option<Before>,
) -> Option<&'b Before> {
    before
        .as_ref()
        .filter(|b| published(previous, &b.digest.slug))
}

/// Whether the previous build published the episode of `slug` (the record has its
/// `digest.json`).
pub(super) fn published(previous: &Previous, slug: &str) -> bool {
    previous
        .fingerprint(&paths::episode_data(&paths::episode(slug)))
        .is_some()
}

/// The previous output's file at `path` as it is, when the record says so.
pub(super) fn kept(previous: &Previous, path: &str) -> Option<OutputFile> {
    let (entry, fp) = previous.unchanged(path)?;
    Some(OutputFile::kept(path, entry, fp))
}

/// A hash of every concept's, show's and person's name and slug, the terms only the
/// episodes `added` (ascending) name left out: a card names its terms, so a new digest
/// that renames one (its spelling outvoting another) reaches every page.
pub(super) fn terms_key(site: &Site, added: &[usize]) -> u64 {
    let mut key = crate::hash::Combine::new("terms");
    for kind in TermKind::ALL {
        for t in site.terms(kind) {
            if !named_only_by(t, added) {
                key.add(&t.key).add(&t.name).add(&t.slug);
            }
        }
        key.add(kind.section());
    }
    key.finish()
}

/// Whether term `t` is named by the episodes `added` (ascending) alone: a term the
/// previous build did not have.
fn named_only_by(t: &crate::site::Term, added: &[usize]) -> bool {
    !t.episodes.is_empty() && t.episodes.iter().all(|e| added.binary_search(e).is_ok())
}

/// What changed in the set of published digests since the previous build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Nothing: only edits.
    Edits,
    /// Digests were added (their pages are new).
    Added,
    /// Digests were removed (their pages, and any list page past the new end, are gone).
    Removed,
}

/// Checks that this build has the pages the previous one recorded, no more and no fewer
/// (no fewer after additions: their pages are new; no more after removals: theirs are
/// gone): a page is kept only where its path is the same page of the same site.
fn same_pages(site: &Site, previous: &Previous, change: Change) -> Result<(), Everything> {
    use rayon::prelude::*;
    // Counted rather than collected: at 100,000 digests a set of every page's path took a
    // tenth of a build after an edit. Paths are distinct, so the recorded pages are all
    // this build's when as many of this build's are recorded.
    let recorded = |path: &str| previous.fingerprint(path).is_some_and(|fp| fp != 0);
    let jobs = pages::all(site, true);
    let expected = jobs.len() + site.episodes.len();
    let found = jobs
        .par_iter()
        .filter(|job| recorded(&paths::index_file(&job.path(site))))
        .count()
        + site
            .episodes
            .par_iter()
            .filter(|e| recorded(&e.data_path()))
            .count();
    // The search index's files have fingerprints too (of their JSON): not pages.
    let pages = previous
        .files()
        .filter(|(p, fp)| *fp != 0 && (p.ends_with(".html") || p.ends_with(paths::DIGEST_JSON)))
        .count();
    let same = match change {
        Change::Edits => found == pages && pages == expected,
        Change::Added => found == pages,
        Change::Removed => found == expected,
    };
    if !same {
        return Err("the site's pages are not the previous build's".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use super::*;
    use crate::bodies::{self, BodyRef};
    use crate::markdown::Highlighter;
    use crate::render::{Inputs, Shared};

    /// A site of 160 generated digests in `dir` (four shows, 30 concepts, some digests
    /// defining their concepts in one of a few wordings and some borrowing), with `extra`
    /// digests: big enough that a new digest leaves most related lists as they were.
    fn generated_with(dir: &Path, extra: &[(&str, &str)]) -> Site {
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        std::fs::write(
            dir.join("castdown.yaml"),
            "title: T\nbase_url: https://t.example/\npaginate: 10\nfeed_limit: 5\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let episodes = dir.join("content/episodes");
        std::fs::create_dir_all(&episodes).unwrap_or_else(|e| panic!("{e}"));
        let shows = ["Alpha", "Beta", "Gamma", "Delta"];
        for k in 0..160u64 {
            let mut concepts = String::new();
            let mut named = Vec::new();
            for _ in 0..3 {
                let c = next(30);
                if named.contains(&c) {
                    continue;
                }
                named.push(c);
                match next(3) {
                    0 => concepts.push_str(&format!("  - Concept {c}\n")),
                    w => concepts.push_str(&format!(
                        "  - name: Concept {c}\n    definition: Wording {w} of concept {c}.\n"
                    )),
                }
            }
            let date = jiff::civil::date(2020, 1, 1)
                .checked_add(jiff::Span::new().days(i64::try_from(k * 5).unwrap_or(0)))
                .unwrap_or_else(|e| panic!("{e}"));
            let text = format!(
                "---\ntitle: Episode {k}\nshow: {}\ndate: {date}\npeople: [Person {}]\nconcepts:\n{concepts}---\n\nWhat was said in {k}.\n",
                shows[(k % 4) as usize],
                k % 7
            );
            std::fs::write(episodes.join(format!("e{k:03}.md")), text)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        for (rel, text) in extra {
            if text.is_empty() {
                std::fs::remove_file(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
            } else {
                std::fs::write(dir.join(rel), text).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        let opts = super::super::BuildOptions {
            config: None,
            root: dir.to_path_buf(),
            output: None,
            base_url: None,
            drafts: false,
            future: false,
            clean: false,
        };
        match super::super::build_in_memory(&opts, &|_| {}) {
            Ok(built) => built.site,
            Err(e) => panic!("the generated site does not build: {e}"),
        }
    }

    /// Every page's and `digest.json`'s fingerprint, by path, with the page's job.
    fn fingerprints(site: &Site) -> HashMap<String, (Option<Job>, u64)> {
        let (others, _) = bodies::others(site, &Highlighter::new());
        let shared = Shared::new(site);
        let inputs = Inputs {
            shared: &shared,
            others: &others,
        };
        let all_concepts = bodies::all_concepts_key(site);
        let mut fps = HashMap::new();
        for job in pages::all(site, true) {
            let body = match job {
                Job::Episode(i) => Some(BodyRef {
                    key: bodies::episode_key(site, i, all_concepts),
                    html: None,
                }),
                _ => None,
            };
            match job.declare(site, inputs, body) {
                Ok(page) => {
                    let fp = page.fingerprint(&shared);
                    fps.insert(paths::index_file(&job.path(site)), (Some(job), fp));
                }
                Err(d) => panic!("{job:?}: {}", d.message),
            }
        }
        for (i, e) in site.episodes.iter().enumerate() {
            let key = bodies::episode_key(site, i, all_concepts);
            let fp = crate::data::DigestParts::new(site, i).fingerprint(key);
            fps.insert(e.data_path(), (None, fp));
        }
        fps
    }

    /// Adds `added` digests to the generated site and checks, by the values every page is made
    /// from, that each page and `digest.json` whose values changed is one the new digests
    /// reach (a new file is made whatever the reach says).
    fn check_reach(before_extra: &[(&str, &str)], added: &[(&str, &str)]) {
        let a_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let b_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let before = generated_with(a_dir.path(), before_extra);
        let both: Vec<(&str, &str)> = before_extra.iter().chain(added).copied().collect();
        let after = generated_with(b_dir.path(), &both);
        let new: Vec<usize> = added
            .iter()
            .filter_map(|(rel, _)| {
                after
                    .episodes
                    .iter()
                    .position(|e| e.digest.path == Path::new(rel))
            })
            .collect();
        assert_eq!(new.len(), added.len(), "every added digest is published");
        let mut new = new;
        new.sort_unstable();
        let mut reach = Reach::nothing(&after);
        let related: Vec<Vec<usize>> = before.episodes.iter().map(|e| e.related.clone()).collect();
        if let Err(why) = reach.add(&after, &new, terms_key(&before, &[]), Some(&related)) {
            panic!("not reached: {why}");
        }
        assert_reached(&before, &after, &reach);
    }

    /// Removes the digests `removed` (paths under the site folder) from the generated site
    /// with `before_extra`, and checks as [`check_reach`] that each page whose values
    /// changed is one the removal reaches.
    fn check_removal(before_extra: &[(&str, &str)], removed: &[&str]) {
        let a_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let b_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let before = generated_with(a_dir.path(), before_extra);
        // An empty text removes a file the generator wrote.
        let gone: Vec<(&str, &str)> = removed
            .iter()
            .filter(|r| !before_extra.iter().any(|(rel, _)| rel == *r))
            .map(|r| (*r, ""))
            .collect();
        let kept: Vec<(&str, &str)> = before_extra
            .iter()
            .filter(|(rel, _)| !removed.contains(rel))
            .chain(&gone)
            .copied()
            .collect();
        let after = generated_with(b_dir.path(), &kept);
        let digests: Vec<Arc<Digest>> = before
            .episodes
            .iter()
            .filter(|e| removed.iter().any(|r| e.digest.path == Path::new(r)))
            .map(|e| e.digest.clone())
            .collect();
        assert_eq!(
            digests.len(),
            removed.len(),
            "every removed digest was published"
        );
        assert_eq!(after.episodes.len() + removed.len(), before.episodes.len());
        let refs: Vec<&Arc<Digest>> = digests.iter().collect();
        let mut reach = Reach::nothing(&after);
        let related: Vec<Vec<usize>> = before.episodes.iter().map(|e| e.related.clone()).collect();
        if let Err(why) = reach.remove(&after, &refs, terms_key(&before, &[]), Some(&related)) {
            panic!("not reached: {why}");
        }
        assert_reached(&before, &after, &reach);
    }

    /// Every page and `digest.json` of `after` whose values differ from `before`'s is one
    /// `reach` makes, and most episodes' pages are not.
    fn assert_reached(before: &Site, after: &Site, reach: &Reach) {
        let n = after.episodes.len();
        let (then, now) = (fingerprints(before), fingerprints(after));
        let episode_of: HashMap<String, usize> = after
            .episodes
            .iter()
            .enumerate()
            .map(|(i, e)| (e.data_path(), i))
            .collect();
        let mut missed = Vec::new();
        for (path, (job, fp)) in &now {
            let Some((_, old)) = then.get(path) else {
                continue;
            };
            if old == fp {
                continue;
            }
            let made = match job {
                Some(job) => reach.makes(job),
                None => episode_of
                    .get(path)
                    .is_some_and(|&i| reach.makes_episode(i)),
            };
            if !made {
                missed.push(path.clone());
            }
        }
        missed.sort();
        assert!(missed.is_empty(), "changed but not reached: {missed:?}");
        // Not everything: most episodes' pages show nothing of the new digests.
        let made = (0..n).filter(|&i| reach.makes_episode(i)).count();
        assert!(made < n / 2, "{made} of {n} episodes' pages made");
    }

    fn digest(title: &str, show: &str, date: &str, concepts: &str) -> String {
        format!(
            "---\ntitle: {title}\nshow: {show}\ndate: {date}\npeople: [Person 1]\nconcepts:\n{concepts}---\n\nWhat was said.\n"
        )
    }

    #[test]
    fn a_new_digest_reaches_every_page_whose_values_it_changes() {
        let cases = [
            (
                "newest",
                "Alpha",
                "2023-01-01",
                "  - Concept 3\n  - name: Concept 4\n    definition: Wording 1 of concept 4.\n",
            ),
            ("backdated", "Beta", "2021-02-03", "  - Concept 5\n"),
            (
                "new terms",
                "A New Show",
                "2020-06-06",
                "  - name: Concept 99\n    definition: New.\n",
            ),
        ];
        for (slug, show, date, concepts) in cases {
            let text = digest(slug, show, date, concepts);
            check_reach(&[], &[(&format!("content/episodes/{slug}.md"), &text)]);
        }
        let one = digest("One", "Gamma", "2022-03-03", "  - Concept 7\n");
        let two = digest("Two", "Delta", "2020-02-02", "  - Concept 8\n");
        check_reach(
            &[],
            &[
                ("content/episodes/one.md", &one),
                ("content/episodes/two.md", &two),
            ],
        );
    }

    /// A digest of show Alpha giving `wording` as the definition of Concept 50.
    fn defining(title: &str, date: &str, wording: &str) -> String {
        digest(
            title,
            "Alpha",
            date,
            &format!("  - name: Concept 50\n    definition: {wording}\n"),
        )
    }

    /// Files of digests giving Concept 50 wording A twice (a1, a2) and B once (b1, given
    /// first), and six digests of another show naming it without defining it: they borrow
    /// A, the common one. The borrowers' related episodes are each other, the nearest.
    fn borrowers() -> Vec<(String, String)> {
        let mut texts: Vec<(String, String)> = vec![
            ("a1".into(), defining("A1", "2020-03-01", "Wording A.")),
            ("a2".into(), defining("A2", "2021-05-05", "Wording A.")),
            ("b1".into(), defining("B1", "2020-02-01", "Wording B.")),
        ];
        for d in 1..=6 {
            let date = format!("2022-12-{:02}", d * 4);
            let text = digest(&format!("Borrower {d}"), "Beta", &date, "  - Concept 50\n");
            texts.push((format!("borrower-{d}"), text));
        }
        texts
            .into_iter()
            .map(|(slug, text)| (format!("content/episodes/{slug}.md"), text))
            .collect()
    }

    /// A digest naming a concept without defining it borrows the most common definition; a
    /// new digest that makes another wording the most common changes its page, even when
    /// the two are not related and the new digest is not the one credited.
    #[test]
    fn a_new_digest_that_makes_another_definition_common_reaches_its_borrowers() {
        // The new digest gives B again: a tie, which the wording first given wins, B,
        // credited to its first digest.
        let files = borrowers();
        let before: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let again = defining("B again", "2021-08-08", "Wording B.");
        check_reach(&before, &[("content/episodes/b-again.md", &again)]);
    }

    #[test]
    fn a_removed_digest_reaches_every_page_whose_values_it_changes() {
        // Generated digests: the newest, the oldest, one from the middle, two at once.
        for removed in [
            &["content/episodes/e159.md"][..],
            &["content/episodes/e000.md"],
            &["content/episodes/e077.md"],
            &["content/episodes/e040.md", "content/episodes/e121.md"],
        ] {
            check_removal(&[], removed);
        }
        // One that defines a concept others borrow, on a day shared with another.
        let defining = digest(
            "Defining",
            "Beta",
            "2021-02-03",
            "  - name: Concept 5\n    definition: A wording of its own.\n  - Concept 6\n",
        );
        let beside = digest("Beside", "Beta", "2021-02-03", "  - Concept 5\n");
        check_removal(
            &[
                ("content/episodes/defining.md", &defining),
                ("content/episodes/beside.md", &beside),
            ],
            &["content/episodes/defining.md"],
        );
    }

    /// A digest giving the most common definition of a concept, removed: the digests that
    /// borrowed it borrow another now (A and B once each: B, given first).
    #[test]
    fn a_removed_digest_whose_definition_was_common_reaches_its_borrowers() {
        let files = borrowers();
        let before: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        check_removal(&before, &["content/episodes/a2.md"]);
    }

    #[test]
    fn a_removed_digest_naming_a_term_no_other_names_is_not_reached() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let lone = digest("Lone", "A Show Of Its Own", "2021-05-05", "  - Concept 1\n");
        let before = generated_with(dir.path(), &[("content/episodes/lone.md", &lone)]);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let after = generated_with(dir.path(), &[]);
        let gone: Vec<Arc<Digest>> = before
            .episodes
            .iter()
            .filter(|e| e.digest.slug == "lone")
            .map(|e| e.digest.clone())
            .collect();
        let related: Vec<Vec<usize>> = before.episodes.iter().map(|e| e.related.clone()).collect();
        let mut reach = Reach::nothing(&after);
        let refs: Vec<&Arc<Digest>> = gone.iter().collect();
        assert_eq!(refs.len(), 1);
        assert!(
            reach
                .remove(&after, &refs, terms_key(&before, &[]), Some(&related))
                .is_err()
        );
    }

    #[test]
    fn terms_key_leaves_out_the_terms_only_new_digests_name() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let before = generated_with(dir.path(), &[]);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let text = digest(
            "New",
            "A Brand New Show",
            "2021-05-05",
            "  - Zebra Striping\n",
        );
        let after = generated_with(dir.path(), &[("content/episodes/new.md", &text)]);
        let i = after
            .episodes
            .iter()
            .position(|e| e.digest.slug == "new")
            .unwrap_or_else(|| panic!("no new episode"));
        assert_eq!(terms_key(&after, &[i]), terms_key(&before, &[]));
        assert_ne!(terms_key(&after, &[]), terms_key(&before, &[]));
    }
}
