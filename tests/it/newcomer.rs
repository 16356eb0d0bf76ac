//! Mistakes a newcomer makes on a first scenario, each refused with a message that says what
//! to write instead (exit code 2, nothing written): percentages where fractions are wanted,
//! bounds written the wrong way round, thousands separators, a file given to `--scenarios`, a
//! path without its `.toml`, and `score` of a scenario that has not resolved.

use crate::common;

use common::{ScenarioText, line_of, rejected};

/// A valid scenario to break: the bilateral cast with one event.
fn base() -> ScenarioText {
    ScenarioText::bilateral()
        .set("simulation.trials", "2000")
        .event("name = \"summit\"\nmonth = \"2020-07\"\nprobability = 0.5\neffects = { \"party.russia.will\" = 0.1 }")
}

/// `treatysim run x` in a folder holding `scenarios/x.toml` = `text` is refused naming the
/// file's line where `key` is written, and every fragment of `expect`.
fn refused_at(text: &str, key: &str, expect: &[&str]) -> String {
    let dir = common::workdir(&[("x.toml", text)]);
    let at = format!("scenarios/x.toml:{}:", line_of(text, key));
    let mut want = vec![at.as_str()];
    want.extend_from_slice(expect);
    let stderr = rejected(dir.path(), &["run", "x"], &want);
    assert!(!dir.path().join("results").exists(), "results written");
    stderr
}

#[test]
fn a_percentage_where_a_fraction_is_wanted_gets_the_fraction_to_write() {
    // A string "40%" as a distribution: the fraction, not the list of distributions.
    let text = base().dist("party.russia.will", "40%").text();
    refused_at(
        &text,
        "party.russia.will",
        &[
            "party.russia.will",
            "\"40%\" is a percentage",
            "write 0.4 for 40%",
        ],
    );
    // A plain 40 on a [0, 1] parameter.
    let text = base().set("party.russia.will", "40").text();
    refused_at(
        &text,
        "party.russia.will",
        &["40 is outside the domain [0, 1] (for 40% write 0.4)"],
    );
    // A distribution in percent.
    let text = base().dist("party.russia.will", "uniform(10, 40)").text();
    refused_at(&text, "party.russia.will", &["0.4 for 40%"]);
    // An event's chance as a string "35%".
    let text = ScenarioText::bilateral()
        .event("name = \"summit\"\nmonth = \"2020-07\"\nprobability = \"35%\"")
        .text();
    let dir = common::workdir(&[("x.toml", &text)]);
    rejected(
        dir.path(),
        &["run", "x"],
        &[
            "scenarios/x.toml:",
            "probability",
            "write probability = 0.35",
        ],
    );
    // The same on the command line.
    let dir = common::workdir(&[("x.toml", &base().text())]);
    rejected(
        dir.path(),
        &["run", "x", "--set", "party.russia.will=40%"],
        &["--set party.russia.will=40%", "write 0.4 for 40%"],
    );
    rejected(
        dir.path(),
        &["sweep", "x", "--param", "party.russia.will=10%,20%"],
        &["--param party.russia.will=10%,20%", "write 0.1 for 10%"],
    );
}

#[test]
fn bounds_written_the_wrong_way_round_get_the_order_to_write() {
    for (dist, fixed) in [
        ("uniform(0.5, 0.2)", "write \"uniform(0.2, 0.5)\"?"),
        ("pert(0.8, 0.5, 0.3)", "write \"pert(0.3, 0.5, 0.8)\"?"),
        (
            "triangular(0.9, 0.5, 0.1)",
            "write \"triangular(0.1, 0.5, 0.9)\"?",
        ),
        (
            "truncnormal(0.5, 0.1, 1, 0)",
            "write \"truncnormal(0.5, 0.1, 0.0, 1.0)\"?",
        ),
    ] {
        let text = base().dist("issue.security.demand", dist).text();
        refused_at(
            &text,
            "issue.security.demand",
            &["issue.security.demand", fixed],
        );
    }
    // Equal bounds, or a mode outside them, have no order to suggest.
    for dist in ["uniform(0.5, 0.5)", "pert(0.2, 0.9, 0.5)"] {
        let text = base().dist("issue.security.demand", dist).text();
        let stderr = refused_at(&text, "issue.security.demand", &["needs"]);
        assert!(!stderr.contains("write \""), "{stderr}");
    }
}

#[test]
fn a_number_with_thousands_separators_gets_the_number_to_write() {
    let text = base().set("simulation.trials", "200,000").text();
    refused_at(
        &text,
        "simulation.trials",
        &[
            "TOML syntax error",
            "no thousands separators: write 200000 (or 200_000)",
        ],
    );
}

#[test]
fn a_scenario_file_given_to_scenarios_is_refused_with_its_folder() {
    let dir = common::workdir(&[("x.toml", &base().text())]);
    let want = [
        "scenario folder 'scenarios/x.toml' is a file, not a folder",
        "--scenarios scenarios",
        "treatysim run scenarios/x.toml",
    ];
    for args in [
        &["list", "--scenarios", "scenarios/x.toml"][..],
        &["check", "--scenarios", "scenarios/x.toml"],
        &["run", "--all", "--scenarios", "scenarios/x.toml"],
        &["run", "x", "--scenarios", "scenarios/x.toml"],
    ] {
        rejected(dir.path(), args, &want);
    }
    rejected(
        dir.path(),
        &[
            "new",
            "y",
            "--signatories",
            "a,b",
            "--scenarios",
            "scenarios/x.toml",
        ],
        &["scenario folder 'scenarios/x.toml' is a file, not a folder"],
    );
    assert!(!dir.path().join("results").exists(), "results written");
}

#[test]
fn a_path_without_its_toml_or_a_name_with_it_points_to_the_file() {
    let dir = common::workdir(&[("x.toml", &base().text())]);
    rejected(
        dir.path(),
        &["run", "scenarios/x"],
        &[
            "no scenario file 'scenarios/x'",
            "there is 'scenarios/x.toml'",
        ],
    );
    std::fs::create_dir(dir.path().join("mine")).expect("folder");
    std::fs::rename(
        dir.path().join("scenarios/x.toml"),
        dir.path().join("mine/x.toml"),
    )
    .expect("move");
    rejected(
        dir.path(),
        &["run", "x.toml", "--scenarios", "mine"],
        &[
            "no scenario file 'x.toml'",
            "drop the .toml (`x`)",
            "mine/x.toml",
        ],
    );
}

#[test]
fn scoring_a_scenario_without_a_resolution_says_what_to_add() {
    let dir = common::workdir(&[("x.toml", &base().text())]);
    common::ok(dir.path(), &["run", "x"]);
    rejected(
        dir.path(),
        &["score", "x"],
        &[
            "scenario 'x' has no [resolution] (scenarios/x.toml)",
            "outcome = \"not signed\"",
        ],
    );
}

#[test]
fn an_unquoted_issue_says_the_shell_took_its_redirection() {
    let dir = common::workdir(&[]);
    // What reaches treatysim of `--issue loc:india>pakistan` without quotes.
    let stderr = rejected(
        dir.path(),
        &[
            "new",
            "k",
            "--signatories",
            "india,pakistan",
            "--issue",
            "loc:india",
        ],
        &[
            "'loc:india' is not I:A>B",
            "the shell reads > as a redirection",
            "e.g. --issue 'security:japan>russia'",
        ],
    );
    assert!(!stderr.contains("--issue security:"), "{stderr}");
}

#[test]
fn comparing_a_scenario_with_itself_under_set_says_why_the_difference_is_zero() {
    let dir = common::workdir(&[
        ("x.toml", &base().text()),
        ("y.toml", &base().set("party.russia.will", "0.7").text()),
    ]);
    let stderr = common::ok(
        dir.path(),
        &["compare", "x", "x", "--set", "party.russia.will=0.7"],
    );
    assert!(
        stderr.contains("note: x and x are the same scenario once --set is applied (--set applies to both), so their difference is 0 by construction")
            && stderr.contains("write it as a scenario that extends x"),
        "{stderr}"
    );
    // Two scenarios that differ: no note.
    let stderr = common::ok(dir.path(), &["compare", "x", "y"]);
    assert!(!stderr.contains("by construction"), "{stderr}");
}

#[test]
fn two_events_of_one_name_point_to_the_first() {
    let text = base()
        .event("name = \"summit\"\nmonth = \"2020-09\"\nprobability = 0.5")
        .text();
    let dir = common::workdir(&[("x.toml", &text)]);
    let first = text
        .lines()
        .position(|l| l == "name = \"summit\"")
        .expect("first")
        + 1;
    let lines: Vec<&str> = text.lines().collect();
    let second = lines
        .iter()
        .rposition(|l| *l == "name = \"summit\"")
        .expect("second")
        + 1;
    rejected(
        dir.path(),
        &["run", "x"],
        &[
            &format!("scenarios/x.toml:{second}:8: event.name"),
            &format!(
                "\"summit\" is already the name of an earlier event (at scenarios/x.toml:{first}:8)"
            ),
            "rename one of them",
        ],
    );
}

#[test]
fn a_single_bracket_event_before_double_bracket_ones_gets_the_two_brackets_advice() {
    let text = base()
        .event("name = \"vote\"\nmonth = \"2020-09\"\nprobability = 0.5")
        .text()
        .replacen("[[event]]", "[event]", 1);
    let dir = common::workdir(&[("x.toml", &text)]);
    rejected(
        dir.path(),
        &["run", "x"],
        &[
            "duplicate key",
            "write [[event]], with two brackets, above every event",
        ],
    );
}

#[test]
fn samples_given_a_format_and_precision_in_percent_get_what_to_write() {
    let dir = common::workdir(&[("x.toml", &base().text())]);
    rejected(
        dir.path(),
        &["run", "x", "--samples", "parquet"],
        &[
            "unknown scenario 'parquet'",
            "write --samples-format parquet",
        ],
    );
    rejected(
        dir.path(),
        &["run", "x", "--precision", "1%"],
        &["'1%' is a percentage", "write 0.01 for 1%"],
    );
    assert!(!dir.path().join("results").exists(), "results written");
}
