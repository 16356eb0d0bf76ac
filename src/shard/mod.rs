//! Scale-out (SPEC §9): shard files and their merge.
//!
//! `--shard K/N` runs the K-th of N contiguous ranges of the trials and writes its tally to
//! `<out>/<scenario>/shards/<output>-K-of-N.toml`. Tallies are fixed-point integer sums, so
//! adding the N shards' tallies gives exactly the bits of the unsharded run, and `merge`
//! writes exactly the files the unsharded command would have written.

use crate::engine::Tally;
use crate::error::{Error, Result};
use crate::export::SamplesFormat;
use crate::model::Estimator;
use crate::options::Shard;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use crate::tally::{decimal, decimals};

/// The largest shard file read (a sweep's tallies for a large grid stay well below): a larger
/// file is refused with exit 2 before it is read into memory.
pub const SHARD_LIMIT: u64 = 1 << 30;

/// The trials of shard K of N over `trials`: ⌊(K−1)·T/N⌋ … ⌊K·T/N⌋.
pub fn range(shard: Shard, trials: u64) -> Range<u64> {
    let bound = |k: u64| (u128::from(trials) * u128::from(k) / u128::from(shard.count)) as u64;
    bound(shard.index - 1)..bound(shard.index)
}

/// What a shard tallied, by command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Payload {
    /// `run`: the tally by month.
    Run(Tally),
    /// `sweep`: the parameter values of every point and each point's tally.
    Sweep {
        /// Swept parameter keys.
        keys: Vec<String>,
        /// Values of each point.
        points: Vec<Vec<f64>>,
        /// Tally of each point.
        tallies: Vec<Tally>,
    },
    /// `sensitivity`: the factors and bins (from the pilot) and this shard's sums.
    Sensitivity {
        /// Factor and bins per uncertain parameter.
        bins: Vec<crate::analysis::sensitivity::Bins>,
        /// This shard's sums.
        tally: crate::analysis::sensitivity::SensitivityTally,
    },
}

/// One shard's file. On disk its first line is `sha256 = "…"`, the SHA-256 of the rest of the
/// file (the TOML of this struct), in hexadecimal; [`ShardFile::read`] refuses a file whose
/// checksum does not match.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardFile {
    /// The output it contributes to: `run`, `sweep-KEY[-KEY2]` or `sensitivity`.
    pub output: String,
    /// Scenario name.
    pub scenario: String,
    /// Estimator name.
    pub estimator: String,
    /// Seed.
    #[serde(with = "decimal")]
    pub seed: u64,
    /// Trials of the whole (unsharded) run.
    #[serde(with = "decimal")]
    pub trials: u64,
    /// K.
    pub shard: u64,
    /// N.
    pub shards: u64,
    /// Whether `--samples` rows were written beside it.
    pub samples: bool,
    /// The SHA-256 of the `--samples` part, in hexadecimal (set by [`ShardFile::write`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples_sha256: Option<String>,
    /// The samples part's format (`--samples-format`); absent for CSV.
    #[serde(default, skip_serializing_if = "SamplesFormat::is_csv")]
    pub samples_format: SamplesFormat,
    /// The scenario's own name when `scenario` is an `--as` label (empty otherwise, and in
    /// shards written before run.toml).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
    /// The shard's command line, for the merged `run.toml` (empty in older shards).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// The `--set` arguments as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// The resolved scenario, as `treatysim show` prints it.
    pub resolved: String,
    /// The tally.
    pub payload: Payload,
    /// The sampled trials that `merge` simulates again ([`witness`]); absent in shards of
    /// treatysim 0.2 and earlier, which `merge` refuses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<witness::Witness>,
}

/// The first line of a shard file starts with this, followed by the checksum and `"`.
const CHECKSUM_PREFIX: &str = "sha256 = \"";

pub use crate::digest::{HashingReader, sha256_file, sha256_hex};

mod group;
pub mod rows;
pub mod seal;
pub mod witness;
pub use group::{Group, check_group, collect};

impl ShardFile {
    /// The shard file of `scenario` run as shard `shard` with `estimator`, with its witness:
    /// a sample of its trials simulated again ([`witness`]).
    ///
    /// # Errors
    /// Interruption; a sweep point that is not a valid scenario.
    pub fn new(
        output: String,
        scenario: &crate::scenario::Scenario,
        estimator: crate::model::Estimator,
        shard: Shard,
        samples: Option<SamplesFormat>,
        payload: Payload,
    ) -> Result<ShardFile> {
        let resolved = scenario.to_toml();
        let range = range(shard, scenario.simulation.trials);
        let witness = witness::Resimulator::new(scenario, &resolved, estimator).witness(
            scenario.simulation.seed,
            range,
            &payload,
        )?;
        Ok(ShardFile {
            output,
            scenario: scenario.name.clone(),
            estimator: estimator.name().into(),
            seed: scenario.simulation.seed,
            trials: scenario.simulation.trials,
            shard: shard.index,
            shards: shard.count,
            samples: samples.is_some(),
            samples_sha256: None,
            samples_format: samples.unwrap_or_default(),
            origin: if scenario.origin == scenario.name {
                String::new()
            } else {
                scenario.origin.clone()
            },
            command: Vec::new(),
            overrides: Vec::new(),
            resolved,
            payload,
            witness: Some(witness),
        })
    }

    /// Records the command line and the `--set` arguments as given (`overrides`) of the
    /// command writing this shard.
    pub fn with_provenance(mut self, overrides: Vec<String>) -> ShardFile {
        self.command = crate::export::provenance::command_line();
        self.overrides = overrides;
        self
    }

    /// The scenario's own name (not the `--as` label).
    pub fn origin(&self) -> &str {
        if self.origin.is_empty() {
            &self.scenario
        } else {
            &self.origin
        }
    }

    /// What produced the merged files, for `run.toml`: the merge's command line, and the
    /// shard's record.
    pub fn record(&self, trials: u64) -> crate::export::Record {
        crate::export::Record {
            command: crate::export::provenance::command_line(),
            scenario: self.origin().to_string(),
            estimator: self.estimator.clone(),
            trials,
            seed: self.seed,
            overrides: self.overrides.clone(),
            resolved: self.resolved.clone(),
        }
    }

    /// `<out>/<scenario>/shards`.
    pub fn folder(out: &Path, scenario: &str) -> PathBuf {
        out.join(scenario).join("shards")
    }

    /// `<out>/<scenario>/shards`, created if needed, after checking that neither it nor
    /// `<out>/<scenario>` is a symbolic link or anything but a folder (SPEC §7: nothing is
    /// written outside `--out`, whatever links it holds).
    ///
    /// # Errors
    /// [`Error::Invalid`] for a link or a file in the way; I/O errors.
    pub fn prepare_folder(out: &Path, scenario: &str) -> Result<PathBuf> {
        std::fs::create_dir_all(out).map_err(|e| Error::io("create folder", out, e))?;
        let named = crate::export::publish::folder_path(out, scenario)?;
        crate::export::guard::real_folder(&named, true)?;
        let folder = Self::folder(out, scenario);
        crate::export::guard::real_folder(&folder, true)?;
        Ok(folder)
    }

    /// This shard's file name.
    pub fn file_name(&self) -> String {
        format!("{}-{}-of-{}.toml", self.output, self.shard, self.shards)
    }

    /// K/N of this shard.
    pub fn shard(&self) -> Shard {
        Shard {
            index: self.shard,
            count: self.shards,
        }
    }

    /// The file of a shard's `--samples` rows in `format`: `samples-K-of-N.csv` (rows without
    /// a header) or `samples-K-of-N.parquet`.
    pub fn samples_path(
        out: &Path,
        scenario: &str,
        shard: Shard,
        format: SamplesFormat,
    ) -> PathBuf {
        Self::folder(out, scenario).join(format!(
            "samples-{}-of-{}.{}",
            shard.index,
            shard.count,
            format.extension()
        ))
    }

    /// The file of this shard's `--samples` rows.
    pub fn samples_part(&self, out: &Path) -> PathBuf {
        Self::samples_path(out, &self.scenario, self.shard(), self.samples_format)
    }

    /// The file's text without an HMAC: [`ShardFile::to_text_keyed`] without a key.
    ///
    /// # Errors
    /// When the TOML cannot be encoded.
    pub fn to_text(&self) -> Result<String> {
        self.to_text_keyed(None)
    }

    /// The file's text: the checksum line, with a `key` the HMAC line ([`seal`]), then the
    /// TOML.
    ///
    /// # Errors
    /// When the TOML cannot be encoded.
    pub fn to_text_keyed(&self, key: Option<&seal::ShardKey>) -> Result<String> {
        let body = toml::to_string(self).map_err(|e| Error::Io {
            context: format!("could not encode the shard {}", self.file_name()),
            source: std::io::Error::other(e),
        })?;
        let rest = match key {
            Some(key) => format!("{}{body}", seal::line(key, &body)),
            None => body,
        };
        Ok(format!(
            "{CHECKSUM_PREFIX}{}\"  # SHA-256 of the rest of this file\n{rest}",
            sha256_hex(rest.as_bytes())
        ))
    }

    /// Writes the file atomically, with the checksum of its `--samples` part (which must
    /// already be in place) when it has one.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&self, out: &Path, key: Option<&seal::ShardKey>) -> Result<PathBuf> {
        // A command that writes into --out brings stale root rows up to date (SPEC §7); this
        // is also its last check of the root summary, so it comes before the first write.
        crate::export::repair(out)?;
        let path = Self::prepare_folder(out, &self.scenario)?.join(self.file_name());
        let mut file = self.clone();
        if self.samples {
            let part = self.samples_part(out);
            file.samples_sha256 = Some(sha256_file(&part)?);
        }
        crate::export::write_atomic(&path, file.to_text_keyed(key)?.as_bytes())?;
        Ok(path)
    }

    /// Reads a shard file: a regular file, UTF-8, whose checksum matches and whose fields
    /// describe a shard that could have been written ([`ShardFile::parse`]).
    ///
    /// # Errors
    /// Invalid input (exit 2) naming the file and what is wrong; I/O errors when it cannot be
    /// read for another reason (permissions).
    pub fn read(path: &Path, key: Option<&seal::ShardKey>) -> Result<ShardFile> {
        if path.is_dir() {
            return Err(Error::Invalid(format!(
                "'{}' is a folder; a shards folder holds only shard files (*.toml) and samples \
                 parts (samples-K-of-N.csv or .parquet): move it out",
                path.display()
            )));
        }
        let bytes = crate::export::guard::read_regular(path, SHARD_LIMIT)?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            Error::Invalid(format!(
                "{}: not a treatysim shard: not UTF-8 text (invalid byte at offset {})",
                path.display(),
                e.valid_up_to()
            ))
        })?;
        ShardFile::parse_keyed(path, text, key)
    }

    /// Parses a shard file's text; `path` names it in messages. Checks the checksum, then
    /// what the file says of itself: 1 ≤ K ≤ N, at least one trial, a valid scenario name
    /// (it names the folder merge writes into), a known estimator, an output that matches
    /// its payload, and a samples checksum exactly when it has samples.
    ///
    /// # Errors
    /// Invalid input naming the file and what is wrong.
    pub fn parse(path: &Path, text: &str) -> Result<ShardFile> {
        ShardFile::parse_keyed(path, text, None)
    }

    /// [`ShardFile::parse`], also checking the HMAC under `key` when one is given ([`seal`]).
    ///
    /// # Errors
    /// As [`ShardFile::parse`]; invalid input for a missing or wrong HMAC.
    pub fn parse_keyed(path: &Path, text: &str, key: Option<&seal::ShardKey>) -> Result<ShardFile> {
        let invalid = |what: String| {
            Error::Invalid(format!(
                "{}: not a treatysim shard: {what}; rerun the shard",
                path.display()
            ))
        };
        let (first, body) = text.split_once('\n').unwrap_or((text, ""));
        let written = first
            .strip_prefix(CHECKSUM_PREFIX)
            .and_then(|rest| rest.split_once('"'))
            .map(|(hex, _)| hex)
            .filter(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| {
                invalid(
                    "its first line is not the checksum line sha256 = \"…\" (64 hexadecimal \
                     digits), so it was not written by this version of treatysim"
                        .into(),
                )
            })?;
        let actual = sha256_hex(body.as_bytes());
        if !written.eq_ignore_ascii_case(&actual) {
            return Err(Error::Invalid(format!(
                "{}: the shard was edited, truncated or damaged: its content's SHA-256 is {actual}, \
                 not the {written} it was written with; rerun the shard",
                path.display()
            )));
        }
        seal::check(path, body, key)?;
        let file: ShardFile = toml::from_str(body).map_err(|e| invalid(e.message().into()))?;
        file.check_fields().map_err(invalid)?;
        Ok(file)
    }

    /// The checks of [`ShardFile::parse`] after the checksum.
    fn check_fields(&self) -> std::result::Result<(), String> {
        if !crate::scenario::valid_scenario_name(&self.scenario) {
            return Err(crate::scenario::name_rule("its scenario", &self.scenario));
        }
        if self.shard < 1 || self.shard > self.shards {
            return Err(format!(
                "it says it is shard {}/{}; shards are K/N with 1 <= K <= N",
                self.shard, self.shards
            ));
        }
        if self.trials == 0 {
            return Err("it says the run has 0 trials; runs have at least 1".into());
        }
        estimator(&self.estimator)?;
        let expected = match &self.payload {
            Payload::Run(_) => "run".to_string(),
            Payload::Sweep { keys, .. } => {
                crate::analysis::sweep::sweep_output(keys).map_err(|e| e.to_string())?
            }
            Payload::Sensitivity { .. } => "sensitivity".to_string(),
        };
        if self.output != expected {
            return Err(format!(
                "its output '{}' does not match its tally, which is of '{expected}'",
                self.output.escape_debug()
            ));
        }
        if !self.samples && !self.samples_format.is_csv() {
            return Err("it has a samples_format but no --samples".into());
        }
        match (&self.samples_sha256, self.samples) {
            (Some(hex), true) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Ok(())
            }
            (None, false) => Ok(()),
            (_, true) => Err("it has --samples but no valid samples_sha256".into()),
            (Some(_), false) => Err("it has a samples_sha256 but no --samples".into()),
        }
    }
}

/// The estimator a shard names.
pub(crate) fn estimator(name: &str) -> std::result::Result<Estimator, String> {
    match name {
        "conditional" => Ok(Estimator::Conditional),
        "indicator" => Ok(Estimator::Indicator),
        other => Err(format!(
            "unknown estimator '{}' (conditional or indicator)",
            other.escape_debug()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_trials_contiguously() {
        for (trials, n) in [(10u64, 3u64), (200_000, 7), (5, 5), (1, 1), (100, 1)] {
            let mut next = 0;
            for k in 1..=n {
                let r = range(Shard { index: k, count: n }, trials);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, trials);
        }
    }
}
