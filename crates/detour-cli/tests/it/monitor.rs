//! `detour trade` on the embedded real data, checked against sums computed directly from the
//! shipped CSV files with the csv crate (an independent code path from the store and SQL).

use std::collections::HashMap;

use super::*;

/// (reporter, partner, flow, year, month) -> value, read straight from a shipped file.
fn direct(
    file: &str,
    value_col: &str,
    scale: f64,
) -> HashMap<(String, String, String, i32, u32), f64> {
    let mut rdr = csv::Reader::from_path(data(&format!("trade/{file}"))).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (rep, par, flow, y, m, v) = (
        h.iter()
            .position(|x| x == "reporter_code")
            .unwrap_or_else(|| col("reporter")),
        h.iter()
            .position(|x| x == "partner_iso3")
            .unwrap_or_else(|| col("partner")),
        col("flow"),
        col("year"),
        col("month"),
        col(value_col),
    );
    let mut out = HashMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let Ok(val) = r[v].parse::<f64>() else {
            continue;
        };
        let key = (
            r[rep].to_string(),
            r[par].to_string(),
            r[flow].to_string(),
            r[y].parse().unwrap(),
            r[m].parse().unwrap(),
        );
        *out.entry(key).or_insert(0.0) += val * scale;
    }
    out
}

/// `detour trade ARGS --format json`, parsed.
pub fn trade_json(args: &[&str]) -> serde_json::Value {
    let mut c = detour();
    c.arg("trade").args(args).args(["--format", "json"]);
    serde_json::from_str(&run_ok(&mut c)).unwrap()
}

/// `detour mirror … --format json` for one pair and period.
pub fn mirror_json(reporter: &str, partner: &str, period: &str) -> serde_json::Value {
    let mut c = detour();
    c.args([
        "mirror",
        "--reporter",
        reporter,
        "--partner",
        partner,
        "--period",
        period,
        "--format",
        "json",
    ]);
    serde_json::from_str(&run_ok(&mut c)).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

/// EU27 exports to Russia and five neighbours, 2019-2023 and January-August 2024, with YoY,
/// equal to the sums of the Eurostat monthly file's EU27 rows.
#[test]
fn eu27_exports_by_year_and_ytd_match_the_file() {
    let d = direct(
        "eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv",
        "value_eur",
        1.0,
    );
    let sum = |p: &str, y: i32, last: u32| -> f64 {
        (1..=last)
            .map(|m| {
                d[&(
                    "EU27".to_string(),
                    p.to_string(),
                    "export".to_string(),
                    y,
                    m,
                )]
            })
            .sum()
    };
    for p in ["RUS", "KAZ", "KGZ", "ARM", "GEO", "UZB"] {
        for y in 2020..=2023 {
            let v = trade_json(&[
                "--reporter",
                "EU27",
                "--partner",
                p,
                "--period",
                &y.to_string(),
                "--yoy",
            ]);
            let want = sum(p, y, 12);
            assert!(
                close(v["value"].as_f64().unwrap(), want),
                "{p} {y}: {} vs {want}",
                v["value"]
            );
            assert!(
                close(v["previous_value"].as_f64().unwrap(), sum(p, y - 1, 12)),
                "{p} {y}"
            );
            let yoy = 100.0 * (want / sum(p, y - 1, 12) - 1.0);
            assert!(
                (v["yoy_pct"].as_f64().unwrap() - yoy).abs() < 1e-9,
                "{p} {y}"
            );
            assert_eq!(v["complete"], true);
            assert_eq!(v["currency"], "EUR");
            assert_eq!(v["reporter_side"], "EU27");
            assert_eq!(v["provenance"][0]["granularity"], "monthly");
        }
        let v = trade_json(&[
            "--reporter",
            "EU27",
            "--partner",
            p,
            "--period",
            "ytd:2024-08",
            "--yoy",
        ]);
        assert!(
            close(v["value"].as_f64().unwrap(), sum(p, 2024, 8)),
            "{p} ytd"
        );
        assert!(
            close(v["previous_value"].as_f64().unwrap(), sum(p, 2023, 8)),
            "{p} ytd base"
        );
        assert_eq!(v["previous_period"], "2023-01..2023-08");
        assert!(v["yoy_pct"].is_number());
    }
    // 2019 has no 2018 base in the monthly file: the base comes from the yearly file
    // (EUR 280,387,972 for 2018), and both files are named.
    let v = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--period",
        "2019",
        "--yoy",
    ]);
    assert_eq!(v["previous_value"].as_f64().unwrap(), 280_387_972.0);
    let grans: Vec<&str> = v["provenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["granularity"].as_str().unwrap())
        .collect();
    assert_eq!(grans, ["monthly", "annual"]);
    // Nothing is loaded for EU27 before 2010: no base, so no growth rate is invented.
    let v = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--period",
        "2010",
        "--yoy",
    ]);
    assert!(v.get("yoy_pct").is_none(), "{v}");
    assert!(
        v["notes"].to_string().contains("year-on-year not computed"),
        "{v}"
    );
}

/// Russia's turnover with Kazakhstan and Belarus by year from the FCS file; 2010 with
/// Kazakhstan is incomplete (July-December not published) and says so.
#[test]
fn fcs_turnover_by_year() {
    let d = direct(
        "russia_fcs_monthly_top29_partners_2006_2021.csv",
        "value_musd",
        1e6,
    );
    for p in ["KAZ", "BLR"] {
        for y in 2006..=2021 {
            let v = trade_json(&[
                "--reporter",
                "RUS",
                "--partner",
                p,
                "--flow",
                "turnover",
                "--period",
                &y.to_string(),
            ]);
            let want: f64 = d
                .iter()
                .filter(|(k, _)| k.0 == "RUS" && k.1 == p && k.3 == y)
                .map(|(_, v)| v)
                .sum();
            assert!(close(v["value"].as_f64().unwrap(), want), "{p} {y}");
            assert_eq!(v["currency"], "USD");
            let incomplete = p == "KAZ" && y == 2010;
            assert_eq!(v["complete"], !incomplete, "{p} {y}");
            if incomplete {
                assert_eq!(
                    v["missing"].as_array().unwrap().len(),
                    12,
                    "6 months x 2 flows"
                );
            }
        }
    }
}

/// The JSON contract: value, currency, reporter_side, complete, provenance; YoY fields; conversion
/// with the rates listed; turnover; a group as partner.
#[test]
fn json_contract() {
    let v = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--flow",
        "exports",
        "--period",
        "2023",
    ]);
    for k in [
        "value",
        "currency",
        "reporter_side",
        "complete",
        "provenance",
    ] {
        assert!(v.get(k).is_some(), "{k} missing in {v}");
    }
    assert_eq!(v["value"].as_f64().unwrap(), 2_733_762_750.0);
    let eur = v["value"].as_f64().unwrap();
    let usd = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--period",
        "2023",
        "--currency",
        "USD",
    ]);
    assert_eq!(usd["currency"], "USD");
    let rates = usd["rates"].as_array().unwrap();
    assert_eq!(rates.len(), 12, "one monthly average per month");
    // Independent check: each month converted at its ECB monthly average.
    let d = direct(
        "eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv",
        "value_eur",
        1.0,
    );
    let want: f64 = (1..=12)
        .map(|m| {
            let (r, _) = detour_core::money::EcbRates::global()
                .monthly_rate("USD", detour_core::period::Month::new(2023, m).unwrap())
                .unwrap();
            d[&(
                "EU27".to_string(),
                "KGZ".to_string(),
                "export".to_string(),
                2023,
                m,
            )] * r
        })
        .sum();
    assert!(close(usd["value"].as_f64().unwrap(), want));
    assert!(
        usd["value"].as_f64().unwrap() > eur,
        "the euro was above the dollar in 2023"
    );
    // Turnover: KGZ is the one partner with EU27 imports in the monthly file.
    let t = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--flow",
        "turnover",
        "--period",
        "2023",
    ]);
    let x: f64 = (1..=12)
        .map(|m| {
            d[&(
                "EU27".to_string(),
                "KGZ".to_string(),
                "export".to_string(),
                2023,
                m,
            )]
        })
        .sum();
    let m: f64 = (1..=12)
        .map(|m| {
            d[&(
                "EU27".to_string(),
                "KGZ".to_string(),
                "import".to_string(),
                2023,
                m,
            )]
        })
        .sum();
    assert!(close(t["value"].as_f64().unwrap(), x + m));
    // A group as partner: EU27 exports to the CIS in 2023, summed over the members on 2023-12-31.
    let g = trade_json(&["--reporter", "EU27", "--partner", "CIS", "--period", "2023"]);
    let notes = g["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("CIS on 2023-12-31: ARM AZE BLR KAZ KGZ MDA RUS TJK TKM UZB")),
        "{g}"
    );
    assert_eq!(g["complete"], true, "{g}");
    assert!(
        g["value"].as_f64().unwrap()
            > trade_json(&["--reporter", "EU27", "--partner", "RUS", "--period", "2023"])["value"]
                .as_f64()
                .unwrap()
    );
    // YTD with YoY adds the base and the change.
    let y = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--period",
        "ytd:2024-08",
        "--yoy",
    ]);
    assert!(
        y["previous_value"].is_number() && y["yoy_pct"].is_number(),
        "{y}"
    );
}

/// Incomplete windows are reported as such; a window with no data at all is a clear error.
#[test]
fn coverage_is_honest() {
    let v = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--period",
        "2024-01..2024-10",
    ]);
    assert_eq!(v["complete"], false);
    let missing: Vec<&str> = v["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        ["EU27->KGZ export 2024-09", "EU27->KGZ export 2024-10"]
    );
    let e = run_err(detour().args([
        "trade",
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--period",
        "2030",
    ]));
    let msg = String::from_utf8_lossy(&e.stderr);
    assert!(msg.contains("no data for"), "{msg}");
}

/// The mirror: EU27 exports to Kyrgyzstan seen from Kyrgyzstan's side are Kyrgyzstan's recorded
/// imports from the EU27 (national statistics, 2022: EUR 501,768,830.48 in the file). Asked in EUR,
/// the file published in EUR is used as it stands (the office's own table in US$ is not converted).
#[test]
fn mirror_side_is_named() {
    let v = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--period",
        "2022",
        "--side",
        "partner",
        "--currency",
        "EUR",
    ]);
    assert_eq!(v["side"], "partner");
    assert_eq!(v["reporter_side"], "KGZ");
    let d = {
        let mut rdr = csv::Reader::from_path(data(
            "trade/national_stats_imports_arm_kaz_kgz_uzb_yearly_2019_2023.csv",
        ))
        .unwrap();
        let mut x = None;
        for r in rdr.records() {
            let r = r.unwrap();
            if &r[0] == "Kyrgyzstan" && &r[2] == "2022" && r[1].contains("European Union - 27") {
                x = Some(r[3].parse::<f64>().unwrap());
            }
        }
        x
    };
    let want = d.expect("the national file has Kyrgyzstan's 2022 imports from the EU27");
    assert!(close(v["value"].as_f64().unwrap(), want), "{v}");
    assert!(close(want, 501_768_830.48));
}

/// Mirror: EU27 exports (Eurostat) against the partner's recorded imports from the EU27
/// (national statistics), yearly 2019-2023, with the gap.
#[test]
fn mirror_eu27_exports_against_partner_imports() {
    let d = direct(
        "eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv",
        "value_eur",
        1.0,
    );
    let mut nat = HashMap::new();
    let mut rdr = csv::Reader::from_path(data(
        "trade/national_stats_imports_arm_kaz_kgz_uzb_yearly_2019_2023.csv",
    ))
    .unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        if r[1].starts_with("European Union - 27") {
            nat.insert(
                (r[0].to_string(), r[2].parse::<i32>().unwrap()),
                r[3].parse::<f64>().unwrap(),
            );
        }
    }
    for (code, name) in [
        ("KGZ", "Kyrgyzstan"),
        ("KAZ", "Kazakhstan"),
        ("ARM", "Armenia"),
        ("UZB", "Uzbekistan"),
    ] {
        for y in 2019..=2023 {
            let mut c = detour();
            c.args([
                "mirror",
                "--reporter",
                "EU27",
                "--partner",
                code,
                "--period",
                &y.to_string(),
                "--format",
                "json",
            ]);
            let m: serde_json::Value = serde_json::from_str(&run_ok(&mut c)).unwrap();
            let eu: f64 = (1..=12)
                .map(|mo| {
                    d[&(
                        "EU27".to_string(),
                        code.to_string(),
                        "export".to_string(),
                        y,
                        mo,
                    )]
                })
                .sum();
            let theirs = nat[&(name.to_string(), y)];
            assert!(
                close(m["reporter_view"]["value"].as_f64().unwrap(), eu),
                "{code} {y}"
            );
            assert_eq!(m["partner_view"]["reporter_side"], code);
            assert!(
                close(m["partner_view"]["value"].as_f64().unwrap(), theirs),
                "{code} {y}"
            );
            assert!(close(m["gap"].as_f64().unwrap(), theirs - eu), "{code} {y}");
            assert!(
                m["notes"][0].as_str().unwrap().contains("CIF"),
                "the valuation caveat is stated"
            );
        }
    }
    // Only one side: Russia's imports from the EU27 are not loaded.
    let mut c = detour();
    c.args([
        "mirror",
        "--reporter",
        "EU27",
        "--partner",
        "RUS",
        "--period",
        "2021",
        "--format",
        "json",
    ]);
    let m: serde_json::Value = serde_json::from_str(&run_ok(&mut c)).unwrap();
    assert!(m["partner_view"].is_null());
    assert!(
        m["notes"].to_string().contains("only one side exists"),
        "{m}"
    );
}

/// Records: Russia-Belarus turnover per year from the FCS file, the record flags computed
/// independently from the file's rows.
#[test]
fn records_flagged() {
    let d = direct(
        "russia_fcs_monthly_top29_partners_2006_2021.csv",
        "value_musd",
        1e6,
    );
    let year = |y: i32| -> f64 {
        d.iter()
            .filter(|(k, _)| k.1 == "BLR" && k.3 == y)
            .map(|(_, v)| v)
            .sum()
    };
    for y in [2008, 2014, 2021] {
        let mut c = detour();
        c.args([
            "records",
            "--reporter",
            "RUS",
            "--partner",
            "BLR",
            "--flow",
            "turnover",
            "--period",
            &y.to_string(),
            "--format",
            "json",
        ]);
        let r: serde_json::Value = serde_json::from_str(&run_ok(&mut c)).unwrap();
        let v = year(y);
        let earlier: Vec<f64> = (2006..y).map(year).collect();
        assert_eq!(r["history"].as_array().unwrap().len(), earlier.len());
        assert_eq!(r["is_highest"], earlier.iter().all(|e| *e < v), "{y}");
        assert_eq!(r["is_lowest"], earlier.iter().all(|e| *e > v), "{y}");
        // highest_since: the oldest year from which every later window is lower.
        let mut since = None;
        for (i, e) in earlier.iter().enumerate().rev() {
            if *e < v {
                since = Some((2006 + i as i32).to_string());
            } else {
                break;
            }
        }
        assert_eq!(
            r["highest_since"].as_str().map(str::to_string),
            since,
            "{y}"
        );
    }
}

/// Series: annual Russia-Kazakhstan turnover 2006-2021 equals the yearly sums of the FCS file,
/// 2010 flagged incomplete; quarterly points sum to the year; the SVG chart is written.
/// `detour series` of Russia's trade turnover with Kazakhstan over `period`.
fn rus_kaz_turnover(period: &str) -> [&str; 9] {
    [
        "series",
        "--reporter",
        "RUS",
        "--partner",
        "KAZ",
        "--flow",
        "turnover",
        "--period",
        period,
    ]
}

#[test]
fn series_and_chart() {
    let d = direct(
        "russia_fcs_monthly_top29_partners_2006_2021.csv",
        "value_musd",
        1e6,
    );
    let tmp = tempfile::tempdir().unwrap();
    let svg = tmp.path().join("rus_kaz.svg");
    let mut c = detour();
    c.args(rus_kaz_turnover("2006..2021"));
    c.args(["--freq", "annual", "--format", "json", "--chart"])
        .arg(&svg);
    let s: serde_json::Value = serde_json::from_str(&run_ok(&mut c)).unwrap();
    let pts = s["points"].as_array().unwrap();
    assert_eq!(pts.len(), 16);
    for p in pts {
        let y: i32 = p["period"].as_str().unwrap().parse().unwrap();
        let want: f64 = d
            .iter()
            .filter(|(k, _)| k.1 == "KAZ" && k.3 == y)
            .map(|(_, v)| v)
            .sum();
        assert!(close(p["value"].as_f64().unwrap(), want), "{y}");
        assert_eq!(p["complete"], y != 2010, "{y}");
    }
    let chart = std::fs::read_to_string(&svg).unwrap();
    assert!(
        chart.starts_with("<svg") && chart.contains("<polyline") && chart.contains("russia-fcs")
    );
    assert_eq!(chart.matches("<circle").count(), 16);
    let mut c = detour();
    c.args(rus_kaz_turnover("2021"));
    c.args(["--freq", "quarterly", "--format", "json"]);
    let q: serde_json::Value = serde_json::from_str(&run_ok(&mut c)).unwrap();
    let sum: f64 = q["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .sum();
    assert_eq!(q["points"].as_array().unwrap().len(), 4);
    assert!(close(sum, 25_630_665_620.0), "quarters sum to the year");
}

/// Share: Russia's share of EU27 exports outside the EU in 2018 (yearly Eurostat file, the last
/// year that file carries the Extra-EU27 total), against the file's own two rows.
#[test]
fn share_of_extra_eu_exports() {
    let mut rdr = csv::Reader::from_path(data(
        "trade/eurostat_eu27_exports_by_partner_yearly_2010_2023.csv",
    ))
    .unwrap();
    let (mut rus, mut extra) = (HashMap::new(), HashMap::new());
    for r in rdr.records() {
        let r = r.unwrap();
        let y: i32 = r[3].parse().unwrap();
        let v: f64 = r[4].parse().unwrap();
        if r[1].starts_with("Russian Federation") {
            rus.insert(y, v);
        } else if r[1].starts_with("Extra-EU27") {
            extra.insert(y, v);
        }
    }
    let last = *extra.keys().max().unwrap();
    let mut c = detour();
    c.args([
        "share",
        "--reporter",
        "EU27",
        "--partner",
        "RUS",
        "--of",
        "EXTRA_EU27",
        "--period",
        &last.to_string(),
    ]);
    c.args(["--yoy", "--format", "json"]);
    let s: serde_json::Value = serde_json::from_str(&run_ok(&mut c)).unwrap();
    let want = 100.0 * rus[&last] / extra[&last];
    assert!(
        (s["share_pct"].as_f64().unwrap() - want).abs() < 1e-9,
        "{s}"
    );
    let prev = 100.0 * rus[&(last - 1)] / extra[&(last - 1)];
    assert!(
        (s["change_pp"].as_f64().unwrap() - (want - prev)).abs() < 1e-9,
        "{s}"
    );
}

#[test]
fn charts_as_png_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("rus_kaz.png");
    crate::run_ok(
        crate::detour()
            .args(rus_kaz_turnover("2006..2021"))
            .args(["--chart"])
            .arg(&png),
    );
    let div = dir.path().join("index.png");
    crate::run_ok(
        crate::detour()
            .args(crate::diversion::diversion_args(
                "EU27",
                "ARM,KGZ",
                crate::diversion::BASELINE,
                crate::diversion::AFTER,
            ))
            .arg("--chart")
            .arg(&div),
    );
    for p in [png, div] {
        let b = std::fs::read(&p).unwrap();
        assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "{}", p.display());
        assert_eq!(&b[12..16], b"IHDR");
        let (w, h) = (
            u32::from_be_bytes(b[16..20].try_into().unwrap()),
            u32::from_be_bytes(b[20..24].try_into().unwrap()),
        );
        assert!(w >= 1000 && h >= 500, "{w}x{h}");
        assert!(b.len() > 20_000, "a drawn chart, not a blank image");
    }
}

#[test]
fn totals_from_product_level_files_without_total_rows() {
    // BACI has HS-6 rows only: `trade` sums them (6-digit rows of files without TOTAL rows).
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    crate::ingest_fixture(&store, "BACI_HS17_Y2022_V202401_sample.csv", "baci");
    for (r, p, v) in [("USA", "KGZ", 12_500.0), ("FRA", "RUS", 100_000.0)] {
        let out = crate::run_ok(crate::detour().arg("--store").arg(&store).args([
            "trade",
            "--reporter",
            r,
            "--partner",
            p,
            "--period",
            "2022",
            "--format",
            "json",
        ]));
        let j: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(j["value"].as_f64().unwrap(), v, "{r}->{p}");
        assert_eq!(j["complete"], true);
    }
}

#[test]
fn implied_base_from_a_level_and_its_growth() {
    let out = crate::run_ok(crate::detour().args([
        "implied-base",
        "6.8",
        "29.1",
        "--period",
        "2024-01..2024-07",
    ]));
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!((j["implied_base"].as_f64().unwrap() - 6.8 / 1.291).abs() < 1e-12);
    assert_eq!(j["base_period"], "2023-01..2023-07");
    let out = crate::run_ok(crate::detour().args(["implied-base", "90", "-10"]));
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!((j["implied_base"].as_f64().unwrap() - 100.0).abs() < 1e-9);
    crate::run_err(crate::detour().args(["implied-base", "5", "-100"]));
}

/// Goods instead of total trade (`--commodity`), on Eurostat's CN8 file: EU27 exports to Kazakhstan
/// of integrated circuits (HS 854231/32/33/39) in 2021 are 6,067,408 EUR, the sum of the file's CN8
/// rows under those subheadings over all member states (Python's csv module). Heading 2106 is in
/// the file twice (its HS-4 rows: 40,218,626 EUR; its CN8 rows: 40,218,622 EUR): the sum takes the
/// CN8 rows only. Months and members without a row are zeros, so the window is complete.
#[test]
fn trade_in_goods_by_code_prefix_and_chpl() {
    let v = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KAZ",
        "--period",
        "2021",
        "--commodity",
        "854231,854232,854233,854239",
    ]);
    assert_eq!(v["value"].as_f64().unwrap(), 6_067_408.0);
    assert_eq!(v["complete"], true);
    assert!(v["commodity"].as_str().unwrap().contains("854231"));
    let h = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KAZ",
        "--period",
        "2021",
        "--commodity",
        "2106",
    ]);
    assert_eq!(h["value"].as_f64().unwrap(), 40_218_622.0);
    // The CHPL across the HS 2022 change inside one file: 2021 in HS 2017 codes, 2022 in HS 2022.
    let c = trade_json(&[
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--period",
        "2022-01..2022-11",
        "--commodity",
        "chpl",
        "--yoy",
    ]);
    assert!(c["commodity"].as_str().unwrap().contains("HS 2017"));
    assert!(c["yoy_pct"].as_f64().unwrap() > 100.0, "{c}");
    let out = crate::run_err(detour().args([
        "trade",
        "--reporter",
        "EU27",
        "--partner",
        "KAZ",
        "--period",
        "2021",
        "--commodity",
        "85x",
    ]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--commodity '85x'"));
}

/// The neighbours' own records beside the other side's: Russia's exports to Kazakhstan in 2023 as
/// the IMF gives them (16,991.044 US$ million; derived from counterpart records from 2022) against
/// Kazakhstan's recorded imports from `Россия` (16,847,033.9314 thousand US$), and Kyrgyzstan's
/// recorded imports from `The EU` in 2022 (526,857.272 thousand US$) against Eurostat's EU27
/// exports, asked in US$: the partner side is the office's own table, unconverted. File values read
/// with Python's csv module.
#[test]
fn mirror_with_the_neighbours_own_records() {
    let mut c = detour();
    c.args([
        "mirror",
        "--reporter",
        "RUS",
        "--partner",
        "KAZ",
        "--period",
        "2023",
        "--format",
        "json",
    ]);
    let m: serde_json::Value = serde_json::from_str(&run_ok(&mut c)).unwrap();
    assert!((m["reporter_view"]["value"].as_f64().unwrap() - 16_991_044_297.006).abs() < 1.0);
    assert_eq!(m["partner_view"]["reporter_side"], "KAZ");
    assert!((m["partner_view"]["value"].as_f64().unwrap() - 16_847_033_931.4).abs() < 1.0);
    assert!((m["gap"].as_f64().unwrap() + 144_010_365.6).abs() < 1.0);
    let mut c = detour();
    c.args([
        "mirror",
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--period",
        "2022",
        "--currency",
        "USD",
        "--format",
        "json",
    ]);
    let m: serde_json::Value = serde_json::from_str(&run_ok(&mut c)).unwrap();
    assert_eq!(m["partner_view"]["reporter_side"], "KGZ");
    assert!((m["partner_view"]["value"].as_f64().unwrap() - 526_857_272.0).abs() < 1.0);
    assert!(
        m["partner_view"]["rates"]
            .as_array()
            .is_none_or(|r| r.is_empty())
    );
    assert_eq!(m["reporter_view"]["currency"], "USD");
}
