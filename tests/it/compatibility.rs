//! Issue #16 item 4, SPEC §4: a scenario that uses none of model 3's keys gives the same
//! `summary.csv` and `timeline.csv`, byte for byte, as version 0.2.0 (the fixtures of
//! `fixtures/v0.2.0/`, written by 0.2.0 itself).
//!
//! One exception, from issue #19 item 1: a scenario with `[correlations]` draws its correlated
//! betas from a verified table instead of 0.2.0's root search, whose last bits depended on the
//! search's path (docs/internals.md, "Correlated draws"), so its conditional estimates, sums of
//! those draws' smooth functions, may differ in the last digits: they are compared as numbers,
//! to 1e-9 relatively, every other field and every indicator output byte for byte.

use crate::common::treatysim;
use std::path::{Path, PathBuf};

/// Every shipped scenario, the JCPOA example, and the 0.2.0 text of the Israel–Saudi example
/// (the example itself now uses a hazard event), as (name, file).
fn scenarios() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("scenarios"))
        .expect("shipped scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.push(root.join("examples/scenarios/jcpoa_restoration.toml"));
    files.push(root.join("tests/it/fixtures/v0.2.0/scenarios/israel_saudi_normalisation.toml"));
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_stem().expect("stem").to_string_lossy().into_owned();
            (name, p)
        })
        .collect()
}

#[test]
fn scenarios_without_model_3_keys_give_the_bytes_of_0_2_0() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/v0.2.0");
    let scenarios = scenarios();
    assert_eq!(scenarios.len(), 9, "{scenarios:?}");
    let out = tempfile::tempdir().expect("temporary folder");
    for estimator in ["conditional", "indicator"] {
        for (name, file) in &scenarios {
            let expected = fixtures.join(estimator).join(name);
            assert!(expected.is_dir(), "no 0.2.0 outputs for {name}");
            let dir = out.path().join(estimator);
            treatysim(out.path())
                .arg("run")
                .arg(file)
                .args(["--estimator", estimator, "--out"])
                .arg(&dir)
                .assert()
                .success();
            let correlated = std::fs::read_to_string(file)
                .expect("scenario")
                .lines()
                .any(|l| l.trim() == "[correlations]");
            for csv in ["summary.csv", "timeline.csv"] {
                let ours = std::fs::read(dir.join(name).join(csv)).expect("output");
                let theirs = std::fs::read(expected.join(csv)).expect("fixture");
                let same = if correlated && estimator == "conditional" {
                    same_numbers(&ours, &theirs)
                } else {
                    ours == theirs
                };
                assert!(
                    same,
                    "{estimator}/{name}/{csv} differs from 0.2.0's:\n{}\nvs 0.2.0:\n{}",
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs)
                );
            }
        }
    }
}

/// Whether two CSV files have the same fields, numbers equal to 1e-9 relatively and every
/// other field byte for byte.
fn same_numbers(ours: &[u8], theirs: &[u8]) -> bool {
    let (ours, theirs) = (
        String::from_utf8_lossy(ours),
        String::from_utf8_lossy(theirs),
    );
    let (a, b): (Vec<&str>, Vec<&str>) = (ours.lines().collect(), theirs.lines().collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            let (x, y): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
            x.len() == y.len()
                && x.iter().zip(&y).all(|(p, q)| {
                    p == q
                        || matches!((p.parse::<f64>(), q.parse::<f64>()),
                            (Ok(u), Ok(v)) if (u - v).abs() <= 1e-9 * v.abs())
                })
        })
}
