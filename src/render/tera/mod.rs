//! The only module that calls Tera (2.x). It loads the theme's templates, lets the site's
//! `templates/` override them by name, registers castdown's template functions once, and turns
//! Tera errors into diagnostics that name the template file, line and the page being rendered.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tera::value::ValueKind;
use tera::{Context, ErrorKind, Kwargs, State, Tera, Value};
use walkdir::WalkDir;

use crate::config::BaseUrl;
use crate::error::Diagnostic;
use crate::i18n::Words;
use crate::theme;

use super::tags;

mod cached;
use cached::Cached;

/// A template's origin, for error messages.
struct Source {
    path: PathBuf,
    text: String,
    /// The size of the last page rendered from it (see [`Templates::render`]).
    last_size: AtomicUsize,
}

impl Source {
    fn new(path: PathBuf, text: String) -> Source {
        Source {
            path,
            text,
            last_size: AtomicUsize::new(0),
        }
    }
}

/// Compiled templates, shared by reference across render threads.
pub struct Templates {
    tera: Arc<Tera>,
    sources: HashMap<String, Source>,
    /// What `cached_include` rendered (the Tera's function holds it too).
    cached: Arc<Cached>,
}

/// The values one page's template receives, in insertion order. A page is re-rendered by
/// serve exactly when its [`PageContext::fingerprint`] changes: the hash is taken of these
/// very values, so whatever a template is given is what decides, with no second list.
#[derive(Default)]
pub struct PageContext {
    values: Vec<(&'static str, Value)>,
    /// A value hashed in place of the one of the same key, with a number: see
    /// [`PageContext::stand_in`].
    stand_in: Option<(&'static str, Value, u64)>,
}

impl PageContext {
    /// Empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts a ready value.
    pub fn insert(&mut self, key: &'static str, value: Value) {
        self.values.push((key, value));
    }

    /// Replaces the value of `key` (inserts it when there is none).
    pub fn replace(&mut self, key: &'static str, value: Value) {
        match self.values.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.values.push((key, value)),
        }
    }

    /// Has the fingerprint hash `value` and `extra` in place of the value of `key`: the
    /// part of a value that a key (`extra`) determines can then be left out of it, or
    /// filled in later, without changing the fingerprint (an episode's body, which a build
    /// renders only for the pages it must render).
    pub fn stand_in(&mut self, key: &'static str, value: Value, extra: u64) {
        self.stand_in = Some((key, value, extra));
    }

    /// The values, in insertion order.
    pub fn values(&self) -> impl Iterator<Item = &(&'static str, Value)> {
        self.values.iter()
    }

    /// A hash of the template name and every value (kinds, and whether a string is safe,
    /// included): two contexts with the same fingerprint render the same page.
    pub fn fingerprint(&self, template: &str, known: &KnownValues) -> u64 {
        let mut h = hasher();
        template.hash(&mut h);
        for (k, v) in &self.values {
            k.hash(&mut h);
            match &self.stand_in {
                Some((key, stand_in, extra)) if key == k => {
                    hash_value(stand_in, &mut h, known);
                    h.write_u64(*extra);
                }
                _ => hash_value(v, &mut h, known),
            }
        }
        h.finish()
    }

    fn to_context(&self) -> Context {
        let mut cx = Context::new();
        for (k, v) in &self.values {
            cx.insert_value(*k, v.clone());
        }
        cx
    }
}

/// The hasher of fingerprints: aHash with fixed keys. SipHash (the standard library's) took
/// 30% of serve's time in a full rebuild of a 10,000-episode site (every page's values
/// hashed, mostly short strings), aHash a fraction of that. The hashes only ever meet
/// hashes made by the same binary: serve's within one process, and a build's with those
/// its previous build recorded, which the record keeps only for the same binary
/// (`output::reuse::binary_id`; aHash's output may differ between versions and targets).
fn hasher() -> impl Hasher {
    use std::hash::BuildHasher;
    ahash::RandomState::with_seeds(
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    )
    .build_hasher()
}

/// The hashes of values many pages share (cards, term references), by identity: a map value
/// and its clones share one allocation, so its address names it while it lives. A card is
/// on a dozen pages; hashing it once instead of on each took the page stage of serve's full
/// rebuild of a 10,000-episode site from 690 to 450 ms. Every remembered value must stay
/// alive (and be forgotten before it is dropped), so an address is never taken for another
/// value.
///
/// Values made on first use (a build that renders few pages makes only the cards those
/// show) are remembered as they are made, from any thread ([`KnownValues::lazily`]); a
/// value gets the same hash whichever way it is remembered, so a page's fingerprint does
/// not depend on it.
#[derive(Default)]
pub struct KnownValues {
    made: HashMap<usize, u64, ahash::RandomState>,
    /// `Some` when values may be remembered as they are made.
    lazy: Option<std::sync::RwLock<HashMap<usize, u64, ahash::RandomState>>>,
}

impl KnownValues {
    /// Known values that also take values remembered as they are made
    /// ([`KnownValues::remember_made`]).
    pub fn lazily() -> KnownValues {
        KnownValues {
            made: HashMap::default(),
            lazy: Some(std::sync::RwLock::default()),
        }
    }

    /// Remembers the hash of a shared map value.
    pub fn remember(&mut self, v: &Value) {
        if let Some(addr) = address(v) {
            let hash = self.fingerprint(v);
            self.made.insert(addr, hash);
        }
    }

    /// Remembers a shared map value whose hash ([`KnownValues::fingerprint`]) is `hash`.
    pub fn remember_as(&mut self, v: &Value, hash: u64) {
        if let Some(addr) = address(v) {
            self.made.insert(addr, hash);
        }
    }

    /// Remembers a shared map value made after these were built, from any thread. Does
    /// nothing unless they were made [`KnownValues::lazily`]; the value's hash is then its
    /// contents', as for any value not remembered.
    pub fn remember_made(&self, v: &Value) {
        if let (Some(lazy), Some(addr)) = (&self.lazy, address(v)) {
            let hash = self.fingerprint(v);
            lazy.write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(addr, hash);
        }
    }

    /// Forgets a value about to be dropped.
    pub fn forget(&mut self, v: &Value) {
        if let Some(addr) = address(v) {
            self.made.remove(&addr);
            if let Some(lazy) = &mut self.lazy {
                lazy.get_mut()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .remove(&addr);
            }
        }
    }

    /// A hash of one value.
    pub fn fingerprint(&self, v: &Value) -> u64 {
        let mut h = hasher();
        hash_value(v, &mut h, self);
        h.finish()
    }

    /// The remembered hash of the value at `addr`.
    fn hash_at(&self, addr: usize) -> Option<u64> {
        if let Some(hash) = self.made.get(&addr) {
            return Some(*hash);
        }
        let lazy = self.lazy.as_ref()?;
        lazy.read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&addr)
            .copied()
    }
}

/// Where a map value's contents live (shared by its clones).
fn address(v: &Value) -> Option<usize> {
    v.as_map().map(|m| std::ptr::from_ref(m) as usize)
}

/// Feeds a template value into a hasher: its kind, then its contents (or, for a value in
/// `known`, its remembered hash).
fn hash_value(v: &Value, h: &mut impl Hasher, known: &KnownValues) {
    if let Some(hash) = address(v).and_then(|a| known.hash_at(a)) {
        h.write_u8(0xfe);
        h.write_u64(hash);
        return;
    }
    let kind = v.kind();
    std::mem::discriminant(&kind).hash(h);
    match kind {
        ValueKind::Bool => v.as_bool().hash(h),
        ValueKind::String => {
            v.is_safe().hash(h);
            v.as_str().hash(h);
        }
        ValueKind::Array => {
            let items = v.as_array().unwrap_or_default();
            items.len().hash(h);
            for item in items {
                hash_value(item, h, known);
            }
        }
        ValueKind::Map => {
            if let Some(map) = v.as_map() {
                map.len().hash(h);
                for (k, item) in map {
                    k.hash(h);
                    hash_value(item, h, known);
                }
            }
        }
        ValueKind::Bytes => v.as_bytes().hash(h),
        ValueKind::F64 => v.as_f64().map(f64::to_bits).hash(h),
        // Integers of every width, and None and Undefined (their kind says all).
        _ => {
            v.as_i128().hash(h);
            v.as_u128().hash(h);
        }
    }
}

/// Converts any serialisable data to a template value.
pub fn to_value<T: serde::Serialize + ?Sized>(data: &T) -> Value {
    Value::try_from_serializable(data).unwrap_or_else(|_| Value::none())
}

/// A map value from fields with fixed names, built directly: the hot contexts (cards, episode
/// and term pages) skipped a serde round trip this way, which cost more than rendering.
pub fn obj<const N: usize>(fields: [(&'static str, Value); N]) -> Value {
    let mut map = tera::value::Map::with_capacity(N);
    for (k, v) in fields {
        map.insert(tera::value::Key::Str(k), v);
    }
    Value::from(map)
}

/// A copy of a map value with more fields set (replacing any of the same name).
pub fn extend(base: &Value, fields: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    let mut map = base.as_map().cloned().unwrap_or_default();
    for (k, v) in fields {
        map.insert(tera::value::Key::Str(k), v);
    }
    Value::from(map)
}

/// A string that templates print without escaping (already-safe HTML).
pub fn safe(html: &str) -> Value {
    Value::safe_string(html)
}

/// An array value from prepared values (cheap: values share their contents).
pub fn array(values: &[Value]) -> Value {
    Value::from(values)
}

impl Templates {
    /// Loads the theme (a folder, or the built-in default) and the site's overrides.
    pub fn load(
        root: &Path,
        theme_name: &str,
        (base, words): (&BaseUrl, &Words),
        site: Value,
    ) -> Result<Templates, Vec<Diagnostic>> {
        let mut files: Vec<(String, Source)> = Vec::new();
        let mut errors = Vec::new();
        // The built-in theme's templates first: a theme that lacks one (a template added in
        // a later castdown, say) falls back to the built-in template of that name.
        for (name, bytes) in theme::templates() {
            files.push((
                name.clone(),
                Source::new(
                    PathBuf::from(format!("(built-in theme)/templates/{name}")),
                    String::from_utf8_lossy(bytes).into_owned(),
                ),
            ));
        }
        let theme_dir = root.join("themes").join(theme_name).join("templates");
        let manifest = root.join("themes").join(theme_name).join(THEME_MANIFEST);
        if manifest.is_file() {
            check_manifest(root, &manifest, theme_name)?;
        }
        if theme_dir.is_dir() {
            read_dir_templates(root, &theme_dir, &mut files, &mut errors);
        } else if theme_name != theme::DEFAULT_NAME {
            errors.push(
                Diagnostic::new("castdown.yaml", format!("theme `{theme_name}` not found")).hint(
                    format!("create themes/{theme_name}/templates/ or use `theme: default`"),
                ),
            );
            return Err(errors);
        }
        let site_dir = root.join("templates");
        if site_dir.is_dir() {
            read_dir_templates(root, &site_dir, &mut files, &mut errors);
        }
        // Later entries override earlier ones of the same name: the site's templates, then
        // the theme's, then the built-in theme's.
        let mut sources: HashMap<String, Source> = HashMap::new();
        for (name, src) in files {
            sources.insert(name, src);
        }
        // One copy of the words for every Tera made here (a probe per template, then the set).
        let words = Arc::new(words.clone());
        let cached = Arc::new(Cached::new(cached::MAX_BYTES));
        let mut tera = new_tera(base, &words, &cached);
        // Each template alone first, so a syntax error is attributed to its own file. Only
        // syntax errors count here: alone, a template misses the partials it includes and
        // the layout it extends; the whole set below reports what is really missing.
        let mut names: Vec<&String> = sources.keys().collect();
        names.sort();
        for name in &names {
            let mut probe = new_tera(base, &words, &cached);
            if let Err(e) = probe.add_raw_template(name, &sources[*name].text)
                && matches!(e.kind(), ErrorKind::SyntaxError(_))
            {
                errors.push(diagnostic(&sources, &e, None));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let all: Vec<(&str, &str)> = names
            .iter()
            .map(|n| (n.as_str(), sources[*n].text.as_str()))
            .collect();
        if let Err(e) = tera.add_raw_templates(all) {
            return Err(reports(&sources, &e));
        }
        tera.global_context().insert_value("site", site);
        tera.global_context()
            .insert_value("t", to_value(&words.texts()));
        let tera = Arc::new(tera);
        // The probes above hold the same cache but never render; only this Tera renders.
        cached.renders_with(&tera);
        Ok(Templates {
            tera,
            sources,
            cached,
        })
    }

    /// Drops what `cached_include` kept: its entries hold the values they were rendered
    /// from, so they are let go once a build's pages are rendered.
    pub fn forget_cached(&self) {
        self.cached.forget();
    }

    /// Whether the theme or the site has a template of this name (`robots.txt`).
    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Renders `template` for the page at `page` (named in errors).
    pub fn render(
        &self,
        template: &str,
        cx: &PageContext,
        page: &str,
    ) -> Result<Vec<u8>, Diagnostic> {
        // Bytes, as pages are written: Tera's `render` checks the whole output is UTF-8 to
        // return a String, which it is by construction. The buffer starts at the size of the
        // last page of the same template and an eighth: pages of one template are of a
        // similar size, and without a start size the buffer's growth cost what the check
        // did. Together: 2.453 G -> 2.435 G instructions for the 1k corpus.
        let last = self.sources.get(template).map(|s| &s.last_size);
        let hint = last.map_or(0, |l| l.load(Ordering::Relaxed));
        let mut out = Vec::with_capacity(hint + hint / 8);
        self.tera
            .render_to(template, &cx.to_context(), &mut out)
            .map_err(|e| diagnostic(&self.sources, &e, Some((template, page))))?;
        if let Some(l) = last {
            l.store(out.len(), Ordering::Relaxed);
        }
        Ok(out)
    }
}

/// A Tera instance with castdown's functions: `url(path=…)` gives a root-relative link under
/// the base path, `abs_url(path=…)` an absolute URL, `tr(key=…, n=…, name=…)` the site's
/// words for `key` (the form for `n` things, placeholders filled from the other arguments).
fn new_tera(base: &BaseUrl, words: &Arc<Words>, cached: &Arc<Cached>) -> Tera {
    let mut tera = Tera::default();
    let cache = cached.clone();
    tera.register_function(
        "cached_include",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> { cache.include(&kwargs) },
    );
    // The same joins as the Rust side's links (sized, not `format!`: these run ~30 times
    // a page).
    type Join = fn(&BaseUrl, &str) -> String;
    let joins: [(&str, Join); 2] = [("url", BaseUrl::link), ("abs_url", BaseUrl::absolute)];
    for (name, join) in joins {
        let base = base.clone();
        tera.register_function(
            name,
            move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
                let p: &str = kwargs.must_get("path")?;
                Ok(join(&base, p))
            },
        );
    }
    let words = words.clone();
    tera.register_function(
        "tr",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let key: &str = kwargs.must_get("key")?;
            if !words.has(key) {
                return Err(tera::Error::message(format!(
                    "`tr`: no words for `{key}` (the keys are in i18n/en.yaml)"
                )));
            }
            let mut n = None;
            let mut values: Vec<(String, String)> = Vec::new();
            for (k, v) in kwargs.iter() {
                match k.as_str() {
                    Some("key") | None => {}
                    Some("n") => n = v.as_u64().and_then(|n| usize::try_from(n).ok()),
                    Some(name) => values.push((name.to_string(), v.to_string())),
                }
            }
            let values: Vec<(&str, &str)> = values
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            Ok(match n {
                Some(n) => words.count(key, n, &values),
                None => words.fill(key, &values),
            })
        },
    );
    tera
}

/// A theme's description of itself, beside its `templates/`.
const THEME_MANIFEST: &str = "theme.yaml";

/// `theme.yaml` as written.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    /// The theme's name. Default: its folder's name.
    name: Option<String>,
    /// One line about it. Default: none. (For people browsing themes; castdown only checks
    /// that it is text.)
    #[allow(dead_code)]
    description: Option<String>,
    /// The oldest castdown the theme works with (`0.2` or `0.2.1`). Default: any.
    min_castdown: Option<String>,
}

/// `MAJOR.MINOR.PATCH` as numbers (missing parts are 0); `None` if not numbers.
fn version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.trim().split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    parts.next().is_none().then_some((major, minor, patch))
}

/// Reads a theme's `theme.yaml`: unknown keys are errors, and a theme that needs a newer
/// castdown than this one says so at its `min_castdown` line.
fn check_manifest(root: &Path, path: &Path, theme_name: &str) -> Result<(), Vec<Diagnostic>> {
    let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let text = crate::load::read_text(path, &shown).map_err(|d| vec![d])?;
    let raw: RawManifest = match serde_yaml::from_str::<Option<RawManifest>>(&text) {
        Ok(Some(m)) => m,
        Ok(None) => return Ok(()),
        Err(e) => return Err(vec![crate::load::yaml::diagnostic(&shown, &text, 1, &e)]),
    };
    let Some(min) = raw.min_castdown else {
        return Ok(());
    };
    let at = |msg: String| {
        let d = Diagnostic::new(&shown, msg);
        match crate::load::yaml::key_position(&text, 1, "min_castdown") {
            Some((l, c)) => d.at(&text, l, c),
            None => d,
        }
    };
    let ours = env!("CARGO_PKG_VERSION");
    match (version(&min), version(ours)) {
        (None, _) => Err(vec![at(format!(
            "min_castdown `{min}` is not a version like 0.2 or 0.2.1"
        ))]),
        (Some(needed), Some(have)) if needed > have => Err(vec![
            at(format!(
                "theme `{}` needs castdown {min} or newer; this is castdown {ours}",
                raw.name.as_deref().unwrap_or(theme_name)
            ))
            .hint("update castdown (cargo install castdown), or use an older version of the theme"),
        ]),
        _ => Ok(()),
    }
}

fn read_dir_templates(
    root: &Path,
    dir: &Path,
    files: &mut Vec<(String, Source)>,
    errors: &mut Vec<Diagnostic>,
) {
    for entry in WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let name = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let shown = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_path_buf();
        match crate::load::read_text(entry.path(), &shown) {
            Ok(text) => files.push((name, Source::new(shown, text))),
            Err(d) => errors.push(d),
        }
    }
}

fn diagnostic(
    sources: &HashMap<String, Source>,
    e: &tera::Error,
    rendering: Option<(&str, &str)>,
) -> Diagnostic {
    let suffix = match rendering {
        Some((_, page)) => format!(" (while rendering {page})"),
        None => String::new(),
    };
    let source_of = |name: &str| sources.get(name).map(|s| (s.path.clone(), s.text.as_str()));
    match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let (path, text) =
                source_of(r.filename()).unwrap_or_else(|| (PathBuf::from(r.filename()), ""));
            let span = r.span();
            let mut message = r.message().to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                message.push_str(": ");
                message.push_str(&s.to_string());
                source = s.source();
            }
            // Tera meets an unclosed tag where the input runs out or at the end tag that
            // does not fit; the line to fix is the one that opened it.
            if matches!(e.kind(), ErrorKind::SyntaxError(_))
                && let Some(u) = tags::unpaired(text)
                && u.open().line <= span.start_line
            {
                let (what, hint) = u.describe();
                let open = u.open();
                return Diagnostic::new(path, format!("template error: {what}"))
                    .at(text, open.line, open.column)
                    .hint(format!("{hint} (Tera: {message})"));
            }
            Diagnostic::new(path, format!("template error: {message}{suffix}")).at(
                text,
                span.start_line,
                span.start_col + 1,
            )
        }
        // Errors about how templates refer to each other: name the template that refers.
        ErrorKind::MissingParent { current, parent } => {
            let (path, text) = source_of(current).unwrap_or_else(|| (PathBuf::from(current), ""));
            let d = Diagnostic::new(
                path,
                format!("template error: extends `{parent}`, which neither the theme nor the site has"),
            )
            .hint("check the name in `{% extends %}`; templates are named by their path under templates/");
            locate(d, text, parent)
        }
        ErrorKind::CircularExtend {
            tpl,
            inheritance_chain,
        } => {
            let (path, text) = source_of(tpl).unwrap_or_else(|| (PathBuf::from(tpl), ""));
            let d = Diagnostic::new(
                path,
                format!(
                    "template error: templates extend each other in a circle: {}",
                    inheritance_chain.join(" -> ")
                ),
            );
            match inheritance_chain.last() {
                Some(last) => locate(d, text, last),
                None => d,
            }
        }
        ErrorKind::CircularInclude { tpl, include_chain } => {
            let (path, text) = source_of(tpl).unwrap_or_else(|| (PathBuf::from(tpl), ""));
            let d = Diagnostic::new(
                path,
                format!(
                    "template error: templates include each other in a circle: {}",
                    include_chain.join(" -> ")
                ),
            );
            match include_chain.get(1) {
                Some(next) => locate(d, text, next),
                None => d,
            }
        }
        _ => {
            let path = rendering
                .and_then(|(t, _)| sources.get(t).map(|s| s.path.clone()))
                .unwrap_or_else(|| PathBuf::from("templates"));
            Diagnostic::new(path, format!("template error: {e}{suffix}"))
        }
    }
}

/// The checks Tera makes over the whole set (an `include` of a template that does not
/// exist, a block no parent has) come back as one message of several reports, each with a
/// `--> name:line:column` line: one diagnostic per report, at its own file.
fn reports(sources: &HashMap<String, Source>, e: &tera::Error) -> Vec<Diagnostic> {
    let ErrorKind::Msg(text) = e.kind() else {
        return vec![diagnostic(sources, e, None)];
    };
    let mut found = Vec::new();
    let mut message = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("error: ") {
            message = Some(m.to_string());
        } else if let Some(place) = line.trim_start().strip_prefix("--> ") {
            let mut parts = place.rsplitn(3, ':');
            let column = parts.next().and_then(|c| c.parse::<usize>().ok());
            let line_no = parts.next().and_then(|l| l.parse::<usize>().ok());
            let (Some(name), Some(line_no), Some(column), Some(m)) =
                (parts.next(), line_no, column, message.take())
            else {
                continue;
            };
            let (path, source) = sources
                .get(name)
                .map(|s| (s.path.clone(), s.text.as_str()))
                .unwrap_or_else(|| (PathBuf::from(name), ""));
            found.push(
                Diagnostic::new(path, format!("template error: {m}")).at(source, line_no, column),
            );
        }
    }
    if found.is_empty() {
        found.push(diagnostic(sources, e, None));
    }
    found
}

/// Places `d` at the first line of `text` that names `"name"` (an `extends` or `include`).
fn locate(d: Diagnostic, text: &str, name: &str) -> Diagnostic {
    let quoted = [format!("\"{name}\""), format!("'{name}'")];
    for (i, line) in text.lines().enumerate() {
        if let Some(col) = quoted.iter().filter_map(|q| line.find(q.as_str())).min() {
            return d.at(text, i + 1, line[..col].chars().count() + 1);
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_a_site_template_that_includes_a_partial_and_extends_nothing_was_refused() {
        let (_dir, t) = templates(&[(
            "search.html",
            "<p>{% include \"partials/pagination.html\" %}</p>",
        )]);
        let paginator = obj([("total", 1.into())]);
        assert_eq!(
            page(&t, "search.html", vec![("paginator", paginator)]),
            "<p>\n</p>"
        );
        // What is really missing is still an error, at its line.
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("templates")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.path().join("templates/search.html"),
            "<p>\n{% include \"partials/nowhere.html\" %}</p>",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let base = BaseUrl::parse("https://example.com/").unwrap_or_else(|e| panic!("{e}"));
        let Err(errors) =
            Templates::load(dir.path(), "default", (&base, &Words::english()), obj([]))
        else {
            panic!("a missing partial was accepted");
        };
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("partials/nowhere.html"),
            "{errors:?}"
        );
        assert_eq!(errors[0].line, 2);
    }

    #[test]
    fn theme_versions_compare_as_numbers() {
        assert_eq!(version("0.2"), Some((0, 2, 0)));
        assert_eq!(version(" 1.10.3 "), Some((1, 10, 3)));
        assert!(version("0.10") > version("0.9.9"));
        assert_eq!(version("1.x"), None);
        assert_eq!(version("1.2.3.4"), None);
        assert_eq!(version(""), None);
    }

    /// A site whose `templates/` hold `files`, loaded over the built-in theme.
    pub(super) fn templates(files: &[(&str, &str)]) -> (tempfile::TempDir, Templates) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("templates/partials"))
            .unwrap_or_else(|e| panic!("{e}"));
        for (name, text) in files {
            std::fs::write(dir.path().join("templates").join(name), text)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let base = BaseUrl::parse("https://example.com/").unwrap_or_else(|e| panic!("{e}"));
        let words = Words::english();
        let site = obj([("title", "T".into())]);
        let t = match Templates::load(dir.path(), "default", (&base, &words), site) {
            Ok(t) => t,
            Err(e) => panic!("{e:?}"),
        };
        (dir, t)
    }

    pub(super) fn page(
        t: &Templates,
        template: &str,
        values: Vec<(&'static str, Value)>,
    ) -> String {
        let mut cx = PageContext::new();
        for (k, v) in values {
            cx.insert(k, v);
        }
        match t.render(template, &cx, "/") {
            Ok(b) => String::from_utf8(b).unwrap_or_else(|e| panic!("{e}")),
            Err(e) => format!("error: {}", e.message),
        }
    }
}
