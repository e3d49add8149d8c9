//! Values on the shipped real data, checked against the source files computed independently.

use super::*;

fn num(s: &str) -> f64 {
    s.parse().unwrap()
}

/// EU27 exports to Kyrgyzstan, 2021 and 2023, as the Eurostat files give them.
/// Reference: sums of the EU27 rows of `eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv`
/// (computed with Python's csv module: 263,239,032 and 2,733,762,750 EUR) and the yearly file's
/// rows (263,239,032 and 2,733,762,752 EUR).
#[test]
fn eu27_exports_to_kyrgyzstan() {
    let monthly = sql_rows(
        None,
        "SELECT year, SUM(value), COUNT(*) FROM flows WHERE source = 'eurostat-comext' AND reporter = 'EU27' \
         AND partner = 'KGZ' AND flow = 'export' AND month IS NOT NULL AND year IN (2021, 2023) GROUP BY year ORDER BY year",
    );
    assert_eq!(monthly.len(), 2);
    assert_eq!(monthly[0][0], "2021");
    assert_eq!(num(&monthly[0][1]), 263_239_032.0);
    assert_eq!(monthly[0][2], "12");
    assert_eq!(num(&monthly[1][1]), 2_733_762_750.0);
    let yearly = sql_rows(
        None,
        "SELECT year, value FROM flows WHERE reporter = 'EU27' AND partner = 'KGZ' AND month IS NULL \
         AND year IN (2021, 2023) ORDER BY year",
    );
    assert_eq!(
        yearly,
        vec![
            vec!["2021".to_string(), "263239032.0".into()],
            vec!["2023".into(), "2733762752.0".into()]
        ]
    );
}

/// The monthly and yearly Eurostat files agree on EU27 totals to within rounding (a few euros),
/// except Uzbekistan 2023, where the yearly extract is EUR 1,807,446 (0.04%) higher: the two
/// extracts were taken at different revisions.
#[test]
fn monthly_and_yearly_eurostat_agree() {
    let rows = sql_rows(
        None,
        "WITH m AS (SELECT partner, year, SUM(value) v FROM flows WHERE reporter='EU27' AND month IS NOT NULL \
            AND flow='export' AND year <= 2023 GROUP BY partner, year), \
         y AS (SELECT partner, year, value v FROM flows WHERE reporter='EU27' AND month IS NULL AND flow='export') \
         SELECT m.partner, m.year, y.v - m.v FROM m JOIN y ON m.partner = y.partner AND m.year = y.year \
         WHERE ABS(m.v - y.v) > 10 ORDER BY 1, 2",
    );
    assert_eq!(
        rows,
        vec![vec!["UZB".to_string(), "2023".into(), "1807446.0".into()]]
    );
    let n = sql_rows(
        None,
        "SELECT COUNT(*) FROM (SELECT DISTINCT partner, year FROM flows WHERE reporter='EU27' AND month IS NOT NULL AND year <= 2023)",
    );
    assert_eq!(n[0][0], "30", "6 partners x 5 years");
}

/// Russia's FCS exports+imports with Kazakhstan in 2021: 25,630.67 US$ million (sum of the file's rows).
#[test]
fn fcs_russia_kazakhstan_2021() {
    let rows = sql_rows(
        None,
        "SELECT SUM(value) / 1e6, COUNT(*), MIN(currency) FROM flows WHERE source='russia-fcs' AND partner='KAZ' AND year=2021",
    );
    assert!(
        (num(&rows[0][0]) - 25_630.665_62).abs() < 1e-6,
        "{}",
        rows[0][0]
    );
    assert_eq!(rows[0][1], "24");
    assert_eq!(rows[0][2], "USD");
}

/// National statistics: Kyrgyzstan's 2023 imports from Russia, 2,040,118,854.21 EUR in the file.
#[test]
fn national_statistics_resolve_names() {
    let rows = sql_rows(
        None,
        "SELECT value FROM flows WHERE source='national-stats' AND reporter='KGZ' AND partner='RUS' AND year=2023 AND currency='EUR'",
    );
    assert_eq!(rows, vec![vec!["2040118854.21".to_string()]]);
}

/// The offices' own tables by partner (thousand US$, partner names in English and Russian):
/// Kyrgyzstan's 2023 trade with Russia (823,728.781 exported, 2,182,927.174 imported), Kazakhstan's
/// 2022 trade with `Россия` (9,091,390.9169 and 17,880,630.52827), Kyrgyzstan's 2023 `Total` kept as
/// the world and flagged as the office's region total (3,384,856.093 and 12,351,968.058), all read
/// off `national_stats_kaz_kgz_uzb_trade_by_country_yearly.csv` with Python's csv module.
#[test]
fn national_statistics_by_partner_in_both_flows() {
    let q = |rep: &str, par: &str, year: i32| {
        sql_rows(
            None,
            &format!(
                "SELECT flow, value, currency, coalesce(flags, '') FROM flows WHERE source='national-stats' \
                 AND currency='USD' AND reporter='{rep}' AND partner='{par}' AND year={year} ORDER BY flow"
            ),
        )
    };
    let kgz = q("KGZ", "RUS", 2023);
    assert_eq!(kgz.len(), 2);
    assert!((num(&kgz[0][1]) - 823_728_781.0).abs() < 1e-3, "{kgz:?}");
    assert!((num(&kgz[1][1]) - 2_182_927_174.0).abs() < 1e-3, "{kgz:?}");
    let kaz = q("KAZ", "RUS", 2022);
    assert!((num(&kaz[0][1]) - 9_091_390_916.9).abs() < 1e-2, "{kaz:?}");
    assert!(
        (num(&kaz[1][1]) - 17_880_630_528.27).abs() < 1e-2,
        "{kaz:?}"
    );
    let world = q("KGZ", "WLD", 2023);
    assert!(
        (num(&world[0][1]) - 3_384_856_093.0).abs() < 1e-3,
        "{world:?}"
    );
    assert!(world[1][3].contains("region total"), "{world:?}");
    // A query for the world takes the office's total, not the sum over its partners as well.
    let t = super::monitor::trade_json(&[
        "--reporter",
        "KGZ",
        "--partner",
        "WLD",
        "--period",
        "2023",
        "--currency",
        "USD",
    ]);
    assert!(
        (t["value"].as_f64().unwrap() - 3_384_856_093.0).abs() < 1.0,
        "{t}"
    );
}

/// Uzbekistan publishes no world line: its world figure is the sum over its partner countries and
/// its "Other countries" line (2023 exports + imports: 63,528,431.1 thousand US$, the sum of all
/// of Uzbekistan's 2023 rows of the file, Python's csv module).
#[test]
fn world_total_from_a_full_partner_table() {
    let rows = sql_rows(
        None,
        "SELECT SUM(value) FROM flows WHERE source='national-stats' AND currency='USD' AND reporter='UZB' \
         AND partner NOT IN ('WLD', 'EU27', 'EU', 'CIS', 'EAEU') AND year=2023",
    );
    let t = super::monitor::trade_json(&[
        "--reporter",
        "UZB",
        "--partner",
        "WLD",
        "--flow",
        "turnover",
        "--period",
        "2023",
        "--currency",
        "USD",
    ]);
    assert!(
        (t["value"].as_f64().unwrap() - num(&rows[0][0])).abs() < 1.0,
        "{t}"
    );
    assert!(
        (num(&rows[0][0]) - 63_528_431_100.0).abs() < 1.0,
        "{rows:?}"
    );
    // An extract of a few partners (Eurostat's, here) gives no world figure.
    let out = run_err(detour().args([
        "trade",
        "--reporter",
        "EU27",
        "--partner",
        "WLD",
        "--period",
        "2023-01",
        "--format",
        "json",
    ]));
    assert!(!out.status.success());
}

/// The IMF data portal's wide layout: Russia's exports FOB to Kazakhstan, 2021 (18,474.116961 US$
/// million in the file, `SCALE.ID` 6), and 2023, flagged as derived from counterpart records.
#[test]
fn imf_wide_layout_russia() {
    let rows = sql_rows(
        None,
        "SELECT year, value, valuation, coalesce(flags, '') FROM flows WHERE source='imf-imts' AND reporter='RUS' \
         AND partner='KAZ' AND flow='export' AND year IN (2021, 2023) ORDER BY year",
    );
    assert_eq!(rows.len(), 2);
    assert!(
        (num(&rows[0][1]) - 18_474_116_961.0).abs() < 1.0,
        "{rows:?}"
    );
    assert_eq!(rows[0][2], "FOB");
    assert_eq!(rows[0][3], "");
    assert!(rows[1][3].contains("counterpart records"), "{rows:?}");
}

/// Every country code in every shipped file resolves: the default store holds every row of each file
/// (the files' data-row counts), none skipped; only FCS's 12 empty Russia-Kazakhstan cells
/// (months after the July 2010 customs union) are counted as not published.
#[test]
fn every_shipped_row_is_stored() {
    let out = run_ok(detour().args(["sources", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 7);
    for e in arr {
        let file = e["file"].as_str().unwrap();
        let bytes = std::fs::read(data(&format!("trade/{file}"))).unwrap();
        let lines = if file.ends_with(".gz") {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut s)
                .unwrap();
            s
        } else {
            String::from_utf8(bytes).unwrap()
        };
        let mut rdr = csv::Reader::from_reader(lines.as_bytes());
        if file.starts_with("imf_") {
            // One row per series, years as columns: every non-empty cell of a country or World
            // series is a stored row; the IMF's regional aggregates are the rows not stored.
            let h = rdr.headers().unwrap().clone();
            let cp = h
                .iter()
                .position(|c| c == "COUNTERPART_COUNTRY.ID")
                .unwrap();
            let years: Vec<usize> = (0..h.len()).filter(|&i| h[i].len() == 4).collect();
            let (mut cells, mut aggregates) = (0u64, 0u64);
            for r in rdr.records() {
                let r = r.unwrap();
                let code = &r[cp];
                if code != "G001"
                    && (code.starts_with("TX")
                        || code.starts_with("GX")
                        || (code.starts_with('G')
                            && code[1..].starts_with(|c: char| c.is_ascii_digit())))
                {
                    aggregates += 1;
                    continue;
                }
                cells += years.iter().filter(|&&i| !r[i].is_empty()).count() as u64;
            }
            assert_eq!(e["rows"].as_u64().unwrap(), cells, "{file}");
            let not_stored: u64 = e["coverage"]["not_stored"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum();
            assert_eq!(not_stored, aggregates, "{file}");
            continue;
        }
        let n = rdr.records().count() as u64;
        let empty = e["coverage"]["not_stored"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum::<u64>();
        assert_eq!(
            empty,
            if file.starts_with("russia_fcs") {
                12
            } else if file.starts_with("national_stats_kaz_kgz_uzb") {
                // Continents and complements ("Europe", "Страны вне ЕС") of the offices' tables
                // (389), and 3 unallocated lines summed into their year's one X_OTHER row.
                392
            } else {
                0
            },
            "{file}"
        );
        assert_eq!(e["rows"].as_u64().unwrap() + empty, n, "{file}");
        assert_eq!(e["coverage"]["skipped_rows"].as_u64().unwrap(), 0, "{file}");
        assert_eq!(e["sha256"].as_str().unwrap().len(), 64);
        for k in ["source", "format", "sha256", "rows"] {
            assert!(e.get(k).is_some(), "{k} missing");
        }
    }
}

/// Reference tables are queryable and agree with the library.
#[test]
fn reference_tables() {
    let rows = sql_rows(
        None,
        "SELECT COUNT(*) FROM country_groups WHERE group_code = 'EAEU' AND member_since <= '2015-08-12'",
    );
    assert_eq!(rows[0][0], "5");
    let fx = sql_rows(
        None,
        "SELECT per_eur FROM fx_monthly WHERE currency='USD' AND year=2023 AND month=5",
    );
    let (rate, _) = detour_core::money::EcbRates::global()
        .monthly_rate("USD", detour_core::period::Month::new(2023, 5).unwrap())
        .unwrap();
    assert!((num(&fx[0][0]) - rate).abs() < 1e-12);
    let rub = sql_rows(
        None,
        "SELECT COUNT(*) FROM fx_monthly WHERE currency='RUB' AND year >= 2022 AND month >= 3",
    );
    assert_eq!(rub[0][0], "0");
}

/// Eurostat's product-level file: both levels are stored, each with its classification, and the
/// heading's rows are flagged as overlapping the CN8 rows beneath them. Germany's 2021 exports to
/// Russia under heading 8542 (integrated circuits, a CHPL heading): the CN8 rows sum to
/// 91,250,814 EUR (Python's csv module over the file); no total reads this file.
#[test]
fn eurostat_products_at_two_levels_never_summed_together() {
    let levels = sql_rows(
        None,
        "SELECT classification, COUNT(*) FROM flows WHERE file_sha256 IN (SELECT DISTINCT file_sha256 FROM flows WHERE classification = 'CN8') GROUP BY 1 ORDER BY 1",
    );
    assert_eq!(
        levels,
        vec![
            vec!["CN8".to_string(), "997559".into()],
            vec!["HS4".into(), "144111".into()]
        ]
    );
    let cn8 = sql_rows(
        None,
        "SELECT SUM(value) FROM flows WHERE classification = 'CN8' AND reporter='DEU' AND partner='RUS' AND year=2021 AND commodity LIKE '8542%'",
    );
    assert!((num(&cn8[0][0]) - 91_250_814.0).abs() < 1e-3, "{cn8:?}");
    let flags = sql_rows(
        None,
        "SELECT DISTINCT flags FROM flows WHERE classification = 'HS4'",
    );
    assert!(flags[0][0].contains("never sum both"), "{flags:?}");
    // Totals come from the total-goods files only: Germany's exports to Russia in 2021 are the
    // monthly file's TOTAL rows, not these products.
    let t =
        super::monitor::trade_json(&["--reporter", "DEU", "--partner", "RUS", "--period", "2021"]);
    let files: Vec<&str> = t["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv"]
    );
}
