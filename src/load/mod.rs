//! Load: walk `content/`, read every file, split and validate front matter (SPEC §1–§2).
//!
//! The walk is sequential and sorted (deterministic order); reading and parsing run in
//! parallel. Every problem of every file is collected; nothing stops at the first error.

pub mod date;
pub mod digest;
pub mod duration;
pub mod frontmatter;
pub mod yaml;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

pub use digest::{ConceptRef, Curated, CuratedKind, Digest, Media, Page};

use crate::error::{Diagnostic, line_col};

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Content {
    /// Digests, drafts included (the site model drops them unless asked).
    pub digests: Vec<Digest>,
    /// Curated concept, show and person descriptions.
    pub curated: Vec<Curated>,
    /// Standalone pages.
    pub pages: Vec<Page>,
}

enum Kind {
    Digest,
    Curated(CuratedKind),
    Page,
}

/// Reads a file as UTF-8, locating the first invalid byte.
pub fn read_text(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::new(shown, format!("cannot read file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let (line, col) = line_col(&text, valid);
        Diagnostic::new(shown, "file is not valid UTF-8")
            .at_position(line, col)
            .hint("save the file as UTF-8")
    })
}

/// Walks `root/content` and loads every Markdown file.
pub fn load(root: &Path) -> (Content, Vec<Diagnostic>) {
    let content_dir = root.join("content");
    let mut errors = Vec::new();
    let mut files: Vec<(PathBuf, Kind)> = Vec::new();
    if !content_dir.is_dir() {
        errors.push(
            Diagnostic::new("content", "no content/ folder")
                .hint("create content/episodes/ and put digests there, or run `castdown init`"),
        );
        return (Content::default(), errors);
    }
    let walker = WalkDir::new(&content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| content_dir.clone());
                errors.push(Diagnostic::new(rel(root, &p), format!("cannot read: {e}")));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            // Transcripts and other assets are read when a digest references them.
            continue;
        }
        let inner = path.strip_prefix(&content_dir).unwrap_or(path);
        let parts: Vec<String> = inner
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let kind = match parts.first().map(String::as_str) {
            _ if parts.len() == 1 => Some(Kind::Page),
            Some("episodes") => Some(Kind::Digest),
            Some("concepts") if parts.len() == 2 => Some(Kind::Curated(CuratedKind::Concept)),
            Some("shows") if parts.len() == 2 => Some(Kind::Curated(CuratedKind::Show)),
            Some("people") if parts.len() == 2 => Some(Kind::Curated(CuratedKind::Person)),
            _ => None,
        };
        match kind {
            Some(k) => files.push((path.to_path_buf(), k)),
            None => errors.push(
                Diagnostic::new(rel(root, path), "Markdown file in an unexpected place")
                    .hint("digests go under content/episodes/; descriptions directly in content/concepts/, content/shows/ or content/people/; pages directly in content/"),
            ),
        }
    }

    enum Item {
        Digest(Box<Digest>),
        Curated(Curated),
        Page(Page),
    }
    let results: Vec<Result<Item, Vec<Diagnostic>>> = files
        .par_iter()
        .map(|(path, kind)| {
            let shown = rel(root, path);
            let text = read_text(path, &shown).map_err(|d| vec![d])?;
            match kind {
                Kind::Digest => {
                    let dir = path.parent().unwrap_or(root);
                    digest::parse_digest(&shown, dir, root, &text)
                        .map(|d| Item::Digest(Box::new(d)))
                }
                Kind::Curated(k) => digest::parse_curated(*k, &shown, &text).map(Item::Curated),
                Kind::Page => digest::parse_page(&shown, &text).map(Item::Page),
            }
        })
        .collect();
    let mut content = Content::default();
    for r in results {
        match r {
            Ok(Item::Digest(d)) => content.digests.push(*d),
            Ok(Item::Curated(c)) => content.curated.push(c),
            Ok(Item::Page(p)) => content.pages.push(p),
            Err(mut e) => errors.append(&mut e),
        }
    }
    (content, errors)
}

/// `path` relative to `root` when inside it.
pub fn rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}
