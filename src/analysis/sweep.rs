//! What a sweep's outputs are, known below the command that runs it: the keys it may vary, the
//! points it may hold and the file it writes. The `sweep` command and the shard files that carry
//! a sweep's tallies both check against these.

use crate::engine::{Accumulator, Engine, Tally, for_each_block};
use crate::error::{Error, Result};
use crate::export::float;
use crate::model::{Estimator, Model};
use std::ops::Range;

/// Most points one `--param`, or the grid of two, may have: a sweep holds a model of every
/// point and runs every trial at each.
pub const MAX_POINTS: u64 = 1_000_000;

/// Checks that `key` names something a sweep can vary in `scenario`: one of its parameters,
/// or an event's probability or hazard (`event.NAME.probability`, `event.NAME.hazard`: a
/// probability event swept by its hazard becomes a hazard event, SPEC §3). `merge` checks a sweep shard's keys
/// with it too.
///
/// # Errors
/// Invalid input naming the key and what can be swept.
pub fn check_key(key: &str, scenario: &crate::scenario::Scenario) -> Result<()> {
    let is_event = key
        .strip_prefix("event.")
        .and_then(|k| {
            k.strip_suffix(".probability")
                .or_else(|| k.strip_suffix(".hazard"))
        })
        .is_some_and(|name| scenario.events.iter().any(|e| e.name == name));
    if is_event || scenario.cast.id(key).is_some() {
        return Ok(());
    }
    let why = crate::scenario::format_1_hint(key)
        .unwrap_or_else(|| scenario.cast.resolve(key).err().unwrap_or_default());
    Err(Error::Invalid(format!(
        "--param {key}: {why}; an event's probability or hazard can be swept too, as event.NAME.probability or event.NAME.hazard"
    )))
}

/// Longest file name most file systems take, in bytes.
const MAX_FILE_NAME: usize = 255;

/// `name` with every character but ASCII letters, digits, `.`, `_` and `-` written `_`, so
/// that a shell takes the file name as one word unquoted (`event.peace talks.probability` →
/// `event.peace_talks.probability`). A name that had to change gets `-` and the first 8 hex
/// digits of the SHA-256 of the exact `keys` (joined by newlines) appended, so that two keys
/// that map alike (`a b`, `a_b`, `a'b`) never share a file. Keys that are already safe keep
/// their names (every parameter key is).
pub fn shell_safe(name: &str, keys: &[String]) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.chars().all(safe) {
        return name.to_string();
    }
    let mapped: String = name
        .chars()
        .map(|c| if safe(c) { c } else { '_' })
        .collect();
    let digest = crate::digest::sha256_hex(keys.join("\n").as_bytes());
    format!("{mapped}-{}", &digest[..8])
}

/// A sweep's output name, `sweep-KEY[-KEY2]` (its file is that `.csv`, its shards that
/// `-K-of-N.toml`), once the keys are known to make one file name inside the scenario's folder
/// (SPEC §7): an event's name may hold any character but a control one, and a `/` or `\` would
/// make a path of it. Checked before anything is simulated, and again for keys read from shard
/// files.
///
/// # Errors
/// [`Error::Invalid`] naming the key.
pub fn sweep_output(keys: &[String]) -> Result<String> {
    if let Some(key) = keys
        .iter()
        .find(|k| k.is_empty() || k.contains(['/', '\\']) || k.chars().any(char::is_control))
    {
        return Err(Error::Invalid(format!(
            "--param \"{}\": a sweep's file is named after its keys, and a file name cannot hold \
             '/', '\\' or a control character; rename the event",
            key.escape_debug()
        )));
    }
    let output = shell_safe(&format!("sweep-{}", keys.join("-")), keys);
    // The longest name written: a shard's, `-K-of-N.toml` with K and N up to 20 digits each.
    if output.len() + 50 > MAX_FILE_NAME {
        return Err(Error::Invalid(format!(
            "--param {}: a sweep's file is named after its keys, and these make a name of {} \
             bytes; file names hold at most {MAX_FILE_NAME}: sweep an event with a shorter name",
            keys.join(" --param "),
            output.len() + 4
        )));
    }
    Ok(output)
}

/// One swept parameter and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The parameter's full key (or `event.NAME.probability`).
    pub key: String,
    /// Its values, in the order given.
    pub values: Vec<f64>,
}

/// Every combination of the axes' values, the first axis varying slowest.
pub fn grid(axes: &[Axis]) -> Vec<Vec<f64>> {
    axes.iter().fold(vec![Vec::new()], |points, axis| {
        points
            .iter()
            .flat_map(|p| {
                axis.values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(*v);
                    q
                })
            })
            .collect()
    })
}

/// The overrides that make a point of the sweep: each axis's key set to the point's value
/// (written so that it parses back to the same bits).
pub fn point_overrides(axes: &[Axis], point: &[f64]) -> Vec<crate::scenario::Override> {
    axes.iter()
        .zip(point)
        .map(|(axis, value)| crate::scenario::Override {
            key: axis.key.clone(),
            value: format!("{value:?}"),
            arg: format!("--param {}={value}", axis.key),
        })
        .collect()
}

/// One tally per sweep point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointTallies(pub Vec<Tally>);

impl Accumulator for PointTallies {
    const ORDER_FREE: bool = true;

    fn merge(&mut self, other: PointTallies) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            a.merge(b);
        }
    }

    fn trials(&self) -> u64 {
        self.0.first().map_or(0, |t| t.trials)
    }
}

/// Runs every point's model on the same trials `range` (common random numbers), block by
/// block; `progress` gets the trials done.
///
/// # Errors
/// Interruption.
pub fn run_points(
    models: &[Model],
    seed: u64,
    estimator: Estimator,
    range: Range<u64>,
    progress: &dyn Fn(u64),
) -> Result<PointTallies> {
    let months = models[0].months();
    let engines: Vec<Engine<'_>> = models
        .iter()
        .map(|model| Engine {
            model,
            seed,
            estimator,
        })
        .collect();
    for_each_block(
        range,
        || PointTallies(vec![Tally::new(months); models.len()]),
        |block, acc: &mut PointTallies, _| {
            for (engine, tally) in engines.iter().zip(&mut acc.0) {
                let sums = engine.tally_block(block.clone());
                tally.add_block(&sums);
            }
        },
        None,
        progress,
    )
}

/// `sweep-KEY[-KEY2].csv`'s bytes: one row per point with its estimate by the deadline.
pub fn sweep_csv(
    scenario: &str,
    keys: &[String],
    points: &[Vec<f64>],
    tallies: &[Tally],
    seed: u64,
    estimator: Estimator,
) -> Vec<u8> {
    let mut header = vec!["scenario"];
    header.extend(keys.iter().map(String::as_str));
    header.extend([
        "trials",
        "seed",
        "estimator",
        "probability",
        "std_error",
        "ci95_low",
        "ci95_high",
    ]);
    let rows = points.iter().zip(tallies).map(|(point, tally)| {
        let e = tally.estimate(estimator, tally.sum.len() - 1);
        let mut row = vec![scenario.to_string()];
        row.extend(point.iter().map(|v| float(*v)));
        row.extend([
            tally.trials.to_string(),
            seed.to_string(),
            estimator.name().to_string(),
        ]);
        row.extend([e.probability, e.std_error, e.ci95_low, e.ci95_high].map(float));
        row
    });
    crate::export::csv_bytes(&header, rows)
}
