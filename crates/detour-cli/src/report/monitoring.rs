//! The report's monitoring section: EU–Russia and EU–neighbour totals, year on year, with charts.

use super::*;

pub(super) fn monitoring(store: &Store) -> Result<String> {
    let mut s = String::from(
        "<section id=\"monitoring\"><h2>Monitoring: the EU's and Russia's trade with the neighbours</h2>",
    );
    // EU27 exports by year, YoY on matched windows.
    let mut rows = Vec::new();
    let mut files: Vec<String> = Vec::new();
    for p in ["RUS", "ARM", "GEO", "KAZ", "KGZ", "UZB"] {
        let mut row = vec![p.to_string()];
        for period in ["2021", "2022", "2023", "2024-01..2024-08"] {
            let q = TradeQuery::new("EU27", p, FlowKind::Exports, Period::parse(period)?)
                .with_yoy(true);
            let r = detour_monitor::trade(store, &q)?;
            for pr in &r.provenance {
                if !files.contains(&pr.file) {
                    files.push(pr.file.clone());
                }
            }
            row.push(format!(
                "{} <small>{}</small>",
                keyed(&format!("eu27_exports_{p}_{period}"), &bn(r.value)),
                r.yoy_pct.map(|y| format!("{y:+.1}%")).unwrap_or_default()
            ));
        }
        rows.push(row);
    }
    s.push_str("<h3>EU27 exports, EUR billion (year-on-year on the same months)</h3>");
    s.push_str(&table(
        &["partner", "2021", "2022", "2023", "Jan–Aug 2024"],
        &rows,
    ));
    s.push_str(&source_line(&files));
    // Monthly series EU27 -> RUS and -> KGZ.
    for (partner, title) in [
        ("RUS", "EU27 exports to Russia"),
        ("KGZ", "EU27 exports to Kyrgyzstan"),
    ] {
        let q = TradeQuery::new(
            "EU27",
            partner,
            FlowKind::Exports,
            Period::parse("2019-01..2024-08")?,
        );
        let r = detour_monitor::series(store, &q, Frequency::Monthly)?;
        let _ = write!(
            s,
            "<h3>{}, monthly</h3>{}",
            escape(title),
            detour_monitor::chart::line_svg(&r)
        );
    }
    // Russia's turnover with its EAEU neighbours, FCS.
    let mut rows = Vec::new();
    for p in ["KAZ", "BLR", "UZB"] {
        let q = TradeQuery::new("RUS", p, FlowKind::Turnover, Period::parse("2006..2021")?);
        let r = detour_monitor::series(store, &q, Frequency::Annual)?;
        let best = r
            .points
            .iter()
            .filter_map(|x| x.value.map(|v| (x.period.clone(), v)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let last = r.points.last().and_then(|x| x.value).unwrap_or(f64::NAN);
        rows.push(vec![
            p.to_string(),
            keyed(&format!("rus_turnover_{p}_2021"), &bn(last)),
            best.map(|(y, v)| format!("{} ({y})", bn(v)))
                .unwrap_or_default(),
        ]);
        if p == "KAZ" {
            let _ = write!(
                s,
                "<h3>Russia–Kazakhstan turnover, annual (Russia's customs)</h3>{}",
                detour_monitor::chart::line_svg(&r)
            );
        }
    }
    s.push_str("<h3>Russia's turnover with its neighbours, USD billion (Federal Customs Service; its detail ends in 2021)</h3>");
    s.push_str(&table(&["partner", "2021", "highest 2006–2021"], &rows));
    s.push_str(&source_line(&[
        "russia_fcs_monthly_top29_partners_2006_2021.csv (Federal Customs Service of Russia)"
            .into(),
    ]));
    s.push_str("</section>\n");
    Ok(s)
}
