//! End-to-end builds of fixture sites with the real binary: every page a crawler or reader
//! would visit, escaping, unicode, aliases, sub-path links, drafts, pagination, determinism,
//! atomic output.

mod common;

use common::{Site, stderr};
use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

fn texts(html: &str, selector: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    doc.select(&sel(selector))
        .map(|e| e.text().collect::<String>())
        .collect()
}

fn attrs(html: &str, selector: &str, attr: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    doc.select(&sel(selector))
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

#[test]
fn tricky_site_escapes_everything_from_content() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    let html = site.read("episodes/escaping/index.html");
    // The title is text, never markup.
    assert_eq!(
        texts(&html, "h1"),
        ["<script>alert('x')</script> & \"Quotes\": a title"]
    );
    assert!(!html.contains("<script>alert"), "raw script in page");
    // Raw HTML in the body is sanitised: no handlers, no scripts, no javascript: URLs.
    assert!(!html.contains("onclick") && !html.contains("steal()"));
    assert!(!html.contains("<iframe") && !html.contains("javascript:"));
    assert!(html.contains("<span>inline handler</span>"));
    // Definitions from front matter are escaped text.
    assert!(
        texts(&html, ".key-concepts dd")
            .iter()
            .any(|t| t == "A definition with <tags> & \"quotes\"")
    );
    // JSON-LD cannot be closed early by content.
    let ld = texts(&html, "script[type='application/ld+json']");
    assert_eq!(ld.len(), 1);
    assert!(!ld[0].contains('<'));
    let v: serde_json::Value =
        serde_json::from_str(&ld[0]).unwrap_or_else(|e| panic!("json-ld: {e}"));
    assert_eq!(
        v["headline"],
        "<script>alert('x')</script> & \"Quotes\": a title"
    );
}

#[test]
fn every_page_has_head_metadata() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    for (path, bytes) in site.snapshot_tree() {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap_or_default();
        if html.contains("http-equiv=\"refresh\"") {
            assert_eq!(
                attrs(&html, "link[rel=canonical]", "href").len(),
                1,
                "{path}"
            );
            continue;
        }
        assert_eq!(texts(&html, "head > title").len(), 1, "title on {path}");
        assert_eq!(
            attrs(&html, "meta[name=description]", "content").len(),
            1,
            "description on {path}"
        );
        let canonical = attrs(&html, "link[rel=canonical]", "href");
        assert_eq!(canonical.len(), 1, "canonical on {path}");
        assert!(
            canonical[0].starts_with("https://host.example/sub/path/"),
            "{path}: {canonical:?}"
        );
        for og in ["og:title", "og:description", "og:url", "og:type"] {
            assert_eq!(
                attrs(&html, &format!("meta[property='{og}']"), "content").len(),
                1,
                "{og} on {path}"
            );
        }
        if path != "404.html" {
            let ld = texts(&html, "script[type='application/ld+json']");
            assert_eq!(ld.len(), 1, "json-ld on {path}");
            assert!(
                serde_json::from_str::<serde_json::Value>(&ld[0]).is_ok(),
                "json-ld parses on {path}"
            );
        }
    }
}

#[test]
fn every_link_respects_the_sub_path() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    for (path, bytes) in site.snapshot_tree() {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap_or_default();
        for attr in ["href", "src"] {
            for link in attrs(&html, &format!("[{attr}]"), attr) {
                if link.starts_with('/') {
                    assert!(link.starts_with("/sub/path/"), "{path}: {attr}={link}");
                }
            }
        }
    }
    // And `check` resolves every one of them.
    let out = site.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn case_variants_merge_and_the_most_used_spelling_wins() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    // "compute resources", "Compute Resources", "Compute  Resources": one concept, 3 episodes.
    let html = site.read("concepts/compute-resources/index.html");
    assert_eq!(texts(&html, "h1"), ["Compute Resources"]);
    assert!(
        texts(&html, "p.meta")
            .iter()
            .any(|t| t.starts_with("3 episodes"))
    );
    // Every episode's definition is compared on the first page, though it lists two
    // episodes (paginate: 2); the second page lists episodes only.
    let mut all = texts(&html, ".definitions blockquote");
    let page2 = site.read("concepts/compute-resources/page/2/index.html");
    assert!(texts(&page2, ".definitions").is_empty());
    assert_eq!(texts(&page2, ".cards .card-title").len(), 1);
    all.sort();
    assert_eq!(
        all,
        [
            "First spelling, lower case.",
            "Second spelling, title case.",
            "Third spelling, double space."
        ]
    );
}

#[test]
fn c_cplusplus_and_csharp_are_three_concepts_and_scripts_are_kept() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    for slug in ["c", "c-plus-plus", "c-sharp", "機械学習", "cafe-economie"] {
        assert!(
            site.exists(&format!("concepts/{slug}/index.html")),
            "{slug}"
        );
    }
}

#[test]
fn aliases_merge_concepts_and_redirect_old_urls() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    // concept_aliases ML → Machine Learning, and "Machine learning" by case: one page.
    let html = site.read("concepts/machine-learning/index.html");
    assert!(
        texts(&html, "p.meta")
            .iter()
            .any(|t| t.starts_with("2 episodes")),
        "{html}"
    );
    assert!(html.contains("Curated text about <strong>machine learning</strong>"));
    assert!(!site.exists("concepts/ml/index.html"));
    // Episode aliases: a folder and an .html file, both redirecting with sub-path URLs.
    for old in [
        "old/case-b/index.html",
        "legacy/case-b.html",
        "about-us/index.html",
    ] {
        let r = site.read(old);
        assert!(r.contains("http-equiv=\"refresh\""), "{old}");
    }
    // The canonical link is absolute; the page moves on by a relative URL, so a built site
    // previewed on another host (a local file server) stays there.
    let old = site.read("old/case-b/index.html");
    assert_eq!(
        attrs(&old, "link[rel=canonical]", "href"),
        ["https://host.example/sub/path/episodes/custom-b/"]
    );
    assert_eq!(
        attrs(&old, "meta[http-equiv=refresh]", "content"),
        ["0; url=../../episodes/custom-b/"]
    );
    assert_eq!(attrs(&old, "p a", "href"), ["../../episodes/custom-b/"]);
    assert_eq!(
        attrs(
            &site.read("legacy/case-b.html"),
            "meta[http-equiv=refresh]",
            "content"
        ),
        ["0; url=../episodes/custom-b/"]
    );
    assert_eq!(
        attrs(
            &site.read("page/1/index.html"),
            "meta[http-equiv=refresh]",
            "content"
        ),
        ["0; url=../../"]
    );
    assert!(!old.contains("url=https://"), "{old}");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    assert!(!site.exists("episodes/draft/index.html"));
    assert!(!site.exists("concepts/draft-only-concept/index.html"));
    assert!(!site.read("sitemap.xml").contains("draft"));
    site.build_ok(&["--drafts"]);
    assert!(site.exists("episodes/draft/index.html"));
    assert!(site.exists("concepts/draft-only-concept/index.html"));
}

#[test]
fn home_is_paginated_newest_first() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    let first = site.read("index.html");
    let titles = texts(&first, ".card-title");
    assert_eq!(
        titles,
        [
            "<script>alert('x')</script> & \"Quotes\": a title",
            "Case variant A"
        ]
    );
    // 41 published digests (26 of them the search tests' notes, 10 the definitions
    // tests'), two a page.
    assert!(site.exists("page/2/index.html") && site.exists("page/21/index.html"));
    assert!(!site.exists("page/22/index.html"));
    assert_eq!(attrs(&first, "a[rel=next]", "href"), ["/sub/path/page/2/"]);
    assert!(
        site.read("page/1/index.html")
            .contains("http-equiv=\"refresh\"")
    );
}

#[test]
fn key_concepts_from_the_body_link_to_concept_pages() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    let html = site.read("episodes/body-concepts/index.html");
    let dts = attrs(&html, "dl.key-concepts-list dt a", "href");
    assert_eq!(
        dts,
        [
            "/sub/path/concepts/zeta-function/",
            "/sub/path/concepts/eta/"
        ]
    );
    let dds = texts(&html, "dl.key-concepts-list dd");
    assert_eq!(dds, ["defined in bold: with a colon.", "plain form."]);
    // The first paragraph is the summary.
    assert_eq!(
        attrs(&html, "meta[name=description]", "content"),
        ["Intro paragraph used as the summary."]
    );
    assert!(
        site.read("page/2/index.html")
            .contains("Intro paragraph used as the summary.")
    );
}

#[test]
fn table_of_contents_ids_are_unique_and_match_headings() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    let html = site.read("episodes/escaping/index.html");
    let toc = attrs(&html, "nav.toc a", "href");
    let ids = attrs(&html, ".body h2", "id");
    assert_eq!(toc, ["#heading", "#heading-1"]);
    assert_eq!(ids, ["heading", "heading-1"]);
}

#[test]
fn code_is_highlighted_with_classes_and_a_generated_stylesheet() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    let html = site.read("episodes/code/index.html");
    assert!(html.contains("class=\"hl-"), "no highlight classes");
    assert!(html.contains("&lt;b&gt;") && !html.contains("\"<b>\""));
    let css = site.read("syntax.css");
    assert!(css.contains("prefers-color-scheme: dark") && css.contains(".hl-"));
}

#[test]
fn data_files_are_valid_and_complete() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    let json: serde_json::Value =
        serde_json::from_str(&site.read("episodes/custom-b/digest.json")).unwrap_or_default();
    assert_eq!(json["title"], "Case variant B");
    assert_eq!(json["duration_seconds"], 3723);
    assert_eq!(json["date"], "2025-01-15T09:30:00+02:00");
    assert_eq!(json["concepts"].as_array().map(Vec::len), Some(4));
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://host.example/sub/path/episodes/custom-b/</loc>"));
    assert!(sitemap.contains("<loc>https://host.example/sub/path/</loc>"));
    assert!(
        !sitemap.contains("old/case-b"),
        "redirects are not in the sitemap"
    );
    assert!(!sitemap.contains("404"));
    assert!(
        site.read("robots.txt")
            .contains("Sitemap: https://host.example/sub/path/sitemap.xml")
    );
    let llms = site.read("llms.txt");
    assert!(llms.starts_with("# Tricky <Digests> & Co\n"));
    assert!(llms.contains("(https://host.example/sub/path/episodes/custom-b/)"));
    assert!(site.read("404.html").contains("Page not found"));
    assert!(site.exists("pic.png"), "static/ is copied");
    assert!(site.exists("style.css"), "theme static is copied");
}

#[test]
fn two_builds_are_byte_identical() {
    let a = Site::fixture("tricky");
    a.build_ok(&[]);
    let first = a.snapshot_tree();
    a.build_ok(&[]);
    assert_eq!(first, a.snapshot_tree(), "rebuild differs");
    let b = Site::fixture("tricky");
    b.build_ok(&[]);
    assert_eq!(first, b.snapshot_tree(), "a second copy builds differently");
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    let before = site.snapshot_tree();
    site.write("content/episodes/broken.md", "---\ntitle: [unclosed\n---\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(before, site.snapshot_tree());
    let leftovers = site.leftovers();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn files_the_site_no_longer_produces_disappear() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    assert!(site.exists("episodes/code/index.html"));
    std::fs::remove_file(site.root().join("content/episodes/code.md")).unwrap_or_default();
    site.build_ok(&[]);
    assert!(!site.exists("episodes/code/index.html"));
}

#[test]
fn site_templates_override_theme_templates_by_name() {
    let site = Site::fixture("tricky");
    site.write("templates/page.html", "{% extends \"base.html\" %}{% block content %}<p id=\"custom\">OVERRIDDEN {{ page.title }}</p>{% endblock content %}");
    site.build_ok(&[]);
    assert!(
        site.read("about/index.html")
            .contains("<p id=\"custom\">OVERRIDDEN About &amp; &lt;More&gt;</p>")
    );
    // Other templates still come from the theme.
    assert!(site.read("index.html").contains("class=\"cards\""));
}

/// A theme with only the templates it changes: every other page falls back to the built-in
/// theme's template of that name (a theme made before `definitions.html` existed still
/// builds a concept's full list of definitions).
#[test]
fn a_theme_lacking_a_template_falls_back_to_the_built_in_one() {
    let site = Site::fixture("tricky");
    let config = std::fs::read_to_string(site.root().join("castdown.yaml")).unwrap_or_default();
    site.write("castdown.yaml", format!("{config}theme: minimal\n"));
    site.write(
        "themes/minimal/templates/episode.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"minimal\">{{ episode.title }}</p>{% endblock content %}",
    );
    site.build_ok(&[]);
    assert!(
        site.read("episodes/case-a/index.html")
            .contains("<p id=\"minimal\">Case variant A</p>")
    );
    assert!(
        site.read("concepts/lock-in/definitions/index.html")
            .contains("Every definition of Lock-in")
    );
    assert!(site.read("index.html").contains("class=\"cards\""));
    // A theme that does not exist at all is still an error.
    site.write("castdown.yaml", format!("{config}theme: nowhere\n"));
    let out = site.run(&["build"]);
    assert!(
        stderr(&out).contains("theme `nowhere` not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn base_url_flag_overrides_the_config() {
    let site = Site::fixture("tricky");
    site.build_ok(&["--base-url", "http://localhost:8000/"]);
    assert!(site.read("index.html").contains("href=\"/concepts/\""));
    assert!(
        site.read("sitemap.xml")
            .contains("<loc>http://localhost:8000/</loc>")
    );
}

#[test]
fn custom_output_folder_and_refusals() {
    let site = Site::fixture("tricky");
    let out_dir = site.root().join("elsewhere");
    let out = site.run(&["build", "--output", out_dir.to_str().unwrap_or_default()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out_dir.join("index.html").exists());
    // The site root itself, or its content folder, is never an output.
    for bad in [site.root().to_path_buf(), site.root().join("content")] {
        let out = site.run(&["build", "--output", bad.to_str().unwrap_or_default()]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    }
    assert!(site.root().join("content/episodes/escaping.md").exists());
}

#[test]
fn the_demo_site_builds_and_checks_clean() {
    let site = Site::fixture("demo");
    let out = site.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    site.build_ok(&[]);
    // Overlapping concepts across shows: the concept page compares definitions.
    let html = site.read("concepts/platform-risk/index.html");
    let shows = texts(&html, ".definitions .def-group h3 a");
    assert!(
        shows.iter().any(|s| s == "Founders at Lunch")
            && shows.iter().any(|s| s == "Signal & Noise"),
        "{shows:?}"
    );
}

#[test]
fn regression_a_symlinked_output_had_its_target_emptied_and_replaced() {
    let site = Site::fixture("tricky");
    let www = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let target = www.path().join("site");
    std::os::unix::fs::symlink(&target, site.public()).unwrap_or_else(|e| panic!("{e}"));
    // First build: the link's target does not exist yet.
    site.build_ok(&[]);
    assert!(site.public().is_symlink(), "the link was replaced");
    assert!(target.join("index.html").is_file());
    // Second build swaps the target inside its parent; the link stays.
    site.build_ok(&[]);
    assert!(site.public().is_symlink(), "the link was replaced");
    assert!(target.join("index.html").is_file());
    // A failed build changes nothing.
    let before = common::tree(&target);
    site.write("content/episodes/broken.md", "---\ntitle: [x\n---\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(site.public().is_symlink());
    assert_eq!(before, common::tree(&target));
}

#[test]
fn regression_a_kill_between_the_two_renames_lost_the_only_copy() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    let before = site.snapshot_tree();
    // What a kill between the renames leaves: the output moved aside, a finished staging
    // folder beside it, no output.
    let aside = site.root().join(".public.castdown-old-999999");
    std::fs::rename(site.public(), &aside).unwrap_or_else(|e| panic!("{e}"));
    let staging = site.root().join(".public.castdown-tmp-999999");
    std::fs::create_dir_all(&staging).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(staging.join(".castdown-staging"), "").unwrap_or_else(|e| panic!("{e}"));
    // A user's folder of a similar name is not castdown's to delete.
    let users = site.root().join(".public.castdown-mine");
    std::fs::create_dir_all(&users).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(users.join("keep.txt"), "mine").unwrap_or_else(|e| panic!("{e}"));
    // The next build fails: the previous output is restored all the same.
    site.write("content/episodes/broken.md", "---\ntitle: [x\n---\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        before,
        site.snapshot_tree(),
        "the previous output was not restored"
    );
    assert!(!aside.exists() && !staging.exists());
    assert!(
        users.join("keep.txt").is_file(),
        "a user's folder was deleted"
    );
    std::fs::remove_file(site.root().join("content/episodes/broken.md")).unwrap_or_default();
    site.build_ok(&[]);
    assert_eq!(before, site.snapshot_tree());
}

#[test]
fn a_second_build_into_the_same_output_fails_with_a_message() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    // Hold the lock as a running build does.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(site.root().join(".public.castdown-lock"))
        .unwrap_or_else(|e| panic!("{e}"));
    lock.try_lock().unwrap_or_else(|e| panic!("{e}"));
    let out = site.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("another castdown build is writing"), "{err}");
    drop(lock);
    site.build_ok(&[]);
}

#[test]
fn related_concepts_say_how_many_digests_they_share() {
    let site = Site::fixture("demo");
    site.build_ok(&[]);
    let html = site.read("concepts/platform-risk/index.html");
    let items = texts(&html, ".related-list li");
    assert!(!items.is_empty());
    for item in &items {
        // "Attention Economy 1 shared digest": a label, not a bare number.
        assert!(
            item.ends_with(" shared digest") || item.ends_with(" shared digests"),
            "{item}"
        );
        let n: usize = item
            .rsplit(' ')
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(n >= 1, "{item}");
    }
}

#[test]
fn concept_pages_chart_mentions_over_time_with_the_data_as_a_table() {
    let site = Site::fixture("demo");
    site.build_ok(&[]);
    let html = site.read("concepts/platform-risk/index.html");
    let meta = texts(&html, ".term header .meta");
    let count: usize = meta
        .first()
        .and_then(|m| m.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(count >= 2, "{meta:?}");
    let cells = texts(&html, ".timeline tbody td");
    let rows: Vec<(String, usize)> = cells
        .chunks(2)
        .map(|c| (c[0].clone(), c[1].parse().unwrap_or(0)))
        .collect();
    // The demo spans two calendar years: counted per month, every month listed.
    assert!(rows.iter().all(|(l, _)| l.len() == 7), "{rows:?}");
    assert_eq!(rows.iter().map(|r| r.1).sum::<usize>(), count, "{rows:?}");
    assert!(rows.first().is_some_and(|r| r.1 > 0) && rows.last().is_some_and(|r| r.1 > 0));
    // One bar per period, a text alternative, first and latest mention.
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel(".timeline svg rect")).count(), rows.len());
    assert_eq!(
        attrs(&html, ".timeline svg", "aria-labelledby"),
        ["timeline-caption"]
    );
    let caption = texts(&html, "#timeline-caption");
    assert!(
        caption[0].starts_with(&format!("{count} digests by month, ")),
        "{caption:?}"
    );
    assert_eq!(texts(&html, ".timeline .meta time").len(), 2);
    // Only page 1 has it.
    let site2 = Site::fixture("tricky");
    site2.build_ok(&[]);
    let first = site2.read("concepts/compute-resources/index.html");
    assert!(first.contains("class=\"timeline\""));
    if site2.exists("concepts/compute-resources/page/2/index.html") {
        assert!(
            !site2
                .read("concepts/compute-resources/page/2/index.html")
                .contains("class=\"timeline\"")
        );
    }
}

#[test]
fn key_concepts_from_the_body_and_the_front_matter_are_one_component_outside_the_toc() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    for page in [
        "episodes/body-concepts/index.html",
        "episodes/case-a/index.html",
    ] {
        let html = site.read(page);
        let doc = Html::parse_document(&html);
        let component = sel("section.key-concepts > h2 + dl.key-concepts-list dt a");
        assert!(doc.select(&component).count() >= 2, "{page}");
        // The section is labelled by its own heading.
        let label = attrs(&html, "section.key-concepts", "aria-labelledby");
        let heading = attrs(&html, "section.key-concepts > h2", "id");
        assert_eq!(label, heading, "{page}");
        // Not a section of the table of contents.
        assert!(
            attrs(&html, "nav.toc a", "href")
                .iter()
                .all(|h| !h.contains("key-concepts")),
            "{page}"
        );
    }
}

#[test]
fn show_and_person_pages_say_what_they_cover() {
    let site = Site::fixture("demo");
    site.build_ok(&[]);
    let show = site.read("shows/founders-at-lunch/index.html");
    let glance = texts(&show, ".profile p");
    assert_eq!(glance[0], "3 digests, from 2025-07-02 to 2025-10-30.");
    let heads = texts(&show, ".profile h3");
    assert_eq!(heads, ["Top concepts", "People who appear"]);
    let people = texts(&show, ".profile ul:last-of-type li");
    assert_eq!(people[0], "Priya Raman 3 digests", "{people:?}");
    // Most first.
    let counts: Vec<usize> = texts(&show, ".profile .shared")
        .iter()
        .map(|t| {
            t.split(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    assert!(counts.iter().all(|&n| n >= 1));
    let person = site.read("people/ana-ruiz/index.html");
    assert_eq!(texts(&person, ".profile h3"), ["Shows", "Top concepts"]);
    assert_eq!(
        texts(&person, ".profile ul:first-of-type li a"),
        ["Signal & Noise"]
    );
}

/// One concept defined by three shows and a digest without a show, with duplicates that
/// differ only in case, punctuation and spacing, and one digest naming it bare
/// (`fixtures/tricky/content/episodes/definitions/`).
#[test]
fn concept_pages_compare_definitions_by_show_with_duplicates_merged() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    let html = site.read("concepts/lock-in/index.html");
    // Each show's name once, the show whose digests define it most first, no show last.
    assert_eq!(
        texts(&html, ".definitions .def-group h3"),
        [
            "Founders Talk 5 digests",
            "Risk Radio 2 digests",
            "Vendor Hour 1 digest",
            "Without a show 1 digest"
        ]
    );
    assert_eq!(
        texts(&html, ".definitions > p.meta"),
        ["9 digests define it, in 6 different ways · Every definition"]
    );
    // Founders Talk: four distinct definitions, the twice-given one first, then the newest;
    // three shown, and a link to all four.
    let founders = Html::parse_document(&html);
    let group = founders
        .select(&sel(".def-group"))
        .next()
        .unwrap_or_else(|| panic!("no group"));
    let quotes: Vec<String> = group
        .select(&sel("blockquote"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(
        quotes,
        [
            // The newest wording of the two.
            "switching costs that keep a customer from   leaving",
            "Data formats only one product reads.",
            "Contracts that punish leaving."
        ]
    );
    let counts: Vec<String> = group
        .select(&sel(".def-count"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(counts, ["2 digests:"]);
    let all: Vec<String> = group
        .select(&sel(".def-more a"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(all, ["All 4 definitions from Founders Talk"]);
    // Risk Radio's two near-identical definitions are one, with both episodes.
    let radio = texts(&html, ".def-group:nth-of-type(2) .def-eps");
    assert_eq!(
        radio,
        ["2 digests: Lock-in note 07 2022-07-10; Lock-in note 06 2022-06-10"]
    );
    // The link leads to the full list, to the show's own group.
    let href = attrs(&html, ".def-more a", "href");
    assert_eq!(
        href,
        ["/sub/path/concepts/lock-in/definitions/#defs-founders-talk"]
    );
    let full = site.read("concepts/lock-in/definitions/index.html");
    assert_eq!(attrs(&full, "#defs-founders-talk", "id").len(), 1);
    assert_eq!(texts(&full, "#defs-founders-talk blockquote").len(), 4);
    assert_eq!(texts(&full, ".def-group").len(), 4);
    assert!(!site.exists("concepts/lock-in/definitions/page/2/index.html"));
    // Later pages list episodes only (ten episodes, two a page).
    let page2 = site.read("concepts/lock-in/page/2/index.html");
    assert!(texts(&page2, ".definitions").is_empty());
    assert_eq!(texts(&page2, ".cards .card-title").len(), 2);
    // A concept whose every show fits on its first page has no full list.
    assert!(!site.exists("concepts/compute-resources/definitions/index.html"));
}

#[test]
fn a_bare_concept_borrows_the_most_common_definition_or_the_curated_one() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    // "Depending on one vendor" is given three times (notes 01, 06 and 07, in three
    // spellings): the earliest digest is credited, in its own words.
    let html = site.read("episodes/lockin-10/index.html");
    assert_eq!(
        texts(&html, ".key-concepts-list dd"),
        ["Depending on one vendor. (as defined in Lock-in note 01)"]
    );
    assert_eq!(
        attrs(&html, ".key-concepts-list dd a", "href"),
        ["/sub/path/episodes/lockin-01/"]
    );
    // A curated concept lends its description (ML is an alias of Machine Learning).
    let case = site.read("episodes/case-a/index.html");
    let dds = texts(&case, ".key-concepts-list dd");
    assert!(
        dds.iter()
            .any(|d| d == "Curated text about machine learning. (from its concept page)"),
        "{dds:?}"
    );
}

#[test]
fn the_glossary_has_one_line_definitions_letters_and_both_sorts() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    let html = site.read("concepts/index.html");
    // The active sort is marked; the other is a link.
    assert_eq!(texts(&html, ".sort-switch [aria-current=page]"), ["A–Z"]);
    assert_eq!(
        attrs(&html, ".sort-switch a", "href"),
        ["/sub/path/concepts/", "/sub/path/concepts/by-count/"]
    );
    // Every letter is listed; those with concepts link to their group.
    let letters = texts(&html, ".letters li");
    assert!(letters.len() >= 26, "{letters:?}");
    let anchors = attrs(&html, ".letters a", "href");
    assert!(anchors.contains(&"#letter-l".to_string()), "{anchors:?}");
    for a in &anchors {
        let id = a.trim_start_matches('#');
        assert_eq!(attrs(&html, &format!("section#{id}"), "id").len(), 1, "{a}");
    }
    // Groups run in order and each entry sits under its initial.
    let groups = texts(&html, ".term-group h2");
    let mut sorted = groups.clone();
    sorted.sort_by_key(|g| (g != "#", g.clone()));
    assert_eq!(groups, sorted);
    let lock = Html::parse_document(&html);
    let entry = lock
        .select(&sel("#letter-l .entry"))
        .find(|e| e.text().collect::<String>().contains("Lock-in"))
        .unwrap_or_else(|| panic!("Lock-in is not under L"));
    let line: String = entry
        .select(&sel("dd .line"))
        .flat_map(|d| d.text())
        .collect();
    assert_eq!(line, "Depending on one vendor.");
    let ml: Vec<String> = lock
        .select(&sel("#letter-m .entry"))
        .filter(|e| e.text().collect::<String>().contains("Machine Learning"))
        .map(|e| e.select(&sel("dd .line")).flat_map(|d| d.text()).collect())
        .collect();
    assert_eq!(ml, ["Curated text about machine learning."]);
    // The filter box is there for JavaScript to show; without it the list is whole.
    assert_eq!(attrs(&html, "form.term-filter[hidden]", "class").len(), 1);
    // By count: most digests first.
    let by_count = site.read("concepts/by-count/index.html");
    assert_eq!(
        texts(&by_count, ".sort-switch [aria-current=page]"),
        ["By digest count"]
    );
    let counts: Vec<usize> = texts(&by_count, ".glossary .count")
        .iter()
        .filter_map(|c| c.split(' ').next()?.parse().ok())
        .collect();
    assert!(
        counts.len() > 5 && counts.windows(2).all(|w| w[0] >= w[1]),
        "{counts:?}"
    );
    assert!(texts(&by_count, ".letters").is_empty());
}

#[test]
fn a_term_whose_slug_is_by_count_is_a_located_error() {
    let site = Site::empty("title: T\nbase_url: https://e.com/\n");
    site.write(
        "content/episodes/a.md",
        "---\ntitle: A\ndate: 2024-01-01\nconcepts: [By Count]\n---\nBody.\n",
    );
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("content/episodes/a.md:4:"), "{err}");
    assert!(err.contains("/concepts/by-count/"), "{err}");
}

/// What the site provides wins over what castdown would write: a `static/robots.txt` is
/// published as is (it used to be replaced silently), and a `templates/robots.txt` is
/// rendered with `site` and `sitemap_url`.
#[test]
fn a_sites_own_robots_txt_wins() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    assert!(
        site.read("robots.txt")
            .contains("Sitemap: https://host.example/sub/path/sitemap.xml")
    );
    site.write("static/robots.txt", "User-agent: *\nDisallow: /private/\n");
    site.build_ok(&[]);
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nDisallow: /private/\n"
    );
    site.write(
        "templates/robots.txt",
        "User-agent: *\nDisallow: /drafts/\nSitemap: {{ sitemap_url }}\n# {{ site.title }}\n",
    );
    site.build_ok(&[]);
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nDisallow: /drafts/\nSitemap: https://host.example/sub/path/sitemap.xml\n# Tricky <Digests> & Co\n"
    );
}

/// A site's own `templates/sitemap.xml` replaces castdown's, given every page's URL and,
/// for episodes, `lastmod`.
#[test]
fn a_sites_own_sitemap_template_wins() {
    let site = Site::fixture("small");
    site.write(
        "templates/sitemap.xml",
        "<?xml version=\"1.0\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{% for e in entries %}<url><loc>{{ e.loc }}</loc>{% if e.lastmod %}<lastmod>{{ e.lastmod }}</lastmod>{% endif %}<priority>0.5</priority></url>{% endfor %}</urlset>\n",
    );
    site.build_ok(&[]);
    let map = site.read("sitemap.xml");
    assert!(map.contains("<priority>0.5</priority>"), "{map}");
    assert!(
        map.contains(
            "<url><loc>https://small.example/episodes/one/</loc><lastmod>2025-05-05</lastmod>"
        ),
        "{map}"
    );
    assert!(!map.contains("404"), "{map}");
}

#[test]
fn the_404_page_is_not_indexed_and_an_episode_is_about_the_original() {
    let site = Site::fixture("listening");
    site.build_ok(&[]);
    assert!(
        site.read("404.html")
            .contains("<meta name=\"robots\" content=\"noindex\">")
    );
    assert!(!site.read("index.html").contains("noindex"));
    let html = site.read("episodes/with-audio/index.html");
    let ld: Vec<serde_json::Value> = Html::parse_document(&html)
        .select(&sel("script[type='application/ld+json']"))
        .filter_map(|s| serde_json::from_str(&s.text().collect::<String>()).ok())
        .collect();
    let article = &ld[0];
    // The digest is an article based on the show's episode; the episode is in the series.
    assert!(article.get("isPartOf").is_none(), "{article}");
    assert_eq!(article["isBasedOn"]["@type"], "PodcastEpisode");
    assert_eq!(article["isBasedOn"]["name"], "A tone in three parts");
    assert_eq!(article["isBasedOn"]["partOfSeries"]["name"], "Test Tones");
}

/// A digest dated in the future waits (Hugo's `buildFuture`): left out and counted, unless
/// `--future`, which publishes it marked as scheduled.
#[test]
fn scheduled_digests_wait_unless_future_is_asked() {
    let site = Site::fixture("small");
    site.write(
        "content/episodes/later.md",
        "---\ntitle: From the future\ndate: 2999-01-01\nshow: Tiny Show\n---\nNot yet.\n",
    );
    let out = site.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("; 1 digest dated in the future held back (--future publishes it)"),
        "{}",
        stderr(&out)
    );
    assert!(!site.exists("episodes/later/index.html"));
    assert!(!site.read("sitemap.xml").contains("later"));
    site.build_ok(&["--future"]);
    let html = site.read("episodes/later/index.html");
    assert!(
        html.contains("Scheduled: not published until 1 January 2999"),
        "{html}"
    );
    assert_eq!(
        texts(&site.read("index.html"), ".card .badge"),
        ["Scheduled"]
    );
}

/// `redirects_file: true` writes `_redirects` for hosts that read it (Netlify, Cloudflare
/// Pages): a real 301 for every alias and `/page/1/`, beside the redirect pages.
#[test]
fn a_redirects_file_lists_every_alias_with_the_base_path() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    assert!(!site.exists("_redirects"));
    let config = std::fs::read_to_string(site.root().join("castdown.yaml")).unwrap_or_default();
    site.write("castdown.yaml", format!("{config}redirects_file: true\n"));
    site.build_ok(&[]);
    let redirects = site.read("_redirects");
    let lines: Vec<&str> = redirects.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"/sub/path/page/1/ /sub/path/ 301"),
        "{redirects}"
    );
    assert!(lines.len() > 1, "{redirects}");
    for l in &lines {
        let parts: Vec<&str> = l.split(' ').collect();
        assert_eq!(parts.len(), 3, "{l}");
        assert!(
            parts[0].starts_with("/sub/path/") && parts[1].starts_with("/sub/path/"),
            "{l}"
        );
        assert_eq!(parts[2], "301");
        // The redirect page is still there.
        let from = parts[0].trim_start_matches("/sub/path/");
        let page = if from.ends_with('/') {
            format!("{from}index.html")
        } else {
            from.to_string()
        };
        assert!(site.exists(&page), "{page}");
    }
}

/// `check` follows relative links too: a digest's `![](x.png)` whose file is missing is a
/// broken link, one that is there is published beside the page.
#[test]
fn check_reports_a_relative_reference_to_a_missing_file() {
    let site = Site::fixture("small");
    site.write(
        "content/episodes/pics.md",
        "---\ntitle: Pictures\ndate: 2025-01-01\n---\nHere: ![there](there.png) and ![gone](gone.png).\n",
    );
    site.write("content/episodes/there.png", "not really a png");
    let out = site.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/episodes/pics.md: error: broken link `gone.png`: nothing is built at /episodes/pics/gone.png"),
        "{err}"
    );
    assert!(!err.contains("there.png"), "{err}");
}

/// A theme's `theme.yaml` is read: a theme that needs a newer castdown says so at its line,
/// and a key castdown does not know is an error, as in every other YAML file it reads.
#[test]
fn a_themes_manifest_is_read_and_its_minimum_version_enforced() {
    let site = Site::fixture("small");
    let config = std::fs::read_to_string(site.root().join("castdown.yaml")).unwrap_or_default();
    site.write("castdown.yaml", format!("{config}theme: mine\n"));
    site.write(
        "themes/mine/templates/page.html",
        "{% extends \"base.html\" %}",
    );
    site.write(
        "themes/mine/theme.yaml",
        "name: Mine\ndescription: A test theme.\nmin_castdown: \"0.1\"\n",
    );
    site.build_ok(&[]);
    site.write(
        "themes/mine/theme.yaml",
        "name: Mine\nmin_castdown: \"99.0\"\n",
    );
    let out = site.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "themes/mine/theme.yaml:2:15: error: theme `Mine` needs castdown 99.0 or newer"
        ),
        "{err}"
    );
    site.write("themes/mine/theme.yaml", "name: Mine\nauthor: someone\n");
    let out = site.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("themes/mine/theme.yaml:2:1") && err.contains("author"),
        "{err}"
    );
}

/// `language` picks the theme's words and the date format; a site's `i18n/<lang>.yaml`
/// overrides any of them; `og:locale` is `ll_CC`.
#[test]
fn the_language_drives_the_words_dates_and_locale() {
    let site = Site::fixture("small");
    let config = std::fs::read_to_string(site.root().join("castdown.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    site.write("castdown.yaml", format!("{config}language: fr\n"));
    site.build_ok(&[]);
    let home = site.read("index.html");
    assert_eq!(texts(&home, "main h1"), ["Derniers épisodes"]);
    assert_eq!(texts(&home, "a.skip-link"), ["Aller au contenu"]);
    assert_eq!(texts(&home, ".card time"), ["5 mai 2025"]);
    assert_eq!(
        attrs(&home, "meta[property='og:locale']", "content"),
        ["fr_FR"]
    );
    assert_eq!(attrs(&home, "html", "lang"), ["fr"]);
    let episode = site.read("episodes/one/index.html");
    assert_eq!(
        texts(&episode, ".facts dt"),
        ["Émission", "Date", "Durée", "Personnes", "Temps de lecture"]
    );
    let concept = site.read("concepts/snapshot/index.html");
    // French counts one for one (and for zero).
    assert!(
        texts(&concept, "p.meta")[0].starts_with("1 épisode ·"),
        "{concept}"
    );
    assert_eq!(
        attrs(&concept, "meta[name=description]", "content"),
        ["1 épisode qui parle de Snapshot, et comment chaque émission le définit."]
    );
    // The search page's own words, and those its script says, in French.
    let search = site.read("search/index.html");
    assert_eq!(texts(&search, "label[for=search-q]"), ["Mots à chercher"]);
    let script_words = attrs(&search, "#search", "data-words");
    let said: serde_json::Value =
        serde_json::from_str(&script_words[0]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(said["searching"], "Recherche…");
    assert_eq!(said["n_results"]["other"], "{n} résultats.");

    // German and Spanish dates, and a language castdown has no words for: English words,
    // its own locale; a region in the tag gives the locale's country.
    for (language, date, locale, heading) in [
        ("de", "5. Mai 2025", "de_DE", "Neueste Episoden"),
        ("es-MX", "5 de mayo de 2025", "es_MX", "Últimos episodios"),
        ("it", "5 May 2025", "it_IT", "Latest episodes"),
    ] {
        site.write("castdown.yaml", format!("{config}language: {language}\n"));
        site.build_ok(&[]);
        let home = site.read("index.html");
        assert_eq!(texts(&home, ".card time"), [date], "{language}");
        assert_eq!(texts(&home, "main h1"), [heading], "{language}");
        assert_eq!(
            attrs(&home, "meta[property='og:locale']", "content"),
            [locale],
            "{language}"
        );
    }

    // The site's own words win, for its language only.
    site.write("castdown.yaml", format!("{config}language: fr\n"));
    site.write(
        "i18n/fr.yaml",
        "# Nos mots\nlatest_episodes: À la une\nn_episodes:\n  one: \"{n} numéro\"\n  other: \"{n} numéros\"\nmonths: [janv., févr., mars, avr., mai, juin, juil., août, sept., oct., nov., déc.]\n",
    );
    site.build_ok(&[]);
    let home = site.read("index.html");
    assert_eq!(texts(&home, "main h1"), ["À la une"]);
    assert_eq!(texts(&home, ".card time"), ["5 mai 2025"]);
    let concept = site.read("concepts/snapshot/index.html");
    assert!(
        texts(&concept, "p.meta")[0].starts_with("1 numéro ·"),
        "{concept}"
    );
    assert_eq!(texts(&concept, ".kicker a"), ["Concept"]);
}

/// A translation file's mistakes are located errors: an unknown key (with the nearest
/// known one), a placeholder the text does not have, a count without both forms.
#[test]
fn an_unknown_key_in_a_translation_file_is_a_located_error() {
    let site = Site::fixture("small");
    let config = std::fs::read_to_string(site.root().join("castdown.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    site.write("castdown.yaml", format!("{config}language: de\n"));
    site.write(
        "i18n/de.yaml",
        "lastest_episodes: Neu\nn_episodes:\n  one: \"{n} Folge\"\npage_of: \"Seite {seite}\"\n",
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for expected in [
        "i18n/de.yaml:1:1: error: unknown key `lastest_episodes`",
        "did you mean `latest_episodes`?",
        "i18n/de.yaml:2:1: error: `n_episodes`: a count needs both forms, `one` and `other`",
        "i18n/de.yaml:4:1: error: `page_of`: unknown placeholder `{seite}` (this text has {page}, {total})",
        "3 errors in 1 file",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!site.public().exists());
}

/// Each episode keeps its five related episodes, not room for every candidate: the lists
/// were collected in place from the candidates' list, and at 100,000 digests their unused
/// room held a gigabyte for the whole build.
#[test]
fn regression_related_episode_lists_held_room_for_every_candidate() {
    let site = Site::empty("title: Related\nbase_url: https://related.example/\n");
    for i in 0..60 {
        site.write(
            &format!("content/episodes/e{i:02}.md"),
            format!(
                "---\ntitle: Episode {i}\ndate: 2024-01-{:02}\nconcepts: [Shared One, Shared Two]\n---\nBody {i}.\n",
                1 + i % 28
            ),
        );
    }
    let opts = castdown::pipeline::BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    };
    let built =
        castdown::pipeline::build_in_memory(&opts, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
    for e in &built.site.episodes {
        assert_eq!(e.related.len(), 5, "{}", e.digest.title);
        assert_eq!(e.related.capacity(), e.related.len(), "{}", e.digest.title);
    }
}
