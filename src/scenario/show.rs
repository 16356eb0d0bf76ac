//! `treatysim show`: a resolved scenario written back as format-2 TOML that loads to the same
//! scenario.

use super::{ParamSpec, Scenario};
use crate::cast::Kind;
use crate::distribution::fit;
use crate::distribution::{Dist, Written};
use std::fmt::Write;

/// A TOML string literal, escaped.
pub fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A value as TOML: constants as numbers, distributions as strings as written.
fn inline(spec: &ParamSpec) -> String {
    match spec.dist {
        Dist::Constant(c) => format!("{c:?}"),
        _ => quoted(&spec.written),
    }
}

/// A value, with a comment naming the distribution a fitted `"lo to hi"` or `"quantiles(…)"`
/// became.
fn value(spec: &ParamSpec) -> String {
    match fitted(spec) {
        Some(fit) => format!("{}  # fitted: {fit}", inline(spec)),
        None => inline(spec),
    }
}

/// The distribution a `"lo to hi"` was fitted to, or that of `"quantiles(…)"` with each
/// elicited quantile's fitted value (`beta(a, b); quantiles 0.1: 0.2 -> 0.1853, …`).
fn fitted(spec: &ParamSpec) -> Option<String> {
    if !matches!(
        spec.dist,
        Dist::Beta { .. } | Dist::LogNormal { .. } | Dist::Normal { .. }
    ) {
        return None;
    }
    quantiles_fit(spec).or_else(|| spec.written.contains(" to ").then(|| spec.dist.to_string()))
}

/// The fit of a `"quantiles(…)"` value with each elicited quantile's fitted value, or `None`
/// for any other value.
fn quantiles_fit(spec: &ParamSpec) -> Option<String> {
    let written = Written::parse(&spec.written).ok()?;
    let points = written.quantile_points()?;
    Some(fit::describe(
        &spec.dist,
        &fit::fitted_quantiles(&spec.dist, points),
    ))
}

/// A comment after an inline table (`leverage`, `effects`) giving the fit of each of its
/// `"quantiles(…)"` values, or nothing.
fn inline_fits<'a>(specs: impl Iterator<Item = (&'a str, &'a ParamSpec)>) -> String {
    let fits: Vec<String> = specs
        .filter_map(|(key, spec)| quantiles_fit(spec).map(|f| format!("{key}: {f}")))
        .collect();
    if fits.is_empty() {
        String::new()
    } else {
        format!("  # fitted: {}", fits.join("; "))
    }
}

impl Scenario {
    /// The fully resolved scenario as TOML (`extends` and `--set` applied).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let chain: Vec<String> = self.chain.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(
            out,
            "# scenario '{}', resolved from {}",
            self.origin,
            chain.join(" <- ")
        );
        let _ = writeln!(out, "description = {}", quoted(&self.description));
        if let Some(question) = &self.question {
            let _ = writeln!(out, "question = {}", quoted(question));
        }
        let sim = &self.simulation;
        let _ = writeln!(out, "\n[simulation]");
        let _ = writeln!(out, "start = \"{}\"", sim.start);
        let _ = writeln!(out, "deadline = \"{}\"", sim.deadline);
        let _ = writeln!(out, "trials = {}", sim.trials);
        if sim.seed > i64::MAX as u64 {
            let _ = writeln!(out, "seed = \"{}\"", sim.seed);
        } else {
            let _ = writeln!(out, "seed = {}", sim.seed);
        }
        let cast = &self.cast;
        let field = |id: crate::cast::ParamId| {
            let key = cast.key(id);
            key.rsplit_once('.').map_or(key, |(_, f)| f).to_string()
        };
        for (p, party) in cast.parties.iter().enumerate() {
            let _ = writeln!(out, "\n[party.{}]", party.name);
            let _ = writeln!(out, "role = \"{}\"", party.role.name());
            let _ = writeln!(out, "label = {}", quoted(&party.label));
            for id in cast.ids() {
                let mine = match cast.kind(id) {
                    Kind::Will(q)
                    | Kind::LeaderExitHazard(q)
                    | Kind::SuccessorWill(q)
                    | Kind::Indifference(q) => q == p,
                    _ => false,
                };
                if mine {
                    let _ = writeln!(out, "{} = {}", field(id), value(&self.params[id.index()]));
                }
            }
        }
        for (i, issue) in cast.issues.iter().enumerate() {
            let _ = writeln!(out, "\n[issue.{}]", issue.name);
            let _ = writeln!(out, "concedes = \"{}\"", cast.parties[issue.concedes].name);
            let _ = writeln!(out, "demands = \"{}\"", cast.parties[issue.demands].name);
            let (mut leverage, mut pressure) = (Vec::new(), Vec::new());
            for id in cast.ids() {
                match cast.kind(id) {
                    Kind::Concession(j)
                    | Kind::Demand(j)
                    | Kind::ConcessionDrift(j)
                    | Kind::DemandDrift(j)
                        if j == i =>
                    {
                        let _ =
                            writeln!(out, "{} = {}", field(id), value(&self.params[id.index()]));
                    }
                    Kind::Leverage(j, o) if j == i => leverage.push((o, id)),
                    Kind::Pressure(j, o) if j == i => pressure.push((o, id)),
                    _ => {}
                }
            }
            for (table, entries) in [("leverage", leverage), ("pressure", pressure)] {
                if entries.is_empty() {
                    continue;
                }
                let written: Vec<String> = entries
                    .iter()
                    .map(|&(o, id)| {
                        format!(
                            "{} = {}",
                            cast.parties[o].name,
                            inline(&self.params[id.index()])
                        )
                    })
                    .collect();
                let fits = inline_fits(
                    entries
                        .iter()
                        .map(|&(o, id)| (cast.parties[o].name.as_str(), &self.params[id.index()])),
                );
                let _ = writeln!(out, "{table} = {{ {} }}{fits}", written.join(", "));
            }
            if issue.dealbreaker {
                let _ = writeln!(out, "dealbreaker = true");
            }
        }
        let _ = writeln!(out, "\n[process]");
        for id in cast.ids() {
            if cast.key(id).starts_with("process.") {
                let _ = writeln!(out, "{} = {}", field(id), value(&self.params[id.index()]));
            }
        }
        if !self.correlations.is_empty() {
            let _ = writeln!(out, "\n[correlations]");
            for c in &self.correlations {
                let _ = writeln!(
                    out,
                    "{} = {:?}",
                    quoted(&format!("{} ~ {}", cast.key(c.a), cast.key(c.b))),
                    c.rho
                );
            }
        }
        for event in &self.events {
            let _ = writeln!(out, "\n[[event]]");
            let _ = writeln!(out, "name = {}", quoted(&event.name));
            let _ = writeln!(out, "month = \"{}\"", event.month);
            if let Some(until) = event.until {
                let _ = writeln!(out, "until = \"{until}\"");
            }
            let chance = if event.hazard {
                "hazard"
            } else {
                "probability"
            };
            let _ = writeln!(out, "{chance} = {:?}", event.probability);
            for (field, list) in [("requires", &event.requires), ("excludes", &event.excludes)] {
                if !list.is_empty() {
                    let names: Vec<String> =
                        list.iter().map(|e| quoted(&self.events[*e].name)).collect();
                    let _ = writeln!(out, "{field} = [{}]", names.join(", "));
                }
            }
            if !event.effects.is_empty() {
                let effects: Vec<String> = event
                    .effects
                    .iter()
                    .map(|e| format!("{} = {}", quoted(cast.key(e.param)), inline(&e.shift)))
                    .collect();
                let fits = inline_fits(event.effects.iter().map(|e| (cast.key(e.param), &e.shift)));
                let _ = writeln!(out, "effects = {{ {} }}{fits}", effects.join(", "));
            }
            if !event.leader_exit.is_empty() {
                let names: Vec<String> = event
                    .leader_exit
                    .iter()
                    .map(|p| quoted(&cast.parties[*p].name))
                    .collect();
                let _ = writeln!(out, "leader_exit = [{}]", names.join(", "));
            }
        }
        // Last, so that `score` can set it aside when it compares a run's scenario with the
        // file as it is now (a resolution added after the run changes no number).
        if let Some(resolution) = self.resolution {
            let _ = writeln!(out, "\n[resolution]");
            let _ = writeln!(out, "outcome = \"{}\"", resolution.outcome());
            if let crate::scenario::Resolution::Signed(month) = resolution {
                let _ = writeln!(out, "month = \"{month}\"");
            }
        }
        out
    }
}
