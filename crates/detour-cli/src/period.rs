//! `detour period`: parse a period and show its matched window one year earlier.

use anyhow::Result;
use detour_core::period::Period;
use std::path::PathBuf;

use crate::args::*;

pub fn run(args: PeriodArgs, _store: &Option<PathBuf>) -> Result<()> {
    let PeriodArgs { text } = args;
    let p = Period::parse(&text)?;
    let prev = p.matched_previous_year();
    outln!(
        "{} = {} .. {} ({} months, {:?}); matched window one year earlier: {}",
        p.label(),
        p.start,
        p.end,
        p.len_months(),
        p.kind,
        prev.label()
    );
    Ok(())
}
