//! What a process stopped by a signal must not leave behind (SPEC §7: "SIGINT/SIGTERM stop any
//! command within a second: exit 130, earlier results intact, no temporary files left").
//!
//! A command stops on its own when it sees [`crate::engine::INTERRUPTED`], and its temporary
//! files go as it unwinds. When it does not stop in time (or on a second signal), the signal
//! handler calls [`exit_now`], which
//! - waits for the [`critical_section`] that publishing a run holds (a few renames that must
//!   not be cut in two), and keeps it, so that no other publication starts;
//! - removes every temporary file this process still holds: each [`super::AtomicFile`]
//!   registers its path here from the moment it is created until it is renamed into place or
//!   removed, and no new one can be created once `exit_now` has begun;
//! - removes the lock files it holds ([`super::OutLock`]), as their drop would;
//! - exits with the given code.
//!
//! Only SIGKILL (or a crash) can then leave a temporary file or an unfinished publication
//! behind, and the next command that writes into that folder removes it.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Temporary files this process holds; also held while one is created.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Lock files this process holds ([`super::OutLock`]): removed by [`exit_now`] as by the
/// lock's own drop, which exiting skips.
static LOCKS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Held while a run is being published.
static CRITICAL: Mutex<()> = Mutex::new(());

/// Locks a mutex, whatever a panicking holder left in it (a list of paths stays a list).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `create` (which creates a temporary file and returns it with its path) and registers
/// the path, both while [`exit_now`] cannot run, so that no file escapes it.
pub(super) fn create_registered<T>(
    create: impl FnOnce() -> std::io::Result<(T, PathBuf)>,
) -> std::io::Result<T> {
    let mut live = lock(&LIVE);
    let (value, path) = create()?;
    live.push(path);
    Ok(value)
}

/// Forgets a temporary file: renamed into place or removed.
pub(super) fn unregister(path: &Path) {
    let mut live = lock(&LIVE);
    if let Some(i) = live.iter().rposition(|p| p == path) {
        live.swap_remove(i);
    }
}

/// Registers a lock file this process holds, for [`exit_now`] to remove.
pub(super) fn register_lock(path: &Path) {
    lock(&LOCKS).push(path.to_path_buf());
}

/// Forgets a lock file: released.
pub(super) fn unregister_lock(path: &Path) {
    let mut locks = lock(&LOCKS);
    if let Some(i) = locks.iter().rposition(|p| p == path) {
        locks.swap_remove(i);
    }
}

/// Proof that [`exit_now`] is not running, nor will until it is dropped: hold it across a
/// sequence of renames that must not be cut in two.
pub struct CriticalSection {
    _guard: MutexGuard<'static, ()>,
}

/// Enters the critical section (waiting while another thread holds it).
pub fn critical_section() -> CriticalSection {
    CriticalSection {
        _guard: lock(&CRITICAL),
    }
}

/// Ends the process with `code` once no publication is under way, after removing this
/// process's temporary files. For the signal handler, when the command does not stop by itself.
pub fn exit_now(code: i32) -> ! {
    let _critical = lock(&CRITICAL);
    let live = lock(&LIVE);
    for path in live.iter() {
        let _ = std::fs::remove_file(path);
    }
    // Unlinked while still held, as `OutLock`'s drop does; the lock goes with the process.
    #[cfg(unix)]
    for path in lock(&LOCKS).iter() {
        let _ = std::fs::remove_file(path);
    }
    std::process::exit(code)
}
