//! Throughput of the engine: trials per second for both estimators at 1 and 2 threads, on the
//! shipped baseline and on a multilateral scenario of three signatories, two issues and two
//! outside parties (SPEC §10: at no less than half the baseline's trials per second). Run with
//! `cargo bench -p treatysim-benches`; BENCHMARKS.md records the figures.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use treatysim::engine::Engine;
use treatysim::model::{Estimator, Model};
use treatysim::scenario::{Catalog, Scenario};

const TRIALS: u64 = 1_000_000;

/// The shape of SPEC §10's second figure: signatories a, b and c (c's leader may leave), outside
/// parties o and p, issue x between a and b (leverage from o) and y between c and a (leverage
/// from o and p), one event; every parameter uncertain, as in the baseline.
const MULTILATERAL: &str = r#"
description = "three signatories, two issues, two outside parties"

[simulation]
start = "2020-01"
deadline = "2021-09"
seed = 20200120

[party.a]
will = "beta(6, 3)"

[party.b]
will = "beta(2.5, 6.5)"

[party.c]
will = "beta(4, 4)"
leader_exit_hazard = "triangular(0.002, 0.008, 0.02)"
successor_will = "beta(2, 5)"

[party.o]
role = "outside"
indifference = "uniform(0.2, 0.8)"

[party.p]
role = "outside"
indifference = "beta(2, 2)"

[issue.x]
concedes = "a"
demands = "b"
concession = "0.05 to 0.3"
demand = "pert(0.45, 0.7, 0.95)"
leverage = { o = 0.2 }

[issue.y]
concedes = "c"
demands = "a"
concession = "0.1 to 0.4"
demand = "pert(0.2, 0.4, 0.6)"
leverage = { o = "uniform(0, 0.3)", p = 0.1 }

[process]
summit_rate = "truncnormal(0.3, 0.07, 0.1, 0.5)"
will_volatility = "0.02 to 0.06"
signing_threshold = "0.25 to 0.45"
decision_noise = "lognormal(-2.8, 0.25)"

[[event]]
name = "shock"
month = "2020-04"
probability = 0.3
effects = { "party.b.will" = -0.05, "issue.x.demand" = "uniform(0, 0.05)" }
"#;

/// Trials per second of `scenario` for each estimator at 1 and 2 threads, as group `name`.
fn throughput(c: &mut Criterion, name: &str, scenario: &Scenario) {
    let model = Model::new(scenario);
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(TRIALS));
    group.sample_size(20);
    for estimator in [Estimator::Conditional, Estimator::Indicator] {
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            let engine = Engine {
                model: &model,
                seed: scenario.simulation.seed,
                estimator,
            };
            let id = BenchmarkId::new(estimator.name(), format!("{threads} threads"));
            group.bench_function(id, |b| {
                b.iter(|| {
                    pool.install(|| black_box(engine.run(0..TRIALS, None, &|_| {}).expect("run")))
                })
            });
        }
    }
    group.finish();
}

fn baseline(c: &mut Criterion) {
    let scenarios = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
    let scenario = Catalog::new(scenarios)
        .load("baseline", &[])
        .expect("shipped baseline loads");
    throughput(c, "baseline", &scenario);
}

fn multilateral(c: &mut Criterion) {
    let scenario =
        treatysim::scenario::from_resolved("multilateral", Path::new("multilateral"), MULTILATERAL)
            .expect("the multilateral scenario is valid");
    assert_eq!(scenario.cast.signatories().count(), 3);
    assert_eq!(scenario.cast.outside().count(), 2);
    assert_eq!(scenario.cast.issues.len(), 2);
    throughput(c, "multilateral", &scenario);
}

criterion_group!(benches, baseline, multilateral);
criterion_main!(benches);
