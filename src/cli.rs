//! The command line (SPEC §2), parsed with clap.

use crate::export::SamplesFormat;
use crate::model::Estimator;
use crate::scenario::Override;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

pub use crate::options::whole_number;

/// Monte Carlo simulator for treaty outcome probabilities.
///
/// Scenario files state beliefs about each party's political will and the concessions that
/// divide the signatories as probability distributions; treatysim samples them, simulates the
/// negotiation month by month, and writes the chance of a treaty before the deadline to CSV.
#[derive(Debug, Parser)]
#[command(
    name = "treatysim",
    version,
    about,
    long_about = None,
    max_term_width = 100,
    after_help = "Start with `treatysim list`, `treatysim run baseline`, and `treatysim new NAME \
--signatories A,B` for a question of your own. `treatysim COMMAND --help` shows each command's \
outputs and an example."
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,

    /// Print no notes or warnings on stderr (errors still go there); any command takes it.
    #[arg(long, global = true)]
    pub quiet: bool,
}

/// Where scenario files are found.
#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Folder of scenario files; repeat it for a search path (first match wins), searched
    /// before the folders listed in TREATYSIM_SCENARIOS. NAME is looked up as DIR/NAME.toml.
    #[arg(long, default_value = "scenarios", value_name = "DIR")]
    pub scenarios: Vec<PathBuf>,
}

/// treatysim's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the scenarios found, with their descriptions.
    #[command(
        after_help = "Prints NAME and description, one scenario a line, on stdout.\n\n\
Example:\n  treatysim list --scenarios examples/scenarios"
    )]
    List {
        /// Scenario folders.
        #[command(flatten)]
        catalog: CatalogArgs,
    },
    /// Validate scenarios (all when none is named); exit 2 on any error.
    #[command(
        after_help = "Prints `ok: NAME`, warnings and errors on stderr; writes nothing.\n\n\
Example:\n  treatysim check baseline hindsight_2020"
    )]
    Check {
        /// Scenario names or paths.
        names: Vec<String>,
        /// Scenario folders.
        #[command(flatten)]
        catalog: CatalogArgs,
        /// Refuse a scenario whose files are too large to read and validate within SIZE of
        /// memory (estimated from their sizes, before reading): e.g. 512M, 4G (as `run
        /// --max-memory`).
        #[arg(long, default_value = "4GiB", value_name = "SIZE", value_parser = crate::memory::parse_size)]
        max_memory: u64,
    },
    /// Print the fully resolved scenario as TOML (extends and --set applied).
    #[command(
        after_help = "Prints TOML on stdout that loads back to the same scenario; with \
--keys, every parameter key with its distribution and domain instead.\n\nExamples:\n  \
treatysim show mason\n  treatysim show baseline --keys\n  treatysim show baseline --set \
'party.japan.will=beta(8, 2)'"
    )]
    Show(ShowArgs),
    /// Write a commented starting scenario for a new treaty question.
    New(NewArgs),
    /// Simulate scenarios and write CSV.
    #[command(
        after_help = "Writes <out>/NAME/summary.csv (the probability of a treaty before \
the deadline, its standard error and 95% interval), <out>/NAME/timeline.csv (month by month) \
and, with --samples, <out>/NAME/samples.csv (every trial's draws; samples.parquet with --samples-format parquet), with <out>/NAME/run.toml \
(the command, the resolved scenario, overrides, trials, seed, estimator and each file's SHA-256); \
adds or replaces NAME's row of <out>/summary.csv (NAME: the scenario, or the --as label).\n\nExamples:\n  treatysim run baseline\n  treatysim run --all \
--trials 1e6\n  treatysim run baseline --set 'party.japan.will=beta(8, 2)' --set \
'party.russia.will=0.2 to 0.5'\n  treatysim run baseline --set party.japan.will=0.7 --as \
hawkish_japan\n  treatysim run hindsight_2020 --set \
'event.COVID-19 pandemic.probability=0'\n  treatysim run baseline --precision 0.001"
    )]
    Run(RunArgs),
    /// Explain a scenario's probability: its central path, a diagnostic run and the three
    /// strongest reasons.
    #[command(
        after_help = "Prints the reasons, the central path (every parameter at its median, \
no walk, each event at its chance) month by month and the diagnostic run's figures on stdout, \
and writes them to <out>/NAME/explain.csv (scenario,month,quantity,subject,value) with \
run.toml. The diagnostic runs 20000 trials unless --trials says otherwise, seeded as `run` \
seeds them.\n\nExamples:\n  treatysim explain baseline\n  treatysim explain baseline --set \
'party.russia.will=beta(5, 5)' --as keen_russia"
    )]
    Explain(ExplainArgs),
    /// Rerun the same trials with a parameter set to each of several values.
    #[command(
        after_help = "Writes <out>/NAME/sweep-KEY.csv (or sweep-KEY-KEY2.csv): one row \
per point with its probability, standard error and interval. Every point uses the same trials \
(common random numbers), so the curve is smooth.\n\nExamples:\n  treatysim sweep baseline \
--param issue.security.concession=0:1:0.1\n  treatysim sweep baseline --param \
party.japan.will=0.2,0.5,0.8 --param party.russia.will=0.2,0.5,0.8"
    )]
    Sweep(SweepArgs),
    /// Run two scenarios on the same trials and estimate their difference.
    #[command(
        after_help = "Writes <out>/compare-A-vs-B.csv: both probabilities and their \
paired difference with its standard error and interval.\n\nExample:\n  treatysim compare \
baseline mason"
    )]
    Compare(CompareArgs),
    /// Sobol indices of the uncertain parameters and of chance, and the tornado's swings.
    #[command(
        after_help = "Writes <out>/NAME/sensitivity.csv (one row per uncertain \
parameter and one for chance, the randomness inside a trial, largest total-order Sobol index \
first) and <out>/NAME/sensitivity_bins.csv (the probability in each quantile bin of each \
parameter).\n\nExample:\n  treatysim sensitivity baseline --bins 10"
    )]
    Sensitivity(SensitivityArgs),
    /// Pool experts' scenarios: the linear pool and the geometric mean of odds.
    #[command(
        after_help = "Runs the members on the same trials (the first member's trials and \
seed unless --trials/--seed say otherwise; members must share the window) and writes \
<out>/LABEL/pool.csv (each member's probability and weight, the linear pool and the geometric \
mean of odds, each with its standard error and 95% interval) and, for the chosen --method, \
<out>/LABEL/summary.csv and timeline.csv and LABEL's row of <out>/summary.csv, as a run \
would.\n\nExample:\n  treatysim pool experts jain kistanov mason togo --weights 1,1,2,2 \
--method geometric-odds"
    )]
    Pool(PoolArgs),
    /// Score runs against how their questions resolved (the scenarios' `[resolution]`).
    #[command(
        after_help = "Writes <out>/scores.csv: per run, its probability, the outcome, the \
Brier score (p - o)^2 (lower is better), the log score ln p if signed, ln(1 - p) if not (higher \
is better), and the Brier score of remaining_probability averaged over the months from the \
start to the signing month (or over the whole window); with ten or more runs also \
<out>/calibration.csv (ten equal bins of the forecast). Without names, scores every run in \
--out whose scenario has a [resolution] and says on stderr which were skipped. A run whose \
scenario changed since it was run, or without run.toml, is refused: rerun it.\n\nExample:\n  \
treatysim run --all && treatysim score"
    )]
    Score(ScoreArgs),
    /// Draw SVG plots from the CSV files already in the output folder.
    #[command(after_help = "Writes, for each named scenario with results, \
<out>/NAME/timeline.svg, sensitivity.svg, pool.svg and one SVG per sweep; <out>/timelines.svg \
(their cumulative curves together), and <out>/summary.svg and <out>/calibration.svg when \
summary.csv and calibration.csv exist.\n\n\
Example:\n  treatysim plot baseline mason --common-scale")]
    Plot(PlotArgs),
    /// Combine the shards of a sharded run, sweep or sensitivity into the unsharded files.
    #[command(
        after_help = "Reads <out>/NAME/shards/ and writes exactly the files, byte for \
byte, that the unsharded command would have written.\n\nExample:\n  treatysim run baseline \
--shard 1/2 && treatysim run baseline --shard 2/2 && treatysim merge baseline"
    )]
    Merge(MergeArgs),
}

/// Options of `treatysim show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Scenario name or path.
    pub name: String,
    /// Override a value: KEY=VALUE, e.g. --set 'party.japan.will=beta(8, 2)' (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<Override>,
    /// List every parameter key with its distribution and domain instead of the TOML.
    #[arg(long)]
    pub keys: bool,
    /// Scenario folders.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// A whole number from `LO` to `HI` ([`whole_number`]): the value parser of whole-number
/// options.
fn whole<const LO: u64, const HI: u64>(text: &str) -> Result<u64, String> {
    whole_number(text)
        .filter(|n| (LO..=HI).contains(n))
        .ok_or_else(|| {
            format!("'{text}' is not a whole number from {LO} to {HI} (written as 200000 or 1e6)")
        })
}

/// [`whole`] for an option held in a `u32`.
fn whole_u32<const LO: u64, const HI: u64>(text: &str) -> Result<u32, String> {
    whole::<LO, HI>(text).and_then(|n| u32::try_from(n).map_err(|e| e.to_string()))
}

/// A whole number of trials: digits, or a whole number written with an exponent (`1e6`).
fn trials(text: &str) -> Result<u64, String> {
    whole_number(text).filter(|n| *n > 0).ok_or_else(|| {
        format!(
            "'{text}' is not a whole number of trials from 1 to 18446744073709551615 (2⁶⁴ − 1), \
             e.g. 200000 or 1e6"
        )
    })
}

/// A seed: a whole number from 0 to 2⁶⁴ − 1 (`1e6` accepted).
fn seed(text: &str) -> Result<u64, String> {
    whole_number(text).ok_or_else(|| {
        format!(
            "'{text}' is not a seed; accepted: a whole number from 0 to 18446744073709551615 \
             (1e6 is accepted)"
        )
    })
}

/// Options shared by every command that simulates.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Number of trials (overrides simulation.trials); 1e6 is accepted.
    #[arg(long, value_parser = trials)]
    pub trials: Option<u64>,

    /// Seed of the random streams (overrides simulation.seed).
    #[arg(long, value_parser = seed, allow_negative_numbers = true)]
    pub seed: Option<u64>,

    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, value_parser = whole_u32::<1, 4096>)]
    pub threads: Option<u32>,

    /// How each trial counts: `conditional` (default) adds each trial's exact chance of a
    /// treaty given its draws, which gives the same answer with far less noise; `indicator`
    /// plays every summit and signing decision out and counts the trials that signed.
    #[arg(long, value_enum, default_value_t = Estimator::Conditional)]
    pub estimator: Estimator,

    /// Override a value: KEY=VALUE; a number when it reads as one, otherwise a distribution,
    /// e.g. --set 'party.japan.will=beta(8, 2)' --set 'party.russia.will=0.2 to 0.5' or
    /// --set 'event.constitutional amendment.probability=1' (repeatable; see `show NAME --keys`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<Override>,

    /// Output folder.
    #[arg(long, default_value = "results", value_name = "DIR")]
    pub out: PathBuf,

    /// Write the results under LABEL instead of the scenario's name: a variant kept beside the
    /// scenario's own results (run.toml records both names). LABEL follows the scenario-name
    /// rule and may not be another scenario's name or folder.
    #[arg(long = "as", value_name = "LABEL")]
    pub label: Option<String>,

    /// Refuse to start when the command's estimated peak memory (long windows, many sweep
    /// points, many threads) exceeds SIZE: e.g. 512M, 4G or 4GiB (K/M/G/T are powers of 1024,
    /// KB/MB/GB/TB powers of 1000). Memory never grows with --trials.
    #[arg(long, default_value = "4GiB", value_name = "SIZE", value_parser = crate::memory::parse_size)]
    pub max_memory: u64,

    /// With --shard: seal the shard file with an HMAC-SHA256 under the key in FILE (its
    /// bytes, trailing line ends dropped), which `merge` with the key checks; without it, the
    /// key in TREATYSIM_SHARD_KEY when that is set.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,

    /// Scenario folders.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// `--shard K/N`, parsed by the library's own [`crate::options::Shard`].
pub use crate::options::Shard;

/// Options of `treatysim new`.
#[derive(Debug, Args)]
#[command(
    after_help = "Writes <DIR>/NAME.toml (DIR: the first --scenarios folder), a complete \
scenario that passes `check` and runs, with neutral placeholder values to replace. Never \
overwrites a file.\n\nExample:\n  treatysim new ceasefire --signatories armenia,azerbaijan \
--outside russia,eu --issue 'corridor:armenia>azerbaijan' --issue 'border:azerbaijan>armenia'"
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

    /// An issue dividing two signatories: 'I:A>B' (quoted: > is special to the shell) means
    /// on issue I, A concedes and B demands (repeatable).
    #[arg(long = "issue", value_name = "ISSUE:A>B")]
    pub issues: Vec<IssueArg>,

    /// Scenario folders: the file goes into the first.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Options of `treatysim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario names or paths (a NAME ending in .toml or containing / is a path).
    #[arg(conflicts_with = "all")]
    pub names: Vec<String>,

    /// Run every scenario in the --scenarios folders.
    #[arg(long)]
    pub all: bool,

    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,

    /// Also write every trial's draws to `<out>/<scenario>/samples.csv`.
    #[arg(long)]
    pub samples: bool,

    /// The samples file's format: `csv` (samples.csv) or `parquet` (samples.parquet, several
    /// times faster to write and smaller); implies --samples.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub samples_format: Option<SamplesFormat>,

    /// Add trials until the 95% interval's half-width is at most H, a probability: 0.001 means
    /// ±0.1 percentage points.
    #[arg(long, value_name = "H", conflicts_with = "trials", value_parser = positive_finite)]
    pub precision: Option<f64>,

    /// Cap on trials under --precision.
    #[arg(
        requires = "precision",long, value_name = "N", default_value_t = 100_000_000, value_parser = whole::<1, { u64::MAX }>)]
    pub max_trials: u64,

    /// Run only the K-th of N contiguous ranges of the trials and write a mergeable tally.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

impl RunArgs {
    /// The samples file to write, if any: `--samples-format` (which implies `--samples`), or
    /// CSV with `--samples` alone.
    pub fn samples(&self) -> Option<SamplesFormat> {
        self.samples_format
            .or(self.samples.then_some(SamplesFormat::Csv))
    }
}

/// A positive finite number (a half-width).
fn positive_finite(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h > 0.0)
        .ok_or_else(|| {
            // `--precision 1%`: a half-width in percentage points, written as a fraction.
            match crate::number::percentage(text).filter(|x| *x > 0.0) {
                Some(x) => format!("'{text}' {}", crate::number::percent_advice(x, text)),
                None => format!("'{text}' is not a positive number, e.g. 0.001"),
            }
        })
}

/// Options of `treatysim explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Scenario name or path.
    pub name: String,

    /// Simulation options (--trials defaults to 20000 here, not the scenario's trials).
    #[command(flatten)]
    pub sim: SimArgs,
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
    #[arg(long, default_value_t = 10, value_parser = whole_u32::<2, 1000>)]
    pub bins: u32,

    /// Simulation options.
    #[command(flatten)]
    pub sim: SimArgs,

    /// Run only the K-th of N contiguous ranges of the trials and write a mergeable tally.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

/// A weight of `pool --weights`: a positive finite number.
fn weight(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|w| w.is_finite() && *w > 0.0)
        .ok_or_else(|| {
            format!(
                "'{text}' is not a weight; every weight is a positive finite number (they are \
                 normalised to sum 1), e.g. --weights 2,1,1"
            )
        })
}

/// A `--forecast NAME=P`: a name by the scenario-name rule and a probability in [0, 1].
fn forecast(text: &str) -> Result<(String, f64), String> {
    let Some((name, p)) = text.split_once('=') else {
        return Err(format!(
            "'{text}' is not NAME=P; give an expert's name and probability, e.g. --forecast \
             smith=0.3"
        ));
    };
    let name = name.trim();
    if !crate::scenario::valid_new_name(name) {
        return Err(crate::scenario::name_rule("the forecast's name", name));
    }
    let p = p.trim();
    match p.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok((name.to_string(), x)),
        Ok(x) if x > 1.0 && x <= 100.0 => Err(format!(
            "--forecast {name}={p}: a probability is from 0 to 1; for {p}% write {name}={}",
            crate::number::percent_as_fraction(x)
        )),
        _ => Err(format!(
            "--forecast {name}={p}: '{p}' is not a probability; write a number from 0 to 1, \
             e.g. {name}=0.3"
        )),
    }
}

/// Options of `treatysim pool`. `--as` (of the shared [`SimArgs`]) is hidden from its help:
/// the pool's LABEL names its folder, and `pool` refuses `--as`.
#[derive(Debug, Args)]
#[command(mut_arg("label", |a| a.hide(true)))]
pub struct PoolArgs {
    /// The pool's name: its files go to `<out>/LABEL/` (a scenario name's rules; not the name of
    /// a member or of a scenario on the search path).
    // Its own id: SimArgs' `--as` is `label` too (clap's debug build refuses two).
    #[arg(id = "pool_label", value_name = "LABEL")]
    pub label: String,

    /// The members: scenario names or paths, each at most once.
    #[arg(required = true, value_name = "MEMBER")]
    pub members: Vec<String>,

    /// A member given as a number, not a scenario: an expert's probability P in [0, 1] of a
    /// treaty before the deadline (repeatable). It has no interval and no timeline: the pool's
    /// timeline.csv is written only when every member is a scenario.
    #[arg(long = "forecast", value_name = "NAME=P", value_parser = forecast)]
    pub forecasts: Vec<(String, f64)>,

    /// The members' weights, in their order (the scenarios, then the --forecast members),
    /// normalised to sum 1 [default: equal].
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "W1,W2,...",
        value_parser = weight,
        allow_hyphen_values = true
    )]
    pub weights: Option<Vec<f64>>,

    /// The pool written to summary.csv and timeline.csv: `linear` (Σ w·P, a mixture) or
    /// `geometric-odds` (Π odds^w); pool.csv holds both.
    #[arg(long, value_enum, default_value_t = crate::pool::Method::Linear)]
    pub method: crate::pool::Method,

    /// Simulation options (trials and seed default to the first member's; --set applies to
    /// every member).
    #[command(flatten)]
    pub sim: SimArgs,

    /// Refused: a pool runs unsharded (see `treatysim pool --help`).
    #[arg(long, value_name = "K/N", hide = true)]
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

    /// Give every timeline.svg drawn the same y axis, so that runs compare at a glance.
    #[arg(long)]
    pub common_scale: bool,

    /// Refuse to start when reading and drawing the CSV files would need more memory than
    /// SIZE (estimated from their sizes): e.g. 512M, 4G (as `run --max-memory`).
    #[arg(long, default_value = "4GiB", value_name = "SIZE", value_parser = crate::memory::parse_size)]
    pub max_memory: u64,

    /// Where a sweep's scenario is looked up, to mark its own value, when its folder has no
    /// run.toml.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Options of `treatysim score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Runs to score, by NAME (their folders in --out); every run with a resolution when none
    /// is named.
    pub names: Vec<String>,

    /// Output folder holding the runs; scores.csv and calibration.csv are written there.
    #[arg(long, default_value = "results", value_name = "DIR")]
    pub out: PathBuf,

    /// Scenario folders, where each run's scenario (named in its run.toml) is read.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Options of `treatysim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Scenario name whose shards to merge.
    pub name: String,

    /// Output folder holding `<scenario>/shards/`.
    #[arg(long, default_value = "results", value_name = "DIR")]
    pub out: PathBuf,

    /// Refuse any shard without a valid HMAC under the key in FILE (its bytes, trailing line
    /// ends dropped); without it, the key in TREATYSIM_SHARD_KEY when that is set.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

/// One `--issue I:A>B`: on issue I, A concedes and B demands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueArg {
    /// The issue's name.
    pub name: String,
    /// The signatory that must give ground.
    pub concedes: String,
    /// The signatory that must be satisfied.
    pub demands: String,
}

impl std::str::FromStr for IssueArg {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<IssueArg, String> {
        let bad = || {
            // `--issue loc:india>pakistan` unquoted: the shell took `>pakistan` as a redirection
            // (and created a file `pakistan`), leaving `loc:india`.
            let shell = if text.contains(':') && !text.contains('>') && !text.contains('<') {
                "; unquoted, the shell reads > as a redirection (and writes a file named after \
                 B): quote the whole argument"
            } else {
                ""
            };
            format!(
                "'{text}' is not I:A>B (on issue I, signatory A concedes and B demands){shell}, \
                 e.g. --issue 'security:japan>russia'"
            )
        };
        let (name, sides) = text.split_once(':').ok_or_else(bad)?;
        let (concedes, demands) = sides.split_once('>').ok_or_else(bad)?;
        Ok(IssueArg {
            name: name.trim().to_string(),
            concedes: concedes.trim().to_string(),
            demands: demands.trim().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_read_exactly_with_or_without_an_exponent() {
        for (text, value) in [
            ("0", 0),
            ("200000", 200_000),
            ("1e6", 1_000_000),
            ("1E6", 1_000_000),
            ("+1e+6", 1_000_000),
            ("2.5e3", 2500),
            ("1.000e3", 1000),
            ("10e-1", 1),
            ("0e400", 0),
            (" 7 ", 7),
            ("18446744073709551615", u64::MAX),
            ("1.8446744073709551615e19", u64::MAX),
        ] {
            assert_eq!(whole_number(text), Some(value), "{text}");
        }
        for text in [
            "",
            "e6",
            "1.5",
            "1e-1",
            "2.5e0",
            "-1",
            "1e20",
            "18446744073709551616",
            "1e",
            "0x10",
            "inf",
            "NaN",
            "1_000",
            ".",
            "1..2",
            "1e2.5",
        ] {
            assert_eq!(whole_number(text), None, "{text}");
        }
    }

    #[test]
    fn every_whole_number_option_takes_an_exponent() {
        use clap::Parser;
        let cli = Cli::try_parse_from([
            "treatysim",
            "run",
            "x",
            "--trials",
            "1e6",
            "--seed",
            "2e3",
            "--threads",
            "2e0",
            "--shard",
            "1e0/2e0",
        ]);
        let Ok(Cli {
            command: Command::Run(args),
            ..
        }) = cli
        else {
            panic!("run with exponents refused: {cli:?}");
        };
        assert_eq!(args.sim.trials, Some(1_000_000));
        assert_eq!(args.sim.seed, Some(2000));
        assert_eq!(args.sim.threads, Some(2));
        assert_eq!(args.shard, Some(Shard { index: 1, count: 2 }));
        let cli = Cli::try_parse_from([
            "treatysim",
            "run",
            "x",
            "--precision",
            "0.01",
            "--max-trials",
            "1e6",
        ]);
        let Ok(Cli {
            command: Command::Run(args),
            ..
        }) = cli
        else {
            panic!("--max-trials 1e6 refused: {cli:?}");
        };
        assert_eq!(args.max_trials, 1_000_000);
        let cli = Cli::try_parse_from(["treatysim", "sensitivity", "x", "--bins", "2e1"]);
        let Ok(Cli {
            command: Command::Sensitivity(args),
            ..
        }) = cli
        else {
            panic!("--bins 2e1 refused: {cli:?}");
        };
        assert_eq!(args.bins, 20);
        for bad in [["--threads", "1e4"], ["--threads", "0"], ["--seed", "1.5"]] {
            let args = ["treatysim", "run", "x", bad[0], bad[1]];
            assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
        }
    }
}

/// The values `--estimator`, `--method` and `--samples-format` accept, with the help
/// `--help` shows for each: the library's enums stay free of clap, and each value is the
/// name the library gives it.
mod values {
    use crate::export::SamplesFormat;
    use crate::model::Estimator;
    use crate::pool::Method;
    use clap::ValueEnum;
    use clap::builder::PossibleValue;

    impl ValueEnum for Estimator {
        fn value_variants<'a>() -> &'a [Self] {
            &[Estimator::Conditional, Estimator::Indicator]
        }

        fn to_possible_value(&self) -> Option<PossibleValue> {
            let help = match self {
                Estimator::Conditional => {
                    "each trial adds its exact chance of a treaty given its draws (wills, \
                     demands, events): its summits and signing decisions are averaged, not \
                     played out, so the same answer comes with less noise"
                }
                Estimator::Indicator => {
                    "each trial plays every summit and signing decision out; the share of \
                     trials that signed is the answer"
                }
            };
            Some(PossibleValue::new(self.name()).help(help))
        }
    }

    impl ValueEnum for Method {
        fn value_variants<'a>() -> &'a [Self] {
            &[Method::Linear, Method::GeometricOdds]
        }

        fn to_possible_value(&self) -> Option<PossibleValue> {
            let help = match self {
                Method::Linear => "Σ w_k·P_k: a mixture, one of the members is right",
                Method::GeometricOdds => "Π odds_k^{w_k}, turned back into a probability",
            };
            Some(PossibleValue::new(self.name()).help(help))
        }
    }

    impl ValueEnum for SamplesFormat {
        fn value_variants<'a>() -> &'a [Self] {
            &[SamplesFormat::Csv, SamplesFormat::Parquet]
        }

        fn to_possible_value(&self) -> Option<PossibleValue> {
            let help = match self {
                SamplesFormat::Csv => "`samples.csv`",
                SamplesFormat::Parquet => "samples.parquet",
            };
            Some(PossibleValue::new(self.extension()).help(help))
        }
    }
}
