//! Transcripts (SPEC §2 `transcript:`, §6). A digest's transcript (WebVTT, SubRip or plain
//! text) is parsed at load time so a malformed cue is a located error, then published three
//! ways: a page of its own whose timestamps link to the source at that second, the raw file
//! (announced in RSS as `podcast:transcript`), and on demand from the episode page, which never
//! contains transcript text.

pub mod parse;

use std::path::Path;

pub use parse::{Cue, Format, Transcript};

use crate::error::Diagnostic;
use crate::site::Episode;

/// The format of a transcript file, from its extension.
pub fn format_of(path: &Path) -> Option<Format> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "vtt" => Some(Format::WebVtt),
        "srt" => Some(Format::SubRip),
        "txt" => Some(Format::Plain),
        _ => None,
    }
}

impl Format {
    /// The file extension the raw transcript is published with.
    pub fn extension(self) -> &'static str {
        match self {
            Format::WebVtt => "vtt",
            Format::SubRip => "srt",
            Format::Plain => "txt",
        }
    }

    /// The MIME type as Podcasting 2.0 names it.
    pub fn mime(self) -> &'static str {
        match self {
            Format::WebVtt => "text/vtt",
            Format::SubRip => "application/srt",
            Format::Plain => "text/plain",
        }
    }
}

/// Reads and parses a transcript; errors name `shown` (the file) and the line.
pub fn load(path: &Path, shown: &Path) -> Result<Transcript, Vec<Diagnostic>> {
    let Some(format) = format_of(path) else {
        return Err(vec![
            Diagnostic::new(shown, "unsupported transcript format").hint("use .vtt, .srt or .txt"),
        ]);
    };
    let text = crate::load::read_text(path, shown).map_err(|d| vec![d])?;
    let hash = crate::hash::of(&text);
    parse::parse(&text, format)
        .map(|mut t| {
            t.hash = hash;
            t
        })
        .map_err(|errs| {
            errs.into_iter()
                .map(|e| Diagnostic::new(shown, e.message).at(&text, e.line, 0))
                .collect()
        })
}

/// The transcript's file extension, lowercased (`vtt`, `srt` or `txt`).
pub fn extension(e: &Episode) -> Option<&'static str> {
    format_of(e.digest.transcript.as_ref()?).map(Format::extension)
}

/// Output path of the raw transcript file: `episodes/<slug>/transcript.vtt`.
pub fn file_path(e: &Episode) -> Option<String> {
    extension(e).map(|ext| format!("{}transcript.{ext}", e.path))
}

/// Output path of the transcript page: `episodes/<slug>/transcript/`.
pub fn page_path(e: &Episode) -> Option<String> {
    e.digest
        .transcript_data
        .as_ref()
        .map(|_| format!("{}transcript/", e.path))
}

/// MIME type of the raw transcript file as Podcasting 2.0 names them.
pub fn mime(e: &Episode) -> &'static str {
    e.digest
        .transcript
        .as_deref()
        .and_then(format_of)
        .map_or("text/plain", Format::mime)
}

/// `1:02:03` or `2:03`.
pub fn display_time(seconds: f64) -> String {
    crate::load::duration::display(seconds.max(0.0).floor() as u64)
}

/// The source URL at a second: YouTube gets `t=<seconds>`, anything else a `#t=<seconds>`
/// media fragment.
pub fn timestamp_url(source: &str, seconds: f64) -> String {
    let secs = seconds.max(0.0).floor() as u64;
    let (without_fragment, fragment) = match source.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (source, None),
    };
    let host = source
        .split("://")
        .nth(1)
        .and_then(|r| r.split(['/', '?', '#']).next())
        .unwrap_or("")
        .to_ascii_lowercase();
    let youtube = host == "youtu.be" || host == "youtube.com" || host.ends_with(".youtube.com");
    if youtube {
        // Drop an existing `t=` so the new one wins.
        let (path, query) = match without_fragment.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (without_fragment, None),
        };
        let mut params: Vec<&str> = query
            .map(|q| {
                q.split('&')
                    .filter(|p| !p.starts_with("t=") && !p.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let t = format!("t={secs}");
        params.push(&t);
        let mut url = format!("{path}?{}", params.join("&"));
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(f);
        }
        url
    } else {
        format!("{without_fragment}#t={secs}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn youtube_and_media_fragment_links() {
        assert_eq!(
            timestamp_url("https://www.youtube.com/watch?v=abc", 75.9),
            "https://www.youtube.com/watch?v=abc&t=75"
        );
        assert_eq!(
            timestamp_url("https://www.youtube.com/watch?v=abc&t=10", 5.0),
            "https://www.youtube.com/watch?v=abc&t=5"
        );
        assert_eq!(
            timestamp_url("https://youtu.be/abc", 3.0),
            "https://youtu.be/abc?t=3"
        );
        assert_eq!(
            timestamp_url("https://cdn.example.com/ep.mp3", 61.0),
            "https://cdn.example.com/ep.mp3#t=61"
        );
        assert_eq!(
            timestamp_url("https://podcasts.example.com/ep#player", 2.0),
            "https://podcasts.example.com/ep#t=2"
        );
        assert_eq!(
            timestamp_url("https://notyoutube.com/x", 2.0),
            "https://notyoutube.com/x#t=2"
        );
    }

    #[test]
    fn display_times() {
        assert_eq!(display_time(3723.5), "1:02:03");
        assert_eq!(display_time(5.0), "0:05");
    }
}
