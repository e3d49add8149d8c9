//! Trade by partner from national statistics offices, partners given by name.
//!
//! Two layouts:
//! - `reporter,partner,year,value_eur`: imports, converted to EUR by the table's compiler;
//! - `reporter,partner_name,flow,year,month,value_thousand_usd[,source,source_file]`: exports and
//!   imports in thousand US$, as the offices publish them, partner names in English or Russian.
//!   The offices' own totals are kept as what they are — `Total`/`Всего` as the world (`WLD`),
//!   `The EU`/`Страны ЕС` as `EU27` (from 2020; the EU of earlier years as `EU`), `CIS`, `EAEU` —
//!   flagged `region total`, so that they answer questions about those wholes and are never
//!   added to country rows; lines of no one country ("Other countries", "Undefined country") as
//!   `X_OTHER`; continents and complements ("Europe", "Страны вне ЕС") are not stored.

use super::{
    Columns, Rec, ResolveMode, Resolver, Sink, field_or_bad, next_record, once, resolve_or_bad,
};
use crate::error::Result;
use crate::schema::FlowRow;
use detour_core::Flow;
use detour_core::country::AreaKind;

const FORMAT: &str = "national";

pub(super) fn parse<R: std::io::Read>(rdr: &mut csv::Reader<R>, sink: &mut Sink) -> Result<()> {
    let cols = Columns::new(rdr, sink, FORMAT)?;
    if cols.find("partner_name").is_some() {
        return parse_by_partner(rdr, sink, &cols);
    }
    let [c_rep, c_par, c_y, c_v] =
        cols.require(sink, FORMAT, ["reporter", "partner", "year", "value_eur"])?;
    let mut names = Resolver::new(ResolveMode::Name);
    let mut seen = std::collections::HashMap::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let reporter = field_or_bad!(sink, country(&mut names, sink, &r, c_rep));
        let (partner, _) = resolve_or_bad!(names, sink, r.get(c_par), line, "partner");
        let year = field_or_bad!(sink, r.year(sink, c_y));
        let value = field_or_bad!(sink, r.num(sink, c_v, "value_eur"));
        // Offices relabel partners between years ("Czech Republic"/"Czechia").
        field_or_bad!(
            sink,
            once(
                &mut seen,
                (reporter.clone(), partner.clone(), year),
                sink,
                line,
                "partner",
                format_args!("{partner} {year}")
            )
        );
        sink.row(&FlowRow {
            reporter: &reporter,
            partner: &partner,
            flow: Flow::Import,
            year,
            month: None,
            commodity: "TOTAL",
            classification: "TOTAL",
            value,
            currency: "EUR",
            valuation: None,
            flags: Some("converted to EUR by the table's compiler"),
            line,
        })?;
    }
    Ok(())
}

/// The reporter: a country (an office reports for its own country, never for a group).
fn country(res: &mut Resolver, sink: &Sink, r: &Rec, i: usize) -> Result<String> {
    let text = r.get(i);
    match res.resolve(text) {
        Ok((code, AreaKind::Country)) => Ok(code.to_string()),
        Ok(_) => Err(sink.err(r.line, "reporter", format!("'{text}' is not a country"))),
        Err(msg) => Err(sink.err(r.line, "reporter", msg)),
    }
}

/// What an office's region line stands for: a group code, or `None` when it is not stored
/// (continents, residuals). `Err(())` for a name that is no region.
fn region(name: &str, year: i32) -> std::result::Result<Option<&'static str>, ()> {
    let n = name.trim().to_lowercase();
    Ok(match n.as_str() {
        "total" | "всего" | "world" | "мир" => Some("WLD"),
        "the eu" | "eu" | "european union" | "страны ес" => {
            Some(if year >= 2020 { "EU27" } else { "EU" })
        }
        "cis" | "страны снг" | "снг" => Some("CIS"),
        "eaeu" | "eaes" | "страны еаэс" | "еаэс" => Some("EAEU"),
        // Lines that are part of the world but of no one country: kept as `X_OTHER`, so that a
        // world total summed over partners includes them. Kyrgyzstan's imports "from the
        // European Union (EU)" beside its EU total ("The EU") are such a line: goods of
        // unspecified EU origin, a few thousand dollars.
        "other countries" | "undefined country" | "channel islands" | "european union (eu)" => {
            Some("X_OTHER")
        }
        // Sums of other lines (continents, complements, organisations): not stored. Kazakhstan's
        // "rest of the world" is such a complement (tens of billions a year), not a residual.
        "остальные страны мира"
        | "asia"
        | "africa"
        | "america"
        | "europe"
        | "australia and oceania"
        | "азия"
        | "африка"
        | "америка"
        | "европа"
        | "австралия и океания"
        | "страны вне ес"
        | "страны вне еаэс"
        | "un"
        | "sco" => None,
        _ => return Err(()),
    })
}

/// A total-goods row of an office's table by partner (values in thousand US$).
fn total_row<'a>(
    reporter: &'a str,
    partner: &'a str,
    flow: Flow,
    (year, month): (i32, Option<u32>),
    value_thousand: f64,
    flags: Option<&'a str>,
    line: u64,
) -> FlowRow<'a> {
    FlowRow {
        reporter,
        partner,
        flow,
        year,
        month,
        commodity: "TOTAL",
        classification: "TOTAL",
        value: value_thousand * 1000.0,
        currency: "USD",
        valuation: None,
        flags,
        line,
    }
}

/// Reporter, flow, year and month of an office's unallocated lines.
type UnallocatedKey = (String, Flow, i32, Option<u32>);

fn parse_by_partner<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    sink: &mut Sink,
    cols: &Columns,
) -> Result<()> {
    let [c_rep, c_par, c_flow, c_y, c_v] = cols.require(
        sink,
        FORMAT,
        [
            "reporter",
            "partner_name",
            "flow",
            "year",
            "value_thousand_usd",
        ],
    )?;
    let c_m = cols.find("month");
    let mut codes = Resolver::new(ResolveMode::Canonical);
    let mut names = Resolver::new(ResolveMode::Name);
    let mut seen = std::collections::HashMap::new();
    // The office's unallocated lines (several per year: "other countries", "Channel Islands", …)
    // are one flow to `X_OTHER`: summed, stored once at the first line's number.
    let mut unallocated: Vec<(UnallocatedKey, f64, u64)> = Vec::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let reporter = field_or_bad!(sink, country(&mut codes, sink, &r, c_rep));
        let flow = match r.get(c_flow).to_lowercase().as_str() {
            "export" | "exports" | "x" => Flow::Export,
            "import" | "imports" | "m" => Flow::Import,
            other => {
                let e = sink.err(line, "flow", format!("'{other}' is not export or import"));
                sink.bad(e)?;
                continue;
            }
        };
        let year = field_or_bad!(sink, r.year(sink, c_y));
        let month = match c_m.filter(|&i| !r.get(i).trim().is_empty()) {
            Some(i) => Some(field_or_bad!(sink, r.month(sink, i))),
            None => None,
        };
        let name = r.get(c_par);
        let (partner, flags) = match region(name, year) {
            Ok(Some("X_OTHER")) => (
                "X_OTHER".to_string(),
                Some("unallocated line of the office's table"),
            ),
            Ok(Some(code)) => (
                code.to_string(),
                Some("region total as published by the office"),
            ),
            Ok(None) => {
                sink.not_stored(
                    "continent or complement line of the office's table (a sum of other lines)",
                );
                continue;
            }
            Err(()) => (
                resolve_or_bad!(names, sink, name, line, "partner_name").0,
                None,
            ),
        };
        let value = field_or_bad!(sink, r.num(sink, c_v, "value_thousand_usd"));
        if partner == "X_OTHER" {
            let key = (reporter.clone(), flow, year, month);
            match unallocated.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, v, _)) => {
                    *v += value;
                    sink.not_stored("unallocated line summed into the year's X_OTHER row");
                }
                None => unallocated.push((key, value, line)),
            }
            continue;
        }
        // Offices relabel partners between years ("Czech Republic"/"Czechia").
        field_or_bad!(
            sink,
            once(
                &mut seen,
                (reporter.clone(), partner.clone(), flow, year, month),
                sink,
                line,
                "partner_name",
                format_args!("{partner} {year}")
            )
        );
        sink.row(&total_row(
            &reporter,
            &partner,
            flow,
            (year, month),
            value,
            flags,
            line,
        ))?;
    }
    unallocated.sort_by_key(|(_, _, line)| *line);
    for ((reporter, flow, year, month), value, line) in unallocated {
        sink.row(&total_row(
            &reporter,
            "X_OTHER",
            flow,
            (year, month),
            value,
            Some("unallocated lines of the office's table, summed"),
            line,
        ))?;
    }
    Ok(())
}
