//! Atom 1.0 (RFC 4287) with `atom_syndication`.

use std::str::FromStr;

use atom_syndication::{
    Category, Content, Entry, Feed, FixedDateTime, Generator, Link, Person, Text,
};

use super::{absolutize, clean, origin};
use crate::render::Bodies;
use crate::site::{Site, TermKind};

fn date(s: &str) -> FixedDateTime {
    FixedDateTime::from_str(s).unwrap_or_default()
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel.to_string());
    l.set_mime_type(mime.map(str::to_string));
    l
}

/// An Atom feed of `episodes` (indexes, newest first); `term` makes it that term's feed;
/// `full` includes whole bodies as content.
pub fn feed(
    site: &Site,
    bodies: &Bodies,
    episodes: &[usize],
    term: Option<(TermKind, usize)>,
    full: bool,
) -> Vec<u8> {
    let origin = origin(&site.base.url);
    let (title, self_path, alternate) = match term {
        Some((k, i)) => {
            let t = &site.terms(k)[i];
            let label = match k {
                TermKind::Concept => "Concept",
                TermKind::Show => "Show",
                TermKind::Person => "Person",
            };
            (
                format!("{} — {label}: {}", site.config.title, t.name),
                super::term_feed_path(site, k, i),
                site.base.absolute(&t.path()),
            )
        }
        None => (
            site.config.title.clone(),
            super::ATOM.to_string(),
            site.base.url.clone(),
        ),
    };
    let self_url = site.base.absolute(&self_path);
    let mut feed = Feed::default();
    feed.set_title(Text::plain(clean(&title)));
    feed.set_id(self_url.clone());
    if !site.config.description.is_empty() {
        feed.set_subtitle(Some(Text::plain(clean(&site.config.description))));
    }
    feed.set_lang(Some(site.config.language.clone()));
    feed.set_links(vec![
        link(self_url, "self", Some("application/atom+xml")),
        link(alternate, "alternate", Some("text/html")),
    ]);
    let mut author = Person::default();
    author.set_name(clean(&site.config.author.name));
    author.set_email(site.config.author.email.clone());
    feed.set_authors(vec![author]);
    let mut generator = Generator::default();
    generator.set_value("castdown");
    generator.set_version(Some(env!("CARGO_PKG_VERSION").to_string()));
    feed.set_generator(Some(generator));
    // `updated` is the newest entry; an empty feed uses a fixed instant so output is stable.
    let updated = episodes
        .first()
        .map(|&i| site.episodes[i].digest.date.rfc3339())
        .unwrap_or_else(|| "1970-01-01T00:00:00+00:00".into());
    feed.set_updated(date(&updated));
    let entries = episodes
        .iter()
        .map(|&i| {
            let e = &site.episodes[i];
            let d = &e.digest;
            let permalink = site.base.absolute(&e.path);
            let mut entry = Entry::default();
            entry.set_title(Text::plain(clean(&d.title)));
            entry.set_id(permalink.clone());
            let when = date(&d.date.rfc3339());
            entry.set_updated(when);
            entry.set_published(Some(when));
            let mut links = vec![link(permalink, "alternate", Some("text/html"))];
            if let Some(m) = &d.media {
                let mut l = link(m.url.clone(), "enclosure", Some(&m.mime));
                l.set_length(Some(m.length.to_string()));
                links.push(l);
            }
            entry.set_links(links);
            if !d.summary.is_empty() {
                entry.set_summary(Some(Text::plain(clean(&d.summary))));
            }
            if full {
                let mut c = Content::default();
                c.set_content_type(Some("html".to_string()));
                c.set_value(Some(clean(&absolutize(&bodies.episodes[i].html, origin))));
                entry.set_content(Some(c));
            }
            let mut cats: Vec<Category> = Vec::new();
            for c in &e.concepts {
                let t = &site.concepts[c.concept];
                let mut cat = Category::default();
                cat.set_term(t.slug.clone());
                cat.set_label(Some(clean(&t.name)));
                cat.set_scheme(Some(site.base.absolute("concepts/")));
                cats.push(cat);
            }
            entry.set_categories(cats);
            entry
        })
        .collect::<Vec<_>>();
    feed.set_entries(entries);
    let mut out = Vec::new();
    if feed.write_to(&mut out).is_err() {
        out.clear();
    }
    out.push(b'\n');
    out
}
