//! Fenced code highlighting with syntect, as CSS classes (`hl-*`) plus one generated
//! stylesheet with a light theme and a `prefers-color-scheme: dark` theme. The syntax set is
//! large, so it is loaded once, on the first code block, and shared by every thread.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Code blocks larger than this are not highlighted by default (`highlight.max_bytes`):
/// syntect needs about 270 MB of memory and five seconds per megabyte of code.
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024;

/// Highlights code blocks; build one per build and share it by reference.
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    max_bytes: usize,
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

impl Highlighter {
    /// A highlighter whose grammars load on first use.
    pub fn new() -> Self {
        Self::with_max_bytes(DEFAULT_MAX_BYTES)
    }

    /// A highlighter that leaves blocks over `max_bytes` unhighlighted (escaped only).
    pub fn with_max_bytes(max_bytes: usize) -> Self {
        Highlighter {
            syntaxes: OnceLock::new(),
            max_bytes,
        }
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(two_face::syntax::extra_newlines)
    }

    /// Renders a fenced block as `<pre><code>`; unknown languages are escaped, not highlighted.
    pub fn highlight(&self, info: &str, code: &str) -> String {
        // The language is the info string's first word, taken whole or not at all: dropping
        // the characters a class cannot hold turned `föö` into `f` (Fortran).
        let word = info
            .trim()
            .split([' ', '\t', ',', '{'])
            .next()
            .unwrap_or("");
        let lang = if word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '#' | '-' | '.'))
        {
            word
        } else {
            ""
        };
        let mut out = String::with_capacity(code.len() * 2);
        if !lang.is_empty() && code.len() <= self.max_bytes {
            let ss = self.syntaxes();
            if let Some(syntax) = ss.find_syntax_by_token(lang) {
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
        crate::text::escape_html_into(&mut out, code);
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
    let light_theme = get(light)?;
    let dark_theme = get(dark)?;
    let light_css =
        css_for_theme_with_class_style(light_theme, STYLE).map_err(|e| e.to_string())?;
    let dark_css = css_for_theme_with_class_style(dark_theme, STYLE).map_err(|e| e.to_string())?;
    let light_css = enforce_contrast(&light_css, background(light_theme, (255, 255, 255)));
    let dark_css = enforce_contrast(&dark_css, background(dark_theme, (0, 0, 0)));
    Ok(format!(
        "/* castdown: code highlighting ({light} / {dark}) */\n{light_css}\n@media (prefers-color-scheme: dark) {{\n{dark_css}\n}}\n"
    ))
}

fn background(theme: &syntect::highlighting::Theme, fallback: (u8, u8, u8)) -> (u8, u8, u8) {
    theme
        .settings
        .background
        .map(|c| (c.r, c.g, c.b))
        .unwrap_or(fallback)
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// WCAG contrast ratio of two colours.
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The colour moved toward black (on a light background) or white (on a dark one) just far
/// enough to reach 4.5:1 against `bg` — WCAG AA for text. Many highlighting themes use
/// token colours far below that.
fn readable(fg: (u8, u8, u8), bg: (u8, u8, u8)) -> (u8, u8, u8) {
    let target = if luminance(bg) > 0.5 {
        (0u8, 0u8, 0u8)
    } else {
        (255, 255, 255)
    };
    let mix = |t: f64| {
        let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        (m(fg.0, target.0), m(fg.1, target.1), m(fg.2, target.2))
    };
    (0..=20)
        .map(|i| mix(f64::from(i) / 20.0))
        .find(|c| contrast(*c, bg) >= 4.6)
        .unwrap_or(target)
}

/// Rewrites every text `color: #rrggbb` of a generated stylesheet to meet AA against `bg`.
fn enforce_contrast(css: &str, bg: (u8, u8, u8)) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find("color: #") {
        // `background-color: #…` is the background, not text.
        let is_background = rest[..i].ends_with("background-");
        let hex = rest.get(i + 8..i + 14).unwrap_or("");
        let parsed = (hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit())).then(|| {
            let v = |k: usize| u8::from_str_radix(&hex[k..k + 2], 16).unwrap_or(0);
            (v(0), v(2), v(4))
        });
        out.push_str(&rest[..i + 8]);
        match parsed {
            Some(fg) if !is_background => {
                let (r, g, b) = readable(fg, bg);
                out.push_str(&format!("{r:02x}{g:02x}{b:02x}"));
                rest = &rest[i + 14..];
            }
            _ => rest = &rest[i + 8..],
        }
    }
    out.push_str(rest);
    out
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
    fn every_token_colour_meets_aa_contrast() {
        let css = stylesheet("base16-ocean.light", "base16-ocean.dark").unwrap_or_default();
        let (light, dark) = css.split_once("@media").unwrap_or((&css, ""));
        for (part, bg) in [(light, (0xef, 0xf1, 0xf5)), (dark, (0x2b, 0x30, 0x3b))] {
            let mut seen = 0;
            for (i, _) in part.match_indices("color: #") {
                if part[..i].ends_with("background-") {
                    continue;
                }
                let hex = &part[i + 8..i + 14];
                let v = |k: usize| u8::from_str_radix(&hex[k..k + 2], 16).unwrap_or(0);
                let ratio = contrast((v(0), v(2), v(4)), bg);
                assert!(ratio >= 4.5, "#{hex} on {bg:?}: {ratio:.2}");
                seen += 1;
            }
            assert!(seen > 5, "checked {seen} colours");
        }
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
