//! Render: turns the site model into HTML pages through the theme. [`pages`] lists the pages
//! a site has, [`declare`] says once what each shows, [`context`] builds the values
//! templates receive (cards and term links are built once per build and shared), and
//! [`tera`] is the only module that calls Tera. See `docs/architecture.md` and
//! `docs/themes.md`.

pub mod context;
mod declare;
pub mod pages;
mod tags;
mod tera;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

pub use self::context::Inputs;
pub use self::declare::{alias, robots, sitemap};
pub use self::pages::Job;
pub use self::tera::Templates;
use crate::bodies::{Bodies, BodyRef, Html};
use crate::error::Diagnostic;
use crate::output::reuse::Previous;
use crate::output::{Body, OutputFile};
use crate::site::Site;
pub use context::Shared;

/// Pages rendered between two hand-offs to the sink. A build writes one batch while it
/// renders the next; 512 pages (about 15 MB at 10k) keep the two within what one batch of
/// 1,024 used to hold.
pub const PAGE_BATCH: usize = 512;

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

/// Pages of the last build by file, with the fingerprint of what they showed (serve).
/// Cleared whenever templates or the config change.
#[derive(Default)]
pub struct PageCache(HashMap<String, (u64, Arc<Vec<u8>>)>);

impl PageCache {
    /// The last build's page at `file` (an index file: `episodes/x/index.html`), with
    /// its fingerprint.
    pub fn get(&self, file: &str) -> Option<(u64, Arc<Vec<u8>>)> {
        self.0.get(file).cloned()
    }

    /// Remembers pages a build kept without declaring them (a render replaces the cache
    /// with the pages it declared).
    pub fn keep(&mut self, pages: impl IntoIterator<Item = (String, (u64, Arc<Vec<u8>>))>) {
        self.0.extend(pages);
    }
}

/// What a render may reuse instead of rendering.
pub enum Reuse<'a> {
    /// Nothing: every page is rendered (`check`, a build in memory, serve's one-episode
    /// edits).
    None,
    /// serve: the last build's pages by fingerprint, in memory; replaced by this build's.
    Memory(&'a mut PageCache),
    /// A build on disk: every page carries its fingerprint for the record of the build;
    /// given the previous build, a page made from the same values is kept where it is in
    /// the output instead of rendered (see `output::reuse`).
    Disk(Option<&'a Previous>),
}

/// An episode page declared from its body's key that must be rendered: it waits for the
/// body ([`finish_episode_pages`]).
pub struct Pending {
    page: declare::Page,
    /// The fingerprint the record of a build on disk keeps.
    fingerprint: Option<u64>,
}

/// Declares the pages of episode `i` from its body's key alone. On disk, a page whose
/// fingerprint is the one the previous build recorded is kept as it is in the output;
/// the others wait for the body (none wait when every page is kept, and the body need not
/// be rendered). Without reuse, every page waits.
pub fn declare_episode_pages(
    site: &Site,
    (inputs, reuse): (Inputs, &Reuse),
    i: usize,
    key: u64,
) -> (Vec<Result<OutputFile, Diagnostic>>, Vec<Pending>) {
    let mut done = Vec::new();
    let mut pending = Vec::new();
    let body = BodyRef { key, html: None };
    for job in pages::of_episode(site, i) {
        let page = match job.declare(site, inputs, Some(body)) {
            Ok(p) => p,
            Err(d) => {
                done.push(Err(d));
                continue;
            }
        };
        let Reuse::Disk(previous) = reuse else {
            pending.push(Pending {
                page,
                fingerprint: None,
            });
            continue;
        };
        match kept(&page, inputs, *previous) {
            Ok(file) => done.push(Ok(file)),
            Err(fp) => pending.push(Pending {
                page,
                fingerprint: Some(fp),
            }),
        }
    }
    (done, pending)
}

/// Renders the pages [`declare_episode_pages`] left waiting, with the episode's body.
pub fn finish_episode_pages(
    site: &Site,
    templates: &Templates,
    pending: Vec<Pending>,
    html: &Html,
) -> Vec<Result<OutputFile, Diagnostic>> {
    pending
        .into_iter()
        .map(
            |Pending {
                 mut page,
                 fingerprint,
             }| {
                page.set_body(site, html);
                let file = page.render(site, templates)?;
                Ok(match fingerprint {
                    Some(fp) => file.with_fingerprint(fp),
                    None => file,
                })
            },
        )
        .collect()
}

/// A page of a build on disk: kept when the previous build made it from the same values,
/// else rendered; either way with its fingerprint.
fn on_disk(
    page: &declare::Page,
    site: &Site,
    templates: &Templates,
    inputs: Inputs,
    previous: Option<&Previous>,
) -> Result<OutputFile, Diagnostic> {
    kept(page, inputs, previous)
        .or_else(|fp| page.render(site, templates).map(|f| f.with_fingerprint(fp)))
}

/// The page as the previous build left it in the output, when it made it from values of
/// the same fingerprint; else the fingerprint, to render the page with.
fn kept(
    page: &declare::Page,
    inputs: Inputs,
    previous: Option<&Previous>,
) -> Result<OutputFile, u64> {
    let fp = page.fingerprint(inputs.shared);
    let file = page.file();
    match previous.and_then(|p| p.kept(&file, fp)) {
        Some(entry) => Ok(OutputFile::kept(file, entry, fp)),
        None => Err(fp),
    }
}

/// Renders `jobs` in batches, handing each batch to `sink`; an episode page takes its body
/// from `bodies`. What may be reused instead of rendered is
/// `reuse`'s ([`Reuse`]); serve's cache is replaced by this build's pages. Returns the
/// template errors, one per place.
pub fn render_pages(
    site: &Site,
    templates: &Templates,
    (inputs, bodies): (Inputs, Option<&Bodies>),
    jobs: &[Job],
    mut reuse: Reuse,
    sink: &mut dyn FnMut(Vec<OutputFile>),
) -> Vec<Diagnostic> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut learned = HashMap::new();
    let remember = matches!(reuse, Reuse::Memory(_));
    for batch in jobs.chunks(PAGE_BATCH) {
        let memory = match &reuse {
            Reuse::Memory(c) => Some(&c.0),
            _ => None,
        };
        let reuse = &reuse;
        let results: Vec<Result<(OutputFile, u64), Diagnostic>> = batch
            .par_iter()
            .map(|job| {
                let body = match (*job, bodies) {
                    (Job::Episode(i), Some(b)) => b.episode(i),
                    _ => None,
                };
                let page = job.declare(site, inputs, body)?;
                if let Reuse::Disk(previous) = reuse {
                    return on_disk(&page, site, templates, inputs, *previous).map(|f| (f, 0));
                }
                let Some(memory) = memory else {
                    return page.render(site, templates).map(|f| (f, 0));
                };
                let fp = page.fingerprint(inputs.shared);
                let file = page.file();
                match memory.get(&file) {
                    Some((old, bytes)) if *old == fp => {
                        Ok((OutputFile::shared(file, bytes.clone()), fp))
                    }
                    _ => page.render(site, templates).map(|f| (f, fp)),
                }
            })
            .collect();
        let mut files = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok((f, fp)) => {
                    if remember && let Body::Bytes(b) = &f.body {
                        learned.insert(f.path.clone(), (fp, b.clone()));
                    }
                    files.push(f);
                }
                Err(d) => note_error(&mut errors, d),
            }
        }
        sink(files);
    }
    if let Reuse::Memory(c) = &mut reuse {
        c.0 = if errors.is_empty() {
            learned
        } else {
            HashMap::new()
        };
    }
    // What `cached_include` kept holds cards by identity; serve's next build makes new ones.
    templates.forget_cached();
    errors
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::bodies;
    use crate::markdown::Highlighter;
    use crate::pipeline::{BuildOptions, Caches, Search, build_incremental};

    /// The demo site's model (this repository is a castdown site), bodies kept.
    fn demo() -> Site {
        let opts = BuildOptions {
            config: None,
            root: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            output: None,
            base_url: None,
            drafts: false,
            future: false,
            clean: false,
        };
        match build_incremental(&opts, &mut Caches::default(), Search::Rebuild) {
            Ok(built) => built.built.site,
            Err(e) => panic!("the demo site does not build: {e}"),
        }
    }

    /// Every page's fingerprint, from `shared`.
    fn fingerprints(site: &Site, shared: &Shared, others: &bodies::Others) -> BTreeMap<Job, u64> {
        let h = Highlighter::new();
        let html: Vec<_> = (0..site.episodes.len())
            .map(|i| match bodies::episode(site, &h, i) {
                Ok(b) => b.0,
                Err(d) => panic!("{}", d.message),
            })
            .collect();
        let all_concepts = bodies::all_concepts_key(site);
        let inputs = Inputs { shared, others };
        pages::all(site, true)
            .into_iter()
            .map(|job| {
                let body = match job {
                    Job::Episode(i) => Some(BodyRef {
                        key: bodies::episode_key(site, i, all_concepts),
                        html: Some(&*html[i]),
                    }),
                    _ => None,
                };
                match job.declare(site, inputs, body) {
                    Ok(page) => (job, page.fingerprint(shared)),
                    Err(d) => panic!("{job:?}: {}", d.message),
                }
            })
            .collect()
    }

    /// The pages whose fingerprint differs between `before` and `after`.
    fn moved(before: &BTreeMap<Job, u64>, after: &BTreeMap<Job, u64>) -> BTreeSet<Job> {
        before
            .iter()
            .filter(|(job, fp)| after.get(job) != Some(fp))
            .map(|(job, _)| *job)
            .collect()
    }

    /// The site's terms of `kind`, to change one in place.
    fn terms_mut(site: &mut Site, kind: crate::site::TermKind) -> &mut Vec<crate::site::Term> {
        use crate::site::TermKind;
        match kind {
            TermKind::Concept => &mut site.concepts,
            TermKind::Show => &mut site.shows,
            TermKind::Person => &mut site.people,
        }
    }

    /// A field added to the card (one edit, in `context::card`) changes the fingerprint of
    /// exactly the pages that show the card, which are the pages serve's one-episode path
    /// redoes: no second list can forget it.
    #[test]
    fn a_new_card_field_reaches_exactly_the_pages_showing_the_card() {
        let site = demo();
        let (others, _) = bodies::others(&site, &Highlighter::new());
        let shared = Shared::new(&site);
        let before = fingerprints(&site, &shared, &others);
        let n = site.episodes.len();
        assert!(n > 3, "the demo site has too few episodes for this test");
        for i in [0, n / 2, n - 1] {
            let mut changed = Shared::new(&site);
            let card = tera::extend(
                &changed.card(&site, i),
                [("new_field", ::tera::Value::from(1))],
            );
            changed.replace_card(i, card);
            let after = fingerprints(&site, &changed, &others);
            let moved = moved(&before, &after);
            let showing: BTreeSet<Job> = pages::showing_episode(&site, i).into_iter().collect();
            assert_eq!(moved, showing, "episode {i}");
            // More than its own pages: lists and neighbours show the card too.
            assert!(moved.len() > 2, "episode {i}: {moved:?}");
        }
    }

    /// Cards made on first use give every page the values, and the fingerprint, that cards
    /// made at once give: a reusing build that makes only the cards its pages show keeps
    /// the pages the previous build made from all of them.
    #[test]
    fn cards_made_on_first_use_give_every_page_the_same_fingerprint() {
        let site = demo();
        let (others, _) = bodies::others(&site, &Highlighter::new());
        let eager = fingerprints(&site, &Shared::new(&site), &others);
        let lazy = fingerprints(&site, &Shared::lazy(&site), &others);
        assert_eq!(eager.len(), lazy.len());
        assert!(eager.len() > site.episodes.len());
        assert_eq!(moved(&eager, &lazy), BTreeSet::new());
        // One page alone, its cards made for it (not by the pages declared before it).
        let i = site.episodes.len() / 2;
        let job = Job::Episode(i);
        let alone = Shared::lazy(&site);
        let inputs = Inputs {
            shared: &alone,
            others: &others,
        };
        let key = bodies::episode_key(&site, i, bodies::all_concepts_key(&site));
        let body = Some(BodyRef { key, html: None });
        match job.declare(&site, inputs, body) {
            Ok(page) => assert_eq!(Some(&page.fingerprint(&alone)), eager.get(&job)),
            Err(d) => panic!("{}", d.message),
        }
        assert!(
            alone.made() < site.episodes.len(),
            "made {} cards for one page",
            alone.made()
        );
        assert!(alone.made() > 0);
    }

    /// A new digest adds one to the count of each of its terms. Term references carried
    /// counts, so every page whose cards named a common concept had new values: a reusing
    /// build and serve rendered nearly every page again, for the same bytes. Counts now
    /// stand only where lists of terms and a term's own pages show them.
    #[test]
    fn regression_a_term_count_changed_the_values_of_every_page_naming_the_term() {
        use crate::site::TermKind;
        use pages::Sort;
        let mut site = demo();
        let (others, _) = bodies::others(&site, &Highlighter::new());
        let before = fingerprints(&site, &Shared::new(&site), &others);
        let mut checked = 0;
        for kind in TermKind::ALL {
            for t in 0..site.terms(kind).len() {
                let list = &mut terms_mut(&mut site, kind)[t].episodes;
                let Some(&first) = list.first() else {
                    continue;
                };
                // One more digest for the term, the list still in order.
                list.insert(0, first);
                let after = fingerprints(&site, &Shared::new(&site), &others);
                terms_mut(&mut site, kind)[t].episodes.remove(0);
                let moved = moved(&before, &after);
                for job in &moved {
                    let own = match *job {
                        Job::Term(k, i, _, _) => k == kind && i == t,
                        Job::TermList(k, _) => k == kind,
                        Job::Definitions(i, _, _) => kind == TermKind::Concept && i == t,
                        _ => false,
                    };
                    assert!(own, "{kind:?} {t}: its count moved {job:?}");
                }
                // The lists of its kind show the count.
                assert!(
                    moved.contains(&Job::TermList(kind, Sort::Count)),
                    "{kind:?} {t}: {moved:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 10, "only {checked} terms checked");
    }

    /// Every page that shows a term (its link on cards, lists and related concepts) is
    /// among the pages `showing_term` names.
    #[test]
    fn pages_showing_a_term_cover_every_page_whose_values_name_it() {
        use crate::site::TermKind;
        let mut site = demo();
        let (others, _) = bodies::others(&site, &Highlighter::new());
        let before = fingerprints(&site, &Shared::new(&site), &others);
        let mut checked = 0;
        for kind in TermKind::ALL {
            for t in 0..site.terms(kind).len() {
                let name =
                    std::mem::replace(&mut terms_mut(&mut site, kind)[t].name, "A New Name".into());
                let after = fingerprints(&site, &Shared::new(&site), &others);
                terms_mut(&mut site, kind)[t].name = name;
                let showing: BTreeSet<Job> =
                    pages::showing_term(&site, kind, t).into_iter().collect();
                checked += 1;
                for job in moved(&before, &after) {
                    assert!(showing.contains(&job), "{kind:?} {t}: {job:?} not listed");
                }
            }
        }
        assert!(checked > 10, "only {checked} terms checked");
    }
}
