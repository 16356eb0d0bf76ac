//! `treatysim show` prints a resolved scenario that loads back to the same scenario.

mod common;

use treatysim::scenario::{Catalog, Override};

#[test]
fn shown_scenarios_load_back_unchanged() {
    let catalog = Catalog::new(common::shipped_scenarios());
    let overrides: Vec<Override> = [
        "japan.will=beta(8,2)",
        "russia.will=0.2 to 0.5",
        "simulation.seed=18446744073709551615",
    ]
    .iter()
    .map(|s| s.parse().expect("override"))
    .collect();
    for name in catalog.names().expect("names") {
        for sets in [&[][..], &overrides[..]] {
            let original = catalog.load(&name, sets).expect("shipped scenario loads");
            let dir = common::workdir(&[("shown.toml", &original.to_toml())]);
            let reloaded = Catalog::new(dir.path().join("scenarios"))
                .load("shown", &[])
                .expect("shown text loads");
            assert_eq!(reloaded.params, original.params, "{name}");
            assert_eq!(reloaded.events, original.events, "{name}");
            assert_eq!(reloaded.simulation, original.simulation, "{name}");
            assert_eq!(reloaded.correlations, original.correlations, "{name}");
            assert_eq!(reloaded.description, original.description, "{name}");
        }
    }
}

#[test]
fn show_names_the_fitted_distribution_of_an_interval() {
    let dir = common::workdir(&[]);
    let output = common::treatysim(dir.path())
        .args(["show", "baseline", "--scenarios"])
        .arg(common::shipped_scenarios())
        .args(["--set", "japan.will=0.2 to 0.5"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let line = text
        .lines()
        .find(|l| l.starts_with("will = \"0.2 to 0.5\""))
        .expect("japan.will line");
    assert!(line.contains("# fitted: beta("), "{line}");
}
