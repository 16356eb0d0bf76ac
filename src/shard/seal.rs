//! The keyed seal of a shard file (SPEC §9): with a key (`TREATYSIM_SHARD_KEY`, or
//! `--key-file`), each shard file carries an HMAC-SHA256 of its content on its second line,
//! `# hmac-sha256 = "…"`, and `merge` with the key refuses any shard without a valid one.
//!
//! The plain SHA-256 on the first line catches damage and careless edits, but anyone can
//! recompute it. The HMAC cannot be recomputed without the key: a shard that was edited and
//! resealed (its seed, its range, its resolved scenario, any tally changed, or another shard's
//! content relabelled) is refused. It proves only that whoever wrote the file held the key; it
//! does not keep the key secret (the environment and the key file are the user's to protect),
//! and without a key set at `merge` it is not checked at all. The line is a TOML comment, so a
//! keyed shard is read the same way by a `merge` without a key.

use crate::error::{Error, Result};
use hmac::{KeyInit, Mac};
use std::path::Path;

/// The second line of a keyed shard file starts with this, followed by the HMAC and `"`.
pub const HMAC_PREFIX: &str = "# hmac-sha256 = \"";

/// The environment variable holding the shard key.
pub const KEY_VARIABLE: &str = "TREATYSIM_SHARD_KEY";

/// The longest key file read.
const KEY_FILE_LIMIT: u64 = 1 << 20;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// A shard key: the bytes of `TREATYSIM_SHARD_KEY`, or of a `--key-file` without its trailing
/// line ends.
#[derive(Clone)]
pub struct ShardKey(Vec<u8>);

impl std::fmt::Debug for ShardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShardKey(…)")
    }
}

impl ShardKey {
    /// The key of `--key-file FILE` when given, else of `TREATYSIM_SHARD_KEY` when set and not
    /// empty; `None` without either.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty or unreadable key file.
    pub fn find(key_file: Option<&Path>) -> Result<Option<ShardKey>> {
        if let Some(path) = key_file {
            let bytes = std::fs::File::open(path)
                .and_then(|file| {
                    use std::io::Read;
                    let mut bytes = Vec::new();
                    file.take(KEY_FILE_LIMIT).read_to_end(&mut bytes)?;
                    Ok(bytes)
                })
                .map_err(|e| {
                    Error::Invalid(format!(
                        "shard key file '{}': cannot read it: {e}",
                        path.display()
                    ))
                })?;
            let end = bytes
                .iter()
                .rposition(|b| !matches!(b, b'\n' | b'\r'))
                .map_or(0, |i| i + 1);
            if end == 0 {
                return Err(Error::Invalid(format!(
                    "shard key file '{}' is empty (line ends aside); a shard key is at least one byte",
                    path.display()
                )));
            }
            return Ok(Some(ShardKey(bytes[..end].to_vec())));
        }
        Ok(std::env::var_os(KEY_VARIABLE)
            .filter(|v| !v.is_empty())
            .map(|v| ShardKey(v.into_encoded_bytes())))
    }

    /// The HMAC-SHA256 of `body` under this key, in hexadecimal.
    pub fn sign(&self, body: &str) -> String {
        crate::digest::hex(&self.mac(body).finalize().into_bytes())
    }

    /// Whether `hex` is the HMAC of `body` under this key (compared in constant time).
    pub fn verifies(&self, body: &str, hex: &str) -> bool {
        let Some(tag) = from_hex(hex) else {
            return false;
        };
        self.mac(body).verify_slice(&tag).is_ok()
    }

    fn mac(&self, body: &str) -> HmacSha256 {
        // Any key length is accepted by HMAC.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(body.as_bytes());
        mac
    }
}

/// The HMAC line for `body`.
pub fn line(key: &ShardKey, body: &str) -> String {
    format!(
        "{HMAC_PREFIX}{}\"  # keyed: {KEY_VARIABLE} or --key-file\n",
        key.sign(body)
    )
}

/// Splits the HMAC line off the start of `rest` (what follows the checksum line): the HMAC
/// written, and the body it seals; `None` and `rest` for an unkeyed shard.
pub fn split(rest: &str) -> (Option<&str>, &str) {
    let Some(after) = rest.strip_prefix(HMAC_PREFIX) else {
        return (None, rest);
    };
    let (line, body) = after.split_once('\n').unwrap_or((after, ""));
    (line.split_once('"').map(|(hex, _)| hex), body)
}

/// Checks the seal of a shard's `rest` under `key` (nothing to check without one).
///
/// # Errors
/// [`Error::Invalid`] naming the file, when a key is set and the shard has no HMAC or one that
/// the key does not give.
pub fn check(path: &Path, rest: &str, key: Option<&ShardKey>) -> Result<()> {
    let Some(key) = key else {
        return Ok(());
    };
    match split(rest) {
        (None, _) => Err(Error::Invalid(format!(
            "{}: the shard carries no HMAC, and a shard key is set ({KEY_VARIABLE} or \
             --key-file): it was written without the key, or its HMAC line was removed; rerun \
             the shard with the key",
            path.display()
        ))),
        (Some(hex), body) if key.verifies(body, hex) => Ok(()),
        (Some(_), _) => Err(Error::Invalid(format!(
            "{}: the shard's HMAC does not match the key: it was edited after it was written, \
             or written with another key; rerun the shard with this key",
            path.display()
        ))),
    }
}

/// Bytes of a hexadecimal string; `None` unless it is one.
fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    #[test]
    fn hmac_matches_rfc_4231() {
        let key = ShardKey(b"Jefe".to_vec());
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(key.sign("what do ya want for nothing?"), expected);
        assert!(key.verifies("what do ya want for nothing?", expected));
        assert!(!key.verifies("what do ya want for nothing!", expected));
        assert!(!ShardKey(b"jefe".to_vec()).verifies("what do ya want for nothing?", expected));
        let rest = format!("{}body\n", line(&key, "body\n"));
        assert_eq!(split(&rest).1, "body\n");
        assert!(check(Path::new("s"), &rest, Some(&key)).is_ok());
        assert!(check(Path::new("s"), "body\n", Some(&key)).is_err());
        assert!(check(Path::new("s"), "body\n", None).is_ok());
    }
}
