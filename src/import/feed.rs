//! `castdown import --feed FILE.xml`: starts digests from a podcast's own RSS feed. Each item
//! that has no digest yet becomes a Markdown digest with what the feed knows (title, date,
//! source, media, duration, people, episode and season, transcript and chapters links, the
//! description as its opening) and an empty Key Concepts section to fill in. Items are
//! matched by guid, recorded in each digest as `extra.feed_guid`, so re-running the import
//! adds only new episodes; no existing file is ever overwritten. Real feeds are messy: every
//! item the import cannot take whole is reported, and none is lost silently.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::escape_md;

/// What importing a feed did.
#[derive(Debug, Default)]
pub struct FeedImport {
    /// Digests written: path and title.
    pub written: Vec<(PathBuf, String)>,
    /// Items that already have a digest (matched by guid).
    pub existing: usize,
    /// Items left out (a guid repeated within the feed), each with why.
    pub skipped: Vec<String>,
    /// What could not be taken from an item whose digest was written anyway (no date, a
    /// duration that does not parse…), each naming the item.
    pub notes: Vec<String>,
}

#[derive(Serialize)]
struct Media<'a> {
    url: &'a str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    mime: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    length: Option<u64>,
}

#[derive(Serialize)]
struct Extra<'a> {
    feed_guid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    transcript_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chapters_url: Option<&'a str>,
}

#[derive(Serialize)]
struct FrontMatter<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    show: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    people: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    episode: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    season: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<Media<'a>>,
    extra: Extra<'a>,
}

/// Imports the RSS feed `bytes` (named `name` in messages) into `out_dir`. `show` overrides
/// the feed's title as the digests' show. An error only when the file is not an RSS feed or
/// the folder cannot be read or written.
pub fn import_feed(
    name: &str,
    bytes: &[u8],
    out_dir: &Path,
    show: Option<&str>,
) -> Result<FeedImport, super::Failure> {
    use super::Failure;
    let channel = rss::Channel::read_from(bytes)
        .map_err(|e| Failure::Input(format!("{name}: not an RSS feed: {e}")))?;
    let show = show
        .map(str::to_string)
        .or_else(|| Some(channel.title().trim().to_string()).filter(|t| !t.is_empty()));
    let known = existing_guids(out_dir)?;
    let mut taken: HashSet<String> = existing_stems(out_dir);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut report = FeedImport::default();
    for (n, item) in channel.items().iter().enumerate() {
        let number = n + 1;
        let title = item
            .title()
            .map(|t| html_to_text(t).join(" "))
            .filter(|t| !t.is_empty());
        let shown = title.clone().unwrap_or_else(|| "untitled".to_string());
        let label = format!("{name}: item {number} (“{shown}”)");
        let Some(guid) = item
            .guid()
            .map(|g| g.value().trim().to_string())
            .filter(|g| !g.is_empty())
            .or_else(|| item.link().map(|l| l.trim().to_string()))
            .or_else(|| item.enclosure().map(|e| e.url().trim().to_string()))
            .filter(|g| !g.is_empty())
        else {
            report.skipped.push(format!(
                "{label}: no guid, link or enclosure to know it by next time; skipped"
            ));
            continue;
        };
        if let Some(first) = seen.get(&guid) {
            report.skipped.push(format!(
                "{label}: its guid `{guid}` is item {first}'s too; skipped (the feed repeats it)"
            ));
            continue;
        }
        seen.insert(guid.clone(), number);
        if known.contains(&guid) {
            report.existing += 1;
            continue;
        }
        let title = title.unwrap_or_else(|| {
            report
                .notes
                .push(format!("{label}: no title; named “Episode {number}”"));
            format!("Episode {number}")
        });
        let date = match item.pub_date().map(str::trim) {
            Some(d) => match parse_date(d) {
                Some(d) => Some(d),
                None => {
                    report.notes.push(format!(
                        "{label}: its date `{d}` is not RFC 2822 or ISO 8601; fill in `date:`"
                    ));
                    None
                }
            },
            None => {
                report
                    .notes
                    .push(format!("{label}: no date; fill in `date:`"));
                None
            }
        };
        let itunes = item.itunes_ext();
        let duration =
            itunes
                .and_then(|i| i.duration())
                .and_then(|d| match crate::load::duration::parse(d) {
                    Ok(secs) => Some(crate::load::duration::display(secs)),
                    Err(_) => {
                        report
                            .notes
                            .push(format!("{label}: duration `{d}` left out (not a duration)"));
                        None
                    }
                });
        let number_of = |v: Option<&str>| v.and_then(|s| s.trim().parse::<u32>().ok());
        let podcast = item.extensions().get("podcast");
        let tag = |name: &str| {
            podcast
                .and_then(|p| p.get(name))
                .map(Vec::as_slice)
                .unwrap_or(&[])
        };
        let people: Vec<&str> = tag("person")
            .iter()
            .filter_map(|e| e.value())
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let attr = |name: &str, key: &str| {
            tag(name)
                .iter()
                .find_map(|e| e.attrs().get(key).map(String::as_str))
        };
        let media = item.enclosure().map(|e| Media {
            url: e.url(),
            mime: Some(e.mime_type()).filter(|t| !t.is_empty()),
            length: e.length().trim().parse::<u64>().ok().filter(|&l| l > 0),
        });
        let description = item
            .content()
            .or(item.description())
            .or(itunes.and_then(|i| i.summary()))
            .unwrap_or("");
        let fm = FrontMatter {
            title: &title,
            show: show.as_deref(),
            date,
            source: item.link().map(str::trim).filter(|l| !l.is_empty()),
            duration,
            people,
            episode: number_of(itunes.and_then(|i| i.episode())),
            season: number_of(itunes.and_then(|i| i.season())),
            media,
            extra: Extra {
                feed_guid: &guid,
                transcript_url: attr("transcript", "url"),
                chapters_url: attr("chapters", "url"),
            },
        };
        let text =
            digest_text(&fm, description).map_err(|e| Failure::Input(format!("{label}: {e}")))?;
        let stem = unique_stem(&title, number, &mut taken);
        let path = out_dir.join(format!("{stem}.md"));
        write_new(&path, &text)?;
        report.written.push((path, title));
    }
    Ok(report)
}

/// The digest's text: front matter, the description as paragraphs, an empty Key Concepts
/// section.
fn digest_text(fm: &FrontMatter, description: &str) -> Result<String, String> {
    let yaml = serde_yaml::to_string(fm).map_err(|e| e.to_string())?;
    let mut out = String::from("---\n");
    out.push_str(&yaml);
    if fm.date.is_none() {
        out.push_str("# date: YYYY-MM-DD   <- required: the feed did not give a usable date\n");
    }
    out.push_str("---\n");
    for p in html_to_text(description) {
        out.push_str(&escape_md(&p));
        out.push_str("\n\n");
    }
    out.push_str(
        "## Key Concepts\n\n<!-- One line per concept the episode explains: `- Concept: what it means here` -->\n",
    );
    Ok(out)
}

/// A date from a feed: RFC 2822 as RSS has it (`Tue, 05 Mar 2024 10:00:00 +0000`), or ISO
/// 8601 as some feeds write it; as RFC 3339, which digests take.
fn parse_date(text: &str) -> Option<String> {
    if let Ok(z) = jiff::fmt::rfc2822::parse(text) {
        return Some(z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string());
    }
    crate::load::date::EpisodeDate::parse(text)
        .ok()
        .map(|d| d.rfc3339())
}

/// HTML (or text) as paragraphs of plain text: block tags and blank lines break
/// paragraphs, other tags go, `script` and `style` go with their content, entities are
/// decoded, whitespace is collapsed.
pub fn html_to_text(html: &str) -> Vec<String> {
    const BLOCKS: &[&str] = &[
        "p",
        "br",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "tr",
        "table",
        "section",
        "article",
        "hr",
    ];
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    let flush = |current: &mut String, paragraphs: &mut Vec<String>| {
        let p = decode_entities(current)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !p.is_empty() {
            paragraphs.push(p);
        }
        current.clear();
    };
    while !rest.is_empty() {
        if let Some(tag_start) = rest.strip_prefix('<') {
            let end = tag_start.find('>').unwrap_or(tag_start.len());
            let tag = &tag_start[..end];
            rest = tag_start.get(end + 1..).unwrap_or("");
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            if let Some(until) = skip_until {
                if tag.starts_with('/') && name == until {
                    skip_until = None;
                }
                continue;
            }
            if !tag.starts_with('/') && (name == "script" || name == "style") {
                skip_until = Some(if name == "script" { "script" } else { "style" });
                continue;
            }
            if BLOCKS.contains(&name.as_str()) {
                flush(&mut current, &mut paragraphs);
            } else {
                current.push(' ');
            }
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        if skip_until.is_none() {
            // A blank line in plain text is a paragraph break too.
            for (k, chunk) in rest[..next].split("\n\n").enumerate() {
                if k > 0 {
                    flush(&mut current, &mut paragraphs);
                }
                current.push_str(chunk);
            }
        }
        rest = &rest[next..];
    }
    flush(&mut current, &mut paragraphs);
    paragraphs
}

/// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`/`&#39;`, `&nbsp;` and numeric references.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name.strip_prefix('#').and_then(|num| {
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A file name stem from the title ([`super::short_slug`]), unique among
/// `taken` (`-2`, `-3`… when it is not); `episode-<n>` when the title has no letters.
fn unique_stem(title: &str, number: usize, taken: &mut HashSet<String>) -> String {
    let mut stem = super::short_slug(title);
    if stem.is_empty() {
        stem = format!("episode-{number}");
    }
    let mut candidate = stem.clone();
    let mut k = 2;
    while taken.contains(&candidate) {
        candidate = format!("{stem}-{k}");
        k += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// Writes a new file; never replaces one (`create_new`).
fn write_new(path: &Path, text: &str) -> Result<(), super::Failure> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| super::Failure::Write(format!("creating {}: {e}", dir.display())))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| super::Failure::Write(format!("writing {}: {e}", path.display())))?;
    f.write_all(text.as_bytes())
        .map_err(|e| super::Failure::Write(format!("writing {}: {e}", path.display())))
}

/// The stems of the Markdown files already in `out_dir` (not recursive: the import writes
/// there), so a new file never takes an existing name.
fn existing_stems(out_dir: &Path) -> HashSet<String> {
    std::fs::read_dir(out_dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().to_string();
                    name.strip_suffix(".md").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `extra.feed_guid` of every digest under `out_dir`: the items imported before.
fn existing_guids(out_dir: &Path) -> Result<HashSet<String>, super::Failure> {
    let mut guids = HashSet::new();
    if !out_dir.exists() {
        return Ok(guids);
    }
    for entry in walkdir::WalkDir::new(out_dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if !text.contains("feed_guid") {
            continue;
        }
        let Some(fm) = text
            .strip_prefix("---\n")
            .and_then(|r| r.split_once("\n---").map(|(fm, _)| fm))
        else {
            continue;
        };
        let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(fm) else {
            continue;
        };
        if let Some(g) = value
            .get("extra")
            .and_then(|e| e.get("feed_guid"))
            .and_then(|g| g.as_str())
        {
            guids.insert(g.to_string());
        }
    }
    Ok(guids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_descriptions_become_paragraphs_of_text() {
        assert_eq!(
            html_to_text(
                "<p>One &amp; <b>two</b></p><p>Three&nbsp;&#8211; four &#x2014; five</p><script>x()</script><ul><li>Six</li></ul>"
            ),
            ["One & two", "Three – four — five", "Six"]
        );
        assert_eq!(
            html_to_text("Plain text.\n\nSecond."),
            ["Plain text.", "Second."]
        );
        assert_eq!(
            html_to_text("A &unknown; & B &#xZZ;"),
            ["A &unknown; & B &#xZZ;"]
        );
        assert!(html_to_text("<br/><p> </p>").is_empty());
    }

    #[test]
    fn feed_dates_are_read_as_rss_and_iso_write_them() {
        assert_eq!(
            parse_date("Tue, 05 Mar 2024 10:00:00 +0000").as_deref(),
            Some("2024-03-05T10:00:00+00:00")
        );
        assert_eq!(
            parse_date("Tue, 5 Mar 2024 10:00:00 GMT").as_deref(),
            Some("2024-03-05T10:00:00+00:00")
        );
        assert!(parse_date("2024-03-05").is_some());
        assert_eq!(parse_date("next Tuesday"), None);
    }

    #[test]
    fn file_names_are_short_and_unique() {
        let mut taken = HashSet::new();
        let long = "A very long episode title that goes on and on about many things at once";
        let a = unique_stem(long, 1, &mut taken);
        assert!(
            a.len() <= super::super::MAX_STEM && !a.ends_with('-'),
            "{a}"
        );
        assert_eq!(unique_stem(long, 2, &mut taken), format!("{a}-2"));
        assert_eq!(unique_stem("!!!", 7, &mut taken), "episode-7");
    }
}
