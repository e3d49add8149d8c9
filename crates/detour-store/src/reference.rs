//! Reference tables registered beside `flows` in every SQL session.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use crate::error::Result;
use crate::manifest::Manifest;
use detour_core::country::Countries;
use detour_core::group::{Groups, sanctions_packages};
use detour_core::money::EcbRates;
use detour_core::period::Month;

enum Col {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i32>>),
    Big(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
}

fn register(ctx: &SessionContext, name: &str, cols: Vec<(&str, Col)>) -> Result<()> {
    let fields: Vec<Field> = cols
        .iter()
        .map(|(n, c)| {
            let t = match c {
                Col::Text(_) => DataType::Utf8,
                Col::Int(_) => DataType::Int32,
                Col::Big(_) => DataType::Int64,
                Col::Float(_) => DataType::Float64,
            };
            Field::new(*n, t, true)
        })
        .collect();
    let arrays: Vec<ArrayRef> = cols
        .into_iter()
        .map(|(_, c)| -> ArrayRef {
            match c {
                Col::Text(v) => Arc::new(StringArray::from(v)),
                Col::Int(v) => Arc::new(Int32Array::from(v)),
                Col::Big(v) => Arc::new(Int64Array::from(v)),
                Col::Float(v) => Arc::new(Float64Array::from(v)),
            }
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays)
        .map_err(datafusion::error::DataFusionError::from)?;
    ctx.register_table(
        name,
        Arc::new(MemTable::try_new(schema, vec![vec![batch]])?),
    )?;
    Ok(())
}

fn text<T, F: Fn(&T) -> Option<String>>(items: &[T], f: F) -> Col {
    Col::Text(items.iter().map(f).collect())
}

pub(crate) fn register_all(ctx: &SessionContext, manifest: &Manifest) -> Result<()> {
    let areas = Countries::global().all();
    register(
        ctx,
        "countries",
        vec![
            ("code", text(areas, |a| Some(a.code.clone()))),
            (
                "kind",
                text(areas, |a| Some(format!("{:?}", a.kind).to_lowercase())),
            ),
            ("iso2", text(areas, |a| a.iso2.clone())),
            (
                "numeric",
                Col::Int(areas.iter().map(|a| a.numeric.map(i32::from)).collect()),
            ),
            ("name", text(areas, |a| Some(a.name.clone()))),
            ("name_ru", text(areas, |a| a.name_ru.clone())),
            ("currency", text(areas, |a| a.currency.clone())),
        ],
    )?;
    let rows = Groups::global().rows();
    register(
        ctx,
        "country_groups",
        vec![
            ("group_code", text(rows, |r| Some(r.group.clone()))),
            ("iso3", text(rows, |r| Some(r.iso3.clone()))),
            (
                "member_since",
                text(rows, |r| r.since.map(|d| d.to_string())),
            ),
            (
                "member_until",
                text(rows, |r| r.until.map(|d| d.to_string())),
            ),
            ("basis", text(rows, |r| Some(r.basis.clone()))),
            ("source", text(rows, |r| Some(r.source.clone()))),
        ],
    )?;
    let p = sanctions_packages();
    register(
        ctx,
        "sanctions_packages",
        vec![
            ("body", text(p, |x| Some(x.body.clone()))),
            (
                "package_no",
                Col::Int(p.iter().map(|x| Some(x.number as i32)).collect()),
            ),
            ("adopted", text(p, |x| Some(x.adopted.to_string()))),
            ("note", text(p, |x| Some(x.note.clone()))),
            ("source", text(p, |x| Some(x.source.clone()))),
        ],
    )?;
    let rates = EcbRates::global();
    let (mut cur, mut yr, mut mo, mut rate) = (vec![], vec![], vec![], vec![]);
    if let Some((first, last)) = rates.coverage() {
        use chrono::Datelike;
        let (a, b) = (
            Month::new(first.year(), first.month())
                .map_err(|e| crate::StoreError::Query(e.to_string()))?,
            Month::new(last.year(), last.month())
                .map_err(|e| crate::StoreError::Query(e.to_string()))?,
        );
        for c in rates.currencies() {
            for i in a.index()..=b.index() {
                let m = Month::from_index(i);
                if let Ok((r, _)) = rates.monthly_rate(c, m) {
                    cur.push(Some(c.clone()));
                    yr.push(Some(m.year));
                    mo.push(Some(m.month as i32));
                    rate.push(Some(r));
                }
            }
        }
    }
    register(
        ctx,
        "fx_monthly",
        vec![
            ("currency", Col::Text(cur)),
            ("year", Col::Int(yr)),
            ("month", Col::Int(mo)),
            ("per_eur", Col::Float(rate)),
        ],
    )?;
    let e = &manifest.entries;
    register(
        ctx,
        "sources",
        vec![
            ("source", text(e, |x| Some(x.source.clone()))),
            ("format", text(e, |x| Some(x.format.clone()))),
            ("file", text(e, |x| Some(x.file.clone()))),
            ("sha256", text(e, |x| Some(x.sha256.clone()))),
            (
                "rows",
                Col::Big(e.iter().map(|x| Some(x.rows as i64)).collect()),
            ),
            ("first_period", text(e, |x| x.coverage.first_period.clone())),
            ("last_period", text(e, |x| x.coverage.last_period.clone())),
            ("ingested_at", text(e, |x| Some(x.ingested_at.clone()))),
        ],
    )?;
    Ok(())
}
