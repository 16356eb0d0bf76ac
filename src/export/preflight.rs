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
        let folder = publish::folder_path(out, name)?;
        if publish::check_run_folder(&folder)? {
            probe_writable(&folder)?;
        }
    }
    Ok(())
}

/// Checks, before a command writes into `<out>/NAME/` (a sweep, a sensitivity analysis, a
/// shard), that NAME is a valid name and `<out>/NAME`, if it exists, a real folder, not a link
/// that could lead out of `--out` ([`publish::check_folder`]).
///
/// # Errors
/// [`Error::Invalid`]; I/O errors.
pub fn check_scenario_folder(out: &Path, name: &str) -> Result<()> {
    publish::check_folder(&publish::folder_path(out, name)?).map(drop)
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
