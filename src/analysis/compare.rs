//! `compare A B`'s analysis: both scenarios on the same trials, and the paired difference's
//! sums ([`PairedTally`]), below the command and the library's entry point.

use crate::engine::{Accumulator, Engine, fixed, for_each_block, unfixed};
use crate::error::Result;
use crate::export::float;
use crate::model::Estimator;
use crate::stats;
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
    /// Σ max(B − A, 0): the gains, B − A in the trials where B is the larger. The losses,
    /// max(A − B, 0), sum to `sum_gain − sum_diff` and their squares to
    /// `sum_sq_diff − sum_sq_gain` (exactly: a trial's fixed point is odd in its value, and a
    /// trial has a gain or a loss, not both).
    pub sum_gain: u128,
    /// Σ max(B − A, 0)².
    pub sum_sq_gain: u128,
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
        if d > 0.0 {
            self.sum_gain += unsigned(d);
            self.sum_sq_gain += unsigned(d * d);
        }
    }

    /// Mean, standard error and 95% interval of the paired difference B − A ("B against A").
    ///
    /// The standard error is the trials' sample standard deviation of B − A over √n. The
    /// interval is not the mean ± 1.96 standard errors: when A and B differ in a few trials
    /// only, that interval is far too narrow, and [0, 0] when none of the trials run shows a
    /// difference. B − A is split into its gains G = max(B − A, 0) and losses
    /// L = max(A − B, 0), each a mean of values in [0, 1] with the interval of a run's
    /// trials ([`stats::spread_estimate`]: the skew of a few large values allowed for; a part
    /// that no trial has, no gain at all say, has no interval of its own). The two are
    /// combined by MOVER ([`stats::mover_reach`]), as the geometric pool's interval is:
    /// low = d − √(a_G² + b_L² − 2r·a_G·b_L), high = d + √(b_G² + a_L² − 2r·b_G·a_L), with
    /// a and b the distances from each part's estimate to its interval's lower and upper end
    /// and r = −Ḡ·L̄ / (s_G·s_L) the parts' per-trial correlation (a trial has a gain or a loss,
    /// not both). Then, as a run's interval does, it leaves room for trials too rare to have
    /// come up, once for the whole difference: a share q = [`stats::none_seen`] of the trials
    /// (about 3/n) at the far end of [−1, 1], so that low ≤ d − (1 + d)·q and
    /// high ≥ d + (1 − d)·q. With many differences of both signs this is d ± 1.96·se; with
    /// none it is [−q, q].
    pub fn difference(&self, estimator: Estimator) -> (f64, f64, f64, f64) {
        let n = self.trials as f64;
        let mean = unfixed(self.sum_diff) / n;
        let sum_sq = unfixed(self.sum_sq_diff as i128);
        let variance = if self.trials > 1 {
            ((sum_sq - n * mean * mean) / (n - 1.0)).max(0.0)
        } else {
            0.0
        };
        let se = (variance / n).sqrt();
        let gain = (
            unfixed(self.sum_gain as i128),
            unfixed(self.sum_sq_gain as i128),
        );
        let loss = (
            unfixed(self.sum_gain as i128 - self.sum_diff),
            unfixed(self.sum_sq_diff.saturating_sub(self.sum_sq_gain) as i128),
        );
        // A part's mean, the distances below and above it to its interval's ends, and its
        // per-trial standard deviation.
        let part = |(sum, sum_sq): (f64, f64)| {
            if sum <= 0.0 {
                return (0.0, 0.0, 0.0, 0.0);
            }
            let e = stats::spread_estimate(estimator, self.trials, sum, sum_sq);
            let spread = (sum_sq / n - e.probability * e.probability).max(0.0);
            (
                e.probability,
                e.probability - e.ci95_low,
                e.ci95_high - e.probability,
                spread.sqrt(),
            )
        };
        let ((g, g_below, g_above, s_g), (l, l_below, l_above, s_l)) = (part(gain), part(loss));
        let r = if s_g > 0.0 && s_l > 0.0 {
            (-g * l / (s_g * s_l)).max(-1.0)
        } else {
            0.0
        };
        // B − A = G − L: L enters with weight −1, so its distance is to its other end.
        let reach = |g: f64, l: f64| stats::mover_reach(&[g, -l], |_, _| r);
        let unseen = if self.trials > 0 {
            stats::none_seen(n)
        } else {
            1.0
        };
        let low = (mean - reach(g_below, l_above)).min(mean - (1.0 + mean) * unseen);
        let high = (mean + reach(g_above, l_below)).max(mean + (1.0 - mean) * unseen);
        (mean, se, low.max(-1.0), high.min(1.0))
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
        self.sum_gain += o.sum_gain;
        self.sum_sq_gain += o.sum_sq_gain;
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
    let (difference, se, low, high) = tally.difference(estimator);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A tally of the pairs `(a, b)`.
    fn tally(pairs: impl IntoIterator<Item = (f64, f64)>) -> PairedTally {
        let mut t = PairedTally::default();
        for (a, b) in pairs {
            t.add(a, b);
        }
        t
    }

    /// Uniform draws on [0, 1) from a fixed seed (a Weyl sequence: enough for sums).
    fn uniforms(n: usize) -> impl Iterator<Item = f64> {
        (0..n).map(|i| (i as f64 * 0.618_033_988_749_894_9).fract())
    }

    #[test]
    fn no_difference_in_any_trial_leaves_room_on_both_sides() {
        for estimator in [Estimator::Conditional, Estimator::Indicator] {
            let t = tally(uniforms(1000).map(|y| {
                let y = if estimator == Estimator::Indicator {
                    f64::from(u8::from(y < 0.3))
                } else {
                    y
                };
                (y, y)
            }));
            let (mean, se, low, high) = t.difference(estimator);
            let none = stats::none_seen(1000.0);
            assert_eq!((mean, se), (0.0, 0.0));
            assert!((2.99e-3..3.0e-3).contains(&none), "{none}");
            assert_eq!((low, high), (-none, none), "{estimator:?}");
        }
    }

    #[test]
    fn many_differences_of_both_signs_give_the_mean_and_1_96_standard_errors() {
        let t = tally(uniforms(100_000).map(|u| (0.5, 0.01 + u)));
        let (mean, se, low, high) = t.difference(Estimator::Conditional);
        assert!((mean - 0.01).abs() < 1e-4, "{mean}");
        for (end, plain) in [(low, mean - stats::Z * se), (high, mean + stats::Z * se)] {
            assert!(
                (end - plain).abs() < 0.02 * stats::Z * se,
                "{end} against {plain}"
            );
        }
    }

    #[test]
    fn a_rare_one_sided_difference_is_skewed_and_keeps_room_on_the_other_side() {
        // B is 0.5 above A in 2 trials of 1,000: mean 0.001.
        let t = tally((0..1000).map(|i| (0.2, if i % 500 == 7 { 0.7 } else { 0.2 })));
        let (mean, se, low, high) = t.difference(Estimator::Conditional);
        assert!((mean - 0.001).abs() < 1e-12, "{mean}");
        // Above: the binomial upper end of 2 events of 0.5; below: no loss was seen, so the
        // room for trials that have not come up, beyond 0.
        assert!(high > mean + stats::Z * se, "{high}");
        assert!(high > 0.5 * 6.0 / 1000.0, "{high}");
        let none = stats::none_seen(1000.0);
        assert_eq!(low, mean - (1.0 + mean) * none);
        assert!(low < 0.0, "{low}");
    }

    #[test]
    fn split_tallies_merge_into_the_whole() {
        let pairs: Vec<(f64, f64)> = uniforms(999).zip(uniforms(999).skip(17)).collect();
        let whole = tally(pairs.iter().copied());
        let mut merged = tally(pairs[..400].iter().copied());
        merged.merge(tally(pairs[400..].iter().copied()));
        assert_eq!(merged, whole);
        assert!(whole.sum_gain > 0 && whole.sum_gain as i128 > whole.sum_diff);
        assert_eq!(
            whole.difference(Estimator::Conditional),
            merged.difference(Estimator::Conditional)
        );
    }
}
