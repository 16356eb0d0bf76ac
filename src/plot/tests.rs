//! Unit tests of the readers and the charts.

use super::*;

fn table(text: &str) -> Table {
    Table::parse(Path::new("results/x/timeline.csv"), text.as_bytes()).unwrap()
}

#[test]
fn reads_a_timeline_sorted_by_month() {
    let t = table(
        "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high\n\
         x,2020-02,0.1,0.3,0.2,0.4\n\
         x,2020-01,0.2,0.2,0.1,0.3\n",
    );
    let timeline = Timeline::from_table(&t, "x").unwrap();
    assert_eq!(timeline.start, Month::parse("2020-01").unwrap());
    assert_eq!(timeline.band.x, vec![0.0, 1.0]);
    assert_eq!(timeline.band.probability, vec![0.2, 0.3]);
    assert_eq!(timeline.band.high, vec![0.3, 0.4]);
}

#[test]
fn a_missing_column_is_named_with_the_file() {
    let t = table("scenario,month,cumulative_probability,ci95_low\nx,2020-01,0.1,0.05\n");
    let message = Timeline::from_table(&t, "x").unwrap_err().to_string();
    assert!(message.contains("results/x/timeline.csv"), "{message}");
    assert!(message.contains("no column 'ci95_high'"), "{message}");
}

#[test]
fn a_bad_number_is_named_with_its_line_and_column() {
    let t = table(
        "scenario,month,cumulative_probability,ci95_low,ci95_high\nx,2020-01,0.1,0.05,0.2\nx,2020-02,abc,0.1,0.3\n",
    );
    let e = Timeline::from_table(&t, "x").unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let message = e.to_string();
    assert!(
        message.contains("line 3, column 'cumulative_probability': 'abc' is not a number"),
        "{message}"
    );
    let t = table("scenario,month,cumulative_probability,ci95_low,ci95_high\nx,Jan,0.1,0.05,0.2\n");
    let message = Timeline::from_table(&t, "x").unwrap_err().to_string();
    assert!(
        message.contains("column 'month': 'Jan' is not a month (YYYY-MM)"),
        "{message}"
    );
}

#[test]
fn empty_and_ragged_files_are_invalid() {
    let path = Path::new("t.csv");
    assert!(
        Table::parse(path, b"")
            .unwrap_err()
            .to_string()
            .contains("is empty")
    );
    assert!(
        Table::parse(path, b"a,b\n")
            .unwrap_err()
            .to_string()
            .contains("no data rows")
    );
    let e = Table::parse(path, b"a,b\n1,2\n3\n").unwrap_err();
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn sweep_parameters_are_the_columns_between_scenario_and_trials() {
    let one = table(
        "scenario,party.japan.will,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\nx,0.5,100,1,conditional,0.1,0.01,0.08,0.12\nx,0.2,100,1,conditional,0.05,0.01,0.03,0.07\n",
    );
    let Sweep::Line(line) = Sweep::from_table(&one, "x").unwrap() else {
        panic!("not a line")
    };
    assert_eq!(line.key, "party.japan.will");
    assert_eq!(line.band.x, vec![0.2, 0.5]);
    let two = table(
        "scenario,party.japan.will,issue.security.leverage.us,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\nx,0.5,0.1,100,1,conditional,0.2,0,0.2,0.2\n",
    );
    let Sweep::Grid(grid) = Sweep::from_table(&two, "x").unwrap() else {
        panic!("not a grid")
    };
    assert_eq!(
        (grid.x_key.as_str(), grid.y_key.as_str()),
        ("party.japan.will", "issue.security.leverage.us")
    );
    assert_eq!(
        grid.cells,
        vec![Cell {
            x: 0.5,
            y: 0.1,
            probability: 0.2
        }]
    );
    let none = table(
        "scenario,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\nx,100,1,conditional,0.2,0,0.2,0.2\n",
    );
    assert!(
        Sweep::from_table(&none, "x")
            .unwrap_err()
            .to_string()
            .contains("one or two")
    );
}

#[test]
fn tornado_overall_falls_back_to_the_midpoint() {
    let t = table(
        "scenario,parameter,correlation,first_order,total_order,probability_low,probability_high,swing\n\
         x,japan.will,0.3,0.1,0.2,0.02,0.1,0.08\nx,chance,,0.01,0.3,,,\n\
         x,us.leverage,-0.1,0.01,0.05,0.08,0.04,-0.04\n",
    );
    let tornado = Tornado::from_table(&t, None, "x").unwrap();
    assert!(!tornado.overall_from_summary);
    assert!((tornado.overall - 0.06).abs() < 1e-12);
    assert_eq!(tornado.bars.len(), 2);
    assert_eq!(tornado.chance, Some((0.01, 0.3)));
    assert_eq!(tornado.bars[1].indices, Some((0.01, 0.05)));
    assert_eq!(
        Tornado::from_table(&t, Some(0.055), "x").unwrap().overall,
        0.055
    );
}

#[test]
fn labels() {
    assert_eq!(percent(0.055123), "5.51%");
    assert_eq!(percent(0.00293), "0.293%");
    assert_eq!(percent(0.551), "55.1%");
    assert_eq!(percent(0.0), "0%");
    assert_eq!(short_number(0.30000000000000004), "0.3");
    assert_eq!(short_number(1250.0), "1250");
    assert_eq!(short_number(-0.05), "-0.05");
    let (ticks, decimals) = nice_ticks(&(0.0..6.0), 8);
    assert_eq!((ticks.len(), decimals), (7, 0));
    assert_eq!(
        month_ticks(19.0),
        vec![0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0]
    );
    assert_eq!(cell_edges(&[0.0, 1.0, 3.0]), vec![-0.5, 0.5, 2.0, 4.0]);
    assert_eq!(row_item(&["a", "b", "c"], 2.0), Some(&"a"));
    assert_eq!(row_item(&["a", "b", "c"], 0.0), Some(&"c"));
    assert_eq!(row_item(&["a", "b", "c"], 3.0), None);
    assert_eq!(short_number(1e308), "1.000e308");
}

/// Issue #9: values near 1e308 made the tick code allocate a tick per step of 1 across
/// the whole range (capacity overflow). Any finite range now has a handful of ticks.
#[test]
fn ticks_of_extreme_ranges_are_few_and_finite() {
    for range in [
        f64::MIN..f64::MAX,
        -1e308..1e308,
        1e308..1.7e308,
        0.0..f64::MAX,
        -5e-324..5e-324,
        1.0..1.0 + 1e-15,
    ] {
        let (ticks, decimals) = nice_ticks(&range, 10);
        assert!(ticks.len() <= 41, "{range:?}: {}", ticks.len());
        assert!(
            ticks
                .iter()
                .all(|t| t.is_finite() && range.contains(t) || *t == range.end)
        );
        assert!(decimals <= 20);
    }
    for range in [f64::NEG_INFINITY..0.0, 0.0..f64::NAN, 1.0..0.0] {
        assert_eq!(nice_ticks(&range, 10).0, Vec::<f64>::new(), "{range:?}");
    }
}

/// Sweeps over values near ±f64::MAX draw; probabilities outside [0, 1] are refused with
/// the line and column.
#[test]
fn extreme_values_draw_and_impossible_probabilities_are_refused() {
    let sweep = |values: &[f64]| {
        let mut text =
            "scenario,k,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n"
                .to_string();
        for v in values {
            text.push_str(&format!("x,{v:e},100,1,conditional,0.5,0.01,0.4,0.6\n"));
        }
        Sweep::from_table(&table(&text), "x").expect("a sweep")
    };
    for values in [
        &[-1e308, 1e308][..],
        &[f64::MIN, f64::MAX],
        &[f64::MAX],
        &[1.7e308, 1.75e308, 1.79e308],
    ] {
        match sweep(values) {
            Sweep::Line(line) => {
                sweep_line_svg(&line).expect("drawn");
            }
            Sweep::Grid(_) => unreachable!(),
        }
    }
    let grid = "scenario,a,b,trials,probability\nx,-1e308,1e308,1,0.1\nx,1e308,-1e308,1,0.9\n\
                x,1e308,1e308,1,0.5\nx,-1e308,-1e308,1,0.2\n";
    match Sweep::from_table(&table(grid), "x").expect("a sweep") {
        Sweep::Grid(grid) => {
            heatmap_svg(&grid).expect("drawn");
        }
        Sweep::Line(_) => unreachable!(),
    }
    let timeline = "scenario,month,probability_in_month,cumulative_probability,ci95_low,\
                    ci95_high\nx,2020-01,0.1,1e308,0.05,1e308\n";
    let err = Timeline::from_table(&table(timeline), "x").expect_err("1e308");
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string()
            .contains("line 2, column 'cumulative_probability'"),
        "{err}"
    );
    assert!(err.to_string().contains("from 0 to 1"), "{err}");
}

#[test]
fn remaining_probability_from_the_cumulative_curve() {
    // r_t = (F_last − F_{t−1}) / (1 − F_{t−1}), F_{−1} = 0.
    let r = remaining_from_cumulative(&[0.1, 0.3, 0.5]);
    let expected = [0.5, 0.4 / 0.9, 0.2 / 0.7];
    for (r, e) in r.iter().zip(expected) {
        assert!((r - e).abs() < 1e-15, "{r} vs {e}");
    }
    // Everything signed by the first month: nothing remains after it.
    assert_eq!(remaining_from_cumulative(&[1.0, 1.0]), vec![1.0, 0.0]);
    assert!(remaining_from_cumulative(&[]).is_empty());
}

#[test]
fn a_timeline_reads_its_remaining_curve_or_computes_it() {
    let old = table(
        "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high\n\
         x,2020-02,0.2,0.3,0.2,0.4\nx,2020-01,0.1,0.1,0.05,0.15\n",
    );
    let timeline = Timeline::from_table(&old, "x").unwrap();
    assert!(!timeline.remaining_interval);
    assert_eq!(
        timeline.remaining.probability,
        vec![0.3, (0.3 - 0.1) / (1.0 - 0.1)]
    );
    assert_eq!(timeline.remaining.low, timeline.remaining.probability);
    // Without summary.csv, the deadline is the month after the last.
    assert_eq!(timeline.facts.deadline.as_deref(), Some("2020-03"));
    let new = table(
        "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high,\
         remaining_probability,remaining_ci95_low,remaining_ci95_high\n\
         x,2020-02,0.2,0.3,0.2,0.4,0.22,0.2,0.25\nx,2020-01,0.1,0.1,0.05,0.15,0.3,0.28,0.33\n",
    );
    let timeline = Timeline::from_table(&new, "x").unwrap();
    assert!(timeline.remaining_interval);
    assert_eq!(timeline.remaining.x, vec![0.0, 1.0]);
    assert_eq!(timeline.remaining.probability, vec![0.3, 0.22]);
    assert_eq!(timeline.remaining.high, vec![0.33, 0.25]);
    assert!((timeline.top() - 0.4).abs() < 1e-15);
    let svg = timeline_svg(&timeline).unwrap();
    assert!(svg.contains("95% interval (remaining)"));
    let bad = table(
        "scenario,month,cumulative_probability,ci95_low,ci95_high,remaining_probability,\
         remaining_ci95_low,remaining_ci95_high\nx,2020-01,0.1,0.05,0.15,1e308,0,1\n",
    );
    let message = Timeline::from_table(&bad, "x").unwrap_err().to_string();
    assert!(
        message.contains("line 2, column 'remaining_probability'"),
        "{message}"
    );
}

#[test]
fn facts_name_one_value_or_a_range() {
    let t = table(
        "scenario,trials,seed,estimator,deadline\nx,1000,7,conditional,2021-09\n\
         y,20000,7,conditional,2020-05\n",
    );
    let facts = Facts::from_table(&t);
    assert_eq!(facts.trials.as_deref(), Some("1000–20000"));
    assert_eq!(facts.seed.as_deref(), Some("7"));
    assert_eq!(facts.deadline.as_deref(), Some("2020-05–2021-09"));
    assert_eq!(
        facts.line(),
        "1000–20000 trials · seed 7 · deadline 2020-05–2021-09 · conditional"
    );
    assert_eq!(
        Facts::of_rows(&t, |i| i == 0).line(),
        "1000 trials · seed 7 · deadline 2021-09 · conditional"
    );
    assert_eq!(
        Facts::default().line(),
        "trials not recorded · seed not recorded · deadline not recorded"
    );
    let only_deadline = Facts {
        deadline: Some("2020-01".into()),
        ..Facts::default()
    };
    assert_eq!(Facts::default().or(only_deadline.clone()), only_deadline);
}

#[test]
fn the_summary_is_sorted_by_probability_and_names_each_rows_deadline() {
    let t = table(
        "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high\n\
         a,conditional,1000,1,2020-01,2020-05,0.05,0.001,0.04,0.06\n\
         b,conditional,1000,1,2020-01,2021-05,0.2,0.001,0.19,0.21\n\
         c,conditional,1000,1,2020-01,2020-05,0.05,0.001,0.04,0.06\n",
    );
    let summary = Summary::from_table(&t).unwrap();
    let names: Vec<&str> = summary.rows.iter().map(|r| r.scenario.as_str()).collect();
    assert_eq!(names, ["b", "a", "c"], "most probable first, ties by name");
    let (rows, subtitle) = summary_rows(&summary);
    assert_eq!(rows[0].label, "b · before 2021-05");
    assert!(subtitle.contains("differ"), "{subtitle}");
    let same = table(&t_text_same());
    let (rows, subtitle) = summary_rows(&Summary::from_table(&same).unwrap());
    assert_eq!(rows[0].label, "a · before 2020-05");
    assert_eq!(
        subtitle,
        "every run: 1000 trials · seed 1 · deadline 2020-05 · conditional"
    );
    // Runs of different trials say so on each row.
    let mixed = table(&t_text_same().replace("b,conditional,1000,", "b,conditional,5000,"));
    let (rows, _) = summary_rows(&Summary::from_table(&mixed).unwrap());
    let b = rows.iter().find(|r| r.label.starts_with("b ")).unwrap();
    assert_eq!(
        b.label,
        "b · before 2020-05 · 5000 trials · seed 1 · conditional"
    );
}

fn t_text_same() -> String {
    "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high\n\
     a,conditional,1000,1,2020-01,2020-05,0.3,0.001,0.29,0.31\n\
     b,conditional,1000,1,2020-01,2020-05,0.2,0.001,0.19,0.21\n"
        .to_string()
}

#[test]
fn the_colour_bar_is_a_gradient() {
    let t = table(
        "scenario,a,b,trials,seed,estimator,probability\nx,1,1,9,3,indicator,0.1\n\
         x,2,1,9,3,indicator,0.3\nx,1,2,9,3,indicator,0.5\nx,2,2,9,3,indicator,0.9\n",
    );
    let Sweep::Grid(grid) = Sweep::from_table(&t, "x").unwrap() else {
        panic!("not a grid")
    };
    assert_eq!(grid.facts.trials.as_deref(), Some("9"));
    let svg = heatmap_svg(&grid).unwrap();
    assert_eq!(svg.matches("<linearGradient").count(), 1);
    assert_eq!(svg.matches("<stop ").count(), 17);
    assert_eq!(svg.matches("fill=\"url(#colour-bar)\"").count(), 1);
    assert!(!svg.contains("#010203"), "the placeholder is replaced");
    assert!(svg.contains("9 trials · seed 3 · deadline not recorded · indicator"));
}

#[test]
fn names_are_escaped_and_control_characters_replaced() {
    let t = table(
        "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high\n\
         \"a<b&c\u{1}\",conditional,1000,1,2020-01,2020-05,0.3,0.001,0.29,0.31\n",
    );
    let summary = Summary::from_table(&t).unwrap();
    assert_eq!(summary.rows[0].scenario, "a<b&c\u{FFFD}");
    let svg = summary_svg(&summary).unwrap();
    assert!(svg.contains("a&lt;b&amp;c\u{FFFD}"), "{svg}");
    assert!(!svg.contains('\u{1}'));
}

#[test]
fn a_pool_splits_members_from_pooled_values_and_shows_weights() {
    let t = table(
        "pool,method,member,weight,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n\
         p,member,a,2,100,1,conditional,0.1,0.01,0.08,0.12\n\
         p,member,b,1,100,1,conditional,0.4,0.01,0.38,0.42\n\
         p,member,c,1,100,1,conditional,0.2,0.01,0.18,0.22\n\
         p,linear,,,100,1,conditional,0.2,0.01,0.19,0.21\n\
         p,geometric-odds,,,100,1,conditional,0.18,0.01,0.17,0.19\n",
    );
    let pool = Pool::from_table(&t, "p").unwrap();
    let names = |rows: &[PoolRow]| rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&pool.members), ["a", "b", "c"]);
    assert_eq!(names(&pool.pooled), ["linear", "geometric-odds"]);
    assert_eq!(pool.shares(), Some(vec![0.5, 0.25, 0.25]));
    let svg = pool_svg(&pool).unwrap();
    assert!(svg.contains("a · weight 2 (50%)"));
    assert!(svg.contains("geometric-odds pool"));
    assert_eq!(svg.matches("<circle").count(), 5, "a point per row");
    // Weights whose sum overflows have no shares, and still draw.
    let huge = table(
        "pool,method,member,weight,probability,ci95_low,ci95_high\n\
         p,member,a,1e308,0.1,0,0.2\np,member,b,1.7e308,0.3,0.2,0.4\n",
    );
    let pool = Pool::from_table(&huge, "p").unwrap();
    assert_eq!(pool.shares(), None);
    assert!(pool_svg(&pool).unwrap().contains("weight 1.000e308"));
}

/// A `calibration.csv` of ten bins: the `rows` given (each starting with its bin's edges), the
/// other bins empty.
fn calibration_table(rows: &[&str]) -> Table {
    let mut text = String::from("bin_low,bin_high,runs,mean_forecast,observed_frequency\n");
    for i in 0..10 {
        let edges = format!(
            "{},{},",
            crate::export::float(i as f64 / 10.0),
            crate::export::float((i + 1) as f64 / 10.0)
        );
        let row = rows.iter().find(|r| r.starts_with(&edges));
        text.push_str(&row.map_or_else(|| format!("{edges}0,,"), |r| r.to_string()));
        text.push('\n');
    }
    table(&text)
}

#[test]
fn calibration_keeps_bins_with_runs_and_sizes_points_by_them() {
    let t = calibration_table(&[
        "0,0.1,12,0.05,0.08333333333333333",
        "0.2,0.3,3,0.25,0.3333333333333333",
    ]);
    let calibration = Calibration::from_table(&t).unwrap();
    assert_eq!(calibration.bins.len(), 2);
    assert_eq!(calibration.runs(), 15.0);
    assert!(point_radius(3.0, 12.0) < point_radius(12.0, 12.0));
    assert_eq!(point_radius(12.0, 12.0), 16);
    let svg = calibration_svg(&calibration).unwrap();
    assert!(svg.contains("12 runs") && svg.contains("3 runs"));
    assert_eq!(svg.matches("<circle").count(), 2);
    for (bad, column) in [
        ("0,0.1,-1,0.05,0.1", "runs"),
        ("0,0.1,2.5,0.05,0.1", "runs"),
        ("0,0.1,2,1e308,0.1", "mean_forecast"),
    ] {
        let t = calibration_table(&[bad]);
        let message = Calibration::from_table(&t).unwrap_err().to_string();
        assert!(message.contains(&format!("column '{column}'")), "{message}");
    }
    let huge = calibration_table(&["0,0.1,1e308,0.05,0.5"]);
    calibration_svg(&Calibration::from_table(&huge).unwrap()).expect("drawn");
}

#[test]
fn timelines_share_one_month_axis() {
    let early = table(
        "scenario,month,cumulative_probability,ci95_low,ci95_high\n\
         x,2020-01,0.1,0.05,0.15\nx,2020-02,0.2,0.1,0.3\n",
    );
    let late = table(
        "scenario,month,cumulative_probability,ci95_low,ci95_high\n\
         y,2020-03,0.3,0.2,0.4\n",
    );
    let timelines = Timelines {
        runs: vec![
            Timeline::from_table(&early, "x").unwrap(),
            Timeline::from_table(&late, "y").unwrap(),
        ],
    };
    let curves = timelines.curves();
    assert_eq!(curves[0].x, vec![0.0, 1.0]);
    assert_eq!(curves[1].x, vec![2.0], "y starts two months after x");
    // Their deadlines (the month after each one's last) differ.
    assert!(timelines.facts_differ());
    let svg = timelines_svg(&timelines).unwrap();
    assert!(svg.contains("x (trials not recorded · seed not recorded · deadline 2020-03)"));
}

/// Where `content` is written in `svg`: the `x` and `y` of each `<text>` element holding
/// exactly it.
fn text_positions(svg: &str, content: &str) -> Vec<(f64, f64)> {
    let attribute = |tag: &str, name: &str| -> f64 {
        tag.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (tag, rest) = t.split_once('>')?;
            let text = rest.split("</text>").next()?.trim();
            (text == content).then(|| (attribute(tag, "x"), attribute(tag, "y")))
        })
        .collect()
}

/// The width and height of an SVG document.
fn size(svg: &str) -> (f64, f64) {
    let tag = svg
        .split("<svg")
        .nth(1)
        .and_then(|s| s.split('>').next())
        .unwrap();
    let get = |name: &str| {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap()
    };
    (get("width"), get("height"))
}

/// A timeline of `months` months from 2020-01 for scenario `name`, rising to `top`.
fn timeline_of(name: &str, months: usize, top: f64) -> Timeline {
    let mut text = String::from("scenario,month,cumulative_probability,ci95_low,ci95_high\n");
    let start = Month::parse("2020-01").unwrap();
    for t in 0..months {
        let p = top * (t + 1) as f64 / months as f64;
        text.push_str(&format!(
            "{name},{},{p},{},{}\n",
            start.plus(t),
            0.9 * p,
            (1.1 * p).min(1.0)
        ));
    }
    Timeline::from_table(&table(&text), name).unwrap()
}

/// Issue #18 item 8: the last month's tick of a 16-month window is drawn whole, inside the
/// picture (it was cut in half at the right edge).
#[test]
fn the_last_month_tick_of_a_short_window_fits() {
    let svg = timeline_svg(&timeline_of("short", 16, 0.05)).unwrap();
    let ticks = text_positions(&svg, "2021-04");
    assert_eq!(ticks.len(), 1, "one tick at the last month");
    let (width, _) = size(&svg);
    let half = f64::from(text_width("2021-04".len(), 16.0)) / 2.0;
    assert!(ticks[0].0 + half <= width, "{ticks:?} in {width}");
}

/// Issue #18 item 8: a summary whose rows are named at length (runs that differ in trials)
/// widens the picture rather than cutting the names.
#[test]
fn long_row_names_widen_the_summary_instead_of_being_cut() {
    let mut text = String::from(
        "scenario,estimator,trials,seed,start,deadline,probability,std_error,ci95_low,ci95_high\n",
    );
    for (name, trials) in [
        ("rmaz_experts_with_a_long_name", 1000),
        ("y_referendum", 5000),
    ] {
        text.push_str(&format!(
            "{name},conditional,{trials},1,2020-01,2021-09,0.1,0.01,0.08,0.12\n"
        ));
    }
    let summary = Summary::from_table(&table(&text)).unwrap();
    let (rows, _) = summary_rows(&summary);
    let svg = summary_svg(&summary).unwrap();
    let (width, _) = size(&svg);
    for row in &rows {
        let at = text_positions(&svg, &row.label);
        assert_eq!(at.len(), 1, "{}", row.label);
        // Right-aligned at the axis: its left end, at plotters' estimate, is in the picture.
        let left = at[0].0 - f64::from(text_width(row.label.chars().count(), 16.0));
        assert!(left >= 0.0, "{} starts at {left} in {width}", row.label);
    }
}

/// Issue #18 item 8: more runs than the palette has colours are told apart by the line's
/// pattern; the legend is a grid (entries of a column share their left edge); the title says
/// what is drawn.
#[test]
fn many_timelines_get_patterns_a_grid_legend_and_a_true_title() {
    assert_eq!(Dash::nth(0), (PALETTE[0], Dash::Solid));
    assert_eq!(Dash::nth(10), (PALETTE[0], Dash::Dashed));
    assert_eq!(Dash::nth(21), (PALETTE[1], Dash::Dotted));
    let runs: Vec<Timeline> = (0..12)
        .map(|i| timeline_of(&format!("run_{i:02}"), 12, 0.01 * (i + 1) as f64))
        .collect();
    let svg = timelines_svg(&Timelines { runs }).unwrap();
    assert_eq!(
        text_positions(&svg, "Cumulative probability of a treaty: 12 runs").len(),
        1
    );
    // Run 0's line is one solid polyline through every month; run 10, same colour, is dashed
    // (many short pieces).
    let blue = polylines_of(&svg, "#1F77B4");
    let whole = blue.iter().filter(|line| line.len() == 12).count();
    assert_eq!(whole, 1, "one solid line in the first colour");
    assert!(blue.len() > 12, "the dashed one in pieces: {}", blue.len());
    let xs: Vec<f64> = (0..12)
        .map(|i| text_positions(&svg, &format!("run_{i:02}"))[0].0)
        .collect();
    let mut columns = xs.clone();
    columns.sort_by(f64::total_cmp);
    columns.dedup();
    assert!(
        columns.len() < 12,
        "a grid, not one ragged row per entry: {xs:?}"
    );
    // Entries k and k + columns share a column.
    let per_row = columns.len();
    assert_eq!(xs[0], xs[per_row]);
    let one = timelines_svg(&Timelines {
        runs: vec![timeline_of("only", 3, 0.1)],
    })
    .unwrap();
    assert_eq!(
        text_positions(&one, "Cumulative probability of a treaty: only").len(),
        1
    );
}

/// Issue #18 item 8: calibration points at 0% are drawn whole, above the x axis, and the
/// labels of neighbouring bins are on different lines ("4 runs3 runs" overlapped).
#[test]
fn calibration_points_clear_the_axis_and_labels_do_not_collide() {
    let t = calibration_table(&["0,0.1,4,0.098,0", "0.1,0.2,3,0.102,0"]);
    let svg = calibration_svg(&Calibration::from_table(&t).unwrap()).unwrap();
    let four = text_positions(&svg, "4 runs");
    let three = text_positions(&svg, "3 runs");
    assert_eq!((four.len(), three.len()), (1, 1));
    assert!((four[0].1 - three[0].1).abs() >= 14.0, "{four:?} {three:?}");
    // The x axis' tick labels sit just below the axis: every point ends above them.
    let axis_labels = text_positions(&svg, "0%")
        .into_iter()
        .map(|p| p.1)
        .fold(f64::NEG_INFINITY, f64::max);
    for circle in svg.split("<circle").skip(1) {
        let get = |name: &str| -> f64 {
            circle
                .split(&format!(" {name}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(|v| v.parse().ok())
                .unwrap()
        };
        assert!(get("cy") + get("r") + 10.0 < axis_labels, "{circle}");
    }
}

/// Issue #18 item 8: pool.csv's weights are shares already: the plot says "weight 33.3%", not
/// "weight 0.3333 (33.3%)"; a direct forecast is drawn without whiskers and says so.
#[test]
fn a_pool_shows_shares_once_and_forecasts_without_an_interval() {
    let t = table(
        "pool,method,member,weight,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n\
         p,member,a,0.3333333333333333,100,1,conditional,0.1,0.01,0.08,0.12\n\
         p,member,b,0.3333333333333333,100,1,conditional,0.4,0.01,0.38,0.42\n\
         p,member,smith,0.3333333333333333,,,,0.25,,,\n\
         p,linear,,,100,1,conditional,0.25,0.01,0.24,0.26\n",
    );
    let pool = Pool::from_table(&t, "p").unwrap();
    assert!(!pool.members[2].interval && pool.members[0].interval);
    let svg = pool_svg(&pool).unwrap();
    assert_eq!(text_positions(&svg, "a · weight 33.3%").len(), 1, "{svg}");
    assert!(!svg.contains("0.3333"));
    assert_eq!(
        text_positions(&svg, "25.0% (a forecast: no interval)").len(),
        1
    );
}

/// Issue #18 item 8: the tornado says which end of a bar is the lowest bin and which the
/// highest, for a bar of each direction.
#[test]
fn tornado_bars_say_which_end_is_which_bin() {
    let t = table(
        "scenario,parameter,probability_low,probability_high\n\
         x,up,0.02,0.2\nx,down,0.15,0.03\nx,small,0.05,0.06\n",
    );
    let svg = tornado_svg(&Tornado::from_table(&t, Some(0.06), "x").unwrap()).unwrap();
    for label in [
        "low 2.00%",
        "20.0% high",
        "high 3.00%",
        "15.0% low",
        "5.00%",
        "6.00%",
    ] {
        assert_eq!(text_positions(&svg, label).len(), 1, "{label}");
    }
}

/// A tornado's line at the overall probability: the tallest vertical line in ink.
fn overall_line(svg: &str) -> Vec<(f64, f64)> {
    polylines_of(svg, "#212121")
        .into_iter()
        .filter(|l| l.len() == 2 && l[0].0 == l[1].0)
        .max_by(|a, b| (a[1].1 - a[0].1).abs().total_cmp(&(b[1].1 - b[0].1).abs()))
        .unwrap()
}

/// A narrow bar near the axis has no room for its left label outside (the parameter names)
/// or inside (white text ran out of the bar, unseen, over the next label): both ends are
/// written after the bar, "a–b". A wide bar's inside label keeps clear of the line at the
/// overall probability, and every label stays in the picture.
#[test]
fn narrow_bars_near_the_axis_write_both_ends_after_the_bar() {
    let t = table(
        "scenario,parameter,probability_low,probability_high\n\
         x,wide,0.00001,0.1\nx,narrow,0.004,0.0047\nx,near,0.0115,0.0133\n",
    );
    let svg = tornado_svg(&Tornado::from_table(&t, Some(0.0135), "x").unwrap()).unwrap();
    assert_eq!(text_positions(&svg, "0.400%–0.470%").len(), 1, "{svg}");
    assert!(text_positions(&svg, "0.400%").is_empty());
    let line = overall_line(&svg);
    let texts = written(&svg);
    let wide = texts.iter().find(|t| t.text == "low 0.00100%").unwrap();
    let (left, right) = wide.ends();
    assert!(
        !(left..=right).contains(&line[0].0),
        "{wide:?} crosses the line at {}",
        line[0].0
    );
    let (width, _) = size(&svg);
    for text in &texts {
        assert!(text.ends().1 <= width, "{text:?} runs out of the picture");
    }
}

/// A `<text>` element of an SVG: where it is anchored, its font size in pixels, its anchor
/// (`start`, `middle`, `end`) and its text.
#[derive(Debug)]
struct Written {
    x: f64,
    y: f64,
    size: f64,
    anchor: String,
    text: String,
}

/// Every `<text>` element of `svg`, unescaped.
fn written(svg: &str) -> Vec<Written> {
    let attribute = |tag: &str, name: &str| -> String {
        tag.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_string()
    };
    svg.split("<text")
        .skip(1)
        .map(|t| {
            let (tag, rest) = t.split_once('>').unwrap();
            let number = |name: &str| attribute(tag, name).parse::<f64>().unwrap_or(f64::NAN);
            Written {
                x: number("x"),
                y: number("y"),
                size: number("font-size"),
                anchor: attribute(tag, "text-anchor"),
                text: rest
                    .split("</text>")
                    .next()
                    .unwrap()
                    .trim()
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            }
        })
        .collect()
}

impl Written {
    /// Its left and right ends, at an estimate of viewers' fonts with room: 0.58 of the font's
    /// pixel size per character (DejaVu Sans, rendered by rsvg-convert, averages 0.51 on a
    /// 100-byte name with its facts).
    fn ends(&self) -> (f64, f64) {
        let width = self.text.chars().count() as f64 * 0.58 * self.size;
        match self.anchor.as_str() {
            "middle" => (self.x - width / 2.0, self.x + width / 2.0),
            "end" => (self.x - width, self.x),
            _ => (self.x, self.x + width),
        }
    }

    /// Whether it is drawn whole inside a picture of `width` by `height` pixels.
    fn inside(&self, (width, height): (f64, f64)) -> bool {
        let (left, right) = self.ends();
        left >= 0.0 && right <= width && self.y - self.size >= 0.0 && self.y + self.size <= height
    }
}

/// A name of `bytes` bytes that follows the scenario-name rule, starting with `stem`.
fn long_name(stem: &str, bytes: usize) -> String {
    let mut name = stem.to_string();
    while name.len() < bytes {
        name.push(char::from(b'a' + (name.len() % 26) as u8));
    }
    name
}

/// A title too long for one line at the smallest title size (a 100-byte scenario name and a
/// long key: about 160 characters, which ran off both edges of a 960-pixel sweep plot) wraps
/// onto lines that each fit, none smaller than the one-line minimum, and together say it all.
#[test]
fn a_long_title_wraps_inside_the_picture() {
    let name = long_name("scenario_", 100);
    let key = format!("party.{}.will", long_name("ministry_", 45));
    let mut text =
        format!("scenario,{key},trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n");
    for i in 0..5 {
        text.push_str(&format!(
            "{name},0.{i},100,1,conditional,0.1,0.01,0.08,0.12\n"
        ));
    }
    let Sweep::Line(line) = Sweep::from_table(&table(&text), &name).unwrap() else {
        panic!("not a line")
    };
    let svg = sweep_line_svg(&line).unwrap();
    let title = format!("{name}: P(treaty) as {key} varies");
    let texts = written(&svg);
    let lines: Vec<&Written> = texts
        .iter()
        .filter(|t| t.anchor == "middle" && t.y < 60.0)
        .collect();
    assert!(lines.len() >= 2, "wrapped: {lines:?}");
    let joined: Vec<&str> = lines.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(joined.join(" "), title);
    for line in &lines {
        assert!(line.inside(size(&svg)), "{line:?} outside {:?}", size(&svg));
        // plotters writes a size of 14 as 14 / 1.24 pixels.
        assert!(line.size >= 14.0 / 1.24 - 0.01, "{line:?}");
    }
    // The facts line comes below the title's last line, and the plot below that.
    let facts = texts
        .iter()
        .find(|t| t.text.starts_with("100 trials"))
        .unwrap();
    assert!(facts.y > lines.last().unwrap().y + 12.0, "{facts:?}");
    // A title that fits is one line, as before, at the same place.
    let short = sweep_line_svg(&SweepLine {
        scenario: "x".into(),
        ..line
    })
    .unwrap();
    assert_eq!(
        text_positions(&short, &format!("x: P(treaty) as {key} varies")),
        [(480.0, 26.0)]
    );
    assert_eq!(wrap("ab cd", 2, 4), ["ab", "cd"]);
    assert_eq!(wrap("abcdefg", 3, 2), ["abc", "de…"]);
}

/// `timelines.svg` of 31 runs named at 100 bytes whose facts differ (so each legend entry
/// states them: about 170 characters): every entry is drawn whole inside the picture, on a
/// row of its own (the legend ran off the right edge, and entries past half the picture's
/// height were drawn over one another at its bottom).
#[test]
fn a_legend_of_many_long_names_fits_the_picture() {
    let runs: Vec<Timeline> = (0..31)
        .map(|i| {
            let mut run = timeline_of(&long_name(&format!("run_{i:02}_"), 100), 20, 0.3);
            run.facts.trials = Some((1000 + i).to_string());
            run.facts.seed = Some("1".into());
            run.facts.estimator = Some("conditional".into());
            run
        })
        .collect();
    let svg = timelines_svg(&Timelines { runs: runs.clone() }).unwrap();
    let picture = size(&svg);
    let entries: Vec<Written> = written(&svg)
        .into_iter()
        .filter(|t| t.text.starts_with("run_"))
        .collect();
    assert_eq!(entries.len(), 31, "every run listed");
    for entry in &entries {
        assert!(entry.inside(picture), "{entry:?} outside {picture:?}");
    }
    let mut rows: Vec<f64> = entries.iter().map(|e| e.y).collect();
    rows.sort_by(f64::total_cmp);
    assert!(rows.windows(2).all(|w| w[1] - w[0] >= 20.0), "{rows:?}");
    // Hundreds of runs: the legend keeps what fits (1,500 pixels of it) and says how many it
    // left out, still inside the picture.
    let many: Vec<Timeline> = (0..200).map(|i| runs[i % 31].clone()).collect();
    let svg = timelines_svg(&Timelines { runs: many }).unwrap();
    let picture = size(&svg);
    let texts = written(&svg);
    let note = texts
        .iter()
        .find(|t| t.text.starts_with("… and "))
        .expect("a note");
    let listed = texts.iter().filter(|t| t.text.starts_with("run_")).count();
    assert_eq!(
        note.text,
        format!("… and {} more, not listed", 200 - listed)
    );
    for text in texts
        .iter()
        .filter(|t| t.text.starts_with("run_") || t.text.starts_with('…'))
    {
        assert!(text.inside(picture), "{text:?} outside {picture:?}");
    }
}

/// The `<tag .../>` elements of `svg` drawn in `colour`, with the value of `attribute`
/// parsed from each, as numbers.
fn numbers_of(svg: &str, tag: &str, colour: &str, attributes: &[&str]) -> Vec<Vec<f64>> {
    svg.split(&format!("<{tag} "))
        .skip(1)
        .map(|e| format!(" {}", e.split('>').next().unwrap()))
        .filter(|e| e.contains(colour))
        .map(|e| {
            attributes
                .iter()
                .map(|name| {
                    e.split(&format!(" {name}=\""))
                        .nth(1)
                        .and_then(|r| r.split('"').next())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(f64::NAN)
                })
                .collect()
        })
        .collect()
}

/// The points of each `<polyline>` drawn in `colour`.
fn polylines_of(svg: &str, colour: &str) -> Vec<Vec<(f64, f64)>> {
    svg.split("<polyline ")
        .skip(1)
        .map(|e| e.split('>').next().unwrap())
        .filter(|e| e.contains(&format!("stroke=\"{colour}\"")))
        .map(|e| {
            e.split("points=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

/// A window of one month: its cumulative and remaining probabilities are equal, and were
/// drawn as one point over the other (the cumulative one hidden) with no interval at all (a
/// band of one point has no area). Now the two points stand apart, each with whiskers from
/// its interval's low end to its high end.
#[test]
fn a_one_month_timeline_shows_both_points_and_their_intervals() {
    let t = table(
        "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high,\
         remaining_probability,remaining_ci95_low,remaining_ci95_high\n\
         x,2020-01,0.04,0.04,0.03,0.05,0.04,0.03,0.05\n",
    );
    let svg = timeline_svg(&Timeline::from_table(&t, "x").unwrap()).unwrap();
    let points = |colour: &str| numbers_of(&svg, "circle", colour, &["cx", "cy"]);
    let (blue, orange) = (points("#1F77B4"), points("#E67E22"));
    assert_eq!((blue.len(), orange.len()), (1, 1), "one point each");
    assert!(
        orange[0][0] - blue[0][0] >= 20.0,
        "apart: {blue:?} {orange:?}"
    );
    assert_eq!(blue[0][1], orange[0][1], "at the same height");
    for (colour, point) in [("#1F77B4", &blue[0]), ("#E67E22", &orange[0])] {
        // A vertical line through the point, from about 3% to about 5% (the point at 4% is
        // on the same scale: the line is as far above it as below).
        let whisker = polylines_of(&svg, colour)
            .into_iter()
            .find(|l| l.len() == 2 && l[0].0 == point[0] && l[1].0 == point[0])
            .unwrap_or_else(|| panic!("no whisker in {colour}"));
        let (top, bottom) = (
            whisker[0].1.min(whisker[1].1),
            whisker[0].1.max(whisker[1].1),
        );
        assert!(bottom - top >= 10.0, "{whisker:?}");
        assert!(
            ((point[1] - top) - (bottom - point[1])).abs() <= 1.0,
            "{whisker:?}"
        );
    }
}

/// The label at the end of the cumulative curve sits below a curve that ends at the very top
/// of the plot area (a 600-month window ending at 97.6% of a 100% axis: above it, the label
/// ran up into the header), and above one with room above it (the baseline's, 5.47% on an
/// axis to 6%: below, it ran over the rising curve).
#[test]
fn the_end_label_stays_inside_the_plot_area() {
    for (top, below) in [(0.976, true), (0.4, false), (0.0547, false)] {
        let svg = timeline_svg(&timeline_of("x", 600, top)).unwrap();
        let label = written(&svg)
            .into_iter()
            .find(|t| t.text.ends_with("by 2069-12"))
            .unwrap();
        let end = polylines_of(&svg, "#1F77B4")
            .into_iter()
            .find(|l| l.len() == 600)
            .unwrap()[599];
        // plotters anchors text by its top (VPos::Top) or its baseline region with `dy`; the
        // label's anchor is 10 pixels off the curve's end, on the side wanted.
        assert_eq!(label.y > end.1, below, "{label:?} against the end {end:?}");
        assert!(label.y >= 76.0 + label.size, "{label:?} in the header");
    }
}

/// A member's share is written to three significant digits: with sixteen members weighted
/// 1 to 15 and 0.5, shares rounded to a whole percent read "weight 0%" for the member at
/// 0.415% and "weight 2%" for both 1.66% and 2.49%.
#[test]
fn a_pools_small_shares_are_not_rounded_away() {
    let mut text = String::from(
        "pool,method,member,weight,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n",
    );
    let weights: Vec<f64> = (1..=15).map(f64::from).chain([0.5]).collect();
    let total: f64 = weights.iter().sum();
    for (i, w) in weights.iter().enumerate() {
        text.push_str(&format!(
            "p,member,m{i},{},100,1,conditional,0.3,0.01,0.28,0.32\n",
            w / total
        ));
    }
    let svg = pool_svg(&Pool::from_table(&table(&text), "p").unwrap()).unwrap();
    for label in [
        "m0 · weight 0.83%",
        "m1 · weight 1.66%",
        "m2 · weight 2.49%",
        "m15 · weight 0.415%",
        "m9 · weight 8.3%",
    ] {
        assert_eq!(text_positions(&svg, label).len(), 1, "{label}");
    }
    assert!(!svg.contains("weight 0%") && !svg.contains("weight 2%"));
    assert_eq!(share(0.25), "25%");
    assert_eq!(share(1.0), "100%");
}

/// A sweep of many values is drawn as its line and band, without a point per value: 201
/// points of radius 4 on 800 pixels merged into a thick blue bar over the curve and its band.
/// A sweep of a few values still marks each one.
#[test]
fn a_sweep_of_many_values_is_not_buried_under_its_points() {
    let sweep = |n: usize| {
        let mut text =
            "scenario,k,trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n"
                .to_string();
        for i in 0..n {
            let p = 0.1 + 0.3 * i as f64 / n as f64;
            text.push_str(&format!(
                "x,{i},100,1,conditional,{p},0.01,{},{}\n",
                p - 0.02,
                p + 0.02
            ));
        }
        let Sweep::Line(line) = Sweep::from_table(&table(&text), "x").unwrap() else {
            panic!("not a line")
        };
        sweep_line_svg(&line).unwrap()
    };
    let svg = sweep(201);
    assert_eq!(numbers_of(&svg, "circle", "#1F77B4", &["cx"]).len(), 0);
    assert_eq!(
        polylines_of(&svg, "#1F77B4")
            .iter()
            .filter(|l| l.len() == 201)
            .count(),
        1,
        "the line"
    );
    assert_eq!(
        numbers_of(&sweep(11), "circle", "#1F77B4", &["cx"]).len(),
        11
    );
    assert_eq!(
        numbers_of(&sweep(MARKED_POINTS), "circle", "#1F77B4", &["cx"]).len(),
        MARKED_POINTS
    );
}

/// A heat map of 51 by 51 values (`0:1:0.02`) ticks its axes at round values from the first
/// to the last (0, 0.1, … 1); it ticked every sixth value, 0, 0.12, … 0.96, and never the
/// last. A few values listed by hand are each ticked.
#[test]
fn a_fine_heat_map_has_round_ticks_to_its_ends() {
    let grid = |values: &[f64]| {
        let mut text = "scenario,a,b,trials,seed,estimator,probability\n".to_string();
        for x in values {
            for y in values {
                text.push_str(&format!("x,{x},{y},100,1,conditional,{}\n", (x + y) / 4.0));
            }
        }
        let Sweep::Grid(grid) = Sweep::from_table(&table(&text), "x").unwrap() else {
            panic!("not a grid")
        };
        heatmap_svg(&grid).unwrap()
    };
    let fine: Vec<f64> = (0..=50).map(|i| f64::from(i) * 0.02).collect();
    let svg = grid(&fine);
    for tick in ["0", "0.1", "0.5", "0.9", "1"] {
        assert_eq!(text_positions(&svg, tick).len(), 2, "{tick} on both axes");
    }
    assert!(text_positions(&svg, "0.12").is_empty() && text_positions(&svg, "0.96").is_empty());
    let listed = grid(&[0.1, 0.25, 0.7]);
    for tick in ["0.1", "0.25", "0.7"] {
        assert_eq!(
            text_positions(&listed, tick).len(),
            2,
            "{tick} on both axes"
        );
    }
}

/// A swept event whose name is long (event names have no length limit): its key, as the x
/// axis' description and in the legend's note of the scenario's own value, ran past the
/// picture's edges; both are now drawn smaller, inside it, on a line plot and a heat map.
#[test]
fn a_long_key_is_drawn_inside_the_picture() {
    let key = format!(
        "event.{}.probability",
        "a treaty-blocking constitutional amendment with a very long name".repeat(3)
    );
    let mut line =
        format!("scenario,{key},trials,seed,estimator,probability,std_error,ci95_low,ci95_high\n");
    let mut grid = format!("scenario,{key},{key}.2,trials,seed,estimator,probability\n");
    for i in 0..5 {
        line.push_str(&format!("x,0.{i},100,1,conditional,0.1,0.01,0.08,0.12\n"));
        for j in 0..5 {
            grid.push_str(&format!("x,0.{i},0.{j},100,1,conditional,0.1\n"));
        }
    }
    let Sweep::Line(mut line) = Sweep::from_table(&table(&line), "x").unwrap() else {
        panic!("not a line")
    };
    line.own = Some(Own::Value(0.2));
    let Sweep::Grid(mut grid) = Sweep::from_table(&table(&grid), "x").unwrap() else {
        panic!("not a grid")
    };
    grid.own = [Some(Own::Value(0.2)), None];
    for svg in [sweep_line_svg(&line).unwrap(), heatmap_svg(&grid).unwrap()] {
        let picture = size(&svg);
        let texts = written(&svg);
        // The x axis' description, and on the heat map the legend's note (its y description
        // is drawn rotated: its x and y are not its ends). Too long even at the smallest
        // size, they keep their start and end around a `…`.
        let with_key: Vec<&Written> = texts
            .iter()
            .filter(|t| t.text.starts_with("event.a treaty") && !t.text.ends_with(".2"))
            .collect();
        assert!(!with_key.is_empty(), "{texts:?}");
        for text in with_key {
            assert!(text.inside(picture), "{text:?} outside {picture:?}");
            assert!(
                text.text.ends_with(".probability") || text.text.ends_with("value, 0.2"),
                "{text:?}"
            );
        }
    }
}

/// A bar that ends just short of the line at the overall probability has its label across
/// that line: the line ran through the label's digits ("3.60%" struck through). The label now
/// stands on a white box drawn over the line.
#[test]
fn the_overall_line_does_not_strike_through_a_label() {
    let t = table(
        "scenario,parameter,probability_low,probability_high\n\
         x,wide,0.01,0.12\nx,short,0.028,0.036\n",
    );
    let svg = tornado_svg(&Tornado::from_table(&t, Some(0.0394), "x").unwrap()).unwrap();
    let line = overall_line(&svg);
    let points = format!(
        "points=\"{},{} {},{} \"",
        line[0].0, line[0].1, line[1].0, line[1].1
    );
    let line_at = svg.find(&points).expect("the line");
    let label = written(&svg)
        .into_iter()
        .find(|t| t.text == "3.60%")
        .unwrap();
    let (left, right) = label.ends();
    assert!(
        left < line[0].0 && line[0].0 < right,
        "{label:?} crosses {line:?}"
    );
    let label_at = svg.find(">\n3.60%").or_else(|| svg.find(">3.60%")).unwrap();
    assert!(line_at < label_at, "the line is drawn over the label");
    let boxes: Vec<Vec<f64>> = numbers_of(
        &svg[line_at..label_at],
        "rect",
        "fill=\"#FFFFFF\"",
        &["x", "y", "width", "height"],
    );
    assert!(
        boxes.iter().any(|b| b[0] <= line[0].0
            && line[0].0 <= b[0] + b[2]
            && b[1] <= label.y
            && label.y <= b[1] + b[3]),
        "no white box over the line under the label: {boxes:?}"
    );
}
