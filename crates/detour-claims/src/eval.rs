//! Scoring the extractor against gold frames: claim detection precision/recall/F1 and, per frame
//! field, precision, recall and accuracy over the true claims.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::extract::{ExtractOptions, extract};
use crate::frame::{Flow, Frame};

/// One evaluation item: a text (one or more sentences) with the claims it holds.
#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    pub id: String,
    pub text: String,
    pub date: Option<String>,
    /// The page's headline, when it is not part of the text (see [`ExtractOptions::headline`]).
    #[serde(default)]
    pub headline: Option<String>,
    pub claims: Vec<Frame>,
}

/// The frame fields scored.
pub const FIELDS: &[&str] = &[
    "country_a",
    "country_b",
    "flow",
    "value",
    "unit",
    "scale",
    "period_start",
    "period_end",
    "yoy_growth_pct",
    "is_forecast",
    "attributed_to",
];

#[derive(Debug, Clone, Default, Serialize)]
pub struct FieldScore {
    pub field: String,
    /// Gold claims whose field the extractor got right (absent = absent counts as right).
    pub correct: usize,
    /// Gold claims on which the field is scored.
    pub gold_claims: usize,
    /// Right non-empty predictions / non-empty predictions (over matched claims).
    pub precision: f64,
    /// Right non-empty predictions / non-empty gold values (over all gold claims).
    pub recall: f64,
    pub accuracy: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub items: usize,
    pub gold_claims: usize,
    pub found_claims: usize,
    pub matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub fields: Vec<FieldScore>,
    /// What went wrong, item by item, for a person to read.
    pub errors: Vec<String>,
}

/// Parse a JSON-lines evaluation set.
pub fn parse_items(jsonl: &str) -> Result<Vec<Item>, String> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

fn close(a: Option<f64>, b: Option<f64>, tol: f64) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= tol,
        _ => false,
    }
}

fn norm(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|x| x.trim().to_lowercase())
}

/// A party code for comparison: the EU under any of its names (`EU`, `EU27`, `EU28`) is one bloc,
/// since which membership a text means follows from its period.
fn party(s: &Option<String>) -> Option<String> {
    norm(s).map(|x| match x.as_str() {
        "eu27" | "eu28" | "eu" => "eu".to_string(),
        _ => x,
    })
}

/// Attributions agree when one names the other ("Putin" and "Vladimir Putin", "Federal
/// Statistical Office" and "Germany's Federal Statistical Office") or they end in the same word.
fn same_source(gold: &Option<String>, got: &Option<String>) -> bool {
    let clean = |s: &Option<String>| {
        s.as_ref().map(|x| {
            x.to_lowercase()
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    match (clean(gold), clean(got)) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a == b
                || (!a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a)))
                || a.split(' ').next_back() == b.split(' ').next_back()
        }
        _ => false,
    }
}

/// Whether one field agrees. Turnover's two parties count as an unordered pair.
fn field_ok(field: &str, gold: &Frame, got: &Frame) -> (bool, bool, bool) {
    // (right, gold non-empty, predicted non-empty)
    let pair_ok = || {
        let g = (party(&gold.country_a), party(&gold.country_b));
        let p = (party(&got.country_a), party(&got.country_b));
        g == p || (gold.flow == Some(Flow::Turnover) && g == (p.1.clone(), p.0.clone()))
    };
    match field {
        "country_a" | "country_b" => {
            let (gv, pv) = if field == "country_a" {
                (&gold.country_a, &got.country_a)
            } else {
                (&gold.country_b, &got.country_b)
            };
            let right = if gold.flow == Some(Flow::Turnover) {
                pair_ok() || party(gv) == party(pv)
            } else {
                party(gv) == party(pv)
            };
            (right, gv.is_some(), pv.is_some())
        }
        "flow" => (
            gold.flow == got.flow,
            gold.flow.is_some(),
            got.flow.is_some(),
        ),
        "value" => (
            close(gold.value, got.value, 1e-9) && close(gold.value_high, got.value_high, 1e-9),
            gold.value.is_some(),
            got.value.is_some(),
        ),
        "unit" => (
            norm(&gold.unit) == norm(&got.unit),
            gold.unit.is_some(),
            got.unit.is_some(),
        ),
        "scale" => (
            norm(&gold.scale) == norm(&got.scale),
            gold.scale.is_some(),
            got.scale.is_some(),
        ),
        "period_start" => (
            gold.period_start == got.period_start,
            gold.period_start.is_some(),
            got.period_start.is_some(),
        ),
        "period_end" => (
            gold.period_end == got.period_end,
            gold.period_end.is_some(),
            got.period_end.is_some(),
        ),
        "yoy_growth_pct" => {
            // Growth against another named year is not year-on-year growth.
            let yoy = |f: &Frame| f.yoy_growth_pct.filter(|_| f.growth_base_year.is_none());
            (
                close(yoy(gold), yoy(got), 0.05),
                yoy(gold).is_some(),
                yoy(got).is_some(),
            )
        }
        "is_forecast" => (
            gold.is_forecast == got.is_forecast,
            gold.is_forecast,
            got.is_forecast,
        ),
        "attributed_to" => (
            same_source(&gold.attributed_to, &got.attributed_to),
            gold.attributed_to.is_some(),
            got.attributed_to.is_some(),
        ),
        _ => (false, false, false),
    }
}

/// How well two frames agree: the number of right fields.
fn agreement(gold: &Frame, got: &Frame) -> usize {
    FIELDS.iter().filter(|f| field_ok(f, gold, got).0).count()
}

/// Two frames are the same claim when the value or, without values, the growth agrees.
fn same_claim(gold: &Frame, got: &Frame) -> bool {
    match (gold.value, got.value) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => {
            close(gold.yoy_growth_pct, got.yoy_growth_pct, 0.05)
                || close(gold.mom_growth_pct, got.mom_growth_pct, 0.05)
                    && gold.mom_growth_pct.is_some()
        }
        _ => false,
    }
}

/// Run the extractor on every item and score it.
pub fn evaluate(items: &[Item]) -> Report {
    evaluate_with(items, &[], false)
}

/// As [`evaluate`], leaving out of the field scores, for the k-th gold claim over all items in
/// order, the fields `skip[k]` names (fields a gold frame took from outside the text). With
/// `bases_inside`, figures the reader frames as another figure's stated base are not scored as
/// claims of their own (gold sets that record a base inside the frame it belongs to).
pub fn evaluate_with(items: &[Item], skip: &[Vec<&'static str>], bases_inside: bool) -> Report {
    let mut r = Report {
        items: items.len(),
        ..Report::default()
    };
    let mut fs: Vec<FieldScore> = FIELDS
        .iter()
        .map(|f| FieldScore {
            field: f.to_string(),
            ..FieldScore::default()
        })
        .collect();
    let mut pred_nonempty = vec![0usize; FIELDS.len()];
    let mut right_nonempty = vec![0usize; FIELDS.len()];
    let mut gold_nonempty = vec![0usize; FIELDS.len()];
    let mut scored = vec![0usize; FIELDS.len()];
    let mut k_gold = 0usize;
    for item in items {
        let date = item
            .date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        // As `detour check` does: a text in a language the reader does not handle yields nothing.
        let text = crate::text::normalise(&item.text);
        let found: Vec<Frame> = if crate::lang::detect(&text).is_err() {
            Vec::new()
        } else {
            extract(
                &text,
                &ExtractOptions {
                    date,
                    headline: item.headline.clone(),
                    ..Default::default()
                },
            )
            .into_iter()
            .map(|c| c.frame)
            .filter(|f| !(bases_inside && f.states_base))
            .collect()
        };
        r.gold_claims += item.claims.len();
        r.found_claims += found.len();
        let mut used = vec![false; found.len()];
        for gold in &item.claims {
            let skipped: &[&str] = skip.get(k_gold).map_or(&[], |v| v.as_slice());
            k_gold += 1;
            for (k, f) in FIELDS.iter().enumerate() {
                if skipped.contains(f) {
                    continue;
                }
                scored[k] += 1;
                if field_ok(f, gold, &Frame::default()).1 {
                    gold_nonempty[k] += 1;
                }
            }
            let best = found
                .iter()
                .enumerate()
                .filter(|(j, g)| !used[*j] && same_claim(gold, g))
                .max_by_key(|(_, g)| agreement(gold, g))
                .map(|(j, _)| j);
            let Some(j) = best else {
                r.errors
                    .push(format!("{}: missed {:?}", item.id, brief(gold)));
                continue;
            };
            used[j] = true;
            r.matched += 1;
            let got = &found[j];
            let mut wrong = Vec::new();
            for (k, f) in FIELDS.iter().enumerate() {
                if skipped.contains(f) {
                    continue;
                }
                let (ok, gne, pne) = field_ok(f, gold, got);
                if ok {
                    fs[k].correct += 1;
                }
                if pne {
                    pred_nonempty[k] += 1;
                    if ok && gne {
                        right_nonempty[k] += 1;
                    }
                }
                if !ok {
                    wrong.push(*f);
                }
            }
            if !wrong.is_empty() {
                r.errors.push(format!(
                    "{}: fields {} wrong: gold {:?} got {:?}",
                    item.id,
                    wrong.join(","),
                    brief(gold),
                    brief(got)
                ));
            }
        }
        for (j, f) in found.iter().enumerate() {
            if !used[j] {
                r.errors
                    .push(format!("{}: spurious {:?}", item.id, brief(f)));
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    r.precision = ratio(r.matched, r.found_claims);
    r.recall = ratio(r.matched, r.gold_claims);
    r.f1 = if r.precision + r.recall > 0.0 {
        2.0 * r.precision * r.recall / (r.precision + r.recall)
    } else {
        0.0
    };
    for (k, f) in fs.iter_mut().enumerate() {
        f.gold_claims = scored[k];
        f.accuracy = ratio(f.correct, scored[k]);
        f.precision = ratio(right_nonempty[k], pred_nonempty[k]);
        f.recall = ratio(right_nonempty[k], gold_nonempty[k]);
    }
    r.fields = fs;
    r
}

fn brief(f: &Frame) -> String {
    format!(
        "{}-{} {} {:?}{} {}{} {}..{} g={:?} fc={} by={:?}",
        f.country_a.as_deref().unwrap_or("?"),
        f.country_b.as_deref().unwrap_or("?"),
        f.flow.map_or("?", |x| x.as_str()),
        f.value,
        f.value_high.map(|h| format!("-{h}")).unwrap_or_default(),
        f.unit.as_deref().unwrap_or(""),
        f.scale
            .as_deref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default(),
        f.period_start.as_deref().unwrap_or("?"),
        f.period_end.as_deref().unwrap_or("?"),
        f.yoy_growth_pct,
        f.is_forecast,
        f.attributed_to
    )
}

impl Report {
    /// A table for people.
    pub fn table(&self) -> String {
        let mut s = format!(
            "items {}  gold claims {}  found {}  matched {}\nclaim detection: precision {:.3}  recall {:.3}  F1 {:.3}\n\n{:<16} {:>9} {:>9} {:>9}\n",
            self.items,
            self.gold_claims,
            self.found_claims,
            self.matched,
            self.precision,
            self.recall,
            self.f1,
            "field",
            "precision",
            "recall",
            "accuracy"
        );
        for f in &self.fields {
            s.push_str(&format!(
                "{:<16} {:>9.3} {:>9.3} {:>9.3}\n",
                f.field, f.precision, f.recall, f.accuracy
            ));
        }
        s
    }
}
