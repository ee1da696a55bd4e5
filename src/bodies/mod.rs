//! Rendered bodies: the stage between the site model and everything made from Markdown.
//! Episode bodies are rendered here (in parallel) rather than at load, because Key Concepts
//! links need the final concept slugs, which only the model knows.
//!
//! A rendered body is split in two by what reads it: [`Html`] (the page, the site feeds) and
//! [`Text`] (the search index, `digest.json`). A build frees an episode's HTML once its page
//! is written, except for the newest episodes the site feeds carry; the text once its
//! `digest.json` is made and its words are counted for the search index (`search::Index`).
//! The types say which is which, so a stage cannot read HTML that is gone. See
//! `docs/architecture.md`.

pub mod kept;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::Diagnostic;
use crate::markdown::{self, Highlighter, RenderContext, Section, TocEntry};
use crate::site::{Site, TermKind};

/// What a page shows of a rendered body.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Html {
    /// The HTML.
    pub html: String,
    /// Headings in order.
    pub toc: Vec<TocEntry>,
    /// Words in the body's text and code.
    pub word_count: usize,
}

/// What the search index and the data files read of a rendered body.
#[derive(Debug, Clone, Default)]
pub struct Text {
    /// Text by section.
    pub sections: Vec<Section>,
    /// Words in the body's text and code.
    pub word_count: usize,
}

/// Splits a rendered body by what reads it.
pub fn split(r: markdown::Rendered) -> (Html, Text) {
    (
        Html {
            html: r.html,
            toc: r.toc,
            word_count: r.word_count,
        },
        Text {
            sections: r.sections,
            word_count: r.word_count,
        },
    )
}

/// One episode's body, both halves.
pub type EpisodeBody = (Arc<Html>, Arc<Text>);

/// The texts of every body, in model order: what outlives the pages.
#[derive(Debug, Default)]
pub struct Texts {
    /// One per episode.
    pub episodes: Vec<Arc<Text>>,
    /// One per standalone page.
    pub pages: Vec<Arc<Text>>,
}

/// Bodies other than episodes': standalone pages and curated term descriptions (few, and
/// kept whole for the whole build).
#[derive(Debug, Default)]
pub struct Others {
    /// One per standalone page.
    pub pages: Vec<Html>,
    /// Curated descriptions by kind and term index.
    pub curated: BTreeMap<(TermKind, usize), Html>,
}

/// Every body of the site, whole: serve's stage value (a build keeps no such thing).
pub struct Bodies {
    /// Episode HTML, one per episode.
    pub episodes: Vec<Arc<Html>>,
    /// Standalone pages and curated descriptions.
    pub others: Others,
    /// Every body's text.
    pub texts: Texts,
    /// What each episode body was rendered from ([`episode_key`]), to reuse it.
    pub episode_keys: Vec<u64>,
}

/// An episode's body as its pages are declared from it: what it renders from
/// ([`episode_key`]) and, once rendered, its HTML. The key stands in for the body in the
/// pages' fingerprints, so a build can tell that a page is unchanged, and keep it, without
/// rendering the body.
#[derive(Debug, Clone, Copy)]
pub struct BodyRef<'a> {
    /// [`episode_key`].
    pub key: u64,
    /// The rendered body, when it is.
    pub html: Option<&'a Html>,
}

/// Episode bodies of the last build by what they were rendered from (serve).
#[derive(Default)]
pub struct BodyCache(HashMap<u64, EpisodeBody>);

/// What an episode body renders from: its text and the URLs its Key Concepts terms link
/// to. `all_concepts` is [`all_concepts_key`].
pub fn episode_key(site: &Site, i: usize, all_concepts: u64) -> u64 {
    let d = &site.episodes[i].digest;
    let mut c = crate::hash::Combine::new("body");
    // The body's hash, not the body: a build does not keep bodies.
    c.add(&d.body_hash);
    // Timestamps link to the media file or the video page.
    c.add(&d.media.as_ref().map(|m| m.url.as_str()));
    c.add(&d.source);
    if d.key_concepts_in_body {
        if d.concepts_in_front_matter {
            // The body list may name concepts the front matter does not: depend on them all.
            c.add(&all_concepts);
        } else {
            for concept in &d.concepts {
                c.add(&site.concept_by_name(&concept.name).map(|t| t.slug.as_str()));
            }
        }
    }
    c.finish()
}

/// What every body linking Key Concepts depends on: each concept's key and slug, and the
/// aliases that lead a name to one (a body's Key Concepts item names a concept by an
/// alias as readily as by its name).
pub fn all_concepts_key(site: &Site) -> u64 {
    let mut c = crate::hash::Combine::new("concepts");
    c.add(&site.concept_aliases_hash());
    for t in &site.concepts {
        c.add(&t.key).add(&t.slug);
    }
    c.finish()
}

/// Calls `f` with the Markdown context of this site: its options and concept links.
/// `episode` is the episode whose body is rendered: its timestamps link to its moments.
fn with_context<R>(
    site: &Site,
    highlighter: &Highlighter,
    episode: Option<usize>,
    f: impl FnOnce(&RenderContext) -> R,
) -> R {
    let lookup = |term: &str| {
        site.concept_by_name(term)
            .map(|t| site.base.link(&t.path()))
    };
    let moment = |secs: u64| episode.and_then(|i| site.moment_url(i, secs));
    f(&RenderContext {
        options: site.config.markdown,
        highlighter,
        base_path: &site.base.path,
        concept_url: &lookup,
        moment_url: episode.map(|_| &moment as &(dyn Fn(u64) -> Option<String> + Sync)),
    })
}

/// Renders episode `i`'s body; an error if a build freed it already.
pub fn episode(
    site: &Site,
    highlighter: &Highlighter,
    i: usize,
) -> Result<EpisodeBody, Diagnostic> {
    let d = &site.episodes[i].digest;
    let body = d.read_body(&site.root)?;
    with_context(site, highlighter, Some(i), |cx| {
        let (html, text) = split(markdown::render(&body, cx));
        Ok((Arc::new(html), Arc::new(text)))
    })
}

/// Renders the bodies of standalone pages and curated term descriptions, with the pages'
/// texts.
pub fn others(site: &Site, highlighter: &Highlighter) -> (Others, Vec<Arc<Text>>) {
    with_context(site, highlighter, None, |cx| {
        let (pages, texts): (Vec<Html>, Vec<Arc<Text>>) = site
            .pages
            .par_iter()
            .map(|p| {
                let (html, text) = split(markdown::render(&p.body, cx));
                (html, Arc::new(text))
            })
            .unzip();
        let mut curated = BTreeMap::new();
        for kind in TermKind::ALL {
            for (i, t) in site.terms(kind).iter().enumerate() {
                if let Some(c) = &t.curated {
                    curated.insert((kind, i), split(markdown::render(&c.body, cx)).0);
                }
            }
        }
        (Others { pages, curated }, texts)
    })
}

/// Renders every body of the site, reusing the episode bodies in `cache` whose key is
/// unchanged, and refills the cache (serve; a build renders episode bodies with their pages
/// instead).
pub fn all(
    site: &Site,
    highlighter: &Highlighter,
    cache: &mut BodyCache,
) -> Result<Bodies, Vec<Diagnostic>> {
    let all_concepts = all_concepts_key(site);
    let episode_keys: Vec<u64> = (0..site.episodes.len())
        .into_par_iter()
        .map(|i| episode_key(site, i, all_concepts))
        .collect();
    let previous = &cache.0;
    let rendered: Vec<Result<EpisodeBody, Diagnostic>> = (0..site.episodes.len())
        .into_par_iter()
        .map(|i| match previous.get(&episode_keys[i]) {
            Some(b) => Ok(b.clone()),
            None => episode(site, highlighter, i),
        })
        .collect();
    let mut episodes = Vec::with_capacity(rendered.len());
    let mut errors = Vec::new();
    for r in rendered {
        match r {
            Ok(b) => episodes.push(b),
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    cache.0 = episode_keys
        .iter()
        .copied()
        .zip(episodes.iter().cloned())
        .collect();
    let (others, page_texts) = others(site, highlighter);
    let (html, texts): (Vec<_>, Vec<_>) = episodes.into_iter().unzip();
    Ok(Bodies {
        episodes: html,
        others,
        texts: Texts {
            episodes: texts,
            pages: page_texts,
        },
        episode_keys,
    })
}

impl Bodies {
    /// Episode `i`'s body, as its pages are declared from it.
    pub fn episode(&self, i: usize) -> Option<BodyRef<'_>> {
        Some(BodyRef {
            key: *self.episode_keys.get(i)?,
            html: Some(self.episodes.get(i)?),
        })
    }

    /// Renders episode `i`'s body again after its text changed (serve's one-episode edit).
    pub fn rerender_episode(
        &mut self,
        site: &Site,
        highlighter: &Highlighter,
        i: usize,
    ) -> Result<(), Diagnostic> {
        let (html, text) = episode(site, highlighter, i)?;
        if let (Some(h), Some(t), Some(k)) = (
            self.episodes.get_mut(i),
            self.texts.episodes.get_mut(i),
            self.episode_keys.get_mut(i),
        ) {
            *h = html;
            *t = text;
            *k = episode_key(site, i, all_concepts_key(site));
        }
        Ok(())
    }
}
