//! Removing fixed effects: the weighted projection of several columns on the fixed-effect dummies.
//!
//! For a column `x` the fixed-effect coefficients `α` solve the normal equations `D'WD α = D'W x`, where `D` is
//! the (never formed) matrix of dummies of all dimensions and `W` the weights. `D'WD` is block structured: each
//! diagonal block is diagonal (the weight sum of each level), so the Jacobi preconditioner `M = diag(D'WD)` is
//! exactly one "demeaning within each dimension". The system is solved by preconditioned conjugate gradients,
//! which converges where plain alternating projections crawl (gravity panels with pair and country-year effects).
//! The system is singular when dimensions overlap (the levels of two dimensions share a constant); CG on a
//! consistent singular system still converges to *a* solution, and the residual `x - Dα` is unique.
//!
//! All columns are solved together: one pass over the observations reads each group id once and updates every
//! column, with coefficients stored level-major (`α[level * C + column]`). Passes over observations run in
//! parallel (rayon), each worker accumulating its own partial sums.

use crate::fe::FixedEffects;
use rayon::prelude::*;

/// Observations per parallel piece; below this a pass runs on one thread.
const MIN_CHUNK: usize = 1 << 15;

/// How the last demeaning went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DemeanStats {
    pub iterations: usize,
    pub converged: bool,
}

pub struct Demeaner<'a> {
    fe: &'a FixedEffects,
    w: &'a [f64],
    off: Vec<usize>,
    total: usize,
    inv_diag: Vec<f64>,
}

impl<'a> Demeaner<'a> {
    pub fn new(fe: &'a FixedEffects, w: &'a [f64]) -> Self {
        let off = fe.offsets();
        let total = fe.total_levels();
        let mut diag = vec![0.0; total];
        for (d, &o) in fe.dims.iter().zip(&off) {
            for (&g, &wi) in d.ids.iter().zip(w) {
                diag[o + g as usize] += wi;
            }
        }
        let inv_diag = diag
            .iter()
            .map(|&d| if d > 0.0 { 1.0 / d } else { 0.0 })
            .collect();
        Demeaner {
            fe,
            w,
            off,
            total,
            inv_diag,
        }
    }

    /// Number of stacked fixed-effect coefficients (sum of levels).
    pub fn levels(&self) -> usize {
        self.total
    }

    fn n(&self) -> usize {
        self.w.len()
    }

    /// `out[level*C + j] = Σ_{i in level} w_i * v_j(i)` where `v_j(i)` is given by `value(i, j)`.
    fn scatter<F>(&self, c: usize, value: F) -> Vec<f64>
    where
        F: Fn(usize, &mut [f64]) + Sync,
    {
        let len = self.total * c;
        let dims = &self.fe.dims;
        let off = &self.off;
        let w = self.w;
        (0..self.n())
            .into_par_iter()
            .with_min_len(MIN_CHUNK)
            .fold(
                || (vec![0.0; len], vec![0.0; c]),
                |(mut acc, mut t), i| {
                    value(i, &mut t);
                    let wi = w[i];
                    for tj in t.iter_mut() {
                        *tj *= wi;
                    }
                    for (d, &o) in dims.iter().zip(off) {
                        let base = (o + d.ids[i] as usize) * c;
                        for (a, &tj) in acc[base..base + c].iter_mut().zip(t.iter()) {
                            *a += tj;
                        }
                    }
                    (acc, t)
                },
            )
            .map(|(acc, _)| acc)
            .reduce(
                || vec![0.0; len],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        *x += y;
                    }
                    a
                },
            )
    }

    /// `Σ_k α_k[g_k(i)]` for column j, written into `s`.
    #[inline]
    fn gather(&self, alpha: &[f64], c: usize, i: usize, s: &mut [f64]) {
        s.iter_mut().for_each(|v| *v = 0.0);
        for (d, &o) in self.fe.dims.iter().zip(&self.off) {
            let base = (o + d.ids[i] as usize) * c;
            for (sj, &a) in s.iter_mut().zip(&alpha[base..base + c]) {
                *sj += a;
            }
        }
    }

    /// `D'WD p` for all columns.
    fn apply(&self, p: &[f64], c: usize) -> Vec<f64> {
        self.scatter(c, |i, t| self.gather(p, c, i, t))
    }

    /// Demean `cols` (each of length n): writes `x - Dα` into `out` and leaves the coefficients in `alpha`
    /// (level-major, `levels() * cols.len()`; its content on entry is the warm start). Stops when every
    /// column's preconditioned residual norm has fallen below `tol` times the column's weighted norm.
    pub fn demean(
        &self,
        cols: &[&[f64]],
        alpha: &mut Vec<f64>,
        out: &mut [Vec<f64>],
        tol: f64,
        max_iter: usize,
    ) -> DemeanStats {
        let c = cols.len();
        let n = self.n();
        let len = self.total * c;
        if alpha.len() != len {
            *alpha = vec![0.0; len];
        }
        let mut stats = DemeanStats {
            iterations: 0,
            converged: true,
        };
        if c == 0 {
            return stats;
        }
        if self.fe.is_empty() {
            for (o, x) in out.iter_mut().zip(cols) {
                o.clear();
                o.extend_from_slice(x);
            }
            return stats;
        }
        let b = self.scatter(c, |i, t| {
            for (tj, x) in t.iter_mut().zip(cols) {
                *tj = x[i];
            }
        });
        let minv = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .enumerate()
                .map(|(k, &x)| x * self.inv_diag[k / c])
                .collect()
        };
        let dot = |a: &[f64], bb: &[f64]| -> Vec<f64> {
            let mut s = vec![0.0; c];
            for (k, (x, y)) in a.iter().zip(bb).enumerate() {
                s[k % c] += x * y;
            }
            s
        };
        // Scale of each column: its weighted norm. The stopping rule is relative to it rather than to D'Wx,
        // which is ~0 for a column already free of fixed effects (where a relative rule would chase roundoff
        // along the null space of a singular D'WD).
        let bnorm: Vec<f64> = (0..c)
            .map(|j| {
                cols[j]
                    .iter()
                    .zip(self.w)
                    .map(|(x, w)| w * x * x)
                    .sum::<f64>()
            })
            .collect();
        let warm = alpha.iter().any(|&a| a != 0.0);
        let mut r = if warm {
            let ap = self.apply(alpha, c);
            b.iter().zip(&ap).map(|(x, y)| x - y).collect()
        } else {
            b
        };
        let mut z = minv(&r);
        let mut rz = dot(&r, &z);
        let done = |rz: &[f64]| (0..c).all(|j| rz[j] <= tol * tol * bnorm[j] || bnorm[j] == 0.0);
        let mut p = z.clone();
        let mut active = vec![true; c];
        while !done(&rz) {
            if stats.iterations >= max_iter {
                stats.converged = false;
                break;
            }
            stats.iterations += 1;
            for j in 0..c {
                active[j] = !(rz[j] <= tol * tol * bnorm[j] || bnorm[j] == 0.0);
            }
            let q = self.apply(&p, c);
            let pq = dot(&p, &q);
            let step: Vec<f64> = (0..c)
                .map(|j| {
                    if active[j] && pq[j] > 0.0 {
                        rz[j] / pq[j]
                    } else {
                        0.0
                    }
                })
                .collect();
            for k in 0..len {
                let s = step[k % c];
                alpha[k] += s * p[k];
                r[k] -= s * q[k];
            }
            z = minv(&r);
            let rz_new = dot(&r, &z);
            for k in 0..len {
                let j = k % c;
                let beta = if rz[j] > 0.0 { rz_new[j] / rz[j] } else { 0.0 };
                p[k] = z[k] + beta * p[k];
            }
            for j in 0..c {
                if !active[j] {
                    // keep a converged column's residual norm as it was
                    continue;
                }
                rz[j] = rz_new[j];
            }
        }
        let alpha_ref: &[f64] = alpha;
        out.par_iter_mut().enumerate().for_each(|(j, o)| {
            o.resize(n, 0.0);
            let x = cols[j];
            for (i, oi) in o.iter_mut().enumerate() {
                let mut s = 0.0;
                for (d, &of) in self.fe.dims.iter().zip(&self.off) {
                    s += alpha_ref[(of + d.ids[i] as usize) * c + j];
                }
                *oi = x[i] - s;
            }
        });
        stats
    }

    /// Fixed-effect coefficients of column `j` (of `c`) split by dimension, normalised so that every dimension
    /// after the first has its first level at zero (the first absorbs the constant), as fixest reports them.
    pub fn split_coefficients(&self, alpha: &[f64], c: usize, j: usize) -> Vec<Vec<f64>> {
        let mut out: Vec<Vec<f64>> = self
            .fe
            .dims
            .iter()
            .zip(&self.off)
            .map(|(d, &o)| (0..d.levels).map(|g| alpha[(o + g) * c + j]).collect())
            .collect();
        let mut shift = 0.0;
        for v in out.iter_mut().skip(1) {
            if let Some(&first) = v.first() {
                shift += first;
                v.iter_mut().for_each(|a| *a -= first);
            }
        }
        if let Some(v0) = out.first_mut() {
            v0.iter_mut().for_each(|a| *a += shift);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fe::Dim;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64) / ((1u64 << 53) as f64)
    }

    fn panel(n: usize, seed: u64) -> (FixedEffects, Vec<f64>, Vec<f64>) {
        let mut s = seed;
        let a: Vec<u64> = (0..n).map(|_| (lcg(&mut s) * 7.0) as u64).collect();
        let b: Vec<u64> = (0..n).map(|_| (lcg(&mut s) * 5.0) as u64).collect();
        let cc: Vec<u64> = a.iter().zip(&b).map(|(x, y)| (x * 5 + y) % 11).collect();
        let fe = FixedEffects {
            dims: vec![Dim::new("a", a), Dim::new("b", b), Dim::new("c", cc)],
        };
        let w: Vec<f64> = (0..n).map(|_| 0.2 + lcg(&mut s)).collect();
        let x: Vec<f64> = (0..n).map(|_| lcg(&mut s) * 3.0 - 1.0).collect();
        (fe, w, x)
    }

    #[test]
    fn residual_is_orthogonal_to_every_dummy_and_idempotent() {
        for seed in 0..20u64 {
            let (fe, w, x) = panel(200, seed);
            let dm = Demeaner::new(&fe, &w);
            let mut alpha = Vec::new();
            let mut out = vec![Vec::new()];
            let st = dm.demean(&[&x], &mut alpha, &mut out, 1e-13, 10_000);
            assert!(st.converged);
            for d in &fe.dims {
                let mut s = vec![0.0; d.levels];
                for i in 0..x.len() {
                    s[d.ids[i] as usize] += w[i] * out[0][i];
                }
                assert!(s.iter().all(|v| v.abs() < 1e-9), "seed {seed}: {s:?}");
            }
            // demeaning the residual again changes nothing
            let first = out[0].clone();
            let mut alpha2 = Vec::new();
            dm.demean(&[&first], &mut alpha2, &mut out, 1e-13, 10_000);
            for (a, b) in first.iter().zip(&out[0]) {
                assert!((a - b).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn warm_start_gives_the_same_residual() {
        let (fe, w, x) = panel(300, 3);
        let dm = Demeaner::new(&fe, &w);
        let mut alpha = Vec::new();
        let mut out = vec![Vec::new()];
        dm.demean(&[&x], &mut alpha, &mut out, 1e-12, 10_000);
        let cold = out[0].clone();
        let x2: Vec<f64> = x.iter().map(|v| v * 1.01).collect();
        let mut alpha_cold = Vec::new();
        dm.demean(&[&x2], &mut alpha_cold, &mut out, 1e-12, 10_000);
        let cold2 = out[0].clone();
        let st = dm.demean(&[&x2], &mut alpha, &mut out, 1e-12, 10_000);
        assert!(st.converged);
        for (a, b) in cold2.iter().zip(&out[0]) {
            assert!((a - b).abs() < 1e-8);
        }
        assert!(cold.iter().zip(&cold2).any(|(a, b)| (a - b).abs() > 1e-6));
    }
}
