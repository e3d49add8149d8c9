//! `detour records`: whether a period's value is the highest or lowest of the same window in the loaded history.

use crate::output::OutFormat;
use anyhow::Result;
use std::path::PathBuf;

use crate::args::*;
use crate::open_store;

pub fn run(args: TradeArgs, store: &Option<PathBuf>) -> Result<()> {
    let store = open_store(store)?;
    let r = detour_monitor::records(&store, &args.query()?)?;
    match args.format {
        OutFormat::Json => outln!("{}", serde_json::to_string_pretty(&r)?),
        _ => {
            outln!("{}: {:.0}", r.period, r.value);
            for (p, v) in &r.history {
                outln!("  {p:<18} {v:.0}");
            }
            if r.is_highest {
                outln!(
                    "the highest of the {} comparable windows loaded",
                    r.history.len() + 1
                );
            } else if let Some(s) = &r.highest_since {
                outln!("highest since {s}");
            }
            if r.is_lowest {
                outln!(
                    "the lowest of the {} comparable windows loaded",
                    r.history.len() + 1
                );
            } else if let Some(s) = &r.lowest_since {
                outln!("lowest since {s}");
            }
        }
    }
    Ok(())
}
