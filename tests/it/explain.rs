//! `treatysim explain` (SPEC §8, "Explaining a number"): the central path against a hand
//! computation, the reasons following the numbers, explain.csv's shape, agreement with `run`,
//! determinism across threads, and rejections.

use crate::common;

use common::{EXACT, ScenarioText, read_csv, treatysim, workdir};
use std::collections::BTreeMap;
use std::path::Path;

/// The rows of `<dir>/results/NAME/explain.csv`, checking its header.
fn explain_csv(dir: &Path, name: &str) -> Vec<Vec<String>> {
    let (header, rows) = read_csv(&dir.join("results").join(name).join("explain.csv"));
    assert_eq!(
        header,
        ["scenario", "month", "quantity", "subject", "value"]
    );
    rows
}

/// Runs `treatysim explain ARGS` in `dir`, expecting success; returns stdout.
fn explain(dir: &Path, args: &[&str]) -> String {
    let out = treatysim(dir)
        .arg("explain")
        .args(args)
        .output()
        .expect("treatysim runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "explain {args:?}: {stderr}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The numeric values of `quantity` about `subject`, by month (months as written).
fn series(rows: &[Vec<String>], quantity: &str, subject: &str) -> BTreeMap<String, f64> {
    rows.iter()
        .filter(|r| r[2] == quantity && r[3] == subject)
        .map(|r| (r[1].clone(), r[4].parse().expect("a number")))
        .collect()
}

/// The one value of a non-monthly `quantity` about `subject`.
fn value(rows: &[Vec<String>], quantity: &str, subject: &str) -> f64 {
    let found = series(rows, quantity, subject);
    assert_eq!(found.len(), 1, "{quantity} {subject}: {found:?}");
    found[""]
}

/// The keys of the reasons, in rank order.
fn reason_keys(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter()
        .filter(|r| r[2] == "reason")
        .map(|r| r[3].clone())
        .collect()
}

/// On a constant scenario with a certain-probability event and a leader-exit hazard, the
/// central path is, to 1e-12, what a hand computation of SPEC §4's formulas gives: japan's
/// will o·0.6 + (1 − o)·0.2 with o = 0.9^(t+1) (h = 0.1, S = 0.2); russia's 0.6, shifted by
/// 0.5·(−0.2) from 2020-05 (probability 0.5); gap 0.1; p = logistic((min W − 0.3 − 0.1)/0.1);
/// q = 0.3·p; cumulative 1 − Π(1 − q).
#[test]
fn central_path_matches_a_hand_computation() {
    let text = ScenarioText::bilateral()
        .set("simulation.deadline", "\"2020-10\"")
        .set("party.japan.leader_exit_hazard", "0.1")
        .set("party.japan.successor_will", "0.2")
        .event(
            r#"name = "shock"
month = "2020-05"
probability = 0.5
effects = { "party.russia.will" = -0.2 }"#,
        )
        .text();
    let dir = workdir(&[("flat.toml", &text)]);
    explain(dir.path(), &["flat", "--trials", "100"]);
    let rows = explain_csv(dir.path(), "flat");
    let months: Vec<String> = (1..=9).map(|m| format!("2020-{m:02}")).collect();
    let japan = series(&rows, "central.will", "party.japan");
    let russia = series(&rows, "central.will", "party.russia");
    let gap = series(&rows, "central.gap", "issue.security");
    let p = series(&rows, "central.p", "");
    let q = series(&rows, "central.q", "");
    let cumulative = series(&rows, "central.cumulative", "");
    let mut survival = 1.0;
    for (t, month) in months.iter().enumerate() {
        let office = 0.9f64.powi(t as i32 + 1);
        let expect_japan = office * 0.6 + (1.0 - office) * 0.2;
        let expect_russia = if t >= 4 { 0.5 } else { 0.6 };
        let will = f64::min(expect_japan, expect_russia);
        let expect_p = 1.0 / (1.0 + (-(will - 0.3 - 0.1) / 0.1f64).exp());
        survival *= 1.0 - 0.3 * expect_p;
        for (name, got, expect) in [
            ("japan", japan[month], expect_japan),
            ("russia", russia[month], expect_russia),
            ("gap", gap[month], 0.1),
            ("p", p[month], expect_p),
            ("q", q[month], 0.3 * expect_p),
            ("cumulative", cumulative[month], 1.0 - survival),
        ] {
            assert!(
                (got - expect).abs() < EXACT,
                "{month} {name}: {got} vs {expect}"
            );
        }
    }
    assert_eq!(japan.len(), months.len(), "one row a month");
    let path = value(&rows, "central.probability", "");
    assert!((path - (1.0 - survival)).abs() < EXACT);
}

/// Model 3's events on the central path, by hand: a `hazard` event (0.2 a month over
/// 2020-03..2020-06) has fired by month t with chance F = 1 − 0.8^(t−1), shifting russia's will
/// by −0.1·F; an event that `excludes` it (2020-04, probability 1) fires with chance
/// 1 − F(2020-04) and lowers λ by 0.1 times that; one that `requires` it (2020-05,
/// probability 0.5) fires with chance 0.5·F(2020-05) and raises the demand by 0.2 times that.
/// A demand drift of 0.01 a month moves d on top.
#[test]
fn central_path_of_hazard_requires_and_excludes_by_hand() {
    let text = ScenarioText::bilateral()
        .set("simulation.deadline", "\"2020-10\"")
        .set("issue.security.demand_drift", "0.01")
        .event(
            r#"name = "war"
month = "2020-03"
until = "2020-06"
hazard = 0.2
effects = { "party.russia.will" = -0.1 }"#,
        )
        .event(
            r#"name = "deal"
month = "2020-05"
probability = 0.5
requires = ["war"]
effects = { "issue.security.demand" = 0.2 }"#,
        )
        .event(
            r#"name = "calm"
month = "2020-04"
probability = 1
excludes = ["war"]
effects = { "process.summit_rate" = -0.1 }"#,
        )
        .text();
    let dir = workdir(&[("events.toml", &text)]);
    explain(dir.path(), &["events", "--trials", "100"]);
    let rows = explain_csv(dir.path(), "events");
    let russia = series(&rows, "central.will", "party.russia");
    let war = series(&rows, "central.event_chance", "event.war");
    let demand = series(&rows, "central.demand", "issue.security");
    let rate = series(&rows, "central.summit_rate", "");
    let cumulative = series(&rows, "central.cumulative", "");
    let mut fired: f64 = 0.0;
    let (mut calm, mut deal) = (0.0, 0.0);
    let mut survival = 1.0;
    for t in 0..9 {
        let month = format!("2020-{:02}", t + 1);
        if (2..=5).contains(&t) {
            fired += 0.2 * (1.0 - fired);
        }
        if t == 3 {
            calm = 1.0 - fired;
        }
        if t == 4 {
            deal = 0.5 * fired;
        }
        let will = 0.6 - 0.1 * fired;
        let d = 0.5 + 0.2 * deal + 0.01 * t as f64;
        let lambda = 0.3 - 0.1 * calm;
        let p = 1.0 / (1.0 + (-(will - 0.3 - (d - 0.4)) / 0.1f64).exp());
        survival *= 1.0 - lambda * p;
        for (name, got, expect) in [
            ("war", war[&month], fired),
            ("russia", russia[&month], will),
            ("demand", demand[&month], d),
            ("rate", rate[&month], lambda),
            ("cumulative", cumulative[&month], 1.0 - survival),
        ] {
            assert!(
                (got - expect).abs() < EXACT,
                "{month} {name}: {got} vs {expect}"
            );
        }
    }
    assert!((fired - (1.0 - 0.8f64.powi(4))).abs() < EXACT);
}

/// The only open gap is a dealbreaker's: that issue is the first reason, and its sentence
/// says it blocks.
#[test]
fn a_dealbreaker_open_gap_is_the_first_reason() {
    let text = ScenarioText::bilateral()
        .set("issue.security.concession", "0.6")
        .set("issue.constitution.concedes", "\"japan\"")
        .set("issue.constitution.demands", "\"russia\"")
        .dist("issue.constitution.concession", "uniform(0.1, 0.5)")
        .dist("issue.constitution.demand", "uniform(0.3, 0.6)")
        .set("issue.constitution.dealbreaker", "true")
        .text();
    let dir = workdir(&[("blocked.toml", &text)]);
    let stdout = explain(dir.path(), &["blocked", "--trials", "4000"]);
    let rows = explain_csv(dir.path(), "blocked");
    assert_eq!(
        value(&rows, "diagnostic.gap_open_share", "issue.security"),
        0.0
    );
    let blocked = value(&rows, "diagnostic.blocked_share", "issue.constitution");
    assert!(blocked > 0.5, "{blocked}");
    let keys = reason_keys(&rows);
    assert_eq!(
        keys.first().map(String::as_str),
        Some("issue.constitution"),
        "{keys:?}"
    );
    assert!(
        stdout.contains("1. issue.constitution's gap is open"),
        "{stdout}"
    );
    assert!(stdout.contains("a dealbreaker, it blocks"), "{stdout}");
    assert_eq!(value(&rows, "central.probability", ""), 0.0);
}

/// Without events or exits, the constant scenario's central path is its only trial: the
/// diagnostic's probability equals it and the closed form 1 − (1 − λp)^T.
#[test]
fn a_constant_scenario_is_its_central_path() {
    let dir = workdir(&[("flat.toml", &common::constant_scenario(0.6, 0.3, "2021-09"))]);
    explain(dir.path(), &["flat", "--trials", "64"]);
    let rows = explain_csv(dir.path(), "flat");
    let p = 1.0 / (1.0 + (-(0.6f64 - 0.3 - 0.1) / 0.1).exp());
    let exact = 1.0 - (1.0 - 0.3 * p).powi(20);
    assert!((value(&rows, "central.probability", "") - exact).abs() < EXACT);
    assert!((value(&rows, "diagnostic.probability", "") - exact).abs() < 1e-9);
    assert!((value(&rows, "diagnostic.mean_p", "") - p).abs() < 1e-9);
    assert!((value(&rows, "diagnostic.gap_open_share", "issue.security") - 1.0).abs() < EXACT);
    // Expected summits: Σ_t λ·(1 − λp)^t.
    let summits: f64 = (0..20).map(|t| 0.3 * (1.0 - 0.3 * p).powi(t)).sum();
    assert!((value(&rows, "diagnostic.expected_summits", "") - summits).abs() < 1e-9);
}

/// With a summit rate of 0 no factor moves P (doubling the rate leaves it 0): the report says
/// that no summit can happen and names the rate, instead of "nothing moves the central path".
#[test]
fn a_zero_summit_rate_is_named_as_the_reason_nothing_moves() {
    let dir = workdir(&[(
        "still.toml",
        &common::constant_scenario(0.6, 0.0, "2021-09"),
    )]);
    let report = explain(dir.path(), &["still", "--trials", "64"]);
    assert!(
        report.contains("no summit happens in any trial: process.summit_rate has median 0")
            && !report.contains("nothing in the scenario moves"),
        "{report}"
    );
    let rows = explain_csv(dir.path(), "still");
    assert_eq!(value(&rows, "diagnostic.expected_summits", ""), 0.0);
    // A positive rate keeps its reasons.
    let dir = workdir(&[("flat.toml", &common::constant_scenario(0.6, 0.3, "2021-09"))]);
    let report = explain(dir.path(), &["flat", "--trials", "64"]);
    assert!(!report.contains("no summit happens"), "{report}");
}

/// explain.csv: its columns, every month of the window for each monthly quantity, the
/// non-monthly rows with an empty month, and three reasons ranked 1, 2, 3.
#[test]
fn explain_csv_is_tidy_and_covers_every_month() {
    let text = common::ScenarioText::multilateral().text();
    let dir = workdir(&[("multi.toml", &text)]);
    explain(dir.path(), &["multi", "--trials", "2000"]);
    let rows = explain_csv(dir.path(), "multi");
    assert!(rows.iter().all(|r| r.len() == 5 && r[0] == "multi"));
    let months: Vec<String> = (0..20)
        .map(|t| format!("{}-{:02}", 2020 + t / 12, t % 12 + 1))
        .collect();
    for (quantity, subject) in [
        ("central.will", "party.korea"),
        ("central.room", "issue.islands"),
        ("central.margin", ""),
        ("central.p", ""),
        ("central.q", ""),
        ("central.cumulative", ""),
        ("diagnostic.probability_in_month", ""),
        ("diagnostic.cumulative_probability", ""),
    ] {
        let found: Vec<String> = series(&rows, quantity, subject).into_keys().collect();
        assert_eq!(found, months, "{quantity} {subject}");
    }
    for quantity in [
        "median",
        "central.probability",
        "diagnostic.trials",
        "diagnostic.event_rate",
        "reason",
    ] {
        assert!(
            rows.iter().any(|r| r[2] == quantity)
                && rows
                    .iter()
                    .filter(|r| r[2] == quantity)
                    .all(|r| r[1].is_empty()),
            "{quantity}"
        );
    }
    let ranks: Vec<String> = rows
        .iter()
        .filter(|r| r[2] == "reason_rank")
        .map(|r| r[4].clone())
        .collect();
    assert_eq!(ranks, ["1", "2", "3"]);
    // The event rates are the event's probability, within 4.5 se of a binomial share.
    for (event, chance) in [("putin resigns", 0.4), ("snap elections", 0.5)] {
        let rate = value(&rows, "diagnostic.event_rate", &format!("event.{event}"));
        let se = (chance * (1.0 - chance) / 2000.0f64).sqrt();
        assert!(
            (rate - chance).abs() < common::SE_TOLERANCE * se,
            "{event}: {rate}"
        );
    }
}

/// The diagnostic's trials are `run`'s: its probability is the summary's, at the same trials
/// and seed, and the months add up to it.
#[test]
fn the_diagnostic_agrees_with_run() {
    let dir = workdir(&[]);
    let scenarios = common::shipped_scenarios();
    let scenarios = scenarios.to_str().expect("UTF-8 path");
    explain(
        dir.path(),
        &["baseline", "--scenarios", scenarios, "--trials", "5000"],
    );
    treatysim(dir.path())
        .args([
            "run",
            "baseline",
            "--scenarios",
            scenarios,
            "--trials",
            "5000",
        ])
        .args(["--out", "run"])
        .assert()
        .success();
    let rows = explain_csv(dir.path(), "baseline");
    let (header, summary) = read_csv(&dir.path().join("run/baseline/summary.csv"));
    let probability = common::field(&header, &summary[0], "probability");
    let diagnostic = value(&rows, "diagnostic.probability", "");
    assert!(
        (diagnostic - probability).abs() < 1e-12,
        "{diagnostic} vs {probability}"
    );
    let by_month: f64 = series(&rows, "diagnostic.probability_in_month", "")
        .values()
        .sum();
    assert!((by_month - diagnostic).abs() < 1e-12);
    assert_eq!(value(&rows, "diagnostic.trials", ""), 5000.0);
    assert_eq!(value(&rows, "diagnostic.seed", ""), 20_200_120.0);
    let lowest: f64 = ["party.japan", "party.russia"]
        .iter()
        .map(|s| value(&rows, "diagnostic.lowest_will_share", s))
        .sum();
    assert!(
        (lowest - 1.0).abs() < 1e-9,
        "the lowest will is someone's: {lowest}"
    );
}

/// One signatory's will far below the other's, and no gap: that will is the first reason,
/// and the printed report names it.
#[test]
fn a_will_far_below_the_others_is_a_reason() {
    let text = ScenarioText::bilateral()
        .dist("party.japan.will", "beta(9, 1)")
        .dist("party.russia.will", "beta(1.5, 8)")
        .set("issue.security.concession", "0.6")
        .text();
    let dir = workdir(&[("laggard.toml", &text)]);
    let stdout = explain(dir.path(), &["laggard", "--trials", "2000"]);
    let rows = explain_csv(dir.path(), "laggard");
    assert_eq!(
        value(&rows, "diagnostic.gap_open_share", "issue.security"),
        0.0
    );
    let keys = reason_keys(&rows);
    assert_eq!(
        keys.first().map(String::as_str),
        Some("party.russia.will"),
        "{keys:?}"
    );
    assert!(!keys.contains(&"party.japan.will".to_string()), "{keys:?}");
    assert!(
        stdout.contains("1. party.russia.will is the lowest will in"),
        "{stdout}"
    );
    let share = value(&rows, "diagnostic.lowest_will_share", "party.russia");
    assert!(share > 0.95, "{share}");
}

/// Strengths are ranked: each reason's is at least the next one's, and the wider gap is
/// the stronger reason of two issues.
#[test]
fn reasons_are_ranked_by_strength() {
    let text = ScenarioText::bilateral()
        .set("issue.security.demand", "0.9")
        .set("issue.trade.concedes", "\"russia\"")
        .set("issue.trade.demands", "\"japan\"")
        .set("issue.trade.concession", "0.3")
        .set("issue.trade.demand", "0.4")
        .text();
    let dir = workdir(&[("two.toml", &text)]);
    explain(dir.path(), &["two", "--trials", "100"]);
    let rows = explain_csv(dir.path(), "two");
    let keys = reason_keys(&rows);
    let strengths: Vec<f64> = keys
        .iter()
        .map(|k| value(&rows, "reason_strength", k))
        .collect();
    assert!(strengths.windows(2).all(|w| w[0] >= w[1]), "{strengths:?}");
    let security = keys.iter().position(|k| k == "issue.security");
    let trade = keys.iter().position(|k| k == "issue.trade");
    assert!(
        security.is_some() && (trade.is_none() || security < trade),
        "{keys:?}"
    );
}

/// Same seed, same bytes, whatever the thread count.
#[test]
fn explain_is_deterministic_across_threads() {
    let text = ScenarioText::multilateral().text();
    let dir = workdir(&[("multi.toml", &text)]);
    let mut files = Vec::new();
    let mut printed = Vec::new();
    for threads in ["1", "3"] {
        let out = format!("out{threads}");
        printed.push(explain(
            dir.path(),
            &[
                "multi",
                "--trials",
                "9000",
                "--threads",
                threads,
                "--out",
                &out,
            ],
        ));
        files.push(std::fs::read(dir.path().join(out).join("multi/explain.csv")).expect("csv"));
    }
    assert_eq!(files[0], files[1]);
    assert_eq!(printed[0], printed[1]);
}

/// An unknown scenario, a bad --set and --estimator indicator exit 2 with a message, and
/// write nothing.
#[test]
fn rejections_exit_2_and_write_nothing() {
    let dir = workdir(&[("flat.toml", &common::constant_scenario(0.6, 0.3, "2021-09"))]);
    for (args, expect) in [
        (vec!["explain", "flta"], "did you mean"),
        (
            vec!["explain", "flat", "--set", "party.japan.wil=0.5"],
            "party.japan.will",
        ),
        (
            vec!["explain", "flat", "--set", "party.japan.will=beta(0, 1)"],
            "party.japan.will",
        ),
        (
            vec!["explain", "flat", "--estimator", "indicator"],
            "--estimator",
        ),
        (vec!["explain", "flat", "--trials", "0"], "trials"),
    ] {
        let out = treatysim(dir.path())
            .args(&args)
            .output()
            .expect("treatysim runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(!dir.path().join("results").exists());
}

/// The Armenia–Azerbaijan example (SPEC §3's model-3 keys at work): its reasons are the
/// constitution (the dealbreaker), the re-election the referendum requires, and the
/// referendum, in that order.
#[test]
fn the_armenia_azerbaijan_example_hinges_on_the_constitution() {
    let dir = workdir(&[]);
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
    let examples = examples.to_str().expect("UTF-8 path");
    let args = [
        "armenia_azerbaijan_2025",
        "--scenarios",
        examples,
        "--trials",
        "4000",
    ];
    explain(dir.path(), &args);
    let rows = explain_csv(dir.path(), "armenia_azerbaijan_2025");
    assert_eq!(
        reason_keys(&rows),
        [
            "issue.constitution",
            "event.Civil Contract re-elected",
            "event.constitutional referendum"
        ]
    );
    // No treaty on the central path (the constitution blocks it every month) nor before the
    // referendum's window.
    assert_eq!(value(&rows, "central.probability", ""), 0.0);
    let by_month = series(&rows, "diagnostic.probability_in_month", "");
    assert!(
        by_month
            .range(..="2026-06".to_string())
            .all(|(_, p)| *p < 1e-3)
    );
}
