//! `detour implied-base`: the level a year earlier implied by a level and its year-on-year growth ("$6.8bn, +29.1%").

use anyhow::{Context, Result};
use detour_core::period::Period;
use std::path::PathBuf;

use crate::args::*;

pub fn run(args: ImpliedBaseArgs, _store: &Option<PathBuf>) -> Result<()> {
    let ImpliedBaseArgs {
        value,
        growth_pct,
        period,
    } = args;
    let base = detour_monitor::implied_base(value, growth_pct).with_context(|| {
        if value.is_finite() && growth_pct.is_finite() {
            format!("a growth of {growth_pct}% leaves no base")
        } else {
            format!("value {value} and growth {growth_pct}: expected finite numbers")
        }
    })?;
    let window = match &period {
        Some(p) => Some(Period::parse(p)?.matched_previous_year().label()),
        None => None,
    };
    outln!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "value": value,
            "growth_pct": growth_pct,
            "implied_base": base,
            "base_period": window,
            "formula": "value / (1 + growth_pct / 100)",
        }))?
    );
    Ok(())
}
