//! `treatysim run`: simulate scenarios and write their CSV files.

use crate::cli::RunArgs;
use crate::engine::Engine;
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
    let tally = match samples.as_mut() {
        Some(writer) => {
            let format = writer.format;
            let mut write = |rows: &[u8]| writer.write(rows);
            engine.run(0..sim.trials, Some((&format, &mut write)), &progress)?
        }
        None => engine.run(0..sim.trials, None, &progress)?,
    };
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

