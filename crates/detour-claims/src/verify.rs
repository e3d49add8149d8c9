//! Verdicts: each claim checked against the store (through the monitor, on each reporter side)
//! and the official releases, with the computation and the sources.
//!
//! Tolerances come from the claim's own precision: "$93 billion" stands for [92.5, 93.5];
//! "over $20 billion" for at least 20; "almost $4 billion" for [3.6, 4]; "about" for ±5%;
//! "$59-60 billion" for [58.5, 60.5]. A release's own rounding widens its side the same way.
//! Growth "29.1%" stands for [29.05, 29.15]. A claim agrees with a source when the two ranges meet.

use chrono::NaiveDate;
use detour_core::period::{Month, Period};
use detour_monitor::{FlowKind, MonitorError, Side, TradeQuery, TradeResult};
use detour_store::Store;
use serde::Serialize;

use crate::frame::{Bound, Claim, Flow, Frame, scale_factor};
use crate::releases::{Release, Stated};

/// The verdict on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every reporter side with data agrees.
    Consistent,
    /// One reporter side agrees, another does not.
    ConsistentOneSide,
    /// No source agrees within the figure's rounding, but one is within the size of routine
    /// revisions of trade statistics ([`LEVEL_BAND`] of the level, [`GROWTH_BAND`] points of growth).
    Close,
    /// No source agrees, nor comes within the revision band.
    Inconsistent,
    /// No data for that pair and period, or the claim lacks what a check needs.
    NotCheckable,
    /// A forecast or expectation; compared with the outcome where data exists.
    Forecast,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Consistent => "consistent",
            Verdict::ConsistentOneSide => "consistent_one_side",
            Verdict::Close => "close",
            Verdict::Inconsistent => "inconsistent",
            Verdict::NotCheckable => "not_checkable",
            Verdict::Forecast => "forecast",
        }
    }
}

/// How far a level may be from the claim's own rounding and still be `close`: 3% of the source's
/// level. Trade statistics are revised after first publication (late declarations, corrections,
/// reclassification) and national and Eurostat figures differ by concept (national vs community
/// concept, general vs special trade); for merchandise totals of a month or a year these routine
/// differences stay within a few percent, while a misquoted or misread figure is usually off by more.
pub const LEVEL_BAND: f64 = 0.03;
/// The same for growth rates, in percentage points: a 3% revision of either year's level moves a
/// growth rate by about 3 points.
pub const GROWTH_BAND: f64 = 3.0;

/// Distance from an interval to a point (0 inside).
fn gap(iv: (f64, f64), x: f64) -> f64 {
    if x < iv.0 {
        iv.0 - x
    } else if x > iv.1 {
        x - iv.1
    } else {
        0.0
    }
}

/// Distance between two intervals (0 when they meet).
fn gap2(a: (f64, f64), b: (f64, f64)) -> f64 {
    (b.0 - a.1).max(a.0 - b.1).max(0.0)
}

/// One figure a source gives for the claim's question.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// `store` (the trade statistics loaded) or `release` (an official statement).
    pub kind: String,
    /// Whose statistics: an ISO3 code, a group, or `unknown`.
    pub reporter_side: String,
    pub period: String,
    /// In the claim's unit and scale.
    pub value: Option<f64>,
    pub yoy_growth_pct: Option<f64>,
    /// Whether the value agrees with the claim (None: not compared).
    pub value_agrees: Option<bool>,
    pub growth_agrees: Option<bool>,
    /// How far the source's level lies outside the claim's rounding, as a share of the level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_gap: Option<f64>,
    /// How far the source's growth lies outside the claim's rounding, in percentage points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth_gap: Option<f64>,
    /// The release states a forecast, not an outcome.
    pub is_forecast: bool,
    /// Where it comes from: file(s) with SHA-256, or the release's source and address.
    pub source: String,
    pub notes: Vec<String>,
}

impl Evidence {
    /// Agrees on everything compared; None when nothing could be compared.
    pub fn agrees(&self) -> Option<bool> {
        match (self.value_agrees, self.growth_agrees) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(true) && b.unwrap_or(true)),
        }
    }

    /// Within the revision bands on everything compared (true also when it agrees).
    pub fn close(&self) -> Option<bool> {
        self.agrees()?;
        let v = self.value_gap.is_none_or(|g| g <= LEVEL_BAND + 1e-12);
        let g = self.growth_gap.is_none_or(|g| g <= GROWTH_BAND + 1e-12);
        Some(v && g)
    }
}

/// A claim with its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub sentence_index: usize,
    pub sentence: String,
    #[serde(skip)]
    pub span: (usize, usize),
    pub frame: Frame,
    pub verdict: Verdict,
    pub explanation: String,
    /// The steps, for a reader to redo.
    pub computation: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// Every source consulted.
    pub sources: Vec<String>,
    /// The verdict of the whole sentence: its worst checked part (`not_checkable` only when no
    /// part could be checked).
    pub sentence_verdict: Verdict,
    /// When the sentence holds more than one figure: each of them, with its own verdict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
}

/// One checked figure of a sentence.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    /// Index of the part's claim in the list of checked claims.
    pub claim: usize,
    /// What the part states ("Germany exports to Russia 2022-06: 1.2 billion EUR").
    pub states: String,
    pub verdict: Verdict,
}

impl Verdict {
    /// How bad a verdict is for a sentence's grade: the worst checked part decides.
    fn severity(self) -> u8 {
        match self {
            Verdict::NotCheckable | Verdict::Forecast => 0,
            Verdict::Consistent => 1,
            Verdict::ConsistentOneSide => 2,
            Verdict::Close => 3,
            Verdict::Inconsistent => 4,
        }
    }
}

/// The sentence's verdict from its parts: the worst checked one; `not_checkable` (or `forecast`
/// when every part is one) when none could be checked.
pub fn worst(parts: &[Verdict]) -> Verdict {
    match parts.iter().copied().max_by_key(|v| v.severity()) {
        Some(v) if v.severity() > 0 => v,
        _ if !parts.is_empty() && parts.iter().all(|v| *v == Verdict::Forecast) => {
            Verdict::Forecast
        }
        _ => Verdict::NotCheckable,
    }
}

/// Fill each claim's sentence verdict and, for sentences with several figures, the parts.
fn grade_sentences(out: &mut [Checked]) {
    let mut i = 0;
    while i < out.len() {
        let mut j = i;
        while j < out.len() && out[j].sentence_index == out[i].sentence_index {
            j += 1;
        }
        let verdict = worst(&out[i..j].iter().map(|c| c.verdict).collect::<Vec<_>>());
        let parts: Vec<Part> = if j - i > 1 {
            (i..j)
                .map(|k| Part {
                    claim: k,
                    states: {
                        let f = &out[k].frame;
                        let p = frame_period(f).map(|p| p.label()).unwrap_or_default();
                        format!("{} {p}: {}", describe(f), claimed(f))
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                    },
                    verdict: out[k].verdict,
                })
                .collect()
        } else {
            Vec::new()
        };
        for c in &mut out[i..j] {
            c.sentence_verdict = verdict;
            c.parts = parts.clone();
        }
        i = j;
    }
}

/// A closed interval a stated number stands for.
fn interval(v: f64, high: Option<f64>, bound: Bound, decimals: u32) -> (f64, f64) {
    let half = 0.5 * 10f64.powi(-(decimals as i32));
    match bound {
        Bound::Exact => (v - half, v + half),
        Bound::Over => (v, f64::INFINITY),
        Bound::Under => (0.9 * v - half, v + half),
        Bound::About => {
            let w = (0.05 * v.abs()).max(half);
            (v - w, v + w)
        }
        Bound::Range => (v - half, high.unwrap_or(v) + half),
    }
}

/// The growth range words stand for; `half` is the half-width of their rounding (percentage points).
fn growth_interval(g: f64, bound: Bound, half: f64) -> (f64, f64) {
    match bound {
        Bound::Exact | Bound::Range => (g - half, g + half),
        Bound::Over => (g, f64::INFINITY),
        Bound::Under => (g - (0.1 * g.abs()).max(1.0), g + half),
        Bound::About => {
            let w = (0.1 * g.abs()).max(1.0);
            (g - w, g + w)
        }
    }
}

fn meet(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 <= b.1 + 1e-9 && b.0 <= a.1 + 1e-9
}

/// A source's value in the claim's scale and unit ("2.73 billion EUR").
fn in_units(f: &Frame, v: f64) -> String {
    format!(
        "{} {} {}",
        fmt_num(v),
        f.scale.as_deref().unwrap_or(""),
        f.unit.as_deref().unwrap_or("")
    )
}

/// Decimals of a number as the text showed it (12.0 → 0, 0.362 → 3).
fn shown_decimals(x: f64) -> u32 {
    let t = format!("{}", x.abs());
    t.split_once('.').map_or(0, |(_, d)| d.len().min(6) as u32)
}

fn fmt_num(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

fn parse_month(s: &str) -> Option<Month> {
    let (y, m) = s.split_once('-')?;
    Month::new(y.parse().ok()?, m.parse().ok()?).ok()
}

fn frame_period(f: &Frame) -> Option<Period> {
    Period::window(
        parse_month(f.period_start.as_deref()?)?,
        parse_month(f.period_end.as_deref()?)?,
    )
    .ok()
}

fn flow_kind(f: Flow) -> FlowKind {
    match f {
        Flow::Turnover => FlowKind::Turnover,
        Flow::Exports => FlowKind::Exports,
        Flow::Imports => FlowKind::Imports,
        Flow::Balance => FlowKind::Balance,
    }
}

fn party_name(code: &str) -> String {
    if detour_core::group::Groups::global().is_group(code) {
        return code.to_string();
    }
    detour_core::country::Countries::global()
        .get(code)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// The store's answers within one check: a long text asks the same question many times (the same
/// pair and year in many sentences, every year of a pair for each record claim), and each is
/// asked of the store once.
struct Answers<'a> {
    store: &'a Store,
    memo: std::sync::Mutex<std::collections::HashMap<String, Result<TradeResult, Unanswered>>>,
}

/// Why the store gave no answer, kept for the questions asked again.
#[derive(Clone)]
enum Unanswered {
    NoData,
    Failed(String),
}

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unanswered::NoData => f.write_str("no data"),
            Unanswered::Failed(e) => f.write_str(e),
        }
    }
}

impl<'a> Answers<'a> {
    fn new(store: &'a Store) -> Self {
        Answers {
            store,
            memo: Default::default(),
        }
    }

    fn memo(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Result<TradeResult, Unanswered>>>
    {
        // A check that panicked while holding the lock left the map whole (inserts are atomic).
        self.memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn trade(&self, q: &TradeQuery) -> Result<TradeResult, Unanswered> {
        let key = format!("{q:?}");
        if let Some(r) = self.memo().get(&key) {
            return r.clone();
        }
        let r = detour_monitor::trade(self.store, q).map_err(|e| match e {
            MonitorError::NoData { .. } => Unanswered::NoData,
            e => Unanswered::Failed(e.to_string()),
        });
        self.memo().insert(key, r.clone());
        r
    }
}

/// The store's figures for a claim's question, from each reporter side.
fn store_evidence(
    store: &Answers,
    claim: &Claim,
    period: &Period,
    notes: &mut Vec<String>,
) -> Vec<Evidence> {
    let f = &claim.frame;
    let (Some(a), Some(b), Some(flow)) = (&f.country_a, &f.country_b, f.flow) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for side in [Side::Reporter, Side::Partner] {
        let mut q = TradeQuery::new(a, b, flow_kind(flow), *period).with_yoy(
            (f.yoy_growth_pct.is_some() || f.abs_change.is_some()) && f.growth_base_year.is_none(),
        );
        q.side = side;
        q.currency = f.unit.clone();
        let r = match store.trade(&q) {
            Ok(r) => r,
            Err(Unanswered::NoData) => continue,
            Err(e) => {
                notes.push(format!(
                    "store ({} side): {e}",
                    if side == Side::Reporter { a } else { b }
                ));
                continue;
            }
        };
        let scale = scale_factor(f.scale.as_deref());
        let mut ev_notes = r.notes.clone();
        if !r.complete {
            ev_notes.push(format!(
                "incomplete: {} — not used for the verdict",
                r.missing
                    .iter()
                    .take(6)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        for rate in &r.rates {
            if ev_notes.len() < 12 {
                ev_notes.push(format!(
                    "{}→{} {} {:?} {:.4}",
                    rate.from, rate.to, rate.period, rate.basis, rate.rate
                ));
            }
        }
        let value = r.value / scale;
        let claim_iv = f.value.map(|v| {
            interval(
                v,
                f.value_high,
                f.bound.unwrap_or(Bound::Exact),
                claim.value_decimals,
            )
        });
        let mut value_agrees = match (claim_iv, r.complete) {
            (Some(iv), true) => Some(meet(iv, (value, value))),
            _ => None,
        };
        let mut value_gap = match (claim_iv, r.complete) {
            (Some(iv), true) if value != 0.0 => Some(gap(iv, value) / value.abs()),
            _ => None,
        };
        // Growth against a named year ("5.1-fold compared with 2021"): the same months of that year,
        // from the same side's statistics.
        let mut yoy = r.yoy_pct;
        // The total a change is measured from: the same months a year earlier, or of the named year.
        let mut base_total: Option<(f64, String)> = match (r.previous_value, r.previous_complete) {
            (Some(p), Some(true)) if f.growth_base_year.is_none() => Some((
                p,
                r.previous_period
                    .clone()
                    .unwrap_or_else(|| "the year before".into()),
            )),
            _ => None,
        };
        if let (Some(by), true, true) = (
            f.growth_base_year,
            f.yoy_growth_pct.is_some() || f.abs_change.is_some(),
            r.complete,
        ) {
            let shift = i64::from(by - period.start.year) * 12;
            let base_period = Period::window(period.start.plus(shift), period.end.plus(shift));
            if let Ok(bp) = base_period {
                let mut bq = q.clone();
                bq.period = bp;
                bq.yoy = false;
                match store.trade(&bq) {
                    Ok(br) if br.complete && br.value > 0.0 => {
                        yoy = Some(100.0 * (r.value / br.value - 1.0));
                        base_total = Some((br.value, bp.label()));
                        ev_notes.push(format!(
                            "growth against {}: {} → {} ({:+.1}%)",
                            bp.label(),
                            fmt_num(br.value / scale),
                            fmt_num(value),
                            100.0 * (r.value / br.value - 1.0)
                        ));
                    }
                    _ => ev_notes.push(format!("no complete data for the base {}", bp.label())),
                }
            }
        }
        // A change stated in currency ("fell by €34 billion", "an increase of $12 billion"):
        // against the change from the same months a year earlier, on the same side's statistics,
        // within its own rounding; its gap is relative to the true change.
        if let (Some(c), true, Some((prev, prev_label))) =
            (f.abs_change, r.complete, base_total.clone())
        {
            let truth = (r.value - prev) / scale;
            let iv = interval(c, None, Bound::Exact, shown_decimals(c));
            let agrees = meet(iv, (truth, truth));
            value_agrees = Some(value_agrees.unwrap_or(true) && agrees);
            if truth != 0.0 {
                let g = gap(iv, truth) / truth.abs();
                value_gap = Some(value_gap.map_or(g, |v| v.max(g)));
            }
            ev_notes.push(format!(
                "change against {}: stated {}, from the data {}",
                prev_label,
                fmt_num(c),
                fmt_num(truth)
            ));
        }
        // Month-on-month: against the window just before, from the same side's statistics.
        let mut mom = None;
        if let (Some(_), true) = (f.mom_growth_pct, r.complete) {
            let n = period.len_months() as i64;
            if let Ok(bp) = Period::window(period.start.plus(-n), period.end.plus(-n)) {
                let mut bq = q.clone();
                bq.period = bp;
                bq.yoy = false;
                match store.trade(&bq) {
                    Ok(br) if br.complete && br.value > 0.0 => {
                        let g = 100.0 * (r.value / br.value - 1.0);
                        mom = Some(g);
                        ev_notes.push(format!(
                            "growth against the window before, {}: {} → {} ({g:+.1}%)",
                            bp.label(),
                            fmt_num(br.value / scale),
                            fmt_num(value)
                        ));
                    }
                    _ => ev_notes.push(format!("no complete data for {}", bp.label())),
                }
            }
        }
        let growth_iv = |g: f64| {
            growth_interval(
                g,
                claim.growth_bound.unwrap_or(Bound::Exact),
                claim.growth_tolerance,
            )
        };
        let compared: Vec<((f64, f64), f64)> = [(f.yoy_growth_pct, yoy), (f.mom_growth_pct, mom)]
            .into_iter()
            .filter_map(|(c, t)| Some((growth_iv(c?), t?)))
            .collect();
        let growth_agrees =
            (!compared.is_empty()).then(|| compared.iter().all(|(iv, t)| meet(*iv, (*t, *t))));
        let growth_gap = compared.iter().map(|(iv, t)| gap(*iv, *t)).reduce(f64::max);
        out.push(Evidence {
            kind: "store".into(),
            reporter_side: r.reporter_side.clone(),
            period: r.period.clone(),
            value: Some(value),
            yoy_growth_pct: yoy,
            value_agrees,
            growth_agrees,
            value_gap,
            growth_gap,
            is_forecast: false,
            source: r
                .provenance
                .iter()
                .map(|p| {
                    format!(
                        "{} ({}, sha256 {})",
                        p.file,
                        p.source,
                        &p.sha256[..12.min(p.sha256.len())]
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            notes: ev_notes,
        });
    }
    out
}

/// Does a release answer the claim's question (same parties and flow, either orientation)?
fn release_matches(r: &Release, f: &Frame) -> bool {
    let (Some(a), Some(b), Some(flow)) = (&f.country_a, &f.country_b, f.flow) else {
        return false;
    };
    let same = r.country_a == *a && r.country_b == *b;
    let swapped = r.country_a == *b && r.country_b == *a;
    match flow {
        Flow::Turnover => r.flow == Flow::Turnover && (same || swapped),
        Flow::Exports => (same && r.flow == Flow::Exports) || (swapped && r.flow == Flow::Imports),
        Flow::Imports => (same && r.flow == Flow::Imports) || (swapped && r.flow == Flow::Exports),
        Flow::Balance => same && r.flow == Flow::Balance,
    }
}

fn release_evidence(r: &Release, claim: &Claim) -> Evidence {
    let f = &claim.frame;
    let mut notes = Vec::new();
    let conv = scale_factor(Some(&r.scale)) / scale_factor(f.scale.as_deref());
    let same_currency = f.unit.as_deref().is_none_or(|u| u == r.currency);
    let scaled = |s: &Stated| -> (f64, (f64, f64)) {
        let (lo, hi) = interval(s.value, s.high, s.bound, s.decimals);
        (s.value * conv, (lo * conv, hi * conv))
    };
    let mut value = None;
    let mut value_agrees = None;
    let mut value_gap = None;
    if let Some(s) = &r.value {
        if same_currency {
            let (v, iv) = scaled(s);
            value = Some(v);
            if let Some(cv) = f.value {
                let civ = interval(
                    cv,
                    f.value_high,
                    f.bound.unwrap_or(Bound::Exact),
                    claim.value_decimals,
                );
                value_agrees = Some(meet(civ, iv));
                if v != 0.0 {
                    value_gap = Some(gap2(civ, iv) / v.abs());
                }
            }
        } else {
            notes.push(format!(
                "stated in {} ({} {}), not comparable with a claim in {}",
                r.currency,
                s.value,
                r.scale,
                f.unit.as_deref().unwrap_or("?")
            ));
        }
        if !s.note.is_empty() {
            notes.push(format!("value as stated: {} ({})", s.value, s.note));
        }
    }
    let mut growth_agrees = None;
    let mut growth_gap = None;
    if let (Some(g), Some(s)) = (f.yoy_growth_pct, &r.yoy_growth_pct) {
        if s.note.contains("vs ") {
            notes.push(format!(
                "growth as stated: {} ({}) — another base, not compared",
                s.value, s.note
            ));
        } else {
            let civ = growth_interval(
                g,
                claim.growth_bound.unwrap_or(Bound::Exact),
                claim.growth_tolerance,
            );
            let riv = growth_interval(s.value, s.bound, 0.5 * 10f64.powi(-(s.decimals as i32)));
            growth_agrees = Some(meet(civ, riv));
            growth_gap = Some(gap2(civ, riv));
        }
    }
    if let Some(by) = &f.attributed_to {
        let last = by.split_whitespace().last().unwrap_or("");
        if last.len() > 3 && (r.source_name.contains(last) || r.quote.contains(last)) {
            notes.push(format!(
                "this release reports {by}'s own statement: it confirms the quote, not the figure"
            ));
        }
    }
    Evidence {
        kind: "release".into(),
        reporter_side: r.reporter_side.clone(),
        period: r.period.label(),
        value,
        yoy_growth_pct: r.yoy_growth_pct.as_ref().map(|s| s.value),
        value_agrees,
        growth_agrees,
        value_gap,
        growth_gap,
        is_forecast: r.is_forecast,
        source: format!(
            "{} <{}> ({}:{})",
            r.source_name, r.source_url, r.file, r.line
        ),
        notes,
    }
}

/// Check every claim. `store` may be absent (then only the releases count); `date` is the
/// article's date, used to tell which periods had ended when it was written.
pub fn check(
    store: Option<&Store>,
    releases: &[Release],
    claims: &[Claim],
    date: Option<NaiveDate>,
) -> Vec<Checked> {
    check_until(store, releases, claims, date, detour_core::Deadline::none()).unwrap_or_default()
}

/// [`check`] that stops with [`Expired`](detour_core::Expired) once `deadline` has passed
/// (checked before each claim), rather than return the verdicts of some claims only.
pub fn check_until(
    store: Option<&Store>,
    releases: &[Release],
    claims: &[Claim],
    date: Option<NaiveDate>,
    deadline: detour_core::Deadline,
) -> Result<Vec<Checked>, detour_core::Expired> {
    let mut out: Vec<Checked> = Vec::with_capacity(claims.len());
    let answers = store.map(Answers::new);
    // The store's questions first, on every core: one claim of each distinct frame is checked
    // and its answers kept; the pass below then reads them in order (the verdicts are the same
    // as one pass alone gives, as the answers do not depend on the order they are asked in).
    if let Some(a) = &answers {
        use rayon::prelude::*;
        let mut seen = std::collections::HashSet::new();
        let firsts: Vec<&Claim> = claims
            .iter()
            .filter(|c| seen.insert(format!("{:?}", c.frame)))
            .collect();
        if firsts.len() > 1 {
            firsts.par_iter().for_each(|c| {
                if deadline.check().is_ok() {
                    let _ = check_one(Some(a), releases, c, date);
                }
            });
        }
    }
    for c in claims {
        deadline.check()?;
        out.push(check_one(answers.as_ref(), releases, c, date));
    }
    cross_check(&mut out);
    grade_sentences(&mut out);
    Ok(out)
}

fn describe(f: &Frame) -> String {
    let flow = match f.flow {
        Some(Flow::Exports) => "exports to",
        Some(Flow::Imports) => "imports from",
        Some(Flow::Balance) => "trade balance with",
        _ => "trade with",
    };
    format!(
        "{} {} {}",
        f.country_a.as_deref().map(party_name).unwrap_or("?".into()),
        flow,
        f.country_b.as_deref().map(party_name).unwrap_or("?".into())
    )
}

fn claimed(f: &Frame) -> String {
    let mut s = String::new();
    if let Some(v) = f.value {
        let b = match f.bound {
            Some(Bound::Over) => "over ",
            Some(Bound::Under) => "under/almost ",
            Some(Bound::About) => "about ",
            _ => "",
        };
        let hi = f.value_high.map(|h| format!("-{h}")).unwrap_or_default();
        s.push_str(&format!(
            "{b}{v}{hi} {} {}",
            f.scale.as_deref().unwrap_or(""),
            f.unit.as_deref().unwrap_or("")
        ));
    }
    if let Some(c) = f.abs_change {
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str(&format!(
            "a change of {c:+} {} {}",
            f.scale.as_deref().unwrap_or(""),
            f.unit.as_deref().unwrap_or("")
        ));
    }
    if let Some(g) = f.yoy_growth_pct {
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str(&format!("{g:+}%"));
        if let Some(by) = f.growth_base_year {
            s.push_str(&format!(" against {by}"));
        }
    }
    if let Some(g) = f.mom_growth_pct {
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str(&format!("{g:+}% on the window before"));
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_one(
    store: Option<&Answers>,
    releases: &[Release],
    claim: &Claim,
    date: Option<NaiveDate>,
) -> Checked {
    let f = &claim.frame;
    let mut computation = Vec::new();
    let mut notes = Vec::new();
    let done = |verdict: Verdict,
                explanation: String,
                computation: Vec<String>,
                evidence: Vec<Evidence>| {
        let mut sources: Vec<String> = evidence.iter().map(|e| e.source.clone()).collect();
        sources.sort();
        sources.dedup();
        Checked {
            sentence_index: claim.sentence_index,
            sentence: claim.sentence.clone(),
            span: claim.span,
            frame: f.clone(),
            verdict,
            explanation,
            computation,
            evidence,
            sources,
            sentence_verdict: verdict,
            parts: Vec::new(),
        }
    };
    if f.country_a.is_none() || f.country_b.is_none() {
        return done(
            Verdict::NotCheckable,
            "the text does not say between which two countries or blocs; a check needs both parties".into(),
            computation,
            Vec::new(),
        );
    }
    if let (Some(v), Some(g)) = (f.value, f.yoy_growth_pct)
        && f.growth_base_year.is_none()
        && let Some(base) = detour_monitor::implied_base(v, g)
    {
        computation.push(format!(
            "implied base a year earlier: {v} / (1 {} {:.4}) = {}",
            if g >= 0.0 { '+' } else { '-' },
            g.abs() / 100.0,
            fmt_num(base)
        ));
    }
    let Some(period) = frame_period(f) else {
        // No period: say which stated figures the value would match.
        let mut hints = Vec::new();
        for r in releases
            .iter()
            .filter(|r| release_matches(r, f) && !r.is_forecast)
        {
            if date.is_some_and(|d| r.period.last_day() >= d) {
                continue;
            }
            let ev = release_evidence(r, claim);
            if ev.value_agrees == Some(true) {
                hints.push(format!(
                    "{} as reported by {} ({})",
                    r.period.label(),
                    r.reporter_side,
                    fmt_num(ev.value.unwrap_or(0.0))
                ));
            }
        }
        let mut expl = format!(
            "no period stated for {} of {}; a check needs the months it covers",
            describe(f),
            claimed(f)
        );
        hints.dedup();
        if !hints.is_empty() {
            expl.push_str(&format!("; the figure matches {}", hints.join(", ")));
        }
        if f.is_record {
            expl.push_str(&record_note(store, releases, f, date));
        }
        return done(Verdict::NotCheckable, expl, computation, Vec::new());
    };
    let what = format!("{} {} {}", describe(f), period.label(), claimed(f));
    let mut evidence = Vec::new();
    if let Some(st) = store {
        evidence.extend(store_evidence(st, claim, &period, &mut notes));
    }
    // The text cites one side's statistics ("according to Azerbaijan's State Customs
    // Committee"): the check uses that side's figures; the other side's are shown, not used.
    if let Some(cited) = f.cites_statistics_of.as_deref()
        && [f.country_a.as_deref(), f.country_b.as_deref()].contains(&Some(cited))
    {
        let (own, other): (Vec<Evidence>, Vec<Evidence>) = evidence
            .into_iter()
            .partition(|e| e.kind != "store" || e.reporter_side == cited);
        evidence = own;
        if !evidence.iter().any(|e| e.kind == "store") {
            let shown: Vec<String> = other
                .iter()
                .map(|e| {
                    format!(
                        "{}'s statistics give {}",
                        e.reporter_side,
                        e.value
                            .map(|v| in_units(f, v))
                            .unwrap_or_else(|| "no value".into())
                    )
                })
                .collect();
            let mut expl = format!(
                "not checkable against the source the text cites: {what} is {}'s statistics, which are not loaded (needs {}'s own figures for {})",
                party_name(cited),
                party_name(cited),
                period.label()
            );
            if !shown.is_empty() {
                expl.push_str(&format!("; for comparison, {}", shown.join("; ")));
            }
            computation.extend(notes);
            return done(Verdict::NotCheckable, expl, computation, other);
        }
    }
    for r in releases
        .iter()
        .filter(|r| release_matches(r, f) && r.period == period)
    {
        evidence.push(release_evidence(r, claim));
    }
    for e in &evidence {
        computation.push(format!(
            "{}{} [{}], {}: {}{}{}",
            e.kind,
            if e.is_forecast { " (a forecast)" } else { "" },
            e.reporter_side,
            e.period,
            e.value
                .map(|v| in_units(f, v))
                .unwrap_or_else(|| "no value".into()),
            e.yoy_growth_pct
                .map(|g| format!(", {g:+.1}% year on year"))
                .unwrap_or_default(),
            match e.agrees() {
                Some(true) => " — agrees",
                Some(false) => " — differs",
                None => "",
            }
        ));
        computation.extend(
            e.notes
                .iter()
                .filter(|n| n.starts_with("change against"))
                .map(|n| format!("  {n}")),
        );
    }
    computation.extend(notes);
    let outcomes: Vec<&Evidence> = evidence.iter().filter(|e| !e.is_forecast).collect();
    if f.is_forecast {
        let compared: Vec<&&Evidence> = outcomes
            .iter()
            .filter(|e| e.value_agrees.is_some())
            .collect();
        let expl = if compared.is_empty() {
            if date.is_some_and(|d| period.last_day() >= d) || date.is_none() {
                format!(
                    "forecast: {what}; the period had not ended when the text was written — check again when outcome data for {} is loaded",
                    period.label()
                )
            } else {
                format!(
                    "forecast: {what}; no outcome data for {} is loaded",
                    period.label()
                )
            }
        } else {
            let parts: Vec<String> = compared
                .iter()
                .map(|e| {
                    format!(
                        "{} reports {}{}",
                        e.reporter_side,
                        fmt_num(e.value.unwrap_or(0.0)),
                        if e.value_agrees == Some(true) {
                            " (met)"
                        } else {
                            " (not met)"
                        }
                    )
                })
                .collect();
            format!("forecast: {what}; outcome: {}", parts.join("; "))
        };
        return done(Verdict::Forecast, expl, computation, evidence);
    }
    // Sides with a usable comparison.
    // Statistics decide where they answer; official statements are shown beside them but only
    // decide where no statistics are loaded (a statement is a source, not the record).
    let stats_answer = outcomes
        .iter()
        .any(|e| e.kind == "store" && e.agrees().is_some());
    let mut sides: Vec<(String, bool, Vec<&Evidence>)> = Vec::new();
    for e in outcomes
        .iter()
        .filter(|e| e.agrees().is_some() && (e.kind == "store" || !stats_answer))
    {
        match sides.iter_mut().find(|s| s.0 == e.reporter_side) {
            Some(s) => {
                s.1 |= e.agrees() == Some(true);
                s.2.push(e);
            }
            None => sides.push((e.reporter_side.clone(), e.agrees() == Some(true), vec![e])),
        }
    }
    let known: Vec<&(String, bool, Vec<&Evidence>)> =
        sides.iter().filter(|s| s.0 != "unknown").collect();
    let diff_text = |e: &Evidence| -> String {
        let mut parts = Vec::new();
        if let (Some(v), Some(cv)) = (e.value, f.value)
            && e.value_agrees == Some(false)
        {
            parts.push(format!(
                "{} ({:+.1}% from the claim)",
                in_units(f, v),
                100.0 * (v / cv - 1.0)
            ));
        }
        if let (Some(g), Some(cg)) = (e.yoy_growth_pct, f.yoy_growth_pct)
            && e.growth_agrees == Some(false)
        {
            parts.push(format!("growth {g:+.1}% against the claimed {cg:+}%"));
        }
        if parts.is_empty() {
            "agrees".into()
        } else {
            parts.join(", ")
        }
    };
    let source_word = |e: &Evidence| {
        if e.kind == "store" {
            "statistics"
        } else {
            "official release"
        }
    };
    if sides.is_empty() {
        let have: Vec<String> = evidence
            .iter()
            .map(|e| format!("{} {} ({})", e.reporter_side, e.period, e.notes.join("; ")))
            .collect();
        let mut expl = format!(
            "no data for {what}: needs {} or {}'s statistics for {} (monthly or for exactly that window), or an official release for it",
            f.country_a.as_deref().map(party_name).unwrap_or_default(),
            f.country_b.as_deref().map(party_name).unwrap_or_default(),
            period.label()
        );
        if !have.is_empty() {
            expl.push_str(&format!("; found only: {}", have.join(", ")));
        }
        let near: Vec<String> = releases
            .iter()
            .filter(|r| {
                release_matches(r, f)
                    && r.period != period
                    && r.period.start.year == period.start.year
            })
            .map(|r| {
                format!(
                    "{} {} ({})",
                    r.reporter_side,
                    r.period.label(),
                    r.source_name
                )
            })
            .take(4)
            .collect();
        if !near.is_empty() {
            expl.push_str(&format!(
                "; releases for other windows of that year: {}",
                near.join(", ")
            ));
        }
        return done(Verdict::NotCheckable, expl, computation, evidence);
    }
    let agreeing: Vec<&(String, bool, Vec<&Evidence>)> = sides.iter().filter(|s| s.1).collect();
    let disagreeing: Vec<&(String, bool, Vec<&Evidence>)> = sides.iter().filter(|s| !s.1).collect();
    let describe_side = |s: &(String, bool, Vec<&Evidence>)| -> String {
        let e =
            s.2.iter()
                .find(|e| e.agrees() == Some(s.1))
                .unwrap_or(&s.2[0]);
        if s.1 {
            format!("{}'s {}", s.0, source_word(e))
        } else {
            format!("{}'s {} ({})", s.0, source_word(e), diff_text(e))
        }
    };
    let mut caveats: Vec<String> = evidence
        .iter()
        .flat_map(|e| {
            e.notes
                .iter()
                .filter(|n| n.contains("confirms the quote"))
                .cloned()
        })
        .collect();
    caveats.dedup();
    let caveat = if caveats.is_empty() {
        String::new()
    } else {
        format!("; note: {}", caveats.join("; "))
    };
    if disagreeing.is_empty() {
        let only = if known.len() == 1 {
            let other = [f.country_a.as_deref(), f.country_b.as_deref()]
                .into_iter()
                .flatten()
                .find(|c| *c != known[0].0)
                .unwrap_or("the other side");
            let near: Vec<String> = releases
                .iter()
                .filter(|r| {
                    release_matches(r, f)
                        && r.reporter_side == other
                        && r.period != period
                        && r.period.start.year == period.start.year
                })
                .map(|r| {
                    let mut v = Vec::new();
                    if let Some(x) = &r.value {
                        v.push(format!("{} {}", x.value, r.scale));
                    }
                    if let Some(g) = &r.yoy_growth_pct {
                        v.push(format!("{:+}%", g.value));
                    }
                    format!("{} {}", r.period.label(), v.join(", "))
                })
                .take(4)
                .collect();
            let near = if near.is_empty() {
                String::new()
            } else {
                format!(" (its releases cover other windows: {})", near.join("; "))
            };
            format!(
                "; only {}'s figures are available for this window — {other}'s are not loaded{near}",
                known[0].0
            )
        } else {
            String::new()
        };
        let expl = format!(
            "consistent: {what} agrees with {}{only}{caveat}",
            agreeing
                .iter()
                .map(|s| describe_side(s))
                .collect::<Vec<_>>()
                .join(" and ")
        );
        return done(Verdict::Consistent, expl, computation, evidence);
    }
    if !agreeing.is_empty() {
        let expl = format!(
            "consistent with one reporter only: {} agrees; {} differs{caveat}",
            agreeing
                .iter()
                .map(|s| describe_side(s))
                .collect::<Vec<_>>()
                .join(", "),
            disagreeing
                .iter()
                .map(|s| describe_side(s))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return done(Verdict::ConsistentOneSide, expl, computation, evidence);
    }
    let close: Vec<&&Evidence> = outcomes
        .iter()
        .filter(|e| e.close() == Some(true) && (e.kind == "store" || !stats_answer))
        .collect();
    if let Some(best) = close.iter().min_by(|a, b| {
        let k = |e: &Evidence| e.value_gap.unwrap_or(0.0) * 100.0 + e.growth_gap.unwrap_or(0.0);
        k(a).total_cmp(&k(b))
    }) {
        let expl = format!(
            "close: {what} — {}'s {}: {}; beyond the figure's rounding but within the size of routine revisions of trade statistics ({}% of the level, {} points of growth){caveat}",
            best.reporter_side,
            source_word(best),
            diff_text(best),
            LEVEL_BAND * 100.0,
            GROWTH_BAND
        );
        return done(Verdict::Close, expl, computation, evidence);
    }
    let expl = format!(
        "inconsistent: {what} — {}{caveat}",
        disagreeing
            .iter()
            .map(|s| describe_side(s))
            .collect::<Vec<_>>()
            .join("; ")
    );
    done(Verdict::Inconsistent, expl, computation, evidence)
}

/// Whether a value would be a record, from the full-year figures the store and releases hold.
fn record_note(
    store: Option<&Answers>,
    releases: &[Release],
    f: &Frame,
    date: Option<NaiveDate>,
) -> String {
    let mut years: Vec<(i32, f64, String)> = Vec::new();
    let ended = |p: &Period| date.is_none_or(|d| p.last_day() < d);
    for r in releases.iter().filter(|r| {
        release_matches(r, f) && !r.is_forecast && r.period.is_calendar_year() && ended(&r.period)
    }) {
        if let Some(v) = &r.value
            && f.unit.as_deref() == Some(r.currency.as_str())
        {
            let conv = scale_factor(Some(&r.scale)) / scale_factor(f.scale.as_deref());
            years.push((
                r.period.start.year,
                v.value * conv,
                format!("{} release", r.reporter_side),
            ));
        }
    }
    if let (Some(st), Some(a), Some(b), Some(flow)) = (store, &f.country_a, &f.country_b, f.flow) {
        for y in 2000..=2030 {
            let Ok(p) = Period::year(y) else { continue };
            if !ended(&p) {
                continue;
            }
            // Each side's statistics: a record in one country's figures may not be one in the other's.
            for side in [Side::Reporter, Side::Partner] {
                let mut q = TradeQuery::new(a, b, flow_kind(flow), p);
                q.currency = f.unit.clone();
                q.side = side;
                if let Ok(r) = st.trade(&q)
                    && r.complete
                {
                    years.push((
                        y,
                        r.value / scale_factor(f.scale.as_deref()),
                        format!("{} statistics", r.reporter_side),
                    ));
                }
            }
        }
    }
    if years.is_empty() {
        return String::new();
    }
    years.sort_by(|x, y| y.1.total_cmp(&x.1));
    // The highest figure of each year, three years.
    let mut by_year = years.clone();
    let mut seen = Vec::new();
    by_year.retain(|(y, _, _)| {
        let new = !seen.contains(y);
        seen.push(*y);
        new
    });
    let top: Vec<String> = by_year
        .iter()
        .take(3)
        .map(|(y, v, s)| format!("{y} {} ({s})", fmt_num(*v)))
        .collect();
    let mut note = format!(
        "; the record claim against the full years loaded (highest first): {}",
        top.join(", ")
    );
    // The statistics alone: each side's highest year, where it differs from the top above.
    let mut stats: Vec<String> = Vec::new();
    let mut sides_seen: Vec<&str> = Vec::new();
    for (y, v, src) in years.iter().filter(|x| x.2.ends_with("statistics")) {
        if !sides_seen.contains(&src.as_str()) {
            sides_seen.push(src);
            stats.push(format!("{src}: {y} {}", fmt_num(*v)));
        }
    }
    if !stats.is_empty() {
        note.push_str(&format!(
            "; highest year in the statistics alone — {}",
            stats.join("; ")
        ));
    }
    note
}

/// Claims in one text about the same pair and flow, nested windows of one year: a Jan–Jun and a
/// Jan–Jul figure imply July; a smaller window cannot exceed a larger one.
fn cross_check(out: &mut [Checked]) {
    // Claims grouped by pair, flow, unit and window start; within a group each window is set
    // against the next few larger ones (at most [`NESTED`]), so that the work stays linear in the
    // number of claims however many a text holds.
    const NESTED: usize = 4;
    type Key = ([Option<String>; 2], Option<Flow>, Option<String>, Month);
    // Each comparable claim's window and value, once.
    let windows: Vec<Option<(Period, f64)>> = out
        .iter()
        .map(|c| {
            let f = &c.frame;
            if f.is_forecast {
                return None;
            }
            Some((frame_period(f)?, f.value_units()?))
        })
        .collect();
    let mut groups: std::collections::HashMap<Key, Vec<(Month, usize)>> =
        std::collections::HashMap::new();
    for (i, (c, w)) in out.iter().zip(&windows).enumerate() {
        let Some((p, _)) = w else { continue };
        let f = &c.frame;
        let mut v = [f.country_a.clone(), f.country_b.clone()];
        if f.flow == Some(Flow::Turnover) {
            v.sort();
        }
        groups
            .entry((v, f.flow, f.unit.clone(), p.start))
            .or_default()
            .push((p.end, i));
    }
    // (a, b): a's window inside b's, both from the same start.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for by_end in groups.values_mut() {
        by_end.sort_unstable();
        for &(end, i) in by_end.iter() {
            let first = by_end.partition_point(|&(e, _)| e <= end);
            pairs.extend(by_end[first..].iter().take(NESTED).map(|&(_, j)| (i, j)));
        }
    }
    pairs.sort_unstable();
    let mut notes: Vec<(usize, String)> = Vec::new();
    for (i, j) in pairs {
        let (Some((pa, va)), Some((pb, vb))) = (windows[i], windows[j]) else {
            continue;
        };
        let (a, b) = (&out[i].frame, &out[j].frame);
        let rest = vb - va;
        let months = pb.len_months() - pa.len_months();
        let msg = if rest < 0.0 && a.bound != Some(Bound::Over) {
            format!(
                "related claim in the text: {} for {} is less than {} for {} — the two cannot both hold",
                fmt_num(vb / scale_factor(b.scale.as_deref())),
                pb.label(),
                fmt_num(va / scale_factor(a.scale.as_deref())),
                pa.label()
            )
        } else {
            format!(
                "related claim in the text: with {} for {}, the {} month(s) after {} come to {} {} {}",
                fmt_num(vb / scale_factor(b.scale.as_deref())),
                pb.label(),
                months,
                pa.end,
                fmt_num(rest / scale_factor(a.scale.as_deref())),
                a.scale.as_deref().unwrap_or(""),
                a.unit.as_deref().unwrap_or("")
            )
        };
        notes.push((i, msg));
    }
    for (i, m) in notes {
        out[i].computation.push(m.clone());
        out[i].explanation.push_str(&format!("; {m}"));
    }
}

/// A check's report as JSON gives it (the CLI, the HTTP API and the Python package): written
/// straight from the checked claims, with no intermediate JSON tree (a long text has tens of
/// thousands of claims). `file` is the CLI's input name.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub claims: &'a [Checked],
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<&'a str>,
    pub summary: std::collections::BTreeMap<&'static str, usize>,
}

impl<'a> Report<'a> {
    pub fn new(checked: &'a [Checked], date: Option<NaiveDate>, file: Option<&'a str>) -> Self {
        Report {
            claims: checked,
            date: date.map(|d| d.to_string()),
            file,
            summary: summary(checked),
        }
    }
}

/// Counts of each verdict.
pub fn summary(checked: &[Checked]) -> std::collections::BTreeMap<&'static str, usize> {
    let mut m = std::collections::BTreeMap::new();
    for c in checked {
        *m.entry(c.verdict.as_str()).or_insert(0) += 1;
    }
    m
}
