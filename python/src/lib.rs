//! `treatysim._treatysim`: the Python package's native side (SPEC §12). It converts Python
//! values into the library's options, calls `treatysim::api`, and hands back numbers and the
//! CLI's CSV bytes; the package's Python code (python/treatysim/) builds the DataFrames. No
//! simulation or scenario reading happens here.
//!
//! Every simulating call releases the GIL and runs the engine on a worker thread while this
//! thread, every 50 ms, takes the GIL back to report progress and check for signals: a
//! KeyboardInterrupt sets the engine's interrupt flag, which its loop polls between blocks.

use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use treatysim::api::{self, LoadOptions, RunOptions, Shard};
use treatysim::engine::INTERRUPTED;
use treatysim::model::Estimator;
use treatysim::scenario::Override;
use treatysim::shard::seal::ShardKey;

/// The library's error as a Python exception: invalid input raises the package's
/// `ScenarioError` (a ValueError that parses path, line, column and key from the message),
/// an interruption KeyboardInterrupt, an I/O error OSError.
fn to_py(py: Python<'_>, error: treatysim::Error) -> PyErr {
    match error {
        treatysim::Error::Invalid(message) => py
            .import("treatysim")
            .and_then(|m| m.getattr("ScenarioError"))
            .and_then(|class| class.call1((message.clone(),)))
            .map_or_else(
                |_| PyValueError::new_err(message.clone()),
                PyErr::from_value,
            ),
        treatysim::Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
        other @ treatysim::Error::Io { .. } => PyOSError::new_err(other.to_string()),
    }
}

/// Where a scenario came from, so that `set` can load it again with one more override.
#[derive(Clone, Debug)]
enum Source {
    /// A name (or path) on a search path.
    Catalog {
        name: String,
        scenarios: Vec<PathBuf>,
    },
    /// A self-contained TOML text.
    Text { name: String, text: String },
}

/// A loaded, validated scenario (immutable: `set` returns a new one).
#[pyclass(module = "treatysim._treatysim", frozen, name = "NativeScenario")]
#[derive(Clone)]
struct NativeScenario {
    inner: treatysim::scenario::Scenario,
    source: Source,
    overrides: Vec<Override>,
    /// The label given with `named` (the command line's `--as`), kept through `set`.
    label: Option<String>,
}

impl NativeScenario {
    fn load(source: Source, overrides: Vec<Override>) -> treatysim::Result<NativeScenario> {
        let inner = match &source {
            Source::Catalog { name, scenarios } => api::load(
                name,
                &LoadOptions {
                    scenarios: scenarios.clone(),
                    overrides: overrides.clone(),
                },
            )?,
            Source::Text { name, text } => api::from_toml(name, text, &overrides)?,
        };
        Ok(NativeScenario {
            inner,
            source,
            overrides,
            label: None,
        })
    }

    /// This scenario named `label`: its name, and the label that `set` keeps.
    fn labelled(mut self, label: &str) -> NativeScenario {
        self.inner.name = label.to_string();
        self.label = Some(label.to_string());
        self
    }
}

#[pymethods]
impl NativeScenario {
    /// The scenario's name (its results go to `<out>/NAME/`).
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// Its one-line description.
    #[getter]
    fn description(&self) -> String {
        self.inner.description.clone()
    }

    /// `simulation.trials`.
    #[getter]
    fn trials(&self) -> u64 {
        self.inner.simulation.trials
    }

    /// `simulation.seed`.
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.simulation.seed
    }

    /// The override arguments applied, `KEY=VALUE` each, in order.
    #[getter]
    fn overrides(&self) -> Vec<String> {
        api::override_args(&self.overrides)
    }

    /// Warnings that do not stop a run: the validation's (an event outside the window, …),
    /// then each poorly fitted `"quantiles(…)"`, as the command line prints them.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        let fits = self
            .inner
            .poor_fits()
            .into_iter()
            .map(|(_, warning)| warning);
        self.inner.warnings.iter().cloned().chain(fits).collect()
    }

    /// The resolved scenario as TOML (what `treatysim show` prints).
    fn to_toml(&self) -> String {
        self.inner.to_toml()
    }

    /// A new scenario with the override `arg` (`KEY=VALUE`) applied after the others.
    fn set(&self, py: Python<'_>, arg: &str) -> PyResult<NativeScenario> {
        let mut overrides = self.overrides.clone();
        overrides.push(api::parse_override(arg).map_err(|e| to_py(py, e))?);
        let scenario =
            NativeScenario::load(self.source.clone(), overrides).map_err(|e| to_py(py, e))?;
        Ok(match &self.label {
            Some(label) => scenario.labelled(label),
            None => scenario,
        })
    }

    /// The same scenario under another name (the command line's `--as`): its results go to
    /// `<out>/LABEL/`, and comparisons and pools call it LABEL.
    fn named(&self, py: Python<'_>, label: &str) -> PyResult<NativeScenario> {
        if !treatysim::scenario::valid_new_name(label) {
            return Err(to_py(
                py,
                treatysim::Error::Invalid(format!(
                    "label: {}",
                    treatysim::scenario::name_rule("the label", label)
                )),
            ));
        }
        Ok(self.clone().labelled(label))
    }

    /// Pickles as its resolved text and override arguments (Dask ships scenarios to workers
    /// that may not see the scenario folders).
    #[allow(clippy::type_complexity)]
    fn __reduce__(
        &self,
        py: Python<'_>,
    ) -> PyResult<(Py<PyAny>, (String, String, Vec<String>, Vec<PathBuf>))> {
        let rebuild = py
            .import("treatysim._treatysim")?
            .getattr("_resolved_scenario")?
            .unbind();
        Ok((
            rebuild,
            (
                self.inner.name.clone(),
                self.inner.to_toml(),
                self.overrides(),
                self.inner.chain.clone(),
            ),
        ))
    }
}

/// Loads `name` from the folders `scenarios` (then TREATYSIM_SCENARIOS), with `overrides`
/// (`KEY=VALUE` each) applied last.
#[pyfunction]
fn load(
    py: Python<'_>,
    name: &str,
    scenarios: Vec<PathBuf>,
    overrides: Vec<String>,
) -> PyResult<NativeScenario> {
    let overrides = parse_overrides(py, &overrides)?;
    NativeScenario::load(
        Source::Catalog {
            name: name.to_string(),
            scenarios,
        },
        overrides,
    )
    .map_err(|e| to_py(py, e))
}

/// The scenario of a self-contained TOML `text`, named `name`.
#[pyfunction]
fn from_toml(
    py: Python<'_>,
    text: &str,
    name: &str,
    overrides: Vec<String>,
) -> PyResult<NativeScenario> {
    let overrides = parse_overrides(py, &overrides)?;
    NativeScenario::load(
        Source::Text {
            name: name.to_string(),
            text: text.to_string(),
        },
        overrides,
    )
    .map_err(|e| to_py(py, e))
}

/// A pickled scenario: its resolved text, with its override arguments (already applied in the
/// text) and the files it was resolved from kept for `run.toml`.
#[pyfunction]
fn _resolved_scenario(
    py: Python<'_>,
    name: &str,
    text: &str,
    overrides: Vec<String>,
    chain: Vec<PathBuf>,
) -> PyResult<NativeScenario> {
    let mut scenario = NativeScenario::load(
        Source::Text {
            name: name.to_string(),
            text: text.to_string(),
        },
        Vec::new(),
    )
    .map_err(|e| to_py(py, e))?;
    scenario.overrides = parse_overrides(py, &overrides)?;
    if let Some(path) = chain.last() {
        scenario.inner.path = path.clone();
    }
    scenario.inner.chain = chain;
    Ok(scenario)
}

fn parse_overrides(py: Python<'_>, args: &[String]) -> PyResult<Vec<Override>> {
    args.iter()
        .map(|a| api::parse_override(a).map_err(|e| to_py(py, e)))
        .collect()
}

fn estimator(py: Python<'_>, name: &str) -> PyResult<Estimator> {
    match name {
        "conditional" => Ok(Estimator::Conditional),
        "indicator" => Ok(Estimator::Indicator),
        other => Err(to_py(
            py,
            treatysim::Error::Invalid(format!(
                "estimator: '{other}' is not an estimator; accepted: conditional, indicator"
            )),
        )),
    }
}

/// Runs `work` on a worker thread with the GIL released; meanwhile this thread reports the
/// trials done to `progress` and checks for signals every 50 ms. On a KeyboardInterrupt (or
/// any exception a signal handler raises) it sets the engine's interrupt flag, waits for the
/// engine to stop at its next block, clears the flag and raises.
fn interruptible<T: Send>(
    py: Python<'_>,
    progress: Option<Py<PyAny>>,
    work: impl FnOnce(&AtomicU64) -> treatysim::Result<T> + Send,
) -> PyResult<T> {
    let done = AtomicU64::new(0);
    let (result, raised) = py.detach(|| {
        std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::channel();
            let done = &done;
            let handle = scope.spawn(move || {
                let result = work(done);
                let _ = sender.send(());
                result
            });
            let mut raised: Option<PyErr> = None;
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                receiver.recv_timeout(Duration::from_millis(50))
            {
                if raised.is_some() {
                    continue;
                }
                raised = Python::attach(|py| {
                    if let Some(callback) = &progress
                        && let Err(e) = callback.call1(py, (done.load(Ordering::Relaxed),))
                    {
                        return Some(e);
                    }
                    py.check_signals().err()
                });
                if raised.is_some() {
                    INTERRUPTED.store(true, Ordering::SeqCst);
                }
            }
            (handle.join().ok(), raised)
        })
    });
    if let Some(error) = raised {
        INTERRUPTED.store(false, Ordering::SeqCst);
        return Err(error);
    }
    let Some(result) = result else {
        return Err(PyRuntimeError::new_err(
            "treatysim's engine stopped on an internal error (a panic); please report it",
        ));
    };
    if let Some(callback) = &progress {
        callback.call1(py, (done.load(Ordering::Relaxed),))?;
    }
    result.map_err(|e| to_py(py, e))
}

/// A finished run: its numbers, and the CLI's CSV bytes.
#[pyclass(module = "treatysim._treatysim", frozen, name = "NativeRun")]
struct NativeRun {
    result: api::RunResult,
}

#[pymethods]
impl NativeRun {
    /// P(treaty before the deadline), its standard error, and the 95% interval's ends.
    fn estimate(&self) -> (f64, f64, f64, f64) {
        let e = self.result.estimate();
        (e.probability, e.std_error, e.ci95_low, e.ci95_high)
    }

    /// Trials run.
    #[getter]
    fn trials(&self) -> u64 {
        self.result.summary.tally.trials
    }

    /// The seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.result.summary.seed
    }

    /// `conditional` or `indicator`.
    #[getter]
    fn estimator(&self) -> &'static str {
        self.result.summary.estimator.name()
    }

    /// The name results are filed under.
    #[getter]
    fn name(&self) -> String {
        self.result.summary.scenario.clone()
    }

    /// The cumulative probability by month (the timeline's `cumulative_probability`).
    fn cumulative(&self) -> Vec<f64> {
        let s = &self.result.summary;
        (0..s.tally.sum.len())
            .map(|t| s.month(t).cumulative.probability)
            .collect()
    }

    /// summary.csv's bytes, as `treatysim run` writes it.
    fn summary_csv<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.result.summary.summary_csv())
    }

    /// timeline.csv's bytes.
    fn timeline_csv<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.result.summary.timeline_csv())
    }

    /// samples.csv's bytes, if the run kept them.
    fn samples_csv<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.result
            .samples
            .as_ref()
            .map(|bytes| PyBytes::new(py, bytes))
    }

    /// Writes the run's files into `out` as `treatysim run` does.
    fn write(&self, py: Python<'_>, out: PathBuf) -> PyResult<()> {
        let result = &self.result;
        py.detach(|| api::write(Path::new(&out), result))
            .map_err(|e| to_py(py, e))
    }
}

#[allow(clippy::too_many_arguments)]
fn options(
    py: Python<'_>,
    trials: Option<u64>,
    seed: Option<u64>,
    estimator_name: &str,
    threads: Option<u32>,
) -> PyResult<RunOptions> {
    if trials == Some(0) {
        return Err(to_py(
            py,
            treatysim::Error::Invalid(
                "trials: 0 is not a number of trials; accepted: a whole number from 1 up".into(),
            ),
        ));
    }
    if threads == Some(0) {
        return Err(to_py(
            py,
            treatysim::Error::Invalid(
                "threads: 0 is not a number of threads; accepted: 1 to 4096, or None for all cores"
                    .into(),
            ),
        ));
    }
    Ok(RunOptions {
        trials,
        seed,
        estimator: estimator(py, estimator_name)?,
        threads,
        ..RunOptions::default()
    })
}

/// Runs `scenario` in process; see `treatysim.run`.
#[pyfunction]
#[pyo3(signature = (scenario, trials, seed, estimator, threads, samples, progress))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    scenario: &NativeScenario,
    trials: Option<u64>,
    seed: Option<u64>,
    estimator: &str,
    threads: Option<u32>,
    samples: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<NativeRun> {
    let mut options = options(py, trials, seed, estimator, threads)?;
    if samples {
        options.samples = Some(treatysim::export::SamplesFormat::Csv);
    }
    let sc = &scenario.inner;
    let overrides = &scenario.overrides;
    let result = interruptible(py, progress, |done| {
        api::run_with_progress(sc, overrides, &options, &|n| {
            done.store(n, Ordering::Relaxed)
        })
    })?;
    Ok(NativeRun { result })
}

/// Shard `index` of `count` of a run of `scenario`, as the shard file's text (SPEC §9), sealed
/// with the key of `key_file`, else of `TREATYSIM_SHARD_KEY` when that is set, as
/// `treatysim run --shard` seals it.
#[pyfunction]
#[pyo3(signature = (scenario, trials, seed, estimator, threads, index, count, key_file=None))]
#[allow(clippy::too_many_arguments)]
fn run_shard(
    py: Python<'_>,
    scenario: &NativeScenario,
    trials: Option<u64>,
    seed: Option<u64>,
    estimator: &str,
    threads: Option<u32>,
    index: u64,
    count: u64,
    key_file: Option<PathBuf>,
) -> PyResult<String> {
    let options = options(py, trials, seed, estimator, threads)?;
    let key = ShardKey::find(key_file.as_deref()).map_err(|e| to_py(py, e))?;
    let shard: Shard = format!("{index}/{count}")
        .parse()
        .map_err(|m: String| to_py(py, treatysim::Error::Invalid(format!("shard: {m}"))))?;
    let sc = &scenario.inner;
    let overrides = &scenario.overrides;
    let file = interruptible(py, None, |_| api::run_shard(sc, overrides, &options, shard))?;
    file.to_text_keyed(key.as_ref()).map_err(|e| to_py(py, e))
}

/// Checks and merges a complete set of a run's shard texts, through the library's merge
/// ([`api::merge`]), as `treatysim merge` does: with the key of `key_file`, else of
/// `TREATYSIM_SHARD_KEY` when that is set, every shard must carry a valid HMAC.
#[pyfunction]
#[pyo3(signature = (shards, key_file=None))]
fn merge_shards(
    py: Python<'_>,
    shards: Vec<String>,
    key_file: Option<PathBuf>,
) -> PyResult<NativeRun> {
    let texts = shards
        .into_iter()
        .enumerate()
        .map(|(i, text)| (format!("shard result {}", i + 1), text))
        .collect();
    let options = api::MergeOptions {
        shards: api::Shards::Texts(texts),
        key_file,
    };
    let result = py
        .detach(|| {
            let merged = api::merge(&options)?;
            merged
                .into_iter()
                .next()
                .ok_or_else(|| treatysim::Error::Invalid("no shards to merge".into()))?
                .into_run()
        })
        .map_err(|e| to_py(py, e))?;
    Ok(NativeRun { result })
}

/// Sweeps `scenario` over `keys` (one or two), each with its `values`, on the same trials;
/// returns the bytes of `sweep-KEY[-KEY2].csv` as `treatysim sweep` writes it.
#[pyfunction]
#[pyo3(signature = (scenario, keys, values, trials, seed, estimator, threads, progress))]
#[allow(clippy::too_many_arguments)]
fn sweep<'py>(
    py: Python<'py>,
    scenario: &NativeScenario,
    keys: Vec<String>,
    values: Vec<Vec<f64>>,
    trials: Option<u64>,
    seed: Option<u64>,
    estimator: &str,
    threads: Option<u32>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let options = options(py, trials, seed, estimator, threads)?;
    let axes: Vec<api::Axis> = keys
        .into_iter()
        .zip(values)
        .map(|(key, values)| api::Axis { key, values })
        .collect();
    let source = &scenario.source;
    let own = &scenario.overrides;
    let load = |extra: &[Override]| {
        let all: Vec<Override> = own.iter().chain(extra).cloned().collect();
        NativeScenario::load(source.clone(), all).map(|s| s.inner)
    };
    let sc = &scenario.inner;
    let result = interruptible(py, progress, |done| {
        api::sweep(sc, &axes, &load, &options, &|n| {
            done.store(n, Ordering::Relaxed)
        })
    })?;
    Ok(PyBytes::new(py, &result.csv()))
}

/// The sweep table of points run separately (one run's shard text a point, in the points'
/// order): exactly the table `sweep` makes, whose points share their trials the same way.
/// With the key of `key_file`, else of `TREATYSIM_SHARD_KEY` when that is set, every point
/// must carry a valid HMAC.
#[pyfunction]
#[pyo3(signature = (name, keys, points, runs, key_file=None))]
fn sweep_table<'py>(
    py: Python<'py>,
    name: &str,
    keys: Vec<String>,
    points: Vec<Vec<f64>>,
    runs: Vec<String>,
    key_file: Option<PathBuf>,
) -> PyResult<Bound<'py, PyBytes>> {
    let key = ShardKey::find(key_file.as_deref()).map_err(|e| to_py(py, e))?;
    let mut tallies = Vec::new();
    let mut meta = None;
    for (i, text) in runs.iter().enumerate() {
        let path = PathBuf::from(format!("sweep point {}", i + 1));
        let file = treatysim::shard::ShardFile::parse_keyed(&path, text, key.as_ref())
            .map_err(|e| to_py(py, e))?;
        let run = api::merge_runs(vec![(path, file)]).map_err(|e| to_py(py, e))?;
        meta.get_or_insert((run.summary.seed, run.summary.estimator));
        tallies.push(run.summary.tally);
    }
    let Some((seed, estimator)) = meta else {
        return Err(PyValueError::new_err("a sweep has at least one point"));
    };
    let result = api::SweepResult {
        scenario: name.to_string(),
        keys,
        points,
        tallies,
        seed,
        estimator,
    };
    Ok(PyBytes::new(py, &result.csv()))
}

/// Sobol indices and the tornado's bins of `scenario`: the bytes of `sensitivity.csv` and
/// `sensitivity_bins.csv` as `treatysim sensitivity` writes them.
#[pyfunction]
#[pyo3(signature = (scenario, bins, trials, seed, estimator, threads, progress))]
#[allow(clippy::too_many_arguments)]
fn sensitivity<'py>(
    py: Python<'py>,
    scenario: &NativeScenario,
    bins: usize,
    trials: Option<u64>,
    seed: Option<u64>,
    estimator: &str,
    threads: Option<u32>,
    progress: Option<Py<PyAny>>,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let options = options(py, trials, seed, estimator, threads)?;
    let sc = &scenario.inner;
    let result = interruptible(py, progress, |done| {
        api::sensitivity(sc, bins, &options, &|n| done.store(n, Ordering::Relaxed))
    })?;
    let (_, table, bins_table) = result.tables();
    Ok((PyBytes::new(py, &table), PyBytes::new(py, &bins_table)))
}

/// `a` and `b` on the same trials: the bytes of `compare-A-vs-B.csv` as `treatysim compare`
/// writes them.
#[pyfunction]
#[pyo3(signature = (a, b, trials, seed, estimator, threads, progress))]
#[allow(clippy::too_many_arguments)]
fn compare<'py>(
    py: Python<'py>,
    a: &NativeScenario,
    b: &NativeScenario,
    trials: Option<u64>,
    seed: Option<u64>,
    estimator: &str,
    threads: Option<u32>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let options = options(py, trials, seed, estimator, threads)?;
    let (a, b) = (&a.inner, &b.inner);
    let result = interruptible(py, progress, |done| {
        api::compare(a, b, &options, &|n| done.store(n, Ordering::Relaxed))
    })?;
    Ok(PyBytes::new(py, &result.csv()))
}

/// Explains `scenario`'s probability: the bytes of `explain.csv` and the printed report, as
/// `treatysim explain` makes them.
#[pyfunction]
#[pyo3(signature = (scenario, trials, seed, threads, progress))]
fn explain<'py>(
    py: Python<'py>,
    scenario: &NativeScenario,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<u32>,
    progress: Option<Py<PyAny>>,
) -> PyResult<(Bound<'py, PyBytes>, String)> {
    let options = options(py, trials, seed, "conditional", threads)?;
    let sc = &scenario.inner;
    let result = interruptible(py, progress, |done| {
        api::explain(sc, &options, &|n| done.store(n, Ordering::Relaxed))
    })?;
    Ok((PyBytes::new(py, &result.csv()), result.report()))
}

/// A finished pool: its numbers, and the CLI's CSV bytes.
#[pyclass(module = "treatysim._treatysim", frozen, name = "NativePool")]
struct NativePool {
    result: api::PoolResult,
}

#[pymethods]
impl NativePool {
    /// The chosen pool's probability, standard error, and the 95% interval's ends.
    fn estimate(&self) -> (f64, f64, f64, f64) {
        let e = self.result.estimate();
        (e.probability, e.std_error, e.ci95_low, e.ci95_high)
    }

    /// Trials run.
    #[getter]
    fn trials(&self) -> u64 {
        self.result.tally.trials()
    }

    /// The seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.result.seed()
    }

    /// `conditional` or `indicator`.
    #[getter]
    fn estimator(&self) -> &'static str {
        self.result.estimator().name()
    }

    /// The pool's label.
    #[getter]
    fn name(&self) -> String {
        self.result.label.clone()
    }

    /// `linear` or `geometric-odds`.
    #[getter]
    fn method(&self) -> &'static str {
        self.result.method.name()
    }

    /// pool.csv's bytes, as `treatysim pool` writes it.
    fn pool_csv<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.result.csv())
    }

    /// summary.csv's bytes (the chosen pool).
    fn summary_csv<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.result.summary.summary_csv())
    }

    /// timeline.csv's bytes (the chosen pool), or `None` for a pool with a direct forecast,
    /// which has no timeline (SPEC §8).
    fn timeline_csv<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.result
            .forecasts
            .is_empty()
            .then(|| PyBytes::new(py, &self.result.summary.timeline_csv()))
    }

    /// Writes the pool's files into `out` as `treatysim pool` does.
    fn write(&self, py: Python<'_>, out: PathBuf) -> PyResult<()> {
        let result = &self.result;
        py.detach(|| api::write_pool(Path::new(&out), result))
            .map_err(|e| to_py(py, e))
    }
}

/// Pools `members` on the same trials as `treatysim pool` does; see `treatysim.pool`.
#[pyfunction]
#[pyo3(signature = (label, members, weights, method, forecasts, trials, seed, estimator, threads, progress))]
#[allow(clippy::too_many_arguments)]
fn pool(
    py: Python<'_>,
    label: String,
    members: Vec<PyRef<'_, NativeScenario>>,
    weights: Option<Vec<f64>>,
    method: &str,
    forecasts: Vec<(String, f64)>,
    trials: Option<u64>,
    seed: Option<u64>,
    estimator: &str,
    threads: Option<u32>,
    progress: Option<Py<PyAny>>,
) -> PyResult<NativePool> {
    let run = options(py, trials, seed, estimator, threads)?;
    let method = match method {
        "linear" => api::Method::Linear,
        "geometric-odds" => api::Method::GeometricOdds,
        other => {
            return Err(to_py(
                py,
                treatysim::Error::Invalid(format!(
                    "method: '{other}' is not a pooling method; accepted: linear, geometric-odds"
                )),
            ));
        }
    };
    // run.toml records one list of `--set` arguments: the members' own, in order, each once.
    let mut overrides: Vec<String> = Vec::new();
    for member in &members {
        for o in api::override_args(&member.overrides) {
            if !overrides.contains(&o) {
                overrides.push(o);
            }
        }
    }
    let scenarios: Vec<treatysim::scenario::Scenario> =
        members.iter().map(|m| m.inner.clone()).collect();
    let options = api::PoolOptions {
        label,
        method,
        weights,
        forecasts,
        overrides,
    };
    let result = interruptible(py, progress, |done| {
        api::pool(&scenarios, &options, &run, &|n| {
            done.store(n, Ordering::Relaxed)
        })
    })?;
    Ok(NativePool { result })
}

/// Scores runs and pools against their scenarios' `[resolution]`: the bytes of `scores.csv`
/// and, with ten or more results, of `calibration.csv`, as `treatysim score` writes them for
/// these results alone.
#[pyfunction]
fn score<'py>(
    py: Python<'py>,
    results: Vec<Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyBytes>, Option<Bound<'py, PyBytes>>)> {
    let mut runs: Vec<PyRef<'py, NativeRun>> = Vec::new();
    let mut pools: Vec<PyRef<'py, NativePool>> = Vec::new();
    let mut order: Vec<(bool, usize)> = Vec::new();
    for result in &results {
        if let Ok(run) = result.extract::<PyRef<'py, NativeRun>>() {
            order.push((false, runs.len()));
            runs.push(run);
        } else if let Ok(pool) = result.extract::<PyRef<'py, NativePool>>() {
            order.push((true, pools.len()));
            pools.push(pool);
        } else {
            return Err(to_py(
                py,
                treatysim::Error::Invalid(format!(
                    "score: {} is not a run's or a pool's result",
                    result.repr().map_or_else(|_| "?".into(), |r| r.to_string())
                )),
            ));
        }
    }
    let items: Vec<api::Scorable<'_>> = order
        .iter()
        .map(|&(is_pool, i)| {
            if is_pool {
                api::Scorable::Pool(&pools[i].result)
            } else {
                api::Scorable::Run(&runs[i].result)
            }
        })
        .collect();
    let scored = api::score(&items).map_err(|e| to_py(py, e))?;
    Ok((
        PyBytes::new(py, &scored.scores_csv()),
        scored
            .calibration_csv()
            .map(|bytes| PyBytes::new(py, &bytes)),
    ))
}

/// The native module.
#[pymodule]
fn _treatysim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeScenario>()?;
    m.add_class::<NativeRun>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(from_toml, m)?)?;
    m.add_function(wrap_pyfunction!(_resolved_scenario, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(run_shard, m)?)?;
    m.add_function(wrap_pyfunction!(merge_shards, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_table, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_class::<NativePool>()?;
    m.add_function(wrap_pyfunction!(pool, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    Ok(())
}
