//! Bad input is rejected cleanly (SPEC §2 exit codes, §3 validation, §7 errors and safety).
//!
//! Every test starts from [`base`], a valid complete scenario, breaks one thing and runs the
//! real binary in a fresh folder. A rejection must: exit with code 2; print one message on
//! stderr that starts with `error: ` and names the file, the line and column where the value
//! (or table) was written, the key, and what would be accepted; never panic; print nothing on
//! stdout; and write nothing (the work folder holds only `scenarios/` afterwards, so `results/`
//! was not created). [`base_scenario_runs`] is the positive control that makes the rejections
//! meaningful. Lines are found with [`common::line_of`] in the very text under test.

use crate::common;

use common::{ScenarioText, line_of};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// The event of [`base`].
const EVENT: &str = r#"name = "constitutional amendment"
month = "2020-07"
probability = 0.5
effects = { "party.russia.will" = -0.15, "issue.security.demand" = "uniform(0, 0.1)" }"#;

/// [`base`] with another event body in place of [`EVENT`].
fn base_with_event(event: &str) -> ScenarioText {
    ScenarioText::bilateral()
        .set("description", "\"valid base scenario for rejection tests\"")
        .set("simulation.trials", "2000")
        .dist("party.japan.will", "beta(6, 3)")
        .set("party.japan.leader_exit_hazard", "0.01")
        .dist("party.japan.successor_will", "beta(3, 4)")
        .dist("party.russia.will", "beta(3, 5)")
        .dist("party.us.indifference", "uniform(0.2, 0.8)")
        .dist("issue.security.concession", "0.05 to 0.35")
        .dist("issue.security.demand", "pert(0.4, 0.7, 0.95)")
        .set("issue.security.leverage.us", "0.3")
        .set("process.will_volatility", "0.05")
        .set("process.decision_noise", "0.08")
        .event(event)
}

/// A valid complete scenario: the bilateral cast with distributions, a leader who may leave,
/// and one event.
fn base() -> ScenarioText {
    base_with_event(EVENT)
}

/// The file every broken scenario is written to, as messages name it.
const FILE: &str = "scenarios/x.toml";

/// A command that runs longer than this is taken to hang (it is killed and the test fails).
const TIMEOUT: Duration = Duration::from_secs(30);

/// [`base`] with `party.japan.will` written as `value` (a TOML literal).
fn japan_will(value: &str) -> String {
    base().set("party.japan.will", value).text()
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

/// `treatysim run x` rejects `text` at the line where `key` is written in it (see
/// [`common::line_of`]), and the message names `key`.
fn rejects_at(text: &str, key: &str, expect: &[&str]) -> String {
    let stderr = run_rejects(text, Some(line_of(text, key)), expect);
    assert!(
        stderr.contains(key),
        "stderr does not name {key}:\n{stderr}"
    );
    stderr
}

/// `treatysim run x --out results --set ARG` rejects `text`; the message names the argument.
fn set_rejects(text: &str, arg: &str, expect: &[&str]) -> String {
    let stderr = rejects(
        &[("x.toml", text)],
        &["run", "x", "--out", "results", "--set", arg],
        expect,
    );
    assert!(
        stderr.contains(arg),
        "stderr does not name {arg}:\n{stderr}"
    );
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

/// Runs `treatysim args...` in `dir` and expects success; returns stderr.
fn succeeds(dir: &Path, args: &[&str]) -> String {
    let output = common::treatysim(dir)
        .args(args)
        .timeout(TIMEOUT)
        .output()
        .expect("the binary starts");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(0),
        "treatysim {}\n{stderr}",
        args.join(" ")
    );
    assert!(!stderr.contains("error"), "stderr:\n{stderr}");
    stderr
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

/// The parameters an event may shift in [`base`] (SPEC §3: every will, indifference,
/// concession and demand, and the summit rate).
const STATE_PARAMETERS: [&str; 6] = [
    "party.japan.will",
    "party.russia.will",
    "party.us.indifference",
    "issue.security.concession",
    "issue.security.demand",
    "process.summit_rate",
];

#[test]
fn base_scenario_runs() {
    let dir = common::workdir(&[("x.toml", &base().text())]);
    succeeds(dir.path(), &["run", "x", "--out", "results"]);
    assert!(dir.path().join("results/x/summary.csv").is_file());
}

#[test]
fn bad_distribution_parameters() {
    let cases: [(&str, &[&str]); 6] = [
        (r#""beta(0, 2)""#, &["beta(0, 2)", "a > 0 and b > 0"]),
        (r#""beta(2, -1)""#, &["beta(2, -1)", "a > 0 and b > 0"]),
        (r#""normal(0.5, 0)""#, &["normal(0.5, 0)", "sd > 0"]),
        (r#""beta(1)""#, &["beta(1)", "2", "beta(a, b)"]),
        (r#""beta(nan, 2)""#, &["beta(nan, 2)", "finite"]),
        (r#""uniform(inf, 2)""#, &["uniform(inf, 2)", "finite"]),
    ];
    for (value, expect) in cases {
        rejects_at(&japan_will(value), "party.japan.will", expect);
    }
    // A bare NaN or infinity in TOML is a number too, and must be finite as well.
    for value in ["nan", "inf", "-inf"] {
        rejects_at(&japan_will(value), "party.japan.will", &["finite"]);
    }
}

#[test]
fn unknown_distribution_lists_the_accepted_syntaxes() {
    // An unknown family, an unclosed argument list, an empty string, a boolean.
    for value in [r#""gamma(2, 2)""#, r#""beta(1, 2""#, r#""""#, "true"] {
        rejects_at(&japan_will(value), "party.japan.will", &SYNTAXES);
    }
    rejects_at(
        &japan_will(r#""gamma(2, 2)""#),
        "party.japan.will",
        &["gamma", "unknown distribution"],
    );
}

#[test]
fn support_outside_the_domain() {
    // An unbounded distribution on a [0, 1] parameter: suggest a bounded one.
    rejects_at(
        &japan_will(r#""normal(0.5, 0.1)""#),
        "party.japan.will",
        &[
            "normal(0.5, 0.1)",
            "outside the domain",
            "[0, 1]",
            "truncnormal",
            "beta(",
        ],
    );
    // uniform(0, 0.1) reaches 0, outside decision_noise's (0, inf).
    rejects_at(
        &base()
            .dist("process.decision_noise", "uniform(0, 0.1)")
            .text(),
        "process.decision_noise",
        &["uniform(0, 0.1)", "outside the domain", "lognormal"],
    );
    // A constant outside [0, 1].
    rejects_at(
        &japan_will("1.5"),
        "party.japan.will",
        &["1.5", "outside the domain", "[0, 1]"],
    );
    rejects_at(
        &base().set("issue.security.leverage.us", "-0.2").text(),
        "issue.security.leverage.us",
        &["-0.2", "outside the domain", "[0, 1]"],
    );
}

#[test]
fn bad_intervals() {
    rejects_at(
        &japan_will(r#""0.5 to 0.2""#),
        "party.japan.will",
        &["0.5 to 0.2", "low end", "0.2 to 0.5"],
    );
    rejects_at(
        &japan_will(r#""0.3 to 0.3""#),
        "party.japan.will",
        &["0.3 to 0.3", "low end"],
    );
    for value in [r#""0 to 0.5""#, r#""0.2 to 1.2""#] {
        rejects_at(
            &japan_will(value),
            "party.japan.will",
            &["(0, 1)", "0 < lo < hi < 1"],
        );
    }
}

#[test]
fn degenerate_interval_is_rejected_promptly() {
    // Found while writing these tests: fitting a beta to this interval never returns
    // (statrs::function::beta::inv_beta_reg loops on the huge shape parameters it reaches),
    // and SIGTERM does not stop it either. It must be rejected (or fitted) quickly.
    rejects_at(
        &japan_will(r#""0.1 to 0.100000000001""#),
        "party.japan.will",
        &["0.1 to 0.100000000001"],
    );
}

#[test]
fn unknown_keys_and_sections() {
    let text = base()
        .remove("party.japan.will")
        .dist("party.japan.wil", "beta(6, 3)")
        .text();
    rejects_at(
        &text,
        "party.japan.wil",
        &[
            "unknown key",
            "did you mean `will`",
            "accepted",
            "successor_will",
        ],
    );
    let text = base().text().replace("[party.japan]", "[partty.japan]");
    run_rejects(
        &text,
        Some(line_of(&text, "partty.japan")),
        &[
            "partty",
            "unknown key",
            "did you mean `party`",
            "accepted",
            "simulation",
            "process",
        ],
    );
    rejects_at(
        &base_with_event(&format!("{EVENT}\nodds = 2")).text(),
        "event.odds",
        &["unknown key", "accepted", "probability"],
    );
    let text = format!("colour = \"red\"\n{}", base().text());
    rejects_at(&text, "colour", &["unknown key", "accepted"]);
}

#[test]
fn missing_parameter_is_named() {
    // The key is absent, so no line is asserted: the message names the file and the key.
    run_rejects(
        &base().remove("party.us.indifference").text(),
        None,
        &["party.us.indifference", "missing", "[party.us]"],
    );
    run_rejects(
        &base().remove("simulation.start").text(),
        None,
        &["simulation.start", "missing", "YYYY-MM"],
    );
}

#[test]
fn bad_extends() {
    let base_text = base().text();
    let nope = base().set("extends", "\"nope\"").text();
    let stderr = rejects(
        &[("x.toml", &nope), ("baseline.toml", &base_text)],
        &["run", "x", "--out", "results"],
        &["extends", "nope", "available", "baseline"],
    );
    assert_located(&stderr, FILE, line_of(&nope, "extends"));

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
    let start = |value: &str| base().set("simulation.start", value).text();
    rejects_at(
        &start(r#""2020-13""#),
        "simulation.start",
        &["2020-13", "01 to 12"],
    );
    rejects_at(
        &start(r#""2020-1""#),
        "simulation.start",
        &["2020-1", "YYYY-MM"],
    );
    rejects_at(&start("2020"), "simulation.start", &["2020", "YYYY-MM"]);
    let text = base_with_event(&EVENT.replace(r#""2020-07""#, r#""July 2020""#)).text();
    run_rejects(
        &text,
        Some(line_of(&text, "event.month")),
        &[
            "event \"constitutional amendment\".month",
            "July 2020",
            "YYYY-MM",
        ],
    );
}

#[test]
fn deadline_not_after_start() {
    for bad in ["2020-01", "2019-06"] {
        rejects_at(
            &base()
                .set("simulation.deadline", &format!("{bad:?}"))
                .text(),
            "simulation.deadline",
            &[bad, "2020-01", "after"],
        );
    }
}

#[test]
fn bad_trials() {
    for bad in ["0", "-5", "2.5", "\"many\""] {
        rejects_at(
            &base().set("simulation.trials", bad).text(),
            "simulation.trials",
            &["whole number", "from 1 to"],
        );
    }
}

#[test]
fn bad_seed() {
    for bad in ["-1", "3.7", "\"abc\""] {
        rejects_at(
            &base().set("simulation.seed", bad).text(),
            "simulation.seed",
            &["whole number", "18446744073709551615"],
        );
    }
}

#[test]
fn event_probability_outside_unit_interval() {
    for bad in ["1.5", "-0.1", "2", "\"half\""] {
        let event = EVENT.replace("probability = 0.5", &format!("probability = {bad}"));
        let text = base_with_event(&event).text();
        run_rejects(
            &text,
            Some(line_of(&text, "event.probability")),
            &["constitutional amendment", "probability", "[0, 1]"],
        );
    }
}

/// `text` as the inside of a TOML basic string, every character outside ASCII as `\uXXXX`.
fn toml_escaped(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\u{:04X}", u32::from(c))
            }
        })
        .collect()
}

/// Two event names that print alike would be two events a reader cannot tell apart (and a
/// `--set` or `requires` that silently misses one): a name with a space at an end, or with an
/// invisible or text-reordering character, is refused, and an ordinary name with inner spaces
/// is not.
#[test]
fn event_names_that_print_alike_are_refused() {
    for bad in [
        "constitutional amendment ",
        " constitutional amendment",
        "constitutional\u{200b} amendment",
        "constitutional \u{202e}tnemdnema",
        "\u{feff}constitutional amendment",
        "constitutional\u{ad}amendment",
    ] {
        let event = EVENT.replace(
            "name = \"constitutional amendment\"",
            &format!("name = \"{}\"", toml_escaped(bad)),
        );
        assert_ne!(event, EVENT);
        let text = base_with_event(&event).text();
        let stderr = run_rejects(
            &text,
            Some(line_of(&text, "event.name")),
            &[
                "event.name",
                "without spaces at its ends and without control, invisible or text-reordering characters",
            ],
        );
        // The message echoes the name escaped, never the raw character.
        assert!(
            !stderr.contains(bad.trim()) || bad.trim().is_ascii(),
            "{stderr:?}"
        );
    }
    let text = base_with_event(&EVENT.replace("constitutional amendment", "a  b")).text();
    let dir = common::workdir(&[("x.toml", &text)]);
    succeeds(dir.path(), &["check", "x"]);
}

#[test]
fn event_effect_on_a_bad_parameter() {
    let effects = |effects: &str| {
        let event = EVENT
            .lines()
            .map(|l| {
                if l.starts_with("effects") {
                    format!("effects = {effects}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        base_with_event(&event).text()
    };
    let text = effects(r#"{ "party.japan.wil" = -0.15 }"#);
    run_rejects(
        &text,
        Some(line_of(&text, "event.effects")),
        &[
            "constitutional amendment",
            "party.japan.wil",
            "not a parameter",
            "did you mean `party.japan.will`",
        ],
    );
    let mut expect = vec![
        "constitutional amendment",
        "process.decision_noise",
        "not a state parameter",
    ];
    expect.extend(STATE_PARAMETERS);
    let text = effects(r#"{ "process.decision_noise" = 0.1 }"#);
    run_rejects(&text, Some(line_of(&text, "event.effects")), &expect);
    let text = effects(r#"{ "party.russia.will" = "gamma(1, 1)" }"#);
    run_rejects(
        &text,
        Some(line_of(&text, "event.effects")),
        &["party.russia.will", "gamma", "beta(a, b)"],
    );
}

#[test]
fn toml_syntax_errors_carry_line_and_column() {
    for value in [r#""beta(6, 3)"#, ""] {
        run_rejects(
            &japan_will(value),
            Some(line_of(&japan_will(value), "party.japan.will")),
            &["TOML"],
        );
    }
    let text = base().text();
    run_rejects(
        &text.replace("[party.us]", "[party.us"),
        Some(line_of(&text, "party.us")),
        &["TOML"],
    );
}

#[test]
fn toml_duplicate_key_names_the_key() {
    let text = base().text().replace(
        "leader_exit_hazard = 0.01",
        "leader_exit_hazard = 0.01\nwill = 0.4",
    );
    let stderr = run_rejects(
        &text,
        Some(line_of(&text, "party.japan.leader_exit_hazard") + 1),
        &["duplicate"],
    );
    assert!(
        stderr.contains("will"),
        "the message must name the repeated key `will`:\n{stderr}"
    );
}

#[test]
fn bad_set_arguments() {
    let text = base().text();
    let files = [("x.toml", text.as_str())];
    let run = |set: &str, expect: &[&str]| {
        rejects(
            &files,
            &["run", "x", "--out", "results", "--set", set],
            expect,
        );
    };
    run("party.japan.will", &["--set", "KEY=VALUE"]);
    run(
        "party.japan.wil=0.5",
        &[
            "--set",
            "party.japan.wil",
            "unknown key",
            "did you mean `party.japan.will`",
        ],
    );
    run(
        "party.japan.will=beta(0,1)",
        &["--set", "party.japan.will", "beta(0,1)", "a > 0 and b > 0"],
    );
    run(
        "party.japan.will=1.5",
        &["--set", "party.japan.will", "outside the domain", "[0, 1]"],
    );
    run(
        "simulation.trials=0",
        &["--set", "simulation.trials", "from 1 to"],
    );
    // `show` validates its --set the same way, and prints nothing on stdout.
    let show = |set: &str, expect: &[&str]| {
        rejects(&files, &["show", "x", "--set", set], expect);
    };
    show("party.japan.will", &["--set", "KEY=VALUE"]);
    show(
        "party.japan.wil=0.5",
        &[
            "--set",
            "party.japan.wil",
            "did you mean `party.japan.will`",
        ],
    );
    show(
        "party.japan.will=gamma(1,1)",
        &["--set", "party.japan.will", "beta(a, b)"],
    );
}

#[test]
fn unknown_scenario_lists_the_available_ones() {
    let text = base().text();
    let files = [("baseline.toml", text.as_str()), ("hindsight.toml", &text)];
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

/// `check` of a folder without a scenario it can read (empty, or only files whose names break
/// the name rule, each named in a warning) is an error, as `run --all` is, rather than a
/// silent success; and a
/// distribution's numbers are echoed as written, not as three hundred digits.
#[test]
fn check_of_no_scenario_and_extreme_numbers_in_messages() {
    let text = base().text();
    for files in [&[][..], &[("my scenario.toml", text.as_str())]] {
        let stderr = rejects(files, &["check"], &["no scenarios to check", "name rule"]);
        // The file passed over is named, with the rule it breaks.
        assert_eq!(
            stderr.contains("'scenarios/my scenario.toml' is not read as a scenario"),
            !files.is_empty(),
            "{stderr}"
        );
    }
    let stderr = rejects(
        &[("x.toml", text.as_str())],
        &["run", "x", "--set", "party.japan.will=beta(1e-300, 1e300)"],
        &["beta(1e-300, 1e300)", "out of range"],
    );
    assert!(stderr.len() < 400, "{} bytes:\n{stderr}", stderr.len());
}

#[test]
fn check_reports_bad_and_good_scenarios() {
    let bad = japan_will(r#""beta(0, 2)""#);
    let good = base().text();
    let files = [("bad.toml", bad.as_str()), ("good.toml", &good)];
    for names in [
        &["check", "bad", "good"][..],
        &["check", "good", "bad"],
        &["check"],
    ] {
        let stderr = rejected(
            &files,
            names,
            &["ok: good", "party.japan.will", "a > 0 and b > 0"],
            2,
        );
        assert_located(
            &stderr,
            "scenarios/bad.toml",
            line_of(&bad, "party.japan.will"),
        );
        assert!(!stderr.contains("ok: bad"), "{stderr}");
    }
}

#[test]
fn one_bad_scenario_stops_the_whole_run() {
    let bad = japan_will(r#""beta(0, 2)""#);
    let good = base().text();
    let files = [("bad.toml", bad.as_str()), ("good.toml", &good)];
    for args in [
        &["run", "good", "bad", "--out", "results"][..],
        &["run", "--all", "--out", "results"],
    ] {
        let stderr = rejects(&files, args, &["party.japan.will"]);
        assert_located(
            &stderr,
            "scenarios/bad.toml",
            line_of(&bad, "party.japan.will"),
        );
    }
}

#[test]
fn a_rejected_run_leaves_earlier_results_intact() {
    let dir = common::workdir(&[("x.toml", &base().text())]);
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
            "party.japan.will=beta(0,1)",
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
    let text = base().text();
    let files = [("x.toml", text.as_str())];
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
    run(&[], &["name the scenarios to run", "--all"]);
    run(&["x", "--all"], &["--all"]);
    run(&["x", "--no-such-option"], &["--no-such-option"]);
    rejects(&files, &["frobnicate"], &["frobnicate"]);
}

// ---------------------------------------------------------------------------------------------
// The rules of format 2 (SPEC §3), one test each.

#[test]
fn fewer_than_two_signatories() {
    // russia made an outside party: japan is the only signatory. The rule is about the whole
    // file, so no line is asserted.
    let text = base()
        .remove("party.russia.will")
        .set("party.russia.role", "\"outside\"")
        .set("party.russia.indifference", "0.5")
        .text();
    run_rejects(
        &text,
        None,
        &["party", "at least two signatories", "japan", "[party.NAME]"],
    );
}

#[test]
fn an_issue_between_a_signatory_and_itself() {
    rejects_at(
        &base().set("issue.security.demands", "\"japan\"").text(),
        "issue.security.demands",
        &[
            "japan",
            "both concedes and demands",
            "two different signatories",
        ],
    );
}

#[test]
fn an_issue_side_must_be_a_signatory() {
    let side = |key: &str, party: &str, why: &str| {
        rejects_at(
            &base().set(key, &format!("{party:?}")).text(),
            key,
            &[party, why, "accepted: japan, russia"],
        );
    };
    side("issue.security.concedes", "us", "outside party");
    side("issue.security.demands", "us", "outside party");
    side("issue.security.concedes", "china", "no signatory");
    side("issue.security.demands", "china", "no signatory");
    let stderr = rejects_at(
        &base().set("issue.security.concedes", "\"japn\"").text(),
        "issue.security.concedes",
        &[
            "no signatory",
            "did you mean `japan`",
            "accepted: japan, russia",
        ],
    );
    assert!(stderr.contains("japn"), "{stderr}");
}

#[test]
fn leverage_comes_from_outside_parties() {
    let leverage = |party: &str| {
        base()
            .remove("issue.security.leverage.us")
            .set(&format!("issue.security.leverage.{party}"), "0.3")
            .text()
    };
    rejects_at(
        &leverage("japan"),
        "issue.security.leverage.japan",
        &["japan is a signatory", "outside parties", "accepted: us"],
    );
    rejects_at(
        &leverage("uk"),
        "issue.security.leverage.uk",
        &["no outside party", "uk", "accepted: us"],
    );
    rejects_at(
        &leverage("uss"),
        "issue.security.leverage.uss",
        &["no outside party", "did you mean `us`", "accepted: us"],
    );
}

#[test]
fn a_party_holds_only_the_values_of_its_role() {
    // An outside party has indifference, role and label only.
    for field in ["will", "leader_exit_hazard", "successor_will"] {
        let key = format!("party.us.{field}");
        rejects_at(
            &base().set(&key, "0.5").text(),
            &key,
            &["outside party", "indifference, role and label"],
        );
    }
    // A signatory has no indifference.
    rejects_at(
        &base().set("party.russia.indifference", "0.5").text(),
        "party.russia.indifference",
        &["russia is a signatory", "will", "role = \"outside\""],
    );
    // And the role is one of two words.
    rejects_at(
        &base().set("party.us.role", "\"outsider\"").text(),
        "party.us.role",
        &[
            "outsider",
            "did you mean `outside`",
            "\"signatory\"",
            "\"outside\"",
        ],
    );
}

#[test]
fn a_leader_who_can_leave_needs_a_successor_will() {
    let without = || base().remove("party.japan.successor_will");
    let expect = [
        "party.japan.successor_will",
        "missing",
        "add successor_will = ... under [party.japan]",
    ];
    // A hazard that is not the constant 0: the message points at the hazard.
    for hazard in ["0.01", "\"uniform(0, 0.02)\""] {
        let text = without()
            .set("party.japan.leader_exit_hazard", hazard)
            .text();
        run_rejects(
            &text,
            Some(line_of(&text, "party.japan.leader_exit_hazard")),
            &expect,
        );
    }
    // An event's leader_exit, with no hazard at all: the message points at the event.
    let with_exit = base_with_event(&format!("{EVENT}\nleader_exit = [\"japan\"]"))
        .remove("party.japan.successor_will")
        .remove("party.japan.leader_exit_hazard")
        .text();
    let stderr = run_rejects(&with_exit, Some(line_of(&with_exit, "event")), &expect);
    assert!(stderr.contains("constitutional amendment"), "{stderr}");
    // No way for the leader to leave (no hazard, or the constant 0): no successor needed.
    let dir = common::workdir(&[
        (
            "none.toml",
            &without().remove("party.japan.leader_exit_hazard").text(),
        ),
        (
            "zero.toml",
            &without().set("party.japan.leader_exit_hazard", "0").text(),
        ),
    ]);
    succeeds(dir.path(), &["run", "none", "zero", "--out", "results"]);
}

#[test]
fn leader_exit_names_signatories() {
    for (party, expect) in [
        (
            "us",
            &["\"us\" is not a signatory", "accepted: japan, russia"][..],
        ),
        ("japn", &["did you mean `japan`", "accepted: japan, russia"]),
    ] {
        let text = base_with_event(&format!("{EVENT}\nleader_exit = [\"{party}\"]")).text();
        let mut expect = expect.to_vec();
        expect.push("event \"constitutional amendment\".leader_exit");
        run_rejects(&text, Some(line_of(&text, "event.leader_exit")), &expect);
    }
}

#[test]
fn party_and_issue_names_are_lowercase_words() {
    let text = base().text();
    let cases = [
        (
            "[party.japan]",
            "[party.Japan]",
            "party.Japan",
            "not a valid party name",
        ),
        (
            "[party.us]",
            "[party.3us]",
            "party.3us",
            "not a valid party name",
        ),
        (
            "[issue.security]",
            "[issue.Security]",
            "issue.Security",
            "not a valid issue name",
        ),
        (
            "[issue.security]",
            "[issue.1security]",
            "issue.1security",
            "not a valid issue name",
        ),
    ];
    for (header, bad, key, why) in cases {
        let broken = text.replace(header, bad);
        rejects_at(
            &broken,
            key,
            &[
                why,
                "a lowercase letter followed by lowercase letters, digits and _",
            ],
        );
    }
}

#[test]
fn a_leverage_key_names_a_valid_party() {
    rejects_at(
        &base()
            .remove("issue.security.leverage.us")
            .set("issue.security.leverage.US", "0.3")
            .text(),
        "issue.security.leverage.US",
        &["\"US\" is not a valid party name"],
    );
}

#[test]
fn a_name_is_a_party_or_an_issue_not_both() {
    // The issue security renamed japan, in its table and in the event's effects.
    let text = base().text().replace("issue.security", "issue.japan");
    rejects_at(
        &text,
        "party.japan",
        &[
            "names both a party and an issue",
            "unique across parties and issues",
        ],
    );
}

#[test]
fn missing_parameters_are_named_with_their_table() {
    // Absent keys have no line: the message names the file, the key, where to write it and
    // what is accepted.
    for (key, table) in [
        ("process.decision_noise", "[process]"),
        ("issue.security.concession", "[issue.security]"),
        ("issue.security.demand", "[issue.security]"),
        ("party.russia.will", "[party.russia]"),
    ] {
        let mut expect = vec![key, "missing", table];
        expect.extend(SYNTAXES);
        // A label keeps the party's table when its will is removed.
        let text = base()
            .set("party.russia.label", "\"Russia\"")
            .remove(key)
            .text();
        run_rejects(&text, None, &expect);
    }
    for (key, what) in [
        ("issue.security.concedes", "must give ground"),
        ("issue.security.demands", "must be satisfied"),
    ] {
        run_rejects(
            &base().remove(key).text(),
            None,
            &[key, "missing", what, "[issue.security]", "japan, russia"],
        );
    }
}

/// A scenario in format 1 (treatysim 0.1), as the old tests wrote it.
const FORMAT_1: &str = r#"description = "format 1"

[simulation]
start = "2020-01"
deadline = "2021-09"

[japan]
will = "beta(6, 3)"
security_concession = "0.05 to 0.35"

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
"#;

#[test]
fn a_format_1_file_is_told_how_to_write_format_2() {
    rejects_at(
        FORMAT_1,
        "japan",
        &[
            "format-1",
            "format 2",
            "[party.NAME]",
            "[issue.NAME]",
            "`japan.will` -> `party.japan.will`",
            "`japan.security_concession` -> `issue.security.concession`",
        ],
    );
    // An outside party's table in format 1.
    rejects_at(
        "[us]\nindifference = 0.5\nleverage = 0.3\n",
        "us",
        &[
            "format-1",
            "`us.indifference` -> `party.us.indifference`",
            "`us.leverage` -> `issue.security.leverage.us`",
        ],
    );
}

#[test]
fn a_format_1_key_in_set_is_told_its_format_2_key() {
    let text = base().text();
    for (old, new) in [
        ("japan.will", "party.japan.will"),
        ("japan.security_concession", "issue.security.concession"),
        ("russia.security_demand", "issue.security.demand"),
        ("us.leverage", "issue.security.leverage.us"),
        ("us.indifference", "party.us.indifference"),
    ] {
        let arg = format!("{old}=0.5");
        set_rejects(&text, &arg, &["format-1", &format!("write `{new}`")]);
        rejects(
            &[("x.toml", &text)],
            &["show", "x", "--set", &arg],
            &["format-1", &format!("write `{new}`")],
        );
    }
}

#[test]
fn unknown_keys_get_a_did_you_mean() {
    // In the file: every table's fields, and the top level.
    for (key, typo, meant) in [
        (
            "issue.security.concession",
            "issue.security.concesion",
            "concession",
        ),
        ("process.summit_rate", "process.sumit_rate", "summit_rate"),
        (
            "party.us.indifference",
            "party.us.indiference",
            "indifference",
        ),
        ("simulation.trials", "simulation.trails", "trials"),
    ] {
        let text = base().remove(key).set(typo, "0.3").text();
        rejects_at(
            &text,
            typo,
            &[
                "unknown key",
                &format!("did you mean `{meant}`"),
                "accepted here",
                meant,
            ],
        );
    }
    // On the command line: the key, a suggestion and what --set accepts.
    let text = base().text();
    for (typo, meant) in [
        ("party.japn.will", "party.japan.will"),
        ("party.japan.wil", "party.japan.will"),
        ("issue.securty.demand", "issue.security.demand"),
        ("proces.summit_rate", "process.summit_rate"),
        ("simulation.tirals", "simulation.trials"),
    ] {
        set_rejects(
            &text,
            &format!("{typo}=0.5"),
            &["unknown key", &format!("did you mean `{meant}`")],
        );
    }
}

#[test]
fn set_of_an_unknown_event_gets_a_did_you_mean() {
    let text = base().text();
    for field in ["probability=1", "month=2020-05"] {
        set_rejects(
            &text,
            &format!("event.constitutional amendmnt.{field}"),
            &[
                "no event \"constitutional amendmnt\"",
                "did you mean `constitutional amendment`",
                "its events: \"constitutional amendment\"",
            ],
        );
    }
    set_rejects(
        &text,
        "event.nope.probability=0",
        &[
            "no event \"nope\"",
            "its events: \"constitutional amendment\"",
        ],
    );
    set_rejects(
        &text,
        "event.constitutional amendment.odds=1",
        &[
            "event.constitutional amendment.probability",
            "event.constitutional amendment.month",
        ],
    );
}

#[test]
fn extends_with_a_path_is_refused() {
    // Each target exists, so a reader that followed the path would succeed.
    let outside = tempfile::tempdir().expect("temporary folder");
    std::fs::write(outside.path().join("parent.toml"), base().text()).expect("parent");
    let absolute = outside.path().join("parent");
    let absolute = absolute.to_str().expect("UTF-8 path");
    let parent = base().text();
    for target in [
        absolute.to_string(),
        format!("{absolute}.toml"),
        "../scenarios/parent".to_string(),
        "..".to_string(),
    ] {
        let text = format!("extends = {target:?}\ndescription = \"child\"\n");
        let stderr = rejects(
            &[("x.toml", &text), ("parent.toml", &parent)],
            &["run", "x", "--out", "results"],
            &[
                "extends",
                "absolute paths and .. are refused",
                "extends = \"baseline\"",
            ],
        );
        assert_located(&stderr, FILE, 1);
    }
}

/// Scenario files `c0` … `c{depth-1}`, each extending the one before; `c0` is [`base`].
fn extends_chain(depth: usize) -> Vec<(String, String)> {
    let mut files = vec![("c0.toml".to_string(), base().text())];
    for i in 1..depth {
        files.push((
            format!("c{i}.toml"),
            format!("extends = \"c{}\"\ndescription = \"link {i}\"\n", i - 1),
        ));
    }
    files
}

#[test]
fn extends_chains_deeper_than_64_are_refused() {
    let files = extends_chain(70);
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let stderr = rejects(
        &files,
        &["run", "c69", "--out", "results"],
        &["extends", "deeper than 64", "at most 64"],
    );
    assert!(stderr.contains("scenarios/c"), "{stderr}");
    assert!(stderr.contains(".toml:1:"), "{stderr}");
    // 60 deep is accepted.
    let files = extends_chain(60);
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = common::workdir(&files);
    succeeds(dir.path(), &["run", "c59", "--out", "results"]);
}

#[test]
fn a_correlation_pair_given_twice_is_refused() {
    for second in [
        "party.russia.will ~ party.japan.will",
        "party.russia.will~party.japan.will",
        " party.japan.will  ~ party.russia.will",
    ] {
        let text = base()
            .raw(&format!(
                "[correlations]\n\"party.japan.will ~ party.russia.will\" = 0.3\n{second:?} = 0.2"
            ))
            .text();
        let line = text
            .lines()
            .position(|l| l.starts_with(&format!("{second:?}")))
            .expect("second pair")
            + 1;
        run_rejects(
            &text,
            Some(line),
            &[
                "correlations",
                "party.japan.will ~ party.russia.will",
                "given twice",
                "give each pair once",
            ],
        );
    }
}

#[test]
fn constants_out_of_magnitude_are_refused() {
    // 5e-324 lies in [0, 1]: only the magnitude rule refuses it.
    for (key, value) in [
        ("process.signing_threshold", "1e300"),
        ("process.signing_threshold", "-1e300"),
        ("party.japan.will", "5e-324"),
    ] {
        let expect = [value, "out of range", "1e-100 to 1e100"];
        rejects_at(&base().set(key, value).text(), key, &expect);
        set_rejects(&base().text(), &format!("{key}={value}"), &expect);
    }
}

#[test]
fn a_byte_order_mark_does_not_shift_columns() {
    // Errors on the first line, where a BOM would count as a character, and further down.
    let first_line = base().set("description", "5").text();
    let unknown = format!("colour = 1\n{}", base().text());
    let further = japan_will(r#""beta(0, 3)""#);
    let will_line = line_of(&further, "party.japan.will");
    for (text, located) in [
        (&first_line, "scenarios/x.toml:1:15:".to_string()),
        (&unknown, "scenarios/x.toml:1:1:".to_string()),
        (&further, format!("scenarios/x.toml:{will_line}:8:")),
    ] {
        let plain = run_rejects(text, None, &[&located]);
        let with_bom = run_rejects(&format!("\u{feff}{text}"), None, &[&located]);
        assert_eq!(with_bom, plain, "a BOM changed the message");
    }
}

#[test]
fn dot_named_scenario_files_are_not_run() {
    let text = base().text();
    let dir = common::workdir(&[("ok.toml", &text), ("..toml", &text), ("...toml", &text)]);
    succeeds(dir.path(), &["run", "--all", "--out", "results"]);
    assert_eq!(folder_entries(dir.path()), ["results", "scenarios"]);
    assert_eq!(
        folder_entries(&dir.path().join("results")),
        ["ok", "summary.csv"]
    );
    let (_, rows) = common::read_csv(&dir.path().join("results/summary.csv"));
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["ok"]);
    // Named, they are refused.
    let files = [("..toml", text.as_str()), ("...toml", &text)];
    for name in ["..", "...", "scenarios/..toml", "scenarios/...toml"] {
        rejects(
            &files,
            &["run", name, "--out", "results"],
            &["not a valid name", "never '.', '..' or a path"],
        );
    }
}

/// Issue #9, item 7: `compare a-vs-b c` and `compare a b-vs-c` would both write
/// `compare-a-vs-b-vs-c.csv`; a name with `vs` as a hyphenated word is refused by compare.
#[test]
fn compare_refuses_names_that_make_its_file_name_ambiguous() {
    let text = base().text();
    let files = [
        ("a.toml", text.as_str()),
        ("c.toml", text.as_str()),
        ("a-vs-b.toml", text.as_str()),
        ("b-vs-c.toml", text.as_str()),
    ];
    for args in [["a-vs-b", "c"], ["a", "b-vs-c"]] {
        let mut argv = vec!["compare"];
        argv.extend(args);
        argv.extend(["--trials", "100"]);
        rejects(&files, &argv, &["compare-A-vs-B.csv", "'vs'"]);
    }
}

/// Issue #9, item 4: what would not fit in memory is refused up front (SPEC §7 `--max-memory`,
/// default 4 GiB) with the estimate in the message, in every simulating command: a long window
/// (months × per-thread buffers), a large sweep grid, sensitivity's draws at 2·10⁸ trials.
#[test]
fn what_would_not_fit_in_memory_is_refused_with_the_estimate() {
    let long = base()
        .set("simulation.start", "\"0001-01\"")
        .set("simulation.deadline", "\"9999-12\"")
        .text();
    let files = [("long.toml", long.as_str()), ("x.toml", &base().text())];
    let stderr = rejects(
        &files,
        &[
            "run",
            "long",
            "--trials",
            "1",
            "--threads",
            "2",
            "--max-memory",
            "100M",
        ],
        &[
            "run long would need about",
            "119987 months × 2 threads",
            "more than --max-memory 100.0 MiB",
        ],
    );
    assert!(stderr.contains("MiB of memory"), "{stderr}");
    // Twice the threads, twice the buffers: 4 threads do not fit in 200 MiB, 1 does.
    rejects(
        &files,
        &[
            "run",
            "long",
            "--trials",
            "1",
            "--threads",
            "4",
            "--max-memory",
            "200MiB",
        ],
        &["119987 months × 4 threads", "--max-memory 200.0 MiB"],
    );
    rejects(
        &files,
        &[
            "compare",
            "long",
            "long",
            "--trials",
            "1",
            "--max-memory",
            "0.1G",
        ],
        &["compare long long would need about"],
    );
    rejects(
        &files,
        &[
            "sweep",
            "x",
            "--param",
            "party.japan.will=0:1:0.001",
            "--param",
            "party.russia.will=0:1:0.01",
            "--trials",
            "1",
            "--max-memory",
            "100M",
        ],
        &["sweep x would need about", "101101 points ×"],
    );
    rejects(
        &files,
        // Flat in the trials (2e8 trials fit), so only a tiny limit refuses it.
        &[
            "sensitivity",
            "x",
            "--trials",
            "2e8",
            "--bins",
            "1000",
            "--max-memory",
            "1M",
        ],
        &[
            "sensitivity x would need about",
            "pilot trials × 6 uncertain parameters",
            "--max-memory 1.0 MiB",
            "fewer --bins",
        ],
    );
    for size in ["4X", "0", "-1G", "G"] {
        let arg = format!("--max-memory={size}");
        rejects(
            &files,
            &["run", "x", &arg],
            &["--max-memory", "memory size"],
        );
    }
    // The positive control: the long window with one thread fits the default limit and runs.
    let dir = common::workdir(&files);
    succeeds(
        dir.path(),
        &[
            "run",
            "long",
            "--trials",
            "1",
            "--threads",
            "1",
            "--max-memory",
            "200M",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Pooling experts (issue #11 item 3)
// ---------------------------------------------------------------------------------------------

/// Two members with uncertain wills, and a third whose window ends later.
fn pool_members() -> Vec<(&'static str, String)> {
    let member = |will: &str| {
        ScenarioText::bilateral()
            .dist("party.japan.will", will)
            .text()
    };
    vec![
        ("a.toml", member("beta(6, 3)")),
        ("b.toml", member("beta(3, 5)")),
        (
            "late.toml",
            ScenarioText::bilateral()
                .set("simulation.deadline", "\"2021-10\"")
                .text(),
        ),
    ]
}

/// `pool` refuses what it cannot pool, before writing anything: members whose windows differ,
/// weights that are not one positive finite number per member, an unknown member, a member
/// named twice, a label that is invalid or names a member or a scenario, and `--shard`.
#[test]
fn pool_refuses_what_it_cannot_pool() {
    let members = pool_members();
    let files: Vec<(&str, &str)> = members.iter().map(|(f, t)| (*f, t.as_str())).collect();
    let pool = |extra: &[&str], expect: &[&str]| {
        let mut args = vec!["pool", "p", "a", "b"];
        args.extend_from_slice(extra);
        rejects(&files, &args, expect)
    };
    rejects(
        &files,
        &["pool", "p", "a", "late"],
        &[
            "same window",
            "a runs 2020-01 to 2021-09",
            "late runs 2020-01 to 2021-10",
        ],
    );
    for weights in ["0,1", "-1,1", "NaN,1", "inf,1", "1,abc"] {
        pool(
            &["--weights", weights],
            &["--weights", "not a weight", "positive finite number"],
        );
    }
    pool(
        &["--weights", "1,2,3"],
        &["3 weights for 2 members", "--weights 1,1"],
    );
    pool(&["--weights", "1"], &["1 weights for 2 members"]);
    rejects(&files, &["pool", "p", "a", "nobody"], &["nobody"]);
    rejects(
        &files,
        &["pool", "p", "a", "b", "scenarios/a.toml"],
        &["\"a\" is named twice", "--weights"],
    );
    rejects(
        &files,
        &["pool", "a", "a", "b"],
        &["label \"a\"", "a member"],
    );
    rejects(
        &files,
        &["pool", "late", "a", "b"],
        &["label \"late\"", "a scenario on the search path"],
    );
    rejects(
        &files,
        &["pool", "../p", "a", "b"],
        &["label", "not a valid name"],
    );
    pool(
        &["--shard", "1/2"],
        &["pool cannot be sharded", "--shard 1/2", "without --shard"],
    );
    pool(
        &["--max-memory", "1K"],
        &["pool p would need about", "--max-memory 1.0 KiB"],
    );
    // The geometric mean of odds of a member at probability 0 and one at 1 is undefined.
    let never = ScenarioText::bilateral()
        .set("process.summit_rate", "0")
        .text();
    let surely = ScenarioText::bilateral()
        .set("process.summit_rate", "1")
        .set("party.japan.will", "1")
        .set("party.russia.will", "1")
        .set("process.signing_threshold", "-10")
        .set("process.decision_noise", "0.01")
        .text();
    rejects(
        &[("never.toml", &never), ("surely.toml", &surely)],
        &["pool", "p", "never", "surely", "--method", "geometric-odds"],
        &[
            "geometric mean of odds is undefined in month 1",
            "never's probability is 0",
            "surely's is 1",
            "--method linear",
        ],
    );
}

/// `[resolution]` (SPEC §8 "Scoring"): an outcome other than "signed" / "not signed", a signed
/// outcome without its month, a month outside the window (the deadline month included), a
/// month beside "not signed" and a month without an outcome are each refused at their line.
#[test]
fn resolutions_are_refused_unless_complete_and_inside_the_window() {
    let with = |body: &str| base().raw(&format!("[resolution]\n{body}")).text();
    let text = with("outcome = \"maybe\"");
    rejects_at(
        &text,
        "resolution.outcome",
        &["\"maybe\"", "\"not signed\""],
    );
    let text = with("outcome = \"signed\"");
    rejects_at(
        &text,
        "resolution.outcome",
        &["resolution.month", "missing"],
    );
    for month in ["2019-12", "2021-09", "2030-01"] {
        let text = with(&format!("outcome = \"signed\"\nmonth = \"{month}\""));
        rejects_at(
            &text,
            "resolution.month",
            &[month, "outside the simulated window", "2020-01"],
        );
    }
    let text = with("outcome = \"not signed\"\nmonth = \"2020-05\"");
    rejects_at(
        &text,
        "resolution.month",
        &["only for outcome = \"signed\""],
    );
    let text = with("month = \"2020-05\"");
    rejects_at(&text, "resolution.month", &["without resolution.outcome"]);
    let text = with("outcome = \"not signed\"\nwhen = 1");
    rejects_at(&text, "resolution.when", &["outcome", "month"]);
}

/// The positive control of the rejections above: each valid resolution runs, and `show`
/// prints it last.
#[test]
fn valid_resolutions_run_and_show() {
    for body in [
        "outcome = \"signed\"\nmonth = \"2021-08\"",
        "outcome = \"not signed\"",
    ] {
        let text = base().raw(&format!("[resolution]\n{body}")).text();
        let dir = common::workdir(&[("x.toml", &text)]);
        let output = common::treatysim(dir.path())
            .args(["show", "x"])
            .output()
            .expect("runs");
        assert!(output.status.success(), "{output:?}");
        let shown = String::from_utf8_lossy(&output.stdout);
        assert!(shown.trim_end().ends_with(body), "{shown}");
    }
}

// ---------------------------------------------------------------------------------------------
// Model 3's keys (issue #16 item 2): each rule, with file:line:col, key, what is accepted and a
// did-you-mean where one fits
// ---------------------------------------------------------------------------------------------

/// [`base`] with an outside party `china` (indifference 0.5), for pressure.
fn with_china() -> ScenarioText {
    base()
        .set("party.china.role", "\"outside\"")
        .set("party.china.indifference", "0.5")
}

/// The 1-based line of the first line of `text` that starts with `start` after `after` lines.
fn line_starting(text: &str, start: &str, after: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(after)
        .find(|(_, l)| l.trim_start().starts_with(start))
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("no line starting {start:?} in\n{text}"))
}

#[test]
fn model_3_issue_keys_out_of_their_domains() {
    // Pressure is in [0, 1]; a distribution must stay there too.
    rejects_at(
        &with_china()
            .set("issue.security.pressure.china", "1.5")
            .text(),
        "issue.security.pressure.china",
        &["1.5", "[0, 1]"],
    );
    rejects_at(
        &with_china()
            .dist("issue.security.pressure.china", "normal(0.2, 0.1)")
            .text(),
        "issue.security.pressure.china",
        &["outside the domain", "[0, 1]"],
    );
    // Drifts take any finite number.
    rejects_at(
        &base().set("issue.security.demand_drift", "inf").text(),
        "issue.security.demand_drift",
        &["finite"],
    );
    rejects_at(
        &base()
            .dist("issue.security.concession_drift", "gamma(1, 2)")
            .text(),
        "issue.security.concession_drift",
        &["unknown distribution"],
    );
    // A dealbreaker is true or false.
    rejects_at(
        &base().set("issue.security.dealbreaker", "\"yes\"").text(),
        "issue.security.dealbreaker",
        &["not a boolean", "accepted: true or false"],
    );
    // A misspelt key gets its suggestion.
    rejects_at(
        &base().set("issue.security.dealbraker", "true").text(),
        "issue.security.dealbraker",
        &["unknown key", "did you mean `dealbreaker`?", "pressure"],
    );
    // Pressure must be a table.
    rejects_at(
        &with_china().set("issue.security.pressure", "0.3").text(),
        "issue.security.pressure",
        &["must be a table from outside party to value"],
    );
}

#[test]
fn pressure_names_outside_parties_only() {
    let stderr = rejects_at(
        &with_china()
            .set("issue.security.pressure.russia", "0.2")
            .text(),
        "issue.security.pressure.russia",
        &[
            "russia is a signatory",
            "pressure comes from outside parties",
            "accepted: us, china",
        ],
    );
    assert!(!stderr.contains("leverage comes"), "{stderr}");
    rejects_at(
        &with_china()
            .set("issue.security.pressure.chna", "0.2")
            .text(),
        "issue.security.pressure.chna",
        &["no outside party \"chna\"", "did you mean `china`?"],
    );
}

#[test]
fn event_chances_and_windows() {
    let event = |body: &str| base_with_event(body).text();
    // A hazard is a number in [0, 1].
    let text = event("name = \"war\"\nmonth = \"2020-03\"\nhazard = 1.5");
    run_rejects(
        &text,
        Some(line_starting(&text, "hazard", 0)),
        &["event \"war\".hazard", "1.5 is not a hazard", "[0, 1]"],
    );
    // Probability and hazard: one of them.
    let text = event("name = \"war\"\nmonth = \"2020-03\"\nprobability = 0.2\nhazard = 0.1");
    run_rejects(
        &text,
        Some(line_starting(&text, "hazard", 0)),
        &[
            "event \"war\".hazard",
            "both given",
            "accepted: one of them",
        ],
    );
    let text = event("name = \"war\"\nmonth = \"2020-03\"");
    run_rejects(
        &text,
        None,
        &[
            "event \"war\".probability",
            "missing",
            "probability = a number in [0, 1]",
            "hazard = a number in [0, 1]",
        ],
    );
    // until: a month, not before month.
    let text = event("name = \"war\"\nmonth = \"2020-03\"\nuntil = \"2020-02\"\nhazard = 0.1");
    run_rejects(
        &text,
        Some(line_starting(&text, "until", 0)),
        &[
            "event \"war\".until",
            "2020-02 is before month 2020-03",
            "accepted: a month not before month",
        ],
    );
    let text = event("name = \"war\"\nmonth = \"2020-03\"\nuntil = 2020\nprobability = 0.1");
    run_rejects(
        &text,
        Some(line_starting(&text, "until", 0)),
        &["event \"war\".until", "is not a month", "YYYY-MM"],
    );
    // A misspelt event key.
    let text = event("name = \"war\"\nmonth = \"2020-03\"\nhazzard = 0.1");
    run_rejects(
        &text,
        Some(line_starting(&text, "hazzard", 0)),
        &["event.hazzard", "unknown key", "did you mean `hazard`?"],
    );
}

/// Two events, `a` then `b`, with extra lines each.
fn two_events(a: &str, b: &str) -> String {
    base_with_event(&format!(
        "name = \"a\"\nmonth = \"2020-03\"\nprobability = 0.5\n{a}"
    ))
    .event(&format!(
        "name = \"b\"\nmonth = \"2020-04\"\nprobability = 0.5\n{b}"
    ))
    .text()
}

#[test]
fn requires_and_excludes_name_other_events_without_a_cycle_of_requires() {
    for field in ["requires", "excludes"] {
        // Unknown, with a suggestion and the names there are.
        let text = two_events(&format!("{field} = [\"bb\"]"), "");
        run_rejects(
            &text,
            Some(line_starting(&text, field, 0)),
            &[
                &format!("event \"a\".{field}"),
                "no event \"bb\"",
                "did you mean `b`?",
                "accepted: the names of this scenario's other events (\"b\")",
            ],
        );
        // Itself.
        let text = two_events(&format!("{field} = [\"a\"]"), "");
        run_rejects(
            &text,
            Some(line_starting(&text, field, 0)),
            &[&format!("event \"a\".{field}"), "names itself"],
        );
        // Not a list.
        let text = two_events(&format!("{field} = \"b\""), "");
        run_rejects(
            &text,
            Some(line_starting(&text, field, 0)),
            &[
                "is not a list of event names",
                &format!("{field} = [\"b\"]"),
            ],
        );
        // Twice.
        let text = two_events(&format!("{field} = [\"b\", \"b\"]"), "");
        run_rejects(
            &text,
            Some(line_starting(&text, field, 0)),
            &["\"b\" is listed twice"],
        );
    }
    // A cycle of requires, found at the requires that closes it.
    let text = two_events("requires = [\"b\"]", "requires = [\"a\"]");
    let b = line_starting(&text, "name = \"b\"", 0);
    run_rejects(
        &text,
        Some(line_starting(&text, "requires", b)),
        &[
            "event \"b\".requires",
            "a cycle of requires: \"a\" requires \"b\" requires \"a\"",
            "use excludes",
        ],
    );
    // Required and excluded at once.
    let text = base_with_event(
        "name = \"a\"\nmonth = \"2020-03\"\nprobability = 0.5\nrequires = [\"b\"]\nexcludes = [\"b\"]",
    )
    .event("name = \"b\"\nmonth = \"2020-02\"\nprobability = 0.5")
    .text();
    run_rejects(
        &text,
        Some(line_starting(&text, "excludes", 0)),
        &["both required and excluded", "could never fire"],
    );
}

#[test]
fn rivals_that_exclude_each_other_are_accepted() {
    let text = two_events("excludes = [\"b\"]", "excludes = [\"a\"]");
    let dir = common::workdir(&[("x.toml", &text)]);
    common::treatysim(dir.path())
        .args(["run", "x", "--out", "results"])
        .assert()
        .success();
}

#[test]
fn set_rejects_bad_event_fields() {
    let text = base().text();
    set_rejects(
        &text,
        "event.constitutional amendment.hazard=2",
        &["2 is not a hazard", "[0, 1]"],
    );
    set_rejects(
        &text,
        "event.constitutional amendment.untill=2020-09",
        &[
            "did you mean `until`?",
            "event.constitutional amendment.until",
        ],
    );
    // A field of the file that --set does not change is named as such, not "did you mean".
    for field in ["requires", "excludes", "effects", "leader_exit"] {
        let stderr = set_rejects(
            &text,
            &format!("event.constitutional amendment.{field}=x"),
            &[
                &format!("an event's {field} is not set with --set"),
                "extends this one",
            ],
        );
        assert!(!stderr.contains("did you mean"), "{stderr}");
    }
    set_rejects(
        &text,
        "event.constitutional amendment.until=2020-01",
        &["2020-01 is before month 2020-07"],
    );
    set_rejects(
        &text,
        "issue.security.dealbreaker=maybe",
        &["not a boolean", "accepted: true or false"],
    );
}

/// A `month` moved past the event's `until` is blamed on what moved it: a `--set` names
/// itself (not the file's `until`, which is fine), and a child's `month` past its parent's
/// `until` names the parent's line and the child's.
#[test]
fn a_month_moved_past_until_names_what_moved_it() {
    let text = base_with_event(
        "name = \"war\"\nmonth = \"2020-03\"\nuntil = \"2020-09\"\nprobability = 0.5",
    )
    .text();
    let stderr = set_rejects(
        &text,
        "event.war.month=2020-11",
        &[
            "event \"war\".month",
            "2020-11 is after until 2020-09",
            "accepted:",
            "--set event.war.until=2020-11",
        ],
    );
    assert!(
        stderr.starts_with("error: --set event.war.month=2020-11: "),
        "the --set is not what the message blames:\n{stderr}"
    );
    let child = "extends = \"x\"\n[[event]]\nname = \"war\"\nmonth = \"2020-11\"\n";
    let stderr = rejects(
        &[("x.toml", &text), ("child.toml", child)],
        &["run", "child", "--out", "results"],
        &["2020-09 is before month 2020-11 (written at scenarios/child.toml:4:"],
    );
    assert_located(&stderr, FILE, line_starting(&text, "until", 0));
}

/// Issue #17 item 5: a scenario file whose size alone implies more memory than `--max-memory`
/// to read and validate (about 48 bytes a byte; files up to 1 MiB are always read) is refused
/// before it is parsed, by `check` and by `run`: the message names the file, its size, the
/// estimate, the limit and what to do. The same limit passes the unpadded file.
#[test]
fn a_scenario_too_large_to_read_within_max_memory_is_refused_before_parsing() {
    let small = base().text();
    let dir = common::workdir(&[("x.toml", &small)]);
    succeeds(dir.path(), &["check", "x", "--max-memory", "64M"]);
    // 2.1 MB of comments (about 100 MB to read) and a syntax error the parser never reaches.
    let big = format!("{small}{}\n[[[broken\n", "# padding\n".repeat(210_000));
    let expect = [
        FILE,
        "the scenario is too large to read",
        "MiB of scenario files would need about",
        "more than --max-memory 64.0 MiB",
        "raise --max-memory",
    ];
    rejected(
        &[("x.toml", &big)],
        &["check", "x", "--max-memory", "64M"],
        &expect,
        2,
    );
    rejects(
        &[("x.toml", &big)],
        &["run", "x", "--out", "results", "--max-memory", "64M"],
        &expect,
    );
}

/// Issue #17 item 5: `run` counts each worker's buffers by event (about 520 bytes an event a
/// thread: 100,000 events once took 420 MB under `--max-memory 100M`), and refuses before
/// simulating: 20,000 events on 32 threads need about 330 MB; one thread fits.
#[test]
fn a_run_whose_events_do_not_fit_in_its_threads_is_refused() {
    let mut text = base().text();
    for i in 0..20_000 {
        text.push_str(&format!(
            "\n[[event]]\nname = \"e{i}\"\nmonth = \"2020-07\"\nprobability = 0.001\n\
             effects = {{ \"party.russia.will\" = -0.001 }}\n"
        ));
    }
    rejects(
        &[("x.toml", &text)],
        &[
            "run",
            "x",
            "--out",
            "results",
            "--threads",
            "32",
            "--max-memory",
            "200M",
        ],
        &[
            "run x would need about",
            "events, state slots and signatories × 32 threads × 520 bytes",
            "more than --max-memory 200.0 MiB",
        ],
    );
    let dir = common::workdir(&[("x.toml", &text)]);
    succeeds(
        dir.path(),
        &[
            "run",
            "x",
            "--out",
            "results",
            "--threads",
            "1",
            "--max-memory",
            "200M",
        ],
    );
}

/// The outside parties `o0 … o{n-1}` appended to [`base`], the k-th one's indifference written
/// as `value(k)`.
fn with_outside(n: usize, value: impl Fn(usize) -> String) -> String {
    let mut text = base().text();
    for k in 0..n {
        text.push_str(&format!(
            "\n[party.o{k}]\nrole = \"outside\"\nindifference = {}\n",
            value(k)
        ));
    }
    text
}

/// Issue #17 item 5 (a 10 MB file of `quantiles()` fits took 221 s): one `quantiles(…)` lists
/// at most 50 quantiles, and a scenario's distinct searched fits at most 2,000 quantiles in
/// all, counted before any fit; the same text on many parameters is fitted once and counts
/// once.
#[test]
fn quantile_fits_are_capped_in_number() {
    let points: Vec<String> = (1..=51)
        .map(|i| format!("{:?}: {:?}", i as f64 / 52.0, i as f64 / 60.0))
        .collect();
    let many = format!("\"quantiles({})\"", points.join(", "));
    rejects(
        &[("x.toml", &japan_will(&many))],
        &["run", "x", "--out", "results"],
        &[FILE, "party.japan.will", "lists 51 quantiles", "at most 50"],
    );
    let distinct = with_outside(667, |k| {
        let lo = 0.1 + k as f64 * 1e-5;
        format!(
            "\"quantiles(0.1: {lo:?}, 0.5: {:?}, 0.9: {:?})\"",
            lo + 0.2,
            lo + 0.5
        )
    });
    rejects(
        &[("x.toml", &distinct)],
        &["run", "x", "--out", "results"],
        &[
            FILE,
            "party.o666.indifference",
            "too many quantiles to fit",
            "2001 quantiles",
            "at most 2000",
        ],
    );
    let same = with_outside(667, |_| {
        "\"quantiles(0.1: 0.2, 0.5: 0.4, 0.9: 0.7)\"".to_string()
    });
    let dir = common::workdir(&[("x.toml", &same)]);
    succeeds(dir.path(), &["check", "x"]);
}

/// A child scenario that changes its parent's party's role is named with the line where it
/// does so: the field the new role does not allow is in the parent's file, and its message
/// alone sent the reader to the parent (fuzzing review, finding K).
#[test]
fn a_role_changed_in_a_child_is_named_where_it_is_set() {
    let parent = base().text();
    for (child, field, role) in [
        (
            "extends = \"parent\"\n[party.us]\nrole = \"signatory\"\nwill = 0.5\n",
            "party.us.indifference",
            "role = \"signatory\", set at scenarios/x.toml:3:8",
        ),
        (
            "extends = \"parent\"\n[party.russia]\nrole = \"outside\"\nindifference = 0.5\n",
            "party.russia.will",
            "role = \"outside\", set at scenarios/x.toml:3:8",
        ),
    ] {
        let stderr = rejects(
            &[("x.toml", child), ("parent.toml", &parent)],
            &["run", "x", "--out", "results"],
            &[field, role],
        );
        assert_located(&stderr, "scenarios/parent.toml", line_of(&parent, field));
        assert!(!stderr.contains("add role"), "{stderr}");
    }
}

/// A `NAME.toml` that is a folder or a FIFO is named as such, not reported missing (and a
/// FIFO is never opened, which would wait for a writer).
#[test]
fn a_scenario_that_is_a_folder_or_a_fifo_is_named_as_such() {
    for (kind, what) in [("folder", "is a folder"), ("fifo", "not a regular file")] {
        let dir = common::workdir(&[]);
        let path = dir.path().join("scenarios").join("odd.toml");
        if kind == "folder" {
            std::fs::create_dir(&path).expect("folder");
        } else {
            let made = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .expect("mkfifo");
            assert!(made.success());
        }
        for args in [
            &["run", "odd", "--scenarios", "scenarios"][..],
            &["run", "scenarios/odd.toml"],
        ] {
            let output = common::treatysim(dir.path())
                .args(args)
                .timeout(TIMEOUT)
                .output()
                .expect("the binary starts");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.contains("'scenarios/odd.toml'")
                    && stderr.contains(what)
                    && stderr.contains("not a scenario file"),
                "{args:?}: {stderr}"
            );
            assert!(!dir.path().join("results").exists());
        }
    }
}

/// `--trials` beyond what a run can count states the limit.
#[test]
fn trials_beyond_the_limit_state_it() {
    let stderr = rejects(
        &[("x.toml", &base().text())],
        &["run", "x", "--trials", "1e30"],
        &["'1e30'", "from 1 to 18446744073709551615"],
    );
    assert!(!stderr.contains("panicked"));
}

/// An event's chance written as a percentage gets the exact decimal to write instead (1.5%
/// is 0.015; it was rounded to two places, advising 0.01 or 0.02), and a huge number is
/// echoed as written (1e308 was printed with 309 digits, a message no one can read).
#[test]
fn an_event_chance_out_of_range_is_echoed_briefly_with_the_exact_advice() {
    for (field, value, advice) in [
        ("probability", "1.5", "write probability = 0.015"),
        ("hazard", "12.5", "write hazard = 0.125"),
        ("probability", "30", "write probability = 0.3"),
    ] {
        let event = format!("name = \"crisis\"\nmonth = \"2020-07\"\n{field} = {value}");
        let stderr = run_rejects(&base_with_event(&event).text(), None, &[advice]);
        assert!(!stderr.contains("= 0.01\n"), "{stderr}");
    }
    for field in ["probability", "hazard"] {
        let event = format!("name = \"crisis\"\nmonth = \"2020-07\"\n{field} = 1e308");
        let stderr = run_rejects(&base_with_event(&event).text(), None, &["1e308"]);
        assert!(stderr.len() < 300, "a 1e308 written out in full:\n{stderr}");
        let stderr = set_rejects(
            &base().text(),
            &format!("event.constitutional amendment.{field}=1e308"),
            &["1e308"],
        );
        assert!(stderr.len() < 400, "a 1e308 written out in full:\n{stderr}");
    }
}
