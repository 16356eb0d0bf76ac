//! Bad input is rejected cleanly (SPEC §2 exit codes, §3 validation, §7 errors and safety).
//!
//! Every test starts from [`BASE`], a valid complete scenario, breaks one thing and runs the
//! real binary in a fresh folder. A rejection must: exit with code 2; print one message on
//! stderr that starts with `error: ` and names the file, the line (and a column) where the TOML
//! parser knows it, the key, and what would be accepted; never panic; print nothing on stdout;
//! and write nothing (the work folder holds only `scenarios/` afterwards, so `results/` was not
//! created). [`base_scenario_runs`] is the positive control that makes the rejections meaningful.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// A valid complete scenario. Line numbers matter: tests assert them.
///
/// ```text
///  4 start        5 deadline     6 trials        7 seed
///  9 [japan]     10 will        11 security_concession  12 leader_exit_hazard
/// 19 [us]        21 leverage    27 decision_noise
/// 29 [[event]]   32 probability 33 effects
/// ```
const BASE: &str = r#"description = "valid base scenario for rejection tests"

[simulation]
start = "2020-01"
deadline = "2021-09"
trials = 2000
seed = 7

[japan]
will = "beta(6, 3)"
security_concession = "0.05 to 0.35"
leader_exit_hazard = 0.01
successor_will = "beta(3, 4)"

[russia]
will = "beta(3, 5)"
security_demand = "pert(0.4, 0.7, 0.95)"

[us]
indifference = "uniform(0.2, 0.8)"
leverage = 0.3

[process]
summit_rate = 0.3
will_volatility = 0.05
signing_threshold = 0.3
decision_noise = 0.08

[[event]]
name = "constitutional amendment"
month = "2020-07"
probability = 0.5
effects = { "russia.will" = -0.15, "russia.security_demand" = "uniform(0, 0.1)" }
"#;

/// The file every broken scenario is written to, as messages name it.
const FILE: &str = "scenarios/x.toml";

/// A command that runs longer than this is taken to hang (it is killed and the test fails).
const TIMEOUT: Duration = Duration::from_secs(30);

/// Line 10 of [`BASE`], the parameter most tests break.
const JAPAN_WILL: &str = r#"will = "beta(6, 3)""#;

/// [`BASE`] with the whole line `old` replaced by `new` (which may span several lines, or be
/// empty to delete the value while keeping the line numbers of everything below).
fn base_with(old: &str, new: &str) -> String {
    let matches = BASE.lines().filter(|l| *l == old).count();
    assert_eq!(matches, 1, "BASE must hold the line {old:?} exactly once");
    BASE.lines()
        .map(|l| if l == old { new } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// [`BASE`] with `japan.will` (line 10) written as `value`.
fn japan_will(value: &str) -> String {
    base_with(JAPAN_WILL, &format!("will = {value}"))
}

/// Runs `treatysim args...` in a fresh folder holding `files` under `scenarios/`.
fn run_in(files: &[(&str, &str)], args: &[&str]) -> (Output, Vec<String>) {
    let dir = common::workdir(files);
    let output = common::treatysim(dir.path())
        .args(args)
        .timeout(TIMEOUT)
        .output()
        .expect("the binary starts");
    let entries = folder_entries(dir.path());
    (output, entries)
}

/// The names in `dir`, sorted.
fn folder_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("work folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Asserts that `treatysim args...` rejects its input: exit code 2 (not killed by [`TIMEOUT`]),
/// no panic, nothing on stdout, `error_lines` lines starting with `error:` on stderr (stderr
/// itself starts with `error: ` unless `error_lines` counts a `check` report), every fragment of
/// `expect` in stderr, and nothing written to the work folder. Returns stderr.
fn rejected(files: &[(&str, &str)], args: &[&str], expect: &[&str], error_lines: usize) -> String {
    let (output, entries) = run_in(files, args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let context = format!(
        "treatysim {}\n--- stderr ---\n{stderr}--- stdout ---\n{stdout}",
        args.join(" ")
    );
    assert!(
        output.status.code().is_some(),
        "killed after {TIMEOUT:?} (the command hangs) or by a signal: {}\n{context}",
        output.status
    );
    assert_eq!(output.status.code(), Some(2), "exit code\n{context}");
    assert!(!stderr.contains("panicked"), "panic\n{context}");
    assert!(
        stdout.is_empty(),
        "stdout must stay empty on error\n{context}"
    );
    let errors = stderr.lines().filter(|l| l.starts_with("error:")).count();
    assert_eq!(
        errors, error_lines,
        "lines starting with `error:`\n{context}"
    );
    if args.first() != Some(&"check") {
        assert!(
            stderr.starts_with("error: "),
            "stderr must start with `error: `\n{context}"
        );
    }
    for fragment in expect {
        assert!(
            stderr.contains(fragment),
            "stderr lacks {fragment:?}\n{context}"
        );
    }
    assert_eq!(
        entries,
        ["scenarios"],
        "nothing may be written (results/ created?)\n{context}"
    );
    stderr
}

/// `treatysim args...` rejects its input with exactly one error message (run, show).
fn rejects(files: &[(&str, &str)], args: &[&str], expect: &[&str]) -> String {
    rejected(files, args, expect, 1)
}

/// `treatysim run x --out results` rejects `text` (written to `scenarios/x.toml`); `line` is
/// the line the message must name, as `scenarios/x.toml:LINE:COLUMN:`.
fn run_rejects(text: &str, line: Option<usize>, expect: &[&str]) -> String {
    let stderr = rejects(
        &[("x.toml", text)],
        &["run", "x", "--out", "results"],
        expect,
    );
    assert!(
        stderr.contains(FILE),
        "stderr does not name {FILE}:\n{stderr}"
    );
    if let Some(line) = line {
        assert_located(&stderr, FILE, line);
    }
    stderr
}

/// Asserts that `stderr` holds `file:line:column:` with this exact line and some column.
fn assert_located(stderr: &str, file: &str, line: usize) {
    let prefix = format!("{file}:{line}:");
    let located = stderr.match_indices(&prefix).any(|(i, _)| {
        let rest = &stderr[i + prefix.len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with(':')
    });
    assert!(
        located,
        "stderr does not name {file}:{line}:<column>:\n{stderr}"
    );
}

/// Every distribution syntax SPEC §3 accepts, as error messages list them.
const SYNTAXES: [&str; 8] = [
    "uniform(a, b)",
    "beta(a, b)",
    "normal(mean, sd)",
    "truncnormal(mean, sd, lo, hi)",
    "lognormal(mu, sigma)",
    "triangular(lo, mode, hi)",
    "pert(lo, mode, hi)",
    "lo to hi",
];

/// The six parameters an event may shift (SPEC §3, Events).
const STATE_PARAMETERS: [&str; 6] = [
    "japan.will",
    "russia.will",
    "japan.security_concession",
    "russia.security_demand",
    "us.indifference",
    "process.summit_rate",
];

#[test]
fn base_scenario_runs() {
    let dir = common::workdir(&[("x.toml", BASE)]);
    let output = common::treatysim(dir.path())
        .args(["run", "x", "--out", "results"])
        .timeout(TIMEOUT)
        .output()
        .expect("the binary starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(!stderr.contains("error"), "stderr:\n{stderr}");
    assert!(
        dir.path().join("results/x/summary.csv").is_file(),
        "stderr:\n{stderr}"
    );
    // The helpers break BASE without moving the lines below the break.
    assert_eq!(base_with(JAPAN_WILL, JAPAN_WILL), BASE);
    assert_eq!(japan_will("0.5").lines().count(), BASE.lines().count());
}

#[test]
fn bad_distribution_parameters() {
    let cases: [(&str, &[&str]); 6] = [
        (
            r#""beta(0, 2)""#,
            &["japan.will", "beta(0, 2)", "a > 0 and b > 0"],
        ),
        (
            r#""beta(2, -1)""#,
            &["japan.will", "beta(2, -1)", "a > 0 and b > 0"],
        ),
        (
            r#""normal(0.5, 0)""#,
            &["japan.will", "normal(0.5, 0)", "sd > 0"],
        ),
        (
            r#""beta(1)""#,
            &["japan.will", "beta(1)", "2", "beta(a, b)"],
        ),
        (
            r#""beta(nan, 2)""#,
            &["japan.will", "beta(nan, 2)", "finite"],
        ),
        (
            r#""uniform(inf, 2)""#,
            &["japan.will", "uniform(inf, 2)", "finite"],
        ),
    ];
    for (value, expect) in cases {
        run_rejects(&japan_will(value), Some(10), expect);
    }
    // A bare NaN or infinity in TOML is a number too, and must be finite as well.
    for value in ["nan", "inf", "-inf"] {
        run_rejects(&japan_will(value), Some(10), &["japan.will", "finite"]);
    }
}

#[test]
fn unknown_distribution_lists_the_accepted_syntaxes() {
    // An unknown family, an unclosed argument list, an empty string, a boolean.
    for value in [r#""gamma(2, 2)""#, r#""beta(1, 2""#, r#""""#, "true"] {
        let mut expect = vec!["japan.will"];
        expect.extend(SYNTAXES);
        run_rejects(&japan_will(value), Some(10), &expect);
    }
    run_rejects(
        &japan_will(r#""gamma(2, 2)""#),
        Some(10),
        &["gamma", "unknown distribution"],
    );
}

#[test]
fn support_outside_the_domain() {
    // An unbounded distribution on a [0, 1] parameter: suggest a bounded one.
    run_rejects(
        &japan_will(r#""normal(0.5, 0.1)""#),
        Some(10),
        &[
            "japan.will",
            "normal(0.5, 0.1)",
            "outside the domain",
            "[0, 1]",
            "truncnormal",
            "beta(",
        ],
    );
    // uniform(0, 0.1) reaches 0, outside decision_noise's (0, inf).
    run_rejects(
        &base_with(
            "decision_noise = 0.08",
            r#"decision_noise = "uniform(0, 0.1)""#,
        ),
        Some(27),
        &[
            "process.decision_noise",
            "uniform(0, 0.1)",
            "outside the domain",
            "lognormal",
        ],
    );
    // A constant outside [0, 1].
    run_rejects(
        &japan_will("1.5"),
        Some(10),
        &["japan.will", "1.5", "outside the domain", "[0, 1]"],
    );
    run_rejects(
        &base_with("leverage = 0.3", "leverage = -0.2"),
        Some(21),
        &["us.leverage", "-0.2", "outside the domain", "[0, 1]"],
    );
}

#[test]
fn bad_intervals() {
    run_rejects(
        &japan_will(r#""0.5 to 0.2""#),
        Some(10),
        &["japan.will", "0.5 to 0.2", "low end", "0.2 to 0.5"],
    );
    run_rejects(
        &japan_will(r#""0.3 to 0.3""#),
        Some(10),
        &["japan.will", "0.3 to 0.3", "low end"],
    );
    for value in [r#""0 to 0.5""#, r#""0.2 to 1.2""#] {
        run_rejects(
            &japan_will(value),
            Some(10),
            &["japan.will", "(0, 1)", "0 < lo < hi < 1"],
        );
    }
}

#[test]
fn degenerate_interval_is_rejected_promptly() {
    // Found while writing these tests: fitting a beta to this interval never returns
    // (statrs::function::beta::inv_beta_reg loops on the huge shape parameters it reaches),
    // and SIGTERM does not stop it either. It must be rejected (or fitted) quickly.
    run_rejects(
        &japan_will(r#""0.1 to 0.100000000001""#),
        Some(10),
        &["japan.will", "0.1 to 0.100000000001"],
    );
}

#[test]
fn unknown_keys_and_sections() {
    run_rejects(
        &base_with(JAPAN_WILL, "wil = 0.5"),
        Some(10),
        &[
            "japan.wil",
            "unknown key",
            "did you mean `will`",
            "accepted",
            "successor_will",
        ],
    );
    run_rejects(
        &base_with("[japan]", "[jpan]"),
        Some(9),
        &[
            "jpan",
            "unknown key",
            "did you mean `japan`",
            "accepted",
            "simulation",
            "process",
        ],
    );
    run_rejects(
        &base_with("probability = 0.5", "probability = 0.5\nodds = 2"),
        Some(33),
        &["event.odds", "unknown key", "accepted", "probability"],
    );
    run_rejects(
        &format!("colour = \"red\"\n{BASE}"),
        Some(1),
        &["colour", "unknown key", "accepted"],
    );
}

#[test]
fn missing_parameter_is_named() {
    // The key is absent, so no line is asserted: the message names the file and the key.
    run_rejects(
        &base_with("leverage = 0.3", ""),
        None,
        &["us.leverage", "missing", "[us]"],
    );
    run_rejects(
        &base_with(r#"start = "2020-01""#, ""),
        None,
        &["simulation.start", "missing", "YYYY-MM"],
    );
}

#[test]
fn bad_extends() {
    let nope = base_with(
        r#"description = "valid base scenario for rejection tests""#,
        r#"extends = "nope""#,
    );
    let stderr = rejects(
        &[("x.toml", &nope), ("baseline.toml", BASE)],
        &["run", "x", "--out", "results"],
        &["extends", "nope", "available", "baseline"],
    );
    assert_located(&stderr, FILE, 1);

    let a = "description = \"a\"\nextends = \"b\"\n";
    let b = "description = \"b\"\nextends = \"a\"\n";
    for name in ["a", "b"] {
        let stderr = rejects(
            &[("a.toml", a), ("b.toml", b)],
            &["run", name, "--out", "results"],
            &["extends", "cycle"],
        );
        assert!(
            stderr.contains("a -> b") || stderr.contains("b -> a"),
            "{stderr}"
        );
        let other = if name == "a" {
            "scenarios/b.toml"
        } else {
            "scenarios/a.toml"
        };
        assert_located(&stderr, other, 2);
    }
    let stderr = rejects(
        &[("self.toml", "extends = \"self\"\n")],
        &["run", "self", "--out", "results"],
        &["extends", "cycle", "self -> self"],
    );
    assert_located(&stderr, "scenarios/self.toml", 1);
}

#[test]
fn malformed_months() {
    let start = r#"start = "2020-01""#;
    run_rejects(
        &base_with(start, r#"start = "2020-13""#),
        Some(4),
        &["simulation.start", "2020-13", "01 to 12"],
    );
    run_rejects(
        &base_with(start, r#"start = "2020-1""#),
        Some(4),
        &["simulation.start", "2020-1", "YYYY-MM"],
    );
    run_rejects(
        &base_with(start, "start = 2020"),
        Some(4),
        &["simulation.start", "2020", "YYYY-MM"],
    );
    run_rejects(
        &base_with(r#"month = "2020-07""#, r#"month = "July 2020""#),
        Some(31),
        &["month", "July 2020", "YYYY-MM"],
    );
}

#[test]
fn deadline_not_after_start() {
    let deadline = r#"deadline = "2021-09""#;
    for bad in ["2020-01", "2019-06"] {
        run_rejects(
            &base_with(deadline, &format!("deadline = \"{bad}\"")),
            Some(5),
            &["simulation.deadline", bad, "2020-01", "after"],
        );
    }
}

#[test]
fn bad_trials() {
    for bad in ["0", "-5", "2.5", "\"many\""] {
        run_rejects(
            &base_with("trials = 2000", &format!("trials = {bad}")),
            Some(6),
            &["simulation.trials", "whole number", "from 1 to"],
        );
    }
}

#[test]
fn bad_seed() {
    for bad in ["-1", "3.7", "\"abc\""] {
        run_rejects(
            &base_with("seed = 7", &format!("seed = {bad}")),
            Some(7),
            &["simulation.seed", "whole number", "18446744073709551615"],
        );
    }
}

#[test]
fn event_probability_outside_unit_interval() {
    for bad in ["1.5", "-0.1", "2", "\"half\""] {
        run_rejects(
            &base_with("probability = 0.5", &format!("probability = {bad}")),
            Some(32),
            &["constitutional amendment", "probability", "[0, 1]"],
        );
    }
}

#[test]
fn event_effect_on_a_bad_parameter() {
    let effects =
        r#"effects = { "russia.will" = -0.15, "russia.security_demand" = "uniform(0, 0.1)" }"#;
    run_rejects(
        &base_with(effects, r#"effects = { "japan.wil" = -0.15 }"#),
        Some(33),
        &[
            "constitutional amendment",
            "japan.wil",
            "not a parameter",
            "did you mean `japan.will`",
        ],
    );
    let mut expect = vec![
        "constitutional amendment",
        "process.decision_noise",
        "not a state parameter",
    ];
    expect.extend(STATE_PARAMETERS);
    run_rejects(
        &base_with(effects, r#"effects = { "process.decision_noise" = 0.1 }"#),
        Some(33),
        &expect,
    );
    run_rejects(
        &base_with(effects, r#"effects = { "russia.will" = "gamma(1, 1)" }"#),
        Some(33),
        &["russia.will", "gamma", "beta(a, b)"],
    );
}

#[test]
fn toml_syntax_errors_carry_line_and_column() {
    run_rejects(&japan_will(r#""beta(6, 3)"#), Some(10), &["TOML"]);
    run_rejects(&japan_will(""), Some(10), &["TOML"]);
    run_rejects(&base_with("[us]", "[us"), Some(19), &["TOML"]);
}

#[test]
fn toml_duplicate_key_names_the_key() {
    let stderr = run_rejects(
        &base_with(
            "leader_exit_hazard = 0.01",
            "leader_exit_hazard = 0.01\nwill = 0.4",
        ),
        Some(13),
        &["duplicate"],
    );
    assert!(
        stderr.contains("will"),
        "the message must name the repeated key `will`:\n{stderr}"
    );
}

#[test]
fn bad_set_arguments() {
    let files = [("x.toml", BASE)];
    let run = |set: &str, expect: &[&str]| {
        rejects(
            &files,
            &["run", "x", "--out", "results", "--set", set],
            expect,
        );
    };
    run("japan.will", &["--set", "KEY=VALUE"]);
    run(
        "japan.wil=0.5",
        &[
            "--set",
            "japan.wil",
            "unknown key",
            "did you mean `japan.will`",
        ],
    );
    run(
        "japan.will=beta(0,1)",
        &["--set", "japan.will", "beta(0,1)", "a > 0 and b > 0"],
    );
    run(
        "japan.will=1.5",
        &["--set", "japan.will", "outside the domain", "[0, 1]"],
    );
    run(
        "simulation.trials=0",
        &["--set", "simulation.trials", "from 1 to"],
    );
    // `show` validates its --set the same way, and prints nothing on stdout.
    let show = |set: &str, expect: &[&str]| {
        rejects(&files, &["show", "x", "--set", set], expect);
    };
    show("japan.will", &["--set", "KEY=VALUE"]);
    show(
        "japan.wil=0.5",
        &["--set", "japan.wil", "did you mean `japan.will`"],
    );
    show(
        "japan.will=gamma(1,1)",
        &["--set", "japan.will", "beta(a, b)"],
    );
}

#[test]
fn unknown_scenario_lists_the_available_ones() {
    let files = [("baseline.toml", BASE), ("hindsight.toml", BASE)];
    let expect = ["nosuch", "available", "baseline", "hindsight"];
    rejects(&files, &["run", "nosuch", "--out", "results"], &expect);
    rejects(&files, &["show", "nosuch"], &expect);
    // check reports the scenario, then the count of invalid ones.
    rejected(&files, &["check", "nosuch"], &expect, 2);
    // A typo gets a suggestion.
    rejects(
        &files,
        &["run", "baselin", "--out", "results"],
        &["did you mean `baseline`"],
    );
}

#[test]
fn check_reports_bad_and_good_scenarios() {
    let bad = japan_will(r#""beta(0, 2)""#);
    let files = [("bad.toml", bad.as_str()), ("good.toml", BASE)];
    for names in [
        &["check", "bad", "good"][..],
        &["check", "good", "bad"],
        &["check"],
    ] {
        let stderr = rejected(
            &files,
            names,
            &["ok: good", "japan.will", "a > 0 and b > 0"],
            2,
        );
        assert_located(&stderr, "scenarios/bad.toml", 10);
        assert!(!stderr.contains("ok: bad"), "{stderr}");
    }
}

#[test]
fn one_bad_scenario_stops_the_whole_run() {
    let bad = japan_will(r#""beta(0, 2)""#);
    let files = [("bad.toml", bad.as_str()), ("good.toml", BASE)];
    for args in [
        &["run", "good", "bad", "--out", "results"][..],
        &["run", "--all", "--out", "results"],
    ] {
        let stderr = rejects(&files, args, &["japan.will"]);
        assert_located(&stderr, "scenarios/bad.toml", 10);
    }
}

#[test]
fn a_rejected_run_leaves_earlier_results_intact() {
    let dir = common::workdir(&[("x.toml", BASE)]);
    let summary = dir.path().join("results/x/summary.csv");
    std::fs::create_dir_all(summary.parent().expect("folder")).expect("results folder");
    std::fs::write(&summary, "earlier results\n").expect("earlier summary");
    let output = common::treatysim(dir.path())
        .args([
            "run",
            "x",
            "--out",
            "results",
            "--set",
            "japan.will=beta(0,1)",
        ])
        .timeout(TIMEOUT)
        .output()
        .expect("the binary starts");
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&summary).expect("summary"),
        "earlier results\n"
    );
    assert_eq!(folder_entries(&dir.path().join("results")), ["x"]);
    assert_eq!(
        folder_entries(&dir.path().join("results/x")),
        ["summary.csv"]
    );
}

#[test]
fn bad_command_line_arguments() {
    let files = [("x.toml", BASE)];
    let run = |extra: &[&str], expect: &[&str]| {
        let mut args = vec!["run", "--out", "results"];
        args.extend(extra);
        rejects(&files, &args, expect);
    };
    run(&["x", "--trials", "0"], &["--trials"]);
    run(&["x", "--trials", "-3"], &[]);
    run(&["x", "--threads", "0"], &["--threads"]);
    run(
        &["x", "--estimator", "foo"],
        &["--estimator", "foo", "conditional", "indicator"],
    );
    run(&["x", "--seed", "abc"], &["--seed"]);
    run(&[], &["required"]);
    run(&["x", "--all"], &["--all"]);
    run(&["x", "--no-such-option"], &["--no-such-option"]);
    rejects(&files, &["frobnicate"], &["frobnicate"]);
}
