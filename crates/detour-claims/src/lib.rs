//! Claims: find the quantitative trade claims in a news text and check each one against the data.
//!
//! - [`text`]: input checks (size, UTF-8, language), sentences, the article's date;
//! - [`extract`]: the claim reader — each claim as a [`Frame`] (parties, flow, value, period, growth,
//!   forecast, record, attribution);
//! - [`releases`]: official statements of statistics offices and ministries, a source like any other;
//! - [`verify`]: verdicts from the store (through the monitor) and the releases, with the computation;
//! - [`html`]: the article annotated with each claim's verdict.

pub mod corpus;
pub mod eval;
pub mod extract;
pub mod frame;
pub mod gazetteer;
pub mod html;
pub mod lang;
pub mod releases;
pub mod text;
pub mod verify;

pub use extract::{ExtractOptions, extract, try_extract};
pub use frame::{Bound, Claim, Flow, Frame};
pub use verify::{Checked, Evidence, Verdict, check};

/// Errors of the claims crate.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// The text cannot be read as an article.
    #[error("{name}: {reason}")]
    Input { name: String, reason: String },
    /// A releases file has a bad row.
    #[error("{file}:{line}: field '{field}': {reason}")]
    Releases {
        file: String,
        line: u64,
        field: String,
        reason: String,
    },
    #[error(transparent)]
    Monitor(#[from] detour_monitor::MonitorError),
}

pub type Result<T, E = ClaimsError> = std::result::Result<T, E>;
