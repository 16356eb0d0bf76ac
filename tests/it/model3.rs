//! Model 3 (issue #16, SPEC §3, §4, §6): closed forms of each feature under the conditional
//! estimator (constant parameters and σ = 0 make every trial's chance the same exact number),
//! firing-month distributions from the samples, both estimators and determinism on a scenario
//! with every feature, and field-by-field event inheritance as `show` prints it.

use crate::common::{
    EXACT, SE_TOLERANCE, ScenarioText, field, outside_shards, read_csv, treatysim, workdir,
};
use std::collections::BTreeMap;
use std::path::Path;

/// The scenario with every feature at once.
fn model3_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/scenarios/model3.toml");
    std::fs::read_to_string(path).expect("bench/scenarios/model3.toml")
}

/// Runs `treatysim run x ARGS` on `text` in a fresh folder; the summary's probability and
/// standard error, and the folder.
fn run(text: &str, args: &[&str]) -> (f64, f64, tempfile::TempDir) {
    let dir = workdir(&[("x.toml", text)]);
    treatysim(dir.path())
        .args(["run", "x", "--out", "results"])
        .args(args)
        .assert()
        .success();
    let (header, rows) = read_csv(&dir.path().join("results/x/summary.csv"));
    let p = field(&header, &rows[0], "probability");
    let se = field(&header, &rows[0], "std_error");
    (p, se, dir)
}

/// The conditional estimate of `text` (2000 trials: every trial is the same number).
fn exact(text: &str) -> f64 {
    run(text, &["--trials", "2000"]).0
}

/// p = 1 / (1 + exp(−(will − θ − gap)/s)) with the bilateral cast's will 0.6, θ 0.3, s 0.1.
fn p(gap: f64) -> f64 {
    1.0 / (1.0 + (-(0.6 - 0.3 - gap) / 0.1).exp())
}

/// 1 − Π_t (1 − λ_t·p_t) over the 20 months of the bilateral window.
fn chance(month: impl Fn(usize) -> (f64, f64)) -> f64 {
    1.0 - (0..20)
        .map(|t| {
            let (rate, p) = month(t);
            1.0 - rate * p
        })
        .product::<f64>()
}

fn assert_exact(got: f64, expected: f64, what: &str) {
    assert!(
        (got - expected).abs() <= EXACT,
        "{what}: {got} vs the closed form {expected}"
    );
}

/// The bilateral cast (gap 0.1: C 0.3, L·U = 0.1, D 0.5) with λ = 0 until an event says.
fn silent() -> ScenarioText {
    ScenarioText::bilateral().set("process.summit_rate", "0")
}

#[test]
fn a_certain_hazard_event_fires_in_the_first_month_of_its_window() {
    // λ goes from 0 to 0.3 when it fires: in month 4 (its window's first), or in month 0 for a
    // window that opened before the simulation.
    for (month, first) in [("2020-05", 4), ("2019-06", 0)] {
        let text = silent()
            .event(&format!(
                "name = \"open\"\nmonth = \"{month}\"\nhazard = 1\neffects = {{ \"process.summit_rate\" = 0.3 }}"
            ))
            .text();
        let (got, _, dir) = run(&text, &["--trials", "2000", "--samples"]);
        let expected = chance(|t| (if t >= first { 0.3 } else { 0.0 }, p(0.1)));
        assert_exact(got, expected, month);
        let (header, rows) = read_csv(&dir.path().join("results/x/samples.csv"));
        let column = header
            .iter()
            .position(|h| h == "event.open.month")
            .expect("event.open.month column");
        let fired = format!("2020-{:02}", first + 1);
        assert!(rows.iter().all(|r| r[column] == fired), "{month}");
    }
}

/// The share of trials whose `column` holds each value, from a samples file.
fn shares(path: &Path, column: &str) -> (BTreeMap<String, f64>, f64) {
    let (header, rows) = read_csv(path);
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no {column} in {header:?}"));
    let mut counts: BTreeMap<String, f64> = BTreeMap::new();
    for row in &rows {
        *counts.entry(row[i].clone()).or_default() += 1.0;
    }
    let n = rows.len() as f64;
    (counts.into_iter().map(|(k, c)| (k, c / n)).collect(), n)
}

/// Each value's share within [`SE_TOLERANCE`] binomial standard errors of `expected`.
fn assert_shares(got: &BTreeMap<String, f64>, n: f64, expected: &BTreeMap<String, f64>) {
    for (value, &q) in expected {
        let share = got.get(value).copied().unwrap_or(0.0);
        let se = (q * (1.0 - q) / n).sqrt();
        assert!(
            (share - q).abs() <= SE_TOLERANCE * se + 1e-12,
            "{value:?}: share {share} vs {q} (se {se})"
        );
    }
    let unexpected: Vec<&String> = got.keys().filter(|k| !expected.contains_key(*k)).collect();
    assert!(
        unexpected.is_empty(),
        "values never expected: {unexpected:?}"
    );
}

#[test]
fn firing_months_follow_the_hazard_and_the_window() {
    // A hazard of 0.2 from 2020-03 to 2020-10: geometric over its 8 months; a certain
    // probability event whose month is drawn from 2020-06..2021-01 (8 months, all inside the
    // simulation), and one from 2021-06..2021-11 (6 months, the last three at or after the
    // deadline 2021-09: in those trials it never fires).
    let text = silent()
        .event("name = \"h\"\nmonth = \"2020-03\"\nuntil = \"2020-10\"\nhazard = 0.2")
        .event("name = \"u\"\nmonth = \"2020-06\"\nuntil = \"2021-01\"\nprobability = 1")
        .event("name = \"late\"\nmonth = \"2021-06\"\nuntil = \"2021-11\"\nprobability = 1")
        .text();
    let (_, _, dir) = run(&text, &["--trials", "40000", "--samples"]);
    let samples = dir.path().join("results/x/samples.csv");
    let month = |k: usize| {
        let m = 2 + k; // months from 2020-01
        format!("{}-{:02}", 2020 + m / 12, m % 12 + 1)
    };
    let mut hazard: BTreeMap<String, f64> = (0..8)
        .map(|k| (month(k), 0.8f64.powi(k as i32) * 0.2))
        .collect();
    hazard.insert(String::new(), 0.8f64.powi(8));
    let (got, n) = shares(&samples, "event.h.month");
    assert_shares(&got, n, &hazard);
    let window: BTreeMap<String, f64> = (0..8).map(|k| (month(k + 3), 1.0 / 8.0)).collect();
    let (got, n) = shares(&samples, "event.u.month");
    assert_shares(&got, n, &window);
    let late: BTreeMap<String, f64> = [
        ("2021-06".to_string(), 1.0 / 6.0),
        ("2021-07".to_string(), 1.0 / 6.0),
        ("2021-08".to_string(), 1.0 / 6.0),
        (String::new(), 0.5),
    ]
    .into_iter()
    .collect();
    let (got, n) = shares(&samples, "event.late.month");
    assert_shares(&got, n, &late);
}

#[test]
fn a_requires_chain_fires_link_by_link_in_declaration_order() {
    let opener = "effects = { \"process.summit_rate\" = 0.3 }";
    let chain = |a: &str, c_month: &str, c_first: bool| {
        let a = format!("name = \"a\"\nmonth = \"2020-02\"\nprobability = {a}");
        let b = "name = \"b\"\nmonth = \"2020-04\"\nprobability = 1\nrequires = [\"a\"]";
        let c = format!(
            "name = \"c\"\nmonth = \"{c_month}\"\nprobability = 1\nrequires = [\"b\"]\n{opener}"
        );
        let text = silent().event(&a);
        let text = if c_first {
            text.event(&c).event(b)
        } else {
            text.event(b).event(&c)
        };
        exact(&text.text())
    };
    // a, b, c all fire: λ = 0.3 from month 5.
    let open_from = |first: usize| chance(|t| (if t >= first { 0.3 } else { 0.0 }, p(0.1)));
    assert_exact(chain("1", "2020-06", false), open_from(5), "chain");
    // a never fires: neither do b and c.
    assert_exact(chain("0", "2020-06", false), 0.0, "broken chain");
    // c in b's month: it fires after b when declared after it, never when declared before.
    assert_exact(
        chain("1", "2020-04", false),
        open_from(3),
        "same month, after",
    );
    assert_exact(chain("1", "2020-04", true), 0.0, "same month, before");
}

/// An event whose requirement cannot have fired by its last month never fires, and `check`
/// says so (naming both events and why), exit 0: a requirement that can fire only later, one
/// in the same last month but declared after it, one outside the simulation. A requirement
/// that can fire in time, or later but within a hazard's window, gets no warning.
#[test]
fn check_warns_about_requirements_that_cannot_have_fired_in_time() {
    let event = |name: &str, month: &str, extra: &str| {
        format!("name = \"{name}\"\nmonth = \"{month}\"\nprobability = 1\n{extra}")
    };
    let warnings = |text: &ScenarioText| {
        let dir = workdir(&[("x.toml", &text.text())]);
        let out = treatysim(dir.path())
            .args(["check", "x"])
            .output()
            .expect("runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains("requires"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let late = silent()
        .event(&event(
            "talks",
            "2020-03",
            "until = \"2020-05\"\nrequires = [\"vote\"]",
        ))
        .event(&event("vote", "2020-06", ""));
    let got = warnings(&late);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].contains("event \"talks\" requires \"vote\", which cannot have fired by then (it can fire no earlier than 2020-06)")
            && got[0].contains("only before 2020-06: it never fires"),
        "{got:?}"
    );
    // The same month, declared after: never; declared before: fine.
    let after = silent()
        .event(&event("talks", "2020-06", "requires = [\"vote\"]"))
        .event(&event("vote", "2020-06", ""));
    let got = warnings(&after);
    assert!(
        got.len() == 1 && got[0].contains("and is declared after it"),
        "{got:?}"
    );
    let before = silent().event(&event("vote", "2020-06", "")).event(&event(
        "talks",
        "2020-06",
        "requires = [\"vote\"]",
    ));
    assert!(warnings(&before).is_empty());
    // Outside the simulation (which starts in 2020-01).
    let past = silent().event(&event("vote", "2019-06", "")).event(&event(
        "talks",
        "2020-06",
        "requires = [\"vote\"]",
    ));
    let got = warnings(&past);
    assert!(
        got.len() == 1 && got[0].contains("its window is outside the simulation"),
        "{got:?}"
    );
    // A hazard without until runs to the deadline: a later requirement is in time.
    let hazard = silent()
        .event("name = \"talks\"\nmonth = \"2020-02\"\nhazard = 0.5\nrequires = [\"vote\"]")
        .event(&event("vote", "2020-06", ""));
    assert!(warnings(&hazard).is_empty());
    // The warned scenario indeed never fires its event: talks would open the summits.
    let opener = "effects = { \"process.summit_rate\" = 0.3 }";
    let never = silent()
        .event(&event(
            "talks",
            "2020-03",
            &format!("requires = [\"vote\"]\n{opener}"),
        ))
        .event(&event("vote", "2020-06", ""));
    assert_exact(exact(&never.text()), 0.0, "talks never fire");
}

#[test]
fn rivals_exclude_each_other_in_order() {
    // x opens the talks, y excludes x and closes them; y comes first in month 2 (declared
    // first), so x never fires; in x's own month x comes first.
    let x = "name = \"x\"\nmonth = \"2020-03\"\nprobability = 1\nexcludes = [\"y\"]\neffects = { \"process.summit_rate\" = 0.3 }";
    let y = "name = \"y\"\nmonth = \"2020-03\"\nprobability = 1\nexcludes = [\"x\"]";
    assert_exact(exact(&silent().event(y).event(x).text()), 0.0, "y first");
    let expected = chance(|t| (if t >= 2 { 0.3 } else { 0.0 }, p(0.1)));
    assert_exact(
        exact(&silent().event(x).event(y).text()),
        expected,
        "x first",
    );
}

#[test]
fn a_dealbreaker_with_constant_terms() {
    // room = 0.3 + 0.2·0.5 = 0.4 < D = 0.5: no treaty at all; an event lowering D to 0.35 in
    // month 6 opens the issue (gap 0 from then on).
    let base = ScenarioText::bilateral().set("issue.security.dealbreaker", "true");
    assert_exact(exact(&base.text()), 0.0, "blocked");
    let without = chance(|_| (0.3, p(0.1)));
    assert_exact(
        exact(
            &base
                .clone()
                .set("issue.security.dealbreaker", "false")
                .text(),
        ),
        without,
        "not a dealbreaker",
    );
    let text = base
        .event("name = \"deal\"\nmonth = \"2020-07\"\nprobability = 1\neffects = { \"issue.security.demand\" = -0.15 }")
        .text();
    let expected = chance(|t| (0.3, if t >= 6 { p(0.0) } else { 0.0 }));
    assert_exact(exact(&text), expected, "opened in month 6");
}

/// c_t, d_t and the room in month t for the bilateral cast (L·U = 0.1) as SPEC §4 computes
/// them: the gap and whether d_t > room.
fn terms(c: f64, dc: f64, d: f64, dd: f64, t: usize) -> (f64, bool) {
    let t = t as f64;
    let c = (c + dc * t).clamp(0.0, 1.0);
    let d = (d + dd * t).clamp(0.0, 1.0);
    let room = (c + 0.2 * 0.5).clamp(0.0, 1.0);
    ((d - room).max(0.0), d > room)
}

#[test]
fn linear_drift_crosses_the_demand_in_its_month() {
    // A dealbreaker: 0.3 + 0.02·t + 0.1 reaches D = 0.51 in month 6 (0.52).
    let text = ScenarioText::bilateral()
        .set("issue.security.dealbreaker", "true")
        .set("issue.security.demand", "0.51")
        .set("issue.security.concession_drift", "0.02")
        .text();
    let expected = chance(|t| {
        let (gap, blocked) = terms(0.3, 0.02, 0.51, 0.0, t);
        assert_eq!(blocked, t < 6, "month {t}");
        (0.3, if blocked { 0.0 } else { p(gap) })
    });
    assert_exact(exact(&text), expected, "concession drift");
    // The demand falls 0.01 a month: the gap 0.1 − 0.01·t closes in month 10.
    let text = ScenarioText::bilateral()
        .set("issue.security.demand_drift", "-0.01")
        .text();
    let expected = chance(|t| (0.3, p(terms(0.3, 0.0, 0.5, -0.01, t).0)));
    assert_exact(exact(&text), expected, "demand drift");
    // An event shifts the base concession, clamped at once (1.2 -> 1), which keeps drifting.
    let text = ScenarioText::bilateral()
        .set("issue.security.demand", "0.9")
        .set("issue.security.concession_drift", "-0.05")
        .event("name = \"offer\"\nmonth = \"2020-03\"\nprobability = 1\neffects = { \"issue.security.concession\" = 0.9 }")
        .text();
    let expected = chance(|t| {
        let base = if t >= 2 { 1.0 } else { 0.3 };
        (0.3, p(terms(base, -0.05, 0.9, 0.0, t).0))
    });
    assert_exact(exact(&text), expected, "shifted base keeps drifting");
}

#[test]
fn a_drifting_demand_that_reaches_the_room_exactly_opens_a_dealbreaker_in_that_month() {
    // Room 0 (C = 0, no leverage); d_t = clamp(0.1 + (−0.025)·t) is exactly 0.0 at t = 4, as
    // SPEC §4 writes it (fused or not), so d_4 > room fails and the issue is open from month 4.
    // A demand accumulated month by month (0.1 − 0.025 − 0.025 − 0.025 − 0.025 = 6.9e-18)
    // would keep it closed one month longer, and d ≥ room (not strict) for ever.
    let text = ScenarioText::bilateral()
        .set("issue.security.dealbreaker", "true")
        .set("issue.security.concession", "0")
        .set("issue.security.leverage.us", "0")
        .set("issue.security.demand", "0.1")
        .set("issue.security.demand_drift", "-0.025")
        .text();
    assert_eq!(0.1 + (-0.025) * 4.0, 0.0);
    let expected = chance(|t| (0.3, if t >= 4 { p(0.0) } else { 0.0 }));
    assert_exact(exact(&text), expected, "open from month 4");
    for estimator in ["indicator", "conditional"] {
        let (got, se, _dir) = run(&text, &["--trials", "40000", "--estimator", estimator]);
        assert!(
            (got - expected).abs() <= SE_TOLERANCE * se.max(1e-12),
            "{estimator}: {got} ± {se} vs {expected}"
        );
    }
}

#[test]
fn pressure_with_constant_indifference() {
    let china = |k: &str, u: &str| {
        ScenarioText::bilateral()
            .set("party.china.role", "\"outside\"")
            .set("party.china.indifference", u)
            .set("issue.security.pressure.china", k)
            .text()
    };
    // room = 0.3 + 0.1 − 0.4·(1 − 0.25) = 0.1: gap 0.4.
    let room: f64 = 0.3 + 0.2 * 0.5 - 0.4 * (1.0 - 0.25);
    assert_exact(
        exact(&china("0.4", "0.25")),
        chance(|_| (0.3, p(0.5 - room))),
        "pressure 0.4",
    );
    // The room is clamped at 0: gap 0.5, not more.
    assert_exact(
        exact(&china("1", "0")),
        chance(|_| (0.3, p(0.5))),
        "pressure clamped",
    );
    // An indifferent party exerts none.
    assert_exact(
        exact(&china("1", "1")),
        chance(|_| (0.3, p(0.1))),
        "indifferent",
    );
}

#[test]
fn both_estimators_agree_on_every_feature_at_once() {
    let text = model3_text();
    let (c, se_c, _) = run(&text, &["--trials", "100000"]);
    let (i, se_i, _) = run(&text, &["--trials", "100000", "--estimator", "indicator"]);
    assert!(
        (c - i).abs() <= 4.0 * se_c.hypot(se_i),
        "conditional {c} ± {se_c}, indicator {i} ± {se_i}"
    );
    assert!(c > 0.01 && c < 0.5, "{c}");
}

#[test]
fn every_feature_at_once_is_deterministic_across_threads_and_shards() {
    let dir = workdir(&[("m.toml", &model3_text())]);
    let d = dir.path();
    for estimator in ["conditional", "indicator"] {
        let args = [
            "run",
            "m",
            "--trials",
            "20001",
            "--samples",
            "--estimator",
            estimator,
        ];
        let mut reference = None;
        for threads in ["1", "2", "3"] {
            let out = format!("{estimator}-{threads}");
            treatysim(d)
                .args(args)
                .args(["--threads", threads, "--out", &out])
                .assert()
                .success();
            let files = outside_shards(&d.join(&out));
            match &reference {
                None => reference = Some(files),
                Some(r) => assert!(*r == files, "{estimator}: --threads {threads} differs"),
            }
        }
        let reference = reference.expect("runs");
        let out = format!("{estimator}-shards");
        for k in (1..=3).rev() {
            treatysim(d)
                .args(args)
                .args(["--shard", &format!("{k}/3"), "--out", &out])
                .assert()
                .success();
        }
        treatysim(d)
            .args(["merge", "m", "--out", &out])
            .assert()
            .success();
        assert!(
            outside_shards(&d.join(&out)) == reference,
            "{estimator}: 3 shards merged differ from the unsharded run"
        );
    }
}

#[test]
fn samples_show_which_events_fired_and_when() {
    let (_, _, dir) = run(&model3_text(), &["--trials", "20000", "--samples"]);
    let (header, rows) = read_csv(&dir.path().join("results/x/samples.csv"));
    let names = [
        "constitutional amendment",
        "referendum",
        "snap election",
        "crisis",
        "thaw",
    ];
    // SPEC §6 order: draws, leaders' exits, events in declaration order, the outcome.
    let columns: Vec<String> = names.iter().map(|n| format!("event.{n}.month")).collect();
    let at = header
        .iter()
        .position(|h| *h == columns[0])
        .expect("event columns");
    assert_eq!(header[at..at + 5], columns[..]);
    assert_eq!(header[at - 1], "party.russia.leader_exit_month");
    assert_eq!(header[at + 5], "signed_probability");
    let month = |row: &[String], k: usize| -> Option<String> {
        Some(row[at + k].clone()).filter(|m| !m.is_empty())
    };
    let mut fired = [0usize; 5];
    for row in &rows {
        let m: Vec<Option<String>> = (0..5).map(|k| month(row, k)).collect();
        for (k, f) in m.iter().enumerate() {
            fired[k] += usize::from(f.is_some());
        }
        // Windows: the amendment in 2020-03..2020-08, the referendum 2020-06..2021-03.
        if let Some(a) = &m[0] {
            assert!(("2020-03".."2020-09").contains(&a.as_str()), "{a}");
        }
        // requires: the referendum only after the amendment, thaw only after the referendum.
        if let Some(r) = &m[1] {
            assert!(("2020-06".."2021-04").contains(&r.as_str()), "{r}");
            assert!(m[0].as_ref().is_some_and(|a| a <= r), "{m:?}");
        }
        if let Some(t) = &m[4] {
            assert_eq!(t, "2020-10");
            assert!(m[1].as_ref().is_some_and(|r| r <= t), "{m:?}");
        }
        // excludes: never both rivals.
        assert!(m[2].is_none() || m[3].is_none(), "{m:?}");
        // The snap election makes russia's leader leave, in its month (nothing else does).
        assert_eq!(m[2].clone().unwrap_or_default(), row[at - 1], "{m:?}");
    }
    assert!(fired.iter().all(|&f| f > 100), "events fired {fired:?}");
}

#[test]
fn events_inherit_field_by_field_and_show_prints_the_merged_event() {
    let parent = ScenarioText::bilateral()
        .dist("party.japan.will", "beta(6, 3)")
        .dist("party.japan.successor_will", "beta(2, 5)")
        .event("name = \"war\"\nmonth = \"2020-03\"\nprobability = 0.5\neffects = { \"party.japan.will\" = -0.1, \"process.summit_rate\" = -0.1 }\nleader_exit = [\"japan\"]")
        .event("name = \"peace\"\nmonth = \"2020-05\"\nhazard = 0.1\nuntil = \"2020-12\"")
        .text();
    let child = "extends = \"parent\"\n\n[[event]]\nname = \"war\"\nmonth = \"2020-06\"\neffects = { \"party.japan.will\" = -0.3, \"party.russia.will\" = 0.05 }\n\n[[event]]\nname = \"peace\"\nprobability = 0.4\n\n[[event]]\nname = \"new\"\nmonth = \"2020-02\"\nprobability = 0.2\nrequires = [\"war\"]\n";
    let dir = workdir(&[("parent.toml", &parent), ("child.toml", child)]);
    let show = |args: &[&str]| {
        let out = treatysim(dir.path())
            .arg("show")
            .args(args)
            .output()
            .expect("show");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let text = show(&["child"]);
    let events: Vec<&str> = text.split("[[event]]").skip(1).collect();
    assert_eq!(events.len(), 3, "{text}");
    // war: the child's month and merged effects (japan's replaced in place, russia's added),
    // the parent's probability and leader_exit.
    assert!(events[0].contains("name = \"war\""), "{text}");
    assert!(events[0].contains("month = \"2020-06\""), "{text}");
    assert!(events[0].contains("probability = 0.5"), "{text}");
    assert!(
        events[0].contains("effects = { \"party.japan.will\" = -0.3, \"process.summit_rate\" = -0.1, \"party.russia.will\" = 0.05 }"),
        "{text}"
    );
    assert!(events[0].contains("leader_exit = [\"japan\"]"), "{text}");
    // peace: probability replaces the hazard; month and until kept.
    assert!(events[1].contains("name = \"peace\""), "{text}");
    assert!(events[1].contains("probability = 0.4"), "{text}");
    assert!(!events[1].contains("hazard"), "{text}");
    assert!(
        events[1].contains("month = \"2020-05\"\nuntil = \"2020-12\""),
        "{text}"
    );
    assert!(events[2].contains("requires = [\"war\"]"), "{text}");
    // --set turns it back into a hazard event and moves its window's end.
    let set = show(&[
        "child",
        "--set",
        "event.peace.hazard=0.2",
        "--set",
        "event.peace.until=2021-03",
    ]);
    let peace = set.split("[[event]]").nth(2).expect("peace");
    assert!(
        peace.contains("hazard = 0.2") && !peace.contains("probability"),
        "{set}"
    );
    assert!(peace.contains("until = \"2021-03\""), "{set}");
    // The printed scenario loads to the same scenario: shown again, the same text.
    let dir2 = workdir(&[("again.toml", &text)]);
    let again = treatysim(dir2.path())
        .args(["show", "again"])
        .output()
        .expect("show");
    let again = String::from_utf8(again.stdout).expect("UTF-8");
    let body = |t: &str| t.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&again), body(&text));
}

#[test]
fn new_keys_work_in_set_sweep_and_show_keys() {
    let text = ScenarioText::bilateral()
        .set("party.china.role", "\"outside\"")
        .dist("party.china.indifference", "uniform(0.2, 0.6)")
        .dist("issue.security.pressure.china", "uniform(0, 0.3)")
        .set("issue.security.demand_drift", "-0.005")
        .dist("issue.security.concession_drift", "0 to 0.01")
        .event("name = \"war\"\nmonth = \"2020-03\"\nhazard = 0.05")
        .raw("[correlations]\n\"issue.security.pressure.china ~ issue.security.concession_drift\" = 0.4")
        .text();
    let dir = workdir(&[("x.toml", &text)]);
    let d = dir.path();
    let keys = treatysim(d)
        .args(["show", "x", "--keys"])
        .output()
        .expect("show --keys");
    let keys = String::from_utf8(keys.stdout).expect("UTF-8");
    for key in [
        "issue.security.pressure.china",
        "issue.security.concession_drift",
        "issue.security.demand_drift",
        "event.war.hazard",
    ] {
        assert!(keys.lines().any(|l| l.starts_with(key)), "{key}:\n{keys}");
    }
    // --set on a drift and a pressure changes the answer the way the model says.
    let probability = |args: &[&str], out: &str| {
        treatysim(d)
            .args(["run", "x", "--trials", "4000", "--out", out])
            .args(args)
            .assert()
            .success();
        let (h, rows) = read_csv(&d.join(out).join("x/summary.csv"));
        field(&h, &rows[0], "probability")
    };
    let base = probability(&[], "base");
    let pressed = probability(&["--set", "issue.security.pressure.china=0.9"], "pressed");
    let hardening = probability(&["--set", "issue.security.demand_drift=0.02"], "hard");
    assert!(
        pressed < base && hardening < base,
        "{base} {pressed} {hardening}"
    );
    // A sweep over a drift and a hazard runs and is monotone (common random numbers).
    for (key, values) in [
        ("issue.security.demand_drift", "-0.02,0,0.02"),
        ("event.war.hazard", "0,0.5,1"),
    ] {
        treatysim(d)
            .args(["sweep", "x", "--trials", "4000", "--out", "sweeps"])
            .args(["--param", &format!("{key}={values}")])
            .assert()
            .success();
    }
}

/// An event's name may hold any printable text (SPEC §3 sets no rule for it), a comma and a
/// double quote included; its `event.NAME.month` column of `samples.csv` is then a quoted CSV
/// field, so every reader sees as many header fields as row fields (the header was written
/// unquoted, one field longer than the rows), and 3 shards merged give the same bytes.
#[test]
fn an_event_name_with_a_comma_and_a_quote_keeps_samples_csv_rectangular() {
    let text = silent()
        .event("name = 'talks, \"round\" two'\nmonth = \"2020-03\"\nprobability = 0.5")
        .text();
    let dir = workdir(&[("x.toml", &text)]);
    let args = ["run", "x", "--trials", "3000", "--samples"];
    treatysim(dir.path())
        .args(args)
        .args(["--out", "whole"])
        .assert()
        .success();
    let path = dir.path().join("whole/x/samples.csv");
    let mut reader = csv::Reader::from_path(&path).expect("samples.csv");
    let header = reader.headers().expect("a header").clone();
    assert_eq!(
        header.iter().rev().nth(1),
        Some("event.talks, \"round\" two.month"),
        "{header:?}"
    );
    let mut rows = 0;
    for record in reader.records() {
        let record = record.expect("every row as long as the header");
        assert_eq!(record.len(), header.len());
        rows += 1;
    }
    assert_eq!(rows, 3000);
    for k in 1..=3 {
        let shard = format!("{k}/3");
        treatysim(dir.path())
            .args(args)
            .args(["--out", "sharded", "--shard", &shard])
            .assert()
            .success();
    }
    treatysim(dir.path())
        .args(["merge", "x", "--out", "sharded"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.path().join("sharded/x/samples.csv")).expect("merged samples"),
        std::fs::read(&path).expect("samples"),
        "3 shards merged differ from the unsharded samples.csv"
    );
}
