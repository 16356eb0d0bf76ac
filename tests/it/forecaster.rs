//! The forecaster's loop (issue #18): scores that keep their rows and score pools, pools with
//! direct forecasts, treatysim's own files scored without aborting, `new` and the search path,
//! `--quiet` and warnings once, and the messages for common mistakes.

use crate::common;

use common::{
    ScenarioText, exit_and_stderr, field, ok, read_csv, rejected, shipped_scenarios, workdir,
};
use std::path::Path;

/// The shipped baseline, which resolves "not signed".
fn baseline() -> String {
    std::fs::read_to_string(shipped_scenarios().join("baseline.toml")).expect("baseline")
}

/// `scores.csv`'s rows by name.
fn scores(d: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    read_csv(&d.join("results/scores.csv"))
}

/// A score replaces the rows of the runs it scores and keeps the others; calibration.csv is
/// computed over all of them (issue #18 item 4: scoring one run after ten left one row and
/// removed calibration.csv).
#[test]
fn scores_keep_their_rows_and_calibration_covers_them_all() {
    let dir = workdir(&[("baseline.toml", &baseline())]);
    let d = dir.path();
    for k in 0..10 {
        let will = format!("party.russia.will={}", 0.1 * f64::from(k) + 0.05);
        let label = format!("v{k}");
        ok(
            d,
            &[
                "run", "baseline", "--trials", "300", "--set", &will, "--as", &label,
            ],
        );
    }
    ok(d, &["score"]);
    let (header, all) = scores(d);
    assert_eq!(all.len(), 10);
    // A rerun of v3 with other trials, scored alone: its row changes, the nine others stay.
    ok(
        d,
        &[
            "run",
            "baseline",
            "--trials",
            "500",
            "--set",
            "party.russia.will=0.9",
            "--as",
            "v3",
        ],
    );
    let stderr = ok(d, &["score", "v3"]);
    assert!(stderr.contains("9 earlier rows kept"), "{stderr}");
    let (_, after) = scores(d);
    assert_eq!(after.len(), 10);
    for (a, b) in all.iter().zip(&after) {
        assert_eq!(a[0], b[0]);
        if a[0] == "v3" {
            assert_ne!(a, b, "v3 was rescored");
            let (sh, summary) = read_csv(&d.join("results/v3/summary.csv"));
            assert_eq!(
                field(&header, b, "probability"),
                field(&sh, &summary[0], "probability")
            );
        } else {
            assert_eq!(a, b);
        }
    }
    let (ch, bins) = read_csv(&d.join("results/calibration.csv"));
    let runs: f64 = bins.iter().map(|b| field(&ch, b, "runs")).sum();
    assert_eq!(runs, 10.0);
    // A scores.csv that is not treatysim's is left alone.
    std::fs::write(d.join("results/scores.csv"), "name,value\nx,1\n").expect("write");
    rejected(d, &["score", "v1"], &["not a treatysim scores file"]);
    assert_eq!(
        std::fs::read_to_string(d.join("results/scores.csv")).expect("read"),
        "name,value\nx,1\n"
    );
}

/// Pools are scored like runs: their probability and their remaining-probability timeline; a
/// pool with a direct forecast (`--forecast NAME=P`) includes it in its probability, has no
/// timeline, and is scored on its probability alone.
#[test]
fn pools_with_forecasts_are_pooled_and_scored() {
    let dir = workdir(&[]);
    let d = dir.path();
    let s = shipped_scenarios();
    let s = s.to_str().expect("path");
    ok(
        d,
        &[
            "pool",
            "p",
            "jain",
            "togo",
            "--trials",
            "2000",
            "--scenarios",
            s,
        ],
    );
    ok(
        d,
        &[
            "pool",
            "q",
            "jain",
            "--forecast",
            "smith=0.2",
            "--weights",
            "3,1",
            "--trials",
            "2000",
            "--scenarios",
            s,
        ],
    );
    // q: 0.75·P(jain) + 0.25·0.2, the forecast's row without an interval, and no timeline.
    let (ph, pool) = read_csv(&d.join("results/q/pool.csv"));
    let jain = pool.iter().find(|r| r[2] == "jain").expect("jain");
    let smith = pool.iter().find(|r| r[2] == "smith").expect("smith");
    assert_eq!(smith[1], "member");
    assert_eq!(field(&ph, smith, "probability"), 0.2);
    assert_eq!(field(&ph, smith, "weight"), 0.25);
    assert_eq!(smith[8..], ["", "", ""]);
    let linear = pool.iter().find(|r| r[1] == "linear").expect("linear");
    let expected = 0.75 * field(&ph, jain, "probability") + 0.25 * 0.2;
    assert!((field(&ph, linear, "probability") - expected).abs() < 1e-12);
    assert!(
        field(&ph, linear, "ci95_low") < expected && expected < field(&ph, linear, "ci95_high")
    );
    assert!(!d.join("results/q/timeline.csv").exists());
    ok(d, &["score", "--scenarios", s]);
    let (h, rows) = scores(d);
    let row = |name: &str| rows.iter().find(|r| r[0] == name).expect("scored").clone();
    let (p, q) = (row("p"), row("q"));
    let (sh, summary) = read_csv(&d.join("results/p/summary.csv"));
    let probability = field(&sh, &summary[0], "probability");
    assert_eq!(field(&h, &p, "probability"), probability);
    assert_eq!(field(&h, &p, "brier"), probability * probability);
    assert_eq!(field(&h, &p, "months_scored"), 20.0);
    assert!(field(&h, &p, "time_averaged_brier") > 0.0);
    assert_eq!(field(&h, &q, "probability"), expected);
    assert_eq!(q[5], "");
    assert_eq!(q[6], "0");
    // Forecasts are checked like every argument.
    for (forecast, expect) in [
        ("smith=30", "for 30% write smith=0.3"),
        ("smith", "is not NAME=P"),
        ("jain=0.2", "a scenario member's name"),
    ] {
        rejected(
            d,
            &[
                "pool",
                "r",
                "jain",
                "--forecast",
                forecast,
                "--scenarios",
                s,
            ],
            &[expect],
        );
    }
}

/// A geometric pool with a member whose estimate is exactly 0 says which member, and its
/// interval is not zero-width.
#[test]
fn a_geometric_pool_decided_by_a_member_at_zero_names_it() {
    let never = ScenarioText::bilateral()
        .set("process.summit_rate", "0")
        .text();
    let some = ScenarioText::bilateral().text();
    let dir = workdir(&[("never.toml", &never), ("some.toml", &some)]);
    let d = dir.path();
    let stderr = ok(
        d,
        &[
            "pool",
            "p",
            "never",
            "some",
            "--trials",
            "1000",
            "--method",
            "geometric-odds",
        ],
    );
    assert!(stderr.contains("never's estimate is exactly 0"), "{stderr}");
    let (h, rows) = read_csv(&d.join("results/p/pool.csv"));
    let g = rows.iter().find(|r| r[1] == "geometric-odds").expect("row");
    assert_eq!(field(&h, g, "probability"), 0.0);
    assert!(field(&h, g, "ci95_high") > 0.0 && field(&h, g, "std_error") > 0.0);
}

/// A direct forecast of exactly 0 or 1 would decide a geometric pool with no interval at all
/// (a forecast has none): `--method geometric-odds` refuses it, writing nothing, and the linear
/// pool's `pool.csv` leaves its geometric-odds row empty rather than writing a zero-width one.
#[test]
fn a_forecast_at_zero_or_one_gives_no_zero_width_geometric_pool() {
    let some = ScenarioText::bilateral()
        .set("party.japan.will", "\"beta(2, 2)\"")
        .text();
    let dir = workdir(&[("some.toml", &some)]);
    let d = dir.path();
    for forecast in ["x=0", "x=1"] {
        let args = [
            "pool",
            "p",
            "some",
            "--trials",
            "1000",
            "--forecast",
            forecast,
            "--method",
            "geometric-odds",
        ];
        rejected(
            d,
            &args,
            &[forecast, "strictly between 0 and 1", "--method linear"],
        );
        assert!(!d.join("results").exists(), "{forecast}: written");
    }
    let stderr = ok(
        d,
        &["pool", "q", "some", "--trials", "1000", "--forecast", "x=1"],
    );
    assert!(stderr.contains("x's forecast is exactly 1"), "{stderr}");
    let (h, rows) = read_csv(&d.join("results/q/pool.csv"));
    let g = rows.iter().find(|r| r[1] == "geometric-odds").expect("row");
    for column in ["probability", "std_error", "ci95_low", "ci95_high"] {
        let i = h.iter().position(|c| c == column).expect("column");
        assert_eq!(g[i], "", "{column}");
    }
    let linear = rows.iter().find(|r| r[1] == "linear").expect("row");
    assert!(field(&h, linear, "ci95_high") > field(&h, linear, "ci95_low"));
}

/// treatysim's own files never stop `score`: the remaining-probability fields it leaves empty
/// once P reaches 1 are left out of the average and the count, and a probability of exactly 1
/// for a question that resolved "not signed" scores -inf with a warning naming the run.
#[test]
fn score_reads_empty_remaining_months_and_warns_on_an_infinite_log_score() {
    let surely = ScenarioText::bilateral()
        .set("process.summit_rate", "1")
        .set("party.japan.will", "1")
        .set("party.russia.will", "1")
        .set("process.signing_threshold", "-10")
        .set("process.decision_noise", "0.01")
        .raw("\n[resolution]\noutcome = \"not signed\"\n")
        .text();
    let dir = workdir(&[("surely.toml", &surely)]);
    let d = dir.path();
    ok(d, &["run", "surely", "--trials", "200"]);
    let (th, timeline) = read_csv(&d.join("results/surely/timeline.csv"));
    let column = th
        .iter()
        .position(|c| c == "remaining_probability")
        .expect("column");
    let filled = timeline.iter().filter(|r| !r[column].is_empty()).count();
    assert!(filled >= 1 && filled < timeline.len(), "{timeline:?}");
    let stderr = ok(d, &["score"]);
    assert!(
        stderr.contains("surely's probability is exactly 1")
            && stderr.contains("-inf")
            && stderr.contains("--estimator conditional"),
        "{stderr}"
    );
    let (h, rows) = scores(d);
    assert_eq!(rows[0][4], "-inf");
    assert_eq!(field(&h, &rows[0], "months_scored"), filled as f64);
}

/// `new x.toml` is taken as `x` (never `x.toml.toml`), a path is refused with the flag that
/// does it, the file gets the umask's mode, and the advice it prints and writes works.
#[test]
fn new_takes_names_writes_with_the_umask_and_advises_commands_that_work() {
    let dir = tempfile::tempdir().expect("folder");
    let d = dir.path();
    let stderr = ok(
        d,
        &[
            "new",
            "x.toml",
            "--signatories",
            "a,b",
            "--scenarios",
            "mine",
        ],
    );
    assert!(stderr.contains("taken as \"x\""), "{stderr}");
    let file = d.join("mine/x.toml");
    assert!(file.is_file() && !d.join("mine/x.toml.toml").exists());
    rejected(
        d,
        &["new", "sub/y.toml", "--signatories", "a,b"],
        &["--scenarios sub"],
    );
    // The mode a file created now gets under this process's umask.
    use std::os::unix::fs::PermissionsExt as _;
    let probe = d.join("probe");
    std::fs::write(&probe, "").expect("probe");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&file), mode(&probe));
    assert_ne!(
        mode(&file),
        0o600,
        "the umask here should allow more than 0600"
    );
    // The advice, printed and in the file, runs as written.
    let text = std::fs::read_to_string(&file).expect("template");
    let advice = "treatysim check x --scenarios mine";
    assert!(
        stderr.contains(advice) && text.contains(advice),
        "{stderr}\n{text}"
    );
    let args: Vec<&str> = advice.split(' ').skip(1).collect();
    ok(d, &args);
    // The template lists quantiles() and model 3's keys, commented out, as SPEC §3 writes them.
    for line in [
        "quantiles(0.1: 0.2, 0.5: 0.35, 0.9: 0.6)",
        "# pressure = { outside_party = 0.2 }",
        "# dealbreaker = true",
        "# concession_drift = 0.005",
        "# demand_drift = \"-0.01 to 0\"",
        "# until = \"",
        "# hazard = 0.02",
        "# requires = [\"other event\"]",
        "# excludes = [\"other event\"]",
    ] {
        assert!(text.contains(line), "no {line:?} in\n{text}");
    }
}

/// `list`, `check` and `run --all` cover `TREATYSIM_SCENARIOS`; an unknown name with a
/// `NAME.toml` in a folder just below says which folder and which flag.
#[test]
fn the_search_path_reaches_every_command_and_unknown_names_point_nearby() {
    let dir = workdir(&[]);
    let d = dir.path();
    let text = ScenarioText::bilateral()
        .set("simulation.trials", "200")
        .text();
    std::fs::create_dir(d.join("shared")).expect("folder");
    std::fs::write(d.join("shared/far.toml"), &text).expect("scenario");
    let env = [("TREATYSIM_SCENARIOS", "shared")];
    let output = common::treatysim(d)
        .arg("list")
        .env("TREATYSIM_SCENARIOS", "shared")
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("far "));
    let (code, stderr) = exit_and_stderr(d, &["check"], &env);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("ok: far"), "{stderr}");
    let (code, stderr) = exit_and_stderr(d, &["run", "--all"], &env);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(d.join("results/far/summary.csv").is_file());
    // Without the variable: not found, but the folder just below is named.
    rejected(
        d,
        &["check", "far"],
        &["there is one in 'shared'", "--scenarios shared"],
    );
}

/// `--quiet` silences notes and warnings on every command, not errors; a warning about an
/// inherited parameter is printed once per command, not once per scenario that inherits it.
#[test]
fn quiet_silences_notes_and_warnings_once_per_command() {
    let parent = ScenarioText::bilateral()
        .dist(
            "party.japan.will",
            "quantiles(0.1: 0.1, 0.5: 0.8, 0.9: 0.85)",
        )
        .set("simulation.trials", "200")
        .text();
    let dir = workdir(&[
        ("parent.toml", &parent),
        ("one.toml", "extends = \"parent\"\n"),
        ("two.toml", "extends = \"parent\"\n"),
    ]);
    let d = dir.path();
    let stderr = ok(d, &["check"]);
    assert_eq!(
        stderr.matches("misses an elicited quantile").count(),
        1,
        "{stderr}"
    );
    assert_eq!(stderr.matches("ok: ").count(), 3, "{stderr}");
    for args in [
        &["check", "--quiet"][..],
        &["run", "one", "--quiet"],
        &["--quiet", "list"],
    ] {
        let (code, stderr) = exit_and_stderr(d, args, &[]);
        assert_eq!(code, Some(0), "{args:?}");
        assert_eq!(stderr, "", "{args:?}");
    }
    let (code, stderr) = exit_and_stderr(d, &["check", "nothing", "--quiet"], &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("unknown scenario 'nothing'"), "{stderr}");
}

/// Every command that reads a scenario says what its validation warned about (an event outside
/// the window) and names a poorly fitted `quantiles(…)`, once each; only `check` did, so a
/// sweep or a comparison ran on a judgement the fit could not honour without a word.
#[test]
fn every_command_that_reads_a_scenario_warns_once() {
    let text = ScenarioText::bilateral()
        .dist(
            "party.japan.will",
            "quantiles(0.1: 0.1, 0.5: 0.8, 0.9: 0.85)",
        )
        .set("simulation.trials", "200")
        .event("name = \"late\"\nmonth = \"2030-01\"\nprobability = 0.5\neffects = { \"party.russia.will\" = 0.1 }")
        .text();
    let dir = workdir(&[("x.toml", &text), ("y.toml", "extends = \"x\"\n")]);
    let d = dir.path();
    let commands: [&[&str]; 9] = [
        &["check", "x"],
        &["show", "x"],
        &["run", "x"],
        &["explain", "x", "--trials", "200"],
        &["sweep", "x", "--param", "process.summit_rate=0.2,0.3"],
        &["compare", "x", "x"],
        &["sensitivity", "x", "--trials", "400"],
        &["pool", "p", "x", "y"],
        &["run", "x", "--quiet"],
    ];
    for args in commands {
        let (code, stderr) = exit_and_stderr(d, args, &[]);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        let (fits, late) = if args.contains(&"--quiet") {
            (0, 0)
        } else {
            (1, 1)
        };
        assert_eq!(
            stderr.matches("misses an elicited quantile").count(),
            fits,
            "{args:?}: {stderr}"
        );
        assert_eq!(
            stderr.matches("outside the simulated window").count(),
            late,
            "{args:?}: {stderr}"
        );
    }
}

/// Common mistakes get the fix in the message.
#[test]
fn common_mistakes_are_answered_with_the_fix() {
    let event = "name = \"vote\"\nmonth = \"2020-06\"\nprobability = 0.5\neffects = { \"party.japan.will\" = -0.1 }\n";
    let two_tables = format!(
        "{}\n[event]\n{event}\n[event]\n{}",
        ScenarioText::bilateral().text(),
        event.replace("vote", "poll")
    );
    let beta = ScenarioText::bilateral()
        .dist("party.japan.will", "Beta(7,3)")
        .text();
    let percent = ScenarioText::bilateral()
        .dist("party.japan.will", "quantiles(10%: 0.4, 0.5: 0.6)")
        .text();
    let thirty = ScenarioText::bilateral()
        .event("name = \"vote\"\nmonth = \"2020-06\"\nprobability = 30\neffects = { \"party.japan.will\" = -0.1 }")
        .text();
    let dir = workdir(&[
        ("tables.toml", &two_tables),
        ("beta.toml", &beta),
        ("percent.toml", &percent),
        ("thirty.toml", &thirty),
    ]);
    let d = dir.path();
    rejected(d, &["check", "tables"], &["write [[event]]"]);
    rejected(d, &["check", "beta"], &["did you mean beta?"]);
    rejected(d, &["check", "percent"], &["0.1 for 10%"]);
    rejected(
        d,
        &["check", "thirty"],
        &["for 30% write probability = 0.3"],
    );
    let help = common::treatysim(d)
        .args(["run", "--help"])
        .output()
        .expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        !help.contains("[`parquet_file`]") && !help.contains("parquet_file"),
        "{help}"
    );
    assert!(
        !help.contains("step 4") && !help.contains("steps 1"),
        "{help}"
    );
}

/// Sweep files of keys with spaces and quotes get shell-safe names; two events whose names
/// map alike get two files.
#[test]
fn sweep_file_names_are_shell_safe_and_distinct() {
    let text = ScenarioText::bilateral()
        .set("simulation.trials", "200")
        .event("name = \"peace talks\"\nmonth = \"2020-06\"\nprobability = 0.5\neffects = { \"party.japan.will\" = 0.1 }")
        .event("name = \"peace_talks\"\nmonth = \"2020-07\"\nprobability = 0.5\neffects = { \"party.japan.will\" = 0.1 }")
        .text();
    let dir = workdir(&[("x.toml", &text)]);
    let d = dir.path();
    for key in [
        "event.peace talks.probability=0,1",
        "event.peace_talks.probability=0,1",
    ] {
        ok(d, &["sweep", "x", "--param", key]);
    }
    let mut names: Vec<String> = std::fs::read_dir(d.join("results/x"))
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("sweep-"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"sweep-event.peace_talks.probability.csv".to_string()));
    assert!(
        names.iter().all(|n| n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))),
        "{names:?}"
    );
}

/// `compare` records where its CSV came from, as every analysis does: `compare-A-vs-B.run.toml`
/// beside it, with the command, both resolved scenarios and the CSV's SHA-256.
#[test]
fn compare_writes_its_run_toml() {
    let dir = tempfile::tempdir().expect("folder");
    let d = dir.path();
    let s = shipped_scenarios();
    let s = s.to_str().expect("path");
    ok(
        d,
        &[
            "compare",
            "baseline",
            "mason",
            "--trials",
            "500",
            "--scenarios",
            s,
        ],
    );
    let csv = std::fs::read(d.join("results/compare-baseline-vs-mason.csv")).expect("csv");
    let toml =
        treatysim::export::RunToml::read(&d.join("results/compare-baseline-vs-mason.run.toml"))
            .expect("reads")
            .expect("exists");
    assert_eq!(
        toml.files.get("compare-baseline-vs-mason.csv"),
        Some(&treatysim::digest::sha256_hex(&csv))
    );
    let output = toml
        .outputs
        .get("compare-baseline-vs-mason")
        .expect("its record");
    assert_eq!(output.record.trials, 500);
    assert!(output.record.command.contains(&"compare".to_string()));
    assert!(
        output.record.resolved.contains("# scenario A: baseline")
            && output.record.resolved.contains("# scenario B: mason"),
        "{}",
        output.record.resolved
    );
}
