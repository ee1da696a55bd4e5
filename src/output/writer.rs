//! The writing thread of a streaming output: finished batches of files are written into the
//! staging folder while the build makes the next batch.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::reuse::{ContentHasher, Entry, Previous, content_hash, entry_of};
use crate::error::Error;

/// Files to write: their folders first (parents before children), then the files.
pub(super) struct Batch {
    pub(super) dirs: Vec<String>,
    pub(super) files: Vec<(String, Arc<Vec<u8>>)>,
}

/// Writes batches of finished files into the staging folder on a thread of its own, so
/// the build makes the next batch meanwhile: file creation is kernel time (a fifth of a
/// 10k build) that used to stop both cores between batches. One finished batch may wait in
/// the queue while another is written, so memory holds three batches at most: with no
/// queue, the build sat ~240 ms of a 10k build waiting to hand a batch over (~120 ms with
/// one; peak memory the same within 1%).
pub(super) struct Writer {
    tx: Option<std::sync::mpsc::SyncSender<Batch>>,
    thread: Option<std::thread::JoinHandle<Result<Written, Error>>>,
}

/// What a writer (or the last write of an output) did: every file it put in the staging
/// folder with its record entry (not the files kept from the previous build, which a
/// reusing build leaves as recorded), and how many were written rather than reused.
#[derive(Debug, Default)]
pub struct Written {
    pub entries: Vec<(String, Entry)>,
    pub written: usize,
    pub reused: usize,
    /// The files written into the staging folder (a reusing build moves only these).
    pub written_paths: Vec<String>,
    /// How the stamps of the output's folders changed, once it is in place.
    pub folders: super::folders::FolderChanges,
    /// The recorded files the new output no longer has (a reusing build).
    pub gone: Vec<String>,
    /// How many of the previous output's recorded folders a reusing build listed, of how
    /// many (for the timings).
    pub listed: Option<(usize, usize)>,
}

impl Written {
    /// Counts one file placed by [`place`]: `wrote` when it went into the staging folder.
    pub(super) fn record(&mut self, path: String, entry: Entry, wrote: bool) {
        if wrote {
            self.written += 1;
            self.written_paths.push(path.clone());
        } else {
            self.reused += 1;
        }
        self.entries.push((path, entry));
    }

    pub(super) fn add(&mut self, other: Written) {
        self.entries.extend(other.entries);
        self.written += other.written;
        self.reused += other.reused;
        self.written_paths.extend(other.written_paths);
    }
}

impl Writer {
    /// Starts the writing thread for the staging folder `dir`, reusing unchanged files of
    /// the `previous` build.
    pub(super) fn start(dir: &Path, previous: Option<Arc<Previous>>) -> Writer {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(1);
        let dir = dir.to_path_buf();
        let thread = std::thread::spawn(move || {
            let mut done = Written::default();
            for batch in rx {
                // A reusing build writes few files: their folders are made as they come
                // (making every folder of the site, then removing the empty ones, cost
                // 33,000 system calls at 10k digests).
                if previous.is_none() {
                    for d in &batch.dirs {
                        let p = dir.join(d);
                        std::fs::create_dir_all(&p).map_err(|e| Error::io("creating", &p, e))?;
                    }
                }
                for (path, bytes) in batch.files {
                    let target = dir.join(&path);
                    let (entry, wrote) = place(&target, &path, &bytes, previous.as_deref())?;
                    done.record(path, entry, wrote);
                }
            }
            Ok(done)
        });
        Writer {
            tx: Some(tx),
            thread: Some(thread),
        }
    }

    pub(super) fn send(&self, batch: Batch) {
        // A closed channel means the thread stopped on an error; `finish` reports it.
        if let Some(tx) = &self.tx {
            let _ = tx.send(batch);
        }
    }

    /// Waits until everything sent is written; what was written, or the first error.
    pub(super) fn finish(mut self) -> Result<Written, Error> {
        self.join()
    }

    fn join(&mut self) -> Result<Written, Error> {
        drop(self.tx.take());
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::Usage("the file-writing thread stopped".into())),
            None => Ok(Written::default()),
        }
    }
}

/// Puts the file `path` with `bytes` at `target` in the staging folder, unless the previous
/// output's file holds the same bytes untouched: that one stays where it is (and keeps its
/// modification time). Returns its record entry and whether it was written.
pub(super) fn place(
    target: &Path,
    path: &str,
    bytes: &[u8],
    previous: Option<&Previous>,
) -> Result<(Entry, bool), Error> {
    let hash = content_hash(bytes);
    if let Some(p) = previous {
        if let Some(entry) = p.reusable(path, hash) {
            return Ok((entry, false));
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
        }
    }
    let meta = write_file(target, bytes)?;
    Ok((entry_of(&meta, hash), true))
}

/// Copies the static file `src` to `target` in the staging folder, as [`place`] puts
/// generated bytes: unless the previous output's file at `path` holds the same bytes
/// untouched. A file larger than a [`ContentHasher::CHUNK`] is read, hashed and written a
/// chunk at a time: static files include a podcast's audio and video, and each was read
/// whole into memory, as many at once as there are processors.
pub(super) fn place_copy(
    target: &Path,
    path: &str,
    src: &Path,
    previous: Option<&Previous>,
) -> Result<(Entry, bool), Error> {
    use std::io::{Read as _, Seek as _};
    let copying = |e| Error::io("copying", src, e);
    let mut from = std::fs::File::open(src).map_err(copying)?;
    let len = from.metadata().map_err(copying)?.len();
    if len <= ContentHasher::CHUNK as u64 {
        let mut bytes = Vec::with_capacity(len as usize);
        from.read_to_end(&mut bytes).map_err(copying)?;
        return place(target, path, &bytes, previous);
    }
    let mut buf = vec![0; ContentHasher::CHUNK];
    if let Some(p) = previous {
        // Read twice only when the sizes say the bytes may be the same.
        if p.recorded_size(path) == Some(len) {
            let hash = stream(&mut from, src, &mut buf, |_| Ok(()))?;
            if let Some(entry) = p.reusable(path, hash) {
                return Ok((entry, false));
            }
            from.rewind().map_err(copying)?;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
        }
    }
    let writing = |e| Error::io("writing", target, e);
    let mut to = std::fs::File::create(target).map_err(writing)?;
    let hash = stream(&mut from, src, &mut buf, |chunk| {
        to.write_all(chunk).map_err(writing)
    })?;
    let meta = to.metadata().map_err(writing)?;
    Ok((entry_of(&meta, hash), true))
}

/// Reads `from` (the file `src`) to its end a `buf` at a time, handing each chunk to
/// `sink`; the [`content_hash`] of what was read.
fn stream(
    from: &mut std::fs::File,
    src: &Path,
    buf: &mut [u8],
    mut sink: impl FnMut(&[u8]) -> Result<(), Error>,
) -> Result<u64, Error> {
    use std::io::Read as _;
    let mut h = ContentHasher::new();
    loop {
        // Whole chunks: the hash depends on where they end.
        let mut n = 0;
        while n < buf.len() {
            match from.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io("copying", src, e)),
            }
        }
        if n > 0 {
            h.update(&buf[..n]);
            sink(&buf[..n])?;
        }
        if n < buf.len() {
            return Ok(h.finish());
        }
    }
}

impl Drop for Writer {
    /// A build that stops early still waits for the thread: the caller then removes the
    /// staging folder, which the thread must not be writing into.
    fn drop(&mut self) {
        let _ = self.join();
    }
}

/// The folders of `paths` not in `made` yet, parents first.
pub(super) fn new_dirs<'a>(
    paths: impl Iterator<Item = &'a str>,
    made: &BTreeSet<String>,
) -> Vec<String> {
    paths
        .filter_map(|p| p.rfind('/').map(|i| &p[..i]))
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .filter(|d| !made.contains(*d))
        .map(str::to_string)
        .collect()
}

/// Writes one file, in one write (the whole file is already in memory); its metadata after
/// the write (for the record of the build).
pub(super) fn write_file(target: &Path, bytes: &[u8]) -> Result<std::fs::Metadata, Error> {
    let mut f = std::fs::File::create(target).map_err(|e| Error::io("writing", target, e))?;
    // One write per file: the whole file is already in memory.
    f.write_all(bytes)
        .map_err(|e| Error::io("writing", target, e))?;
    f.metadata().map_err(|e| Error::io("writing", target, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A static file copied a chunk at a time hashes as its bytes do whole, whatever its
    /// size against the chunk's: the record compares the two.
    #[test]
    fn a_copy_hashes_as_its_bytes_whole() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let c = ContentHasher::CHUNK;
        for len in [0, 1, c - 1, c, c + 1, 2 * c, 2 * c + 5, 3 * c - 1] {
            let bytes: Vec<u8> = (0..len)
                .map(|i| (i % 251) as u8 ^ (i >> 20) as u8)
                .collect();
            let src = dir.path().join(format!("src-{len}"));
            let target = dir.path().join(format!("copy-{len}"));
            std::fs::write(&src, &bytes).unwrap_or_else(|e| panic!("{e}"));
            let (entry, wrote) =
                place_copy(&target, "copy", &src, None).unwrap_or_else(|e| panic!("{e}"));
            assert!(wrote, "{len}");
            assert_eq!(entry.hash, content_hash(&bytes), "{len}");
            assert_eq!(entry.size, len as u64, "{len}");
            assert!(std::fs::read(&target).ok() == Some(bytes), "{len}");
        }
        let missing = dir.path().join("missing");
        let err = place_copy(&dir.path().join("x"), "x", &missing, None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("missing"), "names the source: {err}");
    }
}
