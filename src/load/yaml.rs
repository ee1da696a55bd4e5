//! YAML helpers shared by the config file and front matter: turning serde_yaml errors into
//! located diagnostics, finding the line of a key for errors found after parsing, and a
//! `Scalar` type that accepts `title: 1984` as readily as `title: "1984"`.

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Visitor};

use crate::error::Diagnostic;

/// Converts a serde_yaml error into a diagnostic; `first_line` is the file line on which the
/// YAML text starts (front matter starts on line 2).
/// Flow collections (`[…]`, `{…}`) nested deeper than this are refused before parsing:
/// the YAML parser takes seconds to refuse 100,000 levels itself.
pub const MAX_DEPTH: usize = 64;

/// The 1-based line and column where flow nesting first passes [`MAX_DEPTH`], if it does.
/// Quoted strings and comments are skipped; a bracket inside a plain scalar counts, which
/// only ever over-counts.
pub fn too_deep(yaml: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    for (n, line) in yaml.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (col, c) in line.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if prev.is_whitespace() => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some((n + 1, col + 1));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            prev = c;
        }
    }
    None
}

/// The error for front matter nested too deep, at `line`/`col` of the YAML.
pub fn too_deep_diagnostic(
    path: &Path,
    text: &str,
    first_line: usize,
    (line, col): (usize, usize),
) -> Diagnostic {
    Diagnostic::new(
        path,
        format!("YAML nested more than {MAX_DEPTH} levels deep"),
    )
    .at(text, first_line + line - 1, col)
    .hint("flatten the nested lists or maps")
}

pub fn diagnostic(
    path: &Path,
    file_text: &str,
    first_line: usize,
    err: &serde_yaml::Error,
) -> Diagnostic {
    let raw = err.to_string();
    // serde_yaml appends " at line X column Y"; we print the position ourselves.
    let message = match raw.find(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw.clone(),
    };
    // serde names our internal type; say what the user wrote wrong instead.
    let message = message.replace(
        "data did not match any variant of untagged enum RawConcept",
        "a concept entry is neither a name nor { name, definition }",
    );
    let hint = hint_for(&message);
    let mut d = Diagnostic::new(path, message);
    if let Some(loc) = err.location() {
        d = d.at(file_text, loc.line() + first_line - 1, loc.column());
    } else {
        d = d.at(file_text, first_line.saturating_sub(1).max(1), 0);
    }
    if let Some(h) = hint {
        d = d.hint(h);
    }
    d
}

fn hint_for(message: &str) -> Option<String> {
    if message.starts_with("unknown field") {
        return Some("a typo? free-form data goes under `extra:`".into());
    }
    if message.contains("invalid type: sequence, expected a string")
        || message.contains("invalid type: map, expected a string")
    {
        return Some("quote text that starts with `[` or `{` or contains `: `".into());
    }
    if message.contains("a concept entry is neither a name nor") {
        return Some(
            "each concept is a name (`- Term`) or `- { name: Term, definition: … }`".into(),
        );
    }
    if message.contains("mapping values are not allowed") {
        return Some("a value containing `: ` must be quoted".into());
    }
    None
}

/// The 1-based line and the column of the value of a top-level `key:` in `yaml`, counted from
/// `first_line`. Used for errors found after deserialising, when serde has no position.
pub fn key_position(yaml: &str, first_line: usize, key: &str) -> Option<(usize, usize)> {
    for (i, line) in yaml.lines().enumerate() {
        if let Some(rest) = line.strip_prefix(key) {
            let trimmed = rest.trim_start();
            if let Some(after) = trimmed.strip_prefix(':') {
                let value_offset =
                    line.len() - after.len() + (after.len() - after.trim_start().len());
                let col = line[..value_offset.min(line.len())].chars().count() + 1;
                return Some((first_line + i, col));
            }
        }
    }
    None
}

/// Any YAML scalar read as text, so unquoted numbers, dates and booleans are accepted where a
/// string is expected (`title: 1984`, `date: 2025-10-30`, `duration: 3600`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// One string or a list of them (`people: Ada` or `people: [Ada, Grace]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// No value.
    #[default]
    #[serde(skip)]
    None,
    /// A single value.
    One(Scalar),
    /// A list.
    Many(Vec<Scalar>),
}

impl OneOrMany {
    /// The values as a list of trimmed, non-empty strings.
    pub fn into_vec(self) -> Vec<String> {
        let v = match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        };
        v.into_iter()
            .map(|s| s.0.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Converts free-form YAML (`extra:`) to JSON for templates and `digest.json`.
pub fn to_json(value: &serde_yaml::Value) -> Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_position_finds_value_column() {
        let yaml = "title: x\ndate:   2025-01-01\n";
        assert_eq!(key_position(yaml, 2, "date"), Some((3, 9)));
        assert_eq!(key_position(yaml, 2, "missing"), None);
    }

    #[test]
    fn scalar_accepts_numbers_and_bools() {
        let v: Vec<Scalar> = serde_yaml::from_str("[1984, 2.5, true, text]").unwrap_or_default();
        let texts: Vec<String> = v.into_iter().map(|s| s.0).collect();
        assert_eq!(texts, ["1984", "2.5", "true", "text"]);
    }
}
