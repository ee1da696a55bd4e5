//! Static search: an index written at build time in small files, so the browser fetches
//! only what a query needs, with no server. `docs/search.md` describes what it finds and
//! how; the format (version 5), JSON under `search/`, every file but the manifest
//! gzip-compressed (`.json.gz`, served as it is; the script inflates it, or reads it as JSON
//! when the host already did):
//!
//! - `manifest.json`: `{version, docs, kinds: [[first id, span]] for episodes, pages, terms
//!   and transcript blocks, groups: [ids per fragment file] for the same, post_chunks,
//!   dict_chunks, key_chunks, stemmer, shows: [[name, slug]], concepts: [[name, slug]]}`.
//!   Fetched once. Each kind has a range of ids of its own (a power of two long); every id
//!   of a kind is below its first plus its span. Episodes and transcript blocks are
//!   numbered by day, oldest first (the day of the episode's date times the slots a day has,
//!   plus its place among that day's): adding or removing a digest of any date moves no
//!   other day's ids, so a deploy uploads only the files that hold it ([`docs::Docs`]).
//!   Equal scores list episodes first, the newest (highest id) first, then pages and terms
//!   in order, then transcript blocks, the newest first. The chunk counts are powers of
//!   two, so they too change only when the index doubles.
//! - `p/<n>.json.gz`: postings, `{"t": {stem: [gap, weight, gap, weight, …]}, "b": {stem:
//!   m}, "s": {stem: surface}}` for the stems with `n = fnv1a(stem) % post_chunks`. A list
//!   gives each document as the gap from the previous one (the first from 0), ascending. A
//!   long list is in a file of its own, `p/b<m>.json.gz` (the list alone), named in `b`
//!   (`m` is `"<n>-<k>"`, the chunk's `k`-th such list in stem order), so a query for a rare
//!   word does not download a common one. `s` gives the word most documents spell the stem
//!   with, where it differs (for "Did you mean"). A weight is the term-frequency part of
//!   the stem's BM25 score in that document, fields boosted, times 100, rounded; the script
//!   multiplies it by the stem's IDF, `ln((docs - df + 0.5) / (df + 0.5) + 1)` with `df` the
//!   list's length, and rounds again. Nothing in a postings file depends on documents
//!   outside it, so an edit changes only the files that hold its words
//!   ([`postings::rounded_average`]). Exact-name keys (`=c++`, see [`docs::name_key`]) are
//!   postings too.
//! - `d/<n>.json.gz`: the prefix dictionary, `{stem: df}` for every stem whose first two
//!   characters hash to `n = fnv1a(prefix2) % dict_chunks`; expands the word being typed.
//! - `k/<n>.json.gz`: typo keys, `{key: [stem, …]}` for keys hashing to `n = fnv1a(key) %
//!   key_chunks` (see [`fuzzy`]).
//! - `x/<n>.json.gz`: fragments, what a result shows ([`docs::Fragment`]), for documents
//!   `gn … gn+g-1` where `g` is the kind's group (64 ids for episodes, 8 for the others), an
//!   array in id order (`null` for an id no document has). An episode's is its URL; the rest is in its
//!   `digest.json`.
//! - `f/s<i>.json.gz`, `f/c<i>.json.gz`: doc ids of show `i` / concept `i` of the manifest lists
//!   (episodes and their transcript blocks), fetched only when that filter is chosen.
//!
//! Words are folded, split and stemmed by [`tokens`]; `themes/default/static/search.js`
//! does the same, and a differential test holds the two together. A build on disk keeps
//! each document's counted words ([`kept`]) and, finding the output they were counted for,
//! patches its postings rather than making them whole ([`patch`]).

mod docs;
pub mod fuzzy;
pub mod kept;
mod patch;
mod postings;
pub mod tokens;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

pub use docs::{is_name_key, name_key};
pub use kept::KeptWords;
pub use tokens::{Stemmer, each_token, fold, tokenize};

use std::sync::Arc;

use crate::bodies::Text;
use crate::output::OutputFile;
use crate::output::reuse::{Previous, content_hash};
use crate::site::{Site, TermKind};

/// Index format version, in the manifest.
pub const VERSION: u32 = 5;
/// Target size of one postings chunk, in bytes (before compression).
const POST_CHUNK_TARGET: usize = 24 * 1024;
/// A postings list longer than this (in bytes before compression) gets a file of its own.
const OWN_FILE: usize = 6 * 1024;
/// Target size of one dictionary chunk, in bytes.
const DICT_CHUNK_TARGET: usize = 16 * 1024;
/// Target size of one typo-key chunk, in bytes: a typed word of eight letters or more looks
/// up to 29 keys, each in its own chunk.
const KEY_CHUNK_TARGET: usize = 6 * 1024;

/// 32-bit FNV-1a over UTF-8 bytes (the script computes the same).
pub fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.as_bytes() {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The first two characters of a term (its dictionary key).
pub fn prefix2(term: &str) -> String {
    term.chars().take(2).collect()
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    docs: usize,
    kinds: [[u32; 2]; 4],
    groups: [u32; 4],
    post_chunks: u32,
    dict_chunks: u32,
    key_chunks: u32,
    stemmer: Option<&'static str>,
    shows: Vec<(&'a str, &'a str)>,
    concepts: Vec<(&'a str, &'a str)>,
}

#[derive(Serialize, Default, Clone)]
struct PostChunk<'a> {
    t: BTreeMap<&'a str, &'a [u32]>,
    b: BTreeMap<&'a str, String>,
    s: BTreeMap<&'a str, &'a str>,
}

/// Builds every file of the search index and nothing else (the page is a template), from
/// every episode's and standalone page's text in the site's order.
pub fn index(site: &Site, episodes: &[Arc<Text>], pages: &[Arc<Text>]) -> Vec<OutputFile> {
    let mut index = Index::new(site, None);
    for (b, texts) in episodes.chunks(crate::render::PAGE_BATCH).enumerate() {
        let bodies: Vec<EpisodeWords> = texts
            .iter()
            .map(|t| EpisodeWords::Text(0, t.clone()))
            .collect();
        index.add_episodes(site, b * crate::render::PAGE_BATCH, &bodies);
    }
    index.finish(site, pages, (false, None)).0
}

/// A search index being made: each episode's words are counted as its body is rendered (a
/// build renders a batch of bodies, writes their pages and counts their words before the
/// next), the other documents' at the end. So no build keeps every episode's text for the
/// index, in memory or on disk. A build on disk keeps every document's counted words, in
/// parts (an episode's body, a document's fields), for the next build ([`kept`]), which
/// counts only the parts that changed.
pub struct Index {
    words: docs::AllTermWords,
    counter: postings::Counter,
    /// The previous build's counted parts (held until every document is counted).
    previous: Arc<KeptWords>,
    /// What the previous build's index held, when this build may patch it: then a
    /// document whose parts are all kept is not counted unless it changed ([`patch`]).
    before: Option<kept::Before>,
    /// Where this build's go, for the next (`None`: not kept).
    keeping: Option<kept::Writer>,
}

/// What the index counts of an episode's body.
#[derive(Clone)]
pub enum EpisodeWords {
    /// Its text, with its key (`bodies::episode_key`).
    Text(u64, Arc<Text>),
    /// The words the previous build counted for the body with this key
    /// ([`Index::kept`] has them).
    Kept(u64),
    /// None: the body failed to render (the build fails).
    Missing,
}

impl Index {
    /// Nothing counted yet. With `keep`, every document's counted parts are written for
    /// the next build (`keep.1`), and the parts the previous build's hold (`keep.0`) are
    /// taken from it: a body without its text ([`EpisodeWords::Kept`]), and any
    /// document's fields when their key is there.
    pub fn new(site: &Site, keep: Option<(KeptWords, kept::Writer)>) -> Index {
        Index::patching(site, keep, None)
    }

    /// [`Index::new`], for a build whose previous output was made by the build of
    /// generation `previous`: when the kept words are that build's, and say what its index
    /// held, the index is patched rather than made ([`patch`]).
    pub fn patching(
        site: &Site,
        keep: Option<(KeptWords, kept::Writer)>,
        previous: Option<u64>,
    ) -> Index {
        let (mut kept, keeping) = match keep {
            Some((kept, writer)) => (kept, Some(writer)),
            None => (KeptWords::default(), None),
        };
        let before = kept
            .take_before()
            .filter(|_| previous.is_some_and(|g| g == kept.generation() && g != 0));
        let mut counter = postings::Counter::new(kept.take_table());
        let before = before.filter(|_| counter.defer());
        Index {
            words: docs::term_words(site),
            counter,
            keeping,
            previous: Arc::new(kept),
            before,
        }
    }

    /// The previous build's counted parts.
    pub fn kept(&self) -> Arc<KeptWords> {
        self.previous.clone()
    }

    /// Counts the words of the site's episodes from `first` on, whose bodies are `bodies`
    /// (in the site's order; batches in any order, each episode once).
    pub fn add_episodes(&mut self, site: &Site, first: usize, bodies: &[EpisodeWords]) {
        let count = site.episodes.len();
        let bodies = &bodies[..bodies.len().min(count.saturating_sub(first))];
        let empty = Text::default();
        let previous = &*self.previous;
        let made: Vec<docs::Doc> = bodies
            .par_iter()
            .enumerate()
            .map(|(k, body)| {
                let body = match body {
                    EpisodeWords::Text(key, text) => docs::Body::Text(*key, text),
                    // `Kept` is given only for a key the previous build has.
                    EpisodeWords::Kept(key) => match previous.part(*key) {
                        Some(part) => docs::Body::Counted(*key, part),
                        None => docs::Body::Text(0, &empty),
                    },
                    EpisodeWords::Missing => docs::Body::Text(0, &empty),
                };
                docs::episode(site, &self.words, first + k, body)
            })
            .collect();
        // Episodes are numbered oldest first (see `docs::Docs`).
        let positions: Vec<u32> = (first..first + bodies.len())
            .map(|i| (count - 1 - i) as u32)
            .collect();
        self.counter
            .add(&made, &positions, previous, self.keeping.as_mut());
    }

    /// Counts the other documents and makes every file of the index; hands back the
    /// writer of the bodies' counted words, to finish once the build succeeded, and, when
    /// the previous index could be patched, whether it was (a line for the build's
    /// timings). With
    /// `records` (a build on disk), each file carries the fingerprint of its JSON for the
    /// build's record, and a file the `previous` build made from the same JSON is kept
    /// rather than compressed again.
    pub fn finish(
        self,
        site: &Site,
        pages: &[Arc<Text>],
        (records, previous): (bool, Option<&Previous>),
    ) -> (Vec<OutputFile>, Option<kept::Writer>, Option<String>) {
        let Index {
            words,
            mut counter,
            mut keeping,
            previous: kept,
            before,
        } = self;
        let docs = docs::collect(site, &words, pages);
        let count = site.episodes.len();
        for (b, batch) in docs.others.chunks(crate::render::PAGE_BATCH).enumerate() {
            let first = count + b * crate::render::PAGE_BATCH;
            let positions: Vec<u32> = (first..first + batch.len()).map(|p| p as u32).collect();
            counter.add(batch, &positions, &kept, keeping.as_mut());
        }
        let stemmer = Stemmer::for_language(&site.config.language);
        let packer = Packer { records, previous };
        let mut how = None;
        if let (Some(mut before), Some(previous)) = (before, previous) {
            let patched = patch::patch(
                &mut counter,
                (&mut before, &kept),
                (&docs.ids, docs.len()),
                previous,
                (&stemmer, packer),
            );
            match patched {
                Ok(patched) => {
                    let how = format!(
                        "search index patched: postings chunks made {} of {}",
                        patched.chunks_made, before.chunks[0]
                    );
                    // The typo keys depend only on which stems there are.
                    let kept_keys = (!patched.stems_came_or_went)
                        .then(|| kept_key_files(packer, before.chunks[2]))
                        .flatten();
                    let (mut files, dict_chunks, key_chunks) =
                        dictionary_files(&patched.stems_sorted(), packer, kept_keys);
                    let chunks = [before.chunks[0], dict_chunks, key_chunks];
                    files.extend(patched.files);
                    files.extend(other_files(site, &docs, chunks, (&stemmer, packer)));
                    keep_index(keeping.as_mut(), &patched.words, || kept::Before {
                        docs: counter.documents(&docs.ids),
                        words: Default::default(),
                        stems: patched.stems,
                        chunks,
                        average: patched.average.to_bits(),
                    });
                    return (files, keeping, Some(how));
                }
                Err(why) => {
                    how = Some(format!("search index made whole: {why}"));
                    let deferred = std::mem::take(&mut counter.deferred);
                    counter.count_deferred(&deferred, &kept);
                }
            }
        }
        // Tens of megabytes at 100,000 episodes, and the index's peak is yet to come.
        drop(kept);
        let documents = keeping.as_ref().map(|_| counter.documents(&docs.ids));
        let finished = counter.finish(docs.len(), &docs.ids, &stemmer);
        let postings = &finished.postings;
        let stems: Vec<(&str, usize)> = postings.iter().map(|p| (p.term.as_str(), p.df)).collect();
        let post_chunks = post_chunk_count(stems.iter().copied());
        let mut files = post_files(postings, post_chunks, packer);
        let (dictionary, dict_chunks, key_chunks) = dictionary_files(&stems, packer, None);
        files.extend(dictionary);
        let chunks = [post_chunks, dict_chunks, key_chunks];
        files.extend(other_files(site, &docs, chunks, (&stemmer, packer)));
        keep_index(keeping.as_mut(), &finished.words, || kept::Before {
            docs: documents.unwrap_or_default(),
            words: Default::default(),
            stems: stems
                .iter()
                .map(|&(t, df)| (t.to_string(), df as u32))
                .collect(),
            chunks,
            average: finished.average.to_bits(),
        });
        (files, keeping, how)
    }
}

/// Hands the file kept for the next build the table of words numbered (`(id, word,
/// documents, stem)`) and what the index held (made only when there is such a file).
fn keep_index(
    keeping: Option<&mut kept::Writer>,
    words: &[(u32, String, u32, String)],
    before: impl FnOnce() -> kept::Before,
) {
    if let Some(keeping) = keeping {
        keeping.set_table(
            words
                .iter()
                .map(|(id, w, df, stem)| (*id, w.as_str(), *df, stem.as_str())),
        );
        keeping.set_index(&before());
    }
}

/// How many postings files the stems (and exact-name keys) with their document counts
/// are spread over.
fn post_chunk_count<'s>(stems: impl Iterator<Item = (&'s str, usize)>) -> u32 {
    let total_bytes: usize = stems.map(|(term, df)| term.len() + 6 + df * 9).sum();
    chunk_count(total_bytes, POST_CHUNK_TARGET)
}

/// One stem's postings as a postings file holds them: the stem, its surface, its list.
type Posted<'p> = (&'p str, &'p str, Listed<'p>);

/// A stem's list, to put in a postings file.
#[derive(Clone, Copy)]
enum Listed<'p> {
    /// The list (`[gap, weight, …]`).
    Flat(&'p [u32]),
    /// A long list the previous output holds, unchanged, in its own file of this name
    /// (`<chunk>-<k>`, as the chunk's `b` names it): kept, or read back when the file takes
    /// another name.
    Own(&'p str),
}

/// The files of postings chunk `n` (`p/<n>`, and the own files of its long lists), from its
/// stems' postings in stem order; `None` when a kept own file is not as the record says.
fn post_chunk_files(n: u32, stems: &[Posted], packer: Packer) -> Option<Vec<OutputFile>> {
    let mut chunk = PostChunk::default();
    // Named by chunk, so a list that grows past the limit renames only its chunk's others.
    let mut own_files: Vec<(String, Listed)> = Vec::new();
    for &(term, surface, list) in stems {
        let long = match list {
            Listed::Flat(flat) => flat.len() * 4 > OWN_FILE,
            Listed::Own(_) => true,
        };
        match (long, list) {
            (true, _) => {
                let name = format!("{n}-{}", chunk.b.len());
                own_files.push((name.clone(), list));
                chunk.b.insert(term, name);
            }
            (false, Listed::Flat(flat)) => {
                chunk.t.insert(term, flat);
            }
            (false, Listed::Own(_)) => {}
        }
        if !is_name_key(term) && surface != term {
            chunk.s.insert(term, surface);
        }
    }
    let mut files = vec![packer.file(&format!("p/{n}"), &chunk)];
    for (name, list) in own_files {
        let rel = format!("p/b{name}");
        files.push(match list {
            Listed::Flat(flat) => packer.file(&rel, flat),
            Listed::Own(old) if old == name => {
                let path = index_file(&format!("{rel}.json.gz"));
                let (entry, fp) = packer.previous?.unchanged(&path)?;
                OutputFile::kept(path, entry, fp)
            }
            Listed::Own(old) => {
                let list = patch::read_own_list(packer.previous?, old)?;
                packer.file(&rel, &list)
            }
        });
    }
    Some(files)
}

/// Every postings file, from every stem's postings (in stem order), spread over
/// `post_chunks` files.
fn post_files(
    postings: &[postings::Postings],
    post_chunks: u32,
    packer: Packer,
) -> Vec<OutputFile> {
    let mut chunks: Vec<Vec<Posted>> = vec![Vec::new(); post_chunks as usize];
    for p in postings {
        chunks[(fnv1a(&p.term) % post_chunks) as usize].push((
            &p.term,
            &p.surface,
            Listed::Flat(&p.flat),
        ));
    }
    chunks
        .par_iter()
        .enumerate()
        .flat_map_iter(|(n, stems)| {
            // Only flat lists here: every file is made.
            post_chunk_files(n as u32, stems, packer).unwrap_or_default()
        })
        .collect()
}

/// The typo-key files the previous output holds, kept, with their count: what a build
/// whose stems are the previous build's (only their document counts changed) would make.
/// `None` when one is not as the record says.
fn kept_key_files(packer: Packer, key_chunks: u32) -> Option<(Vec<OutputFile>, u32)> {
    let previous = packer.previous?;
    let files: Option<Vec<OutputFile>> = (0..key_chunks)
        .map(|n| {
            let path = index_file(&format!("k/{n}.json.gz"));
            let (entry, fp) = previous.unchanged(&path)?;
            Some(OutputFile::kept(path, entry, fp))
        })
        .collect();
    Some((files?, key_chunks))
}

/// The dictionary and typo-key files, from every stem and exact-name key with its
/// document count; with their chunk counts. With `kept_keys`, the typo-key files are those
/// (the stems are the ones they were made from) and are not made again.
fn dictionary_files(
    stems: &[(&str, usize)],
    packer: Packer,
    kept_keys: Option<(Vec<OutputFile>, u32)>,
) -> (Vec<OutputFile>, u32, u32) {
    let words: Vec<(&str, usize)> = stems
        .iter()
        .copied()
        .filter(|(t, _)| !is_name_key(t))
        .collect();
    let dict_bytes: usize = words.iter().map(|(t, _)| t.len() + 8).sum();
    let dict_chunks = chunk_count(dict_bytes, DICT_CHUNK_TARGET);
    let mut dict_files: Vec<BTreeMap<&str, usize>> = vec![BTreeMap::new(); dict_chunks as usize];
    for &(t, df) in &words {
        dict_files[(fnv1a(&prefix2(t)) % dict_chunks) as usize].insert(t, df);
    }
    let mut files = packer.numbered("d/", &dict_files);
    if let Some((kept, key_chunks)) = kept_keys {
        files.extend(kept);
        return (files, dict_chunks, key_chunks);
    }
    // Typo keys: every key of every keyed stem.
    let mut keys: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut keyed: Vec<&str> = words
        .iter()
        .map(|&(t, _)| t)
        .filter(|t| fuzzy::keyed(t))
        .collect();
    // In stem order, whatever order the stems came in: a key's stems are listed so.
    keyed.sort_unstable();
    let per_stem: Vec<(Vec<String>, &str)> = keyed
        .par_iter()
        .map(|&t| {
            let n = fuzzy::index_deletes(t.chars().count());
            (fuzzy::keys(t, n), t)
        })
        .collect();
    for (ks, stem) in per_stem {
        for k in ks {
            keys.entry(k).or_default().push(stem);
        }
    }
    let key_bytes: usize = keys
        .iter()
        .map(|(k, v)| k.len() + 5 + v.iter().map(|s| s.len() + 3).sum::<usize>())
        .sum();
    let key_chunks = chunk_count(key_bytes, KEY_CHUNK_TARGET);
    let mut key_files: Vec<BTreeMap<&str, &[&str]>> = vec![BTreeMap::new(); key_chunks as usize];
    for (k, stems) in &keys {
        key_files[(fnv1a(k) % key_chunks) as usize].insert(k, stems);
    }
    files.extend(packer.numbered("k/", &key_files));
    (files, dict_chunks, key_chunks)
}

/// The manifest, the fragments and the filters' files, for an index of `chunks` postings,
/// dictionary and typo-key files.
fn other_files(
    site: &Site,
    docs: &docs::Docs,
    chunks: [u32; 3],
    (stemmer, packer): (&Stemmer, Packer),
) -> Vec<OutputFile> {
    let [post_chunks, dict_chunks, key_chunks] = chunks;
    let mut files = Vec::new();
    let manifest = Manifest {
        version: VERSION,
        docs: docs.len(),
        kinds: docs.kinds,
        groups: docs::GROUPS,
        post_chunks,
        dict_chunks,
        key_chunks,
        stemmer: stemmer.name(),
        shows: site
            .shows
            .iter()
            .map(|s| (s.name.as_str(), s.slug.as_str()))
            .collect(),
        concepts: site
            .concepts
            .iter()
            .map(|c| (c.name.as_str(), c.slug.as_str()))
            .collect(),
    };
    files.push(OutputFile::bytes(
        index_file("manifest.json"),
        json(&manifest),
    ));
    // A kind's group of ids to a file, `null` where an id has no document.
    let mut fragments: BTreeMap<u32, Vec<Option<&docs::Fragment>>> = BTreeMap::new();
    for (fragment, &id) in docs.fragments.iter().zip(&docs.ids) {
        let (file, at) = docs.fragment_place(id);
        let group = fragments.entry(file).or_default();
        group.resize(group.len().max(at + 1), None);
        group[at] = Some(fragment);
    }
    let fragments: Vec<(u32, Vec<Option<&docs::Fragment>>)> = fragments.into_iter().collect();
    files.extend(
        fragments
            .par_iter()
            .map(|(n, group)| packer.hashed(&format!("x/{n}"), group))
            .collect::<Vec<_>>(),
    );
    // In parallel: every episode is in a filter of its show and of each of its concepts,
    // so these lists add up to several times the episodes.
    for (kind, letter) in [(TermKind::Show, 's'), (TermKind::Concept, 'c')] {
        files.par_extend(site.terms(kind).par_iter().enumerate().map(|(i, t)| {
            let mut ids: Vec<u32> = t.episodes.iter().map(|&e| docs.episode_id(e)).collect();
            for &e in &t.episodes {
                ids.extend(docs.transcript_ids[e].clone());
            }
            ids.sort_unstable();
            packer.file(&format!("f/{letter}{i}"), &ids)
        }));
    }
    files
}

/// How many files to spread `bytes` over, for files of about `target` bytes: a power of two,
/// so the count (and with it every file's contents) changes only when the index doubles or
/// halves, not with each digest added.
fn chunk_count(bytes: usize, target: usize) -> u32 {
    let n = (bytes / target).max(1);
    // The power of two at or below n: files up to twice the target.
    (1u32 << (usize::BITS - 1 - n.leading_zeros())).max(1)
}

/// Whether the output file at `path` is a file of the index (`search/manifest.json`,
/// `search/p/0.json.gz`…), not the search page beside them: what a new index replaces.
pub fn is_index_file(path: &str) -> bool {
    path.starts_with(crate::site::paths::SEARCH_DIR)
        && (path.ends_with(".json") || path.ends_with(".json.gz"))
}

/// The output path of a file of the index (`p/0.json` → `search/p/0.json`).
fn index_file(rel: &str) -> String {
    format!("{}{rel}", crate::site::paths::SEARCH_DIR)
}

fn json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Makes the compressed files of the index. A build on disk gives each the fingerprint of
/// its JSON, and keeps the previous build's file made from the same JSON instead of
/// compressing it again: after an edit most of the index is as it was, and compressing it
/// all was most of the time a reusing build spent on it.
#[derive(Clone, Copy)]
struct Packer<'a> {
    /// Whether files carry fingerprints (a build on disk records them). A full build's
    /// must too: without them, the next build compressed the whole index again.
    records: bool,
    previous: Option<&'a Previous>,
}

impl Packer<'_> {
    /// A compressed file of the index: `rel` plus `.json.gz` under `search/`.
    fn file<T: Serialize + ?Sized>(&self, rel: &str, value: &T) -> OutputFile {
        let path = index_file(&format!("{rel}.json.gz"));
        let json = json(value);
        if !self.records {
            return OutputFile::bytes(path, gz(&json));
        }
        // Never 0, which a record gives files without a fingerprint.
        let fp = content_hash(&json).max(1);
        self.kept_or_made(path, fp, || json)
    }

    /// A compressed file of the index, as [`Packer::file`], whose fingerprint is the hash of
    /// the value rather than of its JSON: a kept file's value is never written out. (The
    /// fragments were a tenth of a build that changed nothing, most of it their JSON.)
    fn hashed<T: Serialize + std::hash::Hash + ?Sized>(&self, rel: &str, value: &T) -> OutputFile {
        if !self.records {
            return self.file(rel, value);
        }
        let path = index_file(&format!("{rel}.json.gz"));
        // Never 0, which a record gives files without a fingerprint.
        let fp = crate::hash::fast(value).max(1);
        self.kept_or_made(path, fp, || json(value))
    }

    /// The previous build's file at `path` when it was made from what the fingerprint `fp`
    /// says, else the JSON `json` makes, compressed, with that fingerprint.
    fn kept_or_made(&self, path: String, fp: u64, json: impl FnOnce() -> Vec<u8>) -> OutputFile {
        match self.previous.and_then(|p| p.kept(&path, fp)) {
            Some(entry) => OutputFile::kept(path, entry, fp),
            None => OutputFile::bytes(path, gz(&json())).with_fingerprint(fp),
        }
    }

    /// One compressed file per item, numbered in order: `<prefix><i>.json.gz` (`p/0`,
    /// `d/0`…).
    fn numbered<T: Serialize + Sync>(&self, prefix: &str, items: &[T]) -> Vec<OutputFile> {
        items
            .par_iter()
            .enumerate()
            .map(|(i, item)| self.file(&format!("{prefix}{i}"), item))
            .collect()
    }
}

/// Gzip at the fastest level: index files are read once per query, so bytes on the wire
/// matter more than the last few percent of size. No time stamp in the header, so the bytes
/// are the same every build. One compressor per thread, reset between files: a new one per
/// file zeroed its tables each time, and at 10k digests (16,000 files) that page-faulting
/// cost more than the compression.
fn gz(bytes: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, Crc, FlushCompress, Status};
    thread_local! {
        static DEFLATE: std::cell::RefCell<Compress> =
            std::cell::RefCell::new(Compress::new(Compression::fast(), false));
    }
    // Header: magic, deflate, no flags, no time stamp, no extra flags, unknown OS.
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len() / 3 + 64);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    DEFLATE.with(|d| {
        let mut d = d.borrow_mut();
        d.reset();
        loop {
            let read = d.total_in() as usize;
            if out.capacity() - out.len() < 1024 {
                out.reserve(out.capacity().max(4096));
            }
            match d.compress_vec(
                &bytes[read.min(bytes.len())..],
                &mut out,
                FlushCompress::Finish,
            ) {
                Ok(Status::StreamEnd) => break,
                Ok(_) => {}
                Err(_) => {
                    out.clear();
                    return;
                }
            }
        }
    });
    let mut crc = Crc::new();
    crc.update(bytes);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_known_values() {
        // Reference values of 32-bit FNV-1a.
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn gzip_round_trips_and_is_the_same_every_time() {
        use std::io::Read as _;
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for input in [&b""[..], b"{}", &text] {
            let packed = gz(input);
            assert_eq!(packed, gz(input));
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(packed.as_slice())
                .read_to_end(&mut back)
                .unwrap_or_default();
            assert_eq!(back, input);
        }
    }

    #[test]
    fn prefix_is_two_characters() {
        assert_eq!(prefix2("économie"), "éc");
        assert_eq!(prefix2("x"), "x");
    }
}
