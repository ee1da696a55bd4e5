//! `cached_include`: a partial rendered once per set of arguments (see `docs/themes.md`),
//! for the cards every term page lists and the parts of the layout no page changes.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use tera::value::ValueKind;
use tera::{Context, Kwargs, Tera, Value};

use super::{KnownValues, hash_value, hasher};

/// What `cached_include(template=…, …)` rendered: a template given only its arguments
/// (and the globals `site` and `t`, which a [`super::Templates`] fixes) renders the same
/// bytes for the same arguments, so each set of arguments is rendered once. Cards were a third of the
/// time Tera took in a clean build of 10,000 digests: each appears on about eight pages (a
/// home page, its show's, its people's and its concepts' pages).
///
/// A map or list argument is known by where its contents live, not by its contents:
/// hashing a card's contents cost most of what rendering it does. Pages share one value per
/// card, and an entry holds its arguments, so an address cannot be reused while it is kept.
pub(super) struct Cached {
    /// The Tera that renders (set once it is built; weak, as that Tera holds this cache).
    tera: OnceLock<Weak<Tera>>,
    /// At most this many bytes of HTML are kept ([`MAX_BYTES`]).
    max_bytes: usize,
    /// Rendered HTML by a hash of the template's name and arguments, in shards so render
    /// threads seldom wait for each other.
    shards: [Mutex<HashMap<u64, CachedEntry, ahash::RandomState>>; SHARDS],
    /// The bytes of HTML the shards hold.
    bytes: AtomicUsize,
}

/// One rendering, with what it was rendered from (compared on every hit, so two calls that
/// only share a hash never share HTML).
struct CachedEntry {
    template: String,
    args: Vec<(String, Value)>,
    html: Value,
}

const SHARDS: usize = 16;

/// About this much rendered HTML is kept at most (render threads racing on two shards may
/// each add one rendering past it): at 10,000 digests every card of a term page
/// takes about 7 MB. Past it, the shard a rendering falls in is emptied (and the rendering
/// not kept while the others hold the budget), so a larger site keeps a bounded part of its
/// cards and peak memory stays flat; the output is the same either way.
pub(super) const MAX_BYTES: usize = 64 << 20;

/// How deep `cached_include` calls may nest: a template that includes itself would
/// otherwise recurse until the stack overflows.
const MAX_DEPTH: usize = 16;

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Feeds what identifies an argument into `h`: a map's or list's address, else the value.
fn hash_identity(v: &Value, h: &mut impl Hasher) {
    if let Some(m) = v.as_map() {
        h.write_u8(1);
        h.write_usize(std::ptr::from_ref(m) as usize);
    } else if let Some(a) = v.as_array() {
        h.write_u8(2);
        h.write_usize(a.as_ptr() as usize);
        h.write_usize(a.len());
    } else {
        hash_value(v, h, &KnownValues::default());
    }
}

/// Whether two arguments are the same for [`hash_identity`] (a string's safety included).
fn same_identity(a: &Value, b: &Value) -> bool {
    match (a.kind(), b.kind()) {
        (ValueKind::Map, ValueKind::Map) => match (a.as_map(), b.as_map()) {
            (Some(x), Some(y)) => std::ptr::eq(x, y),
            _ => false,
        },
        (ValueKind::Array, ValueKind::Array) => match (a.as_array(), b.as_array()) {
            (Some(x), Some(y)) => std::ptr::eq(x, y),
            _ => false,
        },
        (ValueKind::String, ValueKind::String) => a.is_safe() == b.is_safe() && a == b,
        (x, y) => x == y && a == b,
    }
}

impl Cached {
    pub(super) fn new(max_bytes: usize) -> Cached {
        Cached {
            tera: OnceLock::new(),
            max_bytes,
            shards: Default::default(),
            bytes: AtomicUsize::new(0),
        }
    }

    /// Has this cache render with `tera` (the Tera whose `cached_include` holds it).
    pub(super) fn renders_with(&self, tera: &Arc<Tera>) {
        let _ = self.tera.set(Arc::downgrade(tera));
    }

    /// Drops every rendering kept.
    pub(super) fn forget(&self) {
        for shard in &self.shards {
            if let Ok(mut m) = shard.lock() {
                self.empty(&mut m);
            }
        }
    }

    /// Empties one shard.
    fn empty(&self, shard: &mut HashMap<u64, CachedEntry, ahash::RandomState>) {
        let freed: usize = shard
            .values()
            .map(|e| e.html.as_str().map_or(0, str::len))
            .sum();
        self.bytes.fetch_sub(freed, Ordering::Relaxed);
        shard.clear();
    }

    /// How many renderings are kept.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |m| m.len()))
            .sum()
    }

    /// The HTML of `template=…` rendered with the other arguments of `kwargs`: what an
    /// earlier call with the same arguments rendered, else rendered now and kept.
    pub(super) fn include(&self, kwargs: &Kwargs) -> tera::TeraResult<Value> {
        let name: &str = kwargs.must_get("template")?;
        let args = || {
            kwargs
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?, v)))
                .filter(|(k, _)| *k != "template")
        };
        let mut h = hasher();
        name.hash(&mut h);
        for (k, v) in args() {
            k.hash(&mut h);
            hash_identity(v, &mut h);
        }
        let key = h.finish();
        let shard = &self.shards[(key % SHARDS as u64) as usize];
        let hit = |e: &CachedEntry| {
            e.template == name
                && e.args.len() == args().count()
                && e.args
                    .iter()
                    .zip(args())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && same_identity(v1, v2))
        };
        if let Some(html) = shard
            .lock()
            .ok()
            .and_then(|m| m.get(&key).filter(|e| hit(e)).map(|e| e.html.clone()))
        {
            return Ok(html);
        }
        let tera = self.tera.get().and_then(Weak::upgrade).ok_or_else(|| {
            tera::Error::message("`cached_include` is only available while rendering a page")
        })?;
        let mut cx = Context::new();
        for (k, v) in args() {
            cx.insert_value(k.to_owned(), v.clone());
        }
        let depth = DEPTH.with(|d| {
            d.set(d.get() + 1);
            d.get()
        });
        let mut out = Vec::new();
        let rendered = if depth > MAX_DEPTH {
            Err(tera::Error::message(format!(
                "`cached_include` of `{name}` nested more than {MAX_DEPTH} deep: \
                 does the template include itself?"
            )))
        } else {
            tera.render_to(name, &cx, &mut out)
        };
        DEPTH.with(|d| d.set(d.get() - 1));
        rendered?;
        let len = out.len();
        let html = Value::safe_string(&String::from_utf8_lossy(&out));
        if let Ok(mut m) = shard.lock() {
            if self.bytes.load(Ordering::Relaxed) + len > self.max_bytes {
                self.empty(&mut m);
            }
            // The other shards may still hold the budget: then this one is not kept.
            if self.bytes.load(Ordering::Relaxed) + len > self.max_bytes {
                return Ok(html);
            }
            let entry = CachedEntry {
                template: name.to_owned(),
                args: args().map(|(k, v)| (k.to_owned(), v.clone())).collect(),
                html: html.clone(),
            };
            if let Some(old) = m.insert(key, entry) {
                self.bytes
                    .fetch_sub(old.html.as_str().map_or(0, str::len), Ordering::Relaxed);
            }
            self.bytes.fetch_add(len, Ordering::Relaxed);
        }
        Ok(html)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{page, templates};
    use super::super::{array, new_tera, obj, safe};
    use super::*;
    use crate::config::BaseUrl;
    use crate::i18n::Words;

    const ITEM: &str = "<li>{{ site.title }}: {{ x.name }} {{ n }}</li>\n";

    #[test]
    fn cached_include_renders_what_include_does_once_per_set_of_arguments() {
        let (_dir, t) = templates(&[
            ("partials/item.html", ITEM),
            (
                "plain.html",
                "{% for x in xs %}{% set n = 3 %}{% include \"partials/item.html\" %}{% endfor %}",
            ),
            (
                "cached.html",
                "{% for x in xs %}{{ cached_include(template=\"partials/item.html\", x=x, n=3) }}{% endfor %}",
            ),
        ]);
        let a = obj([("name", "a<b".into())]);
        let twin = obj([("name", "a<b".into())]);
        let xs = array(&[a.clone(), a.clone(), twin, obj([("name", "c".into())])]);
        let plain = page(&t, "plain.html", vec![("xs", xs.clone())]);
        assert_eq!(
            plain,
            "<li>T: a&lt;b 3</li>\n<li>T: a&lt;b 3</li>\n<li>T: a&lt;b 3</li>\n<li>T: c 3</li>\n"
        );
        assert_eq!(page(&t, "cached.html", vec![("xs", xs.clone())]), plain);
        // One rendering per value shared by pages (clones of `a` are one); `twin` has the same
        // contents but is another value.
        assert_eq!(t.cached.len(), 3);
        assert_eq!(page(&t, "cached.html", vec![("xs", xs)]), plain);
        assert_eq!(t.cached.len(), 3);
        t.forget_cached();
        assert_eq!(t.cached.len(), 0);
        assert_eq!(t.cached.bytes.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn cached_include_tells_safe_strings_from_plain_ones() {
        let (_dir, t) = templates(&[
            ("partials/s.html", "{{ s }}|"),
            (
                "p.html",
                "{{ cached_include(template=\"partials/s.html\", s=a) }}{{ cached_include(template=\"partials/s.html\", s=b) }}",
            ),
        ]);
        let out = page(&t, "p.html", vec![("a", "<i>".into()), ("b", safe("<i>"))]);
        assert_eq!(out, "&lt;i&gt;|<i>|");
    }

    #[test]
    fn cached_include_keeps_a_bounded_amount_and_renders_the_same_past_it() {
        let (_dir, t) = templates(&[
            ("partials/item.html", ITEM),
            (
                "cached.html",
                "{% for x in xs %}{{ cached_include(template=\"partials/item.html\", x=x, n=1) }}{% endfor %}",
            ),
        ]);
        let xs: Vec<Value> = (0..200)
            .map(|i| obj([("name", format!("name {i}").into())]))
            .collect();
        let full = page(&t, "cached.html", vec![("xs", array(&xs))]);
        assert_eq!(t.cached.len(), 200);
        // The same templates with a cache that holds about ten renderings (20 bytes each).
        let small = Arc::new(Cached::new(200));
        let mut tera = new_tera(
            &BaseUrl::parse("https://example.com/").unwrap_or_else(|e| panic!("{e}")),
            &Arc::new(Words::english()),
            &small,
        );
        let sources = [
            ("partials/item.html", ITEM),
            ("cached.html", t.sources["cached.html"].text.as_str()),
        ];
        tera.add_raw_templates(sources)
            .unwrap_or_else(|e| panic!("{e}"));
        tera.global_context()
            .insert_value("site", obj([("title", "T".into())]));
        let tera = Arc::new(tera);
        let _ = small.tera.set(Arc::downgrade(&tera));
        let mut cx = Context::new();
        cx.insert_value("xs", array(&xs));
        for _ in 0..2 {
            assert_eq!(
                tera.render("cached.html", &cx)
                    .unwrap_or_else(|e| panic!("{e}")),
                full
            );
            assert!(small.len() <= 10, "{} kept", small.len());
            assert!(small.bytes.load(Ordering::Relaxed) <= 200);
        }
    }

    #[test]
    fn cached_include_errors_on_a_template_that_includes_itself_and_on_page_values() {
        let (_dir, t) = templates(&[
            (
                "partials/again.html",
                "{{ cached_include(template=\"partials/again.html\", n=1) }}",
            ),
            (
                "loop.html",
                "{{ cached_include(template=\"partials/again.html\", n=1) }}",
            ),
            ("partials/page_title.html", "{{ page.title }}"),
            (
                "outer.html",
                "{{ cached_include(template=\"partials/page_title.html\") }}",
            ),
        ]);
        let looped = page(&t, "loop.html", vec![]);
        assert!(looped.contains("nested more than 16 deep"), "{looped}");
        // The partial sees its arguments and the globals only, not the page's values.
        let outer = page(
            &t,
            "outer.html",
            vec![("page", obj([("title", "P".into())]))],
        );
        assert!(outer.starts_with("error:"), "{outer}");
        assert_eq!(t.cached.len(), 0);
    }
}
