//! detour's documented long layout, as CSV or Parquet.
//!
//! Required columns: `reporter, partner, flow, year, month, commodity, value, currency`;
//! optional: `valuation` (FOB/CIF), `flags`, `classification`. Codes are ISO 3166
//! alpha-3 (retired codes such as ROM are accepted) or a detour group code (EU27,
//! CIS, …); `month` is empty for annual data; `commodity` is `TOTAL` or an HS code;
//! `value` is in single units of `currency` (ISO 4217).

use std::path::Path;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{Columns, Rec, ResolveMode, Resolver, Sink, field_or_bad, next_record, resolve_or_bad};
use crate::error::{Result, StoreError};
use crate::schema::FlowRow;
use detour_core::Flow;
use detour_core::hs::HsCode;

pub const REQUIRED: [&str; 8] = [
    "reporter",
    "partner",
    "flow",
    "year",
    "month",
    "commodity",
    "value",
    "currency",
];
const OPTIONAL: [&str; 3] = ["valuation", "flags", "classification"];

/// One row of the generic layout as text fields.
struct Fields<'a> {
    f: [&'a str; 8],
    opt: [Option<&'a str>; 3],
    line: u64,
}

struct State {
    codes: Resolver,
    commodity_ok: std::collections::HashMap<String, bool>,
}

fn store(sink: &mut Sink, st: &mut State, x: Fields<'_>) -> Result<()> {
    // A one-pass loop: the helper macros `continue` to abandon a bad row.
    #[allow(clippy::never_loop)]
    for _ in 0..1 {
        let line = x.line;
        let [rep, par, flow, year, month, commodity, value, currency] = x.f;
        let (reporter, _) = resolve_or_bad!(st.codes, sink, rep, line, "reporter");
        let (partner, _) = resolve_or_bad!(st.codes, sink, par, line, "partner");
        let flow = field_or_bad!(
            sink,
            Flow::parse(flow).ok_or_else(|| sink.err(
                line,
                "flow",
                format!("'{flow}' is not export/import")
            ))
        );
        let year: i32 = field_or_bad!(
            sink,
            year.parse()
                .map_err(|_| sink.err(line, "year", format!("'{year}' is not a year")))
        );
        let month = if month.is_empty() {
            None
        } else {
            Some(field_or_bad!(
                sink,
                month
                    .parse::<u32>()
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(|| sink.err(line, "month", format!("impossible month '{month}'")))
            ))
        };
        if !st.commodity_ok.contains_key(commodity) {
            let ok = commodity == "TOTAL" || HsCode::parse(commodity).is_ok();
            st.commodity_ok.insert(commodity.to_string(), ok);
        }
        if !st.commodity_ok[commodity] {
            let e = sink.err(
                line,
                "commodity",
                format!("'{commodity}' is neither TOTAL nor a 2/4/6-digit HS code"),
            );
            sink.bad(e)?;
            break;
        }
        let value: f64 = field_or_bad!(
            sink,
            value.parse().map_err(|_| sink.err(
                line,
                "value",
                format!("'{value}' is not a number")
            ))
        );
        let valuation = match x.opt[0].filter(|v| !v.is_empty()) {
            None => None,
            Some(v) if v.eq_ignore_ascii_case("FOB") => Some("FOB"),
            Some(v) if v.eq_ignore_ascii_case("CIF") => Some("CIF"),
            Some(v) => {
                let e = sink.err(line, "valuation", format!("'{v}' is not FOB or CIF"));
                sink.bad(e)?;
                break;
            }
        };
        let classification = x.opt[2]
            .filter(|c| !c.is_empty())
            .unwrap_or(if commodity == "TOTAL" { "TOTAL" } else { "HS" });
        sink.row(&FlowRow {
            reporter: &reporter,
            partner: &partner,
            flow,
            year,
            month,
            commodity,
            classification,
            value,
            currency,
            valuation,
            flags: x.opt[1].filter(|f| !f.is_empty()),
            line,
        })?;
        break;
    }
    Ok(())
}

fn state() -> State {
    State {
        codes: Resolver::new(ResolveMode::Canonical),
        commodity_ok: Default::default(),
    }
}

pub(super) fn parse_csv<R: std::io::Read>(rdr: &mut csv::Reader<R>, sink: &mut Sink) -> Result<()> {
    let cols = Columns::new(rdr, sink, "csv")?;
    let req = cols.require(sink, "csv", REQUIRED)?;
    let opt = OPTIONAL.map(|n| cols.find(n));
    let mut st = state();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = next_record(rdr, &mut rec, sink)? {
        let r = Rec { rec: &rec, line };
        let fields = Fields {
            f: req.map(|i| r.get(i)),
            opt: opt.map(|o| o.map(|i| r.get(i))),
            line,
        };
        store(sink, &mut st, fields)?;
    }
    Ok(())
}

pub(super) fn parse_parquet(path: &Path, sink: &mut Sink) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| StoreError::io(path, e))?;
    let bad_header = |m: String| StoreError::BadHeader {
        file: sink.file.clone(),
        format: "parquet".into(),
        message: m,
    };
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad_header(e.to_string()))?;
    let schema = builder.schema().clone();
    let find = |n: &str| {
        schema
            .fields()
            .iter()
            .position(|f| f.name().eq_ignore_ascii_case(n))
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|n| find(n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(bad_header(format!(
            "missing column(s) {}",
            missing.join(", ")
        )));
    }
    let req = REQUIRED.map(|n| find(n).expect("checked"));
    let opt = OPTIONAL.map(find);
    let reader = builder
        .with_batch_size(64 * 1024)
        .build()
        .map_err(|e| bad_header(e.to_string()))?;
    let mut st = state();
    // Row numbers count from 1 for the first data row; line = row + 1 as if a header came first.
    let mut row_no: u64 = 0;
    for batch in reader {
        let batch = batch.map_err(|e| StoreError::Parquet {
            path: path.into(),
            message: e.to_string(),
        })?;
        let as_text = |i: usize| -> Result<StringArray> {
            let a = cast(batch.column(i), &DataType::Utf8).map_err(|e| StoreError::Parquet {
                path: path.into(),
                message: e.to_string(),
            })?;
            Ok(a.as_any()
                .downcast_ref::<StringArray>()
                .expect("cast to Utf8")
                .clone())
        };
        let req_cols: Vec<StringArray> = req.iter().map(|&i| as_text(i)).collect::<Result<_>>()?;
        let opt_cols: Vec<Option<StringArray>> = opt
            .iter()
            .map(|o| o.map(as_text).transpose())
            .collect::<Result<_>>()?;
        for k in 0..batch.num_rows() {
            row_no += 1;
            fn get(a: &StringArray, k: usize) -> &str {
                if a.is_null(k) { "" } else { a.value(k) }
            }
            let f: [&str; 8] = std::array::from_fn(|j| get(&req_cols[j], k));
            let o: [Option<&str>; 3] =
                std::array::from_fn(|j| opt_cols[j].as_ref().map(|a| get(a, k)));
            store(
                sink,
                &mut st,
                Fields {
                    f,
                    opt: o,
                    line: row_no + 1,
                },
            )?;
        }
    }
    Ok(())
}
