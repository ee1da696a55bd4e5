//! Splits a Markdown file into its YAML front matter and body, keeping line numbers so that
//! errors in either part point at the right line of the file.

/// A file split at its front matter fences.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// File line (1-based) of the first YAML line.
    pub yaml_line: usize,
    /// Everything after the closing fence.
    pub body: &'a str,
    /// File line (1-based) of the first body line.
    pub body_line: usize,
}

/// Why a file could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// Nothing but whitespace.
    Empty,
    /// The first line is not `---`.
    Missing,
    /// The opening `---` has no closing `---`.
    Unclosed,
}

impl SplitError {
    /// Message and hint for the user.
    pub fn describe(&self) -> (&'static str, &'static str) {
        match self {
            SplitError::Empty => (
                "file is empty",
                "a digest starts with YAML front matter between `---` lines, with at least a title and a date",
            ),
            SplitError::Missing => (
                "no front matter: the file must start with a `---` line",
                "add front matter: `---`, `title: …`, `date: YYYY-MM-DD`, `---`, then the body",
            ),
            SplitError::Unclosed => (
                "front matter is not closed",
                "end the front matter with a line containing only `---`",
            ),
        }
    }
}

/// Splits `text` (a leading BOM is ignored; LF or CRLF line endings).
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(SplitError::Missing);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for (line_no, line) in (2..).zip(lines) {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_start = offset + line.len();
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_line_numbers() {
        let s = split("---\ntitle: a\n---\nbody\n").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.yaml, "title: a\n");
        assert_eq!(s.body, "body\n");
        assert_eq!((s.yaml_line, s.body_line), (2, 4));
    }

    #[test]
    fn handles_bom_and_crlf() {
        let s = split("\u{feff}---\r\ntitle: a\r\n---\r\nbody").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.yaml, "title: a\r\n");
        assert_eq!(s.body, "body");
    }

    #[test]
    fn errors() {
        assert_eq!(split("  \n").err(), Some(SplitError::Empty));
        assert_eq!(split("# no\n").err(), Some(SplitError::Missing));
        assert_eq!(split("---\ntitle: a\n").err(), Some(SplitError::Unclosed));
    }
}
