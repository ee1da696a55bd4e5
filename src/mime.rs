//! Media types by file name, one table for the whole program: serve's `Content-Type` and
//! the type an episode's media enclosure is announced with when its digest gives none.
//! `mime_guess` holds the table; castdown overrides the few podcast media types for which
//! it gives a type podcast directories do not expect.

/// Types castdown announces differently from `mime_guess`: Apple Podcasts and the
/// Podcasting 2.0 namespace name MPEG-4 audio `audio/mp4` (not `audio/m4a`), MPEG-4 video
/// `video/mp4`, and Opus `audio/opus`; subtitles are served as text.
const OVERRIDES: &[(&str, &str)] = &[
    ("m4a", "audio/mp4"),
    ("woff", "font/woff"),
    ("m4v", "video/mp4"),
    ("opus", "audio/opus"),
    ("wav", "audio/wav"),
    ("flac", "audio/flac"),
    ("mp3", "audio/mpeg"),
    ("oga", "audio/ogg"),
    ("ogg", "audio/ogg"),
    ("srt", "text/plain"),
    ("mjs", "text/javascript"),
];

/// The extension of a path or URL, lower-cased, ignoring a query and a fragment.
fn extension(path: &str) -> Option<String> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let name = path.rsplit('/').next().unwrap_or(path);
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// The media type of a file name, path or URL, when its extension is known.
pub fn guess(path: &str) -> Option<&'static str> {
    let ext = extension(path)?;
    if let Some((_, t)) = OVERRIDES.iter().find(|(e, _)| *e == ext) {
        return Some(t);
    }
    mime_guess::from_ext(&ext).first_raw()
}

/// The media type of an episode's media file at `url`, when it is audio or video.
pub fn media(url: &str) -> Option<&'static str> {
    guess(url).filter(|t| t.starts_with("audio/") || t.starts_with("video/"))
}

/// The `Content-Type` to serve a file with: text types in UTF-8, unknown types as bytes.
pub fn content_type(path: &str) -> String {
    // Feeds by their names: readers and browsers pick a feed handler by its type.
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "atom.xml" => return "application/atom+xml; charset=utf-8".to_string(),
        "rss.xml" => return "application/rss+xml; charset=utf-8".to_string(),
        "feed.json" => return "application/feed+json; charset=utf-8".to_string(),
        _ => {}
    }
    match guess(path) {
        Some(t) if t.starts_with("text/") || t == "image/svg+xml" => {
            format!("{t}; charset=utf-8")
        }
        Some(t) => t.to_string(),
        None => "application/octet-stream".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn podcast_media_types_are_the_ones_directories_expect() {
        assert_eq!(
            media("https://cdn.example/ep.MP3?x=1#t"),
            Some("audio/mpeg")
        );
        assert_eq!(media("ep.m4a"), Some("audio/mp4"));
        assert_eq!(media("ep.mp4"), Some("video/mp4"));
        assert_eq!(media("ep.ogg"), Some("audio/ogg"));
        assert_eq!(media("ep.opus"), Some("audio/opus"));
        assert_eq!(media("ep.webm"), Some("video/webm"));
        assert_eq!(media("notes.pdf"), None);
        assert_eq!(media("https://example.com/a.b/episode"), None);
    }

    #[test]
    fn served_types_cover_fonts_media_and_text() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a/site.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("s.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("t.vtt"), "text/vtt; charset=utf-8");
        assert_eq!(
            content_type("concepts/x/atom.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("rss.xml"),
            "application/rss+xml; charset=utf-8"
        );
        assert_eq!(content_type("sitemap.xml"), "text/xml; charset=utf-8");
        // Served to a player in preview: a type it can play.
        assert_eq!(content_type("audio/ep.wav"), "audio/wav");
        assert_eq!(content_type("ep.MP3"), "audio/mpeg");
        assert_eq!(content_type("ep.flac"), "audio/flac");
        assert_eq!(content_type("t.srt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("f.woff"), "font/woff");
        assert_eq!(content_type("f.woff2"), "font/woff2");
        assert_eq!(content_type("e.m4a"), "audio/mp4");
        assert_eq!(content_type("e.mp4"), "video/mp4");
        assert_eq!(content_type("d.json"), "application/json");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
