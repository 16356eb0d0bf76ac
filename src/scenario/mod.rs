//! Scenario files: finding them, resolving `extends` and `--set`, and validating every value
//! into a [`Scenario`] the engine can run (SPEC §3).

mod layer;
mod show;

pub use layer::{Layer, Located, Origin, Raw, RawEvent};

use crate::distribution::{Dist, Written};
use crate::error::{Error, Result};
use crate::month::Month;
use crate::param::{PARAM_COUNT, Param};
use layer::{SECTIONS, did_you_mean};
use std::path::{Path, PathBuf};

/// Trials when a scenario does not say.
pub const DEFAULT_TRIALS: u64 = 100_000;
/// Seed when a scenario does not say.
pub const DEFAULT_SEED: u64 = 0;

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
    pub param: Param,
    /// The shift: a constant, or a distribution drawn when the event fires.
    pub shift: ParamSpec,
}

/// A dated event that fires with a probability and shifts state parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Unique name (children replace parents' events by name).
    pub name: String,
    /// The month in which it may fire.
    pub month: Month,
    /// Chance that it fires, in [0, 1].
    pub probability: f64,
    /// Shifts applied when it fires, in key order.
    pub effects: Vec<Effect>,
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

/// A Spearman rank correlation between two uncertain parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Correlation {
    /// First parameter.
    pub a: Param,
    /// Second parameter.
    pub b: Param,
    /// Target Spearman rank correlation in [−1, 1].
    pub rho: f64,
}

/// A fully resolved, validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The name outputs are filed under (the file name without `.toml`).
    pub name: String,
    /// The file it was loaded from.
    pub path: PathBuf,
    /// The `extends` chain, parent first, ending with this file.
    pub chain: Vec<PathBuf>,
    /// One-line description.
    pub description: String,
    /// The `[simulation]` table.
    pub simulation: Simulation,
    /// The twelve parameters in canonical order.
    pub params: [ParamSpec; PARAM_COUNT],
    /// Events in file order (parents' first).
    pub events: Vec<Event>,
    /// Rank correlations between parameters.
    pub correlations: Vec<Correlation>,
    /// Things worth a warning that do not stop a run.
    pub warnings: Vec<String>,
}

impl Scenario {
    /// The validated distribution of `param`.
    pub fn dist(&self, param: Param) -> &Dist {
        &self.params[param.index()].dist
    }
}

/// A `--set KEY=VALUE` override.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The dotted key.
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
            format!("'{arg}' is not KEY=VALUE; write e.g. --set japan.will=\"beta(8, 2)\"")
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

/// The folder of scenario files.
#[derive(Clone, Debug)]
pub struct Catalog {
    dir: PathBuf,
}

impl Catalog {
    /// A catalog of `<dir>/*.toml`.
    pub fn new(dir: impl Into<PathBuf>) -> Catalog {
        Catalog { dir: dir.into() }
    }

    /// The scenario names in the folder, sorted.
    ///
    /// # Errors
    /// When the folder cannot be read.
    pub fn names(&self) -> Result<Vec<String>> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::Invalid(format!(
                    "scenario folder '{}' does not exist; pass --scenarios DIR",
                    self.dir.display()
                ))
            } else {
                Error::io("read the scenario folder", &self.dir, e)
            }
        })?;
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .collect();
        names.sort();
        Ok(names)
    }

    /// The file a NAME refers to: a path when it ends in `.toml` or contains `/`, otherwise
    /// `<dir>/<NAME>.toml`.
    ///
    /// # Errors
    /// An unknown name, listing the available ones.
    pub fn locate(&self, name: &str) -> Result<PathBuf> {
        let path = if name.ends_with(".toml") || name.contains('/') {
            PathBuf::from(name)
        } else {
            self.dir.join(format!("{name}.toml"))
        };
        if path.is_file() {
            return Ok(path);
        }
        let available = self.names()?;
        Err(Error::Invalid(format!(
            "unknown scenario '{name}': no file '{}'{}; available in '{}': {}",
            path.display(),
            did_you_mean(name, available.iter().map(String::as_str)),
            self.dir.display(),
            if available.is_empty() {
                "none".to_string()
            } else {
                available.join(", ")
            }
        )))
    }

    /// Loads, resolves and validates a scenario, applying `overrides` last.
    ///
    /// # Errors
    /// Any invalid input, naming file, line, key, problem and what is accepted.
    pub fn load(&self, name: &str, overrides: &[Override]) -> Result<Scenario> {
        let path = self.locate(name)?;
        let mut chain = Vec::new();
        let mut layer = load_chain(&path, &mut Vec::new(), &mut chain, None)?;
        for o in overrides {
            apply_override(&mut layer, o)?;
        }
        let name = path
            .file_stem()
            .map_or_else(|| name.to_string(), |s| s.to_string_lossy().into_owned());
        validate(name, path, chain, layer)
    }
}

fn read(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read scenario", path, e))?;
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

/// Reads `path` and its `extends` ancestors, merging parent first. `chain` collects the files,
/// parent first; `seen` holds the files below on the current path, so a repeat is a cycle.
fn load_chain(
    path: &Path,
    seen: &mut Vec<PathBuf>,
    chain: &mut Vec<PathBuf>,
    link: Option<&Located<String>>,
) -> Result<Layer> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if let (true, Some(link)) = (seen.contains(&canonical), link) {
        let names: Vec<String> = seen
            .iter()
            .chain(std::iter::once(&canonical))
            .map(|p| {
                p.file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
            })
            .collect();
        return Err(invalid(
            &link.origin,
            "extends",
            format!(
                "cycle {}; a scenario may not extend itself or a descendant",
                names.join(" -> ")
            ),
        ));
    }
    seen.push(canonical);
    let layer = Layer::parse(path, &read(path)?)?;
    let Some(parent) = layer.extends.clone() else {
        chain.push(path.to_path_buf());
        return Ok(layer);
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let parent_path = dir.join(format!("{}.toml", parent.value));
    if !parent_path.is_file() {
        let available = Catalog::new(dir).names().unwrap_or_default();
        return Err(invalid(
            &parent.origin,
            "extends",
            format!(
                "no scenario '{}' in '{}'{}; available: {}",
                parent.value,
                dir.display(),
                did_you_mean(&parent.value, available.iter().map(String::as_str)),
                available.join(", ")
            ),
        ));
    }
    let parent_layer = load_chain(&parent_path, seen, chain, Some(&parent))?;
    chain.push(path.to_path_buf());
    Ok(parent_layer.overlay(layer))
}

/// Every key `--set` accepts, for messages.
fn settable_keys() -> Vec<String> {
    let mut keys = vec!["description".to_string()];
    for (section, fields) in SECTIONS {
        keys.extend(fields.iter().map(|f| format!("{section}.{f}")));
    }
    keys.push("correlations.<a> ~ <b>".to_string());
    keys
}

/// Applies one `--set`: the value is a number when it reads as one, otherwise a string.
fn apply_override(layer: &mut Layer, o: &Override) -> Result<()> {
    let value = if let Ok(i) = o.value.parse::<i128>() {
        Raw::Int(i)
    } else if let Ok(x) = o.value.parse::<f64>() {
        Raw::Float(x)
    } else {
        Raw::Str(o.value.clone())
    };
    let located = Located {
        value,
        origin: Origin::Set(o.arg.clone()),
    };
    if let Some(pair) = o.key.strip_prefix("correlations.") {
        layer.correlations.insert(layer::pair_key(pair), located);
        return Ok(());
    }
    let keys = settable_keys();
    if keys.contains(&o.key) {
        layer.values.insert(o.key.clone(), located);
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "--set {}: unknown key `{}`{}; accepted: {}",
            o.arg,
            o.key,
            did_you_mean(&o.key, keys.iter().map(String::as_str)),
            keys.join(", ")
        )))
    }
}

/// An invalid-input error at `origin` about `key`.
fn invalid(origin: &Origin, key: &str, message: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{origin}: {key}: {message}"))
}

fn validate(name: String, path: PathBuf, chain: Vec<PathBuf>, layer: Layer) -> Result<Scenario> {
    let file = Origin::Whole(path.clone());
    let description = match layer.values.get("description") {
        None => String::new(),
        Some(Located {
            value: Raw::Str(s), ..
        }) => s.clone(),
        Some(Located {
            value: Raw::Int(i),
            origin: Origin::Set(_),
        }) => i.to_string(),
        Some(Located {
            value: Raw::Float(x),
            origin: Origin::Set(_),
        }) => x.to_string(),
        Some(other) => return Err(invalid(&other.origin, "description", "must be a string")),
    };
    let simulation = simulation(&layer, &file)?;
    let params = parameters(&layer, &file)?;
    let mut warnings = Vec::new();
    let events = events(&layer, &simulation, &mut warnings)?;
    let correlations = correlations(&layer, &params, &mut warnings)?;
    let dists = std::array::from_fn(|i| params[i].dist);
    if let Err(message) = crate::copula::Copula::new(&correlations, &dists) {
        let origin = layer
            .correlations
            .values()
            .next()
            .map_or(file.clone(), |at| at.origin.clone());
        return Err(invalid(&origin, "correlations", message));
    }
    Ok(Scenario {
        name,
        path,
        chain,
        description,
        simulation,
        params,
        events,
        correlations,
        warnings,
    })
}

fn month(layer: &Layer, key: &str, file: &Origin) -> Result<Month> {
    match layer.values.get(key) {
        None => Err(invalid(
            file,
            key,
            "missing; write it under [simulation] as \"YYYY-MM\", e.g. \"2020-01\"",
        )),
        Some(Located {
            value: Raw::Str(s),
            origin,
        }) => Month::parse(s).map_err(|m| invalid(origin, key, m)),
        Some(Located { value, origin }) => Err(invalid(
            origin,
            key,
            format!("{value} is not a month; write a string \"YYYY-MM\", e.g. \"2020-01\""),
        )),
    }
}

/// A non-negative whole number: a TOML integer, a whole float (`1e6`) or a string of digits.
fn whole(value: &Raw) -> Option<u128> {
    match value {
        Raw::Int(i) => u128::try_from(*i).ok(),
        Raw::Float(x) if x.fract() == 0.0 && *x >= 0.0 && *x < 1.8e19 => Some(*x as u128),
        Raw::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn simulation(layer: &Layer, file: &Origin) -> Result<Simulation> {
    let start = month(layer, "simulation.start", file)?;
    let deadline = month(layer, "simulation.deadline", file)?;
    if deadline <= start {
        let origin = &layer.values["simulation.deadline"].origin;
        return Err(invalid(
            origin,
            "simulation.deadline",
            format!("{deadline} is not after start {start}; the deadline must be a later month"),
        ));
    }
    let trials = match layer.values.get("simulation.trials") {
        None => DEFAULT_TRIALS,
        Some(Located { value, origin }) => whole(value)
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                invalid(origin, "simulation.trials", format!("{value} is not a whole number from 1 to 18446744073709551615; write e.g. trials = 200000"))
            })?,
    };
    let seed = match layer.values.get("simulation.seed") {
        None => DEFAULT_SEED,
        Some(Located { value, origin }) => whole(value).and_then(|n| u64::try_from(n).ok()).ok_or_else(|| {
            invalid(
                origin,
                "simulation.seed",
                format!("{value} is not a seed; accepted: a whole number from 0 to 18446744073709551615 (a string of digits above 9223372036854775807)"),
            )
        })?,
    };
    Ok(Simulation {
        start,
        deadline,
        trials,
        seed,
    })
}

/// Parses a number or distribution string for a parameter with `domain` (`None`: an event
/// effect, any real shift).
fn spec(
    value: &Raw,
    domain: Option<crate::param::Domain>,
) -> std::result::Result<ParamSpec, String> {
    let (written, parsed) = match value {
        Raw::Int(i) => (i.to_string(), Written::Dist(Dist::Constant(*i as f64))),
        Raw::Float(x) if !x.is_finite() => return Err(format!("{x}: every number must be finite")),
        Raw::Float(x) => (x.to_string(), Written::Dist(Dist::Constant(*x))),
        Raw::Str(s) => (s.clone(), Written::parse(s)?),
        Raw::Other(kind) => {
            return Err(format!(
                "a {kind} is not accepted; write {}",
                crate::distribution::ACCEPTED
            ));
        }
    };
    let dist = parsed.resolve(domain)?;
    if let Some(domain) = domain {
        dist.check_domain(domain)?;
    }
    Ok(ParamSpec { written, dist })
}

fn parameters(layer: &Layer, file: &Origin) -> Result<[ParamSpec; PARAM_COUNT]> {
    let mut specs = Vec::with_capacity(PARAM_COUNT);
    for param in Param::ALL {
        let Some(Located { value, origin }) = layer.values.get(param.key()) else {
            return Err(invalid(
                file,
                param.key(),
                format!(
                    "missing parameter; every scenario needs all twelve (after extends); add `{} = ...` under [{}], a number or a distribution: {}",
                    param.field(),
                    param.section(),
                    crate::distribution::ACCEPTED
                ),
            ));
        };
        specs.push(spec(value, Some(param.domain())).map_err(|m| invalid(origin, param.key(), m))?);
    }
    specs
        .try_into()
        .map_err(|_| Error::Invalid("internal: parameter count".into()))
}

fn required<'a>(
    field: &'a Option<Located<Raw>>,
    event: &RawEvent,
    key: &str,
    hint: &str,
) -> Result<&'a Located<Raw>> {
    field
        .as_ref()
        .ok_or_else(|| invalid(&event.origin, key, format!("missing; {hint}")))
}

fn events(layer: &Layer, sim: &Simulation, warnings: &mut Vec<String>) -> Result<Vec<Event>> {
    let mut out: Vec<Event> = Vec::new();
    for raw in &layer.events {
        let name = required(
            &raw.name,
            raw,
            "event.name",
            "every [[event]] needs name = \"...\"",
        )?;
        let Raw::Str(name_text) = &name.value else {
            return Err(invalid(&name.origin, "event.name", "must be a string"));
        };
        if name_text.trim().is_empty() || out.iter().any(|e| e.name == *name_text) {
            return Err(invalid(
                &name.origin,
                "event.name",
                format!("\"{name_text}\" must be a non-empty name used once"),
            ));
        }
        let key = |k: &str| format!("event \"{name_text}\".{k}");
        let month_at = required(&raw.month, raw, &key("month"), "write month = \"YYYY-MM\"")?;
        let month = match &month_at.value {
            Raw::Str(s) => {
                Month::parse(s).map_err(|m| invalid(&month_at.origin, &key("month"), m))?
            }
            other => {
                return Err(invalid(
                    &month_at.origin,
                    &key("month"),
                    format!("{other} is not a month; write \"YYYY-MM\""),
                ));
            }
        };
        let p_at = required(
            &raw.probability,
            raw,
            &key("probability"),
            "write probability = a number in [0, 1]",
        )?;
        let probability = match p_at.value {
            Raw::Int(i) if (0..=1).contains(&i) => i as f64,
            Raw::Float(x) if (0.0..=1.0).contains(&x) => x,
            ref other => {
                return Err(invalid(
                    &p_at.origin,
                    &key("probability"),
                    format!("{other} is not a probability; accepted: a number in [0, 1]"),
                ));
            }
        };
        let mut effects = Vec::new();
        for (target, shift) in &raw.effects {
            let state_keys: Vec<&str> = Param::STATE.iter().map(|p| p.key()).collect();
            let param = Param::from_key(target)
                .filter(|p| p.is_state())
                .ok_or_else(|| {
                    let what = if Param::from_key(target).is_some() {
                        "is not a state parameter"
                    } else {
                        "is not a parameter"
                    };
                    invalid(
                        &shift.origin,
                        &key(&format!("effects.\"{target}\"")),
                        format!(
                            "{target} {what}{}; events may shift: {}",
                            did_you_mean(target, state_keys.iter().copied()),
                            state_keys.join(", ")
                        ),
                    )
                })?;
            let spec = spec(&shift.value, None)
                .map_err(|m| invalid(&shift.origin, &key(&format!("effects.\"{target}\"")), m))?;
            effects.push(Effect { param, shift: spec });
        }
        let offset = sim.start.months_until(month);
        if offset < 0 || offset >= sim.months() as i64 {
            warnings.push(format!(
                "{}: event \"{name_text}\" in {month} is outside the simulated window {} to {} and never fires",
                raw.origin,
                sim.start,
                sim.start.plus(sim.months().saturating_sub(1))
            ));
        }
        out.push(Event {
            name: name_text.clone(),
            month,
            probability,
            effects,
        });
    }
    Ok(out)
}

fn correlations(
    layer: &Layer,
    params: &[ParamSpec; PARAM_COUNT],
    warnings: &mut Vec<String>,
) -> Result<Vec<Correlation>> {
    // A parameter that a --set or a sweep point made constant (rather than the file).
    let set_to_constant = |param: Param| {
        params[param.index()].dist.is_constant()
            && layer
                .values
                .get(param.key())
                .is_some_and(|v| matches!(v.origin, Origin::Set(_)))
    };
    let mut out = Vec::new();
    'pairs: for (pair, at) in &layer.correlations {
        let key = format!("correlations.\"{pair}\"");
        let (a, b) = pair
            .split_once('~')
            .map(|(a, b)| (a.trim(), b.trim()))
            .ok_or_else(|| invalid(&at.origin, &key, "write \"<parameter> ~ <parameter>\" = rho, e.g. \"japan.will ~ russia.will\" = 0.4"))?;
        let lookup = |name: &str| {
            let param = Param::from_key(name).ok_or_else(|| {
                invalid(
                    &at.origin,
                    &key,
                    format!(
                        "{name} is not a parameter{}",
                        did_you_mean(name, Param::ALL.iter().map(|p| p.key()))
                    ),
                )
            })?;
            if params[param.index()].dist.is_constant() && !set_to_constant(param) {
                return Err(invalid(
                    &at.origin,
                    &key,
                    format!("{name} is a constant; only uncertain parameters can be correlated"),
                ));
            }
            Ok(param)
        };
        let (a, b) = (lookup(a)?, lookup(b)?);
        // A pair whose parameter a --set or a sweep made constant is dropped, with a warning.
        for p in [a, b] {
            if set_to_constant(p) {
                warnings.push(format!(
                    "{key}: dropped, since {} is now a constant",
                    p.key()
                ));
                continue 'pairs;
            }
        }
        if a == b {
            return Err(invalid(
                &at.origin,
                &key,
                "a parameter cannot be correlated with itself",
            ));
        }
        let rho = match at.value {
            Raw::Int(i) if (-1..=1).contains(&i) => i as f64,
            Raw::Float(x) if (-1.0..=1.0).contains(&x) => x,
            ref other => {
                return Err(invalid(
                    &at.origin,
                    &key,
                    format!("{other} is not a correlation; accepted: a number in [-1, 1]"),
                ));
            }
        };
        if out
            .iter()
            .any(|c: &Correlation| (c.a, c.b) == (a, b) || (c.a, c.b) == (b, a))
        {
            return Err(invalid(&at.origin, &key, "this pair is given twice"));
        }
        out.push(Correlation { a, b, rho });
    }
    Ok(out)
}
