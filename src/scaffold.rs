//! `init` and `new`: files written for the user. Front matter is produced with serde_yaml so
//! titles with colons, quotes or `&` are quoted correctly.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::names::slugify;

/// The `base_url` `init` writes, which a build warns about until it is changed.
pub const PLACEHOLDER_BASE_URL: &str = "https://example.com/";

const CONFIG: &str = r#"# castdown site configuration. Every key but base_url has a default.
title: My Episode Digests
base_url: https://example.com/
description: Summaries of the episodes I listen to.
language: en
theme: default
paginate: 20
feed_limit: 50
markdown: { raw_html: sanitize, smart_punctuation: true }
search: true
"#;

const SAMPLE: &str = r#"---
title: "Welcome to castdown"
show: My Favourite Show
date: 2025-01-01
people: [A. Host]
concepts:
  - name: Episode Digest
    definition: A written summary of one podcast or video episode.
---
This is a sample digest. Edit it, or add more with `castdown new "Title"`.

## What to write here

Summarise the episode in your own words, section by section.
"#;

/// Creates a new site in `dir`; refuses a non-empty folder unless `force` (existing files are
/// never overwritten). Returns the files written.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir)
            .map_err(|e| Error::io("reading", dir, e))?
            .next()
            .is_some();
        if non_empty && !force {
            return Err(Error::Usage(format!(
                "{} is not empty; use --force to create the site there anyway (existing files are kept)",
                dir.display()
            )));
        }
    }
    let files = [
        (dir.join("castdown.yaml"), CONFIG),
        (dir.join("content/episodes/welcome-to-castdown.md"), SAMPLE),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        if path.exists() {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io("writing", &path, e))?;
        written.push(path);
    }
    for d in ["static", "templates"] {
        let p = dir.join(d);
        std::fs::create_dir_all(&p).map_err(|e| Error::io("creating", &p, e))?;
    }
    Ok(written)
}

#[derive(Serialize)]
struct NewFrontMatter<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    show: Option<&'a str>,
    date: String,
    people: Vec<String>,
    // No `concepts:`: the body's Key Concepts list below names them (front-matter
    // concepts would make the build ignore that list).
    draft: bool,
}

/// Writes `content/episodes/<slug>.md` for a new digest dated `date`; never overwrites.
pub fn new_digest(root: &Path, title: &str, show: Option<&str>, date: &str) -> Result<PathBuf> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(Error::Usage(format!(
            "the title `{title}` gives an empty file name; use letters or digits"
        )));
    }
    let dir = root.join("content/episodes");
    let path = dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(Error::Usage(format!("{} already exists", path.display())));
    }
    let fm = NewFrontMatter {
        title,
        show,
        date: date.to_string(),
        people: vec![],
        draft: false,
    };
    let yaml = serde_yaml::to_string(&fm).map_err(|e| Error::Usage(e.to_string()))?;
    let text = format!(
        "---\n{yaml}---\nOne paragraph that sums up the episode.\n\n## Key Concepts\n- **Term**: what the episode means by it (one line per concept).\n\n## First section\n\nWrite here.\n"
    );
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e))?;
    std::fs::write(&path, text).map_err(|e| Error::io("writing", &path, e))?;
    Ok(path)
}
