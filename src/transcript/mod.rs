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
    // aHash: SipHash over every transcript was 7% of parsing them again.
    let hash = crate::hash::bytes(text.as_bytes());
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
