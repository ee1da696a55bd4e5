//! Raw HTML in Markdown is sanitised with ammonia (SPEC §9): scripts, event handlers and
//! `javascript:` URLs go; the markup castdown itself produces (heading ids, highlight classes,
//! footnotes, task-list checkboxes) stays. The builder is made once and shared.

use std::sync::OnceLock;

static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();

/// Sanitises a rendered HTML fragment.
pub fn clean(html: &str) -> String {
    CLEANER
        .get_or_init(|| {
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
                .add_tag_attributes("td", ["style"])
                .add_tag_attributes("th", ["style"])
                .link_rel(None);
            b
        })
        .clean(html)
        .to_string()
}

/// Whether a link destination uses a scheme that runs code or embeds documents.
pub fn is_dangerous_url(url: &str) -> bool {
    let compact: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    compact.starts_with("javascript:")
        || compact.starts_with("vbscript:")
        || compact.starts_with("data:text")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_scripts_handlers_and_javascript_urls() {
        let out = clean(
            "<p onclick=\"x()\">hi<script>alert(1)</script><a href=\"javascript:alert(1)\">l</a><img src=x onerror=alert(1)></p>",
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
        let html = "<h2 id=\"a\">A</h2><pre class=\"hl-code\" data-lang=\"rust\"><code><span class=\"hl-source\">x</span></code></pre><input type=\"checkbox\" disabled checked>";
        let out = clean(html);
        for needle in [
            "id=\"a\"",
            "class=\"hl-code\"",
            "data-lang=\"rust\"",
            "class=\"hl-source\"",
            "type=\"checkbox\"",
        ] {
            assert!(out.contains(needle), "{needle} missing from {out}");
        }
    }

    #[test]
    fn dangerous_urls() {
        assert!(is_dangerous_url(" JaVa\tscript:alert(1)"));
        assert!(is_dangerous_url("data:text/html,<x>"));
        assert!(!is_dangerous_url("https://example.com/javascript:"));
        assert!(!is_dangerous_url("/episodes/a/"));
    }
}
