//! Statistical correctness of the engine (SPEC §3, §4, §6).
//!
//! - closed forms: with constant parameters the treaty probability is 1 − Π(1 − λp) exactly,
//!   for the bilateral cast, for three signatories with two issues and two outside parties,
//!   with events, and with a certain change of leader (`leader_exit`);
//! - the conditional and indicator estimators agree within their standard errors, on the
//!   shipped scenarios and on general ones (three signatories, several issues, outside parties,
//!   hazards, `leader_exit` events, random effects, correlations);
//! - the shipped scenarios keep the probabilities version 0.1 gave them;
//! - every distribution family, and every `"lo to hi"` fit, samples what it says (KS tests
//!   against reference CDFs written independently of `src/`);
//! - the timeline CSV is consistent with the summary.
//!
//! Tolerances: `SE_TOLERANCE` standard errors for Monte Carlo estimates, `EXACT` for closed
//! forms, and the 0.1% Kolmogorov–Smirnov and Anderson–Darling critical values
//! ([`KS_CRITICAL`], [`AD_CRITICAL`]) for goodness of fit.
//! Every seed is fixed.

use crate::common;

use common::{
    AD_CRITICAL, EXACT, KS_CRITICAL, SE_TOLERANCE, ScenarioText, anderson_darling,
    anderson_darling_transformed, field, ks, ks_transformed, read_csv, shipped_scenarios, spearman,
    treatysim, workdir,
};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal, Uniform};
use statrs::function::beta::beta_reg;
use treatysim::cast::Domain;
use treatysim::distribution::{Dist, Gamma, Sampler, Written, uniform};
use treatysim::engine::{Engine, Tally};
use treatysim::model::{Estimator, Model, Trial};
use treatysim::rng;
use treatysim::scenario::{Catalog, Override, Scenario};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Loads a scenario written as `text`, with `--set` overrides, through the public catalog.
fn load(text: &str, sets: &[String]) -> Scenario {
    let dir = workdir(&[("s.toml", text)]);
    let overrides: Vec<Override> = sets.iter().map(|s| s.parse().expect("override")).collect();
    Catalog::new(dir.path().join("scenarios"))
        .load("s", &overrides)
        .unwrap_or_else(|e| panic!("scenario does not load: {e}\n{text}"))
}

/// Runs trials `0..n` of `scenario` under `seed`.
fn run(scenario: &Scenario, seed: u64, estimator: Estimator, n: u64) -> Tally {
    let model = Model::new(scenario);
    let tally = Engine {
        model: &model,
        seed,
        estimator,
    }
    .run(0..n, None, &|_| {})
    .expect("engine run");
    assert_eq!(tally.trials, n);
    assert_eq!(tally.sum.len(), scenario.simulation.months());
    tally
}

/// The Wilson score interval for `successes / n` at `z` standard errors, written out here so
/// that the library's interval is checked against an independent formula.
fn wilson(p: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// p = 1 / (1 + exp(−(will − θ − gap) / s)), SPEC §4, written out independently of `src/`.
fn logistic_signing(will: f64, threshold: f64, gap: f64, noise: f64) -> f64 {
    1.0 / (1.0 + (-(will - threshold - gap) / noise).exp())
}

/// max(0, D − min(1, room)): one issue's share of the gap.
fn issue_gap(demand: f64, room: f64) -> f64 {
    (demand - room.min(1.0)).max(0.0)
}

/// Asserts that a conditional tally of constant trials holds `exact(t)` in every month, to
/// [`EXACT`], with its interval around it and the in-month probabilities as differences.
fn assert_exact_every_month(label: &str, tally: &Tally, exact: &dyn Fn(usize) -> f64) {
    for t in 0..tally.sum.len() {
        let e = tally.estimate(Estimator::Conditional, t);
        let expected = exact(t);
        assert!(
            (e.probability - expected).abs() < EXACT,
            "{label} month {t}: {} vs exact {expected}",
            e.probability
        );
        assert!(
            e.ci95_low <= e.probability && e.probability <= e.ci95_high,
            "{label} month {t}: {e:?}"
        );
        let in_month = expected - if t == 0 { 0.0 } else { exact(t - 1) };
        assert!(
            (tally.in_month(t) - in_month).abs() < EXACT,
            "{label} month {t}: in-month {} vs {in_month}",
            tally.in_month(t)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Closed forms
// ---------------------------------------------------------------------------------------------

/// A bilateral scenario (signatories japan and russia, outside party us, issue security) whose
/// every parameter is a constant, so that the treaty probability has a closed form. The
/// signing probability is computed here from SPEC §4, independently of `src/`.
#[derive(Clone, Copy, Debug)]
struct Constants {
    /// W_japan.
    japan_will: f64,
    /// W_russia.
    russia_will: f64,
    /// C of issue security (japan concedes).
    concession: f64,
    /// D of issue security (russia demands).
    demand: f64,
    /// U_us.
    indifference: f64,
    /// L_{security, us}.
    leverage: f64,
    summit_rate: f64,
    threshold: f64,
    noise: f64,
    /// h_japan. 0: the prime minister never leaves; 1: he leaves in month 0 and W ← successor.
    hazard: f64,
    /// S_japan.
    successor: f64,
    deadline: &'static str,
    /// T, months from 2020-01 to the deadline.
    months: usize,
}

impl Constants {
    const BASE: Constants = Constants {
        japan_will: 0.5,
        russia_will: 0.5,
        concession: 0.3,
        demand: 0.5,
        indifference: 0.5,
        leverage: 0.2,
        summit_rate: 0.3,
        threshold: 0.3,
        noise: 0.1,
        hazard: 0.0,
        successor: 0.2,
        deadline: "2021-09",
        months: 20,
    };

    fn scenario(&self) -> Scenario {
        self.scenario_with_events(&[])
    }

    /// The scenario: the builder's bilateral cast with `events` appended, every value then
    /// set explicitly with `--set` by its full key.
    fn scenario_with_events(&self, events: &[&str]) -> Scenario {
        let text = events
            .iter()
            .fold(
                ScenarioText::bilateral()
                    .set("simulation.deadline", &format!("{:?}", self.deadline)),
                |text, event| text.event(event),
            )
            .text();
        let sets = [
            ("party.japan.will", self.japan_will),
            ("party.russia.will", self.russia_will),
            ("issue.security.concession", self.concession),
            ("issue.security.demand", self.demand),
            ("party.us.indifference", self.indifference),
            ("issue.security.leverage.us", self.leverage),
            ("process.summit_rate", self.summit_rate),
            ("process.will_volatility", 0.0),
            ("process.signing_threshold", self.threshold),
            ("process.decision_noise", self.noise),
            ("party.japan.leader_exit_hazard", self.hazard),
            ("party.japan.successor_will", self.successor),
        ]
        .map(|(k, v)| format!("{k}={v}"));
        let scenario = load(&text, &sets);
        assert_eq!(scenario.simulation.months(), self.months, "{self:?}");
        assert_eq!(
            scenario.cast.len(),
            sets.len(),
            "{self:?}: one parameter per --set"
        );
        for id in scenario.cast.ids() {
            assert!(
                scenario.dist(id).is_constant(),
                "{} is not constant",
                scenario.cast.key(id)
            );
        }
        scenario
    }

    /// p = 1 / (1 + exp(−(min(W_japan, W_russia) − θ − gap) / s)),
    /// gap = max(0, D − min(1, C + L·U)).
    fn signing_probability(&self) -> f64 {
        let japan = if self.hazard >= 1.0 {
            self.successor
        } else {
            self.japan_will
        };
        let will = japan.min(self.russia_will);
        let gap = issue_gap(
            self.demand,
            self.concession + self.leverage * self.indifference,
        );
        logistic_signing(will, self.threshold, gap, self.noise)
    }

    /// q = λ·p, the monthly chance of a treaty.
    fn q(&self) -> f64 {
        self.summit_rate * self.signing_probability()
    }

    /// P(treaty by the end of month t) = 1 − (1 − q)^(t+1).
    fn cumulative(&self, t: usize) -> f64 {
        1.0 - (1.0 - self.q()).powi(t as i32 + 1)
    }
}

fn closed_form_cases() -> Vec<Constants> {
    let b = Constants::BASE;
    vec![
        // gap 0.1, p = 1/(1+e^-1), 20 months.
        b,
        // No gap (C + L·U ≥ D), one month, near-certain signing at a summit.
        Constants {
            japan_will: 0.7,
            russia_will: 0.7,
            concession: 0.8,
            summit_rate: 0.9,
            noise: 0.05,
            deadline: "2020-02",
            months: 1,
            ..b
        },
        // Large gap, negative threshold, slow summits, 36 months.
        Constants {
            japan_will: 0.2,
            russia_will: 0.2,
            concession: 0.1,
            demand: 0.95,
            indifference: 0.9,
            leverage: 0.5,
            summit_rate: 0.05,
            threshold: -0.1,
            noise: 0.3,
            deadline: "2023-01",
            months: 36,
            ..b
        },
        // The less willing side decides: min(W_japan, W_russia) = W_russia.
        Constants {
            japan_will: 0.9,
            russia_will: 0.35,
            threshold: 0.2,
            summit_rate: 0.5,
            deadline: "2021-01",
            months: 12,
            ..b
        },
        // Certain change of leader in month 0: W_japan ← successor (0.6), not W_japan (0.1).
        Constants {
            japan_will: 0.1,
            russia_will: 0.6,
            hazard: 1.0,
            successor: 0.6,
            deadline: "2020-07",
            months: 6,
            ..b
        },
    ]
}

#[test]
fn conditional_estimator_matches_the_closed_form_every_month() {
    for case in closed_form_cases() {
        let scenario = case.scenario();
        let tally = run(&scenario, 11, Estimator::Conditional, 1000);
        assert_exact_every_month(&format!("{case:?}"), &tally, &|t| case.cumulative(t));
    }
}

#[test]
fn indicator_estimator_matches_the_closed_form_within_its_standard_error() {
    let n = 100_000;
    for case in closed_form_cases() {
        let scenario = case.scenario();
        let tally = run(&scenario, 12, Estimator::Indicator, n);
        for t in 0..case.months {
            let e = tally.estimate(Estimator::Indicator, t);
            let exact = case.cumulative(t);
            let nf = n as f64;
            // The reported standard error and 95% interval follow SPEC §6's formulas.
            let se = (e.probability * (1.0 - e.probability) / nf).sqrt();
            assert!(
                (e.std_error - se).abs() <= EXACT * se,
                "{case:?} month {t}: se {} vs {se}",
                e.std_error
            );
            // The 95% interval (calibrated beta bounds, docs/statistics.md) holds the estimate
            // and, away from the edges, is within 10% of the normal interval's width.
            assert!(
                e.ci95_low <= e.probability && e.probability <= e.ci95_high,
                "{case:?} month {t}: {e:?}"
            );
            if nf * e.probability * (1.0 - e.probability) > 100.0 {
                let width = e.ci95_high - e.ci95_low;
                assert!(
                    (width / (2.0 * 1.96 * se) - 1.0).abs() < 0.1,
                    "{case:?} month {t}: width {width} vs normal {}",
                    2.0 * 1.96 * se
                );
            }
            // The exact probability lies inside the Wilson interval at SE_TOLERANCE standard
            // errors, and within SE_TOLERANCE standard errors of the estimate.
            let (low, high) = wilson(e.probability, nf, SE_TOLERANCE);
            assert!(
                low <= exact && exact <= high,
                "{case:?} month {t}: exact {exact} outside Wilson({SE_TOLERANCE}) [{low}, {high}]"
            );
            let exact_se = (exact * (1.0 - exact) / nf).sqrt();
            assert!(
                (e.probability - exact).abs() <= SE_TOLERANCE * exact_se.max(e.std_error),
                "{case:?} month {t}: {} vs exact {exact} (se {exact_se})",
                e.probability
            );
        }
    }
}

/// Events: a certain event in month 3 that raises λ and lowers Russia's will changes q from that
/// month on; an event with probability 1/2 makes P the average of the two closed forms.
#[test]
fn events_shift_the_closed_form_from_their_month_on() {
    let before = Constants::BASE;
    // summit_rate 0.3 + 0.2, party.russia.will 0.5 − 0.1.
    let after = Constants {
        summit_rate: 0.5,
        russia_will: 0.4,
        ..before
    };
    let event = |probability: f64| {
        format!(
            "name = \"shift\"\nmonth = \"2020-04\"\nprobability = {probability}\neffects = {{ \"process.summit_rate\" = 0.2, \"party.russia.will\" = -0.1 }}"
        )
    };
    let fired = |t: usize| {
        if t < 3 {
            before.cumulative(t)
        } else {
            1.0 - (1.0 - before.q()).powi(3) * (1.0 - after.q()).powi(t as i32 - 2)
        }
    };
    // Certain event: exact. A second certain event in month 8 pushes λ to 0.5 + 0.9 and
    // W_russia to 0.4 − 0.6, which SPEC §4 clamps to 1 and 0.
    let clamped = Constants {
        summit_rate: 1.0,
        russia_will: 0.0,
        ..before
    };
    let second = "name = \"clamp\"\nmonth = \"2020-09\"\nprobability = 1\neffects = { \"process.summit_rate\" = 0.9, \"party.russia.will\" = -0.6 }";
    let scenario = before.scenario_with_events(&[&event(1.0), second]);
    let tally = run(&scenario, 13, Estimator::Conditional, 1000);
    for t in 0..before.months {
        let exact = if t < 8 {
            fired(t)
        } else {
            1.0 - (1.0 - fired(7)) * (1.0 - clamped.q()).powi(t as i32 - 7)
        };
        let p = tally.estimate(Estimator::Conditional, t).probability;
        assert!((p - exact).abs() < EXACT, "month {t}: {p} vs {exact}");
    }
    // A coin flip: P = (P_fired + P_not) / 2, estimated by both estimators.
    let scenario = before.scenario_with_events(&[&event(0.5)]);
    for (estimator, seed) in [(Estimator::Conditional, 14), (Estimator::Indicator, 15)] {
        let tally = run(&scenario, seed, estimator, 100_000);
        for t in 0..before.months {
            let e = tally.estimate(estimator, t);
            let exact = (fired(t) + before.cumulative(t)) / 2.0;
            if estimator == Estimator::Conditional && t < 3 {
                // Before the event every trial has the same value: exact.
                assert!(
                    (e.probability - exact).abs() < EXACT,
                    "month {t}: {} vs exact {exact}",
                    e.probability
                );
                continue;
            }
            assert!(e.std_error > 0.0, "{estimator:?} month {t}: {e:?}");
            assert!(
                (e.probability - exact).abs() <= SE_TOLERANCE * e.std_error,
                "{estimator:?} month {t}: {} vs exact {exact}, se {}",
                e.probability,
                e.std_error
            );
        }
    }
}

/// A certain `leader_exit` event in month k: W_japan ← S_japan from month k on, so
/// P(by the end of month t) = 1 − (1 − λp₁)^(t+1) before k and 1 − (1 − λp₁)^k·(1 − λp₂)^(t+1−k)
/// from k on; at the deadline 1 − (1 − λp₁)^k·(1 − λp₂)^(T−k). Checked for an event in the
/// first month, mid-window and in the last month, each month's cumulative value to `EXACT`.
/// Also: a second certain `leader_exit` of the same leader changes nothing (a leader changes
/// at most once), and an event's effect on the will applies after the exit (W ← S, then + shift).
#[test]
fn a_certain_leader_exit_event_switches_to_the_successor_from_its_month_on() {
    // min(W_japan, W_russia) = 0.7 before, min(S_japan, W_russia) = 0.4 after.
    let before = Constants {
        japan_will: 0.8,
        russia_will: 0.7,
        successor: 0.4,
        ..Constants::BASE
    };
    let after = |japan_will: f64| Constants {
        japan_will,
        ..before
    };
    let exit = |name: &str, month: &str, effects: &str| {
        format!(
            "name = \"{name}\"\nmonth = \"{month}\"\nprobability = 1\nleader_exit = [\"japan\"]\n{effects}"
        )
    };
    let closed_form = |k: usize, q2: f64| {
        let q1 = before.q();
        move |t: usize| {
            if t < k {
                1.0 - (1.0 - q1).powi(t as i32 + 1)
            } else {
                1.0 - (1.0 - q1).powi(k as i32) * (1.0 - q2).powi((t + 1 - k) as i32)
            }
        }
    };
    let months = |k: usize| format!("{}-{:02}", 2020 + k / 12, k % 12 + 1);
    for k in [0, 5, before.months - 1] {
        let resignation = exit("resignation", &months(k), "");
        // A second exit of the same leader three months later (when still in the window).
        let again = exit("second resignation", &months((k + 3).min(19)), "");
        // The effect lands on the successor's will: S + 0.1 = 0.5, not W + 0.1 (nor S).
        let shifted = exit(
            "resignation",
            &months(k),
            "effects = { \"party.japan.will\" = 0.1 }",
        );
        let cases: [(&str, Vec<&str>, f64); 3] = [
            ("one exit", vec![&resignation], after(0.4).q()),
            ("two exits", vec![&resignation, &again], after(0.4).q()),
            ("exit, then effect", vec![&shifted], after(0.5).q()),
        ];
        for (label, events, q2) in cases {
            let label = format!("{label} in month {k}");
            let scenario = before.scenario_with_events(&events);
            assert_eq!(scenario.events.len(), events.len(), "{label}");
            let exact = closed_form(k, q2);
            let tally = run(&scenario, 16, Estimator::Conditional, 1000);
            assert_exact_every_month(&label, &tally, &exact);
            // Every trial is that closed form, one at a time too, and records the exit.
            let model = Model::new(&scenario);
            let mut draws = vec![0.0; model.params()];
            let mut cumulative = vec![0.0; model.months()];
            let mut trial = Trial::new(&model);
            for i in [0, 1, 4099] {
                model.trial(
                    17,
                    i,
                    Estimator::Conditional,
                    &mut draws,
                    &mut cumulative,
                    &mut trial,
                );
                assert_eq!(trial.exits, [k, usize::MAX], "{label}, trial {i}");
                assert_eq!(trial.signed_month, None, "{label}, trial {i}");
                for (t, c) in cumulative.iter().enumerate() {
                    assert!(
                        (c - exact(t)).abs() < EXACT,
                        "{label}, trial {i}, month {t}: {c} vs {}",
                        exact(t)
                    );
                }
            }
        }
    }
}

/// Three signatories, two outside parties and two issues, every parameter a constant. The
/// parties are declared with the outside parties between the signatories, and each outside
/// party has leverage on only some issues, so that nothing depends on a party's position.
#[derive(Clone, Copy, Debug)]
struct Multilateral {
    /// W of the signatories japan, russia, korea.
    wills: [f64; 3],
    /// U of the outside parties us, china.
    indifference: [f64; 2],
    /// C of the issues security (japan concedes, russia demands) and islands (russia concedes,
    /// korea demands).
    concession: [f64; 2],
    /// D of the issues.
    demand: [f64; 2],
    /// L_{I,O} by issue and outside party (us, china); `None`: no leverage entry.
    leverage: [[Option<f64>; 2]; 2],
    summit_rate: f64,
    threshold: f64,
    noise: f64,
    deadline: &'static str,
    /// T, months from 2020-01 to the deadline.
    months: usize,
}

impl Multilateral {
    const SIGNATORIES: [&'static str; 3] = ["japan", "russia", "korea"];
    const OUTSIDE: [&'static str; 2] = ["us", "china"];
    const ISSUES: [(&'static str, &'static str, &'static str); 2] = [
        ("security", "japan", "russia"),
        ("islands", "russia", "korea"),
    ];

    /// The bilateral builder grown by a third signatory, a second outside party and a second
    /// issue, every value set.
    fn scenario(&self) -> Scenario {
        let number = |x: f64| format!("{x:?}");
        let quoted = |s: &str| format!("{s:?}");
        let mut text = ScenarioText::bilateral()
            .set("simulation.deadline", &quoted(self.deadline))
            .remove("issue.security.leverage.us")
            .set("party.china.role", "\"outside\"")
            .set("process.summit_rate", &number(self.summit_rate))
            .set("process.signing_threshold", &number(self.threshold))
            .set("process.decision_noise", &number(self.noise));
        for (name, will) in Self::SIGNATORIES.iter().zip(self.wills) {
            text = text.set(&format!("party.{name}.will"), &number(will));
        }
        for (name, u) in Self::OUTSIDE.iter().zip(self.indifference) {
            text = text.set(&format!("party.{name}.indifference"), &number(u));
        }
        for (i, (issue, concedes, demands)) in Self::ISSUES.iter().enumerate() {
            let key = |field: &str| format!("issue.{issue}.{field}");
            text = text
                .set(&key("concedes"), &quoted(concedes))
                .set(&key("demands"), &quoted(demands))
                .set(&key("concession"), &number(self.concession[i]))
                .set(&key("demand"), &number(self.demand[i]));
            for (outside, leverage) in Self::OUTSIDE.iter().zip(self.leverage[i]) {
                if let Some(l) = leverage {
                    text = text.set(&key(&format!("leverage.{outside}")), &number(l));
                }
            }
        }
        let scenario = load(&text.text(), &[]);
        assert_eq!(scenario.simulation.months(), self.months, "{self:?}");
        assert_eq!(scenario.cast.signatories().count(), 3, "{self:?}");
        assert_eq!(scenario.cast.outside().count(), 2, "{self:?}");
        assert_eq!(scenario.cast.issues.len(), 2, "{self:?}");
        let leverages = self.leverage.iter().flatten().flatten().count();
        assert_eq!(scenario.cast.len(), 3 + 2 + 4 + leverages + 4, "{self:?}");
        assert!(scenario.uncertain().is_empty(), "{self:?}");
        scenario
    }

    /// p = 1 / (1 + exp(−(min_P W_P − θ − gap) / s)),
    /// gap = Σ_I max(0, D_I − min(1, C_I + Σ_O L_{I,O}·U_O)).
    fn signing_probability(&self) -> f64 {
        let will = self.wills.iter().copied().fold(f64::INFINITY, f64::min);
        let gap: f64 = (0..2)
            .map(|i| {
                let freed: f64 = self.leverage[i]
                    .iter()
                    .zip(self.indifference)
                    .map(|(l, u)| l.unwrap_or(0.0) * u)
                    .sum();
                issue_gap(self.demand[i], self.concession[i] + freed)
            })
            .sum();
        logistic_signing(will, self.threshold, gap, self.noise)
    }

    /// P(treaty by the end of month t) = 1 − (1 − λp)^(t+1).
    fn cumulative(&self, t: usize) -> f64 {
        1.0 - (1.0 - self.summit_rate * self.signing_probability()).powi(t as i32 + 1)
    }
}

/// Requirement (a): P = 1 − (1 − λp)^T with p from the least willing of three signatories and
/// the gap summed over two issues, each freed by the leverage of two outside parties; every
/// month to `EXACT` under the conditional estimator (σ = 0, no hazards).
#[test]
fn three_signatories_two_issues_two_outside_parties_match_the_closed_form_every_month() {
    let base = Multilateral {
        wills: [0.7, 0.6, 0.8],
        indifference: [0.5, 0.4],
        // security: room 0.2 + 0.2·0.5 + 0.1·0.4 = 0.34, gap 0.16; islands: room 0.3 + 0.5·0.4
        // = 0.5 ≥ 0.4, gap 0.
        concession: [0.2, 0.3],
        demand: [0.5, 0.4],
        leverage: [[Some(0.2), Some(0.1)], [None, Some(0.5)]],
        summit_rate: 0.3,
        threshold: 0.2,
        noise: 0.1,
        deadline: "2021-09",
        months: 20,
    };
    let cases = [
        base,
        // Both issues gapped; the third signatory is the least willing; 36 months.
        Multilateral {
            wills: [0.9, 0.8, 0.45],
            demand: [0.9, 0.95],
            leverage: [[Some(0.3), None], [Some(0.2), Some(0.1)]],
            summit_rate: 0.1,
            threshold: -0.1,
            noise: 0.2,
            deadline: "2023-01",
            months: 36,
            ..base
        },
        // Room past 1 on security (0.9 + 0.5·0.8 + 0.5·0.9), the gap from islands alone.
        Multilateral {
            wills: [0.3, 0.75, 0.6],
            indifference: [0.8, 0.9],
            concession: [0.9, 0.1],
            demand: [1.0, 0.9],
            leverage: [[Some(0.5), Some(0.5)], [Some(0.3), Some(0.2)]],
            summit_rate: 0.6,
            threshold: 0.0,
            noise: 0.05,
            deadline: "2020-07",
            months: 6,
        },
        // One month, no leverage at all, no gap.
        Multilateral {
            concession: [0.6, 0.5],
            demand: [0.5, 0.5],
            leverage: [[None, None], [None, None]],
            summit_rate: 0.9,
            deadline: "2020-02",
            months: 1,
            ..base
        },
    ];
    for case in cases {
        let scenario = case.scenario();
        let tally = run(&scenario, 18, Estimator::Conditional, 1000);
        assert_exact_every_month(&format!("{case:?}"), &tally, &|t| case.cumulative(t));
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The two estimators agree
// ---------------------------------------------------------------------------------------------

/// Runs both estimators on independent seeds (so the combined standard error is exact) and
/// checks every month's cumulative probability.
fn assert_estimators_agree(scenario: &Scenario, n: u64) {
    let seed = scenario.simulation.seed;
    let conditional = run(scenario, seed, Estimator::Conditional, n);
    let indicator = run(scenario, seed.wrapping_add(1), Estimator::Indicator, n);
    for t in 0..scenario.simulation.months() {
        let a = conditional.estimate(Estimator::Conditional, t);
        let b = indicator.estimate(Estimator::Indicator, t);
        let se = a.std_error.hypot(b.std_error);
        assert!(
            (a.probability - b.probability).abs() <= SE_TOLERANCE * se,
            "{} month {t}: conditional {} vs indicator {} (combined se {se})",
            scenario.name,
            a.probability,
            b.probability
        );
    }
    // The conditional estimator has the lower variance (SPEC §4).
    let last = scenario.simulation.months() - 1;
    let (a, b) = (
        conditional.estimate(Estimator::Conditional, last),
        indicator.estimate(Estimator::Indicator, last),
    );
    assert!(
        a.std_error <= b.std_error,
        "{}: conditional se {} > indicator se {}",
        scenario.name,
        a.std_error,
        b.std_error
    );
}

#[test]
fn estimators_agree_on_every_shipped_scenario() {
    let catalog = Catalog::new(shipped_scenarios());
    let names = catalog.names().expect("shipped scenarios");
    assert!(!names.is_empty());
    for name in names {
        let scenario = catalog
            .load(&name, &[])
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_estimators_agree(&scenario, 100_000);
    }
}

/// Frequent changes of leader and events whose effects are distributions, on every state
/// parameter of the bilateral cast.
fn volatile() -> ScenarioText {
    ScenarioText::bilateral()
        .set("description", "\"volatile: frequent changes of leader, random event shifts\"")
        .set("simulation.trials", "100000")
        .set("simulation.seed", "99")
        .dist("party.japan.will", "beta(6, 3)")
        .set("party.japan.leader_exit_hazard", "0.2")
        .dist("party.japan.successor_will", "beta(2, 5)")
        .dist("party.russia.will", "beta(3, 5)")
        .dist("party.us.indifference", "uniform(0.2, 0.8)")
        .dist("issue.security.concession", "0.05 to 0.3")
        .dist("issue.security.demand", "pert(0.3, 0.5, 0.9)")
        .dist("issue.security.leverage.us", "0.1 to 0.6")
        .dist("process.summit_rate", "truncnormal(0.3, 0.1, 0.1, 0.6)")
        .dist("process.will_volatility", "0.02 to 0.08")
        .dist("process.signing_threshold", "normal(0.2, 0.05)")
        .dist("process.decision_noise", "lognormal(-2.5, 0.3)")
        .event(
            r#"name = "shock"
month = "2020-01"
probability = 0.5
effects = { "party.russia.will" = "-0.1 to 0.2", "party.us.indifference" = "normal(0, 0.1)" }"#,
        )
        .event(
            r#"name = "thaw"
month = "2020-06"
probability = 0.7
effects = { "issue.security.concession" = "uniform(0, 0.3)", "issue.security.demand" = "triangular(-0.3, -0.1, 0)", "process.summit_rate" = "beta(2, 8)", "party.japan.will" = 0.1 }"#,
        )
        .event(
            r#"name = "freeze"
month = "2021-01"
probability = 0.4
effects = { "process.summit_rate" = "-0.2 to -0.05", "party.russia.will" = -0.1 }"#,
        )
}

#[test]
fn estimators_agree_with_leader_changes_and_random_event_effects() {
    let scenario = load(&volatile().text(), &[]);
    assert_eq!(scenario.events.len(), 3);
    assert_estimators_agree(&scenario, 100_000);
}

/// A general scenario: `ScenarioText::multilateral` (signatories japan, russia and korea,
/// outside parties us and china, issues security and islands, exit hazards, `leader_exit`
/// events with random effects) with a third issue, fisheries (korea concedes to japan, no
/// leverage), and an event shifting it by random amounts.
fn general() -> ScenarioText {
    ScenarioText::multilateral()
        .set(
            "description",
            "\"three signatories, three issues, two outside parties\"",
        )
        .set("simulation.trials", "100000")
        .set("issue.fisheries.concedes", "\"korea\"")
        .set("issue.fisheries.demands", "\"japan\"")
        .dist("issue.fisheries.concession", "uniform(0, 0.2)")
        .dist("issue.fisheries.demand", "triangular(0, 0.1, 0.3)")
        .event(
            r#"name = "fisheries deal"
month = "2021-02"
probability = 0.6
effects = { "issue.fisheries.concession" = "uniform(0, 0.3)", "issue.islands.concession" = "beta(2, 8)" }"#,
        )
}

/// Requirement (c): the two estimators agree on general scenarios — three signatories, several
/// issues, outside parties, exit hazards, `leader_exit` events (alone and with effects), random
/// effects, correlated inputs, and frequent certain exits.
#[test]
fn estimators_agree_on_general_scenarios() {
    let correlated = general()
        .set("simulation.seed", "2025")
        .raw("[correlations]\n\"party.japan.will ~ party.korea.will\" = 0.5\n\"issue.security.demand ~ party.us.indifference\" = -0.4");
    // Frequent changes of leader: japan's at 0.3 a month, russia's and korea's at once by a
    // certain event in the first month; a volatile will.
    let turbulent = general()
        .set("simulation.seed", "2026")
        .set("party.japan.leader_exit_hazard", "0.3")
        .dist("process.will_volatility", "uniform(0.05, 0.15)")
        .event(
            r#"name = "coup"
month = "2020-01"
probability = 1
leader_exit = ["russia", "korea"]"#,
        );
    for (label, text) in [
        ("general", general()),
        ("correlated", correlated),
        ("turbulent", turbulent),
    ] {
        let scenario = load(&text.text(), &[]);
        assert_eq!(scenario.cast.signatories().count(), 3, "{label}");
        assert_eq!(scenario.cast.outside().count(), 2, "{label}");
        assert_eq!(scenario.cast.issues.len(), 3, "{label}");
        assert!(
            scenario.events.iter().any(|e| !e.leader_exit.is_empty()),
            "{label}"
        );
        assert_estimators_agree(&scenario, 100_000);
    }
}

// ---------------------------------------------------------------------------------------------
// The shipped scenarios keep the probabilities of version 0.1
// ---------------------------------------------------------------------------------------------

/// Version 0.1's conditional results (200,000 trials, seed 20200120) for the shipped
/// scenarios, from its `summary.csv`: (name, probability, std_error). Format 2 writes the same
/// model (SPEC §4), but its per-parameter streams are keyed by a hash of the parameter's key,
/// so the draws, and the estimates, differ from 0.1's within their standard errors only.
const V01_CONDITIONAL: [(&str, f64, f64); 7] = [
    ("baseline", 0.05512320823370769, 0.00035842704359548256),
    (
        "hindsight_2020",
        0.002933678026336309,
        0.00003120924954485563,
    ),
    ("jain", 0.00722013690316592, 0.00010694429743158426),
    ("kistanov", 0.012138607370812553, 0.00014147955860871857),
    ("mason", 0.1440264111281206, 0.0006006786996542528),
    ("togo", 0.17593211160132458, 0.0006573784796706508),
    ("two_islands", 0.13241236694159728, 0.0005772452977454603),
];

/// Each shipped scenario, run as 0.1 ran it, agrees with 0.1's probability within
/// `SE_TOLERANCE` combined standard errors, √(se_0.1² + se_now²).
#[test]
fn shipped_scenarios_keep_their_0_1_probabilities() {
    let catalog = Catalog::new(shipped_scenarios());
    let names = catalog.names().expect("shipped scenarios");
    let expected: Vec<&str> = V01_CONDITIONAL.iter().map(|(name, ..)| *name).collect();
    assert_eq!(names, expected, "the shipped scenarios are 0.1's seven");
    for (name, old, old_se) in V01_CONDITIONAL {
        let scenario = catalog
            .load(name, &[])
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(scenario.simulation.trials, 200_000, "{name}");
        assert_eq!(scenario.simulation.seed, 20_200_120, "{name}");
        let tally = run(&scenario, 20_200_120, Estimator::Conditional, 200_000);
        let e = tally.estimate(Estimator::Conditional, scenario.simulation.months() - 1);
        let se = old_se.hypot(e.std_error);
        assert!(
            (e.probability - old).abs() <= SE_TOLERANCE * se,
            "{name}: {} (se {}) vs 0.1's {old} (se {old_se}): {:.2} combined se apart",
            e.probability,
            e.std_error,
            (e.probability - old).abs() / se
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Distributions: Kolmogorov–Smirnov tests
// ---------------------------------------------------------------------------------------------

/// Draws per KS test.
const KS_DRAWS: usize = 100_000;

/// Agreement between the library's CDF / quantile and the reference CDF: both evaluate the
/// same closed form through special functions (regularised incomplete beta, erfc) whose
/// documented accuracy is about 1e-10 near the tails, so they may differ by rounding far above
/// `EXACT` but never by a modelling error (which would be ≥ 1e-4 at these points).
const SPECIAL_FUNCTION: f64 = 1e-9;

/// A reference CDF for `dist`, from statrs or written out from the textbook formula, sharing
/// no code with `src/distribution/`.
fn reference_cdf(dist: &Dist) -> Box<dyn Fn(f64) -> f64> {
    match *dist {
        Dist::Constant(c) => Box::new(move |x| if x >= c { 1.0 } else { 0.0 }),
        Dist::Uniform { lo, hi } => {
            let d = Uniform::new(lo, hi).expect("uniform");
            Box::new(move |x| d.cdf(x))
        }
        Dist::Beta { a, b } => {
            let d = Beta::new(a, b).expect("beta");
            Box::new(move |x| d.cdf(x.clamp(0.0, 1.0)))
        }
        Dist::Normal { mean, sd } => {
            let d = Normal::new(mean, sd).expect("normal");
            Box::new(move |x| d.cdf(x))
        }
        Dist::TruncNormal { mean, sd, lo, hi } => {
            // F(x) = (Φ(x) − Φ(lo)) / (Φ(hi) − Φ(lo)); above the mean with survival functions
            // Q = 1 − Φ, F(x) = (Q(lo) − Q(x)) / (Q(lo) − Q(hi)), which keeps far tails exact.
            let d = Normal::new(mean, sd).expect("normal");
            if lo > mean {
                let (q_lo, q_hi) = (d.sf(lo), d.sf(hi));
                Box::new(move |x| (q_lo - d.sf(x.clamp(lo, hi))) / (q_lo - q_hi))
            } else {
                let (p_lo, p_hi) = (d.cdf(lo), d.cdf(hi));
                Box::new(move |x| (d.cdf(x.clamp(lo, hi)) - p_lo) / (p_hi - p_lo))
            }
        }
        Dist::LogNormal { mu, sigma } => {
            let d = LogNormal::new(mu, sigma).expect("lognormal");
            Box::new(move |x| if x <= 0.0 { 0.0 } else { d.cdf(x) })
        }
        Dist::Triangular { lo, mode, hi } => Box::new(move |x| {
            if x <= lo {
                0.0
            } else if x >= hi {
                1.0
            } else if x <= mode {
                (x - lo) * (x - lo) / ((hi - lo) * (mode - lo))
            } else {
                1.0 - (hi - x) * (hi - x) / ((hi - lo) * (hi - mode))
            }
        }),
        Dist::Pert { lo, mode, hi } => {
            // Beta-PERT, shape 4: lo + (hi − lo)·Beta(1 + 4(mode − lo)/(hi − lo), 1 + 4(hi − mode)/(hi − lo)).
            let range = hi - lo;
            let d = Beta::new(
                1.0 + 4.0 * (mode - lo) / range,
                1.0 + 4.0 * (hi - mode) / range,
            )
            .expect("pert");
            Box::new(move |x| d.cdf(((x - lo) / range).clamp(0.0, 1.0)))
        }
    }
}

/// Asserts that `sample()` draws from `dist`: the KS and Anderson–Darling statistics against
/// the reference CDF are below their 0.1% critical values, and every draw lies in the support.
fn assert_ks(label: &str, dist: &Dist, sample: &mut dyn FnMut() -> f64) {
    let (lo, hi, _) = dist.support();
    let xs: Vec<f64> = (0..KS_DRAWS).map(|_| sample()).collect();
    if let Some(x) = xs.iter().find(|x| !(lo..=hi).contains(*x)) {
        panic!("{label}: draw {x} outside the support [{lo}, {hi}]");
    }
    let cdf = reference_cdf(dist);
    let d = ks(&xs, &*cdf);
    let critical = KS_CRITICAL / (KS_DRAWS as f64).sqrt();
    assert!(d < critical, "{label} ({dist}): KS D = {d} >= {critical}");
    let a2 = anderson_darling(&xs, &*cdf);
    assert!(
        a2 < AD_CRITICAL,
        "{label} ({dist}): Anderson–Darling A² = {a2} >= {AD_CRITICAL}"
    );
}

/// Parses `text` for `domain`, checks the family, and KS-tests `Sampler` draws.
fn check_family(text: &str, domain: Option<Domain>, seed: u64) -> Dist {
    let dist = Written::parse(text)
        .and_then(|w| w.resolve(domain))
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    if let Some(domain) = domain {
        dist.check_domain(domain)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
    }
    let sampler = Sampler::new(&dist);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    assert_ks(text, &dist, &mut || sampler.sample(&mut rng));
    // The library's own CDF agrees with the reference (both are special-function evaluations
    // of the same closed form; they differ by rounding only).
    let reference = reference_cdf(&dist);
    for u in [0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999] {
        let x = dist.quantile(u);
        assert!(
            (dist.cdf(x) - reference(x)).abs() < SPECIAL_FUNCTION,
            "{text}: cdf({x}) = {} vs reference {}",
            dist.cdf(x),
            reference(x)
        );
        assert!(
            (reference(x) - u).abs() < SPECIAL_FUNCTION,
            "{text}: quantile({u}) = {x}, reference cdf {}",
            reference(x)
        );
    }
    dist
}

#[test]
fn ks_uniform() {
    check_family("uniform(0.2, 0.8)", Some(Domain::Unit), 101);
    check_family("uniform(-3, 5)", Some(Domain::Real), 102);
}

#[test]
fn ks_beta() {
    for (i, text) in [
        "beta(6, 3)",
        "beta(2.5, 6.5)",
        "beta(0.5, 0.5)",
        "beta(0.3, 2)",
        "beta(1.2, 12)",
        "beta(1, 1)",
        "beta(200, 300)",
    ]
    .into_iter()
    .enumerate()
    {
        check_family(text, Some(Domain::Unit), 200 + i as u64);
    }
}

#[test]
fn ks_normal() {
    check_family("normal(0.3, 0.1)", Some(Domain::Real), 301);
    check_family("normal(-2, 5)", Some(Domain::Real), 302);
    check_family("normal(0.25, 0.06)", None, 303);
}

#[test]
fn ks_truncnormal_by_rejection_and_by_inversion() {
    let cases = [
        // [lo, hi] holds most of the mass: rejection.
        ("truncnormal(0.3, 0.07, 0.1, 0.5)", true),
        ("truncnormal(0.5, 0.4, 0, 1)", true),
        ("truncnormal(0.8, 0.08, 0.6, 1)", true),
        // Far upper tail, 6 to 8 sd above the mean: inversion on survival probabilities.
        ("truncnormal(0, 0.05, 0.3, 0.4)", false),
        // Far lower tail, 3.5 to 6 sd below the mean.
        ("truncnormal(0.5, 0.2, -0.7, -0.2)", false),
        // A narrow window across the mean, and one just above it.
        ("truncnormal(0, 1, -0.1, 0.1)", false),
        ("truncnormal(0, 1, 0.5, 0.8)", false),
    ];
    for (i, (text, rejection)) in cases.into_iter().enumerate() {
        let domain = if text.contains('-') {
            Domain::Real
        } else {
            Domain::Unit
        };
        let dist = check_family(text, Some(domain), 400 + i as u64);
        assert!(
            matches!(Sampler::new(&dist), Sampler::TruncNormal { rejection: r, .. } if r == rejection),
            "{text}: expected the {} sampler",
            if rejection { "rejection" } else { "inversion" }
        );
    }
}

#[test]
fn ks_lognormal() {
    check_family("lognormal(-2.8, 0.25)", Some(Domain::Positive), 501);
    check_family("lognormal(0, 1)", Some(Domain::NonNegative), 502);
    check_family("lognormal(1.5, 2)", Some(Domain::Positive), 503);
}

#[test]
fn ks_triangular() {
    for (i, text) in [
        "triangular(0.002, 0.008, 0.02)",
        "triangular(0.25, 0.4, 0.55)",
        "triangular(0, 0, 1)",
        "triangular(0.1, 0.9, 0.9)",
        "triangular(-0.3, -0.1, 0)",
    ]
    .into_iter()
    .enumerate()
    {
        let domain = if text.contains('-') {
            Domain::Real
        } else {
            Domain::Unit
        };
        check_family(text, Some(domain), 600 + i as u64);
    }
}

#[test]
fn ks_pert() {
    for (i, text) in [
        "pert(0.45, 0.7, 0.95)",
        "pert(0.4, 0.75, 0.95)",
        "pert(0, 0, 1)",
        "pert(0.2, 1, 1)",
        "pert(0.01, 0.08, 0.2)",
    ]
    .into_iter()
    .enumerate()
    {
        check_family(text, Some(Domain::Unit), 700 + i as u64);
    }
}

// ---------------------------------------------------------------------------------------------
// 3b. Extreme beta shapes: KS and Anderson–Darling at 10⁶ draws (SPEC §11)
// ---------------------------------------------------------------------------------------------

/// Draws per extreme-shape test: SPEC §11's 10⁶.
const EXTREME_DRAWS: usize = 1_000_000;

/// The shapes of SPEC §11 and of the issue: both below 1 and tiny (half the mass within 1e-300
/// of 0 or 1), one tiny and one below or above 1, the arcsine, a skewed small one, and one
/// tiny with the other exactly 1 (an exponential gamma in log space).
const EXTREME_BETAS: [(f64, f64); 7] = [
    (1e-3, 1e-3),
    (0.01, 0.5),
    (0.5, 0.5),
    (1e-3, 2.0),
    (2.0, 1e-3),
    (0.2, 30.0),
    (1.0, 0.01),
];

/// P(X < v) for X ~ Beta(a, b) rounded to the nearest double, v a double in (0, 1]: the CDF
/// half-way between v and the double below it, from statrs' regularised incomplete beta on the
/// side where that point is exact. Above 1/2 the doubles are 2⁻⁵³ apart, so the half-way point
/// is 1 − ((1 − v) + 2⁻⁵⁴), and 1 − X is Beta(b, a). Below, the CDF is smooth on the scale of
/// the doubles' spacing, except between 0 and the smallest double, where it is the power law
/// x^a.
fn rounded_beta_below(a: f64, b: f64, v: f64) -> f64 {
    if v > 0.5 {
        return 1.0 - beta_reg(b, a, (1.0 - v) + f64::EPSILON / 4.0);
    }
    let previous = v.next_down();
    if previous == 0.0 {
        beta_reg(a, b, v) * 0.5_f64.powf(a)
    } else {
        0.5 * (beta_reg(a, b, previous) + beta_reg(a, b, v))
    }
}

/// Randomised probability integral transforms of `draws` of a rounded Beta(a, b): a draw v
/// goes to a uniform point of [P(X < v), P(X ≤ v)]. They are U(0, 1) exactly when the draws
/// are right, atoms included: in double precision beta(0.001, 0.001) is 0 with probability
/// 0.237 and 1 with probability 0.482, and beta(2, 0.001) is 1 with probability 0.964, so the
/// CDF of the draws themselves cannot be compared with a continuous one.
fn rounded_beta_pit(a: f64, b: f64, draws: &[f64], seed: u64) -> Vec<f64> {
    let below = |v: f64| {
        if v <= 0.0 {
            0.0
        } else if v > 1.0 {
            1.0
        } else {
            rounded_beta_below(a, b, v)
        }
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    draws
        .iter()
        .map(|&v| {
            let (lo, hi) = (below(v), below(v.next_up()));
            lo + uniform(&mut rng) * (hi - lo)
        })
        .collect()
}

/// Asserts that `draws` are Beta(a, b) rounded to doubles: all in [0, 1], none exactly 1/2 (the
/// old sampler's fallback; its true probability is about 1e-16), KS and Anderson–Darling of
/// their randomised transforms below the 0.1% critical values, and mean and variance within
/// `SE_TOLERANCE` standard errors (the variance's from the sample's fourth moment).
fn assert_rounded_beta(label: &str, a: f64, b: f64, draws: &[f64], seed: u64) {
    let n = draws.len() as f64;
    if let Some(x) = draws.iter().find(|x| !(0.0..=1.0).contains(*x)) {
        panic!("{label}: draw {x} outside [0, 1]");
    }
    let halves = draws.iter().filter(|x| **x == 0.5).count();
    assert_eq!(halves, 0, "{label}: {halves} draws of exactly 0.5");
    let u = rounded_beta_pit(a, b, draws, seed);
    let d = ks_transformed(u.clone());
    let a2 = anderson_darling_transformed(u);
    let mean = draws.iter().sum::<f64>() / n;
    let variance = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let fourth = draws.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
    let exact_mean = a / (a + b);
    let exact_variance = a * b / ((a + b).powi(2) * (a + b + 1.0));
    let (zeros, ones) = (
        draws.iter().filter(|x| **x == 0.0).count(),
        draws.iter().filter(|x| **x == 1.0).count(),
    );
    eprintln!(
        "{label}: √n·D = {:.3}, A² = {a2:.3}, mean {mean:.6} ({exact_mean:.6}), variance \
         {variance:.6} ({exact_variance:.6}), {zeros} zeros, {ones} ones",
        d * n.sqrt()
    );
    assert!(
        d < KS_CRITICAL / n.sqrt(),
        "{label}: KS √n·D = {} >= {KS_CRITICAL}",
        d * n.sqrt()
    );
    assert!(a2 < AD_CRITICAL, "{label}: A² = {a2} >= {AD_CRITICAL}");
    let mean_se = (exact_variance / n).sqrt();
    assert!(
        (mean - exact_mean).abs() < SE_TOLERANCE * mean_se,
        "{label}: mean {mean}, exact {exact_mean} (se {mean_se})"
    );
    let variance_se = ((fourth - variance * variance) / n).sqrt();
    assert!(
        (variance - exact_variance).abs() < SE_TOLERANCE * variance_se,
        "{label}: variance {variance}, exact {exact_variance} (se {variance_se})"
    );
}

#[test]
fn beta_at_extreme_shapes_passes_ks_and_anderson_darling_at_a_million_draws() {
    for (i, (a, b)) in EXTREME_BETAS.into_iter().enumerate() {
        let sampler = Sampler::new(&Dist::Beta { a, b });
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1100 + i as u64);
        let draws: Vec<f64> = (0..EXTREME_DRAWS)
            .map(|_| sampler.sample(&mut rng))
            .collect();
        assert_rounded_beta(&format!("beta({a}, {b})"), a, b, &draws, 1200 + i as u64);
    }
}

/// The test above has the power to see the old sampler's fault: the ratio of the two gammas
/// themselves, 0.5 where both underflow, fails it at a tenth of the draws.
#[test]
fn the_ratio_of_underflowing_gammas_fails_the_extreme_shape_test() {
    let (a, b) = (1e-3, 1e-3);
    let (x, y) = (Gamma::new(a), Gamma::new(b));
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1300);
    let draws: Vec<f64> = (0..EXTREME_DRAWS / 10)
        .map(|_| {
            let (gx, gy) = (x.sample(&mut rng), y.sample(&mut rng));
            if gx + gy > 0.0 { gx / (gx + gy) } else { 0.5 }
        })
        .collect();
    let halves = draws.iter().filter(|x| **x == 0.5).count();
    assert!(halves > draws.len() / 5, "{halves} draws of 0.5");
    let u = rounded_beta_pit(a, b, &draws, 1301);
    let n = draws.len() as f64;
    assert!(ks_transformed(u.clone()) * n.sqrt() > 10.0 * KS_CRITICAL);
    assert!(anderson_darling_transformed(u) > 100.0 * AD_CRITICAL);
}

/// beta(1e-100, 1e-100) is within 1e-300 of 0 or of 1 but with probability 1e-97: in double
/// precision 0 or 1, each with probability 1/2. Its quantile function agrees.
#[test]
fn beta_with_shapes_1e_minus_100_is_0_or_1_with_probability_one_half_each() {
    let dist = Written::parse("beta(1e-100, 1e-100)")
        .and_then(|w| w.resolve(Some(Domain::Unit)))
        .expect("shapes down to 1e-100 are accepted");
    let sampler = Sampler::new(&dist);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1400);
    let mut ones = 0_usize;
    for _ in 0..EXTREME_DRAWS {
        let x = sampler.sample(&mut rng);
        assert!(x == 0.0 || x == 1.0, "draw {x}");
        ones += usize::from(x == 1.0);
    }
    let n = EXTREME_DRAWS as f64;
    let se = (n * 0.25).sqrt();
    assert!(
        (ones as f64 - n / 2.0).abs() < SE_TOLERANCE * se,
        "{ones} ones in {EXTREME_DRAWS} draws"
    );
    for (u, x) in [
        (1e-12, 0.0),
        (0.4999, 0.0),
        (0.5001, 1.0),
        (1.0 - 1e-12, 1.0),
    ] {
        assert_eq!(dist.quantile(u), x, "quantile at {u}");
    }
}

/// A correlated parameter is drawn through the copula, by its quantile function: with a
/// Spearman correlation of 0.0001 an extreme beta's marginal is the same rounded beta as the
/// sampler's, atoms at 0 and 1 included.
#[test]
fn an_extreme_beta_keeps_its_marginal_when_a_tiny_correlation_is_added() {
    let text = ScenarioText::bilateral()
        .set("simulation.deadline", "\"2020-06\"")
        .text();
    for (i, (a, b)) in [(1e-3, 1e-3), (1e-3, 2.0), (2.0, 1e-3), (0.01, 0.5)]
        .into_iter()
        .enumerate()
    {
        let mut sets = vec![
            format!("party.japan.will=beta({a}, {b})"),
            "party.russia.will=beta(2, 2)".to_string(),
        ];
        for correlated in [false, true] {
            if correlated {
                sets.push("correlations.party.japan.will ~ party.russia.will=0.0001".to_string());
            }
            let scenario = load(&text, &sets);
            let model = Model::new(&scenario);
            let will = scenario.cast.id("party.japan.will").expect("a parameter");
            let mut draws = vec![0.0; model.params()];
            let column: Vec<f64> = (0..EXTREME_DRAWS as u64)
                .map(|trial| {
                    model.draw(rng::trial_key(1500 + i as u64, trial), &mut draws);
                    draws[will.index()]
                })
                .collect();
            let label = format!("beta({a}, {b}), correlated: {correlated}");
            assert_rounded_beta(&label, a, b, &column, 1600 + i as u64);
        }
    }
}

/// Correlated betas drawn by the copula, from its tabulated quantiles (ordinary and lopsided
/// shapes, the arcsine) or its exact search (a tiny shape): at 10⁶ trials each marginal is its
/// rounded beta by KS and Anderson–Darling, and the sample Spearman correlation is within
/// 0.005 of the target (its standard error is about (1 − ρ²)/√n ≤ 0.001, so 5 of them), except
/// for beta(0.001, 2), three quarters of whose draws are the tie 0.
#[test]
fn correlated_betas_keep_their_marginals_and_reach_their_spearman_target_at_a_million_draws() {
    let text = ScenarioText::bilateral()
        .set("simulation.deadline", "\"2020-06\"")
        .text();
    let cases = [
        ((7.0, 3.0), (2.5, 6.5), 0.3),
        ((0.2, 30.0), (0.5, 0.5), -0.4),
        ((1e-3, 2.0), (4.0, 4.0), 0.6),
    ];
    for (i, ((a, b), (c, d), rho)) in cases.into_iter().enumerate() {
        let sets = vec![
            format!("party.japan.will=beta({a}, {b})"),
            format!("party.russia.will=beta({c}, {d})"),
            format!("correlations.party.japan.will ~ party.russia.will={rho}"),
        ];
        let scenario = load(&text, &sets);
        let model = Model::new(&scenario);
        let index = |key: &str| scenario.cast.id(key).expect("a parameter").index();
        let (japan, russia) = (index("party.japan.will"), index("party.russia.will"));
        let mut draws = vec![0.0; model.params()];
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for trial in 0..EXTREME_DRAWS as u64 {
            model.draw(rng::trial_key(1700 + i as u64, trial), &mut draws);
            x.push(draws[japan]);
            y.push(draws[russia]);
        }
        let label = format!("beta({a}, {b}) ~ beta({c}, {d}) = {rho}");
        assert_rounded_beta(&format!("{label}: first"), a, b, &x, 1800 + i as u64);
        assert_rounded_beta(&format!("{label}: second"), c, d, &y, 1900 + i as u64);
        if a > 0.01 {
            let r = spearman(&x, &y);
            assert!((r - rho).abs() <= 0.005, "{label}: Spearman {r}");
        }
    }
}

/// The z of the 95% quantile, from statrs: a 90% interval spans ±z standard deviations.
fn z95() -> f64 {
    Normal::standard().inverse_cdf(0.95)
}

#[test]
fn interval_on_the_unit_interval_is_the_beta_with_those_quantiles() {
    let cases = [
        (0.05, 0.3),
        (0.02, 0.2),
        (0.15, 0.5),
        (0.001, 0.01),
        (0.6, 0.99),
        (0.4, 0.41),
        (0.1, 0.9),
    ];
    for (i, (lo, hi)) in cases.into_iter().enumerate() {
        let text = format!("{lo} to {hi}");
        let dist = check_family(&text, Some(Domain::Unit), 800 + i as u64);
        let Dist::Beta { a, b } = dist else {
            panic!("{text} on [0, 1] resolved to {dist}")
        };
        let beta = Beta::new(a, b).expect("beta");
        // SPEC §3 / src/distribution/fit.rs promise the fitted quantiles to 1e-6.
        let (q05, q95) = (beta.inverse_cdf(0.05), beta.inverse_cdf(0.95));
        assert!(
            (q05 - lo).abs() <= 1e-6,
            "{text}: beta({a}, {b}) has 5% quantile {q05}"
        );
        assert!(
            (q95 - hi).abs() <= 1e-6,
            "{text}: beta({a}, {b}) has 95% quantile {q95}"
        );
    }
}

#[test]
fn interval_on_the_positive_reals_is_the_lognormal_with_those_quantiles() {
    let cases: [(f64, f64, Domain); 3] = [
        (0.02, 0.06, Domain::NonNegative),
        (0.01, 0.2, Domain::Positive),
        (0.5, 20.0, Domain::Positive),
    ];
    for (i, (lo, hi, domain)) in cases.into_iter().enumerate() {
        let text = format!("{lo} to {hi}");
        let dist = check_family(&text, Some(domain), 900 + i as u64);
        let Dist::LogNormal { mu, sigma } = dist else {
            panic!("{text} on {domain} resolved to {dist}")
        };
        let (lo_ln, hi_ln): (f64, f64) = (lo.ln(), hi.ln());
        assert!(
            (mu - (lo_ln + hi_ln) / 2.0).abs() < EXACT,
            "{text}: mu {mu}"
        );
        assert!(
            (sigma - (hi_ln - lo_ln) / (2.0 * z95())).abs() < EXACT,
            "{text}: sigma {sigma}"
        );
        let d = LogNormal::new(mu, sigma).expect("lognormal");
        assert!(
            (d.inverse_cdf(0.05) - lo).abs() < EXACT * lo.max(1.0),
            "{text}: 5% quantile {}",
            d.inverse_cdf(0.05)
        );
        assert!(
            (d.inverse_cdf(0.95) - hi).abs() < EXACT * hi.max(1.0),
            "{text}: 95% quantile {}",
            d.inverse_cdf(0.95)
        );
    }
}

#[test]
fn interval_on_the_reals_and_for_event_effects_is_the_normal_with_those_quantiles() {
    let cases: [(f64, f64, Option<Domain>); 4] = [
        (0.25, 0.45, Some(Domain::Real)),
        (-0.35, -0.15, None),
        (-0.2, 0.1, None),
        (-3.0, 40.0, Some(Domain::Real)),
    ];
    for (i, (lo, hi, domain)) in cases.into_iter().enumerate() {
        let text = format!("{lo} to {hi}");
        let dist = check_family(&text, domain, 1000 + i as u64);
        let Dist::Normal { mean, sd } = dist else {
            panic!("{text} on {domain:?} resolved to {dist}")
        };
        let d = Normal::new(mean, sd).expect("normal");
        let scale = hi.abs().max(lo.abs()).max(1.0);
        assert!(
            (d.inverse_cdf(0.05) - lo).abs() < EXACT * scale,
            "{text}: 5% quantile {}",
            d.inverse_cdf(0.05)
        );
        assert!(
            (d.inverse_cdf(0.95) - hi).abs() < EXACT * scale,
            "{text}: 95% quantile {}",
            d.inverse_cdf(0.95)
        );
    }
}

/// The trial's parameter draws (one fresh SplitMix64 stream per trial and parameter, SPEC §5)
/// follow the written distributions across trials.
#[test]
fn per_trial_parameter_draws_follow_their_distributions() {
    let scenario = Catalog::new(shipped_scenarios())
        .load("baseline", &[])
        .expect("baseline");
    let model = Model::new(&scenario);
    let seed = scenario.simulation.seed;
    let mut columns = vec![Vec::with_capacity(KS_DRAWS); scenario.cast.len()];
    let mut draws = vec![0.0; model.params()];
    assert_eq!(draws.len(), scenario.cast.len());
    for trial in 0..KS_DRAWS as u64 {
        model.draw(rng::trial_key(seed, trial), &mut draws);
        for (column, &x) in columns.iter_mut().zip(&draws) {
            column.push(x);
        }
    }
    let mut tested = 0;
    for (id, column) in scenario.cast.ids().zip(columns) {
        let key = scenario.cast.key(id);
        let dist = *scenario.dist(id);
        if let Dist::Constant(c) = dist {
            assert!(
                column.iter().all(|&x| x == c),
                "{key}: constant {c} not drawn as itself"
            );
            continue;
        }
        let mut values = column.into_iter();
        assert_ks(key, &dist, &mut || values.next().expect("draw"));
        tested += 1;
    }
    assert!(tested >= 10, "baseline has {tested} uncertain parameters");
    assert_eq!(tested, scenario.uncertain().len());
}

// ---------------------------------------------------------------------------------------------
// 4. Timeline
// ---------------------------------------------------------------------------------------------

#[test]
fn timeline_is_consistent_with_the_summary() {
    let dir = workdir(&[]);
    let scenarios = shipped_scenarios();
    for estimator in ["conditional", "indicator"] {
        let out = format!("results-{estimator}");
        treatysim(dir.path())
            .args([
                "run",
                "baseline",
                "--trials",
                "20000",
                "--estimator",
                estimator,
                "--out",
                &out,
            ])
            .arg("--scenarios")
            .arg(&scenarios)
            .assert()
            .success();
        let (sh, summary) = read_csv(&dir.path().join(&out).join("baseline").join("summary.csv"));
        let (th, timeline) = read_csv(&dir.path().join(&out).join("baseline").join("timeline.csv"));
        assert_eq!(summary.len(), 1);
        assert_eq!(timeline.len(), 20, "2020-01 to 2021-08");
        let col =
            |header: &[String], name: &str| header.iter().position(|h| h == name).expect(name);
        // The last cumulative probability is the summary's probability, as the same string.
        let last = timeline.last().expect("rows");
        assert_eq!(
            last[col(&th, "cumulative_probability")],
            summary[0][col(&sh, "probability")],
            "{estimator}"
        );
        assert_eq!(summary[0][col(&sh, "estimator")], estimator);
        let (mut sum_in_month, mut previous) = (0.0, 0.0);
        for (t, row) in timeline.iter().enumerate() {
            let month = format!("{}-{:02}", 2020 + t / 12, t % 12 + 1);
            assert_eq!(row[col(&th, "month")], month, "{estimator} row {t}");
            assert_eq!(row[col(&th, "scenario")], "baseline");
            let cumulative = field(&th, row, "cumulative_probability");
            sum_in_month += field(&th, row, "probability_in_month");
            assert!(
                (sum_in_month - cumulative).abs() < EXACT,
                "{estimator} {month}: Σ in-month {sum_in_month} vs cumulative {cumulative}"
            );
            assert!(
                cumulative >= previous,
                "{estimator} {month}: cumulative {cumulative} < {previous}"
            );
            let (low, high) = (field(&th, row, "ci95_low"), field(&th, row, "ci95_high"));
            assert!(
                0.0 <= low && low <= cumulative && cumulative <= high && high <= 1.0,
                "{estimator} {month}: [{low}, {high}] vs {cumulative}"
            );
            previous = cumulative;
        }
        assert!(
            previous > 0.0,
            "{estimator}: no treaty in 20000 trials of the baseline"
        );
        // The last row's interval is the summary's.
        for c in ["ci95_low", "ci95_high"] {
            assert_eq!(
                last[col(&th, c)],
                summary[0][col(&sh, c)],
                "{estimator} {c}"
            );
        }
        assert_remaining_follows_the_cumulative_column(estimator, &sh, &summary[0], &th, &timeline);
    }
}

/// SPEC §6: the first row's remaining probability and its interval are the summary's
/// probability and interval, as the same strings; every row's is (F_last − F_{t−1}) / (1 − F_{t−1})
/// of the cumulative column to [`EXACT`], inside its interval, inside [0, 1].
fn assert_remaining_follows_the_cumulative_column(
    label: &str,
    summary_header: &[String],
    summary: &[String],
    header: &[String],
    timeline: &[Vec<String>],
) {
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let summary_col = |name: &str| summary_header.iter().position(|h| h == name).expect(name);
    for (remaining, summary_name) in [
        ("remaining_probability", "probability"),
        ("remaining_ci95_low", "ci95_low"),
        ("remaining_ci95_high", "ci95_high"),
    ] {
        assert_eq!(
            timeline[0][col(remaining)],
            summary[summary_col(summary_name)],
            "{label}: the first row's {remaining}"
        );
    }
    let cumulative: Vec<f64> = timeline
        .iter()
        .map(|row| field(header, row, "cumulative_probability"))
        .collect();
    let last = cumulative[cumulative.len() - 1];
    for (t, row) in timeline.iter().enumerate() {
        let before = if t == 0 { 0.0 } else { cumulative[t - 1] };
        let expected = (last - before) / (1.0 - before);
        let r = field(header, row, "remaining_probability");
        assert!(
            (r - expected).abs() < EXACT,
            "{label} row {t}: remaining {r} vs {expected} from the cumulative column"
        );
        let (low, high) = (
            field(header, row, "remaining_ci95_low"),
            field(header, row, "remaining_ci95_high"),
        );
        assert!(
            0.0 <= low && low <= r && r <= high && high <= 1.0,
            "{label} row {t}: [{low}, {high}] vs {r}"
        );
    }
}

/// With constant parameters F_t = 1 − (1 − q)^(t+1), q = λp, so the remaining probability at
/// the start of month t is R_t = 1 − (1 − q)^(T − t) exactly: the conditional estimator gives
/// it to [`EXACT`] (every trial alike: an interval as wide as the room for trials too rare to
/// show, [`treatysim::stats::none_seen`]), the indicator within `SE_TOLERANCE`
/// standard errors √(R(1 − R)/m) of it, m the trials not signed before month t, and its
/// interval is the binomial interval of the trials signed from month t on among those m.
#[test]
fn remaining_probability_matches_the_closed_form() {
    for case in closed_form_cases() {
        let months = case.months;
        let exact = |t: usize| 1.0 - (1.0 - case.q()).powi((months - t) as i32);
        let scenario = case.scenario();
        let tally = run(&scenario, 11, Estimator::Conditional, 1000);
        for t in 0..months {
            let r = tally
                .remaining(Estimator::Conditional, t)
                .expect("something left");
            assert!(
                (r.probability - exact(t)).abs() < EXACT,
                "{case:?} month {t}: {r:?} vs exact {}",
                exact(t)
            );
            // Every trial alike: no spread, only the room left for trials too rare to show
            // in 1,000 (on the side away from the nearer of 0 and 1).
            let room = treatysim::stats::none_seen(1000.0) * r.probability.max(1.0 - r.probability);
            assert!(
                r.ci95_low <= exact(t) + EXACT
                    && exact(t) - EXACT <= r.ci95_high
                    && r.ci95_high - r.ci95_low <= room + 1e-6,
                "{case:?} month {t}: {r:?}"
            );
        }
        let n = 100_000;
        let tally = run(&scenario, 12, Estimator::Indicator, n);
        for t in 0..months {
            let Some(r) = tally.remaining(Estimator::Indicator, t) else {
                // Every trial signed before month t: only when signing is near certain.
                assert!(
                    (1.0 - case.q()).powi(t as i32) * (n as f64) < 10.0,
                    "{case:?} month {t}: nothing left"
                );
                continue;
            };
            let signed_before = if t == 0 { 0 } else { tally.sum[t - 1] >> 62 };
            let at_risk = (u128::from(n) - signed_before) as f64;
            let signed_since = ((tally.sum[months - 1] >> 62) - signed_before) as f64;
            assert_eq!(r.probability, signed_since / at_risk, "{case:?} month {t}");
            if t == 0 {
                // The summary's, whose count is p·n.
                assert_eq!(r, tally.estimate(Estimator::Indicator, months - 1));
            } else {
                assert_eq!(
                    (r.ci95_low, r.ci95_high),
                    treatysim::stats::binomial_bounds(signed_since, at_risk),
                    "{case:?} month {t}"
                );
            }
            let se = (exact(t) * (1.0 - exact(t)) / at_risk).sqrt();
            assert!(
                (r.probability - exact(t)).abs() <= SE_TOLERANCE * se.max(1.0 / at_risk),
                "{case:?} month {t}: {r:?} vs exact {} (se {se}, {at_risk} trials left)",
                exact(t)
            );
        }
    }
}

/// When every trial has signed for certain before a month (λ = 1, p = 1), nothing is left to
/// forecast: from the second month on the remaining fields are empty (SPEC §6, docs/guide.md),
/// under both estimators, and `plot` still reads the file.
#[test]
fn remaining_probability_is_empty_once_nothing_is_left() {
    let text = ScenarioText::bilateral()
        .set("process.summit_rate", "1")
        .set("process.decision_noise", "0.001")
        .set("simulation.deadline", "\"2020-04\"")
        .text();
    let dir = workdir(&[("certain.toml", &text)]);
    for estimator in ["conditional", "indicator"] {
        let out = format!("out-{estimator}");
        treatysim(dir.path())
            .args([
                "run",
                "certain",
                "--trials",
                "1000",
                "--estimator",
                estimator,
            ])
            .args(["--out", &out])
            .assert()
            .success();
        let folder = dir.path().join(&out).join("certain");
        let (header, rows) = read_csv(&folder.join("timeline.csv"));
        assert_eq!(
            header,
            [
                "scenario",
                "month",
                "probability_in_month",
                "cumulative_probability",
                "ci95_low",
                "ci95_high",
                "remaining_probability",
                "remaining_ci95_low",
                "remaining_ci95_high"
            ]
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(field(&header, &rows[0], "cumulative_probability"), 1.0);
        assert_eq!(field(&header, &rows[0], "remaining_probability"), 1.0);
        for row in &rows[1..] {
            assert_eq!(row[6..], ["", "", ""], "{estimator}: {row:?}");
        }
        treatysim(dir.path())
            .args(["plot", "certain", "--out", &out])
            .assert()
            .success();
        assert!(folder.join("timeline.svg").is_file());
    }
}
