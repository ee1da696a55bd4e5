//! Committing a build that reused the previous one: only the files whose bytes changed were
//! written (into the staging folder), so instead of swapping in a whole new folder the
//! commit moves those files into the output and takes away the files the site no longer
//! has: work in proportion to what changed, not to the site. It keeps a journal so that a
//! commit cut short is undone by the next build, which puts the previous output back
//! exactly ([`roll_back`]): each replaced or removed file is first moved into a backup
//! folder beside the output, and every step is a rename.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The journal in the staging folder: the backup folder, then `w <path>` for each file
/// written and `r <path>` for each file removed.
pub(super) const JOURNAL: &str = ".castdown-commit";

/// Moves the `written` files from `staging` into `output` and removes the `removed` ones,
/// keeping what they replace or remove in `backup` until the commit is complete.
pub(super) fn commit(
    staging: &Path,
    output: &Path,
    backup: &Path,
    written: &[String],
    removed: &[String],
) -> Result<(), Error> {
    let mut journal = format!("{}\n", backup.display());
    for p in written {
        journal.push_str(&format!("w {p}\n"));
    }
    for p in removed {
        journal.push_str(&format!("r {p}\n"));
    }
    let journal_path = staging.join(JOURNAL);
    std::fs::write(&journal_path, journal).map_err(|e| Error::io("writing", &journal_path, e))?;
    std::fs::create_dir_all(backup).map_err(|e| Error::io("creating", backup, e))?;
    fault("after the journal");
    for (n, p) in written.iter().enumerate() {
        let target = output.join(p);
        if target.symlink_metadata().is_ok() {
            move_into(&target, &backup.join(p))?;
        }
        move_into(&staging.join(p), &target)?;
        if n == written.len() / 2 {
            fault("halfway through the written files");
        }
    }
    for p in removed {
        let target = output.join(p);
        if target.symlink_metadata().is_ok() {
            move_into(&target, &backup.join(p))?;
        }
        remove_empty_parents(output, &target);
    }
    fault("before the end");
    // Complete: the journal goes first, so a cut from here on needs no undoing.
    std::fs::remove_file(&journal_path).map_err(|e| Error::io("removing", &journal_path, e))?;
    Ok(())
}

/// Undoes a commit cut short, from its journal in `staging`: files moved into the output
/// go (or are replaced by their backups), removed files come back. Returns the backup
/// folder, which the caller deletes.
pub(super) fn roll_back(staging: &Path, output: &Path) -> Result<Option<PathBuf>, Error> {
    let journal_path = staging.join(JOURNAL);
    let Ok(journal) = std::fs::read_to_string(&journal_path) else {
        return Ok(None);
    };
    let mut lines = journal.lines();
    let Some(backup) = lines.next().map(PathBuf::from) else {
        return Ok(None);
    };
    for line in lines {
        let (kind, p) = line.split_at(line.len().min(2));
        let target = output.join(p);
        let saved = backup.join(p);
        match kind {
            "w " => {
                if saved.symlink_metadata().is_ok() {
                    // The previous file, put aside before the new one came.
                    move_into(&saved, &target)?;
                } else if staging.join(p).symlink_metadata().is_err()
                    && target.symlink_metadata().is_ok()
                {
                    // A new file, already moved in: the previous output had none.
                    std::fs::remove_file(&target).map_err(|e| Error::io("removing", &target, e))?;
                    remove_empty_parents(output, &target);
                }
            }
            "r " if saved.symlink_metadata().is_ok() => move_into(&saved, &target)?,
            _ => {}
        }
    }
    std::fs::remove_file(&journal_path).map_err(|e| Error::io("removing", &journal_path, e))?;
    Ok(Some(backup))
}

/// Renames `from` to `to`, making `to`'s folder first.
fn move_into(from: &Path, to: &Path) -> Result<(), Error> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
    }
    std::fs::rename(from, to).map_err(|e| Error::io("moving", from, e))
}

/// Removes the folders above `file` that are left empty, up to `root` (a deleted digest's
/// folder goes with its files, as in a clean build).
fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// For the tests of an interrupted commit: `CASTDOWN_FAIL_COMMIT=<where>` ends the process
/// at that point, as a kill would. Compiled into every build (the variable is castdown's
/// own), a no-op unless set.
fn fault(at: &str) {
    if std::env::var("CASTDOWN_FAIL_COMMIT").is_ok_and(|v| v == at) {
        eprintln!("CASTDOWN_FAIL_COMMIT: stopping {at}");
        std::process::exit(3);
    }
}
