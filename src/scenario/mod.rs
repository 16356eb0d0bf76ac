//! Scenario files (format 2): finding them along the search path, resolving `extends` and
//! `--set`, and validating every value into a [`Scenario`] the engine can run (SPEC §3).

mod events;
mod layer;
mod show;
mod validate;

/// Correlations live with the copula that realises them (below the scenario, so that
/// validation can build a copula without an import circle).
pub use crate::copula::Correlation;
pub use events::{EVENT_KEYS, RawEvent, window};
pub use layer::{Layer, Located, Origin, Raw, format_1_hint, pair_key};

use crate::cast::{Cast, ParamId, did_you_mean};
use crate::distribution::Dist;
use crate::error::{Error, Result};
use crate::month::Month;
use std::path::{Path, PathBuf};

/// Trials when a scenario does not say.
pub const DEFAULT_TRIALS: u64 = 100_000;
/// Seed when a scenario does not say.
pub const DEFAULT_SEED: u64 = 0;
/// The deepest `extends` chain accepted.
pub const MAX_EXTENDS_DEPTH: usize = 64;
/// The environment variable holding more scenario folders, searched after `--scenarios`.
pub const SEARCH_PATH_VARIABLE: &str = "TREATYSIM_SCENARIOS";

/// A parameter's value: the text as written and the distribution it means.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    /// As written in the file or on the command line (a number or a distribution string).
    pub written: String,
    /// The validated distribution (`"lo to hi"` already fitted to the domain).
    pub dist: Dist,
}

/// One additive shift of an event.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    /// The state parameter shifted.
    pub param: ParamId,
    /// The shift: a constant, or a distribution drawn when the event fires.
    pub shift: ParamSpec,
}

/// An event that may fire once — in its month, in a month drawn from its window, or at a
/// monthly hazard through its window — may make leaders leave, and shifts state parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Unique name (children merge into parents' events by name).
    pub name: String,
    /// The month in which it may fire, or the first of its window.
    pub month: Month,
    /// The last month of its window (inclusive), when it has one: a `probability` event's
    /// month is then drawn uniformly from `month..=until` once per trial.
    pub until: Option<Month>,
    /// Chance that it fires, in [0, 1]: once, or (`hazard`) in each month of its window.
    pub probability: f64,
    /// Whether `probability` is a hazard, a chance per month from `month` to `until` (or the
    /// end of the simulation), rather than the chance of one dated draw.
    pub hazard: bool,
    /// Shifts applied when it fires, in file order.
    pub effects: Vec<Effect>,
    /// Party indices of the signatories whose leaders leave when it fires.
    pub leader_exit: Vec<usize>,
    /// Indices (in the scenario's events) of the events that must have fired before it.
    pub requires: Vec<usize>,
    /// Indices of the events none of which may have fired before it.
    pub excludes: Vec<usize>,
}

/// The `[simulation]` table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Simulation {
    /// First month in which a treaty can be signed.
    pub start: Month,
    /// The treaty must be signed before this month begins.
    pub deadline: Month,
    /// Number of trials.
    pub trials: u64,
    /// Seed of the random streams.
    pub seed: u64,
}

impl Simulation {
    /// T: the number of simulated months, start to deadline.
    pub fn months(&self) -> usize {
        self.start.months_until(self.deadline).max(0) as usize
    }
}

/// A fully resolved, validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The name outputs are filed under: the file name without `.toml`, or the `--as` label.
    pub name: String,
    /// The scenario's own name (the file name without `.toml`), whatever the label.
    pub origin: String,
    /// The file it was loaded from.
    pub path: PathBuf,
    /// The `extends` chain, root first, ending with this file.
    pub chain: Vec<PathBuf>,
    /// One-line description.
    pub description: String,
    /// The question it answers, if stated.
    pub question: Option<String>,
    /// The `[simulation]` table.
    pub simulation: Simulation,
    /// Parties, issues and parameters in canonical order.
    pub cast: Cast,
    /// Every parameter's value, in the cast's order.
    pub params: Vec<ParamSpec>,
    /// Events in file order (parents' first).
    pub events: Vec<Event>,
    /// Rank correlations between parameters.
    pub correlations: Vec<Correlation>,
    /// How the question resolved, if the scenario says (`[resolution]`, for `score`); it
    /// changes no simulated number.
    pub resolution: Option<Resolution>,
    /// Things worth a warning that do not stop a run.
    pub warnings: Vec<String>,
}

/// How a scenario's question resolved (`[resolution]`, SPEC §8 "Scoring").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// `outcome = "signed"`, `month = "YYYY-MM"`: signed in that month of the window.
    Signed(crate::month::Month),
    /// `outcome = "not signed"`: no treaty before the deadline.
    NotSigned,
}

impl Resolution {
    /// 1 if signed, 0 if not: the outcome a forecast is scored against.
    pub fn indicator(self) -> f64 {
        match self {
            Resolution::Signed(_) => 1.0,
            Resolution::NotSigned => 0.0,
        }
    }

    /// `signed` or `not signed`, as written in the scenario and in `scores.csv`.
    pub fn outcome(self) -> &'static str {
        match self {
            Resolution::Signed(_) => "signed",
            Resolution::NotSigned => "not signed",
        }
    }
}

impl Scenario {
    /// A warning for every `"quantiles(…)"` whose fitted distribution misses an elicited
    /// quantile by more than [`crate::distribution::fit::POOR_FIT`] (SPEC §8), parameters
    /// first, then event effects: each as what it is about (the key and the text fitted, so
    /// that a command prints it once however many scenarios inherit it) and the warning.
    /// Computed on demand (each is a fit), unlike [`Scenario::warnings`].
    pub fn poor_fits(&self) -> Vec<(String, String)> {
        let cast = &self.cast;
        let params = cast
            .ids()
            .map(|id| (cast.key(id).to_string(), &self.params[id.index()]));
        let effects = self.events.iter().flat_map(|event| {
            event.effects.iter().map(move |e| {
                (
                    format!("event \"{}\".effects.\"{}\"", event.name, cast.key(e.param)),
                    &e.shift,
                )
            })
        });
        params
            .chain(effects)
            .filter_map(|(key, spec)| {
                poor_fit(spec).map(|why| {
                    (
                        format!("{key} = {}", spec.written),
                        format!("{}: {key}: {why}", self.name),
                    )
                })
            })
            .collect()
    }

    /// The validated distribution of a parameter.
    pub fn dist(&self, id: ParamId) -> &Dist {
        &self.params[id.index()].dist
    }

    /// The parameters that are not constants, canonical order.
    pub fn uncertain(&self) -> Vec<ParamId> {
        self.cast
            .ids()
            .filter(|id| !self.dist(*id).is_constant())
            .collect()
    }

    /// About how many bytes it holds, inline and on the heap with a 16-byte allocator header
    /// per allocation (for `--max-memory`): its events, parameters, cast and correlations.
    pub fn approx_bytes(&self) -> u64 {
        use std::mem::size_of;
        const HEADER: usize = 16;
        let spec = |p: &ParamSpec| size_of::<ParamSpec>() + HEADER + p.written.len();
        let events: usize = self
            .events
            .iter()
            .map(|e| {
                size_of::<Event>()
                    + 5 * HEADER
                    + e.name.len()
                    + e.effects.iter().map(|f| spec(&f.shift) + 8).sum::<usize>()
                    + 8 * (e.leader_exit.len() + e.requires.len() + e.excludes.len())
            })
            .sum();
        let params: usize = self.params.iter().map(spec).sum();
        // Each key twice (the list and the index), a hash-table slot and the parameter's info.
        let cast: usize = self
            .cast
            .params()
            .iter()
            .map(|p| 2 * (p.key.len() + HEADER) + 48 + size_of::<crate::cast::ParamInfo>())
            .sum::<usize>()
            + self
                .cast
                .parties
                .iter()
                .map(|p| {
                    size_of::<crate::cast::Party>() + 2 * HEADER + p.name.len() + p.label.len()
                })
                .sum::<usize>()
            + self
                .cast
                .issues
                .iter()
                .map(|i| {
                    size_of::<crate::cast::Issue>()
                        + 3 * HEADER
                        + i.name.len()
                        + 8 * (i.leverage.len() + i.pressure.len())
                })
                .sum::<usize>();
        let warnings: usize = self.warnings.iter().map(|w| 24 + HEADER + w.len()).sum();
        (size_of::<Scenario>()
            + 8 * HEADER
            + events
            + params
            + cast
            + self.correlations.len() * size_of::<Correlation>()
            + warnings) as u64
    }
}

/// A `--set KEY=VALUE` override.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The full key.
    pub key: String,
    /// The value text, quotes removed.
    pub value: String,
    /// The argument as typed, for messages.
    pub arg: String,
}

impl std::str::FromStr for Override {
    type Err = String;

    fn from_str(arg: &str) -> std::result::Result<Override, String> {
        let (key, value) = arg.split_once('=').ok_or_else(|| {
            format!("'{arg}' is not KEY=VALUE; write e.g. --set 'party.japan.will=beta(8, 2)'")
        })?;
        let value = value.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
            .unwrap_or(value);
        Ok(Override {
            key: key.trim().to_string(),
            value: unquoted.to_string(),
            arg: arg.to_string(),
        })
    }
}

/// Whether `name` may name a scenario or a label: `[A-Za-z0-9][A-Za-z0-9_.-]*` (so never `.`
/// or `..`), the rule that keeps every output inside `--out` (SPEC §7), and not
/// [`reserved_name`]: `<out>/NAME/` must never be, or be taken for, one of the files treatysim
/// writes at the root of `--out`.
pub fn valid_scenario_name(name: &str) -> bool {
    valid_file_name(name) && !reserved_name(name)
}

/// The longest scenario name or label, in bytes: file systems hold names of at most 255, and
/// treatysim names files after two of them (`compare-A-vs-B.run.toml`, 21 bytes besides A
/// and B), so a name that fits its own folder could still make a file it cannot write.
pub const MAX_NAME: usize = 100;

/// Whether `name` may name a scenario read from its file or a new label: a
/// [`valid_scenario_name`] of at most [`MAX_NAME`] bytes. Names read back from outputs
/// (`summary.csv`, `run.toml`, shards) keep the rule without the length, so that a folder
/// written by an earlier version under a longer name is still read.
pub fn valid_new_name(name: &str) -> bool {
    valid_scenario_name(name) && name.len() <= MAX_NAME
}

/// Whether `name` matches `[A-Za-z0-9][A-Za-z0-9_.-]*`: a file name inside one folder (the
/// files of a run folder, `summary.csv` included, pass it; scenario names must also pass
/// [`valid_scenario_name`]).
pub fn valid_file_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// The extensions of the files treatysim writes at the root of `--out` (`summary.csv`,
/// `scores.csv`, `calibration.csv`, `compare-A-vs-B.csv` and its `.run.toml`, `summary.svg`,
/// `timelines.svg`, `calibration.svg`), and of those it reads or may write beside them: a
/// scenario name or label ending in one of them (in any case: `SUMMARY.CSV` is `summary.csv`
/// on a case-insensitive file system) is refused, so that `<out>/NAME/` never collides with one.
pub const RESERVED_EXTENSIONS: [&str; 5] = ["csv", "svg", "png", "toml", "parquet"];

/// Whether `name` ends in `.EXT` for one of the [`RESERVED_EXTENSIONS`].
pub fn reserved_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        RESERVED_EXTENSIONS
            .iter()
            .any(|r| ext.eq_ignore_ascii_case(r))
    })
}

/// Why `path`, which exists, is not read as a scenario: it is a folder, or not a regular file
/// (a FIFO, a socket, a device); `None` when it is a file or does not exist.
fn not_a_scenario_file(path: &Path) -> Option<String> {
    let kind = std::fs::metadata(path).ok()?.file_type();
    if kind.is_file() {
        return None;
    }
    let what = if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file (a FIFO, socket or device)"
    };
    Some(format!(
        "'{}' is {what}, not a scenario file; a scenario is a TOML file NAME.toml",
        path.display()
    ))
}

/// The message for a name that breaks [`valid_scenario_name`].
pub fn name_rule(what: &str, name: &str) -> String {
    if valid_file_name(name) && reserved_name(name) {
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        return format!(
            "{what} \"{name}\" is not a valid name: it ends in '.{ext}', like the files \
             treatysim writes at the root of --out (summary.csv, scores.csv, calibration.csv, \
             compare-A-vs-B.csv, summary.svg, timelines.svg, ...), so its folder <out>/{name}/ \
             would collide with one; names may not end in .{}: use e.g. \"{stem}_{ext}\"",
            RESERVED_EXTENSIONS.join(", .")
        );
    }
    if valid_file_name(name) && name.len() > MAX_NAME {
        let start: String = name.chars().take(24).collect();
        return format!(
            "{what} \"{start}...\" is not a valid name: it is {} bytes long, and names may be \
             at most {MAX_NAME} (files are named after them, and after two of them for \
             compare-A-vs-B.csv, within the file system's 255 bytes)",
            name.len()
        );
    }
    format!(
        "{what} \"{}\" is not a valid name; names start with a letter or digit, followed by letters, digits, '_', '.' or '-' (so never '.', '..' or a path)",
        name.escape_debug()
    )
}

/// The scenario folders to search, in order: the `--scenarios` folders, then those of
/// `TREATYSIM_SCENARIOS`.
#[derive(Clone, Debug)]
pub struct Catalog {
    /// Folders given on the command line.
    dirs: Vec<PathBuf>,
    /// The folders of `TREATYSIM_SCENARIOS`, searched after them (by `list`, `check` and
    /// `run --all` too).
    more: Vec<PathBuf>,
    /// `--max-memory`: scenario files whose size implies more memory to read are refused
    /// before they are parsed.
    max_memory: u64,
}

impl Catalog {
    /// A catalog of `<dir>/*.toml`.
    pub fn new(dir: impl Into<PathBuf>) -> Catalog {
        Catalog {
            dirs: vec![dir.into()],
            more: Vec::new(),
            max_memory: DEFAULT_MAX_MEMORY,
        }
    }

    /// The same catalog, refusing scenario files that would need more than `limit` bytes of
    /// memory to read and validate (`--max-memory`; 4 GiB by default), before parsing them.
    #[must_use]
    pub fn max_memory(mut self, limit: u64) -> Catalog {
        self.max_memory = limit;
        self
    }

    /// A catalog searching `dirs`, then the folders in `TREATYSIM_SCENARIOS`.
    pub fn with_search_path(dirs: Vec<PathBuf>) -> Catalog {
        let more = std::env::var_os(SEARCH_PATH_VARIABLE)
            .map(|paths| {
                std::env::split_paths(&paths)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Catalog {
            dirs,
            more,
            max_memory: DEFAULT_MAX_MEMORY,
        }
    }

    fn search_path(&self) -> impl Iterator<Item = &PathBuf> {
        self.dirs.iter().chain(&self.more)
    }

    /// The `*.toml` files along the search path that [`Catalog::names`] skips because their
    /// names break the name rule, each with the rule's message (`check` and `list` say so
    /// rather than pass over a file that will never load).
    pub fn skipped(&self) -> Vec<(PathBuf, String)> {
        let mut skipped = Vec::new();
        for dir in self.search_path() {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut found: Vec<(PathBuf, String)> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
                .filter_map(|p| {
                    let name = stem(&p);
                    (!valid_new_name(&name)).then(|| (p.clone(), name_rule("its name", &name)))
                })
                .collect();
            found.sort();
            skipped.extend(found);
        }
        skipped
    }

    /// The scenario names along the search path (the `--scenarios` folders, then those of
    /// `TREATYSIM_SCENARIOS`), sorted, the first folder winning a name found in several. Files
    /// whose names break the name rule are skipped; so is a folder that does not exist, as
    /// long as another one does.
    ///
    /// # Errors
    /// When a folder cannot be read, or none of them exists.
    pub fn names(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let mut missing = None;
        let mut found = false;
        for dir in self.search_path() {
            match names_in(dir) {
                Ok(in_dir) => {
                    found = true;
                    for name in in_dir {
                        if !names.contains(&name) {
                            names.push(name);
                        }
                    }
                }
                Err(e) if !dir.exists() => {
                    missing.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        if let (false, Some(e)) = (found, missing) {
            return Err(e);
        }
        names.sort();
        Ok(names)
    }

    /// The file a NAME refers to: a path when it ends in `.toml` or contains `/`, otherwise
    /// the first `<DIR>/<NAME>.toml` along the search path.
    ///
    /// # Errors
    /// An unknown or invalid name, listing the available ones.
    pub fn locate(&self, name: &str) -> Result<PathBuf> {
        if name.ends_with(".toml") || name.contains('/') {
            let path = PathBuf::from(name);
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !valid_new_name(&stem) {
                return Err(Error::Invalid(name_rule("scenario file", &stem)));
            }
            if path.is_file() {
                return Ok(path);
            }
            return Err(Error::Invalid(not_a_scenario_file(&path).unwrap_or_else(
                || {
                    format!(
                        "no scenario file '{}'{}",
                        path.display(),
                        self.path_advice(name, &stem)
                    )
                },
            )));
        }
        if !valid_new_name(name) {
            return Err(Error::Invalid(name_rule("scenario", name)));
        }
        if let Some(path) = self.find(name) {
            return Ok(path);
        }
        if let Some(e) = self.search_path().find_map(|dir| not_a_folder(dir)) {
            return Err(e);
        }
        if let Some(why) = self
            .search_path()
            .find_map(|dir| not_a_scenario_file(&dir.join(format!("{name}.toml"))))
        {
            return Err(Error::Invalid(why));
        }
        let available = self.names().unwrap_or_default();
        let folders: Vec<String> = self
            .search_path()
            .map(|d| format!("'{}'", d.display()))
            .collect();
        // `run x --samples parquet`: --samples takes no value, the format is its own option.
        let samples = if matches!(name, "csv" | "parquet") {
            format!(
                "; to choose the samples file's format, write --samples-format {name} (--samples \
                 takes no value)"
            )
        } else {
            String::new()
        };
        Err(Error::Invalid(format!(
            "unknown scenario '{name}': no {name}.toml in {}{samples}{}{}; available: {}",
            folders.join(", "),
            nearby(name)
                .map(|dir| format!(
                    "; there is one in '{}': add --scenarios {} (or give the path, {})",
                    dir.display(),
                    dir.display(),
                    dir.join(format!("{name}.toml")).display()
                ))
                .unwrap_or_default(),
            did_you_mean(name, available.iter().map(String::as_str)),
            if available.is_empty() {
                "none (pass --scenarios DIR)".to_string()
            } else {
                available.join(", ")
            }
        )))
    }

    /// Advice for a path that names no file: `mine/treaty` for `mine/treaty.toml`, and
    /// `treaty.toml` (a path, read from the current folder) for the name `treaty` looked up
    /// along the search path.
    fn path_advice(&self, name: &str, stem: &str) -> String {
        let with_toml = PathBuf::from(format!("{name}.toml"));
        if !name.ends_with(".toml") && with_toml.is_file() {
            return format!(
                "; there is '{}': a path names the file with its .toml",
                with_toml.display()
            );
        }
        match self.find(stem) {
            Some(found) if !name.contains('/') => format!(
                "; a NAME ending in .toml is a path from the current folder; to look the \
                 scenario up along --scenarios, drop the .toml (`{stem}`), or give its path, {}",
                found.display()
            ),
            _ => String::new(),
        }
    }

    /// The first `<DIR>/<NAME>.toml` along the search path.
    fn find(&self, name: &str) -> Option<PathBuf> {
        self.search_path()
            .map(|dir| dir.join(format!("{name}.toml")))
            .find(|p| p.is_file())
    }

    /// Loads, resolves and validates a scenario, applying `overrides` last.
    ///
    /// # Errors
    /// Any invalid input, naming file, line, key, problem and what is accepted.
    pub fn load(&self, name: &str, overrides: &[Override]) -> Result<Scenario> {
        let path = self.locate(name)?;
        let (layer, chain) = self.load_chain(&path)?;
        let mut layer = layer;
        for o in overrides {
            apply_override(&mut layer, o)?;
        }
        let name = path
            .file_stem()
            .map_or_else(|| name.to_string(), |s| s.to_string_lossy().into_owned());
        validate::validate(name, path, chain, layer)
    }

    /// Reads `path` and its `extends` ancestors and merges them root first; returns the merged
    /// layer and the files, root first.
    fn load_chain(&self, path: &Path) -> Result<(Layer, Vec<PathBuf>)> {
        let mut layers = Vec::new();
        let mut files: Vec<PathBuf> = Vec::new();
        let mut seen: Vec<PathBuf> = Vec::new();
        let mut bytes = 0u64;
        let mut next = Some((path.to_path_buf(), None::<Located<String>>));
        while let Some((file, link)) = next.take() {
            let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
            if let Some(link) = &link {
                if seen.contains(&canonical) {
                    let mut names: Vec<String> = files.iter().map(|p| stem(p)).collect();
                    names.push(stem(&file));
                    return Err(invalid(
                        &link.origin,
                        "extends",
                        format!(
                            "cycle {}; a scenario may not extend itself or a descendant",
                            names.join(" -> ")
                        ),
                    ));
                }
                if files.len() >= MAX_EXTENDS_DEPTH {
                    return Err(invalid(
                        &link.origin,
                        "extends",
                        format!(
                            "the extends chain is deeper than {MAX_EXTENDS_DEPTH}; accepted: at most {MAX_EXTENDS_DEPTH} scenarios in a chain"
                        ),
                    ));
                }
            }
            seen.push(canonical);
            let layer = Layer::parse(&file, &read(&file, &mut bytes, self.max_memory)?)?;
            if let Some(parent) = &layer.extends {
                next = Some((self.parent(&file, parent)?, Some(parent.clone())));
            }
            files.push(file);
            layers.push(layer);
        }
        files.reverse();
        let merged = layers
            .into_iter()
            .rev()
            .reduce(Layer::overlay)
            .unwrap_or_default();
        Ok((merged, files))
    }

    /// The file `extends = "parent"` in `child` refers to: the child's own folder, then the
    /// search path. A path (absolute, with `/` or `..`) is refused.
    fn parent(&self, child: &Path, parent: &Located<String>) -> Result<PathBuf> {
        let name = parent.value.strip_suffix(".toml").unwrap_or(&parent.value);
        if !valid_new_name(name) {
            return Err(invalid(
                &parent.origin,
                "extends",
                format!(
                    "{}; extends names a scenario (e.g. extends = \"baseline\"), looked up in this file's folder and then along the search path; absolute paths and .. are refused",
                    name_rule("the scenario", name)
                ),
            ));
        }
        let own = child.parent().unwrap_or(Path::new("."));
        let own = if own.as_os_str().is_empty() {
            Path::new(".")
        } else {
            own
        };
        let beside = own.join(format!("{name}.toml"));
        if beside.is_file() {
            return Ok(beside);
        }
        if let Some(found) = self.find(name) {
            return Ok(found);
        }
        let mut available = names_in(own).unwrap_or_default();
        available.extend(self.names().unwrap_or_default());
        available.sort();
        available.dedup();
        Err(invalid(
            &parent.origin,
            "extends",
            format!(
                "no scenario '{name}' in '{}' or on the search path (--scenarios, {SEARCH_PATH_VARIABLE}){}; available: {}",
                own.display(),
                did_you_mean(name, available.iter().map(String::as_str)),
                available.join(", ")
            ),
        ))
    }
}

/// The scenario a resolved text describes (what `show` prints, and shard files and `run.toml`
/// hold), named `name`.
///
/// # Errors
/// When the text is not a valid, self-contained scenario.
pub fn from_resolved(name: &str, origin: &Path, text: &str) -> Result<Scenario> {
    let layer = Layer::parse(origin, text)?;
    if let Some(parent) = &layer.extends {
        return Err(invalid(
            &parent.origin,
            "extends",
            "a resolved scenario extends nothing",
        ));
    }
    validate::validate(
        name.to_string(),
        origin.to_path_buf(),
        vec![origin.to_path_buf()],
        layer,
    )
}

/// The scenario a self-contained TOML text describes (no `extends`), named `name`, with
/// `overrides` applied last as `Catalog::load` applies them: what a front end that holds the
/// text itself (the Python package's `Scenario.from_toml`) loads. Messages name `origin` as
/// the file.
///
/// # Errors
/// Any invalid input, naming file, line, key, problem and what is accepted.
pub fn from_text(
    name: &str,
    origin: &Path,
    text: &str,
    overrides: &[Override],
) -> Result<Scenario> {
    let mut layer = Layer::parse(origin, text)?;
    if let Some(parent) = &layer.extends {
        return Err(invalid(
            &parent.origin,
            "extends",
            "a scenario given as text extends nothing; load it from a folder instead",
        ));
    }
    for o in overrides {
        apply_override(&mut layer, o)?;
    }
    validate::validate(
        name.to_string(),
        origin.to_path_buf(),
        vec![origin.to_path_buf()],
        layer,
    )
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

/// The valid scenario names of `<dir>/*.toml`.
/// A folder holding `NAME.toml` that the search path missed: the current folder, or one of its
/// subfolders (one level down, in name order), for the advice of an unknown name.
fn nearby(name: &str) -> Option<PathBuf> {
    let file = format!("{name}.toml");
    if Path::new(&file).is_file() {
        return Some(PathBuf::from("."));
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(".")
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| PathBuf::from(e.file_name()))
        .collect();
    dirs.sort();
    dirs.into_iter().find(|d| d.join(&file).is_file())
}

/// The refusal of a `--scenarios` (or `TREATYSIM_SCENARIOS`) entry that is a file, not a
/// folder: `--scenarios scenarios/baseline.toml` for `--scenarios scenarios`.
fn not_a_folder(dir: &Path) -> Option<Error> {
    if !dir.is_file() {
        return None;
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(Error::Invalid(format!(
        "scenario folder '{}' is a file, not a folder; accepted: --scenarios DIR (and the \
         entries of {SEARCH_PATH_VARIABLE}) name folders holding NAME.toml files, here \
         --scenarios {}; to name one scenario file, give its path as the NAME instead, e.g. \
         `treatysim run {}`",
        dir.display(),
        parent.display(),
        dir.display()
    )))
}

fn names_in(dir: &Path) -> Result<Vec<String>> {
    if let Some(e) = not_a_folder(dir) {
        return Err(e);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Invalid(format!(
                "scenario folder '{}' does not exist; pass --scenarios DIR",
                dir.display()
            ))
        } else {
            Error::io("read the scenario folder", dir, e)
        }
    })?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .map(|p| stem(&p))
        .filter(|n| valid_new_name(n))
        .collect();
    names.sort();
    Ok(names)
}

/// The default `--max-memory`, 4 GiB (`memory::DEFAULT_LIMIT`; defined here because `memory`
/// imports the scenario, not the reverse).
pub const DEFAULT_MAX_MEMORY: u64 = 4 << 30;

/// What the process holds before any command's data (`memory::BASE`).
pub const PROGRAM_BYTES: u64 = 6 << 20;

/// Bytes of memory that reading and validating a scenario takes per byte of its files, at
/// its peak (the TOML document with every value's position, the merged layer and the
/// validated scenario side by side; measured by bench/bounds.py: 37–39 bytes a byte for
/// events, 21 for a correlation chain).
pub const BYTES_PER_FILE_BYTE: u64 = 48;

/// Scenario files up to this size in all (1 MiB, at most 48 MiB to read) are always read:
/// the commands' own estimates, which count the validated scenario, then decide.
pub const ALWAYS_READ: u64 = 1 << 20;

/// Refuses to read scenario files of `bytes` bytes in all (`file` the one that passes the
/// limit) when reading and validating them would need more than `limit` bytes of memory
/// ([`BYTES_PER_FILE_BYTE`] a byte, on top of [`PROGRAM_BYTES`]); checked before the file
/// is parsed.
///
/// # Errors
/// Invalid input (exit 2) naming the file, its size, the estimate and the limit.
pub fn check_file_size(file: &Path, bytes: u64, limit: u64) -> Result<()> {
    let need = bytes
        .saturating_mul(BYTES_PER_FILE_BYTE)
        .saturating_add(PROGRAM_BYTES);
    if bytes <= ALWAYS_READ || need <= limit {
        return Ok(());
    }
    let mib = |b: u64| format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20));
    Err(Error::Invalid(format!(
        "{}: the scenario is too large to read: {} of scenario files would need about {} of \
         memory to read and validate (about {BYTES_PER_FILE_BYTE} bytes a byte), more than \
         --max-memory {}; accepted: files of up to about {} under this limit (docs/guide.md, \
         \"Limits\"); split the scenario, or, if the machine has the memory, raise \
         --max-memory (e.g. --max-memory 16G)",
        file.display(),
        mib(bytes),
        mib(need),
        mib(limit),
        mib((limit.saturating_sub(PROGRAM_BYTES) / BYTES_PER_FILE_BYTE).max(ALWAYS_READ)),
    )))
}

/// Reads a scenario file (a regular file, or a link to one), after checking that the files
/// of its chain, `so_far` bytes before it, can be read and validated within `max_memory`
/// ([`check_file_size`]); adds its size to `so_far`.
fn read(path: &Path, so_far: &mut u64, max_memory: u64) -> Result<String> {
    use std::io::Read;
    let io = |e| Error::io("read scenario", path, e);
    let not_regular = || {
        Error::Invalid(format!(
            "{}: not a regular file; a scenario is a .toml file (a FIFO, device or folder is \
             never read)",
            path.display()
        ))
    };
    // Checked before opening (opening a FIFO would wait for a writer), and again on the
    // opened file.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(not_regular());
    }
    let mut file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    *so_far = so_far.saturating_add(meta.len());
    check_file_size(path, *so_far, max_memory)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // No more than its size when checked, should it grow meanwhile.
    file.by_ref()
        .take(meta.len())
        .read_to_end(&mut bytes)
        .map_err(io)?;
    String::from_utf8(bytes).map_err(|e| {
        // Not text: invalid input (exit code 2), at the first byte that is not UTF-8.
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let last = before.rsplit(|b| *b == b'\n').next().unwrap_or_default();
        let column = String::from_utf8_lossy(last).chars().count() + 1;
        Error::Invalid(format!(
            "{}:{line}:{column}: not UTF-8 text; a scenario file must be UTF-8 TOML",
            path.display()
        ))
    })
}

/// The fields of an event `--set` can change (`event.NAME.FIELD`).
pub const EVENT_FIELDS: [&str; 4] = ["probability", "hazard", "month", "until"];

/// A `--set` value: `true` or `false`, a number when it reads as one, otherwise a string.
fn raw_value(text: &str) -> Raw {
    if let Ok(b) = text.parse::<bool>() {
        Raw::Bool(b)
    } else if let Ok(i) = text.parse::<i128>() {
        Raw::Int(i)
    } else if let Ok(x) = text.parse::<f64>() {
        Raw::Float(x)
    } else {
        Raw::Str(text.to_string())
    }
}

/// Whether a key names something `--set` may change in a scenario with these parties and
/// issues: `None` if so, otherwise why not.
fn settable(layer: &Layer, key: &str) -> Option<String> {
    let parts: Vec<&str> = key.split('.').collect();
    let declared = |names: &[Located<String>], name: &str| names.iter().any(|n| n.value == name);
    let list = |names: &[Located<String>]| {
        names
            .iter()
            .map(|n| n.value.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match parts[..] {
        ["description" | "question"] => None,
        ["simulation", field] if layer::SIMULATION_FIELDS.contains(&field) => None,
        ["process", field] if crate::cast::PROCESS.iter().any(|(f, _)| *f == field) => None,
        ["party", party, field] => {
            if !declared(&layer.parties, party) {
                Some(format!(
                    "this scenario has no party `{party}`{}; its parties: {}",
                    did_you_mean(party, layer.parties.iter().map(|n| n.value.as_str())),
                    list(&layer.parties)
                ))
            } else if field == "role" || !layer::PARTY_KEYS.contains(&field) {
                Some(format!(
                    "`{field}` is not a party value --set can change; accepted: label, will, leader_exit_hazard, successor_will (signatories), indifference (outside parties)"
                ))
            } else {
                None
            }
        }
        ["issue", issue, field, ..] => {
            if !declared(&layer.issues, issue) {
                Some(format!(
                    "this scenario has no issue `{issue}`{}; its issues: {}",
                    did_you_mean(issue, layer.issues.iter().map(|n| n.value.as_str())),
                    list(&layer.issues)
                ))
            } else if (parts.len() == 3 && (layer.issue_parameter(field) || field == "dealbreaker"))
                || (parts.len() == 4 && layer::ISSUE_TABLES.contains(&field))
            {
                None
            } else {
                Some(format!(
                    "accepted keys of an issue: issue.{issue}.concession, issue.{issue}.demand, issue.{issue}.concession_drift, issue.{issue}.demand_drift, issue.{issue}.dealbreaker (true or false), issue.{issue}.leverage.O, issue.{issue}.pressure.O (O an outside party)"
                ))
            }
        }
        _ => Some(String::new()),
    }
}

impl Layer {
    fn issue_parameter(&self, field: &str) -> bool {
        crate::cast::ISSUE_FIELDS.contains(&field)
    }

    /// Every key `--set` accepts on this layer, for messages.
    fn settable_keys(&self) -> Vec<String> {
        let mut keys = vec!["description".to_string(), "question".to_string()];
        keys.extend(
            layer::SIMULATION_FIELDS
                .iter()
                .map(|f| format!("simulation.{f}")),
        );
        for party in &self.parties {
            let outside = matches!(
                self.values.get(&format!("party.{}.role", party.value)),
                Some(Located { value: Raw::Str(r), .. }) if r == "outside"
            );
            for field in layer::role_fields(outside) {
                keys.push(format!("party.{}.{field}", party.value));
            }
        }
        for issue in &self.issues {
            for field in layer::issue_fields() {
                keys.push(format!("issue.{}.{field}", issue.value));
            }
            keys.push(format!("issue.{}.dealbreaker", issue.value));
            keys.push(format!("issue.{}.leverage.O", issue.value));
            keys.push(format!("issue.{}.pressure.O", issue.value));
        }
        keys.extend(
            crate::cast::PROCESS
                .iter()
                .map(|(f, _)| format!("process.{f}")),
        );
        for event in &self.events {
            if let Some(name) = event.name_str() {
                for field in EVENT_FIELDS {
                    keys.push(format!("event.{name}.{field}"));
                }
            }
        }
        keys.push("correlations.<a> ~ <b>".to_string());
        keys
    }
}

/// Applies one `--set`.
fn apply_override(layer: &mut Layer, o: &Override) -> Result<()> {
    let located = Located {
        value: raw_value(&o.value),
        origin: Origin::Set(o.arg.clone()),
    };
    let fail = |layer: &Layer, why: String| {
        let keys = layer.settable_keys();
        let hint = format_1_hint(&o.key).map_or_else(
            || did_you_mean(&o.key, keys.iter().map(String::as_str)),
            |h| format!("; {h}"),
        );
        let why = if why.is_empty() {
            format!("accepted: {}", keys.join(", "))
        } else {
            why
        };
        Error::Invalid(format!(
            "--set {}: unknown key `{}`{hint}; {why}",
            o.arg, o.key
        ))
    };
    if let Some(pair) = o.key.strip_prefix("correlations.") {
        layer.correlations.insert(pair_key(pair), located);
        return Ok(());
    }
    if let Some(rest) = o.key.strip_prefix("event.") {
        let Some((name, field)) = rest.rsplit_once('.') else {
            return Err(fail(
                layer,
                "write event.NAME.probability=P, event.NAME.hazard=H, event.NAME.month=YYYY-MM or event.NAME.until=YYYY-MM".into(),
            ));
        };
        let names: Vec<String> = layer
            .events
            .iter()
            .filter_map(|e| e.name_str().map(str::to_string))
            .collect();
        let Some(index) = layer.events.iter().position(|e| e.name_str() == Some(name)) else {
            return Err(fail(
                layer,
                format!(
                    "this scenario has no event \"{name}\"{}; its events: {}",
                    did_you_mean(name, names.iter().map(String::as_str)),
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names
                            .iter()
                            .map(|n| format!("\"{n}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            ));
        };
        let event = &mut layer.events[index];
        match field {
            "probability" => event.set_chance(false, located),
            "hazard" => event.set_chance(true, located),
            "month" => event.month = Some(located),
            "until" => event.until = Some(located),
            "requires" | "excludes" | "effects" | "leader_exit" | "name" => {
                // Fields of the file that --set does not change: say so, not "did you mean".
                return Err(Error::Invalid(format!(
                    "--set {}: an event's {field} is not set with --set; accepted: \
                     event.{name}.probability, event.{name}.hazard, event.{name}.month or \
                     event.{name}.until. To change its {field}, write a scenario that extends \
                     this one and gives the event (by its name) a new {field}",
                    o.arg
                )));
            }
            _ => {
                return Err(fail(
                    layer,
                    format!(
                        "--set changes an event's probability, hazard, month or until: event.{name}.probability, event.{name}.hazard, event.{name}.month or event.{name}.until{}",
                        did_you_mean(field, EVENT_FIELDS)
                    ),
                ));
            }
        }
        return Ok(());
    }
    match settable(layer, &o.key) {
        None => {
            layer.values.insert(o.key.clone(), located);
            Ok(())
        }
        Some(why) => Err(fail(layer, why)),
    }
}

/// An invalid-input error at `origin` about `key`.
fn invalid(origin: &Origin, key: &str, message: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{origin}: {key}: {message}"))
}

/// What is wrong with a poorly fitted `"quantiles(…)"`, or `None`.
fn poor_fit(spec: &ParamSpec) -> Option<String> {
    let written = crate::distribution::Written::parse(&spec.written).ok()?;
    let fitted = crate::distribution::fit::fitted_quantiles(&spec.dist, written.quantile_points()?);
    let worst = fitted
        .iter()
        .map(crate::distribution::fit::FittedQuantile::miss)
        .fold(0.0, f64::max);
    (worst > crate::distribution::fit::POOR_FIT).then(|| {
        format!(
            "the least-squares fit misses an elicited quantile by {worst:.3} (more than {}): {}; the judgements may be inconsistent with one another, so revise them, or write the distribution itself",
            crate::distribution::fit::POOR_FIT,
            crate::distribution::fit::describe(&spec.dist, &fitted)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_names_follow_the_rule() {
        for ok in ["baseline", "hindsight_2020", "a.b", "A-1", "2030"] {
            assert!(valid_scenario_name(ok), "{ok}");
        }
        for bad in [
            "", ".", "..", "...", ".hidden", "a/b", "/abs", "a b", "a\u{7}", "-x",
        ] {
            assert!(!valid_scenario_name(bad), "{bad:?}");
            assert!(!valid_file_name(bad), "{bad:?}");
        }
        // Names of the files at the root of --out, in any case, are file names, not scenarios.
        for reserved in [
            "summary.csv",
            "scores.csv",
            "SUMMARY.CSV",
            "summary.svg",
            "timelines.svg",
            "calibration.csv",
            "compare-a-vs-b.csv",
            "compare-a-vs-b.run.toml",
            "x.png",
            "x.parquet",
        ] {
            assert!(valid_file_name(reserved), "{reserved}");
            assert!(!valid_scenario_name(reserved), "{reserved}");
            assert!(name_rule("the label", reserved).contains("root of --out"));
        }
        for ok in ["a.csv2", "csv", "summary_csv", "v1.2"] {
            assert!(valid_scenario_name(ok), "{ok}");
        }
        // At most MAX_NAME bytes for a new name; longer ones are still read back.
        let (longest, too_long) = ("a".repeat(MAX_NAME), "a".repeat(MAX_NAME + 1));
        assert!(valid_new_name(&longest) && !valid_new_name(&too_long));
        assert!(valid_scenario_name(&too_long));
        assert!(name_rule("the label", &too_long).contains("101 bytes long"));
        assert!(!valid_new_name("summary.csv") && !valid_new_name(".."));
    }
}
