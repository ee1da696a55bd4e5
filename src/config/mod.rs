//! The site configuration, `castdown.yaml`, read in two stages: [`RawConfig`] mirrors the
//! file exactly and rejects unknown keys; [`Config`] is the validated form the rest of the
//! program uses, with every default applied and every value checked. Every key and its
//! default is listed in `docs/configuration.md`.

mod podcast;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use podcast::{CATEGORIES, Podcast, feed_guid};

use serde::Deserialize;

pub use crate::markdown::{MarkdownOptions, RawHtml};

use crate::error::Diagnostic;
use crate::load::yaml;

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "castdown.yaml";

/// `castdown.yaml` as written. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Site title. Default: "Episode Digests".
    pub title: Option<String>,
    /// Absolute URL the site is served at, may contain a sub-path. No default: `build`
    /// requires it here or as `--base-url`.
    pub base_url: Option<String>,
    /// One-line description for feeds and meta tags. Default: empty.
    pub description: Option<String>,
    /// Language code of the content. Default: "en".
    pub language: Option<String>,
    /// Site author for feeds. Default: the site title as name, no email.
    pub author: Option<RawAuthor>,
    /// Theme folder under `themes/`. Default: "default" (built in when the folder is absent).
    pub theme: Option<String>,
    /// Entries per list page. Default: 20.
    pub paginate: Option<usize>,
    /// Newest N entries in each feed. Default: 50.
    pub feed_limit: Option<usize>,
    /// Other names of concepts: alias → canonical name. Default: none.
    pub concept_aliases: Option<BTreeMap<String, String>>,
    /// Markdown options. Default: raw_html sanitize, smart_punctuation true.
    pub markdown: Option<RawMarkdown>,
    /// Code highlighting themes. Default: base16-ocean.light and base16-ocean.dark.
    pub highlight: Option<RawHighlight>,
    /// Build the static search. Default: true.
    pub search: Option<bool>,
    /// Give an episode whose `source` is a YouTube or Vimeo video (and which has no
    /// `media`) a click-to-load player: nothing is fetched from the video site until the
    /// reader clicks. Default: true.
    pub embeds: Option<bool>,
    /// The site's image (a URL or a site path): the cover art of episodes and shows that
    /// have none, and `og:image`. Default: none.
    pub image: Option<String>,
    /// Write a `_redirects` file (Netlify, Cloudflare Pages) so aliases get a real 301 on
    /// hosts that read it; the redirect pages are written either way. Default: false.
    pub redirects_file: Option<bool>,
    /// Makes the RSS feed a podcast feed (see `podcast.rs`). Default: none, a digest feed.
    pub podcast: Option<podcast::RawPodcast>,
    /// Free-form data handed to templates as `site.extra`. Default: empty map.
    pub extra: Option<serde_yaml::Value>,
}

/// `author:` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuthor {
    /// Author name. Default: the site title.
    pub name: Option<String>,
    /// Author email. Default: none.
    pub email: Option<String>,
}

/// `markdown:` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMarkdown {
    /// What to do with raw HTML in Markdown. Default: sanitize.
    pub raw_html: Option<RawHtml>,
    /// Curly quotes, dashes and ellipses. Default: true.
    pub smart_punctuation: Option<bool>,
}

/// `highlight:` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHighlight {
    /// Light theme name. Default: base16-ocean.light.
    pub theme: Option<String>,
    /// Dark theme name (used under `prefers-color-scheme: dark`). Default: base16-ocean.dark.
    pub dark_theme: Option<String>,
    /// Code blocks larger than this many bytes are left unhighlighted, with a warning.
    /// Default: 262144 (256 KiB).
    pub max_bytes: Option<usize>,
}

/// The site's base URL, split for absolute and root-relative links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Absolute, always ending in `/`: `https://host/digests/`.
    pub url: String,
    /// The path part, starting and ending with `/`: `/digests/`.
    pub path: String,
}

impl BaseUrl {
    /// Parses and normalises an absolute http(s) URL (with the `url` crate, which also
    /// lower-cases the host, encodes what a URL may not hold and drops a default port).
    pub fn parse(input: &str) -> Result<BaseUrl, String> {
        let s = input.trim();
        let Some((scheme, rest)) = s.split_once("://") else {
            return Err(format!(
                "base_url `{s}` must start with http:// or https://"
            ));
        };
        if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
            return Err(format!(
                "base_url `{s}` must start with http:// or https://"
            ));
        }
        // The parser would read `https:///x` as the host `x`.
        if rest.is_empty() || rest.starts_with('/') {
            return Err(format!("base_url `{s}` has no host"));
        }
        let mut url =
            url::Url::parse(s).map_err(|e| format!("base_url `{s}` is not a valid URL: {e}"))?;
        if url.query().is_some() || url.fragment().is_some() || s.contains(['?', '#']) {
            return Err(format!(
                "base_url `{s}` must not contain a query or a fragment"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "base_url `{s}` must not contain a user name or password"
            ));
        }
        // The parser resolves them; a base URL that needs resolving is a mistake.
        let raw_path = rest.find('/').map_or("/", |i| &rest[i..]);
        if raw_path.split('/').any(|seg| seg == ".." || seg == ".") {
            return Err(format!(
                "base_url `{s}` must not contain `.` or `..` segments"
            ));
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(BaseUrl {
            path: url.path().to_string(),
            url: url.into(),
        })
    }

    /// Root-relative link to a site path such as `episodes/x/` (no leading slash).
    pub fn link(&self, site_path: &str) -> String {
        crate::text::concat(&[&self.path, site_path.trim_start_matches('/')])
    }

    /// Absolute URL of a site path.
    pub fn absolute(&self, site_path: &str) -> String {
        crate::text::concat(&[&self.url, site_path.trim_start_matches('/')])
    }
}

/// The site author.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Author {
    /// Display name.
    pub name: String,
    /// Optional email.
    pub email: Option<String>,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// Base URL; `None` only until a command that needs it checks.
    pub base_url: Option<BaseUrl>,
    /// Site description.
    pub description: String,
    /// Language code.
    pub language: String,
    /// Author for feeds.
    pub author: Author,
    /// Theme name.
    pub theme: String,
    /// Entries per list page (≥ 1).
    pub paginate: usize,
    /// Entries per feed (≥ 1).
    pub feed_limit: usize,
    /// Alias → canonical concept name, as written.
    pub concept_aliases: Vec<(String, String)>,
    /// Markdown options.
    pub markdown: MarkdownOptions,
    /// Light highlight theme name.
    pub highlight_theme: String,
    /// Dark highlight theme name.
    pub highlight_dark_theme: String,
    /// Code blocks over this many bytes are not highlighted.
    pub highlight_max_bytes: usize,
    /// Whether to build search.
    pub search: bool,
    /// Whether video sources get a click-to-load player.
    pub embeds: bool,
    /// The site's image, as written (a URL or a site path).
    pub image: Option<String>,
    /// The podcast feed's settings, when the site publishes one.
    pub podcast: Option<Podcast>,
    /// Whether to write `_redirects`.
    pub redirects_file: bool,
    /// Free-form data for templates.
    pub extra: serde_json::Value,
    /// The config file as messages name it (`castdown.yaml`, or the `--config` given).
    pub file: PathBuf,
}

impl Config {
    /// Reads `castdown.yaml` from `root` (absent means all defaults) and validates it.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        Config::load_from(root, None)
    }

    /// Reads the config `given` on the command line (`--config FILE`, which must exist),
    /// else `castdown.yaml` in `root` (absent means all defaults), and validates it.
    pub fn load_from(root: &Path, given: Option<&Path>) -> Result<Config, Vec<Diagnostic>> {
        let (path, shown) = match given {
            Some(g) => (g.to_path_buf(), g.to_path_buf()),
            None => (root.join(CONFIG_FILE), PathBuf::from(CONFIG_FILE)),
        };
        let text = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    return Err(vec![Diagnostic::new(shown, "config is not valid UTF-8")]);
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && given.is_none() => String::new(),
            Err(e) => {
                return Err(vec![Diagnostic::new(
                    shown,
                    format!("cannot read config: {e}"),
                )]);
            }
        };
        Config::parse_named(&text, &shown)
    }

    /// Parses and validates config text (diagnostics name `castdown.yaml`).
    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse_named(text, Path::new(CONFIG_FILE))
    }

    /// Parses and validates config text; diagnostics name `file`.
    pub fn parse_named(text: &str, file: &Path) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else if let Some(at) = yaml::too_deep(text) {
            return Err(vec![yaml::too_deep_diagnostic(file, text, 1, at)]);
        } else {
            serde_yaml::from_str::<Option<RawConfig>>(text)
                .map_err(|e| vec![yaml::diagnostic(file, text, 1, &e)])?
                .unwrap_or_default()
        };
        Config::validate(raw, text, file)
    }

    fn validate(raw: RawConfig, text: &str, file: &Path) -> Result<Config, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let at = |key: &str, msg: String| {
            let d = Diagnostic::new(file, msg);
            match yaml::key_position(text, 1, key) {
                Some((l, c)) => d.at(text, l, c),
                None => d,
            }
        };
        let title = raw.title.unwrap_or_else(|| "Episode Digests".into());
        let base_url = match raw.base_url.as_deref() {
            Some(u) => match BaseUrl::parse(u) {
                Ok(b) => Some(b),
                Err(m) => {
                    errors.push(at("base_url", m).hint("for example https://example.com/digests/"));
                    None
                }
            },
            None => None,
        };
        let paginate = raw.paginate.unwrap_or(20);
        if paginate == 0 {
            errors.push(at("paginate", "paginate must be at least 1".into()));
        }
        let feed_limit = raw.feed_limit.unwrap_or(50);
        if feed_limit == 0 {
            errors.push(at("feed_limit", "feed_limit must be at least 1".into()));
        }
        let theme = raw.theme.unwrap_or_else(|| "default".into());
        if theme.is_empty() || theme.contains(['/', '\\']) || theme.starts_with('.') {
            errors.push(at(
                "theme",
                format!("theme `{theme}` must be a folder name under themes/"),
            ));
        }
        let extra = match raw.extra.as_ref().map(yaml::to_json) {
            None => serde_json::Value::Object(Default::default()),
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                errors.push(at(
                    "extra",
                    format!("extra cannot be used in templates: {e}"),
                ));
                serde_json::Value::Null
            }
        };
        let md = raw.markdown.unwrap_or_default();
        let hl = raw.highlight.unwrap_or_default();
        let author = raw.author.unwrap_or_default();
        let mut concept_aliases = Vec::new();
        for (alias, canonical) in raw.concept_aliases.unwrap_or_default() {
            if alias.trim().is_empty() || canonical.trim().is_empty() {
                errors.push(at(
                    "concept_aliases",
                    "concept_aliases entries need a non-empty alias and name".into(),
                ));
            } else {
                concept_aliases.push((alias, canonical));
            }
        }
        let image = raw.image.map(|i| i.trim().to_string());
        if let Some(i) = &image
            && !(i.starts_with("https://")
                || i.starts_with("http://")
                || (i.starts_with('/') && !i.starts_with("//")))
        {
            errors.push(
                at(
                    "image",
                    format!("image `{i}` is neither an http(s) URL nor a site path"),
                )
                .hint("give a URL, or a path like /cover.png for a file under static/"),
            );
        }
        let podcast = match raw.podcast {
            None => None,
            Some(p) => {
                let author_name = author.name.clone().unwrap_or_else(|| title.clone());
                match podcast::validate(
                    p,
                    (file, text),
                    image.as_deref(),
                    (&author_name, author.email.as_deref()),
                ) {
                    Ok(p) => Some(p),
                    Err(mut e) => {
                        errors.append(&mut e);
                        None
                    }
                }
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Config {
            file: file.to_path_buf(),
            image,
            podcast,
            redirects_file: raw.redirects_file.unwrap_or(false),
            author: Author {
                name: author.name.unwrap_or_else(|| title.clone()),
                email: author.email,
            },
            title,
            base_url,
            description: raw.description.unwrap_or_default(),
            language: raw.language.unwrap_or_else(|| "en".into()),
            theme,
            paginate,
            feed_limit,
            concept_aliases,
            markdown: MarkdownOptions {
                raw_html: md.raw_html.unwrap_or(RawHtml::Sanitize),
                smart_punctuation: md.smart_punctuation.unwrap_or(true),
            },
            highlight_theme: hl.theme.unwrap_or_else(|| "base16-ocean.light".into()),
            highlight_dark_theme: hl.dark_theme.unwrap_or_else(|| "base16-ocean.dark".into()),
            highlight_max_bytes: hl
                .max_bytes
                .unwrap_or(crate::markdown::highlight::DEFAULT_MAX_BYTES),
            search: raw.search.unwrap_or(true),
            embeds: raw.embeds.unwrap_or(true),
            extra,
        })
    }

    /// The base URL, or the error `build` reports when there is none.
    pub fn require_base_url(&self) -> Result<&BaseUrl, Diagnostic> {
        self.base_url.as_ref().ok_or_else(|| {
            Diagnostic::new(&self.file, "base_url is not set").hint(format!(
                "add `base_url: https://example.com/` to {} or pass --base-url",
                self.file.display()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_to_an_empty_file() {
        let c = Config::parse("").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(c.title, "Episode Digests");
        assert_eq!(c.paginate, 20);
        assert_eq!(c.feed_limit, 50);
        assert_eq!(c.markdown.raw_html, RawHtml::Sanitize);
        assert!(c.markdown.smart_punctuation && c.search);
        assert!(c.base_url.is_none());
    }

    #[test]
    fn unknown_key_is_located() {
        let errs = Config::parse("title: x\npaginte: 3\n")
            .err()
            .unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 2);
        assert!(
            errs[0].message.contains("unknown field `paginte`"),
            "{:?}",
            errs[0]
        );
    }

    #[test]
    fn base_url_keeps_sub_path() {
        let b = BaseUrl::parse("https://host.example/digests").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.url, "https://host.example/digests/");
        assert_eq!(b.path, "/digests/");
        assert_eq!(b.link("/episodes/a/"), "/digests/episodes/a/");
        assert_eq!(
            b.absolute("atom.xml"),
            "https://host.example/digests/atom.xml"
        );
        assert!(BaseUrl::parse("ftp://x/").is_err());
        assert!(BaseUrl::parse("https:///x").is_err());
    }

    #[test]
    fn zero_paginate_is_an_error_on_its_line() {
        let errs = Config::parse("paginate: 0\n").err().unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].line, errs[0].column), (1, 11));
    }
}
