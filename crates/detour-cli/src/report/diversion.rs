//! The report's diversion and gravity sections.

use super::*;

pub(super) fn diversion(store: &Store) -> Result<(String, String)> {
    let q = detour_diversion::Query {
        by_sender: true,
        gravity: true,
        ..detour_diversion::Query::eu_russia_headline()
    };
    let d = detour_diversion::diversion(store, &q)?;
    let mut s = String::from(
        "<section id=\"diversion\"><h2>Diversion: how much comes back through the neighbours</h2>",
    );
    let _ = write!(
        s,
        "<p>EU27 exports to Russia against a counterfactual from {} (month-of-year effects and a trend, fitted on logs), over {}: \
         shortfall <b>{} bn {}</b>; extra exports to Armenia, Georgia, Kazakhstan, Kyrgyzstan and Uzbekistan: <b>{} bn</b>; \
         offset ratio <b>{}</b> (excess ÷ shortfall).</p>",
        escape(&d.baseline),
        escape(&d.after),
        keyed("target_shortfall_bn", &bn(d.target_shortfall)),
        escape(&d.currency),
        keyed("conduit_excess_bn", &bn(d.conduit_excess)),
        keyed("offset_ratio", &format!("{:.3}", d.offset_ratio)),
    );
    s.push_str(&crate::diversion::diversion_chart(&d));
    let rows: Vec<Vec<String>> = d
        .by_year
        .iter()
        .map(|y| {
            vec![
                y.year.to_string(),
                bn(y.target_shortfall),
                bn(y.conduit_excess),
                keyed(
                    &format!("offset_ratio_{}", y.year),
                    &format!("{:.3}", y.offset_ratio),
                ),
            ]
        })
        .collect();
    s.push_str("<h3>By year</h3>");
    s.push_str(&table(
        &[
            "year",
            "shortfall, bn",
            "conduit excess, bn",
            "offset ratio",
        ],
        &rows,
    ));
    let rows: Vec<Vec<String>> = d
        .by_conduit
        .iter()
        .map(|c| {
            vec![
                c.country.clone(),
                bn(c.excess),
                format!("{:.3}", c.offset_ratio),
            ]
        })
        .collect();
    s.push_str("<h3>By conduit</h3>");
    s.push_str(&table(
        &["conduit", "excess, bn", "share of the shortfall"],
        &rows,
    ));
    let rows: Vec<Vec<String>> = d
        .by_sender
        .iter()
        .take(8)
        .map(|c| {
            vec![
                c.country.clone(),
                bn(c.target_shortfall),
                bn(c.conduit_excess),
                format!("{:.3}", c.offset_ratio),
            ]
        })
        .collect();
    s.push_str("<h3>EU member states with the largest extra exports to the conduits</h3>");
    s.push_str(&table(
        &[
            "member",
            "shortfall to Russia, bn",
            "excess to conduits, bn",
            "offset ratio",
        ],
        &rows,
    ));
    let rows: Vec<Vec<String>> = d
        .mirror
        .iter()
        .map(|m| {
            vec![
                m.conduit.clone(),
                m.year.to_string(),
                bn(m.senders_record),
                bn(m.conduit_record),
                keyed(
                    &format!("mirror_gap_{}_{}", m.conduit, m.year),
                    &format!("{:+.1}%", m.gap_pct),
                ),
            ]
        })
        .collect();
    s.push_str(
        "<h3>Mirror: what the EU says it sent against what the conduit says it received</h3>",
    );
    s.push_str(&table(
        &[
            "conduit",
            "year",
            "EU27 exports, bn",
            "conduit's imports from EU, bn",
            "gap",
        ],
        &rows,
    ));
    let _ = write!(s, "<p class=\"src\">{}</p>", escape(&d.mirror_note));
    let mut files: Vec<String> = d.pairs.iter().flat_map(|p| p.provenance.clone()).collect();
    files.sort();
    files.dedup();
    s.push_str(&source_line(&files));
    let _ = writeln!(
        s,
        "<p class=\"src\">Method: {}</p></section>",
        escape(&d.method)
    );

    let mut g =
        String::from("<section id=\"gravity\"><h2>Gravity: the average effect, estimated</h2>");
    if let Some(gr) = &d.gravity {
        let _ = write!(
            g,
            "<p>{} (N = {}{}).</p>",
            escape(&gr.model),
            gr.nobs,
            if gr.converged { "" } else { ", not converged" }
        );
        let rows: Vec<Vec<String>> = gr
            .effects
            .iter()
            .map(|e| {
                vec![
                    escape(&e.name),
                    keyed(
                        &format!("gravity_{}", e.name),
                        &format!("{:.4}", e.estimate),
                    ),
                    format!("{:.4}", e.std_error),
                    format!("[{:.3}, {:.3}]", e.ci_low, e.ci_high),
                    format!("{:+.1}%", e.effect_pct),
                ]
            })
            .collect();
        g.push_str(&table(
            &[
                "term",
                "estimate",
                "s.e. (clustered by pair)",
                "95% CI",
                "effect on trade",
            ],
            &rows,
        ));
        if !gr.collinear.is_empty() {
            let _ = write!(
                g,
                "<p class=\"src\">Reference (dropped as collinear with the effects): {}</p>",
                escape(&gr.collinear.join(", "))
            );
        }
    }
    g.push_str(&source_line(&files));
    g.push_str("</section>\n");
    Ok((s, g))
}
