//! From documents to weighted postings by stem: each document's words counted (weighted by
//! field) a batch at a time, folded into one list per distinct word on as many threads as
//! there are shards, then the lists of words with the same stem merged, so a search for
//! `partnerships` meets `partnership`. Stemming happens once per distinct word, not per
//! occurrence.

use std::borrow::Cow;

use rayon::prelude::*;

use super::docs::{Doc, is_name_key};
use super::tokens::{Stemmer, each_token_ref};
use crate::hash::FnvMap;

/// One stem's postings: documents ascending with integer BM25 weights.
pub struct Postings {
    /// The stem (or an exact-name key, `=c++`).
    pub term: String,
    /// The word that stems to it in most documents (for "Did you mean").
    pub surface: String,
    /// `[gap, weight, gap, weight, …]`: each document as the gap from the previous one (the
    /// first from 0), ascending, with its weight; the form the index files hold.
    pub flat: Vec<u32>,
    /// How many documents.
    pub df: usize,
}

/// A document-sorted list of `(document, boosted frequency)`.
type List = Vec<(u32, f32)>;

/// One document's distinct words (of one shard) with their boosted frequencies; a word is
/// borrowed from the document's text unless folding changed it.
type DocTerms<'d> = Vec<(Cow<'d, str>, f32)>;

/// How many shards the postings are folded in.
const SHARDS: usize = 4;

fn shard_of(term: &str) -> usize {
    super::fnv1a(term) as usize % SHARDS
}

/// The postings of the words of one shard: an id per word, in order of first use, and per
/// id the documents (in order) with the word's boosted frequency.
#[derive(Default)]
struct Shard {
    term_ids: FnvMap<String, u32>,
    lists: Vec<List>,
}

impl Shard {
    /// Adds a batch of documents numbered from `first_doc`: each one's words of this shard.
    fn fold(&mut self, first_doc: u32, docs: Vec<DocTerms>) {
        for (k, terms) in docs.into_iter().enumerate() {
            let doc = first_doc + k as u32;
            for (t, f) in terms {
                let id = match self.term_ids.get(t.as_ref()) {
                    Some(&id) => id,
                    None => {
                        let id = self.lists.len() as u32;
                        self.term_ids.insert(t.into_owned(), id);
                        self.lists.push(Vec::new());
                        id
                    }
                };
                self.lists[id as usize].push((doc, f));
            }
        }
    }
}

/// Hands the documents at the positions of a range to a consumer (they may be made for the
/// call and dropped after it: an episode's text need not outlive its batch).
pub type Produce<'p> = dyn Fn(std::ops::Range<usize>, &mut dyn FnMut(&[Doc])) + Sync + 'p;

/// Every stem's postings, sorted by stem, for the `total` documents `produce` gives by
/// position. `ids` gives each document's id (ascending with its position), which the lists
/// hold.
pub fn build(total: usize, produce: &Produce, ids: &[u32], stemmer: &Stemmer) -> Vec<Postings> {
    // Holding every document's word map at once took more memory than any other stage of a
    // build, so documents are counted a batch at a time and folded right away.
    let mut shards: Vec<Shard> = (0..SHARDS).map(|_| Shard::default()).collect();
    let mut lens: Vec<f32> = Vec::with_capacity(total);
    for start in (0..total).step_by(crate::render::PAGE_BATCH) {
        let end = (start + crate::render::PAGE_BATCH).min(total);
        produce(start..end, &mut |batch: &[Doc]| {
            let first_doc = lens.len() as u32;
            let per_doc: Vec<(Vec<DocTerms>, f32)> = batch.par_iter().map(count).collect();
            // Regroup by shard (moving, not copying), keeping document order within each.
            let mut per_shard: Vec<Vec<DocTerms>> = vec![Vec::new(); SHARDS];
            for (by_shard, len) in per_doc {
                lens.push(len);
                for (s, terms) in by_shard.into_iter().enumerate() {
                    per_shard[s].push(terms);
                }
            }
            shards
                .par_iter_mut()
                .zip(per_shard.into_par_iter())
                .for_each(|(shard, docs)| shard.fold(first_doc, docs));
        });
    }
    let mut words: Vec<String> = Vec::new();
    let mut lists: Vec<List> = Vec::new();
    for shard in shards {
        let base = words.len();
        words.resize(base + shard.lists.len(), String::new());
        for (t, id) in shard.term_ids {
            words[base + id as usize] = t;
        }
        lists.extend(shard.lists);
    }
    let stems: Vec<String> = words
        .par_iter()
        .map(|w| {
            if is_name_key(w) {
                w.clone()
            } else {
                stemmer.stem(w).into_owned()
            }
        })
        .collect();
    // Words grouped by stem, each group's words in order: deterministic whatever the shards'
    // hash order was.
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.par_sort_unstable_by(|&a, &b| {
        stems[a]
            .cmp(&stems[b])
            .then_with(|| words[a].cmp(&words[b]))
    });
    let mut lists: Vec<Option<List>> = lists.into_iter().map(Some).collect();
    let merged: Vec<(usize, usize, List)> = order
        .chunk_by(|&a, &b| stems[a] == stems[b])
        .map(|g| {
            // The surface: the word in most documents, the first in order on a tie.
            let (mut surface, mut most) = (g[0], 0);
            let mut parts = Vec::with_capacity(g.len());
            for &i in g {
                let l = lists[i].take().unwrap_or_default();
                if l.len() > most {
                    (surface, most) = (i, l.len());
                }
                parts.push(l);
            }
            (g[0], surface, merge(parts))
        })
        .collect();
    let n = total.max(1) as f32;
    let avgdl = (lens.iter().sum::<f32>() / n).max(1.0);
    // BM25 with k1 = 1.2, b = 0.75; the boosted frequency already carries field weights.
    let (k1, b) = (1.2f32, 0.75f32);
    merged
        .into_par_iter()
        .map(|(stem, surface, list)| {
            let dfv = list.len() as f32;
            let idf = ((n - dfv + 0.5) / (dfv + 0.5) + 1.0).ln();
            // Weighted and gap-encoded in one pass (a second pass over every posting cost
            // a sixth of the index's time at 10k digests).
            let mut flat = Vec::with_capacity(list.len() * 2);
            let mut prev = 0;
            for &(doc, f) in &list {
                let len = lens[doc as usize];
                let w = idf * (f * (k1 + 1.0)) / (f + k1 * (1.0 - b + b * len / avgdl));
                let id = ids.get(doc as usize).copied().unwrap_or(doc);
                flat.push(id - prev);
                flat.push((w * 100.0).round().max(1.0) as u32);
                prev = id;
            }
            Postings {
                term: stems[stem].clone(),
                surface: words[surface].clone(),
                flat,
                df: list.len(),
            }
        })
        .collect()
}

/// One document's words with boosted frequencies, by shard, and its length in words.
fn count<'d>(d: &'d Doc) -> (Vec<DocTerms<'d>>, f32) {
    // Keys borrow from the document where they can: allocating each distinct word of every
    // document was most of this stage's malloc and free. aHash (fixed seeds; the map's order
    // never reaches the output): hashing every word of every document is most of this
    // stage, and FNV goes a byte at a time.
    let mut tf: std::collections::HashMap<Cow<str>, f32, ahash::RandomState> =
        std::collections::HashMap::with_capacity_and_hasher(
            512,
            ahash::RandomState::with_seeds(1, 2, 3, 4),
        );
    let mut len = 0.0;
    for (boost, text) in &d.fields {
        each_token_ref(text, &mut |t| {
            len += 1.0;
            match tf.get_mut(t.as_str()) {
                Some(v) => *v += boost,
                None => {
                    tf.insert(t.to_cow(), *boost);
                }
            }
        });
    }
    for (boost, key) in &d.names {
        *tf.entry(Cow::Borrowed(key.as_str())).or_default() += boost;
    }
    let mut by_shard: Vec<DocTerms> = vec![Vec::new(); SHARDS];
    for (t, f) in tf {
        by_shard[shard_of(&t)].push((t, f));
    }
    (by_shard, len)
}

/// Merges document-sorted lists, adding the frequencies of a document in several.
fn merge(mut parts: Vec<List>) -> List {
    if parts.len() == 1 {
        return parts.pop().unwrap_or_default();
    }
    let mut all: Vec<(u32, f32)> = parts.into_iter().flatten().collect();
    all.sort_by_key(|&(d, _)| d);
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(all.len());
    for (d, f) in all {
        match out.last_mut() {
            Some((last, g)) if *last == d => *g += f,
            _ => out.push((d, f)),
        }
    }
    out
}
