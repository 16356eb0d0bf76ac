//! Plain options of the library's entry points ([`crate::api`]): what a front end (the command
//! line, the Python package) fills in, with no parsing library's types. `cli.rs` and `cmd/`
//! translate arguments into these; everything below takes them.

use crate::export::SamplesFormat;
use crate::model::Estimator;
use crate::scenario::Override;
use std::path::PathBuf;

/// `--shard K/N`: the K-th of N contiguous ranges of the trials (SPEC §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// K, from 1.
    pub index: u64,
    /// N.
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("'{text}' is not K/N with 1 <= K <= N, e.g. --shard 3/10");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index < 1 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// Where scenarios are found and what is changed when one is loaded: [`crate::api::load`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadOptions {
    /// The search path: folders of scenario files, first match wins (the CLI's `--scenarios`,
    /// before `TREATYSIM_SCENARIOS`).
    pub scenarios: Vec<PathBuf>,
    /// Overrides applied last, in order (the CLI's `--set KEY=VALUE`).
    pub overrides: Vec<Override>,
}

/// How to run a scenario: [`crate::api::run`] and the other simulating entry points.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOptions {
    /// Trials; `None`: the scenario's `simulation.trials`.
    pub trials: Option<u64>,
    /// Seed; `None`: the scenario's `simulation.seed`.
    pub seed: Option<u64>,
    /// How each trial counts.
    pub estimator: Estimator,
    /// Worker threads; `None`: all cores. Results do not depend on it.
    pub threads: Option<u32>,
    /// Run only this shard of the trials (and return its tally for a merge).
    pub shard: Option<Shard>,
    /// Keep every trial's draws, in this format.
    pub samples: Option<SamplesFormat>,
    /// Add trials until the 95% half-width is at most this (`--precision`).
    pub precision: Option<f64>,
    /// Cap on trials under `precision`.
    pub max_trials: u64,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            trials: None,
            seed: None,
            estimator: Estimator::Conditional,
            threads: None,
            shard: None,
            samples: None,
            precision: None,
            max_trials: 100_000_000,
        }
    }
}
