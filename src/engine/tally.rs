//! The engine's tallies: per-block sums in `u64` ([`BlockTally`]) folded into fixed-point
//! `u128` sums by month ([`Tally`]), so that any split of the trials gives the same bits.

use super::{Accumulator, BLOCK};
use crate::model::{Estimator, Lanes};
use crate::stats::{self, Estimate};
use crate::tally::quantum;

/// Fixed-point unit of a [`Tally`]'s sums: 2⁻⁶².
const ONE: f64 = (1u64 << 62) as f64;

/// Bits between the per-trial quantum and the tally's unit.
const TRIAL_SHIFT: u32 = 12;

/// Sums over trials of the cumulative treaty probability c_t by month, of its square, and of
/// its product with the last month's c_T (the cross sum the remaining probability's interval
/// needs: [`Tally::remaining`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// Number of trials tallied.
    #[serde(with = "crate::tally::decimal")]
    pub trials: u64,
    /// Σ cumulative_t, fixed point, per month.
    #[serde(with = "crate::tally::decimals")]
    pub sum: Vec<u128>,
    /// Σ cumulative_t², fixed point, per month.
    #[serde(with = "crate::tally::decimals")]
    pub sum_sq: Vec<u128>,
    /// Σ cumulative_t · cumulative_T (T the last month), fixed point, per month.
    #[serde(with = "crate::tally::decimals")]
    pub sum_cross: Vec<u128>,
}

impl Tally {
    /// An empty tally over `months` months.
    pub fn new(months: usize) -> Tally {
        Tally {
            trials: 0,
            sum: vec![0; months],
            sum_sq: vec![0; months],
            sum_cross: vec![0; months],
        }
    }

    /// Adds a block's sums.
    pub fn add_block(&mut self, block: &BlockTally) {
        self.trials += block.trials;
        for (a, b) in self.sum.iter_mut().zip(&block.sum) {
            *a += widen(*b);
        }
        for (a, b) in self.sum_sq.iter_mut().zip(&block.sum_sq) {
            *a += widen(*b);
        }
        for (a, b) in self.sum_cross.iter_mut().zip(&block.sum_cross) {
            *a += widen(*b);
        }
    }

    /// The estimate of the cumulative probability by the end of month `t`.
    pub fn estimate(&self, estimator: Estimator, t: usize) -> Estimate {
        let sum = self.sum[t] as f64 / ONE;
        let sum_sq = self.sum_sq[t] as f64 / ONE;
        stats::estimate(estimator, self.trials, sum, sum_sq)
    }

    /// [`Tally::estimate`] with the interval of the trials' spread alone
    /// ([`stats::spread_estimate`]): for `--precision`'s pilot.
    pub fn spread_estimate(&self, estimator: Estimator, t: usize) -> Estimate {
        let sum = self.sum[t] as f64 / ONE;
        let sum_sq = self.sum_sq[t] as f64 / ONE;
        stats::spread_estimate(estimator, self.trials, sum, sum_sq)
    }

    /// Checks what every tally of `trials` trials over `months` months under `estimator`
    /// holds, whoever split the trials (SPEC §9): a tally read from a shard file must pass
    /// before it is merged. Each trial adds a cumulative probability c_t in [0, 1],
    /// non-decreasing in t, and its square, rounded to the per-trial quantum, so:
    /// - every sum is a whole number of quanta (a multiple of 2¹² units);
    /// - Σc_t and Σc_t² lie in [0, trials] and do not decrease from month to month;
    /// - Σc_t² ≤ Σc_t (c² ≤ c on [0, 1]);
    /// - (Σc_t)² ≤ trials · Σc_t² (Cauchy–Schwarz), up to the rounding of the quanta;
    /// - the month's rise of Σc² is at most twice that of Σc (c_t² − c_{t−1}² =
    ///   (c_t − c_{t−1})(c_t + c_{t−1})), up to the rounding;
    /// - under the indicator estimator c is 0 or 1: Σc² = Σc, a whole number of trials;
    /// - the cross sum Σc_t·c_T (T the last month) is a whole number of quanta, does not
    ///   decrease, lies between Σc_t² and the smaller of Σc_t and Σc_T² (c_t ≤ c_T ≤ 1; the
    ///   rounded products keep these orders exactly, so it equals Σc_T² in the last month and
    ///   Σc_t under the indicator), and (Σc_t·c_T)² ≤ Σc_t² · Σc_T² (Cauchy–Schwarz), up to
    ///   rounding.
    ///
    /// # Errors
    /// What is wrong, e.g. "the sum of month 3 is below that of month 2".
    pub fn check(
        &self,
        estimator: Estimator,
        trials: u64,
        months: usize,
    ) -> std::result::Result<(), String> {
        const QUANTUM: u128 = 1 << TRIAL_SHIFT;
        const UNIT: u128 = 1 << 62;
        if self.trials != trials {
            return Err(format!(
                "it holds {} trials, not the {trials} of its range",
                self.trials
            ));
        }
        if self.sum.len() != months || self.sum_sq.len() != months || self.sum_cross.len() != months
        {
            return Err(format!(
                "its sums cover {}, {} and {} months, not the {months} of the scenario's window",
                self.sum.len(),
                self.sum_sq.len(),
                self.sum_cross.len()
            ));
        }
        let n = u128::from(trials);
        let most = n << 62;
        // Rounding of the per-trial quanta: half a quantum per trial and sum, with room.
        let slack = 3 * n * QUANTUM;
        let (nf, unit) = (trials as f64, UNIT as f64);
        for t in 0..months {
            let (s, q) = (self.sum[t], self.sum_sq[t]);
            let month = t + 1;
            if s % QUANTUM != 0 || q % QUANTUM != 0 {
                return Err(format!(
                    "the sums of month {month} are not whole numbers of per-trial quanta"
                ));
            }
            if s > most || q > most {
                return Err(format!(
                    "the sums of month {month} exceed the number of trials ({trials}): no \
                     probability is above 1"
                ));
            }
            if t > 0 && (s < self.sum[t - 1] || q < self.sum_sq[t - 1]) {
                return Err(format!(
                    "the sums of month {month} are below those of month {t}: cumulative \
                     probabilities never decrease"
                ));
            }
            if q > s {
                return Err(format!(
                    "the sum of squares of month {month} exceeds the sum (c² ≤ c for every \
                     probability c)"
                ));
            }
            if estimator == Estimator::Indicator && (q != s || s % UNIT != 0) {
                return Err(format!(
                    "the sums of month {month} are not a whole number of signed trials, as the \
                     indicator estimator counts them"
                ));
            }
            let (sf, qf) = (s as f64 / unit, q as f64 / unit);
            let tolerance = 3.0 * nf * nf * 2f64.powi(-51) + 1e-12 * (sf * sf + nf * qf);
            if sf * sf > nf * qf + tolerance {
                return Err(format!(
                    "the sums of month {month} are inconsistent: (Σc)² exceeds trials · Σc², \
                     which no set of probabilities allows"
                ));
            }
            if t > 0 {
                let (before, before_sq) = (self.sum[t - 1], self.sum_sq[t - 1]);
                if q - before_sq > 2 * (s - before) + slack {
                    return Err(format!(
                        "the sum of squares rises more from month {t} to month {month} than \
                         twice the sum does, which no set of probabilities allows"
                    ));
                }
            }
        }
        // The cross sums once the sums they are bounded by have passed.
        (0..months).try_for_each(|t| self.check_cross(t))
    }

    /// [`Tally::check`]'s checks of month `t`'s cross sum (its sums already checked).
    fn check_cross(&self, t: usize) -> std::result::Result<(), String> {
        const QUANTUM: u128 = 1 << TRIAL_SHIFT;
        let month = t + 1;
        let last = self.sum.len() - 1;
        let (s, q, x) = (self.sum[t], self.sum_sq[t], self.sum_cross[t]);
        let q_last = self.sum_sq[last];
        let broken = |why: &str| {
            Err(format!(
                "the cross sum Σc·c_last of month {month} {why}, which no set of probabilities \
                 allows"
            ))
        };
        if x % QUANTUM != 0 {
            return broken("is not a whole number of per-trial quanta");
        }
        if x < q || x > s.min(q_last) {
            return broken("is outside [Σc², min(Σc, Σc_last²)]");
        }
        if t > 0 && x < self.sum_cross[t - 1] {
            return broken("is below that of the month before");
        }
        let unit = (1u128 << 62) as f64;
        let (xf, qf, q_last_f) = (x as f64 / unit, q as f64 / unit, q_last as f64 / unit);
        // Each of the n per-trial values is within half a quantum (2⁻⁵¹) of its exact product,
        // which moves either side by at most 2n²·2⁻⁵¹; then the rounding of the doubles.
        let nf = self.trials as f64;
        let tolerance = 5.0 * nf * nf * 2f64.powi(-51) + 1e-12 * (xf * xf + qf * q_last_f);
        if xf * xf > qf * q_last_f + tolerance {
            return broken("squared exceeds Σc² · Σc_last²");
        }
        Ok(())
    }

    /// The estimate of the remaining probability at the start of month `t`: of signing in month
    /// `t` or later, before the deadline, given no treaty before month `t`,
    /// R_t = (F_T − F_{t−1}) / (1 − F_{t−1}) with F the cumulative probability and T the last
    /// month ([`stats::remaining`] for its interval). Month 0's is the summary's estimate,
    /// interval and all. `None` when nothing is left to forecast: every trial had signed for
    /// certain before month `t` (F_{t−1} = 1).
    pub fn remaining(&self, estimator: Estimator, t: usize) -> Option<Estimate> {
        let last = self.sum.len().checked_sub(1)?;
        if t == 0 {
            return Some(self.estimate(estimator, last));
        }
        let before = t - 1;
        // Per trial, a = c_T − c_{t−1} (signed from month t on) and b = 1 − c_{t−1} (not signed
        // before month t); their sums and sums of products, exactly, from the tally's.
        let wide = |x: u128| x as i128;
        let all = wide(u128::from(self.trials) << 62);
        let (s_last, q_last) = (wide(self.sum[last]), wide(self.sum_sq[last]));
        let (s, q, x) = (
            wide(self.sum[before]),
            wide(self.sum_sq[before]),
            wide(self.sum_cross[before]),
        );
        let at_risk = all - s;
        if at_risk <= 0 {
            return None;
        }
        let sums = stats::RatioSums {
            n: self.trials,
            a: unfixed(s_last - s),
            b: unfixed(at_risk),
            aa: unfixed(q_last - 2 * x + q),
            ab: unfixed(s_last - x - s + q),
            bb: unfixed(all - 2 * s + q),
        };
        Some(stats::remaining(estimator, &sums))
    }

    /// The mean probability of signing in month `t` itself (the difference of cumulative means).
    pub fn in_month(&self, t: usize) -> f64 {
        let before = if t == 0 { 0 } else { self.sum[t - 1] };
        (self.sum[t] - before) as f64 / ONE / self.trials as f64
    }
}

/// A per-trial value in [−1, 1] in a tally's fixed-point units (2⁻⁶²), quantised as
/// [`BlockTally::add`] and [`Tally::add_block`] do, for other commands' sums that must agree with `run`'s to the bit.
#[inline]
pub fn fixed(x: f64) -> i128 {
    let magnitude = i128::from(quantum(x.abs())) << TRIAL_SHIFT;
    if x < 0.0 { -magnitude } else { magnitude }
}

/// A block's sum of per-trial quanta (at most [`BLOCK`] of them, so it fits a `u64`) in a
/// tally's fixed-point units: what [`Tally::add_block`] adds, and the same bits as adding each
/// trial's [`fixed`] value.
#[inline]
pub fn widen(quanta: u64) -> u128 {
    u128::from(quanta) << TRIAL_SHIFT
}

/// The value of a fixed-point sum.
pub fn unfixed(sum: i128) -> f64 {
    sum as f64 / ONE
}

/// The sums of one block of at most [`BLOCK`] trials in `u64`, which are cheaper to add to
/// than `u128`; [`Tally::add_block`] folds them in, so any split of the trials into blocks
/// gives the same bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockTally {
    pub(super) trials: u64,
    sum: Vec<u64>,
    sum_sq: Vec<u64>,
    sum_cross: Vec<u64>,
}

impl BlockTally {
    /// Empty sums over `months` months.
    pub fn new(months: usize) -> BlockTally {
        BlockTally {
            trials: 0,
            sum: vec![0; months],
            sum_sq: vec![0; months],
            sum_cross: vec![0; months],
        }
    }

    /// Adds the first `count` trials of a batch simulated side by side.
    #[inline]
    pub fn add_lanes(&mut self, lanes: &Lanes, count: usize) {
        debug_assert!(self.trials + count as u64 <= BLOCK);
        self.trials += count as u64;
        lanes.add_sums(count, &mut self.sum, &mut self.sum_sq, &mut self.sum_cross);
    }

    /// Adds one trial's cumulative probabilities.
    #[inline]
    pub fn add(&mut self, cumulative: &[f64]) {
        debug_assert!(self.trials < BLOCK);
        self.trials += 1;
        let last = cumulative.last().copied().unwrap_or(0.0);
        let sums = self
            .sum
            .iter_mut()
            .zip(&mut self.sum_sq)
            .zip(&mut self.sum_cross);
        for (((sum, sum_sq), sum_cross), &c) in sums.zip(cumulative) {
            *sum += quantum(c);
            *sum_sq += quantum(c * c);
            *sum_cross += quantum(c * last);
        }
    }
}

impl Accumulator for Tally {
    const ORDER_FREE: bool = true;

    fn merge(&mut self, other: Tally) {
        self.trials += other.trials;
        for (a, b) in self.sum.iter_mut().zip(&other.sum) {
            *a += b;
        }
        for (a, b) in self.sum_sq.iter_mut().zip(&other.sum_sq) {
            *a += b;
        }
        for (a, b) in self.sum_cross.iter_mut().zip(&other.sum_cross) {
            *a += b;
        }
    }

    fn trials(&self) -> u64 {
        self.trials
    }
}
