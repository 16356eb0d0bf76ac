//! The command line (SPEC §2), parsed with clap.

use crate::model::Estimator;
use crate::scenario::Override;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Monte Carlo simulator for treaty outcome probabilities.
///
/// Scenario files state beliefs about each side's political will and security concessions as
/// probability distributions; treatysim samples them, simulates the negotiation month by
/// month, and writes the chance of a treaty before the deadline to CSV.
#[derive(Debug, Parser)]
#[command(name = "treatysim", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// Folder holding the scenario files (NAME is looked up as DIR/NAME.toml).
    #[arg(long, global = true, default_value = "scenarios", value_name = "DIR")]
    pub scenarios: PathBuf,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// treatysim's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the scenarios found, with their descriptions.
    List,
    /// Validate scenarios (all when none is named); exit 2 on any error.
    Check {
        /// Scenario names or paths.
        names: Vec<String>,
    },
    /// Print the fully resolved scenario as TOML.
    Show {
        /// Scenario name or path.
        name: String,
        /// Override a value: KEY=VALUE, e.g. japan.will="beta(8, 2)" (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<Override>,
    },
    /// Simulate scenarios and write CSV.
    Run(RunArgs),
}

/// Options of `treatysim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario names or paths (a NAME ending in .toml or containing / is a path).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub names: Vec<String>,

    /// Run every scenario in the scenario folder.
    #[arg(long)]
    pub all: bool,

    /// Number of trials (overrides simulation.trials).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,

    /// Seed (overrides simulation.seed).
    #[arg(long)]
    pub seed: Option<u64>,

    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub threads: Option<u32>,

    /// How each trial's chance of a treaty is estimated.
    #[arg(long, value_enum, default_value_t = Estimator::Conditional)]
    pub estimator: Estimator,

    /// Override a value: KEY=VALUE; a number when it reads as one, otherwise a distribution,
    /// e.g. --set japan.will=beta(8,2) --set 'russia.will=0.2 to 0.5' (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<Override>,

    /// Output folder.
    #[arg(long, default_value = "results", value_name = "DIR")]
    pub out: PathBuf,

    /// Also write every trial's draws to <out>/<scenario>/samples.csv.
    #[arg(long)]
    pub samples: bool,
}
