//! `treatysim score`: each run's forecast against how its question resolved (SPEC §8
//! "Scoring"), from the results in `--out` and the scenarios' `[resolution]`.
//!
//! A run is scored only from the files its `run.toml` vouches for (each file's SHA-256), and
//! only if its scenario, resolved now with the same `--set` arguments, is the scenario it was
//! run with: comment lines, `simulation.trials`, `simulation.seed` and `[resolution]` aside,
//! the text `show` prints must be the same. Otherwise the run is refused (exit 2) with advice to
//! rerun it: a score of a forecast of another scenario would mislead.
//!
//! A pool is scored like a run: its probability and its remaining-probability timeline, against
//! the resolution its scenario members state (they must agree; each must be the scenario it
//! was run with). A pool with a direct forecast (`--forecast`) has no timeline: its
//! `time_averaged_brier` is empty and `months_scored` 0.
//!
//! `scores.csv` keeps its rows: a score replaces the rows of the runs it scores and keeps the
//! others, under the lock on `--out`, and `calibration.csv` is computed over every row.

use crate::analysis::score::{self, CALIBRATION_MIN_RUNS};
use crate::cli::ScoreArgs;
use crate::error::{Error, Result};
use crate::export::OutLock;
use crate::export::{self, RunToml, float, publish::RUN_TOML};
use crate::plot::Table;
use crate::scenario::{Catalog, Override, Resolution, Scenario};
use std::collections::BTreeMap;
use std::path::Path;

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

/// Columns of `calibration.csv`.
pub const CALIBRATION_HEADER: [&str; 5] = [
    "bin_low",
    "bin_high",
    "runs",
    "mean_forecast",
    "observed_frequency",
];

/// One run scored.
struct Scored {
    name: String,
    probability: f64,
    resolution: Resolution,
    scores: score::Scores,
}

/// Why a run is not scored: skipped (said on stderr) when no names were given, refused
/// otherwise; changed scenarios and tampered files are refused either way.
enum Skip {
    /// Not a run to score (no resolution, no run): said on stderr when scoring every run.
    Quiet(String),
}

/// Scores the named runs (every run in `--out` whose scenario has a resolution when none is
/// named) and writes `<out>/scores.csv` (their rows replaced, the others kept) and, with ten or
/// more rows, `<out>/calibration.csv` over all of them.
pub fn score(catalog: &Catalog, args: &ScoreArgs) -> Result<()> {
    let out = &args.out;
    // Stale root rows agree with their folders again before anything is read (SPEC §7).
    export::repair(out)?;
    let named = !args.names.is_empty();
    let names = if named {
        args.names.clone()
    } else {
        run_folders(out)?
    };
    let mut scored = Vec::new();
    for name in &names {
        match score_run(catalog, out, name)? {
            Ok(run) => scored.push(run),
            Err(Skip::Quiet(why)) if !named => note!("skipped {name}: {why}"),
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
    for s in &scored {
        if s.scores.log_score == f64::NEG_INFINITY {
            note!(
                "warning: {}'s probability is exactly {}, and the question resolved {}: its log \
                 score is -inf. A probability of 0 or 1 is rarely meant: run it with more \
                 trials, or with --estimator conditional, whose trials each carry a chance",
                s.name,
                float(s.probability),
                s.resolution.outcome()
            );
        }
    }
    let lock = OutLock::acquire(out)?;
    let scores_path = lock.out().join("scores.csv");
    let mut rows = read_scores(&scores_path)?;
    for s in &scored {
        rows.insert(
            s.name.clone(),
            vec![
                s.name.clone(),
                float(s.probability),
                s.resolution.outcome().to_string(),
                float(s.scores.brier),
                float(s.scores.log_score),
                s.scores.time_averaged_brier.map(float).unwrap_or_default(),
                s.scores.months_scored.to_string(),
            ],
        );
    }
    let kept = rows.len() - scored.len();
    export::write_atomic(
        &scores_path,
        &export::csv_bytes(&SCORES_HEADER, rows.values().cloned()),
    )?;
    let kept_text = if kept > 0 {
        format!(", {kept} earlier rows kept")
    } else {
        String::new()
    };
    let calibration_path = lock.out().join("calibration.csv");
    if rows.len() >= CALIBRATION_MIN_RUNS {
        // Every row was checked by `read_scores` or written just now.
        let pairs: Vec<(f64, f64)> = rows
            .values()
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
        export::write_atomic(
            &calibration_path,
            &export::csv_bytes(&CALIBRATION_HEADER, bins),
        )?;
        note!(
            "scored {} runs{kept_text} -> {}, {} ({} rows)",
            scored.len(),
            scores_path.display(),
            calibration_path.display(),
            rows.len()
        );
    } else {
        // An older table would describe rows that scores.csv no longer holds.
        match std::fs::remove_file(&calibration_path) {
            Ok(()) => note!(
                "removed {}: scores.csv now holds fewer than {CALIBRATION_MIN_RUNS} rows",
                calibration_path.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("remove", &calibration_path, e)),
        }
        note!(
            "scored {} runs{kept_text} -> {} (calibration.csv needs {CALIBRATION_MIN_RUNS} or \
             more)",
            scored.len(),
            scores_path.display()
        );
    }
    Ok(())
}

/// The rows of an existing `<out>/scores.csv` by run (empty when there is none), checked to be
/// treatysim's: its columns, one row per run name, a probability and an outcome in each.
///
/// # Errors
/// [`Error::Invalid`] naming the file and the line when it is not a treatysim scores file (it
/// is then left as it is); I/O errors.
fn read_scores(path: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(Error::io("read", path, e)),
    };
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
fn run_folders(out: &Path) -> Result<Vec<String>> {
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
fn score_run(
    catalog: &Catalog,
    out: &Path,
    name: &str,
) -> Result<std::result::Result<Scored, Skip>> {
    let folder = export::publish::folder_path(out, name)?;
    // Every file is read from the one version `.run` names now, not through the links.
    let run = export::RunFolder::resolve(&folder)?;
    let toml_path = run.path(RUN_TOML);
    let Some(toml) = RunToml::read(&toml_path)? else {
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
                "scenario '{}' has no [resolution]",
                record.scenario
            ))));
        };
        if comparable(&record.resolved) != comparable(&scenario.to_toml()) {
            return Err(changed(name, &record.scenario, &toml_path));
        }
        (scenario, resolution)
    };
    let summary = verified_table(&run, &toml, "summary.csv")?;
    let probability = *summary
        .probabilities("probability")?
        .first()
        .ok_or_else(|| Error::Invalid(format!("{}: no row", summary.path().display())))?;
    let signed_in = match resolution {
        Resolution::Signed(month) => Some(signed_index(&scenario, month)),
        Resolution::NotSigned => None,
    };
    // A pool with a direct forecast has no timeline (SPEC §8).
    let remaining = if toml.files.contains_key("timeline.csv") {
        let timeline = verified_table(&run, &toml, "timeline.csv")?;
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
        remaining
    } else if pool {
        Vec::new()
    } else {
        return Err(Error::Invalid(format!(
            "'{}' is not listed in '{}'; rerun the scenario",
            folder.join("timeline.csv").display(),
            toml_path.display()
        )));
    };
    Ok(Ok(Scored {
        name: name.to_string(),
        probability,
        resolution,
        scores: score::score(probability, &remaining, signed_in),
    }))
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
        let scenario = catalog.load(&member, overrides).map_err(|e| {
            Error::Invalid(format!(
                "score {name}: its member '{member}' (run.toml) no longer loads: {e}"
            ))
        })?;
        if comparable(&text) != comparable(&scenario.to_toml()) {
            return Err(changed(name, &member, toml_path));
        }
        if let Some(resolution) = scenario.resolution {
            match &found {
                Some((other, by)) if *other != resolution => {
                    return Err(Error::Invalid(format!(
                        "score {name}: the pool's members disagree on how the question \
                         resolved: {by} says {}, {member} says {}; give them the same \
                         [resolution]",
                        describe(*other),
                        describe(resolution)
                    )));
                }
                Some(_) => {}
                None => found = Some((resolution, member.clone())),
            }
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

/// Reads `<folder>/FILE` after checking it against its SHA-256 in `run.toml`.
///
/// # Errors
/// Invalid input (exit 2) when `run.toml` does not list it or it differs.
fn verified_table(run: &export::RunFolder, toml: &RunToml, file: &str) -> Result<Table> {
    let folder = run.folder();
    let path = folder.join(file);
    let bytes = export::guard::read_regular(&run.path(file), crate::plot::READ_LIMIT)?;
    let actual = crate::digest::sha256_hex(&bytes);
    match toml.files.get(file) {
        Some(hash) if hash.eq_ignore_ascii_case(&actual) => Table::parse(&path, &bytes),
        Some(_) => Err(Error::Invalid(format!(
            "'{}' was changed since it was written: its SHA-256 is not the one in run.toml; \
             rerun the scenario",
            path.display()
        ))),
        None => Err(Error::Invalid(format!(
            "'{}' is not listed in '{}'; rerun the scenario",
            path.display(),
            folder.join(RUN_TOML).display()
        ))),
    }
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
