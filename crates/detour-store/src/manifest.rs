//! The manifest: one entry per ingested file, written atomically.

use std::path::Path;

use crate::error::{Result, StoreError};
use crate::ingest::Coverage;

/// File name of the manifest inside a store directory.
pub const MANIFEST: &str = "manifest.json";
/// Current manifest layout version.
pub const VERSION: u32 = 1;

/// One ingested file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// Dataset name stored in `flows.source`.
    pub source: String,
    /// Format it was read as.
    pub format: String,
    /// File name as given (no directories).
    pub file: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Bytes read.
    pub bytes: u64,
    /// Rows stored.
    pub rows: u64,
    /// Parquet file holding the rows, relative to the store.
    pub parquet: String,
    /// RFC 3339 UTC time of the ingest.
    pub ingested_at: String,
    /// What the file covers.
    pub coverage: Coverage,
}

/// The whole manifest.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub entries: Vec<Entry>,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            version: VERSION,
            entries: Vec::new(),
        }
    }
}

impl Manifest {
    pub fn load(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| StoreError::io(&path, e))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| StoreError::Manifest {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if m.version != VERSION {
            return Err(StoreError::Manifest {
                path,
                message: format!("layout version {} (this detour reads {VERSION})", m.version),
            });
        }
        Ok(m)
    }

    /// Write to `path` and fsync it (the caller renames it into place).
    pub fn write_to(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("manifest serialises");
        write_synced(path, text.as_bytes())
    }

    pub fn find_sha(&self, sha: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.sha256 == sha)
    }
}

pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::File::create(path).map_err(|e| StoreError::io(path, e))?;
    f.write_all(bytes).map_err(|e| StoreError::io(path, e))?;
    f.sync_all().map_err(|e| StoreError::io(path, e))
}
