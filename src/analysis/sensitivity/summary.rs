//! From a [`SensitivityTally`] to the rows of sensitivity.csv and sensitivity_bins.csv: the
//! Sobol indices with their intervals, the tornado's bins and the rank correlations.

use super::{Bins, CHANCE, Contribution, ParamSums, SensitivityTally, UNIT, factor_count};
use crate::engine::unfixed;
use crate::stats::Z;

/// A Sobol index with its 95% interval.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Index {
    /// The estimate.
    pub estimate: f64,
    /// Lower end of the 95% interval, estimate − 1.96·se.
    pub low: f64,
    /// Upper end, estimate + 1.96·se.
    pub high: f64,
}

/// The pooled moments every index shares.
struct Moments {
    n: f64,
    /// mean(u), the pooled mean.
    m: f64,
    /// mean(q).
    q: f64,
    /// V = mean(q) − m², the pooled variance.
    v: f64,
    var_u: f64,
    var_q: f64,
    cov_qu: f64,
}

impl Moments {
    fn new(t: &SensitivityTally) -> Moments {
        let n = t.trials.max(1) as f64;
        let mean = |s: i128| s as f64 / UNIT / n;
        let p = &t.pooled;
        let (m, q) = (mean(p.u), mean(p.q));
        Moments {
            n: t.trials as f64,
            m,
            q,
            v: q - m * m,
            var_u: mean(p.uu) - m * m,
            var_q: mean(p.qq) - q * q,
            cov_qu: mean(p.uq) - m * q,
        }
    }

    /// mean(v)/V with its delta-method interval; all zero when the outcome does not vary.
    fn index(&self, c: &Contribution) -> Index {
        let n = self.n.max(1.0);
        let mean = |s: i128| s as f64 / UNIT / n;
        // A variance at the sums' resolution is none.
        if self.n < 1.0 || self.v.is_nan() || self.v <= 1e-15 * self.q.max(f64::MIN_POSITIVE) {
            return Index::default();
        }
        let g = mean(c.sum);
        let s = g / self.v;
        let var_g = mean(c.sum_sq) - g * g;
        let cov_gq = mean(c.with_q) - g * self.q;
        let cov_gu = mean(c.with_u) - g * self.m;
        let m = self.m;
        let var_psi = (var_g + s * s * self.var_q + 4.0 * s * s * m * m * self.var_u
            - 2.0 * s * cov_gq
            + 4.0 * s * m * cov_gu
            - 4.0 * s * s * m * self.cov_qu)
            / (self.v * self.v);
        let se = if self.n > 1.0 {
            (var_psi.max(0.0) / (self.n - 1.0)).sqrt()
        } else {
            0.0
        };
        let index = Index {
            estimate: s,
            low: s - Z * se,
            high: s + Z * se,
        };
        if [index.estimate, index.low, index.high]
            .iter()
            .all(|x| x.is_finite())
        {
            index
        } else {
            Index::default()
        }
    }
}

/// One bin of a parameter, as `sensitivity_bins.csv` shows it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BinRow {
    /// The smallest draw in the bin.
    pub low: f64,
    /// The largest.
    pub high: f64,
    /// Trials whose draw fell in it.
    pub trials: u64,
    /// The treaty probability over those trials.
    pub probability: f64,
}

/// One row of `sensitivity.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The parameter's key, or [`CHANCE`].
    pub parameter: String,
    /// Pearson correlation between the draw and the trial's outcome (`None` for `chance`).
    pub correlation: Option<f64>,
    /// Saltelli's first-order index of the parameter's factor.
    pub first_order: Index,
    /// Jansen's total-order index of the parameter's factor.
    pub total_order: Index,
    /// The bins, lowest first (none for `chance`; only bins that hold trials).
    pub bins: Vec<BinRow>,
}

impl Row {
    /// The probability in the lowest and highest bin, when there are bins.
    pub fn swing(&self) -> Option<(f64, f64)> {
        Some((
            self.bins.first()?.probability,
            self.bins.last()?.probability,
        ))
    }
}

/// What `sensitivity.csv` shows: the overall probability and the rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The scenario's probability from the same trials (`run`'s, to the bit).
    pub probability: f64,
    /// One row per uncertain parameter and one for `chance`, largest total order first (ties
    /// in canonical order, `chance` after the parameters).
    pub rows: Vec<Row>,
}

/// The rows of a tally over `bins`. Never NaN: a statistic without data is 0.
pub fn summary(tally: &SensitivityTally, bins: &[Bins]) -> Summary {
    let n = tally.trials.max(1) as f64;
    let probability = (unfixed(tally.outcome as i128) / n).clamp(0.0, 1.0);
    let mean_y = unfixed(tally.outcome as i128) / n;
    let var_y = unfixed(tally.outcome_sq as i128) / n - mean_y * mean_y;
    let moments = Moments::new(tally);
    let mut rows: Vec<Row> = bins
        .iter()
        .zip(&tally.params)
        .map(|(b, sums)| {
            let factor = tally.factors.get(b.factor).cloned().unwrap_or_default();
            Row {
                parameter: b.param.clone(),
                correlation: Some(correlation(sums, n, mean_y, var_y)),
                first_order: moments.index(&factor.first),
                total_order: moments.index(&factor.total),
                bins: (0..sums.count.len())
                    .filter(|i| sums.count[*i] > 0)
                    .map(|i| BinRow {
                        low: sums.low.get(i).copied().unwrap_or(0.0),
                        high: sums.high.get(i).copied().unwrap_or(0.0),
                        trials: sums.count[i],
                        probability: sums.outcome.get(i).map_or(0.0, |o| {
                            (unfixed(*o as i128) / sums.count[i] as f64).clamp(0.0, 1.0)
                        }),
                    })
                    .collect(),
            }
        })
        .collect();
    let chance = tally
        .factors
        .get(factor_count(bins))
        .cloned()
        .unwrap_or_default();
    rows.push(Row {
        parameter: CHANCE.into(),
        correlation: None,
        first_order: moments.index(&chance.first),
        total_order: moments.index(&chance.total),
        bins: Vec::new(),
    });
    rows.sort_by(|a, b| b.total_order.estimate.total_cmp(&a.total_order.estimate));
    Summary { probability, rows }
}

/// Pearson correlation between a parameter's draws and the outcome, from exact sums; 0 when
/// either does not vary.
fn correlation(sums: &ParamSums, n: f64, mean_y: f64, var_y: f64) -> f64 {
    let Some(exponent) = sums.xx.exponent() else {
        return 0.0;
    };
    // Scale the draws by 2^−(e/2), so that Σx² lands near 1 and nothing overflows.
    let scale = -(exponent / 2);
    let mean_x = sums.x.scaled(scale) / n;
    let var_x = sums.xx.scaled(2 * scale) / n - mean_x * mean_x;
    let cov = sums.xy.scaled(scale) / n - mean_x * mean_y;
    let r = cov / (var_x * var_y).sqrt();
    if var_x > 0.0 && var_y > 0.0 && r.is_finite() {
        r.clamp(-1.0, 1.0)
    } else {
        0.0
    }
}
