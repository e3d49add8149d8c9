//! `detour trade`: a bilateral or bloc trade figure for a period, with coverage, provenance and optional YoY.

use crate::output::{self, OutFormat};
use anyhow::Result;
use std::path::PathBuf;

use crate::args::*;
use crate::open_store;

pub fn run(args: TradeArgs, store: &Option<PathBuf>) -> Result<()> {
    let store = open_store(store)?;
    let r = detour_monitor::trade(&store, &args.query()?)?;
    match args.format {
        OutFormat::Json => outln!("{}", serde_json::to_string_pretty(&r)?),
        OutFormat::Csv => {
            outln!(
                "reporter,partner,flow,period,value,currency,reporter_side,complete,previous_value,yoy_pct"
            );
            outln!(
                "{},{},{:?},{},{},{},{},{},{},{}",
                r.reporter,
                r.partner,
                r.flow,
                r.period,
                r.value,
                r.currency,
                r.reporter_side,
                r.complete,
                r.previous_value.map(|v| v.to_string()).unwrap_or_default(),
                r.yoy_pct.map(|v| format!("{v:.2}")).unwrap_or_default()
            );
        }
        OutFormat::Table => out!("{}", output::trade_table(&r)),
    }
    Ok(())
}
