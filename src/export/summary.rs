//! `summary.csv` and `timeline.csv` (SPEC §6): a run's rows, and the root `<out>/summary.csv`
//! that keeps one row per folder.

use super::{AtomicFile, OutLock, csv_bytes, float, tidy};
use crate::engine::Tally;
use crate::error::{Error, Result};
use crate::model::Estimator;
use crate::month::Month;
use crate::stats::Estimate;
use std::collections::BTreeMap;
use std::path::Path;

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
/// lock, this also tidies every scenario folder (`tidy_folder`): what a killed
/// publication left goes.
///
/// Everything that could fail is done here, before any output changes: an existing file that
/// is not a treatysim summary, a folder that cannot be written, a full disk.
///
/// # Errors
/// [`Error::Invalid`] when the existing file is not a treatysim summary; I/O errors.
pub fn prepare_summary(lock: &OutLock, runs: &[RunSummary]) -> Result<PendingSummary> {
    let path = lock.out().join("summary.csv");
    let mut rows = read_summary(&path)?.unwrap_or_default();
    let folders = folder_rows(lock, &rows)?;
    rows.extend(folders);
    for run in runs {
        rows.insert(run.scenario.clone(), run.summary_row());
    }
    write_pending(&path, rows)
}

/// `rows` as the next `<out>/summary.csv`, flushed to disk, not yet in place.
fn write_pending(path: &Path, rows: BTreeMap<String, Vec<String>>) -> Result<PendingSummary> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(&csv_bytes(&SUMMARY_HEADER, rows.into_values()))
        .map_err(|e| Error::io("write", path, e))?;
    file.finish()?;
    Ok(PendingSummary { file })
}

/// Brings every row of `<out>/summary.csv` back into agreement with its folder's own
/// `summary.csv` (SPEC §7: "once any command has written into `--out` after a crash, every row
/// agrees with its folder's `summary.csv` again"), under the lock, tidying every folder as
/// [`prepare_summary`] does. The file is rewritten only when a row differs (or is missing).
/// Every command that writes into `--out` calls this ([`repair`]), so a process killed between
/// publishing a folder and renaming the root file leaves a stale row only until then.
///
/// # Errors
/// [`Error::Invalid`] when the existing file is not a treatysim summary; I/O errors.
pub fn repair_summary(lock: &OutLock) -> Result<()> {
    let path = lock.out().join("summary.csv");
    let current = read_summary(&path)?.unwrap_or_default();
    let mut rows = current.clone();
    rows.extend(folder_rows(lock, &current)?);
    if rows == current {
        return Ok(());
    }
    write_pending(&path, rows)?.commit()
}

/// [`repair_summary`] for a command about to write into `out`: takes the lock on `out` (when
/// `out` exists; there is nothing to repair otherwise) for the time of the repair.
///
/// # Errors
/// As [`repair_summary`]; [`Error::Invalid`] when the lock file is a link; I/O errors.
pub fn repair(out: &Path) -> Result<()> {
    if !out.is_dir() {
        return Ok(());
    }
    let lock = OutLock::acquire(out)?;
    let _critical = super::critical_section();
    repair_summary(&lock)
}

/// The own row of every folder of `out` whose `summary.csv` holds one row of its name that
/// differs from its row in `current` (the root summary's rows), checked
/// ([`verified_folder_row`]), after tidying each folder of what killed publications left (the
/// lock is held). A folder whose row cannot be verified (its `summary.csv` edited since it was
/// written, no `run.toml` to check it against, a field out of its range) is left out, with a
/// warning naming the file: its row in the root summary stays as it was, or stays absent, and
/// the command goes on (a command that reads that folder refuses it on its own).
fn folder_rows(
    lock: &OutLock,
    current: &BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, Vec<String>>> {
    let out = lock.out();
    let mut rows = BTreeMap::new();
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
        tidy::tidy_folder(lock, &entry.path());
        let Some(row) = folder_row(&entry.path(), &name) else {
            continue;
        };
        if current.get(&name) == Some(&row) {
            continue;
        }
        match verified_folder_row(&entry.path(), row) {
            Ok(row) => {
                rows.insert(name, row);
            }
            Err(why) => {
                let kept = if current.contains_key(&name) {
                    format!("its row of {name} was kept as it was")
                } else {
                    format!("it has no row of {name}")
                };
                super::warn(
                    &format!("unverified {}", entry.path().display()),
                    &format!(
                        "{why}; so it was not copied into '{}' ({kept}): rerun the command that \
                         wrote '{}' to bring its row back",
                        out.join("summary.csv").display(),
                        entry.path().display()
                    ),
                );
            }
        }
    }
    Ok(rows)
}

/// `row`, the one row of `<folder>/summary.csv`, if the file is the one its `run.toml` lists
/// (by SHA-256) and its fields are in range ([`check_row`]); else why not.
fn verified_folder_row(
    folder: &Path,
    row: Vec<String>,
) -> std::result::Result<Vec<String>, String> {
    let file = folder.join("summary.csv");
    let run = super::RunFolder::resolve(folder).map_err(|e| e.to_string())?;
    let toml = match run.run_toml() {
        Ok(Some(toml)) => toml,
        Ok(None) => {
            return Err(format!(
                "'{}' has no '{}' beside it to be checked against (an older treatysim's \
                 folder, or files written by hand)",
                file.display(),
                folder.join(super::layout::RUN_TOML).display()
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    // Its advice to rerun is the warning's, said once.
    let bytes = run
        .read_verified(&toml, "summary.csv", SUMMARY_LIMIT)
        .map_err(|e| {
            e.to_string()
                .trim_end_matches("; rerun the scenario")
                .to_string()
        })?;
    // The row checked is the one in the bytes verified (the file could have been replaced
    // since `folder_row` read it).
    let verified = only_row(bytes.as_slice())
        .ok_or_else(|| format!("'{}' holds not one row of its own", file.display()))?;
    if verified != row {
        return Err(format!("'{}' changed while it was read", file.display()));
    }
    check_row(&verified).map_err(|why| format!("'{}': {why}", file.display()))?;
    Ok(verified)
}

/// The largest run folder `summary.csv` read to verify it (treatysim's hold one row).
const SUMMARY_LIMIT: u64 = 1 << 20;

/// The one row of a summary (padded to every column), if it has a summary header and
/// exactly one row: what a run's folder holds.
fn only_row(summary: impl std::io::Read) -> Option<Vec<String>> {
    let mut reader = csv::Reader::from_reader(summary);
    if !summary_header(reader.headers().ok()?) {
        return None;
    }
    let mut records = reader.records();
    let mut row: Vec<String> = records.next()?.ok()?.iter().map(str::to_string).collect();
    row.resize(SUMMARY_HEADER.len(), String::new());
    records.next().is_none().then_some(row)
}

/// Checks the fields of a summary row as treatysim writes them: a known estimator, at least
/// one trial, a seed, a window of at least one month, a probability and its interval within
/// [0, 1] with the probability inside it, and a finite, non-negative standard error.
///
/// # Errors
/// Which column is wrong, with its value and what it should be.
fn check_row(row: &[String]) -> std::result::Result<(), String> {
    let field = |i: usize| row.get(i).map_or("", String::as_str);
    let bad = |i: usize, what: &str| {
        format!(
            "its {} '{}' is not {what}",
            SUMMARY_HEADER[i],
            field(i).escape_debug()
        )
    };
    if !["conditional", "indicator"].contains(&field(1)) {
        return Err(bad(1, "conditional or indicator"));
    }
    if !field(2).parse::<u64>().is_ok_and(|n| n > 0) {
        return Err(bad(2, "a whole number of trials from 1"));
    }
    if field(3).parse::<u64>().is_err() {
        return Err(bad(3, "a seed (a whole number from 0)"));
    }
    let start = Month::parse(field(4)).map_err(|_| bad(4, "a month YYYY-MM"))?;
    let deadline = Month::parse(field(5)).map_err(|_| bad(5, "a month YYYY-MM"))?;
    if deadline <= start {
        return Err(bad(5, "a month after the start"));
    }
    let number = |i: usize, ok: &dyn Fn(f64) -> bool, what: &str| {
        field(i)
            .parse::<f64>()
            .ok()
            .filter(|x| ok(*x))
            .ok_or_else(|| bad(i, what))
    };
    let unit = |x: f64| (0.0..=1.0).contains(&x);
    let p = number(6, &unit, "a probability from 0 to 1")?;
    number(
        7,
        &|x: f64| x.is_finite() && x >= 0.0,
        "a finite standard error from 0",
    )?;
    // Rounding aside, the estimate lies inside its interval.
    let slack = 1e-12;
    number(
        8,
        &|x: f64| unit(x) && x <= p + slack,
        "a probability from 0 to the estimate",
    )?;
    number(
        9,
        &|x: f64| unit(x) && x >= p - slack,
        "a probability from the estimate to 1",
    )?;
    Ok(())
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
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(foreign_summary(path, "it is a folder"));
    }
    let Some(file) = super::guard::open_regular(path)? else {
        return Ok(None);
    };
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

/// The one row of a run folder's `summary.csv` (read from its current version, without
/// following links), if it is a summary of `name` alone.
pub fn folder_row(folder: &Path, name: &str) -> Option<Vec<String>> {
    let file = super::RunFolder::resolve(folder)
        .ok()?
        .open("summary.csv")
        .ok()??;
    only_row(std::io::BufReader::new(file)).filter(|row| row.first().is_some_and(|s| s == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The warnings of [`upsert_takes_each_folders_own_row`] (this process's handler).
    static WARNED: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

    /// Only a folder's `summary.csv` that is a summary of that folder's name alone, listed in
    /// its `run.toml` and with its fields in range, is taken.
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
        // A folder's summary.csv with the run.toml that lists it (or, `sealed` false, lists
        // other bytes).
        let folder = |name: &str, bytes: &[u8], sealed: bool| {
            write(&format!("{name}/summary.csv"), bytes);
            let mut toml = super::super::RunToml::new(name);
            let listed = if sealed { bytes } else { b"other bytes" };
            toml.files
                .insert("summary.csv".into(), crate::digest::sha256_hex(listed));
            write(&format!("{name}/run.toml"), toml.to_text().as_bytes());
        };
        let root = [
            row("a", "1"),
            row("b", "1"),
            row("c", "1"),
            row("f", "1"),
            row("h", "1"),
        ];
        write("summary.csv", &csv_bytes(&SUMMARY_HEADER, root.clone()));
        folder("a", &csv_bytes(&SUMMARY_HEADER, [row("a", "2")]), true);
        write("b/summary.csv", b"not a summary\n");
        folder("c", &csv_bytes(&SUMMARY_HEADER, [row("x", "2")]), true);
        folder("d", &csv_bytes(&SUMMARY_HEADER, [row("d", "2")]), true);
        let two = [row("e", "2"), row("e", "3")];
        folder("e", &csv_bytes(&SUMMARY_HEADER, two), true);
        // Edited since it was written, or out of range: the root row stays, or stays absent.
        folder("f", &csv_bytes(&SUMMARY_HEADER, [row("f", "2")]), false);
        folder("g", &csv_bytes(&SUMMARY_HEADER, [row("g", "2")]), false);
        folder("h", &csv_bytes(&SUMMARY_HEADER, [row("h", "0")]), true);
        // No run.toml to check it against.
        write(
            "i/summary.csv",
            &csv_bytes(&SUMMARY_HEADER, [row("i", "2")]),
        );
        super::super::set_warning_handler(|about, text| {
            WARNED
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((about.to_string(), text.to_string()));
        });
        let lock = OutLock::acquire(out).expect("lock");
        upsert_summary(&lock, &[]).expect("upsert");
        // One warning for each folder left out, naming its file and why.
        let mut warned = WARNED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        warned.sort();
        let says = [
            ("f", "SHA-256", "its row of f was kept"),
            ("g", "SHA-256", "it has no row of g"),
            ("h", "its trials '0'", "its row of h was kept"),
            ("i", "has no", "it has no row of i"),
        ];
        assert_eq!(warned.len(), says.len(), "{warned:?}");
        for ((about, text), (name, why, kept)) in warned.iter().zip(says) {
            let file = out.join(name).join("summary.csv").display().to_string();
            assert!(about.ends_with(&format!("/{name}")), "{about}");
            assert!(
                text.starts_with(&format!("'{file}'")) && text.contains(why) && text.contains(kept),
                "{text}"
            );
            assert_eq!(text.matches("rerun").count(), 1, "{text}");
        }
        let expected = [
            row("a", "2"),
            row("b", "1"),
            row("c", "1"),
            row("d", "2"),
            row("f", "1"),
            row("h", "1"),
        ];
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

#[cfg(test)]
mod row_checks {
    use super::check_row;

    /// A row as treatysim writes it passes; each field out of its range is named.
    #[test]
    fn rows_out_of_range_are_named() {
        let good = "a,conditional,1000,7,2020-01,2021-09,0.5,0.01,0.48,0.52,";
        let fields = |row: &str| row.split(',').map(String::from).collect::<Vec<_>>();
        assert_eq!(check_row(&fields(good)), Ok(()));
        for (column, value, says) in [
            (1, "psychic", "estimator"),
            (2, "-5", "trials"),
            (2, "0", "trials"),
            (3, "x", "seed"),
            (4, "2020-13", "start"),
            (5, "2019-01", "deadline"),
            (6, "1.5", "probability"),
            (7, "1e400", "std_error"),
            (7, "NaN", "std_error"),
            (8, "0.6", "ci95_low"),
            (9, "0.4", "ci95_high"),
        ] {
            let mut row = fields(good);
            row[column] = value.into();
            let why = check_row(&row).expect_err(says);
            assert!(why.starts_with(&format!("its {says} '{value}'")), "{why}");
        }
    }
}
