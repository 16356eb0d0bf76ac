//! `treatysim merge NAME`: combine shards into exactly the files the unsharded command writes.

use crate::cli::MergeArgs;
use crate::engine::{Accumulator, Tally};
use crate::error::{Error, Result};
use crate::export::{AtomicFile, RunSummary, SampleFormat};
use crate::model::Estimator;
use crate::shard::{self, Payload, ShardFile};
use std::path::Path;

/// Checks that every group of shards is complete and agrees, then writes each group's outputs.
/// Every group is checked before any is written, so a refused merge writes nothing.
pub fn merge(args: &MergeArgs) -> Result<()> {
    let groups = shard::collect(&args.out, &args.name)?;
    for group in &groups {
        check_group(&args.out, group)?;
    }
    for group in &groups {
        merge_group(&args.out, group)?;
    }
    Ok(())
}

/// What `merge_group` needs beyond `shard::collect`'s checks: each shard's tally holds exactly
/// the trials of its range, the estimator and window are readable, and every `--samples` part
/// is there.
fn check_group(out: &Path, group: &[ShardFile]) -> Result<()> {
    let first = &group[0];
    estimator(&first.estimator)?;
    resolved(first)?;
    for file in group {
        let shard = crate::cli::Shard {
            index: file.shard,
            count: file.shards,
        };
        let range = shard::range(shard, file.trials);
        let expected = range.end - range.start;
        let held: Vec<u64> = match &file.payload {
            Payload::Run(t) => vec![t.trials],
            Payload::Sweep { tallies, .. } => tallies.iter().map(|t| t.trials).collect(),
            Payload::Sensitivity { bins, tally } => {
                tally.check(bins).map_err(|e| {
                    Error::Invalid(format!(
                        "shard {}/{} of '{}' is not a sensitivity tally: {e}; rerun it",
                        file.shard, file.shards, file.output
                    ))
                })?;
                vec![tally.trials]
            }
        };
        if let Some(wrong) = held.iter().find(|t| **t != expected) {
            return Err(Error::Invalid(format!(
                "shard {}/{} of '{}' holds {wrong} trials, not the {expected} of its range; rerun it",
                file.shard, file.shards, file.output
            )));
        }
        if file.samples {
            let part = ShardFile::samples_path(out, &file.scenario, shard);
            if !part.is_file() {
                return Err(Error::Invalid(format!(
                    "shard {}/{} was run with --samples but '{}' is missing",
                    file.shard,
                    file.shards,
                    part.display()
                )));
            }
        }
    }
    Ok(())
}

fn estimator(name: &str) -> Result<Estimator> {
    match name {
        "conditional" => Ok(Estimator::Conditional),
        "indicator" => Ok(Estimator::Indicator),
        other => Err(Error::Invalid(format!(
            "shard has unknown estimator '{other}'"
        ))),
    }
}

/// The scenario a shard ran, as its resolved text states it.
fn resolved(file: &ShardFile) -> Result<crate::scenario::Scenario> {
    crate::scenario::from_resolved(
        &file.scenario,
        Path::new(&format!(
            "shard {}/{} of '{}'",
            file.shard, file.shards, file.scenario
        )),
        &file.resolved,
    )
}

fn merge_group(out: &Path, group: &[ShardFile]) -> Result<()> {
    let first = &group[0];
    let estimator = estimator(&first.estimator)?;
    let total: u64 = group
        .iter()
        .map(|f| match &f.payload {
            Payload::Run(t) => t.trials,
            Payload::Sweep { tallies, .. } => tallies.first().map_or(0, |t| t.trials),
            Payload::Sensitivity { tally, .. } => tally.trials,
        })
        .sum();
    if total != first.trials {
        return Err(Error::Invalid(format!(
            "the shards of '{}' hold {total} trials, not the {} of the run; rerun them",
            first.output, first.trials
        )));
    }
    match &first.payload {
        Payload::Run(tally) => {
            let mut sum = Tally::new(tally.sum.len());
            for file in group {
                if let Payload::Run(t) = &file.payload {
                    sum.merge(t.clone());
                }
            }
            let scenario = resolved(first)?;
            if first.samples {
                let model = crate::model::Model::new(&scenario);
                let format = SampleFormat::new(&scenario, &model, estimator);
                merge_samples(out, group, &format)?;
            }
            let run = RunSummary {
                scenario: first.scenario.clone(),
                estimator,
                seed: first.seed,
                start: scenario.simulation.start,
                deadline: scenario.simulation.deadline,
                tally: sum,
            };
            super::run::write_outputs(out, &run)?;
            note!("{}: merged {} shards", first.scenario, group.len());
            super::run::report(&run, None, out);
        }
        Payload::Sweep {
            keys,
            points,
            tallies,
        } => {
            let mut sums = tallies
                .iter()
                .map(|t| Tally::new(t.sum.len()))
                .collect::<Vec<_>>();
            for file in group {
                if let Payload::Sweep { tallies, .. } = &file.payload {
                    for (a, b) in sums.iter_mut().zip(tallies) {
                        a.merge(b.clone());
                    }
                }
            }
            let path =
                super::sweep::write_sweep(out, &first.scenario, keys, points, &sums, estimator)?;
            note!(
                "{}: merged {} sweep shards -> {}",
                first.scenario,
                group.len(),
                path.display()
            );
        }
        Payload::Sensitivity { bins, tally } => {
            let mut sum = tally.clone();
            for file in &group[1..] {
                if let Payload::Sensitivity { tally, .. } = &file.payload {
                    sum.merge(tally.clone());
                }
            }
            let run = super::sensitivity::Run {
                scenario: &first.scenario,
                trials: first.trials,
                seed: first.seed,
                estimator,
            };
            let summary = super::sensitivity::write(out, run, &sum, bins)?;
            super::sensitivity::report(run, &summary, out);
        }
    }
    Ok(())
}

/// Concatenates the shards' sample rows under one header into `samples.csv`.
fn merge_samples(out: &Path, group: &[ShardFile], format: &SampleFormat) -> Result<()> {
    let path = out.join(&group[0].scenario).join("samples.csv");
    let mut file = AtomicFile::create(&path)?;
    file.write_all(format.header().as_bytes())
        .map_err(|e| Error::io("write", &path, e))?;
    for shard in group {
        let part = ShardFile::samples_path(
            out,
            &shard.scenario,
            crate::cli::Shard {
                index: shard.shard,
                count: shard.shards,
            },
        );
        let mut reader = std::fs::File::open(&part).map_err(|_| {
            Error::Invalid(format!(
                "shard {}/{} was run with --samples but '{}' is missing",
                shard.shard,
                shard.shards,
                part.display()
            ))
        })?;
        file.copy_from(&mut reader)
            .map_err(|e| Error::io("copy samples from", &part, e))?;
    }
    file.commit()
}
