//! The incremental rebuild used by `serve` must produce exactly what a clean build produces,
//! after every kind of edit.

mod common;

use castdown::output::Body;
use castdown::pipeline::{BuildOptions, Caches, Incremental, Search, build_in_memory};
use common::{Site, edits, png};

/// A build as serve makes it, reusing `caches`.
fn build_cached(opts: &BuildOptions, caches: &mut Caches) -> Incremental {
    castdown::pipeline::build_incremental(opts, caches, Search::Rebuild)
        .unwrap_or_else(|e| panic!("incremental build failed: {e}"))
}

fn snapshot(out: &castdown::output::Output) -> Vec<(String, Vec<u8>)> {
    out.iter()
        .map(|(p, b)| {
            let bytes = match b {
                Body::Bytes(b) => b.as_slice().to_vec(),
                Body::Copy(path) => std::fs::read(path).unwrap_or_default(),
                Body::Written | Body::Kept(_) => {
                    panic!("{p}: on disk in an in-memory build")
                }
            };
            (p.clone(), bytes)
        })
        .collect()
}

fn assert_same_as_clean(site: &Site, caches: &mut Caches, what: &str) {
    let opts = BuildOptions {
        config: None,
        root: site.root().to_path_buf(),
        output: None,
        base_url: None,
        drafts: false,
        future: false,
        clean: false,
    };
    let incremental = castdown::pipeline::build_incremental(&opts, caches, Search::Rebuild)
        .unwrap_or_else(|e| panic!("{what}: incremental build failed: {e}"))
        .built;
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

/// Replaces `from` with `to` in the site's file `rel`, as an author's edit.
fn replace_in(site: &Site, rel: &str, from: &str, to: &str) {
    touch_later();
    let path = site.root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replace(from, to)).unwrap_or_default();
}

/// Curated show, person and concept files feed term pages, every card naming the term and
/// every term feed; config keys feed everything. Serve's rebuild after each edit, with the
/// caches of the builds before it and nothing cleared by hand, equals a clean build.
#[test]
fn edits_to_curated_files_and_config_keys_match_clean_builds() {
    let site = Site::fixture("demo");
    let mut caches = Caches::default();
    assert_same_as_clean(&site, &mut caches, "first build");
    let show = "content/shows/the-build-log.md";
    replace_in(
        &site,
        show,
        "website: https://example.com/build-log",
        "website: https://example.com/log\nimage: shows/log.png",
    );
    assert_same_as_clean(&site, &mut caches, "curated show: website and image");
    replace_in(
        &site,
        show,
        "A weekly engineering show",
        "A fortnightly engineering show",
    );
    assert_same_as_clean(&site, &mut caches, "curated show: description");
    replace_in(&site, show, "name: The Build Log", "name: The build log");
    assert_same_as_clean(&site, &mut caches, "curated show: display name");
    let person = "content/people/mara-okafor.md";
    replace_in(&site, person, "name: Mara Okafor", "name: Mara OKAFOR");
    assert_same_as_clean(&site, &mut caches, "curated person: display name");
    replace_in(
        &site,
        person,
        "former release engineer",
        "former build engineer",
    );
    assert_same_as_clean(&site, &mut caches, "curated person: description");
    let concept = "content/concepts/technical-debt.md";
    replace_in(
        &site,
        concept,
        "name: Technical Debt",
        "name: Technical debt",
    );
    assert_same_as_clean(&site, &mut caches, "curated concept: display name");
    replace_in(
        &site,
        concept,
        "aliases: [Tech Debt]",
        "aliases: [Tech Debt, Code Debt]",
    );
    assert_same_as_clean(&site, &mut caches, "curated concept: aliases");
    for (from, to, what) in [
        ("paginate: 6", "paginate: 4", "config: paginate"),
        (
            "title: Episode Digests",
            "title: Digests of Episodes",
            "config: title",
        ),
        ("feed_limit: 50", "feed_limit: 3", "config: feed_limit"),
        ("search: true", "search: false", "config: search"),
        (
            "theme: base16-ocean.light",
            "theme: InspiredGitHub",
            "config: highlight theme",
        ),
        (
            "https://example.com/digests/",
            "https://example.org/",
            "config: base_url",
        ),
    ] {
        replace_in(&site, "castdown.yaml", from, to);
        assert_same_as_clean(&site, &mut caches, what);
    }
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
        config: None,
        root: site.root().to_path_buf(),
        output: None,
        base_url: None,
        drafts: false,
        future: false,
        clean: false,
    };
    let mut caches = Caches::default();
    let first = build_cached(&opts, &mut caches).built;
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
    let second = build_cached(&opts, &mut caches).built;
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

/// What serve would be serving, by path.
type Served = std::collections::BTreeMap<String, Vec<u8>>;

/// Puts `files` (made in memory) into `served`, as serve patches its site; their paths.
fn patch(served: &mut Served, files: Vec<castdown::output::OutputFile>) -> Vec<String> {
    let mut paths = Vec::new();
    for f in files {
        let Body::Bytes(b) = f.body else {
            panic!("{}: not generated", f.path)
        };
        paths.push(f.path.clone());
        served.insert(f.path, b.as_slice().to_vec());
    }
    paths
}

/// Replaces the search index in `served` with `index`, as serve does once edits pause:
/// index files the new one does not have go.
fn replace_index(served: &mut Served, index: Vec<castdown::output::OutputFile>) {
    served.retain(|p, _| !castdown::search::is_index_file(p));
    patch(served, index);
}

/// Every file in `served` equals a clean build's of the site `opts` builds; the search
/// index's files too when `index_fresh`.
fn assert_served_is_clean(served: &Served, opts: &BuildOptions, what: &str, index_fresh: bool) {
    let clean = build_in_memory(opts, &|_| {})
        .unwrap_or_else(|e| panic!("{what}: clean build failed: {e}"));
    let clean: Served = snapshot(&clean.output).into_iter().collect();
    assert_eq!(
        served.keys().collect::<Vec<_>>(),
        clean.keys().collect::<Vec<_>>(),
        "{what}: different files"
    );
    for (p, bytes) in &clean {
        if !index_fresh && castdown::search::is_index_file(p) {
            continue;
        }
        let mine = served.get(p).map(Vec::as_slice).unwrap_or_default();
        assert!(
            mine == bytes.as_slice(),
            "{what}: {p} differs from a clean build, first at\n{}",
            common::first_difference(mine, bytes)
        );
    }
}

/// An edit as serve's one-episode path sees it: the new text of one digest, then
/// `rebuild_episode` instead of a build.
struct Edited {
    site: castdown::site::Site,
    memo: castdown::pipeline::Memo,
    caches: Caches,
    /// Whether the served search index was refreshed since the last edit.
    index_fresh: bool,
    /// What serve would be serving: the first build's files, patched after each edit.
    served: Served,
}

impl Edited {
    fn new(site: &Site) -> Edited {
        let mut caches = Caches::default();
        let Incremental { built, memo, .. } = build_cached(&options(site), &mut caches);
        Edited {
            served: snapshot(&built.output).into_iter().collect(),
            memo,
            caches,
            index_fresh: true,
            site: built.site,
        }
    }

    /// Replaces `from` with `to` in `rel` and redoes that episode alone; the files redone, or
    /// `None` when the edit needs a build.
    fn edit(&mut self, site: &Site, rel: &str, from: &str, to: &str) -> Option<Vec<String>> {
        let path = site.root().join(rel);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.contains(from), "{rel} has no {from:?}");
        std::fs::write(&path, text.replace(from, to)).unwrap_or_default();
        let files = castdown::pipeline::rebuild_episode(
            site.root(),
            &mut self.site,
            &mut self.memo,
            &path,
        )?;
        self.index_fresh = false;
        Some(patch(&mut self.served, files))
    }

    /// What serve does once edits pause: the search index made anew from the model and
    /// bodies the edits left, index files it no longer has removed.
    fn refresh_search(&mut self) {
        let files = castdown::pipeline::refresh_search(&mut self.caches, &self.site, &self.memo);
        replace_index(&mut self.served, files);
        self.index_fresh = true;
    }

    /// Every served file equals a clean build's; the search index too once refreshed.
    fn assert_same_as_clean(&self, site: &Site, what: &str) {
        assert_served_is_clean(&self.served, &options(site), what, self.index_fresh);
    }
}

fn options(site: &Site) -> BuildOptions {
    BuildOptions {
        config: None,
        root: site.root().to_path_buf(),
        output: None,
        base_url: None,
        drafts: false,
        future: false,
        clean: false,
    }
}

#[test]
fn one_episode_edits_redone_without_a_build_match_clean_builds() {
    let site = Site::fixture("demo");
    // The next episode of flaky-tests' show, sharing no concept with it: not in its related
    // list, yet its page links to flaky-tests as the previous episode, by title.
    site.write(
        "content/episodes/2025/neighbour.md",
        "---\ntitle: The next one\nshow: The Build Log\ndate: 2025-10-09\nconcepts: [Lonely Concept]\n---\nNothing in common.\n",
    );
    let mut ed = Edited::new(&site);
    let total = ed.served.len();
    let flaky = "content/episodes/2025/flaky-tests.md";
    // A title is on the home page, term pages, related lists, feeds and llms.txt.
    let files = ed
        .edit(&site, flaky, "quarantine, fix, or delete?", "revisited")
        .unwrap_or_else(|| panic!("a title edit took a build"));
    ed.assert_same_as_clean(&site, "title edit");
    assert!(
        files.len() < total / 2,
        "{} of {total}: {files:?}",
        files.len()
    );
    for f in [
        "index.html",
        "llms.txt",
        "atom.xml",
        "episodes/flaky-tests/index.html",
        "episodes/neighbour/index.html",
    ] {
        assert!(files.iter().any(|p| p == f), "{f} not redone: {files:?}");
    }
    for (what, from, to) in [
        // The first paragraph is the summary, which the lists show.
        (
            "summary edit",
            "cut CI re-runs by two thirds",
            "halved CI re-runs",
        ),
        // A definition is on the concept's page.
        (
            "definition edit",
            "timing or shared state",
            "timing or a shared cache",
        ),
        ("duration edit", "\"36:20\"", "\"41:05\""),
        ("source edit", "build-log/210", "build-log/211"),
    ] {
        ed.edit(&site, flaky, from, to)
            .unwrap_or_else(|| panic!("a {what} took a build"));
        ed.assert_same_as_clean(&site, what);
    }
    // The episode with a transcript: its transcript page shows the title too.
    let partner = "content/episodes/2025/partnership-without-exclusivity.md";
    let text = std::fs::read_to_string(site.root().join(partner)).unwrap_or_default();
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("title: "))
        .unwrap_or_else(|| panic!("{partner} has no title line"))
        .to_string();
    let files = ed
        .edit(&site, partner, &title, "\"Partners, renamed\"")
        .unwrap_or_else(|| panic!("a title edit took a build"));
    assert!(files.iter().any(|p| p.contains("transcript")), "{files:?}");
    ed.assert_same_as_clean(&site, "title edit with a transcript");
    // A body edit below the first paragraph: the page, its data and the site feeds.
    let files = ed
        .edit(&site, flaky, "## The policy", "## The policy we chose")
        .unwrap_or_else(|| panic!("a body edit took a build"));
    assert_eq!(files.len(), 5, "{files:?}");
    ed.assert_same_as_clean(&site, "body edit");
    // Once edits pause, serve refreshes the search index without a build: then every
    // file, the index included, is a clean build's.
    ed.refresh_search();
    ed.assert_same_as_clean(&site, "search index refreshed after the edits");
    // Saving the same text again redoes nothing.
    let files = ed.edit(
        &site,
        flaky,
        "## The policy we chose",
        "## The policy we chose",
    );
    assert_eq!(files, Some(Vec::new()));
    // What the model is computed from needs a build.
    assert_eq!(
        ed.edit(&site, flaky, "date: 2025-10-08", "date: 2025-10-09"),
        None
    );
}

/// Definitions are compared across digests, so an edit to one digest's definition reaches
/// the concept's first page, its full list of definitions, the glossary and the digests
/// that borrow the most common definition; a title edit reaches the digests crediting it.
#[test]
fn definition_edits_redone_without_a_build_reach_every_page_comparing_them() {
    let site = Site::fixture("tricky");
    let mut ed = Edited::new(&site);
    let borrower = "episodes/lockin-10/index.html";
    let before = ed.served.get(borrower).cloned().unwrap_or_default();
    assert!(String::from_utf8_lossy(&before).contains("Lock-in note 01"));
    // Note 01 stops giving the most common definition: the credit moves to note 06.
    let one = "content/episodes/definitions/lockin-01.md";
    let files = ed
        .edit(
            &site,
            one,
            "Depending on one vendor.",
            "Relying on a single vendor.",
        )
        .unwrap_or_else(|| panic!("a definition edit took a build"));
    for f in [
        borrower,
        "concepts/lock-in/index.html",
        "concepts/lock-in/definitions/index.html",
        "concepts/index.html",
        "concepts/by-count/index.html",
    ] {
        assert!(files.iter().any(|p| p == f), "{f} not redone: {files:?}");
    }
    ed.assert_same_as_clean(&site, "definition edit moving the credit");
    let after = ed.served.get(borrower).cloned().unwrap_or_default();
    assert!(String::from_utf8_lossy(&after).contains("Lock-in note 06"));
    // The credited digest's title is on the borrowing digest's page.
    let six = "content/episodes/definitions/lockin-06.md";
    let files = ed
        .edit(&site, six, "Lock-in note 06", "Lock-in note six")
        .unwrap_or_else(|| panic!("a title edit took a build"));
    assert!(files.iter().any(|p| p == borrower), "{files:?}");
    ed.assert_same_as_clean(&site, "title edit of the credited digest");
    // Founders Talk's fourth distinct definition merges with another: the full list of
    // definitions is no longer needed, which removes files, so that takes a build.
    let five = "content/episodes/definitions/lockin-05.md";
    assert_eq!(
        ed.edit(
            &site,
            five,
            "Data formats only one product reads.",
            "Contracts that punish leaving!"
        ),
        None
    );
}

/// Timestamps link to the media file or the video page, and headings with times are the
/// chapters: edits to either redo the page, the chapter files and the feeds, as a build would.
#[test]
fn chapter_timestamp_and_source_edits_redone_without_a_build_match_clean_builds() {
    let site = Site::fixture("listening");
    let mut ed = Edited::new(&site);
    let audio = "content/episodes/with-audio.md";
    let files = ed
        .edit(&site, audio, "## Middle [0:01]", "## The middle [0:01]")
        .unwrap_or_else(|| panic!("a chapter title edit took a build"));
    for f in [
        "episodes/with-audio/index.html",
        "episodes/with-audio/chapters.json",
        "episodes/with-audio/chapters.vtt",
        "rss.xml",
    ] {
        assert!(files.iter().any(|p| p == f), "{f} not redone: {files:?}");
    }
    ed.assert_same_as_clean(&site, "chapter title edit");
    ed.edit(&site, audio, "starts at [0:02]", "starts at [0:03]")
        .unwrap_or_else(|| panic!("a timestamp edit took a build"));
    ed.assert_same_as_clean(&site, "body timestamp edit");
    // Another video: every timestamp on the page links elsewhere.
    let video = "content/episodes/on-youtube.md";
    ed.edit(&site, video, "v=abcdefghijk", "v=zyxwvutsrqp")
        .unwrap_or_else(|| panic!("a source edit took a build"));
    ed.assert_same_as_clean(&site, "video source edit");
    // A digest's first chapter makes new files: that takes a build.
    assert_eq!(
        ed.edit(
            &site,
            "content/episodes/on-web.md",
            "Only a web page",
            "## Only [0:00]\n\nA web page"
        ),
        None
    );
}

#[test]
fn edits_to_what_the_model_is_computed_from_take_a_build() {
    let site = Site::fixture("demo");
    let flaky = "content/episodes/2025/flaky-tests.md";
    for (from, to) in [
        ("date: 2025-10-08", "date: 2021-01-01"),
        ("show: The Build Log", "show: Another Show"),
        ("name: Flaky Test", "name: Flaky Tests Everywhere"),
        ("Mara Okafor, ", ""),
        ("title:", "slug: renamed\ntitle:"),
        ("title:", "draft: true\ntitle:"),
        ("title:", "aliases: [old/]\ntitle:"),
    ] {
        let original = std::fs::read_to_string(site.root().join(flaky)).unwrap_or_default();
        let mut ed = Edited::new(&site);
        assert_eq!(ed.edit(&site, flaky, from, to), None, "{from} -> {to}");
        std::fs::write(site.root().join(flaky), original).unwrap_or_default();
    }
}

/// serve's build after a new digest, a removed one, one made a draft, a cover beside its
/// digest resized, a body edit and moves: byte for byte a clean build each time, declaring only
/// the pages that show what changed (a new digest beside a removed one declares every page).
#[test]
fn new_and_removed_digests_reach_only_what_shows_them() {
    let site = common::many_digests();
    let opts = options(&site);
    let mut caches = Caches::default();
    let first = build_cached(&opts, &mut caches);
    assert_eq!(first.reached, None, "nothing to reuse in a first build");
    let mut step = |what: &str| -> Option<usize> {
        touch_later();
        let incremental = build_cached(&opts, &mut caches);
        let clean = build_in_memory(&opts, &|_| {})
            .unwrap_or_else(|e| panic!("{what}: clean build failed: {e}"));
        let (a, b) = (snapshot(&incremental.built.output), snapshot(&clean.output));
        let paths = |s: &[(String, Vec<u8>)]| s.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&a), paths(&b), "{what}: different files");
        for ((p, x), (_, y)) in a.iter().zip(&b) {
            assert!(x == y, "{what}: {p} differs from a clean build");
        }
        incremental.reached
    };
    site.write(
        "content/episodes/zz-new.md",
        "---\ntitle: A new one\nshow: Beta Show\ndate: 2021-01-01\nconcepts: [Topic 2]\n---\nNew words.\n",
    );
    assert_eq!(step("new digest"), Some(1));
    std::fs::remove_file(site.root().join("content/episodes/e050.md")).unwrap_or_default();
    assert_eq!(step("removed digest"), Some(0));
    replace_in(
        &site,
        "content/episodes/e051.md",
        "title:",
        "draft: true\ntitle:",
    );
    assert_eq!(step("digest made a draft"), Some(0));
    site.write("content/episodes/covered.png", png(64, 64));
    site.write(
        "content/episodes/covered.md",
        "---\ntitle: Covered\nshow: Alpha Show\ndate: 2020-05-05\nimage: covered.png\nconcepts: [Topic 1]\n---\nA body.\n",
    );
    assert_eq!(step("new digest with a cover"), Some(1));
    site.write("content/episodes/covered.png", png(1400, 700));
    assert_eq!(step("its cover resized"), Some(1));
    replace_in(&site, "content/episodes/e060.md", "Body of", "The body of");
    assert_eq!(step("body edit"), Some(1));
    // Moved to another folder: the same digest, compared with its last version.
    std::fs::create_dir_all(site.root().join("content/episodes/moved")).unwrap_or_default();
    std::fs::rename(
        site.root().join("content/episodes/e070.md"),
        site.root().join("content/episodes/moved/e070.md"),
    )
    .unwrap_or_default();
    assert_eq!(step("moved"), Some(0));
    replace_in(
        &site,
        "content/episodes/moved/e070.md",
        "Body of",
        "Moved body of",
    );
    std::fs::rename(
        site.root().join("content/episodes/moved/e070.md"),
        site.root().join("content/episodes/e070.md"),
    )
    .unwrap_or_default();
    assert_eq!(step("moved back, edited"), Some(1));
    std::fs::remove_file(site.root().join("content/episodes/e061.md")).unwrap_or_default();
    site.write(
        "content/episodes/zz-newer.md",
        "---\ntitle: Newer\nshow: Gamma Show\ndate: 2021-02-02\nconcepts: [Theme 3]\n---\nWords.\n",
    );
    assert_eq!(step("one new, one removed"), None);
}

/// Regression: serve read a digest again only when it or its transcript changed. A file it
/// links to that appears beside it (an asset, copied beside its page), or its cover
/// resized, left its pages as they were, unlike a clean build.
#[test]
fn regression_a_file_a_digest_links_to_appearing_beside_it_was_not_seen_by_serve() {
    let site = Site::fixture("demo");
    let mut caches = Caches::default();
    site.write(
        "content/episodes/linking.md",
        "---\ntitle: Linking\nshow: The Build Log\ndate: 2025-01-05\n---\nSee [the notes](linking-notes.txt) and ![a chart](linking-chart.png).\n",
    );
    assert_same_as_clean(&site, &mut caches, "links to missing files");
    touch_later();
    site.write("content/episodes/linking-notes.txt", "notes");
    site.write("content/episodes/linking-chart.png", png(20, 10));
    assert_same_as_clean(&site, &mut caches, "the linked files appear");
    touch_later();
    std::fs::remove_file(site.root().join("content/episodes/linking-notes.txt"))
        .unwrap_or_default();
    assert_same_as_clean(&site, &mut caches, "one goes again");
}

/// serve keeps its caches after a failed build (a typo caught while typing): the build
/// after the fix reaches only the digest edited and is byte for byte a clean build,
/// whichever stage the failure stopped (loading a digest, the model: two digests of one
/// slug, or rendering a page). After a failed render the pages are declared again.
#[test]
fn a_build_after_a_failed_one_reuses_the_caches_and_matches_a_clean_build() {
    let site = common::many_digests();
    // A template that fails on a digest whose `extra` has `boom`.
    site.write(
        "templates/episode.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ episode.title }}</h1>\
         {% if episode.extra.boom %}{{ episode.extra.boom.nothing.here }}{% endif %}\
         {% endblock content %}",
    );
    let opts = options(&site);
    let mut caches = Caches::default();
    build_cached(&opts, &mut caches);
    let fails = |caches: &mut Caches, what: &str| {
        touch_later();
        let result = castdown::pipeline::build_incremental(&opts, caches, Search::Rebuild);
        assert!(result.is_err(), "{what}: the build should fail");
    };
    let fixed = |caches: &mut Caches, what: &str| {
        touch_later();
        let incremental = build_cached(&opts, caches);
        let clean = build_in_memory(&opts, &|_| {})
            .unwrap_or_else(|e| panic!("{what}: clean build failed: {e}"));
        assert_eq!(
            snapshot(&incremental.built.output),
            snapshot(&clean.output),
            "{what}: not a clean build's files"
        );
        assert_eq!(incremental.reached, Some(1), "{what}");
    };
    replace_in(
        &site,
        "content/episodes/e050.md",
        "title: ",
        "title: [broken ",
    );
    fails(&mut caches, "front matter broken");
    replace_in(
        &site,
        "content/episodes/e050.md",
        "title: [broken ",
        "title: Fixed ",
    );
    fixed(&mut caches, "front matter fixed");
    let copy = site.root().join("content/episodes/again/e051.md");
    std::fs::create_dir_all(copy.parent().unwrap_or(site.root())).unwrap_or_default();
    std::fs::copy(site.root().join("content/episodes/e051.md"), &copy).unwrap_or_default();
    fails(&mut caches, "a slug twice");
    std::fs::remove_dir_all(site.root().join("content/episodes/again")).unwrap_or_default();
    replace_in(&site, "content/episodes/e052.md", "Body of", "The body of");
    fixed(&mut caches, "the copy removed, another digest edited");
    replace_in(
        &site,
        "content/episodes/e053.md",
        "---\nBody",
        "extra: {boom: x}\n---\nBody",
    );
    fails(&mut caches, "a page fails to render");
    replace_in(&site, "content/episodes/e053.md", "extra: {boom: x}\n", "");
    touch_later();
    let incremental = build_cached(&opts, &mut caches);
    let clean = build_in_memory(&opts, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        snapshot(&incremental.built.output),
        snapshot(&clean.output),
        "after a failed render: not a clean build's files"
    );
    assert_eq!(
        incremental.reached, None,
        "every page declared after a failed render"
    );
}

/// Random sequences of edits (`common::edits`), one to three at a time, each redone as
/// serve redoes it: a change to one file by the one-episode path when it can
/// (`rebuild_episode`), else a build reusing the caches (the search index of the last one
/// kept), then the index refreshed as when edits pause. What is served must then be a
/// clean build's. A small seeded run is part of every test run; `CASTDOWN_REUSE_STEPS` and
/// `CASTDOWN_REUSE_SEED` make a longer one or replay a failure.
#[test]
fn random_sequences_of_edits_serve_what_a_clean_build_does() {
    let (steps, seed) = edits::steps_and_seed(40);
    let (site, mut editor) = edits::demo_to_edit(seed);
    let (drafts, future) = edits::options(seed);
    let opts = BuildOptions {
        drafts,
        future,
        ..options(&site)
    };
    editor.note(0, &format!("serves with drafts {drafts}, future {future}"));
    let mut caches = Caches::default();
    let Incremental { built, memo, .. } = build_cached(&opts, &mut caches);
    let mut served: Served = snapshot(&built.output).into_iter().collect();
    let mut last = Some((built.site, memo));
    for step in 0..steps {
        touch_later();
        // Now and then a build that fails: serve keeps serving the last good site, drops
        // the last model (the next change takes a build), and keeps its caches.
        if editor.rng.below(8) == 0 {
            editor.note(step, "a failed build");
            edits::write_broken(&site);
            last = None;
            assert!(
                castdown::pipeline::build_incremental(&opts, &mut caches, Search::ReuseLast)
                    .is_err(),
                "a broken digest built"
            );
            std::fs::remove_file(site.root().join(edits::BROKEN)).unwrap_or_else(|e| panic!("{e}"));
            touch_later();
        }
        // Every file of the site, as serve's watcher would report a change to it.
        let before = edits::files_under(site.root());
        editor.step(&site, step);
        let after = edits::files_under(site.root());
        let changed: Vec<&std::path::PathBuf> = before
            .keys()
            .chain(after.keys())
            .filter(|p| before.get(*p) != after.get(*p))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let what = editor.history();
        // What serve's watcher does on a change to the config, a template or the words.
        let config = opts.config_file();
        if changed
            .iter()
            .any(|p| castdown::serve::affects_everything(site.root(), &config, p))
        {
            caches.clear();
            last = None;
        }
        let one = match (&changed[..], last.as_mut()) {
            ([one], Some((model, memo))) => {
                castdown::pipeline::rebuild_episode(site.root(), model, memo, one)
            }
            _ => None,
        };
        match one {
            Some(files) => {
                patch(&mut served, files);
            }
            None => {
                // Serve frees the last model before building (`last` is replaced below).
                let Incremental { built, memo, .. } =
                    castdown::pipeline::build_incremental(&opts, &mut caches, Search::ReuseLast)
                        .unwrap_or_else(|e| panic!("{what}: the build failed: {e}"));
                served = snapshot(&built.output).into_iter().collect();
                last = Some((built.site, memo));
            }
        }
        // Edits pause: the index is made anew and replaces the served one.
        if let Some((model, memo)) = &last {
            replace_index(
                &mut served,
                castdown::pipeline::refresh_search(&mut caches, model, memo),
            );
        }
        assert_served_is_clean(&served, &opts, &what, true);
    }
}

/// Regression: serve reused an episode's `digest.json` and its terms' feeds while the
/// digest's source, body and card were unchanged; the length of a media file under
/// `static/` is read from the file, so replacing the file left the old length in them.
/// Found by `random_sequences_of_edits_serve_what_a_clean_build_does`.
#[test]
fn regression_serve_kept_the_old_length_of_a_media_file_replaced_under_static() {
    let site = Site::fixture("demo");
    let mut caches = Caches::default();
    assert_same_as_clean(&site, &mut caches, "first build");
    touch_later();
    site.write("static/audio/x.mp3", vec![0u8; 500]);
    replace_in(
        &site,
        "content/episodes/2025/flaky-tests.md",
        "people:",
        "media: {url: /audio/x.mp3}\npeople:",
    );
    assert_same_as_clean(&site, &mut caches, "media on the site");
    touch_later();
    site.write("static/audio/x.mp3", vec![0u8; 900]);
    assert_same_as_clean(&site, &mut caches, "media file replaced");
    let clean = build_in_memory(&options(&site), &|_| {}).unwrap_or_else(|e| panic!("{e}"));
    let data = snapshot(&clean.output)
        .into_iter()
        .find(|(p, _)| p == "episodes/flaky-tests/digest.json")
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    assert!(data.contains("\"length\":900"), "{data}");
}

/// Regression: a body's Key Concepts list links each name to the concept it finds, through
/// aliases too, but the key that bodies were reused by held the concepts' keys and slugs
/// only: after an alias was added to a curated page, serve kept the body that did not link
/// the name (and, after one went, the body that still did).
/// Found by `random_sequences_of_edits_serve_what_a_clean_build_does`.
#[test]
fn regression_a_body_naming_a_concept_by_a_new_alias_was_not_linked_again() {
    let site = Site::fixture("demo");
    // Named by no digest's concepts: an alias adds no concept and moves no key.
    site.write(
        "content/episodes/2025/aliased.md",
        "---\ntitle: Aliased\ndate: 2025-03-03\nconcepts: [Platform Risk]\n---\nA body.\n\n## Key Concepts\n\n- **Debt Spiral**: what shortcuts cost later.\n",
    );
    let page = |site: &Site| {
        let built = build_in_memory(&options(site), &|_| {}).unwrap_or_else(|e| panic!("{e}"));
        snapshot(&built.output)
            .into_iter()
            .find(|(p, _)| p == "episodes/aliased/index.html")
            .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let linked = "<a href=\"/digests/concepts/technical-debt/\"><strong>Debt Spiral</strong></a>";
    let mut caches = Caches::default();
    assert_same_as_clean(&site, &mut caches, "first build");
    assert!(!page(&site).contains(linked));
    touch_later();
    replace_in(
        &site,
        "content/concepts/technical-debt.md",
        "aliases: [Tech Debt]",
        "aliases: [Tech Debt, Debt Spiral]",
    );
    assert_same_as_clean(&site, &mut caches, "alias added");
    assert!(page(&site).contains(linked));
    touch_later();
    replace_in(
        &site,
        "content/concepts/technical-debt.md",
        "aliases: [Tech Debt, Debt Spiral]",
        "aliases: [Tech Debt]",
    );
    assert_same_as_clean(&site, &mut caches, "alias removed");
}
