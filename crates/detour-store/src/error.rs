//! The one error type of detour-store.

use std::path::PathBuf;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row of an input file that cannot be stored. Nothing was written.
    #[error("{file}:{line}: field '{field}': {}", clip(message))]
    BadRow {
        file: String,
        line: u64,
        field: String,
        message: String,
    },
    /// An input file whose header does not match the format.
    #[error("{file}: not a {format} file: {}", clip(message))]
    BadHeader {
        file: String,
        format: String,
        message: String,
    },
    /// A file with nothing to store (a header only, or every row skipped or not stored).
    #[error("{file}: no rows stored: {message}")]
    NoRows { file: String, message: String },
    /// A statement that would change the store or its session (SQL is read-only).
    #[error(
        "the store's SQL is read-only: {0}; save a result with `detour sql … --out FILE.parquet|csv`, add data with `detour ingest`"
    )]
    ReadOnly(String),
    /// A format name that detour does not know.
    #[error("unknown format '{0}' (known: {known})", known = crate::ingest::Format::NAMES.join(", "))]
    UnknownFormat(String),
    /// A directory that is not a detour store.
    #[error("{path}: not a detour store ({reason})")]
    NotAStore { path: PathBuf, reason: String },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The manifest is unreadable.
    #[error("{path}: corrupt manifest: {message}")]
    Manifest { path: PathBuf, message: String },
    /// Writing Parquet failed.
    #[error("writing Parquet {path}: {message}")]
    Parquet { path: PathBuf, message: String },
    /// A column the caller asked for that the file lacks.
    #[error("{file}: no column '{name}' (columns: {columns})")]
    NoColumn {
        file: String,
        name: String,
        columns: String,
    },
    /// The query engine reported an error (SQL syntax, unknown column, …).
    #[error("query: {0}")]
    Query(String),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<datafusion::error::DataFusionError> for StoreError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        StoreError::Query(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Longest message shown whole: one naming a field of megabytes keeps its start and its end
/// (where the reason is) and says how much was left out.
const CLIP: usize = 200;

pub(crate) fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    let n = s.chars().count();
    if n <= CLIP {
        return std::borrow::Cow::Borrowed(s);
    }
    let (head, tail) = (CLIP * 3 / 4, CLIP / 4);
    let head_end = s.char_indices().nth(head).map_or(s.len(), |(i, _)| i);
    let tail_start = s.char_indices().nth(n - tail).map_or(s.len(), |(i, _)| i);
    std::borrow::Cow::Owned(format!(
        "{}…[{} characters left out]…{}",
        &s[..head_end],
        n - head - tail,
        &s[tail_start..]
    ))
}
