//! The engine: trials in parallel, tallied so that the result does not depend on how the work
//! was split (SPEC §5).
//!
//! Every trial adds its cumulative probability by month, and its square, to a [`Tally`] in
//! fixed point (units of 2⁻⁶²) held in `u128`. Integer addition is associative, so any split
//! of the trials — across threads, waves or shards — sums to exactly the same bits.

use crate::error::{Error, Result};
use crate::model::{Estimator, Model, Outcome};
use crate::param::PARAM_COUNT;
use crate::stats::{self, Estimate};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// Fixed-point unit: a per-trial value x in [0, 1] is tallied as ⌊x · 2⁶²⌋.
const ONE: f64 = (1u64 << 62) as f64;

/// Trials simulated by one task, with one scratch buffer.
const BLOCK: u64 = 4096;

/// Set by the SIGINT/SIGTERM handler; runs stop at the next wave and write nothing.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Sums over trials of the cumulative treaty probability by month and of its square.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Number of trials tallied.
    pub trials: u64,
    /// Σ cumulative_t, fixed point, per month.
    pub sum: Vec<u128>,
    /// Σ cumulative_t², fixed point, per month.
    pub sum_sq: Vec<u128>,
}

impl Tally {
    /// An empty tally over `months` months.
    pub fn new(months: usize) -> Tally {
        Tally { trials: 0, sum: vec![0; months], sum_sq: vec![0; months] }
    }

    /// Adds one trial's cumulative probabilities.
    #[inline]
    pub fn add(&mut self, cumulative: &[f64]) {
        self.trials += 1;
        for ((sum, sum_sq), &c) in self.sum.iter_mut().zip(&mut self.sum_sq).zip(cumulative) {
            *sum += (c * ONE) as u64 as u128;
            *sum_sq += (c * c * ONE) as u64 as u128;
        }
    }

    /// Adds another tally over the same months.
    pub fn merge(mut self, other: &Tally) -> Tally {
        self.trials += other.trials;
        for (a, b) in self.sum.iter_mut().zip(&other.sum) {
            *a += b;
        }
        for (a, b) in self.sum_sq.iter_mut().zip(&other.sum_sq) {
            *a += b;
        }
        self
    }

    /// The estimate of the cumulative probability by the end of month `t`.
    pub fn estimate(&self, estimator: Estimator, t: usize) -> Estimate {
        let sum = self.sum[t] as f64 / ONE;
        let sum_sq = self.sum_sq[t] as f64 / ONE;
        stats::estimate(estimator, self.trials, sum, sum_sq)
    }

    /// The mean probability of signing in month `t` itself (the difference of cumulative means).
    pub fn in_month(&self, t: usize) -> f64 {
        let before = if t == 0 { 0 } else { self.sum[t - 1] };
        (self.sum[t] - before) as f64 / ONE / self.trials as f64
    }
}

/// One trial as the samples file sees it.
#[derive(Clone, Copy, Debug)]
pub struct TrialRecord<'a> {
    /// Trial index i.
    pub trial: u64,
    /// The twelve parameter draws, canonical order.
    pub draws: &'a [f64; PARAM_COUNT],
    /// Leader exit and signing months.
    pub outcome: Outcome,
    /// The trial's cumulative probability by month.
    pub cumulative: &'a [f64],
}

/// Receives per-trial records in trial order (for `--samples`).
pub trait TrialSink: Send + Sync {
    /// Formats one record into a block's buffer; called in parallel.
    fn format(&self, record: &TrialRecord<'_>, out: &mut Vec<u8>);
    /// Writes a finished block's buffer; called in trial order.
    ///
    /// # Errors
    /// I/O errors.
    fn write(&mut self, block: &[u8]) -> Result<()>;
}

/// Runs trials of one model under one seed and estimator.
#[derive(Clone, Copy, Debug)]
pub struct Engine<'a> {
    /// The compiled scenario.
    pub model: &'a Model,
    /// The run's seed.
    pub seed: u64,
    /// The estimator.
    pub estimator: Estimator,
}

impl Engine<'_> {
    /// Simulates trials `range` into a tally, calling `progress` with the number of trials done
    /// after each wave. Stops with [`Error::Interrupted`] when [`INTERRUPTED`] is set.
    ///
    /// # Errors
    /// Interruption, or an error of `sink`.
    pub fn run(
        &self,
        range: Range<u64>,
        mut sink: Option<&mut dyn TrialSink>,
        progress: &dyn Fn(u64),
    ) -> Result<Tally> {
        let blocks: Vec<Range<u64>> = (range.start..range.end)
            .step_by(BLOCK as usize)
            .map(|start| start..(start + BLOCK).min(range.end))
            .collect();
        // A wave keeps every thread busy while bounding what --samples holds in memory.
        let wave = rayon::current_num_threads() * 4;
        let mut tally = Tally::new(self.model.months());
        for wave_blocks in blocks.chunks(wave) {
            if INTERRUPTED.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            let format = sink.as_deref().map(|s| s as &dyn TrialSink);
            let results: Vec<(Tally, Vec<u8>)> = wave_blocks
                .par_iter()
                .map(|block| self.run_block(block.clone(), format))
                .collect();
            for (block_tally, rows) in &results {
                tally = tally.merge(block_tally);
                if let Some(sink) = sink.as_deref_mut() {
                    sink.write(rows)?;
                }
            }
            progress(tally.trials);
        }
        Ok(tally)
    }

    fn run_block(&self, block: Range<u64>, sink: Option<&dyn TrialSink>) -> (Tally, Vec<u8>) {
        let months = self.model.months();
        let mut tally = Tally::new(months);
        let mut cumulative = vec![0.0; months];
        let mut draws = [0.0; PARAM_COUNT];
        let mut rows = Vec::new();
        for trial in block {
            let outcome = self.model.trial(self.seed, trial, self.estimator, &mut draws, &mut cumulative);
            tally.add(&cumulative);
            if let Some(sink) = sink {
                let record = TrialRecord { trial, draws: &draws, outcome, cumulative: &cumulative };
                sink.format(&record, &mut rows);
            }
        }
        (tally, rows)
    }
}
