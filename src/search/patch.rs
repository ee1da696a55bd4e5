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
//! out of the lists that held them (their words are known from their kept parts). A
//! document added, removed or moved changes every stem it uses; one changed in place, only
//! the stems whose weight for it moved, or whose words' document counts did (a body edit
//! rarely moves a rounded weight: 10 postings files of 512 at 10,000 digests, not 99).
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
use super::{Listed, Packer, Posted, fnv1a, index_file, is_name_key, post_chunk_files};
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
    /// Whether a stem (or exact-name key) is new or gone: the typo keys change only then.
    pub stems_came_or_went: bool,
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

/// Why the index could not be patched (said with `CASTDOWN_TIMINGS`).
pub(super) type Whole = &'static str;

/// A postings file as it is read back.
#[derive(serde::Deserialize, Default)]
struct Chunk {
    t: BTreeMap<String, Vec<u32>>,
    b: BTreeMap<String, String>,
    s: BTreeMap<String, String>,
}

/// A stem's list as a chunk read back holds it, with its surface.
enum Held {
    /// In the chunk's file.
    Flat(Vec<u32>),
    /// In a file of its own, of this name (read only when it changes).
    Own(String),
}

/// A document of the previous build, as its kept parts count it: each distinct word's id
/// and frequency (body then fields, added as a count adds them).
type OldDoc = Vec<(u32, f32)>;

/// Patches the previous build's postings (`before`, with its kept parts `kept`) for the
/// documents `counter` counted or left uncounted, whose ids by position are `ids` (`total`
/// of them). Its words' stems and its stem table are taken out of `before`. The documents it left uncounted and found changed are counted here; on `Err`,
/// those it left uncounted and found unchanged are still to count.
pub(super) fn patch(
    counter: &mut Counter,
    (before, kept): (&mut Before, &KeptWords),
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
    let unchanged: IdSet = counter
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
    let old_docs: Option<Vec<OldDoc>> = gone
        .par_iter()
        .map(|id| {
            let (_, keys) = before.docs.get(id)?;
            let mut parts: Vec<List> = Vec::with_capacity(2);
            for &key in keys.iter().filter(|&&k| k != 0) {
                let mut words = Vec::new();
                kept.part(key)?.each(&mut |w, f| words.push((w, f)))?;
                parts.push(words);
            }
            // Body first, then fields: a word in both has its frequencies added in that
            // order, as a count adds them (a part's words are each once, in any order).
            Some(merge(parts))
        })
        .collect();
    let old_docs = old_docs.ok_or("a part of a changed document is not kept")?;
    let mut gone_count: FastMap<u32, u32> = FastMap::default();
    for (w, _) in old_docs.iter().flatten() {
        *gone_count.entry(*w).or_default() += 1;
    }
    // The documents counted now whose id the previous build had too (changed in place): a
    // stem whose weight for them is the same is not changed by them.
    let counted_ids: IdSet = ids
        .iter()
        .copied()
        .filter(|id| !unchanged.contains(id))
        .collect();
    // Every word numbered, with its documents now and its stem; the stems changed for
    // certain (a word's documents changed, or a document came or went).
    let mut words: Vec<(u32, String, u32, String)> = Vec::new();
    let mut counted: BTreeMap<String, Vec<(&str, &List)>> = BTreeMap::new();
    let mut changed: BTreeSet<String> = BTreeSet::new();
    let mut stem_of: FastMap<u32, usize> = FastMap::default();
    for (id, word, list) in counter.numbered_words() {
        let (was, stem) = match before.words.remove(&id) {
            Some(known) => known,
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
        let new_doc = || {
            list.iter().any(|&(at, _)| {
                ids.get(at as usize)
                    .is_none_or(|id| !before.docs.contains_key(id))
            })
        };
        if df != was || new_doc() {
            changed.insert(stem.clone());
        }
        stem_of.insert(id, words.len());
        words.push((id, word.to_string(), df, stem));
    }
    // A stem's words in word order, as a whole build merges them (a document's frequencies
    // in two words of one stem are added in that order).
    for lists in counted.values_mut() {
        lists.sort_unstable_by(|a, b| a.0.cmp(b.0));
    }
    // The counted documents' entries per stem, weighted, by id.
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
    // Each document changed in place, its weight in each stem it has now.
    let mut weights_now: FastMap<u32, BTreeMap<&str, u32>> = FastMap::default();
    for (stem, entries) in &fresh {
        for &(id, w) in entries {
            if before.docs.contains_key(&id) {
                weights_now.entry(id).or_default().insert(stem, w);
            }
        }
    }
    // The previous build's documents: one removed or moved changes every stem it had; one
    // changed in place, the stems whose weight for it is not the same.
    for (id, old) in gone.iter().zip(&old_docs) {
        // Every word of a kept part is numbered (the kept table is numbered first).
        let old: Option<Vec<(&str, &str, f32)>> = old
            .iter()
            .map(|(w, f)| {
                let e = &words[*stem_of.get(w)?];
                Some((e.3.as_str(), e.1.as_str(), *f))
            })
            .collect();
        let old = old.ok_or("a word of a kept part is not numbered")?;
        if !counted_ids.contains(id) {
            changed.extend(old.iter().map(|(stem, ..)| stem.to_string()));
            continue;
        }
        let len = before.docs.get(id).map_or(0.0, |&(l, _)| l as f32);
        // Its stems' frequencies, each stem's words in word order.
        let mut by_stem = old;
        by_stem.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let mut had: BTreeMap<&str, f32> = BTreeMap::new();
        for (stem, _, f) in by_stem {
            match had.get_mut(stem) {
                Some(g) => *g += f,
                None => {
                    had.insert(stem, f);
                }
            }
        }
        let mut now = weights_now.remove(id).unwrap_or_default();
        for (stem, f) in had {
            if now.remove(stem) != Some(weight(f, len, average)) {
                changed.insert(stem.to_string());
            }
        }
        // Stems it has now and had not.
        changed.extend(now.into_keys().map(str::to_string));
    }
    // Words no document uses are kept numbered, so that the next build's ids stay those of
    // the kept parts; when they are a quarter of the table, a whole index drops them.
    let unused = words.iter().filter(|w| w.2 == 0).count();
    if unused * 4 > words.len() {
        return Err("many numbered words are no longer used");
    }
    words.sort_unstable_by_key(|w| w.0);
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
    let post_chunks = before.chunks[0];
    let mut dirty: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for stem in &changed {
        dirty
            .entry(fnv1a(stem) % post_chunks)
            .or_default()
            .push(stem);
    }
    // Each dirty chunk read back and patched: its stems' lists, in stem order.
    let patched: Result<Vec<(u32, Vec<Patch>)>, Whole> = dirty
        .par_iter()
        .map(|(&n, stems)| {
            let mut lists = read_chunk(previous, n)?;
            for &stem in stems {
                let old = match lists.remove(stem) {
                    None => Vec::new(),
                    Some((_, Held::Flat(list))) => list,
                    Some((_, Held::Own(name))) => read_own_list(previous, &name)
                        .ok_or("a postings file is not as the record says")?,
                };
                let fresh = fresh.get(stem).map_or(&[][..], Vec::as_slice);
                let list = patched_list(&old, &gone, fresh);
                if list.is_empty() {
                    continue;
                }
                let surface = surfaces.get(stem).map_or(stem, |s| s.0);
                lists.insert(stem.to_string(), (surface.to_string(), Held::Flat(list)));
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
    let mut stems = std::mem::take(&mut before.stems);
    let had: Vec<bool> = changed.iter().map(|s| stems.contains_key(s)).collect();
    for stem in &changed {
        stems.remove(stem);
    }
    for (_, chunk) in &patched {
        for (stem, _, list) in chunk {
            if let (true, Held::Flat(list)) = (changed.contains(stem), list) {
                stems.insert(stem.clone(), (list.len() / 2) as u32);
            }
        }
    }
    let stems_came_or_went = changed
        .iter()
        .zip(had)
        .any(|(stem, had)| had != stems.contains_key(stem));
    let now = super::post_chunk_count(stems.iter().map(|(s, &df)| (s.as_str(), df as usize)));
    if now != post_chunks {
        return Err("the postings files would be more or fewer");
    }
    let made: Option<Vec<Vec<OutputFile>>> = patched
        .par_iter()
        .map(|(n, chunk)| {
            let posted: Vec<Posted> = chunk
                .iter()
                .map(|(s, surface, list)| {
                    let list = match list {
                        Held::Flat(flat) => Listed::Flat(flat),
                        Held::Own(name) => Listed::Own(name),
                    };
                    (s.as_str(), surface.as_str(), list)
                })
                .collect();
            post_chunk_files(*n, &posted, packer)
        })
        .collect();
    let mut files: Vec<OutputFile> = made
        .ok_or("a postings file is not as the record says")?
        .into_iter()
        .flatten()
        .collect();
    // The chunks no changed stem is in, and their lists' own files, as they were.
    // Made once: every file of the previous output is looked at.
    let chunks = index_file("p/");
    let kept_files: Option<Vec<OutputFile>> = previous
        .files()
        .filter_map(|(path, _)| {
            let n = post_chunk_of(&chunks, path)?;
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
        stems_came_or_went,
    })
}

/// Document ids.
type IdSet = std::collections::HashSet<u32, ahash::RandomState>;

/// A stem's postings as patched: the stem, its surface, its list.
type Patch = (String, String, Held);

/// The chunk a file of the previous output's postings belongs to: `search/p/<n>.json.gz`
/// or `search/p/b<n>-<k>.json.gz` (`chunks` is the folder, `search/p/`).
fn post_chunk_of(chunks: &str, path: &str) -> Option<u32> {
    let name = path.strip_prefix(chunks)?.strip_suffix(".json.gz")?;
    let name = name
        .strip_prefix('b')
        .map_or(name, |own| own.split('-').next().unwrap_or(""));
    name.parse().ok()
}

/// Postings chunk `n` of the previous output, read back: each stem's surface (the stem
/// itself when the file names none) and list, or the name of its own file.
fn read_chunk(previous: &Previous, n: u32) -> Result<BTreeMap<String, (String, Held)>, Whole> {
    let chunk: Chunk = read_json(previous, &index_file(&format!("p/{n}.json.gz")))
        .ok_or("a postings file is not as the record says")?;
    let Chunk { t, b, mut s } = chunk;
    let mut lists = BTreeMap::new();
    for (stem, list) in t {
        let surface = s.remove(&stem).unwrap_or_else(|| stem.clone());
        lists.insert(stem, (surface, Held::Flat(list)));
    }
    for (stem, name) in b {
        let surface = s.remove(&stem).unwrap_or_else(|| stem.clone());
        lists.insert(stem, (surface, Held::Own(name)));
    }
    Ok(lists)
}

/// A file of the previous output's index, read back (its bytes checked against the
/// record) and inflated.
fn read_json<T: serde::de::DeserializeOwned>(previous: &Previous, path: &str) -> Option<T> {
    serde_json::from_slice(&inflated(previous, path)?).ok()
}

/// The list in a long list's own file of the previous output (`p/b<name>`), read back.
/// Parsed by hand: a new digest's common words have lists of every digest, and a generic
/// JSON reader was most of the time a patch spent reading them.
pub(super) fn read_own_list(previous: &Previous, name: &str) -> Option<Vec<u32>> {
    let json = inflated(previous, &index_file(&format!("p/b{name}.json.gz")))?;
    numbers(&json)
}

/// The bytes of a file of the previous output's index, checked against the record and
/// inflated.
fn inflated(previous: &Previous, path: &str) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let bytes = previous.contents(path)?;
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_end(&mut json)
        .ok()?;
    Some(json)
}

/// A JSON array of integers as an own file holds it (`[12,340,5,77]`, no spaces); `None`
/// for anything else.
fn numbers(json: &[u8]) -> Option<Vec<u32>> {
    let inner = json.strip_prefix(b"[")?.strip_suffix(b"]")?;
    if inner.is_empty() {
        return Some(Vec::new());
    }
    let mut out = Vec::with_capacity(inner.len() / 4);
    for n in inner.split(|&b| b == b',') {
        if n.is_empty() || n.len() > 10 || !n.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = n.iter().fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
        out.push(u32::try_from(v).ok()?);
    }
    Some(out)
}

/// A list (`[gap, weight, …]`) without the documents `gone` (ascending), with the entries
/// `fresh` (`(id, weight)`, ascending, none of them in the list) put in their places.
fn patched_list(old: &[u32], gone: &[u32], fresh: &[(u32, u32)]) -> Vec<u32> {
    let mut flat = Vec::with_capacity(old.len() + fresh.len() * 2);
    let (mut id, mut prev) = (0u32, 0u32);
    let (mut g, mut f) = (0, 0);
    let mut put = |flat: &mut Vec<u32>, id: u32, w: u32| {
        flat.push(id.wrapping_sub(prev));
        flat.push(w);
        prev = id;
    };
    for pair in old.chunks_exact(2) {
        id = id.wrapping_add(pair[0]);
        while f < fresh.len() && fresh[f].0 < id {
            put(&mut flat, fresh[f].0, fresh[f].1);
            f += 1;
        }
        while g < gone.len() && gone[g] < id {
            g += 1;
        }
        if gone.get(g) != Some(&id) {
            put(&mut flat, id, pair[1]);
        }
    }
    for &(id, w) in &fresh[f..] {
        put(&mut flat, id, w);
    }
    flat
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand parser of own files reads what the index writes, and nothing else.
    #[test]
    fn own_lists_are_read_as_serde_writes_them() {
        for list in [vec![], vec![0u32], vec![18_262, 187, 1, 4_294_967_295]] {
            let json = serde_json::to_vec(&list).unwrap_or_default();
            assert_eq!(numbers(&json), Some(list));
        }
        for bad in [
            &b""[..],
            b"[",
            b"[1,]",
            b"[,1]",
            b"[1, 2]",
            b"[-1]",
            b"[4294967296]",
            b"[99999999999]",
            b"{}",
        ] {
            assert_eq!(numbers(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn a_list_is_patched_in_id_order() {
        // Ids 5, 9, 20 with weights 50, 90, 200; 9 gone; 7 and 30 new.
        let old = [5, 50, 4, 90, 11, 200];
        let flat = patched_list(&old, &[9], &[(7, 70), (30, 300)]);
        assert_eq!(flat, [5, 50, 2, 70, 13, 200, 10, 300]);
        assert_eq!(patched_list(&old, &[5, 9, 20], &[]), Vec::<u32>::new());
        assert_eq!(patched_list(&[], &[], &[(3, 1)]), [3, 1]);
    }
}
