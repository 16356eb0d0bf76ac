//! `treatysim show` prints a resolved scenario that loads back to the same scenario.

use crate::common;

use std::path::{Path, PathBuf};
use treatysim::scenario::{Catalog, Override};

fn overrides(args: &[&str]) -> Vec<Override> {
    args.iter().map(|s| s.parse().expect("override")).collect()
}

/// Every scenario in `folder`, as loaded with no override and with `sets`, is printed by
/// `show` and read back to the same scenario.
fn shown_scenarios_load_back(folder: &Path, sets: &[Override]) {
    let catalog = Catalog::new(folder);
    for name in catalog.names().expect("names") {
        for sets in [&[][..], sets] {
            let original = catalog.load(&name, sets).expect("scenario loads");
            let dir = common::workdir(&[("shown.toml", &original.to_toml())]);
            let reloaded = Catalog::new(dir.path().join("scenarios"))
                .load("shown", &[])
                .expect("shown text loads");
            assert_eq!(reloaded.cast, original.cast, "{name}");
            assert_eq!(reloaded.params, original.params, "{name}");
            assert_eq!(reloaded.events, original.events, "{name}");
            assert_eq!(reloaded.simulation, original.simulation, "{name}");
            assert_eq!(reloaded.correlations, original.correlations, "{name}");
            assert_eq!(reloaded.description, original.description, "{name}");
            assert_eq!(reloaded.question, original.question, "{name}");
        }
    }
}

#[test]
fn shown_scenarios_load_back_unchanged() {
    shown_scenarios_load_back(
        &common::shipped_scenarios(),
        &overrides(&[
            "party.japan.will=beta(8,2)",
            "party.russia.will=0.2 to 0.5",
            "simulation.seed=18446744073709551615",
        ]),
    );
}

/// The multilateral examples: several signatories, outside parties and issues.
#[test]
fn shown_example_scenarios_load_back_unchanged() {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
    shown_scenarios_load_back(
        &examples,
        &overrides(&["simulation.seed=18446744073709551615"]),
    );
}

#[test]
fn show_names_the_fitted_distribution_of_an_interval() {
    let dir = common::workdir(&[]);
    let output = common::treatysim(dir.path())
        .args(["show", "baseline", "--scenarios"])
        .arg(common::shipped_scenarios())
        .args(["--set", "party.japan.will=0.2 to 0.5"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let line = text
        .lines()
        .nth(common::line_of(&text, "party.japan.will") - 1)
        .expect("party.japan.will line");
    assert!(line.starts_with("will = \"0.2 to 0.5\""), "{line}");
    assert!(line.contains("# fitted: beta("), "{line}");
}
