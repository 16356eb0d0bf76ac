//! [`Dist`]: the families a parameter may follow, with their domain checks, CDFs and exact
//! quantiles (the special functions are in `special`).

use super::special::{
    beta_cdf, beta_quantile, normal_cdf, normal_quantile, pert_shape, triangular_quantile,
    trunc_mass, truncnormal_quantile,
};
use crate::cast::Domain;
use std::fmt;

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
        // `will = 40` or `uniform(10, 40)`: percentages where fractions are wanted.
        let percent = match *self {
            Dist::Constant(c) if domain == Domain::Unit && c > 1.0 && c <= 100.0 => format!(
                " (for {}% write {})",
                crate::number::float(c),
                crate::number::percent_as_fraction(c)
            ),
            _ if domain == Domain::Unit && lo >= 0.0 && hi > 1.0 && hi <= 100.0 => {
                " (written in percent? this parameter is a fraction: 0.4 for 40%)".to_string()
            }
            _ => String::new(),
        };
        Err(format!("{what}{percent}; {hint}"))
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

    /// The beta shapes (a, b) behind a beta or a PERT (whose draws are lo + (hi − lo)·X, X
    /// that beta); `None` for the other families.
    pub fn beta_shape(&self) -> Option<(f64, f64)> {
        match *self {
            Dist::Beta { a, b } => Some((a, b)),
            Dist::Pert { lo, mode, hi } => Some(pert_shape(lo, mode, hi)),
            _ => None,
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
        crate::number::float(x)
    }
}

/// Numbers as the outputs write them (`1e-300`, not three hundred digits).
impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |xs: &[f64]| {
            xs.iter()
                .map(|&x| fmt_bound(x))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match *self {
            Dist::Constant(c) => write!(f, "{}", fmt_bound(c)),
            Dist::Uniform { lo, hi } => write!(f, "uniform({})", list(&[lo, hi])),
            Dist::Beta { a, b } => write!(f, "beta({})", list(&[a, b])),
            Dist::Normal { mean, sd } => write!(f, "normal({})", list(&[mean, sd])),
            Dist::TruncNormal { mean, sd, lo, hi } => {
                write!(f, "truncnormal({})", list(&[mean, sd, lo, hi]))
            }
            Dist::LogNormal { mu, sigma } => write!(f, "lognormal({})", list(&[mu, sigma])),
            Dist::Triangular { lo, mode, hi } => {
                write!(f, "triangular({})", list(&[lo, mode, hi]))
            }
            Dist::Pert { lo, mode, hi } => write!(f, "pert({})", list(&[lo, mode, hi])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
