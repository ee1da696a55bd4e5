//! Template contexts. Every value a template sees is documented here, in one place, so theme
//! authors can read what they get. Links are root-relative with the base path (`url`);
//! `permalink`s are absolute.

use serde_json::{Value as Json, json};
use tera::Value;

use super::Bodies;
use super::tera::{safe, to_value};
use crate::load::duration;
use crate::site::{Site, TermKind};

/// Values reused by many pages, built once.
pub struct Shared {
    /// One card per episode: `{title, url, permalink, date, date_human, date_rfc3339,
    /// duration, summary, show: {name, url}?, concepts: [{name, url}], people: [{name, url}]}`.
    pub cards: Vec<Value>,
}

impl Shared {
    /// Builds the shared values of a site.
    pub fn new(site: &Site) -> Shared {
        use rayon::prelude::*;
        let cards = (0..site.episodes.len())
            .into_par_iter()
            .map(|i| to_value(&card_json(site, i)))
            .collect();
        Shared { cards }
    }
}

fn term_ref(site: &Site, kind: TermKind, i: usize) -> Json {
    let t = &site.terms(kind)[i];
    json!({ "name": t.name, "slug": t.slug, "url": site.base.link(&t.path()), "count": t.episodes.len() })
}

fn card_json(site: &Site, i: usize) -> Json {
    let e = &site.episodes[i];
    let d = &e.digest;
    json!({
        "title": d.title,
        "slug": d.slug,
        "url": site.base.link(&e.path),
        "permalink": site.base.absolute(&e.path),
        "date": d.date.ymd(),
        "date_human": d.date.human(),
        "date_rfc3339": d.date.rfc3339(),
        "duration": d.duration.map(duration::display),
        "summary": d.summary,
        "show": e.show.map(|s| term_ref(site, TermKind::Show, s)),
        "concepts": e.concepts.iter().map(|c| term_ref(site, TermKind::Concept, c.concept)).collect::<Vec<_>>(),
        "people": e.people.iter().map(|&p| term_ref(site, TermKind::Person, p)).collect::<Vec<_>>(),
        "draft": d.draft,
    })
}

/// `page`: what the base layout needs for `<head>`: `{title, description, url, permalink,
/// og_type, jsonld (safe), alternates: [{type, href, title}]}`.
pub fn page_value(
    site: &Site,
    path: &str,
    title: &str,
    description: &str,
    og_type: &str,
    jsonld: String,
) -> Value {
    let mut v = to_value(&json!({
        "title": title,
        "description": crate::markdown::truncate(description, 300),
        "path": path,
        "url": site.base.link(path),
        "permalink": site.base.absolute(path),
        "og_type": og_type,
        "alternates": [],
    }));
    if let Some(map) = value_map_insert(&mut v, "jsonld", safe(&jsonld)) {
        v = map;
    }
    v
}

fn value_map_insert(v: &mut Value, key: &str, val: Value) -> Option<Value> {
    let mut map = v.as_map()?.clone();
    map.insert(key.to_string().into(), val);
    Some(Value::from(map))
}

/// `episode`: the card fields plus `{content (HTML), toc, concepts: [{name, url,
/// definition}], key_concepts_in_body, transcript: {url, file_url, word_count, cues}?, source, duration_iso, duration_seconds, word_count, reading_minutes,
/// related: [card], prev: card?, next: card?, media, extra, data_url}`.
pub fn episode_value(site: &Site, shared: &Shared, bodies: &Bodies, i: usize) -> Value {
    let e = &site.episodes[i];
    let d = &e.digest;
    let body = &bodies.episodes[i];
    let mut v = card_json(site, i);
    let concepts: Vec<Json> = e
        .concepts
        .iter()
        .map(|c| {
            let t = &site.concepts[c.concept];
            json!({ "name": t.name, "as_written": c.name, "url": site.base.link(&t.path()), "definition": c.definition })
        })
        .collect();
    if let Json::Object(m) = &mut v {
        m.insert("concepts".into(), Json::Array(concepts));
        m.insert(
            "toc".into(),
            serde_json::to_value(&body.toc).unwrap_or(Json::Null),
        );
        m.insert("source".into(), json!(d.source));
        m.insert("duration_iso".into(), json!(d.duration.map(duration::iso)));
        m.insert("duration_seconds".into(), json!(d.duration));
        m.insert("word_count".into(), json!(d.word_count));
        m.insert("key_concepts_in_body".into(), json!(d.key_concepts_in_body));
        m.insert(
            "reading_minutes".into(),
            json!(d.word_count.div_ceil(200).max(1)),
        );
        m.insert("media".into(), json!(d.media));
        m.insert("extra".into(), d.extra.clone());
        m.insert(
            "data_url".into(),
            json!(site.base.link(&format!("{}digest.json", e.path))),
        );
        let transcript = match (crate::transcript::page_path(e), &d.transcript_data) {
            (Some(p), Some(t)) => json!({
                "url": site.base.link(&p),
                "file_url": crate::transcript::file_path(e).map(|f| site.base.link(&f)),
                "word_count": t.word_count(),
                "cues": t.cues.len(),
            }),
            _ => Json::Null,
        };
        m.insert("transcript".into(), transcript);
    }
    let mut map = match to_value(&v).as_map() {
        Some(m) => m.clone(),
        None => return Value::none(),
    };
    map.insert("content".into(), safe(&body.html));
    let cards = |ids: &[usize]| {
        Value::from(
            ids.iter()
                .map(|&j| shared.cards[j].clone())
                .collect::<Vec<_>>(),
        )
    };
    map.insert("related".into(), cards(&e.related));
    map.insert(
        "prev".into(),
        e.prev_in_show
            .map(|j| shared.cards[j].clone())
            .unwrap_or_else(Value::none),
    );
    map.insert(
        "next".into(),
        e.next_in_show
            .map(|j| shared.cards[j].clone())
            .unwrap_or_else(Value::none),
    );
    Value::from(map)
}

/// `transcript`: `{word_count, speakers: [name], cues: [{id, time, seconds, url?, speaker?,
/// text}]}`; `url` is the source at that second.
pub fn transcript_value(site: &Site, i: usize) -> Value {
    let e = &site.episodes[i];
    let Some(t) = &e.digest.transcript_data else {
        return Value::none();
    };
    let mut speakers: Vec<&str> = Vec::new();
    let cues: Vec<Json> = t
        .cues
        .iter()
        .enumerate()
        .map(|(n, c)| {
            if let Some(s) = c.speaker.as_deref()
                && !speakers.contains(&s)
            {
                speakers.push(s);
            }
            json!({
                "id": format!("t{}", n + 1),
                "time": c.start.map(crate::transcript::display_time),
                "seconds": c.start.map(|s| s.floor() as u64),
                "url": match (c.start, &e.digest.source) {
                    (Some(s), Some(src)) => Some(crate::transcript::timestamp_url(src, s)),
                    _ => None,
                },
                "speaker": c.speaker,
                "text": c.text,
            })
        })
        .collect();
    to_value(&json!({ "word_count": t.word_count(), "speakers": speakers, "cues": cues }))
}

/// `paginator`: `{current, total, count, prev_url?, next_url?, pages: [{number, url,
/// current}]}` (a window around the current page plus first and last).
pub fn paginator(site: &Site, base: &str, current: usize, total: usize, count: usize) -> Value {
    let url = |n: usize| site.base.link(&super::paginated_path(base, n));
    let mut numbers: Vec<usize> = vec![1, total];
    numbers.extend(current.saturating_sub(2).max(1)..=(current + 2).min(total));
    numbers.sort_unstable();
    numbers.dedup();
    let pages: Vec<Json> = numbers
        .iter()
        .map(|&n| json!({"number": n, "url": url(n), "current": n == current}))
        .collect();
    to_value(&json!({
        "current": current,
        "total": total,
        "count": count,
        "prev_url": (current > 1).then(|| url(current - 1)),
        "next_url": (current < total).then(|| url(current + 1)),
        "pages": pages,
    }))
}

/// `terms`: `{by_name: [{name, slug, url, count}], by_count: […]}`.
pub fn term_list(site: &Site, _shared: &Shared, kind: TermKind) -> Value {
    let terms = site.terms(kind);
    let mut by_name: Vec<usize> = (0..terms.len()).collect();
    by_name.sort_by(|&a, &b| {
        crate::names::identity(&terms[a].name)
            .cmp(&crate::names::identity(&terms[b].name))
            .then(terms[a].slug.cmp(&terms[b].slug))
    });
    let mut by_count = by_name.clone();
    by_count.sort_by(|&a, &b| terms[b].episodes.len().cmp(&terms[a].episodes.len()));
    let refs = |ids: &[usize]| {
        ids.iter()
            .map(|&i| term_ref(site, kind, i))
            .collect::<Vec<_>>()
    };
    to_value(
        &json!({ "by_name": refs(&by_name), "by_count": refs(&by_count), "total": terms.len() }),
    )
}

/// `term`: `{kind, name, slug, url, permalink, count, content (curated HTML), website, image,
/// other_names, definitions: [{show: {name, url}?, text, episodes: [{title, url, date}]}],
/// related: [{name, url, count}]}`. The definitions are those of the episodes listed on this
/// page (`page_episodes`), so every episode's definition appears once and a concept discussed
/// in thousands of episodes still has pages of a readable size. Related concepts are on page
/// 1 only.
pub fn term_value(
    site: &Site,
    _shared: &Shared,
    bodies: &Bodies,
    kind: TermKind,
    i: usize,
    page_episodes: &[usize],
    first_page: bool,
) -> Value {
    let t = &site.terms(kind)[i];
    let mut definitions: Vec<Json> = Vec::new();
    if kind == TermKind::Concept {
        // Group identical definitions within a show; keep newest-first order of first use.
        let mut groups: Vec<(Option<usize>, String, String, Vec<Json>)> = Vec::new();
        for &ei in page_episodes {
            let e = &site.episodes[ei];
            let Some(def) = e
                .concepts
                .iter()
                .find(|c| c.concept == i)
                .and_then(|c| c.definition.clone())
            else {
                continue;
            };
            let norm = crate::names::identity(&def);
            let ep = json!({"title": e.digest.title, "url": site.base.link(&e.path), "date": e.digest.date.ymd()});
            match groups.iter_mut().find(|g| g.0 == e.show && g.2 == norm) {
                Some(g) => g.3.push(ep),
                None => groups.push((e.show, def, norm, vec![ep])),
            }
        }
        groups.sort_by(|a, b| {
            let name = |s: Option<usize>| s.map(|s| crate::names::identity(&site.shows[s].name));
            match (name(a.0), name(b.0)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        });
        definitions = groups
            .into_iter()
            .map(|(show, text, _, eps)| json!({"show": show.map(|s| term_ref(site, TermKind::Show, s)), "text": text, "episodes": eps}))
            .collect();
    }
    let related: Vec<Json> = if first_page {
        t.related
            .iter()
            .map(|&(c, n)| {
                let mut r = term_ref(site, TermKind::Concept, c);
                r["shared"] = json!(n);
                r
            })
            .collect()
    } else {
        Vec::new()
    };
    let curated = t.curated.as_ref();
    let v = json!({
        "kind": kind.singular(),
        "section": kind.section(),
        "name": t.name,
        "slug": t.slug,
        "url": site.base.link(&t.path()),
        "permalink": site.base.absolute(&t.path()),
        "count": t.episodes.len(),
        "website": curated.and_then(|c| c.website.clone()),
        "image": curated.and_then(|c| c.image.as_ref().map(|img| if img.contains("://") { img.clone() } else { site.base.link(img) })),
        "other_names": t.other_names,
        "definitions": definitions,
        "related": related,
        "extra": curated.map(|c| c.extra.clone()),
        "feed_url": site.base.link(&crate::feeds::term_feed_path(site, kind, i)),
    });
    let mut map = match to_value(&v).as_map() {
        Some(m) => m.clone(),
        None => return Value::none(),
    };
    let html = bodies
        .curated
        .get(&(kind, i))
        .map(|r| r.html.as_str())
        .unwrap_or("");
    map.insert("content".into(), safe(html));
    Value::from(map)
}

/// A description for a term page: the curated text's first paragraph, else a count.
pub fn term_description(site: &Site, _bodies: &Bodies, kind: TermKind, i: usize) -> String {
    let t = &site.terms(kind)[i];
    if let Some(c) = &t.curated {
        let first = crate::markdown::scan(&c.body).first_paragraph;
        if !first.is_empty() {
            return first;
        }
    }
    let n = t.episodes.len();
    let plural = if n == 1 { "" } else { "s" };
    match kind {
        TermKind::Concept => format!(
            "{n} episode{plural} discussing {}, and how each show defines it.",
            t.name
        ),
        TermKind::Show => format!("{n} episode digest{plural} of {}.", t.name),
        TermKind::Person => format!("{n} episode{plural} with {}.", t.name),
    }
}

/// Serialises JSON-LD safely for a `<script>` element: `<`, `>` and `&` are escaped so no
/// content can close the element.
pub fn jsonld_string(v: &Json) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// JSON-LD of an episode page.
pub fn episode_jsonld(site: &Site, i: usize) -> String {
    let e = &site.episodes[i];
    let d = &e.digest;
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": d.title,
        "description": d.summary,
        "datePublished": d.date.rfc3339(),
        "url": site.base.absolute(&e.path),
        "mainEntityOfPage": site.base.absolute(&e.path),
        "inLanguage": site.config.language,
        "author": {"@type": "Person", "name": site.config.author.name},
        "publisher": {"@type": "Organization", "name": site.config.title, "url": site.base.url},
        "about": e.concepts.iter().map(|c| {
            let t = &site.concepts[c.concept];
            json!({"@type": "DefinedTerm", "name": t.name, "url": site.base.absolute(&t.path())})
        }).collect::<Vec<_>>(),
        "mentions": e.people.iter().map(|&p| json!({"@type": "Person", "name": site.people[p].name})).collect::<Vec<_>>(),
    });
    if let Some(s) = e.show {
        v["isPartOf"] = json!({"@type": "CreativeWorkSeries", "name": site.shows[s].name, "url": site.base.absolute(&site.shows[s].path())});
    }
    if let Some(src) = &d.source {
        v["isBasedOn"] = json!(src);
    }
    jsonld_string(&v)
}

/// JSON-LD of the home page.
pub fn website_jsonld(site: &Site) -> String {
    jsonld_string(&json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site.config.title,
        "description": site.config.description,
        "url": site.base.url,
        "inLanguage": site.config.language,
    }))
}

/// JSON-LD of a list or term page.
pub fn collection_jsonld(site: &Site, path: &str, name: &str) -> String {
    jsonld_string(&json!({
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": name,
        "url": site.base.absolute(path),
        "isPartOf": {"@type": "WebSite", "name": site.config.title, "url": site.base.url},
    }))
}

/// JSON-LD of a standalone page.
pub fn webpage_jsonld(site: &Site, path: &str, name: &str) -> String {
    jsonld_string(&json!({
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": name,
        "url": site.base.absolute(path),
        "isPartOf": {"@type": "WebSite", "name": site.config.title, "url": site.base.url},
    }))
}

/// `site` (global in every template): `{title, description, language, base_url, base_path,
/// author: {name, email}, search, extra, generator}`.
pub fn site_value(site: &Site) -> Value {
    to_value(&json!({
        "title": site.config.title,
        "description": site.config.description,
        "language": site.config.language,
        "base_url": site.base.url,
        "base_path": site.base.path,
        "author": site.config.author,
        "search": site.config.search,
        "extra": site.config.extra,
        "generator": concat!("castdown ", env!("CARGO_PKG_VERSION")),
    }))
}
