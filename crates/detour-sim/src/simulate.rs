//! `detour simulate SCENARIO.toml`: estimate the baseline gravity model on the scenario's data, change the
//! trade costs as the scenario says, and solve the conditional and full-endowment general equilibria.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use detour_core::group::Groups;
use detour_ge::{Stopping, World};
use detour_hdfe::formula::{Formula, Func};
use detour_hdfe::{Design, Options, VcovType};
use serde_json::json;

use crate::scenario::{self, Table, Value};

/// A spinner on stderr for long steps (hidden when stderr is not a terminal).
pub(crate) fn spinner(msg: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg}").expect("valid template"),
    );
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// What to simulate and how to answer (the CLI's `detour simulate` options).
#[derive(Debug, Clone, Default)]
pub struct SimulateOptions {
    /// The scenario file (see examples/scenarios).
    pub scenario: PathBuf,
    /// Data file, overriding the scenario's `[data] file`.
    pub data: Option<PathBuf>,
    /// converged (default) or book (the do-file's early stopping rule).
    pub stopping: Option<String>,
    /// table, json or csv.
    pub format: String,
    /// Write the pair results (baseline, conditional and full-endowment flows) to this CSV file.
    pub pairs_out: Option<PathBuf>,
    /// Monte Carlo draws of the coefficients from their estimated (robust) covariance, each solved anew;
    /// gives standard errors and 95% intervals (default: the scenario's `draws`, else none).
    pub draws: Option<usize>,
    /// Write charts here: welfare.svg/.png (welfare change by country) and exports.svg/.png (full-endowment change of
    /// exports, the countries named in the scenario's changes highlighted against third countries).
    pub chart_dir: Option<PathBuf>,
    /// Seed of the Monte Carlo draws.
    pub seed: u64,
    /// Stop with [`Expired`](detour_core::Expired) once this has passed.
    pub deadline: detour_core::Deadline,
    /// The store a scenario's `[estimate] sql` runs on (default: the embedded default store).
    pub store: Option<PathBuf>,
}

/// A scenario shipped in the binary, run in memory (no file is written).
struct Embedded<'a> {
    name: &'a str,
    text: &'a str,
}

/// The embedded scenarios' data file, by its path in the repository (written once: it names the
/// data in output and is what the binary embeds).
macro_rules! embedded_data_path {
    () => {
        "data/gravity/yotov2016_ch2_trade_without_border_2006.csv.gz"
    };
}
const EMBEDDED_DATA_NAME: &str = embedded_data_path!();

/// Per country, per measure: (standard error, 2.5th and 97.5th percentiles) over the draws.
pub(crate) type Summary<const M: usize> = Vec<[(f64, f64, f64); M]>;
type McSummary = Summary<6>;

/// The headline measures: summarised over Monte Carlo draws and written by `--format csv`.
const MC_MEASURES: [&str; 6] = [
    "exports_change_pct_conditional",
    "exports_change_pct_full",
    "factory_gate_price_change_pct",
    "imr_change_pct",
    "real_gdp_change_pct",
    "welfare_change_pct",
];

fn mc_values(r: &detour_ge::CountryResult) -> [f64; 6] {
    [
        r.exports_change_pct_conditional,
        r.exports_change_pct_full,
        r.factory_gate_price_change_pct,
        r.imr_change_pct_full,
        r.real_gdp_change_pct,
        r.welfare_change_pct,
    ]
}

/// SplitMix64 and Box–Muller: standard normal draws, reproducible from a seed.
pub(crate) struct Normal(pub(crate) u64);

impl Normal {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub(crate) fn sample(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// (standard deviation, 2.5th and 97.5th percentiles) of a sample.
pub(crate) fn summarise(v: &mut [f64]) -> (f64, f64, f64) {
    let m = v.len() as f64;
    let mean = v.iter().sum::<f64>() / m;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1.0).max(1.0)).sqrt();
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let pos = p * (v.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
    };
    (sd, q(0.025), q(0.975))
}

/// One trade-cost change of the scenario.
pub(crate) struct Change {
    pub(crate) line: usize,
    /// A regressor set to a value.
    pub(crate) variable: Option<(String, f64)>,
    /// A regressor set to its own value in another year of a panel (`as_of = 2014`).
    pub(crate) as_of: Option<(String, i64)>,
    /// Added to the log cost term (the log change of trade it implies).
    pub(crate) add: f64,
    /// A tariff equivalent `t`: `−elasticity · ln(1 + t)` added to the log cost term.
    pub(crate) tariff: Option<f64>,
    /// An estimated coefficient (times a factor) added to the log cost term.
    pub(crate) coefficient: Option<(String, f64)>,
    /// The sectors the change applies to (multi-sector data; all when absent).
    pub(crate) sectors: Option<Vec<String>>,
    pub(crate) exporters: Option<Vec<String>>,
    pub(crate) importers: Option<Vec<String>>,
    pub(crate) both: bool,
    pub(crate) domestic: bool,
    /// Countries named directly (not through a group), with their lines.
    pub(crate) named: Vec<(String, usize)>,
}

impl Change {
    /// The change of the log cost term from `add` and `tariff`, for a trade elasticity (`σ − 1` in
    /// the book's model, θ in `ge_gravity`).
    pub(crate) fn cost_change(&self, elasticity: f64) -> f64 {
        self.add - self.tariff.map_or(0.0, |t| elasticity * (1.0 + t).ln())
    }

    /// Whether the change applies to sector `code`.
    pub(crate) fn selects_sector(&self, code: &str) -> bool {
        self.sectors
            .as_ref()
            .is_none_or(|l| l.iter().any(|c| c == code))
    }

    /// Whether the change applies to the flow `ex → im`.
    pub(crate) fn selects(&self, ex: &str, im: &str) -> bool {
        if ex == im && !self.domestic {
            return false;
        }
        let inl = |l: &Option<Vec<String>>, code: &str| {
            l.as_ref().is_none_or(|v| v.iter().any(|x| x == code))
        };
        let fwd = inl(&self.exporters, ex) && inl(&self.importers, im);
        let back = self.both && inl(&self.exporters, im) && inl(&self.importers, ex);
        fwd || back
    }
}

pub(crate) fn get_str(t: &Table, key: &str, file: &str) -> Result<Option<String>> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        Some(_) => bail!("{file}:{}: '{key}' must be a string", t.line_of(key)),
    }
}

pub(crate) fn get_num(t: &Table, key: &str, file: &str) -> Result<Option<f64>> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::Num(v)) => Ok(Some(*v)),
        Some(_) => bail!("{file}:{}: '{key}' must be a number", t.line_of(key)),
    }
}

/// Expand a list of countries and groups (valid on `date`) into codes.
pub(crate) fn expand(
    list: &[String],
    date: Option<NaiveDate>,
    file: &str,
    line: usize,
) -> Result<Vec<String>> {
    let groups = Groups::global();
    let mut out = Vec::new();
    for item in list {
        if groups.is_group(item) {
            let Some(d) = date else {
                bail!(
                    "{file}:{line}: group '{item}' needs a date (date = \"YYYY-MM-DD\") to know its members"
                );
            };
            out.extend(groups.members_on(item, d)?);
        } else {
            out.push(item.clone());
        }
    }
    Ok(out)
}

/// The scenario's `[[change]]` tables.
pub(crate) fn parse_changes(
    doc: &scenario::Doc,
    file: &str,
    date: Option<NaiveDate>,
) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    for t in doc.arrays.get("change").map(Vec::as_slice).unwrap_or(&[]) {
        let as_of = match get_num(t, "as_of", file)? {
            Some(y) if y.fract() == 0.0 => Some(y as i64),
            Some(y) => bail!("{file}:{}: as_of {y} is not a year", t.line_of("as_of")),
            None => None,
        };
        let variable = match (
            get_str(t, "variable", file)?,
            get_num(t, "value", file)?,
            as_of,
        ) {
            (Some(v), Some(x), None) => Some((v, x)),
            (Some(_), None, Some(_)) | (None, None, None) => None,
            (Some(_), Some(_), Some(_)) => {
                bail!("{file}:{}: give 'value' or 'as_of', not both", t.line)
            }
            _ => bail!("{file}:{}: 'variable' goes with 'value' or 'as_of'", t.line),
        };
        let as_of_variable = match as_of {
            Some(y) => Some((get_str(t, "variable", file)?.unwrap_or_default(), y)),
            None => None,
        };
        let coefficient = match get_str(t, "coefficient", file)? {
            Some(c) => Some((c, get_num(t, "times", file)?.unwrap_or(1.0))),
            None => None,
        };
        let tariff = get_num(t, "tariff", file)?;
        if let Some(x) = tariff
            && !(x > -1.0 && x.is_finite())
        {
            bail!(
                "{file}:{}: tariff {x}: a tariff equivalent must be above -1 (-100%)",
                t.line_of("tariff")
            );
        }
        let add = get_num(t, "add", file)?.unwrap_or(0.0);
        let sectors = match t.get("sectors") {
            None => None,
            Some(v) => Some(v.as_strings().with_context(|| {
                format!(
                    "{file}:{}: 'sectors' must be a list of sector codes",
                    t.line_of("sectors")
                )
            })?),
        };
        if variable.is_none()
            && as_of.is_none()
            && coefficient.is_none()
            && add == 0.0
            && tariff.is_none()
        {
            bail!(
                "{file}:{}: a [[change]] needs 'variable' + 'value' (or 'as_of'), 'coefficient', 'add' or 'tariff'",
                t.line
            );
        }
        let list = |key: &str| -> Result<Option<Vec<String>>> {
            match t.get(key) {
                None => Ok(None),
                Some(v) => {
                    let l = v.as_strings().with_context(|| {
                        format!(
                            "{file}:{}: '{key}' must be a list of countries or groups",
                            t.line_of(key)
                        )
                    })?;
                    Ok(Some(expand(&l, date, file, t.line_of(key))?))
                }
            }
        };
        let mut named = Vec::new();
        for key in ["exporters", "importers"] {
            if let Some(l) = t.get(key).and_then(Value::as_strings) {
                named.extend(
                    l.into_iter()
                        .filter(|c| !Groups::global().is_group(c))
                        .map(|c| (c, t.line_of(key))),
                );
            }
        }
        let both = matches!(t.get("both_directions"), Some(Value::Bool(true)));
        let domestic = matches!(t.get("domestic"), Some(Value::Bool(true)));
        changes.push(Change {
            line: t.line,
            variable,
            as_of: as_of_variable,
            add,
            tariff,
            coefficient,
            sectors,
            exporters: list("exporters")?,
            importers: list("importers")?,
            both,
            domestic,
            named,
        });
    }

    Ok(changes)
}

/// Draw `d` of the coefficients: `b + L z` with `L` the Cholesky factor (row-major, lower) of their
/// covariance and `z` standard normal, reproducible from the seed.
pub(crate) fn draw_coefficients(seed: u64, d: usize, b: &[f64], l: &[f64]) -> Vec<f64> {
    let p = b.len();
    let mut rng = Normal(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (d as u64 + 1));
    let z: Vec<f64> = (0..p).map(|_| rng.sample()).collect();
    (0..p)
        .map(|i| b[i] + (0..=i).map(|k| l[i * p + k] * z[k]).sum::<f64>())
        .collect()
}

/// The draws that solved, summarised per country and measure; (failed draws, summary).
pub(crate) fn summarise_draws<const M: usize>(
    per_draw: &[Option<Vec<[f64; M]>>],
    n: usize,
) -> Result<(usize, Summary<M>)> {
    let ok: Vec<&Vec<[f64; M]>> = per_draw.iter().flatten().collect();
    if ok.len() < 2 {
        bail!(
            "Monte Carlo: {} of {} draws solved; an interval needs at least 2",
            ok.len(),
            per_draw.len()
        );
    }
    let summary = (0..n)
        .map(|c| {
            std::array::from_fn(|m| {
                let mut v: Vec<f64> = ok.iter().map(|d| d[c][m]).collect();
                summarise(&mut v)
            })
        })
        .collect();
    Ok((per_draw.len() - ok.len(), summary))
}

/// Write the pair results to a CSV file.
pub(crate) fn write_pairs(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.flush()
        .with_context(|| format!("writing {}", path.display()))
}

/// The Monte Carlo summary as JSON: per country, each measure's standard error and 95% interval.
pub(crate) fn monte_carlo_json<const M: usize>(
    countries: &[String],
    summary: &Summary<M>,
    measures: &[&str; M],
    (draws, failed): (usize, usize),
    seed: u64,
) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = countries
        .iter()
        .zip(summary)
        .map(|(c, s)| {
            let mut o = serde_json::Map::new();
            o.insert("country".into(), json!(c));
            for (name, (sd, lo, hi)) in measures.iter().zip(s) {
                o.insert(
                    (*name).into(),
                    json!({"se": sd, "ci_low": lo, "ci_high": hi}),
                );
            }
            serde_json::Value::Object(o)
        })
        .collect();
    json!({"draws": draws, "failed": failed, "seed": seed, "countries": rows})
}

/// The two bar charts of a simulation, `welfare.svg` and `exports.svg` (bars sorted, the economies the
/// changes name highlighted), written with PNG copies to `dir` when given; their SVG by file name.
pub(crate) fn welfare_and_exports_charts(
    dir: Option<&Path>,
    changes: &[Change],
    footer: &str,
    welfare: (&str, Vec<(String, f64)>),
    exports: (&str, Vec<(String, f64)>),
) -> Result<Vec<(&'static str, String)>> {
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let named: Vec<String> = changes
        .iter()
        .flat_map(|c| {
            c.exporters
                .iter()
                .chain(c.importers.iter())
                .flatten()
                .cloned()
        })
        .collect();
    let mut charts = Vec::new();
    for (file_name, (title, mut bars)) in [("welfare.svg", welfare), ("exports.svg", exports)] {
        bars.sort_by(|a, b| b.1.total_cmp(&a.1));
        let svg = detour_charts::bar_svg(
            title,
            "percent change against the baseline",
            &bars,
            &named,
            footer,
        );
        if let Some(dir) = dir {
            let path = dir.join(file_name);
            std::fs::write(&path, &svg).with_context(|| format!("writing {}", path.display()))?;
            let png = path.with_extension("png");
            detour_charts::png::write_chart(&png, &svg)
                .with_context(|| format!("writing {}", png.display()))?;
        }
        charts.push((file_name, svg));
    }
    Ok(charts)
}

pub fn run(args: &SimulateOptions) -> Result<String> {
    Ok(run_with(args, None, false)?.0)
}

/// [`run`] on the scenario's file or an embedded scenario; with `want_charts`, the charts' SVG
/// (by file name) come back as well as being written to `chart_dir` when that is set.
fn run_with(
    args: &SimulateOptions,
    embedded: Option<Embedded<'_>>,
    want_charts: bool,
) -> Result<(String, Vec<(&'static str, String)>)> {
    let (file, text) = match &embedded {
        Some(e) => (
            format!("embedded scenario '{}'", e.name),
            e.text.to_string(),
        ),
        None => {
            let file = args.scenario.display().to_string();
            let text = std::fs::read_to_string(&args.scenario)
                .with_context(|| format!("reading {file}"))?;
            (file, text)
        }
    };
    let doc = scenario::parse(&text, &file)?;
    doc.check_keys(&file)?;
    let empty = Table::default();
    let data_t = doc.tables.get("data").unwrap_or(&empty);
    let model_t = doc
        .tables
        .get("model")
        .with_context(|| format!("{file}: no [model] table"))?;
    let base_dir = args.scenario.parent().unwrap_or(Path::new("."));
    let data_path = match (&args.data, get_str(data_t, "file", &file)?) {
        _ if embedded.is_some() => PathBuf::from(EMBEDDED_DATA_NAME),
        (Some(p), _) => p.clone(),
        (None, Some(f)) => base_dir.join(f),
        (None, None) => bail!("{file}: no data: give [data] file = \"…\" or --data"),
    };
    match get_str(model_t, "method", &file)?.as_deref() {
        None | Some("structural") => {}
        Some("ge_gravity") => {
            let source = match &embedded {
                Some(_) => crate::hat::Source::Embedded(EMBEDDED_WIOD_NAME, EMBEDDED_WIOD),
                None => crate::hat::Source::File(data_path),
            };
            return crate::hat::run(args, &doc, &file, source, want_charts);
        }
        Some(other) => bail!(
            "{file}:{}: method '{other}': expected structural (the book's model, the default) or ge_gravity",
            model_t.line_of("method")
        ),
    }
    let formula_text = get_str(model_t, "formula", &file)?
        .with_context(|| format!("{file}:{}: [model] needs formula", model_t.line))?;
    let formula =
        Formula::parse(&formula_text).map_err(|e| anyhow::anyhow!("{file}: formula: {e}"))?;
    if formula.fixed_effects.len() != 2 || formula.fixed_effects.iter().any(|f| f.len() != 1) {
        bail!(
            "{file}: the baseline formula must have exactly an exporter and an importer effect: '… | exporter + importer'"
        );
    }
    let exporter_col = formula.fixed_effects[0][0].clone();
    let importer_col = formula.fixed_effects[1][0].clone();
    let sigma = get_num(model_t, "sigma", &file)?
        .with_context(|| format!("{file}:{}: [model] needs sigma", model_t.line))?;
    let reference = get_str(model_t, "reference", &file)?.with_context(|| {
        format!(
            "{file}:{}: [model] needs reference (a country code)",
            model_t.line
        )
    })?;
    let stopping_name = args
        .stopping
        .clone()
        .or(get_str(model_t, "stopping", &file)?)
        .unwrap_or_else(|| "converged".into());
    let stopping = match stopping_name.as_str() {
        "converged" => Stopping::default(),
        "book" => Stopping::Book,
        other => bail!("stopping '{other}': expected converged or book"),
    };
    let date = match get_str(&doc.root, "date", &file)? {
        Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").with_context(|| {
            format!(
                "{file}:{}: date '{d}' is not YYYY-MM-DD",
                doc.root.line_of("date")
            )
        })?),
        None => None,
    };
    let changes = parse_changes(&doc, &file, date)?;
    if let Some(c) = changes
        .iter()
        .find(|c| c.as_of.is_some() || c.coefficient.is_some() || c.sectors.is_some())
    {
        bail!(
            "{file}:{}: 'as_of', 'coefficient' and 'sectors' need method = \"ge_gravity\" (a panel and its own estimate)",
            c.line
        );
    }

    // data and baseline estimation; output and expenditure columns are optional (default: the flows' sums)
    let output_col = get_str(data_t, "output", &file)?;
    let expenditure_col = get_str(data_t, "expenditure", &file)?;
    let extra: Vec<String> = output_col
        .iter()
        .chain(expenditure_col.iter())
        .cloned()
        .collect();
    let (num, text) = detour_hdfe::model::needed(&formula, &extra, None, &[]);
    let frame = if embedded.is_some() {
        detour_store::frame::read_csv_from(
            EMBEDDED_DATA_NAME,
            flate2::read::GzDecoder::new(EMBEDDED_DATA),
            &num,
            &text,
        )?
    } else {
        detour_store::frame::read_csv(&data_path, &num, &text)?
    };
    let loaded = detour_hdfe::model::ModelData::collect(&frame, &formula, &extra, None, &[])?;
    drop(frame);
    let n_rows = loaded.rows.len();
    let term_values =
        |t: &detour_hdfe::formula::Term, v: f64| t.func.map(|f| f.apply(v)).unwrap_or(v);
    if formula
        .regressors
        .iter()
        .any(|t| t.func == Some(Func::Factor))
    {
        bail!("{file}: factor() terms are not supported in a GE baseline");
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
    let fit = detour_hdfe::fit(&design, &opt).map_err(|e| match e {
        detour_hdfe::Error::Deadline => anyhow::Error::new(detour_core::Expired),
        e => anyhow::anyhow!("baseline estimation: {e}"),
    })?;
    if fit.nobs != n_rows {
        bail!(
            "{file}: the baseline estimation dropped {} of {n_rows} flows (zeros or separation); GE needs every pair",
            n_rows - fit.nobs
        );
    }
    if !fit.collinear.is_empty() {
        bail!(
            "{file}: collinear regressors in the baseline: {}",
            fit.collinear.join(", ")
        );
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
            bail!(
                "{file}:{line}: country '{code}' is not in the data ({} countries)",
                n
            )
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
            bail!(
                "{file}:{}: variable '{v}' is not a regressor of the formula",
                c.line
            );
        }
    }
    for row in 0..n_rows {
        let ex = ex_labels[ex_ids[row] as usize].as_str();
        let im = im_labels[im_ids[row] as usize].as_str();
        let k = index[ex] * n + index[im];
        if !flows[k].is_nan() {
            bail!(
                "{}: the pair {ex} → {im} appears twice (data row {})",
                data_path.display(),
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
        bail!(
            "{}: not square: no flow {} → {} (GE needs every pair, domestic flows included)",
            data_path.display(),
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
                    bail!(
                        "{}: column '{c}' differs within country {} (data row {})",
                        data_path.display(),
                        countries[k],
                        loaded.rows[row]
                    );
                }
            }
            Ok(Some(out))
        };
    let output = per_country(&output_col, ex_ids, ex_labels)?;
    let expenditure = per_country(&expenditure_col, im_ids, im_labels)?;
    let reference_idx = *index.get(reference.as_str()).with_context(|| {
        format!(
            "{file}:{}: reference '{reference}' is not in the data",
            model_t.line_of("reference")
        )
    })?;
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
    let out = out.map_err(|e| anyhow::anyhow!("{e}"))?;

    // Monte Carlo over the coefficients' covariance, in parallel over draws
    let draws = match args.draws {
        Some(d) => d,
        None => get_num(model_t, "draws", &file)?
            .map(|d| d as usize)
            .unwrap_or(0),
    };
    if draws == 1 {
        bail!("draws: 1 gives no interval; give 0 (none) or at least 2");
    }
    let mut mc: Option<(usize, McSummary)> = None;
    if draws > 0 {
        use rayon::prelude::*;
        let l = detour_hdfe::linalg::cholesky(&fit.vcov)
            .context("the coefficients' covariance is not positive definite; no Monte Carlo")?;
        let pb = spinner(&format!("Monte Carlo: {draws} draws"));
        let per_draw: Vec<Option<Vec<[f64; 6]>>> = (0..draws)
            .into_par_iter()
            .map(|d| {
                if args.deadline.passed() {
                    return None;
                }
                let b = draw_coefficients(args.seed, d, &beta_hat, &l);
                let (cb, cc) = costs(&b);
                let w = World {
                    cost_baseline: &cb,
                    cost_counterfactual: &cc,
                    ..world.clone()
                };
                detour_ge::solve(&w, Stopping::default())
                    .ok()
                    .map(|o| o.countries.iter().map(mc_values).collect())
            })
            .collect();
        pb.finish_and_clear();
        args.deadline.check()?;
        mc = Some(summarise_draws(&per_draw, n)?);
    }

    let name = get_str(&doc.root, "name", &file)?.unwrap_or_else(|| file.clone());
    let mut charts: Vec<(&'static str, String)> = Vec::new();
    if args.chart_dir.is_some() || want_charts {
        let footer = format!(
            "{name}; data {}; σ = {sigma}, reference {reference}; detour simulate",
            data_path.display()
        );
        let bars = |pick: fn(&detour_ge::CountryResult) -> f64| -> Vec<(String, f64)> {
            countries
                .iter()
                .zip(&out.countries)
                .map(|(c, r)| (c.clone(), pick(r)))
                .collect()
        };
        charts = welfare_and_exports_charts(
            args.chart_dir.as_deref(),
            &changes,
            &footer,
            (
                "Welfare (real GDP) change, full endowment, %",
                bars(|r| r.welfare_change_pct),
            ),
            (
                "Exports change, full endowment, % (red: countries named in the scenario)",
                bars(|r| r.exports_change_pct_full),
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
                "conditional",
                "full",
                "change_pct_full",
            ],
            (0..n * n).map(|k| {
                let (b, f) = (out.baseline.flows[k], out.full.flows[k]);
                vec![
                    countries[k / n].clone(),
                    countries[k % n].clone(),
                    b.to_string(),
                    out.conditional.flows[k].to_string(),
                    f.to_string(),
                    ((f / b - 1.0) * 100.0).to_string(),
                ]
            }),
        )?;
    }

    let rendered: Result<String> = match args.format.as_str() {
        "json" => {
            let rows: Vec<serde_json::Value> = countries
                .iter()
                .zip(&out.countries)
                .map(|(c, r)| {
                    json!({
                        "country": c,
                        "exports_baseline": r.exports_baseline,
                        "exports_change_pct_conditional": r.exports_change_pct_conditional,
                        "exports_change_pct_full": r.exports_change_pct_full,
                        "imports_change_pct_full": r.imports_change_pct_full,
                        "domestic_change_pct_full": r.domestic_change_pct_full,
                        "factory_gate_price_change_pct": r.factory_gate_price_change_pct,
                        "omr_change_pct_conditional": r.omr_change_pct_conditional,
                        "omr_change_pct_full": r.omr_change_pct_full,
                        "imr_change_pct_conditional": r.imr_change_pct_conditional,
                        "imr_change_pct": r.imr_change_pct_full,
                        "real_gdp_change_pct": r.real_gdp_change_pct,
                        "welfare_change_pct": r.welfare_change_pct,
                        "terms_of_trade_change_pct": r.terms_of_trade_change_pct,
                    })
                })
                .collect();
            let v = json!({
                "scenario": name,
                "data": data_path.display().to_string(),
                "sigma": sigma,
                "reference": reference,
                "stopping": stopping_name,
                "coefficients": fit.coefficients.iter().map(|c| json!({"name": c.name, "estimate": c.estimate, "std_error": c.std_error})).collect::<Vec<_>>(),
                "iterations": out.iterations,
                "converged": out.converged,
                "book_updates": out.book_updates.iter().map(|(m, s, lo, hi)| json!({"mean": m, "sd": s, "min": lo, "max": hi})).collect::<Vec<_>>(),
                "countries": rows,
                "timing": {"solve_seconds": seconds},
            });
            let mut v = v;
            if let Some((failed, summary)) = &mc {
                v["monte_carlo"] = monte_carlo_json(
                    &countries,
                    summary,
                    &MC_MEASURES,
                    (draws, *failed),
                    args.seed,
                );
            }
            Ok(format!("{}\n", serde_json::to_string_pretty(&v)?))
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            // the headline measures, the same as the Monte Carlo summarises
            w.write_record(std::iter::once("country").chain(MC_MEASURES))?;
            for (c, r) in countries.iter().zip(&out.countries) {
                w.write_record(
                    std::iter::once(c.clone()).chain(mc_values(r).iter().map(f64::to_string)),
                )?;
            }
            Ok(String::from_utf8(w.into_inner()?)?)
        }
        "table" => {
            let mut s = String::new();
            let _ = writeln!(s, "{name}");
            let coefs: Vec<String> = fit
                .coefficients
                .iter()
                .map(|c| format!("{} {:.4}", c.name, c.estimate))
                .collect();
            let _ = writeln!(
                s,
                "Baseline PPML on {} ({} flows): {}; σ = {sigma}, reference {reference}",
                data_path.display(),
                n_rows,
                coefs.join(", ")
            );
            let conv = match stopping {
                Stopping::Book => format!(
                    "book's stopping rule after {} price updates",
                    out.iterations
                ),
                Stopping::Converged { .. } => {
                    format!("converged in {} price iterations", out.iterations)
                }
            };
            let _ = writeln!(s, "Full endowment: {conv}\n");
            let _ = writeln!(
                s,
                "{:<8} {:>12} {:>12} {:>10} {:>10} {:>10}",
                "country", "exports CGE%", "exports FE%", "price %", "IMR %", "real GDP %"
            );
            for (ci, (c, r)) in countries.iter().zip(&out.countries).enumerate() {
                let ci_text = match &mc {
                    Some((_, summary)) => {
                        format!("  [{:.2}, {:.2}]", summary[ci][5].1, summary[ci][5].2)
                    }
                    None => String::new(),
                };
                let _ = writeln!(
                    s,
                    "{:<8} {:>12.2} {:>12.2} {:>10.2} {:>10.2} {:>10.2}{ci_text}",
                    c,
                    r.exports_change_pct_conditional,
                    r.exports_change_pct_full,
                    r.factory_gate_price_change_pct,
                    r.imr_change_pct_full,
                    r.real_gdp_change_pct
                );
            }
            if let Some((failed, _)) = &mc {
                let _ = writeln!(
                    s,
                    "\nBrackets: 95% interval of the welfare change over {draws} Monte Carlo draws of the coefficients ({failed} failed to solve)."
                );
            }
            let _ = writeln!(
                s,
                "\nCGE: conditional general equilibrium (output and expenditure fixed); FE: full endowment (factory-gate prices adjust). Exports exclude domestic sales; welfare equals real GDP in this model."
            );
            Ok(s)
        }
        other => bail!("--format '{other}': expected table, json or csv"),
    };
    Ok((rendered?, charts))
}

/// Scenarios shipped inside the binary (the report and the API run only these), with their data.
pub const EMBEDDED_SCENARIOS: &[(&str, &str)] = &[
    (
        "russia_sanctions_2022_ge",
        include_str!("../../../examples/scenarios/russia_sanctions_2022_ge.toml"),
    ),
    (
        "ge_gravity_eu_enlargement",
        include_str!("../../../examples/scenarios/ge_gravity_eu_enlargement.toml"),
    ),
    (
        "coalition_sanctions_illustration",
        include_str!("../../../examples/scenarios/coalition_sanctions_illustration.toml"),
    ),
    (
        "yotov2016_remove_borders",
        include_str!("../../../examples/scenarios/yotov2016_remove_borders.toml"),
    ),
];
/// The WIOD 2016 extract the embedded `ge_gravity` scenarios use.
const EMBEDDED_WIOD_NAME: &str = "data/gravity/wiod2016_agg_allsectors_2000_2014.csv.gz";
const EMBEDDED_WIOD: &[u8] =
    include_bytes!("../../../data/gravity/wiod2016_agg_allsectors_2000_2014.csv.gz");
/// The data the embedded structural scenarios use (Yotov et al. 2016, ch. 2).
const EMBEDDED_DATA: &[u8] = include_bytes!(concat!("../../../", embedded_data_path!()));

/// Run an embedded scenario by name: its JSON output, and the welfare chart (SVG) when `chart` is set.
/// `None` when no embedded scenario has that name.
pub fn run_embedded(
    name: &str,
    draws: Option<usize>,
    chart: bool,
    deadline: detour_core::Deadline,
) -> Result<Option<(String, Option<String>)>> {
    let Some((_, text)) = EMBEDDED_SCENARIOS.iter().find(|s| s.0 == name) else {
        return Ok(None);
    };
    let (out, charts) = run_with(
        &SimulateOptions {
            format: "json".into(),
            draws,
            seed: 1,
            deadline,
            ..SimulateOptions::default()
        },
        Some(Embedded { name, text }),
        chart,
    )?;
    let welfare = charts
        .into_iter()
        .find(|(f, _)| *f == "welfare.svg")
        .map(|(_, svg)| svg);
    Ok(Some((out, welfare)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Embedded scenarios run in memory: no file appears in the temporary directory, and the
    /// output names the shipped data, not a scratch path.
    #[test]
    fn embedded_scenarios_write_no_files() {
        let tmp = std::env::temp_dir();
        let ours = |d: &Path| {
            std::fs::read_dir(d)
                .map(|r| {
                    r.flatten()
                        .filter(|e| {
                            e.file_name()
                                .to_string_lossy()
                                .starts_with("detour-simulate")
                        })
                        .count()
                })
                .unwrap_or(0)
        };
        let before = ours(&tmp);
        let (json, welfare) = run_embedded(
            "yotov2016_remove_borders",
            None,
            true,
            detour_core::Deadline::none(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(ours(&tmp), before);
        assert!(!json.contains(&*tmp.to_string_lossy()), "{json}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["data"], EMBEDDED_DATA_NAME);
        assert!(welfare.is_some_and(|s| s.starts_with("<svg")));
    }

    #[test]
    fn a_passed_deadline_stops_the_simulation() {
        let past = detour_core::Deadline::at(
            std::time::Instant::now() - std::time::Duration::from_millis(1),
        );
        let e =
            run_embedded("coalition_sanctions_illustration", Some(20), false, past).unwrap_err();
        assert!(
            e.chain()
                .any(|c| c.downcast_ref::<detour_core::Expired>().is_some()),
            "{e:#}"
        );
    }
}
