//! RSS 2.0 with the `rss` crate: `atom:link rel="self"`, iTunes tags for enclosures, and
//! `podcast:transcript` (Podcasting 2.0) for transcripts.

use std::collections::BTreeMap;

use rss::extension::itunes::{ITunesChannelExtension, ITunesItemExtension};
use rss::extension::{Extension, ExtensionMap};
use rss::{Channel, Enclosure, Guid, Item};

use super::{absolutize, origin};
use crate::load::duration;
use crate::site::Site;
use crate::text::escape_html;
use crate::text::xml_clean as clean;

/// Podcasting 2.0 namespace.
pub const PODCAST_NS: &str = "https://podcastindex.org/namespace/1.0";

fn ext(name: &str, value: Option<String>, attrs: &[(&str, String)]) -> Extension {
    let mut e = Extension::default();
    e.set_name(name.to_string());
    e.set_value(value);
    e.attrs = attrs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect::<BTreeMap<_, _>>();
    e
}

/// The site's RSS 2.0 feed of `episodes` (newest first).
pub fn feed(site: &Site, episodes: &[(usize, &str)]) -> Vec<u8> {
    let origin = origin(&site.base.url);
    let self_url = site.base.absolute(crate::site::paths::RSS);
    let mut channel = Channel::default();
    channel.set_title(clean(&site.config.title));
    channel.set_link(site.base.url.clone());
    let description = if site.config.description.is_empty() {
        site.config.title.clone()
    } else {
        site.config.description.clone()
    };
    // RSS readers take a description as HTML: plain text is escaped as HTML first (the
    // XML writer escapes it again, for XML).
    channel.set_description(escape_html(&clean(&description)));
    channel.set_language(Some(site.config.language.clone()));
    channel.set_generator(Some(format!("castdown {}", env!("CARGO_PKG_VERSION"))));
    if let Some(email) = &site.config.author.email {
        channel.set_managing_editor(Some(format!(
            "{email} ({})",
            clean(&site.config.author.name)
        )));
    }
    if let Some(&(newest, _)) = episodes.first() {
        channel.set_last_build_date(Some(site.episodes[newest].digest.date.rfc822()));
        channel.set_pub_date(Some(site.episodes[newest].digest.date.rfc822()));
    }
    let mut atom_link = rss::extension::atom::Link::default();
    atom_link.set_href(self_url);
    atom_link.set_rel("self");
    atom_link.set_mime_type(Some("application/rss+xml".to_string()));
    let mut atom_ext = rss::extension::atom::AtomExtension::default();
    atom_ext.set_links(vec![atom_link]);
    channel.set_atom_ext(Some(atom_ext));

    let any_media = episodes
        .iter()
        .any(|&(i, _)| site.episodes[i].digest.media.is_some());
    let any_transcript = episodes.iter().any(|&(i, _)| {
        let d = &site.episodes[i].digest;
        d.transcript.is_some() || !d.chapters.is_empty()
    });
    if any_media {
        let mut it = ITunesChannelExtension::default();
        it.set_author(Some(clean(&site.config.author.name)));
        it.set_explicit(Some("false".to_string()));
        it.set_summary(Some(clean(&description)));
        channel.set_itunes_ext(Some(it));
    }
    let mut namespaces = BTreeMap::new();
    namespaces.insert(
        "content".to_string(),
        "http://purl.org/rss/1.0/modules/content/".to_string(),
    );
    namespaces.insert(
        "dc".to_string(),
        "http://purl.org/dc/elements/1.1/".to_string(),
    );
    if any_transcript {
        namespaces.insert("podcast".to_string(), PODCAST_NS.to_string());
    }
    channel.set_namespaces(namespaces);

    let items: Vec<Item> = episodes
        .iter()
        .map(|&(i, html)| {
            let e = &site.episodes[i];
            let d = &e.digest;
            let permalink = site.base.absolute(&e.path);
            let mut item = Item::default();
            item.set_title(Some(clean(&d.title)));
            item.set_link(Some(permalink.clone()));
            let mut guid = Guid::default();
            guid.set_value(permalink);
            guid.set_permalink(true);
            item.set_guid(Some(guid));
            item.set_pub_date(Some(d.date.rfc822()));
            item.set_description(Some(escape_html(&clean(&d.summary))));
            item.set_content(Some(clean(&absolutize(html, origin))));
            item.set_categories(
                e.concepts
                    .iter()
                    .map(|c| {
                        let mut cat = rss::Category::default();
                        cat.set_name(clean(&site.concepts[c.concept].name));
                        cat
                    })
                    .collect::<Vec<_>>(),
            );
            let mut extensions: ExtensionMap = BTreeMap::new();
            let mut dc = BTreeMap::new();
            dc.insert(
                "creator".to_string(),
                vec![ext(
                    "dc:creator",
                    Some(clean(&site.config.author.name)),
                    &[],
                )],
            );
            extensions.insert("dc".to_string(), dc);
            if let Some(m) = &d.media {
                let mut enc = Enclosure::default();
                enc.set_url(m.absolute(&site.base));
                enc.set_mime_type(m.mime.clone());
                enc.set_length(m.length.to_string());
                item.set_enclosure(Some(enc));
                let mut it = ITunesItemExtension::default();
                it.set_duration(d.duration.map(duration::display));
                it.set_explicit(Some("false".to_string()));
                it.set_episode_type(Some("full".to_string()));
                it.set_summary(Some(clean(&d.summary)));
                item.set_itunes_ext(Some(it));
                let mut itunes = BTreeMap::new();
                itunes.insert(
                    "title".to_string(),
                    vec![ext("itunes:title", Some(clean(&d.title)), &[])],
                );
                extensions.insert("itunes".to_string(), itunes);
            }
            let mut podcast = BTreeMap::new();
            if let Some(path) = e.chapters_path() {
                podcast.insert(
                    "chapters".to_string(),
                    vec![ext(
                        "podcast:chapters",
                        None,
                        &[
                            ("url", site.base.absolute(&path)),
                            ("type", "application/json+chapters".to_string()),
                        ],
                    )],
                );
            }
            if let Some(path) = e.transcript_file_path() {
                podcast.insert(
                    "transcript".to_string(),
                    vec![ext(
                        "podcast:transcript",
                        None,
                        &[
                            ("url", site.base.absolute(&path)),
                            ("type", e.transcript_mime().to_string()),
                        ],
                    )],
                );
            }
            if !podcast.is_empty() {
                extensions.insert("podcast".to_string(), podcast);
            }
            item.set_extensions(extensions);
            item
        })
        .collect();
    channel.set_items(items);
    let mut out = Vec::new();
    if channel.write_to(&mut out).is_err() {
        out.clear();
    }
    out.push(b'\n');
    out
}
