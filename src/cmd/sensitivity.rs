//! `treatysim sensitivity`: which uncertain parameters move the treaty probability most.
//!
//! Two passes over the same trials. The first draws only the parameters, to find each one's
//! quantile bins from its own draws. The second simulates every trial and tallies, per
//! parameter, the outcome by bin and the sums for a Pearson correlation, all in fixed point so
//! that the result is independent of how the trials were split.

use crate::cast::ParamId;
use crate::cli::SensitivityArgs;
use crate::engine::{Accumulator, Engine, fixed, for_each_block, unfixed};
use crate::error::{Error, Result};
use crate::export::{self, float};
use crate::model::{Estimator, Model};
use crate::rng;
use crate::scenario::Catalog;
use crate::shard::{self, Payload, ShardFile};
use std::ops::Range;

/// Fixed point of standardised draws.
const X_ONE: f64 = (1u64 << 24) as f64;
/// Fixed point of outcomes in the cross product.
const Y_ONE: f64 = (1u64 << 30) as f64;

/// Quantile bins of one parameter's draws and the scale its draws are tallied on.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Bins {
    /// The parameter's key.
    pub param: String,
    /// Its position in the canonical order.
    pub index: usize,
    /// Smallest draw in each bin.
    pub low: Vec<f64>,
    /// Largest draw in each bin; a draw goes to the first bin whose `high` is not below it.
    pub high: Vec<f64>,
    /// Median of the draws (centre of the fixed-point scale).
    pub centre: f64,
    /// Spread of the draws (unit of the fixed-point scale).
    pub scale: f64,
}

impl Bins {
    /// Bins of `draws` (sorted in place): bin b holds ranks ⌊b·n/B⌋ … ⌊(b+1)·n/B⌋ − 1.
    fn from_draws(param: String, index: usize, draws: &mut [f64], bins: usize) -> Bins {
        draws.sort_unstable_by(f64::total_cmp);
        let n = draws.len();
        let low = (0..bins).map(|b| draws[b * n / bins]).collect();
        let high = (0..bins)
            .map(|b| draws[((b + 1) * n / bins).max(1) - 1])
            .collect();
        let spread = draws[n * 95 / 100] - draws[n * 5 / 100];
        Bins {
            param,
            index,
            low,
            high,
            centre: draws[n / 2],
            scale: if spread > 0.0 { spread } else { 1.0 },
        }
    }

    fn bin(&self, x: f64) -> usize {
        self.high
            .partition_point(|h| *h < x)
            .min(self.high.len() - 1)
    }

    fn fixed(&self, x: f64) -> i64 {
        ((x - self.centre) / self.scale * X_ONE).round() as i64
    }
}

/// Per-parameter sums of the second pass.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ParamSums {
    /// Trials per bin.
    #[serde(with = "crate::shard::decimals")]
    pub count: Vec<u64>,
    /// Σ outcome per bin (fixed point).
    #[serde(with = "crate::shard::decimals")]
    pub outcome: Vec<u128>,
    /// Σ x (standardised, fixed point).
    #[serde(with = "crate::shard::decimal")]
    pub x: i128,
    /// Σ x².
    #[serde(with = "crate::shard::decimal")]
    pub xx: i128,
    /// Σ x·y.
    #[serde(with = "crate::shard::decimal")]
    pub xy: i128,
}

/// The second pass's tally: outcome sums overall and per parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SensitivityTally {
    /// Trials.
    #[serde(with = "crate::shard::decimal")]
    pub trials: u64,
    /// Σ y (fixed point 2⁻⁶²).
    #[serde(with = "crate::shard::decimal")]
    pub y: u128,
    /// Σ y².
    #[serde(with = "crate::shard::decimal")]
    pub yy: u128,
    /// Σ y (fixed point 2⁻³⁰), the scale of the cross products.
    #[serde(with = "crate::shard::decimal")]
    pub y30: i128,
    /// One entry per uncertain parameter, in canonical order.
    pub params: Vec<ParamSums>,
}

impl Accumulator for SensitivityTally {
    fn merge(&mut self, o: SensitivityTally) {
        self.trials += o.trials;
        self.y += o.y;
        self.yy += o.yy;
        self.y30 += o.y30;
        for (a, b) in self.params.iter_mut().zip(o.params) {
            a.count.iter_mut().zip(&b.count).for_each(|(p, q)| *p += q);
            a.outcome
                .iter_mut()
                .zip(&b.outcome)
                .for_each(|(p, q)| *p += q);
            a.x += b.x;
            a.xx += b.xx;
            a.xy += b.xy;
        }
    }

    fn trials(&self) -> u64 {
        self.trials
    }
}

/// Draw columns of the first pass, concatenated in trial order.
struct Columns {
    trials: u64,
    columns: Vec<Vec<f64>>,
}

impl Accumulator for Columns {
    fn merge(&mut self, other: Columns) {
        self.trials += other.trials;
        for (a, b) in self.columns.iter_mut().zip(other.columns) {
            a.extend(b);
        }
    }

    fn trials(&self) -> u64 {
        self.trials
    }
}

/// First pass: every trial's draws of the uncertain parameters, and their bins.
///
/// # Errors
/// Interruption.
pub fn bins(
    model: &Model,
    seed: u64,
    trials: u64,
    params: &[(ParamId, String)],
    count: usize,
) -> Result<Vec<Bins>> {
    let Columns { columns, .. } = for_each_block(
        0..trials,
        || Columns {
            trials: 0,
            columns: vec![Vec::new(); params.len()],
        },
        |block, acc: &mut Columns, _| {
            let mut draws = vec![0.0; model.params()];
            for trial in block {
                model.draw(rng::trial_key(seed, trial), &mut draws);
                for (column, (p, _)) in acc.columns.iter_mut().zip(params) {
                    column.push(draws[p.index()]);
                }
                acc.trials += 1;
            }
        },
        None,
        &|_| {},
    )?;
    Ok(params
        .iter()
        .zip(columns)
        .map(|((p, key), mut c)| Bins::from_draws(key.clone(), p.index(), &mut c, count))
        .collect())
}

/// Second pass over `range`.
///
/// # Errors
/// Interruption.
pub fn tally(
    engine: &Engine<'_>,
    bins: &[Bins],
    range: Range<u64>,
    progress: &dyn Fn(u64),
) -> Result<SensitivityTally> {
    let empty = || SensitivityTally {
        params: bins
            .iter()
            .map(|b| ParamSums {
                count: vec![0; b.high.len()],
                outcome: vec![0; b.high.len()],
                ..ParamSums::default()
            })
            .collect(),
        ..SensitivityTally::default()
    };
    let per_block = |block: Range<u64>, acc: &mut SensitivityTally, _: &mut Vec<u8>| {
        engine.for_each_trial(block, |record| {
            let y = record.cumulative.last().copied().unwrap_or(0.0);
            let (y62, y30) = (fixed(y).unsigned_abs(), (y * Y_ONE) as i64);
            acc.trials += 1;
            acc.y += y62;
            acc.yy += fixed(y * y).unsigned_abs();
            acc.y30 += i128::from(y30);
            for (sums, b) in acc.params.iter_mut().zip(bins) {
                let x = record.draws[b.index];
                let bin = b.bin(x);
                sums.count[bin] += 1;
                sums.outcome[bin] += y62;
                let q = i128::from(b.fixed(x));
                sums.x += q;
                sums.xx += q * q;
                sums.xy += q * i128::from(y30);
            }
        });
    };
    for_each_block(range, empty, per_block, None, progress)
}

/// One row of `sensitivity.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The parameter's key.
    pub param: String,
    /// Pearson correlation between the draw and the trial's outcome.
    pub correlation: f64,
    /// Var(E[outcome | bin]) / Var(outcome).
    pub first_order_index: f64,
    /// Probability in the lowest bin.
    pub probability_low: f64,
    /// Probability in the highest bin.
    pub probability_high: f64,
    /// probability_high − probability_low.
    pub swing: f64,
    /// Probability in each bin.
    pub bin_probability: Vec<f64>,
}

/// The rows of `sensitivity.csv`, in tornado order (largest |swing| first).
pub fn rows(tally: &SensitivityTally, bins: &[Bins]) -> Vec<Row> {
    let n = tally.trials as f64;
    let mean_y = unfixed(tally.y as i128) / n;
    let var_y = (unfixed(tally.yy as i128) / n - mean_y * mean_y).max(0.0);
    let mean_y30 = tally.y30 as f64 / Y_ONE / n;
    let mut rows: Vec<Row> = tally
        .params
        .iter()
        .zip(bins)
        .map(|(s, b)| {
            let bin_probability: Vec<f64> = s
                .count
                .iter()
                .zip(&s.outcome)
                .map(|(c, o)| {
                    if *c > 0 {
                        unfixed(*o as i128) / *c as f64
                    } else {
                        f64::NAN
                    }
                })
                .collect();
            let between: f64 = s
                .count
                .iter()
                .zip(&bin_probability)
                .filter(|(c, _)| **c > 0)
                .map(|(c, p)| *c as f64 * (p - mean_y).powi(2))
                .sum::<f64>()
                / n;
            let mean_x = s.x as f64 / X_ONE / n;
            let var_x = (s.xx as f64 / (X_ONE * X_ONE) / n - mean_x * mean_x).max(0.0);
            let cov = s.xy as f64 / (X_ONE * Y_ONE) / n - mean_x * mean_y30;
            let correlation = if var_x > 0.0 && var_y > 0.0 {
                (cov / (var_x * var_y).sqrt()).clamp(-1.0, 1.0)
            } else {
                0.0
            };
            let (low, high) = (
                bin_probability[0],
                bin_probability[bin_probability.len() - 1],
            );
            Row {
                param: b.param.clone(),
                correlation,
                first_order_index: if var_y > 0.0 {
                    (between / var_y).min(1.0)
                } else {
                    0.0
                },
                probability_low: low,
                probability_high: high,
                swing: high - low,
                bin_probability,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.swing.abs().total_cmp(&a.swing.abs()));
    rows
}

/// Columns of `sensitivity.csv`.
pub const HEADER: [&str; 7] = [
    "scenario",
    "parameter",
    "correlation",
    "first_order_index",
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

/// Writes `sensitivity.csv` and `sensitivity_bins.csv` for `scenario`.
///
/// # Errors
/// I/O errors.
pub fn write(
    out: &std::path::Path,
    scenario: &str,
    tally: &SensitivityTally,
    bins: &[Bins],
) -> Result<()> {
    let rows = rows(tally, bins);
    let table = rows.iter().map(|r| {
        let mut row = vec![scenario.to_string(), r.param.clone()];
        row.extend(
            [
                r.correlation,
                r.first_order_index,
                r.probability_low,
                r.probability_high,
                r.swing,
            ]
            .map(float),
        );
        row
    });
    let dir = out.join(scenario);
    export::write_atomic(
        &dir.join("sensitivity.csv"),
        &export::csv_bytes(&HEADER, table),
    )?;
    let mut bin_rows = Vec::new();
    for r in &rows {
        let (b, sums) = bins
            .iter()
            .zip(&tally.params)
            .find(|(b, _)| b.param == r.param)
            .ok_or_else(|| Error::Invalid("internal: sensitivity bins".into()))?;
        for (i, p) in r.bin_probability.iter().enumerate() {
            bin_rows.push(vec![
                scenario.to_string(),
                r.param.clone(),
                (i + 1).to_string(),
                float(b.low[i]),
                float(b.high[i]),
                sums.count[i].to_string(),
                float(*p),
            ]);
        }
    }
    export::write_atomic(
        &dir.join("sensitivity_bins.csv"),
        &export::csv_bytes(&BINS_HEADER, bin_rows),
    )
}

/// Runs both passes and writes the files.
pub fn sensitivity(catalog: &Catalog, args: &SensitivityArgs) -> Result<()> {
    let scenario = args.sim.load(catalog, &args.name)?;
    let params: Vec<(ParamId, String)> = scenario
        .uncertain()
        .into_iter()
        .map(|id| (id, scenario.cast.key(id).to_string()))
        .collect();
    if params.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: every parameter is a constant; nothing to rank",
            scenario.name
        )));
    }
    let sim = scenario.simulation;
    let bin_count = args.bins as usize;
    if sim.trials < bin_count as u64 {
        return Err(Error::Invalid(format!(
            "--bins {bin_count} needs at least {bin_count} trials, not {}",
            sim.trials
        )));
    }
    let model = Model::new(&scenario);
    // The first pass holds every trial's draw of every uncertain parameter (8 bytes each,
    // up to twice over while the columns grow).
    let estimate = crate::memory::simulation(
        crate::memory::Estimate::new(),
        &model,
        args.sim.thread_count(),
    )
    .add(
        format!(
            "{} trials × {} uncertain parameters × 16 bytes of draws to bin",
            sim.trials,
            params.len()
        ),
        sim.trials.saturating_mul(params.len() as u64 * 16),
    )
    .advice("use fewer --trials (every shard bins the draws of all the trials)");
    args.sim
        .check_memory(&format!("sensitivity {}", scenario.name), &estimate)?;
    let engine = Engine {
        model: &model,
        seed: sim.seed,
        estimator: args.sim.estimator,
    };
    let range = args
        .shard
        .map_or(0..sim.trials, |s| shard::range(s, sim.trials));
    let bar = super::progress_bar("sensitivity", range.end - range.start);
    let (tally, bins) = args.sim.in_pool(|| {
        // The bins come from every trial's draws, in each shard alike.
        let bins = bins(&model, sim.seed, sim.trials, &params, bin_count)?;
        let tally = tally(&engine, &bins, range, &|done| bar.set_position(done))?;
        Ok((tally, bins))
    })?;
    bar.finish_and_clear();
    if let Some(shard) = args.shard {
        let payload = Payload::Sensitivity { bins, tally };
        let file = ShardFile::new(
            "sensitivity".into(),
            &scenario,
            args.sim.estimator,
            shard,
            false,
            payload,
        );
        let path = file.write(&args.sim.out)?;
        note!(
            "{}: sensitivity shard {}/{} -> {}",
            scenario.name,
            shard.index,
            shard.count,
            path.display()
        );
        return Ok(());
    }
    write(&args.sim.out, &scenario.name, &tally, &bins)?;
    report(
        &scenario.name,
        args.sim.estimator,
        &rows(&tally, &bins),
        &args.sim.out,
    );
    Ok(())
}

/// The one-line summary on stderr.
pub fn report(name: &str, estimator: Estimator, rows: &[Row], out: &std::path::Path) {
    let top: Vec<String> = rows
        .iter()
        .take(3)
        .map(|r| format!("{} {:+.2} pp", r.param, 100.0 * r.swing))
        .collect();
    note!(
        "{name}: largest swings ({}): {} -> {}",
        estimator.name(),
        top.join(", "),
        out.join(name).join("sensitivity.csv").display()
    );
}
