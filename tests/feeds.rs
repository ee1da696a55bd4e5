//! Feeds read back with feed-rs, a real feed reader: counts, order, titles, links, dates, ids,
//! self links, enclosures, escaping; plus snapshots of one small feed of each format.

mod common;

use common::{Site, digest};
use feed_rs::model::Feed;

fn parse(site: &Site, rel: &str) -> Feed {
    let bytes = std::fs::read(site.public().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    feed_rs::parser::parse(bytes.as_slice()).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"))
}

fn self_link(feed: &Feed) -> Option<String> {
    feed.links
        .iter()
        .find(|l| l.rel.as_deref() == Some("self"))
        .map(|l| l.href.clone())
}

#[test]
fn site_feeds_parse_with_entries_newest_first() {
    let site = Site::fixture("demo");
    site.build_ok(&[]);
    for (rel, self_url) in [
        ("atom.xml", Some("https://example.com/digests/atom.xml")),
        ("rss.xml", Some("https://example.com/digests/rss.xml")),
        ("feed.json", None),
    ] {
        let feed = parse(&site, rel);
        assert_eq!(
            feed.entries.len(),
            8,
            "{rel}: every published episode (drafts excluded)"
        );
        let first = &feed.entries[0];
        assert_eq!(
            first.title.as_ref().map(|t| t.content.as_str()),
            Some("Open partnerships: when two companies stop being exclusive"),
            "{rel}"
        );
        assert_eq!(
            first.links.first().map(|l| l.href.as_str()),
            Some("https://example.com/digests/episodes/partnership-without-exclusivity/"),
            "{rel}"
        );
        let dates: Vec<_> = feed
            .entries
            .iter()
            .map(|e| e.published.or(e.updated))
            .collect();
        assert!(
            dates.iter().all(Option::is_some),
            "{rel}: every entry has a date"
        );
        assert!(
            dates.windows(2).all(|w| w[0] >= w[1]),
            "{rel}: newest first"
        );
        if let Some(s) = self_url {
            assert_eq!(self_link(&feed).as_deref(), Some(s), "{rel}: self link");
        }
        // Every link in every entry's content is absolute.
        for e in &feed.entries {
            if let Some(body) = e.content.as_ref().and_then(|c| c.body.as_ref()) {
                assert!(
                    !body.contains("href=\"/") && !body.contains("src=\"/"),
                    "{rel}: relative URL in content"
                );
            }
        }
    }
    let atom = parse(&site, "atom.xml");
    // updated equals the newest entry.
    assert_eq!(atom.updated, atom.entries[0].updated);
    assert_eq!(
        atom.authors.first().and_then(|a| a.name.as_deref()),
        Some("The castdown authors")
    );
    // JSON Feed specifics.
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap_or_default();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["feed_url"], "https://example.com/digests/feed.json");
    assert!(json["authors"][0]["name"].is_string());
    assert!(json["items"][0]["id"].is_string() && json["items"][0]["content_html"].is_string());
}

#[test]
fn rss_dates_are_rfc822_with_four_digit_year_and_zone() {
    let site = Site::fixture("demo");
    site.build_ok(&[]);
    let rss = site.read("rss.xml");
    assert!(
        rss.contains("<pubDate>Thu, 30 Oct 2025 00:00:00 +0000</pubDate>"),
        "{rss}"
    );
    let atom = site.read("atom.xml");
    assert!(atom.contains("<updated>2025-10-30T00:00:00+00:00</updated>"));
}

#[test]
fn enclosures_itunes_tags_and_transcripts_in_rss() {
    let site = Site::fixture("demo");
    site.build_ok(&[]);
    let rss = site.read("rss.xml");
    assert!(rss.contains("xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\""));
    assert!(rss.contains("<enclosure url=\"https://cdn.example.com/audio/founders-at-lunch-112.mp3\" length=\"46270000\" type=\"audio/mpeg\"/>"));
    assert!(rss.contains("<itunes:duration>48:12</itunes:duration>"));
    assert!(rss.contains("<itunes:explicit>false</itunes:explicit>"));
    assert!(rss.contains(
        "<itunes:title>Open partnerships: when two companies stop being exclusive</itunes:title>"
    ));
    assert!(rss.contains("xmlns:podcast=\"https://podcastindex.org/namespace/1.0\""));
    assert!(
        rss.contains("<podcast:transcript type=\"text/vtt\" url=\"https://example.com/digests/episodes/partnership-without-exclusivity/transcript.vtt\">"),
        "{rss}"
    );
    assert!(site.exists("episodes/partnership-without-exclusivity/transcript.vtt"));
    let feed = parse(&site, "rss.xml");
    let media = &feed.entries[0].media;
    assert!(
        media.iter().any(
            |m| m.content.iter().any(|c| c.url.as_ref().map(|u| u.as_str())
                == Some("https://cdn.example.com/audio/founders-at-lunch-112.mp3"))
        ),
        "{media:?}"
    );
}

#[test]
fn term_feeds_hold_only_their_episodes() {
    let site = Site::fixture("demo");
    site.build_ok(&[]);
    let feed = parse(&site, "concepts/platform-risk/atom.xml");
    assert_eq!(feed.entries.len(), 3);
    assert_eq!(
        self_link(&feed).as_deref(),
        Some("https://example.com/digests/concepts/platform-risk/atom.xml")
    );
    let show = parse(&site, "shows/the-build-log/atom.xml");
    assert_eq!(show.entries.len(), 3);
    let person = parse(&site, "people/mara-okafor/atom.xml");
    assert_eq!(person.entries.len(), 3);
    // Pages link their feeds.
    let html = site.read("concepts/platform-risk/index.html");
    assert!(html.contains("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/digests/concepts/platform-risk/atom.xml\""));
    assert!(
        site.read("index.html")
            .contains("type=\"application/rss+xml\" href=\"/digests/rss.xml\"")
    );
}

#[test]
fn feed_limit_keeps_the_newest() {
    let site = Site::empty("base_url: https://e.example/\nfeed_limit: 2\n");
    for (i, d) in ["2025-01-01", "2025-03-01", "2025-02-01"]
        .iter()
        .enumerate()
    {
        site.write(
            &format!("content/episodes/e{i}.md"),
            digest(&format!("E{i}"), d, "concepts: [Shared]\n"),
        );
    }
    site.build_ok(&[]);
    for rel in [
        "atom.xml",
        "rss.xml",
        "feed.json",
        "concepts/shared/atom.xml",
    ] {
        let titles: Vec<String> = parse(&site, rel)
            .entries
            .iter()
            .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
            .collect();
        assert_eq!(titles, ["E1", "E2"], "{rel}");
    }
}

#[test]
fn ids_are_stable_across_rebuilds_and_new_episodes() {
    let site = Site::fixture("demo");
    site.build_ok(&[]);
    let ids = |rel: &str| -> Vec<String> {
        parse(&site, rel)
            .entries
            .iter()
            .map(|e| e.id.clone())
            .collect()
    };
    let before: Vec<Vec<String>> = ["atom.xml", "rss.xml", "feed.json"]
        .iter()
        .map(|r| ids(r))
        .collect();
    site.write(
        "content/episodes/2025/newest.md",
        digest("Brand new", "2025-11-20", "show: The Build Log\n"),
    );
    site.build_ok(&[]);
    for (k, rel) in ["atom.xml", "rss.xml", "feed.json"].iter().enumerate() {
        let after = ids(rel);
        assert_eq!(after.len(), before[k].len() + 1);
        assert_eq!(&after[1..], &before[k][..], "{rel}: old ids changed");
        let unique: std::collections::HashSet<&String> = after.iter().collect();
        assert_eq!(unique.len(), after.len(), "{rel}: ids unique");
    }
}

#[test]
fn escaping_survives_a_real_reader() {
    let site = Site::fixture("tricky");
    site.build_ok(&[]);
    for rel in ["atom.xml", "rss.xml", "feed.json"] {
        let feed = parse(&site, rel);
        assert_eq!(
            feed.title.as_ref().map(|t| t.content.as_str()),
            Some("Tricky <Digests> & Co"),
            "{rel}"
        );
        let titles: Vec<String> = feed
            .entries
            .iter()
            .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
            .collect();
        assert!(
            titles
                .iter()
                .any(|t| t == "<script>alert('x')</script> & \"Quotes\": a title"),
            "{rel}: {titles:?}"
        );
        // Sub-path base_url: links keep the sub-path.
        assert!(
            feed.entries.iter().all(|e| e.links[0]
                .href
                .starts_with("https://host.example/sub/path/episodes/")),
            "{rel}"
        );
    }
    let show = parse(&site, "shows/another-show/atom.xml");
    assert_eq!(
        show.title.as_ref().map(|t| t.content.as_str()),
        Some("Tricky <Digests> & Co — Show: Another Show")
    );
    let unicode = parse(&site, "concepts/機械学習/atom.xml");
    assert_eq!(unicode.entries.len(), 1);
}

#[test]
fn feed_snapshots() {
    let site = Site::fixture("small");
    site.build_ok(&[]);
    insta::assert_snapshot!("atom", site.read("atom.xml"));
    insta::assert_snapshot!("rss", site.read("rss.xml"));
    insta::assert_snapshot!("json_feed", site.read("feed.json"));
}

#[test]
fn regression_rss_description_carried_plain_text_as_live_html() {
    let site = Site::empty(
        "title: T\nbase_url: https://example.com/\ndescription: \"Tips <b>bold</b> & <script>alert(2)</script>\"\n",
    );
    site.write(
        "content/episodes/a.md",
        digest(
            "A",
            "2025-01-01",
            "summary: '\"><img src=x onerror=alert(1)> and <script>alert(1)</script>'\n",
        ),
    );
    site.build_ok(&[]);
    let feed = parse(&site, "rss.xml");
    // A reader decodes XML once and takes the result as HTML: that HTML must be text only.
    let summary = feed.entries[0]
        .summary
        .as_ref()
        .map(|t| t.content.clone())
        .unwrap_or_default();
    assert!(
        !summary.contains('<') && summary.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{summary}"
    );
    let description = feed
        .description
        .as_ref()
        .map(|t| t.content.clone())
        .unwrap_or_default();
    assert!(
        !description.contains('<') && description.contains("&lt;script&gt;"),
        "{description}"
    );
}
