//! Small dense linear algebra on row-major `p × p` matrices (p is the number of regressors, so small).

/// Symmetric matrix stored row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Sym {
    pub n: usize,
    pub a: Vec<f64>,
}

impl Sym {
    pub fn zeros(n: usize) -> Self {
        Sym {
            n,
            a: vec![0.0; n * n],
        }
    }
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.n + j]
    }
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.a[i * self.n + j] = v;
    }
    pub fn identity(n: usize) -> Self {
        let mut m = Sym::zeros(n);
        for i in 0..n {
            m.set(i, i, 1.0);
        }
        m
    }
    /// `self * other` (both n × n).
    pub fn mul(&self, other: &Sym) -> Sym {
        let n = self.n;
        let mut out = Sym::zeros(n);
        for i in 0..n {
            for k in 0..n {
                let aik = self.get(i, k);
                if aik == 0.0 {
                    continue;
                }
                for j in 0..n {
                    out.a[i * n + j] += aik * other.get(k, j);
                }
            }
        }
        out
    }
    pub fn mul_vec(&self, v: &[f64]) -> Vec<f64> {
        (0..self.n)
            .map(|i| (0..self.n).map(|j| self.get(i, j) * v[j]).sum())
            .collect()
    }
    /// Keep only the rows and columns in `keep`.
    pub fn select(&self, keep: &[usize]) -> Sym {
        let mut out = Sym::zeros(keep.len());
        for (a, &i) in keep.iter().enumerate() {
            for (b, &j) in keep.iter().enumerate() {
                out.set(a, b, self.get(i, j));
            }
        }
        out
    }
    pub fn symmetrize(&mut self) {
        for i in 0..self.n {
            for j in 0..i {
                let v = 0.5 * (self.get(i, j) + self.get(j, i));
                self.set(i, j, v);
                self.set(j, i, v);
            }
        }
    }
}

/// Which columns of a Gram matrix are linearly independent, in order: a column is dropped when the part of it
/// not explained by the columns kept before it has a squared norm below `tol` times its own squared norm.
/// This is a Cholesky factorisation that skips (rather than fails on) a near-zero pivot.
pub fn independent_columns(g: &Sym, tol: f64) -> Vec<usize> {
    let n = g.n;
    let mut l = vec![0.0; n * n];
    let mut kept: Vec<usize> = Vec::new();
    for j in 0..n {
        let diag = g.get(j, j);
        if diag.is_nan() || diag <= 0.0 {
            continue;
        }
        // Solve for the projection coefficients on the kept columns: L row j.
        let mut row = vec![0.0; n];
        let mut d = diag;
        for (ki, &k) in kept.iter().enumerate() {
            let mut s = g.get(j, k);
            for &m in kept.iter().take(ki) {
                s -= row[m] * l[k * n + m];
            }
            let v = s / l[k * n + k];
            row[k] = v;
            d -= v * v;
        }
        if d > tol * diag {
            row[j] = d.sqrt();
            l[j * n..(j + 1) * n].copy_from_slice(&row);
            kept.push(j);
        }
    }
    kept
}

/// Lower-triangular Cholesky factor `L` (row-major, `G = L L'`) of a symmetric positive definite matrix.
pub fn cholesky(g: &Sym) -> Option<Vec<f64>> {
    let n = g.n;
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let mut d = g.get(j, j);
        for k in 0..j {
            d -= l[j * n + k] * l[j * n + k];
        }
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        let djj = d.sqrt();
        l[j * n + j] = djj;
        for i in j + 1..n {
            let mut s = g.get(i, j);
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            l[i * n + j] = s / djj;
        }
    }
    Some(l)
}

/// Inverse of a symmetric positive definite matrix by Cholesky; `None` when it is not positive definite.
pub fn spd_inverse(g: &Sym) -> Option<Sym> {
    let n = g.n;
    let l = cholesky(g)?;
    // Invert L (lower triangular), then G^-1 = L^-T L^-1.
    let mut li = vec![0.0; n * n];
    for i in 0..n {
        li[i * n + i] = 1.0 / l[i * n + i];
        for j in 0..i {
            let mut s = 0.0;
            for k in j..i {
                s -= l[i * n + k] * li[k * n + j];
            }
            li[i * n + j] = s / l[i * n + i];
        }
    }
    let mut out = Sym::zeros(n);
    for i in 0..n {
        for j in 0..=i {
            let mut s = 0.0;
            for k in i..n {
                s += li[k * n + i] * li[k * n + j];
            }
            out.set(i, j, s);
            out.set(j, i, s);
        }
    }
    Some(out)
}

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: (eigenvalues, eigenvectors as columns
/// of a row-major matrix).
pub fn sym_eigen(g: &Sym) -> (Vec<f64>, Sym) {
    let n = g.n;
    let mut a = g.clone();
    let mut v = Sym::identity(n);
    for _sweep in 0..100 {
        let mut off = 0.0;
        for i in 0..n {
            for j in 0..i {
                off += a.get(i, j) * a.get(i, j);
            }
        }
        let scale: f64 = (0..n)
            .map(|i| a.get(i, i).abs())
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        if off.sqrt() <= 1e-15 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a.get(p, q);
                if apq.abs() < f64::MIN_POSITIVE {
                    continue;
                }
                let theta = (a.get(q, q) - a.get(p, p)) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a.get(k, p);
                    let akq = a.get(k, q);
                    a.set(k, p, c * akp - s * akq);
                    a.set(k, q, s * akp + c * akq);
                }
                for k in 0..n {
                    let apk = a.get(p, k);
                    let aqk = a.get(q, k);
                    a.set(p, k, c * apk - s * aqk);
                    a.set(q, k, s * apk + c * aqk);
                }
                for k in 0..n {
                    let vkp = v.get(k, p);
                    let vkq = v.get(k, q);
                    v.set(k, p, c * vkp - s * vkq);
                    v.set(k, q, s * vkp + c * vkq);
                }
            }
        }
    }
    ((0..n).map(|i| a.get(i, i)).collect(), v)
}

/// Replace negative eigenvalues by zero (a multi-way clustered covariance can come out indefinite).
/// Returns the fixed matrix and whether anything was changed.
pub fn clip_to_psd(g: &Sym) -> (Sym, bool) {
    let (vals, vecs) = sym_eigen(g);
    if vals.iter().all(|&v| v >= 0.0) {
        return (g.clone(), false);
    }
    let n = g.n;
    let mut out = Sym::zeros(n);
    for (k, &lam) in vals.iter().enumerate() {
        let lam = lam.max(0.0);
        for i in 0..n {
            for j in 0..n {
                out.a[i * n + j] += lam * vecs.get(i, k) * vecs.get(j, k);
            }
        }
    }
    (out, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gram(rows: &[[f64; 3]]) -> Sym {
        let mut g = Sym::zeros(3);
        for r in rows {
            for i in 0..3 {
                for j in 0..3 {
                    g.a[i * 3 + j] += r[i] * r[j];
                }
            }
        }
        g
    }

    #[test]
    fn inverse_times_matrix_is_identity() {
        let g = gram(&[
            [1.0, 2.0, 0.5],
            [0.3, -1.0, 2.0],
            [4.0, 0.0, 1.0],
            [1.0, 1.0, 1.0],
        ]);
        let inv = spd_inverse(&g).unwrap();
        let id = g.mul(&inv);
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!(
                    (id.get(i, j) - want).abs() < 1e-12,
                    "{i},{j}: {}",
                    id.get(i, j)
                );
            }
        }
    }

    #[test]
    fn collinear_column_is_dropped() {
        // third column = first + second
        let g = gram(&[
            [1.0, 2.0, 3.0],
            [0.3, -1.0, -0.7],
            [4.0, 0.0, 4.0],
            [1.0, 1.0, 2.0],
        ]);
        assert_eq!(independent_columns(&g, 1e-10), vec![0, 1]);
        assert!(spd_inverse(&g.select(&[0, 1])).is_some());
    }

    #[test]
    fn eigen_reconstructs_matrix() {
        let g = gram(&[[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [4.0, 0.0, 1.0]]);
        let (vals, vecs) = sym_eigen(&g);
        for i in 0..3 {
            for j in 0..3 {
                let r: f64 = (0..3)
                    .map(|k| vals[k] * vecs.get(i, k) * vecs.get(j, k))
                    .sum();
                assert!((r - g.get(i, j)).abs() < 1e-10);
            }
        }
    }
}
