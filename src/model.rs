//! The model of one trial (SPEC §4): a pure function of the drawn parameters and a random
//! source. No I/O, no allocation.

use crate::copula::Copula;
use crate::distribution::{Sampler, standard_normal, uniform};
use crate::param::{PARAM_COUNT, Param};
use crate::rng;
use crate::scenario::Scenario;
use rand::Rng;

/// How a trial's chance of a treaty is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Estimator {
    /// Steps 1–3 sampled; step 4's two coin flips replaced by their probability
    /// (q = λ·p, survival S ← S·(1 − q)). Lower variance.
    Conditional,
    /// Steps 1–4 simulated literally; signed trials counted.
    Indicator,
}

impl Estimator {
    /// The name used on the command line and in CSV files.
    pub fn name(self) -> &'static str {
        match self {
            Estimator::Conditional => "conditional",
            Estimator::Indicator => "indicator",
        }
    }
}

/// The six state parameters a trial carries from month to month (events may shift them).
#[derive(Clone, Copy, Debug)]
struct State([f64; 6]);

/// Slots of [`State`]; `Param::STATE` lists the same parameters in the same order.
const J: usize = 0;
const R: usize = 1;
const C: usize = 2;
const D: usize = 3;
const U: usize = 4;
const LAMBDA: usize = 5;

fn state_slot(param: Param) -> usize {
    Param::STATE.iter().position(|p| *p == param).unwrap_or(J)
}

/// An event compiled for the month loop.
#[derive(Clone, Debug)]
struct ModelEvent {
    month: usize,
    probability: f64,
    effects: Vec<(usize, Sampler)>,
}

/// What happened in a trial besides its treaty probability.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Month index in which the prime minister left office.
    pub leader_exit_month: Option<usize>,
    /// Month index in which the treaty was signed (indicator estimator only).
    pub signed_month: Option<usize>,
}

/// A scenario compiled for simulation.
#[derive(Clone, Debug)]
pub struct Model {
    months: usize,
    samplers: [Sampler; PARAM_COUNT],
    /// Correlated parameters, drawn jointly; their samplers are skipped.
    copula: Option<Copula>,
    /// Events sorted by month, file order kept within a month.
    events: Vec<ModelEvent>,
    /// `month_events[t]..month_events[t + 1]` indexes the events of month t.
    month_events: Vec<usize>,
}

/// The security gap: gap = max(0, D − min(1, C + L·U)), how far Moscow's demand exceeds what
/// Tokyo would concede once Washington's indifference frees it.
#[inline]
pub fn security_gap(concession: f64, demand: f64, indifference: f64, leverage: f64) -> f64 {
    (demand - (concession + leverage * indifference).min(1.0)).max(0.0)
}

/// The signing probability at a summit, p = 1 / (1 + exp(−(will − θ − gap) / s)), where
/// `will` is min(J, R).
#[inline]
pub fn signing_probability(will: f64, gap: f64, threshold: f64, noise: f64) -> f64 {
    1.0 / (1.0 + crate::fastmath::exp(-(will - threshold - gap) / noise))
}

impl Model {
    /// Compiles a validated scenario.
    pub fn new(scenario: &Scenario) -> Model {
        let dists = std::array::from_fn(|i| scenario.params[i].dist);
        // Validation has already checked the matrix; a failure here leaves the inputs independent.
        let copula = Copula::new(&scenario.correlations, &dists).ok().flatten();
        let samplers = std::array::from_fn(|i| match &copula {
            Some(c) if c.contains(i) => Sampler::Constant(f64::NAN),
            _ => Sampler::new(&dists[i]),
        });
        let months = scenario.simulation.months();
        let start = scenario.simulation.start;
        let mut events: Vec<ModelEvent> = scenario
            .events
            .iter()
            .filter_map(|e| {
                let offset = start.months_until(e.month);
                (0..months as i64).contains(&offset).then(|| ModelEvent {
                    month: offset as usize,
                    probability: e.probability,
                    effects: e
                        .effects
                        .iter()
                        .map(|f| (state_slot(f.param), Sampler::new(&f.shift.dist)))
                        .collect(),
                })
            })
            .collect();
        events.sort_by_key(|e| e.month);
        let month_events = (0..=months)
            .map(|t| events.partition_point(|e| e.month < t))
            .collect();
        Model {
            months,
            samplers,
            copula,
            events,
            month_events,
        }
    }

    /// T, the number of simulated months.
    pub fn months(&self) -> usize {
        self.months
    }

    /// Draws the twelve parameters of the trial with key `key`, each from its own stream;
    /// correlated ones jointly through the copula.
    #[inline]
    pub fn draw(&self, key: u64, draws: &mut [f64; PARAM_COUNT]) {
        for (i, (draw, sampler)) in draws.iter_mut().zip(&self.samplers).enumerate() {
            *draw = match sampler {
                Sampler::Constant(c) => *c,
                _ => sampler.sample(&mut rng::param_rng(key, i)),
            };
        }
        if let Some(copula) = &self.copula {
            copula.draw(key, draws);
        }
    }

    /// Simulates one trial's month loop from its drawn parameters, writing the cumulative
    /// probability of a treaty by the end of each month into `cumulative` (length T): under
    /// the conditional estimator 1 − S_{t+1}; under the indicator estimator 0 before the
    /// signing month and 1 from it on.
    #[inline]
    pub fn simulate<R: Rng + ?Sized>(
        &self,
        draws: &[f64; PARAM_COUNT],
        rng: &mut R,
        estimator: Estimator,
        cumulative: &mut [f64],
    ) -> Outcome {
        let p = |param: Param| draws[param.index()];
        let mut state = State(Param::STATE.map(p));
        let volatility = p(Param::ProcessWillVolatility);
        let (threshold, noise) = (
            p(Param::ProcessSigningThreshold),
            p(Param::ProcessDecisionNoise),
        );
        let (hazard, successor, leverage) = (
            p(Param::JapanLeaderExitHazard),
            p(Param::JapanSuccessorWill),
            p(Param::UsLeverage),
        );
        // The gap depends on C, D and U, which only events change: computed once, and again
        // after an event fires.
        let mut gap = security_gap(state.0[C], state.0[D], state.0[U], leverage);
        let mut outcome = Outcome::default();
        let mut survival = 1.0;
        for t in 0..self.months {
            let s = &mut state.0;
            // 1. Random walk of both sides' will.
            if t > 0 {
                s[J] = (s[J] + volatility * standard_normal(rng)).clamp(0.0, 1.0);
                s[R] = (s[R] + volatility * standard_normal(rng)).clamp(0.0, 1.0);
            }
            // 2. This month's events, in file order.
            for event in &self.events[self.month_events[t]..self.month_events[t + 1]] {
                if uniform(rng) < event.probability {
                    for (slot, shift) in &event.effects {
                        s[*slot] = (s[*slot] + shift.sample(rng)).clamp(0.0, 1.0);
                    }
                    gap = security_gap(s[C], s[D], s[U], leverage);
                }
            }
            // 3. At most one change of prime minister.
            if outcome.leader_exit_month.is_none() && uniform(rng) < hazard {
                outcome.leader_exit_month = Some(t);
                s[J] = successor;
            }
            // 4. A summit, and the signing decision.
            match estimator {
                Estimator::Conditional => {
                    // With no summit possible q is exactly 0 whatever p is.
                    if s[LAMBDA] > 0.0 {
                        let q =
                            s[LAMBDA] * signing_probability(s[J].min(s[R]), gap, threshold, noise);
                        survival *= 1.0 - q;
                    }
                    cumulative[t] = 1.0 - survival;
                }
                Estimator::Indicator => {
                    if uniform(rng) < s[LAMBDA]
                        && uniform(rng) < signing_probability(s[J].min(s[R]), gap, threshold, noise)
                    {
                        outcome.signed_month = Some(t);
                        cumulative[t..].fill(1.0);
                        return outcome;
                    }
                    cumulative[t] = 0.0;
                }
            }
        }
        outcome
    }

    /// Draws and simulates trial `trial` under `seed`.
    #[inline]
    pub fn trial(
        &self,
        seed: u64,
        trial: u64,
        estimator: Estimator,
        draws: &mut [f64; PARAM_COUNT],
        cumulative: &mut [f64],
    ) -> Outcome {
        let key = rng::trial_key(seed, trial);
        self.draw(key, draws);
        self.simulate(draws, &mut rng::process_rng(key), estimator, cumulative)
    }
}
