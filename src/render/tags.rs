//! Finds where a template's tags stop pairing up. Tera reports an unclosed `{% if %}` where
//! it ran out of input (past the file's last line) or at the first end tag that does not
//! fit, which is rarely the line to fix; this scan, run only after Tera has refused a
//! template, points at the tag that was opened and never closed. It reads delimiters only,
//! not expressions, so it is a guide for the message, never a second parser.

/// A tag or delimiter in a template, 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// `if`, `for`, `block`… or the delimiter itself (`{{`, `{%`, `{#`).
    pub name: String,
    pub line: usize,
    pub column: usize,
}

/// What does not pair up, first in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpaired {
    /// `{{`, `{%` or `{#` with no closing delimiter before the next one opens.
    Delimiter(Tag),
    /// A block tag closed by the end tag of another (`{% if %}` … `{% endblock %}`).
    Mismatch { open: Tag, close: Tag },
    /// A block tag still open at the end of the file.
    AtEnd(Tag),
}

/// Tags that open a body closed by `end<name>`. `set` only in its block form (no `=`).
const BLOCK_TAGS: [&str; 6] = ["if", "for", "block", "filter", "component", "set"];

/// The first thing in `text` that does not pair up, if any.
pub fn unpaired(text: &str) -> Option<Unpaired> {
    let mut open: Vec<Tag> = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find('{') {
        let start = at + found;
        let rest = &text[start..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else if rest.starts_with("{#") {
            "#}"
        } else {
            at = start + 1;
            continue;
        };
        let delimiter = &rest[..2];
        let inner_start = start + 2;
        let end = text[inner_start..].find(close).map(|i| inner_start + i);
        // An expression or tag that runs into the next `{{`/`{%` was not closed: that is
        // where the lexer went wrong. Comments may hold anything until `#}`.
        let next_open = [
            text[inner_start..].find("{{"),
            text[inner_start..].find("{%"),
        ]
        .into_iter()
        .flatten()
        .min()
        .map(|i| inner_start + i);
        let runs_on = match (end, next_open) {
            (None, _) => true,
            (Some(e), Some(n)) => delimiter != "{#" && n < e,
            (Some(_), None) => false,
        };
        if runs_on {
            return Some(Unpaired::Delimiter(tag_at(text, start, delimiter)));
        }
        let end = end.unwrap_or(text.len());
        at = end + 2;
        if delimiter != "{%" {
            continue;
        }
        let inner = text[inner_start..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word: String = inner
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '<' || *c == '/')
            .collect();
        if word == "raw" {
            // Everything up to `{% endraw %}` is text.
            match find_endraw(text, at) {
                Some(after) => at = after,
                None => return Some(Unpaired::AtEnd(tag_at(text, start, "raw"))),
            }
            continue;
        }
        if let Some(name) = word.strip_prefix("</") {
            let close = tag_at(text, start, &format!("/{name}"));
            match open.pop() {
                Some(o) if o.name == format!("<{name}") => {}
                Some(o) => return Some(Unpaired::Mismatch { open: o, close }),
                None => {}
            }
            continue;
        }
        if let Some(name) = word.strip_prefix('<') {
            if !inner.ends_with("/>") && !inner.ends_with("/") {
                open.push(tag_at(text, start, &format!("<{name}")));
            }
            continue;
        }
        if let Some(name) = word.strip_prefix("end") {
            let close = tag_at(text, start, &word);
            match open.pop() {
                Some(o) if o.name == name => {}
                Some(o) => return Some(Unpaired::Mismatch { open: o, close }),
                // A stray end tag: Tera names it well enough.
                None => {}
            }
            continue;
        }
        let opens = BLOCK_TAGS.contains(&word.as_str()) && !(word == "set" && inner.contains('='));
        if opens {
            open.push(tag_at(text, start, &word));
        }
    }
    open.pop().map(Unpaired::AtEnd)
}

/// The offset just after the `{% endraw %}` that ends a raw block begun before `from`.
fn find_endraw(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = text[at..].find("{%") {
        at += i + 2;
        let after = text[at..].trim_start_matches('-').trim_start();
        if let Some(tail) = after.strip_prefix("endraw") {
            let tail = tail.trim_start().trim_start_matches('-');
            if tail.starts_with("%}") {
                return Some(text.len() - tail.len() + 2);
            }
        }
    }
    None
}

fn tag_at(text: &str, offset: usize, name: &str) -> Tag {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Tag {
        name: name.to_string(),
        line,
        column: text[line_start..offset].chars().count() + 1,
    }
}

impl Unpaired {
    /// Where to point the reader: the opening tag or delimiter.
    pub fn open(&self) -> &Tag {
        match self {
            Unpaired::Delimiter(t) | Unpaired::AtEnd(t) => t,
            Unpaired::Mismatch { open, .. } => open,
        }
    }

    /// The message and the hint, in the words of the template language.
    pub fn describe(&self) -> (String, String) {
        match self {
            Unpaired::Delimiter(t) => {
                let close = match t.name.as_str() {
                    "{{" => "}}",
                    "{#" => "#}",
                    _ => "%}",
                };
                (
                    format!("`{}` is not closed", t.name),
                    format!("end it with `{close}` on this line or the next ones"),
                )
            }
            Unpaired::Mismatch { open, close } => (
                format!(
                    "`{}` is still open where `{{% {} %}}` (line {}) closes",
                    show(&open.name),
                    close.name,
                    close.line
                ),
                format!("add `{}` before line {}", end_of(&open.name), close.line),
            ),
            Unpaired::AtEnd(t) => (
                format!("`{}` is never closed", show(&t.name)),
                format!("add `{}` where its body ends", end_of(&t.name)),
            ),
        }
    }
}

fn show(name: &str) -> String {
    if name.starts_with('<') {
        format!("{{% {name}> %}}")
    } else {
        format!("{{% {name} %}}")
    }
}

fn end_of(name: &str) -> String {
    match name.strip_prefix('<') {
        Some(n) => format!("{{% </{n}> %}}"),
        None => format!("{{% end{name} %}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str, line: usize, column: usize) -> Tag {
        Tag {
            name: name.into(),
            line,
            column,
        }
    }

    #[test]
    fn an_if_never_closed_is_found_at_its_own_line() {
        let t = "line1\n{% if x %}\nabc\n";
        assert_eq!(unpaired(t), Some(Unpaired::AtEnd(tag("if", 2, 1))));
    }

    #[test]
    fn an_if_closed_by_endblock_names_both() {
        let t = "{% block content %}\n  {% if page %}\nhello\n{% endblock %}\n";
        assert_eq!(
            unpaired(t),
            Some(Unpaired::Mismatch {
                open: tag("if", 2, 3),
                close: tag("endblock", 4, 1)
            })
        );
        let (message, hint) = unpaired(t).map(|u| u.describe()).unwrap_or_default();
        assert_eq!(
            message,
            "`{% if %}` is still open where `{% endblock %}` (line 4) closes"
        );
        assert_eq!(hint, "add `{% endif %}` before line 4");
    }

    #[test]
    fn an_expression_running_into_the_next_tag_is_unclosed() {
        let t = "{% block c %}\n{{ episode.title \n{% endblock c %}\n";
        assert_eq!(unpaired(t), Some(Unpaired::Delimiter(tag("{{", 2, 1))));
    }

    #[test]
    fn well_formed_templates_pair_up() {
        let t = concat!(
            "{% extends \"base.html\" %}{% set x = 1 %}{% set y %}a{% endset %}\n",
            "{% block c -%}{%- for a in b %}{% if a %}{{ a }}{% elif b %}{% else %}{% endif %}",
            "{% endfor %}{# {% if %} in a comment #}{% raw %}{% if {{ {% endraw %}",
            "{% filter upper %}x{% endfilter %}{% endblock c %}\n",
        );
        assert_eq!(unpaired(t), None);
    }

    #[test]
    fn a_raw_block_never_ended_is_reported() {
        assert_eq!(
            unpaired("a\n{% raw %}{% if %}"),
            Some(Unpaired::AtEnd(tag("raw", 2, 1)))
        );
    }
}
