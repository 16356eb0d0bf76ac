//! `treatysim merge NAME`: combine shards into exactly the files the unsharded command writes
//! ([`api::merge`] checks and merges them, [`api::write_merged`] writes them).

use crate::api::{self, MergeOptions, Shards, Written};
use crate::cli::MergeArgs;
use crate::error::Result;

/// Checks every group of shards (checksums, invariants, completeness, agreement, samples
/// parts), then writes each group's outputs and reports it. Every group is checked before any
/// is written, so a refused merge writes nothing.
pub fn merge(args: &MergeArgs) -> Result<()> {
    let options = MergeOptions {
        shards: Shards::Folder {
            out: args.out.clone(),
            name: args.name.clone(),
        },
        key_file: args.key_file.clone(),
    };
    for merged in api::merge(&options)? {
        match api::write_merged(&args.out, &merged)? {
            Written::Run(run) => {
                note!("{}: merged {} shards", run.summary.scenario, merged.shards);
                super::run::report(&run.summary, None, &args.out);
            }
            Written::Sweep(sweep, path) => note!(
                "{}: merged {} sweep shards -> {}",
                sweep.scenario,
                merged.shards,
                path.display()
            ),
            Written::Sensitivity(study, summary) => {
                super::sensitivity::report(study.run(), &summary, &args.out);
            }
        }
    }
    Ok(())
}
