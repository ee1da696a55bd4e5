//! The words a site is written in. Every sentence castdown or its theme shows a reader
//! (headings, labels, counts, dates, the scripts' messages) is looked up here by key in the
//! site's `language`, so a French site reads French throughout. See `docs/themes.md`
//! ("Languages") and `docs/configuration.md`.
//!
//! The words come in layers, each overriding the one before: the built-in theme's
//! `i18n/en.yaml` (every key, the reference), its file for the language (`fr.yaml`, then
//! `fr-ca.yaml` when the language is `fr-CA`), a theme folder's files of the same names, and
//! last the site's own `i18n/<language>.yaml`. Only the English files of the built-in theme
//! and of a theme folder may add keys: in any other file an unknown key, a placeholder the
//! English text does not have, or a count without its forms is a located error, so a typo
//! never silently leaves a word untranslated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Diagnostic;
use crate::load::yaml;

/// One translated entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A sentence or a label, with `{placeholders}`.
    Text(String),
    /// A count's forms: `one` for a single thing (or zero and one in French), `other`.
    Plural { one: String, other: String },
    /// A list (the twelve month names).
    List(Vec<String>),
}

/// The words of one language, ready to look up.
#[derive(Debug, Clone)]
pub struct Words {
    /// The language tag as configured (`en`, `fr-CA`).
    pub language: String,
    /// The Open Graph locale, `ll_CC` (`fr_FR`; `fr_CA` for `fr-CA`).
    pub locale: String,
    /// French counts zero as singular ("0 épisode"); the other built-in languages do not.
    zero_is_one: bool,
    entries: BTreeMap<String, Entry>,
}

/// The folder, in a site or a theme, that holds translation files.
pub const FOLDER: &str = "i18n";

impl Words {
    /// The words for `language`: the built-in theme's, then the theme folder's
    /// (`themes/<theme>/i18n/`, when the theme is not the built-in one), then the site's
    /// `i18n/`. Every problem in every file is reported.
    pub fn load(root: &Path, theme: &str, language: &str) -> Result<Words, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut entries = BTreeMap::new();
        let names = file_names(language);
        // The built-in English file is castdown's own: it always reads (a unit test holds
        // it to that), and it alone lists every key.
        let builtin = |name: &str| {
            crate::theme::i18n(name).map(|b| {
                (
                    PathBuf::from(format!("(built-in theme)/i18n/{name}")),
                    String::from_utf8_lossy(b).into_owned(),
                )
            })
        };
        if let Some((path, text)) = builtin("en.yaml") {
            layer(&mut entries, &path, &text, true, &mut errors);
        }
        for name in &names {
            if let Some((path, text)) = builtin(name) {
                layer(&mut entries, &path, &text, false, &mut errors);
            }
        }
        let mut read = |dir: &Path, shown: &Path, name: &str, adds: bool| {
            let file = dir.join(name);
            if !file.is_file() {
                return;
            }
            let shown = shown.join(name);
            match crate::load::read_text(&file, &shown) {
                Ok(text) => layer(&mut entries, &shown, &text, adds, &mut errors),
                Err(d) => errors.push(d),
            }
        };
        if theme != crate::theme::DEFAULT_NAME {
            let shown = Path::new("themes").join(theme).join(FOLDER);
            let dir = root.join(&shown);
            read(&dir, &shown, "en.yaml", true);
            for name in &names {
                read(&dir, &shown, name, false);
            }
        }
        let shown = Path::new(FOLDER);
        for name in &names {
            read(&root.join(FOLDER), shown, name, false);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let primary = primary(language);
        let locale = locale(language, &entries);
        Ok(Words {
            language: language.to_string(),
            locale,
            zero_is_one: primary == "fr",
            entries,
        })
    }

    /// English, the built-in words alone (tests, and anything made before a site is read).
    pub fn english() -> Words {
        let mut entries = BTreeMap::new();
        let mut errors = Vec::new();
        if let Some(b) = crate::theme::i18n("en.yaml") {
            let text = String::from_utf8_lossy(b);
            layer(&mut entries, Path::new("en.yaml"), &text, true, &mut errors);
        }
        Words {
            language: "en".into(),
            locale: "en_US".into(),
            zero_is_one: false,
            entries,
        }
    }

    /// The text of `key` (a count's `other` form), or the key itself when it has none, so a
    /// missing word shows as its key rather than as nothing.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        match self.entries.get(key) {
            Some(Entry::Text(t)) | Some(Entry::Plural { other: t, .. }) => t,
            _ => key,
        }
    }

    /// Whether `key` exists.
    pub fn has(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// `key` with its placeholders filled from `values` (`{name}` → the value named so).
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        fill(self.get(key), values)
    }

    /// The form of `key` for `n` things, with `{n}` and `values` filled in.
    pub fn count(&self, key: &str, n: usize, values: &[(&str, &str)]) -> String {
        let text = match self.entries.get(key) {
            Some(Entry::Plural { one, other }) => {
                if self.is_one(n) {
                    one
                } else {
                    other
                }
            }
            Some(Entry::Text(t)) => t,
            _ => key,
        };
        let n = n.to_string();
        let mut all = vec![("n", n.as_str())];
        all.extend_from_slice(values);
        fill(text, &all)
    }

    /// Whether `n` takes the singular form.
    pub fn is_one(&self, n: usize) -> bool {
        n == 1 || (n == 0 && self.zero_is_one)
    }

    /// A date as readers of the language write it (`12 March 2025`, `12 mars 2025`,
    /// `12. März 2025`).
    pub fn date(&self, year: i16, month: i8, day: i8) -> String {
        let month_name = match self.entries.get("months") {
            Some(Entry::List(m)) => m
                .get(usize::try_from(month - 1).unwrap_or(0))
                .cloned()
                .unwrap_or_default(),
            _ => month.to_string(),
        };
        let (y, d) = (year.to_string(), day.to_string());
        fill(
            self.get("date_format"),
            &[("day", &d), ("month", &month_name), ("year", &y)],
        )
    }

    /// Every sentence and label (counts by their `other` form), for templates as `t`.
    pub fn texts(&self) -> BTreeMap<&str, &str> {
        self.entries
            .iter()
            .filter_map(|(k, e)| match e {
                Entry::Text(t) | Entry::Plural { other: t, .. } => Some((k.as_str(), t.as_str())),
                Entry::List(_) => None,
            })
            .collect()
    }

    /// The entries of `keys` as a JSON object for a script (`{"searching": "…", "n_results":
    /// {"one": "…", "other": "…"}}`), which picks a count's form with `Intl.PluralRules`.
    pub fn script(&self, keys: &[&str]) -> String {
        let mut map = serde_json::Map::new();
        for key in keys {
            let value = match self.entries.get(*key) {
                Some(Entry::Text(t)) => serde_json::Value::from(t.as_str()),
                Some(Entry::Plural { one, other }) => {
                    serde_json::json!({ "one": one, "other": other })
                }
                _ => continue,
            };
            map.insert((*key).to_string(), value);
        }
        serde_json::Value::Object(map).to_string()
    }

    /// A fingerprint of every entry: a build whose words changed redoes every page.
    pub fn fingerprint(&self) -> String {
        format!("{}|{}|{:?}", self.language, self.locale, self.entries)
    }
}

/// `{name}` in `text` replaced by the value named so; unknown names stay as written.
fn fill(text: &str, values: &[(&str, &str)]) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders of a text (`{n}`, `{name}`).
fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

/// The primary language of a tag, lower-case (`fr` for `fr-CA`, `pt` for `pt_BR`).
fn primary(language: &str) -> String {
    language
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The files to read for `language`, least specific first: `fr.yaml`, then `fr-ca.yaml`.
fn file_names(language: &str) -> Vec<String> {
    let primary = primary(language);
    let full = language.to_ascii_lowercase().replace('_', "-");
    let mut names = vec![format!("{primary}.yaml")];
    if full != primary && !full.is_empty() {
        names.push(format!("{full}.yaml"));
    }
    names
}

/// `ll_CC` for Open Graph: the tag's own region when it has one (`en-GB` → `en_GB`), else
/// the translation's `locale` (`fr_FR`), else the language doubled (`it` → `it_IT`).
fn locale(language: &str, entries: &BTreeMap<String, Entry>) -> String {
    let primary = primary(language);
    let region = language
        .split(['-', '_'])
        .nth(1)
        .filter(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()));
    if let Some(r) = region {
        return format!("{primary}_{}", r.to_ascii_uppercase());
    }
    match entries.get("locale") {
        Some(Entry::Text(l)) if l.starts_with(&format!("{primary}_")) => l.clone(),
        _ => format!("{primary}_{}", primary.to_ascii_uppercase()),
    }
}

/// Reads one translation file over `entries`. `adds`: the file may bring new keys (an
/// English file of a theme); otherwise every key must already exist.
fn layer(
    entries: &mut BTreeMap<String, Entry>,
    path: &Path,
    text: &str,
    adds: bool,
    errors: &mut Vec<Diagnostic>,
) {
    if text.trim().is_empty() {
        return;
    }
    let map: BTreeMap<String, serde_yaml::Value> =
        match serde_yaml::from_str::<Option<BTreeMap<String, serde_yaml::Value>>>(text) {
            Ok(m) => m.unwrap_or_default(),
            Err(e) => {
                errors.push(
                    yaml::diagnostic(path, text, 1, &e)
                        .hint("a translation file maps keys to text: `key: \"Text\"`"),
                );
                return;
            }
        };
    let at = |key: &str, message: String| {
        let d = Diagnostic::new(path, message);
        match yaml::key_position(text, 1, key) {
            Some((line, _)) => d.at(text, line, 1),
            None => d,
        }
    };
    for (key, value) in map {
        let entry = match to_entry(&value) {
            Ok(e) => e,
            Err(m) => {
                errors.push(at(&key, format!("`{key}`: {m}")));
                continue;
            }
        };
        match entries.get(&key) {
            None if !adds => {
                let hint = match closest(&key, entries.keys()) {
                    Some(k) => format!("did you mean `{k}`? The keys are those of the built-in theme's i18n/en.yaml"),
                    None => "the keys are those of the built-in theme's i18n/en.yaml (see docs/themes.md)".into(),
                };
                errors.push(at(&key, format!("unknown key `{key}`")).hint(hint));
                continue;
            }
            None => {}
            Some(old) => {
                if let Some(m) = mismatch(old, &entry) {
                    errors.push(at(&key, format!("`{key}`: {m}")));
                    continue;
                }
            }
        }
        entries.insert(key, entry);
    }
}

fn to_entry(value: &serde_yaml::Value) -> Result<Entry, String> {
    use serde_yaml::Value as V;
    let text = |v: &V| match v {
        V::String(s) => Some(s.clone()),
        V::Number(n) => Some(n.to_string()),
        V::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    if let Some(t) = text(value) {
        return Ok(Entry::Text(t));
    }
    match value {
        V::Sequence(items) => items
            .iter()
            .map(|i| text(i).ok_or_else(|| "a list holds text only".to_string()))
            .collect::<Result<Vec<_>, _>>()
            .map(Entry::List),
        V::Mapping(m) => {
            let mut one = None;
            let mut other = None;
            for (k, v) in m {
                let Some(t) = text(v) else {
                    return Err("a count's forms are text".into());
                };
                match k.as_str() {
                    Some("one") => one = Some(t),
                    Some("other") => other = Some(t),
                    _ => {
                        return Err(format!(
                            "a count has the forms `one` and `other`, not `{}`",
                            text(k).unwrap_or_default()
                        ));
                    }
                }
            }
            match (one, other) {
                (Some(one), Some(other)) => Ok(Entry::Plural { one, other }),
                _ => Err("a count needs both forms, `one` and `other`".into()),
            }
        }
        _ => Err("expected text".into()),
    }
}

/// Why `new` cannot stand for `old`: another shape, or a placeholder `old` does not have.
fn mismatch(old: &Entry, new: &Entry) -> Option<String> {
    let texts = |e: &Entry| -> Vec<String> {
        match e {
            Entry::Text(t) => vec![t.clone()],
            Entry::Plural { one, other } => vec![one.clone(), other.clone()],
            Entry::List(l) => l.clone(),
        }
    };
    match (old, new) {
        (Entry::List(a), Entry::List(b)) if a.len() != b.len() => {
            return Some(format!("expected a list of {} entries", a.len()));
        }
        (Entry::List(_), Entry::List(_)) => return None,
        (Entry::List(a), _) => return Some(format!("expected a list of {} entries", a.len())),
        (Entry::Text(_), Entry::Plural { .. }) => {
            return Some("expected text, not a count's forms".into());
        }
        (_, Entry::List(_)) => return Some("expected text, not a list".into()),
        _ => {}
    }
    let mut known: Vec<String> = texts(old)
        .iter()
        .flat_map(|t| {
            placeholders(t)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    known.sort();
    known.dedup();
    for t in texts(new) {
        for p in placeholders(&t) {
            if !known.iter().any(|k| k == p) {
                let list = if known.is_empty() {
                    "none".to_string()
                } else {
                    known
                        .iter()
                        .map(|k| format!("{{{k}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                return Some(format!(
                    "unknown placeholder `{{{p}}}` (this text has {list})"
                ));
            }
        }
    }
    None
}

/// The known key nearest to `key` by edit distance, if any is near.
fn closest<'a>(key: &str, keys: impl Iterator<Item = &'a String>) -> Option<&'a String> {
    keys.map(|k| (crate::text::distance(key, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(language: &str) -> Words {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        Words::load(dir.path(), "default", language).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn every_built_in_language_has_every_key_and_reads() {
        let en = Words::english();
        assert!(en.entries.len() > 100, "{}", en.entries.len());
        for lang in ["fr", "de", "es"] {
            let text = crate::theme::i18n(&format!("{lang}.yaml"))
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_else(|| panic!("no {lang}.yaml"));
            let map: BTreeMap<String, serde_yaml::Value> =
                serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{lang}: {e}"));
            let missing: Vec<&String> = en
                .entries
                .keys()
                .filter(|k| !map.contains_key(*k))
                .collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            let w = words(lang);
            assert_eq!(w.entries.len(), en.entries.len(), "{lang} adds keys");
        }
    }

    #[test]
    fn counts_dates_and_locales_follow_the_language() {
        let en = words("en");
        assert_eq!(en.count("n_episodes", 1, &[]), "1 episode");
        assert_eq!(en.count("n_episodes", 0, &[]), "0 episodes");
        assert_eq!(en.date(2025, 3, 12), "12 March 2025");
        assert_eq!(en.locale, "en_US");
        let fr = words("fr-CA");
        assert_eq!(fr.count("n_episodes", 0, &[]), "0 épisode");
        assert_eq!(fr.count("n_episodes", 2, &[]), "2 épisodes");
        assert_eq!(fr.date(2025, 3, 12), "12 mars 2025");
        assert_eq!(fr.locale, "fr_CA");
        let de = words("de");
        assert_eq!(de.date(2025, 3, 12), "12. März 2025");
        assert_eq!(de.locale, "de_DE");
        assert_eq!(words("es").date(2025, 3, 12), "12 de marzo de 2025");
        // A language castdown has no words for reads English, with its own locale.
        let it = words("it");
        assert_eq!(it.get("search"), "Search");
        assert_eq!(it.locale, "it_IT");
        assert_eq!(words("en-GB").locale, "en_GB");
    }

    #[test]
    fn a_site_overrides_any_word_and_is_told_about_unknown_ones() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("i18n")).unwrap_or_else(|e| panic!("{e}"));
        let write = |text: &str| {
            std::fs::write(dir.path().join("i18n/fr.yaml"), text).unwrap_or_else(|e| panic!("{e}"))
        };
        write("search: Chercher\nn_episodes:\n  one: \"{n} numéro\"\n  other: \"{n} numéros\"\n");
        let w = Words::load(dir.path(), "default", "fr").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(w.get("search"), "Chercher");
        assert_eq!(w.count("n_episodes", 3, &[]), "3 numéros");
        assert_eq!(w.get("concepts"), "Concepts");
        write(
            "# mine\nsearch: Chercher\nserch: x\nn_episodes: \"{count} numéros\"\nmonths: [a, b]\n",
        );
        let errors = Words::load(dir.path(), "default", "fr")
            .err()
            .unwrap_or_default();
        let shown: Vec<String> = errors
            .iter()
            .map(|d| format!("{}:{}: {}", d.path.display(), d.line, d.message))
            .collect();
        assert_eq!(
            shown,
            [
                "i18n/fr.yaml:5: `months`: expected a list of 12 entries",
                "i18n/fr.yaml:4: `n_episodes`: unknown placeholder `{count}` (this text has {n})",
                "i18n/fr.yaml:3: unknown key `serch`",
            ]
        );
        assert_eq!(
            errors[2].hint.as_deref(),
            Some("did you mean `search`? The keys are those of the built-in theme's i18n/en.yaml")
        );
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        assert_eq!(fill("{a} and {b}", &[("a", "1")]), "1 and {b}");
        assert_eq!(fill("open {", &[]), "open {");
        assert_eq!(placeholders("{n} of {total}"), ["n", "total"]);
    }
}
