//! `compare A B`'s analysis: both scenarios on the same trials, and the paired difference's
//! sums ([`PairedTally`]), below the command and the library's entry point.

use crate::engine::{Accumulator, Engine, fixed, for_each_block, unfixed};
use crate::error::Result;
use crate::export::float;
use crate::model::Estimator;
use crate::stats::{self, Z};
use std::ops::Range;

/// Sums over trials of each scenario's outcome and of the paired difference, in fixed point
/// (associative, so the split of the work changes nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairedTally {
    /// Trials.
    pub trials: u64,
    /// Σ outcome of A.
    pub sum_a: u128,
    /// Σ outcome² of A.
    pub sum_sq_a: u128,
    /// Σ outcome of B.
    pub sum_b: u128,
    /// Σ outcome² of B.
    pub sum_sq_b: u128,
    /// Σ (B − A).
    pub sum_diff: i128,
    /// Σ (B − A)².
    pub sum_sq_diff: u128,
}

impl PairedTally {
    fn add(&mut self, a: f64, b: f64) {
        let d = b - a;
        let unsigned = |x: f64| fixed(x).unsigned_abs();
        self.trials += 1;
        self.sum_a += unsigned(a);
        self.sum_sq_a += unsigned(a * a);
        self.sum_b += unsigned(b);
        self.sum_sq_b += unsigned(b * b);
        self.sum_diff += fixed(d);
        self.sum_sq_diff += unsigned(d * d);
    }

    /// Mean, standard error and 95% interval of the paired difference B − A ("B against A").
    pub fn difference(&self) -> (f64, f64, f64, f64) {
        let n = self.trials as f64;
        let mean = unfixed(self.sum_diff) / n;
        let sum_sq = unfixed(self.sum_sq_diff as i128);
        let variance = if self.trials > 1 {
            ((sum_sq - n * mean * mean) / (n - 1.0)).max(0.0)
        } else {
            0.0
        };
        let se = (variance / n).sqrt();
        (
            mean,
            se,
            (mean - Z * se).max(-1.0),
            (mean + Z * se).min(1.0),
        )
    }

    /// Each scenario's own estimate, (A, B).
    pub fn estimates(
        &self,
        estimator: crate::model::Estimator,
    ) -> (stats::Estimate, stats::Estimate) {
        let estimate = |sum: u128, sum_sq: u128| {
            stats::estimate(
                estimator,
                self.trials,
                unfixed(sum as i128),
                unfixed(sum_sq as i128),
            )
        };
        (
            estimate(self.sum_a, self.sum_sq_a),
            estimate(self.sum_b, self.sum_sq_b),
        )
    }

    /// The standard error the difference would have if A and B ran on independent trials.
    pub fn unpaired_std_error(&self, estimator: crate::model::Estimator) -> f64 {
        let (a, b) = self.estimates(estimator);
        a.std_error.hypot(b.std_error)
    }
}

impl Accumulator for PairedTally {
    const ORDER_FREE: bool = true;

    fn merge(&mut self, o: PairedTally) {
        self.trials += o.trials;
        self.sum_a += o.sum_a;
        self.sum_sq_a += o.sum_sq_a;
        self.sum_b += o.sum_b;
        self.sum_sq_b += o.sum_sq_b;
        self.sum_diff += o.sum_diff;
        self.sum_sq_diff += o.sum_sq_diff;
    }

    fn trials(&self) -> u64 {
        self.trials
    }
}

/// Columns of `compare-A-vs-B.csv`.
pub const COMPARE_HEADER: [&str; 11] = [
    "scenario_a",
    "scenario_b",
    "trials",
    "seed",
    "estimator",
    "probability_a",
    "probability_b",
    "difference",
    "std_error",
    "ci95_low",
    "ci95_high",
];

/// Runs `a` and `b` on the same trials `range` (the same seed; each its own engine) and sums
/// each one's outcome and the paired difference; `progress` gets the trials done.
///
/// # Errors
/// Interruption.
pub fn paired(
    a: &Engine<'_>,
    b: &Engine<'_>,
    range: Range<u64>,
    progress: &dyn Fn(u64),
) -> Result<PairedTally> {
    for_each_block(
        range,
        PairedTally::default,
        |block, acc: &mut PairedTally, _| {
            let mut outcomes_a = Vec::with_capacity((block.end - block.start) as usize);
            a.for_each_trial(block.clone(), |r| outcomes_a.push(last(r.cumulative)));
            let mut outcomes_a = outcomes_a.into_iter();
            b.for_each_trial(block, |r| {
                acc.add(outcomes_a.next().unwrap_or(0.0), last(r.cumulative))
            });
        },
        None,
        progress,
    )
}

fn last(cumulative: &[f64]) -> f64 {
    cumulative.last().copied().unwrap_or(0.0)
}

/// `compare-A-vs-B.csv`'s bytes: the row of a comparison of `a` with `b`.
pub fn compare_csv(
    a: &str,
    b: &str,
    tally: &PairedTally,
    seed: u64,
    estimator: Estimator,
) -> Vec<u8> {
    let (p_a, p_b) = tally.estimates(estimator);
    let (difference, se, low, high) = tally.difference();
    let row = vec![
        a.to_string(),
        b.to_string(),
        tally.trials.to_string(),
        seed.to_string(),
        estimator.name().to_string(),
        float(p_a.probability),
        float(p_b.probability),
        float(difference),
        float(se),
        float(low),
        float(high),
    ];
    crate::export::csv_bytes(&COMPARE_HEADER, [row])
}
