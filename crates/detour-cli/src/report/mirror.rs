//! The report's partner-side mirror section: the neighbours' own records against the EU's and Russia's.

use super::*;

/// The neighbours' own records against the EU's (EU27 exports to them) and against Russia's as the
/// IMF gives it.
pub(super) fn partner_mirror(store: &Store) -> Result<String> {
    let mut s = String::from(
        "<section id=\"partner-mirror\"><h2>Mirror: the neighbours' own records against the EU's and Russia's</h2>",
    );
    let mut files: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut collect = |m: &detour_monitor::MirrorResult, files: &mut Vec<String>| {
        for r in std::iter::once(&m.reporter_view).chain(m.partner_view.as_ref()) {
            for p in &r.provenance {
                if !files.contains(&p.file) {
                    files.push(p.file.clone());
                }
            }
            for n in &r.notes {
                // One line per note, without the pair and year it was found for.
                let n = n.split_once(": ").map_or(n.as_str(), |x| x.1).to_string();
                if !notes.contains(&n) {
                    notes.push(n);
                }
            }
        }
    };
    let cell = |r: Option<&detour_monitor::TradeResult>| {
        r.map_or_else(
            || "not loaded".to_string(),
            |r| format!("{} {}", bn(r.value), escape(&r.currency)),
        )
    };
    let gap = |m: &detour_monitor::MirrorResult, key: &str| {
        m.gap_pct
            .map_or_else(|| "–".into(), |g| keyed(key, &format!("{g:+.1}%")))
    };
    // EU27 exports to the Central Asian neighbours against their imports from the EU.
    let mut rows = Vec::new();
    for p in ["KAZ", "KGZ", "UZB"] {
        for y in ["2021", "2022", "2023"] {
            let q = TradeQuery::new("EU27", p, FlowKind::Exports, Period::parse(y)?);
            let m = detour_monitor::mirror(store, &q)?;
            collect(&m, &mut files);
            rows.push(vec![
                p.to_string(),
                y.to_string(),
                cell(Some(&m.reporter_view)),
                cell(m.partner_view.as_ref()),
                gap(&m, &format!("pmirror_EU27_{p}_{y}")),
            ]);
        }
    }
    s.push_str("<h3>EU27 exports (Eurostat) against the neighbour's imports from the EU (its statistics office), billion</h3>");
    s.push_str(&table(
        &[
            "neighbour",
            "year",
            "EU27 record",
            "neighbour's record",
            "gap",
        ],
        &rows,
    ));
    // Member states, 2023: the largest senders.
    let mut rows = Vec::new();
    for p in ["KAZ", "KGZ", "UZB"] {
        for m in ["DEU", "ITA", "POL", "FRA"] {
            let q = TradeQuery::new(m, p, FlowKind::Exports, Period::parse("2023")?);
            let Ok(r) = detour_monitor::mirror(store, &q) else {
                continue;
            };
            collect(&r, &mut files);
            rows.push(vec![
                p.to_string(),
                m.to_string(),
                cell(Some(&r.reporter_view)),
                cell(r.partner_view.as_ref()),
                gap(&r, &format!("pmirror_{m}_{p}_2023")),
            ]);
        }
    }
    s.push_str("<h3>By member state, 2023</h3>");
    s.push_str(&table(
        &[
            "neighbour",
            "member state",
            "member's record",
            "neighbour's record",
            "gap",
        ],
        &rows,
    ));
    // The neighbours' trade with Russia as each records it, against Russia's side (IMF IMTS).
    let mut rows = Vec::new();
    let mut wide = Vec::new();
    for p in ["KAZ", "KGZ", "UZB"] {
        for (flow, fl) in [
            (FlowKind::Exports, "exports to RUS"),
            (FlowKind::Imports, "imports from RUS"),
        ] {
            for y in ["2021", "2022", "2023"] {
                let q = TradeQuery::new(p, "RUS", flow, Period::parse(y)?);
                let Ok(m) = detour_monitor::mirror(store, &q) else {
                    continue;
                };
                collect(&m, &mut files);
                if m.gap_pct.is_some_and(|g| g.abs() > 50.0) {
                    wide.push(format!("{p} {fl} {y}"));
                }
                rows.push(vec![
                    p.to_string(),
                    fl.to_string(),
                    y.to_string(),
                    cell(Some(&m.reporter_view)),
                    cell(m.partner_view.as_ref()),
                    gap(
                        &m,
                        &format!(
                            "pmirror_{p}_RUS_{}_{y}",
                            if flow == FlowKind::Exports { "x" } else { "m" }
                        ),
                    ),
                ]);
            }
        }
    }
    s.push_str("<h3>Trade with Russia as each neighbour records it, against Russia's side in the IMF's IMTS, billion</h3>");
    s.push_str(&table(
        &[
            "neighbour",
            "flow",
            "year",
            "neighbour's record",
            "Russia's side (IMF)",
            "gap",
        ],
        &rows,
    ));
    s.push_str(
        "<p>Russia has published no trade by partner since 2022: from 2022 the IMF's figures for Russia are derived from the \
         counterparts' records, so a small gap there compares a record with an estimate that rests largely on it, not two \
         independent records. Gap: the partner's record against the reporter's, in percent.</p>",
    );
    if !wide.is_empty() {
        let _ = write!(
            s,
            "<p>More than half apart: {}. Neither side is corrected here; where one side is the IMF's derived figure, check how \
             it was derived before using it.</p>",
            escape(&wide.join("; "))
        );
    }
    for n in &notes {
        let _ = write!(s, "<p class=\"src\">{}</p>", escape(n));
    }
    s.push_str(&source_line(&files));
    s.push_str("</section>\n");
    Ok(s)
}
