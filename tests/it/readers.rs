//! Property tests of the readers of treatysim's own outputs and shard files (SPEC §7: bad input
//! never panics, "including outputs and shard files edited by hand"; issue #9, item 4).
//!
//! - Shard files: the shards of a real `run --samples`, `sweep` and `sensitivity`, one file
//!   mutated (bytes cut, inserted or changed; numbers replaced by extreme ones; lines dropped
//!   or repeated) and, half the time, resealed with a recomputed checksum as a forger would,
//!   then merged in-process. The merge must refuse with invalid input, or accept and write
//!   estimates that are probabilities.
//! - The CSV files `plot` reads: a timeline, a sweep of one or two parameters, a tornado and a
//!   summary, with fields drawn from ordinary, extreme (near ±1e308, subnormal), malformed and
//!   empty values, read and drawn. A file is either refused with invalid input or drawn.
//!
//! The case counts keep the file to a few seconds in release; `PROPTEST_CASES=10000` searches
//! longer. The fuzz targets `shard` and `plot_csv` (fuzz/) run the same readers on arbitrary
//! bytes.

use crate::common;

use clap::Parser;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use std::path::{Path, PathBuf};
use treatysim::Error;
use treatysim::cli::Cli;
use treatysim::plot::{
    self, Calibration, Pool, Summary, Sweep, Table, Timeline, Timelines, Tornado,
};

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Shard files
// ---------------------------------------------------------------------------------------------

/// A folder holding `<out>/baseline/shards/` with the shards of `run --samples` (N = 2),
/// a two-parameter sweep (N = 2) and sensitivity (N = 2), made by the binary; removed when
/// dropped (a `static` would never be, and would leave it in the temporary folder).
fn shards() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("out");
    let out = out.to_str().expect("UTF-8 path");
    let scenarios = common::shipped_scenarios();
    let scenarios = scenarios.to_str().expect("UTF-8 path");
    for k in 1..=2 {
        let shard = format!("{k}/2");
        for args in [
            vec!["run", "baseline", "--samples"],
            vec![
                "sweep",
                "baseline",
                "--param",
                "party.japan.will=0.2,0.6",
                "--param",
                "party.russia.will=0.3,0.5",
            ],
            vec!["sensitivity", "baseline", "--bins", "3"],
        ] {
            common::treatysim(dir.path())
                .args(args)
                .args(["--trials", "700", "--out", out, "--scenarios", scenarios])
                .args(["--shard", &shard])
                .assert()
                .success();
        }
    }
    dir
}

/// The shard files of [`shards`]' folder `dir`, sorted.
fn shard_files(dir: &Path) -> Vec<PathBuf> {
    let folder = dir.join("out/baseline/shards");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("shards folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// One change to a file's text.
#[derive(Clone, Debug)]
enum Edit {
    /// Remove the bytes from `at` (a fraction of the length) for `len` bytes.
    Cut { at: f64, len: usize },
    /// Insert `text` at `at`.
    Insert { at: f64, text: String },
    /// Replace the `index`-th run of digits by `number`.
    Number { index: usize, number: String },
    /// Drop the `index`-th line.
    DropLine { index: usize },
    /// Repeat the `index`-th line.
    RepeatLine { index: usize },
}

/// Numbers as an editor might leave them: ordinary, zero, huge, negative, malformed.
fn edited_number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_string()),
        Just("1".to_string()),
        Just("-1".to_string()),
        Just("18446744073709551615".to_string()),
        Just("340282366920938463463374607431768211455".to_string()),
        Just("340282366920938463463374607431768211456".to_string()),
        Just("1e308".to_string()),
        Just("nan".to_string()),
        Just(String::new()),
        any::<u64>().prop_map(|x| x.to_string()),
        any::<u128>().prop_map(|x| x.to_string()),
        (0u32..100).prop_map(|x| x.to_string()),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0f64..1.0, 1usize..200).prop_map(|(at, len)| Edit::Cut { at, len }),
        (0.0f64..1.0, "[\\[\\]\"=,\n a-z0-9.#-]{1,12}")
            .prop_map(|(at, text)| Edit::Insert { at, text }),
        (0usize..400, edited_number()).prop_map(|(index, number)| Edit::Number { index, number }),
        (0usize..120).prop_map(|index| Edit::DropLine { index }),
        (0usize..120).prop_map(|index| Edit::RepeatLine { index }),
    ]
}

/// The nearest char boundary at or below `at` (a fraction of the length).
fn boundary(text: &str, at: f64) -> usize {
    let mut i = ((text.len() as f64) * at) as usize;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, edit: &Edit) -> String {
    match edit {
        Edit::Cut { at, len } => {
            let start = boundary(text, *at);
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            format!("{}{}", &text[..start], &text[end..])
        }
        Edit::Insert { at, text: inserted } => {
            let at = boundary(text, *at);
            format!("{}{inserted}{}", &text[..at], &text[at..])
        }
        Edit::Number { index, number } => {
            let runs: Vec<(usize, usize)> = {
                let mut runs = Vec::new();
                let bytes = text.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i].is_ascii_digit() {
                        let start = i;
                        while i < bytes.len() && bytes[i].is_ascii_digit() {
                            i += 1;
                        }
                        runs.push((start, i));
                    } else {
                        i += 1;
                    }
                }
                runs
            };
            match runs.get(index % runs.len().max(1)) {
                Some(&(start, end)) => format!("{}{number}{}", &text[..start], &text[end..]),
                None => text.to_string(),
            }
        }
        Edit::DropLine { index } | Edit::RepeatLine { index } => {
            let mut lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                return text.to_string();
            }
            let i = index % lines.len();
            if matches!(edit, Edit::DropLine { .. }) {
                lines.remove(i);
            } else {
                lines.insert(i, lines[i]);
            }
            lines.join("\n") + "\n"
        }
    }
}

/// `text` with its checksum line recomputed for the rest (a forger's reseal).
fn reseal(text: &str) -> String {
    let body = text.split_once('\n').map_or("", |(_, body)| body);
    format!(
        "sha256 = \"{}\"\n{body}",
        treatysim::shard::sha256_hex(body.as_bytes())
    )
}

/// Copies the shards of [`shards`]' folder `shards` into a fresh output folder, replaces
/// `file`'s text with `text`, merges in-process, and checks the outcome.
fn check_merge(shards: &Path, file: usize, text: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("out");
    let folder = out.join("baseline/shards");
    std::fs::create_dir_all(&folder).expect("shards folder");
    let source = shards.join("out/baseline/shards");
    for entry in std::fs::read_dir(&source).expect("shards") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, folder.join(path.file_name().expect("name"))).expect("copy");
    }
    let files = shard_files(shards);
    let name = files[file % files.len()].file_name().expect("name");
    std::fs::write(folder.join(name), text).expect("write");
    let cli = Cli::try_parse_from([
        "treatysim",
        "merge",
        "baseline",
        "--out",
        out.to_str().expect("UTF-8 path"),
    ])
    .expect("arguments");
    // What the merge reports is not for `cargo test`'s console.
    treatysim::cmd::QUIET.store(true, std::sync::atomic::Ordering::Relaxed);
    match treatysim::dispatch(cli) {
        Err(Error::Invalid(message)) => {
            prop_assert!(!message.is_empty());
            // A refused merge writes nothing.
            let written: Vec<_> = common::files_under(&out)
                .into_iter()
                .filter(|p| !p.starts_with(&folder))
                .collect();
            prop_assert!(written.is_empty(), "a refused merge wrote {written:?}");
        }
        Err(other) => prop_assert!(false, "not an invalid-input error: {other:?}"),
        Ok(()) => {
            // Accepted: every estimate written is a probability.
            let (header, rows) = common::read_csv(&out.join("baseline/summary.csv"));
            for column in ["probability", "ci95_low", "ci95_high"] {
                let p = common::field(&header, &rows[0], column);
                prop_assert!((0.0..=1.0).contains(&p), "{column} = {p}");
            }
        }
    }
    Ok(())
}

/// Edited shard files, resealed or not, never make merge panic or write from a refusal. (A
/// runner rather than `proptest!`, so that its cases share one set of shards, made here and
/// removed at the end.)
#[test]
fn edited_shard_files_never_panic() {
    let dir = shards();
    let files = shard_files(dir.path());
    let cases = (
        0usize..6,
        prop::collection::vec(edit(), 1..4),
        any::<bool>(),
    );
    let mut runner = proptest::test_runner::TestRunner::new(config(48));
    let outcome = runner.run(&cases, |(file, edits, resealed)| {
        let original = std::fs::read_to_string(&files[file % files.len()]).expect("read");
        let mut text = edits.iter().fold(original, |text, e| apply(&text, e));
        if resealed {
            text = reseal(&text);
        }
        check_merge(dir.path(), file, &text)
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// Arbitrary text, sealed with a valid checksum, is refused without a panic.
    #[test]
    fn arbitrary_sealed_text_is_refused(body in any::<String>()) {
        let text = reseal(&format!("\n{body}"));
        let parsed = treatysim::shard::ShardFile::parse(Path::new("x.toml"), &text);
        prop_assert!(matches!(parsed, Err(Error::Invalid(_))), "{parsed:?}");
    }
}

/// The unedited shards merge: the positive control that makes the refusals meaningful.
#[test]
fn the_unedited_shards_merge() {
    let dir = shards();
    let files = shard_files(dir.path());
    assert_eq!(files.len(), 6, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).expect("read");
    check_merge(dir.path(), 0, &text).expect("merged");
}

// ---------------------------------------------------------------------------------------------
// The CSV files `plot` reads
// ---------------------------------------------------------------------------------------------

/// A CSV field: a probability, an extreme or special number, a month, text, or nothing.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0.0f64..=1.0).prop_map(|x| x.to_string()),
        2 => prop::sample::select(vec![
            "0", "1", "-0", "1e308", "-1e308", "1.7976931348623157e308", "-1.7976931348623157e308",
            "5e-324", "1e-320", "inf", "-inf", "NaN", "1e999", "", " ", "0.5 ", "2020-01",
            "9999-12", "0000-01", "2020-13", "x", "\"a,b\"", "1,5",
        ])
        .prop_map(str::to_string),
        2 => any::<f64>().prop_map(|x| format!("{x:e}")),
        1 => (1000i32..=9999, 1u32..=12).prop_map(|(y, m)| format!("{y:04}-{m:02}")),
        1 => "[a-z._-]{0,12}",
    ]
}

/// A header: the columns of one of the files `plot` reads, sometimes shuffled or cut.
fn header() -> impl Strategy<Value = Vec<String>> {
    let kinds: Vec<Vec<&'static str>> = vec![
        vec![
            "scenario",
            "month",
            "probability_in_month",
            "cumulative_probability",
            "ci95_low",
            "ci95_high",
        ],
        vec![
            "scenario",
            "party.japan.will",
            "probability",
            "std_error",
            "ci95_low",
            "ci95_high",
        ],
        vec![
            "scenario",
            "a",
            "b",
            "probability",
            "std_error",
            "ci95_low",
            "ci95_high",
        ],
        vec![
            "scenario",
            "parameter",
            "correlation",
            "first_order_index",
            "probability_low",
            "probability_high",
            "swing",
        ],
        vec![
            "scenario",
            "estimator",
            "trials",
            "seed",
            "start",
            "deadline",
            "probability",
            "std_error",
            "ci95_low",
            "ci95_high",
        ],
        vec![
            "pool",
            "method",
            "member",
            "weight",
            "probability",
            "ci95_low",
            "ci95_high",
        ],
        vec![
            "bin_low",
            "bin_high",
            "runs",
            "mean_forecast",
            "observed_frequency",
        ],
        vec![
            "scenario",
            "month",
            "cumulative_probability",
            "ci95_low",
            "ci95_high",
            "remaining_probability",
            "remaining_ci95_low",
            "remaining_ci95_high",
        ],
    ];
    (prop::sample::select(kinds), any::<bool>(), 0usize..3).prop_map(|(kind, swap, cut)| {
        let mut columns: Vec<String> = kind.iter().map(|c| c.to_string()).collect();
        if swap {
            columns.swap(1, 2);
        }
        columns.truncate(columns.len() - cut.min(1));
        columns
    })
}

/// A CSV text: a header and rows of fields (ragged rows sometimes).
fn csv_text() -> impl Strategy<Value = String> {
    (
        header(),
        prop::collection::vec(prop::collection::vec(field(), 0..12), 0..24),
    )
        .prop_map(|(header, rows)| {
            let width = header.len();
            let mut text = header.join(",") + "\n";
            for row in rows {
                let mut row = row;
                if row.len() > 2 {
                    row.resize(width, "0.5".into());
                }
                text.push_str(&row.join(","));
                text.push('\n');
            }
            text
        })
}

/// Reads `text` as every kind of file `plot` reads and draws whatever reads.
fn check_plot(text: &str) -> Result<(), TestCaseError> {
    let ok_or_invalid = |result: Result<String, Error>| match result {
        Ok(svg) => {
            prop_assert!(svg.trim_end().ends_with("</svg>"));
            Ok(())
        }
        Err(Error::Invalid(message)) => {
            prop_assert!(!message.is_empty());
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!("{other:?}"))),
    };
    let table = match Table::parse(Path::new("x.csv"), text.as_bytes()) {
        Ok(table) => table,
        Err(Error::Invalid(_)) => return Ok(()),
        Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
    };
    ok_or_invalid(Timeline::from_table(&table, "x").and_then(|t| plot::timeline_svg(&t)))?;
    ok_or_invalid(Sweep::from_table(&table, "x").and_then(|s| match s {
        Sweep::Line(line) => plot::sweep_line_svg(&line),
        Sweep::Grid(grid) => plot::heatmap_svg(&grid),
    }))?;
    ok_or_invalid(Tornado::from_table(&table, None, "x").and_then(|t| plot::tornado_svg(&t)))?;
    ok_or_invalid(Tornado::from_table(&table, Some(0.3), "x").and_then(|t| plot::tornado_svg(&t)))?;
    ok_or_invalid(Summary::from_table(&table).and_then(|s| plot::summary_svg(&s)))?;
    ok_or_invalid(Pool::from_table(&table, "x").and_then(|p| plot::pool_svg(&p)))?;
    ok_or_invalid(Calibration::from_table(&table).and_then(|c| plot::calibration_svg(&c)))?;
    ok_or_invalid(Timeline::from_table(&table, "x").and_then(|t| {
        plot::timelines_svg(&Timelines {
            runs: vec![t.clone(), t],
        })
    }))?;
    Ok(())
}

proptest! {
    #![proptest_config(config(300))]

    /// Generated CSV files of every kind `plot` reads are refused or drawn, never a panic.
    #[test]
    fn plot_csv_files_never_panic(text in csv_text()) {
        check_plot(&text)?;
    }

    /// Arbitrary bytes as a CSV file.
    #[test]
    fn arbitrary_plot_csv_text_never_panics(text in any::<String>()) {
        check_plot(&text)?;
    }
}

/// The cases that once aborted: values near 1e308 in every numeric column.
#[test]
fn known_extreme_csv_files() {
    for text in [
        "scenario,party.japan.will,probability,std_error,ci95_low,ci95_high\n\
         x,-1.7976931348623157e308,0.1,0,0,0.2\nx,1.7976931348623157e308,0.2,0,0.1,0.3\n",
        "scenario,a,b,probability\nx,1e308,-1e308,0.5\nx,-1e308,1e308,0.5\n",
        "scenario,month,probability_in_month,cumulative_probability,ci95_low,ci95_high\n\
         x,0000-01,0,0,0,0\nx,9999-12,0,1,1,1\n",
        "scenario,parameter,probability_low,probability_high\nx,p,0,1\n",
    ] {
        check_plot(text).expect("no panic");
    }
}
