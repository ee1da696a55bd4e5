//! Episode texts kept on disk between the bodies stage and the search index. The index needs
//! every episode's text, and the texts are most of what a build would otherwise hold at
//! its peak (about a gigabyte at 100,000 digests); written to a temporary file as the
//! bodies are rendered, they are read back a batch at a time while the index is made.
//!
//! Reads take no lock (a positioned read each), so the index decodes a batch's texts on
//! every thread. A text that cannot be read back is never indexed as empty: the first
//! failure is kept and the build stops on it ([`Spill::failure`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use super::{EpisodeTexts, Text};
use crate::markdown::Section;

/// Texts written in order, each at a recorded offset; the file goes when this is dropped.
pub struct Spill {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    reader: OnceLock<File>,
    /// The first text that could not be read back.
    failed: Mutex<Option<String>>,
    at: Vec<(u64, u64)>,
    len: u64,
}

impl Spill {
    /// A new spill file in the system's temporary folder (a build without an output folder:
    /// `check`).
    pub fn new() -> std::io::Result<Spill> {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Spill::at(std::env::temp_dir().join(format!("castdown-texts-{}-{n}", std::process::id())))
    }

    /// A new spill file at `path` (replacing what is there), removed when this is dropped.
    pub fn at(path: PathBuf) -> std::io::Result<Spill> {
        let file = File::create(&path)?;
        Ok(Spill {
            path,
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
            reader: OnceLock::new(),
            failed: Mutex::new(None),
            at: Vec::new(),
            len: 0,
        })
    }

    /// Appends the next episode's text.
    pub fn push(&mut self, text: &Text) -> std::io::Result<()> {
        let bytes = encode(text);
        let w = self
            .writer
            .as_mut()
            .ok_or_else(|| std::io::Error::other("the spill file is closed"))?;
        w.write_all(&bytes)?;
        self.at.push((self.len, bytes.len() as u64));
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Ends writing; the texts can be read from here on.
    pub fn finish(&mut self) -> std::io::Result<()> {
        if let Some(w) = self.writer.take() {
            // Flushed, not synced: the file is read back by this process and removed, so
            // waiting for the disk buys nothing, and on ext4 an fsync in the middle of a
            // build also waits on the output files written so far.
            w.into_inner().map_err(|e| e.into_error())?;
        }
        let file = File::open(&self.path)?;
        // Set once: a second `finish` keeps the file already open.
        let _ = self.reader.set(file);
        Ok(())
    }

    /// The temporary file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    fn read(&self, i: usize) -> Result<Text, String> {
        let &(offset, len) = self.at.get(i).ok_or("no such text")?;
        let file = self.reader.get().ok_or("the file is still being written")?;
        let mut bytes = vec![0u8; usize::try_from(len).map_err(|e| e.to_string())?];
        read_at((file, &self.path), &mut bytes, offset).map_err(|e| e.to_string())?;
        decode(&bytes).ok_or_else(|| "a text came back damaged".to_string())
    }

    /// Why a text could not be read back, if one could not: the texts given instead were
    /// empty, so the index is wrong and the build must stop.
    pub fn failure(&self) -> Option<String> {
        self.failed.lock().ok().and_then(|f| f.clone())
    }
}

/// Reads `buf.len()` bytes at `offset` of the open spill file (or the file at its path)
/// without a shared cursor, so threads read at once.
#[cfg(unix)]
fn read_at(
    (file, _): (&File, &std::path::Path),
    buf: &mut [u8],
    offset: u64,
) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Elsewhere a handle of its own: a duplicated one would share the cursor.
#[cfg(not(unix))]
fn read_at(
    (_, path): (&File, &std::path::Path),
    buf: &mut [u8],
    offset: u64,
) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

impl EpisodeTexts for Spill {
    fn episode(&self, i: usize) -> Arc<Text> {
        match self.read(i) {
            Ok(t) => Arc::new(t),
            Err(e) => {
                if let Ok(mut f) = self.failed.lock() {
                    f.get_or_insert(e);
                }
                Arc::default()
            }
        }
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        drop(self.writer.take());
        let _ = std::fs::remove_file(&self.path);
    }
}

fn put(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
}

fn encode(text: &Text) -> Vec<u8> {
    let size: usize = text.sections.iter().map(|s| s.text.len() + 64).sum();
    let mut out = Vec::with_capacity(size + 16);
    out.extend_from_slice(&(text.word_count as u64).to_le_bytes());
    out.extend_from_slice(&(text.sections.len() as u64).to_le_bytes());
    for s in &text.sections {
        put(&mut out, s.heading.as_deref());
        put(&mut out, s.id.as_deref());
        out.push(s.level);
        put(&mut out, Some(&s.text));
    }
    out
}

struct Cursor<'b>(&'b [u8]);

impl Cursor<'_> {
    fn u64(&mut self) -> Option<u64> {
        let (head, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*head))
    }
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn string(&mut self) -> Option<Option<String>> {
        if self.u8()? == 0 {
            return Some(None);
        }
        let len = usize::try_from(self.u64()?).ok()?;
        let (s, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(Some(String::from_utf8(s.to_vec()).ok()?))
    }
}

fn decode(bytes: &[u8]) -> Option<Text> {
    let mut c = Cursor(bytes);
    let word_count = usize::try_from(c.u64()?).ok()?;
    let n = usize::try_from(c.u64()?).ok()?;
    let mut sections = Vec::with_capacity(n.min(4096));
    for _ in 0..n {
        let heading = c.string()?;
        let id = c.string()?;
        let level = c.u8()?;
        let text = c.string()??;
        sections.push(Section {
            heading,
            id,
            level,
            text,
        });
    }
    Some(Text {
        sections,
        word_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_that_cannot_be_read_back_is_a_failure_not_an_empty_text() {
        let text = Text {
            sections: vec![Section {
                heading: None,
                id: None,
                level: 0,
                text: "Words the index must not lose.".into(),
            }],
            word_count: 6,
        };
        let mut spill = Spill::new().unwrap_or_else(|e| panic!("{e}"));
        spill.push(&text).unwrap_or_else(|e| panic!("{e}"));
        spill.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spill.failure(), None);
        assert_eq!(spill.episode(0).sections[0].text, text.sections[0].text);
        // The file cut short behind its back (a full or failing disk).
        std::fs::OpenOptions::new()
            .write(true)
            .open(spill.path())
            .and_then(|f| f.set_len(3))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(spill.episode(0).sections.is_empty());
        assert!(spill.failure().is_some(), "the failure is kept");
    }

    #[test]
    fn texts_come_back_as_they_went() {
        let texts = [
            Text::default(),
            Text {
                sections: vec![
                    Section {
                        heading: None,
                        id: None,
                        level: 0,
                        text: "Intro, with ünïcode.".into(),
                    },
                    Section {
                        heading: Some("Part".into()),
                        id: Some("part".into()),
                        level: 2,
                        text: String::new(),
                    },
                ],
                word_count: 3,
            },
        ];
        let mut spill = Spill::new().unwrap_or_else(|e| panic!("{e}"));
        for t in &texts {
            spill.push(t).unwrap_or_else(|e| panic!("{e}"));
        }
        spill.finish().unwrap_or_else(|e| panic!("{e}"));
        for (i, t) in texts.iter().enumerate() {
            let back = spill.episode(i);
            assert_eq!(back.word_count, t.word_count);
            assert_eq!(format!("{:?}", back.sections), format!("{:?}", t.sections));
        }
        let path = spill.path.clone();
        drop(spill);
        assert!(!path.exists());
    }
}
