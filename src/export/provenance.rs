//! `<out>/NAME/run.toml`: what produced the files beside it (SPEC §6).
//!
//! ```toml
//! treatysim = "0.3.0"                       # the version that wrote it
//! command = ["treatysim", "run", "baseline", "--set", "party.japan.will=0.7", "--as", "hawk"]
//! scenario = "baseline"                     # the scenario's own name
//! label = "hawk"                            # NAME: the folder (the --as label, or the name)
//! estimator = "conditional"
//! trials = 200000
//! seed = 20200122
//! overrides = ["party.japan.will=0.7"]      # the --set arguments as given
//! resolved = """                            # the scenario as `show` prints it, overrides applied
//! …"""
//!
//! [files]                                   # every file of the folder's current version
//! "summary.csv" = "<SHA-256>"
//! "sweep-party.japan.will.csv" = "<SHA-256>"
//!
//! [outputs."sweep-party.japan.will"]        # one table per analysis in the folder
//! command = [...]; scenario, estimator, trials, seed, overrides, resolved as above
//! files = ["sweep-party.japan.will.csv"]
//! ```
//!
//! The top-level keys from `command` to `resolved` describe the plain run (`summary.csv`,
//! `timeline.csv`, `samples.csv`) and are absent while the folder holds analyses only. Each
//! sweep (`sweep-KEY[-KEY2]`) and the sensitivity analysis (`sensitivity`: `sensitivity.csv`
//! and `sensitivity_bins.csv`) has its own `[outputs.NAME]` table; a run keeps them, since their
//! files stay, each described by its own table. `[files]` covers every file of the folder that
//! treatysim published (not plots, not shards). The program name in `command` is written
//! `treatysim`, whatever path it was started by, so that the file does not depend on where the
//! binary is installed.
//!
//! The file is written with the files it describes, in the same version folder
//! ([`super::publish`]), so it never disagrees with them.

use crate::error::{Error, Result};
use crate::scenario::{name_rule, valid_scenario_name};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The largest `run.toml` read (treatysim's own are a few kilobytes: the resolved scenario and
/// the hashes): a larger file is refused, not read.
pub const RUN_TOML_LIMIT: u64 = 64 << 20;

/// What produced one output: the plain run, or one analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The command line, the program written `treatysim`.
    pub command: Vec<String>,
    /// The scenario's own name (its file's stem), whatever the label.
    pub scenario: String,
    /// `conditional` or `indicator`.
    pub estimator: String,
    /// Trials used.
    pub trials: u64,
    /// The seed.
    pub seed: u64,
    /// The `--set` arguments as given.
    pub overrides: Vec<String>,
    /// The resolved scenario as `show` prints it, overrides applied.
    pub resolved: String,
}

/// One analysis in a folder: its record and its files.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// What produced it.
    pub record: Record,
    /// Its files in the folder.
    pub files: Vec<String>,
    /// For merged shards: the first shard's command line.
    pub shard_command: Vec<String>,
}

/// A whole `run.toml`.
#[derive(Clone, Debug, PartialEq)]
pub struct RunToml {
    /// The treatysim version that wrote it.
    pub treatysim: String,
    /// NAME: the folder's name.
    pub label: String,
    /// The plain run, if the folder holds one.
    pub run: Option<Record>,
    /// For a run merged from shards: the first shard's command line (empty otherwise).
    pub shard_command: Vec<String>,
    /// Each file of the folder and its SHA-256 in hexadecimal.
    pub files: BTreeMap<String, String>,
    /// Each analysis, by output name (`sweep-KEY`, `sensitivity`).
    pub outputs: BTreeMap<String, Output>,
}

/// This process's command line, the program written `treatysim`.
pub fn command_line() -> Vec<String> {
    std::iter::once("treatysim".to_string())
        .chain(
            std::env::args_os()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned()),
        )
        .collect()
}

/// A TOML basic string.
fn string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML multi-line basic string, starting on the line after `"""`.
fn multi_line(text: &str) -> String {
    let mut out = String::from("\"\"\"\n");
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // Only a quote that could start or end a `"""` needs its backslash.
            '"' if matches!(chars.peek(), None | Some('"')) => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push('\n'),
            '\t' => out.push('\t'),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push_str("\"\"\"");
    out
}

fn array(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// A seed: an integer where TOML can hold it, else a string (as `show` writes it).
fn seed(seed: u64) -> String {
    if seed > i64::MAX as u64 {
        format!("\"{seed}\"")
    } else {
        seed.to_string()
    }
}

impl Record {
    fn write(&self, out: &mut String) {
        let _ = writeln!(out, "command = {}", array(&self.command));
        let _ = writeln!(out, "scenario = {}", string(&self.scenario));
        self.write_rest(out);
    }

    fn write_rest(&self, out: &mut String) {
        let _ = writeln!(out, "estimator = {}", string(&self.estimator));
        let _ = writeln!(out, "trials = {}", self.trials);
        let _ = writeln!(out, "seed = {}", seed(self.seed));
        let _ = writeln!(out, "overrides = {}", array(&self.overrides));
        let _ = writeln!(out, "resolved = {}", multi_line(&self.resolved));
    }
}

impl RunToml {
    /// An empty record for the folder `label`.
    pub fn new(label: &str) -> RunToml {
        RunToml {
            treatysim: env!("CARGO_PKG_VERSION").to_string(),
            label: label.to_string(),
            run: None,
            shard_command: Vec::new(),
            files: BTreeMap::new(),
            outputs: BTreeMap::new(),
        }
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# What produced the files in this folder (treatysim run.toml)"
        );
        let _ = writeln!(out, "treatysim = {}", string(&self.treatysim));
        if let Some(run) = &self.run {
            let _ = writeln!(out, "command = {}", array(&run.command));
            if !self.shard_command.is_empty() {
                let _ = writeln!(out, "shard_command = {}", array(&self.shard_command));
            }
            let _ = writeln!(out, "scenario = {}", string(&run.scenario));
            let _ = writeln!(out, "label = {}", string(&self.label));
            run.write_rest(&mut out);
        } else {
            let _ = writeln!(out, "label = {}", string(&self.label));
        }
        let _ = writeln!(out, "\n[files]");
        for (file, hash) in &self.files {
            let _ = writeln!(out, "{} = {}", string(file), string(hash));
        }
        for (name, output) in &self.outputs {
            let _ = writeln!(out, "\n[outputs.{}]", string(name));
            output.record.write(&mut out);
            if !output.shard_command.is_empty() {
                let _ = writeln!(out, "shard_command = {}", array(&output.shard_command));
            }
            let _ = writeln!(out, "files = {}", array(&output.files));
        }
        out
    }

    /// Reads `path` (a regular file, not through a link: see [`super::RunFolder`] for a
    /// run folder's); `None` when there is none.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the file and key when it is not a treatysim `run.toml`; I/O
    /// errors.
    pub fn read(path: &Path) -> Result<Option<RunToml>> {
        let path = &super::layout::through_our_link(path);
        match super::guard::read_regular(path, RUN_TOML_LIMIT) {
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                Ok(None)
            }
            Err(e) => Err(e),
            Ok(bytes) => RunToml::from_bytes(path, bytes).map(Some),
        }
    }

    /// Parses a `run.toml`'s bytes; `path` names it in messages (`<out>/NAME/run.toml`, for
    /// the file of a version folder that readers know by that name).
    ///
    /// # Errors
    /// As [`RunToml::parse`]; [`Error::Invalid`] when it is not UTF-8 text.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<RunToml> {
        let text =
            String::from_utf8(bytes).map_err(|_| invalid(path, "it is not UTF-8 text".into()))?;
        RunToml::parse(path, &text)
    }

    /// Parses a `run.toml`'s text; `path` names it in messages.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the file and the key.
    pub fn parse(path: &Path, text: &str) -> Result<RunToml> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            invalid(
                path,
                match line {
                    Some(line) => format!("line {line}: {}", e.message()),
                    None => e.message().to_string(),
                },
            )
        })?;
        let fields = Fields {
            path,
            table: &table,
        };
        let run = if table.contains_key("command") {
            Some(fields.record()?)
        } else {
            None
        };
        let mut files = BTreeMap::new();
        if let Some(value) = table.get("files") {
            let map = value
                .as_table()
                .ok_or_else(|| invalid(path, "'files' must be a table".into()))?;
            for (file, hash) in map {
                let hash = hash
                    .as_str()
                    .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .ok_or_else(|| {
                        invalid(
                            path,
                            format!("files.\"{file}\" must be a SHA-256 (64 hexadecimal digits)"),
                        )
                    })?;
                files.insert(file.clone(), hash.to_string());
            }
        }
        let mut outputs = BTreeMap::new();
        if let Some(value) = table.get("outputs") {
            let map = value
                .as_table()
                .ok_or_else(|| invalid(path, "'outputs' must be a table".into()))?;
            for (name, output) in map {
                let table = output
                    .as_table()
                    .ok_or_else(|| invalid(path, format!("outputs.\"{name}\" must be a table")))?;
                let fields = Fields { path, table };
                outputs.insert(
                    name.clone(),
                    Output {
                        record: fields.record()?,
                        files: fields.strings("files")?,
                        shard_command: fields.optional_strings("shard_command")?,
                    },
                );
            }
        }
        Ok(RunToml {
            treatysim: fields.string("treatysim")?,
            label: fields.name("label")?,
            run,
            shard_command: fields.optional_strings("shard_command")?,
            files,
            outputs,
        })
    }
}

fn invalid(path: &Path, why: String) -> Error {
    Error::Invalid(format!(
        "{}: not a treatysim run.toml: {why}; rerun the command that wrote the folder",
        path.display()
    ))
}

/// Typed access to a table's keys, with errors naming the file and key.
struct Fields<'a> {
    path: &'a Path,
    table: &'a toml::Table,
}

impl Fields<'_> {
    fn get(&self, key: &str) -> Result<&toml::Value> {
        self.table
            .get(key)
            .ok_or_else(|| invalid(self.path, format!("the key '{key}' is missing")))
    }

    fn string(&self, key: &str) -> Result<String> {
        self.get(key)?
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| invalid(self.path, format!("'{key}' must be a string")))
    }

    fn strings(&self, key: &str) -> Result<Vec<String>> {
        let bad = || invalid(self.path, format!("'{key}' must be an array of strings"));
        self.get(key)?
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(bad))
            .collect()
    }

    fn optional_strings(&self, key: &str) -> Result<Vec<String>> {
        if self.table.contains_key(key) {
            self.strings(key)
        } else {
            Ok(Vec::new())
        }
    }

    fn whole(&self, key: &str) -> Result<u64> {
        let value = self.get(key)?;
        value
            .as_integer()
            .and_then(|n| u64::try_from(n).ok())
            .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| invalid(self.path, format!("'{key}' must be a whole number")))
    }

    /// A name a reader may use as a folder of `--out` or look up as a scenario (SPEC §7:
    /// "names read from files ... are checked the same way"): it must pass the name rule, so
    /// that a hand-edited `scenario = "/elsewhere/x.toml"` or `"../../x"` is never taken for a
    /// path. `compare`'s record names its pair, `A vs B`, each by the rule.
    fn name(&self, key: &str) -> Result<String> {
        let name = self.string(key)?;
        let pair = name
            .split_once(" vs ")
            .is_some_and(|(a, b)| valid_scenario_name(a) && valid_scenario_name(b));
        if valid_scenario_name(&name) || (key == "scenario" && pair) {
            return Ok(name);
        }
        Err(invalid(
            self.path,
            format!("'{key}': {}", name_rule("the name", &name)),
        ))
    }

    fn record(&self) -> Result<Record> {
        Ok(Record {
            command: self.strings("command")?,
            scenario: self.name("scenario")?,
            estimator: self.string("estimator")?,
            trials: self.whole("trials")?,
            seed: self.whole("seed")?,
            overrides: self.strings("overrides")?,
            resolved: self.string("resolved")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            command: vec!["treatysim".into(), "run".into(), "a \"b\"\\c".into()],
            scenario: "baseline".into(),
            estimator: "conditional".into(),
            trials: 1000,
            seed: u64::MAX,
            overrides: vec!["party.japan.will=beta(8, 2)".into()],
            resolved: "# comment\ndescription = \"x \\\"\"\n\n[simulation]\n\ttrials = 1\n".into(),
        }
    }

    /// Written and read back, every key survives, quotes, backslashes, tabs and the largest
    /// seed included.
    #[test]
    fn text_reads_back_to_the_same_record() {
        let mut toml = RunToml::new("hawk");
        toml.run = Some(record());
        toml.shard_command = vec!["treatysim".into(), "run".into(), "--shard".into()];
        toml.files.insert("summary.csv".into(), "ab".repeat(32));
        toml.outputs.insert(
            "sweep-event.a \"b\".probability".into(),
            Output {
                record: record(),
                files: vec!["sweep-x.csv".into()],
                shard_command: Vec::new(),
            },
        );
        let text = toml.to_text();
        assert!(text.contains("resolved = \"\"\"\n# comment\n"), "{text}");
        assert_eq!(RunToml::parse(Path::new("run.toml"), &text).unwrap(), toml);
        let bare = RunToml::new("x");
        assert_eq!(
            RunToml::parse(Path::new("run.toml"), &bare.to_text()).unwrap(),
            bare
        );
    }

    #[test]
    fn damaged_files_are_refused_naming_the_key() {
        let path = Path::new("out/x/run.toml");
        let mut toml = RunToml::new("x");
        toml.run = Some(record());
        let text = toml.to_text();
        for (from, to, key) in [
            ("trials = 1000", "trials = -1", "'trials'"),
            ("label = \"x\"", "", "'label'"),
            ("[files]", "[files]\n\"a.csv\" = \"zz\"", "files.\"a.csv\""),
            ("estimator = ", "estimator = 3 #", "'estimator'"),
            (
                "scenario = \"baseline\"",
                "scenario = \"/tmp/x/elsewhere.toml\"",
                "'scenario'",
            ),
            (
                "scenario = \"baseline\"",
                "scenario = \"../../../../etc/x\"",
                "'scenario'",
            ),
            ("label = \"x\"", "label = \"..\"", "'label'"),
            ("label = \"x\"", "label = \"summary.csv\"", "'label'"),
        ] {
            let bad = text.replacen(from, to, 1);
            let message = RunToml::parse(path, &bad).unwrap_err().to_string();
            assert!(
                message.contains(key) && message.contains("out/x/run.toml"),
                "{message}"
            );
        }
    }
}
