//! # detour-core: the vocabulary of trade data
//!
//! Types every other detour crate speaks, with the reference tables they need
//! embedded in the binary (no set-up, no network):
//!
//! - [`country`]: ISO 3166 alpha-3 as the canonical code; alpha-2, numeric/M49,
//!   Eurostat and UN Comtrade codes, retired codes (ROM, ZAR, TMP, YUG, SUN, …),
//!   names and aliases in English, French (Eurostat labels) and Russian.
//! - [`group`]: groups valid by date (EU, EU27, CIS, EAEU, CSTO, CA5,
//!   SOUTH_CAUCASUS, G7, the 2022 export-control COALITION), each membership with
//!   its legal basis and source; the EU's sanctions packages against Russia.
//! - [`period`]: months, quarters, halves, years and windows, with the matched
//!   window one year earlier.
//! - [`money`]: values with currency and scale; conversion with ECB reference
//!   rates as monthly or annual averages, the rate being part of the result.
//! - [`deadline`]: a time by which a computation stops (a server's request limit).
//! - [`hs`]: HS codes (2/4/6 digits, edition-aware) and the Common High Priority List.
//!
//! ```
//! use detour_core::{country::Countries, group::Groups, period::Period};
//! let kgz = Countries::global().resolve_name("Kirghizia").unwrap();
//! assert_eq!(kgz.code, "KGZ");
//! let p = Period::parse("first nine months of 2024").unwrap();
//! assert_eq!(p.matched_previous_year().label(), "2023-01..2023-09");
//! let eaeu = Groups::global().members_on("EAEU", p.last_day()).unwrap();
//! assert!(eaeu.contains(&"KGZ".to_string()));
//! ```

pub mod country;
pub mod deadline;
pub mod error;
pub mod group;
pub mod hs;
pub mod money;
pub mod period;

pub use deadline::{Deadline, Expired};
pub use error::{CoreError, Result};

/// Direction of a recorded flow, from the reporter's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    Export,
    Import,
}

impl Flow {
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Export => "export",
            Flow::Import => "import",
        }
    }

    /// The other direction: what the partner records for the same goods.
    pub fn opposite(self) -> Flow {
        match self {
            Flow::Export => Flow::Import,
            Flow::Import => Flow::Export,
        }
    }

    /// Parse `export`/`exports`/`X`/`1`… and `import`/`imports`/`M`/`2`… (Comtrade and Eurostat codes).
    pub fn parse(s: &str) -> Option<Flow> {
        match s.trim().to_ascii_lowercase().as_str() {
            "export" | "exports" | "x" | "2" | "exp" => Some(Flow::Export),
            "import" | "imports" | "m" | "1" | "imp" => Some(Flow::Import),
            _ => None,
        }
    }
}

/// Where a number came from: enough to find it again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Provenance {
    /// Dataset, e.g. `eurostat-comext`, `russia-fcs`.
    pub source: String,
    /// File name as ingested.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
}
