//! `detour ingest`: ingest a file into the store (atomic and idempotent).

use anyhow::{Context, Result, bail};
use detour_store::ingest::Format;
use detour_store::{IngestOptions, IngestOutcome, Store};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;

use crate::args::*;

pub fn run(args: IngestArgs, store: &Option<PathBuf>) -> Result<()> {
    let IngestArgs {
        file,
        format,
        source,
        skip_bad,
    } = args;
    let Some(dir) = store.clone() else {
        bail!("ingest needs --store DIR (the embedded default store is read-only)");
    };
    let format = Format::parse(&format)?;
    let size = std::fs::metadata(&file)
        .with_context(|| format!("reading {}", file.display()))?
        .len();
    let pb = ProgressBar::new(size);
    pb.set_style(
        ProgressStyle::with_template(
            "ingesting {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .expect("valid template"),
    );
    let opts = IngestOptions {
        format,
        source,
        skip_bad,
    };
    let outcome = Store::ingest(&dir, &file, &opts, &|b| pb.set_position(b));
    pb.finish_and_clear();
    match outcome? {
        IngestOutcome::Stored(e) => {
            outln!(
                "stored {} rows from {} ({}, source {}) sha256 {}",
                e.rows,
                e.file,
                e.format,
                e.source,
                e.sha256
            );
            let c = &e.coverage;
            outln!(
                "coverage: {} reporters, {} partners, {} .. {}",
                c.reporters.len(),
                c.partners.len(),
                c.first_period.as_deref().unwrap_or("-"),
                c.last_period.as_deref().unwrap_or("-")
            );
            if c.skipped_rows > 0 {
                outln!(
                    "skipped {} bad rows (--skip-bad); first ones:",
                    c.skipped_rows
                );
                for s in &c.skipped_examples {
                    outln!("  line {}: field '{}': {}", s.line, s.field, s.message);
                }
            }
            let mut reasons: Vec<_> = c.not_stored.iter().collect();
            reasons.sort();
            for (reason, n) in reasons {
                outln!("not stored by design: {n} rows ({reason})");
            }
        }
        IngestOutcome::AlreadyPresent(e) => {
            outln!(
                "already stored: {} (sha256 {}, ingested {}); nothing changed",
                e.file,
                e.sha256,
                e.ingested_at
            );
        }
    }
    Ok(())
}
