//! Sensitivity (SPEC §8): Sobol first- and total-order indices by pick-freeze, and the binned
//! swings of the tornado, in tallies that merge across shards to the bit.
//!
//! # The factors and the outcome
//!
//! A trial's outcome y = f(x, ω) is a function of its parameter draws x (each from its own
//! stream, [`crate::rng`]) and of its month-loop stream ω (walks, events, changes of leader,
//! and under the indicator estimator the summit and signing coins). Under the conditional
//! estimator y is the trial's chance of a treaty given x and ω, so the variance decomposed is
//! Var(E[signed | x, ω]), which leaves out the summits' and signatures' own coin flips; under the
//! indicator estimator y is 0 or 1 and the variance is P(1 − P), coin flips included (in
//! `chance`). The factors are the uncertain parameters, each alone, except that parameters
//! linked by `[correlations]` form one factor (a group drawn together, so that swapping it
//! keeps the joint distribution: each member's row reports the group's indices); and `chance`,
//! the stream ω.
//!
//! # Pick-freeze with per-key streams
//!
//! Trial i's "A" sample is its own draws and stream, under its key k = trial_key(seed, i); its
//! "B" sample is those under [`rng::resample_key`]`(k)`, independent of A. A_B^(j) takes factor
//! j from B and every other factor from A: since every parameter draws from its own stream, it
//! is A's draws with factor j's rows replaced by B's, and A's month-loop stream (for `chance`:
//! A's draws and B's stream). So each trial evaluates the model 2 + k + 1 times (k parameter
//! factors), 64 trials at a time in the vector lanes under the conditional estimator.
//!
//! With V = Var(y) over the A and B outcomes pooled (as SALib does),
//!
//! - first order (Saltelli et al. 2010, "Variance based sensitivity analysis of model output.
//!   Design and estimator for the total sensitivity index", CPC 181, Table 2 (b)):
//!   S_j = mean(y_B · (y_{A_B^(j)} − y_A)) / V;
//! - total order (Jansen 1999, "Analysis of variance designs for model output", CPC 117; the
//!   same table's (f)): T_j = mean((y_A − y_{A_B^(j)})²) / (2V).
//!
//! Both are ratios of means of per-trial values, so their 95% intervals come from the delta
//! method: with u = (y_A + y_B)/2, q = (y_A² + y_B²)/2, m = mean(u) and V = mean(q) − m², an
//! index I = mean(g)/V has influence ψ = (g − I·(q − 2m·u))/V, and se(I) = sd(ψ)/√n; the
//! interval is I ± 1.96·se. Every term is a mean of per-trial sums (of g, g², g·q, g·u, and of
//! u, q, u², q², u·q), which the tally keeps. The estimates are not clipped to [0, 1]: a factor
//! that does not enter the model gets exactly 0 (its A_B^(j) is A, to the bit), and sampling
//! error shows as it is. When y does not vary at all (V = 0), every index is 0.
//!
//! # Bins, correlation, and memory
//!
//! The tornado's quantile bins come from a fixed pilot, the first [`PILOT_TRIALS`] trials'
//! draws (or all of them, when fewer), which every shard draws alike. Each bin's upper edge is
//! a pilot draw, so no bin is empty in the whole run; tied draws merge bins, so a parameter with
//! atoms (a beta with its mass at 0 and 1) may have fewer bins than asked. Each bin tallies its
//! trials, their outcomes and its smallest and largest draw. The Pearson correlation between a
//! parameter and y uses exact sums ([`ExactSum`]) of the draw (centred on the pilot's median),
//! its square and its product with y, so no draw however large wraps a sum. Nothing grows with
//! the trial count: the pilot is bounded, and the tally holds sums.

use crate::cast::ParamId;
use crate::engine::{Accumulator, INTERRUPTED, fixed, for_each_block};
use crate::error::{Error, Result};
use crate::model::{Estimator, LANES, Lanes, Model, trial_keys};
use crate::rng;
use crate::scenario::Correlation;
use crate::tally::{ExactSum, decimal, decimals};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::atomic::Ordering;

mod summary;
mod tables;
pub use summary::{BinRow, Index, Row, Summary, summary};
pub use tables::{BINS_HEADER, HEADER, Run, tables};

/// The `parameter` of the row of the randomness inside a trial.
pub const CHANCE: &str = "chance";

/// Trials of the pilot that places the bins: the first 2¹⁶ (or every trial, when fewer).
pub const PILOT_TRIALS: u64 = 1 << 16;

/// Unit of the Sobol sums: a per-trial value v in [−1, 1] counts as ⌊v·2⁶²⌋ (toward zero).
const UNIT: f64 = (1u64 << 62) as f64;

/// A per-trial value in [−1, 1] in units of 2⁻⁶².
#[inline(always)]
fn units(v: f64) -> i128 {
    i128::from((v * UNIT) as i64)
}

/// The largest magnitude an exact sum is given: a draw beyond it (or its square) saturates.
#[inline(always)]
fn saturate(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(-f64::MAX, f64::MAX)
    }
}

/// The factor of each uncertain parameter (its position in `uncertain`): parameters linked by
/// correlations, directly or through others, share one; factors are numbered from 0 in the
/// order of their first parameter.
pub fn factors(uncertain: &[ParamId], correlations: &[Correlation]) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..uncertain.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let position = |id: ParamId| uncertain.iter().position(|u| *u == id);
    for c in correlations {
        if let (Some(a), Some(b)) = (position(c.a), position(c.b)) {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut label: Vec<Option<usize>> = vec![None; uncertain.len()];
    let mut next = 0;
    (0..uncertain.len())
        .map(|i| {
            let r = root(&mut parent, i);
            *label[r].get_or_insert_with(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// One uncertain parameter of a study: its key, factor and quantile bins, the same in every
/// shard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bins {
    /// The parameter's key.
    pub param: String,
    /// Its position in the canonical order (its index in a trial's draws).
    pub index: usize,
    /// Its Sobol factor: parameters correlated with each other share one.
    pub factor: usize,
    /// Upper edge of each bin, strictly increasing, each a pilot draw: a draw goes to the first
    /// bin whose edge is not below it, and the last bin takes every draw above its edge.
    pub high: Vec<f64>,
    /// The pilot's median draw, on which the correlation's sums are centred.
    pub centre: f64,
}

/// Whether two lists of bins are the same, to the bit (shards' bins, and a shard's against the
/// pilot's).
pub fn same_bins(a: &[Bins], b: &[Bins]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.param == y.param
                && x.index == y.index
                && x.factor == y.factor
                && x.centre.to_bits() == y.centre.to_bits()
                && x.high.len() == y.high.len()
                && x.high
                    .iter()
                    .zip(&y.high)
                    .all(|(p, q)| p.to_bits() == q.to_bits())
        })
}

impl Bins {
    /// The bins of a parameter from its pilot draws (`draws`, sorted in place): `count` bins of
    /// equal shares of the pilot, the upper edge of bin b the pilot's draw of rank
    /// ⌈(b+1)·n/count⌉ − 1, tied edges merged.
    #[cfg(test)]
    fn from_pilot(
        param: String,
        index: usize,
        factor: usize,
        draws: &mut [f64],
        count: usize,
    ) -> Bins {
        draws.sort_unstable_by(f64::total_cmp);
        Bins::from_sorted(param, index, factor, draws, count)
    }

    /// [`Bins::from_pilot`] of draws already sorted (by [`f64::total_cmp`]).
    fn from_sorted(
        param: String,
        index: usize,
        factor: usize,
        draws: &[f64],
        count: usize,
    ) -> Bins {
        let n = draws.len();
        let mut high: Vec<f64> = Vec::with_capacity(count);
        for b in 0..count {
            let edge = draws[((b + 1) * n).div_ceil(count).max(1) - 1];
            if high.last().is_none_or(|last| *last < edge) {
                high.push(edge);
            }
        }
        Bins {
            param,
            index,
            factor,
            high,
            centre: draws.get(n / 2).copied().map_or(0.0, saturate),
        }
    }

    /// The bin of draw `x`.
    #[inline]
    fn bin(&self, x: f64) -> usize {
        self.high
            .partition_point(|h| *h < x)
            .min(self.high.len().saturating_sub(1))
    }
}

/// The uncertain parameters of `scenario` (id, key) in canonical order, and their factors
/// ([`factors`]): what a study ranks.
pub fn study_params(scenario: &crate::scenario::Scenario) -> (Vec<(ParamId, String)>, Vec<usize>) {
    let uncertain = scenario.uncertain();
    let params = uncertain
        .iter()
        .map(|id| (*id, scenario.cast.key(*id).to_string()))
        .collect();
    (params, factors(&uncertain, &scenario.correlations))
}

/// The most bins a study asks for (`--bins`).
pub const MAX_BINS: usize = 1000;

/// Draws the pilot and places every uncertain parameter's bins: `params` (id, key) in canonical
/// order, `factor_of` their factors ([`factors`]).
///
/// # Errors
/// Interruption.
pub fn design(
    model: &Model,
    seed: u64,
    trials: u64,
    params: &[(ParamId, String)],
    factor_of: &[usize],
    count: usize,
) -> Result<Vec<Bins>> {
    Ok(Pilot::draw(model, seed, trials, params)?.bins(params, factor_of, count))
}

/// The pilot's draws of every uncertain parameter, sorted: what places the bins.
#[derive(Clone, Debug)]
pub struct Pilot {
    columns: Vec<Vec<f64>>,
}

impl Pilot {
    /// The first [`PILOT_TRIALS`] trials' (or every trial's) draws of `params`.
    ///
    /// # Errors
    /// Interruption.
    pub fn draw(
        model: &Model,
        seed: u64,
        trials: u64,
        params: &[(ParamId, String)],
    ) -> Result<Pilot> {
        let pilot = trials.min(PILOT_TRIALS);
        let mut columns = vec![Vec::with_capacity(pilot as usize); params.len()];
        let mut draws = vec![0.0; model.params()];
        for trial in 0..pilot {
            if trial % 4096 == 0 && INTERRUPTED.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            model.draw(rng::trial_key(seed, trial), &mut draws);
            for (column, (id, _)) in columns.iter_mut().zip(params) {
                column.push(draws[id.index()]);
            }
        }
        for column in &mut columns {
            column.sort_unstable_by(f64::total_cmp);
        }
        Ok(Pilot { columns })
    }

    /// Every parameter's `count` bins ([`design`]).
    pub fn bins(
        &self,
        params: &[(ParamId, String)],
        factor_of: &[usize],
        count: usize,
    ) -> Vec<Bins> {
        params
            .iter()
            .zip(factor_of)
            .zip(&self.columns)
            .map(|(((id, key), factor), column)| {
                Bins::from_sorted(key.clone(), id.index(), *factor, column, count)
            })
            .collect()
    }

    /// The bins this pilot places that a shard's `stated` bins should be: those of the number
    /// of bins asked (2 to [`MAX_BINS`]) that gives exactly `stated` when one does (tied draws
    /// merge bins, so a study asked for c bins may have fewer), else those of as many bins as
    /// the longest of `stated`, to name what differs.
    pub fn expected(
        &self,
        params: &[(ParamId, String)],
        factor_of: &[usize],
        stated: &[Bins],
    ) -> Vec<Bins> {
        let longest = stated
            .iter()
            .map(|b| b.high.len())
            .max()
            .unwrap_or(0)
            .clamp(2, MAX_BINS);
        let first = self.bins(params, factor_of, longest);
        if same_bins(&first, stated) {
            return first;
        }
        (longest + 1..=MAX_BINS)
            .map(|count| self.bins(params, factor_of, count))
            .find(|bins| same_bins(bins, stated))
            .unwrap_or(first)
    }
}

/// Sums over trials of one index's per-trial value v (g or t) and of its products with the
/// pooled u and q, in units of 2⁻⁶².
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    /// Σ v.
    #[serde(with = "decimal")]
    pub sum: i128,
    /// Σ v².
    #[serde(with = "decimal")]
    pub sum_sq: i128,
    /// Σ v·q.
    #[serde(with = "decimal")]
    pub with_q: i128,
    /// Σ v·u.
    #[serde(with = "decimal")]
    pub with_u: i128,
}

impl Contribution {
    #[inline(always)]
    fn add(&mut self, v: f64, q: f64, u: f64) {
        self.sum += units(v);
        self.sum_sq += units(v * v);
        self.with_q += units(v * q);
        self.with_u += units(v * u);
    }

    fn merge(&mut self, o: &Contribution) {
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
        self.with_q += o.with_q;
        self.with_u += o.with_u;
    }
}

/// One factor's sums: g = y_B·(y_{A_B} − y_A) for the first order, t = (y_A − y_{A_B})²/2 for
/// the total order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorSums {
    /// Sums of g.
    pub first: Contribution,
    /// Sums of t.
    pub total: Contribution,
}

impl FactorSums {
    #[inline(always)]
    fn add(&mut self, (a, b, mixed): (f64, f64, f64), (q, u): (f64, f64)) {
        self.first.add(b * (mixed - a), q, u);
        let d = a - mixed;
        self.total.add(0.5 * d * d, q, u);
    }

    fn merge(&mut self, o: &FactorSums) {
        self.first.merge(&o.first);
        self.total.merge(&o.total);
    }
}

/// Sums of the A and B outcomes pooled, per trial u = (y_A + y_B)/2 and q = (y_A² + y_B²)/2,
/// in units of 2⁻⁶².
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pooled {
    /// Σ u.
    #[serde(with = "decimal")]
    pub u: i128,
    /// Σ q.
    #[serde(with = "decimal")]
    pub q: i128,
    /// Σ u².
    #[serde(with = "decimal")]
    pub uu: i128,
    /// Σ q².
    #[serde(with = "decimal")]
    pub qq: i128,
    /// Σ u·q.
    #[serde(with = "decimal")]
    pub uq: i128,
}

/// One parameter's sums: its bins' tallies and the exact sums of its correlation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParamSums {
    /// Trials per bin.
    #[serde(with = "decimals")]
    pub count: Vec<u64>,
    /// Σ y_A per bin, in the fixed point of `run`'s tallies ([`fixed`]).
    #[serde(with = "decimals")]
    pub outcome: Vec<u128>,
    /// Smallest draw per bin (+∞ while empty).
    pub low: Vec<f64>,
    /// Largest draw per bin (−∞ while empty).
    pub high: Vec<f64>,
    /// Σ x, x the draw minus the pilot's median.
    pub x: ExactSum,
    /// Σ x².
    pub xx: ExactSum,
    /// Σ x·y_A.
    pub xy: ExactSum,
}

impl ParamSums {
    fn new(bins: usize) -> ParamSums {
        ParamSums {
            count: vec![0; bins],
            outcome: vec![0; bins],
            low: vec![f64::INFINITY; bins],
            high: vec![f64::NEG_INFINITY; bins],
            ..ParamSums::default()
        }
    }

    #[inline]
    fn add(&mut self, bins: &Bins, draw: f64, a: f64, a_fixed: u128) {
        let bin = bins.bin(draw);
        if let (Some(count), Some(outcome), Some(low), Some(high)) = (
            self.count.get_mut(bin),
            self.outcome.get_mut(bin),
            self.low.get_mut(bin),
            self.high.get_mut(bin),
        ) {
            *count += 1;
            *outcome += a_fixed;
            *low = low.min(draw);
            *high = high.max(draw);
        }
        let x = saturate(draw - bins.centre);
        self.x.add(x);
        self.xx.add(saturate(x * x));
        self.xy.add(x * a);
    }

    fn merge(&mut self, o: &ParamSums) {
        self.count
            .iter_mut()
            .zip(&o.count)
            .for_each(|(p, q)| *p += q);
        self.outcome
            .iter_mut()
            .zip(&o.outcome)
            .for_each(|(p, q)| *p += q);
        self.low
            .iter_mut()
            .zip(&o.low)
            .for_each(|(p, q)| *p = p.min(*q));
        self.high
            .iter_mut()
            .zip(&o.high)
            .for_each(|(p, q)| *p = p.max(*q));
        self.x.merge(&o.x);
        self.xx.merge(&o.xx);
        self.xy.merge(&o.xy);
    }
}

/// A sensitivity study's tally over a range of trials: integer and exact sums only, so that
/// any split of the trials sums to the same bits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SensitivityTally {
    /// Trials.
    #[serde(with = "decimal")]
    pub trials: u64,
    /// Σ y_A in the fixed point of `run`'s tallies: the probability is `run`'s, to the bit.
    #[serde(with = "decimal")]
    pub outcome: u128,
    /// Σ y_A², likewise.
    #[serde(with = "decimal")]
    pub outcome_sq: u128,
    /// The pooled A and B outcomes.
    pub pooled: Pooled,
    /// One entry per parameter factor, in factor order, then the month-loop stream's
    /// (`chance`).
    pub factors: Vec<FactorSums>,
    /// One entry per uncertain parameter, in canonical order.
    pub params: Vec<ParamSums>,
}

impl Accumulator for SensitivityTally {
    fn merge(&mut self, o: SensitivityTally) {
        self.trials += o.trials;
        self.outcome += o.outcome;
        self.outcome_sq += o.outcome_sq;
        let (p, r) = (&mut self.pooled, &o.pooled);
        p.u += r.u;
        p.q += r.q;
        p.uu += r.uu;
        p.qq += r.qq;
        p.uq += r.uq;
        for (a, b) in self.factors.iter_mut().zip(&o.factors) {
            a.merge(b);
        }
        for (a, b) in self.params.iter_mut().zip(&o.params) {
            a.merge(b);
        }
    }

    fn trials(&self) -> u64 {
        self.trials
    }
}

/// The number of factors of `bins` (one more than the largest).
fn factor_count(bins: &[Bins]) -> usize {
    bins.iter().map(|b| b.factor + 1).max().unwrap_or(0)
}

impl SensitivityTally {
    /// An empty tally for `bins`.
    pub fn new(bins: &[Bins]) -> SensitivityTally {
        SensitivityTally {
            factors: vec![FactorSums::default(); factor_count(bins) + 1],
            params: bins.iter().map(|b| ParamSums::new(b.high.len())).collect(),
            ..SensitivityTally::default()
        }
    }

    /// Adds one trial: its A and B outcomes, the outcome with its draws and B's stream
    /// (`chance`), with each factor taken from B (`mixed(f)`), and its A draws (`draw(i)`, by
    /// canonical index).
    #[inline]
    fn add(
        &mut self,
        bins: &[Bins],
        (a, b, chance): (f64, f64, f64),
        mixed: impl Fn(usize) -> f64,
        draw: impl Fn(usize) -> f64,
    ) {
        let (u, q) = (0.5 * (a + b), 0.5 * (a * a + b * b));
        self.trials += 1;
        let a_fixed = fixed(a).unsigned_abs();
        self.outcome += a_fixed;
        self.outcome_sq += fixed(a * a).unsigned_abs();
        let p = &mut self.pooled;
        p.u += units(u);
        p.q += units(q);
        p.uu += units(u * u);
        p.qq += units(q * q);
        p.uq += units(u * q);
        let chance_factor = self.factors.len().saturating_sub(1);
        for (f, sums) in self.factors.iter_mut().enumerate() {
            let other = if f == chance_factor { chance } else { mixed(f) };
            sums.add((a, b, other), (q, u));
        }
        for (sums, bins) in self.params.iter_mut().zip(bins) {
            sums.add(bins, draw(bins.index), a, a_fixed);
        }
    }

    /// Checks that the tally fits `bins` and holds what sums of trials can hold under
    /// `estimator`, so that a shard file edited by hand is refused rather than read: every
    /// per-trial value is an outcome in [0, 1] or a product of such, so each sum lies within
    /// its range times the trials, sums of squares bound sums (Cauchy–Schwarz), each bin's
    /// outcomes add up to the tally's, and each bin's smallest and largest draws lie within
    /// its edges. What these cannot see (a small change within every bound) only the HMAC of a
    /// keyed shard catches.
    ///
    /// # Errors
    /// What does not fit, naming the key (under `payload.sensitivity.tally`).
    pub fn check(&self, bins: &[Bins], estimator: Estimator) -> std::result::Result<(), String> {
        if self.params.len() != bins.len() || self.factors.len() != factor_count(bins) + 1 {
            return Err(format!(
                "{} parameters and {} factors, where the bins have {} and {} (and chance)",
                self.params.len(),
                self.factors.len(),
                bins.len(),
                factor_count(bins)
            ));
        }
        let one = 1u128 << 62;
        let n = u128::from(self.trials);
        if self.outcome > n * one || self.outcome_sq > self.outcome {
            return Err(format!(
                "outcome = {} and outcome_sq = {}: the sums of {} trials' outcomes lie within \
                 0 <= outcome_sq <= outcome <= {}",
                self.outcome,
                self.outcome_sq,
                self.trials,
                n * one
            ));
        }
        self.check_outcomes(estimator)?;
        self.check_sobol()?;
        for (b, sums) in bins.iter().zip(&self.params) {
            let edges_ok = !b.high.is_empty()
                && b.high.iter().all(|h| h.is_finite())
                && b.high.windows(2).all(|w| w[0] < w[1])
                && b.centre.is_finite();
            let shapes_ok = [sums.count.len(), sums.outcome.len(), sums.low.len()]
                .into_iter()
                .chain([sums.high.len()])
                .all(|len| len == b.high.len());
            if !edges_ok || !shapes_ok {
                return Err(format!(
                    "the bins of {} do not add up: {} edges, and {} counts, {} outcomes, {} \
                     lows and {} highs",
                    b.param,
                    b.high.len(),
                    sums.count.len(),
                    sums.outcome.len(),
                    sums.low.len(),
                    sums.high.len()
                ));
            }
            let counted: u64 = sums.count.iter().fold(0u64, |s, c| s.saturating_add(*c));
            if counted != self.trials {
                return Err(format!(
                    "the bins of {} hold {counted} trials, not the tally's {}",
                    b.param, self.trials
                ));
            }
            sums.check(b, self.outcome, self.outcome_sq, self.trials, estimator)?;
        }
        Ok(())
    }

    /// The outcome sums: whole numbers of per-trial quanta (of 0 or 1 under the indicator
    /// estimator), (Σy)² ≤ n·Σy², and y_A ≤ 2u, y_A² ≤ 2q against the pooled sums.
    fn check_outcomes(&self, estimator: Estimator) -> std::result::Result<(), String> {
        let one = 1u128 << 62;
        let quantum = fixed(1.0).unsigned_abs() >> 50;
        let whole = |x: u128| x.is_multiple_of(quantum.max(1));
        if !whole(self.outcome) || !whole(self.outcome_sq) {
            return Err(format!(
                "outcome = {} and outcome_sq = {} are not whole numbers of per-trial quanta \
                 ({quantum})",
                self.outcome, self.outcome_sq
            ));
        }
        if estimator == Estimator::Indicator
            && (!self.outcome.is_multiple_of(one) || self.outcome_sq != self.outcome)
        {
            return Err(format!(
                "outcome = {} and outcome_sq = {} are not a whole number of signed trials, as \
                 the indicator estimator counts them (outcome_sq = outcome, a multiple of {one})",
                self.outcome, self.outcome_sq
            ));
        }
        let n = self.trials as f64;
        let (s, q) = (real(self.outcome as i128), real(self.outcome_sq as i128));
        if !schwarz(s, n, q, n) {
            return Err(format!(
                "outcome = {} squared exceeds trials · outcome_sq = {} · {}, which no set of \
                 outcomes allows",
                self.outcome, self.trials, self.outcome_sq
            ));
        }
        let p = &self.pooled;
        let slack = i128::from(self.trials) << 14;
        if (self.outcome as i128) > 2 * p.u + slack || (self.outcome_sq as i128) > 2 * p.q + slack {
            return Err(format!(
                "outcome = {} and outcome_sq = {} exceed twice pooled.u = {} and pooled.q = {} \
                 (each y_A is at most y_A + y_B)",
                self.outcome, self.outcome_sq, p.u, p.q
            ));
        }
        Ok(())
    }

    /// The Sobol sums: each within what n per-trial values of its range reach, and bounded by
    /// the sums of squares (Cauchy–Schwarz).
    fn check_sobol(&self) -> std::result::Result<(), String> {
        let n = i128::from(self.trials);
        let all = n << 62;
        let slack = n << 14;
        let nf = self.trials as f64;
        let p = &self.pooled;
        let within = |key: String, v: i128, lo: i128, hi: i128| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "{key} = {v} is outside [{lo}, {hi}], where the sums of {} trials' values lie",
                    self.trials
                ))
            }
        };
        let bounded = |key: String, v: i128, a: (&str, i128), b: (&str, i128)| {
            if schwarz(real(v), real(a.1), real(b.1), nf) {
                Ok(())
            } else {
                Err(format!(
                    "{key} = {v} squared exceeds {} · {} = {} · {}, which no set of trials \
                     allows (Cauchy–Schwarz)",
                    a.0, b.0, a.1, b.1
                ))
            }
        };
        within("pooled.u".into(), p.u, 0, all)?;
        within("pooled.q".into(), p.q, 0, p.u + slack)?;
        within("pooled.uu".into(), p.uu, 0, p.q + slack)?;
        within("pooled.uq".into(), p.uq, 0, p.uu + slack)?;
        within("pooled.qq".into(), p.qq, 0, p.uq + slack)?;
        let trials = ("trials", all);
        bounded("pooled.u".into(), p.u, trials, ("pooled.uu", p.uu))?;
        bounded("pooled.q".into(), p.q, trials, ("pooled.qq", p.qq))?;
        bounded(
            "pooled.uq".into(),
            p.uq,
            ("pooled.uu", p.uu),
            ("pooled.qq", p.qq),
        )?;
        for (f, sums) in self.factors.iter().enumerate() {
            let key = |part: &str, what: &str| format!("factors[{f}].{part}.{what}");
            let (g, t) = (&sums.first, &sums.total);
            within(key("first", "sum"), g.sum, -all, all)?;
            within(
                key("first", "sum_sq"),
                g.sum_sq,
                0,
                (2 * t.sum + slack).min(all),
            )?;
            within(key("first", "with_q"), g.with_q, -all, all)?;
            within(key("first", "with_u"), g.with_u, -all, all)?;
            within(key("total", "sum"), t.sum, 0, all / 2)?;
            within(key("total", "sum_sq"), t.sum_sq, 0, t.sum / 2 + slack)?;
            within(key("total", "with_q"), t.with_q, 0, t.sum + slack)?;
            within(key("total", "with_u"), t.with_u, 0, t.sum + slack)?;
            for (part, c) in [("first", g), ("total", t)] {
                let sq = (key(part, "sum_sq"), c.sum_sq);
                bounded(key(part, "sum"), c.sum, trials, (&sq.0, sq.1))?;
                bounded(
                    key(part, "with_q"),
                    c.with_q,
                    (&sq.0, sq.1),
                    ("pooled.qq", p.qq),
                )?;
                bounded(
                    key(part, "with_u"),
                    c.with_u,
                    (&sq.0, sq.1),
                    ("pooled.uu", p.uu),
                )?;
            }
        }
        Ok(())
    }

    /// Checks that this tally, over some trials, holds the sampled trials' one-trial tallies
    /// summed in `sample` (trials simulated again): every sum of non-negative values at least
    /// theirs, each bin at least their count, its smallest draw at most theirs and its largest
    /// at least theirs.
    ///
    /// # Errors
    /// What does not hold, naming the key.
    pub fn covers(
        &self,
        sample: &SensitivityTally,
        bins: &[Bins],
    ) -> std::result::Result<(), String> {
        let below = |key: String, v: i128, least: i128| {
            if v >= least {
                Ok(())
            } else {
                Err(format!(
                    "{key} = {v}, less than the {least} that its sampled trials alone add"
                ))
            }
        };
        let wide = |x: u128| i128::try_from(x).unwrap_or(i128::MAX);
        below("outcome".into(), wide(self.outcome), wide(sample.outcome))?;
        below(
            "outcome_sq".into(),
            wide(self.outcome_sq),
            wide(sample.outcome_sq),
        )?;
        let (p, s) = (&self.pooled, &sample.pooled);
        for (key, v, least) in [
            ("u", p.u, s.u),
            ("q", p.q, s.q),
            ("uu", p.uu, s.uu),
            ("qq", p.qq, s.qq),
            ("uq", p.uq, s.uq),
        ] {
            below(format!("pooled.{key}"), v, least)?;
        }
        for (f, (mine, theirs)) in self.factors.iter().zip(&sample.factors).enumerate() {
            let (t, u) = (&mine.total, &theirs.total);
            for (key, v, least) in [
                ("total.sum", t.sum, u.sum),
                ("total.sum_sq", t.sum_sq, u.sum_sq),
                ("total.with_q", t.with_q, u.with_q),
                ("total.with_u", t.with_u, u.with_u),
                ("first.sum_sq", mine.first.sum_sq, theirs.first.sum_sq),
            ] {
                below(format!("factors[{f}].{key}"), v, least)?;
            }
        }
        for ((b, mine), theirs) in bins.iter().zip(&self.params).zip(&sample.params) {
            let cells = mine.count.iter().zip(&theirs.count).enumerate();
            for (bin, (&count, &least)) in cells {
                let key = |what: &str| format!("the {what} of bin {} of {}", bin + 1, b.param);
                below(key("count"), i128::from(count), i128::from(least))?;
                below(
                    key("outcome"),
                    wide(mine.outcome[bin]),
                    wide(theirs.outcome[bin]),
                )?;
                if least > 0
                    && !(mine.low[bin] <= theirs.low[bin] && mine.high[bin] >= theirs.high[bin])
                {
                    return Err(format!(
                        "{} holds draws from {} to {}, but its sampled trials drew from {} to {}",
                        key("range"),
                        mine.low[bin],
                        mine.high[bin],
                        theirs.low[bin],
                        theirs.high[bin]
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A sum in units of 2⁻⁶², as a number.
fn real(x: i128) -> f64 {
    x as f64 / UNIT
}

/// Whether a² ≤ b·c, as Cauchy–Schwarz bounds a sum a by the sums b and c of squares, with
/// room for the rounding of the per-trial values of n trials.
fn schwarz(a: f64, b: f64, c: f64, n: f64) -> bool {
    let (lhs, rhs) = (a * a, b * c);
    lhs <= rhs + 1e-9 * lhs.max(rhs) + n * n * 2f64.powi(-40)
}

impl ParamSums {
    /// One parameter's sums against its bins `b` and the tally's outcome sums over `trials`
    /// trials: each bin's outcomes within [0, count] and adding up to the tally's, empty bins
    /// empty, each bin's draws within its edges, and the correlation's exact sums within what
    /// those draws allow.
    fn check(
        &self,
        b: &Bins,
        outcome: u128,
        outcome_sq: u128,
        trials: u64,
        estimator: Estimator,
    ) -> std::result::Result<(), String> {
        let one = 1u128 << 62;
        let quantum = fixed(1.0).unsigned_abs() >> 50;
        let last = b.high.len() - 1;
        let (mut lo_x, mut hi_x, mut most_xx, mut least_xx) = (0.0, 0.0, 0.0, 0.0);
        let (mut lo_xy, mut hi_xy, mut total) = (0.0, 0.0, 0u128);
        for bin in 0..b.high.len() {
            let (count, sum, low, high) = (
                self.count[bin],
                self.outcome[bin],
                self.low[bin],
                self.high[bin],
            );
            let at = |what: String| {
                format!(
                    "bin {} of {} (of {} bins): {what}",
                    bin + 1,
                    b.param,
                    b.high.len()
                )
            };
            if sum > u128::from(count) * one || !sum.is_multiple_of(quantum.max(1)) {
                return Err(at(format!(
                    "its outcome sum {sum} is not within [0, {count}] trials' outcomes"
                )));
            }
            if estimator == Estimator::Indicator && !sum.is_multiple_of(one) {
                return Err(at(format!(
                    "its outcome sum {sum} is not a whole number of signed trials"
                )));
            }
            total += sum;
            if count == 0 {
                if low != f64::INFINITY || high != f64::NEG_INFINITY {
                    return Err(at(format!(
                        "it holds no trial, yet its draws run from {low} to {high} (an empty \
                         bin has low = inf and high = -inf)"
                    )));
                }
                continue;
            }
            let floor = if bin == 0 {
                f64::NEG_INFINITY
            } else {
                b.high[bin - 1]
            };
            let ceiling = if bin == last {
                f64::INFINITY
            } else {
                b.high[bin]
            };
            let fits = low.is_finite()
                && high.is_finite()
                && low <= high
                && low > floor
                && high <= ceiling
                && (count > 1 || low == high);
            if !fits {
                return Err(at(format!(
                    "its {count} draws run from {low} to {high}, not within its edges ({floor}, \
                     {ceiling}]{}",
                    if count == 1 { " as one draw" } else { "" }
                )));
            }
            let (x0, x1) = (low - b.centre, high - b.centre);
            let (c, a) = (count as f64, sum as f64 / one as f64);
            lo_x += c * x0;
            hi_x += c * x1;
            most_xx += c * (x0 * x0).max(x1 * x1);
            least_xx += if x0 <= 0.0 && x1 >= 0.0 {
                0.0
            } else {
                c * (x0 * x0).min(x1 * x1)
            };
            lo_xy += x0 * a;
            hi_xy += x1 * a;
        }
        if total != outcome {
            return Err(format!(
                "the outcome sums of the bins of {} add up to {total}, not the tally's outcome {outcome}",
                b.param
            ));
        }
        let (x, xx, xy) = (self.x.scaled(0), self.xx.scaled(0), self.xy.scaled(0));
        // Room for the rounding of each x and x·y (y_A's fixed point is within 2⁻⁵⁰ of it).
        let widest = self
            .low
            .iter()
            .chain(&self.high)
            .filter(|v| v.is_finite())
            .map(|v| (v - b.centre).abs())
            .fold(0.0, f64::max);
        let room = |lo: f64, hi: f64| {
            1e-9 * (lo.abs() + hi.abs()) + trials as f64 * (1e-12 + widest * 2f64.powi(-40))
        };
        let between = |key: &str, v: f64, lo: f64, hi: f64| {
            // Draws so far out that their squares saturate are not bounded here.
            let r = room(lo, hi);
            if !(lo.abs() < 1e150 && hi.abs() < 1e150) || (v >= lo - r && v <= hi + r) {
                Ok(())
            } else {
                Err(format!(
                    "the sum {key} of {} is {v}, outside [{lo}, {hi}], where its bins' draws \
                     put it",
                    b.param
                ))
            }
        };
        between("x", x, lo_x, hi_x)?;
        between("xx", xx, least_xx, most_xx)?;
        between("xy", xy, lo_xy.min(hi_xy), lo_xy.max(hi_xy))?;
        if widest > 1e100 {
            return Ok(());
        }
        // Σy_A² in fixed point, with room for its per-trial rounding.
        let a2 = outcome_sq as f64 / one as f64 + trials as f64 * 2f64.powi(-49);
        let n = trials as f64;
        if !schwarz(x, n, xx, n) || !schwarz(xy, xx, a2, n) {
            return Err(format!(
                "the sums x, xx and xy of {} ({x}, {xx}, {xy}) break Cauchy–Schwarz against \
                 the trials and the outcomes' squares, which no set of draws allows",
                b.param
            ));
        }
        Ok(())
    }
}

/// The model's evaluations of one study: the design and what it runs on.
#[derive(Clone, Debug)]
pub struct Study<'a> {
    /// The compiled scenario.
    pub model: &'a Model,
    /// The run's seed.
    pub seed: u64,
    /// The estimator whose outcome is decomposed.
    pub estimator: Estimator,
    /// Every uncertain parameter's factor and bins ([`design`]).
    pub bins: &'a [Bins],
    /// The canonical indices of each factor's parameters.
    factors: Vec<Vec<usize>>,
}

impl<'a> Study<'a> {
    /// A study of `model` over `bins`.
    pub fn new(model: &'a Model, seed: u64, estimator: Estimator, bins: &'a [Bins]) -> Study<'a> {
        let mut factors = vec![Vec::new(); factor_count(bins)];
        for b in bins {
            factors[b.factor].push(b.index);
        }
        Study {
            model,
            seed,
            estimator,
            bins,
            factors,
        }
    }

    /// Evaluates the trials of `range` and tallies them, calling `progress` with the trials
    /// done after each wave of blocks.
    ///
    /// # Errors
    /// Interruption.
    pub fn tally(&self, range: Range<u64>, progress: &dyn Fn(u64)) -> Result<SensitivityTally> {
        let per_block = |block: Range<u64>, acc: &mut SensitivityTally, _: &mut Vec<u8>| {
            self.lanes_block(block, acc)
        };
        for_each_block(
            range,
            || SensitivityTally::new(self.bins),
            per_block,
            None,
            progress,
        )
    }

    /// The evaluations, [`LANES`] trials at a time: A, B, A with B's stream, and A with each
    /// factor from B.
    fn lanes_block(&self, block: Range<u64>, acc: &mut SensitivityTally) {
        let model = self.model;
        let mut draws_a = vec![[0.0; LANES]; model.params()];
        let mut draws_b = vec![[0.0; LANES]; model.params()];
        let mut mixed = vec![[0.0; LANES]; self.factors.len()];
        let mut lanes = Lanes::new(model);
        let (mut keys_a, mut keys_b) = ([0u64; LANES], [0u64; LANES]);
        let mut first = block.start;
        while first < block.end {
            if INTERRUPTED.load(Ordering::Relaxed) {
                return;
            }
            let count = (block.end - first).min(LANES as u64) as usize;
            trial_keys(self.seed, first, count, &mut keys_a);
            for (b, &a) in keys_b.iter_mut().zip(&keys_a) {
                *b = rng::resample_key(a);
            }
            model.draw_lanes(&keys_a, &mut draws_a);
            model.draw_lanes(&keys_b, &mut draws_b);
            let mut outcome = |keys: &[u64; LANES], draws: &[[f64; LANES]]| {
                model.simulate_lanes(self.estimator, keys, draws, &mut lanes);
                lanes.outcome()
            };
            let a = outcome(&keys_a, &draws_a);
            let b = outcome(&keys_b, &draws_b);
            let chance = outcome(&keys_b, &draws_a);
            for (members, result) in self.factors.iter().zip(&mut mixed) {
                swap_rows(members, &mut draws_a, &mut draws_b);
                *result = outcome(&keys_a, &draws_a);
                swap_rows(members, &mut draws_a, &mut draws_b);
            }
            for l in 0..count {
                acc.add(
                    self.bins,
                    (a[l], b[l], chance[l]),
                    |f| mixed[f][l],
                    |i| draws_a[i][l],
                );
            }
            first += count as u64;
        }
    }

    /// The evaluations one trial at a time through the scalar loop: the reference the lanes
    /// are tested against.
    #[cfg(test)]
    fn scalar_block(&self, block: Range<u64>, acc: &mut SensitivityTally) {
        let model = self.model;
        let mut draws_a = vec![0.0; model.params()];
        let mut draws_b = vec![0.0; model.params()];
        let mut mixed = vec![0.0; self.factors.len()];
        let mut cumulative = vec![0.0; model.months()];
        let mut state = crate::model::Trial::new(model);
        for trial in block {
            if trial % LANES as u64 == 0 && INTERRUPTED.load(Ordering::Relaxed) {
                return;
            }
            let key_a = rng::trial_key(self.seed, trial);
            let key_b = rng::resample_key(key_a);
            model.draw(key_a, &mut draws_a);
            model.draw(key_b, &mut draws_b);
            let mut outcome = |key: u64, draws: &[f64]| {
                let mut stream = rng::process_rng(key);
                model.simulate(
                    draws,
                    &mut stream,
                    self.estimator,
                    &mut cumulative,
                    &mut state,
                );
                cumulative.last().copied().unwrap_or(0.0)
            };
            let a = outcome(key_a, &draws_a);
            let b = outcome(key_b, &draws_b);
            let chance = outcome(key_b, &draws_a);
            for (members, result) in self.factors.iter().zip(&mut mixed) {
                swap_rows(members, &mut draws_a, &mut draws_b);
                *result = outcome(key_a, &draws_a);
                swap_rows(members, &mut draws_a, &mut draws_b);
            }
            acc.add(self.bins, (a, b, chance), |f| mixed[f], |i| draws_a[i]);
        }
    }
}

/// Swaps the rows `members` of two trials' (or batches') draws.
#[inline]
fn swap_rows<T>(members: &[usize], a: &mut [T], b: &mut [T]) {
    for &i in members {
        std::mem::swap(&mut a[i], &mut b[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Catalog;

    fn baseline() -> crate::scenario::Scenario {
        Catalog::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
            .load("baseline", &[])
            .expect("shipped scenario")
    }

    fn study_bins(scenario: &crate::scenario::Scenario, model: &Model) -> Vec<Bins> {
        let uncertain = scenario.uncertain();
        let params: Vec<(ParamId, String)> = uncertain
            .iter()
            .map(|id| (*id, scenario.cast.key(*id).to_string()))
            .collect();
        let factor_of = factors(&uncertain, &scenario.correlations);
        design(model, 5, 3000, &params, &factor_of, 7).expect("pilot")
    }

    /// Any split of the trials gives the same tally, to the bit, under both estimators.
    #[test]
    fn tallies_do_not_depend_on_the_split() {
        let scenario = baseline();
        let model = Model::new(&scenario);
        let bins = study_bins(&scenario, &model);
        for estimator in [Estimator::Conditional, Estimator::Indicator] {
            let study = Study::new(&model, 5, estimator, &bins);
            let whole = study.tally(0..3000, &|_| {}).expect("tally");
            let mut parts = study.tally(0..1234, &|_| {}).expect("tally");
            parts.merge(study.tally(1234..3000, &|_| {}).expect("tally"));
            assert_eq!(parts, whole, "{estimator:?}");
            whole.check(&bins, estimator).expect("consistent");
            assert_eq!(whole.params[0].count.iter().sum::<u64>(), 3000);
        }
    }

    /// The lanes evaluate what one trial at a time does: under both estimators the scalar
    /// path gives the same tally.
    #[test]
    fn lanes_and_scalar_paths_agree() {
        let scenario = baseline();
        let model = Model::new(&scenario);
        let bins = study_bins(&scenario, &model);
        for estimator in [Estimator::Conditional, Estimator::Indicator] {
            let study = Study::new(&model, 9, estimator, &bins);
            let (mut lanes, mut scalar) =
                (SensitivityTally::new(&bins), SensitivityTally::new(&bins));
            study.lanes_block(100..1300, &mut lanes);
            study.scalar_block(100..1300, &mut scalar);
            assert_eq!(lanes, scalar, "{estimator:?}");
            assert!(scalar.outcome > 0, "{estimator:?}: no trial signed");
        }
    }

    #[test]
    fn pilot_bins_hold_equal_shares_and_merge_ties() {
        let mut draws: Vec<f64> = (0..100).rev().map(f64::from).collect();
        let bins = Bins::from_pilot("x".into(), 0, 0, &mut draws, 4);
        assert_eq!(bins.high, vec![24.0, 49.0, 74.0, 99.0]);
        assert_eq!(
            (
                bins.bin(-5.0),
                bins.bin(24.0),
                bins.bin(24.5),
                bins.bin(1e9)
            ),
            (0, 0, 1, 3)
        );
        let mut tied = vec![0.0; 90];
        tied.extend(std::iter::repeat_n(1.0, 10));
        let bins = Bins::from_pilot("y".into(), 0, 0, &mut tied, 10);
        assert_eq!(bins.high, vec![0.0, 1.0]);
    }

    #[test]
    fn correlated_parameters_share_a_factor() {
        let ids: Vec<ParamId> = (0..5).map(ParamId).collect();
        let link = |a, b| Correlation {
            a: ParamId(a),
            b: ParamId(b),
            rho: 0.3,
        };
        assert_eq!(factors(&ids, &[]), vec![0, 1, 2, 3, 4]);
        assert_eq!(
            factors(&ids, &[link(3, 1), link(4, 3)]),
            vec![0, 1, 2, 1, 1]
        );
        assert_eq!(factors(&ids, &[link(0, 4)]), vec![0, 1, 2, 3, 0]);
    }
}
