//! The canonical long table `flows` and its Arrow schema.

use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::{
    ArrayRef, Float64Builder, Int32Builder, Int64Builder, RecordBatch, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

/// Columns of `flows`, in order. Documented in README.md ("The flows table").
pub fn flows_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            Field::new("source", DataType::Utf8, false),
            Field::new("file_sha256", DataType::Utf8, false),
            Field::new("reporter", DataType::Utf8, false),
            Field::new("partner", DataType::Utf8, false),
            Field::new("flow", DataType::Utf8, false),
            Field::new("year", DataType::Int32, false),
            Field::new("month", DataType::Int32, true),
            Field::new("commodity", DataType::Utf8, false),
            Field::new("classification", DataType::Utf8, false),
            Field::new("value", DataType::Float64, false),
            Field::new("currency", DataType::Utf8, false),
            Field::new("valuation", DataType::Utf8, true),
            Field::new("flags", DataType::Utf8, true),
            Field::new("line", DataType::Int64, false),
        ]))
    })
    .clone()
}

/// The schema the query engine reads the Parquet files with: strings as Arrow string views,
/// which keep short values (country codes, HS codes) inline instead of copying every row's
/// string into one buffer. Written files use plain `Utf8`; both read the same Parquet data.
pub fn view_schema(schema: &SchemaRef) -> SchemaRef {
    Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Utf8 => Field::new(f.name(), DataType::Utf8View, f.is_nullable()),
                _ => f.as_ref().clone(),
            })
            .collect::<Vec<_>>(),
    ))
}

/// One row of `flows` as a parser produces it. Codes are canonical (ISO3 or group code).
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRow<'a> {
    pub reporter: &'a str,
    pub partner: &'a str,
    pub flow: detour_core::Flow,
    pub year: i32,
    pub month: Option<u32>,
    /// `TOTAL` for all goods, else an HS code.
    pub commodity: &'a str,
    /// `TOTAL`, `HS`, `HS2017`, … for the commodity code.
    pub classification: &'a str,
    /// In single currency units (already multiplied out of thousands/millions).
    pub value: f64,
    pub currency: &'a str,
    /// `FOB`, `CIF` or none.
    pub valuation: Option<&'a str>,
    pub flags: Option<&'a str>,
    /// Line in the source file (1 = header).
    pub line: u64,
}

/// Accumulates rows into Arrow record batches.
pub struct BatchBuilder {
    source: String,
    sha256: String,
    source_b: StringBuilder,
    sha_b: StringBuilder,
    reporter: StringBuilder,
    partner: StringBuilder,
    flow: StringBuilder,
    year: Int32Builder,
    month: Int32Builder,
    commodity: StringBuilder,
    classification: StringBuilder,
    value: Float64Builder,
    currency: StringBuilder,
    valuation: StringBuilder,
    flags: StringBuilder,
    line: Int64Builder,
    len: usize,
}

impl BatchBuilder {
    pub fn new(source: &str, sha256: &str) -> BatchBuilder {
        BatchBuilder {
            source: source.to_string(),
            sha256: sha256.to_string(),
            source_b: StringBuilder::new(),
            sha_b: StringBuilder::new(),
            reporter: StringBuilder::new(),
            partner: StringBuilder::new(),
            flow: StringBuilder::new(),
            year: Int32Builder::new(),
            month: Int32Builder::new(),
            commodity: StringBuilder::new(),
            classification: StringBuilder::new(),
            value: Float64Builder::new(),
            currency: StringBuilder::new(),
            valuation: StringBuilder::new(),
            flags: StringBuilder::new(),
            line: Int64Builder::new(),
            len: 0,
        }
    }

    pub fn push(&mut self, r: &FlowRow<'_>) {
        self.source_b.append_value(&self.source);
        self.sha_b.append_value(&self.sha256);
        self.reporter.append_value(r.reporter);
        self.partner.append_value(r.partner);
        self.flow.append_value(r.flow.as_str());
        self.year.append_value(r.year);
        self.month.append_option(r.month.map(|m| m as i32));
        self.commodity.append_value(r.commodity);
        self.classification.append_value(r.classification);
        self.value.append_value(r.value);
        self.currency.append_value(r.currency);
        self.valuation.append_option(r.valuation);
        self.flags.append_option(r.flags);
        self.line.append_value(r.line as i64);
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Take the rows so far as a batch and start a new one.
    pub fn finish(&mut self) -> RecordBatch {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.source_b.finish()),
            Arc::new(self.sha_b.finish()),
            Arc::new(self.reporter.finish()),
            Arc::new(self.partner.finish()),
            Arc::new(self.flow.finish()),
            Arc::new(self.year.finish()),
            Arc::new(self.month.finish()),
            Arc::new(self.commodity.finish()),
            Arc::new(self.classification.finish()),
            Arc::new(self.value.finish()),
            Arc::new(self.currency.finish()),
            Arc::new(self.valuation.finish()),
            Arc::new(self.flags.finish()),
            Arc::new(self.line.finish()),
        ];
        self.len = 0;
        RecordBatch::try_new(flows_schema(), cols).expect("builders match the schema")
    }
}
