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
        family: &args.family,
        vcov: args.vcov.as_deref(),
        ssc: &args.ssc,
        separation: &args.separation,
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

/// How the fit stopped, in one line: iterations, the final deviance change against the
/// tolerance, and the demeaning tolerance reached.
pub fn convergence(fit: &Fit, tol: f64) -> String {
    let fe = if fit.fixed_effects.is_empty() {
        String::new()
    } else {
        format!(
            "; demeaning to {:.0e} in {} steps{}",
            fit.fe_tolerance,
            fit.fe_iterations,
            if fit.fe_converged {
                ""
            } else {
                ", NOT converged"
            }
        )
    };
    match (fit.family, fit.converged) {
        (Family::Ols, true) => format!("OLS{fe}"),
        (Family::Ols, false) => format!("OLS: the demeaning did NOT converge{fe}"),
        (Family::Poisson, c) => format!(
            "IRLS {} {} iterations (deviance change {:.1e} {} tolerance {:.0e}{fe})",
            if c {
                "converged in"
            } else {
                "did NOT converge after"
            },
            fit.iterations,
            fit.deviance_change,
            if fit.deviance_change < tol { "<" } else { ">=" },
            tol
        ),
    }
}

pub fn to_json(fit: &Fit, ctx: &Context0) -> Value {
    let coefs: Vec<Value> = fit
        .coefficients
        .iter()
        .map(|c| json!({"name": c.name, "estimate": c.estimate, "std_error": c.std_error, "statistic": c.statistic, "p_value": c.p_value, "ci_low": c.ci_low, "ci_high": c.ci_high}))
        .collect();
    let mut v = json!({
        "model": {
            "family": Family::name(fit.family),
            "formula": ctx.formula,
            "subset": ctx.subset,
            "vcov": fit.vcov_label,
            "small_sample": SmallSample::name(ctx.small_sample),
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
        "deviance_change": fit.deviance_change,
        "tol": ctx.tol,
        "fe_iterations": fit.fe_iterations,
        "fe_tolerance": fit.fe_tolerance,
        "fe_converged": fit.fe_converged,
        "convergence": convergence(fit, ctx.tol),
        "deviance": fit.deviance,
        "null_deviance": fit.null_deviance,
        "loglik": fit.loglik,
        "pseudo_r2": fit.pseudo_r2,
        "df_k": fit.df_k,
        "vcov_matrix": (0..fit.vcov.n).map(|i| (0..fit.vcov.n).map(|j| fit.vcov.get(i, j)).collect::<Vec<f64>>()).collect::<Vec<_>>(),
        "warnings": fit.warnings,
        "timing": {"load_seconds": ctx.load_seconds, "fit_seconds": ctx.fit_seconds},
    });
    if ctx.report_separated {
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
    let _ = writeln!(s, "{fam}: {}", ctx.formula);
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
        SmallSample::name(ctx.small_sample)
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
        format!("{:.0}% conf. interval", ctx.level * 100.0)
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
    let conv = convergence(fit, ctx.tol);
    let fit_stat = match fit.family {
        Family::Poisson => format!(
            "deviance {:.6}, pseudo R² {:.6}, log-likelihood {:.4}",
            fit.deviance, fit.pseudo_r2, fit.loglik
        ),
        Family::Ols => format!("RSS {:.6}, R² {:.6}", fit.deviance, fit.pseudo_r2),
    };
    let _ = writeln!(s, "{conv}; {fit_stat}");
    for w in &fit.warnings {
        let _ = writeln!(s, "WARNING: {w}");
    }
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
        latex_escape(ctx.formula.split('~').next().unwrap_or("").trim())
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
        "Converged & {} ({} iterations)\\\\",
        if fit.converged { "Yes" } else { "No" },
        fit.iterations
    );
    let _ = writeln!(
        s,
        "\\hline\\hline\n\\multicolumn{{2}}{{l}}{{\\footnotesize {} standard errors in parentheses; *** p<0.001, ** p<0.01, * p<0.05}}\\\\\n\\end{{tabular}}",
        latex_escape(&fit.vcov_label)
    );
    s
}
