//! [`BetaInverse`]: the beta quantile as a function of a normal score, tabulated once per
//! shape so that the copula (SPEC §8) pays a table look-up per draw instead of a root search
//! over the incomplete beta function (SPEC §10: correlated runs at 70% or more of the speed of
//! uncorrelated ones).
//!
//! The method is Hermite interpolation of the inverse CDF with verified error (Hörmann &
//! Leydold, "Continuous random variate generation by fast numerical inversion", ACM TOMACS
//! 13(4), 2003: UNU.RAN's HINV, also `scipy.stats.sampling.NumericalInverseHermite`), here of
//! order 5 and on the normal scale, where the copula's draws live:
//! - the function tabulated is y(s) = ln x of the lower-half quantile x = Q(Φ(s)) ≤ 1/2, for
//!   Beta(a, b) below the median score z½ = Φ⁻¹(I_½(a, b)) and for the mirror image
//!   1 − X ~ Beta(b, a) above it (s = −z), exactly as [`super::beta_quantile`] splits its
//!   root search, so that x keeps its relative precision far below 1e-300 and 1 − x near 1;
//! - at each node the value is the exact quantile (the same Newton search), and the first and
//!   second derivatives are exact too (y′ = φ(s)·B(a, b) / (x^a (1 − x)^(b−1)),
//!   y″ = −s·y′ − (a − (b − 1)·x / (1 − x))·y′²), so each interval holds the quintic Hermite
//!   polynomial through both ends' values and two derivatives;
//! - the grid over |z| ≤ [`REACH`] is uniform and doubled until the interpolant agrees with
//!   the exact quantile at every interval's midpoint (where a quintic Hermite error peaks) to
//!   [`TOLERANCE`]·max(1, |y|) (x to about 3e-14·max(1, |ln x|) relatively), or where the
//!   quantile is ill-conditioned, to the exact quantile of a probability within
//!   [`U_RESOLUTION`] of Φ(z) relatively; shapes that would need
//!   more than [`MAX_INTERVALS`] stay on the exact search;
//! - scores beyond ±[`REACH`] (probability 2e-17 per draw) take the exact search.
//!
//! The table is a deterministic function of (a, b), evaluated with plain double arithmetic,
//! so draws do not depend on threads, shards or the instruction set (SPEC §5).

use super::special::{beta_cdf, lower_half_ln_quantile, normal_quantile};
use statrs::function::beta::ln_beta;
use std::sync::{Arc, Mutex};

/// The tabulated range of normal scores: beyond it a draw takes the exact search.
pub const REACH: f64 = 8.5;

/// Largest error of y = ln x allowed at the check points, relative to max(1, |y|): a few times
/// the exact search's own precision (statrs' I_x(a, b) jumps by about 1.2e-14 relatively where
/// it changes method, at x = (a + 1)/(a + b + 2), which is the median for a = b).
pub const TOLERANCE: f64 = 3e-14;

/// Largest error allowed in the probability whose exact quantile a tabulated x is, relative to
/// that probability (as the u-resolution of Hörmann & Leydold's method, whose usual value is
/// 1e-12 in absolute terms): it only binds where the quantile is ill-conditioned.
pub const U_RESOLUTION: f64 = 1e-12;

/// Intervals per half at most; a shape that needs more stays on the exact search.
pub const MAX_INTERVALS: usize = 1 << 12;

/// Intervals per half to start from.
const FIRST_INTERVALS: usize = 64;

/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// The fast inverse of one beta shape's CDF on the normal scale.
#[derive(Debug)]
pub struct BetaInverse {
    a: f64,
    b: f64,
    /// z½ = Φ⁻¹(I_½(a, b)): at and below it x ≤ 1/2 (the lower piece), above it the upper.
    z_half: f64,
    /// y(z) = ln x for z in [−REACH, min(z½, REACH)].
    lower: Option<Piece>,
    /// y(s) = ln(1 − x) for s = −z in [−REACH, min(−z½, REACH)].
    upper: Option<Piece>,
}

/// One half's quintic Hermite table over an s interval.
#[derive(Debug)]
struct Piece {
    s_lo: f64,
    /// Intervals per unit of s.
    scale: f64,
    /// Coefficients of each interval's polynomial in its local t ∈ [0, 1], lowest first.
    coef: Vec<[f64; 6]>,
}

impl Piece {
    /// The interpolated y at s, for s in [s_lo, s_hi].
    #[inline]
    fn eval(&self, s: f64) -> f64 {
        let pos = (s - self.s_lo) * self.scale;
        // `as` saturates: a negative position (rounding at s_lo) is interval 0.
        let i = (pos as usize).min(self.coef.len() - 1);
        let t = pos - i as f64;
        let c = &self.coef[i];
        c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * (c[4] + t * c[5]))))
    }
}

/// Φ(s) to within an ulp or two, from musl's erfc (the `libm` crate, pure Rust, the same
/// bits on every machine): statrs' erfc, which [`super::normal_cdf`] keeps for the outputs of
/// 0.2.0, is off by up to 1.2e-10 relatively on some of its ranges (erfc(0.5) reads
/// 0.479500122236 for 0.479500122187), which would be the table's error.
fn phi(s: f64) -> f64 {
    0.5 * libm::erfc(-s / std::f64::consts::SQRT_2)
}

/// The exact y = ln x of Beta(alpha, beta)'s lower-half quantile at Φ(s), and its first two
/// derivatives in s.
struct Exact {
    alpha: f64,
    beta: f64,
    ln_norm: f64,
}

impl Exact {
    fn new(alpha: f64, beta: f64) -> Exact {
        Exact {
            alpha,
            beta,
            ln_norm: ln_beta(alpha, beta),
        }
    }

    fn value(&self, s: f64) -> f64 {
        lower_half_ln_quantile(self.alpha, self.beta, phi(s).max(f64::MIN_POSITIVE))
    }

    /// (y, y′, y″) at s.
    fn node(&self, s: f64, y: f64) -> [f64; 3] {
        let ln_1mx = (-y.exp()).ln_1p();
        let d1 = (-0.5 * s * s - LN_SQRT_2PI + self.ln_norm
            - self.alpha * y
            - (self.beta - 1.0) * ln_1mx)
            .exp();
        // x / (1 − x), from the logarithms so that it stays exact for tiny x.
        let odds = (y - ln_1mx).exp();
        let d2 = -s * d1 - (self.alpha - (self.beta - 1.0) * odds) * d1 * d1;
        [y, d1, d2]
    }
}

/// Tabulates `exact` on [s_lo, s_hi], where `top` is y at s_hi when it is known exactly (−ln 2
/// at the median score: the root search is least precise right there, where statrs' beta_reg
/// changes method); `None` when the interval is empty or the error check fails at
/// [`MAX_INTERVALS`].
fn tabulate(exact: &Exact, s_lo: f64, s_hi: f64, top: Option<f64>) -> Option<Piece> {
    // NaN (a shape whose I_½ is NaN) counts as empty.
    if s_hi.partial_cmp(&s_lo) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let width = s_hi - s_lo;
    // Node i of n sits at s_lo + width·(i/n): with n doubling, the midpoints checked at n are
    // the odd nodes of 2n, computed from the same expression, so their exact values are reused.
    let at = |i: usize, n: usize| s_lo + width * (i as f64 / n as f64);
    let mut n = FIRST_INTERVALS;
    let mut values: Vec<f64> = (0..=n)
        .map(|i| match top {
            Some(y) if i == n => y,
            _ => exact.value(at(i, n)),
        })
        .collect();
    loop {
        let nodes: Vec<[f64; 3]> = values
            .iter()
            .enumerate()
            .map(|(i, &y)| exact.node(at(i, n), y))
            .collect();
        if nodes.iter().flatten().any(|v| !v.is_finite()) {
            return None;
        }
        let h = width / n as f64;
        let coef: Vec<[f64; 6]> = nodes.windows(2).map(|w| hermite(w[0], w[1], h)).collect();
        let piece = Piece {
            s_lo,
            scale: n as f64 / width,
            coef,
        };
        let mids: Vec<f64> = (0..n).map(|i| exact.value(at(2 * i + 1, 2 * n))).collect();
        let fits = mids.iter().enumerate().all(|(i, &y)| {
            let s = at(2 * i + 1, 2 * n);
            close(exact, s, piece.eval(s), y, 1.0)
        });
        if fits {
            return Some(piece);
        }
        if 2 * n > MAX_INTERVALS {
            return None;
        }
        // Interleave: the old nodes are the even ones of the doubled grid.
        values = values
            .iter()
            .zip(mids.iter().map(Some).chain([None]))
            .flat_map(|(&v, m)| std::iter::once(v).chain(m.copied()))
            .collect();
        n *= 2;
    }
}

/// Whether an interpolated y at s is close enough to the exact one, y(s) = ln Q(Φ(s)): within
/// `scale`·([`TOLERANCE`]·max(1, |y|) + [`U_RESOLUTION`]·Φ·y′/φ), the second term being how
/// far y moves when Φ(s) moves by U_RESOLUTION relatively (the exact search is no more
/// precise than that where the quantile is ill-conditioned: statrs' I_x(a, b) itself jumps by
/// up to 7e-14 relatively where it changes method, and in a far tail whose probability sits
/// next to 1 the double Φ(s) pins y down no better); where both x are below the smallest
/// normal double (whose relative precision is gone, as is the exact search's), within
/// `scale`·TOLERANCE·2⁻¹⁰²² in x itself will also do.
fn close(exact: &Exact, s: f64, got: f64, y: f64, scale: f64) -> bool {
    let ln_min_normal = f64::MIN_POSITIVE.ln();
    let subnormal = got.max(y) < ln_min_normal
        && (got.exp() - y.exp()).abs() <= scale * TOLERANCE * f64::MIN_POSITIVE;
    let density = (-0.5 * s * s - LN_SQRT_2PI).exp();
    let conditioning = U_RESOLUTION * phi(s) * exact.node(s, y)[1] / density;
    subnormal || (got - y).abs() <= scale * (TOLERANCE * y.abs().max(1.0) + conditioning)
}

/// The quintic Hermite polynomial on t ∈ [0, 1] through (y, y′, y″) at both ends of an
/// interval of width h.
fn hermite(left: [f64; 3], right: [f64; 3], h: f64) -> [f64; 6] {
    let (y0, d0, s0) = (left[0], left[1] * h, left[2] * h * h);
    let (y1, d1, s1) = (right[0], right[1] * h, right[2] * h * h);
    let rise = y1 - y0;
    [
        y0,
        d0,
        0.5 * s0,
        10.0 * rise - 6.0 * d0 - 4.0 * d1 - 1.5 * s0 + 0.5 * s1,
        -15.0 * rise + 8.0 * d0 + 7.0 * d1 + 1.5 * s0 - s1,
        6.0 * rise - 3.0 * d0 - 3.0 * d1 - 0.5 * s0 + 0.5 * s1,
    ]
}

impl BetaInverse {
    /// Tabulates Beta(a, b) (a, b > 0, validated).
    pub fn new(a: f64, b: f64) -> BetaInverse {
        // The median score z½, from the smaller of I_½(a, b) and I_½(b, a) = 1 − I_½(a, b)
        // (so that a median deep in a tail keeps its precision), polished by two Newton steps
        // on the table's own Φ: its quantile is then 1/2 to the precision of that probability.
        let (half, sign) = if beta_cdf(a, b, 0.5) <= 0.5 {
            (beta_cdf(a, b, 0.5), 1.0)
        } else {
            (beta_cdf(b, a, 0.5), -1.0)
        };
        let mut s_half = normal_quantile(half);
        for _ in 0..2 {
            if s_half.is_finite() {
                let density = (-0.5 * s_half * s_half - LN_SQRT_2PI).exp();
                let step = (phi(s_half) - half) / density;
                if step.is_finite() {
                    s_half -= step;
                }
            }
        }
        let z_half = sign * s_half;
        let top = |s_hi: f64| (s_hi < REACH).then_some(-std::f64::consts::LN_2);
        let lower = tabulate(&Exact::new(a, b), -REACH, z_half.min(REACH), top(z_half));
        let upper = tabulate(
            &Exact::new(b, a),
            -REACH,
            (-z_half).min(REACH),
            top(-z_half),
        );
        BetaInverse {
            a,
            b,
            z_half,
            lower,
            upper,
        }
    }

    /// The shared table of Beta(a, b): built once per process and shape (the last few shapes
    /// are kept), so that sweeps, pools and repeated runs do not rebuild it.
    pub fn shared(a: f64, b: f64) -> Arc<BetaInverse> {
        /// Shapes kept.
        const KEPT: usize = 16;
        static TABLES: Mutex<Vec<Arc<BetaInverse>>> = Mutex::new(Vec::new());
        let same =
            |t: &Arc<BetaInverse>| t.a.to_bits() == a.to_bits() && t.b.to_bits() == b.to_bits();
        if let Ok(tables) = TABLES.lock()
            && let Some(t) = tables.iter().find(|t| same(t))
        {
            return Arc::clone(t);
        }
        // Built outside the lock: two threads may both build it, to the same table.
        let table = Arc::new(BetaInverse::new(a, b));
        if let Ok(mut tables) = TABLES.lock()
            && !tables.iter().any(same)
        {
            if tables.len() == KEPT {
                tables.remove(0);
            }
            tables.push(Arc::clone(&table));
        }
        table
    }

    /// Whether both halves are tabulated (else draws on an untabulated half are exact
    /// searches, as slow as before).
    pub fn is_tabulated(&self) -> bool {
        let lower = self.lower.is_some() || self.z_half <= -REACH;
        let upper = self.upper.is_some() || self.z_half >= REACH;
        lower && upper
    }

    /// Heap bytes of a table at most (two halves of `MAX_INTERVALS` polynomials).
    pub const MAX_BYTES: usize = std::mem::size_of::<BetaInverse>() + 2 * MAX_INTERVALS * 48;

    /// Approximate heap bytes of the table.
    pub fn approx_bytes(&self) -> usize {
        let piece = |p: &Option<Piece>| p.as_ref().map_or(0, |p| p.coef.len() * 48);
        std::mem::size_of::<BetaInverse>() + piece(&self.lower) + piece(&self.upper)
    }

    /// The quantile at u = Φ(z): x with I_x(a, b) = Φ(z).
    #[inline]
    pub fn quantile(&self, z: f64) -> f64 {
        let y = self.ln_half(z);
        if z <= self.z_half {
            y.exp()
        } else {
            1.0 - y.exp()
        }
    }

    /// ln x at and below z½, ln(1 − x) above it.
    #[inline]
    fn ln_half(&self, z: f64) -> f64 {
        if z <= self.z_half {
            match &self.lower {
                Some(p) if z >= -REACH => p.eval(z),
                _ => Exact::new(self.a, self.b).value(z),
            }
        } else {
            match &self.upper {
                Some(p) if z <= REACH => p.eval(-z),
                _ => Exact::new(self.b, self.a).value(-z),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::beta_quantile;

    /// The exact search of the half the table uses at z, and the s it is evaluated at.
    fn exact_at(a: f64, b: f64, z: f64, z_half: f64) -> (Exact, f64) {
        if z <= z_half {
            (Exact::new(a, b), z)
        } else {
            (Exact::new(b, a), -z)
        }
    }

    /// At scores the grid never checked (an irrational stride through the whole range), the
    /// interpolated ln x (or ln(1 − x)) is within the tolerance of the exact search, and for
    /// ordinary shapes the quantile agrees with `beta_quantile` (to 1e-12 where 1 − u is exact,
    /// z ≤ 0; extreme shapes are too ill-conditioned for a fixed bound in x): ordinary
    /// shapes (the shipped scenarios', PERT's, the flat and U-shaped betas, a lopsided one) are
    /// tabulated, and extreme ones that are not keep the exact search, with the same results.
    #[test]
    fn the_table_matches_the_exact_quantile_between_its_nodes() {
        let ordinary = [
            (7.0, 3.0),
            (4.0, 4.0),
            (2.5, 6.5),
            (6.0, 3.0),
            (1.0, 1.0),
            (1.0, 5.0),
            (2.2, 3.8),
            (0.5, 0.5),
            (0.2, 30.0),
        ];
        // Shapes below 0.05, whose quantile leaps from 1e-300 to 1/2 within a few thousandths
        // of a normal score, and shapes in the millions, where statrs' I_x(a, b) is precise to
        // about 1e-8 only (ln Γ of 2e7 is 3e8): a uniform grid of 4096 cannot verify them.
        let extreme = [
            (1e-3, 1e-3),
            (1e-3, 2.0),
            (2.0, 1e-3),
            (0.01, 0.5),
            (1.0, 2e7),
            (5e6, 5e6),
        ];
        for (a, b) in ordinary.into_iter().chain(extreme) {
            let table = BetaInverse::new(a, b);
            assert!(
                table.is_tabulated() || extreme.contains(&(a, b)),
                "beta({a}, {b}) is not tabulated"
            );
            for k in 0..4000 {
                let z = -REACH + (k as f64 * std::f64::consts::SQRT_2 * 0.003) % (2.0 * REACH);
                let (exact, s) = exact_at(a, b, z, table.z_half);
                let y = exact.value(s);
                let got = table.ln_half(z);
                assert!(
                    close(&exact, s, got, y, 2.0),
                    "beta({a}, {b}) at z = {z}: ln x {got} for {y}"
                );
                if z <= 0.0 && !extreme.contains(&(a, b)) {
                    let x = beta_quantile(a, b, phi(z));
                    let q = table.quantile(z);
                    assert!(
                        (q - x).abs() <= 1e-12 * x || (q - x).abs() <= 1e-300,
                        "beta({a}, {b}) at z = {z}: table {q:e}, exact {x:e}"
                    );
                }
            }
        }
    }
}
