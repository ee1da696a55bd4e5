//! Front matter as written (`Raw*`, rejecting unknown keys) and as validated (`Digest`,
//! `Curated`, `Page`). Validation reports every problem of a file, each at its line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::date::EpisodeDate;
use super::frontmatter::{self, Split};
use super::{duration, yaml, yaml::OneOrMany, yaml::Scalar};
use crate::error::Diagnostic;
use crate::markdown;
use crate::names;

/// A digest's front matter as written (SPEC §2).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDigest {
    /// Required.
    pub title: Option<Scalar>,
    /// Recommended; creates a show page.
    pub show: Option<Scalar>,
    /// Required: `YYYY-MM-DD` or RFC 3339.
    pub date: Option<Scalar>,
    /// The original episode's page.
    pub source: Option<String>,
    /// Four forms, see `duration`.
    pub duration: Option<Scalar>,
    /// Hosts and guests.
    #[serde(default)]
    pub people: OneOrMany,
    /// Concepts with optional definitions.
    pub concepts: Option<Vec<RawConcept>>,
    /// Default: the first paragraph of the body.
    pub summary: Option<Scalar>,
    /// Transcript path relative to this file.
    pub transcript: Option<String>,
    /// Optional enclosure.
    pub media: Option<RawMedia>,
    /// Default: the slugified file stem.
    pub slug: Option<Scalar>,
    /// Default: false.
    #[serde(default)]
    pub draft: bool,
    /// Old URLs that redirect here.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Free-form data for templates.
    pub extra: Option<serde_yaml::Value>,
}

/// A concept entry: a bare name or a name with a definition.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawConcept {
    /// `- Compute Resources`
    Name(Scalar),
    /// `- { name: …, definition: … }`
    Full(RawConceptFull),
}

/// The long form of a concept entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConceptFull {
    /// The term.
    pub name: Scalar,
    /// This episode's definition.
    pub definition: Option<Scalar>,
}

/// `media:` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMedia {
    /// Absolute URL of the audio or video file.
    pub url: String,
    /// MIME type. Default: guessed from the URL's extension.
    #[serde(rename = "type")]
    pub mime: Option<String>,
    /// Size in bytes. Default: 0 (unknown).
    pub length: Option<u64>,
}

/// A concept as one episode names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConceptRef {
    /// The term as written.
    pub name: String,
    /// This episode's definition, if it gives one.
    pub definition: Option<String>,
}

/// A validated enclosure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Media {
    /// Absolute URL.
    pub url: String,
    /// MIME type.
    #[serde(rename = "type")]
    pub mime: String,
    /// Bytes (0 when unknown).
    pub length: u64,
}

/// A validated digest.
#[derive(Debug, Clone)]
pub struct Digest {
    /// Path relative to the site root (for messages).
    pub path: PathBuf,
    /// Title.
    pub title: String,
    /// Show name as written.
    pub show: Option<String>,
    /// Date.
    pub date: EpisodeDate,
    /// Original episode URL (http or https).
    pub source: Option<String>,
    /// Seconds.
    pub duration: Option<u64>,
    /// People as written.
    pub people: Vec<String>,
    /// Concepts from front matter, or else from the body's Key Concepts list.
    pub concepts: Vec<ConceptRef>,
    /// Summary: explicit, or the body's first paragraph as text.
    pub summary: String,
    /// Absolute path of the transcript file.
    pub transcript: Option<PathBuf>,
    /// The parsed transcript (shared: it can be large and several stages read it).
    pub transcript_data: Option<std::sync::Arc<crate::transcript::Transcript>>,
    /// Enclosure.
    pub media: Option<Media>,
    /// URL slug under `/episodes/`.
    pub slug: String,
    /// Draft flag.
    pub draft: bool,
    /// Redirecting old paths, normalised to `a/b/` or `a/b.html`.
    pub aliases: Vec<String>,
    /// Free-form data.
    pub extra: serde_json::Value,
    /// Markdown body; `None` once a build has rendered it and freed it
    /// ([`crate::site::Site::release_bodies`]): nothing after the bodies stage may read it.
    pub body: Option<String>,
    /// File line of the body's first line.
    pub body_line: usize,
    /// Whether the body has its own Key Concepts list (rendered as the definition list).
    pub key_concepts_in_body: bool,
    /// Whether `concepts:` came from the front matter (so a body list may name others).
    pub concepts_in_front_matter: bool,
    /// Hash of the file's text ([`source_hash`]), which serve's data files are keyed by.
    /// `None` unless the loader was asked for it (`load::load_cached`, serve's one-digest
    /// path).
    pub source_hash: Option<u64>,
    /// Where its keys stand in the file.
    pub key_pos: KeyPositions,
}

/// Where a digest's keys stand in its file (1-based line and column; the file's start, or
/// the body's for concepts from a Key Concepts list, when the key is absent), so problems
/// found after loading (two concepts sharing a slug) can point at the right line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPositions {
    /// `slug:`
    pub slug: (usize, usize),
    /// `concepts:` (or the body, for a Key Concepts list).
    pub concepts: (usize, usize),
    /// `show:`
    pub show: (usize, usize),
    /// `people:`
    pub people: (usize, usize),
    /// `aliases:`
    pub aliases: (usize, usize),
}

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

/// Collects the problems of one file, each located by key.
struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    split: Split<'a>,
    errors: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn at_key(&mut self, key: &str, message: String, hint: Option<&str>) {
        let mut d = Diagnostic::new(self.path, message);
        d = match yaml::key_position(self.split.yaml, self.split.yaml_line, key) {
            Some((l, c)) => d.at(self.text, l, c),
            None => d.at(self.text, 1, 1),
        };
        if let Some(h) = hint {
            d = d.hint(h);
        }
        self.errors.push(d);
    }

    fn extra(&mut self, extra: Option<serde_yaml::Value>) -> serde_json::Value {
        match extra.as_ref().map(yaml::to_json) {
            None => serde_json::Value::Object(Default::default()),
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                self.at_key(
                    "extra",
                    format!("extra cannot be used in templates: {e}"),
                    None,
                );
                serde_json::Value::Null
            }
        }
    }

    fn aliases(&mut self, aliases: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for a in aliases {
            match normalize_alias(a) {
                Ok(p) if p.split('/').any(|seg| seg.len() > names::MAX_SEGMENT_BYTES) => self
                    .at_key(
                        "aliases",
                        format!(
                            "alias `{a}` has a segment over {} bytes",
                            names::MAX_SEGMENT_BYTES
                        ),
                        Some("a file system cannot hold a name that long"),
                    ),
                Ok(p) => out.push(p),
                Err(m) => self.at_key(
                    "aliases",
                    m,
                    Some("an alias is a path on this site such as /old/path/"),
                ),
            }
        }
        out
    }
}

/// Splits a file or returns the located reason it cannot be.
fn split_or_error<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Vec<Diagnostic>> {
    frontmatter::split(text).map_err(|e| {
        let (msg, hint) = e.describe();
        let d = Diagnostic::new(path, msg).hint(hint);
        vec![d.at(text, 1, 1)]
    })
}

fn parse_yaml<'de, T: Deserialize<'de>>(
    path: &Path,
    text: &str,
    split: &Split<'de>,
) -> Result<Option<T>, Vec<Diagnostic>> {
    if let Some(at) = yaml::too_deep(split.yaml) {
        return Err(vec![yaml::too_deep_diagnostic(
            path,
            text,
            split.yaml_line,
            at,
        )]);
    }
    serde_yaml::from_str::<Option<T>>(split.yaml)
        .map_err(|e| vec![yaml::diagnostic(path, text, split.yaml_line, &e)])
}

/// Parses and validates a digest. `abs_dir` is the folder holding the file (for transcripts);
/// `root` bounds where a transcript may be read from.
pub fn parse_digest(
    path: &Path,
    abs_dir: &Path,
    root: &Path,
    text: &str,
) -> Result<Digest, Vec<Diagnostic>> {
    let split = split_or_error(path, text)?;
    let raw: RawDigest = match parse_yaml(path, text, &split)? {
        Some(r) => r,
        None => {
            return Err(vec![
                Diagnostic::new(
                    path,
                    "front matter is empty: `title` and `date` are required",
                )
                .at(text, 1, 1),
            ]);
        }
    };
    let mut cx = Ctx {
        path,
        text,
        split,
        errors: Vec::new(),
    };
    let title = raw
        .title
        .map(|s| s.0.trim().to_string())
        .unwrap_or_default();
    if title.is_empty() {
        let d = Diagnostic::new(path, "missing `title`")
            .at(text, 1, 1)
            .hint("add `title: \"…\"` to the front matter");
        cx.errors.push(d);
    }
    let date = match raw.date {
        None => {
            let d = Diagnostic::new(path, "missing `date`")
                .at(text, 1, 1)
                .hint("add `date: YYYY-MM-DD` (or RFC 3339) to the front matter");
            cx.errors.push(d);
            None
        }
        Some(s) => match EpisodeDate::parse(&s.0) {
            Ok(d) => Some(d),
            Err(m) => {
                cx.at_key(
                    "date",
                    m,
                    Some("use YYYY-MM-DD or RFC 3339 (2025-10-30T18:00:00Z)"),
                );
                None
            }
        },
    };
    let duration = raw.duration.and_then(|s| match duration::parse(&s.0) {
        Ok(secs) => Some(secs),
        Err(m) => {
            cx.at_key("duration", m, None);
            None
        }
    });
    let source = raw
        .source
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if let Some(s) = &source
        && !is_http_url(s)
    {
        cx.at_key(
            "source",
            format!("source `{s}` is not an http(s) URL"),
            Some("give the episode's page, e.g. https://www.youtube.com/watch?v=…"),
        );
    }
    let media = raw.media.and_then(|m| {
        if !is_http_url(&m.url) {
            cx.at_key(
                "media",
                format!("media url `{}` is not an http(s) URL", m.url),
                None,
            );
            return None;
        }
        let mime = m
            .mime
            .or_else(|| crate::mime::media(&m.url).map(str::to_string));
        match mime {
            Some(mime) => Some(Media {
                url: m.url,
                mime,
                length: m.length.unwrap_or(0),
            }),
            None => {
                cx.at_key(
                    "media",
                    "media has no `type` and none can be guessed from the URL".into(),
                    Some("add `type: audio/mpeg` (or the file's MIME type)"),
                );
                None
            }
        }
    });
    let slug = match raw.slug {
        Some(s) => {
            let s = s.0.trim().to_string();
            if !names::is_safe_segment(&s) {
                cx.at_key(
                    "slug",
                    format!("slug `{s}` is not a single safe URL segment"),
                    Some("use letters, digits, `-` and `_` only"),
                );
            }
            s
        }
        None => {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let s = names::slugify(stem);
            if path.file_stem().is_some_and(|s| s.to_str().is_none()) {
                cx.errors.push(
                    Diagnostic::new(path, "file name is not valid UTF-8")
                        .hint("rename the file or set `slug:` in the front matter"),
                );
            } else if s.is_empty() {
                cx.errors.push(
                    Diagnostic::new(path, format!("file name `{stem}` gives an empty slug"))
                        .hint("rename the file or set `slug:` in the front matter"),
                );
            }
            s
        }
    };
    let aliases = cx.aliases(&raw.aliases);
    let root_real = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let transcript = raw.transcript.and_then(|t| {
        let candidate = abs_dir.join(&t);
        match candidate.canonicalize() {
            Ok(p) if !p.starts_with(&root_real) => {
                cx.at_key(
                    "transcript",
                    format!("transcript `{t}` is outside the site folder"),
                    None,
                );
                None
            }
            // A FIFO or a device would hang the build or read forever: regular files only.
            Ok(p) if !p.is_file() => {
                cx.at_key(
                    "transcript",
                    format!("transcript `{t}` is not a regular file"),
                    Some("name a .vtt, .srt or .txt file"),
                );
                None
            }
            Ok(p) => match crate::transcript::format_of(&p) {
                Some(format) => Some((p, format)),
                None => {
                    cx.at_key(
                        "transcript",
                        format!("transcript `{t}` has an unsupported format"),
                        Some("use .vtt, .srt or .txt"),
                    );
                    None
                }
            },
            Err(_) => {
                cx.at_key(
                    "transcript",
                    format!(
                        "transcript file `{t}` not found (looked for {})",
                        candidate.display()
                    ),
                    Some("the path is relative to the digest's own folder"),
                );
                None
            }
        }
    });
    let transcript_data = transcript.as_ref().and_then(|(p, format)| {
        let shown = p.strip_prefix(&root_real).unwrap_or(p);
        let parsed = super::read_text(p, shown)
            .map_err(|d| vec![d])
            .and_then(|text| crate::transcript::parse_text(&text, *format, shown));
        match parsed {
            Ok(t) => Some(std::sync::Arc::new(t)),
            Err(mut errs) => {
                cx.errors.append(&mut errs);
                None
            }
        }
    });
    let transcript = transcript.map(|(p, _)| p);
    let extra = cx.extra(raw.extra);
    let pos = |key: &str| yaml::key_position(split.yaml, split.yaml_line, key).unwrap_or((1, 1));
    let key_pos = KeyPositions {
        slug: pos("slug"),
        concepts: if raw.concepts.is_some() {
            pos("concepts")
        } else {
            (split.body_line, 1)
        },
        show: pos("show"),
        people: pos("people"),
        aliases: pos("aliases"),
    };
    if slug.len() > names::MAX_SEGMENT_BYTES {
        cx.at_key(
            "slug",
            format!(
                "slug is {} bytes long; a URL segment can be at most {}",
                slug.len(),
                names::MAX_SEGMENT_BYTES
            ),
            Some("set a shorter `slug:`"),
        );
    }
    let scan = markdown::scan(split.body);
    let concepts_in_front_matter = raw.concepts.is_some();
    let concepts: Vec<ConceptRef> = match raw.concepts {
        Some(list) => list
            .into_iter()
            .filter_map(|c| {
                let (name, def) = match c {
                    RawConcept::Name(n) => (n.0, None),
                    RawConcept::Full(f) => (f.name.0, f.definition.map(|d| d.0)),
                };
                let name = name.trim().to_string();
                let definition = def.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
                (!name.is_empty()).then_some(ConceptRef { name, definition })
            })
            .collect(),
        None => scan
            .key_concepts
            .iter()
            .map(|(t, d)| ConceptRef {
                name: t.clone(),
                definition: (!d.is_empty()).then(|| d.clone()),
            })
            .collect(),
    };
    let summary = raw
        .summary
        .map(|s| s.0.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or(scan.first_paragraph);
    if !cx.errors.is_empty() {
        return Err(cx.errors);
    }
    let Some(date) = date else {
        return Err(cx.errors);
    };
    Ok(Digest {
        path: path.to_path_buf(),
        title,
        show: raw
            .show
            .map(|s| s.0.trim().to_string())
            .filter(|s| !s.is_empty()),
        date,
        source,
        duration,
        people: raw.people.into_vec(),
        concepts,
        summary,
        transcript,
        transcript_data,
        media,
        slug,
        draft: raw.draft,
        aliases,
        extra,
        body: Some(split.body.to_string()),
        body_line: split.body_line,
        key_concepts_in_body: !scan.key_concepts.is_empty(),
        concepts_in_front_matter,
        source_hash: None,
        key_pos,
    })
}

/// What [`Digest::source_hash`] holds for a file's text.
pub fn source_hash(text: &str) -> u64 {
    crate::hash::of(text)
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

/// Normalises an alias to a relative output path: `a/b/` (a folder) or `a/b.html` (a file).
pub fn normalize_alias(alias: &str) -> Result<String, String> {
    let a = alias.trim();
    if a.contains("://") || a.starts_with("//") {
        return Err(format!(
            "alias `{a}` must be a path on this site, not a URL"
        ));
    }
    let segments: Vec<&str> = a.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return Err(format!("alias `{a}` is empty or the site root"));
    }
    if let Some(bad) = segments.iter().find(|s| !names::is_safe_segment(s)) {
        return Err(format!("alias `{a}` has an unsafe segment `{bad}`"));
    }
    let joined = segments.join("/");
    if joined.ends_with(".html") || joined.ends_with(".htm") {
        Ok(joined)
    } else {
        Ok(format!("{joined}/"))
    }
}

fn is_http_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && s.len() > 8
        && !s.contains(char::is_whitespace)
}

fn is_site_path(s: &str) -> bool {
    !s.contains(':') && !s.starts_with("//") && !s.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(text: &str) -> Result<Digest, Vec<Diagnostic>> {
        let dir = std::env::temp_dir();
        parse_digest(Path::new("content/episodes/x.md"), &dir, &dir, text)
    }

    #[test]
    fn full_front_matter() {
        let d = digest(
            "---\ntitle: \"A: B & C\"\nshow: Startup Hour\ndate: 2025-10-30\nsource: https://e.com/v\nduration: \"1:00:00\"\npeople: [Ada, Grace]\nconcepts:\n  - name: Polyamory\n    definition: Open.\n  - Compute\nmedia: { url: https://cdn.e.com/a.mp3, length: 12 }\nslug: custom\naliases: [/old/path/]\nextra: { color: red }\n---\nFirst para.\n",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.title, "A: B & C");
        assert_eq!(d.duration, Some(3600));
        assert_eq!(d.people, ["Ada", "Grace"]);
        assert_eq!(d.concepts.len(), 2);
        assert_eq!(d.concepts[0].definition.as_deref(), Some("Open."));
        assert_eq!(d.concepts[1].definition, None);
        assert_eq!(
            d.media.as_ref().map(|m| m.mime.as_str()),
            Some("audio/mpeg")
        );
        assert_eq!(d.slug, "custom");
        assert_eq!(d.aliases, ["old/path/"]);
        assert_eq!(d.summary, "First para.");
    }

    #[test]
    fn every_problem_of_a_file_is_reported_at_its_line() {
        let errs = digest("---\ntitle: T\ndate: 2025-02-30\nduration: soon\nsource: javascript:alert(1)\nslug: ../x\n---\n")
            .err()
            .unwrap_or_default();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6], "{errs:?}");
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let errs = digest("---\ntitle: T\ndate: 2025-01-01\ntitel: oops\n---\n")
            .err()
            .unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 4);
        assert!(errs[0].message.contains("titel"));
    }

    #[test]
    fn key_concepts_come_from_body_when_front_matter_has_none() {
        let d = digest("---\ntitle: T\ndate: 2025-01-01\n---\n## Key Concepts\n- **Alpha**: first: really\n- Beta: second\n")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            d.concepts,
            [
                ConceptRef {
                    name: "Alpha".into(),
                    definition: Some("first: really".into())
                },
                ConceptRef {
                    name: "Beta".into(),
                    definition: Some("second".into())
                },
            ]
        );
    }

    #[test]
    fn aliases_are_confined() {
        assert_eq!(normalize_alias("/a/b"), Ok("a/b/".into()));
        assert_eq!(normalize_alias("old.html"), Ok("old.html".into()));
        for bad in ["/../etc/", "https://x.com/a", "/", "a/%2e%2e/b", "a\\..\\b"] {
            assert!(normalize_alias(bad).is_err(), "{bad}");
        }
    }
}
