//! `[model] method = "structural"` (the default): the book's model. A baseline PPML with exporter and
//! importer effects on the scenario's data, the trade costs changed as the scenario says, and the
//! conditional and full-endowment general equilibria solved (`detour_ge::solve`).

use std::collections::HashMap;

use detour_ge::{Stopping, World};
use detour_hdfe::formula::{Formula, Func};
use detour_hdfe::{Design, Options, VcovType};

use crate::error::{Result, SimError, err, fail};
use crate::scenario::{Doc, Table};
use crate::simulate::{
    SimulateOptions, Source, draws, get_num, get_str, monte_carlo, parse_changes, spinner,
};
use crate::simulation::{
    BookUpdate, Coefficient, STRUCTURAL_MEASURES, Structural, StructuralCountry, StructuralPair,
    Timing,
};

fn country(c: &str, r: &detour_ge::CountryResult) -> StructuralCountry {
    StructuralCountry {
        country: c.to_string(),
        exports_baseline: r.exports_baseline,
        exports_change_pct_conditional: r.exports_change_pct_conditional,
        exports_change_pct_full: r.exports_change_pct_full,
        imports_change_pct_full: r.imports_change_pct_full,
        domestic_change_pct_full: r.domestic_change_pct_full,
        factory_gate_price_change_pct: r.factory_gate_price_change_pct,
        omr_change_pct_conditional: r.omr_change_pct_conditional,
        omr_change_pct_full: r.omr_change_pct_full,
        imr_change_pct_conditional: r.imr_change_pct_conditional,
        imr_change_pct: r.imr_change_pct_full,
        real_gdp_change_pct: r.real_gdp_change_pct,
        welfare_change_pct: r.welfare_change_pct,
        terms_of_trade_change_pct: r.terms_of_trade_change_pct,
    }
}

/// Solve a structural scenario.
pub(crate) fn run(
    args: &SimulateOptions,
    doc: &Doc,
    file: &str,
    data: Source<'_>,
) -> Result<Structural> {
    let empty = Table::default();
    let data_t = doc.tables.get("data").unwrap_or(&empty);
    let model_t = &doc.tables["model"];
    let data_name = data.name();
    let formula_text = get_str(model_t, "formula", file)?
        .ok_or_else(|| err!(file, model_t.line; "[model] needs formula"))?;
    let formula = Formula::parse(&formula_text)
        .map_err(|e| SimError::estimation(format!("{file}: formula"))(e.into()))?;
    if formula.fixed_effects.len() != 2 || formula.fixed_effects.iter().any(|f| f.len() != 1) {
        fail!(file; "the baseline formula must have exactly an exporter and an importer effect: '… | exporter + importer'");
    }
    let exporter_col = formula.fixed_effects[0][0].clone();
    let importer_col = formula.fixed_effects[1][0].clone();
    let sigma = get_num(model_t, "sigma", file)?
        .ok_or_else(|| err!(file, model_t.line; "[model] needs sigma"))?;
    let reference = get_str(model_t, "reference", file)?
        .ok_or_else(|| err!(file, model_t.line; "[model] needs reference (a country code)"))?;
    let stopping = match (args.stopping, get_str(model_t, "stopping", file)?) {
        (Some(s), _) => s,
        (None, Some(text)) => text
            .parse()
            .map_err(|e| err!(file, model_t.line_of("stopping"); "{e}"))?,
        (None, None) => Stopping::default(),
    };
    let changes = parse_changes(doc, file)?;
    if let Some(c) = changes
        .iter()
        .find(|c| c.as_of.is_some() || c.coefficient.is_some() || c.sectors.is_some())
    {
        fail!(file, c.line; "'as_of', 'coefficient' and 'sectors' need method = \"ge_gravity\" (a panel and its own estimate)");
    }

    // data and baseline estimation; output and expenditure columns are optional (default: the flows' sums)
    let output_col = get_str(data_t, "output", file)?;
    let expenditure_col = get_str(data_t, "expenditure", file)?;
    let extra: Vec<String> = output_col
        .iter()
        .chain(expenditure_col.iter())
        .cloned()
        .collect();
    let (num, text) = detour_hdfe::model::needed(&formula, &extra, None, &[]);
    let frame = data
        .read(&num, &text)
        .map_err(SimError::store(format!("{file}: reading the data")))?;
    let loaded = detour_hdfe::model::ModelData::collect(&frame, &formula, &extra, None, &[])
        .map_err(SimError::estimation(format!("{file}: the baseline's data")))?;
    drop(frame);
    let n_rows = loaded.rows.len();
    let term_values =
        |t: &detour_hdfe::formula::Term, v: f64| t.func.map(|f| f.apply(v)).unwrap_or(v);
    if formula
        .regressors
        .iter()
        .any(|t| t.func == Some(Func::Factor))
    {
        fail!(file; "factor() terms are not supported in a GE baseline");
    }
    let xs: Vec<(String, Vec<f64>)> = formula
        .regressors
        .iter()
        .map(|t| {
            (
                t.to_string(),
                loaded.numeric[&t.column]
                    .iter()
                    .map(|&v| term_values(t, v))
                    .collect(),
            )
        })
        .collect();
    let y = term_values(&formula.outcome, 0.0);
    let _ = y;
    let yv: Vec<f64> = loaded.numeric[&formula.outcome.column].clone();
    let ex_ids = &loaded.ids[&exporter_col];
    let im_ids = &loaded.ids[&importer_col];
    let design = Design {
        y: &yv,
        x: xs.iter().map(|(n, v)| (n.clone(), v.as_slice())).collect(),
        fe: vec![
            (exporter_col.clone(), ex_ids.as_slice()),
            (importer_col.clone(), im_ids.as_slice()),
        ],
        ..Default::default()
    };
    let opt = Options {
        vcov: VcovType::Hetero,
        tol: 1e-12,
        fe_tol: 1e-12,
        deadline: args.deadline.instant(),
        ..Options::default()
    };
    let fit = detour_hdfe::fit(&design, &opt).map_err(SimError::estimation(format!(
        "{file}: the baseline estimation"
    )))?;
    if fit.nobs != n_rows {
        fail!(file; "the baseline estimation dropped {} of {n_rows} flows (zeros or separation); GE needs every pair", n_rows - fit.nobs);
    }
    if !fit.collinear.is_empty() {
        fail!(file; "collinear regressors in the baseline: {}", fit.collinear.join(", "));
    }
    let beta: HashMap<String, f64> = fit
        .coefficients
        .iter()
        .map(|c| (c.name.clone(), c.estimate))
        .collect();

    // countries and the square layout
    let ex_labels = &loaded.labels[&exporter_col];
    let im_labels = &loaded.labels[&importer_col];
    let mut countries: Vec<String> = ex_labels.clone();
    for l in im_labels {
        if !countries.contains(l) {
            countries.push(l.clone());
        }
    }
    countries.sort();
    let index: HashMap<&str, usize> = countries
        .iter()
        .enumerate()
        .map(|(k, c)| (c.as_str(), k))
        .collect();
    let n = countries.len();
    let mut flows = vec![f64::NAN; n * n];
    let mut pair_of_row: Vec<usize> = Vec::with_capacity(n_rows);
    let mut x_cfl: Vec<Vec<f64>> = vec![Vec::with_capacity(n_rows); xs.len()];
    let mut add_cfl: Vec<f64> = Vec::with_capacity(n_rows);
    let known = |code: &str, line: usize| -> Result<()> {
        if index.contains_key(code) {
            Ok(())
        } else {
            fail!(file, line; "country '{code}' is not in the data ({} countries)", n)
        }
    };
    for c in &changes {
        // group members absent from the data are skipped; a country named directly must exist
        for (code, line) in &c.named {
            known(code, *line)?;
        }
        if let Some((v, _)) = &c.variable
            && !formula
                .regressors
                .iter()
                .any(|t| &t.column == v || &t.to_string() == v)
        {
            fail!(file, c.line; "variable '{v}' is not a regressor of the formula");
        }
    }
    for row in 0..n_rows {
        let ex = ex_labels[ex_ids[row] as usize].as_str();
        let im = im_labels[im_ids[row] as usize].as_str();
        let k = index[ex] * n + index[im];
        if !flows[k].is_nan() {
            fail!(data_name; "the pair {ex} → {im} appears twice (data row {})",
                loaded.rows[row]
            );
        }
        flows[k] = yv[row];
        pair_of_row.push(k);
        for (ti, t) in formula.regressors.iter().enumerate() {
            let mut v = xs[ti].1[row];
            for c in &changes {
                if let Some((var, value)) = &c.variable
                    && (&t.column == var || &t.to_string() == var)
                    && c.selects(ex, im)
                {
                    v = term_values(t, *value);
                }
            }
            x_cfl[ti].push(v);
        }
        add_cfl.push(
            changes
                .iter()
                .filter(|c| c.selects(ex, im))
                .map(|c| c.cost_change(sigma - 1.0))
                .sum::<f64>(),
        );
    }
    if let Some(k) = flows.iter().position(|v| v.is_nan()) {
        fail!(data_name; "not square: no flow {} → {} (GE needs every pair, domestic flows included)",
            countries[k / n],
            countries[k % n]
        );
    }
    // trade-cost terms for a coefficient vector (in the order of the formula's regressors)
    let costs = |b: &[f64]| -> (Vec<f64>, Vec<f64>) {
        let mut cb = vec![0.0; n * n];
        let mut cc = vec![0.0; n * n];
        for (row, &k) in pair_of_row.iter().enumerate() {
            let lb: f64 = xs.iter().zip(b).map(|((_, v), bi)| bi * v[row]).sum();
            let lc: f64 =
                x_cfl.iter().zip(b).map(|(v, bi)| bi * v[row]).sum::<f64>() + add_cfl[row];
            cb[k] = lb.exp();
            cc[k] = lc.exp();
        }
        (cb, cc)
    };
    let beta_hat: Vec<f64> = xs.iter().map(|(name, _)| beta[name]).collect();
    let (cost_b, cost_c) = costs(&beta_hat);
    // output by exporter, expenditure by importer: one value per country
    let per_country =
        |col: &Option<String>, ids: &[u64], labels: &[String]| -> Result<Option<Vec<f64>>> {
            let Some(c) = col else { return Ok(None) };
            let vals = &loaded.numeric[c];
            let mut out = vec![f64::NAN; n];
            for row in 0..n_rows {
                let k = index[labels[ids[row] as usize].as_str()];
                if out[k].is_nan() {
                    out[k] = vals[row];
                } else if (out[k] - vals[row]).abs() > 1e-9 * out[k].abs() {
                    fail!(data_name; "column '{c}' differs within country {} (data row {})",
                        countries[k],
                        loaded.rows[row]
                    );
                }
            }
            Ok(Some(out))
        };
    let output = per_country(&output_col, ex_ids, ex_labels)?;
    let expenditure = per_country(&expenditure_col, im_ids, im_labels)?;
    let reference_idx = *index.get(reference.as_str()).ok_or_else(
        || err!(file, model_t.line_of("reference"); "reference '{reference}' is not in the data"),
    )?;
    let world = World {
        n,
        flows: &flows,
        cost_baseline: &cost_b,
        cost_counterfactual: &cost_c,
        sigma,
        reference: reference_idx,
        output: output.as_deref(),
        expenditure: expenditure.as_deref(),
    };
    let pb = spinner("solving");
    let t0 = std::time::Instant::now();
    let out = detour_ge::solve(&world, stopping);
    let seconds = t0.elapsed().as_secs_f64();
    pb.finish_and_clear();
    let out = out?;

    // Monte Carlo over the coefficients' covariance, in parallel over draws
    let draws = draws(args, model_t, file)?;
    let monte_carlo = match draws {
        0 => None,
        _ => {
            let countries = &countries;
            Some(monte_carlo(
                args,
                draws,
                &beta_hat,
                &fit.vcov,
                countries,
                &STRUCTURAL_MEASURES,
                |b| {
                    let (cb, cc) = costs(b);
                    let w = World {
                        cost_baseline: &cb,
                        cost_counterfactual: &cc,
                        ..world.clone()
                    };
                    let o = detour_ge::solve(&w, Stopping::default()).ok()?;
                    Some(
                        countries
                            .iter()
                            .zip(&o.countries)
                            .map(|(c, r)| country(c, r).measures())
                            .collect(),
                    )
                },
            )?)
        }
    };

    let pairs = (0..n * n)
        .map(|k| StructuralPair {
            exporter: countries[k / n].clone(),
            importer: countries[k % n].clone(),
            baseline: out.baseline.flows[k],
            conditional: out.conditional.flows[k],
            full: out.full.flows[k],
        })
        .collect();
    Ok(Structural {
        scenario: get_str(&doc.root, "name", file)?.unwrap_or_else(|| file.to_string()),
        data: data_name,
        sigma,
        reference,
        stopping: stopping.name().to_string(),
        coefficients: fit.coefficients.iter().map(Coefficient::of).collect(),
        iterations: out.iterations,
        converged: out.converged,
        book_updates: out
            .book_updates
            .iter()
            .map(|&(mean, sd, min, max)| BookUpdate { mean, sd, min, max })
            .collect(),
        countries: countries
            .iter()
            .zip(&out.countries)
            .map(|(c, r)| country(c, r))
            .collect(),
        timing: Timing {
            estimate_seconds: None,
            solve_seconds: seconds,
            solves: None,
        },
        monte_carlo,
        flows: n_rows,
        pairs,
        named: crate::simulate::named(&changes),
    })
}
