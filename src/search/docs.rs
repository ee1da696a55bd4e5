//! What the search indexes: one document per episode and standalone page, one per concept,
//! show and person (found by name or alias), and one per block of transcript cues. Each
//! document has weighted fields to index and a fragment: what the browser shows for it as a
//! result, eight documents to a file. An episode's fragment is only its URL: its
//! `digest.json` (written anyway, beside the page) has the title, show, date, concepts,
//! summary and the sections a snippet comes from. Copying those into the index cost as much
//! as the rest of it at 10k digests (94 MB to serialise and compress, 16,000 files).

use std::borrow::Cow;

use rayon::prelude::*;
use serde::Serialize;

use super::tokens::{fold, tokenize};
use std::sync::Arc;

use crate::bodies::Text;
use crate::site::{Site, TermKind, paths};

const BOOST_TITLE: f32 = 3.0;
const BOOST_CONCEPTS: f32 = 2.5;
const BOOST_PEOPLE: f32 = 1.5;
const BOOST_SUMMARY: f32 = 1.5;
const BOOST_HEADING: f32 = 1.5;
const BOOST_BODY: f32 = 1.0;
/// Transcript words weigh less than the digest's own: a digest says what matters.
const BOOST_TRANSCRIPT: f32 = 0.6;

/// Characters of cue text per transcript document: a block is one result and one fetch.
const TRANSCRIPT_BLOCK: usize = 1200;

/// Documents by kind, in id order: episodes (oldest first, so a new digest, usually the
/// newest, takes the next id and moves no other), standalone pages, terms, transcript
/// blocks (in their episodes' order). Each kind has a range of ids of its own, as long as
/// the power of two at or above its count (at least 8): a document added to one kind moves
/// no document of another, until a kind outgrows its range.
pub struct Docs<'a> {
    /// What each document shows as a result, in id order.
    pub fragments: Vec<Fragment<'a>>,
    /// The documents after the episodes (pages, terms, transcript blocks), in id order:
    /// episodes' documents are made a batch at a time from their texts ([`episode`]), as
    /// their bodies are rendered, so no build holds every episode's text at once.
    pub others: Vec<Doc<'a>>,
    /// Each document's id, ascending.
    pub ids: Vec<u32>,
    /// Per kind (episodes, pages, terms, transcript blocks), its first id and its count.
    pub kinds: [[u32; 2]; 4],
    /// Per episode (in the site's order), the ids of its transcript blocks (so a filter by
    /// show or concept keeps them).
    pub transcript_ids: Vec<std::ops::Range<u32>>,
}

impl<'a> Docs<'a> {
    /// How many documents there are.
    pub fn len(&self) -> usize {
        self.fragments.len()
    }

    /// The id of the site's episode `i`.
    pub fn episode_id(&self, i: usize) -> u32 {
        let count = self.kinds[0][1] as usize;
        self.kinds[0][0] + (count - 1 - i) as u32
    }
}

/// The ids a kind of `count` documents reserves.
fn range_for(count: usize) -> u32 {
    count.max(8).next_power_of_two() as u32
}

/// One indexed document.
pub struct Doc<'a> {
    /// Texts to index, each with its weight.
    pub fields: Vec<(f32, Cow<'a, str>)>,
    /// Exact-name keys (`=c++`) with their weight: names that words alone cannot find.
    pub names: Vec<(f32, String)>,
    /// An episode's body, counted apart from the fields so that its counts can be kept
    /// for the next build (`kept`).
    pub body: Option<Body<'a>>,
}

/// An episode body as its document counts it.
pub enum Body<'a> {
    /// The body's text, with its key (`bodies::episode_key`), to count.
    Text(u64, &'a Text),
    /// The body's words as a previous build counted them, with its key.
    Counted(u64, super::kept::Part<'a>),
}

/// A document with what it shows as a result, as the collection makes it.
struct Made<'a> {
    doc: Doc<'a>,
    fragment: Fragment<'a>,
}

/// A result as the browser shows it (`x/<id>.json`). Short keys: there is one per document.
#[derive(Serialize)]
#[serde(tag = "k")]
pub enum Fragment<'a> {
    /// An episode: everything a result shows is in its `digest.json`, beside the page
    /// (`<u>digest.json`: title, show, date, concepts, summary, sections).
    #[serde(rename = "e")]
    Episode {
        /// URL of the page.
        u: String,
    },
    /// A standalone page.
    #[serde(rename = "p")]
    Page {
        /// URL.
        u: String,
        /// Title.
        t: &'a str,
        /// Date, `YYYY-MM-DD`.
        #[serde(skip_serializing_if = "Option::is_none")]
        d: Option<String>,
        /// Description.
        y: &'a str,
        /// Sections: `[heading, id, text]`, whole so a snippet can come from anywhere.
        x: Sections<'a>,
    },
    /// A concept, show or person.
    #[serde(rename = "t")]
    Term {
        /// `concept`, `show` or `person`.
        w: &'static str,
        /// Name.
        n: &'a str,
        /// URL.
        u: String,
        /// Episodes.
        c: usize,
        /// One line of definition or description.
        #[serde(skip_serializing_if = "str::is_empty")]
        y: String,
    },
    /// A block of transcript cues.
    #[serde(rename = "x")]
    Transcript {
        /// URL of the transcript page.
        u: String,
        /// Episode title.
        t: &'a str,
        /// Show name.
        #[serde(skip_serializing_if = "Option::is_none")]
        s: Option<&'a str>,
        /// Date.
        d: String,
        /// Cues: `[number, start seconds, text]` (the cue's anchor is `t<number>`).
        q: Vec<(usize, Option<u64>, &'a str)>,
    },
}

/// Sections as `[heading, id, text]`.
pub type Sections<'a> = Vec<(Option<&'a str>, Option<&'a str>, &'a str)>;

/// What every document naming a term adds: its other names that search differently, and
/// its exact-name keys. Made once per term (each is named by hundreds of episodes).
/// Owned, so an index being counted does not borrow the site (a build frees the digests'
/// Markdown while it counts).
pub struct TermWords {
    aliases: Vec<String>,
    keys: Vec<String>,
}

/// Per term kind, each term's [`TermWords`].
pub type AllTermWords = [Vec<TermWords>; 3];

/// Each term's other names and exact-name keys.
pub fn term_words(site: &Site) -> AllTermWords {
    TermKind::ALL.map(|kind| {
        site.terms(kind)
            .par_iter()
            .map(|t| TermWords {
                aliases: aliases(&t.name, &t.other_names)
                    .map(str::to_string)
                    .collect(),
                keys: name_keys(&t.name, &t.other_names),
            })
            .collect()
    })
}

/// Every document of the site but the episodes' (see [`episode`]).
pub fn collect<'a>(site: &'a Site, words: &'a AllTermWords, pages: &'a [Arc<Text>]) -> Docs<'a> {
    let count = site.episodes.len();
    let mut fragments: Vec<Fragment<'a>> = (0..count)
        .map(|k| Fragment::Episode {
            u: site.base.link(&site.episodes[count - 1 - k].path),
        })
        .collect();
    let mut all: Vec<Made<'a>> = Vec::new();
    for (i, p) in site.pages.iter().enumerate() {
        let Some(body) = pages.get(i) else { continue };
        let mut fields: Vec<(f32, Cow<str>)> = vec![
            (BOOST_TITLE, p.title.as_str().into()),
            (BOOST_SUMMARY, p.description.as_str().into()),
        ];
        add_sections(&mut fields, body);
        all.push(Made {
            doc: Doc {
                fields,
                names: Vec::new(),
                body: None,
            },
            fragment: Fragment::Page {
                u: site.base.link(&paths::page(&p.slug)),
                t: &p.title,
                d: p.date.as_ref().map(|d| d.ymd()),
                y: &p.description,
                x: sections(body),
            },
        });
    }
    let mut kinds = [site.episodes.len(), site.pages.len(), 0, 0];
    for (k, kind) in TermKind::ALL.into_iter().enumerate() {
        for (i, t) in site.terms(kind).iter().enumerate() {
            let w = &words[k][i];
            let mut fields: Vec<(f32, Cow<str>)> = vec![(BOOST_TITLE, t.name.as_str().into())];
            fields.extend(w.aliases.iter().map(|a| (BOOST_TITLE, a.as_str().into())));
            all.push(Made {
                doc: Doc {
                    fields,
                    names: w.keys.iter().map(|k| (BOOST_TITLE, k.clone())).collect(),
                    body: None,
                },
                fragment: Fragment::Term {
                    w: kind.singular(),
                    n: &t.name,
                    u: site.base.link(&t.path()),
                    c: t.episodes.len(),
                    y: site.one_line(kind, i),
                },
            });
            kinds[2] += 1;
        }
    }
    let mut transcript_at = vec![0..0; count];
    for i in (0..count).rev() {
        let e = &site.episodes[i];
        // Positions count the episodes, which come first.
        let first = (count + all.len()) as u32;
        if let (Some(t), Some(page)) = (&e.digest.transcript_data, e.transcript_page_path()) {
            let u = site.base.link(&page);
            let show = e.show.map(|s| site.shows[s].name.as_str());
            let mut block: Vec<(usize, Option<u64>, &str)> = Vec::new();
            let mut chars = 0;
            let flush = |block: &mut Vec<(usize, Option<u64>, &'a str)>,
                         all: &mut Vec<Made<'a>>| {
                if block.is_empty() {
                    return;
                }
                let text: String = block.iter().map(|c| c.2).collect::<Vec<_>>().join("\n");
                all.push(Made {
                    doc: Doc {
                        fields: vec![(BOOST_TRANSCRIPT, text.into())],
                        names: Vec::new(),
                        body: None,
                    },
                    fragment: Fragment::Transcript {
                        u: u.clone(),
                        t: &e.digest.title,
                        s: show,
                        d: e.digest.date.ymd(),
                        q: std::mem::take(block),
                    },
                });
            };
            for (n, c) in t.cues.iter().enumerate() {
                block.push((n + 1, c.start.map(|s| s.floor() as u64), c.text.as_str()));
                chars += c.text.len();
                if chars >= TRANSCRIPT_BLOCK {
                    flush(&mut block, &mut all);
                    chars = 0;
                }
            }
            flush(&mut block, &mut all);
            // Within an episode the later blocks take the lower ids: with episodes oldest
            // first, "highest id first" lists the newest episode's blocks in cue order.
            all[first as usize - count..].reverse();
        }
        transcript_at[i] = first..(count + all.len()) as u32;
    }
    kinds[3] = count + all.len() - kinds[0] - kinds[1] - kinds[2];
    // Positions to ids: each kind at the start of its own range.
    let mut ranges = [[0u32; 2]; 4];
    let mut ids = Vec::with_capacity(count + all.len());
    let mut start = 0u32;
    for (k, &n) in kinds.iter().enumerate() {
        ranges[k] = [start, n as u32];
        ids.extend((0..n as u32).map(|o| start + o));
        start += range_for(n);
    }
    let block_base = ranges[3][0];
    let first_block = (kinds[0] + kinds[1] + kinds[2]) as u32;
    let transcript_ids = transcript_at
        .into_iter()
        .map(|r| {
            (r.start.max(first_block) - first_block + block_base)
                ..(r.end.max(first_block) - first_block + block_base)
        })
        .collect();
    let mut others = Vec::with_capacity(all.len());
    for m in all {
        others.push(m.doc);
        fragments.push(m.fragment);
    }
    Docs {
        fragments,
        others,
        ids,
        kinds: ranges,
        transcript_ids,
    }
}

/// The document of the site's episode `i`, with its body.
pub fn episode<'b>(site: &'b Site, words: &'b AllTermWords, i: usize, body: Body<'b>) -> Doc<'b> {
    let e = &site.episodes[i];
    let d = &e.digest;
    let mut fields: Vec<(f32, Cow<str>)> = vec![
        (BOOST_TITLE, d.title.as_str().into()),
        (BOOST_SUMMARY, d.summary.as_str().into()),
    ];
    let mut names: Vec<(f32, String)> = Vec::new();
    // Names with their aliases: a reader who types the alias means the concept.
    let mut named = |boost: f32, t: &'b crate::site::Term, w: &'b TermWords| {
        fields.push((boost, t.name.as_str().into()));
        fields.extend(w.aliases.iter().map(|a| (boost, a.as_str().into())));
        names.extend(w.keys.iter().map(|k| (boost, k.clone())));
    };
    let [cw, sw, pw] = words;
    for c in &e.concepts {
        named(BOOST_CONCEPTS, &site.concepts[c.concept], &cw[c.concept]);
    }
    if let Some(s) = e.show {
        named(BOOST_PEOPLE, &site.shows[s], &sw[s]);
    }
    for &p in &e.people {
        named(BOOST_PEOPLE, &site.people[p], &pw[p]);
    }
    for c in &e.concepts {
        if let Some(def) = &c.definition {
            fields.push((BOOST_BODY, def.as_str().into()));
        }
    }
    Doc {
        fields,
        names,
        body: Some(body),
    }
}

/// The fields of an episode's body: headings and text.
pub fn body_fields(body: &Text) -> impl Iterator<Item = (f32, &str)> {
    body.sections.iter().flat_map(|s| {
        let heading = s.heading.as_deref().map(|h| (BOOST_HEADING, h));
        heading.into_iter().chain([(BOOST_BODY, s.text.as_str())])
    })
}

/// A term's other names that search differently from its name (not mere case variants).
fn aliases<'t>(name: &str, others: &'t [String]) -> impl Iterator<Item = &'t str> {
    let own = tokenize(name);
    others
        .iter()
        .filter(move |o| tokenize(o) != own)
        .map(String::as_str)
}

/// What starts an exact-name key; no word does (a token is letters and digits).
const NAME_KEY: char = '=';

/// The exact-name key of a name that its words do not find: `C`, `C++`, `.NET`, `401(k)`
/// (one letter, symbols, or stopwords only). `None` when the words suffice.
pub fn name_key(name: &str) -> Option<String> {
    let folded = fold(name);
    (!folded.is_empty() && tokenize(name).join(" ") != folded)
        .then(|| format!("{NAME_KEY}{folded}"))
}

/// Whether an index term is an exact-name key rather than a word's stem: it is neither
/// stemmed, nor in the prefix dictionary, nor a typo's correction.
pub fn is_name_key(term: &str) -> bool {
    term.starts_with(NAME_KEY)
}

fn name_keys(name: &str, others: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = std::iter::once(name)
        .chain(others.iter().map(String::as_str))
        .filter_map(name_key)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// A body's headings and section texts as fields.
fn add_sections<'a>(fields: &mut Vec<(f32, Cow<'a, str>)>, body: &'a Text) {
    fields.extend(body_fields(body).map(|(boost, text)| (boost, text.into())));
}

fn sections(body: &Text) -> Sections<'_> {
    body.sections
        .iter()
        .filter(|s| s.heading.is_some() || !s.text.is_empty())
        .map(|s| (s.heading.as_deref(), s.id.as_deref(), s.text.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_words_cannot_find_get_a_key() {
        for (name, key) in [
            ("C", "=c"),
            ("C++", "=c++"),
            ("C#", "=c#"),
            ("R", "=r"),
            (".NET", "=.net"),
            ("F#", "=f#"),
            ("401(k)", "=401(k)"),
        ] {
            assert_eq!(name_key(name).as_deref(), Some(key), "{name}");
        }
        for name in ["AI", "Platform Risk", "Large  Language Model", "Économie"] {
            assert_eq!(name_key(name), None, "{name}");
        }
    }
}
