//! The values templates receive, each built by one function here (cards and term links once
//! per build, then shared). Links are root-relative with the base path (`url`);
//! `permalink`s are absolute. `docs/themes.md` lists every value for theme authors.

use serde_json::json;
use tera::Value;

use super::pages::Sort;
use super::tera::{KnownValues, obj, safe, to_value};
use crate::bodies::{Html, Others};
use crate::load::duration;
use crate::site::definitions::{FIRST_PAGE_EPISODES, FIRST_PAGE_PER_SHOW, PAGE_EPISODES};
use crate::site::{CARD_TERMS, Site, TermKind, paths};

/// What a page is made from besides the model.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// Values many pages share.
    pub shared: &'a Shared,
    /// Standalone pages' and curated descriptions' bodies.
    pub others: &'a Others,
}

/// Values reused by many pages, built once.
pub struct Shared {
    /// One card per episode: `{title, slug, url, permalink, date, date_human, date_rfc3339,
    /// duration, summary, show: {name, slug, url}?, concepts: [{name, slug, url}],
    /// people: [{name, slug, url}], draft}`. Each made on first use when built
    /// [`Shared::lazy`].
    cards: Vec<std::sync::OnceLock<Value>>,
    /// `{name, slug, url}` of every term, by kind (concepts, shows, people). No count: see
    /// [`term_ref`].
    refs: [Vec<Value>; 3],
    /// The hashes of the cards and references, for page fingerprints.
    known: KnownValues,
}

impl Shared {
    /// Builds the shared values of a site, every card at once.
    pub fn new(site: &Site) -> Shared {
        use rayon::prelude::*;
        let mut shared = Shared::with_refs(site, KnownValues::default());
        let cards: Vec<Value> = (0..site.episodes.len())
            .into_par_iter()
            .map(|i| card(site, &shared, i))
            .collect();
        // The cards' hashes are made in parallel (a tenth of this stage, one by one), then
        // remembered in order.
        let hashes: Vec<u64> = cards
            .par_iter()
            .map(|c| shared.known.fingerprint(c))
            .collect();
        for (c, hash) in cards.iter().zip(hashes) {
            shared.known.remember_as(c, hash);
        }
        shared.cards = cards.into_iter().map(std::sync::OnceLock::from).collect();
        shared
    }

    /// The shared values of a site, each card made when a page first asks for it: for a
    /// build that renders few pages (a reusing build after an edit), where making all of
    /// them was a twentieth of the build. Pages get the same values, with the same
    /// fingerprints, as from [`Shared::new`].
    pub fn lazy(site: &Site) -> Shared {
        let mut shared = Shared::with_refs(site, KnownValues::lazily());
        shared.cards = (0..site.episodes.len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        shared
    }

    /// No cards yet; every term reference made and remembered.
    fn with_refs(site: &Site, mut known: KnownValues) -> Shared {
        let refs = TermKind::ALL.map(|kind| {
            (0..site.terms(kind).len())
                .map(|i| term_ref(site, kind, i))
                .collect::<Vec<_>>()
        });
        // References first: a card's hash uses theirs.
        for r in refs.iter().flatten() {
            known.remember(r);
        }
        Shared {
            cards: Vec::new(),
            refs,
            known,
        }
    }

    /// Episode `i` of `site` (the site these were built for)'s card: a cheap clone, values
    /// share their contents.
    pub fn card(&self, site: &Site, i: usize) -> Value {
        let Some(slot) = self.cards.get(i) else {
            return Value::none();
        };
        slot.get_or_init(|| {
            let made = card(site, self, i);
            self.known.remember_made(&made);
            made
        })
        .clone()
    }

    /// How many cards are made.
    #[cfg(test)]
    pub fn made(&self) -> usize {
        self.cards.iter().filter(|c| c.get().is_some()).count()
    }

    /// Replaces episode `i`'s card (and its remembered hash).
    pub fn replace_card(&mut self, i: usize, new: Value) {
        if let Some(slot) = self.cards.get_mut(i) {
            if let Some(old) = slot.get() {
                self.known.forget(old);
            }
            self.known.remember(&new);
            *slot = std::sync::OnceLock::from(new);
        }
    }

    /// Makes episode `i`'s card again after its digest changed (serve's one-episode edit).
    pub fn refresh_card(&mut self, site: &Site, i: usize) {
        let new = card(site, self, i);
        self.replace_card(i, new);
    }

    /// The hashes of the values pages share.
    pub fn known(&self) -> &KnownValues {
        &self.known
    }

    /// A hash of episode `i`'s card, as templates receive it.
    pub fn card_fingerprint(&self, site: &Site, i: usize) -> u64 {
        self.known.fingerprint(&self.card(site, i))
    }

    /// A hash of term `i`'s reference (`{name, slug, url}`) as templates receive it.
    pub fn term_fingerprint(&self, kind: TermKind, i: usize) -> u64 {
        self.known.fingerprint(&self.term(kind, i))
    }

    /// Term `i` of `kind` as a reference: `{name, slug, url}`.
    pub fn term(&self, kind: TermKind, i: usize) -> Value {
        let k = match kind {
            TermKind::Concept => 0,
            TermKind::Show => 1,
            TermKind::Person => 2,
        };
        self.refs[k].get(i).cloned().unwrap_or_else(Value::none)
    }
}

/// A term as cards and pages name it. Its count is left out on purpose: a new digest adds
/// one to its terms' counts, and a count here would change nearly every page's values, so
/// a reusing build and serve would render nearly every page again for the same bytes
/// (`docs/themes.md`, "Shared shapes"). Lists of terms add the count themselves.
fn term_ref(site: &Site, kind: TermKind, i: usize) -> Value {
    let t = &site.terms(kind)[i];
    obj([
        ("name", t.name.as_str().into()),
        ("slug", t.slug.as_str().into()),
        ("url", site.base.link(&t.path()).into()),
    ])
}

/// A cue's start as `1:02:03` or `2:03`.
fn display_time(seconds: f64) -> String {
    duration::display(seconds.max(0.0).floor() as u64)
}

fn card(site: &Site, shared: &Shared, i: usize) -> Value {
    let e = &site.episodes[i];
    let d = &e.digest;
    let terms = |kind, ids: &mut dyn Iterator<Item = usize>| {
        Value::from(ids.map(|j| shared.term(kind, j)).collect::<Vec<_>>())
    };
    obj([
        ("title", d.title.as_str().into()),
        ("slug", d.slug.as_str().into()),
        ("url", site.base.link(&e.path).into()),
        ("permalink", site.base.absolute(&e.path).into()),
        ("date", d.date.ymd().into()),
        ("date_human", {
            let (y, m, day) = d.date.parts();
            site.words.date(y, m, day).into()
        }),
        ("date_rfc3339", d.date.rfc3339().into()),
        ("duration", d.duration.map(duration::display).into()),
        ("summary", d.summary.as_str().into()),
        (
            "show",
            e.show
                .map(|s| shared.term(TermKind::Show, s))
                .unwrap_or_else(Value::none),
        ),
        // Bounded (see `CARD_TERMS`): a card stands on every list its episode is in.
        (
            "concepts",
            terms(
                TermKind::Concept,
                &mut e.concepts.iter().map(|c| c.concept).take(CARD_TERMS),
            ),
        ),
        (
            "concepts_more",
            e.concepts.len().saturating_sub(CARD_TERMS).into(),
        ),
        (
            "people",
            terms(
                TermKind::Person,
                &mut e.people.iter().copied().take(CARD_TERMS),
            ),
        ),
        (
            "people_more",
            e.people.len().saturating_sub(CARD_TERMS).into(),
        ),
        ("draft", d.draft.into()),
        // Dated after the build started: only serve (or `--future`) publishes it.
        ("scheduled", (d.date.timestamp() > site.now).into()),
        // Its own cover art or its show's (the site's image would be on every card).
        (
            "image",
            image_value(
                d.image
                    .as_ref()
                    .map(|img| site.image(img, Some(i)))
                    .or_else(|| e.show.and_then(|s| site.show_image(s))),
            ),
        ),
    ])
}

/// An image: `{url (a link), permalink (absolute), width?, height?}` (the size when the
/// file is on the site).
pub fn image_value(img: Option<crate::site::media::Image>) -> Value {
    match img {
        Some(i) => obj([
            ("url", i.link.into()),
            ("permalink", i.absolute.into()),
            ("width", i.size.map(|s| s.0).into()),
            ("height", i.size.map(|s| s.1).into()),
        ]),
        None => Value::none(),
    }
}

/// `page`: what the base layout needs for `<head>`: `{title, description, path, url,
/// permalink, og_type, alternates: [], jsonld (safe), image? (the site's image; an episode
/// page has its cover art, a show page its show's)}`.
pub fn page_value(
    site: &Site,
    path: &str,
    title: &str,
    description: &str,
    og_type: &str,
    jsonld: String,
) -> Value {
    obj([
        ("title", title.into()),
        (
            "description",
            crate::text::truncate(description, 300).into(),
        ),
        ("path", path.into()),
        ("url", site.base.link(path).into()),
        ("permalink", site.base.absolute(path).into()),
        ("og_type", og_type.into()),
        ("alternates", Value::from(Vec::<Value>::new())),
        ("jsonld", safe(&jsonld)),
        ("image", image_value(site.site_image())),
    ])
}

/// `episode`: the card fields plus `{content (HTML), toc: [{level, id, title}], concepts:
/// [{name, as_written, url, definition?, definition_from? ("digest" or "concept" when the
/// definition is borrowed), defined_in? (card)}], key_concepts_in_body, transcript: {url, file_url,
/// word_count, cues}?, source, duration_iso, duration_seconds, word_count, reading_minutes,
/// related: [card], prev: card?, next: card?, media, extra, data_url}`, all but what comes from
/// the rendered body ([`episode_body_values`]).
pub fn episode_value(site: &Site, shared: &Shared, i: usize) -> Value {
    let e = &site.episodes[i];
    let d = &e.digest;
    let concepts: Vec<Value> = e
        .concepts
        .iter()
        .map(|c| {
            let t = &site.concepts[c.concept];
            // A concept named without a definition borrows one (see `Site::borrowed_definition`).
            let (definition, from, defined_in) = match c.definition(&e.digest) {
                Some(own) => (Some(own), None, Value::none()),
                None => match site.borrowed_definition(c.concept) {
                    Some((text, Some(e))) => (Some(text), Some("digest"), shared.card(site, e)),
                    Some((text, None)) => (Some(text), Some("concept"), Value::none()),
                    None => (None, None, Value::none()),
                },
            };
            obj([
                ("name", t.name.as_str().into()),
                ("as_written", c.name(&e.digest).into()),
                ("url", site.base.link(&t.path()).into()),
                ("definition", definition.into()),
                ("definition_from", from.into()),
                ("defined_in", defined_in),
            ])
        })
        .collect();
    let transcript = match (e.transcript_page_path(), &d.transcript_data) {
        (Some(p), Some(t)) => obj([
            ("url", site.base.link(&p).into()),
            (
                "file_url",
                e.transcript_file_path().map(|f| site.base.link(&f)).into(),
            ),
            ("word_count", t.word_count().into()),
            ("cues", t.cues.len().into()),
        ]),
        _ => Value::none(),
    };
    let card = |j: Option<usize>| j.map_or_else(Value::none, |j| shared.card(site, j));
    let related: Vec<Value> = e.related.iter().map(|&j| card(Some(j))).collect();
    let media = d.media.as_ref();
    let player = media
        .map(|m| {
            obj([
                ("kind", if m.is_video() { "video" } else { "audio" }.into()),
                ("url", site.media_link(m).into()),
                ("type", m.mime.as_str().into()),
            ])
        })
        .unwrap_or_else(Value::none);
    let embed = match (media, &d.source, site.config.embeds) {
        (None, Some(src), true) => crate::site::media::Video::of(src)
            .map(|v| {
                obj([
                    ("provider", v.provider.name().into()),
                    ("src", v.embed_url(0).into()),
                    ("url", src.as_str().into()),
                ])
            })
            .unwrap_or_else(Value::none),
        _ => Value::none(),
    };
    super::tera::extend(
        &shared.card(site, i),
        [
            ("player", player),
            ("embed", embed),
            (
                "chapters_url",
                e.chapters_path().map(|p| site.base.link(&p)).into(),
            ),
            (
                "chapters_vtt_url",
                e.chapters_vtt_path().map(|p| site.base.link(&p)).into(),
            ),
            ("concepts", Value::from(concepts)),
            ("source", d.source.as_deref().into()),
            ("duration_iso", d.duration.map(duration::iso).into()),
            ("duration_seconds", d.duration.into()),
            ("key_concepts_in_body", d.key_concepts_in_body.into()),
            ("media", to_value(&d.media)),
            ("extra", to_value(&d.extra)),
            ("data_url", site.base.link(&e.data_path()).into()),
            ("transcript", transcript),
            ("related", Value::from(related)),
            ("prev", card(e.prev_in_show)),
            ("next", card(e.next_in_show)),
        ],
    )
}

/// The fields of `episode` that come from its rendered body: `content`, `toc`, `chapters`
/// (each links to its heading), `word_count` and `reading_minutes`. They are kept apart
/// because the body's key stands in for them in a page's fingerprint: a build that keeps
/// the page need not render the body (see `declare::Page::set_body`).
pub fn episode_body_values(site: &Site, body: &Html, i: usize) -> [(&'static str, Value); 5] {
    let d = &site.episodes[i].digest;
    let toc: Vec<Value> = body
        .toc
        .iter()
        .map(|h| {
            obj([
                ("level", h.level.into()),
                ("id", h.id.as_str().into()),
                ("title", h.title.as_str().into()),
            ])
        })
        .collect();
    // Each chapter links to its section: the headings that end with a time, in order.
    let mut headings = body.toc.iter();
    let chapters: Vec<Value> = d
        .chapters
        .iter()
        .map(|c| {
            let id = headings
                .by_ref()
                .find(|h| h.title == c.title)
                .map(|h| h.id.as_str());
            obj([
                ("title", c.title.as_str().into()),
                ("time", duration::display(c.start).into()),
                ("seconds", c.start.into()),
                ("url", site.moment_url(i, c.start).into()),
                ("id", id.into()),
            ])
        })
        .collect();
    [
        ("chapters", Value::from(chapters)),
        ("toc", Value::from(toc)),
        ("word_count", body.word_count.into()),
        (
            "reading_minutes",
            body.word_count.div_ceil(200).max(1).into(),
        ),
        ("content", safe(&body.html)),
    ]
}

/// `transcript`: `{word_count, speakers: [name], cues: [{id, time, seconds, url?, speaker?,
/// text}]}`; `url` is the source at that second.
pub fn transcript_value(site: &Site, i: usize) -> Value {
    let e = &site.episodes[i];
    let Some(t) = &e.digest.transcript_data else {
        return Value::none();
    };
    let mut speakers: Vec<&str> = Vec::new();
    let cues: Vec<Value> = t
        .cues
        .iter()
        .enumerate()
        .map(|(n, c)| {
            if let Some(s) = c.speaker.as_deref()
                && !speakers.contains(&s)
            {
                speakers.push(s);
            }
            obj([
                ("id", format!("t{}", n + 1).into()),
                ("time", c.start.map(display_time).into()),
                ("seconds", c.start.map(|s| s.floor() as u64).into()),
                (
                    "url",
                    c.start
                        .and_then(|s| site.moment_url(i, s.max(0.0).floor() as u64))
                        .into(),
                ),
                ("speaker", c.speaker.as_deref().into()),
                ("text", c.text.as_str().into()),
            ])
        })
        .collect();
    obj([
        ("word_count", t.word_count().into()),
        ("speakers", Value::from(speakers)),
        ("cues", Value::from(cues)),
    ])
}

/// How many concepts, people or shows a profile lists.
const PROFILE_TOP: usize = 8;

/// `profile` (shows and people, page 1): `{count, first, latest (dates), concepts, people,
/// shows}`, each list of term references plus `shared` (digests in common), most first, at
/// most eight; a show's `shows` and a person's `people` are empty.
fn profile_value(site: &Site, shared: &Shared, kind: TermKind, episodes: &[usize]) -> Value {
    let mut concepts: Vec<usize> = vec![0; site.concepts.len()];
    let mut people: Vec<usize> = vec![0; site.people.len()];
    let mut shows: Vec<usize> = vec![0; site.shows.len()];
    for &e in episodes {
        let ep = &site.episodes[e];
        for c in &ep.concepts {
            concepts[c.concept] += 1;
        }
        if kind == TermKind::Show {
            for &p in &ep.people {
                people[p] += 1;
            }
        } else if let Some(sh) = ep.show {
            shows[sh] += 1;
        }
    }
    let top = |counts: Vec<usize>, of: TermKind| -> Value {
        let mut v: Vec<(usize, usize)> = counts
            .into_iter()
            .enumerate()
            .filter(|&(_, n)| n > 0)
            .collect();
        // Most first; ties in the model's order.
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Value::from(
            v.into_iter()
                .take(PROFILE_TOP)
                .map(|(i, n)| super::tera::extend(&shared.term(of, i), [("shared", n.into())]))
                .collect::<Vec<_>>(),
        )
    };
    let date = |e: Option<&usize>| {
        e.map(|&e| site.episodes[e].digest.date.ymd())
            .map_or_else(Value::none, Value::from)
    };
    obj([
        ("count", episodes.len().into()),
        ("first", date(episodes.last())),
        ("latest", date(episodes.first())),
        ("concepts", top(concepts, TermKind::Concept)),
        ("people", top(people, TermKind::Person)),
        ("shows", top(shows, TermKind::Show)),
    ])
}

/// Width and bar height of a timeline chart, in SVG user units (it scales to its box).
const CHART_W: usize = 600;
const CHART_H: usize = 100;

/// `timeline` (concept pages, page 1): `{unit: "year"|"month", unit_label (the word in the site's language), periods: [{label, count}],
/// bars: [{label, count, x, y, width, height}], from, to (first and last label), width,
/// height, max, summary, first: {title,
/// url, date}, latest: {…}}`. The bars are laid out here, so a theme draws an SVG without
/// arithmetic in the template.
fn timeline_value(site: &Site, tl: &crate::site::timeline::Timeline) -> Value {
    let max = tl.periods.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let n = tl.periods.len().max(1);
    let slot = CHART_W as f64 / n as f64;
    let bars: Vec<Value> = tl
        .periods
        .iter()
        .enumerate()
        .map(|(i, (label, count))| {
            let h = if *count == 0 {
                0.0
            } else {
                (*count as f64 / max as f64 * CHART_H as f64).max(2.0)
            };
            let round = |v: f64| (v * 10.0).round() / 10.0;
            obj([
                ("label", label.as_str().into()),
                ("count", (*count).into()),
                ("x", round(i as f64 * slot + slot * 0.1).into()),
                ("y", round(CHART_H as f64 - h).into()),
                ("width", round(slot * 0.8).into()),
                ("height", round(h).into()),
            ])
        })
        .collect();
    let (busiest, most) =
        tl.periods.iter().fold(
            ("", 0),
            |b, p| if p.1 > b.1 { (p.0.as_str(), p.1) } else { b },
        );
    let words = &site.words;
    let span = match (tl.periods.first(), tl.periods.last()) {
        (Some(a), Some(b)) if a.0 != b.0 => {
            words.fill("date_range", &[("from", &a.0), ("to", &b.0)])
        }
        (Some(a), _) => a.0.clone(),
        _ => String::new(),
    };
    let total: usize = tl.periods.iter().map(|p| p.1).sum();
    let unit = words.get(tl.unit);
    let most = most.to_string();
    let summary = words.count(
        "timeline_summary",
        total,
        &[
            ("unit", unit),
            ("span", &span),
            ("busiest", busiest),
            ("most", &most),
        ],
    );
    let mention = |e: usize| {
        let ep = &site.episodes[e];
        obj([
            ("title", ep.digest.title.as_str().into()),
            ("url", site.base.link(&ep.path).into()),
            ("date", ep.digest.date.ymd().into()),
        ])
    };
    obj([
        ("unit", tl.unit.into()),
        ("unit_label", unit.into()),
        (
            "periods",
            Value::from(
                tl.periods
                    .iter()
                    .map(|(l, c)| obj([("label", l.as_str().into()), ("count", (*c).into())]))
                    .collect::<Vec<_>>(),
            ),
        ),
        ("bars", Value::from(bars)),
        (
            "from",
            tl.periods
                .first()
                .map(|p| p.0.as_str())
                .unwrap_or("")
                .into(),
        ),
        (
            "to",
            tl.periods.last().map(|p| p.0.as_str()).unwrap_or("").into(),
        ),
        ("width", CHART_W.into()),
        ("height", CHART_H.into()),
        ("max", max.into()),
        ("summary", summary.into()),
        ("first", mention(tl.first)),
        ("latest", mention(tl.latest)),
    ])
}

/// `paginator`: `{current, total, count, prev_url?, next_url?, pages: [{number, url,
/// current}]}` (a window around the current page plus first and last).
pub fn paginator(site: &Site, base: &str, current: usize, total: usize, count: usize) -> Value {
    let url = |n: usize| site.base.link(&paths::paginated(base, n));
    let mut numbers: Vec<usize> = vec![1, total];
    numbers.extend(current.saturating_sub(2).max(1)..=(current + 2).min(total));
    numbers.sort_unstable();
    numbers.dedup();
    let pages: Vec<Value> = numbers
        .iter()
        .map(|&n| {
            obj([
                ("number", n.into()),
                ("url", url(n).into()),
                ("current", (n == current).into()),
            ])
        })
        .collect();
    obj([
        ("current", current.into()),
        ("total", total.into()),
        ("count", count.into()),
        ("prev_url", (current > 1).then(|| url(current - 1)).into()),
        (
            "next_url",
            (current < total).then(|| url(current + 1)).into(),
        ),
        ("pages", Value::from(pages)),
    ])
}

/// `terms`: `{sort ("name" or "count"), total, name_url, count_url (the list in each order),
/// letters: [{letter, anchor?}] (A–Z always, other initials when used; an anchor when some
/// term starts with it; name order only), groups: [{letter?, anchor?, terms: [term
/// reference plus `count`, `line` (one line about it, may be empty) and `other_names`]}]}`:
/// by name, one group per initial (`#` for digits and symbols, first); by count, one group
/// without a letter, most digests first, ties by name.
pub fn term_list(site: &Site, shared: &Shared, kind: TermKind, sort: Sort) -> Value {
    let terms = site.terms(kind);
    let mut order: Vec<(String, usize)> = (0..terms.len())
        .map(|i| (crate::names::sort_key(&terms[i].name), i))
        .collect();
    order.sort_by(|a, b| {
        let (ia, ib) = (initial(&a.0), initial(&b.0));
        initial_rank(ia)
            .cmp(&initial_rank(ib))
            .then(a.0.cmp(&b.0))
            .then(terms[a.1].slug.cmp(&terms[b.1].slug))
    });
    if sort == Sort::Count {
        // Stable: equal counts stay by name.
        order.sort_by(|a, b| terms[b.1].episodes.len().cmp(&terms[a.1].episodes.len()));
    }
    let entry = |i: usize| {
        super::tera::extend(
            &shared.term(kind, i),
            [
                ("count", terms[i].episodes.len().into()),
                ("line", site.one_line(kind, i).into()),
                (
                    "other_names",
                    Value::from(
                        terms[i]
                            .other_names
                            .iter()
                            .map(|n| Value::from(n.as_str()))
                            .collect::<Vec<_>>(),
                    ),
                ),
            ],
        )
    };
    let anchor = |c: char| match c {
        '#' => "letter-other".to_string(),
        c => format!("letter-{}", c.to_lowercase()),
    };
    let mut groups: Vec<Value> = Vec::new();
    let mut letters: Vec<Value> = Vec::new();
    if sort == Sort::Name {
        let mut start = 0;
        while start < order.len() {
            let c = initial(&order[start].0);
            let end = order[start..]
                .iter()
                .position(|(k, _)| initial(k) != c)
                .map_or(order.len(), |p| start + p);
            groups.push(obj([
                ("letter", c.to_string().into()),
                ("anchor", anchor(c).into()),
                (
                    "terms",
                    Value::from(
                        order[start..end]
                            .iter()
                            .map(|&(_, i)| entry(i))
                            .collect::<Vec<_>>(),
                    ),
                ),
            ]));
            start = end;
        }
        let used: Vec<char> = order.iter().map(|(k, _)| initial(k)).collect();
        let mut all: Vec<char> = ('A'..='Z').collect();
        all.extend(used.iter().copied().filter(|c| !c.is_ascii_uppercase()));
        all.sort_by_key(|&c| (initial_rank(c), c));
        all.dedup();
        letters = all
            .into_iter()
            .map(|c| {
                obj([
                    ("letter", c.to_string().into()),
                    ("anchor", used.contains(&c).then(|| anchor(c)).into()),
                ])
            })
            .collect();
    } else {
        groups.push(obj([
            ("letter", Value::none()),
            ("anchor", Value::none()),
            (
                "terms",
                Value::from(order.iter().map(|&(_, i)| entry(i)).collect::<Vec<_>>()),
            ),
        ]));
    }
    obj([
        (
            "sort",
            match sort {
                Sort::Name => "name",
                Sort::Count => "count",
            }
            .into(),
        ),
        ("total", terms.len().into()),
        ("name_url", site.base.link(&kind.list_path()).into()),
        (
            "count_url",
            site.base.link(&kind.list_by_count_path()).into(),
        ),
        ("letters", Value::from(letters)),
        ("groups", Value::from(groups)),
    ])
}

/// The initial a name is listed under: its first letter, uppercase (`É` under `E`: the key
/// has no accents), or `#` for a digit or symbol.
fn initial(sort_key: &str) -> char {
    match sort_key.chars().next() {
        Some(c) if c.is_alphabetic() => c.to_uppercase().next().unwrap_or(c),
        _ => '#',
    }
}

/// `#` first, then A–Z, then the initials of other scripts.
fn initial_rank(c: char) -> u8 {
    match c {
        '#' => 0,
        c if c.is_ascii_uppercase() => 1,
        _ => 2,
    }
}

/// `term`: `{kind, section, name, slug, url, permalink, count, content (curated HTML), website,
/// image, other_names, definitions (concepts, page 1; see [`first_page_definitions`]),
/// related: [{name, slug, url, shared}], timeline (concepts named by two digests or
/// more, page 1; see [`timeline_value`]), profile (shows and people, page 1; see
/// [`profile_value`]), extra, feed_url}`. Later pages list episodes only, so a concept
/// discussed in thousands of episodes still has pages of a readable size.
pub fn term_value(
    site: &Site,
    Inputs { shared, others }: Inputs,
    kind: TermKind,
    i: usize,
    first_page: bool,
) -> Value {
    let t = &site.terms(kind)[i];
    let definitions = if first_page && kind == TermKind::Concept {
        first_page_definitions(site, shared, i)
    } else {
        Value::none()
    };
    let related: Vec<Value> = if first_page {
        t.related
            .iter()
            .map(|&(c, n)| {
                super::tera::extend(&shared.term(TermKind::Concept, c), [("shared", n.into())])
            })
            .collect()
    } else {
        Vec::new()
    };
    let profile = if first_page && kind != TermKind::Concept {
        profile_value(site, shared, kind, &t.episodes)
    } else {
        Value::none()
    };
    // One mention is no trend: the episode list says when it was.
    let timeline = if first_page && kind == TermKind::Concept && t.episodes.len() > 1 {
        crate::site::timeline::of(site, &t.episodes)
            .map(|tl| timeline_value(site, &tl))
            .unwrap_or_else(Value::none)
    } else {
        Value::none()
    };
    let curated = t.curated.as_ref();
    let html = others
        .curated
        .get(&(kind, i))
        .map(|r| r.html.as_str())
        .unwrap_or("");
    obj([
        ("kind", kind.singular().into()),
        ("section", kind.section().into()),
        ("name", t.name.as_str().into()),
        ("slug", t.slug.as_str().into()),
        ("url", site.base.link(&t.path()).into()),
        ("permalink", site.base.absolute(&t.path()).into()),
        ("count", t.episodes.len().into()),
        ("website", curated.and_then(|c| c.website.as_deref()).into()),
        (
            "image",
            curated
                .and_then(|c| c.image.as_ref())
                .map(|img| site.image(img, None).link)
                .into(),
        ),
        (
            "other_names",
            Value::from(
                t.other_names
                    .iter()
                    .map(|n| Value::from(n.as_str()))
                    .collect::<Vec<_>>(),
            ),
        ),
        ("definitions", definitions),
        ("related", Value::from(related)),
        ("timeline", timeline),
        ("profile", profile),
        (
            "extra",
            curated
                .map(|c| to_value(&c.extra))
                .unwrap_or_else(Value::none),
        ),
        (
            "feed_url",
            site.base.link(&site.terms(kind)[i].feed_path()).into(),
        ),
        ("content", safe(html)),
    ])
}

/// One definition of a concept as the digests `given` give it (newest first): `{text (the
/// newest one's wording), count, episodes: [card] (the first `shown`), more}`.
fn definition_value(
    site: &Site,
    shared: &Shared,
    c: usize,
    given: &[usize],
    shown: usize,
) -> Value {
    let text = crate::site::definitions::given(&site.episodes, given[0], c).unwrap_or("");
    obj([
        ("text", text.into()),
        ("count", given.len().into()),
        (
            "episodes",
            Value::from(
                given
                    .iter()
                    .take(shown)
                    .map(|&e| shared.card(site, e))
                    .collect::<Vec<_>>(),
            ),
        ),
        ("more", given.len().saturating_sub(shown).into()),
    ])
}

/// The anchor of a show's group on the full list of definitions: `defs-<show slug>`, or
/// `no-show-defs` for the digests without a show (which no show's anchor can be).
fn group_anchor(site: &Site, show: Option<usize>) -> String {
    match show {
        Some(s) => format!("defs-{}", site.shows[s].slug),
        None => "no-show-defs".to_string(),
    }
}

/// A show's group of definitions: `{show: term reference?, anchor, given (its digests that
/// define the concept), definitions: [definition], more (definitions not listed here),
/// all_url? (where the full list has them), continued (it began on an earlier page)}`.
/// `full_list` is `None` on the concept's first page, else whether the group began on an
/// earlier page of the full list.
fn group_value(
    site: &Site,
    shared: &Shared,
    c: usize,
    g: usize,
    listed: &[usize],
    full_list: Option<bool>,
) -> Value {
    let compared = &site.concepts[c].definitions;
    let group = &compared.shows[g];
    let shown = match full_list {
        None => FIRST_PAGE_EPISODES,
        Some(_) => PAGE_EPISODES,
    };
    let continued = full_list == Some(true);
    // The full list itself links to nothing further ("more" counts the definitions this
    // show has on its other pages).
    let all_url = (full_list.is_none() && listed.len() < group.definitions.len()).then(|| {
        let page = compared.full_list_page_of_group(g);
        format!(
            "{}#{}",
            site.base.link(&site.concepts[c].definitions_path(page)),
            group_anchor(site, group.show)
        )
    });
    obj([
        (
            "show",
            group
                .show
                .map(|s| shared.term(TermKind::Show, s))
                .unwrap_or_else(Value::none),
        ),
        ("anchor", group_anchor(site, group.show).into()),
        ("given", group.given.into()),
        (
            "definitions",
            Value::from(
                listed
                    .iter()
                    .map(|&d| definition_value(site, shared, c, &group.definitions[d], shown))
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "more",
            group.definitions.len().saturating_sub(listed.len()).into(),
        ),
        ("all_url", all_url.into()),
        ("continued", continued.into()),
    ])
}

/// `term.definitions` on a concept's first page, its digests' definitions compared: `{shows:
/// [group] (the show whose digests define it most first, digests without a show last; each
/// with its few most given definitions), given (digests defining it), distinct, ways, all_url?
/// (the full list, when some show has more than the page shows)}`; none when no digest
/// defines it. `distinct` counts each show's definitions apart, `ways` counts the different
/// wordings over every show.
fn first_page_definitions(site: &Site, shared: &Shared, c: usize) -> Value {
    let compared = &site.concepts[c].definitions;
    if compared.shows.is_empty() {
        return Value::none();
    }
    let shows: Vec<Value> = compared
        .shows
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let listed: Vec<usize> =
                (0..group.definitions.len().min(FIRST_PAGE_PER_SHOW)).collect();
            group_value(site, shared, c, g, &listed, None)
        })
        .collect();
    let all_url = compared
        .has_full_list()
        .then(|| site.base.link(&site.concepts[c].definitions_path(1)));
    obj([
        ("shows", Value::from(shows)),
        ("given", compared.given().into()),
        ("distinct", compared.distinct().into()),
        ("ways", compared.ways.into()),
        ("all_url", all_url.into()),
    ])
}

/// `definitions` on page `n` of a concept's full list: `{shows: [group] (the groups this page
/// holds, in the first page's order, `continued` when a group began on an earlier page),
/// given, distinct}`.
pub fn full_list_definitions(site: &Site, shared: &Shared, c: usize, n: usize) -> Value {
    let compared = &site.concepts[c].definitions;
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (g, d) in compared.full_list_page(n) {
        match groups.last_mut() {
            Some((last, ds)) if *last == g => ds.push(d),
            _ => groups.push((g, vec![d])),
        }
    }
    let shows: Vec<Value> = groups
        .iter()
        .map(|(g, ds)| {
            let continued = ds.first().is_some_and(|&d| d > 0);
            group_value(site, shared, c, *g, ds, Some(continued))
        })
        .collect();
    obj([
        ("shows", Value::from(shows)),
        ("given", compared.given().into()),
        ("distinct", compared.distinct().into()),
    ])
}

/// A description for a term page: the curated text's first paragraph, else a count.
pub fn term_description(site: &Site, kind: TermKind, i: usize) -> String {
    let t = &site.terms(kind)[i];
    if let Some(first) = t.curated_summary() {
        return first.to_string();
    }
    let key = match kind {
        TermKind::Concept => "concept_description",
        TermKind::Show => "show_description",
        TermKind::Person => "person_description",
    };
    site.words
        .count(key, t.episodes.len(), &[("name", t.name.as_str())])
}

/// Serialises JSON-LD safely for a `<script>` element: `<`, `>` and `&` are escaped so no
/// content can close the element.
pub fn jsonld_string<T: serde::Serialize + ?Sized>(v: &T) -> String {
    let json = serde_json::to_string(v).unwrap_or_default();
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// `{"@type", name, url?}`: a node of JSON-LD naming a thing.
#[derive(serde::Serialize)]
struct LdNode<'a> {
    #[serde(rename = "@type")]
    kind: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// An episode's JSON-LD, from borrowed fields: built through `json!` it was a tenth of an
/// episode page's cost. Fields are in byte order of their names, the order a `json!` object
/// (a sorted map) printed them in, so pages stay the same.
#[derive(serde::Serialize)]
struct LdArticle<'a> {
    #[serde(rename = "@context")]
    context: &'a str,
    #[serde(rename = "@type")]
    kind: &'a str,
    about: Vec<LdNode<'a>>,
    author: LdNode<'a>,
    #[serde(rename = "datePublished")]
    date_published: String,
    description: &'a str,
    headline: &'a str,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    /// The original episode the digest summarises (the show's episode, not the digest, is
    /// part of the show).
    #[serde(rename = "isBasedOn", skip_serializing_if = "Option::is_none")]
    is_based_on: Option<LdEpisode<'a>>,
    #[serde(rename = "mainEntityOfPage")]
    main_entity_of_page: &'a str,
    mentions: Vec<LdNode<'a>>,
    publisher: LdNode<'a>,
    url: &'a str,
}

/// The original episode as JSON-LD: `{"@type": "PodcastEpisode" or "Episode", name, url?
/// (its source), partOfSeries? (the show)}`.
#[derive(serde::Serialize)]
struct LdEpisode<'a> {
    #[serde(rename = "@type")]
    kind: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(rename = "partOfSeries", skip_serializing_if = "Option::is_none")]
    part_of_series: Option<LdNode<'a>>,
}

/// JSON-LD of an episode page.
pub fn episode_jsonld(site: &Site, i: usize) -> String {
    let e = &site.episodes[i];
    let d = &e.digest;
    let url = site.base.absolute(&e.path);
    let node = |kind, name, url| LdNode { kind, name, url };
    jsonld_string(&LdArticle {
        context: "https://schema.org",
        kind: "Article",
        about: e
            .concepts
            .iter()
            .map(|c| {
                let t = &site.concepts[c.concept];
                node("DefinedTerm", &t.name, Some(site.base.absolute(&t.path())))
            })
            .collect(),
        author: node("Person", &site.config.author.name, None),
        date_published: d.date.rfc3339(),
        description: &d.summary,
        headline: &d.title,
        in_language: &site.config.language,
        is_based_on: (d.source.is_some() || e.show.is_some()).then(|| LdEpisode {
            kind: if d.media.as_ref().is_some_and(|m| !m.is_video()) {
                "PodcastEpisode"
            } else {
                "Episode"
            },
            name: &d.title,
            url: d.source.as_deref(),
            part_of_series: e.show.map(|s| {
                let show = &site.shows[s];
                node(
                    "CreativeWorkSeries",
                    &show.name,
                    Some(site.base.absolute(&show.path())),
                )
            }),
        }),
        main_entity_of_page: &url,
        mentions: e
            .people
            .iter()
            .map(|&p| node("Person", &site.people[p].name, None))
            .collect(),
        publisher: node(
            "Organization",
            &site.config.title,
            Some(site.base.url.clone()),
        ),
        url: &url,
    })
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

/// `site` (global in every template): `{title, description, language, locale, base_url, base_path,
/// author: {name, email}, search, extra, generator}`.
pub fn site_value(site: &Site) -> Value {
    to_value(&json!({
        "title": site.config.title,
        "description": site.config.description,
        "language": site.config.language,
        "locale": site.words.locale,
        "base_url": site.base.url,
        "base_path": site.base.path,
        "author": site.config.author,
        "search": site.config.search,
        "extra": site.config.extra,
        "generator": concat!("castdown ", env!("CARGO_PKG_VERSION")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_times() {
        assert_eq!(display_time(3723.5), "1:02:03");
        assert_eq!(display_time(5.0), "0:05");
    }
}
