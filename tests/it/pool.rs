//! `treatysim pool` (SPEC §8, issue #11 item 3): the pooled numbers are the formulas applied to
//! the members' own probabilities, the members' rows are their runs, one member pools to
//! itself, the standard errors match the pools' spread over seeds, and the files do not depend
//! on the thread count. Refusals are in tests/it/rejections.rs.

use crate::common;

use common::{
    EXACT, SE_TOLERANCE, field, ok_shipped, read_csv, shipped_scenarios, treatysim, workdir,
};
use std::path::Path;
use treatysim::engine::Engine;
use treatysim::model::{Estimator, Model};
use treatysim::pool::{PoolBlock, PoolTally, pool_odds};
use treatysim::scenario::Catalog;

/// The columns of `pool.csv` (SPEC §8).
const POOL_HEADER: [&str; 11] = [
    "pool",
    "method",
    "member",
    "weight",
    "trials",
    "seed",
    "estimator",
    "probability",
    "std_error",
    "ci95_low",
    "ci95_high",
];

/// The four experts of the article, each a shipped scenario.
const EXPERTS: [&str; 4] = ["jain", "kistanov", "mason", "togo"];

/// `pool.csv`'s rows by method and member.
struct PoolFile {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl PoolFile {
    fn read(path: &Path) -> PoolFile {
        let (header, rows) = read_csv(path);
        assert_eq!(header, POOL_HEADER);
        PoolFile { header, rows }
    }

    fn row(&self, method: &str, member: &str) -> &Vec<String> {
        self.rows
            .iter()
            .find(|r| r[1] == method && r[2] == member)
            .unwrap_or_else(|| panic!("no row {method} {member}"))
    }

    fn value(&self, method: &str, member: &str, column: &str) -> f64 {
        field(&self.header, self.row(method, member), column)
    }
}

/// Every column of a run's summary or timeline but the name, which is the pool's label.
fn without_name(path: &Path) -> Vec<Vec<String>> {
    let (_, rows) = read_csv(path);
    rows.into_iter().map(|r| r[1..].to_vec()).collect()
}

#[test]
fn pooled_numbers_are_the_formulas_applied_to_the_members() {
    let dir = workdir(&[]);
    let d = dir.path();
    let mut args = vec!["pool", "experts"];
    args.extend(EXPERTS);
    args.extend(["--weights", "1,1,2,4", "--trials", "20000", "--seed", "5"]);
    ok_shipped(d, &args);
    let pool = PoolFile::read(&d.join("results/experts/pool.csv"));
    assert_eq!(pool.rows.len(), EXPERTS.len() + 2);
    let weights = [0.125, 0.125, 0.25, 0.5];
    let mut p = Vec::new();
    for (name, w) in EXPERTS.iter().zip(weights) {
        let row = pool.row("member", name);
        assert_eq!(row[0], "experts");
        assert_eq!(
            row[3..7],
            [
                w.to_string(),
                "20000".into(),
                "5".into(),
                "conditional".into()
            ]
        );
        p.push(pool.value("member", name, "probability"));
    }
    let linear: f64 = p.iter().zip(weights).map(|(p, w)| w * p).sum();
    let odds: f64 = p
        .iter()
        .zip(weights)
        .map(|(p, w)| w * (p / (1.0 - p)).ln())
        .sum();
    let geometric = odds.exp() / (1.0 + odds.exp());
    // The linear pool's mean is of per-trial pooled values in fixed point: equal to the
    // weighted mean of the members' up to the quanta (2⁻⁵⁰ a trial).
    let pooled_linear = pool.value("linear", "", "probability");
    assert!(
        (pooled_linear - linear).abs() <= EXACT,
        "{pooled_linear} vs {linear}"
    );
    let pooled_geometric = pool.value("geometric-odds", "", "probability");
    assert!(
        (pooled_geometric - geometric).abs() <= EXACT,
        "{pooled_geometric} vs {geometric}"
    );
    assert!(
        pooled_geometric < pooled_linear,
        "odds pool below the mixture here"
    );
    for method in ["linear", "geometric-odds"] {
        let row = pool.row(method, "");
        assert_eq!(row[3], "", "{method} has no weight");
        let e = |c| pool.value(method, "", c);
        assert!(e("ci95_low") < e("probability") && e("probability") < e("ci95_high"));
        assert!(e("std_error") > 0.0);
    }

    // Each member's row is its own run on the same trials and seed, to the last digit.
    let mut run = vec!["run"];
    run.extend(EXPERTS);
    run.extend(["--trials", "20000", "--seed", "5", "--out", "runs"]);
    ok_shipped(d, &run);
    for name in EXPERTS {
        let (sh, rows) = read_csv(&d.join("runs").join(name).join("summary.csv"));
        for column in ["probability", "std_error", "ci95_low", "ci95_high"] {
            assert_eq!(
                pool.value("member", name, column),
                field(&sh, &rows[0], column),
                "{name} {column}"
            );
        }
    }

    // summary.csv, the timeline's last month and the root summary are the chosen pool.
    let (sh, summary) = read_csv(&d.join("results/experts/summary.csv"));
    assert_eq!(
        summary[0][..6],
        ["experts", "conditional", "20000", "5", "2020-01", "2021-09"]
    );
    for column in ["probability", "std_error", "ci95_low", "ci95_high"] {
        assert_eq!(
            field(&sh, &summary[0], column),
            pool.value("linear", "", column)
        );
    }
    let (th, timeline) = read_csv(&d.join("results/experts/timeline.csv"));
    assert_eq!(timeline.len(), 20);
    let last = timeline.last().expect("months");
    assert_eq!(field(&th, last, "cumulative_probability"), pooled_linear);
    let (_, root) = read_csv(&d.join("results/summary.csv"));
    assert_eq!(root, summary);

    // With --method geometric-odds, the same pool.csv and the geometric pool's files; its
    // in-month probabilities are the differences of its cumulative ones.
    args.extend(["--method", "geometric-odds"]);
    ok_shipped(d, &args);
    let again = PoolFile::read(&d.join("results/experts/pool.csv"));
    assert_eq!(again.rows, pool.rows);
    let (sh, summary) = read_csv(&d.join("results/experts/summary.csv"));
    for column in ["probability", "std_error", "ci95_low", "ci95_high"] {
        assert_eq!(
            field(&sh, &summary[0], column),
            pool.value("geometric-odds", "", column)
        );
    }
    let (th, timeline) = read_csv(&d.join("results/experts/timeline.csv"));
    let mut before = 0.0;
    for row in &timeline {
        let cumulative = field(&th, row, "cumulative_probability");
        let in_month = field(&th, row, "probability_in_month");
        assert!((in_month - (cumulative - before)).abs() <= EXACT, "{row:?}");
        assert!(field(&th, row, "ci95_low") <= cumulative);
        assert!(cumulative <= field(&th, row, "ci95_high"));
        before = cumulative;
    }
    assert_eq!(before, pooled_geometric);
}

/// A pool of one member is that member: both methods, both estimators, summary and timeline.
#[test]
fn pooling_one_member_gives_that_member() {
    let dir = workdir(&[]);
    let d = dir.path();
    for estimator in ["conditional", "indicator"] {
        let common = ["--trials", "5000", "--estimator", estimator];
        let mut run = vec!["run", "mason", "--out", "runs"];
        run.extend(common);
        ok_shipped(d, &run);
        let summary = without_name(&d.join("runs/mason/summary.csv"));
        let timeline = without_name(&d.join("runs/mason/timeline.csv"));
        for method in ["linear", "geometric-odds"] {
            let mut pool = vec!["pool", "solo", "mason", "--method", method];
            pool.extend(common);
            ok_shipped(d, &pool);
            let pooled_summary = without_name(&d.join("results/solo/summary.csv"));
            let pooled_timeline = without_name(&d.join("results/solo/timeline.csv"));
            if method == "linear" {
                // The same per-trial values, summed the same way: the same bytes.
                assert_eq!(pooled_summary, summary, "{estimator}");
                assert_eq!(pooled_timeline, timeline, "{estimator}");
            } else {
                // Through the odds and back: equal up to rounding.
                let close = |a: &[Vec<String>], b: &[Vec<String>]| {
                    for (x, y) in a.iter().zip(b) {
                        for (u, v) in x.iter().zip(y) {
                            match (u.parse::<f64>(), v.parse::<f64>()) {
                                (Ok(u), Ok(v)) => assert!(
                                    (u - v).abs() <= 1e-9 * v.abs().max(1e-6),
                                    "{estimator}: {u} vs {v}"
                                ),
                                // A geometric pool's remaining probability has no interval
                                // (docs/guide.md): those two fields are empty.
                                (Err(_), Ok(_)) if u.is_empty() => {}
                                _ => assert_eq!(u, v),
                            }
                        }
                    }
                };
                close(&pooled_summary, &summary);
                close(&pooled_timeline, &timeline);
            }
            let pool = PoolFile::read(&d.join("results/solo/pool.csv"));
            assert_eq!(pool.value("member", "mason", "weight"), 1.0);
            assert_eq!(
                pool.value("linear", "", "probability"),
                pool.value("member", "mason", "probability")
            );
        }
    }
}

/// The same bytes whatever the thread count.
#[test]
fn pool_files_do_not_depend_on_threads() {
    let dir = workdir(&[]);
    let d = dir.path();
    let mut snapshots = Vec::new();
    for threads in ["1", "3"] {
        let out = format!("t{threads}");
        ok_shipped(
            d,
            &[
                "pool",
                "experts",
                "jain",
                "mason",
                "togo",
                "--trials",
                "9000",
                "--threads",
                threads,
                "--out",
                &out,
                "--estimator",
                "indicator",
            ],
        );
        let read = |f: &str| std::fs::read(d.join(&out).join("experts").join(f)).expect(f);
        snapshots.push([read("pool.csv"), read("summary.csv"), read("timeline.csv")]);
    }
    assert_eq!(snapshots[0], snapshots[1]);
}

/// Over many seeds, each pool's standard error is the spread of its estimate: the paired
/// standard errors account for the members sharing their trials (the pools' spread is well
/// above what independent members would give, and the standard errors follow it).
#[test]
fn pool_standard_errors_match_their_spread_over_seeds() {
    let catalog = Catalog::new(shipped_scenarios());
    let members: Vec<Model> = ["kistanov", "mason", "togo"]
        .iter()
        .map(|name| Model::new(&catalog.load(name, &[]).expect("shipped scenario")))
        .collect();
    let weights = [0.2, 0.3, 0.5];
    let (trials, seeds) = (2000u64, 400u64);
    let months = members[0].months();
    for estimator in [Estimator::Conditional, Estimator::Indicator] {
        let mut linear = Vec::new();
        let mut geometric = Vec::new();
        let mut unpaired_linear = Vec::new();
        for seed in 0..seeds {
            let mut tally = PoolTally::new(members.len(), months);
            let outcomes: Vec<Vec<Vec<f64>>> = members
                .iter()
                .map(|model| {
                    let engine = Engine {
                        model,
                        seed,
                        estimator,
                    };
                    let mut rows = Vec::new();
                    engine.for_each_trial(0..trials, |r| rows.push(r.cumulative.to_vec()));
                    rows
                })
                .collect();
            let mut sums = PoolBlock::new(members.len(), months);
            (0..trials as usize).for_each(|i| sums.add(|k| &outcomes[k][i], &weights));
            tally.add_block(&sums);
            let last = months - 1;
            linear.push(tally.linear(estimator, last));
            geometric.push(tally.geometric(estimator, &weights, last).expect("defined"));
            let unpaired: f64 = (0..members.len())
                .map(|k| (weights[k] * tally.member(k, estimator, last).std_error).powi(2))
                .sum();
            unpaired_linear.push(unpaired.sqrt());
        }
        // The sd of m values estimates σ with relative se about 1/√(2(m − 1)).
        let relative_tolerance = SE_TOLERANCE / (2.0 * (seeds as f64 - 1.0)).sqrt();
        for (name, estimates) in [("linear", &linear), ("geometric-odds", &geometric)] {
            let m = estimates.len() as f64;
            let mean = estimates.iter().map(|e| e.probability).sum::<f64>() / m;
            let spread = (estimates
                .iter()
                .map(|e| (e.probability - mean).powi(2))
                .sum::<f64>()
                / (m - 1.0))
                .sqrt();
            let se = estimates.iter().map(|e| e.std_error).sum::<f64>() / m;
            assert!(
                (spread / se - 1.0).abs() <= relative_tolerance,
                "{estimator:?} {name}: spread {spread} vs mean se {se} (tolerance {relative_tolerance})"
            );
            if name == "linear" {
                let unpaired = unpaired_linear.iter().sum::<f64>() / m;
                assert!(
                    spread > unpaired * (1.0 + relative_tolerance),
                    "{estimator:?}: pairing should matter: spread {spread}, unpaired se {unpaired}"
                );
            }
        }
    }
}

/// The geometric pool of probabilities 0 and 1 is undefined; the library says so rather than
/// returning a number, and `pool --method linear` leaves that row's numbers empty.
#[test]
fn an_undefined_odds_pool_is_left_empty() {
    assert_eq!(pool_odds(&[0.0, 1.0], &[0.5, 0.5]), None);
    let never = common::ScenarioText::bilateral()
        .set("process.summit_rate", "0")
        .text();
    let surely = common::ScenarioText::bilateral()
        .set("process.summit_rate", "1")
        .set("party.japan.will", "1")
        .set("party.russia.will", "1")
        .set("process.signing_threshold", "-10")
        .set("process.decision_noise", "0.01")
        .text();
    let dir = workdir(&[("never.toml", &never), ("surely.toml", &surely)]);
    let out = treatysim(dir.path())
        .args(["pool", "p", "never", "surely", "--trials", "100"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pool = PoolFile::read(&dir.path().join("results/p/pool.csv"));
    assert_eq!(pool.value("linear", "", "probability"), 0.5);
    assert_eq!(pool.row("geometric-odds", "")[7..], ["", "", "", ""]);
}

/// A pool's folder holds the pool's results: a run of a scenario named like the pool is
/// refused (SPEC §7: a folder holding a pool's results is never overwritten silently, issue #17
/// item 2), and the pool stays whole.
#[test]
fn a_run_into_a_pools_folder_is_refused() {
    let dir = workdir(&[]);
    let d = dir.path();
    ok_shipped(d, &["pool", "p", "jain", "togo", "--trials", "3000"]);
    let before = std::fs::read(d.join("results/p/pool.csv")).expect("pool.csv");
    std::fs::create_dir(d.join("other")).expect("folder");
    std::fs::write(
        d.join("other/p.toml"),
        "extends = \"mason\"\ndescription = \"a scenario named like the pool\"\n",
    )
    .expect("scenario");
    let output = treatysim(d)
        .args(["run", "other/p.toml", "--trials", "3000", "--scenarios"])
        .arg(shipped_scenarios())
        .output()
        .expect("treatysim");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("holds results of the pool 'p'"), "{stderr}");
    assert_eq!(
        std::fs::read(d.join("results/p/pool.csv")).expect("pool.csv"),
        before
    );
}

/// `pool --as` was accepted and ignored (the pool's folder is its LABEL): it is refused, exit 2,
/// naming the LABEL to use instead, before anything is written.
#[test]
fn pool_refuses_as_and_names_its_label() {
    let dir = workdir(&[]);
    let d = dir.path();
    let output = treatysim(d)
        .args([
            "pool", "p", "jain", "togo", "--trials", "3000", "--as", "foo",
        ])
        .args(["--scenarios"])
        .arg(shipped_scenarios())
        .output()
        .expect("treatysim");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("pool does not take --as (given \"foo\")") && stderr.contains("<out>/p/"),
        "{stderr}"
    );
    assert!(!d.join("results").exists());
    // Nor does its help offer it.
    let help = treatysim(d)
        .args(["pool", "--help"])
        .output()
        .expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("LABEL") && !help.contains("--as"), "{help}");
}
