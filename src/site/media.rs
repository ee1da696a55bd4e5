//! What an episode is listened to or watched with, and where a moment of it is: its own
//! media file (played on the page), else a YouTube or Vimeo `source` (a click-to-load
//! embed), else nothing. Timestamps in the body, chapters and transcript cues all link
//! through [`Site::moment_url`], so every one of them is a real URL that works without
//! JavaScript. See `docs/themes.md` (`episode.player`).

use std::path::PathBuf;

use super::Site;

/// A video site castdown can embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// youtube.com, youtu.be (embedded from youtube-nocookie.com).
    YouTube,
    /// vimeo.com (embedded from player.vimeo.com with `dnt=1`).
    Vimeo,
}

impl Provider {
    /// The name readers know.
    pub fn name(self) -> &'static str {
        match self {
            Provider::YouTube => "YouTube",
            Provider::Vimeo => "Vimeo",
        }
    }
}

/// A video on a site castdown can embed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Video {
    /// Where.
    pub provider: Provider,
    /// The video's id there (letters, digits, `-` and `_` only).
    pub id: String,
}

impl Video {
    /// The video on a page `url` of YouTube (`watch?v=`, `youtu.be/`, `/embed/`, `/shorts/`,
    /// `/live/`) or Vimeo (`vimeo.com/<digits>`, `player.vimeo.com/video/<digits>`).
    pub fn of(url: &str) -> Option<Video> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        let path = path.split('#').next().unwrap_or(path);
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let ok = |id: &str| {
            (!id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
            .then(|| id.to_string())
        };
        let youtube = |id: Option<String>| {
            id.map(|id| Video {
                provider: Provider::YouTube,
                id,
            })
        };
        match host {
            "youtube.com" | "m.youtube.com" | "music.youtube.com" => {
                let mut parts = path.split('/');
                match parts.next() {
                    Some("watch") => youtube(
                        query
                            .split('&')
                            .find_map(|p| p.strip_prefix("v="))
                            .and_then(ok),
                    ),
                    Some("embed" | "shorts" | "live") => youtube(parts.next().and_then(ok)),
                    _ => None,
                }
            }
            "youtu.be" => youtube(path.split('/').next().and_then(ok)),
            "vimeo.com" | "player.vimeo.com" => {
                let id = path.split('/').find(|p| !p.is_empty() && *p != "video")?;
                id.bytes().all(|b| b.is_ascii_digit()).then(|| Video {
                    provider: Provider::Vimeo,
                    id: id.to_string(),
                })
            }
            _ => None,
        }
    }

    /// The player to load on click, starting at `start` seconds (0: the beginning).
    pub fn embed_url(&self, start: u64) -> String {
        match self.provider {
            Provider::YouTube => {
                let mut u = format!(
                    "https://www.youtube-nocookie.com/embed/{}?autoplay=1",
                    self.id
                );
                if start > 0 {
                    u.push_str(&format!("&start={start}"));
                }
                u
            }
            Provider::Vimeo => {
                let mut u = format!(
                    "https://player.vimeo.com/video/{}?autoplay=1&dnt=1",
                    self.id
                );
                if start > 0 {
                    u.push_str(&format!("#t={start}s"));
                }
                u
            }
        }
    }

    /// The video's own page at `secs`.
    pub fn page_at(&self, secs: u64) -> String {
        match self.provider {
            Provider::YouTube => format!("https://www.youtube.com/watch?v={}&t={secs}s", self.id),
            Provider::Vimeo => format!("https://vimeo.com/{}#t={secs}s", self.id),
        }
    }
}

/// A picture as pages and feeds use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Root-relative link (the base path given) or the URL as written.
    pub link: String,
    /// Absolute URL (`og:image`, feeds).
    pub absolute: String,
    /// Width and height in pixels, read from the file when it is on the site.
    pub size: Option<(usize, usize)>,
}

impl Site {
    /// A media file's absolute URL (feeds): a site path gets the base URL.
    pub fn media_absolute(&self, m: &crate::load::Media) -> String {
        if m.on_site() {
            self.base.absolute(m.url.trim_start_matches('/'))
        } else {
            m.url.clone()
        }
    }

    /// A media file's URL as a page links it: a site path gets the base path.
    pub fn media_link(&self, m: &crate::load::Media) -> String {
        if m.on_site() {
            self.base.link(m.url.trim_start_matches('/'))
        } else {
            m.url.clone()
        }
    }

    /// Episode `i`'s cover art: its digest's `image`, else its show's curated `image`, else
    /// the site's `image`.
    pub fn episode_image(&self, i: usize) -> Option<Image> {
        self.cover(i, |written| self.image(written, Some(i)))
    }

    /// Episode `i`'s cover art, its digest's own made by `own` (from the `image` as
    /// written): the one place the fallbacks are chosen.
    fn cover(&self, i: usize, own: impl FnOnce(&str) -> Image) -> Option<Image> {
        let e = self.episodes.get(i)?;
        match &e.digest.image {
            Some(written) => Some(own(written)),
            None => e
                .show
                .and_then(|s| self.show_image(s))
                .or_else(|| self.site_image()),
        }
    }

    /// Show `s`'s curated `image`.
    pub fn show_image(&self, s: usize) -> Option<Image> {
        self.shared_images().1.get(s).cloned().flatten()
    }

    /// The site's `image`.
    pub fn site_image(&self) -> Option<Image> {
        self.shared_images().0.clone()
    }

    /// The site's and the shows' images, read once: every page and card uses them.
    fn shared_images(&self) -> &(Option<Image>, Vec<Option<Image>>) {
        self.images.get_or_init(|| {
            let site = self.config.image.as_deref().map(|i| self.image(i, None));
            let shows = self
                .shows
                .iter()
                .map(|t| {
                    let written = t.curated.as_ref()?.image.as_deref()?;
                    Some(self.image(written, None))
                })
                .collect();
            (site, shows)
        })
    }

    /// An image as written (`https://…`, a site path `/covers/x.png` under `static/`, or a
    /// file beside episode `beside`'s digest, copied beside its page).
    pub fn image(&self, written: &str, beside: Option<usize>) -> Image {
        let (image, file) = self.image_unsized(written, beside);
        Image {
            size: file
                .and_then(|f| imagesize::size(f).ok())
                .map(|s| (s.width, s.height)),
            ..image
        }
    }

    /// Episode `i`'s cover art's absolute URL ([`Site::episode_image`] without reading the
    /// picture's size).
    pub fn episode_image_url(&self, i: usize) -> Option<String> {
        self.cover(i, |written| self.image_unsized(written, Some(i)).0)
            .map(|img| img.absolute)
    }

    /// [`Site::image`] without its size, and the file on the site it is, if any.
    fn image_unsized(&self, written: &str, beside: Option<usize>) -> (Image, Option<PathBuf>) {
        if written.contains("://") {
            let image = Image {
                link: written.to_string(),
                absolute: written.to_string(),
                size: None,
            };
            return (image, None);
        }
        let (site_path, file) = match (written.strip_prefix('/'), beside) {
            (Some(p), _) => (p.to_string(), Some(self.root.join("static").join(p))),
            (None, Some(i)) => {
                let e = &self.episodes[i];
                let file = e
                    .digest
                    .assets
                    .iter()
                    .find(|(rel, _)| rel == written)
                    .map(|(_, f)| f.clone());
                (format!("{}{written}", e.path), file)
            }
            (None, None) => (written.to_string(), None),
        };
        let image = Image {
            link: self.base.link(&site_path),
            absolute: self.base.absolute(&site_path),
            size: None,
        };
        (image, file)
    }

    /// The URL of second `secs` of episode `i`: its media file with a media fragment
    /// (`#t=754`), else its YouTube or Vimeo page at that time, else its `source` with a
    /// media fragment when that is itself an audio or video file; `None` otherwise (a time
    /// fragment on an ordinary web page would do nothing).
    pub fn moment_url(&self, i: usize, secs: u64) -> Option<String> {
        let d = &self.episodes.get(i)?.digest;
        let at = |url: &str| {
            let url = url.split('#').next().unwrap_or(url);
            format!("{url}#t={secs}")
        };
        if let Some(m) = &d.media {
            return Some(at(&self.media_link(m)));
        }
        let source = d.source.as_deref()?;
        if let Some(v) = Video::of(source) {
            return Some(v.page_at(secs));
        }
        crate::mime::media(source).map(|_| at(source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn videos_are_found_in_every_common_url_form() {
        for (url, id) in [
            ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"),
            ("https://youtube.com/watch?feature=x&v=abc-_1&t=3", "abc-_1"),
            ("https://m.youtube.com/watch?v=abc", "abc"),
            ("https://youtu.be/abc?t=10", "abc"),
            ("https://www.youtube.com/embed/abc", "abc"),
            ("https://www.youtube.com/shorts/abc", "abc"),
            ("http://www.youtube.com/live/abc#x", "abc"),
        ] {
            assert_eq!(
                Video::of(url),
                Some(Video {
                    provider: Provider::YouTube,
                    id: id.into()
                }),
                "{url}"
            );
        }
        for url in [
            "https://vimeo.com/76979871",
            "https://player.vimeo.com/video/76979871?h=1",
        ] {
            assert_eq!(
                Video::of(url).map(|v| (v.provider, v.id)),
                Some((Provider::Vimeo, "76979871".to_string())),
                "{url}"
            );
        }
        for url in [
            "https://www.youtube.com/channel/x",
            "https://www.youtube.com/watch?v=<script>",
            "https://notyoutube.com/watch?v=abc",
            "https://vimeo.com/channels/staff",
            "https://podcasts.example.com/ep/1",
            "javascript:alert(1)",
        ] {
            assert_eq!(Video::of(url), None, "{url}");
        }
    }

    #[test]
    fn embeds_start_where_asked_and_pages_take_a_time() {
        let v = Video {
            provider: Provider::YouTube,
            id: "abc".into(),
        };
        assert_eq!(
            v.embed_url(0),
            "https://www.youtube-nocookie.com/embed/abc?autoplay=1"
        );
        assert_eq!(
            v.embed_url(65),
            "https://www.youtube-nocookie.com/embed/abc?autoplay=1&start=65"
        );
        assert_eq!(v.page_at(65), "https://www.youtube.com/watch?v=abc&t=65s");
        let v = Video {
            provider: Provider::Vimeo,
            id: "7".into(),
        };
        assert_eq!(v.page_at(65), "https://vimeo.com/7#t=65s");
        assert_eq!(
            v.embed_url(65),
            "https://player.vimeo.com/video/7?autoplay=1&dnt=1#t=65s"
        );
    }
}
