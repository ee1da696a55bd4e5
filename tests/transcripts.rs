//! Transcripts: each format becomes a page with timestamp links, the episode page offers it on
//! demand and never contains it, and its size does not depend on the transcript's length.

mod common;

use common::{Site, stderr};

const CONFIG: &str = "base_url: https://example.com/\n";

fn episode(transcript: &str, source: &str) -> String {
    format!(
        "---\ntitle: With transcript\ndate: 2025-01-01\nsource: {source}\ntranscript: {transcript}\n---\nThe digest body.\n"
    )
}

#[test]
fn vtt_srt_and_txt_become_pages_with_timestamp_links() {
    let site = Site::empty(CONFIG);
    site.write(
        "content/episodes/a.md",
        episode("a.vtt", "https://www.youtube.com/watch?v=xyz"),
    );
    site.write(
        "content/episodes/a.vtt",
        "WEBVTT\n\n00:01:05.000 --> 00:01:08.000\n<v Ada>Unique vtt words &amp; more\n",
    );
    site.write(
        "content/episodes/b.md",
        episode("files/b.srt", "https://cdn.example.com/b.mp3").replace("With transcript", "B"),
    );
    site.write(
        "content/episodes/files/b.srt",
        "1\r\n00:00:02,000 --> 00:00:03,000\r\nUnique srt words\r\n",
    );
    site.write(
        "content/episodes/c.md",
        episode("c.txt", "https://podcasts.example.com/c").replace("With transcript", "C"),
    );
    site.write(
        "content/episodes/c.txt",
        "[00:00:09] Unique txt words.\n\nSecond paragraph.\n",
    );
    site.build_ok(&[]);
    let a = site.read("episodes/a/transcript/index.html");
    assert!(
        a.contains("href=\"https://www.youtube.com/watch?v=xyz&amp;t=65s\""),
        "{a}"
    );
    assert!(
        a.contains("<b class=\"speaker\">Ada:</b> Unique vtt words &amp; more"),
        "{a}"
    );
    let b = site.read("episodes/b/transcript/index.html");
    assert!(
        b.contains("href=\"https://cdn.example.com/b.mp3#t=2\""),
        "{b}"
    );
    assert!(b.contains("Unique srt words"));
    let c = site.read("episodes/c/transcript/index.html");
    // A web page has no moments to link to (a `#t=` on it did nothing): the time stays
    // text.
    assert!(!c.contains("#t=9"), "{c}");
    assert!(
        c.contains("<span class=\"ts\" data-t=\"9\">0:09</span>"),
        "{c}"
    );
    assert!(c.contains("Second paragraph."));
    // The raw files are published too.
    assert!(
        site.exists("episodes/a/transcript.vtt")
            && site.exists("episodes/b/transcript.srt")
            && site.exists("episodes/c/transcript.txt")
    );
    for (slug, words) in [
        ("a", "Unique vtt words"),
        ("b", "Unique srt words"),
        ("c", "Unique txt words"),
    ] {
        let page = site.read(&format!("episodes/{slug}/index.html"));
        assert!(
            !page.contains(words),
            "{slug}: transcript text inlined in the episode page"
        );
        assert!(
            page.contains(&format!(
                "<a href=\"/episodes/{slug}/transcript/\">Read the transcript</a>"
            )),
            "{slug}: plain link"
        );
        assert!(
            page.contains("class=\"transcript-toggle\""),
            "{slug}: button"
        );
        assert!(
            page.contains(&format!(
                "<link rel=\"alternate\" type=\"text/html\" href=\"/episodes/{slug}/transcript/\""
            )),
            "{slug}: alternate link"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&site.read("episodes/a/digest.json")).unwrap_or_default();
    assert_eq!(
        json["transcript"]["url"],
        "https://example.com/episodes/a/transcript/"
    );
    assert_eq!(json["transcript"]["word_count"], 5);
    let out = site.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn word_count_and_reading_time_are_on_the_episode_page() {
    let site = Site::empty(CONFIG);
    site.write(
        "content/episodes/a.md",
        episode("a.txt", "https://e.example/a"),
    );
    site.write(
        "content/episodes/a.txt",
        "one two three four five six seven\n",
    );
    site.build_ok(&[]);
    let page = site.read("episodes/a/index.html");
    assert!(
        page.contains(
            "<dt>Transcript</dt><dd><a href=\"/episodes/a/transcript/\">7 words</a></dd>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<dt>Reading time</dt><dd>1 min (3 words)</dd>"),
        "{page}"
    );
}

#[test]
fn episode_page_size_does_not_depend_on_transcript_length() {
    let small = Site::empty(CONFIG);
    small.write(
        "content/episodes/a.md",
        episode("a.vtt", "https://e.example/a"),
    );
    small.write(
        "content/episodes/a.vtt",
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi there\n",
    );
    small.build_ok(&[]);
    let large = Site::empty(CONFIG);
    large.write(
        "content/episodes/a.md",
        episode("a.vtt", "https://e.example/a"),
    );
    let mut vtt = String::from("WEBVTT\n\n");
    let mut n = 0u64;
    while vtt.len() < 4 * 1024 * 1024 {
        let (s, e) = (n, n + 1);
        vtt.push_str(&format!(
            "{:02}:{:02}:{:02}.000 --> {:02}:{:02}:{:02}.000\n<v Speaker {}>A sentence of transcript text that keeps going for a while.\n\n",
            s / 3600, (s / 60) % 60, s % 60, e / 3600, (e / 60) % 60, e % 60, n % 3
        ));
        n += 1;
    }
    large.write("content/episodes/a.vtt", &vtt);
    large.build_ok(&[]);
    let small_page = small.read("episodes/a/index.html").len();
    let large_page = large.read("episodes/a/index.html").len();
    let transcript_page = large.read("episodes/a/transcript/index.html").len();
    assert!(
        transcript_page > 4 * 1024 * 1024,
        "the transcript page holds it all: {transcript_page}"
    );
    // Only the word count's digits may differ.
    assert!(
        large_page.abs_diff(small_page) < 16,
        "episode page grew with the transcript: {small_page} → {large_page}"
    );
}

#[test]
fn malformed_cue_is_a_located_error_in_the_transcript_file() {
    let site = Site::empty(CONFIG);
    site.write(
        "content/episodes/a.md",
        episode("a.vtt", "https://e.example/a"),
    );
    site.write("content/episodes/a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfine\n\n00:00:03.000 -> 00:00:04.000\nbroken arrow\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "content/episodes/a.vtt:6: error: malformed cue timing `00:00:03.000 -> 00:00:04.000`"
        ),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn transcripts_outside_the_site_are_refused() {
    let site = Site::empty(CONFIG);
    let outside = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(outside.path(), "secret\n").unwrap_or_default();
    site.write(
        "content/episodes/a.md",
        episode(&outside.path().display().to_string(), "https://e.example/a"),
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is outside the site folder"),
        "{}",
        stderr(&out)
    );
}
