//! One module per subcommand; [`dispatch`] runs the parsed command line.

/// `eprintln!` that escapes control characters (names and paths are echoed; they must not
/// drive the terminal) and ignores write errors: a closed stderr (`treatysim check 2>&1 |
/// head -1`) is not worth a panic, and there is nowhere left to report it. Silent when
/// [`QUIET`] is set.
macro_rules! note {
    ($($arg:tt)*) => {{
        if !$crate::cmd::NOTES_OFF.load(std::sync::atomic::Ordering::Relaxed) {
            error_line!($($arg)*);
        }
    }};
}

/// As [`note!`], for an error reported on the way (`check`'s invalid scenarios): `--quiet`
/// leaves it; only [`QUIET`] silences it.
macro_rules! error_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if !$crate::cmd::QUIET.load(std::sync::atomic::Ordering::Relaxed) {
            let line = format!($($arg)*);
            let _ = writeln!(
                std::io::stderr().lock(),
                "{}",
                $crate::error::escape_controls(&line)
            );
        }
    }};
}

/// Silences the commands' messages on stderr (what they wrote, their one-line results): for a
/// program that calls [`dispatch`] itself and reports on its own, such as the in-process tests,
/// whose console `cargo test` keeps for its own lines. Errors are returned, never printed here.
pub static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--quiet`: no notes or warnings on stderr; errors still go there.
pub static NOTES_OFF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The warnings printed so far by this command, by what they are about: a warning is printed
/// once per command, not once per scenario that inherits the parameter it is about. A set, so
/// that a scenario with a warning per event stays linear to check.
static WARNED: std::sync::Mutex<Option<std::collections::HashSet<String>>> =
    std::sync::Mutex::new(None);

/// Prints `warning: TEXT` unless a warning about `about` was printed already by this command
/// (or [`QUIET`] is set).
pub(crate) fn warn_once(about: &str, text: &str) {
    let mut warned = WARNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !warned.get_or_insert_default().insert(about.to_string()) {
        return;
    }
    drop(warned);
    note!("warning: {text}");
}

/// Warns of each `*.toml` along the search path that is not read as a scenario because its
/// name breaks the name rule ([`Catalog::skipped`]).
pub(crate) fn warn_skipped(catalog: &crate::scenario::Catalog) {
    for (path, why) in catalog.skipped() {
        warn_once(
            &format!("skipped {}", path.display()),
            &format!(
                "'{}' is not read as a scenario: {why}; rename the file",
                crate::error::escape_controls(&path.display().to_string())
            ),
        );
    }
}

/// Prints each of a scenario's warnings once per command ([`warn_once`]): those of its
/// validation (an event outside the window, …) and each poorly fitted `"quantiles(…)"`
/// (once per parameter: the scenarios that inherit it have the same fit). Every command that
/// reads a scenario prints them, so that a sweep or a comparison is not run on a judgement
/// the fit could not honour without a word.
pub(crate) fn scenario_warnings(scenario: &Scenario) {
    for warning in &scenario.warnings {
        warn_once(warning, warning);
    }
    for (about, warning) in scenario.poor_fits() {
        warn_once(&about, &warning);
    }
}

mod check;
mod compare;
mod explain;
mod list;
mod merge;
mod new;
mod plot;
mod pool;
mod run;
mod score;
pub mod sensitivity;
mod show;
pub mod sweep;

pub use crate::cli::IssueArg;

use crate::cli::{CatalogArgs, Cli, Command, SimArgs};
use crate::error::{Error, Result};
use crate::scenario::{Catalog, Override, Scenario};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Runs a parsed command line.
///
/// # Errors
/// Whatever the command fails with; [`Error::exit_code`] gives the exit code.
pub fn dispatch(cli: Cli) -> Result<()> {
    if cli.quiet {
        NOTES_OFF.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    // The library's warnings (a folder left out of the root summary) are told as ours: once,
    // silenced by --quiet.
    crate::export::set_warning_handler(warn_once);
    let catalog = |args: &CatalogArgs| Catalog::with_search_path(args.scenarios.clone());
    // Scenario files too large to read within --max-memory are refused before parsing.
    let sim = |args: &SimArgs| catalog(&args.catalog).max_memory(args.max_memory);
    match cli.command {
        Command::List { catalog: c } => list::list(&catalog(&c)),
        Command::Check {
            names,
            catalog: c,
            max_memory,
        } => check::check(&catalog(&c).max_memory(max_memory), &names),
        Command::Show(args) => show::show(&catalog(&args.catalog), &args),
        Command::New(args) => {
            let folder = args
                .catalog
                .scenarios
                .first()
                .map_or(Path::new("scenarios"), |d| d.as_path());
            new::new(folder, &args)
        }
        Command::Run(args) => run::run(&sim(&args.sim), &args),
        Command::Explain(args) => explain::explain(&sim(&args.sim), &args),
        Command::Sweep(args) => sweep::sweep(&sim(&args.sim), &args),
        Command::Compare(args) => compare::compare(&sim(&args.sim), &args),
        Command::Sensitivity(args) => {
            // Its files go to <out>/NAME/: not through a link out of --out.
            if let Some(name) = output_name(&args.name) {
                crate::export::check_scenario_folder(&args.sim.out, &name)?;
            }
            sensitivity::sensitivity(&sim(&args.sim), &args)
        }
        Command::Pool(args) => pool::pool(&sim(&args.sim), &args),
        Command::Score(args) => score::score(&catalog(&args.catalog), &args),
        Command::Plot(args) => {
            plot::plot(&catalog(&args.catalog).max_memory(args.max_memory), &args)
        }
        Command::Merge(args) => merge::merge(&args),
    }
}

/// The name a command's results are filed under for a NAME argument, as `Catalog::load` names
/// a scenario: a NAME ending in `.toml` or containing `/` is a path, named by its file stem.
/// `None` unless it passes the name rule (the command then says why when it loads it).
pub(crate) fn output_name(arg: &str) -> Option<String> {
    let name = if arg.ends_with(".toml") || arg.contains('/') {
        Path::new(arg).file_stem()?.to_string_lossy().into_owned()
    } else {
        arg.to_string()
    };
    crate::scenario::valid_scenario_name(&name).then_some(name)
}

impl SimArgs {
    /// The key that seals shard files ([`crate::shard::seal`]): `--key-file`, else
    /// `TREATYSIM_SHARD_KEY`; `None` without either.
    ///
    /// # Errors
    /// Invalid input for an empty or unreadable key file.
    pub fn shard_key(&self) -> Result<Option<crate::shard::seal::ShardKey>> {
        crate::shard::seal::ShardKey::find(self.key_file.as_deref())
    }

    /// Loads and validates a scenario with this command's `--set`, `--trials` and `--seed`,
    /// and prints its warnings, once per command.
    ///
    /// # Errors
    /// Invalid input.
    pub fn load(&self, catalog: &Catalog, name: &str) -> Result<Scenario> {
        let scenario = self.load_with(catalog, name, &[])?;
        scenario_warnings(&scenario);
        Ok(scenario)
    }

    /// As [`SimArgs::load`], with `extra` overrides applied after this command's `--set`, and
    /// without printing warnings: a sweep's points, whose scenario `load` has read already.
    ///
    /// # Errors
    /// Invalid input.
    pub fn load_with(&self, catalog: &Catalog, name: &str, extra: &[Override]) -> Result<Scenario> {
        let overrides: Vec<Override> = self.sets.iter().chain(extra).cloned().collect();
        let mut scenario = catalog.load(name, &overrides)?;
        if let Some(trials) = self.trials {
            scenario.simulation.trials = trials;
        }
        if let Some(seed) = self.seed {
            scenario.simulation.seed = seed;
        }
        Ok(scenario)
    }

    /// Files `scenario`'s results under `--as LABEL`, if given, and checks that its folder in
    /// `--out` is not another scenario's: LABEL may not be the name of another scenario on the
    /// search path, and a `run.toml` already in `<out>/NAME/` must record the same scenario
    /// (what `run baseline` then `run other --as baseline` would otherwise mix silently).
    ///
    /// # Errors
    /// Invalid input (exit 2) naming the label, the other scenario and what to do.
    pub fn relabel(&self, catalog: &Catalog, scenario: &mut Scenario) -> Result<()> {
        if let Some(label) = &self.label {
            if !crate::scenario::valid_new_name(label) {
                return Err(Error::Invalid(format!(
                    "--as: {}",
                    crate::scenario::name_rule("the label", label)
                )));
            }
            if *label != scenario.origin
                && let Ok(path) = catalog.locate(label)
            {
                return Err(Error::Invalid(format!(
                    "--as {label}: '{label}' is another scenario ('{}'); its results and this \
                     variant of '{}' would share <out>/{label}/: choose another label",
                    path.display(),
                    scenario.origin
                )));
            }
            scenario.name = label.clone();
        }
        check_folder_owner(&self.out, &scenario.name, &scenario.origin)
    }

    /// What produced a run of `scenario` (loaded with these options) with `trials` trials, for
    /// `run.toml`.
    pub fn record(&self, scenario: &Scenario, trials: u64) -> crate::export::Record {
        crate::export::Record {
            command: crate::export::provenance::command_line(),
            scenario: scenario.origin.clone(),
            estimator: self.estimator.name().to_string(),
            trials,
            seed: scenario.simulation.seed,
            overrides: self.overrides(),
            resolved: scenario.to_toml(),
        }
    }

    /// The `--set` arguments as given.
    pub fn overrides(&self) -> Vec<String> {
        self.sets.iter().map(|o| o.arg.clone()).collect()
    }

    /// The worker threads this command will use (`--threads`, else all cores).
    pub fn thread_count(&self) -> usize {
        crate::memory::threads(self.threads)
    }

    /// Refuses to start `what` (e.g. "run baseline") when `estimate` exceeds `--max-memory`.
    /// Every simulating command calls it with its own estimate before simulating.
    ///
    /// # Errors
    /// Invalid input (exit 2) quoting the estimate and the limit.
    pub fn check_memory(&self, what: &str, estimate: &crate::memory::Estimate) -> Result<()> {
        estimate.check(what, self.max_memory)
    }

    /// Runs `work` on a pool of `--threads` workers (all cores by default).
    ///
    /// # Errors
    /// Whatever `work` fails with, or a pool that cannot start.
    pub fn in_pool<T: Send>(&self, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
        crate::api::in_pool(self.threads, work)
    }
}

/// Refuses to write `origin`'s results into `<out>/NAME/` when the folder's `run.toml` records
/// another scenario, or a pool's results (SPEC §7: "a folder holding another run's or pool's
/// results is never overwritten silently"). An unreadable `run.toml` is replaced by the
/// publication, so it is no objection.
///
/// # Errors
/// Invalid input (exit 2).
pub fn check_folder_owner(out: &Path, name: &str, origin: &str) -> Result<()> {
    check_owner(out, name, origin, false)
}

/// [`check_folder_owner`] for the pool `label`: refuses a folder holding a run's or an
/// analysis's results (of a scenario, or a variant `--as LABEL`), or another pool's.
///
/// # Errors
/// Invalid input (exit 2).
pub fn check_pool_folder_owner(out: &Path, label: &str) -> Result<()> {
    check_owner(out, label, label, true)
}

/// Whether `<out>/NAME/` may take results of `origin` (a pool's when `pool`).
fn check_owner(out: &Path, name: &str, origin: &str, pool: bool) -> Result<()> {
    let path = out.join(name).join(crate::export::publish::RUN_TOML);
    let Ok(version) = crate::export::RunFolder::resolve(&out.join(name)) else {
        return Ok(());
    };
    let Ok(Some(toml)) =
        crate::export::RunToml::read(&version.path(crate::export::publish::RUN_TOML))
    else {
        return Ok(());
    };
    let holds_pool = toml.run.is_some() && toml.files.contains_key("pool.csv");
    let what = |who: &str| {
        if holds_pool {
            format!("the pool '{who}'")
        } else {
            format!("scenario '{who}'")
        }
    };
    let recorded = toml
        .run
        .iter()
        .chain(toml.outputs.values().map(|o| &o.record))
        .map(|r| r.scenario.as_str())
        .find(|s| *s != origin);
    let this = if pool {
        format!("the pool '{origin}'")
    } else {
        format!("'{origin}'")
    };
    let other = match recorded {
        Some(other) => Some(what(other)),
        // The same name, but a pool's results where a run goes, or a run's where a pool goes.
        None if toml.run.is_some() && holds_pool != pool => Some(what(origin)),
        None => None,
    };
    match other {
        Some(other) => Err(Error::Invalid(format!(
            "'{}' holds results of {other} ({}), not of {this}: write this one under another \
             name{}, or remove the folder",
            out.join(name).display(),
            path.display(),
            if pool {
                " (another label)"
            } else {
                " with --as LABEL"
            }
        ))),
        None => Ok(()),
    }
}

/// A progress bar on stderr, only when stderr is a terminal (never in files or pipes).
pub fn progress_bar(label: &str, trials: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() || NOTES_OFF.load(std::sync::atomic::Ordering::Relaxed) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(trials);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:40}] {pos}/{len} trials, {rate}, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}", rate(state.per_sec()));
                },
            )
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    bar
}

/// A rate of trials per second as a person reads it: `4.48M trials/s`, `52.3k trials/s`.
pub fn rate(per_second: f64) -> String {
    if !per_second.is_finite() || per_second <= 0.0 {
        "- trials/s".into()
    } else if per_second >= 1e6 {
        format!("{:.2}M trials/s", per_second / 1e6)
    } else if per_second >= 1e3 {
        format!("{:.1}k trials/s", per_second / 1e3)
    } else {
        format!("{per_second:.0} trials/s")
    }
}

/// Writes a command's output to stdout; a closed pipe (`treatysim show x | head -1`) is not an
/// error.
fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io {
            context: "could not write to standard output".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates_read_as_a_person_reads_them() {
        assert_eq!(super::rate(4_479_872.639_1), "4.48M trials/s");
        assert_eq!(super::rate(52_345.0), "52.3k trials/s");
        assert_eq!(super::rate(12.4), "12 trials/s");
        assert_eq!(super::rate(f64::NAN), "- trials/s");
    }
}
