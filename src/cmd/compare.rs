//! `treatysim compare A B`: both scenarios on the same trials, and the paired difference.

use crate::cli::CompareArgs;

use crate::error::{Error, Result};
use crate::export;
use crate::model::Model;
use crate::scenario::Catalog;

/// The name of the file comparing `a` with `b`, `compare-A-vs-B.csv`, which must name one pair:
/// `compare a-vs-b c` and `compare a b-vs-c` would both write `compare-a-vs-b-vs-c.csv`. So a
/// name in which `vs` stands as a word between hyphens or at an end next to one (`a-vs-b`,
/// `vs-b`, `a-vs`, `vs`) is refused; with every other valid name, the `-vs-` that separates A
/// from B is the only one in `A-vs-B`, and the pair can be read back from the file name.
///
/// # Errors
/// Invalid input naming the scenario and why.
pub fn file_name(a: &str, b: &str) -> Result<String> {
    for name in [a, b] {
        if format!("-{name}-").contains("-vs-") {
            return Err(Error::Invalid(format!(
                "compare: the scenario name '{name}' holds 'vs' between hyphens (or at an end \
                 next to one), which would make compare-A-vs-B.csv name more than one pair \
                 (compare a-vs-b c and compare a b-vs-c would write the same file); copy the \
                 scenario to a file named without it, e.g. '{}'",
                format!("-{name}-")
                    .replace("-vs-", "-versus-")
                    .trim_matches('-')
            )));
        }
    }
    Ok(format!("compare-{a}-vs-{b}.csv"))
}

/// The file of a comparison written `--as LABEL`: `compare-LABEL.csv`, a variant kept beside
/// `compare-A-vs-B.csv` (e.g. both run with `--set`). LABEL follows the scenario-name rule and
/// may not hold `-vs-`, so it never names the file of a pair.
///
/// # Errors
/// Invalid input naming the label.
pub fn label_file_name(label: &str) -> Result<String> {
    if !crate::scenario::valid_new_name(label) {
        return Err(Error::Invalid(format!(
            "--as: {}",
            crate::scenario::name_rule("the label", label)
        )));
    }
    if format!("-{label}-").contains("-vs-") {
        return Err(Error::Invalid(format!(
            "--as {label}: a label holding 'vs' between hyphens would name the file of a pair \
             (compare-A-vs-B.csv); choose another label"
        )));
    }
    Ok(format!("compare-{label}.csv"))
}

/// Runs A and B on the same trials (A's trials and seed unless overridden) and writes
/// `<out>/compare-A-vs-B.csv` and, beside it, `<out>/compare-A-vs-B.run.toml` (what produced
/// it, in `run.toml`'s format: the comparison is one `[outputs]` table).
pub fn compare(catalog: &Catalog, args: &CompareArgs) -> Result<()> {
    let a = args.sim.load(catalog, &args.a)?;
    let mut b = args.sim.load(catalog, &args.b)?;
    let file = match &args.sim.label {
        None => file_name(&a.name, &b.name)?,
        Some(label) => label_file_name(label)?,
    };
    crate::api::same_window(&a, &b)?;
    b.simulation.trials = a.simulation.trials;
    b.simulation.seed = a.simulation.seed;
    // `compare x x --set KEY=V`: --set applies to both, so nothing differs. Said once it has
    // run, not refused: a scenario compared with itself is a documented check (exactly 0).
    let body =
        |s: &crate::scenario::Scenario| s.to_toml().lines().skip(1).collect::<Vec<_>>().join("\n");
    let same = body(&a) == body(&b);
    // Stale root rows agree with their folders again (SPEC §7); this also checks the lock.
    export::repair(&args.sim.out)?;
    // The file can be written (name length, a writable --out): probed before the first trial.
    export::probe_output(&args.sim.out, &args.sim.out.join(&file))?;
    let (model_a, model_b) = (Model::new(&a), Model::new(&b));
    let threads = args.sim.thread_count();
    let estimate = crate::memory::simulation(crate::memory::Estimate::new(), &model_a, threads)
        .add("the second scenario's model", model_b.approx_bytes());
    args.sim
        .check_memory(&format!("compare {} {}", a.name, b.name), &estimate)?;
    let (seed, trials, estimator) = (a.simulation.seed, a.simulation.trials, args.sim.estimator);
    let bar = super::progress_bar("compare", trials);
    let options = crate::api::RunOptions {
        estimator,
        threads: args.sim.threads,
        ..crate::api::RunOptions::default()
    };
    let progress = |done| bar.set_position(done);
    let result = crate::api::compare(&a, &b, &options, &progress)?;
    let tally = &result.tally;
    bar.finish_and_clear();
    let n = tally.trials;
    let (difference, se, low, high) = tally.difference(estimator);
    let path = args.sim.out.join(&file);
    let csv = result.csv();
    // Where the CSV came from, as every analysis records it (SPEC §6): `compare-….run.toml`
    // beside it, with the command, both resolved scenarios and the CSV's SHA-256.
    let stem = file.strip_suffix(".csv").unwrap_or(&file).to_string();
    let mut record = args.sim.record(&a, n);
    record.scenario = format!("{} vs {}", a.name, b.name);
    record.seed = seed;
    record.resolved = format!(
        "# scenario A: {}\n{}\n# scenario B: {}\n{}",
        a.name,
        a.to_toml(),
        b.name,
        b.to_toml()
    );
    let mut toml = export::RunToml::new(&stem);
    toml.files
        .insert(file.clone(), crate::digest::sha256_hex(&csv));
    toml.outputs.insert(
        stem.clone(),
        export::Output {
            record,
            files: vec![file.clone()],
            shard_command: Vec::new(),
        },
    );
    let toml_path = args.sim.out.join(format!("{stem}.run.toml"));
    {
        let _lock = export::OutLock::acquire(&args.sim.out)?;
        export::write_atomic(&path, &csv)?;
        export::write_atomic(&toml_path, toml.to_text().as_bytes())?;
    }
    if same {
        note!(
            "note: {} and {} are the same scenario{}, so their difference is 0 by \
             construction; to compare a what-if with {}, write it as a scenario that extends {} \
             and changes those values (docs/guide.md, \"`extends` and the search path\")",
            a.name,
            b.name,
            if args.sim.sets.is_empty() {
                ""
            } else {
                " once --set is applied (--set applies to both)"
            },
            a.name,
            a.name
        );
    }
    note!(
        "{} against {}: {:+.3} percentage points (95% CI {:+.3} to {:+.3}), paired se {:.5} vs {:.5} unpaired, {} trials -> {}",
        b.name,
        a.name,
        100.0 * difference,
        100.0 * low,
        100.0 * high,
        se,
        tally.unpaired_std_error(estimator),
        n,
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pair read back from a file name: A is what precedes the first `-vs-`.
    fn pair(file: &str) -> Option<(&str, &str)> {
        file.strip_prefix("compare-")?
            .strip_suffix(".csv")?
            .split_once("-vs-")
    }

    #[test]
    fn names_that_would_make_the_file_name_ambiguous_are_refused() {
        for (a, b) in [
            ("a-vs-b", "c"),
            ("a", "b-vs-c"),
            ("a-vs", "b"),
            ("a", "vs-b"),
            ("vs", "b"),
            ("a", "vs"),
        ] {
            let err = file_name(a, b).expect_err(&format!("{a} {b}"));
            assert_eq!(err.exit_code(), 2);
            assert!(err.to_string().contains("'vs'"), "{err}");
        }
        assert!(
            file_name("a-vs-b", "c")
                .expect_err("ambiguous")
                .to_string()
                .contains("'a-versus-b'")
        );
    }

    /// Every pair of names allowed, from an alphabet rich in the separator's letters, reads
    /// back from its file name as itself: no two pairs share a file.
    #[test]
    fn allowed_names_give_one_file_per_pair() {
        let letters = ['v', 's', '-', 'a'];
        let mut names = vec![String::new()];
        for _ in 0..4 {
            names = names
                .iter()
                .flat_map(|n| letters.iter().map(move |c| format!("{n}{c}")))
                .chain(names.iter().cloned())
                .collect();
        }
        names.sort();
        names.dedup();
        let valid: Vec<&String> = names
            .iter()
            .filter(|n| crate::scenario::valid_scenario_name(n))
            .collect();
        let mut files = std::collections::HashMap::new();
        for a in &valid {
            for b in &valid {
                if let Ok(file) = file_name(a, b) {
                    assert_eq!(pair(&file), Some((a.as_str(), b.as_str())), "{file}");
                    assert!(files.insert(file, (*a, *b)).is_none());
                }
            }
        }
        assert!(files.len() > 1000, "{}", files.len());
    }
}
