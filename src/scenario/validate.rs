//! Validation: a merged [`Layer`] becomes a [`Scenario`], or one error naming the file,
//! line:column, key, what is wrong and what is accepted. Every rule of SPEC §3 is checked
//! here, in one place each.

use super::layer::{self, Layer, Located, Origin, Raw};
use super::{
    Correlation, DEFAULT_SEED, DEFAULT_TRIALS, Event, ParamSpec, Resolution, Scenario, Simulation,
    format_1_hint, invalid,
};
use crate::cast::{Cast, Domain, Issue, Kind, Party, Role, did_you_mean};
use crate::distribution::{Dist, Written};
use crate::error::Result;
use crate::month::Month;
use std::path::PathBuf;

/// A string value, or an error saying it must be one.
pub(super) fn string<'a>(at: &'a Located<Raw>, key: &str) -> Result<&'a str> {
    match &at.value {
        Raw::Str(s) => Ok(s),
        other => Err(invalid(
            &at.origin,
            key,
            format!("{other} must be a quoted string"),
        )),
    }
}

/// A text value (`description`, `question`, `label`): a string, or any `--set` value.
fn text(at: &Located<Raw>, key: &str) -> Result<String> {
    match (&at.value, &at.origin) {
        (Raw::Str(s), _) => Ok(s.clone()),
        (Raw::Int(i), Origin::Set(_)) => Ok(i.to_string()),
        (Raw::Float(x), Origin::Set(_)) => Ok(x.to_string()),
        _ => Err(invalid(&at.origin, key, "must be a string")),
    }
}

pub(super) fn validate(
    name: String,
    path: PathBuf,
    chain: Vec<PathBuf>,
    layer: Layer,
) -> Result<Scenario> {
    let file = Origin::Whole(path.clone());
    let description = match layer.values.get("description") {
        None => String::new(),
        Some(at) => text(at, "description")?,
    };
    let question = layer
        .values
        .get("question")
        .map(|at| text(at, "question"))
        .transpose()?;
    let simulation = simulation(&layer, &file)?;
    let cast = cast(&layer, &file)?;
    let params = parameters(&layer, &cast, &file)?;
    let mut warnings = Vec::new();
    let events = super::events::events(&layer, &cast, &simulation, &mut warnings)?;
    successors(&layer, &cast, &params, &events, &file)?;
    let correlations = correlations(&layer, &cast, &params, &mut warnings)?;
    let dists: Vec<Dist> = params.iter().map(|p| p.dist).collect();
    if let Err(message) = crate::copula::Copula::new(&correlations, &cast, &dists) {
        let origin = layer
            .correlations
            .values()
            .next()
            .map_or(file.clone(), |at| at.origin.clone());
        return Err(invalid(&origin, "correlations", message));
    }
    let resolution = resolution(&layer, &simulation)?;
    Ok(Scenario {
        resolution,
        origin: name.clone(),
        name,
        path,
        chain,
        description,
        question,
        simulation,
        cast,
        params,
        events,
        correlations,
        warnings,
    })
}

fn month(layer: &Layer, key: &str, file: &Origin) -> Result<Month> {
    match layer.values.get(key) {
        None => Err(invalid(
            file,
            key,
            "missing; write it under [simulation] as \"YYYY-MM\", e.g. \"2020-01\"",
        )),
        Some(Located {
            value: Raw::Str(s),
            origin,
        }) => Month::parse(s).map_err(|m| invalid(origin, key, m)),
        Some(Located { value, origin }) => Err(invalid(
            origin,
            key,
            format!("{value} is not a month; write a quoted string \"YYYY-MM\", e.g. \"2020-01\""),
        )),
    }
}

/// A non-negative whole number: a TOML integer, a whole float (`1e6`) or a string of digits.
pub fn whole(value: &Raw) -> Option<u128> {
    match value {
        Raw::Int(i) => u128::try_from(*i).ok(),
        Raw::Float(x) if x.fract() == 0.0 && *x >= 0.0 && *x < 1.8e19 => Some(*x as u128),
        Raw::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn simulation(layer: &Layer, file: &Origin) -> Result<Simulation> {
    let start = month(layer, "simulation.start", file)?;
    let deadline = month(layer, "simulation.deadline", file)?;
    if deadline <= start {
        let origin = &layer.values["simulation.deadline"].origin;
        return Err(invalid(
            origin,
            "simulation.deadline",
            format!("{deadline} is not after start {start}; the deadline must be a later month"),
        ));
    }
    let trials = match layer.values.get("simulation.trials") {
        None => DEFAULT_TRIALS,
        Some(Located { value, origin }) => whole(value)
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                invalid(origin, "simulation.trials", format!("{value} is not a whole number from 1 to 18446744073709551615; write e.g. trials = 200000"))
            })?,
    };
    let seed = match layer.values.get("simulation.seed") {
        None => DEFAULT_SEED,
        Some(Located { value, origin }) => whole(value).and_then(|n| u64::try_from(n).ok()).ok_or_else(|| {
            invalid(
                origin,
                "simulation.seed",
                format!("{value} is not a seed; accepted: a whole number from 0 to 18446744073709551615 (a string of digits above 9223372036854775807)"),
            )
        })?,
    };
    Ok(Simulation {
        start,
        deadline,
        trials,
        seed,
    })
}

/// `[resolution]`: `outcome = "signed"` with a `month` inside the window, or `outcome = "not
/// signed"` (a `month` inherited from a parent that said "signed" is then set aside; one
/// written beside "not signed" in the same file is an error).
fn resolution(layer: &Layer, simulation: &Simulation) -> Result<Option<Resolution>> {
    const ACCEPTED: &str = "accepted: outcome = \"signed\" with month = \"YYYY-MM\", or \
                            outcome = \"not signed\"";
    let month_at = layer.values.get("resolution.month");
    let Some(outcome) = layer.values.get("resolution.outcome") else {
        return match month_at {
            Some(at) => Err(invalid(
                &at.origin,
                "resolution.month",
                format!("a month without resolution.outcome; {ACCEPTED}"),
            )),
            None => Ok(None),
        };
    };
    match &outcome.value {
        Raw::Str(s) if s == "not signed" => {
            let same_file = |a: &Origin, b: &Origin| match (a, b) {
                (Origin::File { path: p, .. }, Origin::File { path: q, .. }) => p == q,
                _ => a == b,
            };
            match month_at {
                Some(at) if same_file(&at.origin, &outcome.origin) => Err(invalid(
                    &at.origin,
                    "resolution.month",
                    format!("a month is only for outcome = \"signed\"; remove it ({ACCEPTED})"),
                )),
                _ => Ok(Some(Resolution::NotSigned)),
            }
        }
        Raw::Str(s) if s == "signed" => {
            let Some(at) = month_at else {
                return Err(invalid(
                    &outcome.origin,
                    "resolution.outcome",
                    "\"signed\" needs resolution.month, the month it was signed in, which is \
                     missing: write month = \"YYYY-MM\""
                        .to_string(),
                ));
            };
            let signed = month(layer, "resolution.month", &at.origin)?;
            if signed < simulation.start || signed >= simulation.deadline {
                return Err(invalid(
                    &at.origin,
                    "resolution.month",
                    format!(
                        "{signed} is outside the simulated window, {} up to the deadline {} \
                         (exclusive); a treaty signed at or after the deadline resolves as \
                         outcome = \"not signed\"",
                        simulation.start, simulation.deadline
                    ),
                ));
            }
            Ok(Some(Resolution::Signed(signed)))
        }
        other => Err(invalid(
            &outcome.origin,
            "resolution.outcome",
            format!("{other} is not an outcome; {ACCEPTED}"),
        )),
    }
}

/// The values filed under `prefix.` (a party's or an issue's), with their field names.
fn fields_of<'a>(
    layer: &'a Layer,
    prefix: &'a str,
) -> impl Iterator<Item = (&'a str, &'a String, &'a Located<Raw>)> + 'a {
    layer
        .values
        .range(format!("{prefix}.")..)
        .take_while(move |(k, _)| k.starts_with(prefix) && k[prefix.len()..].starts_with('.'))
        .map(move |(k, v)| (&k[prefix.len() + 1..], k, v))
}

/// The parties and issues, checked against every rule of SPEC §3 that concerns them, and the
/// cast they make.
fn cast(layer: &Layer, file: &Origin) -> Result<Cast> {
    // Sets of names, so that validation stays linear in the number of parties and issues.
    let party_names: std::collections::HashSet<&str> =
        layer.parties.iter().map(|p| p.value.as_str()).collect();
    let issue_names: std::collections::HashSet<&str> =
        layer.issues.iter().map(|i| i.value.as_str()).collect();
    // Values for parties or issues that no file declares can only come from --set.
    for (key, at) in &layer.values {
        let mut parts = key.split('.');
        let (section, name) = (parts.next(), parts.next());
        let declared = match (section, name) {
            (Some("party"), Some(n)) => party_names.contains(n),
            (Some("issue"), Some(n)) => issue_names.contains(n),
            _ => true,
        };
        if !declared {
            return Err(invalid(
                &at.origin,
                key,
                "no such party or issue in this scenario",
            ));
        }
    }
    let mut parties = Vec::new();
    for name in &layer.parties {
        if issue_names.contains(name.value.as_str()) {
            return Err(invalid(
                &name.origin,
                &format!("party.{}", name.value),
                format!(
                    "\"{}\" names both a party and an issue; names are unique across parties and issues",
                    name.value
                ),
            ));
        }
        let prefix = format!("party.{}", name.value);
        let role = match layer.values.get(&format!("{prefix}.role")) {
            None => Role::Signatory,
            Some(at) => match string(at, &format!("{prefix}.role"))? {
                "signatory" => Role::Signatory,
                "outside" => Role::Outside,
                other => {
                    return Err(invalid(
                        &at.origin,
                        &format!("{prefix}.role"),
                        format!(
                            "\"{}\" is not a role{}; accepted: \"signatory\" (the default) or \"outside\"",
                            other.escape_debug(),
                            did_you_mean(other, ["signatory", "outside"])
                        ),
                    ));
                }
            },
        };
        let label = match layer.values.get(&format!("{prefix}.label")) {
            None => name.value.clone(),
            Some(at) => text(at, &format!("{prefix}.label"))?,
        };
        if label.chars().any(char::is_control) {
            let at = &layer.values[&format!("{prefix}.label")];
            return Err(invalid(
                &at.origin,
                &format!("{prefix}.label"),
                "a label may not hold control characters",
            ));
        }
        let allowed = layer::role_fields(role == Role::Outside);
        let role_at = layer
            .values
            .get(&format!("{prefix}.role"))
            .map(|at| &at.origin);
        for (field, key, at) in fields_of(layer, &prefix) {
            if field == "role" || field == "label" || allowed.contains(&field) {
                continue;
            }
            // A role set elsewhere (a child scenario changing its parent's party, or --set)
            // is named with where it was set: the field's own line is in another file.
            let set_at = role_at
                .filter(|r| !same_source(r, &at.origin))
                .map(|r| format!(", set at {r}"))
                .unwrap_or_default();
            let message = match role {
                Role::Outside => format!(
                    "{} is an outside party (role = \"outside\"{set_at}): it has only indifference, role and label; {field} belongs to a signatory",
                    name.value
                ),
                Role::Signatory if role_at.is_some() => format!(
                    "{} is a signatory (role = \"signatory\"{set_at}): it has will, leader_exit_hazard and successor_will; {field} belongs to an outside party",
                    name.value
                ),
                Role::Signatory => format!(
                    "{} is a signatory: it has will, leader_exit_hazard and successor_will; {field} belongs to an outside party (add role = \"outside\")",
                    name.value
                ),
            };
            return Err(invalid(&at.origin, key, message));
        }
        parties.push(Party {
            name: name.value.clone(),
            label,
            role,
        });
    }
    let signatory_names: Vec<String> = parties
        .iter()
        .filter(|p| p.role == Role::Signatory)
        .map(|p| p.name.clone())
        .collect();
    let signatories: Vec<&str> = signatory_names.iter().map(String::as_str).collect();
    if signatories.len() < 2 {
        return Err(invalid(
            file,
            "party",
            format!(
                "a scenario needs at least two signatories, it has {} ({}); add [party.NAME] tables with a will (parties are signatories unless role = \"outside\")",
                signatories.len(),
                if signatories.is_empty() {
                    "none".to_string()
                } else {
                    signatories.join(", ")
                }
            ),
        ));
    }
    let outside_names: Vec<String> = parties
        .iter()
        .filter(|p| p.role == Role::Outside)
        .map(|p| p.name.clone())
        .collect();
    let outside: Vec<&str> = outside_names.iter().map(String::as_str).collect();
    let mut issues = Vec::new();
    for name in &layer.issues {
        let prefix = format!("issue.{}", name.value);
        let side = |field: &str| -> Result<usize> {
            let key = format!("{prefix}.{field}");
            let Some(at) = layer.values.get(&key) else {
                return Err(invalid(
                    file,
                    &key,
                    format!(
                        "missing; name the signatory that {} under [{prefix}], one of: {}",
                        if field == "concedes" {
                            "must give ground"
                        } else {
                            "must be satisfied"
                        },
                        signatories.join(", ")
                    ),
                ));
            };
            let party = string(at, &key)?;
            if let Some(p) = signatories.iter().position(|s| *s == party) {
                return Ok(parties
                    .iter()
                    .position(|q| q.name == signatories[p])
                    .unwrap_or(0));
            }
            let why = if outside.contains(&party) {
                format!("{party} is an outside party; an issue is between two signatories")
            } else {
                format!("no signatory \"{}\"", party.escape_debug())
            };
            Err(invalid(
                &at.origin,
                &key,
                format!(
                    "{why}{}; accepted: {}",
                    did_you_mean(party, signatories.iter().copied()),
                    signatories.join(", ")
                ),
            ))
        };
        let concedes = side("concedes")?;
        let demands = side("demands")?;
        if concedes == demands {
            let key = format!("{prefix}.demands");
            return Err(invalid(
                &layer.values[&key].origin,
                &key,
                format!(
                    "{} both concedes and demands; the two sides of an issue are two different signatories",
                    parties[concedes].name
                ),
            ));
        }
        let (mut leverage, mut pressure) = (Vec::new(), Vec::new());
        let mut dealbreaker = false;
        for (field, key, at) in fields_of(layer, &prefix) {
            if field == "dealbreaker" {
                dealbreaker = match at.value {
                    Raw::Bool(b) => b,
                    ref other => {
                        return Err(invalid(
                            &at.origin,
                            key,
                            format!("{other} is not a boolean; accepted: true or false"),
                        ));
                    }
                };
                continue;
            }
            let table = ["leverage.", "pressure."].into_iter().find_map(|t| {
                field
                    .strip_prefix(t)
                    .map(|party| (&t[..t.len() - 1], party))
            });
            if let Some((table, party)) = table {
                match parties.iter().position(|p| p.name == party) {
                    Some(o) if parties[o].role == Role::Outside => {
                        if table == "leverage" {
                            leverage.push(o);
                        } else {
                            pressure.push(o);
                        }
                    }
                    found => {
                        let why = if found.is_some() {
                            format!(
                                "{party} is a signatory; {table} comes from outside parties (a signatory's opposition is its will and the issue's demand)"
                            )
                        } else {
                            format!("no outside party \"{party}\"")
                        };
                        return Err(invalid(
                            &at.origin,
                            key,
                            format!(
                                "{why}{}; accepted: {}",
                                did_you_mean(party, outside.iter().copied()),
                                if outside.is_empty() {
                                    "none: declare one with [party.NAME] role = \"outside\""
                                        .to_string()
                                } else {
                                    outside.join(", ")
                                }
                            ),
                        ));
                    }
                }
            } else if field == "leverage" || field == "pressure" {
                return Err(invalid(
                    &at.origin,
                    key,
                    format!(
                        "must be a table from outside party to value, e.g. {field} = {{ us = 0.3 }}"
                    ),
                ));
            }
        }
        leverage.sort_unstable();
        pressure.sort_unstable();
        let drift = |field: &str| layer.values.contains_key(&format!("{prefix}.{field}"));
        issues.push(Issue {
            name: name.value.clone(),
            concedes,
            demands,
            leverage,
            pressure,
            concession_drift: drift("concession_drift"),
            demand_drift: drift("demand_drift"),
            dealbreaker,
        });
    }
    let has = |field: &str| -> Vec<bool> {
        signatories
            .iter()
            .map(|p| layer.values.contains_key(&format!("party.{p}.{field}")))
            .collect()
    };
    let cast = Cast::new(
        parties,
        issues,
        &has("leader_exit_hazard"),
        &has("successor_will"),
    );
    let mut streams: Vec<u64> = cast.params().iter().map(|p| p.stream).collect();
    streams.sort_unstable();
    if streams.windows(2).any(|w| w[0] == w[1]) {
        return Err(invalid(
            file,
            "party",
            "two parameter keys share a random stream (a hash collision); rename a party or issue",
        ));
    }
    Ok(cast)
}

/// Parses a number or distribution string for a parameter with `domain` (`None`: an event
/// effect, any real shift). Every number, constants included, must be 0 or between 1e-100 and
/// 1e100 in magnitude.
pub fn spec(value: &Raw, domain: Option<Domain>) -> std::result::Result<ParamSpec, String> {
    let (written, parsed) = match value {
        Raw::Int(i) => (i.to_string(), Written::Dist(Dist::Constant(*i as f64))),
        Raw::Float(x) if !x.is_finite() => return Err(format!("{x}: every number must be finite")),
        Raw::Float(x) => (format!("{x:?}"), Written::Dist(Dist::Constant(*x))),
        Raw::Str(s) => (s.clone(), Written::parse(s)?),
        Raw::Strings(_) | Raw::Bool(_) | Raw::Other(_) => {
            return Err(format!(
                "{value} is not accepted; write {}",
                crate::distribution::ACCEPTED
            ));
        }
    };
    if let Written::Dist(Dist::Constant(c)) = parsed
        && c != 0.0
        && !(1e-100..=1e100).contains(&c.abs())
    {
        return Err(format!(
            "{c:e} is out of range; accepted: numbers from 1e-100 to 1e100 in magnitude, or 0"
        ));
    }
    let dist = parsed.resolve(domain)?;
    if let Some(domain) = domain {
        dist.check_domain(domain)?;
    }
    Ok(ParamSpec { written, dist })
}

/// The most quantiles a scenario's parameters may fit by iterative search, in all (each
/// distinct `"quantiles(…)"` on a [0, 1] parameter, or with three or more on a positive one,
/// counts its quantiles once; docs/guide.md, "Limits"): at most about 1.3 s of fitting
/// (measured by bench/bounds.py: 0.4 to 0.7 ms a quantile, whatever the fits' sizes).
pub const MAX_SEARCHED_QUANTILES: usize = 2_000;

fn parameters(layer: &Layer, cast: &Cast, file: &Origin) -> Result<Vec<ParamSpec>> {
    // Counted before any fit is made, so that a refusal costs none.
    let mut searched = std::collections::HashSet::new();
    let mut quantiles = 0usize;
    for id in cast.ids() {
        let key = cast.key(id);
        if let Some(Located {
            value: Raw::Str(text),
            origin,
        }) = layer.values.get(key)
            && let Some(n) = crate::distribution::searched_quantiles(text, Some(cast.domain(id)))
            && searched.insert(text.trim())
        {
            quantiles += n;
            if quantiles > MAX_SEARCHED_QUANTILES {
                return Err(invalid(
                    origin,
                    key,
                    format!(
                        "too many quantiles to fit: up to this one the scenario's distinct \
                         quantiles(…) on [0, 1] and positive parameters list {quantiles} \
                         quantiles; accepted: at most {MAX_SEARCHED_QUANTILES} in all, each \
                         fit being a search (docs/guide.md, \"Limits\"); write some of these \
                         parameters as beta(a, b), pert(lo, mode, hi) or \"lo to hi\", or give \
                         parameters that share a judgement the same quantiles (fitted once)"
                    ),
                ));
            }
        }
    }
    cast.ids()
        .map(|id| {
            let key = cast.key(id);
            let Some(Located { value, origin }) = layer.values.get(key) else {
                let (table, field) = key.rsplit_once('.').unwrap_or(("", key));
                return Err(invalid(
                    file,
                    key,
                    format!(
                        "missing; every parameter must be set (after extends): add `{field} = ...` under [{table}], a number or a distribution: {}",
                        crate::distribution::ACCEPTED
                    ),
                ));
            };
            spec(value, Some(cast.domain(id))).map_err(|m| invalid(origin, key, m))
        })
        .collect()
}

/// A `successor_will` wherever a leader can leave: a hazard that is not the constant 0, or an
/// event's `leader_exit`.
fn successors(
    layer: &Layer,
    cast: &Cast,
    params: &[ParamSpec],
    events: &[Event],
    file: &Origin,
) -> Result<()> {
    for p in cast.signatories() {
        let name = &cast.parties[p].name;
        if cast.find(Kind::SuccessorWill(p)).is_some() {
            continue;
        }
        let hazard = cast
            .find(Kind::LeaderExitHazard(p))
            .filter(|id| params[id.index()].dist != Dist::Constant(0.0));
        let (origin, why) = if let Some(id) = hazard {
            (
                layer.values[cast.key(id)].origin.clone(),
                format!("{} can make {name}'s leader leave", cast.key(id)),
            )
        } else if let Some(event) = events.iter().find(|e| e.leader_exit.contains(&p)) {
            let origin = layer
                .events
                .iter()
                .find(|e| e.name_str() == Some(&event.name))
                .map_or(file.clone(), |e| e.origin.clone());
            (
                origin,
                format!("event \"{}\" makes {name}'s leader leave", event.name),
            )
        } else {
            continue;
        };
        return Err(invalid(
            &origin,
            &format!("party.{name}.successor_will"),
            format!(
                "missing: {why}, so {name} needs a successor_will (its will after the change of leader); add successor_will = ... under [party.{name}]"
            ),
        ));
    }
    Ok(())
}

fn correlations(
    layer: &Layer,
    cast: &Cast,
    params: &[ParamSpec],
    warnings: &mut Vec<String>,
) -> Result<Vec<Correlation>> {
    // A parameter that a --set or a sweep point made constant (rather than the file).
    let set_to_constant = |id: crate::cast::ParamId| {
        params[id.index()].dist.is_constant()
            && layer
                .values
                .get(cast.key(id))
                .is_some_and(|v| matches!(v.origin, Origin::Set(_)))
    };
    let mut out = Vec::new();
    'pairs: for (pair, at) in &layer.correlations {
        let key = format!("correlations.\"{pair}\"");
        let (a, b) = pair
            .split_once('~')
            .map(|(a, b)| (a.trim(), b.trim()))
            .ok_or_else(|| invalid(&at.origin, &key, "write \"<parameter> ~ <parameter>\" = rho, e.g. \"party.japan.will ~ party.russia.will\" = 0.4"))?;
        let lookup = |name: &str| {
            let id = cast.id(name).ok_or_else(|| {
                let hint = format_1_hint(name)
                    .map_or_else(|| did_you_mean(name, cast.keys()), |h| format!("; {h}"));
                invalid(
                    &at.origin,
                    &key,
                    format!("{name} is not a parameter of this scenario{hint}"),
                )
            })?;
            if params[id.index()].dist.is_constant() && !set_to_constant(id) {
                return Err(invalid(
                    &at.origin,
                    &key,
                    format!("{name} is a constant; only uncertain parameters can be correlated"),
                ));
            }
            Ok(id)
        };
        let (a, b) = (lookup(a)?, lookup(b)?);
        if a == b {
            return Err(invalid(
                &at.origin,
                &key,
                "a parameter cannot be correlated with itself",
            ));
        }
        // A pair whose parameter a --set or a sweep made constant is dropped, with a warning.
        for p in [a, b] {
            if set_to_constant(p) {
                warnings.push(format!(
                    "{key}: dropped, since {} is now a constant",
                    cast.key(p)
                ));
                continue 'pairs;
            }
        }
        let rho = match at.value {
            Raw::Int(i) if (-1..=1).contains(&i) => i as f64,
            Raw::Float(x) if (-1.0..=1.0).contains(&x) => x,
            ref other => {
                return Err(invalid(
                    &at.origin,
                    &key,
                    format!("{other} is not a correlation; accepted: a number in [-1, 1]"),
                ));
            }
        };
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        out.push(Correlation { a, b, rho });
    }
    Ok(out)
}

/// Whether two origins are in the same file (or the same `--set` argument).
fn same_source(a: &Origin, b: &Origin) -> bool {
    let file = |o: &Origin| match o {
        Origin::File { path, .. } | Origin::Whole(path) => Some(path.clone()),
        Origin::Set(_) => None,
    };
    match (a, b) {
        (Origin::Set(x), Origin::Set(y)) => x == y,
        _ => file(a).is_some() && file(a) == file(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_obey_the_magnitude_rule() {
        for bad in [Raw::Float(1e300), Raw::Float(5e-324), Raw::Float(-1e101)] {
            assert!(spec(&bad, Some(Domain::Real)).is_err(), "{bad}");
        }
        for ok in [Raw::Float(1e-100), Raw::Int(0), Raw::Float(-1e100)] {
            assert!(spec(&ok, Some(Domain::Real)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn whole_numbers_take_exponents() {
        assert_eq!(whole(&Raw::Float(2e5)), Some(200_000));
        assert_eq!(whole(&Raw::Float(2.5)), None);
        assert_eq!(
            whole(&Raw::Str("18446744073709551615".into())),
            Some(u128::from(u64::MAX))
        );
    }

    #[test]
    fn errors_stay_exit_2() {
        let e = invalid(&Origin::Set("x".into()), "k", "m");
        assert_eq!(e.exit_code(), 2);
    }
}
