//! Shared set-up for integration tests: the binary, a fresh work folder per test, and the
//! tolerance policy of every statistical test.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Tolerance policy: a statistical check passes when the difference is within this many
/// standard errors. 4.5 se has a two-sided false-alarm rate of about 7e-6 per check, and every
/// test uses a fixed seed, so a failure is a real discrepancy, not bad luck.
pub const SE_TOLERANCE: f64 = 4.5;

/// Tolerance for values that are exact up to floating-point rounding.
pub const EXACT: f64 = 1e-12;

/// The shipped scenarios folder.
pub fn shipped_scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// A fresh temporary work folder holding a `scenarios/` folder with the given files.
pub fn workdir(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir(dir.path().join("scenarios")).expect("scenarios folder");
    for (name, text) in files {
        std::fs::write(dir.path().join("scenarios").join(name), text).expect("scenario file");
    }
    dir
}

/// The `treatysim` binary, run in `dir`.
pub fn treatysim(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("treatysim").expect("binary");
    cmd.current_dir(dir);
    cmd
}

/// A complete scenario with constant parameters, for closed-form checks: λ = `summit_rate`,
/// p = 1 / (1 + exp(−(will − threshold − gap)/noise)) with gap = max(0, 0.5 − min(1, 0.3 + 0.2·0.5)) = 0.1.
pub fn constant_scenario(will: f64, summit_rate: f64, months_to_deadline: &str) -> String {
    format!(
        r#"description = "constant parameters"
[simulation]
start = "2020-01"
deadline = "{months_to_deadline}"
trials = 20000
seed = 7
[japan]
will = {will}
security_concession = 0.3
leader_exit_hazard = 0
successor_will = 0.2
[russia]
will = {will}
security_demand = 0.5
[us]
indifference = 0.5
leverage = 0.2
[process]
summit_rate = {summit_rate}
will_volatility = 0
signing_threshold = 0.3
decision_noise = 0.1
"#
    )
}

/// Reads a CSV file into its header and rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The value of `column` in `row` as a number.
pub fn field(header: &[String], row: &[String], column: &str) -> f64 {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    row[i]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?} is not a number", row[i]))
}
