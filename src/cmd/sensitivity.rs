//! `treatysim sensitivity`: Sobol indices and the tornado's swings of every uncertain
//! parameter, and of the randomness inside a trial ([`crate::analysis::sensitivity`]).

use crate::analysis::sensitivity::{self as analysis, Bins, SensitivityTally, Study, Summary};
use crate::cast::ParamId;
use crate::cli::SensitivityArgs;
use crate::error::{Error, Result};
use crate::export::{self, float};
use crate::model::{Estimator, Model};
use crate::scenario::Catalog;
use crate::shard::{self, Payload, ShardFile};

/// Columns of `sensitivity.csv` (SPEC §8).
pub const HEADER: [&str; 16] = [
    "scenario",
    "trials",
    "seed",
    "estimator",
    "parameter",
    "correlation",
    "first_order",
    "first_order_ci95_low",
    "first_order_ci95_high",
    "total_order",
    "total_order_ci95_low",
    "total_order_ci95_high",
    "probability",
    "probability_low",
    "probability_high",
    "swing",
];
/// Columns of `sensitivity_bins.csv`.
pub const BINS_HEADER: [&str; 7] = [
    "scenario",
    "parameter",
    "bin",
    "bin_low",
    "bin_high",
    "trials",
    "probability",
];

/// What produced a study, for its files' columns.
#[derive(Clone, Copy, Debug)]
pub struct Run<'a> {
    /// The scenario's name (or `--as` label).
    pub scenario: &'a str,
    /// Trials of the whole study.
    pub trials: u64,
    /// Its seed.
    pub seed: u64,
    /// Its estimator.
    pub estimator: Estimator,
}

/// Publishes `sensitivity.csv` and `sensitivity_bins.csv` of a complete tally, together, with
/// their record in `run.toml` (`provenance`: the record, and for merged shards the first
/// shard's command line).
///
/// # Errors
/// I/O errors.
pub fn write(
    out: &std::path::Path,
    run: Run<'_>,
    tally: &SensitivityTally,
    bins: &[Bins],
    provenance: (export::Record, Vec<String>),
) -> Result<Summary> {
    let summary = analysis::summary(tally, bins);
    let optional = |x: Option<f64>| x.map(float).unwrap_or_default();
    let table = summary.rows.iter().map(|r| {
        let swing = r.swing();
        vec![
            run.scenario.to_string(),
            run.trials.to_string(),
            run.seed.to_string(),
            run.estimator.name().to_string(),
            r.parameter.clone(),
            optional(r.correlation),
            float(r.first_order.estimate),
            float(r.first_order.low),
            float(r.first_order.high),
            float(r.total_order.estimate),
            float(r.total_order.low),
            float(r.total_order.high),
            float(summary.probability),
            optional(swing.map(|s| s.0)),
            optional(swing.map(|s| s.1)),
            optional(swing.map(|s| s.1 - s.0)),
        ]
    });
    let table = export::csv_bytes(&HEADER, table);
    let bin_rows = summary.rows.iter().flat_map(|r| {
        r.bins.iter().enumerate().map(|(i, b)| {
            vec![
                run.scenario.to_string(),
                r.parameter.clone(),
                (i + 1).to_string(),
                float(b.low),
                float(b.high),
                b.trials.to_string(),
                float(b.probability),
            ]
        })
    });
    let (record, shard_command) = provenance;
    export::publish_analysis(
        out,
        export::Publication {
            name: run.scenario.to_string(),
            files: vec![
                ("sensitivity.csv".into(), export::Content::Bytes(table)),
                (
                    "sensitivity_bins.csv".into(),
                    export::Content::Bytes(export::csv_bytes(&BINS_HEADER, bin_rows)),
                ),
            ],
            output: Some("sensitivity".into()),
            record,
            shard_command,
        },
    )?;
    Ok(summary)
}

/// Draws the pilot, evaluates the trials and writes the files (or the shard).
pub fn sensitivity(catalog: &Catalog, args: &SensitivityArgs) -> Result<()> {
    let mut scenario = args.sim.load(catalog, &args.name)?;
    args.sim.relabel(catalog, &mut scenario)?;
    export::check_scenario_folder(&args.sim.out, &scenario.name)?;
    // What it will write can be written: probed before the first trial.
    let target = match args.shard {
        Some(s) => ShardFile::folder(&args.sim.out, &scenario.name)
            .join(format!("sensitivity-{}-of-{}.toml", s.index, s.count)),
        None => {
            export::publish::folder_path(&args.sim.out, &scenario.name)?.join("sensitivity.csv")
        }
    };
    export::probe_output(&args.sim.out, &target)?;
    let uncertain = scenario.uncertain();
    if uncertain.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: every parameter is a constant; nothing to rank",
            scenario.name
        )));
    }
    let params: Vec<(ParamId, String)> = uncertain
        .iter()
        .map(|id| (*id, scenario.cast.key(*id).to_string()))
        .collect();
    let sim = scenario.simulation;
    let bin_count = args.bins as usize;
    if sim.trials < bin_count as u64 {
        return Err(Error::Invalid(format!(
            "--bins {bin_count} needs at least {bin_count} trials, not {}",
            sim.trials
        )));
    }
    let factor_of = analysis::factors(&uncertain, &scenario.correlations);
    if args.shard.is_none_or(|s| s.index == 1) {
        warn_groups(&scenario.name, &params, &factor_of);
    }
    let model = Model::new(&scenario);
    // Flat in the trials: the pilot's draws that set the bins, and each thread's tallies.
    let pilot = sim.trials.min(analysis::PILOT_TRIALS);
    let estimate = crate::memory::simulation(
        crate::memory::Estimate::new(),
        &model,
        args.sim.thread_count(),
    )
    .add(
        format!(
            "{pilot} pilot trials × {} uncertain parameters × 16 bytes of draws to bin",
            params.len()
        ),
        pilot.saturating_mul(params.len() as u64 * 16),
    )
    .add(
        format!(
            "{} threads × {} parameters × {bin_count} bins × 64 bytes of tallies",
            args.sim.thread_count(),
            params.len()
        ),
        (args.sim.thread_count() as u64)
            .saturating_mul(params.len() as u64)
            .saturating_mul(bin_count as u64 * 64),
    )
    .advice("use fewer --bins or fewer --threads");
    args.sim
        .check_memory(&format!("sensitivity {}", scenario.name), &estimate)?;
    let range = args
        .shard
        .map_or(0..sim.trials, |s| shard::range(s, sim.trials));
    let bar = super::progress_bar("sensitivity", range.end - range.start);
    let estimator = args.sim.estimator;
    let (tally, bins) = args.sim.in_pool(|| {
        // The bins come from the first trials' draws, in each shard alike.
        let bins = analysis::design(&model, sim.seed, sim.trials, &params, &factor_of, bin_count)?;
        let study = Study::new(&model, sim.seed, estimator, &bins);
        let tally = study.tally(range, &|done| bar.set_position(done))?;
        Ok((tally, bins))
    })?;
    bar.finish_and_clear();
    if let Some(shard) = args.shard {
        let payload = Payload::Sensitivity { bins, tally };
        let file = ShardFile::new(
            "sensitivity".into(),
            &scenario,
            estimator,
            shard,
            None,
            payload,
        )
        .with_provenance(args.sim.overrides());
        let path = file.write(&args.sim.out, args.sim.shard_key()?.as_ref())?;
        note!(
            "{}: sensitivity shard {}/{} -> {}",
            scenario.name,
            shard.index,
            shard.count,
            path.display()
        );
        return Ok(());
    }
    let run = Run {
        scenario: &scenario.name,
        trials: sim.trials,
        seed: sim.seed,
        estimator,
    };
    let provenance = (args.sim.record(&scenario, sim.trials), Vec::new());
    let summary = write(&args.sim.out, run, &tally, &bins, provenance)?;
    report(run, &summary, &args.sim.out);
    Ok(())
}

/// Says on stderr which parameters share a Sobol factor because they are correlated.
fn warn_groups(name: &str, params: &[(ParamId, String)], factor_of: &[usize]) {
    let count = factor_of.iter().map(|f| f + 1).max().unwrap_or(0);
    for factor in 0..count {
        let members: Vec<&str> = params
            .iter()
            .zip(factor_of)
            .filter(|(_, f)| **f == factor)
            .map(|((_, key), _)| key.as_str())
            .collect();
        if members.len() > 1 {
            note!(
                "{name}: note: {} are correlated, so they are one factor: each of their rows shows the group's Sobol indices",
                members.join(", ")
            );
        }
    }
}

/// The one-line summary on stderr: the largest total-order indices.
pub fn report(run: Run<'_>, summary: &Summary, out: &std::path::Path) {
    let top: Vec<String> = summary
        .rows
        .iter()
        .take(3)
        .map(|r| format!("{} {:.3}", r.parameter, r.total_order.estimate))
        .collect();
    note!(
        "{}: largest total-order indices ({}): {} -> {}",
        run.scenario,
        run.estimator.name(),
        top.join(", "),
        out.join(run.scenario).join("sensitivity.csv").display()
    );
}
