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

pub fn cells(batch: &RecordBatch) -> Result<Vec<Vec<Option<String>>>> {
    let opts = FormatOptions::default();
    let mut cols = Vec::new();
    for c in batch.columns() {
        let f = ArrayFormatter::try_new(c.as_ref(), &opts)?;
        cols.push(
            (0..batch.num_rows())
                .map(|i| {
                    if c.is_null(i) {
                        None
                    } else {
                        Some(f.value(i).to_string())
                    }
                })
                .collect::<Vec<_>>(),
        );
    }
    Ok(cols)
}

fn render_csv(batches: &[RecordBatch]) -> Result<String> {
    let mut out = Vec::new();
    detour_store::export::write_csv(batches, &mut out)?;
    Ok(String::from_utf8(out)?)
}

fn render_json(batches: &[RecordBatch]) -> Result<String> {
    let mut rows = Vec::new();
    for b in batches {
        let cols = cells(b)?;
        let schema = b.schema();
        for i in 0..b.num_rows() {
            let mut obj = serde_json::Map::new();
            for (col, f) in cols.iter().zip(schema.fields().iter()) {
                let v = match &col[i] {
                    None => serde_json::Value::Null,
                    Some(s) if is_numeric(f.data_type()) => s
                        .parse::<serde_json::Number>()
                        .map(serde_json::Value::Number)
                        .unwrap_or_else(|_| serde_json::Value::String(s.clone())),
                    Some(s) => serde_json::Value::String(s.clone()),
                };
                obj.insert(f.name().clone(), v);
            }
            rows.push(serde_json::Value::Object(obj));
        }
    }
    Ok(format!("{}\n", serde_json::to_string_pretty(&rows)?))
}

fn is_numeric(t: &DataType) -> bool {
    t.is_numeric()
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
