//! `treatysim run`: simulate scenarios and write their CSV files.

use crate::cli::RunArgs;
use crate::engine::{Accumulator, Engine, Tally};
use crate::error::{Error, Result};
use crate::export::{self, RunSummary, SampleFormat, SamplesWriter};
use crate::model::Model;
use crate::scenario::{Catalog, Scenario};
use std::time::Instant;

/// Validates every named scenario first (nothing is written if any fails), then runs each,
/// writing its files and updating `<out>/summary.csv` as it finishes.
pub fn run(catalog: &Catalog, args: &RunArgs) -> Result<()> {
    let names = if args.all { catalog.names()? } else { args.names.clone() };
    if names.is_empty() {
        return Err(Error::Invalid("no scenarios to run".into()));
    }
    let scenarios = names.iter().map(|name| args.sim.load(catalog, name)).collect::<Result<Vec<_>>>()?;
    args.sim.in_pool(|| scenarios.iter().try_for_each(|s| run_one(s, args)))
}
fn run_one(scenario: &Scenario, args: &RunArgs) -> Result<()> {
    for warning in &scenario.warnings {
        eprintln!("warning: {warning}");
    }
    let sim = &scenario.simulation;
    let model = Model::new(scenario);
    let engine = Engine { model: &model, seed: sim.seed, estimator: args.sim.estimator };
    let dir = args.sim.out.join(&scenario.name);
    let mut samples = if args.samples {
        let format = SampleFormat { start: sim.start, estimator: args.sim.estimator };
        Some(SamplesWriter::create(&dir.join("samples.csv"), format)?)
    } else {
        None
    };
    let bar = super::progress_bar(&scenario.name, sim.trials);
    let began = Instant::now();
    let progress = |done| bar.set_position(done);
    let mut tally = Tally::new(model.months());
    let mut target = match args.precision {
        Some(_) => FIRST_PRECISION_BATCH.min(args.max_trials),
        None => sim.trials,
    };
    loop {
        let range = tally.trials..target;
        let more = match samples.as_mut() {
            Some(writer) => {
                let format = writer.format;
                let mut write = |rows: &[u8]| writer.write(rows);
                engine.run(range, Some((&format, &mut write)), &progress)?
            }
            None => engine.run(range, None, &progress)?,
        };
        tally.merge(more);
        match args.precision {
            Some(half_width) if tally.trials < args.max_trials => {
                match next_target(&tally, args.sim.estimator, half_width, args.max_trials) {
                    Some(next) => target = next,
                    None => break,
                }
            }
            _ => break,
        }
    }
    let seconds = began.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let run = RunSummary {
        scenario: scenario.name.clone(),
        estimator: args.sim.estimator,
        seed: sim.seed,
        start: sim.start,
        deadline: sim.deadline,
        tally,
    };
    if let Some(samples) = samples {
        samples.commit()?;
    }
    export::write_atomic(&dir.join("timeline.csv"), &run.timeline_csv())?;
    export::write_atomic(&dir.join("summary.csv"), &run.summary_csv())?;
    export::upsert_summary(&args.sim.out.join("summary.csv"), std::slice::from_ref(&run))?;
    let e = run.estimate();
    eprintln!(
        "{}: P(treaty before {}) = {:.3}% (95% CI {:.3}%–{:.3}%), {} trials, {}, {:.2} s ({:.2}M trials/s) -> {}",
        scenario.name,
        sim.deadline,
        100.0 * e.probability,
        100.0 * e.ci95_low,
        100.0 * e.ci95_high,
        sim.trials,
        args.sim.estimator.name(),
        seconds,
        sim.trials as f64 / seconds.max(1e-9) / 1e6,
        dir.display()
    );
    Ok(())
}


/// Trials of the first batch under `--precision`.
const FIRST_PRECISION_BATCH: u64 = 16_384;

/// Under `--precision H`: `None` once the 95% half-width is at most H; otherwise the trial
/// count of the next check, predicted from the half-width shrinking as 1/√n (with 5% to
/// spare, growing at least one block and at most tenfold, capped at `max_trials`). The
/// schedule depends only on results, which depend only on the trials, so it is reproducible.
fn next_target(tally: &Tally, estimator: crate::model::Estimator, half_width: f64, max_trials: u64) -> Option<u64> {
    let e = tally.estimate(estimator, tally.sum.len() - 1);
    let current = (e.ci95_high - e.ci95_low) / 2.0;
    if current <= half_width {
        return None;
    }
    let n = tally.trials as f64;
    let needed = (n * (current / half_width).powi(2) * 1.05).min(n * 10.0);
    let block = 4096.0;
    let next = ((needed / block).ceil() * block).max(n + block) as u64;
    Some(next.min(max_trials))
}
