//! Checks made before a command computes or writes anything (SPEC §7: "nothing is written
//! until every check has passed").

use super::{lock, publish, read_summary};
use crate::error::{Error, Result};
use std::path::Path;

/// Checks, before a command computes or writes anything, that it will be able to write its
/// runs' results into `out` (SPEC §7: "nothing is written until every check has passed"):
/// `out` is a folder or does not exist yet; an existing `<out>/summary.csv` is a treatysim
/// summary; each `<out>/NAME` is a folder (not a link out of `--out`) whose run files can be
/// replaced; and `out` and those folders can be written. The same checks are made again,
/// under the lock, when the results are published.
///
/// # Errors
/// [`Error::Invalid`] for output files that are not treatysim's; I/O errors for folders that
/// cannot be written.
pub fn check_outputs(out: &Path, names: &[&str]) -> Result<()> {
    match std::fs::metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("read folder", out, e)),
        Ok(m) if !m.is_dir() => {
            return Err(Error::Invalid(format!(
                "--out '{}' is not a folder",
                out.display()
            )));
        }
        Ok(_) => {}
    }
    read_summary(&out.join("summary.csv"))?;
    probe_writable(out)?;
    for name in names {
        check_case(out, name)?;
        let folder = publish::folder_path(out, name)?;
        if publish::check_run_folder(&folder)? {
            probe_writable(&folder)?;
        }
    }
    Ok(())
}

/// Checks, before a command writes into `<out>/NAME/` (a sweep, a sensitivity analysis, a
/// shard), that NAME is a valid name and `<out>/NAME`, if it exists, a real folder, not a link
/// that could lead out of `--out` ([`publish::check_folder`]); and that an existing
/// `<out>/summary.csv` is a treatysim summary, since every command that writes into `--out`
/// brings its rows up to date ([`super::repair`]): a foreign one is refused now, before the
/// first trial and the first write, not once the results are in.
///
/// # Errors
/// [`Error::Invalid`]; I/O errors.
pub fn check_scenario_folder(out: &Path, name: &str) -> Result<()> {
    publish::check_folder(&publish::folder_path(out, name)?)?;
    check_case(out, name)?;
    if out.is_dir() {
        read_summary(&out.join("summary.csv"))?;
    }
    Ok(())
}

/// Refuses NAME when `out` holds a folder whose name differs from it only in case (`A` and
/// `a`): on a case-insensitive file system (macOS, Windows shares) the two are one folder, so
/// their results would overwrite each other.
///
/// # Errors
/// [`Error::Invalid`] naming the folder already there.
pub fn check_case(out: &Path, name: &str) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let other = entry.file_name();
        let Some(other) = other.to_str() else {
            continue;
        };
        if other != name && other.eq_ignore_ascii_case(name) && !other.starts_with('.') {
            return Err(Error::Invalid(format!(
                "'{name}' differs only in case from '{}', already in --out; on case-insensitive \
                 file systems (macOS, Windows shares) they are one folder, so names in one --out \
                 must differ by more than case: use '{other}', or another name",
                out.join(other).display()
            )));
        }
    }
    Ok(())
}

/// The longest file name most file systems take (`NAME_MAX`, in bytes).
const NAME_MAX: usize = 255;

/// Probes, before the first trial, that `file` (a path below `out`) can be written (SPEC §7:
/// a command must not simulate in full and then fail): its name is not too long for the file
/// system, and the nearest existing folder on its way can be written into (a temporary file
/// with a name as long as `file`'s is created there and removed). Nothing is left behind.
///
/// # Errors
/// [`Error::Invalid`] for a name too long (choose a shorter name or label); I/O errors for a
/// folder that cannot be written.
pub fn probe_output(out: &Path, file: &Path) -> Result<()> {
    let name = file.file_name().map_or(0, |n| n.as_encoded_bytes().len());
    let too_long = || {
        Error::Invalid(format!(
            "the output file '{}' would have a name of {name} bytes, more than the file system \
             takes ({NAME_MAX}); nothing was simulated: choose shorter names (or --as LABEL)",
            file.display()
        ))
    };
    if name > NAME_MAX {
        return Err(too_long());
    }
    let mut dir = file.parent().unwrap_or(out);
    while !dir.exists() {
        match dir.parent() {
            Some(parent) if dir != out && !parent.as_os_str().is_empty() => dir = parent,
            _ => return Ok(()),
        }
    }
    let fixed = lock::TEMP_PREFIX.len() + lock::TEMP_SUFFIX.len();
    tempfile::Builder::new()
        .prefix(lock::TEMP_PREFIX)
        .suffix(lock::TEMP_SUFFIX)
        .rand_bytes(name.saturating_sub(fixed).max(6))
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidFilename {
                too_long()
            } else {
                Error::io("write into", dir, e)
            }
        })
}

/// Creates and removes a temporary file in `dir`: whether it can be written.
fn probe_writable(dir: &Path) -> Result<()> {
    tempfile::Builder::new()
        .prefix(lock::TEMP_PREFIX)
        .suffix(lock::TEMP_SUFFIX)
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| Error::io("write into", dir, e))
}
