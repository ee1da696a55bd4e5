//! Shared helpers for integration tests: copy a fixture site to a temp dir, run the real
//! binary on it, read and parse what it wrote.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use walkdir::WalkDir;

pub mod edits;

/// A fixture site copied into a fresh temp dir.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    /// Copies `tests/fixtures/<name>` (or the repository root for "demo").
    pub fn fixture(name: &str) -> Site {
        let src = if name == "demo" {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name)
        };
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["castdown.yaml", "content", "static", "templates", "themes"] {
            let from = src.join(sub);
            if from.is_file() {
                std::fs::copy(&from, dir.path().join(sub)).expect("copy config");
            } else if from.is_dir() {
                copy_dir(&from, &dir.path().join(sub));
            }
        }
        Site { dir }
    }

    /// An empty site with just a config.
    pub fn empty(config: &str) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("castdown.yaml"), config).expect("write config");
        std::fs::create_dir_all(dir.path().join("content/episodes")).expect("mkdir");
        Site { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Writes a file relative to the root.
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Runs `castdown <args…> --root <root>`.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::cargo_bin("castdown").expect("binary");
        cmd.args(args);
        if matches!(args.first(), Some(&"build") | Some(&"check")) {
            cmd.arg("--root").arg(self.root());
        }
        cmd.output().expect("run castdown")
    }

    /// Runs `castdown <args…>` exactly as given, in the site root.
    pub fn run_raw(&self, args: &[&str]) -> Output {
        let mut cmd = Command::cargo_bin("castdown").expect("binary");
        cmd.args(args).current_dir(self.root());
        cmd.output().expect("run castdown")
    }

    /// Builds and asserts success.
    pub fn build_ok(&self, extra: &[&str]) {
        let mut args = vec!["build"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    }

    /// Reads an output file as text.
    pub fn read(&self, rel: &str) -> String {
        let p = self.public().join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.public().join(rel).exists()
    }

    /// Every output file with its bytes, sorted by path.
    /// What castdown left beside the output but the lock, the record of the last build, its
    /// counted search words, parsed digests and feed bodies, which stay there by design: an
    /// interrupted or failed build leaves nothing else.
    pub fn leftovers(&self) -> Vec<String> {
        std::fs::read_dir(self.root())
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                n.contains("castdown-")
                    && !n.ends_with("castdown-lock")
                    && !n.ends_with("castdown-build-record")
                    && !n.ends_with("castdown-search-words")
                    && !n.ends_with("castdown-parsed-digests")
                    && !n.ends_with("castdown-feed-bodies")
            })
            .collect()
    }

    pub fn snapshot_tree(&self) -> Vec<(String, Vec<u8>)> {
        tree(&self.public())
    }
}

pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

pub fn copy_dir(from: &Path, to: &Path) {
    for e in WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let rel = e.path().strip_prefix(from).expect("prefix");
        let target = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A minimal valid digest.
pub fn digest(title: &str, date: &str, extra: &str) -> String {
    format!("---\ntitle: {title}\ndate: {date}\n{extra}---\nBody of {title}.\n")
}

/// A site of 120 digests over three shows, seven topics and five themes, no more than two a
/// day: big enough that one digest added or removed leaves most pages as they were.
pub fn many_digests() -> Site {
    let site = Site::empty("title: Many\nbase_url: https://many.example/\n");
    let shows = ["Alpha Show", "Beta Show", "Gamma Show"];
    for i in 0..120 {
        let date = format!("2020-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
        site.write(
            &format!("content/episodes/e{i:03}.md"),
            format!(
                "---\ntitle: Episode number {i}\nshow: {}\ndate: {date}\nconcepts: [Topic {}, Theme {}]\n---\nBody of episode {i} about markets, pricing and word{i}.\n",
                shows[i % 3],
                i % 7,
                i % 5
            ),
        );
    }
    site
}

/// A PNG's first bytes, enough for its width and height to be read.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

/// The text of gzip-compressed bytes (a search index file), `None` when they do not inflate
/// to UTF-8.
pub fn gunzip(bytes: &[u8]) -> Option<String> {
    use std::io::Read as _;
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// xorshift64*: small, seedable, the same on every machine (randomised tests replay a seed).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The first line where `a` and `b` differ, both ways, for a failure message.
pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let (mut x, mut y) = (a.lines(), b.lines());
    loop {
        match (x.next(), y.next()) {
            (None, None) => return "nothing (same lines)".into(),
            (l, r) if l != r => {
                return format!("made:  {:?}\nclean: {:?}", l.unwrap_or(""), r.unwrap_or(""));
            }
            _ => {}
        }
    }
}
