//! The month loop of one trial (SPEC §4), generic over its [`Observer`]. Steps are numbered as
//! in the SPEC.

use super::schedule::{Timing, drawn_month};
use super::{IssueSlots, IssueView, Model, Observer, SummitView, Trial, signing_probability};
use crate::distribution::{standard_normal, uniform};
use rand::Rng;

impl Model {
    /// Issue I's c_I = clamp(C_I + δC_I·t), d_I = clamp(D_I + δD_I·t) and
    /// room_I = clamp(c_I + Σ_O L_{I,O}·U_O − Σ_O K_{I,O}·(1 − U_O)) in month `t`. `draw`
    /// gives a trial's draws by index, `state` its state by slot. Without drift or pressure,
    /// the operations of 0.2 (whose room, never negative, was only capped at 1).
    #[inline(always)]
    pub(super) fn terms(
        issue: &IssueSlots,
        draw: &impl Fn(usize) -> f64,
        state: &impl Fn(usize) -> f64,
        t: f64,
    ) -> (f64, f64, f64) {
        let mut concession = state(issue.concession);
        let mut demand = state(issue.demand);
        if let Some(drift) = issue.concession_drift {
            concession = (concession + draw(drift) * t).clamp(0.0, 1.0);
        }
        if let Some(drift) = issue.demand_drift {
            demand = (demand + draw(drift) * t).clamp(0.0, 1.0);
        }
        let mut room = concession;
        for &(indifference, leverage) in &issue.leverage {
            room += draw(leverage) * state(indifference);
        }
        for &(indifference, pressure) in &issue.pressure {
            room -= draw(pressure) * (1.0 - state(indifference));
        }
        (concession, demand, room.clamp(0.0, 1.0))
    }

    /// The bar θ + gap that the least willing signatory's will must clear at a summit in month
    /// `t`, with gap = Σ_I max(0, d_I − room_I); infinite (so p = 0) while a dealbreaker issue
    /// has d_I > room_I. Only events change it, and the month when an issue drifts.
    #[inline(always)]
    pub(super) fn signing_bar(
        &self,
        draw: impl Fn(usize) -> f64,
        state: impl Fn(usize) -> f64,
        t: f64,
    ) -> f64 {
        let mut gap = 0.0;
        let mut blocked = false;
        for issue in &self.issues {
            let (_, demand, room) = Self::terms(issue, &draw, &state, t);
            gap += (demand - room).max(0.0);
            blocked |= issue.dealbreaker & (demand > room);
        }
        if blocked {
            f64::INFINITY
        } else {
            draw(self.threshold) + gap
        }
    }

    /// The month loop of [`Model::simulate`], compiled once per estimator and observer so
    /// that the hot loop carries no estimator test and, unobserved, no observer.
    #[inline(always)]
    pub(super) fn walk<R: Rng + ?Sized, O: Observer, const CONDITIONAL: bool>(
        &self,
        draws: &[f64],
        rng: &mut R,
        cumulative: &mut [f64],
        trial: &mut Trial,
        observer: &mut O,
    ) {
        let Trial {
            state,
            in_office,
            exits,
            signed_month,
            events: fired,
            drawn,
            views,
        } = trial;
        for (value, &param) in state.iter_mut().zip(&self.state) {
            *value = draws[param];
        }
        in_office.fill(true);
        exits.fill(usize::MAX);
        fired.fill(usize::MAX);
        *signed_month = None;
        let months = self.months.min(cumulative.len());
        // The months of events drawn from their windows, once per trial, before month 0.
        for (month, &e) in drawn.iter_mut().zip(self.schedule.drawn_events()) {
            if let Timing::Drawn { first, span, .. } = self.events[e].timing {
                *month = drawn_month(first, span, uniform(rng), self.months);
            }
        }
        let wills = self.signatories.len();
        let volatility = draws[self.volatility];
        // −(will − θ − gap)/s is computed as (θ + gap − will) · (1/s): one division per trial
        // instead of one a month.
        let inverse_noise = 1.0 / draws[self.noise];
        // Without drift the gap depends on the issues' C, D and the outside parties' U, which
        // only events change: the bar θ + gap is computed once, and again after an event fires.
        let mut bar = self.signing_bar(|i| draws[i], |s| state[s], 0.0);
        let mut survival = 1.0;
        let cumulative = &mut cumulative[..months];
        for t in 0..months {
            // 1. Random walk of every signatory's will.
            if t > 0 {
                for will in &mut state[..wills] {
                    *will = (*will + volatility * standard_normal(rng)).clamp(0.0, 1.0);
                }
            }
            // 2. This month's due events, in declaration order.
            for &e in self.schedule.month(t) {
                let e = e as usize;
                let event = &self.events[e];
                if let Timing::Drawn { slot, .. } = event.timing
                    && drawn[slot] != t
                {
                    continue;
                }
                if uniform(rng) < event.chance
                    && fired[e] == usize::MAX
                    && event.allowed(fired.as_slice())
                {
                    fired[e] = t;
                    observer.event(e, t);
                    for &k in &event.leader_exit {
                        if in_office[k] {
                            in_office[k] = false;
                            exits[k] = t;
                            state[k] = self.successor(draws, k, state[k]);
                            observer.leader_exit(k, t);
                        }
                    }
                    for (slot, shift) in &event.effects {
                        state[*slot] = (state[*slot] + shift.sample(rng)).clamp(0.0, 1.0);
                    }
                    bar = self.signing_bar(|i| draws[i], |s| state[s], t as f64);
                }
            }
            // 3. At most one change of leader for each signatory.
            for (k, signatory) in self.signatories.iter().enumerate() {
                if let Some(hazard) = signatory.hazard
                    && in_office[k]
                    && uniform(rng) < draws[hazard]
                {
                    in_office[k] = false;
                    exits[k] = t;
                    state[k] = self.successor(draws, k, state[k]);
                    observer.leader_exit(k, t);
                }
            }
            // 4. A summit, and the signing decision.
            if self.drifting {
                bar = self.signing_bar(|i| draws[i], |s| state[s], t as f64);
            }
            let will = state[..wills].iter().fold(f64::INFINITY, |m, w| m.min(*w));
            let rate = state[self.summit_rate];
            if O::SUMMITS {
                let p = signing_probability(will, bar, inverse_noise);
                self.observe_summit(t, draws, state, (will, rate, p), views, observer);
            }
            if CONDITIONAL {
                // With no summit possible q is exactly 0 whatever p is (even NaN, from s so
                // small that 1/s is infinite).
                let q = rate * signing_probability(will, bar, inverse_noise);
                let q = if rate > 0.0 { q } else { 0.0 };
                survival *= 1.0 - q;
                cumulative[t] = 1.0 - survival;
            } else {
                if uniform(rng) < rate
                    && uniform(rng) < signing_probability(will, bar, inverse_noise)
                {
                    *signed_month = Some(t);
                    cumulative[t..].fill(1.0);
                    return;
                }
                cumulative[t] = 0.0;
            }
        }
    }

    /// Tells `observer` what step 4 of month `t` sees (`will`, `rate`, `p`: min_P W_P, λ, p).
    #[cold]
    fn observe_summit<O: Observer>(
        &self,
        t: usize,
        draws: &[f64],
        state: &[f64],
        (will, rate, p): (f64, f64, f64),
        views: &mut [IssueView],
        observer: &mut O,
    ) {
        let mut gap = 0.0;
        let mut blocked = None;
        let (draw, value) = (|i: usize| draws[i], |s: usize| state[s]);
        for (i, (issue, view)) in self.issues.iter().zip(views.iter_mut()).enumerate() {
            let (concession, demand, room) = Self::terms(issue, &draw, &value, t as f64);
            let open = (demand - room).max(0.0);
            gap += open;
            if issue.dealbreaker && demand > room && blocked.is_none() {
                blocked = Some(i);
            }
            *view = IssueView {
                concession,
                demand,
                room,
                gap: open,
            };
        }
        let wills = self.signatories.len();
        let holder = (0..wills).find(|&k| state[k] == will).unwrap_or(0);
        observer.summit(&SummitView {
            month: t,
            issues: views,
            will,
            holder,
            threshold: draws[self.threshold],
            gap,
            blocked,
            rate,
            p,
        });
    }

    /// The k-th signatory's will after its leader leaves: S_P (a leader leaves only where
    /// it exists).
    #[inline(always)]
    pub(super) fn successor(&self, draws: &[f64], k: usize, will: f64) -> f64 {
        self.signatories[k].successor.map_or(will, |s| draws[s])
    }
}
