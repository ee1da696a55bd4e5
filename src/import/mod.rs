//! `castdown import`: turns plain-text digests, as summary services publish them,
//! into Markdown digests. The shape: a title line; a `By <show>` line; a `Key Concepts` line
//! followed by `- Term: definition` lines; then sections, each a short heading line without
//! final punctuation followed by paragraphs and `- ` bullets; then page furniture ("Chat with
//! this Video", "AI-Powered…", "Load the transcript…") that is dropped.

pub mod feed;

use serde::Serialize;

use crate::names::slugify;

/// A plain-text digest, understood.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    /// First non-empty line.
    pub title: String,
    /// From a `By <show>` line.
    pub show: Option<String>,
    /// `(term, definition)`; the definition may be empty.
    pub concepts: Vec<(String, String)>,
    /// Paragraphs and lists before the first heading.
    pub intro: Vec<Block>,
    /// Sections in order.
    pub sections: Vec<Section>,
    /// Lines dropped as page furniture.
    pub dropped: Vec<String>,
}

/// A section: a heading and its blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Heading text.
    pub heading: String,
    /// Paragraphs and lists.
    pub blocks: Vec<Block>,
}

/// A paragraph or a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// One paragraph of text.
    Paragraph(String),
    /// Bullet items; each may have a bold label (`Label: text`).
    List(Vec<(Option<String>, String)>),
}

/// Why a file cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// Nothing but whitespace.
    Empty,
    /// Not UTF-8; the byte offset of the first bad byte.
    NotUtf8(usize),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Empty => write!(f, "the file is empty"),
            InputError::NotUtf8(at) => write!(
                f,
                "the file is not valid UTF-8 (first bad byte at offset {at}); save it as UTF-8"
            ),
        }
    }
}

const FURNITURE: &[&str] = &[
    "chat with this video",
    "chat with this episode",
    "ai-powered",
    "load the transcript",
    "initial page stays lighter",
    "summarized by",
    "share this summary",
];

fn is_furniture(line: &str) -> bool {
    let l = line.to_lowercase();
    FURNITURE.iter().any(|f| l.contains(f))
}

fn is_key_concepts(line: &str) -> bool {
    line.trim()
        .trim_end_matches(':')
        .trim()
        .eq_ignore_ascii_case("key concepts")
}

/// A heading: short, not a bullet, no final punctuation.
fn looks_like_heading(line: &str) -> bool {
    let t = line.trim();
    let words = t.split_whitespace().count();
    !t.is_empty()
        && !t.starts_with("- ")
        && t.chars().count() <= 90
        && words <= 14
        && !t
            .trim_end_matches(['"', '”', '’', '\'', ')'])
            .ends_with(['.', '!', '?', ':', ';', ',', '…'])
}

/// Splits `Label: text` when the label is short enough to be one.
fn split_label(item: &str) -> (Option<String>, String) {
    if let Some((label, text)) = item.split_once(": ") {
        let l = label.trim();
        if !l.is_empty()
            && l.chars().count() <= 60
            && l.split_whitespace().count() <= 8
            && !text.trim().is_empty()
        {
            return (Some(l.to_string()), text.trim().to_string());
        }
    }
    (None, item.trim().to_string())
}

/// Decodes bytes, rejecting empty or non-UTF-8 input.
pub fn decode(bytes: &[u8]) -> Result<String, InputError> {
    let text = std::str::from_utf8(bytes).map_err(|e| InputError::NotUtf8(e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Parses a plain-text digest.
pub fn parse(text: &str) -> Imported {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let mut out = Imported::default();
    // Trailing furniture first, so a short furniture line is never mistaken for a heading.
    while let Some(last) = lines.last() {
        if last.trim().is_empty() {
            lines.pop();
        } else if is_furniture(last) {
            out.dropped.insert(0, last.trim().to_string());
            lines.pop();
        } else {
            break;
        }
    }
    let mut i = 0;
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    if i < lines.len() {
        out.title = lines[i].trim().to_string();
        i += 1;
    }
    let body: Vec<&str> = lines[i..]
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut j = 0;
    // Header lines before the first section: the show and the Key Concepts list.
    while j < body.len() {
        let l = body[j].trim();
        // `get` rather than slicing: the third byte may fall inside a multi-byte character.
        let show = l
            .get(..3)
            .filter(|p| p.eq_ignore_ascii_case("by "))
            .and_then(|_| l.get(3..))
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if out.show.is_none()
            && let Some(show) = show
        {
            out.show = Some(show.to_string());
            j += 1;
        } else if is_key_concepts(l) {
            j += 1;
            while j < body.len() && body[j].trim_start().starts_with("- ") {
                let item = body[j].trim_start()[2..].trim();
                let (term, def) = match item.split_once(": ") {
                    Some((t, d)) => (t.trim(), d.trim()),
                    None => (item.trim_end_matches(':'), ""),
                };
                if !term.is_empty() {
                    out.concepts.push((term.to_string(), def.to_string()));
                }
                j += 1;
            }
        } else {
            break;
        }
    }
    let mut current: Option<Section> = None;
    while j < body.len() {
        let l = body[j].trim();
        let next_is_content = j + 1 < body.len();
        if looks_like_heading(l) && next_is_content {
            if let Some(s) = current.take() {
                out.sections.push(s);
            }
            current = Some(Section {
                heading: l.to_string(),
                blocks: Vec::new(),
            });
            j += 1;
            continue;
        }
        let blocks = match current.as_mut() {
            Some(s) => &mut s.blocks,
            None => &mut out.intro,
        };
        if let Some(item) = l.strip_prefix("- ") {
            let entry = split_label(item);
            match blocks.last_mut() {
                Some(Block::List(items)) => items.push(entry),
                _ => blocks.push(Block::List(vec![entry])),
            }
        } else {
            blocks.push(Block::Paragraph(l.to_string()));
        }
        j += 1;
    }
    if let Some(s) = current.take() {
        out.sections.push(s);
    }
    out
}

/// Escapes text so Markdown shows it literally.
pub fn escape_md(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    // Line-start markers: headings, lists, block quotes, numbered lists.
    let needs_lead_escape = out.starts_with('#')
        || out.starts_with("+ ")
        || out.starts_with("- ")
        || out.starts_with('=')
        || {
            let digits: String = out.chars().take_while(char::is_ascii_digit).collect();
            !digits.is_empty() && out[digits.len()..].starts_with(['.', ')'])
        };
    if needs_lead_escape {
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            out.insert(digits, '\\');
        } else {
            out.insert(0, '\\');
        }
    }
    out
}

#[derive(Serialize)]
struct FrontMatter<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    show: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    people: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    concepts: Vec<ConceptOut<'a>>,
}

/// What the command line gives that a plain-text digest does not say (each checked by the
/// command): the show (over a `By` line), the date, the source URL, the duration as the
/// digest writes it (`1:02:03`), the people.
#[derive(Debug, Clone, Default)]
pub struct Given<'a> {
    /// `--show`.
    pub show: Option<&'a str>,
    /// `--date`.
    pub date: Option<&'a str>,
    /// `--source`.
    pub source: Option<&'a str>,
    /// `--duration`.
    pub duration: Option<String>,
    /// `--people`.
    pub people: Vec<String>,
}

#[derive(Serialize)]
struct ConceptOut<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    definition: &'a str,
}

fn write_blocks(out: &mut String, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Paragraph(p) => {
                out.push_str(&escape_md(p));
                out.push_str("\n\n");
            }
            Block::List(items) => {
                for (label, text) in items {
                    out.push_str("- ");
                    if let Some(l) = label {
                        out.push_str(&format!("**{}**: ", escape_md(l)));
                    }
                    out.push_str(&escape_md(text));
                    out.push('\n');
                }
                out.push('\n');
            }
        }
    }
}

/// The Markdown digest: YAML front matter (written by serde_yaml, so any title is quoted
/// correctly) and a body of `##` sections. Without a date, a comment marks where it goes.
pub fn to_markdown(
    imp: &Imported,
    show: Option<&str>,
    date: Option<&str>,
) -> Result<String, String> {
    to_markdown_with(
        imp,
        &Given {
            show,
            date,
            ..Given::default()
        },
    )
}

/// [`to_markdown`] with everything the command line may give.
pub fn to_markdown_with(imp: &Imported, given: &Given) -> Result<String, String> {
    let date = given.date;
    let fm = FrontMatter {
        title: &imp.title,
        show: given.show.or(imp.show.as_deref()),
        date,
        source: given.source,
        duration: given.duration.as_deref(),
        people: &given.people,
        concepts: imp
            .concepts
            .iter()
            .map(|(n, d)| ConceptOut {
                name: n,
                definition: d,
            })
            .collect(),
    };
    let yaml = serde_yaml::to_string(&fm).map_err(|e| e.to_string())?;
    let mut out = String::from("---\n");
    out.push_str(&yaml);
    if date.is_none() {
        out.push_str(
            "# date: YYYY-MM-DD   <- required: the import could not tell the episode's date\n",
        );
    }
    out.push_str("---\n");
    write_blocks(&mut out, &imp.intro);
    for s in &imp.sections {
        out.push_str(&format!("## {}\n\n", escape_md(&s.heading)));
        write_blocks(&mut out, &s.blocks);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    Ok(out)
}

/// The longest file name stem the import writes; longer titles are cut at a word.
pub const MAX_STEM: usize = 60;

/// A title's slug, at most [`MAX_STEM`] bytes, cut after a whole word when it is longer
/// (a 64-character seed title made a 64-character file name).
pub fn short_slug(title: &str) -> String {
    let mut stem = slugify(title);
    if stem.len() > MAX_STEM {
        let mut cut = MAX_STEM;
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        stem.truncate(cut);
        if let Some(dash) = stem.rfind('-').filter(|&d| d > MAX_STEM / 2) {
            stem.truncate(dash);
        }
        while stem.ends_with('-') {
            stem.pop();
        }
    }
    stem
}

/// Whether `slug` can name a digest's file and URL: one safe segment, no name a host
/// refuses.
pub fn check_slug(slug: &str) -> Result<(), String> {
    if !crate::names::is_safe_segment(slug) {
        return Err(format!(
            "`{slug}` is not a safe file name (letters, digits, `-` and `_`)"
        ));
    }
    match crate::names::host_trouble(slug) {
        Some(why) => Err(why),
        None => Ok(()),
    }
}

/// The file name for an imported digest: `--slug`, else the title's short slug.
pub fn file_name(imp: &Imported) -> Option<String> {
    let slug = short_slug(&imp.title);
    (!slug.is_empty()).then(|| format!("{slug}.md"))
}

/// One line saying what was inferred and what was not.
pub fn summary(imp: &Imported, show: Option<&str>, date: Option<&str>) -> String {
    let mut parts = vec![format!("title “{}”", imp.title)];
    match show.or(imp.show.as_deref()) {
        Some(s) => parts.push(format!("show “{s}”")),
        None => parts.push("no show (no `By` line; use --show)".into()),
    }
    let defined = imp.concepts.iter().filter(|(_, d)| !d.is_empty()).count();
    parts.push(format!(
        "{} concepts ({defined} with definitions)",
        imp.concepts.len()
    ));
    parts.push(format!("{} sections", imp.sections.len()));
    match date {
        Some(d) => parts.push(format!("date {d}")),
        None => parts.push("no date: fill in `date:` (or pass --date)".into()),
    }
    if !imp.dropped.is_empty() {
        parts.push(format!(
            "dropped {} furniture line(s): {}",
            imp.dropped.len(),
            imp.dropped
                .iter()
                .map(|d| format!("“{d}”"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parts.join("; ")
}

/// What importing one file did.
#[derive(Debug)]
pub struct Outcome {
    /// The file written.
    pub path: std::path::PathBuf,
    /// The one-line summary.
    pub summary: String,
}

/// Why one file was not imported.
#[derive(Debug)]
pub enum Failure {
    /// The input is not a digest we can read (exit 1).
    Input(String),
    /// Refused or failed to write (exit 2).
    Write(String),
}

/// Imports one input (`name` is shown in messages) into `out_dir`.
pub fn import_one(
    name: &str,
    bytes: &[u8],
    out_dir: &std::path::Path,
    given: &Given,
    slug: Option<&str>,
    force: bool,
) -> Result<Outcome, Failure> {
    let (show, date) = (given.show, given.date);
    let text = decode(bytes).map_err(|e| Failure::Input(format!("{name}: {e}")))?;
    let imp = parse(&text);
    let file = match slug {
        Some(s) => Some(format!("{s}.md")),
        None => file_name(&imp),
    }
    .ok_or_else(|| {
        Failure::Input(format!(
            "{name}: the title `{}` gives an empty file name; pass --slug",
            imp.title
        ))
    })?;
    let md = to_markdown_with(&imp, given).map_err(|e| Failure::Input(format!("{name}: {e}")))?;
    let path = out_dir.join(file);
    if path.exists() && !force {
        return Err(Failure::Write(format!(
            "{name}: {} already exists; use --force to overwrite it",
            path.display()
        )));
    }
    std::fs::create_dir_all(out_dir)
        .map_err(|e| Failure::Write(format!("creating {}: {e}", out_dir.display())))?;
    std::fs::write(&path, md)
        .map_err(|e| Failure::Write(format!("writing {}: {e}", path.display())))?;
    Ok(Outcome {
        summary: summary(&imp, show, date),
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Deals that fall apart: A & B\nBy The Example Show\nKey Concepts\n- Open Deal: A deal: with colons: inside.\n- Bare Term\nWhy \"It\" Matters\nA paragraph that explains things.\n- Risk: something can go wrong.\n- A plain bullet without a label that runs on for quite a few words: yes\n3 Lessons We Learned\nAnother paragraph.\nChat with this Video\nAI-PoweredLoad the transcript when ready.\n";

    #[test]
    fn reads_the_shape() {
        let imp = parse(SAMPLE);
        assert_eq!(imp.title, "Deals that fall apart: A & B");
        assert_eq!(imp.show.as_deref(), Some("The Example Show"));
        assert_eq!(
            imp.concepts,
            [
                ("Open Deal".into(), "A deal: with colons: inside.".into()),
                ("Bare Term".into(), String::new())
            ]
        );
        let heads: Vec<&str> = imp.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(heads, ["Why \"It\" Matters", "3 Lessons We Learned"]);
        assert_eq!(
            imp.dropped,
            [
                "Chat with this Video",
                "AI-PoweredLoad the transcript when ready."
            ]
        );
        match &imp.sections[0].blocks[1] {
            Block::List(items) => {
                assert_eq!(
                    items[0],
                    (Some("Risk".into()), "something can go wrong.".into())
                );
                assert_eq!(items[1].0, None, "a long prefix is not a label");
            }
            other => panic!("expected a list, got {other:?}"),
        }
    }

    #[test]
    fn markdown_output_is_a_valid_digest() {
        let imp = parse(SAMPLE);
        let md = to_markdown(&imp, None, Some("2025-10-30")).unwrap_or_default();
        let split = crate::load::frontmatter::split(&md).unwrap_or_else(|e| panic!("{e:?}"));
        let v: serde_yaml::Value = serde_yaml::from_str(split.yaml).unwrap_or_default();
        assert_eq!(v["title"].as_str(), Some("Deals that fall apart: A & B"));
        assert_eq!(
            v["concepts"][0]["definition"].as_str(),
            Some("A deal: with colons: inside.")
        );
        assert!(md.contains("## 3 Lessons We Learned\n"));
        assert!(md.contains("- **Risk**: something can go wrong.\n"));
        assert!(!md.contains("Chat with this Video"));
    }

    #[test]
    fn no_date_leaves_a_marker() {
        let md = to_markdown(&parse(SAMPLE), Some("Override"), None).unwrap_or_default();
        assert!(md.contains("show: Override"));
        assert!(md.contains("# date: YYYY-MM-DD"));
    }

    #[test]
    fn quotes_do_not_hide_final_punctuation() {
        assert!(looks_like_heading("The Risks of \"Corporate Polyamory\""));
        assert!(!looks_like_heading("He said \"no.\""));
        assert!(!looks_like_heading("A sentence (with an aside.)"));
    }

    #[test]
    fn escapes_markdown_syntax_in_text() {
        assert_eq!(escape_md("# not a heading"), "\\# not a heading");
        assert_eq!(escape_md("1. not a list"), "1\\. not a list");
        assert_eq!(escape_md("a *b* <c> [d]"), "a \\*b\\* \\<c\\> \\[d\\]");
        assert_eq!(escape_md("2024 in review"), "2024 in review");
    }

    #[test]
    fn input_errors() {
        assert_eq!(decode(b"  \n"), Err(InputError::Empty));
        assert_eq!(decode(b"ok\xff"), Err(InputError::NotUtf8(2)));
        assert_eq!(decode(b"a\r\nb").as_deref(), Ok("a\nb"));
    }
}
