//! `castdown import` on plain-text digests of our own: the shape is read, the Markdown digest
//! is valid (front matter written by serde_yaml), and it builds into concept pages.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;
use common::{Site, stderr, stdout};

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn imports_then_builds_with_concept_pages() {
    let site = Site::empty("base_url: https://example.com/\n");
    let out = site.run_raw(&[
        "import",
        &fixture("colons-and-ampersand.txt"),
        &fixture("unicode-crlf-no-by.txt"),
        "--date",
        "2025-06-01",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("title “Bread & Butter: why small shops outlast big chains”; show “Main Street Weekly”; 3 concepts (2 with definitions); 2 sections; date 2025-06-01; dropped 2 furniture line(s)"), "{report}");
    assert!(
        report.contains("no show (no `By` line; use --show)"),
        "{report}"
    );
    let md = std::fs::read_to_string(
        site.root()
            .join("content/episodes/bread-butter-why-small-shops-outlast-big-chains.md"),
    )
    .unwrap_or_default();
    assert!(
        md.contains("title: 'Bread & Butter: why small shops outlast big chains'")
            || md.contains("title: \"Bread & Butter: why small shops outlast big chains\""),
        "{md}"
    );
    assert!(
        md.contains("definition: 'People walking past a shop: the cheapest advertising there is.'")
            || md.contains(
                "definition: \"People walking past a shop: the cheapest advertising there is.\""
            ),
        "{md}"
    );
    assert!(
        md.contains("## 3 Habits of Shops That Last\n"),
        "digits at the start of a heading: {md}"
    );
    assert!(md.contains("- **Rent**: the single biggest cost"), "{md}");
    assert!(
        !md.contains("Chat with this Video") && !md.contains("AI-Powered"),
        "{md}"
    );
    let fr = std::fs::read_to_string(
        site.root()
            .join("content/episodes/cafe-economie-les-prix-a-montreal.md"),
    )
    .unwrap_or_default();
    assert!(!fr.contains('\r'), "CRLF normalised");
    assert!(
        fr.contains("definition: 'Le prix minimum, fixé par la loi: rarement respecté.'")
            || fr.contains("definition: \"Le prix minimum, fixé par la loi: rarement respecté.\""),
        "{fr}"
    );
    assert!(fr.contains("## 2024 en chiffres"), "{fr}");
    // Round trip: the imported digests build, and their concepts have pages.
    site.build_ok(&[]);
    for page in [
        "concepts/foot-traffic/index.html",
        "concepts/local-loyalty/index.html",
        "concepts/prix-plancher/index.html",
        "shows/main-street-weekly/index.html",
    ] {
        assert!(site.exists(page), "{page}");
    }
    let concept = site.read("concepts/foot-traffic/index.html");
    assert!(concept.contains("People walking past a shop: the cheapest advertising there is."));
    let check = site.run(&["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn show_flag_overrides_and_missing_date_is_pointed_at_by_check() {
    let site = Site::empty("base_url: https://example.com/\n");
    let out = site.run_raw(&[
        "import",
        &fixture("colons-and-ampersand.txt"),
        "--show",
        "Override Show",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("no date: fill in `date:`"));
    let path = "content/episodes/bread-butter-why-small-shops-outlast-big-chains.md";
    let md = std::fs::read_to_string(site.root().join(path)).unwrap_or_default();
    assert!(md.contains("show: Override Show"));
    let check = site.run(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    // The error points at the `# date:` marker the import wrote, not at 1:1.
    let marker = md
        .lines()
        .position(|l| l.starts_with("# date:"))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no marker in {md}"));
    assert!(
        stderr(&check).contains(&format!("{path}:{marker}:1: error: missing `date`")),
        "{}",
        stderr(&check)
    );
}

/// What a plain-text digest does not say comes from the command line; file names stay
/// short however long the title.
#[test]
fn import_takes_source_people_duration_and_slug_and_names_files_short() {
    let site = Site::empty("base_url: https://example.com/\n");
    let out = site.run_raw(&[
        "import",
        &fixture("colons-and-ampersand.txt"),
        "--date",
        "2025-10-30",
        "--source",
        "https://www.youtube.com/watch?v=abc",
        "--people",
        "Ada Lovelace, Grace Hopper",
        "--people",
        "Alan Turing",
        "--duration",
        "3723",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = site
        .root()
        .join("content/episodes/bread-butter-why-small-shops-outlast-big-chains.md");
    let md = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "source: https://www.youtube.com/watch?v=abc",
        "duration: 1:02:03",
        "- Ada Lovelace",
        "- Grace Hopper",
        "- Alan Turing",
    ] {
        assert!(md.contains(line), "{line:?} not in {md}");
    }
    let out = site.run_raw(&[
        "import",
        &fixture("colons-and-ampersand.txt"),
        "--slug",
        "bread",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(site.root().join("content/episodes/bread.md").is_file());
    // A long title makes a short name, cut after a whole word.
    let long =
        "A title that goes on and on about many things at once, far past any sensible length";
    site.write(
        "long.txt",
        format!("{long}\nBy Some Show\n\nA paragraph.\n"),
    );
    let out = site.run_raw(&["import", "long.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = std::fs::read_dir(site.root().join("content/episodes"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let short = names
        .iter()
        .find(|n| n.starts_with("a-title"))
        .unwrap_or_else(|| panic!("{names:?}"));
    assert!(short.len() <= 63 && !short.contains("-.md"), "{short}");
    // Flags are checked.
    for (flag, value) in [
        ("--source", "ftp://x"),
        ("--duration", "soon"),
        ("--slug", "con"),
    ] {
        let out = site.run_raw(&["import", "long.txt", flag, value]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {value}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn never_overwrites_without_force() {
    let site = Site::empty("base_url: https://example.com/\n");
    let target = site
        .root()
        .join("content/episodes/bread-butter-why-small-shops-outlast-big-chains.md");
    std::fs::write(&target, "precious").unwrap_or_default();
    let out = site.run_raw(&["import", &fixture("colons-and-ampersand.txt")]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("already exists; use --force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap_or_default(),
        "precious"
    );
    let out = site.run_raw(&["import", &fixture("colons-and-ampersand.txt"), "--force"]);
    assert!(out.status.success());
    assert_ne!(
        std::fs::read_to_string(&target).unwrap_or_default(),
        "precious"
    );
}

#[test]
fn reads_standard_input() {
    let site = Site::empty("base_url: https://example.com/\n");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("castdown"))
        .args(["import", "-", "--out", "imported", "--date", "2025-01-02"])
        .current_dir(site.root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"From stdin\nBy Piped Show\nKey Concepts\n- Pipe: a way in.\nA Section\nText here.\n").unwrap_or_default();
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("standard input → imported/from-stdin.md"),
        "{}",
        stdout(&out)
    );
    assert!(site.root().join("imported/from-stdin.md").is_file());
}

#[test]
fn empty_and_non_utf8_inputs_are_clear_errors() {
    let site = Site::empty("base_url: https://example.com/\n");
    site.write("empty.txt", "   \n");
    site.write("latin1.txt", b"Caf\xe9\n".as_slice());
    let out = site.run_raw(&["import", "empty.txt", "latin1.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("empty.txt: the file is empty"), "{err}");
    assert!(
        err.contains("latin1.txt: the file is not valid UTF-8"),
        "{err}"
    );
    assert!(err.contains("2 of 2 file(s) not imported"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn bad_date_flag_is_a_usage_error() {
    let mut cmd = Command::cargo_bin("castdown").unwrap_or_else(|e| panic!("{e}"));
    let out = cmd
        .args([
            "import",
            &fixture("colons-and-ampersand.txt"),
            "--date",
            "2025-02-30",
            "--out",
            "/nonexistent/never",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--date"));
}

/// `import --feed`: one digest per new item of a saved RSS feed, matched by guid on the
/// next run; messy items reported, nothing overwritten.
#[test]
fn a_podcast_feed_scaffolds_one_digest_per_new_episode() {
    let site = Site::empty("title: T\nbase_url: https://e.com/\n");
    let feed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds/podcast.xml");
    let feed = feed.to_string_lossy().to_string();
    let out = site.run_raw(&["import", "--feed", &feed]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (said, warned) = (stdout(&out), stderr(&out));
    assert!(
        said.contains("3 new digests, 0 already imported, 1 skipped"),
        "{said}"
    );
    assert!(
        warned.contains(
            "item 3 (“Ep. 11 (re-upload)”): its guid `example-hour-11` is item 2's too; skipped"
        ),
        "{warned}"
    );
    assert!(
        warned.contains("item 2 (“Ep. 11: No date on this one”): no date; fill in `date:`"),
        "{warned}"
    );
    assert!(
        warned.contains("duration `about an hour` left out"),
        "{warned}"
    );
    let dir = site.root().join("content/episodes");
    let twelve = std::fs::read_to_string(dir.join("ep-12-platforms-their-risks.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "title: 'Ep. 12: Platforms & their risks'",
        "show: The Example Hour",
        "date: 2024-03-05T10:00:00+00:00",
        "source: https://example-hour.example/12",
        "duration: 1:02:03",
        "- Ada Lovelace",
        "- Grace Hopper",
        "episode: 12",
        "season: 2",
        "  url: https://cdn.example-hour.example/12.mp3",
        "  type: audio/mpeg",
        "  length: 51200000",
        "  feed_guid: example-hour-12",
        "  transcript_url: https://example-hour.example/12.vtt",
        "  chapters_url: https://example-hour.example/12.json",
        "What happens when one vendor holds all the cards?",
        "We talk lock-in & exits.",
        "## Key Concepts",
    ] {
        assert!(twelve.contains(line), "{line:?} not in:\n{twelve}");
    }
    assert!(!twelve.contains("track()") && !twelve.contains("<p>"));
    // Without a date, the marker line; a zero length is no length.
    let eleven = std::fs::read_to_string(dir.join("ep-11-no-date-on-this-one.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(eleven.contains("# date: YYYY-MM-DD"), "{eleven}");
    assert!(!eleven.contains("length"), "{eleven}");
    // Known by its link when it has no guid.
    let ten = std::fs::read_to_string(dir.join("ep-10-known-by-its-link.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        ten.contains("feed_guid: https://example-hour.example/10"),
        "{ten}"
    );
    // The scaffold builds once dated (the undated one is an error naming its file).
    let built = site.run(&["check"]);
    let err = stderr(&built);
    assert!(err.contains("ep-11-no-date-on-this-one.md"), "{err}");
    std::fs::write(
        dir.join("ep-11-no-date-on-this-one.md"),
        eleven
            .lines()
            .map(|l| {
                if l.starts_with("# date:") {
                    "date: 2024-03-01"
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    site.build_ok(&[]);
    // Running it again adds nothing and overwrites nothing, even an edited digest.
    let edited = format!("{twelve}\n- Lock-in: what keeps a customer, by hand.\n");
    std::fs::write(dir.join("ep-12-platforms-their-risks.md"), &edited)
        .unwrap_or_else(|e| panic!("{e}"));
    let again = site.run_raw(&["import", "--feed", &feed]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("0 new digests, 3 already imported, 1 skipped"),
        "{}",
        stdout(&again)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("ep-12-platforms-their-risks.md")).unwrap_or_default(),
        edited
    );
}

#[test]
fn a_feed_of_five_thousand_items_imports_whole() {
    let site = Site::empty("title: T\nbase_url: https://e.com/\n");
    let mut xml = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big</title><link>https://big.example/</link><description>d</description>",
    );
    for n in 0..5000 {
        xml.push_str(&format!(
            "<item><title>Same title</title><guid>big-{n}</guid><pubDate>Mon, 04 Mar 2024 10:00:00 +0000</pubDate><description>Item {n}.</description></item>"
        ));
    }
    xml.push_str("</channel></rss>");
    site.write("big.xml", xml);
    let feed = site.root().join("big.xml").to_string_lossy().to_string();
    let out = site.run_raw(&["import", "--feed", &feed, "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let count = std::fs::read_dir(site.root().join("content/episodes"))
        .map(|d| d.count())
        .unwrap_or(0);
    // Every item, though all share a title: same-title-2, -3….
    assert_eq!(count, 5000);
    site.build_ok(&[]);
}

#[test]
fn a_file_that_is_not_a_feed_is_refused_with_its_name() {
    let site = Site::empty("title: T\nbase_url: https://e.com/\n");
    site.write("notes.xml", "this is not xml");
    let feed = site.root().join("notes.xml").to_string_lossy().to_string();
    let out = site.run_raw(&["import", "--feed", &feed]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("notes.xml: not an RSS feed"),
        "{}",
        stderr(&out)
    );
}
