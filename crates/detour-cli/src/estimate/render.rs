//! A fit written as JSON, CSV, a text table (fixest's layout) or LaTeX.

use super::*;

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

pub(super) fn to_csv(fit: &Fit) -> Result<String> {
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

pub(super) fn to_table(fit: &Fit, ctx: &Context0) -> String {
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

pub(super) fn to_latex(fit: &Fit, ctx: &Context0) -> String {
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
