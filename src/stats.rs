//! Estimates and 95% intervals (SPEC §6, §11); the `--precision` schedule is in
//! [`crate::precision`].
//!
//! Every interval is a function of a tally's sums alone — the trial count n, Σy and Σy² of the
//! trials' cumulative probabilities y — so that shards merge into exactly the interval of the
//! unsharded run, month by month. docs/statistics.md explains the choices and quotes the
//! coverage study that backs them (`bench/coverage.sh`).
//!
//! **Indicator.** y is 0 or 1 and the count k = Σy is binomial. The interval is equal-tailed
//! (2.5% each side), its ends beta quantiles as in Clopper–Pearson (Clopper & Pearson,
//! Biometrika 1934) and Jeffreys (Brown, Cai & DasGupta, Statistical Science 2001), with shape
//! offsets chosen for SPEC §11's band ([`binomial_bounds`]): for k ≤ 0.4·n,
//! low = B⁻¹(0.025; k + 0.67, n − k + 0.33) (0 when k = 0) and
//! high = B⁻¹(0.975; k + 1.5, n − k − 0.5); for k ≥ 0.6·n the mirror image of n − k; blended
//! in between. Its exact coverage stays within 94.1–98.4% for every P in [0.001, 0.999] and
//! n ≥ 1,000 (Wilson's falls to 91.6% at nP ≈ 1, Jeffreys' to 90.4% at nP ≈ 2.5, and
//! Clopper–Pearson's rises to 99.5% at nP ≈ 1.1).
//!
//! **Conditional.** y is a probability in [0, 1]. With the mean p and the variance v of the
//! trials, each end of the interval comes from a two-point law with that mean and variance
//! ([`interval`]); for p ≤ 0.4 (for p ≥ 0.6 the mirror image; blended in between):
//! - low, from the law on {0, r}, r = p + v/p = Σy²/Σy: the binomial lower bound of
//!   K = n·p/r = (Σy)²/Σy² events (Kish's effective count) of size r, low = r · B_low(K, n);
//!   past K = n/2, the symmetric law {p − √v, p + √v}. Of all laws on [0, 1] with that mean
//!   and variance it is the least skewed to the right, so its lower bound is the lowest;
//! - high, from the law whose upper atom has odds p/(1 − p) · deff^γ, where deff = v / p(1 − p)
//!   is the design effect and γ = 0.2: between the Bernoulli law shrunk to variance v (γ = 0,
//!   skewness about 1/√p) and the law with its upper atom at 1 (γ = 1, the most skewed). With
//!   weight w on the upper atom and span s = √(v / w(1 − w)), high = p − s·w + s · B_high(n·w, n).
//!
//! For indicator tallies (v = p(1 − p)) both laws are the Bernoulli and the interval is the
//! binomial one. When a few trials carry most of the probability, low estimates come with small
//! variances; the upper end then still reaches the truth because it assumes a skewed law. The
//! plain mean ± 1.96·se covered SPEC §11's rare scenario 80% of the time at 1,000 trials, this
//! interval 99% (docs/statistics.md).

use crate::model::Estimator;

/// The z of a two-sided 95% normal interval, as SPEC §6 writes it (the Sobol indices'
/// intervals use it, and a degenerate pool's standard error is its interval's half-width
/// over it).
pub const Z: f64 = 1.96;

/// The 97.5% standard normal quantile, to full precision.
const Z975: f64 = 1.959_963_984_540_054;

/// Each tail of the 95% intervals.
const TAIL: f64 = 0.025;

/// Shape offset of the binomial lower bound: B⁻¹(0.025; k + a, n − k + 1 − a). Clopper–Pearson
/// has a = 0, Jeffreys a = 1/2; 0.67 puts the coverage at nP ≈ 1.44, where it jumps by 4.3
/// points when k = 4 enters the interval, inside 94–98.5% (94.1% just before, 98.4% after).
const LOWER_SHIFT: f64 = 0.67;

/// Shape offset of the binomial upper bound: B⁻¹(0.975; k + a, n − k + 1 − a). Clopper–Pearson
/// has a = 1, Jeffreys 1/2; from 1.3 to 1.8 the coverage stays inside 94–98.5% for nP ≥ 1
/// (Wilson's and Jeffreys' upper bounds drop it below 94% at nP ≈ 2.5 to 15); 1.5 is the middle.
const UPPER_SHIFT: f64 = 1.5;

/// γ of the conditional interval's upper end: the two-point law it comes from has an upper
/// atom with odds p/(1 − p) · deff^γ, deff = v / p(1 − p). γ = 0 is the Bernoulli law shrunk
/// to the observed variance (skewness about 1/√p), γ = 1 the law with its upper atom at 1 (the
/// most skewed law with that mean and variance). With γ = 0 a high-probability scenario whose
/// misses are a floor (no summit in the window) plus a rare tail was covered 88% of the time
/// at 1,000 trials; with γ = 1 rare skewed scenarios 99–100%. γ = 0.2 keeps the first above 94%
/// at every n and the second at most about 99% (docs/statistics.md).
const SKEW_EXPONENT: f64 = 0.2;

/// Beta shapes from which quantiles come from the Cornish–Fisher expansion (within 10⁻⁸
/// standard deviations there), not by inverting the incomplete beta function, whose continued
/// fraction stops converging when both shapes pass about 5·10⁷ (10⁸ trials at P ≥ 0.25).
const CORNISH_FISHER_SHAPES: f64 = 1e5;

/// A probability estimate with its standard error and 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The estimated probability.
    pub probability: f64,
    /// Its standard error.
    pub std_error: f64,
    /// Lower end of the 95% interval.
    pub ci95_low: f64,
    /// Upper end of the 95% interval.
    pub ci95_high: f64,
}

impl Estimate {
    /// Half the width of the 95% interval (what `--precision` bounds).
    pub fn half_width(&self) -> f64 {
        (self.ci95_high - self.ci95_low) / 2.0
    }
}

/// Wilson score interval for a proportion `p` of `n` trials (Wilson, "Probable inference,
/// the law of succession, and statistical inference", JASA 1927). Not used for estimates any
/// more (see the module documentation); kept for comparisons.
pub fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z * Z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The `u` quantile of the beta distribution with shapes `a`, `b` (both positive).
fn beta_quantile(a: f64, b: f64, u: f64) -> f64 {
    if a.min(b) < CORNISH_FISHER_SHAPES {
        return crate::distribution::beta_quantile(a, b, u);
    }
    // Cornish–Fisher with skewness and excess kurtosis, for the two tails used here.
    let z = if u < 0.5 { -Z975 } else { Z975 };
    let n = a + b;
    let mean = a / n;
    let sd = (a * b / (n * n * (n + 1.0))).sqrt();
    let skew = 2.0 * (b - a) * (n + 1.0).sqrt() / ((n + 2.0) * (a * b).sqrt());
    let kurt =
        6.0 * ((a - b).powi(2) * (n + 1.0) - a * b * (n + 2.0)) / (a * b * (n + 2.0) * (n + 3.0));
    let w = z + (z * z - 1.0) * skew / 6.0 + (z.powi(3) - 3.0 * z) * kurt / 24.0
        - (2.0 * z.powi(3) - 5.0 * z) * skew * skew / 36.0;
    (mean + sd * w).clamp(0.0, 1.0)
}

/// The largest share q of trials that goes unseen in `n` trials more than 5% of the time:
/// (1 − q)ⁿ = 0.05, the exact one-sided 95% bound for 0 events (about 3/n, the "rule of
/// three": Hanley & Lippman-Hand, "If nothing goes wrong, is everything all right?", JAMA
/// 249, 1983).
pub fn none_seen(n: f64) -> f64 {
    -(UNSEEN.ln() / n).exp_m1()
}

/// How far an interval for a linear combination of estimates reaches on one side, by MOVER
/// (the method of variance estimates recovery, Zou & Donner, *Statistics in Medicine* 27,
/// 2008; Newcombe's square-and-add): √(Σₖ Σₗ rₖₗ·dₖ·dₗ), with `distances` dₖ each estimate's
/// weighted distance to the end of its own interval on that side (negative for an estimate
/// that enters with a negative weight: its other end) and `correlation(k, l)` their per-trial
/// correlation rₖₗ (k < l). Infinite when a distance is. The geometric pool's interval (on
/// the log-odds scale) and `compare`'s (gains less losses) are built from it.
pub fn mover_reach(distances: &[f64], correlation: impl Fn(usize, usize) -> f64) -> f64 {
    if distances.iter().any(|d| !d.is_finite()) {
        return f64::INFINITY;
    }
    let mut square = 0.0;
    for (k, &dk) in distances.iter().enumerate() {
        square += dk * dk;
        for (l, &dl) in distances.iter().enumerate().skip(k + 1) {
            square += 2.0 * correlation(k, l) * dk * dl;
        }
    }
    square.max(0.0).sqrt()
}

/// The chance of missing every trial of a tail of [`none_seen`]'s share.
const UNSEEN: f64 = 0.05;

/// Lower bound for `k` ≤ n/2 events of `n`.
fn lower_bound(k: f64, n: f64) -> f64 {
    if k <= 0.0 {
        0.0
    } else {
        beta_quantile(k + LOWER_SHIFT, n - k + 1.0 - LOWER_SHIFT, TAIL)
    }
}

/// Upper bound for `k` ≤ n/2 events of `n`.
fn upper_bound(k: f64, n: f64) -> f64 {
    let b = n - k + 1.0 - UPPER_SHIFT;
    if b <= 0.0 {
        1.0
    } else {
        beta_quantile(k.max(0.0) + UPPER_SHIFT, b, 1.0 - TAIL)
    }
}

/// The 95% interval for a binomial proportion from `k` events in `n` trials (`k` may be
/// fractional: an effective count): for k ≤ 0.4·n,
/// [B⁻¹(0.025; k + 0.67, n − k + 0.33), B⁻¹(0.975; k + 1.5, n − k − 0.5)] (the lower end 0
/// when k = 0); for k ≥ 0.6·n the mirror image of the interval for n − k; in between, the two
/// blended linearly in k, so that the ends stay continuous and increasing in k. See the module
/// documentation for why these shape offsets.
pub fn binomial_bounds(k: f64, n: f64) -> (f64, f64) {
    if n.is_nan() || n <= 0.0 {
        return (0.0, 1.0);
    }
    let k = k.clamp(0.0, n);
    let direct = |k: f64| (lower_bound(k, n), upper_bound(k, n));
    let mirror = |k: f64| {
        let m = n - k;
        (1.0 - upper_bound(m, n), 1.0 - lower_bound(m, n))
    };
    // Weight of the direct form: 1 up to 0.4·n, 0 from 0.6·n.
    let weight = ((0.6 * n - k) / (0.2 * n)).clamp(0.0, 1.0);
    if weight >= 1.0 {
        direct(k)
    } else if weight <= 0.0 {
        mirror(k)
    } else {
        let (dl, dh) = direct(k);
        let (ml, mh) = mirror(k);
        (
            weight * dl + (1.0 - weight) * ml,
            weight * dh + (1.0 - weight) * mh,
        )
    }
}

/// The 95% interval for the mean of `n` values in [0, 1] whose mean is `mean` and whose
/// variance (Σy²/n − mean²) is `variance`: each end from a two-point law with that mean and
/// variance (module documentation), for mean ≤ 0.4; its mirror image for mean ≥ 0.6; blended
/// in between. A tally of 0s and 1s gets [`binomial_bounds`]. The upper end (the lower end,
/// mirrored, above 0.6) leaves room for trials too rare to have come up ([`none_seen`]): values
/// that are all equal get [mean, mean + (1 − mean)·q], all 0 (or all 1) the binomial interval
/// of 0 (or n) events.
pub fn interval(n: f64, mean: f64, variance: f64) -> (f64, f64) {
    interval_with(n, mean, variance, Room::Unseen)
}

/// Whether an interval leaves room for trials too rare to have come up ([`none_seen`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Room {
    /// It does: every interval treatysim reports.
    Unseen,
    /// The spread of the trials alone, whose width shrinks as 1/√n where the room shrinks as
    /// 1/n: what `--precision`'s pilot extrapolates from ([`spread_estimate`]).
    SpreadOnly,
}

/// [`interval`], with or without the room for trials too rare to have come up.
fn interval_with(n: f64, mean: f64, variance: f64, room: Room) -> (f64, f64) {
    if n.is_nan() || n <= 0.0 {
        return (0.0, 1.0);
    }
    let p = mean.clamp(0.0, 1.0);
    let direct = || lower_side_interval(n, p, variance, room);
    let mirror = || {
        let (low, high) = lower_side_interval(n, 1.0 - p, variance, room);
        (1.0 - high, 1.0 - low)
    };
    // The upper end assumes skew to the right and the mirror image to the left: blended
    // linearly from p = 0.4 to 0.6 so that the interval stays continuous in p.
    let weight = ((0.6 - p) / 0.2).clamp(0.0, 1.0);
    if weight >= 1.0 {
        direct()
    } else if weight <= 0.0 {
        mirror()
    } else {
        let ((dl, dh), (ml, mh)) = (direct(), mirror());
        (
            weight * dl + (1.0 - weight) * ml,
            weight * dh + (1.0 - weight) * mh,
        )
    }
}

/// [`interval`] for a mean `p` ≤ 0.6, assuming skew to the right.
fn lower_side_interval(n: f64, p: f64, variance: f64, room: Room) -> (f64, f64) {
    if p <= 0.0 {
        return (0.0, binomial_bounds(0.0, n).1);
    }
    // The variance of values in [0, 1] with mean p is at most p(1 − p) (Bhatia–Davis).
    let v = variance.clamp(0.0, p * (1.0 - p));
    // Low: the law on {0, r} with weight p/r on r (K = n·p/r events of size r), or the
    // symmetric law {p − √v, p + √v} past K = n/2.
    let effective = n * p * p / (p * p + v);
    let low = if effective >= n / 2.0 {
        let sd = v.sqrt();
        p - sd + 2.0 * sd * binomial_bounds(n / 2.0, n).0
    } else {
        (p + v / p) * binomial_bounds(effective, n).0
    };
    // High: the two-point law whose upper atom has odds p/(1 − p) · deff^γ (the Bernoulli's,
    // shrunk by the design effect deff = v / p(1 − p)): n·w events of size `span` above `a`.
    let deff = v / (p * (1.0 - p));
    let odds = p / (1.0 - p) * deff.powf(SKEW_EXPONENT);
    let w = odds / (1.0 + odds);
    let high = if w > 0.0 {
        let span = (v / (w * (1.0 - w))).sqrt();
        p - span * w + span * binomial_bounds(n * w, n).1
    } else {
        p
    };
    // Never below what trials too rare to have come up could carry: a share of the trials up
    // to the exact bound for none seen in n ([`none_seen`], about 3/n), each at up to 1,
    // on top of the rest's mean p. The sums cannot show such trials (a rare event that fired
    // in none of them leaves every y alike), so without this the interval could be [p, p]
    // however far below the truth p is.
    let unseen = match room {
        Room::Unseen => p + (1.0 - p) * none_seen(n),
        Room::SpreadOnly => p,
    };
    (low.clamp(0.0, p), high.max(unseen).clamp(p, 1.0))
}

/// The estimate from `n` trials whose per-trial values sum to `sum` with squares summing to
/// `sum_sq`. The probability is the mean. Indicator: se √(p(1−p)/n), interval
/// [`binomial_bounds`] of the count; conditional: se = sample sd / √n, interval [`interval`].
/// One trial has se 0.
pub fn estimate(estimator: Estimator, n: u64, sum: f64, sum_sq: f64) -> Estimate {
    estimate_with(estimator, n, sum, sum_sq, Room::Unseen)
}

/// [`estimate`] whose conditional interval comes from the trials' spread alone, without the
/// room for trials too rare to have come up (a term of order 1/n): `--precision`'s pilot
/// extrapolates half-widths as 1/√n from a few thousand trials, where that room would
/// dominate and mislead the plan. Never reported.
pub fn spread_estimate(estimator: Estimator, n: u64, sum: f64, sum_sq: f64) -> Estimate {
    estimate_with(estimator, n, sum, sum_sq, Room::SpreadOnly)
}

fn estimate_with(estimator: Estimator, n: u64, sum: f64, sum_sq: f64, room: Room) -> Estimate {
    if n == 0 {
        return Estimate {
            probability: 0.0,
            std_error: 0.0,
            ci95_low: 0.0,
            ci95_high: 1.0,
        };
    }
    let nf = n as f64;
    let probability = (sum / nf).clamp(0.0, 1.0);
    let (std_error, (low, high)) = match estimator {
        Estimator::Indicator => (
            (probability * (1.0 - probability) / nf).sqrt(),
            binomial_bounds(probability * nf, nf),
        ),
        Estimator::Conditional => {
            let sample_variance = if n > 1 {
                ((sum_sq - sum * probability) / (nf - 1.0)).max(0.0)
            } else {
                0.0
            };
            let variance = (sum_sq / nf - probability * probability).max(0.0);
            (
                (sample_variance / nf).sqrt(),
                interval_with(nf, probability, variance, room),
            )
        }
    };
    Estimate {
        probability,
        std_error,
        ci95_low: low.min(probability),
        ci95_high: high.max(probability),
    }
}

/// The sums over n trials of a ratio of means R = Σa / Σb with 0 ≤ a ≤ b ≤ 1 per trial: the
/// remaining probability's, a = c_T − c_{t−1}, b = 1 − c_{t−1} ([`crate::engine::Tally::remaining`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatioSums {
    /// The number of trials.
    pub n: u64,
    /// Σa.
    pub a: f64,
    /// Σb (positive).
    pub b: f64,
    /// Σa².
    pub aa: f64,
    /// Σab.
    pub ab: f64,
    /// Σb².
    pub bb: f64,
}

/// The estimate of a ratio of means R = Σa / Σb (the remaining probability), its standard
/// error by the delta method, and a 95% interval from the project's intervals at an effective
/// sample size.
///
/// R is the mean of the per-trial ratios a/b weighted by b. The delta method (the ratio
/// estimator's linearisation, Cochran, *Sampling Techniques*, 1977, §6.3) gives
/// Var(R) ≈ Σ(a − R·b)² / (Σb)², from Σa², Σab and Σb². The interval is [`interval`] at Kish's
/// effective count of the weights, n_e = (Σb)² / Σb², and the variance that makes
/// v_e / n_e = Var(R), v_e = Σ(a − R·b)² / Σb² (if v_e exceeds R(1 − R), the most values in
/// [0, 1] with mean R can vary, n_e shrinks instead). Under the indicator estimator b is 1 for
/// the m trials that had not signed before month t, and the interval is the binomial interval
/// of Σa events among m ([`binomial_bounds`]), as the summary's is among all n. When every b is
/// 1 (month 0) both are the summary's interval.
pub fn remaining(estimator: Estimator, sums: &RatioSums) -> Estimate {
    let r = (sums.a / sums.b).clamp(0.0, 1.0);
    let (std_error, (low, high)) = match estimator {
        Estimator::Indicator => {
            let m = sums.b;
            ((r * (1.0 - r) / m).sqrt(), binomial_bounds(sums.a, m))
        }
        Estimator::Conditional => {
            let n = sums.n as f64;
            let residual = (sums.aa - 2.0 * r * sums.ab + r * r * sums.bb).max(0.0);
            // The sample variance's n − 1 in the standard error, as `estimate` has.
            let std_error = if sums.n > 1 {
                (residual * n / (n - 1.0)).sqrt() / sums.b
            } else {
                0.0
            };
            // (Σb)²/n ≤ Σb² ≤ Σb (Cauchy–Schwarz, b ≤ 1), which the per-trial rounding of
            // b near 0 could otherwise break.
            let bb = sums.bb.clamp(sums.b * sums.b / n, sums.b);
            let mut effective = sums.b * sums.b / bb;
            let mut variance = residual / bb;
            let most = r * (1.0 - r);
            if variance > most && most > 0.0 {
                effective *= most / variance;
                variance = most;
            }
            (std_error, interval(effective, r, variance))
        }
    };
    Estimate {
        probability: r,
        std_error,
        ci95_low: low.min(r),
        ci95_high: high.max(r),
    }
}

/// The remaining probability (SPEC §6) from the cumulative probability before the month,
/// F_{t−1}, and by the deadline, F_last: (F_last − F_{t−1}) / (1 − F_{t−1}), clamped to [0, 1];
/// `None` once F_{t−1} = 1 (nothing remains to be signed).
pub fn remaining_probability(before: f64, last: f64) -> Option<f64> {
    (before < 1.0).then(|| ((last - before) / (1.0 - before)).clamp(0.0, 1.0))
}

/// [`remaining_probability`] of every month of a cumulative curve F (sorted by month), with
/// F_{−1} = 0, and 0 where nothing remains.
pub fn remaining_curve(cumulative: &[f64]) -> Vec<f64> {
    let last = cumulative.last().copied().unwrap_or(0.0);
    (0..cumulative.len())
        .map(|t| {
            let before = if t == 0 { 0.0 } else { cumulative[t - 1] };
            remaining_probability(before, last).unwrap_or(0.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_worked_example() {
        // 10 successes of 100: Wilson 95% interval (z = 1.96) is [0.05523, 0.17437].
        let (lo, hi) = wilson(0.1, 100.0);
        assert!(
            (lo - 0.055_229).abs() < 1e-5 && (hi - 0.174_367).abs() < 1e-5,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0.0, 50.0);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 0.08);
    }

    /// Reference values from SciPy 1.17 (`scipy.stats.beta.ppf`).
    #[test]
    fn binomial_bounds_are_the_stated_beta_quantiles() {
        let cases = [
            // k, n, low = ppf(0.025, k + 0.67, n − k + 0.33), high = ppf(0.975, k + 1.5, n − k − 0.5)
            (0.0, 1000.0, 0.0, 4.664_458_808_791_372e-3),
            (
                1.0,
                1000.0,
                1.484_812_384_673_171e-4,
                6.400_499_760_529_72e-3,
            ),
            (
                50.0,
                1000.0,
                3.791_802_655_253_418_6e-2,
                6.595_215_485_502_39e-2,
            ),
        ];
        for (k, n, low, high) in cases {
            let (l, h) = binomial_bounds(k, n);
            assert!(
                (l - low).abs() <= 1e-9 * low.max(1e-300) + 1e-15,
                "{k}/{n}: {l} vs {low}"
            );
            assert!((h - high).abs() <= 1e-9 * high, "{k}/{n}: {h} vs {high}");
        }
        // Past n/2, the mirror image.
        let (l, h) = binomial_bounds(950.0, 1000.0);
        let (ml, mh) = binomial_bounds(50.0, 1000.0);
        assert!((l - (1.0 - mh)).abs() < 1e-15 && (h - (1.0 - ml)).abs() < 1e-15);
    }

    #[test]
    fn cornish_fisher_agrees_with_the_inverted_beta_where_both_hold() {
        for (a, b) in [(1e5, 1e5), (1e5, 3e7), (2e6, 2e7), (1e7, 1e7)] {
            for u in [TAIL, 1.0 - TAIL] {
                let exact = crate::distribution::beta_quantile(a, b, u);
                let approx = beta_quantile(a, b, u);
                let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
                assert!(
                    (exact - approx).abs() < 1e-6 * sd,
                    "{a} {b} {u}: {exact} vs {approx}"
                );
            }
        }
        // Past 5·10⁷ the continued fraction fails; the expansion keeps the 2.5% quantile of
        // beta(5e7, 5e7) below 1/2 (SciPy: 0.49990200180146915).
        let q = beta_quantile(5e7, 5e7, TAIL);
        assert!((q - 0.499_902_001_801_469_15).abs() < 1e-12, "{q}");
    }

    #[test]
    fn indicator_tallies_get_the_binomial_interval_from_either_formula() {
        for (k, n) in [
            (0u64, 1000u64),
            (1, 1000),
            (7, 4096),
            (300, 1000),
            (999, 1000),
        ] {
            let (kf, nf) = (k as f64, n as f64);
            let e = estimate(Estimator::Indicator, n, kf, kf);
            let (low, high) = binomial_bounds(kf, nf);
            assert_eq!((e.ci95_low, e.ci95_high), (low, high));
            // The conditional formula on the same sums: the two-point laws are the Bernoulli.
            let c = estimate(Estimator::Conditional, n, kf, kf);
            assert!(
                (c.ci95_low - low).abs() < 1e-9 * (high - low)
                    && (c.ci95_high - high).abs() < 1e-9 * (high - low),
                "{k}/{n}: {c:?} vs [{low}, {high}]"
            );
        }
    }

    #[test]
    fn conditional_interval_follows_its_two_laws() {
        // 1000 trials, mean 0.002, variance 0.0004: K = 1000·4e-6/4.04e-4 ≈ 9.90 events of
        // size r = 0.202 for the lower end; for the upper end, deff = 0.0004 / (0.002·0.998)
        // and the upper atom's odds 0.002/0.998 · deff^0.2.
        let (n, p, v) = (1000.0, 0.002, 0.0004);
        let (low, high) = interval(n, p, v);
        let k = n * p * p / (p * p + v);
        let expected_low = (p + v / p) * lower_bound(k, n);
        let odds = p / (1.0 - p) * (v / (p * (1.0 - p))).powf(0.2);
        let w = odds / (1.0 + odds);
        let span = (v / (w * (1.0 - w))).sqrt();
        let two_point = p - span * w + span * upper_bound(n * w, n);
        // Never below the bound for trials too rare to have come up (here it binds: the ten
        // events seen, of size 0.2, say nothing of trials near 1 rarer than 1 in 1,000).
        let unseen = p + (1.0 - p) * none_seen(n);
        assert!(unseen > two_point, "{two_point} vs {unseen}");
        let expected_high = unseen;
        assert!(
            (low - expected_low).abs() < 1e-15,
            "{low} vs {expected_low}"
        );
        assert!(
            (high - expected_high).abs() < 1e-15,
            "{high} vs {expected_high}"
        );
        assert!(low < p && p < high && high < 0.02, "[{low}, {high}]");
        // Wider above than the Bernoulli law shrunk to the same variance (γ = 0).
        let shrunk = p + (v / (p * (1.0 - p))).sqrt() * (upper_bound(n * p, n) - p);
        assert!(high > shrunk, "{high} vs {shrunk}");
        // Its mirror image at 1 − p.
        let (ml, mh) = interval(n, 1.0 - p, v);
        assert!((ml - (1.0 - high)).abs() < 1e-15 && (mh - (1.0 - low)).abs() < 1e-15);
        // Low variance: the symmetric law, about p − 1.96·sd/√n on the low side.
        let (low, _) = interval(10_000.0, 0.3, 1e-4);
        let normal = 0.3 - Z975 * (1e-4f64 / 10_000.0).sqrt();
        assert!(
            (low - normal).abs() < 0.01 * (0.3 - normal),
            "{low} vs {normal}"
        );
        // Continuous through p = 1/2, where the mirror image takes over.
        let (a, b) = interval(1000.0, 0.5, 0.05);
        let (c, d) = interval(1000.0, 0.5 + 1e-12, 0.05);
        assert!(
            (a - c).abs() < 1e-9 && (b - d).abs() < 1e-9,
            "[{a}, {b}] vs [{c}, {d}]"
        );
    }

    #[test]
    fn binomial_bounds_increase_with_the_count() {
        for n in [10.0, 100.0, 1000.0, 4096.0] {
            let mut previous = (0.0, 0.0);
            for i in 0..=1000 {
                // Effective counts are 0 or at least 1: (Σy)²/Σy² ≥ 1 when Σy > 0.
                let k = if i == 0 {
                    0.0
                } else {
                    1.0 + (n - 1.0) * i as f64 / 1000.0
                };
                let (l, h) = binomial_bounds(k, n);
                assert!(
                    l >= previous.0 && h >= previous.1 && l <= k / n && k / n <= h,
                    "{k}/{n}: [{l}, {h}] after {previous:?}"
                );
                previous = (l, h);
            }
        }
    }

    #[test]
    fn degenerate_tallies() {
        // Every trial the same value: no spread below; above, room for trials too rare to have
        // come up in 1,000 (a rare event that fired in none of them leaves every y alike): a
        // share up to the exact bound for 0 events, each at up to 1. All 0: the binomial
        // interval of 0 events.
        for y in [0.3, 6.7e-6] {
            let e = estimate(Estimator::Conditional, 1000, 1000.0 * y, 1000.0 * y * y);
            let high = y + (1.0 - y) * none_seen(1000.0);
            assert!(
                (e.ci95_low - y).abs() < 1e-12 && (e.ci95_high - high).abs() < 1e-12,
                "{y}: {e:?}"
            );
            // (1 − q)¹⁰⁰⁰ = 0.05 at the bound.
            assert!(((1.0 - none_seen(1000.0)).powi(1000) - 0.05).abs() < 1e-12);
        }
        let e = estimate(Estimator::Conditional, 1000, 0.0, 0.0);
        assert_eq!((e.ci95_low, e.ci95_high), binomial_bounds(0.0, 1000.0));
        // One trial at 0.5: room for an unseen tail on either side (blended through 0.5, where
        // the mirror image takes over), symmetric about 0.5.
        let e = estimate(Estimator::Conditional, 1, 0.5, 0.25);
        let reach = 0.5 * 0.5 * none_seen(1.0);
        assert_eq!(e.std_error, 0.0);
        assert!(
            (e.ci95_low - (0.5 - reach)).abs() < 1e-12
                && (e.ci95_high - (0.5 + reach)).abs() < 1e-12,
            "{e:?}"
        );
        let e = estimate(Estimator::Indicator, 0, 0.0, 0.0);
        assert_eq!((e.ci95_low, e.ci95_high), (0.0, 1.0));
        for n in [1u64, 2, 3, 10] {
            for k in 0..=n {
                let e = estimate(Estimator::Indicator, n, k as f64, k as f64);
                assert!(
                    0.0 <= e.ci95_low
                        && e.ci95_low <= e.probability
                        && e.probability <= e.ci95_high
                        && e.ci95_high <= 1.0,
                    "{k}/{n}: {e:?}"
                );
            }
        }
    }

    #[test]
    fn remaining_of_0_1_trials_is_the_binomial_interval_and_rounding_cannot_break_it() {
        // 0/1 trials: m = 300 not signed before the month, k = 12 of them sign later; a = b = 1
        // for those 12, b = 1 for the other 288.
        let sums = RatioSums {
            n: 1000,
            a: 12.0,
            b: 300.0,
            aa: 12.0,
            ab: 12.0,
            bb: 300.0,
        };
        let (low, high) = binomial_bounds(12.0, 300.0);
        for estimator in [Estimator::Conditional, Estimator::Indicator] {
            let r = remaining(estimator, &sums);
            assert_eq!(r.probability, 0.04);
            assert!((r.ci95_low - low).abs() < 1e-12, "{estimator:?}: {r:?}");
            assert!((r.ci95_high - high).abs() < 1e-12, "{estimator:?}: {r:?}");
        }
        // Trials within a quantum of certain: Σb² rounded to 0 or below while Σb > 0.
        for bb in [0.0, -1e-9] {
            let sums = RatioSums {
                n: 1000,
                a: 1e-9,
                b: 2e-9,
                aa: 0.0,
                ab: 0.0,
                bb,
            };
            let r = remaining(Estimator::Conditional, &sums);
            assert_eq!(r.probability, 0.5);
            assert!(
                0.0 <= r.ci95_low && r.ci95_low <= 0.5 && 0.5 <= r.ci95_high && r.ci95_high <= 1.0,
                "{r:?}"
            );
        }
    }

    #[test]
    fn conditional_estimate_uses_the_sample_variance() {
        // Values 0.1, 0.3: mean 0.2, sample variance 0.02, se 0.1.
        let e = estimate(Estimator::Conditional, 2, 0.4, 0.1);
        assert!((e.probability - 0.2).abs() < 1e-15);
        assert!((e.std_error - 0.1).abs() < 1e-12, "{}", e.std_error);
    }
}
