//! The engine: trials in parallel, tallied so that the result does not depend on how the work
//! was split (SPEC §5).
//!
//! Every trial adds its cumulative probability by month, its square, and its product with the
//! last month's (for the remaining probability's interval), to a [`Tally`] in fixed point
//! (units of 2⁻⁶²) held in `u128`. Integer addition is associative, so any split
//! of the trials — across threads, waves or shards — sums to exactly the same bits.

use crate::error::{Error, Result};
use crate::model::{Estimator, LANES, Lanes, Model, trial_keys};
use rayon::prelude::*;
use std::collections::VecDeque;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

mod tally;
pub use tally::{BlockTally, Tally, fixed, unfixed, widen};

/// Trials simulated by one task, with one scratch buffer.
pub const BLOCK: u64 = 4096;

/// Blocks of streamed output (`--samples`) held at most, per worker thread: simulated, waiting
/// to be written in trial order, or being written.
pub const STREAMED_BLOCKS_PER_THREAD: usize = 4;

thread_local! {
    /// Each thread's batch results, kept from block to block: for a long window they are large
    /// (512 bytes a month), and allocating and freeing them for every block cost more than the
    /// simulation.
    static BATCH: std::cell::RefCell<Option<Lanes>> = const { std::cell::RefCell::new(None) };
}

/// Set by the SIGINT/SIGTERM handler; runs stop at the next block and write nothing.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// [`Error::Interrupted`] once [`INTERRUPTED`] is set: for commands to call between steps.
///
/// # Errors
/// [`Error::Interrupted`].
pub fn check_interrupted() -> Result<()> {
    if INTERRUPTED.load(Ordering::Relaxed) {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

/// One trial as the samples file sees it.
#[derive(Clone, Copy, Debug)]
pub struct TrialRecord<'a> {
    /// Trial index i.
    pub trial: u64,
    /// The parameter draws, canonical order.
    pub draws: &'a [f64],
    /// The month index of each signatory's change of leader (`usize::MAX`: none), signatory
    /// order.
    pub exits: &'a [usize],
    /// The month index in which each event fired (`usize::MAX`: it did not), in the
    /// scenario's order.
    pub events: &'a [usize],
    /// The month index of signing (indicator estimator only).
    pub signed_month: Option<usize>,
    /// The trial's cumulative probability by month.
    pub cumulative: &'a [f64],
}

/// [`LANES`] trials of the conditional estimator as the lanes left them: the first trial's
/// index, how many lanes hold trials of the block, the draws (parameter by parameter, each an
/// array over the lanes) and the results.
#[derive(Clone, Copy)]
pub struct TrialBatch<'a> {
    /// The first lane's trial.
    pub first: u64,
    /// Lanes `0..count` hold trials `first..first + count`.
    pub count: usize,
    /// Parameter `i` of lane `l` is `draws[i][l]`, canonical order.
    pub draws: &'a [[f64; LANES]],
    /// The month loop's results.
    pub lanes: &'a Lanes,
}

/// Formats per-trial records (for `--samples`); called in parallel, one buffer per block.
pub trait RecordFormat: Sync {
    /// Appends one record to a block's buffer.
    fn format(&self, record: &TrialRecord<'_>, out: &mut Vec<u8>);

    /// About how many bytes a record takes, to size a block's buffer once.
    fn record_bytes(&self) -> usize {
        0
    }

    /// Prepares a block's empty buffer for `trials` records.
    fn start_block(&self, trials: usize, out: &mut Vec<u8>) {
        out.reserve(trials.saturating_mul(self.record_bytes()));
    }

    /// Writes record `index` of a block of `trials` records (after
    /// [`RecordFormat::start_block`]): appends it, unless the format lays a block out another
    /// way (column by column).
    fn format_in_block(
        &self,
        record: &TrialRecord<'_>,
        index: usize,
        trials: usize,
        out: &mut Vec<u8>,
    ) {
        let _ = (index, trials);
        self.format(record, out);
    }

    /// Whether it lays out the conditional estimator's trials a batch at a time
    /// ([`RecordFormat::format_batch`]) rather than record by record.
    fn formats_batches(&self) -> bool {
        false
    }

    /// Writes `batch`'s trials as records `index..index + batch.count` of a block of `trials`
    /// (after [`RecordFormat::start_block`]), when [`RecordFormat::formats_batches`]: the same
    /// bytes as [`RecordFormat::format_in_block`] of each, without a record for each.
    fn format_batch(&self, batch: &TrialBatch<'_>, index: usize, trials: usize, out: &mut Vec<u8>) {
        let _ = (batch, index, trials, out);
    }
}

/// Where per-trial records go: their format, and a writer that receives each block's bytes in
/// trial order.
pub type Samples<'a> = (&'a dyn RecordFormat, BlockWriter<'a>);

/// Receives each block's streamed bytes, in trial order (its own buffer, to keep or drop).
pub type BlockWriter<'a> = &'a mut dyn FnMut(Vec<u8>) -> Result<()>;

/// A per-block result that merges into a total. Merging is done in block order, so results
/// are independent of the thread count even for float sums; integer sums are independent of
/// any split at all.
pub trait Accumulator: Send {
    /// Whether merging in any order, and adding blocks to an accumulator that already holds
    /// others, gives the same result (integer sums). [`for_each_block`] then gives each worker
    /// thread one accumulator for all the blocks it runs, so that memory does not grow with the
    /// number of blocks in flight; otherwise each block gets a fresh accumulator and the
    /// results are merged in trial order.
    const ORDER_FREE: bool = false;
    /// Adds another block's result (the next block in trial order).
    fn merge(&mut self, other: Self);
    /// Trials accumulated so far, for progress.
    fn trials(&self) -> u64;
}

/// The blocks of `range`, lazily: fixed boundaries at multiples of [`BLOCK`], whatever the
/// range (a list of them would grow with the trial count: 16 bytes per block).
fn blocks(range: Range<u64>) -> impl Iterator<Item = Range<u64>> {
    let mut start = range.start;
    std::iter::from_fn(move || {
        (start < range.end).then(|| {
            let end = (start - start % BLOCK).saturating_add(BLOCK).min(range.end);
            let block = start..end;
            start = end;
            block
        })
    })
}

/// Runs `per_block` over the trials of `range` in parallel, in blocks whose boundaries are
/// multiples of [`BLOCK`], merging the results in trial order. `per_block` fills a fresh
/// accumulator from `init` and may append bytes to the block's buffer, which `write` receives
/// in trial order (for streamed per-trial output). `progress` gets the trials done after each
/// wave's worth of blocks. Every command's trials go through here. `per_block` may stop early
/// once [`INTERRUPTED`] is set: the blocks not yet merged are then discarded and nothing more
/// is written. `per_block` and `write` must not use the thread pool themselves: a worker
/// waiting inside them could pick up this call's own tasks, which may wait for it.
///
/// # Errors
/// [`Error::Interrupted`] when [`INTERRUPTED`] is set, or an error of `write`.
pub fn for_each_block<A, I, F>(
    range: Range<u64>,
    init: I,
    per_block: F,
    mut write: Option<BlockWriter<'_>>,
    progress: &dyn Fn(u64),
) -> Result<A>
where
    A: Accumulator,
    I: Fn() -> A + Sync,
    F: Fn(Range<u64>, &mut A, &mut Vec<u8>) + Sync,
{
    let mut blocks = blocks(range);
    // A wave bounds the blocks held at once. Order-free accumulators run wave by wave: a
    // thread that finishes its last block of a wave early waits for the others, so their
    // waves are long (32 blocks a thread, about 30 ms on one core). In trial order the
    // wave is a sliding window, short for streamed output, which it holds in memory.
    let blocks_per_thread = if write.is_some() {
        STREAMED_BLOCKS_PER_THREAD
    } else {
        32
    };
    let threads = rayon::current_num_threads();
    let wave = threads * blocks_per_thread;
    let mut total = init();
    let mut done = 0;
    if A::ORDER_FREE && write.is_none() {
        // One accumulator per worker, whatever the number of blocks: each worker takes the
        // wave's next block until none is left.
        loop {
            let wave_blocks: Vec<Range<u64>> = blocks.by_ref().take(wave).collect();
            if wave_blocks.is_empty() {
                break;
            }
            if INTERRUPTED.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            let next = std::sync::atomic::AtomicUsize::new(0);
            let partials: Vec<A> = (0..threads)
                .into_par_iter()
                .map(|_| {
                    let mut acc = init();
                    let mut bytes = Vec::new();
                    while let Some(block) = wave_blocks.get(next.fetch_add(1, Ordering::Relaxed)) {
                        if INTERRUPTED.load(Ordering::Relaxed) {
                            break;
                        }
                        per_block(block.clone(), &mut acc, &mut bytes);
                    }
                    acc
                })
                .collect();
            if INTERRUPTED.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            for acc in partials {
                done += acc.trials();
                total.merge(acc);
            }
            progress(done);
        }
        return Ok(total);
    }
    // In trial order: the blocks run in a sliding window of `wave` blocks. Every worker takes
    // the next block as soon as it is free (no barrier between waves), and the calling thread,
    // which simulates blocks too, merges and writes the finished ones in order between its
    // own. A worker waits only when the window is full: the blocks held, running, finished
    // or being written, never exceed a wave.
    let window = Window {
        state: Mutex::new(WindowState {
            blocks,
            more: true,
            claimed: 0,
            taken: 0,
            released: 0,
            slots: VecDeque::new(),
            stop: false,
        }),
        changed: Condvar::new(),
        size: wave,
    };
    let mut outcome = Ok(());
    rayon::in_place_scope(|scope| {
        for _ in 1..threads {
            scope.spawn(|_| {
                let _guard = StopOnUnwind(&window);
                while let Some((index, block)) = window.claim(true) {
                    window.finish(index, run_block(&init, &per_block, block));
                }
            });
        }
        let _guard = StopOnUnwind(&window);
        let mut merged = 0;
        outcome = (|| {
            loop {
                // Merge and write what has finished, in order.
                while let Some(slot) = window.take_next() {
                    // A block that ended early on an interruption must not count.
                    let Slot::Finished(acc, bytes) = slot else {
                        return Err(Error::Interrupted);
                    };
                    check_interrupted()?;
                    done += acc.trials();
                    total.merge(acc);
                    if let Some(write) = write.as_deref_mut() {
                        write(bytes)?;
                    }
                    window.release();
                    merged += 1;
                    if merged % wave == 0 {
                        progress(done);
                    }
                }
                match window.claim(false) {
                    Some((index, block)) => {
                        window.finish(index, run_block(&init, &per_block, block));
                    }
                    None if window.finished() => break,
                    None => window.wait_for_next(),
                }
            }
            if merged % wave != 0 {
                progress(done);
            }
            Ok(())
        })();
        window.stop();
    });
    outcome?;
    check_interrupted()?;
    Ok(total)
}

/// One block of [`for_each_block`]'s ordered path: its accumulator and streamed bytes, or
/// [`Slot::Interrupted`].
fn run_block<A, I, F>(init: &I, per_block: &F, block: Range<u64>) -> Slot<A>
where
    I: Fn() -> A,
    F: Fn(Range<u64>, &mut A, &mut Vec<u8>),
{
    // Once interrupted, the remaining blocks do not even start (for a long window, merely
    // allocating their sums takes a while).
    if INTERRUPTED.load(Ordering::Relaxed) {
        return Slot::Interrupted;
    }
    let mut acc = init();
    let mut bytes = Vec::new();
    per_block(block, &mut acc, &mut bytes);
    if INTERRUPTED.load(Ordering::Relaxed) {
        return Slot::Interrupted;
    }
    Slot::Finished(acc, bytes)
}

/// A block of [`for_each_block`]'s ordered path.
enum Slot<A> {
    Running,
    Finished(A, Vec<u8>),
    /// Stopped or skipped on an interruption: it must not count.
    Interrupted,
}

/// The sliding window of [`for_each_block`]'s ordered path, shared by its threads.
struct Window<A, B> {
    state: Mutex<WindowState<A, B>>,
    /// Signalled when a block finishes, when one is released, and on a stop.
    changed: Condvar,
    /// Blocks claimed and not yet released, at most.
    size: usize,
}

struct WindowState<A, B> {
    blocks: B,
    /// Whether `blocks` may have more.
    more: bool,
    /// Blocks handed out so far.
    claimed: usize,
    /// Blocks taken for merging so far: `slots[0]` is block `taken`.
    taken: usize,
    /// Blocks merged and written so far.
    released: usize,
    slots: VecDeque<Slot<A>>,
    /// Set on an interruption, an error or a panic: nothing more is handed out.
    stop: bool,
}

impl<A, B: Iterator<Item = Range<u64>>> Window<A, B> {
    fn lock(&self) -> MutexGuard<'_, WindowState<A, B>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(
        &self,
        state: MutexGuard<'a, WindowState<A, B>>,
    ) -> MutexGuard<'a, WindowState<A, B>> {
        self.changed
            .wait(state)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The next block and its number; `None` when none is left or the run stopped, or (unless
    /// `wait`, which waits for room) when the window is full.
    fn claim(&self, wait: bool) -> Option<(usize, Range<u64>)> {
        let mut state = self.lock();
        while !state.stop && state.more && state.claimed >= state.released + self.size {
            if !wait {
                return None;
            }
            state = self.wait(state);
        }
        if state.stop || !state.more {
            return None;
        }
        let Some(block) = state.blocks.next() else {
            state.more = false;
            return None;
        };
        let index = state.claimed;
        state.claimed += 1;
        state.slots.push_back(Slot::Running);
        Some((index, block))
    }

    /// Stores block `index`'s result.
    fn finish(&self, index: usize, slot: Slot<A>) {
        let mut state = self.lock();
        state.stop |= matches!(slot, Slot::Interrupted);
        let at = index - state.taken;
        state.slots[at] = slot;
        drop(state);
        self.changed.notify_all();
    }

    /// The next block in order, once it has finished.
    fn take_next(&self) -> Option<Slot<A>> {
        let mut state = self.lock();
        if matches!(state.slots.front(), None | Some(Slot::Running)) {
            return None;
        }
        state.taken += 1;
        state.slots.pop_front()
    }

    /// Makes room for another block, once the one taken is written.
    fn release(&self) {
        self.lock().released += 1;
        self.changed.notify_all();
    }

    /// Whether every block has been merged, or the run stopped.
    fn finished(&self) -> bool {
        let state = self.lock();
        state.stop || (!state.more && state.slots.is_empty())
    }

    /// Waits until the next block in order may have finished.
    fn wait_for_next(&self) {
        let state = self.lock();
        if !state.stop && matches!(state.slots.front(), Some(Slot::Running)) {
            drop(self.wait(state));
        }
    }

    /// Hands out no more blocks, and wakes whoever waits.
    fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }
}

/// Stops a [`Window`] when its thread unwinds, so that no other thread waits for it forever.
struct StopOnUnwind<'a, A, B: Iterator<Item = Range<u64>>>(&'a Window<A, B>);

impl<A, B: Iterator<Item = Range<u64>>> Drop for StopOnUnwind<'_, A, B> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
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
    /// Simulates trials `range` into a tally, streaming per-trial records to `samples` in
    /// trial order, and calling `progress` with the number of trials done after each wave.
    ///
    /// # Errors
    /// Interruption, or an error of the samples writer.
    pub fn run(
        &self,
        range: Range<u64>,
        samples: Option<Samples<'_>>,
        progress: &dyn Fn(u64),
    ) -> Result<Tally> {
        let months = self.model.months();
        let (format, write) = match samples {
            Some((format, write)) => (Some(format), Some(write)),
            None => (None, None),
        };
        let per_block = |block: Range<u64>, tally: &mut Tally, rows: &mut Vec<u8>| match format {
            Some(format) => {
                let first = block.start;
                let trials = (block.end - block.start) as usize;
                format.start_block(trials, rows);
                let mut sums = BlockTally::new(months);
                let mut visit = |record: TrialRecord<'_>| {
                    format.format_in_block(&record, (record.trial - first) as usize, trials, rows);
                };
                if self.estimator == Estimator::Conditional && format.formats_batches() {
                    self.for_each_batch(block, |trial, count, draws, lanes| {
                        sums.add_lanes(lanes, count);
                        let batch = TrialBatch {
                            first: trial,
                            count,
                            draws,
                            lanes,
                        };
                        format.format_batch(&batch, (trial - first) as usize, trials, rows);
                    });
                } else {
                    // The sums lane by lane, in vector registers (the bits of `add`).
                    self.for_each_lane_trial(
                        block,
                        |lanes, count| sums.add_lanes(lanes, count),
                        &mut visit,
                    );
                }
                tally.add_block(&sums);
            }
            None => tally.add_block(&self.tally_block(block)),
        };
        for_each_block(range, || Tally::new(months), per_block, write, progress)
    }

    /// Simulates the trials of `block` and sums them (what [`BlockTally::add`] would sum for
    /// each, to the bit), lane by lane, in vector registers.
    pub fn tally_block(&self, block: Range<u64>) -> BlockTally {
        let months = self.model.months();
        let mut sums = BlockTally::new(months);
        self.for_each_batch(block, |_, count, _, lanes| sums.add_lanes(lanes, count));
        sums
    }

    /// Simulates each trial of `block` in turn, handing its record to `visit`: [`LANES`]
    /// trials side by side ([`Model::trials_lanes`], the same bits as one at a time). Stops
    /// early, with the block unfinished, when [`INTERRUPTED`] is set.
    pub fn for_each_trial(&self, block: Range<u64>, visit: impl FnMut(TrialRecord<'_>)) {
        self.for_each_lane_trial(block, |_, _| {}, visit);
    }

    /// [`Engine::for_each_trial`] one trial at a time through the scalar loop
    /// ([`Model::trial`]): the reference the lanes are tested against.
    #[cfg(test)]
    fn for_each_scalar_trial(&self, block: Range<u64>, mut visit: impl FnMut(TrialRecord<'_>)) {
        let months = self.model.months();
        let mut cumulative = vec![0.0; months];
        let mut draws = vec![0.0; self.model.params()];
        let mut state = crate::model::Trial::new(self.model);
        for trial in block {
            if trial % LANES as u64 == 0 && INTERRUPTED.load(Ordering::Relaxed) {
                return;
            }
            self.model.trial(
                self.seed,
                trial,
                self.estimator,
                &mut draws,
                &mut cumulative,
                &mut state,
            );
            visit(TrialRecord {
                trial,
                draws: &draws,
                exits: &state.exits,
                events: &state.events,
                signed_month: state.signed_month,
                cumulative: &cumulative,
            });
        }
    }

    /// [`Engine::for_each_trial`]: each batch of trials simulated side by side is handed to
    /// `batch` (with its number of trials), then each of its trials to `visit`.
    fn for_each_lane_trial(
        &self,
        block: Range<u64>,
        mut batch: impl FnMut(&Lanes, usize),
        mut visit: impl FnMut(TrialRecord<'_>),
    ) {
        let mut cumulative = vec![0.0; self.model.months()];
        let mut exits = vec![usize::MAX; self.model.signatories()];
        let mut events = vec![usize::MAX; self.model.events()];
        let mut row = vec![0.0; self.model.params()];
        self.for_each_batch(block, |first, count, draws, lanes| {
            batch(lanes, count);
            for l in 0..count {
                lanes.copy_cumulative(l, &mut cumulative);
                lanes.copy_exits(l, &mut exits);
                lanes.copy_events(l, &mut events);
                for (x, draw) in row.iter_mut().zip(draws) {
                    *x = draw[l];
                }
                visit(TrialRecord {
                    trial: first + l as u64,
                    draws: &row,
                    exits: &exits,
                    events: &events,
                    signed_month: lanes.signed_month(l),
                    cumulative: &cumulative,
                });
            }
        });
    }

    /// Simulates the trials of `block` [`LANES`] at a time
    /// ([`Model::trials_lanes`], the same bits as one at a time), handing `visit` each
    /// batch's first trial, its number of trials (fewer than [`LANES`] only at the end of the
    /// block; idle lanes repeat its last trial), the draws (parameter by parameter, each an
    /// array over the lanes) and the results.
    fn for_each_batch(
        &self,
        block: Range<u64>,
        visit: impl FnMut(u64, usize, &[[f64; LANES]], &Lanes),
    ) {
        BATCH.with_borrow_mut(|lanes| {
            if !lanes.as_ref().is_some_and(|l| l.fits(self.model)) {
                *lanes = Some(Lanes::new(self.model));
            }
            if let Some(lanes) = lanes.as_mut() {
                self.for_each_batch_in(lanes, block, visit);
            }
        });
    }

    fn for_each_batch_in(
        &self,
        lanes: &mut Lanes,
        block: Range<u64>,
        mut visit: impl FnMut(u64, usize, &[[f64; LANES]], &Lanes),
    ) {
        let mut keys = [0; LANES];
        let mut draws = vec![[0.0; LANES]; self.model.params()];
        let mut first = block.start;
        while first < block.end {
            // A long window makes long blocks: stop within a batch of an interruption (the
            // block's partial results are then discarded by `for_each_block`).
            if INTERRUPTED.load(Ordering::Relaxed) {
                return;
            }
            let count = (block.end - first).min(LANES as u64) as usize;
            trial_keys(self.seed, first, count, &mut keys);
            self.model
                .trials_lanes(self.estimator, &keys, &mut draws, lanes);
            visit(first, count, &draws, lanes);
            first += count as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Catalog;
    use crate::tally::{TRIAL_ONE, quantum};

    /// The lane-by-lane tally equals the trial-by-trial one of the scalar loop to the bit,
    /// whole batches and short ones, under both estimators, and so do the records (signing
    /// months, events, exits, draws) that samples are written from.
    #[test]
    fn tally_block_equals_trial_by_trial_sums() {
        let scenario = Catalog::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
            .load("baseline", &[])
            .expect("shipped scenario");
        let model = Model::new(&scenario);
        for estimator in [Estimator::Conditional, Estimator::Indicator] {
            let engine = Engine {
                model: &model,
                seed: 11,
                estimator,
            };
            for block in [0..BLOCK, 5..1003, 4096..4099] {
                let mut expected = BlockTally::new(model.months());
                let mut records = Vec::new();
                engine.for_each_scalar_trial(block.clone(), |r| {
                    expected.add(r.cumulative);
                    records.push(record_bits(&r));
                });
                assert_eq!(engine.tally_block(block.clone()), expected, "{block:?}");
                assert_eq!(expected.trials, block.end - block.start);
                let mut lanes = Vec::new();
                engine.for_each_trial(block.clone(), |r| lanes.push(record_bits(&r)));
                assert!(lanes == records, "{estimator:?} {block:?}");
                if estimator == Estimator::Indicator && block.end - block.start > 1000 {
                    assert!(records.iter().filter(|r| r.1.is_some()).count() > 5);
                }
            }
        }
    }

    /// A trial's record as bits: trial, signing month, exits, events, draws, cumulative.
    type RecordBits = (
        u64,
        Option<usize>,
        Vec<usize>,
        Vec<usize>,
        Vec<u64>,
        Vec<u64>,
    );

    fn record_bits(r: &TrialRecord<'_>) -> RecordBits {
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect();
        (
            r.trial,
            r.signed_month,
            r.exits.to_vec(),
            r.events.to_vec(),
            bits(r.draws),
            bits(r.cumulative),
        )
    }

    /// Real tallies of both estimators pass [`Tally::check`], split or not; each kind of
    /// tampering breaks one of its invariants.
    #[test]
    fn tallies_keep_their_invariants_and_tampering_breaks_them() {
        let scenario = Catalog::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
            .load("baseline", &[])
            .expect("shipped scenario");
        let model = Model::new(&scenario);
        let months = model.months();
        for estimator in [Estimator::Conditional, Estimator::Indicator] {
            let engine = Engine {
                model: &model,
                seed: 3,
                estimator,
            };
            for range in [0..5000, 17..18, 9..9] {
                let tally = engine.run(range.clone(), None, &|_| {}).expect("run");
                let n = range.end - range.start;
                assert_eq!(tally.check(estimator, n, months), Ok(()), "{range:?}");
                assert!(tally.check(estimator, n + 1, months).is_err());
                assert!(tally.check(estimator, n, months + 1).is_err());
            }
            let tally = engine.run(0..5000, None, &|_| {}).expect("run");
            let broken = |edit: &dyn Fn(&mut Tally), why: &str| {
                let mut t = tally.clone();
                edit(&mut t);
                let err = t.check(estimator, 5000, months).expect_err(why);
                assert!(err.contains(why), "{estimator:?}: {err}");
            };
            broken(&|t| t.sum[5] = t.sum[4] - 4096, "below those of month 5");
            broken(&|t| t.sum[3] += 1, "whole numbers of per-trial quanta");
            broken(&|t| t.sum_sq[19] = t.sum[19] + 4096, "exceeds the sum");
            broken(&|t| t.sum[19] = 5001 << 62, "exceed the number of trials");
            broken(&|t| t.sum_cross.truncate(19), "cover 20, 20 and 19 months");
            broken(
                &|t| t.sum_cross[7] += 1,
                "is not a whole number of per-trial quanta",
            );
            broken(&|t| t.sum_cross[7] = t.sum_sq[7] - 4096, "is outside [Σc²");
            broken(&|t| t.sum_cross[19] += 4096, "is outside [Σc²");
            if estimator == Estimator::Conditional {
                broken(
                    &|t| t.sum.iter_mut().for_each(|x| *x *= 5),
                    "(Σc)² exceeds trials · Σc²",
                );
                // Within its bounds, but more than Cauchy–Schwarz allows.
                broken(
                    &|t| t.sum_cross[10] = t.sum[10].min(t.sum_sq[19]),
                    "squared exceeds Σc² · Σc_last²",
                );
                broken(
                    &|t| t.sum_cross[10] = t.sum_cross[9] - 4096,
                    "below that of the month before",
                );
                // One quantum more than the rounding allows, still below the month's sum.
                broken(
                    &|t| {
                        t.sum_sq[12] =
                            t.sum_sq[11] + 2 * (t.sum[12] - t.sum[11]) + 3 * 5000 * 4096 + 4096;
                        assert!(t.sum_sq[12] <= t.sum[12]);
                    },
                    "rises more",
                );
            } else {
                broken(
                    &|t| {
                        t.sum[19] += 4096;
                        t.sum_sq[19] += 4096;
                    },
                    "whole number of signed trials",
                );
            }
        }
    }

    /// A tally of the given trials' cumulative probabilities.
    fn tally_of(trials: &[&[f64]]) -> Tally {
        let mut block = BlockTally::new(trials[0].len());
        for trial in trials {
            block.add(trial);
        }
        let mut tally = Tally::new(trials[0].len());
        tally.add_block(&block);
        tally
    }

    /// The remaining probability of small tallies, by hand: indicator counts, constant
    /// conditional trials (no spread: a point interval), and nothing left once every trial
    /// has signed.
    #[test]
    fn remaining_probability_by_hand() {
        let tally = tally_of(&[&[0.0, 1.0, 1.0], &[0.0, 0.0, 1.0], &[0.0; 3], &[1.0; 3]]);
        assert_eq!(tally.check(Estimator::Indicator, 4, 3), Ok(()));
        let indicator = |t| {
            tally
                .remaining(Estimator::Indicator, t)
                .expect("something left")
        };
        assert_eq!(
            indicator(0),
            tally.estimate(Estimator::Indicator, 2),
            "month 0 is the summary"
        );
        // Month 1: 3 trials had not signed, 2 of them sign later; month 2: 1 of 2.
        for (t, k, m) in [(1, 2.0, 3.0), (2, 1.0, 2.0)] {
            let r = indicator(t);
            assert_eq!(r.probability, k / m);
            assert_eq!(
                (r.ci95_low, r.ci95_high),
                crate::stats::binomial_bounds(k, m),
                "month {t}"
            );
        }
        // Constant trials: c_t = 1 − 0.9^(t+1), so R_t = 1 − 0.9^(3−t).
        let c: [f64; 3] = std::array::from_fn(|t| 1.0 - 0.9f64.powi(t as i32 + 1));
        let tally = tally_of(&[&c[..]; 5]);
        assert_eq!(tally.check(Estimator::Conditional, 5, 3), Ok(()));
        for t in 0..3 {
            let r = tally
                .remaining(Estimator::Conditional, t)
                .expect("something left");
            let exact = 1.0 - 0.9f64.powi(3 - t as i32);
            assert!((r.probability - exact).abs() < 1e-12, "month {t}: {r:?}");
            // No spread: nothing below; above, room for trials too rare to show in 5.
            let unseen = exact + (1.0 - exact) * crate::stats::none_seen(5.0);
            assert!(
                (r.ci95_low - exact).abs() < 1e-6 && (r.ci95_high - unseen).abs() < 1e-6,
                "month {t}: {r:?} against [{exact}, {unseen}]"
            );
        }
        // Every trial signed in month 0: nothing is left from month 1 on.
        let tally = tally_of(&[&[1.0, 1.0], &[1.0, 1.0]]);
        for estimator in [Estimator::Conditional, Estimator::Indicator] {
            assert_eq!(tally.check(estimator, 2, 2), Ok(()));
            assert_eq!(
                tally.remaining(estimator, 0),
                Some(tally.estimate(estimator, 1))
            );
            assert_eq!(tally.remaining(estimator, 1), None);
        }
        assert_eq!(Tally::new(0).remaining(Estimator::Conditional, 0), None);
    }

    #[test]
    fn quantum_rounds_to_the_nearest_step() {
        assert_eq!(quantum(0.0), 0);
        assert_eq!(quantum(1.0), 1 << 50);
        assert_eq!(quantum(0.5), 1 << 49);
        assert_eq!(quantum(2.6 / TRIAL_ONE), 3);
        assert_eq!(quantum(2.4 / TRIAL_ONE), 2);
        assert_eq!(fixed(-0.5), -(1 << 61));
    }

    /// The blocks a test of [`for_each_block`]'s ordered path saw merged, in order.
    #[derive(Default)]
    struct Seen(Vec<Range<u64>>);

    impl Accumulator for Seen {
        fn merge(&mut self, other: Self) {
            self.0.extend(other.0);
        }
        fn trials(&self) -> u64 {
            self.0.iter().map(|b| b.end - b.start).sum()
        }
    }

    fn in_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(work)
    }

    /// Streamed blocks reach the writer whole and in trial order whatever the thread count
    /// and however unevenly they finish, and with a slow writer no more than
    /// [`STREAMED_BLOCKS_PER_THREAD`] a thread are ever held (simulated, waiting or being
    /// written): the memory estimate's promise.
    #[test]
    fn streamed_blocks_arrive_in_order_within_the_window() {
        use std::sync::atomic::AtomicUsize;
        let range = 10..BLOCK * 37 + 5;
        let expected: Vec<Range<u64>> = blocks(range.clone()).collect();
        for threads in [1, 2, 3, 4] {
            let live = AtomicUsize::new(0);
            let most = AtomicUsize::new(0);
            let per_block = |block: Range<u64>, seen: &mut Seen, bytes: &mut Vec<u8>| {
                let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Uneven block times, so that blocks finish out of order.
                let pause = (block.start / BLOCK * 7919) % 5;
                std::thread::sleep(std::time::Duration::from_micros(300 * pause));
                bytes.extend_from_slice(&block.start.to_le_bytes());
                bytes.extend_from_slice(&block.end.to_le_bytes());
                seen.0.push(block);
            };
            let mut written = Vec::new();
            let mut write = |bytes: Vec<u8>| -> Result<()> {
                let number =
                    |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
                written.push(number(0)..number(8));
                // A slow writer (a busy disk): the workers run ahead until the window is full.
                std::thread::sleep(std::time::Duration::from_millis(1));
                live.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            };
            let reports = Mutex::new(Vec::new());
            let progress = |done: u64| reports.lock().expect("reports").push(done);
            let seen = in_threads(threads, || {
                for_each_block(
                    range.clone(),
                    Seen::default,
                    per_block,
                    Some(&mut write),
                    &progress,
                )
            })
            .expect("no error");
            assert_eq!(seen.0, expected, "{threads} threads");
            assert_eq!(written, expected, "{threads} threads");
            let bound = threads * STREAMED_BLOCKS_PER_THREAD;
            assert!(most.into_inner() <= bound, "{threads} threads");
            let reports = reports.into_inner().expect("reports");
            assert!(reports.is_sorted(), "{reports:?}");
            assert_eq!(reports.last(), Some(&(range.end - range.start)));
        }
    }

    /// A writer's error ends the run with that error, and no block is started once the
    /// window has drained; a block that panics panics the run instead of leaving the other
    /// threads waiting for it.
    #[test]
    fn streamed_blocks_stop_on_an_error_or_a_panic() {
        use std::sync::atomic::AtomicUsize;
        for threads in [1, 2, 4] {
            let started = AtomicUsize::new(0);
            let per_block = |block: Range<u64>, seen: &mut Seen, _: &mut Vec<u8>| {
                started.fetch_add(1, Ordering::SeqCst);
                seen.0.push(block);
            };
            let mut writes = 0;
            let mut write = |_: Vec<u8>| -> Result<()> {
                writes += 1;
                if writes == 3 {
                    return Err(Error::Invalid("disk full".into()));
                }
                Ok(())
            };
            let outcome = in_threads(threads, || {
                for_each_block(
                    0..BLOCK * 100,
                    Seen::default,
                    per_block,
                    Some(&mut write),
                    &|_| {},
                )
            });
            assert!(
                matches!(&outcome, Err(Error::Invalid(m)) if m == "disk full"),
                "{threads} threads"
            );
            assert_eq!(writes, 3);
            let bound = 3 + threads * STREAMED_BLOCKS_PER_THREAD;
            assert!(started.into_inner() <= bound, "{threads} threads");

            let panicking = |block: Range<u64>, seen: &mut Seen, _: &mut Vec<u8>| {
                assert_ne!(block.start, 5 * BLOCK, "block 5 fails");
                seen.0.push(block);
            };
            let mut sink = |_: Vec<u8>| -> Result<()> { Ok(()) };
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                in_threads(threads, || {
                    for_each_block(
                        0..BLOCK * 100,
                        Seen::default,
                        panicking,
                        Some(&mut sink),
                        &|_| {},
                    )
                })
            }));
            assert!(outcome.is_err(), "{threads} threads");
        }
    }
}
