//! The events compiled for the month loop, and their calendar: which events may come due in
//! which month (SPEC §4 step 2).
//!
//! An event is due in month t when
//! - it has a fixed `month` and t is that month (the events of 0.2);
//! - it is a `probability` event with `until` and t is the month drawn for it when the trial
//!   started (uniformly from `month..=until`; a drawn month outside the simulation never comes);
//! - it is a `hazard` event, t lies in its window (`month..=until`, or to the end) and it has
//!   not fired yet.
//!
//! A due event draws one uniform from the trial's month-loop stream, in declaration order
//! (whether or not its `requires` and `excludes` hold, so that what one event's conditions
//! say never moves another event's draws), and fires if the uniform is below its chance, its
//! conditions hold and (a hazard event) it has not fired. A scenario whose events have none of
//! `until`, `hazard`, `requires` and `excludes` thus draws exactly what 0.2 drew.
//!
//! The months of the `until` events are drawn when the trial starts, one uniform each from the
//! same stream, in declaration order, before month 0's walk; a scenario without them draws
//! none.

use crate::distribution::Sampler;
use crate::scenario::{Scenario, window};

/// When an event can come due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Timing {
    /// In its month.
    Fixed,
    /// In the month drawn for it (slot `slot` of the trial's drawn months): `first` (months
    /// from the start, possibly negative) plus a uniform whole number below `span`.
    Drawn { slot: usize, first: i64, span: u64 },
    /// Every month of its window until it fires.
    Hazard,
}

/// An event compiled for the month loop.
#[derive(Clone, Debug)]
pub(super) struct ModelEvent {
    pub timing: Timing,
    /// Its probability, or its hazard per month.
    pub chance: f64,
    /// Events (indices) that must have fired before it.
    pub requires: Vec<usize>,
    /// Events none of which may have fired before it.
    pub excludes: Vec<usize>,
    /// Signatories (their positions) whose leaders leave when it fires.
    pub leader_exit: Vec<usize>,
    /// State slot and shift of each effect.
    pub effects: Vec<(usize, Sampler)>,
    /// Whether its window meets the simulation (else it never fires).
    pub reachable: bool,
}

impl ModelEvent {
    /// Heap bytes it holds, with `header` bytes a live allocation.
    pub fn heap_bytes(&self, header: usize) -> usize {
        use std::mem::size_of;
        4 * header
            + (self.requires.len() + self.excludes.len() + self.leader_exit.len())
                * size_of::<usize>()
            + self.effects.len() * size_of::<(usize, Sampler)>()
    }

    /// Whether its `requires` and `excludes` hold, given each event's firing month so far
    /// (`usize::MAX`: not fired).
    #[inline(always)]
    pub fn allowed(&self, fired: &[usize]) -> bool {
        self.requires.iter().all(|&r| fired[r] != usize::MAX)
            && self.excludes.iter().all(|&x| fired[x] == usize::MAX)
    }
}

/// Which events may come due in which month: month t's are
/// `due[starts[t]..starts[t + 1]]`, in declaration order.
#[derive(Clone, Debug)]
pub(super) struct Schedule {
    due: Vec<u32>,
    starts: Vec<u32>,
    /// The events with a drawn month, by slot.
    drawn: Vec<usize>,
}

impl Schedule {
    /// The events that may come due in month `t`.
    #[inline(always)]
    pub fn month(&self, t: usize) -> &[u32] {
        &self.due[self.starts[t] as usize..self.starts[t + 1] as usize]
    }

    /// The number of events with a drawn month.
    pub fn drawn(&self) -> usize {
        self.drawn.len()
    }

    /// The events with a drawn month, in declaration order (slot order).
    pub fn drawn_events(&self) -> &[usize] {
        &self.drawn
    }

    /// Heap bytes it holds.
    pub fn heap_bytes(&self, header: usize) -> usize {
        3 * header + (self.due.len() + self.starts.len()) * 4 + self.drawn.len() * 8
    }
}

/// The month (from 0) a uniform `u` in [0, 1) draws for an event of timing `Drawn { first,
/// span }`, or `usize::MAX` when it falls outside the simulation's `months`.
#[inline(always)]
pub(super) fn drawn_month(first: i64, span: u64, u: f64, months: usize) -> usize {
    let k = ((u * span as f64) as u64).min(span - 1);
    let month = first + k as i64;
    if (0..months as i64).contains(&month) {
        month as usize
    } else {
        usize::MAX
    }
}

/// Compiles a scenario's events: `position` gives the position among the signatories of a
/// party whose leader can leave (else `None`), `slot` the state slot of a state parameter.
pub(super) fn compile(
    scenario: &Scenario,
    position: impl Fn(usize) -> Option<usize>,
    slot: impl Fn(usize) -> usize,
) -> (Vec<ModelEvent>, Schedule) {
    let sim = &scenario.simulation;
    let months = sim.months();
    let mut drawn = Vec::new();
    let mut counts = vec![0u32; months + 1];
    let windows: Vec<std::ops::Range<usize>> =
        scenario.events.iter().map(|e| window(e, sim)).collect();
    let events = scenario
        .events
        .iter()
        .zip(&windows)
        .enumerate()
        .map(|(index, (e, window))| {
            for t in window.clone() {
                counts[t] += 1;
            }
            let timing = match e.until {
                _ if e.hazard => Timing::Hazard,
                Some(until) => {
                    drawn.push(index);
                    Timing::Drawn {
                        slot: drawn.len() - 1,
                        first: sim.start.months_until(e.month),
                        span: (e.month.months_until(until) + 1).max(1) as u64,
                    }
                }
                None => Timing::Fixed,
            };
            ModelEvent {
                timing,
                chance: e.probability,
                requires: e.requires.clone(),
                excludes: e.excludes.clone(),
                leader_exit: e.leader_exit.iter().filter_map(|&p| position(p)).collect(),
                effects: e
                    .effects
                    .iter()
                    .map(|f| (slot(f.param.index()), Sampler::new(&f.shift.dist)))
                    .collect(),
                reachable: !window.is_empty(),
            }
        })
        .collect();
    let mut starts = Vec::with_capacity(months + 1);
    let mut total = 0u32;
    for count in &counts[..months] {
        starts.push(total);
        total += count;
    }
    starts.push(total);
    let mut fill = starts.clone();
    let mut due = vec![0u32; total as usize];
    for (index, window) in windows.iter().enumerate() {
        for t in window.clone() {
            due[fill[t] as usize] = index as u32;
            fill[t] += 1;
        }
    }
    (events, Schedule { due, starts, drawn })
}
