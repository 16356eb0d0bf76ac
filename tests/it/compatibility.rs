//! Issue #16 item 4, SPEC §4: a scenario that uses none of model 3's keys gives the same
//! `summary.csv` and `timeline.csv`, byte for byte, as version 0.2.0 (the fixtures of
//! `fixtures/v0.2.0/`, written by 0.2.0 itself).

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
            for csv in ["summary.csv", "timeline.csv"] {
                let ours = std::fs::read(dir.join(name).join(csv)).expect("output");
                let theirs = std::fs::read(expected.join(csv)).expect("fixture");
                assert!(
                    ours == theirs,
                    "{estimator}/{name}/{csv} differs from 0.2.0's:\n{}\nvs 0.2.0:\n{}",
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs)
                );
            }
        }
    }
}
