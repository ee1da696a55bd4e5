//! The stages every build order shares, each written once: reading config and content, the
//! site model, the templates, and the files made last (transcripts, the highlighting
//! stylesheet, robots.txt, llms.txt, the sitemap, redirects, static files). The orders in
//! `streamed.rs`, `incremental.rs` and `episode.rs` call them in sequence.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::BuildOptions;
use crate::config::{BaseUrl, Config};
use crate::error::{Diagnostic, Error, Result};
use crate::i18n::Words;
use crate::load::{self, Content};
use crate::output::{Output, OutputFile};
use crate::render::{self, Templates};
use crate::site::{RelatedCache, Site, paths};
use crate::{data, theme};

/// What the first stage read: config, base URL, content and the highlighting stylesheet.
pub(super) struct Loaded {
    pub config: Config,
    /// The theme's words in the site's language, with the site's overrides.
    pub words: Words,
    pub base: BaseUrl,
    pub content: Content,
    /// The stylesheet for the configured highlighting themes.
    pub stylesheet: String,
}

/// Reads the config and the content (`read` walks `content/`, cached or not) and makes the
/// highlighting stylesheet (`stylesheet`, given the two theme names, may reuse the last
/// one). Every problem of every file is reported at once.
pub(super) fn load(
    opts: &BuildOptions,
    read: impl FnOnce(&Path) -> (Content, Vec<Diagnostic>),
    stylesheet: impl FnOnce(&str, &str) -> std::result::Result<String, String>,
) -> Result<Loaded> {
    let root = &opts.root;
    if !root.is_dir() {
        return Err(Error::Usage(format!(
            "site folder {} does not exist",
            root.display()
        )));
    }
    let mut errors: Vec<Diagnostic> = Vec::new();
    let config = Config::load_from(root, opts.config.as_deref())
        .map_err(|mut e| errors.append(&mut e))
        .ok();
    let base = match (&opts.base_url, config.as_ref()) {
        (Some(u), _) => match BaseUrl::parse(u) {
            Ok(b) => Some(b),
            Err(m) => return Err(Error::Usage(format!("--base-url: {m}"))),
        },
        (None, Some(c)) => c
            .require_base_url()
            .map_err(|d| errors.push(d))
            .ok()
            .cloned(),
        (None, None) => None,
    };
    errors.extend(linked_out_folders(root));
    let (content, mut load_errors) = read(root);
    errors.append(&mut load_errors);
    let (Some(config), Some(base)) = (config, base) else {
        return Err(Error::Site(errors));
    };
    let words = Words::load(root, &config.theme, &config.language)
        .map_err(|mut e| errors.append(&mut e))
        .ok();
    let stylesheet = stylesheet(&config.highlight_theme, &config.highlight_dark_theme)
        .map_err(|m| errors.push(Diagnostic::new(&config.file, m)));
    match (stylesheet, words) {
        (Ok(stylesheet), Some(words)) if errors.is_empty() => Ok(Loaded {
            config,
            words,
            base,
            content,
            stylesheet,
        }),
        _ => Err(Error::Site(errors)),
    }
}

/// Builds the site model from what [`load`] read, reusing related episodes from `related`.
pub(super) fn model(
    opts: &BuildOptions,
    loaded: Loaded,
    related: Option<&mut RelatedCache>,
) -> Result<(Site, String)> {
    let Loaded {
        config,
        words,
        base,
        content,
        stylesheet,
    } = loaded;
    let mut site = Site::build_cached(
        config,
        base,
        opts.root.clone(),
        content,
        crate::site::Publish {
            drafts: opts.drafts,
            future: opts.future,
        },
        related,
    )
    .map_err(Error::Site)?;
    site.words = words;
    Ok((site, stylesheet))
}

/// Compiles the theme's templates and the site's overrides.
pub(super) fn templates(site: &Site) -> Result<Templates> {
    let site_value = render::context::site_value(site);
    Templates::load(
        &site.root,
        &site.config.theme,
        (&site.base, &site.words),
        site_value,
    )
    .map_err(Error::Site)
}

/// Adds a file, recording a collision as an error.
pub(super) fn push(out: &mut Output, f: OutputFile, origin: &str, errors: &mut Vec<Diagnostic>) {
    if let Err(d) = out.add(f, origin) {
        errors.push(d);
    }
}

/// The files made last, from the model and what the output holds by now: transcripts and
/// chapters, the highlighting stylesheet, robots.txt, llms.txt, the sitemap (of every HTML
/// page so far), then static files (the theme's, then the site's, each yielding to
/// generated files). Ends with the located errors for paths that cannot be written.
pub(super) fn finish(
    site: &Site,
    templates: &Templates,
    stylesheet: String,
    out: &mut Output,
    errors: &mut Vec<Diagnostic>,
) {
    for (i, e) in site.episodes.iter().enumerate() {
        if let (Some(path), Some(src)) = (e.transcript_file_path(), e.digest.transcript.as_ref()) {
            out.add_static(path, src.clone(), "transcript");
        }
        for f in data::chapter_files(site, i) {
            push(out, f, "chapters", errors);
        }
        // Files beside the digest that it uses, beside its page (co-located assets).
        for (rel, file) in &e.digest.assets {
            out.add_static(
                format!("{}{rel}", e.path),
                file.clone(),
                "beside the digest",
            );
        }
    }
    let html_paths: Vec<&str> = out
        .iter()
        .filter(|(p, _)| p.ends_with(".html") && !out.is_redirect(p))
        .map(|(p, _)| p.as_str())
        .collect();
    // `llms.txt` and the sitemap list every episode (10 to 15 ms each at 10,000 episodes):
    // made side by side, each from the model alone. A site's own `templates/sitemap.xml`
    // wins (one file, whatever its length).
    let (llms, sitemaps) = rayon::join(
        || data::llms(site),
        || {
            if templates.has(paths::SITEMAP) {
                render::sitemap(templates, &data::sitemap_entries(site, &html_paths))
                    .map(|bytes| vec![(paths::SITEMAP.to_string(), bytes)])
            } else {
                let files = data::sitemaps(site, &html_paths);
                Ok(files
                    .into_iter()
                    .map(|(p, t)| (p, t.into_bytes()))
                    .collect())
            }
        },
    );
    drop(html_paths);
    let made = [
        (paths::SYNTAX_CSS, stylesheet, "highlight theme"),
        (paths::LLMS, llms, "llms.txt"),
    ];
    for (path, text, origin) in made {
        push(
            out,
            OutputFile::bytes(path, text.into_bytes()),
            origin,
            errors,
        );
    }
    // What the site provides wins: a `templates/robots.txt`, else a `static/robots.txt`
    // (copied with the static files below), else castdown's own.
    if templates.has(paths::ROBOTS) {
        match render::robots(templates, site) {
            Ok(bytes) => push(
                out,
                OutputFile::bytes(paths::ROBOTS, bytes),
                "robots.txt",
                errors,
            ),
            Err(d) => errors.push(d),
        }
    } else if !site.root.join("static").join(paths::ROBOTS).is_file() {
        push(
            out,
            OutputFile::bytes(paths::ROBOTS, data::robots(site).into_bytes()),
            "robots.txt",
            errors,
        );
    }
    match sitemaps {
        Ok(files) => {
            for (path, bytes) in files {
                push(out, OutputFile::bytes(path, bytes), "sitemap", errors);
            }
        }
        Err(d) => errors.push(d),
    }
    add_static(out, &site.root, &site.config.theme, errors);
    errors.extend(unwritable_paths(site, out));
}

/// The redirect from `/page/1/` and every alias's redirect page.
pub(super) fn redirects(
    site: &Site,
    templates: &Templates,
    out: &mut Output,
    errors: &mut Vec<Diagnostic>,
) {
    if !site.episodes.is_empty() {
        // `/page/1/` is the home page; like Zola, redirect it there.
        let from = paths::FIRST_PAGE;
        match render::alias(templates, site, from, paths::HOME) {
            Ok(html) => push(
                out,
                OutputFile::bytes(paths::index_file(from), html),
                "pagination",
                errors,
            ),
            Err(d) => errors.push(d),
        }
    }
    let mut aliases: Vec<(&str, String, &Path)> = Vec::new();
    for e in &site.episodes {
        for a in &e.digest.aliases {
            aliases.push((a, e.path.clone(), &e.digest.path));
        }
    }
    for p in &site.pages {
        for a in &p.aliases {
            aliases.push((a, paths::page(&p.slug), &p.path));
        }
    }
    if site.config.redirects_file {
        // Hosts that read `_redirects` (Netlify, Cloudflare Pages) answer an old URL with
        // a real 301; the meta-refresh pages below stay for every other host.
        let mut lines = String::new();
        let mut add = |from: &str, to: &str| {
            lines.push_str(&site.base.link(from));
            lines.push(' ');
            lines.push_str(to);
            lines.push_str(" 301\n");
        };
        if !site.episodes.is_empty() {
            add(paths::FIRST_PAGE, &site.base.link(paths::HOME));
        }
        for (from, to, _) in &aliases {
            add(from, &site.base.link(to));
        }
        push(
            out,
            OutputFile::bytes(paths::REDIRECTS, lines.into_bytes()),
            "redirects_file",
            errors,
        );
    }
    for (from, to, origin) in aliases {
        let html = match render::alias(templates, site, from, &to) {
            Ok(html) => html,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        let file = OutputFile::bytes(paths::index_file(from), html);
        if let Err(d) = out.add(file, &origin.display().to_string()) {
            let pos = digest_at(site, origin).map_or((0, 0), |d| d.key_pos.aliases);
            errors.push(
                Diagnostic::new(origin, format!("alias `/{from}`: {}", d.message))
                    .at_position(pos.0, pos.1)
                    .hint("an alias may not replace a page the site produces"),
            );
        }
    }
}

/// The published digest read from `path` (relative to the site root), to locate a problem
/// in it. A linear search: it runs only for errors.
fn digest_at<'s>(site: &'s Site, path: &Path) -> Option<&'s load::Digest> {
    site.episodes
        .iter()
        .map(|e| e.digest.as_ref())
        .find(|d| d.path == path)
}

/// Located errors for output paths that cannot be written (see [`Output::unwritable`]),
/// found before the build is swapped in: an alias on a generated file, a segment too long.
fn unwritable_paths(site: &Site, out: &Output) -> Vec<Diagnostic> {
    out.unwritable()
        .into_iter()
        .map(|(file, path)| {
            let origin = out.origin(&path).unwrap_or("the site").to_string();
            let digest = digest_at(site, Path::new(&origin));
            let (message, pos) = if file == path {
                (
                    format!(
                        "output path `/{path}` has a segment over {} bytes",
                        crate::names::MAX_SEGMENT_BYTES
                    ),
                    digest.map(|d| d.key_pos.slug),
                )
            } else {
                (
                    format!("`/{path}` would need `/{file}` to be a folder, but the site generates a file there"),
                    digest.map(|d| d.key_pos.aliases),
                )
            };
            let d = Diagnostic::new(origin, message)
                .hint("change the alias or slug so it does not fall on a generated file");
            match pos {
                Some((l, c)) => d.at_position(l, c),
                None => d,
            }
        })
        .collect()
}

/// The build's warnings: code blocks too large to highlight, and in a podcast feed, media
/// without a length.
pub(super) fn warnings(site: &Site) -> Vec<Diagnostic> {
    let mut out = oversized_code_warnings(site);
    // Built for the address `castdown init` wrote: feeds and links would point there.
    let configured = site.config.base_url.as_ref().map(|b| b.url.as_str());
    if configured == Some(crate::scaffold::PLACEHOLDER_BASE_URL)
        && site.base.url == crate::scaffold::PLACEHOLDER_BASE_URL
    {
        out.push(
            Diagnostic::new(
                &site.config.file,
                format!(
                    "base_url is still `{}`, the placeholder `castdown init` wrote: feeds, the sitemap and every permalink point there",
                    crate::scaffold::PLACEHOLDER_BASE_URL
                ),
            )
            .hint("set base_url to the address the site is published at (or pass --base-url)")
            .warning(),
        );
    }
    if site.config.podcast.is_some() {
        for e in site.episodes.iter().take(site.config.feed_limit) {
            let d = &e.digest;
            if let Some(m) = d.media.as_ref().filter(|m| m.length == 0) {
                let (line, col) = d.key_pos.media;
                out.push(
                    Diagnostic::new(
                        &d.path,
                        format!("media `{}` has no `length`: podcast directories need the file's size in bytes", m.url),
                    )
                    .at_position(line, col)
                    .hint("add `length:` under `media:` (the RSS enclosure goes out without one; never as 0)")
                    .warning(),
                );
            }
        }
    }
    out
}

/// A warning for every code block too large to highlight, naming the digest and line.
fn oversized_code_warnings(site: &Site) -> Vec<Diagnostic> {
    let max = site.config.highlight_max_bytes;
    let mut out = Vec::new();
    // Only a body larger than the limit can hold such a block: the parse runs on those alone.
    for e in &site.episodes {
        let d = &e.digest;
        if d.body_at.1 <= max {
            continue;
        }
        let Ok(body) = d.read_body(&site.root) else {
            continue;
        };
        for (line, len) in crate::markdown::oversized_code_blocks(&body, max) {
            out.push(
                Diagnostic::new(
                    &d.path,
                    format!("code block of {len} bytes is left unhighlighted (over {max} bytes)"),
                )
                .at_position(d.body_line + line - 1, 1)
                .hint("raise `highlight.max_bytes` in castdown.yaml to highlight it anyway")
                .warning(),
            );
        }
    }
    out
}

/// The site's folders that may not be symbolic links leading out of the site (a build would
/// read, and serve would serve, whatever they point at).
const CONFINED: [&str; 4] = ["content", "static", "templates", "themes"];

/// Errors for site folders that are links out of the site.
fn linked_out_folders(root: &Path) -> Vec<Diagnostic> {
    let Ok(root_real) = root.canonicalize() else {
        return Vec::new();
    };
    CONFINED
        .iter()
        .filter(|dir| root.join(dir).is_symlink())
        .filter_map(|dir| {
            let real = root.join(dir).canonicalize().ok()?;
            (!real.starts_with(&root_real)).then(|| {
                Diagnostic::new(
                    format!("{dir}/"),
                    format!(
                        "`{dir}/` is a symbolic link to {}, outside the site",
                        real.display()
                    ),
                )
                .hint("move the folder into the site, or link only to folders inside it")
            })
        })
        .collect()
}

/// Files under `dir` (sorted), with their path relative to it; names that are not UTF-8
/// are errors when `errors` is given, else skipped.
fn static_files(
    root: &Path,
    dir: &Path,
    mut errors: Option<&mut Vec<Diagnostic>>,
) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return files;
    }
    for e in WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
    {
        if e.path().to_str().is_none() {
            // Two such names would become the same URL once made readable.
            if let Some(errors) = errors.as_deref_mut() {
                errors.push(
                    Diagnostic::new(e.path(), "static file name is not valid UTF-8")
                        .relative_to(root)
                        .hint("rename the file: URLs are UTF-8"),
                );
            }
            continue;
        }
        if let Ok(rel) = e.path().strip_prefix(dir) {
            files.push((
                rel.to_string_lossy().replace('\\', "/"),
                e.path().to_path_buf(),
            ));
        }
    }
    files
}

/// Static files: the site's `static/`, then the theme's (or the built-in theme's), each
/// yielding to a file already produced, so the site's replace the theme's.
fn add_static(out: &mut Output, root: &Path, theme_name: &str, errors: &mut Vec<Diagnostic>) {
    for (rel, path) in static_files(root, &root.join("static"), Some(errors)) {
        out.add_static(rel, path, "static/");
    }
    let theme_static = root.join("themes").join(theme_name).join("static");
    if theme_static.is_dir() {
        for (rel, path) in static_files(root, &theme_static, None) {
            out.add_static(rel, path, "theme static/");
        }
    } else if theme_name == theme::DEFAULT_NAME {
        for (rel, bytes) in theme::static_files() {
            if !out.contains(&rel) {
                let _ = out.add(OutputFile::bytes(rel, bytes.to_vec()), "built-in theme");
            }
        }
    }
}

/// A data file made (or reused): its path, the hash of what it was made from (serve only)
/// and its bytes.
pub(super) type Made = (String, Option<u64>, std::sync::Arc<Vec<u8>>);

/// Makes a term feed.
pub(super) type MakeFeed<'a> = dyn Fn(crate::feeds::FeedJob) -> Made + Sync + 'a;
/// A term feed as the previous build left it, when a reusing build knows it unchanged.
pub(super) type KeptFeed<'a> = dyn Fn(&crate::feeds::FeedJob) -> Option<OutputFile> + 'a;

/// Every term's feed, made by `make` a batch at a time (in parallel), each batch added to
/// `out` and shown to `learn` before the next is made; a feed `kept` gives (a reusing
/// build's, which knows it unchanged) is added as it is instead.
pub(super) fn term_feeds(
    site: &Site,
    out: &mut Output,
    errors: &mut Vec<Diagnostic>,
    (make, kept): (&MakeFeed, &KeptFeed),
    learn: &mut dyn FnMut(&Made),
) {
    use rayon::prelude::*;
    let mut to_make = Vec::new();
    for job in crate::feeds::term_feeds(site) {
        match kept(&job) {
            Some(file) => push(out, file, "data", errors),
            None => to_make.push(job),
        }
    }
    let mut jobs = to_make.into_iter().peekable();
    while jobs.peek().is_some() {
        let chunk: Vec<_> = jobs.by_ref().take(render::PAGE_BATCH).collect();
        let made: Vec<Made> = chunk.into_par_iter().map(make).collect();
        for m in made {
            learn(&m);
            push(out, OutputFile::shared(m.0, m.2), "data", errors);
        }
        out.batch_done();
    }
}
