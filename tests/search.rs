//! The static search index: files exist, terms sit in the chunks their hash names, title
//! matches weigh more than body matches, filters list the right documents, and
//! `search: false` turns it all off.

mod common;

use castdown::search::{fnv1a, prefix2, tokenize};
use common::{Site, digest};
use serde_json::Value;

fn json(site: &Site, rel: &str) -> Value {
    serde_json::from_str(&site.read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn postings(site: &Site, term: &str) -> Vec<(u64, u64)> {
    let m = json(site, "search/manifest.json");
    let chunks = m["post_chunks"].as_u64().unwrap_or(1) as u32;
    let chunk = json(site, &format!("search/p/{}.json", fnv1a(term) % chunks));
    let flat: Vec<u64> = chunk[term]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    flat.chunks(2).map(|p| (p[0], p[1])).collect()
}

fn meta(site: &Site, id: u64) -> Value {
    json(site, &format!("search/m/{}.json", id / 8))[(id % 8) as usize].clone()
}

fn doc_id(site: &Site, title: &str) -> u64 {
    let docs = json(site, "search/manifest.json")["docs"]
        .as_u64()
        .unwrap_or(0);
    (0..docs)
        .find(|i| meta(site, *i)["title"] == title)
        .unwrap_or_else(|| panic!("no doc {title}"))
}

#[test]
fn index_files_hold_what_they_must() {
    let site = Site::fixture("demo");
    site.build_ok(&[]);
    let m = json(&site, "search/manifest.json");
    assert_eq!(m["version"], 1);
    assert_eq!(m["docs"], 9, "8 episodes and the about page");
    assert_eq!(m["shows"].as_array().map(Vec::len), Some(3));
    assert_eq!(m["concepts"].as_array().map(Vec::len), Some(12));
    // Every term of a title is findable in its chunk and in the prefix dictionary.
    let id = doc_id(&site, "Flaky tests: quarantine, fix, or delete?");
    let dict_chunks = m["dict_chunks"].as_u64().unwrap_or(1) as u32;
    for term in tokenize("Flaky tests: quarantine, fix, or delete?") {
        assert!(
            postings(&site, &term).iter().any(|&(d, _)| d == id),
            "{term}"
        );
        let dict = json(
            &site,
            &format!("search/d/{}.json", fnv1a(&prefix2(&term)) % dict_chunks),
        );
        assert!(
            dict[&term].as_u64().unwrap_or(0) >= 1,
            "{term} in dictionary"
        );
    }
    // Body text by section, with heading ids for deep links.
    let meta = meta(&site, id);
    assert_eq!(meta["url"], "/digests/episodes/flaky-tests/");
    assert_eq!(meta["show"], "The Build Log");
    assert!(
        meta["sections"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x["id"] == "the-policy"))
    );
    // Filter lists.
    let shows = m["shows"].as_array().cloned().unwrap_or_default();
    let s = shows.iter().position(|x| x == "The Build Log").unwrap_or(0);
    let ids: Vec<u64> = json(&site, &format!("search/f/s{s}.json"))
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&id));
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
    let weights: std::collections::HashMap<u64, u64> =
        postings(&site, "zeppelins").into_iter().collect();
    let (a, b, c) = (
        doc_id(&site, "Zeppelins explained"),
        doc_id(&site, "Other things"),
        doc_id(&site, "Third"),
    );
    assert!(weights[&a] > weights[&b], "title beats body: {weights:?}");
    assert!(weights[&c] > weights[&b], "concept beats body: {weights:?}");
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
