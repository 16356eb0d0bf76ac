//! Scale-out (SPEC §9): shard files and their merge.
//!
//! `--shard K/N` runs the K-th of N contiguous ranges of the trials and writes its tally to
//! `<out>/<scenario>/shards/<output>-K-of-N.toml`. Tallies are fixed-point integer sums, so
//! adding the N shards' tallies gives exactly the bits of the unsharded run, and `merge`
//! writes exactly the files the unsharded command would have written.

use crate::cli::Shard;
use crate::engine::Tally;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use crate::tally::{decimal, decimals};

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

/// One shard's file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// The resolved scenario, as `treatysim show` prints it.
    pub resolved: String,
    /// The tally.
    pub payload: Payload,
}

impl ShardFile {
    /// The shard file of `scenario` run as shard `shard` with `estimator`.
    pub fn new(
        output: String,
        scenario: &crate::scenario::Scenario,
        estimator: crate::model::Estimator,
        shard: Shard,
        samples: bool,
        payload: Payload,
    ) -> ShardFile {
        ShardFile {
            output,
            scenario: scenario.name.clone(),
            estimator: estimator.name().into(),
            seed: scenario.simulation.seed,
            trials: scenario.simulation.trials,
            shard: shard.index,
            shards: shard.count,
            samples,
            resolved: scenario.to_toml(),
            payload,
        }
    }

    /// `<out>/<scenario>/shards`.
    pub fn folder(out: &Path, scenario: &str) -> PathBuf {
        out.join(scenario).join("shards")
    }

    /// This shard's file name.
    pub fn file_name(&self) -> String {
        format!("{}-{}-of-{}.toml", self.output, self.shard, self.shards)
    }

    /// The file of this shard's `--samples` rows.
    pub fn samples_path(out: &Path, scenario: &str, shard: Shard) -> PathBuf {
        Self::folder(out, scenario).join(format!("samples-{}-of-{}.csv", shard.index, shard.count))
    }

    /// Writes the file atomically.
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&self, out: &Path) -> Result<PathBuf> {
        let path = Self::folder(out, &self.scenario).join(self.file_name());
        let text = toml::to_string(self).map_err(|e| Error::Io {
            context: format!("could not encode '{}'", path.display()),
            source: std::io::Error::other(e),
        })?;
        crate::export::write_atomic(&path, text.as_bytes())?;
        Ok(path)
    }

    /// Reads a shard file.
    ///
    /// # Errors
    /// Invalid input when it cannot be read as a shard.
    pub fn read(path: &Path) -> Result<ShardFile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read shard", path, e))?;
        toml::from_str(&text).map_err(|e| {
            Error::Invalid(format!(
                "{}: not a treatysim shard: {}",
                path.display(),
                e.message()
            ))
        })
    }
}

/// The complete, agreeing shards of each output in `<out>/<scenario>/shards/`.
///
/// # Errors
/// Invalid input (exit 2) naming the problem: no shards, a missing or duplicated shard, or
/// shards that disagree on the resolved scenario, seed, trials, estimator or N.
pub fn collect(out: &Path, scenario: &str) -> Result<Vec<Vec<ShardFile>>> {
    let folder = ShardFile::folder(out, scenario);
    let entries = std::fs::read_dir(&folder).map_err(|_| {
        Error::Invalid(format!(
            "no shards for '{scenario}': '{}' does not exist; run with --shard K/N first",
            folder.display()
        ))
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(Error::Invalid(format!(
            "no shard files in '{}'",
            folder.display()
        )));
    }
    let mut groups: Vec<Vec<(PathBuf, ShardFile)>> = Vec::new();
    for path in paths {
        let file = ShardFile::read(&path)?;
        match groups.iter_mut().find(|g| g[0].1.output == file.output) {
            Some(group) => group.push((path, file)),
            None => groups.push(vec![(path, file)]),
        }
    }
    groups.into_iter().map(check_group).collect()
}

fn check_group(mut group: Vec<(PathBuf, ShardFile)>) -> Result<Vec<ShardFile>> {
    group.sort_by_key(|(_, f)| f.shard);
    let (first_path, first) = &group[0];
    for (path, file) in &group[1..] {
        let differs = |what: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| {
            Error::Invalid(format!(
                "shards disagree on {what}: '{}' has {a}, '{}' has {b}; rerun the shards with the same scenario and options",
                first_path.display(),
                path.display()
            ))
        };
        if file.shards != first.shards {
            return Err(differs(
                "N (the number of shards)",
                &first.shards,
                &file.shards,
            ));
        }
        if file.seed != first.seed {
            return Err(differs("the seed", &first.seed, &file.seed));
        }
        if file.trials != first.trials {
            return Err(differs("the number of trials", &first.trials, &file.trials));
        }
        if file.estimator != first.estimator {
            return Err(differs("the estimator", &first.estimator, &file.estimator));
        }
        if file.samples != first.samples {
            return Err(differs("--samples", &first.samples, &file.samples));
        }
        if file.scenario != first.scenario {
            return Err(differs(
                "the scenario name",
                &first.scenario,
                &file.scenario,
            ));
        }
        if scenario_text(&file.resolved) != scenario_text(&first.resolved)
            || std::mem::discriminant(&file.payload) != std::mem::discriminant(&first.payload)
        {
            return Err(differs(
                "the resolved scenario",
                &"one scenario",
                &"another",
            ));
        }
        if let Some((what, a, b)) = shape_difference(&first.payload, &file.payload) {
            return Err(differs(what, &a, &b));
        }
    }
    let n = first.shards;
    let have: Vec<u64> = group.iter().map(|(_, f)| f.shard).collect();
    if let Some(dup) = have.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::Invalid(format!(
            "shard {}/{n} of '{}' appears more than once in '{}'",
            dup[0],
            first.output,
            first_path
                .parent()
                .map_or_else(String::new, |p| p.display().to_string())
        )));
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !have.contains(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Invalid(format!(
            "'{}' of '{}' is missing shard(s) {}; run them with --shard K/{n}",
            first.output,
            first.scenario,
            missing.join(", ")
        )));
    }
    Ok(group.into_iter().map(|(_, f)| f).collect())
}

/// The resolved scenario without its first line, the comment naming the files it was read
/// from: the same scenario read from another folder (another working directory, another
/// machine) is the same scenario.
fn scenario_text(resolved: &str) -> &str {
    match resolved.split_once('\n') {
        Some((first, rest)) if first.starts_with("# scenario ") => rest,
        _ => resolved,
    }
}

/// What two payloads of the same command must agree on beyond the resolved scenario: a
/// sweep's keys and points, sensitivity's bins (they depend on `--bins`), the months of a
/// run. `None` when they agree; otherwise what differs and the two sides.
fn shape_difference(a: &Payload, b: &Payload) -> Option<(&'static str, String, String)> {
    match (a, b) {
        (Payload::Run(x), Payload::Run(y)) => (x.sum.len() != y.sum.len()).then(|| {
            (
                "the number of months",
                x.sum.len().to_string(),
                y.sum.len().to_string(),
            )
        }),
        (
            Payload::Sweep {
                keys: k1,
                points: p1,
                tallies: t1,
            },
            Payload::Sweep {
                keys: k2,
                points: p2,
                tallies: t2,
            },
        ) => (k1 != k2 || p1 != p2 || t1.len() != t2.len()).then(|| {
            let show = |points: &[Vec<f64>]| {
                let values: Vec<String> = points.iter().map(|p| format!("{p:?}")).collect();
                format!("{} points ({})", points.len(), values.join(" "))
            };
            ("the swept values (--param)", show(p1), show(p2))
        }),
        (
            Payload::Sensitivity {
                bins: b1,
                tally: t1,
            },
            Payload::Sensitivity {
                bins: b2,
                tally: t2,
            },
        ) => (b1 != b2 || t1.params.len() != t2.params.len()).then(|| {
            let count = |bins: &[crate::analysis::sensitivity::Bins]| {
                format!("{} bins", bins.first().map_or(0, |b| b.high.len()))
            };
            ("the sensitivity bins (--bins)", count(b1), count(b2))
        }),
        _ => Some(("the command", "one".into(), "another".into())),
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
