//! Imports by partner from national statistics offices, partners given by name,
//! values already converted to EUR by the compiler of the table.

use super::{Columns, Rec, ResolveMode, Resolver, Sink, field_or_bad, next_record, resolve_or_bad};
use crate::error::Result;
use crate::schema::FlowRow;
use detour_core::Flow;
use detour_core::country::AreaKind;

const FORMAT: &str = "national";

pub(super) fn parse<R: std::io::Read>(rdr: &mut csv::Reader<R>, sink: &mut Sink) -> Result<()> {
    let cols = Columns::new(rdr, sink, FORMAT)?;
    let [c_rep, c_par, c_y, c_v] =
        cols.require(sink, FORMAT, ["reporter", "partner", "year", "value_eur"])?;
    let mut names = Resolver::new(ResolveMode::Name);
    let mut seen = std::collections::HashMap::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let (reporter, kind) = resolve_or_bad!(names, sink, r.get(c_rep), line, "reporter");
        if kind != AreaKind::Country {
            let e = sink.err(
                line,
                "reporter",
                format!("'{}' is not a country", r.get(c_rep)),
            );
            sink.bad(e)?;
            continue;
        }
        let (partner, _) = resolve_or_bad!(names, sink, r.get(c_par), line, "partner");
        let year = field_or_bad!(sink, r.year(sink, c_y));
        let value = field_or_bad!(sink, r.num(sink, c_v, "value_eur"));
        // Offices relabel partners between years ("Czech Republic"/"Czechia"); the same
        // partner twice in one year would double count.
        if let Some(first) = seen.insert((reporter.clone(), partner.clone(), year), line) {
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
