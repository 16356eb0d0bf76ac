//! `treatysim show`: a resolved scenario written back as TOML that loads to the same scenario.

use super::{ParamSpec, Scenario};
use crate::distribution::Dist;
use crate::param::Param;
use std::fmt::Write;

/// A TOML string literal, escaped.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A value as TOML: constants as numbers, distributions as strings as written; a fitted
/// `"lo to hi"` gets a comment naming the distribution it became.
fn value(spec: &ParamSpec) -> String {
    match spec.dist {
        Dist::Constant(c) => format!("{c:?}"),
        fitted if spec.written.contains(" to ") => {
            format!("{}  # fitted: {fitted}", quoted(&spec.written))
        }
        _ => quoted(&spec.written),
    }
}

fn inline(spec: &ParamSpec) -> String {
    match spec.dist {
        Dist::Constant(c) => format!("{c:?}"),
        _ => quoted(&spec.written),
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
        let mut section = "";
        for param in Param::ALL {
            if param.section() != section {
                section = param.section();
                let _ = writeln!(out, "\n[{section}]");
            }
            let _ = writeln!(
                out,
                "{} = {}",
                param.field(),
                value(&self.params[param.index()])
            );
        }
        if !self.correlations.is_empty() {
            let _ = writeln!(out, "\n[correlations]");
            for c in &self.correlations {
                let _ = writeln!(
                    out,
                    "{} = {:?}",
                    quoted(&format!("{} ~ {}", c.a, c.b)),
                    c.rho
                );
            }
        }
        for event in &self.events {
            let _ = writeln!(out, "\n[[event]]");
            let _ = writeln!(out, "name = {}", quoted(&event.name));
            let _ = writeln!(out, "month = \"{}\"", event.month);
            let _ = writeln!(out, "probability = {:?}", event.probability);
            let effects: Vec<String> = event
                .effects
                .iter()
                .map(|e| format!("{} = {}", quoted(e.param.key()), inline(&e.shift)))
                .collect();
            let _ = writeln!(out, "effects = {{ {} }}", effects.join(", "));
        }
        out
    }
}
