//! Estimates and 95% intervals from tallies (SPEC §6).

use crate::model::Estimator;

/// The z of a two-sided 95% interval, as SPEC §6 writes it.
pub const Z: f64 = 1.96;

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

/// Wilson score interval for a proportion `p` of `n` trials (Wilson, "Probable inference,
/// the law of succession, and statistical inference", JASA 1927).
pub fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z * Z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The estimate from `n` trials whose per-trial values sum to `sum` with squares summing to
/// `sum_sq`. Indicator: the proportion, se √(p(1−p)/n), Wilson interval. Conditional: the mean,
/// se = sample sd / √n, interval mean ± 1.96·se clipped to [0, 1]. One trial has se 0.
pub fn estimate(estimator: Estimator, n: u64, sum: f64, sum_sq: f64) -> Estimate {
    let nf = n as f64;
    let probability = (sum / nf).clamp(0.0, 1.0);
    match estimator {
        Estimator::Indicator => {
            let (ci95_low, ci95_high) = wilson(probability, nf);
            let std_error = (probability * (1.0 - probability) / nf).sqrt();
            Estimate {
                probability,
                std_error,
                ci95_low,
                ci95_high,
            }
        }
        Estimator::Conditional => {
            let variance = if n > 1 {
                ((sum_sq - sum * probability) / (nf - 1.0)).max(0.0)
            } else {
                0.0
            };
            let std_error = (variance / nf).sqrt();
            Estimate {
                probability,
                std_error,
                ci95_low: (probability - Z * std_error).max(0.0),
                ci95_high: (probability + Z * std_error).min(1.0),
            }
        }
    }
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

    #[test]
    fn conditional_estimate_uses_the_sample_variance() {
        // Values 0.1, 0.3: mean 0.2, sample variance 0.02, se 0.1.
        let e = estimate(Estimator::Conditional, 2, 0.4, 0.1);
        assert!((e.probability - 0.2).abs() < 1e-15);
        assert!((e.std_error - 0.1).abs() < 1e-12, "{}", e.std_error);
        assert!((e.ci95_high - (0.2 + 1.96 * 0.1)).abs() < 1e-12);
        assert!((e.ci95_low - (0.2 - 1.96 * 0.1)).abs() < 1e-12);
        assert_eq!(estimate(Estimator::Conditional, 2, 0.1, 0.01).ci95_low, 0.0);
    }
}
