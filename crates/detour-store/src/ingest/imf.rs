//! IMF International Trade in Goods by partner (IMTS, formerly DOTS), SDMX-CSV.
//!
//! Columns: `COUNTRY` and `COUNTERPART_COUNTRY` (ISO 3166 alpha-3; IMF aggregates
//! such as `G001` for World are matched where detour knows them), `INDICATOR`
//! (`XG_FOB_USD` exports FOB, `MG_CIF_USD` imports CIF, `MG_FOB_USD` imports FOB;
//! balances are derived, not stored), `TIME_PERIOD` (`2023`, `2023-M01` or
//! `2023-01`), `OBS_VALUE`, and optionally `UNIT_MULT` (power of ten, SDMX).
//! Quarterly observations are not stored (monthly and annual series cover them).

use super::{Columns, Rec, ResolveMode, Resolver, Sink, field_or_bad, next_record, resolve_or_bad};
use crate::error::Result;
use crate::schema::FlowRow;
use detour_core::Flow;

const FORMAT: &str = "imf";

fn area(code: &str) -> &str {
    match code {
        "G001" | "W00" | "_T" => "WLD",
        other => other,
    }
}

/// `2023` → (2023, None); `2023-M01`, `2023M01`, `2023-01` → (2023, Some(1)); quarters → Err(true).
fn time_period(s: &str) -> Result<(i32, Option<u32>), bool> {
    if s.len() == 4 {
        return s.parse().map(|y| (y, None)).map_err(|_| false);
    }
    if s.contains('Q') {
        return Err(true);
    }
    let y: i32 = s.get(..4).and_then(|y| y.parse().ok()).ok_or(false)?;
    let rest = s[4..].trim_start_matches('-').trim_start_matches('M');
    let m: u32 = rest.parse().map_err(|_| false)?;
    if !(1..=12).contains(&m) {
        return Err(false);
    }
    Ok((y, Some(m)))
}

/// IMF aggregates and residual categories: World is stored as `WLD`; the others (regions,
/// "not specified", Belgium-Luxembourg) are sums or leftovers of the countries and are not stored.
fn aggregate(code: &str) -> Option<&'static str> {
    if matches!(code, "G001" | "W00" | "_T") {
        return Some("WLD");
    }
    let residual = (code.starts_with('G')
        && code[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == 'X'))
        || code.starts_with("TX");
    residual.then_some("")
}

/// Whose records a Russian figure rests on: Russia has published no partner detail since 2022,
/// and IMTS fills a non-reporting country's trade from its partners' records.
const RUS_PARTNER_DERIVED: &str =
    "2022+: Russia publishes no partner detail; IMF IMTS figure derived from counterpart records";

/// What an IMTS indicator holds: a flow and its valuation; `None` (counted as not stored) for the
/// trade balance, which is derived from the two.
fn indicator(
    sink: &mut Sink,
    r: &Rec,
    i: usize,
    field: &str,
) -> Result<Option<(Flow, &'static str)>> {
    Ok(Some(match r.get(i) {
        "XG_FOB_USD" => (Flow::Export, "FOB"),
        "MG_CIF_USD" => (Flow::Import, "CIF"),
        "MG_FOB_USD" => (Flow::Import, "FOB"),
        "TBG_USD" => {
            sink.not_stored("trade balance (derived from exports and imports)");
            return Ok(None);
        }
        other => return Err(sink.err(r.line, field, format!("unknown indicator '{other}'"))),
    }))
}

pub(super) fn parse<R: std::io::Read>(rdr: &mut csv::Reader<R>, sink: &mut Sink) -> Result<()> {
    let cols = Columns::new(rdr, sink, FORMAT)?;
    if cols.find("TIME_PERIOD").is_none() && cols.find("COUNTERPART_COUNTRY.ID").is_some() {
        return parse_wide(rdr, sink, &cols);
    }
    let [c_c, c_cp, c_ind, c_t, c_v] = cols.require(
        sink,
        FORMAT,
        [
            "COUNTRY",
            "COUNTERPART_COUNTRY",
            "INDICATOR",
            "TIME_PERIOD",
            "OBS_VALUE",
        ],
    )?;
    let c_mult = cols.find("UNIT_MULT");
    let mut codes = Resolver::new(ResolveMode::Canonical);
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let Some((flow, valuation)) = field_or_bad!(sink, indicator(sink, &r, c_ind, "INDICATOR"))
        else {
            continue;
        };
        let (year, month) = match time_period(r.get(c_t)) {
            Ok(v) => v,
            Err(true) => {
                sink.not_stored("quarterly observation");
                continue;
            }
            Err(false) => {
                let e = sink.err(
                    line,
                    "TIME_PERIOD",
                    format!("'{}' is not YYYY or YYYY-MNN", r.get(c_t)),
                );
                sink.bad(e)?;
                continue;
            }
        };
        if r.get(c_v).is_empty() || r.get(c_v).eq_ignore_ascii_case("NaN") {
            sink.not_stored("empty observation");
            continue;
        }
        let (reporter, _) = resolve_or_bad!(codes, sink, area(r.get(c_c)), line, "COUNTRY");
        let (partner, _) =
            resolve_or_bad!(codes, sink, area(r.get(c_cp)), line, "COUNTERPART_COUNTRY");
        let v = field_or_bad!(sink, r.num(sink, c_v, "OBS_VALUE"));
        let mult = match c_mult.map(|i| r.get(i)).filter(|s| !s.is_empty()) {
            None => 0,
            Some(_) => field_or_bad!(sink, r.int(sink, c_mult.expect("present"), "UNIT_MULT")),
        };
        sink.row(&FlowRow {
            reporter: &reporter,
            partner: &partner,
            flow,
            year,
            month,
            commodity: "TOTAL",
            classification: "TOTAL",
            value: v * 10f64.powi(mult as i32),
            currency: "USD",
            valuation: Some(valuation),
            flags: None,
            line,
        })?;
    }
    Ok(())
}

/// The IMF data portal's wide download: one row per series (`COUNTRY.ID`, `COUNTERPART_COUNTRY.ID`,
/// `INDICATOR.ID`, `FREQUENCY.ID`, `SCALE.ID` as a power of ten), one column per year.
fn parse_wide<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    sink: &mut Sink,
    cols: &Columns,
) -> Result<()> {
    let [c_c, c_cp, c_ind] = cols.require(
        sink,
        FORMAT,
        ["COUNTRY.ID", "COUNTERPART_COUNTRY.ID", "INDICATOR.ID"],
    )?;
    let c_freq = cols.find("FREQUENCY.ID");
    let c_scale = cols.find("SCALE.ID");
    let years: Vec<(usize, i32)> = cols
        .names()
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            (n.len() == 4)
                .then(|| n.parse::<i32>().ok())
                .flatten()
                .filter(|y| (1900..=2100).contains(y))
                .map(|y| (i, y))
        })
        .collect();
    if years.is_empty() {
        return Err(crate::error::StoreError::BadHeader {
            file: sink.file.clone(),
            format: FORMAT.into(),
            message: format!(
                "the wide layout needs year columns (2016, 2017, …); header is: {}",
                cols.names().join(",")
            ),
        });
    }
    let mut codes = Resolver::new(ResolveMode::Canonical);
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let Some((flow, valuation)) =
            field_or_bad!(sink, indicator(sink, &r, c_ind, "INDICATOR.ID"))
        else {
            continue;
        };
        if let Some(f) = c_freq.map(|i| r.get(i))
            && f != "A"
        {
            sink.not_stored("not an annual series");
            continue;
        }
        let (reporter, _) = resolve_or_bad!(codes, sink, area(r.get(c_c)), line, "COUNTRY.ID");
        let cp = r.get(c_cp);
        let partner = match aggregate(cp) {
            Some("") => {
                sink.not_stored("IMF regional aggregate or residual category");
                continue;
            }
            Some(code) => code.to_string(),
            None => resolve_or_bad!(codes, sink, cp, line, "COUNTERPART_COUNTRY.ID").0,
        };
        let mult = match c_scale.map(|i| r.get(i)).filter(|s| !s.is_empty()) {
            None => 0,
            Some(_) => field_or_bad!(sink, r.int(sink, c_scale.expect("present"), "SCALE.ID")),
        };
        for &(i, year) in &years {
            let t = r.get(i);
            if t.is_empty() || t.eq_ignore_ascii_case("NaN") {
                continue;
            }
            let v = field_or_bad!(sink, r.num(sink, i, &year.to_string()));
            let flags = (reporter == "RUS" && year >= 2022).then_some(RUS_PARTNER_DERIVED);
            sink.row(&FlowRow {
                reporter: &reporter,
                partner: &partner,
                flow,
                year,
                month: None,
                commodity: "TOTAL",
                classification: "TOTAL",
                value: v * 10f64.powi(mult as i32),
                currency: "USD",
                valuation: Some(valuation),
                flags,
                line,
            })?;
        }
    }
    Ok(())
}
