//! `treatysim explain`: the central path, a diagnostic run and the three strongest reasons
//! ([`crate::analysis::explain`]), printed and written to `<out>/NAME/explain.csv`.

use crate::analysis::explain as analysis;
use crate::cli::ExplainArgs;
use crate::error::{Error, Result};
use crate::export;
use crate::model::{Estimator, Model};
use crate::scenario::Catalog;

/// The file `explain` writes into `<out>/NAME/`.
pub const FILE: &str = "explain.csv";

/// Explains one scenario: runs the diagnostic, prints the report, publishes `explain.csv`.
///
/// # Errors
/// Invalid input (exit 2), interruption, I/O errors.
pub fn explain(catalog: &Catalog, args: &ExplainArgs) -> Result<()> {
    if args.sim.estimator != Estimator::Conditional {
        return Err(Error::Invalid(
            "explain: --estimator indicator is not available: the diagnostic weighs every month \
             by its chance of a summit with no treaty yet, as the conditional estimator does; \
             leave --estimator out"
                .into(),
        ));
    }
    let mut scenario = args.sim.load(catalog, &args.name)?;
    let trials = args.sim.trials.unwrap_or(analysis::DEFAULT_TRIALS);
    scenario.simulation.trials = trials;
    args.sim.relabel(catalog, &mut scenario)?;
    export::check_scenario_folder(&args.sim.out, &scenario.name)?;
    let model = Model::new(&scenario);
    let threads = args.sim.thread_count();
    let months = model.months() as u64;
    let per_block = 8 * (months + 4 * (scenario.cast.issues.len() as u64 + 4))
        + 8 * (scenario.events.len() as u64 + model.signatories() as u64) * 2;
    let estimate = crate::memory::simulation(crate::memory::Estimate::new(), &model, threads)
        .add(
            format!("{threads} threads × 32 blocks × {per_block} bytes of diagnostic sums"),
            (threads as u64)
                .saturating_mul(32)
                .saturating_mul(per_block),
        )
        .add(
            format!(
                "{threads} threads × {months} months × {} lane arrays of the diagnostic's \
                 record of step 4",
                5 + scenario.cast.issues.len()
            ),
            (threads as u64)
                .saturating_mul(months)
                .saturating_mul(5 + scenario.cast.issues.len() as u64)
                .saturating_mul(8 * crate::model::LANES as u64),
        )
        .advice("use fewer --threads");
    args.sim
        .check_memory(&format!("explain {}", scenario.name), &estimate)?;
    let bar = super::progress_bar("explain", trials);
    let options = crate::api::RunOptions {
        trials: Some(trials),
        estimator: args.sim.estimator,
        threads: args.sim.threads,
        ..crate::api::RunOptions::default()
    };
    let progress = |done| bar.set_position(done);
    let result = crate::api::explain(&scenario, &options, &progress)?;
    bar.finish_and_clear();
    let csv = result.csv();
    export::publish_analysis(
        &args.sim.out,
        export::Publication {
            name: scenario.name.clone(),
            files: vec![(FILE.into(), export::Content::Bytes(csv))],
            output: Some("explain".into()),
            record: args.sim.record(&scenario, trials),
            shard_command: Vec::new(),
        },
    )?;
    super::print_stdout(&result.report())?;
    note!(
        "{}: explained -> {}",
        scenario.name,
        args.sim.out.join(&scenario.name).join(FILE).display()
    );
    Ok(())
}
