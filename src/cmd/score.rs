//! `treatysim score`: each run's forecast against how its question resolved (SPEC §8
//! "Scoring"), from the results in `--out` and the scenarios' `[resolution]`.
//!
//! [`crate::api::score_out`] reads and checks the runs and scores them,
//! [`crate::api::write_scores`] writes `scores.csv` (a score replaces the rows of the runs it
//! scores and keeps the others, under the lock on `--out`) and `calibration.csv` over every
//! row; this module prints what was skipped, warned and written.

use crate::analysis::score::CALIBRATION_MIN_RUNS;
use crate::cli::ScoreArgs;
use crate::error::Result;
use crate::export::float;
use crate::scenario::Catalog;

/// Scores the named runs (every run in `--out` whose scenario has a resolution when none is
/// named) and writes `<out>/scores.csv` (their rows replaced, the others kept) and, with ten or
/// more rows, `<out>/calibration.csv` over all of them.
pub fn score(catalog: &Catalog, args: &ScoreArgs) -> Result<()> {
    let scored = crate::api::score_out(catalog, &args.out, &args.names, &mut |name, why| {
        note!("skipped {name}: {why}")
    })?;
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
    let written = crate::api::write_scores(&args.out, &scored)?;
    let runs = if scored.len() == 1 { "run" } else { "runs" };
    let kept_text = if written.kept == 1 {
        ", 1 earlier row kept".to_string()
    } else if written.kept > 0 {
        format!(", {} earlier rows kept", written.kept)
    } else {
        String::new()
    };
    if written.calibration {
        note!(
            "scored {} {runs}{kept_text} -> {}, {} ({} rows)",
            scored.len(),
            written.scores_path.display(),
            written.calibration_path.display(),
            written.rows
        );
    } else {
        if written.removed {
            note!(
                "removed {}: scores.csv now holds fewer than {CALIBRATION_MIN_RUNS} rows",
                written.calibration_path.display()
            );
        }
        note!(
            "scored {} {runs}{kept_text} -> {} (calibration.csv needs {CALIBRATION_MIN_RUNS} or \
             more rows)",
            scored.len(),
            written.scores_path.display()
        );
    }
    Ok(())
}
