//! The real development corpus (news sentences copied from public pages, with gold frames and
//! expected verdicts): reading its lines, the fixed tuning/held-out split, and scoring the
//! extractor and the checker on it.
//!
//! The corpus is other people's words and is not shipped; [`load`] reads it in place and says
//! when it is absent.
//!
//! **The split rule, fixed before any tuning**: in each corpus file, the line whose 1-based line
//! number is a multiple of 5 is held out ([`held_out`]); the other four in five are the tuning
//! part. Rules and thresholds are written against the tuning part only.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::eval::{Item, Report, evaluate_with};
use crate::frame::{Flow, Frame};

/// One corpus line.
#[derive(Debug, Clone)]
pub struct Line {
    pub file: String,
    /// 1-based line number in its file.
    pub line: usize,
    pub id: String,
    /// `en`, `de` or `ru`.
    pub lang: String,
    /// `a`, `b`, `c` or `d` (see the corpus README).
    pub category: String,
    pub text: String,
    pub date: Option<NaiveDate>,
    /// The page's address.
    pub address: Option<String>,
    pub claims: Vec<Frame>,
    /// Per gold claim, the fields the gold took from outside the text (the page's headline or
    /// context, `period_from_context`, `implied_country`).
    pub context_fields: Vec<Vec<&'static str>>,
    /// `consistent`, `consistent_revised`, `inconsistent` or `not_checkable`.
    pub expected_verdict: Option<String>,
    pub tags: Vec<String>,
}

/// Whether a corpus line belongs to the held-out part: its 1-based line number is a multiple of 5.
pub fn held_out(line: usize) -> bool {
    line.is_multiple_of(5)
}

fn scale_name(v: &Value) -> Option<String> {
    let x = v.as_f64()?;
    Some(
        match x {
            x if (x - 1e3).abs() < 1.0 => "thousand",
            x if (x - 1e6).abs() < 1.0 => "million",
            x if (x - 1e9).abs() < 1.0 => "billion",
            x if (x - 1e12).abs() < 1.0 => "trillion",
            _ => return None,
        }
        .to_string(),
    )
}

fn string(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn gold_frame(g: &Value) -> Frame {
    let flow = match g.get("flow").and_then(Value::as_str) {
        Some("exports") => Some(Flow::Exports),
        Some("imports") => Some(Flow::Imports),
        Some("turnover") => Some(Flow::Turnover),
        Some("balance") => Some(Flow::Balance),
        _ => None,
    };
    let range = g.get("value_range").and_then(Value::as_array);
    Frame {
        country_a: string(g, "country_a"),
        country_b: string(g, "country_b"),
        flow,
        value: g.get("value").and_then(Value::as_f64),
        value_high: range.and_then(|r| r.get(1)).and_then(Value::as_f64),
        bound: None,
        unit: string(g, "unit"),
        scale: g.get("scale").and_then(scale_name),
        period_start: string(g, "period_start"),
        period_end: string(g, "period_end"),
        yoy_growth_pct: g.get("yoy_growth_pct").and_then(Value::as_f64),
        mom_growth_pct: g.get("mom_growth_pct").and_then(Value::as_f64),
        states_base: false,
        share_pct: None,
        base_value: None,
        abs_change: None,
        growth_base_year: None,
        is_forecast: g
            .get("is_forecast")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        is_record: g.get("record").and_then(Value::as_bool).unwrap_or(false),
        attributed_to: string(g, "attributed_to"),
        cites_statistics_of: None,
    }
}

/// Parse one corpus file (JSON lines). `file` names it in errors.
pub fn parse(file: &str, jsonl: &str) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    for (i, l) in jsonl.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(l).map_err(|e| format!("{file}:{}: {e}", i + 1))?;
        let text = string(&v, "sentence")
            .or_else(|| string(&v, "text"))
            .ok_or_else(|| format!("{file}:{}: field 'sentence': missing", i + 1))?;
        // A page dated to the month only ("2022-03") is read as of its first day.
        let date = string(&v, "page_date")
            .or_else(|| string(&v, "date_for_check"))
            .and_then(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .or_else(|_| NaiveDate::parse_from_str(&format!("{d}-01"), "%Y-%m-%d"))
                    .ok()
            });
        let tags: Vec<String> = v
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let frames = v
            .get("gold_frames")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let implied = tags.iter().any(|t| t == "implied_country");
        let claims: Vec<Frame> = frames
            .iter()
            .filter(|g| g.get("is_claim").and_then(Value::as_bool) != Some(false))
            .map(gold_frame)
            .collect();
        let context_fields = frames
            .iter()
            .filter(|g| g.get("is_claim").and_then(Value::as_bool) != Some(false))
            .map(|g| {
                let mut f = Vec::new();
                if g.get("period_from_context").and_then(Value::as_bool) == Some(true) {
                    f.extend(["period_start", "period_end"]);
                }
                if implied {
                    f.extend(["country_a", "country_b"]);
                }
                f
            })
            .collect();
        out.push(Line {
            file: file.to_string(),
            line: i + 1,
            id: string(&v, "id").unwrap_or_else(|| format!("{file}:{}", i + 1)),
            lang: string(&v, "lang").unwrap_or_else(|| "en".into()),
            category: string(&v, "category").unwrap_or_default(),
            text,
            date,
            address: string(&v, "source_url"),
            claims,
            context_fields,
            expected_verdict: string(&v, "expected_verdict"),
            tags,
        });
    }
    Ok(out)
}

/// The corpus files, read from `dir` (the shared `claims_dev` folder). `None` when it is absent.
pub fn load(dir: &Path) -> Option<Result<Vec<Line>, String>> {
    let files = ["corpus.jsonl", "corpus_de_ru.jsonl"];
    if !dir.join(files[0]).exists() {
        return None;
    }
    let mut all = Vec::new();
    for f in files {
        let p = dir.join(f);
        if !p.exists() {
            continue;
        }
        match std::fs::read_to_string(&p) {
            Ok(t) => match parse(f, &t) {
                Ok(mut l) => all.append(&mut l),
                Err(e) => return Some(Err(e)),
            },
            Err(e) => return Some(Err(format!("{}: {e}", p.display()))),
        }
    }
    Some(Ok(all))
}

impl Line {
    /// The headline that the page's address spells out (the corpus holds no headlines; see
    /// [`crate::text::headline_from_address`]).
    pub fn headline(&self) -> Option<String> {
        self.address
            .as_deref()
            .and_then(crate::text::headline_from_address)
    }
}

/// How much of the page around a line the extractor is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The line alone.
    Line,
    /// The line and the headline its page's address spells out.
    WithHeadline,
}

fn items(lines: &[&Line], page: Page) -> Vec<Item> {
    lines
        .iter()
        .map(|l| Item {
            id: l.id.clone(),
            text: l.text.clone(),
            date: l.date.map(|d| d.to_string()),
            headline: if page == Page::WithHeadline {
                l.headline()
            } else {
                None
            },
            claims: l.claims.clone(),
        })
        .collect()
}

/// Extraction scores on some lines; `exclude_context` leaves out the fields the gold took from
/// outside the text.
pub fn extraction(lines: &[&Line], exclude_context: bool, page: Page) -> Report {
    let skip: Vec<Vec<&'static str>> = lines
        .iter()
        .flat_map(|l| {
            if exclude_context {
                l.context_fields.clone()
            } else {
                vec![Vec::new(); l.claims.len()]
            }
        })
        .collect();
    evaluate_with(&items(lines, page), &skip, true)
}

/// A line's verdict in the corpus's words, from the verdicts of its checked parts: the worst
/// part that the data could answer, else `not_checkable`.
pub fn line_verdict(parts: &[crate::Verdict]) -> &'static str {
    use crate::Verdict::*;
    match crate::verify::worst(parts) {
        Inconsistent => "inconsistent",
        Close => "consistent_revised",
        Consistent | ConsistentOneSide => "consistent",
        NotCheckable | Forecast => "not_checkable",
    }
}

/// Verdict agreement on the lines that carry an expected verdict.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerdictReport {
    pub lines: usize,
    pub right: usize,
    /// Lines the data can answer (expected verdict other than `not_checkable`).
    pub checkable: usize,
    pub checkable_right: usize,
    /// Lines the corpus marks `not_checkable` that detour answers, with a part answered only from
    /// data beyond the three files the corpus's verdicts were computed from (Russia's monthly
    /// customs statistics, the official releases): ids.
    pub answered_beyond_corpus_files: Vec<String>,
    /// expected → (got → count).
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    pub errors: Vec<String>,
}

impl VerdictReport {
    pub fn accuracy(&self) -> f64 {
        ratio(self.right, self.lines)
    }
    pub fn checkable_accuracy(&self) -> f64 {
        ratio(self.checkable_right, self.checkable)
    }
    pub fn table(&self) -> String {
        let mut s = format!(
            "verdicts: {}/{} right ({:.3}); on lines the data can answer {}/{} ({:.3})\n",
            self.right,
            self.lines,
            self.accuracy(),
            self.checkable_right,
            self.checkable,
            self.checkable_accuracy()
        );
        if !self.answered_beyond_corpus_files.is_empty() {
            s.push_str(&format!(
                "  of the lines marked not_checkable, answered from data beyond the corpus's files: {} ({})\n",
                self.answered_beyond_corpus_files.len(),
                self.answered_beyond_corpus_files.join(", ")
            ));
        }
        for (exp, got) in &self.confusion {
            let n: usize = got.values().sum();
            let ok = got.get(exp).copied().unwrap_or(0);
            let rest: Vec<String> = got
                .iter()
                .filter(|(g, _)| *g != exp)
                .map(|(g, c)| format!("{g} {c}"))
                .collect();
            s.push_str(&format!(
                "  {exp:<20} {ok:>3}/{n:<3} {}\n",
                if rest.is_empty() {
                    String::new()
                } else {
                    format!("(got {})", rest.join(", "))
                }
            ));
        }
        s
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The data files the corpus's expected verdicts were computed from (its README).
pub const CORPUS_FILES: &[&str] = &[
    "eurostat_eu_trade_with_rus_cis_monthly_2019_2024",
    "national_stats_kaz_kgz_uzb_trade_by_country_yearly",
    "imf_imts_russia_by_partner_annual_2016_2024",
];

/// A line checker: text, the page's date and headline → the verdicts of its parts.
pub type CheckLine<'a> =
    dyn Fn(&str, Option<NaiveDate>, Option<String>) -> Vec<crate::Checked> + 'a;

/// Check each line with `check_line` (text, date, headline → the verdicts of its parts) and
/// compare the line's verdict with the expected one.
pub fn verdicts(lines: &[&Line], page: Page, check_line: &CheckLine) -> VerdictReport {
    let mut r = VerdictReport::default();
    for l in lines {
        let Some(exp) = &l.expected_verdict else {
            continue;
        };
        let headline = if page == Page::WithHeadline {
            l.headline()
        } else {
            None
        };
        let checked = check_line(&crate::text::normalise(&l.text), l.date, headline);
        let parts: Vec<crate::Verdict> = checked.iter().map(|c| c.verdict).collect();
        let got = line_verdict(&parts);
        r.lines += 1;
        let checkable = exp != "not_checkable";
        if checkable {
            r.checkable += 1;
        }
        if exp == "not_checkable"
            && got != exp
            && checked.iter().any(|c| {
                !matches!(
                    c.verdict,
                    crate::Verdict::NotCheckable | crate::Verdict::Forecast
                ) && !c.sources.is_empty()
                    && c.sources
                        .iter()
                        .all(|src| !CORPUS_FILES.iter().any(|f| src.contains(f)))
            })
        {
            r.answered_beyond_corpus_files.push(l.id.clone());
        }
        if got == exp {
            r.right += 1;
            if checkable {
                r.checkable_right += 1;
            }
        } else {
            let why: Vec<String> = checked
                .iter()
                .map(|c| {
                    let e: String = c.explanation.chars().take(220).collect();
                    format!("\n      [{}] {e}", c.verdict.as_str())
                })
                .collect();
            r.errors.push(format!(
                "{}: expected {exp}, got {got}{}",
                l.id,
                why.concat()
            ));
        }
        *r.confusion
            .entry(exp.clone())
            .or_default()
            .entry(got.to_string())
            .or_insert(0) += 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_rule_is_every_fifth_line() {
        let held: Vec<usize> = (1..=12).filter(|&l| held_out(l)).collect();
        assert_eq!(held, [5, 10]);
    }

    #[test]
    fn parses_a_line_of_the_corpus_schema() {
        let l = r#"{"id":"x1","kind":"sentence","sentence":"EU exports to Russia fell.","page_date":"2023-02-05","category":"a","gold_frames":[{"is_claim":true,"country_a":"EU","country_b":"RUS","flow":"exports","value":1.2,"unit":"EUR","scale":1000000000.0,"period_start":"2022-06","period_end":"2022-06","yoy_growth_pct":null,"is_forecast":false,"attributed_to":null,"period_from_context":true}],"tags":["implied_country"],"expected_verdict":"consistent"}"#;
        let v = parse("t.jsonl", l).unwrap();
        assert_eq!(v.len(), 1);
        let f = &v[0].claims[0];
        assert_eq!(
            (f.scale.as_deref(), f.flow, v[0].date.map(|d| d.to_string())),
            (
                Some("billion"),
                Some(Flow::Exports),
                Some("2023-02-05".into())
            )
        );
        assert_eq!(
            v[0].context_fields[0],
            ["period_start", "period_end", "country_a", "country_b"]
        );
        assert!(parse("t.jsonl", "{").unwrap_err().starts_with("t.jsonl:1:"));
    }

    #[test]
    fn a_line_takes_its_worst_checked_part() {
        use crate::Verdict::*;
        assert_eq!(
            line_verdict(&[Consistent, NotCheckable, Close]),
            "consistent_revised"
        );
        assert_eq!(line_verdict(&[Consistent, Inconsistent]), "inconsistent");
        assert_eq!(line_verdict(&[NotCheckable, Forecast]), "not_checkable");
        assert_eq!(line_verdict(&[]), "not_checkable");
    }
}
