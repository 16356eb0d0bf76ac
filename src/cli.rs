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
    /// Folder of scenario files; repeat it for a search path (first match wins), searched
    /// before the folders in TREATYSIM_SCENARIOS. NAME is looked up as DIR/NAME.toml.
    #[arg(long, global = true, default_value = "scenarios", value_name = "DIR")]
    pub scenarios: Vec<PathBuf>,

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
    /// Write a commented starting scenario for a new treaty question.
    New(NewArgs),
    /// Simulate scenarios and write CSV.
    Run(RunArgs),
    /// Rerun the same trials with a parameter set to each of several values.
    Sweep(SweepArgs),
    /// Run two scenarios on the same trials and estimate their difference.
    Compare(CompareArgs),
    /// Rank the uncertain parameters by how much they move the treaty probability.
    Sensitivity(SensitivityArgs),
    /// Draw SVG plots from the CSV files already in the output folder.
    Plot(PlotArgs),
    /// Combine the shards of a sharded run, sweep or sensitivity into the unsharded files.
    Merge(MergeArgs),
}

/// Options shared by every command that simulates.
#[derive(Debug, Args)]
pub struct SimArgs {
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
}

/// `--shard K/N`: run the K-th of N contiguous ranges of the trials.
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

/// Options of `treatysim new`.
#[derive(Debug, Args)]
#[command(
    after_help = "Writes <DIR>/NAME.toml (DIR: the first --scenarios folder), a complete \
scenario that passes `check` and runs, with neutral placeholder values to replace. Never \
overwrites a file.\n\nExample:\n  treatysim new ceasefire --signatories armenia,azerbaijan \
--outside russia,eu --issue corridor:armenia>azerbaijan --issue border:azerbaijan>armenia"
)]
pub struct NewArgs {
    /// The scenario's name (its file is NAME.toml).
    pub name: String,

    /// The parties that must all sign, comma-separated (at least two).
    #[arg(
        long,
        value_delimiter = ',',
        required = true,
        value_name = "A,B[,C...]"
    )]
    pub signatories: Vec<String>,

    /// Outside parties that sway the talks without signing, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "O,...")]
    pub outside: Vec<String>,

    /// An issue dividing two signatories: I:A>B means on issue I, A concedes and B demands
    /// (repeatable).
    #[arg(long = "issue", value_name = "I:A>B")]
    pub issues: Vec<crate::cmd::IssueArg>,
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

    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,

    /// Also write every trial's draws to `<out>/<scenario>/samples.csv`.
    #[arg(long)]
    pub samples: bool,

    /// Add trials until the 95% interval's half-width is at most H (e.g. 0.001).
    #[arg(long, value_name = "H", conflicts_with = "trials", value_parser = positive_finite)]
    pub precision: Option<f64>,

    /// Cap on trials under --precision.
    #[arg(
        requires = "precision",long, value_name = "N", default_value_t = 100_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_trials: u64,

    /// Run only the K-th of N contiguous ranges of the trials and write a mergeable tally.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

/// A positive finite number (a half-width).
fn positive_finite(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h > 0.0)
        .ok_or_else(|| format!("'{text}' is not a positive number, e.g. 0.001"))
}

/// Options of `treatysim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario name or path.
    pub name: String,

    /// KEY=VALUES: a parameter and its values, `lo:hi:step` (inclusive) or `a,b,c`; give it
    /// once or twice.
    #[arg(long = "param", value_name = "KEY=VALUES", required = true)]
    pub params: Vec<String>,

    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,

    /// Run only the K-th of N contiguous ranges of the trials and write a mergeable tally.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

/// Options of `treatysim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// First scenario.
    pub a: String,
    /// Second scenario.
    pub b: String,
    /// Simulation options (trials and seed default to the first scenario's).
    #[command(flatten)]
    pub sim: SimArgs,
}

/// Options of `treatysim sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario name or path.
    pub name: String,

    /// Number of quantile bins of each parameter's draws.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(2..=1000))]
    pub bins: u32,

    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,

    /// Run only the K-th of N contiguous ranges of the trials and write a mergeable tally.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

/// Options of `treatysim plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Scenarios to plot (all with results in the output folder when none is named).
    pub names: Vec<String>,

    /// Output folder holding the CSV files.
    #[arg(long, default_value = "results", value_name = "DIR")]
    pub out: PathBuf,
}

/// Options of `treatysim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Scenario name whose shards to merge.
    pub name: String,

    /// Output folder holding `<scenario>/shards/`.
    #[arg(long, default_value = "results", value_name = "DIR")]
    pub out: PathBuf,
}
