//! # detour-monitor: the trade figures reports quote, computed right
//!
//! A [`TradeQuery`] names a reporter and a partner (a country, a list, or a group
//! valid at the period's end date), a flow (exports, imports, turnover = exports +
//! imports, balance = exports − imports), a [`Period`], and optionally a currency.
//! [`trade`] answers with the value, whose statistics it comes from, whether the
//! period is completely covered, the files it used, and, on request, the matched
//! window one year earlier with the year-on-year change.
//!
//! **Choosing the data.** For each reporter–partner pair and flow, detour looks
//! for one file that covers the whole period: monthly rows for every month of the
//! period first, else annual rows when the period is made of whole calendar years.
//! One file per pair is used, never a mix, so that a monthly and an annual extract of
//! the same statistics are not added together. A group that reports as a whole
//! (Eurostat's `EU27`) is used as such; another group is summed over its members.
//!
//! **Reporter side.** By default the figure comes from the reporter's own
//! statistics (its exports to, or imports from, the partner). Where the reporter has
//! no data, the partner's mirror record is used (the partner's imports from, or
//! exports to, the reporter) and the result says so; `Side::Partner` asks for the
//! mirror explicitly.
//!
//! **Coverage honesty.** A period with missing months is reported as incomplete
//! with the missing months listed; group members without data are listed; nothing
//! is silently summed over gaps.
//!
//! **Year-on-year.** Growth compares the period with the same months one year
//! earlier ([`Period::matched_previous_year`]), computed by the same rules; it is
//! reported only when both windows are complete.
//!
//! ```no_run
//! use detour_monitor::{trade, FlowKind, Side, TradeQuery};
//! use detour_core::period::Period;
//! let store = detour_store::default_store::open(&|_, _| {}).unwrap();
//! let q = TradeQuery::new("EU27", "KGZ", FlowKind::Exports, Period::parse("ytd:2024-08").unwrap());
//! let r = trade(&store, &q.with_yoy(true)).unwrap();
//! println!("{} {} ({:?}%)", r.value, r.currency, r.yoy_pct);
//! ```

pub mod chart;
mod select;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use detour_core::country::Countries;
use detour_core::group::Groups;
use detour_core::money::{EcbRates, RateBasis};
use detour_core::period::{Month, Period};
use detour_store::Store;

pub use select::Series;

/// Errors of the monitor.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error(transparent)]
    Core(#[from] detour_core::CoreError),
    #[error(transparent)]
    Store(#[from] detour_store::StoreError),
    /// A `--commodity` selection that names no goods.
    #[error("--commodity {0}")]
    BadCommodity(String),
    /// The store has no rows for this question at all.
    #[error("no data for {what}: {detail}")]
    NoData { what: String, detail: String },
    /// Rows in several currencies that cannot be summed without conversion.
    #[error(
        "the data for {what} is in several currencies ({currencies}); give --currency to convert"
    )]
    MixedCurrencies { what: String, currencies: String },
    /// An option value that is not one of those known (`flow`, `side`).
    #[error("--{option} '{value}': expected {expected}")]
    BadOption {
        option: &'static str,
        value: String,
        expected: &'static str,
    },
}

pub type Result<T, E = MonitorError> = std::result::Result<T, E>;

/// What to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    Exports,
    Imports,
    /// Exports + imports.
    Turnover,
    /// Exports − imports.
    Balance,
}

impl FlowKind {
    pub fn parse(s: &str) -> Option<FlowKind> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "exports" | "export" | "x" => FlowKind::Exports,
            "imports" | "import" | "m" => FlowKind::Imports,
            "turnover" | "trade" | "total" => FlowKind::Turnover,
            "balance" => FlowKind::Balance,
            _ => return None,
        })
    }
}

/// Whose statistics to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The reporter's own statistics where they exist, else the partner's mirror.
    Auto,
    Reporter,
    Partner,
}

/// A trade question.
#[derive(Debug, Clone)]
pub struct TradeQuery {
    pub reporter: String,
    pub partner: String,
    pub flow: FlowKind,
    pub period: Period,
    pub side: Side,
    pub yoy: bool,
    /// Convert to this currency with ECB rates (monthly data at monthly averages, annual data at annual averages).
    pub currency: Option<String>,
    /// Between equally complete files, take the one published in this currency (no conversion;
    /// `currency`, when given, comes first). The mirror sets it to the other side's currency.
    pub prefer_currency: Option<String>,
    /// Goods instead of total trade: the sum over these products (see [`Commodity::parse`]).
    pub commodity: Option<Commodity>,
}

/// A selection of goods: HS/CN codes or prefixes, or the CHPL. Summed at the finest level a file
/// has (CN8 rows, else HS-6 rows), never with a heading's own rows, so no good counts twice; CN8
/// rolls up to HS-6 by its first six digits. The HS edition belongs to the period: to 2021 the
/// CHPL is looked for in HS 2017 codes (the codes HS 2022 created through their HS 2017
/// predecessors, partial matches), from 2022 in HS 2022 codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Commodity {
    /// What was summed, for people.
    pub label: String,
    /// Code prefixes for periods up to 2021 (HS 2017 terms) and from 2022 (HS 2022 terms).
    pub before_2022: Vec<String>,
    pub from_2022: Vec<String>,
}

impl Commodity {
    /// `8542,847150` (codes or prefixes of 2 to 8 digits), `chpl` or `chpl:TIER[,TIER]`.
    pub fn parse(spec: &str) -> Result<Commodity> {
        let spec = spec.trim();
        let lower = spec.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("chpl") {
            let tiers: Vec<String> = rest
                .trim_start_matches(':')
                .split(',')
                .map(|t| t.trim().to_ascii_uppercase())
                .filter(|t| !t.is_empty())
                .collect();
            let t: Vec<&str> = tiers.iter().map(String::as_str).collect();
            let (old, _) = detour_core::hs::chpl_in_edition(&t, detour_core::hs::HsEdition::Hs2017);
            let (new, _) = detour_core::hs::chpl_in_edition(&t, detour_core::hs::HsEdition::Hs2022);
            if new.is_empty() {
                return Err(MonitorError::BadCommodity(format!(
                    "'{spec}': no CHPL tier {}",
                    tiers.join(",")
                )));
            }
            let mut before: Vec<String> = old.iter().map(|m| m.data_code.clone()).collect();
            before.sort();
            before.dedup();
            let from: Vec<String> = new.iter().map(|m| m.data_code.clone()).collect();
            return Ok(Commodity {
                label: format!(
                    "CHPL{} ({} HS-6 codes; to 2021 in HS 2017 codes, the six created in 2022 through their HS 2017 predecessors, partial matches)",
                    if tiers.is_empty() {
                        String::new()
                    } else {
                        format!(" tiers {}", tiers.join(","))
                    },
                    from.len()
                ),
                before_2022: before,
                from_2022: from,
            });
        }
        let codes: Vec<String> = spec
            .split(',')
            .map(|c| c.trim().replace('.', ""))
            .filter(|c| !c.is_empty())
            .collect();
        if codes.is_empty()
            || codes
                .iter()
                .any(|c| !(2..=8).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(MonitorError::BadCommodity(format!(
                "'{spec}': expected HS/CN codes or prefixes of 2 to 8 digits, `chpl` or `chpl:TIER`"
            )));
        }
        Ok(Commodity {
            label: format!("HS/CN {}", codes.join(", ")),
            before_2022: codes.clone(),
            from_2022: codes,
        })
    }
}

impl std::str::FromStr for FlowKind {
    type Err = MonitorError;
    fn from_str(s: &str) -> Result<FlowKind> {
        FlowKind::parse(s).ok_or_else(|| MonitorError::BadOption {
            option: "flow",
            value: s.to_string(),
            expected: "exports, imports, turnover or balance",
        })
    }
}

impl std::str::FromStr for Side {
    type Err = MonitorError;
    fn from_str(s: &str) -> Result<Side> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Side::Auto),
            "reporter" => Ok(Side::Reporter),
            "partner" | "mirror" => Ok(Side::Partner),
            _ => Err(MonitorError::BadOption {
                option: "side",
                value: s.to_string(),
                expected: "auto, reporter or partner",
            }),
        }
    }
}

/// A trade question as users write it: every part as text, parsed here once (for the CLI, the
/// server and the Python package alike).
#[derive(Debug, Clone, Default)]
pub struct QueryText<'a> {
    pub reporter: &'a str,
    pub partner: &'a str,
    pub flow: &'a str,
    pub period: &'a str,
    pub side: &'a str,
    pub yoy: bool,
    pub currency: Option<&'a str>,
    pub commodity: Option<&'a str>,
}

impl QueryText<'_> {
    pub fn parse(&self) -> Result<TradeQuery> {
        let mut q = TradeQuery::new(
            self.reporter,
            self.partner,
            self.flow.parse()?,
            Period::parse(self.period)?,
        )
        .with_yoy(self.yoy);
        q.side = if self.side.is_empty() {
            Side::Auto
        } else {
            self.side.parse()?
        };
        if let Some(c) = self.currency {
            let code = c.to_ascii_uppercase();
            let rates = detour_core::money::EcbRates::global();
            if code != "EUR" && !rates.currencies().contains(&code) {
                return Err(detour_core::CoreError::UnknownCurrency {
                    code: c.to_string(),
                }
                .into());
            }
        }
        q.currency = self.currency.map(str::to_string);
        q.commodity = self.commodity.map(Commodity::parse).transpose()?;
        Ok(q)
    }
}

impl TradeQuery {
    pub fn new(reporter: &str, partner: &str, flow: FlowKind, period: Period) -> TradeQuery {
        TradeQuery {
            reporter: reporter.to_string(),
            partner: partner.to_string(),
            flow,
            period,
            side: Side::Auto,
            yoy: false,
            currency: None,
            prefer_currency: None,
            commodity: None,
        }
    }

    pub fn with_yoy(mut self, yoy: bool) -> TradeQuery {
        self.yoy = yoy;
        self
    }
}

/// One file that contributed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Provenance {
    pub source: String,
    pub file: String,
    pub sha256: String,
    /// `monthly` or `annual` rows.
    pub granularity: String,
}

/// A rate used in a conversion.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RateUsed {
    pub from: String,
    pub to: String,
    /// `2023-05` or `2023`.
    pub period: String,
    pub basis: RateBasis,
    /// Units of `to` per unit of `from`.
    pub rate: f64,
}

/// The answer to a [`TradeQuery`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct TradeResult {
    pub reporter: String,
    pub partner: String,
    pub flow: FlowKind,
    pub period: String,
    pub value: f64,
    pub currency: String,
    /// Whose statistics the figure comes from (a country or group code, or several joined by `+`).
    pub reporter_side: String,
    /// `reporter` (own statistics) or `partner` (mirror record).
    pub side: Side,
    pub complete: bool,
    /// What is missing when `complete` is false (`KGZ 2024-07`, `member TJK: no data`, …).
    pub missing: Vec<String>,
    pub provenance: Vec<Provenance>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rates: Vec<RateUsed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_complete: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yoy_pct: Option<f64>,
    /// Human notes: which rule chose the side, the members of a group, …
    pub notes: Vec<String>,
    /// The goods summed, when the question is about goods rather than total trade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commodity: Option<String>,
}

/// Expand a party: a group with a membership table becomes its members at `date`
/// unless the store holds rows reported by the group itself.
fn expand(
    store_codes: &[String],
    party: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Vec<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut note = None;
    for part in party.split(',') {
        let code = Countries::global().resolve_any(part)?.code.clone();
        let groups = Groups::global();
        if groups.is_group(&code) && !store_codes.contains(&code) {
            let members = groups.members_between(&code, from, to)?;
            let when = if from == to {
                to.to_string()
            } else {
                format!("{from}..{to}")
            };
            note = Some(format!("{code} on {when}: {}", members.join(" ")));
            out.extend(members);
        } else {
            out.push(code);
        }
    }
    out.sort();
    out.dedup();
    Ok((out, note))
}

/// Answer a trade question.
pub fn trade(store: &Store, q: &TradeQuery) -> Result<TradeResult> {
    let mut r = measure(store, q, &q.period)?;
    if q.yoy {
        let prev_period = q.period.matched_previous_year();
        r.previous_period = Some(prev_period.label());
        let prev = match measure(store, q, &prev_period) {
            Ok(p) => p,
            Err(MonitorError::NoData { .. }) => {
                r.previous_complete = Some(false);
                r.notes.push(format!(
                    "year-on-year not computed: no data for the matched window {}",
                    prev_period.label()
                ));
                return Ok(r);
            }
            Err(e) => return Err(e),
        };
        r.previous_value = Some(prev.value);
        r.previous_complete = Some(prev.complete);
        if r.complete && prev.complete && prev.value != 0.0 {
            r.yoy_pct = Some(100.0 * (r.value / prev.value - 1.0));
        } else {
            r.notes.push(
                "year-on-year not computed: a window is incomplete or the base is zero".into(),
            );
        }
        for p in prev.provenance {
            if !r.provenance.contains(&p) {
                r.provenance.push(p);
            }
        }
        r.rates.extend(prev.rates);
    }
    Ok(r)
}

fn measure(store: &Store, q: &TradeQuery, period: &Period) -> Result<TradeResult> {
    measure_with(store, q, period, None)
}

/// Rows loaded once for a long range: (reporter-side rows, partner-side rows).
type Preloaded = (Vec<select::Row>, Vec<select::Row>);

fn measure_with(
    store: &Store,
    q: &TradeQuery,
    period: &Period,
    pre: Option<&Preloaded>,
) -> Result<TradeResult> {
    let codes = select::reporting_codes(store, q.commodity.is_some())?;
    let day = period.last_day();
    let (reporters, rnote) = expand(&codes, &q.reporter, day, day)?;
    let (partners, pnote) = expand(&codes, &q.partner, day, day)?;
    let mut notes: Vec<String> = [rnote, pnote].into_iter().flatten().collect();
    // Flows needed, from the reporter's point of view.
    let flows: &[(detour_core::Flow, f64)] = match q.flow {
        FlowKind::Exports => &[(detour_core::Flow::Export, 1.0)],
        FlowKind::Imports => &[(detour_core::Flow::Import, 1.0)],
        FlowKind::Turnover => &[
            (detour_core::Flow::Export, 1.0),
            (detour_core::Flow::Import, 1.0),
        ],
        FlowKind::Balance => &[
            (detour_core::Flow::Export, 1.0),
            (detour_core::Flow::Import, -1.0),
        ],
    };
    let (own, mirror) = match pre {
        Some((o, m)) => (select::within(o, period), select::within(m, period)),
        None => (
            select::load(store, &reporters, &partners, period, q.commodity.as_ref())?,
            select::load(store, &partners, &reporters, period, q.commodity.as_ref())?,
        ),
    };
    let use_mirror = match q.side {
        Side::Reporter => false,
        Side::Partner => true,
        Side::Auto => own.is_empty() && !mirror.is_empty(),
    };
    if use_mirror && q.side == Side::Auto {
        notes.push(
            "the reporter has no data for this question: the partner's mirror record is used"
                .into(),
        );
    }
    let what = format!(
        "{} {:?} {} {}",
        q.reporter,
        q.flow,
        q.partner,
        period.label()
    );
    // Goods: within the span of a product file that covers the pair, a month or a member without a
    // row traded none of these goods (Comext publishes no zero rows), so it counts as zero.
    let spans: Vec<(String, String, &detour_store::ingest::Coverage)> = if q.commodity.is_some() {
        store
            .manifest()
            .entries
            .iter()
            .filter(|e| e.coverage.total_rows == Some(0))
            .filter_map(|e| {
                Some((
                    e.coverage.first_period.clone()?,
                    e.coverage.last_period.clone()?,
                    &e.coverage,
                ))
            })
            .collect()
    } else {
        Vec::new()
    };
    let (p0, p1) = (period.start.to_string(), period.end.to_string());
    let zero_filled = |rep: &str, par: &str| {
        spans.iter().any(|(a, b, c)| {
            a.len() == 7
                && *a <= p0
                && p1 <= *b
                && c.reporters.contains(rep)
                && c.partners.contains(par)
        })
    };
    if !spans.is_empty() {
        notes.push(
            "goods: within a product file's span, months and members without a row count as zero (Comext publishes no zero rows)".into(),
        );
    }
    let mut total_by_currency: BTreeMap<String, f64> = BTreeMap::new();
    let mut missing = Vec::new();
    let mut provenance = Vec::new();
    let mut rates = Vec::new();
    let mut sides = Vec::new();
    for r in &reporters {
        for p in &partners {
            if r == p {
                continue;
            }
            for (flow, sign) in flows {
                // Mirror: the partner's record of the opposite flow.
                let (rep, par, f, rows) = if use_mirror {
                    (p, r, flow.opposite(), &mirror)
                } else {
                    (r, p, *flow, &own)
                };
                match select::best_series(
                    rows,
                    rep,
                    par,
                    f,
                    period,
                    q.currency.as_deref().or(q.prefer_currency.as_deref()),
                ) {
                    Some(s) => {
                        if !s.missing.is_empty() && !zero_filled(rep, par) {
                            missing.extend(
                                s.missing
                                    .iter()
                                    .map(|m| format!("{rep}->{par} {} {m}", f.as_str())),
                            );
                        }
                        for (flag, years) in &s.flags {
                            let years: Vec<String> = years.iter().map(i32::to_string).collect();
                            let note =
                                format!("{rep}->{par} {} {}: {flag}", f.as_str(), years.join(", "));
                            if !notes.contains(&note) {
                                notes.push(note);
                            }
                        }
                        let prov = s.provenance(store);
                        if !provenance.contains(&prov) {
                            provenance.push(prov);
                        }
                        if !sides.contains(rep) {
                            sides.push(rep.clone());
                        }
                        match &q.currency {
                            Some(to) => {
                                let (v, used) = s.converted(to)?;
                                *total_by_currency
                                    .entry(to.to_ascii_uppercase())
                                    .or_default() += sign * v;
                                for u in used {
                                    if !rates.contains(&u) {
                                        rates.push(u);
                                    }
                                }
                            }
                            None => {
                                *total_by_currency.entry(s.currency.clone()).or_default() +=
                                    sign * s.total()
                            }
                        }
                    }
                    None if zero_filled(rep, par) => {}
                    None => missing.push(format!("{rep}->{par} {}: no data", f.as_str())),
                }
            }
        }
    }
    if provenance.is_empty() {
        return Err(MonitorError::NoData {
            what,
            detail: "no rows for any reporter-partner pair on either side; load a file that covers it (detour ingest)"
                .into(),
        });
    }
    if total_by_currency.len() > 1 {
        return Err(MonitorError::MixedCurrencies {
            what,
            currencies: total_by_currency
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let (currency, value) = total_by_currency.into_iter().next().expect("one currency");
    provenance.sort();
    Ok(TradeResult {
        reporter: q.reporter.to_ascii_uppercase(),
        partner: q.partner.to_ascii_uppercase(),
        flow: q.flow,
        period: period.label(),
        value,
        currency,
        reporter_side: sides.join("+"),
        side: if use_mirror {
            Side::Partner
        } else {
            Side::Reporter
        },
        complete: missing.is_empty(),
        missing,
        provenance,
        rates,
        previous_period: None,
        previous_value: None,
        previous_complete: None,
        yoy_pct: None,
        notes,
        commodity: q.commodity.as_ref().map(|c| c.label.clone()),
    })
}

/// The months of a period, for callers that list gaps.
pub fn months(period: &Period) -> Vec<Month> {
    period.months().collect()
}

/// Conversion helper shared by [`Series::converted`].
pub(crate) fn convert(
    value: f64,
    from: &str,
    to: &str,
    year: i32,
    month: Option<u32>,
) -> Result<(f64, RateUsed)> {
    let rates = EcbRates::global();
    let c = match month {
        Some(m) => rates.convert_monthly(value, from, to, Month::new(year, m)?)?,
        None => rates.convert_annual(value, from, to, year)?,
    };
    Ok((
        c.value,
        RateUsed {
            from: c.from,
            to: c.to,
            period: c.period,
            basis: c.basis,
            rate: c.rate,
        },
    ))
}

/// The same flow as recorded by each side: A's exports to B against B's imports from A
/// (or A's imports from B against B's exports to A).
#[derive(Debug, Clone, serde::Serialize)]
pub struct MirrorResult {
    pub reporter_view: TradeResult,
    /// `None` when the partner's statistics are not loaded (said in `notes`).
    pub partner_view: Option<TradeResult>,
    /// partner's record − reporter's record.
    pub gap: Option<f64>,
    /// gap as a percentage of the reporter's record.
    pub gap_pct: Option<f64>,
    pub notes: Vec<String>,
}

/// The level a year earlier that a level and its year-on-year growth imply: `value / (1 + growth/100)`.
/// `None` for a growth of -100% or less (no base can shrink to that), or an input that is not
/// a finite number.
///
/// ```
/// // "$6.8 billion, a 29.1% increase": the matched window a year earlier was about $5.27 billion.
/// let base = detour_monitor::implied_base(6.8, 29.1).unwrap();
/// assert!((base - 5.2672).abs() < 1e-4);
/// ```
pub fn implied_base(value: f64, growth_pct: f64) -> Option<f64> {
    (value.is_finite() && growth_pct.is_finite() && growth_pct > -100.0)
        .then(|| value / (1.0 + growth_pct / 100.0))
}

/// The valuation caveat stated with every mirror comparison.
pub const CIF_FOB_NOTE: &str = "exports are usually valued FOB and imports CIF (including freight and insurance), \
so an importer's record is normally somewhat above the exporter's; IMF DOTS uses a standard CIF/FOB factor of 1.10 \
when it estimates one side from the other. Gaps well beyond that point to timing, partner attribution \
(country of origin vs consignment), re-exports, or unrecorded trade.";

/// Compare both sides' records of one flow. Both views must be in one currency (give `q.currency` otherwise).
pub fn mirror(store: &Store, q: &TradeQuery) -> Result<MirrorResult> {
    let mut own = q.clone();
    own.side = Side::Reporter;
    own.yoy = false;
    let reporter_view = measure(store, &own, &q.period)?;
    let mut other = own.clone();
    other.side = Side::Partner;
    other.prefer_currency = Some(reporter_view.currency.clone());
    let mut notes = vec![CIF_FOB_NOTE.to_string()];
    let partner_view = match measure(store, &other, &q.period) {
        Ok(v) => Some(v),
        Err(MonitorError::NoData { .. }) => {
            notes.push(format!(
                "only one side exists: no records of {} for its trade with {} are loaded",
                q.partner, q.reporter
            ));
            None
        }
        Err(e) => return Err(e),
    };
    let (mut gap, mut gap_pct) = (None, None);
    if let Some(p) = &partner_view {
        if p.currency != reporter_view.currency {
            notes.push(format!(
                "the two sides are in {} and {}; give a currency to compare them",
                reporter_view.currency, p.currency
            ));
        } else {
            gap = Some(p.value - reporter_view.value);
            if reporter_view.value != 0.0 {
                gap_pct = Some(100.0 * (p.value / reporter_view.value - 1.0));
            }
        }
        if !p.complete || !reporter_view.complete {
            notes.push(
                "at least one side is incomplete for this period: the gap is not comparable".into(),
            );
        }
    }
    Ok(MirrorResult {
        reporter_view,
        partner_view,
        gap,
        gap_pct,
        notes,
    })
}

/// Where a period's value stands in the loaded history of the same window.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordResult {
    pub period: String,
    pub value: f64,
    /// Complete windows of the same months in other years, oldest first: (label, value).
    pub history: Vec<(String, f64)>,
    pub is_highest: bool,
    pub is_lowest: bool,
    /// For a record high: the window it beats back to ("highest since 2012" = every window since 2012 is lower).
    pub highest_since: Option<String>,
    pub lowest_since: Option<String>,
}

/// Compare the query's period with the same window in every other loaded year.
pub fn records(store: &Store, q: &TradeQuery) -> Result<RecordResult> {
    let base = measure(store, q, &q.period)?;
    let first_year = store
        .manifest()
        .entries
        .iter()
        .filter_map(|e| e.coverage.first_period.as_deref())
        .filter_map(|p| p.get(..4).and_then(|y| y.parse::<i32>().ok()))
        .min()
        .unwrap_or(q.period.start.year);
    let mut history = Vec::new();
    let span = q.period.end.year - q.period.start.year;
    for y in first_year..q.period.start.year {
        let shift = (q.period.start.year - y) as i64 * 12;
        let p = Period {
            start: q.period.start.plus(-shift),
            end: q.period.end.plus(-shift),
            kind: q.period.kind,
        };
        debug_assert_eq!(p.end.year - p.start.year, span);
        match measure(store, q, &p) {
            Ok(r) if r.complete && r.currency == base.currency => {
                history.push((p.label(), r.value))
            }
            Ok(_) | Err(MonitorError::NoData { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let is_highest = history.iter().all(|(_, v)| *v < base.value);
    let is_lowest = history.iter().all(|(_, v)| *v > base.value);
    let since = |higher: bool| {
        let mut since = None;
        for (label, v) in history.iter().rev() {
            if (higher && *v < base.value) || (!higher && *v > base.value) {
                since = Some(label.clone());
            } else {
                break;
            }
        }
        since
    };
    Ok(RecordResult {
        period: base.period.clone(),
        value: base.value,
        is_highest: is_highest && !history.is_empty(),
        is_lowest: is_lowest && !history.is_empty(),
        highest_since: since(true),
        lowest_since: since(false),
        history,
    })
}

/// How finely to cut a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    Annual,
}

impl std::str::FromStr for Frequency {
    type Err = MonitorError;
    fn from_str(s: &str) -> Result<Frequency> {
        match s.to_ascii_lowercase().as_str() {
            "monthly" | "month" | "m" => Ok(Frequency::Monthly),
            "quarterly" | "quarter" | "q" => Ok(Frequency::Quarterly),
            "annual" | "yearly" | "year" | "a" | "y" => Ok(Frequency::Annual),
            _ => Err(MonitorError::BadOption {
                option: "freq",
                value: s.to_string(),
                expected: "monthly, quarterly or annual",
            }),
        }
    }
}

/// One point of a series.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeriesPoint {
    pub period: String,
    /// `None` where no data is loaded for that period.
    pub value: Option<f64>,
    pub complete: bool,
}

/// A series of one trade question over the months, quarters or years of `q.period`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeriesResult {
    pub reporter: String,
    pub partner: String,
    pub flow: FlowKind,
    pub frequency: Frequency,
    pub currency: Option<String>,
    pub points: Vec<SeriesPoint>,
    pub provenance: Vec<Provenance>,
}

/// The sub-periods of `period` at `freq` (whole sub-periods only).
fn cut(period: &Period, freq: Frequency) -> Vec<Period> {
    let mut out = Vec::new();
    let mut m = period.start;
    while m <= period.end {
        let p = match freq {
            Frequency::Monthly => Some(Period::month(m)),
            Frequency::Quarterly if m.month % 3 == 1 => {
                Period::quarter(m.year, m.month.div_ceil(3)).ok()
            }
            Frequency::Annual if m.month == 1 => Period::year(m.year).ok(),
            _ => None,
        };
        match p {
            Some(p) if p.end <= period.end => {
                m = p.end.plus(1);
                out.push(p);
            }
            _ => m = m.plus(1),
        }
    }
    out
}

/// Compute the question for every month, quarter or year of `q.period`, loading the rows once.
pub fn series(store: &Store, q: &TradeQuery, freq: Frequency) -> Result<SeriesResult> {
    let codes = select::reporting_codes(store, q.commodity.is_some())?;
    let (from, to) = (q.period.first_day(), q.period.last_day());
    let (reporters, _) = expand(&codes, &q.reporter, from, to)?;
    let (partners, _) = expand(&codes, &q.partner, from, to)?;
    let pre = (
        select::load(
            store,
            &reporters,
            &partners,
            &q.period,
            q.commodity.as_ref(),
        )?,
        select::load(
            store,
            &partners,
            &reporters,
            &q.period,
            q.commodity.as_ref(),
        )?,
    );
    let mut points = Vec::new();
    let mut provenance: Vec<Provenance> = Vec::new();
    let mut currency = q.currency.clone();
    for p in cut(&q.period, freq) {
        match measure_with(store, q, &p, Some(&pre)) {
            Ok(r) => {
                for pr in &r.provenance {
                    if !provenance.contains(pr) {
                        provenance.push(pr.clone());
                    }
                }
                currency.get_or_insert(r.currency.clone());
                points.push(SeriesPoint {
                    period: p.label(),
                    value: Some(r.value),
                    complete: r.complete,
                });
            }
            Err(MonitorError::NoData { .. }) => points.push(SeriesPoint {
                period: p.label(),
                value: None,
                complete: false,
            }),
            Err(e) => return Err(e),
        }
    }
    provenance.sort();
    Ok(SeriesResult {
        reporter: q.reporter.to_ascii_uppercase(),
        partner: q.partner.to_ascii_uppercase(),
        flow: q.flow,
        frequency: freq,
        currency,
        points,
        provenance,
    })
}

/// A partner's share of the reporter's trade with a reference partner (usually `WLD`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ShareResult {
    pub part: TradeResult,
    pub whole: TradeResult,
    pub share_pct: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_share_pct: Option<f64>,
    /// Change in percentage points against the matched window one year earlier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_pp: Option<f64>,
}

/// `q.partner`'s share of the reporter's trade with `whole_partner` (e.g. `WLD`, or `EXTRA_EU27`).
pub fn share(store: &Store, q: &TradeQuery, whole_partner: &str) -> Result<ShareResult> {
    let part = trade(store, q)?;
    let mut wq = q.clone();
    wq.partner = whole_partner.to_string();
    let whole = trade(store, &wq)?;
    let share_pct = 100.0 * part.value / whole.value;
    let previous_share_pct = match (part.previous_value, whole.previous_value) {
        (Some(a), Some(b))
            if b != 0.0
                && part.previous_complete == Some(true)
                && whole.previous_complete == Some(true) =>
        {
            Some(100.0 * a / b)
        }
        _ => None,
    };
    Ok(ShareResult {
        change_pp: previous_share_pct.map(|p| share_pct - p),
        part,
        whole,
        share_pct,
        previous_share_pct,
    })
}
