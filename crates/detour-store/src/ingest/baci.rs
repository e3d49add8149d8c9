//! CEPII BACI: reconciled bilateral trade at HS-6, `t,i,j,k,v,q`.
//!
//! `t` year, `i` exporter and `j` importer as Comtrade-style numeric codes, `k` the
//! HS-6 product (leading zero often lost in CSV exports, restored here), `v` value in
//! thousand US$ (FOB), `q` quantity in tonnes (ignored). The HS revision is taken
//! from the file name (`BACI_HS17_Y2022_V202401.csv` → HS2017).

use std::path::Path;

use super::{Columns, Rec, ResolveMode, Resolver, Sink, field_or_bad, next_record, resolve_or_bad};
use crate::error::Result;
use crate::schema::FlowRow;
use detour_core::Flow;
use detour_core::country::CodeScheme;

const FORMAT: &str = "baci";

fn classification(path: &Path) -> &'static str {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_uppercase();
    for (tag, cls) in [
        ("HS92", "HS1992"),
        ("HS96", "HS1996"),
        ("HS02", "HS2002"),
        ("HS07", "HS2007"),
        ("HS12", "HS2012"),
        ("HS17", "HS2017"),
        ("HS22", "HS2022"),
    ] {
        if name.contains(tag) {
            return cls;
        }
    }
    "HS"
}

pub(super) fn parse<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    sink: &mut Sink,
    path: &Path,
) -> Result<()> {
    let cls = classification(path);
    let cols = Columns::new(rdr, sink, FORMAT)?;
    let [c_t, c_i, c_j, c_k, c_v] = cols.require(sink, FORMAT, ["t", "i", "j", "k", "v"])?;
    let mut codes = Resolver::new(ResolveMode::Code(CodeScheme::Baci));
    let mut rec = csv::StringRecord::new();
    let mut k6 = String::with_capacity(6);
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let year = field_or_bad!(sink, r.year(sink, c_t));
        let (exporter, _) = resolve_or_bad!(codes, sink, r.get(c_i), line, "i");
        let (importer, _) = resolve_or_bad!(codes, sink, r.get(c_j), line, "j");
        let k = r.get(c_k);
        if k.is_empty() || k.len() > 6 || !k.bytes().all(|b| b.is_ascii_digit()) {
            let e = sink.err(line, "k", format!("'{k}' is not an HS-6 code"));
            sink.bad(e)?;
            continue;
        }
        k6.clear();
        for _ in k.len()..6 {
            k6.push('0');
        }
        k6.push_str(k);
        let v = field_or_bad!(sink, r.num(sink, c_v, "v"));
        sink.row(&FlowRow {
            reporter: &exporter,
            partner: &importer,
            flow: Flow::Export,
            year,
            month: None,
            commodity: &k6,
            classification: cls,
            value: v * 1e3,
            currency: "USD",
            valuation: Some("FOB"),
            flags: Some("reconciled (CEPII BACI)"),
            line,
        })?;
    }
    Ok(())
}
