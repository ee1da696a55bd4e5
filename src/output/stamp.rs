//! What identifies a file's contents without reading it, for the files kept beside the
//! output: a digest kept parsed is taken while its files' stamps are unchanged
//! (`load::kept`), and the castdown binary is hashed once per binary, its hash kept in the
//! build record with its executable's stamp (`output::reuse::binary_id`).

use std::path::Path;
use std::time::{Duration, SystemTime};

/// How long before a build starts a file must have last changed for its stamp to be
/// trusted (git's "racily clean" rule): a file changed within a clock tick of being
/// stamped may change again with the same stamp. Two seconds covers the coarsest clocks
/// of common file systems (FAT's).
pub const RACY: Duration = Duration::from_secs(2);

/// The time (nanoseconds since the epoch) from which a change to a file makes its stamp
/// untrusted, for a build that started at `start`: stamps with
/// [`FileStamp::modified_since`] this are never taken as the same file.
pub fn trusted_before(start: SystemTime) -> i128 {
    start
        .checked_sub(RACY)
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(i128::MAX, |d| d.as_nanos() as i128)
}

/// `rel` under the folder `dir` (`dir.join(rel)`) in one allocation of the right size:
/// the builds that reuse the last one make such a path for every file they look at (every
/// output file, every digest), and `join` grew each from the folder's length.
pub fn joined(dir: &Path, rel: impl AsRef<Path>) -> std::path::PathBuf {
    let rel = rel.as_ref();
    let mut p =
        std::path::PathBuf::with_capacity(dir.as_os_str().len() + rel.as_os_str().len() + 1);
    p.push(dir);
    p.push(rel);
    p
}

/// What identifies a file's contents without reading it: modification and change times
/// (nanoseconds), size and inode; all zero for a file that does not exist.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct FileStamp(i128, i128, u64, u64);

impl FileStamp {
    /// The stamp of the file at `path` now.
    pub fn of(path: &Path) -> FileStamp {
        let Ok(m) = std::fs::metadata(path) else {
            return FileStamp::default();
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            FileStamp(
                ns(m.mtime(), m.mtime_nsec()),
                ns(m.ctime(), m.ctime_nsec()),
                m.len(),
                m.ino(),
            )
        }
        #[cfg(not(unix))]
        {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128);
            FileStamp(mtime, 0, m.len(), 0)
        }
    }

    /// The stamp as a line of the build record holds it: four numbers, space-separated.
    pub fn to_words(self) -> String {
        format!("{} {} {} {}", self.0, self.1, self.2, self.3)
    }

    /// Reads the four words [`FileStamp::to_words`] wrote, split already (the record splits
    /// its lines with `text::leading_words`).
    pub fn from_parts([a, b, c, d]: [&str; 4]) -> Option<FileStamp> {
        Some(FileStamp(
            a.parse().ok()?,
            b.parse().ok()?,
            c.parse().ok()?,
            d.parse().ok()?,
        ))
    }

    /// Whether the file was modified at or after `since` (nanoseconds since the epoch).
    pub fn modified_since(&self, since: i128) -> bool {
        self.0 >= since || self.1 >= since
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_is_join() {
        for (dir, rel) in [
            ("/a/b", "c/d.html"),
            ("/a/b/", "c"),
            ("a", ""),
            ("/x", "/abs"),
        ] {
            assert_eq!(joined(Path::new(dir), rel), Path::new(dir).join(rel));
        }
    }
}
