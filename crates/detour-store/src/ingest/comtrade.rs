//! UN Comtrade CSV in either published layout.
//!
//! - Current (API "get" data and bulk files): `freqCode, refYear, refMonth,
//!   reporterCode, flowCode, partnerCode, partner2Code, cmdCode, classificationCode,
//!   motCode, customsCode, primaryValue, …`. Rows that break a total down further
//!   (second partner, mode of transport or customs procedure other than the total)
//!   are not stored, so that sums do not double count; re-exports/re-imports
//!   (`RX`/`RM`), already inside exports/imports, are not stored either.
//! - Legacy bulk: `Classification, Year, Period, Trade Flow Code, Reporter Code,
//!   Partner Code, Commodity Code, Trade Value (US$), …` with flow codes 1 import,
//!   2 export, 3 re-export, 4 re-import.
//!
//! Countries are matched by Comtrade's numeric codes (842 USA, 251 France, 0 World, …).

use super::{Columns, Rec, ResolveMode, Resolver, Sink, field_or_bad, next_record, resolve_or_bad};
use crate::error::{Result, StoreError};
use crate::schema::FlowRow;
use detour_core::Flow;
use detour_core::country::CodeScheme;

const FORMAT: &str = "comtrade";

fn commodity_code(cmd: &str) -> Option<&str> {
    if cmd.eq_ignore_ascii_case("TOTAL") {
        Some("TOTAL")
    } else if matches!(cmd.len(), 2 | 4 | 6) && cmd.bytes().all(|b| b.is_ascii_digit()) {
        Some(cmd)
    } else {
        None
    }
}

fn classification(c: &str) -> String {
    match c.trim().to_ascii_uppercase().as_str() {
        "H0" | "HS" if c.eq_ignore_ascii_case("H0") => "HS1992".into(),
        "H1" => "HS1996".into(),
        "H2" => "HS2002".into(),
        "H3" => "HS2007".into(),
        "H4" => "HS2012".into(),
        "H5" => "HS2017".into(),
        "H6" => "HS2022".into(),
        "" => "HS".into(),
        other => other.to_string(),
    }
}

pub(super) fn parse<R: std::io::Read>(rdr: &mut csv::Reader<R>, sink: &mut Sink) -> Result<()> {
    let cols = Columns::new(rdr, sink, FORMAT)?;
    if cols.find("primaryValue").is_some() {
        parse_current(rdr, sink, &cols)
    } else if cols.find("Trade Value (US$)").is_some() {
        parse_legacy(rdr, sink, &cols)
    } else {
        Err(StoreError::BadHeader {
            file: sink.file.clone(),
            format: FORMAT.into(),
            message: "expected the current layout (primaryValue) or the legacy bulk layout (Trade Value (US$))".into(),
        })
    }
}

fn parse_current<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    sink: &mut Sink,
    cols: &Columns,
) -> Result<()> {
    let [c_year, c_rep, c_flow, c_par, c_cmd, c_val] = cols.require(
        sink,
        FORMAT,
        [
            "refYear",
            "reporterCode",
            "flowCode",
            "partnerCode",
            "cmdCode",
            "primaryValue",
        ],
    )?;
    let (c_month, c_freq, c_p2, c_mot, c_customs, c_cls) = (
        cols.find("refMonth"),
        cols.find("freqCode"),
        cols.find("partner2Code"),
        cols.find("motCode"),
        cols.find("customsCode"),
        cols.find("classificationCode"),
    );
    let mut codes = Resolver::new(ResolveMode::Code(CodeScheme::Comtrade));
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let opt = |c: Option<usize>| c.map(|i| r.get(i)).unwrap_or("");
        if !matches!(opt(c_p2), "" | "0")
            || !matches!(opt(c_mot), "" | "0")
            || !matches!(opt(c_customs), "" | "C00")
        {
            sink.not_stored("breakdown of a total (partner2/mode of transport/customs procedure)");
            continue;
        }
        let flow = match r.get(c_flow).to_ascii_uppercase().as_str() {
            "X" => Flow::Export,
            "M" => Flow::Import,
            "RX" | "RM" | "DX" | "FM" => {
                sink.not_stored("re-export/re-import/domestic-export/foreign-import subset rows");
                continue;
            }
            other => {
                let e = sink.err(line, "flowCode", format!("unknown flow code '{other}'"));
                sink.bad(e)?;
                continue;
            }
        };
        let year = field_or_bad!(sink, r.year(sink, c_year));
        let annual = opt(c_freq).eq_ignore_ascii_case("A") || matches!(opt(c_month), "" | "52");
        let month = if annual {
            None
        } else {
            Some(field_or_bad!(
                sink,
                r.month(sink, c_month.expect("non-empty refMonth"))
            ))
        };
        let cols = RowCols {
            rep: (c_rep, "reporterCode"),
            par: (c_par, "partnerCode"),
            cmd: (c_cmd, "cmdCode"),
            val: (c_val, "primaryValue"),
        };
        store_row(sink, &mut codes, &r, &cols, flow, year, month, opt(c_cls))?;
    }
    Ok(())
}

fn parse_legacy<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    sink: &mut Sink,
    cols: &Columns,
) -> Result<()> {
    let [c_period, c_flow, c_rep, c_par, c_cmd, c_val] = cols.require(
        sink,
        FORMAT,
        [
            "Period",
            "Trade Flow Code",
            "Reporter Code",
            "Partner Code",
            "Commodity Code",
            "Trade Value (US$)",
        ],
    )?;
    let c_cls = cols.find("Classification");
    let c_p2 = cols.find("2nd Partner Code");
    let mut codes = Resolver::new(ResolveMode::Code(CodeScheme::Comtrade));
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        if c_p2.is_some_and(|i| !matches!(r.get(i), "" | "0")) {
            sink.not_stored("breakdown of a total (partner2/mode of transport/customs procedure)");
            continue;
        }
        let flow = match r.get(c_flow) {
            "2" => Flow::Export,
            "1" => Flow::Import,
            "3" | "4" => {
                sink.not_stored("re-export/re-import/domestic-export/foreign-import subset rows");
                continue;
            }
            other => {
                let e = sink.err(
                    line,
                    "Trade Flow Code",
                    format!("unknown flow code '{other}'"),
                );
                sink.bad(e)?;
                continue;
            }
        };
        let period = r.get(c_period);
        let (year, month) = match period.len() {
            4 => (period.parse::<i32>().ok(), None),
            6 => (
                period[..4].parse::<i32>().ok(),
                period[4..].parse::<u32>().ok(),
            ),
            _ => (None, None),
        };
        let Some(year) =
            year.filter(|_| period.len() == 4 || month.is_some_and(|m| (1..=12).contains(&m)))
        else {
            let e = sink.err(line, "Period", format!("'{period}' is not YYYY or YYYYMM"));
            sink.bad(e)?;
            continue;
        };
        let cols = RowCols {
            rep: (c_rep, "Reporter Code"),
            par: (c_par, "Partner Code"),
            cmd: (c_cmd, "Commodity Code"),
            val: (c_val, "Trade Value (US$)"),
        };
        let cls = c_cls.map(|i| r.get(i)).unwrap_or("");
        store_row(sink, &mut codes, &r, &cols, flow, year, month, cls)?;
    }
    Ok(())
}

/// Positions and header names of the columns both layouts share.
struct RowCols {
    rep: (usize, &'static str),
    par: (usize, &'static str),
    cmd: (usize, &'static str),
    val: (usize, &'static str),
}

/// Resolve codes, check the commodity, parse the value and store one row (either layout).
#[allow(clippy::too_many_arguments)]
fn store_row(
    sink: &mut Sink,
    codes: &mut Resolver,
    r: &Rec<'_>,
    cols: &RowCols,
    flow: Flow,
    year: i32,
    month: Option<u32>,
    cls: &str,
) -> Result<()> {
    let line = r.line;
    // A one-pass loop: the helper macros `continue` to abandon a bad row.
    #[allow(clippy::never_loop)]
    for _ in 0..1 {
        let (reporter, _) = resolve_or_bad!(codes, sink, r.get(cols.rep.0), line, cols.rep.1);
        let (partner, _) = resolve_or_bad!(codes, sink, r.get(cols.par.0), line, cols.par.1);
        let cmd = r.get(cols.cmd.0);
        let Some(commodity) = commodity_code(cmd) else {
            let e = sink.err(
                line,
                cols.cmd.1,
                format!("'{cmd}' is neither TOTAL nor an HS code"),
            );
            sink.bad(e)?;
            continue;
        };
        let value = field_or_bad!(sink, r.num(sink, cols.val.0, cols.val.1));
        let cls = if commodity == "TOTAL" {
            "TOTAL".to_string()
        } else {
            classification(cls)
        };
        sink.row(&FlowRow {
            reporter: &reporter,
            partner: &partner,
            flow,
            year,
            month,
            commodity,
            classification: &cls,
            value,
            currency: "USD",
            valuation: Some(if flow == Flow::Export { "FOB" } else { "CIF" }),
            flags: None,
            line,
        })?;
    }
    Ok(())
}
