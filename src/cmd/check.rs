//! `treatysim check`.

use crate::distribution::Written;
use crate::distribution::fit;
use crate::error::{Error, Result};
use crate::scenario::{Catalog, ParamSpec, Scenario};

/// Validates the named scenarios (all when none is named), reporting every error and warning
/// on stderr.
pub fn check(catalog: &Catalog, names: &[String]) -> Result<()> {
    let names = if names.is_empty() {
        super::warn_skipped(catalog);
        catalog.names()?
    } else {
        names.to_vec()
    };
    if names.is_empty() {
        return Err(Error::Invalid(
            "no scenarios to check: the --scenarios folders hold no *.toml file whose name \
             follows the name rule (letters, digits, '_', '.', '-', starting with a letter or \
             digit)"
                .into(),
        ));
    }
    let mut failed = 0;
    for name in &names {
        match catalog.load(name, &[]) {
            Ok(scenario) => {
                super::scenario_warnings(&scenario);
                note!("ok: {name}");
            }
            Err(e) => {
                error_line!("error: {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        Err(Error::Invalid(format!(
            "{failed} of {} scenarios are invalid",
            names.len()
        )))
    } else {
        Ok(())
    }
}

/// A warning for every `"quantiles(…)"` whose fitted distribution misses an elicited quantile
/// by more than [`fit::POOR_FIT`] (SPEC §8), parameters first, then event effects: each with
/// what it is about (the key and the text fitted), to print it once per command.
pub(super) fn poor_fits(scenario: &Scenario) -> Vec<(String, String)> {
    let cast = &scenario.cast;
    let params = cast
        .ids()
        .map(|id| (cast.key(id).to_string(), &scenario.params[id.index()]));
    let effects = scenario.events.iter().flat_map(|event| {
        event.effects.iter().map(move |e| {
            (
                format!("event \"{}\".effects.\"{}\"", event.name, cast.key(e.param)),
                &e.shift,
            )
        })
    });
    params
        .chain(effects)
        .filter_map(|(key, spec)| {
            poor_fit(spec).map(|why| {
                (
                    format!("{key} = {}", spec.written),
                    format!("{}: {key}: {why}", scenario.name),
                )
            })
        })
        .collect()
}

/// What is wrong with a poorly fitted `"quantiles(…)"`, or `None`.
fn poor_fit(spec: &ParamSpec) -> Option<String> {
    let written = Written::parse(&spec.written).ok()?;
    let fitted = fit::fitted_quantiles(&spec.dist, written.quantile_points()?);
    let worst = fitted
        .iter()
        .map(fit::FittedQuantile::miss)
        .fold(0.0, f64::max);
    (worst > fit::POOR_FIT).then(|| {
        format!(
            "the least-squares fit misses an elicited quantile by {worst:.3} (more than {}): {}; the judgements may be inconsistent with one another, so revise them, or write the distribution itself",
            fit::POOR_FIT,
            fit::describe(&spec.dist, &fitted)
        )
    })
}
