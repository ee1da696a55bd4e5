//! The incremental rebuild used by `serve` must produce exactly what a clean build produces,
//! after every kind of edit.

mod common;

use castdown::output::Body;
use castdown::pipeline::{BuildOptions, Caches, build_cached, build_in_memory};
use common::Site;

fn snapshot(out: &castdown::output::Output) -> Vec<(String, Vec<u8>)> {
    out.iter()
        .map(|(p, b)| {
            let bytes = match b {
                Body::Bytes(b) => b.as_slice().to_vec(),
                Body::Copy(path) => std::fs::read(path).unwrap_or_default(),
                Body::Written => panic!("{p}: flushed to disk in an in-memory build"),
            };
            (p.clone(), bytes)
        })
        .collect()
}

fn assert_same_as_clean(site: &Site, caches: &mut Caches, what: &str) {
    let opts = BuildOptions {
        root: site.root().to_path_buf(),
        output: None,
        base_url: None,
        drafts: false,
    };
    let incremental = build_cached(&opts, &|_| {}, Some(caches))
        .unwrap_or_else(|e| panic!("{what}: incremental build failed: {e}"));
    let clean = build_in_memory(&opts, &|_| {})
        .unwrap_or_else(|e| panic!("{what}: clean build failed: {e}"));
    let (a, b) = (snapshot(&incremental.output), snapshot(&clean.output));
    let a_paths: Vec<&String> = a.iter().map(|(p, _)| p).collect();
    let b_paths: Vec<&String> = b.iter().map(|(p, _)| p).collect();
    assert_eq!(a_paths, b_paths, "{what}: different files");
    for ((p, x), (_, y)) in a.iter().zip(b.iter()) {
        assert!(x == y, "{what}: {p} differs from a clean build");
    }
}

fn touch_later() {
    // File times have limited resolution; make sure an edit gets a new time stamp.
    std::thread::sleep(std::time::Duration::from_millis(20));
}

#[test]
fn incremental_rebuilds_match_clean_builds() {
    let site = Site::fixture("demo");
    let mut caches = Caches::default();
    assert_same_as_clean(&site, &mut caches, "first build");
    touch_later();
    // Edit a title: the episode, its neighbours, lists, term pages and feeds change.
    let path = site.root().join("content/episodes/2025/flaky-tests.md");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(
        &path,
        text.replace(
            "Flaky tests: quarantine, fix, or delete?",
            "Flaky tests, revisited",
        ),
    )
    .unwrap_or_default();
    assert_same_as_clean(&site, &mut caches, "title edit");
    touch_later();
    // Change a concept's spelling majority and a definition.
    let path = site
        .root()
        .join("content/episodes/2025/model-costs-falling.md");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(
        &path,
        text.replace("Rented GPU time", "Rented accelerator time"),
    )
    .unwrap_or_default();
    assert_same_as_clean(&site, &mut caches, "definition edit");
    touch_later();
    // A new digest with a new concept and a body Key Concepts list.
    site.write("content/episodes/new.md", "---\ntitle: Brand new\nshow: Signal & Noise\ndate: 2025-11-11\n---\nIntro.\n\n## Key Concepts\n- Platform Risk: again.\n- Fresh Idea: new here.\n");
    assert_same_as_clean(&site, &mut caches, "new file");
    touch_later();
    // Delete a digest.
    std::fs::remove_file(
        site.root()
            .join("content/episodes/2024/summaries-and-trust.md"),
    )
    .unwrap_or_default();
    assert_same_as_clean(&site, &mut caches, "deleted file");
    touch_later();
    // Edit a transcript.
    let vtt = site
        .root()
        .join("content/episodes/2025/partnership-without-exclusivity.vtt");
    let text = std::fs::read_to_string(&vtt).unwrap_or_default();
    std::fs::write(&vtt, text.replace("Welcome back", "Hello again")).unwrap_or_default();
    assert_same_as_clean(&site, &mut caches, "transcript edit");
    touch_later();
    // Edit a curated concept description.
    let cur = site.root().join("content/concepts/technical-debt.md");
    let text = std::fs::read_to_string(&cur).unwrap_or_default();
    std::fs::write(&cur, text.replace("accumulated cost", "compounding cost")).unwrap_or_default();
    assert_same_as_clean(&site, &mut caches, "curated edit");
}

fn shared_bytes(out: &castdown::output::Output, path: &str) -> std::sync::Arc<Vec<u8>> {
    match out.get(path) {
        Some(Body::Bytes(b)) => b.clone(),
        other => panic!("{path}: {other:?}"),
    }
}

#[test]
fn a_one_file_edit_rerenders_only_what_depends_on_it() {
    let site = Site::fixture("demo");
    let opts = BuildOptions {
        root: site.root().to_path_buf(),
        output: None,
        base_url: None,
        drafts: false,
    };
    let mut caches = Caches::default();
    let first = build_cached(&opts, &|_| {}, Some(&mut caches)).unwrap_or_else(|e| panic!("{e}"));
    let unrelated = "episodes/attention-economy/index.html";
    let edited = "episodes/monorepo-migration/index.html";
    touch_later();
    let path = site
        .root()
        .join("content/episodes/2025/monorepo-migration.md");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(
        &path,
        text.replace("Build times tripled", "Build times doubled"),
    )
    .unwrap_or_default();
    let second = build_cached(&opts, &|_| {}, Some(&mut caches)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        std::sync::Arc::ptr_eq(
            &shared_bytes(&first.output, unrelated),
            &shared_bytes(&second.output, unrelated)
        ),
        "an unrelated page was re-rendered"
    );
    assert!(
        !std::sync::Arc::ptr_eq(
            &shared_bytes(&first.output, edited),
            &shared_bytes(&second.output, edited)
        ),
        "the edited page was not re-rendered"
    );
    assert!(
        String::from_utf8_lossy(&shared_bytes(&second.output, edited))
            .contains("Build times doubled")
    );
    // The body edit does not change any card, so list pages are reused too.
    assert!(std::sync::Arc::ptr_eq(
        &shared_bytes(&first.output, "concepts/index.html"),
        &shared_bytes(&second.output, "concepts/index.html")
    ));
}
