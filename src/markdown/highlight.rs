//! Fenced code highlighting with syntect, as CSS classes (`hl-*`) plus one generated
//! stylesheet with a light theme and a `prefers-color-scheme: dark` theme. The syntax set is
//! large, so it is loaded once, on the first code block, and shared by every thread.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Highlights code blocks; build one per build and share it by reference.
#[derive(Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
}

impl Highlighter {
    /// A highlighter whose grammars load on first use.
    pub fn new() -> Self {
        Self::default()
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(two_face::syntax::extra_newlines)
    }

    /// Renders a fenced block as `<pre><code>`; unknown languages are escaped, not highlighted.
    pub fn highlight(&self, info: &str, code: &str) -> String {
        let lang: String = info
            .split([' ', ',', '{'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '#' | '-' | '.'))
            .collect();
        let mut out = String::with_capacity(code.len() * 2);
        if !lang.is_empty() {
            let ss = self.syntaxes();
            if let Some(syntax) = ss.find_syntax_by_token(&lang) {
                let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, ss, STYLE);
                let ok = LinesWithEndings::from(code).all(|line| {
                    generator
                        .parse_html_for_line_which_includes_newline(line)
                        .is_ok()
                });
                if ok {
                    out.push_str(&format!(
                        "<pre class=\"hl-code\" data-lang=\"{lang}\"><code class=\"language-{lang}\">"
                    ));
                    out.push_str(&generator.finalize());
                    out.push_str("</code></pre>\n");
                    return out;
                }
            }
        }
        if lang.is_empty() {
            out.push_str("<pre class=\"hl-code\"><code>");
        } else {
            out.push_str(&format!(
                "<pre class=\"hl-code\" data-lang=\"{lang}\"><code class=\"language-{lang}\">"
            ));
        }
        escape_into(&mut out, code);
        out.push_str("</code></pre>\n");
        out
    }
}

/// The names of the built-in highlighting themes.
pub fn theme_names() -> Vec<String> {
    let mut names: Vec<String> = ThemeSet::load_defaults().themes.into_keys().collect();
    names.sort();
    names
}

/// The stylesheet for highlighted code: `light` by default, `dark` under
/// `prefers-color-scheme: dark`. Errors name an unknown theme.
pub fn stylesheet(light: &str, dark: &str) -> Result<String, String> {
    let set = ThemeSet::load_defaults();
    let get = |name: &str| {
        set.themes.get(name).ok_or_else(|| {
            format!(
                "unknown highlight theme `{name}`; available: {}",
                theme_names().join(", ")
            )
        })
    };
    let light_css =
        css_for_theme_with_class_style(get(light)?, STYLE).map_err(|e| e.to_string())?;
    let dark_css = css_for_theme_with_class_style(get(dark)?, STYLE).map_err(|e| e.to_string())?;
    Ok(format!(
        "/* castdown: code highlighting ({light} / {dark}) */\n{light_css}\n@media (prefers-color-scheme: dark) {{\n{dark_css}\n}}\n"
    ))
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_language_gets_classes() {
        let h = Highlighter::new();
        let html = h.highlight("rust", "fn main() { let x = \"<b>\"; }\n");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn unknown_language_is_escaped_plainly() {
        let h = Highlighter::new();
        let html = h.highlight("no-such-lang\"><script>", "<script>x</script>");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn stylesheet_has_dark_media_query_and_rejects_unknown_theme() {
        let css = stylesheet("base16-ocean.light", "base16-ocean.dark").unwrap_or_default();
        assert!(
            css.contains("prefers-color-scheme: dark") && css.contains(".hl-"),
            "{css}"
        );
        assert!(stylesheet("nope", "base16-ocean.dark").is_err());
    }
}
