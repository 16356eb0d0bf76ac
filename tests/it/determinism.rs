//! Reproducibility and output safety of `treatysim run` (SPEC §5, §6, §7), through the binary.
//!
//! Every test works in a fresh temporary folder and reads the shipped scenarios in place
//! (`--scenarios <crate>/scenarios`) unless it needs a scenario of its own: the general cast
//! of `ScenarioText::multilateral` (three signatories, two issues, two outside parties,
//! `leader_exit` events) for the thread, shard and common-random-number checks.

use crate::common;

use common::{
    ScenarioText, field, outside_shards, read_csv, run_ok, shipped_scenarios, snapshot, treatysim,
    workdir,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use treatysim::scenario::Catalog;

const ESTIMATORS: [&str; 2] = ["conditional", "indicator"];

/// The shipped scenario files as (file name, text).
fn shipped_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(shipped_scenarios())
        .expect("shipped scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}

/// The shipped scenario names, sorted.
fn shipped_names() -> Vec<String> {
    shipped_files()
        .into_iter()
        .map(|(f, _)| f.trim_end_matches(".toml").to_string())
        .collect()
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------------------------

/// SPEC §5: output bytes do not depend on `--threads`. 50 001 trials are 13 blocks of 4096, so
/// one thread (waves of 4 blocks), two (8) and three (12) split the work differently.
#[test]
fn outputs_do_not_depend_on_the_thread_count() {
    let dir = workdir(&[]);
    for estimator in ESTIMATORS {
        let mut reference: Option<BTreeMap<PathBuf, Vec<u8>>> = None;
        for threads in ["1", "2", "3"] {
            let out = format!("{estimator}-{threads}");
            run_ok(
                dir.path(),
                &[
                    "baseline",
                    "--trials",
                    "50001",
                    "--samples",
                    "--estimator",
                    estimator,
                    "--threads",
                    threads,
                    "--out",
                    &out,
                ],
            );
            let files = snapshot(&dir.path().join(&out));
            let names: Vec<String> = files.keys().map(|p| p.display().to_string()).collect();
            assert_eq!(
                names,
                [
                    "baseline/run.toml",
                    "baseline/samples.csv",
                    "baseline/summary.csv",
                    "baseline/timeline.csv",
                    "summary.csv"
                ],
                "{estimator} --threads {threads}"
            );
            assert_eq!(
                lines(&dir.path().join(&out).join("baseline/samples.csv")).len(),
                50_002
            );
            match &reference {
                None => reference = Some(files),
                Some(reference) => common::assert_same_files(
                    reference,
                    &files,
                    &format!("{estimator}: --threads 1 against {threads}"),
                ),
            }
        }
    }
}

/// SPEC §5: the same seed gives the same bytes; another seed gives another result.
#[test]
fn same_seed_same_bytes_other_seed_other_result() {
    let dir = workdir(&[]);
    for estimator in ESTIMATORS {
        let out = |name: &str| format!("{estimator}-{name}");
        for (name, seed) in [("a", "42"), ("b", "42"), ("c", "43")] {
            run_ok(
                dir.path(),
                &[
                    "baseline",
                    "--trials",
                    "20000",
                    "--seed",
                    seed,
                    "--samples",
                    "--estimator",
                    estimator,
                    "--out",
                    &out(name),
                ],
            );
        }
        let (a, b, c) = (
            snapshot(&dir.path().join(out("a"))),
            snapshot(&dir.path().join(out("b"))),
            snapshot(&dir.path().join(out("c"))),
        );
        assert_eq!(a.len(), 5);
        assert!(a == b, "{estimator}: two runs with seed 42 differ");
        let summary = Path::new("baseline/summary.csv");
        assert_ne!(
            a[summary], c[summary],
            "{estimator}: seeds 42 and 43 give the same summary"
        );
        let (ha, ra) = read_csv(&dir.path().join(out("a")).join(summary));
        let (hc, rc) = read_csv(&dir.path().join(out("c")).join(summary));
        assert_eq!(field(&ha, &ra[0], "seed"), 42.0);
        assert_eq!(field(&hc, &rc[0], "seed"), 43.0);
        assert_ne!(
            field(&ha, &ra[0], "probability"),
            field(&hc, &rc[0], "probability"),
            "{estimator}"
        );
        let samples = Path::new("baseline/samples.csv");
        assert_ne!(
            a[samples], c[samples],
            "{estimator}: seeds 42 and 43 draw the same samples"
        );
    }
}

/// SPEC §5: the first N trials of a longer run are the same trials. Neither 5000 nor 10001 is
/// a multiple of the 4096-trial block.
#[test]
fn the_first_trials_of_a_longer_run_are_the_same_trials() {
    let dir = workdir(&[]);
    for estimator in ESTIMATORS {
        let (short, long) = (format!("{estimator}-short"), format!("{estimator}-long"));
        run_ok(
            dir.path(),
            &[
                "baseline",
                "--trials",
                "5000",
                "--samples",
                "--estimator",
                estimator,
                "--out",
                &short,
            ],
        );
        run_ok(
            dir.path(),
            &[
                "baseline",
                "--trials",
                "10001",
                "--samples",
                "--estimator",
                estimator,
                "--out",
                &long,
            ],
        );
        let short = lines(&dir.path().join(&short).join("baseline/samples.csv"));
        let long = lines(&dir.path().join(&long).join("baseline/samples.csv"));
        assert_eq!(short.len(), 5001, "{estimator}: header and 5000 rows");
        assert_eq!(long.len(), 10_002, "{estimator}: header and 10001 rows");
        for (i, (a, b)) in short.iter().zip(&long).enumerate() {
            assert_eq!(
                a, b,
                "{estimator}: line {i} differs between 5000 and 10001 trials"
            );
        }
        for (i, line) in long.iter().skip(1).enumerate() {
            assert!(
                line.starts_with(&format!("{i},")),
                "{estimator}: row {i} is {line}"
            );
        }
    }
}

/// SPEC §7: a failed run leaves earlier results intact and leaves no temporary files.
#[test]
fn a_failed_run_leaves_earlier_results_intact() {
    let mut files = shipped_files();
    let broken = ScenarioText::new()
        .set("extends", "\"baseline\"")
        .dist("party.japan.will", "beta(0, 2)");
    files.push(("broken.toml".into(), broken.text()));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = workdir(&files);
    let out = dir.path().join("out");
    treatysim(dir.path())
        .args([
            "run",
            "baseline",
            "--trials",
            "10000",
            "--samples",
            "--out",
            "out",
        ])
        .assert()
        .success();
    let before = snapshot(&out);
    assert_eq!(before.len(), 5, "{:?}", before.keys());
    let failures: [&[&str]; 4] = [
        &[
            "run",
            "baseline",
            "--set",
            "party.japan.will=normal(0.5, 0.1)",
            "--samples",
            "--out",
            "out",
        ],
        &[
            "run",
            "baseline",
            "--set",
            "party.japan.wil=0.5",
            "--out",
            "out",
        ],
        &["run", "baseline", "broken", "--samples", "--out", "out"],
        &["run", "--all", "--estimator", "indicator", "--out", "out"],
    ];
    for args in failures {
        // Another seed and trial count: had anything been rewritten, its bytes would differ.
        treatysim(dir.path())
            .args(args)
            .args(["--seed", "1", "--trials", "5000"])
            .assert()
            .code(2);
        common::assert_same_files(&before, &snapshot(&out), &format!("{args:?}"));
        let temporary: Vec<PathBuf> = common::files_under(&out)
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(".treatysim-"))
            })
            .collect();
        assert!(
            temporary.is_empty(),
            "{args:?}: temporary files left: {temporary:?}"
        );
    }
}

/// SPEC §2, §6: every shipped scenario is valid; `run --all` fills `<out>/summary.csv` with one
/// sorted row per scenario; a later run replaces its own row only.
#[test]
fn every_shipped_scenario_checks_and_runs_into_a_sorted_upserted_summary() {
    let dir = workdir(&[]);
    let scenarios = shipped_scenarios();
    let names = shipped_names();
    assert!(names.len() >= 2, "{names:?}");
    treatysim(dir.path())
        .arg("check")
        .arg("--scenarios")
        .arg(&scenarios)
        .assert()
        .success();
    for name in &names {
        treatysim(dir.path())
            .args(["check", name])
            .arg("--scenarios")
            .arg(&scenarios)
            .assert()
            .success();
    }
    run_ok(dir.path(), &["--all", "--trials", "2000", "--out", "out"]);
    let out = dir.path().join("out");
    let (header, rows) = read_csv(&out.join("summary.csv"));
    assert_eq!(header, treatysim::export::SUMMARY_HEADER);
    let listed: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(listed, names, "one row per shipped scenario, sorted");
    for row in &rows {
        let (_, own) = read_csv(&out.join(&row[0]).join("summary.csv"));
        assert_eq!(
            own,
            std::slice::from_ref(row),
            "{}: <out>/summary.csv row differs from its own summary",
            row[0]
        );
        assert_eq!(field(&header, row, "trials"), 2000.0);
    }
    // Upsert: rerun one scenario with another seed and trial count.
    let target = &names[names.len() / 2];
    run_ok(
        dir.path(),
        &[target, "--trials", "3000", "--seed", "5", "--out", "out"],
    );
    let (_, after) = read_csv(&out.join("summary.csv"));
    assert_eq!(after.len(), rows.len());
    for (old, new) in rows.iter().zip(&after) {
        assert_eq!(old[0], new[0], "order changed");
        if old[0] == *target {
            assert_ne!(old, new, "{target}: row not replaced");
            assert_eq!(field(&header, new, "trials"), 3000.0);
            assert_eq!(field(&header, new, "seed"), 5.0);
            let (_, own) = read_csv(&out.join(target).join("summary.csv"));
            assert_eq!(own, std::slice::from_ref(new));
        } else {
            assert_eq!(old, new, "{}: row changed by a run of {target}", old[0]);
        }
    }
}

/// SPEC §6: samples.csv columns, constants, and consistency with the summary and timeline.
#[test]
fn samples_are_consistent_with_the_summary_and_timeline() {
    let dir = workdir(&[]);
    let trials = 20_000;
    for estimator in ESTIMATORS {
        let out = format!("out-{estimator}");
        run_ok(
            dir.path(),
            &[
                "baseline",
                "--trials",
                &trials.to_string(),
                "--samples",
                "--estimator",
                estimator,
                "--set",
                "process.will_volatility=0.04",
                "--set",
                "party.japan.leader_exit_hazard=0.05",
                "--out",
                &out,
            ],
        );
        let folder = dir.path().join(&out).join("baseline");
        let (header, rows) = read_csv(&folder.join("samples.csv"));
        let last = if estimator == "indicator" {
            "signed_month"
        } else {
            "signed_probability"
        };
        // The scenario as run, for its parameters' keys and domains.
        let scenario = Catalog::new(shipped_scenarios())
            .load(
                "baseline",
                &[
                    "process.will_volatility=0.04".parse().expect("override"),
                    "party.japan.leader_exit_hazard=0.05"
                        .parse()
                        .expect("override"),
                ],
            )
            .expect("baseline");
        let cast = &scenario.cast;
        let mut expected = vec!["trial".to_string()];
        expected.extend(cast.keys().map(str::to_string));
        // Only japan's leader can leave (russia has no hazard, no event has a leader_exit);
        // then the month the event fired (SPEC §6).
        expected.extend([
            "party.japan.leader_exit_month".to_string(),
            "event.constitutional amendment.month".to_string(),
            last.to_string(),
        ]);
        assert_eq!(header, expected, "{estimator}");
        assert_eq!(cast.len(), 12, "{estimator}: the baseline's 12 parameters");
        assert_eq!(rows.len(), trials);

        let months: Vec<String> = (0..20)
            .map(|t| format!("{}-{:02}", 2020 + t / 12, t % 12 + 1))
            .collect();
        let (mut sum, mut signed, mut exits) = (0.0, vec![0usize; months.len()], 0);
        let mut fired = 0;
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row[0], i.to_string());
            // Constants are written as themselves; draws lie in their parameter's domain.
            assert_eq!(
                field(&header, row, "issue.security.leverage.us"),
                0.2,
                "row {i}"
            );
            assert_eq!(
                field(&header, row, "process.will_volatility"),
                0.04,
                "row {i}"
            );
            assert_eq!(
                field(&header, row, "party.japan.leader_exit_hazard"),
                0.05,
                "row {i}"
            );
            for id in cast.ids() {
                let (key, domain) = (cast.key(id), cast.domain(id));
                let x = field(&header, row, key);
                assert!(domain.contains(x), "row {i}: {key} = {x} outside {domain}");
            }
            let event = &row[header.len() - 2];
            assert!(
                event.is_empty() || event == "2020-04",
                "row {i}: event in {event}"
            );
            fired += usize::from(!event.is_empty());
            let exit = &row[header.len() - 3];
            let exit_month = (!exit.is_empty()).then(|| {
                months
                    .iter()
                    .position(|m| m == exit)
                    .unwrap_or_else(|| panic!("row {i}: exit month {exit}"))
            });
            exits += usize::from(exit_month.is_some());
            let outcome = &row[header.len() - 1];
            if estimator == "indicator" {
                if !outcome.is_empty() {
                    let t = months
                        .iter()
                        .position(|m| m == outcome)
                        .unwrap_or_else(|| panic!("row {i}: signed month {outcome}"));
                    signed[t] += 1;
                    // The trial ends when the treaty is signed: no change of leader after it.
                    assert!(
                        exit_month.is_none_or(|e| e <= t),
                        "row {i}: leader left in {exit} after signing in {outcome}"
                    );
                }
            } else {
                let p = field(&header, row, last);
                assert!((0.0..=1.0).contains(&p), "row {i}: {p}");
                sum += p;
            }
        }
        if estimator == "conditional" {
            // The event, at probability 0.3 in month 3, fires in that share of the trials.
            let se = (0.3 * 0.7 / trials as f64).sqrt();
            assert!(
                (fired as f64 / trials as f64 - 0.3).abs() <= common::SE_TOLERANCE * se,
                "{estimator}: the event fired in {fired} of {trials} trials"
            );
            // Every trial runs all 20 months, with exits at hazard 0.05 a month:
            // P(exit within 20 months) = 1 − 0.95^20. (Indicator trials stop when signed.)
            let p_exit = 1.0 - 0.95f64.powi(20);
            let se = (p_exit * (1.0 - p_exit) / trials as f64).sqrt();
            assert!(
                (exits as f64 / trials as f64 - p_exit).abs() <= common::SE_TOLERANCE * se,
                "{estimator}: {exits} exits in {trials} trials, expected {p_exit}"
            );
        } else {
            assert!(exits > 0, "{estimator}: no change of leader at hazard 0.05");
        }

        let (sh, summary) = read_csv(&folder.join("summary.csv"));
        let probability = field(&sh, &summary[0], "probability");
        if estimator == "indicator" {
            // Counts are exact: the summary is the signed fraction, each month's row its share.
            let total: usize = signed.iter().sum();
            assert_eq!(probability, total as f64 / trials as f64);
            let (th, timeline) = read_csv(&folder.join("timeline.csv"));
            for (t, row) in timeline.iter().enumerate() {
                assert_eq!(
                    field(&th, row, "probability_in_month"),
                    signed[t] as f64 / trials as f64,
                    "{}",
                    months[t]
                );
            }
        } else {
            let mean = sum / trials as f64;
            assert!(
                (mean - probability).abs() <= 1e-9 * probability,
                "mean signed_probability {mean} vs summary {probability}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The general model: threads, shards and common random numbers
// ---------------------------------------------------------------------------------------------

/// Runs `treatysim run ARGS` in `dir`, on the scenarios of its own `scenarios/` folder, and
/// expects success.
fn run_here(dir: &Path, args: &[&str]) {
    treatysim(dir).arg("run").args(args).assert().success();
}

/// SPEC §5, §9 on the general cast (`ScenarioText::multilateral`: three signatories, two
/// issues, two outside parties, `leader_exit` events): output bytes, samples included, do not
/// depend on `--threads` (1, 2, 3) nor on the shard split (3 and 7 shards, run in reverse
/// order, then merged). 50 001 trials are 13 blocks of 4096, and 7 shards cut inside blocks.
#[test]
fn general_outputs_do_not_depend_on_threads_or_shards() {
    let dir = workdir(&[("general.toml", &ScenarioText::multilateral().text())]);
    let d = dir.path();
    for estimator in ESTIMATORS {
        let args = [
            "general",
            "--trials",
            "50001",
            "--samples",
            "--estimator",
            estimator,
        ];
        let mut reference: Option<BTreeMap<PathBuf, Vec<u8>>> = None;
        for threads in ["1", "2", "3"] {
            let out = format!("{estimator}-threads-{threads}");
            let mut all = args.to_vec();
            all.extend(["--threads", threads, "--out", &out]);
            run_here(d, &all);
            let files = snapshot(&d.join(&out));
            let names: Vec<String> = files.keys().map(|p| p.display().to_string()).collect();
            assert_eq!(
                names,
                [
                    "general/run.toml",
                    "general/samples.csv",
                    "general/summary.csv",
                    "general/timeline.csv",
                    "summary.csv"
                ],
                "{estimator} --threads {threads}"
            );
            match &reference {
                None => reference = Some(files),
                Some(reference) => common::assert_same_files(
                    reference,
                    &files,
                    &format!("{estimator}: --threads 1 against {threads}"),
                ),
            }
        }
        let reference = reference.expect("three runs");
        // Every signatory's leader can leave (japan and korea by hazard and event, russia by
        // event), each does in some trial, and the trials are all there.
        let (header, rows) =
            read_csv(&d.join(format!("{estimator}-threads-1/general/samples.csv")));
        assert_eq!(rows.len(), 50_001, "{estimator}");
        for party in ["japan", "russia", "korea"] {
            let column = format!("party.{party}.leader_exit_month");
            let i = header
                .iter()
                .position(|h| *h == column)
                .unwrap_or_else(|| panic!("{estimator}: no {column} in {header:?}"));
            assert!(
                rows.iter().any(|r| !r[i].is_empty()),
                "{estimator}: no trial in which {party}'s leader left"
            );
        }
        for n in [3, 7] {
            let out = format!("{estimator}-shards-{n}");
            for k in (1..=n).rev() {
                let shard = format!("{k}/{n}");
                let mut all = args.to_vec();
                all.extend(["--shard", &shard, "--out", &out]);
                run_here(d, &all);
            }
            treatysim(d)
                .args(["merge", "general", "--out", &out])
                .assert()
                .success();
            common::assert_same_files(
                &reference,
                &outside_shards(&d.join(&out)),
                &format!("{estimator}, {n} shards merged against the unsharded run"),
            );
        }
    }
}

/// The columns of a samples file by header name, as written.
fn samples_columns(path: &Path) -> BTreeMap<String, Vec<String>> {
    let (header, rows) = read_csv(path);
    header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), rows.iter().map(|r| r[i].clone()).collect()))
        .collect()
}

/// SPEC §5: an uncorrelated parameter's draw in trial i depends only on (seed, i, its key, its
/// distribution). Adding a signatory, an outside party (with leverage), an issue, an event
/// (with a `leader_exit`), all of them at once, or a correlation between two other parameters
/// to the general cast leaves every other parameter's `samples.csv` column unchanged, value
/// for value, over the first 3000 trials (the variants run 5000), under both estimators; and
/// the two estimators draw the same parameters. The correlated columns do change, so the
/// comparison can tell.
#[test]
fn adding_a_party_an_issue_or_an_event_leaves_the_other_draws_unchanged() {
    let base = ScenarioText::multilateral();
    let signatory = |text: ScenarioText| text.dist("party.india.will", "beta(3, 3)");
    let outside = |text: ScenarioText| {
        text.set("party.eu.role", "\"outside\"")
            .dist("party.eu.indifference", "uniform(0, 1)")
            .dist("issue.security.leverage.eu", "uniform(0, 0.2)")
    };
    let issue = |text: ScenarioText| {
        text.set("issue.fisheries.concedes", "\"korea\"")
            .set("issue.fisheries.demands", "\"japan\"")
            .dist("issue.fisheries.concession", "uniform(0, 0.2)")
            .dist("issue.fisheries.demand", "triangular(0, 0.1, 0.3)")
            .dist("issue.fisheries.leverage.us", "beta(2, 5)")
    };
    let event = |text: ScenarioText| {
        text.event(
            r#"name = "summit diplomacy"
month = "2020-05"
probability = 0.5
leader_exit = ["korea"]
effects = { "party.us.indifference" = "uniform(-0.1, 0.1)", "issue.islands.demand" = -0.05 }"#,
        )
    };
    let correlated = ["party.japan.will", "party.korea.will"];
    let variants = [
        ("signatory", signatory(base.clone())),
        ("outside", outside(base.clone())),
        ("issue", issue(base.clone())),
        ("event", event(base.clone())),
        ("all", event(issue(outside(signatory(base.clone()))))),
        (
            "correlated",
            base.clone()
                .raw("[correlations]\n\"party.japan.will ~ party.korea.will\" = 0.6"),
        ),
    ];
    let mut files = vec![("base.toml".to_string(), base.text())];
    files.extend(
        variants
            .iter()
            .map(|(name, text)| (format!("{name}.toml"), text.text())),
    );
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = workdir(&files);
    let d = dir.path();
    let base_keys: Vec<String> = Catalog::new(d.join("scenarios"))
        .load("base", &[])
        .expect("base")
        .cast
        .keys()
        .map(str::to_string)
        .collect();
    assert_eq!(base_keys.len(), 21, "{base_keys:?}");
    let n = 3000;
    let mut base_draws = Vec::new();
    for estimator in ESTIMATORS {
        let out = format!("out-{estimator}");
        run_here(
            d,
            &[
                "base",
                "--trials",
                "3000",
                "--samples",
                "--estimator",
                estimator,
                "--out",
                &out,
            ],
        );
        let base_columns = samples_columns(&d.join(&out).join("base/samples.csv"));
        for (name, _) in &variants {
            run_here(
                d,
                &[
                    name,
                    "--trials",
                    "5000",
                    "--samples",
                    "--estimator",
                    estimator,
                    "--out",
                    &out,
                ],
            );
            let columns = samples_columns(&d.join(&out).join(name).join("samples.csv"));
            assert!(columns.len() >= base_columns.len(), "{estimator} {name}");
            assert_eq!(columns["trial"][..n], base_columns["trial"][..], "{name}");
            for key in &base_keys {
                let (ours, theirs) = (&base_columns[key], &columns[key]);
                assert_eq!(theirs.len(), 5000, "{estimator} {name}: {key}");
                let changed = (0..n).filter(|&i| ours[i] != theirs[i]).count();
                if *name == "correlated" && correlated.contains(&key.as_str()) {
                    assert!(
                        changed > n * 99 / 100,
                        "{estimator}: correlating {key} changed only {changed} of {n} draws"
                    );
                } else if let Some(i) = (0..n).find(|&i| ours[i] != theirs[i]) {
                    panic!(
                        "{estimator}: adding {name} changed {key} in trial {i}: {} -> {} ({changed} of {n} draws changed)",
                        ours[i], theirs[i]
                    );
                }
            }
        }
        base_draws.push(
            base_keys
                .iter()
                .map(|key| base_columns[key].clone())
                .collect::<Vec<_>>(),
        );
    }
    assert!(
        base_draws[0] == base_draws[1],
        "the conditional and indicator estimators draw other parameters"
    );
}
