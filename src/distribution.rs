//! Probability distributions of scenario files: parsing, domain checks, fast sampling and
//! exact CDF / quantile functions (SPEC §3).
//!
//! Samplers are chosen for speed (SPEC §10): beta draws are a ratio of two gamma draws
//! (Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 2000,
//! draw for draw as `rand_distr::Gamma`, inlined), normal draws use `rand_distr`'s ziggurat, and the
//! bounded families with closed-form quantiles use inversion. When a beta shape is below 1
//! the ratio is taken from the gammas' logarithms, so that shapes down to 1e-100 are exact
//! where the gammas themselves would underflow to 0.

use crate::cast::Domain;
use crate::fastmath;
use crate::fit;
use rand::Rng;
use rand_distr::{Distribution, Exp1, Open01, StandardNormal, StandardUniform};
use statrs::function::beta::{beta_reg, ln_beta};
use statrs::function::erf::{erfc, erfc_inv};
use std::fmt;

/// The distribution syntaxes a scenario may use, for error messages.
pub const ACCEPTED: &str = "a number, \"uniform(a, b)\", \"beta(a, b)\", \"normal(mean, sd)\", \
\"truncnormal(mean, sd, lo, hi)\", \"lognormal(mu, sigma)\", \"triangular(lo, mode, hi)\", \
\"pert(lo, mode, hi)\", \"lo to hi\" (a 90% interval) or \"quantiles(p1: x1, p2: x2, ...)\" \
(elicited quantiles)";

/// z such that Φ(z) = 0.95: a 90% interval spans ±z standard deviations.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// A distribution with validated parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    /// Always the same value.
    Constant(f64),
    /// Uniform on [lo, hi].
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Beta(a, b) on [0, 1].
    Beta {
        /// First shape parameter.
        a: f64,
        /// Second shape parameter.
        b: f64,
    },
    /// Normal(mean, sd).
    Normal {
        /// Mean of the (untruncated) normal.
        mean: f64,
        /// Standard deviation of the (untruncated) normal.
        sd: f64,
    },
    /// Normal(mean, sd) truncated to [lo, hi].
    TruncNormal {
        /// Mean of the (untruncated) normal.
        mean: f64,
        /// Standard deviation of the (untruncated) normal.
        sd: f64,
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// exp(Normal(mu, sigma)).
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Triangular on [lo, hi] with the given mode.
    Triangular {
        /// Lower end.
        lo: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        hi: f64,
    },
    /// Beta-PERT with shape 4 on [lo, hi].
    Pert {
        /// Lower end.
        lo: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        hi: f64,
    },
}

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
    /// `"quantiles(…)"` becomes the same family, fitted by least squares ([`fit`]).
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
        if parts.len() > 1 && parts.iter().all(|p| p.parse::<f64>().is_ok()) {
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
    match name {
        "uniform" => {
            arity(name, args, "a, b", 2, text)?;
            check(args[0] < args[1], "a < b")?;
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
            check(args[2] < args[3], "lo < hi")?;
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
            check(
                args[0] < args[2] && args[0] <= args[1] && args[1] <= args[2],
                "lo <= mode <= hi and lo < hi",
            )?;
            let (lo, mode, hi) = (args[0], args[1], args[2]);
            Ok(if name == "pert" {
                Dist::Pert { lo, mode, hi }
            } else {
                Dist::Triangular { lo, mode, hi }
            })
        }
        _ => Err(format!(
            "\"{text}\": unknown distribution \"{name}\"; accepted: {ACCEPTED}"
        )),
    }
}

/// Standard normal CDF Φ.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal quantile Φ⁻¹.
pub fn normal_quantile(u: f64) -> f64 {
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * u)
}

/// Probability mass a Normal(mean, sd) puts on [lo, hi], computed on the side of the mean
/// where it does not cancel.
fn trunc_mass(mean: f64, sd: f64, lo: f64, hi: f64) -> f64 {
    let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
    if a > 0.0 {
        normal_cdf(-a) - normal_cdf(-b)
    } else {
        normal_cdf(b) - normal_cdf(a)
    }
}

impl Dist {
    /// The smallest and largest values the distribution can take, and whether the low end
    /// itself has probability zero and is never drawn (beta, lognormal and PERT at 0 or lo).
    pub fn support(&self) -> (f64, f64, bool) {
        match *self {
            Dist::Constant(c) => (c, c, false),
            Dist::Uniform { lo, hi } => (lo, hi, false),
            Dist::Beta { .. } => (0.0, 1.0, true),
            Dist::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY, true),
            Dist::TruncNormal { lo, hi, .. } => (lo, hi, false),
            Dist::LogNormal { .. } => (0.0, f64::INFINITY, true),
            Dist::Triangular { lo, hi, .. } => (lo, hi, false),
            Dist::Pert { lo, hi, .. } => (lo, hi, true),
        }
    }

    /// Checks that f64 arithmetic keeps every draw and every quantile finite and off an
    /// excluded 0: numbers 0 or between 1e-100 and 1e100 in magnitude, and a lognormal whose
    /// ±40 sd stay within e^±700. Beyond that, widths overflow (`uniform(-1e308, 1e308)` draws
    /// inf and NaN, `pert(-1e308, 1e308, 1e308)` has a NaN shape), exp overflows or underflows.
    ///
    /// # Errors
    /// A message naming the number and what is accepted.
    pub fn check_range(&self) -> Result<(), String> {
        let numbers = match *self {
            Dist::Constant(_) => return Ok(()),
            Dist::Uniform { lo, hi } => vec![lo, hi],
            Dist::Beta { a, b } => vec![a, b],
            Dist::Normal { mean, sd } => vec![mean, sd],
            Dist::TruncNormal { mean, sd, lo, hi } => vec![mean, sd, lo, hi],
            Dist::LogNormal { mu, sigma } => vec![mu, sigma],
            Dist::Triangular { lo, mode, hi } | Dist::Pert { lo, mode, hi } => vec![lo, mode, hi],
        };
        if let Some(x) = numbers
            .iter()
            .find(|x| **x != 0.0 && !(1e-100..=1e100).contains(&x.abs()))
        {
            return Err(format!(
                "{self}: {x:e} is out of range; accepted: numbers from 1e-100 to 1e100 in magnitude, or 0"
            ));
        }
        if let Dist::LogNormal { mu, sigma } = *self
            && mu.abs() + 40.0 * sigma > 700.0
        {
            return Err(format!(
                "{self}: its draws would overflow to inf or round to 0; accepted: |mu| + 40·sigma <= 700"
            ));
        }
        Ok(())
    }

    /// Whether the distribution is a single value.
    pub fn is_constant(&self) -> bool {
        matches!(self, Dist::Constant(_))
    }

    /// Checks that the support lies inside `domain`.
    ///
    /// # Errors
    /// A message saying where the support leaves the domain and suggesting a bounded
    /// alternative.
    pub fn check_domain(&self, domain: Domain) -> Result<(), String> {
        let (lo, hi, open_low) = self.support();
        let inside = match domain {
            Domain::Unit => lo >= 0.0 && hi <= 1.0,
            Domain::NonNegative => lo >= 0.0,
            // A beta with a < 0.2 is never 0 in theory, but its draws and quantiles round to 0.
            Domain::Positive => {
                lo > 0.0
                    || (lo == 0.0 && open_low && !matches!(*self, Dist::Beta { a, .. } if a < 0.2))
            }
            Domain::Real => true,
        };
        if inside {
            return Ok(());
        }
        let what = match self {
            Dist::Constant(c) => format!("{c} is outside the domain {domain}"),
            _ => format!(
                "{self} takes values in [{}, {}], outside the domain {domain}",
                fmt_bound(lo),
                fmt_bound(hi)
            ),
        };
        let hint = match domain {
            Domain::Unit => {
                "use a distribution bounded to [0, 1]: beta(a, b), pert(lo, mode, hi), \
                 triangular(lo, mode, hi), uniform(a, b), truncnormal(mean, sd, 0, 1) or \"lo to hi\""
            }
            Domain::NonNegative => {
                "use lognormal(mu, sigma), truncnormal(mean, sd, 0, hi), \"lo to hi\" with lo > 0, \
                 or a bounded distribution with lo >= 0"
            }
            Domain::Positive => {
                "use lognormal(mu, sigma), \"lo to hi\" with lo > 0, or a bounded distribution \
                 with lo > 0 such as pert(0.01, 0.08, 0.2)"
            }
            Domain::Real => "",
        };
        Err(format!("{what}; {hint}"))
    }

    /// Cumulative distribution function P(X <= x).
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Dist::Constant(c) => f64::from(u8::from(x >= c)),
            Dist::Uniform { lo, hi } => ((x - lo) / (hi - lo)).clamp(0.0, 1.0),
            Dist::Beta { a, b } => beta_cdf(a, b, x),
            Dist::Normal { mean, sd } => normal_cdf((x - mean) / sd),
            Dist::TruncNormal { mean, sd, lo, hi } => {
                if x <= lo {
                    0.0
                } else if x >= hi {
                    1.0
                } else {
                    trunc_mass(mean, sd, lo, x) / trunc_mass(mean, sd, lo, hi)
                }
            }
            Dist::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal_cdf((x.ln() - mu) / sigma)
                }
            }
            Dist::Triangular { lo, mode, hi } => {
                if x <= lo {
                    0.0
                } else if x >= hi {
                    1.0
                } else if x <= mode {
                    (x - lo).powi(2) / ((hi - lo) * (mode - lo))
                } else {
                    1.0 - (hi - x).powi(2) / ((hi - lo) * (hi - mode))
                }
            }
            Dist::Pert { lo, mode, hi } => {
                let (a, b) = pert_shape(lo, mode, hi);
                beta_cdf(a, b, (x - lo) / (hi - lo))
            }
        }
    }

    /// Quantile function: the x with P(X <= x) = u, for u in (0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Dist::Constant(c) => c,
            Dist::Uniform { lo, hi } => lo + (hi - lo) * u,
            Dist::Beta { a, b } => beta_quantile(a, b, u),
            Dist::Normal { mean, sd } => mean + sd * normal_quantile(u),
            Dist::TruncNormal { mean, sd, lo, hi } => truncnormal_quantile(mean, sd, lo, hi, u),
            Dist::LogNormal { mu, sigma } => (mu + sigma * normal_quantile(u)).exp(),
            Dist::Triangular { lo, mode, hi } => triangular_quantile(lo, mode, hi, u),
            Dist::Pert { lo, mode, hi } => {
                let (a, b) = pert_shape(lo, mode, hi);
                lo + (hi - lo) * beta_quantile(a, b, u)
            }
        }
    }
}

fn fmt_bound(x: f64) -> String {
    if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        x.to_string()
    }
}

fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        beta_reg(a, b, x)
    }
}

/// The beta quantile: the x with I_x(a, b) = u. It is solved on the side of 1/2 where it lies,
/// for x or for 1 − x, in the logarithm of that, so that quantiles far below 1e-100 keep their
/// relative precision (beta(0.001, 0.001)'s 40% quantile is about 1e-97, its 30% about 1e-222,
/// and below 24% it rounds to 0) and those within 1e-16 of 1 round to 1 as they should:
/// [`crate::copula`] draws extreme betas through it, and they must match [`Sampler`]'s draws.
pub fn beta_quantile(a: f64, b: f64, u: f64) -> f64 {
    if u <= 0.0 {
        return 0.0;
    }
    if u >= 1.0 {
        return 1.0;
    }
    if u <= beta_reg(a, b, 0.5) {
        lower_half_quantile(a, b, u)
    } else {
        // The mirror image: 1 − X is Beta(b, a), and 1 − x keeps its precision there.
        1.0 - lower_half_quantile(b, a, 1.0 - u)
    }
}

/// ln of the smallest positive double (the subnormal 2⁻¹⁰⁷⁴).
const LN_SMALLEST: f64 = -1074.0 * std::f64::consts::LN_2;

/// The x in [0, 1/2] with I_x(a, b) = p, for 0 < p <= I_½(a, b): Newton steps in t = ln x on
/// ln I_x(a, b), which is nearly linear there (slope a as x → 0), kept inside a shrinking
/// bracket (bisection whenever a step would leave it, or where I_x underflows), at most 200
/// iterations, so that it always returns (`statrs`' own inverse can loop forever for extreme
/// shapes such as beta(1, 2e7)).
fn lower_half_quantile(a: f64, b: f64, p: f64) -> f64 {
    let ln_p = p.ln();
    let log_norm = ln_beta(a, b);
    let ln_cdf = |t: f64| beta_reg(a, b, t.exp()).ln();
    let (mut lo, mut hi) = (LN_SMALLEST, -std::f64::consts::LN_2);
    let floor = ln_cdf(lo);
    if floor >= ln_p {
        // Below the smallest double, where I_x(a, b) ∝ x^a: exp rounds the extrapolation to
        // that double or to 0.
        return (lo + (ln_p - floor) / a).exp();
    }
    // The same power law is the start.
    let mut t = ((ln_p + a.ln() + log_norm) / a).clamp(lo, hi);
    if t.is_nan() {
        t = 0.5 * (lo + hi);
    }
    for _ in 0..200 {
        let ln_i = ln_cdf(t);
        let g = ln_i - ln_p;
        if g == 0.0 {
            break;
        }
        if g < 0.0 {
            lo = t;
        } else {
            hi = t;
        }
        // d ln I / dt = x·f(x) / I, with f the beta density.
        let slope = (a * t + (b - 1.0) * (-t.exp()).ln_1p() - log_norm - ln_i).exp();
        let newton = t - g / slope;
        let next = if newton.is_finite() && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        let tolerance = 2.0 * f64::EPSILON * t.abs().max(1.0);
        if (next - t).abs() <= tolerance || hi - lo <= tolerance {
            t = next;
            break;
        }
        t = next;
    }
    t.exp()
}

/// Beta-PERT shape parameters (shape 4): α = 1 + 4(mode − lo)/(hi − lo), β = 1 + 4(hi − mode)/(hi − lo).
fn pert_shape(lo: f64, mode: f64, hi: f64) -> (f64, f64) {
    let range = hi - lo;
    (
        1.0 + 4.0 * (mode - lo) / range,
        1.0 + 4.0 * (hi - mode) / range,
    )
}

/// Inversion of the triangular CDF at u.
#[inline(always)]
pub(crate) fn triangular_quantile(lo: f64, mode: f64, hi: f64, u: f64) -> f64 {
    let range = hi - lo;
    if u * range < mode - lo {
        lo + (u * range * (mode - lo)).sqrt()
    } else {
        hi - ((1.0 - u) * range * (hi - mode)).sqrt()
    }
}

/// Inversion on the side of the mean away from the far tail, so that intervals deep in one
/// tail keep their precision.
fn truncnormal_quantile(mean: f64, sd: f64, lo: f64, hi: f64, u: f64) -> f64 {
    let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
    let z = if a > 0.0 {
        // Upper tail: work with survival probabilities Q(z) = Φ(−z).
        let (qa, qb) = (normal_cdf(-a), normal_cdf(-b));
        -normal_quantile(qa - u * (qa - qb))
    } else {
        let (pa, pb) = (normal_cdf(a), normal_cdf(b));
        normal_quantile(pa + u * (pb - pa))
    };
    (mean + sd * z).clamp(lo, hi)
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Dist::Constant(c) => write!(f, "{c}"),
            Dist::Uniform { lo, hi } => write!(f, "uniform({lo}, {hi})"),
            Dist::Beta { a, b } => write!(f, "beta({a}, {b})"),
            Dist::Normal { mean, sd } => write!(f, "normal({mean}, {sd})"),
            Dist::TruncNormal { mean, sd, lo, hi } => {
                write!(f, "truncnormal({mean}, {sd}, {lo}, {hi})")
            }
            Dist::LogNormal { mu, sigma } => write!(f, "lognormal({mu}, {sigma})"),
            Dist::Triangular { lo, mode, hi } => write!(f, "triangular({lo}, {mode}, {hi})"),
            Dist::Pert { lo, mode, hi } => write!(f, "pert({lo}, {mode}, {hi})"),
        }
    }
}

/// A distribution compiled for fast repeated sampling.
#[derive(Clone, Copy, Debug)]
pub enum Sampler {
    /// Constant: draws nothing.
    Constant(f64),
    /// lo + width · U.
    Uniform {
        /// Lower end.
        lo: f64,
        /// hi − lo.
        width: f64,
    },
    /// lo + width · X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b): beta and PERT.
    Beta {
        /// Lower end.
        lo: f64,
        /// hi − lo.
        width: f64,
        /// Gamma(a) sampler of the numerator.
        x: Gamma,
        /// Gamma(b) sampler of the rest.
        y: Gamma,
    },
    /// mean + sd · Z.
    Normal {
        /// Mean of the (untruncated) normal.
        mean: f64,
        /// Standard deviation of the (untruncated) normal.
        sd: f64,
    },
    /// Rejection from the normal when [lo, hi] holds at least a quarter of its mass,
    /// inversion otherwise.
    TruncNormal {
        /// Mean of the (untruncated) normal.
        mean: f64,
        /// Standard deviation of the (untruncated) normal.
        sd: f64,
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// Whether to sample by rejection (else by inversion).
        rejection: bool,
    },
    /// exp(mu + sigma · Z).
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Inversion of the triangular CDF.
    Triangular {
        /// Lower end.
        lo: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        hi: f64,
    },
}

impl Sampler {
    /// Compiles a validated distribution.
    pub fn new(dist: &Dist) -> Sampler {
        let gamma = Gamma::new;
        match *dist {
            Dist::Constant(c) => Sampler::Constant(c),
            Dist::Uniform { lo, hi } => Sampler::Uniform { lo, width: hi - lo },
            Dist::Beta { a, b } => Sampler::Beta {
                lo: 0.0,
                width: 1.0,
                x: gamma(a),
                y: gamma(b),
            },
            Dist::Pert { lo, mode, hi } => {
                let (a, b) = pert_shape(lo, mode, hi);
                Sampler::Beta {
                    lo,
                    width: hi - lo,
                    x: gamma(a),
                    y: gamma(b),
                }
            }
            Dist::Normal { mean, sd } => Sampler::Normal { mean, sd },
            Dist::TruncNormal { mean, sd, lo, hi } => Sampler::TruncNormal {
                mean,
                sd,
                lo,
                hi,
                rejection: trunc_mass(mean, sd, lo, hi) >= 0.25,
            },
            Dist::LogNormal { mu, sigma } => Sampler::LogNormal { mu, sigma },
            Dist::Triangular { lo, mode, hi } => Sampler::Triangular { lo, mode, hi },
        }
    }

    /// Draws one value.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Sampler::Constant(c) => c,
            Sampler::Uniform { lo, width } => lo + width * uniform(rng),
            Sampler::Beta { lo, width, x, y } => {
                let ratio = if x.is_small() || y.is_small() {
                    // A shape below 1: a gamma may be far below the smallest double
                    // (Gamma(0.001) is below 1e-300 about half the time), so the ratio is
                    // taken from the logarithms, which stay finite.
                    let ln_x = x.ln_sample(rng);
                    let ln_y = y.ln_sample(rng);
                    ratio_from_logs(ln_x, ln_y)
                } else {
                    // Shapes of 1 and above: the ratio of the gammas themselves, as the
                    // vectorised draws ([`crate::model`]) compute it to the bit. These gammas
                    // are at least 1e-48 (bar an exponential draw of 0, about one in 2⁵²),
                    // so the 0.5 is not taken.
                    let gx = x.sample(rng);
                    let gy = y.sample(rng);
                    if gx + gy > 0.0 { gx / (gx + gy) } else { 0.5 }
                };
                lo + width * ratio
            }
            Sampler::Normal { mean, sd } => mean + sd * standard_normal(rng),
            Sampler::TruncNormal {
                mean,
                sd,
                lo,
                hi,
                rejection,
            } => {
                if rejection {
                    loop {
                        let x = mean + sd * standard_normal(rng);
                        if (lo..=hi).contains(&x) {
                            return x;
                        }
                    }
                } else {
                    truncnormal_quantile(mean, sd, lo, hi, uniform(rng))
                }
            }
            Sampler::LogNormal { mu, sigma } => {
                crate::fastmath::exp(mu + sigma * standard_normal(rng))
            }
            Sampler::Triangular { lo, mode, hi } => triangular_quantile(lo, mode, hi, uniform(rng)),
        }
    }
}

/// Gamma(shape, 1) as `rand_distr`'s `Gamma` draws it (Marsaglia & Tsang 2000 for
/// shape > 1; Gamma(shape + 1)·U^(1/shape) below 1; Exp(1) at 1), written here so that it
/// inlines into the parameter draws, and so that the logarithms of Marsaglia & Tsang's exact
/// test are [`fastmath::ln`], which the vectorised draws ([`crate::model`]) compute too. The
/// draws are `rand_distr`'s to the bit but where the two logarithms fall on either side of
/// the test's threshold (not once in the tests' 160,000 draws).
#[derive(Clone, Copy, Debug)]
pub struct Gamma {
    /// shape − 1/3 (of shape + 1 below 1).
    d: f64,
    /// 1 / √(9d).
    c: f64,
    form: GammaForm,
}

#[derive(Clone, Copy, Debug)]
enum GammaForm {
    Large,
    Small { inverse_shape: f64 },
    Exponential,
}

impl Gamma {
    /// The sampler of Gamma(`shape`, 1); `shape` is positive and finite (validated).
    pub fn new(shape: f64) -> Gamma {
        let (form, large) = if shape == 1.0 {
            (GammaForm::Exponential, shape)
        } else if shape < 1.0 {
            let inverse_shape = 1.0 / shape;
            (GammaForm::Small { inverse_shape }, shape + 1.0)
        } else {
            (GammaForm::Large, shape)
        };
        let d = large - 1.0 / 3.0;
        Gamma {
            d,
            c: 1.0 / (9.0 * d).sqrt(),
            form,
        }
    }

    /// One draw.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.form {
            GammaForm::Large => self.unscaled(rng) * self.d,
            GammaForm::Small { inverse_shape } => {
                let u: f64 = Open01.sample(rng);
                let a = self.unscaled(rng);
                a * u.powf(inverse_shape) * self.d
            }
            GammaForm::Exponential => Exp1.sample(rng),
        }
    }

    /// Whether the shape is below 1, where a draw can underflow: Gamma(shape + 1)·U^(1/shape)
    /// is below the smallest double when U^(1/shape) is, which happens for shapes below about 0.05.
    pub fn is_small(&self) -> bool {
        matches!(self.form, GammaForm::Small { .. })
    }

    /// The natural logarithm of one draw, from the same random numbers as [`Gamma::sample`],
    /// and finite for every shape however small: below 1, ln Gamma(shape + 1) + ln(U)/shape
    /// (the logarithm of the product that underflows); at and above 1, the logarithm of the
    /// draw (an exponential draw of 0, about one in 2⁵², counts as the smallest normal double).
    #[inline]
    pub fn ln_sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.form {
            GammaForm::Large => fastmath::ln(self.unscaled(rng) * self.d),
            GammaForm::Small { inverse_shape } => {
                let u: f64 = Open01.sample(rng);
                let v = self.unscaled(rng);
                fastmath::ln(v * self.d) + fastmath::ln(u) * inverse_shape
            }
            GammaForm::Exponential => {
                let e: f64 = Exp1.sample(rng);
                fastmath::ln(e.max(f64::MIN_POSITIVE))
            }
        }
    }

    /// (d, c) when shape > 1, where a draw is one Marsaglia–Tsang attempt, or more.
    pub fn large_shape(&self) -> Option<(f64, f64)> {
        matches!(self.form, GammaForm::Large).then_some((self.d, self.c))
    }

    /// Marsaglia & Tsang's v, the draw divided by d.
    #[inline(always)]
    fn unscaled<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let x = standard_normal(rng);
            let v_cbrt = 1.0 + self.c * x;
            if v_cbrt <= 0.0 {
                continue;
            }
            let v = v_cbrt * v_cbrt * v_cbrt;
            let u: f64 = Open01.sample(rng);
            let x_sqr = x * x;
            if u < 1.0 - 0.0331 * x_sqr * x_sqr
                || fastmath::ln(u) < 0.5 * x_sqr + self.d * (1.0 - v + fastmath::ln(v))
            {
                return v;
            }
        }
    }
}

/// X / (X + Y) from ln X and ln Y (finite): 1 / (1 + e^(ln Y − ln X)), with the exponential
/// taken of a non-positive number so that it cannot overflow. Below 1/2 the result keeps its
/// relative precision down to the subnormals (it is 0 only below the smallest of them); above
/// 1/2 it is 1 − Y/(X + Y), rounded once, so that it is 1 only when Y/(X + Y) is at most 2⁻⁵⁴.
#[inline]
fn ratio_from_logs(ln_x: f64, ln_y: f64) -> f64 {
    let d = ln_y - ln_x;
    if d > 0.0 {
        let t = (-d).exp();
        t / (1.0 + t)
    } else {
        let t = d.exp();
        1.0 - t / (1.0 + t)
    }
}

/// A uniform draw on [0, 1) with 53 random bits.
#[inline]
pub fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    StandardUniform.sample(rng)
}

/// A standard normal draw (ziggurat).
#[inline]
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    StandardNormal.sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our gamma is rand_distr's, draw for draw, on both sides of shape 1 and at 1 (it could
    /// differ where fastmath::ln and f64::ln straddle the exact test's threshold: not here).
    #[test]
    fn gamma_is_rand_distr_gamma() {
        use rand::SeedableRng;
        for shape in [0.05, 0.3, 0.999, 1.0, 1.5, 3.287, 17.76, 1e6] {
            let ours = Gamma::new(shape);
            let theirs = rand_distr::Gamma::new(shape, 1.0).expect("valid shape");
            let mut a = rand_xoshiro::SplitMix64::seed_from_u64(shape.to_bits());
            let mut b = a.clone();
            for _ in 0..20_000 {
                assert_eq!(
                    ours.sample(&mut a).to_bits(),
                    theirs.sample(&mut b).to_bits(),
                    "{shape}"
                );
            }
        }
    }

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

    #[test]
    fn beta_quantile_terminates_for_extreme_shapes() {
        for (a, b) in [
            (1.0, 2e7),
            (2e7, 1.0),
            (1e-3, 1e-3),
            (0.05, 50.0),
            (5e6, 5e6),
            (1.0, 1.0),
        ] {
            for u in [1e-12, 0.05, 0.5, 0.95, 1.0 - 1e-12] {
                let x = beta_quantile(a, b, u);
                assert!((0.0..=1.0).contains(&x), "beta({a}, {b}) at {u}: {x}");
                let back = beta_reg(a, b, x);
                // Quantiles below 1e-100 (or within 1e-15 of 1) stand for ones that underflow
                // (beta(0.001, 0.001) at 1e-12 is about 1e-12000).
                assert!(
                    (back - u).abs() < 1e-6 || !(1e-100..=1.0 - 1e-15).contains(&x),
                    "beta({a}, {b}) at {u}: x={x} cdf={back}"
                );
            }
        }
    }

    /// Quantiles far below 1e-100 keep their relative precision, and those within 2⁻⁵⁴ of 1
    /// are 1: the copula draws extreme betas through them (beta(0.001, 2)'s median is 3e-302;
    /// the old bracketing stopped near 1e-121 and returned 1 − 1.1e-15 for beta(2, 0.001) at
    /// 10%, whose true quantile is within 1e-40 of 1).
    #[test]
    fn beta_quantile_is_exact_at_extreme_shapes() {
        for (a, b, u) in [
            (1e-3, 1e-3, 0.3),
            (1e-3, 1e-3, 0.45),
            (1e-3, 2.0, 0.5),
            (1e-3, 2.0, 0.9),
            (0.01, 0.5, 0.01),
            (2.0, 1e-3, 1e-10),
            (0.2, 30.0, 1e-6),
            (6.0, 3.0, 1e-300),
        ] {
            let x = beta_quantile(a, b, u);
            assert!(x > 0.0 && x < 0.5, "beta({a}, {b}) at {u}: {x}");
            let back = beta_reg(a, b, x);
            assert!(
                (back - u).abs() <= 1e-12 * u,
                "beta({a}, {b}) at {u}: x = {x:e}, cdf {back}"
            );
        }
        for (a, b, u, x) in [
            (2.0, 1e-3, 0.1, 1.0),
            (1e-3, 1e-3, 0.52, 1.0),
            (1e-3, 1e-3, 0.2, 0.0),
            (1e-3, 2.0, 0.45, 0.0),
        ] {
            assert_eq!(beta_quantile(a, b, u), x, "beta({a}, {b}) at {u}");
        }
    }

    #[test]
    fn quantile_inverts_cdf() {
        let dists = [
            Dist::Beta { a: 6.0, b: 3.0 },
            Dist::Pert {
                lo: 0.4,
                mode: 0.7,
                hi: 0.95,
            },
            Dist::TruncNormal {
                mean: 0.5,
                sd: 0.2,
                lo: 0.0,
                hi: 1.0,
            },
            Dist::TruncNormal {
                mean: 0.0,
                sd: 0.05,
                lo: 0.3,
                hi: 0.4,
            },
            Dist::Triangular {
                lo: 0.1,
                mode: 0.3,
                hi: 0.9,
            },
            Dist::LogNormal {
                mu: -2.5,
                sigma: 0.4,
            },
            Dist::Normal { mean: 0.3, sd: 0.1 },
            Dist::Uniform { lo: 0.2, hi: 0.8 },
        ];
        for d in dists {
            for u in [0.01, 0.2, 0.5, 0.77, 0.99] {
                let x = d.quantile(u);
                assert!(
                    (d.cdf(x) - u).abs() < 1e-9,
                    "{d}: u={u} x={x} cdf={}",
                    d.cdf(x)
                );
            }
        }
    }
}
