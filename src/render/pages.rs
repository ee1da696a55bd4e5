//! The pages a site has: one enumerator ([`all`]), and beside it which pages show a given
//! episode or term ([`showing_episode`], [`showing_term`]), which serve's one-file edits
//! redo. What each page shows is declared once, in [`super::declare`].

use crate::site::{Site, TermKind, paths};

/// The order of a list of terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sort {
    /// A–Z, with letter anchors (the list's own page).
    Name,
    /// Most digests first (`by-count/`).
    Count,
}

/// One page to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Job {
    /// An episode's page.
    Episode(usize),
    /// An episode's transcript page.
    Transcript(usize),
    /// Page `n` of `total` of the episode list.
    Home(usize, usize),
    /// The list of every term of a kind, in one order.
    TermList(TermKind, Sort),
    /// Page `n` of `total` of a term's episodes.
    Term(TermKind, usize, usize, usize),
    /// Page `n` of `total` of a concept's full list of definitions.
    Definitions(usize, usize, usize),
    /// A standalone page.
    Page(usize),
    /// The search page.
    Search,
    /// The page for unknown paths.
    NotFound,
}

impl Job {
    /// The page's path (a folder, or `404.html`).
    pub fn path(&self, site: &Site) -> String {
        match *self {
            Job::Episode(i) => site.episodes[i].path.clone(),
            Job::Transcript(i) => paths::transcript_page(&site.episodes[i].path),
            Job::Home(n, _) => paths::paginated(paths::HOME, n),
            Job::TermList(kind, Sort::Name) => kind.list_path(),
            Job::TermList(kind, Sort::Count) => kind.list_by_count_path(),
            Job::Term(kind, i, n, _) => paths::paginated(&site.terms(kind)[i].path(), n),
            Job::Definitions(c, n, _) => site.concepts[c].definitions_path(n),
            Job::Page(i) => paths::page(&site.pages[i].slug),
            Job::Search => paths::SEARCH.to_string(),
            Job::NotFound => paths::NOT_FOUND.to_string(),
        }
    }
}

/// The pages made from one episode's body: its page and its transcript's page.
pub fn of_episode(site: &Site, i: usize) -> Vec<Job> {
    let mut jobs = vec![Job::Episode(i)];
    if site.episodes[i].digest.transcript_data.is_some() {
        jobs.push(Job::Transcript(i));
    }
    jobs
}

/// Every page of the site, episode pages first when `with_episodes` (a build renders those
/// with their bodies instead: see `pipeline`).
pub fn all(site: &Site, with_episodes: bool) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    if with_episodes {
        for i in 0..site.episodes.len() {
            jobs.extend(of_episode(site, i));
        }
    }
    let per = site.config.paginate;
    let home_pages = paths::page_count(site.episodes.len(), per);
    jobs.extend((1..=home_pages).map(|n| Job::Home(n, home_pages)));
    for kind in TermKind::ALL {
        jobs.extend(term_lists(kind));
        for i in 0..site.terms(kind).len() {
            jobs.extend(term_pages(site, kind, i));
        }
    }
    jobs.extend((0..site.pages.len()).map(Job::Page));
    if site.config.search {
        jobs.push(Job::Search);
    }
    jobs.push(Job::NotFound);
    jobs
}

/// How many pages the list of term `t` of `kind` has.
fn list_pages(site: &Site, kind: TermKind, t: usize) -> usize {
    let episodes = site
        .terms(kind)
        .get(t)
        .map_or(0, |term| term.episodes.len());
    paths::page_count(episodes, site.config.paginate)
}

/// Every page of term `t`'s list, and for a concept every page of its definitions.
pub fn term_pages(site: &Site, kind: TermKind, t: usize) -> Vec<Job> {
    let total = list_pages(site, kind, t);
    let mut jobs: Vec<Job> = (1..=total).map(|n| Job::Term(kind, t, n, total)).collect();
    jobs.extend(definitions(site, kind, t));
    jobs
}

/// The first page of term `t`'s list: the one with its profile, its timeline and, for a
/// concept, the comparison of its definitions.
pub fn first_term_page(site: &Site, kind: TermKind, t: usize) -> Job {
    Job::Term(kind, t, 1, list_pages(site, kind, t))
}

/// The two lists of the terms of `kind`: by name and by count.
pub fn term_lists(kind: TermKind) -> [Job; 2] {
    [
        Job::TermList(kind, Sort::Name),
        Job::TermList(kind, Sort::Count),
    ]
}

/// Every page of a concept's full list of definitions (none for shows and people, or when
/// its first page shows them all).
pub fn definitions(site: &Site, kind: TermKind, i: usize) -> Vec<Job> {
    if kind != TermKind::Concept {
        return Vec::new();
    }
    let total = site.concepts[i].definitions.full_list_pages();
    (1..=total).map(|n| Job::Definitions(i, n, total)).collect()
}

/// The pages that show episode `i` (its page and transcript, the episodes that list it as
/// related, previous or next, and the one page of the home list and of each of its terms'
/// lists it is on; for each of its concepts, the pages naming it under its definition and
/// the digests that borrow its definition), found from the model instead of by hashing
/// every page.
pub fn showing_episode(site: &Site, i: usize) -> Vec<Job> {
    let Some(e) = site.episodes.get(i) else {
        return Vec::new();
    };
    let mut jobs = of_episode(site, i);
    for (j, other) in site.episodes.iter().enumerate() {
        if j != i
            && (other.related.contains(&i)
                || other.prev_in_show == Some(i)
                || other.next_in_show == Some(i))
        {
            jobs.push(Job::Episode(j));
        }
    }
    let per = site.config.paginate.max(1);
    jobs.push(Job::Home(
        i / per + 1,
        paths::page_count(site.episodes.len(), per),
    ));
    for (kind, t) in e.terms() {
        let list = &site.terms(kind)[t].episodes;
        if let Ok(pos) = list.binary_search(&i) {
            let pages = paths::page_count(list.len(), per);
            jobs.push(Job::Term(kind, t, pos / per + 1, pages));
            // A concept's first page names its oldest episode too (the timeline's first
            // mention), wherever that episode is listed, and the digests whose definitions
            // it compares. Only a concept has definitions: `t` of a show or a person is no
            // index into them.
            let compared = match kind {
                TermKind::Concept => site.concepts.get(t).map(|c| &c.definitions),
                _ => None,
            };
            let Some(compared) = compared else { continue };
            if pos >= per && (pos + 1 == list.len() || compared.names_on_first_page(i)) {
                jobs.push(Job::Term(kind, t, 1, pages));
            }
            if let Some(n) = compared.full_list_page_naming(i) {
                jobs.push(Job::Definitions(t, n, compared.full_list_pages()));
            }
        }
    }
    for c in &e.concepts {
        jobs.extend(borrowing(site, c.concept, Some(i)));
    }
    jobs.sort_unstable();
    jobs.dedup();
    jobs
}

/// The pages a change to concepts' definitions reaches, beyond those showing the edited
/// episode: each concept's first page and full list (which compare its definitions), the
/// lists of concepts (one line each), and, when it has a most common definition now or had
/// one before (the flag, with each concept), the digests that borrow it (the credited
/// digest may have changed, or be the same one with new words). Digests borrow a curated
/// description instead, when there is one.
pub fn redefining(site: &Site, redefined: &[(usize, bool)]) -> Vec<Job> {
    let mut jobs = Vec::new();
    for &(c, had_common) in redefined {
        let Some(concept) = site.concepts.get(c) else {
            continue;
        };
        jobs.push(first_term_page(site, TermKind::Concept, c));
        jobs.extend(definitions(site, TermKind::Concept, c));
        jobs.extend(term_lists(TermKind::Concept));
        let curated = concept.curated_summary().is_some();
        if !curated && (had_common || concept.definitions.common.is_some()) {
            jobs.extend(borrowing(site, c, None));
        }
    }
    jobs
}

/// The pages of the digests that name concept `c` without defining it and borrow the
/// definition episode `credited` gives (every such digest when `credited` is `None`).
pub fn borrowing(site: &Site, c: usize, credited: Option<usize>) -> Vec<Job> {
    let Some(concept) = site.concepts.get(c) else {
        return Vec::new();
    };
    if credited.is_some() && site.borrowed_definition(c).and_then(|b| b.1) != credited {
        return Vec::new();
    }
    concept
        .episodes
        .iter()
        .filter(|&&j| crate::site::definitions::given(&site.episodes, j, c).is_none())
        .map(|&j| Job::Episode(j))
        .collect()
}

/// The pages that show term `t` of `kind`: what a change to a term reaches. Serve needs no
/// such list (its rebuild finds changed pages by their fingerprints); the tests hold the
/// fingerprints to it, so it stays the true answer for whoever adds a fast path for
/// curated files. They are: every page of its own list, the list of its
/// kind, the pages of the episodes that name it (their cards name it too, so the home
/// pages and the term pages listing them), and for a concept the pages of the concepts
/// related to it.
#[cfg(test)]
pub fn showing_term(site: &Site, kind: TermKind, t: usize) -> Vec<Job> {
    let Some(term) = site.terms(kind).get(t) else {
        return Vec::new();
    };
    let mut jobs = term_pages(site, kind, t);
    jobs.extend(term_lists(kind));
    for &e in &term.episodes {
        jobs.extend(showing_episode(site, e));
    }
    if kind == TermKind::Concept {
        for &(r, _) in &term.related {
            jobs.push(first_term_page(site, TermKind::Concept, r));
        }
    }
    jobs.sort_unstable();
    jobs.dedup();
    jobs
}
