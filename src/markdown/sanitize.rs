//! Raw HTML in Markdown is sanitised with ammonia: scripts, event handlers, `style`
//! attributes (but a table cell's alignment) and URLs of schemes that run code go; the
//! markup castdown itself produces (heading ids, highlight classes, footnotes, task-list
//! checkboxes) stays, and every other `id` gets a `user-content-` prefix so raw HTML cannot
//! take an id the page or the theme uses. The builder is made once and shared.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::OnceLock;

static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();

/// The cleaner's URL schemes, copied out once: every Markdown link is checked against them.
static SCHEMES: OnceLock<HashSet<&'static str>> = OnceLock::new();

/// Prefix given to ids written in raw HTML.
pub const USER_ID_PREFIX: &str = "user-content-";

thread_local! {
    /// The ids of the fragment being cleaned that castdown gave (ammonia calls its attribute
    /// filter on the calling thread, during `clean`).
    static OWN_IDS: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

fn cleaner() -> &'static ammonia::Builder<'static> {
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["class", "id", "title", "lang", "dir"])
            .add_tags([
                "input",
                "span",
                "div",
                "section",
                "details",
                "summary",
                "figure",
                "figcaption",
                "mark",
                "abbr",
                "kbd",
                "del",
                "ins",
                "sup",
                "sub",
            ])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("pre", ["data-lang"])
            // Timestamps (`markdown::timestamps`): the second a link seeks to.
            .add_tag_attributes("a", ["data-t"])
            .add_tag_attributes("span", ["data-t"])
            // pulldown-cmark aligns table cells with `style="text-align: …"`; no other
            // property survives (a fixed overlay or a tracking background would).
            .add_tag_attributes("td", ["style"])
            .add_tag_attributes("th", ["style"])
            .filter_style_properties(["text-align"].into_iter().collect())
            .attribute_filter(|_element, attribute, value| {
                if attribute != "id" {
                    return Some(value.into());
                }
                let own = OWN_IDS.with(|ids| ids.borrow().contains(value));
                Some(if own {
                    value.into()
                } else {
                    format!("{USER_ID_PREFIX}{value}").into()
                })
            })
            .link_rel(None);
        b
    })
}

/// Sanitises a rendered HTML fragment; `own_ids` are the ids castdown gave its headings and
/// footnotes (kept as they are).
pub fn clean(html: &str, own_ids: &[String]) -> String {
    OWN_IDS.with(|ids| {
        let mut ids = ids.borrow_mut();
        ids.clear();
        ids.extend(own_ids.iter().cloned());
    });
    let out = cleaner().clean(html).to_string();
    OWN_IDS.with(|ids| ids.borrow_mut().clear());
    out
}

/// Whether a link or image destination passes the sanitiser's URL rules: a relative URL,
/// or an absolute one whose scheme ammonia allows (http, https, mailto, tel…; never
/// `javascript:`, `vbscript:` or `data:`). Browsers drop tabs and line breaks anywhere in a
/// URL and leading control characters and spaces, so the scheme is read as they read it.
pub fn is_allowed_url(url: &str) -> bool {
    let compact: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(64)
        .collect();
    let Some(colon) = compact.find(':') else {
        return true;
    };
    let scheme = &compact[..colon];
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        // `a/b:c`, `?x=y:z`, `#a:b`: a colon after a path, query or fragment character.
        return true;
    }
    let scheme = scheme.to_ascii_lowercase();
    SCHEMES
        .get_or_init(|| cleaner().clone_url_schemes())
        .contains(scheme.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_scripts_handlers_and_javascript_urls() {
        let out = clean(
            "<p onclick=\"x()\">hi<script>alert(1)</script><a href=\"javascript:alert(1)\">l</a><img src=x onerror=alert(1)></p>",
            &[],
        );
        assert!(
            !out.contains("script") && !out.contains("onclick") && !out.contains("onerror"),
            "{out}"
        );
        assert!(!out.contains("javascript:"), "{out}");
        assert!(out.contains("hi"), "{out}");
    }

    #[test]
    fn keeps_castdown_markup() {
        let html = "<h2 id=\"a\">A</h2><pre class=\"hl-code\" data-lang=\"rust\"><code><span class=\"hl-source\">x</span></code></pre><input type=\"checkbox\" disabled checked><table><tr><td style=\"text-align: center\">1</td></tr></table>";
        let out = clean(html, &["a".to_string()]);
        for needle in [
            "id=\"a\"",
            "class=\"hl-code\"",
            "data-lang=\"rust\"",
            "class=\"hl-source\"",
            "type=\"checkbox\"",
            "text-align:center",
        ] {
            assert!(out.contains(needle), "{needle} missing from {out}");
        }
    }

    #[test]
    fn regression_style_overlays_and_tracking_backgrounds_survived() {
        let out = clean(
            "<div style=\"position:fixed;inset:0\">x</div><table><tr><td style=\"text-align:left;background:url(https://t.example/p)\">1</td></tr></table>",
            &[],
        );
        assert!(!out.contains("position") && !out.contains("url("), "{out}");
        assert!(out.contains("text-align"), "{out}");
    }

    #[test]
    fn user_ids_are_prefixed_and_castdown_ids_kept() {
        let out = clean(
            "<h2 id=\"intro\">x</h2><div id=\"main\">y</div>",
            &["intro".to_string()],
        );
        assert!(out.contains("id=\"intro\""), "{out}");
        assert!(out.contains("id=\"user-content-main\""), "{out}");
    }

    #[test]
    fn url_rules() {
        for bad in [
            " JaVa\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:x",
            "data:text/html,<x>",
            "data:image/svg+xml,<svg>",
            "vbscript:x",
            "livescript:x",
        ] {
            assert!(!is_allowed_url(bad), "{bad:?}");
        }
        for good in [
            "https://example.com/javascript:",
            "/episodes/a/",
            "a/b:c",
            "#x:y",
            "mailto:a@b.c",
            "?q=a:b",
            "",
        ] {
            assert!(is_allowed_url(good), "{good:?}");
        }
    }
}
