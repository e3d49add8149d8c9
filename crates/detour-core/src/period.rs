//! Periods: months, quarters, years and month windows (ranges such as
//! "January–October 2024" or year-to-date at month M), each with its matched
//! window one year earlier for year-on-year comparisons.
//!
//! Every period is a closed range of whole months `[start, end]` with a kind
//! that says how it was named. Annual statistics (no month) cover a period only
//! when the period is one whole calendar year.

use std::fmt;

use chrono::NaiveDate;

use crate::error::{CoreError, Result};

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

/// Years detour accepts: wide enough for historical series, narrow enough to catch typos.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2100;

impl Month {
    /// A month; errors on month outside 1..=12 or a year outside 1900..=2100.
    pub fn new(year: i32, month: u32) -> Result<Month> {
        if !(1..=12).contains(&month) || !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(CoreError::ImpossibleDate { year, month });
        }
        Ok(Month { year, month })
    }

    /// Months since year 0, for arithmetic.
    pub fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    pub fn from_index(i: i64) -> Month {
        Month {
            year: i.div_euclid(12) as i32,
            month: (i.rem_euclid(12) + 1) as u32,
        }
    }

    /// This month shifted by `n` months (negative for earlier).
    pub fn plus(self, n: i64) -> Month {
        Month::from_index(self.index() + n)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    pub fn last_day(self) -> NaiveDate {
        self.plus(1).first_day().pred_opt().expect("valid date")
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// How a period was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Half,
    Year,
    /// January to month M of one year.
    YearToDate,
    /// Any other range of months.
    Window,
}

/// A closed range of months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    pub start: Month,
    pub end: Month,
    pub kind: PeriodKind,
}

const MONTH_NAMES: [&[&str]; 12] = [
    &["january", "jan", "январь", "января", "январе"],
    &["february", "feb", "февраль", "февраля", "феврале"],
    &["march", "mar", "март", "марта", "марте"],
    &["april", "apr", "апрель", "апреля", "апреле"],
    &["may", "май", "мая", "мае"],
    &["june", "jun", "июнь", "июня", "июне"],
    &["july", "jul", "июль", "июля", "июле"],
    &["august", "aug", "август", "августа", "августе"],
    &[
        "september",
        "sep",
        "sept",
        "сентябрь",
        "сентября",
        "сентябре",
    ],
    &["october", "oct", "октябрь", "октября", "октябре"],
    &["november", "nov", "ноябрь", "ноября", "ноябре"],
    &["december", "dec", "декабрь", "декабря", "декабре"],
];

const ORDINAL_COUNTS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
];

/// Parse an English or Russian month name or abbreviation.
pub fn month_from_name(s: &str) -> Option<u32> {
    let s = s.trim().trim_end_matches('.').to_lowercase();
    MONTH_NAMES
        .iter()
        .position(|names| names.contains(&s.as_str()))
        .map(|i| i as u32 + 1)
}

impl Period {
    /// A range of months; errors when `end` precedes `start`.
    pub fn window(start: Month, end: Month) -> Result<Period> {
        if end < start {
            return Err(CoreError::InvalidPeriod {
                text: format!("{start}..{end}"),
                reason: "the end is before the start".into(),
            });
        }
        let kind = if start == end {
            PeriodKind::Month
        } else if start.year == end.year && start.month == 1 && end.month == 12 {
            PeriodKind::Year
        } else if start.year == end.year && start.month == 1 {
            PeriodKind::YearToDate
        } else {
            PeriodKind::Window
        };
        Ok(Period { start, end, kind })
    }

    pub fn month(m: Month) -> Period {
        Period {
            start: m,
            end: m,
            kind: PeriodKind::Month,
        }
    }

    pub fn year(year: i32) -> Result<Period> {
        Ok(Period {
            start: Month::new(year, 1)?,
            end: Month::new(year, 12)?,
            kind: PeriodKind::Year,
        })
    }

    pub fn quarter(year: i32, q: u32) -> Result<Period> {
        if !(1..=4).contains(&q) {
            return Err(CoreError::InvalidPeriod {
                text: format!("{year}-Q{q}"),
                reason: "quarter must be 1 to 4".into(),
            });
        }
        Ok(Period {
            start: Month::new(year, 3 * q - 2)?,
            end: Month::new(year, 3 * q)?,
            kind: PeriodKind::Quarter,
        })
    }

    pub fn half(year: i32, h: u32) -> Result<Period> {
        if !(1..=2).contains(&h) {
            return Err(CoreError::InvalidPeriod {
                text: format!("{year}-H{h}"),
                reason: "half must be 1 or 2".into(),
            });
        }
        Ok(Period {
            start: Month::new(year, 6 * h - 5)?,
            end: Month::new(year, 6 * h)?,
            kind: PeriodKind::Half,
        })
    }

    /// January to `m` of m's year.
    pub fn year_to_date(m: Month) -> Period {
        Period {
            start: Month {
                year: m.year,
                month: 1,
            },
            end: m,
            kind: if m.month == 12 {
                PeriodKind::Year
            } else if m.month == 1 {
                PeriodKind::Month
            } else {
                PeriodKind::YearToDate
            },
        }
    }

    /// Number of months covered.
    pub fn len_months(&self) -> usize {
        (self.end.index() - self.start.index() + 1) as usize
    }

    /// The months covered, in order.
    pub fn months(&self) -> impl Iterator<Item = Month> + '_ {
        (self.start.index()..=self.end.index()).map(Month::from_index)
    }

    pub fn contains(&self, m: Month) -> bool {
        self.start <= m && m <= self.end
    }

    /// Is this exactly one calendar year (so that annual data covers it)?
    pub fn is_calendar_year(&self) -> bool {
        self.start.year == self.end.year && self.start.month == 1 && self.end.month == 12
    }

    /// The same window one year earlier: the base of a year-on-year comparison.
    pub fn matched_previous_year(&self) -> Period {
        Period {
            start: self.start.plus(-12),
            end: self.end.plus(-12),
            kind: self.kind,
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        self.start.first_day()
    }

    pub fn last_day(&self) -> NaiveDate {
        self.end.last_day()
    }

    /// Parse the forms people and files use:
    /// `2024`, `2024-03`, `2024-Q1`, `Q1 2024`, `2024-H1`, `2024-01..2024-10`,
    /// `ytd:2024-09`, `January–October 2024`, `Jan-Oct 2024`, `January to October 2024`,
    /// `first nine months of 2024`, `first half of 2024`, `March 2024`.
    pub fn parse(text: &str) -> Result<Period> {
        let invalid = |reason: &str| CoreError::InvalidPeriod {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let t = text.trim();
        let lower = t.to_lowercase();
        if let Some(rest) = lower.strip_prefix("ytd:") {
            return Ok(Period::year_to_date(
                parse_month_code(rest).ok_or_else(|| invalid("expected ytd:YYYY-MM"))?,
            ));
        }
        if let Some((a, b)) = lower.split_once("..") {
            // Whole years: 2006..2021
            if let (Ok(ya), Ok(yb)) = (a.trim().parse::<i32>(), b.trim().parse::<i32>()) {
                let (a, b) = (
                    Month::new(ya, 1).map_err(|_| invalid("year out of range"))?,
                    Month::new(yb, 12).map_err(|_| invalid("year out of range"))?,
                );
                return Period::window(a, b).map_err(|_| invalid("the end is before the start"));
            }
            let a = parse_month_code(a)
                .ok_or_else(|| invalid("expected YYYY-MM..YYYY-MM or YYYY..YYYY"))?;
            let b = parse_month_code(b).ok_or_else(|| invalid("expected YYYY-MM..YYYY-MM"))?;
            return Period::window(a, b).map_err(|_| invalid("the end is before the start"));
        }
        if let Ok(y) = lower.parse::<i32>() {
            return Period::year(y).map_err(|_| invalid("year out of range"));
        }
        if let Some(m) = parse_month_code(&lower) {
            return Ok(Period::month(m));
        }
        // quarter / half codes: 2024-Q1, 2024Q1, Q1 2024, 2024-H1, H1 2024
        let compact: String = lower
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        for (tag, ctor) in [
            ('q', Period::quarter as fn(i32, u32) -> Result<Period>),
            ('h', Period::half),
        ] {
            if let Some((a, b)) = compact.split_once(tag) {
                // "2024q1" -> ("2024", "1"); "q12024" -> ("", "12024"): number first, then the year
                let (y, n) = if a.len() == 4 {
                    (a, b)
                } else if a.is_empty() && b.len() == 5 {
                    (&b[1..], &b[..1])
                } else {
                    continue;
                };
                if let (Ok(y), Ok(n)) = (y.parse::<i32>(), n.parse::<u32>()) {
                    return ctor(y, n).map_err(|_| invalid("quarter 1-4 or half 1-2"));
                }
            }
        }
        parse_words(&lower).ok_or_else(|| invalid("not a recognised period form"))
    }

    /// The canonical label: `2024`, `2024-03`, `2024-Q1`, `2024-H1` or `2024-01..2024-10`.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Year if self.is_calendar_year() => format!("{}", self.start.year),
            PeriodKind::Month if self.start == self.end => self.start.to_string(),
            PeriodKind::Quarter if self.len_months() == 3 && self.start.month % 3 == 1 => {
                format!("{}-Q{}", self.start.year, self.start.month.div_ceil(3))
            }
            PeriodKind::Half if self.len_months() == 6 && self.start.month % 6 == 1 => {
                format!("{}-H{}", self.start.year, self.start.month.div_ceil(6))
            }
            _ => format!("{}..{}", self.start, self.end),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// `2024-03`, `2024-3`, `2024/03`, `202403`.
fn parse_month_code(s: &str) -> Option<Month> {
    let s = s.trim();
    let (y, m) = if let Some((y, m)) = s.split_once(['-', '/']) {
        (y, m)
    } else if s.len() == 6 && s.chars().all(|c| c.is_ascii_digit()) {
        s.split_at(4)
    } else {
        return None;
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 {
        return None;
    }
    Month::new(y.parse().ok()?, m.parse().ok()?).ok()
}

/// Word forms: "january–october 2024", "jan-oct 2024", "january to october 2024",
/// "first nine months of 2024", "first half of 2024", "march 2024", "nine months of 2024".
fn parse_words(s: &str) -> Option<Period> {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if matches!(c, '–' | '—' | '-' | ',') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words: Vec<&str> = cleaned
        .split_whitespace()
        .filter(|w| *w != "of" && *w != "the" && *w != "in")
        .collect();
    let year: i32 = words.last()?.parse().ok()?;
    let body = &words[..words.len() - 1];
    match body {
        [m] => Month::new(year, month_from_name(m)?)
            .ok()
            .map(Period::month),
        ["first", "half"] => Period::half(year, 1).ok(),
        ["second", "half"] => Period::half(year, 2).ok(),
        ["first", n, "months"] | [n, "months"] => {
            let n = ORDINAL_COUNTS
                .iter()
                .find(|(w, _)| w == n)
                .map(|(_, k)| *k)
                .or_else(|| n.parse().ok())?;
            Month::new(year, n).ok().map(Period::year_to_date)
        }
        ["first", "quarter"] => Period::quarter(year, 1).ok(),
        ["second", "quarter"] => Period::quarter(year, 2).ok(),
        ["third", "quarter"] => Period::quarter(year, 3).ok(),
        ["fourth", "quarter"] => Period::quarter(year, 4).ok(),
        [a, "to" | "through" | "until", b] | [a, b] => {
            let (a, b) = (month_from_name(a)?, month_from_name(b)?);
            Period::window(Month::new(year, a).ok()?, Month::new(year, b).ok()?).ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: i32, mo: u32) -> Month {
        Month::new(y, mo).unwrap()
    }

    #[test]
    fn parses_every_form() {
        let w = |a, b| Period::window(a, b).unwrap();
        let cases: &[(&str, Period)] = &[
            ("2024", Period::year(2024).unwrap()),
            ("2024-03", Period::month(m(2024, 3))),
            ("2024-Q2", Period::quarter(2024, 2).unwrap()),
            ("Q3 2024", Period::quarter(2024, 3).unwrap()),
            ("2024-H1", Period::half(2024, 1).unwrap()),
            ("2024-01..2024-10", w(m(2024, 1), m(2024, 10))),
            ("ytd:2024-09", Period::year_to_date(m(2024, 9))),
            ("2006..2021", w(m(2006, 1), m(2021, 12))),
            ("January–October 2024", w(m(2024, 1), m(2024, 10))),
            ("January to October 2024", w(m(2024, 1), m(2024, 10))),
            ("Jan-Oct 2024", w(m(2024, 1), m(2024, 10))),
            (
                "first nine months of 2024",
                Period::year_to_date(m(2024, 9)),
            ),
            (
                "the first seven months of 2024",
                Period::year_to_date(m(2024, 7)),
            ),
            ("first half of 2024", Period::half(2024, 1).unwrap()),
            ("March 2024", Period::month(m(2024, 3))),
            ("январь-октябрь 2024", w(m(2024, 1), m(2024, 10))),
        ];
        for (text, want) in cases {
            let got = Period::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((got.start, got.end), (want.start, want.end), "{text}");
        }
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "2024-13",
            "2024-10..2024-01",
            "Q5 2024",
            "sometime",
            "ytd:2024",
            "1700",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        let e = Period::parse("2024-13").unwrap_err().to_string();
        assert!(e.contains("2024-13"), "{e}");
    }

    #[test]
    fn labels_round_trip() {
        for s in [
            "2024",
            "2024-03",
            "2024-Q2",
            "2024-H2",
            "2024-01..2024-10",
            "2023-11..2024-02",
        ] {
            assert_eq!(Period::parse(s).unwrap().label(), s);
        }
    }

    // Invariants checked exhaustively over wide ranges (stronger than random sampling here).

    #[test]
    fn ytd_at_december_is_the_year() {
        for y in 1950..2090 {
            let ytd = Period::year_to_date(m(y, 12));
            let year = Period::year(y).unwrap();
            assert_eq!((ytd.start, ytd.end), (year.start, year.end));
            assert!(ytd.is_calendar_year());
        }
    }

    #[test]
    fn matched_window_is_same_length_one_year_earlier() {
        for y in 1950..2090 {
            for a in 1..=12 {
                for len in 0..30 {
                    let start = m(y, a);
                    let p = Period::window(start, start.plus(len)).unwrap();
                    let q = p.matched_previous_year();
                    assert_eq!(q.len_months(), p.len_months());
                    assert_eq!(q.start.index(), p.start.index() - 12);
                    assert_eq!(q.start.month, p.start.month);
                    assert_eq!(q.end.year, p.end.year - 1);
                }
            }
        }
    }

    #[test]
    fn quarters_partition_the_year() {
        for y in 1950..2090 {
            let months: Vec<Month> = (1..=4)
                .flat_map(|q| Period::quarter(y, q).unwrap().months().collect::<Vec<_>>())
                .collect();
            let year: Vec<Month> = Period::year(y).unwrap().months().collect();
            assert_eq!(months, year);
        }
    }

    #[test]
    fn month_index_round_trips() {
        for i in 1900i64 * 12..2100i64 * 12 {
            assert_eq!(Month::from_index(i).index(), i);
        }
    }
}
