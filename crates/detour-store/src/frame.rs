//! Typed readers into the estimation crate's [`Frame`]: CSV (and `.csv.gz`), Parquet, and query
//! results (Arrow record batches), with numbers kept as numbers — no text round trip.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use detour_hdfe::frame::{Column, DictBuilder, Frame, missing_text};

use crate::StoreError;

fn bad(file: &str, line: u64, field: &str, message: String) -> StoreError {
    StoreError::BadRow {
        file: file.to_string(),
        line,
        field: field.to_string(),
        message,
    }
}

/// Read the named columns of a CSV file (gzip-compressed when it ends in `.gz`): `numeric` ones
/// parsed as numbers (empty, `NA`, `.` and `null` are missing; anything else that is not a finite
/// number is an error naming the file, line and field), `text` ones as they are. A column named
/// in both is read as a number. A column the header lacks is an error listing the header.
pub fn read_csv(path: &Path, numeric: &[String], text: &[String]) -> Result<Frame, StoreError> {
    let file = std::fs::File::open(path).map_err(|e| StoreError::io(path, e))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    read_csv_from(&path.display().to_string(), reader, numeric, text)
}

/// [`read_csv`] from any reader (a request body, say); `label` names it in messages.
pub fn read_csv_from(
    label: &str,
    reader: impl Read,
    numeric: &[String],
    text: &[String],
) -> Result<Frame, StoreError> {
    let label = label.to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| bad(&label, 1, "header", e.to_string()))?
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    let index = |name: &str| -> Result<usize, StoreError> {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| StoreError::NoColumn {
                file: label.clone(),
                name: name.to_string(),
                columns: header.join(", "),
            })
    };
    let text: Vec<&String> = text.iter().filter(|t| !numeric.contains(t)).collect();
    let num_idx: Vec<usize> = numeric.iter().map(|c| index(c)).collect::<Result<_, _>>()?;
    let text_idx: Vec<usize> = text.iter().map(|c| index(c)).collect::<Result<_, _>>()?;
    let mut nums: Vec<Vec<Option<f64>>> = vec![Vec::new(); numeric.len()];
    let mut texts: Vec<DictBuilder> = text.iter().map(|_| DictBuilder::default()).collect();
    let mut rec = csv::ByteRecord::new();
    let mut line: u64 = 1;
    loop {
        line += 1;
        let more = rdr.read_byte_record(&mut rec).map_err(|e| {
            bad(
                &label,
                line,
                "record",
                format!("malformed CSV record ({e})"),
            )
        })?;
        if !more {
            break;
        }
        let field = |k: usize| -> Result<&str, StoreError> {
            std::str::from_utf8(rec.get(k).unwrap_or(b""))
                .map_err(|_| bad(&label, line, &header[k], "not valid UTF-8".into()))
        };
        for (j, &k) in num_idx.iter().enumerate() {
            let raw = field(k)?.trim();
            let v = if missing_text(raw) {
                None
            } else {
                let v: f64 = raw.parse().map_err(|_| {
                    bad(
                        &label,
                        line,
                        &numeric[j],
                        format!("'{}' is not a number", clip(raw)),
                    )
                })?;
                if !v.is_finite() {
                    return Err(bad(
                        &label,
                        line,
                        &numeric[j],
                        format!("'{}' is not a finite number", clip(raw)),
                    ));
                }
                Some(v)
            };
            nums[j].push(v);
        }
        for (j, &k) in text_idx.iter().enumerate() {
            texts[j].push(Some(field(k)?));
        }
    }
    let mut f = Frame::new(label.clone());
    f.first_line = 2;
    for (name, v) in numeric.iter().zip(nums) {
        f.push(name.clone(), Column::Num(v))
            .map_err(StoreError::Query)?;
    }
    for (name, v) in text.iter().zip(texts) {
        f.push((*name).clone(), v.finish())
            .map_err(StoreError::Query)?;
    }
    Ok(f)
}

/// A field's text in a message: at most 60 characters.
fn clip(s: &str) -> String {
    let mut c: String = s.chars().take(60).collect();
    if c.len() < s.len() {
        c.push('…');
    }
    c
}

/// Every column of the batches, typed by Arrow type: integers, decimals, floats and booleans as
/// numbers, text as text, anything else (dates, timestamps) as its text.
pub fn from_batches(label: &str, batches: &[RecordBatch]) -> Result<Frame, StoreError> {
    let mut f = Frame::new(label);
    let Some(first) = batches.first() else {
        return Ok(f);
    };
    let schema = first.schema();
    for (k, field) in schema.fields().iter().enumerate() {
        let numeric = field.data_type().is_numeric() || *field.data_type() == DataType::Boolean;
        let col = if numeric {
            let mut v = Vec::new();
            for b in batches {
                let a = to(b.column(k), &DataType::Float64)?;
                let a = a
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .expect("cast to Float64");
                v.extend(a.iter());
            }
            Column::Num(v)
        } else {
            let mut v = DictBuilder::default();
            for b in batches {
                let a = to(b.column(k), &DataType::Utf8)?;
                let a = a
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .expect("cast to Utf8");
                for s in a.iter() {
                    v.push(s);
                }
            }
            v.finish()
        };
        f.push(field.name().clone(), col)
            .map_err(StoreError::Query)?;
    }
    Ok(f)
}

fn to(a: &ArrayRef, t: &DataType) -> Result<ArrayRef, StoreError> {
    if a.data_type() == t {
        return Ok(Arc::clone(a));
    }
    cast(a, t).map_err(|e| StoreError::Query(e.to_string()))
}

/// A Parquet file read whole into a frame.
pub fn read_parquet(path: &Path) -> Result<Frame, StoreError> {
    let rt = crate::runtime()?;
    let p = path.to_string_lossy().to_string();
    let batches = rt.block_on(async {
        let ctx = datafusion::prelude::SessionContext::new();
        let df = ctx
            .read_parquet(
                p.as_str(),
                datafusion::prelude::ParquetReadOptions::default(),
            )
            .await?;
        df.collect().await
    })?;
    from_batches(&path.display().to_string(), &batches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use detour_hdfe::frame::Cell;

    #[test]
    fn csv_typed_with_missing_and_errors_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.csv");
        std::fs::write(&p, "y,x,g\n1,0.5,a\nNA,2,b\n3,,NA\n").unwrap();
        let f = read_csv(&p, &["y".into(), "x".into()], &["g".into()]).unwrap();
        assert_eq!(f.nrows(), 3);
        assert_eq!(f.cell("x", 0), Cell::Num(0.5));
        assert_eq!(f.cell("y", 1), Cell::Missing);
        assert_eq!(f.cell("g", 2), Cell::Missing);
        assert_eq!(f.line(1), 3);
        std::fs::write(&p, "y,x\n1,2\n2,abc\n").unwrap();
        let e = read_csv(&p, &["y".into(), "x".into()], &[]).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("d.csv:3: field 'x': 'abc' is not a number"),
            "{e}"
        );
        let e = read_csv(&p, &["z".into()], &[]).unwrap_err();
        assert!(
            e.to_string().contains("no column 'z' (columns: y, x)"),
            "{e}"
        );
    }

    #[test]
    fn batches_keep_numbers_as_numbers() {
        use datafusion::arrow::array::{Int64Array, StringArray};
        use datafusion::arrow::datatypes::{Field, Schema};
        let schema = Arc::new(Schema::new(vec![
            Field::new("year", DataType::Int64, true),
            Field::new("iso", DataType::Utf8, true),
        ]));
        let b = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![Some(1986), None])),
                Arc::new(StringArray::from(vec![Some("KAZ"), Some("KGZ")])),
            ],
        )
        .unwrap();
        let f = from_batches("q", &[b.clone(), b]).unwrap();
        assert_eq!(f.nrows(), 4);
        assert_eq!(f.cell("year", 2), Cell::Num(1986.0));
        assert_eq!(f.cell("year", 3), Cell::Missing);
        assert_eq!(f.cell("iso", 1), Cell::Text("KGZ"));
    }
}
