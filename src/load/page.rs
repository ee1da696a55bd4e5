//! Standalone pages: Markdown files directly under `content/` (such as `about.md`),
//! rendered with `page.html`. Front matter as written ([`RawPage`], rejecting unknown keys)
//! and as validated ([`Page`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::date::EpisodeDate;
use super::digest::{Ctx, parse_yaml, split_or_error};
use super::yaml::Scalar;
use crate::error::Diagnostic;
use crate::markdown;
use crate::names;

/// Front matter of a standalone page `content/<stem>.md`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    title: Option<Scalar>,
    description: Option<Scalar>,
    slug: Option<Scalar>,
    date: Option<Scalar>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    aliases: Vec<String>,
    extra: Option<serde_yaml::Value>,
}

/// A standalone page such as `/about/`.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the root.
    pub path: PathBuf,
    /// Title.
    pub title: String,
    /// Description for meta tags (default: first paragraph).
    pub description: String,
    /// URL slug.
    pub slug: String,
    /// Optional date.
    pub date: Option<EpisodeDate>,
    /// Draft flag.
    pub draft: bool,
    /// Redirecting old paths.
    pub aliases: Vec<String>,
    /// Free-form data.
    pub extra: serde_json::Value,
    /// Markdown body.
    pub body: String,
}

/// Parses a standalone page.
pub fn parse_page(path: &Path, text: &str) -> Result<Page, Vec<Diagnostic>> {
    let split = split_or_error(path, text)?;
    let Some(raw): Option<RawPage> = parse_yaml(path, text, &split)? else {
        return Err(vec![
            Diagnostic::new(path, "front matter is empty: `title` is required").at(text, 1, 1),
        ]);
    };
    let mut cx = Ctx {
        path,
        text,
        split,
        errors: Vec::new(),
    };
    let title = raw
        .title
        .map(|t| t.0.trim().to_string())
        .unwrap_or_default();
    if title.is_empty() {
        cx.errors.push(
            Diagnostic::new(path, "missing `title`")
                .at(text, 1, 1)
                .hint("add `title: …`"),
        );
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let slug = match raw.slug {
        Some(s) => s.0.trim().to_string(),
        None => names::slugify(stem),
    };
    if !names::is_safe_segment(&slug) {
        cx.at_key(
            "slug",
            format!("page slug `{slug}` is not a single safe URL segment"),
            Some("use letters, digits, `-` and `_` only"),
        );
    } else if let Some(why) = names::host_trouble(&slug) {
        cx.at_key(
            "slug",
            format!("page slug {why}"),
            Some("rename the file or set another `slug:`"),
        );
    } else if RESERVED_ROOTS.contains(&slug.as_str()) {
        cx.errors.push(
            Diagnostic::new(
                path,
                format!("page slug `{slug}` is reserved for castdown's own pages"),
            )
            .hint("rename the file or set another `slug:`"),
        );
    }
    let date = raw.date.and_then(|d| match EpisodeDate::parse(&d.0) {
        Ok(d) => Some(d),
        Err(m) => {
            cx.at_key("date", m, None);
            None
        }
    });
    let aliases = cx.aliases(&raw.aliases);
    let extra = cx.extra(raw.extra);
    if !cx.errors.is_empty() {
        return Err(cx.errors);
    }
    let description = raw
        .description
        .map(|d| d.0)
        .unwrap_or_else(|| markdown::scan(split.body).first_paragraph);
    Ok(Page {
        path: path.to_path_buf(),
        title,
        description,
        slug,
        date,
        draft: raw.draft,
        aliases,
        extra,
        body: split.body.to_string(),
    })
}

/// First path segments castdown writes itself; a standalone page may not take them.
pub const RESERVED_ROOTS: &[&str] = &[
    "episodes",
    "concepts",
    "shows",
    "people",
    "page",
    "search",
    "static",
    "feed.json",
];
