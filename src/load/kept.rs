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
//! A kept digest keeps its parsed transcript: parsing every transcript again was a seventh
//! of a build after no edit.
//!
//! The file: a header line, the binary's id, the inputs key and the site folder, one line
//! each, then segments of records, one per digest, each closed by a record with their
//! checksum and the generation of the build that wrote it (the record of the output names
//! the same generation: `output::reuse`). A digest's record is `e`, its length (`u32`,
//! little-endian) and its entry in postcard's binary form; a segment's last is `s`, then the
//! checksum and the generation (`u64` each, little-endian). Binary rather than JSON lines:
//! decoding JSON was the largest part of such a build, and the transcripts' cues would have
//! doubled the file.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use super::Digest;

/// The first line of the file, with its format's version.
const HEADER: &str = "castdown-parsed-digests 3";

/// How many bytes of the file are read at a time.
const CHUNK: usize = 1 << 20;

/// Room for the header lines in the first read, whatever the chunk.
const HEADER_ROOM: usize = 4096;

pub use crate::output::stamp::FileStamp;

/// The files besides its own that parsing the digest at `path` (in the site folder `root`)
/// with body `body` read, present or not: its transcript, every file its body and `image`
/// name beside it (a link to a file that appears later makes it an asset), its assets, and
/// the files it names under `static/` ([`static_files`]: its media, whose size it reads,
/// and its cover, whose size the pages showing it read). Sorted, each once.
pub fn reads(root: &Path, path: &Path, body: &str, digest: &Digest) -> Vec<PathBuf> {
    let dir = path.parent().unwrap_or(root);
    let mut reads: Vec<PathBuf> = Vec::new();
    reads.extend(digest.transcript.clone());
    reads.extend(
        crate::markdown::local_references(body)
            .into_iter()
            .map(|r| dir.join(r)),
    );
    reads.extend(
        digest
            .image
            .as_deref()
            .filter(|w| !w.contains("://") && !w.starts_with('/'))
            .map(|w| dir.join(w)),
    );
    reads.extend(digest.assets.iter().map(|(_, p)| p.clone()));
    reads.extend(static_files(root, digest));
    reads.sort();
    reads.dedup();
    reads
}

/// The files under `static/` (in the site folder `root`) that `digest` names: its media
/// file (whose size it reads) and its cover (`image: /covers/x.png`, whose width and
/// height the pages showing it read), each if it names one on the site.
pub fn static_files(root: &Path, digest: &Digest) -> impl Iterator<Item = PathBuf> {
    let media = digest
        .media
        .as_ref()
        .filter(|m| m.on_site())
        .map(|m| m.url.as_str());
    let cover = digest
        .image
        .as_deref()
        .filter(|w| w.starts_with('/') && !w.contains("://"));
    let dir = root.join("static");
    media.into_iter().chain(cover).map(move |url| {
        let rel = url.trim_start_matches('/');
        dir.join(rel.split(['?', '#']).next().unwrap_or(rel))
    })
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
        let since = crate::output::stamp::trusted_before(start);
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
    /// By the file's path as its bytes: hashing a `Path` walks its components, a thousand
    /// instructions a path. The paths are all spelled alike (the site folder, canonical,
    /// joined to the path under it), so comparing bytes finds the same ones.
    entries: crate::hash::FastMap<OsString, Entry>,
    /// Records read, superseded ones and checksums included: the file is appended to
    /// until they are a quarter more than the digests it keeps.
    records: usize,
    /// The generation of the build that wrote the last segment (0 when nothing was read:
    /// no build draws 0).
    generation: u64,
}

/// The files of the digests a build loaded, as [`KeptDigests::gone`] takes them: each path
/// under the site folder, as its bytes.
pub type Present = std::collections::HashSet<OsString, ahash::RandomState>;

/// What the previous build used of a digest that this build parsed again.
pub struct Before {
    /// The digest as the previous build had it.
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
        Self::read_by(path, (binary, inputs, root), CHUNK)
    }

    /// [`KeptDigests::read`], `chunk` bytes at a time (more for a longer record): the file
    /// is tens of megabytes, and reading it whole into memory touched for the first time
    /// cost more than decoding a third of it (20 MB at 10,000 digests: 12 ms of page
    /// faults, against 2 ms through one buffer of a megabyte used again and again).
    fn read_by(
        path: &Path,
        (binary, inputs, root): (&str, u64, &Path),
        chunk: usize,
    ) -> Result<KeptDigests, Refusal> {
        use std::io::Read as _;
        let mut file = std::fs::File::open(path).map_err(|e| format!("no digests kept ({e})"))?;
        let failed = |e: std::io::Error| format!("the kept digests cannot be read ({e})");
        // Reads until `buf` holds `want` bytes; whether the file ended before.
        let mut fill = |buf: &mut Vec<u8>, want: usize| -> Result<bool, Refusal> {
            let more = want.saturating_sub(buf.len());
            // No more than a chunk ahead: a damaged length may ask for gigabytes, which
            // the file does not hold (reading grows the buffer as the bytes come).
            buf.reserve(more.min(CHUNK));
            (&mut file)
                .take(more as u64)
                .read_to_end(buf)
                .map_err(failed)?;
            Ok(buf.len() < want)
        };
        let truncated = || "the kept digests are truncated".to_string();
        let mut buf = Vec::new();
        let mut ended = fill(&mut buf, chunk.max(HEADER_ROOM))?;
        let Some(([header, written_by, key, site], rest)) = crate::output::header_lines(&buf)
        else {
            return Err(truncated());
        };
        if header != HEADER
            || written_by != binary
            || key != format!("{inputs:016x}")
            || site != root.to_string_lossy()
        {
            return Err("the kept digests are of another castdown, config or site".into());
        }
        let mut at = buf.len() - rest.len();
        let mut entries: crate::hash::FastMap<OsString, Entry> = Default::default();
        // Records read, checksum records included (a segment with nothing new still names
        // its build); records since the last checksum record, and their hashes folded.
        let (mut count, mut open, mut folded) = (0, 0, crate::hash::FOLD_START);
        let mut generation = None;
        loop {
            // The whole records in the buffer, in order: an entry's bytes, or a segment's
            // end with its checksum and the generation of the build that wrote it.
            let mut items: Vec<Result<&[u8], (u64, u64)>> = Vec::new();
            let mut wanted = 0;
            while let Some(&kind) = buf.get(at) {
                match kind {
                    RECORD => {
                        let Some(len) = u32_at(&buf, at + 1) else {
                            break;
                        };
                        let end = at + 5 + len as usize;
                        let Some(body) = buf.get(at + 5..end) else {
                            // Its length from where the buffer will begin.
                            wanted = end - at;
                            break;
                        };
                        items.push(Ok(body));
                        at = end;
                    }
                    END => {
                        let (Some(sum), Some(made_by)) =
                            (u64_at(&buf, at + 1), u64_at(&buf, at + 9))
                        else {
                            break;
                        };
                        items.push(Err((sum, made_by)));
                        at += 17;
                    }
                    _ => return Err("the kept digests are damaged".into()),
                }
            }
            // Decoded before their segment's checksum is checked: a record that fails it
            // fails the whole file all the same, and decoding any bytes is safe.
            let decoded: Vec<Result<(u64, Entry), postcard::Error>> = items
                .par_iter()
                .filter_map(|item| item.as_ref().ok())
                .map(|r| Ok((crate::hash::bytes(r), postcard::from_bytes::<Entry>(r)?)))
                .collect();
            let mut decoded = decoded.into_iter();
            for item in &items {
                match *item {
                    Ok(_) => {
                        let (hash, entry) = decoded
                            .next()
                            .ok_or_else(truncated)?
                            .map_err(|e| format!("the kept digests are damaged ({e})"))?;
                        folded = crate::hash::fold(folded, hash);
                        open += 1;
                        // A later record for a file supersedes an earlier one.
                        entries.insert(entry.file.0.clone().into_os_string(), entry);
                    }
                    Err((sum, made_by)) => {
                        if folded != sum {
                            return Err("the kept digests fail their checksum".into());
                        }
                        count += open + 1;
                        (open, folded) = (0, crate::hash::FOLD_START);
                        generation = Some(made_by);
                    }
                }
            }
            drop(items);
            if ended {
                break;
            }
            buf.drain(..at);
            at = 0;
            // At least a chunk more than the part of a record left over, and the whole of
            // a record longer than that.
            let want = (buf.len() + chunk).max(wanted);
            ended = fill(&mut buf, want)?;
        }
        // Whatever follows the last checksum record is a segment cut short.
        let Some(generation) = generation.filter(|_| open == 0 && at == buf.len()) else {
            return Err(truncated());
        };
        Ok(KeptDigests {
            entries,
            records: count,
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
        let e = self.entries.get(path.as_os_str())?;
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
    /// since, or longer ago (the file keeps the records of digests removed while it was
    /// appended to; the record of the output tells which the previous build published).
    /// Sorted by path.
    pub fn gone(&self, present: &Present) -> Vec<Arc<Digest>> {
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

    /// How many records the file had after its header, superseded ones and checksums
    /// included ([`write`] appends to it while they are not too many).
    pub fn records(&self) -> usize {
        self.records
    }

    /// The digest parsed from `path` before, if nothing it was parsed from changed since,
    /// with its entry to keep again.
    pub fn get(&self, path: &Path) -> Option<(Arc<Digest>, Entry)> {
        let e = self.entries.get(path.as_os_str())?;
        let digest = e.unchanged()?;
        let again = Entry {
            file: e.file.clone(),
            reads: e.reads.clone(),
            digest: e.digest.clone(),
            racy: false,
            taken: true,
        };
        Some((digest.clone(), again))
    }
}

/// A record of one entry.
const RECORD: u8 = b'e';
/// The record that closes a segment.
const END: u8 = b's';

/// The little-endian `u32` at `at` of `bytes`, if it is all there.
fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The little-endian `u64` at `at` of `bytes`, if it is all there.
fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// Writes `entries` to `path` for the binary `binary`, inputs `inputs` and site folder
/// `root`, by the build of generation `generation`. When `path` was read (`previous`: the
/// records it had) and it would not hold too many records for its digests
/// ([`outgrown`](crate::output::reuse::outgrown): a quarter more), only the entries not
/// taken from it are appended (with their checksum); otherwise the file is written anew,
/// through a temporary file. Not
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
    if let Some(records) = previous
        && !crate::output::reuse::outgrown(records + new, entries.len())
    {
        // Even with nothing new, a segment names this build's generation.
        let mut f = std::io::BufWriter::new(std::fs::OpenOptions::new().append(true).open(path)?);
        write_records(&mut f, entries.iter().filter(|e| !e.taken), generation)?;
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
    write_records(&mut f, entries.iter(), generation)?;
    f.flush()?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// Writes `entries`, a record each, and the record with their checksum and the build's
/// generation. An entry that cannot be written fails the whole file (the next build parses
/// every digest): leaving it out would let the next build take its digest for a new one.
fn write_records<'e>(
    f: &mut impl std::io::Write,
    entries: impl Iterator<Item = &'e Entry>,
    generation: u64,
) -> std::io::Result<()> {
    let entries: Vec<&Entry> = entries.collect();
    let mut hashes = Vec::with_capacity(entries.len());
    for chunk in entries.chunks(2048) {
        let records: Result<Vec<(Vec<u8>, u64)>, postcard::Error> = chunk
            .par_iter()
            .map(|e| {
                let record = postcard::to_stdvec(e)?;
                let hash = crate::hash::bytes(&record);
                Ok((record, hash))
            })
            .collect();
        for (record, hash) in records.map_err(std::io::Error::other)? {
            let len = u32::try_from(record.len()).map_err(std::io::Error::other)?;
            f.write_all(&[RECORD])?;
            f.write_all(&len.to_le_bytes())?;
            f.write_all(&record)?;
            hashes.push(hash);
        }
    }
    let folded = hashes
        .into_iter()
        .fold(crate::hash::FOLD_START, crate::hash::fold);
    f.write_all(&[END])?;
    f.write_all(&folded.to_le_bytes())?;
    f.write_all(&generation.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::stamp::RACY;
    use std::collections::BTreeMap;
    use std::time::Duration;

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
        let (mut checked, mut with_transcript) = (0, 0);
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
                with_transcript += usize::from(back.transcript_data.is_some());
            }
        }
        assert!(checked > 20, "only {checked} digests checked");
        // Transcripts' cues come back too.
        assert!(with_transcript > 0, "no digest with a transcript checked");
    }

    /// `extra` is kept as its JSON text (the binary format cannot hold a value whose shape
    /// only its data tells): every kind of value comes back as it was.
    #[test]
    fn free_form_data_comes_back_as_it_was() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (content, _) = crate::load::load(root);
        let mut d = (**content
            .digests
            .first()
            .unwrap_or_else(|| panic!("no digest")))
        .clone();
        d.extra = serde_json::json!({
            "color": "red", "n": [1, -2, 2.5, 1e300, null, true], "nested": {"a": {"b": "é\n\""}},
            "empty": {}, "list": []
        });
        let d = Arc::new(d);
        let later = SystemTime::now() + Duration::from_secs(3600);
        let path = root.join(&d.path);
        let entry = Entry::new(root, &path, "", &d, later);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("kept");
        write(&file, "bin", 1, root, &[entry], (None, 1)).unwrap_or_else(|e| panic!("{e}"));
        let kept = KeptDigests::read(&file, "bin", 1, root).unwrap_or_else(|e| panic!("{e}"));
        let (back, _) = kept.get(&path).unwrap_or_else(|| panic!("not kept"));
        assert_eq!(back.extra, d.extra);
        assert_eq!(format!("{back:?}"), format!("{d:?}"));
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

    /// What a read of kept digests holds, to compare reads: every entry's bytes by path,
    /// the records and the generation.
    fn held(kept: &KeptDigests) -> (BTreeMap<OsString, Vec<u8>>, usize, u64) {
        let entries = kept
            .entries
            .iter()
            .map(|(p, e)| (p.clone(), postcard::to_stdvec(e).unwrap_or_default()))
            .collect();
        (entries, kept.records, kept.generation)
    }

    /// The file is read a chunk at a time: whatever the chunk, and wherever the records and
    /// the checksum records fall across chunks, a file of several segments reads back as
    /// it does whole, and a file cut short or changed anywhere is refused (or, changed in
    /// a generation, which no checksum covers, names another build: not that output's).
    #[test]
    fn kept_digests_read_a_chunk_at_a_time_as_whole() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (digests, entries, _dir, file) = demo_written(1);
        let later = SystemTime::now() + Duration::from_secs(3600);
        // Two more segments, a digest parsed again in each, appended whatever the rule
        // for writing the file anew says.
        for generation in [2, 3] {
            let d = &digests[generation as usize];
            let mut edited = (**d).clone();
            edited.title = format!("generation {generation}");
            let edited = Entry::new(root, &root.join(&d.path), "", &Arc::new(edited), later);
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&file)
                .unwrap_or_else(|e| panic!("{e}"));
            write_records(&mut f, [&edited].into_iter(), generation)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let read = |chunk: usize| KeptDigests::read_by(&file, ("bin", 1, root), chunk);
        let whole = read(usize::MAX >> 8).unwrap_or_else(|e| panic!("{e}"));
        let expected = held(&whole);
        assert_eq!(expected.0.len(), entries.len());
        assert_eq!((expected.1, expected.2), (entries.len() + 1 + 2 * 2, 3));
        for chunk in [1, 2, 3, 5, 8, 17, 64, 333, 4096, CHUNK] {
            let kept = read(chunk).unwrap_or_else(|e| panic!("chunk {chunk}: {e}"));
            assert!(
                held(&kept) == expected,
                "chunk {chunk}: read back otherwise"
            );
        }
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
        let header =
            bytes.len() - crate::output::header_lines::<4>(&bytes).map_or(0, |(_, r)| r.len());
        let damaged = file.with_extension("damaged");
        let refused = |bad: &[u8], chunk: usize| {
            std::fs::write(&damaged, bad).unwrap_or_else(|e| panic!("{e}"));
            KeptDigests::read_by(&damaged, ("bin", 1, root), chunk)
        };
        let cuts = (0..bytes.len())
            .step_by(23)
            .chain(bytes.len() - 40..bytes.len());
        for cut in cuts {
            for chunk in [7, CHUNK] {
                assert!(
                    refused(&bytes[..cut], chunk).is_err(),
                    "cut at {cut}, chunk {chunk}: read"
                );
            }
        }
        // Where the checksum records hold their generations.
        let mut generations = Vec::new();
        let mut at = header;
        while at < bytes.len() {
            if bytes[at] == RECORD {
                at += 5 + u32_at(&bytes, at + 1).unwrap_or(0) as usize;
            } else {
                generations.push(at + 9..at + 17);
                at += 17;
            }
        }
        assert_eq!(generations.len(), 3);
        for at in (header..bytes.len()).step_by(7) {
            let mut bad = bytes.clone();
            bad[at] ^= 0x20;
            for chunk in [7, CHUNK] {
                let read = refused(&bad, chunk);
                if generations.iter().any(|g| g.contains(&at)) {
                    // Only the last segment's generation names the file's build.
                    let last = generations.last().is_some_and(|g| g.contains(&at));
                    let generation = read.map(|k| k.generation).unwrap_or_default();
                    assert_eq!(generation != 3, last, "byte {at} changed, chunk {chunk}");
                } else {
                    assert!(read.is_err(), "byte {at} changed, chunk {chunk}: read");
                }
            }
        }
    }

    /// A build appends the digests it parsed to the file the previous build left, a later
    /// record superseding an earlier one, until the file holds a quarter more records than
    /// digests; then it writes the file anew.
    #[test]
    fn new_digests_are_appended_until_superseded_records_are_too_many() {
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
        // segment is that record and its checksum record.
        let mut expected = n + 1;
        let mut rewritten = false;
        for round in 1..=n + 1 {
            let kept = read();
            assert_eq!(kept.records(), expected, "round {round}");
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
                (Some(kept.records()), generation),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            if !crate::output::reuse::outgrown(expected + 1, n) {
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
                "the later record wins"
            );
        }
        assert!(rewritten, "never written anew");
        assert_eq!(read().records(), expected);
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
        write(&file, "bin", 1, root, &again, (Some(kept.records()), 6))
            .unwrap_or_else(|e| panic!("{e}"));
        let kept = KeptDigests::read(&file, "bin", 1, root).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept.generation(), 6);
        assert_eq!(kept.records(), digests.len() + 2);
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
