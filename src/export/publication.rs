//! A run's, a pool's or an analysis's files published into `<out>/NAME/` with their `run.toml`,
//! and a run's row of `<out>/summary.csv`.

use super::{
    AtomicFile, Content, OutLock, Output, Record, RunSummary, RunToml, SamplesFormat,
    critical_section, prepare_summary, publish,
};
use crate::error::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// Publishes a finished run (SPEC §6, §7), under the lock on `--out` and in the
/// [`critical_section`]: prepares `<out>/summary.csv` ([`prepare_summary`]: every check, and
/// the new file flushed to disk), writes the run's files into a new version of `<out>/NAME/`
/// ([`publish::stage`]), publishes them all at once, then renames the root summary into place.
/// `samples` is the run's `samples.csv` or `samples.parquet`, already written to a temporary
/// file in `<out>/NAME/` (a run without it removes the samples file of the run before);
/// `record` (and, for merged shards, `shard_command`) go into its `run.toml`.
///
/// Until the folder is published nothing a reader sees has changed, and an error or an
/// interruption leaves everything as it was. A process killed between the folder and the root
/// file leaves the root row behind; the next `run` or `merge` into `--out` brings it up to
/// date ([`prepare_summary`]).
///
/// # Errors
/// [`Error::Interrupted`](crate::error::Error::Interrupted), [`Error::Invalid`](crate::error::Error::Invalid) for output files that are not treatysim's, I/O
/// errors.
pub fn publish_run(
    out: &Path,
    run: &RunSummary,
    record: Record,
    shard_command: Vec<String>,
    samples: Option<(SamplesFormat, AtomicFile)>,
) -> Result<()> {
    let mut files = vec![("timeline.csv".into(), Content::Bytes(run.timeline_csv()))];
    if let Some((kind, samples)) = samples {
        files.push((
            kind.file_name().to_string(),
            Content::File(Box::new(samples)),
        ));
    }
    publish_with(out, run, record, shard_command, files)
}

/// Publishes a pool (SPEC §8) as [`publish_run`] publishes a run: its `pool.csv` with the
/// chosen method's `summary.csv` and `timeline.csv` and `run.toml`, all at once, and its row of
/// `<out>/summary.csv`.
///
/// # Errors
/// As [`publish_run`].
/// A pool with a direct forecast among its members has no `timeline.csv` (`timeline` false).
pub fn publish_pool(
    out: &Path,
    run: &RunSummary,
    record: Record,
    pool_csv: Vec<u8>,
    timeline: bool,
) -> Result<()> {
    let mut files = vec![("pool.csv".into(), Content::Bytes(pool_csv))];
    if timeline {
        files.push(("timeline.csv".into(), Content::Bytes(run.timeline_csv())));
    }
    publish_with(out, run, record, Vec::new(), files)
}

/// [`publish_run`] with `files` besides the run's summary and timeline.
fn publish_with(
    out: &Path,
    run: &RunSummary,
    record: Record,
    shard_command: Vec<String>,
    mut files: Vec<(String, Content)>,
) -> Result<()> {
    // Streamed files (samples, gigabytes) are hashed for run.toml before the critical section,
    // which a signal must never wait long for (SPEC §7: stop within a second).
    for (_, content) in &mut files {
        if let Content::File(temp) = content {
            temp.sha256()?;
        }
    }
    crate::engine::check_interrupted()?;
    let lock = OutLock::acquire(out)?;
    let _critical = critical_section();
    let root = prepare_summary(&lock, std::slice::from_ref(run))?;
    files.push(("summary.csv".into(), Content::Bytes(run.summary_csv())));
    let publication = Publication {
        name: run.scenario.clone(),
        files,
        output: None,
        record,
        shard_command,
    };
    let staged = stage_publication(&lock, publication)?;
    crate::engine::check_interrupted()?;
    let published = staged.publish()?;
    root.commit()?;
    published.tidy(&lock);
    Ok(())
}

/// Files to publish together into `<out>/NAME/`, with `run.toml`.
pub struct Publication {
    /// NAME: the folder (scenario name or `--as` label).
    pub name: String,
    /// The files, by name.
    pub files: Vec<(String, Content)>,
    /// `None` for a plain run (its files replace [`publish::RUN_FILES`]); the output's name
    /// (`sweep-KEY`, `sensitivity`) for an analysis, which replaces only its own files.
    pub output: Option<String>,
    /// What produced the files.
    pub record: Record,
    /// For merged shards, the first shard's command line; empty otherwise.
    pub shard_command: Vec<String>,
}

/// Publishes an analysis's files into `<out>/NAME/` with `run.toml`, under the lock on `out`
/// and in the [`critical_section`] (SPEC §7): the folder's other files stay.
///
/// # Errors
/// [`Error::Interrupted`](crate::error::Error::Interrupted), [`Error::Invalid`](crate::error::Error::Invalid) when the folder cannot take the files, I/O
/// errors; nothing a reader sees has changed then.
pub fn publish_analysis(out: &Path, publication: Publication) -> Result<()> {
    crate::engine::check_interrupted()?;
    let lock = OutLock::acquire(out)?;
    let _critical = critical_section();
    // Stale root rows (a run killed between its two renames) agree with their folders again.
    super::repair_summary(&lock)?;
    let staged = stage_publication(&lock, publication)?;
    crate::engine::check_interrupted()?;
    staged.publish()?.tidy(&lock);
    Ok(())
}

/// Steps 1-3 of a publication ([`publish::stage`]) with `run.toml`: the folder's current
/// `run.toml` updated with this publication's record, and every file's SHA-256.
fn stage_publication(lock: &OutLock, publication: Publication) -> Result<publish::Staged> {
    let Publication {
        name,
        mut files,
        output,
        record,
        shard_command,
    } = publication;
    let names: Vec<String> = files.iter().map(|(f, _)| f.clone()).collect();
    // A run.toml that cannot be read is replaced by one that describes what is there.
    let folder = publish::folder_path(lock.out(), &name)?;
    let version = super::RunFolder::resolve(&folder)?;
    let current = RunToml::read(&version.path(publish::RUN_TOML))
        .ok()
        .flatten();
    // Plain files the current run.toml lists (a folder of plain files) are converted too, to
    // be carried over.
    let mut convert: Vec<&str> = names.iter().map(String::as_str).collect();
    if let Some(current) = &current {
        convert.extend(current.files.keys().map(String::as_str));
    }
    let convert: Vec<&str> = convert
        .into_iter()
        .filter(|f| crate::scenario::valid_file_name(f))
        .collect();
    publish::prepare(lock, &name, &convert)?;
    let mut toml = current.unwrap_or_else(|| RunToml::new(&name));
    let replaced = |f: &str| {
        f == publish::RUN_TOML
            || names.iter().any(|n| n == f)
            || (output.is_none() && publish::RUN_FILES.contains(&f))
    };
    let carry: Vec<String> = publish::current_files(&folder)
        .into_iter()
        .filter(|f| !replaced(f))
        .collect();
    let mut hashes = BTreeMap::new();
    for (file, content) in &mut files {
        let hash = match content {
            Content::Bytes(bytes) => crate::digest::sha256_hex(bytes),
            Content::File(temp) => temp.sha256()?,
        };
        hashes.insert(file.clone(), hash);
    }
    for file in &carry {
        let hash = match toml.files.get(file) {
            Some(hash) => hash.clone(),
            None => crate::digest::sha256_file(&version.dir().join(file))?,
        };
        hashes.insert(file.clone(), hash);
    }
    toml.treatysim = env!("CARGO_PKG_VERSION").to_string();
    toml.label = name.clone();
    match output {
        None => {
            toml.run = Some(record);
            toml.shard_command = shard_command;
        }
        Some(output) => {
            toml.outputs.insert(
                output,
                Output {
                    record,
                    files: names.clone(),
                    shard_command,
                },
            );
        }
    }
    if !hashes.contains_key("summary.csv") {
        toml.run = None;
        toml.shard_command = Vec::new();
    }
    toml.outputs
        .retain(|_, o| o.files.iter().all(|f| hashes.contains_key(f)));
    toml.files = hashes;
    files.push((
        publish::RUN_TOML.into(),
        Content::Bytes(toml.to_text().into_bytes()),
    ));
    publish::stage(lock, &name, files, &carry)
}
