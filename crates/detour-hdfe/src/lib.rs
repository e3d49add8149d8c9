//! Poisson pseudo-maximum likelihood (PPML) and least squares with any number of high-dimensional fixed
//! effects — the structural gravity estimator — on plain slices. Nothing here knows about trade data.
//!
//! # Model
//! For observations `i` with outcome `yᵢ ≥ 0`, regressors `xᵢ`, fixed-effect groups `g₁(i), …, g_K(i)`, an
//! optional offset `oᵢ` and weights `ωᵢ`, Poisson PML solves the score equations
//!
//! ```text
//! Σᵢ ωᵢ (yᵢ − μᵢ) xᵢ = 0,   Σ_{i ∈ group} ωᵢ (yᵢ − μᵢ) = 0 for every level of every dimension,
//! μᵢ = exp(oᵢ + xᵢ'β + α₁[g₁(i)] + … + α_K[g_K(i)]).
//! ```
//!
//! # Method
//! **IRLS.** Each iteration forms the working outcome `zᵢ = ηᵢ − oᵢ + (yᵢ − μᵢ)/μᵢ` and weights `wᵢ = ωᵢ μᵢ`, and
//! solves the weighted least-squares problem of `z` on `X` and the fixed effects. By Frisch–Waugh–Lovell this
//! is WLS of `z̃` on `X̃`, the residuals of `z` and `X` after the weighted projection on the fixed-effect dummies;
//! the new linear predictor is `η = o + z − (z̃ − X̃β)`. Start: `μ = (y + ȳ)/2`. When the deviance rises the step
//! is halved. Stop when `|D − D_prev| / (0.1 + |D|) < tol` (fixest's rule; `tol = 1e-8`) *and* the last
//! iteration used the final demeaning tolerance.
//!
//! **Demeaning** (module [`demean`]). The projection on the fixed effects eliminates the dimension with the
//! most levels exactly and solves the Schur complement for the others by conjugate gradients preconditioned
//! with the levels' weight sums — all columns in one pass over the data, in parallel. It stops when
//! `‖r‖_{M⁻¹} ≤ tol_fe ‖v‖_W` for each column. The coefficients of every column are kept between IRLS
//! iterations (warm start), and the tolerance adapts: it starts at 1e-3 and follows a tenth of the relative
//! deviance change down to `fe_tol` (1e-8), so early iterations, far from the solution, are cheap; IRLS only
//! stops after an iteration at the final tolerance.
//!
//! **Existence** (module [`separation`]). Before estimation, singletons are dropped and separated
//! observations found by the FE check, the simplex method and the ReLU method of Correia, Guimarães & Zylkin
//! (2019); each dropped observation is reported with its reason.
//!
//! **Collinearity.** After the first demeaning, a regressor whose weighted demeaned variation is below
//! `collinear_tol` of its raw variation (absorbed by the fixed effects), or which a pivoted Cholesky finds
//! dependent on the regressors before it, is dropped and reported — never given an arbitrary coefficient.
//!
//! **Variance** ([`VcovType`], [`SmallSample`]). With `X̃` the demeaned regressors of the last iteration and
//! `sᵢ = x̃ᵢ ωᵢ (yᵢ − μᵢ)` the scores, the bread is `B = (X̃'WX̃)⁻¹`; iid `V = B`, robust `V = B (Σ sᵢsᵢ') B`,
//! clustered `V = B (Σ_g S_g S_g') B` with `S_g` the score sums by cluster, and multi-way clustering by
//! inclusion–exclusion over the intersections (Cameron, Gelbach & Miller 2011), negative eigenvalues clipped.
//! The default corrections are fixest's; Stata's ML convention is an option and explains the small gap between
//! the two programs' standard errors (see [`SmallSample`]).
//!
//! # Example
//! ```
//! use detour_hdfe::{Design, Options, fit};
//! // y = exp(0.5 + 0.3 x) exactly, so PPML recovers the coefficients
//! let x: Vec<f64> = (0..20).map(|i| i as f64 / 10.0).collect();
//! let y: Vec<f64> = x.iter().map(|v| (0.5 + 0.3 * v).exp()).collect();
//! let design = Design { y: &y, x: vec![("x".into(), &x)], ..Default::default() };
//! let f = fit(&design, &Options::default()).unwrap();
//! assert!((f.coefficients[1].estimate - 0.3).abs() < 1e-8);
//! assert!(f.converged);
//! ```

pub mod demean;
mod error;
pub mod fe;
mod fit;
pub mod formula;
pub mod frame;
pub mod linalg;
pub mod model;
pub mod separation;
pub mod stats;

pub use error::Error;
pub use fit::{
    Coef, Design, Dropped, Family, Fit, FixedEffectValues, Options, SeparationChecks, SmallSample,
    VcovType, fit,
};
pub use frame::{Column, Frame};
pub use model::{Estimate, Spec, Vcov, feols, fepois};
