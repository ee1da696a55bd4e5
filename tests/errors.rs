//! Broken sites: one test per error kind. Each must exit 1 (or 2 for usage), print a located
//! `path:line:col: error:` message, never panic, and never write output.

mod common;

use common::{Site, digest, stderr};

const CONFIG: &str = "base_url: https://example.com/\n";

/// Builds a site made of `files` and returns stderr, asserting exit 1 and no output.
fn fails(files: &[(&str, &[u8])]) -> String {
    let site = Site::empty(CONFIG);
    for (path, text) in files {
        site.write(path, text);
    }
    let out = site.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "expected exit 1:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!site.public().exists(), "a failed build wrote output");
    let check = site.run(&["check"]);
    assert_eq!(
        check.status.code(),
        Some(1),
        "check must fail too:\n{}",
        stderr(&check)
    );
    err
}

fn has(err: &str, needles: &[&str]) {
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in:\n{err}");
    }
}

#[test]
fn bad_yaml() {
    let err = fails(&[(
        "content/episodes/a.md",
        b"---\ntitle: T\ndate: [2025\n---\n",
    )]);
    has(&err, &["content/episodes/a.md:3:", "error:"]);
}

#[test]
fn missing_title() {
    let err = fails(&[("content/episodes/a.md", b"---\ndate: 2025-01-01\n---\nx\n")]);
    has(
        &err,
        &["content/episodes/a.md:1:1: error: missing `title`", "hint:"],
    );
}

#[test]
fn missing_date() {
    let err = fails(&[("content/episodes/a.md", b"---\ntitle: T\n---\nx\n")]);
    has(&err, &["content/episodes/a.md:1:1: error: missing `date`"]);
}

#[test]
fn impossible_date() {
    let err = fails(&[(
        "content/episodes/a.md",
        b"---\ntitle: T\ndate: 2025-02-30\n---\n",
    )]);
    has(
        &err,
        &[
            "content/episodes/a.md:3:7: error: `2025-02-30` is not a valid date",
            "3 | date: 2025-02-30",
        ],
    );
}

#[test]
fn bad_duration() {
    let err = fails(&[(
        "content/episodes/a.md",
        b"---\ntitle: T\ndate: 2025-01-01\nduration: 1:75:00\n---\n",
    )]);
    has(
        &err,
        &["content/episodes/a.md:4:11: error: `1:75:00` is not a duration"],
    );
}

#[test]
fn unknown_front_matter_key() {
    let err = fails(&[(
        "content/episodes/a.md",
        b"---\ntitle: T\ndate: 2025-01-01\ntitel: typo\n---\n",
    )]);
    has(
        &err,
        &[
            "content/episodes/a.md:4:1: error: unknown field `titel`",
            "extra:",
        ],
    );
}

#[test]
fn no_front_matter() {
    let err = fails(&[("content/episodes/a.md", b"# Just markdown\n")]);
    has(&err, &["content/episodes/a.md:1:1: error: no front matter"]);
}

#[test]
fn unclosed_front_matter() {
    let err = fails(&[(
        "content/episodes/a.md",
        b"---\ntitle: T\ndate: 2025-01-01\n",
    )]);
    has(
        &err,
        &["content/episodes/a.md:1:1: error: front matter is not closed"],
    );
}

#[test]
fn non_utf8() {
    let err = fails(&[("content/episodes/a.md", b"---\ntitle: caf\xe9\n---\n")]);
    has(
        &err,
        &["content/episodes/a.md:2:11: error: file is not valid UTF-8"],
    );
}

#[test]
fn empty_file() {
    let err = fails(&[("content/episodes/a.md", b"")]);
    has(&err, &["content/episodes/a.md:1:1: error: file is empty"]);
}

#[test]
fn duplicate_episode_slugs_name_both_files() {
    let a = digest("A", "2025-01-01", "slug: same\n");
    let b = digest("B", "2025-01-02", "");
    let err = fails(&[
        ("content/episodes/a.md", a.as_bytes()),
        ("content/episodes/x/same.md", b.as_bytes()),
    ]);
    has(
        &err,
        &[
            "content/episodes/x/same.md",
            "content/episodes/a.md",
            "slug `same`",
        ],
    );
}

#[test]
fn empty_concept_slug_names_the_file() {
    let a = digest("A", "2025-01-01", "concepts: [\"!!!\"]\n");
    let err = fails(&[("content/episodes/a.md", a.as_bytes())]);
    has(
        &err,
        &[
            "content/episodes/a.md",
            "concept `!!!` gives an empty URL slug",
        ],
    );
}

#[test]
fn clashing_concept_slugs_name_both_files() {
    let a = digest("A", "2025-01-01", "concepts: [\"AI/ML\"]\n");
    let b = digest("B", "2025-01-02", "concepts: [\"AI ML\"]\n");
    let err = fails(&[
        ("content/episodes/a.md", a.as_bytes()),
        ("content/episodes/b.md", b.as_bytes()),
    ]);
    has(
        &err,
        &[
            "content/episodes/a.md",
            "content/episodes/b.md",
            "/concepts/ai-ml/",
        ],
    );
}

#[test]
fn slug_that_would_escape_the_output() {
    let a = digest("A", "2025-01-01", "slug: ../../../etc/evil\n");
    let err = fails(&[("content/episodes/a.md", a.as_bytes())]);
    has(
        &err,
        &[
            "content/episodes/a.md:4:7: error: slug `../../../etc/evil` is not a single safe URL segment",
        ],
    );
}

#[test]
fn alias_that_would_escape_the_output() {
    let a = digest("A", "2025-01-01", "aliases: [\"/../../outside/\"]\n");
    let err = fails(&[("content/episodes/a.md", a.as_bytes())]);
    has(
        &err,
        &["content/episodes/a.md:4:10: error: alias `/../../outside/` has an unsafe segment"],
    );
}

#[test]
fn alias_that_would_replace_a_page() {
    let a = digest("A", "2025-01-01", "aliases: [/episodes/b/]\n");
    let b = digest("B", "2025-01-02", "");
    let err = fails(&[
        ("content/episodes/a.md", a.as_bytes()),
        ("content/episodes/b.md", b.as_bytes()),
    ]);
    has(&err, &["content/episodes/a.md", "alias `/episodes/b/`"]);
}

#[test]
fn javascript_source_url() {
    let a = digest("A", "2025-01-01", "source: \"javascript:alert(1)\"\n");
    let err = fails(&[("content/episodes/a.md", a.as_bytes())]);
    has(
        &err,
        &["content/episodes/a.md:4:9: error: source `javascript:alert(1)` is not an http(s) URL"],
    );
}

#[test]
fn missing_transcript_names_the_digest() {
    let a = digest("A", "2025-01-01", "transcript: nope.vtt\n");
    let err = fails(&[("content/episodes/a.md", a.as_bytes())]);
    has(
        &err,
        &["content/episodes/a.md:4:13: error: transcript file `nope.vtt` not found"],
    );
}

#[test]
fn reserved_page_slug() {
    let err = fails(&[("content/episodes.md", b"---\ntitle: Clash\n---\nx\n")]);
    has(
        &err,
        &["content/episodes.md: error: page slug `episodes` is reserved"],
    );
}

#[test]
fn markdown_in_an_unexpected_place() {
    let err = fails(&[(
        "content/notes/a.md",
        digest("A", "2025-01-01", "").as_bytes(),
    )]);
    has(
        &err,
        &[
            "content/notes/a.md: error: Markdown file in an unexpected place",
            "content/episodes/",
        ],
    );
}

/// Which folder under content/ a file is in is known from the walk (each folder comes
/// before what it holds), not by taking the path apart: files in folders before and after
/// `episodes/`, deeper than a description may be, beside pages and digests at any depth.
#[test]
fn markdown_is_placed_by_the_folder_under_content_it_is_in() {
    let err = fails(&[
        ("content/about.md", b"---\ntitle: About\n---\nx\n"),
        ("content/concepts/deep/x.md", b"---\nname: X\n---\nx\n"),
        ("content/concepts/trust.md", b"---\nname: Trust\n---\nx\n"),
        ("content/aa/a.md", digest("A", "2025-01-01", "").as_bytes()),
        (
            "content/episodes/2024/deep/b.md",
            digest("B", "2025-01-02", "").as_bytes(),
        ),
        ("content/people/p/q.md", b"---\nname: Q\n---\nx\n"),
        ("content/zz/c.md", digest("C", "2025-01-03", "").as_bytes()),
    ]);
    let unexpected: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("Markdown file in an unexpected place"))
        .map(|l| l.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        unexpected,
        [
            "content/aa/a.md",
            "content/concepts/deep/x.md",
            "content/people/p/q.md",
            "content/zz/c.md"
        ],
        "{err}"
    );
}

#[test]
fn unknown_config_key_names_key_and_line() {
    let site = Site::empty("base_url: https://example.com/\ntitle: x\npaginte: 3\n");
    site.write("content/episodes/a.md", digest("A", "2025-01-01", ""));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    has(
        &stderr(&out),
        &["castdown.yaml:3:1: error: unknown field `paginte`"],
    );
}

#[test]
fn missing_base_url() {
    let site = Site::empty("title: x\n");
    site.write("content/episodes/a.md", digest("A", "2025-01-01", ""));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    has(
        &stderr(&out),
        &["castdown.yaml: error: base_url is not set", "--base-url"],
    );
}

#[test]
fn template_syntax_error_names_template_and_line() {
    let err = fails(&[
        ("content/episodes/a.md", digest("A", "2025-01-01", "").as_bytes()),
        ("templates/episode.html", b"{% extends \"base.html\" %}\n{% block content %}\n{{ episode.title \n{% endblock content %}\n"),
    ]);
    has(
        &err,
        &[
            "templates/episode.html:3:1: error: template error: `{{` is not closed",
            "hint: end it with `}}`",
        ],
    );
}

#[test]
fn an_unclosed_if_is_reported_at_its_own_line_in_its_own_file() {
    // Tera stops where the input ends (past the last line) or at the end tag that does not
    // fit; the message points at the `{% if %}` that was never closed.
    let err = fails(&[
        ("content/episodes/a.md", digest("A", "2025-01-01", "").as_bytes()),
        ("templates/robots.txt", b"User-agent: *\n{% if site.title %}\nAllow: /\n"),
        (
            "templates/page.html",
            b"{% extends \"base.html\" %}\n{% block content %}\n  {% if page %}\nhello\n{% endblock content %}\n",
        ),
    ]);
    has(
        &err,
        &[
            "templates/robots.txt:2:1: error: template error: `{% if %}` is never closed",
            "add `{% endif %}` where its body ends",
            "templates/page.html:3:3: error: template error: `{% if %}` is still open where `{% endblock %}` (line 5) closes",
            "add `{% endif %}` before line 5",
            "2 errors in 2 files",
        ],
    );
    assert!(!err.contains("templates:"), "{err}");
}

#[test]
fn templates_naming_missing_templates_are_located() {
    let err = fails(&[
        ("content/episodes/a.md", digest("A", "2025-01-01", "").as_bytes()),
        (
            "templates/page.html",
            b"{% extends \"base.html\" %}\n{% block content %}{% include \"partials/nope.html\" %}{% endblock content %}\n",
        ),
        ("templates/extra.html", b"{% extends \"bse.html\" %}\n"),
    ]);
    has(
        &err,
        &[
            "templates/extra.html:1:12: error: template error: extends `bse.html`, which neither the theme nor the site has",
        ],
    );
    let err = fails(&[
        ("content/episodes/a.md", digest("A", "2025-01-01", "").as_bytes()),
        (
            "templates/page.html",
            b"{% extends \"base.html\" %}\n{% block content %}{% include \"partials/nope.html\" %}{% endblock content %}\n{% block nob %}{% endblock nob %}\n",
        ),
    ]);
    has(
        &err,
        &[
            "templates/page.html:2:31: error: template error: Unknown template `partials/nope.html`",
            "templates/page.html:3:10: error: template error: Block `nob` is not defined in any parent template",
            "2 errors in 1 file",
        ],
    );
}

#[test]
fn template_render_error_names_template_line_and_page() {
    let err = fails(&[
        ("content/episodes/a.md", digest("A", "2025-01-01", "").as_bytes()),
        ("templates/episode.html", b"{% extends \"base.html\" %}\n{% block content %}\n{{ episode.nope.deeper }}\n{% endblock content %}\n"),
    ]);
    has(
        &err,
        &[
            "templates/episode.html:3:12: error: template error:",
            "nope",
            "(while rendering /episodes/a/)",
        ],
    );
}

#[test]
fn a_template_error_shared_by_every_page_is_reported_once() {
    // A build renders episode pages with their bodies and the other pages after them: the
    // error in the base layout that both reach is still one problem.
    let err = fails(&[
        ("content/episodes/a.md", digest("A", "2025-01-01", "").as_bytes()),
        ("content/episodes/b.md", digest("B", "2025-01-02", "").as_bytes()),
        (
            "templates/base.html",
            b"<!DOCTYPE html>\n<title>{% block title %}{% endblock title %}</title>\n{% block head %}{% endblock head %}\n{{ page.nope.deeper }}\n{% block content %}{% endblock content %}\n",
        ),
    ]);
    assert_eq!(
        err.matches("templates/base.html:4:").count(),
        1,
        "reported more than once:\n{err}"
    );
    has(&err, &["(while rendering /episodes/b/)", "1 error"]);
}

#[test]
fn every_problem_in_every_file_is_reported_sorted_with_a_count() {
    let err = fails(&[
        (
            "content/episodes/b.md",
            b"---\ntitle: T\ndate: 2025-13-01\nduration: x\n---\n",
        ),
        (
            "content/episodes/a.md",
            b"---\ntitle: T\ndate: 2025-01-01\nnope: 1\n---\n",
        ),
        ("content/episodes/c.md", b""),
    ]);
    let a = err.find("content/episodes/a.md:4:1").unwrap_or(usize::MAX);
    let b3 = err.find("content/episodes/b.md:3:7").unwrap_or(usize::MAX);
    let b4 = err.find("content/episodes/b.md:4:11").unwrap_or(usize::MAX);
    let c = err
        .find("content/episodes/c.md:1:1: error")
        .unwrap_or(usize::MAX);
    assert!(a < b3 && b3 < b4 && b4 < c && c != usize::MAX, "{err}");
    assert!(err.trim_end().ends_with("4 errors in 3 files"), "{err}");
}

#[test]
fn broken_internal_link_fails_check_but_not_build() {
    let site = Site::empty(CONFIG);
    site.write("content/episodes/a.md", "---\ntitle: A\ndate: 2025-01-01\n---\nSee [this](/episodes/nope/) and [that](/episodes/a/#missing).\n");
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    has(
        &stderr(&out),
        &[
            "content/episodes/a.md: error: broken link `/episodes/nope/`",
            "broken anchor `/episodes/a/#missing`",
        ],
    );
    assert!(!site.public().exists(), "check writes nothing");
    let out = site.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn concept_entry_of_the_wrong_shape_is_explained() {
    let err = fails(&[(
        "content/episodes/a.md",
        b"---\ntitle: T\ndate: 2025-01-01\nconcepts: [{name: X, defn: y}]\n---\n",
    )]);
    has(
        &err,
        &[
            "content/episodes/a.md:4:",
            "a concept entry is neither a name nor { name, definition }",
            "hint: each concept is a name",
        ],
    );
    assert!(!err.contains("RawConcept"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let site = Site::empty(CONFIG);
    let out = site.run(&["build", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = site.run_raw(&["build", "--root", "/definitely/not/here"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    has(&stderr(&out), &["/definitely/not/here does not exist"]);
    let out = site.run(&["build", "--base-url", "ftp://x/"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn foreign_output_folder_is_not_replaced() {
    let site = Site::empty(CONFIG);
    site.write("content/episodes/a.md", digest("A", "2025-01-01", ""));
    site.write("public/precious.txt", "keep me");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(site.public().join("precious.txt")).unwrap_or_default(),
        "keep me"
    );
}

#[test]
fn regression_a_fifo_named_as_a_transcript_hung_the_build() {
    let site = Site::empty(CONFIG);
    site.write(
        "content/episodes/a.md",
        digest("A", "2025-01-01", "transcript: pipe.vtt\n"),
    );
    let fifo = site.root().join("content/episodes/pipe.vtt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
    let out = site.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    has(
        &err,
        &[
            "content/episodes/a.md:4:",
            "transcript `pipe.vtt` is not a regular file",
        ],
    );
}

#[test]
fn a_bad_transcript_path_blames_the_digest() {
    let err = fails(&[
        (
            "content/episodes/a.md",
            digest("A", "2025-01-01", "transcript: notes.pdf\n").as_bytes(),
        ),
        ("content/episodes/notes.pdf", b"%PDF"),
    ]);
    has(&err, &["content/episodes/a.md:4:", "unsupported format"]);
}

#[test]
fn yaml_nested_too_deep_is_refused_at_once() {
    let deep = format!(
        "---\ntitle: T\ndate: 2025-01-01\nextra: {}{}\n---\nx\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = fails(&[("content/episodes/a.md", deep.as_bytes())]);
    has(
        &err,
        &["content/episodes/a.md:4:", "nested more than 64 levels"],
    );
}

#[test]
fn regression_names_and_aliases_that_cannot_be_written_were_unlocated_io_errors() {
    let long = "x".repeat(300);
    let err = fails(&[(
        "content/episodes/a.md",
        digest("A", "2025-01-01", &format!("slug: {long}\n")).as_bytes(),
    )]);
    has(
        &err,
        &["content/episodes/a.md:4:", "slug is 300 bytes long"],
    );
    let err = fails(&[(
        "content/episodes/a.md",
        digest("A", "2025-01-01", &format!("concepts: [{long}]\n")).as_bytes(),
    )]);
    has(&err, &["content/episodes/a.md:4:", "URL slug of 300 bytes"]);
    for alias in [
        "/atom.xml/",
        "/sitemap.xml/",
        "/syntax.css/",
        "/episodes/a/digest.json/",
    ] {
        let err = fails(&[(
            "content/episodes/a.md",
            digest("A", "2025-01-01", &format!("aliases: [\"{alias}\"]\n")).as_bytes(),
        )]);
        has(
            &err,
            &[
                "content/episodes/a.md:4:",
                "but the site generates a file there",
            ],
        );
    }
}

#[test]
fn empty_files_slug_collisions_and_empty_slugs_are_located() {
    let err = fails(&[("content/episodes/a.md", b"")]);
    has(&err, &["content/episodes/a.md:1:1: error:"]);
    let err = fails(&[
        (
            "content/episodes/a.md",
            digest("A", "2025-01-01", "").as_bytes(),
        ),
        (
            "content/episodes/b.md",
            digest("B", "2025-01-02", "slug: a\n").as_bytes(),
        ),
    ]);
    has(
        &err,
        &["content/episodes/b.md:4:", "episode slug `a` is also used"],
    );
    let err = fails(&[(
        "content/episodes/a.md",
        digest("A", "2025-01-01", "concepts: [\"!!!\"]\n").as_bytes(),
    )]);
    has(
        &err,
        &["content/episodes/a.md:4:", "gives an empty URL slug"],
    );
}

#[test]
fn a_site_folder_linked_out_of_the_site_is_an_error() {
    let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(outside.path().join("secret.txt"), "secret").unwrap_or_else(|e| panic!("{e}"));
    let site = Site::empty(CONFIG);
    site.write("content/episodes/a.md", digest("A", "2025-01-01", ""));
    std::os::unix::fs::symlink(outside.path(), site.root().join("static"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = site.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    has(&err, &["static/: error: `static/` is a symbolic link to"]);
    // The count names a folder as a folder.
    assert!(err.trim_end().ends_with("1 error in 1 folder"), "{err}");
    assert!(!site.public().exists());
}

/// Names Windows reserves (and a trailing dot) would break a checkout or upload on Windows
/// hosts: a located error wherever a slug comes from.
#[test]
fn slugs_that_break_windows_hosts_are_located_errors() {
    let site = Site::empty(CONFIG);
    site.write("content/episodes/con.md", digest("A", "2025-01-01", ""));
    site.write(
        "content/episodes/b.md",
        "---\ntitle: B\ndate: 2025-01-02\nslug: \"v1.\"\n---\nBody.\n",
    );
    let out = site.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("con.md"), "{err}");
    has(
        &err,
        &[
            "slug `con` is a device name Windows reserves",
            "content/episodes/b.md:4:7: error: slug `v1.` ends with a dot or a space",
        ],
    );
    // A term's slug, once the digests load.
    std::fs::remove_file(site.root().join("content/episodes/con.md")).unwrap_or_default();
    site.write(
        "content/episodes/b.md",
        "---\ntitle: B\ndate: 2025-01-02\nconcepts: [Aux]\n---\nBody.\n",
    );
    let out = site.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    has(
        &err,
        &[
            "content/episodes/b.md:4:11: error: concept `Aux`: its URL slug `aux` is a device name Windows reserves",
        ],
    );
}

#[test]
fn static_file_names_that_are_not_utf8_are_an_error_not_a_silent_collision() {
    use std::os::unix::ffi::OsStrExt;
    let site = Site::empty(CONFIG);
    site.write("content/episodes/a.md", digest("A", "2025-01-01", ""));
    site.write("static/keep.txt", "x");
    for bytes in [&b"a\xff.txt"[..], &b"a\xfe.txt"[..]] {
        let name = std::ffi::OsStr::from_bytes(bytes);
        std::fs::write(site.root().join("static").join(name), "y")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = site.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.matches("static file name is not valid UTF-8").count(),
        2,
        "{err}"
    );
}
