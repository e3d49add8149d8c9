use thiserror::Error;

/// What can stop an estimation.
#[derive(Debug, Error, PartialEq)]
pub enum Error {
    #[error("column '{name}' has {len} values but the outcome has {n}")]
    LengthMismatch { name: String, len: usize, n: usize },
    #[error("column '{name}' has a non-finite value ({value}) at row {row}")]
    NonFinite {
        name: String,
        row: usize,
        value: f64,
    },
    #[error("the outcome is negative ({value}) at row {row}; a Poisson model needs y >= 0")]
    NegativeOutcome { row: usize, value: f64 },
    #[error("weight at row {row} is {value}; weights must be positive and finite")]
    BadWeight { row: usize, value: f64 },
    #[error("no observations left to estimate on ({reason})")]
    NoObservations { reason: String },
    #[error(
        "every regressor is collinear with the fixed effects or the other regressors: {names:?}"
    )]
    AllCollinear { names: Vec<String> },
    #[error("the estimate diverged at iteration {iteration}: deviance is {deviance}")]
    Diverged { iteration: usize, deviance: f64 },
    #[error("{label}: no column '{name}' (columns: {available})")]
    NoColumn {
        label: String,
        name: String,
        available: String,
    },
    #[error("{label}:{line}: field '{column}': '{value}' is not a number")]
    NotNumber {
        label: String,
        line: usize,
        column: String,
        value: String,
    },
    #[error("{label}:{line}: field '{column}': '{value}' is not a finite number")]
    NotFiniteCell {
        label: String,
        line: usize,
        column: String,
        value: f64,
    },
    #[error(transparent)]
    Formula(#[from] crate::formula::ParseError),
    /// The estimation passed its deadline ([`Options::deadline`](crate::Options)) and stopped.
    #[error("stopped: the estimation passed its time limit")]
    Deadline,
    /// An option value that is not one of those known (`family`, `vcov`, …).
    #[error("{option}{message}")]
    BadOption {
        option: &'static str,
        message: String,
    },
}
