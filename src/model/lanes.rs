//! The conditional estimator's month loop, [`LANES`] trials side by side (SPEC §10).
//!
//! Each lane is one trial and does exactly what [`Model::simulate`] does for it: the same
//! stream (its own Xoshiro256++, [`rng::process_rng`]), the same draws in the same order, the
//! same floating-point operations, so the two agree to the bit (tested). Only the layout
//! differs: the wills, rates and survivals of 64 trials sit in arrays that one loop walks
//! lane by lane, which the compiler turns into vector instructions (eight doubles a register
//! with AVX-512, four with AVX2). The streams advance together, a lane's only when it draws;
//! the normal draws take the ziggurat's fast path in every lane at once (about 99% of draws)
//! and finish the rare rest lane by lane, exactly as `rand_distr`'s `StandardNormal` would;
//! events fire and shift in every lane at once (shift families other than constants and
//! uniforms are drawn lane by lane), and out-of-range exponents are redone lane by lane.
//!
//! The loop is compiled three times, for AVX-512, AVX2 and plain x86-64, and the fastest the
//! processor has is chosen at run time. Rust never fuses a multiply and an add on its own, so
//! all three give the same bits (tested).

// A lane loop indexes several arrays in step, `for l in 0..LANES`: the form the vectoriser reads
// best, and the clearest one here.
#![allow(clippy::needless_range_loop)]

use super::observe::SummitLanes;
use super::schedule::{Timing, drawn_month};
pub(super) use super::streams::normal_fast_path;
use super::streams::{Streams, walk};
use super::{Estimator, IssueSlots, Model};
use crate::distribution::Sampler;
use crate::fastmath;
use crate::rng;
use crate::tally::quantum;

/// `fn $name(isa: Isa, args…)`: runs the `#[inline(always)]` function `$body` on `args`,
/// compiled for `isa` — inlined into a function with that instruction set's features, `$body`
/// is compiled with them. `isa` must be one this processor has ([`Isa::detect`],
/// [`Isa::available`]); only those are ever constructed.
macro_rules! multiversion {
    ($vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) => $body:ident) => {
        $vis fn $name(isa: Isa, $($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn avx2($($arg: $ty),*) {
                $body($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx512vl")]
            fn avx512($($arg: $ty),*) {
                $body($($arg),*)
            }
            match isa {
                Isa::Baseline => $body($($arg),*),
                // SAFETY: `isa` was found on this processor.
                #[cfg(target_arch = "x86_64")]
                Isa::Avx2 => unsafe { avx2($($arg),*) },
                // SAFETY: `isa` was found on this processor.
                #[cfg(target_arch = "x86_64")]
                Isa::Avx512 => unsafe { avx512($($arg),*) },
            }
        }
    };
}
pub(super) use multiversion;

/// Trials simulated side by side. Eight vectors of eight doubles (AVX-512): wide enough that
/// what a batch does once (seeding, the per-month tests of whether any lane needs the slow
/// path) costs little a trial, and small enough that a batch's months stay in the L1 cache.
/// Measured on the baseline: 8 lanes 2.2 M trials/s on one core, 16 3.0 M, 32 3.5 M, 64 3.75 M,
/// 128 2.4–3.2 M (BENCHMARKS.md).
pub const LANES: usize = 64;

/// One value per lane.
pub(super) type Reals = [f64; LANES];

/// One value per lane, aligned to a cache line: the rows of [`Lanes`] that the month loop
/// reads and writes a vector register at a time every month (a vector that straddles two
/// lines costs two accesses; the allocator aligns a row only to 16 bytes).
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct Row(Reals);

impl std::ops::Deref for Row {
    type Target = Reals;
    #[inline(always)]
    fn deref(&self) -> &Reals {
        &self.0
    }
}

impl std::ops::DerefMut for Row {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Reals {
        &mut self.0
    }
}

/// 2⁻⁵³: a uniform draw is the top 53 bits of the stream's output times this.
const UNIT: f64 = 1.0 / (1u64 << 53) as f64;

/// A uniform draw on [0, 1) from a stream's output, as `rand`'s `StandardUniform` makes it.
#[inline(always)]
pub(super) fn unit(bits: u64) -> f64 {
    UNIT * ((bits >> 11) as f64)
}

/// The results of one batch of [`LANES`] trials, and the batch's working state (allocated
/// once per model shape and reused, so that the month loop allocates nothing).
#[derive(Clone, Debug)]
pub struct Lanes {
    months: usize,
    /// Cumulative probability of a treaty by the end of each month: `cumulative[t][lane]`.
    cumulative: Vec<Row>,
    /// The month of each signatory's change of leader in each lane, `usize::MAX` for none.
    exits: Vec<[usize; LANES]>,
    /// The state, slot by slot (as [`Model`] orders it), each slot an array over the lanes.
    state: Vec<Row>,
    /// Whether each signatory's leader is still in office, lane by lane.
    in_office: Vec<[bool; LANES]>,
    /// The month each event fired in each lane, `usize::MAX` for none.
    events: Vec<[usize; LANES]>,
    /// The month drawn for each event with a drawn month, in each lane.
    drawn: Vec<[usize; LANES]>,
    /// The month each lane's treaty was signed under the indicator estimator, `usize::MAX`
    /// for none (always none under the conditional estimator).
    signed: [usize; LANES],
}

impl Lanes {
    /// Room for batches of `model`.
    pub fn new(model: &Model) -> Lanes {
        let signatories = model.signatories.len();
        Lanes {
            months: model.months,
            cumulative: vec![Row([0.0; LANES]); model.months],
            exits: vec![[usize::MAX; LANES]; signatories],
            state: vec![Row([0.0; LANES]); model.state.len()],
            in_office: vec![[true; LANES]; signatories],
            events: vec![[usize::MAX; LANES]; model.events.len()],
            drawn: vec![[usize::MAX; LANES]; model.schedule.drawn()],
            signed: [usize::MAX; LANES],
        }
    }

    /// Whether it has room for batches of `model`.
    pub fn fits(&self, model: &Model) -> bool {
        self.months == model.months
            && self.state.len() == model.state.len()
            && self.exits.len() == model.signatories.len()
            && self.events.len() == model.events.len()
            && self.drawn.len() == model.schedule.drawn()
    }

    /// Copies lane `lane`'s month of each event's firing (`usize::MAX`: none) into `events`.
    #[inline]
    pub fn copy_events(&self, lane: usize, events: &mut [usize]) {
        for (value, event) in events.iter_mut().zip(&self.events) {
            *value = event[lane];
        }
    }

    /// Copies lane `lane`'s cumulative probabilities by month into `row` (length T).
    #[inline]
    pub fn copy_cumulative(&self, lane: usize, row: &mut [f64]) {
        for (value, month) in row.iter_mut().zip(&self.cumulative) {
            *value = month[lane];
        }
    }

    /// Copies lane `lane`'s month of each signatory's change of leader (`usize::MAX`: none)
    /// into `exits`.
    #[inline]
    pub fn copy_exits(&self, lane: usize, exits: &mut [usize]) {
        for (value, signatory) in exits.iter_mut().zip(&self.exits) {
            *value = signatory[lane];
        }
    }

    /// Lane `lane`'s month of signing under the indicator estimator (`None` when it was not
    /// signed, and always under the conditional estimator).
    #[inline]
    pub fn signed_month(&self, lane: usize) -> Option<usize> {
        Some(self.signed[lane]).filter(|&t| t != usize::MAX)
    }

    /// Each signatory's month of change of leader in each lane (`usize::MAX`: none).
    #[inline]
    pub fn exits(&self) -> &[[usize; LANES]] {
        &self.exits
    }

    /// Each event's month of firing in each lane (`usize::MAX`: none).
    #[inline]
    pub fn events(&self) -> &[[usize; LANES]] {
        &self.events
    }

    /// Each lane's cumulative probability by the end of the last month, the trial's outcome
    /// (0 in a window of no months).
    #[inline]
    pub fn outcome(&self) -> [f64; LANES] {
        self.cumulative.last().map_or([0.0; LANES], |row| row.0)
    }

    /// Adds the first `count` lanes' cumulative probabilities by month, their squares and their
    /// products with the last month's, in the per-trial quanta of [`crate::engine`], to `sum`,
    /// `sum_sq` and `sum_cross` (one entry a month): what adding the trials one at a time would
    /// give, in vector registers.
    pub fn add_sums(
        &self,
        count: usize,
        sum: &mut [u64],
        sum_sq: &mut [u64],
        sum_cross: &mut [u64],
    ) {
        add_sums_on(Isa::detect(), self, count, sum, sum_sq, sum_cross);
    }
}

/// The keys of the batch of trials `first ..`, `count` (1 ‥ [`LANES`]) of them, under `seed`:
/// lane `l` gets [`rng::trial_key`] of trial `first + l`, the idle lanes past `count` repeat the
/// last trial. In vector registers (the keys' 64-bit products need AVX-512 DQ to vectorise).
pub fn trial_keys(seed: u64, first: u64, count: usize, keys: &mut [u64; LANES]) {
    debug_assert!((1..=LANES).contains(&count));
    trial_keys_on(Isa::detect(), seed, first, count, keys);
}

multiversion!(fn trial_keys_on(seed: u64, first: u64, count: usize, keys: &mut [u64; LANES]) => keys_of);

#[inline(always)]
fn keys_of(seed: u64, first: u64, count: usize, keys: &mut [u64; LANES]) {
    let last = count.max(1) - 1;
    for l in 0..LANES {
        keys[l] = rng::trial_key(seed, first + l.min(last) as u64);
    }
}

multiversion!(fn add_sums_on(lanes: &Lanes, count: usize, sum: &mut [u64], sum_sq: &mut [u64], sum_cross: &mut [u64]) => add_sums);

#[inline(always)]
fn add_sums(
    lanes: &Lanes,
    count: usize,
    sum: &mut [u64],
    sum_sq: &mut [u64],
    sum_cross: &mut [u64],
) {
    // Idle lanes (past `count`) add nothing.
    let keep: [u64; LANES] = std::array::from_fn(|l| if l < count { u64::MAX } else { 0 });
    let last = lanes.outcome();
    let sums = sum.iter_mut().zip(sum_sq).zip(sum_cross);
    for (((sum, sum_sq), sum_cross), month) in sums.zip(&lanes.cumulative) {
        let (mut s, mut s2, mut sx) = (0u64, 0u64, 0u64);
        for l in 0..LANES {
            let c = month[l];
            s += quantum(c) & keep[l];
            s2 += quantum(c * c) & keep[l];
            sx += quantum(c * last[l]) & keep[l];
        }
        *sum += s;
        *sum_sq += s2;
        *sum_cross += sx;
    }
}

/// Whether every lane's flag is set, as one vector reduction rather than a branch a lane.
#[inline(always)]
pub(super) fn all(flags: &[bool; LANES]) -> bool {
    flags.iter().fold(true, |all, &f| all & f)
}

/// Whether any lane's flag is set, as one vector reduction rather than a branch a lane.
#[inline(always)]
pub(super) fn any(flags: &[bool; LANES]) -> bool {
    flags.iter().fold(false, |any, &f| any | f)
}

/// The lanes whose flag is not set, as the bits of a word (lane `l` is bit `l`): what a
/// slow path walks with [`each`], a few instructions per eight lanes instead of a test and a
/// branch per lane.
#[inline(always)]
pub(super) fn unset(flags: &[bool; LANES]) -> u64 {
    let mut mask = 0;
    for (c, chunk) in flags.chunks_exact(8).enumerate() {
        // Byte i of the word is flag i, 0 or 1, at bit 8i; the product moves bit 8i to bit
        // 56 + i (the other products' bits all land elsewhere, without carries).
        let word = u64::from_le_bytes(std::array::from_fn(|i| u8::from(chunk[i])));
        let set = word.wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= (!set & 0xff) << (8 * c);
    }
    mask
}

/// Calls `f` with each lane of `mask` (bit `l` set: lane `l`), lowest first.
#[inline(always)]
pub(super) fn each(mut mask: u64, mut f: impl FnMut(usize)) {
    while mask != 0 {
        f(mask.trailing_zeros() as usize);
        mask &= mask - 1;
    }
}

/// [`fastmath::exp`] in every lane: branch-free for all, then redone where out of its range.
#[inline(always)]
pub(super) fn exp(x: &Reals) -> Reals {
    let mut y = [0.0; LANES];
    let mut in_range = [true; LANES];
    for l in 0..LANES {
        y[l] = fastmath::exp_in_range(x[l]);
        in_range[l] = fastmath::exp_in_range_takes(x[l]);
    }
    if !all(&in_range) {
        each(unset(&in_range), |l| y[l] = fastmath::exp(x[l]));
    }
    y
}

/// An event effect's shift in the lanes where the event `fired`, drawn from their streams as
/// [`Sampler::sample`] draws it (the other lanes' streams do not move; their shift is unused).
#[inline(always)]
fn shift_draws(streams: &mut Streams, shift: &Sampler, fired: &[bool; LANES]) -> Reals {
    match *shift {
        Sampler::Constant(c) => [c; LANES],
        Sampler::Uniform { lo, width } => {
            let bits = streams.next_where(fired);
            std::array::from_fn(|l| lo + width * unit(bits[l]))
        }
        _ => {
            let mut shifts = [0.0; LANES];
            for l in 0..LANES {
                if fired[l] {
                    let mut stream = streams.lane(l);
                    shifts[l] = shift.sample(&mut stream);
                    streams.set_lane(l, &stream);
                }
            }
            shifts
        }
    }
}

/// The instruction sets the loops are compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Isa {
    /// Plain x86-64 (SSE2), or any other architecture.
    Baseline,
    /// AVX2: four doubles a register.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// AVX-512 F, DQ and VL: eight doubles a register.
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    /// The widest this processor has.
    pub(super) fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vl")
            {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Baseline
    }

    /// Every set this processor can run, narrowest first.
    #[cfg(test)]
    pub(super) fn available() -> Vec<Isa> {
        let mut all = vec![Isa::Baseline];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                all.push(Isa::Avx2);
            }
            if Isa::detect() == Isa::Avx512 {
                all.push(Isa::Avx512);
            }
        }
        all
    }
}

impl Model {
    /// Draws and simulates [`LANES`] trials under `estimator`, lane `l` being the trial with
    /// key `keys[l]`: its parameters into `draws[i][l]` (parameter by parameter,
    /// [`Model::params`] of them), its results into `out`. Lane for lane the same bits as
    /// [`Model::draw`] and then [`Model::simulate`] with [`rng::process_rng`]`(keys[l])`.
    pub fn trials_lanes(
        &self,
        estimator: Estimator,
        keys: &[u64; LANES],
        draws: &mut [Reals],
        out: &mut Lanes,
    ) {
        let isa = Isa::detect();
        self.draw_lanes_on(isa, keys, draws);
        self.simulate_lanes_on(isa, estimator, keys, draws, out);
    }

    /// [`Model::trials_lanes`], recording into `watch` what step 4 of every month saw in each
    /// lane (what an [`super::Observer`] of [`Model::simulate_observed`] is told, to the bit).
    /// The loop is compiled apart from the one of ordinary runs, which record nothing.
    pub fn trials_lanes_watched(
        &self,
        keys: &[u64; LANES],
        draws: &mut [Reals],
        out: &mut Lanes,
        watch: &mut SummitLanes,
    ) {
        let isa = Isa::detect();
        self.draw_lanes_on(isa, keys, draws);
        self.simulate_lanes_watched_on(isa, keys, draws, out, watch);
    }

    /// The month loop of [`Model::trials_lanes_watched`] for given draws, on `isa`.
    pub(super) fn simulate_lanes_watched_on(
        &self,
        isa: Isa,
        keys: &[u64; LANES],
        draws: &[Reals],
        out: &mut Lanes,
        watch: &mut SummitLanes,
    ) {
        debug_assert!(watch.months() == self.months && watch.issues == self.issues.len());
        watched_on(isa, self, keys, draws, out, watch);
    }

    /// [`Model::draw`] for the [`LANES`] trials with keys `keys`: parameter `i` of lane `l` into
    /// `draws[i][l]`, the same bits as one trial at a time.
    pub fn draw_lanes(&self, keys: &[u64; LANES], draws: &mut [[f64; LANES]]) {
        self.draw_lanes_on(Isa::detect(), keys, draws);
    }

    /// The month loop of [`LANES`] trials under `estimator` with the given draws (parameter by
    /// parameter, as [`Model::draw_lanes`] writes them), lane `l` drawing its walk, events,
    /// changes of leader and (indicator) summits and decisions from
    /// [`rng::process_rng`]`(keys[l])`: lane for lane the same bits as [`Model::simulate`].
    /// The draws and the stream need not come from one key: sensitivity runs a trial's month
    /// loop on another trial's parameters, and the other way round.
    pub fn simulate_lanes(
        &self,
        estimator: Estimator,
        keys: &[u64; LANES],
        draws: &[[f64; LANES]],
        out: &mut Lanes,
    ) {
        self.simulate_lanes_on(Isa::detect(), estimator, keys, draws, out);
    }

    /// The month loop of [`Model::trials_lanes`] for given draws, on `isa`.
    pub(super) fn simulate_lanes_on(
        &self,
        isa: Isa,
        estimator: Estimator,
        keys: &[u64; LANES],
        draws: &[Reals],
        out: &mut Lanes,
    ) {
        match estimator {
            Estimator::Conditional => lanes_on(isa, self, keys, draws, out),
            Estimator::Indicator => indicator_on(isa, self, keys, draws, out),
        }
    }

    /// [`Model::signing_bar`] in every lane for month `t`, the same operations in the same
    /// order lane by lane, in vector registers.
    #[inline(always)]
    fn signing_bars(&self, draws: &[Reals], state: &[Row], t: f64) -> Reals {
        let mut gap = [0.0; LANES];
        let mut blocked = [false; LANES];
        for issue in &self.issues {
            let (demand, room) = issue_lanes(issue, draws, state, t);
            for lane in 0..LANES {
                gap[lane] += (demand[lane] - room[lane]).max(0.0);
                blocked[lane] |= issue.dealbreaker & (demand[lane] > room[lane]);
            }
        }
        let threshold = &draws[self.threshold];
        std::array::from_fn(|lane| {
            if blocked[lane] {
                f64::INFINITY
            } else {
                threshold[lane] + gap[lane]
            }
        })
    }
}

/// Issue `issue`'s d_I = clamp(D_I + δD_I·t) and room_I (clamped) in month `t` in every lane:
/// [`Model::terms`], the same operations in the same order lane by lane.
#[inline(always)]
fn issue_lanes(issue: &IssueSlots, draws: &[Reals], state: &[Row], t: f64) -> (Reals, Reals) {
    let mut concession = state[issue.concession].0;
    let mut demand = state[issue.demand].0;
    if let Some(drift) = issue.concession_drift {
        let drift = &draws[drift];
        for lane in 0..LANES {
            concession[lane] = (concession[lane] + drift[lane] * t).clamp(0.0, 1.0);
        }
    }
    if let Some(drift) = issue.demand_drift {
        let drift = &draws[drift];
        for lane in 0..LANES {
            demand[lane] = (demand[lane] + drift[lane] * t).clamp(0.0, 1.0);
        }
    }
    let mut room = concession;
    for &(indifference, leverage) in &issue.leverage {
        let (u, l) = (&state[indifference], &draws[leverage]);
        for lane in 0..LANES {
            room[lane] += l[lane] * u[lane];
        }
    }
    for &(indifference, pressure) in &issue.pressure {
        let (u, k) = (&state[indifference], &draws[pressure]);
        for lane in 0..LANES {
            room[lane] -= k[lane] * (1.0 - u[lane]);
        }
    }
    for lane in 0..LANES {
        room[lane] = room[lane].clamp(0.0, 1.0);
    }
    (demand, room)
}

multiversion!(fn lanes_on(
    model: &Model,
    keys: &[u64; LANES],
    draws: &[Reals],
    out: &mut Lanes,
) => unwatched);

multiversion!(fn watched_on(
    model: &Model,
    keys: &[u64; LANES],
    draws: &[Reals],
    out: &mut Lanes,
    watch: &mut SummitLanes,
) => watched);

multiversion!(fn indicator_on(
    model: &Model,
    keys: &[u64; LANES],
    draws: &[Reals],
    out: &mut Lanes,
) => indicator);

/// The loop of ordinary runs: nothing recorded (`None` is a constant once inlined, so the
/// recording code is not compiled in).
#[inline(always)]
fn unwatched(model: &Model, keys: &[u64; LANES], draws: &[Reals], out: &mut Lanes) {
    lanes::<true>(model, keys, draws, out, None);
}

/// The loop of ordinary runs under the indicator estimator.
#[inline(always)]
fn indicator(model: &Model, keys: &[u64; LANES], draws: &[Reals], out: &mut Lanes) {
    lanes::<false>(model, keys, draws, out, None);
}

/// The loop of [`Model::trials_lanes_watched`].
#[inline(always)]
fn watched(
    model: &Model,
    keys: &[u64; LANES],
    draws: &[Reals],
    out: &mut Lanes,
    watch: &mut SummitLanes,
) {
    lanes::<true>(model, keys, draws, out, Some(watch));
}

/// What step 4 of month `t` sees in every lane, into `watch` ([`SummitLanes`]): `will` is
/// min_P W_P, `e` the exponential of p = 1/(1 + e), `survival` S_t before the summit. The
/// issues' terms are computed afresh, as the scalar loop's observer has them.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn watch_summit(
    model: &Model,
    t: usize,
    draws: &[Reals],
    state: &[Row],
    will: &Reals,
    e: &Reals,
    survival: &Reals,
    watch: &mut SummitLanes,
) {
    let issues = model.issues.len();
    let mut blocked = [usize::MAX; LANES];
    for (i, issue) in model.issues.iter().enumerate() {
        let (demand, room) = issue_lanes(issue, draws, state, t as f64);
        let gap = &mut watch.gap[t * issues + i];
        for l in 0..LANES {
            gap[l] = (demand[l] - room[l]).max(0.0);
            let first = issue.dealbreaker & (demand[l] > room[l]) & (blocked[l] == usize::MAX);
            blocked[l] = if first { i } else { blocked[l] };
        }
    }
    // The first signatory holding the least will: the last match, walking backwards.
    let mut holder = [0; LANES];
    for k in (0..model.signatories.len()).rev() {
        let w = &state[k];
        for l in 0..LANES {
            holder[l] = if w[l] == will[l] { k } else { holder[l] };
        }
    }
    watch.blocked[t] = blocked;
    watch.holder[t] = holder;
    watch.survival[t] = *survival;
    watch.rate[t] = state[model.summit_rate].0;
    watch.p[t] = std::array::from_fn(|l| 1.0 / (1.0 + e[l]));
}

/// The month loop of [`Model::simulate`], lane by lane, under the conditional estimator (and
/// then recording step 4 into `watch` when there is one) or the indicator one. Steps are
/// numbered as in SPEC §4.
///
/// Under the indicator estimator a lane whose treaty is signed has ended, as the scalar loop
/// returns: its stream may still move with the others', but nothing more is recorded for it
/// (no event fires, no leader leaves, its cumulative stays 1), so its results are the scalar
/// loop's to the bit.
#[inline(always)]
fn lanes<const CONDITIONAL: bool>(
    model: &Model,
    keys: &[u64; LANES],
    draws: &[Reals],
    out: &mut Lanes,
    mut watch: Option<&mut SummitLanes>,
) {
    debug_assert!(out.fits(model) && draws.len() == model.params());
    let Lanes {
        cumulative: by_month,
        exits,
        state,
        in_office,
        events: fired,
        drawn,
        signed,
        ..
    } = out;
    for (slot, &param) in state.iter_mut().zip(&model.state) {
        slot.0 = draws[param];
    }
    for (office, exit) in in_office.iter_mut().zip(exits.iter_mut()) {
        *office = [true; LANES];
        *exit = [usize::MAX; LANES];
    }
    for event in fired.iter_mut() {
        *event = [usize::MAX; LANES];
    }
    *signed = [usize::MAX; LANES];
    // Lanes not yet signed (indicator): all of them under the conditional estimator.
    let mut open = [true; LANES];
    let mut streams = Streams::new(keys);
    // The months of events drawn from their windows, once per trial, before month 0.
    for (month, &e) in drawn.iter_mut().zip(model.schedule.drawn_events()) {
        if let Timing::Drawn { first, span, .. } = model.events[e].timing {
            let bits = streams.next();
            for l in 0..LANES {
                month[l] = drawn_month(first, span, unit(bits[l]), model.months);
            }
        }
    }
    let wills = model.signatories.len();
    let volatility = &draws[model.volatility];
    let noise = &draws[model.noise];
    let inverse_noise: Reals = std::array::from_fn(|l| 1.0 / noise[l]);
    let mut bar = model.signing_bars(draws, state, 0.0);
    let mut survival = [1.0; LANES];
    for t in 0..by_month.len() {
        // 1. Random walk of every signatory's will.
        if t > 0 {
            for will in &mut state[..wills] {
                walk(&mut streams, &mut will.0, volatility);
            }
        }
        // 2. This month's due events, in declaration order: every lane where one is due draws
        // whether it fires, and the lanes where it fires lose the leaders it names and draw
        // its shifts.
        for &e in model.schedule.month(t) {
            let e = e as usize;
            let event = &model.events[e];
            let (bits, due) = match event.timing {
                Timing::Drawn { slot, .. } => {
                    let due: [bool; LANES] = std::array::from_fn(|l| drawn[slot][l] == t);
                    if !any(&due) {
                        continue;
                    }
                    (streams.next_where(&due), due)
                }
                Timing::Fixed | Timing::Hazard => (streams.next(), [true; LANES]),
            };
            let mut fires: [bool; LANES] = std::array::from_fn(|l| {
                due[l] & (unit(bits[l]) < event.chance) & (fired[e][l] == usize::MAX) & open[l]
            });
            for &r in &event.requires {
                for l in 0..LANES {
                    fires[l] &= fired[r][l] != usize::MAX;
                }
            }
            for &x in &event.excludes {
                for l in 0..LANES {
                    fires[l] &= fired[x][l] == usize::MAX;
                }
            }
            if !any(&fires) {
                continue;
            }
            for l in 0..LANES {
                fired[e][l] = if fires[l] { t } else { fired[e][l] };
            }
            for &k in &event.leader_exit {
                if let Some(successor) = model.signatories[k].successor {
                    let (will, office, exit) = (&mut state[k].0, &mut in_office[k], &mut exits[k]);
                    leave(t, &fires, will, &draws[successor], office, exit);
                }
            }
            for (slot, shift) in &event.effects {
                let shifts = shift_draws(&mut streams, shift, &fires);
                let values = &mut state[*slot];
                for l in 0..LANES {
                    let shifted = (values[l] + shifts[l]).clamp(0.0, 1.0);
                    values[l] = if fires[l] { shifted } else { values[l] };
                }
            }
            let bars = model.signing_bars(draws, state, t as f64);
            for l in 0..LANES {
                bar[l] = if fires[l] { bars[l] } else { bar[l] };
            }
        }
        // 3. At most one change of leader for each signatory: only lanes still in office draw.
        for (k, signatory) in model.signatories.iter().enumerate() {
            if let (Some(hazard), Some(successor)) = (signatory.hazard, signatory.successor)
                && any(&in_office[k])
            {
                let bits = streams.next_where(&in_office[k]);
                let hazard = &draws[hazard];
                let leaves: [bool; LANES] =
                    std::array::from_fn(|l| (unit(bits[l]) < hazard[l]) & open[l]);
                let (will, office, exit) = (&mut state[k].0, &mut in_office[k], &mut exits[k]);
                leave(t, &leaves, will, &draws[successor], office, exit);
            }
        }
        // 4. The summit, replaced by its probability: q = λ·p, S ← S·(1 − q).
        if model.drifting {
            bar = model.signing_bars(draws, state, t as f64);
        }
        // min over the signatories (∞.min(w) = w exactly, and no copy of a whole slot).
        let mut will = [f64::INFINITY; LANES];
        for other in &state[..wills] {
            for l in 0..LANES {
                will[l] = will[l].min(other[l]);
            }
        }
        let x: Reals = std::array::from_fn(|l| (bar[l] - will[l]) * inverse_noise[l]);
        let rate = &state[model.summit_rate];
        if CONDITIONAL {
            let e = exp(&x);
            if let Some(watch) = watch.as_deref_mut() {
                watch_summit(model, t, draws, state, &will, &e, &survival, watch);
            }
            let cumulative = &mut by_month[t];
            for l in 0..LANES {
                let q = rate[l] * (1.0 / (1.0 + e[l]));
                let q = if rate[l] > 0.0 { q } else { 0.0 };
                survival[l] *= 1.0 - q;
                cumulative[l] = 1.0 - survival[l];
            }
        } else {
            // A summit with probability λ, then the treaty with probability p: the second
            // draw only where there is a summit, as the scalar loop's `&&`.
            let bits = streams.next_where(&open);
            let summit: [bool; LANES] =
                std::array::from_fn(|l| open[l] & (unit(bits[l]) < rate[l]));
            if any(&summit) {
                let e = exp(&x);
                let bits = streams.next_where(&summit);
                for l in 0..LANES {
                    let signs = summit[l] & (unit(bits[l]) < 1.0 / (1.0 + e[l]));
                    signed[l] = if signs { t } else { signed[l] };
                    open[l] &= !signs;
                }
            }
            let cumulative = &mut by_month[t];
            for l in 0..LANES {
                cumulative[l] = if open[l] { 0.0 } else { 1.0 };
            }
            // Every trial of the batch has ended: the rest of its months are signed.
            if !any(&open) {
                for cumulative in &mut by_month[t + 1..] {
                    cumulative.0 = [1.0; LANES];
                }
                break;
            }
        }
    }
}

/// A signatory's leader leaves in the lanes where `leaves` is set and it is still in office:
/// its will becomes S_P, its exit month is `t`.
#[inline(always)]
fn leave(
    t: usize,
    leaves: &[bool; LANES],
    will: &mut Reals,
    successor: &Reals,
    office: &mut [bool; LANES],
    exit: &mut [usize; LANES],
) {
    for l in 0..LANES {
        let leaving = leaves[l] & office[l];
        will[l] = if leaving { successor[l] } else { will[l] };
        exit[l] = if leaving { t } else { exit[l] };
        office[l] &= !leaving;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::distribution::standard_normal;
    use crate::model::Estimator;
    use crate::model::streams::normals;
    use crate::model::ziggurat;

    /// The lanes' normals are `rand_distr`'s `StandardNormal` on each lane's stream, slow paths
    /// and tail included.
    #[test]
    fn normals_are_rand_distr_standard_normal() {
        let keys: [u64; LANES] = std::array::from_fn(|l| rng::trial_key(99, l as u64));
        let mut streams = Streams::new(&keys);
        let mut references = keys.map(rng::process_rng);
        let mut tails = 0;
        for _ in 0..200_000 {
            let z = normals(&mut streams);
            for l in 0..LANES {
                assert_eq!(
                    z[l].to_bits(),
                    standard_normal(&mut references[l]).to_bits()
                );
                tails += usize::from(z[l].abs() > ziggurat::R);
            }
        }
        assert!(tails > 100, "the tail was reached {tails} times");
        for l in 0..LANES {
            assert_eq!(streams.lane(l), references[l]);
        }
        let fresh = Streams::new(&keys);
        for l in 0..LANES {
            assert_eq!(fresh.lane(l), rng::process_rng(keys[l]));
        }
    }

    /// [`unset`] has bit `l` exactly where flag `l` is not set, and [`each`] visits those
    /// lanes in order.
    #[test]
    fn unset_and_each_walk_the_unset_lanes() {
        let mut state = 12345u64;
        for round in 0..1000 {
            let flags: [bool; LANES] = std::array::from_fn(|_| {
                state = rng::mix(state.wrapping_add(rng::GOLDEN_GAMMA));
                // Mostly set, as on a fast path, then mostly unset.
                !state.is_multiple_of(16) ^ (round >= 500)
            });
            let mask = unset(&flags);
            let mut seen = Vec::new();
            each(mask, |l| seen.push(l));
            let expected: Vec<usize> = (0..LANES).filter(|&l| !flags[l]).collect();
            assert_eq!(seen, expected);
        }
        assert_eq!(unset(&[true; LANES]), 0);
        assert_eq!(unset(&[false; LANES]), u64::MAX);
    }

    fn model(text: &str) -> Model {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(dir.path().join("lanes.toml"), text).expect("scenario written");
        let scenario = crate::scenario::Catalog::new(dir.path())
            .load("lanes", &[])
            .expect("valid scenario");
        Model::new(&scenario)
    }

    /// A general scenario for the bit-for-bit tests: three signatories (two can change
    /// leader, one by hazard and event, one by event only), two issues, two outside parties,
    /// events of every shift kind, λ clamped to 0, s small enough for exp to leave its range.
    pub(crate) const GENERAL: &str = r#"
        [simulation]
        start = "2020-01"
        deadline = "2021-09"
        [party.a]
        will = "beta(6, 3)"
        leader_exit_hazard = "uniform(0, 0.2)"
        successor_will = "beta(2, 5)"
        [party.o]
        role = "outside"
        indifference = "uniform(0.2, 0.8)"
        [party.b]
        will = "beta(2.5, 6.5)"
        successor_will = 0.3
        [party.c]
        will = "0.3 to 0.9"
        [party.p]
        role = "outside"
        indifference = "beta(2, 2)"
        [issue.x]
        concedes = "a"
        demands = "b"
        concession = "0.05 to 0.3"
        demand = "pert(0.45, 0.7, 0.95)"
        leverage = { o = 0.2, p = "uniform(0, 0.4)" }
        [issue.y]
        concedes = "c"
        demands = "a"
        concession = "uniform(0.2, 0.6)"
        demand = "uniform(0.1, 0.5)"
        [process]
        summit_rate = "uniform(0, 0.5)"
        will_volatility = "0.02 to 0.3"
        signing_threshold = "0.05 to 0.25"
        decision_noise = "lognormal(-6, 2)"
        [[event]]
        name = "e1"
        month = "2020-01"
        probability = 0.5
        effects = { "party.b.will" = -0.05, "process.summit_rate" = "uniform(-0.6, 0.3)" }
        [[event]]
        name = "e2"
        month = "2020-04"
        probability = 0.3
        effects = { "issue.x.demand" = "uniform(0, 0.05)", "party.p.indifference" = 0.2 }
        leader_exit = ["b"]
        [[event]]
        name = "e3"
        month = "2020-04"
        probability = 0.7
        effects = { "party.a.will" = "normal(0, 0.3)" }
        leader_exit = ["a", "b"]
        "#;

    /// Records what the scalar loop's observer is told, as [`SummitLanes`] keeps it: (S_t, λ,
    /// p, holder, blocked, every issue's gap) each month, S_t carried as an observer of the
    /// conditional estimator carries it.
    struct Told {
        survival: f64,
        months: Vec<ToldMonth>,
    }

    /// The bits of S_t, λ and p, the holder, the blocking dealbreaker, the bits of each gap.
    type ToldMonth = (u64, u64, u64, usize, Option<usize>, Vec<u64>);

    impl crate::model::Observer for Told {
        const SUMMITS: bool = true;
        fn summit(&mut self, view: &crate::model::SummitView<'_>) {
            self.months.push((
                self.survival.to_bits(),
                view.rate.to_bits(),
                view.p.to_bits(),
                view.holder,
                view.blocked,
                view.issues.iter().map(|i| i.gap.to_bits()).collect(),
            ));
            let q = if view.rate > 0.0 {
                view.rate * view.p
            } else {
                0.0
            };
            self.survival *= 1.0 - q;
        }
    }

    /// The watched lane loop ([`Model::trials_lanes_watched`], `explain`'s) records, lane by
    /// lane, what an observer of the scalar loop is told, to the bit, and gives the same
    /// results, on every instruction set here, on [`GENERAL`] and on the scenario with every
    /// model-3 feature (a dealbreaker that blocks, drifts, pressure).
    #[test]
    fn watched_lanes_record_what_the_scalar_observer_is_told() {
        let (mut blocked, mut holders) = (0, [0; 3]);
        for (text, trials) in [
            (GENERAL, 1024),
            (include_str!("../../bench/scenarios/model3.toml"), 2048),
        ] {
            let model = model(text);
            let (months, n) = (model.months(), model.params());
            let mut reference = vec![0.0; months];
            let mut row = vec![0.0; months];
            let mut trial = crate::model::Trial::new(&model);
            let mut scalar = vec![0.0; n];
            for isa in Isa::available() {
                let mut out = Lanes::new(&model);
                let mut watch = SummitLanes::new(&model);
                let mut draws = vec![[0.0; LANES]; n];
                for batch in 0..(trials / LANES) as u64 {
                    let keys: [u64; LANES] =
                        std::array::from_fn(|l| rng::trial_key(3, batch * LANES as u64 + l as u64));
                    model.draw_lanes_on(isa, &keys, &mut draws);
                    model.simulate_lanes_watched_on(isa, &keys, &draws, &mut out, &mut watch);
                    for l in 0..LANES {
                        model.draw(keys[l], &mut scalar);
                        let mut told = Told {
                            survival: 1.0,
                            months: Vec::new(),
                        };
                        model.simulate_observed(
                            &scalar,
                            &mut rng::process_rng(keys[l]),
                            Estimator::Conditional,
                            &mut reference,
                            &mut trial,
                            &mut told,
                        );
                        out.copy_cumulative(l, &mut row);
                        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                        assert_eq!(bits(&row), bits(&reference), "{isa:?} {batch} {l}");
                        assert_eq!(told.months.len(), months);
                        for (t, expected) in told.months.iter().enumerate() {
                            let seen = watch.summit(t, l);
                            let gaps: Vec<u64> = (0..model.issues())
                                .map(|i| watch.gap(t, i, l).to_bits())
                                .collect();
                            let seen = (
                                seen.survival.to_bits(),
                                seen.rate.to_bits(),
                                seen.p.to_bits(),
                                seen.holder,
                                seen.blocked,
                                gaps,
                            );
                            assert_eq!(&seen, expected, "{isa:?} batch {batch} lane {l} month {t}");
                            blocked += usize::from(expected.4.is_some());
                            holders[expected.3.min(2)] += 1;
                        }
                    }
                }
            }
        }
        // The cases compared were reached: blocking dealbreakers, and more than one holder.
        assert!(blocked > 1000, "{blocked} blocked months");
        assert!(holders[0] > 1000 && holders[1] > 1000, "{holders:?}");
    }

    /// Every lane equals the scalar month loop to the bit, on every instruction set here and
    /// under both estimators: on [`GENERAL`], and on the scenario with every model-3 feature
    /// (pressure, a dealbreaker, drifts, hazard and windowed events, requires and excludes).
    /// Under the indicator estimator the signing month is compared too, and the events and
    /// exits of a signed trial stop at its signing.
    #[test]
    fn lanes_equal_the_scalar_loop() {
        for estimator in [Estimator::Conditional, Estimator::Indicator] {
            lanes_equal_the_scalar_loop_on(GENERAL, 4000, estimator);
            lanes_equal_the_scalar_loop_on(
                include_str!("../../bench/scenarios/model3.toml"),
                8000,
                estimator,
            );
        }
    }

    /// Under the indicator estimator, a batch whose every trial signs early ends the month loop
    /// early: the months after are all signed, as the scalar loop fills them.
    #[test]
    fn indicator_lanes_that_all_sign_early_equal_the_scalar_loop() {
        // Summits every month, p about 1 - e^-20, and a walk that draws normals after signing.
        let certain = r#"
            [simulation]
            start = "2020-01"
            deadline = "2021-09"
            [party.a]
            will = "uniform(0.9, 1)"
            [party.b]
            will = 1
            [issue.x]
            concedes = "a"
            demands = "b"
            concession = 1
            demand = 0
            [process]
            summit_rate = "uniform(0.5, 1)"
            will_volatility = 0.01
            signing_threshold = 0.6
            decision_noise = 0.01
        "#;
        let signed = lanes_equal_the_scalar_loop_on(certain, 2048, Estimator::Indicator);
        assert_eq!(signed, 2048 * Isa::available().len());
    }

    /// Compares the lanes with the scalar loop on `trials` trials of `text`; returns how many
    /// signed under the indicator estimator.
    fn lanes_equal_the_scalar_loop_on(text: &str, trials: usize, estimator: Estimator) -> usize {
        let model = model(text);
        let months = model.months();
        let n = model.params();
        let mut row = vec![0.0; months];
        let mut reference = vec![0.0; months];
        let mut trial = crate::model::Trial::new(&model);
        let mut exits = vec![0; model.signatories()];
        let mut events = vec![0; model.events()];
        let (mut left, mut fired, mut signed) = (0, 0, 0);
        for isa in Isa::available() {
            let mut out = Lanes::new(&model);
            let mut draws = vec![[0.0; LANES]; n];
            let mut rows = vec![vec![0.0; n]; LANES];
            for batch in 0..(trials / LANES) as u64 {
                let keys: [u64; LANES] =
                    std::array::from_fn(|l| rng::trial_key(7, batch * LANES as u64 + l as u64));
                for l in 0..LANES {
                    model.draw(keys[l], &mut rows[l]);
                    for i in 0..n {
                        draws[i][l] = rows[l][i];
                    }
                }
                model.simulate_lanes_on(isa, estimator, &keys, &draws, &mut out);
                for l in 0..LANES {
                    model.simulate(
                        &rows[l],
                        &mut rng::process_rng(keys[l]),
                        estimator,
                        &mut reference,
                        &mut trial,
                    );
                    assert_eq!(
                        out.signed_month(l),
                        trial.signed_month,
                        "{isa:?} {batch} {l}"
                    );
                    signed += usize::from(trial.signed_month.is_some());
                    out.copy_cumulative(l, &mut row);
                    out.copy_exits(l, &mut exits);
                    out.copy_events(l, &mut events);
                    assert_eq!(exits, trial.exits, "{isa:?} batch {batch} lane {l}");
                    assert_eq!(events, trial.events, "{isa:?} batch {batch} lane {l}");
                    left += exits.iter().filter(|e| **e != usize::MAX).count();
                    fired += events.iter().filter(|e| **e != usize::MAX).count();
                    for t in 0..months {
                        assert_eq!(
                            row[t].to_bits(),
                            reference[t].to_bits(),
                            "{isa:?} batch {batch} lane {l} month {t}"
                        );
                    }
                }
            }
        }
        if estimator == Estimator::Conditional || trials >= 4000 {
            assert!(left > 1000, "leaders left {left} times");
            assert!(fired > 1000, "events fired {fired} times");
        }
        if estimator == Estimator::Indicator && trials >= 4000 {
            assert!(signed > 100, "{signed} signed");
        }
        signed
    }
}
