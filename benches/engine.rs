//! Throughput of the engine on the shipped baseline: trials per second for both estimators at
//! 1 and 2 threads. Run with `cargo bench --bench engine`; BENCHMARKS.md records the figures.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use treatysim::engine::Engine;
use treatysim::model::{Estimator, Model};
use treatysim::scenario::Catalog;

const TRIALS: u64 = 1_000_000;

fn baseline(c: &mut Criterion) {
    let scenarios = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let scenario = Catalog::new(scenarios)
        .load("baseline", &[])
        .expect("shipped baseline loads");
    let model = Model::new(&scenario);
    let mut group = c.benchmark_group("baseline");
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

criterion_group!(benches, baseline);
criterion_main!(benches);
