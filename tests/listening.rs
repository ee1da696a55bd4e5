//! Listening, built with the real binary on `fixtures/listening` (a digest with a media
//! file hosted on the site, chapters, body timestamps and a transcript; one whose source is
//! a YouTube video; one whose source is a plain web page): the player, the embed that loads
//! nothing, timestamps as real URLs, chapters as Podcasting 2.0 JSON and WebVTT, and
//! located errors for chapters out of order or past the end.

mod common;

use common::{Site, stderr};
use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

fn attrs(html: &str, selector: &str, attr: &str) -> Vec<String> {
    Html::parse_document(html)
        .select(&sel(selector))
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

fn texts(html: &str, selector: &str) -> Vec<String> {
    Html::parse_document(html)
        .select(&sel(selector))
        .map(|e| e.text().collect::<String>())
        .collect()
}

#[test]
fn an_episode_with_media_gets_a_player_chapters_and_seeking_timestamps() {
    let site = Site::fixture("listening");
    site.build_ok(&[]);
    let html = site.read("episodes/with-audio/index.html");
    // A native player near the top: nothing loads before play, nothing plays by itself.
    assert_eq!(
        attrs(&html, "audio.player-media", "src"),
        ["/sub/audio/tone.wav"]
    );
    assert_eq!(attrs(&html, "audio.player-media", "preload"), ["none"]);
    assert!(attrs(&html, "audio", "autoplay").is_empty());
    assert_eq!(attrs(&html, "audio[controls]", "class").len(), 1);
    assert_eq!(
        attrs(&html, "audio track[kind=chapters]", "src"),
        ["/sub/episodes/with-audio/chapters.vtt"]
    );
    // The player comes before the body.
    let player_at = html.find("class=\"player\"").unwrap_or(usize::MAX);
    let body_at = html.find("class=\"body prose\"").unwrap_or(0);
    assert!(player_at < body_at);
    // The chapter list: time links that seek, titles that go to the sections.
    assert_eq!(
        texts(&html, ".chapters li"),
        ["0:00 Start", "0:01 Middle", "0:02 End"]
    );
    assert_eq!(
        attrs(&html, ".chapters li a:not(.ts)", "href"),
        ["#start", "#middle", "#end"]
    );
    // Body timestamps: a media fragment on the media file; `[not a time]` and code stay.
    let body = Html::parse_document(&html);
    let links: Vec<(String, String, String)> = body
        .select(&sel(".body a.ts"))
        .map(|a| {
            (
                a.text().collect(),
                a.value().attr("href").unwrap_or("").to_string(),
                a.value().attr("data-t").unwrap_or("").to_string(),
            )
        })
        .collect();
    let expect = |label: &str, t: u32| {
        (
            label.to_string(),
            format!("/sub/audio/tone.wav#t={t}"),
            t.to_string(),
        )
    };
    assert_eq!(
        links,
        [
            expect("0:02", 2),
            expect("0:00", 0),
            expect("0:01", 1),
            expect("0:03", 3),
            expect("0:02", 2),
            expect("0:04", 4),
        ]
    );
    assert!(html.contains("[not a time]"));
    assert!(html.contains("<code>[0:01]</code>"));
    // A heading's time is no part of its id or its entry in the contents.
    assert_eq!(texts(&html, ".toc li"), ["Start", "Middle", "End"]);
    // The transcript's cues seek the same file.
    let transcript = site.read("episodes/with-audio/transcript/index.html");
    assert_eq!(
        attrs(&transcript, ".cue a.ts", "href"),
        ["/sub/audio/tone.wav#t=0", "/sub/audio/tone.wav#t=2"]
    );
    assert_eq!(attrs(&transcript, ".cue a.ts", "data-t"), ["0", "2"]);
}

#[test]
fn chapters_are_published_as_podcasting_json_and_webvtt_and_announced_in_rss() {
    let site = Site::fixture("listening");
    site.build_ok(&[]);
    let json: serde_json::Value =
        serde_json::from_str(&site.read("episodes/with-audio/chapters.json"))
            .unwrap_or_else(|e| panic!("chapters.json: {e}"));
    assert_eq!(json["version"], "1.2.0");
    let starts: Vec<u64> = json["chapters"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["startTime"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(starts, [0, 1, 2]);
    assert_eq!(json["chapters"][2]["title"], "End");
    let vtt = site.read("episodes/with-audio/chapters.vtt");
    assert!(vtt.starts_with("WEBVTT\n"));
    // The last chapter ends with the episode (duration 0:04).
    assert!(
        vtt.contains("00:00:02.000 --> 00:00:04.000\nEnd\n"),
        "{vtt}"
    );
    let rss = site.read("rss.xml");
    assert!(rss.contains(
        "<podcast:chapters type=\"application/json+chapters\" url=\"https://listen.example/sub/episodes/with-audio/chapters.json\""
    ));
    // A file on the site: an absolute enclosure, its length read from the file.
    assert!(rss.contains(
        "<enclosure url=\"https://listen.example/sub/audio/tone.wav\" length=\"32044\" type=\"audio/wav\"/>"
    ));
    // An episode without chapters has no chapter files.
    assert!(!site.exists("episodes/on-web/chapters.json"));
}

#[test]
fn a_video_source_gets_an_embed_that_loads_nothing_and_can_be_turned_off() {
    let site = Site::fixture("listening");
    site.build_ok(&[]);
    let html = site.read("episodes/on-youtube/index.html");
    assert_eq!(
        attrs(&html, ".embed", "data-embed-src"),
        ["https://www.youtube-nocookie.com/embed/abcdefghijk?autoplay=1"]
    );
    // Nothing on the page loads from the video site: no frame, no thumbnail, no script.
    for tag in ["iframe", "img", "script[src*=youtube]"] {
        assert!(texts(&html, tag).is_empty(), "{tag}");
    }
    // Without JavaScript, a plain link; the button is for the script to show.
    assert_eq!(
        attrs(&html, ".embed a.embed-link", "href"),
        ["https://www.youtube.com/watch?v=abcdefghijk"]
    );
    assert_eq!(
        attrs(&html, ".embed button.embed-load[hidden]", "class").len(),
        1
    );
    // Timestamps open the video at that time.
    assert_eq!(
        attrs(&html, ".body a.ts", "href"),
        [
            "https://www.youtube.com/watch?v=abcdefghijk&t=65s",
            "https://www.youtube.com/watch?v=abcdefghijk&t=0s",
            "https://www.youtube.com/watch?v=abcdefghijk&t=65s"
        ]
    );
    // A plain web page has nothing to seek: the time stays text, with no fragment link.
    let web = site.read("episodes/on-web/index.html");
    assert!(texts(&web, "a.ts").is_empty());
    assert_eq!(texts(&web, ".body span.ts"), ["0:30"]);
    assert!(texts(&web, ".player").is_empty());
    let cues = site.read("episodes/on-web/transcript/index.html");
    assert!(
        !cues.contains("#t=30"),
        "a fragment on a web page does nothing"
    );
    // `embeds: false` keeps the link only.
    let config = std::fs::read_to_string(site.root().join("castdown.yaml")).unwrap_or_default();
    site.write("castdown.yaml", format!("{config}embeds: false\n"));
    site.build_ok(&[]);
    let html = site.read("episodes/on-youtube/index.html");
    assert!(texts(&html, ".embed").is_empty());
    assert!(texts(&html, ".player").is_empty());
}

#[test]
fn chapters_out_of_order_or_past_the_end_and_missing_media_are_located_errors() {
    let site = Site::empty("title: T\nbase_url: https://e.com/\n");
    site.write(
        "content/episodes/a.md",
        "---\ntitle: A\ndate: 2024-01-01\nduration: \"10:00\"\n---\nIntro.\n\n## One [1:00]\n\n## Two [0:30]\n\n## Three [12:00]\n",
    );
    site.write(
        "content/episodes/b.md",
        "---\ntitle: B\ndate: 2024-01-02\nmedia:\n  url: /audio/missing.mp3\n---\nBody.\n",
    );
    let out = site.run(&["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("content/episodes/a.md:10:8")
            && err.contains("chapter `Two` starts at 0:30, not after the chapter before it (`One` at 1:00, line 8)"),
        "{err}"
    );
    assert!(
        err.contains("content/episodes/a.md:12:10")
            && err.contains("chapter `Three` starts at 12:00, past the episode's duration (10:00)"),
        "{err}"
    );
    assert!(
        err.contains("content/episodes/b.md:4:")
            && err.contains("media `/audio/missing.mp3` is not a file under static/"),
        "{err}"
    );
}

#[test]
fn cover_art_falls_back_from_digest_to_site_and_files_beside_a_digest_are_published() {
    let site = Site::fixture("listening");
    site.build_ok(&[]);
    let html = site.read("episodes/with-audio/index.html");
    // The digest's own image, a file beside it: copied beside the page, its size read.
    assert_eq!(
        attrs(&html, "meta[property='og:image']", "content"),
        ["https://listen.example/sub/episodes/with-audio/tone-cover.png"]
    );
    assert_eq!(
        attrs(&html, "meta[property='og:image:width']", "content"),
        ["600"]
    );
    assert_eq!(
        attrs(&html, "meta[property='og:image:height']", "content"),
        ["600"]
    );
    assert_eq!(
        attrs(&html, "meta[name='twitter:card']", "content"),
        ["summary_large_image"]
    );
    assert_eq!(
        attrs(&html, "img.episode-image", "src"),
        ["/sub/episodes/with-audio/tone-cover.png"]
    );
    assert!(site.exists("episodes/with-audio/tone-cover.png"));
    // A body image beside the digest: copied too, and absolute in the feeds.
    assert!(site.exists("episodes/with-audio/wave.png"));
    assert_eq!(attrs(&html, ".body img", "src"), ["wave.png"]);
    for feed in ["rss.xml", "atom.xml", "feed.json"] {
        let text = site.read(feed);
        assert!(
            text.contains("https://listen.example/sub/episodes/with-audio/wave.png"),
            "{feed}"
        );
        assert!(!text.contains("src=\"wave.png\""), "{feed}");
        assert!(!text.contains("src=\\\"wave.png\\\""), "{feed}");
    }
    // An episode without an image (and a show without one) takes the site's.
    let video = site.read("episodes/on-youtube/index.html");
    assert_eq!(
        attrs(&video, "meta[property='og:image']", "content"),
        ["https://listen.example/sub/cover.png"]
    );
    assert_eq!(
        attrs(&video, "meta[property='og:image:width']", "content"),
        ["1400"]
    );
    assert!(attrs(&video, "img.episode-image", "src").is_empty());
    // Cards show an episode's own art.
    let home = site.read("index.html");
    assert_eq!(
        attrs(&home, ".card img.card-image", "src"),
        ["/sub/episodes/with-audio/tone-cover.png"]
    );
}

#[test]
fn the_podcast_block_makes_a_feed_directories_accept() {
    let site = Site::fixture("listening");
    let out = site.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // An enclosure without a length is a warning naming the file, never length="0".
    let err = stderr(&out);
    assert!(
        err.contains("content/episodes/remote-media.md:6:7: warning: media `https://cdn.listen.example/episodes/remote.mp3` has no `length`"),
        "{err}"
    );
    let rss = site.read("rss.xml");
    assert!(!rss.contains("length=\"0\"") && !rss.contains("length=\"\""));
    assert!(rss.contains(
        "<enclosure url=\"https://cdn.listen.example/episodes/remote.mp3\" type=\"audio/mpeg\"/>"
    ));
    // A real reader takes it: feed-rs.
    let feed = feed_rs::parser::parse(rss.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(feed.entries.len(), 4);
    for tag in [
        "<itunes:category text=\"Technology\">",
        "<itunes:image href=\"https://listen.example/sub/cover.png\"/>",
        "<itunes:explicit>false</itunes:explicit>",
        "<itunes:owner><itunes:name>Test Tones Team</itunes:name><itunes:email>tones@listen.example</itunes:email></itunes:owner>",
        "<itunes:type>episodic</itunes:type>",
        "<podcast:locked owner=\"tones@listen.example\">no</podcast:locked>",
        "<itunes:episode>3</itunes:episode>",
        "<itunes:season>1</itunes:season>",
        "<itunes:duration>0:04</itunes:duration>",
        "<podcast:person href=\"https://listen.example/sub/people/ada-lovelace/\">Ada Lovelace</podcast:person>",
        "<itunes:image href=\"https://listen.example/sub/episodes/with-audio/tone-cover.png\"",
    ] {
        assert!(rss.contains(tag), "{tag} missing");
    }
    // The GUID is the Podcasting 2.0 UUIDv5 of the feed URL.
    assert!(rss.contains(&format!(
        "<podcast:guid>{}</podcast:guid>",
        castdown::config::feed_guid("https://listen.example/sub/rss.xml")
    )));
    // Without the block, a digest feed: no owner, no category, no guid.
    let config = std::fs::read_to_string(site.root().join("castdown.yaml")).unwrap_or_default();
    let plain = config
        .split("podcast:")
        .next()
        .unwrap_or_default()
        .to_string();
    site.write("castdown.yaml", plain);
    site.build_ok(&[]);
    let rss = site.read("rss.xml");
    for tag in [
        "itunes:owner",
        "itunes:category",
        "podcast:guid",
        "podcast:person",
    ] {
        assert!(!rss.contains(tag), "{tag} in a digest feed");
    }
    assert!(!rss.contains("length=\"0\""));
}

#[test]
fn an_unknown_apple_category_is_a_located_error() {
    let site = Site::fixture("listening");
    let config = std::fs::read_to_string(site.root().join("castdown.yaml")).unwrap_or_default();
    site.write(
        "castdown.yaml",
        config.replace(
            "category: Technology",
            "category: Tech\n  subcategory: Gadgets",
        ),
    );
    let out = site.run(&["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("castdown.yaml:7:13: error: `Tech` is not an Apple Podcasts category"),
        "{err}"
    );
    assert!(err.contains("Technology"), "{err}");
}

/// `digest.json` is the digest as data for other programs: it carries the front matter's
/// episode and season numbers, the chapters and the cover art pages show (the digest's
/// own, its show's or the site's), which it once left out.
#[test]
fn digest_json_carries_chapters_numbers_and_cover_art() {
    let site = Site::fixture("listening");
    site.build_ok(&[]);
    let json = |slug: &str| -> serde_json::Value {
        let text = site.read(&format!("episodes/{slug}/digest.json"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{slug}: {e}"))
    };
    let tone = json("with-audio");
    assert_eq!(tone["episode"], 3);
    assert_eq!(tone["season"], 1);
    assert_eq!(
        tone["image"],
        "https://listen.example/sub/episodes/with-audio/tone-cover.png"
    );
    assert_eq!(
        tone["chapters"],
        serde_json::json!([
            {"start_seconds": 0, "title": "Start"},
            {"start_seconds": 1, "title": "Middle"},
            {"start_seconds": 2, "title": "End"},
        ])
    );
    let web = json("on-web");
    assert_eq!(web["chapters"], serde_json::json!([]));
    assert_eq!(web["episode"], serde_json::Value::Null);
    assert_eq!(web["season"], serde_json::Value::Null);
    // No image and no show: the site's image.
    assert_eq!(web["image"], "https://listen.example/sub/cover.png");
}

/// Regression: an episode with no show had no cover art at all (no `og:image`), where
/// one with a show took the site's image when the show had none; the docs say the site's
/// image is every episode's last resort.
#[test]
fn an_episode_without_a_show_takes_the_site_image() {
    let site = Site::fixture("listening");
    site.build_ok(&[]);
    let html = site.read("episodes/on-web/index.html");
    assert_eq!(
        attrs(&html, "meta[property='og:image']", "content"),
        vec!["https://listen.example/sub/cover.png".to_string()]
    );
}
