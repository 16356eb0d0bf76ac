//! The analysis features of SPEC §8 through the binary: correlated inputs, precision stopping,
//! sweeps, paired comparison, sensitivity, and the progress bar kept out of pipes and files.
//!
//! Every test works in a fresh temporary folder holding a copy of the shipped
//! `baseline.toml` (so that scenarios of its own can `extends = "baseline"`), runs with fixed
//! seeds, and reads the CSV files back. Statistical checks follow the policy of
//! `common::SE_TOLERANCE` unless a tighter bound is stated where it is used.

use crate::common;

use common::{
    EXACT, KS_CRITICAL, SE_TOLERANCE, ScenarioText, field, ks, ok, output, read_csv, rejected,
    shipped_scenarios, spearman, workdir,
};
use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal};
use std::path::Path;
use tempfile::TempDir;
use treatysim::distribution::Dist;
use treatysim::scenario::Catalog;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A fresh work folder whose `scenarios/` holds the shipped baseline and `extra` files.
fn folder(extra: &[(&str, &str)]) -> TempDir {
    let baseline = std::fs::read_to_string(shipped_scenarios().join("baseline.toml"))
        .expect("shipped baseline.toml");
    let mut files = vec![("baseline.toml", baseline.as_str())];
    files.extend_from_slice(extra);
    workdir(&files)
}

/// The single data row of a one-row CSV file (a summary), with its header.
fn one_row(path: &Path) -> (Vec<String>, Vec<String>) {
    let (header, mut rows) = read_csv(path);
    assert_eq!(rows.len(), 1, "{}: expected one row", path.display());
    (header, rows.remove(0))
}

/// The text of `column` in `row`.
fn text<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {header:?}"));
    &row[i]
}

/// Every value of `column` as numbers.
fn numbers(header: &[String], rows: &[Vec<String>], column: &str) -> Vec<f64> {
    rows.iter().map(|r| field(header, r, column)).collect()
}

/// The named columns of a (large) CSV file as numbers, streamed.
fn columns(path: &Path, names: &[&str]) -> Vec<Vec<f64>> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader.headers().expect("header").clone();
    let positions: Vec<usize> = names
        .iter()
        .map(|n| {
            header
                .iter()
                .position(|h| h == *n)
                .unwrap_or_else(|| panic!("{}: no column {n}", path.display()))
        })
        .collect();
    let mut out = vec![Vec::new(); names.len()];
    for record in reader.records() {
        let record = record.expect("record");
        for (column, &i) in out.iter_mut().zip(&positions) {
            column.push(record[i].parse::<f64>().expect("a number"));
        }
    }
    out
}

/// The exact CDF of a marginal, computed by statrs (independently of treatysim's own CDF and
/// quantile code); the library only supplies the parameters, e.g. of a fitted `"lo to hi"`.
fn exact_cdf(dist: Dist) -> Box<dyn Fn(f64) -> f64> {
    match dist {
        Dist::Beta { a, b } => {
            let d = Beta::new(a, b).expect("beta");
            Box::new(move |x| d.cdf(x))
        }
        Dist::Pert { lo, mode, hi } => {
            let d = Beta::new(
                1.0 + 4.0 * (mode - lo) / (hi - lo),
                1.0 + 4.0 * (hi - mode) / (hi - lo),
            )
            .expect("pert");
            Box::new(move |x| d.cdf(((x - lo) / (hi - lo)).clamp(0.0, 1.0)))
        }
        Dist::Uniform { lo, hi } => Box::new(move |x| ((x - lo) / (hi - lo)).clamp(0.0, 1.0)),
        Dist::Normal { mean, sd } => {
            let d = Normal::new(mean, sd).expect("normal");
            Box::new(move |x| d.cdf(x))
        }
        Dist::TruncNormal { mean, sd, lo, hi } => {
            let d = Normal::new(mean, sd).expect("normal");
            let (a, b) = (d.cdf(lo), d.cdf(hi));
            Box::new(move |x| ((d.cdf(x.clamp(lo, hi)) - a) / (b - a)).clamp(0.0, 1.0))
        }
        Dist::LogNormal { mu, sigma } => {
            let d = LogNormal::new(mu, sigma).expect("lognormal");
            Box::new(move |x| if x <= 0.0 { 0.0 } else { d.cdf(x) })
        }
        other => panic!("no exact CDF written for {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Correlated inputs
// ---------------------------------------------------------------------------------------------

/// Four correlated pairs of the baseline with their targets: one per pair of copula branches
/// (beta, fitted beta and PERT quantiles; uniform and truncated normal; the closed-form normal
/// and lognormal), one of them negative and two more negative elsewhere.
const PAIRS: [(&str, &str, f64); 4] = [
    ("party.japan.will", "party.russia.will", 0.4),
    ("issue.security.concession", "issue.security.demand", -0.5),
    ("party.us.indifference", "process.summit_rate", 0.25),
    ("process.signing_threshold", "process.decision_noise", -0.3),
];

/// A scenario extending `parent` with these `[correlations]` lines.
fn extending(parent: &str, correlations: &str) -> ScenarioText {
    ScenarioText::new()
        .set("extends", &format!("{parent:?}"))
        .raw(&format!("[correlations]\n{correlations}"))
}

/// The baseline with the correlated pairs of [`PAIRS`].
fn correlated() -> String {
    let lines: Vec<String> = PAIRS
        .iter()
        .map(|(a, b, rho)| format!("\"{a} ~ {b}\" = {rho:?}"))
        .collect();
    extending("baseline", &lines.join("\n"))
        .set("description", "\"baseline with correlated inputs\"")
        .text()
}

/// Trials of the correlation checks.
const CORRELATION_TRIALS: &str = "100000";

/// Tolerance on a sample Spearman correlation at 100000 trials. Its standard error is at most
/// about 1/√n ≈ 0.0032 (the value at ρ = 0; smaller for |ρ| > 0), so 0.01 is at least 3.2
/// standard errors: tighter than SE_TOLERANCE, as the brief asks, and safe with a fixed seed.
const SPEARMAN_TOLERANCE: f64 = 0.01;

/// Runs `run NAME --samples` with extra arguments into `out` and returns the sample Spearman
/// correlation of each pair in `pairs`, and the samples' columns of every parameter in them.
fn sample_correlations(
    dir: &Path,
    name: &str,
    out: &str,
    extra: &[&str],
    pairs: &[(&str, &str)],
) -> (Vec<f64>, Vec<(String, Vec<f64>)>) {
    let mut args = vec![
        "run",
        name,
        "--samples",
        "--trials",
        CORRELATION_TRIALS,
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    ok(dir, &args);
    let mut keys: Vec<&str> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
    keys.sort();
    keys.dedup();
    let cols = columns(&dir.join(out).join(name).join("samples.csv"), &keys);
    let column = |key: &str| &cols[keys.iter().position(|k| *k == key).expect("column")];
    let rhos = pairs
        .iter()
        .map(|(a, b)| spearman(column(a), column(b)))
        .collect();
    (rhos, keys.into_iter().map(String::from).zip(cols).collect())
}

#[test]
fn correlated_inputs_reach_their_rank_correlations_and_keep_their_marginals() {
    let dir = folder(&[("correlated.toml", &correlated())]);
    let pairs: Vec<(&str, &str)> = PAIRS.iter().map(|(a, b, _)| (*a, *b)).collect();
    // Two parameters in different pairs, which must stay uncorrelated.
    let mut check = pairs.clone();
    check.push(("party.japan.will", "issue.security.concession"));
    check.push(("party.russia.will", "party.us.indifference"));
    let (rhos, cols) = sample_correlations(dir.path(), "correlated", "results", &[], &check);
    let targets: Vec<f64> = PAIRS
        .iter()
        .map(|(_, _, rho)| *rho)
        .chain([0.0, 0.0])
        .collect();
    for ((a, b), (rho, target)) in check.iter().zip(rhos.iter().zip(&targets)) {
        assert!(
            (rho - target).abs() <= SPEARMAN_TOLERANCE,
            "Spearman({a}, {b}) = {rho}, target {target}"
        );
    }

    // Every marginal stays exactly as written: the KS statistic against the parameter's exact
    // CDF is below 1.95/√n (the 0.1% critical value), for every correlated column.
    let scenario = Catalog::new(dir.path().join("scenarios"))
        .load("correlated", &[])
        .expect("the scenario loads");
    let n = cols[0].1.len();
    assert_eq!(n.to_string(), CORRELATION_TRIALS);
    let bound = KS_CRITICAL / (n as f64).sqrt();
    for (key, column) in &cols {
        let dist = *scenario.dist(scenario.cast.id(key).expect("a parameter"));
        let d = ks(column, &*exact_cdf(dist));
        assert!(
            d < bound,
            "{key}: KS statistic {d} >= {bound} against {dist:?}"
        );
    }

    // `show` prints the resolved correlations, normalised.
    let show = output(dir.path(), &["show", "correlated"]);
    assert!(show.status.success());
    let shown: toml::Table = String::from_utf8_lossy(&show.stdout)
        .parse()
        .expect("show prints TOML");
    let table = shown["correlations"].as_table().expect("[correlations]");
    assert_eq!(table.len(), PAIRS.len(), "{table:?}");
    assert_eq!(
        table["party.japan.will ~ party.russia.will"].as_float(),
        Some(0.4),
        "{table:?}"
    );
}

#[test]
fn extends_inherits_correlations_and_a_child_overrides_one_key() {
    let child = extending(
        "correlated",
        "\"party.japan.will ~ party.russia.will\" = -0.3",
    )
    .text();
    let dir = folder(&[("correlated.toml", &correlated()), ("child.toml", &child)]);
    let pairs: Vec<(&str, &str)> = PAIRS.iter().map(|(a, b, _)| (*a, *b)).collect();
    let (rhos, _) = sample_correlations(dir.path(), "child", "results", &[], &pairs);
    let targets = [-0.3, -0.5, 0.25, -0.3];
    for (((a, b), rho), target) in pairs.iter().zip(&rhos).zip(targets) {
        assert!(
            (rho - target).abs() <= SPEARMAN_TOLERANCE,
            "child: Spearman({a}, {b}) = {rho}, target {target}"
        );
    }
    let show = output(dir.path(), &["show", "child"]);
    let shown: toml::Table = String::from_utf8_lossy(&show.stdout)
        .parse()
        .expect("show prints TOML");
    let table = shown["correlations"].as_table().expect("[correlations]");
    assert_eq!(table.len(), 4, "{table:?}");
    assert_eq!(
        table["party.japan.will ~ party.russia.will"].as_float(),
        Some(-0.3)
    );
    assert_eq!(
        table["issue.security.concession ~ issue.security.demand"].as_float(),
        Some(-0.5)
    );
}

#[test]
fn set_overrides_a_correlation() {
    let dir = folder(&[("correlated.toml", &correlated())]);
    let pairs = [
        ("party.japan.will", "party.russia.will"),
        ("issue.security.concession", "issue.security.demand"),
    ];
    let (rhos, _) = sample_correlations(
        dir.path(),
        "correlated",
        "results",
        &[
            "--set",
            "correlations.party.japan.will ~ party.russia.will=0.6",
        ],
        &pairs,
    );
    assert!((rhos[0] - 0.6).abs() <= SPEARMAN_TOLERANCE, "{rhos:?}");
    assert!((rhos[1] + 0.5).abs() <= SPEARMAN_TOLERANCE, "{rhos:?}");
    // On a scenario without correlations, --set adds one.
    let (rhos, _) = sample_correlations(
        dir.path(),
        "baseline",
        "added",
        &[
            "--set",
            "correlations.party.japan.will ~ party.russia.will=-0.6",
        ],
        &pairs,
    );
    assert!((rhos[0] + 0.6).abs() <= SPEARMAN_TOLERANCE, "{rhos:?}");
    assert!(rhos[1].abs() <= SPEARMAN_TOLERANCE, "{rhos:?}");
}

#[test]
fn invalid_correlations_are_rejected_and_nothing_is_written() {
    let cases: [(&str, &[&str]); 7] = [
        // Each pair alone is fine; together they contradict each other.
        (
            "\"party.japan.will ~ party.russia.will\" = 0.9\n\"party.russia.will ~ party.us.indifference\" = 0.9\n\"party.japan.will ~ party.us.indifference\" = -0.9",
            &["correlations", "not positive definite"],
        ),
        (
            "\"party.japan.will ~ party.russia.will\" = 1.5",
            &["party.japan.will ~ party.russia.will", "1.5", "[-1, 1]"],
        ),
        (
            "\"party.japan.will ~ party.russia.will\" = -1.01",
            &["party.japan.will ~ party.russia.will", "-1.01", "[-1, 1]"],
        ),
        (
            "\"party.japan.wil ~ party.russia.will\" = 0.3",
            &["party.japan.wil is not a parameter", "party.japan.will"],
        ),
        // issue.security.leverage.us is a constant (0.2) in the baseline.
        (
            "\"issue.security.leverage.us ~ party.japan.will\" = 0.3",
            &["issue.security.leverage.us is a constant"],
        ),
        (
            "\"party.japan.will party.russia.will\" = 0.3",
            &["party.japan.will party.russia.will", "~"],
        ),
        (
            "\"party.japan.will ~ party.japan.will\" = 0.3",
            &["party.japan.will ~ party.japan.will", "itself"],
        ),
    ];
    for (lines, expect) in cases {
        let text = extending("baseline", lines).text();
        let dir = folder(&[("bad.toml", &text)]);
        let mut fragments = vec!["scenarios/bad.toml:"];
        fragments.extend_from_slice(expect);
        rejected(dir.path(), &["run", "bad", "--trials", "100"], &fragments);
        assert!(
            !dir.path().join("results").exists(),
            "{lines}: something was written"
        );
    }
    // The same checks apply to --set.
    let dir = folder(&[]);
    for (set, expect) in [
        (
            "correlations.party.japan.will ~ party.russia.will=2",
            "[-1, 1]",
        ),
        (
            "correlations.party.japan.will ~ issue.security.leverage.us=0.5",
            "issue.security.leverage.us is a constant",
        ),
    ] {
        let args = ["run", "baseline", "--trials", "100", "--set", set];
        rejected(dir.path(), &args, &["--set", expect]);
    }
    assert!(!dir.path().join("results").exists());
}

/// A child that names a parent's pair in the other order or spacing overrides it (a pair is
/// unordered), in a file and with `--set`; `show` prints the pair once, normalised, with the
/// child's value.
#[test]
fn a_child_overrides_a_pair_written_in_another_order() {
    let child = extending(
        "correlated",
        "\"party.russia.will ~ party.japan.will\" = -0.3",
    )
    .text();
    let spaced = extending(
        "correlated",
        "\"party.japan.will~party.russia.will\" = -0.3",
    )
    .text();
    let dir = folder(&[
        ("correlated.toml", &correlated()),
        ("child.toml", &child),
        ("spaced.toml", &spaced),
    ]);
    ok(dir.path(), &["check", "child", "spaced"]);
    let shown = |args: &[&str]| {
        let show = output(dir.path(), args);
        assert!(show.status.success(), "{args:?}");
        let shown: toml::Table = String::from_utf8_lossy(&show.stdout)
            .parse()
            .expect("show prints TOML");
        shown["correlations"]
            .as_table()
            .expect("[correlations]")
            .clone()
    };
    let set = [
        "show",
        "correlated",
        "--set",
        "correlations.party.russia.will ~ party.japan.will=0.6",
    ];
    for (args, rho) in [
        (&["show", "child"][..], -0.3),
        (&["show", "spaced"][..], -0.3),
        (&set[..], 0.6),
    ] {
        let table = shown(args);
        assert_eq!(table.len(), PAIRS.len(), "{args:?}: {table:?}");
        assert_eq!(
            table["party.japan.will ~ party.russia.will"].as_float(),
            Some(rho),
            "{args:?}: {table:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Precision stopping
// ---------------------------------------------------------------------------------------------

/// The 95% half-width of a summary row.
fn half_width(header: &[String], row: &[String]) -> f64 {
    (field(header, row, "ci95_high") - field(header, row, "ci95_low")) / 2.0
}

/// `summary.csv` and `timeline.csv` of `<out>/baseline`.
fn run_files(dir: &Path, out: &str) -> (Vec<u8>, Vec<u8>) {
    let folder = dir.join(out).join("baseline");
    (
        std::fs::read(folder.join("summary.csv")).expect("summary.csv"),
        std::fs::read(folder.join("timeline.csv")).expect("timeline.csv"),
    )
}

#[test]
fn precision_stops_at_the_half_width_reproducibly() {
    let dir = folder(&[]);
    let d = dir.path();
    let h = 0.002;
    let stderr = ok(
        d,
        &["run", "baseline", "--precision", "0.002", "--out", "p1"],
    );
    let (header, row) = one_row(&d.join("p1/baseline/summary.csv"));
    let trials = text(&header, &row, "trials").to_string();
    let n: u64 = trials.parse().expect("trials");
    let width = half_width(&header, &row);
    assert!(width <= h, "half-width {width} > {h} at {n} trials");
    // It stopped near the target, not far beyond it: at most about 4x the trials needed.
    assert!(
        width > h / 2.0,
        "half-width {width} far below {h}: {n} trials"
    );
    assert!(
        stderr.contains(&format!("{n} trials")),
        "stderr should report {n} trials: {stderr}"
    );

    // Reproducible: the same bytes again, and whatever the thread count.
    let first = run_files(d, "p1");
    for (out, threads) in [("p2", "2"), ("p3", "1")] {
        ok(
            d,
            &[
                "run",
                "baseline",
                "--precision",
                "0.002",
                "--threads",
                threads,
                "--out",
                out,
            ],
        );
        assert!(
            run_files(d, out) == first,
            "--threads {threads}: other bytes"
        );
    }
    // The trials used are the first n trials: a plain run of n trials writes the same files.
    ok(
        d,
        &["run", "baseline", "--trials", &trials, "--out", "plain"],
    );
    assert!(
        run_files(d, "plain") == first,
        "run --trials {n} differs from the --precision run"
    );

    // With --samples, one row per trial used, in order.
    ok(
        d,
        &[
            "run",
            "baseline",
            "--precision",
            "0.002",
            "--samples",
            "--out",
            "p4",
        ],
    );
    assert!(run_files(d, "p4") == first);
    let indices = columns(&d.join("p4/baseline/samples.csv"), &["trial"]).remove(0);
    assert_eq!(indices.len() as u64, n);
    assert!(indices.iter().enumerate().all(|(i, t)| *t == i as f64));
}

#[test]
fn max_trials_caps_precision_and_precision_excludes_trials() {
    let dir = folder(&[]);
    let d = dir.path();
    // A half-width no run of this size reaches: the cap is the trial count. 50000 is past the
    // first batch; 1000 is below it.
    for cap in ["50000", "1000"] {
        let out = format!("cap{cap}");
        ok(
            d,
            &[
                "run",
                "baseline",
                "--precision",
                "0.00001",
                "--max-trials",
                cap,
                "--out",
                &out,
            ],
        );
        let (header, row) = one_row(&d.join(&out).join("baseline/summary.csv"));
        assert_eq!(text(&header, &row, "trials"), cap);
        assert!(half_width(&header, &row) > 0.00001);
        let plain = format!("plain{cap}");
        ok(d, &["run", "baseline", "--trials", cap, "--out", &plain]);
        assert!(run_files(d, &out) == run_files(d, &plain), "cap {cap}");
    }
    rejected(
        d,
        &[
            "run",
            "baseline",
            "--precision",
            "0.002",
            "--trials",
            "1000",
        ],
        &["--precision", "--trials"],
    );
    assert!(!d.join("results").exists());
}

/// A half-width must be a positive finite number: `--precision 0`, `=-0.001` and `NaN` are
/// refused, rather than silently running to `--max-trials` (100,000,000 by default).
#[test]
fn precision_must_be_positive() {
    let dir = folder(&[]);
    for h in ["--precision=0", "--precision=-0.001", "--precision=NaN"] {
        rejected(
            dir.path(),
            &["run", "baseline", h, "--max-trials", "20000"],
            &["--precision"],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Sweeps
// ---------------------------------------------------------------------------------------------

/// Trials of every sweep check (and of the plain runs they are compared with).
const SWEEP_TRIALS: &str = "20000";

/// Runs `sweep baseline` over `params` and returns the header and rows of `file`.
fn sweep(dir: &Path, params: &[&str], file: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut args = vec!["sweep", "baseline", "--trials", SWEEP_TRIALS];
    for p in params {
        args.extend(["--param", *p]);
    }
    ok(dir, &args);
    read_csv(&dir.join("results/baseline").join(file))
}

/// The one-parameter sweep file's header.
fn sweep_header(keys: &[&str]) -> Vec<String> {
    let mut header = vec!["scenario"];
    header.extend_from_slice(keys);
    header.extend([
        "trials",
        "seed",
        "estimator",
        "probability",
        "std_error",
        "ci95_low",
        "ci95_high",
    ]);
    header.into_iter().map(String::from).collect()
}

/// A sweep's point as a plain run of the baseline on the sweeps' trials, with `sets` given to
/// `--set`: its summary's header and row.
fn sweep_point_as_a_run(dir: &Path, sets: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut args = vec!["run", "baseline", "--trials", SWEEP_TRIALS];
    for set in sets {
        args.extend(["--set", set]);
    }
    ok(dir, &args);
    one_row(&dir.join("results/baseline/summary.csv"))
}

#[test]
fn sweeping_the_concession_is_exactly_monotone_with_values_as_written() {
    let dir = folder(&[]);
    let key = "issue.security.concession";
    let (header, rows) = sweep(
        dir.path(),
        &["issue.security.concession=0:1:0.1"],
        "sweep-issue.security.concession.csv",
    );
    assert_eq!(header, sweep_header(&[key]));
    let values: Vec<&str> = rows.iter().map(|r| text(&header, r, key)).collect();
    assert_eq!(
        values,
        [
            "0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"
        ]
    );
    assert!(rows.iter().all(|r| r[0] == "baseline"));
    // More concession never lowers a trial's chance (the gap only shrinks) and every point runs
    // the same trials, so under the conditional estimator the curve is monotone exactly.
    let p = numbers(&header, &rows, "probability");
    for w in p.windows(2) {
        assert!(w[1] >= w[0], "not non-decreasing: {p:?}");
    }
    assert!(p[10] > 10.0 * p[0], "the concession should matter: {p:?}");

    // Common random numbers: the point 0.3 is a plain run with --set, byte for byte.
    let (sh, summary) = sweep_point_as_a_run(dir.path(), &["issue.security.concession=0.3"]);
    let point = &rows[3];
    for column in ["probability", "std_error", "ci95_low", "ci95_high"] {
        assert_eq!(
            text(&header, point, column),
            text(&sh, &summary, column),
            "{column} at {key} = 0.3"
        );
    }
}

#[test]
fn sweeping_the_demand_is_exactly_non_increasing() {
    let dir = folder(&[]);
    let (header, rows) = sweep(
        dir.path(),
        &["issue.security.demand=0.3,0.45,0.6,0.75,0.9,1"],
        "sweep-issue.security.demand.csv",
    );
    assert_eq!(header, sweep_header(&["issue.security.demand"]));
    let values: Vec<&str> = rows
        .iter()
        .map(|r| text(&header, r, "issue.security.demand"))
        .collect();
    assert_eq!(values, ["0.3", "0.45", "0.6", "0.75", "0.9", "1"]);
    let p = numbers(&header, &rows, "probability");
    for w in p.windows(2) {
        assert!(w[1] <= w[0], "not non-increasing: {p:?}");
    }
    assert!(p[0] > 2.0 * p[5], "the demand should matter: {p:?}");
}

#[test]
fn a_two_parameter_sweep_writes_the_grid() {
    let dir = folder(&[]);
    let (header, rows) = sweep(
        dir.path(),
        &["party.japan.will=0.2:0.8:0.3", "party.russia.will=0.2,0.6"],
        "sweep-party.japan.will-party.russia.will.csv",
    );
    assert_eq!(
        header,
        sweep_header(&["party.japan.will", "party.russia.will"])
    );
    let points: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                text(&header, r, "party.japan.will"),
                text(&header, r, "party.russia.will"),
            )
        })
        .collect();
    assert_eq!(
        points,
        [
            ("0.2", "0.2"),
            ("0.2", "0.6"),
            ("0.5", "0.2"),
            ("0.5", "0.6"),
            ("0.8", "0.2"),
            ("0.8", "0.6")
        ]
    );
    for row in &rows {
        let (p, low, high) = (
            field(&header, row, "probability"),
            field(&header, row, "ci95_low"),
            field(&header, row, "ci95_high"),
        );
        assert!(
            0.0 <= low && low <= p && p <= high && high <= 1.0,
            "{row:?}"
        );
    }
    // The point (0.5, 0.6) is a plain run with both values set, on the same trials.
    let sets = ["party.japan.will=0.5", "party.russia.will=0.6"];
    let (sh, summary) = sweep_point_as_a_run(dir.path(), &sets);
    assert_eq!(
        text(&header, &rows[3], "probability"),
        text(&sh, &summary, "probability")
    );
}

#[test]
fn invalid_sweeps_are_rejected_and_nothing_is_written() {
    let dir = folder(&[]);
    let cases: [(&[&str], &[&str]); 9] = [
        (
            &["party.japan.wil=0:1:0.1"],
            &["party.japan.wil", "not a parameter", "party.japan.will"],
        ),
        (&["party.japan.will=1:0:0.1"], &["1:0:0.1", "lo <= hi"]),
        (&["party.japan.will=0:1:0"], &["0:1:0", "step > 0"]),
        (
            &["party.japan.will=0:1:1e-7"],
            &[
                "--param party.japan.will=0:1:1e-7",
                "10000001 points",
                "at most 1000000",
            ],
        ),
        (
            &["party.japan.will=0:inf:0.1"],
            &["\"inf\" is not a finite number", "accepted"],
        ),
        (
            &["party.japan.will=0:1:1e-3", "party.russia.will=0:1:1e-3"],
            &["1002001 points", "at most 1000000"],
        ),
        (
            &["party.japan.will=0.5,1.5"],
            &["party.japan.will", "1.5", "[0, 1]"],
        ),
        (
            &[
                "party.japan.will=0.5",
                "party.russia.will=0.5",
                "issue.security.leverage.us=0.5",
            ],
            &["one or two"],
        ),
        (
            &["party.japan.will=0.2", "party.japan.will=0.5"],
            &["one or two"],
        ),
    ];
    for (params, expect) in cases {
        let mut args = vec!["sweep", "baseline", "--trials", "100"];
        for p in params {
            args.extend(["--param", *p]);
        }
        rejected(dir.path(), &args, expect);
        assert!(
            !dir.path().join("results").exists(),
            "{params:?}: something was written"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Paired comparison
// ---------------------------------------------------------------------------------------------

/// The baseline with a little more leverage.
fn more_leverage() -> String {
    ScenarioText::new()
        .set("extends", "\"baseline\"")
        .set("description", "\"a little more leverage\"")
        .set("issue.security.leverage.us", "0.25")
        .text()
}

/// The columns of `compare-A-vs-B.csv` (SPEC §8).
const COMPARE_HEADER: [&str; 11] = [
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

#[test]
fn compare_pairs_the_trials() {
    let dir = folder(&[("more_leverage.toml", &more_leverage())]);
    let d = dir.path();
    ok(
        d,
        &["compare", "baseline", "more_leverage", "--trials", "100000"],
    );
    let (header, row) = one_row(&d.join("results/compare-baseline-vs-more_leverage.csv"));
    assert_eq!(header, COMPARE_HEADER);
    assert_eq!(
        row[..4],
        ["baseline", "more_leverage", "100000", "20200120"]
    );
    let (pa, pb, diff, se) = (
        field(&header, &row, "probability_a"),
        field(&header, &row, "probability_b"),
        field(&header, &row, "difference"),
        field(&header, &row, "std_error"),
    );
    // difference = B − A: "more_leverage against baseline".
    assert!((diff - (pb - pa)).abs() <= EXACT, "{diff} != {pb} - {pa}");
    assert!(diff > 0.0, "more leverage should help: {diff}");
    let (low, high) = (
        field(&header, &row, "ci95_low"),
        field(&header, &row, "ci95_high"),
    );
    // Thousands of trials differ: the interval is about diff ± 1.96·se (a little wider where
    // the differences are skewed), not the few-trials interval with its room of 3/n.
    for half in [diff - low, high - diff] {
        assert!(
            (0.98 * 1.96 * se..=1.1 * 1.96 * se).contains(&half),
            "half-width {half} against 1.96·se = {}: {row:?}",
            1.96 * se
        );
    }

    // Each side is what `run` gives on the same trials and seed: the same trials, tallied in
    // fixed point, so equal up to the last bits of the tallies' quanta (1e-15).
    ok(
        d,
        &[
            "run",
            "baseline",
            "more_leverage",
            "--trials",
            "100000",
            "--out",
            "runs",
        ],
    );
    let (sh, a) = one_row(&d.join("runs/baseline/summary.csv"));
    let (_, b) = one_row(&d.join("runs/more_leverage/summary.csv"));
    for (column, run) in [("probability_a", &a), ("probability_b", &b)] {
        let (compared, alone) = (field(&header, &row, column), field(&sh, run, "probability"));
        assert!(
            (compared - alone).abs() <= 1e-15,
            "{column} = {compared}, run gives {alone}"
        );
    }

    // Pairing removes most of the noise: the paired standard error is well below the
    // standard error the difference of two independent runs would have.
    let unpaired = field(&sh, &a, "std_error").hypot(field(&sh, &b, "std_error"));
    assert!(
        se < 0.5 * unpaired,
        "paired se {se} not well below unpaired {unpaired}"
    );

    // And it estimates the same difference as two independent runs (other seeds): agreement
    // within SE_TOLERANCE standard errors of the two estimates' difference.
    ok(
        d,
        &[
            "run",
            "baseline",
            "--trials",
            "100000",
            "--seed",
            "1",
            "--out",
            "independent",
        ],
    );
    ok(
        d,
        &[
            "run",
            "more_leverage",
            "--trials",
            "100000",
            "--seed",
            "2",
            "--out",
            "independent",
        ],
    );
    let (ih, ia) = one_row(&d.join("independent/baseline/summary.csv"));
    let (_, ib) = one_row(&d.join("independent/more_leverage/summary.csv"));
    let independent = field(&ih, &ib, "probability") - field(&ih, &ia, "probability");
    let independent_se = field(&ih, &ia, "std_error").hypot(field(&ih, &ib, "std_error"));
    assert!(
        (diff - independent).abs() <= SE_TOLERANCE * se.hypot(independent_se),
        "paired {diff} vs independent {independent} (se {se}, {independent_se})"
    );
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero_within_the_room_of_no_event() {
    let dir = folder(&[]);
    ok(
        dir.path(),
        &["compare", "baseline", "baseline", "--trials", "10000"],
    );
    let (header, row) = one_row(&dir.path().join("results/compare-baseline-vs-baseline.csv"));
    assert_eq!(header, COMPARE_HEADER);
    assert_eq!(
        text(&header, &row, "probability_a"),
        text(&header, &row, "probability_b")
    );
    for column in ["difference", "std_error"] {
        assert_eq!(field(&header, &row, column), 0.0, "{column}: {row:?}");
    }
    // No trial differs: room on either side for a difference in trials too rare to have come
    // up, 1 − 0.05^(1/n) ≈ 3/n, not [0, 0].
    let (low, high) = (
        field(&header, &row, "ci95_low"),
        field(&header, &row, "ci95_high"),
    );
    assert_eq!(low, -high, "{row:?}");
    assert!((2.99e-4..3.0e-4).contains(&high), "{row:?}");
}

// ---------------------------------------------------------------------------------------------
// 5. Sensitivity
// ---------------------------------------------------------------------------------------------

/// Columns of `sensitivity.csv` and `sensitivity_bins.csv` (SPEC §8).
const SENSITIVITY_HEADER: [&str; 16] = [
    "scenario",
    "trials",
    "seed",
    "estimator",
    "parameter",
    "correlation",
    "first_order",
    "first_order_ci95_low",
    "first_order_ci95_high",
    "total_order",
    "total_order_ci95_low",
    "total_order_ci95_high",
    "probability",
    "probability_low",
    "probability_high",
    "swing",
];
const BINS_HEADER: [&str; 7] = [
    "scenario",
    "parameter",
    "bin",
    "bin_low",
    "bin_high",
    "trials",
    "probability",
];

/// A scenario whose only uncertain parameter is the concession, uniform on [0, 1]. With the
/// demand at 1 and no leverage, gap = 1 − C, so a trial's chance of a treaty is a smooth,
/// increasing function of C alone: p = logistic((C − 0.7)/0.3) at each summit, 12 months.
fn one_uncertain() -> String {
    ScenarioText::bilateral()
        .set("simulation.deadline", "\"2021-01\"")
        .dist("issue.security.concession", "uniform(0, 1)")
        .set("issue.security.demand", "1")
        .set("issue.security.leverage.us", "0")
        .set("process.decision_noise", "0.3")
        .text()
}

/// A Sobol index of a row: estimate and interval.
fn index(header: &[String], row: &[String], order: &str) -> (f64, f64, f64) {
    (
        field(header, row, order),
        field(header, row, &format!("{order}_ci95_low")),
        field(header, row, &format!("{order}_ci95_high")),
    )
}

/// The row of `parameter`.
fn row_of<'a>(header: &[String], rows: &'a [Vec<String>], parameter: &str) -> &'a [String] {
    rows.iter()
        .find(|r| text(header, r, "parameter") == parameter)
        .unwrap_or_else(|| panic!("no row {parameter}"))
}

/// Checks `sensitivity.csv` and `sensitivity_bins.csv` of `scenario` against each other and
/// SPEC §8: the columns; one row per uncertain parameter and one `chance` row, largest total
/// order first; the run's trials, seed, estimator and one probability on every row; every
/// interval around its estimate; no NaN anywhere; `chance` without correlation, bins or swing;
/// for each parameter at most `bins` bins numbered 1… lowest first, disjoint and increasing,
/// counts summing to `trials` (equal shares when `equal`: continuous draws whose pilot is every
/// trial), and the first and last bins' probabilities equal to probability_low and
/// probability_high. Returns the rows.
fn check_sensitivity(
    dir: &Path,
    scenario: &str,
    bins: usize,
    trials: usize,
    equal: bool,
) -> (Vec<String>, Vec<Vec<String>>) {
    let folder = dir.join("results").join(scenario);
    let (header, rows) = read_csv(&folder.join("sensitivity.csv"));
    assert_eq!(header, SENSITIVITY_HEADER);
    let (bh, bin_rows) = read_csv(&folder.join("sensitivity_bins.csv"));
    assert_eq!(bh, BINS_HEADER);
    for line in rows.iter().chain(&bin_rows) {
        assert!(!line.iter().any(|f| f.contains("NaN")), "{line:?}");
    }
    let totals = numbers(&header, &rows, "total_order");
    assert!(
        totals.windows(2).all(|w| w[0] >= w[1]),
        "not sorted: {totals:?}"
    );
    assert_eq!(
        rows.iter()
            .filter(|r| text(&header, r, "parameter") == "chance")
            .count(),
        1
    );
    let probability = text(&header, &rows[0], "probability");
    for row in &rows {
        assert_eq!(text(&header, row, "trials"), trials.to_string());
        assert_eq!(text(&header, row, "probability"), probability);
        for order in ["first_order", "total_order"] {
            let (estimate, low, high) = index(&header, row, order);
            assert!(low <= estimate && estimate <= high, "{order} {row:?}");
        }
        let parameter = text(&header, row, "parameter");
        let mine: Vec<&Vec<String>> = bin_rows
            .iter()
            .filter(|b| text(&bh, b, "parameter") == parameter)
            .collect();
        if parameter == "chance" {
            assert!(mine.is_empty());
            for column in [
                "correlation",
                "probability_low",
                "probability_high",
                "swing",
            ] {
                assert_eq!(text(&header, row, column), "", "chance {column}");
            }
            continue;
        }
        assert!(!mine.is_empty() && mine.len() <= bins, "{parameter}");
        let numbers: Vec<String> = mine.iter().map(|b| text(&bh, b, "bin").into()).collect();
        let expected: Vec<String> = (1..=mine.len()).map(|b| b.to_string()).collect();
        assert_eq!(numbers, expected, "{parameter}: bins out of order");
        let counts: Vec<usize> = mine
            .iter()
            .map(|b| text(&bh, b, "trials").parse().expect("count"))
            .collect();
        assert_eq!(counts.iter().sum::<usize>(), trials, "{parameter}");
        if equal {
            assert_eq!(mine.len(), bins, "{parameter}");
            assert!(counts.iter().all(|c| *c == trials / bins), "{counts:?}");
        }
        for (i, b) in mine.iter().enumerate() {
            let (low, high) = (field(&bh, b, "bin_low"), field(&bh, b, "bin_high"));
            assert!(low <= high, "{parameter} bin {}: {low} > {high}", i + 1);
            if let Some(next) = mine.get(i + 1) {
                let next_low = field(&bh, next, "bin_low");
                assert!(high < next_low, "{parameter} bin {}: overlaps", i + 1);
            }
        }
        assert_eq!(
            text(&header, row, "probability_low"),
            text(&bh, mine[0], "probability")
        );
        assert_eq!(
            text(&header, row, "probability_high"),
            text(&bh, mine[mine.len() - 1], "probability")
        );
        let swing = field(&header, row, "swing");
        let (low, high) = (
            field(&header, row, "probability_low"),
            field(&header, row, "probability_high"),
        );
        assert!((swing - (high - low)).abs() <= EXACT, "{row:?}");
        let r = field(&header, row, "correlation");
        assert!((-1.0..=1.0).contains(&r), "{row:?}");
    }
    (header, rows)
}

#[test]
fn one_uncertain_parameter_explains_everything() {
    let dir = folder(&[("one.toml", &one_uncertain())]);
    let d = dir.path();
    ok(d, &["sensitivity", "one"]);
    let trials = 20000;
    let (header, rows) = check_sensitivity(d, "one", 10, trials, true);
    assert_eq!(rows.len(), 2, "{rows:?}");
    // The outcome is a function of the concession alone (no walk, no event, no change of
    // leader): both its indices are 1 within their intervals, and chance's are exactly 0.
    let row = row_of(&header, &rows, "issue.security.concession");
    for order in ["first_order", "total_order"] {
        let (estimate, low, high) = index(&header, row, order);
        let se = (high - low) / (2.0 * 1.96);
        assert!(
            (estimate - 1.0).abs() <= SE_TOLERANCE * se && se < 0.05,
            "{order} {estimate} ± {se}"
        );
    }
    let chance = row_of(&header, &rows, "chance");
    for column in SENSITIVITY_HEADER[6..12].iter() {
        assert_eq!(field(&header, chance, column), 0.0, "chance {column}");
    }
    assert!(field(&header, row, "swing") > 0.0);
    assert!(field(&header, row, "correlation") > 0.0);

    let (bh, bins) = read_csv(&d.join("results/one/sensitivity_bins.csv"));
    // Quantile bins of uniform(0, 1) draws: edges near the tenths, within the KS bound.
    let bound = 1.95 / (trials as f64).sqrt();
    for (i, b) in bins.iter().enumerate() {
        let edge = (i + 1) as f64 / 10.0;
        let high = field(&bh, b, "bin_high");
        assert!((high - edge).abs() < bound, "bin {}: high {high}", i + 1);
    }
    // The outcome rises with the concession, so the bin probabilities rise too (exactly:
    // every trial of a higher bin has a higher draw), and their trial-weighted mean is the
    // overall probability of `run` on the same trials, which is the file's own probability to
    // the digit.
    let p = numbers(&bh, &bins, "probability");
    assert!(p.windows(2).all(|w| w[1] >= w[0]), "{p:?}");
    ok(d, &["run", "one"]);
    let (sh, summary) = one_row(&d.join("results/one/summary.csv"));
    let mean = p.iter().sum::<f64>() / p.len() as f64;
    let overall = field(&sh, &summary, "probability");
    assert!((mean - overall).abs() <= EXACT, "{mean} vs {overall}");
    assert_eq!(
        text(&header, row, "probability"),
        text(&sh, &summary, "probability")
    );
}

/// The uncertain parameters of the baseline, from `treatysim show baseline`: those written as
/// distribution strings rather than numbers. Every parameter of the baseline's cast is looked
/// up in the printed TOML by its full key (`issue.security.leverage.us` is
/// `[issue.security] leverage = { us = … }`).
fn uncertain_in_show(dir: &Path) -> Vec<String> {
    let out = output(dir, &["show", "baseline"]);
    assert!(out.status.success());
    let shown: toml::Value = String::from_utf8_lossy(&out.stdout)
        .parse::<toml::Table>()
        .expect("show prints TOML")
        .into();
    let scenario = Catalog::new(dir.join("scenarios"))
        .load("baseline", &[])
        .expect("baseline");
    assert_eq!(scenario.cast.len(), 12, "the baseline's parameters");
    scenario
        .cast
        .keys()
        .filter(|key| {
            key.split('.')
                .fold(&shown, |table, part| {
                    table
                        .get(part)
                        .unwrap_or_else(|| panic!("show prints no {key}"))
                })
                .is_str()
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn baseline_sensitivity_has_every_uncertain_parameter_and_chance() {
    let dir = folder(&[]);
    let d = dir.path();
    let uncertain = uncertain_in_show(d);
    assert!(!uncertain.contains(&"issue.security.leverage.us".to_string()));
    assert_eq!(uncertain.len(), 11, "{uncertain:?}");

    for estimator in ["conditional", "indicator"] {
        let args = [
            "sensitivity",
            "baseline",
            "--trials",
            "50000",
            "--estimator",
            estimator,
        ];
        ok(d, &args);
        let (header, rows) = check_sensitivity(d, "baseline", 10, 50000, true);
        assert!(
            rows.iter()
                .all(|r| text(&header, r, "estimator") == estimator),
            "{estimator}"
        );
        let swing = |key: &str| field(&header, row_of(&header, &rows, key), "swing");
        assert!(swing("issue.security.concession") > 0.0);
        assert!(swing("issue.security.demand") < 0.0);
        let mut listed: Vec<String> = rows
            .iter()
            .map(|r| text(&header, r, "parameter").to_string())
            .filter(|p| p != "chance")
            .collect();
        listed.sort();
        let mut expected = uncertain.clone();
        expected.sort();
        assert_eq!(
            listed, expected,
            "each uncertain parameter once, no constant"
        );
        // The walk, the event and the change of leader matter, and under the indicator the
        // summit and signing coins too: chance's total order is well above 0.
        let (total, low, _) = index(&header, row_of(&header, &rows, "chance"), "total_order");
        assert!(total > 0.1 && low > 0.0, "{estimator}: chance {total}");
        // The probability is `run`'s on the same trials, to the digit.
        ok(
            d,
            &[
                "run",
                "baseline",
                "--trials",
                "50000",
                "--estimator",
                estimator,
            ],
        );
        let (sh, summary) = one_row(&d.join("results/baseline/summary.csv"));
        assert_eq!(
            text(&header, &rows[0], "probability"),
            text(&sh, &summary, "probability")
        );
    }

    // The bins shape the tornado only: the Sobol columns are the same for any --bins, even
    // --bins 1000 on 1000 trials (one trial a bin), where the binned index of earlier versions
    // gave every parameter 1.
    for trials in ["50000", "1000"] {
        let indices = |bins: &str| {
            ok(
                d,
                &[
                    "sensitivity",
                    "baseline",
                    "--trials",
                    trials,
                    "--bins",
                    bins,
                ],
            );
            let n: usize = trials.parse().expect("trials");
            let (header, mut rows) =
                check_sensitivity(d, "baseline", bins.parse().expect("bins"), n, true);
            assert_eq!(rows.len(), uncertain.len() + 1);
            rows.sort();
            rows.iter()
                .map(|r| {
                    SENSITIVITY_HEADER[4..13]
                        .iter()
                        .map(|c| text(&header, r, c).to_string())
                        .collect()
                })
                .collect::<Vec<Vec<String>>>()
        };
        let few = indices("5");
        assert_eq!(
            few,
            indices(if trials == "1000" { "1000" } else { "10" }),
            "{trials}"
        );
    }
}

/// More trials than the pilot: the bins come from the first 65,536 trials, hold roughly equal
/// shares of all of them, and sum to every trial.
#[test]
fn bins_from_the_pilot_cover_every_trial() {
    let dir = folder(&[("one.toml", &one_uncertain())]);
    let d = dir.path();
    ok(
        d,
        &["sensitivity", "one", "--trials", "200000", "--bins", "4"],
    );
    check_sensitivity(d, "one", 4, 200000, false);
    let (bh, bins) = read_csv(&d.join("results/one/sensitivity_bins.csv"));
    for b in &bins {
        // A quarter of uniform draws, within the pilot's binomial error on each edge.
        let share = field(&bh, b, "trials") / 200000.0;
        let se = (0.25 * 0.75 / 65536.0f64).sqrt();
        assert!((share - 0.25).abs() < SE_TOLERANCE * 2.0 * se, "{b:?}");
    }
}

/// A parameter that enters nothing (an outside party's indifference where its leverage is 0)
/// has Sobol indices of exactly 0, within their intervals; under the indicator estimator too.
#[test]
fn a_parameter_that_does_not_enter_the_model_has_indices_of_zero() {
    let inert = ScenarioText::bilateral()
        .dist("party.japan.will", "beta(6, 3)")
        .dist("party.us.indifference", "uniform(0, 1)")
        .set("issue.security.leverage.us", "0")
        .set("process.will_volatility", "0.05")
        .text();
    let dir = folder(&[("inert.toml", &inert)]);
    let d = dir.path();
    for estimator in ["conditional", "indicator"] {
        ok(d, &["sensitivity", "inert", "--estimator", estimator]);
        let (header, rows) = check_sensitivity(d, "inert", 10, 20000, true);
        let row = row_of(&header, &rows, "party.us.indifference");
        for order in ["first_order", "total_order"] {
            let (estimate, low, high) = index(&header, row, order);
            assert_eq!(estimate, 0.0, "{estimator} {order}");
            assert!(low <= 0.0 && 0.0 <= high);
        }
        let will = row_of(&header, &rows, "party.japan.will");
        assert!(index(&header, will, "total_order").1 > 0.0, "{estimator}");
    }
}

/// A one-month scenario whose indices are known in closed form. At t = 0 there is no walk,
/// no issue makes a gap, and with s = 1e-100 the signing probability is a step:
/// y = λ · 1{W_a > 0.5} · 1{W_b > 0.5} under the conditional estimator, a product of three
/// independent factors f₁(λ) f₂(W_a) f₃(W_b), λ and W_a uniform on [0, 1], W_b on [0.25, 1];
/// party o's indifference enters nothing. For a product, V = Π E[fᵢ²] − Π E[fᵢ]²,
/// Vᵢ = Var(fᵢ) Π_{j≠i} E[fⱼ]² and V_Tᵢ = Var(fᵢ) Π_{j≠i} E[fⱼ²], which give
/// S = (1/9, 1/3, 1/6) and T = (1/3, 2/3, 4/9). `bench/salib_agreement.py` evaluates the same
/// function on SALib's Saltelli sample and estimates the indices with SALib's Saltelli and
/// Jansen estimators: its figures are pinned here.
fn known_indices() -> String {
    ScenarioText::new()
        .set("description", "\"known Sobol indices\"")
        .set("simulation.start", "\"2020-01\"")
        .set("simulation.deadline", "\"2020-02\"")
        .set("simulation.trials", "100000")
        .set("simulation.seed", "11")
        .dist("party.a.will", "uniform(0, 1)")
        .dist("party.b.will", "uniform(0.25, 1)")
        .set("party.o.role", "\"outside\"")
        .dist("party.o.indifference", "uniform(0, 1)")
        .dist("process.summit_rate", "uniform(0, 1)")
        .set("process.will_volatility", "0")
        .set("process.signing_threshold", "0.5")
        .set("process.decision_noise", "1e-100")
        .text()
}

/// The known indices (first, total) by parameter, and SALib's estimates with their 95%
/// half-widths, from `python3 bench/salib_agreement.py` (N = 2¹⁶, seed 1).
/// SALib's first order, its 95% half-width, total order and its half-width.
type Salib = (f64, f64, f64, f64);

const KNOWN: [(&str, (f64, f64), Salib); 4] = [
    (
        "process.summit_rate",
        (1.0 / 9.0, 1.0 / 3.0),
        SALIB_SUMMIT_RATE,
    ),
    ("party.a.will", (1.0 / 3.0, 2.0 / 3.0), SALIB_A_WILL),
    ("party.b.will", (1.0 / 6.0, 4.0 / 9.0), SALIB_B_WILL),
    ("party.o.indifference", (0.0, 0.0), SALIB_O_INDIFFERENCE),
];
const SALIB_SUMMIT_RATE: Salib = (
    0.11187491526368927,
    0.006485337351323086,
    0.3332423592661977,
    0.006145980191206415,
);
const SALIB_A_WILL: Salib = (
    0.3327529974856608,
    0.007909814525340295,
    0.6666712360251359,
    0.010534424316003746,
);
const SALIB_B_WILL: Salib = (
    0.16658479507233884,
    0.00606018071207545,
    0.44437404579547396,
    0.009172661879673069,
);
const SALIB_O_INDIFFERENCE: Salib = (0.0, 0.0, 0.0, 0.0);

#[test]
fn indices_agree_with_their_known_values_and_with_salib() {
    let dir = folder(&[("known.toml", &known_indices())]);
    let d = dir.path();
    ok(d, &["sensitivity", "known"]);
    let (header, rows) = check_sensitivity(d, "known", 10, 100000, false);
    for (parameter, (first, total), (salib_first, first_half, salib_total, total_half)) in KNOWN {
        let row = row_of(&header, &rows, parameter);
        for (order, truth, salib, salib_half) in [
            ("first_order", first, salib_first, first_half),
            ("total_order", total, salib_total, total_half),
        ] {
            let (estimate, low, high) = index(&header, row, order);
            let se = (high - low) / (2.0 * 1.96);
            assert!(
                (estimate - truth).abs() <= SE_TOLERANCE * se,
                "{parameter} {order}: {estimate} ± {se}, known {truth}"
            );
            let salib_se = salib_half / 1.96;
            assert!(
                (estimate - salib).abs() <= SE_TOLERANCE * se.hypot(salib_se),
                "{parameter} {order}: {estimate} ± {se}, SALib {salib} ± {salib_se}"
            );
            if truth == 0.0 {
                assert_eq!(estimate, 0.0, "{parameter} enters nothing");
            }
        }
    }
    let chance = row_of(&header, &rows, "chance");
    assert_eq!(field(&header, chance, "total_order"), 0.0, "no randomness");
}

/// Heavy tails and atoms: a lognormal(0, 17) volatility, whose draws reach 1e30 and beyond,
/// and betas with all their mass at 0 (beta(1e-100, 1)) or at 0 and 1 (beta(0.001, 0.001)).
/// No sum wraps, nothing is NaN, atoms merge bins, and the tornado plots.
#[test]
fn extreme_draws_give_finite_statistics_and_a_plot() {
    let wild = ScenarioText::bilateral()
        .dist("party.japan.will", "beta(6, 3)")
        .dist("process.will_volatility", "lognormal(0, 17)")
        .dist("party.russia.will", "beta(0.001, 0.001)")
        .dist("issue.security.concession", "beta(1e-100, 1)")
        .text();
    let dir = folder(&[("wild.toml", &wild)]);
    let d = dir.path();
    ok(d, &["sensitivity", "wild", "--trials", "100000"]);
    let (header, rows) = check_sensitivity(d, "wild", 10, 100000, false);
    // Almost every volatility clamps the will to 0 or 1 from the second month on, so the
    // volatility's draw barely matters: its correlation with the outcome is near 0 (an i128
    // sum of squares once wrapped and reported 0.19).
    let r = field(
        &header,
        row_of(&header, &rows, "process.will_volatility"),
        "correlation",
    );
    assert!(r.abs() < 0.02, "correlation {r}");
    let (bh, bins) = read_csv(&d.join("results/wild/sensitivity_bins.csv"));
    let count = |key: &str| {
        bins.iter()
            .filter(|b| text(&bh, b, "parameter") == key)
            .count()
    };
    assert_eq!(count("issue.security.concession"), 1, "every draw is 0");
    // A quarter of beta(0.001, 0.001)'s draws are exactly 0 and half are 1: tied edges merge.
    assert!(count("party.russia.will") < 10, "tied bins merge");
    ok(d, &["plot", "wild"]);
    assert!(d.join("results/wild/sensitivity.svg").is_file());
}

// ---------------------------------------------------------------------------------------------
// 6. Progress bar
// ---------------------------------------------------------------------------------------------

#[test]
fn no_progress_bar_in_pipes() {
    let dir = folder(&[("more_leverage.toml", &more_leverage())]);
    let d = dir.path();
    let commands: [&[&str]; 4] = [
        &["run", "baseline", "--trials", "300000"],
        &[
            "sweep",
            "baseline",
            "--trials",
            "100000",
            "--param",
            "issue.security.leverage.us=0,0.5",
        ],
        &["compare", "baseline", "more_leverage", "--trials", "100000"],
        &["sensitivity", "baseline", "--trials", "100000"],
    ];
    for args in commands {
        // assert_cmd captures stderr through a pipe, which is not a terminal.
        let out = output(d, args);
        assert!(out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: stdout not clean");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains('\r'),
            "{args:?}: carriage return: {stderr:?}"
        );
        assert!(
            !stderr.contains("\x1b["),
            "{args:?}: ANSI escape: {stderr:?}"
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
    }
}
