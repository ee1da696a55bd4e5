//! Curated descriptions: `content/concepts/`, `content/shows/` and `content/people/` files,
//! which give a term its display name, aliases, links and a description. Front matter as
//! written (`Raw*`, rejecting unknown keys) and as validated ([`Curated`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::digest::{Ctx, is_http_url, is_site_path, parse_yaml, split_or_error};
use super::yaml::Scalar;
use crate::error::Diagnostic;
use crate::names;

/// Which curated folder a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CuratedKind {
    /// `content/concepts/`
    Concept,
    /// `content/shows/`
    Show,
    /// `content/people/`
    Person,
}

/// Front matter of `content/concepts/<slug>.md`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCuratedConcept {
    name: Option<Scalar>,
    #[serde(default)]
    aliases: Vec<Scalar>,
    extra: Option<serde_yaml::Value>,
}

/// Front matter of `content/shows/<slug>.md` and `content/people/<slug>.md`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCuratedEntity {
    name: Option<Scalar>,
    website: Option<String>,
    image: Option<String>,
    #[serde(default)]
    aliases: Vec<Scalar>,
    extra: Option<serde_yaml::Value>,
}

/// A curated description of a concept, show or person.
#[derive(Debug, Clone)]
pub struct Curated {
    /// Folder.
    pub kind: CuratedKind,
    /// Path relative to the root.
    pub path: PathBuf,
    /// The file stem: the page's slug.
    pub slug: String,
    /// Display name (default: the stem).
    pub name: String,
    /// Other names merged into this one.
    pub aliases: Vec<String>,
    /// Website (shows, people).
    pub website: Option<String>,
    /// Image URL or site path (shows, people).
    pub image: Option<String>,
    /// Free-form data.
    pub extra: serde_json::Value,
    /// Markdown body.
    pub body: String,
}

/// Parses a curated concept, show or person file.
pub fn parse_curated(
    kind: CuratedKind,
    path: &Path,
    text: &str,
) -> Result<Curated, Vec<Diagnostic>> {
    let split = split_or_error(path, text)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_string();
    let mut cx = Ctx {
        path,
        text,
        split,
        errors: Vec::new(),
    };
    if !names::is_safe_segment(&stem) {
        cx.errors.push(
            Diagnostic::new(path, format!("file name `{stem}` is not a safe URL slug"))
                .hint("name the file after the slug, e.g. corporate-polyamory.md"),
        );
    } else if let Some(why) = names::host_trouble(&stem) {
        cx.errors.push(
            Diagnostic::new(path, format!("file name {why}"))
                .hint("name the file after another slug and give the name in `name:`"),
        );
    }
    let (name, aliases, website, image, extra) = match kind {
        CuratedKind::Concept => {
            let raw: RawCuratedConcept = parse_yaml(path, text, &split)?.unwrap_or_default();
            (raw.name, raw.aliases, None, None, raw.extra)
        }
        CuratedKind::Show | CuratedKind::Person => {
            let raw: RawCuratedEntity = parse_yaml(path, text, &split)?.unwrap_or_default();
            (raw.name, raw.aliases, raw.website, raw.image, raw.extra)
        }
    };
    for (key, url) in [("website", &website), ("image", &image)] {
        if let Some(u) = url
            && !(is_http_url(u) || (key == "image" && is_site_path(u)))
        {
            cx.at_key(key, format!("{key} `{u}` is not an http(s) URL"), None);
        }
    }
    let extra = cx.extra(extra);
    if !cx.errors.is_empty() {
        return Err(cx.errors);
    }
    Ok(Curated {
        kind,
        path: path.to_path_buf(),
        name: name
            .map(|n| n.0.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| stem.clone()),
        slug: stem,
        aliases: aliases
            .into_iter()
            .map(|a| a.0.trim().to_string())
            .collect(),
        website,
        image,
        extra,
        body: split.body.to_string(),
    })
}
