//! Russia's Federal Customs Service monthly trade by partner (US$ million).
//!
//! FCS values exports FOB and imports CIF. Partner detail stops after 2021.

use super::{Columns, Rec, ResolveMode, Resolver, Sink, field_or_bad, next_record, resolve_or_bad};
use crate::error::Result;
use crate::schema::FlowRow;
use detour_core::Flow;
use detour_core::country::CodeScheme;

const FORMAT: &str = "fcs";

pub(super) fn parse<R: std::io::Read>(rdr: &mut csv::Reader<R>, sink: &mut Sink) -> Result<()> {
    let cols = Columns::new(rdr, sink, FORMAT)?;
    let [c_rep, c_par, c_flow, c_y, c_m, c_v] = cols.require(
        sink,
        FORMAT,
        ["reporter", "partner", "flow", "year", "month", "value_musd"],
    )?;
    let mut codes = Resolver::new(ResolveMode::Code(CodeScheme::Iso3));
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let (reporter, _) = resolve_or_bad!(codes, sink, r.get(c_rep), line, "reporter");
        let (partner, _) = resolve_or_bad!(codes, sink, r.get(c_par), line, "partner");
        let flow = field_or_bad!(sink, r.flow(sink, c_flow));
        let year = field_or_bad!(sink, r.year(sink, c_y));
        let month = field_or_bad!(sink, r.month(sink, c_m));
        if r.get(c_v).is_empty() {
            // FCS left Russia-Kazakhstan cells empty for months after the customs union of July 2010.
            sink.not_stored("empty value: not published in the source");
            continue;
        }
        let value = field_or_bad!(sink, r.num(sink, c_v, "value_musd"));
        sink.row(&FlowRow {
            reporter: &reporter,
            partner: &partner,
            flow,
            year,
            month: Some(month),
            commodity: "TOTAL",
            classification: "TOTAL",
            value: value * 1e6,
            currency: "USD",
            valuation: Some(if flow == Flow::Export { "FOB" } else { "CIF" }),
            flags: None,
            line,
        })?;
    }
    Ok(())
}
