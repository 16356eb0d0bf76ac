//! SHA-256 checksums of files and bytes, in lowercase hexadecimal: shard files, their samples
//! parts, and the files a `run.toml` describes.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// The SHA-256 of `bytes` in lowercase hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes in lowercase hexadecimal.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a regular file's content in hexadecimal, read in pieces (samples parts may
/// be large); a link or a FIFO is refused ([`crate::guard`]).
///
/// # Errors
/// I/O errors, naming the file.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = crate::guard::open_existing(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        // Samples parts run to gigabytes: a signal stops the hashing within a chunk.
        crate::engine::check_interrupted()?;
        let read = file
            .read(&mut buffer)
            .map_err(|e| Error::io("read", path, e))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex(&hasher.finalize()))
}

/// A reader that hashes what passes through it, so that a part copied by `merge` is checked
/// against its checksum as it is copied.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> HashingReader<R> {
        HashingReader {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// The SHA-256 of everything read so far, in hexadecimal.
    pub fn hex(self) -> String {
        hex(&self.hasher.finalize())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Not of kind `Interrupted`, which readers retry: a signal stops the copy.
        if crate::engine::INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(std::io::Error::other("interrupted"));
        }
        let read = self.inner.read(buf)?;
        self.hasher.update(&buf[..read]);
        Ok(read)
    }
}
