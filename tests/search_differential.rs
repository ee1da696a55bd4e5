//! The browser and the indexer must see the same words, or a search misses what the index
//! holds. This runs the browser script's word functions (in Node, through
//! `tests/browser/words-harness.mjs`) and the indexer's over the same lines and requires
//! identical output: tokens, English stems, exact-name keys and typo keys. The lines: every
//! word of Debian's English word list (`wamerican`, which `tests/run` installs), every
//! Unicode code point alone, between letters and around apostrophes, and names of the kinds
//! the search must find.

#![allow(clippy::expect_used)]

use std::fmt::Write as _;
use std::process::Command;

use castdown::search::{Stemmer, fuzzy, name_key, tokenize};

fn rust_line(stemmer: &Stemmer, line: &str) -> String {
    let toks = tokenize(line);
    let stems: Vec<String> = toks.iter().map(|t| stemmer.stem(t).into_owned()).collect();
    let keys = toks
        .first()
        .map(|t| fuzzy::keys(t, fuzzy::max_edits(t.chars().count())).join(","))
        .unwrap_or_default();
    format!(
        "{}\t{}\t{}\t{}\t",
        toks.join(" "),
        stems.join(" "),
        name_key(line).unwrap_or_default(),
        keys
    )
}

fn lines() -> Vec<String> {
    let words = std::fs::read_to_string("/usr/share/dict/words").unwrap_or_else(|e| {
        panic!("/usr/share/dict/words: {e} (install Debian's wamerican; tests/run does)")
    });
    let mut lines: Vec<String> = words.lines().map(str::to_string).collect();
    assert!(
        lines.len() > 50_000,
        "the word list has {} lines",
        lines.len()
    );
    // Upper-case and possessive forms of a sample, as people type them.
    for w in words.lines().step_by(7) {
        lines.push(w.to_uppercase());
        lines.push(format!("{w}'s {w}’s"));
    }
    // Planes 0 to 3 and the tag and variation selectors of plane 14: every assigned code
    // point but private use.
    for cp in (0..=0x3FFFFu32).chain(0xE0000..=0xE01EF) {
        if let Some(c) = char::from_u32(cp) {
            if c == '\n' || c == '\r' {
                continue;
            }
            lines.push(format!("{c}"));
            lines.push(format!("a{c}b x{c}{c}y"));
            lines.push(format!("ab'{c}d {c}'ab"));
        }
    }
    lines.extend(
        [
            "C",
            "C++",
            "C#",
            "R",
            ".NET",
            "F#",
            "401(k)",
            "AI",
            "Zoë's Law",
            "zoes law",
            "Straße",
            "strasse",
            "Æsir",
            "Øresund",
            "ΣΟΦΟΣ σοφός",
            "İstanbul",
            "ǅemal",
            "Founders at Lunch",
            "rock'n'roll",
            "l'été",
            "don’t",
            "Ａｂｃ",
        ]
        .map(String::from),
    );
    lines
}

#[test]
fn the_browser_and_the_indexer_fold_split_and_stem_alike() {
    let lines = lines();
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("lines.txt");
    std::fs::write(&input, lines.join("\n")).expect("write lines");
    let harness = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/browser/words-harness.mjs"
    );
    let out = Command::new("node")
        .arg(harness)
        .arg(&input)
        .output()
        .expect("node runs (tests/run needs Node.js)");
    assert!(
        out.status.success(),
        "harness failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let js = String::from_utf8(out.stdout).expect("UTF-8 from the harness");
    let js: Vec<&str> = js.split('\n').collect();
    assert_eq!(js.len(), lines.len(), "one output line per input line");
    let stemmer = Stemmer::for_language("en");
    let mut diff = String::new();
    let mut n = 0;
    let mut stemmed = 0;
    let mut unknown = 0;
    for (line, js) in lines.iter().zip(&js) {
        if js.ends_with('?') {
            unknown += 1;
            continue;
        }
        let rust = rust_line(&stemmer, line);
        if rust.split('\t').nth(1) != rust.split('\t').next() {
            stemmed += 1;
        }
        if rust != *js {
            n += 1;
            if n <= 20 {
                let _ = writeln!(diff, "{line:?}\n  rust: {rust:?}\n  js:   {js:?}");
            }
        }
    }
    assert!(n == 0, "{n} of {} lines differ:\n{diff}", lines.len());
    // Most code points are known to both: the comparison did cover them.
    assert!(
        unknown < lines.len() / 2,
        "{unknown} lines skipped as unknown to Node"
    );
    // The stemmer did work: most dictionary words have a suffix to take off.
    assert!(stemmed > 30_000, "{stemmed} lines had a word stemmed");
}
