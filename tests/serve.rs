//! `castdown serve` driven as a user would: the real binary on a free port, a real HTTP client.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Site;

struct Server {
    child: Child,
    /// The URL serve printed: `http://127.0.0.1:PORT/` plus the site's base path.
    base: String,
    /// `127.0.0.1:PORT`, for raw requests.
    addr: String,
    /// The base path the site is served under, without the trailing slash (`/sub/path`).
    prefix: String,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    fn start(site: &Site, extra: &[&str]) -> Server {
        Server::start_with(site, extra, &[])
    }

    /// [`Server::start`] with environment variables `env` set for serve.
    fn start_with(site: &Site, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("castdown"))
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap_or_default();
        let base = line
            .split(" at ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        if let Some(err) = child.stderr.take() {
            let sink = stderr.clone();
            std::thread::spawn(move || {
                for l in BufReader::new(err).lines().map_while(Result::ok) {
                    if let Ok(mut s) = sink.lock() {
                        s.push_str(&l);
                        s.push('\n');
                    }
                }
            });
        }
        let rest = base.trim_start_matches("http://");
        let (addr, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        Server {
            child,
            addr: addr.to_string(),
            prefix: path.trim_end_matches('/').to_string(),
            base,
            stderr,
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let (code, bytes) = self.get_bytes(path);
        (code, String::from_utf8(bytes).unwrap_or_default())
    }

    fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        match agent
            .get(&format!("{}{}", self.base.trim_end_matches('/'), path))
            .call()
        {
            Ok(mut r) => (
                r.status().as_u16(),
                r.body_mut()
                    .with_config()
                    .limit(64 << 20)
                    .read_to_vec()
                    .unwrap_or_default(),
            ),
            Err(e) => panic!("GET {path}: {e}"),
        }
    }

    /// Sends a request line as is (no client normalisation) for `target` under the base
    /// path, returns the status code.
    fn raw_status(&self, target: &str) -> u16 {
        self.raw_status_outside(&format!("{}{target}", self.prefix))
    }

    /// The status of `target` as is, not under the base path.
    fn raw_status_outside(&self, target: &str) -> u16 {
        let mut s = TcpStream::connect(&self.addr).unwrap_or_else(|e| panic!("{e}"));
        let _ = write!(
            s,
            "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        resp.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    /// Polls until `check` holds for the status of `target` (not under the base path).
    fn wait_for_outside(&self, target: &str, what: &str, check: impl Fn(u16) -> bool) {
        let start = Instant::now();
        while !check(self.raw_status_outside(target)) {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {what}; stderr:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls until `check` holds for the page body (rebuilds are asynchronous).
    fn wait_for(&self, path: &str, what: &str, check: impl Fn(u16, &str) -> bool) {
        self.wait_for_bytes(path, what, |code, bytes| {
            check(code, &String::from_utf8_lossy(bytes))
        });
    }

    /// [`Server::wait_for`] on the response's bytes (compressed files).
    fn wait_for_bytes(&self, path: &str, what: &str, check: impl Fn(u16, &[u8]) -> bool) {
        let start = Instant::now();
        loop {
            let (code, body) = self.get_bytes(path);
            if check(code, &body) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {what}; stderr:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serves_pages_with_local_links_and_live_reload() {
    let site = Site::fixture("tricky");
    let srv = Server::start(&site, &[]);
    let (code, home) = srv.get("/");
    assert_eq!(code, 200);
    // Served under base_url's path, as deployed (tricky uses https://host.example/sub/path),
    // with links to the local address.
    assert!(srv.base.ends_with("/sub/path/"), "{}", srv.base);
    assert!(home.contains("href=\"/sub/path/concepts/\""), "{home}");
    assert!(!home.contains("host.example"), "{home}");
    assert!(home.contains("<script src=\"/__castdown/live.js\""));
    let (code, _) = srv.get("/episodes/custom-b/");
    assert_eq!(code, 200);
    let (code, css) = srv.get("/style.css");
    assert_eq!(code, 200);
    assert!(!css.contains("__castdown"), "only HTML gets the script");
    // serve's own files stay at the root, whatever the base path.
    assert_eq!(srv.raw_status_outside("/__castdown/live.js"), 200);
    // Nothing is written into the site folder.
    assert!(!site.public().exists());
}

#[test]
fn unknown_paths_get_the_404_page_and_traversal_is_refused() {
    let site = Site::fixture("tricky");
    site.write("static/secret-link", "placeholder");
    // A symlink inside static/ that leads out of the site is not served.
    let outside = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(outside.path(), "TOP SECRET").unwrap_or_default();
    let _ = std::fs::remove_file(site.root().join("static/secret-link"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), site.root().join("static/secret-link"))
        .unwrap_or_default();
    let srv = Server::start(&site, &[]);
    let (code, body) = srv.get("/no/such/page/");
    assert_eq!(code, 404);
    assert!(body.contains("Page not found"), "the site's 404.html");
    for target in [
        "/../castdown.yaml",
        "/%2e%2e/castdown.yaml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/episodes/..%2f..%2fcastdown.yaml",
        "/..\\castdown.yaml",
        "/%5c..%5ccastdown.yaml",
        "//etc/passwd",
        "/content/episodes/escaping.md",
        "/secret-link",
    ] {
        let code = srv.raw_status(target);
        assert!(code == 404 || code == 400, "{target}: {code}");
    }
    let (_, body) = srv.get("/secret-link");
    assert!(!body.contains("TOP SECRET"));
}

/// Replaces `from` with `to` in the tricky fixture's `code.md`, as an author's edit would.
fn edit_code_episode(site: &Site, from: &str, to: &str) {
    let path = site.root().join("content/episodes/code.md");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(text.contains(from), "fixture changed: {text}");
    std::fs::write(&path, text.replace(from, to)).unwrap_or_default();
}

/// [`edit_code_episode`], the file replaced in one step (written beside the site, then
/// renamed over it), as many editors save: the watcher sees one change. Written in place, a
/// file is first truncated, and under load the debouncer may see the empty file and the
/// new text as two edits, so a test that counts rebuilds cannot write in place.
fn replace_code_episode(site: &Site, edit: impl FnOnce(&str) -> String) {
    let path = site.root().join("content/episodes/code.md");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let name = site
        .root()
        .file_name()
        .unwrap_or_default()
        .to_string_lossy();
    let tmp = site.root().with_file_name(format!("{name}.code.md"));
    std::fs::write(&tmp, edit(&text)).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(&tmp, &path).unwrap_or_else(|e| panic!("{e}"));
}

/// Replaces `from` by `to` in the tricky fixture's `code.md`, in one step.
fn replace_in_code_episode(site: &Site, from: &str, to: &str) {
    replace_code_episode(site, |text| {
        assert!(text.contains(from), "fixture changed: {text}");
        text.replace(from, to)
    });
}

/// Gives the tricky fixture's `code.md` episode a new title.
fn retitle_code_episode(site: &Site, title: &str) {
    edit_code_episode(site, "title: With code", &format!("title: {title}"));
}

#[test]
fn edits_new_files_and_deletions_are_picked_up() {
    let site = Site::fixture("tricky");
    let srv = Server::start(&site, &[]);
    // Edit.
    retitle_code_episode(&site, "With edited code");
    srv.wait_for("/episodes/code/", "the edit", |c, b| {
        c == 200 && b.contains("With edited code")
    });
    // New file.
    site.write(
        "content/episodes/brand-new.md",
        "---\ntitle: Brand new episode\ndate: 2025-12-01\n---\nHello.\n",
    );
    srv.wait_for("/episodes/brand-new/", "the new page", |c, b| {
        c == 200 && b.contains("Brand new episode")
    });
    srv.wait_for("/", "the home page listing", |_, b| {
        b.contains("Brand new episode")
    });
    // Deleted file.
    std::fs::remove_file(site.root().join("content/episodes/brand-new.md")).unwrap_or_default();
    srv.wait_for("/episodes/brand-new/", "the 404 after deletion", |c, _| {
        c == 404
    });
}

/// Also a regression test: a failed build emptied every cache, so the fix of a typo was a
/// build from nothing (1.7 s at 10,000 digests) rather than a rebuild reusing the caches.
#[test]
fn a_bad_edit_keeps_the_last_good_site_and_recovers() {
    let site = Site::fixture("tricky");
    let srv = Server::start_with(&site, &[], &[("CASTDOWN_TIMINGS", "1")]);
    let path = site.root().join("content/episodes/code.md");
    let good = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, "---\ntitle: Broken\ndate: 2025-02-30\n---\n").unwrap_or_default();
    let start = Instant::now();
    while !srv.log().contains("build failed") {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no failure reported: {}",
            srv.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        srv.log()
            .contains("content/episodes/code.md:3:7: error: `2025-02-30` is not a valid date"),
        "{}",
        srv.log()
    );
    // Still serving the last good version.
    let (code, body) = srv.get("/episodes/code/");
    assert_eq!(code, 200);
    assert!(body.contains("With code"));
    // The browser is told through the event stream.
    let addr = srv.addr.clone();
    let mut s = TcpStream::connect(&addr).unwrap_or_else(|e| panic!("{e}"));
    let _ = write!(s, "GET /__castdown/events HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).unwrap_or(0);
    let mut events = String::from_utf8_lossy(&buf[..n]).into_owned();
    if !events.contains("data:") {
        let n = s.read(&mut buf).unwrap_or(0);
        events.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(events.contains("is not a valid date"), "{events}");
    // Recovery.
    std::fs::write(
        &path,
        good.replace("title: With code", "title: Fixed again"),
    )
    .unwrap_or_default();
    srv.wait_for("/episodes/code/", "recovery", |c, b| {
        c == 200 && b.contains("Fixed again")
    });
    // The recovery reused the last good build's caches: it reached the one digest edited
    // rather than declaring every page for want of a previous build. (Its timings may reach
    // the log a moment after the page is served.)
    let reached = "digests changed 1: only what shows them declared";
    let recovery = |log: &str| log[log.rfind("build failed").unwrap_or(0)..].to_string();
    let start = Instant::now();
    while !recovery(&srv.log()).contains(reached) && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let recovery = recovery(&srv.log());
    assert!(recovery.contains(reached), "{recovery}");
    assert!(!recovery.contains("no previous build"), "{recovery}");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = taken
        .local_addr()
        .map(|a| a.port())
        .unwrap_or(0)
        .to_string();
    let site = Site::fixture("small");
    let out = Command::new(assert_cmd::cargo::cargo_bin("castdown"))
        .args(["serve", "--port", &port, "--root"])
        .arg(site.root())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("port {port} is already in use")),
        "{err}"
    );
}

#[test]
fn hundreds_of_concurrent_requests_are_answered() {
    let site = Site::fixture("tricky");
    let srv = Server::start(&site, &[]);
    let base = srv.base.clone();
    let handles: Vec<_> = (0..300)
        .map(|i| {
            let url = format!(
                "{}{}",
                base,
                if i % 3 == 0 {
                    ""
                } else if i % 3 == 1 {
                    "episodes/custom-b/"
                } else {
                    "concepts/"
                }
            );
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                agent
                    .get(&url)
                    .call()
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    let ok = handles
        .into_iter()
        .filter_map(|h| h.join().ok())
        .filter(|&c| c == 200)
        .count();
    assert_eq!(ok, 300);
}

#[test]
fn ctrl_c_stops_promptly_and_leaves_nothing_behind() {
    let site = Site::fixture("small");
    let before = common::tree(site.root());
    let mut srv = Server::start(&site, &[]);
    let (code, _) = srv.get("/");
    assert_eq!(code, 200);
    let pid = srv.child.id().to_string();
    let _ = Command::new("kill").args(["-INT", &pid]).status();
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = srv.child.try_wait() {
            assert!(status.success(), "exit status {status:?}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "did not stop within 3 s of Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(before, common::tree(site.root()), "the site folder changed");
}

/// Waits until the served search index lists `word` in its postings (serve refreshes the
/// index once edits pause).
fn wait_for_search_term(srv: &Server, word: &str) {
    let (_, manifest) = srv.get("/search/manifest.json");
    let chunks: u32 = manifest
        .split("\"post_chunks\":")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    // Index files are gzip-compressed JSON; a word is listed by its stem.
    let stem = castdown::search::Stemmer::for_language("en")
        .stem(word)
        .into_owned();
    let chunk = format!(
        "/search/p/{}.json.gz",
        castdown::search::fnv1a(&stem) % chunks
    );
    let quoted = format!("\"{stem}\"");
    srv.wait_for_bytes(&chunk, "the refreshed search index", |code, bytes| {
        code == 200 && common::gunzip(bytes).is_some_and(|text| text.contains(&quoted))
    });
}

#[test]
fn the_search_index_catches_up_after_edits_pause() {
    let site = Site::fixture("tricky");
    let srv = Server::start(&site, &[]);
    retitle_code_episode(&site, "Zebracorn episode");
    srv.wait_for("/episodes/code/", "the page", |c, b| {
        c == 200 && b.contains("Zebracorn episode")
    });
    // The index is refreshed once edits pause: the new word appears in its postings.
    wait_for_search_term(&srv, "zebracorn");
}

/// What serve sends for `path`, without the live-reload script it adds to HTML.
fn served_as_built(srv: &Server, path: &str) -> String {
    let (code, body) = srv.get(path);
    assert_eq!(code, 200, "GET {path}");
    match body.find("<script src=\"/__castdown/live.js\"") {
        Some(start) => {
            let end = body[start..]
                .find("</script>")
                .map(|e| start + e + "</script>".len())
                .unwrap_or(start);
            format!("{}{}", &body[..start], &body[end..])
        }
        None => body,
    }
}

#[test]
fn a_body_edit_redoes_that_episode_alone_and_matches_a_full_build() {
    let site = Site::fixture("tricky");
    let srv = Server::start(&site, &[]);
    // A second paragraph: the summary (the first paragraph) stays as it was.
    let path = site.root().join("content/episodes/case-a.md");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        text.ends_with("First paragraph of case A.\n"),
        "fixture changed: {text}"
    );
    std::fs::write(
        &path,
        format!("{text}\nA paragraph about the quokkafish.\n"),
    )
    .unwrap_or_default();
    srv.wait_for("/episodes/case-a/", "the edit", |c, b| {
        c == 200 && b.contains("quokkafish")
    });
    let files = [
        "/episodes/case-a/",
        "/episodes/case-a/digest.json",
        "/atom.xml",
        "/rss.xml",
        "/feed.json",
    ];
    let served: Vec<String> = files.iter().map(|f| served_as_built(&srv, f)).collect();
    // The fast path redid the page, its data file and the three site feeds, nothing more.
    let log = srv.log();
    assert!(
        log.contains("content/episodes/case-a.md changed: rebuilt 5 files in"),
        "{log}"
    );
    // A full build of the edited site, with serve's base URL, gives the same files.
    site.build_ok(&["--base-url", &srv.base]);
    for (f, got) in files.iter().zip(&served) {
        let rel = if f.ends_with('/') {
            format!("{}index.html", &f[1..])
        } else {
            f[1..].to_string()
        };
        assert_eq!(got, &site.read(&rel), "{f} differs from a full build");
    }
    assert!(served[1].contains("quokkafish"), "{}", served[1]);
    assert!(served[2].contains("quokkafish"), "{}", served[2]);
    // The search index catches up once edits pause.
    wait_for_search_term(&srv, "quokkafish");
}

#[test]
fn front_matter_edits_reach_every_list_and_only_a_date_edit_takes_a_build() {
    let site = Site::fixture("tricky");
    let srv = Server::start(&site, &[]);
    // A title is on the home page, term pages and llms.txt: redone without a build. (Each
    // edit replaces the file in one step: this test counts rebuilds.)
    replace_in_code_episode(&site, "title: With code", "title: Retitled on every list");
    srv.wait_for("/llms.txt", "the list of every episode", |c, b| {
        c == 200 && b.contains("Retitled on every list")
    });
    // The oldest of the fixture's episodes, two to a page.
    srv.wait_for("/page/3/", "the last page of the home list", |c, b| {
        c == 200 && b.contains("Retitled on every list")
    });
    // code.md has no summary of its own: a first paragraph added to its body becomes its
    // summary, which the lists show.
    replace_code_episode(&site, |text| {
        format!("{text}\nNow summarised as a wombatfish.\n")
    });
    srv.wait_for("/llms.txt", "the new summary in the list", |c, b| {
        c == 200 && b.contains("wombatfish")
    });
    // A date moves the episode in every list: a build.
    replace_in_code_episode(&site, "date: 2024-01-01", "date: 2019-05-04");
    srv.wait_for("/episodes/code/", "the new date", |c, b| {
        c == 200 && b.contains("2019-05-04")
    });
    // serve logs a rebuild just after publishing it: the page may be seen before the line.
    let rebuilds = |log: &str| -> Vec<usize> {
        log.lines()
            .filter_map(|l| l.strip_prefix("content/episodes/code.md changed: rebuilt "))
            .filter_map(|r| r.split(' ').next()?.parse().ok())
            .collect()
    };
    let start = Instant::now();
    while rebuilds(&srv.log()).len() < 3 && start.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = srv.log();
    let counts = rebuilds(&log);
    // The title and summary edits redid a few files each; the date edit, every file.
    let [title, summary, date] = counts[..] else {
        panic!("expected three rebuilds: {log}")
    };
    assert!(title < date && summary < date, "{counts:?}: {log}");
}

#[test]
fn regression_serve_followed_a_symlink_swapped_in_after_the_build() {
    let site = Site::fixture("tricky");
    let secret = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let secret_file = secret.path().join("passwd");
    std::fs::write(&secret_file, "root:x:0:0:secret\n").unwrap_or_else(|e| panic!("{e}"));
    site.write("static/swap.css", "body{}");
    let srv = Server::start(&site, &[]);
    assert_eq!(srv.get("/swap.css"), (200, "body{}".to_string()));
    let target = site.root().join("static/swap.css");
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (target, done, secret_file) = (target.clone(), done.clone(), secret_file.clone());
        std::thread::spawn(move || {
            let link = target.with_file_name(".swap-link");
            let plain = target.with_file_name(".swap-plain");
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let _ = std::fs::remove_file(&link);
                let _ = std::os::unix::fs::symlink(&secret_file, &link);
                let _ = std::fs::rename(&link, &target);
                std::thread::sleep(Duration::from_millis(3));
                let _ = std::fs::write(&plain, "body{}");
                let _ = std::fs::rename(&plain, &target);
                std::thread::sleep(Duration::from_millis(3));
            }
        })
    };
    let mut served = 0;
    for _ in 0..300 {
        let (code, body) = srv.get("/swap.css");
        assert!(!body.contains("root:x"), "served a file outside the site");
        served += usize::from(code == 200);
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = swapper.join();
    // While the file is a regular one in place it is served (the check is not "always 404").
    assert!(served > 0, "no request was answered with the file");
}

#[test]
fn serve_answers_get_and_head_only_and_closes_idle_connections() {
    let site = Site::fixture("tricky");
    let srv = Server::start(&site, &[]);
    let addr = srv.addr.clone();
    let prefix = srv.prefix.clone();
    let request = |method: &str| {
        let mut s = TcpStream::connect(&addr).unwrap_or_else(|e| panic!("{e}"));
        let _ = write!(
            s,
            "{method} {prefix}/ HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        resp
    };
    assert!(request("GET").starts_with("HTTP/1.1 200"));
    assert!(request("HEAD").starts_with("HTTP/1.1 200"));
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let resp = request(method);
        assert!(resp.starts_with("HTTP/1.1 405"), "{method}: {resp}");
        assert!(
            resp.to_ascii_lowercase().contains("allow: get, head"),
            "{resp}"
        );
    }
    // A connection that sends nothing is closed by the server (header read timeout, 10 s).
    let mut idle = TcpStream::connect(&addr).unwrap_or_else(|e| panic!("{e}"));
    let _ = idle.set_read_timeout(Some(Duration::from_secs(40)));
    let start = Instant::now();
    let mut buf = [0u8; 64];
    let n = idle.read(&mut buf).unwrap_or(usize::MAX);
    assert!(
        n != usize::MAX && start.elapsed() < Duration::from_secs(35),
        "the idle connection was not closed: read {n} after {:?}",
        start.elapsed()
    );
}

/// A player seeks with range requests: serve answers them for files, with the media type a
/// browser can play (a `.wav` used to go out as bytes of no type, and without ranges
/// Chromium snapped a seek back to the start).
#[test]
fn media_files_are_served_with_their_type_and_byte_ranges() {
    let site = Site::fixture("listening");
    let server = Server::start(&site, &[]);
    let (code, whole) = server.get_bytes("/audio/tone.wav");
    assert_eq!(code, 200);
    assert_eq!(whole.len(), 32044);
    let addr = server.addr.as_str();
    let prefix = server.prefix.as_str();
    let ask = |range: &str| {
        let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("{e}"));
        let _ = write!(
            s,
            "GET {prefix}/audio/tone.wav HTTP/1.1\r\nHost: {addr}\r\nRange: {range}\r\nConnection: close\r\n\r\n"
        );
        let mut resp = Vec::new();
        let _ = s.read_to_end(&mut resp);
        let split = resp
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(resp.len());
        let head = String::from_utf8_lossy(&resp[..split]).to_lowercase();
        let body = resp.get(split + 4..).unwrap_or_default().to_vec();
        (head, body)
    };
    let (head, body) = ask("bytes=100-199");
    assert!(head.starts_with("http/1.1 206"), "{head}");
    assert!(head.contains("content-type: audio/wav"), "{head}");
    assert!(
        head.contains("content-range: bytes 100-199/32044"),
        "{head}"
    );
    assert!(head.contains("accept-ranges: bytes"), "{head}");
    assert_eq!(body, whole[100..200]);
    let (head, body) = ask("bytes=-44");
    assert!(
        head.contains("content-range: bytes 32000-32043/32044"),
        "{head}"
    );
    assert_eq!(body, whole[32000..]);
    let (head, _) = ask("bytes=40000-");
    assert!(head.starts_with("http/1.1 416"), "{head}");
    assert!(head.contains("content-range: bytes */32044"), "{head}");
}

/// serve previews what is scheduled: a digest dated in the future is served, marked.
#[test]
fn serve_shows_scheduled_digests_marked() {
    let site = Site::fixture("small");
    site.write(
        "content/episodes/later.md",
        "---\ntitle: From the future\ndate: 2999-01-01\n---\nNot yet.\n",
    );
    let server = Server::start(&site, &[]);
    let (code, html) = server.get("/episodes/later/");
    assert_eq!(code, 200);
    assert!(
        html.contains("Scheduled: not published until 1 January 2999"),
        "{html}"
    );
}

/// A site published under a sub-path is previewed as deployed: served under that path, `/`
/// leading there and nothing outside it; `--base-url` picks another path; `--config` is
/// read and watched.
#[test]
fn a_sub_path_site_is_served_under_its_path() {
    let site = Site::fixture("tricky");
    let srv = Server::start(&site, &[]);
    assert_eq!(srv.prefix, "/sub/path");
    assert_eq!(srv.raw_status_outside("/"), 302);
    assert_eq!(srv.raw_status_outside("/sub/path"), 301);
    assert_eq!(srv.raw_status_outside("/episodes/code/"), 404);
    assert_eq!(srv.raw_status("/episodes/code/"), 200);
    drop(srv);

    let srv = Server::start(&site, &["--base-url", "https://elsewhere.example/preview/"]);
    assert_eq!(srv.prefix, "/preview");
    let (code, home) = srv.get("/");
    assert_eq!(code, 200);
    assert!(home.contains("href=\"/preview/concepts/\""), "{home}");
    drop(srv);

    // A staging config beside the real one: its base path, its title; an edit to it is seen.
    let staging = site.root().join("staging.yaml");
    let config = std::fs::read_to_string(site.root().join("castdown.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let staged = config.replace("https://host.example/sub/path", "https://staging.example/");
    assert_ne!(staged, config);
    std::fs::write(&staging, &staged).unwrap_or_else(|e| panic!("{e}"));
    // A relative --config is relative to the current folder, as other path arguments are.
    let staging_arg = staging.to_string_lossy().into_owned();
    let srv = Server::start(&site, &["--config", &staging_arg]);
    assert_eq!(srv.prefix, "");
    let (code, _) = srv.get("/episodes/code/");
    assert_eq!(code, 200);
    std::fs::write(
        &staging,
        staged.replace("https://staging.example/", "https://staging.example/moved/"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    srv.wait_for_outside("/moved/episodes/code/", "the moved base path", |code| {
        code == 200
    });
}
