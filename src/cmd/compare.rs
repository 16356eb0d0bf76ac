//! `treatysim compare A B`: both scenarios on the same trials, and the paired difference.

use crate::cli::CompareArgs;
use crate::engine::{Accumulator, Engine, fixed, for_each_block, unfixed};
use crate::error::{Error, Result};
use crate::export::{self, float};
use crate::model::Model;
use crate::scenario::Catalog;
use crate::stats::{self, Z};

/// Sums over trials of each scenario's outcome and of the paired difference, in fixed point
/// (associative, so the split of the work changes nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairedTally {
    /// Trials.
    pub trials: u64,
    /// Σ outcome of A.
    pub sum_a: u128,
    /// Σ outcome² of A.
    pub sum_sq_a: u128,
    /// Σ outcome of B.
    pub sum_b: u128,
    /// Σ outcome² of B.
    pub sum_sq_b: u128,
    /// Σ (B − A).
    pub sum_diff: i128,
    /// Σ (B − A)².
    pub sum_sq_diff: u128,
}

impl PairedTally {
    fn add(&mut self, a: f64, b: f64) {
        let d = b - a;
        let unsigned = |x: f64| fixed(x).unsigned_abs();
        self.trials += 1;
        self.sum_a += unsigned(a);
        self.sum_sq_a += unsigned(a * a);
        self.sum_b += unsigned(b);
        self.sum_sq_b += unsigned(b * b);
        self.sum_diff += fixed(d);
        self.sum_sq_diff += unsigned(d * d);
    }

    /// Mean, standard error and 95% interval of the paired difference B − A ("B against A").
    pub fn difference(&self) -> (f64, f64, f64, f64) {
        let n = self.trials as f64;
        let mean = unfixed(self.sum_diff) / n;
        let sum_sq = unfixed(self.sum_sq_diff as i128);
        let variance = if self.trials > 1 {
            ((sum_sq - n * mean * mean) / (n - 1.0)).max(0.0)
        } else {
            0.0
        };
        let se = (variance / n).sqrt();
        (
            mean,
            se,
            (mean - Z * se).max(-1.0),
            (mean + Z * se).min(1.0),
        )
    }

    /// Each scenario's own estimate, (A, B).
    pub fn estimates(
        &self,
        estimator: crate::model::Estimator,
    ) -> (stats::Estimate, stats::Estimate) {
        let estimate = |sum: u128, sum_sq: u128| {
            stats::estimate(
                estimator,
                self.trials,
                unfixed(sum as i128),
                unfixed(sum_sq as i128),
            )
        };
        (
            estimate(self.sum_a, self.sum_sq_a),
            estimate(self.sum_b, self.sum_sq_b),
        )
    }

    /// The standard error the difference would have if A and B ran on independent trials.
    pub fn unpaired_std_error(&self, estimator: crate::model::Estimator) -> f64 {
        let (a, b) = self.estimates(estimator);
        a.std_error.hypot(b.std_error)
    }
}

impl Accumulator for PairedTally {
    const ORDER_FREE: bool = true;

    fn merge(&mut self, o: PairedTally) {
        self.trials += o.trials;
        self.sum_a += o.sum_a;
        self.sum_sq_a += o.sum_sq_a;
        self.sum_b += o.sum_b;
        self.sum_sq_b += o.sum_sq_b;
        self.sum_diff += o.sum_diff;
        self.sum_sq_diff += o.sum_sq_diff;
    }

    fn trials(&self) -> u64 {
        self.trials
    }
}

/// Columns of `compare-A-vs-B.csv`.
pub const COMPARE_HEADER: [&str; 11] = [
    "scenario_a",
    "scenario_b",
    "trials",
    "seed",
    "estimator",
    "probability_a",
    "probability_b",
    "difference",
    "std_error",
    "ci95_low",
    "ci95_high",
];

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
    if !crate::scenario::valid_scenario_name(label) {
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
/// `<out>/compare-A-vs-B.csv`.
pub fn compare(catalog: &Catalog, args: &CompareArgs) -> Result<()> {
    let a = args.sim.load(catalog, &args.a)?;
    let mut b = args.sim.load(catalog, &args.b)?;
    let file = match &args.sim.label {
        None => file_name(&a.name, &b.name)?,
        Some(label) => label_file_name(label)?,
    };
    if a.simulation.start != b.simulation.start || a.simulation.deadline != b.simulation.deadline {
        return Err(Error::Invalid(format!(
            "compare needs the same window: {} runs {} to {}, {} runs {} to {}",
            a.name,
            a.simulation.start,
            a.simulation.deadline,
            b.name,
            b.simulation.start,
            b.simulation.deadline
        )));
    }
    b.simulation.trials = a.simulation.trials;
    b.simulation.seed = a.simulation.seed;
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
    let engine_a = Engine {
        model: &model_a,
        seed,
        estimator,
    };
    let engine_b = Engine {
        model: &model_b,
        seed,
        estimator,
    };
    let bar = super::progress_bar("compare", trials);
    let tally = args.sim.in_pool(|| {
        for_each_block(
            0..trials,
            PairedTally::default,
            |block, acc: &mut PairedTally, _| {
                let mut outcomes_a = Vec::with_capacity((block.end - block.start) as usize);
                engine_a.for_each_trial(block.clone(), |r| outcomes_a.push(last(r.cumulative)));
                let mut outcomes_a = outcomes_a.into_iter();
                engine_b.for_each_trial(block, |r| {
                    acc.add(outcomes_a.next().unwrap_or(0.0), last(r.cumulative))
                });
            },
            None,
            &|done| bar.set_position(done),
        )
    })?;
    bar.finish_and_clear();
    let n = tally.trials;
    let (p_a, p_b) = tally.estimates(estimator);
    let (difference, se, low, high) = tally.difference();
    let row = vec![
        a.name.clone(),
        b.name.clone(),
        n.to_string(),
        seed.to_string(),
        estimator.name().to_string(),
        float(p_a.probability),
        float(p_b.probability),
        float(difference),
        float(se),
        float(low),
        float(high),
    ];
    let path = args.sim.out.join(file);
    export::write_atomic(&path, &export::csv_bytes(&COMPARE_HEADER, [row]))?;
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

fn last(cumulative: &[f64]) -> f64 {
    cumulative.last().copied().unwrap_or(0.0)
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
