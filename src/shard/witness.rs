//! The witness of a shard file (SPEC §9): a seeded sample of the shard's own trials, each with
//! its outcome, which `merge` simulates again from the shard's resolved scenario, seed and range
//! and compares bit for bit.
//!
//! The plain SHA-256 of a shard can be recomputed by anyone who edits it, so on its own it
//! catches damage, not forgery. The witness ties what a shard says it ran (resolved scenario,
//! seed, estimator, K/N of how many trials) to what those trials give: a shard whose seed was
//! changed, whose resolved scenario was edited (an event's probability), or which is another
//! shard's content relabelled, no longer matches its sampled trials and is refused.
//!
//! # What is sampled
//!
//! The range of shard K/N is cut into [`SAMPLED`] strata of equal length (every trial when the
//! range has fewer), and one trial is drawn from each, by a hash of the seed and the range's
//! start: the sampled trials are a function of (seed, range) alone, so `merge` knows which
//! trials a shard must have sampled, and a witness moved from another range or seed is refused
//! before anything is simulated. A sweep's shard samples a point for each of these trials too,
//! by the same hash. Each sampled trial records its outcome (the chance of a treaty by the
//! deadline: the last cumulative probability; for sensitivity, the outcome y_A) and a digest:
//! the first 16 hexadecimal digits of the SHA-256 of everything the trial computed (for `run`
//! and `sweep`: its draws, changes of leader, events, signing month and every month's
//! cumulative probability, as bits; for sensitivity: its one-trial tally of every Sobol and bin
//! sum). Trials are simulated through the engine's own entry points ([`Engine::for_each_trial`],
//! [`Study::tally`]), the same code that made the tallies.
//!
//! # What it does not guarantee
//!
//! The witness checks a sample, not the tallies (beyond a sensitivity shard's sums holding at
//! least what its sampled trials add, [`SensitivityTally::covers`]): a forger who changes the
//! tallies within their invariants and leaves the witness alone, or who simulates the sampled
//! trials of a changed shard honestly and writes their outcomes in, is not caught by it (only the HMAC of [`super::seal`] catches
//! that, with a key). An edit of the scenario that changes the outcome of a small share q of
//! trials escapes the 64 sampled trials with probability (1 − q)⁶⁴: about 0.2% for q = 10%,
//! 53% for q = 1%.

use super::rows::RowCheck;
use super::{Payload, ShardFile};
use crate::analysis::sensitivity::{Bins, SensitivityTally, Study};
use crate::engine::Accumulator;
use crate::engine::{Engine, RecordFormat, TrialRecord, check_interrupted, unfixed};
use crate::error::{Error, Result};
use crate::export::SampleFormat;
use crate::model::{Estimator, Model};
use crate::rng;
use crate::scenario::Scenario;
use crate::tally::decimals;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

/// Trials sampled from each shard's range.
pub const SAMPLED: u64 = 64;

/// Mixed into the seed to pick the sampled trials.
const WITNESS_STREAM: u64 = 0x3171_E55E_D5A3_F1E5;

/// Mixed into a sampled trial's pick to choose its sweep point.
const POINT_STREAM: u64 = 0x0B01_D7A1_5EED_F00D;

/// Hexadecimal digits of a trial's digest.
const DIGEST_DIGITS: usize = 16;

/// A shard's sampled trials and what each gave, in the order of the trials.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Witness {
    /// The sampled trials' indices ([`sampled_trials`]).
    #[serde(with = "decimals")]
    pub trials: Vec<u64>,
    /// A sweep's: the point each sampled trial was simulated at (its index in the points).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<usize>,
    /// Each sampled trial's outcome: its chance of a treaty by the deadline (sensitivity: the
    /// outcome y_A it decomposes).
    pub outcomes: Vec<f64>,
    /// The first 16 hexadecimal digits of the SHA-256 of everything each sampled trial
    /// computed.
    pub digests: Vec<String>,
}

/// The trials sampled from `range` under `seed`: one from each of [`SAMPLED`] strata of equal
/// length (every trial of a shorter range), in increasing order.
pub fn sampled_trials(seed: u64, range: Range<u64>) -> Vec<u64> {
    let len = range.end - range.start;
    let strata = len.min(SAMPLED);
    let bound =
        |j: u64| range.start + (u128::from(len) * u128::from(j) / u128::from(strata)) as u64;
    (0..strata)
        .map(|j| {
            let (lo, hi) = (bound(j), bound(j + 1));
            lo + pick(seed, range.start, j) % (hi - lo)
        })
        .collect()
}

/// The sweep point each of [`sampled_trials`]`(seed, range)` is simulated at, among `points`
/// points.
pub fn sampled_points(seed: u64, range: Range<u64>, points: usize) -> Vec<usize> {
    let count = sampled_trials(seed, range.clone()).len() as u64;
    (0..count)
        .map(|j| sampled_point(seed, range.start, j, points))
        .collect()
}

/// The hash that picks sampled trial `j` of the range starting at `start`.
fn pick(seed: u64, start: u64, j: u64) -> u64 {
    rng::mix(rng::trial_key(seed ^ WITNESS_STREAM, start) ^ rng::mix(j))
}

/// The sweep point of sampled trial `j` among `points` points.
fn sampled_point(seed: u64, start: u64, j: u64, points: usize) -> usize {
    (rng::mix(pick(seed, start, j) ^ POINT_STREAM) % points.max(1) as u64) as usize
}

/// Simulates sampled trials of one scenario: the models of its sweep points are compiled once
/// and kept, so that one resimulator serves every shard of a group.
pub struct Resimulator<'a> {
    scenario: &'a Scenario,
    resolved: &'a str,
    estimator: Estimator,
    model: Model,
    format: SampleFormat,
    points: BTreeMap<usize, Model>,
}

impl<'a> Resimulator<'a> {
    /// Simulates trials of `scenario` (whose resolved text is `resolved`: a sweep's points are
    /// that text with the swept keys set) under `estimator`.
    pub fn new(scenario: &'a Scenario, resolved: &'a str, estimator: Estimator) -> Self {
        let model = Model::new(scenario);
        Resimulator {
            scenario,
            resolved,
            estimator,
            format: SampleFormat::new(scenario, &model, estimator),
            model,
            points: BTreeMap::new(),
        }
    }

    /// The scenario it simulates.
    pub fn scenario(&self) -> &Scenario {
        self.scenario
    }

    /// The format of the scenario's `--samples` rows.
    pub fn format(&self) -> &SampleFormat {
        &self.format
    }

    /// The witness of a shard of `seed` over `range` whose tallies are `payload`.
    ///
    /// # Errors
    /// Interruption; a sweep point that is not a valid scenario (invalid input).
    pub fn witness(&mut self, seed: u64, range: Range<u64>, payload: &Payload) -> Result<Witness> {
        Ok(self.witness_and_sample(seed, range, payload)?.0)
    }

    /// [`Resimulator::witness`], with a sensitivity shard's sampled trials' one-trial tallies
    /// summed (`None` for other shards).
    fn witness_and_sample(
        &mut self,
        seed: u64,
        range: Range<u64>,
        payload: &Payload,
    ) -> Result<(Witness, Option<SensitivityTally>)> {
        let trials = sampled_trials(seed, range.clone());
        let mut sample = match payload {
            Payload::Sensitivity { bins, .. } => Some(SensitivityTally::new(bins)),
            _ => None,
        };
        let estimator = self.estimator;
        let mut witness = Witness {
            trials: trials.clone(),
            points: Vec::new(),
            outcomes: Vec::with_capacity(trials.len()),
            digests: Vec::with_capacity(trials.len()),
        };
        for (j, &trial) in trials.iter().enumerate() {
            let (outcome, digest) = match payload {
                Payload::Run(_) => simulate(&self.model, seed, estimator, trial),
                Payload::Sweep { keys, points, .. } => {
                    let point = sampled_point(seed, range.start, j as u64, points.len());
                    witness.points.push(point);
                    let values = points.get(point).map_or(&[][..], Vec::as_slice);
                    let model = self.point_model(point, keys, values)?;
                    simulate(model, seed, estimator, trial)
                }
                Payload::Sensitivity { bins, .. } => {
                    let (outcome, digest, tally) = self.study_trial(bins, seed, trial)?;
                    if let Some(sample) = &mut sample {
                        sample.merge(tally);
                    }
                    (outcome, digest)
                }
            };
            check_interrupted()?;
            witness.outcomes.push(outcome);
            witness.digests.push(digest);
        }
        Ok((witness, sample))
    }

    /// The compiled scenario of sweep point `point` (`keys` set to `values`).
    fn point_model(&mut self, point: usize, keys: &[String], values: &[f64]) -> Result<&Model> {
        if !self.points.contains_key(&point) {
            let axes: Vec<crate::analysis::sweep::Axis> = keys
                .iter()
                .map(|key| crate::analysis::sweep::Axis {
                    key: key.clone(),
                    values: Vec::new(),
                })
                .collect();
            let overrides = crate::analysis::sweep::point_overrides(&axes, values);
            let origin = format!("the resolved scenario of sweep point {}", point + 1);
            let scenario = crate::scenario::from_text(
                &self.scenario.name,
                Path::new(&origin),
                self.resolved,
                &overrides,
            )?;
            self.points.insert(point, Model::new(&scenario));
        }
        self.points
            .get(&point)
            .ok_or_else(|| Error::Invalid(format!("sweep point {} is missing", point + 1)))
    }

    /// Trial `trial` of a sensitivity study over `bins`: its outcome y_A, the digest of its
    /// one-trial tally, and that tally.
    fn study_trial(
        &self,
        bins: &[Bins],
        seed: u64,
        trial: u64,
    ) -> Result<(f64, String, SensitivityTally)> {
        let study = Study::new(&self.model, seed, self.estimator, bins);
        let tally = study.tally(trial..trial + 1, &|_| {})?;
        let text = toml::to_string(&tally).map_err(|e| Error::Io {
            context: "could not encode a sensitivity trial".into(),
            source: std::io::Error::other(e),
        })?;
        let outcome = unfixed(i128::try_from(tally.outcome).unwrap_or(i128::MAX));
        Ok((
            outcome,
            short_digest(&Sha256::digest(text.as_bytes())),
            tally,
        ))
    }

    /// Checks `file`'s witness: that it samples the trials its seed and range sample, and that
    /// they give what it records. `Ok(None)` when they do; otherwise what disagrees.
    ///
    /// # Errors
    /// Interruption; a sweep point that is not a valid scenario.
    pub fn check(&mut self, file: &ShardFile) -> Result<Option<String>> {
        let Some(witness) = &file.witness else {
            return Ok(Some(
                "it carries no witness (the sampled trials that merge simulates again to check \
                 a shard): it was written by treatysim 0.2 or earlier, or its [witness] was \
                 removed; rerun the shard with this version"
                    .into(),
            ));
        };
        let range = super::range(file.shard(), file.trials);
        let expected = sampled_trials(file.seed, range.clone());
        let n = witness.trials.len();
        let sweep = matches!(file.payload, Payload::Sweep { .. });
        if witness.outcomes.len() != n
            || witness.digests.len() != n
            || witness.points.len() != if sweep { n } else { 0 }
        {
            return Ok(Some(format!(
                "its witness lists {n} trials, {} outcomes, {} digests and {} points, which do \
                 not match",
                witness.outcomes.len(),
                witness.digests.len(),
                witness.points.len()
            )));
        }
        if witness.trials != expected {
            let at = (0..n.max(expected.len()))
                .find(|&i| witness.trials.get(i) != expected.get(i))
                .unwrap_or(0);
            return Ok(Some(format!(
                "its witness samples trial {} where seed {} and its range {}..{} sample trial \
                 {}: it was moved from another shard, seed or number of trials",
                show(witness.trials.get(at)),
                file.seed,
                range.start,
                range.end,
                show(expected.get(at))
            )));
        }
        let (fresh, sample) = match self.witness_and_sample(file.seed, range.clone(), &file.payload)
        {
            Ok(fresh) => fresh,
            Err(Error::Invalid(why)) => {
                return Ok(Some(format!(
                    "its sampled trials cannot be simulated again: {why}"
                )));
            }
            Err(e) => return Err(e),
        };
        if fresh.points != witness.points {
            return Ok(Some(format!(
                "its witness samples other sweep points than seed {} and its range {}..{} do",
                file.seed, range.start, range.end
            )));
        }
        for i in 0..n {
            let same = fresh.outcomes[i].to_bits() == witness.outcomes[i].to_bits()
                && fresh.digests[i] == witness.digests[i];
            if !same {
                let at = if sweep {
                    format!(" at sweep point {}", witness.points[i] + 1)
                } else {
                    String::new()
                };
                return Ok(Some(format!(
                    "simulating its trial {}{at} again from its resolved scenario, seed {} and \
                     the {} estimator gives outcome {} (digest {}), where the shard records {} \
                     (digest {}): its scenario, seed, estimator or range was changed after it \
                     was written, and its SHA-256 recomputed",
                    witness.trials[i],
                    file.seed,
                    file.estimator,
                    fresh.outcomes[i],
                    fresh.digests[i],
                    witness.outcomes[i],
                    witness.digests[i].escape_debug()
                )));
            }
        }
        // A sensitivity shard's sums hold at least what its sampled trials add.
        if let (Some(sample), Payload::Sensitivity { bins, tally }) = (sample, &file.payload)
            && let Err(what) = tally.covers(&sample, bins)
        {
            return Ok(Some(format!(
                "its tally under payload.sensitivity.tally does not hold its {n} sampled \
                     trials, simulated again: {what}"
            )));
        }
        Ok(None)
    }

    /// The rows of `file`'s `--samples` part that its sampled trials must have, simulated again:
    /// (row number within the part, from 0; the row as `samples.csv` writes it).
    pub fn sample_rows(&self, file: &ShardFile) -> Vec<Row> {
        let range = super::range(file.shard(), file.trials);
        let format = &self.format;
        let engine = Engine {
            model: &self.model,
            seed: file.seed,
            estimator: self.estimator,
        };
        sampled_trials(file.seed, range.clone())
            .into_iter()
            .map(|trial| {
                let mut row = Vec::new();
                engine.for_each_trial(trial..trial + 1, |record| format.format(&record, &mut row));
                (trial - range.start, row)
            })
            .collect()
    }
}

/// Trial `trial` of `model` under `seed` and `estimator`, through the engine: its outcome and
/// digest.
fn simulate(model: &Model, seed: u64, estimator: Estimator, trial: u64) -> (f64, String) {
    let engine = Engine {
        model,
        seed,
        estimator,
    };
    let mut result = (f64::NAN, String::new());
    engine.for_each_trial(trial..trial + 1, |record| {
        result = (
            record.cumulative.last().copied().unwrap_or(0.0),
            record_digest(&record),
        );
    });
    result
}

/// `Some(x)` as x, `None` as "none".
fn show(x: Option<&u64>) -> String {
    x.map_or_else(|| "none".into(), u64::to_string)
}

/// The digest of everything one trial computed.
fn record_digest(record: &TrialRecord<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(record.trial.to_le_bytes());
    for draw in record.draws {
        hasher.update(draw.to_bits().to_le_bytes());
    }
    for &month in record.exits.iter().chain(record.events) {
        hasher.update((month as u64).to_le_bytes());
    }
    hasher.update((record.signed_month.map_or(u64::MAX, |m| m as u64)).to_le_bytes());
    for c in record.cumulative {
        hasher.update(c.to_bits().to_le_bytes());
    }
    short_digest(&hasher.finalize())
}

/// The first [`DIGEST_DIGITS`] hexadecimal digits of a SHA-256.
fn short_digest(bytes: &[u8]) -> String {
    let mut hex = crate::digest::hex(bytes);
    hex.truncate(DIGEST_DIGITS);
    hex
}

/// A row of a samples part: its number within the part, from 0, and its bytes.
pub type Row = (u64, Vec<u8>);

/// What one pass over a CSV samples part found ([`scan_csv_part`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scan {
    /// Its SHA-256, in hexadecimal.
    pub sha256: String,
    /// The first of the expected rows whose line differs: its row number and (the start of)
    /// what the part holds there.
    pub differs: Option<Row>,
    /// The first row whose cells break the [`RowCheck`]: its row number, the column and what
    /// is wrong.
    pub broken: Option<(u64, (usize, String))>,
    /// Its number of lines (a last line without a line end counted).
    pub rows: u64,
}

/// Reads a CSV samples part once: its SHA-256, and the first of `rows` (row number, expected
/// bytes, in increasing order of row) whose line differs from what is expected, and with a
/// `check` the first row whose cells it refuses.
///
/// # Errors
/// I/O errors; interruption.
pub fn scan_csv_part(path: &Path, rows: &[Row], check: Option<&RowCheck>) -> Result<Scan> {
    use rayon::prelude::*;
    /// Bytes read at a time: each block's lines are checked in parallel while the next
    /// block's bytes are hashed.
    const BLOCK: usize = 1 << 20;
    let mut file = crate::guard::open_existing(path)?;
    let mut hasher = Sha256::new();
    // No row of a part is longer than this (a few dozen bytes a cell).
    let longest = check.map_or(usize::MAX, |c| 64 + 64 * c.columns());
    let mut scan = Scan::default();
    let mut next = 0usize;
    let mut buffer = vec![0u8; BLOCK];
    let mut block: Vec<u8> = Vec::new();
    let mut checking = check.is_some();
    loop {
        check_interrupted()?;
        let mut read = 0;
        while read < BLOCK {
            let n = file
                .read(&mut buffer[read..])
                .map_err(|e| Error::io("read", path, e))?;
            if n == 0 {
                break;
            }
            read += n;
        }
        let eof = read == 0;
        // The complete lines held so far (every byte at the end of the file).
        let cut = if eof {
            block.len()
        } else {
            block.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
        };
        let lines: Vec<&[u8]> = block[..cut].split_inclusive(|&b| b == b'\n').collect();
        while next < rows.len() && rows[next].0 < scan.rows + lines.len() as u64 {
            let (row, expected) = &rows[next];
            let line = lines[(row - scan.rows) as usize];
            if scan.differs.is_none() && line != expected.as_slice() {
                let shown = &line[..line.len().min(expected.len() + 1)];
                scan.differs = Some((*row, shown.to_vec()));
            }
            next += 1;
        }
        let first = scan.rows;
        let (_, broken) = rayon::join(
            || hasher.update(&buffer[..read]),
            || match check.filter(|_| checking) {
                Some(check) => lines.par_iter().enumerate().find_map_first(|(i, line)| {
                    let row = first + i as u64;
                    let verdict = if line.len() > longest {
                        Err((0, format!("the row is longer than {longest} bytes")))
                    } else {
                        check.csv_line(row, line)
                    };
                    verdict.err().map(|what| (row, what))
                }),
                None => None,
            },
        );
        scan.rows += lines.len() as u64;
        block.drain(..cut);
        if let Some(broken) = broken {
            scan.broken = Some(broken);
            checking = false;
        }
        if checking && block.len() > longest {
            scan.broken = Some((
                scan.rows,
                (0, format!("the row is longer than {longest} bytes")),
            ));
            checking = false;
        }
        if !checking {
            block.clear();
        }
        if eof {
            break;
        }
        block.extend_from_slice(&buffer[..read]);
    }
    if scan.differs.is_none() && next < rows.len() {
        scan.differs = Some((rows[next].0, Vec::new()));
    }
    scan.sha256 = crate::digest::hex(&hasher.finalize());
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampled_trials_lie_in_their_strata_and_depend_on_the_seed() {
        for range in [0..10_001u64, 3334..6667, 5..6, 0..64, 100..130] {
            let trials = sampled_trials(7, range.clone());
            let len = range.end - range.start;
            assert_eq!(trials.len() as u64, len.min(SAMPLED), "{range:?}");
            assert!(trials.windows(2).all(|w| w[0] < w[1]), "{range:?}");
            assert!(trials.iter().all(|t| range.contains(t)), "{range:?}");
        }
        assert_eq!(sampled_trials(7, 100..130), (100..130).collect::<Vec<_>>());
        assert_ne!(sampled_trials(7, 0..10_001), sampled_trials(8, 0..10_001));
        assert_ne!(sampled_trials(7, 0..10_001), sampled_trials(7, 1..10_002));
    }

    #[test]
    fn a_csv_part_is_scanned_for_its_rows() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("part.csv");
        std::fs::write(&path, "a,1\nbb,2\nccc,3\n").expect("write");
        let rows = |v: &[(u64, &str)]| -> Vec<(u64, Vec<u8>)> {
            v.iter().map(|(i, s)| (*i, s.as_bytes().to_vec())).collect()
        };
        let scan =
            scan_csv_part(&path, &rows(&[(0, "a,1\n"), (2, "ccc,3\n")]), None).expect("scan");
        assert_eq!(
            scan.sha256,
            crate::digest::sha256_hex(b"a,1\nbb,2\nccc,3\n")
        );
        assert_eq!((scan.differs, scan.rows), (None, 3));
        let scan = scan_csv_part(&path, &rows(&[(1, "bb,9\n")]), None).expect("scan");
        assert_eq!(scan.differs, Some((1, b"bb,2\n".to_vec())));
        let differs = scan_csv_part(&path, &rows(&[(3, "d,4\n")]), None)
            .expect("scan")
            .differs;
        assert_eq!(differs, Some((3, Vec::new())));
    }
}
