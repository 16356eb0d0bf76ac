//! Removing what killed writers left in a folder: temporary files no one holds, and what
//! killed publications left ([`super::publish`]).

use super::layout::{LINK, current_version, our_link, version_number};
use super::lock::{self, OutLock, TEMP_PREFIX, TEMP_SUFFIX};
use std::path::Path;

/// Removes the temporary files in `dir` that no live process is writing: those whose lock can
/// be taken. Best effort: a file that cannot be opened, locked or removed is left alone. Only
/// on Unix, where a file's identity can be checked before removing it. Then, if `dir` is a
/// scenario's folder holding what a killed publication left, removes that too when the lock on
/// `--out` is free (`tidy_if_free`).
pub fn remove_stale_temporaries(dir: &Path) {
    lock::remove_stale_temporary_files(dir);
    tidy_if_free(dir);
}

/// Removes what killed writers left in `folder` (an `<out>/NAME`): temporary files no one
/// holds, and what killed publications left: version folders other than the current one,
/// temporary links, and links of ours that lead nowhere (to a file the current version lacks).
/// What a reader sees does not change. The lock on `--out` guarantees that no publication is under
/// way.
pub fn tidy_folder(_lock: &OutLock, folder: &Path) {
    lock::remove_stale_temporary_files(folder);
    #[cfg(unix)]
    leftovers(folder, true);
    #[cfg(not(unix))]
    let _ = folder;
}

/// [`tidy_folder`] for a command that writes into `folder` without holding the lock on
/// `--out`: only when there is something to tidy, and only if the lock can be had at once
/// (otherwise a publication is under way, and it tidies the folder itself).
pub fn tidy_if_free(folder: &Path) {
    #[cfg(unix)]
    if leftovers(folder, false)
        && let Some(out) = folder.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(Some(lock)) = OutLock::try_acquire(out)
    {
        tidy_folder(&lock, folder);
    }
    #[cfg(not(unix))]
    let _ = folder;
}

#[cfg(unix)]
/// Finds (and with `remove`, removes) what killed publications left in `folder`; returns
/// whether there was any.
fn leftovers(folder: &Path, remove: bool) -> bool {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return false;
    };
    let current = current_version(folder);
    // A link that leads nowhere shows nothing: removing it changes nothing a reader sees.
    let dangling = |name: &str| std::fs::metadata(folder.join(name)).is_err();
    let mut found = false;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let (Some(name), Ok(kind)) = (name.to_str(), entry.file_type()) else {
            continue;
        };
        let stale = if version_number(name).is_some() {
            kind.is_dir() && current.as_deref() != Some(name)
        } else if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
            // Links are made only under the lock; a temporary file is another matter
            // (`remove_stale_temporaries`).
            kind.is_symlink()
        } else if name == LINK {
            kind.is_symlink() && dangling(name)
        } else if kind.is_symlink() {
            our_link(folder, name) && dangling(name)
        } else {
            false
        };
        if stale {
            found = true;
            if remove {
                let path = entry.path();
                let _ = if kind.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
            }
        }
    }
    found
}
