//! JSON Feed 1.1 (jsonfeed.org/version/1.1) from serde structs.

use serde::Serialize;

use super::{absolutize, origin};
use crate::site::Site;
use crate::text::xml_clean as clean;

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: String,
    home_page_url: &'a str,
    feed_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    language: &'a str,
    authors: Vec<Author>,
    items: Vec<JsonItem>,
}

#[derive(Serialize)]
struct Author {
    name: String,
}

#[derive(Serialize)]
struct JsonItem {
    id: String,
    url: String,
    title: String,
    content_html: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    summary: String,
    date_published: String,
    authors: Vec<Author>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<String>,
}

#[derive(Serialize)]
struct Attachment {
    url: String,
    mime_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_in_seconds: Option<u64>,
}

/// The site's JSON Feed of `episodes` (newest first).
pub fn feed(site: &Site, episodes: &[(usize, &str)]) -> Vec<u8> {
    let origin = origin(&site.base.url);
    let author = || {
        vec![Author {
            name: clean(&site.config.author.name),
        }]
    };
    let items = episodes
        .iter()
        .map(|&(i, html)| {
            let e = &site.episodes[i];
            let d = &e.digest;
            let permalink = site.base.absolute(&e.path);
            JsonItem {
                id: permalink.clone(),
                url: permalink,
                title: clean(&d.title),
                content_html: clean(&absolutize(
                    html,
                    origin,
                    &site.base.absolute(&site.episodes[i].path),
                )),
                summary: clean(&d.summary),
                date_published: d.date.rfc3339(),
                authors: author(),
                tags: e
                    .concepts
                    .iter()
                    .map(|c| clean(&site.concepts[c.concept].name))
                    .collect(),
                attachments: d
                    .media
                    .iter()
                    .map(|m| Attachment {
                        url: site.media_absolute(m),
                        mime_type: m.mime.clone(),
                        size_in_bytes: (m.length > 0).then_some(m.length),
                        duration_in_seconds: d.duration,
                    })
                    .collect(),
                external_url: d.source.clone(),
            }
        })
        .collect();
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: clean(&site.config.title),
        home_page_url: &site.base.url,
        feed_url: site.base.absolute(crate::site::paths::JSON_FEED),
        description: (!site.config.description.is_empty()).then(|| clean(&site.config.description)),
        language: &site.config.language,
        authors: author(),
        items,
    };
    let mut out = serde_json::to_vec_pretty(&feed).unwrap_or_default();
    out.push(b'\n');
    out
}
