//! Problems a user can fix, located in their source file, and the error type of the library.
//!
//! castdown collects problems instead of stopping at the first one (mdBook and Zola stop early;
//! users with thousands of imported digests asked for one run that lists everything). Every
//! problem is a [`Diagnostic`]: path, line, column, message, the offending source line and an
//! optional hint. They are sorted by path and position before they are printed.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One located problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, shown relative to the site root where possible.
    pub path: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when we can say.
    pub hint: Option<String>,
    /// The text of `line`, shown under the message.
    pub source_line: Option<String>,
    /// A warning: printed, but the build goes on and succeeds.
    pub warning: bool,
}

impl Diagnostic {
    /// A problem with a whole file (no position).
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
            source_line: None,
            warning: false,
        }
    }

    /// Places the problem at `line`/`column` (1-based) and captures that line of `source`.
    pub fn at(mut self, source: &str, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        if line > 0 {
            self.source_line = source
                .lines()
                .nth(line - 1)
                .map(|l| l.trim_end_matches('\r').to_string());
        }
        self
    }

    /// Places the problem at a position without capturing source text.
    pub fn at_position(mut self, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    /// Makes this a warning.
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    /// Adds a hint telling the user how to fix the problem.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Shows `path` relative to `root` when it lies inside it.
    pub fn relative_to(mut self, root: &Path) -> Self {
        if let Ok(rel) = self.path.strip_prefix(root) {
            self.path = rel.to_path_buf();
        }
        self
    }

    /// `path:line:col: error: message`, then the source line with a caret, then the hint.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let path = self.path.display();
        let kind = if self.warning { "warning" } else { "error" };
        let _ = match (self.line, self.column) {
            (0, _) => write!(out, "{path}: {kind}: {}", self.message),
            (l, 0) => write!(out, "{path}:{l}: {kind}: {}", self.message),
            (l, c) => write!(out, "{path}:{l}:{c}: {kind}: {}", self.message),
        };
        if let Some(src) = &self.source_line {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let _ = write!(out, "\n{pad} |\n{num} | {src}");
            if self.column > 0 {
                // Columns count characters, so the caret lines up under multi-byte text too.
                let before: String = src.chars().take(self.column - 1).collect();
                let indent: String = before
                    .chars()
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = write!(out, "\n{pad} | {indent}^");
            }
        }
        if let Some(hint) = &self.hint {
            let _ = write!(out, "\n  = hint: {hint}");
        }
        out
    }
}

impl Ord for Diagnostic {
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.path, self.line, self.column, &self.message).cmp(&(
            &other.path,
            other.line,
            other.column,
            &other.message,
        ))
    }
}

impl PartialOrd for Diagnostic {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Renders every diagnostic, sorted and deduplicated, followed by a count line.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let sorted = sorted(diagnostics);
    let mut out = String::new();
    for d in &sorted {
        out.push_str(&d.render());
        out.push_str("\n\n");
    }
    let n = sorted.len();
    let mut paths: Vec<&PathBuf> = sorted.iter().map(|d| &d.path).collect();
    paths.sort();
    paths.dedup();
    // Errors about a site folder (`content`, `static`…) name the folder: no extension.
    let folders = paths.iter().filter(|p| p.extension().is_none()).count();
    let files = paths.len() - folders;
    let count = crate::text::count;
    let places = match (files, folders) {
        (_, 0) => count(files, "file", "files"),
        (0, _) => count(folders, "folder", "folders"),
        _ => format!(
            "{} and {}",
            count(files, "file", "files"),
            count(folders, "folder", "folders")
        ),
    };
    let _ = write!(out, "{} in {places}", count(n, "error", "errors"));
    out
}

/// Renders warnings, sorted and deduplicated, each followed by a blank line.
pub fn render_warnings(warnings: &[Diagnostic]) -> String {
    sorted(warnings)
        .iter()
        .map(|d| d.render() + "\n\n")
        .collect()
}

/// Diagnostics sorted by path and position, duplicates dropped.
fn sorted(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut sorted = diagnostics.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
}

/// The library's error type. `Site` problems are the user's content (exit 1); the rest are
/// usage or I/O failures (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the site's files, all of them.
    #[error("{}", render_all(.0))]
    Site(Vec<Diagnostic>),
    /// A file operation failed. The OS text is part of the message and not a `source`, so
    /// printing the error chain (`{:#}`) says it once.
    #[error("{action} {path}: {err}")]
    Io {
        /// What we were doing ("reading", "writing", …).
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying failure.
        err: std::io::Error,
    },
    /// The command was used wrongly (bad flag value, refused overwrite, …).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Wraps an I/O failure with the action and path it concerns.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            err: source,
        }
    }

    /// The process exit code for this error: 1 when the site has errors, 2 for bad usage or
    /// an I/O failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Site(_) => 1,
            Error::Io { .. } | Error::Usage(_) => 2,
        }
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Finds the 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_source_caret_and_hint() {
        let src = "title: x\ndate: 2025-13-01\n";
        let d = Diagnostic::new("content/a.md", "invalid date")
            .at(src, 2, 7)
            .hint("use YYYY-MM-DD");
        let r = d.render();
        assert_eq!(
            r,
            "content/a.md:2:7: error: invalid date\n  |\n2 | date: 2025-13-01\n  |       ^\n  = hint: use YYYY-MM-DD"
        );
    }

    #[test]
    fn sorts_by_path_then_position_and_counts() {
        let a = Diagnostic::new("b.md", "two").at_position(1, 1);
        let b = Diagnostic::new("a.md", "one").at_position(9, 1);
        let c = Diagnostic::new("a.md", "zero").at_position(2, 1);
        let out = render_all(&[a, b, c]);
        let zero = out.find("zero").unwrap_or(usize::MAX);
        let one = out.find("one").unwrap_or(usize::MAX);
        let two = out.find("two").unwrap_or(usize::MAX);
        assert!(zero < one && one < two, "{out}");
        assert!(out.ends_with("3 errors in 2 files"), "{out}");
    }

    #[test]
    fn regression_io_errors_printed_the_os_text_twice() {
        let e = anyhow::Error::from(Error::io(
            "reading",
            "a.md",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
        let shown = format!("{e:#}");
        assert_eq!(shown.matches("not found").count(), 1, "{shown}");
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\nçd\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        // 'ç' is two bytes; offset 5 is 'd', the second character.
        assert_eq!(line_col(text, 5), (2, 2));
        assert_eq!(line_col(text, 999), (3, 1));
    }
}
