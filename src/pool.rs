//! Pooling experts (SPEC §8): the members' tallies on common random numbers, and the two pools
//! with their standard errors.
//!
//! Every member runs the same trials (trial i of every member from the same per-trial streams,
//! as in `compare`), so the members' estimates are correlated and a pool's standard error must
//! account for it. [`PoolTally`] holds, month by month, in the fixed point of the engine's
//! [`Tally`] (integer sums: the same bits whatever the split of the trials):
//! - each member's own tally (Σy_k, Σy_k²), exactly what `run` of that member sums;
//! - the linear pool's per-trial outcome y = Σ_k w_k·y_k, as a tally (Σy, Σy²);
//! - the cross products Σ y_k·y_l of every pair of members k < l.
//!
//! **Linear pool** Σ w_k·P_k: the mean of the per-trial pooled outcome, with its standard error
//! and interval from (n, Σy, Σy²) exactly as a run's ([`stats::estimate`]).
//!
//! **Geometric mean of odds** P = O/(1 + O), O = Π o_k^{w_k}, o_k = P_k/(1 − P_k): a smooth
//! function of the members' means, so its standard error comes from the delta method
//! (e.g. Casella & Berger, *Statistical Inference*, §5.5.4): with L = Σ w_k·logit P_k and
//! g_k = ∂L/∂P_k = w_k / (P_k(1 − P_k)), Var L = gᵀ Σ g, Σ the covariance matrix of the members'
//! mean estimates (Σ_kl = c_kl / n, c_kl the per-trial covariance of y_k and y_l from the
//! tallies), and se(P) = P(1 − P)·√(Var L). Its interval is built on the log-odds scale and
//! mapped back, by the MOVER method (Zou & Donner, "Construction of confidence limits about
//! effect measures", Stat. Med. 2008; Newcombe's square-and-add for sums of parameters): each
//! member's own 95% interval (the run's, valid near 0 and 1: a skew-aware or binomial bound)
//! is mapped to log-odds, [l_k, u_k] around θ_k = logit P_k, and
//! L ± √(Σ_k Σ_l r_kl·d_k·d_l), with d_k = w_k(θ_k − l_k) below and w_k(u_k − θ_k) above and
//! r_kl the per-trial correlation of the members (common trials). A p(1 − p)-capped interval
//! of a mean with that standard error, used before, covered 55–89% of the time when a member
//! was near 0 (docs/statistics.md). A member at exactly 0 or 1 makes the pool 0 or 1: its
//! interval is the pool of the members' interval ends, never zero-width, and `pool` names the
//! member. With one member both pools are that
//! member: its probability, standard error and interval (up to the rounding of the odds).

use crate::engine::{Accumulator, BlockTally, Tally, unfixed, widen};
use crate::model::Estimator;
use crate::stats::{self, Estimate};
use crate::tally::quantum;

/// How the members' probabilities are combined (`--method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Σ w_k·P_k: a mixture, one of the members is right.
    Linear,
    /// Π odds_k^{w_k}, turned back into a probability.
    GeometricOdds,
}

impl Method {
    /// The name written in `pool.csv`'s `method` column.
    pub fn name(self) -> &'static str {
        match self {
            Method::Linear => "linear",
            Method::GeometricOdds => "geometric-odds",
        }
    }
}

/// A member given as a number (`pool --forecast NAME=P`, SPEC §8): an expert's probability of
/// a treaty before the deadline, with no interval and no timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The expert's name, as `pool.csv` writes it.
    pub name: String,
    /// Its weight, normalised with the scenario members' to sum 1.
    pub weight: f64,
    /// Its probability, in [0, 1].
    pub probability: f64,
}

/// The weights of `members` members: the given ones normalised to sum 1, or equal weights.
///
/// # Errors
/// A message (for exit 2) when their number differs from the members' or one is not a
/// positive finite number.
pub fn normalised_weights(given: Option<&[f64]>, members: usize) -> Result<Vec<f64>, String> {
    let Some(given) = given else {
        return Ok(vec![1.0 / members as f64; members]);
    };
    if given.len() != members {
        return Err(format!(
            "--weights gives {} weights for {members} members; give one positive number per \
             member, in the members' order, e.g. --weights {}",
            given.len(),
            vec!["1"; members].join(",")
        ));
    }
    if let Some(bad) = given.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
        return Err(format!(
            "--weights: {bad} is not a weight; every weight is a positive finite number (they \
             are normalised to sum 1), e.g. --weights 2,1,1"
        ));
    }
    let total: f64 = given.iter().sum();
    if !total.is_finite() {
        return Err(
            "--weights: the weights add up to more than a double holds; scale them down, \
                    they are normalised to sum 1"
                .into(),
        );
    }
    Ok(given.iter().map(|w| w / total).collect())
}

/// The members' sums on common trials: see the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolTally {
    /// Each member's tally, as `run` of that member sums it.
    pub members: Vec<Tally>,
    /// The tally of the per-trial linear pool Σ w_k·y_k.
    pub linear: Tally,
    /// Σ y_k·y_l for k < l, fixed point, month by month: month t's pairs at
    /// `t · pairs + pair(k, l)`, pairs in the order (0,1), (0,2), …, (1,2), ….
    pub cross: Vec<u128>,
}

/// Index of the pair k < l among `members` members, pairs ordered (0,1), (0,2), …, (1,2), ….
fn pair(k: usize, l: usize, members: usize) -> usize {
    debug_assert!(k < l && l < members);
    k * (2 * members - k - 1) / 2 + (l - k - 1)
}

/// The sums of [`PoolTally`] over one block of at most [`BLOCK`](crate::engine::BLOCK)
/// trials, as the engine's [`BlockTally`] holds `run`'s: per-trial quanta (at most 2⁵⁰ each)
/// summed in `u64`, which is cheaper than widening every trial's value to the tally's `u128`
/// (half of `pool`'s time went there), and folded in by [`PoolTally::add_block`].
#[derive(Clone, Debug)]
pub struct PoolBlock {
    members: Vec<BlockTally>,
    linear: BlockTally,
    /// Σ y_k·y_l in quanta, pair by pair (in [`PoolTally::cross`]'s order of pairs), each
    /// pair's months in a row.
    cross: Vec<u64>,
    /// The pooled outcome of the trial being added, month by month.
    pooled: Vec<f64>,
}

impl PoolBlock {
    /// Empty sums for `members` members over `months` months.
    pub fn new(members: usize, months: usize) -> PoolBlock {
        PoolBlock {
            members: vec![BlockTally::new(months); members],
            linear: BlockTally::new(months),
            cross: vec![0; months * members * members.saturating_sub(1) / 2],
            pooled: vec![0.0; months],
        }
    }

    /// Bytes held by a block of `members` members over `months` months (for `--max-memory`).
    pub fn bytes(members: usize, months: usize) -> u64 {
        let pairs = members * members.saturating_sub(1) / 2;
        (8 * months * (3 * (members + 1) + pairs + 1)) as u64
    }

    /// Adds one trial (at most [`BLOCK`](crate::engine::BLOCK) a block, or the `u64` sums
    /// may overflow): `cumulative(k)` is member k's cumulative probability by month in this
    /// trial, `weights` the normalised weights.
    pub fn add<'a>(&mut self, cumulative: impl Fn(usize) -> &'a [f64], weights: &[f64]) {
        let members = self.members.len();
        debug_assert_eq!(weights.len(), members, "one weight a member");
        let months = self.pooled.len();
        for (k, tally) in self.members.iter_mut().enumerate() {
            tally.add(cumulative(k));
        }
        // Member by member over the months (loops that vectorise): each month's pooled sum
        // still adds the members' terms in their order, from 0, so its bits are unchanged.
        self.pooled.fill(0.0);
        for (k, w) in weights.iter().enumerate() {
            for (pooled, y) in self.pooled.iter_mut().zip(cumulative(k)) {
                *pooled += w * y;
            }
        }
        for pooled in &mut self.pooled {
            // Normalised weights may sum to 1 + 1 ulp.
            *pooled = pooled.clamp(0.0, 1.0);
        }
        self.linear.add(&self.pooled);
        // Pairs in `pair`'s order: (0,1), (0,2), …, (1,2), ….
        let pairs = (0..members).flat_map(|k| (k + 1..members).map(move |l| (k, l)));
        for (row, (k, l)) in self.cross.chunks_exact_mut(months.max(1)).zip(pairs) {
            for ((sum, a), b) in row.iter_mut().zip(cumulative(k)).zip(cumulative(l)) {
                *sum += quantum(a * b);
            }
        }
    }
}

impl PoolTally {
    /// Empty sums for `members` members over `months` months.
    pub fn new(members: usize, months: usize) -> PoolTally {
        PoolTally {
            members: vec![Tally::new(months); members],
            linear: Tally::new(months),
            cross: vec![0; months * members * members.saturating_sub(1) / 2],
        }
    }

    /// Bytes held by a tally of `members` members over `months` months (for `--max-memory`).
    pub fn bytes(members: usize, months: usize) -> u64 {
        let tallies = (members as u64 + 1) * crate::memory::tally_bytes(months);
        let pairs = (members * members.saturating_sub(1) / 2) as u64;
        tallies.saturating_add((16 * months as u64).saturating_mul(pairs))
    }

    /// Trials tallied.
    pub fn trials(&self) -> u64 {
        self.linear.trials
    }

    /// Months of the window.
    pub fn months(&self) -> usize {
        self.linear.sum.len()
    }

    /// Adds a block's sums ([`PoolBlock::add`] adds the trials): integer sums, so the same bits
    /// whatever the split of the trials into blocks.
    pub fn add_block(&mut self, block: &PoolBlock) {
        for (tally, sums) in self.members.iter_mut().zip(&block.members) {
            tally.add_block(sums);
        }
        self.linear.add_block(&block.linear);
        // The block holds each pair's months in a row; the tally each month's pairs.
        let (months, pairs) = (self.months(), self.cross.len() / self.months().max(1));
        for p in 0..pairs {
            for t in 0..months {
                self.cross[t * pairs + p] += widen(block.cross[p * months + t]);
            }
        }
    }

    /// Member k's own estimate of the cumulative probability by month `t`: what `run` of that
    /// member writes, on the same trials and seed.
    pub fn member(&self, k: usize, estimator: Estimator, t: usize) -> Estimate {
        self.members[k].estimate(estimator, t)
    }

    /// The linear pool by month `t`, from the per-trial pooled outcome. With several members
    /// the outcome is no longer 0 or 1 under the indicator estimator, so its interval is that of
    /// a mean of values in [0, 1] (the conditional form); with one member it is the member's.
    pub fn linear(&self, estimator: Estimator, t: usize) -> Estimate {
        let form = if self.members.len() == 1 {
            estimator
        } else {
            Estimator::Conditional
        };
        self.linear.estimate(form, t)
    }

    /// The linear pool's remaining probability from month `t` on (SPEC §6), from the per-trial
    /// pooled outcome as [`PoolTally::linear`]; `None` once nothing is left.
    pub fn linear_remaining(&self, estimator: Estimator, t: usize) -> Option<Estimate> {
        let form = if self.members.len() == 1 {
            estimator
        } else {
            Estimator::Conditional
        };
        self.linear.remaining(form, t)
    }

    /// The geometric mean of odds by month `t` (module documentation), or `None` where it is
    /// undefined: one member at probability 0 and another at 1 (odds 0 and ∞).
    ///
    /// A member at exactly 0 (or 1) makes the pool 0 (or 1); its interval is then the pool of
    /// the members' interval ends (a member's interval at 0 reaches up to its binomial bound
    /// for no event, so the pool's is never zero-width), and its standard error is that
    /// interval's half-width over 1.96. [`PoolTally::at_edge`] names the member.
    pub fn geometric(&self, estimator: Estimator, weights: &[f64], t: usize) -> Option<Estimate> {
        self.geometric_with(estimator, weights, &[], t)
    }

    /// [`PoolTally::geometric`] with direct forecasts among the members: each a fixed
    /// probability, without interval (`weights` are the scenario members', normalised with
    /// the forecasts' to sum 1). `None` also when a forecast is exactly 0 or 1.
    pub fn geometric_with(
        &self,
        estimator: Estimator,
        weights: &[f64],
        forecasts: &[Forecast],
        t: usize,
    ) -> Option<Estimate> {
        // A forecast at exactly 0 or 1 decides the pool and has no interval: the pool would
        // have none either (zero width), which SPEC §8 rules out. Undefined, as for members
        // at 0 and 1 (`pool --method geometric-odds` refuses such a forecast).
        if forecasts
            .iter()
            .any(|f| f.probability <= 0.0 || f.probability >= 1.0)
        {
            return None;
        }
        let estimates: Vec<Estimate> = (0..self.members.len())
            .map(|k| self.member(k, estimator, t))
            .collect();
        let p: Vec<f64> = estimates.iter().map(|e| e.probability).collect();
        let all_weights: Vec<f64> = weights
            .iter()
            .copied()
            .chain(forecasts.iter().map(|f| f.weight))
            .collect();
        let with_forecasts = |values: Vec<f64>| -> Vec<f64> {
            values
                .into_iter()
                .chain(forecasts.iter().map(|f| f.probability))
                .collect()
        };
        let pooled = pool_odds(&with_forecasts(p.clone()), &all_weights)?;
        let ends = |end: fn(&Estimate) -> f64, undefined: f64| {
            let values: Vec<f64> = estimates.iter().map(end).collect();
            pool_odds(&with_forecasts(values), &all_weights).unwrap_or(undefined)
        };
        if pooled <= 0.0 || pooled >= 1.0 {
            let (low, high) = (
                ends(|e| e.ci95_low, 0.0).min(pooled),
                ends(|e| e.ci95_high, 1.0).max(pooled),
            );
            return Some(Estimate {
                probability: pooled,
                std_error: (high - low) / (2.0 * stats::Z),
                ci95_low: low,
                ci95_high: high,
            });
        }
        let n = self.trials();
        let nf = n as f64;
        // Per-trial covariances with the members' own denominator (stats::estimate).
        let denominator = match estimator {
            Estimator::Indicator => nf,
            Estimator::Conditional => nf - 1.0,
        };
        if denominator <= 0.0 {
            return Some(Estimate {
                probability: pooled,
                std_error: 0.0,
                ci95_low: 0.0,
                ci95_high: 1.0,
            });
        }
        let members = self.members.len();
        let covariance = self.covariances(t, &p, denominator);
        // The delta method's standard error of the pooled log-odds.
        let gradient: Vec<f64> = p
            .iter()
            .zip(weights)
            .map(|(p, w)| w / (p * (1.0 - p)))
            .collect();
        let mut variance_of_log_odds = 0.0;
        for k in 0..members {
            for l in 0..members {
                variance_of_log_odds += gradient[k] * gradient[l] * covariance[k * members + l];
            }
        }
        let variance_of_log_odds = variance_of_log_odds.max(0.0) / nf;
        let std_error = pooled * (1.0 - pooled) * variance_of_log_odds.sqrt();
        // The interval: MOVER on the log-odds scale, from each member's own interval.
        let correlation = |k: usize, l: usize| {
            let (vk, vl) = (covariance[k * members + k], covariance[l * members + l]);
            if vk > 0.0 && vl > 0.0 {
                (covariance[k * members + l] / (vk * vl).sqrt()).clamp(-1.0, 1.0)
            } else {
                0.0
            }
        };
        let logit = |x: f64| (x / (1.0 - x)).ln();
        let centre: f64 = p
            .iter()
            .zip(weights)
            .map(|(p, w)| w * logit(*p))
            .sum::<f64>()
            + forecasts
                .iter()
                .map(|f| f.weight * logit(f.probability))
                .sum::<f64>();
        let reach = |distance: &dyn Fn(usize) -> f64| {
            let d: Vec<f64> = (0..members).map(|k| weights[k] * distance(k)).collect();
            stats::mover_reach(&d, correlation)
        };
        let down = reach(&|k| logit(p[k]) - logit(estimates[k].ci95_low));
        let up = reach(&|k| logit(estimates[k].ci95_high) - logit(p[k]));
        let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
        Some(Estimate {
            probability: pooled,
            std_error,
            ci95_low: expit(centre - down).min(pooled),
            ci95_high: expit(centre + up).max(pooled),
        })
    }

    /// The members' per-trial covariance matrix in month `t` (row-major, `members²` values),
    /// with the members' means `p` and the estimator's `denominator` (n − 1 or n).
    fn covariances(&self, t: usize, p: &[f64], denominator: f64) -> Vec<f64> {
        let members = self.members.len();
        let pairs = members * members.saturating_sub(1) / 2;
        let sum = |k: usize| unfixed(self.members[k].sum[t] as i128);
        let mut covariance = vec![0.0; members * members];
        for k in 0..members {
            let own = unfixed(self.members[k].sum_sq[t] as i128);
            covariance[k * members + k] = ((own - sum(k) * p[k]) / denominator).max(0.0);
            for l in k + 1..members {
                let cross = unfixed(self.cross[t * pairs + pair(k, l, members)] as i128);
                let c = (cross - sum(k) * p[l]) / denominator;
                covariance[k * members + l] = c;
                covariance[l * members + k] = c;
            }
        }
        covariance
    }

    /// The first member whose estimate by month `t` is exactly 0 or 1, with that value: the
    /// member that decides a geometric pool on its own (SPEC §8 asks to name it).
    pub fn at_edge(&self, estimator: Estimator, t: usize) -> Option<(usize, f64)> {
        (0..self.members.len()).find_map(|k| {
            let p = self.member(k, estimator, t).probability;
            (p <= 0.0 || p >= 1.0).then_some((k, p))
        })
    }

    /// [`PoolTally::linear`] with direct forecasts among the members: the tally holds
    /// Σ w_k·y_k over the scenario members (their weights normalised with the forecasts'), and
    /// the forecasts add the constant Σ w_f·P_f to the estimate and to its interval.
    pub fn linear_with(&self, estimator: Estimator, forecasts: &[Forecast], t: usize) -> Estimate {
        if forecasts.is_empty() {
            return self.linear(estimator, t);
        }
        let shift: f64 = forecasts.iter().map(|f| f.weight * f.probability).sum();
        let e = self.linear.estimate(Estimator::Conditional, t);
        let clamp = |x: f64| (x + shift).clamp(0.0, 1.0);
        Estimate {
            probability: clamp(e.probability),
            std_error: e.std_error,
            ci95_low: clamp(e.ci95_low),
            ci95_high: clamp(e.ci95_high),
        }
    }

    /// The chosen pool by month `t`, with direct forecasts among the members.
    pub fn pooled_with(
        &self,
        method: Method,
        estimator: Estimator,
        weights: &[f64],
        forecasts: &[Forecast],
        t: usize,
    ) -> Option<Estimate> {
        match method {
            Method::Linear => Some(self.linear_with(estimator, forecasts, t)),
            Method::GeometricOdds => self.geometric_with(estimator, weights, forecasts, t),
        }
    }

    /// The chosen pool by month `t`.
    pub fn pooled(
        &self,
        method: Method,
        estimator: Estimator,
        weights: &[f64],
        t: usize,
    ) -> Option<Estimate> {
        match method {
            Method::Linear => Some(self.linear(estimator, t)),
            Method::GeometricOdds => self.geometric(estimator, weights, t),
        }
    }
}

/// The geometric mean of the odds of `probabilities` with `weights` (summing to 1), as a
/// probability: 0 when one is 0, 1 when one is 1, `None` when one is 0 and another 1.
pub fn pool_odds(probabilities: &[f64], weights: &[f64]) -> Option<f64> {
    let zero = probabilities.iter().any(|p| *p <= 0.0);
    let one = probabilities.iter().any(|p| *p >= 1.0);
    match (zero, one) {
        (true, true) => None,
        (true, false) => Some(0.0),
        (false, true) => Some(1.0),
        (false, false) => {
            let log_odds: f64 = probabilities
                .iter()
                .zip(weights)
                .map(|(p, w)| w * (p / (1.0 - p)).ln())
                .sum();
            Some(1.0 / (1.0 + (-log_odds).exp()))
        }
    }
}

impl Accumulator for PoolTally {
    const ORDER_FREE: bool = true;

    fn merge(&mut self, other: PoolTally) {
        for (a, b) in self.members.iter_mut().zip(other.members) {
            a.merge(b);
        }
        self.linear.merge(other.linear);
        for (a, b) in self.cross.iter_mut().zip(&other.cross) {
            *a += b;
        }
    }

    fn trials(&self) -> u64 {
        self.linear.trials
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_numbered_densely_in_order() {
        for members in 2..7 {
            let mut next = 0;
            for k in 0..members {
                for l in k + 1..members {
                    assert_eq!(pair(k, l, members), next, "{k},{l} of {members}");
                    next += 1;
                }
            }
            assert_eq!(next, members * (members - 1) / 2);
        }
    }

    /// Block sums give the bits of the trial-by-trial fixed-point sums the pool once added
    /// (each value widened to `u128` with [`fixed`]), whatever the split into blocks, a
    /// full block of trials at 1 included (4,096 × 2⁵⁰ quanta, the most a `u64` sum holds).
    #[test]
    fn block_sums_are_the_trial_by_trial_sums() {
        use crate::engine::{BLOCK, fixed};
        let (members, months) = (3, 5);
        let weights = [0.5, 0.25, 0.25];
        let trial = |i: usize| -> Vec<Vec<f64>> {
            (0..members)
                .map(|k| {
                    let base = match (i + k) % 5 {
                        0 => 1.0,
                        1 => 0.0,
                        2 => 5e-324,
                        _ => ((i * 7919 + k * 104_729) % 1000) as f64 / 1000.0,
                    };
                    (0..months)
                        .map(|t| (base + t as f64 * 0.01).min(1.0))
                        .collect()
                })
                .collect()
        };
        let trials: Vec<Vec<Vec<f64>>> = (0..2 * BLOCK as usize + 3).map(trial).collect();
        // The reference: every trial's values widened one by one.
        let mut want = PoolTally::new(members, months);
        let unsigned = |x: f64| fixed(x).unsigned_abs();
        let pairs = members * (members - 1) / 2;
        for y in &trials {
            for tally in want.members.iter_mut().chain([&mut want.linear]) {
                tally.trials += 1;
            }
            let pooled_of = |t: usize| {
                let sum: f64 = (0..members).map(|k| weights[k] * y[k][t]).sum();
                sum.clamp(0.0, 1.0)
            };
            let last = months - 1;
            for t in 0..months {
                for k in 0..members {
                    let m = &mut want.members[k];
                    m.sum[t] += unsigned(y[k][t]);
                    m.sum_sq[t] += unsigned(y[k][t] * y[k][t]);
                    m.sum_cross[t] += unsigned(y[k][t] * y[k][last]);
                    for l in k + 1..members {
                        want.cross[t * pairs + pair(k, l, members)] += unsigned(y[k][t] * y[l][t]);
                    }
                }
                let (p, p_last) = (pooled_of(t), pooled_of(last));
                want.linear.sum[t] += unsigned(p);
                want.linear.sum_sq[t] += unsigned(p * p);
                want.linear.sum_cross[t] += unsigned(p * p_last);
            }
        }
        for split in [1, 7, BLOCK as usize] {
            let mut got = PoolTally::new(members, months);
            for chunk in trials.chunks(split) {
                let mut block = PoolBlock::new(members, months);
                for y in chunk {
                    block.add(|k| &y[k], &weights);
                }
                got.add_block(&block);
            }
            assert_eq!(got, want, "blocks of {split}");
        }
        // A full block at 1 does not overflow its u64 sums.
        let ones = vec![1.0; months];
        let mut block = PoolBlock::new(members, months);
        for _ in 0..BLOCK {
            block.add(|_| &ones, &weights);
        }
        let mut full = PoolTally::new(members, months);
        full.add_block(&block);
        assert_eq!(full.members[0].sum[0], u128::from(BLOCK) << 62);
        assert_eq!(full.cross[0], u128::from(BLOCK) << 62);
    }

    #[test]
    fn weights_are_normalised_and_checked() {
        assert_eq!(normalised_weights(None, 4), Ok(vec![0.25; 4]));
        assert_eq!(
            normalised_weights(Some(&[2.0, 1.0, 1.0]), 3),
            Ok(vec![0.5, 0.25, 0.25])
        );
        for bad in [
            vec![1.0, 0.0],
            vec![1.0, -1.0],
            vec![f64::NAN, 1.0],
            vec![f64::INFINITY, 1.0],
            vec![1.0],
            vec![f64::MAX, f64::MAX],
        ] {
            let err = normalised_weights(Some(&bad), 2).expect_err("refused");
            assert!(err.contains("--weights"), "{err}");
        }
    }

    #[test]
    fn odds_pool_at_the_edges() {
        let w = [0.5, 0.5];
        assert_eq!(pool_odds(&[0.0, 0.3], &w), Some(0.0));
        assert_eq!(pool_odds(&[1.0, 0.3], &w), Some(1.0));
        assert_eq!(pool_odds(&[0.0, 1.0], &w), None);
        // Odds 1/9 and 9: their geometric mean is 1.
        let even = pool_odds(&[0.1, 0.9], &w).expect("defined");
        assert!((even - 0.5).abs() < 1e-15, "{even}");
        let one = pool_odds(&[0.0123], &[1.0]).expect("defined");
        assert!((one - 0.0123).abs() < 1e-16, "{one}");
    }
}
