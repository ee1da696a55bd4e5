//! Which files the previous output holds, without listing all of it. A reusing build must
//! take away every file the site no longer has, including one put in the output by hand, as
//! a clean build would. Listing every folder of a 10,000-episode output (16,000 folders)
//! was a tenth of a build that changed one digest. A folder's stamp changes whenever an
//! entry is added to it, removed from it or renamed in it, so the record keeps each
//! folder's stamp: a folder whose stamp is the recorded one holds exactly the recorded files
//! and folders, and only the others are listed. See `docs/architecture.md` ("Builds that
//! reuse the last one").

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use super::stamp::FileStamp;
use crate::hash::FastMap as HashMap;

/// How long after a folder changed its stamp is trusted: a file system's clock ticks
/// coarsely (a few milliseconds, a second or two on some), so an entry added in the same
/// tick as the stamp was taken leaves it as it was. A folder changed this short a time
/// before its stamp was taken is listed again by the next build.
const RACY: Duration = Duration::from_secs(2);

/// The record's name for the output folder itself.
const ROOT: &str = ".";

/// The stamps of an output's folders as a build left them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Folders {
    /// Each folder (relative path, [`ROOT`] for the output itself) and its stamp.
    pub(super) stamps: HashMap<String, FileStamp>,
    /// When the stamps were taken (nanoseconds since the epoch): a stamp of a folder
    /// changed within [`RACY`] before it is not trusted.
    pub(super) taken: i128,
}

/// What [`Folders::look`] found in the previous output, before the build changes it.
#[derive(Debug)]
pub struct Seen {
    /// The files in the folders it listed, and under folders the record does not name.
    found: Vec<String>,
    /// The folders found as the record left them, with their stamps.
    trusted: HashMap<String, FileStamp>,
    /// How many folders it listed.
    pub listed: usize,
    /// When it began (nanoseconds since the epoch).
    taken: i128,
}

impl Seen {
    /// The files under the output that the new site (`keep`) does not have: the recorded
    /// files (`recorded`) it dropped, and the files found that it does not have; sorted.
    pub(super) fn removed(
        &self,
        recorded: Vec<&str>,
        keep: &(dyn Fn(&str) -> bool + Sync),
    ) -> Vec<String> {
        let mut removed: Vec<String> = recorded
            .into_par_iter()
            .chain(self.found.par_iter().map(String::as_str))
            .filter(|p| !keep(p))
            .map(str::to_string)
            .collect();
        removed.par_sort_unstable();
        removed.dedup();
        removed
    }
}

/// Now, in nanoseconds since the epoch.
fn now() -> i128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// The folder holding the relative path `path` ([`ROOT`] for a top-level file).
fn parent(path: &str) -> &str {
    path.rfind('/').map_or(ROOT, |i| &path[..i])
}

/// The folders above the relative path `path`, nearest first, [`ROOT`] last.
fn folders_above(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(parent(path)), |&p| (p != ROOT).then(|| parent(p)))
}

/// The path of the folder `folder` (relative, or [`ROOT`]) under `output`.
fn join(output: &Path, folder: &str) -> std::path::PathBuf {
    if folder == ROOT {
        output.to_path_buf()
    } else {
        output.join(folder)
    }
}

/// Every folder holding a file of `files` (relative paths), with every folder above it,
/// and [`ROOT`]; in no order. Borrowed and hashed: an ordered set of owned names cost a
/// string comparison per level of its tree for each of an output's files (300,000 at
/// 100,000 digests).
pub(super) fn of_files<'a>(files: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: HashSet<&'a str, ahash::RandomState> = HashSet::default();
    out.insert(ROOT);
    for f in files {
        for up in folders_above(f) {
            if !out.insert(up) {
                break;
            }
        }
    }
    out.into_iter().collect()
}

impl Folders {
    /// Whether the recorded `stamp` can say that its folder is unchanged.
    fn trusted(&self, stamp: &FileStamp) -> bool {
        let since = self.taken - RACY.as_nanos() as i128;
        *stamp != FileStamp::default() && !stamp.modified_since(since)
    }

    /// Looks at the folders of the previous output at `output`: a folder whose stamp is
    /// the recorded one (and was not taken too soon after it changed) holds the recorded
    /// files and folders; every other is listed (a file put there by hand is found too),
    /// with everything under a folder the record does not name.
    pub fn look(&self, output: &Path) -> Seen {
        let taken = now();
        let mut names: Vec<&str> = self.stamps.keys().map(String::as_str).collect();
        if !self.stamps.contains_key(ROOT) {
            names.push(ROOT);
        }
        let checked: Vec<(&str, Option<FileStamp>)> = names
            .par_iter()
            .map(|&f| {
                let recorded = self.stamps.get(f).filter(|s| self.trusted(s));
                let same = recorded.filter(|s| FileStamp::of(&join(output, f)) == **s);
                (f, same.copied())
            })
            .collect();
        let (trusted, listed): (Vec<_>, Vec<_>) =
            checked.into_iter().partition(|(_, s)| s.is_some());
        let found: Vec<String> = listed
            .par_iter()
            .flat_map_iter(|&(f, _)| self.list(output, f))
            .collect();
        Seen {
            found,
            trusted: trusted
                .into_iter()
                .filter_map(|(f, s)| Some((f.to_string(), s?)))
                .collect(),
            listed: listed.len(),
            taken,
        }
    }

    /// The files in the folder `folder` of `output`, and every file under a folder in it
    /// that the record does not name (a recorded one is checked on its own).
    fn list(&self, output: &Path, folder: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(join(output, folder)) else {
            return Vec::new();
        };
        let prefix = if folder == ROOT {
            String::new()
        } else {
            format!("{folder}/")
        };
        let mut out = Vec::new();
        for e in entries.filter_map(Result::ok) {
            let rel = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                if !self.stamps.contains_key(&rel) {
                    out.extend(super::files_under(&e.path(), &format!("{rel}/")));
                }
            } else {
                out.push(rel);
            }
        }
        out
    }

    /// The stamps of the new output's folders `folders` after a commit that wrote and
    /// removed the files `changed`, in the previous output that `seen` looked at: a folder
    /// found as recorded that the commit left alone keeps its recorded stamp (so a change
    /// made to it since the look is seen by the next build); every other is stamped now.
    pub(super) fn after_commit<'a>(
        output: &Path,
        folders: Vec<&str>,
        seen: Option<&Seen>,
        changed: impl Iterator<Item = &'a str>,
    ) -> Folders {
        // A file written or removed changes its folder, and a folder made or removed for
        // it changes the one above.
        let mut touched: HashSet<&str, ahash::RandomState> = HashSet::default();
        for f in changed {
            for up in folders_above(f) {
                if !touched.insert(up) {
                    break;
                }
            }
        }
        let kept = |f: &str| {
            seen.filter(|_| !touched.contains(f))
                .and_then(|s| s.trusted.get(f))
                .copied()
        };
        let stamps = folders
            .into_par_iter()
            .map(|f| {
                let s = kept(f).unwrap_or_else(|| FileStamp::of(&join(output, f)));
                (f.to_string(), s)
            })
            .collect();
        Folders {
            stamps,
            taken: seen.map_or_else(now, |s| s.taken),
        }
    }

    /// The stamps of every folder of a new output (`folders`), taken now.
    #[cfg(test)]
    pub(super) fn stamp_all(output: &Path, folders: Vec<&str>) -> Folders {
        Folders::after_commit(output, folders, None, std::iter::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn write(p: &Path, text: &str) {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(p, text).unwrap_or_else(|e| panic!("{e}"));
    }

    const FILES: [&str; 4] = [
        "index.html",
        "a/index.html",
        "a/b/index.html",
        "c/index.html",
    ];

    fn site(p: &str) -> bool {
        FILES.contains(&p)
    }

    /// An output of [`FILES`] and its folders' stamps, taken as if long after it was made.
    fn output() -> (tempfile::TempDir, Folders) {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for f in FILES {
            write(&tmp.path().join(f), f);
        }
        let mut folders = Folders::stamp_all(tmp.path(), of_files(FILES.into_iter()));
        folders.taken += 60 * 1_000_000_000;
        (tmp, folders)
    }

    #[test]
    fn folders_above_a_path_end_at_the_root() {
        assert_eq!(
            folders_above("a/b/c.html").collect::<Vec<_>>(),
            ["a/b", "a", "."]
        );
        assert_eq!(folders_above("c.html").collect::<Vec<_>>(), ["."]);
    }

    #[test]
    fn folders_are_each_ancestor_once() {
        let mut all: Vec<&str> = of_files(FILES.into_iter());
        all.sort_unstable();
        assert_eq!(all, [".", "a", "a/b", "c"]);
    }

    #[test]
    fn an_unchanged_output_is_not_listed_and_dropped_files_go() {
        let (tmp, folders) = output();
        let seen = folders.look(tmp.path());
        assert_eq!(seen.listed, 0);
        assert_eq!(seen.trusted.len(), 4);
        let removed = seen.removed(FILES.to_vec(), &|p| p != "c/index.html");
        assert_eq!(removed, ["c/index.html"]);
    }

    #[test]
    fn a_trusted_folder_is_taken_at_its_word() {
        // What makes the look cheap: a folder as recorded is not listed, so a file the
        // record does not name in it is not seen (had it come after the record, the
        // folder's stamp would have changed).
        let (tmp, mut folders) = output();
        write(&tmp.path().join("a/unseen.txt"), "x");
        let stamp = FileStamp::of(&tmp.path().join("a"));
        folders.stamps.insert("a".into(), stamp);
        let seen = folders.look(tmp.path());
        assert_eq!(seen.listed, 0);
        assert!(seen.removed(FILES.to_vec(), &site).is_empty());
    }

    #[test]
    fn files_put_by_hand_are_found_where_a_folder_changed() {
        let (tmp, folders) = output();
        write(&tmp.path().join("stray.txt"), "x");
        write(&tmp.path().join("a/b/new/deeper/stray.txt"), "x");
        write(&tmp.path().join("c/stray.txt"), "x");
        let seen = folders.look(tmp.path());
        assert_eq!(
            seen.removed(FILES.to_vec(), &site),
            ["a/b/new/deeper/stray.txt", "c/stray.txt", "stray.txt"]
        );
        // `a` is unchanged: its own entries are as recorded.
        assert_eq!(seen.listed, 3);
        assert!(seen.trusted.contains_key("a"));
    }

    #[test]
    fn a_folder_changed_just_before_its_stamp_was_taken_is_listed() {
        let (tmp, mut folders) = output();
        folders.taken -= 60 * 1_000_000_000;
        write(&tmp.path().join("a/stray.txt"), "x");
        // Its stamp taken again after the file came: equal, but too recent to trust.
        folders
            .stamps
            .insert("a".into(), FileStamp::of(&tmp.path().join("a")));
        let seen = folders.look(tmp.path());
        assert_eq!(seen.removed(FILES.to_vec(), &site), ["a/stray.txt"]);
        assert_eq!(seen.listed, 4);
    }

    #[test]
    fn a_record_of_no_folders_lists_the_whole_output() {
        let (tmp, _) = output();
        write(&tmp.path().join("a/b/stray.txt"), "x");
        let seen = Folders::default().look(tmp.path());
        assert_eq!(seen.removed(FILES.to_vec(), &site), ["a/b/stray.txt"]);
        assert_eq!(seen.listed, 1);
    }

    #[test]
    fn a_commit_stamps_again_only_the_folders_it_changed() {
        let (tmp, folders) = output();
        let mut seen = folders.look(tmp.path());
        // A stamp no folder has, to tell kept stamps from stamps taken again.
        let one = FileStamp::from_parts(["1"; 4]).unwrap_or_else(|| panic!("a stamp"));
        for s in seen.trusted.values_mut() {
            *s = one;
        }
        let after = Folders::after_commit(
            tmp.path(),
            of_files(FILES.into_iter()),
            Some(&seen),
            ["a/b/index.html"].into_iter(),
        );
        let kept: BTreeSet<&str> = after
            .stamps
            .iter()
            .filter(|(_, s)| **s == one)
            .map(|(f, _)| f.as_str())
            .collect();
        assert_eq!(kept, BTreeSet::from(["c"]));
        assert_eq!(after.taken, seen.taken);
    }
}
