//! Product level: sanctioned (CHPL) goods against other goods, when HS-6 data is loaded.
//!
//! Panel: exports of the senders (summed) by HS-6 product p, destination d (the target and each
//! conduit) and year t, zeros included for product–destination pairs that trade at all. PPML with
//! product×destination and destination×year effects:
//!
//! `exports ~ CHPL×target×after + CHPL×conduits×after | p^d + d^t`
//!
//! so each coefficient compares CHPL goods with the other goods sent to the same destinations,
//! after against before (the destination×year effects absorb everything that moved all goods to a
//! destination, such as the general fall of exports to the target). Product×year effects would leave
//! only the difference between the two coefficients identified, since CHPL × after is then absorbed. The event study replaces `after` by one dummy per year (the last
//! baseline year the reference). Substitution ratio per CHPL product: the rise of its exports to the
//! conduits over the fall of its exports to the target, after-window mean against baseline mean.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use detour_core::hs::{ChplMatch, HsEdition, chpl_in_edition};
use detour_hdfe::{Design, Options, VcovType};
use detour_store::Store;
use serde::Serialize;

use crate::{Error, GravityEffect, column_strings};

/// The product-level question.
#[derive(Debug, Clone)]
pub struct ProductQuery {
    pub senders: String,
    pub target: String,
    pub conduits: Vec<String>,
    /// Years of the baseline and of the after window (inclusive).
    pub baseline_years: (i32, i32),
    pub after_years: (i32, i32),
    /// CHPL tiers (`1`, `2`, `3A`, …); empty: all.
    pub tiers: Vec<String>,
    /// The HS edition of the data; `None`: read from the file names (`BACI_HS17_…`), else the edition in force.
    pub edition: Option<HsEdition>,
    /// The baseline and after windows by month. Monthly data (Eurostat's CN8 file) is then read
    /// month by month (baseline 2020-01..2022-02 against 2022-03..2022-11); yearly data (BACI)
    /// uses the years above.
    pub windows: Option<(detour_core::period::Period, detour_core::period::Period)>,
    /// Stop with [`Error::Expired`] once this has passed.
    pub deadline: detour_core::Deadline,
}

impl ProductQuery {
    /// The question by month windows (the years follow from them). `products`: `chpl` or `all` for
    /// every CHPL tier, else a comma-separated list of tiers (`1,2`).
    pub fn by_windows(
        senders: &str,
        target: &str,
        conduits: &[String],
        baseline: detour_core::period::Period,
        after: detour_core::period::Period,
        products: &str,
    ) -> ProductQuery {
        let p = products.trim();
        ProductQuery {
            senders: senders.to_string(),
            target: target.to_string(),
            conduits: conduits.to_vec(),
            baseline_years: (baseline.start.year, baseline.end.year),
            after_years: (after.start.year, after.end.year),
            tiers: if p.eq_ignore_ascii_case("all") || p.eq_ignore_ascii_case("chpl") {
                Vec::new()
            } else {
                p.trim_start_matches("chpl:")
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            },
            edition: None,
            windows: Some((baseline, after)),
            deadline: detour_core::Deadline::none(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EventPoint {
    /// The calendar year of the point (of its first month for monthly data).
    pub year: i32,
    /// The point's period: a year, or for monthly data the three months starting `YYYY-MM`
    /// (counted back from the after window; the three months before it are the reference).
    pub period: String,
    pub destination: String,
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Substitution {
    pub chpl: String,
    pub data_code: String,
    /// After-window mean minus baseline mean, per year.
    pub target_change: f64,
    pub conduit_change: f64,
    /// conduit rise ÷ target fall (`None` when exports to the target did not fall).
    pub ratio: Option<f64>,
}

/// CHPL against other goods without a model: the change in percent, after against baseline.
#[derive(Debug, Clone, Serialize)]
pub struct GrowthComparison {
    /// The target, or `conduits` (summed).
    pub destination: String,
    pub chpl_pct: Option<f64>,
    /// All goods of the panel (for Eurostat's CN8 file: the goods the sanctions annexes name, so
    /// mostly other listed goods).
    pub panel_goods_pct: Option<f64>,
    /// All goods, from the total-goods rows of the same senders (where loaded).
    pub total_goods_pct: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductDid {
    pub model: String,
    pub edition: String,
    pub nobs: usize,
    pub products: usize,
    pub chpl_matched: Vec<ChplMatch>,
    pub chpl_unmatched: Vec<String>,
    /// CHPL goods found in the data.
    pub chpl_in_data: Vec<String>,
    pub effects: Vec<GravityEffect>,
    pub event_study: Vec<EventPoint>,
    pub substitution: Vec<Substitution>,
    /// Plain growth, after against baseline (per-year means): CHPL goods, all goods of the panel,
    /// and total goods from the total-goods statistics, for the target and the conduits together.
    pub growth: Vec<GrowthComparison>,
    pub converged: bool,
    pub notes: Vec<String>,
}

fn wrap(e: impl std::fmt::Display) -> Error {
    Error::Data(e.to_string())
}

/// The HS edition named by the store's file names (`HS17`, `HS22`, `H5`, …), if one.
fn edition_from_files(store: &Store) -> Option<HsEdition> {
    let mut found = BTreeSet::new();
    for e in &store.manifest().entries {
        let name = e.file.to_ascii_uppercase();
        for (tag, ed) in [
            ("HS17", HsEdition::Hs2017),
            ("HS2017", HsEdition::Hs2017),
            ("HS22", HsEdition::Hs2022),
            ("HS2022", HsEdition::Hs2022),
            ("HS12", HsEdition::Hs2012),
        ] {
            if name.contains(tag) {
                found.insert(ed);
            }
        }
    }
    (found.len() == 1).then(|| *found.iter().next().expect("one"))
}

/// Run the product-level analysis.
pub fn product_did(store: &Store, q: &ProductQuery) -> Result<ProductDid, Error> {
    let (mut b0, mut b1) = q.baseline_years;
    let (mut a0, mut a1) = q.after_years;
    let month_index = |m: detour_core::period::Month| m.year * 12 + m.month as i32 - 1;
    if let Some((bw, aw)) = &q.windows
        && bw.end >= aw.start
    {
        return Err(wrap(format!(
            "the baseline {} must end before the after window {} starts",
            bw.label(),
            aw.label()
        )));
    }
    let years_ok = b0 <= b1 && b1 < a0 && a0 <= a1;
    if !years_ok && q.windows.is_none() {
        return Err(wrap(format!(
            "baseline years {b0}..{b1} must end before the after years {a0}..{a1} start"
        )));
    }
    let mut notes = Vec::new();
    let edition = match q.edition.or_else(|| edition_from_files(store)) {
        Some(e) => e,
        None => {
            notes.push("HS edition not named by the files: the edition in force in the after window is assumed".into());
            HsEdition::in_force(a0)
        }
    };
    let tiers: Vec<&str> = q.tiers.iter().map(String::as_str).collect();
    let (matched, unmatched) = chpl_in_edition(&tiers, edition);
    let groups = detour_core::group::Groups::global();
    let day = chrono::NaiveDate::from_ymd_opt(a0, 1, 1).expect("a date");
    let senders = if groups.is_group(&q.senders) {
        groups.members_on(&q.senders, day)?
    } else {
        vec![q.senders.clone()]
    };
    let list = |v: &[String]| {
        v.iter()
            .map(|s| format!("'{}'", s.replace('\'', "")))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut dests = vec![q.target.clone()];
    dests.extend(q.conduits.iter().cloned());
    let sql = format!(
        "SELECT commodity, partner, year, SUM(value) AS v FROM flows \
         WHERE flow = 'export' AND length(commodity) = 6 AND reporter IN ({}) AND partner IN ({}) \
         AND year BETWEEN {b0} AND {a1} AND NOT (year > {b1} AND year < {a0}) \
         GROUP BY commodity, partner, year",
        list(&senders),
        list(&dests)
    );
    let mut batches = if years_ok {
        store.sql_blocking(&sql)?
    } else {
        Vec::new()
    };
    // Monthly panels count time in months (year × 12 + month − 1); yearly ones in years.
    let mut monthly = false;
    let mut edition = edition;
    let mut matched = matched;
    let mut unmatched = unmatched;
    let mut mixed_cn = false;
    if batches.iter().all(|b| b.num_rows() == 0) {
        // No HS-6 data: Eurostat's CN8 codes summed to their HS-6 subheading. CN follows HS 2017 in
        // 2020-2021 and HS 2022 from 2022, so the panel is put in HS 2017 terms: the CHPL codes
        // HS 2022 created are mapped back through the correlation table, and goods whose codes
        // changed otherwise drop out (below).
        let cn = match &q.windows {
            Some((bw, aw)) => {
                monthly = true;
                (b0, b1) = (month_index(bw.start), month_index(bw.end));
                (a0, a1) = (month_index(aw.start), month_index(aw.end));
                format!(
                    "SELECT substr(commodity, 1, 6) AS commodity, partner, year * 12 + month - 1 AS t, SUM(value) AS v FROM flows \
                     WHERE flow = 'export' AND classification = 'CN8' AND month IS NOT NULL \
                     AND reporter IN ({}) AND partner IN ({}) \
                     AND ((year * 12 + month - 1) BETWEEN {b0} AND {b1} OR (year * 12 + month - 1) BETWEEN {a0} AND {a1}) \
                     GROUP BY 1, partner, 3",
                    list(&senders),
                    list(&dests)
                )
            }
            None => format!(
                "SELECT substr(commodity, 1, 6) AS commodity, partner, year, SUM(value) AS v FROM flows \
                 WHERE flow = 'export' AND classification = 'CN8' AND reporter IN ({}) AND partner IN ({}) \
                 AND year BETWEEN {b0} AND {a1} AND NOT (year > {b1} AND year < {a0}) \
                 GROUP BY 1, partner, year",
                list(&senders),
                list(&dests)
            ),
        };
        batches = store.sql_blocking(&cn)?;
        if batches.iter().any(|b| b.num_rows() > 0) {
            mixed_cn = true;
            notes.retain(|n: &String| !n.starts_with("HS edition not named"));
            edition = HsEdition::Hs2017;
            (matched, unmatched) = chpl_in_edition(&tiers, edition);
            notes.push(
                "CN8 data summed to HS-6 and read in HS 2017 terms (CN 2022 follows HS 2022): the CHPL codes HS 2022 created are mapped to the HS 2017 codes that held them (partial matches); goods present only before or only after the HS 2022 change are left out".into(),
            );
        }
    }
    let recode: HashMap<String, String> = if mixed_cn {
        matched
            .iter()
            .filter(|m| m.chpl != m.data_code)
            .map(|m| (m.chpl.clone(), m.data_code.clone()))
            .collect()
    } else {
        HashMap::new()
    };
    let chpl_codes: HashMap<&str, &ChplMatch> =
        matched.iter().map(|m| (m.data_code.as_str(), m)).collect();
    // (product, destination) -> year -> value
    let mut cells: BTreeMap<(String, String), BTreeMap<i32, f64>> = BTreeMap::new();
    for b in &batches {
        let (k, p, y, v) = (
            column_strings(b, 0)?,
            column_strings(b, 1)?,
            column_strings(b, 2)?,
            column_strings(b, 3)?,
        );
        for i in 0..b.num_rows() {
            let value: f64 = v[i].parse().unwrap_or(f64::NAN);
            if !value.is_finite() || value < 0.0 {
                continue;
            }
            let t: i32 = y[i].parse().unwrap_or(0);
            let year = if monthly { t.div_euclid(12) } else { t };
            let code = match recode.get(&k[i]) {
                Some(old) if year >= 2022 => old.clone(),
                _ => k[i].clone(),
            };
            *cells
                .entry((code, p[i].clone()))
                .or_default()
                .entry(t)
                .or_default() += value;
        }
    }
    if mixed_cn {
        // A code seen only before or only after the HS 2022 change is a product renamed, not one
        // that appeared or vanished.
        let mut before: BTreeSet<String> = BTreeSet::new();
        let mut after: BTreeSet<String> = BTreeSet::new();
        for ((k, _), by_year) in &cells {
            if by_year.iter().any(|(t, v)| *t <= b1 && *v > 0.0) {
                before.insert(k.clone());
            }
            if by_year.iter().any(|(t, v)| *t >= a0 && *v > 0.0) {
                after.insert(k.clone());
            }
        }
        cells.retain(|(k, _), _| before.contains(k) && after.contains(k));
    }
    if cells.is_empty() {
        return Err(wrap(format!(
            "no HS-6 exports of {} to {} in {} are loaded; load product-level data (BACI, Comtrade HS-6, Eurostat CN8) first",
            q.senders,
            dests.join(", "),
            match &q.windows {
                Some((bw, aw)) => format!("{}..{}", bw.start, aw.end),
                None => format!("{b0}..{a1}"),
            }
        )));
    }
    let years: Vec<i32> = (b0..=b1).chain(a0..=a1).collect();
    let label = |t: i32| {
        if monthly {
            format!("{:04}-{:02}", t.div_euclid(12), t.rem_euclid(12) + 1)
        } else {
            t.to_string()
        }
    };
    let chpl_in_data: BTreeSet<String> = cells
        .keys()
        .filter(|(k, _)| chpl_codes.contains_key(k.as_str()))
        .map(|(k, _)| k.clone())
        .collect();
    if chpl_in_data.is_empty() {
        return Err(wrap(
            "none of the CHPL goods (of these tiers) is in the loaded data",
        ));
    }
    // The panel, balanced over the years for every product-destination pair that trades.
    let mut y = Vec::new();
    let (mut pd, mut dt) = (Vec::new(), Vec::new());
    let mut cl = Vec::new();
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut id = |k: String| -> u64 {
        let n = ids.len() as u64;
        *ids.entry(k).or_insert(n)
    };
    let mut rows: Vec<(bool, bool, i32)> = Vec::new(); // (chpl, to target, year)
    for ((k, d), by_year) in &cells {
        for &t in &years {
            y.push(by_year.get(&t).copied().unwrap_or(0.0));
            pd.push(id(format!("pd:{k}:{d}")));
            dt.push(id(format!("dt:{d}:{t}")));
            cl.push(id(format!("p:{k}")));
            rows.push((chpl_in_data.contains(k), *d == q.target, t));
        }
    }
    let dummy = |f: &dyn Fn(&(bool, bool, i32)) -> bool| -> Vec<f64> {
        rows.iter().map(|r| if f(r) { 1.0 } else { 0.0 }).collect()
    };
    let fit = |x: Vec<(String, Vec<f64>)>| -> Result<detour_hdfe::Fit, Error> {
        let design = Design {
            y: &y,
            x: x.iter().map(|(n, v)| (n.clone(), v.as_slice())).collect(),
            fe: vec![
                ("product^destination".into(), &pd),
                (
                    if monthly {
                        "destination^month"
                    } else {
                        "destination^year"
                    }
                    .into(),
                    &dt,
                ),
            ],
            cluster: vec![("product".into(), &cl)],
            ..Default::default()
        };
        let opt = Options {
            vcov: VcovType::Cluster,
            deadline: q.deadline.instant(),
            ..Options::default()
        };
        detour_hdfe::fit(&design, &opt).map_err(|e| crate::fit_error(e, "product-level PPML"))
    };
    let did = fit(vec![
        (
            format!("CHPL × {} × after", q.target),
            dummy(&|r| r.0 && r.1 && r.2 >= a0),
        ),
        (
            "CHPL × conduits × after".into(),
            dummy(&|r| r.0 && !r.1 && r.2 >= a0),
        ),
    ])?;
    // Event study: one dummy per year (monthly data: per three months counted from the after
    // window's start) and destination type; the last baseline year (the three months before the
    // after window) is the reference.
    let bucket = |t: i32| if monthly { (t - a0).div_euclid(3) } else { t };
    let reference = bucket(b1);
    let buckets: BTreeSet<i32> = years.iter().map(|&t| bucket(t)).collect();
    let mut ex = Vec::new();
    for &k in buckets.iter().filter(|&&k| k != reference) {
        let start = if monthly { a0 + 3 * k } else { k };
        let first = years
            .iter()
            .copied()
            .find(|&t| bucket(t) == k)
            .unwrap_or(start);
        ex.push((
            format!("CHPL × {} × {}", q.target, label(first)),
            dummy(&|r| r.0 && r.1 && bucket(r.2) == k),
        ));
        ex.push((
            format!("CHPL × conduits × {}", label(first)),
            dummy(&|r| r.0 && !r.1 && bucket(r.2) == k),
        ));
    }
    let ev = fit(ex)?;
    let event_study = ev
        .coefficients
        .iter()
        .filter_map(|c| {
            let mut parts = c.name.rsplitn(2, " × ");
            let period = parts.next()?.to_string();
            let year: i32 = period.get(..4)?.parse().ok()?;
            let dest = parts.next()?.trim_start_matches("CHPL × ").to_string();
            Some(EventPoint {
                year,
                period,
                destination: dest,
                estimate: c.estimate,
                ci_low: c.ci_low,
                ci_high: c.ci_high,
            })
        })
        .collect();
    // Substitution ratios per CHPL product.
    // Per year: monthly means are scaled to twelve months.
    let per_year = if monthly { 12.0 } else { 1.0 };
    let mean = |m: Option<&BTreeMap<i32, f64>>, y0: i32, y1: i32| -> f64 {
        per_year
            * (y0..=y1)
                .map(|t| m.and_then(|m| m.get(&t)).copied().unwrap_or(0.0))
                .sum::<f64>()
            / f64::from(y1 - y0 + 1)
    };
    let substitution = chpl_in_data
        .iter()
        .map(|k| {
            let tgt = cells.get(&(k.clone(), q.target.clone()));
            let target_change = mean(tgt, a0, a1) - mean(tgt, b0, b1);
            let conduit_change: f64 = q
                .conduits
                .iter()
                .map(|c| {
                    let m = cells.get(&(k.clone(), c.clone()));
                    mean(m, a0, a1) - mean(m, b0, b1)
                })
                .sum();
            Substitution {
                chpl: chpl_codes[k.as_str()].chpl.clone(),
                data_code: k.clone(),
                target_change,
                conduit_change,
                ratio: (target_change < 0.0).then(|| conduit_change / -target_change),
            }
        })
        .collect();
    // Plain growth, per-year means after against baseline.
    let pct = |before: f64, after: f64| (before > 0.0).then(|| 100.0 * (after / before - 1.0));
    let window_sum = |d: &dyn Fn(&str) -> bool, chpl_only: bool, lo: i32, hi: i32| -> f64 {
        cells
            .iter()
            .filter(|((k, dd), _)| d(dd) && (!chpl_only || chpl_in_data.contains(k)))
            .map(|(_, by)| by.range(lo..=hi).map(|(_, v)| v).sum::<f64>())
            .sum::<f64>()
            / f64::from(hi - lo + 1)
    };
    // Total goods of the same senders, from TOTAL rows (monthly or yearly as the panel).
    let totals = |dests_in: &[String]| -> Option<(f64, f64)> {
        let time = if monthly {
            "year * 12 + month - 1"
        } else {
            "year"
        };
        let month_cond = if monthly {
            "month IS NOT NULL"
        } else {
            "month IS NULL"
        };
        let q = format!(
            "SELECT {time} AS t, SUM(value) AS v FROM flows WHERE commodity = 'TOTAL' AND flow = 'export' \
             AND {month_cond} AND reporter IN ({}) AND partner IN ({}) GROUP BY 1",
            list(&senders),
            list(dests_in)
        );
        let batches = store.sql_blocking(&q).ok()?;
        let (mut b, mut a, mut nb, mut na) = (0.0, 0.0, 0, 0);
        for bt in &batches {
            let (t, v) = (column_strings(bt, 0).ok()?, column_strings(bt, 1).ok()?);
            for i in 0..bt.num_rows() {
                let t: i32 = t[i].parse().ok()?;
                let v: f64 = v[i].parse().ok()?;
                if (b0..=b1).contains(&t) {
                    b += v;
                    nb += 1;
                } else if (a0..=a1).contains(&t) {
                    a += v;
                    na += 1;
                }
            }
        }
        let (wb, wa) = (f64::from(b1 - b0 + 1), f64::from(a1 - a0 + 1));
        (nb > 0 && na > 0).then_some((b / wb, a / wa))
    };
    let target = q.target.clone();
    let conduits = q.conduits.clone();
    let is_target = |d: &str| d == target;
    let is_conduit = |d: &str| conduits.iter().any(|c| c == d);
    let growth: Vec<GrowthComparison> = [
        (
            target.clone(),
            &is_target as &dyn Fn(&str) -> bool,
            vec![target.clone()],
        ),
        ("conduits".to_string(), &is_conduit, conduits.clone()),
    ]
    .into_iter()
    .map(|(name, d, list_of)| GrowthComparison {
        destination: name,
        chpl_pct: pct(window_sum(d, true, b0, b1), window_sum(d, true, a0, a1)),
        panel_goods_pct: pct(window_sum(d, false, b0, b1), window_sum(d, false, a0, a1)),
        total_goods_pct: totals(&list_of).and_then(|(b, a)| pct(b, a)),
    })
    .collect();
    let products = cells.keys().map(|(k, _)| k).collect::<BTreeSet<_>>().len();
    Ok(ProductDid {
        model: if monthly {
            format!(
                "PPML: exports ~ CHPL×{t}×after + CHPL×conduits×after | product×destination + destination×month, s.e. clustered by product; months {}..{} against {}..{}",
                label(b0),
                label(b1),
                label(a0),
                label(a1),
                t = q.target
            )
        } else {
            format!(
                "PPML: exports ~ CHPL×{t}×after + CHPL×conduits×after | product×destination + destination×year, s.e. clustered by product; years {b0}-{b1} against {a0}-{a1}",
                t = q.target
            )
        },
        edition: format!("{edition:?}"),
        nobs: did.nobs,
        products,
        chpl_matched: matched.clone(),
        chpl_unmatched: unmatched,
        chpl_in_data: chpl_in_data.into_iter().collect(),
        effects: did.coefficients.iter().map(GravityEffect::from).collect(),
        event_study,
        substitution,
        growth,
        converged: did.converged,
        notes,
    })
}
