//! `init`, `new`, and snapshots of rendered HTML.

mod common;

use assert_cmd::Command;
use common::{Site, stderr, stdout};

#[test]
fn init_creates_a_site_that_builds() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().join("newsite");
    let out = Command::cargo_bin("castdown")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["init"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("castdown.yaml").is_file());
    assert!(
        dir.join("content/episodes/welcome-to-castdown.md")
            .is_file()
    );
    // The built-in theme is used: no themes/ folder needed.
    let out = Command::cargo_bin("castdown")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["build", "--root"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        dir.join("public/episodes/welcome-to-castdown/index.html")
            .is_file()
    );
    assert!(dir.join("public/style.css").is_file());
    // The placeholder address is a warning, once, until it is changed or overridden.
    let err = stderr(&out);
    assert_eq!(
        err.matches("base_url is still `https://example.com/`")
            .count(),
        1,
        "{err}"
    );
    let out = Command::cargo_bin("castdown")
        .unwrap_or_else(|e| panic!("{e}"))
        .args([
            "build",
            "--base-url",
            "https://digests.example.org/",
            "--root",
        ])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !stderr(&out).contains("base_url is still"),
        "{}",
        stderr(&out)
    );
}

/// serve in a folder with no site says so, instead of claiming to serve a last good site.
#[test]
fn serve_in_a_folder_with_no_site_says_so() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("castdown"))
        .args(["serve", "--port", "0", "--root"])
        .arg(tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut line = String::new();
    if let Some(err) = child.stderr.take() {
        let _ = BufReader::new(err).read_line(&mut line);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.contains("has no castdown site (no castdown.yaml, no content/)"),
        "{line}"
    );
    assert!(!line.contains("last good site"), "{line}");
}

#[test]
fn init_refuses_a_non_empty_folder_without_force() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(tmp.path().join("castdown.yaml"), "title: mine\n").unwrap_or_default();
    let run = |force: bool| {
        let mut c = Command::cargo_bin("castdown").unwrap_or_else(|e| panic!("{e}"));
        c.arg("init").arg(tmp.path());
        if force {
            c.arg("--force");
        }
        c.output().unwrap_or_else(|e| panic!("{e}"))
    };
    let out = run(false);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not empty"));
    let out = run(true);
    assert!(out.status.success());
    // Existing files are never overwritten.
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("castdown.yaml")).unwrap_or_default(),
        "title: mine\n"
    );
}

#[test]
fn new_writes_a_digest_with_quoted_front_matter_and_refuses_to_overwrite() {
    let site = Site::fixture("small");
    let out = site.run_raw(&[
        "new",
        "Colons: quotes \"and\" & more",
        "--show",
        "Tiny Show",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = stdout(&out).trim().to_string();
    assert!(
        path.ends_with("content/episodes/colons-quotes-and-more.md"),
        "{path}"
    );
    let text = std::fs::read_to_string(site.root().join(&path)).unwrap_or_default();
    assert!(
        text.contains("title: 'Colons: quotes \"and\" & more'")
            || text.contains("title: \"Colons: quotes \\\"and\\\" & more\""),
        "{text}"
    );
    // The new digest builds as is, and its body's Key Concepts list is the one used (a
    // `concepts: []` in the front matter used to make the build ignore it).
    assert!(!text.contains("concepts:"), "{text}");
    site.build_ok(&[]);
    assert!(site.exists("episodes/colons-quotes-and-more/index.html"));
    assert!(site.exists("concepts/term/index.html"));
    let again = site.run_raw(&["new", "Colons: quotes \"and\" & more"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists"));
}

#[test]
fn quiet_prints_nothing_on_success() {
    let site = Site::fixture("small");
    let out = site.run(&["build", "--quiet"]);
    assert!(out.status.success());
    assert!(stderr(&out).is_empty() && stdout(&out).is_empty());
    let out = site.run(&["build"]);
    // Counts agree with their nouns ("1 concept", not "1 concepts").
    assert!(
        stderr(&out).contains("Built 1 episode, 1 concept, 1 show, 1 person, 0 pages → "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn episode_page_snapshot() {
    let site = Site::fixture("small");
    site.build_ok(&[]);
    insta::assert_snapshot!("episode_page", site.read("episodes/one/index.html"));
}

#[test]
fn concept_page_snapshot() {
    let site = Site::fixture("small");
    site.build_ok(&[]);
    insta::assert_snapshot!("concept_page", site.read("concepts/snapshot/index.html"));
}

/// `--root` may come before the command, and `completions` prints a script for each shell.
#[test]
fn root_before_the_command_and_shell_completions() {
    let site = Site::fixture("small");
    let out = Command::cargo_bin("castdown")
        .unwrap_or_else(|e| panic!("{e}"))
        .arg("--root")
        .arg(site.root())
        .arg("build")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(site.exists("episodes/one/index.html"));
    for (shell, start) in [
        ("bash", "_castdown()"),
        ("zsh", "#compdef castdown"),
        ("fish", "complete -c castdown"),
    ] {
        let out = Command::cargo_bin("castdown")
            .unwrap_or_else(|e| panic!("{e}"))
            .args(["completions", shell])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(start), "{shell}: {script}");
        // The script knows the commands and their flags.
        assert!(
            script.contains("serve") && script.contains("future"),
            "{shell}"
        );
    }
}

/// `--config FILE` reads another config (before or after the command), names it in errors,
/// and is refused by commands that read none.
#[test]
fn a_config_file_given_on_the_command_line() {
    let site = Site::fixture("small");
    let config = std::fs::read_to_string(site.root().join("castdown.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let staging = site.root().join("staging.yaml");
    let staged = config.replace("https://small.example/", "https://staging.example/s/");
    assert_ne!(staged, config);
    std::fs::write(&staging, &staged).unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| {
        Command::cargo_bin("castdown")
            .unwrap_or_else(|e| panic!("{e}"))
            .current_dir(site.root())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    for args in [
        &["build", "--config", "staging.yaml"][..],
        &["--config", "staging.yaml", "build"][..],
    ] {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let feed = site.read("atom.xml");
        assert!(
            feed.contains("https://staging.example/s/episodes/one/"),
            "{args:?}"
        );
    }
    // Errors name the file given, at the line.
    std::fs::write(&staging, format!("{staged}paginte: 3\n")).unwrap_or_else(|e| panic!("{e}"));
    let out = run(&["check", "--config", "staging.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let lines = config.lines().count() + 1;
    assert!(
        stderr(&out).contains(&format!(
            "staging.yaml:{lines}:1: error: unknown field `paginte`"
        )),
        "{}",
        stderr(&out)
    );
    // A config file that is not there is an error, not the defaults.
    let out = run(&["build", "--config", "nope.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nope.yaml: error: cannot read config"),
        "{}",
        stderr(&out)
    );
    let out = run(&["--config", "staging.yaml", "new", "A title"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--config applies to build, check, serve and context"));
}

/// `castdown context PAGE` prints what the page's template receives; every key it prints,
/// on every kind of page of the demo and the fixtures, is documented in docs/themes.md
/// (a value added to a template's context without a word in the docs fails here).
#[test]
fn every_value_a_template_receives_is_printed_and_documented() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(repo.join("docs/themes.md")).unwrap_or_default();
    let documented: std::collections::HashSet<&str> = docs
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    let tricky = Site::fixture("tricky");
    let listening = Site::fixture("listening");
    let sites: [(&std::path::Path, &[&str]); 3] = [
        (
            repo,
            &[
                "/",
                "/page/2/",
                "/episodes/partnership-without-exclusivity/",
                "/digests/episodes/partnership-without-exclusivity/transcript/",
                "/concepts/",
                "/concepts/by-count/",
                "/shows/",
                "/people/",
                "/concepts/platform-risk/",
                "/shows/founders-at-lunch/",
                "/people/jonas-weller/",
                "/about/",
                "/search/",
                "/404.html",
            ],
        ),
        (
            tricky.root(),
            &["/concepts/lock-in/", "/concepts/lock-in/definitions/"],
        ),
        (
            listening.root(),
            &[
                "/episodes/with-audio/",
                "/episodes/on-youtube/",
                "/episodes/with-audio/transcript/",
            ],
        ),
    ];
    let mut undocumented = std::collections::BTreeSet::new();
    let mut templates = std::collections::BTreeSet::new();
    for (root, pages) in sites {
        for page in pages {
            let out = Command::cargo_bin("castdown")
                .unwrap_or_else(|e| panic!("{e}"))
                .args(["context", "--root"])
                .arg(root)
                .arg(page)
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(out.status.success(), "{page}: {}", stderr(&out));
            let value: serde_json::Value =
                serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{page}: {e}"));
            templates.insert(value["template"].as_str().unwrap_or("").to_string());
            assert!(value["site"]["title"].is_string(), "{page}");
            assert!(value["t"]["search"].is_string(), "{page}");
            let mut stack = vec![value];
            while let Some(v) = stack.pop() {
                match v {
                    serde_json::Value::Object(map) => {
                        for (k, v) in map {
                            if k == "t" || k == "extra" {
                                continue;
                            }
                            if !documented.contains(k.as_str()) {
                                undocumented.insert(format!("{k} (on {page})"));
                            }
                            stack.push(v);
                        }
                    }
                    serde_json::Value::Array(items) => stack.extend(items),
                    _ => {}
                }
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "not in docs/themes.md: {undocumented:?}"
    );
    // Every kind of page was looked at (all templates but the redirects' alias.html).
    assert_eq!(templates.len(), 13, "{templates:?}");
    // A page that does not exist is a usage error naming it.
    let out = Command::cargo_bin("castdown")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["context", "--root"])
        .arg(repo)
        .arg("/episodes/nope/")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no page at /episodes/nope/"),
        "{}",
        stderr(&out)
    );
}

/// The recipes in docs/publishing.md are well-formed: the GitHub workflow is YAML with the
/// steps that install, check, build for the Pages address and deploy; the shell script and
/// commands pass `sh -n`; and a build for a project-page address links under its sub-path.
#[test]
fn the_publishing_recipes_are_well_formed() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(repo.join("docs/publishing.md")).unwrap_or_default();
    let blocks = |lang: &str| -> Vec<String> {
        let fence = format!("```{lang}\n");
        doc.split(&fence)
            .skip(1)
            .filter_map(|b| b.split("\n```").next().map(str::to_string))
            .collect()
    };
    let yaml = blocks("yaml");
    assert_eq!(yaml.len(), 1, "one workflow");
    let workflow: serde_yaml::Value =
        serde_yaml::from_str(&yaml[0]).unwrap_or_else(|e| panic!("the workflow: {e}"));
    let steps = workflow["jobs"]["build"]["steps"]
        .as_sequence()
        .cloned()
        .unwrap_or_default();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(
        runs.iter()
            .any(|r| r.starts_with("cargo install --locked --git")),
        "{runs:?}"
    );
    for command in ["castdown check", "castdown build"] {
        assert!(
            runs.iter().any(|r| r.starts_with(command)
                && r.contains("--base-url \"${{ steps.pages.outputs.base_url }}/\"")),
            "{command} for the Pages address: {runs:?}"
        );
    }
    assert!(
        uses.iter()
            .any(|u| u.starts_with("actions/configure-pages@"))
    );
    assert!(
        uses.iter()
            .any(|u| u.starts_with("actions/upload-pages-artifact@"))
    );
    let deploy = workflow["jobs"]["deploy"]["steps"][0]["uses"].as_str();
    assert!(deploy.is_some_and(|u| u.starts_with("actions/deploy-pages@")));
    // Every shell block parses.
    let shell = blocks("sh");
    assert!(shell.len() >= 3, "{}", shell.len());
    for script in &shell {
        let out = std::process::Command::new("sh")
            .args(["-n", "-c", script])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{script}\n{}", stderr(&out));
    }
    // What the workflow does for a project page: every link under the sub-path.
    let site = Site::fixture("small");
    let out = Command::cargo_bin("castdown")
        .unwrap_or_else(|e| panic!("{e}"))
        .args([
            "check",
            "--base-url",
            "https://user.github.io/project/",
            "--root",
        ])
        .arg(site.root())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{}", stderr(&out));
    site.build_ok(&["--base-url", "https://user.github.io/project/"]);
    let home = site.read("index.html");
    assert!(home.contains("href=\"/project/episodes/one/\""), "{home}");
    assert!(!home.contains("href=\"/episodes/"), "{home}");
}
