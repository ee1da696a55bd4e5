//! `castdown build` on disk reuses the previous build: after every kind of edit the output is
//! byte-identical to a clean build, the files whose bytes did not change are the previous
//! build's very files (same inode, same modification time, so `rsync -a` skips them), and
//! the summary counts exactly the files written. A record that is damaged, truncated, from
//! another castdown or from another output gives a full build with one line saying why.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::{Site, edits, many_digests, png, stderr};

/// Every file under `dir`: bytes, inode and modification time.
fn tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u64, i64, i64)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .to_string_lossy()
                .into_owned();
            let meta = e.metadata().unwrap_or_else(|err| panic!("{rel}: {err}"));
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (rel, (bytes, meta.ino(), meta.mtime(), meta.mtime_nsec()))
        })
        .collect()
}

/// Builds the site (reusing); the build's stderr.
fn build(site: &Site, extra: &[&str]) -> String {
    let mut args = vec!["build"];
    args.extend_from_slice(extra);
    let out = site.run(&args);
    let err = stderr(&out);
    assert!(out.status.success(), "build failed:\n{err}");
    err
}

/// `(written, unchanged)` from the summary line, `None` when nothing was reused.
fn counts(summary: &str) -> Option<(usize, usize)> {
    let start = summary.find(" files (")? + " files (".len();
    let rest = &summary[start..];
    let written = rest.split(' ').next()?.parse().ok()?;
    let unchanged = rest.split(", ").nth(1)?.split(' ').next()?.parse().ok()?;
    Some((written, unchanged))
}

const MARKER: &str = ".castdown-output";

/// Builds after an edit and checks the output against a clean build and the tree before.
/// Returns the build's stderr, with its timings.
fn rebuild_and_check(site: &Site, what: &str) -> String {
    rebuild_and_check_with(site, what, &[])
}

/// [`rebuild_and_check`] with options `extra` for both builds.
fn rebuild_and_check_with(site: &Site, what: &str, extra: &[&str]) -> String {
    let before = tree(&site.public());
    let err = build_timed_with(site, extra);
    let after = tree(&site.public());
    let clean_dir = site.root().join("clean-out");
    let _ = std::fs::remove_dir_all(&clean_dir);
    let clean_arg = clean_dir.to_string_lossy().into_owned();
    let mut args = vec!["build", "--clean", "--output", &clean_arg];
    args.extend_from_slice(extra);
    let out = site.run(&args);
    assert!(
        out.status.success(),
        "{what}: clean build failed: {}",
        stderr(&out)
    );
    let clean = tree(&clean_dir);
    let paths =
        |t: &BTreeMap<String, (Vec<u8>, u64, i64, i64)>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        paths(&after),
        paths(&clean),
        "{what}: not the files of a clean build"
    );
    let reused = counts(&err).is_some();
    let mut changed = 0;
    for (path, (bytes, ino, secs, nanos)) in &after {
        assert!(
            *bytes == clean[path].0,
            "{what}: {path} differs from a clean build, first at\n{}",
            common::first_difference(bytes, &clean[path].0)
        );
        // A full build writes every file; the marker is written by every build.
        if path == MARKER || !reused {
            continue;
        }
        match before.get(path) {
            Some((old, old_ino, old_secs, old_nanos)) if old == bytes => {
                assert_eq!(
                    (ino, secs, nanos),
                    (old_ino, old_secs, old_nanos),
                    "{what}: {path} is unchanged but was written again"
                );
            }
            _ => changed += 1,
        }
    }
    if let Some((written, unchanged)) = counts(&err) {
        assert_eq!(
            written, changed,
            "{what}: the summary's count of written files\n{err}"
        );
        assert_eq!(written + unchanged, after.len() - 1, "{what}: {err}");
    } else {
        assert!(
            err.contains("full build: "),
            "{what}: neither reused nor told why:\n{err}"
        );
    }
    std::fs::remove_dir_all(&clean_dir).unwrap_or_else(|e| panic!("{e}"));
    err
}

fn replace_in(site: &Site, rel: &str, from: &str, to: &str) {
    let path = site.root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replace(from, to)).unwrap_or_else(|e| panic!("{e}"));
}

/// The demo site with its feeds cut to the newest episode: a reusing build renders the
/// bodies of the episodes the site feeds show whatever changed, and the demo's feeds show
/// them all, so without this no build would keep a body.
fn demo_with_one_episode_in_feeds() -> Site {
    let site = Site::fixture("demo");
    replace_in(&site, "castdown.yaml", "feed_limit: 50", "feed_limit: 1");
    site
}

/// Builds the site (reusing) with stage timings on; its stderr.
fn build_timed(site: &Site) -> String {
    build_timed_with(site, &[])
}

/// [`build_timed`] with options `extra`.
fn build_timed_with(site: &Site, extra: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("castdown")
        .unwrap_or_else(|e| panic!("{e}"))
        .env("CASTDOWN_TIMINGS", "1")
        .args(["build", "--root"])
        .arg(site.root())
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = stderr(&out);
    assert!(out.status.success(), "build failed:\n{err}");
    err
}

/// Checks that the build whose stderr is `err` declared every page, for the reason
/// starting `why`.
fn declared_every_page(err: &str, why: &str) {
    assert_eq!(reached(err), None, "{err}");
    assert!(
        err.contains(&format!("every page declared: {why}")),
        "{err}"
    );
}

/// `(n, of)` from the timings line `<what> <n> of <of>`.
fn figure(err: &str, what: &str) -> (usize, usize) {
    let line = err
        .lines()
        .find_map(|l| l.trim().strip_prefix(what))
        .unwrap_or_else(|| panic!("no {what:?} line:\n{err}"));
    let mut parts = line.trim().split(" of ");
    let mut number = || {
        parts
            .next()
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{what}{line}"))
    };
    (number(), number())
}

/// Builds the site (reusing) with stage timings on; `(rendered, episodes)` from the line
/// saying how many episode bodies were rendered, and the build's stderr.
fn build_counting_bodies(site: &Site) -> ((usize, usize), String) {
    let err = build_timed(site);
    (figure(&err, "bodies rendered"), err)
}

#[test]
fn a_build_writes_only_the_files_whose_bytes_change() {
    // Feeds of one episode, so that builds keep the bodies that did not change (and every
    // edit below goes through that path too).
    let site = demo_with_one_episode_in_feeds();
    let first = build(&site, &[]);
    assert!(
        !first.contains("full build"),
        "a first build has nothing to explain: {first}"
    );
    // Nothing changed: nothing written.
    let err = rebuild_and_check(&site, "no edit");
    assert_eq!(counts(&err).map(|c| c.0), Some(0), "{err}");
    let body = "content/episodes/2025/partnership-without-exclusivity.md";
    replace_in(
        &site,
        body,
        "The hosts look at a famous",
        "The two hosts look at a famous",
    );
    let err = rebuild_and_check(&site, "body edit");
    let (written, unchanged) = counts(&err).unwrap_or_default();
    assert!(written > 0 && written < unchanged / 4, "{err}");
    replace_in(
        &site,
        "content/episodes/2025/flaky-tests.md",
        "Flaky tests: quarantine, fix, or delete?",
        "Flaky tests, revisited",
    );
    rebuild_and_check(&site, "title edit");
    replace_in(
        &site,
        "content/episodes/2025/model-costs-falling.md",
        "Rented GPU time",
        "Rented accelerator time",
    );
    rebuild_and_check(&site, "definition edit");
    // A concept added to a digest: related episodes (kept in the record) are computed again.
    replace_in(
        &site,
        "content/episodes/2025/model-costs-falling.md",
        "  - name: LLM\n",
        "  - name: Platform Risk\n    definition: Depending on one vendor.\n  - name: LLM\n",
    );
    rebuild_and_check(&site, "concept added");
    site.write(
        "content/episodes/new.md",
        "---\ntitle: Brand new\nshow: Signal & Noise\ndate: 2025-11-11\n---\nIntro.\n\n## Key Concepts\n- Platform Risk: again.\n- Fresh Idea: new here.\n",
    );
    let err = rebuild_and_check(&site, "new digest");
    assert!(site.exists("episodes/new/index.html"), "{err}");
    std::fs::remove_file(
        site.root()
            .join("content/episodes/2024/summaries-and-trust.md"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "deleted digest");
    assert!(!site.exists("episodes/summaries-and-trust/index.html"));
    // It was the only digest naming a concept: every card's terms may have moved, and
    // every page is declared (`a_removed_digest_reaches_only_what_showed_it` has the rest).
    declared_every_page(&err, "a removed digest named");
    std::fs::rename(
        site.root().join("content/episodes/new.md"),
        site.root().join("content/episodes/renamed.md"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    rebuild_and_check(&site, "renamed digest");
    assert!(site.exists("episodes/renamed/index.html") && !site.exists("episodes/new/index.html"));
    replace_in(
        &site,
        "content/episodes/2025/partnership-without-exclusivity.vtt",
        "Welcome back",
        "Hello again",
    );
    rebuild_and_check(&site, "transcript edit");
    replace_in(
        &site,
        "content/concepts/technical-debt.md",
        "accumulated cost",
        "compounding cost",
    );
    rebuild_and_check(&site, "curated concept edit");
    replace_in(
        &site,
        "content/shows/the-build-log.md",
        "A weekly engineering show",
        "A fortnightly engineering show",
    );
    rebuild_and_check(&site, "curated show edit");
    replace_in(&site, "content/about.md", "# ", "# Really ");
    rebuild_and_check(&site, "standalone page edit");
    site.write("static/extra.txt", "an extra file");
    rebuild_and_check(&site, "new static file");
    site.write("static/extra.txt", "an edited extra file");
    rebuild_and_check(&site, "edited static file");
    // What reaches every page: nothing reused, and the build says why.
    replace_in(&site, "castdown.yaml", "paginate: 6", "paginate: 4");
    let err = rebuild_and_check(&site, "config edit");
    assert!(err.contains("full build: the config, the theme, the templates, the words or the build options changed"), "{err}");
    site.write("i18n/en.yaml", "latest_episodes: Newest\n");
    let err = rebuild_and_check(&site, "words edit");
    assert!(err.contains("full build: "), "{err}");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<article>{{ content | safe }}</article>{% endblock content %}",
    );
    let err = rebuild_and_check(&site, "template added");
    assert!(err.contains("full build: "), "{err}");
    let err = rebuild_and_check(&site, "after the template");
    assert_eq!(counts(&err).map(|c| c.0), Some(0), "{err}");
    // A file edited by hand in the output is written again, not kept.
    let index = site.public().join("index.html");
    std::fs::write(&index, "edited by hand").unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "hand-edited output");
    assert_eq!(counts(&err).map(|c| c.0), Some(1), "{err}");
    // A file put in the output by hand goes, as a clean build would have it.
    std::fs::write(site.public().join("stray.txt"), "not castdown's")
        .unwrap_or_else(|e| panic!("{e}"));
    let deep = site.public().join("episodes/debt-as-a-loan/extra/deeper");
    std::fs::create_dir_all(&deep).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(deep.join("stray.txt"), "not castdown's").unwrap_or_else(|e| panic!("{e}"));
    rebuild_and_check(&site, "a stray file in the output");
    assert!(!site.exists("stray.txt"));
    assert!(!deep.join("stray.txt").exists());
    // --clean writes everything and says so.
    let err = build(&site, &["--clean"]);
    assert!(err.contains("full build: --clean"), "{err}");
    assert_eq!(counts(&err), None, "{err}");
}

/// Whether a reusing build declared only what its edits reach (`Some(digests changed)`)
/// or every page (`None`), from its timings.
fn reached(err: &str) -> Option<usize> {
    if err.contains("every page declared: ") {
        return None;
    }
    let line = err
        .lines()
        .find_map(|l| l.trim().strip_prefix("digests changed "))
        .unwrap_or_else(|| panic!("no reach line:\n{err}"));
    line.split(':').next().and_then(|n| n.parse().ok())
}

/// A build renders an episode's body only when something made from it must be made again,
/// and after edits that keep the model's shape it declares only the pages that show the
/// edited episodes: the pages, the `digest.json` and the search words of the others come
/// from the previous build, as do the site feeds when no edited episode is in them.
#[test]
fn a_reusing_build_renders_only_the_bodies_it_needs() {
    let site = demo_with_one_episode_in_feeds();
    let ((rendered, episodes), _) = build_counting_bodies(&site);
    assert!(
        episodes > 5,
        "the demo site has too few episodes for this test"
    );
    assert_eq!(rendered, episodes, "a first build renders every body");
    let ((rendered, _), err) = build_counting_bodies(&site);
    assert_eq!(rendered, 0, "no edit: no body\n{err}");
    assert!(reached(&err).is_some(), "no edit: nothing declared\n{err}");
    rebuild_and_check(&site, "no edit");
    // An older episode's body: that body alone (the feed shows the newest); the newest
    // episode's body: it and the site feeds that show it.
    for (what, file, from, to) in [
        (
            "body edit",
            "content/episodes/2024/summaries-and-trust.md",
            "## ",
            "## Revised: ",
        ),
        (
            "newest body edit",
            "content/episodes/2025/partnership-without-exclusivity.md",
            "Exclusive deals make sense",
            "Exclusive deals often make sense",
        ),
    ] {
        replace_in(&site, file, from, to);
        let ((rendered, _), err) = build_counting_bodies(&site);
        assert_eq!(rendered, 1, "{what}\n{err}");
        assert_eq!(reached(&err), Some(1), "{what}\n{err}");
        let err = rebuild_and_check(&site, what);
        assert_eq!(counts(&err).map(|c| c.0), Some(0), "{err}");
    }
    // A title shows on the cards of its neighbours' pages: their bodies are rendered for
    // those pages, no others.
    replace_in(
        &site,
        "content/episodes/2025/flaky-tests.md",
        "Flaky tests: quarantine, fix, or delete?",
        "Flaky tests, revisited",
    );
    let ((rendered, _), err) = build_counting_bodies(&site);
    assert!(rendered > 1 && rendered < episodes, "title edit\n{err}");
    assert_eq!(reached(&err), Some(1), "title edit\n{err}");
    rebuild_and_check(&site, "title edit");
    // A new digest: what shows it (every home page, its terms' pages), and no other body.
    site.write(
        "content/episodes/2025/a-new-one.md",
        "---\ntitle: A new one\nshow: Shipping It\ndate: 2025-06-01\n---\n\nA body.\n",
    );
    let ((rendered, _), err) = build_counting_bodies(&site);
    assert_eq!(reached(&err), Some(1), "new digest\n{err}");
    assert!(rendered < episodes, "new digest\n{err}");
    rebuild_and_check(&site, "new digest");
}

/// Counted search words that cannot be trusted are never used: the build counts every body
/// again, and its output is a clean build's.
#[test]
fn search_words_that_cannot_be_trusted_are_counted_again() {
    let site = demo_with_one_episode_in_feeds();
    build(&site, &[]);
    let words = site.root().join(".public.castdown-search-words");
    let good = std::fs::read(&words).unwrap_or_else(|e| panic!("{e}"));
    assert!(good.starts_with(b"castdown-search-words 4\n"));
    // Beside the output, never in it.
    assert!(
        !tree(&site.public())
            .keys()
            .any(|p| p.contains("search-words"))
    );
    let mut flipped = good.clone();
    if let Some(b) = flipped.last_mut() {
        *b ^= 0x55;
    }
    let cases: [(&str, Vec<u8>); 4] = [
        ("truncated", good[..good.len() / 2].to_vec()),
        ("damaged", flipped),
        ("garbage", b"\x00\x01not words".to_vec()),
        ("empty", Vec::new()),
    ];
    for (n, (what, bad)) in cases.into_iter().enumerate() {
        std::fs::write(&words, bad).unwrap_or_else(|e| panic!("{e}"));
        // A body edit, so the search index changes too.
        replace_in(
            &site,
            "content/episodes/2024/summaries-and-trust.md",
            "## ",
            &format!("## {n} "),
        );
        let ((rendered, episodes), err) = build_counting_bodies(&site);
        assert_eq!(
            rendered, episodes,
            "{what}: every body counted again\n{err}"
        );
        rebuild_and_check(&site, what);
        // The build left good words: the next one renders at most the feed's body (none
        // when it knows nothing changed, and keeps the feeds).
        let ((rendered, _), err) = build_counting_bodies(&site);
        assert!(rendered <= 1, "{what}\n{err}");
    }
    // Written by another castdown.
    castdown::search::kept::Writer::create(&words, "0.0.1 0000000000000000", 0, 1)
        .and_then(|w| w.finish(&words))
        .unwrap_or_else(|e| panic!("{e}"));
    let ((rendered, episodes), err) = build_counting_bodies(&site);
    assert_eq!(rendered, episodes, "another castdown\n{err}");
    rebuild_and_check(&site, "another castdown's words");
    // Gone: counted again, and kept again.
    std::fs::remove_file(&words).unwrap_or_else(|e| panic!("{e}"));
    let ((rendered, episodes), _) = build_counting_bodies(&site);
    assert_eq!(rendered, episodes, "no words kept");
    assert!(words.is_file());
}

/// Files modified less than this before a build are not kept parsed (they may change again
/// within the clock tick after they were read).
const RACY: std::time::Duration = std::time::Duration::from_millis(2100);

/// Waits out the time in which a build distrusts the stamps it takes ([`RACY`]), then
/// builds: the build after it keeps every digest and static file whose files are as they
/// were, as a person's builds seconds apart do.
fn settle(site: &Site) {
    std::thread::sleep(RACY);
    build(site, &[]);
}

/// The site folder given as `site`, `./site` or `/abs/site` is one folder: a build keeps
/// the digests the previous build parsed whichever way either spelled it.
#[test]
fn regression_another_spelling_of_the_site_folder_parsed_every_digest_again() {
    let site = Site::fixture("demo");
    let (parent, name) = match (site.root().parent(), site.root().file_name()) {
        (Some(p), Some(n)) => (p.to_path_buf(), n.to_string_lossy().into_owned()),
        _ => panic!("the fixture has no parent folder"),
    };
    let timed = |root: &str| {
        let out = assert_cmd::Command::cargo_bin("castdown")
            .unwrap_or_else(|e| panic!("{e}"))
            .env("CASTDOWN_TIMINGS", "1")
            .current_dir(&parent)
            .args(["build", "--root", root])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let err = stderr(&out);
        assert!(out.status.success(), "build failed:\n{err}");
        err
    };
    let (_, digests) = figure(&build_timed(&site), "digests parsed");
    settle(&site);
    for root in [
        name.clone(),
        format!("./{name}/"),
        format!("{name}/../{name}"),
    ] {
        let err = timed(&root);
        assert_eq!(
            figure(&err, "digests parsed"),
            (0, digests),
            "{root}: {err}"
        );
        assert!(
            err.contains("only what shows them declared"),
            "{root}: {err}"
        );
    }
    let err = build_timed(&site);
    assert_eq!(figure(&err, "digests parsed"), (0, digests), "{err}");
    rebuild_and_check(&site, "another spelling of the site folder");
}

/// A build takes a digest parsed by the previous build only while every file its parse
/// read is as it was: the digest (even rewritten with its size and modification time put
/// back), its transcript, and a file its body links to that did not exist.
#[test]
fn parsed_digests_are_kept_only_while_their_files_are_unchanged() {
    let site = Site::fixture("demo");
    // Fresh copies are too recent to keep.
    let (parsed, digests) = figure(&build_timed(&site), "digests parsed");
    assert_eq!(parsed, digests, "a first build parses every digest");
    settle(&site);
    let err = build_timed(&site);
    assert_eq!(figure(&err, "digests parsed"), (0, digests), "{err}");
    rebuild_and_check(&site, "kept digests");

    // Rewritten, same size, modification time put back: the change time gives it away.
    let rel = "content/episodes/2025/flaky-tests.md";
    let path = site.root().join(rel);
    let mtime = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{e}"));
    replace_in(&site, rel, "Flaky tests", "Flaky Tests");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(mtime))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = build_timed(&site);
    assert_eq!(figure(&err, "digests parsed"), (1, digests), "{err}");
    rebuild_and_check(&site, "same size and time");

    // A link to a file that is not there yet, then the file.
    let rel = "content/episodes/2025/monorepo-migration.md";
    let text = std::fs::read_to_string(site.root().join(rel)).unwrap_or_default();
    site.write(rel, format!("{text}\nSee [the notes](notes.txt).\n"));
    settle(&site);
    let err = build_timed(&site);
    assert_eq!(figure(&err, "digests parsed"), (0, digests), "{err}");
    site.write("content/episodes/2025/notes.txt", "The notes.");
    let err = build_timed(&site);
    assert_eq!(figure(&err, "digests parsed"), (1, digests), "{err}");
    rebuild_and_check(&site, "a linked file appeared");
    assert!(site.exists("episodes/monorepo-migration/notes.txt"));

    // The transcript (once the digest re-read for the notes, too recent then, is kept).
    settle(&site);
    replace_in(
        &site,
        "content/episodes/2025/partnership-without-exclusivity.vtt",
        "Welcome back",
        "Hello again",
    );
    let err = build_timed(&site);
    assert_eq!(figure(&err, "digests parsed"), (1, digests), "{err}");
    rebuild_and_check(&site, "transcript edit");

    // A media file under static/ whose size the digest's enclosure takes.
    site.write("static/audio/talk.mp3", "short");
    site.write(
        "content/episodes/2025/on-site-audio.md",
        "---\ntitle: On-site audio\ndate: 2025-03-03\nmedia: { url: /audio/talk.mp3 }\n---\nA talk.\n",
    );
    settle(&site);
    let err = build_timed(&site);
    assert_eq!(figure(&err, "digests parsed"), (0, digests + 1), "{err}");
    site.write("static/audio/talk.mp3", "a longer recording");
    let err = build_timed(&site);
    assert_eq!(figure(&err, "digests parsed"), (1, digests + 1), "{err}");
    rebuild_and_check(&site, "media file resized");
    let data = std::fs::read_to_string(site.public().join("episodes/on-site-audio/digest.json"))
        .unwrap_or_default();
    assert!(data.contains("\"length\":18"), "{data}");

    // A damaged file of kept digests: every digest parsed again.
    let kept = site.root().join(".public.castdown-parsed-digests");
    let bytes = std::fs::read(&kept).unwrap_or_default();
    std::fs::write(&kept, &bytes[..bytes.len() / 2]).unwrap_or_else(|e| panic!("{e}"));
    let err = build_timed(&site);
    assert_eq!(
        figure(&err, "digests parsed"),
        (digests + 1, digests + 1),
        "{err}"
    );
    rebuild_and_check(&site, "damaged kept digests");
}

/// A record that cannot be trusted is never used: each case builds in full, says why in
/// one line, and the output is a clean build's.
#[test]
fn a_record_that_cannot_be_trusted_gives_a_full_build() {
    let site = Site::fixture("small");
    build(&site, &[]);
    // The second build appends what it changed to the record: a segment of its own.
    build(&site, &[]);
    let record = site.root().join(".public.castdown-build-record");
    let text = std::fs::read_to_string(&record).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.starts_with("castdown-build-record 9\n"), "{text}");
    assert_eq!(text.matches("\nend ").count(), 2, "{text}");
    // It lies beside the output, never in it: nothing of it is published.
    assert!(!tree(&site.public()).keys().any(|p| p.contains("record")));
    let cases: [(&str, String, &str); 5] = [
        (
            "its last segment cut short",
            text[..text.len() - 5].to_string(),
            "the record of the previous build is damaged",
        ),
        (
            "truncated",
            text[..text.len() / 2].to_string(),
            "the record of the previous build is damaged",
        ),
        (
            "damaged",
            text.replace("index.html", "index.htm!"),
            "the record of the previous build is damaged",
        ),
        (
            "garbage",
            "\u{0}\u{1}not a record".to_string(),
            "the record of the previous build is damaged",
        ),
        (
            "empty",
            String::new(),
            "the record of the previous build is damaged",
        ),
    ];
    for (what, bad, why) in cases {
        std::fs::write(&record, bad).unwrap_or_else(|e| panic!("{e}"));
        let err = rebuild_and_check(&site, what);
        assert!(err.contains(&format!("full build: {why}")), "{what}: {err}");
        assert_eq!(
            err.matches("full build").count(),
            1,
            "{what}: one line\n{err}"
        );
        // The full build left a good record: the next one reuses everything.
        let err = rebuild_and_check(&site, what);
        assert_eq!(counts(&err).map(|c| c.0), Some(0), "{what}: {err}");
    }
    // Written by another castdown (a valid record, another binary).
    let output = castdown::output::resolve_output(&site.public());
    castdown::output::reuse::write(
        &output,
        (
            &castdown::output::reuse::Binary::named("0.0.1 0000000000000000"),
            0,
            Default::default(),
        ),
        (Vec::new(), &[], &Default::default()),
        &Default::default(),
        None,
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "another castdown");
    assert!(
        err.contains("full build: the previous build was made by another castdown"),
        "{err}"
    );
    // The record of another site's output, copied beside this one.
    let other = Site::fixture("small");
    build(&other, &[]);
    std::fs::copy(other.root().join(".public.castdown-build-record"), &record)
        .unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "another site's record");
    assert!(
        err.contains("full build: the record beside the output describes another folder"),
        "{err}"
    );
    // A record but no output (deleted by hand): a full build, nothing to explain.
    std::fs::remove_dir_all(site.public()).unwrap_or_else(|e| panic!("{e}"));
    let err = build(&site, &[]);
    assert!(!err.contains("full build"), "{err}");
}

/// A build that fails leaves the previous output and its record as they were; the next good
/// build still reuses them.
#[test]
fn a_failed_build_leaves_the_previous_output_and_record() {
    let site = Site::fixture("small");
    build(&site, &[]);
    let before = tree(&site.public());
    let record =
        std::fs::read(site.root().join(".public.castdown-build-record")).unwrap_or_default();
    site.write("templates/page.html", "{% if x %}never closed");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        tree(&site.public()),
        before,
        "the previous output is untouched"
    );
    assert_eq!(
        std::fs::read(site.root().join(".public.castdown-build-record")).unwrap_or_default(),
        record
    );
    std::fs::remove_file(site.root().join("templates/page.html")).unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "after the failed build");
    assert_eq!(counts(&err).map(|c| c.0), Some(0), "{err}");
}

/// The search files whose bytes differ between two trees of the output.
fn search_changes<'t>(before: &Tree, after: &'t Tree) -> Vec<&'t String> {
    after
        .iter()
        .filter(|(p, v)| before.get(*p).is_none_or(|b| b.1 != v.1))
        .map(|(p, _)| p)
        .filter(|p| p.starts_with("search/"))
        .collect()
}

type Tree = BTreeMap<String, (Vec<u8>, u64, i64, i64)>;

/// An index file of `tree` as JSON (`null` when it is not there or does not read).
fn index_json(tree: &Tree, path: &str) -> serde_json::Value {
    tree.get(path)
        .and_then(|(bytes, ..)| common::gunzip(bytes))
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// The documents in a postings file of `tree`: in a list of its own (`p/b…`), or in any
/// list of a chunk, its long lists' files included.
fn postings_docs(tree: &Tree, path: &str) -> std::collections::BTreeSet<u64> {
    let gaps = |list: &serde_json::Value| {
        let flat: Vec<u64> = list
            .as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
            .unwrap_or_default();
        let mut doc = 0;
        flat.chunks(2)
            .map(|p| {
                doc += p[0];
                doc
            })
            .collect::<Vec<u64>>()
    };
    let file = index_json(tree, path);
    if file.is_array() {
        return gaps(&file).into_iter().collect();
    }
    let mut docs: std::collections::BTreeSet<u64> = file["t"]
        .as_object()
        .into_iter()
        .flat_map(|t| t.values().flat_map(gaps))
        .collect();
    for own in file["b"].as_object().into_iter().flat_map(|b| b.values()) {
        let own = index_json(
            tree,
            &format!("search/p/b{}.json.gz", own.as_str().unwrap_or("")),
        );
        docs.extend(gaps(&own));
    }
    docs
}

/// Every document in the postings of `tree`.
fn indexed_docs(tree: &Tree) -> std::collections::BTreeSet<u64> {
    tree.keys()
        .filter(|p| p.starts_with("search/p/"))
        .flat_map(|p| postings_docs(tree, p))
        .collect()
}

/// The documents added to or removed from the postings between two trees.
fn moved_docs(before: &Tree, after: &Tree) -> std::collections::BTreeSet<u64> {
    let (was, is) = (indexed_docs(before), indexed_docs(after));
    was.symmetric_difference(&is).copied().collect()
}

/// Every postings file that changed from `before` to `after` holds one of `docs` (in
/// either): the weights in a list depend on its own documents only (the script applies
/// the IDF), so no other file changes. Until index version 5 they had the IDF and the
/// average length baked in, and a new digest rewrote most postings files.
fn only_postings_holding(
    before: &Tree,
    after: &Tree,
    docs: &std::collections::BTreeSet<u64>,
    what: &str,
) {
    assert!(!docs.is_empty(), "{what}: no document");
    let changed = search_changes(before, after);
    let postings: Vec<&&String> = changed
        .iter()
        .filter(|p| p.starts_with("search/p/"))
        .collect();
    assert!(!postings.is_empty(), "{what}: no postings file changed");
    for path in &postings {
        let holds = |tree: &Tree| !postings_docs(tree, path).is_disjoint(docs);
        assert!(
            holds(before) || holds(after),
            "{what}: {path} changed, and holds none of {docs:?}"
        );
    }
    let total = after.keys().filter(|p| p.starts_with("search/p/")).count();
    assert!(
        postings.len() * 3 < total,
        "{what}: {} of {total} postings files changed",
        postings.len()
    );
}

/// A word made of letters from a number (`0` → `ba`), so every number gives another word.
fn word(mut n: usize) -> String {
    let mut w = String::from("b");
    loop {
        w.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return w;
        }
    }
}

/// Writes digest `e<i>.md`, "Note <i>", dated in January 2020 by `i`, whose body is
/// "Shared ground, " and `words`.
fn write_note(site: &Site, i: usize, words: &[String]) {
    site.write(
        &format!("content/episodes/e{i:03}.md"),
        format!(
            "---\ntitle: Note {i}\ndate: 2020-01-{:02}\n---\nShared ground, {}.\n",
            i % 28 + 1,
            words.join(" ")
        ),
    );
}

/// Regression: the postings held BM25 weights with the IDF and the average length baked
/// in, and both move with any digest added, removed or lengthened, so one new digest
/// rewrote most postings files (384 of 681 at 10,000 digests), each to be uploaded again.
/// Now a postings file changes only when one of its lists gains or loses the document.
#[test]
fn regression_a_new_digest_rewrote_most_postings_files() {
    let site = Site::empty("base_url: https://e.example/\n");
    // 400 digests of 40 to 89 words of their own (16 postings files) and 20 of 200 others
    // (each in 40 digests of as many lengths: the lists whose baked-in weights a new digest
    // moved).
    for i in 0..400 {
        let own: Vec<String> = (0..40 + i * 13 % 50)
            .map(|j| word(i * 100 + j))
            .chain((0..20).map(|j| word(100_000 + (i * 7 + j * 10) % 200)))
            .collect();
        write_note(&site, i, &own);
    }
    build(&site, &[]);
    let before = tree(&site.public());
    let chunks = before.keys().filter(|p| p.starts_with("search/p/")).count();
    assert!(chunks >= 16, "{chunks} postings files");
    site.write(
        "content/episodes/new.md",
        "---\ntitle: Zq\ndate: 2021-01-01\n---\nZq shared.\n",
    );
    build(&site, &[]);
    let added = tree(&site.public());
    let new = moved_docs(&before, &added);
    assert_eq!(new.len(), 1, "{new:?}");
    only_postings_holding(&before, &added, &new, "new digest");
    // A longer body: the average length moves (within its rounding), and the digest's
    // weight in each of its lists, and those lists only.
    replace_in(
        &site,
        "content/episodes/new.md",
        "Zq shared.",
        "Zq shared, ground and more.",
    );
    build(&site, &[]);
    let longer = tree(&site.public());
    only_postings_holding(&added, &longer, &new, "body edit");
    // Removed (each of the others has words in every postings file).
    std::fs::remove_file(site.root().join("content/episodes/new.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    build(&site, &[]);
    let removed = tree(&site.public());
    assert_eq!(moved_docs(&longer, &removed), new);
    only_postings_holding(&longer, &removed, &new, "removed digest");
}

/// Search documents keep their ids when a digest is added or removed: a new (newest) digest
/// takes the next id, so of the fragment files only the one holding it changes, and of the
/// filter files only its show's and its concepts'; removing it puts everything back.
#[test]
fn a_new_digest_changes_only_the_index_files_that_hold_it() {
    let site = many_digests();
    build(&site, &[]);
    let before = tree(&site.public());
    site.write(
        "content/episodes/zz-newest.md",
        "---\ntitle: The newest one\nshow: Beta Show\ndate: 2024-06-01\nconcepts: [Topic 3]\n---\nA brand new zeppelinoid word.\n",
    );
    let err = build(&site, &[]);
    let after = tree(&site.public());
    let changed = search_changes(&before, &after);
    let in_folder = |f: &str| changed.iter().filter(|p| p.starts_with(f)).count();
    // The fragment file of its id, and those of its show and concept (a term's fragment
    // carries its count of digests): three at most, of the 19 there are.
    assert!(
        in_folder("search/x/") <= 3,
        "fragment files: {changed:?}\n{err}"
    );
    // Its show's and its concept's filter files; a show or concept list is by position in
    // the manifest, so none moved.
    let filters: Vec<&&String> = changed
        .iter()
        .filter(|p| p.starts_with("search/f/"))
        .collect();
    assert_eq!(filters.len(), 2, "{filters:?}");
    assert!(changed.contains(&&"search/manifest.json".to_string()));
    // Every other search file that changed holds one of its words: the prefix dictionary,
    // typo keys. Fewer than a clean renumbering would touch.
    let total_search = after.keys().filter(|p| p.starts_with("search/")).count();
    assert!(
        changed.len() * 2 < total_search,
        "{} of {total_search}: {changed:?}",
        changed.len()
    );
    // Removing it again gives back the very files of before.
    std::fs::remove_file(site.root().join("content/episodes/zz-newest.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    build(&site, &[]);
    let again = tree(&site.public());
    for (path, v) in &again {
        if path == MARKER {
            continue;
        }
        assert_eq!(before.get(path).map(|b| &b.0), Some(&v.0), "{path}");
    }
    assert_eq!(again.len(), before.len());
}

/// A removed digest whose terms others name too reaches what showed it (its terms' pages,
/// the home pages, its neighbours, what listed it as related), and the build declares no
/// other page; the output is a clean build's, byte for byte, after one removal, two at
/// once, a removal beside a published digest made a draft (which declares every page),
/// and one beside edits to other digests' body and title (which add up).
#[test]
fn a_removed_digest_reaches_only_what_showed_it() {
    let site = many_digests();
    build(&site, &[]);
    let remove = |rel: &str| {
        std::fs::remove_file(site.root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    };
    let e050 = std::fs::read_to_string(site.root().join("content/episodes/e050.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    remove("content/episodes/e050.md");
    let err = rebuild_and_check(&site, "one digest removed");
    assert_eq!(reached(&err), Some(0), "{err}");
    // The kept digests name files by their paths under the site folder: only its own is
    // gone (comparing them with the digests' own, relative, paths took every one for gone).
    assert_eq!(figure(&err, "kept digests gone"), (1, 120), "{err}");
    // Back again: the kept digests still have it, from before it went, but the previous
    // build did not publish it: a new digest, placed as one.
    site.write("content/episodes/e050.md", &e050);
    let err = rebuild_and_check(&site, "the removed digest back");
    assert_eq!(reached(&err), Some(1), "{err}");
    remove("content/episodes/e050.md");
    rebuild_and_check(&site, "removed again");
    let (written, _) = counts(&err).unwrap_or_else(|| panic!("not reused: {err}"));
    // Its pages are gone; what the build writes is what showed it.
    let pages = tree(&site.public())
        .keys()
        .filter(|p| p.ends_with(".html"))
        .count();
    assert!(
        written * 3 < pages,
        "{written} files written of {pages} pages"
    );
    remove("content/episodes/e000.md");
    remove("content/episodes/e119.md");
    let err = rebuild_and_check(&site, "two digests removed");
    assert_eq!(reached(&err), Some(0), "{err}");
    remove("content/episodes/e070.md");
    replace_in(
        &site,
        "content/episodes/e071.md",
        "title: Episode number 71",
        "draft: true\ntitle: Episode number 71",
    );
    let err = rebuild_and_check(&site, "a removal and a draft");
    declared_every_page(
        &err,
        "digests removed, and content/episodes/e071.md unpublished",
    );
    // A removal beside a body and a title edit of others reaches what each reaches.
    remove("content/episodes/e080.md");
    replace_in(&site, "content/episodes/e081.md", "Body of", "The body of");
    replace_in(
        &site,
        "content/episodes/e082.md",
        "title: Episode number 82",
        "title: Episode number eighty-two",
    );
    let err = rebuild_and_check(&site, "a removal beside two edits");
    assert_eq!(reached(&err), Some(2), "{err}");
}

/// Regression: a digest moved to another folder and edited, then moved back as it was
/// (a `git checkout` of an older state). The kept digests still held its version from
/// before the move under its first path, and took it for the one the previous build had
/// published: the pages kept the edited text. A moved digest is now compared with the
/// version the previous build published, found by its slug among the gone ones: each move
/// reaches what its edit shows, and no more.
#[test]
fn regression_a_digest_moved_away_and_back_kept_the_pages_of_its_other_version() {
    let site = many_digests();
    build(&site, &[]);
    // Past the racy window: the next builds take the kept digests and append to them.
    settle(&site);
    let home = site.root().join("content/episodes/e010.md");
    let away = site.root().join("content/episodes/moved/e010.md");
    let text = std::fs::read_to_string(&home).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(site.root().join("content/episodes/moved"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(&home).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&away, text.replace("Body of", "A changed body of"))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "moved and edited");
    assert_eq!(reached(&err), Some(1), "{err}");
    std::fs::remove_file(&away).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&home, &text).unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "moved back as it was");
    assert_eq!(reached(&err), Some(1), "{err}");
    // Moved as it is: nothing to make but what the move itself changes (nothing).
    std::fs::rename(&home, &away).unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "moved unchanged");
    assert_eq!(reached(&err), Some(0), "{err}");
    assert_eq!(counts(&err).map(|c| c.0), Some(0), "{err}");
}

/// Episodes were numbered by their place, oldest first: removing a digest, or adding one
/// dated before the newest, moved the id of every newer one, and with them every fragment,
/// filter and postings file of the index (2,170 of 3,011 files at 10,000 digests). Numbered
/// by day, only the files that hold it change.
#[test]
fn regression_removing_or_backdating_a_digest_renumbered_the_whole_search_index() {
    let site = many_digests();
    build(&site, &[]);
    let before = tree(&site.public());
    let total = before.keys().filter(|p| p.starts_with("search/")).count();
    // Alone on its day (2020-03-23), show Gamma, Topic 1 and Theme 0.
    let old = site.root().join("content/episodes/e050.md");
    let text = std::fs::read_to_string(&old).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(&old).unwrap_or_else(|e| panic!("{e}"));
    let err = build(&site, &[]);
    let removed = tree(&site.public());
    // Then back, dated before every other digest.
    site.write(
        "content/episodes/e050.md",
        text.replace("date: 2020-03-23", "date: 2019-02-03"),
    );
    build(&site, &[]);
    let backdated = tree(&site.public());
    for (what, from, to) in [
        ("removed", &before, &removed),
        ("backdated", &removed, &backdated),
    ] {
        let changed = search_changes(from, to);
        let in_folder = |f: &str| changed.iter().filter(|p| p.starts_with(f)).count();
        // Its own fragment file, and those of its three terms (their counts changed).
        assert!(
            in_folder("search/x/") <= 3,
            "{what}: fragment files {changed:?}\n{err}"
        );
        // Its show's and its two concepts' filter files.
        assert_eq!(in_folder("search/f/"), 3, "{what}: {changed:?}");
        // The rest hold its words.
        assert!(
            changed.len() * 2 < total,
            "{what}: {} of {total}: {changed:?}",
            changed.len()
        );
    }
}

/// A reusing build moves only the changed files into the output, with a journal: killed at
/// any point of that, the next build puts the previous output back exactly before it
/// starts, and then builds as usual.
#[test]
fn an_update_cut_short_is_undone_by_the_next_build() {
    for at in [
        "after the journal",
        "halfway through the written files",
        "before the end",
    ] {
        let site = Site::fixture("demo");
        build(&site, &[]);
        let before = tree(&site.public());
        // An edit that writes some files, adds one and removes others.
        replace_in(
            &site,
            "content/episodes/2025/flaky-tests.md",
            "Flaky tests: quarantine, fix, or delete?",
            "Flaky tests, revisited",
        );
        site.write(
            "content/episodes/new.md",
            "---\ntitle: Brand new\nshow: Signal & Noise\ndate: 2025-11-11\n---\nIntro.\n",
        );
        std::fs::remove_file(
            site.root()
                .join("content/episodes/2024/summaries-and-trust.md"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let out = assert_cmd::Command::cargo_bin("castdown")
            .unwrap_or_else(|e| panic!("{e}"))
            .env("CASTDOWN_FAIL_COMMIT", at)
            .args(["build", "--root"])
            .arg(site.root())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status.code(), Some(3), "{at}: {}", stderr(&out));
        // A build that then fails on the content still undoes the update first.
        site.write("content/episodes/broken.md", "---\ntitle: [unclosed\n---\n");
        let out = site.run(&["build"]);
        assert_eq!(out.status.code(), Some(1), "{at}");
        assert!(
            stderr(&out).contains("undid the unfinished update"),
            "{at}: {}",
            stderr(&out)
        );
        let back = tree(&site.public());
        assert_eq!(
            back.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "{at}: the previous output's files"
        );
        for (path, v) in &back {
            assert!(
                v.0 == before[path].0,
                "{at}: {path} is not the previous output's"
            );
        }
        let leftovers = site.leftovers();
        assert!(leftovers.is_empty(), "{at}: {leftovers:?}");
        std::fs::remove_file(site.root().join("content/episodes/broken.md"))
            .unwrap_or_else(|e| panic!("{e}"));
        rebuild_and_check(&site, at);
    }
}

/// castdown up to 0a469a8 kept episode texts for the search index in a file beside the
/// output until the index was made; one left by a killed build goes at the next build.
/// Builds now count each episode's words as its body is rendered and keep no such file: a
/// build, failed or not, leaves nothing beside the output.
#[test]
fn a_texts_file_an_earlier_build_left_beside_the_output_is_removed() {
    let site = Site::fixture("small");
    let stale = site.root().join(".public.castdown-texts");
    std::fs::write(&stale, b"left by a killed build").unwrap_or_else(|e| panic!("{e}"));
    build(&site, &[]);
    assert!(!stale.exists(), "the killed build's file is gone");
    assert_eq!(site.leftovers(), Vec::<String>::new());
    // A template error found while the episodes are being made.
    site.write("templates/episode.html", "{{ no_such_value.field }}");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("episode.html"), "{}", stderr(&out));
    assert_eq!(site.leftovers(), Vec::<String>::new());
}

/// A build killed while it wrote what it keeps beside the output (or while its output was
/// put in place, with the kept files written beside) leaves their temporary files; the next
/// build removes them, even one that then fails.
#[test]
fn temporary_files_a_killed_build_left_beside_the_output_are_removed() {
    let site = Site::fixture("small");
    build(&site, &[]);
    let kept = [
        "search-words",
        "parsed-digests",
        "build-record",
        "feed-bodies",
    ];
    for kept in kept {
        site.write(
            &format!(".public.castdown-{kept}.tmp"),
            "left by a killed build",
        );
    }
    assert_eq!(site.leftovers().len(), kept.len());
    site.write("content/episodes/broken.md", "---\ntitle: [unclosed\n---\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(site.leftovers(), Vec::<String>::new());
}

/// [`demo_with_one_episode_in_feeds`] built twice, the second time long enough after the
/// files were written that every parsed digest is kept and trusted.
fn demo_built_and_kept() -> Site {
    let site = demo_with_one_episode_in_feeds();
    build(&site, &[]);
    settle(&site);
    site
}

/// The site feeds show the newest bodies whole, so an edit to one of them made a reusing
/// build render every body the feeds show. The bodies kept beside the output by the last
/// build stand for those that did not change; kept bodies that fail their checksum are
/// rendered again, and the output is a clean build's either way.
#[test]
fn an_edit_to_a_body_the_feeds_show_renders_that_body_alone() {
    // The demo's feeds show every published digest.
    let site = Site::fixture("demo");
    build(&site, &[]);
    settle(&site);
    let digest = "content/episodes/2024/attention-economy.md";
    let edit = |n: usize| {
        std::thread::sleep(RACY);
        replace_in(
            &site,
            digest,
            "## Owning the audience",
            &format!("## Owning the audience\n\nEdit {n}.\n\n## Owning the audience"),
        );
    };
    edit(1);
    let err = rebuild_and_check(&site, "a body edit");
    let (rendered, of) = figure(&err, "bodies rendered");
    assert_eq!(rendered, 1, "{err}");
    assert!(of > 5, "{err}");
    // Damaged: every body the feeds show is rendered again.
    let kept = site.root().join(".public.castdown-feed-bodies");
    let mut bytes = std::fs::read(&kept).unwrap_or_else(|e| panic!("{e}"));
    let last = bytes.len() - 20;
    bytes[last] ^= 0x20;
    std::fs::write(&kept, &bytes).unwrap_or_else(|e| panic!("{e}"));
    edit(2);
    let err = rebuild_and_check(&site, "a body edit, the kept bodies damaged");
    let (rendered, _) = figure(&err, "bodies rendered");
    assert!(rendered > 5, "{err}");
    // That build kept them again.
    edit(3);
    let err = rebuild_and_check(&site, "a body edit after");
    assert_eq!(figure(&err, "bodies rendered").0, 1, "{err}");
}

/// Regression: a digest edited just before a build is parsed again by the next build (its
/// file may still change within the clock's tick), which compares it with the version the
/// previous build used to tell what the edit reaches. That version was not kept: the next
/// build compared with the one before, and an edit undone right after a build looked like
/// no edit at all, leaving the undone title on every page that shows it.
#[test]
fn an_edit_undone_right_after_a_build_is_seen() {
    let site = demo_built_and_kept();
    let path = "content/episodes/2025/flaky-tests.md";
    let (old, new) = (
        "Flaky tests: quarantine, fix, or delete?",
        "Flaky tests, revisited",
    );
    replace_in(&site, path, old, new);
    rebuild_and_check(&site, "title edit");
    replace_in(&site, path, new, old);
    let err = rebuild_and_check(&site, "title edit undone");
    assert_eq!(reached(&err), Some(1), "{err}");
    assert!(counts(&err).is_some_and(|c| c.0 > 1), "{err}");
}

/// Parsed digests kept by a build whose output never took the place of the previous one
/// (it failed while putting it in place, or was killed then) describe another output: the
/// next build does not take them for the digests its output was made from, and declares
/// every page.
#[test]
fn digests_kept_by_a_build_whose_output_was_not_put_in_place_reach_nothing() {
    let site = demo_built_and_kept();
    // This output and its record stay; the next build's output goes.
    let public = site.public();
    let aside = site.root().join("aside");
    std::fs::rename(&public, &aside).unwrap_or_else(|e| panic!("{e}"));
    let record = site.root().join(".public.castdown-build-record");
    let record_text = std::fs::read(&record).unwrap_or_else(|e| panic!("{e}"));
    replace_in(
        &site,
        "content/episodes/2025/flaky-tests.md",
        "Flaky tests: quarantine, fix, or delete?",
        "Flaky tests, revisited",
    );
    build(&site, &[]);
    std::fs::remove_dir_all(&public).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(&aside, &public).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&record, record_text).unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "kept digests of an output never put in place");
    declared_every_page(&err, "the kept digests are not those");
    // The search words too are of the build whose output went: the index is made whole,
    // not patched from what that build's index held.
    assert!(patched_chunks(&err).is_none(), "{err}");
}

/// A page no edit reaches is kept as the previous build left it only while it is so in the
/// output: one changed there by hand is made again.
#[test]
fn a_page_changed_in_the_output_by_hand_is_made_again_whatever_the_edits_reach() {
    let site = demo_built_and_kept();
    for page in [
        "episodes/debt-as-a-loan/index.html",
        "episodes/debt-as-a-loan/digest.json",
        "concepts/index.html",
        "atom.xml",
        "shows/the-build-log/atom.xml",
    ] {
        let file = site.public().join(page);
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{page}: {e}"));
        std::fs::write(&file, format!("{text} ")).unwrap_or_else(|e| panic!("{e}"));
    }
    replace_in(
        &site,
        "content/episodes/2024/summaries-and-trust.md",
        "## ",
        "## Revised: ",
    );
    let err = rebuild_and_check(&site, "hand edits in the output");
    assert_eq!(reached(&err), Some(1), "{err}");
}

/// A build lists again only the output folders whose stamps changed since the record (a
/// file added, removed or renamed in a folder changes its stamp), and still takes away a
/// file put by hand in any of them, or under a folder put there by hand.
#[test]
fn files_put_in_the_output_by_hand_go_though_only_changed_folders_are_listed() {
    let site = demo_built_and_kept();
    let err = rebuild_and_check(&site, "no edit");
    let (listed, of) = figure(&err, "output folders listed");
    assert_eq!(listed, 0, "{err}");
    assert!(of > 40, "{err}");
    let stray = site.public().join("episodes/debt-as-a-loan/stray.txt");
    std::fs::write(&stray, "not castdown's").unwrap_or_else(|e| panic!("{e}"));
    let deep = site.public().join("concepts/by-hand/deeper");
    std::fs::create_dir_all(&deep).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(deep.join("stray.txt"), "not castdown's").unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "stray files in the output");
    assert!(!stray.exists() && !deep.join("stray.txt").exists());
    // The two folders that changed: the episode's and `concepts`.
    assert_eq!(figure(&err, "output folders listed").0, 2, "{err}");
    // A folder removed by hand: its files are written again.
    std::fs::remove_dir_all(site.public().join("episodes/debt-as-a-loan"))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "a folder removed from the output");
    assert!(site.exists("episodes/debt-as-a-loan/index.html"));
    assert!(counts(&err).is_some_and(|c| c.0 > 0), "{err}");
}

/// Regression: pages show the width and height of the site's image, read from its file
/// under `static/`, which no digest names. A build that reached only what an edited digest
/// shows kept every other page with the old image's size; a file under `static/` that
/// changed now has every page declared.
#[test]
fn an_image_under_static_resized_with_a_body_edit_reaches_every_page_showing_it() {
    let site = Site::fixture("listening");
    site.write("static/cover.png", png(64, 64));
    build(&site, &[]);
    settle(&site);
    let page = || std::fs::read_to_string(site.public().join("index.html")).unwrap_or_default();
    let width = |w: u32| format!("og:image:width\" content=\"{w}\"");
    assert!(
        page().contains(&width(64)),
        "the site image's size is on the page"
    );
    site.write("static/cover.png", png(1400, 1400));
    replace_in(
        &site,
        "content/episodes/on-youtube.md",
        "The point.",
        "The point, again.",
    );
    let err = rebuild_and_check(&site, "static image resized");
    assert_eq!(reached(&err), None, "{err}");
    assert!(
        err.contains("the site's or a curated image under static/ changed"),
        "{err}"
    );
    assert!(page().contains(&width(1400)));
}

/// `n` bytes of noise from the seed `seed` (xorshift), standing in for a recording.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// `(copied, of)` from the timings line on static files; how many were read.
fn copied(err: &str) -> (usize, usize) {
    figure(err, "static files copied")
}

/// A static file (a podcast's audio, larger than the chunks it is copied in) is left in
/// the output unread while its source's stamp and its copy are as the last build left
/// them. Reading and hashing every static file made a build of a site with two gigabytes
/// of audio take 1.3 s after no edit (7 ms now), and a clean build held each file whole.
/// Whatever changed, the output is a clean build's, and a copy whose bytes are the same
/// is not written again.
#[test]
fn static_files_are_read_only_when_their_source_or_their_copy_changed() {
    const MB: usize = 1 << 20;
    let site = Site::fixture("demo");
    let audio = "static/audio/talk.mp3";
    let copy = site.public().join("audio/talk.mp3");
    site.write(audio, noise(2 * MB + 12_345, 1));
    site.write("static/notes.txt", "notes");
    build(&site, &[]);
    std::thread::sleep(RACY);
    // Stamps made now are trusted: the next build keeps the copies unread.
    build(&site, &[]);
    let err = rebuild_and_check(&site, "nothing changed");
    let (read, statics) = copied(&err);
    assert_eq!(read, 0, "{err}");
    assert!(statics >= 2, "{err}");

    // The copy changed by hand: made again from the source.
    std::fs::write(&copy, b"not audio").unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "copy changed by hand");
    assert_eq!(copied(&err), (1, statics), "{err}");
    assert_eq!(counts(&err).map(|c| c.0), Some(1), "{err}");

    // The same bytes written again: read (the stamp changed), not written.
    let bytes = std::fs::read(site.root().join(audio)).unwrap_or_default();
    site.write(audio, &bytes);
    let err = rebuild_and_check(&site, "same bytes written again");
    assert_eq!(copied(&err), (1, statics), "{err}");
    assert_eq!(counts(&err).map(|c| c.0), Some(0), "{err}");

    // Changed after the first chunk, same size, modification time put back: the change
    // time gives it away.
    settle(&site);
    let path = site.root().join(audio);
    let mtime = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut changed = bytes.clone();
    changed[MB + 7] ^= 1;
    site.write(audio, &changed);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(mtime))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "a byte changed, same size and time");
    assert_eq!(copied(&err), (1, statics), "{err}");
    assert_eq!(counts(&err).map(|c| c.0), Some(1), "{err}");
    // Changed too recently to trust its stamp: read again, though nothing changed.
    let err = rebuild_and_check(&site, "source changed under two seconds ago");
    assert_eq!(copied(&err), (1, statics), "{err}");
    assert_eq!(counts(&err).map(|c| c.0), Some(0), "{err}");

    // Sizes on and just past a chunk's end; empty.
    for (what, bytes) in [
        ("two chunks exactly", noise(2 * MB, 2)),
        ("a chunk and a byte", noise(MB + 1, 3)),
        ("a chunk exactly", noise(MB, 4)),
        ("empty", Vec::new()),
    ] {
        site.write(audio, &bytes);
        rebuild_and_check(&site, what);
        assert_eq!(std::fs::read(&copy).ok(), Some(bytes), "{what}");
    }

    // Removed: the copy goes.
    std::fs::remove_file(site.root().join(audio)).unwrap_or_else(|e| panic!("{e}"));
    rebuild_and_check(&site, "static file removed");
    assert!(!copy.exists());
}

/// A podcast publishes an episode with its audio and cover under `static/`: the new files
/// are the new digest's media and image, which its parse reads, so the build reaches what
/// the digest shows. A new file under `static/` declared every page (at 10,000 digests,
/// 0.70 s against 0.46 s). Either replaced alone is an edit of that digest (its
/// enclosure's length, its cover's size); a file under `static/` that no page reads
/// (put there for download) reaches nothing; the site's image still reaches every page.
#[test]
fn a_new_digest_published_with_its_audio_under_static_reaches_only_what_shows_it() {
    let site = many_digests();
    build(&site, &[]);
    settle(&site);
    site.write("static/audio/new.mp3", noise(3_000, 5));
    site.write(
        "content/episodes/new.md",
        "---\ntitle: New\nshow: Beta Show\ndate: 2021-02-02\nconcepts: [Topic 1]\nmedia: { url: /audio/new.mp3 }\n---\nA body.\n",
    );
    let err = rebuild_and_check(&site, "a new digest with its audio");
    assert_eq!(reached(&err), Some(1), "{err}");

    settle(&site);
    site.write("static/audio/new.mp3", noise(5_000, 6));
    let err = rebuild_and_check(&site, "its audio replaced");
    assert_eq!(figure(&err, "digests parsed").0, 1, "{err}");
    assert!(reached(&err).is_some(), "{err}");
    let data =
        std::fs::read_to_string(site.public().join("episodes/new/digest.json")).unwrap_or_default();
    assert!(data.contains("\"length\":5000"), "{data}");

    // Its cover under static/, new with another digest, then resized alone: the pages
    // showing that digest show the new size.
    settle(&site);
    site.write("static/covers/newer.png", png(64, 64));
    site.write(
        "content/episodes/newer.md",
        "---\ntitle: Newer\nshow: Beta Show\ndate: 2021-03-03\nconcepts: [Topic 2]\nimage: /covers/newer.png\n---\nA body.\n",
    );
    let err = rebuild_and_check(&site, "a new digest with its cover");
    assert_eq!(reached(&err), Some(1), "{err}");
    let page = || {
        std::fs::read_to_string(site.public().join("episodes/newer/index.html")).unwrap_or_default()
    };
    assert!(page().contains("width=\"64\" height=\"64\""), "{}", page());
    settle(&site);
    site.write("static/covers/newer.png", png(1400, 700));
    let err = rebuild_and_check(&site, "its cover resized");
    assert_eq!(figure(&err, "digests parsed").0, 1, "{err}");
    assert_eq!(reached(&err), Some(1), "{err}");
    assert!(
        page().contains("width=\"1400\" height=\"700\""),
        "{}",
        page()
    );

    // A file no page reads (put there for download): copied, and no page made.
    settle(&site);
    site.write("static/files/notes.pdf", "%PDF notes");
    let err = rebuild_and_check(&site, "a file for download");
    assert_eq!(reached(&err), Some(0), "{err}");
    assert_eq!(counts(&err).map(|c| c.0), Some(1), "{err}");

    // The site's image is on every page: it still declares every page.
    replace_in(
        &site,
        "castdown.yaml",
        "base_url:",
        "image: /covers/site.png\nbase_url:",
    );
    site.write("static/covers/site.png", png(64, 64));
    rebuild_and_check(&site, "the site's image named");
    settle(&site);
    site.write("static/covers/site.png", png(1400, 1400));
    let err = rebuild_and_check(&site, "the site's image resized");
    declared_every_page(
        &err,
        "a standalone page, a curated description, or the site's",
    );
}

/// A transcript's text mended (the same file) is shown by its episode's own pages and
/// `digest.json` only: the build reaches that digest, as for a body edit. It declared every
/// page until December 2026. A transcript the digest stops naming still changes the model.
#[test]
fn a_transcript_edit_reaches_only_its_episode() {
    let site = demo_built_and_kept();
    let vtt = "content/episodes/2025/partnership-without-exclusivity.vtt";
    replace_in(&site, vtt, "Welcome back", "Hello again");
    let err = rebuild_and_check(&site, "a transcript's text mended");
    assert_eq!(reached(&err), Some(1), "{err}");
    let page = std::fs::read_to_string(
        site.public()
            .join("episodes/partnership-without-exclusivity/transcript/index.html"),
    )
    .unwrap_or_default();
    assert!(page.contains("Hello again"), "{page}");

    // Its transcript and its body at once, with a title edit of another digest.
    settle(&site);
    replace_in(&site, vtt, "Hello again", "Welcome back once more");
    replace_in(
        &site,
        "content/episodes/2025/partnership-without-exclusivity.md",
        "## ",
        "## Revised: ",
    );
    replace_in(
        &site,
        "content/episodes/2025/flaky-tests.md",
        "title: \"Flaky tests",
        "title: \"Flaky Tests",
    );
    let err = rebuild_and_check(&site, "a transcript, its body and another title");
    assert_eq!(reached(&err), Some(2), "{err}");

    replace_in(
        &site,
        "content/episodes/2025/partnership-without-exclusivity.md",
        "transcript: partnership-without-exclusivity.vtt\n",
        "",
    );
    let err = rebuild_and_check(&site, "the transcript no longer named");
    declared_every_page(
        &err,
        "content/episodes/2025/partnership-without-exclusivity.md",
    );
}

/// A definition edited in a digest reaches what shows the digest's card and, for each of
/// its concepts, the pages comparing definitions and the digests borrowing one, as serve's
/// one-episode path does. It declared every page until December 2026.
#[test]
fn a_definition_edit_reaches_the_pages_comparing_it() {
    let site = demo_built_and_kept();
    let rel = "content/episodes/2025/flaky-tests.md";
    replace_in(
        &site,
        rel,
        "definition: A test that passes and fails on the same code",
        "definition: A test that passes, then fails, on the same code",
    );
    let err = rebuild_and_check(&site, "a definition reworded");
    assert_eq!(reached(&err), Some(1), "{err}");

    // Taken away (the concept named without a definition: it borrows the most common),
    // beside a body edit of another digest.
    settle(&site);
    replace_in(
        &site,
        rel,
        "\n    definition: A test that passes, then fails, on the same code, usually because of timing or shared state.",
        "",
    );
    replace_in(
        &site,
        "content/episodes/2024/summaries-and-trust.md",
        "## ",
        "## Revised: ",
    );
    let err = rebuild_and_check(&site, "a definition taken away");
    assert_eq!(reached(&err), Some(2), "{err}");
}

/// Which people a digest names, edited (a guest added or taken away, each named by other
/// digests too), reaches the digest's card, every page and feed of those people, the lists
/// of people and the first page of its show (whose profile counts people). It declared
/// every page until December 2026; a person no other digest names still does.
#[test]
fn a_people_edit_reaches_the_pages_of_those_people() {
    // Two episodes a page: the edited digest is on its show's second page, away from the
    // profile on the first; every episode of a person in their feed.
    let site = Site::fixture("demo");
    replace_in(&site, "castdown.yaml", "paginate: 6", "paginate: 2");
    build(&site, &[]);
    settle(&site);
    let rel = "content/episodes/2024/debt-as-a-loan.md";
    replace_in(
        &site,
        rel,
        "people: [Mara Okafor]",
        "people: [Mara Okafor, Sam Lindqvist]",
    );
    let err = rebuild_and_check(&site, "a guest added");
    assert_eq!(reached(&err), Some(1), "{err}");

    settle(&site);
    replace_in(
        &site,
        rel,
        "people: [Mara Okafor, Sam Lindqvist]",
        "people: [Mara Okafor]",
    );
    let err = rebuild_and_check(&site, "a guest taken away");
    assert_eq!(reached(&err), Some(1), "{err}");

    settle(&site);
    replace_in(
        &site,
        "content/episodes/2025/flaky-tests.md",
        "people: [Mara Okafor, Sam Lindqvist]",
        "people: [Sam Lindqvist, Mara Okafor]",
    );
    let text = std::fs::read_to_string(site.root().join(rel)).unwrap_or_default();
    site.write(rel, format!("{text}\nA line mended.\n"));
    let err = rebuild_and_check(&site, "two guests reordered, another digest's body");
    assert_eq!(reached(&err), Some(2), "{err}");

    settle(&site);
    replace_in(
        &site,
        rel,
        "people: [Mara Okafor]",
        "people: [Mara Okafor, Nobody Else]",
    );
    let err = rebuild_and_check(&site, "a person no other digest names");
    declared_every_page(&err, "an edit names a person no other digest names");
}

/// Regression: a cover beside its digest (`image: covered.png`) gives its width and height to
/// the pages showing the episode. Resized, it made the build parse the digest again, which
/// compared as unchanged: every page kept the old size, unlike a clean build.
#[test]
fn regression_a_cover_beside_its_digest_resized_kept_its_old_size_on_pages() {
    let site = many_digests();
    site.write("content/episodes/covered.png", png(64, 64));
    site.write(
        "content/episodes/covered.md",
        "---\ntitle: Covered\nshow: Beta Show\ndate: 2020-05-05\nimage: covered.png\nconcepts: [Topic 1]\n---\nA body.\n",
    );
    build(&site, &[]);
    settle(&site);
    site.write("content/episodes/covered.png", png(1400, 700));
    let err = rebuild_and_check(&site, "cover beside its digest resized");
    // What shows its card, not every page.
    assert_eq!(reached(&err), Some(1), "{err}");
    let page = std::fs::read_to_string(site.public().join("episodes/covered/index.html"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(page.contains("width=\"1400\" height=\"700\""), "{page}");
}

/// Regression: with `--future`, a digest dated ahead is published and its card says it is
/// scheduled until the date passes; a build after that must say otherwise on every page
/// that shows the card, though no file changed.
#[test]
fn a_scheduled_episode_whose_date_passed_is_shown_as_published() {
    let site = demo_with_one_episode_in_feeds();
    let soon = std::time::SystemTime::now() + std::time::Duration::from_secs(8);
    let secs = soon
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_else(|e| panic!("{e}"));
    let date = jiff::Timestamp::from_second(secs as i64)
        .unwrap_or_else(|e| panic!("{e}"))
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    site.write(
        "content/episodes/2025/soon.md",
        format!("---\ntitle: Coming soon\nshow: The Build Log\ndate: {date}\n---\n\nSoon.\n"),
    );
    build_timed_with(&site, &["--future"]);
    std::thread::sleep(RACY);
    build_timed_with(&site, &["--future"]);
    while std::time::SystemTime::now() <= soon + std::time::Duration::from_millis(200) {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    replace_in(
        &site,
        "content/episodes/2024/summaries-and-trust.md",
        "## ",
        "## Revised: ",
    );
    let err = rebuild_and_check_with(&site, "a scheduled date passed", &["--future"]);
    assert_eq!(reached(&err), None, "{err}");
}

/// Regression: a full build (`--clean`, a first build, a new castdown) gave the search
/// index's files no fingerprint in its record, so the build after it found none of them
/// kept and compressed the whole index again, although not one of its bytes changed.
#[test]
fn regression_the_build_after_a_full_one_compressed_the_whole_search_index_again() {
    let site = Site::fixture("demo");
    let err = build_timed_with(&site, &["--clean"]);
    let (compressed, files) = figure(&err, "search files compressed");
    assert!(files > 10, "{err}");
    assert_eq!(
        compressed, files,
        "a full build compresses every file:\n{err}"
    );
    let err = build_timed(&site);
    assert_eq!(
        figure(&err, "search files compressed"),
        (0, files),
        "nothing changed:\n{err}"
    );
    assert_eq!(counts(&err).map(|c| c.0), Some(0), "{err}");
    // A title edit compresses the files whose JSON changed, and only those.
    replace_in(
        &site,
        "content/episodes/2025/flaky-tests.md",
        "Flaky tests: quarantine, fix, or delete?",
        "Flaky tests: quarantine, fix, or delete? Zyzzogeton",
    );
    let err = rebuild_and_check(&site, "title edit");
    let (compressed, of) = figure(&err, "search files compressed");
    assert!(compressed > 0 && compressed < of, "{err}");
    assert_eq!(figure(&build_timed(&site), "search files compressed").0, 0);
}

/// A case of new digests: what it is, the files added, and how many digests the build
/// says changed (`None`: every page declared).
type NewDigests = (&'static str, Vec<(&'static str, String)>, Option<usize>);

/// A digest file for these tests.
fn digest_text(title: &str, show: &str, date: &str, people: &str, concepts: &str) -> String {
    format!(
        "---\ntitle: {title}\nshow: {show}\ndate: {date}\npeople: [{people}]\nconcepts:\n{concepts}---\n\nWhat was said in {title}.\n\n## Part one\n\nMore of it.\n"
    )
}

/// New digests reach only what shows them: every home page (they shift), every page of
/// their terms' lists, the lists of terms, the pages naming them (related, previous and
/// next, borrowed definitions), and the episodes whose related episodes moved. Each case
/// is checked against a clean build byte for byte, and says whether it took that path
/// (`digests changed`) or declared every page, and why.
#[test]
fn a_new_digest_reaches_only_what_shows_it() {
    let cases: [NewDigests; 6] = [
        (
            "the newest digest, of known terms, borrowing a definition",
            vec![(
                "content/episodes/2025/newest.md",
                digest_text(
                    "Newest",
                    "The Build Log",
                    "2025-11-20",
                    "Mara Okafor",
                    "  - Flaky Test\n  - name: Monorepo\n    definition: Many projects in one repository.\n",
                ),
            )],
            Some(1),
        ),
        (
            "an older digest between two of its show's, making a definition the common one",
            vec![(
                "content/episodes/2024/backdated.md",
                digest_text(
                    "Backdated",
                    "The Build Log",
                    "2024-12-20",
                    "Sam Lindqvist",
                    "  - name: Platform Risk\n    definition: The danger of building a business on a partner who can change the rules.\n  - Unit Economics\n",
                ),
            )],
            Some(1),
        ),
        (
            "new concept, show and person",
            vec![(
                "content/episodes/2025/all-new.md",
                digest_text(
                    "All new",
                    "A Brand New Show",
                    "2025-05-05",
                    "Nobody Before",
                    "  - name: Zebra Striping\n    definition: Alternating row colours.\n",
                ),
            )],
            Some(1),
        ),
        (
            "two at once",
            vec![
                (
                    "content/episodes/2025/one.md",
                    digest_text(
                        "One",
                        "Signal & Noise",
                        "2025-03-03",
                        "Ana Ruiz",
                        "  - Attention Economy\n",
                    ),
                ),
                (
                    "content/episodes/2024/two.md",
                    digest_text(
                        "Two",
                        "Founders at Lunch",
                        "2024-02-02",
                        "Priya Raman",
                        "  - Corporate Polyamory\n",
                    ),
                ),
            ],
            Some(2),
        ),
        (
            "a spelling that renames a concept",
            vec![(
                "content/episodes/2025/respelled.md",
                digest_text(
                    "Respelled",
                    "Founders at Lunch",
                    "2025-01-15",
                    "Jonas Weller",
                    "  - name: Compute Resources\n    definition: Chips and power.\n",
                ),
            )],
            None,
        ),
        (
            "a draft",
            vec![(
                "content/episodes/2025/draft-two.md",
                "---\ntitle: Not yet\ndraft: true\ndate: 2025-11-21\n---\n\nLater.\n".to_string(),
            )],
            Some(0),
        ),
    ];
    for (what, files, expected) in cases {
        let site = demo_built_and_kept();
        for (path, text) in &files {
            site.write(path, text);
        }
        let err = rebuild_and_check(&site, what);
        assert_eq!(reached(&err), expected, "{what}:\n{err}");
        if expected.is_some() {
            // Fewer bodies than every one: the pages that do not show them are kept.
            let (rendered, of) = figure(&err, "bodies rendered");
            assert!(rendered < of, "{what}: {rendered} of {of}\n{err}");
        }
    }
}

/// A new digest beside an edit to another (a typo mended in last week's digest as this
/// week's is published) reaches what each reaches: the edit keeps the model's shape, so
/// the new digest is placed among the previous build's order, terms and definitions. It
/// declared every page until December 2026. An edit that changes the model or a
/// definition beside it still declares every page.
#[test]
fn a_new_digest_beside_an_edit_reaches_what_both_reach() {
    let site = demo_built_and_kept();
    let newest = |title: &str, date: &str| {
        digest_text(
            title,
            "The Build Log",
            date,
            "Mara Okafor",
            "  - Flaky Test\n",
        )
    };
    site.write(
        "content/episodes/2025/newest.md",
        newest("Newest", "2025-11-20"),
    );
    replace_in(
        &site,
        "content/episodes/2024/summaries-and-trust.md",
        "## ",
        "## Revised: ",
    );
    let err = rebuild_and_check(&site, "new digest and a body edit");
    assert_eq!(reached(&err), Some(2), "{err}");

    settle(&site);
    site.write(
        "content/episodes/2025/newer.md",
        newest("Newer", "2025-11-27"),
    );
    replace_in(
        &site,
        "content/episodes/2025/flaky-tests.md",
        "title: \"Flaky tests",
        "title: \"Flaky Tests",
    );
    let err = rebuild_and_check(&site, "new digest and a title edit");
    assert_eq!(reached(&err), Some(2), "{err}");

    settle(&site);
    site.write(
        "content/episodes/2025/newer-still.md",
        newest("Newer still", "2025-11-28"),
    );
    replace_in(
        &site,
        "content/episodes/2025/flaky-tests.md",
        "title: \"Flaky Tests",
        "title: \"Flaky tests",
    );
    let date = std::fs::read_to_string(site.root().join("content/episodes/2025/flaky-tests.md"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("date: "))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("flaky-tests.md has a date line"));
    replace_in(
        &site,
        "content/episodes/2025/flaky-tests.md",
        &date,
        "date: 2025-01-02",
    );
    let err = rebuild_and_check(&site, "new digest and a date edit");
    declared_every_page(
        &err,
        "content/episodes/2025/flaky-tests.md: the edit changes the model",
    );
}

/// New digests published, or some of them removed again, beside edits to other digests'
/// bodies, cards and people, drawn at random (the random sequences above draw a new or removed
/// digest beside another digest's edit in about one step in fifty): every build is a
/// clean build's byte for byte, and most reach only what the changes show. `CASTDOWN_REUSE_STEPS` and `CASTDOWN_REUSE_SEED` make a
/// longer run or replay one.
#[test]
fn digests_added_or_removed_beside_random_edits_build_what_a_clean_build_does() {
    let (steps, seed) = edits::steps_and_seed(6);
    let mut rng = common::Rng(seed | 1);
    let site = demo_built_and_kept();
    let published = [
        "2024/attention-economy",
        "2024/debt-as-a-loan",
        "2024/summaries-and-trust",
        "2025/flaky-tests",
        "2025/model-costs-falling",
        "2025/monorepo-migration",
        "2025/partnership-without-exclusivity",
        "2025/platform-risk-app-stores",
    ];
    let concepts = ["Flaky Test", "Monorepo", "Platform Risk", "Technical Debt"];
    let mut reaching = 0;
    // The digests this test added, which it may remove again.
    let mut fresh: Vec<String> = Vec::new();
    for step in 0..steps {
        let mut what = format!("CASTDOWN_REUSE_SEED={seed}, step {step}:");
        let date = format!(
            "{}-{:02}-{:02}",
            2023 + rng.below(3),
            1 + rng.below(12),
            1 + rng.below(28)
        );
        let concept = match rng.below(4) {
            0 => format!("Fresh Idea {step}"),
            _ => rng.pick(&concepts).to_string(),
        };
        let person = rng.pick(&["Mara Okafor", "Sam Lindqvist"]);
        if !fresh.is_empty() && rng.below(3) == 0 {
            let rel: String = fresh.swap_remove(rng.below(fresh.len()));
            std::fs::remove_file(site.root().join(&rel)).unwrap_or_else(|e| panic!("{e}"));
            what.push_str(&format!(" {rel} removed;"));
        } else {
            let rel = format!("content/episodes/2025/fresh-{step}.md");
            site.write(
                &rel,
                digest_text(
                    &format!("Fresh {step}"),
                    "The Build Log",
                    &date,
                    person,
                    &format!("  - {concept}\n"),
                ),
            );
            what.push_str(&format!(" {rel} new ({date}, {concept});"));
            fresh.push(rel);
        }
        for _ in 0..1 + rng.below(2) {
            let rel = format!("content/episodes/{}.md", rng.pick(&published));
            let path = site.root().join(&rel);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
            // Every digest here has a title, a duration and a people line.
            let set = |key: &str, value: String| -> String {
                text.lines()
                    .map(|l| match l.starts_with(&format!("{key}: ")) {
                        true => format!("{key}: {value}\n"),
                        false => format!("{l}\n"),
                    })
                    .collect()
            };
            let edited = match rng.below(4) {
                0 => {
                    what.push_str(&format!(" {rel} body;"));
                    format!("{text}\nMended at step {step}.\n")
                }
                3 => {
                    let people: Vec<&str> = (0..1 + rng.below(2))
                        .map(|_| {
                            rng.pick(&["Mara Okafor", "Sam Lindqvist", "Tomás Berg", "Priya Raman"])
                        })
                        .collect();
                    let people = format!("[{}]", people.join(", "));
                    what.push_str(&format!(" {rel} people {people};"));
                    set("people", people)
                }
                1 => {
                    what.push_str(&format!(" {rel} title;"));
                    set("title", format!("\"Retitled at step {step}\""))
                }
                _ => {
                    let minutes = 10 + rng.below(80);
                    what.push_str(&format!(" {rel} duration {minutes}:00;"));
                    set("duration", format!("\"{minutes}:00\""))
                }
            };
            std::fs::write(&path, edited).unwrap_or_else(|e| panic!("{rel}: {e}"));
        }
        let err = rebuild_and_check(&site, &what);
        if reached(&err).is_some() {
            reaching += 1;
        }
        if rng.below(2) == 0 {
            std::thread::sleep(RACY);
        }
    }
    assert!(
        reaching * 2 >= steps,
        "only {reaching} of {steps} builds reached what the changes show"
    );
}

/// A digest naming a concept without defining it shows the concept's most common
/// definition. A new digest that makes another wording the most common reaches it.
#[test]
fn a_new_digest_that_makes_another_definition_common_reaches_the_digests_borrowing_it() {
    let site = demo_with_one_episode_in_feeds();
    site.write(
        "content/episodes/2024/borrower.md",
        digest_text(
            "Borrower",
            "Signal & Noise",
            "2024-03-03",
            "Ana Ruiz",
            "  - Platform Risk\n",
        ),
    );
    build(&site, &[]);
    settle(&site);
    let page = site.public().join("episodes/borrower/index.html");
    let before = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{e}"));
    let wording = "The danger of building a business on a partner who can change the rules.";
    assert!(!before.contains(wording), "{before}");
    site.write(
        "content/episodes/2024/backdated.md",
        digest_text(
            "Backdated",
            "The Build Log",
            "2024-12-20",
            "Sam Lindqvist",
            &format!("  - name: Platform Risk\n    definition: {wording}\n"),
        ),
    );
    let err = rebuild_and_check(&site, "a definition made the common one");
    assert_eq!(reached(&err), Some(1), "{err}");
    let after = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{e}"));
    assert!(after.contains(wording), "{after}");
}

/// What a build says of its search index: `Some(chunks made)` when it patched the previous
/// build's, `None` when it made it whole.
fn patched_chunks(err: &str) -> Option<usize> {
    let line = err
        .lines()
        .find(|l| l.contains("search index patched: postings chunks made "))?;
    line.split("made ").nth(1)?.split(' ').next()?.parse().ok()
}

/// A build that finds the output and the kept words of the last one patches its search
/// index: it counts only the documents that changed, takes the others out of the lists
/// that held them, and makes only the postings files of the stems they use. The index is a
/// clean build's, byte for byte, after every kind of edit: a new word, a word's last use
/// removed, a stem whose most common spelling changes, a title, a new digest on a day
/// others have (their ids move), a removal, and a list past the size that gets a file of
/// its own. An edit that moves the rounded average length makes the index whole.
#[test]
fn a_build_patches_the_search_index_and_it_is_a_clean_builds() {
    let site = Site::empty("base_url: https://e.example/\n");
    // 800 digests (a list of all of them has a file of its own), 16 to a day, each with
    // words of its own and shared ones; `market` in every fourth, `markets` in every
    // fifth (the stem's surface is `market`).
    let body = |i: usize| -> String {
        let mut words: Vec<String> = (0..8 + i % 11).map(|j| word(i * 50 + j)).collect();
        words.extend((0..6).map(|j| word(100_000 + (i * 7 + j * 13) % 90)));
        if i.is_multiple_of(4) {
            words.push("market".into());
        }
        if i.is_multiple_of(5) {
            words.push("markets".into());
        }
        format!("Everyone shares this, {}.", words.join(" "))
    };
    for i in 0..800 {
        site.write(
            &format!("content/episodes/e{i:03}.md"),
            format!(
                "---\ntitle: Note {i}\ndate: 2020-{:02}-{:02}\n---\n{}\n",
                i / 16 / 28 + 1,
                i / 16 % 28 + 1,
                body(i)
            ),
        );
    }
    build(&site, &[]);
    let ep = |i: usize| format!("content/episodes/e{i:03}.md");
    let own_file = |site: &Site| {
        tree(&site.public())
            .keys()
            .any(|p| p.starts_with("search/p/b"))
    };
    assert!(own_file(&site), "no list has a file of its own");
    // Nothing changed: nothing counted, every postings file kept.
    let err = rebuild_and_check(&site, "no edit");
    assert_eq!(patched_chunks(&err), Some(0), "{err}");
    type Edit<'s> = (&'static str, Box<dyn Fn() + 's>);
    let edits: Vec<Edit> = vec![
        (
            "a new word",
            Box::new(|| replace_in(&site, &ep(3), "Everyone", "Zygomorphic everyone")),
        ),
        (
            "its last use removed",
            Box::new(|| replace_in(&site, &ep(3), "Zygomorphic everyone", "Everyone")),
        ),
        (
            "the surface of a stem changes",
            Box::new(|| {
                for i in (1..800).step_by(4).take(60) {
                    replace_in(&site, &ep(i), "Everyone", "Markets everyone");
                }
            }),
        ),
        (
            "a title",
            Box::new(|| replace_in(&site, &ep(500), "title: Note 500", "title: Quokka notes")),
        ),
        (
            "a new digest on a day others have",
            Box::new(|| {
                site.write(
                    "content/episodes/d-new.md",
                    "---\ntitle: Aardvark\ndate: 2020-01-02\n---\nEveryone shares aardvarks.\n",
                );
            }),
        ),
        (
            "a removal",
            Box::new(|| {
                std::fs::remove_file(site.root().join(ep(17))).unwrap_or_else(|e| panic!("{e}"))
            }),
        ),
    ];
    // The spelling "Did you mean" offers for the stem `market`.
    let surface = |site: &Site| {
        let t = tree(&site.public());
        let manifest: serde_json::Value = t
            .get("search/manifest.json")
            .and_then(|(bytes, ..)| serde_json::from_slice(bytes).ok())
            .unwrap_or_default();
        let chunks = manifest["post_chunks"].as_u64().unwrap_or(1) as u32;
        let file = format!(
            "search/p/{}.json.gz",
            castdown::search::fnv1a("market") % chunks
        );
        index_json(&t, &file)["s"]["market"].clone()
    };
    assert_eq!(surface(&site), serde_json::Value::Null);
    for (what, edit) in &edits {
        edit();
        let err = rebuild_and_check(&site, what);
        let made = patched_chunks(&err).unwrap_or_else(|| panic!("{what}: not patched\n{err}"));
        assert!(made > 0, "{what}: no postings file made\n{err}");
    }
    assert_eq!(surface(&site), "markets");
    // A digest as long as all the others together: the rounded average moves, and every
    // weight with it.
    let long: Vec<String> = (0..12_000).map(|j| word(500_000 + j % 3000)).collect();
    site.write(
        "content/episodes/long.md",
        format!(
            "---\ntitle: Long\ndate: 2021-01-01\n---\n{}\n",
            long.join(" ")
        ),
    );
    let err = rebuild_and_check(&site, "the average moves");
    assert!(patched_chunks(&err).is_none(), "{err}");
    assert!(
        err.contains("search index made whole: the average"),
        "{err}"
    );
    assert!(own_file(&site));
}

/// A patched index changes a stem's "Did you mean" spelling when another of its words
/// becomes the commonest, even when no weight moves: a digest that says `market` thirty
/// times says `markets` once instead (the stem's frequency and the digest's length are as
/// they were), and `markets` is now in more digests than `market`.
#[test]
fn a_spelling_becoming_the_commonest_changes_the_surface_though_no_weight_moves() {
    let site = Site::empty("base_url: https://e.example/\n");
    let digest = |i: usize, body: &str| {
        format!(
            "---\ntitle: Note {i}\ndate: 2020-01-{:02}\n---\n{body}\n",
            i + 1
        )
    };
    for i in 0..4 {
        site.write(
            &format!("content/episodes/s{i}.md"),
            digest(i, "Some markets here."),
        );
    }
    for i in 4..7 {
        site.write(
            &format!("content/episodes/m{i}.md"),
            digest(i, "One market here."),
        );
    }
    let thirty = vec!["market"; 30].join(" ");
    site.write("content/episodes/x.md", digest(9, &thirty));
    build(&site, &[]);
    let surface = |site: &Site| {
        let t = tree(&site.public());
        t.iter()
            .filter(|(p, _)| p.starts_with("search/p/"))
            .find_map(|(p, _)| {
                let s = index_json(&t, p)["s"]["market"].clone();
                (!s.is_null()).then_some(s)
            })
            .unwrap_or_default()
    };
    assert_eq!(surface(&site), serde_json::Value::Null);
    let once = format!("{} markets", vec!["market"; 29].join(" "));
    replace_in(&site, "content/episodes/x.md", &thirty, &once);
    let err = rebuild_and_check(&site, "one market made markets");
    assert!(patched_chunks(&err).is_some(), "{err}");
    assert_eq!(surface(&site), "markets");
}

/// A postings file changed or removed by hand is never patched nor kept: the build makes
/// the index whole, says why, and the output is a clean build's. Whether the file is one a
/// patch reads back (its stems changed) or one it would keep.
#[test]
fn a_postings_file_changed_by_hand_makes_the_search_index_whole() {
    let site = Site::empty("base_url: https://e.example/\n");
    for i in 0..300 {
        let own: Vec<String> = (0..40 + i % 30).map(|j| word(i * 100 + j)).collect();
        write_note(&site, i, &own);
    }
    build(&site, &[]);
    let postings = || -> Vec<String> {
        tree(&site.public())
            .keys()
            .filter(|p| p.starts_with("search/p/"))
            .cloned()
            .collect()
    };
    assert!(postings().len() >= 8, "{:?}", postings());
    let whole = "search index made whole: a postings file is not as the record says";
    // One chunk changed, nothing edited: every chunk would be kept.
    let first = site.public().join(&postings()[3]);
    let mut bytes = std::fs::read(&first).unwrap_or_else(|e| panic!("{e}"));
    bytes.push(0);
    std::fs::write(&first, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "a kept chunk changed by hand");
    assert!(err.contains(whole), "{err}");
    // Every chunk changed, a body edited: the chunks its stems are in are read back.
    for p in postings() {
        let file = site.public().join(&p);
        let mut bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
        bytes.push(0);
        std::fs::write(&file, &bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    replace_in(
        &site,
        "content/episodes/e007.md",
        "Shared ground",
        "Quagga ground",
    );
    let err = rebuild_and_check(&site, "read-back chunks changed by hand");
    assert!(err.contains(whole), "{err}");
    // Removed.
    std::fs::remove_file(site.public().join(&postings()[0])).unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "a chunk removed by hand");
    assert!(err.contains(whole), "{err}");
    // And the build after patches again.
    replace_in(
        &site,
        "content/episodes/e007.md",
        "Quagga ground",
        "Shared ground",
    );
    let err = rebuild_and_check(&site, "the edit undone");
    assert!(patched_chunks(&err).is_some(), "{err}");
}

/// Random sequences of edits (`common::edits`), one to three between builds, each build on disk
/// checked against a clean build of the same files (bytes, untouched files kept, the
/// summary's counts), half of them after the clock tick that lets the next build take the
/// previous build's parsed digests. A small seeded run is part of every test run; for a
/// longer one, or to replay a failure, set `CASTDOWN_REUSE_STEPS` and `CASTDOWN_REUSE_SEED`.
#[test]
fn random_sequences_of_edits_build_what_a_clean_build_does() {
    let (steps, seed) = edits::steps_and_seed(12);
    let (site, mut editor) = edits::demo_to_edit(seed);
    let (drafts, future) = edits::options(seed);
    let mut extra = Vec::new();
    if drafts {
        extra.push("--drafts");
    }
    if future {
        extra.push("--future");
    }
    editor.note(0, &format!("builds with {extra:?}"));
    build(&site, &extra);
    for step in 0..steps {
        if editor.rng.below(2) == 0 {
            std::thread::sleep(RACY);
        }
        // Now and then a build that fails: it leaves the output as it was, and the next
        // build (after the broken file goes) is still a clean build's.
        if editor.rng.below(8) == 0 {
            editor.note(step, "a failed build");
            let before = tree(&site.public());
            edits::write_broken(&site);
            let mut args = vec!["build"];
            args.extend_from_slice(&extra);
            let out = site.run(&args);
            assert!(!out.status.success(), "a broken digest built");
            assert!(
                tree(&site.public()) == before,
                "{}: a failed build changed the output",
                editor.history()
            );
            std::fs::remove_file(site.root().join(edits::BROKEN)).unwrap_or_else(|e| panic!("{e}"));
        }
        editor.step(&site, step);
        let what = editor.history();
        rebuild_and_check_with(&site, &what, &extra);
    }
}

/// Regression: a title edit (which reaches the pages showing the episode's card) of an
/// episode with a show or person whose index was past the last concept's panicked: the
/// pages a concept's definitions reach were looked up with the show's or person's index
/// among the concepts. Found by `random_sequences_of_edits_build_what_a_clean_build_does`.
#[test]
fn regression_a_card_edit_of_an_episode_with_more_people_than_concepts_panicked() {
    let site = Site::empty("title: People\nbase_url: https://people.example/\n");
    for (i, person) in ["Ann Alpha", "Bob Beta", "Cy Gamma"].iter().enumerate() {
        site.write(
            &format!("content/episodes/e{i}.md"),
            format!(
                "---\ntitle: Episode {i}\ndate: 2024-01-0{}\npeople: [{person}]\nconcepts: [Only One]\n---\nBody {i}.\n",
                i + 1
            ),
        );
    }
    build(&site, &[]);
    replace_in(
        &site,
        "content/episodes/e2.md",
        "title: Episode 2",
        "title: Renamed",
    );
    let err = rebuild_and_check(&site, "title edit");
    assert_eq!(reached(&err), Some(1), "{err}");
}

/// Regression: a digest removed reached its terms' feeds through the first episode each
/// term still had. A person kept by a curated page after their last digest went had no
/// episode left, and their feed kept the removed digest's entry. Found by
/// `random_sequences_of_edits_build_what_a_clean_build_does`.
#[test]
fn regression_the_last_digest_of_a_curated_person_removed_stayed_in_their_feed() {
    let site = demo_with_one_episode_in_feeds();
    assert!(site.root().join("content/people/mara-okafor.md").is_file());
    // Mara Okafor, who has a page of her own, is named by one digest only, whose other
    // terms other digests name too.
    for (path, from, to) in [
        (
            "content/episodes/2024/debt-as-a-loan.md",
            "people: [Mara Okafor]",
            "people: [Sam Lindqvist]",
        ),
        (
            "content/episodes/2025/flaky-tests.md",
            "[Mara Okafor, Sam Lindqvist]",
            "[Sam Lindqvist]",
        ),
        (
            "content/episodes/2025/monorepo-migration.md",
            "[Mara Okafor, Dee Akintola]",
            "[Dee Akintola]",
        ),
    ] {
        replace_in(&site, path, from, to);
    }
    let solo = "content/episodes/2025/solo.md";
    site.write(
        solo,
        "---\ntitle: Solo\nshow: The Build Log\ndate: 2025-06-01\npeople: [Mara Okafor]\nconcepts: [Technical Debt]\n---\nAlone.\n",
    );
    build(&site, &[]);
    settle(&site);
    assert!(site.read("people/mara-okafor/atom.xml").contains("<entry>"));
    std::fs::remove_file(site.root().join(solo)).unwrap_or_else(|e| panic!("{e}"));
    let err = rebuild_and_check(&site, "the last digest of a curated person removed");
    // The removal's own path, not a build that declares every page.
    assert!(reached(&err).is_some(), "{err}");
    let feed = site.read("people/mara-okafor/atom.xml");
    assert!(!feed.contains("<entry>"), "{feed}");
}

/// Regression: a body's Key Concepts list links each name to the concept it finds, through
/// aliases too; bodies were kept by a key that held the concepts' keys and slugs only, so
/// an alias added to a curated page left the body unlinked. Found by the random edit
/// sequences (serve's; this is the same key on disk).
#[test]
fn regression_a_kept_body_naming_a_concept_by_a_new_alias_was_not_linked() {
    let site = demo_with_one_episode_in_feeds();
    // Named by no digest's concepts: an alias adds no concept and moves no key.
    site.write(
        "content/episodes/2024/aliased.md",
        "---\ntitle: Aliased\ndate: 2024-03-03\nconcepts: [Platform Risk]\n---\nA body.\n\n## Key Concepts\n\n- **Debt Spiral**: what shortcuts cost later.\n",
    );
    build(&site, &[]);
    settle(&site);
    replace_in(
        &site,
        "content/concepts/technical-debt.md",
        "aliases: [Tech Debt]",
        "aliases: [Tech Debt, Debt Spiral]",
    );
    rebuild_and_check(&site, "an alias added to a curated concept");
    assert!(site.read("episodes/aliased/index.html").contains(
        "<a href=\"/digests/concepts/technical-debt/\"><strong>Debt Spiral</strong></a>"
    ));
}
