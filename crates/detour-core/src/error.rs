//! The one error type of detour-core.

/// Everything that can go wrong while interpreting trade vocabulary.
///
/// Variants carry the offending value so that callers (ingest, CLI) can add the
/// file, line and field where it was met.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoreError {
    /// A country code that no known scheme resolves.
    #[error("unknown country code '{code}' (scheme: {scheme})")]
    UnknownCountry { code: String, scheme: &'static str },
    /// A country or aggregate name that matches no known name or alias.
    #[error("unknown country or area name '{name}'")]
    UnknownCountryName { name: String },
    /// A group code that is not defined.
    #[error("unknown group '{code}'")]
    UnknownGroup { code: String },
    /// A period string that cannot be parsed.
    #[error("invalid period '{text}': {reason}")]
    InvalidPeriod { text: String, reason: String },
    /// A month outside 1..=12 or a year outside the supported range.
    #[error("impossible date: year {year}, month {month}")]
    ImpossibleDate { year: i32, month: u32 },
    /// An HS code that is not 2, 4 or 6 digits.
    #[error("invalid HS code '{code}': {reason}")]
    InvalidHsCode { code: String, reason: String },
    /// A currency code not in the rate table.
    #[error("unknown currency '{code}'")]
    UnknownCurrency { code: String },
    /// No reference rate exists for the currency in that period.
    #[error("no ECB reference rate for {currency} in {period}: {reason}")]
    NoRate {
        currency: String,
        period: String,
        reason: String,
    },
    /// An amount that is not a finite number (NaN, infinity).
    #[error("{what} {value} is not a finite number")]
    NotFinite { what: &'static str, value: f64 },
    /// An embedded or supplied reference table is malformed.
    #[error("reference table {table}, line {line}: {message}")]
    BadReference {
        table: String,
        line: u64,
        message: String,
    },
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
