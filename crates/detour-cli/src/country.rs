//! `detour country`: resolve a country code or name (any scheme, English or Russian).

use anyhow::Result;
use detour_core::country::Countries;
use std::path::PathBuf;

use crate::args::*;

pub fn run(args: CountryArgs, _store: &Option<PathBuf>) -> Result<()> {
    let CountryArgs { query } = args;
    let a = Countries::global().resolve_any(&query)?;
    outln!("{}", serde_json::to_string_pretty(a)?);
    Ok(())
}
