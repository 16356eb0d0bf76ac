//! `treatysim run`: simulate scenarios and write their CSV files.

use crate::cli::RunArgs;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::export::{self, RunSummary, SampleFormat, SamplesWriter};
use crate::model::Model;
use crate::scenario::{Catalog, Scenario};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// Validates every named scenario first (nothing is written if any fails), then runs each,
/// writing its files and updating `<out>/summary.csv` as it finishes.
pub fn run(catalog: &Catalog, args: &RunArgs) -> Result<()> {
    let names = if args.all { catalog.names()? } else { args.names.clone() };
    if names.is_empty() {
        return Err(Error::Invalid("no scenarios to run".into()));
    }
    let mut scenarios = Vec::with_capacity(names.len());
    for name in &names {
        let mut scenario = catalog.load(name, &args.sets)?;
        if let Some(trials) = args.trials {
            scenario.simulation.trials = trials;
        }
        if let Some(seed) = args.seed {
            scenario.simulation.seed = seed;
        }
        scenarios.push(scenario);
    }
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = args.threads {
        pool = pool.num_threads(threads as usize);
    }
    let pool = pool
        .build()
        .map_err(|e| Error::Io { context: "could not start worker threads".into(), source: std::io::Error::other(e) })?;
    pool.install(|| scenarios.iter().try_for_each(|s| run_one(s, args)))
}

fn run_one(scenario: &Scenario, args: &RunArgs) -> Result<()> {
    for warning in &scenario.warnings {
        eprintln!("warning: {warning}");
    }
    let sim = &scenario.simulation;
    let model = Model::new(scenario);
    let engine = Engine { model: &model, seed: sim.seed, estimator: args.estimator };
    let dir = args.out.join(&scenario.name);
    let mut samples = if args.samples {
        let format = SampleFormat { start: sim.start, estimator: args.estimator };
        Some(SamplesWriter::create(&dir.join("samples.csv"), format)?)
    } else {
        None
    };
    let bar = progress_bar(&scenario.name, sim.trials);
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
        estimator: args.estimator,
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
    export::upsert_summary(&args.out.join("summary.csv"), std::slice::from_ref(&run))?;
    let e = run.estimate();
    eprintln!(
        "{}: P(treaty before {}) = {:.3}% (95% CI {:.3}%–{:.3}%), {} trials, {}, {:.2} s ({:.2}M trials/s) -> {}",
        scenario.name,
        sim.deadline,
        100.0 * e.probability,
        100.0 * e.ci95_low,
        100.0 * e.ci95_high,
        sim.trials,
        args.estimator.name(),
        seconds,
        sim.trials as f64 / seconds.max(1e-9) / 1e6,
        dir.display()
    );
    Ok(())
}

/// A progress bar on stderr, only when stderr is a terminal.
fn progress_bar(name: &str, trials: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(trials);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:40}] {pos}/{len} trials, {per_sec}, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(name.to_string());
    bar
}
