//! `treatysim sweep`: the same trials at every value of one or two parameters (common random
//! numbers, so curves are smooth and, where the model is monotone, exactly monotone).

use crate::cli::SweepArgs;
use crate::engine::{Accumulator, Engine, Tally, for_each_block};
use crate::error::{Error, Result};
use crate::export::{self, float};
use crate::model::{Estimator, Model};
use crate::scenario::{Catalog, Override};
use crate::shard::{self, Payload, ShardFile};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One swept parameter and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The parameter's full key (or `event.NAME.probability`).
    pub key: String,
    /// Its values, in the order given.
    pub values: Vec<f64>,
}

/// Decimal places written in `text` (`0.05` → 2), to undo floating-point drift in ranges.
fn decimals(text: &str) -> i32 {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    mantissa
        .split_once('.')
        .map_or(0, |(_, frac)| frac.len() as i32)
}

/// Parses `lo:hi:step` (inclusive of hi when a whole number of steps reaches it, to within a
/// millionth of a step) or `a,b,c`.
///
/// # Errors
/// A message saying what is accepted.
pub fn parse_values(text: &str) -> std::result::Result<Vec<f64>, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("\"{t}\" is not a finite number"))
    };
    let parts: Vec<&str> = text.split(':').collect();
    match parts[..] {
        [lo_text, hi_text, step_text] => {
            let (lo, hi, step) = (number(lo_text)?, number(hi_text)?, number(step_text)?);
            if step <= 0.0 || hi < lo {
                return Err(format!(
                    "\"{text}\": lo:hi:step needs lo <= hi and step > 0"
                ));
            }
            let steps = ((hi - lo) / step + 1e-6).floor();
            if steps > 100_000.0 {
                return Err(format!("\"{text}\" has more than 100000 points"));
            }
            let places = decimals(lo_text)
                .max(decimals(step_text))
                .max(decimals(hi_text));
            let scale = 10f64.powi(places.min(15));
            Ok((0..=steps as u64)
                .map(|k| ((lo + k as f64 * step) * scale).round() / scale)
                .collect())
        }
        [list] => list.split(',').map(number).collect(),
        _ => Err(format!("\"{text}\" is neither lo:hi:step nor a,b,c")),
    }
}

/// Parses `KEY=VALUES`; the key is checked against the scenario when it is loaded.
///
/// # Errors
/// Malformed values (exit 2).
pub fn parse_axis(arg: &str) -> Result<Axis> {
    let invalid = |m: String| Error::Invalid(format!("--param {arg}: {m}"));
    let (key, values) = arg.split_once('=').ok_or_else(|| {
        invalid("write KEY=VALUES, e.g. --param issue.security.concession=0:1:0.1".into())
    })?;
    let values = parse_values(values).map_err(invalid)?;
    Ok(Axis {
        key: key.trim().to_string(),
        values,
    })
}

/// Checks that an axis names something a sweep can vary in `scenario`: one of its parameters,
/// or an event's probability.
fn check_axis(axis: &Axis, scenario: &crate::scenario::Scenario) -> Result<()> {
    let is_event = axis
        .key
        .strip_prefix("event.")
        .and_then(|k| k.strip_suffix(".probability"))
        .is_some_and(|name| scenario.events.iter().any(|e| e.name == name));
    if is_event || scenario.cast.id(&axis.key).is_some() {
        return Ok(());
    }
    let why = crate::scenario::format_1_hint(&axis.key)
        .unwrap_or_else(|| scenario.cast.resolve(&axis.key).err().unwrap_or_default());
    Err(Error::Invalid(format!(
        "--param {}: {why}; an event's probability can be swept too, as event.NAME.probability",
        axis.key
    )))
}

/// Runs the sweep and writes `<out>/<scenario>/sweep-KEY[-KEY2].csv`.
pub fn sweep(catalog: &Catalog, args: &SweepArgs) -> Result<()> {
    let axes = args
        .params
        .iter()
        .map(|p| parse_axis(p))
        .collect::<Result<Vec<_>>>()?;
    if axes.len() > 2 || (axes.len() == 2 && axes[0].key == axes[1].key) {
        return Err(Error::Invalid(
            "sweep takes one or two different --param".into(),
        ));
    }
    let unswept = args.sim.load(catalog, &args.name)?;
    for axis in &axes {
        check_axis(axis, &unswept)?;
    }
    let points = grid(&axes);
    // Validate every point (domains) before simulating anything.
    let scenarios = points
        .iter()
        .map(|point| {
            let overrides: Vec<Override> = axes
                .iter()
                .zip(point)
                .map(|(axis, value)| Override {
                    key: axis.key.clone(),
                    value: format!("{value:?}"),
                    arg: format!("--param {}={value}", axis.key),
                })
                .collect();
            args.sim.load_with(catalog, &args.name, &overrides)
        })
        .collect::<Result<Vec<_>>>()?;
    let first = &scenarios[0];
    let sim = first.simulation;
    let models: Vec<Model> = scenarios.iter().map(Model::new).collect();
    let range = args
        .shard
        .map_or(0..sim.trials, |s| shard::range(s, sim.trials));
    let tallies = args
        .sim
        .in_pool(|| run_points(&models, sim.seed, args.sim.estimator, range))?;
    let keys: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    if let Some(shard) = args.shard {
        // The unswept scenario: every point's differs from it only in the swept keys.
        let output = format!("sweep-{}", keys.join("-"));
        let payload = Payload::Sweep {
            keys,
            points,
            tallies: tallies.0,
        };
        let file = ShardFile::new(output, &unswept, args.sim.estimator, shard, false, payload);
        let path = file.write(&args.sim.out)?;
        note!(
            "{}: sweep shard {}/{} -> {}",
            first.name,
            shard.index,
            shard.count,
            path.display()
        );
        return Ok(());
    }
    let path = write_sweep(
        &args.sim.out,
        &first.name,
        &keys,
        &points,
        &tallies.0,
        args.sim.estimator,
    )?;
    note!(
        "{}: swept {} over {} points, {} trials each, {} -> {}",
        first.name,
        keys.join(" × "),
        points.len(),
        sim.trials,
        args.sim.estimator.name(),
        path.display()
    );
    Ok(())
}

/// Writes `<out>/<scenario>/sweep-KEY[-KEY2].csv`; `merge` calls it too.
///
/// # Errors
/// I/O errors.
pub fn write_sweep(
    out: &Path,
    scenario: &str,
    keys: &[String],
    points: &[Vec<f64>],
    tallies: &[Tally],
    estimator: Estimator,
) -> Result<PathBuf> {
    let mut header = vec!["scenario"];
    header.extend(keys.iter().map(String::as_str));
    header.extend(["probability", "std_error", "ci95_low", "ci95_high"]);
    let rows = points.iter().zip(tallies).map(|(point, tally)| {
        let e = tally.estimate(estimator, tally.sum.len() - 1);
        let mut row = vec![scenario.to_string()];
        row.extend(point.iter().map(|v| float(*v)));
        row.extend([e.probability, e.std_error, e.ci95_low, e.ci95_high].map(float));
        row
    });
    let path = out
        .join(scenario)
        .join(format!("sweep-{}.csv", keys.join("-")));
    export::write_atomic(&path, &export::csv_bytes(&header, rows))?;
    Ok(path)
}

/// Every combination of the axes' values, the first axis varying slowest.
fn grid(axes: &[Axis]) -> Vec<Vec<f64>> {
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

/// One tally per sweep point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointTallies(pub Vec<Tally>);

impl Accumulator for PointTallies {
    fn merge(&mut self, other: PointTallies) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            a.merge(b);
        }
    }

    fn trials(&self) -> u64 {
        self.0.first().map_or(0, |t| t.trials)
    }
}

/// Runs every point's model on the same trials, block by block.
fn run_points(
    models: &[Model],
    seed: u64,
    estimator: Estimator,
    range: Range<u64>,
) -> Result<PointTallies> {
    let months = models[0].months();
    let bar = super::progress_bar("sweep", range.end - range.start);
    let engines: Vec<Engine<'_>> = models
        .iter()
        .map(|model| Engine {
            model,
            seed,
            estimator,
        })
        .collect();
    let result = for_each_block(
        range,
        || PointTallies(vec![Tally::new(months); models.len()]),
        |block, acc: &mut PointTallies, _| {
            for (engine, tally) in engines.iter().zip(&mut acc.0) {
                let sums = engine.tally_block(block.clone());
                tally.add_block(&sums);
            }
        },
        None,
        &|done| bar.set_position(done),
    );
    bar.finish_and_clear();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_inclusive_and_free_of_drift() {
        assert_eq!(
            parse_values("0:1:0.1").unwrap(),
            vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
        );
        assert_eq!(
            parse_values("0.05:0.35:0.1").unwrap(),
            vec![0.05, 0.15, 0.25, 0.35]
        );
        assert_eq!(parse_values("0:1:0.3").unwrap(), vec![0.0, 0.3, 0.6, 0.9]);
        assert_eq!(parse_values("0.2, 0.5,0.9").unwrap(), vec![0.2, 0.5, 0.9]);
        assert!(parse_values("1:0:0.1").is_err());
        assert!(parse_values("0:1:0").is_err());
        assert!(parse_values("0:1").is_err());
        assert!(parse_values("a,b").is_err());
    }

    #[test]
    fn grid_varies_the_first_axis_slowest() {
        let axes = [
            Axis {
                key: "party.japan.will".into(),
                values: vec![0.1, 0.2],
            },
            Axis {
                key: "party.russia.will".into(),
                values: vec![0.3, 0.4],
            },
        ];
        assert_eq!(
            grid(&axes),
            vec![
                vec![0.1, 0.3],
                vec![0.1, 0.4],
                vec![0.2, 0.3],
                vec![0.2, 0.4]
            ]
        );
    }
}
