//! RSS 2.0 with the `rss` crate: `atom:link rel="self"`, iTunes tags for enclosures, and
//! `podcast:transcript` (Podcasting 2.0) for transcripts.

use std::collections::BTreeMap;

use rss::extension::itunes::{
    ITunesCategory, ITunesChannelExtension, ITunesItemExtension, ITunesOwner,
};
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
    let podcast = site.config.podcast.as_ref();
    if let Some(p) = podcast {
        // A podcast feed (the `podcast:` block): what Apple Podcasts and the Podcasting
        // 2.0 directories require of a channel.
        let mut it = ITunesChannelExtension::default();
        it.set_author(Some(clean(&site.config.author.name)));
        it.set_explicit(Some(p.explicit.to_string()));
        it.set_summary(Some(clean(&description)));
        it.set_image(Some(site.image(&p.image, None).absolute));
        let mut category = ITunesCategory::default();
        category.set_text(p.category.clone());
        if let Some(sub) = &p.subcategory {
            let mut s = ITunesCategory::default();
            s.set_text(sub.clone());
            category.set_subcategory(Some(Box::new(s)));
        }
        it.set_categories(vec![category]);
        let mut owner = ITunesOwner::default();
        owner.set_name(Some(clean(&p.owner_name)));
        owner.set_email(Some(p.owner_email.clone()));
        it.set_owner(Some(owner));
        it.set_type(Some(p.kind.to_string()));
        channel.set_itunes_ext(Some(it));
        let guid = p.guid.clone().unwrap_or_else(|| {
            crate::config::feed_guid(&site.base.absolute(crate::site::paths::RSS))
        });
        let mut ns = BTreeMap::new();
        ns.insert(
            "guid".to_string(),
            vec![ext("podcast:guid", Some(guid), &[])],
        );
        ns.insert(
            "locked".to_string(),
            vec![ext(
                "podcast:locked",
                Some(if p.locked { "yes" } else { "no" }.to_string()),
                &[("owner", p.owner_email.clone())],
            )],
        );
        let mut extensions = ExtensionMap::new();
        extensions.insert("podcast".to_string(), ns);
        channel.set_extensions(extensions);
    } else if any_media {
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
    if any_transcript || podcast.is_some() {
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
            item.set_content(Some(clean(&absolutize(
                html,
                origin,
                &site.base.absolute(&site.episodes[i].path),
            ))));
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
                enc.set_url(site.media_absolute(m));
                enc.set_mime_type(m.mime.clone());
                // An unknown length goes out as no attribute (see NO_LENGTH), never as 0.
                enc.set_length(if m.length > 0 {
                    m.length.to_string()
                } else {
                    String::new()
                });
                item.set_enclosure(Some(enc));
                let mut it = ITunesItemExtension::default();
                it.set_duration(d.duration.map(duration::display));
                it.set_explicit(Some(podcast.is_some_and(|p| p.explicit).to_string()));
                it.set_episode_type(Some("full".to_string()));
                it.set_summary(Some(clean(&d.summary)));
                if podcast.is_some() {
                    it.set_episode(d.episode.map(|n| n.to_string()));
                    it.set_season(d.season.map(|n| n.to_string()));
                    let art = site.episode_image_url(i);
                    it.set_image(
                        art.or_else(|| podcast.map(|p| site.image(&p.image, None).absolute)),
                    );
                }
                item.set_itunes_ext(Some(it));
                let mut itunes = BTreeMap::new();
                itunes.insert(
                    "title".to_string(),
                    vec![ext("itunes:title", Some(clean(&d.title)), &[])],
                );
                extensions.insert("itunes".to_string(), itunes);
            }
            let mut podcast_tags = BTreeMap::new();
            if podcast.is_some() && !e.people.is_empty() {
                podcast_tags.insert(
                    "person".to_string(),
                    e.people
                        .iter()
                        .map(|&p| {
                            let person = &site.people[p];
                            ext(
                                "podcast:person",
                                Some(clean(&person.name)),
                                &[("href", site.base.absolute(&person.path()))],
                            )
                        })
                        .collect(),
                );
            }
            if let Some(path) = e.chapters_path() {
                podcast_tags.insert(
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
                podcast_tags.insert(
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
            if !podcast_tags.is_empty() {
                extensions.insert("podcast".to_string(), podcast_tags);
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
    drop_empty_lengths(out)
}

/// What the `rss` crate writes for an enclosure whose length is unknown.
const NO_LENGTH: &[u8] = b" length=\"\"";

/// The feed without empty `length` attributes on enclosures: an unknown length is left out
/// rather than written as 0, which directories read as a broken file. Only the inside of
/// `<enclosure …/>` tags is touched.
fn drop_empty_lengths(xml: Vec<u8>) -> Vec<u8> {
    const TAG: &[u8] = b"<enclosure ";
    let mut out = Vec::with_capacity(xml.len());
    let mut i = 0;
    while i < xml.len() {
        if xml[i..].starts_with(TAG) {
            let end = xml[i..]
                .iter()
                .position(|&b| b == b'>')
                .map_or(xml.len(), |p| i + p + 1);
            let tag = &xml[i..end];
            match tag.windows(NO_LENGTH.len()).position(|w| w == NO_LENGTH) {
                Some(p) => {
                    out.extend_from_slice(&tag[..p]);
                    out.extend_from_slice(&tag[p + NO_LENGTH.len()..]);
                }
                None => out.extend_from_slice(tag),
            }
            i = end;
        } else {
            out.push(xml[i]);
            i += 1;
        }
    }
    out
}
