//! Related episodes and related concepts. Both are bounded per item so that a concept shared
//! by thousands of episodes costs linear, not quadratic, time.

use super::{Episode, Term};

/// How many neighbours on each side of an episode, in a concept's date-ordered list, are
/// considered as candidates. Nearby episodes are the likeliest to be related anyway.
const WINDOW: usize = 60;
/// Related episodes kept per episode.
const KEEP_EPISODES: usize = 5;
/// Related concepts kept per concept.
const KEEP_CONCEPTS: usize = 8;

/// Scores candidates by shared concepts weighted by rarity (IDF), best first.
pub fn related_episodes(episodes: &mut [Episode], concepts: &[Term]) {
    let n = episodes.len().max(1) as f64;
    let results: Vec<Vec<usize>> = {
        use rayon::prelude::*;
        let eps: &[Episode] = episodes;
        (0..eps.len())
            .into_par_iter()
            // A dense score array per worker, reset through the list of touched entries: no
            // hashing on this path, which visits ~500 candidates per episode.
            .map_init(
                || (vec![0.0f64; eps.len()], Vec::new()),
                |(scores, touched): &mut (Vec<f64>, Vec<usize>), i| {
                    for c in &eps[i].concepts {
                        let list = &concepts[c.concept].episodes;
                        let weight = (n / list.len().max(1) as f64).ln() + 1.0;
                        let pos = list.binary_search(&i).unwrap_or_else(|p| p);
                        let lo = pos.saturating_sub(WINDOW);
                        let hi = (pos + WINDOW + 1).min(list.len());
                        for &j in &list[lo..hi] {
                            if j != i && j < scores.len() {
                                if scores[j] == 0.0 {
                                    touched.push(j);
                                }
                                scores[j] += weight;
                            }
                        }
                    }
                    let mut ranked: Vec<(usize, f64)> = touched
                        .drain(..)
                        .map(|j| (j, std::mem::take(&mut scores[j])))
                        .collect();
                    // A total order (ties by distance, then index), so picking the best few
                    // first and sorting only those gives the same list as sorting them all.
                    let order = |a: &(usize, f64), b: &(usize, f64)| {
                        b.1.total_cmp(&a.1)
                            .then(a.0.abs_diff(i).cmp(&b.0.abs_diff(i)))
                            .then(a.0.cmp(&b.0))
                    };
                    if ranked.len() > KEEP_EPISODES {
                        ranked.select_nth_unstable_by(KEEP_EPISODES - 1, order);
                        ranked.truncate(KEEP_EPISODES);
                    }
                    ranked.sort_by(order);
                    // A new list of the exact size: collecting `ranked.into_iter()` reuses
                    // its allocation in place, sized for every candidate (~500), and at
                    // 100,000 episodes those held a gigabyte until the build ended.
                    ranked.iter().map(|&(j, _)| j).collect::<Vec<usize>>()
                },
            )
            .collect()
    };
    for (e, r) in episodes.iter_mut().zip(results) {
        e.related = r;
    }
}

/// Co-concepts counted per episode: each concept of an episode meets at most this many of
/// its first concepts, so a digest naming thousands costs linear time, not quadratic.
/// (Real digests name a handful; for them every pair counts.)
const PAIR_PARTNERS: usize = 64;

/// Counts how often each pair of concepts appears in the same episode.
pub fn related_concepts(episodes: &[Episode], concepts: &mut [Term]) {
    // aHash: the ranking below orders by count, then slug, whatever the map's order, and
    // SipHash over every pair (300,000 at 10,000 digests) showed in every build's profile.
    let mut pairs: Vec<crate::hash::FastMap<usize, usize>> =
        vec![crate::hash::FastMap::default(); concepts.len()];
    for e in episodes {
        for a in &e.concepts {
            for b in e.concepts.iter().take(PAIR_PARTNERS) {
                if a.concept != b.concept {
                    *pairs[a.concept].entry(b.concept).or_insert(0) += 1;
                }
            }
        }
    }
    for (i, counts) in pairs.into_iter().enumerate() {
        let mut ranked: Vec<(usize, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(concepts[a.0].slug.cmp(&concepts[b.0].slug))
        });
        ranked.truncate(KEEP_CONCEPTS);
        concepts[i].related = ranked;
    }
}
