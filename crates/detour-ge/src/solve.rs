use thiserror::Error;

/// What can stop a simulation.
#[derive(Debug, Error, PartialEq)]
pub enum Error {
    #[error("flows must be a square n × n matrix: {len} values for {n} countries")]
    NotSquare { len: usize, n: usize },
    #[error("country {country}: {what}")]
    BadCountry { country: usize, what: String },
    #[error("the reference country index {0} is out of range")]
    BadReference(usize),
    #[error("trade-cost term at ({i}, {j}) is {value}; it must be positive and finite")]
    BadCost { i: usize, j: usize, value: f64 },
    #[error("{0}")]
    BadParameter(String),
    #[error("{what} did not converge in {iterations} iterations (last change {change:.3e})")]
    NoConvergence {
        what: String,
        iterations: usize,
        change: f64,
    },
}

/// The data of a world: flows and trade-cost terms, row-major `n × n` (row exporter, column importer).
#[derive(Debug, Clone)]
pub struct World<'a> {
    pub n: usize,
    /// Observed flows including domestic ones (diagonal).
    pub flows: &'a [f64],
    /// Baseline trade-cost terms `t_ij = exp(x_ij'β)`.
    pub cost_baseline: &'a [f64],
    /// Counterfactual trade-cost terms.
    pub cost_counterfactual: &'a [f64],
    /// Elasticity of substitution σ (> 1).
    pub sigma: f64,
    /// Index of the reference country (its inward resistance is 1).
    pub reference: usize,
    /// Output and expenditure by country when given separately (GEGravity's inputs); by default the row and
    /// column sums of `flows`.
    pub output: Option<&'a [f64]>,
    pub expenditure: Option<&'a [f64]>,
}

/// How the full-endowment loop stops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stopping {
    /// Iterate until the largest change in factory-gate prices is below `tol`.
    Converged { tol: f64, max_iter: usize },
    /// The book's do-file rule: stop once the standard deviation and the largest absolute value of the
    /// price update, over all `n²` pairs, are both at most 0.01.
    Book,
}

impl std::str::FromStr for Stopping {
    type Err = String;
    /// `converged` (the default rule) or `book`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "converged" => Ok(Stopping::default()),
            "book" => Ok(Stopping::Book),
            o => Err(format!("stopping '{o}': expected converged or book")),
        }
    }
}

impl Stopping {
    /// The rule's name as a scenario writes it: `converged` or `book`.
    pub fn name(&self) -> &'static str {
        match self {
            Stopping::Converged { .. } => "converged",
            Stopping::Book => "book",
        }
    }
}

impl Default for Stopping {
    fn default() -> Self {
        Stopping::Converged {
            tol: 1e-12,
            max_iter: 10_000,
        }
    }
}

/// One equilibrium: flows, output, expenditure, resistances.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub flows: Vec<f64>,
    pub output: Vec<f64>,
    pub expenditure: Vec<f64>,
    /// Ω_i = Π_i^{1−σ}
    pub omr: Vec<f64>,
    /// Φ_j = P_j^{1−σ}
    pub imr: Vec<f64>,
}

/// Per-country results (percent changes against the baseline).
#[derive(Debug, Clone, PartialEq)]
pub struct CountryResult {
    pub exports_baseline: f64,
    pub exports_conditional: f64,
    pub exports_full: f64,
    pub exports_change_pct_conditional: f64,
    pub exports_change_pct_full: f64,
    pub imports_change_pct_full: f64,
    pub domestic_change_pct_full: f64,
    pub factory_gate_price_change_pct: f64,
    pub omr_change_pct_conditional: f64,
    pub omr_change_pct_full: f64,
    pub imr_change_pct_conditional: f64,
    pub imr_change_pct_full: f64,
    pub real_gdp_change_pct: f64,
    pub welfare_change_pct: f64,
    pub terms_of_trade_change_pct: f64,
}

/// A solved counterfactual.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub baseline: Baseline,
    pub conditional: Baseline,
    pub full: Baseline,
    /// Factory-gate price changes p̂.
    pub price_change: Vec<f64>,
    pub countries: Vec<CountryResult>,
    pub iterations: usize,
    pub converged: bool,
    /// For [`Stopping::Book`]: (mean, sd, min, max) of each price update over the `n²` pairs, as the
    /// do-file prints them.
    pub book_updates: Vec<(f64, f64, f64, f64)>,
}

/// Solve `Ω_i = Σ_j t_ij E_j / Φ_j`, `Φ_j = Σ_i t_ij Y_i / Ω_i` (`j ≠ R`), `Φ_R = 1`, from the given start
/// (all ones when empty). The alternating update is a fixed-point map on `log Ω`; it converges linearly
/// and slowly (hundreds to thousands of steps), so it is accelerated by Anderson mixing over the last eight
/// steps (history dropped when the residual jumps; plain steps if mixing stalls). Returns (Ω, Φ, iterations).
pub fn resistances(
    n: usize,
    t: &[f64],
    y: &[f64],
    e: &[f64],
    reference: usize,
    start: Option<(&[f64], &[f64])>,
) -> Result<(Vec<f64>, Vec<f64>, usize), Error> {
    // one alternating update: Φ from Ω, then the new Ω; in logs
    let map = |log_omr: &[f64], imr: &mut [f64]| -> Vec<f64> {
        for j in 0..n {
            imr[j] = if j == reference {
                1.0
            } else {
                (0..n)
                    .map(|i| t[i * n + j] * y[i] * (-log_omr[i]).exp())
                    .sum()
            };
        }
        (0..n)
            .map(|i| {
                let row = &t[i * n..(i + 1) * n];
                row.iter()
                    .zip(e)
                    .zip(imr.iter())
                    .map(|((t, e), p)| t * e / p)
                    .sum::<f64>()
                    .ln()
            })
            .collect()
    };
    let mut imr = vec![1.0; n];
    let mut x: Vec<f64> = match start {
        Some((o, _)) => o.iter().map(|v| v.ln()).collect(),
        None => vec![0.0; n],
    };
    let (it, _) =
        anderson(&mut x, |v| map(v, &mut imr), 1e-12, 50_000).map_err(|(iterations, change)| {
            Error::NoConvergence {
                what: "multilateral resistances".into(),
                iterations,
                change,
            }
        })?;
    let omr: Vec<f64> = x.iter().map(|v| v.exp()).collect();
    // Φ consistent with the final Ω
    let _ = map(&x, &mut imr);
    Ok((omr, imr, it))
}

/// Fixed point `x = g(x)` by Anderson mixing over the last eight steps (history dropped when the
/// residual jumps; plain steps once mixing stops making progress, the plain map being convergent).
/// On success `x` holds the last mapped value and the result is (iterations, last change); on failure
/// the same pair comes back as the error.
pub(crate) fn anderson(
    x: &mut Vec<f64>,
    map: impl FnMut(&[f64]) -> Vec<f64>,
    tol: f64,
    max_iter: usize,
) -> Result<(usize, f64), (usize, f64)> {
    anderson_m(x, map, tol, max_iter, 8)
}

/// [`anderson`] mixing over the last `memory` steps.
pub(crate) fn anderson_m(
    x: &mut Vec<f64>,
    mut map: impl FnMut(&[f64]) -> Vec<f64>,
    tol: f64,
    max_iter: usize,
    memory: usize,
) -> Result<(usize, f64), (usize, f64)> {
    let n = x.len();
    let mut hist_g: Vec<Vec<f64>> = Vec::new();
    let mut hist_f: Vec<Vec<f64>> = Vec::new();
    let mut last_norm = f64::INFINITY;
    let mut best = f64::INFINITY;
    let mut since_best = 0;
    let mut mixing = true;
    for it in 1..=max_iter {
        let g = map(x);
        let f: Vec<f64> = g.iter().zip(x.iter()).map(|(a, b)| a - b).collect();
        let norm = f.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if !norm.is_finite() {
            return Err((it, norm));
        }
        if norm < tol {
            *x = g;
            return Ok((it, norm));
        }
        if norm < best * 0.999 {
            best = norm;
            since_best = 0;
        } else {
            since_best += 1;
            if since_best > 200 {
                mixing = false;
            }
        }
        if norm > 100.0 * best {
            hist_g.clear();
            hist_f.clear();
        }
        last_norm = norm;
        hist_g.push(g.clone());
        hist_f.push(f.clone());
        if hist_g.len() > memory + 1 {
            hist_g.remove(0);
            hist_f.remove(0);
        }
        let k = hist_f.len();
        if k < 2 || !mixing {
            *x = g;
            continue;
        }
        // minimise ‖f_k − ΔF γ‖ over the differences of the stored residuals
        let m = k - 1;
        let df: Vec<Vec<f64>> = (0..m)
            .map(|a| (0..n).map(|i| hist_f[a + 1][i] - hist_f[a][i]).collect())
            .collect();
        let dg: Vec<Vec<f64>> = (0..m)
            .map(|a| (0..n).map(|i| hist_g[a + 1][i] - hist_g[a][i]).collect())
            .collect();
        let mut a = vec![0.0; m * m];
        let mut b = vec![0.0; m];
        for p in 0..m {
            b[p] = (0..n).map(|i| df[p][i] * f[i]).sum();
            for q in 0..m {
                a[p * m + q] = (0..n).map(|i| df[p][i] * df[q][i]).sum();
            }
        }
        let scale = (0..m).map(|p| a[p * m + p]).fold(0.0f64, f64::max);
        for p in 0..m {
            a[p * m + p] += 1e-12 * scale + f64::MIN_POSITIVE;
        }
        match solve_small(&mut a, &mut b, m) {
            Some(gamma) => {
                *x = (0..n)
                    .map(|i| g[i] - (0..m).map(|p| gamma[p] * dg[p][i]).sum::<f64>())
                    .collect();
            }
            None => {
                hist_g.clear();
                hist_f.clear();
                *x = g;
            }
        }
    }
    Err((max_iter, last_norm))
}

/// Gaussian elimination with partial pivoting for a small dense system.
fn solve_small(a: &mut [f64], b: &mut [f64], m: usize) -> Option<Vec<f64>> {
    for c in 0..m {
        let piv = (c..m).max_by(|&i, &j| a[i * m + c].abs().total_cmp(&a[j * m + c].abs()))?;
        if a[piv * m + c].abs() < 1e-300 {
            return None;
        }
        if piv != c {
            for k in 0..m {
                a.swap(c * m + k, piv * m + k);
            }
            b.swap(c, piv);
        }
        for r in c + 1..m {
            let f = a[r * m + c] / a[c * m + c];
            for k in c..m {
                a[r * m + k] -= f * a[c * m + k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; m];
    for c in (0..m).rev() {
        let s: f64 = (c + 1..m).map(|k| a[c * m + k] * x[k]).sum();
        x[c] = (b[c] - s) / a[c * m + c];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

fn equilibrium(
    n: usize,
    t: &[f64],
    y: &[f64],
    e: &[f64],
    r: usize,
    start: Option<(&[f64], &[f64])>,
) -> Result<Baseline, Error> {
    let (omr, imr, _) = resistances(n, t, y, e, r, start)?;
    let flows = (0..n * n)
        .map(|k| y[k / n] * e[k % n] * t[k] / (omr[k / n] * imr[k % n]))
        .collect();
    Ok(Baseline {
        flows,
        output: y.to_vec(),
        expenditure: e.to_vec(),
        omr,
        imr,
    })
}

fn validate(w: &World) -> Result<(), Error> {
    let n = w.n;
    for (name, v) in [
        ("flows", w.flows),
        ("cost_baseline", w.cost_baseline),
        ("cost_counterfactual", w.cost_counterfactual),
    ] {
        if v.len() != n * n {
            let _ = name;
            return Err(Error::NotSquare { len: v.len(), n });
        }
    }
    if w.reference >= n {
        return Err(Error::BadReference(w.reference));
    }
    for i in 0..n {
        let y: f64 = w.flows[i * n..(i + 1) * n].iter().sum();
        let e: f64 = (0..n).map(|k| w.flows[k * n + i]).sum();
        if !(y > 0.0 && y.is_finite()) {
            return Err(Error::BadCountry {
                country: i,
                what: format!("output (row sum) is {y}; it must be positive"),
            });
        }
        if !(e > 0.0 && e.is_finite()) {
            return Err(Error::BadCountry {
                country: i,
                what: format!("expenditure (column sum) is {e}; it must be positive"),
            });
        }
        if w.flows[i * n + i].is_nan() || w.flows[i * n + i] <= 0.0 {
            return Err(Error::BadCountry {
                country: i,
                what: "domestic flow (diagonal) is missing or zero".into(),
            });
        }
    }
    for (k, (&a, &b)) in w
        .cost_baseline
        .iter()
        .zip(w.cost_counterfactual)
        .enumerate()
    {
        for v in [a, b] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(Error::BadCost {
                    i: k / n,
                    j: k % n,
                    value: v,
                });
            }
        }
    }
    if !(w.sigma > 1.0 && w.sigma.is_finite()) {
        return Err(Error::BadCountry {
            country: w.reference,
            what: format!("sigma is {}; it must exceed 1", w.sigma),
        });
    }
    Ok(())
}

fn pct(new: f64, old: f64) -> f64 {
    (new / old - 1.0) * 100.0
}

/// Solve the baseline, conditional and full-endowment equilibria.
pub fn solve(w: &World, stopping: Stopping) -> Result<Outcome, Error> {
    validate(w)?;
    let n = w.n;
    let r = w.reference;
    let y: Vec<f64> = match w.output {
        Some(v) => v.to_vec(),
        None => (0..n)
            .map(|i| w.flows[i * n..(i + 1) * n].iter().sum())
            .collect(),
    };
    let e: Vec<f64> = match w.expenditure {
        // given separately, world expenditure need not equal world output; as GEGravity does, each country's
        // expenditure enters as its share of world expenditure times world output
        Some(v) => {
            let scale = y.iter().sum::<f64>() / v.iter().sum::<f64>();
            v.iter().map(|x| x * scale).collect()
        }
        None => (0..n)
            .map(|j| (0..n).map(|i| w.flows[i * n + j]).sum())
            .collect(),
    };
    let phi: Vec<f64> = (0..n).map(|i| e[i] / y[i]).collect();
    let base = equilibrium(n, w.cost_baseline, &y, &e, r, None)?;
    let cond = equilibrium(
        n,
        w.cost_counterfactual,
        &y,
        &e,
        r,
        Some((&base.omr, &base.imr)),
    )?;
    let sigma = w.sigma;
    let mut book_updates = Vec::new();
    // The book's iteration is not always a contraction (it diverges on the GEGravity sample at σ = 5); the
    // converged rule then retries with the flow update damped (same fixed point, smaller steps).
    let (p_hat, full, iterations) = match stopping {
        Stopping::Book => book_loop(w, &base, &cond, &phi, stopping, 1.0, &mut book_updates)?,
        Stopping::Converged { tol, max_iter } => {
            direct(w, &base, &cond, &y, &e, &phi, tol, max_iter)?
        }
    };
    let converged = matches!(stopping, Stopping::Converged { .. });
    let y_full = full.output.clone();
    let exports = |b: &Baseline, i: usize| -> f64 {
        (0..n).filter(|&j| j != i).map(|j| b.flows[i * n + j]).sum()
    };
    let imports = |b: &Baseline, j: usize| -> f64 {
        (0..n).filter(|&i| i != j).map(|i| b.flows[i * n + j]).sum()
    };
    let inv = 1.0 / (1.0 - sigma);
    let countries = (0..n)
        .map(|i| {
            let p_in_base = base.imr[i].powf(inv);
            let p_in_full = full.imr[i].powf(inv);
            let rgdp = pct(y_full[i] / p_in_full, y[i] / p_in_base);
            CountryResult {
                exports_baseline: exports(&base, i),
                exports_conditional: exports(&cond, i),
                exports_full: exports(&full, i),
                exports_change_pct_conditional: pct(exports(&cond, i), exports(&base, i)),
                exports_change_pct_full: pct(exports(&full, i), exports(&base, i)),
                imports_change_pct_full: pct(imports(&full, i), imports(&base, i)),
                domestic_change_pct_full: pct(full.flows[i * n + i], base.flows[i * n + i]),
                factory_gate_price_change_pct: (p_hat[i] - 1.0) * 100.0,
                omr_change_pct_conditional: pct(cond.omr[i].powf(inv), base.omr[i].powf(inv)),
                omr_change_pct_full: pct(full.omr[i].powf(inv), base.omr[i].powf(inv)),
                imr_change_pct_conditional: pct(cond.imr[i].powf(inv), p_in_base),
                imr_change_pct_full: pct(p_in_full, p_in_base),
                real_gdp_change_pct: rgdp,
                welfare_change_pct: rgdp,
                terms_of_trade_change_pct: pct(p_hat[i], p_in_full / p_in_base),
            }
        })
        .collect();
    Ok(Outcome {
        baseline: base,
        conditional: cond,
        full,
        price_change: p_hat,
        countries,
        iterations,
        converged,
        book_updates,
    })
}

/// The full-endowment equilibrium directly: iterate `p̂ ← Ω̂(p̂)^{1/σ}` where `Ω'` solves the resistances
/// with the counterfactual costs, output `p̂ Y` and expenditure `φ p̂ Y`; each step re-solves the resistances
/// from the previous ones. The step is damped (halved, down to 1/64) whenever the largest price change grows.
#[allow(clippy::too_many_arguments)]
fn direct(
    w: &World,
    base: &Baseline,
    cond: &Baseline,
    y: &[f64],
    e: &[f64],
    phi: &[f64],
    tol: f64,
    max_iter: usize,
) -> Result<(Vec<f64>, Baseline, usize), Error> {
    let n = w.n;
    let r = w.reference;
    let mut p = vec![1.0; n];
    let mut start = (cond.omr.clone(), cond.imr.clone());
    let mut damping = 1.0;
    let mut last = f64::INFINITY;
    for it in 1..=max_iter {
        let y1: Vec<f64> = (0..n).map(|i| p[i] * y[i]).collect();
        // expenditure keeps its ratio to output, scaled so that world expenditure keeps its ratio to world
        // output (trade imbalances stay the same shares of world output)
        let raw: Vec<f64> = (0..n).map(|i| phi[i] * y1[i]).collect();
        let kappa = y1.iter().sum::<f64>() / raw.iter().sum::<f64>()
            * (e.iter().sum::<f64>() / y.iter().sum::<f64>());
        let e1: Vec<f64> = raw.iter().map(|v| v * kappa).collect();
        let (omr, imr, _) = resistances(
            n,
            w.cost_counterfactual,
            &y1,
            &e1,
            r,
            Some((&start.0, &start.1)),
        )?;
        let target: Vec<f64> = (0..n)
            .map(|i| (omr[i] / base.omr[i]).powf(1.0 / w.sigma))
            .collect();
        let change = target
            .iter()
            .zip(&p)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        if !change.is_finite() {
            return Err(Error::NoConvergence {
                what: "factory-gate prices (diverged)".into(),
                iterations: it,
                change,
            });
        }
        if change < tol {
            let full = Baseline {
                flows: (0..n * n)
                    .map(|k| {
                        y1[k / n] * e1[k % n] * w.cost_counterfactual[k] / (omr[k / n] * imr[k % n])
                    })
                    .collect(),
                output: y1,
                expenditure: e1,
                omr,
                imr,
            };
            return Ok((target, full, it));
        }
        if change > last && damping > 1.0 / 64.0 {
            damping /= 2.0;
        }
        last = change;
        for (pi, t) in p.iter_mut().zip(&target) {
            *pi += damping * (t - *pi);
        }
        start = (omr, imr);
    }
    Err(Error::NoConvergence {
        what: "factory-gate prices".into(),
        iterations: max_iter,
        change: last,
    })
}

/// Fixed effects read off a fitted equilibrium: `exp(π_i) = Y_i E_R / Ω_i`, `exp(χ_j) = E_j / (Φ_j E_R)`.
fn effects(b: &Baseline, r: usize) -> (Vec<f64>, Vec<f64>) {
    let er = b.expenditure[r];
    let pi = b
        .output
        .iter()
        .zip(&b.omr)
        .map(|(y, o)| y * er / o)
        .collect();
    let chi = b
        .expenditure
        .iter()
        .zip(&b.imr)
        .map(|(e, p)| e / (p * er))
        .collect();
    (pi, chi)
}

/// The book's do-file loop, step by step. State `s`: fitted flows, exporter and importer effects, output
/// `Y_s` (row sums), expenditure `E_s = φ Y_s`. Step `s`: flows `X_{s−1} · p̂_i p̂_j / (Ω̂_i Φ̂_j)` with the
/// previous step's changes, re-fitted with the counterfactual costs (the PPML with exporter and importer
/// effects and the cost offset: here the resistances re-solved for those flows' margins), prices updated from
/// the new exporter effects. The do-file tests the update of the step before (`p̂_{s−1} − p̂_{s−2}` over all
/// pairs) after fitting step `s`, and ends with the effects of the last fitted step.
fn book_loop(
    w: &World,
    base: &Baseline,
    cond: &Baseline,
    phi: &[f64],
    rule: Stopping,
    damping: f64,
    updates: &mut Vec<(f64, f64, f64, f64)>,
) -> Result<(Vec<f64>, Baseline, usize), Error> {
    let max_iter = match rule {
        Stopping::Converged { max_iter, .. } => max_iter,
        Stopping::Book => 1000,
    };
    let n = w.n;
    let r = w.reference;
    let inv = 1.0 / (1.0 - w.sigma);
    let (pi0, _) = effects(base, r);
    let er0 = base.expenditure[r];
    // step 1 is the conditional equilibrium; its changes of the resistances are set to one
    let (mut pi_prev, _) = effects(cond, r);
    let mut er_prev = cond.expenditure[r];
    let mut omr_prev = cond.omr.clone();
    let mut imr_prev = cond.imr.clone();
    let mut cp_prev: Vec<f64> = (0..n)
        .map(|i| ((pi_prev[i] / pi0[i]) / (er_prev / er0)).powf(inv))
        .collect();
    let mut cp_prev2 = vec![0.0; n];
    let mut c_omr = vec![1.0; n];
    let mut c_imr = vec![1.0; n];
    let mut flows = cond.flows.clone();
    let mut start = (cond.omr.clone(), cond.imr.clone());
    for step in 2..=max_iter + 1 {
        let trade: Vec<f64> = (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                flows[k] * (cp_prev[i] * cp_prev[j] / (c_omr[i] * c_imr[j])).powf(damping)
            })
            .collect();
        let ys: Vec<f64> = (0..n)
            .map(|i| trade[i * n..(i + 1) * n].iter().sum())
            .collect();
        let cols: Vec<f64> = (0..n)
            .map(|j| (0..n).map(|i| trade[i * n + j]).sum())
            .collect();
        let fit = equilibrium(
            n,
            w.cost_counterfactual,
            &ys,
            &cols,
            r,
            Some((&start.0, &start.1)),
        )?;
        start = (fit.omr.clone(), fit.imr.clone());
        let (pi_s, chi_s) = effects(&fit, r);
        let es: Vec<f64> = (0..n).map(|i| phi[i] * ys[i]).collect();
        let er_s = es[r];
        let cp_s: Vec<f64> = (0..n)
            .map(|i| ((pi_s[i] / pi_prev[i]) / (er_s / er_prev)).powf(inv))
            .collect();
        let omr_s: Vec<f64> = (0..n).map(|i| ys[i] * er_s / pi_s[i]).collect();
        let imr_s: Vec<f64> = (0..n).map(|j| es[j] / (chi_s[j] * er_s)).collect();
        // the do-file's convergence statistics: p̂_{s−1} − p̂_{s−2}, each exporter's value over its n pairs
        let dif: Vec<f64> = (0..n * n)
            .map(|k| cp_prev[k / n] - cp_prev2[k / n])
            .collect();
        let m = dif.len() as f64;
        let mean = dif.iter().sum::<f64>() / m;
        let sd = (dif.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (m - 1.0)).sqrt();
        let (mn, mx) = dif
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &d| {
                (a.min(d), b.max(d))
            });
        updates.push((mean, sd, mn, mx));
        let step_size = cp_s.iter().map(|c| (c - 1.0).abs()).fold(0.0, f64::max);
        if !step_size.is_finite() || step_size > 0.5 {
            return Err(Error::NoConvergence {
                what: "the full-endowment loop (diverging)".into(),
                iterations: step - 1,
                change: step_size,
            });
        }
        let stop = match rule {
            Stopping::Book => sd <= 0.01 && mx.abs() <= 0.01,
            // converged: this step changed every factory-gate price by less than the tolerance
            Stopping::Converged { tol, .. } => cp_s.iter().all(|c| (c - 1.0).abs() < tol),
        };
        if stop {
            let p: Vec<f64> = (0..n)
                .map(|i| ((pi_s[i] / pi0[i]) / (er_s / er0)).powf(inv))
                .collect();
            let y_full: Vec<f64> = (0..n).map(|i| p[i] * base.output[i]).collect();
            let e_full: Vec<f64> = (0..n).map(|i| phi[i] * y_full[i]).collect();
            let omr_full: Vec<f64> = (0..n).map(|i| y_full[i] * er_s / pi_s[i]).collect();
            let flows_full = (0..n * n)
                .map(|k| {
                    let (i, j) = (k / n, k % n);
                    y_full[i] * e_full[j] * w.cost_counterfactual[k] / (imr_s[j] * omr_full[i])
                })
                .collect();
            let full = Baseline {
                flows: flows_full,
                output: y_full,
                expenditure: e_full,
                omr: omr_full,
                imr: imr_s,
            };
            return Ok((p, full, step - 1));
        }
        c_omr = (0..n).map(|i| omr_s[i] / omr_prev[i]).collect();
        c_imr = (0..n).map(|j| imr_s[j] / imr_prev[j]).collect();
        omr_prev = omr_s;
        imr_prev = imr_s;
        cp_prev2 = std::mem::replace(&mut cp_prev, cp_s);
        pi_prev = pi_s;
        er_prev = er_s;
        flows = fit.flows;
    }
    Err(Error::NoConvergence {
        what: "the full-endowment loop".into(),
        iterations: max_iter,
        change: f64::NAN,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small world with distance-like costs, unbalanced trade and a border effect.
    pub(super) fn world(n: usize, seed: u64, symmetric: bool) -> (Vec<f64>, Vec<f64>) {
        let mut s = seed.wrapping_add(7);
        let mut rnd = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let size: Vec<f64> = (0..n)
            .map(|_| if symmetric { 1.0 } else { 0.5 + rnd() * 3.0 })
            .collect();
        let mut cost = vec![0.0; n * n];
        let mut flows = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let d = if i == j {
                    0.3
                } else if symmetric {
                    1.0
                } else {
                    0.5 + rnd()
                };
                cost[i * n + j] = (-0.8 * d - if i == j { 0.0 } else { 1.5 }).exp();
                flows[i * n + j] = size[i]
                    * size[j]
                    * cost[i * n + j]
                    * if symmetric { 1.0 } else { 0.7 + 0.6 * rnd() };
            }
        }
        (flows, cost)
    }

    fn run(n: usize, flows: &[f64], cb: &[f64], cc: &[f64], reference: usize) -> Outcome {
        let w = World {
            n,
            flows,
            cost_baseline: cb,
            cost_counterfactual: cc,
            sigma: 5.0,
            reference,
            output: None,
            expenditure: None,
        };
        solve(&w, Stopping::default()).unwrap()
    }

    #[test]
    fn a_null_scenario_returns_the_baseline() {
        let n = 6;
        let (flows, cost) = world(n, 1, false);
        let out = run(n, &flows, &cost, &cost, 0);
        for r in &out.countries {
            for v in [
                r.exports_change_pct_conditional,
                r.exports_change_pct_full,
                r.factory_gate_price_change_pct,
                r.real_gdp_change_pct,
                r.imr_change_pct_full,
            ] {
                assert!(v.abs() < 1e-9, "{r:?}");
            }
        }
    }

    #[test]
    fn real_effects_do_not_depend_on_the_reference_country() {
        let n = 6;
        let (flows, cost) = world(n, 2, false);
        let cc: Vec<f64> = cost
            .iter()
            .enumerate()
            .map(|(k, c)| if k / n != k % n { c * 1.6 } else { *c })
            .collect();
        let a = run(n, &flows, &cost, &cc, 0);
        let b = run(n, &flows, &cost, &cc, 4);
        for (x, y) in a.countries.iter().zip(&b.countries) {
            assert!(
                (x.real_gdp_change_pct - y.real_gdp_change_pct).abs() < 1e-8,
                "{} vs {}",
                x.real_gdp_change_pct,
                y.real_gdp_change_pct
            );
            assert!(
                (x.exports_change_pct_conditional - y.exports_change_pct_conditional).abs() < 1e-8
            );
        }
    }

    #[test]
    fn symmetric_shocks_on_symmetric_data_give_symmetric_results() {
        let n = 5;
        let (flows, cost) = world(n, 3, true);
        // a shock between countries 1 and 3 in both directions: they must fare alike, as must the others
        let cc: Vec<f64> = (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                if (i == 1 && j == 3) || (i == 3 && j == 1) {
                    cost[k] * 0.5
                } else {
                    cost[k]
                }
            })
            .collect();
        let out = run(n, &flows, &cost, &cc, 0);
        let c = &out.countries;
        assert!((c[1].real_gdp_change_pct - c[3].real_gdp_change_pct).abs() < 1e-9);
        assert!((c[2].real_gdp_change_pct - c[4].real_gdp_change_pct).abs() < 1e-9);
        assert!(c[1].real_gdp_change_pct < 0.0 && c[1].exports_change_pct_full < 0.0);
        // third countries gain exports (diversion) in the conditional equilibrium
        assert!(c[2].exports_change_pct_conditional > 0.0);
    }

    #[test]
    fn resistances_equal_the_ppml_fixed_effects_solution() {
        // GE-PPML: a PPML of the flows on exporter and importer effects with the costs as offset fits
        // the same flows as the resistances solved directly
        let n = 7;
        let (flows, cost) = world(n, 4, false);
        let y: Vec<f64> = (0..n)
            .map(|i| flows[i * n..(i + 1) * n].iter().sum())
            .collect();
        let e: Vec<f64> = (0..n)
            .map(|j| (0..n).map(|i| flows[i * n + j]).sum())
            .collect();
        let (omr, imr, _) = resistances(n, &cost, &y, &e, 0, None).unwrap();
        let ex: Vec<u64> = (0..n * n).map(|k| (k / n) as u64).collect();
        let im: Vec<u64> = (0..n * n).map(|k| (k % n) as u64).collect();
        let off: Vec<f64> = cost.iter().map(|c| c.ln()).collect();
        let d = detour_hdfe::Design {
            y: &flows,
            fe: vec![("exporter".into(), &ex), ("importer".into(), &im)],
            offset: Some(&off),
            ..Default::default()
        };
        let opt = detour_hdfe::Options {
            tol: 1e-14,
            fe_tol: 1e-13,
            vcov: detour_hdfe::VcovType::Iid,
            ..Default::default()
        };
        let f = detour_hdfe::fit(&d, &opt).unwrap();
        for k in 0..n * n {
            let direct = y[k / n] * e[k % n] * cost[k] / (omr[k / n] * imr[k % n]);
            assert!(
                (f.fitted[k] / direct - 1.0).abs() < 1e-8,
                "{k}: {} vs {direct}",
                f.fitted[k]
            );
        }
    }

    #[test]
    fn bad_input() {
        let flows = vec![1.0; 6];
        let c = vec![1.0; 6];
        let w = World {
            n: 2,
            flows: &flows,
            cost_baseline: &c,
            cost_counterfactual: &c,
            sigma: 5.0,
            reference: 0,
            output: None,
            expenditure: None,
        };
        assert!(matches!(
            solve(&w, Stopping::default()),
            Err(Error::NotSquare { .. })
        ));
        let flows = vec![0.0, 1.0, 1.0, 1.0];
        let c = vec![1.0; 4];
        let w = World {
            n: 2,
            flows: &flows,
            cost_baseline: &c,
            cost_counterfactual: &c,
            sigma: 5.0,
            reference: 0,
            output: None,
            expenditure: None,
        };
        assert!(matches!(
            solve(&w, Stopping::default()),
            Err(Error::BadCountry { country: 0, .. })
        ));
        let flows = vec![1.0; 4];
        let w = World {
            n: 2,
            flows: &flows,
            cost_baseline: &c,
            cost_counterfactual: &c,
            sigma: 5.0,
            reference: 3,
            output: None,
            expenditure: None,
        };
        assert!(matches!(
            solve(&w, Stopping::default()),
            Err(Error::BadReference(3))
        ));
    }
}

#[cfg(test)]
mod ge_ppml {
    use super::*;

    /// GE-PPML: the same fixed point with each inner step a PPML of flows on exporter and importer effects
    /// with the counterfactual costs as offset (detour-hdfe), resistances read off the fitted flows.
    #[test]
    fn ge_ppml_and_the_direct_solver_agree_at_convergence() {
        let n = 6;
        let (flows, cost) = super::tests::world(n, 99, false);
        let cc: Vec<f64> = (0..n * n)
            .map(|k| {
                if k / n == 1 && k % n == 2 {
                    cost[k] * 3.0
                } else {
                    cost[k]
                }
            })
            .collect();
        let (sigma, r) = (5.0, 0);
        let w = World {
            n,
            flows: &flows,
            cost_baseline: &cost,
            cost_counterfactual: &cc,
            sigma,
            reference: r,
            output: None,
            expenditure: None,
        };
        let direct = solve(&w, Stopping::default()).unwrap();

        let y: Vec<f64> = (0..n)
            .map(|i| flows[i * n..(i + 1) * n].iter().sum())
            .collect();
        let e: Vec<f64> = (0..n)
            .map(|j| (0..n).map(|i| flows[i * n + j]).sum())
            .collect();
        let phi: Vec<f64> = (0..n).map(|i| e[i] / y[i]).collect();
        let ex: Vec<u64> = (0..n * n).map(|k| (k / n) as u64).collect();
        let im: Vec<u64> = (0..n * n).map(|k| (k % n) as u64).collect();
        // Ω from a PPML fit of a matrix with the given margins and costs
        let omr_ppml = |yy: &[f64], ee: &[f64], t: &[f64]| -> Vec<f64> {
            let total: f64 = yy.iter().sum();
            let pseudo: Vec<f64> = (0..n * n).map(|k| yy[k / n] * ee[k % n] / total).collect();
            let off: Vec<f64> = t.iter().map(|c| c.ln()).collect();
            let d = detour_hdfe::Design {
                y: &pseudo,
                fe: vec![("exporter".into(), &ex), ("importer".into(), &im)],
                offset: Some(&off),
                ..Default::default()
            };
            let opt = detour_hdfe::Options {
                tol: 1e-15,
                fe_tol: 1e-14,
                vcov: detour_hdfe::VcovType::Iid,
                ..Default::default()
            };
            let f = detour_hdfe::fit(&d, &opt).unwrap();
            // fitted_ij = Y_i E_j t_ij / (Ω_i Φ_j) with Φ_R = 1
            (0..n)
                .map(|i| yy[i] * ee[r] * t[i * n + r] / f.fitted[i * n + r])
                .collect()
        };
        let omr0 = omr_ppml(&y, &e, &cost);
        let mut p = vec![1.0; n];
        for _ in 0..200 {
            let y1: Vec<f64> = (0..n).map(|i| p[i] * y[i]).collect();
            let raw: Vec<f64> = (0..n).map(|i| phi[i] * y1[i]).collect();
            let kappa = y1.iter().sum::<f64>() / raw.iter().sum::<f64>()
                * (e.iter().sum::<f64>() / y.iter().sum::<f64>());
            let e1: Vec<f64> = raw.iter().map(|v| v * kappa).collect();
            let omr = omr_ppml(&y1, &e1, &cc);
            let new: Vec<f64> = (0..n)
                .map(|i| (omr[i] / omr0[i]).powf(1.0 / sigma))
                .collect();
            let change = new
                .iter()
                .zip(&p)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            p = new;
            if change < 1e-12 {
                break;
            }
        }
        for (a, b) in p.iter().zip(&direct.price_change) {
            assert!((a / b - 1.0).abs() < 1e-8, "GE-PPML {a} vs direct {b}");
        }
    }
}
