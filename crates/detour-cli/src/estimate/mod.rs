//! `detour estimate`: read the columns a formula needs (CSV, gzipped CSV, Parquet or a store query), apply the
//! subset, build the design and print the fit.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use detour_hdfe::formula::Formula;
use detour_hdfe::model::{ModelData, SpecText};
use detour_hdfe::{Family, Fit, SmallSample};
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
    #[arg(long, default_value_t = 1e-8, allow_negative_numbers = true)]
    pub tol: f64,
    /// Confidence level of the intervals, between 0 and 1.
    #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
    pub level: f64,
    /// Write the recovered fixed effects (dimension, level, value) to this CSV file.
    #[arg(long)]
    pub fe_out: Option<PathBuf>,
    /// Write fitted values (row, fitted) for the estimation sample to this CSV file, or for the
    /// rows of --predict-data when given.
    #[arg(long)]
    pub predict_out: Option<PathBuf>,
    /// New data (CSV, .csv.gz or Parquet) to predict on with the estimated coefficients and fixed
    /// effects: written to --predict-out as (row, fitted), the row's 1-based number in the file;
    /// empty where a fixed-effect or factor level was not in the estimation sample or a cell is
    /// missing (fixest's rule), with a count of such rows. The outcome column is not needed.
    #[arg(long, requires = "predict_out")]
    pub predict_data: Option<PathBuf>,
    /// table, json, csv or latex.
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Print the estimates of a fit that did not converge and exit 0 (by default they are printed
    /// and the exit status is 1).
    #[arg(long)]
    pub allow_nonconvergence: bool,
}

/// Predictions for the rows of `new` (written to `out` as row, fitted); (rows, rows left empty).
fn predict_new(
    est: &detour_hdfe::model::Estimate,
    new: &std::path::Path,
    out: &std::path::Path,
) -> Result<(usize, usize)> {
    let (num, text) = est.predict_columns();
    let frame = if new.extension().is_some_and(|e| e == "parquet") {
        detour_store::frame::read_parquet(new)?
    } else {
        detour_store::frame::read_csv(new, &num, &text)?
    };
    let fitted = est.predict(&frame)?;
    let mut w =
        csv::Writer::from_path(out).with_context(|| format!("writing {}", out.display()))?;
    w.write_record(["row", "fitted"])?;
    let mut empty = 0;
    for (i, m) in fitted.iter().enumerate() {
        let v = match m {
            Some(m) => format!("{m:.12}"),
            None => {
                empty += 1;
                String::new()
            }
        };
        w.write_record([(i + 1).to_string(), v])?;
    }
    w.flush()?;
    Ok((fitted.len(), empty))
}

pub fn run(args: &EstimateArgs, store: &dyn Fn() -> Result<detour_store::Store>) -> Result<String> {
    let formula = Formula::parse(&args.formula).map_err(|e| anyhow::anyhow!("--formula: {e}"))?;
    let spec = SpecText {
        family: Some(&args.family),
        vcov: args.vcov.as_deref(),
        ssc: Some(&args.ssc),
        separation: Some(&args.separation),
        subset: args.subset.as_deref(),
        weights: args.weights.as_deref(),
        offset: args.offset.as_deref(),
        tol: args.tol,
        level: args.level,
    }
    .parse()
    .map_err(|e| anyhow::anyhow!("--{e}"))?;
    let t_load = std::time::Instant::now();
    let frame = match (&args.data, &args.sql) {
        (Some(_), Some(_)) => bail!("give either --data or --sql, not both"),
        (Some(p), None) if p.extension().is_some_and(|e| e == "parquet") => {
            detour_store::frame::read_parquet(p)?
        }
        (Some(p), None) => {
            let (num, text) = spec.needed(&formula);
            detour_store::frame::read_csv(p, &num, &text)?
        }
        (None, Some(q)) => {
            detour_store::frame::from_batches("store query", &store()?.sql_blocking(q)?)?
        }
        (None, None) => bail!("estimate needs --data FILE or --sql QUERY"),
    };
    let load_seconds = t_load.elapsed().as_secs_f64();
    let pb = crate::spinner("estimating");
    let t_fit = std::time::Instant::now();
    let est = detour_hdfe::model::estimate(&formula, &frame, &spec);
    let fit_seconds = t_fit.elapsed().as_secs_f64();
    pb.finish_and_clear();
    let est = est?;
    drop(frame);
    let fit = &est.fit;
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
        for l in est.fixef() {
            w.write_record([l.dimension, l.level, format!("{:.12}", l.value)])?;
        }
        w.flush()?;
    }
    if let (Some(path), Some(new)) = (&args.predict_out, &args.predict_data) {
        let n = predict_new(&est, new, path)?;
        eprintln!(
            "predicted {} of {} rows of {} into {}{}",
            n.0 - n.1,
            n.0,
            new.display(),
            path.display(),
            if n.1 > 0 {
                format!(
                    "; {} left empty (a fixed-effect or factor level not in the estimation sample, or a missing cell)",
                    n.1
                )
            } else {
                String::new()
            }
        );
    } else if let Some(path) = &args.predict_out {
        let mut w =
            csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
        w.write_record(["row", "fitted"])?;
        let sample_rows = est
            .data
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
        formula: &args.formula,
        subset: args.subset.as_deref(),
        level: args.level,
        report_separated: args.report_separated,
        loaded: &est.data,
        small_sample: spec.small_sample,
        tol: spec.tol,
        load_seconds,
        fit_seconds,
    };
    let out = match args.format.to_ascii_lowercase().as_str() {
        "json" => format!("{}\n", serde_json::to_string_pretty(&to_json(fit, &ctx))?),
        "csv" => {
            // The CSV holds the coefficients; how the fit stopped goes to stderr.
            eprintln!("{}", convergence(fit, ctx.tol));
            to_csv(fit)?
        }
        "latex" | "tex" => to_latex(fit, &ctx),
        "table" => to_table(fit, &ctx),
        other => bail!("--format '{other}': expected table, json, csv or latex"),
    };
    let converged = fit.converged && fit.fe_converged;
    if !converged && !args.allow_nonconvergence {
        crate::output::emit(&out);
        bail!(
            "the estimation did not converge: {}; the estimates above are not reliable; give --allow-nonconvergence to accept them",
            convergence(fit, ctx.tol)
        );
    }
    Ok(out)
}

/// What the output says besides the fit.
pub struct Context0<'a> {
    pub formula: &'a str,
    pub subset: Option<&'a str>,
    pub level: f64,
    pub report_separated: bool,
    pub loaded: &'a ModelData,
    pub small_sample: SmallSample,
    /// The IRLS tolerance the fit stopped at.
    pub tol: f64,
    pub load_seconds: f64,
    pub fit_seconds: f64,
}

mod render;

pub use render::{convergence, to_json};
use render::{to_csv, to_latex, to_table};
