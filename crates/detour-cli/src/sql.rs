//! `detour sql`: run SQL over the store (tables: flows, countries, country_groups, sanctions_packages, fx_monthly, sources).

use crate::output::{self};
use anyhow::Result;
use std::path::PathBuf;

use crate::args::*;
use crate::{open_store, spinner};

pub fn run(args: SqlArgs, store: &Option<PathBuf>) -> Result<()> {
    let SqlArgs { query, format, out } = args;
    let store = open_store(store)?;
    let pb = spinner("running query");
    let batches = store.sql_blocking(&query);
    pb.finish_and_clear();
    let batches = batches?;
    match out {
        Some(path) => {
            let rows = detour_store::export::write(&batches, &path, Some(store.dir()))?;
            eprintln!("wrote {rows} rows to {}", path.display());
            Ok(())
        }
        None => output::print_batches(&batches, format),
    }
}
