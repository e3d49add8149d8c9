//! `detour estimate`: read the columns a formula needs (CSV, gzipped CSV, Parquet or a store query), apply the
//! subset, build the design and print the fit.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use detour_hdfe::formula::{Filter, Formula, Func, Term};
use detour_hdfe::{Design, Family, Fit, Options, SeparationChecks, SmallSample, VcovType};
use serde_json::{Value, json};

#[derive(clap::Args)]
pub struct EstimateArgs {
    /// Data file: CSV (optionally .csv.gz) or Parquet. Without it, `--sql` runs on the store.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// SQL over the store that yields the estimation table (instead of --data).
    #[arg(long)]
    pub sql: Option<String>,
    /// fixest-style formula: "trade ~ rta + log(dist) | exporter^year + importer^year + pair_id".
    #[arg(long)]
    pub formula: String,
    /// poisson (PPML) or ols.
    #[arg(long, default_value = "poisson")]
    pub family: String,
    /// iid, hc1 (= hetero), cluster:VAR[,VAR…]; default as fixest: clustered by the first fixed effect.
    #[arg(long)]
    pub vcov: Option<String>,
    /// Small-sample correction: fixest (default), stata or none.
    #[arg(long, default_value = "fixest")]
    pub ssc: String,
    /// Keep only rows matching: "year in (1986, 1990) & exporter != importer".
    #[arg(long)]
    pub subset: Option<String>,
    /// Column of observation weights.
    #[arg(long)]
    pub weights: Option<String>,
    /// Column added to the linear predictor with coefficient one.
    #[arg(long)]
    pub offset: Option<String>,
    /// Separation checks (Poisson): any of fe,simplex,relu, or none.
    #[arg(long, default_value = "fe,simplex,relu")]
    pub separation: String,
    /// Name the separated rows (1-based data-row numbers of the input, header not counted).
    #[arg(long)]
    pub report_separated: bool,
    /// IRLS convergence tolerance on the relative deviance change.
    #[arg(long, default_value_t = 1e-8)]
    pub tol: f64,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub level: f64,
    /// Write the recovered fixed effects (dimension, level, value) to this CSV file.
    #[arg(long)]
    pub fe_out: Option<PathBuf>,
    /// Write fitted values (row, fitted) for the estimation sample to this CSV file.
    #[arg(long)]
    pub predict_out: Option<PathBuf>,
    /// table, json, csv or latex.
    #[arg(long, default_value = "table")]
    pub format: String,
}

/// The columns read for one model, already subset and cleaned.
pub(crate) struct Loaded {
    /// 1-based data-row number of each kept row.
    pub rows: Vec<usize>,
    pub numeric: HashMap<String, Vec<f64>>,
    pub ids: HashMap<String, Vec<u64>>,
    /// Text of each id, per text column.
    pub labels: HashMap<String, Vec<String>>,
    pub read: usize,
    pub subset_out: usize,
    pub missing: usize,
    pub non_finite: usize,
}

/// Where the rows come from.
enum Source<'a> {
    Csv(&'a Path),
    Batches(String, Vec<datafusion::arrow::array::RecordBatch>),
}

fn needed(
    f: &Formula,
    extra_num: &[String],
    filter: Option<&Filter>,
    clusters: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut num: Vec<String> = vec![f.outcome.column.clone()];
    num.extend(
        f.regressors
            .iter()
            .filter(|t| t.func != Some(Func::Factor))
            .map(|t| t.column.clone()),
    );
    num.extend(extra_num.iter().cloned());
    num.dedup();
    let mut ids: Vec<String> = f.fixed_effects.iter().flatten().cloned().collect();
    ids.extend(
        f.regressors
            .iter()
            .filter(|t| t.func == Some(Func::Factor))
            .map(|t| t.column.clone()),
    );
    ids.extend(
        clusters
            .iter()
            .flat_map(|c| c.split('^').map(str::to_string)),
    );
    let mut text = ids;
    if let Some(flt) = filter {
        text.extend(flt.columns());
    }
    let mut seen = std::collections::HashSet::new();
    num.retain(|c| seen.insert(c.clone()));
    let mut seen = std::collections::HashSet::new();
    text.retain(|c| seen.insert(c.clone()));
    (num, text)
}

fn missing_text(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t == "NA" || t == "." || t.eq_ignore_ascii_case("null")
}

/// Columns being collected row by row.
struct Collector<'a> {
    label: String,
    num_cols: Vec<String>,
    num_idx: Vec<usize>,
    text_idx: Vec<usize>,
    header: Vec<String>,
    filter: Option<&'a Filter>,
    /// For each loaded term (not factors): its position in `num_cols` and its transformation.
    terms: Vec<(usize, Option<Func>)>,
    numeric: Vec<Vec<f64>>,
    interned: Vec<HashMap<String, u64>>,
    ids: Vec<Vec<u64>>,
    vals: Vec<f64>,
    out: Loaded,
}

impl Collector<'_> {
    /// Take one data row (`row` counts data rows from 1); `get(k)` is field k's text.
    fn push<'r>(&mut self, row: usize, get: &dyn Fn(usize) -> Option<&'r str>) -> Result<()> {
        self.out.read += 1;
        let line = row + 1;
        if let Some(flt) = self.filter {
            let header = &self.header;
            let lookup = |c: &str| -> Option<String> {
                header
                    .iter()
                    .position(|h| h == c)
                    .and_then(get)
                    .map(str::to_string)
            };
            if !flt.eval(&lookup) {
                self.out.subset_out += 1;
                return Ok(());
            }
        }
        for (k, &ci) in self.num_idx.iter().enumerate() {
            let raw = get(ci).unwrap_or("").trim();
            if missing_text(raw) {
                self.out.missing += 1;
                return Ok(());
            }
            let v: f64 = raw.parse().map_err(|_| {
                anyhow::anyhow!(
                    "{}:{line}: field '{}': '{raw}' is not a number",
                    self.label,
                    self.num_cols[k]
                )
            })?;
            if !v.is_finite() {
                bail!(
                    "{}:{line}: field '{}': '{raw}' is not a finite number",
                    self.label,
                    self.num_cols[k]
                );
            }
            self.vals[k] = v;
        }
        if self
            .text_idx
            .iter()
            .any(|&ci| get(ci).is_none_or(missing_text))
        {
            self.out.missing += 1;
            return Ok(());
        }
        // transformed terms must be finite (log of zero is dropped, as fixest does)
        let finite = self.terms.iter().all(|&(k, func)| {
            func.map(|f| f.apply(self.vals[k]))
                .unwrap_or(self.vals[k])
                .is_finite()
        });
        if !finite {
            self.out.non_finite += 1;
            return Ok(());
        }
        for (col, v) in self.numeric.iter_mut().zip(&self.vals) {
            col.push(*v);
        }
        for (k, &ci) in self.text_idx.iter().enumerate() {
            let key = get(ci).unwrap_or("").trim();
            let map = &mut self.interned[k];
            let id = match map.get(key) {
                Some(&id) => id,
                None => {
                    let id = map.len() as u64;
                    map.insert(key.to_string(), id);
                    id
                }
            };
            self.ids[k].push(id);
        }
        self.out.rows.push(row);
        Ok(())
    }

    fn finish(mut self, num_cols: Vec<String>, text_cols: Vec<String>) -> Loaded {
        self.out.labels = text_cols
            .iter()
            .zip(&self.interned)
            .map(|(c, m)| {
                let mut l = vec![String::new(); m.len()];
                for (text, &id) in m {
                    l[id as usize] = text.clone();
                }
                (c.clone(), l)
            })
            .collect();
        self.out.numeric = num_cols.into_iter().zip(self.numeric).collect();
        self.out.ids = text_cols.into_iter().zip(self.ids).collect();
        self.out
    }
}

/// Read the columns a formula needs from a CSV (or .csv.gz) file, with the given text columns besides.
pub(crate) fn load_csv_with(
    path: &Path,
    f: &Formula,
    text_cols: &[String],
    num_cols: &[String],
) -> Result<Loaded> {
    load(Source::Csv(path), f, num_cols, None, text_cols)
}

fn load(
    source: Source,
    f: &Formula,
    extra_num: &[String],
    filter: Option<&Filter>,
    clusters: &[String],
) -> Result<Loaded> {
    let (num_cols, text_cols) = needed(f, extra_num, filter, clusters);
    let make = |label: String, header: Vec<String>| -> Result<Collector<'_>> {
        let index = |name: &str| -> Result<usize> {
            header.iter().position(|h| h == name).with_context(|| {
                format!(
                    "{label}: no column '{name}' (columns: {})",
                    header.join(", ")
                )
            })
        };
        let num_idx: Vec<usize> = num_cols.iter().map(|c| index(c)).collect::<Result<_>>()?;
        let text_idx: Vec<usize> = text_cols.iter().map(|c| index(c)).collect::<Result<_>>()?;
        let terms = std::iter::once(&f.outcome)
            .chain(f.regressors.iter())
            .filter(|t| t.func != Some(Func::Factor))
            .map(|t| {
                (
                    num_cols
                        .iter()
                        .position(|c| *c == t.column)
                        .expect("term column loaded"),
                    t.func,
                )
            })
            .collect();
        Ok(Collector {
            label,
            num_cols: num_cols.clone(),
            num_idx,
            text_idx,
            header,
            filter,
            terms,
            numeric: vec![Vec::new(); num_cols.len()],
            interned: vec![HashMap::new(); text_cols.len()],
            ids: vec![Vec::new(); text_cols.len()],
            vals: vec![0.0; num_cols.len()],
            out: Loaded {
                rows: Vec::new(),
                numeric: HashMap::new(),
                ids: HashMap::new(),
                labels: HashMap::new(),
                read: 0,
                subset_out: 0,
                missing: 0,
                non_finite: 0,
            },
        })
    };
    let collector = match source {
        Source::Csv(path) => {
            let file =
                std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
            let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
                Box::new(flate2::read::GzDecoder::new(file))
            } else {
                Box::new(file)
            };
            let mut rdr = csv::ReaderBuilder::new()
                .flexible(false)
                .from_reader(reader);
            let header: Vec<String> = rdr
                .headers()
                .with_context(|| format!("{}: reading the header", path.display()))?
                .iter()
                .map(|s| s.trim().to_string())
                .collect();
            let label = path.display().to_string();
            let mut col = make(label.clone(), header)?;
            let mut rec = csv::ByteRecord::new();
            let mut row = 0;
            loop {
                let more = rdr
                    .read_byte_record(&mut rec)
                    .with_context(|| format!("{label}:{}: malformed CSV record", row + 2))?;
                if !more {
                    break;
                }
                row += 1;
                let get = |k: usize| rec.get(k).and_then(|b| std::str::from_utf8(b).ok());
                col.push(row, &get)?;
            }
            col
        }
        Source::Batches(label, batches) => {
            let header: Vec<String> = batches
                .first()
                .map(|b| {
                    b.schema()
                        .fields()
                        .iter()
                        .map(|f| f.name().clone())
                        .collect()
                })
                .unwrap_or_default();
            let mut col = make(label, header)?;
            let mut row = 0;
            for b in &batches {
                let cells = crate::output::cells(b)?;
                for i in 0..b.num_rows() {
                    row += 1;
                    let get = |k: usize| cells.get(k).and_then(|c| c[i].as_deref());
                    col.push(row, &get)?;
                }
            }
            col
        }
    };
    Ok(collector.finish(num_cols, text_cols))
}

/// Dummies `factor(col)::level` for every level of a column but the first in sorted order (numeric order when
/// all levels are numbers), the reference level.
fn dummies(col: &str, ids: &[u64], labels: &[String]) -> Vec<(String, Vec<f64>)> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    let all_numeric = labels.iter().all(|l| l.parse::<f64>().is_ok());
    order.sort_by(|&a, &b| {
        if all_numeric {
            let (x, y): (f64, f64) = (
                labels[a].parse().unwrap_or(0.0),
                labels[b].parse().unwrap_or(0.0),
            );
            x.total_cmp(&y)
        } else {
            labels[a].cmp(&labels[b])
        }
    });
    order
        .into_iter()
        .skip(1)
        .map(|lvl| {
            let v = ids
                .iter()
                .map(|&g| if g as usize == lvl { 1.0 } else { 0.0 })
                .collect();
            (format!("factor({col})::{}", labels[lvl]), v)
        })
        .collect()
}

/// Combined ids of an interaction `a^b^…`.
fn interact(parts: &[String], ids: &HashMap<String, Vec<u64>>) -> Vec<u64> {
    let first = &ids[&parts[0]];
    let mut acc: Vec<u64> = first.clone();
    for p in &parts[1..] {
        let other = &ids[p];
        let mut map: HashMap<(u64, u64), u64> = HashMap::new();
        acc = acc
            .iter()
            .zip(other)
            .map(|(&a, &b)| {
                let next = map.len() as u64;
                *map.entry((a, b)).or_insert(next)
            })
            .collect();
    }
    acc
}

pub fn run(args: &EstimateArgs, store: &dyn Fn() -> Result<detour_store::Store>) -> Result<String> {
    let formula = Formula::parse(&args.formula).map_err(|e| anyhow::anyhow!("--formula: {e}"))?;
    let filter = args
        .subset
        .as_deref()
        .map(Filter::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--subset: {e}"))?;
    let family = match args.family.to_ascii_lowercase().as_str() {
        "poisson" | "ppml" => Family::Poisson,
        "ols" | "gaussian" => Family::Ols,
        other => bail!("--family '{other}': expected poisson or ols"),
    };
    let (vcov, clusters): (VcovType, Vec<String>) = match args.vcov.as_deref().map(str::trim) {
        None => (VcovType::FixestDefault, Vec::new()),
        Some("iid") => (VcovType::Iid, Vec::new()),
        Some("hc1") | Some("hetero") | Some("robust") => (VcovType::Hetero, Vec::new()),
        Some(s) if s.starts_with("cluster:") => {
            let list: Vec<String> = s["cluster:".len()..]
                .split(',')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect();
            if list.is_empty() {
                bail!("--vcov '{s}': name the cluster variables, e.g. cluster:pair_id");
            }
            (VcovType::Cluster, list)
        }
        Some(other) => bail!("--vcov '{other}': expected iid, hc1 or cluster:VAR[,VAR]"),
    };
    let small_sample = match args.ssc.to_ascii_lowercase().as_str() {
        "fixest" => SmallSample::Fixest,
        "stata" => SmallSample::Stata,
        "none" => SmallSample::None,
        other => bail!("--ssc '{other}': expected fixest, stata or none"),
    };
    let sep = args.separation.to_ascii_lowercase();
    let mut separation = SeparationChecks {
        fe: false,
        simplex: false,
        relu: false,
    };
    for m in sep.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        match m {
            "fe" => separation.fe = true,
            "simplex" => separation.simplex = true,
            "relu" => separation.relu = true,
            "none" => {}
            other => bail!("--separation '{other}': expected fe, simplex, relu or none"),
        }
    }
    let source = match (&args.data, &args.sql) {
        (Some(_), Some(_)) => bail!("give either --data or --sql, not both"),
        (Some(p), None) => {
            if p.extension().is_some_and(|e| e == "parquet") {
                let rt = detour_store::runtime()?;
                let batches = rt
                    .block_on(async {
                        let ctx = datafusion::prelude::SessionContext::new();
                        let df = ctx
                            .read_parquet(
                                p.to_string_lossy().as_ref(),
                                datafusion::prelude::ParquetReadOptions::default(),
                            )
                            .await?;
                        df.collect().await
                    })
                    .with_context(|| format!("reading {}", p.display()))?;
                Source::Batches(p.display().to_string(), batches)
            } else {
                Source::Csv(p)
            }
        }
        (None, Some(q)) => Source::Batches("store query".into(), store()?.sql_blocking(q)?),
        (None, None) => bail!("estimate needs --data FILE or --sql QUERY"),
    };
    let t_load = std::time::Instant::now();
    let extra: Vec<String> = args
        .weights
        .iter()
        .chain(args.offset.iter())
        .cloned()
        .collect();
    let loaded = load(source, &formula, &extra, filter.as_ref(), &clusters)?;
    let load_seconds = t_load.elapsed().as_secs_f64();
    let transform = |t: &Term| -> Vec<f64> {
        let v = &loaded.numeric[&t.column];
        match t.func {
            Some(f) => v.iter().map(|&x| f.apply(x)).collect(),
            None => v.clone(),
        }
    };
    let y = transform(&formula.outcome);
    let mut xs: Vec<(String, Vec<f64>)> = Vec::new();
    for t in &formula.regressors {
        if t.func == Some(Func::Factor) {
            xs.extend(dummies(
                &t.column,
                &loaded.ids[&t.column],
                &loaded.labels[&t.column],
            ));
        } else {
            xs.push((t.to_string(), transform(t)));
        }
    }
    let fes: Vec<(String, Vec<u64>)> = formula
        .fixed_effects
        .iter()
        .map(|parts| (parts.join("^"), interact(parts, &loaded.ids)))
        .collect();
    let cl: Vec<(String, Vec<u64>)> = clusters
        .iter()
        .map(|c| {
            let parts: Vec<String> = c.split('^').map(str::to_string).collect();
            (c.clone(), interact(&parts, &loaded.ids))
        })
        .collect();
    let weights = args.weights.as_ref().map(|w| loaded.numeric[w].clone());
    let offset = args.offset.as_ref().map(|o| loaded.numeric[o].clone());
    if y.is_empty() {
        bail!(
            "no observations left to estimate on: {} rows read, {} outside the subset, {} with missing values, {} with non-finite transformed values",
            loaded.read,
            loaded.subset_out,
            loaded.missing,
            loaded.non_finite
        );
    }
    let mut x_in: Vec<(String, &[f64])> =
        xs.iter().map(|(n, v)| (n.clone(), v.as_slice())).collect();
    if !formula.intercept && fes.is_empty() {
        // the library adds the intercept only for models without fixed effects; honour "- 1"
        x_in.retain(|_| true);
    }
    let design = Design {
        y: &y,
        x: x_in,
        fe: fes.iter().map(|(n, v)| (n.clone(), v.as_slice())).collect(),
        weights: weights.as_deref(),
        offset: offset.as_deref(),
        cluster: cl.iter().map(|(n, v)| (n.clone(), v.as_slice())).collect(),
    };
    let opt = Options {
        family,
        vcov,
        small_sample,
        separation,
        tol: args.tol,
        level: args.level,
        ..Options::default()
    };
    let pb = crate::spinner("estimating");
    let t_fit = std::time::Instant::now();
    let fit = detour_hdfe::fit(&design, &opt).map_err(|e| anyhow::anyhow!("{e}"));
    let fit_seconds = t_fit.elapsed().as_secs_f64();
    pb.finish_and_clear();
    let fit = fit?;
    if !args.format.eq_ignore_ascii_case("table") {
        // the table prints them; for programs they go to stderr as well, so that none goes unseen
        for w in &fit.warnings {
            eprintln!("warning: {w}");
        }
    }
    if let Some(path) = &args.fe_out {
        let mut w =
            csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
        w.write_record(["dimension", "level", "value"])?;
        for (fe, parts) in fit.fixed_effects.iter().zip(&formula.fixed_effects) {
            // a level's label: the text of each interacted column at a row of that level, joined by '^'
            let combined = &fes
                .iter()
                .find(|(n, _)| *n == fe.name)
                .expect("fixed effect built")
                .1;
            let mut first_row: HashMap<u64, usize> = HashMap::new();
            for (row, &id) in combined.iter().enumerate() {
                first_row.entry(id).or_insert(row);
            }
            for (id, v) in fe.ids.iter().zip(&fe.values) {
                let row = first_row[id];
                let label: Vec<&str> = parts
                    .iter()
                    .map(|p| loaded.labels[p][loaded.ids[p][row] as usize].as_str())
                    .collect();
                w.write_record([fe.name.clone(), label.join("^"), format!("{v:.12}")])?;
            }
        }
        w.flush()?;
    }
    if let Some(path) = &args.predict_out {
        let mut w =
            csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
        w.write_record(["row", "fitted"])?;
        let sample_rows = loaded
            .rows
            .iter()
            .zip(&fit.sample)
            .filter(|(_, k)| **k)
            .map(|(r, _)| r);
        for (r, m) in sample_rows.zip(&fit.fitted) {
            w.write_record([r.to_string(), format!("{m:.12}")])?;
        }
        w.flush()?;
    }
    let ctx = Context0 {
        args,
        loaded: &loaded,
        fes: &fes,
        small_sample,
        load_seconds,
        fit_seconds,
    };
    match args.format.to_ascii_lowercase().as_str() {
        "json" => Ok(format!(
            "{}\n",
            serde_json::to_string_pretty(&to_json(&fit, &ctx))?
        )),
        "csv" => to_csv(&fit),
        "latex" | "tex" => Ok(to_latex(&fit, &ctx)),
        "table" => Ok(to_table(&fit, &ctx)),
        other => bail!("--format '{other}': expected table, json, csv or latex"),
    }
}

struct Context0<'a> {
    args: &'a EstimateArgs,
    loaded: &'a Loaded,
    fes: &'a [(String, Vec<u64>)],
    small_sample: SmallSample,
    load_seconds: f64,
    fit_seconds: f64,
}

fn ssc_name(s: SmallSample) -> &'static str {
    match s {
        SmallSample::Fixest => "fixest",
        SmallSample::Stata => "stata",
        SmallSample::None => "none",
    }
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::Poisson => "poisson",
        Family::Ols => "ols",
    }
}

fn to_json(fit: &Fit, ctx: &Context0) -> Value {
    let coefs: Vec<Value> = fit
        .coefficients
        .iter()
        .map(|c| json!({"name": c.name, "estimate": c.estimate, "std_error": c.std_error, "statistic": c.statistic, "p_value": c.p_value, "ci_low": c.ci_low, "ci_high": c.ci_high}))
        .collect();
    let mut v = json!({
        "model": {
            "family": family_name(fit.family),
            "formula": ctx.args.formula,
            "subset": ctx.args.subset,
            "vcov": fit.vcov_label,
            "small_sample": ssc_name(ctx.small_sample),
            "fixed_effects": fit.fixed_effects.iter().map(|f| json!({"name": f.name, "levels": f.values.len()})).collect::<Vec<_>>(),
        },
        "coefficients": coefs,
        "collinear": fit.collinear,
        "nobs": fit.nobs,
        "rows_read": ctx.loaded.read,
        "dropped": {
            "subset": ctx.loaded.subset_out,
            "missing": ctx.loaded.missing,
            "non_finite": ctx.loaded.non_finite,
            "singletons": fit.dropped.singletons,
            "separated": fit.dropped.separated(),
            "separated_fe": fit.dropped.fe_zero_outcome,
            "separated_simplex": fit.dropped.simplex,
            "separated_relu": fit.dropped.relu,
        },
        "converged": fit.converged,
        "iterations": fit.iterations,
        "fe_iterations": fit.fe_iterations,
        "deviance": fit.deviance,
        "null_deviance": fit.null_deviance,
        "loglik": fit.loglik,
        "pseudo_r2": fit.pseudo_r2,
        "df_k": fit.df_k,
        "vcov_matrix": (0..fit.vcov.n).map(|i| (0..fit.vcov.n).map(|j| fit.vcov.get(i, j)).collect::<Vec<f64>>()).collect::<Vec<_>>(),
        "warnings": fit.warnings,
        "timing": {"load_seconds": ctx.load_seconds, "fit_seconds": ctx.fit_seconds},
    });
    if ctx.args.report_separated {
        let rows: Vec<usize> = fit
            .separated_rows
            .iter()
            .map(|&i| ctx.loaded.rows[i])
            .collect();
        v["separated_rows"] = json!(rows);
    }
    v
}

fn to_csv(fit: &Fit) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "name",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "ci_low",
        "ci_high",
    ])?;
    for c in &fit.coefficients {
        w.write_record([
            c.name.clone(),
            c.estimate.to_string(),
            c.std_error.to_string(),
            c.statistic.to_string(),
            c.p_value.to_string(),
            c.ci_low.to_string(),
            c.ci_high.to_string(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

fn stars(p: f64) -> &'static str {
    if p < 0.001 {
        "***"
    } else if p < 0.01 {
        "**"
    } else if p < 0.05 {
        "*"
    } else if p < 0.1 {
        "."
    } else {
        ""
    }
}

fn to_table(fit: &Fit, ctx: &Context0) -> String {
    let mut s = String::new();
    let fam = match fit.family {
        Family::Poisson => "Poisson PML",
        Family::Ols => "OLS",
    };
    let _ = writeln!(s, "{fam}: {}", ctx.args.formula);
    let _ = writeln!(
        s,
        "Observations: {} (read {}, outside subset {}, missing {}, non-finite {}, singletons {}, separated {})",
        fit.nobs,
        ctx.loaded.read,
        ctx.loaded.subset_out,
        ctx.loaded.missing,
        ctx.loaded.non_finite,
        fit.dropped.singletons,
        fit.dropped.separated()
    );
    if !fit.fixed_effects.is_empty() {
        let list: Vec<String> = fit
            .fixed_effects
            .iter()
            .map(|f| format!("{} ({})", f.name, f.values.len()))
            .collect();
        let _ = writeln!(s, "Fixed effects: {}", list.join(", "));
    }
    let _ = writeln!(
        s,
        "Standard errors: {} ({} small-sample correction)",
        fit.vcov_label,
        ssc_name(ctx.small_sample)
    );
    let stat = if fit.family == Family::Poisson {
        "z"
    } else {
        "t"
    };
    let width = fit
        .coefficients
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(4)
        .max(8);
    let _ = writeln!(
        s,
        "\n{:<width$} {:>12} {:>11} {:>9} {:>10}   {:>25}",
        "",
        "Estimate",
        "Std. Error",
        format!("{stat} value"),
        format!("Pr(>|{stat}|)"),
        format!("{:.0}% conf. interval", ctx.args.level * 100.0)
    );
    for c in &fit.coefficients {
        let p = if c.p_value < 2.2e-16 {
            "<2.2e-16".to_string()
        } else {
            format!("{:.3e}", c.p_value)
        };
        let _ = writeln!(
            s,
            "{:<width$} {:>12.6} {:>11.6} {:>9.3} {:>10} {:<3} [{:>10.6}, {:>10.6}]",
            c.name,
            c.estimate,
            c.std_error,
            c.statistic,
            p,
            stars(c.p_value),
            c.ci_low,
            c.ci_high
        );
    }
    let _ = writeln!(
        s,
        "---\nSignif. codes: 0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1"
    );
    if !fit.collinear.is_empty() {
        let _ = writeln!(s, "Removed as collinear: {}", fit.collinear.join(", "));
    }
    let conv = match (fit.family, fit.converged) {
        (Family::Ols, true) => "OLS".to_string(),
        (Family::Ols, false) => "OLS: the demeaning did NOT converge".to_string(),
        (Family::Poisson, true) => format!("IRLS converged in {} iterations", fit.iterations),
        (Family::Poisson, false) => {
            format!("IRLS did NOT converge after {} iterations", fit.iterations)
        }
    };
    let fit_stat = match fit.family {
        Family::Poisson => format!(
            "deviance {:.6}, pseudo R² {:.6}, log-likelihood {:.4}",
            fit.deviance, fit.pseudo_r2, fit.loglik
        ),
        Family::Ols => format!("RSS {:.6}, R² {:.6}", fit.deviance, fit.pseudo_r2),
    };
    let _ = writeln!(
        s,
        "{conv} ({} demeaning steps); {fit_stat}",
        fit.fe_iterations
    );
    for w in &fit.warnings {
        let _ = writeln!(s, "WARNING: {w}");
    }
    let _ = ctx.fes;
    s
}

fn latex_escape(s: &str) -> String {
    s.replace('_', "\\_")
        .replace('^', "\\^{}")
        .replace('&', "\\&")
        .replace('%', "\\%")
}

fn to_latex(fit: &Fit, ctx: &Context0) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\\begin{{tabular}}{{lc}}\n\\hline\\hline\n & ({})\\\\\n\\hline",
        latex_escape(ctx.args.formula.split('~').next().unwrap_or("").trim())
    );
    for c in &fit.coefficients {
        let st = stars(c.p_value).replace('.', "");
        let _ = writeln!(
            s,
            "{} & {:.4}$^{{{}}}$\\\\\n & ({:.4})\\\\",
            latex_escape(&c.name),
            c.estimate,
            st,
            c.std_error
        );
    }
    let _ = writeln!(s, "\\hline");
    for f in &fit.fixed_effects {
        let _ = writeln!(s, "{} fixed effects & Yes\\\\", latex_escape(&f.name));
    }
    let _ = writeln!(s, "Observations & {}\\\\", fit.nobs);
    let r2 = if fit.family == Family::Poisson {
        "Pseudo R$^2$"
    } else {
        "R$^2$"
    };
    let _ = writeln!(s, "{r2} & {:.4}\\\\", fit.pseudo_r2);
    let _ = writeln!(
        s,
        "\\hline\\hline\n\\multicolumn{{2}}{{l}}{{\\footnotesize {} standard errors in parentheses; *** p<0.001, ** p<0.01, * p<0.05}}\\\\\n\\end{{tabular}}",
        latex_escape(&fit.vcov_label)
    );
    s
}
