//! `detour share`: the partner's share of the reporter's trade with a reference partner (default WLD).

use crate::output::OutFormat;
use anyhow::Result;
use std::path::PathBuf;

use crate::args::*;
use crate::open_store;

pub fn run(args: ShareArgs, store: &Option<PathBuf>) -> Result<()> {
    let ShareArgs { args, of } = args;
    let store = open_store(store)?;
    let r = detour_monitor::share(&store, &args.query()?, &of)?;
    match args.format {
        OutFormat::Json => outln!("{}", serde_json::to_string_pretty(&r)?),
        _ => {
            outln!(
                "{} share of {}'s {:?} with {} in {}: {:.2}%",
                r.part.partner,
                r.part.reporter,
                r.part.flow,
                r.whole.partner,
                r.part.period,
                r.share_pct
            );
            if let (Some(p), Some(c)) = (r.previous_share_pct, r.change_pp) {
                outln!("  a year earlier: {p:.2}% ({c:+.2} percentage points)");
            }
        }
    }
    Ok(())
}
