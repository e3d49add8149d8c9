//! Eurostat Comext extracts (total goods, values in EUR).
//!
//! Eurostat values exports FOB and imports CIF at the EU border.

use super::{Columns, Rec, ResolveMode, Resolver, Sink, field_or_bad, next_record, resolve_or_bad};
use crate::error::Result;
use crate::schema::FlowRow;
use detour_core::Flow;
use detour_core::country::CodeScheme;

const FORMAT: &str = "eurostat-monthly";

/// Reporter codes of the monthly extract that are not ISO3.
fn reporter_alias(code: &str) -> &str {
    match code {
        "EA_CHANGING" => "EA",
        "EU_CHANGING" => "EU",
        other => other,
    }
}

fn valuation(flow: Flow) -> &'static str {
    match flow {
        Flow::Export => "FOB",
        Flow::Import => "CIF",
    }
}

pub(super) fn parse_monthly<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    sink: &mut Sink,
) -> Result<()> {
    let cols = Columns::new(rdr, sink, FORMAT)?;
    let [c_rep, c_par, c_flow, c_y, c_m, c_v] = cols.require(
        sink,
        FORMAT,
        [
            "reporter_code",
            "partner_iso3",
            "flow",
            "year",
            "month",
            "value_eur",
        ],
    )?;
    let mut reporters = Resolver::new(ResolveMode::Canonical);
    let mut partners = Resolver::new(ResolveMode::Code(CodeScheme::Iso3));
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let (reporter, _) = resolve_or_bad!(
            reporters,
            sink,
            reporter_alias(r.get(c_rep)),
            line,
            "reporter_code"
        );
        let (partner, _) = resolve_or_bad!(partners, sink, r.get(c_par), line, "partner_iso3");
        let flow = field_or_bad!(sink, r.flow(sink, c_flow));
        let year = field_or_bad!(sink, r.year(sink, c_y));
        let month = field_or_bad!(sink, r.month(sink, c_m));
        let value = field_or_bad!(sink, r.num(sink, c_v, "value_eur"));
        sink.row(&FlowRow {
            reporter: &reporter,
            partner: &partner,
            flow,
            year,
            month: Some(month),
            commodity: "TOTAL",
            classification: "TOTAL",
            value,
            currency: "EUR",
            valuation: Some(valuation(flow)),
            flags: None,
            line,
        })?;
    }
    Ok(())
}

pub(super) fn parse_yearly<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    sink: &mut Sink,
) -> Result<()> {
    const FORMAT: &str = "eurostat-yearly";
    let cols = Columns::new(rdr, sink, FORMAT)?;
    let [c_rep, c_par, c_flow, c_y, c_v] = cols.require(
        sink,
        FORMAT,
        ["reporter", "partner", "flow", "year", "value_eur"],
    )?;
    let mut reporters = Resolver::new(ResolveMode::Canonical);
    let mut partners = Resolver::new(ResolveMode::Name);
    let mut seen = std::collections::HashMap::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let (reporter, _) = resolve_or_bad!(reporters, sink, r.get(c_rep), line, "reporter");
        let (partner, _) = resolve_or_bad!(partners, sink, r.get(c_par), line, "partner");
        let flow = field_or_bad!(sink, r.flow(sink, c_flow));
        let year = field_or_bad!(sink, r.year(sink, c_y));
        let value = field_or_bad!(sink, r.num(sink, c_v, "value_eur"));
        // The extract labels partners in English or French by year; two labels of one
        // partner in one year would double count.
        if let Some(first) = seen.insert((reporter.clone(), partner.clone(), flow, year), line) {
            let e = sink.err(
                line,
                "partner",
                format!("{partner} {year} already given on line {first}"),
            );
            sink.bad(e)?;
            continue;
        }
        sink.row(&FlowRow {
            reporter: &reporter,
            partner: &partner,
            flow,
            year,
            month: None,
            commodity: "TOTAL",
            classification: "TOTAL",
            value,
            currency: "EUR",
            valuation: Some(valuation(flow)),
            flags: None,
            line,
        })?;
    }
    Ok(())
}
