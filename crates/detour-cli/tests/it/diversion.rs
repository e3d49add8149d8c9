//! `detour diversion` on the shipped Eurostat data, checked against a direct computation from the file.

use crate::{data, detour, run_err, run_ok};
use serde_json::Value;
use std::collections::BTreeMap;

/// EU27 monthly exports to `partner` straight from the Eurostat file: (year, month) → EUR.
fn eu27_monthly(partner: &str) -> BTreeMap<(i32, u32), f64> {
    let mut rdr = csv::Reader::from_path(data(
        "trade/eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv",
    ))
    .unwrap();
    let mut out = BTreeMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        if &r[0] == "EU27" && &r[2] == "True" && &r[3] == partner && &r[4] == "export" {
            out.insert(
                (r[5].parse().unwrap(), r[6].parse().unwrap()),
                r[7].parse::<f64>().unwrap(),
            );
        }
    }
    out
}

/// Least squares of log values on 12 month dummies and a trend, solved by the normal equations.
fn projected_gap(series: &BTreeMap<(i32, u32), f64>) -> (f64, BTreeMap<i32, f64>) {
    let idx = |y: i32, m: u32| ((y - 2019) * 12 + m as i32 - 1) as f64;
    let rows: Vec<(Vec<f64>, f64)> = series
        .iter()
        .filter(|((y, _), _)| *y <= 2021)
        .map(|((y, m), v)| {
            let mut x = vec![0.0; 13];
            x[(*m - 1) as usize] = 1.0;
            x[12] = idx(*y, *m);
            (x, v.ln())
        })
        .collect();
    let k = 13;
    let mut a = vec![vec![0.0; k + 1]; k];
    for (x, y) in &rows {
        for i in 0..k {
            for j in 0..k {
                a[i][j] += x[i] * x[j];
            }
            a[i][k] += x[i] * y;
        }
    }
    for c in 0..k {
        let p = (c..k)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap();
        a.swap(c, p);
        let pivot = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot[c];
                for (x, p) in row.iter_mut().zip(&pivot).skip(c) {
                    *x -= f * p;
                }
            }
        }
    }
    let b: Vec<f64> = (0..k).map(|i| a[i][k] / a[i][i]).collect();
    let mut total = 0.0;
    let mut by_year = BTreeMap::new();
    for ((y, m), v) in series
        .iter()
        .filter(|((y, m), _)| (*y, *m) >= (2022, 3) && (*y, *m) <= (2024, 8))
    {
        let cf = (b[(*m - 1) as usize] + b[12] * idx(*y, *m)).exp();
        total += v - cf;
        *by_year.entry(*y).or_insert(0.0) += v - cf;
    }
    (total, by_year)
}

/// The standard windows: before the sanctions, and after them to the end of the data.
pub const BASELINE: &str = "2019-01..2021-12";
pub const AFTER: &str = "2022-03..2024-08";

/// The arguments of `detour diversion` with RUS as the target.
pub fn diversion_args<'a>(
    senders: &'a str,
    conduits: &'a str,
    baseline: &'a str,
    after: &'a str,
) -> [&'a str; 11] {
    [
        "diversion",
        "--target",
        "RUS",
        "--senders",
        senders,
        "--conduits",
        conduits,
        "--baseline",
        baseline,
        "--after",
        after,
    ]
}

/// `detour diversion --products TIERS` on the embedded CN8 data: EU27 → RUS, the five conduits,
/// the CN8 file's windows, JSON.
pub fn chpl_json(tiers: &str) -> Value {
    let mut c = detour();
    c.args(diversion_args(
        "EU27",
        "ARM,GEO,KAZ,KGZ,UZB",
        "2020-01..2022-02",
        "2022-03..2022-11",
    ))
    .args(["--products", tiers, "--format", "json"]);
    serde_json::from_str(&run_ok(&mut c)).unwrap()
}

/// `detour diversion` on the embedded data: EU27 → RUS, the five conduits, the standard windows, JSON.
pub fn eu27_rus_json(extra: &[&str]) -> Value {
    let mut c = detour();
    c.args(diversion_args(
        "EU27",
        "ARM,GEO,KAZ,KGZ,UZB",
        BASELINE,
        AFTER,
    ))
    .args(["--format", "json"]);
    serde_json::from_str(&run_ok(c.args(extra))).unwrap()
}

#[test]
fn offset_ratio_matches_a_direct_computation_from_the_file() {
    let v = eu27_rus_json(&[]);
    assert_eq!(v["currency"], "EUR");
    let (gap_rus, years_rus) = projected_gap(&eu27_monthly("RUS"));
    let shortfall = -gap_rus;
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
    assert!(
        rel(v["target_shortfall"].as_f64().unwrap(), shortfall) < 1e-6,
        "{} vs {shortfall}",
        v["target_shortfall"]
    );
    let mut excess = 0.0;
    for c in ["ARM", "GEO", "KAZ", "KGZ", "UZB"] {
        let (g, _) = projected_gap(&eu27_monthly(c));
        excess += g;
        let row = v["by_conduit"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["country"] == c)
            .unwrap();
        assert!(rel(row["excess"].as_f64().unwrap(), g) < 1e-6, "{c}");
        assert!(
            rel(row["offset_ratio"].as_f64().unwrap(), g / shortfall) < 1e-6,
            "{c}"
        );
    }
    assert!(rel(v["conduit_excess"].as_f64().unwrap(), excess) < 1e-6);
    assert!(rel(v["offset_ratio"].as_f64().unwrap(), excess / shortfall) < 1e-6);
    // by year 2022, 2023, 2024 (to August)
    let years = v["by_year"].as_array().unwrap();
    assert_eq!(years.len(), 3);
    for y in years {
        let year = y["year"].as_i64().unwrap() as i32;
        assert!(
            rel(y["target_shortfall"].as_f64().unwrap(), -years_rus[&year]) < 1e-6,
            "{year}"
        );
    }
    // the headline: EU27 exports to Russia fell far below their pre-war path, and some of it reappears
    assert!(shortfall > 50e9 && excess > 0.0 && excess < shortfall);
    // mirror: the senders' record is the file's EU27 total; Kyrgyzstan records far less of it after 2022
    let mirror = v["mirror"].as_array().unwrap();
    for c in ["ARM", "KAZ", "KGZ", "UZB"] {
        let years: Vec<i64> = mirror
            .iter()
            .filter(|r| r["conduit"] == c)
            .map(|r| r["year"].as_i64().unwrap())
            .collect();
        assert_eq!(years, vec![2019, 2020, 2021, 2022, 2023], "{c}");
    }
    let kgz23 = mirror
        .iter()
        .find(|r| r["conduit"] == "KGZ" && r["year"] == 2023)
        .unwrap();
    let direct: f64 = eu27_monthly("KGZ")
        .iter()
        .filter(|((y, _), _)| *y == 2023)
        .map(|(_, v)| v)
        .sum();
    assert!(rel(kgz23["senders_record"].as_f64().unwrap(), direct) < 1e-9);
    let gap = kgz23["conduit_record"].as_f64().unwrap() - kgz23["senders_record"].as_f64().unwrap();
    assert!(rel(kgz23["gap"].as_f64().unwrap(), gap) < 1e-9);
    let kgz = v["mirror_summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["conduit"] == "KGZ")
        .unwrap();
    assert!(kgz["change_pp"].as_f64().unwrap() < -20.0, "{kgz}");
}

#[test]
fn member_states_whose_exports_to_the_conduits_grew_most() {
    let v = eu27_rus_json(&["--by-sender"]);
    let rows = v["by_sender"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        27,
        "every EU member state on the after window's start"
    );
    assert_eq!(
        rows[0]["country"], "DEU",
        "Germany's exports to the conduits grew most"
    );
    // members with a month of zero trade in some pair say which pair was left out
    for r in rows.iter().filter(|r| r["conduit_excess"].is_null()) {
        assert!(!r["skipped"].as_array().unwrap().is_empty(), "{r}");
    }
}

#[test]
fn gravity_with_after_dummies() {
    let v = eu27_rus_json(&["--gravity"]);
    let g = &v["gravity"];
    assert_eq!(g["converged"], true);
    // the six destination dummies sum to the after indicator: one is dropped as the reference
    assert_eq!(g["collinear"].as_array().unwrap().len(), 1);
    let effects = g["effects"].as_array().unwrap();
    assert_eq!(effects.len(), 5);
    let get = |n: &str| effects.iter().find(|e| e["name"] == n).unwrap();
    let rus = get("RUS × after");
    assert!(
        rus["estimate"].as_f64().unwrap() < 0.0 && rus["ci_high"].as_f64().unwrap() < 0.0,
        "{rus}"
    );
    assert!(get("KGZ × after")["estimate"].as_f64().unwrap() > 0.0);
    for e in effects {
        assert!(e["std_error"].as_f64().unwrap() < 1.0, "{e}");
    }
}

#[test]
fn index_chart_marks_the_sanctions_packages() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("index.svg");
    let mut c = detour();
    run_ok(
        c.args(diversion_args("EU27", "KAZ,KGZ", BASELINE, AFTER))
            .args(["--chart", chart.to_str().unwrap()]),
    );
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert_eq!(svg.matches("<path").count(), 3, "one line per pair");
    assert!(svg.contains("EU27 → KGZ") && svg.contains("sanctions packages"));
    // packages adopted between and inside the windows (1st: 2022-02-23, 4th: 2022-03-15 … 14th: 2024-06-24)
    for n in [1, 4, 14] {
        assert!(
            svg.contains(&format!("fill=\"#777\">{n}</text>")),
            "package {n}"
        );
    }
}

#[test]
fn bad_windows_are_clear_errors() {
    let cases = [
        (BASELINE, "2024-01..2025-06", None, "no data for"),
        (
            BASELINE,
            "2021-06..2022-06",
            None,
            "must start after the baseline",
        ),
        (
            "2019-01..2019-12",
            "2022-03..2023-12",
            None,
            "at least 24 months",
        ),
        (
            BASELINE,
            "2022-03..2023-12",
            Some("2021-06"),
            "must fall after the baseline",
        ),
        (
            BASELINE,
            "2022-03..2023-12",
            Some("2022-06"),
            "starts before the event",
        ),
    ];
    for (baseline, after, event, want) in cases {
        let mut c = detour();
        c.args(diversion_args("EU27", "KGZ", baseline, after));
        if let Some(e) = event {
            c.args(["--event", e]);
        }
        let out = run_err(&mut c);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(want),
            "{baseline} {after} {event:?}: expected '{want}' in {err}"
        );
    }
    let mut c = detour();
    let out = run_err(c.args(diversion_args("EU27", "MNG", BASELINE, "2022-03..2023-12")));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("MNG"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The product-level path on the synthetic BACI-layout fixture (known effects: CHPL goods to Russia
/// exp(-1.2), CHPL goods to the conduits exp(+0.8) after 2021; see tests/fixtures/gen_baci_fixture.py).
#[test]
fn product_level_did_recovers_the_fixtures_effects() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    crate::ingest_fixture(&store, "BACI_HS17_fixture_2019_2023.csv", "baci");
    let run = |tiers: &str| -> serde_json::Value {
        let out = crate::run_ok(
            crate::detour()
                .arg("--store")
                .arg(&store)
                .args(diversion_args(
                    "EU27",
                    "KAZ,KGZ,ARM",
                    BASELINE,
                    "2022-01..2023-12",
                ))
                .args(["--products", tiers, "--format", "json"]),
        );
        serde_json::from_str(&out).unwrap()
    };
    let v = run("all");
    assert_eq!(
        v["edition"], "Hs2017",
        "read from the file name BACI_HS17_…"
    );
    let eff = |name: &str| {
        v["effects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap()["estimate"]
            .as_f64()
            .unwrap()
    };
    assert!(
        (eff("CHPL × RUS × after") + 1.2).abs() < 0.05,
        "{}",
        eff("CHPL × RUS × after")
    );
    assert!(
        (eff("CHPL × conduits × after") - 0.8).abs() < 0.05,
        "{}",
        eff("CHPL × conduits × after")
    );
    for p in v["event_study"].as_array().unwrap() {
        let (year, est) = (p["year"].as_i64().unwrap(), p["estimate"].as_f64().unwrap());
        let truth = match (year >= 2022, p["destination"].as_str().unwrap()) {
            (false, _) => 0.0,
            (true, "RUS") => -1.2,
            (true, _) => 0.8,
        };
        assert!(
            (est - truth).abs() < 0.1,
            "{year} {}: {est}",
            p["destination"]
        );
    }
    // CHPL codes created in HS 2022 are found in HS 2017 data through the correlation table.
    let cams = v["chpl_matched"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["chpl"] == "852589")
        .unwrap();
    assert_eq!(cams["data_code"], "852580");
    assert_eq!(cams["how"], "correlation (partial)");
    let in_data: Vec<&str> = v["chpl_in_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(in_data, ["847150", "852580", "854231", "854232", "880330"]);
    for s in v["substitution"].as_array().unwrap() {
        let r = s["ratio"].as_f64().unwrap();
        assert!(r > 0.5 && r < 1.0, "{s}");
    }
    // Tier 1 only: the two integrated-circuit codes.
    let t1 = run("1");
    assert_eq!(t1["chpl_in_data"], serde_json::json!(["854231", "854232"]));
}

#[test]
fn product_level_bad_input() {
    // The embedded store has product data for 2020-2022 only.
    let out = crate::run_err(
        crate::detour()
            .args(diversion_args(
                "EU27",
                "KAZ",
                "2016-01..2017-12",
                "2018-01..2018-12",
            ))
            .args(["--products", "all"]),
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no HS-6 exports of EU27"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = crate::run_err(
        crate::detour()
            .args(diversion_args(
                "EU27",
                "KAZ",
                "2022-01..2023-12",
                "2019-01..2021-12",
            ))
            .args(["--products", "all"]),
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("must end before the after"));
    let out = crate::run_err(
        crate::detour()
            .args(diversion_args("EU27", "KAZ", BASELINE, AFTER))
            .args(["--products", "all", "--hs-edition", "1066"]),
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--hs-edition '1066'"));
}

#[test]
fn mirror_note_flags_armenias_incomplete_2023() {
    let out = crate::run_ok(
        crate::detour()
            .args(diversion_args("EU27", "ARM,KGZ", BASELINE, AFTER))
            .args(["--format", "json"]),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["mirror_note"]
            .as_str()
            .unwrap()
            .contains("Caveat: ARM 2023")
    );
}

#[test]
fn missing_months_as_zero_fits_ppml_and_keeps_every_member() {
    let without = eu27_rus_json(&["--by-sender"]);
    let skipped = |v: &Value| -> usize {
        v["by_sender"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["skipped"].as_array().unwrap().len())
            .sum()
    };
    assert!(
        skipped(&without) > 0,
        "some member-conduit pairs miss months in Comext"
    );
    let with = eu27_rus_json(&["--by-sender", "--missing-as-zero"]);
    assert_eq!(skipped(&with), 0);
    // The group totals have no gaps: the headline is the same either way.
    assert_eq!(with["offset_ratio"], without["offset_ratio"]);
    let out = crate::run_ok(
        crate::detour()
            .args(diversion_args("IRL", "KGZ", BASELINE, AFTER))
            .args(["--missing-as-zero", "--format", "json"]),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let kgz = v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"] == "KGZ")
        .unwrap();
    assert_eq!(kgz["fit"]["model"], "ppml");
    for r in kgz["after"].as_array().unwrap() {
        let (lo, cf, hi) = (
            r["band_low"].as_f64().unwrap(),
            r["counterfactual"].as_f64().unwrap(),
            r["band_high"].as_f64().unwrap(),
        );
        assert!(lo >= 0.0 && lo <= cf && cf <= hi, "{r}");
    }
}

/// The product-level difference-in-differences on real data (the contract's command): Eurostat's
/// CN8 exports of the EU member states, months 2020-01..2022-02 against 2022-03..2022-11, summed to
/// HS-6 and read in HS 2017 terms, destination x month effects, the event study by three months.
/// Checked against pyfixest fitting the same model on a panel built independently from the file
/// (`bench/pyfixest_product_did.py`: CN8 rows summed to HS-6, the six CHPL codes HS 2022 created
/// mapped back, goods seen only before or only after the change left out; 242,200 observations).
#[test]
fn product_level_on_real_cn8_data() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::fixture("pyfixest_product_did_cn8.json")).unwrap(),
    )
    .unwrap();
    let out = run_ok(
        crate::detour()
            .args(diversion_args(
                "EU27",
                "ARM,GEO,KAZ,KGZ,UZB",
                "2020-01..2022-02",
                "2022-03..2022-11",
            ))
            .args(["--products", "chpl", "--format", "json"]),
    );
    let m: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(m["edition"], "Hs2017");
    assert!(m["model"].as_str().unwrap().contains("destination×month"));
    assert_eq!(m["converged"], true);
    agrees_with_pyfixest(&m, &reference["monthly"]);
    let chpl: Vec<&str> = m["chpl_in_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        chpl.contains(&"854231") && chpl.contains(&"880330"),
        "{chpl:?}"
    );
    let rus = &m["effects"][0];
    assert!(rus["name"].as_str().unwrap().contains("RUS"));
    assert!(rus["ci_high"].as_f64().unwrap() < 0.0, "{rus}");
    let periods: Vec<&str> = m["event_study"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert!(
        periods.contains(&"2022-03") && !periods.contains(&"2021-12"),
        "{periods:?}"
    );
    // Plain growth beside the model: total goods to Russia from the monthly total-goods file,
    // the 27 members' exports, monthly means 2022-03..11 against 2020-01..2022-02: -41.956%
    // (Python's csv module over eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv).
    let g = &m["growth"][0];
    assert_eq!(g["destination"], "RUS");
    assert!(
        (g["total_goods_pct"].as_f64().unwrap() + 41.956_299).abs() < 1e-4,
        "{g}"
    );
    assert!(g["chpl_pct"].as_f64().unwrap() < g["panel_goods_pct"].as_f64().unwrap());
}

fn agrees_with_pyfixest(v: &Value, reference: &Value) {
    assert_eq!(reference["nobs"], v["nobs"]);
    assert_eq!(reference["chpl_in_data"], v["chpl_in_data"]);
    for (k, name) in [(0, "chpl_rus_after"), (1, "chpl_conduits_after")] {
        let (b, se) = (
            v["effects"][k]["estimate"].as_f64().unwrap(),
            v["effects"][k]["std_error"].as_f64().unwrap(),
        );
        let (rb, rse) = (
            reference["coefficients"][name].as_f64().unwrap(),
            reference["std_errors"][name].as_f64().unwrap(),
        );
        assert!(
            (b - rb).abs() <= 1e-6 * rb.abs(),
            "{name}: {b} vs pyfixest {rb}"
        );
        assert!(
            (se - rse).abs() <= 1e-4 * rse,
            "{name}: s.e. {se} vs pyfixest {rse}"
        );
    }
    assert!(
        v["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("HS 2017 terms"))
    );
}
