//! General-equilibrium counterfactuals in the one-sector structural gravity model (Anderson & van Wincoop
//! 2003; Yotov, Piermartini, Monteiro & Larch 2016, ch. 2), on plain arrays: `n` countries, flows as an
//! `n × n` row-major matrix (row = exporter, column = importer, domestic flows on the diagonal).
//!
//! # Model
//! With `t_ij = exp(x_ij'β)` the trade-cost term (`t^{1−σ}` in the book's notation: the estimated gravity
//! coefficients already carry the elasticity), output `Y_i`, expenditure `E_j` and the reference country `R`:
//!
//! ```text
//! X_ij = Y_i E_j t_ij / (Ω_i Φ_j)
//! Ω_i  = Σ_j t_ij E_j / Φ_j        (outward multilateral resistance, Π_i^{1−σ})
//! Φ_j  = Σ_i t_ij Y_i / Ω_i        (inward multilateral resistance, P_j^{1−σ}),   Φ_R = 1
//! ```
//!
//! These are the PPML exporter and importer fixed effects of the book (`exp(π_i) = Y_i E_R / Ω_i`,
//! `exp(χ_j) = E_j / (Φ_j E_R)`, `χ_R = 0`): a PPML with exporter and importer effects and the trade-cost term
//! as an offset makes the fitted flows' row sums equal `Y` and column sums equal `E`, which is what the
//! resistances solve. They are found here directly, by alternating scaling of rows and columns
//! ([`resistances`]), which converges to the same point as the book's re-estimation (GE-PPML).
//!
//! * **Baseline**: `Y`, `E` the row and column sums of the data; `Ω`, `Φ` solve the system with the baseline
//!   `t`; baseline flows are the fitted `X_ij`.
//! * **Conditional GE**: the counterfactual `t'`, `Y` and `E` fixed; the resistances adjust.
//! * **Full endowment GE**: factory-gate prices adjust too. Endowments are fixed, so output moves with the
//!   price (`Ŷ_i = p̂_i`); expenditure keeps its ratio to output, `E_i = φ_i Y_i`, rescaled by one factor so
//!   that world expenditure keeps its ratio to world output (trade imbalances stay the same shares of world
//!   output; without it the totals would not match and the equilibrium would depend on the reference
//!   country). The book's price update `p̂_i^{1−σ} = (exp(π_i')/exp(π_i)) / (E_R'/E_R) = Ŷ_i / Ω̂_i` gives,
//!   at the equilibrium,
//!
//!   ```text
//!   p̂_i = Ω̂_i(p̂)^{1/σ},   Y' = p̂ Y,   E' = κ φ p̂ Y,   Ω', Φ' solving the system with t', Y', E'.
//!   ```
//!
//!   [`Stopping::Converged`] (the default) iterates `p̂ ← Ω̂(p̂)^{1/σ}` (damped if a step overshoots) until
//!   every price moves by less than `tol` (1e-12): about 15 steps on the book's 69 countries.
//! * **The book's loop** ([`Stopping::Book`]): the do-file's GE-PPML iteration — flows updated by the last
//!   changes of prices and resistances, `X^{s} = X^{s−1} p̂_i p̂_j / (Ω̂_i Φ̂_j)`, exporter and importer effects
//!   re-fitted with the counterfactual costs (here: the resistances solved exactly for those flows'
//!   margins, which is the PPML's fitted solution), prices from the new exporter effects — stopped as the
//!   do-file does, once the standard deviation and the largest value of the previous price update (over
//!   all pairs) are at most 0.01. On the book's data it stops after five updates with statistics identical
//!   to its published log (tested). Real GDP and welfare differ from the equilibrium by under 0.1 percentage
//!   point; nominal prices by up to 1.5% of their level (the loop has not settled).
//!
//! **Resistances** ([`resistances`]) are solved by alternating updates on `log Ω` with Anderson acceleration
//! (a 250-country world in about 0.2 s); a PPML with exporter and importer effects and the costs as offset
//! fits the same flows (tested against `detour-hdfe`). GE-PPML — the same price fixed point with each inner
//! step such a PPML — therefore agrees with the direct solution at convergence (tested to 1e-8). The
//! do-file's loop is a different update (it carries the fitted flows from step to step, and any
//! gravity-consistent matrix is stationary for it), so its limit depends on the path; it is kept only to
//! reproduce the book.
//!
//! **Versus GEGravity** (USITC): GEGravity solves the full-endowment system with the baseline output and
//! expenditure shares held fixed in the resistance equations and a factory-gate price equation
//! `Y_i/Y · Ω_i = β_i p_i^{1−σ}`; detour updates output and expenditure with prices, as the book does, so
//! full-endowment results differ. GEGravity also takes output and expenditure from data columns, which need
//! not equal the flows' row and column sums, and enters expenditure as shares of world expenditure;
//! [`World::output`]/[`World::expenditure`] (`[data] output`/`expenditure` in a scenario) do the same, and
//! the conditional resistances then agree with GEGravity's to 1e-6.
//!
//! **Zylkin's `ge_gravity`** ([`solve_hat`], `[model] method = "ge_gravity"` in a scenario): the
//! formulation of Baier, Yotov & Zylkin (2019) and of Stata's `ge_gravity` and its R port. It differs from
//! the model above in four ways:
//!
//! * *baseline*: the observed flows themselves (exact hat algebra), not the flows fitted by a baseline
//!   PPML with exporter and importer effects; no trade-cost function is estimated, only the change;
//! * *shock*: a partial effect per pair, the log change of trade (`β·Δx` from a gravity estimate,
//!   typically a three-way panel PPML), instead of counterfactual cost terms;
//! * *elasticity*: the trade elasticity θ (`σ − 1`);
//! * *imbalances and numéraire*: deficits fixed in units of world output (additive) or expenditure a
//!   fixed multiple of output (multiplicative), with world output as the numéraire, where the book keeps
//!   each country's expenditure-to-output ratio and fixes the reference country's inward resistance.
//!   Welfare is real expenditure (real wage with multiplicative imbalances).
//!
//! With multiplicative imbalances and the baseline PPML's fitted flows as data, the two give the same
//! real effects (tested); on observed flows they differ by the PPML's residuals. See [`armington`]'s
//! module notes for the algorithm.
//!
//! Outputs per country ([`CountryResult`]): exports (excluding domestic sales), imports and domestic
//! trade in the baseline and both counterfactuals, factory-gate price change, changes of the outward and
//! inward resistances (`Π = Ω^{1/(1−σ)}`, `P = Φ^{1/(1−σ)}`), real GDP `Y/P` and welfare (equal to real
//! GDP in this endowment economy), terms of trade `p̂/P̂`.

pub mod armington;
pub mod multisector;
mod solve;

pub use armington::{HatCountry, HatOptions, HatOutcome, HatWorld, Imbalances, solve_hat};
pub use multisector::{
    InputOutput, SectorCountry, SectorOutcome, SectorWorld, solve_sectors, solve_sectors_from,
};
pub use solve::{Baseline, CountryResult, Error, Outcome, Stopping, World, resistances, solve};
