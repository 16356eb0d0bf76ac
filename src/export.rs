//! CSV outputs (SPEC §6), every file written atomically through [`write_atomic`] or
//! [`AtomicFile`] (a temporary file, flushed to disk, renamed into place).
//!
//! A run's files in `<out>/NAME/` change together ([`publish`]): a reader never sees two runs
//! mixed there, whenever the writer is killed (SPEC §7).
//!
//! Every check comes before the first write: [`check_outputs`] before a run simulates, and
//! [`prepare_summary`] under the lock just before the folder is published.
//!
//! Any number of processes may write into one `--out` at once (SPEC §7):
//! - a run's results (its files in `<out>/NAME/` and its row of `<out>/summary.csv`) are
//!   published under an [`OutLock`] on `--out` ([`publish_run`]), so no read-modify-rename of
//!   `<out>/summary.csv` ([`prepare_summary`]) overlaps another and no row is lost;
//! - while holding it, [`prepare_summary`] also takes every folder's own row: for each
//!   `<out>/NAME/summary.csv` holding one row for NAME, that row replaces or adds NAME's row,
//!   and rows whose folder file is missing or unreadable are kept as they are. A process
//!   killed between its folder and the root file leaves them disagreeing only until the next
//!   run or merge into `--out`; it also tidies every folder of what killed writers left;
//! - every [`AtomicFile`] locks its temporary file while writing it, and first removes the
//!   temporary files in its folder that nobody holds, left by killed writers; it registers it
//!   with [`cleanup`], so that a process ended by a signal removes it.
//!
//! [`lock`] tells how the locks work.

pub mod cleanup;
pub mod lock;
pub mod parquet_file;
pub mod provenance;
pub mod publish;

use crate::engine::{RecordFormat, Tally, TrialRecord};
use crate::error::{Error, Result};
use crate::model::Estimator;
use crate::month::Month;
use crate::stats::Estimate;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use cleanup::{CriticalSection, critical_section, exit_now};
pub use lock::OutLock;
pub use provenance::{Output, Record, RunToml};
pub use publish::Content;

/// Columns of `summary.csv`; `overrides` holds the `--set` arguments as given, joined by `; `.
pub const SUMMARY_HEADER: [&str; 11] = [
    "scenario",
    "estimator",
    "trials",
    "seed",
    "start",
    "deadline",
    "probability",
    "std_error",
    "ci95_low",
    "ci95_high",
    "overrides",
];

/// The columns `summary.csv` had before `overrides` (treatysim 0.2 before run.toml): such a
/// file is read as if its `overrides` were empty, and rewritten with the column.
const OLD_SUMMARY_COLUMNS: usize = 10;

/// Whether `header` is [`SUMMARY_HEADER`], or its columns before `overrides`.
fn summary_header(header: &csv::StringRecord) -> bool {
    header.iter().eq(SUMMARY_HEADER)
        || header
            .iter()
            .eq(SUMMARY_HEADER[..OLD_SUMMARY_COLUMNS].iter().copied())
}

/// Columns of `timeline.csv`.
pub const TIMELINE_HEADER: [&str; 9] = [
    "scenario",
    "month",
    "probability_in_month",
    "cumulative_probability",
    "ci95_low",
    "ci95_high",
    "remaining_probability",
    "remaining_ci95_low",
    "remaining_ci95_high",
];

/// A float in its shortest round-trip form: plain decimals, with an exponent only for very
/// small or very large magnitudes (`1e-7`), which every CSV reader parses.
pub fn float(x: f64) -> String {
    let magnitude = x.abs();
    if magnitude != 0.0 && !(1e-5..1e16).contains(&magnitude) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

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

/// A file being written: a hidden temporary file beside the target, renamed over it by
/// [`AtomicFile::commit`] and deleted if dropped uncommitted. The temporary file is locked while
/// it exists, so that other processes know it is not stale (see [`lock`]), and registered with
/// [`cleanup`], so that a process ended by a signal removes it.
pub struct AtomicFile {
    path: PathBuf,
    writer: std::io::BufWriter<tempfile::NamedTempFile>,
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
        lock::remove_stale_temporaries(dir);
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
        crate::digest::sha256_file(self.writer.get_ref().path())
    }

    /// Appends bytes.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(bytes)
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
            copied += n as u64;
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
        self.writer.write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// One finished run of one scenario.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// Scenario name.
    pub scenario: String,
    /// Estimator used.
    pub estimator: Estimator,
    /// Seed.
    pub seed: u64,
    /// First simulated month.
    pub start: Month,
    /// Deadline month (exclusive).
    pub deadline: Month,
    /// The tally of every trial.
    pub tally: Tally,
    /// The timeline when it is not the tally's own estimates (a pool's, SPEC §8); `None` for a
    /// run, whose estimates come from its tally.
    pub timeline: Option<Vec<MonthEstimate>>,
    /// The `--set` arguments as given.
    pub overrides: Vec<String>,
}

/// One month of a timeline that does not come from a tally's own sums.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MonthEstimate {
    /// The probability of signing in the month itself.
    pub in_month: f64,
    /// The cumulative probability by the end of the month.
    pub cumulative: Estimate,
    /// The remaining probability from the month on with its interval, where the timeline has
    /// one (a linear pool's); else it is computed from the cumulative curve, without interval.
    pub remaining: Option<Estimate>,
}

impl RunSummary {
    /// The estimate of a treaty before the deadline: the last month's cumulative probability.
    pub fn estimate(&self) -> Estimate {
        self.month(self.tally.sum.len() - 1).cumulative
    }

    /// Month `t`: its probability of signing and the cumulative estimate.
    pub fn month(&self, t: usize) -> MonthEstimate {
        match &self.timeline {
            Some(timeline) => timeline[t],
            None => MonthEstimate {
                in_month: self.tally.in_month(t),
                cumulative: self.tally.estimate(self.estimator, t),
                remaining: self.tally.remaining(self.estimator, t),
            },
        }
    }

    /// The three remaining-probability fields of month `t` (SPEC §6), empty once nothing is
    /// left. A linear pool's comes from its per-trial pooled outcome; a geometric pool's is
    /// (F_last − F_{t−1}) / (1 − F_{t−1}) of its pooled cumulative curve, without an interval
    /// (those two fields are empty).
    fn remaining(&self, t: usize) -> Vec<String> {
        let fields =
            |r: Estimate| vec![float(r.probability), float(r.ci95_low), float(r.ci95_high)];
        let Some(timeline) = &self.timeline else {
            return self
                .tally
                .remaining(self.estimator, t)
                .map_or_else(|| vec![String::new(); 3], fields);
        };
        if let Some(r) = timeline[t].remaining {
            return fields(r);
        }
        let last = timeline[timeline.len() - 1].cumulative.probability;
        let before = if t == 0 {
            0.0
        } else {
            timeline[t - 1].cumulative.probability
        };
        let Some(r) = crate::stats::remaining_probability(before, last) else {
            return vec![String::new(); 3];
        };
        vec![float(r), String::new(), String::new()]
    }

    /// This run's row of `summary.csv`.
    pub fn summary_row(&self) -> Vec<String> {
        let e = self.estimate();
        vec![
            self.scenario.clone(),
            self.estimator.name().to_string(),
            self.tally.trials.to_string(),
            self.seed.to_string(),
            self.start.to_string(),
            self.deadline.to_string(),
            float(e.probability),
            float(e.std_error),
            float(e.ci95_low),
            float(e.ci95_high),
            self.overrides.join("; "),
        ]
    }

    /// `summary.csv` for this scenario alone.
    pub fn summary_csv(&self) -> Vec<u8> {
        csv_bytes(&SUMMARY_HEADER, std::iter::once(self.summary_row()))
    }

    /// `timeline.csv`: one row per month of the window. The remaining probability's three
    /// fields are empty once nothing is left to forecast (every trial signed for certain
    /// before the month: [`Tally::remaining`]).
    pub fn timeline_csv(&self) -> Vec<u8> {
        let rows = (0..self.tally.sum.len()).map(|t| {
            let MonthEstimate {
                in_month,
                cumulative: e,
                ..
            } = self.month(t);
            let remaining = self.remaining(t);
            let mut row = vec![
                self.scenario.clone(),
                self.start.plus(t).to_string(),
                float(in_month),
                float(e.probability),
                float(e.ci95_low),
                float(e.ci95_high),
            ];
            row.extend(remaining);
            row
        });
        csv_bytes(&TIMELINE_HEADER, rows)
    }
}

/// A CSV file's bytes.
pub fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

/// Publishes a finished run (SPEC §6, §7), under the lock on `--out` and in the
/// [`critical_section`]: prepares `<out>/summary.csv` ([`prepare_summary`]: every check, and
/// the new file flushed to disk), writes the run's files into a new version of `<out>/NAME/`
/// ([`publish::stage`]), publishes them all at once, then renames the root summary into place.
/// `samples` is the run's `samples.csv` or `samples.parquet`, already written to a temporary
/// file in `<out>/NAME/` (a run without it removes the samples file of the run before);
/// `record` (and, for merged shards, `shard_command`) go into its `run.toml`.
///
/// Until the folder is published nothing a reader sees has changed, and an error or an
/// interruption leaves everything as it was. A process killed between the folder and the root
/// file leaves the root row behind; the next `run` or `merge` into `--out` brings it up to
/// date ([`prepare_summary`]).
///
/// # Errors
/// [`Error::Interrupted`], [`Error::Invalid`] for output files that are not treatysim's, I/O
/// errors.
pub fn publish_run(
    out: &Path,
    run: &RunSummary,
    record: Record,
    shard_command: Vec<String>,
    samples: Option<(SamplesFormat, AtomicFile)>,
) -> Result<()> {
    let mut files = vec![("timeline.csv".into(), Content::Bytes(run.timeline_csv()))];
    if let Some((kind, samples)) = samples {
        files.push((kind.file_name().to_string(), Content::File(samples)));
    }
    publish_with(out, run, record, shard_command, files)
}

/// Publishes a pool (SPEC §8) as [`publish_run`] publishes a run: its `pool.csv` with the
/// chosen method's `summary.csv` and `timeline.csv` and `run.toml`, all at once, and its row of
/// `<out>/summary.csv`.
///
/// # Errors
/// As [`publish_run`].
/// A pool with a direct forecast among its members has no `timeline.csv` (`timeline` false).
pub fn publish_pool(
    out: &Path,
    run: &RunSummary,
    record: Record,
    pool_csv: Vec<u8>,
    timeline: bool,
) -> Result<()> {
    let mut files = vec![("pool.csv".into(), Content::Bytes(pool_csv))];
    if timeline {
        files.push(("timeline.csv".into(), Content::Bytes(run.timeline_csv())));
    }
    publish_with(out, run, record, Vec::new(), files)
}

/// [`publish_run`] with `files` besides the run's summary and timeline.
fn publish_with(
    out: &Path,
    run: &RunSummary,
    record: Record,
    shard_command: Vec<String>,
    mut files: Vec<(String, Content)>,
) -> Result<()> {
    crate::engine::check_interrupted()?;
    let lock = OutLock::acquire(out)?;
    let _critical = critical_section();
    let root = prepare_summary(&lock, std::slice::from_ref(run))?;
    files.push(("summary.csv".into(), Content::Bytes(run.summary_csv())));
    let publication = Publication {
        name: run.scenario.clone(),
        files,
        output: None,
        record,
        shard_command,
    };
    let staged = stage_publication(&lock, publication)?;
    crate::engine::check_interrupted()?;
    let published = staged.publish()?;
    root.commit()?;
    published.tidy(&lock);
    Ok(())
}

/// Files to publish together into `<out>/NAME/`, with `run.toml`.
pub struct Publication {
    /// NAME: the folder (scenario name or `--as` label).
    pub name: String,
    /// The files, by name.
    pub files: Vec<(String, Content)>,
    /// `None` for a plain run (its files replace [`publish::RUN_FILES`]); the output's name
    /// (`sweep-KEY`, `sensitivity`) for an analysis, which replaces only its own files.
    pub output: Option<String>,
    /// What produced the files.
    pub record: Record,
    /// For merged shards, the first shard's command line; empty otherwise.
    pub shard_command: Vec<String>,
}

/// Publishes an analysis's files into `<out>/NAME/` with `run.toml`, under the lock on `out`
/// and in the [`critical_section`] (SPEC §7): the folder's other files stay.
///
/// # Errors
/// [`Error::Interrupted`], [`Error::Invalid`] when the folder cannot take the files, I/O
/// errors; nothing a reader sees has changed then.
pub fn publish_analysis(out: &Path, publication: Publication) -> Result<()> {
    crate::engine::check_interrupted()?;
    let lock = OutLock::acquire(out)?;
    let _critical = critical_section();
    let staged = stage_publication(&lock, publication)?;
    crate::engine::check_interrupted()?;
    staged.publish()?.tidy(&lock);
    Ok(())
}

/// Steps 1-3 of a publication ([`publish::stage`]) with `run.toml`: the folder's current
/// `run.toml` updated with this publication's record, and every file's SHA-256.
fn stage_publication(lock: &OutLock, publication: Publication) -> Result<publish::Staged> {
    let Publication {
        name,
        mut files,
        output,
        record,
        shard_command,
    } = publication;
    let names: Vec<String> = files.iter().map(|(f, _)| f.clone()).collect();
    // A run.toml that cannot be read is replaced by one that describes what is there.
    let folder = publish::folder_path(lock.out(), &name)?;
    let current = RunToml::read(&folder.join(publish::RUN_TOML))
        .ok()
        .flatten();
    // Plain files the current run.toml lists (a folder of plain files) are converted too, to
    // be carried over.
    let mut convert: Vec<&str> = names.iter().map(String::as_str).collect();
    if let Some(current) = &current {
        convert.extend(current.files.keys().map(String::as_str));
    }
    let convert: Vec<&str> = convert
        .into_iter()
        .filter(|f| crate::scenario::valid_scenario_name(f))
        .collect();
    publish::prepare(lock, &name, &convert)?;
    let mut toml = current.unwrap_or_else(|| RunToml::new(&name));
    let replaced = |f: &str| {
        f == publish::RUN_TOML
            || names.iter().any(|n| n == f)
            || (output.is_none() && publish::RUN_FILES.contains(&f))
    };
    let carry: Vec<String> = publish::current_files(&folder)
        .into_iter()
        .filter(|f| !replaced(f))
        .collect();
    let mut hashes = BTreeMap::new();
    for (file, content) in &mut files {
        let hash = match content {
            Content::Bytes(bytes) => crate::digest::sha256_hex(bytes),
            Content::File(temp) => temp.sha256()?,
        };
        hashes.insert(file.clone(), hash);
    }
    for file in &carry {
        let hash = match toml.files.get(file) {
            Some(hash) => hash.clone(),
            None => crate::digest::sha256_file(&folder.join(file))?,
        };
        hashes.insert(file.clone(), hash);
    }
    toml.treatysim = env!("CARGO_PKG_VERSION").to_string();
    toml.label = name.clone();
    match output {
        None => {
            toml.run = Some(record);
            toml.shard_command = shard_command;
        }
        Some(output) => {
            toml.outputs.insert(
                output,
                Output {
                    record,
                    files: names.clone(),
                    shard_command,
                },
            );
        }
    }
    if !hashes.contains_key("summary.csv") {
        toml.run = None;
        toml.shard_command = Vec::new();
    }
    toml.outputs
        .retain(|_, o| o.files.iter().all(|f| hashes.contains_key(f)));
    toml.files = hashes;
    files.push((
        publish::RUN_TOML.into(),
        Content::Bytes(toml.to_text().into_bytes()),
    ));
    publish::stage(lock, &name, files, &carry)
}

/// `<out>/summary.csv`, rewritten and flushed to disk but not yet renamed into place: see
/// [`prepare_summary`].
pub struct PendingSummary {
    file: AtomicFile,
}

impl PendingSummary {
    /// Renames the new `<out>/summary.csv` into place.
    ///
    /// # Errors
    /// I/O errors.
    pub fn commit(self) -> Result<()> {
        self.file.commit()
    }
}

/// Writes the next `<out>/summary.csv` to a temporary file, flushed to disk, for the caller to
/// rename into place once the runs' folders are published: the rows of `runs`' scenarios are
/// replaced, so is every row whose `<out>/NAME/summary.csv` says otherwise (those missing are
/// added), the others are kept, all sorted by scenario. The lock on `--out` (which also says
/// where it is) keeps other processes from updating the file meanwhile. While it holds the
/// lock, this also tidies every scenario folder ([`publish::tidy_folder`]): what a killed
/// publication left goes.
///
/// Everything that could fail is done here, before any output changes: an existing file that
/// is not a treatysim summary, a folder that cannot be written, a full disk.
///
/// # Errors
/// [`Error::Invalid`] when the existing file is not a treatysim summary; I/O errors.
pub fn prepare_summary(lock: &OutLock, runs: &[RunSummary]) -> Result<PendingSummary> {
    let out = lock.out();
    let path = out.join("summary.csv");
    let mut rows = read_summary(&path)?.unwrap_or_default();
    let entries = std::fs::read_dir(out).map_err(|e| Error::io("read folder", out, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read folder", out, e))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if !crate::scenario::valid_scenario_name(&name)
            || !entry.file_type().is_ok_and(|t| t.is_dir())
        {
            continue;
        }
        publish::tidy_folder(lock, &entry.path());
        if let Some(row) = folder_row(&entry.path().join("summary.csv"), &name) {
            rows.insert(name, row);
        }
    }
    for run in runs {
        rows.insert(run.scenario.clone(), run.summary_row());
    }
    let mut file = AtomicFile::create(&path)?;
    file.write_all(&csv_bytes(&SUMMARY_HEADER, rows.into_values()))
        .map_err(|e| Error::io("write", &path, e))?;
    file.finish()?;
    Ok(PendingSummary { file })
}

/// Replaces the rows of `runs`' scenarios in `<out>/summary.csv`, as [`prepare_summary`]
/// prepares it, and renames it into place.
///
/// # Errors
/// As [`prepare_summary`].
pub fn upsert_summary(lock: &OutLock, runs: &[RunSummary]) -> Result<()> {
    prepare_summary(lock, runs)?.commit()
}

/// The rows of an existing `<out>/summary.csv` by scenario (`None` when there is none), checked
/// to be a treatysim summary: its columns, one row per valid scenario name, each with every
/// column.
///
/// # Errors
/// [`Error::Invalid`] naming the file and line when it is not a treatysim summary; I/O errors
/// when it cannot be read.
pub fn read_summary(path: &Path) -> Result<Option<BTreeMap<String, Vec<String>>>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(foreign_summary(path, "it is a folder"));
    }
    let mut reader = csv::Reader::from_reader(std::io::BufReader::new(file));
    let header = reader
        .headers()
        .map_err(|e| foreign_summary(path, &csv_problem(e)))?;
    if !summary_header(header) {
        return Err(foreign_summary(
            path,
            &format!(
                "its columns are {}, not {}",
                header.iter().collect::<Vec<_>>().join(","),
                SUMMARY_HEADER.join(",")
            ),
        ));
    }
    let mut rows = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| foreign_summary(path, &csv_problem(e)))?;
        let line = record.position().map_or(0, csv::Position::line);
        let mut row: Vec<String> = record.iter().map(str::to_string).collect();
        row.resize(SUMMARY_HEADER.len(), String::new());
        let name = row.first().cloned().unwrap_or_default();
        if !crate::scenario::valid_scenario_name(&name) {
            return Err(foreign_summary(
                path,
                &format!(
                    "line {line}: {}",
                    crate::scenario::name_rule("the scenario", &name)
                ),
            ));
        }
        if rows.insert(name.clone(), row).is_some() {
            return Err(foreign_summary(
                path,
                &format!("line {line}: a second row for scenario \"{name}\""),
            ));
        }
    }
    Ok(Some(rows))
}

/// The error for an existing `summary.csv` that treatysim would have to replace but did not
/// write: invalid input (exit 2), since it was written or edited by someone else.
fn foreign_summary(path: &Path, why: &str) -> Error {
    Error::Invalid(format!(
        "'{}' is not a treatysim summary: {why}; it was left as it is, and nothing was written: \
         move it away or choose another --out",
        path.display()
    ))
}

/// A CSV reading error in words, with its line where known.
fn csv_problem(e: csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos: Some(pos),
            expected_len,
            len,
        } => format!(
            "line {}: {len} fields where the header has {expected_len}",
            pos.line()
        ),
        csv::ErrorKind::Utf8 { pos: Some(pos), .. } => {
            format!("line {}: not UTF-8 text", pos.line())
        }
        _ => e.to_string(),
    }
}

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

/// The one row of a run folder's `summary.csv`, if it is a summary of `name` alone.
fn folder_row(path: &Path, name: &str) -> Option<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).ok()?;
    let header = reader.headers().ok()?;
    if !summary_header(header) {
        return None;
    }
    let mut records = reader.records();
    let mut row: Vec<String> = records.next()?.ok()?.iter().map(str::to_string).collect();
    row.resize(SUMMARY_HEADER.len(), String::new());
    (records.next().is_none() && row.first().is_some_and(|s| s == name)).then_some(row)
}

/// The rows of `samples.csv`: `trial`, every parameter's draw in canonical order headed by
/// its key, `party.P.leader_exit_month` for each signatory whose leader can leave, then
/// `signed_month` (indicator) or `signed_probability` (conditional).
#[derive(Clone, Debug)]
pub struct SampleFormat {
    /// First simulated month (month indices are written as `YYYY-MM`).
    pub start: Month,
    /// The estimator: decides the last column.
    pub estimator: Estimator,
    /// The column names.
    columns: Vec<String>,
    /// The header line.
    header: String,
    /// Positions (among the signatories) of those whose leaders can leave.
    exits: Vec<usize>,
    /// Whether each parameter is a constant (its column holds one value), canonical order.
    constant: Vec<bool>,
}

impl SampleFormat {
    /// The format of `scenario`'s samples, compiled as `model`, under `estimator`.
    pub fn new(
        scenario: &crate::scenario::Scenario,
        model: &crate::model::Model,
        estimator: Estimator,
    ) -> SampleFormat {
        let cast = &scenario.cast;
        let exits: Vec<usize> = (0..model.signatories())
            .filter(|k| model.can_leave(*k))
            .collect();
        let signatories: Vec<usize> = cast.signatories().collect();
        let mut header = vec!["trial".to_string()];
        header.extend(cast.keys().map(str::to_string));
        header.extend(exits.iter().map(|k| {
            format!(
                "party.{}.leader_exit_month",
                cast.parties[signatories[*k]].name
            )
        }));
        header.push(
            match estimator {
                Estimator::Indicator => "signed_month",
                Estimator::Conditional => "signed_probability",
            }
            .to_string(),
        );
        SampleFormat {
            start: scenario.simulation.start,
            estimator,
            header: format!("{}\n", header.join(",")),
            columns: header,
            exits,
            constant: cast
                .ids()
                .map(|id| scenario.dist(id).is_constant())
                .collect(),
        }
    }

    /// The header line.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// The column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Positions (among the signatories) of those whose leaders can leave: one
    /// `party.P.leader_exit_month` column each.
    pub fn exits(&self) -> &[usize] {
        &self.exits
    }

    /// Whether each parameter's column holds one value (a constant), canonical order.
    pub fn constant_draws(&self) -> &[bool] {
        &self.constant
    }

    /// The number of `party.P.leader_exit_month` columns.
    pub fn exit_columns(&self) -> usize {
        self.exits.len()
    }
}

impl RecordFormat for SampleFormat {
    fn format(&self, record: &TrialRecord<'_>, out: &mut Vec<u8>) {
        let month = |m: Option<usize>| {
            m.map(|t| self.start.plus(t).to_string())
                .unwrap_or_default()
        };
        let _ = write!(out, "{}", record.trial);
        for draw in record.draws {
            let _ = write!(out, ",{}", float(*draw));
        }
        for &k in &self.exits {
            let exit = record.exits[k];
            let _ = write!(out, ",{}", month((exit != usize::MAX).then_some(exit)));
        }
        let last = match self.estimator {
            Estimator::Indicator => month(record.signed_month),
            Estimator::Conditional => float(record.cumulative.last().copied().unwrap_or(0.0)),
        };
        let _ = writeln!(out, ",{last}");
    }

    fn record_bytes(&self) -> usize {
        20 * self.columns.len()
    }
}

/// Streams `samples.csv` to an [`AtomicFile`].
pub struct SamplesWriter {
    file: AtomicFile,
    /// The row format.
    pub format: SampleFormat,
}

impl SamplesWriter {
    /// Starts `path`, with the header line unless this is a shard's part.
    ///
    /// # Errors
    /// I/O errors.
    pub fn create(path: &Path, format: SampleFormat, header: bool) -> Result<SamplesWriter> {
        let mut file = AtomicFile::create(path)?;
        if header {
            file.write_all(format.header().as_bytes())
                .map_err(|e| Error::io("write", path, e))?;
        }
        Ok(SamplesWriter { file, format })
    }

    /// Appends rows.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&mut self, rows: &[u8]) -> Result<()> {
        self.file
            .write_all(rows)
            .map_err(|e| Error::io("write", &self.file.path, e))
    }

    /// Flushes and renames the file into place.
    ///
    /// # Errors
    /// I/O errors.
    pub fn commit(self) -> Result<()> {
        self.file.commit()
    }

    /// The file written so far, not yet in place: for a run's publication
    /// ([`publish::Content::File`]).
    pub fn into_file(self) -> AtomicFile {
        self.file
    }
}

/// The file format of `--samples` (`--samples-format`).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SamplesFormat {
    /// `samples.csv`.
    #[default]
    Csv,
    /// `samples.parquet` ([`parquet_file`]).
    Parquet,
}

impl SamplesFormat {
    /// Its file name extension: `csv` or `parquet`.
    pub fn extension(self) -> &'static str {
        match self {
            SamplesFormat::Csv => "csv",
            SamplesFormat::Parquet => "parquet",
        }
    }

    /// The run file it writes: `samples.csv` or `samples.parquet`.
    pub fn file_name(self) -> &'static str {
        match self {
            SamplesFormat::Csv => "samples.csv",
            SamplesFormat::Parquet => "samples.parquet",
        }
    }

    /// Whether it is CSV, the default (which shard files do not write down).
    pub fn is_csv(&self) -> bool {
        *self == SamplesFormat::Csv
    }

    /// The engine's record format for `format`'s columns in this file format.
    pub fn records(self, format: &SampleFormat) -> Box<dyn RecordFormat> {
        match self {
            SamplesFormat::Csv => Box::new(format.clone()),
            SamplesFormat::Parquet => Box::new(parquet_file::ParquetRecords::new(format.clone())),
        }
    }
}

/// A samples file being streamed, in either format.
pub enum SamplesSink {
    /// `samples.csv` or a CSV part.
    Csv(SamplesWriter),
    /// `samples.parquet` or a Parquet part.
    Parquet(parquet_file::ParquetWriter),
}

impl SamplesSink {
    /// Starts `path` in `kind` with `format`'s columns; a CSV `header` line unless this is a
    /// shard's CSV part.
    ///
    /// # Errors
    /// I/O errors.
    pub fn create(
        path: &Path,
        kind: SamplesFormat,
        format: &SampleFormat,
        header: bool,
    ) -> Result<SamplesSink> {
        Ok(match kind {
            SamplesFormat::Csv => {
                SamplesSink::Csv(SamplesWriter::create(path, format.clone(), header)?)
            }
            SamplesFormat::Parquet => {
                SamplesSink::Parquet(parquet_file::ParquetWriter::create(path, format)?)
            }
        })
    }

    /// Appends the engine's rows (as [`SamplesFormat::records`] formats them).
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&mut self, rows: Vec<u8>) -> Result<()> {
        match self {
            SamplesSink::Csv(w) => w.write(&rows),
            SamplesSink::Parquet(w) => w.write(rows),
        }
    }

    /// The file written, complete (a Parquet footer written) but not yet in place: for a run's
    /// publication, or [`AtomicFile::commit`].
    ///
    /// # Errors
    /// I/O errors.
    pub fn into_file(self) -> Result<AtomicFile> {
        match self {
            SamplesSink::Csv(w) => Ok(w.into_file()),
            SamplesSink::Parquet(w) => w.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_shortest_round_trip() {
        assert_eq!(float(0.1), "0.1");
        assert_eq!(float(1.0), "1");
        assert_eq!(float(0.0), "0");
        assert_eq!(float(1e-7), "1e-7");
        assert_eq!(float(0.041_234_567_890_123_4), "0.0412345678901234");
        for x in [0.1 + 0.2, 1.0 / 3.0, 2.5e-9, 123.456] {
            assert_eq!(float(x).parse::<f64>().unwrap(), x);
        }
    }

    /// Only a folder's `summary.csv` that is a summary of that folder's name alone is taken.
    #[test]
    fn upsert_takes_each_folders_own_row() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let out = dir.path();
        let row = |name: &str, trials: &str| {
            vec![
                name,
                "indicator",
                trials,
                "7",
                "2020-01",
                "2020-03",
                "0.5",
                "0.1",
                "0.3",
                "0.7",
                "",
            ]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
        };
        let write = |path: &str, bytes: &[u8]| {
            std::fs::create_dir_all(out.join(path).parent().expect("folder")).expect("folder");
            std::fs::write(out.join(path), bytes).expect("write");
        };
        let root = [row("a", "1"), row("b", "1"), row("c", "1")];
        write("summary.csv", &csv_bytes(&SUMMARY_HEADER, root.clone()));
        write(
            "a/summary.csv",
            &csv_bytes(&SUMMARY_HEADER, [row("a", "2")]),
        );
        write("b/summary.csv", b"not a summary\n");
        write(
            "c/summary.csv",
            &csv_bytes(&SUMMARY_HEADER, [row("x", "2")]),
        );
        write(
            "d/summary.csv",
            &csv_bytes(&SUMMARY_HEADER, [row("d", "2")]),
        );
        let two = [row("e", "2"), row("e", "3")];
        write("e/summary.csv", &csv_bytes(&SUMMARY_HEADER, two));
        let lock = OutLock::acquire(out).expect("lock");
        upsert_summary(&lock, &[]).expect("upsert");
        let expected = [row("a", "2"), row("b", "1"), row("c", "1"), row("d", "2")];
        assert_eq!(
            std::fs::read(out.join("summary.csv")).expect("read"),
            csv_bytes(&SUMMARY_HEADER, expected)
        );
    }

    #[test]
    fn summary_snapshot() {
        let mut block = crate::engine::BlockTally::new(2);
        block.add(&[0.0, 1.0]);
        block.add(&[0.0, 0.0]);
        let mut tally = Tally::new(2);
        tally.add_block(&block);
        let run = RunSummary {
            scenario: "x".into(),
            estimator: Estimator::Indicator,
            seed: 7,
            start: Month::parse("2020-01").unwrap(),
            deadline: Month::parse("2020-03").unwrap(),
            tally,
            timeline: None,
            overrides: vec!["a.b=1".into(), "c=beta(1, 2)".into()],
        };
        let text = String::from_utf8(run.summary_csv()).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(
                "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high,overrides"
            )
        );
        let row = lines.next().unwrap();
        assert!(
            row.starts_with("x,indicator,2,7,2020-01,2020-03,0.5,0.3535533905932738,"),
            "{row}"
        );
        assert!(row.ends_with(",\"a.b=1; c=beta(1, 2)\""), "{row}");
        let timeline = String::from_utf8(run.timeline_csv()).unwrap();
        let rows: Vec<&str> = timeline.lines().collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[1].starts_with("x,2020-01,0,0,0,"), "{}", rows[1]);
        assert!(rows[2].starts_with("x,2020-02,0.5,0.5,"), "{}", rows[2]);
    }
}
