//! Country groups whose membership is valid by date.
//!
//! The table (`data/reference/country_groups.csv`) has one row per membership
//! spell with the legal basis and a primary source. A country can have several
//! spells (Uzbekistan in the CSTO). Dates are inclusive; an empty `member_since`
//! means "for all periods" (geographic groups, and EU27, whose fixed composition
//! Eurostat applies to all years).

use std::sync::OnceLock;

use chrono::NaiveDate;

use crate::error::{CoreError, Result};

const GROUPS_CSV: &str = include_str!("../../../data/reference/country_groups.csv");
const PACKAGES_CSV: &str = include_str!("../../../data/reference/eu_russia_sanctions_packages.csv");

fn ser_date<S: serde::Serializer>(d: &NaiveDate, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn ser_opt_date<S: serde::Serializer>(
    d: &Option<NaiveDate>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// One membership spell.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Membership {
    pub group: String,
    pub iso3: String,
    #[serde(serialize_with = "ser_opt_date")]
    pub since: Option<NaiveDate>,
    #[serde(serialize_with = "ser_opt_date")]
    pub until: Option<NaiveDate>,
    pub basis: String,
    pub source: String,
}

impl Membership {
    /// Is the spell in force on `date`?
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.since.is_none_or(|s| s <= date) && self.until.is_none_or(|u| date <= u)
    }
}

/// All group memberships.
#[derive(Debug)]
pub struct Groups {
    rows: Vec<Membership>,
}

/// An EU sanctions package against Russia.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SanctionsPackage {
    pub body: String,
    pub number: u32,
    #[serde(serialize_with = "ser_date")]
    pub adopted: NaiveDate,
    pub note: String,
    pub source: String,
}

fn parse_date(table: &str, line: u64, s: &str) -> Result<Option<NaiveDate>> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|e| CoreError::BadReference {
            table: table.into(),
            line,
            message: format!("date '{s}': {e}"),
        })
}

impl Groups {
    /// The embedded, source-checked membership table.
    pub fn global() -> &'static Groups {
        static G: OnceLock<Groups> = OnceLock::new();
        G.get_or_init(|| Groups::parse(GROUPS_CSV).expect("embedded group table is valid (tested)"))
    }

    /// Parse a membership table with columns group,iso3,member_since,member_until,basis,source.
    pub fn parse(text: &str) -> Result<Groups> {
        let table = "country_groups.csv";
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| CoreError::BadReference {
                table: table.into(),
                line,
                message: e.to_string(),
            })?;
            let f = |k: usize| rec.get(k).unwrap_or("").to_string();
            rows.push(Membership {
                group: f(0),
                iso3: f(1),
                since: parse_date(table, line, &f(2))?,
                until: parse_date(table, line, &f(3))?,
                basis: f(4),
                source: f(5),
            });
        }
        Ok(Groups { rows })
    }

    /// Every membership row.
    pub fn rows(&self) -> &[Membership] {
        &self.rows
    }

    /// The codes of all groups with a membership table.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.rows.iter().map(|r| r.group.as_str()).collect();
        v.dedup();
        v.sort();
        v.dedup();
        v
    }

    /// Is `code` a group with a membership table?
    pub fn is_group(&self, code: &str) -> bool {
        self.rows.iter().any(|r| r.group == code)
    }

    /// Members of `group` on `date`, sorted.
    pub fn members_on(&self, group: &str, date: NaiveDate) -> Result<Vec<String>> {
        self.members_between(group, date, date)
    }

    /// Members of `group` at any time between `from` and `to` (inclusive).
    pub fn members_between(
        &self,
        group: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<String>> {
        if !self.is_group(group) {
            return Err(CoreError::UnknownGroup {
                code: group.to_string(),
            });
        }
        let mut v: Vec<String> = self
            .rows
            .iter()
            .filter(|r| {
                r.group == group
                    && r.since.is_none_or(|s| s <= to)
                    && r.until.is_none_or(|u| from <= u)
            })
            .map(|r| r.iso3.clone())
            .collect();
        v.sort();
        v.dedup();
        Ok(v)
    }

    /// Is `iso3` a member of `group` on `date`?
    pub fn is_member(&self, group: &str, iso3: &str, date: NaiveDate) -> Result<bool> {
        Ok(self.members_on(group, date)?.iter().any(|m| m == iso3))
    }
}

/// The EU's sanctions packages against Russia, in order.
pub fn sanctions_packages() -> &'static [SanctionsPackage] {
    static P: OnceLock<Vec<SanctionsPackage>> = OnceLock::new();
    P.get_or_init(|| {
        parse_packages(PACKAGES_CSV).expect("embedded packages table is valid (tested)")
    })
}

fn parse_packages(text: &str) -> Result<Vec<SanctionsPackage>> {
    let table = "eu_russia_sanctions_packages.csv";
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let bad = |m: String| CoreError::BadReference {
            table: table.into(),
            line,
            message: m,
        };
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let f = |k: usize| rec.get(k).unwrap_or("").to_string();
        out.push(SanctionsPackage {
            body: f(0),
            number: f(1).parse().map_err(|e| bad(format!("package_no: {e}")))?,
            adopted: parse_date(table, line, &f(2))?
                .ok_or_else(|| bad("adoption_date is empty".into()))?,
            note: f(3),
            source: f(4),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::country::Countries;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn accessions_on_both_sides_of_the_date() {
        let g = Groups::global();
        assert!(!g.is_member("EU", "HRV", d("2013-06-30")).unwrap());
        assert!(g.is_member("EU", "HRV", d("2013-07-01")).unwrap());
        assert!(g.is_member("EU", "GBR", d("2020-01-31")).unwrap());
        assert!(!g.is_member("EU", "GBR", d("2020-02-01")).unwrap());
        assert!(!g.is_member("EAEU", "KGZ", d("2015-08-11")).unwrap());
        assert!(g.is_member("EAEU", "KGZ", d("2015-08-12")).unwrap());
        assert!(!g.is_member("EAEU", "ARM", d("2015-01-01")).unwrap());
        assert!(g.is_member("EAEU", "ARM", d("2015-01-02")).unwrap());
        assert!(g.is_member("CIS", "GEO", d("2009-08-17")).unwrap());
        assert!(!g.is_member("CIS", "GEO", d("2009-08-19")).unwrap());
        assert!(g.is_member("CSTO", "UZB", d("2010-01-01")).unwrap());
        assert!(!g.is_member("CSTO", "UZB", d("2013-01-01")).unwrap());
        assert!(!g.is_member("CSTO", "UZB", d("2003-01-01")).unwrap());
    }

    #[test]
    fn sizes_at_dates() {
        let g = Groups::global();
        assert_eq!(g.members_on("EU", d("2019-12-31")).unwrap().len(), 28);
        assert_eq!(g.members_on("EU", d("2020-02-01")).unwrap().len(), 27);
        assert_eq!(g.members_on("EU", d("1995-01-01")).unwrap().len(), 15);
        assert_eq!(g.members_on("EU27", d("2000-01-01")).unwrap().len(), 27);
        assert_eq!(g.members_on("EAEU", d("2024-01-01")).unwrap().len(), 5);
        assert_eq!(g.members_on("G7", d("2024-01-01")).unwrap().len(), 7);
        assert_eq!(g.members_on("CA5", d("2024-01-01")).unwrap().len(), 5);
        // EU27 today equals the EU today
        assert_eq!(
            g.members_on("EU27", d("2024-01-01")).unwrap(),
            g.members_on("EU", d("2024-01-01")).unwrap()
        );
        assert!(g.members_on("NATO", d("2024-01-01")).is_err());
    }

    #[test]
    fn every_member_and_group_code_is_known() {
        let c = Countries::global();
        for r in Groups::global().rows() {
            assert!(c.get(&r.iso3).is_some(), "{}", r.iso3);
            assert!(
                c.get(&r.group).is_some(),
                "group {} has no area code",
                r.group
            );
            assert!(!r.source.is_empty(), "{} {} has no source", r.group, r.iso3);
        }
    }

    #[test]
    fn packages_in_order() {
        let p = sanctions_packages();
        assert_eq!(p.len(), 19);
        assert!(
            p.windows(2)
                .all(|w| w[0].adopted < w[1].adopted && w[0].number + 1 == w[1].number)
        );
        assert_eq!(p[13].adopted, d("2024-06-24"));
    }
}
