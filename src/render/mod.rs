//! Render: turns the site model into HTML pages through the theme. [`pages`] lists the pages
//! a site has, [`declare`] says once what each shows, [`context`] builds the values
//! templates receive (cards and term links are built once per build and shared), and
//! [`tera`] is the only module that calls Tera. See `docs/architecture.md` and
//! `docs/themes.md`.

pub mod context;
mod declare;
pub mod pages;
mod tera;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

pub use self::declare::{Inputs, Page, alias};
pub use self::pages::Job;
pub use self::tera::Templates;
use crate::bodies::Html;
use crate::error::Diagnostic;
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
    /// Forgets everything.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// Renders the pages of an episode from its body's `html` (a build, which renders each
/// episode's body with its pages).
pub fn episode_pages(
    site: &Site,
    templates: &Templates,
    inputs: Inputs,
    i: usize,
    html: &Html,
) -> Vec<Result<OutputFile, Diagnostic>> {
    pages::of_episode(site, i)
        .iter()
        .map(|job| job.run(site, templates, inputs, Some(html)))
        .collect()
}

/// Renders `jobs` in batches, handing each batch to `sink`; an episode page takes its body
/// from `episodes` (by episode index). With a cache, a page whose fingerprint is unchanged
/// is reused instead of rendered, and the cache learns every page rendered; when `jobs` are
/// all the site's pages, the cache is replaced (pages that went away are forgotten).
/// Returns the template errors.
pub fn render_pages(
    site: &Site,
    templates: &Templates,
    (inputs, episodes): (Inputs, &[Arc<Html>]),
    jobs: &[Job],
    mut cache: Option<(&mut PageCache, bool)>,
    sink: &mut dyn FnMut(Vec<OutputFile>),
) -> Vec<Diagnostic> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut learned = HashMap::new();
    for batch in jobs.chunks(PAGE_BATCH) {
        let previous = cache.as_ref().map(|(c, _)| &c.0);
        let results: Vec<Result<(OutputFile, u64), Diagnostic>> = batch
            .par_iter()
            .map(|job| {
                let html = match *job {
                    Job::Episode(i) => episodes.get(i).map(|h| &**h),
                    _ => None,
                };
                let page = job.declare(site, inputs, html)?;
                // Only serve has a previous build to reuse; build renders every page.
                let Some(previous) = previous else {
                    return page.render(site, templates).map(|f| (f, 0));
                };
                let fp = page.fingerprint();
                let file = page.file();
                match previous.get(&file) {
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
                    if cache.is_some()
                        && let Body::Bytes(b) = &f.body
                    {
                        learned.insert(f.path.clone(), (fp, b.clone()));
                    }
                    files.push(f);
                }
                Err(d) => note_error(&mut errors, d),
            }
        }
        sink(files);
    }
    if let Some((c, whole_site)) = cache.as_mut() {
        if !errors.is_empty() {
            c.0.clear();
        } else if *whole_site {
            c.0 = learned;
        } else {
            c.0.extend(learned);
        }
    }
    errors
}
