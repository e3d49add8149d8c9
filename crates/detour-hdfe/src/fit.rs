//! The estimators: Poisson PML by IRLS and weighted least squares, both on fixed-effect-demeaned data.

use crate::demean::{DemeanStats, Demeaner};
use crate::error::Error;
use crate::fe::{Dim, FixedEffects};
use crate::linalg::{Sym, clip_to_psd, independent_columns, spd_inverse};
use crate::separation;
use crate::stats;
use rayon::prelude::*;

/// Model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Poisson pseudo-maximum likelihood, log link.
    Poisson,
    /// Least squares (identity link).
    Ols,
}

/// Type of variance estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VcovType {
    /// Model-based (Poisson: inverse information; OLS: σ² (X'X)⁻¹).
    Iid,
    /// Heteroskedasticity-robust sandwich (HC1).
    Hetero,
    /// Clustered by the columns in [`Design::cluster`] (one-way, or multi-way by Cameron–Gelbach–Miller).
    Cluster,
    /// fixest's default: clustered by the first fixed-effect dimension when there is one, otherwise iid.
    FixestDefault,
}

/// Small-sample corrections of the variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallSample {
    /// fixest's defaults (`ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE, cluster.df = "min")`):
    /// iid and clustered × (N−1)/(N−K), robust × N/(N−K), clustered also × G/(G−1) with G the smallest
    /// number of clusters; K counts the coefficients plus the fixed-effect levels (minus one per dimension
    /// after the first), leaving out dimensions nested in a cluster variable.
    Fixest,
    /// Stata's maximum-likelihood convention (`poisson`, `ppml`, `ppmlhdfe`): clustered × G/(G−1), robust
    /// × N/(N−1), iid unscaled. For OLS it is reghdfe's: as fixest.
    Stata,
    /// No correction.
    None,
}

/// Which separation checks run (Poisson only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeparationChecks {
    pub fe: bool,
    pub simplex: bool,
    pub relu: bool,
}

impl Default for SeparationChecks {
    fn default() -> Self {
        SeparationChecks {
            fe: true,
            simplex: true,
            relu: true,
        }
    }
}

/// Estimation settings; `Default` gives fixest's defaults with all separation checks on.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub family: Family,
    pub vcov: VcovType,
    pub small_sample: SmallSample,
    /// IRLS stops when |dev − dev_prev| / (0.1 + |dev|) falls below this.
    pub tol: f64,
    /// Final tolerance of the demeaning (relative preconditioned residual).
    pub fe_tol: f64,
    pub max_iter: usize,
    pub fe_max_iter: usize,
    /// Drop observations alone in a fixed-effect group (they do not change the estimates).
    pub drop_singletons: bool,
    pub separation: SeparationChecks,
    /// A regressor is collinear when less than this share of its (demeaned, weighted) variation is left
    /// after projecting on the regressors before it.
    pub collinear_tol: f64,
    /// Confidence level of the intervals.
    pub level: f64,
    /// Add an intercept to a model without fixed effects (`y ~ x - 1` says no).
    pub intercept: bool,
    /// Stop with [`Error::Deadline`] once this has passed (checked in every IRLS iteration and
    /// every few demeaning steps).
    pub deadline: Option<std::time::Instant>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            family: Family::Poisson,
            vcov: VcovType::FixestDefault,
            small_sample: SmallSample::Fixest,
            tol: 1e-8,
            fe_tol: 1e-8,
            max_iter: 100,
            fe_max_iter: 10_000,
            drop_singletons: true,
            separation: SeparationChecks::default(),
            collinear_tol: 1e-10,
            level: 0.95,
            intercept: true,
            deadline: None,
        }
    }
}

/// The data of a model: plain slices, all of the outcome's length.
#[derive(Debug, Clone, Default)]
pub struct Design<'a> {
    pub y: &'a [f64],
    pub x: Vec<(String, &'a [f64])>,
    /// One id per observation per fixed-effect dimension (any integers; interactions are combined ids).
    pub fe: Vec<(String, &'a [u64])>,
    pub weights: Option<&'a [f64]>,
    pub offset: Option<&'a [f64]>,
    /// Cluster variables for [`VcovType::Cluster`].
    pub cluster: Vec<(String, &'a [u64])>,
}

/// One coefficient.
#[derive(Debug, Clone, PartialEq)]
pub struct Coef {
    pub name: String,
    pub estimate: f64,
    pub std_error: f64,
    /// z (Poisson) or t (OLS) statistic.
    pub statistic: f64,
    pub p_value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Observations removed before estimation, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    pub singletons: usize,
    /// In a fixed-effect group whose outcomes are all zero (the FE check).
    pub fe_zero_outcome: usize,
    /// Separated by the simplex method.
    pub simplex: usize,
    /// Separated by the ReLU method.
    pub relu: usize,
}

impl Dropped {
    /// All separated observations (FE check + simplex + ReLU).
    pub fn separated(&self) -> usize {
        self.fe_zero_outcome + self.simplex + self.relu
    }
    pub fn total(&self) -> usize {
        self.singletons + self.separated()
    }
}

/// Recovered coefficients of one fixed-effect dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedEffectValues {
    pub name: String,
    /// The input id of each level, in order of first appearance in the sample.
    pub ids: Vec<u64>,
    pub values: Vec<f64>,
}

/// Everything an estimation produces.
#[derive(Debug, Clone)]
pub struct Fit {
    pub family: Family,
    pub coefficients: Vec<Coef>,
    /// Regressors dropped as collinear (with each other or the fixed effects).
    pub collinear: Vec<String>,
    /// Variance of the coefficients (in the order of `coefficients`).
    pub vcov: Sym,
    /// Human description, e.g. "Clustered (pair_id)".
    pub vcov_label: String,
    pub nobs: usize,
    pub nobs_input: usize,
    pub dropped: Dropped,
    /// Input rows (0-based) that were separated, ascending.
    pub separated_rows: Vec<usize>,
    /// Whether each input row is in the estimation sample.
    pub sample: Vec<bool>,
    pub iterations: usize,
    pub converged: bool,
    /// |dev − dev_prev| / (0.1 + |dev|) at the last IRLS iteration (0 for least squares), the
    /// quantity the stopping rule compares with `Options::tol`.
    pub deviance_change: f64,
    /// Total demeaning (CG) iterations over all IRLS steps.
    pub fe_iterations: usize,
    /// The demeaning tolerance of the last iteration (the final `fe_tol` once converged), and
    /// whether the demeaning reached it within its iteration limit.
    pub fe_tolerance: f64,
    pub fe_converged: bool,
    pub deviance: f64,
    pub null_deviance: f64,
    pub loglik: f64,
    pub null_loglik: f64,
    /// Poisson: McFadden's 1 − ll/ll₀ against the constant-only model (as fixest's pr2 and Stata).
    /// OLS: R² = 1 − RSS/TSS.
    pub pseudo_r2: f64,
    /// Degrees of freedom used up by the coefficients and the fixed effects (fixest's K), and of the t tests.
    pub df_k: usize,
    pub df_t: f64,
    pub fixed_effects: Vec<FixedEffectValues>,
    /// Fitted means for the sample rows, in input order of those rows.
    pub fitted: Vec<f64>,
    pub warnings: Vec<String>,
}

fn check_finite(name: &str, v: &[f64], n: usize) -> Result<(), Error> {
    if v.len() != n {
        return Err(Error::LengthMismatch {
            name: name.to_string(),
            len: v.len(),
            n,
        });
    }
    if let Some((row, &value)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(Error::NonFinite {
            name: name.to_string(),
            row,
            value,
        });
    }
    Ok(())
}

/// Options that would give meaningless output: a confidence level outside (0, 1), a tolerance
/// that is not a positive number.
fn check_options(opt: &Options) -> Result<(), Error> {
    if !(opt.level > 0.0 && opt.level < 1.0) {
        return Err(Error::BadOption {
            option: "level",
            message: format!(
                " '{}': expected a number between 0 and 1 (0.95 for 95%)",
                opt.level
            ),
        });
    }
    for (option, v) in [
        ("tol", opt.tol),
        ("fe_tol", opt.fe_tol),
        ("collinear_tol", opt.collinear_tol),
    ] {
        if !(v > 0.0 && v.is_finite()) {
            return Err(Error::BadOption {
                option,
                message: format!(" '{v}': expected a positive number"),
            });
        }
    }
    Ok(())
}

fn validate(d: &Design, fam: Family) -> Result<(), Error> {
    let n = d.y.len();
    check_finite("outcome", d.y, n)?;
    if fam == Family::Poisson
        && let Some((row, &value)) = d.y.iter().enumerate().find(|(_, y)| **y < 0.0)
    {
        return Err(Error::NegativeOutcome { row, value });
    }
    for (name, v) in &d.x {
        check_finite(name, v, n)?;
    }
    for (name, v) in d.fe.iter().chain(&d.cluster) {
        if v.len() != n {
            return Err(Error::LengthMismatch {
                name: name.clone(),
                len: v.len(),
                n,
            });
        }
    }
    if let Some(o) = d.offset {
        check_finite("offset", o, n)?;
    }
    if let Some(w) = d.weights {
        check_finite("weights", w, n)?;
        if let Some((row, &value)) = w.iter().enumerate().find(|(_, w)| **w <= 0.0) {
            return Err(Error::BadWeight { row, value });
        }
    }
    Ok(())
}

fn subset<T: Copy>(v: &[T], keep: &[bool]) -> Vec<T> {
    v.iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(x, _)| *x)
        .collect()
}

/// Weighted cross products X'WX and X'Wv over columns.
fn cross(cols: &[Vec<f64>], w: &[f64], v: &[f64]) -> (Sym, Vec<f64>) {
    let p = cols.len();
    let n = w.len();
    let (g, xv) = (0..n)
        .into_par_iter()
        .with_min_len(1 << 15)
        .fold(
            || (vec![0.0; p * p], vec![0.0; p]),
            |(mut g, mut xv), i| {
                let wi = w[i];
                for a in 0..p {
                    let xa = cols[a][i] * wi;
                    xv[a] += xa * v[i];
                    for b in 0..=a {
                        g[a * p + b] += xa * cols[b][i];
                    }
                }
                (g, xv)
            },
        )
        .reduce(
            || (vec![0.0; p * p], vec![0.0; p]),
            |(mut g1, mut v1), (g2, v2)| {
                g1.iter_mut().zip(&g2).for_each(|(a, b)| *a += b);
                v1.iter_mut().zip(&v2).for_each(|(a, b)| *a += b);
                (g1, v1)
            },
        );
    let mut s = Sym { n: p, a: g };
    for a in 0..p {
        for b in 0..a {
            let v = s.get(a, b);
            s.set(b, a, v);
        }
    }
    (s, xv)
}

fn poisson_deviance(y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    2.0 * y
        .par_iter()
        .zip(mu)
        .zip(w)
        .with_min_len(1 << 15)
        .map(|((&y, &m), &w)| w * (if y > 0.0 { y * (y / m).ln() } else { 0.0 } - (y - m)))
        .sum::<f64>()
}

fn poisson_loglik(y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .zip(w)
        .map(|((&y, &m), &w)| {
            w * (if y > 0.0 { y * m.ln() } else { 0.0 } - m - stats::ln_gamma(y + 1.0))
        })
        .sum()
}

/// Drop singletons; for Poisson a zero outcome alone in its group is separated (its effect runs to −∞), so it
/// is reported as such (with the FE check) rather than as a singleton.
fn singletons_pass(
    dims: &[Dim],
    y: &[f64],
    keep: &mut [bool],
    poisson: bool,
    dropped: &mut Dropped,
    separated_rows: &mut Vec<usize>,
) {
    for i in separation::drop_singletons(dims, keep) {
        if poisson && y[i] <= 0.0 {
            dropped.fe_zero_outcome += 1;
            separated_rows.push(i);
        } else {
            dropped.singletons += 1;
        }
    }
}

/// Estimate a model. See the crate documentation for the method.
pub fn fit(design: &Design, opt: &Options) -> Result<Fit, Error> {
    check_options(opt)?;
    validate(design, opt.family)?;
    let n_in = design.y.len();
    let mut keep = vec![true; n_in];
    let all_dims: Vec<Dim> = design
        .fe
        .iter()
        .map(|(name, ids)| Dim::new(name.clone(), ids.iter().copied()))
        .collect();
    let mut dropped = Dropped::default();
    let mut separated_rows: Vec<usize> = Vec::new();
    let mut warnings = Vec::new();

    // For Poisson the FE check runs first and drops singletons with it, so that a zero outcome alone in its
    // group counts as separated (ppmlhdfe's accounting); otherwise singletons go first.
    let fe_check_first = opt.family == Family::Poisson && opt.separation.fe;
    let poisson = opt.family == Family::Poisson;
    if opt.drop_singletons && !all_dims.is_empty() && !fe_check_first {
        singletons_pass(
            &all_dims,
            design.y,
            &mut keep,
            poisson,
            &mut dropped,
            &mut separated_rows,
        );
    }
    if opt.family == Family::Poisson {
        if opt.separation.fe && !all_dims.is_empty() {
            let (sep, single) =
                separation::fe_check(&all_dims, design.y, &mut keep, opt.drop_singletons);
            dropped.fe_zero_outcome += sep.len();
            dropped.singletons += single;
            separated_rows.extend(sep);
        }
        let has_zero = (0..n_in).any(|i| keep[i] && design.y[i] <= 0.0);
        if has_zero && opt.separation.simplex {
            let rows: Vec<usize> = (0..n_in).filter(|&i| keep[i]).collect();
            let boundary: Vec<usize> = rows
                .iter()
                .copied()
                .filter(|&i| design.y[i] <= 0.0)
                .collect();
            let interior: Vec<usize> = rows
                .iter()
                .copied()
                .filter(|&i| design.y[i] > 0.0)
                .collect();
            let dims_now: Vec<Dim> = all_dims.iter().map(|d| d.restrict(&keep)).collect();
            let dummy_levels: usize = dims_now.iter().map(|d| d.levels).sum();
            if boundary.len() <= 3000 && dummy_levels <= 300 {
                // columns over all input rows: intercept, regressors, dummies (one per level)
                let mut cols: Vec<Vec<f64>> = vec![vec![1.0; n_in]];
                cols.extend(design.x.iter().map(|(_, v)| v.to_vec()));
                for d in &all_dims {
                    let mut levels: Vec<u32> = rows.iter().map(|&i| d.ids[i]).collect();
                    levels.sort_unstable();
                    levels.dedup();
                    for l in levels {
                        cols.push(
                            d.ids
                                .iter()
                                .map(|&g| if g == l { 1.0 } else { 0.0 })
                                .collect(),
                        );
                    }
                }
                let sep = separation::simplex(&cols, &boundary, &interior);
                dropped.simplex += sep.len();
                for &i in &sep {
                    keep[i] = false;
                }
                separated_rows.extend(sep);
                if opt.drop_singletons && !all_dims.is_empty() {
                    singletons_pass(
                        &all_dims,
                        design.y,
                        &mut keep,
                        poisson,
                        &mut dropped,
                        &mut separated_rows,
                    );
                }
            } else if !opt.separation.relu {
                warnings.push(format!(
                    "simplex separation check skipped: {} zero outcomes and {} fixed-effect levels exceed its \
                     dense limits (3000, 300); enable the ReLU check",
                    boundary.len(),
                    dummy_levels
                ));
            }
        }
        let has_zero = (0..n_in).any(|i| keep[i] && design.y[i] <= 0.0);
        if has_zero && opt.separation.relu {
            let rows: Vec<usize> = (0..n_in).filter(|&i| keep[i]).collect();
            let fe_now = FixedEffects {
                dims: all_dims.iter().map(|d| d.restrict(&keep)).collect(),
            };
            let ysub = subset(design.y, &keep);
            let mut xs: Vec<Vec<f64>> = design.x.iter().map(|(_, v)| subset(v, &keep)).collect();
            if fe_now.is_empty() {
                xs.insert(0, vec![1.0; rows.len()]);
            }
            let r = separation::relu(&ysub, &xs, &fe_now, 1e-6, 1000);
            if !r.converged {
                warnings.push(format!(
                    "ReLU separation check did not converge in {} iterations; some separated observations may remain",
                    r.iterations
                ));
            }
            dropped.relu += r.separated.len();
            for &k in &r.separated {
                keep[rows[k]] = false;
                separated_rows.push(rows[k]);
            }
            if !r.separated.is_empty() && opt.drop_singletons && !all_dims.is_empty() {
                singletons_pass(
                    &all_dims,
                    design.y,
                    &mut keep,
                    poisson,
                    &mut dropped,
                    &mut separated_rows,
                );
            }
        }
    }
    separated_rows.sort_unstable();

    let rows: Vec<usize> = (0..n_in).filter(|&i| keep[i]).collect();
    let n = rows.len();
    if n == 0 {
        return Err(Error::NoObservations {
            reason: format!(
                "{} singletons and {} separated observations removed from {}",
                dropped.singletons,
                dropped.separated(),
                n_in
            ),
        });
    }
    let fe = FixedEffects {
        dims: all_dims.iter().map(|d| d.restrict(&keep)).collect(),
    };
    let y = subset(design.y, &keep);
    let uw = design
        .weights
        .map(|w| subset(w, &keep))
        .unwrap_or_else(|| vec![1.0; n]);
    let off = design
        .offset
        .map(|o| subset(o, &keep))
        .unwrap_or_else(|| vec![0.0; n]);
    let mut names: Vec<String> = Vec::new();
    let mut xcols: Vec<Vec<f64>> = Vec::new();
    if fe.is_empty() && opt.intercept {
        names.push("(Intercept)".into());
        xcols.push(vec![1.0; n]);
    }
    for (name, v) in &design.x {
        names.push(name.clone());
        xcols.push(subset(v, &keep));
    }

    let est = match opt.family {
        Family::Poisson => irls(&y, &xcols, &fe, &uw, &off, opt)?,
        Family::Ols => ols(&y, &xcols, &fe, &uw, &off, opt)?,
    };
    let collinear: Vec<String> = (0..names.len())
        .filter(|k| !est.kept.contains(k))
        .map(|k| names[k].clone())
        .collect();
    if est.kept.is_empty() && !names.is_empty() {
        return Err(Error::AllCollinear { names: collinear });
    }
    if !est.converged {
        warnings.push(format!(
            "IRLS did NOT converge in {} iterations (last relative deviance change {:.3e}); estimates are unreliable",
            est.iterations, est.last_change
        ));
    }
    if !est.fe_converged {
        warnings
            .push("the fixed-effect demeaning hit its iteration limit; raise fe_max_iter".into());
    }

    // ---- variance
    let kept_names: Vec<String> = est.kept.iter().map(|&k| names[k].clone()).collect();
    let p = est.kept.len();
    let xt = &est.xt; // demeaned kept columns with the final weights
    let (g, _) = cross(xt, &est.w, &vec![0.0; n]);
    let bread = spd_inverse(&g).ok_or_else(|| Error::AllCollinear {
        names: kept_names.clone(),
    })?;
    let resid_score: Vec<f64> = match opt.family {
        Family::Poisson => (0..n).map(|i| uw[i] * (y[i] - est.mu[i])).collect(),
        Family::Ols => (0..n).map(|i| uw[i] * (y[i] - est.mu[i])).collect(),
    };
    let mut vcov_type = opt.vcov;
    let mut clusters: Vec<(String, Vec<u64>)> = design
        .cluster
        .iter()
        .map(|(name, ids)| (name.clone(), subset(ids, &keep)))
        .collect();
    if vcov_type == VcovType::FixestDefault {
        if let Some((name, ids)) = design.fe.first() {
            vcov_type = VcovType::Cluster;
            clusters = vec![(name.clone(), subset(ids, &keep))];
        } else {
            vcov_type = VcovType::Iid;
        }
    }
    if vcov_type == VcovType::Cluster && clusters.is_empty() {
        vcov_type = VcovType::Iid;
        warnings.push("clustered variance asked for without cluster variables; iid used".into());
    }
    // fixest's K
    let cluster_dims: Vec<Dim> = clusters
        .iter()
        .map(|(name, ids)| Dim::new(name.clone(), ids.iter().copied()))
        .collect();
    let n_fe = fe.dims.len();
    let k_fe_adj = if n_fe > 1 {
        fe.total_levels() - (n_fe - 1)
    } else {
        fe.total_levels()
    };
    let mut df_k = p + k_fe_adj;
    if vcov_type == VcovType::Cluster {
        for d in &fe.dims {
            if cluster_dims.iter().any(|c| d.nested_in(&c.ids)) {
                df_k = df_k + 1 - d.levels;
            }
        }
    }
    let nf = n as f64;
    let dfk = df_k as f64;
    let scores = |i: usize, out: &mut [f64]| {
        for (a, o) in out.iter_mut().enumerate() {
            *o = xt[a][i] * resid_score[i];
        }
    };
    let mut df_t = nf - dfk;
    let (mut vcov, label) = match vcov_type {
        VcovType::Iid | VcovType::FixestDefault => {
            let mut v = bread.clone();
            let sigma2 = match opt.family {
                Family::Poisson => 1.0,
                Family::Ols => {
                    (0..n)
                        .map(|i| uw[i] * (y[i] - est.mu[i]).powi(2))
                        .sum::<f64>()
                        / (nf - 1.0)
                }
            };
            let adj = match (opt.small_sample, opt.family) {
                (SmallSample::None, _) | (SmallSample::Stata, Family::Poisson) => {
                    if opt.family == Family::Ols {
                        (nf - 1.0) / nf
                    } else {
                        1.0
                    }
                }
                _ => (nf - 1.0) / (nf - dfk),
            };
            v.a.iter_mut().for_each(|x| *x *= sigma2 * adj);
            (v, "IID".to_string())
        }
        VcovType::Hetero => {
            let mut meat = Sym::zeros(p);
            let mut s = vec![0.0; p];
            for i in 0..n {
                scores(i, &mut s);
                for a in 0..p {
                    for b in 0..p {
                        meat.a[a * p + b] += s[a] * s[b];
                    }
                }
            }
            let adj = match (opt.small_sample, opt.family) {
                (SmallSample::None, _) => 1.0,
                (SmallSample::Stata, Family::Poisson) => nf / (nf - 1.0),
                _ => nf / (nf - dfk),
            };
            let mut v = bread.mul(&meat).mul(&bread);
            v.a.iter_mut().for_each(|x| *x *= adj);
            (v, "Heteroskedasticity-robust".to_string())
        }
        VcovType::Cluster => {
            let k = cluster_dims.len();
            let g_min = cluster_dims.iter().map(|d| d.levels).min().unwrap_or(1) as f64;
            df_t = g_min - 1.0;
            let mut total = Sym::zeros(p);
            let mut s = vec![0.0; p];
            for mask in 1u32..(1 << k) {
                let members: Vec<usize> = (0..k).filter(|b| mask & (1 << b) != 0).collect();
                let sign = if members.len() % 2 == 1 { 1.0 } else { -1.0 };
                let inter = Dim::new(
                    "",
                    (0..n).map(|i| {
                        members.iter().fold(0u64, |h, &m| {
                            h.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                                ^ clusters[m].1[i].wrapping_add(m as u64 + 1)
                        })
                    }),
                );
                let mut sums = vec![0.0; inter.levels * p];
                for i in 0..n {
                    scores(i, &mut s);
                    let g = inter.ids[i] as usize;
                    for a in 0..p {
                        sums[g * p + a] += s[a];
                    }
                }
                let mut meat = Sym::zeros(p);
                for gs in sums.chunks(p.max(1)) {
                    for a in 0..p {
                        for b in 0..p {
                            meat.a[a * p + b] += gs[a] * gs[b];
                        }
                    }
                }
                let mut v = bread.mul(&meat).mul(&bread);
                let g_own = inter.levels as f64;
                let adj = match (opt.small_sample, opt.family) {
                    (SmallSample::None, _) => 1.0,
                    (SmallSample::Stata, Family::Poisson) => g_own / (g_own - 1.0),
                    (SmallSample::Stata, Family::Ols) => {
                        (nf - 1.0) / (nf - dfk) * g_own / (g_own - 1.0)
                    }
                    (SmallSample::Fixest, _) => (nf - 1.0) / (nf - dfk) * g_min / (g_min - 1.0),
                };
                v.a.iter_mut().for_each(|x| *x *= adj * sign);
                total.a.iter_mut().zip(&v.a).for_each(|(t, x)| *t += x);
            }
            total.symmetrize();
            if k > 1 {
                let (fixed, changed) = clip_to_psd(&total);
                if changed {
                    warnings.push("multi-way clustered variance was not positive semi-definite; negative eigenvalues set to zero".into());
                    total = fixed;
                }
            }
            let names: Vec<&str> = clusters.iter().map(|(n, _)| n.as_str()).collect();
            (total, format!("Clustered ({})", names.join(" & ")))
        }
    };
    vcov.symmetrize();

    let z_crit = match opt.family {
        Family::Poisson => stats::norm_quantile(0.5 + opt.level / 2.0),
        Family::Ols => stats::t_quantile(0.5 + opt.level / 2.0, df_t),
    };
    let coefficients: Vec<Coef> = (0..p)
        .map(|a| {
            let estimate = est.beta[a];
            let se = vcov.get(a, a).max(0.0).sqrt();
            let statistic = estimate / se;
            let p_value = match opt.family {
                Family::Poisson => 2.0 * stats::norm_sf(statistic.abs()),
                Family::Ols => 2.0 * stats::t_sf(statistic.abs(), df_t),
            };
            Coef {
                name: kept_names[a].clone(),
                estimate,
                std_error: se,
                statistic,
                p_value,
                ci_low: estimate - z_crit * se,
                ci_high: estimate + z_crit * se,
            }
        })
        .collect();

    // fixed effects: ids of each level in the input
    let fixed_effects = fe
        .dims
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let mut ids = vec![0u64; d.levels];
            for (pos, &i) in rows.iter().enumerate() {
                ids[d.ids[pos] as usize] = design.fe[k].1[i];
            }
            FixedEffectValues {
                name: d.name.clone(),
                ids,
                values: est.fe_values[k].clone(),
            }
        })
        .collect();

    let (deviance, null_deviance, loglik, null_loglik, pseudo_r2) = match opt.family {
        Family::Poisson => {
            let wsum: f64 = uw.iter().sum();
            let ybar = y.iter().zip(&uw).map(|(a, b)| a * b).sum::<f64>() / wsum;
            let mu0 = vec![ybar; n];
            let ll = poisson_loglik(&y, &est.mu, &uw);
            let ll0 = poisson_loglik(&y, &mu0, &uw);
            (
                est.deviance,
                poisson_deviance(&y, &mu0, &uw),
                ll,
                ll0,
                1.0 - ll / ll0,
            )
        }
        Family::Ols => {
            let wsum: f64 = uw.iter().sum();
            let ybar = y.iter().zip(&uw).map(|(a, b)| a * b).sum::<f64>() / wsum;
            let tss: f64 = y.iter().zip(&uw).map(|(v, w)| w * (v - ybar).powi(2)).sum();
            let rss = est.deviance;
            let s2 = rss / nf;
            let ll = -0.5 * nf * ((2.0 * std::f64::consts::PI * s2).ln() + 1.0);
            let ll0 = -0.5 * nf * ((2.0 * std::f64::consts::PI * tss / nf).ln() + 1.0);
            (rss, tss, ll, ll0, 1.0 - rss / tss)
        }
    };

    Ok(Fit {
        family: opt.family,
        coefficients,
        collinear,
        vcov,
        vcov_label: label,
        nobs: n,
        nobs_input: n_in,
        dropped,
        separated_rows,
        sample: keep,
        iterations: est.iterations,
        converged: est.converged,
        deviance_change: est.last_change,
        fe_iterations: est.fe_iterations,
        fe_tolerance: est.fe_tol,
        fe_converged: est.fe_converged,
        deviance,
        null_deviance,
        loglik,
        null_loglik,
        pseudo_r2,
        df_k,
        df_t,
        fixed_effects,
        fitted: est.mu,
        warnings,
    })
}

struct Estimate {
    beta: Vec<f64>,
    kept: Vec<usize>,
    /// Demeaned kept regressors under the final weights.
    xt: Vec<Vec<f64>>,
    /// Final working weights (user weight × variance function).
    w: Vec<f64>,
    mu: Vec<f64>,
    deviance: f64,
    iterations: usize,
    converged: bool,
    last_change: f64,
    fe_iterations: usize,
    fe_converged: bool,
    /// The demeaning tolerance of the last iteration.
    fe_tol: f64,
    fe_values: Vec<Vec<f64>>,
}

/// Drop collinear columns given the demeaned columns and their weighted Gram matrix.
fn collinearity(xt: &[Vec<f64>], raw: &[Vec<f64>], w: &[f64], tol: f64) -> Vec<usize> {
    let (g, _) = cross(xt, w, &vec![0.0; w.len()]);
    // a column absorbed by the fixed effects has (almost) nothing left relative to its raw size
    let (graw, _) = cross(raw, w, &vec![0.0; w.len()]);
    let mut candidates = Vec::new();
    for k in 0..xt.len() {
        if g.get(k, k) > tol * graw.get(k, k).max(f64::MIN_POSITIVE) {
            candidates.push(k);
        }
    }
    let sub = g.select(&candidates);
    independent_columns(&sub, tol)
        .into_iter()
        .map(|k| candidates[k])
        .collect()
}

fn solve_wls(xt: &[Vec<f64>], w: &[f64], zt: &[f64]) -> Vec<f64> {
    let (g, xz) = cross(xt, w, zt);
    match spd_inverse(&g) {
        Some(inv) => inv.mul_vec(&xz),
        None => vec![0.0; xt.len()],
    }
}

fn fe_values(dm: &Demeaner, alpha: &[f64], c: usize, beta: &[f64]) -> Vec<Vec<f64>> {
    let mut fz = dm.split_coefficients(alpha, c, 0);
    for (j, b) in beta.iter().enumerate() {
        let fx = dm.split_coefficients(alpha, c, j + 1);
        for (vz, vx) in fz.iter_mut().zip(&fx) {
            for (a, x) in vz.iter_mut().zip(vx) {
                *a -= b * x;
            }
        }
    }
    fz
}

fn ols(
    y: &[f64],
    x: &[Vec<f64>],
    fe: &FixedEffects,
    uw: &[f64],
    off: &[f64],
    opt: &Options,
) -> Result<Estimate, Error> {
    let n = y.len();
    let yo: Vec<f64> = y.iter().zip(off).map(|(a, b)| a - b).collect();
    let dm = Demeaner::new(fe, uw).until(opt.deadline);
    let mut cols: Vec<&[f64]> = vec![&yo];
    cols.extend(x.iter().map(|v| v.as_slice()));
    let mut out = vec![Vec::new(); cols.len()];
    let mut alpha = Vec::new();
    let st: DemeanStats = dm.demean(&cols, &mut alpha, &mut out, opt.fe_tol, opt.fe_max_iter);
    if st.expired {
        return Err(Error::Deadline);
    }
    let yt = out.remove(0);
    let kept = collinearity(&out, x, uw, opt.collinear_tol);
    let xt: Vec<Vec<f64>> = kept.iter().map(|&k| out[k].clone()).collect();
    let beta = solve_wls(&xt, uw, &yt);
    let mut mu = vec![0.0; n];
    let mut rss = 0.0;
    for i in 0..n {
        let fit: f64 = xt.iter().zip(&beta).map(|(c, b)| c[i] * b).sum();
        let e = yt[i] - fit;
        mu[i] = y[i] - e;
        rss += uw[i] * e * e;
    }
    // FE values: alpha columns are [y, x_0..x_{p-1}]; use only kept regressors
    let c = cols.len();
    let mut fz = dm.split_coefficients(&alpha, c, 0);
    for (&k, b) in kept.iter().zip(&beta) {
        let fx = dm.split_coefficients(&alpha, c, k + 1);
        for (vz, vx) in fz.iter_mut().zip(&fx) {
            for (a, xv) in vz.iter_mut().zip(vx) {
                *a -= b * xv;
            }
        }
    }
    Ok(Estimate {
        beta,
        kept,
        xt,
        w: uw.to_vec(),
        mu,
        deviance: rss,
        iterations: 1,
        converged: st.converged,
        last_change: 0.0,
        fe_iterations: st.iterations,
        fe_converged: st.converged,
        fe_tol: opt.fe_tol,
        fe_values: fz,
    })
}

fn irls(
    y: &[f64],
    x0: &[Vec<f64>],
    fe: &FixedEffects,
    uw: &[f64],
    off: &[f64],
    opt: &Options,
) -> Result<Estimate, Error> {
    let n = y.len();
    let ybar = y.iter().zip(uw).map(|(a, b)| a * b).sum::<f64>() / uw.iter().sum::<f64>();
    // the fixed effects' index, built once; each iteration only re-weights it
    let structure = Demeaner::new(fe, uw).until(opt.deadline);
    let mut mu: Vec<f64> = y.iter().map(|&v| 0.5 * (v + ybar)).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut dev = poisson_deviance(y, &mu, uw);
    let mut kept: Vec<usize> = (0..x0.len()).collect();
    let mut x: Vec<Vec<f64>> = x0.to_vec();
    let mut alpha: Vec<f64> = Vec::new();
    let mut inner_tol = 1e-3f64.max(opt.fe_tol);
    let mut fe_iters = 0;
    let mut fe_ok = true;
    let mut beta = vec![0.0; x.len()];
    let mut converged = false;
    let mut last_change = f64::INFINITY;
    let mut iterations = 0;
    let mut w = vec![0.0; n];
    let mut z = vec![0.0; n];
    let mut out: Vec<Vec<f64>> = Vec::new();
    while iterations < opt.max_iter {
        iterations += 1;
        w.par_iter_mut()
            .zip(&mu)
            .zip(uw)
            .for_each(|((w, m), u)| *w = m * u);
        z.par_iter_mut()
            .enumerate()
            .for_each(|(i, zi)| *zi = eta[i] - off[i] + (y[i] - mu[i]) / mu[i]);
        let dm = structure.with_weights(&w);
        let mut cols: Vec<&[f64]> = vec![&z];
        cols.extend(x.iter().map(|v| v.as_slice()));
        out.resize(cols.len(), Vec::new());
        let st = dm.demean(&cols, &mut alpha, &mut out, inner_tol, opt.fe_max_iter);
        if st.expired || opt.deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return Err(Error::Deadline);
        }
        fe_iters += st.iterations;
        fe_ok &= st.converged;
        if iterations == 1 {
            let ok = collinearity(&out[1..], &x, &w, opt.collinear_tol);
            if ok.len() < x.len() {
                kept = ok.iter().map(|&k| kept[k]).collect();
                x = ok.iter().map(|&k| x[k].clone()).collect();
                let mut new_out = vec![out[0].clone()];
                new_out.extend(ok.iter().map(|&k| out[k + 1].clone()));
                out = new_out;
                // rebuild the warm start for the remaining columns
                let c_old = ok.len() + (x0.len() - ok.len()) + 1;
                let levels = dm.levels();
                let mut a2 = vec![0.0; levels * (ok.len() + 1)];
                for l in 0..levels {
                    a2[l * (ok.len() + 1)] = alpha[l * c_old];
                    for (j, &k) in ok.iter().enumerate() {
                        a2[l * (ok.len() + 1) + j + 1] = alpha[l * c_old + k + 1];
                    }
                }
                alpha = a2;
            }
            if x.is_empty() && !x0.is_empty() {
                return Ok(Estimate {
                    beta: vec![],
                    kept: vec![],
                    xt: vec![],
                    w,
                    mu,
                    deviance: dev,
                    iterations,
                    converged: false,
                    last_change,
                    fe_iterations: fe_iters,
                    fe_converged: fe_ok,
                    fe_tol: inner_tol,
                    fe_values: vec![],
                });
            }
        }
        let zt = &out[0];
        let xt = &out[1..];
        let b_new = solve_wls(xt, &w, zt);
        // η = offset + z − (z̃ − X̃β)
        let mut eta_new: Vec<f64> = (0..n)
            .into_par_iter()
            .map(|i| {
                let fit: f64 = xt.iter().zip(&b_new).map(|(c, b)| c[i] * b).sum();
                off[i] + z[i] - (zt[i] - fit)
            })
            .collect();
        let mut mu_new: Vec<f64> = eta_new.iter().map(|e| e.exp()).collect();
        let mut dev_new = poisson_deviance(y, &mu_new, uw);
        // step halving when the deviance is not finite or rises
        let mut halvings = 0;
        while (!dev_new.is_finite() || dev_new > dev * (1.0 + 1e-9) + 1e-12)
            && halvings < 30
            && iterations > 1
        {
            halvings += 1;
            for i in 0..n {
                eta_new[i] = 0.5 * (eta_new[i] + eta[i]);
                mu_new[i] = eta_new[i].exp();
            }
            dev_new = poisson_deviance(y, &mu_new, uw);
        }
        if !dev_new.is_finite() {
            return Err(Error::Diverged {
                iteration: iterations,
                deviance: dev_new,
            });
        }
        last_change = (dev_new - dev).abs() / (0.1 + dev_new.abs());
        beta = b_new;
        eta = eta_new;
        mu = mu_new;
        dev = dev_new;
        if last_change < opt.tol {
            if inner_tol <= opt.fe_tol {
                converged = true;
                break;
            }
            inner_tol = opt.fe_tol;
        } else {
            inner_tol = inner_tol.min(0.1 * last_change).max(opt.fe_tol);
        }
    }
    // The first iteration's check ran on loosely demeaned columns; a combination of regressors absorbed
    // only jointly by the fixed effects can hide behind that tolerance. The last iteration's columns are
    // demeaned to full precision: check again, and estimate anew without what is found (rare).
    if out.len() > 1 {
        let ok = collinearity(&out[1..], &x, &w, opt.collinear_tol);
        if ok.len() < x.len() {
            let sub: Vec<Vec<f64>> = ok.iter().map(|&k| x[k].clone()).collect();
            let mut e = irls(y, &sub, fe, uw, off, opt)?;
            e.kept = e.kept.iter().map(|&k| kept[ok[k]]).collect();
            e.iterations += iterations;
            e.fe_iterations += fe_iters;
            return Ok(e);
        }
    }
    // The variance uses the demeaned regressors and weights of the last iteration (as fixest does): at
    // convergence they differ from those at the final μ by less than the tolerance. Fixed effects are
    // recovered from the last step's coefficients.
    let c = x.len() + 1;
    let dm_last = structure.with_weights(&w);
    let fe_vals = fe_values(&dm_last, &alpha, c, &beta);
    let xt: Vec<Vec<f64>> = if out.len() > 1 {
        out.split_off(1)
    } else {
        Vec::new()
    };
    Ok(Estimate {
        beta,
        kept,
        xt,
        w,
        mu,
        deviance: dev,
        iterations,
        converged,
        last_change,
        fe_iterations: fe_iters,
        fe_converged: fe_ok,
        fe_tol: inner_tol,
        fe_values: fe_vals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
        }
    }

    struct Panel {
        y: Vec<f64>,
        x1: Vec<f64>,
        x2: Vec<f64>,
        a: Vec<u64>,
        b: Vec<u64>,
    }

    fn panel(seed: u64, n: usize, poisson: bool) -> Panel {
        let mut r = Rng(seed.wrapping_mul(7919).wrapping_add(13));
        let la = 5;
        let lb = 4;
        let ea: Vec<f64> = (0..la).map(|_| r.next() * 2.0 - 1.0).collect();
        let eb: Vec<f64> = (0..lb).map(|_| r.next() * 2.0 - 1.0).collect();
        let mut p = Panel {
            y: vec![],
            x1: vec![],
            x2: vec![],
            a: vec![],
            b: vec![],
        };
        for i in 0..n {
            // every level appears: no singletons, no separation by construction
            let a = (i % la) as u64;
            let b = ((i / la) % lb) as u64;
            let x1 = r.next() * 2.0;
            let x2 = r.next() - 0.5 + 0.3 * a as f64;
            let eta = 0.4 * x1 - 0.7 * x2 + ea[a as usize] + eb[b as usize];
            let noise = 0.5 + r.next();
            let y = if poisson {
                eta.exp() * noise * 3.0
            } else {
                eta + noise
            };
            p.y.push(y);
            p.x1.push(x1);
            p.x2.push(x2);
            p.a.push(a);
            p.b.push(b);
        }
        p
    }

    fn dummies(ids: &[u64]) -> Vec<Vec<f64>> {
        let max = *ids.iter().max().unwrap();
        (1..=max)
            .map(|l| {
                ids.iter()
                    .map(|&g| if g == l { 1.0 } else { 0.0 })
                    .collect()
            })
            .collect()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-12)
    }

    /// A passed deadline stops both families with `Error::Deadline`; a later one changes nothing.
    #[test]
    fn estimation_stops_at_its_deadline() {
        for family in [Family::Poisson, Family::Ols] {
            let p = panel(3, 200, family == Family::Poisson);
            let d = Design {
                y: &p.y,
                x: vec![("x1".into(), &p.x1), ("x2".into(), &p.x2)],
                fe: vec![("a".into(), &p.a), ("b".into(), &p.b)],
                ..Default::default()
            };
            let past = std::time::Instant::now() - std::time::Duration::from_millis(1);
            let stopped = Options {
                family,
                deadline: Some(past),
                ..Options::default()
            };
            assert_eq!(fit(&d, &stopped).unwrap_err(), Error::Deadline);
            let later = Options {
                family,
                deadline: Some(std::time::Instant::now() + std::time::Duration::from_secs(3600)),
                ..Options::default()
            };
            let free = Options {
                family,
                ..Options::default()
            };
            let (a, b) = (fit(&d, &later).unwrap(), fit(&d, &free).unwrap());
            assert_eq!(a.coefficients[0].estimate, b.coefficients[0].estimate);
        }
    }

    /// Options that would print nonsense ("a 200% interval") are refused by name.
    #[test]
    fn a_level_outside_zero_one_is_refused() {
        let p = panel(1, 40, false);
        let d = Design {
            y: &p.y,
            x: vec![("x1".into(), &p.x1)],
            ..Default::default()
        };
        for level in [2.0, -1.0, f64::NAN, 0.0, 1.0] {
            let o = Options {
                family: Family::Ols,
                level,
                ..Options::default()
            };
            match fit(&d, &o) {
                Err(Error::BadOption {
                    option: "level", ..
                }) => {}
                other => panic!("level {level}: {other:?}"),
            }
        }
    }

    #[test]
    fn absorbed_fixed_effects_equal_the_dummy_variable_regression() {
        for family in [Family::Poisson, Family::Ols] {
            for vcov in [VcovType::Iid, VcovType::Hetero] {
                for seed in 0..12 {
                    let p = panel(seed, 80, family == Family::Poisson);
                    let opt = Options {
                        family,
                        vcov,
                        tol: 1e-12,
                        fe_tol: 1e-12,
                        ..Options::default()
                    };
                    let absorbed = Design {
                        y: &p.y,
                        x: vec![("x1".into(), &p.x1), ("x2".into(), &p.x2)],
                        fe: vec![("a".into(), &p.a), ("b".into(), &p.b)],
                        ..Default::default()
                    };
                    let da = dummies(&p.a);
                    let db = dummies(&p.b);
                    let mut x: Vec<(String, &[f64])> =
                        vec![("x1".into(), &p.x1), ("x2".into(), &p.x2)];
                    for (k, d) in da.iter().chain(&db).enumerate() {
                        x.push((format!("d{k}"), d));
                    }
                    let dummy = Design {
                        y: &p.y,
                        x,
                        ..Default::default()
                    };
                    let fa = fit(&absorbed, &opt).unwrap();
                    let fd = fit(&dummy, &opt).unwrap();
                    assert_eq!(fa.nobs, fd.nobs);
                    for name in ["x1", "x2"] {
                        let ca = fa.coefficients.iter().find(|c| c.name == name).unwrap();
                        let cd = fd.coefficients.iter().find(|c| c.name == name).unwrap();
                        assert!(
                            close(ca.estimate, cd.estimate, 1e-8),
                            "{family:?} {seed} {name}: {} vs {}",
                            ca.estimate,
                            cd.estimate
                        );
                        assert!(
                            close(ca.std_error, cd.std_error, 1e-6),
                            "{family:?} {vcov:?} {seed} {name}: se {} vs {}",
                            ca.std_error,
                            cd.std_error
                        );
                    }
                    assert!(close(fa.deviance, fd.deviance, 1e-9));
                }
            }
        }
    }

    #[test]
    fn permuting_rows_changes_nothing() {
        for seed in 0..8 {
            let p = panel(seed, 60, true);
            let mut order: Vec<usize> = (0..p.y.len()).collect();
            let mut r = Rng(seed + 99);
            for i in (1..order.len()).rev() {
                let j = (r.next() * (i + 1) as f64) as usize;
                order.swap(i, j);
            }
            let perm = |v: &[f64]| order.iter().map(|&i| v[i]).collect::<Vec<f64>>();
            let permu = |v: &[u64]| order.iter().map(|&i| v[i]).collect::<Vec<u64>>();
            let (y2, x12, x22, a2, b2) = (
                perm(&p.y),
                perm(&p.x1),
                perm(&p.x2),
                permu(&p.a),
                permu(&p.b),
            );
            let opt = Options {
                vcov: VcovType::Cluster,
                tol: 1e-12,
                fe_tol: 1e-12,
                ..Options::default()
            };
            let d1 = Design {
                y: &p.y,
                x: vec![("x1".into(), &p.x1), ("x2".into(), &p.x2)],
                fe: vec![("a".into(), &p.a), ("b".into(), &p.b)],
                cluster: vec![("b".into(), &p.b)],
                ..Default::default()
            };
            let d2 = Design {
                y: &y2,
                x: vec![("x1".into(), &x12), ("x2".into(), &x22)],
                fe: vec![("a".into(), &a2), ("b".into(), &b2)],
                cluster: vec![("b".into(), &b2)],
                ..Default::default()
            };
            let (f1, f2) = (fit(&d1, &opt).unwrap(), fit(&d2, &opt).unwrap());
            for (c1, c2) in f1.coefficients.iter().zip(&f2.coefficients) {
                assert!(
                    close(c1.estimate, c2.estimate, 1e-9)
                        && close(c1.std_error, c2.std_error, 1e-7),
                    "{seed}"
                );
            }
        }
    }

    #[test]
    fn integer_weights_equal_replicated_rows_and_offsets_equal_fixed_coefficients() {
        for family in [Family::Poisson, Family::Ols] {
            let p = panel(3, 60, family == Family::Poisson);
            let opt = Options {
                family,
                vcov: VcovType::Iid,
                tol: 1e-12,
                fe_tol: 1e-12,
                ..Options::default()
            };
            let wts: Vec<f64> = (0..p.y.len()).map(|i| (1 + i % 3) as f64).collect();
            let rep = |v: &[f64]| -> Vec<f64> {
                v.iter()
                    .zip(&wts)
                    .flat_map(|(x, &w)| std::iter::repeat_n(*x, w as usize))
                    .collect()
            };
            let repu = |v: &[u64]| -> Vec<u64> {
                v.iter()
                    .zip(&wts)
                    .flat_map(|(x, &w)| std::iter::repeat_n(*x, w as usize))
                    .collect()
            };
            let weighted = Design {
                y: &p.y,
                x: vec![("x1".into(), &p.x1), ("x2".into(), &p.x2)],
                fe: vec![("a".into(), &p.a), ("b".into(), &p.b)],
                weights: Some(&wts),
                ..Default::default()
            };
            let (ry, rx1, rx2, ra, rb) =
                (rep(&p.y), rep(&p.x1), rep(&p.x2), repu(&p.a), repu(&p.b));
            let replicated = Design {
                y: &ry,
                x: vec![("x1".into(), &rx1), ("x2".into(), &rx2)],
                fe: vec![("a".into(), &ra), ("b".into(), &rb)],
                ..Default::default()
            };
            let (fw, fr) = (
                fit(&weighted, &opt).unwrap(),
                fit(&replicated, &opt).unwrap(),
            );
            for (a, b) in fw.coefficients.iter().zip(&fr.coefficients) {
                assert!(
                    close(a.estimate, b.estimate, 1e-8),
                    "{family:?}: {} vs {}",
                    a.estimate,
                    b.estimate
                );
            }
            // an offset b·x2 reproduces the model's other coefficient when b is x2's estimate
            let full = fit(
                &Design {
                    y: &p.y,
                    x: vec![("x1".into(), &p.x1), ("x2".into(), &p.x2)],
                    fe: vec![("a".into(), &p.a), ("b".into(), &p.b)],
                    ..Default::default()
                },
                &opt,
            )
            .unwrap();
            let b2 = full.coefficients[1].estimate;
            let off: Vec<f64> = p.x2.iter().map(|v| b2 * v).collect();
            let with_offset = fit(
                &Design {
                    y: &p.y,
                    x: vec![("x1".into(), &p.x1)],
                    fe: vec![("a".into(), &p.a), ("b".into(), &p.b)],
                    offset: Some(&off),
                    ..Default::default()
                },
                &opt,
            )
            .unwrap();
            assert!(
                close(
                    with_offset.coefficients[0].estimate,
                    full.coefficients[0].estimate,
                    1e-8
                ),
                "{family:?}"
            );
        }
    }

    #[test]
    fn collinear_regressors_are_dropped_and_named() {
        let p = panel(1, 60, true);
        let twice: Vec<f64> = p.x1.iter().map(|v| 2.0 * v).collect();
        let per_a: Vec<f64> = p.a.iter().map(|&a| a as f64 * 0.5).collect();
        let d = Design {
            y: &p.y,
            x: vec![
                ("x1".into(), &p.x1),
                ("twice".into(), &twice),
                ("per_a".into(), &per_a),
                ("x2".into(), &p.x2),
            ],
            fe: vec![("a".into(), &p.a)],
            ..Default::default()
        };
        let f = fit(&d, &Options::default()).unwrap();
        assert_eq!(f.collinear, vec!["twice".to_string(), "per_a".to_string()]);
        assert_eq!(f.coefficients.len(), 2);
        assert!(f.converged);
    }

    #[test]
    fn regressors_absorbed_only_jointly_are_caught() {
        // d1 + d2 is the indicator of a ∈ {0, 1}, which the a effects absorb; neither is absorbed alone
        let p = panel(5, 80, true);
        let mut r = Rng(11);
        let d1: Vec<f64> =
            p.a.iter()
                .map(|&a| if a <= 1 && r.next() < 0.5 { 1.0 } else { 0.0 })
                .collect();
        let d2: Vec<f64> =
            p.a.iter()
                .zip(&d1)
                .map(|(&a, &x)| if a <= 1 { 1.0 - x } else { 0.0 })
                .collect();
        let d = Design {
            y: &p.y,
            x: vec![("x1".into(), &p.x1), ("d1".into(), &d1), ("d2".into(), &d2)],
            fe: vec![("a".into(), &p.a), ("b".into(), &p.b)],
            ..Default::default()
        };
        let f = fit(&d, &Options::default()).unwrap();
        assert_eq!(f.collinear, vec!["d2".to_string()]);
        assert!(
            f.coefficients.iter().all(|c| c.std_error < 10.0),
            "{:?}",
            f.coefficients
        );
    }

    #[test]
    fn bad_input_errors() {
        let y = [1.0, f64::NAN, 2.0];
        let x = [1.0, 2.0, 3.0];
        let d = Design {
            y: &y,
            x: vec![("x".into(), &x)],
            ..Default::default()
        };
        assert!(matches!(
            fit(&d, &Options::default()),
            Err(Error::NonFinite { row: 1, .. })
        ));
        let y = [1.0, -1.0, 2.0];
        let d = Design {
            y: &y,
            x: vec![("x".into(), &x)],
            ..Default::default()
        };
        assert!(matches!(
            fit(&d, &Options::default()),
            Err(Error::NegativeOutcome { row: 1, .. })
        ));
        let short = [1.0];
        let d = Design {
            y: &x,
            x: vec![("s".into(), &short)],
            ..Default::default()
        };
        assert!(matches!(
            fit(&d, &Options::default()),
            Err(Error::LengthMismatch { .. })
        ));
        // every observation a singleton: nothing left
        let ids = [1u64, 2, 3];
        let d = Design {
            y: &x,
            x: vec![],
            fe: vec![("g".into(), &ids)],
            ..Default::default()
        };
        assert!(matches!(
            fit(&d, &Options::default()),
            Err(Error::NoObservations { .. })
        ));
    }
}
