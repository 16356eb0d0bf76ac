//! The special functions the families need, exactly: the standard normal's Φ and Φ⁻¹, and the
//! beta, PERT, triangular and truncated-normal quantiles. A leaf: it imports no other room.

use statrs::function::beta::{beta_reg, ln_beta};
use statrs::function::erf::{erfc, erfc_inv};

/// z such that Φ(z) = 0.95: a 90% interval spans ±z standard deviations.
pub const Z95: f64 = 1.644_853_626_951_472_2;

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
pub(super) fn trunc_mass(mean: f64, sd: f64, lo: f64, hi: f64) -> f64 {
    let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
    if a > 0.0 {
        normal_cdf(-a) - normal_cdf(-b)
    } else {
        normal_cdf(b) - normal_cdf(a)
    }
}

pub(super) fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
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
/// [`crate::copula`] draws extreme betas through it, and they must match [`super::Sampler`]'s draws.
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
    lower_half_ln_quantile(a, b, p).exp()
}

/// ln of [`lower_half_quantile`]'s x (the t its Newton steps end on), finite however far
/// below the smallest double x lies: the exact values that [`super::BetaInverse`] tabulates.
pub(super) fn lower_half_ln_quantile(a: f64, b: f64, p: f64) -> f64 {
    let ln_p = p.ln();
    let log_norm = ln_beta(a, b);
    let ln_cdf = |t: f64| beta_reg(a, b, t.exp()).ln();
    let (mut lo, mut hi) = (LN_SMALLEST, -std::f64::consts::LN_2);
    let floor = ln_cdf(lo);
    if floor >= ln_p {
        // Below the smallest double, where I_x(a, b) ∝ x^a: exp rounds the extrapolation to
        // that double or to 0.
        return lo + (ln_p - floor) / a;
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
    t
}

/// Beta-PERT shape parameters (shape 4): α = 1 + 4(mode − lo)/(hi − lo), β = 1 + 4(hi − mode)/(hi − lo).
pub(super) fn pert_shape(lo: f64, mode: f64, hi: f64) -> (f64, f64) {
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
pub(super) fn truncnormal_quantile(mean: f64, sd: f64, lo: f64, hi: f64, u: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
