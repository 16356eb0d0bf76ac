//! Opening what is under `--out` without following symbolic links (SPEC §7: "nothing is ever
//! written, created or deleted outside `--out`, whatever symlinks it holds; only regular files
//! are read as shards and outputs").
//!
//! Used by [`crate::export`] (as `export::guard`), [`crate::shard`] and [`crate::digest`].
//!
//! - Files are opened with `O_NOFOLLOW` (a link in the last component is refused by the
//!   kernel, not checked and then opened) and `O_NONBLOCK` (a FIFO does not block the open),
//!   then checked on the open descriptor to be a regular file ([`open_regular`]). Reading a
//!   link to `/dev/zero`, a FIFO or a device is refused with exit 2 before one byte is read.
//! - Folders treatysim creates or writes into below `--out` (`<out>/NAME`, `<out>/NAME/shards`)
//!   are checked with `lstat` to be real folders ([`real_folder`]); a link is refused.
//! - Files treatysim writes are new temporary files (`O_CREAT | O_EXCL`, which never follows
//!   a link) renamed over their target (which replaces a link, never writes through it).
//! - A run's files are read through treatysim's own layout only: `.run` must name a version
//!   folder `.run-N` that is a real folder ([`crate::export::RunFolder`]).
//!
//! `--out` itself may be a link: the user chose it.
//!
//! Elsewhere than on Unix, files are opened plainly and only checked to be regular files.

use crate::error::{Error, Result};
use std::fs::File;
use std::path::Path;

/// Opens `path` for reading if it is a regular file, without following a link in its last
/// component; `Ok(None)` when it does not exist.
///
/// # Errors
/// [`Error::Invalid`] for a symbolic link or anything but a regular file (FIFO, device, folder,
/// socket); I/O errors naming the file.
pub fn open_regular(path: &Path) -> Result<Option<File>> {
    let file = match open_nofollow(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if is_link_error(&e) => return Err(link_refused(path)),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    let meta = file.metadata().map_err(|e| Error::io("read", path, e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    Ok(Some(file))
}

/// [`open_regular`] for a file that must exist.
///
/// # Errors
/// As [`open_regular`], and an I/O error of kind `NotFound` when it does not exist.
pub fn open_existing(path: &Path) -> Result<File> {
    open_regular(path)?.ok_or_else(|| {
        Error::io(
            "read",
            path,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        )
    })
}

/// Reads the whole of a regular file ([`open_regular`]), refusing one longer than `limit`
/// bytes with [`Error::Invalid`] (read no further than that).
///
/// # Errors
/// As [`open_existing`]; [`Error::Invalid`] past `limit`.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = open_existing(path)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::Invalid(format!(
            "'{}' is larger than {} bytes, more than treatysim ever writes there; it was not \
             read: move it away",
            path.display(),
            limit
        )));
    }
    Ok(bytes)
}

/// Opens (creating it if needed) the file `path` for reading and writing without following a
/// link in its last component: for lock files.
///
/// # Errors
/// [`Error::Invalid`] for a link or anything but a regular file; I/O errors.
pub fn open_lock_file(path: &Path) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    nofollow(&mut options);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if is_link_error(&e) => return Err(link_refused(path)),
        Err(e) => return Err(Error::io("open the lock file", path, e)),
    };
    let meta = file
        .metadata()
        .map_err(|e| Error::io("open the lock file", path, e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    Ok(file)
}

/// Checks that `folder`, if it exists, is a real folder and not a symbolic link (which could
/// lead out of `--out`); with `create`, creates it (its parent must exist) when missing.
/// Returns whether it exists now.
///
/// # Errors
/// [`Error::Invalid`] for a link or anything but a folder; I/O errors.
pub fn real_folder(folder: &Path, create: bool) -> Result<bool> {
    match std::fs::symlink_metadata(folder) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !create {
                return Ok(false);
            }
            match std::fs::create_dir(folder) {
                Ok(()) => Ok(true),
                // Created meanwhile by another process: check what it is.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    real_folder(folder, false)
                }
                Err(e) => Err(Error::io("create folder", folder, e)),
            }
        }
        Err(e) => Err(Error::io("read", folder, e)),
        Ok(m) if m.file_type().is_symlink() => Err(link_refused(folder)),
        Ok(m) if !m.is_dir() => Err(Error::Invalid(format!(
            "'{}' is not a folder; move it away, or choose another --out",
            folder.display()
        ))),
        Ok(_) => Ok(true),
    }
}

/// `path`, a file to be written below `out`, after making sure every folder between `out`
/// and it is a real folder (created if missing), not a link out of `--out`. `out` itself is
/// created if missing, and may be a link (the user chose it).
///
/// # Errors
/// [`Error::Invalid`] for a link or a file in the way; I/O errors.
pub fn inside(out: &Path, path: &Path) -> Result<std::path::PathBuf> {
    std::fs::create_dir_all(out).map_err(|e| Error::io("create folder", out, e))?;
    let relative = path.strip_prefix(out).map_err(|_| {
        Error::io(
            "write",
            path,
            std::io::Error::other("outside the output folder"),
        )
    })?;
    let mut folder = out.to_path_buf();
    if let Some(parent) = relative.parent() {
        for part in parent.components() {
            folder.push(part);
            real_folder(&folder, true)?;
        }
    }
    Ok(path.to_path_buf())
}

/// The error for a symbolic link where treatysim reads or writes below `--out`.
pub fn link_refused(path: &Path) -> Error {
    Error::Invalid(format!(
        "'{}' is a symbolic link; treatysim neither follows links below --out nor writes \
         through them: replace it with a real file or folder, or choose another --out",
        path.display()
    ))
}

/// The error for something other than a regular file where treatysim reads one.
fn not_regular(path: &Path, meta: &std::fs::Metadata) -> Error {
    let kind = describe(meta);
    Error::Invalid(format!(
        "'{}' is {kind}, not a regular file; treatysim reads only regular files as shards and \
         outputs: move it away",
        path.display()
    ))
}

/// What kind of file `meta` describes, in words.
fn describe(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Opens `path` read-only without following a final link nor blocking on a FIFO.
fn open_nofollow(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    nofollow(&mut options);
    options.open(path)
}

/// Adds `O_NOFOLLOW | O_NONBLOCK` where there are such flags.
pub(super) fn nofollow(options: &mut std::fs::OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    let _ = options;
}

/// Whether `e` is the error `O_NOFOLLOW` gives for a link (`ELOOP`; `EMLINK` on some BSDs).
fn is_link_error(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::ELOOP | libc::EMLINK))
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn links_fifos_and_devices_are_refused() {
        let dir = tempfile::tempdir().expect("folder");
        let path = |n: &str| dir.path().join(n);
        std::fs::write(path("plain"), "x").expect("write");
        std::os::unix::fs::symlink(path("plain"), path("link")).expect("link");
        std::os::unix::fs::symlink("/dev/zero", path("zero")).expect("link");
        let made = std::process::Command::new("mkfifo")
            .arg(path("fifo"))
            .status()
            .expect("mkfifo");
        assert!(made.success());
        assert!(open_regular(&path("plain")).expect("plain").is_some());
        assert!(open_regular(&path("missing")).expect("missing").is_none());
        for refused in ["link", "zero", "fifo"] {
            let e = open_regular(&path(refused)).expect_err(refused);
            assert!(matches!(e, Error::Invalid(_)), "{refused}: {e}");
        }
        let e = open_regular(Path::new("/dev/null")).expect_err("device");
        assert!(e.to_string().contains("a device"), "{e}");
        let e = open_lock_file(&path("zero")).expect_err("lock through a link");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        std::os::unix::fs::symlink(dir.path(), path("dirlink")).expect("link");
        assert!(real_folder(&path("dirlink"), true).is_err());
        assert!(!real_folder(&path("new"), false).expect("absent"));
        assert!(real_folder(&path("new"), true).expect("created"));
        assert!(real_folder(&path("plain"), true).is_err());
        let e = read_regular(&path("plain"), 0).expect_err("too long");
        assert!(e.to_string().contains("larger than 0 bytes"), "{e}");
    }
}
