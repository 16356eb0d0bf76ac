//! `--samples-format parquet` (issue #12 item 8): `samples.parquet` holds the columns and values
//! of `samples.csv` from the same run, read back with the `parquet` crate's reader; its bytes
//! do not depend on `--threads`; shards merge into the unsharded file byte for byte; a run
//! folder never holds samples of another run.

use crate::common;

use common::{read_csv, run_ok, shipped_scenarios, treatysim, workdir};
use parquet::basic::{LogicalType, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::path::Path;

const ESTIMATORS: [&str; 2] = ["conditional", "indicator"];

/// More than one row group (65,536 rows), and not a whole number of blocks.
const TRIALS: &str = "70001";

fn reader(path: &Path) -> SerializedFileReader<std::fs::File> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    SerializedFileReader::new(file).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A Parquet cell as the CSV writes it: shortest round-trip floats, empty for null.
fn as_csv(field: &Field) -> String {
    match field {
        Field::Null => String::new(),
        Field::Long(v) => v.to_string(),
        Field::Double(v) => treatysim::export::float(*v),
        Field::Str(s) => s.clone(),
        other => panic!("unexpected cell {other:?}"),
    }
}

/// SPEC §6 columns: names and order as samples.csv, `trial` INT64, draws and
/// `signed_probability` DOUBLE, months nullable UTF-8 `YYYY-MM`; every value equal to the CSV's
/// cell of the same run; as many rows as trials, in more than one row group.
#[test]
fn parquet_holds_the_csv_columns_and_values() {
    let dir = workdir(&[]);
    for estimator in ESTIMATORS {
        let csv_out = format!("{estimator}-csv");
        let parquet_out = format!("{estimator}-parquet");
        let common = ["baseline", "--trials", TRIALS, "--estimator", estimator];
        run_ok(
            dir.path(),
            &[&common[..], &["--samples", "--out", &csv_out]].concat(),
        );
        run_ok(
            dir.path(),
            &[
                &common[..],
                &["--samples-format", "parquet", "--out", &parquet_out],
            ]
            .concat(),
        );
        let folder = dir.path().join(&parquet_out).join("baseline");
        assert!(
            !folder.join("samples.csv").exists(),
            "{estimator}: parquet writes no CSV"
        );
        let (header, rows) = read_csv(&dir.path().join(&csv_out).join("baseline/samples.csv"));
        let file = reader(&folder.join("samples.parquet"));
        let meta = file.metadata();
        assert_eq!(meta.file_metadata().num_rows(), 70_001, "{estimator}");
        assert_eq!(meta.num_row_groups(), 2, "{estimator}: 65,536 rows a group");
        let schema = meta.file_metadata().schema_descr();
        let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
        assert_eq!(names, header, "{estimator}: the CSV's columns");
        assert!(
            header.iter().any(|h| h.ends_with(".leader_exit_month")),
            "{estimator}: the baseline has a leader exit column"
        );
        for column in schema.columns() {
            let name = column.name();
            let month = name.ends_with("_month")
                || (name.starts_with("event.") && name.ends_with(".month"));
            let (physical, optional) = if name == "trial" {
                (Physical::INT64, false)
            } else if month {
                (Physical::BYTE_ARRAY, true)
            } else {
                (Physical::DOUBLE, false)
            };
            assert_eq!(column.physical_type(), physical, "{estimator}: {name}");
            assert_eq!(
                column.self_type().is_optional(),
                optional,
                "{estimator}: {name}"
            );
            if month {
                assert_eq!(
                    column.logical_type_ref(),
                    Some(&LogicalType::String),
                    "{estimator}: {name}"
                );
            }
        }
        let mut count = 0;
        let mut nulls = 0;
        for (i, row) in file.get_row_iter(None).expect("rows").enumerate() {
            let row = row.expect("row");
            let cells: Vec<String> = row.get_column_iter().map(|(_, f)| as_csv(f)).collect();
            nulls += row
                .get_column_iter()
                .filter(|(_, f)| matches!(f, Field::Null))
                .count();
            assert_eq!(cells, rows[i], "{estimator}: row {i}");
            count += 1;
        }
        assert_eq!(count, 70_001, "{estimator}");
        assert!(nulls > 0, "{estimator}: empty months are nulls");
    }
}

/// SPEC §5: `samples.parquet`'s bytes do not depend on `--threads` (1, 2 and 3 threads split
/// the 18 blocks into different waves).
#[test]
fn parquet_bytes_do_not_depend_on_the_thread_count() {
    let dir = workdir(&[]);
    for estimator in ESTIMATORS {
        let mut reference: Option<Vec<u8>> = None;
        for threads in ["1", "2", "3"] {
            let out = format!("{estimator}-{threads}");
            run_ok(
                dir.path(),
                &[
                    "baseline",
                    "--trials",
                    TRIALS,
                    "--samples-format",
                    "parquet",
                    "--estimator",
                    estimator,
                    "--threads",
                    threads,
                    "--out",
                    &out,
                ],
            );
            let bytes = std::fs::read(dir.path().join(&out).join("baseline/samples.parquet"))
                .expect("samples.parquet");
            match &reference {
                None => reference = Some(bytes),
                Some(reference) => assert!(
                    bytes == *reference,
                    "{estimator}: samples.parquet differs between --threads 1 and {threads}"
                ),
            }
        }
    }
}

/// SPEC §9: three shards' Parquet parts merge into the unsharded run's `samples.parquet`, byte
/// for byte (the parts are read back and regrouped from the first row).
#[test]
fn parquet_shards_merge_into_the_unsharded_bytes() {
    let dir = workdir(&[]);
    let run = |extra: &[&str]| {
        run_ok(
            dir.path(),
            &[
                &[
                    "baseline",
                    "--trials",
                    "150001",
                    "--samples-format",
                    "parquet",
                ][..],
                extra,
            ]
            .concat(),
        );
    };
    run(&["--out", "whole"]);
    for k in ["1/3", "2/3", "3/3"] {
        run(&["--out", "sharded", "--shard", k]);
    }
    let shards = dir.path().join("sharded/baseline/shards");
    assert!(shards.join("samples-2-of-3.parquet").is_file());
    let shard_file = std::fs::read_to_string(shards.join("run-2-of-3.toml")).expect("shard");
    assert!(
        shard_file.contains("samples_format = \"parquet\""),
        "{shard_file}"
    );
    treatysim(dir.path())
        .args(["merge", "baseline", "--out", "sharded"])
        .assert()
        .success();
    for file in ["samples.parquet", "summary.csv", "timeline.csv"] {
        let whole = std::fs::read(dir.path().join("whole/baseline").join(file)).expect("whole");
        let merged = std::fs::read(dir.path().join("sharded/baseline").join(file)).expect("merged");
        assert!(
            whole == merged,
            "{file}: merged shards differ from the unsharded run"
        );
    }
}

/// Shards of one run that wrote their samples in different formats are refused, naming the
/// option.
#[test]
fn shards_of_two_samples_formats_do_not_merge() {
    let dir = workdir(&[]);
    for (k, format) in [("1/2", "csv"), ("2/2", "parquet")] {
        run_ok(
            dir.path(),
            &[
                "baseline",
                "--trials",
                "1000",
                "--samples-format",
                format,
                "--shard",
                k,
                "--out",
                "out",
            ],
        );
    }
    let output = treatysim(dir.path())
        .args(["merge", "baseline", "--out", "out"])
        .output()
        .expect("merge");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("shards disagree on --samples-format"),
        "{stderr}"
    );
    assert!(!dir.path().join("out/baseline/summary.csv").exists());
}

/// A run folder never holds samples from another run: parquet removes the run before's
/// `samples.csv`, CSV its `samples.parquet`, and a run without `--samples` either.
#[test]
fn a_run_removes_the_other_formats_samples() {
    let dir = workdir(&[]);
    let folder = dir.path().join("out/baseline");
    let samples = |args: &[&str]| {
        run_ok(
            dir.path(),
            &[&["baseline", "--trials", "1000", "--out", "out"][..], args].concat(),
        );
        ["samples.csv", "samples.parquet"]
            .into_iter()
            .filter(|f| folder.join(f).exists())
            .collect::<Vec<_>>()
    };
    assert_eq!(samples(&["--samples"]), ["samples.csv"]);
    assert_eq!(
        samples(&["--samples-format", "parquet"]),
        ["samples.parquet"]
    );
    assert_eq!(
        samples(&["--samples", "--samples-format", "csv"]),
        ["samples.csv"]
    );
    assert_eq!(
        samples(&["--samples", "--samples-format", "parquet"]),
        ["samples.parquet"]
    );
    assert!(samples(&[]).is_empty());
}

/// An unknown format is refused by the argument parser with exit 2, naming what is accepted.
#[test]
fn an_unknown_samples_format_is_refused() {
    let dir = workdir(&[]);
    let output = treatysim(dir.path())
        .args(["run", "baseline", "--samples-format", "xlsx", "--scenarios"])
        .arg(shipped_scenarios())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--samples-format") && stderr.contains("csv") && stderr.contains("parquet"),
        "{stderr}"
    );
    assert!(!dir.path().join("results").exists());
}
