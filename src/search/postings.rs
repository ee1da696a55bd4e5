//! From documents to weighted postings by stem: each document's words counted (weighted by
//! field) a batch at a time, folded into one list per distinct word on as many threads as
//! there are shards, then the lists of words with the same stem merged, so a search for
//! `partnerships` meets `partnership`. Stemming happens once per distinct word, not per
//! occurrence.

use std::borrow::Cow;

use rayon::prelude::*;

use super::docs::{Body, Doc, is_name_key};
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
    /// Adds a batch of documents at `positions`: each one's words of this shard.
    fn fold(&mut self, positions: &[u32], docs: Vec<DocTerms>) {
        for (&doc, terms) in positions.iter().zip(docs) {
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

/// Counts documents' words into postings a batch at a time, the batches in any order of
/// position: a build counts each episode as its body is rendered (newest first) and the
/// other documents at the end, so no text is kept for the index.
pub struct Counter {
    shards: Vec<Shard>,
    /// Each document's length in words, by position.
    lens: Vec<f32>,
}

impl Default for Counter {
    fn default() -> Counter {
        Counter::new()
    }
}

impl Counter {
    /// No documents counted yet.
    pub fn new() -> Counter {
        Counter {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            lens: Vec::new(),
        }
    }

    /// Counts `docs`, the documents at `positions` (one each, no position twice). With
    /// `keep`, each episode body's counts are handed to it for the next build
    /// (`search::kept`).
    pub fn add(
        &mut self,
        docs: &[Doc],
        positions: &[u32],
        mut keep: Option<&mut super::kept::Writer>,
    ) {
        // Holding every document's word map at once took more memory than any other stage
        // of a build, so documents are counted a batch at a time and folded right away.
        let per_doc: Vec<Counted> = docs.par_iter().map(count).collect();
        // Regroup by shard (moving, not copying), keeping the documents' order within each.
        let mut per_shard: Vec<Vec<DocTerms>> = vec![Vec::new(); SHARDS];
        for (counted, &at) in per_doc.into_iter().zip(positions) {
            let Counted {
                by_shard,
                len,
                kept,
            } = counted;
            if let (Some(keep), Some(entry)) = (keep.as_deref_mut(), kept) {
                keep.add(&entry);
            }
            let at = at as usize;
            if self.lens.len() <= at {
                self.lens.resize(at + 1, 0.0);
            }
            self.lens[at] = len;
            for (s, terms) in by_shard.into_iter().enumerate() {
                per_shard[s].push(terms);
            }
        }
        self.shards
            .par_iter_mut()
            .zip(per_shard.into_par_iter())
            .for_each(|(shard, docs)| shard.fold(positions, docs));
    }

    /// Every stem's postings, sorted by stem, for the `total` documents counted. `ids`
    /// gives each position's document id (ascending with its position), which the lists
    /// hold.
    pub fn finish(self, total: usize, ids: &[u32], stemmer: &Stemmer) -> Vec<Postings> {
        let Counter { shards, mut lens } = self;
        lens.resize(total.max(lens.len()), 0.0);
        build(total, shards, &lens, ids, stemmer)
    }
}

/// The shards' lists merged by stem and weighted (BM25 over `lens`).
fn build(
    total: usize,
    shards: Vec<Shard>,
    lens: &[f32],
    ids: &[u32],
    stemmer: &Stemmer,
) -> Vec<Postings> {
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
    // Batches come in any order of position (a build counts episodes newest first, the
    // other documents last); a stable sort merges such runs in one pass.
    lists
        .par_iter_mut()
        .filter(|l| !l.is_sorted_by_key(|&(d, _)| d))
        .for_each(|l| l.sort_by_key(|&(d, _)| d));
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
fn count<'d>(d: &'d Doc) -> Counted<'d> {
    // Keys borrow from the document where they can: allocating each distinct word of every
    // document was most of this stage's malloc and free. aHash (fixed seeds; the map's order
    // never reaches the output): hashing every word of every document is most of this
    // stage, and FNV goes a byte at a time.
    let mut tf: WordCounts = std::collections::HashMap::with_capacity_and_hasher(
        512,
        ahash::RandomState::with_seeds(1, 2, 3, 4),
    );
    let mut len = 0.0;
    // The body first, on its own, so its counts can be kept for the next build: its
    // weights and the fields' are whole halves, so the order of the sums changes no bit.
    let mut kept = None;
    match &d.body {
        Some(Body::Text(key, text)) => {
            for (boost, text) in super::docs::body_fields(text) {
                add(&mut tf, &mut len, boost, text);
            }
            let mut entry = Vec::new();
            let words = tf.iter().map(|(w, f)| (w.as_ref(), *f));
            if super::kept::encode(&mut entry, *key, len, words) {
                kept = Some(Cow::Owned(entry));
            }
        }
        Some(Body::Counted(entry)) => {
            if let Some(n) = entry.words(&mut |w, f| {
                tf.insert(Cow::Borrowed(w), f);
            }) {
                len = n;
                kept = Some(Cow::Borrowed(entry.bytes()));
            }
        }
        None => {}
    }
    for (boost, text) in &d.fields {
        add(&mut tf, &mut len, *boost, text);
    }
    for (boost, key) in &d.names {
        *tf.entry(Cow::Borrowed(key.as_str())).or_default() += boost;
    }
    let mut by_shard: Vec<DocTerms> = vec![Vec::new(); SHARDS];
    for (t, f) in tf {
        by_shard[shard_of(&t)].push((t, f));
    }
    Counted {
        by_shard,
        len,
        kept,
    }
}

/// Counts the words of `text`, each with `boost`, into `tf`.
fn add<'d>(tf: &mut WordCounts<'d>, len: &mut f32, boost: f32, text: &'d str) {
    each_token_ref(text, &mut |t| {
        *len += 1.0;
        match tf.get_mut(t.as_str()) {
            Some(v) => *v += boost,
            None => {
                tf.insert(t.to_cow(), boost);
            }
        }
    });
}

/// A document's distinct words with their boosted frequencies.
type WordCounts<'d> = std::collections::HashMap<Cow<'d, str>, f32, ahash::RandomState>;

/// One document's words with boosted frequencies, by shard; its length in words; and for
/// an episode, its body's entry for the next build (`kept`).
struct Counted<'d> {
    by_shard: Vec<DocTerms<'d>>,
    len: f32,
    kept: Option<Cow<'d, [u8]>>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Doc<'_> {
        Doc {
            fields: vec![(1.0, Cow::Borrowed(text)), (3.0, Cow::Borrowed("title"))],
            names: vec![(3.0, "=c++".to_string())],
            body: None,
        }
    }

    fn flat(postings: &[Postings]) -> Vec<(String, String, Vec<u32>, usize)> {
        postings
            .iter()
            .map(|p| (p.term.clone(), p.surface.clone(), p.flat.clone(), p.df))
            .collect()
    }

    /// A build counts episodes newest first, a batch at a time, and the other documents
    /// last; the postings must be those of counting every document in id order.
    #[test]
    fn batches_counted_in_any_order_make_the_same_postings() {
        let texts: Vec<String> = (0..40)
            .map(|i| {
                let mut t = format!("partnership partnerships episode{} ", i % 7);
                t.push_str(&"market ".repeat(i % 5 + 1));
                if i % 3 == 0 {
                    t.push_str("rare words here");
                }
                t
            })
            .collect();
        let docs: Vec<Doc> = texts.iter().map(|t| doc(t)).collect();
        let ids: Vec<u32> = (0..40).map(|p| p * 2 + 1).collect();
        let stemmer = Stemmer::for_language("en");
        let mut in_order = Counter::new();
        let all: Vec<u32> = (0..40).collect();
        in_order.add(&docs, &all, None);
        let expected = flat(&in_order.finish(40, &ids, &stemmer));
        assert!(expected.iter().any(|p| p.0 == "partnership" && p.3 == 40));
        assert!(expected.iter().any(|p| p.0 == "=c++"));

        // Positions 29 down to 0 in batches of 7, newest first, then 30..40 in order.
        let mut scrambled = Counter::new();
        let mut newest_first: Vec<u32> = (0..30).rev().collect();
        for batch in newest_first.chunks_mut(7) {
            let made: Vec<Doc> = batch.iter().map(|&p| doc(&texts[p as usize])).collect();
            scrambled.add(&made, batch, None);
        }
        scrambled.add(&docs[30..], &all[30..], None);
        assert_eq!(flat(&scrambled.finish(40, &ids, &stemmer)), expected);
    }
}
