//! # detour-store: the embedded trade store
//!
//! A store is a directory:
//!
//! ```text
//! STORE/manifest.json          one entry per ingested file: source, format, SHA-256, rows, coverage, time
//! STORE/flows/<id>.parquet     the rows of that file in the canonical long table `flows`
//! STORE/.lock                  advisory lock held while an ingest runs
//! ```
//!
//! SQL runs over it through Apache DataFusion; besides `flows` the session has
//! the reference tables `countries`, `country_groups`, `sanctions_packages`,
//! `fx_monthly` and `sources` (the manifest as a table).
//!
//! **Atomic, idempotent ingest.** A file is parsed and validated while it is
//! written to a staging Parquet file; only when the whole file is good is the
//! Parquet file moved into `flows/` and the new manifest renamed over the old
//! one. The manifest rename is the commit: a crash at any point before it leaves
//! the old manifest, which names only the old files, so the store reads exactly
//! as before (a half-moved Parquet file is not named by the manifest, is never
//! read, and is removed by the next successful ingest). A file whose SHA-256 is
//! already in the manifest is not stored again. Ingesting into a directory that
//! does not exist builds the whole store aside and renames it into place, so a
//! failed first ingest creates nothing.
//!
//! ```no_run
//! use detour_store::{Store, ingest::Format, IngestOptions};
//! let dir = std::path::Path::new("/tmp/my-store");
//! Store::ingest(dir, "comtrade.csv".as_ref(), &IngestOptions::new(Format::Comtrade), &|_| {}).unwrap();
//! let store = Store::open(dir).unwrap();
//! let batches = store.sql_blocking("SELECT reporter, SUM(value) FROM flows GROUP BY reporter").unwrap();
//! ```

pub mod default_store;
pub mod error;
pub mod export;
pub mod frame;
pub mod ingest;
pub mod manifest;
pub mod prefix;
mod reference;
pub mod schema;

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::{SessionConfig, SessionContext};
use sha2::{Digest, Sha256};

pub use error::{Result, StoreError};
use ingest::{Format, Sink};
use manifest::{Entry, MANIFEST, Manifest};

/// Environment variable naming a failure point, for crash-safety tests:
/// `after-parquet` (staging file written) or `before-manifest` (Parquet moved into
/// `flows/`, manifest not yet renamed). The process aborts there, as a crash would.
pub const FAILPOINT_ENV: &str = "DETOUR_FAILPOINT";

/// Options of one ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub format: Format,
    /// Dataset name for `flows.source`; the format's default when `None`.
    pub source: Option<String>,
    /// Count and report bad rows instead of stopping at the first.
    pub skip_bad: bool,
}

impl IngestOptions {
    pub fn new(format: Format) -> IngestOptions {
        IngestOptions {
            format,
            source: None,
            skip_bad: false,
        }
    }
}

/// What an ingest did.
#[derive(Debug, Clone)]
pub enum IngestOutcome {
    /// The file was stored.
    Stored(Entry),
    /// A file with the same SHA-256 was already in the store; nothing changed.
    AlreadyPresent(Entry),
}

/// An opened store.
#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
    manifest: Manifest,
    /// The query session, built on first use: a store is read-only once opened (ingest writes a
    /// new manifest that a later `open` sees), so one session serves every query.
    session: std::sync::OnceLock<SessionContext>,
}

fn failpoint(name: &str) {
    if std::env::var(FAILPOINT_ENV).is_ok_and(|v| v == name) {
        eprintln!("detour: failpoint '{name}' reached, aborting");
        std::process::abort();
    }
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| StoreError::io(path, e))?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((format!("{:x}", h.finalize()), n))
}

fn sync_dir(dir: &Path) {
    // Directory fsync makes renames durable; not every platform allows it, and the
    // rename is still atomic without it, so a failure here is not an error.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("manifest", &self.manifest)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Open an existing store.
    pub fn open(dir: &Path) -> Result<Store> {
        clean_stale(dir);
        if !dir.join(MANIFEST).is_file() {
            return Err(StoreError::NotAStore {
                path: dir.to_path_buf(),
                reason: format!("no {MANIFEST}"),
            });
        }
        Ok(Store {
            dir: dir.to_path_buf(),
            manifest: Manifest::load(dir)?,
            session: std::sync::OnceLock::new(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Ingest `file` into the store at `dir` (created if it does not exist).
    /// `progress` is called with the bytes of the file read so far.
    pub fn ingest(
        dir: &Path,
        file: &Path,
        opts: &IngestOptions,
        progress: &dyn Fn(u64),
    ) -> Result<IngestOutcome> {
        let (sha, bytes) = sha256_file(file)?;
        let exists = dir.exists();
        if exists {
            let store = Store::open(dir)?;
            let lock_path = dir.join(".lock");
            let lock = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)
                .map_err(|e| StoreError::io(&lock_path, e))?;
            lock.lock().map_err(|e| StoreError::io(&lock_path, e))?;
            // Re-read under the lock: another ingest may have committed meanwhile.
            let manifest = Manifest::load(dir)?;
            if let Some(e) = manifest.find_sha(&sha) {
                return Ok(IngestOutcome::AlreadyPresent(e.clone()));
            }
            let staging = dir.join(format!(".staging-{}", std::process::id()));
            let result =
                Self::stage_and_commit(dir, &staging, file, &sha, bytes, opts, manifest, progress);
            let _ = fs::remove_dir_all(&staging);
            drop(lock);
            drop(store);
            result.map(IngestOutcome::Stored)
        } else {
            let parent = dir
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !parent.is_dir() {
                return Err(StoreError::NotAStore {
                    path: dir.to_path_buf(),
                    reason: format!("parent directory {} does not exist", parent.display()),
                });
            }
            clean_stale(dir);
            let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("store");
            let building = parent.join(format!(".{name}.creating-{}", std::process::id()));
            let _ = fs::remove_dir_all(&building);
            let result = (|| {
                fs::create_dir_all(building.join("flows"))
                    .map_err(|e| StoreError::io(&building, e))?;
                File::create(building.join(".lock")).map_err(|e| StoreError::io(&building, e))?;
                Manifest::default().write_to(&building.join(MANIFEST))?;
                let staging = building.join(".staging");
                let entry = Self::stage_and_commit(
                    &building,
                    &staging,
                    file,
                    &sha,
                    bytes,
                    opts,
                    Manifest::default(),
                    progress,
                )?;
                let _ = fs::remove_dir_all(&staging);
                fs::rename(&building, dir).map_err(|e| StoreError::io(dir, e))?;
                sync_dir(parent);
                Ok(entry)
            })();
            if result.is_err() {
                let _ = fs::remove_dir_all(&building);
            }
            result.map(IngestOutcome::Stored)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn stage_and_commit(
        dir: &Path,
        staging: &Path,
        file: &Path,
        sha: &str,
        bytes: u64,
        opts: &IngestOptions,
        mut manifest: Manifest,
        progress: &dyn Fn(u64),
    ) -> Result<Entry> {
        let _ = fs::remove_dir_all(staging);
        fs::create_dir_all(staging).map_err(|e| StoreError::io(staging, e))?;
        let file_name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("input")
            .to_string();
        let source = opts
            .source
            .clone()
            .unwrap_or_else(|| opts.format.default_source().to_string());
        let parquet_name = format!("{}.parquet", &sha[..16]);
        let staged = staging.join(&parquet_name);
        let out = File::create(&staged).map_err(|e| StoreError::io(&staged, e))?;
        let mut sink = Sink::new(
            &file.display().to_string(),
            &source,
            sha,
            out,
            opts.skip_bad,
        )?;
        ingest::parse(opts.format, file, &mut sink, progress)?;
        progress(bytes);
        let coverage = sink.finish()?;
        File::open(&staged)
            .and_then(|f| f.sync_all())
            .map_err(|e| StoreError::io(&staged, e))?;
        failpoint("after-parquet");
        let entry = Entry {
            source,
            format: opts.format.name().to_string(),
            file: file_name,
            sha256: sha.to_string(),
            bytes,
            rows: coverage.rows,
            parquet: format!("flows/{parquet_name}"),
            ingested_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            coverage,
        };
        let live: Vec<String> = manifest.entries.iter().map(|e| e.parquet.clone()).collect();
        manifest.entries.push(entry.clone());
        let staged_manifest = staging.join(MANIFEST);
        manifest.write_to(&staged_manifest)?;
        let target = dir.join(&entry.parquet);
        fs::create_dir_all(dir.join("flows")).map_err(|e| StoreError::io(dir, e))?;
        fs::rename(&staged, &target).map_err(|e| StoreError::io(&target, e))?;
        failpoint("before-manifest");
        fs::rename(&staged_manifest, dir.join(MANIFEST))
            .map_err(|e| StoreError::io(dir.join(MANIFEST), e))?;
        sync_dir(dir);
        // Committed. Under the lock no other ingest runs, so other staging directories and
        // Parquet files the manifest does not name are leftovers of a crash: remove them.
        if let Ok(rd) = fs::read_dir(dir) {
            for f in rd.flatten() {
                if f.file_name().to_string_lossy().starts_with(".staging") && f.path() != staging {
                    let _ = fs::remove_dir_all(f.path());
                }
            }
        }
        if let Ok(rd) = fs::read_dir(dir.join("flows")) {
            for f in rd.flatten() {
                let rel = format!("flows/{}", f.file_name().to_string_lossy());
                if rel != entry.parquet && !live.contains(&rel) {
                    let _ = fs::remove_file(f.path());
                }
            }
        }
        Ok(entry)
    }

    /// A DataFusion session with `flows` and the reference tables registered (built once per store).
    pub fn session(&self) -> Result<SessionContext> {
        if let Some(ctx) = self.session.get() {
            return Ok(ctx.clone());
        }
        let ctx = self.new_session()?;
        Ok(self.session.get_or_init(|| ctx).clone())
    }

    fn new_session(&self) -> Result<SessionContext> {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let mut cfg = SessionConfig::new()
            .with_target_partitions(threads)
            .with_information_schema(true);
        // Evaluate filters while decoding Parquet (late materialisation): selective queries
        // such as one partner's trade then skip most of the other columns' pages.
        cfg.options_mut().execution.parquet.pushdown_filters = true;
        cfg.options_mut().execution.parquet.reorder_filters = true;
        let ctx = SessionContext::new_with_config(cfg);
        ctx.add_optimizer_rule(Arc::new(prefix::PrefixRule));
        let schema = schema::flows_schema();
        if self.manifest.entries.is_empty() {
            let empty = MemTable::try_new(schema, vec![vec![]])?;
            ctx.register_table("flows", Arc::new(empty))?;
        } else {
            let urls = self
                .manifest
                .entries
                .iter()
                .map(|e| {
                    let p = self.dir.join(&e.parquet);
                    let abs = std::path::absolute(&p).map_err(|err| StoreError::io(&p, err))?;
                    ListingTableUrl::parse(abs.to_string_lossy()).map_err(StoreError::from)
                })
                .collect::<Result<Vec<_>>>()?;
            let opts = ListingOptions::new(Arc::new(ParquetFormat::default()))
                .with_file_extension(".parquet");
            let config = ListingTableConfig::new_with_multi_paths(urls)
                .with_listing_options(opts)
                .with_schema(schema::view_schema(&schema));
            ctx.register_table("flows", Arc::new(ListingTable::try_new(config)?))?;
        }
        reference::register_all(&ctx, &self.manifest)?;
        Ok(ctx)
    }

    /// Run one SQL query and collect the result. Queries only: statements that would define,
    /// change or write anything (`CREATE`, `DROP`, `INSERT`, `COPY … TO`, `SET`, …) are refused,
    /// so that the store's session and files stay as they are; writing goes through ingestion,
    /// and a result is saved with [`export::write`].
    pub async fn sql(&self, query: &str) -> Result<Vec<RecordBatch>> {
        let ctx = self.session()?;
        let read_only = datafusion::execution::context::SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        let df = ctx
            .sql_with_options(query, read_only)
            .await
            .map_err(|e| match e {
                datafusion::error::DataFusionError::Plan(m) if m.contains("not supported") => {
                    StoreError::ReadOnly(m)
                }
                e => StoreError::from(e),
            })?;
        Ok(df.collect().await?)
    }

    /// [`Store::sql`] for callers without a runtime: on one runtime shared by the process
    /// (built on first use), so that many small queries — a server's — do not each start threads.
    pub fn sql_blocking(&self, query: &str) -> Result<Vec<RecordBatch>> {
        static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
        let rt = match RT.get() {
            Some(rt) => rt,
            None => {
                let built = runtime()?;
                RT.get_or_init(|| built)
            }
        };
        rt.block_on(self.sql(query))
    }
}

/// Remove what an ingest killed midway left behind: `.NAME.creating-PID` beside the store and
/// `.staging-PID` inside it, where process PID no longer runs. (Only where running processes can
/// be told, under `/proc`; elsewhere they stay.)
fn clean_stale(dir: &Path) {
    let proc_fs = Path::new("/proc/self");
    if !proc_fs.exists() {
        return;
    }
    let dead = |pid: &str| {
        pid.parse::<u32>().is_ok_and(|p| {
            p != std::process::id() && !Path::new("/proc").join(p.to_string()).exists()
        })
    };
    let sweep = |in_dir: &Path, prefix: &str| {
        let Ok(entries) = fs::read_dir(in_dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
                continue;
            };
            if dead(pid) && e.file_type().is_ok_and(|t| t.is_dir()) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    };
    if let Some(name) = dir.file_name().and_then(|n| n.to_str()) {
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        sweep(parent, &format!(".{name}.creating-"));
    }
    sweep(dir, ".staging-");
}

/// A multi-threaded Tokio runtime for blocking callers.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::io("tokio runtime", e))
}
