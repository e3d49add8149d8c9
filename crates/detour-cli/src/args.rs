//! The command line: every command and its options (clap). Each command runs in its own module.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};
use detour_monitor::TradeQuery;

use crate::output::OutFormat;
use crate::{check, estimate, report, serve, simulate};

#[derive(Parser)]
#[command(
    name = "detour",
    version,
    about = "Measure, model and fact-check how sanctions reroute international trade"
)]
pub struct Cli {
    /// Store directory (default: the embedded default store, built on first use in the cache directory).
    #[arg(long, global = true, env = "DETOUR_STORE")]
    pub store: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(clap::Args)]
pub struct TradeArgs {
    /// A country, a comma-separated list, or a group valid at the period's end (EU27, CIS, EAEU, …).
    #[arg(long)]
    pub reporter: String,
    #[arg(long)]
    pub partner: String,
    /// exports, imports, turnover (exports + imports) or balance (exports - imports).
    #[arg(long, default_value = "exports")]
    pub flow: String,
    /// 2023, 2024-03, 2024-Q2, 2024-01..2024-10, ytd:2024-08, "first nine months of 2024", …
    #[arg(long)]
    pub period: String,
    /// Add the matched window one year earlier and the year-on-year change.
    #[arg(long)]
    pub yoy: bool,
    /// Convert with ECB reference rates (USD, EUR, …).
    #[arg(long)]
    pub currency: Option<String>,
    /// Whose statistics: auto (reporter's own, else the partner's mirror), reporter or partner.
    #[arg(long, default_value = "auto")]
    pub side: String,
    /// Goods instead of total trade: HS/CN codes or prefixes (`854231,8471`), `chpl` or `chpl:TIER`.
    #[arg(long)]
    pub commodity: Option<String>,
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
}

impl TradeArgs {
    pub fn query(&self) -> Result<TradeQuery> {
        Ok(detour_monitor::QueryText {
            reporter: &self.reporter,
            partner: &self.partner,
            flow: &self.flow,
            period: &self.period,
            side: &self.side,
            yoy: self.yoy,
            currency: self.currency.as_deref(),
            commodity: self.commodity.as_deref(),
        }
        .parse()?)
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Summary of the store and a worked query (the default when no command is given).
    Summary,
    /// Ingest a file into the store (atomic and idempotent).
    Ingest(IngestArgs),
    /// Run SQL over the store (tables: flows, countries, country_groups, sanctions_packages, fx_monthly, sources).
    ///
    /// Queries only (no CREATE, DROP, INSERT, COPY or SET): the store changes through `ingest`.
    Sql(SqlArgs),
    /// List ingested files with provenance and coverage.
    Sources(SourcesArgs),
    /// Resolve a country code or name (any scheme, English or Russian).
    Country(CountryArgs),
    /// Members of a group on a date (EU, EU27, CIS, EAEU, CSTO, CA5, SOUTH_CAUCASUS, G7, COALITION).
    Group(GroupArgs),
    /// Convert between currencies with ECB reference rates (monthly or annual average).
    Fx(FxArgs),
    /// Parse a period and show its matched window one year earlier.
    Period(PeriodArgs),
    /// The level a year earlier implied by a level and its year-on-year growth ("$6.8bn, +29.1%").
    ImpliedBase(ImpliedBaseArgs),
    /// A bilateral or bloc trade figure for a period, with coverage, provenance and optional YoY.
    Trade(TradeArgs),
    /// The same flow as recorded by each side, with the gap and the CIF/FOB caveat.
    Mirror(TradeArgs),
    /// Whether a period's value is the highest or lowest of the same window in the loaded history.
    Records(TradeArgs),
    /// A monthly, quarterly or annual series over the period, with an SVG chart on request.
    Series(SeriesArgs),
    /// How much of the senders' lost trade with the target reappears through conduit countries.
    Diversion(DiversionArgs),
    /// Poisson PML or OLS with high-dimensional fixed effects (fixest-style formula).
    Estimate(estimate::EstimateArgs),
    /// Find the trade claims in a text and check each against the data and the official releases.
    Check(check::CheckArgs),
    /// Write the main job as one self-contained HTML report (DIR/index.html).
    Report(report::ReportArgs),
    /// Serve the HTTP JSON API and the dashboard (loopback by default).
    Serve(serve::ServeArgs),
    /// Find the trade claims in a text and print their frames, without checking.
    Extract(check::ExtractArgs),
    /// General-equilibrium counterfactual from a scenario file (conditional and full-endowment effects).
    Simulate(simulate::SimulateArgs),
    /// The partner's share of the reporter's trade with a reference partner (default WLD).
    Share(ShareArgs),
}

/// Ingest a file into the store (atomic and idempotent).
#[derive(clap::Args)]
pub struct IngestArgs {
    pub file: PathBuf,
    /// File format: eurostat-monthly, eurostat-yearly, comtrade, baci, imf, fcs, national, csv, parquet.
    #[arg(long)]
    pub format: String,
    /// Dataset name stored in flows.source (default: the format's source).
    #[arg(long)]
    pub source: Option<String>,
    /// Count and report bad rows instead of stopping at the first one.
    #[arg(long)]
    pub skip_bad: bool,
}

/// Run SQL over the store (tables: flows, countries, country_groups, sanctions_packages, fx_monthly, sources).
///
/// Queries only (no CREATE, DROP, INSERT, COPY or SET): the store changes through `ingest`.
#[derive(clap::Args)]
pub struct SqlArgs {
    pub query: String,
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
    /// Save the result to this file instead of printing it: .parquet or .csv (written whole
    /// or not at all; not inside the store).
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

/// List ingested files with provenance and coverage.
#[derive(clap::Args)]
pub struct SourcesArgs {
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
}

/// Resolve a country code or name (any scheme, English or Russian).
#[derive(clap::Args)]
pub struct CountryArgs {
    pub query: String,
}

/// Members of a group on a date (EU, EU27, CIS, EAEU, CSTO, CA5, SOUTH_CAUCASUS, G7, COALITION).
#[derive(clap::Args)]
pub struct GroupArgs {
    pub group: Option<String>,
    /// Date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub date: Option<String>,
}

/// Convert between currencies with ECB reference rates (monthly or annual average).
#[derive(clap::Args)]
pub struct FxArgs {
    pub value: f64,
    pub from: String,
    pub to: String,
    /// A month (2023-05) for the monthly average or a year (2023) for the annual average.
    pub period: String,
}

/// Parse a period and show its matched window one year earlier.
#[derive(clap::Args)]
pub struct PeriodArgs {
    pub text: String,
}

/// The level a year earlier implied by a level and its year-on-year growth ("$6.8bn, +29.1%").
#[derive(clap::Args)]
pub struct ImpliedBaseArgs {
    /// The level, in any unit.
    pub value: f64,
    /// Year-on-year growth in percent (negative for a fall).
    #[arg(allow_hyphen_values = true)]
    pub growth_pct: f64,
    /// The level's period: the base's matched window is named.
    #[arg(long)]
    pub period: Option<String>,
}

/// A monthly, quarterly or annual series over the period, with an SVG chart on request.
#[derive(clap::Args)]
pub struct SeriesArgs {
    #[command(flatten)]
    pub args: TradeArgs,
    /// monthly, quarterly or annual.
    #[arg(long, default_value = "annual")]
    pub freq: String,
    /// Write a line chart to this file: PNG when it ends in .png, else SVG.
    #[arg(long)]
    pub chart: Option<PathBuf>,
}

/// How much of the senders' lost trade with the target reappears through conduit countries.
#[derive(clap::Args)]
pub struct DiversionArgs {
    /// The sanctioned country.
    #[arg(long)]
    pub target: String,
    /// A country or group valid at the windows' dates (EU27, COALITION, …).
    #[arg(long)]
    pub senders: String,
    /// Comma-separated conduit countries.
    #[arg(long, value_delimiter = ',')]
    pub conduits: Vec<String>,
    /// Baseline window, e.g. 2019-01..2021-12.
    #[arg(long)]
    pub baseline: String,
    /// After window, e.g. 2022-03..2024-08.
    #[arg(long)]
    pub after: String,
    /// Write an index chart (baseline mean = 100, EU sanctions packages marked): PNG when the file ends in .png, else SVG.
    #[arg(long)]
    pub chart: Option<PathBuf>,
    /// Also analyse each member of the senders group (slower: two fits per member and partner).
    #[arg(long)]
    pub by_sender: bool,
    /// Also estimate a PPML gravity model with after-dummies on the member × partner × month panel.
    #[arg(long)]
    pub gravity: bool,
    /// The event month (YYYY-MM, e.g. 2022-02): must follow the baseline and not follow the after start.
    #[arg(long)]
    pub event: Option<String>,
    /// Read months without a record as zero trade (Comext publishes no zero rows); pairs with zero
    /// months are then fitted by PPML on levels. Off by default: a missing month is an incomplete window.
    #[arg(long)]
    pub missing_as_zero: bool,
    /// Product level instead of totals (needs HS-6 data, e.g. BACI): CHPL goods against other goods,
    /// a difference-in-differences and event study by year; `all` or CHPL tiers (`1,2,3A`).
    #[arg(long)]
    pub products: Option<String>,
    /// HS edition of the product data (2017, 2022, …); default: from the file names (BACI_HS17_…).
    #[arg(long)]
    pub hs_edition: Option<String>,
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
}

/// The partner's share of the reporter's trade with a reference partner (default WLD).
#[derive(clap::Args)]
pub struct ShareArgs {
    #[command(flatten)]
    pub args: TradeArgs,
    /// The whole: WLD, EXTRA_EU27, a group, …
    #[arg(long, default_value = "WLD")]
    pub of: String,
}
