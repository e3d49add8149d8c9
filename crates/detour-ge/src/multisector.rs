//! Multi-sector general equilibrium in exact hat algebra: one Armington–CES gravity system per sector,
//! each with its own trade elasticity `θ_k`, tied together by one factor price per country and
//! Cobb–Douglas final-demand shares; optionally with input–output linkages in the manner of Caliendo &
//! Parro (2015). With one sector and no linkages it is the model of [`crate::armington`] (tested to 1e-10).
//!
//! Data: flows `X_ijk` by sector (row exporter, column importer, domestic sales on the diagonal); with
//! linkages, each country-sector's value-added share of gross output `γ_ik` and its input shares
//! `γ_i,u→k` (inputs from sector `u` per unit of sector `k`'s gross output, with `γ_ik + Σ_u γ_i,u→k = 1`).
//! From them the baseline gives gross output `Y_ik = Σ_j X_ijk`, absorption `E_jk = Σ_i X_ijk`, value
//! added `VA_i = Σ_k γ_ik Y_ik`, intermediate demand `M_jk = Σ_u γ_j,k→u Y_ju`, final demand
//! `F_jk = E_jk − M_jk` with shares `α_jk = F_jk / I_j` (`I_j = Σ_k F_jk`) and the deficit
//! `D_j = I_j − VA_j`.
//!
//! The counterfactual, with partial effects `B_ijk = exp(β_ijk)` and wage changes `ŵ`:
//!
//! ```text
//! ĉ_ik  = ŵ_i^{γ_ik} Π_u P̂_iu^{γ_i,u→k}                    (input-bundle cost)
//! P̂_jk^{−θ_k} = Σ_i π_ijk B_ijk ĉ_ik^{−θ_k}                (sector price index)
//! π'_ijk = π_ijk B_ijk ĉ_ik^{−θ_k} / P̂_jk^{−θ_k}
//! I'_j  = ŵ_j VA_j + D_j   (additive)   |   κ ŵ_j I_j   (multiplicative, κ for world balance)
//! X'_jk = α_jk I'_j + Σ_u γ_j,k→u Y'_ju,      Y'_ik = Σ_j π'_ijk X'_jk
//! ŵ_i VA_i = Σ_k γ_ik Y'_ik                                  (factor market)
//! Σ_i ŵ_i VA_i = Σ_i VA_i                                    (world value added is the numéraire)
//! ```
//!
//! Welfare is real final expenditure `Î_j / P̂_j` with the consumer price `P̂_j = Π_k P̂_jk^{α_jk}`
//! (real wage `ŵ_j / P̂_j` with multiplicative imbalances). Final-demand shares can be negative where a
//! country drew down inventories (WIOD has a few, in mining); they enter the accounts as they are, so the
//! baseline is reproduced exactly, and the consumer price index weighs the positive shares only.
//!
//! Solved by an outer fixed point on `log ŵ` (the factor-market update of the one-sector model, damped
//! by `1/(1 + max θ)` when elasticities differ; Anderson-accelerated), with the price indices and gross
//! output each found by their own fixed point inside it, warm-started from the last outer step. No
//! reference country enters.

use crate::armington::Imbalances;
use crate::solve::{Error, anderson, anderson_m};

/// Input–output structure of each country's industries (row-major by country).
#[derive(Debug, Clone)]
pub struct InputOutput<'a> {
    /// `γ_ik`, value added per unit of gross output, `n × s`.
    pub value_added_share: &'a [f64],
    /// `γ_i,u→k`, inputs of sector `u` per unit of sector `k`'s gross output, `n × s × s`, indexed
    /// `(i · s + u) · s + k`.
    pub input_share: &'a [f64],
}

/// A world by sector.
#[derive(Debug, Clone)]
pub struct SectorWorld<'a> {
    pub n: usize,
    pub sectors: usize,
    /// `X_ijk`, sector-major: `(k · n + i) · n + j`.
    pub flows: &'a [f64],
    /// `β_ijk` on the same layout; zero on every diagonal.
    pub partial: &'a [f64],
    /// `θ_k` (> 0), one per sector.
    pub theta: &'a [f64],
    /// Linkages; `None` is the model without intermediate inputs (`γ_ik = 1`).
    pub io: Option<InputOutput<'a>>,
}

/// Per-country changes, as ratios new / old (the one-sector model's, summed over sectors).
pub type SectorCountry = crate::armington::HatCountry;

/// A solved multi-sector counterfactual.
#[derive(Debug, Clone)]
pub struct SectorOutcome {
    pub countries: Vec<SectorCountry>,
    /// Counterfactual flows, on the layout of [`SectorWorld::flows`].
    pub flows: Vec<f64>,
    /// Gross output changes `Ŷ_ik`, `n × s` (1 where the baseline output is zero).
    pub output_change: Vec<f64>,
    /// Sector price index changes `P̂_jk`, `n × s`.
    pub sector_price_change: Vec<f64>,
    pub iterations: usize,
}

/// The baseline's accounts.
struct Accounts {
    /// π_ijk B_ijk, sector-major.
    a: Vec<f64>,
    /// γ_ik (n × s) and γ_i,u→k ((i·s+u)·s+k).
    va_share: Vec<f64>,
    inputs: Vec<f64>,
    /// gross output Y_ik, n × s.
    y: Vec<f64>,
    /// final-demand shares α_jk and their positive part renormalised (for the price index), n × s.
    alpha: Vec<f64>,
    alpha_price: Vec<f64>,
    /// value added VA_i, final demand I_i, deficit D_i.
    va: Vec<f64>,
    fin: Vec<f64>,
    deficit: Vec<f64>,
    /// absorption is zero (no price index to speak of), n × s.
    empty: Vec<bool>,
}

fn accounts(w: &SectorWorld) -> Result<Accounts, Error> {
    let (n, s) = (w.n, w.sectors);
    let len = s * n * n;
    if w.flows.len() != len || w.partial.len() != len {
        return Err(Error::NotSquare {
            len: w.flows.len().max(w.partial.len()),
            n,
        });
    }
    if w.theta.len() != s {
        return Err(Error::BadParameter(format!(
            "{} trade elasticities for {s} sectors",
            w.theta.len()
        )));
    }
    if let Some(k) = w.theta.iter().position(|t| !(t.is_finite() && *t > 0.0)) {
        return Err(Error::BadParameter(format!(
            "the trade elasticity of sector {k} is {}; it must be positive",
            w.theta[k]
        )));
    }
    let mut y = vec![0.0; n * s];
    let mut e = vec![0.0; n * s];
    for k in 0..s {
        for i in 0..n {
            for j in 0..n {
                let q = (k * n + i) * n + j;
                let (x, b) = (w.flows[q], w.partial[q]);
                if !(x.is_finite() && x >= 0.0) {
                    return Err(Error::BadCountry {
                        country: i,
                        what: format!(
                            "sector {k} flow to {j} is {x}; flows must be finite and ≥ 0"
                        ),
                    });
                }
                if !b.is_finite() || (i == j && b != 0.0) {
                    return Err(Error::BadCost { i, j, value: b });
                }
                y[i * s + k] += x;
                e[j * s + k] += x;
            }
        }
    }
    let (va_share, inputs) = match &w.io {
        None => (vec![1.0; n * s], vec![0.0; n * s * s]),
        Some(io) => {
            if io.value_added_share.len() != n * s || io.input_share.len() != n * s * s {
                return Err(Error::BadParameter(
                    "input–output shares must be n × s and n × s × s".into(),
                ));
            }
            for i in 0..n {
                for k in 0..s {
                    let g = io.value_added_share[i * s + k];
                    let sum: f64 = g
                        + (0..s)
                            .map(|u| io.input_share[(i * s + u) * s + k])
                            .sum::<f64>();
                    let bad = !(0.0..=1.0).contains(&g)
                        || (0..s).any(|u| io.input_share[(i * s + u) * s + k] < 0.0)
                        || (sum - 1.0).abs() > 1e-6;
                    if bad && y[i * s + k] > 0.0 {
                        return Err(Error::BadCountry {
                            country: i,
                            what: format!(
                                "sector {k}: value-added share {g} and input shares must be ≥ 0 and add up to 1 (they add up to {sum})"
                            ),
                        });
                    }
                }
            }
            (io.value_added_share.to_vec(), io.input_share.to_vec())
        }
    };
    let mut va = vec![0.0; n];
    let mut fin = vec![0.0; n];
    let mut final_demand = vec![0.0; n * s];
    for j in 0..n {
        va[j] = (0..s).map(|k| va_share[j * s + k] * y[j * s + k]).sum();
        for k in 0..s {
            let m: f64 = (0..s)
                .map(|u| inputs[(j * s + k) * s + u] * y[j * s + u])
                .sum();
            final_demand[j * s + k] = e[j * s + k] - m;
        }
        fin[j] = (0..s).map(|k| final_demand[j * s + k]).sum();
        if !(va[j] > 0.0 && fin[j] > 0.0) {
            return Err(Error::BadCountry {
                country: j,
                what: format!(
                    "value added {} and final demand {}: both must be positive",
                    va[j], fin[j]
                ),
            });
        }
    }
    let alpha: Vec<f64> = (0..n * s).map(|q| final_demand[q] / fin[q / s]).collect();
    let mut alpha_price = vec![0.0; n * s];
    for j in 0..n {
        let pos: f64 = (0..s).map(|k| alpha[j * s + k].max(0.0)).sum();
        for k in 0..s {
            alpha_price[j * s + k] = alpha[j * s + k].max(0.0) / pos;
        }
    }
    let mut a = vec![0.0; len];
    for k in 0..s {
        for i in 0..n {
            for j in 0..n {
                let q = (k * n + i) * n + j;
                let ejk = e[j * s + k];
                if ejk > 0.0 {
                    a[q] = w.flows[q] / ejk * w.partial[q].exp();
                }
            }
        }
    }
    let deficit: Vec<f64> = (0..n).map(|j| fin[j] - va[j]).collect();
    Ok(Accounts {
        a,
        va_share,
        inputs,
        y,
        alpha,
        alpha_price,
        va,
        fin,
        deficit,
        empty: e.iter().map(|v| *v <= 0.0).collect(),
    })
}

/// What one outer step computes for given wages: sector prices, costs, output, final demand.
struct Inner {
    /// log P̂_jk (n × s), warm start for the next call.
    log_p: Vec<f64>,
    /// Ŷ_ik = Y'_ik / Y_ik (n × s), warm start.
    yhat: Vec<f64>,
    /// Y'_ik (n × s).
    y_new: Vec<f64>,
    /// ĉ_ik^{−θ_k} (n × s)
    cost_pow: Vec<f64>,
    /// P̂_jk^{−θ_k} (n × s)
    phi: Vec<f64>,
    fin_new: Vec<f64>,
}

const INNER_TOL: f64 = 1e-14;
/// Anderson memory of the inner fixed points (they converge in a few steps; mixing costs more than
/// it saves beyond this).
const INNER_MEMORY: usize = 4;

fn inner(
    w: &SectorWorld,
    acc: &Accounts,
    imbalances: Imbalances,
    lw: &[f64],
    start: Option<&Inner>,
    tol: f64,
) -> Result<Inner, Error> {
    let (n, s) = (w.n, w.sectors);
    let linked = w.io.is_some();
    // ĉ^{−θ} and P̂^{−θ} for given log P̂
    let costs = |log_p: &[f64], cost_pow: &mut [f64], phi: &mut [f64]| {
        for i in 0..n {
            for k in 0..s {
                let mut lc = acc.va_share[i * s + k] * lw[i];
                if linked {
                    let row = &acc.inputs[i * s * s..(i + 1) * s * s];
                    for u in 0..s {
                        lc += row[u * s + k] * log_p[i * s + u];
                    }
                }
                cost_pow[i * s + k] = (-w.theta[k] * lc).exp();
            }
        }
        phi.iter_mut().for_each(|v| *v = 0.0);
        for k in 0..s {
            for i in 0..n {
                let c = cost_pow[i * s + k];
                let row = &acc.a[(k * n + i) * n..(k * n + i + 1) * n];
                for j in 0..n {
                    phi[j * s + k] += row[j] * c;
                }
            }
        }
        for (q, v) in phi.iter_mut().enumerate() {
            if acc.empty[q] {
                *v = 1.0;
            }
        }
    };
    let mut cost_pow = vec![0.0; n * s];
    let mut phi = vec![1.0; n * s];
    let mut log_p = start.map_or_else(|| vec![0.0; n * s], |st| st.log_p.clone());
    let to_log_p =
        |phi: &[f64]| -> Vec<f64> { (0..n * s).map(|q| -phi[q].ln() / w.theta[q % s]).collect() };
    if linked {
        let (mut cp, mut ph) = (vec![0.0; n * s], vec![0.0; n * s]);
        anderson_m(
            &mut log_p,
            |lp| {
                costs(lp, &mut cp, &mut ph);
                to_log_p(&ph)
            },
            tol,
            10_000,
            INNER_MEMORY,
        )
        .map_err(|(iterations, change)| Error::NoConvergence {
            what: "sector price indices".into(),
            iterations,
            change,
        })?;
    }
    costs(&log_p, &mut cost_pow, &mut phi);
    if !linked {
        log_p = to_log_p(&phi);
    }
    // final demand
    let wh: Vec<f64> = lw.iter().map(|v| v.exp()).collect();
    let fin_new: Vec<f64> = match imbalances {
        Imbalances::Additive => (0..n).map(|j| wh[j] * acc.va[j] + acc.deficit[j]).collect(),
        Imbalances::Multiplicative => {
            let out: f64 = (0..n).map(|j| wh[j] * acc.va[j]).sum();
            let spent: f64 = (0..n).map(|j| wh[j] * acc.fin[j]).sum();
            (0..n).map(|j| wh[j] * acc.fin[j] * out / spent).collect()
        }
    };
    // gross output, as ratios Ŷ = Y'/Y: Y' = Σ_j π' (α I' + Σ_u γ Y'), a fixed point when linked
    let mut q_buf = vec![0.0; n * s];
    let mut output = |yhat: &[f64]| -> Vec<f64> {
        // absorption over P̂^{−θ}
        for j in 0..n {
            let row = &acc.inputs[j * s * s..(j + 1) * s * s];
            for k in 0..s {
                let mut x = acc.alpha[j * s + k] * fin_new[j];
                if linked {
                    for u in 0..s {
                        x += row[k * s + u] * yhat[j * s + u] * acc.y[j * s + u];
                    }
                }
                q_buf[j * s + k] = if acc.empty[j * s + k] {
                    0.0
                } else {
                    x / phi[j * s + k]
                };
            }
        }
        let mut out = vec![1.0; n * s];
        for k in 0..s {
            for i in 0..n {
                let q = i * s + k;
                if acc.y[q] <= 0.0 {
                    continue;
                }
                let row = &acc.a[(k * n + i) * n..(k * n + i + 1) * n];
                let v: f64 = (0..n).map(|j| row[j] * q_buf[j * s + k]).sum();
                out[q] = cost_pow[q] * v / acc.y[q];
            }
        }
        out
    };
    let mut yhat = start.map_or_else(
        || (0..n * s).map(|q| wh[q / s]).collect(),
        |st| st.yhat.clone(),
    );
    if linked {
        anderson_m(&mut yhat, &mut output, tol, 10_000, INNER_MEMORY).map_err(
            |(iterations, change)| Error::NoConvergence {
                what: "gross output".into(),
                iterations,
                change,
            },
        )?;
    } else {
        yhat = output(&yhat);
    }
    let y_new = (0..n * s).map(|q| yhat[q] * acc.y[q]).collect();
    Ok(Inner {
        log_p,
        yhat,
        y_new,
        cost_pow,
        phi,
        fin_new,
    })
}

/// Solve the multi-sector counterfactual.
pub fn solve_sectors(
    w: &SectorWorld,
    imbalances: Imbalances,
    tol: f64,
) -> Result<SectorOutcome, Error> {
    solve_sectors_from(w, imbalances, tol, None)
}

/// [`solve_sectors`] started from a nearby solution (wages, sector prices and output of the same
/// world under another shock, e.g. a Monte Carlo draw started from the point estimate's): the same
/// equilibrium, in fewer steps.
pub fn solve_sectors_from(
    w: &SectorWorld,
    imbalances: Imbalances,
    tol: f64,
    start: Option<&SectorOutcome>,
) -> Result<SectorOutcome, Error> {
    let acc = accounts(w)?;
    let (n, s) = (w.n, w.sectors);
    let damp = 1.0 + w.theta.iter().cloned().fold(0.0, f64::max);
    let world_va: f64 = acc.va.iter().sum();
    let mut last: Option<Inner> = start.map(|o| Inner {
        log_p: o.sector_price_change.iter().map(|v| v.ln()).collect(),
        yhat: o.output_change.clone(),
        y_new: Vec::new(),
        cost_pow: Vec::new(),
        phi: Vec::new(),
        fin_new: Vec::new(),
    });
    let mut failure: Option<Error> = None;
    // the inner fixed points are solved to a tolerance that follows the outer step's size
    let mut inner_tol = 1e-8;
    let mut step = |lw: &[f64]| -> Vec<f64> {
        let r = match inner(w, &acc, imbalances, lw, last.as_ref(), inner_tol) {
            Ok(r) => r,
            Err(e) => {
                failure = Some(e);
                return vec![f64::NAN; n];
            }
        };
        let mut out: Vec<f64> = (0..n)
            .map(|i| {
                let demand: f64 = (0..s)
                    .map(|k| acc.va_share[i * s + k] * r.y_new[i * s + k])
                    .sum();
                lw[i] + (demand / (lw[i].exp() * acc.va[i])).ln() / damp
            })
            .collect();
        let total: f64 = out.iter().zip(&acc.va).map(|(v, a)| v.exp() * a).sum();
        let shift = (world_va / total).ln();
        out.iter_mut().for_each(|v| *v += shift);
        let change = out
            .iter()
            .zip(lw)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        inner_tol = (change * 1e-3).clamp(INNER_TOL, 1e-8);
        last = Some(r);
        out
    };
    let mut lw = match start {
        Some(o) => o.countries.iter().map(|c| c.nominal_wage.ln()).collect(),
        None => vec![0.0; n],
    };
    let res = anderson(&mut lw, &mut step, tol, 100_000);
    if let Some(e) = failure {
        return Err(e);
    }
    let (iterations, _) = res.map_err(|(iterations, change)| Error::NoConvergence {
        what: "multi-sector wages".into(),
        iterations,
        change,
    })?;
    let r = inner(w, &acc, imbalances, &lw, last.as_ref(), INNER_TOL)?;
    let wh: Vec<f64> = lw.iter().map(|v| v.exp()).collect();
    // counterfactual flows
    let mut flows = vec![0.0; s * n * n];
    let mut absorption = vec![0.0; n * s];
    for j in 0..n {
        for k in 0..s {
            absorption[j * s + k] = acc.alpha[j * s + k] * r.fin_new[j]
                + (0..s)
                    .map(|u| acc.inputs[(j * s + k) * s + u] * r.y_new[j * s + u])
                    .sum::<f64>();
        }
    }
    for k in 0..s {
        for i in 0..n {
            for j in 0..n {
                if acc.empty[j * s + k] {
                    continue;
                }
                let q = (k * n + i) * n + j;
                flows[q] =
                    acc.a[q] * r.cost_pow[i * s + k] / r.phi[j * s + k] * absorption[j * s + k];
            }
        }
    }
    let sector_price_change: Vec<f64> = r.log_p.iter().map(|v| v.exp()).collect();
    let countries = (0..n)
        .map(|c| {
            let lp: f64 = (0..s)
                .map(|k| acc.alpha_price[c * s + k] * r.log_p[c * s + k])
                .sum();
            let p = lp.exp();
            let off = |m: &[f64], row: bool| -> f64 {
                let mut t = 0.0;
                for k in 0..s {
                    for o in (0..n).filter(|&o| o != c) {
                        t += if row {
                            m[(k * n + c) * n + o]
                        } else {
                            m[(k * n + o) * n + c]
                        };
                    }
                }
                t
            };
            SectorCountry {
                welfare: match imbalances {
                    Imbalances::Additive => r.fin_new[c] / acc.fin[c] / p,
                    Imbalances::Multiplicative => wh[c] / p,
                },
                real_wage: wh[c] / p,
                nominal_wage: wh[c],
                price_index: p,
                exports_baseline: off(w.flows, true),
                exports_new: off(&flows, true),
                imports_baseline: off(w.flows, false),
                imports_new: off(&flows, false),
                domestic_baseline: (0..s).map(|k| w.flows[(k * n + c) * n + c]).sum(),
                domestic_new: (0..s).map(|k| flows[(k * n + c) * n + c]).sum(),
            }
        })
        .collect();
    let output_change = (0..n * s)
        .map(|q| {
            if acc.y[q] > 0.0 {
                r.y_new[q] / acc.y[q]
            } else {
                1.0
            }
        })
        .collect();
    Ok(SectorOutcome {
        countries,
        flows,
        output_change,
        sector_price_change,
        iterations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::armington::{HatOptions, HatWorld, solve_hat};

    /// Made-up numbers for the algebra (unit tests, not data): 3 countries, 2 sectors.
    fn toy() -> (usize, usize, Vec<f64>) {
        let x = vec![
            // sector 0
            40.0, 3.0, 2.0, //
            5.0, 60.0, 1.0, //
            1.0, 2.0, 30.0, //
            // sector 1
            20.0, 6.0, 1.0, //
            2.0, 25.0, 4.0, //
            3.0, 1.0, 15.0,
        ];
        (3, 2, x)
    }

    fn io_shares(n: usize, s: usize) -> (Vec<f64>, Vec<f64>) {
        // value-added shares 0.5–0.7, the rest split over the two input sectors
        let mut g = vec![0.0; n * s];
        let mut inp = vec![0.0; n * s * s];
        for i in 0..n {
            for k in 0..s {
                let v = 0.5 + 0.1 * ((i + k) % 3) as f64;
                g[i * s + k] = v;
                let rest = 1.0 - v;
                inp[(i * s) * s + k] = rest * 0.6;
                inp[(i * s + 1) * s + k] = rest * 0.4;
            }
        }
        (g, inp)
    }

    #[test]
    fn null_shock_returns_the_baseline_with_and_without_linkages() {
        let (n, s, x) = toy();
        let b = vec![0.0; x.len()];
        let (g, inp) = io_shares(n, s);
        for io in [
            None,
            Some(InputOutput {
                value_added_share: &g,
                input_share: &inp,
            }),
        ] {
            for imb in [Imbalances::Additive, Imbalances::Multiplicative] {
                let o = solve_sectors(
                    &SectorWorld {
                        n,
                        sectors: s,
                        flows: &x,
                        partial: &b,
                        theta: &[4.0, 8.0],
                        io: io.clone(),
                    },
                    imb,
                    1e-13,
                )
                .unwrap();
                for (q, v) in o.flows.iter().enumerate() {
                    assert!(
                        (v - x[q]).abs() < 1e-10 * x[q].max(1.0),
                        "{q}: {v} vs {}",
                        x[q]
                    );
                }
                for c in &o.countries {
                    assert!((c.welfare - 1.0).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn one_sector_equals_the_one_sector_model() {
        let (n, _, x) = toy();
        let x1 = &x[..n * n];
        let mut b = vec![0.0; n * n];
        b[1] = 0.4;
        b[n] = 0.4;
        b[2 * n] = -0.7;
        for imb in [Imbalances::Additive, Imbalances::Multiplicative] {
            let one = solve_hat(
                &HatWorld {
                    n,
                    flows: x1,
                    partial: &b,
                    theta: 5.0,
                },
                imb,
                HatOptions::default(),
            )
            .unwrap();
            let multi = solve_sectors(
                &SectorWorld {
                    n,
                    sectors: 1,
                    flows: x1,
                    partial: &b,
                    theta: &[5.0],
                    io: None,
                },
                imb,
                1e-13,
            )
            .unwrap();
            for c in 0..n {
                let (p, q) = (&one.countries[c], &multi.countries[c]);
                assert!((p.welfare - q.welfare).abs() < 1e-10, "{c}");
                assert!((p.price_index - q.price_index).abs() < 1e-10);
                assert!((p.nominal_wage - q.nominal_wage).abs() < 1e-10);
            }
            for (a, b) in one.flows.iter().zip(&multi.flows) {
                assert!((a - b).abs() < 1e-10 * a.max(1.0));
            }
        }
    }

    #[test]
    fn accounts_add_up_and_order_does_not_matter() {
        let (n, s, x) = toy();
        let mut b = vec![0.0; x.len()];
        b[1] = 0.5; // sector 0, 0 → 1
        b[n * n + 2 * n + 1] = -0.8; // sector 1, 2 → 1
        let (g, inp) = io_shares(n, s);
        let theta = [4.0, 8.0];
        let w = SectorWorld {
            n,
            sectors: s,
            flows: &x,
            partial: &b,
            theta: &theta,
            io: Some(InputOutput {
                value_added_share: &g,
                input_share: &inp,
            }),
        };
        let o = solve_sectors(&w, Imbalances::Additive, 1e-13).unwrap();
        // goods markets: each country-sector's sales equal its new output; factor markets clear;
        // world trade balances
        let acc = accounts(&w).unwrap();
        let mut deficit_sum = 0.0;
        for i in 0..n {
            let mut va_new = 0.0;
            let (mut sales, mut absorb) = (0.0, 0.0);
            for k in 0..s {
                let row: f64 = (0..n).map(|j| o.flows[(k * n + i) * n + j]).sum();
                let col: f64 = (0..n).map(|j| o.flows[(k * n + j) * n + i]).sum();
                assert!(
                    (row / (acc.y[i * s + k] * o.output_change[i * s + k]) - 1.0).abs() < 1e-10
                );
                va_new += g[i * s + k] * row;
                sales += row;
                absorb += col;
            }
            assert!((va_new / (o.countries[i].nominal_wage * acc.va[i]) - 1.0).abs() < 1e-10);
            // additive: the deficit is unchanged
            assert!(((absorb - sales) - acc.deficit[i]).abs() < 1e-9, "{i}");
            deficit_sum += absorb - sales;
        }
        assert!(deficit_sum.abs() < 1e-9, "{deficit_sum}");
        // reversed order of countries
        let rev_c = |m: &[f64]| -> Vec<f64> {
            let mut r = vec![0.0; m.len()];
            for k in 0..s {
                for i in 0..n {
                    for j in 0..n {
                        r[(k * n + n - 1 - i) * n + n - 1 - j] = m[(k * n + i) * n + j];
                    }
                }
            }
            r
        };
        let rev_cs = |m: &[f64], per: usize| -> Vec<f64> {
            let mut r = vec![0.0; m.len()];
            for i in 0..n {
                r[(n - 1 - i) * per..(n - i) * per].copy_from_slice(&m[i * per..(i + 1) * per]);
            }
            r
        };
        let (xr, br, gr, ir) = (rev_c(&x), rev_c(&b), rev_cs(&g, s), rev_cs(&inp, s * s));
        let o2 = solve_sectors(
            &SectorWorld {
                n,
                sectors: s,
                flows: &xr,
                partial: &br,
                theta: &theta,
                io: Some(InputOutput {
                    value_added_share: &gr,
                    input_share: &ir,
                }),
            },
            Imbalances::Additive,
            1e-13,
        )
        .unwrap();
        for c in 0..n {
            assert!((o.countries[c].welfare - o2.countries[n - 1 - c].welfare).abs() < 1e-12);
        }
    }
}
