//! Saving query results: Parquet or CSV by the file's extension, written whole or not at all
//! (to a private file beside the target, then renamed over it).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::error::{Result, StoreError};

/// Write `batches` to `path` (`.parquet` or `.csv`); the number of rows written. A path inside
/// `protect` (the store's directory) is refused.
pub fn write(batches: &[RecordBatch], path: &Path, protect: Option<&Path>) -> Result<usize> {
    let io = |e: std::io::Error| StoreError::io(path, e);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let parquet = match ext.as_deref() {
        Some("parquet") => true,
        Some("csv") => false,
        _ => {
            return Err(StoreError::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "expected a .parquet or .csv file name",
                ),
            ));
        }
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Some(store) = protect {
        let (a, b) = (
            std::path::absolute(&parent).map_err(io)?,
            std::path::absolute(store).map_err(io)?,
        );
        let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        if canon(&a).starts_with(canon(&b)) {
            return Err(StoreError::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "inside the store's directory; write results elsewhere",
                ),
            ));
        }
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(|e| StoreError::io(&partial, e))?;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let written = if parquet {
        write_parquet(batches, file, &partial)
    } else {
        let mut f = std::io::BufWriter::new(file);
        write_csv(batches, &mut f).and_then(|()| f.flush().map_err(|e| StoreError::io(&partial, e)))
    };
    if let Err(e) = written.and_then(|()| std::fs::rename(&partial, path).map_err(io)) {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    Ok(rows)
}

fn write_parquet(batches: &[RecordBatch], file: File, path: &Path) -> Result<()> {
    let err = |e: datafusion::parquet::errors::ParquetError| StoreError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let Some(first) = batches.first() else {
        return Err(StoreError::Parquet {
            path: path.to_path_buf(),
            message: "the query returned no columns to write".into(),
        });
    };
    let mut w = datafusion::parquet::arrow::ArrowWriter::try_new(file, first.schema(), None)
        .map_err(err)?;
    for b in batches {
        w.write(b).map_err(err)?;
    }
    w.close().map_err(err)?;
    Ok(())
}

/// CSV with a header row; empty cells for nulls; values as Arrow displays them.
pub fn write_csv(batches: &[RecordBatch], out: &mut impl Write) -> Result<()> {
    let err = |e: csv::Error| StoreError::io("csv output", std::io::Error::other(e.to_string()));
    let mut w = csv::Writer::from_writer(out);
    if let Some(b) = batches.first() {
        w.write_record(b.schema().fields().iter().map(|f| f.name().as_str()))
            .map_err(err)?;
    }
    let opts = FormatOptions::default();
    for b in batches {
        let fmts = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| StoreError::io("csv output", std::io::Error::other(e.to_string())))?;
        for i in 0..b.num_rows() {
            let row: Vec<String> = b
                .columns()
                .iter()
                .zip(&fmts)
                .map(|(c, f)| {
                    if c.is_null(i) {
                        String::new()
                    } else {
                        f.value(i).to_string()
                    }
                })
                .collect();
            w.write_record(&row).map_err(err)?;
        }
    }
    w.flush().map_err(|e| StoreError::io("csv output", e))?;
    Ok(())
}
