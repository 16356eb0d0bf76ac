//! One file written atomically: a temporary file beside the target, flushed to disk, renamed
//! into place ([`AtomicFile`], [`write_atomic`]).

use super::{cleanup, lock, tidy};
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed to disk,
/// then a rename. Creates the folder if needed.
///
/// # Errors
/// I/O errors, naming the file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)
        .map_err(|e| Error::io("write", path, e))?;
    file.commit()
}

/// Bytes between two requests to start writing a file back ([`AtomicFile::wrote`]).
#[cfg(target_os = "linux")]
const WRITEBACK: u64 = 8 << 20;

/// A file being written: a hidden temporary file beside the target, renamed over it by
/// [`AtomicFile::commit`] and deleted if dropped uncommitted. The temporary file is locked while
/// it exists, so that other processes know it is not stale (see [`lock`]), and registered with
/// [`cleanup`], so that a process ended by a signal removes it.
pub struct AtomicFile {
    path: PathBuf,
    writer: std::io::BufWriter<tempfile::NamedTempFile>,
    /// The SHA-256 of everything written so far, updated as it is written: no second pass
    /// over a samples file of many gigabytes to describe it in `run.toml`.
    hasher: Sha256,
    /// Bytes written so far, and the first of them not yet handed to the disk
    /// ([`AtomicFile::wrote`]).
    written: u64,
    handed: u64,
    /// Unregisters the temporary file when dropped, after it was renamed or removed.
    registered: Registered,
}

/// A temporary file's path while it is registered with [`cleanup`].
struct Registered(PathBuf);

impl Drop for Registered {
    fn drop(&mut self) {
        cleanup::unregister(&self.0);
    }
}

impl AtomicFile {
    /// Starts writing `path`, after removing the temporary files in its folder that killed
    /// writers left.
    ///
    /// # Errors
    /// When the folder or the temporary file cannot be created.
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
        tidy::remove_stale_temporaries(dir);
        let mut builder = tempfile::Builder::new();
        builder.prefix(lock::TEMP_PREFIX).suffix(lock::TEMP_SUFFIX);
        // Output files are readable by everyone, as files written directly would be (a
        // temporary file is private by default).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let mut attempts = 0;
        let temp = loop {
            let temp = cleanup::create_registered(|| {
                let temp = builder.tempfile_in(dir)?;
                let path = temp.path().to_path_buf();
                Ok((temp, path))
            })
            .map_err(|e| Error::io("create a temporary file in", dir, e))?;
            let registered = Registered(temp.path().to_path_buf());
            if lock::lock_temporary(temp.as_file(), temp.path()) {
                break (temp, registered);
            }
            // Another process took it for stale before it was locked and removed it: forget
            // the name (deleting it now could delete someone else's file) and take another.
            let _ = temp.into_temp_path().keep();
            drop(registered);
            attempts += 1;
            if attempts == lock::TEMP_ATTEMPTS {
                return Err(Error::io(
                    "create a temporary file in",
                    dir,
                    std::io::Error::other("other processes kept removing it"),
                ));
            }
        };
        Ok(AtomicFile {
            path: path.to_path_buf(),
            writer: std::io::BufWriter::with_capacity(1 << 16, temp.0),
            hasher: Sha256::new(),
            written: 0,
            handed: 0,
            registered: temp.1,
        })
    }

    /// The file this will become.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes what was written to disk and returns its SHA-256 (for `run.toml`).
    ///
    /// # Errors
    /// I/O errors, naming the file.
    pub fn sha256(&mut self) -> Result<String> {
        self.finish()?;
        Ok(crate::digest::hex(&self.hasher.clone().finalize()))
    }

    /// Appends bytes.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(bytes)?;
        self.wrote(bytes);
        Ok(())
    }

    /// Appends everything `reader` holds, a megabyte at a time; stops with an error of kind
    /// [`std::io::ErrorKind::Interrupted`] when [`crate::engine::INTERRUPTED`] is set.
    ///
    /// # Errors
    /// I/O errors, or the interruption.
    pub fn copy_from(&mut self, reader: &mut impl std::io::Read) -> std::io::Result<u64> {
        let mut buffer = vec![0u8; 1 << 20];
        let mut copied = 0;
        loop {
            if crate::engine::INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "interrupted",
                ));
            }
            let n = match reader.read(&mut buffer) {
                Ok(0) => return Ok(copied),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.writer.write_all(&buffer[..n])?;
            self.wrote(&buffer[..n]);
            copied += n as u64;
        }
    }

    /// Hashes and counts `bytes`, just written (every write goes through here) and, every
    /// [`WRITEBACK`] bytes, asks the kernel to start writing the ones that left the buffer to
    /// the disk (Linux's `sync_file_range` with
    /// `SYNC_FILE_RANGE_WRITE`: it waits for nothing), so that the `fsync` of
    /// [`AtomicFile::finish`] finds little left to write: a large file's flush then overlaps
    /// its writing instead of following it (RocksDB's `bytes_per_sync`).
    fn wrote(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.written += bytes.len() as u64;
        #[cfg(target_os = "linux")]
        {
            let out = self.written - self.writer.buffer().len() as u64;
            if out - self.handed >= WRITEBACK {
                use std::os::fd::AsRawFd;
                let fd = self.writer.get_ref().as_file().as_raw_fd();
                let (start, length) = (self.handed, out - self.handed);
                if let (Ok(start), Ok(length)) = (i64::try_from(start), i64::try_from(length)) {
                    // SAFETY: a system call on a file this value owns and keeps open, with no
                    // memory passed; it only starts writing back pages of the range. Its
                    // result is advisory: the fsync of `finish` still makes the file durable.
                    unsafe {
                        libc::sync_file_range(fd, start, length, libc::SYNC_FILE_RANGE_WRITE);
                    }
                }
                self.handed = out;
            }
        }
    }

    /// Flushes everything written to disk (`fsync`), so that a full disk shows here, before
    /// anything is renamed.
    ///
    /// # Errors
    /// I/O errors, naming the file.
    pub fn finish(&mut self) -> Result<()> {
        self.writer
            .flush()
            .and_then(|()| self.writer.get_ref().as_file().sync_all())
            .map_err(|e| Error::io("write", &self.path, e))
    }

    /// Flushes the file to disk and renames it into place.
    ///
    /// # Errors
    /// I/O errors, naming the file.
    pub fn commit(self) -> Result<()> {
        let path = self.path.clone();
        self.commit_as(&path)
    }

    /// Flushes the file to disk and renames it to `target` (in the same file system) instead
    /// of the path it was created for.
    ///
    /// # Errors
    /// I/O errors, naming the file.
    pub fn commit_as(mut self, target: &Path) -> Result<()> {
        self.finish()?;
        let AtomicFile {
            writer, registered, ..
        } = self;
        let temp = writer
            .into_inner()
            .map_err(|e| Error::io("write", target, e.into_error()))?;
        let result = temp
            .persist(target)
            .map(drop)
            .map_err(|e| Error::io("rename into place", target, e.error));
        drop(registered);
        result
    }
}

/// Writing through [`AtomicFile::write_all`] (for writers that take any [`std::io::Write`]:
/// the Parquet writer).
impl std::io::Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.writer.write(bytes)?;
        self.wrote(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}
