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

/// Critical value of √n·D for a one-sample Kolmogorov–Smirnov test at significance 0.001:
/// the asymptotic Kolmogorov distribution has P(√n·D > 1.9495) = 0.001, accurate from n = 10⁵.
pub const KS_CRITICAL: f64 = 1.95;

/// Critical value of the Anderson–Darling A² for a fully specified distribution at
/// significance 0.001: the asymptotic distribution has P(A² > 5.9694) = 0.001 (Marsaglia &
/// Marsaglia, "Evaluating the Anderson-Darling distribution", J. Stat. Softw. 2004), and is
/// accurate for n above a few hundred.
pub const AD_CRITICAL: f64 = 5.97;

/// Kolmogorov–Smirnov statistic D = sup |F_n − F| of `sample` against the continuous `cdf`.
pub fn ks(sample: &[f64], cdf: &dyn Fn(f64) -> f64) -> f64 {
    ks_transformed(sample.iter().map(|&x| cdf(x)).collect())
}

/// Anderson–Darling statistic A² of `sample` against the continuous `cdf`.
pub fn anderson_darling(sample: &[f64], cdf: &dyn Fn(f64) -> f64) -> f64 {
    anderson_darling_transformed(sample.iter().map(|&x| cdf(x)).collect())
}

/// Kolmogorov–Smirnov statistic of probability-integral transforms `u` against U(0, 1).
pub fn ks_transformed(mut u: Vec<f64>) -> f64 {
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    u.iter()
        .enumerate()
        .map(|(i, &f)| (f - i as f64 / n).max((i + 1) as f64 / n - f))
        .fold(0.0, f64::max)
}

/// Anderson–Darling statistic A² = −n − Σᵢ (2i − 1)/n · [ln uᵢ + ln(1 − u₍ₙ₊₁₋ᵢ₎)] of
/// probability-integral transforms `u` against U(0, 1). Transforms that rounded to 0 or 1 are
/// taken as 2⁻⁵³ from the end (a term then weighs at most 37·(2n − 1)/n², not infinity).
pub fn anderson_darling_transformed(mut u: Vec<f64>) -> f64 {
    u.sort_by(f64::total_cmp);
    let n = u.len();
    let edge = f64::EPSILON / 2.0;
    let u: Vec<f64> = u.into_iter().map(|f| f.clamp(edge, 1.0 - edge)).collect();
    let sum: f64 = (0..n)
        .map(|i| (2 * i + 1) as f64 * (u[i].ln() + (-u[n - 1 - i]).ln_1p()))
        .sum();
    -(n as f64) - sum / n as f64
}
