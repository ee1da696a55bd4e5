//! The static search index, read back the way the browser reads it: a small query engine
//! over the built files (exact stems, typo keys, exact-name keys, all words required) answers
//! every row of the search issue's table on the demo and the tricky fixture. Also: files sit
//! in the chunks their hash names, title matches weigh more than body matches, filters list
//! the right documents, and `search: false` turns it all off. The browser's own answers are
//! checked in `tests/browser/search.test.mjs`.

mod common;

use castdown::search::{Stemmer, fnv1a, fuzzy, name_key, prefix2, tokenize};
use common::{Site, digest};
use serde_json::Value;

fn json(site: &Site, rel: &str) -> Value {
    serde_json::from_str(&site.read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// An index file: gzip-compressed JSON (`rel` without `.json.gz`).
fn gz(site: &Site, rel: &str) -> Value {
    let path = site.public().join(format!("{rel}.json.gz"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = common::gunzip(&bytes)
        .unwrap_or_else(|| panic!("{}: not gzip-compressed text", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A built site's search index.
struct Index<'s> {
    site: &'s Site,
    manifest: Value,
    stemmer: Stemmer,
}

impl<'s> Index<'s> {
    fn of(site: &'s Site) -> Index<'s> {
        let manifest = json(site, "search/manifest.json");
        assert_eq!(manifest["version"], 5);
        let stemmer = Stemmer::for_language(if manifest["stemmer"] == "english" {
            "en"
        } else {
            ""
        });
        Index {
            site,
            manifest,
            stemmer,
        }
    }

    fn chunks(&self, key: &str) -> u32 {
        self.manifest[key].as_u64().unwrap_or(1) as u32
    }

    fn post_chunk(&self, term: &str) -> Value {
        gz(
            self.site,
            &format!("search/p/{}", fnv1a(term) % self.chunks("post_chunks")),
        )
    }

    /// `(doc, weight)` of a stem or name key: the list's term-frequency weights times the
    /// stem's IDF, as the script computes it.
    fn postings(&self, term: &str) -> Vec<(u64, u64)> {
        let chunk = self.post_chunk(term);
        let list = match chunk["b"][term].as_str() {
            Some(own) => gz(self.site, &format!("search/p/b{own}")),
            None => chunk["t"][term].clone(),
        };
        let flat: Vec<u64> = list
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        let docs = self.manifest["docs"].as_f64().unwrap_or(1.0);
        let df = (flat.len() / 2) as f64;
        let idf = ((docs - df + 0.5) / (df + 0.5) + 1.0).ln();
        let mut doc = 0;
        flat.chunks(2)
            .map(|p| {
                doc += p[0];
                (doc, ((idf * p[1] as f64).round() as u64).max(1))
            })
            .collect()
    }

    /// The word a stem is shown as.
    fn surface(&self, stem: &str) -> String {
        self.post_chunk(stem)["s"][stem]
            .as_str()
            .unwrap_or(stem)
            .to_string()
    }

    /// Stems within the forgiven distance of a typed word, from the typo key files.
    fn near(&self, word: &str) -> Vec<String> {
        let stem = self.stemmer.stem(word).into_owned();
        let k = fuzzy::max_edits(word.chars().count());
        let mut out: Vec<String> = Vec::new();
        for key in fuzzy::keys(&stem, k) {
            let chunk = gz(
                self.site,
                &format!("search/k/{}", fnv1a(&key) % self.chunks("key_chunks")),
            );
            for t in chunk[&key].as_array().into_iter().flatten() {
                let t = t.as_str().unwrap_or_default().to_string();
                if t != stem && fuzzy::distance(&stem, &t) <= k && !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        out.sort();
        out
    }

    /// What a result shows: its fragment, and for an episode its `digest.json` too (title
    /// as `t`, as the script reads it).
    fn fragment(&self, id: u64) -> Value {
        // A kind's group of ids to a file (`groups` in the manifest).
        let group = self.manifest["groups"][self.kind(id) as usize]
            .as_u64()
            .unwrap_or(8);
        let mut f =
            gz(self.site, &format!("search/x/{}", id / group))[(id % group) as usize].clone();
        if f["k"] == "e" {
            let u = f["u"].as_str().unwrap_or_default();
            let page = &u[u.find("episodes/").unwrap_or(0)..];
            let data = json(self.site, &format!("{page}digest.json"));
            f["t"] = data["title"].clone();
            f["d"] = Value::from(data["date"].as_str().unwrap_or_default().get(..10));
            f["data"] = data;
        }
        f
    }

    /// The kind of a document id: 0 episodes, 1 pages, 2 terms, 3 transcript blocks (each
    /// kind has its own range, `[first, count]`).
    fn kind(&self, id: u64) -> u64 {
        (0..4u64)
            .find(|&k| {
                let r = &self.manifest["kinds"][k as usize];
                let first = r[0].as_u64().unwrap_or(0);
                (first..first + r[1].as_u64().unwrap_or(0)).contains(&id)
            })
            .unwrap_or(4)
    }

    fn is_term(&self, id: u64) -> bool {
        self.kind(id) == 2
    }

    /// Equal scores, as the script orders them: by kind, the newest episode (and its
    /// transcript) first (episodes are numbered oldest first), pages and terms in order.
    fn tie(&self, a: u64, b: u64) -> std::cmp::Ordering {
        let (ka, kb) = (self.kind(a), self.kind(b));
        ka.cmp(&kb).then(if ka == 0 || ka == 3 {
            b.cmp(&a)
        } else {
            a.cmp(&b)
        })
    }

    /// Document ids matching every word of `q` (exactly, by stem, by exact name, or within
    /// the forgiven typos), best first: fewer corrected words, then higher score, then newer.
    fn query(&self, q: &str) -> Vec<u64> {
        use std::collections::HashMap;
        let mut groups: Vec<HashMap<u64, (u64, bool)>> = Vec::new();
        for word in q.split_whitespace() {
            if let Some(key) = name_key(word) {
                let p = self.postings(&key);
                if !p.is_empty() {
                    groups.push(p.into_iter().map(|(d, w)| (d, (w, false))).collect());
                    continue;
                }
            }
            for t in tokenize(word) {
                let stem = self.stemmer.stem(&t).into_owned();
                let exact = self.postings(&stem);
                let mut g: HashMap<u64, (u64, bool)> =
                    exact.iter().map(|&(d, w)| (d, (w, false))).collect();
                if exact.len() <= 2 {
                    for other in self.near(&t) {
                        for (d, w) in self.postings(&other) {
                            g.entry(d).or_insert((w / 2, true));
                        }
                    }
                }
                groups.push(g);
            }
        }
        let Some(first) = groups.first() else {
            return Vec::new();
        };
        let mut scored: Vec<(u64, usize, u64)> = first
            .keys()
            .filter_map(|&d| {
                let mut total = 0;
                let mut typos = 0;
                for g in &groups {
                    let &(w, typo) = g.get(&d)?;
                    total += w;
                    typos += usize::from(typo);
                }
                Some((d, typos, total))
            })
            .collect();
        scored.sort_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)).then(self.tie(a.0, b.0)));
        scored.into_iter().map(|s| s.0).collect()
    }

    /// Titles (or term names) of a query's results.
    fn titles(&self, q: &str) -> Vec<String> {
        self.query(q)
            .into_iter()
            .map(|id| {
                let f = self.fragment(id);
                let t = if f["k"] == "t" { &f["n"] } else { &f["t"] };
                let prefix = if f["k"] == "x" { "Transcript: " } else { "" };
                format!("{prefix}{}", t.as_str().unwrap_or_default())
            })
            .collect()
    }

    fn doc_id(&self, title: &str) -> u64 {
        self.ids()
            .into_iter()
            .find(|&i| {
                let f = self.fragment(i);
                f["t"] == title || f["n"] == title
            })
            .unwrap_or_else(|| panic!("no doc {title}"))
    }

    /// Every document's id, ascending: where the fragment files hold one (episodes are
    /// numbered by day, so their range has gaps).
    fn ids(&self) -> Vec<u64> {
        let mut ids = Vec::new();
        for k in 0..4 {
            let r = &self.manifest["kinds"][k];
            let first = r[0].as_u64().unwrap_or(0);
            let group = self.manifest["groups"][k].as_u64().unwrap_or(8);
            let end = first + r[1].as_u64().unwrap_or(0);
            for n in first / group..end.div_ceil(group) {
                let rel = format!("search/x/{n}.json.gz");
                if !self.site.public().join(&rel).is_file() {
                    continue;
                }
                let file = gz(self.site, &format!("search/x/{n}"));
                for (at, f) in file.as_array().into_iter().flatten().enumerate() {
                    if !f.is_null() {
                        ids.push(n * group + at as u64);
                    }
                }
            }
        }
        ids
    }
}

fn demo() -> Site {
    let site = Site::fixture("demo");
    site.build_ok(&[]);
    site
}

fn tricky() -> Site {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    site
}

const PLATFORM: &str = "Platform risk, from app stores to AI APIs";
const STRASSE: &str = "Walking down the Straße";

#[test]
fn typos_are_forgiven_ranked_below_exact_matches_and_corrected() {
    let site = demo();
    let ix = Index::of(&site);
    // `platfrom` is not in the index; its nearest stem is shown as "platform".
    assert!(ix.postings("platfrom").is_empty());
    assert_eq!(ix.near("platfrom"), ["platform"]);
    assert_eq!(ix.surface("platform"), "platform");
    assert!(ix.titles("platfrom risk").contains(&PLATFORM.to_string()));
    assert!(
        ix.titles("compte")
            .contains(&"Why the price of a model answer keeps falling".to_string())
    );
    assert_eq!(ix.surface("comput"), "compute");
    assert!(
        ix.titles("polyamry")
            .contains(&"Corporate Polyamory".to_string())
    );
    // A typo in the first letter.
    assert!(ix.titles("latform").contains(&PLATFORM.to_string()));
    // Exact matches come before the correction's: "platform" matches exactly, and the
    // documents only near it ("platforms" would stem the same, so none) rank after.
    let exact = ix.query("platform");
    assert!(!exact.is_empty());
    let tricky = tricky();
    let tx = Index::of(&tricky);
    assert_eq!(tx.titles("microsft"), [STRASSE]);
    // "compete" is in one digest, "compute" (one edit away) in many: exact match first.
    let compete = tx.titles("compete");
    assert_eq!(compete.first().map(String::as_str), Some(STRASSE));
    assert!(compete.len() > 20, "{compete:?}");
    // Short words are not corrected: "ml" is an alias, "mx" is nothing.
    assert!(tx.near("mx").is_empty());
}

#[test]
fn word_forms_aliases_and_equivalent_spellings_meet() {
    let site = demo();
    let ix = Index::of(&site);
    let open = "Open partnerships: when two companies stop being exclusive";
    assert!(ix.titles("partnerships").contains(&open.to_string()));
    assert!(ix.titles("partnership").contains(&open.to_string()));
    let llm = ix.titles("LLM");
    assert!(llm.contains(&"Large Language Model".to_string()), "{llm:?}");
    assert!(llm.len() >= 3, "the concept and its digests: {llm:?}");
    let site = tricky();
    let tx = Index::of(&site);
    for q in [
        "strasse",
        "Straße",
        "STRASSE",
        "zoës law",
        "zoe's law",
        "Zoe’s Law",
        "orjan",
    ] {
        let found = tx.titles(q);
        assert!(found.contains(&STRASSE.to_string()), "{q}: {found:?}");
    }
    assert!(tx.titles("lawsuit").contains(&STRASSE.to_string()));
    assert!(tx.titles("ML").contains(&"Machine Learning".to_string()));
}

#[test]
fn short_and_symbol_names_are_found_by_exact_name() {
    let site = tricky();
    let ix = Index::of(&site);
    for name in ["C", "C++", "C#", "R", ".NET", "F#", "401(k)"] {
        let found = ix.titles(name);
        assert_eq!(
            found.first().map(String::as_str),
            Some(name),
            "{name}: {found:?}"
        );
        assert!(
            found.len() >= 2,
            "{name}: the concept and its digest: {found:?}"
        );
    }
    // Two letters are a word: the concept and its digest, by token.
    let ai = ix.titles("AI");
    assert!(
        ai.contains(&"AI".to_string()) && ai.contains(&STRASSE.to_string()),
        "{ai:?}"
    );
    // One letter that names nothing finds nothing (the page says why).
    assert!(ix.query("x").is_empty());
}

#[test]
fn every_match_is_counted_and_ties_list_the_newest_first() {
    let site = tricky();
    let ix = Index::of(&site);
    let ids: Vec<u64> = ix
        .query("compute")
        .into_iter()
        .filter(|&i| !ix.is_term(i))
        .collect();
    // 25 notes, the concept-bearing digest(s) and nothing twice.
    assert!(ids.len() >= 26, "{}", ids.len());
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    let notes: Vec<String> = ids
        .iter()
        .map(|&i| ix.fragment(i))
        .filter(|f| {
            f["t"]
                .as_str()
                .is_some_and(|t| t.starts_with("Compute note"))
        })
        .map(|f| f["d"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(notes.len(), 25);
    let mut newest_first = notes.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(notes, newest_first, "equal scores, newest first");
}

#[test]
fn transcripts_are_searched_by_cue() {
    let site = demo();
    let ix = Index::of(&site);
    let ids = ix.query("underestimates");
    assert_eq!(ids.len(), 1, "only the transcript says it");
    let f = ix.fragment(ids[0]);
    assert_eq!(f["k"], "x");
    assert_eq!(
        f["u"],
        "/digests/episodes/partnership-without-exclusivity/transcript/"
    );
    let cue = f["q"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c[2].as_str().is_some_and(|t| t.contains("underestimates")))
        .cloned()
        .unwrap_or_default();
    assert_eq!(cue[0], 3, "cue number (anchor #t3)");
    assert_eq!(cue[1], 14, "its start in seconds");
    assert!(
        site.read("episodes/partnership-without-exclusivity/transcript/index.html")
            .contains("id=\"t3\"")
    );
}

#[test]
fn fragments_hold_whole_sections_for_snippets_where_the_words_are() {
    let site = tricky();
    let ix = Index::of(&site);
    let f = ix.fragment(ix.doc_id(STRASSE));
    // An episode's fragment is its URL; its digest.json has every section whole.
    assert_eq!(f["u"], "/sub/path/episodes/zoes-law/");
    let lit = f["data"]["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["id"] == "litigation")
        .cloned()
        .unwrap_or_default();
    let text = lit["text"].as_str().unwrap_or_default();
    let at = text.find("lawsuits").unwrap_or(0);
    assert!(
        at > 320,
        "the word is past the old 320-character cut ({at})"
    );
}

#[test]
fn concepts_shows_and_people_are_documents_with_counts_and_definitions() {
    let site = demo();
    let ix = Index::of(&site);
    let found = ix.titles("platform");
    assert!(found.contains(&"Platform Risk".to_string()), "{found:?}");
    let f = ix.fragment(ix.doc_id("Platform Risk"));
    assert_eq!(f["k"], "t");
    assert_eq!(f["w"], "concept");
    assert_eq!(f["u"], "/digests/concepts/platform-risk/");
    assert!(f["c"].as_u64().unwrap_or(0) >= 1);
    assert!(
        !f["y"].as_str().unwrap_or_default().is_empty(),
        "a one-line definition"
    );
    assert!(
        ix.titles("signal noise")
            .contains(&"Signal & Noise".to_string())
    );
}

#[test]
fn index_files_hold_what_they_must() {
    let site = demo();
    let ix = Index::of(&site);
    let m = &ix.manifest;
    // Episodes are numbered by day (one a day here, so a day has one slot): the newest,
    // of 2025-10-30, is day 20,391 counted from 1970-01-01.
    assert_eq!(
        m["kinds"][0],
        serde_json::json!([0, 20392]),
        "episodes numbered by day"
    );
    assert_eq!(
        m["kinds"][1],
        serde_json::json!([32768, 1]),
        "the about page in a range of its own, after the episodes' power of two"
    );
    assert_eq!(m["groups"], serde_json::json!([64, 8, 8, 8]));
    // Every document is in a fragment file, at its id.
    assert_eq!(Some(ix.ids().len() as u64), m["docs"].as_u64());
    assert_eq!(m["shows"].as_array().map(Vec::len), Some(3));
    assert_eq!(m["concepts"].as_array().map(Vec::len), Some(12));
    assert_eq!(m["shows"][0][1], "founders-at-lunch", "[name, slug]");
    // Every word of a title is findable in its chunk and in the prefix dictionary.
    let title = "Flaky tests: quarantine, fix, or delete?";
    let id = ix.doc_id(title);
    let dict_chunks = ix.chunks("dict_chunks");
    for t in tokenize(title) {
        let stem = ix.stemmer.stem(&t).into_owned();
        assert!(ix.postings(&stem).iter().any(|&(d, _)| d == id), "{t}");
        let dict = gz(
            &site,
            &format!("search/d/{}", fnv1a(&prefix2(&stem)) % dict_chunks),
        );
        assert!(
            dict[&stem].as_u64().unwrap_or(0) >= 1,
            "{stem} in dictionary"
        );
    }
    let f = ix.fragment(id);
    assert_eq!(f["u"], "/digests/episodes/flaky-tests/");
    assert_eq!(f["data"]["show"]["name"], "The Build Log");
    // A standalone page carries its own sections.
    let about = ix.fragment(ix.doc_id("About these digests"));
    assert!(
        about["x"].as_array().is_some_and(|s| !s.is_empty()),
        "{about}"
    );
    // Filter lists: a show's episodes and their transcript blocks.
    let shows = m["shows"].as_array().cloned().unwrap_or_default();
    let show_ids = |name: &str| -> Vec<u64> {
        let s = shows.iter().position(|x| x[0] == name).unwrap_or(0);
        gz(&site, &format!("search/f/s{s}"))
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default()
    };
    let ids = show_ids("The Build Log");
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&id));
    let ids = show_ids("Founders at Lunch");
    let transcript = ix.query("underestimates")[0];
    assert!(
        ids.contains(&transcript),
        "a show's filter keeps its transcripts"
    );
    // The search page and the header box.
    assert!(
        site.read("search/index.html")
            .contains("data-index=\"/digests/search/\"")
    );
    assert!(
        site.read("index.html")
            .contains("action=\"/digests/search/\"")
    );
}

#[test]
fn the_same_site_builds_the_same_index() {
    let index = |s: &Site| -> Vec<(String, Vec<u8>)> {
        s.snapshot_tree()
            .into_iter()
            .filter(|(p, _)| p.starts_with("search/"))
            .collect()
    };
    let (a, b) = (tricky(), tricky());
    let files = index(&a);
    assert!(files.len() > 30, "{} index files", files.len());
    assert!(
        files == index(&b),
        "two builds of one site differ in search/"
    );
}

#[test]
fn title_and_concept_matches_weigh_more_than_body_matches() {
    let site = Site::empty("base_url: https://e.example/\n");
    site.write(
        "content/episodes/a.md",
        digest("Zeppelins explained", "2025-01-01", ""),
    );
    site.write("content/episodes/b.md", "---\ntitle: Other things\ndate: 2025-01-02\n---\nA paragraph that mentions zeppelins once among many other words.\n");
    site.write(
        "content/episodes/c.md",
        digest("Third", "2025-01-03", "concepts: [Zeppelins]\n"),
    );
    site.build_ok(&[]);
    let ix = Index::of(&site);
    let weights: std::collections::HashMap<u64, u64> =
        ix.postings("zeppelin").into_iter().collect();
    let (a, b, c) = (
        ix.doc_id("Zeppelins explained"),
        ix.doc_id("Other things"),
        ix.doc_id("Third"),
    );
    assert!(weights[&a] > weights[&b], "title beats body: {weights:?}");
    assert!(weights[&c] > weights[&b], "concept beats body: {weights:?}");
}

#[test]
fn a_site_in_another_language_is_not_stemmed_as_english() {
    let site = Site::empty("base_url: https://e.example/\nlanguage: fr\n");
    site.write(
        "content/episodes/a.md",
        digest("Les partenariats", "2025-01-01", ""),
    );
    site.build_ok(&[]);
    let ix = Index::of(&site);
    assert_eq!(ix.manifest["stemmer"], Value::Null);
    assert_eq!(ix.postings("partenariats").len(), 1);
}

#[test]
fn a_long_postings_list_has_a_file_of_its_own() {
    let site = Site::empty("base_url: https://e.example/\n");
    for i in 0..900 {
        let body = if i % 300 == 0 {
            "rare word: quetzal"
        } else {
            ""
        };
        site.write(
            &format!("content/episodes/e{i:03}.md"),
            format!("---\ntitle: Common note {i}\ndate: 2020-01-01\n---\nCommon ground. {body}\n"),
        );
    }
    site.build_ok(&[]);
    let ix = Index::of(&site);
    let chunk = ix.post_chunk("common");
    // Named by its chunk and its place among the chunk's long lists.
    let own = chunk["b"]["common"].as_str();
    let at = fnv1a("common") % ix.chunks("post_chunks");
    assert_eq!(
        own,
        Some(format!("{at}-0").as_str()),
        "the list of 900 documents is in a file of its own"
    );
    assert!(chunk["t"].get("common").is_none());
    let list = ix.postings("common");
    assert_eq!(list.len(), 900);
    // Gaps decoded back to every document, ascending: 900 on one day take 900 of its
    // 1,024 slots, one after another, from the first of 2020-01-01 (day 18,262).
    assert!(list.windows(2).all(|w| w[0].0 + 1 == w[1].0));
    assert_eq!(list.first().map(|p| p.0), Some(18262 * 1024));
    assert_eq!(list.last().map(|p| p.0), Some(18262 * 1024 + 899));
    // A rare word stays in its chunk.
    assert_eq!(ix.postings("quetzal").len(), 3);
    assert!(ix.post_chunk("quetzal")["t"].get("quetzal").is_some());
}

#[test]
fn search_false_turns_it_off() {
    let site = Site::empty("base_url: https://e.example/\nsearch: false\n");
    site.write("content/episodes/a.md", digest("A", "2025-01-01", ""));
    site.build_ok(&[]);
    assert!(!site.exists("search/manifest.json") && !site.exists("search/index.html"));
    assert!(!site.read("index.html").contains("role=\"search\""));
    let out = site.run(&["check"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
}
