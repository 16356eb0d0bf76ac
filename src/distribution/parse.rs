//! [`Written`]: a distribution as a scenario writes it, parsed (every family's syntax, each
//! rule with its own message) and resolved on a parameter's domain through [`super::fit`].

use super::dist::Dist;
use super::fit;
use super::special::trunc_mass;
use crate::cast::Domain;

/// The distribution syntaxes a scenario may use, for error messages.
pub const ACCEPTED: &str = "a number, \"uniform(a, b)\", \"beta(a, b)\", \"normal(mean, sd)\", \
\"truncnormal(mean, sd, lo, hi)\", \"lognormal(mu, sigma)\", \"triangular(lo, mode, hi)\", \
\"pert(lo, mode, hi)\", \"lo to hi\" (a 90% interval) or \"quantiles(p1: x1, p2: x2, ...)\" \
(elicited quantiles)";

/// What a distribution string says before the parameter's domain is known: `"lo to hi"` and
/// `"quantiles(…)"` are only resolved to a family once the domain is.
#[derive(Clone, Debug, PartialEq)]
pub enum Written {
    /// A fully specified distribution.
    Dist(Dist),
    /// A 90% interval `"lo to hi"`.
    Interval {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Elicited quantiles `"quantiles(p1: x1, p2: x2, …)"`: (p, x) pairs, at least two, p
    /// strictly increasing inside (0, 1), x strictly increasing (SPEC §8).
    Quantiles(Vec<(f64, f64)>),
}

impl Written {
    /// Parses a number or a distribution string.
    ///
    /// # Errors
    /// A message naming what is wrong and what is accepted.
    pub fn parse(text: &str) -> Result<Written, String> {
        let text = text.trim();
        if let Ok(x) = text.parse::<f64>() {
            return finite(x, text).map(|x| Written::Dist(Dist::Constant(x)));
        }
        if let Some((lo, hi)) = text.split_once(" to ") {
            let lo = number(lo.trim(), text)?;
            let hi = number(hi.trim(), text)?;
            if lo >= hi {
                return Err(format!(
                    "\"{text}\": the interval's low end must be below its high end (write \"{hi:?} to {lo:?}\"?)"
                ));
            }
            return Ok(Written::Interval { lo, hi });
        }
        if let Some(x) = crate::number::percentage(text) {
            // `will = "40%"`: a percentage where a fraction is wanted.
            return Err(format!(
                "\"{text}\" {}",
                crate::number::percent_advice(x, text)
            ));
        }
        let (name, args) = text
            .strip_suffix(')')
            .and_then(|t| t.split_once('('))
            .ok_or_else(|| format!("\"{text}\" is not a distribution; accepted: {ACCEPTED}"))?;
        if name.trim() == "quantiles" {
            return quantiles(args, text).map(Written::Quantiles);
        }
        let args = args
            .split(',')
            .map(|a| number(a.trim(), text))
            .collect::<Result<Vec<f64>, String>>()?;
        family(name.trim(), &args, text).map(Written::Dist)
    }

    /// The distribution this means on a parameter with `domain`; `"lo to hi"` becomes the beta
    /// with those 5% and 95% quantiles on [0, 1], the lognormal on [0, ∞) and (0, ∞), and the
    /// normal on (−∞, ∞) (`domain == None` is an event effect: also the normal).
    /// `"quantiles(…)"` becomes the same family, fitted by least squares ([`fit`](super::fit)).
    ///
    /// # Errors
    /// When the interval or a quantile lies outside the domain, or the fit fails.
    pub fn resolve(&self, domain: Option<Domain>) -> Result<Dist, String> {
        let dist = self.fit(domain)?;
        dist.check_range()?;
        Ok(dist)
    }

    /// The elicited (p, x) pairs of `"quantiles(…)"`, for reporting how well they were fitted.
    pub fn quantile_points(&self) -> Option<&[(f64, f64)]> {
        match self {
            Written::Quantiles(points) => Some(points),
            _ => None,
        }
    }

    fn fit(&self, domain: Option<Domain>) -> Result<Dist, String> {
        let (lo, hi) = match *self {
            Written::Dist(d) => return Ok(d),
            Written::Interval { lo, hi } => (lo, hi),
            Written::Quantiles(ref points) => return fit_quantiles(points, domain),
        };
        match domain {
            Some(Domain::Unit) => {
                if lo <= 0.0 || hi >= 1.0 {
                    return Err(format!(
                        "\"{lo:?} to {hi:?}\" must lie strictly inside (0, 1) to fit a beta distribution; accepted: 0 < lo < hi < 1"
                    ));
                }
                let (a, b) = fit::beta_from_90_interval(lo, hi)?;
                Ok(Dist::Beta { a, b })
            }
            Some(Domain::NonNegative | Domain::Positive) => {
                if lo <= 0.0 {
                    return Err(format!(
                        "\"{lo:?} to {hi:?}\" must have lo > 0 to fit a lognormal distribution; accepted: 0 < lo < hi"
                    ));
                }
                let (mu, sigma) = fit::lognormal_from_90_interval(lo, hi);
                Ok(Dist::LogNormal { mu, sigma })
            }
            Some(Domain::Real) | None => {
                let (mean, sd) = fit::normal_from_90_interval(lo, hi);
                Ok(Dist::Normal { mean, sd })
            }
        }
    }
}

/// The (p, x) pairs of `"quantiles(p1: x1, p2: x2, …)"` (`args` is what the parentheses
/// hold), each rule with its own message: the form, finite numbers within the magnitude rule,
/// at least two, probabilities inside (0, 1) and strictly increasing, values strictly
/// increasing.
fn quantiles(args: &str, text: &str) -> Result<Vec<(f64, f64)>, String> {
    const EXAMPLE: &str = "quantiles(0.1: 0.2, 0.5: 0.35, 0.9: 0.6)";
    let given = args.split(',').count();
    if given > MAX_QUANTILES {
        let shown: String = text.chars().take(40).collect();
        return Err(format!(
            "\"{shown}…\" lists {given} quantiles; accepted: at most {MAX_QUANTILES} in one \
             quantiles(…) (a fit's time grows with them; docs/guide.md, \"Limits\"): keep a \
             few well-spread ones, e.g. {EXAMPLE}"
        ));
    }
    let mut points = Vec::new();
    for item in args.split(',') {
        let Some((p, x)) = item.split_once(':') else {
            return Err(format!(
                "\"{text}\": \"{}\" is not a quantile; write each as p: x, the probability p of a value at most x, e.g. {EXAMPLE}",
                item.trim()
            ));
        };
        let (p, x) = (number(p.trim(), text)?, number(x.trim(), text)?);
        if let Some(bad) = [p, x]
            .into_iter()
            .find(|v| *v != 0.0 && !(1e-100..=1e100).contains(&v.abs()))
        {
            return Err(format!(
                "\"{text}\": {bad:e} is out of range; accepted: numbers from 1e-100 to 1e100 in magnitude, or 0"
            ));
        }
        points.push((p, x));
    }
    if points.len() < 2 {
        return Err(format!(
            "\"{text}\": a fit needs at least two quantiles, {} {} given; add another p: x, e.g. {EXAMPLE}, or write the value as a constant",
            points.len(),
            if points.len() == 1 { "was" } else { "were" }
        ));
    }
    if let Some(&(p, _)) = points.iter().find(|(p, _)| !(*p > 0.0 && *p < 1.0)) {
        return Err(format!(
            "\"{text}\": the probability {p:?} is not inside (0, 1); each quantile's probability p must satisfy 0 < p < 1"
        ));
    }
    if let Some(w) = points.windows(2).find(|w| w[1].0 <= w[0].0) {
        return Err(format!(
            "\"{text}\": the probabilities must be strictly increasing, but {:?} follows {:?}; list the quantiles from the lowest probability up, each probability once",
            w[1].0, w[0].0
        ));
    }
    if let Some(w) = points.windows(2).find(|w| w[1].1 <= w[0].1) {
        return Err(format!(
            "\"{text}\": the values must be strictly increasing with the probabilities, but {:?}: {:?} is not above {:?}: {:?}",
            w[1].0, w[1].1, w[0].0, w[0].1
        ));
    }
    Ok(points)
}

/// The most quantiles one `"quantiles(…)"` may list: a fit's time grows with them (elicitation
/// uses three to seven; docs/guide.md, "Limits").
pub const MAX_QUANTILES: usize = 50;

/// Whether `text` is a `"quantiles(…)"` whose fit on `domain` is an iterative search (the beta
/// on [0, 1]; the lognormal on [0, ∞) and (0, ∞) with three or more quantiles), and if so its
/// number of quantiles: what a scenario's fitting budget counts.
pub fn searched_quantiles(text: &str, domain: Option<Domain>) -> Option<usize> {
    let args = text
        .trim()
        .strip_prefix("quantiles")?
        .trim_start()
        .strip_prefix('(')?;
    let n = args.split(',').count();
    match domain {
        Some(Domain::Unit) => Some(n),
        Some(Domain::NonNegative | Domain::Positive) if n > 2 => Some(n),
        _ => None,
    }
}

/// `quantiles(p1: x1, …)` as written, for messages.
fn show_quantiles(points: &[(f64, f64)]) -> String {
    let each: Vec<String> = points
        .iter()
        .map(|(p, x)| format!("{p:?}: {x:?}"))
        .collect();
    format!("quantiles({})", each.join(", "))
}

/// The least-squares fit of elicited quantiles on `domain` (SPEC §8): the beta on [0, 1], the
/// lognormal on [0, ∞) and (0, ∞), the normal on (−∞, ∞) and for event effects (`None`).
fn fit_quantiles(points: &[(f64, f64)], domain: Option<Domain>) -> Result<Dist, String> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    /// Fits already made in this process, by domain and points (the same quantiles on many
    /// parameters, or in every scenario of a chain, are fitted once). Cleared when it holds
    /// [`FITS_KEPT`] of them.
    type Fits = HashMap<(u8, Vec<u64>), Result<Dist, String>>;
    const FITS_KEPT: usize = 4096;
    static FITS: Mutex<Option<Fits>> = Mutex::new(None);
    let Some(domain_code) = (match domain {
        Some(Domain::Unit) => Some(0u8),
        Some(Domain::NonNegative) => Some(1),
        Some(Domain::Positive) => Some(2),
        // Closed form: nothing to keep.
        Some(Domain::Real) | None => None,
    }) else {
        return fit_quantiles_now(points, domain);
    };
    let key = (
        domain_code,
        points
            .iter()
            .flat_map(|(p, x)| [p.to_bits(), x.to_bits()])
            .collect::<Vec<u64>>(),
    );
    if let Ok(fits) = FITS.lock()
        && let Some(fit) = fits.as_ref().and_then(|f| f.get(&key))
    {
        return fit.clone();
    }
    let fit = fit_quantiles_now(points, domain);
    if let Ok(mut fits) = FITS.lock() {
        let fits = fits.get_or_insert_with(HashMap::new);
        if fits.len() >= FITS_KEPT {
            fits.clear();
        }
        fits.insert(key, fit.clone());
    }
    fit
}

fn fit_quantiles_now(points: &[(f64, f64)], domain: Option<Domain>) -> Result<Dist, String> {
    let text = show_quantiles(points);
    let converge = |family: &str, last: (f64, f64), instead: &str| {
        format!(
            "\"{text}\": the least-squares fit of a {family} distribution to these quantiles does not converge (the search stopped at {family}({}, {})); check the quantiles, or write {instead} instead",
            last.0, last.1
        )
    };
    match domain {
        Some(domain @ Domain::Unit) => {
            if let Some(&(p, x)) = points.iter().find(|(_, x)| !(*x > 0.0 && *x < 1.0)) {
                return Err(format!(
                    "\"{text}\": the value {x:?} (at p = {p:?}) is outside the domain {domain}; on a {domain} parameter the quantiles are fitted by a beta distribution, so every value x must lie strictly inside (0, 1)"
                ));
            }
            let (a, b) = fit::beta_from_quantiles(points)
                .map_err(|e| converge("beta", e.last, "beta(a, b) or pert(lo, mode, hi)"))?;
            Ok(Dist::Beta { a, b })
        }
        Some(domain @ (Domain::NonNegative | Domain::Positive)) => {
            if let Some(&(p, x)) = points.iter().find(|(_, x)| *x <= 0.0) {
                return Err(format!(
                    "\"{text}\": the value {x:?} (at p = {p:?}) is outside the domain {domain}; on a {domain} parameter the quantiles are fitted by a lognormal distribution, so every value x must be > 0"
                ));
            }
            let (mu, sigma) = fit::lognormal_from_quantiles(points).map_err(|e| {
                converge("lognormal", e.last, "lognormal(mu, sigma) or \"lo to hi\"")
            })?;
            Ok(Dist::LogNormal { mu, sigma })
        }
        Some(Domain::Real) | None => {
            let (mean, sd) = fit::normal_from_quantiles(points);
            if !(sd > 0.0 && sd.is_finite() && mean.is_finite()) {
                return Err(format!(
                    "\"{text}\": the values are too close together to fit a normal distribution; write a constant or normal(mean, sd) instead"
                ));
            }
            Ok(Dist::Normal { mean, sd })
        }
    }
}

fn finite(x: f64, text: &str) -> Result<f64, String> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("\"{text}\": every number must be finite"))
    }
}

fn number(arg: &str, text: &str) -> Result<f64, String> {
    let x: f64 = arg.parse().map_err(|_| {
        // `beta(8 2)`: two numbers without a comma.
        let parts: Vec<&str> = arg.split_whitespace().collect();
        if let Some(x) = crate::number::percentage(arg) {
            // `10%`: a percentage where a fraction is wanted (written as a person would:
            // 1.1% is 0.011, not x / 100's 0.011000000000000001).
            format!(
                "\"{text}\": \"{arg}\" is not a number; write a percentage as a fraction: {} \
                 for {arg}",
                crate::number::percent_as_fraction(x)
            )
        } else if parts.len() > 1 && parts.iter().all(|p| p.parse::<f64>().is_ok()) {
            format!(
                "\"{text}\": \"{arg}\" is not a number; separate the numbers with commas, e.g. \"{}\"",
                text.replace(arg, &parts.join(", "))
            )
        } else {
            format!("\"{text}\": \"{arg}\" is not a number")
        }
    })?;
    finite(x, text)
}

fn arity(name: &str, args: &[f64], want: &str, n: usize, text: &str) -> Result<(), String> {
    if args.len() == n {
        Ok(())
    } else {
        Err(format!(
            "\"{text}\": {name} takes {n} numbers, {name}({want}), but {} {} given",
            args.len(),
            if args.len() == 1 { "was" } else { "were" }
        ))
    }
}

fn family(name: &str, args: &[f64], text: &str) -> Result<Dist, String> {
    let check = |ok: bool, rule: &str| {
        if ok {
            Ok(())
        } else {
            Err(format!("\"{text}\": {name} needs {rule}"))
        }
    };
    // Bounds written the wrong way round (`uniform(0.5, 0.2)`): the rule, and the order that
    // meets it.
    let ordered = |ok: bool, rule: &str, fixed: &[f64]| {
        if ok {
            Ok(())
        } else {
            let fixed: Vec<String> = fixed.iter().map(|x| format!("{x:?}")).collect();
            Err(format!(
                "\"{text}\": {name} needs {rule} (write \"{name}({})\"?)",
                fixed.join(", ")
            ))
        }
    };
    match name {
        "uniform" => {
            arity(name, args, "a, b", 2, text)?;
            check(args[0] != args[1], "a < b")?;
            ordered(args[0] < args[1], "a < b", &[args[1], args[0]])?;
            Ok(Dist::Uniform {
                lo: args[0],
                hi: args[1],
            })
        }
        "beta" => {
            arity(name, args, "a, b", 2, text)?;
            check(args[0] > 0.0 && args[1] > 0.0, "a > 0 and b > 0")?;
            Ok(Dist::Beta {
                a: args[0],
                b: args[1],
            })
        }
        "normal" => {
            arity(name, args, "mean, sd", 2, text)?;
            check(args[1] > 0.0, "sd > 0")?;
            Ok(Dist::Normal {
                mean: args[0],
                sd: args[1],
            })
        }
        "truncnormal" => {
            arity(name, args, "mean, sd, lo, hi", 4, text)?;
            check(args[1] > 0.0, "sd > 0")?;
            check(args[2] != args[3], "lo < hi")?;
            ordered(
                args[2] < args[3],
                "lo < hi",
                &[args[0], args[1], args[3], args[2]],
            )?;
            let d = Dist::TruncNormal {
                mean: args[0],
                sd: args[1],
                lo: args[2],
                hi: args[3],
            };
            check(
                trunc_mass(args[0], args[1], args[2], args[3]) > 1e-12,
                "[lo, hi] to hold some of the normal's mass (it holds less than 1e-12)",
            )?;
            Ok(d)
        }
        "lognormal" => {
            arity(name, args, "mu, sigma", 2, text)?;
            check(args[1] > 0.0, "sigma > 0")?;
            Ok(Dist::LogNormal {
                mu: args[0],
                sigma: args[1],
            })
        }
        "triangular" | "pert" => {
            arity(name, args, "lo, mode, hi", 3, text)?;
            let rule = "lo <= mode <= hi and lo < hi";
            // `pert(0.8, 0.5, 0.3)`: the bounds swapped around a mode between them.
            let (lo, mode, hi) = (args[0], args[1], args[2]);
            if lo > hi && hi <= mode && mode <= lo {
                ordered(false, rule, &[hi, mode, lo])?;
            }
            check(lo < hi && lo <= mode && mode <= hi, rule)?;
            Ok(if name == "pert" {
                Dist::Pert { lo, mode, hi }
            } else {
                Dist::Triangular { lo, mode, hi }
            })
        }
        _ => {
            // `Beta(7, 3)`: the families are written in lower case.
            let lower = name.to_ascii_lowercase();
            let hint = if lower != name && family(&lower, args, text).is_ok() {
                format!("; did you mean {lower}? (names are lower case)")
            } else {
                String::new()
            };
            Err(format!(
                "\"{text}\": unknown distribution \"{name}\"{hint}; accepted: {ACCEPTED}"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Dist, String> {
        Written::parse(text)?.resolve(Some(Domain::Unit))
    }

    #[test]
    fn parses_every_family() {
        assert_eq!(parse("0.4"), Ok(Dist::Constant(0.4)));
        assert_eq!(parse(" beta(6, 3) "), Ok(Dist::Beta { a: 6.0, b: 3.0 }));
        assert_eq!(
            parse("uniform(0.2,0.8)"),
            Ok(Dist::Uniform { lo: 0.2, hi: 0.8 })
        );
        assert_eq!(
            parse("pert(0.4, 0.7, 0.95)"),
            Ok(Dist::Pert {
                lo: 0.4,
                mode: 0.7,
                hi: 0.95
            })
        );
        assert!(matches!(parse("0.05 to 0.35"), Ok(Dist::Beta { .. })));
        assert!(matches!(
            Written::parse("0.1 to 0.2")
                .unwrap()
                .resolve(Some(Domain::Positive)),
            Ok(Dist::LogNormal { .. })
        ));
        assert!(matches!(
            Written::parse("-0.2 to 0.1").unwrap().resolve(None),
            Ok(Dist::Normal { .. })
        ));
    }

    #[test]
    fn rejects_bad_parameters_with_the_accepted_form() {
        let cases = [
            ("beta(0, 2)", "a > 0 and b > 0"),
            ("beta(1)", "beta takes 2 numbers"),
            ("beta(NaN, 2)", "finite"),
            ("uniform(inf, 2)", "finite"),
            ("gamma(2, 2)", "unknown distribution \"gamma\""),
            ("Beta(7,3)", "did you mean beta?"),
            ("quantiles(10%: 0.2, 0.5: 0.4)", "0.1 for 10%"),
            // Written as a person would: x / 100 printed 0.011000000000000001.
            ("uniform(1.1%, 0.5)", "fraction: 0.011 for 1.1%"),
            ("normal(0.5, 0)", "sd > 0"),
            ("triangular(0.5, 0.2, 0.9)", "lo <= mode <= hi"),
            ("0.5 to 0.2", "low end must be below"),
            ("0 to 0.5", "strictly inside (0, 1)"),
            ("beta(2, 3", "not a distribution"),
            ("truncnormal(0, 0.01, 0.9, 1)", "mass"),
        ];
        for (text, expect) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.contains(expect), "{text}: {err}");
        }
    }

    #[test]
    fn quantiles_are_fitted_by_the_domain_s_family() {
        let written = Written::parse(" quantiles( 0.1 : 0.2 , 0.5: 0.35, 0.9: 6e-1 ) ").unwrap();
        assert_eq!(
            written.quantile_points(),
            Some(&[(0.1, 0.2), (0.5, 0.35), (0.9, 0.6)][..])
        );
        assert!(matches!(
            written.resolve(Some(Domain::Unit)),
            Ok(Dist::Beta { .. })
        ));
        for domain in [Domain::Positive, Domain::NonNegative] {
            assert!(matches!(
                written.resolve(Some(domain)),
                Ok(Dist::LogNormal { .. })
            ));
        }
        for domain in [Some(Domain::Real), None] {
            assert!(matches!(written.resolve(domain), Ok(Dist::Normal { .. })));
        }
        assert_eq!(
            Written::parse("beta(2, 3)").unwrap().quantile_points(),
            None
        );
    }

    #[test]
    fn each_quantiles_rule_has_its_own_message() {
        let cases = [
            (
                "quantiles(0.5: 0.2, 0.5: 0.3)",
                "probabilities must be strictly increasing, but 0.5 follows 0.5",
            ),
            (
                "quantiles(0.6: 0.2, 0.3: 0.3)",
                "probabilities must be strictly increasing, but 0.3 follows 0.6",
            ),
            (
                "quantiles(0: 0.2, 0.5: 0.3)",
                "the probability 0.0 is not inside (0, 1)",
            ),
            (
                "quantiles(0.5: 0.2, 1.5: 0.3)",
                "the probability 1.5 is not inside (0, 1)",
            ),
            (
                "quantiles(0.1: 0.3, 0.5: 0.3)",
                "values must be strictly increasing with the probabilities, but 0.5: 0.3 is not above 0.1: 0.3",
            ),
            (
                "quantiles(0.1: 0.3, 0.5: 0.2)",
                "values must be strictly increasing",
            ),
            ("quantiles(0.5: 0.3)", "at least two quantiles, 1 was given"),
            ("quantiles()", "\"\" is not a quantile; write each as p: x"),
            (
                "quantiles(0.1 0.2, 0.5: 0.3)",
                "\"0.1 0.2\" is not a quantile",
            ),
            ("quantiles(0.1: x, 0.5: 0.3)", "\"x\" is not a number"),
            ("quantiles(0.1: NaN, 0.5: 0.3)", "finite"),
            ("quantiles(1e-200: 0.1, 0.5: 0.3)", "1e-200 is out of range"),
            (
                "quantiles(0.1: 0.2, 0.9: 1)",
                "the value 1.0 (at p = 0.9) is outside the domain [0, 1]",
            ),
            (
                "quantiles(0.1: 0, 0.9: 0.5)",
                "the value 0.0 (at p = 0.1) is outside the domain [0, 1]",
            ),
            (
                "quantiles(0.1: 0.5, 0.9: 0.5000000001)",
                "fit of a beta distribution to these quantiles does not converge",
            ),
        ];
        for (text, expect) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.contains(expect), "{text}: {err}");
        }
        let positive = Written::parse("quantiles(0.1: -0.5, 0.9: 2)").unwrap();
        let err = positive.resolve(Some(Domain::Positive)).unwrap_err();
        assert!(
            err.contains("the value -0.5 (at p = 0.1) is outside the domain (0, inf)")
                && err.contains("> 0"),
            "{err}"
        );
        assert!(positive.resolve(None).is_ok() && positive.resolve(Some(Domain::Real)).is_ok());
        let err = Written::parse("quantiles(0.1: 1, 0.5: 1.0000001, 0.9: 1e10)")
            .unwrap()
            .resolve(Some(Domain::NonNegative))
            .unwrap_err();
        assert!(
            err.contains("lognormal distribution to these quantiles does not converge"),
            "{err}"
        );
    }

    #[test]
    fn domain_check_suggests_a_bounded_alternative() {
        let normal = parse("normal(0.5, 0.1)").unwrap();
        let err = normal.check_domain(Domain::Unit).unwrap_err();
        assert!(
            err.contains("[-inf, inf]") && err.contains("truncnormal"),
            "{err}"
        );
        assert!(normal.check_domain(Domain::Real).is_ok());
        assert!(
            parse("uniform(0, 0.2)")
                .unwrap()
                .check_domain(Domain::Positive)
                .is_err()
        );
        assert!(
            parse("beta(2, 2)")
                .unwrap()
                .check_domain(Domain::Positive)
                .is_ok()
        );
        assert!(Dist::Constant(1.5).check_domain(Domain::Unit).is_err());
    }
}
