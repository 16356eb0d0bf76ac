//! Fitting distributions to what analysts elicit: `"lo to hi"` 90% intervals (the
//! distribution whose 5% and 95% quantiles are lo and hi, SPEC §3) and `"quantiles(p1: x1, …)"`
//! (SPEC §8: the distribution minimising Σ (F⁻¹(pᵢ) − xᵢ)², the squared differences between
//! the fitted and elicited quantiles, exact with two).
//!
//! The normal's least-squares fit is the linear regression of x on z = Φ⁻¹(p). The lognormal's
//! and the beta's are nonlinear: Nelder–Mead on their log-parameters from a closed-form start
//! (the regression of ln x on z; a moment match of the normal regression), polished by
//! Levenberg–Marquardt, and accepted only at a stationary point of the sum of squares inside
//! the parameter bounds, or, with two quantiles, only where both are hit (to 1e-7, relatively).

use super::dist::Dist;
use super::special::{Z95, beta_quantile, normal_quantile};
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
    let probit = normal_quantile;
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

/// How far a fitted quantile may miss its elicited value before `check` warns (SPEC §8).
pub const POOR_FIT: f64 = 0.01;

/// A least-squares fit that did not converge: where the search stopped, as the fitted family's
/// parameters ((a, b) of a beta, (mu, sigma) of a lognormal).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NotConverged {
    /// The family's two parameters where the search stopped.
    pub last: (f64, f64),
}

/// Normal(mean, sd) minimising Σ (mean + sd·zᵢ − xᵢ)², zᵢ = Φ⁻¹(pᵢ): the least-squares line of
/// the elicited values on the normal scores, exact for two quantiles.
///
/// `points` are (p, x) pairs: at least two, p strictly increasing inside (0, 1), x strictly
/// increasing (so that sd > 0 up to rounding; the caller checks it).
pub fn normal_from_quantiles(points: &[(f64, f64)]) -> (f64, f64) {
    let z: Vec<f64> = points.iter().map(|&(p, _)| normal_quantile(p)).collect();
    let x: Vec<f64> = points.iter().map(|&(_, x)| x).collect();
    line(&z, &x)
}

/// LogNormal(mu, sigma) minimising Σ (exp(mu + sigma·zᵢ) − xᵢ)²: the squared differences of
/// the quantiles themselves, not of their logarithms. With two quantiles that is the exact
/// fit, the line of ln x on z; with more, the search starts there.
///
/// `points` as for [`normal_from_quantiles`], with every x > 0.
///
/// # Errors
/// When the search does not reach a stationary point with sigma below e^7.
pub fn lognormal_from_quantiles(points: &[(f64, f64)]) -> Result<(f64, f64), NotConverged> {
    let z: Vec<f64> = points.iter().map(|&(p, _)| normal_quantile(p)).collect();
    let ln_x: Vec<f64> = points.iter().map(|&(_, x)| x.ln()).collect();
    let (mu, sigma) = line(&z, &ln_x);
    if points.len() == 2 {
        return Ok((mu, sigma));
    }
    // Fitted on the scale of the largest value, so that residuals are relative to it and stay
    // finite for values up to 1e100: t = (mu − ln scale, ln sigma).
    let ln_scale = ln_x[ln_x.len() - 1];
    let y: Vec<f64> = ln_x.iter().map(|l| (l - ln_scale).exp()).collect();
    let residuals = |t: [f64; 2]| -> Option<Vec<f64>> {
        if !((-1000.0..=1000.0).contains(&t[0]) && (-230.0..=7.0).contains(&t[1])) {
            return None;
        }
        let sigma = t[1].exp();
        let r: Vec<f64> = z
            .iter()
            .zip(&y)
            .map(|(zi, yi)| (t[0] + sigma * zi).exp() - yi)
            .collect();
        r.iter().all(|v| v.is_finite()).then_some(r)
    };
    let start = [mu - ln_scale, sigma.ln().clamp(-229.0, 6.0)];
    let params = |t: [f64; 2]| (t[0] + ln_scale, t[1].exp());
    least_squares(&residuals, start, &y)
        .map(params)
        .map_err(|t| NotConverged { last: params(t) })
}

/// Beta(a, b) minimising Σ (F⁻¹(pᵢ; a, b) − xᵢ)², with a and b from 1e-8 to about 1e8 (beyond,
/// the quantiles round to 0 or 1, or the incomplete beta function is too slow). The search
/// starts from the moment match of the normal least-squares fit.
///
/// `points` as for [`normal_from_quantiles`], with every x strictly inside (0, 1).
///
/// # Errors
/// When the search does not reach a stationary point inside those bounds, or with two
/// quantiles, a beta through both.
pub fn beta_from_quantiles(points: &[(f64, f64)]) -> Result<(f64, f64), NotConverged> {
    const LN_SHAPE: std::ops::RangeInclusive<f64> = -18.42..=18.42;
    let (mean, sd) = normal_from_quantiles(points);
    let mean = mean.clamp(1e-3, 1.0 - 1e-3);
    let concentration = (mean * (1.0 - mean) / (sd * sd) - 1.0).max(0.5);
    let inside = |v: f64| v.clamp(LN_SHAPE.start() + 1e-3, LN_SHAPE.end() - 1e-3);
    let start = [
        inside((mean * concentration).ln()),
        inside(((1.0 - mean) * concentration).ln()),
    ];
    let residuals = |t: [f64; 2]| -> Option<Vec<f64>> {
        if !(LN_SHAPE.contains(&t[0]) && LN_SHAPE.contains(&t[1])) {
            return None;
        }
        let (a, b) = (t[0].exp(), t[1].exp());
        Some(
            points
                .iter()
                .map(|&(p, x)| beta_quantile(a, b, p) - x)
                .collect(),
        )
    };
    // Near 1 a beta quantile is precise in 1 − x, so "hit" is relative to the nearer end.
    let scales: Vec<f64> = points.iter().map(|&(_, x)| x.min(1.0 - x)).collect();
    let params = |t: [f64; 2]| (t[0].exp(), t[1].exp());
    least_squares(&residuals, start, &scales)
        .map(params)
        .map_err(|t| NotConverged { last: params(t) })
}

/// An elicited quantile and where the fitted distribution puts it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FittedQuantile {
    /// The elicited probability.
    pub p: f64,
    /// The elicited value: P(X <= elicited) = p was the judgement.
    pub elicited: f64,
    /// The fitted distribution's quantile at p.
    pub fitted: f64,
}

impl FittedQuantile {
    /// How far the fitted quantile is from the elicited one.
    pub fn miss(&self) -> f64 {
        (self.fitted - self.elicited).abs()
    }
}

/// Each elicited (p, x) with the quantile of `dist` at p.
pub fn fitted_quantiles(dist: &Dist, points: &[(f64, f64)]) -> Vec<FittedQuantile> {
    points
        .iter()
        .map(|&(p, elicited)| FittedQuantile {
            p,
            elicited,
            fitted: dist.quantile(p),
        })
        .collect()
}

/// The fit as `show` and `check` print it:
/// `beta(a, b); quantiles 0.1: 0.2 -> 0.2013, 0.5: 0.35 -> 0.349, …` (elicited -> fitted, the
/// fitted value to four significant digits).
pub fn describe(dist: &Dist, fitted: &[FittedQuantile]) -> String {
    let each: Vec<String> = fitted
        .iter()
        .map(|q| format!("{:?}: {:?} -> {}", q.p, q.elicited, significant(q.fitted)))
        .collect();
    format!("{dist}; quantiles {}", each.join(", "))
}

/// `x` to four significant digits, in plain notation from 1e-4 to 1e6.
fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if (-4..6).contains(&magnitude) {
        let decimals = usize::try_from(3 - magnitude).unwrap_or(0);
        let text = format!("{x:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    } else {
        format!("{x:.3e}")
    }
}

/// (intercept, slope) of the least-squares line of y on z.
fn line(z: &[f64], y: &[f64]) -> (f64, f64) {
    let n = z.len() as f64;
    let z_mean = z.iter().sum::<f64>() / n;
    let y_mean = y.iter().sum::<f64>() / n;
    let (mut szz, mut szy) = (0.0, 0.0);
    for (zi, yi) in z.iter().zip(y) {
        szz += (zi - z_mean) * (zi - z_mean);
        szy += (zi - z_mean) * (yi - y_mean);
    }
    let slope = szy / szz;
    (y_mean - slope * z_mean, slope)
}

/// Residuals at a point of the search, or `None` outside the parameter bounds.
type Residuals<'a> = dyn Fn([f64; 2]) -> Option<Vec<f64>> + 'a;

/// Minimises Σ rᵢ(t)² over the t where `residuals` is defined: Nelder–Mead from `start` into
/// the basin, then Levenberg–Marquardt to the minimum. `Ok(t)` when every residual is within
/// 1e-7 of its scale in `scales` (an exact fit), or, with three or more residuals, when t is a
/// stationary point (where a Gauss–Newton step would lower the sum of squares S by under 1e-10 of
/// S); `Err(t)`, where the search stopped, otherwise.
fn least_squares(
    residuals: &Residuals<'_>,
    start: [f64; 2],
    scales: &[f64],
) -> Result<[f64; 2], [f64; 2]> {
    let sum_sq = |t: [f64; 2]| residuals(t).map_or(f64::INFINITY, |r| squares(&r));
    let t = nelder_mead(&sum_sq, start, 0.5, 400);
    let t = levenberg_marquardt(residuals, t);
    let Some(r) = residuals(t) else {
        return Err(t);
    };
    // Within 1e-7 of the scale is exact as far as the quantile functions resolve it (their
    // own error near an exact fit keeps the stationarity test below from deciding there).
    let exact = r.iter().zip(scales).all(|(ri, si)| ri.abs() <= 1e-7 * si);
    if exact || (r.len() > 2 && stationary(residuals, t, &r)) {
        Ok(t)
    } else {
        Err(t)
    }
}

fn squares(r: &[f64]) -> f64 {
    let s: f64 = r.iter().map(|v| v * v).sum();
    if s.is_finite() { s } else { f64::INFINITY }
}

/// Nelder–Mead on two parameters (reflection 1, expansion 2, contraction ½, shrink ½), until
/// the simplex is smaller than 1e-9 or `max_evals` evaluations.
fn nelder_mead(
    f: &dyn Fn([f64; 2]) -> f64,
    start: [f64; 2],
    step: f64,
    max_evals: usize,
) -> [f64; 2] {
    let mut points = [
        start,
        [start[0] + step, start[1]],
        [start[0], start[1] + step],
    ];
    let mut values = points.map(f);
    let mut evals = 3;
    while evals < max_evals {
        let mut order = [0, 1, 2];
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        points = order.map(|i| points[i]);
        values = order.map(|i| values[i]);
        let size = points[1..]
            .iter()
            .map(|p| (p[0] - points[0][0]).abs().max((p[1] - points[0][1]).abs()))
            .fold(0.0, f64::max);
        if size < 1e-9 {
            break;
        }
        let centre = [
            0.5 * (points[0][0] + points[1][0]),
            0.5 * (points[0][1] + points[1][1]),
        ];
        let worst = points[2];
        let along = |s: f64| {
            [
                centre[0] + s * (worst[0] - centre[0]),
                centre[1] + s * (worst[1] - centre[1]),
            ]
        };
        let reflected = along(-1.0);
        let fr = f(reflected);
        evals += 1;
        if fr < values[0] {
            let expanded = along(-2.0);
            let fe = f(expanded);
            evals += 1;
            (points[2], values[2]) = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < values[1] {
            (points[2], values[2]) = (reflected, fr);
        } else {
            let contracted = along(if fr < values[2] { -0.5 } else { 0.5 });
            let fc = f(contracted);
            evals += 1;
            if fc < fr.min(values[2]) {
                (points[2], values[2]) = (contracted, fc);
            } else {
                for i in 1..3 {
                    points[i] = [
                        0.5 * (points[0][0] + points[i][0]),
                        0.5 * (points[0][1] + points[i][1]),
                    ];
                    values[i] = f(points[i]);
                    evals += 1;
                }
            }
        }
    }
    let best = (0..3)
        .min_by(|&i, &j| values[i].total_cmp(&values[j]))
        .unwrap_or(0);
    points[best]
}

/// The Jacobian of the residuals by central differences (step 1e-6), one row per residual;
/// `None` when a step leaves the parameter bounds.
fn jacobian(residuals: &Residuals<'_>, t: [f64; 2]) -> Option<Vec<[f64; 2]>> {
    let h = 1e-6;
    let mut columns = Vec::with_capacity(2);
    for k in 0..2 {
        let (mut plus, mut minus) = (t, t);
        plus[k] += h;
        minus[k] -= h;
        let (rp, rm) = (residuals(plus)?, residuals(minus)?);
        columns.push(
            rp.iter()
                .zip(&rm)
                .map(|(p, m)| (p - m) / (2.0 * h))
                .collect::<Vec<f64>>(),
        );
    }
    Some(
        columns[0]
            .iter()
            .zip(&columns[1])
            .map(|(a, b)| [*a, *b])
            .collect(),
    )
}

/// JᵀJ and the gradient Jᵀr of ½|r|².
fn normal_equations(jac: &[[f64; 2]], r: &[f64]) -> ([[f64; 2]; 2], [f64; 2]) {
    let (mut a, mut g) = ([[0.0; 2]; 2], [0.0; 2]);
    for (row, ri) in jac.iter().zip(r) {
        for k in 0..2 {
            g[k] += row[k] * ri;
            for l in 0..2 {
                a[k][l] += row[k] * row[l];
            }
        }
    }
    (a, g)
}

/// Levenberg–Marquardt (Marquardt's diagonal scaling) from `t` until no step lowers the sum of
/// squares, or 100 iterations.
fn levenberg_marquardt(residuals: &Residuals<'_>, mut t: [f64; 2]) -> [f64; 2] {
    let Some(mut r) = residuals(t) else {
        return t;
    };
    let mut s = squares(&r);
    let mut lambda = 1e-3;
    for _ in 0..100 {
        if s == 0.0 {
            break;
        }
        let Some(jac) = jacobian(residuals, t) else {
            break;
        };
        let (a, g) = normal_equations(&jac, &r);
        let mut improved = false;
        while lambda < 1e12 {
            let d0 = a[0][0] + lambda * a[0][0].max(1e-300);
            let d1 = a[1][1] + lambda * a[1][1].max(1e-300);
            let det = d0 * d1 - a[0][1] * a[1][0];
            if det.is_finite() && det > 0.0 {
                let step = [
                    -(d1 * g[0] - a[0][1] * g[1]) / det,
                    -(d0 * g[1] - a[1][0] * g[0]) / det,
                ];
                let next = [t[0] + step[0], t[1] + step[1]];
                if let Some(rn) = residuals(next) {
                    let sn = squares(&rn);
                    if sn < s {
                        (t, r, s) = (next, rn, sn);
                        lambda = (lambda / 3.0).max(1e-12);
                        improved = true;
                        break;
                    }
                }
            }
            lambda *= 4.0;
        }
        if !improved {
            break;
        }
    }
    t
}

/// Whether `t` is a stationary point of the sum of squares S = |r|²: whether the Gauss–Newton
/// step from `t` would lower S by less than 1e-10 of itself (a test free of the problem's
/// scale, and of how differently its residuals are scaled).
fn stationary(residuals: &Residuals<'_>, t: [f64; 2], r: &[f64]) -> bool {
    let Some(jac) = jacobian(residuals, t) else {
        return false;
    };
    let (a, g) = normal_equations(&jac, r);
    let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    if !(det.is_finite() && det > 0.0) {
        return false;
    }
    // gᵀ (JᵀJ)⁻¹ g: the decrease of S the Gauss–Newton step predicts.
    let decrease =
        (a[1][1] * g[0] * g[0] - 2.0 * a[0][1] * g[0] * g[1] + a[0][0] * g[1] * g[1]) / det;
    decrease <= 1e-10 * squares(r)
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

    /// Σ (F⁻¹(pᵢ) − xᵢ)² of a fitted distribution.
    fn sse(dist: &Dist, points: &[(f64, f64)]) -> f64 {
        points
            .iter()
            .map(|&(p, x)| (dist.quantile(p) - x).powi(2))
            .sum()
    }

    /// No nearby parameters (steps of 1e-4, relatively, along each axis and diagonal) fit
    /// better: the fit is a local minimum of the sum of squares.
    fn assert_local_minimum(
        make: impl Fn(f64, f64) -> Dist,
        (u, v): (f64, f64),
        points: &[(f64, f64)],
    ) {
        let best = sse(&make(u, v), points);
        for (du, dv) in [
            (1.0, 0.0),
            (-1.0, 0.0),
            (0.0, 1.0),
            (0.0, -1.0),
            (1.0, 1.0),
            (1.0, -1.0),
            (-1.0, 1.0),
            (-1.0, -1.0),
        ] {
            let near = make(u + 1e-4 * du * u.abs().max(1e-3), v * (1.0 + 1e-4 * dv));
            assert!(
                sse(&near, points) >= best * (1.0 - 1e-12),
                "{points:?}: {near} beats the fit"
            );
        }
    }

    #[test]
    fn normal_quantile_fit_is_the_regression_line() {
        // Symmetric probabilities: the mean is the values' mean, sd = Σ z x / Σ z².
        let points = [(0.1, 0.2), (0.5, 0.35), (0.9, 0.6)];
        let (mean, sd) = normal_from_quantiles(&points);
        let z = normal_quantile(0.9);
        assert!((mean - 1.15 / 3.0).abs() < 1e-15, "{mean}");
        assert!((sd - 0.4 / (2.0 * z)).abs() < 1e-15, "{sd}");
        // Exact with two, on either side of 0.
        let (mean, sd) = normal_from_quantiles(&[(0.2, -3.0), (0.7, -1.0)]);
        let dist = Dist::Normal { mean, sd };
        assert!(
            (dist.quantile(0.2) + 3.0).abs() < 1e-14 && (dist.quantile(0.7) + 1.0).abs() < 1e-14
        );
    }

    #[test]
    fn lognormal_quantile_fit_is_exact_for_two_and_least_squares_for_more() {
        let two = [(0.05, 0.02), (0.95, 0.06)];
        let (mu, sigma) = lognormal_from_quantiles(&two).unwrap();
        let (mu_90, sigma_90) = lognormal_from_90_interval(0.02, 0.06);
        assert!((mu - mu_90).abs() < 1e-14 && (sigma - sigma_90).abs() < 1e-14);
        for points in [
            vec![(0.1, 0.02), (0.5, 0.035), (0.9, 0.06)],
            vec![(0.1, 1.0), (0.5, 3.0), (0.9, 20.0)],
            vec![(0.25, 1e40), (0.5, 3e40), (0.75, 4e40), (0.99, 1e41)],
        ] {
            let fit = lognormal_from_quantiles(&points).unwrap();
            let make = |mu, sigma| Dist::LogNormal { mu, sigma };
            assert_local_minimum(make, fit, &points);
            // Least squares of the values, not of their logarithms: the log-scale line fits worse.
            let z: Vec<f64> = points.iter().map(|p| normal_quantile(p.0)).collect();
            let ln: Vec<f64> = points.iter().map(|p| p.1.ln()).collect();
            let (mu0, sigma0) = line(&z, &ln);
            assert!(sse(&make(fit.0, fit.1), &points) < sse(&make(mu0, sigma0), &points));
        }
    }

    #[test]
    fn beta_quantile_fit_is_exact_for_two_and_least_squares_for_more() {
        for two in [
            [(0.05, 0.05), (0.95, 0.35)],
            [(0.25, 0.4), (0.75, 0.6)],
            [(0.2, 0.01), (0.8, 0.99)],
            [(0.01, 1e-6), (0.5, 1e-3)],
            [(0.5, 0.999), (0.9, 0.999999)],
            [(0.001, 0.3), (0.999, 0.31)],
        ] {
            let (a, b) = beta_from_quantiles(&two).unwrap();
            for (p, x) in two {
                let scale = x.min(1.0 - x);
                assert!(
                    (beta_quantile(a, b, p) - x).abs() <= 1e-9 * scale,
                    "{two:?}: beta({a}, {b})"
                );
            }
        }
        // Through the same two quantiles as the "lo to hi" fit.
        let (a, b) = beta_from_quantiles(&[(0.05, 0.05), (0.95, 0.35)]).unwrap();
        let (a90, b90) = beta_from_90_interval(0.05, 0.35).unwrap();
        assert!((a / a90 - 1.0).abs() < 1e-6 && (b / b90 - 1.0).abs() < 1e-6);
        for points in [
            vec![(0.1, 0.2), (0.5, 0.35), (0.9, 0.6)],
            vec![(0.1, 0.01), (0.5, 0.03), (0.9, 0.12)],
            vec![(0.1, 0.1), (0.5, 0.5), (0.9, 0.6)],
            vec![
                (0.05, 0.6),
                (0.25, 0.8),
                (0.5, 0.9),
                (0.75, 0.95),
                (0.95, 0.99),
            ],
        ] {
            let fit = beta_from_quantiles(&points).unwrap();
            assert_local_minimum(|a, b| Dist::Beta { a, b }, fit, &points);
        }
    }

    #[test]
    fn fits_that_leave_the_parameter_bounds_do_not_converge() {
        // Shapes of about 1e16 (a spread of 1e-10 around 0.5), and a b near e^180.
        for points in [
            vec![(0.1, 0.5), (0.9, 0.500_000_000_1)],
            vec![(0.1, 1e-90), (0.9, 1e-80)],
            vec![(0.1, 0.5), (0.5, 0.500_000_01), (0.9, 0.500_000_1)],
        ] {
            let e = beta_from_quantiles(&points).unwrap_err();
            assert!(e.last.0 > 0.0 && e.last.1 > 0.0, "{points:?}: {e:?}");
        }
        assert!(lognormal_from_quantiles(&[(0.1, 1.0), (0.5, 1.000_000_1), (0.9, 1e10)]).is_err());
    }

    #[test]
    fn describe_prints_each_quantile_elicited_and_fitted() {
        let dist = Dist::Normal { mean: 0.0, sd: 1.0 };
        let fitted = fitted_quantiles(&dist, &[(0.1, -1.2), (0.5, 1e-5), (0.975, 1234567.0)]);
        assert_eq!(fitted[1].miss(), 1e-5);
        assert_eq!(
            describe(&dist, &fitted),
            "normal(0, 1); quantiles 0.1: -1.2 -> -1.282, 0.5: 1e-5 -> 0, 0.975: 1234567.0 -> 1.96"
        );
        assert_eq!(significant(1234567.0), "1.235e6");
        assert_eq!(significant(0.000_123_456), "0.0001235");
        assert_eq!(significant(-42.0), "-42");
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
