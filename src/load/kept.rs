//! Parsed digests kept beside a build's output for the next build, so that a build which
//! reuses the last one reads and parses only the digests that changed. Reading and parsing
//! every digest was a quarter of such a build's time (YAML, the body's scan for Key Concepts
//! and chapters). See `docs/architecture.md`, "Builds that reuse the last one".
//!
//! A digest is taken from here only when every file its parse read is as it was: the
//! digest itself, its transcript, the media file it names under `static/` (whose size it
//! reads), and every file its body and `image` name beside it, present or not (a link to a
//! file that appears later makes it an asset). Each file is known by its modification and
//! change times, size and inode; the change time cannot be set back by a tool, so a file
//! replaced by one of the same size and modification time is still seen. A file modified
//! less than two seconds before the build started is not taken by the next build: it may
//! change again within the file system's clock tick after it was read (git's "racily
//! clean" entries). It is kept all the same, marked: the file always says which version of
//! each digest the build that wrote it used, so the next build can tell what an edit
//! changed (`pipeline/reach.rs`).
//!
//! The file: a header line, the binary's id, the inputs key and the site folder, one line
//! each, then segments of JSON lines, one per digest, each closed by a line with their
//! checksum and the generation of the build that wrote it (the record of the output names
//! the same generation: `output::reuse`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use super::Digest;

/// The first line of the file, with its format's version.
const HEADER: &str = "castdown-parsed-digests 2";

/// How recent a file's modification may be for its digest to be kept.
const RACY: Duration = Duration::from_secs(2);

pub use crate::output::stamp::FileStamp;

/// The files besides its own that parsing the digest at `path` (in the site folder `root`)
/// with body `body` read, present or not: its transcript, every file its body and `image`
/// name beside it (a link to a file that appears later makes it an asset), its assets, and
/// the media file it names under `static/` (whose size it reads). Sorted, each once.
pub fn reads(root: &Path, path: &Path, body: &str, digest: &Digest) -> Vec<PathBuf> {
    let dir = path.parent().unwrap_or(root);
    let mut reads: Vec<PathBuf> = Vec::new();
    reads.extend(digest.transcript.clone());
    reads.extend(
        crate::markdown::local_references(body)
            .into_iter()
            .chain(digest.image.clone())
            .map(|r| dir.join(r)),
    );
    reads.extend(digest.assets.iter().map(|(_, p)| p.clone()));
    if let Some(m) = digest.media.as_ref().filter(|m| m.on_site()) {
        let rel = m.url.trim_start_matches('/');
        reads.push(
            root.join("static")
                .join(rel.split(['?', '#']).next().unwrap_or(rel)),
        );
    }
    reads.sort();
    reads.dedup();
    reads
}

/// One kept digest: its file and the other files its parse read, each with its stamp
/// then, and the digest.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Entry {
    file: (PathBuf, FileStamp),
    reads: Vec<(PathBuf, FileStamp)>,
    digest: Arc<Digest>,
    /// Modified too short a time before the build that parsed it started: it says which
    /// version that build used, but no build takes it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    racy: bool,
    /// Taken from the kept file (so already in it, when it is appended to).
    #[serde(skip)]
    taken: bool,
}

impl Entry {
    /// The entry of `digest`, parsed from `path` (in the site folder `root`) whose body is
    /// `body`, with the stamps of the files it read as they are now; marked racy (never
    /// taken) when one was modified too short a time before `start` (the build's start) to
    /// be trusted.
    pub fn new(
        root: &Path,
        path: &Path,
        body: &str,
        digest: &Arc<Digest>,
        start: SystemTime,
    ) -> Entry {
        let reads = reads(root, path, body, digest);
        let since = start
            .checked_sub(RACY)
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(i128::MAX, |d| d.as_nanos() as i128);
        let stamped = |f: PathBuf| {
            let stamp = FileStamp::of(&f);
            (f, stamp)
        };
        let file = stamped(path.to_path_buf());
        let reads: Vec<(PathBuf, FileStamp)> = reads.into_iter().map(stamped).collect();
        let racy = std::iter::once(&file)
            .chain(&reads)
            .any(|(_, s)| s.modified_since(since));
        Entry {
            file,
            reads,
            digest: digest.clone(),
            racy,
            taken: false,
        }
    }

    /// The digest, if every file it was parsed from is as it was.
    fn unchanged(&self) -> Option<&Arc<Digest>> {
        if self.racy {
            return None;
        }
        std::iter::once(&self.file)
            .chain(&self.reads)
            .all(|(f, stamp)| FileStamp::of(f) == *stamp)
            .then_some(&self.digest)
    }
}

/// The digests the previous build kept, by file.
#[derive(Default)]
pub struct KeptDigests {
    entries: crate::hash::FastMap<PathBuf, Entry>,
    /// Lines read, superseded ones included: the file is appended to until they are
    /// twice the digests it keeps.
    lines: usize,
    /// The generation of the build that wrote the last segment (0 when nothing was read:
    /// no build draws 0).
    generation: u64,
}

/// What the previous build used of a digest that this build parsed again.
pub struct Before {
    /// The digest as the previous build had it (without its transcript's cues).
    pub digest: Arc<Digest>,
    /// Whether its transcript file, if it has one, is as it was then.
    pub transcript_unchanged: bool,
}

/// Why kept digests could not be used (said by nothing: the build parses every digest).
pub type Refusal = String;

impl KeptDigests {
    /// Reads the file at `path`, written by the binary `binary` for inputs `inputs` and the
    /// site folder `root`.
    pub fn read(
        path: &Path,
        binary: &str,
        inputs: u64,
        root: &Path,
    ) -> Result<KeptDigests, Refusal> {
        let bytes = std::fs::read(path).map_err(|e| format!("no digests kept ({e})"))?;
        let Some(([header, written_by, key, site], rest)) = crate::output::header_lines(&bytes)
        else {
            return Err("the kept digests are truncated".into());
        };
        if header != HEADER
            || written_by != binary
            || key != format!("{inputs:016x}")
            || site != root.to_string_lossy()
        {
            return Err("the kept digests are of another castdown, config or site".into());
        }
        // Checked as UTF-8 once, as a whole: serde_json checks every string of bytes it is
        // given again, which was a sixth of decoding them.
        let rest = std::str::from_utf8(rest).map_err(|_| "the kept digests are damaged")?;
        // Segments of lines, each closed by the checksum of its lines: a build appends one.
        // memchr finds the line ends many bytes at a time: a split testing byte by byte
        // took a fifth of reading the file (18 MB at 10,000 digests).
        let mut lines: Vec<&str> = Vec::new();
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', rest.as_bytes()) {
            // A newline is a character of its own: every end is a character boundary.
            lines.push(rest.get(start..end).unwrap_or_default());
            start = end + 1;
        }
        lines.push(rest.get(start..).unwrap_or_default());
        if lines.last() != Some(&"") {
            return Err("the kept digests are truncated".into());
        }
        let hashes: Vec<u64> = lines
            .par_iter()
            .map(|l| crate::hash::bytes(l.as_bytes()))
            .collect();
        let mut segment = Vec::new();
        let mut entries_at = Vec::new();
        let mut generation = None;
        for (n, line) in lines.iter().enumerate().take(lines.len() - 1) {
            match line.strip_prefix("sum ") {
                Some(sum) => {
                    let folded = segment
                        .drain(..)
                        .fold(crate::hash::FOLD_START, crate::hash::fold);
                    let (sum, by) = sum.split_once(' ').unwrap_or((sum, ""));
                    if sum != format!("{folded:016x}") {
                        return Err("the kept digests fail their checksum".into());
                    }
                    generation = u64::from_str_radix(by, 16).ok();
                }
                None => {
                    segment.push(hashes[n]);
                    entries_at.push(n);
                }
            }
        }
        let (true, Some(generation)) = (segment.is_empty(), generation) else {
            return Err("the kept digests are truncated".into());
        };
        let entries: Result<Vec<Entry>, _> = entries_at
            .par_iter()
            .map(|&n| serde_json::from_str::<Entry>(lines[n]))
            .collect();
        let entries = entries.map_err(|e| format!("the kept digests are damaged ({e})"))?;
        // Checksum lines included (a segment with nothing new still names its build).
        let lines = lines.len() - 1;
        // A later line for a file supersedes an earlier one.
        Ok(KeptDigests {
            entries: entries.into_iter().map(|e| (e.file.0.clone(), e)).collect(),
            lines,
            generation,
        })
    }

    /// The generation of the build that last wrote the file: when the record of the output
    /// names the same, the kept digests are the ones that output was built from.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The version of the digest at `path` the build that last wrote the file used, for a
    /// digest parsed again.
    pub fn before(&self, path: &Path) -> Option<Before> {
        let e = self.entries.get(path)?;
        let transcript_unchanged = match &e.digest.transcript {
            None => true,
            Some(t) => e
                .reads
                .iter()
                .any(|(f, stamp)| f == t && FileStamp::of(f) == *stamp),
        };
        Some(Before {
            digest: e.digest.clone(),
            transcript_unchanged,
        })
    }

    /// The digests kept for files that are not among `present` (the files of the digests
    /// this build loaded, under the site folder as the kept digests name them): removed
    /// since, or longer ago (the file keeps the lines of digests removed while it was
    /// appended to; the record of the output tells which the previous build published).
    /// Sorted by path.
    pub fn gone(&self, present: &std::collections::HashSet<PathBuf>) -> Vec<Arc<Digest>> {
        let mut gone: Vec<Arc<Digest>> = self
            .entries
            .iter()
            .filter(|(path, _)| !present.contains(*path))
            .map(|(_, e)| e.digest.clone())
            .collect();
        gone.sort_by(|a, b| a.path.cmp(&b.path));
        gone
    }

    /// How many digests the file keeps (the latest line of each file).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it keeps no digest (none was read, or none could be trusted).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many lines the file had after its header, superseded ones and checksums
    /// included ([`write`] appends to it while they are not too many).
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// The digest parsed from `path` before, if nothing it was parsed from changed since,
    /// with its entry to keep again. Its transcript is parsed again: cues are most of the
    /// bytes of the digests that have one, and cheap to parse.
    pub fn get(&self, path: &Path) -> Option<(Arc<Digest>, Entry)> {
        let e = self.entries.get(path)?;
        let digest = e.unchanged()?;
        let digest = match &digest.transcript {
            None => digest.clone(),
            Some(t) => {
                let format = crate::transcript::format_of(t)?;
                let text = super::read_text(t, t).ok()?;
                let parsed = crate::transcript::parse_text(&text, format, t).ok()?;
                let mut d = (**digest).clone();
                d.transcript_data = Some(Arc::new(parsed));
                Arc::new(d)
            }
        };
        let again = Entry {
            file: e.file.clone(),
            reads: e.reads.clone(),
            digest: e.digest.clone(),
            racy: false,
            taken: true,
        };
        Some((digest, again))
    }
}

/// Writes `entries` to `path` for the binary `binary`, inputs `inputs` and site folder
/// `root`, by the build of generation `generation`. When `path` was read (`previous`: the
/// lines it had) and it would not hold twice as many lines as digests, only the entries not taken from it are appended (with
/// their checksum); otherwise the file is written anew, through a temporary file. Not
/// synced: a damaged file fails its checksum and the next build parses every digest.
/// Written a few thousand entries at a time: the whole file is a hundred megabytes and
/// more at 100,000 digests.
pub fn write(
    path: &Path,
    binary: &str,
    inputs: u64,
    root: &Path,
    entries: &[Entry],
    (previous, generation): (Option<usize>, u64),
) -> std::io::Result<()> {
    let new = entries.iter().filter(|e| !e.taken).count();
    if let Some(lines) = previous
        && lines + new < 2 * entries.len()
    {
        // Even with nothing new, a segment names this build's generation.
        let mut f = std::io::BufWriter::new(std::fs::OpenOptions::new().append(true).open(path)?);
        write_lines(&mut f, entries.iter().filter(|e| !e.taken), generation)?;
        f.flush()?;
        return Ok(());
    }
    let tmp = crate::output::temporary(path);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    write!(
        f,
        "{HEADER}\n{binary}\n{inputs:016x}\n{}\n",
        root.to_string_lossy()
    )?;
    write_lines(&mut f, entries.iter(), generation)?;
    f.flush()?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// Writes `entries`, one JSON line each, and the line with their checksum and the
/// build's generation.
fn write_lines<'e>(
    f: &mut impl std::io::Write,
    entries: impl Iterator<Item = &'e Entry>,
    generation: u64,
) -> std::io::Result<()> {
    let entries: Vec<&Entry> = entries.collect();
    let mut hashes = Vec::with_capacity(entries.len());
    for chunk in entries.chunks(2048) {
        let lines: Vec<(Vec<u8>, u64)> = chunk
            .par_iter()
            .map(|e| {
                let line = serde_json::to_vec(e).unwrap_or_default();
                let hash = crate::hash::bytes(&line);
                (line, hash)
            })
            .collect();
        for (line, hash) in lines {
            f.write_all(&line)?;
            f.write_all(b"\n")?;
            hashes.push(hash);
        }
    }
    let folded = hashes
        .into_iter()
        .fold(crate::hash::FOLD_START, crate::hash::fold);
    writeln!(f, "sum {folded:016x} {generation:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo site's digests (this repository is a castdown site) and their entries, as
    /// a build an hour from now would keep them, written by the build of `generation` to a
    /// file in a new temporary folder.
    fn demo_written(generation: u64) -> (Vec<Arc<Digest>>, Vec<Entry>, tempfile::TempDir, PathBuf) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (content, _) = crate::load::load(root);
        let later = SystemTime::now() + Duration::from_secs(3600);
        let entries: Vec<Entry> = content
            .digests
            .iter()
            .map(|d| Entry::new(root, &root.join(&d.path), "", d, later))
            .collect();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("kept");
        write(&file, "bin", 1, root, &entries, (None, generation))
            .unwrap_or_else(|e| panic!("{e}"));
        (content.digests, entries, dir, file)
    }

    /// Every digest of the demo site and the test fixtures, as a build parses it, comes back
    /// from the kept file as it went in: a field that did not survive would build a wrong
    /// site from a kept digest.
    #[test]
    fn every_digest_comes_back_as_it_was_parsed() {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sites = vec![manifest.to_path_buf()];
        for entry in std::fs::read_dir(manifest.join("tests/fixtures"))
            .into_iter()
            .flatten()
            .flatten()
        {
            sites.push(entry.path());
        }
        let later = SystemTime::now() + Duration::from_secs(3600);
        let mut checked = 0;
        for root in sites {
            let (content, _) = crate::load::load(&root);
            let entries: Vec<Entry> = content
                .digests
                .iter()
                .map(|d| Entry::new(&root, &root.join(&d.path), "", d, later))
                .collect();
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let file = dir.path().join("kept");
            write(&file, "bin", 1, &root, &entries, (None, 7)).unwrap_or_else(|e| panic!("{e}"));
            let kept = KeptDigests::read(&file, "bin", 1, &root).unwrap_or_else(|e| panic!("{e}"));
            for d in &content.digests {
                let (back, _) = kept
                    .get(&root.join(&d.path))
                    .unwrap_or_else(|| panic!("{}: not kept", d.path.display()));
                assert_eq!(format!("{back:?}"), format!("{d:?}"));
                checked += 1;
            }
        }
        assert!(checked > 20, "only {checked} digests checked");
    }

    #[test]
    fn a_file_from_another_binary_config_or_site_or_damaged_is_refused() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (_, _, dir, file) = demo_written(7);
        assert!(KeptDigests::read(&file, "bin", 1, root).is_ok());
        assert!(KeptDigests::read(&file, "other", 1, root).is_err());
        assert!(KeptDigests::read(&file, "bin", 2, root).is_err());
        assert!(KeptDigests::read(&file, "bin", 1, dir.path()).is_err());
        let whole = std::fs::read(&file).unwrap_or_default();
        let mut flipped = whole.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x20;
        for bad in [
            whole[..whole.len() / 2].to_vec(),
            whole[..whole.len() - 1].to_vec(),
            flipped,
        ] {
            std::fs::write(&file, bad).unwrap_or_else(|e| panic!("{e}"));
            assert!(KeptDigests::read(&file, "bin", 1, root).is_err());
        }
    }

    /// A build appends the digests it parsed to the file the previous build left, a later
    /// line superseding an earlier one, until the file holds twice as many lines as
    /// digests; then it writes the file anew.
    #[test]
    fn new_digests_are_appended_until_superseded_lines_are_too_many() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (content, _) = crate::load::load(root);
        let later = SystemTime::now() + Duration::from_secs(3600);
        let entry = |d: &Arc<Digest>| Entry::new(root, &root.join(&d.path), "", d, later);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("kept");
        let read = || KeptDigests::read(&file, "bin", 1, root).unwrap_or_else(|e| panic!("{e}"));
        let first: Vec<Entry> = content.digests.iter().map(entry).collect();
        let n = first.len();
        assert!(n > 3, "too few digests");
        write(&file, "bin", 1, root, &first, (None, 1)).unwrap_or_else(|e| panic!("{e}"));
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        // Each build: every digest taken but one, parsed again with a new title. A
        // segment is that line and its checksum line.
        let mut expected = n + 1;
        let mut rewritten = false;
        for round in 1..=n + 1 {
            let kept = read();
            assert_eq!(kept.lines(), expected, "round {round}");
            assert_eq!(kept.generation(), round as u64, "round {round}");
            let changed = &content.digests[round % n];
            let mut entries: Vec<Entry> = Vec::new();
            for d in &content.digests {
                let (back, again) = kept
                    .get(&root.join(&d.path))
                    .unwrap_or_else(|| panic!("{}: not kept", d.path.display()));
                if Arc::ptr_eq(d, changed) {
                    let mut edited = (*back).clone();
                    edited.title = format!("round {round}");
                    entries.push(entry(&Arc::new(edited)));
                } else {
                    entries.push(again);
                }
            }
            let generation = round as u64 + 1;
            write(
                &file,
                "bin",
                1,
                root,
                &entries,
                (Some(kept.lines()), generation),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            if expected + 1 < 2 * n {
                expected += 2;
            } else {
                expected = n + 1;
                rewritten = true;
            }
            let back = read();
            assert_eq!(back.generation(), generation);
            let (digest, _) = back
                .get(&root.join(&changed.path))
                .unwrap_or_else(|| panic!("not kept"));
            assert_eq!(
                digest.title,
                format!("round {round}"),
                "the later line wins"
            );
        }
        assert!(rewritten, "never written anew");
        assert_eq!(read().lines(), expected);
        assert!(std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) < size * 2);
    }

    /// A build that parsed nothing new still names its generation: the record of its
    /// output names the same one.
    #[test]
    fn a_build_with_nothing_new_names_its_generation() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (digests, entries, _dir, file) = demo_written(5);
        let kept = KeptDigests::read(&file, "bin", 1, root).unwrap_or_else(|e| panic!("{e}"));
        let again: Vec<Entry> = digests
            .iter()
            .filter_map(|d| kept.get(&root.join(&d.path)).map(|(_, e)| e))
            .collect();
        assert_eq!(again.len(), entries.len());
        write(&file, "bin", 1, root, &again, (Some(kept.lines()), 6))
            .unwrap_or_else(|e| panic!("{e}"));
        let kept = KeptDigests::read(&file, "bin", 1, root).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept.generation(), 6);
        assert_eq!(kept.lines(), digests.len() + 2);
    }

    /// A file modified just before the build started may change again within the same
    /// clock tick after it was read: its digest is never taken, but it says which version
    /// the build used.
    #[test]
    fn a_digest_modified_just_before_the_build_is_not_kept() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (content, _) = crate::load::load(root);
        let d = content
            .digests
            .first()
            .unwrap_or_else(|| panic!("no digest"));
        let path = root.join(&d.path);
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(Entry::new(root, &path, "", d, modified).racy);
        assert!(Entry::new(root, &path, "", d, modified + RACY).racy);
        let later = SystemTime::now() + RACY + Duration::from_secs(1);
        assert!(!Entry::new(root, &path, "", d, later).racy);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("kept");
        let racy = Entry::new(root, &path, "", d, modified);
        write(&file, "bin", 1, root, &[racy], (None, 1)).unwrap_or_else(|e| panic!("{e}"));
        let kept = KeptDigests::read(&file, "bin", 1, root).unwrap_or_else(|e| panic!("{e}"));
        assert!(kept.get(&path).is_none(), "a racy digest was taken");
        let before = kept.before(&path).unwrap_or_else(|| panic!("not kept"));
        assert_eq!(before.digest.title, d.title);
    }
}
