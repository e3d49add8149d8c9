//! Which observations must leave the sample before a Poisson model can be estimated.
//!
//! * **Singletons**: an observation alone in a fixed-effect group is fitted perfectly by its own dummy and
//!   carries no information; it is dropped (repeatedly, since dropping one can create another).
//! * **FE check**: in a group whose outcomes are all zero the fixed effect runs to −∞; those observations are
//!   separated.
//! * **Simplex**: observation `i` with `y_i = 0` is separated when some combination `z = Xγ` of the regressors
//!   is `≥ 0` on every zero-outcome observation, `= 0` on every positive one, and `> 0` at `i` (Correia,
//!   Guimarães & Zylkin 2019, "Verifying the existence of maximum likelihood estimates for generalized linear
//!   models"). With `γ = Nδ`, `N` a basis of the null space of the positive-outcome rows, this is the linear
//!   programme `max 1'Aδ s.t. Aδ ≥ 0, 1'Aδ ≤ 1` with `A` the zero-outcome rows times `N`; it is solved exactly
//!   by a dense simplex with Bland's rule, and repeated after removing what it found until its value is zero.
//!   Fixed effects enter as dummies when they are few; otherwise the ReLU method covers them.
//! * **ReLU** (iterative rectifier, same paper): regress `u` on the regressors and fixed effects by least
//!   squares with weight 1 on zero-outcome rows and a very large weight on positive ones (so the fit is zero
//!   there), replace `u` by `max(û, 0)` on the zero-outcome rows, repeat. At the fixed point `û ≥ 0`, and the
//!   rows with `û > 0` are exactly the separated ones. Works with any number of fixed effects because each
//!   regression uses the same demeaning as the estimator.

use crate::demean::Demeaner;
use crate::fe::{Dim, FixedEffects};
use crate::linalg::{Sym, independent_columns, spd_inverse, sym_eigen};

/// Drop observations alone in a fixed-effect group, repeatedly. Returns the rows dropped.
pub fn drop_singletons(dims: &[Dim], keep: &mut [bool]) -> Vec<usize> {
    let mut dropped = Vec::new();
    loop {
        let mut changed = false;
        for d in dims {
            let mut count = vec![0u32; d.levels];
            for (&g, &k) in d.ids.iter().zip(keep.iter()) {
                if k {
                    count[g as usize] += 1;
                }
            }
            for (i, &g) in d.ids.iter().enumerate() {
                if keep[i] && count[g as usize] == 1 {
                    keep[i] = false;
                    dropped.push(i);
                    changed = true;
                }
            }
        }
        if !changed {
            return dropped;
        }
    }
}

/// Drop observations in fixed-effect groups whose outcomes are all zero, repeatedly, together with the
/// singletons this creates. A zero-outcome observation left alone in a group is separated too (its own
/// effect runs to −∞), so it counts as separated, as in ppmlhdfe; a positive one counts as a singleton.
/// Returns (separated rows, singletons dropped).
pub fn fe_check(
    dims: &[Dim],
    y: &[f64],
    keep: &mut [bool],
    singletons: bool,
) -> (Vec<usize>, usize) {
    let mut sep = Vec::new();
    let mut single = 0;
    loop {
        let mut changed = false;
        for d in dims {
            let mut total = vec![0.0; d.levels];
            let mut count = vec![0u32; d.levels];
            for ((&g, &k), &yi) in d.ids.iter().zip(keep.iter()).zip(y) {
                if k {
                    total[g as usize] += yi;
                    count[g as usize] += 1;
                }
            }
            for (i, &g) in d.ids.iter().enumerate() {
                if !keep[i] {
                    continue;
                }
                if total[g as usize] <= 0.0 {
                    keep[i] = false;
                    sep.push(i);
                    changed = true;
                } else if singletons && count[g as usize] == 1 {
                    keep[i] = false;
                    single += 1;
                    changed = true;
                }
            }
        }
        if !changed {
            sep.sort_unstable();
            return (sep, single);
        }
    }
}

/// Null space of the rows `rows` of the column set `x` (each column a slice): basis vectors of length p.
fn null_space(x: &[Vec<f64>], rows: &[usize]) -> Vec<Vec<f64>> {
    let p = x.len();
    let mut g = Sym::zeros(p);
    for a in 0..p {
        for b in 0..=a {
            let s: f64 = rows.iter().map(|&i| x[a][i] * x[b][i]).sum();
            g.set(a, b, s);
            g.set(b, a, s);
        }
    }
    let (vals, vecs) = sym_eigen(&g);
    let top = vals.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    (0..p)
        .filter(|&k| vals[k].abs() <= 1e-10 * top.max(1e-300))
        .map(|k| (0..p).map(|r| vecs.get(r, k)).collect())
        .collect()
}

/// `X_B N` for the given rows, with entries that are roundoff of an exact zero set to zero. The null basis is
/// computed, not exact, so a row orthogonal to it comes out as ~1e-16 times the data's scale; such an entry
/// must not pose as separation.
fn project_rows(x: &[Vec<f64>], rows: &[usize], null: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let data_scale =
        x.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs())) * (x.len() as f64).sqrt();
    let cut = 1e-9 * data_scale;
    rows.iter()
        .map(|&i| {
            null.iter()
                .map(|v| {
                    let a: f64 = v.iter().enumerate().map(|(c, vc)| x[c][i] * vc).sum();
                    if a.abs() <= cut { 0.0 } else { a / data_scale }
                })
                .collect()
        })
        .collect()
}

/// Rows `i` among `boundary` for which a certificate `z = Xγ` exists: `z ≥ 0` on `boundary`, `z = 0` on
/// `interior`, `z_i > 0`. `x` holds the columns (an intercept and any dummies already included).
pub fn simplex(x: &[Vec<f64>], boundary: &[usize], interior: &[usize]) -> Vec<usize> {
    let null = null_space(x, interior);
    if null.is_empty() || boundary.is_empty() {
        return Vec::new();
    }
    let a_all = project_rows(x, boundary, &null);
    let mut rows: Vec<usize> = (0..boundary.len()).collect();
    let mut found = Vec::new();
    loop {
        let a: Vec<Vec<f64>> = rows.iter().map(|&k| a_all[k].clone()).collect();
        if a.iter().flatten().all(|&v| v == 0.0) {
            break;
        }
        let Some(delta) = lp_max_support(&a) else {
            break;
        };
        let z: Vec<f64> = a
            .iter()
            .map(|r| r.iter().zip(&delta).map(|(x, d)| x * d).sum())
            .collect();
        let hit: Vec<usize> = (0..rows.len()).filter(|&k| z[k] > 1e-7).collect();
        if hit.is_empty() {
            break;
        }
        for &k in hit.iter().rev() {
            found.push(boundary[rows.remove(k)]);
        }
        if rows.is_empty() {
            break;
        }
    }
    found.sort_unstable();
    found
}

/// Solve `max 1'Aδ s.t. Aδ ≥ 0, 1'Aδ ≤ 1`, δ free. Returns δ when the optimum is positive.
fn lp_max_support(a: &[Vec<f64>]) -> Option<Vec<f64>> {
    let m = a.len();
    let r = a[0].len();
    // variables: δ+ (r), δ- (r), slacks (m + 1); constraints: -Aδ + s = 0 (m rows), 1'Aδ + s = 1.
    let nv = 2 * r + m + 1;
    let rows = m + 1;
    let width = nv + 1;
    let mut t = vec![0.0; (rows + 1) * width];
    let colsum: Vec<f64> = (0..r).map(|c| a.iter().map(|row| row[c]).sum()).collect();
    for (i, row) in a.iter().enumerate() {
        for c in 0..r {
            t[i * width + c] = -row[c];
            t[i * width + r + c] = row[c];
        }
        t[i * width + 2 * r + i] = 1.0;
    }
    for c in 0..r {
        t[m * width + c] = colsum[c];
        t[m * width + r + c] = -colsum[c];
    }
    t[m * width + 2 * r + m] = 1.0;
    t[m * width + nv] = 1.0;
    // objective row: reduced costs of "minimise -c'x"
    let obj = rows * width;
    for c in 0..r {
        t[obj + c] = -colsum[c];
        t[obj + r + c] = colsum[c];
    }
    let mut basis: Vec<usize> = (2 * r..2 * r + m + 1).collect();
    let eps = 1e-11;
    for _ in 0..50_000 {
        // Bland: the lowest-index column with a negative reduced cost enters
        let Some(enter) = (0..nv).find(|&c| t[obj + c] < -eps) else {
            break;
        };
        let mut leave: Option<(usize, f64)> = None;
        for i in 0..rows {
            let aij = t[i * width + enter];
            if aij > eps {
                let ratio = t[i * width + nv] / aij;
                let better = match leave {
                    None => true,
                    Some((li, lr)) => {
                        ratio < lr - 1e-14 || (ratio <= lr + 1e-14 && basis[i] < basis[li])
                    }
                };
                if better {
                    leave = Some((i, ratio));
                }
            }
        }
        // unbounded cannot happen (1'Aδ ≤ 1 bounds the objective); stop defensively
        let (li, _) = leave?;
        let piv = t[li * width + enter];
        for v in &mut t[li * width..(li + 1) * width] {
            *v /= piv;
        }
        let prow: Vec<f64> = t[li * width..(li + 1) * width].to_vec();
        for i in 0..=rows {
            if i == li {
                continue;
            }
            let f = t[i * width + enter];
            if f != 0.0 {
                for (v, pv) in t[i * width..(i + 1) * width].iter_mut().zip(&prow) {
                    *v -= f * pv;
                }
            }
        }
        basis[li] = enter;
    }
    let value = t[obj + nv];
    if value <= 1e-9 {
        return None;
    }
    let mut x = vec![0.0; nv];
    for (i, &b) in basis.iter().enumerate() {
        x[b] = t[i * width + nv];
    }
    Some((0..r).map(|c| x[c] - x[r + c]).collect())
}

/// Outcome of the ReLU method.
#[derive(Debug, Clone, Default)]
pub struct ReluResult {
    /// Positions (within the rows passed in) of the separated observations.
    pub separated: Vec<usize>,
    pub iterations: usize,
    pub converged: bool,
}

/// The iterative rectifier over the given rows. `x` columns and `fe` are already restricted to those rows;
/// include an intercept column when there are no fixed effects.
pub fn relu(y: &[f64], x: &[Vec<f64>], fe: &FixedEffects, tol: f64, max_iter: usize) -> ReluResult {
    let n = y.len();
    let big = 1e8;
    let w: Vec<f64> = y.iter().map(|&v| if v > 0.0 { big } else { 1.0 }).collect();
    let boundary: Vec<usize> = (0..n).filter(|&i| y[i] <= 0.0).collect();
    if boundary.is_empty() {
        return ReluResult {
            converged: true,
            ..Default::default()
        };
    }
    if fe.is_empty() {
        return relu_exact(y, x, &boundary, tol, max_iter);
    }
    let dm = Demeaner::new(fe, &w);
    // Demean the regressors once (the weights never change), then drop those absorbed or collinear.
    let cols: Vec<&[f64]> = x.iter().map(|v| v.as_slice()).collect();
    let mut xt = vec![Vec::new(); cols.len()];
    let mut ax = Vec::new();
    dm.demean(&cols, &mut ax, &mut xt, 1e-12, 20_000);
    let p = xt.len();
    let mut g = Sym::zeros(p);
    for a in 0..p {
        for b in 0..=a {
            let s: f64 = (0..n).map(|i| w[i] * xt[a][i] * xt[b][i]).sum();
            g.set(a, b, s);
            g.set(b, a, s);
        }
    }
    // The heavy weights make the Gram matrix badly scaled: only near-exact dependence counts as collinear.
    let keep = independent_columns(&g, 1e-14);
    let ginv = spd_inverse(&g.select(&keep));
    let mut u: Vec<f64> = y.iter().map(|&v| if v > 0.0 { 0.0 } else { 1.0 }).collect();
    let mut au = Vec::new();
    let mut ut = vec![Vec::new()];
    let mut res = ReluResult::default();
    for it in 1..=max_iter {
        res.iterations = it;
        dm.demean(&[&u], &mut au, &mut ut, 1e-12, 20_000);
        // residual e = ũ - X̃γ with γ the WLS fit of ũ on X̃
        let mut e = ut[0].clone();
        if let Some(ginv) = &ginv {
            let xty: Vec<f64> = keep
                .iter()
                .map(|&a| (0..n).map(|i| w[i] * xt[a][i] * e[i]).sum())
                .collect();
            let gamma = ginv.mul_vec(&xty);
            for i in 0..n {
                let fit: f64 = keep.iter().zip(&gamma).map(|(&a, gk)| xt[a][i] * gk).sum();
                e[i] -= fit;
            }
        }
        let mut uhat: Vec<f64> = (0..n).map(|i| u[i] - e[i]).collect();
        for v in uhat.iter_mut() {
            if v.abs() < tol {
                *v = 0.0;
            }
        }
        // Stop at the fixed point u = max(û, 0): then û ≥ 0 everywhere and it is a certificate. Stopping at the
        // first û ≥ 0 instead would report rows whose û is still decaying towards zero.
        let change = boundary
            .iter()
            .map(|&i| (uhat[i].max(0.0) - u[i]).abs())
            .fold(0.0f64, f64::max);
        if boundary.iter().all(|&i| uhat[i] >= 0.0) && change < tol {
            res.converged = true;
            res.separated = boundary
                .iter()
                .copied()
                .filter(|&i| uhat[i] > 10.0 * tol)
                .collect();
            return res;
        }
        for &i in &boundary {
            u[i] = uhat[i].max(0.0);
        }
    }
    res
}

/// The ReLU iteration without fixed effects, with the constraint `z = 0` on positive outcomes imposed exactly:
/// `z = X N δ` with `N` a basis of the null space of those rows, and least squares on the zero-outcome rows.
fn relu_exact(
    y: &[f64],
    x: &[Vec<f64>],
    boundary: &[usize],
    tol: f64,
    max_iter: usize,
) -> ReluResult {
    let interior: Vec<usize> = (0..y.len()).filter(|&i| y[i] > 0.0).collect();
    let null = null_space(x, &interior);
    let mut res = ReluResult {
        converged: true,
        ..Default::default()
    };
    if null.is_empty() {
        return res;
    }
    let a = project_rows(x, boundary, &null);
    let r = null.len();
    let mut g = Sym::zeros(r);
    for row in &a {
        for p in 0..r {
            for q in 0..r {
                g.a[p * r + q] += row[p] * row[q];
            }
        }
    }
    let keep = independent_columns(&g, 1e-12);
    let Some(ginv) = spd_inverse(&g.select(&keep)) else {
        return res;
    };
    let mut u = vec![1.0; boundary.len()];
    res.converged = false;
    for it in 1..=max_iter {
        res.iterations = it;
        let atu: Vec<f64> = keep
            .iter()
            .map(|&p| a.iter().zip(&u).map(|(row, ui)| row[p] * ui).sum())
            .collect();
        let d = ginv.mul_vec(&atu);
        let mut uhat: Vec<f64> = a
            .iter()
            .map(|row| keep.iter().zip(&d).map(|(&p, dp)| row[p] * dp).sum())
            .collect();
        uhat.iter_mut().for_each(|v| {
            if v.abs() < tol {
                *v = 0.0
            }
        });
        let change = uhat
            .iter()
            .zip(&u)
            .map(|(h, ui)| (h.max(0.0) - ui).abs())
            .fold(0.0f64, f64::max);
        if uhat.iter().all(|&v| v >= 0.0) && change < tol {
            res.converged = true;
            res.separated = (0..boundary.len())
                .filter(|&k| uhat[k] > 10.0 * tol)
                .map(|k| boundary[k])
                .collect();
            return res;
        }
        for (ui, h) in u.iter_mut().zip(&uhat) {
            *ui = h.max(0.0);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singletons_cascade() {
        // a: groups {0,1}, {2}; b: groups {0}, {1,2}: dropping row 2 (a-singleton) makes row 1 a b-singleton,
        // then row 0 is alone in a.
        let dims = vec![Dim::new("a", [1u64, 1, 2]), Dim::new("b", [1u64, 2, 2])];
        let mut keep = vec![true; 3];
        assert_eq!(drop_singletons(&dims, &mut keep).len(), 3);
    }

    #[test]
    fn simplex_finds_textbook_separation() {
        // y = 0 whenever x > 0 and x = 0 for every positive y: x itself separates the rows with x > 0
        let y = [0.0, 0.0, 1.0, 2.0, 0.0, 3.0];
        let x1 = vec![1.0, 2.0, 0.0, 0.0, 0.0, 0.0];
        let one = vec![1.0; 6];
        let boundary: Vec<usize> = (0..6).filter(|&i| y[i] == 0.0).collect();
        let interior: Vec<usize> = (0..6).filter(|&i| y[i] > 0.0).collect();
        assert_eq!(simplex(&[one, x1], &boundary, &interior), vec![0, 1]);
    }
}
