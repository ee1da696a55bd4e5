//! Digests: front matter as written (`Raw*`, rejecting unknown keys) and as validated
//! ([`Digest`]). Validation reports every problem of a file, each at its line; the helpers
//! here are shared with curated files and pages. Every key is listed in
//! `docs/configuration.md`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::date::EpisodeDate;
use super::frontmatter::{self, Split};
use super::{duration, yaml, yaml::OneOrMany, yaml::Scalar};
use crate::error::Diagnostic;
use crate::markdown;
use crate::names;

/// A digest's front matter as written (every key: `docs/configuration.md`).
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
    /// Cover art: a URL, a site path (`/covers/x.png`) or a file beside the digest
    /// (`cover.png`). Default: the show's image, then the site's.
    pub image: Option<String>,
    /// The episode's number in its show (`itunes:episode`). Default: none.
    pub episode: Option<u32>,
    /// The season it belongs to (`itunes:season`). Default: none.
    pub season: Option<u32>,
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConceptRef {
    /// The term as written.
    pub name: String,
    /// This episode's definition, if it gives one.
    pub definition: Option<String>,
    /// The hash ([`crate::hash::bytes`]) of the definition's words as definitions are
    /// compared ([`crate::text::comparable_words`]); `None` without a definition or when it
    /// has no words. Made once, when the digest is parsed, and kept with it: comparing every
    /// concept's definitions is part of every build, most of it reading their words.
    pub wording: Option<u64>,
}

impl ConceptRef {
    /// The concept `name`, with this episode's `definition` if it gives one.
    pub fn new(name: String, definition: Option<String>) -> ConceptRef {
        let wording = definition.as_deref().and_then(|d| {
            let words = crate::text::comparable_words(d);
            (!words.is_empty()).then(|| crate::hash::bytes(words.as_bytes()))
        });
        ConceptRef {
            name,
            definition,
            wording,
        }
    }
}

/// A validated enclosure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Media {
    /// An http(s) URL, or a path on this site (`/audio/ep-12.mp3`, a file under `static/`):
    /// `Site::media_absolute` and `Site::media_link` resolve it.
    pub url: String,
    /// MIME type.
    #[serde(rename = "type")]
    pub mime: String,
    /// Bytes (0 when unknown).
    pub length: u64,
}

impl Media {
    /// Whether the file is on this site (`/audio/ep-12.mp3`).
    pub fn on_site(&self) -> bool {
        self.url.starts_with('/')
    }

    /// Whether it is a video (else audio).
    pub fn is_video(&self) -> bool {
        self.mime.starts_with("video/")
    }
}

/// A validated digest. Serialisable for the cache of parsed digests a build keeps beside
/// its output (`load::kept`), without its body.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    /// The parsed transcript (shared: it can be large and several stages read it). Kept
    /// with a parsed digest (`load::kept`): parsing every transcript again was a seventh of
    /// a build that reused the last.
    pub transcript_data: Option<std::sync::Arc<crate::transcript::Transcript>>,
    /// Enclosure.
    pub media: Option<Media>,
    /// Cover art as written (a URL, a site path, or a file beside the digest, then among
    /// `assets`).
    pub image: Option<String>,
    /// Files beside the digest that it uses (its `image`, images and links in its body),
    /// copied beside its page: the path as written (relative, `/`-separated) and the file.
    pub assets: Vec<(String, PathBuf)>,
    /// Its number in its show, and its season (podcast feeds).
    pub episode: Option<u32>,
    /// See `episode`.
    pub season: Option<u32>,
    /// Chapters: the body's headings that end with a timestamp, checked in order and
    /// within the duration.
    pub chapters: Vec<markdown::timestamps::Chapter>,
    /// URL slug under `/episodes/`.
    pub slug: String,
    /// Draft flag.
    pub draft: bool,
    /// Redirecting old paths, normalised to `a/b/` or `a/b.html`.
    pub aliases: Vec<String>,
    /// Free-form data. Kept as its JSON text (`load::kept`): the kept digests' binary
    /// format cannot hold a value whose shape only its data tells.
    #[serde(with = "json_text")]
    pub extra: serde_json::Value,
    /// Markdown body. A build does not keep it (`None`): at 100,000 digests the sources are
    /// most of a gigabyte, so the bodies stage reads each again from its file
    /// ([`Digest::read_body`]); serve keeps them to compare edits.
    #[serde(skip)]
    pub body: Option<String>,
    /// Where the body lies in the file: byte offset, length, and the file's length then.
    pub body_at: (usize, usize, u64),
    /// [`crate::hash::bytes`] of the body, which a rendered body is known by
    /// (`bodies::episode_key`) whether or not the body itself is kept.
    pub body_hash: u64,
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

/// A JSON value as its text, for formats that are not self-describing (`load::kept`).
mod json_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &serde_json::Value, s: S) -> Result<S::Ok, S::Error> {
        serde_json::to_string(v)
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<serde_json::Value, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

impl Digest {
    /// The Markdown body: the one kept, or read again from the file under `root` (a build
    /// keeps none). A file changed since it was read is an error, not a mixed page.
    pub fn read_body(&self, root: &Path) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        if let Some(b) = &self.body {
            return Ok(std::borrow::Cow::Borrowed(b));
        }
        let (offset, len, file_len) = self.body_at;
        let changed = || {
            Diagnostic::new(
                &self.path,
                "the file changed while the build was reading it",
            )
            .hint("build again once the edit is saved")
        };
        let bytes = std::fs::read(root.join(&self.path)).map_err(|_| changed())?;
        if bytes.len() as u64 != file_len {
            return Err(changed());
        }
        let body = bytes.get(offset..offset + len).ok_or_else(changed)?;
        String::from_utf8(body.to_vec())
            .map(std::borrow::Cow::Owned)
            .map_err(|_| changed())
    }
}

/// Where a digest's keys stand in its file (1-based line and column; the file's start, or
/// the body's for concepts from a Key Concepts list, when the key is absent), so problems
/// found after loading (two concepts sharing a slug) can point at the right line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// `media:`
    pub media: (usize, usize),
}

/// Collects the problems of one file, each located by key.
pub(super) struct Ctx<'a> {
    pub(super) path: &'a Path,
    pub(super) text: &'a str,
    pub(super) split: Split<'a>,
    pub(super) errors: Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub(super) fn at_key(&mut self, key: &str, message: String, hint: Option<&str>) {
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

    pub(super) fn extra(&mut self, extra: Option<serde_yaml::Value>) -> serde_json::Value {
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

    pub(super) fn aliases(&mut self, aliases: &[String]) -> Vec<String> {
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
pub(super) fn split_or_error<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Vec<Diagnostic>> {
    frontmatter::split(text).map_err(|e| {
        let (msg, hint) = e.describe();
        let d = Diagnostic::new(path, msg).hint(hint);
        vec![d.at(text, 1, 1)]
    })
}

pub(super) fn parse_yaml<'de, T: Deserialize<'de>>(
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
    let Some(raw): Option<RawDigest> = parse_yaml(path, text, &split)? else {
        return Err(vec![
            Diagnostic::new(
                path,
                "front matter is empty: `title` and `date` are required",
            )
            .at(text, 1, 1),
        ]);
    };
    let mut cx = Ctx {
        path,
        text,
        split,
        errors: Vec::new(),
    };
    let title = cx.title(raw.title);
    let date = cx.date(raw.date);
    let duration = raw.duration.and_then(|s| match duration::parse(&s.0) {
        Ok(secs) => Some(secs),
        Err(m) => {
            cx.at_key("duration", m, None);
            None
        }
    });
    let source = cx.source(raw.source);
    let media = raw.media.and_then(|m| cx.media(m, root));
    let slug = cx.slug(raw.slug);
    let aliases = cx.aliases(&raw.aliases);
    let (transcript, transcript_data) = match raw.transcript {
        Some(t) => cx.transcript(&t, abs_dir, root),
        None => (None, None),
    };
    let extra = cx.extra(raw.extra);
    let key_pos = cx.key_positions(raw.concepts.is_some());
    let scan = markdown::scan(split.body);
    let chapters = cx.chapters(duration);
    let (image, assets) = cx.assets(raw.image, abs_dir, root);
    let concepts_in_front_matter = raw.concepts.is_some();
    let concepts = concepts(raw.concepts, &scan);
    let summary = raw
        .summary
        .map(|s| s.0.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or(scan.first_paragraph);
    let (Some(date), true) = (date, cx.errors.is_empty()) else {
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
        image,
        assets,
        episode: raw.episode,
        season: raw.season,
        chapters,
        slug,
        draft: raw.draft,
        aliases,
        extra,
        body: Some(split.body.to_string()),
        body_at: (
            (split.body.as_ptr() as usize).saturating_sub(text.as_ptr() as usize),
            split.body.len(),
            text.len() as u64,
        ),
        body_hash: crate::hash::bytes(split.body.as_bytes()),
        body_line: split.body_line,
        key_concepts_in_body: !scan.key_concepts.is_empty(),
        concepts_in_front_matter,
        source_hash: None,
        key_pos,
    })
}

/// The concepts of a digest: from the front matter, or else from the body's Key Concepts
/// list.
fn concepts(front_matter: Option<Vec<RawConcept>>, scan: &markdown::Scan) -> Vec<ConceptRef> {
    match front_matter {
        Some(list) => list
            .into_iter()
            .filter_map(|c| {
                let (name, def) = match c {
                    RawConcept::Name(n) => (n.0, None),
                    RawConcept::Full(f) => (f.name.0, f.definition.map(|d| d.0)),
                };
                let name = name.trim().to_string();
                let definition = def.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
                (!name.is_empty()).then(|| ConceptRef::new(name, definition))
            })
            .collect(),
        None => scan
            .key_concepts
            .iter()
            .map(|(t, d)| ConceptRef::new(t.clone(), (!d.is_empty()).then(|| d.clone())))
            .collect(),
    }
}

/// The checks of a digest's keys, one method per key, each recording its problems.
impl Ctx<'_> {
    fn title(&mut self, raw: Option<Scalar>) -> String {
        let title = raw.map(|s| s.0.trim().to_string()).unwrap_or_default();
        if title.is_empty() {
            let d = Diagnostic::new(self.path, "missing `title`")
                .at(self.text, 1, 1)
                .hint("add `title: \"…\"` to the front matter");
            self.errors.push(d);
        }
        title
    }

    fn date(&mut self, raw: Option<Scalar>) -> Option<EpisodeDate> {
        let Some(s) = raw else {
            // A `# date:` comment (what `castdown import` writes when it cannot tell the
            // date) marks where the date goes: point there.
            let marker = self
                .split
                .yaml
                .lines()
                .position(|l| l.trim_start().starts_with("# date:"))
                .map_or((1, 1), |i| (self.split.yaml_line + i, 1));
            let d = Diagnostic::new(self.path, "missing `date`")
                .at(self.text, marker.0, marker.1)
                .hint("add `date: YYYY-MM-DD` (or RFC 3339) to the front matter");
            self.errors.push(d);
            return None;
        };
        EpisodeDate::parse(&s.0)
            .map_err(|m| {
                self.at_key(
                    "date",
                    m,
                    Some("use YYYY-MM-DD or RFC 3339 (2025-10-30T18:00:00Z)"),
                );
            })
            .ok()
    }

    fn source(&mut self, raw: Option<String>) -> Option<String> {
        let source = raw.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if let Some(s) = &source
            && !is_http_url(s)
        {
            self.at_key(
                "source",
                format!("source `{s}` is not an http(s) URL"),
                Some("give the episode's page, e.g. https://www.youtube.com/watch?v=…"),
            );
        }
        source
    }

    /// The digest's cover art and the files beside it that it uses: a relative `image`
    /// must be such a file (a located error otherwise); relative image and link
    /// destinations in the body are taken when they name a file inside the site (others
    /// are left to the link checker).
    fn assets(
        &mut self,
        image: Option<String>,
        abs_dir: &Path,
        root: &Path,
    ) -> (Option<String>, Vec<(String, PathBuf)>) {
        let root_real = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let file = |rel: &str| -> Option<PathBuf> {
            if rel
                .split('/')
                .any(|p| p == ".." || p == "." || p.is_empty())
            {
                return None;
            }
            let p = abs_dir.join(rel).canonicalize().ok()?;
            (p.starts_with(&root_real) && p.is_file()).then_some(p)
        };
        let mut assets: Vec<(String, PathBuf)> = Vec::new();
        let image = image
            .map(|i| i.trim().to_string())
            .filter(|i| !i.is_empty());
        if let Some(i) = &image
            && !is_http_url(i)
            && !is_root_path(i)
        {
            match file(i) {
                Some(p) => assets.push((i.clone(), p)),
                None => {
                    self.at_key(
                        "image",
                        format!("image `{i}` is not a URL, a site path or a file beside the digest"),
                        Some("give https://…, /path/under/static.png, or the name of a file in the digest's folder"),
                    );
                    return (None, assets);
                }
            }
        }
        for rel in markdown::local_references(self.split.body) {
            if !assets.iter().any(|(r, _)| *r == rel)
                && let Some(p) = file(&rel)
            {
                assets.push((rel, p));
            }
        }
        assets.sort();
        (image, assets)
    }

    /// The body's chapters, each starting after the one before and within `duration`.
    fn chapters(&mut self, duration: Option<u64>) -> Vec<markdown::timestamps::Chapter> {
        let chapters = markdown::timestamps::chapters(self.split.body);
        let show = duration::display;
        let mut previous: Option<&markdown::timestamps::Chapter> = None;
        for c in &chapters {
            let line = self.split.body_line + c.line - 1;
            if let Some(p) = previous
                && c.start <= p.start
            {
                let d = Diagnostic::new(
                    self.path,
                    format!(
                        "chapter `{}` starts at {}, not after the chapter before it (`{}` at {}, line {})",
                        c.title,
                        show(c.start),
                        p.title,
                        show(p.start),
                        self.split.body_line + p.line - 1
                    ),
                )
                .at(self.text, line, c.column)
                .hint("chapters are the sections whose headings end with a time: keep them in time order");
                self.errors.push(d);
            }
            if let Some(total) = duration
                && c.start >= total
            {
                let d = Diagnostic::new(
                    self.path,
                    format!(
                        "chapter `{}` starts at {}, past the episode's duration ({})",
                        c.title,
                        show(c.start),
                        show(total)
                    ),
                )
                .at(self.text, line, c.column)
                .hint("fix the time in the heading, or the `duration`");
                self.errors.push(d);
            }
            previous = Some(c);
        }
        chapters
    }

    fn media(&mut self, m: RawMedia, root: &Path) -> Option<Media> {
        let site_path = is_root_path(&m.url);
        if !is_http_url(&m.url) && !site_path {
            self.at_key(
                "media",
                format!(
                    "media url `{}` is neither an http(s) URL nor a site path",
                    m.url
                ),
                Some(
                    "give the file's URL, or a path like /audio/ep-12.mp3 for a file under static/",
                ),
            );
            return None;
        }
        // A file the site itself hosts: it must be under `static/`, and its length is read
        // from it when not given.
        let mut length = m.length;
        if site_path {
            let rel = m.url.trim_start_matches('/');
            let rel = rel.split(['?', '#']).next().unwrap_or(rel);
            let file = root.join("static").join(rel);
            let inside = !rel.split('/').any(|part| part == ".." || part.is_empty());
            match std::fs::metadata(&file) {
                Ok(meta) if inside && meta.is_file() => {
                    length = length.or(Some(meta.len()));
                }
                _ => {
                    self.at_key(
                        "media",
                        format!("media `{}` is not a file under static/", m.url),
                        Some("put the file in the site's static/ folder, or give its full URL"),
                    );
                    return None;
                }
            }
        }
        let mime = m
            .mime
            .or_else(|| crate::mime::media(&m.url).map(str::to_string));
        let Some(mime) = mime else {
            self.at_key(
                "media",
                "media has no `type` and none can be guessed from the URL".into(),
                Some("add `type: audio/mpeg` (or the file's MIME type)"),
            );
            return None;
        };
        Some(Media {
            url: m.url,
            mime,
            length: length.unwrap_or(0),
        })
    }

    fn slug(&mut self, raw: Option<Scalar>) -> String {
        let slug = match raw {
            Some(s) => {
                let s = s.0.trim().to_string();
                if !names::is_safe_segment(&s) {
                    self.at_key(
                        "slug",
                        format!("slug `{s}` is not a single safe URL segment"),
                        Some("use letters, digits, `-` and `_` only"),
                    );
                }
                s
            }
            None => self.slug_from_file_name(),
        };
        if let Some(why) = names::host_trouble(&slug) {
            self.at_key(
                "slug",
                format!("slug {why}"),
                Some("set another `slug:` (or rename the file)"),
            );
        }
        if slug.len() > names::MAX_SEGMENT_BYTES {
            self.at_key(
                "slug",
                format!(
                    "slug is {} bytes long; a URL segment can be at most {}",
                    slug.len(),
                    names::MAX_SEGMENT_BYTES
                ),
                Some("set a shorter `slug:`"),
            );
        }
        slug
    }

    fn slug_from_file_name(&mut self) -> String {
        let path = self.path;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let s = names::slugify(stem);
        let hint = "rename the file or set `slug:` in the front matter";
        if path.file_stem().is_some_and(|s| s.to_str().is_none()) {
            self.errors
                .push(Diagnostic::new(path, "file name is not valid UTF-8").hint(hint));
        } else if s.is_empty() {
            let d = Diagnostic::new(path, format!("file name `{stem}` gives an empty slug"));
            self.errors.push(d.hint(hint));
        }
        s
    }

    /// The transcript file named `t` (relative to the digest's folder `abs_dir`), which must
    /// lie inside `root`, be a regular file and have a supported format, and its parsed
    /// cues.
    fn transcript(
        &mut self,
        t: &str,
        abs_dir: &Path,
        root: &Path,
    ) -> (
        Option<PathBuf>,
        Option<std::sync::Arc<crate::transcript::Transcript>>,
    ) {
        let root_real = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let candidate = abs_dir.join(t);
        let problem = match candidate.canonicalize() {
            Ok(p) if !p.starts_with(&root_real) => {
                (format!("transcript `{t}` is outside the site folder"), None)
            }
            // A FIFO or a device would hang the build or read forever: regular files only.
            Ok(p) if !p.is_file() => (
                format!("transcript `{t}` is not a regular file"),
                Some("name a .vtt, .srt or .txt file"),
            ),
            Ok(p) => match crate::transcript::format_of(&p) {
                Some(format) => {
                    let shown = p.strip_prefix(&root_real).unwrap_or(&p);
                    let parsed = super::read_text(&p, shown)
                        .map_err(|d| vec![d])
                        .and_then(|text| crate::transcript::parse_text(&text, format, shown));
                    let data = match parsed {
                        Ok(t) => Some(std::sync::Arc::new(t)),
                        Err(mut errs) => {
                            self.errors.append(&mut errs);
                            None
                        }
                    };
                    return (Some(p), data);
                }
                None => (
                    format!("transcript `{t}` has an unsupported format"),
                    Some("use .vtt, .srt or .txt"),
                ),
            },
            Err(_) => (
                format!(
                    "transcript file `{t}` not found (looked for {})",
                    candidate.display()
                ),
                Some("the path is relative to the digest's own folder"),
            ),
        };
        self.at_key("transcript", problem.0, problem.1);
        (None, None)
    }

    /// Where the keys stand (the body's start for concepts from a Key Concepts list).
    fn key_positions(&self, concepts_in_front_matter: bool) -> KeyPositions {
        let split = &self.split;
        let pos =
            |key: &str| yaml::key_position(split.yaml, split.yaml_line, key).unwrap_or((1, 1));
        KeyPositions {
            slug: pos("slug"),
            concepts: if concepts_in_front_matter {
                pos("concepts")
            } else {
                (split.body_line, 1)
            },
            show: pos("show"),
            people: pos("people"),
            aliases: pos("aliases"),
            media: pos("media"),
        }
    }
}

/// What [`Digest::source_hash`] holds for a file's text.
pub fn source_hash(text: &str) -> u64 {
    crate::hash::of(text)
}

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
    if let Some(why) = segments.iter().find_map(|s| names::host_trouble(s)) {
        return Err(format!("alias `{a}`: {why}"));
    }
    let joined = segments.join("/");
    if joined.ends_with(".html") || joined.ends_with(".htm") {
        Ok(joined)
    } else {
        Ok(format!("{joined}/"))
    }
}

pub(super) fn is_http_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && s.len() > 8
        && !s.contains(char::is_whitespace)
}

/// A path from the site's root (`/audio/x.mp3`), not a protocol-relative URL.
fn is_root_path(s: &str) -> bool {
    s.starts_with('/') && !s.starts_with("//")
}

pub(super) fn is_site_path(s: &str) -> bool {
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
                ConceptRef::new("Alpha".into(), Some("first: really".into())),
                ConceptRef::new("Beta".into(), Some("second".into())),
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
