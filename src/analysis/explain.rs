//! `treatysim explain`: why a scenario's probability is what it is (SPEC §8, "Explaining a
//! number"), in three parts.
//!
//! **(a) The central path** ([`central_path`]): one deterministic month loop of SPEC §4 with
//! every parameter at its median ([`crate::distribution::Dist::quantile`] at ½, exact for
//! every family), no random walk, and every chance replaced by its expectation (a mean-field
//! path):
//! - an event's effect is added scaled by its chance of firing in that month: a `probability`
//!   event fires in its month with its probability (with `until`, with probability/k in each
//!   of the k months of its window); a `hazard` event fires in month j of its window with chance
//!   h·(1 − F), F its chance of having fired already (so its cumulative chance is
//!   1 − (1 − h)^(j+1)); each effect's shift is taken at its median;
//! - `requires` and `excludes` scale that chance by the chance that every required event, and
//!   no excluded one, has fired before it (earlier months, or earlier in declaration order in
//!   the same month), the events taken as independent;
//! - a leader's exit (a hazard h, or an event's `leader_exit` with chance f) moves that share
//!   of the chance still in office to the successor: each signatory's will is
//!   o·W_in + (1 − o)·W_out, o the chance its leader is still in office, W_in the leader's will
//!   and W_out the successors' (S_P at its median, mixed over exit months), each shifted by
//!   the events' effects after it;
//! - clamps apply to each of these values as in the model.
//!
//! Each month then has p = 1/(1 + exp(−margin)), margin = (min_P W_P − θ − gap)/s (p = 0 while
//! a dealbreaker issue's gap is open), q = λ·p, and the path's cumulative probability
//! 1 − Π(1 − q). A constant scenario's central path is its one trial exactly.
//!
//! **(b) The diagnostic run** ([`Diagnostic`]): trials of the real model, seeded as `run` seeds
//! them, run side by side on the conditional lane loop with step 4 of every month recorded
//! ([`crate::model::SummitLanes`], what [`crate::model::Observer`] is told in the scalar
//! loop). Each month of a trial counts as a summit month with the weight w_t = S_t·λ_t, its
//! chance of holding a summit with no treaty yet (S_t the trial's survival, as the conditional
//! estimator has it), so that shares "of summit months" are Σ w·\[condition\] / Σ w and the
//! expected number of summits is Σ w per trial. Each block's sums are added trial by trial,
//! month by month, and blocks are merged in trial order: the same bits whatever the thread
//! count, and the same as watching the scalar loop.
//!
//! **(c) The reasons** ([`reasons`]): each factor of the scenario (an issue's gap, a
//! signatory's will, the threshold, the summit rate, each event, each leader's exit hazard,
//! each leverage, pressure and drift) is neutralised on the central path in a fixed way, and
//! its strength is `strength` of the central path's P with and without it: ln(P′/P) when
//! P < ½ (the relative change of P), −ln((1 − P′)/(1 − P)) from ½ up (the relative change of
//! the chance of no treaty), so that a low probability is explained by what holds it down and
//! a high one by what holds it up; positive when the factor holds P down. Events and leaders'
//! exits also have an observed strength, from the diagnostic's trials in which the event did
//! not fire (the leader stayed) against all trials; the larger in magnitude counts, so that an
//! event that is necessary in the trials (a referendum that alone closes a dealbreaker) is a
//! reason even when its chance, spread over the central path, moves nothing. A dealbreaker's
//! strength is at least −ln(1 − b), b the share of summit months it blocks in the diagnostic:
//! closing it would multiply the summit months that can sign by 1/(1 − b). The reasons are the
//! three factors of largest |strength|, ties in the factors' order.

use crate::cast::Kind;
use crate::engine::{self, Accumulator};
use crate::error::Result;
use crate::model::{Estimator, LANES, Lanes, Model, SummitLanes, trial_keys};
use crate::month::Month;
use crate::scenario::Scenario;
use std::ops::Range;

/// Trials of the diagnostic run when `--trials` is not given.
pub const DEFAULT_TRIALS: u64 = 20_000;

/// Probabilities are clamped to [FLOOR, 1 − FLOOR] before a strength is taken.
const FLOOR: f64 = 1e-9;

/// Columns of `explain.csv`.
pub const HEADER: [&str; 5] = ["scenario", "month", "quantity", "subject", "value"];

/// What an event's effect shifts, on the central path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// The will of the k-th signatory (leader and successors alike).
    Will(usize),
    /// C_I.
    Concession(usize),
    /// D_I.
    Demand(usize),
    /// U_O of the o-th outside party.
    Indifference(usize),
    /// λ.
    SummitRate,
}

/// When an event may fire, in months from the start.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Timing {
    /// Once, with `probability`, in a month drawn uniformly from `first..=last` (`first ==
    /// last` without `until`); months outside the simulation never fire.
    Dated {
        first: i64,
        last: i64,
        probability: f64,
    },
    /// At chance `hazard` in each month of `first..=last` until it fires.
    Hazard { first: i64, last: i64, hazard: f64 },
}

/// An event on the central path.
#[derive(Clone, Debug)]
struct PathEvent {
    timing: Timing,
    effects: Vec<(Target, f64)>,
    leader_exit: Vec<usize>,
    requires: Vec<usize>,
    excludes: Vec<usize>,
}

/// An issue on the central path.
#[derive(Clone, Debug)]
struct PathIssue {
    concession: f64,
    demand: f64,
    /// (outside party position, L).
    leverage: Vec<(usize, f64)>,
    /// (outside party position, K).
    pressure: Vec<(usize, f64)>,
    concession_drift: f64,
    demand_drift: f64,
    dealbreaker: bool,
}

/// The central path's inputs: every parameter at its median.
#[derive(Clone, Debug)]
struct Inputs {
    months: usize,
    wills: Vec<f64>,
    /// h_P, 0 where the leader cannot leave by hazard.
    hazards: Vec<f64>,
    /// S_P where it exists.
    successors: Vec<Option<f64>>,
    indifference: Vec<f64>,
    issues: Vec<PathIssue>,
    summit_rate: f64,
    threshold: f64,
    noise: f64,
    events: Vec<PathEvent>,
}

/// A change to the central path that neutralises one factor (see the module's docs).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tweak {
    /// Nothing changed.
    None,
    /// Issue i's gap closed (its demand never exceeds its room; a dealbreaker no longer
    /// blocks).
    CloseGap(usize),
    /// Signatory k's will raised, every month, to the highest of the others'.
    LiftWill(usize),
}

impl Inputs {
    fn new(scenario: &Scenario) -> Inputs {
        let cast = &scenario.cast;
        let median = |kind: Kind| cast.find(kind).map(|id| scenario.dist(id).quantile(0.5));
        let signatories: Vec<usize> = cast.signatories().collect();
        let outside: Vec<usize> = cast.outside().collect();
        let position = |list: &[usize], p: usize| list.iter().position(|&x| x == p);
        let wills = signatories
            .iter()
            .map(|&p| median(Kind::Will(p)).unwrap_or(0.0))
            .collect();
        let successors: Vec<Option<f64>> = signatories
            .iter()
            .map(|&p| median(Kind::SuccessorWill(p)))
            .collect();
        let hazards = signatories
            .iter()
            .zip(&successors)
            .map(|(&p, s)| match s {
                Some(_) => median(Kind::LeaderExitHazard(p)).unwrap_or(0.0),
                None => 0.0,
            })
            .collect();
        let indifference = outside
            .iter()
            .map(|&o| median(Kind::Indifference(o)).unwrap_or(0.0))
            .collect();
        let issues = cast
            .issues
            .iter()
            .enumerate()
            .map(|(i, issue)| PathIssue {
                concession: median(Kind::Concession(i)).unwrap_or(0.0),
                demand: median(Kind::Demand(i)).unwrap_or(0.0),
                leverage: issue
                    .leverage
                    .iter()
                    .filter_map(|&o| Some((position(&outside, o)?, median(Kind::Leverage(i, o))?)))
                    .collect(),
                pressure: issue
                    .pressure
                    .iter()
                    .filter_map(|&o| Some((position(&outside, o)?, median(Kind::Pressure(i, o))?)))
                    .collect(),
                concession_drift: median(Kind::ConcessionDrift(i)).unwrap_or(0.0),
                demand_drift: median(Kind::DemandDrift(i)).unwrap_or(0.0),
                dealbreaker: issue.dealbreaker,
            })
            .collect();
        let start = scenario.simulation.start;
        let months = scenario.simulation.months();
        let events = scenario
            .events
            .iter()
            .map(|e| {
                let first = start.months_until(e.month);
                let timing = if e.hazard {
                    let last = e.until.map_or(months as i64 - 1, |u| start.months_until(u));
                    Timing::Hazard {
                        first,
                        last,
                        hazard: e.probability,
                    }
                } else {
                    Timing::Dated {
                        first,
                        last: e.until.map_or(first, |u| start.months_until(u)),
                        probability: e.probability,
                    }
                };
                PathEvent {
                    timing,
                    effects: e
                        .effects
                        .iter()
                        .filter_map(|f| {
                            let target = match cast.kind(f.param) {
                                Kind::Will(p) => Target::Will(position(&signatories, p)?),
                                Kind::Concession(i) => Target::Concession(i),
                                Kind::Demand(i) => Target::Demand(i),
                                Kind::Indifference(o) => {
                                    Target::Indifference(position(&outside, o)?)
                                }
                                Kind::SummitRate => Target::SummitRate,
                                _ => return None,
                            };
                            Some((target, f.shift.dist.quantile(0.5)))
                        })
                        .collect(),
                    leader_exit: e
                        .leader_exit
                        .iter()
                        .filter_map(|&p| position(&signatories, p))
                        .collect(),
                    requires: e.requires.clone(),
                    excludes: e.excludes.clone(),
                }
            })
            .collect();
        Inputs {
            months,
            wills,
            hazards,
            successors,
            indifference,
            issues,
            summit_rate: median(Kind::SummitRate).unwrap_or(0.0),
            threshold: median(Kind::SigningThreshold).unwrap_or(0.0),
            noise: median(Kind::DecisionNoise).unwrap_or(1.0),
            events,
        }
    }
}

/// One issue in one month of the central path.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PathIssueMonth {
    /// c_I.
    pub concession: f64,
    /// d_I.
    pub demand: f64,
    /// room_I.
    pub room: f64,
    /// max(0, d_I − room_I).
    pub gap: f64,
}

/// One month of the central path.
#[derive(Clone, Debug, PartialEq)]
pub struct PathMonth {
    /// Each signatory's will, signatory order.
    pub wills: Vec<f64>,
    /// The signatory holding the least will (the first, on ties).
    pub holder: usize,
    /// Each issue, the cast's order.
    pub issues: Vec<PathIssueMonth>,
    /// Σ_I gap_I.
    pub gap: f64,
    /// The first dealbreaker issue whose gap is open (then p = 0).
    pub blocked: Option<usize>,
    /// (min_P W_P − θ − gap)/s.
    pub margin: f64,
    /// p at a summit.
    pub p: f64,
    /// λ this month.
    pub summit_rate: f64,
    /// λ·p.
    pub q: f64,
    /// 1 − Π_{τ ≤ t}(1 − q_τ).
    pub cumulative: f64,
    /// Each event's chance of having fired by the end of this month's step 2.
    pub fired: Vec<f64>,
    /// Each signatory's chance that its leader has left office by the end of step 3.
    pub exited: Vec<f64>,
}

/// The central path (part (a)).
#[derive(Clone, Debug, PartialEq)]
pub struct CentralPath {
    /// Month by month.
    pub months: Vec<PathMonth>,
    /// The probability of this one path: its last cumulative probability (0 for an empty
    /// window).
    pub probability: f64,
}

impl CentralPath {
    /// Mean p at a summit on the path, each month weighted by its chance of a summit with no
    /// treaty yet, S_t·λ_t (0 when no summit can happen).
    pub fn mean_p(&self) -> f64 {
        let mut survival = 1.0;
        let (mut weight, mut sum) = (0.0, 0.0);
        for m in &self.months {
            let w = survival * m.summit_rate;
            weight += w;
            sum += w * m.p;
            survival *= 1.0 - m.q;
        }
        if weight > 0.0 { sum / weight } else { 0.0 }
    }
}

/// The central path of `scenario` (see the module's docs).
pub fn central_path(scenario: &Scenario) -> CentralPath {
    let inputs = Inputs::new(scenario);
    walk(&inputs, Tweak::None, 1.0, &vec![false; inputs.issues.len()])
}

/// p = 1/(1 + exp(−margin)).
fn logistic(margin: f64) -> f64 {
    1.0 / (1.0 + (-margin).exp())
}

/// The month loop of SPEC §4 on the central path, with `tweak` applied and λ scaled by
/// `rate_factor` (capped at 1), and the gaps of the issues marked in `closed` closed.
fn walk(inputs: &Inputs, tweak: Tweak, rate_factor: f64, closed: &[bool]) -> CentralPath {
    let unit = |x: f64| x.clamp(0.0, 1.0);
    let signatories = inputs.wills.len();
    let mut leader = inputs.wills.clone();
    let mut successor: Vec<f64> = inputs
        .successors
        .iter()
        .zip(&inputs.wills)
        .map(|(s, w)| s.unwrap_or(*w))
        .collect();
    let mut office = vec![1.0; signatories];
    let mut base: Vec<(f64, f64)> = inputs
        .issues
        .iter()
        .map(|i| (i.concession, i.demand))
        .collect();
    let mut indifference = inputs.indifference.clone();
    let mut rate = inputs.summit_rate;
    let mut fired = vec![0.0; inputs.events.len()];
    let mut survival = 1.0;
    let mut months = Vec::with_capacity(inputs.months);
    // Moves `share` of the chance still in office of signatory k to its successors.
    let leave = |k: usize, share: f64, office: &mut [f64], successor: &mut [f64]| {
        let Some(s) = inputs.successors[k] else {
            return;
        };
        let moved = office[k] * share;
        let gone = 1.0 - office[k];
        if gone + moved > 0.0 {
            successor[k] = (gone * successor[k] + moved * s) / (gone + moved);
        }
        office[k] -= moved;
    };
    for t in 0..inputs.months {
        let month = t as i64;
        // 2. Events, in declaration order.
        for (e, event) in inputs.events.iter().enumerate() {
            let chance = match event.timing {
                Timing::Dated {
                    first,
                    last,
                    probability,
                } if (first..=last).contains(&month) => probability / (last - first + 1) as f64,
                Timing::Hazard {
                    first,
                    last,
                    hazard,
                } if (first..=last).contains(&month) => hazard * (1.0 - fired[e]),
                _ => continue,
            };
            let gate = event.requires.iter().map(|&r| fired[r]).product::<f64>()
                * event
                    .excludes
                    .iter()
                    .map(|&x| 1.0 - fired[x])
                    .product::<f64>();
            let f = chance * gate;
            fired[e] += f;
            for &k in &event.leader_exit {
                leave(k, f, &mut office, &mut successor);
            }
            for &(target, shift) in &event.effects {
                let shift = f * shift;
                match target {
                    Target::Will(k) => {
                        leader[k] = unit(leader[k] + shift);
                        successor[k] = unit(successor[k] + shift);
                    }
                    Target::Concession(i) => base[i].0 = unit(base[i].0 + shift),
                    Target::Demand(i) => base[i].1 = unit(base[i].1 + shift),
                    Target::Indifference(o) => indifference[o] = unit(indifference[o] + shift),
                    Target::SummitRate => rate = unit(rate + shift),
                }
            }
        }
        // 3. Leaders leaving by hazard.
        for k in 0..signatories {
            leave(k, inputs.hazards[k], &mut office, &mut successor);
        }
        // 4. The summit.
        let mut wills: Vec<f64> = (0..signatories)
            .map(|k| office[k] * leader[k] + (1.0 - office[k]) * successor[k])
            .collect();
        if let Tweak::LiftWill(k) = tweak {
            let others = (0..signatories)
                .filter(|&j| j != k)
                .map(|j| wills[j])
                .fold(f64::NEG_INFINITY, f64::max);
            wills[k] = wills[k].max(others);
        }
        let (holder, will) = wills.iter().enumerate().fold(
            (0, f64::INFINITY),
            |(h, m), (k, &w)| {
                if w < m { (k, w) } else { (h, m) }
            },
        );
        let mut gap = 0.0;
        let mut blocked = None;
        let issues: Vec<PathIssueMonth> = inputs
            .issues
            .iter()
            .enumerate()
            .map(|(i, issue)| {
                let concession = unit(base[i].0 + issue.concession_drift * t as f64);
                let mut demand = unit(base[i].1 + issue.demand_drift * t as f64);
                let freed: f64 = issue
                    .leverage
                    .iter()
                    .map(|&(o, l)| l * indifference[o])
                    .sum();
                let bound: f64 = issue
                    .pressure
                    .iter()
                    .map(|&(o, k)| k * (1.0 - indifference[o]))
                    .sum();
                let room = unit(concession + freed - bound);
                if tweak == Tweak::CloseGap(i) || closed.get(i).copied().unwrap_or(false) {
                    demand = demand.min(room);
                }
                let open = (demand - room).max(0.0);
                gap += open;
                if issue.dealbreaker && demand > room && blocked.is_none() {
                    blocked = Some(i);
                }
                PathIssueMonth {
                    concession,
                    demand,
                    room,
                    gap: open,
                }
            })
            .collect();
        let margin = (will - inputs.threshold - gap) / inputs.noise;
        let p = if blocked.is_some() {
            0.0
        } else {
            logistic(margin)
        };
        let summit_rate = unit(rate * rate_factor);
        let q = if summit_rate > 0.0 {
            summit_rate * p
        } else {
            0.0
        };
        survival *= 1.0 - q;
        months.push(PathMonth {
            wills,
            holder,
            issues,
            gap,
            blocked,
            margin,
            p,
            summit_rate,
            q,
            cumulative: 1.0 - survival,
            fired: fired.clone(),
            exited: office.iter().map(|o| 1.0 - o).collect(),
        });
    }
    let probability = months.last().map_or(0.0, |m| m.cumulative);
    CentralPath {
        months,
        probability,
    }
}

/// What the diagnostic run sums, over a block of trials or all of them.
#[derive(Clone, Debug, PartialEq)]
pub struct DiagnosticTally {
    /// Trials summed.
    pub trials: u64,
    /// Σ w: summit months.
    pub summits: f64,
    /// Σ w·p.
    pub p: f64,
    /// Per issue, Σ w·[gap open].
    pub open: Vec<f64>,
    /// Per issue, Σ w·gap over summit months with the gap open.
    pub open_gap: Vec<f64>,
    /// Per issue, Σ w·[a dealbreaker, open, and the first such]: the months it blocks.
    pub blocks: Vec<f64>,
    /// Per signatory, Σ w·[holds the least will].
    pub lowest: Vec<f64>,
    /// Per event, the trials in which it fired.
    pub fired: Vec<u64>,
    /// Per signatory, the trials in which its leader left.
    pub exits: Vec<u64>,
    /// Per month, Σ S_t·λ_t·p_t: the probability of signing in that month, summed.
    pub in_month: Vec<f64>,
    /// Σ c², c each trial's probability of a treaty before the deadline (for its standard
    /// error).
    pub sum_sq: f64,
    /// Per event, Σ c over the trials in which it fired.
    pub signed_if_fired: Vec<f64>,
    /// Per signatory, Σ c over the trials in which its leader left.
    pub signed_if_exit: Vec<f64>,
}

impl DiagnosticTally {
    /// Empty sums for `model`'s scenario.
    pub fn new(months: usize, issues: usize, signatories: usize, events: usize) -> Self {
        DiagnosticTally {
            trials: 0,
            summits: 0.0,
            p: 0.0,
            open: vec![0.0; issues],
            open_gap: vec![0.0; issues],
            blocks: vec![0.0; issues],
            lowest: vec![0.0; signatories],
            fired: vec![0; events],
            exits: vec![0; signatories],
            in_month: vec![0.0; months],
            sum_sq: 0.0,
            signed_if_fired: vec![0.0; events],
            signed_if_exit: vec![0.0; signatories],
        }
    }
}

impl Accumulator for DiagnosticTally {
    fn merge(&mut self, other: Self) {
        fn add(a: &mut [f64], b: &[f64]) {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        }
        self.trials += other.trials;
        self.summits += other.summits;
        self.p += other.p;
        self.sum_sq += other.sum_sq;
        add(&mut self.open, &other.open);
        add(&mut self.open_gap, &other.open_gap);
        add(&mut self.blocks, &other.blocks);
        add(&mut self.lowest, &other.lowest);
        add(&mut self.in_month, &other.in_month);
        add(&mut self.signed_if_fired, &other.signed_if_fired);
        add(&mut self.signed_if_exit, &other.signed_if_exit);
        self.fired
            .iter_mut()
            .zip(&other.fired)
            .for_each(|(a, b)| *a += b);
        self.exits
            .iter_mut()
            .zip(&other.exits)
            .for_each(|(a, b)| *a += b);
    }

    fn trials(&self) -> u64 {
        self.trials
    }
}

/// Adds lane `lane`'s months to `tally`, month by month: each month counts as a summit month
/// with the weight w_t = S_t·λ_t (see the module's docs).
fn add_months(watch: &SummitLanes, lane: usize, tally: &mut DiagnosticTally) {
    let issues = tally.open.len();
    for t in 0..watch.months() {
        let summit = watch.summit(t, lane);
        let (rate, p) = (summit.rate, summit.p);
        let w = summit.survival * rate;
        tally.summits += w;
        tally.p += w * p;
        for i in 0..issues {
            let gap = watch.gap(t, i, lane);
            if gap > 0.0 {
                tally.open[i] += w;
                tally.open_gap[i] += w * gap;
            }
        }
        if let Some(blocks) = summit.blocked.and_then(|i| tally.blocks.get_mut(i)) {
            *blocks += w;
        }
        if let Some(lowest) = tally.lowest.get_mut(summit.holder) {
            *lowest += w;
        }
        let q = if rate > 0.0 { rate * p } else { 0.0 };
        if let Some(month) = tally.in_month.get_mut(t) {
            *month += summit.survival * q;
        }
    }
}

/// The diagnostic run of one scenario (part (b)).
#[derive(Clone, Copy, Debug)]
pub struct Diagnostic<'a> {
    /// The compiled scenario.
    pub model: &'a Model,
    /// Its seed (trial i is `run`'s trial i).
    pub seed: u64,
    /// Number of events in the scenario.
    pub events: usize,
    /// Number of issues.
    pub issues: usize,
}

impl Diagnostic<'_> {
    /// Empty sums.
    pub fn empty(&self) -> DiagnosticTally {
        DiagnosticTally::new(
            self.model.months(),
            self.issues,
            self.model.signatories(),
            self.events,
        )
    }

    /// Simulates the trials of `block` into `tally`, [`LANES`] at a time on the lane loop
    /// ([`Model::trials_lanes_watched`]), then adds each trial's months up in trial order, as
    /// an [`crate::model::Observer`] of the scalar loop would (the same float sums, to the
    /// bit).
    pub fn block(&self, block: Range<u64>, tally: &mut DiagnosticTally) {
        let model = self.model;
        let mut keys = [0; LANES];
        let mut draws = vec![[0.0; LANES]; model.params()];
        let mut lanes = Lanes::new(model);
        let mut watch = SummitLanes::new(model);
        let mut fired = vec![usize::MAX; model.events()];
        let mut exits = vec![usize::MAX; model.signatories()];
        let mut first = block.start;
        while first < block.end {
            if engine::INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            let count = (block.end - first).min(LANES as u64) as usize;
            // Idle lanes (past `count`, at the end of a block) repeat the last trial.
            trial_keys(self.seed, first, count, &mut keys);
            model.trials_lanes_watched(&keys, &mut draws, &mut lanes, &mut watch);
            let outcome = lanes.outcome();
            for (l, &signed) in outcome.iter().enumerate().take(count) {
                add_months(&watch, l, tally);
                lanes.copy_events(l, &mut fired);
                lanes.copy_exits(l, &mut exits);
                tally.sum_sq += signed * signed;
                tally.trials += 1;
                for (e, &month) in fired.iter().enumerate() {
                    if month != usize::MAX {
                        tally.fired[e] += 1;
                        tally.signed_if_fired[e] += signed;
                    }
                }
                for (k, &month) in exits.iter().enumerate() {
                    if month != usize::MAX {
                        tally.exits[k] += 1;
                        tally.signed_if_exit[k] += signed;
                    }
                }
            }
            first += count as u64;
        }
    }

    /// Runs trials `range` on the current thread pool; sums merged in trial order.
    ///
    /// # Errors
    /// Interruption.
    pub fn run(&self, range: Range<u64>, progress: &dyn Fn(u64)) -> Result<DiagnosticTally> {
        engine::for_each_block(
            range,
            || self.empty(),
            |block, tally, _| self.block(block, tally),
            None,
            progress,
        )
    }
}

/// The diagnostic run's figures, per trial.
#[derive(Clone, Debug, PartialEq)]
pub struct DiagnosticSummary {
    /// Trials run.
    pub trials: u64,
    /// Their seed.
    pub seed: u64,
    /// Expected number of summits before a treaty or the deadline.
    pub summits: f64,
    /// Mean p at a summit.
    pub mean_p: f64,
    /// Per issue: share of summit months with its gap open.
    pub open_share: Vec<f64>,
    /// Per issue: mean gap over the summit months with it open (0 when never open).
    pub mean_gap: Vec<f64>,
    /// Per issue: share of summit months it blocks as a dealbreaker.
    pub blocked_share: Vec<f64>,
    /// Per signatory: share of summit months in which it holds the least will.
    pub lowest_share: Vec<f64>,
    /// Per event: share of trials in which it fired.
    pub event_rate: Vec<f64>,
    /// Per signatory: share of trials in which its leader left.
    pub exit_rate: Vec<f64>,
    /// Per month: the probability of signing in that month.
    pub in_month: Vec<f64>,
    /// The probability of a treaty before the deadline (the sum of `in_month`).
    pub probability: f64,
    /// Its estimate with standard error and 95% interval, as `run` computes them.
    pub estimate: crate::stats::Estimate,
    /// Per event: the probability over the trials in which it did not fire (`None` when it
    /// fired in every trial).
    pub without_event: Vec<Option<f64>>,
    /// Per signatory: the probability over the trials in which its leader stayed (`None` when
    /// it left in every trial).
    pub without_exit: Vec<Option<f64>>,
}

impl DiagnosticSummary {
    /// The figures of a complete tally.
    pub fn new(tally: &DiagnosticTally, seed: u64) -> DiagnosticSummary {
        let n = tally.trials.max(1) as f64;
        let share = |x: f64| {
            if tally.summits > 0.0 {
                x / tally.summits
            } else {
                0.0
            }
        };
        let in_month: Vec<f64> = tally.in_month.iter().map(|x| x / n).collect();
        let total: f64 = tally.in_month.iter().sum();
        let without = |count: u64, signed: f64| {
            (tally.trials > count).then(|| (total - signed) / (tally.trials - count) as f64)
        };
        DiagnosticSummary {
            without_event: tally
                .fired
                .iter()
                .zip(&tally.signed_if_fired)
                .map(|(c, s)| without(*c, *s))
                .collect(),
            without_exit: tally
                .exits
                .iter()
                .zip(&tally.signed_if_exit)
                .map(|(c, s)| without(*c, *s))
                .collect(),
            trials: tally.trials,
            seed,
            summits: tally.summits / n,
            mean_p: share(tally.p),
            open_share: tally.open.iter().map(|&x| share(x)).collect(),
            mean_gap: tally
                .open_gap
                .iter()
                .zip(&tally.open)
                .map(|(g, o)| if *o > 0.0 { g / o } else { 0.0 })
                .collect(),
            blocked_share: tally.blocks.iter().map(|&x| share(x)).collect(),
            lowest_share: tally.lowest.iter().map(|&x| share(x)).collect(),
            event_rate: tally.fired.iter().map(|&f| f as f64 / n).collect(),
            exit_rate: tally.exits.iter().map(|&f| f as f64 / n).collect(),
            probability: in_month.iter().sum(),
            estimate: crate::stats::estimate(
                Estimator::Conditional,
                tally.trials,
                tally.in_month.iter().sum(),
                tally.sum_sq,
            ),
            in_month,
        }
    }
}

/// One reason the probability is what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    /// The key (or key prefix) it names, e.g. `issue.security`, `party.russia.will`.
    pub key: String,
    /// Its strength (`strength`; positive: neutralising it raises P).
    pub strength: f64,
    /// The sentence, in plain words.
    pub text: String,
}

/// A factor of the scenario and how it is neutralised.
#[derive(Clone, Debug)]
struct Factor {
    key: String,
    inputs: Inputs,
    tweak: Tweak,
    rate_factor: f64,
    /// A floor on the strength from the diagnostic (dealbreakers).
    floor: f64,
    /// The diagnostic's probability over the trials without it (events, leader exits).
    observed: Option<f64>,
}

/// The scenario's factors, each neutralised (see the module's docs).
fn factors(scenario: &Scenario, inputs: &Inputs, diagnostic: &DiagnosticSummary) -> Vec<Factor> {
    let cast = &scenario.cast;
    let signatories: Vec<usize> = cast.signatories().collect();
    let outside: Vec<usize> = cast.outside().collect();
    let mut out = Vec::new();
    let mut push = |key: String, inputs: Inputs, tweak: Tweak, rate_factor: f64, floor: f64| {
        out.push(Factor {
            key,
            inputs,
            tweak,
            rate_factor,
            floor,
            observed: None,
        });
    };
    for (i, issue) in cast.issues.iter().enumerate() {
        let blocked = diagnostic.blocked_share.get(i).copied().unwrap_or(0.0);
        let floor = if blocked > 0.0 {
            -(1.0 - blocked).max(FLOOR).ln()
        } else {
            0.0
        };
        push(
            format!("issue.{}", issue.name),
            inputs.clone(),
            Tweak::CloseGap(i),
            1.0,
            floor,
        );
        for (j, &(o, _)) in inputs.issues[i].leverage.iter().enumerate() {
            let mut changed = inputs.clone();
            changed.issues[i].leverage[j].1 = 0.0;
            let name = &cast.parties[outside[o]].name;
            push(
                format!("issue.{}.leverage.{name}", issue.name),
                changed,
                Tweak::None,
                1.0,
                0.0,
            );
        }
        for (j, &(o, _)) in inputs.issues[i].pressure.iter().enumerate() {
            let mut changed = inputs.clone();
            changed.issues[i].pressure[j].1 = 0.0;
            let name = &cast.parties[outside[o]].name;
            push(
                format!("issue.{}.pressure.{name}", issue.name),
                changed,
                Tweak::None,
                1.0,
                0.0,
            );
        }
        if inputs.issues[i].concession_drift != 0.0 {
            let mut changed = inputs.clone();
            changed.issues[i].concession_drift = 0.0;
            push(
                format!("issue.{}.concession_drift", issue.name),
                changed,
                Tweak::None,
                1.0,
                0.0,
            );
        }
        if inputs.issues[i].demand_drift != 0.0 {
            let mut changed = inputs.clone();
            changed.issues[i].demand_drift = 0.0;
            push(
                format!("issue.{}.demand_drift", issue.name),
                changed,
                Tweak::None,
                1.0,
                0.0,
            );
        }
    }
    if signatories.len() > 1 {
        for (k, &p) in signatories.iter().enumerate() {
            push(
                format!("party.{}.will", cast.parties[p].name),
                inputs.clone(),
                Tweak::LiftWill(k),
                1.0,
                0.0,
            );
        }
    }
    for (k, &p) in signatories.iter().enumerate() {
        if inputs.hazards[k] > 0.0 {
            let mut changed = inputs.clone();
            changed.hazards[k] = 0.0;
            push(
                format!("party.{}.leader_exit_hazard", cast.parties[p].name),
                changed,
                Tweak::None,
                1.0,
                0.0,
            );
        }
    }
    let mut changed = inputs.clone();
    changed.threshold = 0.0;
    push(
        "process.signing_threshold".into(),
        changed,
        Tweak::None,
        1.0,
        0.0,
    );
    push(
        "process.summit_rate".into(),
        inputs.clone(),
        Tweak::None,
        2.0,
        0.0,
    );
    for (e, event) in scenario.events.iter().enumerate() {
        let mut changed = inputs.clone();
        changed.events[e].timing = match changed.events[e].timing {
            Timing::Dated { first, last, .. } => Timing::Dated {
                first,
                last,
                probability: 0.0,
            },
            Timing::Hazard { first, last, .. } => Timing::Hazard {
                first,
                last,
                hazard: 0.0,
            },
        };
        push(
            format!("event.{}", event.name),
            changed,
            Tweak::None,
            1.0,
            0.0,
        );
    }
    for factor in &mut out {
        factor.observed = if let Some(name) = factor.key.strip_prefix("event.") {
            let e = scenario.events.iter().position(|x| x.name == name);
            e.and_then(|e| diagnostic.without_event.get(e).copied().flatten())
        } else if factor.key.ends_with(".leader_exit_hazard") {
            let k = signatories.iter().position(|&p| {
                factor.key == format!("party.{}.leader_exit_hazard", cast.parties[p].name)
            });
            k.and_then(|k| diagnostic.without_exit.get(k).copied().flatten())
        } else {
            None
        };
    }
    out
}

/// The strength of a change of the probability from `reference` to `changed`: below ½ the
/// log of the ratio of the probabilities, ln(P′/P); from ½ up the log of the ratio of the
/// chances of no treaty, −ln((1 − P′)/(1 − P)). Positive when P rises; each probability clamped
/// to [FLOOR, 1 − FLOOR].
fn strength(changed: f64, reference: f64) -> f64 {
    let clamp = |p: f64| p.clamp(FLOOR, 1.0 - FLOOR);
    let (changed, reference) = (clamp(changed), clamp(reference));
    if reference < 0.5 {
        (changed / reference).ln()
    } else {
        -((1.0 - changed) / (1.0 - reference)).ln()
    }
}

/// A percentage for a sentence: `94%`, `5.1%`, `0.03%`.
pub fn percent(x: f64) -> String {
    let pct = 100.0 * x;
    if pct == 0.0 || pct >= 10.0 {
        format!("{pct:.0}%")
    } else if pct >= 1.0 {
        format!("{pct:.1}%")
    } else {
        format!("{pct:.2}%")
    }
}

/// The three strongest reasons (fewer when fewer factors move the central path), strongest
/// first (see the module's docs for the ranking).
pub fn reasons(
    scenario: &Scenario,
    central: &CentralPath,
    diagnostic: &DiagnosticSummary,
) -> Vec<Reason> {
    let inputs = Inputs::new(scenario);
    let none = vec![false; inputs.issues.len()];
    let mut ranked: Vec<(f64, Factor, Measure)> = factors(scenario, &inputs, diagnostic)
        .into_iter()
        .map(|f| {
            let path = walk(&f.inputs, f.tweak, f.rate_factor, &none).probability;
            let on_path = strength(path, central.probability).max(f.floor);
            let observed = f.observed.map(|p| (strength(p, diagnostic.probability), p));
            match observed {
                Some((s, p)) if s.abs() > on_path.abs() => (s, f, Measure::Trials(p)),
                _ => (on_path, f, Measure::Path(path)),
            }
        })
        .filter(|(s, ..)| s.abs() > 1e-9)
        .collect();
    // Strongest first; ties in the order of the factors (the sort is stable).
    ranked.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    ranked
        .into_iter()
        .take(3)
        .map(|(strength, factor, measure)| Reason {
            text: sentence(scenario, &inputs, central, diagnostic, &factor, measure),
            key: factor.key,
            strength,
        })
        .collect()
}

/// Where a reason's "P without it" comes from.
#[derive(Clone, Copy, Debug)]
enum Measure {
    /// The central path with the factor neutralised.
    Path(f64),
    /// The diagnostic's trials without the event (or the leader's exit).
    Trials(f64),
}

/// The sentence for one reason, naming its key and numbers from the central path and the
/// diagnostic.
fn sentence(
    scenario: &Scenario,
    inputs: &Inputs,
    central: &CentralPath,
    diagnostic: &DiagnosticSummary,
    factor: &Factor,
    measure: Measure,
) -> String {
    let cast = &scenario.cast;
    let first = central.months.first();
    let then = match measure {
        Measure::Path(without) => format!(
            "the central path's P would be {} instead of {}",
            percent(without),
            percent(central.probability)
        ),
        Measure::Trials(without) => format!(
            "P over the trials without it is {} instead of {}",
            percent(without),
            percent(diagnostic.probability)
        ),
    };
    let key = factor.key.as_str();
    match factor.tweak {
        Tweak::CloseGap(i) => {
            let issue = &inputs.issues[i];
            let (d, room) = first.map_or((0.0, 0.0), |m| (m.issues[i].demand, m.issues[i].room));
            let blocking = if issue.dealbreaker {
                format!(
                    "; a dealbreaker, it blocks {} of summit months",
                    percent(diagnostic.blocked_share[i])
                )
            } else {
                String::new()
            };
            format!(
                "{key}'s gap is open in {} of summit months (mean gap {:.2} when open): demand \
                 median {:.2} against room {:.2} on the central path{blocking}; closed \
                 ({key}.concession up or {key}.demand down), {then}",
                percent(diagnostic.open_share[i]),
                diagnostic.mean_gap[i],
                d,
                room
            )
        }
        Tweak::LiftWill(k) => {
            let signatories: Vec<usize> = cast.signatories().collect();
            let others: Vec<String> = signatories
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != k)
                .map(|(j, &p)| {
                    format!("party.{}.will {:.2}", cast.parties[p].name, inputs.wills[j])
                })
                .collect();
            format!(
                "{key} is the lowest will in {} of summit months: median {:.2} against {}; \
                 lifted to the others', {then}",
                percent(diagnostic.lowest_share[k]),
                inputs.wills[k],
                others.join(", ")
            )
        }
        Tweak::None if factor.rate_factor != 1.0 => format!(
            "{key} has median {:.2}: {:.1} summits expected before the deadline, mean p {} at \
             each; doubled, {then}",
            inputs.summit_rate,
            diagnostic.summits,
            percent(diagnostic.mean_p)
        ),
        Tweak::None => {
            if key == "process.signing_threshold" {
                let margin = first.map_or(0.0, |m| m.margin);
                format!(
                    "{key} has median {:.2}: with the gap, the least willing side's margin is \
                     {margin:.1} decision-noise units (s = {:.3}) on the central path; at 0, \
                     {then}",
                    inputs.threshold, inputs.noise
                )
            } else if let Some(name) = key.strip_prefix("event.") {
                let e = scenario
                    .events
                    .iter()
                    .position(|x| x.name == name)
                    .unwrap_or(0);
                let rate = percent(diagnostic.event_rate.get(e).copied().unwrap_or(0.0));
                match measure {
                    Measure::Trials(without) => format!(
                        "{key} fires in {rate} of trials; in the trials without it P is {} \
                         instead of {}",
                        percent(without),
                        percent(diagnostic.probability)
                    ),
                    Measure::Path(_) => {
                        format!("{key} fires in {rate} of trials; without it, {then}")
                    }
                }
            } else if key.ends_with(".leader_exit_hazard") {
                let k = cast
                    .signatories()
                    .position(|p| {
                        key == format!("party.{}.leader_exit_hazard", cast.parties[p].name)
                    })
                    .unwrap_or(0);
                let head = format!(
                    "{key} has median {:.3} a month: the leader leaves in {} of trials (by it \
                     or by events; successor_will median {:.2})",
                    inputs.hazards[k],
                    percent(diagnostic.exit_rate[k]),
                    inputs.successors[k].unwrap_or(f64::NAN)
                );
                match measure {
                    Measure::Trials(stays) => format!(
                        "{head}; in the trials where it stays P is {} instead of {}",
                        percent(stays),
                        percent(diagnostic.probability)
                    ),
                    Measure::Path(_) => format!("{head}; never leaving, {then}"),
                }
            } else {
                let value = cast
                    .id(key)
                    .map_or(f64::NAN, |id| scenario.dist(id).quantile(0.5));
                format!("{key} has median {value:.3}; at 0, {then}")
            }
        }
    }
}

/// Everything `explain` found.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// Part (a).
    pub central: CentralPath,
    /// Part (b).
    pub diagnostic: DiagnosticSummary,
    /// Part (c).
    pub reasons: Vec<Reason>,
    /// Whether each issue is a dealbreaker.
    pub dealbreakers: Vec<bool>,
}

impl Explanation {
    /// Explains `scenario` from its diagnostic tally.
    pub fn new(scenario: &Scenario, tally: &DiagnosticTally) -> Explanation {
        let central = central_path(scenario);
        let diagnostic = DiagnosticSummary::new(tally, scenario.simulation.seed);
        let reasons = reasons(scenario, &central, &diagnostic);
        let dealbreakers = Inputs::new(scenario)
            .issues
            .iter()
            .map(|i| i.dealbreaker)
            .collect();
        Explanation {
            central,
            diagnostic,
            reasons,
            dealbreakers,
        }
    }

    /// The rows of `explain.csv` (without the header), for scenario label `name`.
    pub fn rows(&self, scenario: &Scenario, name: &str) -> Vec<Vec<String>> {
        use crate::export::float;
        let cast = &scenario.cast;
        let start = scenario.simulation.start;
        let signatories: Vec<String> = cast
            .signatories()
            .map(|p| format!("party.{}", cast.parties[p].name))
            .collect();
        let issues: Vec<String> = cast
            .issues
            .iter()
            .map(|i| format!("issue.{}", i.name))
            .collect();
        let events: Vec<String> = scenario
            .events
            .iter()
            .map(|e| format!("event.{}", e.name))
            .collect();
        let mut rows = Vec::new();
        let mut row = |month: Option<Month>, quantity: &str, subject: &str, value: String| {
            rows.push(vec![
                name.to_string(),
                month.map(|m| m.to_string()).unwrap_or_default(),
                quantity.to_string(),
                subject.to_string(),
                value,
            ]);
        };
        for id in cast.ids() {
            row(
                None,
                "median",
                cast.key(id),
                float(scenario.dist(id).quantile(0.5)),
            );
        }
        for (t, m) in self.central.months.iter().enumerate() {
            let month = Some(start.plus(t));
            for (s, w) in signatories.iter().zip(&m.wills) {
                row(month, "central.will", s, float(*w));
            }
            for (s, x) in signatories.iter().zip(&m.exited) {
                row(month, "central.leader_exit_chance", s, float(*x));
            }
            for (s, i) in issues.iter().zip(&m.issues) {
                row(month, "central.concession", s, float(i.concession));
                row(month, "central.demand", s, float(i.demand));
                row(month, "central.room", s, float(i.room));
                row(month, "central.gap", s, float(i.gap));
            }
            for (s, f) in events.iter().zip(&m.fired) {
                row(month, "central.event_chance", s, float(*f));
            }
            row(
                month,
                "central.lowest_will",
                &signatories[m.holder],
                float(m.wills[m.holder]),
            );
            if let Some(i) = m.blocked {
                row(month, "central.blocked_by", &issues[i], "1".into());
            }
            row(month, "central.margin", "", float(m.margin));
            row(month, "central.p", "", float(m.p));
            row(month, "central.summit_rate", "", float(m.summit_rate));
            row(month, "central.q", "", float(m.q));
            row(month, "central.cumulative", "", float(m.cumulative));
        }
        row(
            None,
            "central.probability",
            "",
            float(self.central.probability),
        );
        let d = &self.diagnostic;
        row(None, "diagnostic.trials", "", d.trials.to_string());
        row(None, "diagnostic.seed", "", d.seed.to_string());
        for (i, s) in issues.iter().enumerate() {
            row(None, "diagnostic.gap_open_share", s, float(d.open_share[i]));
            row(None, "diagnostic.mean_open_gap", s, float(d.mean_gap[i]));
            if self.dealbreakers[i] {
                row(
                    None,
                    "diagnostic.blocked_share",
                    s,
                    float(d.blocked_share[i]),
                );
            }
        }
        for (k, s) in signatories.iter().enumerate() {
            row(
                None,
                "diagnostic.lowest_will_share",
                s,
                float(d.lowest_share[k]),
            );
            row(
                None,
                "diagnostic.leader_exit_rate",
                s,
                float(d.exit_rate[k]),
            );
        }
        row(None, "diagnostic.mean_p", "", float(d.mean_p));
        row(None, "diagnostic.expected_summits", "", float(d.summits));
        for (e, s) in events.iter().enumerate() {
            row(None, "diagnostic.event_rate", s, float(d.event_rate[e]));
        }
        let mut cumulative = 0.0;
        for (t, x) in d.in_month.iter().enumerate() {
            cumulative += x;
            let month = Some(start.plus(t));
            row(month, "diagnostic.probability_in_month", "", float(*x));
            row(
                month,
                "diagnostic.cumulative_probability",
                "",
                float(cumulative),
            );
        }
        row(None, "diagnostic.probability", "", float(d.probability));
        for (rank, r) in self.reasons.iter().enumerate() {
            row(None, "reason", &r.key, r.text.clone());
            row(None, "reason_rank", &r.key, (rank + 1).to_string());
            row(None, "reason_strength", &r.key, float(r.strength));
        }
        rows
    }

    /// The report printed on stdout.
    pub fn report(&self, scenario: &Scenario, name: &str) -> String {
        use std::fmt::Write as _;
        let cast = &scenario.cast;
        let start = scenario.simulation.start;
        let mut out = String::new();
        let d = &self.diagnostic;
        let question = scenario
            .question
            .clone()
            .unwrap_or_else(|| format!("a treaty before {}?", scenario.simulation.deadline));
        let _ = writeln!(out, "{name}: {question}");
        let _ = writeln!(
            out,
            "P = {} (95% CI {}–{}; {} trials, seed {}); on the central path {}",
            percent(d.probability),
            percent(d.estimate.ci95_low),
            percent(d.estimate.ci95_high),
            d.trials,
            d.seed,
            percent(self.central.probability)
        );
        let central_p = self.central.mean_p();
        if d.mean_p > 2.0 * central_p || central_p > 2.0 * d.mean_p {
            let _ = writeln!(
                out,
                "The central path is not typical: mean p at a summit is {} over the trials, {} \
                 on the central path, so most of P comes from trials away from the medians.",
                percent(d.mean_p),
                percent(central_p)
            );
        }
        let _ = writeln!(out, "\nWhy:");
        if self.reasons.is_empty() && d.summits == 0.0 {
            // A zero summit rate: doubling it (the rate's factor) moves nothing either.
            let _ = writeln!(
                out,
                "  no summit happens in any trial: process.summit_rate has median {}, 0 summits \
                 are expected before the deadline, and a treaty is signed only at a summit. \
                 Nothing else can move P until the summit rate is above 0",
                crate::export::float(self.central.months.first().map_or(0.0, |m| m.summit_rate))
            );
        } else if self.reasons.is_empty() {
            let _ = writeln!(out, "  nothing in the scenario moves the central path");
        }
        for (rank, r) in self.reasons.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", rank + 1, r.text);
        }
        let signatories: Vec<&str> = cast
            .signatories()
            .map(|p| cast.parties[p].name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "\nCentral path (every parameter at its median, no walk, events at their chance):"
        );
        let columns: Vec<String> = signatories
            .iter()
            .map(|s| format!("W.{s}"))
            .chain(cast.issues.iter().map(|i| format!("gap.{}", i.name)))
            .collect();
        let widths: Vec<usize> = columns.iter().map(|c| c.chars().count().max(6)).collect();
        let mut head = String::from("  month  ");
        for (column, width) in columns.iter().zip(&widths) {
            let _ = write!(head, " {column:>width$}");
        }
        let _ = write!(
            head,
            " {:>7} {:>7} {:>7} {:>7}",
            "margin", "p", "λ·p", "cum."
        );
        let _ = writeln!(out, "{head}");
        for (t, m) in self.central.months.iter().enumerate() {
            let mut line = format!("  {}", start.plus(t));
            let values = m.wills.iter().chain(m.issues.iter().map(|i| &i.gap));
            for (value, width) in values.zip(&widths) {
                let _ = write!(line, " {value:>width$.3}");
            }
            let margin = if m.blocked.is_some() {
                "blocked".to_string()
            } else {
                format!("{:.2}", m.margin)
            };
            let _ = write!(
                line,
                " {margin:>7} {:>7.4} {:>7.4} {:>7.4}",
                m.p, m.q, m.cumulative
            );
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(
            out,
            "\nDiagnostic run ({} trials): {:.1} summits expected, mean p at a summit {}",
            d.trials,
            d.summits,
            percent(d.mean_p)
        );
        for (i, issue) in cast.issues.iter().enumerate() {
            let _ = writeln!(
                out,
                "  issue.{}: gap open in {} of summit months, mean open gap {:.3}{}",
                issue.name,
                percent(d.open_share[i]),
                d.mean_gap[i],
                if self.dealbreakers[i] {
                    format!(", blocks {}", percent(d.blocked_share[i]))
                } else {
                    String::new()
                }
            );
        }
        for (k, s) in signatories.iter().enumerate() {
            let _ = write!(
                out,
                "  party.{s}: lowest will in {} of summit months",
                percent(d.lowest_share[k])
            );
            if d.exit_rate[k] > 0.0 {
                let _ = write!(
                    out,
                    ", leader leaves in {} of trials",
                    percent(d.exit_rate[k])
                );
            }
            let _ = writeln!(out);
        }
        for (e, event) in scenario.events.iter().enumerate() {
            let _ = writeln!(
                out,
                "  event.{}: fires in {} of trials",
                event.name,
                percent(d.event_rate[e])
            );
        }
        let mut by_month = String::from("  P by month:");
        for (t, x) in d.in_month.iter().enumerate() {
            let _ = write!(by_month, " {} {}", start.plus(t), percent(*x));
            if t + 1 < d.in_month.len() {
                by_month.push(',');
            }
        }
        let _ = writeln!(out, "{by_month}");
        out
    }
}
