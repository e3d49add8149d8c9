//! Eurostat Comext extracts (values in EUR): total goods by month or year, and member states'
//! monthly exports by product.
//!
//! Eurostat values exports FOB and imports CIF at the EU border.
//!
//! The product layout (`reporter,partner,product,month,value_eur`: reporter as Eurostat's label,
//! product a CN8 code or an HS-4 heading, month `YYYY-MM`) mixes two levels: a heading's rows
//! overlap the CN8 rows beneath it. Both are stored, each with its own `classification` (`CN8`,
//! `HS4`), and neither counts as a total: a file without `TOTAL` rows is summed over 6-digit codes
//! only, so no sum takes a heading and its subheadings together.

use super::{
    Columns, Rec, ResolveMode, Resolver, Sink, field_or_bad, next_record, once, resolve_or_bad,
};
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
    if cols.find("product").is_some() {
        return parse_products(rdr, sink, &cols);
    }
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
        // The extract labels partners in English or French by year.
        field_or_bad!(
            sink,
            once(
                &mut seen,
                (reporter.clone(), partner.clone(), flow, year),
                sink,
                line,
                "partner",
                format_args!("{partner} {year}")
            )
        );
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

/// Member states' monthly exports by product (CN8 codes and HS-4 headings).
fn parse_products<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    sink: &mut Sink,
    cols: &Columns,
) -> Result<()> {
    let [c_rep, c_par, c_prod, c_m, c_v] = cols.require(
        sink,
        FORMAT,
        ["reporter", "partner", "product", "month", "value_eur"],
    )?;
    let c_flow = cols.find("flow");
    let mut reporters = Resolver::new(ResolveMode::Name);
    let mut partners = Resolver::new(ResolveMode::Canonical);
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let (reporter, _) = resolve_or_bad!(reporters, sink, r.get(c_rep), line, "reporter");
        let (partner, _) = resolve_or_bad!(partners, sink, r.get(c_par), line, "partner");
        let flow = match c_flow {
            Some(i) => field_or_bad!(sink, r.flow(sink, i)),
            None => Flow::Export,
        };
        let product = r.get(c_prod).trim();
        let classification = match product.len() {
            8 => "CN8",
            4 => "HS4",
            6 => "HS6",
            2 => "HS2",
            _ => "",
        };
        if classification.is_empty() || !product.bytes().all(|b| b.is_ascii_digit()) {
            let e = sink.err(
                line,
                "product",
                format!("'{product}' is not a 2-, 4-, 6- or 8-digit product code"),
            );
            sink.bad(e)?;
            continue;
        }
        let (year, month) = field_or_bad!(sink, r.year_month(sink, c_m, "month"));
        let value = field_or_bad!(sink, r.num(sink, c_v, "value_eur"));
        sink.row(&FlowRow {
            reporter: &reporter,
            partner: &partner,
            flow,
            year,
            month: Some(month),
            commodity: product,
            classification,
            value,
            currency: "EUR",
            valuation: Some(valuation(flow)),
            flags: (classification == "HS4")
                .then_some("heading: overlaps the CN8 rows beneath it, never sum both"),
            line,
        })?;
    }
    Ok(())
}
