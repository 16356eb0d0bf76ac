//! Provenance (SPEC §6, issue #12 item 1) and scoring (SPEC §8, issue #11 item 4): `run.toml`
//! beside every run and analysis, the `overrides` column, `--as LABEL`, and `treatysim score`
//! checked against values computed by hand from the files it reads.

use crate::common;

use common::{field, ok_shipped, read_csv, rejected_shipped};
use std::path::Path;
use treatysim::export::RunToml;

fn run_toml(folder: &Path) -> RunToml {
    RunToml::read(&folder.join("run.toml"))
        .expect("a treatysim run.toml")
        .expect("run.toml exists")
}

/// Every file `run.toml` lists is beside it with that SHA-256.
fn assert_hashes(folder: &Path, toml: &RunToml) {
    for (file, hash) in &toml.files {
        let bytes = std::fs::read(folder.join(file)).expect("listed file");
        assert_eq!(&treatysim::digest::sha256_hex(&bytes), hash, "{file}");
    }
}

/// A run with `--set` records it in `run.toml` and in the summaries' `overrides` column;
/// `--as` files it beside the scenario's own results, which stay as they were.
#[test]
fn runs_record_what_produced_them_and_variants_keep_their_own_folder() {
    let dir = tempfile::tempdir().expect("folder");
    let d = dir.path();
    ok_shipped(d, &["run", "baseline", "--trials", "2000", "--samples"]);
    let baseline = common::snapshot(&d.join("results/baseline"));
    let sets = ["party.japan.will=0.7", "process.summit_rate=0.4"];
    ok_shipped(
        d,
        &[
            "run", "baseline", "--trials", "1000", "--seed", "5", "--set", sets[0], "--set",
            sets[1], "--as", "hawk",
        ],
    );
    assert_eq!(common::snapshot(&d.join("results/baseline")), baseline);
    let toml = run_toml(&d.join("results/hawk"));
    let record = toml.run.clone().expect("the run's keys");
    assert_eq!(toml.label, "hawk");
    assert_eq!(record.scenario, "baseline");
    assert_eq!(record.trials, 1000);
    assert_eq!(record.seed, 5);
    assert_eq!(record.estimator, "conditional");
    assert_eq!(record.overrides, sets);
    assert_eq!(record.command[..3], ["treatysim", "run", "baseline"]);
    assert!(
        record.resolved.contains("summit_rate = 0.4"),
        "{}",
        record.resolved
    );
    assert_eq!(
        toml.files.keys().collect::<Vec<_>>(),
        ["summary.csv", "timeline.csv"]
    );
    assert_hashes(&d.join("results/hawk"), &toml);
    let with_samples = run_toml(&d.join("results/baseline"));
    assert!(with_samples.files.contains_key("samples.csv"));
    assert_hashes(&d.join("results/baseline"), &with_samples);
    // The overrides column: last, joined by "; ", empty without --set.
    let (header, rows) = read_csv(&d.join("results/summary.csv"));
    assert_eq!(header.last().map(String::as_str), Some("overrides"));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], "baseline");
    assert_eq!(rows[0].last().map(String::as_str), Some(""));
    assert_eq!(rows[1][0], "hawk");
    assert_eq!(
        rows[1].last().map(String::as_str),
        Some(sets.join("; ").as_str())
    );
    let (_, own) = read_csv(&d.join("results/hawk/summary.csv"));
    assert_eq!(own[0], rows[1]);
}

/// `--as` refuses a label that is another scenario's name, a folder holding another scenario's
/// results, an invalid label, and several scenarios at once; nothing is written.
#[test]
fn labels_never_collide_silently() {
    let dir = tempfile::tempdir().expect("folder");
    let d = dir.path();
    let run = ["run", "baseline", "--trials", "500"];
    rejected_shipped(
        d,
        &[&run[..], &["--as", "mason"]].concat(),
        &["--as mason", "another scenario"],
    );
    rejected_shipped(
        d,
        &[&run[..], &["--as", "../x"]].concat(),
        &["--as", "../x"],
    );
    rejected_shipped(
        d,
        &["run", "baseline", "mason", "--as", "both"],
        &["--as", "one scenario"],
    );
    assert!(!d.join("results").exists());
    ok_shipped(d, &["run", "mason", "--trials", "500", "--as", "variant"]);
    rejected_shipped(
        d,
        &[&run[..], &["--as", "variant"]].concat(),
        &["variant", "holds results of scenario 'mason'", "--as LABEL"],
    );
    rejected_shipped(
        d,
        &[
            "sweep",
            "baseline",
            "--param",
            "party.japan.will=0.5",
            "--as",
            "variant",
        ],
        &["holds results of scenario 'mason'"],
    );
    // The same scenario may be rerun under its label.
    ok_shipped(d, &["run", "mason", "--trials", "600", "--as", "variant"]);
}

/// Sweeps and sensitivity analyses each get an `[outputs.NAME]` table, published with their
/// files; a later run replaces the run's keys and keeps them, and the analyses' CSV files carry
/// trials, seed and estimator.
#[test]
fn analyses_are_recorded_beside_the_run() {
    let dir = tempfile::tempdir().expect("folder");
    let d = dir.path();
    ok_shipped(d, &["run", "baseline", "--trials", "500"]);
    ok_shipped(
        d,
        &[
            "sweep",
            "baseline",
            "--param",
            "party.japan.will=0.2,0.8",
            "--trials",
            "400",
            "--seed",
            "3",
            "--estimator",
            "indicator",
        ],
    );
    ok_shipped(
        d,
        &["sensitivity", "baseline", "--trials", "300", "--bins", "3"],
    );
    ok_shipped(d, &["run", "baseline", "--trials", "700"]);
    let folder = d.join("results/baseline");
    let toml = run_toml(&folder);
    assert_eq!(toml.run.as_ref().map(|r| r.trials), Some(700));
    let sweep = &toml.outputs["sweep-party.japan.will"];
    assert_eq!(sweep.files, ["sweep-party.japan.will.csv"]);
    assert_eq!(
        (
            sweep.record.trials,
            sweep.record.seed,
            sweep.record.estimator.as_str()
        ),
        (400, 3, "indicator")
    );
    assert_eq!(sweep.record.command[1], "sweep");
    let sensitivity = &toml.outputs["sensitivity"];
    assert_eq!(
        sensitivity.files,
        ["sensitivity.csv", "sensitivity_bins.csv"]
    );
    assert_eq!(sensitivity.record.trials, 300);
    assert_eq!(toml.files.len(), 5, "{:?}", toml.files.keys());
    assert_hashes(&folder, &toml);
    for (file, trials, seed, estimator) in [
        ("sweep-party.japan.will.csv", 400.0, 3.0, "indicator"),
        ("sensitivity.csv", 300.0, 20200120.0, "conditional"),
    ] {
        let (header, rows) = read_csv(&folder.join(file));
        assert_eq!(field(&header, &rows[0], "trials"), trials, "{file}");
        assert_eq!(field(&header, &rows[0], "seed"), seed, "{file}");
        let column = header.iter().position(|h| h == "estimator").expect(file);
        assert!(rows.iter().all(|r| r[column] == estimator), "{file}");
    }
}

/// Merged shards get the unsharded files and a `run.toml` that records the merge's command
/// line and the shards' own, the overrides included.
#[test]
fn merged_shards_record_both_command_lines() {
    let dir = tempfile::tempdir().expect("folder");
    let d = dir.path();
    let split = [
        "run",
        "baseline",
        "--trials",
        "1000",
        "--set",
        "party.japan.will=0.6",
        "--as",
        "split",
    ];
    for shard in ["1/2", "2/2"] {
        ok_shipped(d, &[&split[..], &["--shard", shard]].concat());
    }
    ok_shipped(d, &["merge", "split"]);
    let toml = run_toml(&d.join("results/split"));
    let record = toml.run.clone().expect("run");
    assert_eq!(record.command[..3], ["treatysim", "merge", "split"]);
    assert_eq!(toml.shard_command[..3], ["treatysim", "run", "baseline"]);
    assert_eq!(record.scenario, "baseline");
    assert_eq!(record.overrides, ["party.japan.will=0.6"]);
    assert_eq!(record.trials, 1000);
    assert_hashes(&d.join("results/split"), &toml);
    ok_shipped(d, &[&split[..], &["--out", "whole"]].concat());
    let whole = run_toml(&d.join("whole/split"));
    assert_eq!(
        whole.files, toml.files,
        "merged files differ from the unsharded run's"
    );
}

/// A root `summary.csv` written before the `overrides` column is read, and rewritten with it.
#[test]
fn summaries_without_the_overrides_column_are_upgraded() {
    let dir = tempfile::tempdir().expect("folder");
    let d = dir.path();
    std::fs::create_dir(d.join("results")).expect("folder");
    std::fs::write(
        d.join("results/summary.csv"),
        "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high\n\
         old,conditional,10,1,2020-01,2021-09,0.5,0.1,0.3,0.7\n",
    )
    .expect("write");
    ok_shipped(d, &["run", "mason", "--trials", "300"]);
    let (header, rows) = read_csv(&d.join("results/summary.csv"));
    assert_eq!(header.len(), 11);
    assert_eq!(rows[1][..2], ["old".to_string(), "conditional".to_string()]);
    assert_eq!(rows[1][10], "");
}

/// `compare --as LABEL` writes `compare-LABEL.csv` beside the pair's own file.
#[test]
fn comparisons_under_a_label_keep_the_pairs_file() {
    let dir = tempfile::tempdir().expect("folder");
    let d = dir.path();
    ok_shipped(d, &["compare", "baseline", "mason", "--trials", "500"]);
    let pair = std::fs::read(d.join("results/compare-baseline-vs-mason.csv")).expect("pair");
    ok_shipped(
        d,
        &[
            "compare",
            "baseline",
            "mason",
            "--trials",
            "500",
            "--set",
            "party.japan.will=0.9",
            "--as",
            "hawks",
        ],
    );
    assert!(d.join("results/compare-hawks.csv").is_file());
    assert_eq!(
        std::fs::read(d.join("results/compare-baseline-vs-mason.csv")).expect("pair"),
        pair
    );
    rejected_shipped(
        d,
        &["compare", "baseline", "mason", "--as", "a-vs-b"],
        &["a-vs-b"],
    );
}

/// `score` after `run --all`: every shipped scenario resolves "not signed", and each row
/// matches the formulas applied by hand to the run's own files.
#[test]
fn scores_match_the_formulas_on_the_runs_files() {
    let dir = tempfile::tempdir().expect("folder");
    let d = dir.path();
    ok_shipped(d, &["run", "--all", "--trials", "2000"]);
    ok_shipped(d, &["score"]);
    let (header, rows) = read_csv(&d.join("results/scores.csv"));
    assert_eq!(
        header,
        [
            "scenario",
            "probability",
            "outcome",
            "brier",
            "log_score",
            "time_averaged_brier",
            "months_scored"
        ]
    );
    assert_eq!(rows.len(), 7);
    assert!(!d.join("results/calibration.csv").exists());
    for row in &rows {
        let name = &row[0];
        let (sh, summary) = read_csv(&d.join("results").join(name).join("summary.csv"));
        let p = field(&sh, &summary[0], "probability");
        assert_eq!(field(&header, row, "probability"), p);
        assert_eq!(row[2], "not signed");
        assert_eq!(field(&header, row, "brier"), p * p);
        assert_eq!(field(&header, row, "log_score"), (1.0 - p).ln());
        let (th, timeline) = read_csv(&d.join("results").join(name).join("timeline.csv"));
        let f: Vec<f64> = timeline
            .iter()
            .map(|r| field(&th, r, "cumulative_probability"))
            .collect();
        let last = f[f.len() - 1];
        let mut sum = 0.0;
        for t in 0..f.len() {
            let before = if t == 0 { 0.0 } else { f[t - 1] };
            let remaining = (last - before) / (1.0 - before);
            sum += remaining * remaining;
        }
        let hand = sum / f.len() as f64;
        let written = field(&header, row, "time_averaged_brier");
        assert!(
            (written - hand).abs() <= 1e-12 * hand.max(1e-300),
            "{name}: {written} vs {hand}"
        );
        assert_eq!(field(&header, row, "months_scored"), 20.0);
    }
}

/// A signed resolution scores over the months up to the signing month; with ten runs the
/// calibration table is written, one row per tenth, counting every run once.
#[test]
fn signed_resolutions_and_calibration() {
    let base = std::fs::read_to_string(common::shipped_scenarios().join("baseline.toml"))
        .expect("baseline");
    let signed = base.replace(
        "outcome = \"not signed\"",
        "outcome = \"signed\"\nmonth = \"2020-03\"",
    );
    let dir = common::workdir(&[("signed.toml", &signed)]);
    let d = dir.path();
    let run = |args: &[&str]| {
        let output = common::treatysim(d).args(args).output().expect("runs");
        assert!(output.status.success(), "{output:?}");
    };
    for k in 0..10 {
        let will = format!("party.russia.will={}", 0.1 * f64::from(k) + 0.05);
        let label = format!("v{k}");
        run(&[
            "run", "signed", "--trials", "500", "--set", &will, "--as", &label,
        ]);
    }
    run(&["score"]);
    let (header, rows) = read_csv(&d.join("results/scores.csv"));
    assert_eq!(rows.len(), 10);
    for row in &rows {
        assert_eq!(row[2], "signed");
        assert_eq!(field(&header, row, "months_scored"), 3.0);
        let p = field(&header, row, "probability");
        assert_eq!(field(&header, row, "brier"), (p - 1.0) * (p - 1.0));
        assert_eq!(field(&header, row, "log_score"), p.ln());
    }
    let (header, bins) = read_csv(&d.join("results/calibration.csv"));
    assert_eq!(
        header,
        [
            "bin_low",
            "bin_high",
            "runs",
            "mean_forecast",
            "observed_frequency"
        ]
    );
    assert_eq!(bins.len(), 10);
    let runs: f64 = bins.iter().map(|b| field(&header, b, "runs")).sum();
    assert_eq!(runs, 10.0);
    for b in bins.iter().filter(|b| b[2] != "0") {
        assert_eq!(field(&header, b, "observed_frequency"), 1.0);
    }
}

/// Runs whose scenario changed since, runs without `run.toml` and files edited since are
/// refused with advice to rerun; runs without a resolution are skipped, saying so.
#[test]
fn score_refuses_what_it_cannot_vouch_for() {
    let base = std::fs::read_to_string(common::shipped_scenarios().join("baseline.toml"))
        .expect("baseline");
    let open = base.replace("[resolution]\noutcome = \"not signed\"\n", "");
    assert_ne!(open, base);
    let dir = common::workdir(&[("baseline.toml", &base), ("open.toml", &open)]);
    let d = dir.path();
    let treatysim = |args: &[&str]| common::treatysim(d).args(args).output().expect("runs");
    for name in ["baseline", "open"] {
        assert!(
            treatysim(&["run", name, "--trials", "300"])
                .status
                .success()
        );
    }
    let output = treatysim(&["score"]);
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("skipped open: scenario 'open' has no [resolution]"),
        "{stderr}"
    );
    let output = treatysim(&["score", "open"]);
    assert_eq!(output.status.code(), Some(2));
    // The scenario changed since the run.
    let changed = base.replace("will = \"beta(6, 3)\"", "will = \"beta(6, 4)\"");
    assert_ne!(changed, base);
    std::fs::write(d.join("scenarios/baseline.toml"), &changed).expect("write");
    let output = treatysim(&["score", "baseline"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("changed since it was run") && stderr.contains("rerun"),
        "{stderr}"
    );
    std::fs::write(d.join("scenarios/baseline.toml"), &base).expect("write");
    assert!(treatysim(&["score", "baseline"]).status.success());
    // A file edited since.
    let timeline = d.join("results/baseline/timeline.csv");
    let text = std::fs::read_to_string(&timeline).expect("timeline");
    std::fs::remove_file(&timeline).expect("unlink");
    std::fs::write(&timeline, text.replacen(",2020-01,", ",2020-01,1", 1)).expect("write");
    let output = treatysim(&["score", "baseline"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("SHA-256"));
    // Two months swapped, and run.toml's checksum recomputed to match (a forger's reseal): each
    // remaining probability is scored as its month's, so rows out of order are refused.
    let mut lines: Vec<&str> = text.lines().collect();
    lines.swap(2, 3);
    let swapped = lines.join("\n") + "\n";
    let run_toml = d.join("results/baseline/run.toml");
    let record = std::fs::read_to_string(&run_toml).expect("run.toml");
    let old_digest = treatysim::digest::sha256_hex(text.as_bytes());
    let new_digest = treatysim::digest::sha256_hex(swapped.as_bytes());
    assert!(record.contains(&old_digest), "{record}");
    std::fs::write(&run_toml, record.replace(&old_digest, &new_digest)).expect("write");
    std::fs::remove_file(&timeline).expect("unlink");
    std::fs::write(&timeline, &swapped).expect("write");
    let output = treatysim(&["score", "baseline"]);
    let (code, stderr) = common::code_and_stderr(&output);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "timeline.csv:3: month: 2020-03 in row 2, where the window's month 2 is 2020-02"
        ) && stderr.contains("in order from 2020-01"),
        "{stderr}"
    );
    // No run.toml: an older treatysim.
    std::fs::remove_file(d.join("results/baseline/run.toml")).expect("unlink");
    let output = treatysim(&["score", "baseline"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no run.toml") && stderr.contains("rerun"),
        "{stderr}"
    );
}
