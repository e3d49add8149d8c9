//! The report's product section: the Common High Priority List goods on the CN8 data.

use super::*;

/// The CHPL windows of the product-level analysis (the embedded CN8 file runs 2020-01 … 2022-11).
pub(super) const CHPL_BASELINE: &str = "2020-01..2022-02";
pub(super) const CHPL_AFTER: &str = "2022-03..2022-11";

pub(super) fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |v| format!("{v:+.1}%"))
}

pub(super) fn chpl(store: &Store) -> Result<String> {
    let (b, a) = (Period::parse(CHPL_BASELINE)?, Period::parse(CHPL_AFTER)?);
    let conduits: Vec<String> = CONDUITS.iter().map(|s| s.to_string()).collect();
    let q =
        detour_diversion::product::ProductQuery::by_windows("EU27", "RUS", &conduits, b, a, "chpl");
    let d = detour_diversion::product::product_did(store, &q)?;
    let by_blr = detour_diversion::product::product_did(
        store,
        &detour_diversion::product::ProductQuery::by_windows(
            "EU27", "BLR", &conduits, b, a, "chpl",
        ),
    )?;
    let mut s = String::from(
        "<section id=\"chpl\"><h2>Products: high-priority goods (CHPL) on real data</h2>",
    );
    let _ = write!(
        s,
        "<p>The Common High Priority List names the battlefield goods (electronics, machine tools, bearings, optics) \
         whose re-export to Russia the EU, UK, US and Japan watch most closely. The EU member states' own exports by CN8 \
         product, month by month ({} against {}), {} CHPL goods found in the data, summed to HS-6 and read in HS {} terms.</p>",
        escape(CHPL_BASELINE),
        escape(CHPL_AFTER),
        d.chpl_in_data.len(),
        escape(&d.edition.replace("Hs", "")),
    );
    // Monthly CHPL exports, baseline mean = 100: to Russia, to the five conduits, to Belarus.
    // The chart runs over both windows; each destination's means are taken within each window.
    let span = Period::parse(&format!("{}..{}", b.start, a.end))?;
    let months: Vec<String> = span.months().map(|m| m.to_string()).collect();
    let mean_in = |by: &std::collections::HashMap<String, f64>, w: &Period| {
        let v: Vec<f64> = w
            .months()
            .filter_map(|m| by.get(&m.to_string()).copied())
            .collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    let mut lines = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for (label, partner, key) in [
        ("EU27 → RUS", "RUS", "RUS"),
        (
            "EU27 → ARM, GEO, KAZ, KGZ, UZB",
            "ARM,GEO,KAZ,KGZ,UZB",
            "conduits",
        ),
        ("EU27 → BLR", "BLR", "BLR"),
    ] {
        let mut tq = TradeQuery::new("EU27", partner, FlowKind::Exports, span);
        tq.commodity = Some(detour_monitor::Commodity::parse("chpl")?);
        let r = detour_monitor::series(store, &tq, Frequency::Monthly)?;
        for pr in &r.provenance {
            if !files.contains(&pr.file) {
                files.push(pr.file.clone());
            }
        }
        let by: std::collections::HashMap<String, f64> = r
            .points
            .iter()
            .filter_map(|p| Some((p.period.clone(), p.value?)))
            .collect();
        let (mean, after_mean) = (mean_in(&by, &b), mean_in(&by, &a));
        rows.push(vec![
            escape(label),
            format!("{:.1}", mean / 1e6),
            format!("{:.1}", after_mean / 1e6),
            keyed(
                &format!("chpl_change_{key}"),
                &format!("{:+.1}%", 100.0 * (after_mean / mean - 1.0)),
            ),
        ]);
        lines.push((
            label.to_string(),
            months
                .iter()
                .map(|m| by.get(m.as_str()).map(|v| 100.0 * v / mean))
                .collect::<Vec<_>>(),
        ));
    }
    let markers = crate::diversion::package_markers(&months);
    s.push_str(&detour_charts::index_svg(
        "EU27 exports of CHPL goods, monthly",
        &months,
        &lines,
        &markers,
        &format!(
            "Index, mean of {CHPL_BASELINE} = 100; vertical lines: EU sanctions packages. Source: {}",
            files.join("; ")
        ),
    ));
    s.push_str("<h3>CHPL exports, monthly mean, EUR million</h3>");
    s.push_str(&table(
        &[
            "destination",
            "2020-01 … 2022-02",
            "2022-03 … 2022-11",
            "change",
        ],
        &rows,
    ));
    // The model.
    let _ = write!(
        s,
        "<h3>CHPL goods against other goods: PPML difference-in-differences</h3><p>{} (N = {}, {} products{}).</p>",
        escape(&d.model),
        d.nobs,
        d.products,
        if d.converged { "" } else { ", not converged" }
    );
    let mut effects: Vec<&detour_diversion::GravityEffect> = d.effects.iter().collect();
    effects.extend(by_blr.effects.iter().filter(|e| e.name.contains("BLR")));
    let rows: Vec<Vec<String>> = effects
        .iter()
        .map(|e| {
            vec![
                escape(&e.name),
                keyed(&format!("chpl_{}", e.name), &format!("{:.3}", e.estimate)),
                format!("{:.3}", e.std_error),
                format!("[{:.3}, {:.3}]", e.ci_low, e.ci_high),
                format!("{:+.1}%", e.effect_pct),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "term",
            "estimate",
            "s.e. (clustered by product)",
            "95% CI",
            "against other goods",
        ],
        &rows,
    ));
    s.push_str(
        "<p class=\"src\">The Belarus row comes from the same model with Belarus as the target (it is itself sanctioned, so it is no conduit).</p>",
    );
    let rows: Vec<Vec<String>> = d
        .growth
        .iter()
        .map(|g| {
            vec![
                escape(&g.destination),
                keyed(&format!("chpl_growth_{}", g.destination), &pct(g.chpl_pct)),
                pct(g.panel_goods_pct),
                pct(g.total_goods_pct),
            ]
        })
        .collect();
    s.push_str("<h3>Plain growth, after against baseline (monthly means)</h3>");
    s.push_str(&table(
        &[
            "destination",
            "CHPL goods",
            "all goods in the file (listed goods)",
            "all goods (total-goods file)",
        ],
        &rows,
    ));
    let mut subs: Vec<&detour_diversion::product::Substitution> = d.substitution.iter().collect();
    subs.sort_by(|x, y| x.target_change.total_cmp(&y.target_change));
    let rows: Vec<Vec<String>> = subs
        .iter()
        .take(10)
        .map(|x| {
            vec![
                escape(&x.chpl),
                format!("{:.1}", x.target_change / 1e6),
                format!("{:+.1}", x.conduit_change / 1e6),
                x.ratio.map_or_else(|| "–".into(), |r| format!("{r:.3}")),
            ]
        })
        .collect();
    s.push_str("<h3>The ten CHPL goods whose exports to Russia fell most: how much came back through the conduits</h3>");
    s.push_str(&table(
        &[
            "HS-6",
            "change to RUS, EUR m a year",
            "change to the conduits, EUR m a year",
            "ratio",
        ],
        &rows,
    ));
    let _ = write!(
        s,
        "<p><b>Beside the published headline.</b> Chupilkin, Javorcik and Plekhanov (EBRD, \"The Eurasian Roundabout\", 2023): \
         exports of sanctioned goods by the EU, UK and US to Russia fell about 80% more than other goods; to Armenia, Kazakhstan \
         and Kyrgyzstan they rose about 30% more; the rise was about 5% of the fall. Here the fall to Russia is of the same order \
         and the rise to the neighbours relative to other goods is not found. The data and design differ: the EU member states' \
         own exports only, to November 2022; the CHPL's codes, not the EBRD's wider set of sanctioned goods; Georgia and Uzbekistan \
         among the conduits; and the control group: this file lists about 2,300 products chosen from the EU sanctions annexes, so \
         \"other goods\" are mostly other listed goods. The total-goods column gives the all-goods comparison.</p>"
    );
    for n in &d.notes {
        let _ = write!(s, "<p class=\"src\">{}</p>", escape(n));
    }
    s.push_str(&source_line(&files));
    s.push_str("</section>\n");
    Ok(s)
}
