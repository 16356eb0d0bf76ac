//! One scenario file as written: every value with the place it was written, before `extends`
//! is resolved and before validation. Layers merge key by key.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Where a value was written: a place in a file, or a `--set` argument.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A position in a scenario file (1-based line and column).
    File {
        /// The file.
        path: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
    },
    /// A whole file, where no position applies (a missing key).
    Whole(PathBuf),
    /// A `--set KEY=VALUE` argument, as typed.
    Set(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line, column } => write!(f, "{}:{line}:{column}", path.display()),
            Origin::Whole(path) => write!(f, "{}", path.display()),
            Origin::Set(arg) if arg.starts_with("--") => write!(f, "{arg}"),
            Origin::Set(arg) => write!(f, "--set {arg}"),
        }
    }
}

/// A scalar value as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    /// A TOML integer.
    Int(i128),
    /// A TOML float, or a `--set` value that reads as a number.
    Float(f64),
    /// A string.
    Str(String),
    /// Anything else (boolean, date, array, table), by type name.
    Other(&'static str),
}

impl fmt::Display for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Raw::Int(i) => write!(f, "{i}"),
            Raw::Float(x) => write!(f, "{x}"),
            Raw::Str(s) => write!(f, "\"{s}\""),
            Raw::Other(kind) => write!(f, "a {kind}"),
        }
    }
}

/// A value with its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub origin: Origin,
}

/// An `[[event]]` entry as written.
#[derive(Clone, Debug, PartialEq)]
pub struct RawEvent {
    /// Where the entry starts.
    pub origin: Origin,
    /// `name`.
    pub name: Option<Located<Raw>>,
    /// `month`.
    pub month: Option<Located<Raw>>,
    /// `probability`.
    pub probability: Option<Located<Raw>>,
    /// `effects`, in key order.
    pub effects: Vec<(String, Located<Raw>)>,
}

impl RawEvent {
    /// The event's name when it is a string.
    pub fn name_str(&self) -> Option<&str> {
        match &self.name {
            Some(Located {
                value: Raw::Str(s), ..
            }) => Some(s),
            _ => None,
        }
    }
}

/// A scenario file as written, or several merged by `extends`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layer {
    /// `extends = "parent"`.
    pub extends: Option<Located<String>>,
    /// Scalar keys by dotted name: `description`, `simulation.start`, `japan.will`, ...
    pub values: BTreeMap<String, Located<Raw>>,
    /// `[[event]]` entries in file order.
    pub events: Vec<RawEvent>,
    /// `[correlations]`: `"a ~ b" = rho`, in key order.
    pub correlations: BTreeMap<String, Located<Raw>>,
}

/// Keys allowed in each table; the parameter sections list their fields.
pub const SECTIONS: [(&str, &[&str]); 5] = [
    ("simulation", &["start", "deadline", "trials", "seed"]),
    (
        "japan",
        &[
            "will",
            "security_concession",
            "leader_exit_hazard",
            "successor_will",
        ],
    ),
    ("russia", &["will", "security_demand"]),
    ("us", &["indifference", "leverage"]),
    (
        "process",
        &[
            "summit_rate",
            "will_volatility",
            "signing_threshold",
            "decision_noise",
        ],
    ),
];

const TOP_LEVEL: [&str; 9] = [
    "description",
    "extends",
    "simulation",
    "japan",
    "russia",
    "us",
    "process",
    "event",
    "correlations",
];

const EVENT_KEYS: [&str; 4] = ["name", "month", "probability", "effects"];

/// The key a correlation is filed under: `"a ~ b"` with the two parameters in canonical
/// order, so that a child or `--set` writing the pair the other way round, or with other
/// spacing, overrides it. Keys that are not two parameters are kept as written (validation
/// rejects them).
pub fn pair_key(text: &str) -> String {
    let parsed = text.split_once('~').and_then(|(a, b)| {
        Some((
            crate::param::Param::from_key(a.trim())?,
            crate::param::Param::from_key(b.trim())?,
        ))
    });
    match parsed {
        Some((a, b)) => {
            let (first, second) = if a <= b { (a, b) } else { (b, a) };
            format!("{first} ~ {second}")
        }
        None => text.to_string(),
    }
}

/// "; did you mean `x`?" when a close match exists.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Parses one scenario file's text into a layer.
struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Layer {
    /// Parses `text`, read from `path`.
    ///
    /// # Errors
    /// TOML syntax errors and unknown keys, naming the file, line and column.
    pub fn parse(path: &Path, text: &str) -> Result<Layer> {
        let reader = Reader { path, text };
        let table = DeTable::parse(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let near = text
                .get(span.clone())
                .map(str::trim)
                .filter(|t| !t.is_empty() && t.len() < 60);
            let near = near.map_or_else(String::new, |t| format!(" at `{t}`"));
            let hint = if e.message().contains("duplicate") {
                "; each key and table may appear once"
            } else {
                ""
            };
            reader.error(
                span.start,
                "",
                &format!("TOML syntax error{near}: {}{hint}", e.message().trim()),
            )
        })?;
        reader.layer(table.get_ref())
    }
}

impl Reader<'_> {
    fn origin(&self, offset: usize) -> Origin {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Origin::File {
            path: self.path.to_path_buf(),
            line,
            column,
        }
    }

    fn error(&self, offset: usize, key: &str, message: &str) -> Error {
        let key = if key.is_empty() {
            String::new()
        } else {
            format!("{key}: ")
        };
        Error::Invalid(format!("{}: {key}{message}", self.origin(offset)))
    }

    fn located(&self, value: &Spanned<DeValue<'_>>) -> Located<Raw> {
        let raw = match value.get_ref() {
            DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix())
                .map(Raw::Int)
                .unwrap_or(Raw::Other("integer too large")),
            DeValue::Float(x) => x
                .as_str()
                .replace('_', "")
                .parse()
                .map_or(Raw::Other("float"), Raw::Float),
            DeValue::String(s) => Raw::Str(s.to_string()),
            DeValue::Boolean(_) => Raw::Other("boolean"),
            DeValue::Datetime(_) => Raw::Other("date"),
            DeValue::Array(_) => Raw::Other("array"),
            DeValue::Table(_) => Raw::Other("table"),
        };
        Located {
            value: raw,
            origin: self.origin(value.span().start),
        }
    }

    fn table<'t, 'i>(&self, value: &'t Spanned<DeValue<'i>>, key: &str) -> Result<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Ok(t),
            _ => Err(self.error(value.span().start, key, "must be a table")),
        }
    }

    fn unknown(
        &self,
        key: &Spanned<toml::de::DeString<'_>>,
        full: &str,
        accepted: &[&str],
    ) -> Error {
        self.error(
            key.span().start,
            full,
            &format!(
                "unknown key{}; accepted here: {}",
                did_you_mean(key.get_ref(), accepted.iter().copied()),
                accepted.join(", ")
            ),
        )
    }

    fn layer(&self, root: &DeTable<'_>) -> Result<Layer> {
        let mut layer = Layer::default();
        for (key, value) in root.iter() {
            let name: &str = key.get_ref();
            match name {
                "description" => {
                    layer.values.insert(name.to_string(), self.located(value));
                }
                "extends" => match value.get_ref() {
                    DeValue::String(parent) => {
                        layer.extends = Some(Located {
                            value: parent.to_string(),
                            origin: self.origin(value.span().start),
                        });
                    }
                    _ => {
                        return Err(self.error(
                            value.span().start,
                            "extends",
                            "must be a string naming a scenario in the same folder, e.g. extends = \"baseline\"",
                        ));
                    }
                },
                "event" => self.events(value, &mut layer)?,
                "correlations" => {
                    for (pair, rho) in self.table(value, name)?.iter() {
                        layer
                            .correlations
                            .insert(pair_key(pair.get_ref()), self.located(rho));
                    }
                }
                _ => {
                    let Some((_, fields)) = SECTIONS.iter().find(|(s, _)| *s == name) else {
                        return Err(self.unknown(key, name, &TOP_LEVEL));
                    };
                    for (field, v) in self.table(value, name)?.iter() {
                        let full = format!("{name}.{}", field.get_ref());
                        if !fields.contains(&field.get_ref().as_ref()) {
                            return Err(self.unknown(field, &full, fields));
                        }
                        layer.values.insert(full, self.located(v));
                    }
                }
            }
        }
        Ok(layer)
    }

    fn events(&self, value: &Spanned<DeValue<'_>>, layer: &mut Layer) -> Result<()> {
        let DeValue::Array(entries) = value.get_ref() else {
            return Err(self.error(
                value.span().start,
                "event",
                "must be an array of tables written [[event]]",
            ));
        };
        for entry in entries.iter() {
            let table = self.table(entry, "event")?;
            let mut event = RawEvent {
                origin: self.origin(entry.span().start),
                name: None,
                month: None,
                probability: None,
                effects: Vec::new(),
            };
            for (key, v) in table.iter() {
                match key.get_ref().as_ref() {
                    "name" => event.name = Some(self.located(v)),
                    "month" => event.month = Some(self.located(v)),
                    "probability" => event.probability = Some(self.located(v)),
                    "effects" => {
                        for (param, shift) in self.table(v, "event.effects")?.iter() {
                            event
                                .effects
                                .push((param.get_ref().to_string(), self.located(shift)));
                        }
                    }
                    other => {
                        return Err(self.unknown(key, &format!("event.{other}"), &EVENT_KEYS));
                    }
                }
            }
            layer.events.push(event);
        }
        Ok(())
    }
}

impl Layer {
    /// Lays `child` over `self` (the parent): scalar keys and correlations are replaced key by
    /// key; an event with the same name as a parent's replaces it, other events are appended.
    pub fn overlay(mut self, child: Layer) -> Layer {
        self.values.extend(child.values);
        self.correlations.extend(child.correlations);
        for event in child.events {
            let same_name = self
                .events
                .iter()
                .position(|e| e.name_str().is_some() && e.name_str() == event.name_str());
            match same_name {
                Some(i) => self.events[i] = event,
                None => self.events.push(event),
            }
        }
        self.extends = child.extends;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Layer> {
        Layer::parse(Path::new("s.toml"), text)
    }

    #[test]
    fn records_values_with_line_and_column() {
        let layer = parse("description = \"x\"\n[japan]\nwill = \"beta(6, 3)\"\n").unwrap();
        let will = &layer.values["japan.will"];
        assert_eq!(will.value, Raw::Str("beta(6, 3)".into()));
        assert_eq!(will.origin.to_string(), "s.toml:3:8");
    }

    #[test]
    fn unknown_keys_are_named_with_a_suggestion() {
        let err = parse("[japan]\nwil = 0.5\n").unwrap_err().to_string();
        assert!(
            err.starts_with("s.toml:2:1: japan.wil: unknown key; did you mean `will`?"),
            "{err}"
        );
        let err = parse("[jaapan]\nwill = 0.5\n").unwrap_err().to_string();
        assert!(err.contains("did you mean `japan`?"), "{err}");
        let err = parse("[[event]]\nname = \"a\"\nodds = 1\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("event.odds: unknown key"), "{err}");
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let err = parse("[japan]\nwill = \n").unwrap_err().to_string();
        assert!(err.starts_with("s.toml:2:"), "{err}");
        assert!(err.contains("TOML syntax error"), "{err}");
    }

    #[test]
    fn overlay_replaces_keys_and_events_by_name() {
        let parent = parse(
            "[japan]\nwill = 0.5\nsuccessor_will = 0.2\n[[event]]\nname = \"a\"\nprobability = 0.1\n[[event]]\nname = \"b\"\n",
        )
        .unwrap();
        let child = parse("[japan]\nwill = 0.7\n[[event]]\nname = \"a\"\nprobability = 0.9\n[[event]]\nname = \"c\"\n").unwrap();
        let merged = parent.overlay(child);
        assert_eq!(merged.values["japan.will"].value, Raw::Float(0.7));
        assert_eq!(merged.values["japan.successor_will"].value, Raw::Float(0.2));
        let names: Vec<_> = merged
            .events
            .iter()
            .map(|e| e.name_str().unwrap())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(
            merged.events[0].probability.as_ref().unwrap().value,
            Raw::Float(0.9)
        );
    }
}
