//! Data files: what the site publishes besides pages and feeds, made without templates and
//! valid by construction: `sitemap.xml`, `robots.txt`, `llms.txt` and each episode's
//! `digest.json` and chapters (`chapters.json`, `chapters.vtt`). Their paths are in
//! `site::paths`.

use crate::load::duration;
use crate::site::{Site, TermKind, paths};
use crate::text::xml_escape;

/// URLs one sitemap file holds at most; past it the sitemap is split (the protocol allows
/// 50,000 and 50 MB; 30,000 keeps a file well under both, as Zola does).
pub const SITEMAP_LIMIT: usize = 30_000;

/// The sitemap of every HTML page (with `lastmod` for episodes): `sitemap.xml`, or past
/// [`SITEMAP_LIMIT`] URLs `sitemap-1.xml`, `sitemap-2.xml`… under a `sitemap.xml` index.
/// Each `<url>` line is written straight into its file's text, sized for it up front: a
/// line per page held apart, then copied into the file, held the sitemap twice (at
/// 100,000 digests, tens of megabytes while the search index was made beside it).
pub fn sitemaps(site: &Site, html_paths: &[&str]) -> Vec<(String, String)> {
    let episode = episodes_by_page(site);
    let pages: Vec<&str> = html_paths
        .iter()
        .copied()
        .filter(|p| *p != paths::NOT_FOUND)
        .collect();
    let base = site.base.absolute("").len();
    let line = |p: &&str, out: &mut String| {
        let page = paths::page_of_file(p);
        out.push_str("  <url><loc>");
        out.push_str(&xml_escape(&site.base.absolute(page)));
        out.push_str("</loc>");
        if let Some(e) = episode.get(page) {
            out.push_str("<lastmod>");
            out.push_str(&e.digest.date.ymd());
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    };
    // The line's tags, a date and the address: more than a line takes unless the address
    // has much to escape (the text then grows as any string does).
    let room = |p: &&str| base + p.len() + 64;
    split_sitemaps(
        &pages,
        &line,
        &room,
        &|p| site.base.absolute(p),
        SITEMAP_LIMIT,
    )
}

/// Episodes by their page (`episodes/<slug>/`, the page of its `index.html`), borrowed: a
/// string per episode for the key and its date, every build, was most of the cost.
fn episodes_by_page(
    site: &Site,
) -> std::collections::HashMap<&str, &crate::site::Episode, ahash::RandomState> {
    site.episodes.iter().map(|e| (e.path.as_str(), e)).collect()
}

/// What a sitemap lists: each HTML page's absolute URL (not `404.html`) and, for an
/// episode, its date (`YYYY-MM-DD`) as `lastmod`.
pub fn sitemap_entries(site: &Site, html_paths: &[&str]) -> Vec<(String, Option<String>)> {
    let episode = episodes_by_page(site);
    html_paths
        .iter()
        .filter(|p| **p != paths::NOT_FOUND)
        .map(|p| {
            let page = paths::page_of_file(p);
            (
                site.base.absolute(page),
                episode.get(page).map(|e| e.digest.date.ymd()),
            )
        })
        .collect()
}

/// The sitemap files for `items`, `line` writing an item's `<url>` line, `room` saying
/// about how long it is, `limit` items to a file.
fn split_sitemaps<T>(
    items: &[T],
    line: &dyn Fn(&T, &mut String),
    room: &dyn Fn(&T) -> usize,
    absolute: &dyn Fn(&str) -> String,
    limit: usize,
) -> Vec<(String, String)> {
    const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    const NS: &str = "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"";
    let urlset = |chunk: &[T]| {
        let lines: usize = chunk.iter().map(room).sum();
        let mut out = String::with_capacity(HEAD.len() + NS.len() + lines + 32);
        out.push_str(HEAD);
        out.push_str("<urlset ");
        out.push_str(NS);
        out.push_str(">\n");
        for item in chunk {
            line(item, &mut out);
        }
        out.push_str("</urlset>\n");
        out
    };
    if items.len() <= limit.max(1) {
        return vec![(paths::SITEMAP.to_string(), urlset(items))];
    }
    let mut files = Vec::new();
    let mut index = format!("{HEAD}<sitemapindex {NS}>\n");
    for (n, chunk) in items.chunks(limit.max(1)).enumerate() {
        let path = paths::sitemap_part(n + 1);
        index.push_str("  <sitemap><loc>");
        index.push_str(&xml_escape(&absolute(&path)));
        index.push_str("</loc></sitemap>\n");
        files.push((path, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.push((paths::SITEMAP.to_string(), index));
    files
}

/// Episode `i`'s chapters, when it has any: `chapters.json` in the Podcasting 2.0 JSON
/// chapters format (version 1.2.0: `startTime` in seconds, `title`, and `url` linking each
/// chapter to its section of the page) and `chapters.vtt`, a WebVTT chapters track (each
/// chapter ends where the next starts, the last at the episode's end, or an hour after its
/// start when the duration is unknown).
pub fn chapter_files(site: &Site, i: usize) -> Vec<crate::output::OutputFile> {
    use crate::output::OutputFile;
    let e = &site.episodes[i];
    let (Some(json_path), Some(vtt_path)) = (e.chapters_path(), e.chapters_vtt_path()) else {
        return Vec::new();
    };
    let chapters = &e.digest.chapters;
    #[derive(serde::Serialize)]
    struct Chapter<'a> {
        #[serde(rename = "startTime")]
        start_time: u64,
        title: &'a str,
    }
    #[derive(serde::Serialize)]
    struct Chapters<'a> {
        version: &'static str,
        chapters: Vec<Chapter<'a>>,
    }
    let json = Chapters {
        version: "1.2.0",
        chapters: chapters
            .iter()
            .map(|c| Chapter {
                start_time: c.start,
                title: &c.title,
            })
            .collect(),
    };
    let mut json = serde_json::to_vec_pretty(&json).unwrap_or_default();
    json.push(b'\n');
    let stamp = |s: u64| format!("{:02}:{:02}:{:02}.000", s / 3600, (s % 3600) / 60, s % 60);
    let mut vtt = String::from("WEBVTT\n");
    for (n, c) in chapters.iter().enumerate() {
        let end = chapters
            .get(n + 1)
            .map(|next| next.start)
            .or(e.digest.duration)
            .filter(|&end| end > c.start)
            .unwrap_or(c.start + 3600);
        // A cue's text ends at a blank line and may not hold `-->`.
        let title = c.title.replace("-->", "→");
        vtt.push_str(&format!(
            "\n{}\n{} --> {}\n{}\n",
            n + 1,
            stamp(c.start),
            stamp(end),
            title
        ));
    }
    vec![
        OutputFile::bytes(json_path, json),
        OutputFile::bytes(vtt_path, vtt.into_bytes()),
    ]
}

/// `robots.txt` pointing at the sitemap.
pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        site.base.absolute(paths::SITEMAP)
    )
}

fn md_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_md_line(&mut out, s);
    out
}

/// Appends `s` as one line of Markdown link text: line breaks become spaces, brackets are
/// escaped. `llms.txt` runs this twice per episode, and serve redoes it on a title edit.
fn push_md_line(out: &mut String, s: &str) {
    // Most titles and summaries have none of the four characters: memchr, looking at many
    // bytes at a time, says so (a byte by byte search was 2% of a build that reused the
    // last one).
    let b = s.as_bytes();
    if memchr::memchr3(b'\n', b'\r', b'[', b).is_none() && memchr::memchr(b']', b).is_none() {
        out.push_str(s);
        return;
    }
    let mut rest = s;
    // The special characters are ASCII, so every split below is on a character boundary.
    while let Some(k) = rest
        .bytes()
        .position(|b| matches!(b, b'\n' | b'\r' | b'[' | b']'))
    {
        out.push_str(&rest[..k]);
        match rest.as_bytes()[k] {
            b'[' => out.push_str("\\["),
            b']' => out.push_str("\\]"),
            _ => out.push(' '),
        }
        rest = &rest[k + 1..];
    }
    out.push_str(rest);
}

/// `llms.txt`: the site for language-model readers (llmstxt.org format).
pub fn llms(site: &Site) -> String {
    let mut out = format!("# {}\n\n", md_line(&site.config.title));
    if !site.config.description.is_empty() {
        out.push_str(&format!("> {}\n\n", md_line(&site.config.description)));
    }
    out.push_str(&format!(
        "Each episode page has a machine-readable digest at `<episode URL>digest.json`. Concepts: {}. Shows: {}.\n\n## Episodes\n\n",
        site.base.absolute(&TermKind::Concept.list_path()),
        site.base.absolute(&TermKind::Show.list_path())
    ));
    // Show names once, not once per episode.
    let shows: Vec<String> = site
        .shows
        .iter()
        .map(|s| format!(" ({})", md_line(&s.name)))
        .collect();
    // A line per episode, made in parallel chunks: at 10,000 episodes this is megabytes, and
    // serve redoes it after every title or summary edit.
    use rayon::prelude::*;
    let chunks: Vec<String> = site
        .episodes
        .par_chunks(1024)
        .map(|chunk| {
            let mut out = String::with_capacity(chunk.len() * 320);
            for e in chunk {
                out.push_str("- [");
                push_md_line(&mut out, &e.digest.title);
                out.push_str("](");
                out.push_str(&site.base.absolute(&e.path));
                out.push(')');
                if let Some(show) = e.show.and_then(|s| shows.get(s)) {
                    out.push_str(show);
                }
                out.push_str(", ");
                out.push_str(&e.digest.date.ymd());
                out.push_str(": ");
                push_md_line(&mut out, &e.digest.summary);
                out.push('\n');
            }
            out
        })
        .collect();
    out.reserve(chunks.iter().map(String::len).sum());
    for c in &chunks {
        out.push_str(c);
    }
    if !site.pages.is_empty() {
        out.push_str("\n## Pages\n\n");
        for p in &site.pages {
            out.push_str(&format!(
                "- [{}]({})\n",
                md_line(&p.title),
                site.base.absolute(&format!("{}/", p.slug))
            ));
        }
    }
    out
}

/// `episodes/<slug>/digest.json`: the digest as data.
pub fn digest_json(site: &Site, body: &crate::bodies::Text, i: usize) -> Vec<u8> {
    DigestParts::new(site, i).finish(body)
}

/// An episode's `digest.json` without what its rendered body gives (`sections`,
/// `word_count`): enough for a fingerprint that the body's key completes, so a build whose
/// previous `digest.json` is unchanged need not render the body.
pub struct DigestParts {
    /// `{…}` of the keys before `sections`.
    head: Vec<u8>,
    /// `{…}` of the keys after `sections` but `word_count` (the last).
    tail: Vec<u8>,
}

impl DigestParts {
    /// The parts of episode `i`'s file.
    pub fn new(site: &Site, i: usize) -> DigestParts {
        digest_parts(site, i)
    }

    /// The fingerprint of the file made with the body whose key is `body_key`
    /// (`bodies::episode_key`, which says what the body's text is made from).
    pub fn fingerprint(&self, body_key: u64) -> u64 {
        // aHash over the parts (a kilobyte each): SipHash was a percent of a build.
        let mut c = crate::hash::Combine::new("digest.json");
        c.add(&body_key)
            .add(&crate::hash::bytes(&self.head))
            .add(&crate::hash::bytes(&self.tail));
        c.finish()
    }

    /// The file, with its body's text.
    pub fn finish(self, body: &crate::bodies::Text) -> Vec<u8> {
        let DigestParts { mut head, tail } = self;
        // `{head}`, the sections, `{tail}` and the word count joined into one object: both
        // parts always have fields (concepts, slug), so dropping the braces between leaves
        // one object.
        head.pop();
        head.extend_from_slice(b",\"sections\":");
        sections_json(&mut head, &body.sections);
        head.push(b',');
        head.extend_from_slice(
            tail.get(1..tail.len().saturating_sub(1))
                .unwrap_or_default(),
        );
        head.extend_from_slice(format!(",\"word_count\":{}}}\n", body.word_count).as_bytes());
        head
    }
}

fn digest_parts(site: &Site, i: usize) -> DigestParts {
    let e = &site.episodes[i];
    let d = &e.digest;
    let term = |kind: TermKind, idx: usize| {
        let t = &site.terms(kind)[idx];
        TermJson {
            name: &t.name,
            slug: &t.slug,
            url: site.base.absolute(&t.path()),
        }
    };
    let head = DigestHead {
        chapters: d
            .chapters
            .iter()
            .map(|c| ChapterJson {
                start_seconds: c.start,
                title: &c.title,
            })
            .collect(),
        concepts: e
            .concepts
            .iter()
            .map(|c| {
                let t = term(TermKind::Concept, c.concept);
                ConceptJson {
                    definition: c.definition(&e.digest),
                    name: t.name,
                    slug: t.slug,
                    url: t.url,
                }
            })
            .collect(),
        date: d.date.rfc3339(),
        duration: d.duration.map(duration::iso),
        duration_seconds: d.duration,
        episode: d.episode,
        extra: &d.extra,
        image: site.episode_image_url(i),
        // `Media` declares its fields in another order; as a value its keys are sorted.
        media: d
            .media
            .as_ref()
            .map(|m| serde_json::to_value(m).unwrap_or_default()),
        people: e
            .people
            .iter()
            .map(|&p| term(TermKind::Person, p))
            .collect(),
        season: d.season,
    };
    let tail = DigestTail {
        show: e.show.map(|s| term(TermKind::Show, s)),
        slug: &d.slug,
        source: d.source.as_deref(),
        summary: &d.summary,
        title: &d.title,
        transcript: e.transcript_page_path().map(|p| TranscriptJson {
            file: e.transcript_file_path().map(|f| site.base.absolute(&f)),
            mime: e.transcript_mime(),
            url: site.base.absolute(&p),
            word_count: d.transcript_data.as_ref().map(|t| t.word_count()),
        }),
        url: site.base.absolute(&e.path),
        version: 1,
    };
    DigestParts {
        head: serde_json::to_vec(&head).unwrap_or_default(),
        tail: serde_json::to_vec(&tail).unwrap_or_default(),
    }
}

/// Sections as `serde_json` writes them, with the text (nearly all of a digest.json) escaped
/// by [`json_str`]: serde_json's byte-at-a-time escaping was 3% of a build.
fn sections_json(out: &mut Vec<u8>, sections: &[crate::markdown::Section]) {
    out.push(b'[');
    for (n, s) in sections.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"heading\":");
        match &s.heading {
            Some(h) => json_str(out, h),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"id\":");
        match &s.id {
            Some(id) => json_str(out, id),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(format!(",\"level\":{},\"text\":", s.level).as_bytes());
        json_str(out, &s.text);
        out.push(b'}');
    }
    out.push(b']');
}

/// A JSON string exactly as `serde_json` writes it (`\"`, `\\`, short escapes for
/// backspace, form feed, newline, return and tab, `\u00xx` for other control characters,
/// everything else as it is), copying 32-byte runs that need no escape at once.
fn json_str(out: &mut Vec<u8>, s: &str) {
    let needs = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Whole chunks first, without branches inside, so the check is a few wide compares
        // (folding `needs`, whose `||` branches, took 20% more instructions here).
        if let Some(chunk) = bytes.get(i..i + 32) {
            let odd = chunk.iter().fold(0u8, |acc, &b| {
                acc | u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\')
            });
            if odd == 0 {
                i += 32;
                continue;
            }
        }
        let b = bytes[i];
        if needs(b) {
            out.extend_from_slice(&bytes[copied..i]);
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[usize::from(b >> 4)]);
                    out.push(HEX[usize::from(b & 0xf)]);
                }
            }
            copied = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

// `digest.json` written straight from borrowed fields rather than through a `json!` value
// (which cloned every section's text). Fields are declared in alphabetical order: the order
// a `serde_json` map gives its keys, which the files have always had. `sections` comes
// between the two halves, written by `sections_json`.

#[derive(serde::Serialize)]
struct DigestHead<'a> {
    chapters: Vec<ChapterJson<'a>>,
    concepts: Vec<ConceptJson<'a>>,
    date: String,
    duration: Option<String>,
    duration_seconds: Option<u64>,
    episode: Option<u32>,
    extra: &'a serde_json::Value,
    /// Cover art as pages show it: the digest's, its show's or the site's.
    image: Option<String>,
    media: Option<serde_json::Value>,
    people: Vec<TermJson<'a>>,
    season: Option<u32>,
}

#[derive(serde::Serialize)]
struct ChapterJson<'a> {
    start_seconds: u64,
    title: &'a str,
}

#[derive(serde::Serialize)]
struct DigestTail<'a> {
    show: Option<TermJson<'a>>,
    slug: &'a str,
    source: Option<&'a str>,
    summary: &'a str,
    title: &'a str,
    transcript: Option<TranscriptJson<'a>>,
    url: String,
    version: u32,
    // `word_count` follows, from the body (`DigestParts::finish`).
}

#[derive(serde::Serialize)]
struct TermJson<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
}

#[derive(serde::Serialize)]
struct ConceptJson<'a> {
    definition: Option<&'a str>,
    name: &'a str,
    slug: &'a str,
    url: String,
}

#[derive(serde::Serialize)]
struct TranscriptJson<'a> {
    file: Option<String>,
    #[serde(rename = "type")]
    mime: &'a str,
    url: String,
    word_count: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_sitemap_is_split_under_an_index() {
        let entries: Vec<String> = (0..5)
            .map(|n| format!("  <url><loc>https://h/{n}/</loc></url>\n"))
            .collect();
        let abs = |p: &str| format!("https://h/{p}");
        let line = |e: &String, out: &mut String| out.push_str(e);
        let split_sitemaps = |entries: &[String], abs: &dyn Fn(&str) -> String, limit| {
            split_sitemaps(entries, &line, &|e: &String| e.len(), abs, limit)
        };
        let one = split_sitemaps(&entries, &abs, 5);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0, "sitemap.xml");
        assert_eq!(one[0].1.matches("<url>").count(), 5);
        let split = split_sitemaps(&entries, &abs, 2);
        let names: Vec<&str> = split.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            [
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml",
                "sitemap.xml"
            ]
        );
        assert_eq!(split[2].1.matches("<url>").count(), 1);
        let index = &split[3].1;
        assert!(index.contains("<sitemapindex "), "{index}");
        assert_eq!(
            index.matches("<sitemap><loc>https://h/sitemap-").count(),
            3,
            "{index}"
        );
        assert!(!index.contains("<url>"));
    }

    #[test]
    fn sections_are_written_as_serde_json_writes_them() {
        let all_ascii: String = (0u8..128).map(char::from).collect();
        let texts = [
            String::new(),
            "plain words".to_string(),
            all_ascii.clone(),
            all_ascii.repeat(3),
            format!("{}\"{}", "x".repeat(31), "y".repeat(40)),
            "é \u{2028} 漢字 \\ \" \u{7f} \u{1}".repeat(5),
        ];
        let sections: Vec<crate::markdown::Section> = texts
            .iter()
            .enumerate()
            .map(|(n, t)| crate::markdown::Section {
                heading: (n % 2 == 1).then(|| format!("H \"{n}\"")),
                id: (n % 3 == 1).then(|| format!("h-{n}")),
                level: (n % 7) as u8,
                text: t.clone(),
            })
            .collect();
        for k in 0..=sections.len() {
            let mut got = Vec::new();
            sections_json(&mut got, &sections[..k]);
            let want = serde_json::to_vec(&sections[..k]).unwrap_or_default();
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want)
            );
        }
    }

    #[test]
    fn md_line_keeps_one_line_and_escapes_brackets() {
        assert_eq!(md_line("plain"), "plain");
        assert_eq!(md_line("a\nb [c] é\r\n]"), "a b \\[c\\] é  \\]");
        assert_eq!(md_line(""), "");
        assert_eq!(md_line("only ]"), "only \\]");
        assert_eq!(md_line("only \r"), "only  ");
    }
}
