//! `treatysim pool LABEL A B C…`: experts' scenarios on the same trials, pooled (SPEC §8).
//!
//! The members run on common random numbers as in `compare`: trial i of every member uses the
//! same per-trial streams, under the first member's trials and seed (or `--trials`/`--seed`).
//! [`crate::pool`] holds the tally and the formulas; this module checks the arguments, runs
//! the members and publishes `pool.csv` with the chosen method's files, as `run` publishes
//! a run.

use crate::cli::PoolArgs;
use crate::engine::{BLOCK, Engine, for_each_block};
use crate::error::{Error, Result};
use crate::export::{self, MonthEstimate, RunSummary, float};
use crate::model::{Estimator, LANES, Model};
use crate::pool::{Forecast, Method, PoolTally, normalised_weights};
use crate::scenario::{Catalog, Scenario, name_rule, valid_scenario_name};
use crate::stats::Estimate;

/// Columns of `pool.csv`.
pub const POOL_HEADER: [&str; 11] = [
    "pool",
    "method",
    "member",
    "weight",
    "trials",
    "seed",
    "estimator",
    "probability",
    "std_error",
    "ci95_low",
    "ci95_high",
];

/// What one block's members' cumulative probabilities may hold at once: trials are simulated
/// in chunks of at most this many bytes of per-trial values, whatever the window.
const CHUNK_BYTES: usize = 4 << 20;

/// Checks the arguments, runs the members on the same trials and publishes the pool.
pub fn pool(catalog: &Catalog, args: &PoolArgs) -> Result<()> {
    if let Some(shard) = args.shard {
        return Err(Error::Invalid(format!(
            "pool cannot be sharded (--shard {}/{}): it runs every member on the same trials in \
             one process so that their joint sums are exact; run it without --shard (it costs \
             the members' runs added up)",
            shard.index, shard.count
        )));
    }
    check_label(catalog, &args.label, &args.members)?;
    let all_weights = normalised_weights(
        args.weights.as_deref(),
        args.members.len() + args.forecasts.len(),
    )
    .map_err(Error::Invalid)?;
    let (weights, forecast_weights) = all_weights.split_at(args.members.len());
    let members = load_members(catalog, args)?;
    let forecasts: Vec<Forecast> = args
        .forecasts
        .iter()
        .zip(forecast_weights)
        .map(|((name, probability), &weight)| Forecast {
            name: name.clone(),
            weight,
            probability: *probability,
        })
        .collect();
    check_forecasts(&args.label, &members, &forecasts)?;
    for scenario in &members {
        if scenario.name == args.label {
            return Err(Error::Invalid(format!(
                "pool: the label \"{}\" is the name of a member; its results would replace that \
                 member's in --out: choose another label",
                args.label
            )));
        }
        super::scenario_warnings(scenario);
    }
    let models: Vec<Model> = members.iter().map(Model::new).collect();
    let threads = args.sim.thread_count();
    let chunk = chunk_trials(models.len(), models[0].months());
    let months = models[0].months();
    let mut estimate = crate::memory::simulation(crate::memory::Estimate::new(), &models[0], threads)
        .add(
            format!("{} more members' models", models.len() - 1),
            models[1..].iter().map(Model::approx_bytes).sum(),
        )
        .add(
            format!(
                "{threads} threads × ({} members' sums over {months} months and a chunk of {chunk} trials' values)",
                models.len()
            ),
            (threads as u64 + 1).saturating_mul(
                PoolTally::bytes(models.len(), months)
                    .saturating_add((8 * chunk * months * models.len()) as u64),
            ),
        );
    estimate = estimate.advice("pool fewer members, shorten the window or use fewer --threads");
    args.sim
        .check_memory(&format!("pool {}", args.label), &estimate)?;
    let first = &members[0].simulation;
    let (seed, trials, estimator) = (first.seed, first.trials, args.sim.estimator);
    let names: Vec<&str> = members.iter().map(|s| s.name.as_str()).collect();
    // Checked, simulated and published in the pool's thread, as `run` does.
    let (run, tally) = args.sim.in_pool(|| {
        export::check_outputs(&args.sim.out, &[args.label.as_str()])?;
        super::check_pool_folder_owner(&args.sim.out, &args.label)?;
        let engines: Vec<Engine<'_>> = models
            .iter()
            .map(|model| Engine {
                model,
                seed,
                estimator,
            })
            .collect();
        let bar = super::progress_bar(&args.label, trials);
        let tally = for_each_block(
            0..trials,
            || PoolTally::new(engines.len(), months),
            |block, acc: &mut PoolTally, _| run_block(&engines, weights, chunk, block, acc),
            None,
            &|done| bar.set_position(done),
        )?;
        bar.finish_and_clear();
        let run = RunSummary {
            scenario: args.label.clone(),
            estimator,
            seed,
            start: first.start,
            deadline: first.deadline,
            tally: tally.linear.clone(),
            timeline: Some(timeline(
                &tally,
                args.method,
                estimator,
                (weights, &forecasts),
                &names,
            )?),
            overrides: args.sim.overrides(),
        };
        // run.toml: the pool's command, and each member's resolved scenario in turn.
        let mut record = args.sim.record(&members[0], trials);
        record.scenario = args.label.clone();
        record.seed = seed;
        record.resolved = members
            .iter()
            .map(|m| format!("# member {}\n{}", m.name, m.to_toml()))
            .chain(
                forecasts
                    .iter()
                    .map(|f| format!("# forecast {} = {}\n", f.name, float(f.probability))),
            )
            .collect::<Vec<_>>()
            .join("\n");
        let rows = pool_rows(
            &args.label,
            &names,
            (weights, &forecasts),
            &tally,
            estimator,
            seed,
        );
        export::publish_pool(
            &args.sim.out,
            &run,
            record,
            export::csv_bytes(&POOL_HEADER, rows),
            forecasts.is_empty(),
        )?;
        Ok((run, tally))
    })?;
    report(
        &run,
        args.method,
        &names,
        &tally,
        estimator,
        (weights, &forecasts),
        &args.sim.out,
    );
    Ok(())
}

/// Each forecast's name is used once, and is neither a scenario member's nor the label.
fn check_forecasts(label: &str, members: &[Scenario], forecasts: &[Forecast]) -> Result<()> {
    for (i, f) in forecasts.iter().enumerate() {
        let clash = if f.name == label {
            Some("the pool's label")
        } else if members.iter().any(|m| m.name == f.name) {
            Some("a scenario member's name")
        } else if forecasts[..i].iter().any(|g| g.name == f.name) {
            Some("the name of another --forecast")
        } else {
            None
        };
        if let Some(clash) = clash {
            return Err(Error::Invalid(format!(
                "pool: --forecast {}={}: \"{}\" is {clash}; give each member its own name",
                f.name,
                float(f.probability),
                f.name
            )));
        }
    }
    Ok(())
}

/// The label follows the scenario-name rule, and is neither a member's argument nor the name
/// of a scenario on the search path (the pool's results would replace that scenario's).
fn check_label(catalog: &Catalog, label: &str, members: &[String]) -> Result<()> {
    if !valid_scenario_name(label) {
        return Err(Error::Invalid(format!(
            "pool: {}",
            name_rule("the label", label)
        )));
    }
    let on_path = catalog.names().unwrap_or_default();
    if members.iter().any(|m| m == label) || on_path.iter().any(|n| n == label) {
        return Err(Error::Invalid(format!(
            "pool: the label \"{label}\" is the name of {}; the pool's results would replace that \
             scenario's in --out: choose another label, e.g. \"{label}-pool\"",
            if members.iter().any(|m| m == label) {
                "a member"
            } else {
                "a scenario on the search path"
            }
        )));
    }
    Ok(())
}

/// Loads every member under the first one's trials and seed (unless `--trials`/`--seed` set
/// them), refusing a member named twice and members whose windows differ.
fn load_members(catalog: &Catalog, args: &PoolArgs) -> Result<Vec<Scenario>> {
    let mut members: Vec<Scenario> = Vec::with_capacity(args.members.len());
    for name in &args.members {
        let mut scenario = args.sim.load(catalog, name)?;
        if members.iter().any(|m| m.name == scenario.name) {
            return Err(Error::Invalid(format!(
                "pool: the member \"{}\" is named twice; name each member once and give it a \
                 larger weight instead (--weights)",
                scenario.name
            )));
        }
        if let Some(first) = members.first() {
            let (a, b) = (&first.simulation, &scenario.simulation);
            if a.start != b.start || a.deadline != b.deadline {
                return Err(Error::Invalid(format!(
                    "pool needs the same window for every member: {} runs {} to {}, {} runs {} \
                     to {}",
                    first.name, a.start, a.deadline, scenario.name, b.start, b.deadline
                )));
            }
            scenario.simulation.trials = a.trials;
            scenario.simulation.seed = a.seed;
        }
        members.push(scenario);
    }
    Ok(members)
}

/// Trials simulated at a time within a block: a multiple of [`LANES`] whose members' values
/// fit in [`CHUNK_BYTES`].
fn chunk_trials(members: usize, months: usize) -> usize {
    let per_trial = 8 * members.max(1) * months.max(1);
    let trials = (CHUNK_BYTES / per_trial) / LANES * LANES;
    trials.clamp(LANES, BLOCK as usize)
}

/// Runs every member over `block`, chunk by chunk, and adds each trial to `acc`.
fn run_block(
    engines: &[Engine<'_>],
    weights: &[f64],
    chunk: usize,
    block: std::ops::Range<u64>,
    acc: &mut PoolTally,
) {
    let months = acc.months();
    let mut values = vec![0.0; engines.len() * chunk * months];
    let mut start = block.start;
    while start < block.end {
        let end = (start + chunk as u64).min(block.end);
        let count = (end - start) as usize;
        for (k, engine) in engines.iter().enumerate() {
            let member = &mut values[k * chunk * months..(k + 1) * chunk * months];
            let mut filled = 0;
            engine.for_each_trial(start..end, |record| {
                member[filled * months..(filled + 1) * months].copy_from_slice(record.cumulative);
                filled += 1;
            });
            if filled < count {
                // Interrupted: `for_each_block` discards the block.
                return;
            }
        }
        for i in 0..count {
            let values = &values;
            acc.add(
                |k| &values[(k * chunk + i) * months..(k * chunk + i + 1) * months],
                weights,
            );
        }
        start = end;
    }
}

/// The chosen method's timeline, month by month.
///
/// # Errors
/// Invalid input when the geometric mean of odds is undefined in a month (a member at 0 and
/// another at 1).
fn timeline(
    tally: &PoolTally,
    method: Method,
    estimator: Estimator,
    (weights, forecasts): (&[f64], &[Forecast]),
    names: &[&str],
) -> Result<Vec<MonthEstimate>> {
    let mut before = 0.0;
    (0..tally.months())
        .map(|t| {
            let cumulative = tally
                .pooled_with(method, estimator, weights, forecasts, t)
                .ok_or_else(|| undefined(tally, estimator, names, forecasts, t))?;
            let in_month = match method {
                Method::Linear => tally.linear.in_month(t),
                Method::GeometricOdds => (cumulative.probability - before).max(0.0),
            };
            before = cumulative.probability;
            let remaining = match method {
                Method::Linear if forecasts.is_empty() => tally.linear_remaining(estimator, t),
                _ => None,
            };
            Ok(MonthEstimate {
                in_month,
                cumulative,
                remaining,
            })
        })
        .collect()
}

/// The refusal of a geometric pool that is undefined in month index `t`.
fn undefined(
    tally: &PoolTally,
    estimator: Estimator,
    names: &[&str],
    forecasts: &[Forecast],
    t: usize,
) -> Error {
    let at = |value: f64| {
        names
            .iter()
            .enumerate()
            .find(|(k, _)| tally.member(*k, estimator, t).probability == value)
            .map(|(_, name)| *name)
            .or_else(|| {
                forecasts
                    .iter()
                    .find(|f| f.probability == value)
                    .map(|f| f.name.as_str())
            })
            .unwrap_or("?")
    };
    Error::Invalid(format!(
        "pool: the geometric mean of odds is undefined in month {} of the window: {}'s \
         probability is 0 (odds 0) and {}'s is 1 (odds infinite); use --method linear, or more \
         trials if a probability is 0 or 1 only for want of them",
        t + 1,
        at(0.0),
        at(1.0)
    ))
}

/// The rows of `pool.csv`: one per member (method `member`), then the linear pool and the
/// geometric mean of odds (member and weight empty). A pool that is undefined has its
/// probability, standard error and interval empty.
fn pool_rows(
    label: &str,
    names: &[&str],
    (weights, forecasts): (&[f64], &[Forecast]),
    tally: &PoolTally,
    estimator: Estimator,
    seed: u64,
) -> Vec<Vec<String>> {
    let last = tally.months() - 1;
    let row = |method: &str, member: &str, weight: String, e: Option<Estimate>| {
        let mut row = vec![
            label.to_string(),
            method.to_string(),
            member.to_string(),
            weight,
            tally.trials().to_string(),
            seed.to_string(),
            estimator.name().to_string(),
        ];
        row.extend(match e {
            Some(e) => [e.probability, e.std_error, e.ci95_low, e.ci95_high].map(float),
            None => Default::default(),
        });
        row
    };
    let mut rows: Vec<Vec<String>> = names
        .iter()
        .zip(weights)
        .enumerate()
        .map(|(k, (name, w))| {
            row(
                "member",
                name,
                float(*w),
                Some(tally.member(k, estimator, last)),
            )
        })
        .collect();
    // A direct forecast: its probability, no trials, seed, estimator or interval.
    for f in forecasts {
        let mut row = vec![String::new(); POOL_HEADER.len()];
        row[0] = label.to_string();
        row[1] = "member".into();
        row[2] = f.name.clone();
        row[3] = float(f.weight);
        row[7] = float(f.probability);
        rows.push(row);
    }
    for method in [Method::Linear, Method::GeometricOdds] {
        let e = tally.pooled_with(method, estimator, weights, forecasts, last);
        rows.push(row(method.name(), "", String::new(), e));
    }
    rows
}

/// The summary on stderr: both pools, the chosen one first.
fn report(
    run: &RunSummary,
    method: Method,
    names: &[&str],
    tally: &PoolTally,
    estimator: Estimator,
    (weights, forecasts): (&[f64], &[Forecast]),
    out: &std::path::Path,
) {
    let last = tally.months() - 1;
    // SPEC §8: a geometric pool decided by a member at exactly 0 or 1 says which.
    let edge = tally
        .at_edge(estimator, last)
        .map(|(k, p)| (names[k], p, "estimate"))
        .or_else(|| {
            forecasts
                .iter()
                .find(|f| f.probability <= 0.0 || f.probability >= 1.0)
                .map(|f| (f.name.as_str(), f.probability, "forecast"))
        });
    if let Some((name, p, what)) = edge {
        note!(
            "warning: {name}'s {what} is exactly {p} by the deadline, so the geometric mean of \
             odds is {p} whatever the others say; its interval comes from the members' \
             intervals{}",
            if what == "estimate" {
                ". More trials (or --estimator conditional) would give it a chance"
            } else {
                ""
            }
        );
    }
    let other = match method {
        Method::Linear => Method::GeometricOdds,
        Method::GeometricOdds => Method::Linear,
    };
    let e = run.estimate();
    let other_text = tally
        .pooled_with(other, estimator, weights, forecasts, last)
        .map_or_else(
            || "undefined".to_string(),
            |o| format!("{:.3}%", 100.0 * o.probability),
        );
    let members: Vec<String> = names
        .iter()
        .map(|n| n.to_string())
        .chain(
            forecasts
                .iter()
                .map(|f| format!("{}={}", f.name, float(f.probability))),
        )
        .collect();
    note!(
        "{}: {} pool of {} = {:.3}% (95% CI {:.3}%–{:.3}%; {} {}), {} trials, {} -> {}",
        run.scenario,
        method.name(),
        members.join(", "),
        100.0 * e.probability,
        100.0 * e.ci95_low,
        100.0 * e.ci95_high,
        other.name(),
        other_text,
        tally.trials(),
        estimator.name(),
        out.join(&run.scenario).display()
    );
}
