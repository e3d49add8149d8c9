//! Official releases: what statistics offices, ministries and leaders said a trade figure was,
//! with period, value, unit, growth and the source's address. A source like any other — quoted
//! with its provenance, never taken as the truth.
//!
//! Layout (CSV with a header): `reporter_side,country_a,country_b,flow,period_start,period_end,
//! value,unit,yoy_growth_pct,source_name,source_url,quote`. `flow` is `turnover`,
//! `exports_a_to_b` or `imports_a_from_b`; `unit` is `CUR_bn`, `CUR_m` or `CUR_tn`; `value` and
//! `yoy_growth_pct` are a number or a range ("59-60") optionally followed by a qualifier in words
//! or parentheses ("93 (slightly more than)", "close to 30", "12 (forecast)").

use std::sync::OnceLock;

use detour_core::country::Countries;
use detour_core::group::Groups;
use detour_core::period::{Month, Period};
use regex::Regex;
use serde::Serialize;

use crate::frame::{Bound, Flow};
use crate::{ClaimsError, Result};

/// The releases shipped with detour (see data/README.md for their sources).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "data/claims/official_releases_russia_neighbours.csv",
        include_str!("../../../data/claims/official_releases_russia_neighbours.csv"),
    ),
    (
        "data/claims/official_releases_russia_neighbours_extra.csv",
        include_str!("../../../data/claims/official_releases_russia_neighbours_extra.csv"),
    ),
];

/// A number as a release states it.
#[derive(Debug, Clone, Serialize)]
pub struct Stated {
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    pub bound: Bound,
    /// Digits after the decimal point as written.
    pub decimals: u32,
    /// The words around the number ("slightly more than", "forecast, goods and services").
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// One release row.
#[derive(Debug, Clone, Serialize)]
pub struct Release {
    pub file: String,
    pub line: u64,
    /// Whose statistics (an ISO3 code, or `unknown`).
    pub reporter_side: String,
    pub country_a: String,
    pub country_b: String,
    /// Flow from `country_a`'s point of view.
    pub flow: Flow,
    pub period: Period,
    pub value: Option<Stated>,
    pub currency: String,
    /// `thousand`, `million`, `billion` or `trillion`.
    pub scale: String,
    pub yoy_growth_pct: Option<Stated>,
    /// The release states a forecast, not an outcome.
    pub is_forecast: bool,
    pub source_name: String,
    pub source_url: String,
    pub quote: String,
}

fn stated(text: &str) -> Option<Stated> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?P<n>-?\d+(?:\.\d+)?)(?:\s*[-–]\s*(?P<h>\d+(?:\.\d+)?))?(?P<plus>\+)?")
            .expect("valid regex")
    });
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let c = re.captures(t)?;
    let m = c.get(0).expect("match");
    let value: f64 = c["n"].parse().ok()?;
    let decimals = c["n"].split_once('.').map_or(0, |(_, d)| d.len() as u32);
    let high = c.name("h").and_then(|h| h.as_str().parse().ok());
    let note = format!("{} {}", &t[..m.start()], &t[m.end()..])
        .replace(['(', ')'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let n = note.to_lowercase();
    let bound = if high.is_some() {
        Bound::Range
    } else if c.name("plus").is_some()
        || ["more than", "exceeded", "over", "above"]
            .iter()
            .any(|w| n.contains(w))
    {
        Bound::Over
    } else if ["almost", "close to", "nearly"]
        .iter()
        .any(|w| n.contains(w))
    {
        Bound::Under
    } else if n.contains("approx") || n.contains("about") {
        Bound::About
    } else {
        Bound::Exact
    };
    Some(Stated {
        value,
        high,
        bound,
        decimals,
        note,
    })
}

fn month(s: &str) -> Option<Month> {
    let (y, m) = s.trim().split_once('-')?;
    Month::new(y.parse().ok()?, m.parse().ok()?).ok()
}

fn party(code: &str) -> Option<String> {
    let c = code.trim();
    if Groups::global().is_group(c) {
        return Some(c.to_string());
    }
    Countries::global()
        .resolve_any(c)
        .ok()
        .map(|a| a.code.clone())
}

/// Parse a releases CSV; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Vec<Release>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| bad(file, 1, "header", &e.to_string()))?
        .clone();
    let col = |name: &str| -> Result<usize> {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| bad(file, 1, name, "missing column"))
    };
    let c = [
        col("reporter_side")?,
        col("country_a")?,
        col("country_b")?,
        col("flow")?,
        col("period_start")?,
        col("period_end")?,
        col("value")?,
        col("unit")?,
        col("yoy_growth_pct")?,
        col("source_name")?,
        col("source_url")?,
        col("quote")?,
    ];
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| bad(file, line, "row", &e.to_string()))?;
        let get = |k: usize| rec.get(c[k]).unwrap_or("").trim();
        let side = get(0);
        let reporter_side = if side.eq_ignore_ascii_case("unknown") || side.is_empty() {
            "unknown".to_string()
        } else {
            party(side).ok_or_else(|| {
                bad(
                    file,
                    line,
                    "reporter_side",
                    &format!("unknown country '{side}'"),
                )
            })?
        };
        let a = party(get(1)).ok_or_else(|| {
            bad(
                file,
                line,
                "country_a",
                &format!("unknown country or group '{}'", get(1)),
            )
        })?;
        let b = party(get(2)).ok_or_else(|| {
            bad(
                file,
                line,
                "country_b",
                &format!("unknown country or group '{}'", get(2)),
            )
        })?;
        let flow = match get(3) {
            "turnover" => Flow::Turnover,
            "exports_a_to_b" => Flow::Exports,
            "imports_a_from_b" => Flow::Imports,
            "balance" => Flow::Balance,
            other => {
                return Err(bad(
                    file,
                    line,
                    "flow",
                    &format!(
                        "'{other}': expected turnover, exports_a_to_b, imports_a_from_b or balance"
                    ),
                ));
            }
        };
        let start = month(get(4)).ok_or_else(|| {
            bad(
                file,
                line,
                "period_start",
                &format!("'{}': expected YYYY-MM", get(4)),
            )
        })?;
        let end = month(get(5)).ok_or_else(|| {
            bad(
                file,
                line,
                "period_end",
                &format!("'{}': expected YYYY-MM", get(5)),
            )
        })?;
        let period = Period::window(start, end)
            .map_err(|_| bad(file, line, "period_end", "the end is before the start"))?;
        let (currency, scale) = match get(7).split_once('_') {
            Some((cur, sc)) if cur.len() == 3 => (
                cur.to_ascii_uppercase(),
                match sc.to_ascii_lowercase().as_str() {
                    "k" | "th" => "thousand",
                    "m" | "mn" | "mln" => "million",
                    "bn" | "b" => "billion",
                    "tn" | "trn" => "trillion",
                    other => {
                        return Err(bad(
                            file,
                            line,
                            "unit",
                            &format!("scale '{other}': expected k, m, bn or tn"),
                        ));
                    }
                }
                .to_string(),
            ),
            _ => {
                return Err(bad(
                    file,
                    line,
                    "unit",
                    &format!("'{}': expected e.g. USD_bn", get(7)),
                ));
            }
        };
        let value = stated(get(6));
        if !get(6).is_empty() && value.is_none() {
            return Err(bad(
                file,
                line,
                "value",
                &format!("'{}': no number", get(6)),
            ));
        }
        let yoy = stated(get(8));
        if !get(8).is_empty() && yoy.is_none() {
            return Err(bad(
                file,
                line,
                "yoy_growth_pct",
                &format!("'{}': no number", get(8)),
            ));
        }
        let is_forecast = [get(6), get(8)]
            .iter()
            .any(|t| t.to_lowercase().contains("forecast"));
        out.push(Release {
            file: file.to_string(),
            line,
            reporter_side,
            country_a: a,
            country_b: b,
            flow,
            period,
            value,
            currency,
            scale,
            yoy_growth_pct: yoy,
            is_forecast,
            source_name: get(9).to_string(),
            source_url: get(10).to_string(),
            quote: get(11).to_string(),
        });
    }
    Ok(out)
}

fn bad(file: &str, line: u64, field: &str, reason: &str) -> ClaimsError {
    ClaimsError::Releases {
        file: file.to_string(),
        line,
        field: field.to_string(),
        reason: reason.to_string(),
    }
}

/// The shipped releases (parsed once per process).
pub fn embedded() -> &'static [Release] {
    static R: OnceLock<Vec<Release>> = OnceLock::new();
    R.get_or_init(|| {
        EMBEDDED
            .iter()
            .flat_map(|(f, t)| parse(f, t).expect("shipped releases parse (tested)"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_releases_parse() {
        let r = embedded();
        assert!(r.len() > 130, "{}", r.len());
        let putin = r
            .iter()
            .find(|x| x.country_b == "CIS" && x.period.label() == "2024-01..2024-10")
            .unwrap();
        assert_eq!(putin.value.as_ref().unwrap().value, 93.0);
        assert_eq!(putin.yoy_growth_pct.as_ref().unwrap().value, 10.6);
        let fc = r
            .iter()
            .find(|x| x.country_a == "BLR" && x.is_forecast)
            .unwrap();
        let v = fc.value.as_ref().unwrap();
        assert_eq!((v.value, v.high, v.bound), (59.0, Some(60.0), Bound::Range));
    }

    #[test]
    fn bad_rows_name_file_line_field() {
        let head = "reporter_side,country_a,country_b,flow,period_start,period_end,value,unit,yoy_growth_pct,source_name,source_url,quote\n";
        let e = parse(
            "r.csv",
            &format!("{head}RUS,RUS,KAZ,turnover,2024-13,2024-12,5,USD_bn,,x,y,z\n"),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "r.csv:2: field 'period_start': '2024-13': expected YYYY-MM"
        );
        let e = parse(
            "r.csv",
            &format!("{head}RUS,RUS,XYZ,turnover,2024-01,2024-12,5,USD_bn,,x,y,z\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("field 'country_b'"), "{e}");
        let e = parse(
            "r.csv",
            &format!("{head}RUS,RUS,KAZ,turnover,2024-01,2024-12,lots,USD_bn,,x,y,z\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("r.csv:2: field 'value'"), "{e}");
    }
}
