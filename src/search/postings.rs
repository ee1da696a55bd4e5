//! From documents to weighted postings by stem: each document's words counted (weighted by
//! field) a batch at a time, folded into one list per distinct word on as many threads as
//! there are shards, then the lists of words with the same stem merged, so a search for
//! `partnerships` meets `partnership`. Stemming happens once per distinct word, not per
//! occurrence.

use std::borrow::Cow;

use rayon::prelude::*;

use super::docs::{Body, Doc, is_name_key};
use super::kept::{KeptWords, Part, fields_key};
use super::tokens::{Stemmer, each_token_ref};
use crate::hash::FnvMap;

/// One stem's postings: documents ascending with integer BM25 term-frequency weights (the
/// script multiplies them by the stem's IDF).
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

/// A list of `(document, boosted frequency)`, sorted by document before it is merged; a
/// document counted in two parts (an episode's body and fields) is in it once, with the
/// frequencies added, the body's first.
pub(super) type List = Vec<(u32, f32)>;

/// One document part's distinct words (of one shard) with their boosted frequencies; a
/// word is borrowed from the document's text unless folding changed it.
type DocTerms<'d> = Vec<(Cow<'d, str>, f32)>;

/// How many shards the postings are folded in.
const SHARDS: usize = 4;

fn shard_of(term: &str) -> usize {
    super::fnv1a(term) as usize % SHARDS
}

/// A word's id: its number in its shard, times the shards, plus its shard.
fn word_id(shard: usize, local: u32) -> u32 {
    local * SHARDS as u32 + shard as u32
}

/// The words of one shard: an id per word, in order of first use, and per id the documents
/// (in order) with the word's boosted frequency.
#[derive(Default)]
struct Shard {
    term_ids: FnvMap<String, u32>,
    lists: Vec<List>,
}

impl Shard {
    /// The number of `word` in this shard, numbering it if it is new.
    fn number(&mut self, word: Cow<str>) -> u32 {
        match self.term_ids.get(word.as_ref()) {
            Some(&id) => id,
            None => {
                let id = self.lists.len() as u32;
                self.term_ids.insert(word.into_owned(), id);
                self.lists.push(Vec::new());
                id
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
    /// The id of each word of the previous build (by its id then), `u32::MAX` for none.
    renumbered: Vec<u32>,
    /// Whether every word of the previous build kept its id: a kept part is then kept
    /// again byte for byte rather than encoded anew (its ids and weights read back to the
    /// same values, so the entry encoded anew would be the same bytes).
    same_ids: bool,
    /// Whether a document whose every part is kept is left uncounted ([`Counter::defer`]).
    defer: bool,
    /// The documents left uncounted, by position.
    pub(super) deferred: Vec<u32>,
    /// Each document's part keys (body, or 0, and fields), by position.
    pub(super) keys: Vec<[u64; 2]>,
}

impl Default for Counter {
    fn default() -> Counter {
        Counter::new(Vec::new())
    }
}

/// One part of a document (an episode's body, or a document's fields) as counted: the key
/// it is kept under, its length in words, and its words by shard.
struct PartCount<'d> {
    key: u64,
    len: f32,
    words: PartWords<'d>,
    /// The entry of a kept part whose ids all stay, to keep as it is.
    entry: Option<&'d [u8]>,
}

enum PartWords<'d> {
    /// Counted from its text: each word with its boosted frequency.
    Fresh(Vec<DocTerms<'d>>),
    /// Numbered: each word's number in its shard with its boosted frequency.
    Numbered(Vec<Vec<(u32, f32)>>),
}

impl Counter {
    /// No documents counted yet; the words of `kept` (the previous build's, `(id, word)`
    /// by id) numbered first, in that order, so that its parts' ids can be renumbered.
    pub fn new(kept: Vec<(u32, String)>) -> Counter {
        let mut shards: Vec<Shard> = (0..SHARDS).map(|_| Shard::default()).collect();
        let size = kept.last().map_or(0, |&(id, _)| id as usize + 1);
        let mut renumbered = vec![u32::MAX; size];
        let shard_of_each: Vec<usize> = kept.par_iter().map(|(_, w)| shard_of(w)).collect();
        for ((old, word), s) in kept.into_iter().zip(shard_of_each) {
            let local = shards[s].number(Cow::Owned(word));
            renumbered[old as usize] = word_id(s, local);
        }
        let same_ids = renumbered
            .iter()
            .enumerate()
            .all(|(old, &new)| new == old as u32 || new == u32::MAX);
        Counter {
            shards,
            lens: Vec::new(),
            renumbered,
            same_ids,
            defer: false,
            deferred: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// From now on, a document whose every part is kept is not counted, only noted
    /// ([`Counter::deferred`]): the index may be patched, and then it needs only the
    /// documents that changed. Only when every kept word keeps its id (a kept part is then
    /// kept as it is); says whether it is so.
    pub fn defer(&mut self) -> bool {
        self.defer = self.same_ids;
        self.defer
    }

    /// Counts `docs`, the documents at `positions` (one each, no position twice): each
    /// part from the `kept` parts of the previous build when it has one of the same key,
    /// else from its text. With `keep`, each part's counts are handed to it for the next
    /// build (`search::kept`).
    pub fn add(
        &mut self,
        docs: &[Doc],
        positions: &[u32],
        kept: &KeptWords,
        mut keep: Option<&mut super::kept::Writer>,
    ) {
        let renumbered = (self.renumbered.as_slice(), self.same_ids);
        let defer = self.defer;
        // Holding every document's word map at once took more memory than any other stage
        // of a build, so documents are counted a batch at a time and folded right away.
        let counted: Vec<([u64; 2], Counted)> = docs
            .par_iter()
            .map(|d| {
                let keys = part_keys(d);
                match defer.then(|| deferred(d, keys, kept)).flatten() {
                    Some(left) => (keys, Err(left)),
                    None => (keys, Ok(count(d, keys[1], kept, renumbered))),
                }
            })
            .collect();
        let mut per_doc: Vec<Vec<PartCount>> = Vec::with_capacity(counted.len());
        let mut counted_at: Vec<u32> = Vec::with_capacity(counted.len());
        for ((keys, parts), &at) in counted.into_iter().zip(positions) {
            let p = at as usize;
            if self.keys.len() <= p {
                self.keys.resize(p + 1, [0; 2]);
                self.lens.resize(p + 1, 0.0);
            }
            self.keys[p] = keys;
            match parts {
                Ok(parts) => {
                    per_doc.push(parts);
                    counted_at.push(at);
                }
                Err(Deferred { len, entries }) => {
                    self.lens[p] = len;
                    self.deferred.push(at);
                    if let Some(keep) = keep.as_deref_mut() {
                        entries.into_iter().flatten().for_each(|e| keep.add(e));
                    }
                }
            }
        }
        self.push(per_doc, &counted_at, keep);
    }

    /// Counts the documents left uncounted at `positions` (their parts are kept in `kept`,
    /// and were handed to the next build's file already).
    pub(super) fn count_deferred(&mut self, positions: &[u32], kept: &KeptWords) {
        let renumbered = (self.renumbered.as_slice(), self.same_ids);
        let keys = &self.keys;
        let per_doc: Vec<Vec<PartCount>> = positions
            .par_iter()
            .map(|&at| {
                let [body, fields] = keys[at as usize];
                [body, fields]
                    .into_iter()
                    .filter(|&k| k != 0)
                    .filter_map(|k| numbered(k, kept.part(k)?, renumbered))
                    .collect()
            })
            .collect();
        self.push(per_doc, positions, None);
    }

    /// Folds documents' counted parts (`per_doc`, at `positions`) into the lists; with
    /// `keep`, each part's counts are handed to it for the next build.
    fn push(
        &mut self,
        mut per_doc: Vec<Vec<PartCount>>,
        positions: &[u32],
        keep: Option<&mut super::kept::Writer>,
    ) {
        // The words counted from text, by shard (moving, not copying), in the documents'
        // and parts' order; each shard numbers its own.
        let mut per_shard: Vec<Vec<DocTerms>> = vec![Vec::new(); SHARDS];
        for part in per_doc.iter_mut().flatten() {
            if let PartWords::Fresh(by_shard) = &mut part.words {
                for (s, terms) in std::mem::take(by_shard).into_iter().enumerate() {
                    per_shard[s].push(terms);
                }
            }
        }
        let numbered: Vec<Vec<Vec<(u32, f32)>>> = self
            .shards
            .par_iter_mut()
            .zip(per_shard.into_par_iter())
            .map(|(shard, parts)| {
                parts
                    .into_iter()
                    .map(|terms| {
                        terms
                            .into_iter()
                            .map(|(t, f)| (shard.number(t), f))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut numbered: Vec<_> = numbered.into_iter().map(Vec::into_iter).collect();
        for part in per_doc.iter_mut().flatten() {
            if let PartWords::Fresh(_) = part.words {
                let by_shard = numbered.iter_mut().map(|s| s.next().unwrap_or_default());
                part.words = PartWords::Numbered(by_shard.collect());
            }
        }
        if let Some(keep) = keep {
            let entries: Vec<Vec<Cow<[u8]>>> =
                per_doc.par_iter().map(|parts| encode(parts)).collect();
            for entry in entries.iter().flatten() {
                keep.add(entry);
            }
        }
        for (parts, &at) in per_doc.iter().zip(positions) {
            let at = at as usize;
            if self.lens.len() <= at {
                self.lens.resize(at + 1, 0.0);
            }
            self.lens[at] = parts.iter().map(|p| p.len).sum();
        }
        let per_doc = &per_doc;
        self.shards
            .par_iter_mut()
            .enumerate()
            .for_each(|(s, shard)| {
                for (parts, &doc) in per_doc.iter().zip(positions) {
                    for part in parts {
                        if let PartWords::Numbered(by_shard) = &part.words {
                            for &(local, f) in by_shard.get(s).into_iter().flatten() {
                                // A document's two parts (body, then fields) make one
                                // entry: a list with the same document twice in a row is
                                // not a strictly descending run, and sorting it cost a
                                // fifth of the index's time.
                                let list = &mut shard.lists[local as usize];
                                match list.last_mut() {
                                    Some((last, g)) if *last == doc => *g += f,
                                    _ => list.push((doc, f)),
                                }
                            }
                        }
                    }
                }
            });
    }

    /// Each document's id, length and part keys, for the next build ([`super::kept::Before`]);
    /// `ids` gives each position's id.
    pub fn documents(&self, ids: &[u32]) -> crate::hash::FastMap<u32, (u32, [u64; 2])> {
        self.keys
            .iter()
            .zip(&self.lens)
            .zip(ids)
            .map(|((keys, len), &id)| (id, (*len as u32, *keys)))
            .collect()
    }

    /// Every stem's postings, sorted by stem, for the `total` documents counted, with the
    /// table of the words in use. `ids` gives each position's document id (ascending with
    /// its position), which the lists hold.
    pub fn finish(self, total: usize, ids: &[u32], stemmer: &Stemmer) -> Finished {
        let Counter {
            shards, mut lens, ..
        } = self;
        lens.resize(total.max(lens.len()), 0.0);
        build(total, shards, &lens, ids, stemmer)
    }

    /// Every word numbered, with its id and its list of counted documents, by shard.
    pub(super) fn numbered_words(&self) -> impl Iterator<Item = (u32, &str, &List)> {
        self.shards.iter().enumerate().flat_map(|(s, shard)| {
            shard.term_ids.iter().map(move |(w, &local)| {
                (word_id(s, local), w.as_str(), &shard.lists[local as usize])
            })
        })
    }

    /// Sorts each word's list by position (documents counted out of order: deferred ones).
    pub(super) fn sort_lists(&mut self) {
        for shard in &mut self.shards {
            sort_by_position(&mut shard.lists);
        }
    }

    /// Each document's length in words, by position, for `total` documents.
    pub(super) fn lens(&mut self, total: usize) -> &[f32] {
        if self.lens.len() < total {
            self.lens.resize(total, 0.0);
        }
        &self.lens
    }
}

/// What counting ends with: every stem's postings, sorted by stem; the table of the words
/// in use (id, word, documents, stem), ids ascending; the rounded average length.
pub struct Finished {
    pub postings: Vec<Postings>,
    pub words: Vec<(u32, String, u32, String)>,
    pub average: f32,
}

/// The entries of a document's parts for the next build, one each.
fn encode<'d>(parts: &[PartCount<'d>]) -> Vec<Cow<'d, [u8]>> {
    let mut all = Vec::with_capacity(parts.len());
    for part in parts {
        if let Some(entry) = part.entry {
            all.push(Cow::Borrowed(entry));
        } else if let PartWords::Numbered(by_shard) = &part.words {
            let ids: Vec<(u32, f32)> = by_shard
                .iter()
                .enumerate()
                .flat_map(|(s, words)| words.iter().map(move |&(l, f)| (word_id(s, l), f)))
                .collect();
            let mut out = Vec::new();
            super::kept::encode(&mut out, part.key, part.len, &ids);
            all.push(Cow::Owned(out));
        }
    }
    all
}

/// The shards' lists merged by stem and weighted (BM25 over `lens`).
fn build(
    total: usize,
    shards: Vec<Shard>,
    lens: &[f32],
    ids: &[u32],
    stemmer: &Stemmer,
) -> Finished {
    let mut words: Vec<String> = Vec::new();
    let mut word_ids: Vec<u32> = Vec::new();
    let mut lists: Vec<List> = Vec::new();
    for (s, shard) in shards.into_iter().enumerate() {
        let base = words.len();
        words.resize(base + shard.lists.len(), String::new());
        word_ids.extend((0..shard.lists.len() as u32).map(|local| word_id(s, local)));
        for (t, id) in shard.term_ids {
            words[base + id as usize] = t;
        }
        lists.extend(shard.lists);
    }
    sort_by_position(&mut lists);
    // Words no document uses any more (numbered for the previous build's kept parts) have
    // no list, and are left out.
    let mut order: Vec<usize> = (0..words.len()).filter(|&i| !lists[i].is_empty()).collect();
    let mut stems: Vec<String> = vec![String::new(); words.len()];
    let stemmed: Vec<(usize, String)> = order
        .par_iter()
        .map(|&i| {
            let w = &words[i];
            let stem = if is_name_key(w) {
                w.clone()
            } else {
                stemmer.stem(w).into_owned()
            };
            (i, stem)
        })
        .collect();
    for (i, stem) in stemmed {
        stems[i] = stem;
    }
    // Words grouped by stem, each group's words in order: deterministic whatever the shards'
    // hash order was.
    order.par_sort_unstable_by(|&a, &b| {
        stems[a]
            .cmp(&stems[b])
            .then_with(|| words[a].cmp(&words[b]))
    });
    // The table of the words in use, for the next build.
    let mut table: Vec<(u32, String, u32, String)> = order
        .iter()
        .map(|&i| {
            let df = lists[i].len() as u32;
            (word_ids[i], words[i].clone(), df, stems[i].clone())
        })
        .collect();
    table.sort_unstable_by_key(|w| w.0);
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
    let avgdl = rounded_average(lens, total);
    let postings = merged
        .into_par_iter()
        .map(|(stem, surface, list)| {
            // Weighted and gap-encoded in one pass (a second pass over every posting cost
            // a sixth of the index's time at 10k digests).
            let mut flat = Vec::with_capacity(list.len() * 2);
            let mut prev = 0;
            for &(doc, f) in &list {
                let id = ids.get(doc as usize).copied().unwrap_or(doc);
                flat.push(id - prev);
                flat.push(weight(f, lens[doc as usize], avgdl));
                prev = id;
            }
            Postings {
                term: stems[stem].clone(),
                surface: words[surface].clone(),
                flat,
                df: list.len(),
            }
        })
        .collect();
    Finished {
        postings,
        words: table,
        average: avgdl,
    }
}

/// Sorts each list by position. Batches come in any order of position (a build counts
/// episodes newest first, the other documents last, and a patch the deferred ones that
/// changed after them); a stable sort merges such runs in one pass.
fn sort_by_position(lists: &mut [List]) {
    lists
        .par_iter_mut()
        .filter(|l| !l.is_sorted_by_key(|&(d, _)| d))
        .for_each(|l| l.sort_by_key(|&(d, _)| d));
}

/// A document's weight in a list: the term-frequency part of BM25 (k1 = 1.2, b = 0.75) of
/// its boosted frequency `f` (which carries the field weights) for its length `len`, times
/// 100, rounded, at least 1. The script multiplies it by the stem's IDF, from the list's
/// length and the manifest's document count: both move with every digest added, and baked
/// in they changed most postings files each time.
pub(super) fn weight(f: f32, len: f32, avgdl: f32) -> u32 {
    let (k1, b) = (1.2f32, 0.75f32);
    let w = (f * (k1 + 1.0)) / (f + k1 * (1.0 - b + b * len / avgdl));
    (w * 100.0).round().max(1.0) as u32
}

/// The documents' average length in words, rounded to the nearest eighth of an octave
/// (a step of 9%), at least 1. BM25 divides each document's length by it; rounded, it stays
/// the same as digests come and go, so a postings file changes only when one of its own
/// documents does. The rounding moves a weight by less than 5%.
pub(super) fn rounded_average(lens: &[f32], total: usize) -> f32 {
    let n = total.max(1) as f64;
    let average = (lens.iter().map(|&l| f64::from(l)).sum::<f64>() / n).max(1.0);
    ((average.log2() * 8.0).round() / 8.0).exp2() as f32
}

/// One document's parts: its body's (an episode's) then its fields', each taken from the
/// previous build's `kept` parts when they hold its key (renumbered by `renumbered`), else
/// counted from its text.
fn count<'d>(
    d: &'d Doc,
    key: u64,
    kept: &'d KeptWords,
    renumbered: Renumbered,
) -> Vec<PartCount<'d>> {
    let mut parts = Vec::with_capacity(2);
    match &d.body {
        Some(Body::Text(key, text)) => {
            let mut tf = word_counts();
            let mut len = 0.0;
            for (boost, text) in super::docs::body_fields(text) {
                add(&mut tf, &mut len, boost, text);
            }
            parts.push(fresh(*key, len, tf));
        }
        // A part that does not read back (never from a file that passed its checksum)
        // counts as empty, and is not kept: the next build counts it again.
        Some(Body::Counted(key, part)) => {
            parts.extend(numbered(*key, *part, renumbered));
        }
        None => {}
    }
    if let Some(part) = kept.part(key).and_then(|p| numbered(key, p, renumbered)) {
        parts.push(part);
        return parts;
    }
    let mut tf = word_counts();
    let mut len = 0.0;
    for (boost, text) in &d.fields {
        add(&mut tf, &mut len, *boost, text);
    }
    for (boost, name) in &d.names {
        *tf.entry(Cow::Borrowed(name.as_str())).or_default() += boost;
    }
    parts.push(fresh(key, len, tf));
    parts
}

/// A document's part keys: its body's (0 for none) and its fields'.
fn part_keys(d: &Doc) -> [u64; 2] {
    let body = match &d.body {
        Some(Body::Text(key, _) | Body::Counted(key, _)) => *key,
        None => 0,
    };
    let fields = fields_key(
        d.fields.iter().map(|(b, t)| (*b, t.as_ref())),
        d.names.iter().map(|(b, k)| (*b, k.as_str())),
    );
    [body, fields]
}

/// A document's parts counted, or the document left uncounted.
type Counted<'d> = Result<Vec<PartCount<'d>>, Deferred<'d>>;

/// A document left uncounted: its length, and its parts' entries as kept.
struct Deferred<'d> {
    len: f32,
    entries: [Option<&'d [u8]>; 2],
}

/// The document as a [`Deferred`] one, when every part of it is kept (a body taken from
/// the previous build, and fields whose key it has).
fn deferred<'d>(d: &Doc<'d>, [_, fields]: [u64; 2], kept: &'d KeptWords) -> Option<Deferred<'d>> {
    let body = match &d.body {
        Some(Body::Counted(_, part)) => Some(*part),
        Some(Body::Text(..)) => return None,
        None => None,
    };
    let fields = kept.part(fields)?;
    let len = body.map_or(Some(0.0), |b| b.len())? + fields.len()?;
    Some(Deferred {
        len,
        entries: [body.map(|b| b.bytes()), Some(fields.bytes())],
    })
}

/// A map for one part's words. Keys borrow from the document where they can: allocating
/// each distinct word of every document was most of this stage's malloc and free. aHash
/// (fixed seeds; the map's order never reaches the output): hashing every word of every
/// document is most of this stage, and FNV goes a byte at a time.
fn word_counts<'d>() -> WordCounts<'d> {
    std::collections::HashMap::with_capacity_and_hasher(
        256,
        ahash::RandomState::with_seeds(1, 2, 3, 4),
    )
}

/// A part counted from its text.
fn fresh(key: u64, len: f32, tf: WordCounts) -> PartCount {
    let mut by_shard: Vec<DocTerms> = vec![Vec::new(); SHARDS];
    for (t, f) in tf {
        by_shard[shard_of(&t)].push((t, f));
    }
    PartCount {
        key,
        len,
        words: PartWords::Fresh(by_shard),
        entry: None,
    }
}

/// The new id of each word of the previous build, and whether every id stays
/// (`Counter::renumbered`, `Counter::same_ids`).
type Renumbered<'r> = (&'r [u32], bool);

/// A kept part with its words renumbered for this build; `None` if it does not read back.
fn numbered<'d>(
    key: u64,
    part: Part<'d>,
    (renumbered, same_ids): Renumbered,
) -> Option<PartCount<'d>> {
    let mut by_shard: Vec<Vec<(u32, f32)>> = vec![Vec::new(); SHARDS];
    let mut known = true;
    part.each(&mut |old, f| match renumbered.get(old as usize) {
        Some(&id) if id != u32::MAX => {
            by_shard[id as usize % SHARDS].push((id / SHARDS as u32, f));
        }
        _ => known = false,
    })?;
    known.then_some(PartCount {
        key,
        len: part.len()?,
        words: PartWords::Numbered(by_shard),
        entry: same_ids.then(|| part.bytes()),
    })
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

/// Merges document-sorted lists into one entry per document, adding the frequencies of a
/// document in several (several words of one stem, or an episode's body and fields).
pub(super) fn merge(mut parts: Vec<List>) -> List {
    let all = if parts.len() == 1 {
        parts.pop().unwrap_or_default()
    } else {
        let mut all: Vec<(u32, f32)> = parts.into_iter().flatten().collect();
        all.sort_by_key(|&(d, _)| d);
        all
    };
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
    use crate::bodies::Text;
    use crate::markdown::Section;

    #[test]
    fn the_average_length_is_rounded_so_one_document_does_not_move_it() {
        let lens: Vec<f32> = (0..1000).map(|i| 50.0 + (i % 100) as f32).collect();
        let avg = rounded_average(&lens, lens.len());
        // Near the true average (99.5), on the grid of eighths of an octave.
        assert!((avg / 99.5 - 1.0).abs() < 0.05, "{avg}");
        let steps = f64::from(avg).log2() * 8.0;
        assert!((steps - steps.round()).abs() < 1e-4, "{avg}");
        // One short or long document more, or one fewer: the same.
        let mut more = lens.clone();
        more.push(3.0);
        assert_eq!(rounded_average(&more, more.len()), avg);
        more.push(400.0);
        assert_eq!(rounded_average(&more, more.len()), avg);
        assert_eq!(rounded_average(&lens[1..], lens.len() - 1), avg);
        // Never below one word, nor undefined for no documents.
        assert_eq!(rounded_average(&[], 0), 1.0);
        assert_eq!(rounded_average(&[0.0, 0.0], 2), 1.0);
    }

    fn doc(text: &str) -> Doc<'_> {
        Doc {
            fields: vec![(1.0, Cow::Borrowed(text)), (3.0, Cow::Borrowed("title"))],
            names: vec![(3.0, "=c++".to_string())],
            body: None,
        }
    }

    /// Each stem's postings as plain values: stem, surface, list, document frequency.
    type Flat = Vec<(String, String, Vec<u32>, usize)>;

    fn flat(postings: &[Postings]) -> Flat {
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
        let none = KeptWords::default();
        let mut in_order = Counter::default();
        let all: Vec<u32> = (0..40).collect();
        in_order.add(&docs, &all, &none, None);
        let expected = flat(&in_order.finish(40, &ids, &stemmer).postings);
        assert!(expected.iter().any(|p| p.0 == "partnership" && p.3 == 40));
        assert!(expected.iter().any(|p| p.0 == "=c++"));

        // Positions 29 down to 0 in batches of 7, newest first, then 30..40 in order.
        let mut scrambled = Counter::default();
        let mut newest_first: Vec<u32> = (0..30).rev().collect();
        for batch in newest_first.chunks_mut(7) {
            let made: Vec<Doc> = batch.iter().map(|&p| doc(&texts[p as usize])).collect();
            scrambled.add(&made, batch, &none, None);
        }
        scrambled.add(&docs[30..], &all[30..], &none, None);
        assert_eq!(
            flat(&scrambled.finish(40, &ids, &stemmer).postings),
            expected
        );
    }

    fn body(text: &str) -> Text {
        Text {
            sections: vec![Section {
                heading: Some("Market notes".to_string()),
                id: None,
                level: 2,
                text: text.to_string(),
            }],
            word_count: 0,
        }
    }

    /// Counts documents `texts` (a body each, with the fields of `doc`), keeping their
    /// parts in a file; with `previous`, the parts it holds are taken from it. Returns the
    /// postings and the file's path.
    fn counted(
        dir: &std::path::Path,
        texts: &[(String, Text)],
        previous: Option<&std::path::Path>,
        run: &str,
    ) -> (Flat, std::path::PathBuf) {
        let mut kept = match previous {
            Some(p) => KeptWords::read(p, "bin", 1).unwrap_or_else(|e| panic!("{e}")),
            None => KeptWords::default(),
        };
        let path = dir.join(run);
        let mut writer = super::super::kept::Writer::create(&path, "bin", 1, 1)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut counter = Counter::new(kept.take_table());
        let docs: Vec<Doc> = texts
            .iter()
            .enumerate()
            .map(|(i, (fields, text))| {
                // A body this run's file or the previous one holds is taken from it, as a
                // build does for a body whose key it has.
                let key = crate::hash::bytes(text.sections[0].text.as_bytes());
                let body = match kept.part(key) {
                    Some(part) if i % 2 == 0 => Body::Counted(key, part),
                    _ => Body::Text(key, text),
                };
                Doc {
                    body: Some(body),
                    ..doc(fields)
                }
            })
            .collect();
        let positions: Vec<u32> = (0..docs.len() as u32).rev().collect();
        counter.add(&docs, &positions, &kept, Some(&mut writer));
        let ids: Vec<u32> = (0..docs.len() as u32).collect();
        let finished = counter.finish(docs.len(), &ids, &Stemmer::for_language("en"));
        writer.set_table(
            finished
                .words
                .iter()
                .map(|(id, w, df, stem)| (*id, w.as_str(), *df, stem.as_str())),
        );
        let postings = flat(&finished.postings);
        drop(docs);
        writer.finish(&path).unwrap_or_else(|e| panic!("{e}"));
        (postings, path)
    }

    /// Parts taken from the previous build (bodies, fields, or both, renumbered) make the
    /// postings counting everything from text makes, after edits, additions and removals,
    /// build after build.
    #[test]
    fn kept_parts_make_the_postings_of_counting_everything_again() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // `n` documents but `skip`, the one numbered `edit` edited; each has a word of its
        // own, so leaving one out leaves a gap in the middle of the kept table.
        let make = |n: usize, edit: usize, skip: usize| -> Vec<(String, Text)> {
            (0..n)
                .filter(|&i| i != skip)
                .map(|i| {
                    let fields = format!("Episode {i} on partnerships {}", i % 3);
                    let mut text = format!("market partnership episode{} solo{i} ", i % 5);
                    text.push_str(&"pricing ".repeat(i % 4 + 1));
                    if i == edit {
                        text.push_str(&format!("edited{edit} unique{edit} market"));
                    }
                    (fields, body(&text))
                })
                .collect()
        };
        let fresh = |texts: &[(String, Text)], run: &str| counted(dir.path(), texts, None, run).0;
        let (first, mut path) = counted(dir.path(), &make(12, 99, 99), None, "a");
        assert_eq!(first, fresh(&make(12, 99, 99), "fa"));
        assert!(first.iter().any(|p| p.0 == "market" && p.3 == 12));
        let runs = [
            (14, 3, 99),
            (14, 3, 1),
            (11, 5, 1),
            (11, 99, 2),
            (13, 0, 99),
        ];
        for (run, (n, edit, skip)) in runs.into_iter().enumerate() {
            let texts = make(n, edit, skip);
            let (reused, next) = counted(dir.path(), &texts, Some(&path), &format!("r{run}"));
            assert_eq!(reused, fresh(&texts, &format!("f{run}")), "run {run}");
            path = next;
        }
        // The words a removed edit used are gone from the index and from the kept table.
        let last = counted(dir.path(), &make(13, 99, 99), Some(&path), "last");
        assert!(!last.0.iter().any(|p| p.0.starts_with("unique")));
        let mut kept = KeptWords::read(&last.1, "bin", 1).unwrap_or_else(|e| panic!("{e}"));
        let table = kept.take_table();
        assert!(table.iter().any(|(_, w)| w == "pricing"));
        assert!(!table.iter().any(|(_, w)| w.starts_with("unique")));
        // Its table has gaps (the words left out), so its words are numbered anew; counted
        // from a file without gaps, every word keeps its id and each kept part is kept
        // byte for byte: nothing changed, the file is the same.
        assert!(!Counter::new(table).same_ids);
        let again = counted(dir.path(), &make(13, 99, 99), Some(&last.1), "again");
        let mut kept = KeptWords::read(&again.1, "bin", 1).unwrap_or_else(|e| panic!("{e}"));
        assert!(Counter::new(kept.take_table()).same_ids);
        let same = counted(dir.path(), &make(13, 99, 99), Some(&again.1), "same");
        assert_eq!(same.0, last.0);
        let bytes = |p: &std::path::Path| std::fs::read(p).unwrap_or_else(|e| panic!("{e}"));
        assert!(bytes(&same.1) == bytes(&again.1));
    }
}
