//! The library's entry points: what the command line and the Python package both call.
//!
//! Each takes plain values and an options struct of [`crate::options`] and returns values;
//! writing files is a separate step ([`write()`]). See the crate's front page for an example of
//! each.

use crate::engine::{Engine, Samples, Tally};
use crate::error::{Error, Result};
use crate::export::{self, RunSummary};
use crate::model::Model;
use crate::scenario::{Catalog, Override, Scenario};
use crate::shard::{self, Payload, ShardFile};
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use crate::options::{LoadOptions, RunOptions, Shard};

mod merge;
mod pool;
mod score;
pub use merge::{
    MergeOptions, Merged, MergedOutput, SamplesPart, Shards, Written, merge, merge_runs,
    write_merged,
};
pub use pool::{
    Method, POOL_HEADER, PoolOptions, PoolResult, add_member, pool, pool_forecasts, pool_memory,
    pool_weights, refuse_shard, write_pool,
};
pub use score::{
    CALIBRATION_HEADER, SCORES_HEADER, Scorable, ScoreResult, Scored, Scores, Skip, WrittenScores,
    calibration_csv, read_scores, run_folders, score, score_out, score_run, write_scores,
};

/// Loads, resolves and validates the scenario `name` (a name on the search path, or a path
/// ending in `.toml` or containing `/`), applying `options.overrides` last.
///
/// # Errors
/// Invalid input, naming file, line, column, key, what is wrong and what is accepted.
pub fn load(name: &str, options: &LoadOptions) -> Result<Scenario> {
    Catalog::with_search_path(options.scenarios.clone()).load(name, &options.overrides)
}

/// The scenario a self-contained TOML text describes (no `extends`), named `name`, with
/// `overrides` applied last.
///
/// # Errors
/// Invalid input, naming `name` as the file.
pub fn from_toml(name: &str, text: &str, overrides: &[Override]) -> Result<Scenario> {
    if !crate::scenario::valid_new_name(name) {
        return Err(Error::Invalid(crate::scenario::name_rule(
            "the scenario",
            name,
        )));
    }
    crate::scenario::from_text(name, Path::new(&format!("{name}.toml")), text, overrides)
}

/// An override `KEY=VALUE`, as `--set` takes it.
///
/// # Errors
/// Invalid input when `arg` has no `=`.
pub fn parse_override(arg: &str) -> Result<Override> {
    arg.parse().map_err(Error::Invalid)
}

/// `scenario` with `options.trials` and `options.seed` applied: what a run of it simulates.
pub fn resolve(scenario: &Scenario, options: &RunOptions) -> Scenario {
    let mut scenario = scenario.clone();
    if let Some(trials) = options.trials {
        scenario.simulation.trials = trials;
    }
    if let Some(seed) = options.seed {
        scenario.simulation.seed = seed;
    }
    scenario
}

/// Runs `work` on a pool of `threads` workers (all cores by default; at most
/// [`crate::memory::worker_cap`], see [`crate::memory::threads`]).
///
/// # Errors
/// [`Error::Invalid`] for `threads` outside 1 to [`crate::memory::MAX_THREADS`] (the command
/// line refuses them first; the Python package's `threads=` comes here); whatever `work`
/// fails with, or a pool that cannot start.
pub fn in_pool<T: Send>(
    threads: Option<u32>,
    work: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    if let Some(n) = threads.filter(|n| !(1..=crate::memory::MAX_THREADS).contains(n)) {
        return Err(Error::Invalid(format!(
            "threads: {n} is not a number of threads; accepted: 1 to {}, or none for all cores",
            crate::memory::MAX_THREADS
        )));
    }
    // As many workers as `memory::threads` counts (capped: results never depend on it).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(crate::memory::threads(threads))
        .build()
        .map_err(|e| Error::Io {
            context: "could not start worker threads".into(),
            source: std::io::Error::other(e),
        })?;
    pool.install(work)
}

/// The tally of a run: trials `range` of `engine`, or under `precision` (a half-width, capped
/// at `max_trials` trials) as many as it takes ([`crate::precision::run_to_precision`]).
/// Per-trial records go to `samples` in trial order; `progress` gets the trials done in the
/// range. `run` and the command line's `run` both call it.
///
/// # Errors
/// Interruption, or an error of the samples writer.
pub fn tally(
    engine: &Engine<'_>,
    range: Range<u64>,
    precision: Option<(f64, u64)>,
    mut samples: Option<Samples<'_>>,
    progress: &dyn Fn(u64),
) -> Result<Tally> {
    let start = range.start;
    let mut run_chunk = |chunk: Range<u64>| {
        let first = chunk.start;
        let progress = |done| progress(first - start + done);
        let samples = samples.as_mut().map(|(format, write)| {
            let write: crate::engine::BlockWriter<'_> = &mut **write;
            (*format, write)
        });
        engine.run(chunk, samples, &progress)
    };
    match precision {
        Some((half_width, max_trials)) => {
            Ok(
                crate::precision::run_to_precision(engine, half_width, max_trials, &mut run_chunk)?
                    .tally,
            )
        }
        None => run_chunk(range),
    }
}

/// A finished run: what [`write()`] publishes.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// The scenario as run (trials and seed of the options applied).
    pub scenario: Scenario,
    /// The `--set` arguments as given, for `run.toml`.
    pub overrides: Vec<String>,
    /// The estimates' tally and what names them; `summary_csv` and `timeline_csv` give the
    /// CLI's CSV bytes.
    pub summary: RunSummary,
    /// `samples.csv`'s bytes, when asked for (`options.samples`, CSV only in memory).
    pub samples: Option<Vec<u8>>,
    /// The resolved scenario's text for `run.toml` (a merge keeps the shards').
    pub resolved: String,
}

impl RunResult {
    /// The run's estimate by the deadline.
    pub fn estimate(&self) -> crate::stats::Estimate {
        self.summary.estimate()
    }

    /// What produced it, for `run.toml`.
    pub fn record(&self) -> export::Record {
        export::Record {
            command: export::provenance::command_line(),
            scenario: self.scenario.origin.clone(),
            estimator: self.summary.estimator.name().to_string(),
            trials: self.summary.tally.trials,
            seed: self.scenario.simulation.seed,
            overrides: self.overrides.clone(),
            resolved: self.resolved.clone(),
        }
    }
}

/// The `--set` arguments as given, of `overrides`.
pub fn override_args(overrides: &[Override]) -> Vec<String> {
    overrides.iter().map(|o| o.arg.clone()).collect()
}

/// Runs `scenario` (unsharded) on `options.threads` workers and returns its estimates;
/// `overrides` are the `--set` arguments it was loaded with, recorded in `run.toml` by
/// [`write()`]. With `options.samples` (CSV), every trial's draws are kept in memory as
/// `samples.csv`'s bytes.
///
/// # Errors
/// Invalid options (a shard: use [`run_shard`]; Parquet samples), interruption.
pub fn run(scenario: &Scenario, overrides: &[Override], options: &RunOptions) -> Result<RunResult> {
    run_with_progress(scenario, overrides, options, &|_| {})
}

/// [`run`], calling `progress` with the trials done after each wave of blocks.
///
/// # Errors
/// As [`run`].
pub fn run_with_progress(
    scenario: &Scenario,
    overrides: &[Override],
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult> {
    if options.shard.is_some() {
        return Err(Error::Invalid(
            "a sharded run returns a shard file: call run_shard".into(),
        ));
    }
    let scenario = resolve(scenario, options);
    let sim = scenario.simulation;
    let model = Model::new(&scenario);
    let engine = Engine {
        model: &model,
        seed: sim.seed,
        estimator: options.estimator,
    };
    let precision = options.precision.map(|h| (h, options.max_trials));
    let (tally, samples) = match options.samples {
        None => (
            in_pool(options.threads, || {
                tally(&engine, 0..sim.trials, precision, None, progress)
            })?,
            None,
        ),
        Some(export::SamplesFormat::Csv) => {
            let format = export::SampleFormat::new(&scenario, &model, options.estimator);
            let records = export::SamplesFormat::Csv.records(&format);
            let mut bytes = format.header().as_bytes().to_vec();
            let tally = in_pool(options.threads, || {
                let mut write = |rows: Vec<u8>| {
                    bytes.extend_from_slice(&rows);
                    Ok(())
                };
                tally(
                    &engine,
                    0..sim.trials,
                    precision,
                    Some((records.as_ref(), &mut write)),
                    progress,
                )
            })?;
            (tally, Some(bytes))
        }
        Some(export::SamplesFormat::Parquet) => {
            return Err(Error::Invalid(
                "samples in memory are CSV; write Parquet with the command line".into(),
            ));
        }
    };
    Ok(RunResult {
        summary: RunSummary {
            scenario: scenario.name.clone(),
            estimator: options.estimator,
            seed: sim.seed,
            start: sim.start,
            deadline: sim.deadline,
            tally,
            timeline: None,
            overrides: override_args(overrides),
        },
        overrides: override_args(overrides),
        resolved: scenario.to_toml(),
        scenario,
        samples,
    })
}

/// Runs shard `shard` of `scenario`'s trials and returns its shard file (SPEC §9), as
/// `run --shard K/N` writes it: [`merge_runs`] combines a complete set.
///
/// # Errors
/// Interruption.
pub fn run_shard(
    scenario: &Scenario,
    overrides: &[Override],
    options: &RunOptions,
    shard: Shard,
) -> Result<ShardFile> {
    let scenario = resolve(scenario, options);
    let sim = scenario.simulation;
    let model = Model::new(&scenario);
    let engine = Engine {
        model: &model,
        seed: sim.seed,
        estimator: options.estimator,
    };
    let range = shard::range(shard, sim.trials);
    let tally = in_pool(options.threads, || {
        tally(&engine, range, None, None, &|_| {})
    })?;
    Ok(ShardFile::new(
        "run".into(),
        &scenario,
        options.estimator,
        shard,
        None,
        Payload::Run(tally),
    )?
    .with_provenance(override_args(overrides)))
}

/// Writes a run's files into `<out>/NAME/` (summary.csv, timeline.csv, run.toml and, when
/// kept, samples.csv) and its row of `<out>/summary.csv`, all at once under the lock on `out`,
/// exactly as `treatysim run` writes them.
///
/// # Errors
/// Invalid input (the folder holds another scenario's results), I/O errors.
pub fn write(out: &Path, result: &RunResult) -> Result<()> {
    let name = &result.summary.scenario;
    crate::export::check_outputs(out, &[name])?;
    let samples = match &result.samples {
        Some(bytes) => {
            let folder = export::publish::folder_path(out, name)?;
            std::fs::create_dir_all(&folder).map_err(|e| Error::io("create", &folder, e))?;
            let path = folder.join(export::SamplesFormat::Csv.file_name());
            let mut file = export::AtomicFile::create(&path)?;
            file.write_all(bytes)
                .map_err(|e| Error::io("write", &path, e))?;
            Some((export::SamplesFormat::Csv, file))
        }
        None => None,
    };
    export::publish_run(out, &result.summary, result.record(), Vec::new(), samples)
}

pub use crate::analysis::sweep::Axis;

/// A finished sweep: every point's tally on the same trials.
#[derive(Clone, Debug)]
pub struct SweepResult {
    /// The scenario's name.
    pub scenario: String,
    /// The swept keys.
    pub keys: Vec<String>,
    /// Each point's values, the first key varying slowest.
    pub points: Vec<Vec<f64>>,
    /// Each point's tally.
    pub tallies: Vec<Tally>,
    /// The seed.
    pub seed: u64,
    /// The estimator.
    pub estimator: crate::model::Estimator,
}

impl SweepResult {
    /// `sweep-KEY[-KEY2].csv`'s bytes, as `treatysim sweep` writes them.
    pub fn csv(&self) -> Vec<u8> {
        crate::analysis::sweep::sweep_csv(
            &self.scenario,
            &self.keys,
            &self.points,
            &self.tallies,
            self.seed,
            self.estimator,
        )
    }
}

/// Publishes `<out>/<scenario>/sweep-KEY[-KEY2].csv` of `sweep` with `record` in `run.toml`
/// (and `shard_command`, the first shard's command line, for merged shards; else empty), as
/// `treatysim sweep` and `treatysim merge` write it; returns the file's path.
///
/// # Errors
/// Invalid input (keys that name no file), I/O errors.
pub fn write_sweep(
    out: &Path,
    sweep: &SweepResult,
    record: export::Record,
    shard_command: Vec<String>,
) -> Result<PathBuf> {
    let output = crate::analysis::sweep::sweep_output(&sweep.keys)?;
    let file = format!("{output}.csv");
    let path = export::publish::folder_path(out, &sweep.scenario)?.join(&file);
    export::publish_analysis(
        out,
        export::Publication {
            name: sweep.scenario.clone(),
            files: vec![(file, export::Content::Bytes(sweep.csv()))],
            output: Some(output),
            record,
            shard_command,
        },
    )?;
    Ok(path)
}

/// Sweeps `scenario` over one or two axes: every point of their grid on the same trials
/// (common random numbers), as `treatysim sweep` does. `load` loads the scenario again with
/// a point's overrides (after its own), as the command line loads it with `--param`.
///
/// # Errors
/// Invalid input (more than two axes, a key the scenario lacks, too many points, a value out
/// of its domain), interruption.
pub fn sweep(
    scenario: &Scenario,
    axes: &[Axis],
    load: &dyn Fn(&[Override]) -> Result<Scenario>,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SweepResult> {
    use crate::analysis::sweep::{MAX_POINTS, check_key, grid, point_overrides, run_points};
    if axes.is_empty() || axes.len() > 2 || (axes.len() == 2 && axes[0].key == axes[1].key) {
        return Err(Error::Invalid(
            "sweep takes one or two different --param".into(),
        ));
    }
    let total: u64 = axes.iter().map(|a| a.values.len() as u64).product();
    if total == 0 || total > MAX_POINTS {
        return Err(Error::Invalid(format!(
            "the sweep's grid has {total} points; from 1 to {MAX_POINTS} are accepted"
        )));
    }
    let unswept = resolve(scenario, options);
    for axis in axes {
        check_key(&axis.key, &unswept)?;
    }
    let keys: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    crate::analysis::sweep::sweep_output(&keys)?;
    let points = grid(axes);
    let models = points
        .iter()
        .map(|point| Ok(Model::new(&load(&point_overrides(axes, point))?)))
        .collect::<Result<Vec<_>>>()?;
    let sim = unswept.simulation;
    let tallies = in_pool(options.threads, || {
        run_points(
            &models,
            sim.seed,
            options.estimator,
            0..sim.trials,
            progress,
        )
    })?;
    Ok(SweepResult {
        scenario: unswept.name.clone(),
        keys,
        points,
        tallies: tallies.0,
        seed: sim.seed,
        estimator: options.estimator,
    })
}

/// A finished sensitivity study (SPEC §8): its tally and the bins the pilot set.
#[derive(Clone, Debug)]
pub struct SensitivityResult {
    /// The scenario as run (trials and seed of the options applied).
    pub scenario: Scenario,
    /// The estimator.
    pub estimator: crate::model::Estimator,
    /// The study's sums.
    pub tally: crate::analysis::sensitivity::SensitivityTally,
    /// Each uncertain parameter's factor and quantile bins.
    pub bins: Vec<crate::analysis::sensitivity::Bins>,
}

impl SensitivityResult {
    /// The indices, and the bytes of `sensitivity.csv` and `sensitivity_bins.csv` as
    /// `treatysim sensitivity` writes them.
    pub fn tables(&self) -> (crate::analysis::sensitivity::Summary, Vec<u8>, Vec<u8>) {
        crate::analysis::sensitivity::tables(self.run(), &self.tally, &self.bins)
    }

    /// What names the study in its tables and report: scenario, trials, seed, estimator.
    pub fn run(&self) -> crate::analysis::sensitivity::Run<'_> {
        let sim = &self.scenario.simulation;
        crate::analysis::sensitivity::Run {
            scenario: &self.scenario.name,
            trials: sim.trials,
            seed: sim.seed,
            estimator: self.estimator,
        }
    }
}

/// Publishes `sensitivity.csv` and `sensitivity_bins.csv` of a complete study, together,
/// with `record` in `run.toml` (and `shard_command` for merged shards; else empty), as
/// `treatysim sensitivity` and `treatysim merge` write them; returns the indices.
///
/// # Errors
/// I/O errors.
pub fn write_sensitivity(
    out: &Path,
    study: &SensitivityResult,
    record: export::Record,
    shard_command: Vec<String>,
) -> Result<crate::analysis::sensitivity::Summary> {
    let (summary, table, bins_table) = study.tables();
    export::publish_analysis(
        out,
        export::Publication {
            name: study.scenario.name.clone(),
            files: vec![
                ("sensitivity.csv".into(), export::Content::Bytes(table)),
                (
                    "sensitivity_bins.csv".into(),
                    export::Content::Bytes(bins_table),
                ),
            ],
            output: Some("sensitivity".into()),
            record,
            shard_command,
        },
    )?;
    Ok(summary)
}

/// The uncertain parameters of a study, with their keys.
pub type Params = Vec<(crate::cast::ParamId, String)>;

/// The parameters a sensitivity study of `scenario` ranks (its uncertain ones, with their
/// keys) and the factor each belongs to (correlated parameters share one).
///
/// # Errors
/// Invalid input when every parameter is a constant.
pub fn sensitivity_factors(scenario: &Scenario) -> Result<(Params, Vec<usize>)> {
    let uncertain = scenario.uncertain();
    if uncertain.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: every parameter is a constant; nothing to rank",
            scenario.name
        )));
    }
    Ok(crate::analysis::sensitivity::study_params(scenario))
}

/// Sobol indices of `scenario`'s uncertain parameters and of chance, and the tornado's bins
/// (`bins` quantile bins a parameter), as `treatysim sensitivity` computes them; with
/// `options.shard`, only that shard's trials (the bins come from the same pilot in every
/// shard). `progress` gets the trials done.
///
/// # Errors
/// Invalid input (no uncertain parameter, fewer trials than bins), interruption.
pub fn sensitivity(
    scenario: &Scenario,
    bins: usize,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SensitivityResult> {
    use crate::analysis::sensitivity::{Study, design};
    let scenario = resolve(scenario, options);
    let (params, factor_of) = sensitivity_factors(&scenario)?;
    let sim = scenario.simulation;
    if !(2..=crate::analysis::sensitivity::MAX_BINS).contains(&bins) {
        return Err(Error::Invalid(format!(
            "bins: {bins} is not a number of bins; accepted: 2 to 1000"
        )));
    }
    if sim.trials < bins as u64 {
        return Err(Error::Invalid(format!(
            "--bins {bins} needs at least {bins} trials, not {}",
            sim.trials
        )));
    }
    let model = Model::new(&scenario);
    let range = options
        .shard
        .map_or(0..sim.trials, |s| shard::range(s, sim.trials));
    let estimator = options.estimator;
    let (tally, bins) = in_pool(options.threads, || {
        // The bins come from the first trials' draws, in each shard alike.
        let bins = design(&model, sim.seed, sim.trials, &params, &factor_of, bins)?;
        let study = Study::new(&model, sim.seed, estimator, &bins);
        let tally = study.tally(range, progress)?;
        Ok((tally, bins))
    })?;
    Ok(SensitivityResult {
        scenario,
        estimator,
        tally,
        bins,
    })
}

/// A finished comparison: both scenarios on the same trials and the paired difference.
#[derive(Clone, Debug)]
pub struct CompareResult {
    /// A's name.
    pub a: String,
    /// B's name.
    pub b: String,
    /// The sums.
    pub tally: crate::analysis::compare::PairedTally,
    /// The seed (A's, unless the options set one).
    pub seed: u64,
    /// The estimator.
    pub estimator: crate::model::Estimator,
}

impl CompareResult {
    /// `compare-A-vs-B.csv`'s bytes, as `treatysim compare` writes them.
    pub fn csv(&self) -> Vec<u8> {
        crate::analysis::compare::compare_csv(
            &self.a,
            &self.b,
            &self.tally,
            self.seed,
            self.estimator,
        )
    }
}

/// Refuses to compare `a` with `b` unless they share the window.
///
/// # Errors
/// Invalid input naming both windows.
pub fn same_window(a: &Scenario, b: &Scenario) -> Result<()> {
    if a.simulation.start != b.simulation.start || a.simulation.deadline != b.simulation.deadline {
        return Err(Error::Invalid(format!(
            "compare needs the same window: {} runs {} to {}, {} runs {} to {}",
            a.name,
            a.simulation.start,
            a.simulation.deadline,
            b.name,
            b.simulation.start,
            b.simulation.deadline
        )));
    }
    Ok(())
}

/// Runs `a` and `b` on the same trials (A's trials and seed unless the options set them) and
/// estimates their paired difference, as `treatysim compare` does.
///
/// # Errors
/// Invalid input (different windows), interruption.
pub fn compare(
    a: &Scenario,
    b: &Scenario,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<CompareResult> {
    let a = resolve(a, options);
    let mut b = resolve(b, options);
    same_window(&a, &b)?;
    b.simulation.trials = a.simulation.trials;
    b.simulation.seed = a.simulation.seed;
    let (model_a, model_b) = (Model::new(&a), Model::new(&b));
    let (seed, trials, estimator) = (a.simulation.seed, a.simulation.trials, options.estimator);
    let engine = |model| Engine {
        model,
        seed,
        estimator,
    };
    let (engine_a, engine_b) = (engine(&model_a), engine(&model_b));
    let tally = in_pool(options.threads, || {
        crate::analysis::compare::paired(&engine_a, &engine_b, 0..trials, progress)
    })?;
    Ok(CompareResult {
        a: a.name.clone(),
        b: b.name.clone(),
        tally,
        seed,
        estimator,
    })
}

/// A finished explanation (SPEC §8 "explain"): the central path, the diagnostic run and the
/// strongest reasons.
#[derive(Clone, Debug)]
pub struct ExplainResult {
    /// The scenario as explained (trials and seed applied).
    pub scenario: Scenario,
    /// The explanation.
    pub explanation: crate::analysis::explain::Explanation,
}

impl ExplainResult {
    /// `explain.csv`'s bytes, as `treatysim explain` writes them.
    pub fn csv(&self) -> Vec<u8> {
        let rows = self.explanation.rows(&self.scenario, &self.scenario.name);
        export::csv_bytes(&crate::analysis::explain::HEADER, rows)
    }

    /// The text `treatysim explain` prints.
    pub fn report(&self) -> String {
        self.explanation.report(&self.scenario, &self.scenario.name)
    }
}

/// Explains `scenario`'s probability as `treatysim explain` does; `options.trials` defaults to
/// the diagnostic's own default, not the scenario's. Conditional estimator only.
///
/// # Errors
/// Invalid input (the indicator estimator), interruption.
pub fn explain(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ExplainResult> {
    use crate::analysis::explain::{DEFAULT_TRIALS, Diagnostic, Explanation};
    if options.estimator != crate::model::Estimator::Conditional {
        return Err(Error::Invalid(
            "explain: --estimator indicator is not available: the diagnostic weighs every month \
             by its chance of a summit with no treaty yet, as the conditional estimator does; \
             leave --estimator out"
                .into(),
        ));
    }
    let mut scenario = resolve(scenario, options);
    let trials = options.trials.unwrap_or(DEFAULT_TRIALS);
    scenario.simulation.trials = trials;
    let model = Model::new(&scenario);
    let diagnostic = Diagnostic {
        model: &model,
        seed: scenario.simulation.seed,
        events: scenario.events.len(),
        issues: scenario.cast.issues.len(),
    };
    let tally = in_pool(options.threads, || diagnostic.run(0..trials, progress))?;
    let explanation = Explanation::new(&scenario, &tally);
    Ok(ExplainResult {
        scenario,
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Python package passes `threads=` here unchecked: more than 4096 (or 0) is invalid
    /// input, as on the command line, and a pool never holds more than `worker_cap` workers.
    #[test]
    fn a_pool_refuses_threads_out_of_range_and_caps_its_workers() {
        for n in [0, crate::memory::MAX_THREADS + 1, u32::MAX] {
            let refused = in_pool(Some(n), || Ok(()));
            assert!(
                matches!(&refused, Err(Error::Invalid(m)) if m.contains("1 to 4096")),
                "{n}: {refused:?}"
            );
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = in_pool(Some(crate::memory::MAX_THREADS), || {
            Ok(rayon::current_num_threads())
        });
        assert_eq!(workers.ok(), Some(crate::memory::worker_cap(cores)));
        assert_eq!(
            in_pool(Some(3), || Ok(rayon::current_num_threads())).ok(),
            Some(3)
        );
    }
}
