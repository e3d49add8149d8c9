//! `detour group`: members of a group on a date (EU, EU27, CIS, EAEU, CSTO, CA5, SOUTH_CAUCASUS, G7, COALITION).

use anyhow::{Context, Result};
use detour_core::country::Countries;
use detour_core::group::Groups;
use std::path::PathBuf;

use crate::args::*;

pub fn run(args: GroupArgs, _store: &Option<PathBuf>) -> Result<()> {
    let GroupArgs { group, date } = args;
    let g = Groups::global();
    let Some(group) = group else {
        outln!("groups: {}", g.names().join(", "));
        return Ok(());
    };
    let date = match date {
        Some(d) => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .with_context(|| format!("date '{d}'"))?,
        None => chrono::Utc::now().date_naive(),
    };
    let code = group.to_ascii_uppercase();
    let members = g.members_on(&code, date)?;
    outln!("{code} on {date}: {} members", members.len());
    for m in &members {
        let row = g
            .rows()
            .iter()
            .find(|r| r.group == code && &r.iso3 == m && r.valid_on(date));
        let name = Countries::global()
            .get(m)
            .map(|a| a.name.as_str())
            .unwrap_or("");
        outln!(
            "  {m}  {name:<28} {}",
            row.map(|r| r.basis.as_str()).unwrap_or("")
        );
    }
    Ok(())
}
