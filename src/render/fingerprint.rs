//! Page fingerprints for `serve`: a hash of everything a page shows. A page whose fingerprint
//! did not change since the last build is reused instead of re-rendered, so editing one digest
//! re-renders that episode, its neighbours, and the lists, term pages and feeds it appears in.
//! (Template and config changes clear the cache: everything depends on them.)

use rayon::prelude::*;

use super::{Bodies, Job};
use crate::hash::Combine;
use crate::site::{Site, TermKind};

/// Hashes shared by many pages, computed once per build.
pub struct Fingerprints {
    /// What an episode's card shows (title, date, summary, show, concepts, people…).
    pub cards: Vec<u64>,
    /// Everything of an episode: its file, its body, its transcript.
    pub episodes: Vec<u64>,
    /// What a term's link and header show, per kind.
    terms: [Vec<u64>; 3],
}

fn kind_index(k: TermKind) -> usize {
    match k {
        TermKind::Concept => 0,
        TermKind::Show => 1,
        TermKind::Person => 2,
    }
}

fn term_ref(site: &Site, kind: TermKind, i: usize, c: &mut Combine) {
    let t = &site.terms(kind)[i];
    c.add(&t.name).add(&t.slug).add(&t.episodes.len());
}

impl Fingerprints {
    /// Computes the shared hashes.
    pub fn new(site: &Site, bodies: &Bodies) -> Fingerprints {
        let cards: Vec<u64> = (0..site.episodes.len())
            .into_par_iter()
            .map(|i| {
                let e = &site.episodes[i];
                let d = &e.digest;
                let mut c = Combine::new("card");
                c.add(&d.title)
                    .add(&d.slug)
                    .add(&d.date.rfc3339())
                    .add(&d.duration)
                    .add(&d.summary)
                    .add(&d.draft);
                if let Some(s) = e.show {
                    term_ref(site, TermKind::Show, s, &mut c);
                }
                for ec in &e.concepts {
                    term_ref(site, TermKind::Concept, ec.concept, &mut c);
                }
                for &p in &e.people {
                    term_ref(site, TermKind::Person, p, &mut c);
                }
                c.finish()
            })
            .collect();
        let episodes: Vec<u64> = (0..site.episodes.len())
            .into_par_iter()
            .map(|i| {
                let d = &site.episodes[i].digest;
                let mut c = Combine::new("episode");
                c.add(&cards[i])
                    .add(&d.source_hash)
                    .add(&bodies.episode_keys[i]);
                c.add(&d.transcript_data.as_ref().map(|t| t.hash));
                c.finish()
            })
            .collect();
        let terms = [TermKind::Concept, TermKind::Show, TermKind::Person].map(|kind| {
            site.terms(kind)
                .iter()
                .map(|t| {
                    let mut c = Combine::new("term");
                    c.add(&t.name)
                        .add(&t.slug)
                        .add(&t.episodes.len())
                        .add(&t.other_names);
                    if let Some(cur) = &t.curated {
                        c.add(&cur.body)
                            .add(&cur.website)
                            .add(&cur.image)
                            .add(&cur.name);
                    }
                    for &(r, n) in &t.related {
                        term_ref(site, TermKind::Concept, r, &mut c);
                        c.add(&n);
                    }
                    c.finish()
                })
                .collect()
        });
        Fingerprints {
            cards,
            episodes,
            terms,
        }
    }

    /// The fingerprint of one page.
    pub fn of(&self, site: &Site, job: &Job) -> u64 {
        match *job {
            Job::Episode(i) => {
                let e = &site.episodes[i];
                let mut c = Combine::new("episode-page");
                c.add(&self.episodes[i]);
                for &r in &e.related {
                    c.add(&self.cards[r]);
                }
                c.add(&e.prev_in_show.map(|j| self.cards[j]))
                    .add(&e.next_in_show.map(|j| self.cards[j]));
                c.finish()
            }
            Job::Transcript(i) => Combine::new("transcript-page")
                .add(&self.episodes[i])
                .add(&self.cards[i])
                .finish(),
            Job::Home(n, total) => {
                let per = site.config.paginate;
                let mut c = Combine::new("home");
                c.add(&n).add(&total).add(&site.episodes.len());
                for card in self.cards.iter().skip((n - 1) * per).take(per) {
                    c.add(card);
                }
                c.finish()
            }
            Job::TermList(kind) => {
                let mut c = Combine::new("term-list");
                c.add(&kind_index(kind)).add(&self.terms[kind_index(kind)]);
                c.finish()
            }
            Job::Term(kind, i, n, total) => {
                let t = &site.terms(kind)[i];
                let per = site.config.paginate;
                let mut c = Combine::new("term-page");
                c.add(&kind_index(kind))
                    .add(&self.terms[kind_index(kind)][i])
                    .add(&n)
                    .add(&total);
                for &e in t.episodes.iter().skip((n - 1) * per).take(per) {
                    // The card, and the definition this episode gives (in its file).
                    c.add(&self.cards[e])
                        .add(&site.episodes[e].digest.source_hash);
                }
                c.finish()
            }
            Job::Page(i) => {
                let p = &site.pages[i];
                Combine::new("page")
                    .add(&p.title)
                    .add(&p.description)
                    .add(&p.body)
                    .add(&p.slug)
                    .add(&p.extra.to_string())
                    .finish()
            }
            Job::Search => Combine::new("search").finish(),
            Job::NotFound => Combine::new("404").finish(),
        }
    }
}

/// The pages whose fingerprint covers episode `i`'s card or its file, found from the
/// model instead of by hashing every page: its own page and transcript, the episodes
/// that list it (related, previous, next), and the one page of the home list and of each
/// of its terms' lists it is on. An edit that changes only what these show (see
/// `pipeline::rebuild_episode`) re-renders just them.
pub fn pages_showing(site: &Site, i: usize) -> Vec<Job> {
    let Some(e) = site.episodes.get(i) else {
        return Vec::new();
    };
    let mut jobs = vec![Job::Episode(i)];
    if e.digest.transcript_data.is_some() {
        jobs.push(Job::Transcript(i));
    }
    for (j, other) in site.episodes.iter().enumerate() {
        if j != i
            && (other.related.contains(&i)
                || other.prev_in_show == Some(i)
                || other.next_in_show == Some(i))
        {
            jobs.push(Job::Episode(j));
        }
    }
    let per = site.config.paginate.max(1);
    jobs.push(Job::Home(
        i / per + 1,
        super::page_count(site.episodes.len(), per),
    ));
    let mut terms: Vec<(TermKind, usize)> = Vec::new();
    terms.extend(e.concepts.iter().map(|c| (TermKind::Concept, c.concept)));
    terms.extend(e.show.map(|s| (TermKind::Show, s)));
    terms.extend(e.people.iter().map(|&p| (TermKind::Person, p)));
    for (kind, t) in terms {
        let list = &site.terms(kind)[t].episodes;
        if let Ok(pos) = list.binary_search(&i) {
            jobs.push(Job::Term(
                kind,
                t,
                pos / per + 1,
                super::page_count(list.len(), per),
            ));
        }
    }
    jobs
}
