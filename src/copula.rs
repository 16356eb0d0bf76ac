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

/// The most entries the copula's triangular factor may hold (SPEC §7: validation is linear in
/// the file; docs/guide.md "Limits"): 1,000,000, 12 MB. A chain, a star or a tree of any
/// length needs two entries a parameter; a dense block of n parameters about n²/2 (so up to
/// about 1,400 parameters all correlated with each other).
pub const MAX_FACTOR_ENTRIES: usize = 1_000_000;

/// The most multiply-adds the factorisation may take: 10⁹, about a second (a dense block of
/// 1,400 parameters takes 5·10⁸).
pub const MAX_FACTOR_WORK: u64 = 1_000_000_000;

/// The most set operations the minimum-degree ordering may take before it gives up.
const MAX_ORDERING_WORK: u64 = 20_000_000;

/// A component keeps the parameters' own order when its factor in that order holds at most
/// this many times the entries of its correlations (and the diagonal): then no reordering is
/// tried, and its numbers are those of the dense factorisation of earlier versions.
const NATURAL_FILL_RATIO: usize = 4;

/// The copula of a scenario's correlated parameters.
#[derive(Clone, Debug)]
pub struct Copula {
    /// Canonical indices of the correlated parameters, ascending.
    members: Vec<usize>,
    /// Their random streams.
    streams: Vec<u64>,
    /// Their marginals.
    marginals: Vec<Marginal>,
    /// The lower-triangular Cholesky factor of the normal-scale correlation matrix, symmetrically
    /// permuted, row by row: row `p` makes the draw of member `order[p]` from the normals of
    /// the members at positions `cols[row_start[p]..row_start[p + 1]]` (ascending, the last
    /// one `p` itself), weighted by `values`.
    order: Vec<u32>,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    values: Vec<f64>,
}

/// Pearson correlation of the normal copula that gives Spearman correlation `rho`.
pub fn pearson_from_spearman(rho: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho / 6.0).sin()
}

/// The limits a factorisation must stay within (the documented caps, smaller in tests).
#[derive(Clone, Copy, Debug)]
struct Caps {
    entries: usize,
    work: u64,
    ordering: u64,
}

const CAPS: Caps = Caps {
    entries: MAX_FACTOR_ENTRIES,
    work: MAX_FACTOR_WORK,
    ordering: MAX_ORDERING_WORK,
};

impl Copula {
    /// About how many bytes it holds, inline and on the heap (for `--max-memory`).
    pub fn approx_bytes(&self) -> usize {
        std::mem::size_of::<Copula>()
            + 7 * 16
            + self.members.len() * (2 * 8 + 4 + 8 + std::mem::size_of::<Marginal>())
            + self.cols.len() * (4 + 8)
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
    /// The factor is sparse: each connected group of correlated parameters is factorised on
    /// its own, in the parameters' canonical order when that makes little fill (then exactly
    /// as a dense Cholesky factorisation would, bit for bit), else in a minimum-degree order.
    /// A symbolic pass counts the factor's entries and work before any arithmetic, so that a
    /// structure past [`MAX_FACTOR_ENTRIES`] or [`MAX_FACTOR_WORK`] is refused in time linear
    /// in the correlations.
    ///
    /// # Errors
    /// When the correlation matrix is not positive definite, or its factor is too large.
    pub fn new(
        correlations: &[Correlation],
        cast: &Cast,
        dists: &[Dist],
    ) -> Result<Option<Copula>, String> {
        Copula::with_caps(correlations, cast, dists, CAPS)
    }

    fn with_caps(
        correlations: &[Correlation],
        cast: &Cast,
        dists: &[Dist],
        caps: Caps,
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
        let slot = |index: usize| members.binary_search(&index).unwrap_or(0) as u32;
        // The lower triangle's entries (row, column, r) in member slots, the last of a pair
        // written twice winning (as the dense matrix was filled).
        let mut entries: Vec<(u32, u32, f64)> = correlations
            .iter()
            .map(|c| {
                let (i, j) = (slot(c.a.index()), slot(c.b.index()));
                (i.max(j), i.min(j), pearson_from_spearman(c.rho))
            })
            .filter(|(i, j, _)| i != j)
            .collect();
        entries.sort_by_key(|&(i, j, _)| (i, j));
        let mut lower: Vec<(u32, u32, f64)> = Vec::with_capacity(entries.len());
        for e in entries {
            match lower.last_mut() {
                Some(last) if (last.0, last.1) == (e.0, e.1) => *last = e,
                _ => lower.push(e),
            }
        }
        let factor = factorise(members.len(), &lower, caps)?;
        let marginals = members.iter().map(|&i| Marginal::new(dists[i])).collect();
        let streams = members.iter().map(|&i| cast.stream(ParamId(i))).collect();
        Ok(Some(Copula {
            members,
            streams,
            marginals,
            order: factor.order,
            row_start: factor.row_start,
            cols: factor.cols,
            values: factor.values,
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
        self.members.binary_search(&index).is_ok()
    }

    /// The number of entries of the triangular factor (two a parameter for a chain).
    pub fn factor_entries(&self) -> usize {
        self.cols.len()
    }

    /// Draws the correlated parameters of the trial with `key` into `draws` (one trial's
    /// parameters, canonical order).
    pub fn draw(&self, key: u64, draws: &mut [f64]) {
        /// Normals kept on the stack; a larger copula draws each again from its stream (the
        /// same value) rather than allocate.
        const KEPT: usize = 64;
        let k = self.members.len();
        let normal = |p: usize| {
            standard_normal(&mut rng::param_rng(
                key,
                self.streams[self.order[p] as usize],
            ))
        };
        let mut z = [0.0; KEPT];
        for (p, zp) in z.iter_mut().enumerate().take(k) {
            *zp = normal(p);
        }
        for p in 0..k {
            let row = self.row_start[p]..self.row_start[p + 1];
            let correlated: f64 = self.cols[row.clone()]
                .iter()
                .zip(&self.values[row])
                .map(|(&q, &l)| {
                    let q = q as usize;
                    l * if q < KEPT { z[q] } else { normal(q) }
                })
                .sum();
            let slot = self.order[p] as usize;
            draws[self.members[slot]] = match &self.marginals[slot] {
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

/// A sparse lower-triangular factor, rows in elimination order (see [`Copula`]'s fields).
#[derive(Debug)]
struct Factor {
    order: Vec<u32>,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    values: Vec<f64>,
}

/// No parent in the elimination tree, no mark.
const NONE: usize = usize::MAX;

/// The sparse Cholesky factor of the k×k correlation matrix with unit diagonal and strictly
/// lower entries `lower` (row, column, value; sorted, no duplicates), each connected
/// component ordered on its own.
fn factorise(k: usize, lower: &[(u32, u32, f64)], caps: Caps) -> Result<Factor, String> {
    // Connected components (union-find), each listed in ascending slot order.
    let mut root: Vec<usize> = (0..k).collect();
    fn find(root: &mut [usize], mut x: usize) -> usize {
        while root[x] != x {
            root[x] = root[root[x]];
            x = root[x];
        }
        x
    }
    for &(i, j, _) in lower {
        let (a, b) = (find(&mut root, i as usize), find(&mut root, j as usize));
        if a != b {
            root[a.max(b)] = a.min(b);
        }
    }
    // Each slot's component, numbered in the order of their first slots.
    let mut sizes: Vec<usize> = Vec::new();
    let mut id_of_root = vec![NONE; k];
    let component: Vec<usize> = (0..k)
        .map(|slot| {
            let r = find(&mut root, slot);
            if id_of_root[r] == NONE {
                id_of_root[r] = sizes.len();
                sizes.push(0);
            }
            sizes[id_of_root[r]] += 1;
            id_of_root[r]
        })
        .collect();
    // Each component's slots, ascending, and each slot's index among them.
    let mut slots: Vec<Vec<u32>> = sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
    let local: Vec<u32> = component
        .iter()
        .enumerate()
        .map(|(slot, &c)| {
            slots[c].push(slot as u32);
            slots[c].len() as u32 - 1
        })
        .collect();
    let mut edges: Vec<Vec<(u32, u32, f64)>> = sizes.iter().map(|_| Vec::new()).collect();
    for &(i, j, r) in lower {
        edges[component[i as usize]].push((local[i as usize], local[j as usize], r));
    }
    // Components in the order of their first slot, so that with the canonical order in each,
    // the rows are the members' canonical order: the dense factor's rows, bit for bit.
    let mut budget = caps;
    let mut factor = Factor {
        order: Vec::with_capacity(k),
        row_start: vec![0],
        cols: Vec::new(),
        values: Vec::new(),
    };
    let mut natural_everywhere = true;
    let mut parts = Vec::with_capacity(sizes.len());
    for (c, members) in slots.iter().enumerate() {
        let n = members.len();
        let order = choose_order(n, &edges[c], &mut budget)?;
        natural_everywhere &= order.is_none();
        parts.push(order);
    }
    if natural_everywhere {
        // One factorisation over all members in canonical order: the components' rows
        // interleave as in the dense factor.
        return numeric(k, &rows_of(k, lower, None));
    }
    for (c, members) in slots.iter().enumerate() {
        let n = members.len();
        let rows = rows_of(n, &edges[c], parts[c].as_deref());
        let Factor {
            row_start,
            cols,
            values,
            ..
        } = numeric(n, &rows)?;
        let offset = factor.order.len() as u32;
        let base = factor.cols.len();
        match &parts[c] {
            Some(perm) => factor
                .order
                .extend(perm.iter().map(|&l| members[l as usize])),
            None => factor.order.extend(members.iter().copied()),
        }
        factor.cols.extend(cols.iter().map(|&q| q + offset));
        factor.values.extend(values);
        factor
            .row_start
            .extend(row_start[1..].iter().map(|&s| s + base));
    }
    Ok(factor)
}

/// The rows of the lower triangle of an n×n matrix with `lower` entries (local numbering),
/// renumbered by `perm` (position → local index) when given: each row its (column, value)
/// pairs, ascending.
fn rows_of(n: usize, lower: &[(u32, u32, f64)], perm: Option<&[u32]>) -> Vec<Vec<(u32, f64)>> {
    let mut rows: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    match perm {
        None => {
            for &(i, j, r) in lower {
                rows[i as usize].push((j, r));
            }
        }
        Some(perm) => {
            let mut position = vec![0u32; n];
            for (p, &l) in perm.iter().enumerate() {
                position[l as usize] = p as u32;
            }
            for &(i, j, r) in lower {
                let (a, b) = (position[i as usize], position[j as usize]);
                rows[a.max(b) as usize].push((a.min(b), r));
            }
            for row in &mut rows {
                row.sort_unstable_by_key(|&(j, _)| j);
            }
        }
    }
    rows
}

/// The entries and multiply-adds of the factor of `rows` (from the elimination tree, in time
/// proportional to the entries), or `None` as soon as either passes its cap.
fn symbolic(rows: &[Vec<(u32, f64)>], entries_cap: usize, work_cap: u64) -> Option<(usize, u64)> {
    let n = rows.len();
    let mut parent = vec![NONE; n];
    let mut flag = vec![NONE; n];
    let mut row_len = vec![1u64; n];
    let mut col_count = vec![0u64; n];
    let mut entries = n;
    if entries > entries_cap {
        return None;
    }
    for (i, row) in rows.iter().enumerate() {
        flag[i] = i;
        for &(j, _) in row {
            let mut j = j as usize;
            while flag[j] != i {
                if parent[j] == NONE {
                    parent[j] = i;
                }
                entries += 1;
                if entries > entries_cap {
                    return None;
                }
                row_len[i] += 1;
                col_count[j] += 1;
                flag[j] = i;
                j = parent[j];
            }
        }
    }
    // Row i's entry in column j takes row j's length in multiply-adds.
    let work = row_len
        .iter()
        .zip(&col_count)
        .fold(0u64, |w, (r, c)| w.saturating_add(r.saturating_mul(*c)));
    (work <= work_cap).then_some((entries, work))
}

/// The order in which to factorise a component of n parameters with lower entries `lower`:
/// `None` for its canonical order, else a minimum-degree permutation (position → local
/// index). Charges the chosen factor to `budget`.
///
/// # Errors
/// When no order keeps the factor within the budget.
fn choose_order(
    n: usize,
    lower: &[(u32, u32, f64)],
    budget: &mut Caps,
) -> Result<Option<Vec<u32>>, String> {
    let natural = symbolic(&rows_of(n, lower, None), budget.entries, budget.work);
    let sparse_enough = |entries: usize| entries <= NATURAL_FILL_RATIO * (lower.len() + n);
    let choice = match natural {
        Some((entries, work)) if sparse_enough(entries) => Some((None, entries, work)),
        _ => {
            let reordered =
                minimum_degree(n, lower, budget.entries, budget.ordering).and_then(|perm| {
                    symbolic(&rows_of(n, lower, Some(&perm)), budget.entries, budget.work)
                        .map(|(entries, work)| (Some(perm), entries, work))
                });
            match (natural, reordered) {
                (Some((e, w)), Some((_, re, _))) if e <= re => Some((None, e, w)),
                (_, Some(r)) => Some(r),
                (Some((e, w)), None) => Some((None, e, w)),
                (None, None) => None,
            }
        }
    };
    let Some((order, entries, work)) = choice else {
        return Err(format!(
            "{n} parameters are correlated with each other, directly or through chains of \
             correlations, so densely that the copula's factor would need more than {} \
             entries or {} multiply-adds in any order tried; accepted: structures whose factor \
             stays within {MAX_FACTOR_ENTRIES} entries and {MAX_FACTOR_WORK} multiply-adds \
             (chains, stars and trees of any length; dense blocks of up to about 1,400 \
             parameters; docs/guide.md, \"Limits\"); correlate fewer pairs, or split them into \
             independent groups",
            budget.entries, budget.work
        ));
    };
    budget.entries -= entries;
    budget.work -= work;
    Ok(order)
}

/// A minimum-degree elimination order of the graph of `lower` on n nodes (ties to the lowest
/// index), or `None` when the fill passes `entries_cap` or the work `work_cap` set operations.
fn minimum_degree(
    n: usize,
    lower: &[(u32, u32, f64)],
    entries_cap: usize,
    work_cap: u64,
) -> Option<Vec<u32>> {
    use std::cmp::Reverse;
    use std::collections::{BTreeSet, BinaryHeap};
    let mut adjacent: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); n];
    for &(i, j, _) in lower {
        adjacent[i as usize].insert(j);
        adjacent[j as usize].insert(i);
    }
    let mut heap: BinaryHeap<Reverse<(usize, u32)>> = (0..n)
        .map(|v| Reverse((adjacent[v].len(), v as u32)))
        .collect();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let (mut entries, mut work) = (n, 0u64);
    while let Some(Reverse((degree, v))) = heap.pop() {
        let v = v as usize;
        if done[v] || degree != adjacent[v].len() {
            continue;
        }
        done[v] = true;
        order.push(v as u32);
        let neighbours: Vec<u32> = std::mem::take(&mut adjacent[v]).into_iter().collect();
        entries += neighbours.len();
        work = work.saturating_add((neighbours.len() as u64).pow(2));
        if entries > entries_cap || work > work_cap {
            return None;
        }
        for &u in &neighbours {
            let set = &mut adjacent[u as usize];
            set.remove(&(v as u32));
            set.extend(neighbours.iter().filter(|&&w| w != u));
        }
        for &u in &neighbours {
            heap.push(Reverse((adjacent[u as usize].len(), u)));
        }
    }
    Some(order)
}

/// The up-looking sparse Cholesky factorisation of the matrix with unit diagonal and strictly
/// lower `rows`: (row starts, columns, values), each row ascending with its diagonal last.
///
/// Entry (i, j) is (a_ij − Σ_{m<j} l_im·l_jm) / l_jj with the sum over m ascending, and the
/// diagonal √(1 − Σ_m l_im²), as the dense factorisation computes them: the terms it adds
/// beyond the factor's pattern are exact zeros, so the values are the same bits.
///
/// # Errors
/// When the matrix is not positive definite.
fn numeric(n: usize, rows: &[Vec<(u32, f64)>]) -> Result<Factor, String> {
    let mut parent = vec![NONE; n];
    let mut flag = vec![NONE; n];
    let mut x = vec![0.0f64; n];
    let mut pattern: Vec<usize> = Vec::new();
    let mut row_start = Vec::with_capacity(n + 1);
    row_start.push(0);
    let (mut cols, mut values): (Vec<u32>, Vec<f64>) = (Vec::new(), Vec::new());
    for (i, row) in rows.iter().enumerate() {
        flag[i] = i;
        pattern.clear();
        for &(j, a) in row {
            let mut j = j as usize;
            x[j] = a;
            while flag[j] != i {
                if parent[j] == NONE {
                    parent[j] = i;
                }
                pattern.push(j);
                flag[j] = i;
                j = parent[j];
            }
        }
        pattern.sort_unstable();
        for &j in &pattern {
            // Row j without its diagonal, then the diagonal.
            let (start, end) = (row_start[j], row_start[j + 1] - 1);
            let dot: f64 = cols[start..end]
                .iter()
                .zip(&values[start..end])
                .map(|(&m, &l)| x[m as usize] * l)
                .sum();
            x[j] = (x[j] - dot) / values[end];
        }
        let dot: f64 = pattern.iter().map(|&m| x[m] * x[m]).sum();
        let pivot = 1.0 - dot;
        if pivot <= 1e-12 {
            return Err(
                "the correlation matrix is not positive definite (the correlations \
                        contradict each other, or one is ±1); weaken some of them"
                    .to_string(),
            );
        }
        for &j in &pattern {
            cols.push(j as u32);
            values.push(x[j]);
            x[j] = 0.0;
        }
        cols.push(i as u32);
        values.push(pivot.sqrt());
        row_start.push(cols.len());
    }
    Ok(Factor {
        order: (0..n as u32).collect(),
        row_start,
        cols,
        values,
    })
}

/// Cholesky factor L (row-major, lower triangular) of the symmetric k×k `matrix`, or `None` if
/// it is not positive definite: the dense factorisation of earlier versions, which the sparse
/// one reproduces bit for bit in the canonical order (tested).
#[cfg(test)]
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
        let lower = [(1, 0, 0.9), (2, 0, -0.9), (2, 1, 0.9)];
        let err = factorise(3, &lower, CAPS).unwrap_err();
        assert!(err.contains("not positive definite"), "{err}");
    }

    /// The dense factor of `lower` (k×k, unit diagonal), row-major.
    fn dense(k: usize, lower: &[(u32, u32, f64)]) -> Vec<f64> {
        let mut m = vec![0.0; k * k];
        for i in 0..k {
            m[i * k + i] = 1.0;
        }
        for &(i, j, r) in lower {
            m[i as usize * k + j as usize] = r;
            m[j as usize * k + i as usize] = r;
        }
        cholesky(&m, k).expect("positive definite")
    }

    /// A reproducible sparse structure on k nodes: a few components with fill (cycles,
    /// stars with the hub first, a dense block), weights small enough to stay positive
    /// definite.
    fn structure(k: usize, seed: u64) -> Vec<(u32, u32, f64)> {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        let mut lower = Vec::new();
        for i in 1..k as u32 {
            for j in 0..i {
                if next() % 7 == 0 {
                    let r = (next() % 1000) as f64 / 1000.0 * 0.1 - 0.05;
                    lower.push((i, j, r));
                }
            }
        }
        lower
    }

    #[test]
    fn the_sparse_factor_in_canonical_order_is_the_dense_factor_bit_for_bit() {
        for (k, seed) in [(2, 1), (5, 2), (12, 3), (30, 4), (70, 5), (90, 6)] {
            let lower = structure(k, seed);
            let l = dense(k, &lower);
            let Factor {
                row_start,
                cols,
                values,
                ..
            } = numeric(k, &rows_of(k, &lower, None)).expect("factor");
            let mut sparse = vec![0.0; k * k];
            for p in 0..k {
                for e in row_start[p]..row_start[p + 1] {
                    sparse[p * k + cols[e] as usize] = values[e];
                }
            }
            for (a, b) in l.iter().zip(&sparse) {
                assert!(
                    a == b && (a.to_bits() == b.to_bits() || *a == 0.0),
                    "k {k}: {a:e} {b:e}"
                );
            }
        }
    }

    /// L·Lᵀ of a factor, in the members' slots.
    fn product(k: usize, f: &Factor) -> Vec<f64> {
        let mut l = vec![0.0; k * k];
        for p in 0..k {
            for e in f.row_start[p]..f.row_start[p + 1] {
                l[p * k + f.cols[e] as usize] = f.values[e];
            }
        }
        let mut m = vec![0.0; k * k];
        for p in 0..k {
            for q in 0..k {
                let v: f64 = (0..k).map(|s| l[p * k + s] * l[q * k + s]).sum();
                m[f.order[p] as usize * k + f.order[q] as usize] = v;
            }
        }
        m
    }

    #[test]
    fn a_star_with_its_hub_first_is_reordered_and_still_reproduces_the_matrix() {
        // The hub first makes the canonical order's factor dense; minimum degree takes the
        // leaves first and makes none.
        let k = 40;
        let lower: Vec<(u32, u32, f64)> = (1..k as u32).map(|i| (i, 0, 0.1)).collect();
        let f = factorise(k, &lower, CAPS).expect("factor");
        assert_eq!(f.cols.len(), 2 * k - 1);
        assert_ne!(f.order[0], 0);
        let m = product(k, &f);
        for i in 0..k {
            for j in 0..k {
                let want = if i == j {
                    1.0
                } else if i == 0 || j == 0 {
                    0.1
                } else {
                    0.0
                };
                assert!((m[i * k + j] - want).abs() < 1e-12, "{i} {j}");
            }
        }
        // A long one too: 200,000 leaves in linear time and space.
        let k = 200_000;
        let lower: Vec<(u32, u32, f64)> = (1..k as u32).map(|i| (i, 0, 0.001)).collect();
        assert_eq!(
            factorise(k, &lower, CAPS).expect("factor").cols.len(),
            2 * k - 1
        );
    }

    #[test]
    fn a_chain_keeps_its_order_and_two_entries_a_parameter() {
        let k = 100_000;
        let lower: Vec<(u32, u32, f64)> = (1..k as u32).map(|i| (i, i - 1, 0.3)).collect();
        let f = factorise(k, &lower, CAPS).expect("factor");
        assert_eq!(f.cols.len(), 2 * k - 1);
        assert_eq!(f.order[k - 1], k as u32 - 1);
    }

    #[test]
    fn a_factor_past_the_caps_is_refused_before_any_arithmetic() {
        // A dense block of 30: 465 entries, 4,495 multiply-adds.
        let lower: Vec<(u32, u32, f64)> = (1..30u32)
            .flat_map(|i| (0..i).map(move |j| (i, j, 0.01)))
            .collect();
        assert!(factorise(30, &lower, CAPS).is_ok());
        for caps in [
            Caps {
                entries: 400,
                ..CAPS
            },
            Caps {
                work: 4_000,
                ..CAPS
            },
        ] {
            let err = factorise(30, &lower, caps).unwrap_err();
            assert!(
                err.contains("30 parameters are correlated") && err.contains("entries"),
                "{err}"
            );
        }
        // The caps hold for all components together.
        let two: Vec<(u32, u32, f64)> = lower
            .iter()
            .chain(
                &lower
                    .iter()
                    .map(|&(i, j, r)| (i + 30, j + 30, r))
                    .collect::<Vec<_>>(),
            )
            .copied()
            .collect();
        let caps = Caps {
            entries: 600,
            ..CAPS
        };
        assert!(factorise(30, &lower, caps).is_ok());
        assert!(factorise(60, &two, caps).is_err());
    }

    #[test]
    fn spearman_to_pearson_fixes_the_ends() {
        assert_eq!(pearson_from_spearman(0.0), 0.0);
        assert!((pearson_from_spearman(1.0) - 1.0).abs() < 1e-15);
        assert!((pearson_from_spearman(0.5) - 0.517_638).abs() < 1e-6);
    }
}
