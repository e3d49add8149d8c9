//! Countries and areas: ISO 3166 alpha-3 as the canonical code, with every other
//! code and name that real trade files use resolved to it.
//!
//! The registry is built once from the embedded `data/reference/country_codes.csv`
//! (datasets/country-codes, PDDL) plus `data/reference/country_aliases.csv`
//! (detour's own alias list: Eurostat and national-statistics labels, Russian and
//! historical names) and a small table of historical entities, reporting
//! aggregates and unallocated areas defined below.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::{CoreError, Result};

const COUNTRY_CODES_CSV: &str = include_str!("../../../data/reference/country_codes.csv");
const ALIASES_CSV: &str = include_str!("../../../data/reference/country_aliases.csv");

/// What kind of area a code stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    /// A current ISO 3166-1 country or territory.
    Country,
    /// An entity that no longer exists (USSR, Yugoslavia, …); kept so historical data resolves.
    Historical,
    /// A group of countries as reported by a statistics office (EU27, CIS, World, …).
    Aggregate,
    /// Trade that a reporter could not or would not allocate to a partner.
    Unallocated,
}

/// One country, historical entity, aggregate or unallocated area.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Area {
    /// Canonical code: ISO 3166-1 alpha-3 for countries, ISO 3166-3 alpha-3 for
    /// historical entities, detour's group code for aggregates.
    pub code: String,
    pub kind: AreaKind,
    pub iso2: Option<String>,
    /// ISO 3166-1 numeric (= UN M49 for countries).
    pub numeric: Option<u16>,
    pub name: String,
    pub name_ru: Option<String>,
    /// ISO 4217 currency of the country, where it has one.
    pub currency: Option<String>,
}

/// Which coding scheme a code in a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeScheme {
    /// ISO 3166-1 alpha-3, plus retired alpha-3 codes met in real data (ROM, ZAR, TMP, …).
    Iso3,
    /// ISO 3166-1 alpha-2.
    Iso2,
    /// ISO 3166-1 numeric / UN M49.
    Numeric,
    /// Eurostat's geo codes: alpha-2 with EL (Greece), UK (United Kingdom), XK (Kosovo),
    /// XS (Serbia, old Comext), the Q* codes for unallocated trade, and EU27_2020-style aggregates.
    Eurostat,
    /// UN Comtrade numeric reporter/partner codes (M49 with Comtrade's own exceptions:
    /// 842 USA, 251 France, 699 India, 757 Switzerland, 579 Norway, 490 "Other Asia, nes", 0 World, …).
    Comtrade,
    /// CEPII BACI numeric country codes (Comtrade's, as published in BACI's country_codes file).
    Baci,
}

impl CodeScheme {
    pub fn name(self) -> &'static str {
        match self {
            CodeScheme::Iso3 => "ISO 3166-1 alpha-3",
            CodeScheme::Iso2 => "ISO 3166-1 alpha-2",
            CodeScheme::Numeric => "ISO 3166-1 numeric / M49",
            CodeScheme::Eurostat => "Eurostat",
            CodeScheme::Comtrade => "UN Comtrade",
            CodeScheme::Baci => "CEPII BACI",
        }
    }
}

/// Areas that are not current ISO 3166-1 countries: (code, kind, alpha-2, numeric, English name, Russian name).
/// Numeric codes for historical entities follow ISO 3166-3 and UN Comtrade.
/// (code, kind, alpha-2, numeric, English name, Russian name).
type ExtraArea = (
    &'static str,
    AreaKind,
    Option<&'static str>,
    Option<u16>,
    &'static str,
    Option<&'static str>,
);

const EXTRA_AREAS: &[ExtraArea] = &[
    (
        "XKX",
        AreaKind::Country,
        Some("XK"),
        None,
        "Kosovo",
        Some("Косово"),
    ),
    // Spanish cities outside the EU customs territory, which Eurostat reports as partners XC and XL.
    (
        "XCE",
        AreaKind::Country,
        Some("XC"),
        None,
        "Ceuta",
        Some("Сеута"),
    ),
    (
        "XML",
        AreaKind::Country,
        Some("XL"),
        None,
        "Melilla",
        Some("Мелилья"),
    ),
    (
        "SUN",
        AreaKind::Historical,
        Some("SU"),
        Some(810),
        "USSR",
        Some("СССР"),
    ),
    (
        "YUG",
        AreaKind::Historical,
        Some("YU"),
        Some(890),
        "Yugoslavia (SFR)",
        Some("Югославия"),
    ),
    (
        "SCG",
        AreaKind::Historical,
        Some("CS"),
        Some(891),
        "Serbia and Montenegro",
        Some("Сербия и Черногория"),
    ),
    (
        "CSK",
        AreaKind::Historical,
        None,
        Some(200),
        "Czechoslovakia",
        Some("Чехословакия"),
    ),
    (
        "DDR",
        AreaKind::Historical,
        Some("DD"),
        Some(278),
        "German Democratic Republic",
        Some("ГДР"),
    ),
    (
        "ANT",
        AreaKind::Historical,
        Some("AN"),
        Some(530),
        "Netherlands Antilles",
        Some("Нидерландские Антильские острова"),
    ),
    (
        "BLX",
        AreaKind::Historical,
        None,
        Some(58),
        "Belgium-Luxembourg",
        None,
    ),
    (
        "WLD",
        AreaKind::Aggregate,
        None,
        Some(0),
        "World",
        Some("Мир"),
    ),
    (
        "EU",
        AreaKind::Aggregate,
        None,
        None,
        "European Union (changing composition)",
        Some("Европейский союз"),
    ),
    (
        "EU27",
        AreaKind::Aggregate,
        None,
        None,
        "European Union, 27 members (composition from 2020-02-01)",
        Some("ЕС-27"),
    ),
    (
        "EA",
        AreaKind::Aggregate,
        None,
        None,
        "Euro area (changing composition)",
        None,
    ),
    (
        "EA20",
        AreaKind::Aggregate,
        None,
        None,
        "Euro area, 20 members (composition from 2023-01-01)",
        None,
    ),
    (
        "EXTRA_EU27",
        AreaKind::Aggregate,
        None,
        None,
        "Extra-EU27 (all partners outside EU27)",
        None,
    ),
    (
        "INTRA_EU27",
        AreaKind::Aggregate,
        None,
        None,
        "Intra-EU27",
        None,
    ),
    (
        "NON_EU",
        AreaKind::Aggregate,
        None,
        None,
        "Countries outside the EU",
        None,
    ),
    (
        "CIS",
        AreaKind::Aggregate,
        None,
        None,
        "Commonwealth of Independent States",
        Some("СНГ"),
    ),
    (
        "EAEU",
        AreaKind::Aggregate,
        None,
        None,
        "Eurasian Economic Union",
        Some("ЕАЭС"),
    ),
    (
        "NON_EAEU",
        AreaKind::Aggregate,
        None,
        None,
        "Countries outside the EAEU",
        None,
    ),
    (
        "CSTO",
        AreaKind::Aggregate,
        None,
        None,
        "Collective Security Treaty Organization",
        Some("ОДКБ"),
    ),
    (
        "CA5",
        AreaKind::Aggregate,
        None,
        None,
        "Central Asia 5",
        Some("Центральная Азия"),
    ),
    (
        "SOUTH_CAUCASUS",
        AreaKind::Aggregate,
        None,
        None,
        "South Caucasus",
        Some("Южный Кавказ"),
    ),
    (
        "G7",
        AreaKind::Aggregate,
        None,
        None,
        "Group of Seven",
        Some("Большая семёрка"),
    ),
    (
        "COALITION",
        AreaKind::Aggregate,
        None,
        None,
        "Export-control coalition against Russia (2022)",
        None,
    ),
    (
        "SCO",
        AreaKind::Aggregate,
        None,
        None,
        "Shanghai Cooperation Organisation",
        Some("ШОС"),
    ),
    (
        "AFRICA",
        AreaKind::Aggregate,
        None,
        None,
        "Africa",
        Some("Африка"),
    ),
    (
        "AMERICAS",
        AreaKind::Aggregate,
        None,
        None,
        "Americas",
        Some("Америка"),
    ),
    (
        "ASIA",
        AreaKind::Aggregate,
        None,
        None,
        "Asia",
        Some("Азия"),
    ),
    (
        "EUROPE",
        AreaKind::Aggregate,
        None,
        None,
        "Europe",
        Some("Европа"),
    ),
    (
        "OCEANIA",
        AreaKind::Aggregate,
        None,
        None,
        "Oceania",
        Some("Океания"),
    ),
    (
        "X_NS",
        AreaKind::Unallocated,
        None,
        None,
        "Countries and territories not specified",
        None,
    ),
    (
        "X_CONF",
        AreaKind::Unallocated,
        None,
        None,
        "Not specified for commercial or military reasons",
        None,
    ),
    (
        "X_STORES",
        AreaKind::Unallocated,
        None,
        None,
        "Stores and provisions",
        None,
    ),
    (
        "X_NS_INTRA",
        AreaKind::Unallocated,
        None,
        None,
        "Not specified, within intra-EU trade",
        None,
    ),
    (
        "X_CONF_INTRA",
        AreaKind::Unallocated,
        None,
        None,
        "Not specified for commercial or military reasons, within intra-EU trade",
        None,
    ),
    (
        "X_STORES_INTRA",
        AreaKind::Unallocated,
        None,
        None,
        "Stores and provisions within intra-EU trade",
        None,
    ),
    (
        "X_HIGHSEAS",
        AreaKind::Unallocated,
        None,
        None,
        "High seas",
        None,
    ),
    (
        "X_OTHER",
        AreaKind::Unallocated,
        None,
        None,
        "Other countries / rest of the world as reported",
        None,
    ),
];

/// Retired or non-standard alpha-3 codes that real files use for a current country.
const ISO3_ALIASES: &[(&str, &str)] = &[
    ("ROM", "ROU"), // Romania until 2002
    ("ZAR", "COD"), // Zaire until 1997
    ("TMP", "TLS"), // East Timor until 2002
    ("PAL", "PSE"), // CEPII's code for Palestine
    ("KSV", "XKX"), // Kosovo in some World Bank files
    ("WBG", "PSE"), // West Bank and Gaza in IMF and World Bank files
];

/// Eurostat geo codes that are not the country's ISO alpha-2.
const EUROSTAT_CODES: &[(&str, &str)] = &[
    ("EL", "GRC"),
    ("UK", "GBR"),
    ("XK", "XKX"),
    ("XS", "SRB"),
    ("EU27_2020", "EU27"),
    ("EU", "EU"),
    ("EA20", "EA20"),
    ("EXT_EU27_2020", "EXTRA_EU27"),
    ("INT_EU27_2020", "INTRA_EU27"),
    ("QP", "X_HIGHSEAS"),
    ("QQ", "X_STORES"),
    ("QR", "X_STORES_INTRA"),
    ("QS", "X_STORES"),
    ("QU", "X_NS"),
    ("QV", "X_NS_INTRA"),
    ("QW", "X_CONF"),
    ("QX", "X_CONF"),
    ("QY", "X_CONF_INTRA"),
    ("QZ", "X_CONF"),
];

/// UN Comtrade (and BACI) numeric codes that differ from ISO 3166-1 numeric.
const COMTRADE_CODES: &[(u16, &str)] = &[
    (0, "WLD"),
    (58, "BLX"),
    (97, "EU"),
    (251, "FRA"),
    (381, "ITA"),
    (490, "TWN"), // "Other Asia, nes": Taiwan by Comtrade's and BACI's convention
    (579, "NOR"),
    (699, "IND"),
    (757, "CHE"),
    (842, "USA"),
    (280, "DEU"),      // Fmr Fed. Rep. of Germany
    (568, "X_NS"),     // Other Europe, nes
    (577, "X_NS"),     // Other Africa, nes
    (636, "X_NS"),     // Rest of America, nes
    (837, "X_STORES"), // Bunkers
    (838, "X_NS"),     // Free zones
    (839, "X_NS"),     // Special categories
    (899, "X_NS"),     // Areas, nes
];

/// The registry of all areas and their codes and names.
#[derive(Debug)]
pub struct Countries {
    areas: Vec<Area>,
    by_code: HashMap<String, usize>,
    by_iso2: HashMap<String, usize>,
    by_numeric: HashMap<u16, usize>,
    by_name: HashMap<String, Option<usize>>,
}

/// Normalise a name for lookup: case, quotes, dashes, common Latin diacritics,
/// "the", footnote marks and whitespace do not matter.
pub fn normalize_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            '’' | '‘' | '`' | '´' | 'ʼ' => '\'',
            '–' | '—' | '‑' => '-',
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ё' => 'е',
            '*' | '"' => ' ',
            '&' => {
                out.push_str(" and ");
                continue;
            }
            c => c,
        };
        out.push(c);
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let mut joined = words.join(" ");
    for suffix in [" (the)", ", the"] {
        if let Some(stripped) = joined.strip_suffix(suffix) {
            joined = stripped.to_string();
        }
    }
    if let Some(stripped) = joined.strip_prefix("the ") {
        joined = stripped.to_string();
    }
    joined
}

/// Remove every parenthesised part: "Russian Federation (Russia)" -> "Russian Federation".
fn without_parentheses(s: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The parenthesised parts of a name, outermost only.
fn parenthesised(s: &str) -> Vec<String> {
    let mut depth = 0usize;
    let mut parts = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => {
                if depth > 0 {
                    cur.push(c);
                }
                depth += 1;
            }
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    parts.push(std::mem::take(&mut cur));
                } else {
                    cur.push(c);
                }
            }
            c if depth > 0 => cur.push(c),
            _ => {}
        }
    }
    parts
}

impl Countries {
    /// The registry built from the embedded reference tables.
    pub fn global() -> &'static Countries {
        static REG: OnceLock<Countries> = OnceLock::new();
        REG.get_or_init(|| Countries::build().expect("embedded country tables are valid (tested)"))
    }

    fn build() -> Result<Countries> {
        let mut reg = Countries {
            areas: Vec::new(),
            by_code: HashMap::new(),
            by_iso2: HashMap::new(),
            by_numeric: HashMap::new(),
            by_name: HashMap::new(),
        };
        let table = "country_codes.csv";
        let mut rdr = csv::Reader::from_reader(COUNTRY_CODES_CSV.as_bytes());
        let headers = rdr.headers().map_err(|e| bad(table, 1, e))?.clone();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (c2, c3, cn) = (
            col("ISO3166-1-Alpha-2"),
            col("ISO3166-1-Alpha-3"),
            col("ISO3166-1-numeric"),
        );
        let (cun, cen, cru, ccldr, ccur) = (
            col("UNTERM English Short"),
            col("official_name_en"),
            col("official_name_ru"),
            col("CLDR display name"),
            col("ISO4217-currency_alphabetic_code"),
        );
        let (Some(c2), Some(c3), Some(cn)) = (c2, c3, cn) else {
            return Err(bad(table, 1, "missing ISO code columns"));
        };
        let get = |rec: &csv::StringRecord, c: Option<usize>| {
            c.and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| bad(table, line, e))?;
            let Some(iso3) = get(&rec, Some(c3)) else {
                continue;
            };
            let numeric = match get(&rec, Some(cn)) {
                Some(n) => Some(n.parse::<u16>().map_err(|e| bad(table, line, e))?),
                None => None,
            };
            let name = get(&rec, ccldr)
                .or_else(|| get(&rec, cen))
                .unwrap_or_else(|| iso3.clone());
            let area = Area {
                code: iso3.clone(),
                kind: AreaKind::Country,
                iso2: get(&rec, Some(c2)),
                numeric,
                name,
                name_ru: get(&rec, cru),
                currency: get(&rec, ccur).map(|c| c.split(',').next().unwrap_or("").to_string()),
            };
            let idx = reg.push(area);
            for c in [cun, cen, ccldr] {
                if let Some(n) = get(&rec, c) {
                    reg.add_name(&n, idx);
                }
            }
        }
        for &(code, kind, iso2, numeric, name, name_ru) in EXTRA_AREAS {
            let idx = reg.push(Area {
                code: code.to_string(),
                kind,
                iso2: iso2.map(str::to_string),
                numeric,
                name: name.to_string(),
                name_ru: name_ru.map(str::to_string),
                currency: None,
            });
            reg.add_name(name, idx);
        }
        // Russian official names after the extras so that aliases can override.
        for idx in 0..reg.areas.len() {
            if let Some(ru) = reg.areas[idx].name_ru.clone() {
                reg.add_name(&ru, idx);
            }
        }
        let table = "country_aliases.csv";
        let mut rdr = csv::Reader::from_reader(ALIASES_CSV.as_bytes());
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| bad(table, line, e))?;
            let (Some(alias), Some(code)) = (rec.get(0), rec.get(1)) else {
                return Err(bad(table, line, "expected alias,code"));
            };
            let Some(&idx) = reg.by_code.get(code) else {
                return Err(bad(
                    table,
                    line,
                    format!("alias '{alias}' points to unknown code '{code}'"),
                ));
            };
            // Aliases are curated: they win over automatically derived names.
            reg.by_name.insert(normalize_name(alias), Some(idx));
        }
        Ok(reg)
    }

    fn push(&mut self, area: Area) -> usize {
        let idx = self.areas.len();
        self.by_code.insert(area.code.clone(), idx);
        self.by_name.insert(normalize_name(&area.code), Some(idx));
        if let Some(i2) = &area.iso2 {
            self.by_iso2.insert(i2.clone(), idx);
        }
        if let Some(n) = area.numeric {
            self.by_numeric.entry(n).or_insert(idx);
        }
        self.areas.push(area);
        idx
    }

    /// Register a name; a name that two different areas claim becomes ambiguous and resolves to neither.
    fn add_name(&mut self, name: &str, idx: usize) {
        for key in [
            normalize_name(name),
            normalize_name(&without_parentheses(name)),
        ] {
            if key.is_empty() {
                continue;
            }
            match self.by_name.get(&key) {
                None => {
                    self.by_name.insert(key, Some(idx));
                }
                Some(Some(other)) if *other != idx => {
                    self.by_name.insert(key, None);
                }
                _ => {}
            }
        }
    }

    /// All areas, countries first.
    pub fn all(&self) -> &[Area] {
        &self.areas
    }

    /// The area with this canonical code.
    pub fn get(&self, code: &str) -> Option<&Area> {
        self.by_code.get(code).map(|&i| &self.areas[i])
    }

    /// Is this a canonical code (country, historical entity or aggregate)?
    pub fn is_canonical(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    /// Resolve a code in the given scheme to its area.
    pub fn resolve(&self, code: &str, scheme: CodeScheme) -> Result<&Area> {
        let c = code.trim();
        let unknown = || CoreError::UnknownCountry {
            code: code.to_string(),
            scheme: scheme.name(),
        };
        let idx = match scheme {
            CodeScheme::Iso3 => {
                let up = c.to_ascii_uppercase();
                let up = ISO3_ALIASES
                    .iter()
                    .find(|(a, _)| *a == up)
                    .map(|(_, b)| b.to_string())
                    .unwrap_or(up);
                self.by_code.get(&up).copied()
            }
            CodeScheme::Iso2 => self.by_iso2.get(&c.to_ascii_uppercase()).copied(),
            CodeScheme::Numeric => c
                .parse::<u16>()
                .ok()
                .and_then(|n| self.by_numeric.get(&n).copied()),
            CodeScheme::Eurostat => {
                let up = c.to_ascii_uppercase();
                match EUROSTAT_CODES.iter().find(|(a, _)| *a == up) {
                    Some((_, target)) => self.by_code.get(*target).copied(),
                    None if up == "GR" => None, // Eurostat writes EL; GR in a Eurostat file is an error
                    None => self.by_iso2.get(&up).copied(),
                }
            }
            CodeScheme::Comtrade | CodeScheme::Baci => {
                let n = c.parse::<u16>().map_err(|_| unknown())?;
                match COMTRADE_CODES.iter().find(|(a, _)| *a == n) {
                    Some((_, target)) => self.by_code.get(*target).copied(),
                    None => self.by_numeric.get(&n).copied(),
                }
            }
        };
        idx.map(|i| &self.areas[i]).ok_or_else(unknown)
    }

    /// Resolve an English, French (Eurostat) or Russian name or alias.
    pub fn resolve_name(&self, name: &str) -> Result<&Area> {
        let mut candidates = vec![
            normalize_name(name),
            normalize_name(&without_parentheses(name)),
        ];
        candidates.extend(parenthesised(name).iter().map(|p| normalize_name(p)));
        for key in candidates {
            if let Some(Some(idx)) = self.by_name.get(&key) {
                return Ok(&self.areas[*idx]);
            }
        }
        Err(CoreError::UnknownCountryName {
            name: name.to_string(),
        })
    }

    /// Resolve whatever a user typed: a canonical or ISO code, or a name.
    pub fn resolve_any(&self, text: &str) -> Result<&Area> {
        let t = text.trim();
        if let Some(a) = self.get(&t.to_ascii_uppercase()) {
            return Ok(a);
        }
        if t.len() == 3
            && t.chars().all(|c| c.is_ascii_alphabetic())
            && let Ok(a) = self.resolve(t, CodeScheme::Iso3)
        {
            return Ok(a);
        }
        if t.len() == 2
            && t.chars().all(|c| c.is_ascii_alphabetic())
            && let Ok(a) = self.resolve(t, CodeScheme::Eurostat)
        {
            return Ok(a);
        }
        if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
            return self.resolve(t, CodeScheme::Numeric);
        }
        self.resolve_name(t)
    }
}

fn bad(table: &str, line: u64, e: impl std::fmt::Display) -> CoreError {
    CoreError::BadReference {
        table: table.to_string(),
        line,
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_every_scheme() {
        let c = Countries::global();
        assert_eq!(c.resolve("KGZ", CodeScheme::Iso3).unwrap().code, "KGZ");
        assert_eq!(c.resolve("kg", CodeScheme::Iso2).unwrap().code, "KGZ");
        assert_eq!(c.resolve("417", CodeScheme::Numeric).unwrap().code, "KGZ");
        assert_eq!(c.resolve("EL", CodeScheme::Eurostat).unwrap().code, "GRC");
        assert_eq!(c.resolve("XK", CodeScheme::Eurostat).unwrap().code, "XKX");
        assert_eq!(c.resolve("UK", CodeScheme::Eurostat).unwrap().code, "GBR");
        assert!(c.resolve("GR", CodeScheme::Eurostat).is_err());
        assert_eq!(c.resolve("842", CodeScheme::Comtrade).unwrap().code, "USA");
        assert_eq!(c.resolve("251", CodeScheme::Comtrade).unwrap().code, "FRA");
        assert_eq!(c.resolve("0", CodeScheme::Comtrade).unwrap().code, "WLD");
        assert_eq!(c.resolve("ROM", CodeScheme::Iso3).unwrap().code, "ROU");
        assert_eq!(c.resolve("ZAR", CodeScheme::Iso3).unwrap().code, "COD");
        assert_eq!(c.resolve("TMP", CodeScheme::Iso3).unwrap().code, "TLS");
        let sun = c.resolve("SUN", CodeScheme::Iso3).unwrap();
        assert_eq!(sun.kind, AreaKind::Historical);
        assert_eq!(
            c.resolve("YUG", CodeScheme::Iso3).unwrap().kind,
            AreaKind::Historical
        );
    }

    #[test]
    fn unknown_code_names_the_code() {
        let err = Countries::global()
            .resolve("QQQ", CodeScheme::Iso3)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown country code 'QQQ' (scheme: ISO 3166-1 alpha-3)"
        );
    }

    #[test]
    fn names_and_aliases() {
        let c = Countries::global();
        for (name, code) in [
            ("Kyrgyz Republic", "KGZ"),
            ("Kirghizia", "KGZ"),
            ("Киргизия", "KGZ"),
            ("Кыргызстан", "KGZ"),
            ("Belorussia", "BLR"),
            ("Белоруссия", "BLR"),
            ("Russian Federation (Russia)", "RUS"),
            ("Россия", "RUS"),
            (
                "Germany (incl. German Democratic Republic 'DD' from 1991)",
                "DEU",
            ),
            ("Côte d’Ivoire (Ivory Coast)", "CIV"),
            ("Türkiye", "TUR"),
            ("Turkey", "TUR"),
            ("Czech Republic", "CZE"),
            ("Commonwealth of Independent States", "CIS"),
            ("Extra-EU27 (from 2020)", "EXTRA_EU27"),
        ] {
            assert_eq!(
                c.resolve_name(name).map(|a| a.code.as_str()),
                Ok(code),
                "{name}"
            );
        }
        assert!(c.resolve_name("Narnia").is_err());
    }

    #[test]
    fn any_form() {
        let c = Countries::global();
        assert_eq!(c.resolve_any("kaz").unwrap().code, "KAZ");
        assert_eq!(c.resolve_any("Kazakhstan").unwrap().code, "KAZ");
        assert_eq!(c.resolve_any("eu27").unwrap().code, "EU27");
    }

    /// Every code and name in every shipped trade file resolves (the default store depends on it).
    #[test]
    fn every_shipped_code_and_name_resolves() {
        let c = Countries::global();
        type ShippedFile<'a> = (&'a str, &'a str, &'a [(&'a str, bool)]);
        let files: [ShippedFile; 4] = [
            (
                "eurostat monthly",
                include_str!(
                    "../../../data/trade/eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv"
                ),
                &[("partner_iso3", false)],
            ),
            (
                "eurostat yearly",
                include_str!(
                    "../../../data/trade/eurostat_eu27_exports_by_partner_yearly_2010_2023.csv"
                ),
                &[("partner", true)],
            ),
            (
                "fcs",
                include_str!("../../../data/trade/russia_fcs_monthly_top29_partners_2006_2021.csv"),
                &[("reporter", false), ("partner", false)],
            ),
            (
                "national",
                include_str!(
                    "../../../data/trade/national_stats_imports_arm_kaz_kgz_uzb_yearly_2019_2023.csv"
                ),
                &[("reporter", true), ("partner", true)],
            ),
        ];
        let mut missing = std::collections::BTreeSet::new();
        for (label, text, cols) in files {
            let mut rdr = csv::Reader::from_reader(text.as_bytes());
            let h = rdr.headers().unwrap().clone();
            for rec in rdr.records() {
                let rec = rec.unwrap();
                for (col, by_name) in cols {
                    let i = h.iter().position(|x| x == *col).unwrap();
                    let v = &rec[i];
                    let ok = if *by_name {
                        c.resolve_name(v).is_ok()
                    } else {
                        c.resolve(v, CodeScheme::Iso3).is_ok()
                    };
                    if !ok {
                        missing.insert(format!("{label}: {v}"));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "{} unresolved:\n{}",
            missing.len(),
            missing.into_iter().collect::<Vec<_>>().join("\n")
        );
    }
}
