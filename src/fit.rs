//! Fitting `"lo to hi"` 90% intervals: the distribution whose 5% and 95% quantiles are lo and hi.

use crate::distribution::Z95;
use crate::distribution::beta_quantile;
use statrs::function::beta::beta_reg;

/// Normal(mean, sd) with 5% and 95% quantiles `lo` and `hi`.
pub fn normal_from_90_interval(lo: f64, hi: f64) -> (f64, f64) {
    ((lo + hi) / 2.0, (hi - lo) / (2.0 * Z95))
}

/// LogNormal(mu, sigma) with 5% and 95% quantiles `lo` and `hi` (0 < lo < hi).
pub fn lognormal_from_90_interval(lo: f64, hi: f64) -> (f64, f64) {
    normal_from_90_interval(lo.ln(), hi.ln())
}

/// Beta(a, b) with 5% and 95% quantiles `lo` and `hi` (0 < lo < hi < 1), to 1e-6.
///
/// Solves F(lo; a, b) = 0.05 and F(hi; a, b) = 0.95 by damped Newton iteration on
/// (ln a, ln b), with residuals measured on the probit scale where they are nearly linear,
/// starting from the moment match of a normal with the same 90% interval.
///
/// # Errors
/// When no beta fits to 1e-6 (extreme intervals such as 1e-9 to 0.999999999).
pub fn beta_from_90_interval(lo: f64, hi: f64) -> Result<(f64, f64), String> {
    let no_fit = || {
        format!(
            "\"{lo:?} to {hi:?}\": no beta distribution has these 5% and 95% quantiles; \
             write beta(a, b), pert(lo, mode, hi) or a constant instead"
        )
    };
    // A beta this concentrated (shape parameters above about 10^7) is a constant for every
    // purpose, and the incomplete beta function becomes too slow to evaluate.
    if (hi - lo) < 1e-6 * (lo.min(1.0 - hi)).sqrt() {
        return Err(no_fit());
    }
    let (mean, sd) = normal_from_90_interval(lo, hi);
    let concentration = (mean * (1.0 - mean) / (sd * sd) - 1.0).max(0.5);
    let mut x = [
        (mean * concentration).ln(),
        ((1.0 - mean) * concentration).ln(),
    ];
    let mut res = residual(x, lo, hi);
    for _ in 0..200 {
        if norm(res) < 1e-13 {
            break;
        }
        let step = newton_step(x, res, lo, hi);
        let mut damping = 1.0;
        loop {
            let trial = [
                (x[0] - damping * step[0]).clamp(-20.0, 20.0),
                (x[1] - damping * step[1]).clamp(-20.0, 20.0),
            ];
            let trial_res = residual(trial, lo, hi);
            if norm(trial_res) < norm(res) || damping < 1e-6 {
                x = trial;
                res = trial_res;
                break;
            }
            damping /= 2.0;
        }
    }
    let (a, b) = (x[0].exp(), x[1].exp());
    if !(a.is_finite() && b.is_finite() && a < 1e8 && b < 1e8 && a > 1e-8 && b > 1e-8) {
        return Err(no_fit());
    }
    let q05 = beta_quantile(a, b, 0.05);
    let q95 = beta_quantile(a, b, 0.95);
    if (q05 - lo).abs() <= 1e-6 && (q95 - hi).abs() <= 1e-6 {
        Ok((a, b))
    } else {
        Err(no_fit())
    }
}

fn residual(x: [f64; 2], lo: f64, hi: f64) -> [f64; 2] {
    let (a, b) = (x[0].exp(), x[1].exp());
    let probit = crate::distribution::normal_quantile;
    [
        probit(beta_reg(a, b, lo).clamp(1e-300, 1.0 - 1e-16)) + Z95,
        probit(beta_reg(a, b, hi).clamp(1e-300, 1.0 - 1e-16)) - Z95,
    ]
}

fn norm(r: [f64; 2]) -> f64 {
    r[0].abs().max(r[1].abs())
}

/// Newton step J⁻¹·r with a central-difference Jacobian.
fn newton_step(x: [f64; 2], r: [f64; 2], lo: f64, hi: f64) -> [f64; 2] {
    let h = 1e-6;
    let mut jac = [[0.0; 2]; 2];
    for k in 0..2 {
        let mut plus = x;
        let mut minus = x;
        plus[k] += h;
        minus[k] -= h;
        let (rp, rm) = (residual(plus, lo, hi), residual(minus, lo, hi));
        jac[0][k] = (rp[0] - rm[0]) / (2.0 * h);
        jac[1][k] = (rp[1] - rm[1]) / (2.0 * h);
    }
    let det = jac[0][0] * jac[1][1] - jac[0][1] * jac[1][0];
    if det.abs() < 1e-300 {
        return [0.0, 0.0];
    }
    [
        (jac[1][1] * r[0] - jac[0][1] * r[1]) / det,
        (-jac[1][0] * r[0] + jac[0][0] * r[1]) / det,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_fit_hits_both_quantiles() {
        for (lo, hi) in [
            (0.05, 0.35),
            (0.2, 0.5),
            (0.6, 0.99),
            (0.001, 0.01),
            (0.1, 0.9),
            (0.4, 0.41),
        ] {
            let (a, b) = beta_from_90_interval(lo, hi).unwrap();
            assert!(
                (beta_quantile(a, b, 0.05) - lo).abs() < 1e-6,
                "{lo} {hi}: a={a} b={b}"
            );
            assert!(
                (beta_quantile(a, b, 0.95) - hi).abs() < 1e-6,
                "{lo} {hi}: a={a} b={b}"
            );
        }
    }

    #[test]
    fn normal_and_lognormal_fits_are_closed_form() {
        let (m, s) = normal_from_90_interval(-1.0, 1.0);
        assert_eq!(m, 0.0);
        assert!((s * Z95 - 1.0).abs() < 1e-15);
        let (mu, sigma) = lognormal_from_90_interval(0.1, 10.0);
        assert!(mu.abs() < 1e-15 && (sigma * Z95 - 10f64.ln()).abs() < 1e-12);
    }
}
