//! The built-in default theme, compiled into the binary so that a site made by `castdown init`
//! works without copying `themes/default/`. The repository's `themes/default/` folder is the
//! source; a unit test keeps this list and the folder in step.

/// The name under which the built-in theme is selected.
pub const DEFAULT_NAME: &str = "default";

macro_rules! files {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../themes/default/", $path)))),*]
    };
}

static FILES: &[(&str, &[u8])] = files![
    "theme.yaml",
    "templates/base.html",
    "templates/index.html",
    "templates/episode.html",
    "templates/transcript.html",
    "templates/search.html",
    "templates/concept.html",
    "templates/concepts.html",
    "templates/show.html",
    "templates/shows.html",
    "templates/person.html",
    "templates/people.html",
    "templates/page.html",
    "templates/404.html",
    "templates/alias.html",
    "templates/partials/card.html",
    "templates/partials/pagination.html",
    "templates/partials/term_page.html",
    "templates/partials/term_list.html",
    "static/favicon.svg",
    "static/style.css",
    "static/transcript.js",
    "static/search.js",
];

/// Templates of the built-in theme: `(name relative to templates/, bytes)`.
pub fn templates() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    FILES
        .iter()
        .filter_map(|(p, b)| p.strip_prefix("templates/").map(|n| (n, *b)))
}

/// Static files of the built-in theme: `(path relative to static/, bytes)`.
pub fn static_files() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    FILES
        .iter()
        .filter_map(|(p, b)| p.strip_prefix("static/").map(|n| (n, *b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_list_matches_the_theme_folder() {
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
        let mut embedded: Vec<String> = FILES.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded, "update FILES in src/theme.rs");
    }
}
