//! Coverage of the 95% intervals and the bias of `--precision` (SPEC §11), measured over many
//! seeds on scenarios whose true probability is known.
//!
//! The quick tests take the hardest cases — rare events carried by a few trials, nP near 1 —
//! at 1,000 seeds. The full grid is the ignored test [`grid`], which `bench/coverage.sh` runs
//! and whose tables docs/statistics.md and BENCHMARKS.md quote.
//!
//! Coverage is checked against SPEC §11's band, 94% to 98.5%, widened by `SE_TOLERANCE`
//! binomial standard errors of a coverage measured over that many seeds.

use crate::common;

use common::{SE_TOLERANCE, ScenarioText, shipped_scenarios};
use rayon::prelude::*;
use statrs::distribution::{Binomial, DiscreteCDF};
use std::ops::Range;
use treatysim::analysis::compare::{PairedTally, paired};
use treatysim::engine::{Accumulator, BLOCK, Engine, Tally};
use treatysim::model::{Estimator, Model};
use treatysim::pool::{Method, PoolBlock, PoolTally, pool_odds};
use treatysim::scenario::{Catalog, Override, Scenario};
use treatysim::stats;

/// SPEC §11: the 95% intervals cover at least this often…
const LOW: f64 = 0.94;
/// …and at most this often.
const HIGH: f64 = 0.985;

/// The rare scenario of the issue: the shipped baseline with
/// `process.signing_threshold = "0.65 to 0.85"`.
const RARE: &str = "process.signing_threshold=0.65 to 0.85";

/// Its true probability by the deadline: the mean of 2·10⁸ conditional trials (200 seeds from
/// 10⁶, 10⁶ trials each: 0.0011586, standard error 9.8·10⁻⁷, 0.2% of the standard error of
/// 1,000 trials), as `bench/coverage.sh` measures it.
const RARE_TRUTH: f64 = 0.001_158_57;

/// Both estimators.
const ESTIMATORS: [Estimator; 2] = [Estimator::Conditional, Estimator::Indicator];

/// A scenario with its true cumulative probability by month.
struct Case {
    label: String,
    scenario: Scenario,
    truth: Vec<f64>,
}

impl Case {
    fn model(&self) -> Model {
        Model::new(&self.scenario)
    }

    fn last(&self) -> usize {
        self.truth.len() - 1
    }
}

/// Loads a scenario text under `name`.
fn load_text(name: &str, text: &str) -> Scenario {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join(format!("{name}.toml")), text).expect("scenario file");
    Catalog::new(dir.path())
        .load(name, &[])
        .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"))
}

/// A shipped scenario with `--set` overrides.
fn load_shipped(name: &str, sets: &[&str]) -> Scenario {
    let overrides: Vec<Override> = sets.iter().map(|s| s.parse().expect("override")).collect();
    Catalog::new(shipped_scenarios())
        .load(name, &overrides)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Months of the closed-form scenarios (2020-01 to 2021-09).
const MONTHS: usize = 20;

/// The signing chance at a summit of the closed-form scenarios: will 0.6, gap 0.1, noise s.
fn signing(theta: f64, noise: f64) -> f64 {
    1.0 / (1.0 + (-(0.6 - theta - 0.1) / noise).exp())
}

/// The closed-form family: the constant bilateral scenario (will 0.6, gap 0.1, λ = 0.3, no
/// walk, no event) with decision noise 0.03 and one uncertain parameter, the threshold
/// θ ~ normal(`mean`, 0.06). A trial's cumulative probability by month t is
/// 1 − (1 − 0.3·p(θ))^(t+1), and the truth its integral over θ. The smaller P, the more a few
/// trials with low θ carry it: skewness 37 at P = 0.001, −81 at P = 0.999.
fn closed_form(mean: f64) -> Case {
    const SD: f64 = 0.06;
    const NOISE: f64 = 0.03;
    let text = ScenarioText::bilateral()
        .set("process.decision_noise", &format!("{NOISE:?}"))
        .dist(
            "process.signing_threshold",
            &format!("normal({mean:?}, {SD:?})"),
        )
        .text();
    let scenario = load_text("closed", &text);
    // Simpson's rule over ±12 sd.
    let steps = 24_000;
    let (a, b) = (mean - 12.0 * SD, mean + 12.0 * SD);
    let h = (b - a) / steps as f64;
    let mut truth = vec![0.0; MONTHS];
    for i in 0..=steps {
        let theta = a + h * i as f64;
        let weight = if i == 0 || i == steps {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let density = (-0.5 * ((theta - mean) / SD).powi(2)).exp()
            / (SD * (2.0 * std::f64::consts::PI).sqrt());
        let q = 0.3 * signing(theta, NOISE);
        for (t, value) in truth.iter_mut().enumerate() {
            *value += weight * density * (1.0 - (1.0 - q).powi(t as i32 + 1));
        }
    }
    for value in &mut truth {
        *value *= h / 3.0;
    }
    Case {
        label: format!("closed form, θ ~ normal({mean}, 0.06)"),
        scenario,
        truth,
    }
}

/// The means of the closed-form family's threshold for P ≈ 0.001, 0.01, 0.1, 0.5, 0.9, 0.99
/// and 0.999 by the deadline.
const CLOSED_FORM_MEANS: [f64; 7] = [
    0.820_206, 0.747_210, 0.660_609, 0.564_510, 0.472_755, 0.396_792, 0.308_004,
];

/// A two-point scenario: no summit unless an event in the first month (probability `q`) sets
/// λ to 0.3; threshold `theta`. A trial's probability is 0 or y₁(t), the truth q·y₁(t): the
/// conditional estimator is a scaled indicator here, the discrete worst case for its interval.
fn two_point(q: f64, theta: f64) -> Case {
    let text = ScenarioText::bilateral()
        .set("process.summit_rate", "0")
        .set("process.signing_threshold", &format!("{theta:?}"))
        .event(&format!(
            "name = \"breakthrough\"\nmonth = \"2020-01\"\nprobability = {q:?}\neffects = {{ \"process.summit_rate\" = 0.3 }}"
        ))
        .text();
    let scenario = load_text("two_point", &text);
    let step = 0.3 * signing(theta, 0.1);
    let truth = (0..MONTHS)
        .map(|t| q * (1.0 - (1.0 - step).powi(t as i32 + 1)))
        .collect();
    Case {
        label: format!(
            "two-point, event {q} × y₁ {:.3}",
            1.0 - (1.0 - step).powi(20)
        ),
        scenario,
        truth,
    }
}

/// The rare scenario with its measured truth by the deadline (earlier months unknown: NaN).
fn rare_case() -> Case {
    let scenario = load_shipped("baseline", &[RARE]);
    let mut truth = vec![f64::NAN; scenario.simulation.months()];
    if let Some(last) = truth.last_mut() {
        *last = RARE_TRUTH;
    }
    Case {
        label: "baseline, threshold 0.65 to 0.85".into(),
        scenario,
        truth,
    }
}

/// Tallies of trials 0 … n − 1 for each n of `sizes` (increasing), for each seed: the trials
/// of `run --trials n --seed seed`.
fn tallies(
    model: &Model,
    estimator: Estimator,
    seeds: Range<u64>,
    sizes: &[u64],
) -> Vec<Vec<Tally>> {
    seeds
        .into_par_iter()
        .map(|seed| {
            let engine = Engine {
                model,
                seed,
                estimator,
            };
            let mut tally = Tally::new(model.months());
            sizes
                .iter()
                .map(|&n| {
                    let more = engine
                        .run(tally.trials..n, None, &|_| {})
                        .expect("not interrupted");
                    tally.merge(more);
                    tally.clone()
                })
                .collect()
        })
        .collect()
}

/// How often intervals covered the truth, and on which side they missed.
#[derive(Clone, Copy, Debug, Default)]
struct Coverage {
    covered: usize,
    /// Intervals entirely below the truth.
    below: usize,
    /// Intervals entirely above the truth.
    above: usize,
}

impl Coverage {
    fn add(&mut self, (low, high): (f64, f64), truth: f64) {
        if high < truth {
            self.below += 1;
        } else if low > truth {
            self.above += 1;
        } else {
            self.covered += 1;
        }
    }

    fn seeds(&self) -> usize {
        self.covered + self.below + self.above
    }

    fn rate(&self) -> f64 {
        self.covered as f64 / self.seeds() as f64
    }

    /// SPEC §11's band widened by `SE_TOLERANCE` binomial standard errors at its ends.
    fn band(&self) -> (f64, f64) {
        let s = self.seeds() as f64;
        (
            LOW - SE_TOLERANCE * (LOW * (1.0 - LOW) / s).sqrt(),
            HIGH + SE_TOLERANCE * (HIGH * (1.0 - HIGH) / s).sqrt(),
        )
    }

    fn in_band(&self) -> bool {
        let (low, high) = self.band();
        (low..=high).contains(&self.rate())
    }

    /// `95.9% (3.1/1.0)`: coverage, then the percentages below and above.
    fn show(&self) -> String {
        let s = self.seeds() as f64;
        format!(
            "{:.1}% ({:.1}/{:.1})",
            100.0 * self.rate(),
            100.0 * self.below as f64 / s,
            100.0 * self.above as f64 / s
        )
    }
}

/// The reported interval.
fn reported(tally: &Tally, estimator: Estimator, t: usize) -> (f64, f64) {
    let e = tally.estimate(estimator, t);
    (e.ci95_low, e.ci95_high)
}

/// The plain mean ± 1.96·se, the conditional interval before this study.
fn plain(tally: &Tally, estimator: Estimator, t: usize) -> (f64, f64) {
    let e = tally.estimate(estimator, t);
    (
        e.probability - stats::Z * e.std_error,
        e.probability + stats::Z * e.std_error,
    )
}

type IntervalFn = fn(&Tally, Estimator, usize) -> (f64, f64);

/// Coverage of `interval` at size index `k` and month `t`.
fn coverage(
    tallies: &[Vec<Tally>],
    k: usize,
    estimator: Estimator,
    t: usize,
    truth: f64,
    interval: IntervalFn,
) -> Coverage {
    let mut c = Coverage::default();
    for per_seed in tallies {
        c.add(interval(&per_seed[k], estimator, t), truth);
    }
    c
}

fn assert_in_band(label: &str, c: &Coverage) {
    let (low, high) = c.band();
    assert!(
        c.in_band(),
        "{label}: coverage {} over {} seeds, outside [{low:.4}, {high:.4}]",
        c.show(),
        c.seeds()
    );
}

/// The exact coverage of the indicator's interval over a binomial count: for each P, the
/// binomial probability of the counts whose interval holds P. Returns (min, P at min, max,
/// P at max) over P in [0.001, 0.999]: at every end of an interval (where the coverage
/// jumps), just inside and just outside, and on a fine grid between.
fn exact_indicator_coverage(n: u64, bounds: &dyn Fn(f64, f64) -> (f64, f64)) -> [f64; 4] {
    let nf = n as f64;
    let (lows, highs): (Vec<f64>, Vec<f64>) = (0..=n).map(|k| bounds(k as f64, nf)).unzip();
    assert!(
        lows.windows(2).all(|w| w[0] <= w[1]) && highs.windows(2).all(|w| w[0] <= w[1]),
        "n = {n}: interval ends not monotone in k"
    );
    let mut points: Vec<f64> = (0..=4000)
        .map(|i| {
            let x = i as f64 / 4000.0;
            if x < 0.5 {
                0.001 * (500.0f64).powf(2.0 * x)
            } else {
                1.0 - 0.001 * (500.0f64).powf(2.0 * (1.0 - x))
            }
        })
        .collect();
    for &e in lows.iter().chain(&highs) {
        points.extend([e, e * (1.0 - 1e-10), e * (1.0 + 1e-10)]);
    }
    points.retain(|p| (0.001..=0.999).contains(p));
    let mut result = [f64::INFINITY, 0.0, f64::NEG_INFINITY, 0.0];
    for p in points {
        // Counts k with low_k ≤ p ≤ high_k: from the first whose high reaches p to the last
        // whose low does.
        let first = highs.partition_point(|&h| h < p) as u64;
        let last = lows.partition_point(|&l| l <= p) as u64;
        let c = if last == 0 || first >= last {
            0.0
        } else {
            let binomial = Binomial::new(p, n).expect("valid binomial");
            let upto = binomial.cdf(last - 1);
            let before = if first == 0 {
                0.0
            } else {
                binomial.cdf(first - 1)
            };
            upto - before
        };
        if c < result[0] {
            result[0] = c;
            result[1] = p;
        }
        if c > result[2] {
            result[2] = c;
            result[3] = p;
        }
    }
    result
}

#[test]
fn indicator_interval_has_exact_coverage_within_the_band() {
    for n in [1000u64, 1500, 2000, 4096] {
        let [min, at_min, max, at_max] = exact_indicator_coverage(n, &stats::binomial_bounds);
        assert!(
            min >= LOW && max <= HIGH,
            "n = {n}: exact coverage from {min:.5} (P = {at_min:.6}) to {max:.5} (P = {at_max:.6})"
        );
    }
    // The check has teeth: Wilson's interval leaves the band at n = 1000 (91.6% at P ≈ 0.00102).
    let wilson = |k: f64, n: f64| stats::wilson(k / n, n);
    let [min, at_min, ..] = exact_indicator_coverage(1000, &wilson);
    assert!(min < 0.92, "Wilson: {min} at {at_min}");
}

#[test]
fn closed_forms_match_the_engine_trial_by_trial() {
    for case in [
        closed_form(CLOSED_FORM_MEANS[0]),
        closed_form(CLOSED_FORM_MEANS[6]),
    ] {
        let model = case.model();
        let theta = case.scenario.uncertain();
        assert_eq!(theta.len(), 1, "{}: one uncertain parameter", case.label);
        let engine = Engine {
            model: &model,
            seed: 3,
            estimator: Estimator::Conditional,
        };
        let mut checked = 0;
        engine.for_each_trial(0..256, |record| {
            let q = 0.3 * signing(record.draws[theta[0].index()], 0.03);
            for (t, &c) in record.cumulative.iter().enumerate() {
                let exact = 1.0 - (1.0 - q).powi(t as i32 + 1);
                assert!(
                    (c - exact).abs() < 1e-12,
                    "{} trial {}: {c} vs {exact}",
                    case.label,
                    record.trial
                );
            }
            checked += 1;
        });
        assert_eq!(checked, 256);
        // The truth by the deadline is what 10⁶ trials estimate, within 4.5 standard errors.
        let tally = engine.run(0..1_000_000, None, &|_| {}).expect("runs");
        let e = tally.estimate(Estimator::Conditional, case.last());
        let truth = case.truth[case.last()];
        assert!(
            (e.probability - truth).abs() < SE_TOLERANCE * e.std_error,
            "{}: {e:?} vs {truth}",
            case.label
        );
    }
    let case = two_point(0.0034, 0.7771);
    let tally = Engine {
        model: &case.model(),
        seed: 4,
        estimator: Estimator::Conditional,
    }
    .run(0..1_000_000, None, &|_| {})
    .expect("runs");
    let e = tally.estimate(Estimator::Conditional, case.last());
    let truth = case.truth[case.last()];
    assert!(
        (e.probability - truth).abs() < SE_TOLERANCE * e.std_error,
        "{e:?} vs {truth}"
    );
}

/// The hardest case of SPEC §11 is the rare scenario at the fewest trials: P ≈ 0.00116,
/// carried by the few trials with a low threshold and willing parties.
#[test]
fn rare_events_are_covered_at_a_thousand_trials_and_more() {
    let case = rare_case();
    let model = case.model();
    let t = case.last();
    let sizes = [1000, 4096];
    for estimator in ESTIMATORS {
        let tallies = tallies(&model, estimator, 1..1001, &sizes);
        for (k, n) in sizes.iter().enumerate() {
            let c = coverage(&tallies, k, estimator, t, RARE_TRUTH, reported);
            assert_in_band(&format!("{} {estimator:?} n = {n}", case.label), &c);
        }
        if estimator == Estimator::Conditional {
            // The case is hard: the plain mean ± 1.96·se misses low about a fifth of the time.
            let c = coverage(&tallies, 0, estimator, t, RARE_TRUTH, plain);
            assert!(
                c.rate() < 0.88 && c.below > 10 * c.above,
                "plain: {}",
                c.show()
            );
        }
    }
}

#[test]
fn skewed_closed_forms_and_a_two_point_law_are_covered() {
    let cases = [
        closed_form(CLOSED_FORM_MEANS[0]),
        closed_form(CLOSED_FORM_MEANS[6]),
        two_point(0.0034, 0.7771),
    ];
    for case in &cases {
        let model = case.model();
        let t = case.last();
        for estimator in ESTIMATORS {
            let tallies = tallies(&model, estimator, 1..1001, &[1000]);
            let c = coverage(&tallies, 0, estimator, t, case.truth[t], reported);
            assert_in_band(&format!("{} {estimator:?} n = 1000", case.label), &c);
        }
    }
}

/// The reported interval of the remaining probability at the start of month `t` (none if
/// nothing is left: counted as a miss).
fn reported_remaining(tally: &Tally, estimator: Estimator, t: usize) -> (f64, f64) {
    tally
        .remaining(estimator, t)
        .map_or((f64::NAN, f64::NAN), |e| (e.ci95_low, e.ci95_high))
}

/// The true remaining probability of `case` at the start of month `t`.
fn remaining_truth(case: &Case, t: usize) -> f64 {
    let before = if t == 0 { 0.0 } else { case.truth[t - 1] };
    (case.truth[case.last()] - before) / (1.0 - before)
}

/// The months whose remaining probability the coverage tests check: the second, the middle and
/// the last.
const REMAINING_MONTHS: [usize; 3] = [1, MONTHS / 2, MONTHS - 1];

/// The remaining probability's interval (issue #11 item 2) covers its truth,
/// (F_T − F_{t−1}) / (1 − F_{t−1}) of the closed forms, within SPEC §11's band, at 1,000
/// trials over 1,000 seeds: a skewed rare case, an even one and a near-certain one, early,
/// mid-window and in the last month.
#[test]
fn remaining_probability_intervals_are_covered() {
    for case in [
        closed_form(CLOSED_FORM_MEANS[1]),
        closed_form(CLOSED_FORM_MEANS[3]),
        closed_form(CLOSED_FORM_MEANS[5]),
        two_point(0.02, 0.7771),
    ] {
        let model = case.model();
        for estimator in ESTIMATORS {
            let tallies = tallies(&model, estimator, 1..1001, &[1000]);
            for t in REMAINING_MONTHS {
                let truth = remaining_truth(&case, t);
                let c = coverage(&tallies, 0, estimator, t, truth, reported_remaining);
                assert_in_band(
                    &format!(
                        "{} {estimator:?} n = 1000, remaining at month {t}",
                        case.label
                    ),
                    &c,
                );
            }
        }
    }
}

/// A pool of closed-form members (common trials, as `pool` runs them) with its weights.
struct PoolCase {
    label: String,
    members: Vec<Case>,
    weights: Vec<f64>,
}

impl PoolCase {
    fn new(label: &str, means: &[f64], weights: &[f64]) -> PoolCase {
        let total: f64 = weights.iter().sum();
        PoolCase {
            label: label.to_string(),
            members: means.iter().map(|&m| closed_form(m)).collect(),
            weights: weights.iter().map(|w| w / total).collect(),
        }
    }

    /// The pool's true probability by the deadline: the method applied to the members' truths.
    fn truth(&self, method: Method) -> f64 {
        let truths: Vec<f64> = self.members.iter().map(|c| c.truth[c.last()]).collect();
        match method {
            Method::Linear => truths.iter().zip(&self.weights).map(|(p, w)| p * w).sum(),
            Method::GeometricOdds => pool_odds(&truths, &self.weights).expect("defined"),
        }
    }
}

/// The hard case of issue #18: members at P ≈ 0.001 and 0.5, equal weights (true geometric
/// pool 0.0307); and a moderate one: P ≈ 0.1, 0.5 and 0.9, weights 2, 1, 1.
fn pool_cases() -> [PoolCase; 2] {
    [
        PoolCase::new(
            "members at 0.001 and 0.5",
            &[CLOSED_FORM_MEANS[0], CLOSED_FORM_MEANS[3]],
            &[1.0, 1.0],
        ),
        PoolCase::new(
            "members at 0.1, 0.5 and 0.9, weights 2, 1, 1",
            &[
                CLOSED_FORM_MEANS[2],
                CLOSED_FORM_MEANS[3],
                CLOSED_FORM_MEANS[4],
            ],
            &[2.0, 1.0, 1.0],
        ),
    ]
}

/// Pool tallies of trials 0 … n − 1 for each n of `sizes` (increasing), for each seed: what
/// `pool --trials n --seed seed` sums.
fn pool_tallies(
    case: &PoolCase,
    estimator: Estimator,
    seeds: Range<u64>,
    sizes: &[u64],
) -> Vec<Vec<PoolTally>> {
    let models: Vec<Model> = case.members.iter().map(Case::model).collect();
    let months = models[0].months();
    seeds
        .into_par_iter()
        .map(|seed| {
            let mut tally = PoolTally::new(models.len(), months);
            let mut done = 0;
            sizes
                .iter()
                .map(|&n| {
                    let outcomes: Vec<Vec<f64>> = models
                        .iter()
                        .map(|model| {
                            let engine = Engine {
                                model,
                                seed,
                                estimator,
                            };
                            let mut rows = Vec::with_capacity(((n - done) as usize) * months);
                            engine.for_each_trial(done..n, |r| rows.extend(r.cumulative));
                            rows
                        })
                        .collect();
                    // In blocks of at most BLOCK trials, as `pool` adds them.
                    let trials: Vec<usize> = (0..(n - done) as usize).collect();
                    for block in trials.chunks(BLOCK as usize) {
                        let mut sums = PoolBlock::new(models.len(), months);
                        for &i in block {
                            sums.add(
                                |k| &outcomes[k][i * months..(i + 1) * months],
                                &case.weights,
                            );
                        }
                        tally.add_block(&sums);
                    }
                    done = n;
                    tally.clone()
                })
                .collect()
        })
        .collect()
}

/// Coverage of the pool by `method` at size index `k`, by the deadline; and how many seeds
/// had a member at exactly 0 or 1.
fn pool_coverage(
    case: &PoolCase,
    tallies: &[Vec<PoolTally>],
    k: usize,
    estimator: Estimator,
    method: Method,
) -> (Coverage, usize) {
    let truth = case.truth(method);
    let mut c = Coverage::default();
    let mut edge = 0;
    for per_seed in tallies {
        let tally = &per_seed[k];
        let t = tally.months() - 1;
        edge += usize::from(tally.at_edge(estimator, t).is_some());
        let e = tally
            .pooled(method, estimator, &case.weights, t)
            .expect("defined: no member at 1");
        c.add((e.ci95_low, e.ci95_high), truth);
    }
    (c, edge)
}

/// Both pools' intervals hold SPEC §11's band with a member near 0 (issue #18 item 1: the
/// geometric pool's interval covered 55–89% of the time) and on a moderate pool, over 1,000
/// seeds at 1,000 trials; a geometric pool with a member at exactly 0 is 0 with an interval
/// that is not zero-width and a standard error that is not 0.
#[test]
fn pool_intervals_are_covered_with_a_member_near_zero() {
    for case in pool_cases() {
        for estimator in ESTIMATORS {
            let tallies = pool_tallies(&case, estimator, 1..1001, &[1000]);
            for method in [Method::Linear, Method::GeometricOdds] {
                let (c, _) = pool_coverage(&case, &tallies, 0, estimator, method);
                assert_in_band(
                    &format!("{} {estimator:?} {} n = 1000", case.label, method.name()),
                    &c,
                );
            }
            let mut edges = 0;
            for per_seed in &tallies {
                let tally = &per_seed[0];
                let t = tally.months() - 1;
                if tally.at_edge(estimator, t).is_some() {
                    edges += 1;
                    let e = tally
                        .geometric(estimator, &case.weights, t)
                        .expect("defined");
                    assert_eq!(e.probability, 0.0);
                    assert!(
                        e.ci95_high > e.ci95_low && e.std_error > 0.0,
                        "{} {estimator:?}: {e:?}",
                        case.label
                    );
                }
            }
            // The hard case under the indicator has a member at 0 in about e^-1 of the seeds.
            if case.weights.len() == 2 && estimator == Estimator::Indicator {
                assert!((250..=500).contains(&edges), "{edges} seeds at 0");
            }
        }
    }
}

/// Two scenarios that `compare` runs on the same trials, and the true difference B − A by the
/// deadline.
struct CompareCase {
    label: String,
    a: Case,
    b: Case,
    truth: f64,
}

impl CompareCase {
    /// Closed forms A and B (their truths exact).
    fn closed_forms(a: f64, b: f64) -> CompareCase {
        let (a, b) = (closed_form(a), closed_form(b));
        let truth = b.truth[b.last()] - a.truth[a.last()];
        CompareCase {
            label: format!(
                "closed forms at {:.3} and {:.3}",
                a.truth[a.last()],
                b.truth[b.last()]
            ),
            a,
            b,
            truth,
        }
    }

    /// Rare disagreement: A constant (threshold 0.7, y ≈ 0.52 by the deadline in every trial),
    /// B the same with an event in the first month, probability `q`, that stops all summits.
    /// The two differ only in the trials where it fires, B − A = −q·y: at 1,000 trials and
    /// q = 0.002 no trial differs in e⁻² ≈ 14% of the seeds.
    fn rare_disagreement(q: f64) -> CompareCase {
        let base = ScenarioText::bilateral().set("process.signing_threshold", "0.7");
        let a = load_text("constant", &base.clone().text());
        let b = load_text(
            "stopped",
            &base
                .event(&format!(
                    "name = \"collapse\"\nmonth = \"2020-01\"\nprobability = {q:?}\neffects = {{ \"process.summit_rate\" = -0.3 }}"
                ))
                .text(),
        );
        let y = 1.0 - (1.0 - 0.3 * signing(0.7, 0.1)).powi(MONTHS as i32);
        let truth_a: Vec<f64> = (0..MONTHS)
            .map(|t| 1.0 - (1.0 - 0.3 * signing(0.7, 0.1)).powi(t as i32 + 1))
            .collect();
        let truth_b = truth_a.iter().map(|p| (1.0 - q) * p).collect();
        CompareCase {
            label: format!("a constant against an event at {q} that stops all summits"),
            a: Case {
                label: "constant".into(),
                scenario: a,
                truth: truth_a,
            },
            b: Case {
                label: "stopped".into(),
                scenario: b,
                truth: truth_b,
            },
            truth: -q * y,
        }
    }
}

/// Paired differences from closed forms (P ≈ 0.001 against 0.01, 0.1 against 0.5, 0.99
/// against 0.999: the thresholds shift together, so B − A is one-signed and skewed) and a
/// rare disagreement.
fn compare_cases() -> Vec<CompareCase> {
    vec![
        CompareCase::closed_forms(CLOSED_FORM_MEANS[0], CLOSED_FORM_MEANS[1]),
        CompareCase::closed_forms(CLOSED_FORM_MEANS[2], CLOSED_FORM_MEANS[3]),
        CompareCase::closed_forms(CLOSED_FORM_MEANS[5], CLOSED_FORM_MEANS[6]),
        CompareCase::rare_disagreement(0.002),
    ]
}

/// Paired tallies of trials 0 … n − 1 for each n of `sizes` (increasing), for each seed: what
/// `compare --trials n --seed seed` sums.
fn compare_tallies(
    case: &CompareCase,
    estimator: Estimator,
    seeds: Range<u64>,
    sizes: &[u64],
) -> Vec<Vec<PairedTally>> {
    let (a, b) = (case.a.model(), case.b.model());
    seeds
        .into_par_iter()
        .map(|seed| {
            let engine = |model| Engine {
                model,
                seed,
                estimator,
            };
            let mut tally = PairedTally::default();
            sizes
                .iter()
                .map(|&n| {
                    let more = paired(&engine(&a), &engine(&b), tally.trials..n, &|_| {})
                        .expect("not interrupted");
                    tally.merge(more);
                    tally.clone()
                })
                .collect()
        })
        .collect()
}

/// The reported interval of the paired difference.
fn compare_reported(tally: &PairedTally, estimator: Estimator) -> (f64, f64) {
    let (_, _, low, high) = tally.difference(estimator);
    (low, high)
}

/// The difference ± 1.96 standard errors: `compare`'s interval before 0.3.0.
fn compare_plain(tally: &PairedTally, estimator: Estimator) -> (f64, f64) {
    let (mean, se, _, _) = tally.difference(estimator);
    (mean - stats::Z * se, mean + stats::Z * se)
}

/// Coverage of the paired difference's `interval` at size index `k`.
fn compare_coverage(
    case: &CompareCase,
    tallies: &[Vec<PairedTally>],
    k: usize,
    estimator: Estimator,
    interval: fn(&PairedTally, Estimator) -> (f64, f64),
) -> Coverage {
    let mut c = Coverage::default();
    for per_seed in tallies {
        c.add(interval(&per_seed[k], estimator), case.truth);
    }
    c
}

/// `compare`'s interval for B − A holds SPEC §11's band over 1,000 seeds at 1,000 trials, on
/// a skewed difference of closed forms near 0 and on a disagreement so rare that in one seed
/// in seven no trial shows it (where mean ± 1.96·se was [0, 0]).
#[test]
fn compare_intervals_are_covered_with_rare_disagreements() {
    let cases = compare_cases();
    for case in [&cases[0], &cases[3]] {
        for estimator in ESTIMATORS {
            let tallies = compare_tallies(case, estimator, 1..1001, &[1000]);
            let c = compare_coverage(case, &tallies, 0, estimator, compare_reported);
            assert_in_band(&format!("{} {estimator:?} n = 1000", case.label), &c);
        }
    }
}

/// What `--precision` did over many seeds.
#[derive(Debug, Default)]
struct PrecisionStudy {
    /// Mean of (estimate − estimate at the planned count): the bias, since the planned count
    /// does not depend on the run's trials.
    bias: f64,
    bias_se: f64,
    /// Mean of (estimate − truth).
    raw_bias: f64,
    raw_se: f64,
    coverage: Coverage,
    /// Runs that looked at their own trials and added more.
    continued: usize,
    trials: f64,
    pilot: f64,
}

fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// One `--precision` run: estimate, estimate at the planned count, interval, whether it added
/// trials after the planned count, trials, pilot trials.
type PrecisionRunSummary = (f64, f64, (f64, f64), bool, u64, u64);

fn precision_study(
    case: &Case,
    estimator: Estimator,
    half_width: f64,
    seeds: Range<u64>,
) -> PrecisionStudy {
    let model = case.model();
    let t = case.last();
    let truth = case.truth[t];
    let runs: Vec<PrecisionRunSummary> = seeds
        .into_par_iter()
        .map(|seed| {
            let engine = Engine {
                model: &model,
                seed,
                estimator,
            };
            let mut first: Option<Tally> = None;
            let mut run = |range: Range<u64>| {
                let tally = engine.run(range, None, &|_| {})?;
                if first.is_none() {
                    first = Some(tally.clone());
                }
                Ok(tally)
            };
            let out =
                treatysim::precision::run_to_precision(&engine, half_width, 100_000_000, &mut run)
                    .expect("not interrupted");
            let e = out.tally.estimate(estimator, t);
            let planned = first.expect("ran").estimate(estimator, t).probability;
            (
                e.probability,
                planned,
                (e.ci95_low, e.ci95_high),
                out.tally.trials > out.planned,
                out.tally.trials,
                out.pilot_trials,
            )
        })
        .collect();
    let mut study = PrecisionStudy::default();
    let diffs: Vec<f64> = runs.iter().map(|r| r.0 - r.1).collect();
    (study.bias, study.bias_se) = mean_and_se(&diffs);
    let errors: Vec<f64> = runs.iter().map(|r| r.0 - truth).collect();
    (study.raw_bias, study.raw_se) = mean_and_se(&errors);
    for r in &runs {
        study.coverage.add(r.2, truth);
    }
    study.continued = runs.iter().filter(|r| r.3).count();
    study.trials = runs.iter().map(|r| r.4 as f64).sum::<f64>() / runs.len() as f64;
    study.pilot = runs.iter().map(|r| r.5 as f64).sum::<f64>() / runs.len() as f64;
    study
}

/// SPEC §11: `--precision` runs keep the coverage, with a bias below 2% of H. Stopping the
/// first time the half-width drops below H selected low estimates (−7% to −8% of H on this
/// scenario, bench/coverage.sh). 600 seeds (1,000 until issue #19): the bias's standard error
/// is then about 0.0035·H (conditional) and 0.0043·H (indicator), under the 0.005·H this test
/// requires to judge, so a bias of 2% of H stands out by more than 4.5 standard errors and the
/// old rule's −7% by more than 16; bench/coverage.sh runs the full study (2,000 seeds).
#[test]
fn precision_runs_are_unbiased_and_covered_on_the_rare_scenario() {
    let case = rare_case();
    for (estimator, half_width) in [
        (Estimator::Conditional, 0.0004),
        (Estimator::Indicator, 0.001),
    ] {
        let s = precision_study(&case, estimator, half_width, 1..601);
        let label = format!("{estimator:?} H = {half_width}: {s:?}");
        eprintln!("{label}");
        assert!(
            s.bias_se < 0.005 * half_width,
            "{label}: too noisy to judge"
        );
        assert!(s.bias.abs() < 0.02 * half_width, "{label}: bias");
        // The mean itself agrees with the truth (its noise is ~25 times the bias's).
        assert!(
            s.raw_bias.abs() < SE_TOLERANCE * s.raw_se,
            "{label}: mean off the truth"
        );
        assert_in_band(&label, &s.coverage);
    }
}

/// The truth by month of a shipped scenario, from `seeds` × `per_seed` conditional trials
/// under seeds from 10⁶ (none of the study's seeds), with its standard error.
fn measured_truth(scenario: &Scenario, seeds: u64, per_seed: u64) -> (Vec<f64>, Vec<f64>) {
    let model = Model::new(scenario);
    let months = model.months();
    let per: Vec<Vec<f64>> = (1_000_000..1_000_000 + seeds)
        .into_par_iter()
        .map(|seed| {
            let tally = Engine {
                model: &model,
                seed,
                estimator: Estimator::Conditional,
            }
            .run(0..per_seed, None, &|_| {})
            .expect("runs");
            (0..months)
                .map(|t| tally.estimate(Estimator::Conditional, t).probability)
                .collect()
        })
        .collect();
    (0..months)
        .map(|t| mean_and_se(&per.iter().map(|p| p[t]).collect::<Vec<_>>()))
        .unzip()
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The old `--precision` rule, for comparison: look at 16,384 trials, then at the count where
/// the half-width is predicted to reach H (5% to spare, at least one block more, at most ten
/// times), and stop the first time it is at most H.
fn sequential_rule(engine: &Engine<'_>, half_width: f64) -> (Tally, Tally) {
    let months = engine.model.months();
    let mut tally = Tally::new(months);
    let mut target = 16_384;
    let mut first = None;
    loop {
        let more = engine
            .run(tally.trials..target, None, &|_| {})
            .expect("runs");
        tally.merge(more);
        if first.is_none() {
            first = Some(tally.clone());
        }
        let current = tally.estimate(engine.estimator, months - 1).half_width();
        if current <= half_width {
            return (tally, first.expect("set"));
        }
        let n = tally.trials as f64;
        let needed = (n * (current / half_width).powi(2) * 1.05).min(n * 10.0);
        let block = BLOCK as f64;
        target = ((needed / block).ceil() * block).max(n + block) as u64;
    }
}

/// Where the grid writes its tables: the file named by `COVERAGE_OUT` (appended to), and
/// stdout.
struct Report(Option<std::fs::File>);

impl Report {
    fn line(&mut self, text: &str) {
        use std::io::Write as _;
        println!("{text}");
        if let Some(file) = self.0.as_mut() {
            writeln!(file, "{text}").expect("writes the report");
        }
    }
}

/// The full coverage and `--precision` study: run by `bench/coverage.sh`, which documents the
/// environment variables. Prints Markdown tables.
#[test]
#[ignore = "the full grid takes tens of minutes; bench/coverage.sh runs it"]
fn grid() {
    let seeds = env_u64("COVERAGE_SEEDS", 2000);
    let big_seeds = env_u64("COVERAGE_BIG_SEEDS", 1000);
    let precision_seeds = env_u64("PRECISION_SEEDS", 2000);
    let truth_seeds = env_u64("TRUTH_SEEDS", 200);
    let truth_trials = env_u64("TRUTH_TRIALS", 1_000_000);
    let only = std::env::var("GRID_ONLY").unwrap_or_default();
    let began = std::time::Instant::now();
    let elapsed = || format!("{:.0} s", began.elapsed().as_secs_f64());
    let mut report = Report(std::env::var_os("COVERAGE_OUT").map(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("opens COVERAGE_OUT")
    }));
    macro_rules! out {
        ($($arg:tt)*) => { report.line(&format!($($arg)*)) };
    }

    out!("## Exact coverage of the indicator's interval\n");
    out!("| n | min | at P | max | at P | Wilson min | at P |");
    out!("|---|---|---|---|---|---|---|");
    if only.is_empty() || only.contains("exact") {
        let wilson = |k: f64, n: f64| stats::wilson(k / n, n);
        for n in [1000u64, 2000, 4096, 10_000, 30_000] {
            let [min, at_min, max, at_max] = exact_indicator_coverage(n, &stats::binomial_bounds);
            let [wmin, wat, ..] = exact_indicator_coverage(n, &wilson);
            out!(
                "| {n} | {:.2}% | {at_min:.5} | {:.2}% | {at_max:.5} | {:.2}% | {wat:.5} |",
                100.0 * min,
                100.0 * max,
                100.0 * wmin
            );
        }
    }
    eprintln!("exact coverage done, {}", elapsed());

    // The cases.
    let mut cases: Vec<Case> = CLOSED_FORM_MEANS.iter().map(|&m| closed_form(m)).collect();
    cases.push(two_point(0.0034, 0.7771));
    cases.push(two_point(0.02, 0.7771));
    let mut truths = String::new();
    for (label, sets) in [
        ("baseline".to_string(), vec![]),
        ("baseline, threshold 0.65 to 0.85".to_string(), vec![RARE]),
        (
            "baseline, threshold −0.65 to −0.45, λ 0.5".to_string(),
            vec![
                "process.signing_threshold=-0.65 to -0.45",
                "process.summit_rate=0.5",
            ],
        ),
    ] {
        if !(only.is_empty() || only.contains("coverage") || only.contains("precision")) {
            break;
        }
        let scenario = load_shipped("baseline", &sets);
        let (truth, se) = measured_truth(&scenario, truth_seeds, truth_trials);
        truths.push_str(&format!(
            "| {label} | {:.7} | {:.1e} |\n",
            truth[truth.len() - 1],
            se[se.len() - 1]
        ));
        cases.push(Case {
            label,
            scenario,
            truth,
        });
    }
    out!("\n## Truths measured by conditional runs\n");
    out!(
        "{} seeds from 10⁶ × {} trials each.\n",
        truth_seeds,
        truth_trials
    );
    out!("| scenario | P by the deadline | standard error |\n|---|---|---|\n{truths}");
    eprintln!("truths done, {}", elapsed());

    // Coverage by the deadline, and the range over months with P ≥ 0.001.
    let sizes = [1000u64, 4096, 10_000];
    out!("\n## Coverage by the deadline\n");
    out!(
        "{seeds} seeds (1 to {seeds}) at 1,000, 4,096 and 10,000 trials (the first n trials of one run per seed), {big_seeds} seeds at 100,000. Each cell: coverage (% of intervals below the truth / above it). The band, widened by 4.5 binomial standard errors, is {:.1}–{:.1}% at {seeds} seeds and {:.1}–{:.1}% at {big_seeds}.\n",
        100.0 * (LOW - SE_TOLERANCE * (LOW * (1.0 - LOW) / seeds as f64).sqrt()),
        100.0 * (HIGH + SE_TOLERANCE * (HIGH * (1.0 - HIGH) / seeds as f64).sqrt()),
        100.0 * (LOW - SE_TOLERANCE * (LOW * (1.0 - LOW) / big_seeds as f64).sqrt()),
        100.0 * (HIGH + SE_TOLERANCE * (HIGH * (1.0 - HIGH) / big_seeds as f64).sqrt()),
    );
    out!(
        "| scenario | P | estimator | n = 1,000 | 4,096 | 10,000 | 100,000 | plain mean ± 1.96·se at 1,000 | months with P ≥ 0.001: min–max over n |"
    );
    out!("|---|---|---|---|---|---|---|---|---|");
    let mut outside = Vec::new();
    let mut remaining_rows = Vec::new();
    for case in &cases {
        if !only.is_empty() && !only.contains("coverage") {
            break;
        }
        let model = case.model();
        let t = case.last();
        for estimator in ESTIMATORS {
            let small = tallies(&model, estimator, 1..seeds + 1, &sizes);
            let big = tallies(&model, estimator, 1..big_seeds + 1, &[100_000]);
            for t in REMAINING_MONTHS.into_iter().filter(|t| *t <= case.last()) {
                let truth = remaining_truth(case, t);
                if !truth.is_finite() {
                    continue;
                }
                let cells: Vec<String> = (0..sizes.len())
                    .map(|k| coverage(&small, k, estimator, t, truth, reported_remaining).show())
                    .collect();
                remaining_rows.push(format!(
                    "| {} | {} | {} | {truth:.5} | {} |",
                    case.label,
                    estimator.name(),
                    t + 1,
                    cells.join(" | ")
                ));
            }
            let mut cells = Vec::new();
            // Every size of the small tallies, then the big one (n = 100000).
            let columns = (0..sizes.len())
                .map(|k| (&small, k, sizes[k]))
                .chain([(&big, 0, 100_000)]);
            for (tallies, k, n) in columns {
                let c = coverage(tallies, k, estimator, t, case.truth[t], reported);
                if !c.in_band() {
                    outside.push(format!(
                        "{} {estimator:?} n = {n}: {}",
                        case.label,
                        c.show()
                    ));
                }
                cells.push(c.show());
            }
            let plain_cell = coverage(&small, 0, estimator, t, case.truth[t], plain).show();
            // Months with a truth of at least 0.001, every n.
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for (m, &truth) in case.truth.iter().enumerate() {
                if !(0.001..=0.999).contains(&truth) {
                    continue;
                }
                for k in 0..sizes.len() {
                    let r = coverage(&small, k, estimator, m, truth, reported).rate();
                    lo = lo.min(r);
                    hi = hi.max(r);
                }
                let r = coverage(&big, 0, estimator, m, truth, reported).rate();
                lo = lo.min(r);
                hi = hi.max(r);
            }
            let months = if lo.is_finite() {
                format!("{:.1}–{:.1}%", 100.0 * lo, 100.0 * hi)
            } else {
                "–".into()
            };
            out!(
                "| {} | {:.5} | {} | {} | {plain_cell} | {months} |",
                case.label,
                case.truth[t],
                estimator.name(),
                cells.join(" | ")
            );
            eprintln!("{} {estimator:?} done, {}", case.label, elapsed());
        }
    }
    if !outside.is_empty() {
        out!("\nOutside the widened band:\n");
        for o in &outside {
            out!("- {o}");
        }
    }
    if !remaining_rows.is_empty() {
        out!("\n## The remaining probability\n");
        out!(
            "Coverage of `remaining_probability`'s interval at the start of the month (1 to 20), the truth (F_T − F_{{t−1}}) / (1 − F_{{t−1}}) of the case's truths, over the same seeds and trials.\n"
        );
        let header: Vec<String> = sizes.iter().map(|n| format!("n = {n}")).collect();
        out!(
            "| scenario | estimator | month | R | {} |",
            header.join(" | ")
        );
        out!("|---|---|---|---|{}", "---|".repeat(sizes.len()));
        for row in &remaining_rows {
            out!("{row}");
        }
    }

    // Pools (issue #18 item 1).
    if only.is_empty() || only.contains("pool") {
        out!("\n## Pools\n");
        out!(
            "{seeds} seeds, members closed forms on common trials (as `pool` runs them), coverage by the deadline of each method's interval (% below / above), and the share of seeds where a member's estimate is exactly 0 (the geometric pool is then 0, its interval the pool of the members' interval ends).\n"
        );
        out!(
            "| pool | method | truth | estimator | n = 1,000 | 4,096 | 10,000 | a member at 0 (n = 1,000) |"
        );
        out!("|---|---|---|---|---|---|---|---|");
        for case in pool_cases() {
            for estimator in ESTIMATORS {
                let tallies = pool_tallies(&case, estimator, 1..seeds + 1, &sizes);
                for method in [Method::Linear, Method::GeometricOdds] {
                    let mut cells = Vec::new();
                    let mut at_zero = 0;
                    for (k, n) in sizes.iter().enumerate() {
                        let (c, edge) = pool_coverage(&case, &tallies, k, estimator, method);
                        if k == 0 {
                            at_zero = edge;
                        }
                        if !c.in_band() {
                            outside.push(format!(
                                "pool {} {} {estimator:?} n = {n}: {}",
                                case.label,
                                method.name(),
                                c.show()
                            ));
                        }
                        cells.push(c.show());
                    }
                    out!(
                        "| {} | {} | {:.5} | {} | {} | {:.1}% |",
                        case.label,
                        method.name(),
                        case.truth(method),
                        estimator.name(),
                        cells.join(" | "),
                        100.0 * at_zero as f64 / seeds as f64
                    );
                }
                eprintln!("pool {} {estimator:?} done, {}", case.label, elapsed());
            }
        }
        let pools_outside: Vec<&String> =
            outside.iter().filter(|o| o.starts_with("pool ")).collect();
        if !pools_outside.is_empty() {
            out!("\nOutside the widened band:\n");
            for o in pools_outside {
                out!("- {o}");
            }
        }
    }

    // compare's paired difference.
    if only.is_empty() || only.contains("compare") {
        out!("\n## Compare\n");
        out!(
            "{seeds} seeds, both scenarios on common trials (as `compare` runs them), coverage by the deadline of the interval for B − A (% below / above); in brackets, the difference ± 1.96·se (the interval before 0.3.0).\n"
        );
        out!("| A and B | truth B − A | estimator | n = 1,000 | 4,096 | 10,000 |");
        out!("|---|---|---|---|---|---|");
        for case in compare_cases() {
            for estimator in ESTIMATORS {
                let tallies = compare_tallies(&case, estimator, 1..seeds + 1, &sizes);
                let mut cells = Vec::new();
                for (k, n) in sizes.iter().enumerate() {
                    let c = compare_coverage(&case, &tallies, k, estimator, compare_reported);
                    let plain = compare_coverage(&case, &tallies, k, estimator, compare_plain);
                    if !c.in_band() {
                        outside.push(format!(
                            "compare {} {estimator:?} n = {n}: {}",
                            case.label,
                            c.show()
                        ));
                    }
                    cells.push(format!("{} [{}]", c.show(), plain.show()));
                }
                out!(
                    "| {} | {:.6} | {} | {} |",
                    case.label,
                    case.truth,
                    estimator.name(),
                    cells.join(" | ")
                );
                eprintln!("compare {} {estimator:?} done, {}", case.label, elapsed());
            }
        }
        let compare_outside: Vec<&String> = outside
            .iter()
            .filter(|o| o.starts_with("compare "))
            .collect();
        if !compare_outside.is_empty() {
            out!("\nOutside the widened band:\n");
            for o in compare_outside {
                out!("- {o}");
            }
        }
    }

    // --precision.
    if only.is_empty() || only.contains("precision") {
        out!("\n## `--precision`\n");
        out!(
            "{precision_seeds} seeds. Bias: mean of (estimate − estimate at the planned count), which is exactly the bias because the planned count does not depend on the run's own trials; raw: mean of (estimate − truth). The old rule (stop the first time the half-width is at most H, first look at 16,384) is measured paired against its own first look at 16,384 trials, as in the issue.\n"
        );
        out!(
            "| scenario | estimator | H | bias / H | raw (estimate − truth) / H | coverage | runs that added trials | mean trials | mean pilot trials | old rule: bias / H | old rule: coverage | old rule: mean trials |"
        );
        out!("|---|---|---|---|---|---|---|---|---|---|---|---|");
        let baseline = cases
            .iter()
            .find(|c| c.label == "baseline")
            .expect("baseline case");
        let rare = cases
            .iter()
            .find(|c| c.label.contains("0.65 to 0.85"))
            .expect("rare case");
        for (case, estimator, half_width) in [
            (baseline, Estimator::Conditional, 0.00245),
            (baseline, Estimator::Indicator, 0.00245),
            (baseline, Estimator::Conditional, 0.001),
            (rare, Estimator::Conditional, 0.0002),
            (rare, Estimator::Conditional, 0.0001),
            (rare, Estimator::Indicator, 0.0005),
            (rare, Estimator::Indicator, 0.0002),
        ] {
            let s = precision_study(case, estimator, half_width, 1..precision_seeds + 1);
            // The old rule.
            let model = case.model();
            let t = case.last();
            let truth = case.truth[t];
            let old: Vec<(f64, f64, (f64, f64), u64)> = (1..precision_seeds + 1)
                .into_par_iter()
                .map(|seed| {
                    let engine = Engine {
                        model: &model,
                        seed,
                        estimator,
                    };
                    let (tally, first) = sequential_rule(&engine, half_width);
                    let e = tally.estimate(estimator, t);
                    (
                        e.probability,
                        first.estimate(estimator, t).probability,
                        (e.ci95_low, e.ci95_high),
                        tally.trials,
                    )
                })
                .collect();
            let (old_bias, old_se) =
                mean_and_se(&old.iter().map(|o| o.0 - o.1).collect::<Vec<_>>());
            let mut old_cov = Coverage::default();
            for o in &old {
                old_cov.add(o.2, truth);
            }
            let old_trials = old.iter().map(|o| o.3 as f64).sum::<f64>() / old.len() as f64;
            out!(
                "| {} | {} | {half_width} | {:+.2}% ± {:.2}% | {:+.1}% ± {:.1}% | {} | {:.1}% | {:.0} | {:.0} | {:+.2}% ± {:.2}% | {} | {:.0} |",
                case.label,
                estimator.name(),
                100.0 * s.bias / half_width,
                100.0 * s.bias_se / half_width,
                100.0 * s.raw_bias / half_width,
                100.0 * s.raw_se / half_width,
                s.coverage.show(),
                100.0 * s.continued as f64 / precision_seeds as f64,
                s.trials,
                s.pilot,
                100.0 * old_bias / half_width,
                100.0 * old_se / half_width,
                old_cov.show(),
                old_trials
            );
            eprintln!(
                "precision {} {estimator:?} {half_width} done, {}",
                case.label,
                elapsed()
            );
        }
    }
    out!("\nTotal {}.", elapsed());
}
