//! `detour sources`: list ingested files with provenance and coverage.

use crate::output::{self, OutFormat};
use anyhow::Result;
use std::path::PathBuf;

use crate::args::*;
use crate::open_store;

pub fn run(args: SourcesArgs, store: &Option<PathBuf>) -> Result<()> {
    let SourcesArgs { format } = args;
    let store = open_store(store)?;
    match format {
        OutFormat::Json => {
            outln!(
                "{}",
                serde_json::to_string_pretty(&store.manifest().entries)?
            );
            Ok(())
        }
        _ => {
            let batches = store.sql_blocking(
                    "SELECT source, format, file, rows, first_period, last_period, substr(sha256, 1, 16) AS sha256_prefix \
                     FROM sources ORDER BY file",
                )?;
            output::print_batches(&batches, format)?;
            for e in &store.manifest().entries {
                let c = &e.coverage;
                outln!(
                    "{}: reporters {}; {} partners; flows {}; currency {}",
                    e.file,
                    c.reporters.iter().cloned().collect::<Vec<_>>().join(" "),
                    c.partners.len(),
                    c.flows.iter().cloned().collect::<Vec<_>>().join("/"),
                    c.currencies.iter().cloned().collect::<Vec<_>>().join("/"),
                );
            }
            Ok(())
        }
    }
}
