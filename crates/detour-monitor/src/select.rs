//! Loading rows from the store and choosing one file's series per pair and flow.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Float64Array, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;

use crate::{Provenance, RateUsed, Result, convert};
use detour_core::Flow;
use detour_core::period::{Month, Period};
use detour_store::Store;

/// One aggregated row: a file's value for a pair, flow and month (or year).
#[derive(Debug, Clone)]
pub struct Row {
    source: String,
    sha: String,
    reporter: String,
    partner: String,
    flow: String,
    year: i32,
    month: Option<u32>,
    currency: String,
    value: f64,
    /// What the file says of these rows (`flags`: derived figures, region totals), if anything.
    flags: Option<String>,
}

/// The rows that fall within `period` (monthly rows by month, annual rows by year).
pub(crate) fn within(rows: &[Row], period: &Period) -> Vec<Row> {
    rows.iter()
        .filter(|r| match r.month {
            Some(m) => period.contains(Month {
                year: r.year,
                month: m,
            }),
            None => (period.start.year..=period.end.year).contains(&r.year),
        })
        .cloned()
        .collect()
}

/// Codes that appear as reporters in the store (to know whether a group reports as a whole).
/// Codes that report as themselves (a group among them is used as such, not summed over its
/// members); with `products`, only in the files that hold product rows.
pub(crate) fn reporting_codes(store: &Store, products: bool) -> Result<Vec<String>> {
    let mut v: Vec<String> = store
        .manifest()
        .entries
        .iter()
        .filter(|e| !products || e.coverage.total_rows == Some(0))
        .flat_map(|e| e.coverage.reporters.iter().cloned())
        .collect();
    v.sort();
    v.dedup();
    Ok(v)
}

fn quoted(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| format!("'{}'", c.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",")
}

/// Cast a result column to `T`'s type (the engine may return view or dictionary types).
fn column<T: Array + Clone + 'static>(a: &ArrayRef, to: DataType) -> Result<T> {
    let c = cast(a, &to)
        .map_err(datafusion::error::DataFusionError::from)
        .map_err(detour_store::StoreError::from)?;
    Ok(c.as_any()
        .downcast_ref::<T>()
        .expect("cast to the requested type")
        .clone())
}

fn text(a: &ArrayRef) -> Result<StringArray> {
    column(a, DataType::Utf8)
}

fn int(a: &ArrayRef) -> Result<Int64Array> {
    column(a, DataType::Int64)
}

fn float(a: &ArrayRef) -> Result<Float64Array> {
    column(a, DataType::Float64)
}

/// All-goods rows for the pairs, aggregated per file, pair, flow and month or year, within the period's years.
pub(crate) fn load(
    store: &Store,
    reporters: &[String],
    partners: &[String],
    period: &Period,
    goods: Option<&crate::Commodity>,
) -> Result<Vec<Row>> {
    if reporters.is_empty() || partners.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(g) = goods {
        // The finest level of each file: CN8 rows, else 6-digit rows; never a heading's rows.
        let like = |codes: &[String]| {
            codes
                .iter()
                .map(|c| format!("commodity LIKE '{}%'", c.replace('\'', "")))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        let q = format!(
            "SELECT source, file_sha256, reporter, partner, flow, year, month, currency, SUM(value) AS value, MAX(flags) AS flags \
             FROM flows WHERE (classification = 'CN8' OR (length(commodity) = 6 AND classification <> 'HS4')) \
             AND ((year < 2022 AND ({})) OR (year >= 2022 AND ({}))) \
             AND reporter IN ({}) AND partner IN ({}) \
             AND year BETWEEN {} AND {} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
            like(&g.before_2022),
            like(&g.from_2022),
            quoted(reporters),
            quoted(partners),
            period.start.year,
            period.end.year
        );
        return rows_of(store, &q, period);
    }
    // Totals: the `TOTAL` rows; a file with product rows only (BACI, a Comtrade HS-6 extract) is
    // summed over its 6-digit rows instead.
    let detailed: Vec<String> = store
        .manifest()
        .entries
        .iter()
        .filter(|e| e.coverage.total_rows == Some(0))
        .map(|e| e.sha256.clone())
        .collect();
    let commodity = if detailed.is_empty() {
        "commodity = 'TOTAL'".to_string()
    } else {
        format!(
            "(commodity = 'TOTAL' OR (file_sha256 IN ({}) AND length(commodity) = 6))",
            quoted(&detailed)
        )
    };
    let q = format!(
        "SELECT source, file_sha256, reporter, partner, flow, year, month, currency, SUM(value) AS value, MAX(flags) AS flags \
         FROM flows WHERE {commodity} AND reporter IN ({}) AND partner IN ({}) \
         AND year BETWEEN {} AND {} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
        quoted(reporters),
        quoted(partners),
        period.start.year,
        period.end.year
    );
    let mut out = rows_of(store, &q, period)?;
    if partners.iter().any(|p| p == "WLD") {
        out.extend(world_from_partners(
            store, reporters, period, &commodity, &out,
        )?);
    }
    Ok(out)
}

/// The smallest number of partner countries a file must list for one reporter and period before
/// their sum stands for the world: an office's table by partner (Uzbekistan lists 230), not an
/// extract of a few partners (Eurostat's file here has 30).
const WORLD_FROM_PARTNERS: usize = 150;

/// World totals a file does not state but implies: the sum over its partner countries and its
/// unallocated lines, for files that list (nearly) every partner of a reporter and have no world
/// line for it.
fn world_from_partners(
    store: &Store,
    reporters: &[String],
    period: &Period,
    commodity: &str,
    stated: &[Row],
) -> Result<Vec<Row>> {
    let have: std::collections::BTreeSet<(String, String)> = stated
        .iter()
        .filter(|r| r.partner == "WLD")
        .map(|r| (r.sha.clone(), r.reporter.clone()))
        .collect();
    let q = format!(
        "SELECT source, file_sha256, reporter, partner, flow, year, month, currency, SUM(value) AS value, MAX(flags) AS flags \
         FROM flows WHERE {commodity} AND reporter IN ({}) \
         AND year BETWEEN {} AND {} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
        quoted(reporters),
        period.start.year,
        period.end.year
    );
    let countries = detour_core::country::Countries::global();
    type Key = (String, String, String, String, i32, Option<u32>, String);
    let mut sums: BTreeMap<Key, (f64, usize)> = BTreeMap::new();
    for r in rows_of(store, &q, period)? {
        if have.contains(&(r.sha.clone(), r.reporter.clone()))
            || r.partner == r.reporter
            || countries.get(&r.partner).is_none_or(|a| {
                !matches!(
                    a.kind,
                    detour_core::country::AreaKind::Country
                        | detour_core::country::AreaKind::Unallocated
                )
            })
        {
            continue;
        }
        let e = sums
            .entry((
                r.source, r.sha, r.reporter, r.flow, r.year, r.month, r.currency,
            ))
            .or_insert((0.0, 0));
        e.0 += r.value;
        e.1 += 1;
    }
    Ok(sums
        .into_iter()
        .filter(|(_, (_, n))| *n >= WORLD_FROM_PARTNERS)
        .map(
            |((source, sha, reporter, flow, year, month, currency), (value, _))| Row {
                source,
                sha,
                reporter,
                partner: "WLD".into(),
                flow,
                year,
                month,
                currency,
                value,
                flags: None,
            },
        )
        .collect())
}

fn rows_of(store: &Store, q: &str, period: &Period) -> Result<Vec<Row>> {
    let batches = store.sql_blocking(q)?;
    let mut out = Vec::new();
    for b in batches {
        let cols: Vec<ArrayRef> = b.columns().iter().map(Arc::clone).collect();
        let (src, sha, rep, par, flow) = (
            text(&cols[0])?,
            text(&cols[1])?,
            text(&cols[2])?,
            text(&cols[3])?,
            text(&cols[4])?,
        );
        let (year, month, cur, val, flags) = (
            int(&cols[5])?,
            int(&cols[6])?,
            text(&cols[7])?,
            float(&cols[8])?,
            text(&cols[9])?,
        );
        for i in 0..b.num_rows() {
            let month = if month.is_null(i) {
                None
            } else {
                Some(month.value(i) as u32)
            };
            let y = year.value(i) as i32;
            if let Some(m) = month {
                let mm = Month { year: y, month: m };
                if !period.contains(mm) {
                    continue;
                }
            }
            out.push(Row {
                source: src.value(i).to_string(),
                sha: sha.value(i).to_string(),
                reporter: rep.value(i).to_string(),
                partner: par.value(i).to_string(),
                flow: flow.value(i).to_string(),
                year: y,
                month,
                currency: cur.value(i).to_string(),
                value: val.value(i),
                flags: (!flags.is_null(i)).then(|| flags.value(i).to_string()),
            });
        }
    }
    Ok(out)
}

/// One file's series for a pair and flow over a period.
#[derive(Debug, Clone)]
pub struct Series {
    pub source: String,
    pub sha256: String,
    pub currency: String,
    pub monthly: bool,
    /// (year, month or None for annual, value)
    pub points: Vec<(i32, Option<u32>, f64)>,
    /// Months (`2024-07`) or years (`2023`) of the period the file does not cover.
    pub missing: Vec<String>,
    /// What the file says of the rows used (`2022+: … derived from counterpart records`), with the
    /// years they concern.
    pub flags: BTreeMap<String, Vec<i32>>,
}

impl Series {
    pub fn total(&self) -> f64 {
        self.points.iter().map(|p| p.2).sum()
    }

    pub(crate) fn provenance(&self, store: &Store) -> Provenance {
        let file = store
            .manifest()
            .entries
            .iter()
            .find(|e| e.sha256 == self.sha256)
            .map(|e| e.file.clone())
            .unwrap_or_default();
        Provenance {
            source: self.source.clone(),
            file,
            sha256: self.sha256.clone(),
            granularity: if self.monthly { "monthly" } else { "annual" }.into(),
        }
    }

    /// The total converted point by point (monthly data at monthly average rates, annual at annual).
    pub(crate) fn converted(&self, to: &str) -> Result<(f64, Vec<RateUsed>)> {
        let mut sum = 0.0;
        let mut used = Vec::new();
        for &(y, m, v) in &self.points {
            if self.currency.eq_ignore_ascii_case(to) {
                sum += v;
                continue;
            }
            let (x, rate) = convert(v, &self.currency, to, y, m)?;
            sum += x;
            used.push(rate);
        }
        Ok((sum, used))
    }
}

/// The best file for `rep`→`par` `flow` over `period`: complete monthly, else complete annual
/// (whole calendar years only), else the one with the fewest gaps; between equals, the one that
/// publishes the figure in `currency` (no conversion), then a fixed order.
pub(crate) fn best_series(
    rows: &[Row],
    rep: &str,
    par: &str,
    flow: Flow,
    period: &Period,
    currency: Option<&str>,
) -> Option<Series> {
    let whole_years = period.start.month == 1 && period.end.month == 12;
    let mut candidates: BTreeMap<(String, bool), Series> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| r.reporter == rep && r.partner == par && r.flow == flow.as_str())
    {
        let monthly = r.month.is_some();
        if !monthly && !whole_years {
            continue;
        }
        let s = candidates
            .entry((r.sha.clone(), monthly))
            .or_insert_with(|| Series {
                source: r.source.clone(),
                sha256: r.sha.clone(),
                currency: r.currency.clone(),
                monthly,
                points: Vec::new(),
                missing: Vec::new(),
                flags: BTreeMap::new(),
            });
        s.points.push((r.year, r.month, r.value));
        if let Some(f) = &r.flags {
            let years = s.flags.entry(f.clone()).or_default();
            if !years.contains(&r.year) {
                years.push(r.year);
            }
        }
    }
    for s in candidates.values_mut() {
        s.points.sort_by_key(|p| (p.0, p.1));
        if s.monthly {
            s.missing = period
                .months()
                .filter(|m| {
                    !s.points
                        .iter()
                        .any(|p| p.0 == m.year && p.1 == Some(m.month))
                })
                .map(|m| m.to_string())
                .collect();
        } else {
            s.missing = (period.start.year..=period.end.year)
                .filter(|y| !s.points.iter().any(|p| p.0 == *y))
                .map(|y| y.to_string())
                .collect();
        }
    }
    candidates.into_values().min_by_key(|s| {
        (
            s.missing.len(),
            !s.monthly,
            currency.is_some_and(|c| c != s.currency),
            s.sha256.clone(),
        )
    })
}
