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

/// A scenario's folder `<out>/NAME` resolved once to the version its `.run` link names, so
/// that every file read from it comes from one run (SPEC §7): the link is read once, then each
/// file is opened inside that version folder, without following links ([`super::guard`]). A
/// folder of plain files (treatysim 0.2, or a file system without links) is read as it is.
#[derive(Clone, Debug)]
pub struct RunFolder {
    /// `<out>/NAME`.
    folder: std::path::PathBuf,
    /// Where its files are read: `<out>/NAME/.run-N`, or `<out>/NAME` itself.
    dir: std::path::PathBuf,
}

impl RunFolder {
    /// Resolves `folder`'s current version. A folder that does not exist resolves to itself
    /// (every file is then missing).
    ///
    /// # Errors
    /// [`crate::error::Error::Invalid`] when `folder` or the version it names is a link or not
    /// a folder, or `.run` is not treatysim's; I/O errors.
    pub fn resolve(folder: &Path) -> crate::error::Result<RunFolder> {
        let plain = RunFolder {
            folder: folder.to_path_buf(),
            dir: folder.to_path_buf(),
        };
        if !super::guard::real_folder(folder, false)? {
            return Ok(plain);
        }
        let link = folder.join(LINK);
        let target = match std::fs::read_link(&link) {
            Ok(target) => target,
            Err(_) if std::fs::symlink_metadata(&link).is_err() => return Ok(plain),
            Err(_) => return Err(foreign_link(&link)),
        };
        let name = target.to_str().filter(|t| {
            #[cfg(unix)]
            let ok = version_number(t).is_some();
            #[cfg(not(unix))]
            let ok = false;
            ok
        });
        let Some(name) = name else {
            return Err(foreign_link(&link));
        };
        let dir = folder.join(name);
        if !super::guard::real_folder(&dir, false)? {
            return Err(foreign_link(&link));
        }
        Ok(RunFolder {
            folder: folder.to_path_buf(),
            dir,
        })
    }

    /// Runs `read` on `folder`'s current version, and again on the new current version
    /// whenever the folder was republished while it read (the version it read may then have
    /// lost files under it): what `read` returns comes from one version, whole. A version is
    /// removed only once another is current, and a replaced version never becomes current
    /// again, so a version still current after `read` was there, whole, all along.
    ///
    /// # Errors
    /// As `read` and [`RunFolder::resolve`]; [`crate::error::Error::Invalid`] when the folder
    /// was republished [`REREADS`] times in a row while it was read.
    pub fn read_current<T>(
        folder: &Path,
        mut read: impl FnMut(&RunFolder) -> crate::error::Result<T>,
    ) -> crate::error::Result<T> {
        for _ in 0..REREADS {
            let run = RunFolder::resolve(folder)?;
            let result = read(&run);
            if is_current(&run.folder, &run.dir) {
                return result;
            }
        }
        Err(republished(folder))
    }

    /// `<out>/NAME`.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The folder its files are read from: the version folder, or `<out>/NAME` itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where `file` of this version is: the path to open it by (never through a link). A
    /// name of the folder that is not treatysim's link (a plain file put there by hand, or
    /// another link, which opening then refuses) is what a reader by path sees: that is read.
    pub fn path(&self, file: &str) -> std::path::PathBuf {
        #[cfg(unix)]
        if self.dir != self.folder {
            let named = self.folder.join(file);
            // Absent (removed by hand), or not treatysim's link: what a reader by path sees.
            if std::fs::symlink_metadata(&named).is_err() || !our_link(&self.folder, file) {
                return named;
            }
        }
        self.dir.join(file)
    }

    /// `file` of this version, opened, if it is there.
    ///
    /// # Errors
    /// As [`super::guard::open_regular`].
    pub fn open(&self, file: &str) -> crate::error::Result<Option<std::fs::File>> {
        super::guard::open_regular(&self.path(file))
    }

    /// `file` of this version, read whole, if it is there; refused past `limit` bytes.
    ///
    /// # Errors
    /// As [`super::guard::read_regular`].
    pub fn read(&self, file: &str, limit: u64) -> crate::error::Result<Option<Vec<u8>>> {
        match super::guard::read_regular(&self.path(file), limit) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(crate::error::Error::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

impl RunFolder {
    /// This version's `run.toml` (`None` when there is none), checked to be treatysim's
    /// ([`super::RunToml::read`]: its keys, and the names it holds by the name rule).
    ///
    /// # Errors
    /// As [`super::RunToml::read`].
    pub fn run_toml(&self) -> crate::error::Result<Option<super::RunToml>> {
        match self.read(RUN_TOML, super::provenance::RUN_TOML_LIMIT)? {
            None => Ok(None),
            Some(bytes) => super::RunToml::from_bytes(&self.folder.join(RUN_TOML), bytes).map(Some),
        }
    }

    /// `file` of this version, read whole (refused past `limit` bytes) and checked against its
    /// SHA-256 in `toml`, this version's `run.toml`: what every reader of a run's files does
    /// (`score`, `plot`, the root summary's repair), so that a file edited by hand since it
    /// was written is never taken for treatysim's.
    ///
    /// # Errors
    /// [`crate::error::Error::Invalid`] naming the file when `run.toml` does not list it or
    /// its SHA-256 differs; as [`super::guard::read_regular`].
    pub fn read_verified(
        &self,
        toml: &super::RunToml,
        file: &str,
        limit: u64,
    ) -> crate::error::Result<Vec<u8>> {
        let path = self.folder.join(file);
        let toml_path = self.folder.join(RUN_TOML);
        let bytes = super::guard::read_regular(&self.path(file), limit)?;
        let actual = crate::digest::sha256_hex(&bytes);
        match toml.files.get(file) {
            Some(hash) if hash.eq_ignore_ascii_case(&actual) => Ok(bytes),
            Some(_) => Err(crate::error::Error::Invalid(format!(
                "'{}' was changed since it was written: its SHA-256 is not the one in '{}'; \
                 rerun the scenario",
                path.display(),
                toml_path.display()
            ))),
            None => Err(crate::error::Error::Invalid(format!(
                "'{}' is not listed in '{}', so it was not written with the files beside it; \
                 rerun the scenario",
                path.display(),
                toml_path.display()
            ))),
        }
    }
}

/// `path`, or, when it is one of treatysim's links (`<out>/NAME/FILE -> .run/FILE`), the file
/// in the version folder it leads to: for readers given a path, which must not follow links
/// below `--out` but may go through treatysim's own layout.
pub fn through_our_link(path: &Path) -> std::path::PathBuf {
    #[cfg(unix)]
    if let (Some(folder), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str()))
        && our_link(folder, name)
        && let Ok(run) = RunFolder::resolve(folder)
    {
        return run.path(name);
    }
    path.to_path_buf()
}

/// Times a reader reads a folder again because it was republished meanwhile, before it gives
/// up ([`RunFolder::read_current`]).
pub const REREADS: usize = 20;

/// Whether `dir`, a version of `folder` a reader resolved (or `folder` itself, when it has no
/// versions), is still the one its `.run` link names.
pub fn is_current(folder: &Path, dir: &Path) -> bool {
    if dir == folder {
        return true;
    }
    #[cfg(unix)]
    return current_version(folder).is_some_and(|version| folder.join(version) == dir);
    #[cfg(not(unix))]
    false
}

/// The error of a reader that found `folder` republished every time it read it.
pub fn republished(folder: &Path) -> crate::error::Error {
    crate::error::Error::Invalid(format!(
        "'{}' was republished {REREADS} times while it was read; read it again once the \
         commands writing into it are done",
        folder.display()
    ))
}

/// The error for a `.run` that does not lead to one of treatysim's version folders.
fn foreign_link(link: &Path) -> crate::error::Error {
    crate::error::Error::Invalid(format!(
        "'{}' does not lead to a version folder (.run-N) of treatysim's; treatysim does not \
         follow it: remove it, or choose another --out",
        link.display()
    ))
}
