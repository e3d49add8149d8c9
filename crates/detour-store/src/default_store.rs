//! The embedded default store: real data shipped inside the binary.
//!
//! The source files (see `data/README.md` for sources and licences) are embedded
//! as bytes. On first use they are ingested, through the same code path as any
//! user file, into a store in the user's cache directory
//! (`$DETOUR_CACHE_DIR`, else `$XDG_CACHE_HOME/detour`, else `~/.cache/detour`),
//! named after a hash of the embedded bytes so that a new release builds afresh.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::ingest::Format;
use crate::{IngestOptions, Store};

/// (file name, format, bytes) of every embedded source file.
pub const FILES: &[(&str, Format, &[u8])] = &[
    (
        "eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv",
        Format::EurostatMonthly,
        include_bytes!("../../../data/trade/eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv"),
    ),
    (
        "eurostat_eu27_exports_by_partner_yearly_2010_2023.csv",
        Format::EurostatYearly,
        include_bytes!("../../../data/trade/eurostat_eu27_exports_by_partner_yearly_2010_2023.csv"),
    ),
    (
        "russia_fcs_monthly_top29_partners_2006_2021.csv",
        Format::Fcs,
        include_bytes!("../../../data/trade/russia_fcs_monthly_top29_partners_2006_2021.csv"),
    ),
    (
        "national_stats_imports_arm_kaz_kgz_uzb_yearly_2019_2023.csv",
        Format::National,
        include_bytes!(
            "../../../data/trade/national_stats_imports_arm_kaz_kgz_uzb_yearly_2019_2023.csv"
        ),
    ),
    (
        "national_stats_kaz_kgz_uzb_trade_by_country_yearly.csv.gz",
        Format::National,
        include_bytes!(
            "../../../data/trade/national_stats_kaz_kgz_uzb_trade_by_country_yearly.csv.gz"
        ),
    ),
    (
        "eurostat_comext_cn8_eu_member_exports_to_rus_neighbours_monthly_2020_2022.csv.gz",
        Format::EurostatMonthly,
        include_bytes!(
            "../../../data/trade/eurostat_comext_cn8_eu_member_exports_to_rus_neighbours_monthly_2020_2022.csv.gz"
        ),
    ),
    (
        "imf_imts_russia_by_partner_annual_2016_2024.csv.gz",
        Format::Imf,
        include_bytes!("../../../data/trade/imf_imts_russia_by_partner_annual_2016_2024.csv.gz"),
    ),
];

/// The cache directory: `$DETOUR_CACHE_DIR`, else `$XDG_CACHE_HOME/detour`, else
/// `~/.cache/detour`. With none of them set there is no private place to build in (a fixed
/// name in the shared temporary directory could be prepared by another user), so `None`.
fn cache_root() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("DETOUR_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("detour"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("detour"))
}

/// Bumped whenever the ingest of a shipped file changes what it stores, so that a store built by
/// an earlier detour is not reused.
const INGEST_REVISION: &str =
    "2026-12-01 national by partner (unallocated lines summed), IMF wide layout, CN8 products";

/// The reference tables names and codes are resolved with: a change to them changes the rows.
const RESOLUTION_TABLES: &[&[u8]] = &[
    include_bytes!("../../../data/reference/country_aliases.csv"),
    include_bytes!("../../../data/reference/country_codes.csv"),
    include_bytes!("../../../data/reference/country_groups.csv"),
];

/// Where the default store lives for this build: named after the embedded files, the tables that
/// resolve their names and the ingest revision. An error when no cache directory is known.
pub fn path() -> Result<PathBuf> {
    let mut h = Sha256::new();
    for (name, _, bytes) in FILES {
        h.update(name.as_bytes());
        h.update(bytes);
    }
    for t in RESOLUTION_TABLES {
        h.update(t);
    }
    h.update(INGEST_REVISION.as_bytes());
    let tag = format!("{:x}", h.finalize());
    let root = cache_root().ok_or_else(|| {
        StoreError::io(
            "the cache directory",
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "none of DETOUR_CACHE_DIR, XDG_CACHE_HOME or HOME is set; set one to say where the embedded data's store goes, or give --store",
            ),
        )
    })?;
    Ok(root.join(format!("default-{}", &tag[..12])))
}

/// Open the default store, building it first if needed. `on_file` is told each
/// file as it is ingested (for progress display).
pub fn open(on_file: &dyn Fn(usize, &str)) -> Result<Store> {
    let dir = path()?;
    let built = || {
        Store::open(&dir)
            .ok()
            .filter(|s| s.manifest().entries.len() == FILES.len())
    };
    if let Some(s) = built() {
        return Ok(s);
    }
    // One build per process at a time: threads that ask together (parallel tests, a server's
    // first requests) wait for the first, then find its store.
    static BUILDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = built() {
        return Ok(s);
    }
    build(&dir, on_file)?;
    Store::open(&dir)
}

fn build(dir: &Path, on_file: &dyn Fn(usize, &str)) -> Result<()> {
    let root = dir.parent().expect("cache path has a parent");
    std::fs::create_dir_all(root).map_err(|e| StoreError::io(root, e))?;
    let work = root.join(format!(".build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let result = (|| {
        let src = work.join("src");
        std::fs::create_dir_all(&src).map_err(|e| StoreError::io(&src, e))?;
        let store = work.join("store");
        for (i, (name, format, bytes)) in FILES.iter().enumerate() {
            on_file(i, name);
            let p = src.join(name);
            std::fs::write(&p, bytes).map_err(|e| StoreError::io(&p, e))?;
            Store::ingest(&store, &p, &IngestOptions::new(*format), &|_| {})?;
        }
        let _ = std::fs::remove_dir_all(dir);
        match std::fs::rename(&store, dir) {
            Ok(()) => Ok(()),
            // Another process finished first: its store is the same.
            Err(_) if Store::open(dir).is_ok() => Ok(()),
            Err(e) => Err(StoreError::io(dir, e)),
        }
    })();
    let _ = std::fs::remove_dir_all(&work);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded files build a store from nothing (what a fresh clone does on first use): every
    /// file ingests under the current rules (no repeated flow, every name resolved), none is left out.
    #[test]
    fn the_default_store_builds_from_scratch() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("store");
        build(&target, &|_, _| {}).unwrap();
        let s = Store::open(&target).unwrap();
        assert_eq!(s.manifest().entries.len(), FILES.len());
        // Kyrgyzstan's unallocated import lines of 2012 ("European Union (EU)", "Channel
        // Islands") are one X_OTHER flow
        let b = s
            .sql_blocking(
                "SELECT count(*) AS n, sum(value) AS v FROM flows WHERE reporter = 'KGZ' AND partner = 'X_OTHER' AND flow = 'import' AND year = 2012",
            )
            .unwrap();
        let n = b[0]
            .column(0)
            .as_any()
            .downcast_ref::<arrow_array::Int64Array>()
            .unwrap()
            .value(0);
        assert_eq!(n, 1);
    }
}
