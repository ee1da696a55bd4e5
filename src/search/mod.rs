//! Static search (SPEC §8): an index written at build time in chunks, so the browser fetches
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
//! - `m/<doc>.json` — one document's metadata for showing a result: `{url, title, show, date,
//!   concepts, summary, sections: [{heading, id, text}]}` (text trimmed).
//! - `f/s<i>.json`, `f/c<i>.json` — doc ids of show `i` / concept `i` of the manifest lists,
//!   fetched only when that filter is chosen.
//!
//! Tokens are NFD-decomposed, stripped of combining marks, lowercased and split on anything
//! that is not a letter or digit; the script in `themes/default/static/search.js` does the
//! same, so matching is case- and accent-insensitive.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::output::OutputFile;
use crate::render::Bodies;
use crate::site::{Site, TermKind};

/// Index format version, in the manifest.
pub const VERSION: u32 = 1;
/// Target size of one postings chunk, in bytes.
const POST_CHUNK_TARGET: usize = 24 * 1024;
/// Target size of one dictionary chunk, in bytes.
const DICT_CHUNK_TARGET: usize = 16 * 1024;
/// Characters of section text kept per section for snippets.
const SECTION_TEXT: usize = 700;

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
    let mut cur = String::new();
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.retain(|t| t.chars().count() >= 2 && !STOPWORDS.contains(&t.as_str()));
    out
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

/// One indexed document's fields.
struct Doc<'a> {
    meta: Meta<'a>,
    fields: Vec<(f32, String)>,
}

const BOOST_TITLE: f32 = 3.0;
const BOOST_CONCEPTS: f32 = 2.5;
const BOOST_PEOPLE: f32 = 1.5;
const BOOST_SUMMARY: f32 = 1.5;
const BOOST_HEADING: f32 = 1.5;
const BOOST_BODY: f32 = 1.0;

fn trim_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    if let Some(i) = out.rfind(' ') {
        out.truncate(i);
    }
    out.push('…');
    out
}

fn docs<'a>(site: &'a Site, bodies: &'a Bodies) -> Vec<Doc<'a>> {
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
            let mut fields = vec![
                (BOOST_TITLE, d.title.clone()),
                (BOOST_SUMMARY, d.summary.clone()),
            ];
            fields.push((BOOST_CONCEPTS, concepts.join(" ")));
            for c in &e.concepts {
                if let Some(def) = &c.definition {
                    fields.push((BOOST_BODY, def.clone()));
                }
            }
            let people: Vec<&str> = e
                .people
                .iter()
                .map(|&p| site.people[p].name.as_str())
                .collect();
            fields.push((
                BOOST_PEOPLE,
                format!("{} {}", show.unwrap_or(""), people.join(" ")),
            ));
            for s in &body.sections {
                if let Some(h) = &s.heading {
                    fields.push((BOOST_HEADING, h.clone()));
                }
                fields.push((BOOST_BODY, s.text.clone()));
            }
            let sections = body
                .sections
                .iter()
                .map(|s| MetaSection {
                    heading: s.heading.as_deref(),
                    id: s.id.as_deref(),
                    text: trim_chars(&s.text, SECTION_TEXT),
                })
                .collect();
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
        let mut fields = vec![
            (BOOST_TITLE, p.title.clone()),
            (BOOST_SUMMARY, p.description.clone()),
        ];
        for s in &body.sections {
            if let Some(h) = &s.heading {
                fields.push((BOOST_HEADING, h.clone()));
            }
            fields.push((BOOST_BODY, s.text.clone()));
        }
        let sections = body
            .sections
            .iter()
            .map(|s| MetaSection {
                heading: s.heading.as_deref(),
                id: s.id.as_deref(),
                text: trim_chars(&s.text, SECTION_TEXT),
            })
            .collect();
        out.push(Doc {
            meta: Meta {
                url: site.base.link(&format!("{}/", p.slug)),
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

/// Builds every file of the search index and nothing else (the page is a template).
pub fn index(site: &Site, bodies: &Bodies) -> Vec<OutputFile> {
    let docs = docs(site, bodies);
    // Per document: boosted term frequencies and boosted length.
    let per_doc: Vec<(HashMap<String, f32>, f32)> = docs
        .par_iter()
        .map(|d| {
            let mut tf: HashMap<String, f32> = HashMap::new();
            let mut len = 0.0;
            for (boost, text) in &d.fields {
                for t in tokenize(text) {
                    *tf.entry(t).or_insert(0.0) += boost;
                    len += 1.0;
                }
            }
            (tf, len)
        })
        .collect();
    let n = docs.len().max(1) as f32;
    let avgdl = (per_doc.iter().map(|(_, l)| *l).sum::<f32>() / n).max(1.0);
    let mut df: HashMap<&str, u32> = HashMap::new();
    for (tf, _) in &per_doc {
        for t in tf.keys() {
            *df.entry(t.as_str()).or_insert(0) += 1;
        }
    }
    // BM25 with k1 = 1.2, b = 0.75; the boosted tf already carries field weights.
    let (k1, b) = (1.2f32, 0.75f32);
    let mut postings: BTreeMap<&str, Vec<(u32, u32)>> = BTreeMap::new();
    for (doc, (tf, len)) in per_doc.iter().enumerate() {
        for (t, f) in tf {
            let dfv = df.get(t.as_str()).copied().unwrap_or(1) as f32;
            let idf = ((n - dfv + 0.5) / (dfv + 0.5) + 1.0).ln();
            let w = idf * (f * (k1 + 1.0)) / (f + k1 * (1.0 - b + b * len / avgdl));
            let q = (w * 100.0).round().max(1.0) as u32;
            postings
                .entry(t.as_str())
                .or_default()
                .push((doc as u32, q));
        }
    }
    for list in postings.values_mut() {
        list.sort_unstable();
    }
    let total_bytes: usize = postings
        .iter()
        .map(|(t, l)| t.len() + 6 + l.len() * 9)
        .sum();
    let post_chunks = (total_bytes / POST_CHUNK_TARGET).max(1) as u32;
    let dict_bytes: usize = postings.keys().map(|t| t.len() + 8).sum();
    let dict_chunks = (dict_bytes / DICT_CHUNK_TARGET).max(1) as u32;
    let mut post_files: Vec<BTreeMap<&str, Vec<u32>>> = vec![BTreeMap::new(); post_chunks as usize];
    let mut dict_files: Vec<BTreeMap<&str, u32>> = vec![BTreeMap::new(); dict_chunks as usize];
    for (t, list) in &postings {
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
    files.push(OutputFile::bytes("search/manifest.json", json(&manifest)));
    files.extend(
        post_files
            .par_iter()
            .enumerate()
            .map(|(i, m)| OutputFile::bytes(format!("search/p/{i}.json"), json(m)))
            .collect::<Vec<_>>(),
    );
    files.extend(
        dict_files
            .par_iter()
            .enumerate()
            .map(|(i, m)| OutputFile::bytes(format!("search/d/{i}.json"), json(m)))
            .collect::<Vec<_>>(),
    );
    files.extend(
        docs.par_iter()
            .enumerate()
            .map(|(i, d)| OutputFile::bytes(format!("search/m/{i}.json"), json(&d.meta)))
            .collect::<Vec<_>>(),
    );
    for (kind, letter) in [(TermKind::Show, 's'), (TermKind::Concept, 'c')] {
        for (i, t) in site.terms(kind).iter().enumerate() {
            // Episode indexes are document ids: episodes come first in `docs`.
            let mut ids: Vec<usize> = t.episodes.clone();
            ids.sort_unstable();
            files.push(OutputFile::bytes(
                format!("search/f/{letter}{i}.json"),
                json(&ids),
            ));
        }
    }
    files
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
