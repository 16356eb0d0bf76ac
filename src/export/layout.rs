//! Where a run's files live in `<out>/NAME/` (see [`super::publish`]): the names, and the
//! links that lead from each name to the current version folder.

use std::path::Path;

/// Name of the link to the current version of a scenario's run files.
pub const LINK: &str = ".run";

/// The files of a run (a pool's: `pool.csv` too), in the order they are written. A folder
/// shows one run's or one pool's files at a time: a run into a pool's folder removes its
/// `pool.csv`, as it removes the samples of a run before it.
pub const RUN_FILES: [&str; 6] = [
    "summary.csv",
    "timeline.csv",
    "samples.csv",
    "samples.parquet",
    "pool.csv",
    RUN_TOML,
];

/// The file recording what produced the files beside it (SPEC §6).
pub const RUN_TOML: &str = "run.toml";

/// `.run/FILE`: what `<out>/NAME/FILE` links to.
#[cfg(unix)]
pub fn link_target(file: &str) -> String {
    format!("{LINK}/{file}")
}

/// Whether `<folder>/FILE` is the link [`super::publish::stage`] makes.
#[cfg(unix)]
pub fn our_link(folder: &Path, file: &str) -> bool {
    std::fs::read_link(folder.join(file)).is_ok_and(|t| t == Path::new(&link_target(file)))
}

/// N of a version folder's name `.run-N`.
#[cfg(unix)]
pub fn version_number(name: &str) -> Option<u64> {
    let n: u64 = name.strip_prefix(LINK)?.strip_prefix('-')?.parse().ok()?;
    (format!("{LINK}-{n}") == name).then_some(n)
}

/// The version folder `.run` points to, if it is one.
#[cfg(unix)]
pub fn current_version(folder: &Path) -> Option<String> {
    let target = std::fs::read_link(folder.join(LINK)).ok()?;
    let target = target.to_str()?;
    version_number(target)?;
    std::fs::symlink_metadata(folder.join(target))
        .is_ok_and(|m| m.is_dir())
        .then(|| target.to_string())
}
