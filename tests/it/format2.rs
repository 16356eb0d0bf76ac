//! Format 2 from the command line: events conditioned with `--set`, `treatysim new`, the example
//! scenarios of other questions, and agreement with the independent NumPy model.

use crate::common;

use common::{SE_TOLERANCE, ScenarioText, field, read_csv, shipped_scenarios, treatysim, workdir};
use std::path::{Path, PathBuf};

/// The probability and standard error of `<out>/NAME/summary.csv`.
fn summary(out: &Path, name: &str) -> (f64, f64) {
    let (header, rows) = read_csv(&out.join(name).join("summary.csv"));
    (
        field(&header, &rows[0], "probability"),
        field(&header, &rows[0], "std_error"),
    )
}

/// A scenario whose one event decides everything: with the event, no summit ever happens.
fn gated() -> ScenarioText {
    ScenarioText::bilateral().event(
        r#"name = "talks collapse"
month = "2020-03"
probability = 0.5
effects = { "process.summit_rate" = -1 }"#,
    )
}

#[test]
fn set_event_probability_conditions_the_run_on_what_happened() {
    let dir = workdir(&[("gated.toml", &gated().text())]);
    let run = |label: &str, set: &[&str]| {
        let mut cmd = treatysim(dir.path());
        cmd.args(["run", "gated", "--trials", "4000", "--out", label]);
        for s in set {
            cmd.args(["--set", s]);
        }
        cmd.assert().success();
        summary(&dir.path().join(label), "gated").0
    };
    let happened = run("happened", &["event.talks collapse.probability=1"]);
    let not = run("not", &["event.talks collapse.probability=0"]);
    let later = run("later", &["event.talks collapse.month=2021-01"]);
    // Constants: λ = 0.3, p from will 0.6, θ 0.3, gap 0.1, s 0.1; q = λ·p exactly.
    let p = 1.0 / (1.0 + (-(0.6f64 - 0.3 - 0.1) / 0.1).exp());
    let q = 0.3 * p;
    let by = |months: i32| 1.0 - (1.0 - q).powi(months);
    assert!((happened - by(2)).abs() < 1e-12, "{happened} vs {}", by(2));
    assert!((not - by(20)).abs() < 1e-12, "{not} vs {}", by(20));
    // Moved to January 2021 (month 12), where it still fires with probability 0.5: a mixture
    // of the two windows, in the proportion of the 4,000 trials in which it fired.
    let fired = (later - by(20)) / (by(12) - by(20));
    let se = (0.25f64 / 4000.0).sqrt();
    assert!(
        (fired - 0.5).abs() < SE_TOLERANCE * se,
        "fired in {fired} of the trials"
    );
}

#[test]
fn set_event_refuses_unknown_events_and_fields() {
    let dir = workdir(&[("gated.toml", &gated().text())]);
    for (set, expect) in [
        (
            "event.talks colapse.probability=1",
            "did you mean `talks collapse`?",
        ),
        (
            "event.talks collapse.effects=1",
            "event.talks collapse.probability",
        ),
        (
            "event.talks collapse.probability=1.5",
            "is not a probability",
        ),
        (
            "event.talks collapse.month=2020-13",
            "months run from 01 to 12",
        ),
    ] {
        common::rejected(dir.path(), &["run", "gated", "--set", set], &[expect]);
    }
    assert!(!dir.path().join("results").exists());
}

#[test]
fn new_writes_a_scenario_that_checks_and_runs() {
    let dir = workdir(&[]);
    treatysim(dir.path())
        .args([
            "new",
            "ceasefire",
            "--signatories",
            "armenia,azerbaijan,russia",
            "--outside",
            "eu,us",
            "--issue",
            "corridor:armenia>azerbaijan",
            "--issue",
            "border:azerbaijan>armenia",
        ])
        .assert()
        .success();
    let path = dir.path().join("scenarios").join("ceasefire.toml");
    let text = std::fs::read_to_string(&path).expect("written");
    assert!(text.contains("[party.russia]") && text.contains("[issue.border]"));
    assert!(text.contains("leverage = { eu = 0.1, us = 0.1 }"), "{text}");
    treatysim(dir.path())
        .args(["check", "ceasefire"])
        .assert()
        .success();
    treatysim(dir.path())
        .args(["run", "ceasefire", "--trials", "5000"])
        .assert()
        .success();
    let (p, _) = summary(&dir.path().join("results"), "ceasefire");
    assert!(p > 0.0 && p < 1.0, "{p}");
    // Never overwrites.
    std::fs::write(&path, "# mine\n").expect("edited");
    let args = ["new", "ceasefire", "--signatories", "a,b"];
    common::rejected(dir.path(), &args, &["already exists"]);
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), "# mine\n");
}

#[test]
fn new_rejects_bad_names_and_issues() {
    let dir = workdir(&[]);
    for args in [
        vec!["new", "..", "--signatories", "a,b"],
        vec!["new", "../up", "--signatories", "a,b"],
        vec!["new", "q", "--signatories", "a"],
        vec!["new", "q", "--signatories", "a,Bad"],
        vec!["new", "q", "--signatories", "a,b", "--outside", "a"],
        vec!["new", "q", "--signatories", "a,b", "--issue", "x:a>c"],
        vec!["new", "q", "--signatories", "a,b", "--issue", "x:a>a"],
        vec!["new", "q", "--signatories", "a,b", "--issue", "x-a-b"],
    ] {
        let err = common::rejected(dir.path(), &args, &[]);
        assert!(!err.is_empty(), "{args:?}");
    }
    let written: Vec<PathBuf> = std::fs::read_dir(dir.path().join("scenarios"))
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(written.is_empty(), "{written:?}");
    assert!(!dir.path().join("up.toml").exists());
}

/// The example scenarios of other questions.
fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios")
}

#[test]
fn example_scenarios_of_other_questions_run() {
    let dir = workdir(&[]);
    let examples = examples();
    treatysim(dir.path())
        .args(["check", "--scenarios"])
        .arg(&examples)
        .assert()
        .success();
    treatysim(dir.path())
        .args(["run", "--all", "--trials", "20000", "--scenarios"])
        .arg(&examples)
        .assert()
        .success();
    let names: Vec<String> = std::fs::read_dir(&examples)
        .expect("examples")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let stem = path.file_stem()?.to_string_lossy().into_owned();
            (path.extension()? == "toml").then_some(stem)
        })
        .collect();
    assert!(names.len() >= 2, "{names:?}");
    let mut multilateral = false;
    let mut several_issues_and_outsiders = false;
    for name in &names {
        let (p, _) = summary(&dir.path().join("results"), name);
        assert!(p > 0.01 && p < 0.99, "{name}: {p}");
        let keys = treatysim(dir.path())
            .args(["show", name, "--keys", "--scenarios"])
            .arg(&examples)
            .output()
            .expect("show");
        let keys = String::from_utf8_lossy(&keys.stdout).into_owned();
        let wills = keys.lines().filter(|l| l.contains(".will ")).count();
        let issues: std::collections::HashSet<&str> = keys
            .lines()
            .filter_map(|l| l.strip_prefix("issue."))
            .filter_map(|l| l.split('.').next())
            .collect();
        let outsiders = keys
            .lines()
            .filter(|l| l.contains(".indifference "))
            .count();
        multilateral |= wills >= 3;
        several_issues_and_outsiders |= issues.len() >= 2 && outsiders >= 2;
    }
    assert!(multilateral, "no example has three or more signatories");
    assert!(
        several_issues_and_outsiders,
        "no example has several issues and outside parties"
    );
}

/// Runs `bench/numpy_model.py` on a scenario file; `None` when Python with NumPy and SciPy is
/// not installed (`.ci/run` installs them, so CI always runs the comparison).
fn numpy(file: &Path, trials: u64, estimator: &str) -> Option<(f64, f64)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/numpy_model.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(file)
        .args([
            "--trials",
            &trials.to_string(),
            "--estimator",
            estimator,
            "--csv",
        ])
        .output()
        .ok()?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(
            err.contains("ModuleNotFoundError"),
            "numpy_model.py failed on {}: {err}",
            file.display()
        );
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let (p, se) = text.trim().split_once(',')?;
    Some((p.parse().ok()?, se.parse().ok()?))
}

#[test]
fn the_independent_numpy_model_agrees_on_every_shipped_and_example_scenario() {
    if std::env::var_os("CI").is_some() {
        assert!(
            numpy(
                &shipped_scenarios().join("baseline.toml"),
                100,
                "conditional"
            )
            .is_some(),
            "CI must have NumPy and SciPy (.ci/run installs them)"
        );
    }
    let dir = workdir(&[]);
    let mut compared = 0;
    // And the scenario with every feature of model 3 (pressure, a dealbreaker, drifts, windowed
    // and hazard events, requires and excludes).
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/scenarios");
    for folder in [shipped_scenarios(), examples(), bench.clone()] {
        for entry in std::fs::read_dir(&folder).expect("folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|x| x != "toml")
                || (folder == bench && path.file_stem().is_none_or(|s| s != "model3"))
            {
                continue;
            }
            let name = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            for estimator in ["conditional", "indicator"] {
                let trials = 40_000;
                let Some((p_numpy, se_numpy)) = numpy(&path, trials, estimator) else {
                    eprintln!("NumPy or SciPy missing: comparison skipped");
                    return;
                };
                let out = dir.path().join(estimator);
                treatysim(dir.path())
                    .args(["run", &name, "--trials", &trials.to_string()])
                    .args(["--estimator", estimator, "--scenarios"])
                    .arg(&folder)
                    .arg("--out")
                    .arg(&out)
                    .assert()
                    .success();
                let (p, se) = summary(&out, &name);
                let combined = se.hypot(se_numpy);
                assert!(
                    (p - p_numpy).abs() <= SE_TOLERANCE * combined,
                    "{name} ({estimator}): treatysim {p} ± {se}, NumPy {p_numpy} ± {se_numpy}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared >= 20, "compared {compared}");
}

#[test]
fn messages_point_the_way() {
    let dir = workdir(&[("gated.toml", &gated().text())]);
    let cases: [(&[&str], &[&str]); 6] = [
        (&["run"], &["treatysim run --all", "gated"]),
        (
            &["run", "gated", "--set", "party.japan.will=beta(8 2)"],
            &["separate the numbers with commas", "beta(8, 2)"],
        ),
        (
            &["run", "gated", "--set", "deadline=2021-10"],
            &["did you mean `simulation.deadline`?"],
        ),
        (
            &["sweep", "gated", "--param", "leverage=0:1:0.5"],
            &["did you mean `issue.security.leverage.us`?"],
        ),
        (
            &["run", "gated", "--seed", "-1"],
            &["not a seed", "18446744073709551615"],
        ),
        (
            &["run", "gated", "--trials", "1.5e6x"],
            &["whole number of trials", "1e6"],
        ),
    ];
    for (args, expect) in cases {
        common::rejected(dir.path(), args, expect);
    }
    treatysim(dir.path())
        .args(["run", "gated", "--trials", "2e3"])
        .assert()
        .success();
    let (header, rows) = read_csv(&dir.path().join("results/gated/summary.csv"));
    assert_eq!(field(&header, &rows[0], "trials"), 2000.0);
    common::rejected(dir.path(), &["plot", "gatd"], &["did you mean `gated`?"]);
    std::fs::write(
        dir.path().join("scenarios/US.toml"),
        "[US]\nindifference = 0.5\n",
    )
    .expect("written");
    common::rejected(dir.path(), &["check", "US"], &["[party.us]"]);
}
