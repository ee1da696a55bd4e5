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
    /// The folders it listed: recorded ones whose stamps were not the recorded ones (or
    /// too recent to trust), and the output folder when the record has no stamp of it.
    /// Every other recorded folder was found as the record left it. (The few listed are
    /// named, rather than the many found: naming each of 160,000 folders at 100,000
    /// digests cost a build reusing the last a copy of every name.)
    listed: HashSet<String, ahash::RandomState>,
    /// When it began (nanoseconds since the epoch).
    taken: i128,
}

/// How the stamps of an output's folders changed in a commit, against the record the
/// build read: the record's stamps with these applied are the new output's.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FolderChanges {
    /// Folders stamped again (new, changed by the commit, or not as recorded when looked
    /// at), with their stamps now.
    pub(super) stamps: HashMap<String, FileStamp>,
    /// Recorded folders the new output no longer has.
    pub(super) gone: Vec<String>,
    /// When the stamps were taken, as [`Folders::taken`].
    pub(super) taken: i128,
}

impl Seen {
    /// How many folders it listed.
    pub fn listed(&self) -> usize {
        self.listed.len()
    }

    /// The files found in the folders it listed that the new site (`keep`) does not have:
    /// files put in the output by hand, which a clean build would not have; sorted.
    pub(super) fn strays(&self, keep: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut strays: Vec<String> = self.found.iter().filter(|p| !keep(p)).cloned().collect();
        strays.sort_unstable();
        strays.dedup();
        strays
    }

    /// The files under the output that the new site (`keep`) does not have: the recorded
    /// files (`recorded`) it dropped, and the files found that it does not have; sorted.
    pub(super) fn removed(
        &self,
        recorded: Vec<&str>,
        keep: &(dyn Fn(&str) -> bool + Sync),
    ) -> Vec<String> {
        let mut removed: Vec<String> = recorded
            .into_par_iter()
            .filter(|p| !keep(p))
            .map(str::to_string)
            .collect();
        removed.extend(self.strays(keep));
        removed.par_sort_unstable();
        removed.dedup();
        removed
    }
}

/// Now, in nanoseconds since the epoch.
fn now_nanos() -> i128 {
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
    let mut out = touched(files);
    out.insert(ROOT);
    out.into_iter().collect()
}

impl Folders {
    /// Whether the stamps name the output folder itself: every build that stamps folders
    /// stamps it, with every folder of its files.
    pub(super) fn names_output(&self) -> bool {
        self.stamps.contains_key(ROOT)
    }

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
        let taken = now_nanos();
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
        let listed: Vec<&str> = checked
            .into_iter()
            .filter(|(_, s)| s.is_none())
            .map(|(f, _)| f)
            .collect();
        let found: Vec<String> = listed
            .par_iter()
            .flat_map_iter(|&f| self.list(output, f))
            .collect();
        Seen {
            found,
            listed: listed.into_iter().map(str::to_string).collect(),
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

    /// How the stamps change after a commit that wrote and removed the files `changed`
    /// (relative paths) in the previous output that `seen` looked at, when its folders
    /// after the commit are `folders`, in no order. A folder found as recorded that the
    /// commit left alone keeps its recorded stamp (so a change made to it since the look is
    /// seen by the next build); every other is stamped now; a recorded folder not among
    /// `folders` is gone. (Without `seen`, every folder is stamped now.)
    pub(super) fn after_commit<'a>(
        &self,
        output: &Path,
        folders: Vec<&str>,
        seen: Option<&Seen>,
        changed: impl Iterator<Item = &'a str>,
    ) -> FolderChanges {
        let now: HashSet<&str, ahash::RandomState> = folders.iter().copied().collect();
        let mut gone: Vec<String> = self
            .stamps
            .keys()
            .filter(|f| !now.contains(f.as_str()))
            .cloned()
            .collect();
        gone.sort_unstable();
        let touched = touched(changed);
        let kept = |f: &str| {
            seen.is_some_and(|s| {
                !touched.contains(f) && !s.listed.contains(f) && self.stamps.contains_key(f)
            })
        };
        FolderChanges {
            stamps: stamp_now(output, folders.into_iter().filter(|f| !kept(f)).collect()),
            gone,
            taken: seen.map_or_else(now_nanos, |s| s.taken),
        }
    }

    /// [`Folders::after_commit`] for a commit that left every recorded file in place and
    /// added the files `added` (relative paths the record does not name): the recorded
    /// folders are all still there, and the new ones are those above the added files. So
    /// only the folders the commit changed, those the look listed and the new ones are
    /// looked at, however large the output: at 100,000 digests, making every folder's name
    /// and stamp was a tenth of a build that changed one digest.
    pub(super) fn after_adding<'a>(
        &self,
        output: &Path,
        added: impl Iterator<Item = &'a str>,
        seen: &Seen,
        changed: impl Iterator<Item = &'a str>,
    ) -> FolderChanges {
        let mut new: HashSet<&str, ahash::RandomState> = HashSet::default();
        for f in added {
            for up in folders_above(f) {
                if self.stamps.contains_key(up) || !new.insert(up) {
                    break;
                }
            }
        }
        let touched = touched(changed);
        let mut candidates: Vec<&str> = new.into_iter().collect();
        candidates.extend(
            touched
                .iter()
                .copied()
                .chain(seen.listed.iter().map(String::as_str))
                .filter(|f| self.stamps.contains_key(*f)),
        );
        candidates.sort_unstable();
        candidates.dedup();
        FolderChanges {
            stamps: stamp_now(output, candidates),
            gone: Vec::new(),
            taken: seen.taken,
        }
    }

    /// The stamps of every folder of a new output (`folders`), taken now.
    #[cfg(test)]
    pub(super) fn stamp_all(output: &Path, folders: Vec<&str>) -> Folders {
        Folders {
            stamps: stamp_now(output, folders),
            taken: now_nanos(),
        }
    }

    /// These stamps with `changes` applied: the new output's.
    pub(super) fn apply(&mut self, changes: &FolderChanges) {
        for f in &changes.gone {
            self.stamps.remove(f);
        }
        self.stamps
            .extend(changes.stamps.iter().map(|(f, s)| (f.clone(), *s)));
        self.taken = changes.taken;
    }
}

/// Every folder above a file of `changed` (relative paths): a file written or removed
/// changes its folder, and a folder made or removed for it changes the one above.
fn touched<'a>(changed: impl Iterator<Item = &'a str>) -> HashSet<&'a str, ahash::RandomState> {
    let mut touched: HashSet<&str, ahash::RandomState> = HashSet::default();
    for f in changed {
        for up in folders_above(f) {
            if !touched.insert(up) {
                break;
            }
        }
    }
    touched
}

/// The stamps of `folders` (relative, or [`ROOT`]) under `output`, taken now.
fn stamp_now(output: &Path, folders: Vec<&str>) -> HashMap<String, FileStamp> {
    folders
        .into_par_iter()
        .map(|f| (f.to_string(), FileStamp::of(&join(output, f))))
        .collect()
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
        assert_eq!(seen.listed(), 0);
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
        assert_eq!(seen.listed(), 0);
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
        assert_eq!(seen.listed(), 3);
        assert!(!seen.listed.contains("a"));
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
        assert_eq!(seen.listed(), 4);
    }

    #[test]
    fn a_record_of_no_folders_lists_the_whole_output() {
        let (tmp, _) = output();
        write(&tmp.path().join("a/b/stray.txt"), "x");
        let seen = Folders::default().look(tmp.path());
        assert_eq!(seen.removed(FILES.to_vec(), &site), ["a/b/stray.txt"]);
        assert_eq!(seen.listed(), 1);
    }

    #[test]
    fn a_commit_stamps_again_only_the_folders_it_changed() {
        let (tmp, mut folders) = output();
        let seen = folders.look(tmp.path());
        // A stamp no folder has: a folder kept from the record keeps it.
        let one = FileStamp::from_parts(["1"; 4]).unwrap_or_else(|| panic!("a stamp"));
        for s in folders.stamps.values_mut() {
            *s = one;
        }
        let after = folders.after_commit(
            tmp.path(),
            of_files(FILES.into_iter()),
            Some(&seen),
            ["a/b/index.html"].into_iter(),
        );
        let again: BTreeSet<&str> = after.stamps.keys().map(String::as_str).collect();
        assert_eq!(again, BTreeSet::from([".", "a", "a/b"]));
        assert!(after.stamps.values().all(|s| *s != one));
        assert!(after.gone.is_empty());
        assert_eq!(after.taken, seen.taken);
        // Applied to the record's stamps, only `c` keeps the recorded one.
        let mut applied = folders.clone();
        applied.apply(&after);
        let kept: BTreeSet<&str> = applied
            .stamps
            .iter()
            .filter(|(_, s)| **s == one)
            .map(|(f, _)| f.as_str())
            .collect();
        assert_eq!(kept, BTreeSet::from(["c"]));
        // A folder whose files all went is gone.
        let after = folders.after_commit(
            tmp.path(),
            of_files(FILES.into_iter().filter(|f| !f.starts_with("c/"))),
            Some(&seen),
            ["c/index.html"].into_iter(),
        );
        assert_eq!(after.gone, ["c"]);
        assert!(!after.stamps.contains_key("c"));
    }

    /// After a commit that kept every recorded file, stamping only the folders it changed,
    /// those the look listed and the new ones gives the stamps that going through every
    /// folder of the new output gives.
    #[test]
    fn a_commit_that_kept_every_file_stamps_as_going_through_every_folder_does() {
        // Files added (some in new folders, one beside recorded ones), written over and
        // put in the output by hand, and a folder changed by hand with its files as they
        // were (a file put there and taken away), each alone and together.
        let added = ["a/new.html", "d/e/f.html", "d/g.html", "a/b/h/i.html"];
        let rewritten = ["a/b/index.html", "index.html", "c/index.html"];
        let strays = ["c/stray.txt", "x/y/stray.txt"];
        let by_hand = added.len() + rewritten.len() + strays.len();
        for case in 0..(1u32 << (by_hand + 1)) {
            let (tmp, folders) = output();
            let bit = |k: usize| case & (1 << k) != 0;
            let added: Vec<&str> = (0..added.len())
                .filter(|&k| bit(k))
                .map(|k| added[k])
                .collect();
            let mut changed: Vec<&str> = added.clone();
            changed.extend(
                (0..rewritten.len())
                    .filter(|&k| bit(added.len() + k))
                    .map(|k| rewritten[k]),
            );
            let strays: Vec<&str> = (0..strays.len())
                .filter(|&k| bit(4 + rewritten.len() + k))
                .map(|k| strays[k])
                .collect();
            for f in &strays {
                write(&tmp.path().join(f), "x");
            }
            if bit(by_hand) {
                let f = tmp.path().join("a/b/gone.txt");
                write(&f, "x");
                std::fs::remove_file(f).unwrap_or_else(|e| panic!("{e}"));
            }
            let seen = folders.look(tmp.path());
            assert_eq!(seen.strays(&site), strays, "case {case}");
            // The commit: strays go, the rest is written.
            for f in &strays {
                std::fs::remove_file(tmp.path().join(f)).unwrap_or_else(|e| panic!("{e}"));
            }
            let _ = std::fs::remove_dir_all(tmp.path().join("x"));
            for f in &changed {
                write(&tmp.path().join(f), "new");
            }
            changed.extend(&strays);
            let all: Vec<&str> = FILES.iter().chain(&added).copied().collect();
            let through_all = folders.after_commit(
                tmp.path(),
                of_files(all.into_iter()),
                Some(&seen),
                changed.iter().copied(),
            );
            let adding = folders.after_adding(
                tmp.path(),
                added.iter().copied(),
                &seen,
                changed.iter().copied(),
            );
            let (mut a, mut b) = (folders.clone(), folders.clone());
            a.apply(&through_all);
            b.apply(&adding);
            assert_eq!(a, b, "case {case}");
            assert!(adding.gone.is_empty());
            assert!(
                adding.stamps.len() <= through_all.stamps.len(),
                "case {case}"
            );
        }
    }
}
