//! `merge` (SPEC §9): a scenario's shards checked as a whole and combined into exactly what
//! the unsharded command gives. [`merge`] reads and merges, writing nothing; [`write_merged`]
//! publishes one merged output's files, as `treatysim merge` writes them.

use super::{RunResult, SensitivityResult, SweepResult, write_sensitivity, write_sweep};
use crate::analysis::sensitivity::Summary;
use crate::engine::{Accumulator, Tally};
use crate::error::{Error, Result};
use crate::export::parquet_file::Encoder;
use crate::export::{self, AtomicFile, RunSummary, SampleFormat, SamplesFormat};
use crate::options::Shard;
use crate::shard::{self, Group, HashingReader, Payload, ShardFile};
use std::path::{Path, PathBuf};

/// Where the shards to merge are.
#[derive(Clone, Debug)]
pub enum Shards {
    /// Every shard file in `<out>/<name>/shards/`, as `treatysim merge NAME --out OUT` reads
    /// them, grouped by output (a run, each sweep, a sensitivity study); their merged files go
    /// into `out` ([`write_merged`]).
    Folder {
        /// The output folder.
        out: PathBuf,
        /// The scenario (or `--as` label) whose shards to merge.
        name: String,
    },
    /// The texts of one output's shard files, held in memory (the Python package's Dask runs),
    /// each with the name messages give it.
    Texts(Vec<(String, String)>),
}

/// What to merge, and the key the shards must be signed with.
#[derive(Clone, Debug)]
pub struct MergeOptions {
    /// The shards.
    pub shards: Shards,
    /// Refuse any shard without a valid HMAC under the key in this file (its bytes, trailing
    /// line ends dropped), as `--key-file` does. Without it, the shards (in a folder or held
    /// as texts) are checked against `TREATYSIM_SHARD_KEY` when that is set, as `treatysim
    /// merge` checks them.
    pub key_file: Option<PathBuf>,
}

/// One output's shards, merged: what [`write_merged`] publishes.
#[derive(Clone, Debug)]
pub struct Merged {
    /// How many shards were merged.
    pub shards: usize,
    /// The output's name in its shards: `run`, `sweep-KEY[-KEY2]` or `sensitivity`.
    pub output_name: String,
    /// What produced the merged files, for `run.toml`: this process's command line and the
    /// shards' record.
    pub record: export::Record,
    /// The first shard's command line, recorded in `run.toml` as `shard_command`.
    pub shard_command: Vec<String>,
    /// The merged result.
    pub output: MergedOutput,
    /// A run's samples parts (`--samples`), concatenated when it is written.
    pub samples: Option<(SamplesFormat, Vec<SamplesPart>)>,
}

/// A merged output: exactly the unsharded command's result.
#[derive(Clone, Debug)]
pub enum MergedOutput {
    /// A run's.
    Run(RunResult),
    /// A sweep's.
    Sweep(SweepResult),
    /// A sensitivity study's.
    Sensitivity(SensitivityResult),
}

/// A shard's samples part, with the checksum its shard file states for it.
#[derive(Clone, Debug)]
pub struct SamplesPart {
    /// `<out>/NAME/shards/samples-K-of-N.csv` or `.parquet`.
    pub path: PathBuf,
    /// Its SHA-256, as the shard file states it.
    pub sha256: Option<String>,
    /// K/N of its shard.
    pub shard: Shard,
}

/// What [`write_merged`] wrote, with the merged result, for the front end's report.
#[derive(Clone, Debug)]
pub enum Written<'a> {
    /// A run's files in `<out>/NAME/` and its row of `<out>/summary.csv`.
    Run(&'a RunResult),
    /// A sweep's file, at this path.
    Sweep(&'a SweepResult, PathBuf),
    /// `sensitivity.csv` and `sensitivity_bins.csv`, with the indices they hold.
    Sensitivity(&'a SensitivityResult, Summary),
}

/// Reads and checks the shards ([`shard::collect`] for a folder, [`shard::check_group`] for
/// texts: checksums, HMACs, invariants, completeness, agreement, samples parts) and merges
/// every output's tallies. Nothing is written; for a folder, every check that writing would
/// make (the folders the merged files replace) is made too, so a refused merge writes nothing.
///
/// # Errors
/// Invalid input naming the shard and what is wrong, as `treatysim merge` says it; I/O errors.
pub fn merge(options: &MergeOptions) -> Result<Vec<Merged>> {
    match &options.shards {
        Shards::Folder { out, name } => {
            export::publish::folder_path(out, name)?;
            let key = shard::seal::ShardKey::find(options.key_file.as_deref())?;
            let groups = shard::collect(out, name, key.as_ref())?;
            for group in &groups {
                if let Payload::Sweep { keys, .. } = &group.files[0].payload {
                    crate::analysis::sweep::sweep_output(keys)?;
                }
            }
            // What the merged files will replace: a run's also the root summary.
            if groups
                .iter()
                .any(|g| matches!(g.files[0].payload, Payload::Run(_)))
            {
                export::check_outputs(out, &[name])?;
            } else {
                export::check_scenario_folder(out, name)?;
            }
            Ok(groups
                .into_iter()
                .map(|group| merge_group(out, group))
                .collect())
        }
        Shards::Texts(texts) => {
            let key = shard::seal::ShardKey::find(options.key_file.as_deref())?;
            let files = texts
                .iter()
                .map(|(name, text)| {
                    let path = PathBuf::from(name);
                    let file = ShardFile::parse_keyed(&path, text, key.as_ref())?;
                    Ok((path, file))
                })
                .collect::<Result<Vec<_>>>()?;
            let group = shard::check_group(Path::new("."), files)?;
            Ok(vec![merge_group(Path::new("."), group)])
        }
    }
}

/// Merges a complete set of a run's shard files (in any order) into the run they split,
/// after the checks `treatysim merge` makes ([`shard::check_group`]): the result equals the
/// unsharded run's exactly. `names` name the shards in messages.
///
/// # Errors
/// Invalid input: shards that disagree, are missing or duplicated, or whose tallies break
/// their invariants; shards of something other than a run.
pub fn merge_runs(shards: Vec<(PathBuf, ShardFile)>) -> Result<RunResult> {
    let group = shard::check_group(Path::new("."), shards)?;
    merge_group(Path::new("."), group).into_run()
}

impl Merged {
    /// The merged run, or an error naming the output when the shards were not a run's.
    ///
    /// # Errors
    /// Invalid input for a sweep's or a sensitivity study's shards.
    pub fn into_run(self) -> Result<RunResult> {
        match self.output {
            MergedOutput::Run(run) => Ok(run),
            MergedOutput::Sweep(_) | MergedOutput::Sensitivity(_) => Err(Error::Invalid(format!(
                "'{}' is not a run's shard",
                self.output_name
            ))),
        }
    }
}

/// One checked group's tallies summed, with what writing them needs; `out` holds its samples
/// parts.
fn merge_group(out: &Path, group: Group) -> Merged {
    let Group {
        files,
        scenario,
        estimator,
    } = group;
    let first = &files[0];
    // The scenario as the shards ran it, named as they name it.
    let mut scenario = scenario;
    scenario.name = first.scenario.clone();
    scenario.origin = first.origin().to_string();
    scenario.simulation.trials = first.trials;
    scenario.simulation.seed = first.seed;
    let mut samples = None;
    let (output, trials) = match &first.payload {
        Payload::Run(tally) => {
            let mut sum = Tally::new(tally.sum.len());
            for file in &files {
                if let Payload::Run(t) = &file.payload {
                    sum.merge(t.clone());
                }
            }
            if first.samples {
                let parts = files
                    .iter()
                    .map(|file| SamplesPart {
                        path: file.samples_part(out),
                        sha256: file.samples_sha256.clone(),
                        shard: file.shard(),
                    })
                    .collect();
                samples = Some((first.samples_format, parts));
            }
            let trials = sum.trials;
            let run = RunResult {
                summary: RunSummary {
                    scenario: first.scenario.clone(),
                    estimator,
                    seed: first.seed,
                    start: scenario.simulation.start,
                    deadline: scenario.simulation.deadline,
                    overrides: first.overrides.clone(),
                    tally: sum,
                    timeline: None,
                },
                overrides: first.overrides.clone(),
                resolved: first.resolved.clone(),
                scenario,
                samples: None,
            };
            (MergedOutput::Run(run), trials)
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
            for file in &files {
                if let Payload::Sweep { tallies, .. } = &file.payload {
                    for (a, b) in sums.iter_mut().zip(tallies) {
                        a.merge(b.clone());
                    }
                }
            }
            let sweep = SweepResult {
                scenario: first.scenario.clone(),
                keys: keys.clone(),
                points: points.clone(),
                tallies: sums,
                seed: first.seed,
                estimator,
            };
            (MergedOutput::Sweep(sweep), first.trials)
        }
        Payload::Sensitivity { bins, tally } => {
            let mut sum = tally.clone();
            for file in &files[1..] {
                if let Payload::Sensitivity { tally, .. } = &file.payload {
                    sum.merge(tally.clone());
                }
            }
            let study = SensitivityResult {
                scenario,
                estimator,
                tally: sum,
                bins: bins.clone(),
            };
            (MergedOutput::Sensitivity(study), first.trials)
        }
    };
    Merged {
        shards: files.len(),
        output_name: first.output.clone(),
        record: first.record(trials),
        shard_command: first.command.clone(),
        output,
        samples,
    }
}

/// Publishes one merged output into `out`, exactly as the unsharded command writes it, with
/// the shards' record and the first shard's command line in `run.toml`; a run's samples
/// parts are concatenated (`samples.csv` under one header, `samples.parquet` regrouped),
/// each part's checksum checked again as it is read.
///
/// # Errors
/// Invalid input for a samples part missing or changed since [`merge`] checked it; I/O
/// errors.
pub fn write_merged<'a>(out: &Path, merged: &'a Merged) -> Result<Written<'a>> {
    let record = merged.record.clone();
    let shard_command = merged.shard_command.clone();
    match &merged.output {
        MergedOutput::Run(run) => {
            let samples = match &merged.samples {
                Some((kind, parts)) => {
                    let model = crate::model::Model::new(&run.scenario);
                    let format = SampleFormat::new(&run.scenario, &model, run.summary.estimator);
                    let path = out.join(&run.summary.scenario).join(kind.file_name());
                    Some((*kind, merge_samples(parts, &format, *kind, &path)?))
                }
                None => None,
            };
            export::publish_run(out, &run.summary, record, shard_command, samples)?;
            Ok(Written::Run(run))
        }
        MergedOutput::Sweep(sweep) => {
            let path = write_sweep(out, sweep, record, shard_command)?;
            Ok(Written::Sweep(sweep, path))
        }
        MergedOutput::Sensitivity(study) => {
            let summary = write_sensitivity(out, study, record, shard_command)?;
            Ok(Written::Sensitivity(study, summary))
        }
    }
}

/// Concatenates the shards' sample rows into a temporary file at `path`, to become
/// `samples.csv` (under one header) or `samples.parquet` (read back and regrouped: the
/// unsharded run's bytes) when the run is published, checking each part's checksum again as
/// it is read (a part replaced since [`shard::collect`] checked it leaves the samples file as
/// it was).
fn merge_samples(
    parts: &[SamplesPart],
    format: &SampleFormat,
    kind: SamplesFormat,
    path: &Path,
) -> Result<AtomicFile> {
    if kind == SamplesFormat::Parquet {
        return merge_parquet(parts, format, path);
    }
    let mut file = AtomicFile::create(path)?;
    file.write_all(format.header().as_bytes())
        .map_err(|e| Error::io("write", path, e))?;
    for part in parts {
        let mut reader = HashingReader::new(open_part(part)?);
        file.copy_from(&mut reader)
            .map_err(|e| Error::io("copy samples from", &part.path, e))?;
        check_unchanged(part, &reader.hex())?;
    }
    Ok(file)
}

/// A shard's samples part, opened.
fn open_part(part: &SamplesPart) -> Result<std::fs::File> {
    crate::export::guard::open_regular(&part.path)?.ok_or_else(|| {
        Error::Invalid(format!(
            "shard {}/{} was run with --samples but '{}' is missing",
            part.shard.index,
            part.shard.count,
            part.path.display()
        ))
    })
}

/// Refuses a part whose bytes as read (`hex`) are not those its shard file states.
fn check_unchanged(part: &SamplesPart, hex: &str) -> Result<()> {
    if Some(hex) != part.sha256.as_deref() {
        return Err(Error::Invalid(format!(
            "the samples part '{}' changed while it was merged; nothing was written from it",
            part.path.display()
        )));
    }
    Ok(())
}

/// `samples.parquet` from the shards' parts: each part's checksum checked on the open file,
/// then its rows read back and written through one [`Encoder`].
fn merge_parquet(parts: &[SamplesPart], format: &SampleFormat, path: &Path) -> Result<AtomicFile> {
    let mut writer = Encoder::create(path, format)?;
    for part in parts {
        let mut file = open_part(part)?;
        let mut reader = HashingReader::new(&mut file);
        std::io::copy(&mut reader, &mut std::io::sink())
            .map_err(|e| Error::io("read", &part.path, e))?;
        check_unchanged(part, &reader.hex())?;
        writer.append_part(file, &part.path)?;
    }
    writer.finish()
}
