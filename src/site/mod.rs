//! The site model: published episodes newest first, and the concepts, shows and
//! people they name, each merged by identity, with display names, slugs, related episodes,
//! related concepts and previous/next within a show. Everything here is sorted, so output
//! built from it is deterministic.

pub mod definitions;
pub mod media;
pub mod paths;
mod related;
mod terms;
pub mod timeline;

use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

pub use terms::{Term, TermKind};

use crate::config::{BaseUrl, Config};
use crate::error::Diagnostic;
use crate::load::{Content, CuratedKind, Digest, Page};

/// One concept as an episode uses it.
#[derive(Debug, Clone)]
pub struct EpisodeConcept {
    /// Index into [`Site::concepts`].
    pub concept: usize,
    /// Index into the episode's `digest.concepts`, where its name and definition are as the
    /// digest wrote them (read from there, not copied: a copy of every definition of every
    /// digest was a string each, 600,000 at 100,000 digests).
    pub at: usize,
}

impl EpisodeConcept {
    /// The name as the episode's digest `d` wrote it.
    pub fn name<'a>(&self, d: &'a Digest) -> &'a str {
        d.concepts.get(self.at).map_or("", |c| c.name.as_str())
    }

    /// The definition the episode's digest `d` gives, if any.
    pub fn definition<'a>(&self, d: &'a Digest) -> Option<&'a str> {
        d.concepts.get(self.at)?.definition.as_deref()
    }
}

/// A published episode.
#[derive(Debug, Clone)]
pub struct Episode {
    /// The digest it was read from.
    pub digest: Arc<Digest>,
    /// Output path, `episodes/<slug>/`.
    pub path: String,
    /// Index into [`Site::shows`].
    pub show: Option<usize>,
    /// Indexes into [`Site::people`].
    pub people: Vec<usize>,
    /// Concepts in the order the digest lists them (deduplicated).
    pub concepts: Vec<EpisodeConcept>,
    /// Related episodes by shared concepts, best first.
    pub related: Vec<usize>,
    /// The older episode of the same show.
    pub prev_in_show: Option<usize>,
    /// The newer episode of the same show.
    pub next_in_show: Option<usize>,
}

impl Episode {
    /// The terms it names: its concepts, its show and its people, in that order.
    pub fn terms(&self) -> Vec<(TermKind, usize)> {
        let concepts = self.concepts.iter().map(|c| (TermKind::Concept, c.concept));
        let show = self.show.map(|s| (TermKind::Show, s));
        let people = self.people.iter().map(|&p| (TermKind::Person, p));
        concepts.chain(show).chain(people).collect()
    }

    /// Output path of its data file, `episodes/<slug>/digest.json`.
    pub fn data_path(&self) -> String {
        paths::episode_data(&self.path)
    }

    /// Output path of its chapters (`episodes/<slug>/chapters.json`), when it has any.
    pub fn chapters_path(&self) -> Option<String> {
        (!self.digest.chapters.is_empty()).then(|| paths::chapters_json(&self.path))
    }

    /// Output path of its WebVTT chapters track, when it has chapters.
    pub fn chapters_vtt_path(&self) -> Option<String> {
        (!self.digest.chapters.is_empty()).then(|| paths::chapters_vtt(&self.path))
    }

    fn transcript_format(&self) -> Option<crate::transcript::Format> {
        crate::transcript::format_of(self.digest.transcript.as_ref()?)
    }

    /// Output path of the raw transcript file: `episodes/<slug>/transcript.vtt`.
    pub fn transcript_file_path(&self) -> Option<String> {
        self.transcript_format()
            .map(|f| paths::transcript_file(&self.path, f.extension()))
    }

    /// Output path of the transcript page: `episodes/<slug>/transcript/`.
    pub fn transcript_page_path(&self) -> Option<String> {
        self.digest
            .transcript_data
            .as_ref()
            .map(|_| paths::transcript_page(&self.path))
    }

    /// MIME type of the raw transcript file as Podcasting 2.0 names them.
    pub fn transcript_mime(&self) -> &'static str {
        self.transcript_format()
            .map_or("text/plain", crate::transcript::Format::mime)
    }
}

/// Concepts (and people) a card or a term feed's entry names at most; a card counts the
/// rest (`concepts_more`). An episode's card stands on every list it is in, and its entry in
/// the feed of every term it names: a digest naming thousands of concepts would otherwise
/// repeat all of them thousands of times.
pub const CARD_TERMS: usize = 12;

/// Related episodes of the last build, with the hash of what they were computed from (each
/// episode's slug and concepts, in order): serve keeps it in memory, and a build in the
/// record beside its output (`output::reuse`).
#[derive(Debug, Default)]
pub struct RelatedCache {
    key: u64,
    related: Vec<Vec<usize>>,
}

impl RelatedCache {
    /// The related episodes `related` (by episode, newest first) computed from `key`.
    pub fn new(key: u64, related: Vec<Vec<usize>>) -> RelatedCache {
        RelatedCache { key, related }
    }

    /// The key and the lists, to keep for the next build.
    pub fn parts(&self) -> (u64, &[Vec<usize>]) {
        (self.key, &self.related)
    }
}

/// The whole site, ready to render.
#[derive(Debug)]
pub struct Site {
    /// Validated configuration.
    pub config: Config,
    /// Base URL (checked present).
    pub base: BaseUrl,
    /// Site root folder.
    pub root: PathBuf,
    /// Published episodes, newest first.
    pub episodes: Vec<Episode>,
    /// Concepts sorted by slug.
    pub concepts: Vec<Term>,
    /// Shows sorted by slug.
    pub shows: Vec<Term>,
    /// People sorted by slug.
    pub people: Vec<Term>,
    /// Standalone pages sorted by slug.
    pub pages: Vec<Page>,
    /// Names (and aliases) to terms, per kind (concepts, shows, people).
    lookups: [terms::Lookup; 3],
    /// When the build started: digests dated later are scheduled.
    pub now: jiff::Timestamp,
    /// Digests dated in the future that this build left out.
    pub held_back: usize,
    /// The words pages are written in (the site's `language`): English until the build
    /// sets the ones it read (`i18n`).
    pub words: crate::i18n::Words,
    /// The site's image and each show's, read once (their sizes come from the files).
    images: std::sync::OnceLock<(Option<media::Image>, Vec<Option<media::Image>>)>,
}

/// The order of episodes: newest first; ties by slug, then path, so the order never depends
/// on the walk.
pub fn newest_first(a: &Digest, b: &Digest) -> std::cmp::Ordering {
    b.date
        .timestamp()
        .cmp(&a.date.timestamp())
        .then_with(|| a.slug.cmp(&b.slug))
        .then_with(|| a.path.cmp(&b.path))
}

/// An episode's concepts in the order its digest lists them, each once, with its definition.
fn episode_concepts(lookup: &terms::Lookup, d: &Digest) -> Vec<EpisodeConcept> {
    let mut ecs: Vec<EpisodeConcept> = Vec::new();
    for (at, c) in d.concepts.iter().enumerate() {
        if let Some(idx) = lookup.find(&c.name)
            && !ecs.iter().any(|e| e.concept == idx)
        {
            ecs.push(EpisodeConcept { concept: idx, at });
        }
    }
    ecs
}

/// What a build publishes besides the digests that are done and due.
#[derive(Debug, Clone, Copy, Default)]
pub struct Publish {
    /// Drafts too.
    pub drafts: bool,
    /// Digests dated in the future too (serve shows them, marked scheduled).
    pub future: bool,
}

/// The digests to publish (drafts and future ones only when asked), newest first, and how
/// many future ones were held back; two with one slug are an error.
fn published_digests(
    digests: Vec<Arc<Digest>>,
    publish: Publish,
    now: jiff::Timestamp,
    errors: &mut Vec<Diagnostic>,
) -> (Vec<Arc<Digest>>, usize) {
    let mut digests: Vec<Arc<Digest>> = digests
        .into_iter()
        .filter(|d| publish.drafts || !d.draft)
        .collect();
    let unscheduled = digests.len();
    if !publish.future {
        digests.retain(|d| d.date.timestamp() <= now);
    }
    let held_back = unscheduled - digests.len();
    digests.sort_by(|a, b| newest_first(a, b));
    let mut by_slug: crate::hash::FastMap<&str, &Digest> = crate::hash::FastMap::default();
    for d in digests.iter().map(Arc::as_ref) {
        if let Some(other) = by_slug.insert(d.slug.as_str(), d) {
            let (first, second) = if other.path < d.path {
                (other, d)
            } else {
                (d, other)
            };
            let (line, col) = second.key_pos.slug;
            errors.push(
                Diagnostic::new(
                    &second.path,
                    format!(
                        "episode slug `{}` is also used by {}",
                        d.slug,
                        first.path.display()
                    ),
                )
                .at_position(line, col)
                .hint("set a different `slug:` in one of the two files"),
            );
        }
    }
    (digests, held_back)
}

/// The concepts, shows and people the digests name (with their curated files), and a
/// lookup from names to each; the three kinds are built side by side.
fn all_terms(
    digests: &[Arc<Digest>],
    curated: &[crate::load::Curated],
    config: &Config,
    errors: &mut Vec<Diagnostic>,
) -> ([Vec<Term>; 3], [terms::Lookup; 3]) {
    let curated_of = |kind: CuratedKind| -> Vec<crate::load::Curated> {
        curated.iter().filter(|c| c.kind == kind).cloned().collect()
    };
    // Terms are built oldest first so that "earliest episode" breaks spelling ties.
    let chronological: Vec<usize> = (0..digests.len()).rev().collect();
    fn concept_names(d: &Digest) -> Vec<&str> {
        d.concepts.iter().map(|c| c.name.as_str()).collect()
    }
    fn show_names(d: &Digest) -> Vec<&str> {
        d.show.iter().map(String::as_str).collect()
    }
    fn people_names(d: &Digest) -> Vec<&str> {
        d.people.iter().map(String::as_str).collect()
    }
    let build = |kind: TermKind,
                 names: &(dyn Fn(&Digest) -> Vec<&str> + Sync),
                 aliases: &[(String, String)]| {
        let curated = curated_of(match kind {
            TermKind::Concept => CuratedKind::Concept,
            TermKind::Show => CuratedKind::Show,
            TermKind::Person => CuratedKind::Person,
        });
        terms::build(kind, digests, &chronological, names, curated, aliases)
    };
    let ((concepts, lc, mut e1), ((shows, ls, mut e2), (people, lp, mut e3))) = rayon::join(
        || build(TermKind::Concept, &concept_names, &config.concept_aliases),
        || {
            rayon::join(
                || build(TermKind::Show, &show_names, &[]),
                || build(TermKind::Person, &people_names, &[]),
            )
        },
    );
    for errs in [&mut e1, &mut e2, &mut e3] {
        errors.append(errs);
    }
    ([concepts, shows, people], [lc, ls, lp])
}

/// The standalone pages to publish, by slug; two with one slug are an error.
fn published_pages(pages: Vec<Page>, drafts: bool, errors: &mut Vec<Diagnostic>) -> Vec<Page> {
    let mut pages: Vec<Page> = pages.into_iter().filter(|p| drafts || !p.draft).collect();
    pages.sort_by(|a, b| a.slug.cmp(&b.slug).then_with(|| a.path.cmp(&b.path)));
    for w in pages.windows(2) {
        if w[0].slug == w[1].slug {
            errors.push(Diagnostic::new(
                &w[1].path,
                format!(
                    "page slug `{}` is also used by {}",
                    w[1].slug,
                    w[0].path.display()
                ),
            ));
        }
    }
    pages
}

/// Sets each episode's related episodes, reusing `cache` when the episode order and each
/// episode's concepts (all they depend on) are as last time.
fn relate_episodes(episodes: &mut [Episode], concepts: &[Term], cache: Option<&mut RelatedCache>) {
    let mut key = crate::hash::Combine::new("related");
    for e in episodes.iter() {
        key.add(&e.digest.slug);
        for c in &e.concepts {
            key.add(&c.concept);
        }
        key.add(&usize::MAX);
    }
    let key = key.finish();
    match cache {
        Some(c) if c.key == key && c.related.len() == episodes.len() => {
            for (e, r) in episodes.iter_mut().zip(&c.related) {
                e.related = r.clone();
            }
        }
        other => {
            related::related_episodes(episodes, concepts);
            if let Some(c) = other {
                c.key = key;
                c.related = episodes.iter().map(|e| e.related.clone()).collect();
            }
        }
    }
}

/// Compares the definitions of every concept, or of the concepts `only` names.
fn compare_definitions(episodes: &[Episode], concepts: &mut [Term], only: Option<&[usize]>) {
    let compared: Vec<(usize, definitions::Compared)> = concepts
        .par_iter()
        .enumerate()
        .filter(|(c, _)| only.is_none_or(|o| o.contains(c)))
        .map(|(c, t)| (c, definitions::compare(episodes, c, &t.episodes)))
        .collect();
    for (c, d) in compared {
        concepts[c].definitions = d;
    }
}

impl Site {
    /// Builds the model; `publish` says whether drafts and future digests are in.
    pub fn build(
        config: Config,
        base: BaseUrl,
        root: PathBuf,
        content: Content,
        publish: Publish,
    ) -> Result<Site, Vec<Diagnostic>> {
        Site::build_cached(config, base, root, content, publish, None)
    }

    /// [`Site::build`], reusing related-episode results from `cache` when the episodes and
    /// their concepts are the same as last time (a body edit in `serve`).
    pub fn build_cached(
        config: Config,
        base: BaseUrl,
        root: PathBuf,
        content: Content,
        publish: Publish,
        cache: Option<&mut RelatedCache>,
    ) -> Result<Site, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let now = jiff::Timestamp::now();
        let (digests, held_back) = published_digests(content.digests, publish, now, &mut errors);
        let drafts = publish.drafts;
        let ([concepts, shows, people], lookups) =
            all_terms(&digests, &content.curated, &config, &mut errors);
        let [concept_lookup, show_lookup, people_lookup] = &lookups;
        let pages = published_pages(content.pages, drafts, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        // In parallel: each episode looks up its names and copies its concepts'
        // definitions (a quarter of the model at 10,000 episodes, done one by one).
        let mut episodes: Vec<Episode> = digests
            .into_par_iter()
            .map(|d| {
                let mut ppl: Vec<usize> = Vec::new();
                for p in &d.people {
                    if let Some(i) = people_lookup.find(p)
                        && !ppl.contains(&i)
                    {
                        ppl.push(i);
                    }
                }
                Episode {
                    path: paths::episode(&d.slug),
                    show: d.show.as_deref().and_then(|s| show_lookup.find(s)),
                    people: ppl,
                    concepts: episode_concepts(concept_lookup, &d),
                    related: Vec::new(),
                    prev_in_show: None,
                    next_in_show: None,
                    digest: d,
                }
            })
            .collect();
        let (mut concepts, mut shows, mut people) = (concepts, shows, people);
        for (i, e) in episodes.iter().enumerate() {
            for c in &e.concepts {
                concepts[c.concept].episodes.push(i);
            }
            if let Some(s) = e.show {
                shows[s].episodes.push(i);
            }
            for p in &e.people {
                people[*p].episodes.push(i);
            }
        }
        for s in &shows {
            // Episode indexes ascend newest → oldest.
            for w in s.episodes.windows(2) {
                episodes[w[0]].prev_in_show = Some(w[1]);
                episodes[w[1]].next_in_show = Some(w[0]);
            }
        }
        relate_episodes(&mut episodes, &concepts, cache);
        related::related_concepts(&episodes, &mut concepts);
        compare_definitions(&episodes, &mut concepts, None);
        Ok(Site {
            config,
            base,
            root,
            episodes,
            concepts,
            shows,
            people,
            pages,
            lookups,
            now,
            held_back,
            images: std::sync::OnceLock::new(),
            words: crate::i18n::Words::english(),
        })
    }

    /// Drops every episode's Markdown source once the bodies are rendered (`build` only:
    /// nothing after the Markdown stage reads it).
    pub fn release_bodies(&mut self) {
        for e in &mut self.episodes {
            if let Some(d) = Arc::get_mut(&mut e.digest) {
                d.body = None;
            }
        }
    }

    /// Episode `i` with a new digest that differs from its old one only in what no other part
    /// of the model is computed from (title, summary, definitions, body…; the caller checks):
    /// its concepts are re-read for their definitions and compared again, every index stays
    /// as it was. Returns the concepts whose definition in this digest changed, each with
    /// its comparison before the edit.
    pub fn replace_digest(
        &mut self,
        i: usize,
        digest: Arc<Digest>,
    ) -> Vec<(usize, definitions::Compared)> {
        let concepts = episode_concepts(&self.lookups[0], &digest);
        let Some(e) = self.episodes.get_mut(i) else {
            return Vec::new();
        };
        let changed: Vec<usize> = concepts
            .iter()
            .filter(|c| {
                let old = e.concepts.iter().find(|o| o.concept == c.concept);
                old.map(|o| o.definition(&e.digest)) != Some(c.definition(&digest))
            })
            .map(|c| c.concept)
            .collect();
        e.concepts = concepts;
        e.digest = digest;
        if changed.is_empty() {
            return Vec::new();
        }
        let before: Vec<definitions::Compared> = changed
            .iter()
            .map(|&c| self.concepts[c].definitions.clone())
            .collect();
        compare_definitions(&self.episodes, &mut self.concepts, Some(&changed));
        changed.into_iter().zip(before).collect()
    }

    /// The definition a digest naming concept `c` without defining it borrows: the concept's
    /// curated description (its first paragraph), else its most common definition, with the
    /// episode credited for it. `None` when neither exists.
    pub fn borrowed_definition(&self, c: usize) -> Option<(&str, Option<usize>)> {
        let t = self.concepts.get(c)?;
        if let Some(first) = t.curated_summary() {
            return Some((first, None));
        }
        let common = t.definitions.common?;
        let text = definitions::given(&self.episodes, common.episode, c)?;
        Some((text, Some(common.episode)))
    }

    /// One line about a term, for lists and search (at most 200 characters): its curated
    /// description's first paragraph; for a concept without one, its most common
    /// definition. Empty when there is neither.
    pub fn one_line(&self, kind: TermKind, i: usize) -> String {
        let text = match kind {
            TermKind::Concept => self.borrowed_definition(i).map(|b| b.0),
            _ => self.terms(kind).get(i).and_then(Term::curated_summary),
        };
        text.map(|t| crate::text::truncate(t, 200))
            .unwrap_or_default()
    }

    /// The concept a name (or alias) refers to.
    pub fn concept_by_name(&self, name: &str) -> Option<&Term> {
        self.find_term(TermKind::Concept, name)
            .and_then(|i| self.concepts.get(i))
    }

    /// A hash of the concepts' aliases (curated `aliases:` and the config's
    /// `concept_aliases`): with the concepts' keys, what [`Site::concept_by_name`] finds.
    pub fn concept_aliases_hash(&self) -> u64 {
        self.lookups[0].aliases_hash()
    }

    /// The index of the term of `kind` a name (or alias) refers to.
    pub fn find_term(&self, kind: TermKind, name: &str) -> Option<usize> {
        let [concepts, shows, people] = &self.lookups;
        match kind {
            TermKind::Concept => concepts,
            TermKind::Show => shows,
            TermKind::Person => people,
        }
        .find(name)
    }

    /// The list of terms of a kind.
    pub fn terms(&self, kind: TermKind) -> &[Term] {
        match kind {
            TermKind::Concept => &self.concepts,
            TermKind::Show => &self.shows,
            TermKind::Person => &self.people,
        }
    }
}
