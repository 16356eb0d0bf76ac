//! Correlated inputs through a Gaussian copula (SPEC §8).
//!
//! Spearman rank correlations ρ between parameters become Pearson correlations
//! r = 2·sin(π·ρ/6) between standard normals (Pearson 1907; the exact relation for the normal
//! copula). A trial draws one independent standard normal per correlated parameter from that
//! parameter's own stream, multiplies by the Cholesky factor of the r matrix, and maps each
//! result through Φ and the parameter's own quantile function, so every marginal stays
//! exactly as written.
//!
//! Beta and PERT marginals, whose exact quantile is a root search over the incomplete beta
//! function (microseconds), take it from a [`BetaInverse`] instead: the same quantile,
//! tabulated once per shape on the normal scale and verified to 3e-14 against the search
//! (SPEC §10: correlated runs at 70% or more of the uncorrelated speed).

use crate::cast::{Cast, ParamId};
use crate::distribution::{BetaInverse, Dist, normal_cdf, standard_normal};
use crate::rng;
use std::sync::{Arc, OnceLock};

/// A Spearman rank correlation between two uncertain parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Correlation {
    /// First parameter.
    pub a: ParamId,
    /// Second parameter.
    pub b: ParamId,
    /// Target Spearman rank correlation in [−1, 1].
    pub rho: f64,
}

/// How a correlated parameter's draw is made from its normal score.
#[derive(Clone, Debug)]
enum Marginal {
    /// lo + width · x, x the Beta(a, b) quantile from its table (built on the first draw, so
    /// that validating a scenario builds none): beta (lo 0, width 1) and PERT.
    Beta {
        lo: f64,
        width: f64,
        a: f64,
        b: f64,
        table: OnceLock<Arc<BetaInverse>>,
    },
    /// Every other family: by its own quantile function of Φ(z) (closed forms for the normal
    /// and lognormal).
    Exact(Dist),
}

impl Marginal {
    fn new(dist: Dist) -> Marginal {
        let (lo, width) = match dist {
            Dist::Pert { lo, hi, .. } => (lo, hi - lo),
            _ => (0.0, 1.0),
        };
        match dist.beta_shape() {
            Some((a, b)) => Marginal::Beta {
                lo,
                width,
                a,
                b,
                table: OnceLock::new(),
            },
            None => Marginal::Exact(dist),
        }
    }
}

/// The copula of a scenario's correlated parameters.
#[derive(Clone, Debug)]
pub struct Copula {
    /// Canonical indices of the correlated parameters, ascending.
    members: Vec<usize>,
    /// Their random streams.
    streams: Vec<u64>,
    /// Their marginals.
    marginals: Vec<Marginal>,
    /// Lower-triangular Cholesky factor of the normal-scale correlation matrix, row-major.
    cholesky: Vec<f64>,
}

/// Pearson correlation of the normal copula that gives Spearman correlation `rho`.
pub fn pearson_from_spearman(rho: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho / 6.0).sin()
}

impl Copula {
    /// About how many bytes it holds, inline and on the heap (for `--max-memory`).
    pub fn approx_bytes(&self) -> usize {
        std::mem::size_of::<Copula>()
            + 4 * 16
            + self.members.len() * (2 * 8 + std::mem::size_of::<Marginal>())
            + self.cholesky.len() * 8
            + self
                .marginals
                .iter()
                .filter(|m| matches!(m, Marginal::Beta { .. }))
                .count()
                * BetaInverse::MAX_BYTES
    }

    /// Builds the copula of `correlations` over the marginals `dists` (in `cast`'s order);
    /// `None` when there are no correlations.
    ///
    /// # Errors
    /// When the correlation matrix is not positive definite.
    pub fn new(
        correlations: &[Correlation],
        cast: &Cast,
        dists: &[Dist],
    ) -> Result<Option<Copula>, String> {
        if correlations.is_empty() {
            return Ok(None);
        }
        let mut members: Vec<usize> = correlations
            .iter()
            .flat_map(|c| [c.a.index(), c.b.index()])
            .collect();
        members.sort_unstable();
        members.dedup();
        let k = members.len();
        let slot = |index: usize| members.iter().position(|m| *m == index).unwrap_or(0);
        let mut matrix = vec![0.0; k * k];
        for i in 0..k {
            matrix[i * k + i] = 1.0;
        }
        for c in correlations {
            let (i, j) = (slot(c.a.index()), slot(c.b.index()));
            let r = pearson_from_spearman(c.rho);
            matrix[i * k + j] = r;
            matrix[j * k + i] = r;
        }
        let cholesky = cholesky(&matrix, k).ok_or_else(|| {
            "the correlation matrix is not positive definite (the correlations contradict each \
             other, or one is ±1); weaken some of them"
                .to_string()
        })?;
        let marginals = members.iter().map(|&i| Marginal::new(dists[i])).collect();
        let streams = members.iter().map(|&i| cast.stream(ParamId(i))).collect();
        Ok(Some(Copula {
            members,
            streams,
            marginals,
            cholesky,
        }))
    }

    /// The number of correlated parameters.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether no parameter is correlated (never: [`Copula::new`] gives `None` then).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Whether parameter `index` is drawn through the copula.
    pub fn contains(&self, index: usize) -> bool {
        self.members.contains(&index)
    }

    /// Draws the correlated parameters of the trial with `key` into `draws` (one trial's
    /// parameters, canonical order).
    pub fn draw(&self, key: u64, draws: &mut [f64]) {
        /// Normals kept on the stack; a larger copula draws each again from its stream (the
        /// same value) rather than allocate.
        const KEPT: usize = 64;
        let k = self.members.len();
        let normal = |j: usize| standard_normal(&mut rng::param_rng(key, self.streams[j]));
        let mut z = [0.0; KEPT];
        for (j, zj) in z.iter_mut().enumerate().take(k) {
            *zj = normal(j);
        }
        for i in 0..k {
            let correlated: f64 = (0..=i)
                .map(|j| self.cholesky[i * k + j] * if j < KEPT { z[j] } else { normal(j) })
                .sum();
            draws[self.members[i]] = match &self.marginals[i] {
                Marginal::Beta {
                    lo,
                    width,
                    a,
                    b,
                    table,
                } => {
                    let table = table.get_or_init(|| BetaInverse::shared(*a, *b));
                    lo + width * table.quantile(correlated)
                }
                Marginal::Exact(Dist::Normal { mean, sd }) => mean + sd * correlated,
                Marginal::Exact(Dist::LogNormal { mu, sigma }) => {
                    crate::fastmath::exp(mu + sigma * correlated)
                }
                Marginal::Exact(marginal) => {
                    let u =
                        normal_cdf(correlated).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0);
                    marginal.quantile(u)
                }
            };
        }
    }
}

/// Cholesky factor L (row-major, lower triangular) of the symmetric k×k `matrix`, or `None` if
/// it is not positive definite.
fn cholesky(matrix: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|m| l[i * k + m] * l[j * k + m]).sum();
            if i == j {
                let pivot = matrix[i * k + i] - dot;
                if pivot <= 1e-12 {
                    return None;
                }
                l[i * k + j] = pivot.sqrt();
            } else {
                l[i * k + j] = (matrix[i * k + j] - dot) / l[j * k + j];
            }
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_reproduces_the_matrix() {
        let m = [1.0, 0.5, 0.2, 0.5, 1.0, 0.3, 0.2, 0.3, 1.0];
        let l = cholesky(&m, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|q| l[i * 3 + q] * l[j * 3 + q]).sum();
                assert!((v - m[i * 3 + j]).abs() < 1e-12);
            }
        }
        assert!(cholesky(&[1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0], 3).is_none());
    }

    #[test]
    fn spearman_to_pearson_fixes_the_ends() {
        assert_eq!(pearson_from_spearman(0.0), 0.0);
        assert!((pearson_from_spearman(1.0) - 1.0).abs() < 1e-15);
        assert!((pearson_from_spearman(0.5) - 0.517_638).abs() < 1e-6);
    }
}
