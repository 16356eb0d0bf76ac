//! treatysim: a Monte Carlo simulator for treaty outcome probabilities.
//!
//! The pieces, each in the file its name says:
//! - [`cast`]: a scenario's parties, issues and parameters in canonical order, shared by
//!   every module that names a parameter;
//! - [`scenario`]: scenario files (format 2), `extends`, `--set` and validation;
//! - [`distribution`] and [`fit`]: distribution syntax, samplers, `"lo to hi"` fits;
//! - [`copula`]: correlated inputs through a Gaussian copula;
//! - [`model`]: one trial of the negotiation, a pure function of draws and a random source
//!   ([`fastmath`] holds its `exp`);
//! - [`rng`]: per-trial random streams, a function of (seed, trial) alone;
//! - [`engine`]: trials in parallel, tallied so results do not depend on the split;
//! - [`analysis`]: analyses' tallies and estimators (Sobol indices), below the commands;
//! - [`stats`]: estimates and intervals; [`export`]: the CSV files, written atomically;
//! - [`tally`]: mergeable sums (decimal integers, exact sums of doubles), below every
//!   tally; [`shard`]: shard files and their merge; [`plot`]: SVG charts from the CSV files;
//! - [`pool`]: pooling experts' scenarios (the members' joint tallies, the two pools);
//! - [`memory`]: the estimates behind `--max-memory`;
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
pub mod memory;
pub mod model;
pub mod month;
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
