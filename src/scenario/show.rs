//! `treatysim show`: a resolved scenario written back as format-2 TOML that loads to the same
//! scenario.

use super::{ParamSpec, Scenario};
use crate::cast::Kind;
use crate::distribution::Dist;
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

/// A value, with a comment naming the distribution a fitted `"lo to hi"` became.
fn value(spec: &ParamSpec) -> String {
    match spec.dist {
        fitted @ Dist::Beta { .. }
        | fitted @ Dist::LogNormal { .. }
        | fitted @ Dist::Normal { .. }
            if spec.written.contains(" to ") =>
        {
            format!("{}  # fitted: {fitted}", inline(spec))
        }
        _ => inline(spec),
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
            self.name,
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
            let mut leverage = Vec::new();
            for id in cast.ids() {
                match cast.kind(id) {
                    Kind::Concession(j) | Kind::Demand(j) if j == i => {
                        let _ =
                            writeln!(out, "{} = {}", field(id), value(&self.params[id.index()]));
                    }
                    Kind::Leverage(j, o) if j == i => leverage.push(format!(
                        "{} = {}",
                        cast.parties[o].name,
                        inline(&self.params[id.index()])
                    )),
                    _ => {}
                }
            }
            if !leverage.is_empty() {
                let _ = writeln!(out, "leverage = {{ {} }}", leverage.join(", "));
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
            let _ = writeln!(out, "probability = {:?}", event.probability);
            if !event.effects.is_empty() {
                let effects: Vec<String> = event
                    .effects
                    .iter()
                    .map(|e| format!("{} = {}", quoted(cast.key(e.param)), inline(&e.shift)))
                    .collect();
                let _ = writeln!(out, "effects = {{ {} }}", effects.join(", "));
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
        out
    }
}
