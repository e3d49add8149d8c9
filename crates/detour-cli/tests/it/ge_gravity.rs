//! `method = "ge_gravity"`: Zylkin's example on the WIOD 2016 data, end to end through
//! `detour simulate examples/scenarios/ge_gravity_eu_enlargement.toml --format json` (the contract).
//!
//! References: the partial effect 0.2242490 that `GE_gravity_example.do`'s ppmlhdfe prints (7 digits);
//! its clustered standard error and the other coefficient from pyfixest 0.60.0 run on the same file
//! (`fepois("value ~ eu_enlargement + other_fta | exporter^year + importer^year + pair", vcov CRV1 by
//! pair, fixest's small-sample correction)`: 0.0730274000, −0.0365051702 (s.e. 0.0515068124);
//! each economy's welfare change from the published run (Stata's `ge_gravity`, θ = 4, additive and
//! `mult`; `data/conformance/ge_gravity`), to 1e-6 as a ratio.

use crate::{detour, run_err, run_ok};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(p)
}

/// `detour simulate SCENARIO --format json EXTRA…`, parsed.
fn simulate_json(scenario: &Path, extra: &[&str]) -> Value {
    let mut c = detour();
    c.arg("simulate")
        .arg(scenario)
        .args(["--format", "json"])
        .args(extra);
    serde_json::from_str(&run_ok(&mut c)).unwrap()
}

fn published() -> HashMap<String, (f64, f64)> {
    std::fs::read_to_string(repo(
        "data/conformance/ge_gravity/eu_enlargement_2000_results.csv",
    ))
    .unwrap()
    .lines()
    .skip(1)
    .map(|l| {
        let f: Vec<&str> = l.split(',').map(|f| f.trim_matches('"')).collect();
        (
            f[0].to_string(),
            (f[1].parse().unwrap(), f[2].parse().unwrap()),
        )
    })
    .collect()
}

#[test]
fn ge_gravity_example_reproduced() {
    let s = repo("examples/scenarios/ge_gravity_eu_enlargement.toml");
    let v = simulate_json(&s, &[]);
    assert_eq!(v["method"], "ge_gravity");
    let pe = &v["partial_effect"];
    assert_eq!(pe["name"], "eu_enlargement");
    let b = pe["estimate"].as_f64().unwrap();
    assert!((b - 0.2242490).abs() < 5e-8, "partial effect {b}");
    let se = pe["std_error"].as_f64().unwrap();
    assert!((se - 0.0730274000).abs() < 1e-8, "s.e. {se}");
    let coefs = v["estimation"]["coefficients"].as_array().unwrap();
    assert!((coefs[1]["estimate"].as_f64().unwrap() + 0.0365051702).abs() < 1e-8);
    assert!((coefs[1]["std_error"].as_f64().unwrap() - 0.0515068124).abs() < 1e-8);
    assert_eq!(v["estimation"]["nobs"], 7568);
    assert_eq!(v["pairs_changed"], 572);
    let want = published();
    let rows = v["countries"].as_array().unwrap();
    assert_eq!(rows.len(), 44);
    for r in rows {
        let c = r["country"].as_str().unwrap();
        let (w_add, w_mult) = want[c];
        let got_add = 1.0 + r["welfare_change_pct"].as_f64().unwrap() / 100.0;
        let got_mult = 1.0 + r["welfare_change_pct_mult"].as_f64().unwrap() / 100.0;
        assert!((got_add - w_add).abs() < 1e-6, "{c}: {got_add} vs {w_add}");
        assert!(
            (got_mult - w_mult).abs() < 1e-6,
            "{c}: {got_mult} vs {w_mult}"
        );
        assert_eq!(
            r["welfare_change_pct"], r["welfare_change_pct_additive"],
            "additive is the default"
        );
    }
    // the multiplicative variant as the scenario's choice: the same numbers under the other key
    let text = std::fs::read_to_string(&s)
        .unwrap()
        .replace("imbalances = \"additive\"", "imbalances = \"mult\"")
        .replace("../../data/", &format!("{}/", repo("data").display()));
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("mult.toml");
    std::fs::write(&m, text).unwrap();
    let vm = simulate_json(&m, &[]);
    assert_eq!(vm["imbalances"], "multiplicative");
    for (a, b) in vm["countries"].as_array().unwrap().iter().zip(rows) {
        assert_eq!(a["welfare_change_pct"], b["welfare_change_pct_mult"]);
    }
}

#[test]
fn ge_gravity_monte_carlo_bands_cover_the_estimate() {
    let v = simulate_json(
        &repo("examples/scenarios/ge_gravity_eu_enlargement.toml"),
        &["--draws", "40"],
    );
    let mc = &v["monte_carlo"];
    assert_eq!(mc["draws"], 40);
    assert_eq!(mc["failed"], 0);
    for (r, m) in v["countries"]
        .as_array()
        .unwrap()
        .iter()
        .zip(mc["countries"].as_array().unwrap())
    {
        let w = r["welfare_change_pct"].as_f64().unwrap();
        let band = &m["welfare_change_pct"];
        let (lo, hi) = (
            band["ci_low"].as_f64().unwrap(),
            band["ci_high"].as_f64().unwrap(),
        );
        // the welfare change is monotone in the one partial effect, so the point estimate lies inside
        assert!(
            lo <= w + 1e-9 && w <= hi + 1e-9,
            "{}: {w} not in [{lo}, {hi}]",
            r["country"]
        );
        if r["country"] == "POL" {
            assert!(lo > 0.0 && hi > lo, "{lo} {hi}");
        }
    }
}

#[test]
fn bad_ge_gravity_scenarios_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo("data/gravity/wiod2016_agg_allsectors_2000_2014.csv.gz");
    let head = format!(
        "[data]\nfile = \"{}\"\nflow = \"value\"\n[model]\nmethod = \"ge_gravity\"\nyear = 2000\n",
        data.display()
    );
    let cases = [
        (
            format!(
                "{head}theta = 0\n[[change]]\nadd = 0.1\nexporters = [\"POL\"]\nimporters = [\"DEU\"]\n"
            ),
            "s.toml:7: theta = 0",
        ),
        (
            format!("{head}theta = 4\n[[change]]\nadd = 0.1\nexporters = [\"POL\", \"XYZ\"]\n"),
            "s.toml:10: economy 'XYZ' is not in the data",
        ),
        (
            format!("{head}theta = 4\n[[change]]\nvariable = \"eu_enlargement\"\nas_of = 2014\n"),
            "s.toml:8: 'eu_enlargement' has no estimated coefficient",
        ),
        (
            format!("{head}theta = 4\nimbalances = \"both\"\n[[change]]\nadd = 0.1\n"),
            "s.toml:8: imbalances 'both'",
        ),
        (
            format!("{head}theta = 4\nyear = 1999\n"),
            "key 'year' set twice",
        ),
        (
            format!(
                "[data]\nfile = \"{}\"\nflow = \"value\"\n[model]\nmethod = \"ge_gravity\"\ntheta = 4\nyear = 1999\n[[change]]\nadd = 0.1\n",
                data.display()
            ),
            "no rows for the baseline year 1999",
        ),
        (
            format!(
                "{head}theta = 4\n[[change]]\nadd = 0.1\nexporters = [\"POL\"]\nimporters = [\"DEU\"]\ndomestic = true\n"
            ),
            "s.toml:8: ge_gravity changes international trade costs only",
        ),
    ];
    for (body, want) in cases {
        let p = dir.path().join("s.toml");
        std::fs::write(&p, &body).unwrap();
        let mut c = detour();
        let out = run_err(c.args(["simulate", p.to_str().unwrap()]));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "expected '{want}' in {err}\n{body}");
    }
}

#[test]
fn a_shock_on_a_pair_without_baseline_trade_is_refused() {
    // the same world with one pair's 2000 flow set to zero, then a shock on that pair
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(
            std::fs::File::open(repo(
                "data/gravity/wiod2016_agg_allsectors_2000_2014.csv.gz",
            ))
            .unwrap(),
        ),
        &mut text,
    )
    .unwrap();
    let zeroed: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("\"MLT\",\"TWN\",2000,") {
                let f: Vec<&str> = l.split(',').collect();
                format!("{},{},{},0,{}", f[0], f[1], f[2], f[4..].join(","))
            } else {
                l.to_string()
            }
        })
        .collect();
    let csv = dir.path().join("w.csv");
    std::fs::write(&csv, zeroed.join("\n")).unwrap();
    let s = dir.path().join("z.toml");
    std::fs::write(
        &s,
        format!(
            "[data]\nfile = \"{}\"\nflow = \"value\"\n[model]\nmethod = \"ge_gravity\"\ntheta = 4\nyear = 2000\n[[change]]\ntariff = 0.2\nexporters = [\"MLT\"]\nimporters = [\"TWN\"]\n",
            csv.display()
        ),
    )
    .unwrap();
    let mut c = detour();
    let out = run_err(c.args(["simulate", s.to_str().unwrap()]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("z.toml:8: the change falls on MLT → TWN, which has no baseline trade"),
        "{err}"
    );
}

/// The shipped Russia scenario's JSON (no Monte Carlo).
pub fn russia_json() -> Value {
    simulate_json(
        &repo("examples/scenarios/russia_sanctions_2022_ge.toml"),
        &["--draws", "0"],
    )
}

/// The 2022 coalition's sanctions on Russia: the shock is detour's own PPML on the IMF series in the
/// embedded store (checked against pyfixest 0.60.0 on the same rows, exported with `detour sql --out`:
/// −1.3004509586, s.e. 0.1361150914, 3,283 observations), applied to every coalition–Russia pair of the
/// WIOD 2016 world in both directions; the general equilibrium shows the target losing most, the
/// coalition losing less, and third countries trading more with Russia (diversion).
#[test]
fn russia_sanctions_scenario() {
    let v = russia_json();
    let pe = &v["partial_effect"];
    assert_eq!(pe["name"], "sanctioned");
    assert!(
        (pe["estimate"].as_f64().unwrap() + 1.3004509586).abs() < 1e-8,
        "{pe}"
    );
    assert!(
        (pe["std_error"].as_f64().unwrap() - 0.1361150914).abs() < 1e-8,
        "{pe}"
    );
    assert_eq!(v["estimation"]["nobs"], 3283);
    assert_eq!(v["focus"], "RUS");
    // 36 coalition economies in the data (27 EU members, USA, GBR, JPN, KOR, CAN, AUS, NOR, CHE, TWN), both ways
    assert_eq!(v["pairs_changed"], 72);
    let rows = v["countries"].as_array().unwrap();
    let get = |c: &str| rows.iter().find(|r| r["country"] == c).unwrap();
    let w = |c: &str| get(c)["welfare_change_pct"].as_f64().unwrap();
    let rus = w("RUS");
    for r in rows {
        let c = r["country"].as_str().unwrap();
        if c != "RUS" {
            assert!(w(c) > rus, "{c} loses more than Russia");
        }
    }
    assert!(rus < -0.5, "{rus}");
    for c in ["DEU", "FIN", "POL", "USA", "JPN"] {
        assert!(w(c) < 0.0, "{c}: the coalition loses too");
        assert!(get(c)["exports_to_focus_change_pct"].as_f64().unwrap() < -50.0);
    }
    for c in ["TUR", "CHN", "IND", "ROW"] {
        assert!(w(c) > 0.0, "{c} gains");
        let x = get(c)["exports_to_focus_change_pct"].as_f64().unwrap();
        assert!(x > 1.0, "{c}: exports to Russia up by {x}%");
    }
    assert!(v["note"].as_str().unwrap().contains("inside ROW"));
}

/// A multi-sector scenario on the WIOD 2013 world with the change replaced (the file's text edited),
/// written beside the shipped data, with its pair results.
fn sectors_run(name: &str, edit: &dyn Fn(String) -> String) -> (Value, Vec<csv::StringRecord>) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo(&format!("examples/scenarios/{name}")))
        .unwrap()
        .replace("../../data/", &format!("{}/", repo("data").display()));
    let s = dir.path().join("s.toml");
    std::fs::write(&s, edit(text)).unwrap();
    let pairs = dir.path().join("pairs.csv");
    let v = simulate_json(&s, &["--pairs-out", pairs.to_str().unwrap()]);
    let rows = csv::Reader::from_path(&pairs)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    (v, rows)
}

/// The multi-sector model with input–output linkages on WIOD 2013 (41 economies × 35 industries):
/// a null shock returns the baseline exactly; the world's trade balances and each economy's deficit
/// stays as it was (additive imbalances); a shock on the CHPL goods' industries only (c13–c15) costs
/// Russia less than the same shock on every goods industry, and in both its imports of those goods fall.
fn rus_welfare(v: &Value) -> f64 {
    v["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["country"] == "RUS")
        .unwrap()["welfare_change_pct"]
        .as_f64()
        .unwrap()
}

#[test]
fn multi_sector_wiod_scenarios() {
    // null shock: a zero tariff on the coalition's trade with Russia
    let (null, rows) = sectors_run("russia_sanctions_machinery_wiod2013.toml", &|t| {
        t.replace("coefficient = \"sanctioned\"", "tariff = 0")
    });
    assert_eq!(null["sectors"].as_array().unwrap().len(), 35);
    assert_eq!(null["input_output"], true);
    for r in null["countries"].as_array().unwrap() {
        assert!(
            r["welfare_change_pct"].as_f64().unwrap().abs() < 1e-9,
            "{r}"
        );
    }
    assert_eq!(rows.len(), 35 * 41 * 41);
    for r in &rows {
        let (b, new): (f64, f64) = (r[3].parse().unwrap(), r[5].parse().unwrap());
        assert!((new - b).abs() <= 1e-8 * b.max(1.0), "{r:?}");
    }
    let (chpl, rows_chpl) = sectors_run("russia_sanctions_machinery_wiod2013.toml", &|t| t);
    let (all, rows_all) = sectors_run("russia_sanctions_all_goods_wiod2013.toml", &|t| t);
    // the shock is the store's estimate, on the coalition's pairs with Russia (ROM read as ROU),
    // both directions, in the sectors named
    assert!((chpl["partial_effect"]["estimate"].as_f64().unwrap() + 1.3004509586).abs() < 1e-8);
    let changed = |v: &Value| v["pairs_changed"].as_u64().unwrap();
    // WIOD 2013 lacks HRV, NOR and CHE: 33 coalition economies here (26 EU members, USA, GBR,
    // JPN, KOR, CAN, AUS, TWN)
    assert_eq!(changed(&chpl), 33 * 2 * 3);
    assert_eq!(changed(&all), 33 * 2 * 16);
    for (v, rows) in [(&chpl, &rows_chpl), (&all, &rows_all)] {
        // world trade balance: absorption minus sales sums to zero, and each economy's deficit is kept
        let mut deficit_new: HashMap<String, f64> = HashMap::new();
        let mut deficit_old: HashMap<String, f64> = HashMap::new();
        for r in rows.iter() {
            let (b, new): (f64, f64) = (r[3].parse().unwrap(), r[5].parse().unwrap());
            *deficit_old.entry(r[1].to_string()).or_default() += b;
            *deficit_old.entry(r[0].to_string()).or_default() -= b;
            *deficit_new.entry(r[1].to_string()).or_default() += new;
            *deficit_new.entry(r[0].to_string()).or_default() -= new;
        }
        let total: f64 = deficit_new.values().sum();
        assert!(total.abs() < 1e-4, "world balance {total}");
        for (c, d) in &deficit_old {
            assert!((deficit_new[c] - d).abs() < 1e-5 * d.abs().max(1e3), "{c}");
        }
        let rus = rus_welfare(v);
        assert!(rus < 0.0, "{rus}");
        for s in ["c13", "c14", "c15"] {
            let sec = v["sectors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["sector"] == s)
                .unwrap();
            assert!(
                sec["focus_imports_change_pct"].as_f64().unwrap() < -20.0,
                "{sec}"
            );
        }
    }
    let (a, b) = (rus_welfare(&chpl), rus_welfare(&all));
    assert!(a > b, "targeted {a} vs all goods {b}");
}

#[test]
fn a_sector_not_in_the_data_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo(
        "examples/scenarios/russia_sanctions_machinery_wiod2013.toml",
    ))
    .unwrap()
    .replace("../../data/", &format!("{}/", repo("data").display()))
    .replace("\"c15\"]", "\"c99\"]");
    let s = dir.path().join("s.toml");
    std::fs::write(&s, &text).unwrap();
    let mut c = detour();
    let out = run_err(c.args(["simulate", s.to_str().unwrap()]));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().position(|l| l == "[[change]]").unwrap() + 1;
    assert!(
        err.contains(&format!("s.toml:{line}: sector 'c99' is not in the data")),
        "{err}"
    );
}
