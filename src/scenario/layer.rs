//! One scenario file as written (format 2): every value with the place it was written, before
//! `extends` is resolved and before validation. Layers merge key by key.
//!
//! Values are filed under their full key (`party.japan.will`, `issue.security.leverage.us`,
//! `process.summit_rate`); parties and issues keep their declaration order. The reader checks
//! the shape of the file (which keys may appear in which table); what depends on the whole
//! resolved scenario (roles, required keys, references between tables) is checked by
//! validation.

use super::events::RawEvent;
use crate::cast::{ISSUE_FIELDS, OUTSIDE_FIELDS, PROCESS, SIGNATORY_FIELDS, did_you_mean};
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
    /// An array of strings.
    Strings(Vec<String>),
    /// A TOML boolean (`dealbreaker`), or a `--set` value `true` or `false`.
    Bool(bool),
    /// Anything else (date, other array, table), by type name.
    Other(&'static str),
}

impl fmt::Display for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Raw::Int(i) => write!(f, "{i}"),
            // As written: 1e308, not its 309 digits.
            Raw::Float(x) => write!(f, "{}", crate::number::float(*x)),
            Raw::Str(s) => write!(f, "\"{}\"", s.escape_debug()),
            Raw::Strings(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|s| format!("\"{}\"", s.escape_debug()))
                    .collect();
                write!(f, "[{}]", items.join(", "))
            }
            Raw::Bool(b) => write!(f, "{b}"),
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

/// A scenario file as written, or several merged by `extends`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layer {
    /// `extends = "parent"`.
    pub extends: Option<Located<String>>,
    /// Scalar keys by full key: `description`, `simulation.start`, `party.japan.will`, ...
    pub values: BTreeMap<String, Located<Raw>>,
    /// Party names in declaration order, where each was first declared.
    pub parties: Vec<Located<String>>,
    /// Issue names in declaration order.
    pub issues: Vec<Located<String>>,
    /// `[[event]]` entries in file order.
    pub events: Vec<RawEvent>,
    /// `[correlations]`: `"a ~ b" = rho`, filed under [`pair_key`].
    pub correlations: BTreeMap<String, Located<Raw>>,
}

/// Top-level keys of a scenario file.
pub const TOP_LEVEL: [&str; 10] = [
    "description",
    "question",
    "extends",
    "simulation",
    "party",
    "issue",
    "process",
    "event",
    "correlations",
    "resolution",
];

/// Keys of `[resolution]`.
pub const RESOLUTION_FIELDS: [&str; 2] = ["outcome", "month"];

/// Keys of `[simulation]`.
pub const SIMULATION_FIELDS: [&str; 4] = ["start", "deadline", "trials", "seed"];

/// Keys of a `[party.P]` table.
pub const PARTY_KEYS: [&str; 6] = [
    "role",
    "label",
    "will",
    "leader_exit_hazard",
    "successor_will",
    "indifference",
];

/// Keys of an `[issue.I]` table.
pub const ISSUE_KEYS: [&str; 9] = [
    "concedes",
    "demands",
    "concession",
    "demand",
    "leverage",
    "pressure",
    "dealbreaker",
    "concession_drift",
    "demand_drift",
];

/// The keys of an issue that are tables from outside party to value.
pub const ISSUE_TABLES: [&str; 2] = ["leverage", "pressure"];

/// Format-1 keys and the format-2 keys that replace them, for the messages that meet a
/// format-1 file.
pub const FORMAT_1: [(&str, &str); 8] = [
    ("japan.will", "party.japan.will"),
    ("japan.security_concession", "issue.security.concession"),
    ("japan.leader_exit_hazard", "party.japan.leader_exit_hazard"),
    ("japan.successor_will", "party.japan.successor_will"),
    ("russia.will", "party.russia.will"),
    ("russia.security_demand", "issue.security.demand"),
    ("us.indifference", "party.us.indifference"),
    ("us.leverage", "issue.security.leverage.us"),
];

/// The advice for a key written as in format 1, if it is one (`japan.will` → `party.japan.will`).
pub fn format_1_hint(key: &str) -> Option<String> {
    if let Some((_, new)) = FORMAT_1.iter().find(|(old, _)| *old == key) {
        return Some(format!(
            "`{key}` is a format-1 key; treatysim reads format 2 (since 0.2): write `{new}`"
        ));
    }
    let (section, field) = key.split_once('.')?;
    let fields = [
        "will",
        "leader_exit_hazard",
        "successor_will",
        "indifference",
    ];
    (fields.contains(&field) && !["party", "issue", "process", "simulation"].contains(&section))
        .then(|| {
            format!(
                "`{key}` looks like a format-1 key; in format 2 write `party.{section}.{field}`"
            )
        })
}

/// The key a correlation is filed under: the two parameter keys, trimmed and sorted, joined by
/// `" ~ "`, so that the pair written the other way round or with other spacing is the same
/// pair. Text without a `~` is kept as written (validation rejects it).
pub fn pair_key(text: &str) -> String {
    match text.split_once('~') {
        Some((a, b)) => {
            let (a, b) = (a.trim(), b.trim());
            let (first, second) = if a <= b { (a, b) } else { (b, a) };
            format!("{first} ~ {second}")
        }
        None => text.to_string(),
    }
}

/// Line starts of a text, to turn byte offsets into line and column in logarithmic time
/// (validation stays linear in the file's size however many values it reports on). The
/// column of the last offset asked for is kept, so that the values of one long line (an
/// inline table of thousands of entries), asked for in file order, are counted from there
/// rather than from the line's start each time.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// (line start, offset, column − 1) of the last position computed.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines {
            text,
            starts,
            last: std::cell::Cell::new((0, 0, 0)),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let chars = |from: usize| self.text.get(from..offset).map(|t| t.chars().count());
        let (last_start, last_offset, last_column) = self.last.get();
        let column = if last_start == start && last_offset <= offset {
            chars(last_offset).map(|c| last_column + c)
        } else {
            None
        }
        .or_else(|| chars(start))
        .unwrap_or(0);
        self.last.set((start, offset, column));
        (line, column + 1)
    }
}

/// Parses one scenario file's text into a layer.
pub(super) struct Reader<'a> {
    path: &'a Path,
    lines: Lines<'a>,
}

impl Layer {
    /// Parses `text`, read from `path` (a leading byte-order mark is ignored).
    ///
    /// # Errors
    /// TOML syntax errors, unknown keys and misplaced values, naming the file, line and column.
    pub fn parse(path: &Path, text: &str) -> Result<Layer> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let reader = Reader {
            path,
            lines: Lines::new(text),
        };
        let table = DeTable::parse(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            // `[event]` twice: the second is a duplicate table; say how to write events.
            let line_start = text
                .get(..span.start)
                .and_then(|before| before.rfind('\n'))
                .map_or(0, |i| i + 1);
            let line = text.get(line_start..).and_then(|rest| rest.lines().next());
            let hint = if e.message().contains("duplicate")
                && line.is_some_and(|l| {
                    // `[event]` then `[[event]]`: the duplicate is the second one.
                    matches!(
                        l.split('#').next().unwrap_or("").replace(' ', "").as_str(),
                        "[event]" | "[[event]]"
                    )
                }) {
                "; each event is a table of the array `event`: write [[event]], with two \
                 brackets, above every event"
                    .to_string()
            } else if let Some(number) = line.and_then(thousands_separated) {
                // `trials = 200,000`: only digits and commas, so safe to echo.
                format!(
                    "; a number has no thousands separators: write {} (or {})",
                    number.replace(',', ""),
                    number.replace(',', "_")
                )
            } else {
                syntax_hint(e.message(), text.get(span.clone()).unwrap_or(""))
            };
            reader.error(
                span.start,
                "",
                &format!("TOML syntax error: {}{hint}", e.message().trim()),
            )
        })?;
        reader.layer(table.get_ref())
    }
}

/// The number of a line `key = 200,000` written with thousands separators (`200,000`), if
/// that is what the line holds.
fn thousands_separated(line: &str) -> Option<&str> {
    let value = line.split('#').next()?.split_once('=')?.1.trim();
    let groups: Vec<&str> = value.split(',').collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    (groups.len() > 1
        && digits(groups[0])
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3 && digits(g)))
    .then_some(value)
}

/// Advice for common TOML mistakes (the offending text itself is not echoed: it could come
/// from any file).
fn syntax_hint(message: &str, near: &str) -> String {
    let near = near.trim();
    // The duplicated key itself, when the span holds a key (bare, or quoted and printable).
    let bare_key = !near.is_empty()
        && near.len() <= 64
        && (near
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']'))
            || (near.len() >= 2
                && near.starts_with('"')
                && near.ends_with('"')
                && near.chars().all(|c| c.is_ascii_graphic() || c == ' ')));
    if message.contains("duplicate") && bare_key {
        format!(" `{near}`; each key and table may appear once")
    } else if message.contains("duplicate") {
        "; each key and table may appear once".into()
    } else if near.len() >= 7
        && near.as_bytes()[4] == b'-'
        && near[..4].bytes().all(|b| b.is_ascii_digit())
    {
        "; write months as quoted strings, e.g. deadline = \"2021-09\"".into()
    } else if message.contains("string") || message.contains("invalid") {
        "; distributions are quoted strings, e.g. will = \"beta(6, 3)\"".into()
    } else {
        String::new()
    }
}

type Entry<'t, 'i> = (
    &'t Spanned<toml::de::DeString<'i>>,
    &'t Spanned<DeValue<'i>>,
);

/// A table's entries in file order (the parser's map sorts them by key).
fn in_file_order<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
    let mut entries: Vec<Entry<'t, 'i>> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

impl Reader<'_> {
    pub(super) fn origin(&self, offset: usize) -> Origin {
        let (line, column) = self.lines.position(offset);
        Origin::File {
            path: self.path.to_path_buf(),
            line,
            column,
        }
    }

    pub(super) fn error(&self, offset: usize, key: &str, message: &str) -> Error {
        let key = if key.is_empty() {
            String::new()
        } else {
            format!("{key}: ")
        };
        Error::Invalid(format!("{}: {key}{message}", self.origin(offset)))
    }

    pub(super) fn located(&self, value: &Spanned<DeValue<'_>>) -> Located<Raw> {
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
            DeValue::Boolean(b) => Raw::Bool(*b),
            DeValue::Datetime(_) => Raw::Other("date"),
            DeValue::Array(items) => items
                .iter()
                .map(|item| match item.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect::<Option<Vec<String>>>()
                .map_or(Raw::Other("array"), Raw::Strings),
            DeValue::Table(_) => Raw::Other("table"),
        };
        Located {
            value: raw,
            origin: self.origin(value.span().start),
        }
    }

    pub(super) fn table<'t, 'i>(
        &self,
        value: &'t Spanned<DeValue<'i>>,
        key: &str,
    ) -> Result<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Ok(t),
            _ => Err(self.error(value.span().start, key, "must be a table")),
        }
    }

    pub(super) fn unknown(
        &self,
        offset: usize,
        full: &str,
        word: &str,
        accepted: &[&str],
    ) -> Error {
        self.error(
            offset,
            full,
            &format!(
                "unknown key{}; accepted here: {}",
                did_you_mean(word, accepted.iter().copied()),
                accepted.join(", ")
            ),
        )
    }

    /// A party or issue name, `[a-z][a-z0-9_]*`, written under `table` (`party`, `issue`, or
    /// an issue's `leverage` table).
    fn name(&self, key: &Spanned<toml::de::DeString<'_>>, table: &str) -> Result<Located<String>> {
        let name: &str = key.get_ref();
        if !crate::cast::valid_name(name) {
            let what = if table == "issue" { "issue" } else { "party" };
            return Err(self.error(
                key.span().start,
                &format!("{table}.{}", name.escape_debug()),
                &format!(
                    "\"{}\" is not a valid {what} name; names are a lowercase letter followed by lowercase letters, digits and _ (e.g. japan, e3, palestinian_state)",
                    name.escape_debug()
                ),
            ));
        }
        Ok(Located {
            value: name.to_string(),
            origin: self.origin(key.span().start),
        })
    }

    fn layer(&self, root: &DeTable<'_>) -> Result<Layer> {
        let mut layer = Layer::default();
        for (key, value) in in_file_order(root) {
            let name: &str = key.get_ref();
            match name {
                "description" | "question" => {
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
                            "must be a string naming a scenario, e.g. extends = \"baseline\"",
                        ));
                    }
                },
                "simulation" => self.fields(value, "simulation", &SIMULATION_FIELDS, &mut layer)?,
                "process" => {
                    let fields = PROCESS.map(|(f, _)| f);
                    self.fields(value, "process", &fields, &mut layer)?;
                }
                "party" => self.parties(value, &mut layer)?,
                "issue" => self.issues(value, &mut layer)?,
                "event" => self.events(value, &mut layer)?,
                "correlations" => self.correlations(value, &mut layer)?,
                "resolution" => {
                    self.fields(value, "resolution", &RESOLUTION_FIELDS, &mut layer)?;
                }
                _ => return Err(self.unknown_table(key, value)),
            }
        }
        Ok(layer)
    }

    /// An unknown top-level key; a format-1 table (`[japan]`) gets advice on format 2.
    fn unknown_table(
        &self,
        key: &Spanned<toml::de::DeString<'_>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Error {
        let name: &str = key.get_ref();
        let format_1 = matches!(value.get_ref(), DeValue::Table(t) if t.iter().any(|(f, _)| {
            let field: &str = f.get_ref();
            PARTY_KEYS.contains(&field)
                || ["security_concession", "security_demand", "leverage"].contains(&field)
        }));
        if format_1 {
            let moves: Vec<String> = FORMAT_1
                .iter()
                .filter(|(old, _)| old.starts_with(&format!("{name}.")))
                .map(|(old, new)| format!("`{old}` -> `{new}`"))
                .collect();
            let moves = if moves.is_empty() {
                let lower = name.to_ascii_lowercase();
                format!(
                    "`[{name}]` -> `[party.{lower}]` (a signatory, or role = \"outside\" with indifference; names are lowercase)"
                )
            } else {
                moves.join(", ")
            };
            return self.error(
                key.span().start,
                name,
                &format!(
                    "this is a format-1 table; treatysim reads format 2 (since 0.2), where parties are `[party.NAME]` tables and what divides them are `[issue.NAME]` tables (concedes, demands, concession, demand, leverage, pressure, dealbreaker, concession_drift, demand_drift): {moves}; see `treatysim new --help`"
                ),
            );
        }
        self.unknown(key.span().start, name, name, &TOP_LEVEL)
    }

    /// A table of plain fields, filed under `section.field`.
    fn fields(
        &self,
        value: &Spanned<DeValue<'_>>,
        section: &str,
        accepted: &[&str],
        layer: &mut Layer,
    ) -> Result<()> {
        for (field, v) in in_file_order(self.table(value, section)?) {
            let full = format!("{section}.{}", field.get_ref());
            if !accepted.contains(&field.get_ref().as_ref()) {
                return Err(self.unknown(field.span().start, &full, field.get_ref(), accepted));
            }
            layer.values.insert(full, self.located(v));
        }
        Ok(())
    }

    fn parties(&self, value: &Spanned<DeValue<'_>>, layer: &mut Layer) -> Result<()> {
        for (key, table) in in_file_order(self.table(value, "party")?) {
            let name = self.name(key, "party")?;
            let prefix = format!("party.{}", name.value);
            for (field, v) in in_file_order(self.table(table, &prefix)?) {
                let field_name: &str = field.get_ref();
                let full = format!("{prefix}.{field_name}");
                if !PARTY_KEYS.contains(&field_name) {
                    return Err(self.unknown(field.span().start, &full, field_name, &PARTY_KEYS));
                }
                layer.values.insert(full, self.located(v));
            }
            layer.parties.push(name);
        }
        Ok(())
    }

    fn issues(&self, value: &Spanned<DeValue<'_>>, layer: &mut Layer) -> Result<()> {
        for (key, table) in in_file_order(self.table(value, "issue")?) {
            let name = self.name(key, "issue")?;
            let prefix = format!("issue.{}", name.value);
            for (field, v) in in_file_order(self.table(table, &prefix)?) {
                let field_name: &str = field.get_ref();
                let full = format!("{prefix}.{field_name}");
                match field_name {
                    "leverage" | "pressure" => {
                        let DeValue::Table(table) = v.get_ref() else {
                            return Err(self.error(
                                v.span().start,
                                &full,
                                &format!(
                                    "must be a table from outside party to value, e.g. {field_name} = {{ us = 0.3 }}, or a [{full}] table"
                                ),
                            ));
                        };
                        for (party, l) in in_file_order(table) {
                            let party = self.name(party, &full)?;
                            layer
                                .values
                                .insert(format!("{full}.{}", party.value), self.located(l));
                        }
                    }
                    _ if ISSUE_KEYS.contains(&field_name) => {
                        layer.values.insert(full, self.located(v));
                    }
                    _ => {
                        return Err(self.unknown(
                            field.span().start,
                            &full,
                            field_name,
                            &ISSUE_KEYS,
                        ));
                    }
                }
            }
            layer.issues.push(name);
        }
        Ok(())
    }

    fn correlations(&self, value: &Spanned<DeValue<'_>>, layer: &mut Layer) -> Result<()> {
        for (pair, rho) in in_file_order(self.table(value, "correlations")?) {
            let key = pair_key(pair.get_ref());
            if layer.correlations.contains_key(&key) {
                return Err(self.error(
                    pair.span().start,
                    &format!("correlations.\"{}\"", pair.get_ref().escape_debug()),
                    &format!(
                        "the pair {key} is given twice (in either order); give each pair once"
                    ),
                ));
            }
            layer.correlations.insert(key, self.located(rho));
        }
        Ok(())
    }
}

impl Layer {
    /// Lays `child` over `self` (the parent): scalar keys and correlations are replaced key by
    /// key; parties and issues new in the child are appended in its order; an event with the
    /// same name as a parent's is merged into it field by field, keeping its place
    /// (`events::overlay`), other events are appended.
    pub fn overlay(mut self, child: Layer) -> Layer {
        self.values.extend(child.values);
        self.correlations.extend(child.correlations);
        for (names, new) in [
            (&mut self.parties, child.parties),
            (&mut self.issues, child.issues),
        ] {
            let mut known: std::collections::HashSet<String> =
                names.iter().map(|n| n.value.clone()).collect();
            for name in new {
                if known.insert(name.value.clone()) {
                    names.push(name);
                }
            }
        }
        super::events::overlay(&mut self.events, child.events);
        self.extends = child.extends;
        self
    }
}

/// Every field a party table may hold as a parameter, by role (for messages).
pub fn role_fields(outside: bool) -> &'static [&'static str] {
    if outside {
        &OUTSIDE_FIELDS
    } else {
        &SIGNATORY_FIELDS
    }
}

/// Every parameter field of an issue table (for messages).
pub fn issue_fields() -> &'static [&'static str] {
    &ISSUE_FIELDS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Layer> {
        Layer::parse(Path::new("s.toml"), text)
    }

    #[test]
    fn records_values_with_line_and_column() {
        let layer = parse("description = \"x\"\n[party.japan]\nwill = \"beta(6, 3)\"\n").unwrap();
        let will = &layer.values["party.japan.will"];
        assert_eq!(will.value, Raw::Str("beta(6, 3)".into()));
        assert_eq!(will.origin.to_string(), "s.toml:3:8");
        let bom = parse("\u{feff}[party.japan]\nwill = 0.5\n").unwrap();
        assert_eq!(
            bom.values["party.japan.will"].origin.to_string(),
            "s.toml:2:8"
        );
    }

    #[test]
    fn parties_and_issues_keep_declaration_order() {
        let layer = parse(
            "[party.zeta]\nwill = 0.5\n[issue.b]\ndemand = 0.1\n[party.alpha]\nwill = 0.5\n[issue.a]\nleverage = { o = 0.2 }\n",
        )
        .unwrap();
        let names = |v: &[Located<String>]| v.iter().map(|n| n.value.clone()).collect::<Vec<_>>();
        assert_eq!(names(&layer.parties), ["zeta", "alpha"]);
        assert_eq!(names(&layer.issues), ["b", "a"]);
        assert_eq!(layer.values["issue.a.leverage.o"].value, Raw::Float(0.2));
        let child = parse("[party.beta]\nwill = 0.1\n[party.zeta]\nwill = 0.2\n").unwrap();
        let merged = layer.overlay(child);
        assert_eq!(names(&merged.parties), ["zeta", "alpha", "beta"]);
        assert_eq!(merged.values["party.zeta.will"].value, Raw::Float(0.2));
    }

    #[test]
    fn unknown_keys_are_named_with_a_suggestion() {
        let err = parse("[party.japan]\nwil = 0.5\n").unwrap_err().to_string();
        assert!(
            err.starts_with("s.toml:2:1: party.japan.wil: unknown key; did you mean `will`?"),
            "{err}"
        );
        let err = parse("[partty.japan]\nwill = 0.5\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean `party`?"), "{err}");
        let err = parse("[[event]]\nname = \"a\"\nodds = 1\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("event.odds: unknown key"), "{err}");
        let err = parse("[party.Japan]\nwill = 0.5\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a valid party name"), "{err}");
    }

    #[test]
    fn format_1_tables_get_advice() {
        let err = parse("[japan]\nwill = 0.5\nsecurity_concession = 0.2\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("format-1"), "{err}");
        assert!(
            err.contains("`japan.security_concession` -> `issue.security.concession`"),
            "{err}"
        );
        let err = parse("[israel]\nwill = 0.5\n").unwrap_err().to_string();
        assert!(err.contains("`[israel]` -> `[party.israel]`"), "{err}");
        assert_eq!(
            format_1_hint("japan.security_concession").unwrap(),
            "`japan.security_concession` is a format-1 key; treatysim reads format 2 (since 0.2): write `issue.security.concession`"
        );
        assert!(format_1_hint("process.summit_rate").is_none());
    }

    #[test]
    fn syntax_errors_carry_a_position_and_advice() {
        let err = parse("[party.japan]\nwill = \n").unwrap_err().to_string();
        assert!(err.starts_with("s.toml:2:"), "{err}");
        assert!(err.contains("TOML syntax error"), "{err}");
        let err = parse("[simulation]\ndeadline = 2021-09\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("quoted strings"), "{err}");
    }

    #[test]
    fn correlation_pairs_are_one_pair_in_either_order() {
        assert_eq!(pair_key("b.x ~a.y"), "a.y ~ b.x");
        let err = parse("[correlations]\n\"a.x ~ b.y\" = 0.1\n\"b.y~a.x\" = 0.2\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("given twice"), "{err}");
    }

    #[test]
    fn effects_flatten_dotted_keys() {
        let layer = parse(
            "[[event]]\nname = \"e\"\neffects = { \"party.a.will\" = 0.1, party.b.will = -0.1 }\nleader_exit = [\"a\"]\n",
        )
        .unwrap();
        let keys: Vec<&str> = layer.events[0]
            .effects
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["party.a.will", "party.b.will"]);
        assert_eq!(
            layer.events[0].leader_exit.as_ref().unwrap().value,
            Raw::Strings(vec!["a".into()])
        );
    }

    #[test]
    fn overlay_replaces_events_by_name() {
        let parent =
            parse("[[event]]\nname = \"a\"\nprobability = 0.1\n[[event]]\nname = \"b\"\n").unwrap();
        let child =
            parse("[[event]]\nname = \"a\"\nprobability = 0.9\n[[event]]\nname = \"c\"\n").unwrap();
        let merged = parent.overlay(child);
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
