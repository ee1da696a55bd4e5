//! Static search: an index written at build time in chunks, so the browser fetches
//! only what a query needs. Format (version 1), all JSON under `search/`:
//!
//! - `manifest.json` — `{version, docs, post_chunks, dict_chunks, shows: [name], concepts:
//!   [name]}`. Fetched once.
//! - `p/<n>.json` — postings: `{term: [doc, weight, doc, weight, …]}` with doc ids ascending
//!   and `n = fnv1a(term) % post_chunks`. A weight is the term's BM25 contribution in that
//!   document, fields boosted (title ×3, concepts ×2.5, show and people ×1.5, summary ×1.5,
//!   headings ×1.5, body ×1), scaled to an integer. A query's score is the sum of its terms'
//!   weights; every term must match.
//! - `d/<n>.json` — the prefix dictionary: `{term: df}` for every term whose first two
//!   characters hash to `n = fnv1a(prefix2) % dict_chunks`; used to expand the word being
//!   typed into the full terms it may become.
//! - `m/<n>.json` — metadata for showing results, for documents `8n … 8n+7` (an array in id
//!   order): `{url, title, show, date, concepts, summary, sections: [{heading, id, text}]}`
//!   (text trimmed). Grouping keeps the file count down; eight documents cost a few KB.
//! - `f/s<i>.json`, `f/c<i>.json` — doc ids of show `i` / concept `i` of the manifest lists,
//!   fetched only when that filter is chosen.
//!
//! Tokens are NFD-decomposed, stripped of combining marks, lowercased and split on anything
//! that is not a letter or digit; the script in `themes/default/static/search.js` does the
//! same, so matching is case- and accent-insensitive.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::bodies::{Text, Texts};
use crate::hash::FnvMap;
use crate::output::OutputFile;
use crate::site::{Site, TermKind};

/// Index format version, in the manifest.
pub const VERSION: u32 = 1;
/// Target size of one postings chunk, in bytes.
const POST_CHUNK_TARGET: usize = 24 * 1024;
/// Target size of one dictionary chunk, in bytes.
const DICT_CHUNK_TARGET: usize = 16 * 1024;
/// Documents per metadata file.
pub const META_GROUP: usize = 8;
/// Characters of section text kept per section for snippets, and sections kept per document:
/// enough to show where a match is, small enough that a result costs about a kilobyte.
const SECTION_TEXT: usize = 320;
const SECTIONS_KEPT: usize = 12;

/// Sorted, so [`keep`] can binary-search it (a unit test checks the order). At most five
/// bytes each.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in",
    "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were",
    "will", "with",
];

/// 32-bit FNV-1a over UTF-8 bytes (the script computes the same).
pub fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.as_bytes() {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Splits text into search tokens: folded case and accents, letters and digits only.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, &mut |t| out.push(t.to_string()));
    out
}

/// A token of at most eight bytes as one integer (bytes big-endian, zero-padded), so
/// comparing it is one instruction: tokens of five bytes or less met the stopword list as
/// often as not.
const fn pack(token: &[u8]) -> u64 {
    let mut v = 0u64;
    let mut i = 0;
    while i < 8 {
        v <<= 8;
        if i < token.len() {
            v |= token[i] as u64;
        }
        i += 1;
    }
    v
}

/// [`STOPWORDS`] packed; packing keeps byte order, so the list stays sorted.
const STOP_KEYS: [u64; STOPWORDS.len()] = {
    let mut keys = [0u64; STOPWORDS.len()];
    let mut i = 0;
    while i < STOPWORDS.len() {
        keys[i] = pack(STOPWORDS[i].as_bytes());
        i += 1;
    }
    keys
};

fn keep(token: &str) -> bool {
    // At least two characters (not bytes: "と" is one character in three bytes).
    if token.is_ascii() {
        keep_ascii(token)
    } else {
        token.chars().nth(1).is_some() && !is_stopword(token)
    }
}

/// [`keep`] for a token known to be ASCII (the tokeniser's fast path knows it).
fn keep_ascii(token: &str) -> bool {
    token.len() >= 2 && !is_stopword(token)
}

fn is_stopword(token: &str) -> bool {
    // Every stopword is at most five bytes; most tokens skip the list.
    token.len() <= 5 && STOP_KEYS.binary_search(&pack(token.as_bytes())).is_ok()
}

/// Calls `f` with each token of `text`, reusing one buffer: indexing ten thousand digests
/// tokenises tens of millions of words, so no token is allocated here.
pub fn each_token(text: &str, f: &mut dyn FnMut(&str)) {
    each_token_ref(text, &mut |t| f(t.as_str()));
}

// Bit flags, so a run's classes can be or-ed together and tested once for a capital.
const SEPARATOR: u8 = 0;
const LOWER_OR_DIGIT: u8 = 1;
const UPPER: u8 = 2 | LOWER_OR_DIGIT;

/// Each byte's class for the ASCII tokeniser: one load a byte where three range tests were
/// (the byte loop ran some twenty instructions a byte).
const ASCII_CLASS: [u8; 256] = {
    let mut t = [SEPARATOR; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_uppercase() {
            t[b] = UPPER;
        } else if c.is_ascii_alphanumeric() {
            t[b] = LOWER_OR_DIGIT;
        }
        b += 1;
    }
    t
};

/// A token as [`each_token_ref`] hands it out.
pub enum Token<'a, 'b> {
    /// A slice of the text itself: it was already in folded form.
    Text(&'a str),
    /// A folded copy in a buffer that the next token reuses.
    Folded(&'b str),
}

impl<'a> Token<'a, '_> {
    /// The token's text.
    pub fn as_str(&self) -> &str {
        match self {
            Token::Text(s) | Token::Folded(s) => s,
        }
    }

    /// The token as a key that outlives the call: borrowed from the text when it can be, so
    /// most of a document's distinct terms cost no allocation.
    pub fn to_cow(&self) -> Cow<'a, str> {
        match *self {
            Token::Text(s) => Cow::Borrowed(s),
            Token::Folded(s) => Cow::Owned(s.to_string()),
        }
    }
}

/// [`each_token`], telling apart tokens that are slices of `text` (lower-case ASCII runs,
/// most of them) from folded copies.
pub fn each_token_ref<'a>(text: &'a str, f: &mut dyn FnMut(Token<'a, '_>)) {
    let mut cur = String::with_capacity(32);
    let emit = |cur: &mut String, f: &mut dyn FnMut(Token<'a, '_>)| {
        if !cur.is_empty() {
            if keep(cur) {
                f(Token::Folded(cur));
            }
            cur.clear();
        }
    };
    if text.is_ascii() {
        // Tokens are runs of letters and digits; a run without capitals is passed as it is.
        // Byte by byte: splitting on a char predicate decoded every character (a tenth of a
        // 10k build went to tokenising).
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            while i < bytes.len() && ASCII_CLASS[usize::from(bytes[i])] == SEPARATOR {
                i += 1;
            }
            let start = i;
            let mut classes = SEPARATOR;
            while i < bytes.len() {
                let class = ASCII_CLASS[usize::from(bytes[i])];
                if class == SEPARATOR {
                    break;
                }
                classes |= class;
                i += 1;
            }
            let upper = classes == UPPER;
            // ASCII text: every byte offset is a character boundary.
            let Some(run) = text.get(start..i).filter(|r| !r.is_empty()) else {
                continue;
            };
            if upper {
                cur.clear();
                cur.push_str(run);
                cur.make_ascii_lowercase();
                if keep_ascii(&cur) {
                    f(Token::Folded(&cur));
                }
            } else if keep_ascii(run) {
                f(Token::Text(run));
            }
        }
        return;
    }
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else {
            emit(&mut cur, f);
        }
    }
    emit(&mut cur, f);
}

/// The first two characters of a term (its dictionary key).
pub fn prefix2(term: &str) -> String {
    term.chars().take(2).collect()
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    docs: usize,
    post_chunks: u32,
    dict_chunks: u32,
    shows: Vec<&'a str>,
    concepts: Vec<&'a str>,
}

#[derive(Serialize)]
struct Meta<'a> {
    url: String,
    title: &'a str,
    show: Option<&'a str>,
    date: Option<String>,
    concepts: Vec<&'a str>,
    summary: &'a str,
    sections: Vec<MetaSection<'a>>,
}

#[derive(Serialize)]
struct MetaSection<'a> {
    heading: Option<&'a str>,
    id: Option<&'a str>,
    text: String,
}

/// One indexed document's fields (borrowed from the site where possible).
struct Doc<'a> {
    meta: Meta<'a>,
    fields: Vec<(f32, Cow<'a, str>)>,
}

const BOOST_TITLE: f32 = 3.0;
const BOOST_CONCEPTS: f32 = 2.5;
const BOOST_PEOPLE: f32 = 1.5;
const BOOST_SUMMARY: f32 = 1.5;
const BOOST_HEADING: f32 = 1.5;
const BOOST_BODY: f32 = 1.0;

/// Adds a body's headings and section texts to a document's fields.
fn add_sections<'a>(fields: &mut Vec<(f32, Cow<'a, str>)>, body: &'a Text) {
    for s in &body.sections {
        if let Some(h) = &s.heading {
            fields.push((BOOST_HEADING, h.as_str().into()));
        }
        fields.push((BOOST_BODY, s.text.as_str().into()));
    }
}

/// The sections kept for snippets, their text trimmed.
fn meta_sections(body: &Text) -> Vec<MetaSection<'_>> {
    body.sections
        .iter()
        .take(SECTIONS_KEPT)
        .map(|s| MetaSection {
            heading: s.heading.as_deref(),
            id: s.id.as_deref(),
            text: crate::text::truncate(&s.text, SECTION_TEXT),
        })
        .collect()
}

fn docs<'a>(site: &'a Site, bodies: &'a Texts) -> Vec<Doc<'a>> {
    let mut out: Vec<Doc<'a>> = site
        .episodes
        .par_iter()
        .enumerate()
        .map(|(i, e)| {
            let d = &e.digest;
            let body = &bodies.episodes[i];
            let show = e.show.map(|s| site.shows[s].name.as_str());
            let concepts: Vec<&str> = e
                .concepts
                .iter()
                .map(|c| site.concepts[c.concept].name.as_str())
                .collect();
            let mut fields: Vec<(f32, Cow<str>)> = vec![
                (BOOST_TITLE, d.title.as_str().into()),
                (BOOST_SUMMARY, d.summary.as_str().into()),
            ];
            fields.push((BOOST_CONCEPTS, concepts.join(" ").into()));
            for c in &e.concepts {
                if let Some(def) = &c.definition {
                    fields.push((BOOST_BODY, def.as_str().into()));
                }
            }
            let people: Vec<&str> = e
                .people
                .iter()
                .map(|&p| site.people[p].name.as_str())
                .collect();
            fields.push((
                BOOST_PEOPLE,
                format!("{} {}", show.unwrap_or(""), people.join(" ")).into(),
            ));
            add_sections(&mut fields, body);
            let sections = meta_sections(body);
            Doc {
                meta: Meta {
                    url: site.base.link(&e.path),
                    title: &d.title,
                    show,
                    date: Some(d.date.ymd()),
                    concepts,
                    summary: &d.summary,
                    sections,
                },
                fields,
            }
        })
        .collect();
    for (i, p) in site.pages.iter().enumerate() {
        let body = &bodies.pages[i];
        let mut fields: Vec<(f32, Cow<str>)> = vec![
            (BOOST_TITLE, p.title.as_str().into()),
            (BOOST_SUMMARY, p.description.as_str().into()),
        ];
        add_sections(&mut fields, body);
        let sections = meta_sections(body);
        out.push(Doc {
            meta: Meta {
                url: site.base.link(&crate::site::paths::page(&p.slug)),
                title: &p.title,
                show: None,
                date: p.date.as_ref().map(|d| d.ymd()),
                concepts: Vec::new(),
                summary: &p.description,
                sections,
            },
            fields,
        });
    }
    out
}

/// One document's distinct terms (of one shard) with their boosted frequencies; a term is
/// borrowed from the document's text unless folding changed it.
type DocTerms<'d> = Vec<(Cow<'d, str>, f32)>;

/// How many shards the postings are folded in (see [`index`]).
const SHARDS: usize = 4;

fn shard_of(term: &str) -> usize {
    fnv1a(term) as usize % SHARDS
}

/// The postings of the terms of one shard: an id per term, in order of first use, and per
/// id the documents (in order) with the term's boosted frequency.
#[derive(Default)]
struct Shard {
    term_ids: FnvMap<String, u32>,
    lists: Vec<Vec<(u32, f32)>>,
}

impl Shard {
    /// Adds a batch of documents numbered from `first_doc`: each one's terms of this shard.
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

/// Builds every file of the search index and nothing else (the page is a template).
pub fn index(site: &Site, bodies: &Texts) -> Vec<OutputFile> {
    let docs = docs(site, bodies);
    // Per document: boosted term frequencies and length, a batch of documents at a time,
    // each batch folded into one list per distinct term right away: holding every document's
    // term map at once took more memory than any other stage of a build.
    // Terms are split into shards by hash, each folded on its own thread: folding (a term
    // id lookup per distinct term of every document) was a serial fifth of this stage.
    let mut shards: Vec<Shard> = (0..SHARDS).map(|_| Shard::default()).collect();
    let mut lens: Vec<f32> = Vec::with_capacity(docs.len());
    for batch in docs.chunks(crate::render::PAGE_BATCH) {
        let first_doc = lens.len() as u32;
        let per_doc: Vec<(Vec<DocTerms>, f32)> = batch
            .par_iter()
            .map(|d| {
                // Keys borrow from the document where they can: allocating each distinct
                // term of every document was most of this stage's malloc and free.
                let mut tf: FnvMap<Cow<str>, f32> =
                    FnvMap::with_capacity_and_hasher(512, Default::default());
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
                let mut by_shard: Vec<DocTerms> = vec![Vec::new(); SHARDS];
                for (t, f) in tf {
                    by_shard[shard_of(&t)].push((t, f));
                }
                (by_shard, len)
            })
            .collect();
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
    }
    let mut terms: Vec<String> = Vec::new();
    let mut lists: Vec<Vec<(u32, f32)>> = Vec::new();
    for shard in shards {
        let base = terms.len();
        terms.resize(base + shard.lists.len(), String::new());
        for (t, id) in shard.term_ids {
            terms[base + id as usize] = t;
        }
        lists.extend(shard.lists);
    }
    let n = docs.len().max(1) as f32;
    let avgdl = (lens.iter().sum::<f32>() / n).max(1.0);
    // BM25 with k1 = 1.2, b = 0.75; the boosted tf already carries field weights.
    let (k1, b) = (1.2f32, 0.75f32);
    let mut postings: Vec<(&str, Vec<(u32, u32)>)> = terms
        .par_iter()
        .zip(lists.into_par_iter())
        .map(|(t, list)| {
            let dfv = list.len() as f32;
            let idf = ((n - dfv + 0.5) / (dfv + 0.5) + 1.0).ln();
            // Documents were added in id order, so each list is already sorted.
            let out: Vec<(u32, u32)> = list
                .into_iter()
                .map(|(doc, f)| {
                    let len = lens[doc as usize];
                    let w = idf * (f * (k1 + 1.0)) / (f + k1 * (1.0 - b + b * len / avgdl));
                    (doc, (w * 100.0).round().max(1.0) as u32)
                })
                .collect();
            (t.as_str(), out)
        })
        .collect();
    postings.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let total_bytes: usize = postings
        .iter()
        .map(|(t, l)| t.len() + 6 + l.len() * 9)
        .sum();
    let post_chunks = (total_bytes / POST_CHUNK_TARGET).max(1) as u32;
    let dict_bytes: usize = postings.iter().map(|(t, _)| t.len() + 8).sum();
    let dict_chunks = (dict_bytes / DICT_CHUNK_TARGET).max(1) as u32;
    let mut post_files: Vec<BTreeMap<&str, Vec<u32>>> = vec![BTreeMap::new(); post_chunks as usize];
    let mut dict_files: Vec<BTreeMap<&str, u32>> = vec![BTreeMap::new(); dict_chunks as usize];
    for (t, list) in postings {
        let flat: Vec<u32> = list.iter().flat_map(|&(d, w)| [d, w]).collect();
        post_files[(fnv1a(t) % post_chunks) as usize].insert(t, flat);
        dict_files[(fnv1a(&prefix2(t)) % dict_chunks) as usize].insert(t, list.len() as u32);
    }
    let mut files = Vec::new();
    let manifest = Manifest {
        version: VERSION,
        docs: docs.len(),
        post_chunks,
        dict_chunks,
        shows: site.shows.iter().map(|s| s.name.as_str()).collect(),
        concepts: site.concepts.iter().map(|c| c.name.as_str()).collect(),
    };
    files.push(OutputFile::bytes(
        index_file("manifest.json"),
        json(&manifest),
    ));
    files.extend(
        post_files
            .par_iter()
            .enumerate()
            .map(|(i, m)| OutputFile::bytes(index_file(&format!("p/{i}.json")), json(m)))
            .collect::<Vec<_>>(),
    );
    files.extend(
        dict_files
            .par_iter()
            .enumerate()
            .map(|(i, m)| OutputFile::bytes(index_file(&format!("d/{i}.json")), json(m)))
            .collect::<Vec<_>>(),
    );
    files.extend(
        docs.par_chunks(META_GROUP)
            .enumerate()
            .map(|(i, group)| {
                let metas: Vec<&Meta> = group.iter().map(|d| &d.meta).collect();
                OutputFile::bytes(index_file(&format!("m/{i}.json")), json(&metas))
            })
            .collect::<Vec<_>>(),
    );
    for (kind, letter) in [(TermKind::Show, 's'), (TermKind::Concept, 'c')] {
        for (i, t) in site.terms(kind).iter().enumerate() {
            // Episode indexes are document ids: episodes come first in `docs`.
            let mut ids: Vec<usize> = t.episodes.clone();
            ids.sort_unstable();
            files.push(OutputFile::bytes(
                index_file(&format!("f/{letter}{i}.json")),
                json(&ids),
            ));
        }
    }
    files
}

/// The output path of a file of the index (`p/0.json` → `search/p/0.json`).
fn index_file(rel: &str) -> String {
    format!("{}{rel}", crate::site::paths::SEARCH_DIR)
}

fn json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_case_and_accents_and_drop_stopwords() {
        assert_eq!(
            tokenize("Café ÉCONOMIE, the C++ crowd!"),
            ["cafe", "economie", "crowd"]
        );
        assert_eq!(tokenize("Naïve-Bayes 2024"), ["naive", "bayes", "2024"]);
        assert_eq!(tokenize("機械学習 と AI"), ["機械学習", "ai"]);
    }

    #[test]
    fn regression_one_character_non_ascii_tokens_were_kept() {
        // The byte-length fast path once kept "と" (3 bytes); the script drops it.
        assert_eq!(tokenize("と é 漢字"), ["漢字"]);
    }

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_KEYS.windows(2).all(|w| w[0] < w[1]));
        for w in STOPWORDS {
            assert!(!keep(w), "{w}");
        }
        for w in ["theory", "an0", "the1", "wit", "withs", "ai"] {
            assert!(keep(w), "{w}");
        }
    }

    #[test]
    fn ascii_runs_split_on_every_non_alphanumeric_byte() {
        assert_eq!(
            tokenize("--Rust's  BM25\tscore:x9 ok\n"),
            ["rust", "bm25", "score", "x9", "ok"]
        );
        assert_eq!(tokenize(""), Vec::<String>::new());
        assert_eq!(tokenize("!!"), Vec::<String>::new());
    }

    #[test]
    fn fnv_matches_known_values() {
        // Reference values of 32-bit FNV-1a.
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn prefix_is_two_characters() {
        assert_eq!(prefix2("économie"), "éc");
        assert_eq!(prefix2("x"), "x");
    }
}
