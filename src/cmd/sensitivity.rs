//! `treatysim sensitivity`: Sobol indices and the tornado's swings of every uncertain
//! parameter, and of the randomness inside a trial ([`crate::analysis::sensitivity`]).

use crate::analysis::sensitivity::{self as analysis, Summary};
use crate::cast::ParamId;
use crate::cli::SensitivityArgs;
use crate::error::{Error, Result};
use crate::export;
use crate::model::Model;
use crate::scenario::Catalog;
use crate::shard::{self, Payload, ShardFile};

pub use crate::analysis::sensitivity::{BINS_HEADER, HEADER, Run};

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
    let (params, factor_of) = crate::api::sensitivity_factors(&scenario)?;
    let sim = scenario.simulation;
    let bin_count = args.bins as usize;
    if sim.trials < bin_count as u64 {
        return Err(Error::Invalid(format!(
            "--bins {bin_count} needs at least {bin_count} trials, not {}",
            sim.trials
        )));
    }
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
    let total = args.shard.map_or(sim.trials, |s| {
        shard::range(s, sim.trials).end - shard::range(s, sim.trials).start
    });
    let bar = super::progress_bar("sensitivity", total);
    let estimator = args.sim.estimator;
    let options = crate::api::RunOptions {
        estimator,
        threads: args.sim.threads,
        shard: args.shard,
        ..crate::api::RunOptions::default()
    };
    let progress = |done| bar.set_position(done);
    let study = crate::api::sensitivity(&scenario, bin_count, &options, &progress)?;
    bar.finish_and_clear();
    if let Some(shard) = args.shard {
        let payload = Payload::Sensitivity {
            bins: study.bins,
            tally: study.tally,
        };
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
    let record = args.sim.record(&scenario, sim.trials);
    let summary = crate::api::write_sensitivity(&args.sim.out, &study, record, Vec::new())?;
    report(study.run(), &summary, &args.sim.out);
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
