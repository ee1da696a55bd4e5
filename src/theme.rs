//! The built-in default theme, compiled into the binary (with `include_dir`) so that a site
//! made by `castdown init` works without copying `themes/default/`. The repository's
//! `themes/default/` folder is the source. Cargo rebuilds when an embedded file changes; a
//! file added to the folder is embedded at the next build of this module (a unit test
//! notices a stale one). See `docs/themes.md`.

use include_dir::{Dir, File, include_dir};

/// The name under which the built-in theme is selected.
pub const DEFAULT_NAME: &str = "default";

static THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Every file under `dir`, sorted by path.
fn files_under(dir: &'static Dir<'static>) -> Vec<&'static File<'static>> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        out.extend(d.files());
        stack.extend(d.dirs());
    }
    out.sort_by_key(|f| f.path());
    out
}

/// The files of a folder of the theme: `(path relative to that folder, bytes)`.
fn folder(name: &str) -> Vec<(String, &'static [u8])> {
    let Some(dir) = THEME.get_dir(name) else {
        return Vec::new();
    };
    files_under(dir)
        .into_iter()
        .filter_map(|f| {
            let rel = f.path().strip_prefix(name).ok()?;
            Some((rel.to_string_lossy().replace('\\', "/"), f.contents()))
        })
        .collect()
}

/// Templates of the built-in theme: `(name relative to templates/, bytes)`.
pub fn templates() -> Vec<(String, &'static [u8])> {
    folder("templates")
}

/// Static files of the built-in theme: `(path relative to static/, bytes)`.
pub fn static_files() -> Vec<(String, &'static [u8])> {
    folder("static")
}

/// A translation file of the built-in theme (`i18n/<file>`), if it has one.
pub fn i18n(file: &str) -> Option<&'static [u8]> {
    THEME.get_file(format!("i18n/{file}")).map(File::contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_are_the_theme_folder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                e.path()
                    .strip_prefix(&dir)
                    .ok()
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
            })
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = files_under(&THEME)
            .iter()
            .map(|f| f.path().to_string_lossy().replace('\\', "/"))
            .collect();
        assert_eq!(on_disk, embedded, "a stale build: touch src/theme.rs");
        assert!(templates().iter().any(|(n, _)| n == "partials/card.html"));
        assert!(static_files().iter().any(|(n, _)| n == "style.css"));
    }
}
