//! Transcripts (SPEC §2 `transcript:`, §6): the raw file is published beside the episode for
//! feed readers (`podcast:transcript`), and the transcript is offered on demand — never inlined
//! in the episode page.

use crate::site::Episode;

/// The transcript's file extension, lowercased (`vtt`, `srt` or `txt`).
pub fn extension(e: &Episode) -> Option<String> {
    let path = e.digest.transcript.as_ref()?;
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    matches!(ext.as_str(), "vtt" | "srt" | "txt").then_some(ext)
}

/// Output path of the raw transcript file: `episodes/<slug>/transcript.vtt`.
pub fn file_path(e: &Episode) -> Option<String> {
    extension(e).map(|ext| format!("{}transcript.{ext}", e.path))
}

/// MIME type of the raw transcript file as Podcasting 2.0 names them.
pub fn mime(e: &Episode) -> &'static str {
    match extension(e).as_deref() {
        Some("vtt") => "text/vtt",
        Some("srt") => "application/srt",
        _ => "text/plain",
    }
}
