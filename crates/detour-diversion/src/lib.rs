//! Trade diversion through conduit countries: how much of the trade a group of senders lost with a target
//! (sanctioned) country reappears as extra trade with its neighbours.
//!
//! # Method
//! For each pair (senders → target, senders → each conduit) the monthly series over the baseline window is
//! fitted by least squares on logs with a month-of-year effect and a linear trend,
//!
//! ```text
//! log X_m = s_{month(m)} + β · t_m + ε_m,        t_m = months since the baseline start,
//! ```
//!
//! (the fixed-effect OLS of `detour-hdfe`), and projected over the after window: the counterfactual
//! `X̂_m = exp(ŝ_{month(m)} + β̂ t_m)` (the median of the log-normal fit), with a 95% band
//! `exp(±1.96 σ̂)` around it (σ̂ the residual standard error; the band ignores the uncertainty of the fitted
//! coefficients, so it is a lower bound on the true uncertainty). Then
//!
//! * **shortfall** of the target: `Σ_m (X̂_m − X_m)` over the after window (positive when trade fell short);
//! * **excess** of each conduit: `Σ_m (X_m − X̂_m)`;
//! * **offset ratio**: total conduit excess ÷ target shortfall, overall, per conduit and per calendar year of
//!   the after window.
//!
//! All values are in the source currency of the series (EUR for Eurostat), as reported by the sender side
//! the monitor chooses (its documented rule); every pair carries its provenance.

use detour_core::period::{Month, Period};
use detour_hdfe::{Design, Family, Options, VcovType};
use detour_monitor::{CIF_FOB_NOTE, FlowKind, Frequency, TradeQuery, mirror, series};
pub mod product;

use detour_store::Store;
use serde::Serialize;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{pair}: no data for {months} (the window must lie inside the loaded data)")]
    MissingMonths { pair: String, months: String },
    #[error(
        "{pair}: the value for {month} is {value}; the counterfactual model works on logs of positive values"
    )]
    NonPositive {
        pair: String,
        month: String,
        value: f64,
    },
    #[error("the after window ({after}) must start after the baseline window ({baseline}) ends")]
    Windows { baseline: String, after: String },
    #[error("the event ({event}) must fall after the baseline window ({baseline}) ends")]
    EventBeforeBaseline { event: String, baseline: String },
    #[error("the after window ({after}) starts before the event ({event})")]
    AfterBeforeEvent { event: String, after: String },
    #[error(
        "the baseline window needs at least 24 months to separate seasons from the trend; it has {0}"
    )]
    ShortBaseline(usize),
    #[error("no conduit countries given")]
    NoConduits,
    /// A monitor question that failed (the pair it was for, and the monitor's error).
    #[error("{context}: {source}")]
    Monitor {
        context: String,
        #[source]
        source: detour_monitor::MonitorError,
    },
    /// A group, country or period of the question.
    #[error(transparent)]
    Core(#[from] detour_core::CoreError),
    /// A query over the store.
    #[error(transparent)]
    Store(#[from] detour_store::StoreError),
    /// A query result of an unexpected shape (an Arrow cast).
    #[error("reading a query result: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// An estimation that failed (what it was, and the estimator's error).
    #[error("{context}: {source}")]
    Estimation {
        context: String,
        #[source]
        source: detour_hdfe::Error,
    },
    /// The data cannot answer the question as asked.
    #[error("{0}")]
    Data(String),
    /// The query's deadline passed; the analysis stopped.
    #[error(transparent)]
    Expired(#[from] detour_core::Expired),
}

/// An estimation error in context, or [`Error::Expired`] when the fit stopped at its deadline.
fn fit_error(e: detour_hdfe::Error, context: &str) -> Error {
    match e {
        detour_hdfe::Error::Deadline => Error::Expired(detour_core::Expired),
        source => Error::Estimation {
            context: context.to_string(),
            source,
        },
    }
}

/// One month of one pair.
#[derive(Debug, Clone, Serialize)]
pub struct MonthRow {
    pub period: String,
    pub actual: f64,
    pub counterfactual: f64,
    pub band_low: f64,
    pub band_high: f64,
}

/// The fitted baseline model of one pair.
#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    /// `ols-log` (OLS on logs), or `ppml` (Poisson on levels, used when the baseline has zero months).
    pub model: String,
    /// Monthly trend on logs (0.01 ≈ +1% a month).
    pub trend: f64,
    pub trend_std_error: f64,
    /// Residual standard error on logs (`ols-log`), or the square root of the Pearson dispersion (`ppml`).
    pub sigma: f64,
    pub r2: f64,
    pub months: usize,
}

/// Baseline fit and after-window comparison for one pair.
#[derive(Debug, Clone, Serialize)]
pub struct PairResult {
    pub reporter: String,
    pub partner: String,
    pub fit: Fit,
    pub after: Vec<MonthRow>,
    /// Σ (actual − counterfactual) over the after window.
    pub gap: f64,
    /// Monthly values from the baseline start to the after end (months between the windows included where
    /// loaded) as an index, baseline-window mean = 100: (month, index).
    pub index: Vec<(String, f64)>,
    pub provenance: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConduitSummary {
    pub country: String,
    pub excess: f64,
    pub offset_ratio: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearSummary {
    pub year: i32,
    pub target_shortfall: f64,
    pub conduit_excess: f64,
    pub offset_ratio: f64,
}

/// One year of the mirror comparison for one conduit: what the senders say they exported against what the
/// conduit says it imported from them.
#[derive(Debug, Clone, Serialize)]
pub struct MirrorRow {
    pub conduit: String,
    pub year: i32,
    pub senders_record: f64,
    pub conduit_record: f64,
    /// conduit's record − senders' record.
    pub gap: f64,
    /// the gap in percent of the senders' record.
    pub gap_pct: f64,
}

/// The mirror gap before and after: "lost in transit" when it widens (the conduit records less of what was
/// sent to it).
#[derive(Debug, Clone, Serialize)]
pub struct MirrorSummary {
    pub conduit: String,
    pub gap_pct_baseline: Option<f64>,
    pub gap_pct_after: Option<f64>,
    /// after − baseline, percentage points.
    pub change_pp: Option<f64>,
    pub years: Vec<i32>,
}

/// One sender country's own shortfall and excess (when the senders are a group).
#[derive(Debug, Clone, Serialize)]
pub struct SenderSummary {
    pub country: String,
    pub target_shortfall: f64,
    pub conduit_excess: f64,
    pub offset_ratio: f64,
    /// Pairs left out, with the reason (months with zero or missing trade, say).
    pub skipped: Vec<String>,
}

/// One coefficient of the gravity estimate.
#[derive(Debug, Clone, Serialize)]
pub struct GravityEffect {
    pub name: String,
    pub estimate: f64,
    pub std_error: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// 100 · (exp(estimate) − 1): the percent change of trade in the after window.
    pub effect_pct: f64,
}

impl From<&detour_hdfe::Coef> for GravityEffect {
    fn from(c: &detour_hdfe::Coef) -> GravityEffect {
        GravityEffect {
            name: c.name.clone(),
            estimate: c.estimate,
            std_error: c.std_error,
            ci_low: c.ci_low,
            ci_high: c.ci_high,
            effect_pct: (c.estimate.exp() - 1.0) * 100.0,
        }
    }
}

/// PPML on the panel of sender-member × partner × month flows.
#[derive(Debug, Clone, Serialize)]
pub struct Gravity {
    pub model: String,
    pub nobs: usize,
    pub effects: Vec<GravityEffect>,
    /// Dummies dropped as collinear with the effects: with every destination's dummy the set sums to the
    /// after indicator, which the sender×month effects absorb, so one destination becomes the reference and
    /// the other effects are relative to it.
    pub collinear: Vec<String>,
    pub converged: bool,
}

/// Conduit → target trade over the after window, where the data has it.
#[derive(Debug, Clone, Serialize)]
pub struct ConduitToTarget {
    pub conduit: String,
    /// Σ (actual − counterfactual) of the conduit's exports to the target; `None` when not loaded.
    pub excess: Option<f64>,
    pub note: String,
}

/// The whole analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Diversion {
    pub senders: String,
    pub target: String,
    pub baseline: String,
    pub after: String,
    pub currency: String,
    pub target_shortfall: f64,
    pub conduit_excess: f64,
    pub offset_ratio: f64,
    pub by_conduit: Vec<ConduitSummary>,
    pub by_year: Vec<YearSummary>,
    pub pairs: Vec<PairResult>,
    /// Yearly mirror comparison for each conduit, where both sides' records are loaded.
    pub mirror: Vec<MirrorRow>,
    pub mirror_summary: Vec<MirrorSummary>,
    pub mirror_note: String,
    /// Per sender country, largest conduit excess first (with `by_sender`).
    pub by_sender: Vec<SenderSummary>,
    /// The gravity estimate (with `gravity`).
    pub gravity: Option<Gravity>,
    /// Each conduit's own exports to the target, against their counterfactual, where loaded.
    pub conduit_to_target: Vec<ConduitToTarget>,
    pub method: String,
}

/// Known gaps in the shipped conduit-side records (see data/README.md), stated with any mirror row that uses them.
const KNOWN_GAPS: &[(&str, i32, &str)] = &[(
    "ARM",
    2023,
    "Armenia's 2023 imports in the national-statistics file look incomplete (far below the partners' records and \
     Armenia's own monthly releases), so its 2023 gap says more about the file than about trade.",
)];

/// The question.
#[derive(Debug, Clone)]
pub struct Query {
    pub senders: String,
    pub target: String,
    pub conduits: Vec<String>,
    pub baseline: Period,
    pub after: Period,
    /// Also analyse each member of the senders group separately.
    pub by_sender: bool,
    /// Also estimate a gravity model with after-dummies on the member-level panel.
    pub gravity: bool,
    /// The event (first sanctions month, say); when given it must fall after the baseline and no later than
    /// the after window's start.
    pub event: Option<Month>,
    /// Read months without a record as zero trade (Comext publishes no zero rows); off by default, when a
    /// missing month makes a window incomplete. Pairs with zero months are fitted by PPML on levels.
    pub missing_as_zero: bool,
    /// Stop with [`Error::Expired`] once this has passed (checked for each pair and in each fit).
    pub deadline: detour_core::Deadline,
}

/// The conduits of the headline question: Russia's neighbours that are not themselves sanctioned.
pub const CONDUITS: [&str; 5] = ["ARM", "GEO", "KAZ", "KGZ", "UZB"];
/// The headline question's baseline and after windows.
pub const HEADLINE_BASELINE: &str = "2019-01..2021-12";
pub const HEADLINE_AFTER: &str = "2022-03..2024-08";

impl Query {
    /// The headline question: EU27 exports to Russia, and how much comes back through
    /// [`CONDUITS`], baseline [`HEADLINE_BASELINE`] against [`HEADLINE_AFTER`].
    pub fn eu_russia_headline() -> Query {
        Query {
            senders: "EU27".into(),
            target: "RUS".into(),
            conduits: CONDUITS.iter().map(|s| s.to_string()).collect(),
            baseline: Period::parse(HEADLINE_BASELINE).expect("a valid window"),
            after: Period::parse(HEADLINE_AFTER).expect("a valid window"),
            by_sender: false,
            gravity: false,
            event: None,
            missing_as_zero: false,
            deadline: detour_core::Deadline::none(),
        }
    }
}

fn chrono_date(m: Month) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(m.year, m.month, 1).expect("a valid month")
}

fn month_index(base: Month, m: Month) -> f64 {
    ((m.year - base.year) * 12 + m.month as i32 - base.month as i32) as f64
}

/// A pair's series over a span: each month's value where complete, the period label, provenance and
/// currency.
struct Span {
    pair: String,
    points: Vec<(Month, Option<f64>, String)>,
    provenance: Vec<String>,
    currency: String,
}

/// One query to the monitor for the whole span the analysis needs (baseline start to after end).
fn fetch(
    store: &Store,
    reporter: &str,
    partner: &str,
    span: &Period,
    flow: FlowKind,
) -> Result<Span, Error> {
    let q = TradeQuery::new(reporter, partner, flow, *span);
    let s = series(store, &q, Frequency::Monthly).map_err(|source| Error::Monitor {
        context: format!("{reporter} → {partner}"),
        source,
    })?;
    let points = span
        .months()
        .zip(&s.points)
        .map(|(m, p)| (m, p.value.filter(|_| p.complete), p.period.clone()))
        .collect();
    Ok(Span {
        pair: format!("{reporter} → {partner}"),
        points,
        provenance: s.provenance.iter().map(|p| format!("{p:?}")).collect(),
        currency: s.currency.unwrap_or_else(|| "source currency".into()),
    })
}

impl Span {
    /// The values over `window`; every month must be present (or, with `missing_as_zero`, is zero when
    /// absent) and not negative.
    fn window(&self, window: &Period, missing_as_zero: bool) -> Result<Vec<(Month, f64)>, Error> {
        let (from, to) = (window.start.index(), window.end.index());
        let mut out = Vec::new();
        let mut missing = Vec::new();
        for (m, v, label) in self
            .points
            .iter()
            .filter(|(m, _, _)| (from..=to).contains(&m.index()))
        {
            match v {
                Some(v) if *v < 0.0 => {
                    return Err(Error::NonPositive {
                        pair: self.pair.clone(),
                        month: label.clone(),
                        value: *v,
                    });
                }
                Some(v) => out.push((*m, *v)),
                None if missing_as_zero => out.push((*m, 0.0)),
                None => missing.push(label.clone()),
            }
        }
        if !missing.is_empty() {
            let months = if missing.len() > 6 {
                format!(
                    "{} months ({} … {})",
                    missing.len(),
                    missing[0],
                    missing[missing.len() - 1]
                )
            } else {
                missing.join(", ")
            };
            return Err(Error::MissingMonths {
                pair: self.pair.clone(),
                months,
            });
        }
        Ok(out)
    }
}

/// Fit the baseline model of one pair and compare the after window with its projection.
fn pair(store: &Store, q: &Query, partner: &str) -> Result<(PairResult, String), Error> {
    q.deadline.check()?;
    pair_flow(store, q, partner, FlowKind::Exports)
}

/// [`pair`] for a given flow of `q.senders` with `partner`.
fn pair_flow(
    store: &Store,
    q: &Query,
    partner: &str,
    flow: FlowKind,
) -> Result<(PairResult, String), Error> {
    let span = Period {
        start: q.baseline.start,
        end: q.after.end,
        ..q.after
    };
    let series = fetch(store, &q.senders, partner, &span, flow)?;
    let base = series.window(&q.baseline, q.missing_as_zero)?;
    let after = series.window(&q.after, q.missing_as_zero)?;
    let start = q.baseline.start;
    // Zero months: PPML on levels (logs do not exist); else OLS on logs.
    let ppml = base.iter().any(|(_, v)| *v == 0.0);
    let y: Vec<f64> = base
        .iter()
        .map(|(_, v)| if ppml { *v } else { v.ln() })
        .collect();
    let t: Vec<f64> = base.iter().map(|(m, _)| month_index(start, *m)).collect();
    let season: Vec<u64> = base.iter().map(|(m, _)| u64::from(m.month)).collect();
    let design = Design {
        y: &y,
        x: vec![("trend".into(), &t)],
        fe: vec![("month".into(), &season)],
        ..Default::default()
    };
    let opt = Options {
        family: if ppml { Family::Poisson } else { Family::Ols },
        vcov: VcovType::Iid,
        drop_singletons: false,
        deadline: q.deadline.instant(),
        ..Options::default()
    };
    let f = detour_hdfe::fit(&design, &opt)
        .map_err(|e| fit_error(e, &format!("{} → {partner}: baseline fit", q.senders)))?;
    let beta = f
        .coefficients
        .first()
        .map(|c| (c.estimate, c.std_error))
        .unwrap_or((0.0, 0.0));
    let n = y.len() as f64;
    let k = (f.df_k as f64).min(n - 1.0);
    let fe = &f.fixed_effects[0];
    // A month-of-year with zero trade in every baseline year has no effect (separated): its
    // counterfactual is zero.
    let effect = |month: u32| -> f64 {
        fe.ids
            .iter()
            .position(|&id| id == u64::from(month))
            .map(|p| fe.values[p])
            .unwrap_or(f64::NEG_INFINITY)
    };
    let linear = |m: Month| effect(m.month) + beta.0 * month_index(start, m);
    let sigma = if ppml {
        // Square root of the Pearson dispersion: Var(y) = φ·μ.
        let chi2: f64 = base
            .iter()
            .map(|(m, v)| (linear(*m).exp(), *v))
            .filter(|(mu, _)| *mu > 0.0)
            .map(|(mu, v)| (v - mu).powi(2) / mu)
            .sum();
        (chi2 / (n - k)).sqrt()
    } else {
        (f.deviance / (n - k)).sqrt()
    };
    let rows: Vec<MonthRow> = after
        .iter()
        .map(|(m, v)| {
            let lin = linear(*m);
            let (cf, lo, hi) = if ppml {
                let mu = lin.exp();
                let w = 1.96 * sigma * mu.sqrt();
                (mu, (mu - w).max(0.0), mu + w)
            } else {
                (
                    lin.exp(),
                    (lin - 1.96 * sigma).exp(),
                    (lin + 1.96 * sigma).exp(),
                )
            };
            MonthRow {
                period: m.to_string(),
                actual: *v,
                counterfactual: cf,
                band_low: lo,
                band_high: hi,
            }
        })
        .collect();
    let gap = rows.iter().map(|r| r.actual - r.counterfactual).sum();
    let mean = base.iter().map(|(_, v)| v).sum::<f64>() / base.len() as f64;
    // the months between the windows belong on the chart too (the first sanctions packages fall there)
    let gap_months: Vec<(Month, f64)> = if q.after.start.index() > q.baseline.end.index() + 1 {
        let between = Period {
            start: q.baseline.end.plus(1),
            end: q.after.start.plus(-1),
            ..q.after
        };
        series
            .window(&between, q.missing_as_zero)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let index = base
        .iter()
        .chain(gap_months.iter())
        .chain(after.iter())
        .map(|(m, v)| (m.to_string(), v / mean * 100.0))
        .collect();
    Ok((
        PairResult {
            reporter: q.senders.clone(),
            partner: partner.to_string(),
            fit: Fit {
                model: if ppml { "ppml" } else { "ols-log" }.into(),
                trend: beta.0,
                trend_std_error: beta.1,
                sigma,
                r2: f.pseudo_r2,
                months: base.len(),
            },
            after: rows,
            gap,
            index,
            provenance: series.provenance,
        },
        series.currency,
    ))
}

/// Run the analysis.
pub fn diversion(store: &Store, q: &Query) -> Result<Diversion, Error> {
    if q.conduits.is_empty() {
        return Err(Error::NoConduits);
    }
    if q.after.start <= q.baseline.end {
        return Err(Error::Windows {
            baseline: q.baseline.to_string(),
            after: q.after.to_string(),
        });
    }
    if let Some(ev) = q.event {
        if ev.index() <= q.baseline.end.index() {
            return Err(Error::EventBeforeBaseline {
                event: ev.to_string(),
                baseline: q.baseline.to_string(),
            });
        }
        if q.after.start.index() < ev.index() {
            return Err(Error::AfterBeforeEvent {
                event: ev.to_string(),
                after: q.after.to_string(),
            });
        }
    }
    let nb = q.baseline.months().count();
    if nb < 24 {
        return Err(Error::ShortBaseline(nb));
    }
    let (target, currency) = pair(store, q, &q.target)?;
    let mut pairs = vec![target];
    for c in &q.conduits {
        pairs.push(pair(store, q, c)?.0);
    }
    let shortfall = -pairs[0].gap;
    let excess: f64 = pairs[1..].iter().map(|p| p.gap).sum();
    let ratio = |x: f64| {
        if shortfall != 0.0 {
            x / shortfall
        } else {
            f64::NAN
        }
    };
    let by_conduit = pairs[1..]
        .iter()
        .map(|p| ConduitSummary {
            country: p.partner.clone(),
            excess: p.gap,
            offset_ratio: ratio(p.gap),
        })
        .collect();
    let mut years: Vec<i32> = q.after.months().map(|m| m.year).collect();
    years.dedup();
    let by_year = years
        .into_iter()
        .map(|y| {
            let sum = |p: &PairResult| -> f64 {
                p.after
                    .iter()
                    .filter(|r| r.period.starts_with(&y.to_string()))
                    .map(|r| r.actual - r.counterfactual)
                    .sum()
            };
            let s = -sum(&pairs[0]);
            let e: f64 = pairs[1..].iter().map(sum).sum();
            YearSummary {
                year: y,
                target_shortfall: s,
                conduit_excess: e,
                offset_ratio: if s != 0.0 { e / s } else { f64::NAN },
            }
        })
        .collect();
    // mirror gaps by calendar year over both windows, where both sides exist
    let mut mirror_rows = Vec::new();
    let mut mirror_summary = Vec::new();
    let first = q.baseline.start.year;
    let last = q.after.end.year;
    for c in &q.conduits {
        let mut rows = Vec::new();
        for year in first..=last {
            let Ok(period) = Period::year(year) else {
                continue;
            };
            let tq = TradeQuery::new(&q.senders, c, FlowKind::Exports, period);
            let Ok(m) = mirror(store, &tq) else { continue };
            let (Some(pv), Some(gap), Some(pct)) = (m.partner_view.as_ref(), m.gap, m.gap_pct)
            else {
                continue;
            };
            if !m.reporter_view.complete || !pv.complete {
                continue;
            }
            rows.push(MirrorRow {
                conduit: c.clone(),
                year,
                senders_record: m.reporter_view.value,
                conduit_record: pv.value,
                gap,
                gap_pct: pct,
            });
        }
        // the gap in percent of the senders' total over each window's whole years
        let window_pct = |from: i32, to: i32| -> Option<f64> {
            let sel: Vec<&MirrorRow> = rows
                .iter()
                .filter(|r| r.year >= from && r.year <= to)
                .collect();
            let sent: f64 = sel.iter().map(|r| r.senders_record).sum();
            (!sel.is_empty() && sent != 0.0)
                .then(|| sel.iter().map(|r| r.gap).sum::<f64>() / sent * 100.0)
        };
        let before = window_pct(q.baseline.start.year, q.baseline.end.year);
        let after = window_pct(q.after.start.year, q.after.end.year);
        mirror_summary.push(MirrorSummary {
            conduit: c.clone(),
            gap_pct_baseline: before,
            gap_pct_after: after,
            change_pp: before.zip(after).map(|(b, a)| a - b),
            years: rows.iter().map(|r| r.year).collect(),
        });
        mirror_rows.extend(rows);
    }
    let mut by_sender = Vec::new();
    if q.by_sender {
        let groups = detour_core::group::Groups::global();
        let date = chrono_date(q.after.start);
        let members = if groups.is_group(&q.senders) {
            groups.members_on(&q.senders, date)?
        } else {
            vec![q.senders.clone()]
        };
        for m in members {
            let sub = Query {
                senders: m.clone(),
                by_sender: false,
                ..q.clone()
            };
            let mut skipped = Vec::new();
            let mut gap = |partner: &str| -> Option<f64> {
                match pair(store, &sub, partner) {
                    Ok((p, _)) => Some(p.gap),
                    Err(e) => {
                        skipped.push(format!("{partner}: {e}"));
                        None
                    }
                }
            };
            let Some(t) = gap(&q.target) else {
                by_sender.push(SenderSummary {
                    country: m,
                    target_shortfall: f64::NAN,
                    conduit_excess: f64::NAN,
                    offset_ratio: f64::NAN,
                    skipped,
                });
                continue;
            };
            let e: f64 = q.conduits.iter().filter_map(|c| gap(c)).sum();
            let s = -t;
            by_sender.push(SenderSummary {
                country: m,
                target_shortfall: s,
                conduit_excess: e,
                offset_ratio: if s != 0.0 { e / s } else { f64::NAN },
                skipped,
            });
        }
        by_sender.sort_by(|a, b| {
            a.conduit_excess
                .is_nan()
                .cmp(&b.conduit_excess.is_nan())
                .then(b.conduit_excess.total_cmp(&a.conduit_excess))
        });
    }
    let gravity = if q.gravity {
        Some(gravity(store, q)?)
    } else {
        None
    };
    let conduit_to_target = q
        .conduits
        .iter()
        .map(|c| {
            let sub = Query { senders: c.clone(), by_sender: false, gravity: false, ..q.clone() };
            let mirror_q = Query { senders: q.target.clone(), by_sender: false, gravity: false, ..q.clone() };
            let found = pair(store, &sub, &q.target).or_else(|_| pair_flow(store, &mirror_q, c, FlowKind::Imports));
            match found {
                Ok((p, _)) => ConduitToTarget {
                    conduit: c.clone(),
                    excess: Some(p.gap),
                    note: format!("{} → {} from {}", p.reporter, p.partner, p.provenance.join("; ")),
                },
                Err(e) => ConduitToTarget {
                    conduit: c.clone(),
                    excess: None,
                    note: format!(
                        "not measured: {e}; needs monthly records of {c}'s exports to {t} (or {t}'s imports from {c}) over both windows",
                        t = q.target
                    ),
                },
            }
        })
        .collect();
    let mut mirror_note = CIF_FOB_NOTE.to_string();
    for (c, y, why) in KNOWN_GAPS {
        if mirror_rows.iter().any(|m| m.conduit == *c && m.year == *y) {
            mirror_note.push_str(&format!(" Caveat: {c} {y}: {why}"));
        }
    }
    Ok(Diversion {
        senders: q.senders.clone(),
        target: q.target.clone(),
        baseline: q.baseline.to_string(),
        after: q.after.to_string(),
        currency,
        target_shortfall: shortfall,
        conduit_excess: excess,
        offset_ratio: ratio(excess),
        by_conduit,
        by_year,
        pairs,
        mirror: mirror_rows,
        mirror_summary,
        mirror_note,
        by_sender,
        gravity,
        conduit_to_target,
        method: "log-linear counterfactual per pair: month-of-year effects and a linear trend fitted on the baseline window (OLS), projected over the after window; shortfall and excess are actual minus counterfactual, summed".into(),
    })
}

pub(crate) fn column_strings(
    batch: &datafusion::arrow::array::RecordBatch,
    k: usize,
) -> Result<Vec<String>, Error> {
    use datafusion::arrow::array::{Array, StringArray};
    use datafusion::arrow::datatypes::DataType;
    let c = datafusion::arrow::compute::cast(batch.column(k), &DataType::Utf8)?;
    let a = c
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| Error::Data("unexpected column type".into()))?;
    Ok((0..a.len())
        .map(|i| {
            if a.is_null(i) {
                String::new()
            } else {
                a.value(i).to_string()
            }
        })
        .collect())
}

/// PPML of monthly exports of each member of the senders on pair and sender×month effects, with one
/// after-window dummy for the target and one per conduit: the average change of each destination's trade
/// after the event relative to the same sender's other destinations, clustered by pair.
fn gravity(store: &Store, q: &Query) -> Result<Gravity, Error> {
    let groups = detour_core::group::Groups::global();
    let members = if groups.is_group(&q.senders) {
        groups.members_on(&q.senders, chrono_date(q.after.start))?
    } else {
        vec![q.senders.clone()]
    };
    let list = |v: &[String]| {
        v.iter()
            .map(|s| format!("'{}'", s.replace('\'', "")))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut partners = vec![q.target.clone()];
    partners.extend(q.conduits.iter().cloned());
    let ym = |m: Month| m.year * 12 + m.month as i32;
    let sql = format!(
        "SELECT reporter, partner, year, month, SUM(value) AS v FROM flows \
         WHERE flow = 'export' AND month IS NOT NULL AND commodity = 'TOTAL' \
         AND reporter IN ({}) AND partner IN ({}) \
         AND (year * 12 + month) BETWEEN {} AND {} \
         AND NOT ((year * 12 + month) > {} AND (year * 12 + month) < {}) \
         GROUP BY reporter, partner, year, month",
        list(&members),
        list(&partners),
        ym(q.baseline.start),
        ym(q.after.end),
        ym(q.baseline.end),
        ym(q.after.start)
    );
    let batches = store.sql_blocking(&sql)?;
    let (mut y, mut pair, mut rep_month) = (Vec::new(), Vec::new(), Vec::new());
    let mut dummies: Vec<Vec<f64>> = vec![Vec::new(); partners.len()];
    let mut cluster = Vec::new();
    let mut ids: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut id = |k: String| -> u64 {
        let n = ids.len() as u64;
        *ids.entry(k).or_insert(n)
    };
    for b in &batches {
        let (r, p, yr, mo, v) = (
            column_strings(b, 0)?,
            column_strings(b, 1)?,
            column_strings(b, 2)?,
            column_strings(b, 3)?,
            column_strings(b, 4)?,
        );
        for i in 0..b.num_rows() {
            let value: f64 = v[i].parse().unwrap_or(f64::NAN);
            let (year, month): (i32, i32) =
                (yr[i].parse().unwrap_or(0), mo[i].parse().unwrap_or(0));
            if !value.is_finite() || value < 0.0 {
                continue;
            }
            let after = year * 12 + month >= ym(q.after.start);
            y.push(value);
            let pk = id(format!("pair:{}:{}", r[i], p[i]));
            pair.push(pk);
            cluster.push(pk);
            rep_month.push(id(format!("rm:{}:{year}-{month}", r[i])));
            for (k, d) in dummies.iter_mut().enumerate() {
                d.push(if after && p[i] == partners[k] {
                    1.0
                } else {
                    0.0
                });
            }
        }
    }
    if y.is_empty() {
        return Err(Error::Data(format!(
            "no member-level monthly exports of {} to these partners are loaded",
            q.senders
        )));
    }
    let names: Vec<String> = partners.iter().map(|p| format!("{p} × after")).collect();
    let design = Design {
        y: &y,
        x: names
            .iter()
            .cloned()
            .zip(dummies.iter().map(|d| d.as_slice()))
            .collect(),
        fe: vec![
            ("sender^partner".into(), &pair),
            ("sender^month".into(), &rep_month),
        ],
        cluster: vec![("sender^partner".into(), &cluster)],
        ..Default::default()
    };
    let opt = Options {
        vcov: VcovType::Cluster,
        deadline: q.deadline.instant(),
        ..Options::default()
    };
    let f = detour_hdfe::fit(&design, &opt).map_err(|e| fit_error(e, "gravity estimate"))?;
    Ok(Gravity {
        model: "PPML: exports ~ partner × after dummies | sender×partner + sender×month effects, s.e. clustered by sender×partner".into(),
        nobs: f.nobs,
        effects: f
            .coefficients
            .iter()
            .map(GravityEffect::from)
            .collect(),
        collinear: f.collinear.clone(),
        converged: f.converged,
    })
}
