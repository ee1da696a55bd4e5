//! Transcripts, named by a digest's `transcript:` key (`docs/configuration.md`). A
//! digest's transcript (WebVTT, SubRip or plain text) is parsed at load time so a malformed
//! cue is a located error, then published three ways: a page of its own whose timestamps
//! link to the source at that second, the raw file (announced in RSS as
//! `podcast:transcript`), and on demand from the episode page, which never contains
//! transcript text.

pub mod parse;

use std::path::Path;

pub use parse::{Format, Transcript};

use crate::error::Diagnostic;

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

/// Parses a transcript's text (the loader reads the file); errors name `shown` (the file)
/// and the line.
pub fn parse_text(text: &str, format: Format, shown: &Path) -> Result<Transcript, Vec<Diagnostic>> {
    let hash = crate::hash::of(text);
    parse::parse(text, format)
        .map(|mut t| {
            t.hash = hash;
            t
        })
        .map_err(|errs| {
            errs.into_iter()
                .map(|e| Diagnostic::new(shown, e.message).at(text, e.line, 0))
                .collect()
        })
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
}
