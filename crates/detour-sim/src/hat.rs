//! `[model] method = "ge_gravity"`: Zylkin's `ge_gravity` workflow. A panel's partial effects are
//! estimated by PPML (`[estimate]`, e.g. the three-way model with exporter×year, importer×year and pair
//! effects), the scenario's changes turn them into a log change of trade for each pair of the baseline
//! year, and the one-sector Armington–CES model is solved in exact hat algebra on that year's observed
//! flows (`detour_ge::solve_hat`), with additive and multiplicative trade imbalances.

use std::collections::HashMap;

use crate::error::{Result, SimError, err, fail};
use detour_ge::{Imbalances, InputOutput, SectorOutcome, SectorWorld, solve_sectors_from};
use detour_hdfe::Frame;
use detour_hdfe::formula::Formula;
use detour_hdfe::frame::Cell;
use detour_hdfe::model::Spec;

use crate::scenario::{Doc, Table};
use crate::simulate::{
    Change, SimulateOptions, Source, draws, get_num, get_str, monte_carlo, named, parse_changes,
    spinner,
};
use crate::simulation::{
    Coefficient, Estimation, FocusSector, FocusTrade, GE_MC_MEASURES, GeCountry, GeGravity, GePair,
    GeSector, Iterations, Timing, Zeroed, change_pct,
};

fn pct(ratio: f64) -> f64 {
    (ratio - 1.0) * 100.0
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
    /// Sector codes in order of first appearance (one, `all`, without a sector column).
    sectors: Vec<String>,
    /// Flows by sector, `(k · n + i) · n + j`.
    flows: Vec<f64>,
    /// Per regressor named by a change: (value in the baseline year, value as of each change's year) by pair.
    values: HashMap<(String, i64), Vec<f64>>,
    /// Negative flows set to zero (`negative_flows = "zero"`), as they were.
    zeroed: Vec<f64>,
}

fn panel(
    frame: &Frame,
    cols: &Columns,
    year: i64,
    wanted: &[(String, i64)],
    data_name: &str,
) -> Result<Panel> {
    let mut countries: Vec<String> = Vec::new();
    let mut sectors: Vec<String> = Vec::new();
    let mut rows: Vec<(String, String, usize, i64, usize)> = Vec::new();
    for r in 0..frame.nrows() {
        let line = frame.line(r);
        let field = |c: &str| {
            text_col(frame, c, r).ok_or_else(|| err!(data_name, line; "'{c}' is missing"))
        };
        let (ex, im) = (
            cols.rename(field(&cols.exporter)?),
            cols.rename(field(&cols.importer)?),
        );
        let sector = match &cols.sector {
            Some(c) => field(c)?,
            None => "all".to_string(),
        };
        let k = match sectors.iter().position(|x| *x == sector) {
            Some(k) => k,
            None => {
                sectors.push(sector);
                sectors.len() - 1
            }
        };
        let y: i64 = field(&cols.year)?
            .trim()
            .parse()
            .map_err(|_| err!(data_name, line; "'{}' is not a year", cols.year))?;
        for c in [&ex, &im] {
            if !countries.contains(c) {
                countries.push(c.clone());
            }
        }
        rows.push((ex, im, k, y, r));
    }
    countries.sort();
    let n = countries.len();
    let index: HashMap<&str, usize> = countries
        .iter()
        .enumerate()
        .map(|(k, c)| (c.as_str(), k))
        .collect();
    let ns = sectors.len();
    let mut flows = vec![f64::NAN; ns * n * n];
    let mut values: HashMap<(String, i64), Vec<f64>> = HashMap::new();
    let mut years_seen = std::collections::BTreeSet::new();
    let mut zeroed = Vec::new();
    for (ex, im, sector, y, r) in &rows {
        years_seen.insert(*y);
        let k = (sector * n + index[ex.as_str()]) * n + index[im.as_str()];
        let line = frame.line(*r);
        if *y == year {
            if !flows[k].is_nan() {
                fail!(data_name, line; "the pair {ex} → {im} appears twice in {year}{}", if ns > 1 || cols.sector.is_some() {
                    format!(" (sector {})", sectors[*sector])
                } else {
                    String::new()
                });
            }
            let v = num_col(frame, &cols.flow, *r)
                .ok_or_else(|| err!(data_name, line; "'{}' is not a number", cols.flow))?;
            if v < 0.0 && cols.negative_to_zero && v.is_finite() {
                zeroed.push(v);
                flows[k] = 0.0;
                continue;
            }
            if !(v.is_finite() && v >= 0.0) {
                fail!(data_name, line; "'{}' is {v}; flows must be ≥ 0 (or set [data] negative_flows = \"zero\")", cols.flow);
            }
            flows[k] = v;
        }
        for key in wanted.iter().flat_map(|(v, as_of)| {
            [(v.clone(), year), (v.clone(), *as_of)]
                .into_iter()
                .filter(move |(_, yy)| yy == y)
        }) {
            let v = num_col(frame, &key.0, *r)
                .ok_or_else(|| err!(data_name, line; "'{}' is not a number", key.0))?;
            values
                .entry(key)
                .or_insert_with(|| vec![f64::NAN; ns * n * n])[k] = v;
        }
    }
    if !years_seen.contains(&year) {
        fail!(data_name; "no rows for the baseline year {year} (years: {})", years_seen
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", "));
    }
    let pair = |q: usize| {
        let (k, ij) = (q / (n * n), q % (n * n));
        format!(
            "{} → {}{}",
            countries[ij / n],
            countries[ij % n],
            if ns > 1 {
                format!(" in sector {}", sectors[k])
            } else {
                String::new()
            }
        )
    };
    if let Some(q) = flows.iter().position(|v| v.is_nan()) {
        fail!(data_name; "not square in {year}: no flow {} (ge_gravity needs every pair, domestic sales included)", pair(q));
    }
    for ((v, y), vals) in &values {
        if let Some(q) = vals.iter().position(|x| x.is_nan()) {
            fail!(data_name; "no value of '{v}' in {y} for {}", pair(q));
        }
    }
    for (v, y) in wanted {
        for yy in [year, *y] {
            if !values.contains_key(&(v.clone(), yy)) {
                fail!(data_name; "no rows for {yy} (needed for '{v}')");
            }
        }
    }
    Ok(Panel {
        countries,
        sectors,
        flows,
        values,
        zeroed,
    })
}

/// One trade elasticity per sector: `[model] theta`, overridden sector by sector in a `[theta]`
/// table (`c13 = 6`).
fn sector_thetas(doc: &Doc, file: &str, common: f64, sectors: &[String]) -> Result<Vec<f64>> {
    let mut out = vec![common; sectors.len()];
    if let Some(t) = doc.tables.get("theta") {
        for (key, (value, line)) in &t.values {
            let Some(k) = sectors.iter().position(|s| s == key) else {
                fail!(file, line; "sector '{key}' is not in the data (sectors: {})", sectors.join(" "));
            };
            match value {
                crate::scenario::Value::Num(v) if v.is_finite() && *v > 0.0 => out[k] = *v,
                _ => fail!(file, line; "theta of '{key}' must be a positive number"),
            }
        }
    }
    Ok(out)
}

/// The store a scenario's `[estimate] sql` runs on: the one named, or the embedded default.
fn open_store(dir: Option<&std::path::Path>) -> Result<detour_store::Store> {
    match dir {
        Some(d) => detour_store::Store::open(d)
            .map_err(SimError::store(format!("opening store {}", d.display()))),
        None => {
            let pb = spinner("opening the default store");
            let s = detour_store::default_store::open(&|_, _| {});
            pb.finish_and_clear();
            s.map_err(SimError::store("opening the embedded default store"))
        }
    }
}

/// The data's column names (`[data] exporter/importer/year/flow`).
struct Columns {
    exporter: String,
    importer: String,
    year: String,
    flow: String,
    /// The sector column of multi-sector data.
    sector: Option<String>,
    /// Codes recoded on reading (`rename = ["ROM=ROU"]`).
    renames: Vec<(String, String)>,
    /// Negative flows (inventory draw-downs in input–output tables) read as zero.
    negative_to_zero: bool,
}

impl Columns {
    fn rename(&self, code: String) -> String {
        match self.renames.iter().find(|(from, _)| *from == code) {
            Some((_, to)) => to.clone(),
            None => code,
        }
    }
}

/// The partial effects for a coefficient vector: `β·Δx` summed over the changes, plus their `add`s.
fn partials(
    p: &Panel,
    changes: &[Change],
    coef: &HashMap<String, f64>,
    theta: &[f64],
    year: i64,
    file: &str,
) -> Result<Vec<f64>> {
    let n = p.countries.len();
    let mut out = vec![0.0; p.sectors.len() * n * n];
    for c in changes {
        let mut fixed = 0.0;
        if let Some((v, times)) = &c.coefficient {
            let b = coef.get(v).ok_or_else(|| err!(file, c.line; "coefficient '{v}' is not estimated (the [estimate] formula's regressors: {})", coef.keys().cloned().collect::<Vec<_>>().join(", ")))?;
            fixed += b * times;
        }
        let var_coef = |v: &str| -> Result<f64> {
            coef.get(v).copied().ok_or_else(|| err!(file, c.line; "'{v}' has no estimated coefficient (give [estimate] with it as a regressor)"))
        };
        let var = match (&c.variable, &c.as_of) {
            (Some((v, _)), _) | (None, Some((v, _))) => Some((v, var_coef(v)?)),
            _ => None,
        };
        for (q, slot) in out.iter_mut().enumerate() {
            let (k, ij) = (q / (n * n), q % (n * n));
            if !c.selects(&p.countries[ij / n], &p.countries[ij % n])
                || !c.selects_sector(&p.sectors[k])
            {
                continue;
            }
            let mut d = fixed + c.cost_change(theta[k]);
            if let Some((v, b)) = var {
                let old = p.values[&(v.clone(), year)][q];
                let new = match (&c.variable, &c.as_of) {
                    (Some((_, value)), _) => *value,
                    (None, Some((_, as_of))) => p.values[&(v.clone(), *as_of)][q],
                    _ => old,
                };
                d += b * (new - old);
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
                fail!(file, line; "economy '{code}' is not in the data ({n} economies: {})", p.countries.join(" "));
            }
        }
        for code in c.sectors.iter().flatten() {
            if !p.sectors.contains(code) {
                fail!(file, c.line; "sector '{code}' is not in the data (sectors: {})", p.sectors.join(" "));
            }
        }
        if c.domestic {
            fail!(file, c.line; "ge_gravity changes international trade costs only (no 'domestic')");
        }
        let zero = (0..partial.len()).find(|&q| {
            let (k, ij) = (q / (n * n), q % (n * n));
            partial[q] != 0.0
                && p.flows[q] == 0.0
                && c.selects(&p.countries[ij / n], &p.countries[ij % n])
                && c.selects_sector(&p.sectors[k])
        });
        if let Some(q) = zero {
            let (k, ij) = (q / (n * n), q % (n * n));
            let only_zero = (0..partial.len()).all(|q2| {
                let (k2, ij2) = (q2 / (n * n), q2 % (n * n));
                !(c.selects(&p.countries[ij2 / n], &p.countries[ij2 % n])
                    && c.selects_sector(&p.sectors[k2]))
                    || p.flows[q2] == 0.0
            });
            // one sector: any zero pair is an error; by sector, only a change that meets no trade at all
            if p.sectors.len() == 1 || only_zero {
                fail!(file, c.line; "the change falls on {} → {}{}, which has no baseline trade: in exact hat algebra a cost change on a zero flow has no effect. Leave that pair out", p.countries[ij / n], p.countries[ij % n], if p.sectors.len() > 1 {
                    format!(" (sector {})", p.sectors[k])
                } else {
                    String::new()
                });
            }
        }
    }
    Ok(())
}

fn world<'a>(
    p: &'a Panel,
    partial: &'a [f64],
    theta: &'a [f64],
    io: Option<&'a (Vec<f64>, Vec<f64>)>,
) -> SectorWorld<'a> {
    SectorWorld {
        n: p.countries.len(),
        sectors: p.sectors.len(),
        flows: &p.flows,
        partial,
        theta,
        io: io.map(|(g, inp)| InputOutput {
            value_added_share: g,
            input_share: inp,
        }),
    }
}

/// The point estimate's counterfactual under both imbalance rules.
fn solve_both(
    p: &Panel,
    partial: &[f64],
    theta: &[f64],
    io: Option<&(Vec<f64>, Vec<f64>)>,
) -> Result<(SectorOutcome, SectorOutcome)> {
    let w = world(p, partial, theta, io);
    let add = solve_sectors_from(&w, Imbalances::Additive, TOL, None)?;
    let mult = solve_sectors_from(&w, Imbalances::Multiplicative, TOL, None)?;
    Ok((add, mult))
}

/// A Monte Carlo draw: the scenario's imbalance rule only, started from the point estimate's
/// solution, to a tolerance whose error stays far below the draws' spread.
fn solve_one(
    p: &Panel,
    partial: &[f64],
    theta: &[f64],
    io: Option<&(Vec<f64>, Vec<f64>)>,
    imbalances: Imbalances,
    start: &SectorOutcome,
) -> Result<SectorOutcome> {
    let w = world(p, partial, theta, io);
    Ok(solve_sectors_from(&w, imbalances, MC_TOL, Some(start))?)
}

/// The wages' convergence tolerance (largest change of log ŵ).
const TOL: f64 = 1e-13;
/// The same for Monte Carlo draws.
const MC_TOL: f64 = 1e-10;

/// One Monte Carlo draw's measures (the scenario's imbalance rule).
fn mc_values(o: &SectorOutcome, c: usize) -> [f64; 3] {
    let r = &o.countries[c];
    [
        pct(r.welfare),
        pct(r.real_wage),
        change_pct(r.exports_new, r.exports_baseline),
    ]
}

/// Solve a `ge_gravity` scenario.
pub(crate) fn run(
    args: &SimulateOptions,
    doc: &Doc,
    file: &str,
    source: Source<'_>,
) -> Result<GeGravity> {
    let empty = Table::default();
    let data_t = doc.tables.get("data").unwrap_or(&empty);
    let model_t = &doc.tables["model"];
    let est_t = doc.tables.get("estimate");
    let theta = get_num(model_t, "theta", file)?
        .ok_or_else(|| err!(file, model_t.line; "[model] needs theta (the trade elasticity)"))?;
    if !(theta.is_finite() && theta > 0.0) {
        fail!(file, model_t.line_of("theta"); "theta = {theta}: the trade elasticity must be positive");
    }
    let imbalances: Imbalances = match get_str(model_t, "imbalances", file)? {
        Some(s) => s
            .parse()
            .map_err(|e| err!(file, model_t.line_of("imbalances"); "{e}"))?,
        None => Imbalances::Additive,
    };
    let year = get_num(model_t, "year", file)?
        .ok_or_else(|| err!(file, model_t.line; "[model] needs year (the baseline year)"))?
        as i64;
    let changes = parse_changes(doc, file)?;
    if changes.is_empty() {
        fail!(file; "no [[change]]: nothing to simulate");
    }

    // the estimation, if any
    let formula_text = match est_t {
        Some(t) => Some(
            get_str(t, "formula", file)?
                .ok_or_else(|| err!(file, t.line; "[estimate] needs formula"))?,
        ),
        None => None,
    };
    let formula = match (&formula_text, est_t) {
        (Some(text), Some(t)) => Some(
            Formula::parse(text).map_err(|e| err!(file, t.line_of("formula"); "formula: {e}"))?,
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
            .map_err(|e| err!(file, t.line; "{e}"))?
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
        sector: get_str(data_t, "sector", file)?,
        negative_to_zero: match get_str(data_t, "negative_flows", file)?.as_deref() {
            None | Some("error") => false,
            Some("zero") => true,
            Some(o) => fail!(file, data_t.line_of("negative_flows"); "negative_flows '{o}': expected error (the default) or zero"),
        },
        renames: match data_t.get("rename") {
            None => Vec::new(),
            Some(v) => v
                .as_strings()
                .and_then(|l| {
                    l.iter()
                        .map(|r| {
                            r.split_once('=')
                                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                        })
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| err!(file, data_t.line_of("rename"); "rename must be a list of \"OLD=NEW\" codes"))?,
        },
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
        fail!(file, est_t.map_or(0, |t| t.line); "[estimate] takes sql or file, not both");
    }
    let separate = est_sql.is_some() || est_file.is_some();
    let (mut num, mut text) = match (&formula, separate) {
        (Some(f), false) => spec.needed(f),
        _ => (Vec::new(), Vec::new()),
    };
    for c in [&cols.exporter, &cols.importer, &cols.year]
        .into_iter()
        .chain(cols.sector.iter())
    {
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
    let frame = source.read(&num, &text)?;
    let (est_frame, est_data_name) = match (&formula, &est_sql, &est_file) {
        (Some(f), Some(q), _) => {
            let store = open_store(args.store.as_deref())?;
            let batches = store
                .sql_blocking(q)
                .map_err(SimError::store(format!("{file}: the [estimate] query")))?;
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
    let mut estimate_seconds = 0.0;
    let estimate = match &formula {
        Some(f) => {
            let pb = spinner("estimating the partial effects (PPML)");
            let t0 = std::time::Instant::now();
            let e = detour_hdfe::model::estimate(f, est_frame.as_ref().unwrap_or(&frame), &spec);
            estimate_seconds = t0.elapsed().as_secs_f64();
            pb.finish_and_clear();
            Some(e.map_err(SimError::estimation(format!(
                "{file}: estimating the partial effects"
            )))?)
        }
        None => None,
    };
    drop(est_frame);
    if let Some(e) = &estimate
        && !e.fit.converged
    {
        fail!(file; "the partial-effect estimation did not converge ({} iterations)", e.fit.iterations);
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
    let thetas = sector_thetas(doc, file, theta, &p.sectors)?;
    let io = match get_str(data_t, "io", file)? {
        Some(io_file) => {
            let output = get_str(data_t, "output", file)?.ok_or_else(|| err!(file, data_t.line_of("io"); "io needs output = \"…\" too (gross output and value added by country and sector)"))?;
            let dir = args.scenario.parent().unwrap_or(std::path::Path::new("."));
            Some(crate::io_table::read(
                &p.countries,
                &p.sectors,
                &dir.join(io_file),
                &dir.join(output),
                &|c| cols.rename(c),
            )?)
        }
        None => None,
    };
    let partial = partials(&p, &changes, &coef, &thetas, year, file)?;
    check_changes(&p, &changes, &partial, file)?;
    let n = p.countries.len();
    let pb = spinner("solving");
    let t0 = std::time::Instant::now();
    let solved = solve_both(&p, &partial, &thetas, io.as_ref());
    let seconds = t0.elapsed().as_secs_f64();
    pb.finish_and_clear();
    let (add, mult) = solved?;
    let chosen = match imbalances {
        Imbalances::Additive => &add,
        Imbalances::Multiplicative => &mult,
    };

    // Monte Carlo over the estimated coefficients
    let draws = draws(args, model_t, file)?;
    let monte_carlo = match (draws, &estimate) {
        (0, _) => None,
        (_, None) => {
            fail!(file; "Monte Carlo draws need estimated coefficients ([estimate])")
        }
        (_, Some(e)) => {
            let names: Vec<String> = e.fit.coefficients.iter().map(|c| c.name.clone()).collect();
            let b0: Vec<f64> = e.fit.coefficients.iter().map(|c| c.estimate).collect();
            Some(monte_carlo(
                args,
                draws,
                &b0,
                &e.fit.vcov,
                &p.countries,
                &GE_MC_MEASURES,
                |b| {
                    let coef: HashMap<String, f64> =
                        names.iter().cloned().zip(b.iter().copied()).collect();
                    let part = partials(&p, &changes, &coef, &thetas, year, file).ok()?;
                    let o = solve_one(&p, &part, &thetas, io.as_ref(), imbalances, chosen).ok()?;
                    Some((0..n).map(|c| mc_values(&o, c)).collect())
                },
            )?)
        }
    };

    let note = get_str(data_t, "note", file)?;
    // trade with one economy named in [model] focus (e.g. the sanctioned one), by partner
    let focus = match get_str(model_t, "focus", file)? {
        Some(f) => Some(p.countries.iter().position(|c| *c == f).ok_or_else(
            || err!(file, model_t.line_of("focus"); "focus '{f}' is not in the data"),
        )?),
        None => None,
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
            .map(Coefficient::of)
    });
    let ns = p.sectors.len();
    let total =
        |m: &[f64], i: usize, j: usize| -> f64 { (0..ns).map(|k| m[(k * n + i) * n + j]).sum() };
    let countries = (0..n)
        .map(|c| {
            let r = &chosen.countries[c];
            GeCountry {
                country: p.countries[c].clone(),
                welfare_change_pct: pct(r.welfare),
                welfare_change_pct_additive: pct(add.countries[c].welfare),
                welfare_change_pct_mult: pct(mult.countries[c].welfare),
                real_wage_change_pct: pct(r.real_wage),
                real_gdp_change_pct: pct(r.real_wage),
                nominal_wage_change_pct: pct(r.nominal_wage),
                price_index_change_pct: pct(r.price_index),
                exports_baseline: r.exports_baseline,
                exports_change_pct: change_pct(r.exports_new, r.exports_baseline),
                imports_change_pct: change_pct(r.imports_new, r.imports_baseline),
                domestic_change_pct: change_pct(r.domestic_new, r.domestic_baseline),
                focus: focus.filter(|&f| f != c).map(|f| {
                    let (to_b, to_n) = (total(&p.flows, c, f), total(&chosen.flows, c, f));
                    let (from_b, from_n) = (total(&p.flows, f, c), total(&chosen.flows, f, c));
                    FocusTrade {
                        exports_to_focus_baseline: to_b,
                        exports_to_focus_change_pct: change_pct(to_n, to_b),
                        imports_from_focus_baseline: from_b,
                        imports_from_focus_change_pct: change_pct(from_n, from_b),
                    }
                }),
            }
        })
        .collect();
    // by sector (multi-sector data): world trade across borders and, with focus, its trade
    let sectors = (ns > 1).then(|| {
        (0..ns)
            .map(|k| {
                let sum = |m: &[f64], keep: &dyn Fn(usize, usize) -> bool| -> f64 {
                    let mut t = 0.0;
                    for i in 0..n {
                        for j in 0..n {
                            if keep(i, j) {
                                t += m[(k * n + i) * n + j];
                            }
                        }
                    }
                    t
                };
                let intl = |i: usize, j: usize| i != j;
                GeSector {
                    sector: p.sectors[k].clone(),
                    theta: thetas[k],
                    pairs_changed: partial[k * n * n..(k + 1) * n * n]
                        .iter()
                        .filter(|v| **v != 0.0)
                        .count(),
                    world_trade_baseline: sum(&p.flows, &intl),
                    world_trade_change_pct: change_pct(
                        sum(&chosen.flows, &intl),
                        sum(&p.flows, &intl),
                    ),
                    focus: focus.map(|f| {
                        let imp = |i: usize, j: usize| j == f && i != f;
                        let exp = |i: usize, j: usize| i == f && j != f;
                        FocusSector {
                            focus_imports_baseline: sum(&p.flows, &imp),
                            focus_imports_change_pct: change_pct(
                                sum(&chosen.flows, &imp),
                                sum(&p.flows, &imp),
                            ),
                            focus_exports_baseline: sum(&p.flows, &exp),
                            focus_exports_change_pct: change_pct(
                                sum(&chosen.flows, &exp),
                                sum(&p.flows, &exp),
                            ),
                        }
                    }),
                }
            })
            .collect()
    });
    let pairs = partial
        .iter()
        .enumerate()
        .map(|(q, part)| {
            let (k, ij) = (q / (n * n), q % (n * n));
            GePair {
                exporter: p.countries[ij / n].clone(),
                importer: p.countries[ij % n].clone(),
                sector: (ns > 1).then(|| p.sectors[k].clone()),
                baseline: p.flows[q],
                partial_effect: *part,
                new: chosen.flows[q],
            }
        })
        .collect();
    Ok(GeGravity {
        scenario: get_str(&doc.root, "name", file)?.unwrap_or_else(|| file.to_string()),
        method: "ge_gravity",
        data: data_name,
        note,
        year,
        theta,
        imbalances: match imbalances {
            Imbalances::Additive => "additive",
            Imbalances::Multiplicative => "multiplicative",
        },
        focus: focus.map(|f| p.countries[f].clone()),
        sectors,
        negative_flows_zeroed: Zeroed {
            count: p.zeroed.len(),
            sum: p.zeroed.iter().sum(),
        },
        input_output: io.is_some(),
        partial_effect,
        estimation: estimate.as_ref().map(|e| Estimation {
            formula: formula_text.clone().unwrap_or_default(),
            data: est_data_name.clone(),
            vcov: e.fit.vcov_label.clone(),
            nobs: e.fit.nobs,
            iterations: e.fit.iterations,
            converged: e.fit.converged,
            coefficients: e.fit.coefficients.iter().map(Coefficient::of).collect(),
        }),
        pairs_changed: partial.iter().filter(|v| **v != 0.0).count(),
        iterations: Iterations {
            additive: add.iterations,
            multiplicative: mult.iterations,
        },
        countries,
        timing: Timing {
            estimate_seconds: Some(estimate_seconds),
            solve_seconds: seconds,
            solves: Some(2),
        },
        monte_carlo,
        pairs,
        named: named(&changes),
    })
}
