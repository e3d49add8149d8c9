//! `detour fx`: convert between currencies with ECB reference rates (monthly or annual average).

use anyhow::{Result, bail};
use detour_core::money::EcbRates;
use detour_core::period::Period;
use std::path::PathBuf;

use crate::args::*;

pub fn run(args: FxArgs, _store: &Option<PathBuf>) -> Result<()> {
    let FxArgs {
        value,
        from,
        to,
        period,
    } = args;
    let p = Period::parse(&period)?;
    let rates = EcbRates::global();
    let c = if p.is_calendar_year() {
        rates.convert_annual(value, &from, &to, p.start.year)?
    } else if p.len_months() == 1 {
        rates.convert_monthly(value, &from, &to, p.start)?
    } else {
        bail!(
            "fx needs a month (2023-05) or a calendar year (2023), not {}",
            p.label()
        );
    };
    outln!("{}", serde_json::to_string_pretty(&c)?);
    Ok(())
}
