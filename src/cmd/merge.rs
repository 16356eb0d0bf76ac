//! `treatysim merge NAME`: combine shards into exactly the files the unsharded command writes.

use crate::cli::MergeArgs;
use crate::engine::{Accumulator, Tally};
use crate::error::{Error, Result};
use crate::export::parquet_file::Encoder;
use crate::export::{AtomicFile, RunSummary, SampleFormat, SamplesFormat};
use crate::shard::{self, Group, HashingReader, Payload, ShardFile};
use std::path::Path;

/// Checks every group of shards ([`shard::collect`]: checksums, invariants, completeness,
/// agreement, samples parts), then writes each group's outputs. Every group is checked before
/// any is written, so a refused merge writes nothing.
pub fn merge(args: &MergeArgs) -> Result<()> {
    crate::export::publish::folder_path(&args.out, &args.name)?;
    let key = shard::seal::ShardKey::find(args.key_file.as_deref())?;
    let groups = shard::collect(&args.out, &args.name, key.as_ref())?;
    for group in &groups {
        if let Payload::Sweep { keys, .. } = &group.files[0].payload {
            super::sweep::sweep_output(keys)?;
        }
    }
    // What the merged files will replace: a run's also the root summary.
    if groups
        .iter()
        .any(|g| matches!(g.files[0].payload, Payload::Run(_)))
    {
        crate::export::check_outputs(&args.out, &[&args.name])?;
    } else {
        crate::export::check_scenario_folder(&args.out, &args.name)?;
    }
    for group in &groups {
        merge_group(&args.out, group)?;
    }
    Ok(())
}

fn merge_group(out: &Path, group: &Group) -> Result<()> {
    let first = &group.files[0];
    let estimator = group.estimator;
    let scenario = &group.scenario;
    match &first.payload {
        Payload::Run(tally) => {
            let mut sum = Tally::new(tally.sum.len());
            for file in &group.files {
                if let Payload::Run(t) = &file.payload {
                    sum.merge(t.clone());
                }
            }
            let samples = if first.samples {
                let model = crate::model::Model::new(scenario);
                let format = SampleFormat::new(scenario, &model, estimator);
                let kind = first.samples_format;
                Some((kind, merge_samples(out, &group.files, &format, kind)?))
            } else {
                None
            };
            let run = RunSummary {
                scenario: first.scenario.clone(),
                estimator,
                seed: first.seed,
                start: scenario.simulation.start,
                deadline: scenario.simulation.deadline,
                overrides: first.overrides.clone(),
                tally: sum,
                timeline: None,
            };
            let record = first.record(run.tally.trials);
            super::run::write_outputs(out, &run, record, first.command.clone(), samples)?;
            note!("{}: merged {} shards", first.scenario, group.files.len());
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
            for file in &group.files {
                if let Payload::Sweep { tallies, .. } = &file.payload {
                    for (a, b) in sums.iter_mut().zip(tallies) {
                        a.merge(b.clone());
                    }
                }
            }
            let provenance = (first.record(first.trials), first.command.clone());
            let path = super::sweep::write_sweep(
                out,
                &first.scenario,
                keys,
                points,
                &sums,
                first.seed,
                estimator,
                provenance,
            )?;
            note!(
                "{}: merged {} sweep shards -> {}",
                first.scenario,
                group.files.len(),
                path.display()
            );
        }
        Payload::Sensitivity { bins, tally } => {
            let mut sum = tally.clone();
            for file in &group.files[1..] {
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
            let provenance = (first.record(first.trials), first.command.clone());
            let summary = super::sensitivity::write(out, run, &sum, bins, provenance)?;
            super::sensitivity::report(run, &summary, out);
        }
    }
    Ok(())
}

/// Concatenates the shards' sample rows into a temporary file, to become `samples.csv` (under
/// one header) or `samples.parquet` (read back and regrouped: the unsharded run's bytes) when
/// the run is published, checking each part's checksum again as it is read (a part replaced
/// since [`shard::collect`] checked it leaves the samples file as it was).
fn merge_samples(
    out: &Path,
    group: &[ShardFile],
    format: &SampleFormat,
    kind: SamplesFormat,
) -> Result<AtomicFile> {
    let path = out.join(&group[0].scenario).join(kind.file_name());
    if kind == SamplesFormat::Parquet {
        return merge_parquet(out, group, format, &path);
    }
    let mut file = AtomicFile::create(&path)?;
    file.write_all(format.header().as_bytes())
        .map_err(|e| Error::io("write", &path, e))?;
    for shard in group {
        let part = shard.samples_part(out);
        let mut reader = HashingReader::new(open_part(shard, &part)?);
        file.copy_from(&mut reader)
            .map_err(|e| Error::io("copy samples from", &part, e))?;
        if Some(reader.hex().as_str()) != shard.samples_sha256.as_deref() {
            return Err(Error::Invalid(format!(
                "the samples part '{}' changed while it was merged; nothing was written from it",
                part.display()
            )));
        }
    }
    Ok(file)
}

/// A shard's samples part, opened.
fn open_part(shard: &ShardFile, part: &Path) -> Result<std::fs::File> {
    crate::export::guard::open_regular(part)?.ok_or_else(|| {
        Error::Invalid(format!(
            "shard {}/{} was run with --samples but '{}' is missing",
            shard.shard,
            shard.shards,
            part.display()
        ))
    })
}

/// `samples.parquet` from the shards' parts: each part's checksum checked on the open file,
/// then its rows read back and written through one [`Encoder`].
fn merge_parquet(
    out: &Path,
    group: &[ShardFile],
    format: &SampleFormat,
    path: &Path,
) -> Result<AtomicFile> {
    let mut writer = Encoder::create(path, format)?;
    for shard in group {
        let part = shard.samples_part(out);
        let mut file = open_part(shard, &part)?;
        let mut reader = HashingReader::new(&mut file);
        std::io::copy(&mut reader, &mut std::io::sink())
            .map_err(|e| Error::io("read", &part, e))?;
        if Some(reader.hex().as_str()) != shard.samples_sha256.as_deref() {
            return Err(Error::Invalid(format!(
                "the samples part '{}' changed while it was merged; nothing was written from it",
                part.display()
            )));
        }
        writer.append_part(file, &part)?;
    }
    writer.finish()
}
