//! How a concept's digests define it, compared: its definitions grouped by show, the ones
//! that say the same thing merged, and the one given most often (what a digest that names
//! the concept without defining it borrows, and what the glossary and search show). Built
//! once per concept from the model, so every page that shows a definition agrees. See
//! `docs/themes.md` (`term.definitions`) for how the pages show it.

use std::collections::HashMap;

use super::Episode;

/// Definitions a show gets on a concept's first page; the rest are on the full list.
pub const FIRST_PAGE_PER_SHOW: usize = 3;
/// Episodes named under one definition on a concept's first page (the count says the rest).
pub const FIRST_PAGE_EPISODES: usize = 3;
/// Definitions on one page of a concept's full list of definitions.
pub const PER_PAGE: usize = 100;
/// Episodes named under one definition on the full list.
pub const PAGE_EPISODES: usize = 12;

/// One show's distinct definitions of a concept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowDefinitions {
    /// The show (index into `Site::shows`); `None` gathers the digests without a show.
    pub show: Option<usize>,
    /// How many of the show's digests define the concept.
    pub given: usize,
    /// Each distinct definition as the digests giving it (indexes into `Site::episodes`,
    /// newest first; the newest one's wording is shown), most given first.
    pub definitions: Vec<Vec<usize>>,
}

/// The definition given most often, over every show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Common {
    /// The earliest digest giving it (its wording is the one shown): a new digest that
    /// repeats it changes neither the text nor the credit.
    pub episode: usize,
    /// How many digests give it.
    pub count: usize,
}

/// A concept's definitions, compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compared {
    /// By show: the show whose digests define it most first, digests without a show last.
    pub shows: Vec<ShowDefinitions>,
    /// The most common definition; `None` when no digest defines the concept.
    pub common: Option<Common>,
    /// How many different definitions there are over every show (one given by two shows
    /// counts once).
    pub ways: usize,
}

/// Episode `e`'s own definition of concept `concept`, if it gives one.
pub fn given(episodes: &[Episode], e: usize, concept: usize) -> Option<&str> {
    let e = episodes.get(e)?;
    e.concepts
        .iter()
        .find(|c| c.concept == concept)?
        .definition(&e.digest)
}

/// The hash of the words of episode `e`'s own definition of concept `concept`, if it gives
/// one with any words.
fn wording(episodes: &[Episode], e: usize, concept: usize) -> Option<u64> {
    let e = episodes.get(e)?;
    let c = e.concepts.iter().find(|c| c.concept == concept)?;
    e.digest.concepts.get(c.at)?.wording
}

/// Compares the definitions the episodes `list` (newest first, as a term keeps them) give
/// of concept `concept`.
pub fn compare(episodes: &[Episode], concept: usize, list: &[usize]) -> Compared {
    let mut shows: Vec<ShowDefinitions> = Vec::new();
    let mut group_of: HashMap<Option<usize>, usize, ahash::RandomState> = HashMap::default();
    // Each distinct wording is known by its number after this: the maps below hold
    // numbers. (No result depends on a map's order, so any hasher does.)
    let mut numbered: HashMap<u64, usize, ahash::RandomState> = HashMap::default();
    // (group, wording) → definition index within the group.
    let mut def_of: HashMap<(usize, usize), usize, ahash::RandomState> = HashMap::default();
    // By wording: (digests giving it, the earliest so far).
    let mut overall: Vec<(usize, usize)> = Vec::new();
    for &e in list {
        // The hash of the definition's words, made when the digest was parsed: computing
        // the words of every definition again was a tenth of a build that reused the last.
        let Some(key) = wording(episodes, e, concept) else {
            continue;
        };
        let show = episodes[e].show;
        let g = *group_of.entry(show).or_insert_with(|| {
            shows.push(ShowDefinitions {
                show,
                given: 0,
                definitions: Vec::new(),
            });
            shows.len() - 1
        });
        let group = &mut shows[g];
        group.given += 1;
        let next = overall.len();
        let w = *numbered.entry(key).or_insert(next);
        if w == next {
            overall.push((0, e));
        }
        let slot = &mut overall[w];
        slot.0 += 1;
        // The list is newest first, so the last digest seen is the earliest.
        slot.1 = e;
        match def_of.entry((g, w)) {
            std::collections::hash_map::Entry::Occupied(o) => group.definitions[*o.get()].push(e),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(group.definitions.len());
                group.definitions.push(vec![e]);
            }
        }
    }
    for g in &mut shows {
        // Most given first; equal counts keep the newest first (their first digest).
        g.definitions
            .sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    }
    // Show indexes follow slugs, so equal counts list shows alphabetically by slug.
    shows.sort_by(|a, b| {
        a.show
            .is_none()
            .cmp(&b.show.is_none())
            .then(b.given.cmp(&a.given))
            .then(a.show.cmp(&b.show))
    });
    let ways = overall.len();
    // Most given; on a tie the one first given earliest (the larger index: newest first).
    let common = overall
        .into_iter()
        .max_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)))
        .map(|(count, episode)| Common { episode, count });
    Compared {
        shows,
        common,
        ways,
    }
}

impl Compared {
    /// Whether the first page leaves some show's definitions out, so that a full list of
    /// definitions is published.
    pub fn has_full_list(&self) -> bool {
        self.shows
            .iter()
            .any(|g| g.definitions.len() > FIRST_PAGE_PER_SHOW)
    }

    /// How many digests define the concept, over every show.
    pub fn given(&self) -> usize {
        self.shows.iter().map(|g| g.given).sum()
    }

    /// How many distinct definitions there are, over every show.
    pub fn distinct(&self) -> usize {
        self.shows.iter().map(|g| g.definitions.len()).sum()
    }

    /// How many pages the full list of definitions takes (0 when there is none).
    pub fn full_list_pages(&self) -> usize {
        if self.has_full_list() {
            self.distinct().div_ceil(PER_PAGE)
        } else {
            0
        }
    }

    /// The definitions on page `n` (1-based) of the full list, as (group, definition)
    /// positions, in order.
    pub fn full_list_page(&self, n: usize) -> Vec<(usize, usize)> {
        self.shows
            .iter()
            .enumerate()
            .flat_map(|(g, s)| (0..s.definitions.len()).map(move |d| (g, d)))
            .skip(n.saturating_sub(1) * PER_PAGE)
            .take(PER_PAGE)
            .collect()
    }

    /// The page of the full list where group `g` starts.
    pub fn full_list_page_of_group(&self, g: usize) -> usize {
        let before: usize = self.shows[..g.min(self.shows.len())]
            .iter()
            .map(|s| s.definitions.len())
            .sum();
        before / PER_PAGE + 1
    }

    /// Whether episode `e` is named under a definition on the concept's first page.
    pub fn names_on_first_page(&self, e: usize) -> bool {
        self.shows.iter().any(|g| {
            g.definitions
                .iter()
                .take(FIRST_PAGE_PER_SHOW)
                .any(|d| d.iter().take(FIRST_PAGE_EPISODES).any(|&x| x == e))
        })
    }

    /// The page of the full list that names episode `e` under its definition, if any.
    pub fn full_list_page_naming(&self, e: usize) -> Option<usize> {
        if !self.has_full_list() {
            return None;
        }
        let mut position = 0usize;
        for g in &self.shows {
            for d in &g.definitions {
                if d.iter().take(PAGE_EPISODES).any(|&x| x == e) {
                    return Some(position / PER_PAGE + 1);
                }
                position += 1;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::site::EpisodeConcept;

    fn episode(show: Option<usize>, definition: Option<&str>) -> Episode {
        let concept = match definition {
            Some(d) => format!("concepts:\n  - name: Platform Risk\n    definition: \"{d}\"\n"),
            None => "concepts: [Platform Risk]\n".to_string(),
        };
        let digest = crate::load::digest::parse_digest(
            std::path::Path::new("x.md"),
            std::path::Path::new("."),
            std::path::Path::new("."),
            &format!("---\ntitle: T\ndate: 2024-01-01\n{concept}---\nBody.\n"),
        );
        let digest = match digest {
            Ok(d) => Arc::new(d),
            Err(e) => panic!("{e:?}"),
        };
        assert_eq!(digest.concepts[0].definition.as_deref(), definition);
        Episode {
            digest,
            path: String::new(),
            show,
            people: Vec::new(),
            concepts: vec![EpisodeConcept { concept: 0, at: 0 }],
            related: Vec::new(),
            prev_in_show: None,
            next_in_show: None,
        }
    }

    #[test]
    fn definitions_group_by_show_merge_near_identical_and_rank_by_use() {
        let eps = vec![
            episode(Some(1), Some("Depending on one vendor.")), // 0, newest
            episode(Some(0), Some("A single supplier.")),       // 1
            episode(Some(1), Some("depending on ONE vendor")),  // 2
            episode(None, Some("Who knows.")),                  // 3
            episode(Some(1), None),                             // 4: bare
            episode(Some(1), Some("Lock-in.")),                 // 5
            episode(Some(0), Some("Depending on one vendor!")), // 6, oldest
        ];
        let c = compare(&eps, 0, &[0, 1, 2, 3, 4, 5, 6]);
        // Show 1 defines it three times (two merged), show 0 twice, no show last.
        let order: Vec<_> = c.shows.iter().map(|g| (g.show, g.given)).collect();
        assert_eq!(order, vec![(Some(1), 3), (Some(0), 2), (None, 1)]);
        assert_eq!(c.shows[0].definitions, vec![vec![0, 2], vec![5]]);
        // Equal counts: the newest first.
        assert_eq!(c.shows[1].definitions, vec![vec![1], vec![6]]);
        // Over every show "depending on one vendor" is given three times; its earliest
        // digest is credited.
        assert_eq!(
            c.common,
            Some(Common {
                episode: 6,
                count: 3
            })
        );
        assert_eq!(c.distinct(), 5);
        // "Depending on one vendor" is one way, though two shows give it.
        assert_eq!(c.ways, 4);
        assert!(!c.has_full_list());
        assert_eq!(c.full_list_pages(), 0);
        assert!(c.names_on_first_page(5));
        assert!(!c.names_on_first_page(4));
    }

    #[test]
    fn a_show_with_many_definitions_gets_a_full_list() {
        let texts: Vec<String> = (0..250).map(|n| format!("Definition {n}.")).collect();
        let mut eps: Vec<Episode> = texts
            .iter()
            .map(|t| episode(Some(0), Some(t.as_str())))
            .collect();
        eps.push(episode(Some(1), Some("Other.")));
        let list: Vec<usize> = (0..eps.len()).collect();
        let c = compare(&eps, 0, &list);
        assert!(c.has_full_list());
        assert_eq!(c.full_list_pages(), 3);
        assert_eq!(c.full_list_page(3).len(), 51);
        assert_eq!(c.full_list_page(3).last(), Some(&(1, 0)));
        assert_eq!(c.full_list_page_of_group(1), 3);
        assert!(c.names_on_first_page(2));
        assert!(!c.names_on_first_page(3));
        assert_eq!(c.full_list_page_naming(3), Some(1));
        assert_eq!(c.full_list_page_naming(150), Some(2));
        assert_eq!(c.full_list_page_naming(250), Some(3));
    }

    #[test]
    fn no_definition_no_common() {
        let eps = vec![episode(Some(0), None)];
        let c = compare(&eps, 0, &[0]);
        assert_eq!(c, Compared::default());
    }
}
