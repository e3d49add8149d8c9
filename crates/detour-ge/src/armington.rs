//! The one-sector Armington–CES model in exact hat algebra, as Zylkin's `ge_gravity` (Stata) and its R
//! port solve it (Baier, Yotov & Zylkin 2019): observed flows are the baseline, a partial effect
//! `β_ij` (the log change of trade a gravity estimate implies, `exp(β_ij)` the change of `t_ij^{−θ}`)
//! changes trade costs, and wages, expenditure and price indices adjust.
//!
//! With trade shares `π_ij = X_ij / E_j`, output `Y_i = Σ_j X_ij`, expenditure `E_j = Σ_i X_ij`, the
//! deficit `D_j = E_j − Y_j` and `B_ij = exp(β_ij)`, the counterfactual solves, for the wage changes `ŵ`:
//!
//! ```text
//! Φ̂_j   = Σ_i π_ij B_ij ŵ_i^{−θ}                      (P̂_j^{−θ}, the price index change)
//! E'_j  = ŵ_j Y_j + D_j        (additive imbalances, the default)
//!       = ŵ_j E_j              (multiplicative: expenditure a fixed multiple of output)
//! ŵ_i Y_i = Σ_j π_ij B_ij ŵ_i^{−θ} E'_j / Φ̂_j           (goods-market clearing)
//! Σ_i ŵ_i Y_i = Σ_i Y_i                                (world output is the numéraire)
//! ```
//!
//! Welfare is real expenditure, `Ê_j / P̂_j`, with additive imbalances (it differs from the real wage
//! `ŵ_j / P̂_j` by the deficit's share), and the real wage with multiplicative ones. Multiplicative
//! expenditure `ŵ_j E_j` need not add up to world output; here it is rescaled by one world factor
//! `κ = Σ ŵY / Σ ŵE` so that it does (as the book's full-endowment model does). `ge_gravity` leaves it
//! unscaled: its fixed point then clears every market up to that same common factor, so wages, price
//! indices and welfare are identical, and only its counterfactual flows differ, by `κ`.
//!
//! Solved by the damped fixed point `ŵ_i ← ŵ_i (demand_i / ŵ_i Y_i)^{1/(1+θ)}` (for one sector the
//! exact update of `ge_gravity`), renormalised each step, with Anderson acceleration on `log ŵ`, until
//! every wage moves by less than `tol` in logs. No reference country enters: the numéraire is world
//! output, so results are the same whatever the countries' order.

use crate::solve::Error;

/// How trade imbalances move in the counterfactual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Imbalances {
    /// The deficit `D_j` is fixed in units of world output: `E'_j = ŵ_j Y_j + D_j` (`ge_gravity`'s default).
    #[default]
    Additive,
    /// Expenditure is a fixed multiple of output: `E'_j = ŵ_j E_j` (`ge_gravity`'s `mult`; Anderson &
    /// Yotov 2016).
    Multiplicative,
}

impl std::str::FromStr for Imbalances {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "additive" => Ok(Imbalances::Additive),
            "multiplicative" | "mult" => Ok(Imbalances::Multiplicative),
            o => Err(format!(
                "imbalances '{o}': expected additive or multiplicative"
            )),
        }
    }
}

/// A world for the hat-algebra model: `n × n` row-major flows (row exporter, column importer, domestic
/// sales on the diagonal) and the partial effects on the same layout.
#[derive(Debug, Clone)]
pub struct HatWorld<'a> {
    pub n: usize,
    pub flows: &'a [f64],
    /// `β_ij`, the log change of trade the cost change implies; zero on the diagonal.
    pub partial: &'a [f64],
    /// Trade elasticity θ (> 0; `σ − 1` in the CES notation).
    pub theta: f64,
}

/// Per-country changes, as ratios new / old (1 = no change).
#[derive(Debug, Clone, PartialEq)]
pub struct HatCountry {
    /// Real (final) expenditure `Ê/P̂` (the real wage with multiplicative imbalances).
    pub welfare: f64,
    /// `ŵ/P̂`.
    pub real_wage: f64,
    /// `ŵ` (nominal wage = nominal output).
    pub nominal_wage: f64,
    /// `P̂` (the consumer price index in the multi-sector model).
    pub price_index: f64,
    /// Exports excluding domestic sales, baseline and counterfactual.
    pub exports_baseline: f64,
    pub exports_new: f64,
    pub imports_baseline: f64,
    pub imports_new: f64,
    pub domestic_baseline: f64,
    pub domestic_new: f64,
}

/// A solved hat-algebra counterfactual.
#[derive(Debug, Clone)]
pub struct HatOutcome {
    pub countries: Vec<HatCountry>,
    /// Counterfactual flows, `n × n`.
    pub flows: Vec<f64>,
    pub iterations: usize,
    /// The last step's largest change of `log ŵ`.
    pub change: f64,
}

/// Options of the fixed point.
#[derive(Debug, Clone, Copy)]
pub struct HatOptions {
    pub tol: f64,
    pub max_iter: usize,
}

impl Default for HatOptions {
    fn default() -> Self {
        HatOptions {
            tol: 1e-13,
            max_iter: 100_000,
        }
    }
}

fn validate(w: &HatWorld) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let n = w.n;
    if w.flows.len() != n * n || w.partial.len() != n * n {
        return Err(Error::NotSquare {
            len: w.flows.len().max(w.partial.len()),
            n,
        });
    }
    if !(w.theta.is_finite() && w.theta > 0.0) {
        return Err(Error::BadParameter(format!(
            "the trade elasticity θ is {}; it must be positive",
            w.theta
        )));
    }
    let mut y = vec![0.0; n];
    let mut e = vec![0.0; n];
    for k in 0..n * n {
        let (i, j) = (k / n, k % n);
        {
            let x = w.flows[k];
            let b = w.partial[k];
            if !(x.is_finite() && x >= 0.0) {
                return Err(Error::BadCountry {
                    country: i,
                    what: format!("flow to country {j} is {x}; flows must be finite and ≥ 0"),
                });
            }
            if !b.is_finite() {
                return Err(Error::BadCost { i, j, value: b });
            }
            if i == j && b != 0.0 {
                return Err(Error::BadParameter(format!(
                    "a partial effect on domestic sales (country {i}) is not defined in this model"
                )));
            }
            y[i] += x;
            e[j] += x;
        }
    }
    for k in 0..n {
        if !(y[k] > 0.0 && e[k] > 0.0) {
            return Err(Error::BadCountry {
                country: k,
                what: format!(
                    "output {} and expenditure {}: both must be positive",
                    y[k], e[k]
                ),
            });
        }
    }
    Ok((y, e))
}

/// Solve the counterfactual of [`HatWorld`] with the given treatment of imbalances.
pub fn solve_hat(
    w: &HatWorld,
    imbalances: Imbalances,
    opt: HatOptions,
) -> Result<HatOutcome, Error> {
    let (y, e) = validate(w)?;
    let n = w.n;
    let theta = w.theta;
    // a_ij = π_ij B_ij
    let a: Vec<f64> = (0..n * n)
        .map(|k| w.flows[k] / e[k % n] * w.partial[k].exp())
        .collect();
    let world: f64 = y.iter().sum();
    // counterfactual expenditure; with multiplicative imbalances rescaled by one world factor κ so that
    // world expenditure equals world output (Walras)
    let expenditure_all = |wh: &[f64]| -> Vec<f64> {
        match imbalances {
            Imbalances::Additive => (0..n).map(|j| wh[j] * y[j] + (e[j] - y[j])).collect(),
            Imbalances::Multiplicative => {
                let out: f64 = (0..n).map(|j| wh[j] * y[j]).sum();
                let spent: f64 = (0..n).map(|j| wh[j] * e[j]).sum();
                (0..n).map(|j| wh[j] * e[j] * out / spent).collect()
            }
        }
    };
    // Φ̂ for given wages
    let phi = |pw: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|j| (0..n).map(|i| a[i * n + j] * pw[i]).sum())
            .collect()
    };
    // one step of the map on log ŵ
    let step = |lw: &[f64]| -> Vec<f64> {
        let wh: Vec<f64> = lw.iter().map(|v| v.exp()).collect();
        let pw: Vec<f64> = lw.iter().map(|v| (-theta * v).exp()).collect();
        let ph = phi(&pw);
        let ex = expenditure_all(&wh);
        let q: Vec<f64> = (0..n).map(|j| ex[j] / ph[j]).collect();
        let mut out: Vec<f64> = (0..n)
            .map(|i| {
                let demand: f64 = pw[i] * (0..n).map(|j| a[i * n + j] * q[j]).sum::<f64>();
                lw[i] + (demand / (wh[i] * y[i])).ln() / (1.0 + theta)
            })
            .collect();
        // world output unchanged
        let total: f64 = out.iter().zip(&y).map(|(v, yi)| v.exp() * yi).sum();
        let shift = (world / total).ln();
        out.iter_mut().for_each(|v| *v += shift);
        out
    };
    let mut lw = vec![0.0; n];
    let (iterations, change) = crate::solve::anderson(&mut lw, step, opt.tol, opt.max_iter)
        .map_err(|(iterations, change)| Error::NoConvergence {
            what: "ge_gravity wages".into(),
            iterations,
            change,
        })?;
    let wh: Vec<f64> = lw.iter().map(|v| v.exp()).collect();
    let pw: Vec<f64> = lw.iter().map(|v| (-theta * v).exp()).collect();
    let ph = phi(&pw);
    let ex = expenditure_all(&wh);
    let mut flows = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            flows[i * n + j] = a[i * n + j] * pw[i] / ph[j] * ex[j];
        }
    }
    let countries = (0..n)
        .map(|c| {
            let p = ph[c].powf(-1.0 / theta);
            let sum_off = |m: &[f64], row: bool| -> f64 {
                (0..n)
                    .filter(|&k| k != c)
                    .map(|k| if row { m[c * n + k] } else { m[k * n + c] })
                    .sum()
            };
            HatCountry {
                welfare: match imbalances {
                    Imbalances::Additive => ex[c] / e[c] / p,
                    Imbalances::Multiplicative => wh[c] / p,
                },
                real_wage: wh[c] / p,
                nominal_wage: wh[c],
                price_index: p,
                exports_baseline: sum_off(w.flows, true),
                exports_new: sum_off(&flows, true),
                imports_baseline: sum_off(w.flows, false),
                imports_new: sum_off(&flows, false),
                domestic_baseline: w.flows[c * n + c],
                domestic_new: flows[c * n + c],
            }
        })
        .collect();
    Ok(HatOutcome {
        countries,
        flows,
        iterations,
        change,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small unbalanced world (made-up numbers: a unit test of the algebra, not data).
    fn toy() -> (usize, Vec<f64>) {
        (
            4,
            vec![
                50.0, 4.0, 3.0, 1.0, //
                6.0, 80.0, 2.0, 5.0, //
                2.0, 3.0, 40.0, 0.0, //
                1.0, 7.0, 1.5, 60.0,
            ],
        )
    }

    #[test]
    fn a_null_shock_returns_the_baseline() {
        let (n, x) = toy();
        let b = vec![0.0; n * n];
        for imb in [Imbalances::Additive, Imbalances::Multiplicative] {
            let o = solve_hat(
                &HatWorld {
                    n,
                    flows: &x,
                    partial: &b,
                    theta: 4.0,
                },
                imb,
                HatOptions::default(),
            )
            .unwrap();
            for (c, r) in o.countries.iter().enumerate() {
                assert!((r.welfare - 1.0).abs() < 1e-13, "{c}: {r:?}");
                assert!((r.nominal_wage - 1.0).abs() < 1e-13);
            }
            for (k, v) in o.flows.iter().enumerate() {
                assert!((v - x[k]).abs() < 1e-11 * x[k].max(1.0), "{k}");
            }
        }
    }

    #[test]
    fn equilibrium_conditions_hold_and_order_does_not_matter() {
        let (n, x) = toy();
        let mut b = vec![0.0; n * n];
        b[1] = 0.5; // 0 → 1
        b[n] = 0.5; // 1 → 0
        b[2 * n + 3] = -1.0;
        for imb in [Imbalances::Additive, Imbalances::Multiplicative] {
            let w = HatWorld {
                n,
                flows: &x,
                partial: &b,
                theta: 4.0,
            };
            let o = solve_hat(&w, imb, HatOptions::default()).unwrap();
            // output = sales, world output unchanged, deficits as the imbalance rule says
            let mut kappas = Vec::new();
            let world: f64 = x.iter().sum();
            let new_world: f64 = o.flows.iter().sum();
            assert!(
                (new_world / world - 1.0).abs() < 1e-12,
                "{new_world} {world} {}",
                o.iterations
            );
            for i in 0..n {
                let y_old: f64 = x[i * n..(i + 1) * n].iter().sum();
                let y_new: f64 = o.flows[i * n..(i + 1) * n].iter().sum();
                assert!((y_new / (o.countries[i].nominal_wage * y_old) - 1.0).abs() < 1e-11);
                let e_old: f64 = (0..n).map(|k| x[k * n + i]).sum();
                let e_new: f64 = (0..n).map(|k| o.flows[k * n + i]).sum();
                match imb {
                    Imbalances::Additive => {
                        assert!(((e_new - y_new) - (e_old - y_old)).abs() < 1e-9)
                    }
                    Imbalances::Multiplicative => {
                        // the ratio kept up to the one world factor κ
                        let kappa = (e_new / y_new) / (e_old / y_old);
                        kappas.push(kappa);
                    }
                }
            }
            assert!(kappas.windows(2).all(|k| (k[0] - k[1]).abs() < 1e-12));
            // the partners gain, the pair 2 → 3 loses trade
            assert!(o.countries[0].welfare > 1.0 && o.countries[1].welfare > 1.0);
            assert!(o.flows[2 * n + 3] == 0.0);
            // reversed order of countries: the same answers
            let rev = |m: &[f64]| -> Vec<f64> {
                let mut r = vec![0.0; n * n];
                for i in 0..n {
                    for j in 0..n {
                        r[(n - 1 - i) * n + (n - 1 - j)] = m[i * n + j];
                    }
                }
                r
            };
            let (xr, br) = (rev(&x), rev(&b));
            let o2 = solve_hat(
                &HatWorld {
                    n,
                    flows: &xr,
                    partial: &br,
                    theta: 4.0,
                },
                imb,
                HatOptions::default(),
            )
            .unwrap();
            for c in 0..n {
                let (p, q) = (&o.countries[c], &o2.countries[n - 1 - c]);
                assert!((p.welfare - q.welfare).abs() < 1e-12);
                assert!((p.price_index - q.price_index).abs() < 1e-12);
            }
        }
    }

    /// On the flows a baseline fits, the book's full-endowment model and the multiplicative variant give
    /// the same real effects (the two formulations' shared case, stated in the crate docs).
    #[test]
    fn multiplicative_case_equals_the_book_model_on_fitted_flows() {
        let (n, x) = toy();
        let sigma = 5.0;
        let cost_b: Vec<f64> = (0..n * n)
            .map(|k| {
                if k / n == k % n {
                    1.0
                } else {
                    0.2 + 0.05 * (k % 3) as f64
                }
            })
            .collect();
        let mut cost_c = cost_b.clone();
        cost_c[1] *= 1.6;
        cost_c[n] *= 1.6;
        cost_c[2 * n + 1] *= 0.7;
        let out = crate::solve(
            &crate::World {
                n,
                flows: &x,
                cost_baseline: &cost_b,
                cost_counterfactual: &cost_c,
                sigma,
                reference: 0,
                output: None,
                expenditure: None,
            },
            crate::Stopping::default(),
        )
        .unwrap();
        let partial: Vec<f64> = (0..n * n).map(|k| (cost_c[k] / cost_b[k]).ln()).collect();
        let hat = solve_hat(
            &HatWorld {
                n,
                flows: &out.baseline.flows,
                partial: &partial,
                theta: sigma - 1.0,
            },
            Imbalances::Multiplicative,
            HatOptions::default(),
        )
        .unwrap();
        for c in 0..n {
            let book = 1.0 + out.countries[c].welfare_change_pct / 100.0;
            assert!(
                (hat.countries[c].welfare / book - 1.0).abs() < 1e-9,
                "{c}: {} vs {book}",
                hat.countries[c].welfare
            );
        }
    }

    #[test]
    fn bad_inputs_are_refused() {
        let (n, x) = toy();
        let mut b = vec![0.0; n * n];
        let w = |b: &[f64], theta: f64| {
            solve_hat(
                &HatWorld {
                    n,
                    flows: &x,
                    partial: b,
                    theta,
                },
                Imbalances::Additive,
                HatOptions::default(),
            )
        };
        assert!(w(&b, 0.0).unwrap_err().to_string().contains("θ"));
        assert!(w(&b, -2.0).is_err());
        b[0] = 0.1;
        assert!(w(&b, 4.0).unwrap_err().to_string().contains("domestic"));
        assert_eq!("mult".parse::<Imbalances>(), Ok(Imbalances::Multiplicative));
        assert!("both".parse::<Imbalances>().is_err());
    }
}
