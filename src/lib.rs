//! treatysim: a Monte Carlo simulator for treaty outcome probabilities.
//!
//! # The library API
//!
//! [`api`] holds the entry points that the command line and the Python package both call.
//! Each takes plain values and an options struct of [`options`] (no command-line types) and
//! returns values; writing files is a separate step, [`api::write`]. `cli.rs` and [`cmd`] only
//! translate arguments into these calls and print.
//!
//! **Load** a scenario by name along a search path, with overrides ([`api::load`]), or from a
//! self-contained TOML text ([`api::from_toml`]):
//! ```
//! use treatysim::api::{self, LoadOptions};
//! let options = LoadOptions {
//!     scenarios: vec![concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into()],
//!     overrides: vec![api::parse_override("party.japan.will=beta(8, 2)")?],
//! };
//! let scenario = api::load("baseline", &options)?;
//! assert_eq!(scenario.name, "baseline");
//! let again = api::from_toml("copy", &scenario.to_toml(), &[])?;
//! assert_eq!(again.params, scenario.params);
//! # Ok::<(), treatysim::Error>(())
//! ```
//!
//! **Run** it ([`api::run`]; [`options::RunOptions`] says trials, seed, estimator, threads,
//! samples, precision) and **write** the CLI's files ([`api::write`]):
//! ```
//! use treatysim::api::{self, LoadOptions, RunOptions};
//! use treatysim::model::Estimator;
//! let scenarios = vec![concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into()];
//! let scenario = api::load("baseline", &LoadOptions { scenarios, ..LoadOptions::default() })?;
//! let options = RunOptions {
//!     trials: Some(20_000),
//!     seed: Some(1),
//!     estimator: Estimator::Indicator,
//!     ..RunOptions::default()
//! };
//! let result = api::run(&scenario, &[], &options)?;
//! let estimate = result.estimate();
//! assert!(estimate.ci95_low <= estimate.probability && estimate.probability <= estimate.ci95_high);
//! let out = tempfile::tempdir().expect("a temporary folder");
//! api::write(out.path(), &result)?;
//! assert_eq!(
//!     std::fs::read(out.path().join("baseline/timeline.csv")).expect("written"),
//!     result.summary.timeline_csv()
//! );
//! # Ok::<(), treatysim::Error>(())
//! ```
//!
//! **Shards and merge** (SPEC §9): [`api::run_shard`] runs the K-th of N ranges of the trials
//! and returns its shard file; [`api::merge_runs`] checks a complete set and merges it into
//! exactly the unsharded run:
//! ```
//! use treatysim::api::{self, LoadOptions, RunOptions, Shard};
//! let scenarios = vec![concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into()];
//! let scenario = api::load("baseline", &LoadOptions { scenarios, ..LoadOptions::default() })?;
//! let options = RunOptions { trials: Some(10_000), ..RunOptions::default() };
//! let shards = (1..=3)
//!     .map(|index| {
//!         let file = api::run_shard(&scenario, &[], &options, Shard { index, count: 3 })?;
//!         Ok((format!("shard {index}").into(), file))
//!     })
//!     .collect::<treatysim::Result<Vec<_>>>()?;
//! let merged = api::merge_runs(shards)?;
//! let whole = api::run(&scenario, &[], &options)?;
//! assert_eq!(merged.summary.tally, whole.summary.tally);
//! # Ok::<(), treatysim::Error>(())
//! ```
//!
//! **Sweep** one or two parameters on common trials ([`api::sweep`]; `load` reloads the
//! scenario with a point's overrides):
//! ```
//! use treatysim::api::{self, Axis, LoadOptions, RunOptions};
//! let options = LoadOptions {
//!     scenarios: vec![concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into()],
//!     ..LoadOptions::default()
//! };
//! let scenario = api::load("baseline", &options)?;
//! let load = |extra: &[treatysim::scenario::Override]| {
//!     api::load("baseline", &LoadOptions { overrides: extra.to_vec(), ..options.clone() })
//! };
//! let axes = [Axis { key: "party.japan.will".into(), values: vec![0.3, 0.6] }];
//! let run = RunOptions { trials: Some(8_192), ..RunOptions::default() };
//! let sweep = api::sweep(&scenario, &axes, &load, &run, &|_| {})?;
//! assert_eq!(sweep.points, vec![vec![0.3], vec![0.6]]);
//! let csv = String::from_utf8(sweep.csv()).expect("UTF-8");
//! assert!(csv.starts_with("scenario,party.japan.will,trials,seed,estimator,probability"));
//! # Ok::<(), treatysim::Error>(())
//! ```
//!
//! **Compare** two scenarios on the same trials ([`api::compare`]) and rank the uncertain
//! parameters by their Sobol indices ([`api::sensitivity`]):
//! ```
//! use treatysim::api::{self, LoadOptions, RunOptions};
//! let options = LoadOptions {
//!     scenarios: vec![concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into()],
//!     ..LoadOptions::default()
//! };
//! let (a, b) = (api::load("baseline", &options)?, api::load("mason", &options)?);
//! let run = RunOptions { trials: Some(8_192), ..RunOptions::default() };
//! let compared = api::compare(&a, &b, &run, &|_| {})?;
//! assert_eq!(compared.tally.trials, 8_192);
//! assert!(String::from_utf8(compared.csv()).expect("UTF-8").starts_with("scenario_a,scenario_b"));
//! let study = api::sensitivity(&a, 5, &run, &|_| {})?;
//! let (summary, indices, bins) = study.tables();
//! assert!(summary.rows.iter().any(|row| row.parameter == "chance"));
//! assert!(!indices.is_empty() && !bins.is_empty());
//! # Ok::<(), treatysim::Error>(())
//! ```
//!
//! **Pool** experts' scenarios on the same trials, with direct forecasts beside them
//! ([`api::pool`]; [`api::PoolOptions`] says the label, method, weights and forecasts), and
//! **write** the pool's files ([`api::write_pool`]):
//! ```
//! use treatysim::api::{self, LoadOptions, Method, PoolOptions, RunOptions};
//! let options = LoadOptions {
//!     scenarios: vec![concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into()],
//!     ..LoadOptions::default()
//! };
//! let members = [api::load("baseline", &options)?, api::load("mason", &options)?];
//! let pool = PoolOptions {
//!     label: "experts".into(),
//!     method: Method::GeometricOdds,
//!     weights: Some(vec![2.0, 1.0, 1.0]),
//!     forecasts: vec![("desk".into(), 0.25)],
//!     ..PoolOptions::default()
//! };
//! let run = RunOptions { trials: Some(8_192), seed: Some(7), ..RunOptions::default() };
//! let result = api::pool(&members, &pool, &run, &|_| {})?;
//! assert_eq!(result.weights, vec![0.5, 0.25]);
//! let (linear, geometric) = (result.pooled(Method::Linear), result.pooled(Method::GeometricOdds));
//! assert_eq!(geometric, Some(result.estimate()));
//! assert_eq!(linear, result.other());
//! let out = tempfile::tempdir().expect("a temporary folder");
//! api::write_pool(out.path(), &result)?;
//! assert_eq!(std::fs::read(out.path().join("experts/pool.csv")).expect("written"), result.csv());
//! # Ok::<(), treatysim::Error>(())
//! ```
//!
//! **Score** results against their scenarios' `[resolution]`, from memory ([`api::score`],
//! runs and pools) or from an output folder's verified files ([`api::score_out`]), and write
//! `scores.csv` and `calibration.csv` ([`api::write_scores`]):
//! ```
//! use treatysim::api::{self, LoadOptions, RunOptions, Scorable};
//! use treatysim::scenario::Catalog;
//! let folder = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
//! let options = LoadOptions { scenarios: vec![folder.clone()], ..LoadOptions::default() };
//! let scenario = api::load("baseline", &options)?; // [resolution]: not signed
//! let run = api::run(&scenario, &[], &RunOptions { trials: Some(8_192), ..RunOptions::default() })?;
//! let scores = api::score(&[Scorable::Run(&run)])?;
//! let p = run.estimate().probability;
//! assert_eq!(scores.scored[0].scores.brier, p * p);
//! assert!(scores.calibration_csv().is_none()); // ten results or more
//! let out = tempfile::tempdir().expect("a temporary folder");
//! api::write(out.path(), &run)?;
//! let catalog = Catalog::with_search_path(vec![folder]);
//! let scored = api::score_out(&catalog, out.path(), &[], &mut |_, _| {})?;
//! let written = api::write_scores(out.path(), &scored)?;
//! assert_eq!(std::fs::read(&written.scores_path).expect("written"), scores.scores_csv());
//! # Ok::<(), treatysim::Error>(())
//! ```
//!
//! **Merge** the shards in an output folder as `treatysim merge` does ([`api::merge`]; or the
//! texts of shard files held in memory, [`api::Shards::Texts`]), then **write** each merged
//! output's files ([`api::write_merged`]):
//! ```
//! use treatysim::api::{self, LoadOptions, MergeOptions, RunOptions, Shard, Shards, Written};
//! let scenarios = vec![concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into()];
//! let scenario = api::load("baseline", &LoadOptions { scenarios, ..LoadOptions::default() })?;
//! let options = RunOptions { trials: Some(10_000), ..RunOptions::default() };
//! let out = tempfile::tempdir().expect("a temporary folder");
//! for index in 1..=2 {
//!     let shard = api::run_shard(&scenario, &[], &options, Shard { index, count: 2 })?;
//!     shard.write(out.path(), None)?;
//! }
//! let shards = Shards::Folder { out: out.path().into(), name: "baseline".into() };
//! let merged = api::merge(&MergeOptions { shards, key_file: None })?;
//! assert_eq!((merged.len(), merged[0].shards), (1, 2));
//! assert!(matches!(api::write_merged(out.path(), &merged[0])?, Written::Run(_)));
//! let whole = api::run(&scenario, &[], &options)?;
//! assert_eq!(
//!     std::fs::read(out.path().join("baseline/timeline.csv")).expect("written"),
//!     whole.summary.timeline_csv()
//! );
//! # Ok::<(), treatysim::Error>(())
//! ```
//!
//! [`api::explain`] explains a probability as `treatysim explain` does.
//!
//! # The rooms
//!
//! Each piece in the file its name says (docs/internals.md has the map, with what each may
//! import):
//! - [`cast`]: a scenario's parties, issues and parameters in canonical order, shared by
//!   every module that names a parameter;
//! - [`scenario`]: scenario files (format 2), `extends`, `--set` and validation;
//! - [`distribution`]: distribution syntax, samplers, exact quantiles and `"lo to hi"` fits;
//! - [`copula`]: correlated inputs through a Gaussian copula;
//! - [`model`]: one trial of the negotiation, a pure function of draws and a random source
//!   ([`fastmath`] holds its `exp`);
//! - [`rng`]: per-trial random streams, a function of (seed, trial) alone;
//! - [`engine`]: trials in parallel, tallied so results do not depend on the split;
//! - [`precision`]: `--precision`'s pilot and schedule, above the engine and the estimates;
//! - [`analysis`]: analyses' tallies and estimators (Sobol indices, sweeps), below the commands;
//! - [`stats`]: estimates and intervals; [`export`]: the CSV files, written atomically;
//! - [`tally`]: mergeable sums (decimal integers, exact sums of doubles, the per-trial
//!   quantum), below every tally; [`shard`]: shard files and their merge; [`plot`]: SVG charts
//!   from the CSV files;
//! - [`pool`]: pooling experts' scenarios (the members' joint tallies, the two pools);
//! - [`memory`]: the estimates behind `--max-memory`;
//! - [`options`] and [`api`]: the library's entry points and their plain options;
//! - [`cli`] and [`cmd`]: the command line, one module per subcommand.

#![warn(missing_docs)]

pub mod analysis;
pub mod api;
pub mod cast;
pub mod cli;
pub mod cmd;
pub mod copula;
pub mod digest;
pub mod distribution;
pub mod engine;
pub mod error;
pub mod export;
pub mod fastmath;
pub mod guard;
pub mod memory;
pub mod model;
pub mod month;
pub mod number;
pub mod options;
pub mod plot;
pub mod pool;
pub mod precision;
pub mod rng;
pub mod scenario;
pub mod shard;
pub mod stats;
pub mod tally;

pub use cmd::dispatch;
pub use error::{Error, Result};
