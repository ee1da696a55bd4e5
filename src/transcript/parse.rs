//! Transcript parsers: WebVTT, SubRip and plain text. Cue settings, styling tags, voice tags
//! (`<v Name>`) and BOMs are handled; malformed cues are reported with their line.

/// One cue (or paragraph, for plain text). Serialisable for the parsed digests a build
/// keeps (`load::kept`), whose binary format keeps a second's bits as they are.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cue {
    /// Start in seconds, when the format gives one.
    pub start: Option<f64>,
    /// End in seconds.
    pub end: Option<f64>,
    /// Speaker from a voice tag.
    pub speaker: Option<String>,
    /// Plain text (tags removed, entities decoded).
    pub text: String,
}

/// A parsed transcript.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Transcript {
    /// Cues in file order.
    pub cues: Vec<Cue>,
    /// Hash of the file's text (set by the loader), to notice edits.
    pub hash: u64,
    /// Words in all cues, counted once: the episode page, the transcript page and
    /// `digest.json` each show it.
    words: usize,
}

impl Transcript {
    /// A transcript of `cues` (its hash is set by the loader).
    pub fn new(cues: Vec<Cue>) -> Transcript {
        let words = cues
            .iter()
            .map(|c| crate::markdown::count_words(&c.text))
            .sum();
        Transcript {
            cues,
            hash: 0,
            words,
        }
    }

    /// Words in all cues.
    pub fn word_count(&self) -> usize {
        self.words
    }
}

/// A problem at a line of the transcript file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The three formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.vtt`
    WebVtt,
    /// `.srt`
    SubRip,
    /// `.txt`
    Plain,
}

/// Parses `text` in `format`, returning every malformed cue.
pub fn parse(text: &str, format: Format) -> Result<Transcript, Vec<ParseError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Split with memchr: `str::lines` looks for each line's end a character at a time,
    // and transcripts are parsed again by every build that reuses the last.
    let lines: Vec<&str> = crate::text::lines_of(text)
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    match format {
        Format::WebVtt => parse_cues(&lines, true),
        Format::SubRip => parse_cues(&lines, false),
        Format::Plain => Ok(parse_plain(&lines)),
    }
}

/// `[HH:]MM:SS[.,]mmm` → seconds.
fn timestamp(s: &str) -> Option<f64> {
    let s = s.trim().as_bytes();
    // Read as bytes, without allocating or building a searcher: a transcript has two
    // timestamps a cue, and a timing line cost ~2,000 instructions read as text.
    let (clock, frac) = match s.iter().rposition(|&b| b == b'.' || b == b',') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, &b"0"[..]),
    };
    // One to three digits, as a number.
    let number = |p: &[u8]| -> Option<u64> {
        if p.is_empty() || p.len() > 3 || !p.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(p.iter().fold(0, |n, &d| n * 10 + u64::from(d - b'0')))
    };
    let ms = number(frac)?;
    let mut nums = [0u64; 3];
    let mut n = 0;
    for p in clock.split(|&b| b == b':') {
        if n == nums.len() {
            return None;
        }
        nums[n] = number(p)?;
        n += 1;
    }
    let (h, m, sec) = match n {
        2 => (0, nums[0], nums[1]),
        3 => (nums[0], nums[1], nums[2]),
        _ => return None,
    };
    if m >= 60 || sec >= 60 {
        return None;
    }
    // Integer over a power of ten: both exact and the division correctly rounded, so this is
    // the double nearest `0.<frac>`, the same as parsing that text.
    let scale = [10.0, 100.0, 1000.0][frac.len() - 1];
    Some((h * 3600 + m * 60 + sec) as f64 + ms as f64 / scale)
}

/// `-->`, searched for in every timing line: a searcher built once, where `split_once`
/// set one up for each line.
static ARROW: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"-->"));

fn timing(line: &str) -> Option<(f64, f64)> {
    let at = ARROW.find(line.as_bytes())?;
    let (a, rest) = (&line[..at], &line[at + 3..]);
    // Cue settings (`align:start position:10%`) follow the end time.
    let b = rest.split_whitespace().next()?;
    Some((timestamp(a)?, timestamp(b)?))
}

fn decode_entities(s: String) -> String {
    // Most cues have no entity: skip the eight passes below.
    if memchr::memchr(b'&', s.as_bytes()).is_none() {
        return s;
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&lrm;", "\u{200e}")
        .replace("&rlm;", "\u{200f}")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Removes tags, returning the text and the first voice (`<v Name>`) seen.
fn strip_tags(s: &str) -> (String, Option<String>) {
    let mut out = String::with_capacity(s.len());
    let mut speaker = None;
    let mut rest = s;
    // `<` and `>` are characters of their own: the slices around them are on boundaries.
    while let Some(i) = memchr::memchr(b'<', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        match memchr::memchr(b'>', &rest.as_bytes()[i..]) {
            Some(j) => {
                let tag = &rest[i + 1..i + j];
                if let Some(v) = tag.strip_prefix('v').filter(|t| t.starts_with([' ', '.'])) {
                    // `<v.loud Name>`: classes first, then the name.
                    let name = v.split_once(' ').map(|(_, n)| n.trim()).unwrap_or("");
                    if speaker.is_none() && !name.is_empty() {
                        speaker = Some(decode_entities(name.to_string()));
                    }
                }
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    (decode_entities(out), speaker)
}

fn parse_cues(lines: &[&str], vtt: bool) -> Result<Transcript, Vec<ParseError>> {
    let mut errors = Vec::new();
    let mut cues = Vec::new();
    let mut i = 0;
    if vtt {
        match lines.first() {
            Some(l) if *l == "WEBVTT" || l.starts_with("WEBVTT ") || l.starts_with("WEBVTT\t") => {}
            _ => {
                return Err(vec![ParseError {
                    line: 1,
                    message: "a WebVTT file must start with `WEBVTT`".into(),
                }]);
            }
        }
        // Skip the header block.
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
    }
    // One block's lines, the room reused from cue to cue.
    let mut block: Vec<&str> = Vec::new();
    while i < lines.len() {
        while i < lines.len() && lines[i].trim().is_empty() {
            i += 1;
        }
        if i >= lines.len() {
            break;
        }
        let block_start = i;
        block.clear();
        while i < lines.len() && !lines[i].trim().is_empty() {
            block.push(lines[i]);
            i += 1;
        }
        if vtt && (block[0].starts_with("NOTE") || block[0] == "STYLE" || block[0] == "REGION") {
            continue;
        }
        // The timing line is the first or (after a cue id / SRT index) the second line.
        let (timing_idx, parsed) = match timing(block[0]) {
            Some(t) => (0, Some(t)),
            None => (1, block.get(1).and_then(|l| timing(l))),
        };
        let Some((start, end)) = parsed else {
            // A first line that looks like a timing is the broken one; otherwise it was a cue
            // id (or SRT number) and the timing line after it is.
            let looks_like_timing = |l: &str| {
                l.contains("->") || (l.starts_with(|c: char| c.is_ascii_digit()) && l.contains(':'))
            };
            let bad = if looks_like_timing(block[0]) || block.len() == 1 {
                0
            } else {
                1
            };
            let line_text = block[bad];
            let message = if looks_like_timing(line_text) {
                format!("malformed cue timing `{line_text}`")
            } else {
                format!(
                    "expected a cue timing line like `00:01:02.500 --> 00:01:05.000`, found `{line_text}`"
                )
            };
            errors.push(ParseError {
                line: block_start + bad + 1,
                message,
            });
            continue;
        };
        if !vtt && timing_idx == 1 && !block[0].trim().chars().all(|c| c.is_ascii_digit()) {
            errors.push(ParseError {
                line: block_start + 1,
                message: format!("expected a SubRip cue number, found `{}`", block[0]),
            });
            continue;
        }
        if end < start {
            errors.push(ParseError {
                line: block_start + timing_idx + 1,
                message: "cue ends before it starts".into(),
            });
            continue;
        }
        // A cue of one line (most are) is read where it is.
        let joined;
        let raw = match &block[timing_idx + 1..] {
            [one] => *one,
            lines => {
                joined = lines.join("\n");
                joined.as_str()
            }
        };
        let (text, speaker) = strip_tags(raw);
        let mut text = text;
        crate::markdown::collapse_whitespace(&mut text);
        if text.is_empty() {
            continue; // An empty cue shows nothing; it is not an error.
        }
        cues.push(Cue {
            start: Some(start),
            end: Some(end),
            speaker,
            text,
        });
    }
    if errors.is_empty() {
        Ok(Transcript::new(cues))
    } else {
        Err(errors)
    }
}

/// Plain text: a paragraph per blank-line block when there are blank lines, else per line. A
/// leading `[HH:MM:SS]` or `HH:MM:SS` is the paragraph's time; a leading `Name:` (short, no
/// digits) its speaker.
fn parse_plain(lines: &[&str]) -> Transcript {
    let has_blocks = lines.iter().any(|l| l.trim().is_empty())
        && lines.iter().filter(|l| !l.trim().is_empty()).count() > 1;
    let mut paragraphs: Vec<String> = Vec::new();
    if has_blocks {
        let mut cur = String::new();
        for l in lines {
            if l.trim().is_empty() {
                if !cur.is_empty() {
                    paragraphs.push(std::mem::take(&mut cur));
                }
            } else {
                if !cur.is_empty() {
                    cur.push(' ');
                }
                cur.push_str(l.trim());
            }
        }
        if !cur.is_empty() {
            paragraphs.push(cur);
        }
    } else {
        paragraphs = lines
            .iter()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
    }
    let cues = paragraphs
        .into_iter()
        .map(|p| {
            let (start, rest) = leading_time(&p);
            let (speaker, text) = leading_speaker(rest);
            Cue {
                start,
                end: None,
                speaker,
                text: text.to_string(),
            }
        })
        .collect();
    Transcript::new(cues)
}

fn leading_time(p: &str) -> (Option<f64>, &str) {
    let (candidate, rest) = if let Some(r) = p.strip_prefix('[') {
        match r.split_once(']') {
            Some((t, rest)) => (t, rest),
            None => return (None, p),
        }
    } else {
        match p.split_once(' ') {
            Some((t, rest)) => (t, rest),
            None => return (None, p),
        }
    };
    match timestamp(candidate) {
        Some(t) if candidate.contains(':') => (Some(t), rest.trim_start()),
        _ => (None, p),
    }
}

fn leading_speaker(p: &str) -> (Option<String>, &str) {
    if let Some((name, rest)) = p.split_once(": ") {
        let n = name.trim();
        if !n.is_empty()
            && n.chars().count() <= 40
            && !n.chars().any(|c| c.is_ascii_digit())
            && n.split_whitespace().count() <= 4
        {
            return (Some(n.to_string()), rest.trim_start());
        }
    }
    (None, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webvtt_with_ids_settings_voices_and_styling() {
        let vtt = "\u{feff}WEBVTT - title\r\nKind: captions\r\n\r\nNOTE a comment\r\nspanning lines\r\n\r\nintro\r\n00:00:01.000 --> 00:00:04.500 align:start position:10%\r\n<v.loud Ada Host>Hello &amp; <i>welcome</i>!\r\n\r\n00:05.000 --> 00:07.250\r\n<v Grace>Second <c.yellow>line</c>\r\nwraps<00:00:06.000> here\r\n";
        let t = parse(vtt, Format::WebVtt).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(t.cues.len(), 2);
        assert_eq!(t.cues[0].start, Some(1.0));
        assert_eq!(t.cues[0].speaker.as_deref(), Some("Ada Host"));
        assert_eq!(t.cues[0].text, "Hello & welcome!");
        assert_eq!(t.cues[1].start, Some(5.0), "hour-less timestamp");
        assert_eq!(t.cues[1].text, "Second line wraps here");
        assert_eq!(t.word_count(), 7);
    }

    /// [`timing`] as it was first written, reading text: what the byte reading must give.
    fn timing_as_text(line: &str) -> Option<(f64, f64)> {
        fn stamp(s: &str) -> Option<f64> {
            let s = s.trim();
            let (clock, frac) = match s.rfind(['.', ',']) {
                Some(i) => (&s[..i], &s[i + 1..]),
                None => (s, "0"),
            };
            let digits =
                |p: &str| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit());
            if !digits(frac) {
                return None;
            }
            let parts: Vec<&str> = clock.split(':').collect();
            if !parts.iter().all(|p| digits(p)) {
                return None;
            }
            let nums: Vec<u64> = parts
                .iter()
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            let (h, m, sec) = match nums[..] {
                [m, s] => (0, m, s),
                [h, m, s] => (h, m, s),
                _ => return None,
            };
            if m >= 60 || sec >= 60 {
                return None;
            }
            Some((h * 3600 + m * 60 + sec) as f64 + format!("0.{frac}").parse::<f64>().ok()?)
        }
        let (a, rest) = line.split_once("-->")?;
        let b = rest.split_whitespace().next()?;
        Some((stamp(a)?, stamp(b)?))
    }

    #[test]
    fn timings_read_as_bytes_are_the_timings_read_as_text() {
        for line in [
            "00:00:01.000 --> 00:00:02.500",
            "00:01.5 --> 00:02.25 align:start position:10%",
            "1:02:03,004 --> 1:02:04,9",
            "  00:00:01.000-->00:00:02.000  ",
            "00:00:01 --> 00:00:02",
            "cue-1 -- not a timing",
            "a - b --> 00:00:01.000 --> 00:00:02.000",
            "00:60:00.000 --> 01:00:00.000",
            "00:00:61.000 --> 00:01:01.000",
            "0000:00:01.000 --> 00:00:02.000",
            "00:00:01.0000 --> 00:00:02.000",
            "00:00:01. --> 00:00:02.000",
            ":00:01.000 --> 00:00:02.000",
            "1:2:3:4.000 --> 00:00:02.000",
            "00:00:01.000 -->",
            "00:00:01.000 --> ",
            "-->",
            "—> 00:00:01.000",
            "00:00:0١.000 --> 00:00:02.000",
            "999:59:59.999 --> 999:59:59.999",
        ] {
            assert_eq!(timing(line), timing_as_text(line), "{line:?}");
        }
    }

    #[test]
    fn srt_with_crlf_and_tags() {
        let srt = "1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>One</i>\r\n\r\n2\r\n00:00:02,500 --> 00:00:04,000\r\nTwo <b>bold</b>\r\nlines\r\n";
        let t = parse(srt, Format::SubRip).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            t.cues.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            ["One", "Two bold lines"]
        );
        assert_eq!(t.cues[1].start, Some(2.5));
    }

    #[test]
    fn empty_cues_are_skipped_and_overlaps_allowed() {
        let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nA\n\n00:00:02.000 --> 00:00:03.000\n<i></i>\n\n00:00:02.000 --> 00:00:06.000\nB\n";
        let t = parse(vtt, Format::WebVtt).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            t.cues.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            ["A", "B"]
        );
    }

    #[test]
    fn malformed_cues_are_located() {
        let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n00:00:99.000 --> 00:01:00.000\nbad seconds\n\nid\nnot a timing\ntext\n\n00:00:05.000 --> 00:00:04.000\nbackwards\n";
        let errs = parse(vtt, Format::WebVtt).err().unwrap_or_default();
        assert_eq!(
            errs.iter().map(|e| e.line).collect::<Vec<_>>(),
            [6, 10, 13],
            "{errs:?}"
        );
        assert!(
            parse("00:00:01.000 --> 00:00:02.000\nx\n", Format::WebVtt).is_err(),
            "missing header"
        );
        let srt_errs = parse("x\n00:00:01,000 --> 00:00:02,000\ny\n", Format::SubRip)
            .err()
            .unwrap_or_default();
        assert_eq!(srt_errs.first().map(|e| e.line), Some(1));
    }

    #[test]
    fn plain_text_lines_blocks_times_and_speakers() {
        let lines = parse("First line.\nSecond line.\n", Format::Plain).unwrap_or_default();
        assert_eq!(lines.cues.len(), 2);
        let blocks = parse(
            "[00:01:05] Ada: Hello there,\nstill the same paragraph.\n\n12:30 Next one.\n",
            Format::Plain,
        )
        .unwrap_or_default();
        assert_eq!(blocks.cues.len(), 2);
        assert_eq!(blocks.cues[0].start, Some(65.0));
        assert_eq!(blocks.cues[0].speaker.as_deref(), Some("Ada"));
        assert_eq!(
            blocks.cues[0].text,
            "Hello there, still the same paragraph."
        );
        assert_eq!(blocks.cues[1].start, Some(750.0));
        assert_eq!(blocks.cues[1].speaker, None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp("01:02:03.500"), Some(3723.5));
        assert_eq!(timestamp("02:03,25"), Some(123.25));
        assert_eq!(timestamp("1:60:00.000"), None);
        assert_eq!(timestamp("aa:bb"), None);
        assert_eq!(timestamp("1:2:3:4.5"), None);
        assert_eq!(timestamp("01:02.1234"), None);
        assert_eq!(timestamp("01:02."), None);
        assert_eq!(timestamp("01:+2.5"), None);
        assert_eq!(timestamp("01:0002.5"), None);
    }

    #[test]
    fn fractions_are_the_doubles_their_decimals_parse_to() {
        // Every fraction of one to three digits, against parsing `0.<frac>` as text (what
        // this function did before it stopped allocating).
        for len in 1..=3u32 {
            for n in 0..10u32.pow(len) {
                let frac = format!("{n:0width$}", width = len as usize);
                let want = 3723.0 + format!("0.{frac}").parse::<f64>().unwrap_or(f64::NAN);
                let got = timestamp(&format!("01:02:03.{frac}"));
                assert_eq!(got.map(f64::to_bits), Some(want.to_bits()), "{frac}");
            }
        }
    }
}
