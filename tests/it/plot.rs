//! `treatysim plot`: SVG from the CSV files in the output folder (SPEC §8 "Plots").
//!
//! Fixtures are written by hand (or by `treatysim run`), so these tests do not depend on the
//! sweep and sensitivity commands. Each SVG is checked for being well formed and for holding
//! the series it should: plotters writes text as `<text>`, lines as `<polyline>`, bands and
//! legend swatches as `<polygon>`, bars and heat-map cells as `<rect>`, points as `<circle>`.

use crate::common;

use common::{treatysim, workdir};
use std::path::Path;

/// Colour of curves, points and "raises" tornado bars (`plot::LINE`, `plot::RAISES`).
const BLUE: &str = "#1F77B4";
/// Colour of "lowers" tornado bars (`plot::LOWERS`).
const ORANGE: &str = "#E67E22";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    std::fs::write(path, text).expect("fixture");
}

/// Reads an SVG file and checks that it is well formed: one `<svg>` root, every element
/// closed, text present.
fn svg(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let trimmed = text.trim();
    assert!(
        trimmed.starts_with("<svg") || trimmed.starts_with("<?xml"),
        "{}: starts {:?}",
        path.display(),
        &trimmed[..40]
    );
    assert!(
        trimmed.ends_with("</svg>"),
        "{}: does not end with </svg>",
        path.display()
    );
    assert!(
        text.matches("<text").count() > 0,
        "{}: no text",
        path.display()
    );
    let mut open: Vec<&str> = Vec::new();
    for tag in text.split('<').skip(1) {
        let tag = tag.split('>').next().expect("tag");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                open.pop(),
                Some(name.trim()),
                "{}: unbalanced </{name}>",
                path.display()
            );
        } else if !tag.ends_with('/') && !tag.starts_with('?') {
            open.push(tag.split_whitespace().next().expect("tag name"));
        }
    }
    assert!(open.is_empty(), "{}: unclosed {open:?}", path.display());
    text
}

/// The `<tag ...>` elements of `svg` whose attributes contain every one of `attributes`.
fn elements<'a>(svg: &'a str, tag: &str, attributes: &[&str]) -> Vec<&'a str> {
    svg.split('<')
        .filter(|e| e.starts_with(tag) && e[tag.len()..].starts_with(' '))
        .map(|e| e.split('>').next().expect("element"))
        .filter(|e| attributes.iter().all(|a| e.contains(a)))
        .collect()
}

/// The number of points of a `<polyline>` or `<polygon>`.
fn points(element: &str) -> usize {
    element
        .split("points=\"")
        .nth(1)
        .expect("points")
        .split('"')
        .next()
        .expect("points")
        .split_whitespace()
        .count()
}

/// The texts of the `<text>` elements.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|t| {
            t.split_once('>')
                .expect("text")
                .1
                .split("</text>")
                .next()
                .expect("text")
                .trim()
                .replace("&apos;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

fn has_text(svg: &str, wanted: &str) -> bool {
    texts(svg).iter().any(|t| t.contains(wanted))
}

/// Asserts that `svg` has `count` `<tag>` elements with each of `attributes`; `what` says
/// what they are.
fn assert_elements(svg: &str, tag: &str, attributes: &[&str], count: usize, what: &str) {
    assert_eq!(elements(svg, tag, attributes).len(), count, "{what}");
}

/// How many `<polyline>`s of `colour` in `svg` have `count` points.
fn lines_of(svg: &str, colour: &str, count: usize) -> usize {
    elements(svg, "polyline", &[colour])
        .into_iter()
        .filter(|l| points(l) == count)
        .count()
}

/// Asserts that `svg` shows each of `labels` in one of its texts.
fn assert_texts(svg: &str, labels: &[&str]) {
    for label in labels {
        assert!(has_text(svg, label), "{label}: {:?}", texts(svg));
    }
}

const TIMELINE: &str =
    "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high
alpha,2020-01,0.01,0.01,0.005,0.015
alpha,2020-02,0.01,0.02,0.012,0.028
alpha,2020-03,0.01,0.03,0.02,0.04
alpha,2020-04,0.01,0.04,0.028,0.052
";

const SENSITIVITY: &str = "scenario,trials,seed,estimator,parameter,correlation,first_order,\
first_order_ci95_low,first_order_ci95_high,total_order,total_order_ci95_low,total_order_ci95_high,\
probability,probability_low,probability_high,swing
alpha,1000,1,conditional,issue.security.concession,0.21,0.08,0.07,0.09,0.3,0.28,0.32,0.0548,0.012,0.118,0.106
alpha,1000,1,conditional,chance,,0.05,0.04,0.06,0.2,0.19,0.21,0.0548,,,
alpha,1000,1,conditional,issue.security.demand,-0.18,0.06,0.05,0.07,0.15,0.14,0.16,0.0548,0.102,0.019,-0.083
alpha,1000,1,conditional,party.russia.will,0.15,0.04,0.03,0.05,0.1,0.09,0.11,0.0548,0.021,0.093,0.072
alpha,1000,1,conditional,issue.security.leverage.us,-0.04,0.005,0,0.01,0.02,0.01,0.03,0.0548,0.062,0.047,-0.015
alpha,1000,1,conditional,process.decision_noise,0.01,0.001,0,0.002,0.004,0.003,0.005,0.0548,0.053,0.057,0.004
";

/// A sensitivity file of an older version: no indices, no probability of its own.
const OLD_SENSITIVITY: &str =
    "scenario,parameter,correlation,first_order_index,probability_low,probability_high,swing
alpha,issue.security.concession,0.21,0.08,0.012,0.118,0.106
alpha,issue.security.demand,-0.18,0.06,0.102,0.019,-0.083
";

const SCENARIO_SUMMARY: &str =
    "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high
alpha,conditional,1000,1,2020-01,2020-05,0.0551,0.001,0.0531,0.0571
";

const SUMMARY: &str =
    "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high
alpha,conditional,1000,1,2020-01,2020-05,0.0551,0.001,0.0531,0.0571
beta,conditional,1000,1,2020-01,2020-05,0.14,0.002,0.136,0.144
gamma,indicator,1000,1,2020-01,2020-05,0.003,0.001,0.0015,0.006
";

/// A one-parameter sweep over seven values of a format-2 key (two dots in the file name).
fn sweep_line() -> String {
    let mut text = String::from(
        "scenario,issue.security.concession,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n",
    );
    for i in 0..7 {
        let x = 0.1 * f64::from(i);
        let p = 0.01 + 0.2 * x * x;
        text += &format!(
            "alpha,{x},1000,7,conditional,{p},0.004,{},{}\n",
            (p - 0.008).max(0.0),
            p + 0.008
        );
    }
    text
}

/// A two-parameter sweep: a 4 × 3 grid.
fn sweep_grid() -> String {
    let mut text = String::from(
        "scenario,party.japan.will,party.russia.will,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n",
    );
    for i in 0..4 {
        for j in 0..3 {
            let (x, y) = (0.2 * f64::from(i + 1), 0.3 + 0.2 * f64::from(j));
            let p = 0.3 * x * y;
            text += &format!(
                "alpha,{x},{y},1000,7,conditional,{p},0.001,{},{}\n",
                p - 0.002,
                p + 0.002
            );
        }
    }
    text
}

/// A results folder with scenario `alpha` (every kind of CSV), scenario `beta` (a timeline)
/// and the folder's summary.
fn fixtures(results: &Path) {
    let alpha = results.join("alpha");
    write(&alpha.join("timeline.csv"), TIMELINE);
    write(&alpha.join("summary.csv"), SCENARIO_SUMMARY);
    write(&alpha.join("sensitivity.csv"), SENSITIVITY);
    write(
        &alpha.join("sweep-issue.security.concession.csv"),
        &sweep_line(),
    );
    write(
        &alpha.join("sweep-party.japan.will-party.russia.will.csv"),
        &sweep_grid(),
    );
    write(
        &results.join("beta").join("timeline.csv"),
        &TIMELINE.replace("alpha", "beta"),
    );
    write(&results.join("summary.csv"), SUMMARY);
}

#[test]
fn plots_the_timeline_and_summary_of_a_real_run() {
    let dir = workdir(&[]);
    let scenarios = common::shipped_scenarios();
    treatysim(dir.path())
        .args([
            "run",
            "baseline",
            "--trials",
            "20000",
            "--out",
            "results",
            "--scenarios",
        ])
        .arg(&scenarios)
        .assert()
        .success();
    let output = treatysim(dir.path())
        .args(["plot", "--out", "results"])
        .output()
        .expect("plot runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("wrote results/baseline/timeline.svg"),
        "{stderr}"
    );
    assert!(stderr.contains("wrote results/summary.svg"), "{stderr}");

    let months = common::read_csv(&dir.path().join("results/baseline/timeline.csv"))
        .1
        .len();
    let timeline = svg(&dir.path().join("results/baseline/timeline.svg"));
    assert!(has_text(
        &timeline,
        "baseline: probability of a treaty, month by month"
    ));
    assert!(texts(&timeline).iter().any(|t| t == "probability"));
    assert!(
        !texts(&timeline).iter().any(|t| t.contains("(%)")),
        "issue #12: the y label no longer doubles (%)"
    );
    // Issue #12: every plot states trials, seed and deadline.
    assert!(has_text(
        &timeline,
        "20000 trials · seed 20200120 · deadline 2021-09 · conditional"
    ));
    // The remaining probability, read from the file with its band, in the second colour.
    let remaining: Vec<_> = elements(&timeline, "polyline", &[ORANGE])
        .into_iter()
        .filter(|l| points(l) == months)
        .collect();
    assert_eq!(
        remaining.len(),
        1,
        "one remaining curve through every month"
    );
    // Its band when the file has one (run writes remaining_ci95_low from 0.2 on).
    let header = common::read_csv(&dir.path().join("results/baseline/timeline.csv")).0;
    let banded = header.iter().any(|h| h == "remaining_ci95_low");
    assert_eq!(
        elements(&timeline, "polygon", &[ORANGE]).len(),
        usize::from(banded),
        "its band"
    );
    assert!(has_text(&timeline, "month"));
    assert!(has_text(&timeline, "2020-01"), "month labels");
    assert!(
        texts(&timeline).iter().any(|t| t.ends_with('%')),
        "percentage labels"
    );
    let lines: Vec<_> = elements(&timeline, "polyline", &[BLUE])
        .into_iter()
        .filter(|l| points(l) == months)
        .collect();
    assert_eq!(lines.len(), 1, "one line through every month");
    let bands = elements(&timeline, "polygon", &[BLUE]);
    assert_eq!(bands.len(), 1, "one band");
    assert_eq!(
        points(bands[0]),
        2 * months,
        "the band's upper and lower edges"
    );

    let summary = svg(&dir.path().join("results/summary.svg"));
    assert_elements(&summary, "circle", &[], 1, "one point for the one scenario");
    assert_texts(
        &summary,
        &[
            "P(treaty before the row's deadline)",
            "baseline · before 2021-09",
        ],
    );
    let timelines = svg(&dir.path().join("results/timelines.svg"));
    assert_eq!(
        elements(&timelines, "polyline", &[BLUE])
            .into_iter()
            .filter(|l| points(l) == months)
            .count(),
        1,
        "the one run's curve"
    );
}

#[test]
fn plots_every_kind_of_csv() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    fixtures(&results);
    let output = treatysim(dir.path())
        .args(["plot"])
        .output()
        .expect("plot runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr.matches("wrote ").count(), 7, "{stderr}");

    let timeline = svg(&results.join("alpha/timeline.svg"));
    assert_texts(
        &timeline,
        &[
            "alpha: probability of a treaty, month by month",
            "1000 trials · seed 1 · deadline 2020-05 · conditional · remaining computed",
        ],
    );
    // An older file has no remaining columns: the curve is computed, without a band.
    assert_eq!(lines_of(&timeline, ORANGE, 4), 1);
    assert!(elements(&timeline, "polygon", &[ORANGE]).is_empty());
    assert!(
        has_text(&timeline, "4.00% by 2020-04"),
        "the last month's value"
    );
    let beta = svg(&results.join("beta/timeline.svg"));
    assert!(beta.contains("beta: probability of a treaty"));
    assert!(
        has_text(
            &beta,
            "trials not recorded · seed not recorded · deadline 2020-05"
        ),
        "no summary.csv: the deadline follows the last month"
    );

    let tornado = svg(&results.join("alpha/sensitivity.svg"));
    assert_texts(
        &tornado,
        &[
            "alpha: what moves the treaty probability",
            "treaty probability; S, T",
            "1000 trials · seed 1 · deadline 2020-05",
        ],
    );
    assert!(
        has_text(&tornado, "overall probability 5.48%"),
        "the study's own probability, not summary.csv's"
    );
    let bars =
        elements(&tornado, "rect", &[BLUE]).len() + elements(&tornado, "rect", &[ORANGE]).len();
    assert_eq!(bars, 5, "one bar per parameter, none for chance");
    assert_texts(
        &tornado,
        &[
            "chance  S 0.05  T 0.20",
            "issue.security.concession  S 0.08  T 0.30",
        ],
    );
    assert_elements(
        &tornado,
        "rect",
        &[ORANGE],
        2,
        "two parameters lower the probability",
    );
    for parameter in [
        "issue.security.concession",
        "issue.security.demand",
        "party.russia.will",
        "issue.security.leverage.us",
        "process.decision_noise",
    ] {
        assert!(
            texts(&tornado)
                .iter()
                .any(|t| t.starts_with(&format!("{parameter}  S "))),
            "label {parameter}"
        );
    }

    let line = svg(&results.join("alpha/sweep-issue.security.concession.svg"));
    assert!(has_text(
        &line,
        "alpha: P(treaty) as issue.security.concession varies"
    ));
    assert!(
        texts(&line)
            .iter()
            .any(|t| t == "issue.security.concession"),
        "x axis description"
    );
    assert!(
        texts(&line)
            .iter()
            .any(|t| t == "P(treaty before the deadline)")
    );
    assert!(has_text(
        &line,
        "1000 trials · seed 7 · deadline 2020-05 · conditional"
    ));
    assert_eq!(lines_of(&line, BLUE, 7), 1);
    assert_elements(&line, "circle", &[BLUE], 7, "a point per swept value");
    let bands = elements(&line, "polygon", &[BLUE]);
    assert_eq!((bands.len(), points(bands[0])), (1, 14));

    let heat = svg(&results.join("alpha/sweep-party.japan.will-party.russia.will.svg"));
    let cells = elements(&heat, "rect", &[])
        .into_iter()
        .filter(|r| !r.contains("#FFFFFF") && !r.contains("url(#colour-bar)"))
        .count();
    assert_eq!(cells, 12, "one rectangle per cell");
    assert!(has_text(
        &heat,
        "by party.japan.will and party.russia.will (min 1.80%, max 16.8%)"
    ));
    assert!(
        texts(&heat).iter().any(|t| t == "party.russia.will"),
        "y axis description"
    );
    assert!(
        heat.contains("<linearGradient") && heat.contains("url(#colour-bar)"),
        "a smooth colour bar"
    );

    let summary = svg(&results.join("summary.svg"));
    assert_elements(&summary, "circle", &[], 3, "one point per scenario");
    assert!(has_text(&summary, "most probable first"));
    // Issue #12: sorted by probability (most probable on top), each row with its deadline.
    let mut rows: Vec<(f64, String)> = summary
        .split("<text")
        .skip(1)
        .filter_map(|t| {
            let y = t
                .split(" y=\"")
                .nth(1)?
                .split('"')
                .next()?
                .parse::<f64>()
                .ok()?;
            let text = t
                .split_once('>')?
                .1
                .split("</text>")
                .next()?
                .trim()
                .to_string();
            text.contains(" · before ").then_some((y, text))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let rows: Vec<String> = rows.into_iter().map(|(_, text)| text).collect();
    assert_eq!(
        rows,
        [
            "beta · before 2020-05 · 1000 trials · seed 1 · conditional",
            "alpha · before 2020-05 · 1000 trials · seed 1 · conditional",
            "gamma · before 2020-05 · 1000 trials · seed 1 · indicator"
        ]
    );
    assert!(has_text(&summary, "14.0% (13.6%–14.4%)"));
}

#[test]
fn named_scenarios_only() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    fixtures(&results);
    let output = treatysim(dir.path())
        .args(["plot", "beta", "--out", "results"])
        .output()
        .expect("plot runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "wrote results/beta/timeline.svg",
            "wrote results/summary.svg",
            "wrote results/timelines.svg"
        ]
    );
    assert!(!results.join("alpha/timeline.svg").exists());
}

#[test]
fn tornado_without_a_summary_centres_on_its_own_probability() {
    let dir = workdir(&[]);
    write(&dir.path().join("out/alpha/sensitivity.csv"), SENSITIVITY);
    write(
        &dir.path().join("out/beta/sensitivity.csv"),
        OLD_SENSITIVITY,
    );
    treatysim(dir.path())
        .args(["plot", "--out", "out"])
        .assert()
        .success();
    assert!(!dir.path().join("out/summary.svg").exists());
    let tornado = svg(&dir.path().join("out/alpha/sensitivity.svg"));
    assert!(has_text(&tornado, "overall probability 5.48%"));
    // An older file has no probability of its own: the midpoint stands in.
    let old = svg(&dir.path().join("out/beta/sensitivity.svg"));
    assert!(has_text(&old, "midpoint"));
}

/// A sensitivity study plotted without a run of its scenario (no summary.csv in its folder)
/// states the deadline its own record in run.toml holds; it said "deadline not recorded".
#[test]
fn a_tornado_without_a_run_states_the_studys_deadline() {
    let dir = workdir(&[]);
    let scenarios = common::shipped_scenarios();
    let scenarios = scenarios.to_str().expect("UTF-8 path");
    let out = |args: &[&str]| {
        treatysim(dir.path())
            .args(args)
            .args(["--scenarios", scenarios, "--out", "out"])
            .assert()
            .success();
    };
    out(&["sensitivity", "baseline", "--trials", "2000"]);
    assert!(!dir.path().join("out/baseline/summary.csv").exists());
    out(&["plot", "baseline"]);
    let tornado = svg(&dir.path().join("out/baseline/sensitivity.svg"));
    assert!(
        tornado.contains("deadline 2021-09") && !tornado.contains("deadline not recorded"),
        "{tornado}"
    );
}

#[test]
fn a_missing_output_folder_is_invalid() {
    let dir = workdir(&[]);
    let output = treatysim(dir.path())
        .args(["plot", "--out", "nowhere"])
        .output()
        .expect("plot runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("'nowhere' does not exist"), "{stderr}");
    assert!(stderr.contains("treatysim run"), "{stderr}");
}

#[test]
fn a_named_scenario_without_results_is_invalid() {
    let dir = workdir(&[]);
    fixtures(&dir.path().join("results"));
    std::fs::create_dir(dir.path().join("results/empty")).expect("folder");
    for name in ["empty", "missing"] {
        let output = treatysim(dir.path())
            .args(["plot", name])
            .output()
            .expect("plot runs");
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("results/{name}")), "{stderr}");
        assert!(
            stderr.contains(&format!("run `treatysim run {name}` first")),
            "{stderr}"
        );
    }
    assert!(
        !dir.path().join("results/summary.svg").exists(),
        "nothing written"
    );
}

#[test]
fn a_malformed_csv_is_invalid_and_nothing_is_written() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    fixtures(&results);
    let no_column = TIMELINE.replace(",ci95_high", "").replace(",0.015\n", "\n");
    write(
        &results.join("beta/timeline.csv"),
        &no_column.lines().take(2).collect::<Vec<_>>().join("\n"),
    );
    let output = treatysim(dir.path())
        .args(["plot"])
        .output()
        .expect("plot runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("results/beta/timeline.csv") && stderr.contains("no column 'ci95_high'"),
        "{stderr}"
    );
    assert!(
        !results.join("alpha/timeline.svg").exists(),
        "nothing written"
    );

    write(
        &results.join("beta/timeline.csv"),
        &TIMELINE.replace("0.028,0.052", "0.028,high"),
    );
    let output = treatysim(dir.path())
        .args(["plot"])
        .output()
        .expect("plot runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 5, column 'ci95_high': 'high' is not a number"),
        "{stderr}"
    );

    write(&results.join("beta/timeline.csv"), TIMELINE);
    write(
        &results.join("alpha/sweep-party.japan.will-party.russia.will.csv"),
        &sweep_grid().replace("probability,", "p,"),
    );
    let output = treatysim(dir.path())
        .args(["plot", "alpha"])
        .output()
        .expect("plot runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .contains("sweep-party.japan.will-party.russia.will.csv' has no column 'probability'"),
        "{stderr}"
    );
}

/// Issue #9: `plot` on CSVs with values near 1e308 aborted (capacity overflow in the tick
/// code). A sweep over such values is drawn; a probability near 1e308 is refused (exit 2) with
/// its line and column, and nothing is written.
#[test]
fn values_near_the_largest_double_neither_panic_nor_abort() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    write(
        &results.join("x/sweep-party.japan.will.csv"),
        "scenario,party.japan.will,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n\
         x,-1.7e308,9,1,conditional,0.1,0.01,0.05,0.2\nx,1e308,9,1,conditional,0.2,0.01,0.1,0.3\n\
         x,1.7976931348623157e308,9,1,conditional,0.3,0.01,0.2,0.4\n",
    );
    write(
        &results.join("x/sweep-party.japan.will-party.russia.will.csv"),
        "scenario,party.japan.will,party.russia.will,trials,probability\n\
         x,-1e308,1e308,9,0.1\nx,1e308,-1e308,9,0.9\nx,1e308,1e308,9,0.5\nx,-1e308,-1e308,9,0.2\n",
    );
    treatysim(dir.path()).args(["plot", "x"]).assert().success();
    svg(&results.join("x/sweep-party.japan.will.svg"));
    svg(&results.join("x/sweep-party.japan.will-party.russia.will.svg"));

    write(
        &results.join("y/timeline.csv"),
        "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high\n\
         y,2020-01,0.1,0.1,0.05,0.2\ny,2020-02,0.1,1e308,0.05,1.7e308\n",
    );
    let output = treatysim(dir.path())
        .args(["plot", "y"])
        .output()
        .expect("run treatysim");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("line 3, column 'cumulative_probability'"),
        "{stderr}"
    );
    assert!(!results.join("y/timeline.svg").exists());
}

/// A name is a folder of the output folder: `plot ..` must not read and draw the folder above
/// it (SPEC §7: nothing is ever written outside `--out`).
#[test]
fn names_that_leave_the_output_folder_are_refused() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    std::fs::create_dir_all(&results).expect("folder");
    write(
        &dir.path().join("timeline.csv"),
        "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high\n\
         x,2020-01,0.1,0.1,0.05,0.2\n",
    );
    for name in ["..", "."] {
        let output = treatysim(dir.path())
            .args(["plot", name])
            .output()
            .expect("run treatysim");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains("not a valid name"), "{stderr}");
    }
    assert!(
        !dir.path().join("timeline.svg").exists(),
        "plot wrote outside --out"
    );
}

/// The largest percentage tick label of a chart (its y axis' top).
fn top_tick(svg: &str) -> f64 {
    texts(svg)
        .iter()
        .filter_map(|t| t.strip_suffix('%')?.parse::<f64>().ok())
        .fold(0.0, f64::max)
}

/// Issue #12: `--common-scale` gives every timeline the same y axis.
#[test]
fn common_scale_gives_the_timelines_one_y_axis() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    fixtures(&results);
    write(
        &results.join("beta/timeline.csv"),
        &TIMELINE
            .replace("alpha", "beta")
            .replace("0.04,0.028,0.052", "0.4,0.3,0.5"),
    );
    treatysim(dir.path()).args(["plot"]).assert().success();
    let (alpha, beta) = (
        svg(&results.join("alpha/timeline.svg")),
        svg(&results.join("beta/timeline.svg")),
    );
    assert!(top_tick(&alpha) < 10.0 && top_tick(&beta) >= 50.0);
    treatysim(dir.path())
        .args(["plot", "--common-scale"])
        .assert()
        .success();
    let (alpha, beta) = (
        svg(&results.join("alpha/timeline.svg")),
        svg(&results.join("beta/timeline.svg")),
    );
    assert_eq!(top_tick(&alpha), top_tick(&beta));
    assert!(top_tick(&alpha) >= 50.0);
    // timelines.svg has both runs' cumulative curves, in two colours.
    let both = svg(&results.join("timelines.svg"));
    assert_eq!(
        elements(&both, "polyline", &[BLUE])
            .iter()
            .filter(|l| points(l) == 4)
            .count(),
        1
    );
    assert_eq!(
        elements(&both, "polyline", &["#FF7F0E"])
            .iter()
            .filter(|l| points(l) == 4)
            .count(),
        1
    );
    assert_texts(
        &both,
        &[
            "alpha (1000 trials · seed 1 · deadline 2020-05 · conditional)",
            "beta (trials not recorded",
        ],
    );
}

/// The resolved scenario `show` prints for the shipped baseline with `sets` applied.
fn resolved_baseline(dir: &Path, sets: &[&str]) -> String {
    let mut command = treatysim(dir);
    command
        .args(["show", "baseline", "--scenarios"])
        .arg(common::shipped_scenarios());
    for set in sets {
        command.args(["--set", set]);
    }
    let output = command.output().expect("show runs");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("utf-8")
}

/// Issue #12: a sweep marks the scenario's own value (from run.toml, else the catalog), or
/// says why it cannot.
#[test]
fn a_sweep_marks_the_scenarios_own_value_or_range() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    write(
        &results.join("baseline/sweep-issue.security.concession.csv"),
        &sweep_line(),
    );
    // From the catalog: the baseline's concession is "0.05 to 0.3", its central 90%.
    let output = treatysim(dir.path())
        .args(["plot", "baseline", "--scenarios"])
        .arg(common::shipped_scenarios())
        .output()
        .expect("plot runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = svg(&results.join("baseline/sweep-issue.security.concession.svg"));
    assert!(
        has_text(&line, "the scenario's central 90%, 0.05 to 0.3"),
        "{:?}",
        texts(&line)
    );
    let spans = elements(&line, "polygon", &["#787878"]);
    assert_eq!(spans.len(), 1, "a shaded span");

    // From run.toml, which wins over the catalog: a constant is a dashed line.
    let resolved = resolved_baseline(dir.path(), &["issue.security.concession=0.42"]);
    let mut toml = treatysim::export::RunToml::new("baseline");
    toml.run = Some(treatysim::export::Record {
        command: vec!["treatysim".into()],
        scenario: "baseline".into(),
        estimator: "conditional".into(),
        trials: 1000,
        seed: 1,
        overrides: vec!["issue.security.concession=0.42".into()],
        resolved,
    });
    // The sweep's file, listed with its SHA-256, as a run.toml of treatysim's lists it.
    toml.files.insert(
        "sweep-issue.security.concession.csv".into(),
        treatysim::digest::sha256_hex(sweep_line().as_bytes()),
    );
    write(&results.join("baseline/run.toml"), &toml.to_text());
    treatysim(dir.path())
        .args(["plot", "baseline", "--scenarios"])
        .arg(common::shipped_scenarios())
        .assert()
        .success();
    let line = svg(&results.join("baseline/sweep-issue.security.concession.svg"));
    assert!(has_text(&line, "the scenario's value, 0.42"));
    assert!(elements(&line, "polygon", &["#787878"]).is_empty());
    assert!(
        elements(&line, "polyline", &["#212121"]).len() > 3,
        "dashes"
    );

    // Neither: no mark, and a note says why.
    std::fs::remove_file(results.join("baseline/run.toml")).expect("remove");
    treatysim(dir.path())
        .args(["plot", "baseline"])
        .assert()
        .success();
    let line = svg(&results.join("baseline/sweep-issue.security.concession.svg"));
    assert!(has_text(
        &line,
        "scenario's own value not marked: no run.toml, and no valid scenario 'baseline' in --scenarios"
    ));
    assert!(!has_text(&line, "the scenario's"));
}

const POOL: &str =
    "pool,method,member,weight,trials,seed,estimator,probability,std_error,ci95_low,ci95_high
experts,member,mason,2,1000,4,conditional,0.15,0.002,0.145,0.155
experts,member,togo,1,1000,4,conditional,0.18,0.002,0.175,0.185
experts,member,two_islands,1,1000,4,conditional,0.13,0.002,0.125,0.135
experts,linear,,,1000,4,conditional,0.1525,0.0015,0.15,0.155
experts,geometric-odds,,,1000,4,conditional,0.151,0.0015,0.148,0.154
";

/// `plot LABEL` draws pool.svg from pool.csv: members with weights, then the pooled values.
#[test]
fn plots_a_pool() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    write(&results.join("experts/pool.csv"), POOL);
    write(
        &results.join("experts/summary.csv"),
        &SCENARIO_SUMMARY.replace("alpha", "experts"),
    );
    treatysim(dir.path())
        .args(["plot", "experts"])
        .assert()
        .success();
    let pool = svg(&results.join("experts/pool.svg"));
    assert_elements(&pool, "circle", &[BLUE], 3, "a point per member");
    assert_elements(&pool, "circle", &[ORANGE], 2, "a point per method");
    assert_texts(
        &pool,
        &[
            "mason · weight 2 (50%)",
            "togo · weight 1 (25%)",
            "linear pool",
            "geometric-odds pool",
            "15.2% (15.0%–15.5%)",
            "1000 trials · seed 4 · deadline 2020-05 · conditional",
        ],
    );
    write(
        &results.join("experts/pool.csv"),
        &POOL.replace("0.15,0.002", "1e308,0.002"),
    );
    let output = treatysim(dir.path())
        .args(["plot", "experts"])
        .output()
        .expect("plot runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("line 2, column 'probability'"));
}

/// A `calibration.csv` as `score` writes it: ten bins, empty ones included.
const CALIBRATION: &str = "bin_low,bin_high,runs,mean_forecast,observed_frequency
0,0.1,12,0.04,0.08333333333333333
0.1,0.2,0,,
0.2,0.3,4,0.24,0.25
0.3,0.4,0,,
0.4,0.5,0,,
0.5,0.6,0,,
0.6,0.7,0,,
0.7,0.8,0,,
0.8,0.9,0,,
0.9,1,1,0.95,1
";

/// calibration.svg: a reliability diagram, the diagonal and a point per bin with runs.
#[test]
fn plots_the_calibration() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    fixtures(&results);
    write(&results.join("calibration.csv"), CALIBRATION);
    write(
        &results.join("scores.csv"),
        "scenario,probability,outcome\nalpha,0.05,not signed\n",
    );
    let output = treatysim(dir.path())
        .args(["plot", "beta"])
        .output()
        .expect("plot runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("wrote results/calibration.svg"), "{stderr}");
    let calibration = svg(&results.join("calibration.svg"));
    assert_elements(&calibration, "circle", &[], 3, "bins with runs");
    assert_texts(
        &calibration,
        &[
            "12 runs",
            "4 runs",
            "1 run",
            "Calibration of 17 scored runs",
        ],
    );
    // The scored run's facts, from summary.csv.
    assert!(has_text(
        &calibration,
        "1000 trials · seed 1 · deadline 2020-05 · conditional"
    ));
    // The diagonal: dashes from (0, 0) to (100%, 100%).
    assert!(elements(&calibration, "polyline", &[]).len() > 5);
}

/// A row of `<out>/summary.csv` run with `--set` (its `overrides` field) is labelled so in
/// `summary.svg`; a row without overrides is not.
#[test]
fn summary_marks_the_rows_run_with_overrides() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    let with_overrides = "scenario,estimator,trials,seed,start,deadline,probability,std_error,\
ci95_low,ci95_high,overrides
alpha,conditional,1000,1,2020-01,2020-05,0.0551,0.001,0.0531,0.0571,
beta,conditional,1000,1,2020-01,2020-05,0.14,0.002,0.136,0.144,party.japan.will=0.9
";
    write(&results.join("summary.csv"), with_overrides);
    let output = treatysim(dir.path())
        .args(["plot", "--out", "results"])
        .output()
        .expect("plot runs");
    assert!(output.status.success(), "{output:?}");
    let svg = std::fs::read_to_string(results.join("summary.svg")).expect("summary.svg");
    assert!(svg.contains("beta · before 2020-05 · with --set"), "{svg}");
    assert!(
        !svg.contains("alpha · before 2020-05 · with --set"),
        "{svg}"
    );
}

/// An edit of a file's text.
type Edit = dyn Fn(&str) -> String;

/// Finding G: `plot` checks a run folder's files against their SHA-256 in its `run.toml`, as
/// `score` does: a timeline or summary edited since it was written, a file run.toml does not
/// list, or a run.toml that is not treatysim's is refused with exit 2 naming the file, and
/// nothing is drawn or written (the root summary's repair included).
#[test]
fn plot_refuses_files_edited_since_they_were_written() {
    let text = common::ScenarioText::bilateral()
        .set("simulation.trials", "300")
        .text();
    let dir = workdir(&[("ok.toml", &text), ("other.toml", &text)]);
    let d = dir.path();
    let results = d.join("results");
    for name in ["ok", "other"] {
        let output = treatysim(d).args(["run", name]).output().expect("run");
        assert!(output.status.success(), "{output:?}");
    }
    let output = treatysim(d).args(["plot"]).output().expect("plot");
    assert!(output.status.success(), "{output:?}");
    // The root rows made stale: a repair would rewrite them.
    let root = results.join("summary.csv");
    let rows = std::fs::read_to_string(&root).expect("root summary");
    std::fs::write(&root, rows.replace(",300,", ",299,")).expect("write");
    let cases: [(&str, &Edit, &str); 4] = [
        (
            "timeline.csv",
            // The fuzzer's edit: the cumulative probability jumps to 0.95 in one month.
            &|t: &str| {
                t.lines()
                    .map(|line| match line.starts_with("ok,2020-05,") {
                        true => {
                            let mut fields: Vec<&str> = line.split(',').collect();
                            fields[2] = "0.9";
                            fields[3] = "0.95";
                            fields.join(",")
                        }
                        false => line.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n"
            },
            "'results/ok/timeline.csv' was changed since it was written: its SHA-256 is not \
             the one in 'results/ok/run.toml'",
        ),
        (
            "summary.csv",
            &|t: &str| t.replacen(",300,", ",777,", 1),
            "'results/ok/summary.csv' was changed since it was written",
        ),
        (
            "run.toml",
            &|t: &str| t.replace("\"timeline.csv\" = ", "\"timeline.old\" = "),
            "'results/ok/timeline.csv' is not listed in 'results/ok/run.toml'",
        ),
        (
            "run.toml",
            &|t: &str| t.replacen("label = ", "labelled = ", 1),
            "results/ok/run.toml: not a treatysim run.toml: the key 'label' is missing",
        ),
    ];
    for (file, edit, says) in cases {
        let path = results.join("ok").join(file);
        let original = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, edit(&original)).expect("write");
        let before = common::outputs::everything(&results);
        for args in [&["plot"][..], &["plot", "ok"]] {
            let output = treatysim(d).args(args).output().expect("plot");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{file}: {stderr}");
            assert!(stderr.contains(says), "{file}: {stderr}");
            assert!(
                common::outputs::everything(&results) == before,
                "{file}: plot wrote before it refused"
            );
        }
        std::fs::write(&path, original).expect("restore");
    }
    let output = treatysim(d).args(["plot"]).output().expect("plot");
    assert!(output.status.success(), "{output:?}");
}

/// Finding G: `calibration.csv` is checked whole before anything is drawn: its columns, its
/// ten bins in order, and each bin's values; a deleted row, a bin whose edges are swapped, an
/// extra column or a share that is not one of its runs is refused with exit 2 naming the file
/// (and the line), nothing written.
#[test]
fn plot_refuses_a_calibration_table_treatysim_did_not_write() {
    let dir = workdir(&[]);
    let results = dir.path().join("results");
    fixtures(&results);
    let path = results.join("calibration.csv");
    let lines: Vec<&str> = CALIBRATION.lines().collect();
    let deleted = [&lines[..3], &lines[4..]].concat().join("\n");
    let swapped = CALIBRATION.replace("0.2,0.3,4,", "0.3,0.2,4,");
    let extra = CALIBRATION
        .lines()
        .map(|l| format!("{l},x"))
        .collect::<Vec<_>>()
        .join("\n");
    let cases = [
        (deleted, "it has 9 bins, where treatysim writes 10"),
        (
            swapped,
            "line 4: bin 3 is from 0.3 to 0.2, where it is from 0.2 to 0.3",
        ),
        (
            extra,
            "its columns are bin_low,bin_high,runs,mean_forecast,observed_frequency,x",
        ),
        (
            CALIBRATION.replace("4,0.24,0.25", "4,0.24,0.3"),
            "line 4: observed_frequency 0.3 is not a share of its 4 runs",
        ),
        (
            CALIBRATION.replace("4,0.24,0.25", "4,0.54,0.25"),
            "line 4: mean_forecast 0.54 lies outside its bin",
        ),
        (
            CALIBRATION.replace("0.3,0.4,0,,", "0.3,0.4,0,0.35,0"),
            "line 5: a bin of 0 runs has its mean_forecast and observed_frequency set",
        ),
    ];
    for (text, says) in cases {
        write(&path, &text);
        let before = common::outputs::everything(&results);
        let output = treatysim(dir.path()).args(["plot"]).output().expect("plot");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{says}: {stderr}");
        assert!(
            stderr.contains("'results/calibration.csv' is not a treatysim calibration table")
                && stderr.contains(says),
            "{says}: {stderr}"
        );
        assert!(
            common::outputs::everything(&results) == before,
            "{says}: plot wrote before it refused"
        );
    }
}

/// The texts of `svg` anchored in its middle above `below` pixels (a header's lines), in
/// order, with their font sizes in pixels.
fn header_texts(svg: &str, below: f64) -> Vec<(String, f64)> {
    let number = |tag: &str, name: &str| -> f64 {
        tag.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (tag, rest) = t.split_once('>')?;
            let text = rest.split("</text>").next()?.trim().to_string();
            (tag.contains("text-anchor=\"middle\"") && number(tag, "y") < below)
                .then(|| (text, number(tag, "font-size")))
        })
        .collect()
}

/// Runs under 100-byte labels (the longest names allowed) and a sweep of 201 values, plotted
/// by the release binary: each timeline's title is said whole, on lines that fit the picture
/// (at 0.58 of the font's pixel size per character, DejaVu Sans averaging 0.51), and
/// `timelines.svg` is wide enough for each run's legend entry; the sweep draws its line
/// without 201 points over it.
#[test]
fn hundred_byte_names_and_long_sweeps_fit_their_plots() {
    let dir = workdir(&[("s.toml", &common::constant_scenario(0.6, 0.3, "2021-09"))]);
    let labels: Vec<String> = (0..3)
        .map(|i| {
            let mut label = format!("variant_{i}_");
            while label.len() < 100 {
                label.push('x');
            }
            label
        })
        .collect();
    for (i, label) in labels.iter().enumerate() {
        let seed = (i + 1).to_string();
        common::ok(
            dir.path(),
            &[
                "run", "s", "--trials", "2000", "--seed", &seed, "--as", label,
            ],
        );
    }
    common::ok(
        dir.path(),
        &[
            "sweep",
            "s",
            "--param",
            "process.summit_rate=0:1:0.005",
            "--trials",
            "500",
        ],
    );
    common::ok(dir.path(), &["plot"]);
    for label in &labels {
        let timeline = svg(&dir.path().join(format!("results/{label}/timeline.svg")));
        let lines = header_texts(&timeline, 60.0);
        let joined: Vec<&str> = lines.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            joined.join(" "),
            format!("{label}: probability of a treaty, month by month")
        );
        for (text, size) in &lines {
            assert!(
                text.chars().count() as f64 * 0.58 * size <= 960.0,
                "{text} at {size}"
            );
        }
    }
    let all = svg(&dir.path().join("results/timelines.svg"));
    let width: f64 = all
        .split("width=\"")
        .nth(1)
        .and_then(|w| w.split('"').next())
        .and_then(|w| w.parse().ok())
        .expect("width");
    for entry in texts(&all).iter().filter(|t| t.starts_with("variant_")) {
        // Each entry starts 62 pixels in, at 16/1.24 pixels a character's size.
        assert!(
            62.0 + entry.chars().count() as f64 * 0.58 * 16.0 / 1.24 <= width,
            "{entry} in {width}"
        );
    }
    let sweep = svg(&dir.path().join("results/s/sweep-process.summit_rate.svg"));
    assert_eq!(lines_of(&sweep, BLUE, 201), 1, "the curve");
    assert_elements(&sweep, "circle", &[BLUE], 0, "no point per value");
}
