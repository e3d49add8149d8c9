//! `detour mirror`: the same flow as recorded by each side, with the gap and the CIF/FOB caveat.

use crate::output::{self, OutFormat};
use anyhow::Result;
use std::path::PathBuf;

use crate::args::*;
use crate::open_store;

pub fn run(args: TradeArgs, store: &Option<PathBuf>) -> Result<()> {
    let store = open_store(store)?;
    let m = detour_monitor::mirror(&store, &args.query()?)?;
    match args.format {
        OutFormat::Json => outln!("{}", serde_json::to_string_pretty(&m)?),
        _ => {
            out!("{}", output::trade_table(&m.reporter_view));
            match &m.partner_view {
                Some(p) => out!("{}", output::trade_table(p)),
                None => outln!("(no partner-side record loaded)"),
            }
            if let (Some(g), Some(pct)) = (m.gap, m.gap_pct) {
                outln!(
                    "gap (partner - reporter): {g:.0} {} ({pct:+.1}%)",
                    m.reporter_view.currency
                );
            }
            for n in &m.notes {
                outln!("note: {n}");
            }
        }
    }
    Ok(())
}
