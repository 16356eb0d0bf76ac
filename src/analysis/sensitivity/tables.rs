//! The files of a sensitivity study: `sensitivity.csv` and `sensitivity_bins.csv`'s bytes from
//! a complete tally, as the command, its merge and the library's entry point write them.

use super::{Bins, SensitivityTally, Summary, summary};
use crate::export::{self, float};
use crate::model::Estimator;

/// Columns of `sensitivity.csv` (SPEC §8).
pub const HEADER: [&str; 16] = [
    "scenario",
    "trials",
    "seed",
    "estimator",
    "parameter",
    "correlation",
    "first_order",
    "first_order_ci95_low",
    "first_order_ci95_high",
    "total_order",
    "total_order_ci95_low",
    "total_order_ci95_high",
    "probability",
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

/// What produced a study, for its files' columns.
#[derive(Clone, Copy, Debug)]
pub struct Run<'a> {
    /// The scenario's name (or `--as` label).
    pub scenario: &'a str,
    /// Trials of the whole study.
    pub trials: u64,
    /// Its seed.
    pub seed: u64,
    /// Its estimator.
    pub estimator: Estimator,
}

/// The study's summary, and the bytes of `sensitivity.csv` and `sensitivity_bins.csv`.
pub fn tables(
    run: Run<'_>,
    tally: &SensitivityTally,
    bins: &[Bins],
) -> (Summary, Vec<u8>, Vec<u8>) {
    let summary = summary(tally, bins);
    let optional = |x: Option<f64>| x.map(float).unwrap_or_default();
    let table = summary.rows.iter().map(|r| {
        let swing = r.swing();
        vec![
            run.scenario.to_string(),
            run.trials.to_string(),
            run.seed.to_string(),
            run.estimator.name().to_string(),
            r.parameter.clone(),
            optional(r.correlation),
            float(r.first_order.estimate),
            float(r.first_order.low),
            float(r.first_order.high),
            float(r.total_order.estimate),
            float(r.total_order.low),
            float(r.total_order.high),
            float(summary.probability),
            optional(swing.map(|s| s.0)),
            optional(swing.map(|s| s.1)),
            optional(swing.map(|s| s.1 - s.0)),
        ]
    });
    let table = export::csv_bytes(&HEADER, table);
    let bin_rows = summary.rows.iter().flat_map(|r| {
        r.bins.iter().enumerate().map(|(i, b)| {
            vec![
                run.scenario.to_string(),
                r.parameter.clone(),
                (i + 1).to_string(),
                float(b.low),
                float(b.high),
                b.trials.to_string(),
                float(b.probability),
            ]
        })
    });
    let bins_table = export::csv_bytes(&BINS_HEADER, bin_rows);
    (summary, table, bins_table)
}
