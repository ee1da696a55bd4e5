//! Reusing the previous build's files. A build records, beside the output (never in it, so
//! nothing of it is published), what each output file holds: its path, a hash of its bytes,
//! its size and modification time, and for a page the fingerprint of the values it was made
//! from. The next build, made by the same castdown from the same config, theme and options,
//! keeps a page whose fingerprint is unchanged without rendering it, and writes any other
//! file into the staging folder only when its bytes differ; `patch.rs` then moves just those
//! files into the output and takes away what the site no longer has. Unchanged files keep
//! their modification time (`rsync -a`, S3 sync and deploy diffs skip them), and the output
//! is byte-identical to a clean build. See `docs/architecture.md` ("Builds that reuse the
//! last one").
//!
//! The record is trusted only when everything about it checks out: its own checksum (a
//! truncated or damaged file), the castdown binary that wrote it, the output folder it
//! describes, and the key of the inputs that reach every page. A file of the previous
//! output is reused only when its size and modification time are still the recorded ones,
//! so a file edited by hand in the output is written again.
//!
//! A build that reused the record appends to it what changed (a segment: the build's own
//! lines, then the files and folders that changed or went), rather than writing it anew:
//! at 300,000 digests the record is 84 MB, and a build after one edit changes a few lines
//! of it. Each segment ends with its own checksum; the file is written anew when it holds
//! a quarter more lines than the output has files and folders ([`outgrown`]).

use super::folders::{FolderChanges, Folders, Seen};
use super::stamp::FileStamp;
use crate::hash::FastMap;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The first line of a record, with its format's version.
const HEADER: &str = "castdown-build-record 9";

/// What a file of an output holds, as far as reuse needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// [`content_hash`] of the bytes.
    pub hash: u64,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime: u128,
}

/// The previous build, ready to reuse from.
#[derive(Debug)]
pub struct Previous {
    /// The output folder the record describes.
    dir: PathBuf,
    /// Each file's entry, and for a page the fingerprint of the values it was made from
    /// (0 for other files).
    files: FastMap<String, (Entry, u64)>,
    /// What the build that made it was: see [`Generation`].
    generation: Generation,
    /// The related episodes it computed, with their key (`site::RelatedCache`): computing
    /// them was a third of building the model, and they change only with the episodes'
    /// order or concepts.
    related: Option<(u64, Vec<Vec<usize>>)>,
    /// Its folders' stamps, so the next commit lists only the folders that changed.
    folders: Folders,
    /// What a look at its folders found (taken once, before the build changes them).
    seen: std::sync::OnceLock<Seen>,
    /// The executable's stamp as the record's `exe` line has it: a build by an executable
    /// of another stamp writes the record anew (the line is read before the rest).
    exe: String,
    /// The key of the related episodes the record holds (kept when they are taken): a
    /// build with the same key appends none.
    related_key: Option<u64>,
    /// How many lines the file has, every segment's: it is written anew when they are
    /// too many.
    lines: usize,
}

/// What identifies one build among those of the same inputs: a number drawn for it, which
/// the parsed digests it kept name too (`load::kept`), and a hash of what its pages were
/// made from besides digests (standalone pages, curated descriptions, files under
/// `static/`, episodes published ahead of their date). A build that finds both as it left
/// them knows which digests its output was made from (`pipeline/reach.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Generation {
    /// Drawn for the build (the clock and the process).
    pub number: u64,
    /// The hash of what pages were made from besides digests.
    pub others: u64,
    /// The hash of every term's name and slug (`pipeline/reach.rs`, `terms_key`): what a
    /// new digest must leave as it was for the pages that do not show it to be kept.
    pub terms: u64,
}

impl Generation {
    /// A number for a new build: never the same twice in practice, never 0.
    pub fn draw() -> u64 {
        let now = std::time::SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut h = ahash::RandomState::with_seeds(1, 2, 3, 4).build_hasher();
        h.write_u128(now);
        h.write_u32(std::process::id());
        h.finish().max(1)
    }
}

/// Why the previous build cannot be reused (said in one line by the build).
pub type Refusal = String;

/// A hash of a file's bytes: aHash with fixed keys, fast enough to run over the whole output
/// on every build (a tenth of the time writing it takes). It is compared only with hashes
/// made by the same castdown binary (the record names the binary). The bytes are hashed a
/// [`ContentHasher::CHUNK`] at a time, so a file read a chunk at a time (a static file
/// too large to hold: `writer::place_copy`) hashes the same.
pub fn content_hash(bytes: &[u8]) -> u64 {
    let mut h = ContentHasher::new();
    for chunk in bytes.chunks(ContentHasher::CHUNK) {
        h.update(chunk);
    }
    h.finish()
}

/// [`content_hash`] of bytes that come a chunk at a time.
pub struct ContentHasher {
    hasher: ahash::AHasher,
    len: usize,
}

impl ContentHasher {
    /// How many bytes each [`ContentHasher::update`] but the last must take.
    pub const CHUNK: usize = 1 << 20;

    /// A hasher that has seen no bytes.
    pub fn new() -> ContentHasher {
        ContentHasher {
            hasher: ahash::RandomState::with_seeds(
                0x9e37_79b9_7f4a_7c15,
                0xbf58_476d_1ce4_e5b9,
                0x94d0_49bb_1331_11eb,
                0x2545_f491_4f6c_dd1d,
            )
            .build_hasher(),
            len: 0,
        }
    }

    /// Hashes the next bytes: [`ContentHasher::CHUNK`] of them, or fewer for the last.
    pub fn update(&mut self, chunk: &[u8]) {
        self.hasher.write(chunk);
        self.len += chunk.len();
    }

    /// The hash of every byte seen.
    pub fn finish(mut self) -> u64 {
        self.hasher.write_usize(self.len);
        self.hasher.finish()
    }
}

impl Default for ContentHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// The record of the output folder `output`: a file beside it.
pub fn record_path(output: &Path) -> PathBuf {
    super::beside(output, "build-record")
}

/// The castdown binary that runs: its id (the version and a hash of the executable) and
/// the executable's stamp when it was hashed (`None`: it changed meanwhile, or has none).
pub struct Binary {
    /// What the record and the files kept beside the output are checked against.
    pub id: String,
    stamp: Option<String>,
}

impl Binary {
    /// A binary known by `id` alone, whose record no build takes the id from.
    pub fn named(id: &str) -> Binary {
        Binary {
            id: id.to_string(),
            stamp: None,
        }
    }
}

/// The id of the castdown binary that runs, so a record or kept file from another build of
/// castdown is never trusted (aHash's output may differ between versions and targets).
/// Hashing the 14 MB executable was most of a build's first stage: the record beside
/// `output` keeps the hash with the executable's stamp, and a build by the same executable
/// (the stamp has its inode and change time) takes it from there.
pub fn binary_id(output: &Path) -> Binary {
    let exe = std::env::current_exe().ok();
    // The stamp as the record's `exe` line holds it (`None`: no file there).
    let stamp_now = || {
        exe.as_deref()
            .map(FileStamp::of)
            .filter(|s| *s != FileStamp::default())
            .map(|s| format!("{s:?}").replace(' ', ""))
    };
    let stamp = stamp_now();
    if let Some(stamp) = &stamp
        && let Some(id) = recorded_binary(output, stamp)
    {
        return Binary {
            id,
            stamp: Some(stamp.clone()),
        };
    }
    let hash = exe
        .as_deref()
        .and_then(|p| std::fs::read(p).ok())
        .map(|b| content_hash(&b))
        .unwrap_or(0);
    // Stamped before and after: an executable replaced while it was read is hashed again
    // by the next build.
    let after = stamp_now();
    let stamp = stamp.filter(|s| after.as_ref() == Some(s));
    Binary {
        id: format!("{} {hash:016x}", env!("CARGO_PKG_VERSION")),
        stamp,
    }
}

/// The id the record beside `output` gives the executable of stamp `stamp` (its second
/// line); the rest of the record is read only when it is checked.
fn recorded_binary(output: &Path, stamp: &str) -> Option<String> {
    use std::io::BufRead as _;
    let file = std::fs::File::open(record_path(output)).ok()?;
    let mut lines = std::io::BufReader::with_capacity(1024, file).lines();
    if lines.next()?.ok()? != HEADER {
        return None;
    }
    let line = lines.next()?.ok()?;
    let (recorded, id) = exe_line(&line)?;
    (recorded == stamp).then(|| id.to_string())
}

/// The record's second line, `exe <stamp> <id>`: the executable's stamp when it was hashed
/// (`-`: none) and the binary's id (which has a space; the stamp has none).
fn exe_line(line: &str) -> Option<(&str, &str)> {
    line.strip_prefix("exe ")?.split_once(' ')
}

/// The value of the line `line` named `name` (what follows the name and a space).
fn field<'a>(line: Option<&'a str>, name: &str) -> Option<&'a str> {
    line?.strip_prefix(name)?.strip_prefix(' ')
}

/// Reads what [`file_line`] wrote: the path, its entry and its fingerprint.
fn parse_file_line(line: &str) -> Option<(&str, Entry, u64)> {
    let ([h, size, mtime, fp], path) = crate::text::leading_words(line)?;
    let entry = Entry {
        hash: u64::from_str_radix(h, 16).ok()?,
        size: size.parse().ok()?,
        mtime: mtime.parse().ok()?,
    };
    Some((path, entry, u64::from_str_radix(fp, 16).ok()?))
}

/// The metadata of a file as a record keeps it.
pub fn entry_of(meta: &std::fs::Metadata, hash: u64) -> Entry {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Entry {
        hash,
        size: meta.len(),
        mtime,
    }
}

impl Previous {
    /// Reads the record beside `output` and checks it against this build (`binary`,
    /// `inputs`: the key of everything that reaches every page). `Err` says why the
    /// previous build cannot be reused.
    pub fn read(output: &Path, binary: &str, inputs: u64) -> Result<Previous, Refusal> {
        if !output.join(super::MARKER).is_file() {
            return Err("there is no previous build to reuse".into());
        }
        let path = record_path(output);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err("the previous build left no record of its files".into());
            }
            Err(_) => return Err("the record of the previous build is damaged".into()),
        };
        let damaged = || "the record of the previous build is damaged".to_string();
        // Segments, each closed by the checksum of its lines: a truncated or damaged record
        // is never taken for a shorter one.
        let mut segments: Vec<&str> = Vec::new();
        let mut from = 0;
        let mut count = 0;
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', text.as_bytes()).map(|end| end + 1);
        // A last line without its newline counts, and leaves the record unclosed.
        let ends = ends.chain((!text.ends_with('\n')).then_some(text.len()));
        for end in ends {
            count += 1;
            let line = text.get(start..end).ok_or_else(damaged)?;
            if let Some(sum) = line.strip_prefix("end ") {
                let sum = u64::from_str_radix(sum.trim_end(), 16).map_err(|_| damaged())?;
                if !line.ends_with('\n') || sum != content_hash(&text.as_bytes()[from..start]) {
                    return Err(damaged());
                }
                segments.push(text.get(from..start).ok_or_else(damaged)?);
                from = end;
            }
            start = end;
        }
        if from != text.len() || segments.is_empty() {
            return Err(damaged());
        }
        let mut lines = crate::text::lines_of(segments[0]);
        if lines.next() != Some(HEADER) {
            return Err(damaged());
        }
        // The executable's stamp (read by `binary_id`) and the binary's id.
        let (exe, recorded) = lines.next().and_then(exe_line).ok_or_else(damaged)?;
        if recorded != binary {
            return Err("the previous build was made by another castdown".into());
        }
        let dir = field(lines.next(), "output").ok_or_else(damaged)?;
        if Path::new(dir) != output {
            return Err("the record beside the output describes another folder".into());
        }
        if field(lines.next(), "inputs").ok_or_else(damaged)? != format!("{inputs:016x}") {
            return Err(
                "the config, the theme, the templates, the words or the build options changed"
                    .into(),
            );
        }
        let mut previous = Previous {
            dir: output.to_path_buf(),
            files: FastMap::default(),
            generation: Generation::default(),
            related: None,
            folders: Folders::default(),
            seen: std::sync::OnceLock::new(),
            exe: exe.to_string(),
            related_key: None,
            lines: count,
        };
        // Each segment names the related episodes, or says they are the last one's (`=`):
        // only the last list is read.
        let mut related = previous.apply(lines).ok_or_else(damaged)?;
        for segment in &segments[1..] {
            related = previous
                .apply(crate::text::lines_of(segment))
                .ok_or_else(damaged)?
                .or(related);
        }
        if let Some(related) = related {
            previous.related = related_from(related).ok_or_else(damaged)?;
            previous.related_key = previous.related.as_ref().map(|(key, _)| *key);
        }
        Ok(previous)
    }

    /// Takes in the lines of a segment after the header: the build's, then the files and
    /// folders it recorded or saw go. `None` when one does not parse; else its line of
    /// related episodes, unless it is `=` (the last segment's).
    fn apply<'a>(&mut self, mut lines: impl Iterator<Item = &'a str>) -> Option<Option<&'a str>> {
        use rayon::prelude::*;
        let mut hex = field(lines.next(), "build")?
            .split(' ')
            .map(|h| u64::from_str_radix(h, 16).ok());
        self.generation = Generation {
            number: hex.next()??,
            others: hex.next()??,
            terms: hex.next()??,
        };
        let related = Some(field(lines.next(), "related")?).filter(|&r| r != "=");
        self.folders.taken = field(lines.next(), "folders")?.parse().ok()?;
        let mut file_lines = Vec::new();
        for line in lines {
            if let Some(folder) = line.strip_prefix("d ") {
                // Four numbers, then the path (which may have spaces).
                let (words, name) = crate::text::leading_words(folder)?;
                let stamp = FileStamp::from_parts(words)?;
                self.folders.stamps.insert(name.to_string(), stamp);
            } else if let Some(name) = line.strip_prefix("-d ") {
                self.folders.stamps.remove(name);
            } else if let Some(path) = line.strip_prefix("- ") {
                self.files.remove(path);
            } else {
                file_lines.push(line);
            }
        }
        // Parsed in parallel (a line per output file), taken in order.
        let parsed: Option<Vec<(&str, Entry, u64)>> =
            file_lines.par_iter().map(|l| parse_file_line(l)).collect();
        let parsed = parsed?;
        self.files.reserve(parsed.len());
        for (path, entry, fp) in parsed {
            self.files.insert(path.to_string(), (entry, fp));
        }
        Some(related)
    }

    /// The build that made the previous output.
    pub fn generation(&self) -> Generation {
        self.generation
    }

    /// The related episodes the previous build computed, with their key (taken: the model
    /// is built once).
    pub fn take_related(&mut self) -> Option<(u64, Vec<Vec<usize>>)> {
        self.related.take()
    }

    /// What is in the previous output's folders besides the recorded files, looked at
    /// the first time it is asked for: a build asks as soon as it has read the record, so
    /// the look runs beside the reading of the kept files rather than at the commit.
    pub fn seen(&self) -> &Seen {
        self.seen.get_or_init(|| self.folders.look(&self.dir))
    }

    /// How many folders the record names.
    pub fn folder_count(&self) -> usize {
        self.folders.stamps.len()
    }

    /// The stamps of the previous output's folders.
    pub(super) fn folders(&self) -> &Folders {
        &self.folders
    }

    /// How many files the previous output has.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// Whether the previous output has a file at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Every file of the previous output.
    pub fn paths(&self) -> Vec<&str> {
        self.files.keys().map(String::as_str).collect()
    }

    /// The fingerprint the previous output's file at `path` was made from (0: none).
    pub fn fingerprint(&self, path: &str) -> Option<u64> {
        self.files.get(path).map(|(_, fp)| *fp)
    }

    /// Every file of the previous output with the fingerprint it was made from (0: none).
    pub fn files(&self) -> impl Iterator<Item = (&str, u64)> {
        self.files.iter().map(|(p, (_, fp))| (p.as_str(), *fp))
    }

    /// The bytes of the previous output's file at `path`, when they are the ones the record
    /// names (their hash checked): for a file this build patches rather than makes.
    pub fn contents(&self, path: &str) -> Option<Vec<u8>> {
        let (entry, _) = self.files.get(path)?;
        let bytes = std::fs::read(self.dir.join(path)).ok()?;
        (content_hash(&bytes) == entry.hash).then_some(bytes)
    }

    /// The previous output's file at `path`, with its entry and fingerprint, when it is as
    /// the record left it: for a file this build knows to be unchanged without making it.
    pub fn unchanged(&self, path: &str) -> Option<(Entry, u64)> {
        let (entry, fp) = self.files.get(path)?;
        Some((self.untouched(path, entry)?, *fp))
    }

    /// The record's entry for the previous output's file at `path`, when that file holds
    /// bytes of `hash` and is as the record left it (same size and modification time).
    pub fn reusable(&self, path: &str, hash: u64) -> Option<Entry> {
        let (entry, _) = self.files.get(path).filter(|(e, _)| e.hash == hash)?;
        self.untouched(path, entry)
    }

    /// The record's entry for the page at `path` when the previous build made it from
    /// values of the same `fingerprint` and it is as the record left it: the page need not
    /// be rendered again.
    pub fn kept(&self, path: &str, fingerprint: u64) -> Option<Entry> {
        let (entry, _) = self
            .files
            .get(path)
            .filter(|(_, fp)| *fp == fingerprint && fingerprint != 0)?;
        self.untouched(path, entry)
    }

    /// The size of the previous output's file at `path` as the record has it.
    pub fn recorded_size(&self, path: &str) -> Option<u64> {
        self.files.get(path).map(|(e, _)| e.size)
    }

    fn untouched(&self, path: &str, entry: &Entry) -> Option<Entry> {
        let meta = std::fs::symlink_metadata(super::stamp::joined(&self.dir, path)).ok()?;
        if !meta.is_file() || entry_of(&meta, entry.hash) != *entry {
            return None;
        }
        Some(*entry)
    }
}

/// Writes the record of a finished output made by the build `generation`, for the next
/// build. `made` says what the output holds: the files this build made (written, or made
/// and found as they were), with their entries, in any order; the recorded files it no
/// longer has; and how its folders' stamps changed. Every other file of `previous` (the
/// record this build read, if any) is still there as recorded, with the fingerprint it was
/// made from: a reusing build does not go through the files it kept. A failure to write
/// the record costs only the next build's reuse. When this build read the record, what
/// changed is appended to it instead, unless the file would then hold too many lines.
pub fn write(
    output: &Path,
    (binary, inputs, generation): (&Binary, u64, Generation),
    made: (Vec<(String, Entry)>, &[String], &FolderChanges),
    fingerprints: &FastMap<String, u64>,
    related: Option<(u64, &[Vec<usize>])>,
    previous: Option<&Previous>,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let exe = binary.stamp.as_deref().unwrap_or("-");
    if let Some(previous) = previous.filter(|p| p.exe == exe && p.dir == output)
        && let Some(segment) = appended(previous, generation, &made, fingerprints, related)
    {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(record_path(output))?;
        return f.write_all(segment.as_bytes());
    }
    let (files, gone, folder_changes) = made;
    let fp_of = |path: &str| fingerprints.get(path).copied().unwrap_or(0);
    let mut files: Vec<(&str, Entry, u64)> = files
        .iter()
        .map(|(p, e)| (p.as_str(), *e, fp_of(p)))
        .collect();
    let mut folders = Folders::default();
    if let Some(previous) = previous {
        let made_paths: std::collections::HashSet<&str, ahash::RandomState> =
            files.iter().map(|(p, _, _)| *p).collect();
        let gone: std::collections::HashSet<&str, ahash::RandomState> =
            gone.iter().map(String::as_str).collect();
        files.extend(
            previous
                .files
                .iter()
                .filter(|(p, _)| !made_paths.contains(p.as_str()) && !gone.contains(p.as_str()))
                .map(|(p, (e, fp))| (p.as_str(), *e, *fp)),
        );
        folders = previous.folders.clone();
    }
    folders.apply(folder_changes);
    // Sorted and formatted in parallel: at 100,000 digests, 280,000 lines took a tenth of a
    // second on one thread while the other had nothing left to do.
    files.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let lines: Vec<String> = files
        .par_chunks(4096)
        .map(|chunk| {
            let mut part = String::with_capacity(chunk.len() * 80);
            for (path, e, fp) in chunk {
                file_line(&mut part, path, e, *fp);
            }
            part
        })
        .collect();
    let mut body = String::with_capacity(lines.iter().map(String::len).sum::<usize>() + 256);
    let _ = writeln!(body, "{HEADER}");
    let _ = writeln!(body, "exe {exe} {}", binary.id);
    let _ = writeln!(body, "output {}", output.display());
    let _ = writeln!(body, "inputs {inputs:016x}");
    build_lines(&mut body, generation, related_line(related), folders.taken);
    for part in &lines {
        body.push_str(part);
    }
    let mut names: Vec<(&String, &FileStamp)> = folders.stamps.iter().collect();
    names.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (name, stamp) in names {
        folder_line(&mut body, name, stamp);
    }
    end_line(&mut body, 0);
    let path = record_path(output);
    let tmp = super::temporary(&path);
    std::fs::write(&tmp, body)?;
    std::fs::rename(&tmp, &path)
}

/// The lines every segment of a record begins with: the build, its related episodes (the
/// line after its name) and when its folders were stamped.
fn build_lines(out: &mut String, generation: Generation, related: String, taken: i128) {
    let _ = writeln!(
        out,
        "build {:016x} {:016x} {:016x}",
        generation.number, generation.others, generation.terms
    );
    let _ = writeln!(out, "related {related}");
    let _ = writeln!(out, "folders {taken}");
}

/// A file's line: its entry, the fingerprint it was made from, its path. A path with a line
/// break cannot be recorded; its file is simply not reused.
fn file_line(out: &mut String, path: &str, e: &Entry, fp: u64) {
    if !path.contains('\n') {
        let _ = writeln!(out, "{:016x} {} {} {fp:x} {path}", e.hash, e.size, e.mtime);
    }
}

/// A folder's line: its stamp, then its name (which may have spaces).
fn folder_line(out: &mut String, name: &str, stamp: &FileStamp) {
    if !name.contains('\n') {
        let _ = writeln!(out, "d {} {name}", stamp.to_words());
    }
}

/// Closes the segment that starts at byte `from` of `out` with the checksum of its lines.
fn end_line(out: &mut String, from: usize) {
    let sum = content_hash(&out.as_bytes()[from..]);
    let _ = writeln!(out, "end {sum:016x}");
}

/// The segment to append to the record `previous` read for the output this build left
/// (`made`, `fingerprints` and `related` episodes, as [`write`] takes them): what changed
/// since, each path in order. `None` when the record would then hold too many lines for
/// the output's files and folders ([`outgrown`]: it is written anew).
fn appended(
    previous: &Previous,
    generation: Generation,
    (files, gone, folders): &(Vec<(String, Entry)>, &[String], &FolderChanges),
    fingerprints: &FastMap<String, u64>,
    related: Option<(u64, &[Vec<usize>])>,
) -> Option<String> {
    use rayon::prelude::*;
    let mut changed: Vec<(&str, &Entry, u64)> = files
        .par_iter()
        .filter_map(|(path, e)| {
            let fp = fingerprints.get(path).copied().unwrap_or(0);
            (previous.files.get(path) != Some(&(*e, fp))).then_some((path.as_str(), e, fp))
        })
        .collect();
    changed.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut gone: Vec<&str> = gone
        .iter()
        .map(String::as_str)
        .filter(|p| previous.files.contains_key(*p))
        .collect();
    gone.sort_unstable();
    gone.dedup();
    let new_files = changed
        .iter()
        .filter(|(p, _, _)| !previous.files.contains_key(*p))
        .count();
    let recorded = &previous.folders.stamps;
    let mut folders_changed: Vec<(&str, &FileStamp)> = folders
        .stamps
        .iter()
        .filter(|(name, stamp)| recorded.get(*name) != Some(stamp))
        .map(|(name, stamp)| (name.as_str(), stamp))
        .collect();
    folders_changed.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut folders_gone: Vec<&str> = folders
        .gone
        .iter()
        .map(String::as_str)
        .filter(|name| recorded.contains_key(*name))
        .collect();
    folders_gone.sort_unstable();
    folders_gone.dedup();
    let new_folders = folders_changed
        .iter()
        .filter(|(name, _)| !recorded.contains_key(*name))
        .count();
    // What the output has after this build.
    let file_count = previous.files.len() - gone.len() + new_files;
    let folder_count = recorded.len() - folders_gone.len() + new_folders;
    // The three lines that open it, the changes, and the checksum.
    let adds = 4 + changed.len() + gone.len() + folders_changed.len() + folders_gone.len();
    if outgrown(previous.lines + adds, file_count + folder_count + 64) {
        return None;
    }
    let related = match related {
        Some((key, _)) if previous.related_key == Some(key) => "=".to_string(),
        other => related_line(other),
    };
    let mut out = String::with_capacity(adds * 80 + related.len());
    build_lines(&mut out, generation, related, folders.taken);
    for (path, e, fp) in changed {
        file_line(&mut out, path, e, fp);
    }
    for path in gone {
        if !path.contains('\n') {
            let _ = writeln!(out, "- {path}");
        }
    }
    for (name, stamp) in folders_changed {
        folder_line(&mut out, name, stamp);
    }
    for name in folders_gone {
        if !name.contains('\n') {
            let _ = writeln!(out, "-d {name}");
        }
    }
    end_line(&mut out, 0);
    Some(out)
}

/// Whether a file that builds append to, holding `held` records (or lines) with this
/// build's, holds too many for a file written anew with `fresh`: a quarter more. Every
/// build reads the whole file, superseded records included, so what it holds beyond
/// `fresh` is paid for by every build until it is written anew. At 10,000 digests, after
/// the bench's thirty reusing builds, a build after no edit counted 1,097M instructions
/// when the rule was twice (the record had 78,600 lines for 45,900 files and folders),
/// 1,041M with a quarter, and 973M right after the record was written anew. Writing it
/// anew added about 20 ms to the build that did, once in eight builds that each added or
/// removed a digest (about a thousand lines each).
pub fn outgrown(held: usize, fresh: usize) -> bool {
    held.saturating_mul(4) > fresh.saturating_mul(5)
}

/// The record's `related` line after its name: `-` for none, else the key, the number of
/// lists and the lists: each episode's indexes comma-separated, the lists separated by `;`.
fn related_line(related: Option<(u64, &[Vec<usize>])>) -> String {
    let Some((key, lists)) = related else {
        return "-".into();
    };
    let mut line = String::with_capacity(lists.len() * 30 + 20);
    let _ = write!(line, "{key:016x} {} ", lists.len());
    for (i, list) in lists.iter().enumerate() {
        if i > 0 {
            line.push(';');
        }
        for (j, e) in list.iter().enumerate() {
            if j > 0 {
                line.push(',');
            }
            let _ = write!(line, "{e}");
        }
    }
    line
}

/// Reads what [`related_line`] wrote: `Some(None)` for `-`, `None` when it does not parse.
/// Byte by byte: the line is every episode's list (50,000 numbers at 10,000 digests), and
/// splitting it on `char`s was a twentieth of a build that reused the last.
fn related_from(line: &str) -> Option<Option<(u64, Vec<Vec<usize>>)>> {
    if line == "-" {
        return Some(None);
    }
    let ([key, count], text) = crate::text::leading_words(line)?;
    let key = u64::from_str_radix(key, 16).ok()?;
    let count: usize = count.parse().ok()?;
    if count == 0 {
        return text.is_empty().then_some(Some((key, Vec::new())));
    }
    let mut lists: Vec<Vec<usize>> = Vec::with_capacity(count);
    let mut list: Vec<usize> = Vec::new();
    // The number being read: `None` before its first digit.
    let mut number: Option<usize> = None;
    for &b in text.as_bytes() {
        match b {
            b'0'..=b'9' => {
                let n = number.unwrap_or(0);
                number = Some(n.checked_mul(10)?.checked_add(usize::from(b - b'0'))?);
            }
            b',' => list.push(number.take()?),
            b';' => {
                // An empty list has no number; any other ends with one.
                if let Some(n) = number.take() {
                    list.push(n);
                } else if !list.is_empty() {
                    return None;
                }
                lists.push(std::mem::take(&mut list));
            }
            _ => return None,
        }
    }
    if let Some(n) = number {
        list.push(n);
    } else if !list.is_empty() {
        return None;
    }
    lists.push(list);
    (lists.len() == count).then_some(Some((key, lists)))
}

/// Removes the record (a build that did not keep one must not leave a stale one).
pub fn forget(output: &Path) {
    let _ = std::fs::remove_file(record_path(output));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output folder, marked as one, in a temporary folder (kept while the first is).
    fn output() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(out.join(super::super::MARKER), b"").unwrap_or_else(|e| panic!("{e}"));
        (tmp, out)
    }

    #[test]
    fn a_record_reads_back_and_refuses_what_does_not_match() {
        let (_tmp, out) = output();
        std::fs::write(out.join("a.html"), b"A").unwrap_or_else(|e| panic!("{e}"));
        let meta = std::fs::metadata(out.join("a.html")).unwrap_or_else(|e| panic!("{e}"));
        let entry = entry_of(&meta, content_hash(b"A"));
        let fps: FastMap<String, u64> = [("a.html".to_string(), 99u64)].into_iter().collect();
        let generation = Generation {
            number: 11,
            others: 12,
            terms: 13,
        };
        // Related episodes with an empty list first, in the middle and last.
        let related = vec![vec![], vec![0, 3], vec![], vec![12, 1, 2], vec![]];
        // Folders, one with spaces in its name.
        std::fs::create_dir_all(out.join("a b")).unwrap_or_else(|e| panic!("{e}"));
        let folders = Folders::stamp_all(
            &out,
            super::super::folders::of_files(["a b/c.html", "a.html"].into_iter()),
        );
        write(
            &out,
            (&Binary::named("bin 1"), 7, generation),
            (vec![("a.html".into(), entry)], &[], &every(&folders)),
            &fps,
            Some((0xabc, &related)),
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut prev = Previous::read(&out, "bin 1", 7).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(prev.folders, folders);
        assert_eq!(prev.folder_count(), 2);
        assert_eq!(prev.generation(), generation);
        assert_eq!(prev.take_related(), Some((0xabc, related)));
        assert_eq!(prev.take_related(), None);
        assert_eq!(prev.unchanged("a.html"), Some((entry, 99)));
        assert_eq!(prev.unchanged("b.html"), None);
        assert!(prev.reusable("a.html", content_hash(b"A")).is_some());
        assert!(prev.reusable("a.html", content_hash(b"B")).is_none());
        assert!(prev.reusable("b.html", content_hash(b"A")).is_none());
        assert!(prev.kept("a.html", 99).is_some());
        assert!(prev.kept("a.html", 98).is_none());
        let why = |b: &str, k: u64| Previous::read(&out, b, k).err().unwrap_or_default();
        assert_eq!(
            why("bin 2", 7),
            "the previous build was made by another castdown"
        );
        assert!(why("bin 1", 8).starts_with("the config, the theme"));
        // A file changed by hand since is not reused.
        std::fs::write(out.join("a.html"), b"Z").unwrap_or_else(|e| panic!("{e}"));
        let prev = Previous::read(&out, "bin 1", 7).unwrap_or_else(|e| panic!("{e}"));
        assert!(prev.reusable("a.html", content_hash(b"A")).is_none());
        assert_eq!(prev.unchanged("a.html"), None);
        // Truncated, damaged, gone.
        let record = record_path(&out);
        let text = std::fs::read_to_string(&record).unwrap_or_default();
        std::fs::write(&record, &text[..text.len() - 10]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            why("bin 1", 7),
            "the record of the previous build is damaged"
        );
        std::fs::write(&record, text.replace("a.html", "b.html")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            why("bin 1", 7),
            "the record of the previous build is damaged"
        );
        forget(&out);
        assert_eq!(
            why("bin 1", 7),
            "the previous build left no record of its files"
        );
        // The running executable's id is taken from the record when the record has its
        // stamp, and is the executable's hash otherwise.
        let hashed = binary_id(&out);
        assert!(
            hashed.id.starts_with(env!("CARGO_PKG_VERSION")),
            "{}",
            hashed.id
        );
        let stamp = hashed.stamp.clone().unwrap_or_else(|| panic!("no stamp"));
        let record_with = |stamp: Option<String>| {
            let binary = Binary {
                id: "recorded 1".into(),
                stamp,
            };
            write(
                &out,
                (&binary, 7, generation),
                (Vec::new(), &[], &FolderChanges::default()),
                &fps,
                None,
                None,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        };
        record_with(Some(stamp.clone()));
        assert_eq!(binary_id(&out).id, "recorded 1");
        record_with(Some(format!("{stamp}0")));
        assert_eq!(binary_id(&out).id, hashed.id);
        record_with(None);
        assert_eq!(binary_id(&out).id, hashed.id);
        // A record without related episodes says so, and one whose line does not parse is
        // damaged.
        let mut prev = Previous::read(&out, "recorded 1", 7).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(prev.take_related(), None);
        assert_eq!(related_from("-"), Some(None));
        assert_eq!(
            related_from("00000000000000ab 0 "),
            Some(Some((0xab, vec![])))
        );
        assert_eq!(
            related_from("00000000000000ab 1 "),
            Some(Some((0xab, vec![vec![]])))
        );
        assert_eq!(
            related_from("00000000000000ab 2 1;2,3"),
            Some(Some((0xab, vec![vec![1], vec![2, 3]])))
        );
        assert_eq!(related_from("00000000000000ab 3 1;2,3"), None);
        assert_eq!(related_from("00000000000000ab 1 1,x"), None);
        assert_eq!(related_from("zz 1 1"), None);
    }

    /// The byte-by-byte reading of the related episodes takes and refuses what splitting
    /// the line on its separators did, and reads back what `related_line` writes.
    #[test]
    fn related_lists_read_as_splitting_them_did() {
        fn split(line: &str) -> Option<Option<(u64, Vec<Vec<usize>>)>> {
            if line == "-" {
                return Some(None);
            }
            let mut parts = line.splitn(3, ' ');
            let key = u64::from_str_radix(parts.next()?, 16).ok()?;
            let count: usize = parts.next()?.parse().ok()?;
            let text = parts.next()?;
            if count == 0 {
                return text.is_empty().then_some(Some((key, Vec::new())));
            }
            let lists = text
                .split(';')
                .map(|list| {
                    if list.is_empty() {
                        return Some(Vec::new());
                    }
                    list.split(',').map(|e| e.parse().ok()).collect()
                })
                .collect::<Option<Vec<Vec<usize>>>>()?;
            (lists.len() == count).then_some(Some((key, lists)))
        }
        let texts = [
            "",
            "1",
            "12,3",
            ";",
            "1;",
            ";1",
            "1,2;3,4;5",
            ",",
            "1,",
            ",1",
            "1,,2",
            "1,;2",
            ";;",
            "1;;2",
            " 1",
            "1 ",
            "1;2 ",
            "18446744073709551615",
            "18446744073709551616",
            "a",
        ];
        for text in texts {
            for count in 0..4 {
                let line = format!("00000000000000ab {count} {text}");
                assert_eq!(related_from(&line), split(&line), "{line:?}");
            }
        }
        for line in ["-", "ab 1", "ab", "", "ab 1 1 2", "ab x 1"] {
            assert_eq!(related_from(line), split(line), "{line:?}");
        }
        let lists = vec![vec![3, 1, 4], vec![], vec![1], vec![59, 26, 535, 8979]];
        let line = related_line(Some((0xfeed, &lists)));
        assert_eq!(related_from(&line), Some(Some((0xfeed, lists))));
    }

    /// Every stamp of `folders`, as changes to a record of none.
    fn every(folders: &Folders) -> FolderChanges {
        FolderChanges {
            stamps: folders.stamps.clone(),
            gone: Vec::new(),
            taken: folders.taken,
        }
    }

    /// An entry for a file that need not exist (the record is read, not checked against
    /// the files).
    fn entry(n: u64) -> Entry {
        Entry {
            hash: n,
            size: n * 10,
            mtime: u128::from(n) * 1_000,
        }
    }

    #[test]
    fn a_build_appends_what_changed_to_the_record_and_writes_it_anew_when_it_grows() {
        let (_tmp, out) = output();
        let binary = Binary::named("bin 1");
        let generation = |number| Generation {
            number,
            others: 2,
            terms: 3,
        };
        let files: Vec<(String, Entry)> = (0..40u64)
            .map(|n| (format!("p{n}/index.html"), entry(n)))
            .collect();
        let fps: FastMap<String, u64> = files
            .iter()
            .map(|(p, e)| (p.clone(), e.hash + 100))
            .collect();
        let stamp = |n: u64| FileStamp::from_parts([n.to_string().as_str(); 4]).unwrap_or_default();
        let folders = |names: &[&str], at: u64| Folders {
            stamps: names
                .iter()
                .map(|n| (n.to_string(), stamp(at + n.len() as u64)))
                .collect(),
            taken: at as i128,
        };
        let related = vec![vec![1, 2], vec![0]];
        let first = folders(&["", "p0", "p1", "p2 x"], 5);
        write(
            &out,
            (&binary, 7, generation(1)),
            (files.clone(), &[], &every(&first)),
            &fps,
            Some((0xabc, &related)),
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let record = record_path(&out);
        let size = || std::fs::metadata(&record).map_or(0, |m| m.len());
        let whole = size();
        let read = || Previous::read(&out, "bin 1", 7).unwrap_or_else(|e| panic!("{e}"));
        // A build of generation `n` by `binary` after the one the record holds, whose
        // output has `files` and `folders`, every one of them made or stamped again.
        let again = |binary: &Binary,
                     n: u64,
                     files: &[(String, Entry)],
                     fps: &FastMap<String, u64>,
                     related: Option<(u64, &[Vec<usize>])>,
                     folders: &Folders| {
            let previous = read();
            let gone: Vec<String> = previous
                .paths()
                .into_iter()
                .filter(|p| !files.iter().any(|(f, _)| f == p))
                .map(str::to_string)
                .collect();
            let mut changes = every(folders);
            changes.gone = previous
                .folders
                .stamps
                .keys()
                .filter(|f| !folders.stamps.contains_key(*f))
                .cloned()
                .collect();
            write(
                &out,
                (binary, 7, generation(n)),
                (files.to_vec(), &gone, &changes),
                fps,
                related,
                Some(&previous),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        };
        // A file changed (its entry and its fingerprint), one gone, one new; a folder
        // restamped, one gone, one new; the related episodes the same.
        let mut second_files = files.clone();
        second_files[3].1 = entry(1003);
        second_files.remove(7);
        second_files.push(("new.html".into(), entry(77)));
        let mut second_fps = fps.clone();
        second_fps.insert("p5/index.html".into(), 1);
        second_fps.insert("new.html".into(), 2);
        let second = folders(&["", "p0", "p1 y", "p2 x"], 9);
        again(
            &binary,
            2,
            &second_files,
            &second_fps,
            Some((0xabc, &related)),
            &second,
        );
        let appended = size() - whole;
        assert!(
            appended > 0 && appended < whole / 4,
            "{appended} of {whole}"
        );
        let mut back = read();
        assert_eq!(back.generation(), generation(2));
        assert_eq!(back.take_related(), Some((0xabc, related.clone())));
        assert_eq!(back.folders, second);
        let mut expected: Vec<(String, u64)> = second_files
            .iter()
            .map(|(p, _)| (p.clone(), second_fps[p]))
            .collect();
        expected.sort();
        let mut got: Vec<(String, u64)> = back.files().map(|(p, fp)| (p.to_string(), fp)).collect();
        got.sort();
        assert_eq!(got, expected);
        assert_eq!(
            back.files.get("p3/index.html").map(|f| f.0),
            Some(entry(1003))
        );
        // Other related episodes are appended whole; none, as none.
        let other = vec![vec![1], vec![0, 1]];
        again(
            &binary,
            3,
            &second_files,
            &second_fps,
            Some((0xdef, &other)),
            &second,
        );
        assert_eq!(read().take_related(), Some((0xdef, other)));
        again(&binary, 4, &second_files, &second_fps, None, &second);
        assert_eq!(read().take_related(), None);
        // A segment cut short or damaged makes the whole record damaged.
        let text = std::fs::read_to_string(&record).unwrap_or_default();
        let why = || Previous::read(&out, "bin 1", 7).err().unwrap_or_default();
        for bad in [
            text[..text.len() - 3].to_string(),
            text.replacen("build 0000000000000004", "build 0000000000000005", 1),
            format!("{text}build 0000000000000009 0 0\n"),
        ] {
            std::fs::write(&record, bad).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(why(), "the record of the previous build is damaged");
        }
        std::fs::write(&record, &text).unwrap_or_else(|e| panic!("{e}"));
        // Builds that change every file fill it with lines: it is written anew on the way
        // (the segments of seven builds since the first write are two).
        for round in 0..3u64 {
            let changed: Vec<(String, Entry)> = second_files
                .iter()
                .map(|(p, e)| (p.clone(), entry(e.hash + 5000 + round)))
                .collect();
            again(&binary, 10 + round, &changed, &second_fps, None, &second);
        }
        let text = std::fs::read_to_string(&record).unwrap_or_default();
        assert_eq!(text.matches("\nend ").count(), 2, "{text}");
        assert_eq!(read().files.len(), second_files.len());
        // Another executable's stamp writes it anew.
        let stamped = Binary {
            id: "bin 1".into(),
            stamp: Some("other".into()),
        };
        again(&stamped, 20, &second_files, &second_fps, None, &second);
        let text = std::fs::read_to_string(&record).unwrap_or_default();
        assert_eq!(text.matches("end ").count(), 1, "{text}");
        assert!(text.contains("\nexe other bin 1\n"), "{text}");
    }
}
