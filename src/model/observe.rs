//! Watching one trial's month loop from outside ([`Observer`]): what each month's step 4 saw,
//! which events fired and which leaders left (either estimator, one trial at a time).
//!
//! The scalar month loop is generic over its observer and compiled once per observer type, so
//! ordinary runs, whose observer is [`Unobserved`], carry no trace of it (its methods are
//! empty and [`Observer::SUMMITS`] is `false`, so not even the per-issue views are computed).
//!
//! Indices name things in the scenario's canonical orders: signatory `k` is the k-th party of
//! `cast.signatories()`, issue `i` is `cast.issues[i]`, event `e` is `scenario.events[e]`
//! (declaration order), and months count from the simulation's start (month 0).
//!
//! The conditional lane loop has its own recorder, [`SummitLanes`]: it keeps what step 4 saw
//! in every month of a batch, for a caller that adds it up afterwards (`explain`'s diagnostic
//! run, which so runs at the lanes' speed; BENCHMARKS.md).
//! Ordinary runs compile the lane loop without it. The scalar [`Observer`] is its reference:
//! the two agree to the bit (tested in `lanes.rs`).

use super::lanes::{LANES, Reals};

/// One issue at a summit, in the symbols of SPEC §4.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct IssueView {
    /// c_I = clamp(C_I + δC_I·t): the most the conceding signatory gives this month.
    pub concession: f64,
    /// d_I = clamp(D_I + δD_I·t): the least the demanding signatory accepts this month.
    pub demand: f64,
    /// room_I = clamp(c_I + Σ_O L_{I,O}·U_O − Σ_O K_{I,O}·(1 − U_O)).
    pub room: f64,
    /// max(0, d_I − room_I): this issue's part of the gap.
    pub gap: f64,
}

/// What step 4 of month `month` saw (whether or not a summit is then held: the indicator
/// estimator draws that after the observer is called).
#[derive(Clone, Copy, Debug)]
pub struct SummitView<'a> {
    /// The month, from 0.
    pub month: usize,
    /// Every issue, in the cast's order.
    pub issues: &'a [IssueView],
    /// min_P W_P.
    pub will: f64,
    /// The signatory (index among the signatories) holding the least will (the first, on
    /// ties).
    pub holder: usize,
    /// θ.
    pub threshold: f64,
    /// Σ_I max(0, d_I − room_I).
    pub gap: f64,
    /// The first dealbreaker issue whose demand exceeds its room, which makes p = 0.
    pub blocked: Option<usize>,
    /// λ, the chance of a summit this month.
    pub rate: f64,
    /// p, the chance of signing at a summit this month.
    pub p: f64,
}

/// Receives what happens in a trial's month loop ([`crate::model::Model::simulate_observed`]).
/// Every method does nothing unless implemented.
pub trait Observer {
    /// Whether [`Observer::summit`] is wanted: when `false` (the default) the loop does not
    /// even compute the views it would receive.
    const SUMMITS: bool = false;

    /// Step 4 of every month, before any summit or signing coin is drawn.
    #[inline(always)]
    fn summit(&mut self, view: &SummitView<'_>) {
        let _ = view;
    }

    /// Event `event` fired in month `month` (before its leader exits and effects apply).
    #[inline(always)]
    fn event(&mut self, event: usize, month: usize) {
        let _ = (event, month);
    }

    /// Signatory `signatory`'s leader left office in month `month` (by an event or by its
    /// hazard).
    #[inline(always)]
    fn leader_exit(&mut self, signatory: usize, month: usize) {
        let _ = (signatory, month);
    }
}

/// The observer of ordinary runs: sees nothing, costs nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unobserved;

impl Observer for Unobserved {}

/// What step 4 of one month saw in one lane of a [`SummitLanes`]: the parts of a
/// [`SummitView`] that depend on the month, and the trial's survival before it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LaneSummit {
    /// S_t: the chance, given the trial's draws, that no treaty was signed before this month
    /// (1 − the previous month's cumulative probability, as the conditional loop carries it).
    pub survival: f64,
    /// λ ([`SummitView::rate`]).
    pub rate: f64,
    /// p ([`SummitView::p`]).
    pub p: f64,
    /// [`SummitView::holder`].
    pub holder: usize,
    /// [`SummitView::blocked`].
    pub blocked: Option<usize>,
}

/// Step 4 of every month of a batch of [`LANES`] trials, lane by lane, as the conditional lane
/// loop saw it ([`crate::model::Model::trials_lanes_watched`]): what an [`Observer`] of the
/// scalar loop is told at each summit, to the bit (tested), kept for the whole batch so that
/// a caller can add it up trial by trial and month by month, in the order (and so with the
/// float sums) of the scalar loop. Allocated once and reused from batch to batch.
#[derive(Clone, Debug)]
pub struct SummitLanes {
    pub(super) issues: usize,
    /// S_t before month t's summit: `survival[t][lane]`.
    pub(super) survival: Vec<Reals>,
    /// λ in month t.
    pub(super) rate: Vec<Reals>,
    /// p in month t.
    pub(super) p: Vec<Reals>,
    /// The signatory holding the least will in month t.
    pub(super) holder: Vec<[usize; LANES]>,
    /// The first blocking dealbreaker in month t, `usize::MAX` for none.
    pub(super) blocked: Vec<[usize; LANES]>,
    /// max(0, d_I − room_I) of issue I in month t: `gap[t * issues + I][lane]`.
    pub(super) gap: Vec<Reals>,
}

impl SummitLanes {
    /// Room for the batches of `model`.
    pub fn new(model: &crate::model::Model) -> SummitLanes {
        let (months, issues) = (model.months(), model.issues());
        SummitLanes {
            issues,
            survival: vec![[0.0; LANES]; months],
            rate: vec![[0.0; LANES]; months],
            p: vec![[0.0; LANES]; months],
            holder: vec![[0; LANES]; months],
            blocked: vec![[usize::MAX; LANES]; months],
            gap: vec![[0.0; LANES]; months * issues],
        }
    }

    /// The number of months recorded.
    pub fn months(&self) -> usize {
        self.survival.len()
    }

    /// Month `t` of lane `lane`.
    #[inline]
    pub fn summit(&self, t: usize, lane: usize) -> LaneSummit {
        let blocked = self.blocked[t][lane];
        LaneSummit {
            survival: self.survival[t][lane],
            rate: self.rate[t][lane],
            p: self.p[t][lane],
            holder: self.holder[t][lane],
            blocked: (blocked != usize::MAX).then_some(blocked),
        }
    }

    /// Issue `issue`'s gap max(0, d_I − room_I) in month `t` of lane `lane`
    /// ([`IssueView::gap`]).
    #[inline]
    pub fn gap(&self, t: usize, issue: usize, lane: usize) -> f64 {
        self.gap[t * self.issues + issue][lane]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Estimator, Model, Trial};
    use crate::rng;

    /// Records everything it is told.
    #[derive(Default)]
    struct Record {
        summits: Vec<(usize, f64, f64, f64, f64, usize)>,
        events: Vec<(usize, usize)>,
        exits: Vec<(usize, usize)>,
    }

    impl Observer for Record {
        const SUMMITS: bool = true;
        fn summit(&mut self, view: &SummitView<'_>) {
            let open: f64 = view.issues.iter().map(|i| i.gap).sum();
            assert_eq!(open.to_bits(), view.gap.to_bits());
            self.summits.push((
                view.month,
                view.rate,
                view.p,
                view.will,
                view.gap,
                view.holder,
            ));
        }
        fn event(&mut self, event: usize, month: usize) {
            self.events.push((event, month));
        }
        fn leader_exit(&mut self, signatory: usize, month: usize) {
            self.exits.push((signatory, month));
        }
    }

    /// An observed trial gives the same bits as an unobserved one, and what the observer is
    /// told adds up to the trial's results: the leaders' exits, and (conditional) the chance
    /// of a treaty as 1 − Π_t (1 − λ_t·p_t).
    #[test]
    fn observers_see_what_the_trial_does() {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(
            dir.path().join("observed.toml"),
            crate::model::lanes::tests::GENERAL,
        )
        .expect("scenario written");
        let scenario = crate::scenario::Catalog::new(dir.path())
            .load("observed", &[])
            .expect("valid scenario");
        let model = Model::new(&scenario);
        let mut draws = vec![0.0; model.params()];
        let (mut plain, mut seen) = (vec![0.0; model.months()], vec![0.0; model.months()]);
        let mut trial = Trial::new(&model);
        let (mut fired, mut left) = (0, 0);
        for estimator in [Estimator::Conditional, Estimator::Indicator] {
            for i in 0..2000 {
                model.trial(5, i, estimator, &mut draws, &mut plain, &mut trial);
                let exits = trial.exits.clone();
                let mut record = Record::default();
                let key = rng::trial_key(5, i);
                model.simulate_observed(
                    &draws,
                    &mut rng::process_rng(key),
                    estimator,
                    &mut seen,
                    &mut trial,
                    &mut record,
                );
                assert_eq!(
                    plain.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                    seen.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
                );
                for (k, &month) in exits.iter().enumerate() {
                    let told: Vec<usize> = record
                        .exits
                        .iter()
                        .filter(|e| e.0 == k)
                        .map(|e| e.1)
                        .collect();
                    let expected: Vec<usize> =
                        (month != usize::MAX).then_some(month).into_iter().collect();
                    assert_eq!(told, expected, "trial {i}, signatory {k}");
                }
                for &(event, month) in &record.events {
                    let name = &scenario.events[event].name;
                    assert_eq!(
                        scenario.simulation.start.plus(month),
                        scenario.events[event].month,
                        "{name}"
                    );
                }
                fired += record.events.len();
                left += record.exits.len();
                let months: Vec<usize> = record.summits.iter().map(|s| s.0).collect();
                if estimator == Estimator::Conditional {
                    assert_eq!(months, (0..model.months()).collect::<Vec<_>>());
                    let mut survival = 1.0;
                    for &(_, rate, p, ..) in &record.summits {
                        let q = if rate > 0.0 { rate * p } else { 0.0 };
                        survival *= 1.0 - q;
                    }
                    let last = seen.last().copied().unwrap_or(0.0);
                    assert_eq!((1.0 - survival).to_bits(), last.to_bits(), "trial {i}");
                }
                for &(.., will, _, holder) in &record.summits {
                    assert!(holder < model.signatories() && (0.0..=1.0).contains(&will));
                }
            }
        }
        assert!(fired > 1000 && left > 500, "{fired} events, {left} exits");
    }
}
