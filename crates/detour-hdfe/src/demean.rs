//! Removing fixed effects: the weighted projection of several columns on the fixed-effect dummies.
//!
//! For a column `x` the fixed-effect coefficients `α` solve the normal equations `D'WD α = D'W x`, where `D` is
//! the (never formed) matrix of dummies of all dimensions and `W` the weights; the demeaned column is
//! `x − Dα`, which is unique even though `α` is not (dimensions share a constant, so `D'WD` is singular).
//!
//! **One dimension**: `α` is the weighted mean of `x` within each level, exactly.
//!
//! **Several dimensions**: split `α = (α_e, α_R)` with `e` the dimension with the most levels (in a gravity
//! panel, the pair effects). For given `α_R` the optimal `α_e` is explicit — the weighted mean within each
//! level of `e` of `x − D_R α_R` — so `e` is eliminated exactly and conjugate gradients solve the Schur
//! complement system
//!
//! ```text
//! S α_R = D_R'W (x − P_e x),   S = D_R'W D_R − D_R'W D_e (D_e'W D_e)⁻¹ D_e'W D_R,
//! ```
//!
//! preconditioned by `diag(D_R'W D_R)` (the weight sum of each level). `S` is never formed: `S v` is two passes
//! over the observations (weighted means of `D_R v` within the levels of `e`, then the weighted deviations
//! summed into the levels of `R`). Eliminating the largest dimension removes the slowest-converging coupling
//! and leaves CG a system the size of the smaller dimensions.
//!
//! **Stopping rule**: for each column, stop when `‖r‖_{M⁻¹} ≤ tol · ‖x‖_W` (`r` the CG residual, `M` the
//! preconditioner). The scale is the column's own weighted norm, not `‖D'Wx‖`, which is ~0 for a column already
//! free of fixed effects; a rule relative to it would chase roundoff.
//!
//! **Work**: columns are solved together in blocks of up to four, so one pass reads each group id once for
//! all of them; coefficients are stored level-major (`α[level · C + column]`); passes run in parallel over
//! pieces of the observations (rayon), each piece accumulating its own partial sums. The coefficients on
//! entry are the warm start (IRLS passes the previous iteration's).

use crate::fe::FixedEffects;
use rayon::prelude::*;
use std::borrow::Cow;
use std::ops::Range;

/// Observations per parallel piece; below this a pass runs on one thread.
const MIN_CHUNK: usize = 1 << 15;

/// Columns solved together in one pass (more are split into blocks of this size).
const BLOCK: usize = 4;

/// How the last demeaning went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DemeanStats {
    pub iterations: usize,
    pub converged: bool,
    /// Stopped at the deadline ([`Demeaner::until`]) rather than converged or at the limit.
    pub expired: bool,
}

pub struct Demeaner<'a> {
    fe: &'a FixedEffects,
    w: &'a [f64],
    /// Start of each dimension in the full stacked coefficient vector.
    off: Vec<usize>,
    total: usize,
    /// The dimension eliminated exactly (the one with most levels), when there are two or more.
    elim: Option<usize>,
    /// The other dimensions, whose coefficients CG solves for, and their offsets in the reduced vector.
    rest: Vec<usize>,
    off_rest: Vec<usize>,
    total_rest: usize,
    /// For each observation, its level in each CG dimension as an index into the reduced vector
    /// (observation-major, `rest.len()` per observation): one flat read instead of one per dimension. It does
    /// not depend on the weights, so a re-weighted demeaner borrows it ([`Demeaner::with_weights`]).
    rest_idx: Cow<'a, [u32]>,
    /// 1 / (weight sum) of every level, full stacked order.
    inv_diag: Vec<f64>,
    /// Stop iterating once this has passed.
    deadline: Option<std::time::Instant>,
}

/// Sum over pieces of the observations, each filling its own accumulator of `len` values.
fn reduce_pieces<F>(n: usize, len: usize, body: F) -> Vec<f64>
where
    F: Fn(Range<usize>, &mut [f64]) + Sync,
{
    let pieces = (n / MIN_CHUNK).clamp(1, rayon::current_num_threads().max(1) * 2);
    let step = n.div_ceil(pieces).max(1);
    (0..pieces)
        .into_par_iter()
        .map(|piece| {
            let mut acc = vec![0.0; len];
            let start = (piece * step).min(n);
            body(start..(start + step).min(n), &mut acc);
            acc
        })
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
            a
        })
        .unwrap_or_else(|| vec![0.0; len])
}

/// 1 / (weight sum) of every level of every dimension, in stacked order (0 for an empty level).
fn inverse_weight_sums(fe: &FixedEffects, off: &[usize], total: usize, w: &[f64]) -> Vec<f64> {
    let mut diag = vec![0.0; total];
    for (d, &o) in fe.dims.iter().zip(off) {
        for (&g, &wi) in d.ids.iter().zip(w) {
            diag[o + g as usize] += wi;
        }
    }
    diag.iter()
        .map(|&d| if d > 0.0 { 1.0 / d } else { 0.0 })
        .collect()
}

impl<'a> Demeaner<'a> {
    pub fn new(fe: &'a FixedEffects, w: &'a [f64]) -> Self {
        let off = fe.offsets();
        let total = fe.total_levels();
        let inv_diag = inverse_weight_sums(fe, &off, total, w);
        let elim = if fe.dims.len() >= 2 {
            (0..fe.dims.len()).max_by_key(|&k| (fe.dims[k].levels, usize::MAX - k))
        } else {
            None
        };
        let rest: Vec<usize> = (0..fe.dims.len()).filter(|&k| Some(k) != elim).collect();
        let mut off_rest = Vec::new();
        let mut total_rest = 0;
        for &k in &rest {
            off_rest.push(total_rest);
            total_rest += fe.dims[k].levels;
        }
        let r = rest.len();
        let mut rest_idx = vec![0u32; w.len() * r];
        for (slot, (&k, &o)) in rest.iter().zip(&off_rest).enumerate() {
            for (i, &g) in fe.dims[k].ids.iter().enumerate() {
                rest_idx[i * r + slot] = (o + g as usize) as u32;
            }
        }
        Demeaner {
            fe,
            w,
            off,
            total,
            elim,
            rest,
            off_rest,
            total_rest,
            rest_idx: Cow::Owned(rest_idx),
            inv_diag,
            deadline: None,
        }
    }

    /// The same demeaner, stopping (with [`DemeanStats::expired`]) once `deadline` has passed.
    pub fn until(mut self, deadline: Option<std::time::Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    /// The same fixed effects under other weights: only the levels' weight sums are recomputed; the
    /// per-observation index is borrowed (IRLS re-weights every iteration).
    pub fn with_weights<'b>(&'b self, w: &'b [f64]) -> Demeaner<'b> {
        assert_eq!(w.len(), self.w.len(), "one weight per observation");
        Demeaner {
            fe: self.fe,
            w,
            off: self.off.clone(),
            total: self.total,
            elim: self.elim,
            rest: self.rest.clone(),
            off_rest: self.off_rest.clone(),
            total_rest: self.total_rest,
            rest_idx: Cow::Borrowed(&self.rest_idx),
            inv_diag: inverse_weight_sums(self.fe, &self.off, self.total, w),
            deadline: self.deadline,
        }
    }

    /// Number of stacked fixed-effect coefficients (sum of levels).
    pub fn levels(&self) -> usize {
        self.total
    }

    fn n(&self) -> usize {
        self.w.len()
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
        if alpha.len() != self.total * c {
            *alpha = vec![0.0; self.total * c];
        }
        let mut stats = DemeanStats {
            iterations: 0,
            converged: true,
            expired: false,
        };
        if c == 0 {
            return stats;
        }
        for o in out.iter_mut() {
            o.resize(n, 0.0);
        }
        if self.fe.is_empty() {
            for (o, x) in out.iter_mut().zip(cols) {
                o.copy_from_slice(x);
            }
            return stats;
        }
        // Columns in blocks: each block's coefficients are copied out of and back into the interleaved layout.
        let mut start = 0;
        while start < c {
            let width = (c - start).min(BLOCK);
            let mut a = vec![0.0; self.total * width];
            for l in 0..self.total {
                a[l * width..(l + 1) * width]
                    .copy_from_slice(&alpha[l * c + start..l * c + start + width]);
            }
            let (cs, os) = (&cols[start..start + width], &mut out[start..start + width]);
            let st = match width {
                1 => self.block::<1>(cs, &mut a, os, tol, max_iter),
                2 => self.block::<2>(cs, &mut a, os, tol, max_iter),
                3 => self.block::<3>(cs, &mut a, os, tol, max_iter),
                _ => self.block::<4>(cs, &mut a, os, tol, max_iter),
            };
            for l in 0..self.total {
                alpha[l * c + start..l * c + start + width]
                    .copy_from_slice(&a[l * width..(l + 1) * width]);
            }
            stats.iterations = stats.iterations.max(st.iterations);
            stats.converged &= st.converged;
            stats.expired |= st.expired;
            start += width;
        }
        stats
    }

    /// Per-level weighted means over the eliminated dimension of `f(i)`.
    fn elim_mean<const C: usize, F>(&self, e: usize, f: F) -> Vec<f64>
    where
        F: Fn(usize) -> [f64; C] + Sync,
    {
        let d = &self.fe.dims[e];
        let w = self.w;
        let mut m = reduce_pieces(self.n(), d.levels * C, |range, acc| {
            for i in range {
                let v = f(i);
                let b = d.ids[i] as usize * C;
                let dst: &mut [f64; C] = (&mut acc[b..b + C]).try_into().expect("C columns");
                for j in 0..C {
                    dst[j] += w[i] * v[j];
                }
            }
        });
        let o = self.off[e];
        for (l, chunk) in m.chunks_exact_mut(C).enumerate() {
            let inv = self.inv_diag[o + l];
            chunk.iter_mut().for_each(|x| *x *= inv);
        }
        m
    }

    /// `Σ_{k in rest} v[k][g_k(i)]`.
    #[inline(always)]
    fn gather_rest<const C: usize>(&self, v: &[f64], i: usize) -> [f64; C] {
        let r = self.rest.len();
        let mut s = [0.0; C];
        for &l in &self.rest_idx[i * r..(i + 1) * r] {
            let b = l as usize * C;
            let src: &[f64; C] = v[b..b + C].try_into().expect("C columns");
            for j in 0..C {
                s[j] += src[j];
            }
        }
        s
    }

    /// `Σ_i w_i f(i)` into the levels of the CG dimensions.
    fn scatter_rest<const C: usize, F>(&self, f: F) -> Vec<f64>
    where
        F: Fn(usize) -> [f64; C] + Sync,
    {
        let w = self.w;
        reduce_pieces(self.n(), self.total_rest * C, |range, acc| {
            for i in range {
                let v = f(i);
                let wi = w[i];
                let r = self.rest.len();
                for &l in &self.rest_idx[i * r..(i + 1) * r] {
                    let b = l as usize * C;
                    let dst: &mut [f64; C] = (&mut acc[b..b + C]).try_into().expect("C columns");
                    for j in 0..C {
                        dst[j] += wi * v[j];
                    }
                }
            }
        })
    }

    /// One block of up to [`BLOCK`] columns. With one dimension the projection is a weighted mean. With more,
    /// the largest dimension is eliminated exactly (for given other coefficients its own are the weighted
    /// means of what is left), and CG solves the Schur complement `S = A_RR − A_Re A_ee⁻¹ A_eR` for the rest,
    /// preconditioned by the diagonal of `A_RR`. Each CG step costs two passes over the observations but
    /// needs far fewer steps than CG on the whole system.
    fn block<const C: usize>(
        &self,
        cols: &[&[f64]],
        alpha: &mut [f64],
        out: &mut [Vec<f64>],
        tol: f64,
        max_iter: usize,
    ) -> DemeanStats {
        let x = |i: usize| -> [f64; C] { std::array::from_fn(|j| cols[j][i]) };
        let mut stats = DemeanStats {
            iterations: 0,
            converged: true,
            expired: false,
        };
        let Some(e) = self.elim else {
            // a single dimension: the weighted mean within each level, exactly
            let m = self.elim_mean::<C, _>(0, x);
            alpha.copy_from_slice(&m);
            let d = &self.fe.dims[0];
            for (j, o) in out.iter_mut().enumerate() {
                for (i, oi) in o.iter_mut().enumerate() {
                    *oi = cols[j][i] - m[d.ids[i] as usize * C + j];
                }
            }
            return stats;
        };
        let ide = &self.fe.dims[e].ids;
        let bnorm: [f64; C] =
            std::array::from_fn(|j| cols[j].iter().zip(self.w).map(|(v, w)| w * v * v).sum());
        // warm start: the CG dimensions' coefficients
        let mut a = vec![0.0; self.total_rest * C];
        for (&k, &o) in self.rest.iter().zip(&self.off_rest) {
            let src = self.off[k] * C;
            let len = self.fe.dims[k].levels * C;
            a[o * C..o * C + len].copy_from_slice(&alpha[src..src + len]);
        }
        let inv_rest: Vec<f64> = self
            .rest
            .iter()
            .flat_map(|&k| {
                self.inv_diag[self.off[k]..self.off[k] + self.fe.dims[k].levels]
                    .iter()
                    .copied()
            })
            .collect();
        let schur = |v: &[f64]| -> Vec<f64> {
            match self.rest.len() {
                1 => self.schur_fast::<C, 1>(e, v),
                2 => self.schur_fast::<C, 2>(e, v),
                3 => self.schur_fast::<C, 3>(e, v),
                _ => {
                    let tm = self.elim_mean::<C, _>(e, |i| self.gather_rest::<C>(v, i));
                    self.scatter_rest::<C, _>(|i| {
                        let t = self.gather_rest::<C>(v, i);
                        let b = ide[i] as usize * C;
                        std::array::from_fn(|j| t[j] - tm[b + j])
                    })
                }
            }
        };
        // b = D_R' W (x − P_e x)
        let xm = self.elim_mean::<C, _>(e, x);
        let b = self.scatter_rest::<C, _>(|i| {
            let xi = x(i);
            let bb = ide[i] as usize * C;
            std::array::from_fn(|j| xi[j] - xm[bb + j])
        });
        let warm = a.iter().any(|&v| v != 0.0);
        let mut r: Vec<f64> = if warm {
            let sa = schur(&a);
            b.iter().zip(&sa).map(|(p, q)| p - q).collect()
        } else {
            b
        };
        let minv = |v: &[f64]| -> Vec<f64> {
            let mut o = Vec::with_capacity(v.len());
            for (chunk, &d) in v.chunks_exact(C).zip(&inv_rest) {
                o.extend(chunk.iter().map(|x| x * d));
            }
            o
        };
        let dot = |p: &[f64], q: &[f64]| -> [f64; C] {
            let mut s = [0.0; C];
            for (cp, cq) in p.chunks_exact(C).zip(q.chunks_exact(C)) {
                for j in 0..C {
                    s[j] += cp[j] * cq[j];
                }
            }
            s
        };
        let converged = |rz: &[f64; C], j: usize| rz[j] <= tol * tol * bnorm[j] || bnorm[j] == 0.0;
        let mut z = minv(&r);
        let mut rz = dot(&r, &z);
        let mut p = z.clone();
        while !(0..C).all(|j| converged(&rz, j)) {
            if stats.iterations >= max_iter {
                stats.converged = false;
                break;
            }
            if stats.iterations.is_multiple_of(8)
                && self
                    .deadline
                    .is_some_and(|d| std::time::Instant::now() >= d)
            {
                stats.converged = false;
                stats.expired = true;
                break;
            }
            stats.iterations += 1;
            let q = schur(&p);
            let pq = dot(&p, &q);
            let step: [f64; C] = std::array::from_fn(|j| {
                if !converged(&rz, j) && pq[j] > 0.0 {
                    rz[j] / pq[j]
                } else {
                    0.0
                }
            });
            for ((av, rv), (pv, qv)) in a
                .chunks_exact_mut(C)
                .zip(r.chunks_exact_mut(C))
                .zip(p.chunks_exact(C).zip(q.chunks_exact(C)))
            {
                for j in 0..C {
                    av[j] += step[j] * pv[j];
                    rv[j] -= step[j] * qv[j];
                }
            }
            z = minv(&r);
            let rz_new = dot(&r, &z);
            let beta: [f64; C] = std::array::from_fn(|j| {
                if step[j] != 0.0 && rz[j] > 0.0 {
                    rz_new[j] / rz[j]
                } else {
                    0.0
                }
            });
            for (pv, zv) in p.chunks_exact_mut(C).zip(z.chunks_exact(C)) {
                for j in 0..C {
                    pv[j] = zv[j] + beta[j] * pv[j];
                }
            }
            for j in 0..C {
                if step[j] != 0.0 {
                    rz[j] = rz_new[j];
                }
            }
        }
        // the eliminated dimension's coefficients, then the residuals
        let ae = self.elim_mean::<C, _>(e, |i| {
            let xi = x(i);
            let t = self.gather_rest::<C>(&a, i);
            std::array::from_fn(|j| xi[j] - t[j])
        });
        for (&k, &o) in self.rest.iter().zip(&self.off_rest) {
            let dst = self.off[k] * C;
            let len = self.fe.dims[k].levels * C;
            alpha[dst..dst + len].copy_from_slice(&a[o * C..o * C + len]);
        }
        let dst = self.off[e] * C;
        alpha[dst..dst + ae.len()].copy_from_slice(&ae);
        let a_ref = &a;
        out.par_iter_mut().enumerate().for_each(|(j, o)| {
            for (i, oi) in o.iter_mut().enumerate() {
                let t: f64 = self
                    .rest
                    .iter()
                    .zip(&self.off_rest)
                    .map(|(&k, &of)| a_ref[(of + self.fe.dims[k].ids[i] as usize) * C + j])
                    .sum();
                *oi = cols[j][i] - t - ae[ide[i] as usize * C + j];
            }
        });
        stats
    }

    /// The Schur complement product `S v`, with the number of columns `C` and of CG dimensions `R` known at
    /// compile time: the two passes over the observations that dominate the run time.
    fn schur_fast<const C: usize, const R: usize>(&self, e: usize, v: &[f64]) -> Vec<f64> {
        let ide = &self.fe.dims[e].ids;
        let w = self.w;
        let idx = &self.rest_idx;
        let gather = |ix: &[u32]| -> [f64; C] {
            let mut s = [0.0; C];
            for &l in ix {
                let b = l as usize * C;
                let src: &[f64; C] = v[b..b + C].try_into().expect("C columns");
                for j in 0..C {
                    s[j] += src[j];
                }
            }
            s
        };
        // pass 1: weighted means of the gathered values within the eliminated dimension's levels
        let mut tm = reduce_pieces(self.n(), self.fe.dims[e].levels * C, |range, acc| {
            let ix = &idx[range.start * R..range.end * R];
            for ((ixi, &g), &wi) in ix
                .chunks_exact(R)
                .zip(&ide[range.clone()])
                .zip(&w[range.clone()])
            {
                let t = gather(ixi);
                let b = g as usize * C;
                let dst: &mut [f64; C] = (&mut acc[b..b + C]).try_into().expect("C columns");
                for j in 0..C {
                    dst[j] += wi * t[j];
                }
            }
        });
        let o = self.off[e];
        for (chunk, &inv) in tm.chunks_exact_mut(C).zip(&self.inv_diag[o..]) {
            chunk.iter_mut().for_each(|x| *x *= inv);
        }
        // pass 2: scatter w (t − mean) into the CG dimensions
        reduce_pieces(self.n(), self.total_rest * C, |range, acc| {
            let ix = &idx[range.start * R..range.end * R];
            for ((ixi, &g), &wi) in ix
                .chunks_exact(R)
                .zip(&ide[range.clone()])
                .zip(&w[range.clone()])
            {
                let t = gather(ixi);
                let b = g as usize * C;
                let m: &[f64; C] = tm[b..b + C].try_into().expect("C columns");
                let d: [f64; C] = std::array::from_fn(|j| wi * (t[j] - m[j]));
                for &l in ixi {
                    let bb = l as usize * C;
                    let dst: &mut [f64; C] = (&mut acc[bb..bb + C]).try_into().expect("C columns");
                    for j in 0..C {
                        dst[j] += d[j];
                    }
                }
            }
        })
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
