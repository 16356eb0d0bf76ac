//! The model of one trial (SPEC §4): a pure function of the drawn parameters and a random
//! source. No I/O, no allocation in the month loop.
//!
//! A trial carries its state — every signatory's will W_P, every issue's concession C_I and
//! demand D_I, every outside party's indifference U_O, and the summit rate λ — from month to
//! month; events shift it. At a summit in month t, with c_I = clamp(C_I + δC_I·t) and
//! d_I = clamp(D_I + δD_I·t),
//! room_I = clamp(c_I + Σ_O L_{I,O}·U_O − Σ_O K_{I,O}·(1 − U_O)),
//! gap = Σ_I max(0, d_I − room_I), and the treaty is signed with probability
//! p = 1 / (1 + exp(−(min_P W_P − θ − gap) / s)), or 0 while a dealbreaker issue has
//! d_I > room_I.
//!
//! The scalar loop is in `scalar.rs`, the same loop for many trials side by side in `lanes.rs`
//! (bit for bit equal), the events' calendar in `schedule.rs`.
//!
//! # Example
//! ```
//! # use treatysim::scenario::Catalog;
//! # use treatysim::model::{Model, Estimator, Trial};
//! let scenario = Catalog::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
//!     .load("baseline", &[])
//!     .unwrap();
//! let model = Model::new(&scenario);
//! let mut draws = vec![0.0; model.params()];
//! let mut cumulative = vec![0.0; model.months()];
//! let mut trial = Trial::new(&model);
//! model.trial(1, 0, Estimator::Conditional, &mut draws, &mut cumulative, &mut trial);
//! assert!(cumulative.windows(2).all(|w| w[0] <= w[1]));
//! ```

mod draws;
mod lanes;
mod observe;
mod scalar;
mod schedule;
mod streams;
mod ziggurat;

pub use lanes::{LANES, Lanes, trial_keys};
pub use observe::{IssueView, LaneSummit, Observer, SummitLanes, SummitView, Unobserved};

use crate::cast::{Kind, ParamId};
use crate::copula::Copula;
use crate::distribution::{Dist, Sampler};
use crate::rng;
use crate::scenario::Scenario;
use rand::Rng;
use schedule::{ModelEvent, Schedule};

/// How a trial's chance of a treaty is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Estimator {
    /// Each trial adds its exact chance of a treaty given its draws (steps 1–3 sampled, step 4's
    /// summit and signing coins replaced by their probability q = λ·p): less noise.
    Conditional,
    /// Each trial plays every summit and signing decision out; the trials that signed are
    /// counted.
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

/// A signatory as the month loop sees it. Its will is state slot k (its position among the
/// signatories).
#[derive(Clone, Debug)]
struct Signatory {
    /// Index of h_P in the draws, when its leader may leave by hazard (a hazard that is not
    /// the constant 0): then step 3 draws a uniform for it every month it is in office.
    hazard: Option<usize>,
    /// Index of S_P in the draws, when it has one.
    successor: Option<usize>,
}

/// An issue as the month loop sees it: state slots of C_I and D_I; for each outside party
/// with leverage (pressure), the state slot of U_O and the draw index of L_{I,O} (K_{I,O});
/// the draw indices of δC_I and δD_I when it drifts; whether it is a dealbreaker.
#[derive(Clone, Debug)]
struct IssueSlots {
    concession: usize,
    demand: usize,
    leverage: Vec<(usize, usize)>,
    pressure: Vec<(usize, usize)>,
    concession_drift: Option<usize>,
    demand_drift: Option<usize>,
    dealbreaker: bool,
}

/// One trial's working state and what happened in it besides its treaty probability; allocated
/// once and reused from trial to trial ([`Trial::new`]).
#[derive(Clone, Debug)]
pub struct Trial {
    state: Vec<f64>,
    in_office: Vec<bool>,
    /// Month index in which each signatory's leader left office (`usize::MAX`: never), in
    /// signatory order.
    pub exits: Vec<usize>,
    /// Month index in which the treaty was signed (indicator estimator only).
    pub signed_month: Option<usize>,
    /// Month index in which each event fired (`usize::MAX`: never), in the scenario's order.
    pub events: Vec<usize>,
    /// The month drawn for each event with a drawn month (`usize::MAX`: outside the
    /// simulation).
    drawn: Vec<usize>,
    /// Each issue as step 4 last saw it (filled only for an observer that wants summits).
    views: Vec<IssueView>,
}

impl Trial {
    /// Room for one trial of `model`.
    pub fn new(model: &Model) -> Trial {
        Trial {
            state: vec![0.0; model.state.len()],
            in_office: vec![true; model.signatories.len()],
            exits: vec![usize::MAX; model.signatories.len()],
            signed_month: None,
            events: vec![usize::MAX; model.events.len()],
            drawn: vec![usize::MAX; model.schedule.drawn()],
            views: vec![IssueView::default(); model.issues.len()],
        }
    }
}

/// A scenario compiled for simulation.
#[derive(Clone, Debug)]
pub struct Model {
    months: usize,
    /// One sampler per parameter, canonical order (correlated ones are drawn by the copula).
    samplers: Vec<Sampler>,
    /// Each parameter's random stream.
    streams: Vec<u64>,
    /// Correlated parameters, drawn jointly.
    copula: Option<Copula>,
    /// Every event, in the scenario's (declaration) order.
    events: Vec<ModelEvent>,
    /// Which events may come due in which month.
    schedule: Schedule,
    /// Whether some issue drifts (then the bar θ + gap changes every month, not only when an
    /// event fires).
    drifting: bool,
    /// The draw index that initialises each state slot: signatories' wills first (slot k is
    /// the k-th signatory's), then each issue's C_I and D_I, each outside party's U_O, and λ.
    state: Vec<usize>,
    signatories: Vec<Signatory>,
    issues: Vec<IssueSlots>,
    /// State slot of λ.
    summit_rate: usize,
    /// Draw indices of σ, θ and s.
    volatility: usize,
    threshold: usize,
    noise: usize,
}

/// The signing probability at a summit, p = 1 / (1 + exp(−(will − θ − gap) / s)), where
/// `will` is min_P W_P, computed from the bar θ + gap and 1/s as
/// 1 / (1 + exp((bar − will) · (1/s))).
#[inline]
pub fn signing_probability(will: f64, bar: f64, inverse_noise: f64) -> f64 {
    1.0 / (1.0 + crate::fastmath::exp((bar - will) * inverse_noise))
}

impl Model {
    /// Compiles a validated scenario.
    pub fn new(scenario: &Scenario) -> Model {
        let cast = &scenario.cast;
        let dists: Vec<Dist> = scenario.params.iter().map(|p| p.dist).collect();
        // Validation has already checked the matrix; a failure here leaves the inputs independent.
        let copula = Copula::new(&scenario.correlations, cast, &dists)
            .ok()
            .flatten();
        let samplers = dists
            .iter()
            .enumerate()
            .map(|(i, dist)| match &copula {
                Some(c) if c.contains(i) => Sampler::Constant(f64::NAN),
                _ => Sampler::new(dist),
            })
            .collect();
        let streams = cast.params().iter().map(|p| p.stream).collect();
        let index = |kind: Kind| cast.find(kind).map(ParamId::index);
        let required = |kind: Kind| index(kind).unwrap_or(0);
        let signatory_parties: Vec<usize> = cast.signatories().collect();
        let mut state: Vec<usize> = signatory_parties
            .iter()
            .map(|&p| required(Kind::Will(p)))
            .collect();
        let mut slot_of = std::collections::HashMap::new();
        for (k, &p) in signatory_parties.iter().enumerate() {
            slot_of.insert(required(Kind::Will(p)), k);
        }
        let mut push = |param: usize, state: &mut Vec<usize>| {
            slot_of.insert(param, state.len());
            state.push(param);
            state.len() - 1
        };
        let mut issue_slots: Vec<(usize, usize)> = Vec::new();
        for i in 0..cast.issues.len() {
            let c = push(required(Kind::Concession(i)), &mut state);
            let d = push(required(Kind::Demand(i)), &mut state);
            issue_slots.push((c, d));
        }
        let mut outside_slot = std::collections::HashMap::new();
        for o in cast.outside() {
            outside_slot.insert(o, push(required(Kind::Indifference(o)), &mut state));
        }
        let summit_rate = push(required(Kind::SummitRate), &mut state);
        let issues: Vec<IssueSlots> = cast
            .issues
            .iter()
            .enumerate()
            .map(|(i, issue)| IssueSlots {
                concession: issue_slots[i].0,
                demand: issue_slots[i].1,
                leverage: issue
                    .leverage
                    .iter()
                    .map(|&o| (outside_slot[&o], required(Kind::Leverage(i, o))))
                    .collect(),
                pressure: issue
                    .pressure
                    .iter()
                    .map(|&o| (outside_slot[&o], required(Kind::Pressure(i, o))))
                    .collect(),
                concession_drift: index(Kind::ConcessionDrift(i)),
                demand_drift: index(Kind::DemandDrift(i)),
                dealbreaker: issue.dealbreaker,
            })
            .collect();
        let drifting = issues
            .iter()
            .any(|i| i.concession_drift.is_some() || i.demand_drift.is_some());
        // A leader leaves only where S_P exists (validation requires it wherever one can):
        // the month loops then need no other case.
        let signatories: Vec<Signatory> = signatory_parties
            .iter()
            .map(|&p| {
                let successor = index(Kind::SuccessorWill(p));
                Signatory {
                    hazard: index(Kind::LeaderExitHazard(p))
                        .filter(|&h| dists[h] != Dist::Constant(0.0) && successor.is_some()),
                    successor,
                }
            })
            .collect();
        let months = scenario.simulation.months();
        let (events, schedule) = schedule::compile(
            scenario,
            |p| {
                signatory_parties
                    .iter()
                    .position(|&q| q == p)
                    .filter(|&k| signatories[k].successor.is_some())
            },
            |param| slot_of[&param],
        );
        Model {
            months,
            samplers,
            streams,
            copula,
            events,
            schedule,
            drifting,
            state,
            signatories,
            issues,
            summit_rate,
            volatility: required(Kind::WillVolatility),
            threshold: required(Kind::SigningThreshold),
            noise: required(Kind::DecisionNoise),
        }
    }

    /// T, the number of simulated months.
    pub fn months(&self) -> usize {
        self.months
    }

    /// About how many bytes the model holds, inline and on the heap, with a 16-byte allocator
    /// header per allocation (for `--max-memory`: a sweep holds a model per point).
    pub fn approx_bytes(&self) -> u64 {
        use std::mem::size_of;
        const HEADER: usize = 16;
        let events: usize = self
            .events
            .iter()
            .map(|e| size_of::<ModelEvent>() + e.heap_bytes(HEADER))
            .sum::<usize>()
            + self.schedule.heap_bytes(HEADER);
        let issues: usize = self
            .issues
            .iter()
            .map(|i| {
                size_of::<IssueSlots>() + 2 * HEADER + (i.leverage.len() + i.pressure.len()) * 16
            })
            .sum();
        let copula = self.copula.as_ref().map_or(0, Copula::approx_bytes);
        (size_of::<Model>()
            + 6 * HEADER
            + self.samplers.len() * (size_of::<Sampler>() + size_of::<u64>())
            + events
            + self.state.len() * size_of::<usize>()
            + self.signatories.len() * size_of::<Signatory>()
            + issues
            + copula) as u64
    }

    /// The number of parameters a trial draws (the length of its draws).
    pub fn params(&self) -> usize {
        self.samplers.len()
    }

    /// The number of signatories.
    pub fn signatories(&self) -> usize {
        self.signatories.len()
    }

    /// Whether the k-th signatory's leader can leave office: by a hazard that is not the
    /// constant 0, or by an event's `leader_exit` in the window.
    pub fn can_leave(&self, k: usize) -> bool {
        self.signatories[k].hazard.is_some()
            || self
                .events
                .iter()
                .any(|e| e.reachable && e.leader_exit.contains(&k))
    }

    /// The number of events (the scenario's, whether or not they can fire in the window).
    pub fn events(&self) -> usize {
        self.events.len()
    }

    /// The rows of [`LANES`] values a worker's batch holds besides its months and
    /// its draws: each event's month of firing and drawn month, each state slot, and each
    /// signatory's change of leader and time in office (for `--max-memory`).
    pub fn lane_rows(&self) -> usize {
        self.events.len()
            + self.schedule.drawn()
            + self.state.len()
            + 2 * self.signatories.len()
            + self.issues.len()
    }

    /// Draws the parameters of the trial with key `key` (`draws` has [`Model::params`]
    /// values), each from its own stream; correlated ones jointly through the copula.
    #[inline]
    pub fn draw(&self, key: u64, draws: &mut [f64]) {
        for ((draw, sampler), &stream) in draws.iter_mut().zip(&self.samplers).zip(&self.streams) {
            *draw = match sampler {
                Sampler::Constant(c) => *c,
                _ => sampler.sample(&mut rng::param_rng(key, stream)),
            };
        }
        if let Some(copula) = &self.copula {
            copula.draw(key, draws);
        }
    }

    /// Simulates one trial's month loop from its drawn parameters, writing the cumulative
    /// probability of a treaty by the end of each month into `cumulative` (length T): under
    /// the conditional estimator 1 − S_{t+1}; under the indicator estimator 0 before the
    /// signing month and 1 from it on. Leader exits and the signing month go to `trial`.
    #[inline]
    pub fn simulate<R: Rng + ?Sized>(
        &self,
        draws: &[f64],
        rng: &mut R,
        estimator: Estimator,
        cumulative: &mut [f64],
        trial: &mut Trial,
    ) {
        self.simulate_observed(draws, rng, estimator, cumulative, trial, &mut Unobserved);
    }

    /// [`Model::simulate`], telling `observer` what happens (every month's step 4, events
    /// fired, leaders leaving): the same draws, the same results.
    #[inline]
    pub fn simulate_observed<R: Rng + ?Sized, O: Observer>(
        &self,
        draws: &[f64],
        rng: &mut R,
        estimator: Estimator,
        cumulative: &mut [f64],
        trial: &mut Trial,
        observer: &mut O,
    ) {
        match estimator {
            Estimator::Conditional => {
                self.walk::<R, O, true>(draws, rng, cumulative, trial, observer);
            }
            Estimator::Indicator => {
                self.walk::<R, O, false>(draws, rng, cumulative, trial, observer);
            }
        }
    }

    /// [`Model::trial`], telling `observer` what happens ([`Model::simulate_observed`]).
    #[allow(clippy::too_many_arguments)]
    pub fn trial_observed<O: Observer>(
        &self,
        seed: u64,
        trial: u64,
        estimator: Estimator,
        draws: &mut [f64],
        cumulative: &mut [f64],
        state: &mut Trial,
        observer: &mut O,
    ) {
        let key = rng::trial_key(seed, trial);
        self.draw(key, draws);
        self.simulate_observed(
            draws,
            &mut rng::process_rng(key),
            estimator,
            cumulative,
            state,
            observer,
        );
    }

    /// The number of issues (an observer's issue indices run below it).
    pub fn issues(&self) -> usize {
        self.issues.len()
    }

    /// Draws and simulates trial `trial` under `seed`.
    #[inline]
    pub fn trial(
        &self,
        seed: u64,
        trial: u64,
        estimator: Estimator,
        draws: &mut [f64],
        cumulative: &mut [f64],
        state: &mut Trial,
    ) {
        let key = rng::trial_key(seed, trial);
        self.draw(key, draws);
        self.simulate(
            draws,
            &mut rng::process_rng(key),
            estimator,
            cumulative,
            state,
        );
    }
}
