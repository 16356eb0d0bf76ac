//! CSV outputs (SPEC §6), every file written atomically through [`write_atomic`].
//!
//! Any number of processes may write into one `--out` at once (SPEC §7):
//! - a run's results (its `summary.csv` and `timeline.csv`, and its row of `<out>/summary.csv`)
//!   are written under an [`OutLock`] on `--out`, so no read-modify-rename of
//!   `<out>/summary.csv` ([`upsert_summary`]) overlaps another and no row is lost;
//! - while holding it, [`upsert_summary`] also takes every folder's own row: for each
//!   `<out>/NAME/summary.csv` holding one row for NAME, that row replaces or adds NAME's row,
//!   and rows whose folder file is missing or unreadable are kept as they are. A process
//!   killed between its folder's files and the root file leaves them disagreeing only until
//!   the next run or merge into `--out`;
//! - every [`AtomicFile`] locks its temporary file while writing it, and first removes the
//!   temporary files in its folder that nobody holds, left by killed writers.
//!
//! [`lock`] tells how the locks work.

pub mod cleanup;
pub mod lock;

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

/// Columns of `summary.csv`.
pub const SUMMARY_HEADER: [&str; 10] = [
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
];

/// Columns of `timeline.csv`.
pub const TIMELINE_HEADER: [&str; 6] = [
    "scenario",
    "month",
    "probability_in_month",
    "cumulative_probability",
    "ci95_low",
    "ci95_high",
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
}

impl RunSummary {
    /// The estimate of a treaty before the deadline: the last month's cumulative probability.
    pub fn estimate(&self) -> Estimate {
        self.tally
            .estimate(self.estimator, self.tally.sum.len() - 1)
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
        ]
    }

    /// `summary.csv` for this scenario alone.
    pub fn summary_csv(&self) -> Vec<u8> {
        csv_bytes(&SUMMARY_HEADER, std::iter::once(self.summary_row()))
    }

    /// `timeline.csv`: one row per month of the window.
    pub fn timeline_csv(&self) -> Vec<u8> {
        let rows = (0..self.tally.sum.len()).map(|t| {
            let e = self.tally.estimate(self.estimator, t);
            vec![
                self.scenario.clone(),
                self.start.plus(t).to_string(),
                float(self.tally.in_month(t)),
                float(e.probability),
                float(e.ci95_low),
                float(e.ci95_high),
            ]
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

/// Replaces the rows of `runs`' scenarios in `<out>/summary.csv` and every row whose
/// `<out>/NAME/summary.csv` says otherwise (adding those missing), keeps the others, and sorts
/// by scenario. The lock on `--out` (which also says where it is) keeps other processes from
/// updating the file meanwhile.
///
/// # Errors
/// When `--out` cannot be listed or the existing file is unreadable or has other columns.
pub fn upsert_summary(lock: &OutLock, runs: &[RunSummary]) -> Result<()> {
    let out = lock.out();
    let path = out.join("summary.csv");
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if path.exists() {
        let mut reader = csv::Reader::from_path(&path).map_err(|e| csv_error(&path, e))?;
        check_summary_header(&path, &mut reader)?;
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(&path, e))?;
            let row: Vec<String> = record.iter().map(str::to_string).collect();
            rows.insert(row[0].clone(), row);
        }
    }
    let entries = std::fs::read_dir(out).map_err(|e| Error::io("read folder", out, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read folder", out, e))?;
        if let Some(name) = entry.file_name().to_str()
            && let Some(row) = folder_row(&entry.path().join("summary.csv"), name)
        {
            rows.insert(name.to_string(), row);
        }
    }
    for run in runs {
        rows.insert(run.scenario.clone(), run.summary_row());
    }
    write_atomic(&path, &csv_bytes(&SUMMARY_HEADER, rows.into_values()))
}

/// Checks that a summary file has the summary's columns.
fn check_summary_header<R: std::io::Read>(path: &Path, reader: &mut csv::Reader<R>) -> Result<()> {
    let header = reader.headers().map_err(|e| csv_error(path, e))?;
    if header.iter().ne(SUMMARY_HEADER) {
        return Err(Error::Io {
            context: format!("'{}' is not a treatysim summary", path.display()),
            source: std::io::Error::other(format!(
                "its columns are {}",
                header.iter().collect::<Vec<_>>().join(",")
            )),
        });
    }
    Ok(())
}

/// The one row of a run folder's `summary.csv`, if it is a summary of `name` alone.
fn folder_row(path: &Path, name: &str) -> Option<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).ok()?;
    check_summary_header(path, &mut reader).ok()?;
    let mut records = reader.records();
    let row: Vec<String> = records.next()?.ok()?.iter().map(str::to_string).collect();
    (records.next().is_none() && row.first().is_some_and(|s| s == name)).then_some(row)
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    Error::Io {
        context: format!("could not read '{}'", path.display()),
        source: std::io::Error::other(e),
    }
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
    /// The header line.
    header: String,
    /// Positions (among the signatories) of those whose leaders can leave.
    exits: Vec<usize>,
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
            exits,
        }
    }

    /// The header line.
    pub fn header(&self) -> &str {
        &self.header
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
        };
        let text = String::from_utf8(run.summary_csv()).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(
                "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high"
            )
        );
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("x,indicator,2,7,2020-01,2020-03,0.5,0.3535533905932738,")
        );
        let timeline = String::from_utf8(run.timeline_csv()).unwrap();
        let rows: Vec<&str> = timeline.lines().collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[1].starts_with("x,2020-01,0,0,0,"), "{}", rows[1]);
        assert!(rows[2].starts_with("x,2020-02,0.5,0.5,"), "{}", rows[2]);
    }
}
