//! `treatysim score`: each run's forecast against how its question resolved (SPEC §8
//! "Scoring"), from the results in `--out` and the scenarios' `[resolution]`.
//!
//! A run is scored only from the files its `run.toml` vouches for (each file's SHA-256), and
//! only if its scenario, resolved now with the same `--set` arguments, is the scenario it was
//! run with: comment lines, `simulation.trials`, `simulation.seed` and `[resolution]` aside,
//! the text `show` prints must be the same. Otherwise the run is refused (exit 2) with advice to
//! rerun it: a score of a forecast of another scenario would mislead.

use crate::analysis::score::{self, CALIBRATION_MIN_RUNS};
use crate::cli::ScoreArgs;
use crate::error::{Error, Result};
use crate::export::{self, RunToml, float, publish::RUN_TOML};
use crate::plot::Table;
use crate::scenario::{Catalog, Override, Resolution, Scenario};
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
/// named) and writes `<out>/scores.csv` and, with ten or more, `<out>/calibration.csv`.
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
    scored.sort_by(|a, b| a.name.cmp(&b.name));
    let rows = scored.iter().map(|s| {
        vec![
            s.name.clone(),
            float(s.probability),
            s.resolution.outcome().to_string(),
            float(s.scores.brier),
            float(s.scores.log_score),
            float(s.scores.time_averaged_brier),
            s.scores.months_scored.to_string(),
        ]
    });
    let scores_path = out.join("scores.csv");
    export::write_atomic(&scores_path, &export::csv_bytes(&SCORES_HEADER, rows))?;
    let calibration_path = out.join("calibration.csv");
    if scored.len() >= CALIBRATION_MIN_RUNS {
        let pairs: Vec<(f64, f64)> = scored
            .iter()
            .map(|s| (s.probability, s.resolution.indicator()))
            .collect();
        let optional = |x: Option<f64>| x.map(float).unwrap_or_default();
        let rows = score::calibration(&pairs).into_iter().map(|b| {
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
            &export::csv_bytes(&CALIBRATION_HEADER, rows),
        )?;
        note!(
            "scored {} runs -> {}, {}",
            scored.len(),
            scores_path.display(),
            calibration_path.display()
        );
    } else {
        // An older table would describe other runs than scores.csv.
        match std::fs::remove_file(&calibration_path) {
            Ok(()) => note!(
                "removed {}: it described an earlier scoring",
                calibration_path.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("remove", &calibration_path, e)),
        }
        note!(
            "scored {} runs -> {} (calibration.csv needs {CALIBRATION_MIN_RUNS} or more)",
            scored.len(),
            scores_path.display()
        );
    }
    Ok(())
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
    if run.path("pool.csv").is_file() {
        return Ok(Err(Skip::Quiet(format!(
            "'{}' is a pool; pools are not scored yet: score its members",
            folder.display()
        ))));
    }
    let overrides = record
        .overrides
        .iter()
        .map(|o| o.parse::<Override>().map_err(Error::Invalid))
        .collect::<Result<Vec<_>>>()?;
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
        return Err(Error::Invalid(format!(
            "score {name}: scenario '{}' changed since it was run (the resolved scenario in '{}' \
             differs from `treatysim show {}` now, with the same --set): rerun it, then score",
            record.scenario,
            toml_path.display(),
            record.scenario
        )));
    }
    let summary = verified_table(&run, &toml, "summary.csv")?;
    let timeline = verified_table(&run, &toml, "timeline.csv")?;
    let probability = *summary
        .probabilities("probability")?
        .first()
        .ok_or_else(|| Error::Invalid(format!("{}: no row", summary.path().display())))?;
    let remaining = if timeline.has_column("remaining_probability") {
        timeline.probabilities("remaining_probability")?
    } else {
        score::remaining(&timeline.probabilities("cumulative_probability")?)
    };
    let signed_in = match resolution {
        Resolution::Signed(month) => Some(signed_index(&scenario, month)),
        Resolution::NotSigned => None,
    };
    if remaining.len() != scenario.simulation.months() {
        return Err(Error::Invalid(format!(
            "{}: {} months where the window has {}; rerun it",
            timeline.path().display(),
            remaining.len(),
            scenario.simulation.months()
        )));
    }
    Ok(Ok(Scored {
        name: name.to_string(),
        probability,
        resolution,
        scores: score::score(probability, &remaining, signed_in),
    }))
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
