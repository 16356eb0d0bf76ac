//! Scenario files: arbitrary text loaded through `Catalog::load` (parse, `extends`, validation),
//! then, when accepted, compiled and simulated for a few trials. Bad input must give an
//! invalid-input error with a message, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;
use treatysim::Error;
use treatysim::engine::Engine;
use treatysim::model::{Estimator, Model};
use treatysim::scenario::{Catalog, Layer};

/// A scenario folder private to this process, holding the shipped baseline (so that
/// `extends = "baseline"` resolves) and the input as `x.toml`.
fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("treatysim-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("fuzz folder");
        std::fs::write(
            dir.join("baseline.toml"),
            include_str!("../../scenarios/baseline.toml"),
        )
        .expect("baseline");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The parser alone, without the file system.
    if let Err(e) = Layer::parse(std::path::Path::new("x.toml"), text) {
        assert!(matches!(e, Error::Invalid(ref m) if !m.is_empty()), "{e:?}");
    }
    let dir = folder();
    std::fs::write(dir.join("x.toml"), text).expect("scenario file");
    match Catalog::new(dir).load("x", &[]) {
        Ok(scenario) => {
            let model = Model::new(&scenario);
            for estimator in [Estimator::Conditional, Estimator::Indicator] {
                let engine = Engine {
                    model: &model,
                    seed: scenario.simulation.seed,
                    estimator,
                };
                engine.for_each_trial(0..2, |_| {});
            }
        }
        Err(Error::Invalid(message)) => assert!(!message.is_empty()),
        Err(other) => panic!("not an invalid-input error: {other:?}"),
    }
});
