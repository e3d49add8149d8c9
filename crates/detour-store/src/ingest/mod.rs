//! Ingest: one module per real file format, all writing the canonical `flows` rows.
//!
//! Each parser reads its format, resolves country codes or names to canonical
//! codes, validates every field and hands rows to a [`Sink`], which writes them
//! into a staging Parquet file in batches (so memory stays flat on large files)
//! and keeps the coverage statistics that go into the manifest. A bad row stops
//! the ingest with its file, line and field, unless `skip_bad` is set, in which
//! case it is counted and reported.

mod baci;
mod comtrade;
mod eurostat;
mod fcs;
mod generic;
mod imf;
mod national;

use std::collections::{BTreeSet, HashMap};
use std::fs::File;

use datafusion::arrow::array::{ArrayRef, RecordBatch, UInt32Array};
use datafusion::arrow::compute::take_record_batch;
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::parquet::arrow::ArrowWriter;

use crate::error::{Result, StoreError};
use crate::schema::{BatchBuilder, FlowRow, flows_schema};
use detour_core::country::{AreaKind, CodeScheme, Countries};

/// Rows per record batch = per Parquet row group: each batch is sorted (see [`sort_for_storage`])
/// and written as one row group.
const BATCH_ROWS: usize = 1024 * 1024;

/// The columns each row group is sorted by: the dimensions queries group and filter on.
const SORT_COLUMNS: &[&str] = &["reporter", "partner", "flow", "year", "month", "commodity"];

/// Sort a batch by [`SORT_COLUMNS`] before it becomes a row group. Rows of one reporter and
/// partner then sit together: Parquet stores each such run once (run-length encoding), the page
/// index lets a query for a few partners skip the other pages, and grouping by these columns
/// meets the same key many times in a row. Row order carries no meaning in the store (every row
/// keeps its source line in `line`).
fn sort_for_storage(batch: &RecordBatch) -> std::result::Result<RecordBatch, ArrowError> {
    let columns: Vec<ArrayRef> = SORT_COLUMNS
        .iter()
        .map(|c| batch.column_by_name(c).cloned())
        .collect::<Option<_>>()
        .ok_or_else(|| ArrowError::SchemaError("sort column missing".into()))?;
    let converter = RowConverter::new(
        columns
            .iter()
            .map(|c| SortField::new(c.data_type().clone()))
            .collect(),
    )?;
    let rows = converter.convert_columns(&columns)?;
    let mut order: Vec<u32> = (0..batch.num_rows() as u32).collect();
    order.sort_unstable_by(|&a, &b| rows.row(a as usize).cmp(&rows.row(b as usize)));
    take_record_batch(batch, &UInt32Array::from(order))
}

/// A thread that sorts each batch and writes it as one row group, so that parsing (this
/// thread) and sorting, encoding and compressing (that one) run side by side.
struct BatchWriter {
    tx: std::sync::mpsc::SyncSender<RecordBatch>,
    handle: std::thread::JoinHandle<std::result::Result<(), String>>,
}

impl BatchWriter {
    fn start(mut writer: ArrowWriter<File>) -> BatchWriter {
        // One batch in flight: memory stays at about two batches.
        let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(1);
        let handle = std::thread::spawn(move || {
            for batch in rx {
                let batch = sort_for_storage(&batch).map_err(|e| e.to_string())?;
                writer.write(&batch).map_err(|e| e.to_string())?;
                // One sorted batch, one row group.
                writer.flush().map_err(|e| e.to_string())?;
            }
            writer.close().map(|_| ()).map_err(|e| e.to_string())
        });
        BatchWriter { tx, handle }
    }

    /// Hand a batch over; false if the thread has stopped (on an error).
    fn send(&self, batch: RecordBatch) -> bool {
        self.tx.send(batch).is_ok()
    }

    /// Write what is left, close the file, and return the first error.
    fn close(self) -> std::result::Result<(), String> {
        drop(self.tx);
        self.handle
            .join()
            .unwrap_or_else(|_| Err("Parquet writer thread panicked".into()))
    }
}

/// The file formats detour reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Eurostat Comext monthly extract: `reporter_code,reporter,is_aggregate,partner_iso3,flow,year,month,value_eur`.
    EurostatMonthly,
    /// Eurostat Comext yearly extract by partner label: `reporter,partner,flow,year,value_eur`.
    EurostatYearly,
    /// UN Comtrade CSV, from the current API/bulk download (`refYear,…,primaryValue`) or the legacy bulk layout (`Trade Value (US$)`).
    Comtrade,
    /// CEPII BACI: `t,i,j,k,v,q` (value in thousand US$).
    Baci,
    /// IMF International Trade in Goods (IMTS, formerly DOTS) SDMX-CSV.
    Imf,
    /// Russia's Federal Customs Service monthly partner table: `reporter,partner,flow,year,month,value_musd`.
    Fcs,
    /// National statistics imports by partner name: `reporter,partner,year,value_eur`.
    National,
    /// detour's documented long layout: `reporter,partner,flow,year,month,commodity,value,currency`.
    Csv,
    /// The same layout as a Parquet file.
    Parquet,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &[
        "eurostat-monthly",
        "eurostat-yearly",
        "comtrade",
        "baci",
        "imf",
        "fcs",
        "national",
        "csv",
        "parquet",
    ];

    pub fn parse(s: &str) -> Result<Format> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "eurostat-monthly" | "eurostat" | "comext" => Format::EurostatMonthly,
            "eurostat-yearly" => Format::EurostatYearly,
            "comtrade" | "un-comtrade" => Format::Comtrade,
            "baci" | "cepii-baci" => Format::Baci,
            "imf" | "imts" | "dots" => Format::Imf,
            "fcs" | "russia-fcs" => Format::Fcs,
            "national" | "national-stats" => Format::National,
            "csv" | "generic" => Format::Csv,
            "parquet" => Format::Parquet,
            other => return Err(StoreError::UnknownFormat(other.to_string())),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::EurostatMonthly => "eurostat-monthly",
            Format::EurostatYearly => "eurostat-yearly",
            Format::Comtrade => "comtrade",
            Format::Baci => "baci",
            Format::Imf => "imf",
            Format::Fcs => "fcs",
            Format::National => "national",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }

    /// The dataset name stored in `flows.source` unless the user gives one.
    pub fn default_source(self) -> &'static str {
        match self {
            Format::EurostatMonthly | Format::EurostatYearly => "eurostat-comext",
            Format::Comtrade => "un-comtrade",
            Format::Baci => "cepii-baci",
            Format::Imf => "imf-imts",
            Format::Fcs => "russia-fcs",
            Format::National => "national-stats",
            Format::Csv | Format::Parquet => "user",
        }
    }
}

/// A row that was skipped under `--skip-bad`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SkippedRow {
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// What an ingest learned about the file, stored in the manifest.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Coverage {
    pub rows: u64,
    pub reporters: BTreeSet<String>,
    pub partners: BTreeSet<String>,
    pub flows: BTreeSet<String>,
    pub currencies: BTreeSet<String>,
    /// `YYYY-MM` or `YYYY` of the earliest and latest row.
    pub first_period: Option<String>,
    pub last_period: Option<String>,
    pub commodities: u64,
    /// Rows with commodity `TOTAL` (all goods). `None` in manifests written before it was counted.
    #[serde(default)]
    pub total_rows: Option<u64>,
    pub skipped_rows: u64,
    /// The first skipped rows (up to 20) with their reasons.
    pub skipped_examples: Vec<SkippedRow>,
    /// Rows deliberately not stored, by reason (aggregates already stored elsewhere, breakdowns, …).
    pub not_stored: HashMap<String, u64>,
}

/// Receives parsed rows: validates the common constraints, batches, writes, counts.
pub struct Sink {
    pub(crate) file: String,
    skip_bad: bool,
    builder: BatchBuilder,
    /// Sorts and writes the batches on a second thread while parsing goes on (`None` once closed).
    writer: Option<BatchWriter>,
    cov: Coverage,
    min_key: Option<(i32, u32)>,
    max_key: Option<(i32, u32)>,
    commodity_seen: BTreeSet<String>,
    last: (String, String),
    /// Each stored row's key (128-bit hash) and its line: a key seen twice would double count.
    keys: HashMap<u128, u64>,
    hashers: (std::hash::RandomState, std::hash::RandomState),
}

impl Sink {
    pub(crate) fn new(
        file: &str,
        source: &str,
        sha256: &str,
        out: File,
        skip_bad: bool,
    ) -> Result<Sink> {
        let props = datafusion::parquet::file::properties::WriterProperties::builder()
            .set_compression(datafusion::parquet::basic::Compression::ZSTD(
                Default::default(),
            ))
            .set_max_row_group_row_count(Some(BATCH_ROWS))
            .build();
        let writer = ArrowWriter::try_new(out, flows_schema(), Some(props)).map_err(|e| {
            StoreError::Parquet {
                path: file.into(),
                message: e.to_string(),
            }
        })?;
        let writer = BatchWriter::start(writer);
        Ok(Sink {
            file: file.to_string(),
            skip_bad,
            builder: BatchBuilder::new(source, sha256),
            writer: Some(writer),
            cov: Coverage::default(),
            min_key: None,
            max_key: None,
            commodity_seen: BTreeSet::new(),
            last: (String::new(), String::new()),
            keys: HashMap::new(),
            hashers: Default::default(),
        })
    }

    /// An error for `field` at `line` of this file.
    pub(crate) fn err(&self, line: u64, field: &str, message: impl Into<String>) -> StoreError {
        StoreError::BadRow {
            file: self.file.clone(),
            line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// Report a bad row: an error, or a count under `--skip-bad`.
    pub(crate) fn bad(&mut self, e: StoreError) -> Result<()> {
        if !self.skip_bad {
            return Err(e);
        }
        self.cov.skipped_rows += 1;
        if self.cov.skipped_examples.len() < 20
            && let StoreError::BadRow {
                line,
                field,
                message,
                ..
            } = &e
        {
            self.cov.skipped_examples.push(SkippedRow {
                line: *line,
                field: field.clone(),
                message: message.clone(),
            });
        }
        Ok(())
    }

    /// Count a row deliberately not stored.
    pub(crate) fn not_stored(&mut self, reason: &str) {
        *self.cov.not_stored.entry(reason.to_string()).or_insert(0) += 1;
    }

    /// Validate the constraints every format shares and store the row.
    pub(crate) fn row(&mut self, r: &FlowRow<'_>) -> Result<()> {
        if let Err(e) = self.check(r) {
            return self.bad(e);
        }
        if let Err(e) = self.unique(r) {
            return self.bad(e);
        }
        let key = (r.year, r.month.unwrap_or(0));
        if self.min_key.is_none_or(|k| key < k) {
            self.min_key = Some(key);
        }
        if self.max_key.is_none_or(|k| key > k) {
            self.max_key = Some(key);
        }
        if self.last.0 != r.reporter {
            if !self.cov.reporters.contains(r.reporter) {
                self.cov.reporters.insert(r.reporter.to_string());
            }
            self.last.0 = r.reporter.to_string();
        }
        if self.last.1 != r.partner {
            if !self.cov.partners.contains(r.partner) {
                self.cov.partners.insert(r.partner.to_string());
            }
            self.last.1 = r.partner.to_string();
        }
        if !self.cov.flows.contains(r.flow.as_str()) {
            self.cov.flows.insert(r.flow.as_str().to_string());
        }
        if !self.cov.currencies.contains(r.currency) {
            self.cov.currencies.insert(r.currency.to_string());
        }
        if r.commodity == "TOTAL" {
            *self.cov.total_rows.get_or_insert(0) += 1;
        } else if self.cov.total_rows.is_none() {
            self.cov.total_rows = Some(0);
        }
        if self.commodity_seen.len() < 100_000 && !self.commodity_seen.contains(r.commodity) {
            self.commodity_seen.insert(r.commodity.to_string());
        }
        self.builder.push(r);
        self.cov.rows += 1;
        if self.builder.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn check(&self, r: &FlowRow<'_>) -> Result<()> {
        if !(detour_core::period::MIN_YEAR..=detour_core::period::MAX_YEAR).contains(&r.year) {
            return Err(self.err(r.line, "year", format!("impossible year {}", r.year)));
        }
        if let Some(m) = r.month
            && !(1..=12).contains(&m)
        {
            return Err(self.err(r.line, "month", format!("impossible month {m}")));
        }
        if !r.value.is_finite() {
            return Err(self.err(r.line, "value", "not a finite number"));
        }
        if r.value < 0.0 {
            return Err(self.err(r.line, "value", format!("negative trade value {}", r.value)));
        }
        if r.currency.len() != 3 || !r.currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(self.err(
                r.line,
                "currency",
                format!("'{}' is not an ISO 4217 code", r.currency),
            ));
        }
        Ok(())
    }

    /// A row whose key (reporter, partner, flow, period, commodity, classification, currency and
    /// valuation) an earlier row of the file had is an error naming both lines: stored, it would
    /// be counted twice. Keys are kept as 128-bit hashes (16 bytes a row; a false match is as
    /// likely as guessing a 128-bit number).
    fn unique(&mut self, r: &FlowRow<'_>) -> Result<()> {
        use std::hash::BuildHasher;
        let key = (
            r.reporter,
            r.partner,
            r.flow.as_str(),
            r.year,
            r.month,
            r.commodity,
            r.classification,
            r.currency,
            r.valuation,
        );
        let (a, b) = (&self.hashers.0, &self.hashers.1);
        let k = (u128::from(a.hash_one(key)) << 64) | u128::from(b.hash_one(key));
        match self.keys.get(&k).copied() {
            Some(first) => {
                let period = match r.month {
                    Some(m) => format!("{}-{m:02}", r.year),
                    None => r.year.to_string(),
                };
                Err(self.err(
                    r.line,
                    "(row)",
                    format!(
                        "the same flow as line {first}: {} {} to/from {} {period} commodity {}{}; stored twice it would be counted twice",
                        r.reporter,
                        r.flow.as_str(),
                        r.partner,
                        r.commodity,
                        r.valuation.map(|v| format!(" ({v})")).unwrap_or_default()
                    ),
                ))
            }
            None => {
                self.keys.insert(k, r.line);
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> Result<()> {
        if self.builder.is_empty() {
            return Ok(());
        }
        let batch = self.builder.finish();
        let Some(writer) = self.writer.as_ref() else {
            return Err(StoreError::Parquet {
                path: self.file.clone().into(),
                message: "rows after the Parquet file was closed".into(),
            });
        };
        if !writer.send(batch) {
            // The writer thread stopped on an error: collect it.
            return self.close_writer();
        }
        Ok(())
    }

    /// Close the writer thread and report the first error it met.
    fn close_writer(&mut self) -> Result<()> {
        match self.writer.take() {
            Some(w) => w.close().map_err(|message| StoreError::Parquet {
                path: self.file.clone().into(),
                message,
            }),
            None => Ok(()),
        }
    }

    /// Flush, close the Parquet file and return the coverage.
    pub(crate) fn finish(mut self) -> Result<Coverage> {
        self.flush()?;
        self.close_writer()?;
        if self.cov.rows == 0 {
            let mut why: Vec<String> = Vec::new();
            if self.cov.skipped_rows > 0 {
                why.push(format!("{} bad rows skipped", self.cov.skipped_rows));
            }
            for (reason, n) in &self.cov.not_stored {
                why.push(format!("{n} not stored ({reason})"));
            }
            return Err(StoreError::NoRows {
                file: self.file.clone(),
                message: if why.is_empty() {
                    "the file has a header but no data rows".into()
                } else {
                    why.join("; ")
                },
            });
        }
        let fmt_key = |(y, m): (i32, u32)| {
            if m == 0 {
                format!("{y}")
            } else {
                format!("{y}-{m:02}")
            }
        };
        self.cov.first_period = self.min_key.map(fmt_key);
        self.cov.last_period = self.max_key.map(fmt_key);
        self.cov.commodities = self.commodity_seen.len() as u64;
        Ok(std::mem::take(&mut self.cov))
    }
}

impl Drop for Sink {
    /// An ingest that stops early (a bad row, an error) still waits for the writer thread, so
    /// that no thread writes into a staging file after the ingest has returned.
    fn drop(&mut self) {
        if let Some(w) = self.writer.take() {
            let _ = w.close();
        }
    }
}

/// Parse `path` in `format` into the sink.
pub(crate) fn parse(
    format: Format,
    path: &std::path::Path,
    sink: &mut Sink,
    progress: &dyn Fn(u64),
) -> Result<()> {
    if format == Format::Parquet {
        return generic::parse_parquet(path, sink);
    }
    let mut f = File::open(path).map_err(|e| StoreError::io(path, e))?;
    // A gzip file (by its magic bytes, whatever its name) is read through a decoder.
    let mut magic = [0u8; 2];
    let gz = {
        use std::io::{Read, Seek};
        let n = f.read(&mut magic).map_err(|e| StoreError::io(path, e))?;
        f.seek(std::io::SeekFrom::Start(0))
            .map_err(|e| StoreError::io(path, e))?;
        n == 2 && magic == [0x1f, 0x8b]
    };
    let buffered = std::io::BufReader::with_capacity(1 << 20, f);
    let inner: Box<dyn std::io::Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    let reader = Counting {
        inner,
        read: 0,
        reported: 0,
        progress,
    };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    match format {
        Format::EurostatMonthly => eurostat::parse_monthly(&mut rdr, sink),
        Format::EurostatYearly => eurostat::parse_yearly(&mut rdr, sink),
        Format::Comtrade => comtrade::parse(&mut rdr, sink),
        Format::Baci => baci::parse(&mut rdr, sink, path),
        Format::Imf => imf::parse(&mut rdr, sink),
        Format::Fcs => fcs::parse(&mut rdr, sink),
        Format::National => national::parse(&mut rdr, sink),
        Format::Csv => generic::parse_csv(&mut rdr, sink),
        Format::Parquet => unreachable!("handled above"),
    }
}

/// A reader that reports how many bytes went through it, every 4 MiB.
struct Counting<'p, R> {
    inner: R,
    read: u64,
    reported: u64,
    progress: &'p dyn Fn(u64),
}

impl<R: std::io::Read> std::io::Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read - self.reported >= 4 << 20 {
            self.reported = self.read;
            (self.progress)(self.read);
        }
        Ok(n)
    }
}

/// Column positions looked up by header name.
pub(crate) struct Columns {
    names: Vec<String>,
}

impl Columns {
    pub(crate) fn new<R: std::io::Read>(
        rdr: &mut csv::Reader<R>,
        sink: &Sink,
        format: &str,
    ) -> Result<Columns> {
        let h = rdr.headers().map_err(|e| StoreError::BadHeader {
            file: sink.file.clone(),
            format: format.into(),
            message: e.to_string(),
        })?;
        Ok(Columns {
            names: h
                .iter()
                .map(|s| s.trim().trim_start_matches('\u{feff}').to_string())
                .collect(),
        })
    }

    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }

    /// Positions of required columns, or one error naming all that are missing.
    pub(crate) fn require<const N: usize>(
        &self,
        sink: &Sink,
        format: &str,
        names: [&str; N],
    ) -> Result<[usize; N]> {
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| self.find(n).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::BadHeader {
                file: sink.file.clone(),
                format: format.into(),
                message: format!(
                    "missing column(s) {}; header is: {}",
                    missing.join(", "),
                    self.names.join(",")
                ),
            });
        }
        Ok(names.map(|n| self.find(n).expect("checked above")))
    }
}

/// Field access with line-aware errors.
pub(crate) struct Rec<'r> {
    pub rec: &'r csv::StringRecord,
    pub line: u64,
}

impl Rec<'_> {
    pub(crate) fn get(&self, i: usize) -> &str {
        self.rec.get(i).unwrap_or("").trim()
    }

    pub(crate) fn num(&self, sink: &Sink, i: usize, field: &str) -> Result<f64> {
        let s = self.get(i);
        s.parse::<f64>()
            .map_err(|_| sink.err(self.line, field, format!("'{s}' is not a number")))
    }

    pub(crate) fn int(&self, sink: &Sink, i: usize, field: &str) -> Result<i64> {
        let s = self.get(i);
        // Integers written as floats ("2019.0") are common in exports from pandas.
        let t = s.strip_suffix(".0").unwrap_or(s);
        t.parse::<i64>()
            .map_err(|_| sink.err(self.line, field, format!("'{s}' is not an integer")))
    }

    pub(crate) fn flow(&self, sink: &Sink, i: usize) -> Result<detour_core::Flow> {
        let s = self.get(i);
        detour_core::Flow::parse(s)
            .ok_or_else(|| sink.err(self.line, "flow", format!("'{s}' is not export/import")))
    }

    pub(crate) fn year(&self, sink: &Sink, i: usize) -> Result<i32> {
        let y = self.int(sink, i, "year")?;
        i32::try_from(y).map_err(|_| sink.err(self.line, "year", format!("impossible year {y}")))
    }

    /// A month written `YYYY-MM`.
    pub(crate) fn year_month(&self, sink: &Sink, i: usize, field: &str) -> Result<(i32, u32)> {
        let m = self.get(i).trim();
        match m
            .split_once('-')
            .and_then(|(y, mo)| Some((y.parse::<i32>().ok()?, mo.parse::<u32>().ok()?)))
        {
            Some((y, mo)) if (1..=12).contains(&mo) && (1900..=2100).contains(&y) => Ok((y, mo)),
            _ => Err(sink.err(self.line, field, format!("'{m}' is not YYYY-MM"))),
        }
    }

    pub(crate) fn month(&self, sink: &Sink, i: usize) -> Result<u32> {
        let m = self.int(sink, i, "month")?;
        if !(1..=12).contains(&m) {
            return Err(sink.err(self.line, "month", format!("impossible month {m}")));
        }
        Ok(m as u32)
    }
}

/// The same key twice in one file would double count (a partner relabelled between years, two
/// labels of one partner): the second is a bad row naming the first. `what` describes the key.
pub(crate) fn once<K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, u64>,
    key: K,
    sink: &Sink,
    line: u64,
    field: &str,
    what: impl std::fmt::Display,
) -> Result<()> {
    match seen.insert(key, line) {
        Some(first) => Err(sink.err(line, field, format!("{what} already given on line {first}"))),
        None => Ok(()),
    }
}

/// Resolves codes or names to canonical codes, with a per-file cache.
pub(crate) struct Resolver {
    mode: ResolveMode,
    cache: HashMap<String, std::result::Result<(String, AreaKind), String>>,
}

pub(crate) enum ResolveMode {
    Code(CodeScheme),
    /// Canonical codes (ISO3 with retired aliases, or a group/aggregate code).
    Canonical,
    Name,
}

impl Resolver {
    pub(crate) fn new(mode: ResolveMode) -> Resolver {
        Resolver {
            mode,
            cache: HashMap::new(),
        }
    }

    /// The canonical code and its kind, or the error message.
    pub(crate) fn resolve(&mut self, text: &str) -> std::result::Result<(&str, AreaKind), String> {
        if !self.cache.contains_key(text) {
            let reg = Countries::global();
            let r = match &self.mode {
                ResolveMode::Code(s) => reg.resolve(text, *s),
                ResolveMode::Canonical => match reg.get(text) {
                    Some(a) => Ok(a),
                    None => reg.resolve(text, CodeScheme::Iso3),
                },
                ResolveMode::Name => reg.resolve_name(text),
            };
            let v = r
                .map(|a| (a.code.clone(), a.kind))
                .map_err(|e| e.to_string());
            self.cache.insert(text.to_string(), v);
        }
        match &self.cache[text] {
            Ok((c, k)) => Ok((c.as_str(), *k)),
            Err(e) => Err(e.clone()),
        }
    }
}

/// Resolve or produce a bad-row error for `field`.
macro_rules! resolve_or_bad {
    ($resolver:expr, $sink:expr, $text:expr, $line:expr, $field:expr) => {
        match $resolver.resolve($text) {
            Ok((code, kind)) => (code.to_string(), kind),
            Err(msg) => {
                let e = $sink.err($line, $field, msg);
                $sink.bad(e)?;
                continue;
            }
        }
    };
}
pub(crate) use resolve_or_bad;

/// Unwrap a field or record the bad row and go to the next record.
macro_rules! field_or_bad {
    ($sink:expr, $expr:expr) => {
        match $expr {
            Ok(v) => v,
            Err(e) => {
                $sink.bad(e)?;
                continue;
            }
        }
    };
}
pub(crate) use field_or_bad;

/// Read the next record, naming the line on CSV-level errors.
pub(crate) fn next_record<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    rec: &mut csv::StringRecord,
    sink: &Sink,
) -> Result<Option<u64>> {
    match rdr.read_record(rec) {
        Ok(true) => Ok(Some(rec.position().map(|p| p.line()).unwrap_or(0))),
        Ok(false) => Ok(None),
        Err(e) => {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Err(sink.err(line, "(record)", e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, Int32Array, Int64Array, StringArray};

    #[test]
    fn batches_are_sorted_by_the_dimensions_and_keep_every_row() {
        let mut b = BatchBuilder::new("test", "sha");
        let partners = ["KGZ", "ARM", "KAZ", "ARM", "KGZ", "ARM"];
        let months = [Some(3), Some(2), None, Some(1), Some(1), Some(2)];
        for (i, (p, m)) in partners.iter().zip(months).enumerate() {
            b.push(&FlowRow {
                reporter: if i % 2 == 0 { "EU27" } else { "DEU" },
                partner: p,
                flow: detour_core::Flow::Export,
                year: 2023,
                month: m,
                commodity: if i == 5 { "8542" } else { "TOTAL" },
                classification: "HS",
                value: i as f64,
                currency: "EUR",
                valuation: None,
                flags: None,
                line: 2 + i as u64,
            });
        }
        let sorted = sort_for_storage(&b.finish()).unwrap();
        let col = |n: &str| sorted.column_by_name(n).unwrap().clone();
        let rep = col("reporter");
        let rep = rep.as_any().downcast_ref::<StringArray>().unwrap();
        let par = col("partner");
        let par = par.as_any().downcast_ref::<StringArray>().unwrap();
        let mon = col("month");
        let mon = mon.as_any().downcast_ref::<Int32Array>().unwrap();
        let line = col("line");
        let line = line.as_any().downcast_ref::<Int64Array>().unwrap();
        let keys: Vec<(String, String, Option<i32>, i64)> = (0..sorted.num_rows())
            .map(|i| {
                (
                    rep.value(i).to_string(),
                    par.value(i).to_string(),
                    mon.is_valid(i).then(|| mon.value(i)),
                    line.value(i),
                )
            })
            .collect();
        // DEU before EU27; within each, partners in order; a missing month (yearly row) first.
        assert_eq!(
            keys,
            vec![
                ("DEU".into(), "ARM".into(), Some(1), 5),
                // Same month: commodity 8542 before TOTAL.
                ("DEU".into(), "ARM".into(), Some(2), 7),
                ("DEU".into(), "ARM".into(), Some(2), 3),
                ("EU27".into(), "KAZ".into(), None, 4),
                ("EU27".into(), "KGZ".into(), Some(1), 6),
                ("EU27".into(), "KGZ".into(), Some(3), 2),
            ]
        );
    }

    #[test]
    fn stored_row_groups_are_sorted_and_carry_a_page_index() {
        use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
        use datafusion::parquet::file::serialized_reader::ReadOptionsBuilder;

        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("flows.csv");
        let mut text = String::from("reporter,partner,flow,year,month,commodity,value,currency\n");
        for (i, p) in ["KGZ", "ARM", "KAZ", "ARM", "UZB", "KGZ"]
            .iter()
            .enumerate()
        {
            text.push_str(&format!(
                "EU27,{p},export,2023,{},TOTAL,{}.5,EUR\n",
                6 - i,
                i
            ));
        }
        std::fs::write(&csv, text).unwrap();
        let store = dir.path().join("store");
        let outcome = crate::Store::ingest(
            &store,
            &csv,
            &crate::IngestOptions::new(Format::Csv),
            &|_| {},
        )
        .unwrap();
        let crate::IngestOutcome::Stored(entry) = outcome else {
            panic!("not stored")
        };
        let file = File::open(store.join(&entry.parquet)).unwrap();
        let options = ReadOptionsBuilder::new().with_page_index().build();
        let reader = SerializedFileReader::new_with_options(file, options).unwrap();
        let meta = reader.metadata();
        assert_eq!(meta.num_row_groups(), 1);
        assert!(meta.column_index().is_some(), "no page index written");
        let stored: Vec<(String, i64)> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| {
                let r = r.unwrap();
                let fields: std::collections::HashMap<String, String> = r
                    .get_column_iter()
                    .map(|(k, v)| (k.clone(), v.to_string()))
                    .collect();
                (
                    fields["partner"].trim_matches('"').to_string(),
                    fields["line"].parse().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            stored,
            [
                ("ARM", 5),
                ("ARM", 3),
                ("KAZ", 4),
                ("KGZ", 7),
                ("KGZ", 2),
                ("UZB", 6)
            ]
            .map(|(p, l)| (p.to_string(), l))
        );
    }
}
