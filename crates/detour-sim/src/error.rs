//! The one error type of detour-sim.

use std::path::PathBuf;

/// Everything that can stop a simulation. Errors from the crates below keep their sources.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A scenario, or its data, that cannot be simulated as written: the file (a scenario, a data
    /// file or "the [estimate] query"), the line where it is known, and what is wrong.
    #[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Scenario {
        file: String,
        line: Option<usize>,
        message: String,
    },
    /// An option value detour does not know (`--format`, `stopping`, `draws`).
    #[error("{option} '{value}': expected {expected}")]
    BadOption {
        option: &'static str,
        value: String,
        expected: &'static str,
    },
    /// Reading or writing a file failed.
    #[error("{action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing a CSV file (or a CSV answer) failed.
    #[error("writing {what}")]
    Csv {
        what: String,
        #[source]
        source: csv::Error,
    },
    /// The store (opening it, or the scenario's `[estimate] sql`).
    #[error("{context}")]
    Store {
        context: String,
        #[source]
        source: detour_store::StoreError,
    },
    /// Reading a data file (the store's reader names the file, line and field).
    #[error("reading the data")]
    Data(#[from] detour_store::StoreError),
    /// The gravity estimation the scenario needs.
    #[error("{context}")]
    Estimation {
        context: String,
        #[source]
        source: detour_hdfe::Error,
    },
    /// The equilibrium solver.
    #[error("solving the equilibrium")]
    Solve(#[from] detour_ge::Error),
    /// A country group's membership.
    #[error("country groups")]
    Groups(#[from] detour_core::CoreError),
    /// The deadline passed (the server's request limit).
    #[error("simulation")]
    Expired(#[from] detour_core::Expired),
    /// One Monte Carlo draw asked for: it gives no interval.
    #[error("draws: 1 gives no interval; give 0 (none) or at least 2")]
    OneDraw,
    /// Too few Monte Carlo draws solved for an interval.
    #[error("Monte Carlo: {solved} of {draws} draws solved; an interval needs at least 2")]
    TooFewDraws { solved: usize, draws: usize },
    /// The estimated covariance cannot be factored, so no coefficients can be drawn.
    #[error("the coefficients' covariance is not positive definite; no Monte Carlo")]
    NotPositiveDefinite,
    /// Rendering JSON.
    #[error("rendering JSON")]
    Json(#[from] serde_json::Error),
}

/// detour-sim's results.
pub type Result<T, E = SimError> = std::result::Result<T, E>;

impl SimError {
    /// A reading or writing error on `path`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        SimError::Io {
            action,
            path: path.into(),
            source,
        }
    }
    /// A store error, with what was being done.
    pub(crate) fn store(
        context: impl Into<String>,
    ) -> impl FnOnce(detour_store::StoreError) -> Self {
        let context = context.into();
        move |source| SimError::Store { context, source }
    }
    /// An estimation error, with what was being estimated (the deadline becomes [`SimError::Expired`]).
    pub(crate) fn estimation(
        context: impl Into<String>,
    ) -> impl FnOnce(detour_hdfe::Error) -> Self {
        let context = context.into();
        move |source| match source {
            detour_hdfe::Error::Deadline => SimError::Expired(detour_core::Expired),
            source => SimError::Estimation { context, source },
        }
    }
}

/// A [`SimError::Scenario`]: `err!(file, line; "…", args)` or `err!(file; "…")` (no line).
macro_rules! err {
    ($file:expr, $line:expr; $($fmt:tt)+) => {
        $crate::error::SimError::Scenario {
            file: $file.to_string(),
            line: Some(*::std::borrow::Borrow::<usize>::borrow(&$line)),
            message: format!($($fmt)+),
        }
    };
    ($file:expr; $($fmt:tt)+) => {
        $crate::error::SimError::Scenario {
            file: $file.to_string(),
            line: None,
            message: format!($($fmt)+),
        }
    };
}

/// Return a [`SimError::Scenario`] (the arguments of [`err!`]).
macro_rules! fail {
    ($($t:tt)+) => {
        return Err($crate::error::err!($($t)+))
    };
}

pub(crate) use {err, fail};
