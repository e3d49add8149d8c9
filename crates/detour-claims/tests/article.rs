//! The example article (examples/sanctions_backfire_article.txt): every quantitative trade claim
//! in it is found and framed as a reader would (gold frames written by hand from the text).

use chrono::NaiveDate;
use detour_claims::{Bound, ExtractOptions, Flow, Frame, extract, text};

const ARTICLE: &[u8] = include_bytes!("../../../examples/sanctions_backfire_article.txt");

#[allow(clippy::too_many_arguments)]
fn f(
    b: &str,
    value: Option<f64>,
    bound: Option<Bound>,
    period: Option<(&str, &str)>,
    g: Option<f64>,
    fc: bool,
    record: bool,
    by: &str,
) -> Frame {
    Frame {
        country_a: Some("RUS".into()),
        country_b: Some(b.into()),
        flow: Some(Flow::Turnover),
        value,
        value_high: None,
        bound,
        unit: value.map(|_| "USD".into()),
        scale: value.map(|_| "billion".into()),
        period_start: period.map(|p| p.0.into()),
        period_end: period.map(|p| p.1.into()),
        yoy_growth_pct: g,
        mom_growth_pct: None,
        states_base: false,
        share_pct: None,
        base_value: None,
        abs_change: None,
        growth_base_year: None,
        is_forecast: fc,
        is_record: record,
        attributed_to: Some(by.into()),
        cites_statistics_of: None,
    }
}

#[test]
fn article_claims_are_found_and_framed() {
    let text = text::decode("article", ARTICLE).unwrap();
    // The article carries no date; Putin's Jan-Oct figure was given at the informal CIS summit
    // of 25 December 2024 (see data/claims/official_releases_russia_neighbours.csv).
    let opts = ExtractOptions {
        date: NaiveDate::from_ymd_opt(2024, 12, 26),
        ..Default::default()
    };
    let claims = extract(&text, &opts);
    let mut belarus = f(
        "BLR",
        Some(59.0),
        Some(Bound::Range),
        Some(("2024-01", "2024-12")),
        None,
        true,
        false,
        "an expert",
    );
    belarus.value_high = Some(60.0);
    let gold = [
        f(
            "CIS",
            Some(93.0),
            Some(Bound::Exact),
            Some(("2024-01", "2024-10")),
            Some(10.6),
            false,
            false,
            "Putin",
        ),
        f(
            "KAZ",
            Some(28.0),
            Some(Bound::Over),
            None,
            None,
            false,
            true,
            "an expert",
        ),
        f(
            "KAZ",
            Some(20.0),
            Some(Bound::Over),
            Some(("2024-01", "2024-09")),
            None,
            false,
            false,
            "an expert",
        ),
        belarus,
        f(
            "KGZ",
            None,
            None,
            Some(("2024-01", "2024-09")),
            Some(27.0),
            false,
            false,
            "Lepechin",
        ),
        f(
            "UZB",
            Some(6.8),
            Some(Bound::Exact),
            Some(("2024-01", "2024-07")),
            Some(29.1),
            false,
            false,
            "Lepechin",
        ),
    ];
    let got: Vec<Frame> = claims.iter().map(|c| c.frame.clone()).collect();
    assert_eq!(got.len(), gold.len(), "{got:#?}");
    for (g, c) in gold.iter().zip(&got) {
        assert_eq!(g, c);
    }
    // Without a date the year-less "January to October" and "this year" stay unresolved.
    let undated = extract(&text, &ExtractOptions::default());
    assert_eq!(undated.len(), 6);
    assert_eq!(undated[0].frame.period_start, None);
    assert_eq!(undated[5].frame.period_start.as_deref(), Some("2024-01"));
}
