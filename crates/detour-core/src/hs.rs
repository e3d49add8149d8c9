//! Harmonized System commodity codes and the Common High Priority List.
//!
//! An [`HsCode`] is a 2-digit chapter, 4-digit heading or 6-digit subheading,
//! optionally tied to an HS edition. The Common High Priority List (CHPL) is the
//! list of 50 HS-6 codes that the US, EU, UK and Japan published on 2024-02-23 as
//! the items Russia most needs for its weapons; it ships as
//! `data/reference/chpl_common_high_priority_hs6_2024-02.csv`. Six of its codes exist
//! only from HS 2022 on (the 2022 amendments split 8541.40, 8525.80 and 8548, and
//! moved drone parts to 8807.30), which matters when matching it to older data.

use std::fmt;
use std::sync::OnceLock;

use crate::error::{CoreError, Result};

const CHPL_CSV: &str =
    include_str!("../../../data/reference/chpl_common_high_priority_hs6_2024-02.csv");

/// HS editions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum HsEdition {
    Hs1992,
    Hs1996,
    Hs2002,
    Hs2007,
    Hs2012,
    Hs2017,
    Hs2022,
}

impl HsEdition {
    /// The edition in force in a calendar year.
    pub fn in_force(year: i32) -> HsEdition {
        match year {
            ..=1995 => HsEdition::Hs1992,
            1996..=2001 => HsEdition::Hs1996,
            2002..=2006 => HsEdition::Hs2002,
            2007..=2011 => HsEdition::Hs2007,
            2012..=2016 => HsEdition::Hs2012,
            2017..=2021 => HsEdition::Hs2017,
            _ => HsEdition::Hs2022,
        }
    }

    /// Parse `HS2017`, `H5`, `2017`.
    pub fn parse(s: &str) -> Option<HsEdition> {
        let s = s.trim().to_ascii_uppercase();
        let s = s.trim_start_matches("HS");
        Some(match s {
            "1992" | "H0" | "0" => HsEdition::Hs1992,
            "1996" | "H1" | "1" => HsEdition::Hs1996,
            "2002" | "H2" | "2" => HsEdition::Hs2002,
            "2007" | "H3" | "3" => HsEdition::Hs2007,
            "2012" | "H4" | "4" => HsEdition::Hs2012,
            "2017" | "H5" | "5" => HsEdition::Hs2017,
            "2022" | "H6" | "6" => HsEdition::Hs2022,
            _ => return None,
        })
    }
}

/// A chapter, heading or subheading code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct HsCode(String);

impl HsCode {
    /// Parse `85`, `8542`, `854231`, `8542.31` (dots and spaces ignored).
    pub fn parse(s: &str) -> Result<HsCode> {
        let digits: String = s.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
        let invalid = |reason: &str| CoreError::InvalidHsCode {
            code: s.to_string(),
            reason: reason.into(),
        };
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid("only digits allowed"));
        }
        if !matches!(digits.len(), 2 | 4 | 6) {
            return Err(invalid("must have 2, 4 or 6 digits"));
        }
        let chapter: u32 = digits[..2].parse().map_err(|_| invalid("bad chapter"))?;
        if !(1..=97).contains(&chapter) || chapter == 77 {
            return Err(invalid("chapter must be 01-97 (77 is reserved)"));
        }
        Ok(HsCode(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn digits(&self) -> usize {
        self.0.len()
    }

    pub fn chapter(&self) -> &str {
        &self.0[..2]
    }

    /// Does this code contain `other` (a chapter contains its headings, …)?
    pub fn contains(&self, other: &HsCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl fmt::Display for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One CHPL entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChplItem {
    pub tier: String,
    pub hs6: HsCode,
    pub description: String,
    /// The first HS edition in which the code exists.
    pub since: HsEdition,
}

/// Codes of the CHPL created by the HS 2022 amendments.
const HS2022_ONLY: &[&str] = &["852589", "854149", "854151", "854159", "854800", "880730"];

/// The Common High Priority List (version of 2024-02-23).
pub fn chpl() -> &'static [ChplItem] {
    static C: OnceLock<Vec<ChplItem>> = OnceLock::new();
    C.get_or_init(|| {
        let mut rdr = csv::Reader::from_reader(CHPL_CSV.as_bytes());
        rdr.records()
            .map(|r| {
                let r = r.expect("embedded CHPL is valid (tested)");
                let hs6 = HsCode::parse(&r[1]).expect("embedded CHPL codes are valid (tested)");
                let since = if HS2022_ONLY.contains(&hs6.as_str()) {
                    HsEdition::Hs2022
                } else {
                    HsEdition::Hs2017
                };
                ChplItem {
                    tier: r[0].to_string(),
                    hs6,
                    description: r[2].to_string(),
                    since,
                }
            })
            .collect()
    })
}

/// CHPL codes of the given tiers (`1`, `2`, `3A`, …; empty = all tiers).
pub fn chpl_codes(tiers: &[&str]) -> Vec<&'static HsCode> {
    chpl()
        .iter()
        .filter(|i| tiers.is_empty() || tiers.iter().any(|t| t.eq_ignore_ascii_case(&i.tier)))
        .map(|i| &i.hs6)
        .collect()
}

const CHPL_CORRELATION_CSV: &str =
    include_str!("../../../data/reference/chpl_hs2022_to_hs2017.csv");

/// How a CHPL code is found in data of one HS edition.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChplMatch {
    pub tier: String,
    /// The CHPL code (HS 2022).
    pub chpl: String,
    /// The code to look for in the data.
    pub data_code: String,
    /// `same code`, or `correlation (partial)`: the data code also covers other goods (or
    /// the CHPL code also took goods from other HS 2017 codes).
    pub how: String,
}

/// The CHPL codes (of `tiers`; empty = all) as they appear in data coded in `edition`.
/// Codes the HS 2022 amendments created are looked up in HS 2017 data through
/// `data/reference/chpl_hs2022_to_hs2017.csv`; earlier editions are not supported
/// (the second value lists the codes that could not be matched, with the reason).
pub fn chpl_in_edition(tiers: &[&str], edition: HsEdition) -> (Vec<ChplMatch>, Vec<String>) {
    let mut matched = Vec::new();
    let mut unmatched = Vec::new();
    let corr: Vec<(String, String)> = csv::Reader::from_reader(CHPL_CORRELATION_CSV.as_bytes())
        .records()
        .flatten()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    for item in chpl()
        .iter()
        .filter(|i| tiers.is_empty() || tiers.iter().any(|t| t.eq_ignore_ascii_case(&i.tier)))
    {
        let code = item.hs6.as_str().to_string();
        if edition >= item.since {
            matched.push(ChplMatch {
                tier: item.tier.clone(),
                chpl: code.clone(),
                data_code: code,
                how: "same code".into(),
            });
        } else if edition == HsEdition::Hs2017 {
            match corr.iter().find(|(c, _)| *c == code) {
                Some((_, old)) => matched.push(ChplMatch {
                    tier: item.tier.clone(),
                    chpl: code,
                    data_code: old.clone(),
                    how: "correlation (partial)".into(),
                }),
                None => unmatched.push(format!("{code}: no HS 2017 correlation")),
            }
        } else {
            unmatched.push(format!(
                "{code}: created in HS 2022; data in {edition:?} not matched"
            ));
        }
    }
    (matched, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_hierarchy() {
        let c = HsCode::parse("8542.31").unwrap();
        assert_eq!(c.as_str(), "854231");
        assert_eq!(c.chapter(), "85");
        assert!(HsCode::parse("85").unwrap().contains(&c));
        assert!(HsCode::parse("8542").unwrap().contains(&c));
        assert!(!HsCode::parse("8541").unwrap().contains(&c));
        for bad in ["8", "85423", "8542311", "77", "00", "98", "85a2"] {
            assert!(HsCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn chpl_has_fifty_codes_in_six_tiers() {
        let all = chpl();
        assert_eq!(all.len(), 50);
        assert_eq!(chpl_codes(&["1"]).len(), 4);
        let tiers: std::collections::BTreeSet<&str> = all.iter().map(|i| i.tier.as_str()).collect();
        assert_eq!(
            tiers.into_iter().collect::<Vec<_>>(),
            ["1", "2", "3A", "3B", "4A", "4B"]
        );
        assert_eq!(
            all.iter().filter(|i| i.since == HsEdition::Hs2022).count(),
            HS2022_ONLY.len()
        );
    }

    #[test]
    fn editions() {
        assert_eq!(HsEdition::in_force(2021), HsEdition::Hs2017);
        assert_eq!(HsEdition::in_force(2022), HsEdition::Hs2022);
        assert_eq!(HsEdition::parse("H5"), Some(HsEdition::Hs2017));
        assert_eq!(HsEdition::parse("HS2022"), Some(HsEdition::Hs2022));
    }
}

#[cfg(test)]
mod chpl_edition_tests {
    use super::*;

    #[test]
    fn chpl_codes_in_hs2017_data() {
        let (m22, u22) = chpl_in_edition(&[], HsEdition::Hs2022);
        assert_eq!((m22.len(), u22.len()), (50, 0));
        assert!(m22.iter().all(|m| m.chpl == m.data_code));
        let (m17, u17) = chpl_in_edition(&[], HsEdition::Hs2017);
        assert_eq!((m17.len(), u17.len()), (50, 0));
        let cam = m17.iter().find(|m| m.chpl == "852589").unwrap();
        assert_eq!(
            (cam.data_code.as_str(), cam.how.as_str()),
            ("852580", "correlation (partial)")
        );
        let ic = m17.iter().find(|m| m.chpl == "854231").unwrap();
        assert_eq!(ic.data_code, "854231");
        // Every code the HS 2022 amendments created has a correlation row.
        assert_eq!(
            m17.iter().filter(|m| m.how != "same code").count(),
            HS2022_ONLY.len()
        );
        let (_, u12) = chpl_in_edition(&["3A"], HsEdition::Hs2012);
        assert!(u12.iter().any(|u| u.starts_with("852589")));
    }

    /// The subheadings of every heading the CHPL touches, in HS 2017 and HS 2022, as UNSD lists
    /// them (data/reference/hs_subheadings_chpl_headings.csv).
    fn code_lists() -> Vec<(String, Vec<String>, Vec<String>)> {
        let csv = include_str!("../../../data/reference/hs_subheadings_chpl_headings.csv");
        csv::Reader::from_reader(csv.as_bytes())
            .records()
            .map(|r| {
                let r = r.unwrap();
                let codes = |i: usize| r[i].split_whitespace().map(String::from).collect();
                (r[0].to_string(), codes(1), codes(2))
            })
            .collect()
    }

    #[test]
    fn correlation_rows_agree_with_the_unsd_code_lists() {
        let lists = code_lists();
        let hs17: Vec<&String> = lists.iter().flat_map(|l| &l.1).collect();
        let hs22: Vec<&String> = lists.iter().flat_map(|l| &l.2).collect();
        for (heading, a, b) in &lists {
            assert!(
                a.iter().chain(b).all(|c| c.starts_with(heading.as_str())),
                "{heading}"
            );
        }
        // Every CHPL code is an HS 2022 subheading; the ones HS 2017 lacks are exactly the
        // codes the library treats as new, and exactly the correlation file's rows.
        let mut created = Vec::new();
        for item in chpl() {
            let code = item.hs6.as_str().to_string();
            assert!(hs22.contains(&&code), "{code} is not an HS 2022 subheading");
            assert_eq!(
                !hs17.contains(&&code),
                item.since == HsEdition::Hs2022,
                "{code}"
            );
            if !hs17.contains(&&code) {
                created.push(code);
            }
        }
        let rows: Vec<csv::StringRecord> =
            csv::Reader::from_reader(CHPL_CORRELATION_CSV.as_bytes())
                .records()
                .map(|r| r.unwrap())
                .collect();
        let mut in_file: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
        created.sort();
        in_file.sort();
        assert_eq!(created, in_file);
        assert_eq!(created, HS2022_ONLY);
        // Each HS 2017 code named existed in HS 2017 and is gone in HS 2022, and sits in the same
        // heading or in the heading HS 2022 replaced (88.03 became 88.07 with the same
        // subheading numbers).
        for r in &rows {
            let (new, old) = (&r[0], &r[1]);
            assert!(hs17.iter().any(|c| *c == old), "{old} not in HS 2017");
            assert!(!hs22.iter().any(|c| *c == old), "{old} still in HS 2022");
            let same_heading = new[..4] == old[..4];
            let moved = &new[..4] == "8807" && &old[..4] == "8803" && new[4..] == old[4..];
            assert!(same_heading || moved, "{new} <- {old}");
            assert_eq!((&r[2], &r[4]), ("partial", "yes"));
        }
        // Splits keep the one-dash subheading: 8541.4x comes from 8541.40, 8541.5x from 8541.50.
        for r in rows.iter().filter(|r| r[0].starts_with("8541")) {
            assert_eq!(r[0][..5], r[1][..5]);
        }
    }
}
