//! Publishing a run's files into `<out>/NAME/` in one step (SPEC §7: "a reader never sees the
//! files of two different runs mixed in one `<out>/NAME/` folder, even when the writer is
//! killed at any instant").
//!
//! **Layout** (Unix). A run's files live in a hidden version folder; the names readers open
//! are symbolic links that reach it through one more link, `.run`:
//!
//! ```text
//! <out>/NAME/summary.csv  -> .run/summary.csv
//! <out>/NAME/timeline.csv -> .run/timeline.csv
//! <out>/NAME/samples.csv  -> .run/samples.csv      (with --samples; or samples.parquet)
//! <out>/NAME/pool.csv     -> .run/pool.csv         (a pool's)
//! <out>/NAME/sweep-K.csv  -> .run/sweep-K.csv      (sweeps and sensitivity: analyses)
//! <out>/NAME/run.toml     -> .run/run.toml         (what produced each file, with its SHA-256)
//! <out>/NAME/.run         -> .run-7
//! <out>/NAME/.run-7/         summary.csv, timeline.csv, samples.csv, sweep-K.csv, run.toml
//! <out>/NAME/shards/, *.svg: other commands' files, never touched
//! ```
//!
//! Every publication writes a whole version: the files it writes, `run.toml` describing them,
//! and the files of the current version it does not replace, hard-linked (or copied) in. A run
//! replaces the run's files ([`RUN_FILES`]) and keeps the analyses; a sweep replaces its own
//! file and keeps everything else. So `run.toml` and the files beside it always change
//! together.
//!
//! **Publishing run 8**, under the lock on `--out` ([`super::OutLock`]) and in the
//! [`super::critical_section`]:
//! 1. tidy (`tidy_folder`): remove what killed publications left: version folders other than
//!    the current one, temporary links, links that lead nowhere;
//! 2. write the files into a new folder `.run-8`, each flushed to disk (`samples.csv`, streamed
//!    during the run to a temporary file in `<out>/NAME/`, is renamed in), and flush the folder;
//! 3. create the link of each file that has none yet (`samples.csv -> .run/samples.csv` when
//!    run 7 had no samples): it resolves to nothing until step 4;
//! 4. **the one step that publishes** ([`Staged::publish`]): a link `.run -> .run-8`, made under
//!    a temporary name and renamed over `.run`. A rename is atomic, so every name switches from
//!    run 7's file to run 8's (or to nothing, for a file run 8 does not have) at one instant;
//! 5. remove `.run-7`, and the links to files run 8 lacks ([`Published::tidy`]).
//!
//! Killed before step 4, the folder shows run 7 whole (steps 1-3 change nothing a reader
//! sees); killed after, run 8 whole. What is left over (a `.run-8` never linked, a `.run-7`
//! not removed, a temporary link) is removed by step 1 of the next publication into the
//! folder, by the next `run` or `merge` into `--out` (which tidies every folder while it holds
//! the lock), and by any other command writing into the folder when it can take the lock at
//! once (`tidy_if_free`).
//!
//! **Conversion.** A folder whose run files are plain files (written by treatysim 0.2 or by
//! hand) is first converted without changing what a reader sees: the files are
//! hard-linked (or copied) into a version folder, `.run` is pointed at it, then each plain
//! file is replaced by its link, one rename each, every one resolving to the same bytes.
//!
//! Elsewhere than on Unix, or on a file system without symbolic links (FAT, exFAT), each file
//! is renamed into place on its own, so the promise holds file by file only.

pub use super::layout::{LINK, RUN_FILES, RUN_TOML};
use super::{AtomicFile, OutLock, tidy};
use crate::error::{Error, Result};
use crate::scenario::{name_rule, valid_scenario_name};
use std::path::{Path, PathBuf};

/// One file of a publication.
pub enum Content {
    /// Bytes, written by the publication.
    Bytes(Vec<u8>),
    /// A temporary file already written in `<out>/NAME/` (streamed samples), renamed in.
    File(Box<AtomicFile>),
}

/// `<out>/NAME`, for a NAME that passes the name rule (so it is one folder inside `out`).
///
/// # Errors
/// [`Error::Invalid`] for any other name.
pub fn folder_path(out: &Path, name: &str) -> Result<PathBuf> {
    if !valid_scenario_name(name) {
        return Err(Error::Invalid(name_rule("scenario", name)));
    }
    Ok(out.join(name))
}

/// Checks that `folder` (an `<out>/NAME`) can take a publication: [`check_folder`], and none
/// of the names a run writes is a folder. Returns whether it exists.
///
/// # Errors
/// [`Error::Invalid`] naming what is in the way; I/O errors.
pub fn check_run_folder(folder: &Path) -> Result<bool> {
    check_publication_folder(folder, &RUN_FILES)
}

/// [`check_run_folder`] for a publication that writes `names` (and `run.toml`).
///
/// # Errors
/// As [`check_run_folder`].
pub fn check_publication_folder(folder: &Path, names: &[&str]) -> Result<bool> {
    if !check_folder(folder)? {
        return Ok(false);
    }
    for name in names.iter().chain([&RUN_TOML, &LINK]) {
        let path = folder.join(name);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            return Err(Error::Invalid(format!(
                "'{}' is a folder where treatysim writes a run's file; move it away, or choose \
                 another --out",
                path.display()
            )));
        }
    }
    Ok(true)
}

/// Checks that `folder` (an `<out>/NAME`), if it exists, is a real folder: a symbolic link
/// could lead out of `--out`, where nothing is ever written (SPEC §7). Returns whether it
/// exists.
///
/// # Errors
/// [`Error::Invalid`] naming what is in the way; I/O errors.
pub fn check_folder(folder: &Path) -> Result<bool> {
    match std::fs::symlink_metadata(folder) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io("read", folder, e)),
        Ok(m) if m.file_type().is_symlink() => Err(Error::Invalid(format!(
            "'{}' is a symbolic link; treatysim writes only inside --out and does not follow it: \
             replace it with a folder, or choose another --out",
            folder.display()
        ))),
        Ok(m) if !m.is_dir() => Err(Error::Invalid(format!(
            "'{}' is not a folder; move it away, or choose another --out",
            folder.display()
        ))),
        Ok(_) => Ok(true),
    }
}

/// A run's files written into their version folder, not yet published: dropping it removes
/// them.
pub struct Staged {
    folder: PathBuf,
    /// The version folder to publish; `None` where files are renamed into place one by one.
    version: Option<String>,
    published: bool,
}

/// A publication done: [`Published::tidy`] removes the version it replaced.
pub struct Published {
    folder: PathBuf,
}

/// Steps 1-3 of a publication: writes `files` into a new version folder of `<out>/NAME`, with
/// the files of the current version listed in `carry` hard-linked (or copied) beside them,
/// creating the folder if needed and converting a folder of plain files first. Call it while
/// holding the lock on `--out` and the critical section, after [`prepare`].
///
/// # Errors
/// [`Error::Invalid`] when `<out>/NAME` cannot take a publication ([`check_run_folder`]); I/O
/// errors. Nothing a reader sees has changed then.
pub fn stage(
    lock: &OutLock,
    name: &str,
    files: Vec<(String, Content)>,
    carry: &[String],
) -> Result<Staged> {
    let folder = folder_path(lock.out(), name)?;
    unix::stage(lock, folder, files, carry)
}

/// Before [`stage`]: checks `<out>/NAME` ([`check_publication_folder`] for `names`), creates
/// it if needed, tidies it, and converts a folder of plain files. Returns the folder.
///
/// # Errors
/// As [`stage`].
pub fn prepare(lock: &OutLock, name: &str, names: &[&str]) -> Result<PathBuf> {
    let folder = folder_path(lock.out(), name)?;
    if !check_publication_folder(&folder, names)? {
        std::fs::create_dir(&folder).map_err(|e| Error::io("create folder", &folder, e))?;
    }
    #[cfg(unix)]
    unix::prepare(lock, &folder, names)?;
    Ok(folder)
}

/// The files of the current version of `<out>/NAME` (what its links show), sorted; empty
/// without one (a new folder, or where files are renamed into place one by one).
pub fn current_files(folder: &Path) -> Vec<String> {
    #[cfg(unix)]
    {
        unix::current_files(folder)
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Vec::new()
    }
}

impl Staged {
    /// Step 4: publishes the files, all at once.
    ///
    /// # Errors
    /// I/O errors; the folder is then as it was.
    pub fn publish(mut self) -> Result<Published> {
        #[cfg(unix)]
        if let Some(version) = &self.version {
            unix::point(&self.folder, LINK, version)?;
            let _ = unix::sync_dir(&self.folder);
        }
        self.published = true;
        Ok(Published {
            folder: self.folder.clone(),
        })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let (false, Some(version)) = (self.published, &self.version) {
            let _ = std::fs::remove_dir_all(self.folder.join(version));
        }
    }
}

impl Published {
    /// Step 5: removes the version replaced and the links to files the new one lacks (best
    /// effort: whatever stays is removed by the next publication).
    pub fn tidy(self, lock: &OutLock) {
        tidy::tidy_folder(lock, &self.folder);
    }
}

#[cfg(unix)]
mod unix {
    use super::super::layout::{current_version, link_target, our_link, version_number};
    use super::super::lock::{TEMP_PREFIX, TEMP_SUFFIX};
    use super::{Content, LINK, OutLock, RUN_FILES, Staged};
    use crate::error::{Error, Result};
    use std::io::Write;
    use std::path::{Path, PathBuf};

    /// Tidies `folder` and converts plain files among `names` and the run's files.
    pub(super) fn prepare(lock: &OutLock, folder: &Path, names: &[&str]) -> Result<()> {
        super::tidy::tidy_folder(lock, folder);
        if std::fs::symlink_metadata(folder.join(LINK)).is_err() && !links_work(folder)? {
            return Ok(());
        }
        adopt(folder, names)
    }

    pub(super) fn current_files(folder: &Path) -> Vec<String> {
        let Some(version) = current_version(folder) else {
            return Vec::new();
        };
        let mut names: Vec<String> = std::fs::read_dir(folder.join(version))
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    pub(super) fn stage(
        _lock: &OutLock,
        folder: PathBuf,
        files: Vec<(String, Content)>,
        carry: &[String],
    ) -> Result<Staged> {
        if std::fs::symlink_metadata(folder.join(LINK)).is_err() && !links_work(&folder)? {
            return super::one_by_one(folder, files);
        }
        let current = current_version(&folder);
        let version = next_version(&folder)?;
        let dir = folder.join(&version);
        std::fs::create_dir(&dir).map_err(|e| Error::io("create folder", &dir, e))?;
        let staged = Staged {
            folder,
            version: Some(version),
            published: false,
        };
        let mut written = Vec::new();
        for (file, content) in files {
            debug_assert!(!file.contains('/') && !file.starts_with('.'), "{file}");
            let path = dir.join(&file);
            match content {
                Content::Bytes(bytes) => write_new(&path, &bytes)?,
                Content::File(temp) => temp.commit_as(&path)?,
            }
            written.push(file);
        }
        if let Some(current) = &current {
            for file in carry {
                let from = staged.folder.join(current).join(file);
                link_or_copy(&from, &dir.join(file))?;
                written.push(file.clone());
            }
        }
        sync_dir(&dir)?;
        for file in written {
            let path = staged.folder.join(&file);
            if std::fs::symlink_metadata(&path).is_err() {
                std::os::unix::fs::symlink(link_target(&file), &path)
                    .map_err(|e| Error::io("create the link", &path, e))?;
            }
        }
        Ok(staged)
    }

    /// Hard-links `from` to `to`, or copies it where links cannot be made.
    fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
        let linked = std::fs::canonicalize(from).and_then(|real| std::fs::hard_link(real, to));
        if linked.is_err() {
            std::fs::copy(from, to).map_err(|e| Error::io("copy", from, e))?;
        }
        Ok(())
    }

    /// A name for a new version folder, after every one there.
    fn next_version(folder: &Path) -> Result<String> {
        let entries = std::fs::read_dir(folder).map_err(|e| Error::io("read folder", folder, e))?;
        let last = entries
            .flatten()
            .filter_map(|e| e.file_name().to_str().and_then(version_number))
            .max()
            .unwrap_or(0);
        let next = last.checked_add(1).ok_or_else(|| {
            Error::io(
                "number a new version in",
                folder,
                std::io::Error::other(format!("{LINK}-{last} is the last number; remove it")),
            )
        })?;
        Ok(format!("{LINK}-{next}"))
    }

    /// Whether symbolic links can be made in `folder`: not on FAT and the like, which say so
    /// with EPERM or "unsupported".
    fn links_work(folder: &Path) -> Result<bool> {
        let made = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .make_in(folder, |path| std::os::unix::fs::symlink(LINK, path));
        match made {
            Ok(_link) => Ok(true),
            Err(e)
                if e.kind() == std::io::ErrorKind::Unsupported || e.raw_os_error() == Some(1) =>
            {
                Ok(false)
            }
            Err(e) => Err(Error::io("create a link in", folder, e)),
        }
    }

    /// Writes a new file and flushes it to disk.
    fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
        std::fs::File::create_new(path)
            .and_then(|mut file| {
                file.write_all(bytes)?;
                file.sync_all()
            })
            .map_err(|e| Error::io("write", path, e))
    }

    /// Flushes a folder's entries to disk.
    pub(super) fn sync_dir(dir: &Path) -> Result<()> {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io("flush folder", dir, e))
    }

    /// Makes `<folder>/NAME` a link to `target` in one rename (a link made under a temporary
    /// name first).
    pub(super) fn point(folder: &Path, name: &str, target: &str) -> Result<()> {
        let temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .make_in(folder, |path| std::os::unix::fs::symlink(target, path))
            .map_err(|e| Error::io("create a link in", folder, e))?;
        let path = folder.join(name);
        temp.persist(&path)
            .map_err(|e| Error::io("rename into place", &path, e.error))
    }

    /// Converts a folder whose run files (and `names`) are not all links through a current
    /// version (plain files written by treatysim 0.2 or by hand, links elsewhere) into the
    /// layout, without changing what any name resolves to: see the module's documentation.
    fn adopt(folder: &Path, names: &[&str]) -> Result<()> {
        let current = current_version(folder);
        let ours = current_files(folder);
        let mut all: Vec<&str> = RUN_FILES.to_vec();
        all.extend(names.iter().copied());
        all.extend(ours.iter().map(String::as_str));
        all.sort_unstable();
        all.dedup();
        let foreign: Vec<&str> = all
            .iter()
            .copied()
            .filter(|f| std::fs::symlink_metadata(folder.join(f)).is_ok() && !our_link(folder, f))
            .collect();
        let seen: Vec<&str> = all
            .iter()
            .copied()
            .filter(|f| std::fs::metadata(folder.join(f)).is_ok_and(|m| m.is_file()))
            .collect();
        if foreign.is_empty() && (current.is_some() || seen.is_empty()) {
            return Ok(());
        }
        let version = next_version(folder)?;
        let staged = Staged {
            folder: folder.to_path_buf(),
            version: Some(version.clone()),
            published: false,
        };
        let dir = folder.join(&version);
        std::fs::create_dir(&dir).map_err(|e| Error::io("create folder", &dir, e))?;
        for file in &seen {
            link_or_copy(&folder.join(file), &dir.join(file))?;
        }
        sync_dir(&dir)?;
        staged.publish()?;
        for file in foreign {
            point(folder, file, &link_target(file))?;
        }
        if let Some(old) = current {
            let _ = std::fs::remove_dir_all(folder.join(old));
        }
        sync_dir(folder)
    }
}

/// Where there are no symbolic links (not Unix, or a file system such as FAT): each file
/// renamed into place on its own (in order: samples, timeline, summary, `run.toml` last), and
/// for a run, a `samples.csv` it does not write removed. The promise then holds file by file
/// only.
fn one_by_one(folder: PathBuf, files: Vec<(String, Content)>) -> Result<Staged> {
    let written: Vec<String> = files.iter().map(|(f, _)| f.clone()).collect();
    let is_run = written.iter().any(|f| f == "summary.csv");
    for (file, content) in files {
        let path = folder.join(file);
        match content {
            Content::Bytes(bytes) => super::write_atomic(&path, &bytes)?,
            Content::File(temp) => temp.commit_as(&path)?,
        }
    }
    let dropped = RUN_FILES
        .into_iter()
        .filter(|f| is_run && !written.iter().any(|w| w == f));
    for file in dropped {
        let path = folder.join(file);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io("remove", &path, e));
            }
            _ => {}
        }
    }
    Ok(Staged {
        folder,
        version: None,
        published: false,
    })
}

#[cfg(not(unix))]
mod unix {
    use super::{Content, OutLock, Staged};
    use crate::error::Result;
    use std::path::PathBuf;

    pub(super) fn stage(
        _lock: &OutLock,
        folder: PathBuf,
        files: Vec<(String, Content)>,
        _carry: &[String],
    ) -> Result<Staged> {
        super::one_by_one(folder, files)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// What a reader sees of the run files in `folder`.
    fn seen(folder: &Path) -> Vec<(&'static str, String)> {
        RUN_FILES
            .into_iter()
            .filter_map(|f| std::fs::read_to_string(folder.join(f)).ok().map(|t| (f, t)))
            .collect()
    }

    fn bytes(text: &str) -> Content {
        Content::Bytes(text.as_bytes().to_vec())
    }

    /// [`prepare`] and [`stage`] `files`, carrying nothing over.
    fn stage(lock: &OutLock, name: &str, files: Vec<(&str, Content)>) -> Result<Staged> {
        let names: Vec<&str> = files.iter().map(|(f, _)| *f).collect();
        prepare(lock, name, &names)?;
        let files = files.into_iter().map(|(f, c)| (f.to_string(), c)).collect();
        super::stage(lock, name, files, &[])
    }

    /// Hidden entries of `folder`, sorted.
    fn hidden(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .expect("folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn version_names_are_exact() {
        assert_eq!(super::super::layout::version_number(".run-1"), Some(1));
        assert_eq!(super::super::layout::version_number(".run-0"), Some(0));
        for other in [
            ".run", ".run-", ".run-01", ".run-+1", ".run--1", ".run-1x", "run-1",
        ] {
            assert_eq!(super::super::layout::version_number(other), None, "{other}");
        }
    }

    /// Staged files show nothing until published; dropped unpublished they leave nothing;
    /// published, the run before (samples included) is gone at once, and tidying leaves only
    /// the current version.
    #[test]
    fn staged_files_show_only_once_published() {
        let dir = tempfile::tempdir().expect("folder");
        let lock = OutLock::acquire(dir.path()).expect("lock");
        let folder = dir.path().join("x");
        let first = vec![
            ("samples.csv", bytes("s1")),
            ("timeline.csv", bytes("t1")),
            ("summary.csv", bytes("u1")),
        ];
        let staged = stage(&lock, "x", first).expect("stage");
        assert_eq!(seen(&folder), []);
        staged.publish().expect("publish").tidy(&lock);
        let one = vec![
            ("summary.csv", "u1".into()),
            ("timeline.csv", "t1".into()),
            ("samples.csv", "s1".into()),
        ];
        assert_eq!(seen(&folder), one);
        let second = vec![("timeline.csv", bytes("t2")), ("summary.csv", bytes("u2"))];
        drop(stage(&lock, "x", second).expect("stage"));
        assert_eq!(seen(&folder), one, "an unpublished stage showed");
        assert_eq!(hidden(&folder), [".run", ".run-1"]);
        let second = vec![("timeline.csv", bytes("t2")), ("summary.csv", bytes("u2"))];
        let published = stage(&lock, "x", second)
            .expect("stage")
            .publish()
            .expect("publish");
        let two = vec![("summary.csv", "u2".into()), ("timeline.csv", "t2".into())];
        assert_eq!(seen(&folder), two);
        published.tidy(&lock);
        assert_eq!(seen(&folder), two);
        assert_eq!(hidden(&folder), [".run", ".run-2"]);
        assert!(std::fs::symlink_metadata(folder.join("samples.csv")).is_err());
    }

    /// Plain files are adopted without change before the new run shows.
    #[test]
    fn plain_files_are_adopted_unchanged() {
        let dir = tempfile::tempdir().expect("folder");
        let lock = OutLock::acquire(dir.path()).expect("lock");
        let folder = dir.path().join("x");
        std::fs::create_dir(&folder).expect("folder");
        std::fs::write(folder.join("summary.csv"), "old summary").expect("write");
        std::fs::write(folder.join("samples.csv"), "old samples").expect("write");
        std::fs::write(folder.join("sweep-a.csv"), "sweep").expect("write");
        let staged = stage(&lock, "x", vec![("summary.csv", bytes("new"))]).expect("stage");
        let old = vec![
            ("summary.csv", "old summary".into()),
            ("samples.csv", "old samples".into()),
        ];
        assert_eq!(seen(&folder), old);
        assert!(
            std::fs::symlink_metadata(folder.join("summary.csv")).is_ok_and(|m| m.is_symlink())
        );
        drop(staged);
        assert_eq!(seen(&folder), old);
        stage(&lock, "x", vec![("summary.csv", bytes("new"))])
            .expect("stage")
            .publish()
            .expect("publish")
            .tidy(&lock);
        assert_eq!(seen(&folder), [("summary.csv", "new".to_string())]);
        assert_eq!(
            std::fs::read_to_string(folder.join("sweep-a.csv")).expect("sweep"),
            "sweep"
        );
    }
}
