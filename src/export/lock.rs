//! Locks that let any number of treatysim processes write into one `--out` at once (SPEC §7).
//!
//! Both are advisory locks of the operating system (`flock` on Unix, through
//! [`std::fs::File::lock`]), which it releases when the holder exits, however it exits, so a
//! killed process never leaves a lock held.
//!
//! - [`OutLock`]: one exclusive lock per output folder, on `<out>/.treatysim.lock`. Whoever
//!   writes a run's results holds it around all of them: the publication of the run's files
//!   ([`super::publish`]) and the read-modify-rename of `<out>/summary.csv`
//!   ([`super::prepare_summary`] takes the lock as an argument, so it cannot be called without
//!   it). Whoever finds what a killed publication left in a scenario's folder removes it only
//!   while holding the lock ([`OutLock::try_acquire`] for those that do not wait for it). The lock file exists only while held: the holder unlinks it before releasing, and
//!   whoever then gets a lock on an unlinked file sees that the path no longer names the file it
//!   locked and tries again. So `--out` holds no extra file after a command, and one left by a
//!   killed holder is taken over and removed by the next.
//! - Temporary files of [`super::AtomicFile`] (`.treatysim-*.tmp`): the writer locks each one
//!   from just after creating it until it is renamed into place or removed. One that nobody
//!   holds was left by a killed writer, and [`remove_stale_temporary_files`], called by every
//!   `AtomicFile` before it creates its own, removes it. A cleaner could take a file just
//!   created and not yet locked for stale; the writer checks after locking that its path still
//!   names its file, and starts again under a new name if not. A file whose lock cannot be
//!   taken, for whatever reason, is kept: a live writer's file is never deleted.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Name of the lock file in an output folder.
pub const LOCK_FILE: &str = ".treatysim.lock";

/// Start of every temporary file's name.
pub(super) const TEMP_PREFIX: &str = ".treatysim-";

/// End of every temporary file's name.
pub(super) const TEMP_SUFFIX: &str = ".tmp";

/// Tries before giving up when a locked file keeps turning out to be unlinked: only a file
/// system whose inode numbers are not stable would get there.
const ATTEMPTS: usize = 1000;

/// The exclusive right to update an output folder's shared files; released when dropped.
#[derive(Debug)]
pub struct OutLock {
    out: PathBuf,
    path: PathBuf,
    // Held for its lock; closing it releases the lock.
    _file: File,
}

impl OutLock {
    /// Waits for the lock on `out`, creating the folder if needed.
    ///
    /// # Errors
    /// When the folder or its lock file cannot be created or locked.
    pub fn acquire(out: &Path) -> Result<OutLock> {
        std::fs::create_dir_all(out).map_err(|e| Error::io("create folder", out, e))?;
        let path = out.join(LOCK_FILE);
        for _ in 0..ATTEMPTS {
            let file = super::guard::open_lock_file(&path)?;
            file.lock().map_err(|e| Error::io("lock", &path, e))?;
            if still_named(&file, &path) {
                super::cleanup::register_lock(&path);
                return Ok(OutLock {
                    out: out.to_path_buf(),
                    path,
                    _file: file,
                });
            }
            // The holder before unlinked this file as it released it: lock the new one.
        }
        Err(Error::io(
            "lock",
            &path,
            std::io::Error::other("the lock file kept being replaced"),
        ))
    }

    /// The lock on `out` if no one holds it now, `None` if someone does or `out` is not a
    /// folder (it is not created).
    ///
    /// # Errors
    /// When the lock file cannot be created or locked for another reason.
    pub fn try_acquire(out: &Path) -> Result<Option<OutLock>> {
        if !out.is_dir() {
            return Ok(None);
        }
        let path = out.join(LOCK_FILE);
        for _ in 0..ATTEMPTS {
            let file = super::guard::open_lock_file(&path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("lock", &path, e)),
            }
            if still_named(&file, &path) {
                super::cleanup::register_lock(&path);
                return Ok(Some(OutLock {
                    out: out.to_path_buf(),
                    path,
                    _file: file,
                }));
            }
        }
        Ok(None)
    }

    /// The output folder.
    pub fn out(&self) -> &Path {
        &self.out
    }
}

impl Drop for OutLock {
    fn drop(&mut self) {
        // Unlinked while still locked (the file closes after this), so no one can lock this
        // file and take it for the current one. Elsewhere the file stays, since checking that
        // a path still names an open file needs Unix's inode numbers.
        #[cfg(unix)]
        let _ = std::fs::remove_file(&self.path);
        super::cleanup::unregister_lock(&self.path);
    }
}

/// Whether `path` still names the open `file` (always true where this cannot be told).
fn still_named(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Locks a temporary file just created at `path`. Returns false when a cleaner removed it
/// first, so the caller must create another; true when it is locked, or when this file system
/// cannot lock files (then no cleaner can lock it either, and it is never taken for stale).
pub(super) fn lock_temporary(file: &File, path: &Path) -> bool {
    match file.lock() {
        Ok(()) => still_named(file, path),
        Err(_) => true,
    }
}

/// Tries before giving up creating a temporary file that cleaners keep removing.
pub(super) const TEMP_ATTEMPTS: usize = ATTEMPTS;

/// Removes the temporary files in `dir` that no live process is writing: those whose lock can
/// be taken. Best effort: a file that cannot be opened, locked or removed is left alone. Only
/// on Unix, where a file's identity can be checked before removing it.
pub fn remove_stale_temporary_files(dir: &Path) {
    #[cfg(unix)]
    {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let temporary = name.starts_with(TEMP_PREFIX)
                && name.ends_with(TEMP_SUFFIX)
                && entry.file_type().is_ok_and(|t| t.is_file());
            if !temporary {
                continue;
            }
            let path = entry.path();
            // Opened for writing: where `flock` is emulated by byte-range locks (NFS), an
            // exclusive lock needs it.
            let mut options = OpenOptions::new();
            options.read(true).write(true);
            super::guard::nofollow(&mut options);
            let Ok(file) = options.open(&path) else {
                continue;
            };
            if file.try_lock().is_ok() && still_named(&file, &path) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_lock_is_exclusive_and_leaves_no_file() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let out = dir.path().join("out");
        let lock = OutLock::acquire(&out).expect("lock");
        assert_eq!(lock.out(), out);
        let file = File::open(out.join(LOCK_FILE)).expect("the lock file exists while held");
        assert!(file.try_lock().is_err(), "a second lock was granted");
        drop(lock);
        assert!(!out.join(LOCK_FILE).exists(), "the lock file stayed");
        // A lock file left by a killed holder is taken over and removed.
        std::fs::write(out.join(LOCK_FILE), "").expect("left-over lock file");
        drop(OutLock::acquire(&out).expect("lock"));
        assert!(
            !out.join(LOCK_FILE).exists(),
            "the left-over lock file stayed"
        );
    }

    #[test]
    fn waiting_holders_take_turns() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let out = dir.path().to_path_buf();
        let inside = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (out, inside) = (out.clone(), inside.clone());
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let _lock = OutLock::acquire(&out).expect("lock");
                        let before = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                        assert_eq!(before, 0, "two holders at once");
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("no two holders at once");
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_unlocked_temporaries_are_removed() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path(".treatysim-stale.tmp"), "x").expect("write");
        std::fs::write(path("other.tmp"), "x").expect("write");
        std::fs::write(path(LOCK_FILE), "").expect("write");
        let live = File::create(path(".treatysim-live.tmp")).expect("create");
        live.lock().expect("lock");
        std::fs::create_dir(path(".treatysim-dir.tmp")).expect("folder");
        remove_stale_temporary_files(dir.path());
        assert!(!path(".treatysim-stale.tmp").exists());
        for kept in [
            ".treatysim-live.tmp",
            "other.tmp",
            LOCK_FILE,
            ".treatysim-dir.tmp",
        ] {
            assert!(path(kept).exists(), "{kept} was removed");
        }
    }
}
