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

/// Documents by kind, in id order: episodes (oldest first), standalone pages, terms,
/// transcript blocks (in their episodes' order). Each kind has a range of ids of its own, as
/// long as the power of two at or above its span (at least [`GROUPS`]' group): a document
/// added to one kind moves no document of another, until a kind outgrows its range.
///
/// Episodes and transcript blocks are numbered by day ([`by_day`]): an id is the day of the
/// episode's date (in UTC, counted from 1970) times the slots a day has, plus the
/// document's place among that day's. So adding or removing a digest, of any date, moves
/// only the documents of its own day, and a deploy uploads only the index files that hold
/// it; the ids of all move only when the most digests on one day crosses a power of two.
pub struct Docs<'a> {
    /// What each document shows as a result, in id order.
    pub fragments: Vec<Fragment<'a>>,
    /// The documents after the episodes (pages, terms, transcript blocks), in id order:
    /// episodes' documents are made a batch at a time from their texts ([`episode`]), as
    /// their bodies are rendered, so no build holds every episode's text at once.
    pub others: Vec<Doc<'a>>,
    /// Each document's id, ascending.
    pub ids: Vec<u32>,
    /// Per kind (episodes, pages, terms, transcript blocks), its first id and its span: every
    /// id of the kind is below the first plus the span.
    pub kinds: [[u32; 2]; 4],
    /// Per episode (in the site's order), the ids of its transcript blocks (so a filter by
    /// show or concept keeps them).
    pub transcript_ids: Vec<std::ops::Range<u32>>,
}

/// Per kind (episodes, pages, terms, transcript blocks), how many ids share a fragment file
/// (`x/<id / group>`). An episode's fragment is only its URL, and episodes numbered by day
/// leave ids unused: 64 to a file keeps their files few and small.
pub const GROUPS: [u32; 4] = [64, 8, 8, 8];

/// The largest span a kind numbered by day may take; past it (a site with thousands of
/// digests on one day) its documents are numbered one after another instead. Four kinds of
/// this span, each rounded up to a power of two, stay below `u32::MAX`.
const MOST_BY_DAY: u64 = 1 << 28;

impl<'a> Docs<'a> {
    /// How many documents there are.
    pub fn len(&self) -> usize {
        self.fragments.len()
    }

    /// The id of the site's episode `i`.
    pub fn episode_id(&self, i: usize) -> u32 {
        // Episodes come first, oldest first; `transcript_ids` has one range per episode.
        let count = self.transcript_ids.len();
        self.ids.get(count - 1 - i).copied().unwrap_or(0)
    }

    /// The fragment file (`x/<n>`) of document `id`, and its place there: each kind's
    /// group ([`GROUPS`]) divides its range's start, so files never mix kinds.
    pub fn fragment_place(&self, id: u32) -> (u32, usize) {
        let kind = self
            .kinds
            .iter()
            .rposition(|&[first, _]| id >= first)
            .unwrap_or(0);
        let group = GROUPS[kind];
        (id / group, (id % group) as usize)
    }
}

/// The ids a kind spanning `span` ids reserves, at least `least`.
fn range_for(span: u32, least: u32) -> u32 {
    span.max(least).next_power_of_two()
}

/// The day of an episode's date, in UTC, counted from 1970-01-01 (earlier dates count as
/// that day).
fn day_of(e: &crate::site::Episode) -> u64 {
    e.digest
        .date
        .timestamp()
        .as_second()
        .div_euclid(86_400)
        .max(0)
        .unsigned_abs()
}

/// Ids within a kind for documents whose days (non-decreasing: documents oldest first) are
/// `days`: `day × slots + place`, where a day has as many slots as the power of two at or
/// above the most documents any day has, and `place` counts the day's documents in order.
/// One after another (`0, 1, 2…`) when that would pass [`MOST_BY_DAY`].
fn by_day(days: &[u64]) -> Vec<u32> {
    let (mut most, mut run) = (0u64, 0u64);
    for (k, d) in days.iter().enumerate() {
        run = if k > 0 && days[k - 1] == *d {
            run + 1
        } else {
            1
        };
        most = most.max(run);
    }
    let shift = most.max(1).next_power_of_two().trailing_zeros();
    let last = days.last().copied().unwrap_or(0);
    let fits = last
        .checked_add(1)
        .and_then(|n| n.checked_shl(shift))
        .is_some_and(|span| span <= MOST_BY_DAY && last < MOST_BY_DAY);
    if !fits {
        return (0..days.len() as u32).collect();
    }
    let mut place = 0u64;
    days.iter()
        .enumerate()
        .map(|(k, &d)| {
            place = if k > 0 && days[k - 1] == d {
                place + 1
            } else {
                0
            };
            ((d << shift) + place) as u32
        })
        .collect()
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

/// A result as the browser shows it (in `x/<n>.json.gz`). Short keys: there is one per
/// document. Hashed for the fingerprint of the file holding it (its JSON is a function of
/// its values), so that a file of unchanged results is kept without being written out.
#[derive(Serialize, Hash)]
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
    // Made in parallel, as the transcripts' blocks below: collecting every document was a
    // third of what a build after one edit spent on the index, on one core.
    let mut fragments: Vec<Fragment<'a>> = (0..count)
        .into_par_iter()
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
    // Oldest first, each episode's blocks made apart.
    let blocks: Vec<Vec<Made<'a>>> = (0..count)
        .into_par_iter()
        .rev()
        .map(|i| transcript_blocks(site, i))
        .collect();
    let mut transcript_at = vec![0..0; count];
    for (k, mut made) in blocks.into_iter().enumerate() {
        let i = count - 1 - k;
        // Positions count the episodes, which come first.
        let first = (count + all.len()) as u32;
        // Within an episode the later blocks take the lower ids: with episodes oldest
        // first, "highest id first" lists the newest episode's blocks in cue order.
        made.reverse();
        all.append(&mut made);
        transcript_at[i] = first..(count + all.len()) as u32;
    }
    kinds[3] = count + all.len() - kinds[0] - kinds[1] - kinds[2];
    // Each kind's ids from 0, then moved to the start of the kind's own range.
    let oldest_first: Vec<u64> = (0..count)
        .rev()
        .map(|i| day_of(&site.episodes[i]))
        .collect();
    let block_days: Vec<u64> = (0..count)
        .rev()
        .flat_map(|i| {
            let day = oldest_first[count - 1 - i];
            transcript_at[i].clone().map(move |_| day)
        })
        .collect();
    let local: [Vec<u32>; 4] = [
        by_day(&oldest_first),
        (0..kinds[1] as u32).collect(),
        (0..kinds[2] as u32).collect(),
        by_day(&block_days),
    ];
    let mut ranges = [[0u32; 2]; 4];
    let mut ids = Vec::with_capacity(count + all.len());
    let mut start = 0u32;
    for (k, local) in local.iter().enumerate() {
        let span = local.last().map_or(0, |l| l + 1);
        ranges[k] = [start, span];
        ids.extend(local.iter().map(|l| start + l));
        start = start.saturating_add(range_for(span, GROUPS[k].max(8)));
    }
    // Positions to ids: a block's position is its place among all documents.
    let transcript_ids = transcript_at
        .into_iter()
        .map(|r| match (ids.get(r.start as usize), r.is_empty()) {
            (Some(&first), false) => first..first + (r.end - r.start),
            _ => 0..0,
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

/// The documents of episode `i`'s transcript, a block of cues each, in cue order (none
/// without a transcript).
fn transcript_blocks<'a>(site: &'a Site, i: usize) -> Vec<Made<'a>> {
    let e = &site.episodes[i];
    let mut all = Vec::new();
    let (Some(t), Some(page)) = (&e.digest.transcript_data, e.transcript_page_path()) else {
        return all;
    };
    let u = site.base.link(&page);
    let show = e.show.map(|s| site.shows[s].name.as_str());
    let mut block: Vec<(usize, Option<u64>, &'a str)> = Vec::new();
    let mut chars = 0;
    let flush = |block: &mut Vec<(usize, Option<u64>, &'a str)>, all: &mut Vec<Made<'a>>| {
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
    all
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
        if let Some(def) = c.definition(&e.digest) {
            fields.push((BOOST_BODY, def.into()));
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
    fn documents_are_numbered_by_day_and_a_removal_moves_only_its_day() {
        // Two a day at most: two slots a day.
        assert_eq!(by_day(&[5, 5, 6, 6, 9]), [10, 11, 12, 13, 18]);
        // One of day 6 gone: days 5 and 9 keep their ids.
        assert_eq!(by_day(&[5, 5, 6, 9]), [10, 11, 12, 18]);
        // One added to day 2, before all: no other id moves.
        assert_eq!(by_day(&[2, 5, 5, 6, 9]), [4, 10, 11, 12, 18]);
        // Three on one day: four slots a day, every id moves (the count crossed a power
        // of two).
        assert_eq!(by_day(&[5, 5, 5, 9]), [20, 21, 22, 36]);
        assert_eq!(by_day(&[]), Vec::<u32>::new());
        assert_eq!(by_day(&[0]), [0]);
    }

    #[test]
    fn numbering_by_day_that_would_not_fit_numbers_one_after_another() {
        assert_eq!(by_day(&[3, MOST_BY_DAY]), [0, 1]);
        // 2^16 on one day, from day 2^12: 2^28 and more.
        let mut days = vec![1u64 << 12; 1 << 16];
        days.push((1 << 12) + 1);
        let ids = by_day(&days);
        assert_eq!(ids.last().copied(), Some(1 << 16));
        assert!(ids.windows(2).all(|w| w[0] + 1 == w[1]));
    }

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
