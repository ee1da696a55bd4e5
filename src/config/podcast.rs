//! The `podcast:` block of `castdown.yaml`: what turns the RSS feed into a podcast feed that
//! Apple Podcasts and the Podcasting 2.0 directories accept (cover art, an Apple category,
//! an owner, a type, a GUID). Read in two stages like the rest of the config; every key and
//! its default is listed in `docs/configuration.md` ("Publishing a podcast").

use std::path::Path;

use serde::Deserialize;

use crate::error::Diagnostic;

/// Apple Podcasts' categories, each with its subcategories (Apple's list as of 2019, current
/// in 2026). Names are matched exactly, as Apple does.
pub const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "Arts",
        &[
            "Books",
            "Design",
            "Fashion & Beauty",
            "Food",
            "Performing Arts",
            "Visual Arts",
        ],
    ),
    (
        "Business",
        &[
            "Careers",
            "Entrepreneurship",
            "Investing",
            "Management",
            "Marketing",
            "Non-Profit",
        ],
    ),
    ("Comedy", &["Comedy Interviews", "Improv", "Stand-Up"]),
    (
        "Education",
        &["Courses", "How To", "Language Learning", "Self-Improvement"],
    ),
    ("Fiction", &["Comedy Fiction", "Drama", "Science Fiction"]),
    ("Government", &[]),
    ("History", &[]),
    (
        "Health & Fitness",
        &[
            "Alternative Health",
            "Fitness",
            "Medicine",
            "Mental Health",
            "Nutrition",
            "Sexuality",
        ],
    ),
    (
        "Kids & Family",
        &[
            "Education for Kids",
            "Parenting",
            "Pets & Animals",
            "Stories for Kids",
        ],
    ),
    (
        "Leisure",
        &[
            "Animation & Manga",
            "Automotive",
            "Aviation",
            "Crafts",
            "Games",
            "Hobbies",
            "Home & Garden",
            "Video Games",
        ],
    ),
    (
        "Music",
        &["Music Commentary", "Music History", "Music Interviews"],
    ),
    (
        "News",
        &[
            "Business News",
            "Daily News",
            "Entertainment News",
            "News Commentary",
            "Politics",
            "Sports News",
            "Tech News",
        ],
    ),
    (
        "Religion & Spirituality",
        &[
            "Buddhism",
            "Christianity",
            "Hinduism",
            "Islam",
            "Judaism",
            "Religion",
            "Spirituality",
        ],
    ),
    (
        "Science",
        &[
            "Astronomy",
            "Chemistry",
            "Earth Sciences",
            "Life Sciences",
            "Mathematics",
            "Natural Sciences",
            "Nature",
            "Physics",
            "Social Sciences",
        ],
    ),
    (
        "Society & Culture",
        &[
            "Documentary",
            "Personal Journals",
            "Philosophy",
            "Places & Travel",
            "Relationships",
        ],
    ),
    (
        "Sports",
        &[
            "Baseball",
            "Basketball",
            "Cricket",
            "Fantasy Sports",
            "Football",
            "Golf",
            "Hockey",
            "Rugby",
            "Running",
            "Soccer",
            "Swimming",
            "Tennis",
            "Volleyball",
            "Wilderness",
            "Wrestling",
        ],
    ),
    ("Technology", &[]),
    ("True Crime", &[]),
    (
        "TV & Film",
        &[
            "After Shows",
            "Film History",
            "Film Interviews",
            "Film Reviews",
            "TV Reviews",
        ],
    ),
];

/// `podcast:` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPodcast {
    /// Cover art, a URL or a site path (Apple asks for a square JPEG or PNG of 1400 to 3000
    /// pixels). Default: the site's `image`; one of the two is required.
    pub image: Option<String>,
    /// An Apple Podcasts category. Required.
    pub category: Option<String>,
    /// One of the category's subcategories. Default: none.
    pub subcategory: Option<String>,
    /// Whether episodes are explicit. Default: false.
    pub explicit: Option<bool>,
    /// Who owns the feed (directories write to this address). Default: the site's `author`.
    pub owner: Option<RawOwner>,
    /// `episodic` (newest first) or `serial` (in order). Default: `episodic`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Whether other platforms may not import the feed (`podcast:locked`). Default: false.
    pub locked: Option<bool>,
    /// The podcast's Podcasting 2.0 GUID. Default: the UUIDv5 of the feed's URL.
    pub guid: Option<String>,
}

/// `podcast.owner:` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOwner {
    /// Default: the site author's name.
    pub name: Option<String>,
    /// Default: the site author's email.
    pub email: Option<String>,
}

/// The validated `podcast:` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Podcast {
    /// Cover art as written (a URL or a site path).
    pub image: String,
    /// Apple category.
    pub category: String,
    /// Apple subcategory.
    pub subcategory: Option<String>,
    /// Explicit content.
    pub explicit: bool,
    /// Owner's name.
    pub owner_name: String,
    /// Owner's email.
    pub owner_email: String,
    /// `episodic` or `serial`.
    pub kind: &'static str,
    /// `podcast:locked`.
    pub locked: bool,
    /// The GUID when given; else it is derived from the feed URL ([`feed_guid`]).
    pub guid: Option<String>,
}

/// Where a key of the `podcast:` block (or the block itself) stands in the config text.
fn position(text: &str, key: Option<&str>) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.starts_with("podcast:"))?;
    let block = (start + 1, lines[start].find(':').map_or(1, |c| c + 2));
    let Some(key) = key else {
        return Some(block);
    };
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if !line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            break;
        }
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix(key)
            && let Some(after) = rest.trim_start().strip_prefix(':')
        {
            let col = line.len() - after.trim_start().len() + 1;
            return Some((i + 1, col));
        }
    }
    Some(block)
}

/// Validates the block. `site_image` and the author are the defaults it falls back on.
pub fn validate(
    raw: RawPodcast,
    (file, text): (&Path, &str),
    site_image: Option<&str>,
    author: (&str, Option<&str>),
) -> Result<Podcast, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let at = |key: Option<&str>, msg: String| {
        let d = Diagnostic::new(file, msg);
        match position(text, key) {
            Some((l, c)) => d.at(text, l, c),
            None => d,
        }
    };
    let image = raw.image.clone().or(site_image.map(str::to_string));
    if image.is_none() {
        errors.push(
            at(None, "a podcast needs cover art".into())
                .hint("add `image:` under `podcast:` (or the site's `image:`): a square JPEG or PNG of 1400 to 3000 pixels"),
        );
    }
    let category = raw.category.clone().unwrap_or_default();
    let subs = CATEGORIES
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, s)| *s);
    if raw.category.is_none() {
        errors.push(
            at(None, "a podcast needs an Apple Podcasts `category`".into()).hint(
                "add `category: Technology` (or another of Apple's categories) under `podcast:`",
            ),
        );
    } else if subs.is_none() {
        let near = CATEGORIES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(&category))
            .map(|(c, _)| *c);
        errors.push(
            at(
                Some("category"),
                format!("`{category}` is not an Apple Podcasts category"),
            )
            .hint(&match near {
                Some(n) => format!("Apple spells it `{n}`"),
                None => format!(
                    "use one of: {}",
                    CATEGORIES
                        .iter()
                        .map(|(c, _)| *c)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        );
    }
    if let (Some(sub), Some(subs)) = (&raw.subcategory, subs)
        && !subs.contains(&sub.as_str())
    {
        let hint = if subs.is_empty() {
            format!("`{category}` has no subcategories: remove `subcategory`")
        } else {
            format!("`{category}` has: {}", subs.join(", "))
        };
        errors.push(
            at(
                Some("subcategory"),
                format!("`{sub}` is not a subcategory of `{category}`"),
            )
            .hint(&hint),
        );
    }
    let kind = match raw.kind.as_deref() {
        None | Some("episodic") => "episodic",
        Some("serial") => "serial",
        Some(other) => {
            errors.push(
                at(
                    Some("type"),
                    format!("podcast type `{other}` is neither `episodic` nor `serial`"),
                )
                .hint("`episodic` lists the newest first; `serial` is listened to in order"),
            );
            "episodic"
        }
    };
    let owner = raw.owner.unwrap_or_default();
    let owner_name = owner.name.unwrap_or_else(|| author.0.to_string());
    let owner_email = owner.email.or(author.1.map(str::to_string));
    let owner_email = match owner_email {
        Some(e) if e.contains('@') => e,
        _ => {
            errors.push(
                at(Some("owner"), "a podcast needs its owner's email".into())
                    .hint("add `owner: {name: …, email: …}` under `podcast:` (or `author.email`): directories confirm ownership there"),
            );
            String::new()
        }
    };
    if let Some(g) = &raw.guid
        && g.trim().is_empty()
    {
        errors.push(at(Some("guid"), "podcast `guid` is empty".into()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Podcast {
        image: image.unwrap_or_default(),
        category,
        subcategory: raw.subcategory,
        explicit: raw.explicit.unwrap_or(false),
        owner_name,
        owner_email,
        kind,
        locked: raw.locked.unwrap_or(false),
        guid: raw.guid.map(|g| g.trim().to_string()),
    })
}

/// The Podcasting 2.0 GUID of a feed: the UUIDv5 of its URL without the scheme and trailing
/// slashes, in the namespace `ead4c236-bf58-58c6-a2c6-a6b28d128cb6` (the `podcast:guid`
/// rule, so any directory computes the same one).
pub fn feed_guid(feed_url: &str) -> String {
    const NAMESPACE: uuid::Uuid = uuid::uuid!("ead4c236-bf58-58c6-a2c6-a6b28d128cb6");
    let bare = feed_url
        .split_once("://")
        .map_or(feed_url, |(_, rest)| rest)
        .trim_end_matches('/');
    uuid::Uuid::new_v5(&NAMESPACE, bare.as_bytes()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(block: &str) -> Result<Podcast, Vec<Diagnostic>> {
        let text = format!("title: T\npodcast:\n{block}");
        let raw: RawPodcast = serde_yaml::from_str(block).unwrap_or_else(|e| panic!("{e}"));
        validate(
            raw,
            (Path::new(super::super::CONFIG_FILE), &text),
            None,
            ("Site", Some("me@example.com")),
        )
    }

    #[test]
    fn the_guid_is_the_podcasting_uuid_of_the_feed_url() {
        // The worked example of the podcast namespace's `guid` tag.
        assert_eq!(
            feed_guid("https://mp3s.nashownotes.com/pc20rss.xml"),
            "917393e3-1b1e-5cef-ace4-edaa54e1f810"
        );
        assert_eq!(
            feed_guid("http://mp3s.nashownotes.com/pc20rss.xml/"),
            "917393e3-1b1e-5cef-ace4-edaa54e1f810"
        );
    }

    #[test]
    fn categories_are_apples_and_errors_point_at_the_key() {
        let ok = parse("  image: /cover.png\n  category: Technology\n")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ok.kind, "episodic");
        assert_eq!(ok.owner_email, "me@example.com");
        let errs = parse("  image: /c.png\n  category: Technologie\n")
            .err()
            .unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].line, errs[0].column), (4, 13));
        assert!(
            errs[0]
                .message
                .contains("`Technologie` is not an Apple Podcasts category")
        );
        let errs = parse("  image: /c.png\n  category: health & fitness\n")
            .err()
            .unwrap_or_default();
        assert!(
            errs[0]
                .hint
                .as_deref()
                .unwrap_or("")
                .contains("`Health & Fitness`")
        );
        let errs = parse("  image: /c.png\n  category: News\n  subcategory: Tech\n  type: daily\n")
            .err()
            .unwrap_or_default();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0]
                .message
                .contains("`Tech` is not a subcategory of `News`")
        );
        assert_eq!(errs[0].line, 5);
        assert!(errs[1].message.contains("podcast type `daily`"));
        let errs = parse("  category: News\n").err().unwrap_or_default();
        assert!(errs[0].message.contains("cover art"));
        assert_eq!(errs[0].line, 2);
    }
}
