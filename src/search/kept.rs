//! Each episode body's counted words, kept beside a build's output for the next build, so a
//! build that reuses the last one counts (and renders) only the bodies that changed. A body
//! is known by its key (`bodies::episode_key`: its Markdown and what its links are made
//! from), so an entry is right for any body with that key whatever else changed; the file is
//! trusted only from the same castdown binary and the same config, theme and options, as the
//! build record is (`output::reuse`). See `docs/architecture.md`, "Builds that reuse the
//! last one".
//!
//! A body's words carry weights of 1 (text) and 1.5 (headings), so their sums are whole
//! halves, exact in `f32`: counts kept for the body and added to the fields' fresh counts
//! give the same bits as counting the whole document at once, in any order.
//!
//! The file: a header line, the binary's id, the inputs key and a checksum of the entries
//! (folded from each entry's hash, so the file is written as the entries are counted and
//! no build holds them all), one line each, then the entries, each `key: u64, words in the
//! body: u32, distinct words: u32` (little-endian) and per word its length and bytes and
//! twice its weight (LEB128).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The first line of the file, with its format's version.
const HEADER: &str = "castdown-search-words 2";

/// The entries of the previous build, by body key.
#[derive(Default)]
pub struct KeptWords {
    bytes: Vec<u8>,
    at: HashMap<u64, (usize, usize), ahash::RandomState>,
}

/// Why kept words could not be read (for a line of the build's output).
pub type Refusal = String;

impl KeptWords {
    /// Reads the file at `path`, written by the binary `binary` for inputs `inputs`.
    pub fn read(path: &Path, binary: &str, inputs: u64) -> Result<KeptWords, Refusal> {
        let bytes = std::fs::read(path).map_err(|e| format!("no search words kept ({e})"))?;
        let Some(([header, written_by, key, sum], body)) = crate::output::header_lines(&bytes)
        else {
            return Err("the kept search words are truncated".into());
        };
        if header != HEADER {
            return Err("the kept search words are of another format".into());
        }
        if written_by != binary {
            return Err("the kept search words were written by another castdown".into());
        }
        if key != format!("{inputs:016x}") {
            return Err("the kept search words were made from other inputs".into());
        }
        let start = bytes.len() - body.len();
        let ranges = entries(body).ok_or("the kept search words are damaged")?;
        let folded = ranges
            .iter()
            .map(|&(_, from, to)| crate::hash::bytes(&body[from..to]))
            .fold(crate::hash::FOLD_START, crate::hash::fold);
        if sum != format!("{folded:016x}") {
            return Err("the kept search words fail their checksum".into());
        }
        let mut at = HashMap::with_hasher(ahash::RandomState::with_seeds(1, 2, 3, 4));
        at.extend(ranges.into_iter().map(|(key, from, to)| (key, (from, to))));
        let mut bytes = bytes;
        bytes.drain(..start);
        Ok(KeptWords { bytes, at })
    }

    /// Whether the body with key `key` has its words here.
    pub fn has(&self, key: u64) -> bool {
        self.at.contains_key(&key)
    }

    /// The entry of the body with key `key`.
    pub fn entry(&self, key: u64) -> Option<Entry<'_>> {
        let &(from, to) = self.at.get(&key)?;
        Some(Entry(self.bytes.get(from..to)?))
    }
}

/// Writes a file of entries as they come, each made by [`encode`] or taken from
/// [`KeptWords`], into a temporary file beside its place; [`Writer::finish`] puts it in
/// place, and a writer dropped unfinished (a failed build) removes it. Not synced: a file
/// a crash damaged fails its checksum, and the next build counts every body again.
pub struct Writer {
    file: Option<std::io::BufWriter<std::fs::File>>,
    tmp: PathBuf,
    /// Where the checksum goes in the header.
    sum_at: u64,
    sum: u64,
    failed: bool,
}

impl Writer {
    /// A writer of the file at `path` for the binary `binary` and inputs `inputs`.
    pub fn create(path: &Path, binary: &str, inputs: u64) -> std::io::Result<Writer> {
        let tmp = crate::output::temporary(path);
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let head = format!("{HEADER}\n{binary}\n{inputs:016x}\n");
        file.write_all(head.as_bytes())?;
        // Filled in by `finish`.
        file.write_all(b"0000000000000000\n")?;
        Ok(Writer {
            file: Some(file),
            tmp,
            sum_at: head.len() as u64,
            sum: crate::hash::FOLD_START,
            failed: false,
        })
    }

    /// Appends one entry.
    pub fn add(&mut self, entry: &[u8]) {
        if let Some(f) = self.file.as_mut()
            && !self.failed
        {
            self.failed = f.write_all(entry).is_err();
            self.sum = crate::hash::fold(self.sum, crate::hash::bytes(entry));
        }
    }

    /// Puts the file at `path`.
    pub fn finish(mut self, path: &Path) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let Some(f) = self.file.take() else {
            return Err(std::io::Error::other("no file"));
        };
        if self.failed {
            return Err(std::io::Error::other("a write failed"));
        }
        let mut f = f.into_inner().map_err(|e| e.into_error())?;
        f.seek(SeekFrom::Start(self.sum_at))?;
        f.write_all(format!("{:016x}", self.sum).as_bytes())?;
        drop(f);
        std::fs::rename(&self.tmp, path)?;
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.file = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Each entry's key and where it lies, in order; `None` if the bytes do not parse as
/// entries.
fn entries(mut rest: &[u8]) -> Option<Vec<(u64, usize, usize)>> {
    let total = rest.len();
    let mut all = Vec::new();
    while !rest.is_empty() {
        let from = total - rest.len();
        let entry = Entry(rest);
        let len = entry.len()?;
        all.push((entry.key()?, from, from + len));
        rest = rest.get(len..)?;
    }
    Some(all)
}

/// One body's entry.
#[derive(Clone, Copy)]
pub struct Entry<'a>(&'a [u8]);

impl<'a> Entry<'a> {
    /// The entry's bytes, to keep it for the next build.
    pub fn bytes(self) -> &'a [u8] {
        self.0
    }

    fn key(self) -> Option<u64> {
        Some(u64::from_le_bytes(self.0.get(..8)?.try_into().ok()?))
    }

    fn u32_at(self, at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(self.0.get(at..at + 4)?.try_into().ok()?))
    }

    /// Its length in bytes (the whole entry parses).
    fn len(self) -> Option<usize> {
        let mut n = 16;
        self.each(&mut |_, _| {}, &mut n)?;
        Some(n)
    }

    /// Calls `f` with each word and weight; returns the number of words in the body.
    pub fn words(self, f: &mut impl FnMut(&'a str, f32)) -> Option<f32> {
        let mut n = 16;
        self.each(f, &mut n)?;
        Some(self.u32_at(8)? as f32)
    }

    fn each(self, f: &mut impl FnMut(&'a str, f32), at: &mut usize) -> Option<()> {
        let distinct = self.u32_at(12)?;
        for _ in 0..distinct {
            let len = leb128(self.0, at)? as usize;
            let word = std::str::from_utf8(self.0.get(*at..*at + len)?).ok()?;
            *at += len;
            let twice = leb128(self.0, at)?;
            f(word, twice as f32 / 2.0);
        }
        Some(())
    }
}

/// Appends the entry of the body with key `key`: `words` in it, and each distinct word with
/// its weight. Returns `false`, appending nothing, if a weight is not a whole half (never
/// for a body's weights; such a body is counted again next time).
pub fn encode<'w>(
    out: &mut Vec<u8>,
    key: u64,
    words: f32,
    distinct: impl ExactSizeIterator<Item = (&'w str, f32)>,
) -> bool {
    let start = out.len();
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(words as u32).to_le_bytes());
    out.extend_from_slice(&(distinct.len() as u32).to_le_bytes());
    for (word, weight) in distinct {
        let twice = weight * 2.0;
        if twice.fract() != 0.0 || !(0.0..=u32::MAX as f32).contains(&twice) {
            out.truncate(start);
            return false;
        }
        push_leb128(out, word.len() as u64);
        out.extend_from_slice(word.as_bytes());
        push_leb128(out, twice as u64);
    }
    true
}

fn push_leb128(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn leb128(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(entries: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("words");
        let mut w = Writer::create(&path, "bin", 7).unwrap_or_else(|e| panic!("{e}"));
        let ranges = super::entries(entries).unwrap_or_else(|| panic!("not entries"));
        for (_, from, to) in ranges {
            w.add(&entries[from..to]);
        }
        w.finish(&path).unwrap_or_else(|e| panic!("{e}"));
        (dir, path)
    }

    /// A writer dropped unfinished (the build failed) leaves nothing behind.
    #[test]
    fn an_unfinished_file_is_removed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("words");
        let mut w = Writer::create(&path, "bin", 7).unwrap_or_else(|e| panic!("{e}"));
        let mut entry = Vec::new();
        encode(&mut entry, 1, 1.0, [("a", 1.0)].into_iter());
        w.add(&entry);
        drop(w);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn entries_read_back_as_written() {
        let mut bytes = Vec::new();
        assert!(encode(
            &mut bytes,
            1,
            5.0,
            [("a", 1.0), ("é", 4.5)].into_iter()
        ));
        assert!(encode(&mut bytes, 2, 300.0, [("x", 150.0)].into_iter()));
        let (_dir, path) = written(&bytes);
        let kept = KeptWords::read(&path, "bin", 7).unwrap_or_else(|e| panic!("{e}"));
        assert!(kept.has(1) && kept.has(2) && !kept.has(3));
        let mut seen = Vec::new();
        let entry = kept.entry(1).unwrap_or_else(|| panic!("no entry 1"));
        let n = entry.words(&mut |w, f| seen.push((w.to_string(), f)));
        assert_eq!(n, Some(5.0));
        assert_eq!(seen, [("a".to_string(), 1.0), ("é".to_string(), 4.5)]);
        let two = kept.entry(2).map(Entry::bytes).unwrap_or_default();
        assert_eq!(two, &bytes[bytes.len() - two.len()..]);
    }

    #[test]
    fn a_weight_that_is_not_a_whole_half_is_not_kept() {
        let mut bytes = vec![9];
        assert!(!encode(&mut bytes, 1, 1.0, [("a", 0.6)].into_iter()));
        assert_eq!(bytes, [9]);
    }

    #[test]
    fn a_file_from_another_binary_other_inputs_or_damaged_is_refused() {
        let mut bytes = Vec::new();
        encode(&mut bytes, 1, 2.0, [("word", 2.0)].into_iter());
        let (_dir, path) = written(&bytes);
        assert!(KeptWords::read(&path, "other", 7).is_err());
        assert!(KeptWords::read(&path, "bin", 8).is_err());
        let whole = std::fs::read(&path).unwrap_or_default();
        for cut in [3, whole.len() - 1] {
            std::fs::write(&path, &whole[..cut]).unwrap_or_else(|e| panic!("{e}"));
            assert!(KeptWords::read(&path, "bin", 7).is_err(), "cut at {cut}");
        }
        let mut flipped = whole.clone();
        if let Some(b) = flipped.last_mut() {
            *b ^= 1;
        }
        std::fs::write(&path, &flipped).unwrap_or_else(|e| panic!("{e}"));
        assert!(KeptWords::read(&path, "bin", 7).is_err());
        std::fs::write(&path, &whole).unwrap_or_else(|e| panic!("{e}"));
        assert!(KeptWords::read(&path, "bin", 7).is_ok());
    }
}
