//! [`score`] and [`score_out`]: forecasts against how their questions resolved (SPEC §8
//! "Scoring"), from results held in memory or from the results in an output folder; and
//! [`write_scores`], the step that writes `scores.csv` and `calibration.csv`.
//!
//! A run in a folder is scored only from the files its `run.toml` vouches for (each file's
//! SHA-256), and only if its scenario, resolved now with the same `--set` arguments, is the
//! scenario it was run with: comment lines, `simulation.trials`, `simulation.seed` and
//! `[resolution]` aside, the text `show` prints must be the same. Otherwise the run is refused
//! (exit 2) with advice to rerun it: a score of a forecast of another scenario would mislead.
//!
//! A pool is scored like a run: its probability and its remaining-probability timeline, against
//! the resolution its scenario members state (they must agree; each must be the scenario it
//! was run with). A pool with a direct forecast (`--forecast`) has no timeline: its
//! `time_averaged_brier` is empty and `months_scored` 0.
//!
//! Results in memory are scored from the very bytes their `summary.csv` and `timeline.csv`
//! would hold, so that a score in memory equals the score of the written results exactly.

use super::{PoolResult, RunResult};
use crate::analysis::score::{self, CALIBRATION_MIN_RUNS};
use crate::error::{Error, Result};
use crate::export::OutLock;
use crate::export::{self, RunToml, float, publish::RUN_TOML};
use crate::plot::Table;
use crate::scenario::{Catalog, Override, Resolution, Scenario};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::analysis::score::Scores;

/// Columns of `scores.csv`.
pub const SCORES_HEADER: [&str; 7] = [
    "scenario",
    "probability",
    "outcome",
    "brier",
    "log_score",
    "time_averaged_brier",
    "months_scored",
];

pub use crate::analysis::score::CALIBRATION_HEADER;

/// One run or pool scored.
#[derive(Clone, Debug)]
pub struct Scored {
    /// The run's (or pool's) name.
    pub name: String,
    /// Its probability by the deadline.
    pub probability: f64,
    /// How its question resolved.
    pub resolution: Resolution,
    /// Its scores.
    pub scores: Scores,
}

impl Scored {
    /// Its row of `scores.csv`.
    pub fn row(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            float(self.probability),
            self.resolution.outcome().to_string(),
            float(self.scores.brier),
            float(self.scores.log_score),
            self.scores
                .time_averaged_brier
                .map(float)
                .unwrap_or_default(),
            self.scores.months_scored.to_string(),
        ]
    }
}

/// Why a run in a folder is not scored: skipped (said on stderr) when no names were given,
/// refused otherwise; changed scenarios and tampered files are refused either way.
#[derive(Clone, Debug)]
pub enum Skip {
    /// Not a run to score (no resolution, no run): said on stderr when scoring every run.
    Quiet(String),
}

/// A result held in memory to score: [`score()`].
#[derive(Clone, Copy, Debug)]
pub enum Scorable<'a> {
    /// A run's result.
    Run(&'a RunResult),
    /// A pool's result.
    Pool(&'a PoolResult),
}

/// Scores, in the order of `scores.csv` (by name).
#[derive(Clone, Debug)]
pub struct ScoreResult {
    /// Each result scored, sorted by name.
    pub scored: Vec<Scored>,
}

impl ScoreResult {
    /// `scores.csv`'s bytes for these results alone.
    pub fn scores_csv(&self) -> Vec<u8> {
        export::csv_bytes(&SCORES_HEADER, self.scored.iter().map(Scored::row))
    }

    /// `calibration.csv`'s bytes over these results, when there are at least
    /// [`CALIBRATION_MIN_RUNS`] of them.
    pub fn calibration_csv(&self) -> Option<Vec<u8>> {
        let rows: Vec<Vec<String>> = self.scored.iter().map(Scored::row).collect();
        calibration_csv(&rows)
    }
}

/// `calibration.csv`'s bytes over `rows` of `scores.csv` (checked rows: a probability and an
/// outcome in each), when there are at least [`CALIBRATION_MIN_RUNS`] of them.
pub fn calibration_csv(rows: &[Vec<String>]) -> Option<Vec<u8>> {
    if rows.len() < CALIBRATION_MIN_RUNS {
        return None;
    }
    let pairs: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| {
            let p = r[1].parse::<f64>().unwrap_or(f64::NAN);
            (p, if r[2] == "signed" { 1.0 } else { 0.0 })
        })
        .collect();
    let optional = |x: Option<f64>| x.map(float).unwrap_or_default();
    let bins = score::calibration(&pairs).into_iter().map(|b| {
        vec![
            float(b.low),
            float(b.high),
            b.runs.to_string(),
            optional(b.mean_forecast),
            optional(b.observed_frequency),
        ]
    });
    Some(export::csv_bytes(&CALIBRATION_HEADER, bins))
}

/// Scores runs and pools held in memory against their scenarios' `[resolution]` (a pool's
/// scenario members must agree on it), exactly as `treatysim score` scores them once written.
///
/// # Errors
/// Invalid input: a result whose scenario has no `[resolution]`, two results of one name, a
/// pool whose members disagree.
pub fn score(results: &[Scorable<'_>]) -> Result<ScoreResult> {
    let mut scored: Vec<Scored> = Vec::with_capacity(results.len());
    for result in results {
        let (name, scenario, resolution, summary, timeline) = match result {
            Scorable::Run(run) => {
                let name = run.summary.scenario.clone();
                let resolution = run.scenario.resolution.ok_or_else(|| {
                    Error::Invalid(format!(
                        "score {name}: scenario '{}' has no [resolution]",
                        run.scenario.name
                    ))
                })?;
                (
                    name,
                    &run.scenario,
                    resolution,
                    run.summary.summary_csv(),
                    Some(run.summary.timeline_csv()),
                )
            }
            Scorable::Pool(pool) => {
                let name = pool.label.clone();
                let members = pool
                    .scenarios
                    .iter()
                    .map(|s| (s.name.as_str(), s.resolution));
                let resolution = agreed_resolution(&name, members)?.ok_or_else(|| {
                    Error::Invalid(format!(
                        "score {name}: no member of the pool has a [resolution]"
                    ))
                })?;
                let timeline = pool
                    .forecasts
                    .is_empty()
                    .then(|| pool.summary.timeline_csv());
                (
                    name,
                    &pool.scenarios[0],
                    resolution,
                    pool.summary.summary_csv(),
                    timeline,
                )
            }
        };
        if scored.iter().any(|s| s.name == name) {
            return Err(Error::Invalid(format!(
                "score: two results are named \"{name}\"; score each once"
            )));
        }
        let folder = Path::new(&name);
        let summary = Table::parse(&folder.join("summary.csv"), &summary)?;
        let timeline = timeline
            .map(|bytes| Table::parse(&folder.join("timeline.csv"), &bytes))
            .transpose()?;
        scored.push(scored_from(
            &name,
            scenario,
            resolution,
            &summary,
            timeline.as_ref(),
        )?);
    }
    scored.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ScoreResult { scored })
}

/// The resolution the members of pool `name` state (`None` when none states one).
///
/// # Errors
/// Invalid input when two members state different resolutions.
fn agreed_resolution<'a>(
    name: &str,
    members: impl Iterator<Item = (&'a str, Option<Resolution>)>,
) -> Result<Option<Resolution>> {
    let mut found = None;
    for (member, resolution) in members {
        if let Some(resolution) = resolution {
            agree(&mut found, name, member, resolution)?;
        }
    }
    Ok(found.map(|(r, _)| r))
}

/// Adds `member`'s `resolution` to what pool `name`'s members stated so far (`found`: the
/// first stated, and by whom).
///
/// # Errors
/// Invalid input when it differs from the first.
fn agree(
    found: &mut Option<(Resolution, String)>,
    name: &str,
    member: &str,
    resolution: Resolution,
) -> Result<()> {
    match found {
        Some((other, by)) if *other != resolution => Err(Error::Invalid(format!(
            "score {name}: the pool's members disagree on how the question resolved: {by} \
             says {}, {member} says {}; give them the same [resolution]",
            describe(*other),
            describe(resolution)
        ))),
        Some(_) => Ok(()),
        None => {
            *found = Some((resolution, member.to_string()));
            Ok(())
        }
    }
}

/// Scores the runs `names` in `out` (every run in `out` whose scenario has a resolution when
/// `names` is empty), their scenarios loaded from `catalog`, as `treatysim score` does; a run
/// skipped (only when `names` is empty) is told to `skipped` with why, as it is met.
///
/// # Errors
/// Invalid input: a named run that cannot be scored, a run whose files or scenario changed,
/// no run to score at all; I/O errors.
pub fn score_out(
    catalog: &Catalog,
    out: &Path,
    names: &[String],
    skipped: &mut dyn FnMut(&str, &str),
) -> Result<Vec<Scored>> {
    let named = !names.is_empty();
    let names = if named {
        names.to_vec()
    } else {
        run_folders(out)?
    };
    let mut scored = Vec::new();
    for name in &names {
        match score_run(catalog, out, name)? {
            Ok(run) => scored.push(run),
            Err(Skip::Quiet(why)) if !named => skipped(name, &why),
            Err(Skip::Quiet(why)) => {
                return Err(Error::Invalid(format!("score {name}: {why}")));
            }
        }
    }
    if scored.is_empty() {
        return Err(Error::Invalid(format!(
            "no run in '{}' to score: run a scenario with a [resolution] first (e.g. \
             `treatysim run --all`)",
            out.display()
        )));
    }
    // The scores file it will update is checked too, then stale root rows agree with their
    // folders again (SPEC §7): every check before the first write.
    read_scores(&out.join("scores.csv"))?;
    export::repair(out)?;
    Ok(scored)
}

/// What [`write_scores`] wrote.
#[derive(Clone, Debug)]
pub struct WrittenScores {
    /// `<out>/scores.csv`.
    pub scores_path: PathBuf,
    /// `<out>/calibration.csv`.
    pub calibration_path: PathBuf,
    /// Rows `scores.csv` holds now.
    pub rows: usize,
    /// Earlier rows kept.
    pub kept: usize,
    /// Whether `calibration.csv` was written (else it is absent).
    pub calibration: bool,
    /// Whether an older `calibration.csv` was removed (fewer rows than it needs now).
    pub removed: bool,
}

/// Writes `<out>/scores.csv` (the rows of `scored` replaced, the others kept) and, with
/// [`CALIBRATION_MIN_RUNS`] or more rows, `<out>/calibration.csv` over all of them (else
/// removes an older one), under the lock on `out`.
///
/// # Errors
/// Invalid input when an existing `scores.csv` is not treatysim's; I/O errors.
pub fn write_scores(out: &Path, scored: &[Scored]) -> Result<WrittenScores> {
    let lock = OutLock::acquire(out)?;
    let scores_path = lock.out().join("scores.csv");
    let mut rows = read_scores(&scores_path)?;
    for s in scored {
        rows.insert(s.name.clone(), s.row());
    }
    let kept = rows.len() - scored.len();
    export::write_atomic(
        &scores_path,
        &export::csv_bytes(&SCORES_HEADER, rows.values().cloned()),
    )?;
    let calibration_path = lock.out().join("calibration.csv");
    let all: Vec<Vec<String>> = rows.into_values().collect();
    let mut written = WrittenScores {
        scores_path,
        calibration_path,
        rows: all.len(),
        kept,
        calibration: false,
        removed: false,
    };
    // Every row was checked by `read_scores` or written just now.
    match calibration_csv(&all) {
        Some(bytes) => {
            export::write_atomic(&written.calibration_path, &bytes)?;
            written.calibration = true;
        }
        // An older table would describe rows that scores.csv no longer holds.
        None => match std::fs::remove_file(&written.calibration_path) {
            Ok(()) => written.removed = true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("remove", &written.calibration_path, e)),
        },
    }
    Ok(written)
}

/// The rows of an existing `<out>/scores.csv` by run (empty when there is none), checked to be
/// treatysim's: its columns, one row per run name, a probability and an outcome in each.
///
/// # Errors
/// [`Error::Invalid`] naming the file and the line when it is not a treatysim scores file (it
/// is then left as it is); I/O errors.
pub fn read_scores(path: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    // Only a regular file is read (SPEC §7), unfollowed: a link was read through (its
    // target's first line quoted in the message) and a FIFO blocked forever.
    let Some(file) = crate::guard::open_regular(path)? else {
        return Ok(BTreeMap::new());
    };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::BufReader::new(file), &mut bytes)
        .map_err(|e| Error::io("read", path, e))?;
    let foreign = |why: String| {
        Error::Invalid(format!(
            "'{}' is not a treatysim scores file: {why}; it was left as it is, and nothing was \
             written: move it away or choose another --out",
            path.display()
        ))
    };
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers().map_err(|e| foreign(e.to_string()))?;
    if header.iter().ne(SCORES_HEADER) {
        return Err(foreign(format!(
            "its columns are {}, not {}",
            header.iter().collect::<Vec<_>>().join(","),
            SCORES_HEADER.join(",")
        )));
    }
    let mut rows = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| foreign(e.to_string()))?;
        let line = record.position().map_or(0, csv::Position::line);
        let row: Vec<String> = record.iter().map(str::to_string).collect();
        let probability = row[1].parse::<f64>().ok();
        if !probability.is_some_and(|p| (0.0..=1.0).contains(&p)) {
            return Err(foreign(format!(
                "line {line}: probability '{}' is not a number from 0 to 1",
                row[1]
            )));
        }
        if !["signed", "not signed"].contains(&row[2].as_str()) {
            return Err(foreign(format!(
                "line {line}: outcome '{}' is neither \"signed\" nor \"not signed\"",
                row[2]
            )));
        }
        if rows.insert(row[0].clone(), row.clone()).is_some() {
            return Err(foreign(format!(
                "line {line}: a second row for \"{}\"",
                row[0]
            )));
        }
    }
    Ok(rows)
}

/// The folders of `out` that hold a run (a `summary.csv`), sorted.
pub fn run_folders(out: &Path) -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(out) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Invalid(format!(
                "no results in '{}': run the scenarios first",
                out.display()
            )));
        }
        Err(e) => return Err(Error::io("read folder", out, e)),
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| crate::scenario::valid_scenario_name(n))
        .filter(|n| out.join(n).join("summary.csv").is_file())
        .collect();
    names.sort();
    Ok(names)
}

/// Scores `<out>/NAME`, or says why it is skipped.
///
/// # Errors
/// Invalid input (exit 2) for a run that must be refused: no `run.toml` (an older treatysim)
/// when named, a file that differs from its SHA-256 in `run.toml`, a scenario changed since the
/// run, malformed files.
pub fn score_run(
    catalog: &Catalog,
    out: &Path,
    name: &str,
) -> Result<std::result::Result<Scored, Skip>> {
    let folder = export::publish::folder_path(out, name)?;
    // Every file is read from the one version `.run` names, not through the links (again,
    // from the new version, if the folder is republished meanwhile).
    export::RunFolder::read_current(&folder, |run| score_version(catalog, name, run))
}

/// [`score_run`] on one version of the run's folder.
fn score_version(
    catalog: &Catalog,
    name: &str,
    run: &export::RunFolder,
) -> Result<std::result::Result<Scored, Skip>> {
    let folder = run.folder();
    // Messages name the file as its readers know it, not its version folder.
    let toml_path = run.folder().join(RUN_TOML);
    let Some(toml) = run.run_toml()? else {
        let why = if run.path("summary.csv").is_file() {
            format!(
                "'{}' has no run.toml (it was written by an older treatysim), so what produced \
                 it is unknown: rerun it (`treatysim run {name}`) to score it",
                folder.display()
            )
        } else {
            format!("no results in '{}': run it first", folder.display())
        };
        return Ok(Err(Skip::Quiet(why)));
    };
    let Some(record) = &toml.run else {
        return Ok(Err(Skip::Quiet(format!(
            "'{}' holds analyses but no run: run it first",
            folder.display()
        ))));
    };
    let overrides = record
        .overrides
        .iter()
        .map(|o| o.parse::<Override>().map_err(Error::Invalid))
        .collect::<Result<Vec<_>>>()?;
    let pool = toml.files.contains_key("pool.csv");
    let (scenario, resolution) = if pool {
        match pool_resolution(catalog, name, &record.resolved, &overrides, &toml_path)? {
            Ok(found) => found,
            Err(skip) => return Ok(Err(skip)),
        }
    } else {
        let scenario = catalog.load(&record.scenario, &overrides).map_err(|e| {
            Error::Invalid(format!(
                "score {name}: its scenario '{}' (run.toml) no longer loads: {e}",
                record.scenario
            ))
        })?;
        let Some(resolution) = scenario.resolution else {
            return Ok(Err(Skip::Quiet(format!(
                "scenario '{}' has no [resolution] ({}); once the question has resolved, add \
                 one: [resolution] outcome = \"signed\" with month = \"YYYY-MM\", or \
                 outcome = \"not signed\"",
                record.scenario,
                scenario.path.display()
            ))));
        };
        if comparable(&record.resolved) != comparable(&scenario.to_toml()) {
            return Err(changed(name, &record.scenario, &toml_path));
        }
        (scenario, resolution)
    };
    let summary = verified_table(run, &toml, "summary.csv")?;
    // A pool with a direct forecast has no timeline (SPEC §8).
    let timeline = if toml.files.contains_key("timeline.csv") {
        Some(verified_table(run, &toml, "timeline.csv")?)
    } else if pool {
        None
    } else {
        return Err(Error::Invalid(format!(
            "'{}' is not listed in '{}'; rerun the scenario",
            folder.join("timeline.csv").display(),
            toml_path.display()
        )));
    };
    scored_from(name, &scenario, resolution, &summary, timeline.as_ref()).map(Ok)
}

/// A run's or a pool's score from its `summary.csv` and (but for a pool with a direct
/// forecast) `timeline.csv`, against `resolution` over `scenario`'s window.
fn scored_from(
    name: &str,
    scenario: &Scenario,
    resolution: Resolution,
    summary: &Table,
    timeline: Option<&Table>,
) -> Result<Scored> {
    let probability = *summary
        .probabilities("probability")?
        .first()
        .ok_or_else(|| Error::Invalid(format!("{}: no row", summary.path().display())))?;
    let signed_in = match resolution {
        Resolution::Signed(month) => Some(signed_index(scenario, month)),
        Resolution::NotSigned => None,
    };
    let remaining = match timeline {
        Some(timeline) => {
            // Empty fields: nothing is left to forecast once P reached 1 (SPEC §6).
            let remaining = if timeline.has_column("remaining_probability") {
                timeline.optional_probabilities("remaining_probability")?
            } else {
                score::remaining(&timeline.probabilities("cumulative_probability")?)
                    .into_iter()
                    .map(Some)
                    .collect()
            };
            if remaining.len() != scenario.simulation.months() {
                return Err(Error::Invalid(format!(
                    "{}: {} months where the window has {}; rerun it",
                    timeline.path().display(),
                    remaining.len(),
                    scenario.simulation.months()
                )));
            }
            // Each remaining probability is scored as the forecast at the start of its month:
            // rows in another order (a hand edit) would score the wrong months.
            let start = scenario.simulation.start;
            let months = timeline.months("month")?;
            let lines = timeline.lines();
            for (t, (&month, line)) in months.iter().zip(&lines).enumerate() {
                if month != start.plus(t) {
                    return Err(Error::Invalid(format!(
                        "{}:{line}: month: {month} in row {}, where the window's month {} is {}; \
                         accepted: one row a month, in order from {start} to the month before \
                         the deadline; rerun it",
                        timeline.path().display(),
                        t + 1,
                        t + 1,
                        start.plus(t)
                    )));
                }
            }
            remaining
        }
        None => Vec::new(),
    };
    Ok(Scored {
        name: name.to_string(),
        probability,
        resolution,
        scores: score::score(probability, &remaining, signed_in),
    })
}

/// The refusal of a run whose scenario changed since it was run.
fn changed(name: &str, scenario: &str, toml_path: &Path) -> Error {
    Error::Invalid(format!(
        "score {name}: scenario '{scenario}' changed since it was run (the resolved scenario in \
         '{}' differs from `treatysim show {scenario}` now, with the same --set): rerun it, \
         then score",
        toml_path.display()
    ))
}

/// The scenario members of a pool, from its `run.toml`'s resolved text (`# member NAME`
/// before each member's resolved scenario): each name with its text.
fn pool_members(resolved: &str) -> Vec<(String, String)> {
    let mut members: Vec<(String, String)> = Vec::new();
    for line in resolved.lines() {
        if let Some(name) = line.strip_prefix("# member ") {
            members.push((name.trim().to_string(), String::new()));
        } else if let Some((_, text)) = members.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    members
}

/// How a pool's question resolved: the resolution its scenario members state, each loaded
/// now with the pool's `--set` and checked against what it was run with; and the first member
/// (for the window).
///
/// # Errors
/// Invalid input when a member no longer loads or changed since, or when members state
/// different resolutions.
fn pool_resolution(
    catalog: &Catalog,
    name: &str,
    resolved: &str,
    overrides: &[Override],
    toml_path: &Path,
) -> Result<std::result::Result<(Scenario, Resolution), Skip>> {
    let mut first: Option<Scenario> = None;
    let mut found: Option<(Resolution, String)> = None;
    for (member, text) in pool_members(resolved) {
        // A name read from a file, looked up in the catalog: never a path (SPEC §7).
        if !crate::scenario::valid_scenario_name(&member) {
            return Err(Error::Invalid(format!(
                "{}: not a treatysim run.toml: its resolved pool names a member by a line \
                 '# member {}': {}; rerun the pool",
                toml_path.display(),
                member.escape_debug(),
                crate::scenario::name_rule("the member", &member)
            )));
        }
        let scenario = catalog.load(&member, overrides).map_err(|e| {
            Error::Invalid(format!(
                "score {name}: its member '{member}' (run.toml) no longer loads: {e}"
            ))
        })?;
        if comparable(&text) != comparable(&scenario.to_toml()) {
            return Err(changed(name, &member, toml_path));
        }
        if let Some(resolution) = scenario.resolution {
            agree(&mut found, name, &member, resolution)?;
        }
        first.get_or_insert(scenario);
    }
    let Some(first) = first else {
        return Ok(Err(Skip::Quiet(
            "its run.toml names no member: rerun the pool".into(),
        )));
    };
    match found {
        Some((resolution, _)) => Ok(Ok((first, resolution))),
        None => Ok(Err(Skip::Quiet(
            "no member of the pool has a [resolution]".into(),
        ))),
    }
}

/// A resolution in words: `signed in 2020-03`, `not signed`.
fn describe(resolution: Resolution) -> String {
    match resolution {
        Resolution::Signed(month) => format!("signed in {month}"),
        Resolution::NotSigned => "not signed".into(),
    }
}

/// The month index (from 0, the start) of a signing month inside the window.
fn signed_index(scenario: &Scenario, month: crate::month::Month) -> usize {
    let start = scenario.simulation.start;
    (0..scenario.simulation.months())
        .find(|t| start.plus(*t) == month)
        .unwrap_or(0)
}

/// The resolved text without what a score may ignore: comment lines (they name the files it
/// was resolved from), `trials`, `seed` and `[resolution]` (printed last).
fn comparable(resolved: &str) -> String {
    let body = resolved
        .split_once("\n[resolution]\n")
        .map_or(resolved, |(before, _)| before);
    body.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| !l.starts_with("trials = ") && !l.starts_with("seed = "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads `<folder>/FILE` after checking it against its SHA-256 in `run.toml`
/// ([`export::RunFolder::read_verified`]).
///
/// # Errors
/// Invalid input (exit 2) when `run.toml` does not list it or it differs.
fn verified_table(run: &export::RunFolder, toml: &RunToml, file: &str) -> Result<Table> {
    let bytes = run.read_verified(toml, file, crate::plot::READ_LIMIT)?;
    Table::parse(&run.folder().join(file), &bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn comparison_sets_aside_comments_trials_seed_and_resolution() {
        let a = "# scenario 'a', resolved from x.toml\n[simulation]\ntrials = 5\nseed = 1\n\
                 [process]\nsummit_rate = 0.3\n";
        let b = "# scenario 'a', resolved from y/x.toml\n[simulation]\ntrials = 9\nseed = 2\n\
                 [process]\nsummit_rate = 0.3\n\n[resolution]\noutcome = \"not signed\"\n";
        assert_eq!(super::comparable(a), super::comparable(b));
        let c = b.replace("0.3", "0.4");
        assert_ne!(super::comparable(a), super::comparable(&c));
    }
}
