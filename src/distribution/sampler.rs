//! [`Sampler`]: a [`Dist`] compiled for fast repeated sampling.

use super::dist::Dist;
use super::gamma::{Gamma, ratio_from_logs};
use super::special::{pert_shape, triangular_quantile, trunc_mass, truncnormal_quantile};
use super::standard::{standard_normal, uniform};
use rand::Rng;

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
