//! `treatysim run`: simulate scenarios and write their CSV files.

use crate::api;
use crate::cli::{RunArgs, Shard};
use crate::engine::{Engine, Tally};
use crate::error::{Error, Result};
use crate::export::{self, RunSummary, SampleFormat, SamplesSink};
use crate::model::Model;
use crate::scenario::{Catalog, Scenario};
use crate::shard::{self, Payload, ShardFile};
use std::path::Path;
use std::time::Instant;

/// Validates every named scenario first (nothing is written if any fails), then runs each,
/// writing its files and updating `<out>/summary.csv` as it finishes.
pub fn run(catalog: &Catalog, args: &RunArgs) -> Result<()> {
    let names = if args.all {
        catalog.names()?
    } else {
        args.names.clone()
    };
    if names.is_empty() {
        let found = catalog.names().unwrap_or_default();
        return Err(Error::Invalid(if args.all {
            "no scenarios to run: the --scenarios folders hold no *.toml file".into()
        } else {
            format!(
                "name the scenarios to run, e.g. `treatysim run baseline`, or run them all with `treatysim run --all`; scenarios found: {}",
                if found.is_empty() {
                    "none (pass --scenarios DIR)".to_string()
                } else {
                    found.join(", ")
                }
            )
        }));
    }
    if args.shard.is_some() && args.precision.is_some() {
        return Err(Error::Invalid(
            "--precision cannot be sharded: it decides the trial count as it goes; run it unsharded".into(),
        ));
    }
    if args.sim.label.is_some() && names.len() != 1 {
        return Err(Error::Invalid(format!(
            "--as names one scenario's results, and {} scenarios were named: run them one at \
             a time",
            names.len()
        )));
    }
    let scenarios = names
        .iter()
        .map(|name| {
            let mut scenario = args.sim.load(catalog, name)?;
            args.sim.relabel(catalog, &mut scenario)?;
            Ok(scenario)
        })
        .collect::<Result<Vec<_>>>()?;
    for scenario in &scenarios {
        let estimate = crate::memory::run(
            scenario,
            &Model::new(scenario),
            args.sim.thread_count(),
            args.samples(),
        );
        args.sim
            .check_memory(&format!("run {}", scenario.name), &estimate)?;
    }
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    args.sim.in_pool(|| {
        // Before simulating anything: the folders and the root summary the results will
        // replace, or the folders a shard writes into. (In the pool's thread, where every file
        // of the run is then written.)
        if args.shard.is_none() {
            export::check_outputs(&args.sim.out, &names)?;
        } else {
            for name in &names {
                export::check_scenario_folder(&args.sim.out, name)?;
                if let Some(shard) = args.shard {
                    // The shard's file and samples part can be written: probed before the
                    // first trial.
                    let kind = args.samples().unwrap_or_default();
                    let part = ShardFile::samples_path(&args.sim.out, name, shard, kind);
                    export::probe_output(&args.sim.out, &part)?;
                }
            }
        }
        scenarios.iter().try_for_each(|s| run_one(s, args))
    })
}

fn run_one(scenario: &Scenario, args: &RunArgs) -> Result<()> {
    let sim = &scenario.simulation;
    let model = Model::new(scenario);
    let estimator = args.sim.estimator;
    let engine = Engine {
        model: &model,
        seed: sim.seed,
        estimator,
    };
    let out = &args.sim.out;
    let kind = args.samples().unwrap_or_default();
    let samples_path = match args.shard {
        Some(shard) => ShardFile::samples_path(out, &scenario.name, shard, kind),
        None => out.join(&scenario.name).join(kind.file_name()),
    };
    let format = SampleFormat::new(scenario, &model, estimator);
    let records = kind.records(&format);
    let mut samples = match args.samples() {
        Some(kind) => Some(SamplesSink::create(
            // The folder it streams into, checked not to be a link out of --out.
            &crate::export::guard::inside(out, &samples_path)?,
            kind,
            &format,
            args.shard.is_none(),
        )?),
        None => None,
    };
    let range = args
        .shard
        .map_or(0..sim.trials, |s| shard::range(s, sim.trials));
    let bar = super::progress_bar(&scenario.name, range.end - range.start);
    let began = Instant::now();
    let precision = args.precision.map(|h| (h, args.max_trials));
    let progress = |done| bar.set_position(done);
    let tally = match samples.as_mut() {
        Some(writer) => {
            let mut write = |rows: Vec<u8>| writer.write(rows);
            api::tally(
                &engine,
                range.clone(),
                precision,
                Some((records.as_ref(), &mut write)),
                &progress,
            )?
        }
        None => api::tally(&engine, range.clone(), precision, None, &progress)?,
    };
    if let Some(half_width) = args.precision {
        let reached = tally.estimate(estimator, tally.sum.len() - 1).half_width();
        if reached > half_width {
            note!(
                "warning: {}: stopped at --max-trials {} with half-width {reached:.3e}, above the --precision {half_width}",
                scenario.name,
                tally.trials
            );
        }
    }
    let seconds = began.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if let Some(shard) = args.shard {
        if let Some(samples) = samples {
            // The root summary is repaired (and so checked) before the samples part is
            // renamed into place, as it is again, a no-op then, before the shard file.
            export::repair(out)?;
            samples.into_file()?.commit()?;
        }
        return write_shard(scenario, args, shard, tally);
    }
    let record = args.sim.record(scenario, tally.trials);
    let run = RunSummary {
        scenario: scenario.name.clone(),
        estimator,
        seed: sim.seed,
        start: sim.start,
        deadline: sim.deadline,
        tally,
        timeline: None,
        overrides: args.sim.overrides(),
    };
    let samples = match samples {
        Some(sink) => Some((kind, sink.into_file()?)),
        None => None,
    };
    export::publish_run(out, &run, record, Vec::new(), samples)?;
    report(&run, Some(seconds), out);
    Ok(())
}

/// The one-line summary on stderr.
pub fn report(run: &RunSummary, seconds: Option<f64>, out: &Path) {
    let e = run.estimate();
    let trials = run.tally.trials;
    note!(
        "{}: P(treaty before {}) = {:.3}% (95% CI {:.3}%–{:.3}%), {} trials, {}{} -> {}",
        run.scenario,
        run.deadline,
        100.0 * e.probability,
        100.0 * e.ci95_low,
        100.0 * e.ci95_high,
        trials,
        run.estimator.name(),
        seconds.map_or_else(String::new, |s| format!(
            ", {s:.2} s ({:.2}M trials/s)",
            trials as f64 / s.max(1e-9) / 1e6
        )),
        out.join(&run.scenario).display()
    );
}

fn write_shard(scenario: &Scenario, args: &RunArgs, shard: Shard, tally: Tally) -> Result<()> {
    let file = ShardFile::new(
        "run".into(),
        scenario,
        args.sim.estimator,
        shard,
        args.samples(),
        Payload::Run(tally),
    )?
    .with_provenance(args.sim.overrides());
    let path = file.write(&args.sim.out, args.sim.shard_key()?.as_ref())?;
    note!(
        "{}: shard {}/{} -> {}",
        scenario.name,
        shard.index,
        shard.count,
        path.display()
    );
    Ok(())
}
