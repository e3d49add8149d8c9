//! `detour simulate`: the book's chapter-2 "trade without borders" analysis and the contract.

use crate::{detour, run_err, run_ok};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/scenarios")
        .join(name)
}

fn simulate(args: &[&str]) -> Value {
    let mut c = detour();
    c.arg("simulate").args(args).args(["--format", "json"]);
    serde_json::from_str(&run_ok(&mut c)).unwrap()
}

#[test]
fn book_loop_reproduces_the_published_iterations() {
    // The do-file's log (Yotov et al. 2016, ch. 2, TradeWithoutBorder.log, as distributed with the R package
    // tradepolicy) prints mean, sd, min and max of each price update: five updates, then the loop stops.
    let published = [
        (1.305293, 0.0796225, 0.9666225, 1.468882),
        (-0.3126514, 0.0902139, -0.4959582, 0.0765771),
        (0.0074778, 0.0139545, -0.0659928, 0.0318213),
        (0.0009588, 0.0067648, -0.005722, 0.0355494),
        (-0.0022108, 0.0044307, -0.0200164, 0.0032467),
    ];
    let s = scenario("yotov2016_remove_borders.toml");
    let book = simulate(&[s.to_str().unwrap(), "--stopping", "book"]);
    let updates = book["book_updates"].as_array().unwrap();
    assert_eq!(updates.len(), 5);
    for (u, p) in updates.iter().zip(published) {
        for (key, want) in [("mean", p.0), ("sd", p.1), ("min", p.2), ("max", p.3)] {
            let got = u[key].as_f64().unwrap();
            // the log prints up to 7 decimals
            assert!(
                (got - want).abs() <= 5e-7 * (1.0 + want.abs()),
                "{key}: {got} vs published {want}"
            );
        }
    }
    // the equilibrium: real effects within 1% of the book's early stop; nominal prices within 1.5% of their
    // level (the book's last step has not settled its numeraire)
    let conv = simulate(&[s.to_str().unwrap()]);
    assert_eq!(conv["converged"], true);
    let (cb, cc) = (
        book["countries"].as_array().unwrap(),
        conv["countries"].as_array().unwrap(),
    );
    assert_eq!(cb.len(), 69);
    for (a, b) in cb.iter().zip(cc) {
        assert_eq!(a["country"], b["country"]);
        let pa = 1.0 + a["factory_gate_price_change_pct"].as_f64().unwrap() / 100.0;
        let pb = 1.0 + b["factory_gate_price_change_pct"].as_f64().unwrap() / 100.0;
        assert!(
            (pa / pb - 1.0).abs() < 0.015,
            "{}: {pa} vs {pb}",
            a["country"]
        );
        let ra = 1.0 + a["real_gdp_change_pct"].as_f64().unwrap() / 100.0;
        let rb = 1.0 + b["real_gdp_change_pct"].as_f64().unwrap() / 100.0;
        assert!(
            (ra / rb - 1.0).abs() < 0.01,
            "{}: real GDP {ra} vs {rb}",
            a["country"]
        );
        // conditional effects do not depend on the stopping rule
        assert_eq!(
            a["exports_change_pct_conditional"],
            b["exports_change_pct_conditional"]
        );
        for key in [
            "exports_change_pct_full",
            "imr_change_pct",
            "real_gdp_change_pct",
            "welfare_change_pct",
        ] {
            assert!(b[key].is_number(), "{key}");
        }
    }
    // removing borders raises every country's exports and real GDP
    assert!(
        cc.iter()
            .all(|c| c["exports_change_pct_full"].as_f64().unwrap() > 0.0)
    );
    assert!(
        cc.iter()
            .all(|c| c["real_gdp_change_pct"].as_f64().unwrap() > 0.0)
    );
}

#[test]
fn gegravity_sample_scenario_runs() {
    let v = simulate(&[scenario("gegravity_sample.toml").to_str().unwrap()]);
    assert_eq!(v["converged"], true);
    let rows = v["countries"].as_array().unwrap();
    let get = |c: &str, k: &str| {
        rows.iter().find(|r| r["country"] == c).unwrap()[k]
            .as_f64()
            .unwrap()
    };
    // the two partners of the new agreement gain, their exports rise
    assert!(get("CAN", "welfare_change_pct") > 0.0 && get("JPN", "welfare_change_pct") > 0.0);
    assert!(get("CAN", "exports_change_pct_full") > 0.0);
    // charts and Monte Carlo intervals around the point estimates
    let dir = tempfile::tempdir().unwrap();
    let v = simulate(&[
        scenario("gegravity_sample.toml").to_str().unwrap(),
        "--draws",
        "40",
        "--chart-dir",
        dir.path().to_str().unwrap(),
    ]);
    for f in ["welfare.svg", "exports.svg"] {
        let svg = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains(">CAN<") && svg.contains("#c0392b"),
            "{f}"
        );
    }
    // --data overrides the scenario's file; --pairs-out writes every pair
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/gravity/gegravity_sample_2006_30countries.csv");
    let pairs = dir.path().join("pairs.csv");
    let again = simulate(&[
        scenario("gegravity_sample.toml").to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--pairs-out",
        pairs.to_str().unwrap(),
    ]);
    assert_eq!(again["countries"], v["countries"]);
    assert_eq!(
        csv::Reader::from_path(&pairs).unwrap().records().count(),
        900
    );
    let mc = &v["monte_carlo"];
    assert_eq!(mc["draws"], 40);
    let can = mc["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["country"] == "CAN")
        .unwrap();
    let (lo, hi) = (
        can["welfare_change_pct"]["ci_low"].as_f64().unwrap(),
        can["welfare_change_pct"]["ci_high"].as_f64().unwrap(),
    );
    let point = get("CAN", "welfare_change_pct");
    assert!(
        lo < point && point < hi && can["welfare_change_pct"]["se"].as_f64().unwrap() > 0.0,
        "{lo} {point} {hi}"
    );
}

#[test]
fn bad_scenarios_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/gravity/gegravity_sample_2006_30countries.csv");
    let write = |name: &str, body: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let head = format!(
        "[data]\nfile = \"{}\"\n[model]\nformula = \"trade ~ pta + lndist | exporter + importer\"\nsigma = 5\n",
        data.display()
    );
    let cases = [
        (
            write("a.toml", format!("{head}reference = \"XXX\"\n")),
            "reference 'XXX' is not in the data",
        ),
        (
            write(
                "b.toml",
                format!("{head}reference = \"DEU\"\n[[change]]\nvariable = \"rta\"\nvalue = 1\n"),
            ),
            "variable 'rta' is not a regressor",
        ),
        (
            write(
                "c.toml",
                format!(
                    "{head}reference = \"DEU\"\n[[change]]\nadd = -1\nexporters = [\"COALITION\"]\n"
                ),
            ),
            "needs a date",
        ),
        (
            write("d.toml", format!("{head}reference = DEU\n")),
            "d.toml:6: 'DEU' is not a string",
        ),
    ];
    for (path, want) in cases {
        let mut c = detour();
        let out = run_err(c.args(["simulate", path.to_str().unwrap()]));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(want),
            "{}: expected '{want}' in {err}",
            path.display()
        );
    }
    // not square: drop one pair
    let text = std::fs::read_to_string(&data).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(5);
    let short = write("short.csv", lines.join("\n"));
    let s = write(
        "e.toml",
        format!(
            "[data]\nfile = \"{}\"\n[model]\nformula = \"trade ~ pta | exporter + importer\"\nsigma = 5\nreference = \"DEU\"\n",
            short.display()
        ),
    );
    let mut c = detour();
    let out = run_err(c.args(["simulate", s.to_str().unwrap()]));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not square"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sanctions_illustration_diverts_trade_to_third_countries() {
    let v = simulate(&[scenario("coalition_sanctions_illustration.toml")
        .to_str()
        .unwrap()]);
    let rows = v["countries"].as_array().unwrap();
    let get = |c: &str, k: &str| {
        rows.iter().find(|r| r["country"] == c).unwrap()[k]
            .as_f64()
            .unwrap()
    };
    assert!(get("IRN", "exports_change_pct_full") < -40.0);
    assert!(get("IRN", "welfare_change_pct") < 0.0);
    // non-coalition neighbours gain exports: the diversion
    for c in ["TUR", "IND", "CHN"] {
        assert!(get(c, "exports_change_pct_full") > 0.0, "{c}");
    }
}

#[test]
fn conditional_resistances_agree_with_gegravity() {
    // GEGravity 0.3 on the same scenario, coefficients and Y/E (bench/gegravity_compare.py wrote the fixture);
    // the conditional equilibrium is the same system in both programs
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::fixture("gegravity_reference.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(scenario("gegravity_sample.toml")).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/gravity/gegravity_sample_2006_30countries.csv");
    let text = text.replace(
        "file = \"../../data/gravity/gegravity_sample_2006_30countries.csv\"",
        &format!(
            "file = \"{}\"\noutput = \"Y\"\nexpenditure = \"E\"",
            data.display()
        ),
    );
    let s = dir.path().join("ye.toml");
    std::fs::write(&s, text).unwrap();
    let v = simulate(&[s.to_str().unwrap()]);
    let rows = v["countries"].as_array().unwrap();
    let mut checked = 0;
    for (country, want) in reference["countries"].as_object().unwrap() {
        let country = if rows.iter().any(|r| r["country"] == *country) {
            country.as_str()
        } else {
            "DEU"
        };
        let row = rows.iter().find(|r| r["country"] == country).unwrap();
        for key in ["imr_change_pct_conditional", "omr_change_pct_conditional"] {
            let (a, b) = (row[key].as_f64().unwrap(), want[key].as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-6 * b.abs() + 1e-12,
                "{country} {key}: {a} vs GEGravity {b}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 60);
}

#[test]
fn conditional_effects_agree_with_the_r_port_of_the_book() {
    // An independent implementation of the book's chapter-2 steps in R (the solutions manual
    // behind the R package tradepolicy, file ch2_application1.csv, columns change_omr_cfl and
    // change_xi_cfl): conditional GE changes of outward multilateral resistance and exports, %.
    let r_port = [
        ("ARG", -25.11939959468267, 65.52427898507227),
        ("AUS", -17.343297773052324, 229.5594111707841),
        ("AUT", -25.533241147944686, 59.211938778232984),
        ("BEL", -19.226917677444888, 156.91104630713775),
        ("BGR", -27.624178021947376, 24.219494977114554),
        ("BOL", -29.703710500368853, 13.53877386069069),
        ("BRA", -18.31874208097062, 172.56105416692478),
        ("CAN", -25.78253620832345, 80.82463241174491),
        ("CHE", -23.060300238190013, 92.99680700525248),
        ("CHL", -22.28205975252169, 105.17375019342543),
        ("CHN", -18.784094876240587, 175.49641905587157),
        ("CMR", -29.903976309241674, 7.642827802027119),
    ];
    let s = scenario("yotov2016_remove_borders.toml");
    let out = simulate(&[s.to_str().unwrap()]);
    let countries = out["countries"].as_array().unwrap();
    for (code, omr, exports) in r_port {
        let c = countries.iter().find(|c| c["country"] == code).unwrap();
        for (key, want) in [
            ("omr_change_pct_conditional", omr),
            ("exports_change_pct_conditional", exports),
        ] {
            let got = c[key].as_f64().unwrap();
            // Both solve the same PPML to convergence: agreement to 1e-7 relative.
            assert!(
                (got - want).abs() <= 1e-7 * want.abs(),
                "{code} {key}: {got} vs R port {want}"
            );
        }
    }
}
