//! The lock that lets any number of treatysim processes write into one `--out` at once (SPEC §7).
//!
//! It is an advisory lock of the operating system (`flock` on Unix, through
//! [`std::fs::File::lock`]), which it releases when the holder exits, however it exits, so a
//! killed process never leaves a lock held.
//!
//! [`OutLock`]: one exclusive lock per output folder, on `<out>/.treatysim.lock`. Whoever
//! writes a run's results holds it around all of them: the run's `summary.csv` and
//! `timeline.csv` and the read-modify-rename of `<out>/summary.csv`
//! ([`super::upsert_summary`] takes the lock as an argument, so it cannot be called without
//! it). The lock file exists only while held: the holder unlinks it before releasing, and
//! whoever then gets a lock on an unlinked file sees that the path no longer names the file it
//! locked and tries again. So `--out` holds no extra file after a command, and one left by a
//! killed holder is taken over and removed by the next.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Name of the lock file in an output folder.
pub const LOCK_FILE: &str = ".treatysim.lock";

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
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| Error::io("open the lock file", &path, e))?;
            file.lock().map_err(|e| Error::io("lock", &path, e))?;
            if still_named(&file, &path) {
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
    }
}

/// Whether `path` still names the open `file` (always true where this cannot be told).
fn still_named(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
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
}
