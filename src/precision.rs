//! `run --precision H` (SPEC §8): the pilot that plans the trial count and the loop that adds
//! trials until the 95% interval is narrow enough. Above both [`crate::engine`] (which it runs)
//! and [`crate::stats`] (whose estimates it reads), so neither imports the other.

use crate::engine::{Accumulator, BLOCK, Engine, Tally};
use crate::error::Result;
use crate::model::Estimator;
use crate::rng;
use std::ops::Range;

/// Chunks of the `--precision` pilot, run side by side so that their spread measures how
/// noisy the half-width is.
const PILOT_CHUNKS: usize = 8;

/// Trials in each pilot chunk at first (the pilot starts at 8 × 512 = 4,096 trials).
const PILOT_FIRST_CHUNK: u64 = 512;

/// Chunk j of the pilot is trials j·2⁴⁰, j·2⁴⁰ + 1, … of the pilot's seed.
const PILOT_STRIDE: u64 = 1 << 40;

/// Stream number that derives the pilot's seed from the run's: the pilot's trials are not the
/// run's trials.
const PILOT_STREAM: u64 = 0x0091_7075_EED5_7A9E;

/// One-sided normal quantile of the planned trial count's margin: the first look at the run's
/// own trials falls short of the half-width in 1–2% of runs on the baseline and 9–13% on a
/// heavy-tailed rare scenario (the chunks' spread understates a heavy tail's noise).
const MARGIN_Z: f64 = 1.645;

/// Cap on the margin over the predicted trial count.
const MAX_MARGIN: f64 = 4.0;

/// What `--precision` did.
#[derive(Clone, Debug)]
pub struct PrecisionRun {
    /// The run's tally: trials 0 … N − 1 of its seed, exactly what `run --trials N` tallies.
    pub tally: Tally,
    /// The trial count chosen from the pilot alone, where the run first looked at its own
    /// half-width.
    pub planned: u64,
    /// Trials the pilot simulated (under a seed derived from the run's; not in the estimate).
    pub pilot_trials: u64,
}

/// `run --precision H`: simulates trials in order until the 95% half-width of the cumulative
/// probability by the deadline is at most `half_width`, or `max_trials` are done. `run` runs a
/// range of the run's trials and returns their tally (`run` writes samples and progress).
///
/// Stopping the first time the half-width drops below H selects low estimates, because the
/// half-width grows with the estimate. So the trial count N is planned from a pilot on other
/// trials (a seed derived from the run's): N does not depend on the run's own trials, and
/// their mean is unbiased. The pilot runs 8 chunks side by side, doubling them while that is
/// expected to save more trials than it costs; N is the predicted need times a margin from
/// the chunks' spread (at most ×4). If the half-width at N is still above H, trials are added
/// (at least one block, at most tenfold at a time) until it is not: that last step, taken in
/// 1–13% of runs, is the only one that looks at the run's own trials; the bias it leaves was
/// at most 1.1% of H over 2,000 seeds (docs/statistics.md), against −8% for stopping the
/// first time the half-width was at most H.
///
/// # Errors
/// Interruption, or an error of `run`.
pub fn run_to_precision(
    engine: &Engine<'_>,
    half_width: f64,
    max_trials: u64,
    run: &mut dyn FnMut(Range<u64>) -> Result<Tally>,
) -> Result<PrecisionRun> {
    let (planned, pilot_trials) = precision_plan(engine, half_width, max_trials)?;
    let mut tally = run(0..planned)?;
    while tally.trials < max_trials {
        match next_target(&tally, engine.estimator, half_width, max_trials) {
            Some(next) => {
                let more = run(tally.trials..next)?;
                tally.merge(more);
            }
            None => break,
        }
    }
    Ok(PrecisionRun {
        tally,
        planned,
        pilot_trials,
    })
}

/// The seed of the `--precision` pilot of a run with seed `seed`.
pub fn pilot_seed(seed: u64) -> u64 {
    rng::mix(seed ^ PILOT_STREAM)
}

/// The trial count at which `--precision half_width` first looks at the run's own trials,
/// and the pilot's trial count: see [`run_to_precision`]. A function of the model, seed,
/// estimator and arguments only.
///
/// # Errors
/// Interruption.
pub fn precision_plan(engine: &Engine<'_>, half_width: f64, max_trials: u64) -> Result<(u64, u64)> {
    use rayon::prelude::*;
    let pilot = Engine {
        seed: pilot_seed(engine.seed),
        ..*engine
    };
    let months = engine.model.months();
    let last = months - 1;
    let mut chunks: Vec<Tally> = (0..PILOT_CHUNKS).map(|_| Tally::new(months)).collect();
    let mut size = PILOT_FIRST_CHUNK;
    loop {
        chunks
            .par_iter_mut()
            .enumerate()
            .try_for_each(|(j, chunk)| -> Result<()> {
                let start = j as u64 * PILOT_STRIDE;
                let more = pilot.run(start + chunk.trials..start + size, None, &|_| {})?;
                chunk.merge(more);
                Ok(())
            })?;
        let mut pooled = Tally::new(months);
        for chunk in &chunks {
            pooled.merge(chunk.clone());
        }
        let pilot_trials = pooled.trials;
        let n = pilot_trials as f64;
        // The trials' spread alone: the room left for trials too rare to have come up
        // shrinks as 1/n, not 1/√n, and would swamp a pilot's extrapolation.
        let reached = pooled.spread_estimate(engine.estimator, last).half_width();
        let need = n * (reached / half_width).powi(2);
        // Spread of the chunks' log half-widths: sd(ln need) at one chunk, as a variance per
        // trial (it shrinks as 1/trials).
        let floor = reached * 1e-3;
        let logs: Vec<f64> = chunks
            .iter()
            .map(|c| {
                2.0 * c
                    .spread_estimate(engine.estimator, last)
                    .half_width()
                    .max(floor)
                    .ln()
            })
            .collect();
        let mean = logs.iter().sum::<f64>() / logs.len() as f64;
        let spread = logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (logs.len() - 1) as f64;
        let per_trial = if reached > 0.0 {
            spread * size as f64
        } else {
            0.0
        };
        let margin = |pilot: f64| {
            (MARGIN_Z * (per_trial * (1.0 / pilot + 1.0 / need.max(1.0))).sqrt())
                .exp()
                .min(MAX_MARGIN)
        };
        let saving = need * (margin(n) - margin(2.0 * n));
        if saving > n && 2 * pilot_trials <= max_trials && 2 * size < PILOT_STRIDE {
            size *= 2;
            continue;
        }
        let block = BLOCK as f64;
        let planned = ((need * margin(n) / block).ceil() * block).max(block);
        let planned = if planned >= max_trials as f64 {
            max_trials
        } else {
            planned as u64
        };
        return Ok((planned, pilot_trials));
    }
}

/// After the planned trials: `None` once the 95% half-width is at most `half_width`; otherwise
/// the trial count of the next look, predicted from the half-width shrinking as 1/√n (growing
/// at least one block and at most tenfold, capped at `max_trials`).
fn next_target(
    tally: &Tally,
    estimator: Estimator,
    half_width: f64,
    max_trials: u64,
) -> Option<u64> {
    let current = tally.estimate(estimator, tally.sum.len() - 1).half_width();
    if current <= half_width {
        return None;
    }
    let n = tally.trials as f64;
    let needed = (n * (current / half_width).powi(2)).min(n * 10.0);
    let block = BLOCK as f64;
    let next = ((needed / block).ceil() * block).max(n + block);
    Some(if next >= max_trials as f64 {
        max_trials
    } else {
        next as u64
    })
}
