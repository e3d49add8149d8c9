//! Money and currency conversion with ECB euro reference rates.
//!
//! Rates come from the embedded `data/reference/ecb_eurofxref_hist.csv` (European
//! Central Bank, daily reference rates, units of currency per 1 EUR). A monthly
//! rate is the arithmetic mean of the month's daily rates, an annual rate the mean
//! of the year's daily rates, which is how the ECB computes its published averages.
//! An average exists only when the currency was quoted on every ECB business day of
//! the period: the rouble, whose quotes stop on 1 March 2022, has no March 2022
//! average and none after. Cross rates go through the euro:
//! `rate(A→B) = rate_B / rate_A` with both in units per EUR.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use crate::error::{CoreError, Result};
use crate::period::Month;

const ECB_CSV: &str = include_str!("../../../data/reference/ecb_eurofxref_hist.csv");

/// The source statement attached to every conversion.
pub const ECB_SOURCE: &str =
    "European Central Bank euro foreign exchange reference rates (daily), averaged by detour";

/// Multiplier in which a figure is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    Units,
    Thousands,
    Millions,
    Billions,
    Trillions,
}

impl Scale {
    pub fn factor(self) -> f64 {
        match self {
            Scale::Units => 1.0,
            Scale::Thousands => 1e3,
            Scale::Millions => 1e6,
            Scale::Billions => 1e9,
            Scale::Trillions => 1e12,
        }
    }
}

/// A value in a currency at a scale: `Money { value: 6.8, currency: "USD", scale: Billions }`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Money {
    pub value: f64,
    pub currency: String,
    pub scale: Scale,
}

impl Money {
    pub fn new(value: f64, currency: &str, scale: Scale) -> Money {
        Money {
            value,
            currency: currency.to_ascii_uppercase(),
            scale,
        }
    }

    /// The value in single currency units.
    pub fn in_units(&self) -> f64 {
        self.value * self.scale.factor()
    }
}

/// Whether a rate is a monthly or an annual average.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateBasis {
    MonthlyAverage,
    AnnualAverage,
}

/// A conversion and the rate that made it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conversion {
    pub value: f64,
    pub from: String,
    pub to: String,
    /// Units of `to` per one unit of `from`.
    pub rate: f64,
    pub basis: RateBasis,
    /// `2023-05` or `2023`.
    pub period: String,
    /// Daily quotes averaged (for each currency that is not EUR).
    pub days: usize,
    pub source: &'static str,
}

/// Daily ECB reference rates.
#[derive(Debug)]
pub struct EcbRates {
    currencies: Vec<String>,
    /// (date, rate per currency index; None where not quoted)
    days: Vec<(NaiveDate, Vec<Option<f64>>)>,
    monthly: HashMap<(i32, u32), Vec<MonthTally>>,
}

/// Per month and currency: (sum of daily rates, days quoted, ECB business days).
type MonthTally = (f64, usize, usize);

impl EcbRates {
    /// The embedded rate table.
    pub fn global() -> &'static EcbRates {
        static R: OnceLock<EcbRates> = OnceLock::new();
        R.get_or_init(|| EcbRates::parse(ECB_CSV).expect("embedded ECB table is valid (tested)"))
    }

    /// Parse the ECB `eurofxref-hist.csv` layout: `Date,USD,JPY,…` with `N/A` for missing.
    pub fn parse(text: &str) -> Result<EcbRates> {
        let table = "ecb_eurofxref_hist.csv";
        let bad = |line: u64, m: String| CoreError::BadReference {
            table: table.into(),
            line,
            message: m,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = rdr.headers().map_err(|e| bad(1, e.to_string()))?.clone();
        let currencies: Vec<String> = headers
            .iter()
            .skip(1)
            .map(|h| h.trim().to_string())
            .collect();
        let mut days = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| bad(line, e.to_string()))?;
            let date = NaiveDate::parse_from_str(rec.get(0).unwrap_or(""), "%Y-%m-%d")
                .map_err(|e| bad(line, format!("Date: {e}")))?;
            let mut rates = vec![None; currencies.len()];
            for (k, slot) in rates.iter_mut().enumerate() {
                let cell = rec.get(k + 1).unwrap_or("").trim();
                if cell.is_empty() || cell == "N/A" {
                    continue;
                }
                let v: f64 = cell.parse().map_err(|_| {
                    bad(line, format!("{}: '{cell}' is not a number", currencies[k]))
                })?;
                *slot = Some(v);
            }
            days.push((date, rates));
        }
        days.sort_by_key(|d| d.0);
        // Per month and currency: (sum, quoted days, ECB business days).
        let mut monthly: HashMap<(i32, u32), Vec<MonthTally>> = HashMap::new();
        for (date, rates) in &days {
            let slot = monthly
                .entry((date.year(), date.month()))
                .or_insert_with(|| vec![(0.0, 0, 0); currencies.len()]);
            for (k, r) in rates.iter().enumerate() {
                slot[k].2 += 1;
                if let Some(v) = r {
                    slot[k].0 += v;
                    slot[k].1 += 1;
                }
            }
        }
        Ok(EcbRates {
            currencies,
            days,
            monthly,
        })
    }

    /// Currencies in the table (EUR is implicit).
    pub fn currencies(&self) -> &[String] {
        &self.currencies
    }

    /// First and last date of the table.
    pub fn coverage(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.days.first()?.0, self.days.last()?.0))
    }

    fn index(&self, currency: &str) -> Result<usize> {
        self.currencies
            .iter()
            .position(|c| c.eq_ignore_ascii_case(currency))
            .ok_or_else(|| CoreError::UnknownCurrency {
                code: currency.to_string(),
            })
    }

    /// Mean units of `currency` per EUR over `month`, and the number of daily quotes.
    pub fn monthly_rate(&self, currency: &str, month: Month) -> Result<(f64, usize)> {
        if currency.eq_ignore_ascii_case("EUR") {
            return Ok((1.0, 0));
        }
        let k = self.index(currency)?;
        let no_rate = |reason: String| CoreError::NoRate {
            currency: currency.to_ascii_uppercase(),
            period: month.to_string(),
            reason,
        };
        let Some(slot) = self.monthly.get(&(month.year, month.month)) else {
            return Err(no_rate("the ECB table has no quotes for that month".into()));
        };
        let (sum, quoted, business) = slot[k];
        if quoted == 0 {
            return Err(no_rate("the ECB did not quote it that month".into()));
        }
        if quoted < business {
            return Err(no_rate(format!(
                "quoted on only {quoted} of {business} ECB business days; a partial average would be a guess"
            )));
        }
        Ok((sum / quoted as f64, quoted))
    }

    /// Mean units of `currency` per EUR over calendar `year` (all twelve months fully quoted).
    pub fn annual_rate(&self, currency: &str, year: i32) -> Result<(f64, usize)> {
        if currency.eq_ignore_ascii_case("EUR") {
            return Ok((1.0, 0));
        }
        let (mut sum, mut n) = (0.0, 0usize);
        for m in 1..=12 {
            let month = Month::new(year, m)?;
            let (_, quoted) = self.monthly_rate(currency, month).map_err(|e| match e {
                CoreError::NoRate { reason, .. } => CoreError::NoRate {
                    currency: currency.to_ascii_uppercase(),
                    period: year.to_string(),
                    reason: format!("{month}: {reason}"),
                },
                other => other,
            })?;
            let k = self.index(currency)?;
            sum += self.monthly[&(year, m)][k].0;
            n += quoted;
        }
        Ok((sum / n as f64, n))
    }

    /// Units of `to` per one unit of `from`, averaged over a month or a year.
    pub fn cross_rate(
        &self,
        from: &str,
        to: &str,
        basis: RateBasis,
        year: i32,
        month: u32,
    ) -> Result<(f64, usize)> {
        let get = |c: &str| match basis {
            RateBasis::MonthlyAverage => self.monthly_rate(c, Month::new(year, month)?),
            RateBasis::AnnualAverage => self.annual_rate(c, year),
        };
        let (rf, df) = get(from)?;
        let (rt, dt) = get(to)?;
        Ok((rt / rf, df.max(dt)))
    }

    /// Convert `value` from one currency to another at a month's average rate.
    pub fn convert_monthly(
        &self,
        value: f64,
        from: &str,
        to: &str,
        month: Month,
    ) -> Result<Conversion> {
        finite(value)?;
        let (rate, days) =
            self.cross_rate(from, to, RateBasis::MonthlyAverage, month.year, month.month)?;
        Ok(Conversion {
            value: value * rate,
            from: from.to_ascii_uppercase(),
            to: to.to_ascii_uppercase(),
            rate,
            basis: RateBasis::MonthlyAverage,
            period: month.to_string(),
            days,
            source: ECB_SOURCE,
        })
    }

    /// Convert `value` from one currency to another at a year's average rate.
    pub fn convert_annual(
        &self,
        value: f64,
        from: &str,
        to: &str,
        year: i32,
    ) -> Result<Conversion> {
        finite(value)?;
        let (rate, days) = self.cross_rate(from, to, RateBasis::AnnualAverage, year, 1)?;
        Ok(Conversion {
            value: value * rate,
            from: from.to_ascii_uppercase(),
            to: to.to_ascii_uppercase(),
            rate,
            basis: RateBasis::AnnualAverage,
            period: year.to_string(),
            days,
            source: ECB_SOURCE,
        })
    }
}

/// An amount to convert must be a number.
fn finite(value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(CoreError::NotFinite {
            what: "the amount",
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: i32, mo: u32) -> Month {
        Month::new(y, mo).unwrap()
    }

    /// Mean of the daily USD quotes of a month, computed independently from the CSV text.
    fn hand_mean(prefix: &str) -> (f64, usize) {
        let mut lines = ECB_CSV.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let usd = header.iter().position(|h| *h == "USD").unwrap();
        let v: Vec<f64> = lines
            .filter(|l| l.starts_with(prefix))
            .map(|l| l.split(',').nth(usd).unwrap().parse::<f64>().unwrap())
            .collect();
        (v.iter().sum::<f64>() / v.len() as f64, v.len())
    }

    #[test]
    fn monthly_and_annual_usd_match_hand_computation() {
        let r = EcbRates::global();
        let (rate, days) = r.monthly_rate("USD", m(2023, 5)).unwrap();
        let (want, n) = hand_mean("2023-05");
        assert_eq!(days, n);
        assert!((rate - want).abs() < 1e-12);
        // ECB's published May 2023 average is 1.0867 USD per EUR (4 decimals).
        assert!((rate - 1.0867).abs() < 1e-4, "{rate}");
        let (annual, _) = r.annual_rate("USD", 2023).unwrap();
        let (want, _) = hand_mean("2023-");
        assert!((annual - want).abs() < 1e-12);
        // ECB's published 2023 annual average is 1.0813 USD per EUR.
        assert!((annual - 1.0813).abs() < 1e-4, "{annual}");
    }

    #[test]
    fn conversion_reports_its_rate() {
        let r = EcbRates::global();
        let c = r
            .convert_monthly(1_000_000.0, "EUR", "USD", m(2023, 5))
            .unwrap();
        assert!((c.value - 1_000_000.0 * c.rate).abs() < 1e-6);
        assert_eq!(c.basis, RateBasis::MonthlyAverage);
        let back = r
            .convert_monthly(c.value, "USD", "EUR", m(2023, 5))
            .unwrap();
        assert!((back.value - 1_000_000.0).abs() < 1e-6);
    }

    #[test]
    fn no_rouble_rate_after_march_2022() {
        let r = EcbRates::global();
        assert!(r.monthly_rate("RUB", m(2022, 2)).is_ok());
        for month in [m(2022, 3), m(2022, 4), m(2024, 1)] {
            let e = r.monthly_rate("RUB", month).unwrap_err();
            assert!(matches!(e, CoreError::NoRate { .. }), "{e}");
        }
        assert!(r.annual_rate("RUB", 2022).is_err());
        assert!(r.annual_rate("RUB", 2021).is_ok());
        assert!(matches!(
            r.monthly_rate("XYZ", m(2022, 1)),
            Err(CoreError::UnknownCurrency { .. })
        ));
    }
}
