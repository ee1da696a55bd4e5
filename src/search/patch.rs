//! Patching the previous build's postings rather than making them all again. Since index
//! version 5 a postings file depends only on its own stems' documents (a weight holds no
//! IDF, and the average length is rounded), so a build that knows which documents changed
//! needs to touch only the files of the stems those documents use, before or after.
//!
//! What the previous build's index held comes from its kept words ([`Before`]: each
//! document's id, length and part keys; each word's document count and stem; each stem's
//! document count) and from its output, the postings files of the stems to patch, read
//! back and checked against the record. A document is unchanged when it has the same id,
//! length and part keys as before: its parts are kept, so it is never counted. The others
//! are counted, and the documents of the previous build that are not unchanged are taken
//! out of the lists that held them (their words are known from their kept parts).
//!
//! Anything this cannot patch byte for byte as a whole build would make it (the rounded
//! average length moved, the postings files would be more or fewer, a file of the previous
//! output is not as its record says) is said, and the caller makes the index whole. See
//! `docs/architecture.md`, "Builds that reuse the last one".

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::kept::{Before, KeptWords};
use super::postings::{Counter, List, merge, rounded_average, weight};
use super::tokens::Stemmer;
use super::{OWN_FILE, Packer, Posted, fnv1a, index_file, is_name_key, post_chunk_files};
use crate::hash::FastMap;
use crate::output::OutputFile;
use crate::output::reuse::Previous;

/// The postings patched: their files, made or kept, and what the next build needs.
pub(super) struct Patched {
    /// Every postings file, made anew (a chunk that holds a changed stem) or kept.
    pub files: Vec<OutputFile>,
    /// Every stem's (and exact-name key's) document count.
    pub stems: FastMap<String, u32>,
    /// The table of the words numbered: id, word, documents, stem; ids ascending.
    pub words: Vec<(u32, String, u32, String)>,
    /// The rounded average length (the previous build's).
    pub average: f32,
    /// How many postings chunks were made anew (the others are kept).
    pub chunks_made: usize,
}

impl Patched {
    /// Every stem with its document count, in stem order.
    pub fn stems_sorted(&self) -> Vec<(&str, usize)> {
        let mut all: Vec<(&str, usize)> = self
            .stems
            .iter()
            .map(|(s, &df)| (s.as_str(), df as usize))
            .collect();
        all.sort_unstable();
        all
    }
}

/// A stem's postings as patched: the stem, its surface, its list.
type Owned = (String, String, Vec<u32>);

/// Why the index could not be patched (said with `CASTDOWN_TIMINGS`).
pub(super) type Whole = &'static str;

/// A postings file as it is read back.
#[derive(serde::Deserialize, Default)]
struct Chunk {
    t: BTreeMap<String, Vec<u32>>,
    b: BTreeMap<String, String>,
    s: BTreeMap<String, String>,
}

/// Patches the previous build's postings (`before`, with its kept parts `kept`) for the
/// documents `counter` counted or left uncounted, whose ids by position are `ids` (`total`
/// of them). The documents it left uncounted and found changed are counted here; on `Err`,
/// those it left uncounted and found unchanged are still to count.
pub(super) fn patch(
    counter: &mut Counter,
    (before, kept): (&Before, &KeptWords),
    (ids, total): (&[u32], usize),
    previous: &Previous,
    (stemmer, packer): (&Stemmer, Packer),
) -> Result<Patched, Whole> {
    // Unchanged documents: same id, length and parts as before. The rest are counted.
    let deferred = std::mem::take(&mut counter.deferred);
    let lens = counter.lens(total).to_vec();
    let keys = &counter.keys;
    let (same, moved): (Vec<u32>, Vec<u32>) = deferred.into_iter().partition(|&at| {
        let p = at as usize;
        let mine = (lens.get(p).map_or(0, |&l| l as u32), keys.get(p).copied());
        ids.get(p)
            .is_some_and(|id| before.docs.get(id).map(|&(l, k)| (l, Some(k))) == Some(mine))
    });
    counter.count_deferred(&moved, kept);
    counter.deferred = same;
    counter.sort_lists();
    let average = rounded_average(&lens, total);
    if average.to_bits() != before.average {
        return Err("the average document length moved");
    }
    let unchanged: std::collections::HashSet<u32, ahash::RandomState> = counter
        .deferred
        .iter()
        .filter_map(|&at| ids.get(at as usize).copied())
        .collect();
    // The previous build's documents that are not unchanged: removed, moved or changed.
    let mut gone: Vec<u32> = before
        .docs
        .keys()
        .copied()
        .filter(|id| !unchanged.contains(id))
        .collect();
    gone.sort_unstable();
    // How many of them each word was in (a document once, whatever its parts).
    let gone_words: Option<Vec<Vec<u32>>> = gone
        .par_iter()
        .map(|id| {
            let (_, keys) = before.docs.get(id)?;
            let mut words = Vec::new();
            for &key in keys.iter().filter(|&&k| k != 0) {
                kept.part(key)?.each(&mut |w, _| words.push(w))?;
            }
            words.sort_unstable();
            words.dedup();
            Some(words)
        })
        .collect();
    let gone_words = gone_words.ok_or("a part of a changed document is not kept")?;
    let mut gone_count: FastMap<u32, u32> = FastMap::default();
    for w in gone_words.into_iter().flatten() {
        *gone_count.entry(w).or_default() += 1;
    }
    // Every word numbered, with its documents now and its stem.
    let mut words: Vec<(u32, String, u32, String)> = Vec::new();
    // Per changed stem, its counted words (in word order, with their lists).
    let mut counted: BTreeMap<String, Vec<(&str, &List)>> = BTreeMap::new();
    let mut changed: BTreeSet<String> = BTreeSet::new();
    for (id, word, list) in counter.numbered_words() {
        let (was, stem) = match before.words.get(&id) {
            Some((df, stem)) => (*df, stem.clone()),
            None if is_name_key(word) => (0, word.to_string()),
            None => (0, stemmer.stem(word).into_owned()),
        };
        let out = gone_count.get(&id).copied().unwrap_or(0);
        let df = was
            .checked_sub(out)
            .ok_or("a word's document count does not add up")?
            + list.len() as u32;
        if !list.is_empty() {
            counted.entry(stem.clone()).or_default().push((word, list));
        }
        if !list.is_empty() || out > 0 {
            changed.insert(stem.clone());
        }
        words.push((id, word.to_string(), df, stem));
    }
    words.sort_unstable_by_key(|w| w.0);
    // Words no document uses are kept numbered, so that the next build's ids stay those of
    // the kept parts; when they are a quarter of the table, a whole index drops them.
    let unused = words.iter().filter(|w| w.2 == 0).count();
    if unused * 4 > words.len() {
        return Err("many numbered words are no longer used");
    }
    // Each changed stem's surface: its word in most documents, the first in word order.
    let mut surfaces: BTreeMap<&str, (&str, u32)> = BTreeMap::new();
    let mut by_word: Vec<&(u32, String, u32, String)> = words
        .iter()
        .filter(|w| w.2 > 0 && changed.contains(&w.3))
        .collect();
    by_word.sort_unstable_by(|a, b| a.1.cmp(&b.1));
    for w in by_word {
        let best = surfaces.entry(&w.3).or_insert((&w.1, 0));
        if w.2 > best.1 {
            *best = (&w.1, w.2);
        }
    }
    // A stem's words in word order, as a whole build merges them (a document's frequencies
    // in two words of one stem are added in that order).
    for lists in counted.values_mut() {
        lists.sort_unstable_by(|a, b| a.0.cmp(b.0));
    }
    // The changed documents' entries per changed stem, weighted, by id.
    let fresh: FastMap<&str, Vec<(u32, u32)>> = counted
        .par_iter()
        .map(|(stem, lists)| {
            let list = merge(lists.iter().map(|(_, l)| (*l).clone()).collect());
            let entries = list
                .iter()
                .map(|&(at, f)| {
                    let id = ids.get(at as usize).copied().unwrap_or(at);
                    (id, weight(f, lens[at as usize], average))
                })
                .collect();
            (stem.as_str(), entries)
        })
        .collect();
    let post_chunks = before.chunks[0];
    let mut dirty: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for stem in &changed {
        dirty
            .entry(fnv1a(stem) % post_chunks)
            .or_default()
            .push(stem);
    }
    // Each dirty chunk read back and patched: its stems' lists, in stem order.
    let gone_set: std::collections::HashSet<u32, ahash::RandomState> =
        gone.iter().copied().collect();
    let patched: Result<Vec<(u32, Vec<Owned>)>, Whole> = dirty
        .par_iter()
        .map(|(&n, stems)| {
            let mut lists = read_chunk(previous, n)?;
            for &stem in stems {
                let old = lists.remove(stem).map(|(_, l)| l).unwrap_or_default();
                let list =
                    patched_list(&old, &gone_set, fresh.get(stem).map_or(&[], Vec::as_slice));
                if list.is_empty() {
                    continue;
                }
                let surface = surfaces.get(stem).map_or(stem, |s| s.0);
                lists.insert(stem.to_string(), (surface.to_string(), list));
            }
            let stems = lists
                .into_iter()
                .map(|(stem, (surface, list))| (stem, surface, list))
                .collect();
            Ok((n, stems))
        })
        .collect();
    let patched = patched?;
    // Every stem's documents: the previous build's, the changed stems' anew.
    let mut stems = before.stems.clone();
    for stem in &changed {
        stems.remove(stem);
    }
    for (_, chunk) in &patched {
        for (stem, _, list) in chunk {
            if changed.contains(stem) {
                stems.insert(stem.clone(), (list.len() / 2) as u32);
            }
        }
    }
    let now = super::post_chunk_count(stems.iter().map(|(s, &df)| (s.as_str(), df as usize)));
    if now != post_chunks {
        return Err("the postings files would be more or fewer");
    }
    let mut files: Vec<OutputFile> = patched
        .par_iter()
        .flat_map_iter(|(n, chunk)| {
            let posted: Vec<Posted> = chunk
                .iter()
                .map(|(s, surface, list)| (s.as_str(), surface.as_str(), list.as_slice()))
                .collect();
            post_chunk_files(*n, &posted, packer)
        })
        .collect();
    // The chunks no changed stem is in, and their lists' own files, as they were.
    let kept_files: Option<Vec<OutputFile>> = previous
        .files()
        .filter_map(|(path, _)| {
            let n = post_chunk_of(path)?;
            (!dirty.contains_key(&n)).then_some(path)
        })
        .collect::<Vec<_>>()
        .par_iter()
        .map(|&path| {
            let (entry, fp) = previous.unchanged(path)?;
            Some(OutputFile::kept(path, entry, fp))
        })
        .collect();
    files.extend(kept_files.ok_or("a postings file is not as the record says")?);
    Ok(Patched {
        files,
        stems,
        words,
        average,
        chunks_made: dirty.len(),
    })
}

/// The chunk a file of the previous output's postings belongs to: `search/p/<n>.json.gz`
/// or `search/p/b<n>-<k>.json.gz`.
fn post_chunk_of(path: &str) -> Option<u32> {
    let name = path
        .strip_prefix(&index_file("p/"))?
        .strip_suffix(".json.gz")?;
    let name = name
        .strip_prefix('b')
        .map_or(name, |own| own.split('-').next().unwrap_or(""));
    name.parse().ok()
}

/// Postings chunk `n` of the previous output, read back: each stem's surface (the stem
/// itself when the file names none) and list, own files included.
fn read_chunk(previous: &Previous, n: u32) -> Result<BTreeMap<String, (String, Vec<u32>)>, Whole> {
    let chunk: Chunk = read_json(previous, &index_file(&format!("p/{n}.json.gz")))
        .ok_or("a postings file is not as the record says")?;
    let Chunk { t, b, mut s } = chunk;
    let mut lists = BTreeMap::new();
    for (stem, list) in t {
        let surface = s.remove(&stem).unwrap_or_else(|| stem.clone());
        lists.insert(stem, (surface, list));
    }
    for (stem, name) in b {
        let list: Vec<u32> = read_json(previous, &index_file(&format!("p/b{name}.json.gz")))
            .ok_or("a postings file is not as the record says")?;
        if list.len() * 4 <= OWN_FILE {
            return Err("a postings file holds a short list apart");
        }
        let surface = s.remove(&stem).unwrap_or_else(|| stem.clone());
        lists.insert(stem, (surface, list));
    }
    Ok(lists)
}

/// A file of the previous output's index, read back (its bytes checked against the
/// record) and inflated.
fn read_json<T: serde::de::DeserializeOwned>(previous: &Previous, path: &str) -> Option<T> {
    use std::io::Read as _;
    let bytes = previous.contents(path)?;
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_end(&mut json)
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// A list (`[gap, weight, …]`) without the documents `gone`, with the entries `fresh`
/// (`(id, weight)`, ascending, none of them in the list) put in their places.
fn patched_list(
    old: &[u32],
    gone: &std::collections::HashSet<u32, ahash::RandomState>,
    fresh: &[(u32, u32)],
) -> Vec<u32> {
    let mut entries: Vec<(u32, u32)> = Vec::with_capacity(old.len() / 2 + fresh.len());
    let mut id = 0u32;
    for pair in old.chunks_exact(2) {
        id = id.wrapping_add(pair[0]);
        if !gone.contains(&id) {
            entries.push((id, pair[1]));
        }
    }
    entries.extend_from_slice(fresh);
    entries.sort_unstable_by_key(|&(id, _)| id);
    let mut flat = Vec::with_capacity(entries.len() * 2);
    let mut prev = 0;
    for (id, w) in entries {
        flat.push(id - prev);
        flat.push(w);
        prev = id;
    }
    flat
}
