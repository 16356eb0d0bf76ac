//! [`pool`]: experts' scenarios on the same trials, pooled (SPEC §8 "Pooling experts").
//!
//! The members run on common random numbers as in `compare`: trial i of every member uses the
//! same per-trial streams, under the first member's trials and seed (or the options'). The
//! tally and the formulas are [`crate::pool`]'s; [`write_pool`] publishes `pool.csv` with the
//! chosen method's files, as [`super::write`] publishes a run.

use super::{RunOptions, in_pool, resolve};
use crate::engine::{BLOCK, Engine, for_each_block};
use crate::error::{Error, Result};
use crate::export::{self, MonthEstimate, RunSummary, float};
use crate::model::{Estimator, LANES, Model};
use crate::pool::{Forecast, PoolBlock, PoolTally, normalised_weights};
use crate::scenario::Scenario;
use crate::stats::Estimate;
use std::path::Path;

pub use crate::pool::Method;

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

/// What to pool and how: [`pool`].
#[derive(Clone, Debug, PartialEq)]
pub struct PoolOptions {
    /// The pool's name: its folder in the output and the `pool` column.
    pub label: String,
    /// The pool reported first and written as the pool's summary and timeline.
    pub method: Method,
    /// One weight per member, scenarios first then forecasts (any positive scale, normalised
    /// to sum 1); `None`: equal weights.
    pub weights: Option<Vec<f64>>,
    /// Direct forecasts `NAME = P` pooled with the scenarios (the CLI's `--forecast`).
    pub forecasts: Vec<(String, f64)>,
    /// The `--set` arguments the members were loaded with, recorded in `run.toml`.
    pub overrides: Vec<String>,
}

impl Default for PoolOptions {
    fn default() -> PoolOptions {
        PoolOptions {
            label: String::new(),
            method: Method::Linear,
            weights: None,
            forecasts: Vec::new(),
            overrides: Vec::new(),
        }
    }
}

/// A finished pool: every member's and both pools' estimates, and what [`write_pool`] writes.
#[derive(Clone, Debug)]
pub struct PoolResult {
    /// The pool's label.
    pub label: String,
    /// The chosen method.
    pub method: Method,
    /// The scenario members' names, in order.
    pub members: Vec<String>,
    /// The scenario members' normalised weights.
    pub weights: Vec<f64>,
    /// The direct forecasts, with their normalised weights.
    pub forecasts: Vec<Forecast>,
    /// The members' joint sums.
    pub tally: PoolTally,
    /// The chosen pool as a run: its estimate by the deadline and its timeline.
    pub summary: RunSummary,
    /// The members as run, for `run.toml`.
    pub scenarios: Vec<Scenario>,
    /// The `--set` arguments, for `run.toml`.
    pub overrides: Vec<String>,
}

impl PoolResult {
    /// The chosen pool's estimate by the deadline.
    pub fn estimate(&self) -> Estimate {
        self.summary.estimate()
    }

    /// The seed the members ran under.
    pub fn seed(&self) -> u64 {
        self.summary.seed
    }

    /// The estimator.
    pub fn estimator(&self) -> Estimator {
        self.summary.estimator
    }

    /// The other method's pool by the deadline; `None` where it is undefined.
    pub fn other(&self) -> Option<Estimate> {
        let other = match self.method {
            Method::Linear => Method::GeometricOdds,
            Method::GeometricOdds => Method::Linear,
        };
        self.pooled(other)
    }

    /// `method`'s pool by the deadline; `None` where it is undefined.
    pub fn pooled(&self, method: Method) -> Option<Estimate> {
        self.tally.pooled_with(
            method,
            self.estimator(),
            &self.weights,
            &self.forecasts,
            self.tally.months() - 1,
        )
    }

    /// `pool.csv`'s bytes, as `treatysim pool` writes them.
    pub fn csv(&self) -> Vec<u8> {
        let names: Vec<&str> = self.members.iter().map(String::as_str).collect();
        let rows = pool_rows(
            &self.label,
            &names,
            (&self.weights, &self.forecasts),
            &self.tally,
            self.estimator(),
            self.seed(),
        );
        export::csv_bytes(&POOL_HEADER, rows)
    }

    /// What produced it, for `run.toml`: the pool's command, and each member's resolved
    /// scenario in turn.
    pub fn record(&self) -> export::Record {
        let first = &self.scenarios[0];
        export::Record {
            command: export::provenance::command_line(),
            scenario: self.label.clone(),
            estimator: self.estimator().name().to_string(),
            trials: first.simulation.trials,
            seed: self.seed(),
            overrides: self.overrides.clone(),
            resolved: self
                .scenarios
                .iter()
                .map(|m| format!("# member {}\n{}", m.name, m.to_toml()))
                .chain(
                    self.forecasts
                        .iter()
                        .map(|f| format!("# forecast {} = {}\n", f.name, float(f.probability))),
                )
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// The normalised weights of `members` scenario members and `options.forecasts`, scenarios
/// first.
///
/// # Errors
/// Invalid input: a weight count that does not match, a weight that is not positive.
pub fn pool_weights(options: &PoolOptions, members: usize) -> Result<Vec<f64>> {
    normalised_weights(
        options.weights.as_deref(),
        members + options.forecasts.len(),
    )
    .map_err(Error::Invalid)
}

/// Adds `scenario` to `members` under the first member's trials and seed, refusing a member
/// named twice and members whose windows differ.
///
/// # Errors
/// Invalid input naming both members.
pub fn add_member(members: &mut Vec<Scenario>, mut scenario: Scenario) -> Result<()> {
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
    Ok(())
}

/// The direct forecasts of `options`, with their normalised weights (`weights`, scenarios'
/// first), after checking their names against the label and the members'.
///
/// # Errors
/// Invalid input: a name used twice, or the label's or a member's; a label that is a
/// member's name.
pub fn pool_forecasts(
    options: &PoolOptions,
    members: &[Scenario],
    weights: &[f64],
) -> Result<Vec<Forecast>> {
    // The command line checks these as it parses `--forecast`; other callers get the same.
    for (name, p) in &options.forecasts {
        if !crate::scenario::valid_new_name(name) {
            return Err(Error::Invalid(format!(
                "pool: {}",
                crate::scenario::name_rule("the forecast's name", name)
            )));
        }
        if !(0.0..=1.0).contains(p) {
            return Err(Error::Invalid(format!(
                "pool: forecast {name}={p}: a probability is from 0 to 1"
            )));
        }
        if options.method == Method::GeometricOdds && (*p == 0.0 || *p == 1.0) {
            return Err(Error::Invalid(format!(
                "pool: forecast {name}={p}: under --method geometric-odds a member at exactly \
                 {p} makes the pool {p} whatever the others say, and a direct forecast has no \
                 interval, so the pool would have none (zero width); give {name} a \
                 probability strictly between 0 and 1 (such as 0.001 or 0.999), or pool with \
                 --method linear"
            )));
        }
    }
    let forecasts: Vec<Forecast> = options
        .forecasts
        .iter()
        .zip(&weights[members.len().min(weights.len())..])
        .map(|((name, probability), &weight)| Forecast {
            name: name.clone(),
            weight,
            probability: *probability,
        })
        .collect();
    check_forecasts(&options.label, members, &forecasts)?;
    if members.iter().any(|m| m.name == options.label) {
        return Err(Error::Invalid(format!(
            "pool: the label \"{}\" is the name of a member; its results would replace that \
             member's in --out: choose another label",
            options.label
        )));
    }
    Ok(forecasts)
}

/// Refuses to shard a pool.
///
/// # Errors
/// Invalid input when `shard` is set.
pub fn refuse_shard(shard: Option<super::Shard>) -> Result<()> {
    match shard {
        Some(shard) => Err(Error::Invalid(format!(
            "pool cannot be sharded (--shard {}/{}): it runs every member on the same trials in \
             one process so that their joint sums are exact; run it without --shard (it costs \
             the members' runs added up)",
            shard.index, shard.count
        ))),
        None => Ok(()),
    }
}

/// What pooling `members` on `threads` workers needs in memory (`--max-memory`): the models,
/// and each worker's members' sums and chunk of per-trial values.
pub fn pool_memory(members: &[Scenario], threads: usize) -> crate::memory::Estimate {
    let models: Vec<Model> = members.iter().map(Model::new).collect();
    let Some(first) = models.first() else {
        return crate::memory::Estimate::new();
    };
    let months = first.months();
    let chunk = chunk_trials(models.len(), months);
    crate::memory::simulation(crate::memory::Estimate::new(), first, threads)
        .add(
            format!("{} more members' models", models.len() - 1),
            models[1..].iter().map(Model::approx_bytes).sum(),
        )
        .add(
            format!(
                "{threads} threads × ({} members' sums over {months} months, a block's sums \
                 and a chunk of {chunk} trials' values)",
                models.len()
            ),
            (threads as u64 + 1).saturating_mul(
                PoolTally::bytes(models.len(), months)
                    .saturating_add(PoolBlock::bytes(models.len(), months))
                    .saturating_add((8 * chunk * months * models.len()) as u64),
            ),
        )
}

/// Pools `members` (at least one scenario) as `treatysim pool` does: every member on the same
/// trials (the first member's trials and seed, unless `run` sets them), the linear pool and
/// the geometric mean of odds, month by month. `progress` gets the trials done.
///
/// # Errors
/// Invalid input (no member, a bad label or weights, different windows, a forecast's name
/// used twice, a geometric pool undefined in a month, a shard), interruption.
pub fn pool(
    members: &[Scenario],
    options: &PoolOptions,
    run: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<PoolResult> {
    refuse_shard(run.shard)?;
    if !crate::scenario::valid_new_name(&options.label) {
        return Err(Error::Invalid(format!(
            "pool: {}",
            crate::scenario::name_rule("the label", &options.label)
        )));
    }
    if members.is_empty() {
        return Err(Error::Invalid(
            "pool needs at least one scenario member".into(),
        ));
    }
    let all_weights = pool_weights(options, members.len())?;
    let mut aligned = Vec::with_capacity(members.len());
    for (k, member) in members.iter().enumerate() {
        let member = if k == 0 {
            resolve(member, run)
        } else {
            member.clone()
        };
        add_member(&mut aligned, member)?;
    }
    let members = aligned;
    let forecasts = pool_forecasts(options, &members, &all_weights)?;
    let weights = &all_weights[..members.len()];
    let models: Vec<Model> = members.iter().map(Model::new).collect();
    let months = models[0].months();
    let chunk = chunk_trials(models.len(), months);
    let first = members[0].simulation;
    let (seed, trials, estimator) = (first.seed, first.trials, run.estimator);
    let names: Vec<&str> = members.iter().map(|s| s.name.as_str()).collect();
    let (tally, timeline) = in_pool(run.threads, || {
        let engines: Vec<Engine<'_>> = models
            .iter()
            .map(|model| Engine {
                model,
                seed,
                estimator,
            })
            .collect();
        let tally = for_each_block(
            0..trials,
            || PoolTally::new(engines.len(), months),
            |block, acc: &mut PoolTally, _| run_block(&engines, weights, chunk, block, acc),
            None,
            progress,
        )?;
        let timeline = timeline(
            &tally,
            options.method,
            estimator,
            (weights, &forecasts),
            &names,
        )?;
        Ok((tally, timeline))
    })?;
    Ok(PoolResult {
        label: options.label.clone(),
        method: options.method,
        members: names.iter().map(|n| n.to_string()).collect(),
        weights: weights.to_vec(),
        forecasts,
        summary: RunSummary {
            scenario: options.label.clone(),
            estimator,
            seed,
            start: first.start,
            deadline: first.deadline,
            tally: tally.linear.clone(),
            timeline: Some(timeline),
            overrides: options.overrides.clone(),
        },
        tally,
        scenarios: members,
        overrides: options.overrides.clone(),
    })
}

/// Writes a pool's files into `<out>/LABEL/` (pool.csv, the chosen method's summary.csv and
/// timeline.csv, run.toml) and its row of `<out>/summary.csv`, all at once under the lock on
/// `out`, exactly as `treatysim pool` writes them.
///
/// # Errors
/// Invalid input (the folder holds another scenario's results), I/O errors.
pub fn write_pool(out: &Path, result: &PoolResult) -> Result<()> {
    export::check_outputs(out, &[result.label.as_str()])?;
    export::publish_pool(
        out,
        &result.summary,
        result.record(),
        result.csv(),
        result.forecasts.is_empty(),
    )
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
    let mut sums = PoolBlock::new(engines.len(), months);
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
            sums.add(
                |k| &values[(k * chunk + i) * months..(k * chunk + i + 1) * months],
                weights,
            );
        }
        start = end;
    }
    acc.add_block(&sums);
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
