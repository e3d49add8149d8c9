//! `detour`: measure, model and fact-check how sanctions reroute trade.
//!
//! The binary parses arguments, calls the library crates and prints; nothing
//! here computes anything a library user could not get from the crates.

/// `print!` that ends the process quietly when the reader of stdout has gone (`detour … | head`),
/// instead of panicking as `print!` does.
macro_rules! out {
    ($($t:tt)*) => {
        $crate::output::emit(&format!($($t)*))
    };
}

/// `println!`, the same way.
macro_rules! outln {
    () => {
        $crate::output::emit("\n")
    };
    ($($t:tt)*) => {
        $crate::output::emit(&format!("{}\n", format_args!($($t)*)))
    };
}

mod check;
mod estimate;
mod output;
mod report;
mod serve;
mod simulate;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use detour_core::country::Countries;
use detour_core::group::Groups;
use detour_core::money::EcbRates;
use detour_core::period::Period;
use detour_monitor::{Frequency, TradeQuery};
use detour_store::ingest::Format;
use detour_store::{IngestOptions, IngestOutcome, Store, default_store};
use output::OutFormat;

#[derive(Parser)]
#[command(
    name = "detour",
    version,
    about = "Measure, model and fact-check how sanctions reroute international trade"
)]
struct Cli {
    /// Store directory (default: the embedded default store, built on first use in the cache directory).
    #[arg(long, global = true, env = "DETOUR_STORE")]
    store: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Args)]
struct TradeArgs {
    /// A country, a comma-separated list, or a group valid at the period's end (EU27, CIS, EAEU, …).
    #[arg(long)]
    reporter: String,
    #[arg(long)]
    partner: String,
    /// exports, imports, turnover (exports + imports) or balance (exports - imports).
    #[arg(long, default_value = "exports")]
    flow: String,
    /// 2023, 2024-03, 2024-Q2, 2024-01..2024-10, ytd:2024-08, "first nine months of 2024", …
    #[arg(long)]
    period: String,
    /// Add the matched window one year earlier and the year-on-year change.
    #[arg(long)]
    yoy: bool,
    /// Convert with ECB reference rates (USD, EUR, …).
    #[arg(long)]
    currency: Option<String>,
    /// Whose statistics: auto (reporter's own, else the partner's mirror), reporter or partner.
    #[arg(long, default_value = "auto")]
    side: String,
    /// Goods instead of total trade: HS/CN codes or prefixes (`854231,8471`), `chpl` or `chpl:TIER`.
    #[arg(long)]
    commodity: Option<String>,
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    format: OutFormat,
}

impl TradeArgs {
    fn query(&self) -> Result<TradeQuery> {
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
enum Command {
    /// Summary of the store and a worked query (the default when no command is given).
    Summary,
    /// Ingest a file into the store (atomic and idempotent).
    Ingest {
        file: PathBuf,
        /// File format: eurostat-monthly, eurostat-yearly, comtrade, baci, imf, fcs, national, csv, parquet.
        #[arg(long)]
        format: String,
        /// Dataset name stored in flows.source (default: the format's source).
        #[arg(long)]
        source: Option<String>,
        /// Count and report bad rows instead of stopping at the first one.
        #[arg(long)]
        skip_bad: bool,
    },
    /// Run SQL over the store (tables: flows, countries, country_groups, sanctions_packages, fx_monthly, sources).
    ///
    /// Queries only (no CREATE, DROP, INSERT, COPY or SET): the store changes through `ingest`.
    Sql {
        query: String,
        #[arg(long, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
        /// Save the result to this file instead of printing it: .parquet or .csv (written whole
        /// or not at all; not inside the store).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// List ingested files with provenance and coverage.
    Sources {
        #[arg(long, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
    },
    /// Resolve a country code or name (any scheme, English or Russian).
    Country { query: String },
    /// Members of a group on a date (EU, EU27, CIS, EAEU, CSTO, CA5, SOUTH_CAUCASUS, G7, COALITION).
    Group {
        group: Option<String>,
        /// Date (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<String>,
    },
    /// Convert between currencies with ECB reference rates (monthly or annual average).
    Fx {
        value: f64,
        from: String,
        to: String,
        /// A month (2023-05) for the monthly average or a year (2023) for the annual average.
        period: String,
    },
    /// Parse a period and show its matched window one year earlier.
    Period { text: String },
    /// The level a year earlier implied by a level and its year-on-year growth ("$6.8bn, +29.1%").
    ImpliedBase {
        /// The level, in any unit.
        value: f64,
        /// Year-on-year growth in percent (negative for a fall).
        #[arg(allow_hyphen_values = true)]
        growth_pct: f64,
        /// The level's period: the base's matched window is named.
        #[arg(long)]
        period: Option<String>,
    },
    /// A bilateral or bloc trade figure for a period, with coverage, provenance and optional YoY.
    Trade(TradeArgs),
    /// The same flow as recorded by each side, with the gap and the CIF/FOB caveat.
    Mirror(TradeArgs),
    /// Whether a period's value is the highest or lowest of the same window in the loaded history.
    Records(TradeArgs),
    /// A monthly, quarterly or annual series over the period, with an SVG chart on request.
    Series {
        #[command(flatten)]
        args: TradeArgs,
        /// monthly, quarterly or annual.
        #[arg(long, default_value = "annual")]
        freq: String,
        /// Write a line chart to this file: PNG when it ends in .png, else SVG.
        #[arg(long)]
        chart: Option<PathBuf>,
    },
    /// How much of the senders' lost trade with the target reappears through conduit countries.
    Diversion {
        /// The sanctioned country.
        #[arg(long)]
        target: String,
        /// A country or group valid at the windows' dates (EU27, COALITION, …).
        #[arg(long)]
        senders: String,
        /// Comma-separated conduit countries.
        #[arg(long, value_delimiter = ',')]
        conduits: Vec<String>,
        /// Baseline window, e.g. 2019-01..2021-12.
        #[arg(long)]
        baseline: String,
        /// After window, e.g. 2022-03..2024-08.
        #[arg(long)]
        after: String,
        /// Write an index chart (baseline mean = 100, EU sanctions packages marked): PNG when the file ends in .png, else SVG.
        #[arg(long)]
        chart: Option<PathBuf>,
        /// Also analyse each member of the senders group (slower: two fits per member and partner).
        #[arg(long)]
        by_sender: bool,
        /// Also estimate a PPML gravity model with after-dummies on the member × partner × month panel.
        #[arg(long)]
        gravity: bool,
        /// The event month (YYYY-MM, e.g. 2022-02): must follow the baseline and not follow the after start.
        #[arg(long)]
        event: Option<String>,
        /// Read months without a record as zero trade (Comext publishes no zero rows); pairs with zero
        /// months are then fitted by PPML on levels. Off by default: a missing month is an incomplete window.
        #[arg(long)]
        missing_as_zero: bool,
        /// Product level instead of totals (needs HS-6 data, e.g. BACI): CHPL goods against other goods,
        /// a difference-in-differences and event study by year; `all` or CHPL tiers (`1,2,3A`).
        #[arg(long)]
        products: Option<String>,
        /// HS edition of the product data (2017, 2022, …); default: from the file names (BACI_HS17_…).
        #[arg(long)]
        hs_edition: Option<String>,
        #[arg(long, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
    },
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
    Share {
        #[command(flatten)]
        args: TradeArgs,
        /// The whole: WLD, EXTRA_EU27, a group, …
        #[arg(long, default_value = "WLD")]
        of: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn spinner(msg: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// The store the user named, or the embedded default (built on first use).
fn open_store(path: &Option<PathBuf>) -> Result<Store> {
    match path {
        Some(p) => Store::open(p).with_context(|| format!("opening store {}", p.display())),
        None => {
            let pb = ProgressBar::new(default_store::FILES.len() as u64);
            pb.set_style(
                ProgressStyle::with_template(
                    "building the default store {bar:20} {pos}/{len} {msg}",
                )
                .expect("valid template"),
            );
            let s = default_store::open(&|i, name| {
                pb.set_position(i as u64);
                pb.set_message(name.to_string());
            });
            pb.finish_and_clear();
            s.context("opening the embedded default store")
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command.unwrap_or(Command::Summary) {
        Command::Summary => summary(&open_store(&cli.store)?),
        Command::Diversion {
            target,
            senders,
            conduits,
            baseline,
            after,
            chart,
            by_sender,
            gravity,
            event,
            missing_as_zero,
            products,
            hs_edition,
            format,
        } => {
            let store = open_store(&cli.store)?;
            if let Some(tiers) = products {
                let (b, a) = (
                    Period::parse(&baseline).with_context(|| format!("--baseline '{baseline}'"))?,
                    Period::parse(&after).with_context(|| format!("--after '{after}'"))?,
                );
                let mut q = detour_diversion::product::ProductQuery::by_windows(
                    &senders, &target, &conduits, b, a, &tiers,
                );
                if let Some(e) = &hs_edition {
                    q.edition =
                        Some(detour_core::hs::HsEdition::parse(e).with_context(|| {
                            format!("--hs-edition '{e}': expected 2017, 2022, …")
                        })?);
                }
                let d = detour_diversion::product::product_did(&store, &q)?;
                out!("{}", product_output(&d, format)?);
                return Ok(());
            }
            let q = detour_diversion::Query {
                senders,
                target,
                conduits,
                baseline: Period::parse(&baseline)
                    .with_context(|| format!("--baseline '{baseline}'"))?,
                after: Period::parse(&after).with_context(|| format!("--after '{after}'"))?,
                by_sender,
                gravity,
                missing_as_zero,
                deadline: detour_core::Deadline::none(),
                event: match &event {
                    Some(e) => Some(
                        Period::parse(e)
                            .with_context(|| format!("--event '{e}'"))?
                            .start,
                    ),
                    None => None,
                },
            };
            let d = detour_diversion::diversion(&store, &q)?;
            if let Some(path) = &chart {
                detour_monitor::png::write_chart(path, &diversion_chart(&d))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            out!("{}", diversion_output(&d, format)?);
            Ok(())
        }
        Command::Simulate(args) => {
            out!("{}", detour_sim::run(&args.options())?);
            Ok(())
        }
        Command::Check(args) => {
            let store = cli.store.clone();
            out!("{}", check::check(&args, &|| open_store(&store))?);
            Ok(())
        }
        Command::Report(args) => {
            let store = open_store(&cli.store)?;
            summary(&store)?;
            outln!();
            let path = report::run(&args, &store)?;
            outln!("report written to {}", path.display());
            Ok(())
        }
        Command::Serve(args) => serve::open(&args, open_store(&cli.store)?),
        Command::Extract(args) => {
            out!("{}", check::extract(&args)?);
            Ok(())
        }
        Command::Estimate(args) => {
            let store = cli.store.clone();
            out!("{}", estimate::run(&args, &|| open_store(&store))?);
            Ok(())
        }
        Command::Ingest {
            file,
            format,
            source,
            skip_bad,
        } => {
            let Some(dir) = cli.store else {
                bail!("ingest needs --store DIR (the embedded default store is read-only)");
            };
            let format = Format::parse(&format)?;
            let size = std::fs::metadata(&file)
                .with_context(|| format!("reading {}", file.display()))?
                .len();
            let pb = ProgressBar::new(size);
            pb.set_style(
                ProgressStyle::with_template(
                    "ingesting {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .expect("valid template"),
            );
            let opts = IngestOptions {
                format,
                source,
                skip_bad,
            };
            let outcome = Store::ingest(&dir, &file, &opts, &|b| pb.set_position(b));
            pb.finish_and_clear();
            match outcome? {
                IngestOutcome::Stored(e) => {
                    outln!(
                        "stored {} rows from {} ({}, source {}) sha256 {}",
                        e.rows,
                        e.file,
                        e.format,
                        e.source,
                        e.sha256
                    );
                    let c = &e.coverage;
                    outln!(
                        "coverage: {} reporters, {} partners, {} .. {}",
                        c.reporters.len(),
                        c.partners.len(),
                        c.first_period.as_deref().unwrap_or("-"),
                        c.last_period.as_deref().unwrap_or("-")
                    );
                    if c.skipped_rows > 0 {
                        outln!(
                            "skipped {} bad rows (--skip-bad); first ones:",
                            c.skipped_rows
                        );
                        for s in &c.skipped_examples {
                            outln!("  line {}: field '{}': {}", s.line, s.field, s.message);
                        }
                    }
                    let mut reasons: Vec<_> = c.not_stored.iter().collect();
                    reasons.sort();
                    for (reason, n) in reasons {
                        outln!("not stored by design: {n} rows ({reason})");
                    }
                }
                IngestOutcome::AlreadyPresent(e) => {
                    outln!(
                        "already stored: {} (sha256 {}, ingested {}); nothing changed",
                        e.file,
                        e.sha256,
                        e.ingested_at
                    );
                }
            }
            Ok(())
        }
        Command::Sql { query, format, out } => {
            let store = open_store(&cli.store)?;
            let pb = spinner("running query");
            let batches = store.sql_blocking(&query);
            pb.finish_and_clear();
            let batches = batches?;
            match out {
                Some(path) => {
                    let rows = detour_store::export::write(&batches, &path, Some(store.dir()))?;
                    eprintln!("wrote {rows} rows to {}", path.display());
                    Ok(())
                }
                None => output::print_batches(&batches, format),
            }
        }
        Command::Sources { format } => {
            let store = open_store(&cli.store)?;
            match format {
                OutFormat::Json => {
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(&store.manifest().entries)?
                    );
                    Ok(())
                }
                _ => {
                    let batches = store.sql_blocking(
                        "SELECT source, format, file, rows, first_period, last_period, substr(sha256, 1, 16) AS sha256_prefix \
                         FROM sources ORDER BY file",
                    )?;
                    output::print_batches(&batches, format)?;
                    for e in &store.manifest().entries {
                        let c = &e.coverage;
                        outln!(
                            "{}: reporters {}; {} partners; flows {}; currency {}",
                            e.file,
                            c.reporters.iter().cloned().collect::<Vec<_>>().join(" "),
                            c.partners.len(),
                            c.flows.iter().cloned().collect::<Vec<_>>().join("/"),
                            c.currencies.iter().cloned().collect::<Vec<_>>().join("/"),
                        );
                    }
                    Ok(())
                }
            }
        }
        Command::Country { query } => {
            let a = Countries::global().resolve_any(&query)?;
            outln!("{}", serde_json::to_string_pretty(a)?);
            Ok(())
        }
        Command::Group { group, date } => {
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
        Command::Fx {
            value,
            from,
            to,
            period,
        } => {
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
        Command::Trade(args) => {
            let store = open_store(&cli.store)?;
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
        Command::Mirror(args) => {
            let store = open_store(&cli.store)?;
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
        Command::Records(args) => {
            let store = open_store(&cli.store)?;
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
        Command::Series { args, freq, chart } => {
            let store = open_store(&cli.store)?;
            let freq: Frequency = freq.parse()?;
            let s = detour_monitor::series(&store, &args.query()?, freq)?;
            if let Some(path) = chart {
                detour_monitor::png::write_chart(&path, &detour_monitor::chart::line_svg(&s))
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
        Command::Share { args, of } => {
            let store = open_store(&cli.store)?;
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
        Command::ImpliedBase {
            value,
            growth_pct,
            period,
        } => {
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
        Command::Period { text } => {
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
    }
}

/// The main job at this stage: what is loaded, and one worked question.
/// The index chart of a diversion analysis: every pair's months (both windows), baseline mean = 100, the EU's
/// sanctions packages against Russia marked where they fall inside the chart.
fn product_output(d: &detour_diversion::product::ProductDid, format: OutFormat) -> Result<String> {
    use std::fmt::Write as _;
    if let OutFormat::Json = format {
        return Ok(format!("{}\n", serde_json::to_string_pretty(d)?));
    }
    let mut s = String::new();
    let _ = writeln!(s, "{}", d.model);
    let _ = writeln!(
        s,
        "HS edition {}; {} products; {} observations; CHPL goods in the data: {}",
        d.edition,
        d.products,
        d.nobs,
        d.chpl_in_data.join(" ")
    );
    let _ = writeln!(
        s,
        "\n{:<30} {:>9} {:>9} {:>20} {:>9}",
        "term", "estimate", "s.e.", "95% CI", "effect"
    );
    for e in &d.effects {
        let _ = writeln!(
            s,
            "{:<30} {:>9.4} {:>9.4} {:>20} {:>8.1}%",
            e.name,
            e.estimate,
            e.std_error,
            format!("[{:.3}, {:.3}]", e.ci_low, e.ci_high),
            e.effect_pct
        );
    }
    let _ = writeln!(
        s,
        "\nevent study (reference: the last baseline year, or for monthly data the three months before the after window):"
    );
    for p in &d.event_study {
        let _ = writeln!(
            s,
            "  {:<7} {:<10} {:>8.4} [{:.3}, {:.3}]",
            p.period, p.destination, p.estimate, p.ci_low, p.ci_high
        );
    }
    let _ = writeln!(
        s,
        "\nsubstitution by CHPL product (yearly means, after against baseline):"
    );
    for x in &d.substitution {
        let _ = writeln!(
            s,
            "  {} (data {}): target {:+.1}, conduits {:+.1}, ratio {}",
            x.chpl,
            x.data_code,
            x.target_change,
            x.conduit_change,
            x.ratio
                .map(|r| format!("{r:.3}"))
                .unwrap_or_else(|| "–".into())
        );
    }
    let _ = writeln!(
        s,
        "\nplain growth, after against baseline (per-year means): CHPL goods / all goods of the panel / total goods"
    );
    let p = |x: Option<f64>| x.map(|v| format!("{v:+.1}%")).unwrap_or_else(|| "–".into());
    for g in &d.growth {
        let _ = writeln!(
            s,
            "  {:<10} {:>9} {:>9} {:>9}",
            g.destination,
            p(g.chpl_pct),
            p(g.panel_goods_pct),
            p(g.total_goods_pct)
        );
    }
    for m in d.chpl_matched.iter().filter(|m| m.how != "same code") {
        let _ = writeln!(
            s,
            "note: CHPL {} found as {} ({})",
            m.chpl, m.data_code, m.how
        );
    }
    for n in &d.notes {
        let _ = writeln!(s, "note: {n}");
    }
    Ok(s)
}

/// The EU sanctions packages adopted within `months` (`YYYY-MM`): (number, index of the month).
fn package_markers(months: &[String]) -> Vec<(String, usize)> {
    detour_core::group::sanctions_packages()
        .iter()
        .filter_map(|p| {
            let key = p.adopted.format("%Y-%m").to_string();
            months
                .iter()
                .position(|m| *m == key)
                .map(|i| (p.number.to_string(), i))
        })
        .collect()
}

fn diversion_chart(d: &detour_diversion::Diversion) -> String {
    let months: Vec<String> = d.pairs[0].index.iter().map(|(m, _)| m.clone()).collect();
    let lines: Vec<(String, Vec<Option<f64>>)> = d
        .pairs
        .iter()
        .map(|p| {
            let by: std::collections::HashMap<&str, f64> =
                p.index.iter().map(|(m, v)| (m.as_str(), *v)).collect();
            (
                format!("{} → {}", p.reporter, p.partner),
                months.iter().map(|m| by.get(m.as_str()).copied()).collect(),
            )
        })
        .collect();
    let markers = package_markers(&months);
    let footer = format!(
        "Index, mean of {} = 100; vertical lines: EU sanctions packages against Russia (number). Values: {}; detour diversion",
        d.baseline, d.currency
    );
    detour_monitor::chart::index_svg(
        &format!("{} exports to {} and the conduits", d.senders, d.target),
        &months,
        &lines,
        &markers,
        &footer,
    )
}

fn diversion_output(d: &detour_diversion::Diversion, format: OutFormat) -> Result<String> {
    use std::fmt::Write as _;
    match format {
        OutFormat::Json => Ok(format!("{}\n", serde_json::to_string_pretty(d)?)),
        OutFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "partner",
                "period",
                "actual",
                "counterfactual",
                "band_low",
                "band_high",
            ])?;
            for p in &d.pairs {
                for r in &p.after {
                    w.write_record([
                        p.partner.clone(),
                        r.period.clone(),
                        r.actual.to_string(),
                        r.counterfactual.to_string(),
                        r.band_low.to_string(),
                        r.band_high.to_string(),
                    ])?;
                }
            }
            Ok(String::from_utf8(w.into_inner()?)?)
        }
        OutFormat::Table => {
            let mut s = String::new();
            let b = 1e9;
            let _ = writeln!(
                s,
                "{} exports: shortfall to {} against its counterfactual, and excess to the conduits",
                d.senders, d.target
            );
            let _ = writeln!(
                s,
                "baseline {}, after {}; {} billion\n",
                d.baseline, d.after, d.currency
            );
            let _ = writeln!(
                s,
                "{:<8} {:>14} {:>14} {:>12}",
                "year", "shortfall", "conduit excess", "offset ratio"
            );
            for y in &d.by_year {
                let _ = writeln!(
                    s,
                    "{:<8} {:>14.2} {:>14.2} {:>12.3}",
                    y.year,
                    y.target_shortfall / b,
                    y.conduit_excess / b,
                    y.offset_ratio
                );
            }
            let _ = writeln!(
                s,
                "{:<8} {:>14.2} {:>14.2} {:>12.3}\n",
                "total",
                d.target_shortfall / b,
                d.conduit_excess / b,
                d.offset_ratio
            );
            let _ = writeln!(
                s,
                "{:<8} {:>14} {:>12} {:>10}",
                "conduit", "excess", "offset ratio", "trend/mo"
            );
            for (c, p) in d.by_conduit.iter().zip(&d.pairs[1..]) {
                let _ = writeln!(
                    s,
                    "{:<8} {:>14.2} {:>12.3} {:>9.2}%",
                    c.country,
                    c.excess / b,
                    c.offset_ratio,
                    p.fit.trend * 100.0
                );
            }
            let _ = writeln!(s, "\nconduit → target:");
            for c in &d.conduit_to_target {
                match c.excess {
                    Some(x) => {
                        let _ = writeln!(s, "  {:<6} excess {:.2} ({})", c.conduit, x / b, c.note);
                    }
                    None => {
                        let _ = writeln!(s, "  {:<6} {}", c.conduit, c.note);
                    }
                }
            }
            if let Some(g) = &d.gravity {
                let _ = writeln!(
                    s,
                    "\ngravity ({}; {} observations{})",
                    g.model,
                    g.nobs,
                    if g.converged { "" } else { ", NOT CONVERGED" }
                );
                if !g.collinear.is_empty() {
                    let _ = writeln!(
                        s,
                        "reference (dropped as collinear with the effects; the others are relative to it): {}",
                        g.collinear.join(", ")
                    );
                }
                for e in &g.effects {
                    let _ = writeln!(
                        s,
                        "{:<16} {:>9.4} ({:.4})  effect {:>7.1}%  95% CI [{:.3}, {:.3}]",
                        e.name, e.estimate, e.std_error, e.effect_pct, e.ci_low, e.ci_high
                    );
                }
            }
            if !d.by_sender.is_empty() {
                let _ = writeln!(s, "\nby sender country (largest conduit excess first)");
                let _ = writeln!(
                    s,
                    "{:<8} {:>14} {:>14} {:>12}",
                    "sender", "shortfall", "conduit excess", "offset ratio"
                );
                for x in &d.by_sender {
                    let _ = writeln!(
                        s,
                        "{:<8} {:>14.3} {:>14.3} {:>12.3}{}",
                        x.country,
                        x.target_shortfall / b,
                        x.conduit_excess / b,
                        x.offset_ratio,
                        if x.skipped.is_empty() {
                            String::new()
                        } else {
                            format!("  ({} pairs skipped)", x.skipped.len())
                        }
                    );
                }
            }
            if !d.mirror_summary.is_empty() {
                let _ = writeln!(
                    s,
                    "\nmirror gap (conduit's imports from the senders − senders' exports, % of the latter)"
                );
                let _ = writeln!(
                    s,
                    "{:<8} {:>10} {:>10} {:>10}",
                    "conduit", "baseline", "after", "change pp"
                );
                let f =
                    |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "n/a".into());
                for m in &d.mirror_summary {
                    let _ = writeln!(
                        s,
                        "{:<8} {:>10} {:>10} {:>10}",
                        m.conduit,
                        f(m.gap_pct_baseline),
                        f(m.gap_pct_after),
                        f(m.change_pp)
                    );
                }
                let _ = writeln!(s, "Note: {}", d.mirror_note);
            }
            let _ = writeln!(s, "\nMethod: {}.", d.method);
            Ok(s)
        }
    }
}

fn summary(store: &Store) -> Result<()> {
    outln!("detour store: {}", store.dir().display());
    outln!();
    let batches = store.sql_blocking(
        "SELECT source, file, rows, first_period, last_period FROM sources ORDER BY source, file",
    )?;
    output::print_batches(&batches, OutFormat::Table)?;
    outln!();
    outln!(
        "Worked query: EU27 exports to Russia and its neighbours, EUR million (Eurostat Comext, monthly file summed by year; YoY on the same months)"
    );
    let q = "WITH m AS ( \
               SELECT partner, year, month, SUM(value) AS v FROM flows \
               WHERE source = 'eurostat-comext' AND reporter = 'EU27' AND flow = 'export' AND month IS NOT NULL \
                 AND partner IN ('RUS','KAZ','KGZ','ARM','GEO','UZB') \
               GROUP BY partner, year, month), \
             cur AS (SELECT partner, year, SUM(v) AS v, COUNT(*) AS months, MAX(month) AS last_month \
                     FROM m GROUP BY partner, year), \
             prev AS (SELECT c.partner, c.year, SUM(m.v) AS v, COUNT(*) AS months FROM cur c \
                      JOIN m ON m.partner = c.partner AND m.year = c.year - 1 AND m.month <= c.last_month \
                      GROUP BY c.partner, c.year) \
             SELECT c.partner, c.year, c.months, ROUND(c.v / 1e6, 1) AS eur_million, \
                    ROUND(100 * (c.v / p.v - 1), 1) AS yoy_pct \
             FROM cur c LEFT JOIN prev p ON p.partner = c.partner AND p.year = c.year AND p.months = c.months \
             WHERE c.year >= 2021 ORDER BY c.partner, c.year";
    let batches = store.sql_blocking(q)?;
    output::print_batches(&batches, OutFormat::Table)?;
    outln!("(2024 covers January-August; its YoY compares it with January-August 2023.)");
    outln!();
    outln!(
        "Diversion: how much of the EU's lost exports to Russia reappear as extra exports to its neighbours"
    );
    outln!(
        "(`detour diversion --target RUS --senders EU27 --conduits ARM,GEO,KAZ,KGZ,UZB --baseline 2019-01..2021-12 --after 2022-03..2024-08`):"
    );
    let q = detour_diversion::Query::eu_russia_headline();
    let d = detour_diversion::diversion(store, &q)?;
    out!("{}", diversion_output(&d, OutFormat::Table)?);
    outln!();
    outln!(
        "Claims: the example article's trade figures checked against the data and official releases"
    );
    outln!(
        "(`detour check examples/sanctions_backfire_article.txt --date 2024-12-26`; add --html FILE for the annotated article):"
    );
    out!("{}", check::example_headline(store)?);
    Ok(())
}
