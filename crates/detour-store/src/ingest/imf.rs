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

pub(super) fn parse<R: std::io::Read>(rdr: &mut csv::Reader<R>, sink: &mut Sink) -> Result<()> {
    let cols = Columns::new(rdr, sink, FORMAT)?;
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
        let (flow, valuation) = match r.get(c_ind) {
            "XG_FOB_USD" => (Flow::Export, "FOB"),
            "MG_CIF_USD" => (Flow::Import, "CIF"),
            "MG_FOB_USD" => (Flow::Import, "FOB"),
            "TBG_USD" => {
                sink.not_stored("trade balance (derived from exports and imports)");
                continue;
            }
            other => {
                let e = sink.err(line, "INDICATOR", format!("unknown indicator '{other}'"));
                sink.bad(e)?;
                continue;
            }
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
