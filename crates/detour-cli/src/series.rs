//! `detour series`: a monthly, quarterly or annual series over the period, with an SVG chart on request.

use crate::output::OutFormat;
use anyhow::{Context, Result};
use detour_monitor::Frequency;
use std::path::PathBuf;

use crate::args::*;
use crate::open_store;

pub fn run(args: SeriesArgs, store: &Option<PathBuf>) -> Result<()> {
    let SeriesArgs { args, freq, chart } = args;
    let store = open_store(store)?;
    let freq: Frequency = freq.parse()?;
    let s = detour_monitor::series(&store, &args.query()?, freq)?;
    if let Some(path) = chart {
        detour_charts::png::write_chart(&path, &detour_monitor::chart::line_svg(&s))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("chart written to {}", path.display());
    }
    match args.format {
        OutFormat::Json => outln!("{}", serde_json::to_string_pretty(&s)?),
        _ => {
            if matches!(args.format, OutFormat::Csv) {
                outln!("period,value,complete");
            }
            for p in &s.points {
                let v = p.value.map(|v| format!("{v:.0}")).unwrap_or_default();
                match args.format {
                    OutFormat::Csv => outln!("{},{v},{}", p.period, p.complete),
                    _ => outln!(
                        "{:<10} {v:>18} {}",
                        p.period,
                        if p.complete { "" } else { "incomplete" }
                    ),
                }
            }
        }
    }
    Ok(())
}
