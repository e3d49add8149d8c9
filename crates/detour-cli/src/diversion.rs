//! `detour diversion`: how much of the senders' lost trade with the target reappears through conduit countries.

use crate::output::OutFormat;
use anyhow::{Context, Result};
use detour_core::period::Period;
use std::path::PathBuf;

use crate::args::*;
use crate::open_store;

pub fn run(args: DiversionArgs, store: &Option<PathBuf>) -> Result<()> {
    let DiversionArgs {
        target,
        senders,
        conduits,
        baseline,
        after,
        chart,
        by_sender,
        gravity,
        event,
        missing_as_zero,
        products,
        hs_edition,
        format,
    } = args;
    let store = open_store(store)?;
    if let Some(tiers) = products {
        let (b, a) = (
            Period::parse(&baseline).with_context(|| format!("--baseline '{baseline}'"))?,
            Period::parse(&after).with_context(|| format!("--after '{after}'"))?,
        );
        let mut q = detour_diversion::product::ProductQuery::by_windows(
            &senders, &target, &conduits, b, a, &tiers,
        );
        if let Some(e) = &hs_edition {
            q.edition = Some(
                detour_core::hs::HsEdition::parse(e)
                    .with_context(|| format!("--hs-edition '{e}': expected 2017, 2022, …"))?,
            );
        }
        let d = detour_diversion::product::product_did(&store, &q)?;
        out!("{}", product_output(&d, format)?);
        return Ok(());
    }
    let q = detour_diversion::Query {
        senders,
        target,
        conduits,
        baseline: Period::parse(&baseline).with_context(|| format!("--baseline '{baseline}'"))?,
        after: Period::parse(&after).with_context(|| format!("--after '{after}'"))?,
        by_sender,
        gravity,
        missing_as_zero,
        deadline: detour_core::Deadline::none(),
        event: match &event {
            Some(e) => Some(
                Period::parse(e)
                    .with_context(|| format!("--event '{e}'"))?
                    .start,
            ),
            None => None,
        },
    };
    let d = detour_diversion::diversion(&store, &q)?;
    if let Some(path) = &chart {
        detour_charts::png::write_chart(path, &diversion_chart(&d))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    out!("{}", diversion_output(&d, format)?);
    Ok(())
}

/// The main job at this stage: what is loaded, and one worked question.
/// The index chart of a diversion analysis: every pair's months (both windows), baseline mean = 100, the EU's
/// sanctions packages against Russia marked where they fall inside the chart.
pub fn product_output(
    d: &detour_diversion::product::ProductDid,
    format: OutFormat,
) -> Result<String> {
    use std::fmt::Write as _;
    if let OutFormat::Json = format {
        return Ok(format!("{}\n", serde_json::to_string_pretty(d)?));
    }
    let mut s = String::new();
    let _ = writeln!(s, "{}", d.model);
    let _ = writeln!(
        s,
        "HS edition {}; {} products; {} observations; CHPL goods in the data: {}",
        d.edition,
        d.products,
        d.nobs,
        d.chpl_in_data.join(" ")
    );
    let _ = writeln!(
        s,
        "\n{:<30} {:>9} {:>9} {:>20} {:>9}",
        "term", "estimate", "s.e.", "95% CI", "effect"
    );
    for e in &d.effects {
        let _ = writeln!(
            s,
            "{:<30} {:>9.4} {:>9.4} {:>20} {:>8.1}%",
            e.name,
            e.estimate,
            e.std_error,
            format!("[{:.3}, {:.3}]", e.ci_low, e.ci_high),
            e.effect_pct
        );
    }
    let _ = writeln!(
        s,
        "\nevent study (reference: the last baseline year, or for monthly data the three months before the after window):"
    );
    for p in &d.event_study {
        let _ = writeln!(
            s,
            "  {:<7} {:<10} {:>8.4} [{:.3}, {:.3}]",
            p.period, p.destination, p.estimate, p.ci_low, p.ci_high
        );
    }
    let _ = writeln!(
        s,
        "\nsubstitution by CHPL product (yearly means, after against baseline):"
    );
    for x in &d.substitution {
        let _ = writeln!(
            s,
            "  {} (data {}): target {:+.1}, conduits {:+.1}, ratio {}",
            x.chpl,
            x.data_code,
            x.target_change,
            x.conduit_change,
            x.ratio
                .map(|r| format!("{r:.3}"))
                .unwrap_or_else(|| "–".into())
        );
    }
    let _ = writeln!(
        s,
        "\nplain growth, after against baseline (per-year means): CHPL goods / all goods of the panel / total goods"
    );
    let p = |x: Option<f64>| x.map(|v| format!("{v:+.1}%")).unwrap_or_else(|| "–".into());
    for g in &d.growth {
        let _ = writeln!(
            s,
            "  {:<10} {:>9} {:>9} {:>9}",
            g.destination,
            p(g.chpl_pct),
            p(g.panel_goods_pct),
            p(g.total_goods_pct)
        );
    }
    for m in d.chpl_matched.iter().filter(|m| m.how != "same code") {
        let _ = writeln!(
            s,
            "note: CHPL {} found as {} ({})",
            m.chpl, m.data_code, m.how
        );
    }
    for n in &d.notes {
        let _ = writeln!(s, "note: {n}");
    }
    Ok(s)
}

/// The EU sanctions packages adopted within `months` (`YYYY-MM`): (number, index of the month).
pub fn package_markers(months: &[String]) -> Vec<(String, usize)> {
    detour_core::group::sanctions_packages()
        .iter()
        .filter_map(|p| {
            let key = p.adopted.format("%Y-%m").to_string();
            months
                .iter()
                .position(|m| *m == key)
                .map(|i| (p.number.to_string(), i))
        })
        .collect()
}

pub fn diversion_chart(d: &detour_diversion::Diversion) -> String {
    let months: Vec<String> = d.pairs[0].index.iter().map(|(m, _)| m.clone()).collect();
    let lines: Vec<(String, Vec<Option<f64>>)> = d
        .pairs
        .iter()
        .map(|p| {
            let by: std::collections::HashMap<&str, f64> =
                p.index.iter().map(|(m, v)| (m.as_str(), *v)).collect();
            (
                format!("{} → {}", p.reporter, p.partner),
                months.iter().map(|m| by.get(m.as_str()).copied()).collect(),
            )
        })
        .collect();
    let markers = package_markers(&months);
    let footer = format!(
        "Index, mean of {} = 100; vertical lines: EU sanctions packages against Russia (number). Values: {}; detour diversion",
        d.baseline, d.currency
    );
    detour_charts::index_svg(
        &format!("{} exports to {} and the conduits", d.senders, d.target),
        &months,
        &lines,
        &markers,
        &footer,
    )
}

pub fn diversion_output(d: &detour_diversion::Diversion, format: OutFormat) -> Result<String> {
    use std::fmt::Write as _;
    match format {
        OutFormat::Json => Ok(format!("{}\n", serde_json::to_string_pretty(d)?)),
        OutFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "partner",
                "period",
                "actual",
                "counterfactual",
                "band_low",
                "band_high",
            ])?;
            for p in &d.pairs {
                for r in &p.after {
                    w.write_record([
                        p.partner.clone(),
                        r.period.clone(),
                        r.actual.to_string(),
                        r.counterfactual.to_string(),
                        r.band_low.to_string(),
                        r.band_high.to_string(),
                    ])?;
                }
            }
            Ok(String::from_utf8(w.into_inner()?)?)
        }
        OutFormat::Table => {
            let mut s = String::new();
            let b = 1e9;
            let _ = writeln!(
                s,
                "{} exports: shortfall to {} against its counterfactual, and excess to the conduits",
                d.senders, d.target
            );
            let _ = writeln!(
                s,
                "baseline {}, after {}; {} billion\n",
                d.baseline, d.after, d.currency
            );
            let _ = writeln!(
                s,
                "{:<8} {:>14} {:>14} {:>12}",
                "year", "shortfall", "conduit excess", "offset ratio"
            );
            for y in &d.by_year {
                let _ = writeln!(
                    s,
                    "{:<8} {:>14.2} {:>14.2} {:>12.3}",
                    y.year,
                    y.target_shortfall / b,
                    y.conduit_excess / b,
                    y.offset_ratio
                );
            }
            let _ = writeln!(
                s,
                "{:<8} {:>14.2} {:>14.2} {:>12.3}\n",
                "total",
                d.target_shortfall / b,
                d.conduit_excess / b,
                d.offset_ratio
            );
            let _ = writeln!(
                s,
                "{:<8} {:>14} {:>12} {:>10}",
                "conduit", "excess", "offset ratio", "trend/mo"
            );
            for (c, p) in d.by_conduit.iter().zip(&d.pairs[1..]) {
                let _ = writeln!(
                    s,
                    "{:<8} {:>14.2} {:>12.3} {:>9.2}%",
                    c.country,
                    c.excess / b,
                    c.offset_ratio,
                    p.fit.trend * 100.0
                );
            }
            let _ = writeln!(s, "\nconduit → target:");
            for c in &d.conduit_to_target {
                match c.excess {
                    Some(x) => {
                        let _ = writeln!(s, "  {:<6} excess {:.2} ({})", c.conduit, x / b, c.note);
                    }
                    None => {
                        let _ = writeln!(s, "  {:<6} {}", c.conduit, c.note);
                    }
                }
            }
            if let Some(g) = &d.gravity {
                let _ = writeln!(
                    s,
                    "\ngravity ({}; {} observations{})",
                    g.model,
                    g.nobs,
                    if g.converged { "" } else { ", NOT CONVERGED" }
                );
                if !g.collinear.is_empty() {
                    let _ = writeln!(
                        s,
                        "reference (dropped as collinear with the effects; the others are relative to it): {}",
                        g.collinear.join(", ")
                    );
                }
                for e in &g.effects {
                    let _ = writeln!(
                        s,
                        "{:<16} {:>9.4} ({:.4})  effect {:>7.1}%  95% CI [{:.3}, {:.3}]",
                        e.name, e.estimate, e.std_error, e.effect_pct, e.ci_low, e.ci_high
                    );
                }
            }
            if !d.by_sender.is_empty() {
                let _ = writeln!(s, "\nby sender country (largest conduit excess first)");
                let _ = writeln!(
                    s,
                    "{:<8} {:>14} {:>14} {:>12}",
                    "sender", "shortfall", "conduit excess", "offset ratio"
                );
                for x in &d.by_sender {
                    let _ = writeln!(
                        s,
                        "{:<8} {:>14.3} {:>14.3} {:>12.3}{}",
                        x.country,
                        x.target_shortfall / b,
                        x.conduit_excess / b,
                        x.offset_ratio,
                        if x.skipped.is_empty() {
                            String::new()
                        } else {
                            format!("  ({} pairs skipped)", x.skipped.len())
                        }
                    );
                }
            }
            if !d.mirror_summary.is_empty() {
                let _ = writeln!(
                    s,
                    "\nmirror gap (conduit's imports from the senders − senders' exports, % of the latter)"
                );
                let _ = writeln!(
                    s,
                    "{:<8} {:>10} {:>10} {:>10}",
                    "conduit", "baseline", "after", "change pp"
                );
                let f =
                    |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "n/a".into());
                for m in &d.mirror_summary {
                    let _ = writeln!(
                        s,
                        "{:<8} {:>10} {:>10} {:>10}",
                        m.conduit,
                        f(m.gap_pct_baseline),
                        f(m.gap_pct_after),
                        f(m.change_pp)
                    );
                }
                let _ = writeln!(s, "Note: {}", d.mirror_note);
            }
            let _ = writeln!(s, "\nMethod: {}.", d.method);
            Ok(s)
        }
    }
}
