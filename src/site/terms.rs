//! Concepts, shows and people share one model: a [`Term`] merged by identity, displayed by its
//! most used spelling, addressed by a slug that only depends on its identity (or the curated
//! file's name), so adding content never moves an existing URL.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::error::Diagnostic;
use crate::load::{Curated, Digest};
use crate::names::{identity, slugify};

/// Which kind of term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TermKind {
    /// `/concepts/`
    Concept,
    /// `/shows/`
    Show,
    /// `/people/`
    Person,
}

impl TermKind {
    /// Every kind, in the order pages and feeds list them.
    pub const ALL: [TermKind; 3] = [TermKind::Concept, TermKind::Show, TermKind::Person];

    /// The list of every term of this kind: `concepts/`.
    pub fn list_path(self) -> String {
        super::paths::term_list(self.section())
    }

    /// The same list sorted by digest count: `concepts/by-count/`.
    pub fn list_by_count_path(self) -> String {
        super::paths::term_list_by_count(self.section())
    }

    /// The URL section: `concepts`, `shows` or `people`.
    pub fn section(self) -> &'static str {
        match self {
            TermKind::Concept => "concepts",
            TermKind::Show => "shows",
            TermKind::Person => "people",
        }
    }

    /// Singular noun for messages and templates.
    pub fn singular(self) -> &'static str {
        match self {
            TermKind::Concept => "concept",
            TermKind::Show => "show",
            TermKind::Person => "person",
        }
    }
}

/// A concept, show or person.
#[derive(Debug, Clone)]
pub struct Term {
    /// Kind.
    pub kind: TermKind,
    /// Identity key.
    pub key: String,
    /// URL slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Other spellings and aliases seen, sorted (for search and `digest.json`).
    pub other_names: Vec<String>,
    /// Episodes, newest first (indexes into `Site::episodes`).
    pub episodes: Vec<usize>,
    /// Curated description, when the site has one.
    pub curated: Option<Curated>,
    /// The first paragraph of the curated description, as plain text (read once: digest
    /// pages that borrow it and the glossary show it).
    summary: Option<String>,
    /// Related concepts with co-occurrence counts, best first (concepts only).
    pub related: Vec<(usize, usize)>,
    /// Its digests' definitions compared (concepts only).
    pub definitions: super::definitions::Compared,
    /// The file that first names this term: its curated file, else its earliest digest (for
    /// error messages).
    pub source: Option<PathBuf>,
}

impl Term {
    /// The first paragraph of its curated description, as plain text, if it has one.
    pub fn curated_summary(&self) -> Option<&str> {
        self.summary.as_deref()
    }

    /// Output path of its Atom feed: `concepts/<slug>/atom.xml`.
    pub fn feed_path(&self) -> String {
        super::paths::term_feed(&self.path())
    }

    /// Output path: `concepts/<slug>/`.
    pub fn path(&self) -> String {
        super::paths::term(self.kind.section(), &self.slug)
    }

    /// Output path of page `n` of its full list of definitions (concepts):
    /// `concepts/<slug>/definitions/`, `…/definitions/page/2/`.
    pub fn definitions_path(&self, n: usize) -> String {
        super::paths::paginated(&super::paths::term_definitions(&self.path()), n)
    }
}

/// Resolves names (and aliases) to term indexes.
#[derive(Debug, Default)]
pub struct Lookup {
    aliases: HashMap<String, String>,
    index: HashMap<String, usize>,
    /// Every name as the digests spelled it, with the term it finds: most names are
    /// spelled alike in many digests, and working out a name's identity again for each
    /// was a tenth of building the model from kept digests.
    spelled: HashMap<String, usize, ahash::RandomState>,
}

impl Lookup {
    fn resolve(&self, name: &str) -> String {
        let mut key = identity(name);
        // Follow alias chains, bounded so a cycle cannot loop forever.
        for _ in 0..8 {
            match self.aliases.get(&key) {
                Some(next) if *next != key => key = next.clone(),
                _ => break,
            }
        }
        key
    }

    /// A hash of the aliases (each name's key and the key it stands for), in order: which
    /// term a name finds depends on them as much as on the terms' own keys.
    pub fn aliases_hash(&self) -> u64 {
        let mut pairs: Vec<(&String, &String)> = self.aliases.iter().collect();
        pairs.sort_unstable();
        let mut c = crate::hash::Combine::new("aliases");
        for (alias, key) in pairs {
            c.add(alias).add(key);
        }
        c.finish()
    }

    /// The index of the term a name refers to.
    pub fn find(&self, name: &str) -> Option<usize> {
        match self.spelled.get(name) {
            Some(&i) => Some(i),
            None => self.index.get(&self.resolve(name)).copied(),
        }
    }
}

struct Acc {
    spellings: BTreeMap<String, (usize, usize)>, // spelling → (count, first seen order)
    preferred: Option<String>,
    curated: Option<Curated>,
    /// Its curated file, else its earliest digest: only the first file is ever named, and
    /// keeping every file took a path per name of every digest.
    source: Option<PathBuf>,
    /// Where the first source names it (line, column), for errors.
    first_pos: Option<(usize, usize)>,
}

/// Builds the terms of one kind. `order` lists digest indexes oldest first.
pub fn build(
    kind: TermKind,
    digests: &[std::sync::Arc<Digest>],
    order: &[usize],
    names_of: &dyn Fn(&Digest) -> Vec<&str>,
    curated: Vec<Curated>,
    config_aliases: &[(String, String)],
) -> (Vec<Term>, Lookup, Vec<Diagnostic>) {
    let (accs, mut lookup, spellings) =
        accumulate(kind, digests, order, names_of, curated, config_aliases);
    let mut errors = Vec::new();
    let mut terms: Vec<Term> = Vec::with_capacity(accs.len());
    let mut by_slug: HashMap<String, usize> = HashMap::new();
    for (key, acc) in accs {
        if let Some(t) = term(kind, key, acc, &terms, &by_slug, &mut errors) {
            by_slug.insert(t.slug.clone(), terms.len());
            terms.push(t);
        }
    }
    terms.sort_by(|a, b| a.slug.cmp(&b.slug));
    for (i, t) in terms.iter().enumerate() {
        lookup.index.insert(t.key.clone(), i);
    }
    for (name, key) in spellings {
        if let Some(&i) = lookup.index.get(&key) {
            lookup.spelled.insert(name.to_string(), i);
        }
    }
    (terms, lookup, errors)
}

/// Every name of one kind merged by identity (following aliases from the config and from
/// curated files), with its spellings, curated file and sources; and every name as the
/// digests spell it with the identity it resolves to.
fn accumulate<'a>(
    kind: TermKind,
    digests: &'a [std::sync::Arc<Digest>],
    order: &[usize],
    names_of: &dyn Fn(&'a Digest) -> Vec<&'a str>,
    curated: Vec<Curated>,
    config_aliases: &[(String, String)],
) -> (BTreeMap<String, Acc>, Lookup, Vec<(&'a str, String)>) {
    let mut lookup = Lookup::default();
    let mut accs: BTreeMap<String, Acc> = BTreeMap::new();
    let new_acc = || Acc {
        spellings: BTreeMap::new(),
        preferred: None,
        curated: None,
        source: None,
        first_pos: None,
    };
    for (alias, canonical) in config_aliases {
        let target = identity(canonical);
        lookup.aliases.insert(identity(alias), target.clone());
        accs.entry(target).or_insert_with(new_acc).preferred = Some(canonical.trim().to_string());
    }
    for c in &curated {
        let target = identity(&c.name);
        for a in &c.aliases {
            lookup.aliases.insert(identity(a), target.clone());
        }
    }
    for c in curated {
        let key = lookup.resolve(&c.name);
        let acc = accs.entry(key).or_insert_with(new_acc);
        acc.preferred = Some(c.name.clone());
        acc.source.get_or_insert_with(|| c.path.clone());
        acc.first_pos.get_or_insert((1, 1));
        acc.curated = Some(c);
    }
    // Each distinct spelling is resolved once: how often it is used, when first (the
    // order of names over every digest, oldest first) and by which digest. Taken in the
    // order first seen, these give the same counts, earliest spellings and sources as
    // going through every name.
    struct Seen<'a> {
        name: &'a str,
        key: String,
        count: usize,
        order: usize,
        digest: usize,
    }
    let mut seen: Vec<Seen> = Vec::new();
    let mut at: HashMap<&str, usize, ahash::RandomState> = HashMap::default();
    let mut seen_order = 0usize;
    for &i in order {
        for name in names_of(&digests[i]) {
            let n = match at.get(name) {
                Some(&n) => n,
                None => {
                    seen.push(Seen {
                        name,
                        key: lookup.resolve(name),
                        count: 0,
                        order: seen_order,
                        digest: i,
                    });
                    at.insert(name, seen.len() - 1);
                    seen.len() - 1
                }
            };
            let s = &mut seen[n];
            // A name with no identity (blank) names nothing and takes no place in order.
            if !s.key.is_empty() {
                s.count += 1;
                seen_order += 1;
            }
        }
    }
    let mut spelling = String::new();
    let mut spellings = Vec::with_capacity(seen.len());
    for s in seen {
        if s.key.is_empty() {
            continue;
        }
        let d = &digests[s.digest];
        let acc = match accs.get_mut(&s.key) {
            Some(acc) => acc,
            None => accs.entry(s.key.clone()).or_insert_with(new_acc),
        };
        crate::markdown::collapse_into(&mut spelling, s.name);
        match acc.spellings.get_mut(&spelling) {
            Some(entry) => entry.0 += s.count,
            None => {
                acc.spellings.insert(spelling.clone(), (s.count, s.order));
            }
        }
        acc.source.get_or_insert_with(|| d.path.clone());
        acc.first_pos.get_or_insert(match kind {
            TermKind::Concept => d.key_pos.concepts,
            TermKind::Show => d.key_pos.show,
            TermKind::Person => d.key_pos.people,
        });
        spellings.push((s.name, s.key));
    }
    (accs, lookup, spellings)
}

/// The term one accumulated name becomes: its display name (the curated or configured
/// one, else the most used spelling, the earliest on a tie) and slug. A slug that is empty,
/// too long or taken by an earlier term of `terms` is an error instead.
fn term(
    kind: TermKind,
    key: String,
    acc: Acc,
    terms: &[Term],
    by_slug: &HashMap<String, usize>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Term> {
    let most_used = acc
        .spellings
        .iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
        .map(|(s, _)| s.clone());
    let name = acc
        .preferred
        .clone()
        .or(most_used)
        .unwrap_or_else(|| key.clone());
    let slug = match &acc.curated {
        Some(c) => c.slug.clone(),
        None => slugify(&key),
    };
    let first_source = acc
        .source
        .clone()
        .unwrap_or_else(|| PathBuf::from("castdown.yaml"));
    let at = |d: Diagnostic| match acc.first_pos {
        Some((l, c)) => d.at_position(l, c),
        None => d,
    };
    if slug.is_empty() {
        errors.push(at(Diagnostic::new(
            &first_source,
            format!("{} `{name}` gives an empty URL slug", kind.singular()),
        )
        .hint("use a name with at least one letter or digit")));
        return None;
    }
    if slug.len() > crate::names::MAX_SEGMENT_BYTES {
        errors.push(at(Diagnostic::new(
            &first_source,
            format!(
                "{} name gives a URL slug of {} bytes; at most {} fit in a file name",
                kind.singular(),
                slug.len(),
                crate::names::MAX_SEGMENT_BYTES
            ),
        )
        .hint("use a shorter name")));
        return None;
    }
    if let Some(why) = crate::names::host_trouble(&slug) {
        errors.push(at(Diagnostic::new(
            &first_source,
            format!("{} `{name}`: its URL slug {why}", kind.singular()),
        )
        .hint(
            "rename it, or make its name an alias of another name (`concept_aliases`)",
        )));
        return None;
    }
    if slug == super::paths::BY_COUNT {
        errors.push(at(Diagnostic::new(
            &first_source,
            format!(
                "{} `{name}` would take the URL /{}/{slug}/, where castdown lists the {} by count",
                kind.singular(),
                kind.section(),
                kind.section()
            ),
        )
        .hint("rename it, or make its name an alias of another name")));
        return None;
    }
    if let Some(&other) = by_slug.get(&slug) {
        let o: &Term = &terms[other];
        let other_source = o
            .source
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        errors.push(at(Diagnostic::new(
            &first_source,
            format!(
                "{} `{name}` and {} `{}` (in {other_source}) would share the URL /{}/{slug}/",
                kind.singular(),
                kind.singular(),
                o.name,
                kind.section()
            ),
        )
        .hint("rename one of them, or merge them with an alias")));
        return None;
    }
    let mut other_names: Vec<String> = acc
        .spellings
        .keys()
        .filter(|s| **s != name)
        .cloned()
        .collect();
    if let Some(c) = &acc.curated {
        other_names.extend(c.aliases.iter().cloned());
    }
    other_names.sort();
    other_names.dedup();
    let summary = acc
        .curated
        .as_ref()
        .map(|c| crate::markdown::scan(&c.body).first_paragraph)
        .filter(|p| !p.is_empty());
    Some(Term {
        kind,
        key,
        slug,
        name,
        other_names,
        episodes: Vec::new(),
        curated: acc.curated,
        related: Vec::new(),
        definitions: Default::default(),
        summary,
        source: acc.source,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;

    fn digest(name: &str, people: &str) -> Arc<Digest> {
        let text = format!("---\ntitle: T\ndate: 2024-01-01\npeople: [{people}]\n---\nBody.\n");
        match crate::load::digest::parse_digest(
            Path::new(name),
            Path::new("."),
            Path::new("."),
            &text,
        ) {
            Ok(d) => Arc::new(d),
            Err(e) => panic!("{e:?}"),
        }
    }

    fn people(d: &Digest) -> Vec<&str> {
        d.people.iter().map(String::as_str).collect()
    }

    #[test]
    fn spellings_are_counted_once_each_and_found_by_any_spelling() {
        // Oldest first, as the model passes them.
        let digests = vec![
            digest("a.md", "\"ada  LOVELACE\", Grace Hopper"),
            digest("b.md", "Ada Lovelace, Alan Turing"),
            digest("c.md", "Ada Lovelace, grace hopper, alan turing"),
            digest("d.md", "\"Grace   Hopper\""),
        ];
        let (terms, lookup, errors) = build(
            TermKind::Person,
            &digests,
            &[0, 1, 2, 3],
            &people,
            Vec::new(),
            &[],
        );
        assert!(errors.is_empty(), "{errors:?}");
        let named: Vec<(&str, &str, Option<&Path>)> = terms
            .iter()
            .map(|t| (t.slug.as_str(), t.name.as_str(), t.source.as_deref()))
            .collect();
        assert_eq!(
            named,
            [
                // Two uses against one.
                ("ada-lovelace", "Ada Lovelace", Some(Path::new("a.md"))),
                // One use each: the earliest spelling.
                ("alan-turing", "Alan Turing", Some(Path::new("b.md"))),
                // "Grace Hopper" twice, once with its spaces collapsed.
                ("grace-hopper", "Grace Hopper", Some(Path::new("a.md"))),
            ]
        );
        for (name, slug) in [
            ("ada  LOVELACE", "ada-lovelace"),
            // Spellings no digest used are found by their identity.
            ("  ADA lovelace ", "ada-lovelace"),
            ("alan turing", "alan-turing"),
            ("Grace   Hopper", "grace-hopper"),
        ] {
            let found = lookup.find(name).map(|i| terms[i].slug.as_str());
            assert_eq!(found, Some(slug), "{name}");
        }
        assert_eq!(lookup.find("Nobody"), None);
    }
}
