//! Random edits to the demo site, for the tests that check that a reusing build (`build`
//! on disk, `serve` in memory) makes what a clean build makes after any sequence of them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Rng, Site, png};

/// A digest's front matter and body (`None`: not a digest with front matter).
fn split_digest(text: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some((
        rest[..end + 1].to_string(),
        rest[end + "\n---\n".len()..].to_string(),
    ))
}

/// `fm` (front matter, or the config) without the top-level key `key` (and the indented
/// lines of its value).
fn without_key(fm: &str, key: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in fm.lines() {
        if skipping && line.starts_with([' ', '-']) {
            continue;
        }
        skipping = line.starts_with(&format!("{key}:"));
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The one-line value of the top-level key `key` in `fm`.
fn key_value(fm: &str, key: &str) -> Option<String> {
    fm.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().to_string())
}

/// `fm` with the top-level key `key` set to `value` (or left out, for `None`).
fn set_key(fm: &str, key: &str, value: Option<String>) -> String {
    let mut fm = without_key(fm, key);
    if let Some(v) = value {
        fm.push_str(&format!("{key}: {v}\n"));
    }
    fm
}

/// Sets the top-level key `key` of the front matter of the file at `path` (a curated page).
fn set_key_in(path: &Path, key: &str, value: Option<String>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    let (fm, body) =
        split_digest(&text).unwrap_or_else(|| panic!("{}: no front matter", path.display()));
    let fm = set_key(&fm, key, value);
    std::fs::write(path, format!("---\n{fm}---\n{body}")).unwrap_or_else(|e| panic!("{e}"));
}

/// The files a digest's front matter `fm` names beside it: its transcript and its cover,
/// when they are relative paths.
fn named_beside(fm: &str) -> Vec<String> {
    ["transcript", "image"]
        .into_iter()
        .filter_map(|key| key_value(fm, key))
        .filter(|v| !v.starts_with(['/', 'h']))
        .collect()
}

/// Every digest file of `site`, sorted.
fn digest_files(site: &Site) -> Vec<PathBuf> {
    let mut files: Vec<_> = walkdir::WalkDir::new(site.root().join("content/episodes"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

/// Words an edit writes: common ones, word forms of one stem, accented ones, and the
/// caller adds a new word each time.
const EDIT_WORDS: &[&str] = &[
    "pricing",
    "markets",
    "compute",
    "latency",
    "tests",
    "flaky",
    "debt",
    "moat",
    "platform",
    "running",
    "runs",
    "ran",
    "searches",
    "searching",
    "café",
    "naïve",
    "über",
    "partnership",
    "exclusive",
    "migration",
    "monorepo",
    "trust",
];
const EDIT_SHOWS: &[&str] = &["The Build Log", "Founders at Lunch", "Random Radio"];
const EDIT_PEOPLE: &[&str] = &["Mara Okafor", "Jonas Weller", "Priya Raman", "New Person"];
/// Concepts, with aliases (`Tech Debt`, `LLM`) and ones no digest has yet.
const EDIT_CONCEPTS: &[&str] = &[
    "Platform Risk",
    "Technical Debt",
    "Tech Debt",
    "LLM",
    "Compute Resources",
    "Corporate Polyamory",
    "Fresh Idea",
];

/// State a random edit sequence carries: the random numbers, a counter for names no file
/// has had, and the files as they were at the start (for edits that undo one).
pub struct Editor {
    pub rng: Rng,
    fresh: usize,
    originals: BTreeMap<PathBuf, Vec<u8>>,
    /// The seed, to replay the sequence.
    seed: u64,
    /// What was done so far, a line per edit (or failed build), by step.
    done: Vec<String>,
}

impl Editor {
    /// An editor drawing from `seed`, which puts files back as `originals` has them.
    pub fn new(seed: u64, originals: BTreeMap<PathBuf, Vec<u8>>) -> Editor {
        Editor {
            rng: Rng(seed.max(1)),
            fresh: 0,
            originals,
            seed,
            done: Vec::new(),
        }
    }

    /// One step of a sequence: one to three random edits to `site`, each noted.
    pub fn step(&mut self, site: &Site, step: usize) {
        for _ in 0..1 + self.rng.below(3) {
            let edit = self.edit(site);
            self.note(step, &edit);
        }
    }

    /// Notes what was done at `step`, and says it on stderr: a test that fails shows the
    /// lines that led to it.
    pub fn note(&mut self, step: usize, what: &str) {
        let line = format!("step {step}: {what}");
        eprintln!("CASTDOWN_REUSE_SEED={} {line}", self.seed);
        self.done.push(line);
    }

    /// Everything done so far, with the seed that replays it: for a failure's message.
    pub fn history(&self) -> String {
        format!(
            "CASTDOWN_REUSE_SEED={} after\n{}\n",
            self.seed,
            self.done.join("\n")
        )
    }

    fn words(&mut self, n: usize) -> String {
        self.fresh += 1;
        let mut words: Vec<String> = (0..n)
            .map(|_| self.rng.pick(EDIT_WORDS).to_string())
            .collect();
        words.insert(self.rng.below(n + 1), format!("qz{}word", self.fresh));
        words.join(" ")
    }

    fn date(&mut self) -> String {
        // Now and then one in the future: a scheduled episode.
        let year = if self.rng.below(10) == 0 {
            2099
        } else {
            2018 + self.rng.below(9)
        };
        format!(
            "{year}-{:02}-{:02}",
            1 + self.rng.below(12),
            1 + self.rng.below(28)
        )
    }

    fn concepts(&mut self) -> String {
        let n = self.rng.below(4);
        let items: Vec<String> = (0..n)
            .map(|_| {
                let name = self.rng.pick(EDIT_CONCEPTS);
                match self.rng.below(3) {
                    0 => name.to_string(),
                    _ => format!("{{name: {name}, definition: {}.}}", self.words(4)),
                }
            })
            .collect();
        format!("[{}]", items.join(", "))
    }

    /// Removes the site's file `rel` one time in three when it is there; whether it did.
    fn sometimes_removed(&mut self, site: &Site, rel: &str) -> bool {
        let path = site.root().join(rel);
        let remove = path.exists() && self.rng.below(3) == 0;
        if remove {
            std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        }
        remove
    }

    /// Makes one random edit to `site`; says what it did.
    fn edit(&mut self, site: &Site) -> String {
        let files = digest_files(site);
        let file = files[self.rng.below(files.len())].clone();
        let rel = file
            .strip_prefix(site.root())
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let (fm, body) = split_digest(&text).unwrap_or_else(|| panic!("{rel}: no front matter"));
        let write = |fm: &str, body: &str| {
            std::fs::write(&file, format!("---\n{fm}---\n{body}"))
                .unwrap_or_else(|e| panic!("{rel}: {e}"));
        };
        let kind = self.rng.below(46);
        match kind {
            0 | 1 => {
                let words = self.words(6);
                write(&fm, &format!("{body}\n{words}.\n"));
                format!("{rel}: body gains {words:?}")
            }
            2 => match body.trim_end().rsplit_once("\n\n") {
                Some((kept, _)) => {
                    write(&fm, &format!("{kept}\n"));
                    format!("{rel}: body loses its last paragraph")
                }
                None => "nothing (a one-paragraph body)".into(),
            },
            3 | 4 => {
                let title = self.words(3);
                write(&set_key(&fm, "title", Some(format!("\"{title}\""))), &body);
                format!("{rel}: title {title:?}")
            }
            5 => {
                let summary = (self.rng.below(3) > 0).then(|| format!("\"{}.\"", self.words(5)));
                write(&set_key(&fm, "summary", summary.clone()), &body);
                format!("{rel}: summary {summary:?}")
            }
            6 => {
                let date = self.date();
                write(&set_key(&fm, "date", Some(date.clone())), &body);
                format!("{rel}: date {date}")
            }
            7 => {
                let show = (self.rng.below(4) > 0).then(|| self.rng.pick(EDIT_SHOWS).to_string());
                write(&set_key(&fm, "show", show.clone()), &body);
                format!("{rel}: show {show:?}")
            }
            8 => {
                let n = self.rng.below(3);
                let people: Vec<&str> = (0..n).map(|_| self.rng.pick(EDIT_PEOPLE)).collect();
                let value = (n > 0).then(|| format!("[{}]", people.join(", ")));
                write(&set_key(&fm, "people", value.clone()), &body);
                format!("{rel}: people {value:?}")
            }
            9 | 10 => {
                let concepts = self.concepts();
                write(&set_key(&fm, "concepts", Some(concepts.clone())), &body);
                format!("{rel}: concepts {concepts}")
            }
            11 => {
                let draft = key_value(&fm, "draft").is_none();
                write(&set_key(&fm, "draft", draft.then(|| "true".into())), &body);
                format!("{rel}: draft {draft}")
            }
            12 => {
                self.fresh += 1;
                let slug = (self.rng.below(2) == 0).then(|| format!("slug-{}", self.fresh));
                write(&set_key(&fm, "slug", slug.clone()), &body);
                format!("{rel}: slug {slug:?}")
            }
            13 => {
                self.fresh += 1;
                let aliases = (self.rng.below(2) == 0).then(|| format!("[/old/{}/]", self.fresh));
                write(&set_key(&fm, "aliases", aliases.clone()), &body);
                format!("{rel}: aliases {aliases:?}")
            }
            14 => {
                let duration = format!("{}:{:02}", 5 + self.rng.below(80), self.rng.below(60));
                write(&set_key(&fm, "duration", Some(duration.clone())), &body);
                format!("{rel}: duration {duration}")
            }
            15 => {
                self.fresh += 1;
                let year = 2018 + self.rng.below(9);
                let new = format!("content/episodes/{year}/new-{}.md", self.fresh);
                let mut fm = format!("title: \"{}\"\ndate: {}\n", self.words(3), self.date());
                if self.rng.below(4) > 0 {
                    fm.push_str(&format!("show: {}\n", self.rng.pick(EDIT_SHOWS)));
                }
                fm.push_str(&format!("concepts: {}\n", self.concepts()));
                site.write(&new, format!("---\n{fm}---\n{}.\n", self.words(8)));
                format!("{new}: new")
            }
            16 if files.len() > 4 => {
                std::fs::remove_file(&file).unwrap_or_else(|e| panic!("{rel}: {e}"));
                format!("{rel}: deleted")
            }
            17 => {
                // Moved to another year's folder, with the files it names beside it.
                let year = 2018 + self.rng.below(9);
                let to_dir = site.root().join(format!("content/episodes/{year}"));
                let name = file.file_name().unwrap_or_default();
                if to_dir.join(name).exists() {
                    return "nothing (the move's target exists)".into();
                }
                std::fs::create_dir_all(&to_dir).unwrap_or_else(|e| panic!("{e}"));
                let from_dir = file.parent().unwrap_or(site.root()).to_path_buf();
                for beside in named_beside(&fm) {
                    let _ = std::fs::rename(from_dir.join(&beside), to_dir.join(&beside));
                }
                std::fs::rename(&file, to_dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
                format!("{rel}: moved to {year}")
            }
            18 => {
                // A cover beside the digest, new or resized.
                let side = 100 + 10 * self.rng.below(20) as u32;
                let dir = file.parent().unwrap_or(site.root());
                let stem = file.file_stem().unwrap_or_default().to_string_lossy();
                let cover = format!("{stem}-cover.png");
                std::fs::write(dir.join(&cover), png(side, side)).unwrap_or_else(|e| panic!("{e}"));
                write(&set_key(&fm, "image", Some(cover.clone())), &body);
                format!("{rel}: image {cover} of {side} px")
            }
            19 => {
                // A curated page: a concept's, a show's, a person's, or the about page.
                let pages = [
                    "content/concepts/technical-debt.md",
                    "content/shows/the-build-log.md",
                    "content/people/mara-okafor.md",
                    "content/about.md",
                ];
                let page = pages[self.rng.below(pages.len())];
                let words = self.words(4);
                let path = site.root().join(page);
                let old = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{page}: {e}"));
                std::fs::write(&path, format!("{old}\n{words}.\n"))
                    .unwrap_or_else(|e| panic!("{page}: {e}"));
                format!("{page}: gains {words:?}")
            }
            20 => {
                // A transcript cue, when the transcript is still there.
                let vtt = site
                    .root()
                    .join("content/episodes/2025/partnership-without-exclusivity.vtt");
                match std::fs::read_to_string(&vtt) {
                    Ok(old) => {
                        self.fresh += 1;
                        let at = 3000 + self.fresh;
                        let words = self.words(5);
                        std::fs::write(
                            &vtt,
                            format!("{old}\n00:{:02}:{:02}.000 --> 00:{:02}:{:02}.500\n<v Priya Raman>{words}\n", at / 60 % 60, at % 60, at / 60 % 60, at % 60),
                        )
                        .unwrap_or_else(|e| panic!("{e}"));
                        format!("transcript gains {words:?}")
                    }
                    Err(_) => "nothing (the transcript moved)".into(),
                }
            }
            21 => {
                // A file under static/, copied as it is: new, changed or gone.
                if self.sometimes_removed(site, "static/notes.txt") {
                    return "static/notes.txt: deleted".into();
                }
                let words = self.words(3);
                site.write("static/notes.txt", &words);
                format!("static/notes.txt: {words:?}")
            }
            22 => {
                // The config: every page is made again.
                let config = site.root().join("castdown.yaml");
                let text = std::fs::read_to_string(&config).unwrap_or_else(|e| panic!("{e}"));
                let words = self.words(3);
                let text: String = text
                    .lines()
                    .map(|l| match l.starts_with("description: ") {
                        true => format!("description: {words}.\n"),
                        false => format!("{l}\n"),
                    })
                    .collect();
                std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
                format!("castdown.yaml: description {words:?}")
            }
            23 => {
                // Concepts from the body's Key Concepts list instead of the front matter.
                let mut list = String::new();
                for _ in 0..1 + self.rng.below(3) {
                    let name = self.rng.pick(EDIT_CONCEPTS);
                    list.push_str(&format!("- **{name}**: {}.\n", self.words(3)));
                }
                write(
                    &set_key(&fm, "concepts", None),
                    &format!("{body}\n## Key Concepts\n\n{list}"),
                );
                format!("{rel}: Key Concepts in the body {list:?}")
            }
            24 => {
                // Media on the site: its length is read from the file under static/.
                let stem = file.file_stem().unwrap_or_default().to_string_lossy();
                let media = format!("static/audio/{stem}.mp3");
                let len = 100 + self.rng.below(5000);
                site.write(&media, vec![0u8; len]);
                let url = format!("{{url: /audio/{stem}.mp3}}");
                write(&set_key(&fm, "media", Some(url)), &body);
                format!("{rel}: media {media} of {len} bytes")
            }
            25 => {
                // A timestamp and a file beside the digest that the body links to.
                let stem = file.file_stem().unwrap_or_default().to_string_lossy();
                let notes = format!("{stem}-notes.txt");
                let dir = file.parent().unwrap_or(site.root());
                let words = self.words(3);
                std::fs::write(dir.join(&notes), &words).unwrap_or_else(|e| panic!("{e}"));
                let at = format!("[{}:{:02}]", self.rng.below(50), self.rng.below(60));
                write(&fm, &format!("{body}\nAt {at} see [the notes]({notes}).\n"));
                format!("{rel}: links {notes} ({words:?}) at {at}")
            }
            26 => {
                // A curated page for a term some digests may name, made or taken away.
                let pages = [
                    ("content/shows/random-radio.md", "Random Radio"),
                    ("content/concepts/fresh-idea.md", "Fresh Idea"),
                    ("content/people/new-person.md", "New Person"),
                ];
                let (page, name) = pages[self.rng.below(pages.len())];
                let path = site.root().join(page);
                if path.exists() {
                    std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{e}"));
                    return format!("{page}: deleted");
                }
                let words = self.words(4);
                site.write(page, format!("---\nname: {name}\n---\n{words}.\n"));
                format!("{page}: new")
            }
            27 => {
                // The date of another digest: the order of the two is the tie-break's.
                let other = &files[self.rng.below(files.len())];
                let text = std::fs::read_to_string(other).unwrap_or_default();
                let date = split_digest(&text).and_then(|(fm, _)| key_value(&fm, "date"));
                match date {
                    Some(date) => {
                        write(&set_key(&fm, "date", Some(date.clone())), &body);
                        format!("{rel}: date {date}, as {}", other.display())
                    }
                    None => "nothing (no date to copy)".into(),
                }
            }
            28 => {
                // A curated concept's aliases: names digests use merge into it, or part.
                let page = "content/concepts/technical-debt.md";
                let aliases = match self.rng.below(3) {
                    0 => None,
                    1 => Some("[Tech Debt]".to_string()),
                    _ => Some("[Tech Debt, Fresh Idea]".to_string()),
                };
                set_key_in(&site.root().join(page), "aliases", aliases.clone());
                format!("{page}: aliases {aliases:?}")
            }
            29 => {
                // Chapters: headings ending with a time, in order, early enough for any
                // duration the edits give.
                if body.lines().any(|l| l.starts_with('#') && l.ends_with(']')) {
                    return "nothing (chapters already)".into();
                }
                let (a, b) = (self.words(3), self.words(3));
                write(
                    &fm,
                    &format!("{body}\n## Opening [0:30]\n\n{a}.\n\n## Later [2:15]\n\n{b}.\n"),
                );
                format!("{rel}: chapters")
            }
            30 => {
                // An image beside the digest, in its body: new or resized.
                let side = 50 + 10 * self.rng.below(30) as u32;
                let stem = file.file_stem().unwrap_or_default().to_string_lossy();
                let figure = format!("{stem}-fig.png");
                let dir = file.parent().unwrap_or(site.root());
                std::fs::write(dir.join(&figure), png(side, side / 2 + 1))
                    .unwrap_or_else(|e| panic!("{e}"));
                if !body.contains(&figure) {
                    write(&fm, &format!("{body}\n![A figure]({figure})\n"));
                }
                format!("{rel}: figure {figure} of {side} px")
            }
            31 | 32 => {
                // A cover under static/, for the digest or for a show's curated page: new
                // or resized (pages give its width and height, read from the file).
                let side = 60 + 10 * self.rng.below(30) as u32;
                let cover = format!("covers/c{}.png", self.rng.below(3));
                site.write(&format!("static/{cover}"), png(side, side));
                if kind == 31 {
                    write(&set_key(&fm, "image", Some(format!("/{cover}"))), &body);
                    return format!("{rel}: image /{cover} of {side} px");
                }
                let page = site.root().join("content/shows/the-build-log.md");
                set_key_in(&page, "image", Some(format!("/{cover}")));
                format!("content/shows/the-build-log.md: image /{cover} of {side} px")
            }
            33 => {
                // The site's image under static/ (the cover of episodes and shows without
                // one, and og:image): named by the config once, then resized alone.
                let side = 60 + 10 * self.rng.below(30) as u32;
                site.write("static/covers/site.png", png(side, side));
                let config = site.root().join("castdown.yaml");
                let text = std::fs::read_to_string(&config).unwrap_or_else(|e| panic!("{e}"));
                if !text.contains("\nimage: ") {
                    std::fs::write(&config, format!("{text}\nimage: /covers/site.png\n"))
                        .unwrap_or_else(|e| panic!("{e}"));
                }
                format!("static/covers/site.png: the site's image, of {side} px")
            }
            34 => {
                // A transcript beside the digest in SubRip or plain text, new or rewritten,
                // or the digest no longer naming one.
                let stem = file.file_stem().unwrap_or_default().to_string_lossy();
                let form = self.rng.below(3);
                if form == 0 {
                    write(&set_key(&fm, "transcript", None), &body);
                    return format!("{rel}: no transcript");
                }
                let (name, text) = match form {
                    1 => {
                        let mut srt = String::new();
                        for i in 0..1 + self.rng.below(4) {
                            let at = 5 * i + self.rng.below(5);
                            srt.push_str(&format!(
                                "{}\n00:{:02}:{:02},000 --> 00:{:02}:{:02},500\n{}\n\n",
                                i + 1,
                                at / 60,
                                at % 60,
                                at / 60,
                                at % 60,
                                self.words(4)
                            ));
                        }
                        (format!("{stem}.srt"), srt)
                    }
                    _ => {
                        let mut txt = String::new();
                        for i in 0..1 + self.rng.below(4) {
                            let speaker = self.rng.pick(&["Mara", "Jonas", "Host"]);
                            txt.push_str(&format!(
                                "[00:0{i}:1{}] {speaker}: {}.\n\n",
                                self.rng.below(10),
                                self.words(5)
                            ));
                        }
                        (format!("{stem}.txt"), txt)
                    }
                };
                let dir = file.parent().unwrap_or(site.root());
                std::fs::write(dir.join(&name), &text).unwrap_or_else(|e| panic!("{e}"));
                write(&set_key(&fm, "transcript", Some(name.clone())), &body);
                format!("{rel}: transcript {name} {text:?}")
            }
            35 => {
                // The site's own copy of a theme template: made, changed or taken away.
                let rel = "templates/partials/site_footer.html";
                if self.sometimes_removed(site, rel) {
                    return format!("{rel}: deleted");
                }
                let theme = site.root().join("themes/default").join(rel);
                let text = std::fs::read_to_string(&theme).unwrap_or_else(|e| panic!("{e}"));
                let words = self.words(2);
                let text = text.replace("</footer>", &format!("<p>{words}</p>\n</footer>"));
                site.write(rel, text);
                format!("{rel}: {words:?}")
            }
            36 => {
                // The site's words for the theme's keys (`i18n/en.yaml`): made, changed or
                // taken away.
                let rel = "i18n/en.yaml";
                if self.sometimes_removed(site, rel) {
                    return format!("{rel}: deleted");
                }
                let words = self.words(2);
                site.write(rel, format!("search: \"{words}\"\nconcepts: Ideas\n"));
                format!("{rel}: search {words:?}")
            }
            37 => {
                // The config's `podcast:` block (the RSS feed becomes a podcast feed): made,
                // changed or taken away.
                let config = site.root().join("castdown.yaml");
                let text = std::fs::read_to_string(&config).unwrap_or_else(|e| panic!("{e}"));
                let kept = without_key(&text, "podcast");
                let block = match self.rng.below(3) {
                    0 => String::new(),
                    1 => "podcast:\n  image: https://cdn.example.com/pod.png\n  category: Technology\n".into(),
                    _ => "podcast:\n  image: https://cdn.example.com/pod.png\n  category: Business\n  subcategory: Careers\n  type: serial\n  explicit: true\n".into(),
                };
                std::fs::write(&config, format!("{kept}{block}")).unwrap_or_else(|e| panic!("{e}"));
                format!("castdown.yaml: podcast {block:?}")
            }
            _ => {
                // An edit undone: a file back as it was at the start.
                let originals: Vec<_> = self.originals.keys().cloned().collect();
                let path = &originals[self.rng.below(originals.len())];
                if !path.parent().is_some_and(Path::exists) {
                    return "nothing (the folder went)".into();
                }
                // A digest moved away is not put back beside its moved self (one slug).
                let moved = files
                    .iter()
                    .any(|f| f != path && f.file_name() == path.file_name());
                if moved {
                    return "nothing (the digest moved)".into();
                }
                let text = &self.originals[path];
                std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
                // With the transcript and cover it names beside it, which may have moved
                // away with another version of it.
                let fm = split_digest(&String::from_utf8_lossy(text)).map(|(fm, _)| fm);
                for beside in fm.as_deref().map(named_beside).unwrap_or_default() {
                    let file = path.parent().unwrap_or(site.root()).join(beside);
                    if let Some(bytes) = self.originals.get(&file) {
                        std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
                    }
                }
                format!("{} back as it was", path.display())
            }
        }
    }
}

/// The demo site set up for random edits, and an editor drawing from `seed`: short lists
/// and feeds, so that an edit moves episodes between list pages and feeds leave bodies out.
pub fn demo_to_edit(seed: u64) -> (Site, Editor) {
    let site = Site::fixture("demo");
    let config = site.root().join("castdown.yaml");
    let text = std::fs::read_to_string(&config).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains("paginate: 6") && text.contains("feed_limit: 50"));
    let text = text
        .replace("paginate: 6", "paginate: 2")
        .replace("feed_limit: 50", "feed_limit: 3");
    std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
    let originals = files_under(&site.root().join("content"));
    (site, Editor::new(seed, originals))
}

/// The build options a sequence from `seed` builds with, the same for every build of it
/// (other options are another site): with or without `--drafts` and `--future`.
pub fn options(seed: u64) -> (bool, bool) {
    let mut rng = Rng((seed ^ 0x0b71_0a5e).max(1));
    (rng.below(2) == 0, rng.below(2) == 0)
}

/// How many steps and which seed a random edit sequence runs: `CASTDOWN_REUSE_STEPS`
/// (default `steps`) and `CASTDOWN_REUSE_SEED`.
pub fn steps_and_seed(steps: usize) -> (usize, u64) {
    let steps = std::env::var("CASTDOWN_REUSE_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(steps);
    let seed = std::env::var("CASTDOWN_REUSE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0027);
    (steps, seed)
}

/// Where [`write_broken`] puts a digest no build can parse.
pub const BROKEN: &str = "content/episodes/broken.md";

/// Writes a digest whose front matter is not YAML: the build must fail, and leave what was
/// built before as it was.
pub fn write_broken(site: &Site) {
    site.write(
        BROKEN,
        "---\ntitle: [unclosed\ndate: 2024-01-01\n---\nBroken.\n",
    );
}

/// Every file under `dir` and its bytes, by path.
pub fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_else(|err| panic!("{err}"));
            (e.into_path(), bytes)
        })
        .collect()
}
