//! The third build order, serve's commonest: one digest's Markdown file was edited and the
//! edit keeps the model's shape (slug, date, show, people, the concepts' names and order,
//! draft, aliases, transcript), so only the files that show that episode are redone. See
//! `docs/architecture.md`.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::edit::{Edit, classify};
use super::incremental::Memo;
use crate::load;
use crate::output::OutputFile;
use crate::render::{Inputs, Job, pages};
use crate::site::{Site, paths};

/// Redoes the output of one episode after an edit to its Markdown file `changed`, without a
/// build: the common edit while writing. Applies only when the new digest parses cleanly and
/// the edit keeps the model's shape ([`classify`]). Then two cases:
/// - only the body changed: its pages, its `digest.json` and, when it is among the newest
///   `feed_limit`, the site feeds (term feeds carry summaries);
/// - its card changed too: also every page that shows its card
///   ([`pages::showing_episode`]), the term feeds it is in, and `llms.txt`.
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
    new.source_hash = Some(load::digest::source_hash(&text));
    let edit = classify(&old, &new);
    // Timestamps in the body link to the media file or the video page.
    let body_changed = new.body != old.body || new.media != old.media || new.source != old.source;
    let redefined = site.replace_digest(i, Arc::new(new));
    match edit {
        Edit::Model => return None,
        Edit::Nothing => return Some(Vec::new()),
        Edit::Body | Edit::Card => {}
    }
    // A full list of definitions that gains or loses a page changes the site's set of
    // files: that takes a build.
    if redefined.iter().any(|(c, before)| {
        before.full_list_pages() != site.concepts[*c].definitions.full_list_pages()
    }) {
        return None;
    }
    if body_changed {
        memo.bodies
            .rerender_episode(site, &memo.highlighter, i)
            .ok()?;
    }
    let mut jobs = if edit == Edit::Body {
        pages::of_episode(site, i)
    } else {
        memo.shared.refresh_card(site, i);
        pages::showing_episode(site, i)
    };
    let redefined: Vec<(usize, bool)> = redefined
        .iter()
        .map(|(c, before)| (*c, before.common.is_some()))
        .collect();
    jobs.extend(pages::redefining(site, &redefined));
    jobs.sort_unstable();
    jobs.dedup();
    let (site, memo) = (&*site, &*memo);
    let (pages, data) = rayon::join(
        || render(site, memo, &jobs),
        || data_files(site, memo, i, edit),
    );
    // The full build reports a template error where it belongs.
    let mut files = pages?;
    files.extend(data);
    Some(files)
}

/// Renders `jobs` from the memo's bodies and shared values; `None` on a template error.
fn render(site: &Site, memo: &Memo, jobs: &[Job]) -> Option<Vec<OutputFile>> {
    let inputs = Inputs {
        shared: &memo.shared,
        others: &memo.bodies.others,
    };
    let mut files = Vec::with_capacity(jobs.len());
    let errors = crate::render::render_pages(
        site,
        &memo.templates,
        (inputs, Some(&memo.bodies)),
        jobs,
        crate::render::Reuse::None,
        &mut |batch| files.extend(batch),
    );
    errors.is_empty().then_some(files)
}

/// The data files and feeds that show episode `i` after an edit: each is small, but
/// together they are most of this path's time, so they are made in parallel.
fn data_files(site: &Site, memo: &Memo, i: usize, edit: Edit) -> Vec<OutputFile> {
    type Make<'a> = Box<dyn FnOnce() -> Vec<OutputFile> + Send + 'a>;
    let bodies = &memo.bodies;
    let mut makes: Vec<Make> = vec![Box::new(move || {
        let mut files = vec![OutputFile::bytes(
            site.episodes[i].data_path(),
            crate::data::digest_json(site, &bodies.texts.episodes[i], i),
        )];
        files.extend(crate::data::chapter_files(site, i));
        files
    })];
    if i < site.config.feed_limit {
        makes.push(Box::new(move || {
            crate::feeds::site_feeds(site, &bodies.episodes)
        }));
    }
    if edit == Edit::Card {
        for job in crate::feeds::term_feeds(site) {
            if job.episodes.contains(&i) {
                makes.push(Box::new(move || {
                    vec![OutputFile::bytes(job.path, (job.make)())]
                }));
            }
        }
        makes.push(Box::new(move || {
            vec![OutputFile::bytes(
                paths::LLMS,
                crate::data::llms(site).into_bytes(),
            )]
        }));
    }
    makes.into_par_iter().flat_map_iter(|make| make()).collect()
}
