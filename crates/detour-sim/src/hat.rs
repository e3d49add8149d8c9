//! `[model] method = "ge_gravity"`: Zylkin's `ge_gravity` workflow. A panel's partial effects are
//! estimated by PPML (`[estimate]`, e.g. the three-way model with exporter×year, importer×year and pair
//! effects), the scenario's changes turn them into a log change of trade for each pair of the baseline
//! year, and the one-sector Armington–CES model is solved in exact hat algebra on that year's observed
//! flows (`detour_ge::solve_hat`), with additive and multiplicative trade imbalances.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use detour_ge::{HatOptions, HatOutcome, HatWorld, Imbalances, solve_hat};
use detour_hdfe::Frame;
use detour_hdfe::formula::Formula;
use detour_hdfe::frame::Cell;
use detour_hdfe::model::Spec;
use serde_json::json;

use crate::scenario::{Doc, Table};
use crate::simulate::{
    Change, SimulateOptions, draw_coefficients, get_num, get_str, monte_carlo_json, parse_changes,
    spinner, summarise_draws, welfare_and_exports_charts, write_pairs,
};

/// Where the data comes from.
pub(crate) enum Source<'a> {
    File(PathBuf),
    /// Shipped in the binary: (its path in the repository, gzip bytes).
    Embedded(&'a str, &'a [u8]),
}

impl Source<'_> {
    fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Embedded(n, _) => n.to_string(),
        }
    }
}

/// Per country, per measure: (standard error, 2.5th and 97.5th percentiles) over the draws.
type McSummary = crate::simulate::Summary<4>;

/// The measures summarised over Monte Carlo draws (per country).
const MC_MEASURES: [&str; 4] = [
    "welfare_change_pct",
    "welfare_change_pct_mult",
    "real_wage_change_pct",
    "exports_change_pct",
];

fn pct(ratio: f64) -> f64 {
    (ratio - 1.0) * 100.0
}

fn change_pct(new: f64, old: f64) -> f64 {
    if old == 0.0 {
        0.0
    } else {
        (new / old - 1.0) * 100.0
    }
}

fn text_col(frame: &Frame, col: &str, row: usize) -> Option<String> {
    match frame.cell(col, row) {
        Cell::Text(s) => Some(s.to_string()),
        Cell::Num(v) => Some(v.to_string()),
        Cell::Missing => None,
    }
}

fn num_col(frame: &Frame, col: &str, row: usize) -> Option<f64> {
    match frame.cell(col, row) {
        Cell::Num(v) => Some(v),
        Cell::Text(s) => s.trim().parse().ok(),
        Cell::Missing => None,
    }
}

/// The baseline world: countries, flows and, per change, each pair's variable in the baseline year
/// and in the year the change takes it from.
struct Panel {
    countries: Vec<String>,
    flows: Vec<f64>,
    /// Per regressor named by a change: (value in the baseline year, value as of each change's year) by pair.
    values: HashMap<(String, i64), Vec<f64>>,
}

fn panel(
    frame: &Frame,
    cols: &Columns,
    year: i64,
    wanted: &[(String, i64)],
    data_name: &str,
) -> Result<Panel> {
    let mut countries: Vec<String> = Vec::new();
    let mut rows: Vec<(String, String, i64, usize)> = Vec::new();
    for r in 0..frame.nrows() {
        let line = frame.line(r);
        let field = |c: &str| {
            text_col(frame, c, r).with_context(|| format!("{data_name}:{line}: '{c}' is missing"))
        };
        let (ex, im) = (field(&cols.exporter)?, field(&cols.importer)?);
        let y: i64 = field(&cols.year)?
            .trim()
            .parse()
            .with_context(|| format!("{data_name}:{line}: '{}' is not a year", cols.year))?;
        for c in [&ex, &im] {
            if !countries.contains(c) {
                countries.push(c.clone());
            }
        }
        rows.push((ex, im, y, r));
    }
    countries.sort();
    let n = countries.len();
    let index: HashMap<&str, usize> = countries
        .iter()
        .enumerate()
        .map(|(k, c)| (c.as_str(), k))
        .collect();
    let mut flows = vec![f64::NAN; n * n];
    let mut values: HashMap<(String, i64), Vec<f64>> = HashMap::new();
    let mut years_seen = std::collections::BTreeSet::new();
    for (ex, im, y, r) in &rows {
        years_seen.insert(*y);
        let k = index[ex.as_str()] * n + index[im.as_str()];
        let line = frame.line(*r);
        if *y == year {
            if !flows[k].is_nan() {
                bail!("{data_name}:{line}: the pair {ex} → {im} appears twice in {year}");
            }
            let v = num_col(frame, &cols.flow, *r)
                .with_context(|| format!("{data_name}:{line}: '{}' is not a number", cols.flow))?;
            if !(v.is_finite() && v >= 0.0) {
                bail!(
                    "{data_name}:{line}: '{}' is {v}; flows must be ≥ 0",
                    cols.flow
                );
            }
            flows[k] = v;
        }
        for key in wanted.iter().flat_map(|(v, as_of)| {
            [(v.clone(), year), (v.clone(), *as_of)]
                .into_iter()
                .filter(move |(_, yy)| yy == y)
        }) {
            let v = num_col(frame, &key.0, *r)
                .with_context(|| format!("{data_name}:{line}: '{}' is not a number", key.0))?;
            values.entry(key).or_insert_with(|| vec![f64::NAN; n * n])[k] = v;
        }
    }
    if !years_seen.contains(&year) {
        bail!(
            "{data_name}: no rows for the baseline year {year} (years: {})",
            years_seen
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(k) = flows.iter().position(|v| v.is_nan()) {
        bail!(
            "{data_name}: not square in {year}: no flow {} → {} (ge_gravity needs every pair, domestic sales included)",
            countries[k / n],
            countries[k % n]
        );
    }
    for ((v, y), vals) in &values {
        if let Some(k) = vals.iter().position(|x| x.is_nan()) {
            bail!(
                "{data_name}: no value of '{v}' in {y} for {} → {}",
                countries[k / n],
                countries[k % n]
            );
        }
    }
    for (v, y) in wanted {
        for yy in [year, *y] {
            if !values.contains_key(&(v.clone(), yy)) {
                bail!("{data_name}: no rows for {yy} (needed for '{v}')");
            }
        }
    }
    Ok(Panel {
        countries,
        flows,
        values,
    })
}

/// The store a scenario's `[estimate] sql` runs on: the one named, or the embedded default.
fn open_store(dir: Option<&std::path::Path>) -> Result<detour_store::Store> {
    match dir {
        Some(d) => {
            detour_store::Store::open(d).with_context(|| format!("opening store {}", d.display()))
        }
        None => {
            let pb = spinner("opening the default store");
            let s = detour_store::default_store::open(&|_, _| {});
            pb.finish_and_clear();
            s.context("opening the embedded default store")
        }
    }
}

/// The data's column names (`[data] exporter/importer/year/flow`).
struct Columns {
    exporter: String,
    importer: String,
    year: String,
    flow: String,
}

/// The partial effects for a coefficient vector: `β·Δx` summed over the changes, plus their `add`s.
fn partials(
    p: &Panel,
    changes: &[Change],
    coef: &HashMap<String, f64>,
    year: i64,
    file: &str,
) -> Result<Vec<f64>> {
    let n = p.countries.len();
    let mut out = vec![0.0; n * n];
    for c in changes {
        for (k, slot) in out.iter_mut().enumerate() {
            let (ex, im) = (&p.countries[k / n], &p.countries[k % n]);
            if !c.selects(ex, im) {
                continue;
            }
            let mut d = c.add;
            let var_change = |v: &str, new: f64| -> Result<f64> {
                let b = coef.get(v).with_context(|| {
                    format!(
                        "{file}:{}: '{v}' has no estimated coefficient (give [estimate] with it as a regressor)",
                        c.line
                    )
                })?;
                Ok(b * (new - p.values[&(v.to_string(), year)][k]))
            };
            if let Some((v, times)) = &c.coefficient {
                let b = coef.get(v).with_context(|| {
                    format!(
                        "{file}:{}: coefficient '{v}' is not estimated (the [estimate] formula's regressors: {})",
                        c.line,
                        coef.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                })?;
                d += b * times;
            }
            if let Some((v, value)) = &c.variable {
                d += var_change(v, *value)?;
            }
            if let Some((v, as_of)) = &c.as_of {
                d += var_change(v, p.values[&(v.clone(), *as_of)][k])?;
            }
            *slot += d;
        }
    }
    Ok(out)
}

/// Check the changes against the world before solving: countries named must exist, and a change
/// must not fall only on pairs with no baseline trade.
fn check_changes(p: &Panel, changes: &[Change], partial: &[f64], file: &str) -> Result<()> {
    let n = p.countries.len();
    for c in changes {
        for (code, line) in &c.named {
            if !p.countries.contains(code) {
                bail!(
                    "{file}:{line}: economy '{code}' is not in the data ({n} economies: {})",
                    p.countries.join(" ")
                );
            }
        }
        if c.domestic {
            bail!(
                "{file}:{}: ge_gravity changes international trade costs only (no 'domestic')",
                c.line
            );
        }
        let hit: Vec<usize> = (0..n * n)
            .filter(|&k| c.selects(&p.countries[k / n], &p.countries[k % n]))
            .collect();
        if let Some(&k) = hit
            .iter()
            .find(|&&k| p.flows[k] == 0.0 && partial[k] != 0.0)
        {
            bail!(
                "{file}:{}: the change falls on {} → {}, which has no baseline trade: in exact hat algebra a cost change on a zero flow has no effect. Leave that pair out",
                c.line,
                p.countries[k / n],
                p.countries[k % n]
            );
        }
    }
    Ok(())
}

fn solve_both(p: &Panel, partial: &[f64], theta: f64) -> Result<(HatOutcome, HatOutcome)> {
    let w = HatWorld {
        n: p.countries.len(),
        flows: &p.flows,
        partial,
        theta,
    };
    let add = solve_hat(&w, Imbalances::Additive, HatOptions::default())?;
    let mult = solve_hat(&w, Imbalances::Multiplicative, HatOptions::default())?;
    Ok((add, mult))
}

fn mc_values(chosen: &HatOutcome, add: &HatOutcome, mult: &HatOutcome, c: usize) -> [f64; 4] {
    let r = &chosen.countries[c];
    [
        pct(add.countries[c].welfare),
        pct(mult.countries[c].welfare),
        pct(r.real_wage),
        change_pct(r.exports_new, r.exports_baseline),
    ]
}

/// Run a `ge_gravity` scenario: its rendered output and charts (SVG by file name).
pub(crate) fn run(
    args: &SimulateOptions,
    doc: &Doc,
    file: &str,
    source: Source<'_>,
    want_charts: bool,
) -> Result<(String, Vec<(&'static str, String)>)> {
    let empty = Table::default();
    let data_t = doc.tables.get("data").unwrap_or(&empty);
    let model_t = &doc.tables["model"];
    let est_t = doc.tables.get("estimate");
    let theta = get_num(model_t, "theta", file)?.with_context(|| {
        format!(
            "{file}:{}: [model] needs theta (the trade elasticity)",
            model_t.line
        )
    })?;
    if !(theta.is_finite() && theta > 0.0) {
        bail!(
            "{file}:{}: theta = {theta}: the trade elasticity must be positive",
            model_t.line_of("theta")
        );
    }
    let imbalances: Imbalances = match get_str(model_t, "imbalances", file)? {
        Some(s) => s
            .parse()
            .map_err(|e| anyhow::anyhow!("{file}:{}: {e}", model_t.line_of("imbalances")))?,
        None => Imbalances::Additive,
    };
    let year = get_num(model_t, "year", file)?.with_context(|| {
        format!(
            "{file}:{}: [model] needs year (the baseline year)",
            model_t.line
        )
    })? as i64;
    let date = match get_str(&doc.root, "date", file)? {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").with_context(|| {
                format!(
                    "{file}:{}: date '{d}' is not YYYY-MM-DD",
                    doc.root.line_of("date")
                )
            })?,
        ),
        None => None,
    };
    let changes = parse_changes(doc, file, date, theta)?;
    if changes.is_empty() {
        bail!("{file}: no [[change]]: nothing to simulate");
    }

    // the estimation, if any
    let formula_text = match est_t {
        Some(t) => Some(
            get_str(t, "formula", file)?
                .with_context(|| format!("{file}:{}: [estimate] needs formula", t.line))?,
        ),
        None => None,
    };
    let formula = match (&formula_text, est_t) {
        (Some(text), Some(t)) => Some(
            Formula::parse(text)
                .map_err(|e| anyhow::anyhow!("{file}:{}: formula: {e}", t.line_of("formula")))?,
        ),
        _ => None,
    };
    let spec = match est_t {
        Some(t) => {
            let vcov = get_str(t, "vcov", file)?;
            let subset = get_str(t, "subset", file)?;
            detour_hdfe::model::SpecText {
                vcov: vcov.as_deref(),
                subset: subset.as_deref(),
                ..Default::default()
            }
            .parse()
            .map_err(|e| anyhow::anyhow!("{file}:{}: {e}", t.line))?
        }
        None => Spec::default(),
    };
    let spec = Spec {
        deadline: args.deadline.instant(),
        ..spec
    };
    let cols = Columns {
        exporter: get_str(data_t, "exporter", file)?.unwrap_or_else(|| "exporter".into()),
        importer: get_str(data_t, "importer", file)?.unwrap_or_else(|| "importer".into()),
        year: get_str(data_t, "year", file)?.unwrap_or_else(|| "year".into()),
        flow: match (get_str(data_t, "flow", file)?, &formula) {
            (Some(f), _) => f,
            (None, Some(f)) => f.outcome.column.clone(),
            (None, None) => "trade".into(),
        },
    };
    let wanted: Vec<(String, i64)> = changes
        .iter()
        .flat_map(|c| {
            c.as_of
                .iter()
                .cloned()
                .chain(c.variable.iter().map(|(v, _)| (v.clone(), year)))
        })
        .collect();
    // the estimation's own data: a query on the store or a file; by default the scenario's data
    let est_sql = est_t
        .map(|t| get_str(t, "sql", file))
        .transpose()?
        .flatten();
    let est_file = est_t
        .map(|t| get_str(t, "file", file))
        .transpose()?
        .flatten();
    if est_sql.is_some() && est_file.is_some() {
        bail!(
            "{file}:{}: [estimate] takes sql or file, not both",
            est_t.map_or(0, |t| t.line)
        );
    }
    let separate = est_sql.is_some() || est_file.is_some();
    let (mut num, mut text) = match (&formula, separate) {
        (Some(f), false) => spec.needed(f),
        _ => (Vec::new(), Vec::new()),
    };
    for c in [&cols.exporter, &cols.importer, &cols.year] {
        if !text.contains(c) {
            text.push(c.clone());
        }
    }
    num.retain(|c| !text.contains(c));
    for c in std::iter::once(&cols.flow).chain(wanted.iter().map(|(v, _)| v)) {
        if !num.contains(c) {
            num.push(c.clone());
        }
    }
    let data_name = source.name();
    let frame = match &source {
        Source::File(p) => detour_store::frame::read_csv(p, &num, &text)?,
        Source::Embedded(name, bytes) => detour_store::frame::read_csv_from(
            name,
            flate2::read::GzDecoder::new(*bytes),
            &num,
            &text,
        )?,
    };
    let (est_frame, est_data_name) = match (&formula, &est_sql, &est_file) {
        (Some(f), Some(q), _) => {
            let store = open_store(args.store.as_deref())?;
            let batches = store
                .sql_blocking(q)
                .with_context(|| format!("{file}: the [estimate] query"))?;
            let _ = f;
            (
                Some(detour_store::frame::from_batches(
                    "the [estimate] query",
                    &batches,
                )?),
                "the [estimate] query on the store".to_string(),
            )
        }
        (Some(f), None, Some(path)) => {
            let path = args
                .scenario
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .join(path);
            let (num, text) = spec.needed(f);
            (
                Some(detour_store::frame::read_csv(&path, &num, &text)?),
                path.display().to_string(),
            )
        }
        _ => (None, data_name.clone()),
    };
    let estimate = match &formula {
        Some(f) => {
            let pb = spinner("estimating the partial effects (PPML)");
            let e = detour_hdfe::model::estimate(f, est_frame.as_ref().unwrap_or(&frame), &spec);
            pb.finish_and_clear();
            Some(e.map_err(|e| match e {
                detour_hdfe::Error::Deadline => anyhow::Error::new(detour_core::Expired),
                e => {
                    anyhow::Error::new(e).context(format!("{file}: estimating the partial effects"))
                }
            })?)
        }
        None => None,
    };
    drop(est_frame);
    if let Some(e) = &estimate
        && !e.fit.converged
    {
        bail!(
            "{file}: the partial-effect estimation did not converge ({} iterations)",
            e.fit.iterations
        );
    }
    let coef: HashMap<String, f64> = estimate
        .iter()
        .flat_map(|e| {
            e.fit
                .coefficients
                .iter()
                .map(|c| (c.name.clone(), c.estimate))
        })
        .collect();
    let p = panel(&frame, &cols, year, &wanted, &data_name)?;
    drop(frame);
    let partial = partials(&p, &changes, &coef, year, file)?;
    check_changes(&p, &changes, &partial, file)?;
    let n = p.countries.len();
    let pb = spinner("solving");
    let t0 = std::time::Instant::now();
    let solved = solve_both(&p, &partial, theta);
    let seconds = t0.elapsed().as_secs_f64();
    pb.finish_and_clear();
    let (add, mult) = solved?;
    let chosen = match imbalances {
        Imbalances::Additive => &add,
        Imbalances::Multiplicative => &mult,
    };

    // Monte Carlo over the estimated coefficients
    let draws = match args.draws {
        Some(d) => d,
        None => get_num(model_t, "draws", file)?
            .map(|d| d as usize)
            .unwrap_or(0),
    };
    if draws == 1 {
        bail!("draws: 1 gives no interval; give 0 (none) or at least 2");
    }
    let mut mc: Option<(usize, McSummary)> = None;
    if draws > 0 {
        use rayon::prelude::*;
        let Some(e) = &estimate else {
            bail!("{file}: Monte Carlo draws need estimated coefficients ([estimate])");
        };
        let names: Vec<String> = e.fit.coefficients.iter().map(|c| c.name.clone()).collect();
        let b0: Vec<f64> = e.fit.coefficients.iter().map(|c| c.estimate).collect();
        let l = detour_hdfe::linalg::cholesky(&e.fit.vcov)
            .context("the coefficients' covariance is not positive definite; no Monte Carlo")?;
        let pb = spinner(&format!("Monte Carlo: {draws} draws"));
        let per_draw: Vec<Option<Vec<[f64; 4]>>> = (0..draws)
            .into_par_iter()
            .map(|d| {
                if args.deadline.passed() {
                    return None;
                }
                let b = draw_coefficients(args.seed, d, &b0, &l);
                let coef: HashMap<String, f64> = names.iter().cloned().zip(b).collect();
                let part = partials(&p, &changes, &coef, year, file).ok()?;
                let (a, m) = solve_both(&p, &part, theta).ok()?;
                let ch = match imbalances {
                    Imbalances::Additive => &a,
                    Imbalances::Multiplicative => &m,
                };
                Some((0..n).map(|c| mc_values(ch, &a, &m, c)).collect())
            })
            .collect();
        pb.finish_and_clear();
        args.deadline.check()?;
        mc = Some(summarise_draws(&per_draw, n)?);
    }

    let name = get_str(&doc.root, "name", file)?.unwrap_or_else(|| file.to_string());
    let note = get_str(data_t, "note", file)?;
    // trade with one economy named in [model] focus (e.g. the sanctioned one), by partner
    let focus = match get_str(model_t, "focus", file)? {
        Some(f) => Some(p.countries.iter().position(|c| *c == f).with_context(|| {
            format!(
                "{file}:{}: focus '{f}' is not in the data",
                model_t.line_of("focus")
            )
        })?),
        None => None,
    };
    let imb_name = match imbalances {
        Imbalances::Additive => "additive",
        Imbalances::Multiplicative => "multiplicative",
    };
    // the partial effect of the first variable the changes use
    let first_var = changes.iter().find_map(|c| {
        c.as_of
            .as_ref()
            .map(|(v, _)| v.clone())
            .or(c.variable.as_ref().map(|(v, _)| v.clone()))
            .or(c.coefficient.as_ref().map(|(v, _)| v.clone()))
    });
    let partial_effect = first_var.as_ref().and_then(|v| {
        estimate
            .as_ref()?
            .fit
            .coefficients
            .iter()
            .find(|c| &c.name == v)
            .map(|c| json!({"name": c.name, "estimate": c.estimate, "std_error": c.std_error}))
    });

    // charts
    let mut charts: Vec<(&'static str, String)> = Vec::new();
    if args.chart_dir.is_some() || want_charts {
        let footer = format!(
            "{name}; data {data_name}, {year}; θ = {theta}, {imb_name} imbalances; detour simulate{}",
            note.as_deref()
                .map(|n| format!("; {n}"))
                .unwrap_or_default()
        );
        let bars = |pick: &dyn Fn(&detour_ge::HatCountry) -> f64| -> Vec<(String, f64)> {
            (0..n)
                .map(|c| (p.countries[c].clone(), pick(&chosen.countries[c])))
                .collect()
        };
        charts = welfare_and_exports_charts(
            args.chart_dir.as_deref(),
            &changes,
            &footer,
            (
                "Welfare change (real expenditure), %",
                bars(&|r| pct(r.welfare)),
            ),
            (
                "Exports change, % (red: economies named in the scenario)",
                bars(&|r| change_pct(r.exports_new, r.exports_baseline)),
            ),
        )?;
    }

    if let Some(path) = &args.pairs_out {
        write_pairs(
            path,
            &[
                "exporter",
                "importer",
                "baseline",
                "partial_effect",
                "new",
                "change_pct",
            ],
            partial.iter().enumerate().map(|(k, part)| {
                vec![
                    p.countries[k / n].clone(),
                    p.countries[k % n].clone(),
                    p.flows[k].to_string(),
                    part.to_string(),
                    chosen.flows[k].to_string(),
                    change_pct(chosen.flows[k], p.flows[k]).to_string(),
                ]
            }),
        )?;
    }

    let rendered = match args.format.as_str() {
        "json" => {
            let rows: Vec<serde_json::Value> = (0..n)
                .map(|c| {
                    let r = &chosen.countries[c];
                    let mut row = json!({
                        "country": p.countries[c],
                        "welfare_change_pct": pct(r.welfare),
                        "welfare_change_pct_additive": pct(add.countries[c].welfare),
                        "welfare_change_pct_mult": pct(mult.countries[c].welfare),
                        "real_wage_change_pct": pct(r.real_wage),
                        "nominal_wage_change_pct": pct(r.nominal_wage),
                        "price_index_change_pct": pct(r.price_index),
                        "exports_baseline": r.exports_baseline,
                        "exports_change_pct": change_pct(r.exports_new, r.exports_baseline),
                        "imports_change_pct": change_pct(r.imports_new, r.imports_baseline),
                        "domestic_change_pct": change_pct(r.domestic_new, r.domestic_baseline),
                    });
                    if let Some(f) = focus.filter(|&f| f != c) {
                        let (to, from) = (c * n + f, f * n + c);
                        row["exports_to_focus_baseline"] = json!(p.flows[to]);
                        row["exports_to_focus_change_pct"] =
                            json!(change_pct(chosen.flows[to], p.flows[to]));
                        row["imports_from_focus_baseline"] = json!(p.flows[from]);
                        row["imports_from_focus_change_pct"] =
                            json!(change_pct(chosen.flows[from], p.flows[from]));
                    }
                    row
                })
                .collect();
            let mut v = json!({
                "scenario": name,
                "method": "ge_gravity",
                "data": data_name,
                "note": note,
                "year": year,
                "theta": theta,
                "imbalances": imb_name,
                "focus": focus.map(|f| p.countries[f].clone()),
                "partial_effect": partial_effect,
                "estimation": estimate.as_ref().map(|e| json!({
                    "formula": formula_text,
                    "data": est_data_name,
                    "vcov": e.fit.vcov_label,
                    "nobs": e.fit.nobs,
                    "iterations": e.fit.iterations,
                    "converged": e.fit.converged,
                    "coefficients": e.fit.coefficients.iter().map(|c| json!({"name": c.name, "estimate": c.estimate, "std_error": c.std_error})).collect::<Vec<_>>(),
                })),
                "pairs_changed": partial.iter().filter(|v| **v != 0.0).count(),
                "iterations": {"additive": add.iterations, "multiplicative": mult.iterations},
                "countries": rows,
                "timing": {"solve_seconds": seconds},
            });
            if let Some((failed, summary)) = &mc {
                v["monte_carlo"] = monte_carlo_json(
                    &p.countries,
                    summary,
                    &MC_MEASURES,
                    (draws, *failed),
                    args.seed,
                );
            }
            format!("{}\n", serde_json::to_string_pretty(&v)?)
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(std::iter::once("country").chain(MC_MEASURES))?;
            for c in 0..n {
                w.write_record(
                    std::iter::once(p.countries[c].clone())
                        .chain(mc_values(chosen, &add, &mult, c).iter().map(f64::to_string)),
                )?;
            }
            String::from_utf8(w.into_inner()?)?
        }
        "table" => {
            let mut s = String::new();
            let _ = writeln!(s, "{name}");
            if let Some(e) = &estimate {
                let coefs: Vec<String> = e
                    .fit
                    .coefficients
                    .iter()
                    .map(|c| format!("{} {:.7} ({:.7})", c.name, c.estimate, c.std_error))
                    .collect();
                let _ = writeln!(
                    s,
                    "Partial effects, PPML on {est_data_name} ({} obs., {}): {}",
                    e.fit.nobs,
                    e.fit.vcov_label,
                    coefs.join(", ")
                );
            }
            let _ = writeln!(
                s,
                "ge_gravity (Armington–CES, exact hat algebra) on the {year} flows: θ = {theta}, {} pairs changed\n",
                partial.iter().filter(|v| **v != 0.0).count()
            );
            let _ = writeln!(
                s,
                "{:<8} {:>11} {:>11} {:>11} {:>10} {:>10}",
                "economy", "welfare %", "welfare×%", "real wage%", "price %", "exports %"
            );
            for c in 0..n {
                let r = &chosen.countries[c];
                let band = match &mc {
                    Some((_, summary)) => {
                        format!("  [{:.3}, {:.3}]", summary[c][0].1, summary[c][0].2)
                    }
                    None => String::new(),
                };
                let _ = writeln!(
                    s,
                    "{:<8} {:>11.4} {:>11.4} {:>11.4} {:>10.4} {:>10.3}{band}",
                    p.countries[c],
                    pct(add.countries[c].welfare),
                    pct(mult.countries[c].welfare),
                    pct(r.real_wage),
                    pct(r.price_index),
                    change_pct(r.exports_new, r.exports_baseline)
                );
            }
            let _ = writeln!(
                s,
                "\nwelfare %: additive trade imbalances; welfare×%: multiplicative (ge_gravity's mult). Real wage, prices and exports: {imb_name} imbalances."
            );
            if let Some((failed, _)) = &mc {
                let _ = writeln!(
                    s,
                    "Brackets: 95% interval of the welfare change over {draws} Monte Carlo draws of the coefficients ({failed} failed)."
                );
            }
            if let Some(n) = &note {
                let _ = writeln!(s, "Note: {n}");
            }
            s
        }
        other => bail!("--format '{other}': expected table, json or csv"),
    };
    Ok((rendered, charts))
}
