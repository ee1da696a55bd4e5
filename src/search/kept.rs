//! Every search document's counted words, kept beside a build's output for the next build,
//! so a build that reuses the last one counts only what changed. A document is counted in
//! parts, each kept under the key of what it is made from: an episode's body (its key is
//! `bodies::episode_key`: its Markdown and what its links are made from) and, for every
//! document, its fields (title, summary, names, a transcript block's cues…; the key is a
//! hash of them, [`fields_key`]). A part is right for any document with that key whatever
//! else changed, so a title edit counts the title again but not the body, and an edit that
//! changes nothing a document indexes counts nothing. The file is trusted only from the same
//! castdown binary and the same config, theme and options, as the build record is
//! (`output::reuse`). See `docs/architecture.md`, "Builds that reuse the last one".
//!
//! Words are numbered (`postings::Counter` gives the ids) and a part holds ids, not words:
//! taking a kept part costs no hashing of words, which was most of what counting the index
//! cost a build with nothing to count. The next build numbers the kept words first, in
//! the order of their old ids, and maps each part's ids through the old-to-new table.
//!
//! An episode's weights are whole halves (boosts 1, 1.5, 2.5, 3), exact in `f32`: the
//! body's and the fields' sums added give the same bits as counting the whole document at
//! once, in any order. A document without a body (a page, a term, a transcript block) is
//! one part, counted in the same order as it always is.
//!
//! The file also says what the index it was counted for held ([`Before`]): each document's
//! id, length and part keys, each word's document count and stem, each stem's document
//! count, and the chunk counts. With the output of the build that wrote it (the same
//! generation), that is enough to patch the index rather than make it (`search::patch`).
//!
//! The file: seven header lines (the format, the binary's id, the inputs key, the
//! generation of the build that wrote it, a checksum of the entries, the table and the
//! index, folded from each one's hash, where the table starts and where the index starts),
//! then the entries, each `key: u64, words: u32, payload bytes: u32` (little-endian) and the
//! payload, per distinct word its id and weight (LEB128; a weight `w` that is a whole half is
//! `4w`, any other is `2·bits + 1`), then the table: per word numbered, its id, its length,
//! its bytes, its document count and its stem (length then bytes; length 0 when the word is
//! its own stem) (LEB128 and UTF-8), then the index ([`Before::encode`]).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The first line of the file, with its format's version.
const HEADER: &str = "castdown-search-words 4";

/// Bytes of an entry before its payload.
const ENTRY_HEAD: usize = 16;

/// The parts of the previous build, by key, and the words their ids stand for.
#[derive(Default)]
pub struct KeptWords {
    bytes: Vec<u8>,
    at: HashMap<u64, (usize, usize), ahash::RandomState>,
    /// Each word numbered and its id, in the order of the ids.
    table: Vec<(u32, String)>,
    /// The generation of the build that wrote the file (0: none read).
    generation: u64,
    /// What the index the file was counted for held (`None`: the file did not say).
    before: Option<Before>,
}

/// What the index of the build that wrote a kept file held: what patching it needs.
#[derive(Default, Debug, PartialEq)]
pub struct Before {
    /// Each document by id: its length in words and its parts' keys (body, fields; 0 for
    /// no body).
    pub docs: crate::hash::FastMap<u32, (u32, [u64; 2])>,
    /// Each numbered word's document count and stem, by the word's id.
    pub words: crate::hash::FastMap<u32, (u32, String)>,
    /// Each stem's (and exact-name key's) document count.
    pub stems: crate::hash::FastMap<String, u32>,
    /// Postings, dictionary and typo-key chunks.
    pub chunks: [u32; 3],
    /// The rounded average document length (its bits).
    pub average: u32,
}

impl Before {
    /// The index section of a kept file (the words' counts and stems are in its table).
    pub fn encode(&self, out: &mut Vec<u8>) {
        for c in self.chunks {
            push_leb128(out, u64::from(c));
        }
        push_leb128(out, u64::from(self.average));
        let mut docs: Vec<(&u32, &(u32, [u64; 2]))> = self.docs.iter().collect();
        docs.sort_unstable_by_key(|&(id, _)| *id);
        push_leb128(out, docs.len() as u64);
        for (id, (len, [body, fields])) in docs {
            push_leb128(out, u64::from(*id));
            push_leb128(out, u64::from(*len));
            out.extend_from_slice(&body.to_le_bytes());
            out.extend_from_slice(&fields.to_le_bytes());
        }
        let mut stems: Vec<(&String, &u32)> = self.stems.iter().collect();
        stems.sort_unstable();
        push_leb128(out, stems.len() as u64);
        for (stem, df) in stems {
            push_leb128(out, stem.len() as u64);
            out.extend_from_slice(stem.as_bytes());
            push_leb128(out, u64::from(*df));
        }
    }

    fn decode(bytes: &[u8], words: crate::hash::FastMap<u32, (u32, String)>) -> Option<Before> {
        let mut at = 0;
        let int = |at: &mut usize| u32::try_from(leb128(bytes, at)?).ok();
        let chunks = [int(&mut at)?, int(&mut at)?, int(&mut at)?];
        let average = int(&mut at)?;
        let count = int(&mut at)? as usize;
        let mut docs = crate::hash::FastMap::default();
        docs.reserve(count.min(bytes.len()));
        for _ in 0..count {
            let id = int(&mut at)?;
            let len = int(&mut at)?;
            let body = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
            let fields = u64::from_le_bytes(bytes.get(at + 8..at + 16)?.try_into().ok()?);
            at += 16;
            docs.insert(id, (len, [body, fields]));
        }
        let count = int(&mut at)? as usize;
        let mut stems = crate::hash::FastMap::default();
        stems.reserve(count.min(bytes.len()));
        for _ in 0..count {
            let len = int(&mut at)? as usize;
            let stem = std::str::from_utf8(bytes.get(at..at + len)?).ok()?;
            at += len;
            stems.insert(stem.to_string(), int(&mut at)?);
        }
        (at == bytes.len()).then_some(Before {
            docs,
            words,
            stems,
            chunks,
            average,
        })
    }
}

/// Why kept words could not be read (for a line of the build's output).
pub type Refusal = String;

impl KeptWords {
    /// Reads the file at `path`, written by the binary `binary` for inputs `inputs`.
    pub fn read(path: &Path, binary: &str, inputs: u64) -> Result<KeptWords, Refusal> {
        let bytes = std::fs::read(path).map_err(|e| format!("no search words kept ({e})"))?;
        let Some(([header, written_by, key, generation, sum, table_at, index_at], body)) =
            crate::output::header_lines(&bytes)
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
        let damaged = || "the kept search words are damaged".to_string();
        let hex = |s: &str| usize::from_str_radix(s, 16).map_err(|_| damaged());
        let generation = u64::from_str_radix(generation, 16).map_err(|_| damaged())?;
        let (table_at, index_at) = (hex(table_at)?, hex(index_at)?);
        let start = bytes.len() - body.len();
        let (entry_bytes, rest) = body.split_at_checked(table_at).ok_or_else(damaged)?;
        let (table_bytes, index_bytes) = rest
            .split_at_checked(index_at.checked_sub(table_at).ok_or_else(damaged)?)
            .ok_or_else(damaged)?;
        let ranges = entries(entry_bytes).ok_or_else(damaged)?;
        let folded = ranges
            .iter()
            .map(|&(_, from, to)| crate::hash::bytes(&entry_bytes[from..to]))
            .chain([
                crate::hash::bytes(table_bytes),
                crate::hash::bytes(index_bytes),
            ])
            .fold(crate::hash::FOLD_START, crate::hash::fold);
        if sum != format!("{folded:016x}") {
            return Err("the kept search words fail their checksum".into());
        }
        let (table, words) = read_table(table_bytes).ok_or_else(damaged)?;
        // An empty index section: the build that wrote it did not make the index whole.
        let before = match index_bytes.is_empty() {
            true => None,
            false => Some(Before::decode(index_bytes, words).ok_or_else(damaged)?),
        };
        let mut at = HashMap::with_hasher(ahash::RandomState::with_seeds(1, 2, 3, 4));
        at.extend(ranges.into_iter().map(|(key, from, to)| (key, (from, to))));
        let mut bytes = bytes;
        bytes.truncate(start + table_at);
        bytes.drain(..start);
        Ok(KeptWords {
            bytes,
            at,
            table,
            generation,
            before,
        })
    }

    /// The generation of the build that wrote the file (0 when none was read).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// What the index the file was counted for held, taken out.
    pub fn take_before(&mut self) -> Option<Before> {
        self.before.take()
    }

    /// Whether the part with key `key` is here.
    pub fn has(&self, key: u64) -> bool {
        self.at.contains_key(&key)
    }

    /// The part with key `key`.
    pub fn part(&self, key: u64) -> Option<Part<'_>> {
        let &(from, to) = self.at.get(&key)?;
        Some(Part(self.bytes.get(from..to)?))
    }

    /// The words the parts' ids stand for, with their ids (ascending), taken out: the next
    /// build numbers them first.
    pub fn take_table(&mut self) -> Vec<(u32, String)> {
        std::mem::take(&mut self.table)
    }
}

/// The table's words by id, ascending, and each one's document count and stem.
type Table = (Vec<(u32, String)>, crate::hash::FastMap<u32, (u32, String)>);

fn read_table(mut rest: &[u8]) -> Option<Table> {
    let mut table: Vec<(u32, String)> = Vec::new();
    let mut counts = crate::hash::FastMap::default();
    while !rest.is_empty() {
        let mut at = 0;
        let id = u32::try_from(leb128(rest, &mut at)?).ok()?;
        let len = leb128(rest, &mut at)? as usize;
        let word = std::str::from_utf8(rest.get(at..at + len)?).ok()?;
        at += len;
        let df = u32::try_from(leb128(rest, &mut at)?).ok()?;
        let len = leb128(rest, &mut at)? as usize;
        let stem = match len {
            0 => word,
            _ => std::str::from_utf8(rest.get(at..at + len)?).ok()?,
        };
        at += len;
        if table.last().is_some_and(|&(last, _)| last >= id) {
            return None;
        }
        counts.insert(id, (df, stem.to_string()));
        table.push((id, word.to_string()));
        rest = rest.get(at..)?;
    }
    Some((table, counts))
}

/// Writes a file of parts as they come, each made by [`encode`], into a temporary file
/// beside its place; [`Writer::finish`] adds the table of words and puts it in place, and a
/// writer dropped unfinished (a failed build) removes it. Not synced: a file a crash
/// damaged fails its checksum, and the next build counts every document again.
pub struct Writer {
    file: Option<std::io::BufWriter<std::fs::File>>,
    tmp: PathBuf,
    /// Where the checksum goes in the header (the table's and the index's offsets follow).
    sum_at: u64,
    sum: u64,
    /// Bytes of entries written.
    written: u64,
    failed: bool,
    /// The table of words, encoded.
    table: Vec<u8>,
    /// The index section ([`Before::encode`]), empty when the build did not make it.
    index: Vec<u8>,
}

impl Writer {
    /// A writer of the file at `path` for the binary `binary`, inputs `inputs` and the
    /// build of generation `generation`.
    pub fn create(
        path: &Path,
        binary: &str,
        inputs: u64,
        generation: u64,
    ) -> std::io::Result<Writer> {
        let tmp = crate::output::temporary(path);
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let head = format!("{HEADER}\n{binary}\n{inputs:016x}\n{generation:016x}\n");
        file.write_all(head.as_bytes())?;
        // Filled in by `finish`.
        file.write_all(b"0000000000000000\n0000000000000000\n0000000000000000\n")?;
        Ok(Writer {
            file: Some(file),
            tmp,
            sum_at: head.len() as u64,
            sum: crate::hash::FOLD_START,
            written: 0,
            failed: false,
            table: Vec::new(),
            index: Vec::new(),
        })
    }

    /// Appends one entry.
    pub fn add(&mut self, entry: &[u8]) {
        if let Some(f) = self.file.as_mut()
            && !self.failed
        {
            self.failed = f.write_all(entry).is_err();
            self.sum = crate::hash::fold(self.sum, crate::hash::bytes(entry));
            self.written += entry.len() as u64;
        }
    }

    /// Sets the table of the words the entries' ids stand for (`(id, word, document count,
    /// stem)`, ids ascending), written by [`Writer::finish`].
    pub fn set_table<'w>(&mut self, table: impl Iterator<Item = (u32, &'w str, u32, &'w str)>) {
        self.table.clear();
        for (id, word, df, stem) in table {
            push_leb128(&mut self.table, u64::from(id));
            push_leb128(&mut self.table, word.len() as u64);
            self.table.extend_from_slice(word.as_bytes());
            push_leb128(&mut self.table, u64::from(df));
            let stem = if stem == word { "" } else { stem };
            push_leb128(&mut self.table, stem.len() as u64);
            self.table.extend_from_slice(stem.as_bytes());
        }
    }

    /// Sets what the index held, written by [`Writer::finish`].
    pub fn set_index(&mut self, before: &Before) {
        self.index.clear();
        before.encode(&mut self.index);
    }

    /// Adds the table and the index and puts the file at `path`.
    pub fn finish(mut self, path: &Path) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let Some(mut f) = self.file.take() else {
            return Err(std::io::Error::other("no file"));
        };
        if self.failed {
            return Err(std::io::Error::other("a write failed"));
        }
        f.write_all(&self.table)?;
        f.write_all(&self.index)?;
        let sum = [&self.table, &self.index]
            .into_iter()
            .fold(self.sum, |sum, b| {
                crate::hash::fold(sum, crate::hash::bytes(b))
            });
        let mut f = f.into_inner().map_err(|e| e.into_error())?;
        f.seek(SeekFrom::Start(self.sum_at))?;
        let index_at = self.written + self.table.len() as u64;
        f.write_all(format!("{sum:016x}\n{:016x}\n{index_at:016x}", self.written).as_bytes())?;
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
fn entries(bytes: &[u8]) -> Option<Vec<(u64, usize, usize)>> {
    let mut all = Vec::new();
    let mut from = 0;
    while from < bytes.len() {
        let head = bytes.get(from..from + ENTRY_HEAD)?;
        let key = u64::from_le_bytes(head.get(..8)?.try_into().ok()?);
        let payload = u32::from_le_bytes(head.get(12..16)?.try_into().ok()?) as usize;
        let to = from.checked_add(ENTRY_HEAD + payload)?;
        if to > bytes.len() {
            return None;
        }
        all.push((key, from, to));
        from = to;
    }
    Some(all)
}

/// One part's entry.
#[derive(Clone, Copy)]
pub struct Part<'a>(&'a [u8]);

impl<'a> Part<'a> {
    /// The part's whole entry as the file holds it, to keep it again as it is.
    pub fn bytes(self) -> &'a [u8] {
        self.0
    }

    /// How many words the part's text has.
    pub fn len(self) -> Option<f32> {
        Some(u32::from_le_bytes(self.0.get(8..12)?.try_into().ok()?) as f32)
    }

    /// Calls `f` with each distinct word's id and weight; `None` if the entry does not
    /// parse (then `f` may have been called for some words).
    pub fn each(self, f: &mut impl FnMut(u32, f32)) -> Option<()> {
        let payload = self.0.get(ENTRY_HEAD..)?;
        let mut at = 0;
        while at < payload.len() {
            let id = u32::try_from(leb128(payload, &mut at)?).ok()?;
            let code = leb128(payload, &mut at)?;
            let weight = if code & 1 == 0 {
                (code >> 1) as f32 / 2.0
            } else {
                f32::from_bits(u32::try_from(code >> 1).ok()?)
            };
            f(id, weight);
        }
        Some(())
    }
}

/// Appends the entry of the part with key `key`: `words` in its text, and each distinct
/// word's id with its weight.
pub fn encode(out: &mut Vec<u8>, key: u64, words: f32, distinct: &[(u32, f32)]) {
    let start = out.len();
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(words as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    for &(id, weight) in distinct {
        push_leb128(out, u64::from(id));
        let twice = weight * 2.0;
        let code = if twice.fract() == 0.0 && (0.0..16_777_216.0).contains(&twice) {
            (twice as u64) << 1
        } else {
            (u64::from(weight.to_bits()) << 1) | 1
        };
        push_leb128(out, code);
    }
    let payload = (out.len() - start - ENTRY_HEAD) as u32;
    out[start + 12..start + 16].copy_from_slice(&payload.to_le_bytes());
}

/// The key of a document's fields: every text with its weight, and every exact-name key.
pub fn fields_key<'t>(
    fields: impl Iterator<Item = (f32, &'t str)>,
    names: impl Iterator<Item = (f32, &'t str)>,
) -> u64 {
    use std::hash::Hasher as _;
    // Each text's weight and length before it, so no two lists hash the same words alike.
    // Hashed as they come: copying every document's texts into one buffer first made this
    // cost 42M instructions of a build after no edit at 10,000 digests (16,000 documents),
    // where it now costs 17M.
    let mut h = crate::hash::stream();
    for (weight, text) in fields {
        h.write_u32(weight.to_bits());
        h.write_u64(text.len() as u64);
        h.write(text.as_bytes());
    }
    h.write_u8(0xff);
    for (weight, key) in names {
        h.write_u32(weight.to_bits());
        h.write_u64(key.len() as u64);
        h.write(key.as_bytes());
    }
    // Never a body's key: those are `hash::Combine`d, these are not.
    h.finish() ^ 0x5bd1_e995_f1e1_d5a3
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

    fn written(entries: &[Vec<u8>], table: &[(u32, &str)]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("words");
        let mut w = Writer::create(&path, "bin", 7, 3).unwrap_or_else(|e| panic!("{e}"));
        for e in entries {
            w.add(e);
        }
        w.set_table(table.iter().map(|&(id, word)| (id, word, 1, word)));
        w.finish(&path).unwrap_or_else(|e| panic!("{e}"));
        (dir, path)
    }

    /// What the index held comes back as it was written, with the generation, each word's
    /// document count and stem (a word that is its own stem included); a file written
    /// without it says nothing.
    #[test]
    fn what_the_index_held_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("words");
        let mut w = Writer::create(&path, "bin", 7, 42).unwrap_or_else(|e| panic!("{e}"));
        w.add(&entry(1, 3.0, &[(0, 1.0), (4, 2.0)]));
        w.set_table([(0, "markets", 2, "market"), (4, "é", 1, "é")].into_iter());
        let mut before = Before {
            chunks: [512, 4, 8],
            average: 97.5f32.to_bits(),
            ..Before::default()
        };
        before.docs.insert(3, (120, [9, 11]));
        before.docs.insert(70_000, (5, [0, u64::MAX]));
        before.stems.insert("market".into(), 2);
        before.stems.insert("=c++".into(), 1);
        w.set_index(&before);
        w.finish(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut kept = KeptWords::read(&path, "bin", 7).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept.generation(), 42);
        before.words.insert(0, (2, "market".into()));
        before.words.insert(4, (1, "é".into()));
        assert_eq!(kept.take_before(), Some(before));
        let (_dir, plain) = written(&[entry(1, 1.0, &[(0, 1.0)])], &[(0, "a")]);
        let mut kept = KeptWords::read(&plain, "bin", 7).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept.take_before(), None);
    }

    fn entry(key: u64, words: f32, distinct: &[(u32, f32)]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out, key, words, distinct);
        out
    }

    /// A writer dropped unfinished (the build failed) leaves nothing behind.
    #[test]
    fn an_unfinished_file_is_removed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("words");
        let mut w = Writer::create(&path, "bin", 7, 3).unwrap_or_else(|e| panic!("{e}"));
        w.add(&entry(1, 1.0, &[(0, 1.0)]));
        drop(w);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn parts_and_the_table_read_back_as_written() {
        // Whole halves, a weight that is not one (a transcript's 0.6 summed), a large id.
        let odd = 0.6f32 + 0.6 + 0.6;
        let one = entry(1, 5.0, &[(0, 1.0), (9, 4.5), (70_000, odd)]);
        let two = entry(2, 300.0, &[(4, 150.0)]);
        let (_dir, path) = written(&[one, two], &[(0, "a"), (4, "x"), (9, "é")]);
        let mut kept = KeptWords::read(&path, "bin", 7).unwrap_or_else(|e| panic!("{e}"));
        assert!(kept.has(1) && kept.has(2) && !kept.has(3));
        let mut seen = Vec::new();
        let part = kept.part(1).unwrap_or_else(|| panic!("no part 1"));
        assert_eq!(part.len(), Some(5.0));
        assert_eq!(part.each(&mut |id, f| seen.push((id, f))), Some(()));
        assert_eq!(seen, [(0, 1.0), (9, 4.5), (70_000, odd)]);
        assert_eq!(seen[2].1.to_bits(), odd.to_bits());
        assert_eq!(kept.part(2).and_then(Part::len), Some(300.0));
        assert_eq!(
            kept.take_table(),
            [
                (0, "a".to_string()),
                (4, "x".to_string()),
                (9, "é".to_string())
            ]
        );
    }

    #[test]
    fn fields_keys_differ_with_any_text_weight_or_name() {
        let key =
            |f: &[(f32, &str)], n: &[(f32, &str)]| fields_key(f.iter().copied(), n.iter().copied());
        let base = key(&[(3.0, "Title"), (1.5, "Summary")], &[(3.0, "=c")]);
        assert_eq!(
            base,
            key(&[(3.0, "Title"), (1.5, "Summary")], &[(3.0, "=c")])
        );
        for other in [
            key(&[(3.0, "Title!"), (1.5, "Summary")], &[(3.0, "=c")]),
            key(&[(1.5, "Title"), (1.5, "Summary")], &[(3.0, "=c")]),
            key(&[(3.0, "TitleSummary"), (1.5, "")], &[(3.0, "=c")]),
            key(&[(3.0, "Title"), (1.5, "Summary")], &[]),
            key(&[(3.0, "Title"), (1.5, "Summary"), (3.0, "=c")], &[]),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn a_file_from_another_binary_other_inputs_or_damaged_is_refused() {
        let (_dir, path) = written(&[entry(1, 2.0, &[(3, 2.0)])], &[(3, "word")]);
        assert!(KeptWords::read(&path, "other", 7).is_err());
        assert!(KeptWords::read(&path, "bin", 8).is_err());
        let whole = std::fs::read(&path).unwrap_or_default();
        for cut in [3, whole.len() - 1] {
            std::fs::write(&path, &whole[..cut]).unwrap_or_else(|e| panic!("{e}"));
            assert!(KeptWords::read(&path, "bin", 7).is_err(), "cut at {cut}");
        }
        // A flipped byte in the table, and in an entry.
        for at in [whole.len() - 1, whole.len() - 8] {
            let mut flipped = whole.clone();
            flipped[at] ^= 1;
            std::fs::write(&path, &flipped).unwrap_or_else(|e| panic!("{e}"));
            assert!(KeptWords::read(&path, "bin", 7).is_err(), "flipped at {at}");
        }
        std::fs::write(&path, &whole).unwrap_or_else(|e| panic!("{e}"));
        assert!(KeptWords::read(&path, "bin", 7).is_ok());
    }
}
