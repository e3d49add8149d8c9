//! The extractor and the checker on the real development corpus (`../shared/claims_dev/`: news
//! sentences copied from public pages, with gold frames and expected verdicts).
//!
//! The corpus is read in place, never copied into the project; without it (a user's clone) every
//! test here says it is skipped. Split rule (fixed before tuning): in each file, lines whose
//! 1-based number is a multiple of 5 are held out; the rest is the tuning part. The floors below
//! are the scores reached so far, so that they cannot silently drop; the targets are
//! written beside them (not reached yet: see the README).

use std::path::PathBuf;
use std::sync::OnceLock;

use detour_claims::corpus::{self, Line, Page};
use detour_claims::eval::Report;
use detour_claims::{ExtractOptions, extract, releases, verify};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/claims_dev")
}

fn lines() -> Option<&'static [Line]> {
    static LINES: OnceLock<Option<Vec<Line>>> = OnceLock::new();
    LINES
        .get_or_init(|| {
            corpus::load(&corpus_dir()).map(|r| r.expect("the development corpus parses"))
        })
        .as_deref()
}

macro_rules! corpus_or_skip {
    () => {
        match lines() {
            Some(l) => l,
            None => {
                eprintln!(
                    "skipped: the development corpus is not here ({}); it lives beside the project, not in it",
                    corpus_dir().display()
                );
                return;
            }
        }
    };
}

fn part<'a>(all: &'a [Line], held: bool, langs: &[&str]) -> Vec<&'a Line> {
    all.iter()
        .filter(|l| corpus::held_out(l.line) == held && langs.contains(&l.lang.as_str()))
        .collect()
}

fn show(name: &str, r: &Report, ctx: &Report) {
    println!("== {name}\n{}", r.table());
    println!(
        "fields without those the gold took from outside the text: {}",
        ctx.fields
            .iter()
            .map(|f| format!("{} {:.3}", f.field, f.accuracy))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for e in &r.errors {
        println!("  {e}");
    }
}

fn min_field(r: &Report) -> f64 {
    r.fields.iter().map(|f| f.accuracy).fold(1.0, f64::min)
}

fn extraction(held: bool, langs: &[&str], name: &str) -> Option<(Report, Report)> {
    let all = lines()?;
    let p = part(all, held, langs);
    let r = corpus::extraction(&p, false, Page::WithHeadline);
    let c = corpus::extraction(&p, true, Page::WithHeadline);
    show(name, &r, &c);
    let alone = corpus::extraction(&p, false, Page::Line);
    println!(
        "the lines alone, without the headline of the page's address: F1 {:.3}, fields {}",
        alone.f1,
        alone
            .fields
            .iter()
            .map(|f| format!("{} {:.3}", f.field, f.accuracy))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Some((r, c))
}

#[test]
fn english_tuning_part_extraction() {
    corpus_or_skip!();
    let (r, _) = extraction(false, &["en"], "English, tuning part").unwrap();
    // Reached: F1 0.900, weakest field (period end) 0.611 (d007's multiples are framed per member
    // since; the gold reads them month-on-month from a neighbouring line, so they count as spurious). Targets (issue 14): F1 0.97, fields 0.95.
    assert!(r.f1 >= 0.89, "claim detection F1 {:.3}", r.f1);
    assert!(min_field(&r) >= 0.60, "weakest field {:.3}", min_field(&r));
}

#[test]
fn english_held_out_part_extraction() {
    corpus_or_skip!();
    let (r, _) = extraction(true, &["en"], "English, held-out part").unwrap();
    // Reached: F1 0.790. Targets (issue 14): F1 0.95, fields 0.90.
    assert!(r.f1 >= 0.78, "claim detection F1 {:.3}", r.f1);
}

#[test]
fn german_and_russian_extraction() {
    corpus_or_skip!();
    // Reached (F1): German 0.923 tuning, 0.667 held-out; Russian 0.857 and 0.815.
    for (lang, name, floors) in [
        ("de", "German", [0.92, 0.66]),
        ("ru", "Russian", [0.85, 0.81]),
    ] {
        for (held, floor) in [(false, floors[0]), (true, floors[1])] {
            let (r, _) = extraction(
                held,
                &[lang],
                &format!("{name}, {} part", if held { "held-out" } else { "tuning" }),
            )
            .unwrap();
            assert!(r.f1 >= floor, "{name} F1 {:.3}", r.f1);
        }
    }
}

fn verdict_report(held: bool, langs: &[&str]) -> Option<corpus::VerdictReport> {
    let all = lines()?;
    let store = detour_store::default_store::open(&|_, _| {}).expect("the default store opens");
    let rel = releases::embedded();
    let p = part(all, held, langs);
    let check = |text: &str, date: Option<chrono::NaiveDate>, headline: Option<String>| {
        let claims = extract(
            text,
            &ExtractOptions {
                date,
                headline,
                ..Default::default()
            },
        );
        verify::check(Some(&store), rel, &claims, date)
    };
    Some(corpus::verdicts(&p, Page::WithHeadline, &check))
}

#[test]
fn verdicts_on_the_corpus() {
    corpus_or_skip!();
    // Reached: tuning 0.789 (0.590 where the data answers), held-out 0.720 (0.412).
    for (held, name, floors) in [
        (false, "tuning", [0.78, 0.58]),
        (true, "held-out", [0.72, 0.41]),
    ] {
        let r = verdict_report(held, &["en", "de", "ru"]).unwrap();
        println!("== verdicts, {name} part\n{}", r.table());
        for e in &r.errors {
            println!("  {e}");
        }
        // Targets (issue 14): tuning 0.90; held-out 0.85 overall, 0.80 where the data answers.
        assert!(
            r.accuracy() >= floors[0],
            "{name} verdicts {:.3}",
            r.accuracy()
        );
        assert!(
            r.checkable_accuracy() >= floors[1],
            "{name} verdicts where the data answers {:.3}",
            r.checkable_accuracy()
        );
    }
}
