//! The fuzz and stress harness. A small seeded run is part of every test run; set
//! `CASTDOWN_FUZZ_CASES` for a longer one by hand (say 2000), and `CASTDOWN_FUZZ_SEED` to
//! replay one seed:
//!
//! ```sh
//! CASTDOWN_FUZZ_CASES=2000 cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! - random sites (payloads in every front matter field and in bodies, multi-byte text, bad
//!   dates, odd YAML) are built in-process: no panic, and a failure is located problems,
//!   never a crash; built HTML and XML never carry a payload as live markup;
//! - random plain-text digests are imported: no panic, and the result is a digest;
//! - shapes an author can hit by accident are timed at two sizes: the time must grow about
//!   linearly (a ratio bound, never an absolute time).

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::{Duration, Instant};

use castdown::config::{MarkdownOptions, RawHtml};
use castdown::markdown::{Highlighter, RenderContext, render};
use castdown::pipeline::{BuildOptions, build};

mod common;

use common::Rng;

const PAYLOADS: &[&str] = &[
    "\"><img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "ééé ñ 機械学習 🎧",
    "a: b: c",
    "&amp; &lt; &#0; &#x110000;",
    "\u{0}\u{1}\u{FFFF}",
    "../../etc/passwd",
    "C++ C# .NET 401(k)",
    "[link](javascript:alert(1))",
    "**bold** _em_ `code`",
    "",
    " ",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
];

fn scalar(rng: &mut Rng) -> String {
    let p = rng.pick(PAYLOADS);
    // Quoted or not: plain scalars with odd characters are YAML errors, which must be
    // located problems too.
    if rng.below(2) == 0 {
        format!("{p:?}")
    } else {
        p.to_string()
    }
}

fn front_matter(rng: &mut Rng) -> String {
    let mut fm = String::from("---\n");
    let dates = [
        "2025-01-01",
        "2025-13-40",
        "2025-02-30T10:00:00Z",
        "yesterday",
        "2024-06-30",
    ];
    if rng.below(8) != 0 {
        fm.push_str(&format!("title: {}\n", scalar(rng)));
    }
    if rng.below(8) != 0 {
        fm.push_str(&format!("date: {}\n", rng.pick(&dates)));
    }
    let keys = [
        "show",
        "summary",
        "source",
        "duration",
        "slug",
        "people",
        "concepts",
        "aliases",
        "transcript",
        "nope",
        "extra",
        "media",
    ];
    for _ in 0..rng.below(6) {
        let key = rng.pick(&keys);
        let value = match key {
            "people" | "concepts" | "aliases" => {
                format!("[{}, {}]", scalar(rng), scalar(rng))
            }
            "media" => format!("{{ url: {}, type: audio/mpeg }}", scalar(rng)),
            "extra" => format!("{{ k: {} }}", scalar(rng)),
            "duration" => rng
                .pick(&["1:02:03", "PT1H", "-5", "x", "99999999999999999999"])
                .into(),
            _ => scalar(rng),
        };
        fm.push_str(&format!("{key}: {value}\n"));
    }
    fm.push_str("---\n");
    fm
}

fn body(rng: &mut Rng) -> String {
    let blocks = [
        "## Key Concepts\n\n- **Term**: a definition\n- Other: text\n",
        "## Key Concepts\n- <img src=x onerror=alert(1)>: def\n- [x](javascript:alert(1)): y\n",
        "# Heading\n\nText [^1].\n\n[^1]: note\n",
        "```rust\nfn main() {}\n```\n",
        "```föö\ncode\n```\n",
        "<div onclick=\"x()\" style=\"position:fixed\">raw</div>\n",
        "| a | b |\n|:-|-:|\n| 1 | 2 |\n",
        "- [ ] task\n- [x] done\n",
        "> quote\n> ## Key Concepts\n> - A: b\n",
        "Line one\nLine two\n---\n",
        "****Alpha****: x\n",
        ":smile: text\n",
    ];
    let mut b = String::new();
    for _ in 0..rng.below(6) {
        if rng.below(3) == 0 {
            b.push_str(&scalar(rng));
            b.push_str("\n\n");
        } else {
            b.push_str(rng.pick(&blocks));
            b.push('\n');
        }
    }
    b
}

fn cases(default: usize) -> usize {
    std::env::var("CASTDOWN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seed() -> u64 {
    std::env::var("CASTDOWN_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_cafe)
}

/// Every `.html` and `.xml` file below `dir` free of live payload markup.
fn assert_no_live_payload(dir: &Path, case: usize) {
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        let p = e.path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        if !matches!(ext, "html" | "xml") {
            continue;
        }
        let text = std::fs::read_to_string(p).unwrap_or_default();
        for bad in [
            "<img src=x onerror",
            "<script>alert(1)",
            "href=\"javascript:",
            "onclick=",
        ] {
            assert!(!text.contains(bad), "case {case}: {bad} in {}", p.display());
        }
    }
}

#[test]
fn random_sites_never_panic_and_never_carry_live_payloads() {
    let mut rng = Rng(seed());
    for case in 0..cases(40) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().join("site");
        let episodes = root.join("content/episodes");
        std::fs::create_dir_all(&episodes).unwrap_or_else(|e| panic!("{e}"));
        let config = format!(
            "title: {}\nbase_url: https://example.com/sub/\ndescription: {}\n",
            scalar(&mut rng),
            scalar(&mut rng)
        );
        std::fs::write(root.join("castdown.yaml"), config).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..1 + rng.below(4) {
            let text = format!("{}{}", front_matter(&mut rng), body(&mut rng));
            std::fs::write(episodes.join(format!("e{i}.md")), text)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let opts = BuildOptions {
            config: None,
            root: root.clone(),
            output: Some(dir.path().join("out")),
            base_url: None,
            drafts: rng.below(2) == 0,
            future: rng.below(2) == 0,
            clean: false,
        };
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| build(&opts, &|_| {})));
        match result {
            Err(_) => panic!("case {case} (seed {}) panicked", seed()),
            Ok(Ok(_)) => assert_no_live_payload(&dir.path().join("out"), case),
            Ok(Err(castdown::error::Error::Site(diags))) => {
                assert!(
                    !diags.is_empty(),
                    "case {case}: a site error with no problem"
                );
                for d in &diags {
                    assert!(!d.path.as_os_str().is_empty(), "case {case}: {d:?}");
                }
                assert!(
                    !dir.path().join("out").exists(),
                    "case {case}: wrote output"
                );
            }
            Ok(Err(e)) => panic!("case {case}: not a site error: {e}"),
        }
    }
}

#[test]
fn regression_import_panicked_on_accented_early_lines() {
    let parsed = castdown::import::parse("Title\nBy Shöw\nKey Concepts\n- Tërm: déf\n");
    assert_eq!(parsed.show.as_deref(), Some("Shöw"));
    // The line that panicked: its third byte falls inside `é`.
    let parsed = castdown::import::parse("Tïtle\nééé\nmore text here.\n");
    assert_eq!(parsed.title, "Tïtle");
    let mut rng = Rng(seed() ^ 1);
    let pieces = [
        "ééé",
        "By ",
        "by é",
        "Key Concepts",
        "- ",
        "- Term: def",
        "Chat with this Video",
        "é",
        "機",
        "🎧",
        ":",
        " ",
        "1. ",
        "# ",
        "\t",
        "B",
        "By",
        "Bé",
    ];
    for case in 0..cases(300) {
        let mut text = String::new();
        for _ in 0..rng.below(12) {
            for _ in 0..1 + rng.below(3) {
                text.push_str(rng.pick(&pieces));
            }
            text.push('\n');
        }
        let result = std::panic::catch_unwind(|| {
            let imp = castdown::import::parse(&text);
            castdown::import::to_markdown(&imp, None, Some("2025-01-01"))
        });
        match result {
            Err(_) => panic!("case {case}: import panicked on {text:?}"),
            Ok(Ok(md)) => assert!(md.starts_with("---\n"), "case {case}: {md}"),
            Ok(Err(_)) => {}
        }
    }
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// Time at `4n` over time at `n`, the best of three each: linear work gives about 4,
/// quadratic 16. The bound leaves room for noise and caches.
fn growth(make: impl Fn(usize) -> String, n: usize, run: impl Fn(&str)) -> f64 {
    // One timing at a time: tests run in parallel, and a neighbour's load on one of the two
    // sizes only would skew the ratio.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let best = |input: &str| {
        (0..3)
            .map(|_| time(|| run(input)))
            .min()
            .unwrap_or_default()
    };
    let small = make(n);
    let large = make(4 * n);
    best(&large).as_secs_f64() / best(&small).as_secs_f64().max(1e-6)
}

fn render_body(body: &str) {
    let h = Highlighter::new();
    let lookup = |_: &str| None;
    // Timestamps on, as in an episode's body: `[1:02]` becomes markup too.
    let moment = |s: u64| Some(format!("/a.mp3#t={s}"));
    let cx = RenderContext {
        options: MarkdownOptions {
            raw_html: RawHtml::Sanitize,
            smart_punctuation: true,
        },
        highlighter: &h,
        base_path: "/",
        concept_url: &lookup,
        moment_url: Some(&moment),
    };
    let _ = render(body, &cx);
}

const LINEAR: f64 = 9.0;

/// Builds a site of one digest into `out/` of a fresh temp dir, which the caller keeps.
fn build_one(
    config: &str,
    digest: &str,
) -> (
    tempfile::TempDir,
    castdown::error::Result<castdown::pipeline::Report>,
) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path().join("site");
    std::fs::create_dir_all(root.join("content/episodes")).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::write(root.join("castdown.yaml"), config);
    let _ = std::fs::write(root.join("content/episodes/a.md"), digest);
    let opts = BuildOptions {
        config: None,
        root,
        output: Some(dir.path().join("out")),
        base_url: None,
        drafts: false,
        future: false,
        clean: false,
    };
    let result = build(&opts, &|_| {});
    (dir, result)
}

#[test]
fn identical_headings_cost_linear_time() {
    let ratio = growth(|n| "## Same\n\n".repeat(n), 2_500, render_body);
    assert!(
        ratio < LINEAR,
        "10k vs 2.5k identical headings: x{ratio:.1}"
    );
}

#[test]
fn a_huge_code_block_is_left_unhighlighted_in_linear_time() {
    // Past the highlighting limit, a block is escaped only.
    let ratio = growth(
        |n| format!("```rust\n{}```\n", "let x = 1; // c\n".repeat(n)),
        20_000,
        render_body,
    );
    assert!(ratio < LINEAR, "code block x4: x{ratio:.1}");
}

#[test]
fn deeply_nested_raw_html_costs_linear_time() {
    let ratio = growth(
        |n| format!("{}x{}", "<div>\n".repeat(n), "</div>\n".repeat(n)),
        2_000,
        render_body,
    );
    assert!(ratio < LINEAR, "nested divs x4: x{ratio:.1}");
}

#[test]
fn one_digest_with_thousands_of_concepts_costs_linear_time_and_output() {
    let run = |md: &str| {
        let (dir, result) = build_one("base_url: https://e.com/\nsearch: false\n", md);
        assert!(result.is_ok());
        // Output grows with the concepts, not with their square.
        let bytes: u64 = walkdir::WalkDir::new(dir.path().join("out"))
            .into_iter()
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum();
        let n = md.matches("\n  - C").count().max(1) as u64;
        assert!(bytes / n < 40_000, "{bytes} bytes for {n} concepts");
    };
    let make = |n: usize| {
        let list: String = (0..n).map(|i| format!("  - C{i}\n")).collect();
        format!("---\ntitle: T\ndate: 2025-01-01\nconcepts:\n{list}---\nBody.\n")
    };
    let ratio = growth(make, 150, run);
    assert!(ratio < LINEAR, "600 vs 150 concepts: x{ratio:.1}");
}

#[test]
fn deep_yaml_is_refused_in_linear_time() {
    let run = |md: &str| {
        assert!(build_one("base_url: https://e.com/\n", md).1.is_err());
    };
    let make = |n: usize| {
        format!(
            "---\ntitle: T\ndate: 2025-01-01\nextra: {}{}\n---\n",
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    let ratio = growth(make, 25_000, run);
    assert!(ratio < LINEAR, "100k vs 25k levels: x{ratio:.1}");
}
