//! The model of one trial (SPEC §4): a pure function of the drawn parameters and a random
//! source. No I/O, no allocation.

mod draws;
mod lanes;
mod ziggurat;

pub use lanes::{LANES, Lanes};

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

/// Slots of the six state parameters a trial carries from month to month (events may shift
/// them), in the order of `Param::STATE`.
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

/// Where a trial is in the model's event list (events are sorted by month).
#[derive(Clone, Copy, Debug)]
struct EventCursor {
    /// Index of the next event to consider.
    next: usize,
    /// Its month, or `usize::MAX` when none is left.
    next_month: usize,
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
}

/// The security gap: gap = max(0, D − min(1, C + L·U)), how far Moscow's demand exceeds what
/// Tokyo would concede once Washington's indifference frees it.
#[inline]
pub fn security_gap(concession: f64, demand: f64, indifference: f64, leverage: f64) -> f64 {
    (demand - (concession + leverage * indifference).min(1.0)).max(0.0)
}

/// The bar θ + gap that the weaker side's will must clear at a summit; only events change it.
#[inline]
pub fn signing_bar(
    threshold: f64,
    concession: f64,
    demand: f64,
    indifference: f64,
    leverage: f64,
) -> f64 {
    threshold + security_gap(concession, demand, indifference, leverage)
}

/// The signing probability at a summit, p = 1 / (1 + exp(−(will − θ − gap) / s)), where
/// `will` is min(J, R), computed from the bar θ + gap and 1/s as 1 / (1 + exp((bar − will) · (1/s))).
#[inline]
pub fn signing_probability(will: f64, bar: f64, inverse_noise: f64) -> f64 {
    1.0 / (1.0 + crate::fastmath::exp((bar - will) * inverse_noise))
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
        Model {
            months,
            samplers,
            copula,
            events,
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
        match estimator {
            Estimator::Conditional => self.walk::<R, true>(draws, rng, cumulative),
            Estimator::Indicator => self.walk::<R, false>(draws, rng, cumulative),
        }
    }

    /// The month loop of [`Model::simulate`], compiled once per estimator so that the hot loop
    /// carries no estimator test.
    #[inline(always)]
    fn walk<R: Rng + ?Sized, const CONDITIONAL: bool>(
        &self,
        draws: &[f64; PARAM_COUNT],
        rng: &mut R,
        cumulative: &mut [f64],
    ) -> Outcome {
        let p = |param: Param| draws[param.index()];
        let mut s = Param::STATE.map(p);
        let volatility = p(Param::ProcessWillVolatility);
        let threshold = p(Param::ProcessSigningThreshold);
        // −(will − θ − gap)/s is computed as (θ + gap − will) · (1/s): one division per trial
        // instead of one a month.
        let inverse_noise = 1.0 / p(Param::ProcessDecisionNoise);
        let (hazard, successor, leverage) = (
            p(Param::JapanLeaderExitHazard),
            p(Param::JapanSuccessorWill),
            p(Param::UsLeverage),
        );
        // The gap depends on C, D and U, which only events change: the bar θ + gap is computed
        // once, and again after an event fires.
        let mut bar = signing_bar(threshold, s[C], s[D], s[U], leverage);
        let mut in_office = true;
        let mut outcome = Outcome::default();
        let mut survival = 1.0;
        let months = self.months.min(cumulative.len());
        let cumulative = &mut cumulative[..months];
        let mut events = self.event_cursor();
        for t in 0..months {
            // 1. Random walk of both sides' will.
            if t > 0 {
                s[J] = (s[J] + volatility * standard_normal(rng)).clamp(0.0, 1.0);
                s[R] = (s[R] + volatility * standard_normal(rng)).clamp(0.0, 1.0);
            }
            // 2. This month's events, in file order.
            if t == events.next_month {
                self.fire_events(&mut events, &mut s, &mut bar, threshold, leverage, rng);
            }
            // 3. At most one change of prime minister.
            if in_office && uniform(rng) < hazard {
                in_office = false;
                outcome.leader_exit_month = Some(t);
                s[J] = successor;
            }
            // 4. A summit, and the signing decision.
            if CONDITIONAL {
                // With no summit possible q is exactly 0 whatever p is (even NaN, from s so
                // small that 1/s is infinite).
                let rate = s[LAMBDA];
                let q = rate * signing_probability(s[J].min(s[R]), bar, inverse_noise);
                let q = if rate > 0.0 { q } else { 0.0 };
                survival *= 1.0 - q;
                cumulative[t] = 1.0 - survival;
            } else {
                if uniform(rng) < s[LAMBDA]
                    && uniform(rng) < signing_probability(s[J].min(s[R]), bar, inverse_noise)
                {
                    outcome.signed_month = Some(t);
                    cumulative[t..].fill(1.0);
                    return outcome;
                }
                cumulative[t] = 0.0;
            }
        }
        outcome
    }

    /// A cursor at the first event.
    fn event_cursor(&self) -> EventCursor {
        EventCursor {
            next: 0,
            next_month: self.events.first().map_or(usize::MAX, |e| e.month),
        }
    }

    /// The events of the cursor's month, in file order; moves the cursor to the next month
    /// with events.
    fn take_month(&self, cursor: &mut EventCursor) -> &[ModelEvent] {
        let start = cursor.next;
        let month = cursor.next_month;
        let end = start
            + self.events[start.min(self.events.len())..]
                .iter()
                .take_while(|e| e.month == month)
                .count();
        *cursor = EventCursor {
            next: end,
            next_month: self.events.get(end).map_or(usize::MAX, |e| e.month),
        };
        &self.events[start.min(end)..end]
    }

    /// Step 2 for the month `events.next_month`: each of its events, in file order, fires with
    /// its probability and shifts the state, clamped; the bar is recomputed after each firing.
    fn fire_events<R: Rng + ?Sized>(
        &self,
        events: &mut EventCursor,
        s: &mut [f64; 6],
        bar: &mut f64,
        threshold: f64,
        leverage: f64,
        rng: &mut R,
    ) {
        for event in self.take_month(events) {
            if uniform(rng) < event.probability {
                for (slot, shift) in &event.effects {
                    s[*slot] = (s[*slot] + shift.sample(rng)).clamp(0.0, 1.0);
                }
                *bar = signing_bar(threshold, s[C], s[D], s[U], leverage);
            }
        }
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
