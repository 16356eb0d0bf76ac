//! Scoring forecasts against how their questions resolved (SPEC §8 "Scoring"): the Brier
//! score, the log score and the time-averaged Brier score of one run, and the calibration table
//! of many.
//!
//! With p the run's probability of a treaty before the deadline and o = 1 if the treaty was
//! signed, 0 if not:
//! - `brier = (p − o)²`: 0 is perfect, lower is better;
//! - `log_score = ln p` if signed, `ln(1 − p)` if not: the log of the probability given to what
//!   happened, 0 at best, **higher is better** (−∞ for a certainty that failed);
//! - `time_averaged_brier`: the mean of `(r_t − o)²` over the months t scored, where
//!   r_t = (F_last − F_{t−1}) / (1 − F_{t−1}) (F_{−1} = 0) is `remaining_probability`, the
//!   forecast one would hold at the start of month t with nothing signed yet (and 0 once
//!   F_{t−1} = 1, when nothing can remain). The months scored run from the start to the month
//!   the treaty was signed, inclusive, or, when it was not, over the whole window: from the
//!   start to the last month before the deadline (the deadline month is outside the window and
//!   has no forecast).

/// The scores of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scores {
    /// `(p − o)²`.
    pub brier: f64,
    /// `ln p` if signed, `ln(1 − p)` if not; higher is better (−∞ for a certainty that failed).
    pub log_score: f64,
    /// The mean of `(r_t − o)²` over the months scored; `None` when no month has a remaining
    /// probability (a pool with a direct forecast has no timeline).
    pub time_averaged_brier: Option<f64>,
    /// How many months were averaged: those from the start to the resolution month (or over
    /// the whole window) that have a remaining probability.
    pub months_scored: usize,
}

/// The Brier score `(p − o)²`.
pub fn brier(probability: f64, outcome: f64) -> f64 {
    (probability - outcome).powi(2)
}

/// The log score: `ln p` if `signed`, else `ln(1 − p)` (higher is better).
pub fn log_score(probability: f64, signed: bool) -> f64 {
    if signed {
        probability.ln()
    } else {
        (1.0 - probability).ln()
    }
}

/// `remaining_probability` of every month from the cumulative probabilities F_t:
/// (F_last − F_{t−1}) / (1 − F_{t−1}), F_{−1} = 0, and 0 once F_{t−1} = 1.
pub fn remaining(cumulative: &[f64]) -> Vec<f64> {
    crate::stats::remaining_curve(cumulative)
}

/// The scores of a run with probability `probability` and month-by-month remaining
/// probabilities `remaining`, for a question that resolved signed in month index `signed_in`
/// (from 0, the start) or, with `None`, not signed. A month whose remaining probability is
/// `None` (treatysim leaves it empty once the cumulative probability reached 1: nothing is
/// left to forecast) is left out of the average and of `months_scored`.
///
/// # Panics
/// Never: a `signed_in` past the window is scored over the whole window (the scenario's
/// validation keeps it inside).
pub fn score(probability: f64, remaining: &[Option<f64>], signed_in: Option<usize>) -> Scores {
    let outcome = if signed_in.is_some() { 1.0 } else { 0.0 };
    let months = signed_in.map_or(remaining.len(), |m| (m + 1).min(remaining.len()));
    let scored: Vec<f64> = remaining[..months].iter().flatten().copied().collect();
    let sum: f64 = scored.iter().map(|r| brier(*r, outcome)).sum();
    Scores {
        brier: brier(probability, outcome),
        log_score: log_score(probability, signed_in.is_some()),
        time_averaged_brier: (!scored.is_empty()).then(|| sum / scored.len() as f64),
        months_scored: scored.len(),
    }
}

/// Scored runs needed before a calibration table is written.
pub const CALIBRATION_MIN_RUNS: usize = 10;

/// Bins of the calibration table: ten of equal width, [0, 0.1), [0.1, 0.2), …, [0.9, 1].
pub const CALIBRATION_BINS: usize = 10;

/// Columns of `calibration.csv`, for its writer (`score`) and its reader (`plot`).
pub const CALIBRATION_HEADER: [&str; 5] = [
    "bin_low",
    "bin_high",
    "runs",
    "mean_forecast",
    "observed_frequency",
];

/// One bin of the calibration table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CalibrationBin {
    /// Lower edge (inclusive).
    pub low: f64,
    /// Upper edge (exclusive, but 1 is in the last bin).
    pub high: f64,
    /// Runs whose probability falls in the bin.
    pub runs: usize,
    /// Their mean probability (`None` when the bin is empty).
    pub mean_forecast: Option<f64>,
    /// The share of them that were signed (`None` when the bin is empty).
    pub observed_frequency: Option<f64>,
}

/// The calibration table of `(probability, outcome)` pairs: [`CALIBRATION_BINS`] equal bins
/// of the forecast, every one listed, empty ones included.
pub fn calibration(forecasts: &[(f64, f64)]) -> Vec<CalibrationBin> {
    let n = CALIBRATION_BINS;
    let mut sums = vec![(0usize, 0.0, 0.0); n];
    for &(p, o) in forecasts {
        let bin = ((p * n as f64).floor() as usize).min(n - 1);
        sums[bin].0 += 1;
        sums[bin].1 += p;
        sums[bin].2 += o;
    }
    sums.iter()
        .enumerate()
        .map(|(i, &(runs, p, o))| CalibrationBin {
            low: i as f64 / n as f64,
            high: (i + 1) as f64 / n as f64,
            runs,
            mean_forecast: (runs > 0).then(|| p / runs as f64),
            observed_frequency: (runs > 0).then(|| o / runs as f64),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values worked by hand.
    #[test]
    fn scores_match_hand_computed_values() {
        assert_eq!(brier(0.2, 0.0), 0.04000000000000001);
        assert!((brier(0.2, 1.0) - 0.64).abs() < 1e-15);
        assert!((log_score(0.2, true) - (-1.6094379124341003)).abs() < 1e-15);
        assert!((log_score(0.2, false) - (-0.2231435513142097)).abs() < 1e-15);
        assert_eq!(log_score(0.0, true), f64::NEG_INFINITY);
        // F = 0.1, 0.3, 0.5: r = 0.5, (0.5 − 0.1)/0.9 = 4/9, (0.5 − 0.3)/0.7 = 2/7.
        let r = remaining(&[0.1, 0.3, 0.5]);
        let expected = [0.5, 4.0 / 9.0, 2.0 / 7.0];
        for (a, b) in r.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{r:?}");
        }
        // Not signed: mean of r² over all three months = (0.25 + 16/81 + 4/49) / 3.
        let r: Vec<Option<f64>> = r.into_iter().map(Some).collect();
        let s = score(0.5, &r, None);
        let hand = (0.25 + 16.0 / 81.0 + 4.0 / 49.0) / 3.0;
        assert!(
            (s.time_averaged_brier.unwrap() - hand).abs() < 1e-15,
            "{s:?}"
        );
        assert_eq!(s.months_scored, 3);
        assert!((s.brier - 0.25).abs() < 1e-15);
        assert!((s.log_score - 0.5f64.ln()).abs() < 1e-15);
        // Signed in the second month: mean of (r − 1)² over two months = (0.25 + 25/81) / 2.
        let s = score(0.5, &r, Some(1));
        let hand = (0.25 + 25.0 / 81.0) / 2.0;
        assert!(
            (s.time_averaged_brier.unwrap() - hand).abs() < 1e-15,
            "{s:?}"
        );
        assert_eq!(s.months_scored, 2);
        // Empty months (nothing left once P reached 1) are left out of the mean and the count.
        let s = score(1.0, &[Some(1.0), None, None], None);
        assert_eq!((s.time_averaged_brier, s.months_scored), (Some(1.0), 1));
        assert_eq!(s.log_score, f64::NEG_INFINITY);
        let s = score(1.0, &[None, None], None);
        assert_eq!((s.time_averaged_brier, s.months_scored), (None, 0));
    }

    #[test]
    fn remaining_is_zero_once_certain_and_first_equals_the_probability() {
        assert_eq!(remaining(&[1.0, 1.0]), [1.0, 0.0]);
        assert_eq!(remaining(&[0.0, 0.0]), [0.0, 0.0]);
        let r = remaining(&[0.05, 0.2]);
        assert_eq!(r[0], 0.2);
    }

    #[test]
    fn calibration_bins_forecasts_by_tenths() {
        let table = calibration(&[
            (0.05, 0.0),
            (0.15, 1.0),
            (0.12, 0.0),
            (1.0, 1.0),
            (0.9, 0.0),
        ]);
        assert_eq!(table.len(), 10);
        assert_eq!(table[0].runs, 1);
        assert_eq!(table[0].observed_frequency, Some(0.0));
        assert_eq!(table[1].runs, 2);
        assert!((table[1].mean_forecast.unwrap() - 0.135).abs() < 1e-15);
        assert_eq!(table[1].observed_frequency, Some(0.5));
        assert_eq!(table[5].runs, 0);
        assert_eq!(table[5].mean_forecast, None);
        assert_eq!(table[9].runs, 2);
        assert_eq!(table[9].observed_frequency, Some(0.5));
        assert!((table[9].high - 1.0).abs() < 1e-15);
    }
}
