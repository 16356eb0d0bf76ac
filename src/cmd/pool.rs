//! `treatysim pool LABEL A B C…`: experts' scenarios on the same trials, pooled (SPEC §8).
//!
//! [`crate::api::pool`] runs the members and pools them, [`crate::api::write_pool`] publishes
//! `pool.csv` with the chosen method's files; this module checks the arguments, loads the
//! members and prints the summary.

use crate::api::{PoolOptions, PoolResult, RunOptions, add_member, pool_forecasts, pool_weights};
use crate::cli::PoolArgs;
use crate::error::{Error, Result};
use crate::export::float;
use crate::pool::Method;
use crate::scenario::{Catalog, Scenario, name_rule, valid_new_name};

/// Checks the arguments, runs the members on the same trials and publishes the pool.
pub fn pool(catalog: &Catalog, args: &PoolArgs) -> Result<()> {
    crate::api::refuse_shard(args.shard)?;
    if let Some(label) = &args.sim.label {
        // The pool's folder is its LABEL already: a second name would be ignored silently.
        return Err(Error::Invalid(format!(
            "pool does not take --as (given \"{}\"): its first argument, LABEL ({}), names \
             its folder <out>/{}/; give the name there",
            label.escape_debug(),
            args.label.escape_debug(),
            args.label.escape_debug()
        )));
    }
    check_label(catalog, &args.label, &args.members)?;
    let options = PoolOptions {
        label: args.label.clone(),
        method: args.method,
        weights: args.weights.clone(),
        forecasts: args.forecasts.clone(),
        overrides: args.sim.overrides(),
    };
    let weights = pool_weights(&options, args.members.len())?;
    let members = load_members(catalog, args)?;
    pool_forecasts(&options, &members, &weights)?;
    let estimate = crate::api::pool_memory(&members, args.sim.thread_count())
        .advice("pool fewer members, shorten the window or use fewer --threads");
    args.sim
        .check_memory(&format!("pool {}", args.label), &estimate)?;
    // Checked before the first trial, as `run` does.
    crate::export::check_outputs(&args.sim.out, &[args.label.as_str()])?;
    super::check_pool_folder_owner(&args.sim.out, &args.label)?;
    let run = RunOptions {
        estimator: args.sim.estimator,
        threads: args.sim.threads,
        ..RunOptions::default()
    };
    let trials = members[0].simulation.trials;
    let bar = super::progress_bar(&args.label, trials);
    let result = crate::api::pool(&members, &options, &run, &|done| bar.set_position(done));
    bar.finish_and_clear();
    let result = result?;
    args.sim
        .in_pool(|| crate::api::write_pool(&args.sim.out, &result))?;
    report(&result, &args.sim.out);
    Ok(())
}

/// The label follows the scenario-name rule, and is neither a member's argument nor the name
/// of a scenario on the search path (the pool's results would replace that scenario's).
fn check_label(catalog: &Catalog, label: &str, members: &[String]) -> Result<()> {
    if !valid_new_name(label) {
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
        add_member(&mut members, args.sim.load(catalog, name)?)?;
    }
    Ok(members)
}

/// The summary on stderr: both pools, the chosen one first.
fn report(result: &PoolResult, out: &std::path::Path) {
    let (run, method, tally, estimator) = (
        &result.summary,
        result.method,
        &result.tally,
        result.estimator(),
    );
    let (names, forecasts) = (&result.members, &result.forecasts);
    let last = tally.months() - 1;
    // SPEC §8: a geometric pool decided by a member at exactly 0 or 1 says which.
    // A forecast first: it leaves the geometric pool without an interval.
    let edge = forecasts
        .iter()
        .find(|f| f.probability <= 0.0 || f.probability >= 1.0)
        .map(|f| (f.name.as_str(), f.probability, "forecast"))
        .or_else(|| {
            tally
                .at_edge(estimator, last)
                .map(|(k, p)| (names[k].as_str(), p, "estimate"))
        });
    if let Some((name, p, what)) = edge {
        if what == "estimate" {
            note!(
                "warning: {name}'s estimate is exactly {p} by the deadline, so the geometric \
                 mean of odds is {p} whatever the others say; its interval comes from the \
                 members' intervals. More trials (or --estimator conditional) would give it a \
                 chance"
            );
        } else {
            note!(
                "warning: {name}'s forecast is exactly {p}, so the geometric mean of odds would \
                 be {p} whatever the others say, with no interval (a forecast has none): \
                 pool.csv leaves its geometric-odds row empty"
            );
        }
    }
    let other = match method {
        Method::Linear => Method::GeometricOdds,
        Method::GeometricOdds => Method::Linear,
    };
    let e = run.estimate();
    let other_text = result.other().map_or_else(
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
