//! Printing query results as a table, CSV or JSON.

use anyhow::Result;
use clap::ValueEnum;
use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OutFormat {
    Table,
    Csv,
    Json,
}

pub fn print_batches(batches: &[RecordBatch], format: OutFormat) -> Result<()> {
    let out = render(batches, format)?;
    emit(&out);
    Ok(())
}

/// Render batches in the requested format.
pub fn render(batches: &[RecordBatch], format: OutFormat) -> Result<String> {
    match format {
        OutFormat::Table => Ok(format!(
            "{}\n",
            datafusion::arrow::util::pretty::pretty_format_batches(batches)?
        )),
        OutFormat::Csv => render_csv(batches),
        OutFormat::Json => render_json(batches),
    }
}

fn render_csv(batches: &[RecordBatch]) -> Result<String> {
    let mut out = Vec::new();
    detour_store::export::write_csv(batches, &mut out)?;
    Ok(String::from_utf8(out)?)
}

fn render_json(batches: &[RecordBatch]) -> Result<String> {
    let mut rows = Vec::new();
    for b in batches {
        let schema = b.schema();
        // Numbers come from the Arrow arrays themselves (integers exactly, floats as binary64);
        // other types as Arrow displays them.
        let cols: Vec<Vec<serde_json::Value>> = b
            .columns()
            .iter()
            .map(|c| json_values(c.as_ref()))
            .collect::<Result<_>>()?;
        for i in 0..b.num_rows() {
            let mut obj = serde_json::Map::new();
            for (col, f) in cols.iter().zip(schema.fields().iter()) {
                obj.insert(f.name().clone(), col[i].clone());
            }
            rows.push(serde_json::Value::Object(obj));
        }
    }
    Ok(format!("{}\n", serde_json::to_string_pretty(&rows)?))
}

/// One column as JSON values: integer types as integers, float types as numbers (NaN and
/// infinities, which JSON lacks, as null), everything else as its display text.
fn json_values(c: &dyn Array) -> Result<Vec<serde_json::Value>> {
    use datafusion::arrow::array::{AsArray, types};
    use datafusion::arrow::compute::cast;
    use serde_json::Value;
    let by_row = |a: &dyn Array, f: &dyn Fn(usize) -> Value| -> Vec<Value> {
        (0..a.len())
            .map(|i| if a.is_null(i) { Value::Null } else { f(i) })
            .collect()
    };
    let t = c.data_type();
    if t.is_signed_integer() {
        let a = cast(c, &DataType::Int64)?;
        let v = a.as_primitive::<types::Int64Type>();
        return Ok(by_row(&a, &|i| Value::from(v.value(i))));
    }
    if t.is_unsigned_integer() {
        let a = cast(c, &DataType::UInt64)?;
        let v = a.as_primitive::<types::UInt64Type>();
        return Ok(by_row(&a, &|i| Value::from(v.value(i))));
    }
    if t.is_floating() {
        let a = cast(c, &DataType::Float64)?;
        let v = a.as_primitive::<types::Float64Type>();
        return Ok(by_row(&a, &|i| {
            serde_json::Number::from_f64(v.value(i)).map_or(Value::Null, Value::Number)
        }));
    }
    let opts = FormatOptions::default();
    let f = ArrayFormatter::try_new(c, &opts)?;
    Ok(by_row(c, &|i| {
        let s = f.value(i).to_string();
        // Decimals: their exact text as a JSON number.
        match s.parse::<serde_json::Number>() {
            Ok(num) if t.is_numeric() => Value::Number(num),
            _ => Value::String(s),
        }
    }))
}

/// A trade result for people: the figure, its coverage and where it came from.
pub fn trade_table(r: &detour_monitor::TradeResult) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let flow = format!("{:?}", r.flow).to_lowercase();
    let _ = writeln!(o, "{} {} {} {}", r.reporter, flow, r.partner, r.period);
    let _ = writeln!(
        o,
        "  value           {} {}",
        group_thousands(r.value),
        r.currency
    );
    if let (Some(p), Some(pp)) = (r.previous_value, &r.previous_period) {
        let _ = writeln!(o, "  {pp:<15} {} {}", group_thousands(p), r.currency);
    }
    if let Some(y) = r.yoy_pct {
        let _ = writeln!(o, "  year on year    {y:+.1}%");
    }
    let _ = writeln!(
        o,
        "  statistics of   {} ({:?} side)",
        r.reporter_side, r.side
    );
    let _ = writeln!(
        o,
        "  complete        {}",
        if r.complete { "yes" } else { "NO" }
    );
    for m in &r.missing {
        let _ = writeln!(o, "    missing: {m}");
    }
    for p in &r.provenance {
        let _ = writeln!(
            o,
            "  source          {} {} ({}, sha256 {})",
            p.source,
            p.file,
            p.granularity,
            &p.sha256[..12.min(p.sha256.len())]
        );
    }
    if !r.rates.is_empty() {
        let _ = writeln!(
            o,
            "  converted with {} ECB average rates, e.g. {} {}->{} {:.4}",
            r.rates.len(),
            r.rates[0].period,
            r.rates[0].from,
            r.rates[0].to,
            r.rates[0].rate
        );
    }
    for n in &r.notes {
        let _ = writeln!(o, "  note: {n}");
    }
    o
}

fn group_thousands(v: f64) -> String {
    let neg = v < 0.0;
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg { format!("-{out}") } else { out }
}

/// Write to stdout; a closed pipe ends the process with success (the reader took what it wanted),
/// any other write error with a message.
pub fn emit(s: &str) {
    use std::io::Write as _;
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(s.as_bytes()).and_then(|()| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to stdout: {e}");
        std::process::exit(1);
    }
}
