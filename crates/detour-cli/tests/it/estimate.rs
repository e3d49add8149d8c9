//! `detour estimate` on real gravity data: published coefficients, agreement with pyfixest, the ppmlhdfe
//! separation conformance suite, and bad input.

use crate::{data, detour, fixture, run_err, run_ok};
use serde_json::Value;
use std::path::PathBuf;

fn estimate_json(args: &[&str]) -> Value {
    let mut c = detour();
    c.arg("estimate").args(args).args(["--format", "json"]);
    serde_json::from_str(&run_ok(&mut c)).expect("estimate prints JSON")
}

fn coef(v: &Value, name: &str) -> (f64, f64) {
    let c = v["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no coefficient {name} in {v}"));
    (
        c["estimate"].as_f64().unwrap(),
        c["std_error"].as_f64().unwrap(),
    )
}

fn apps() -> PathBuf {
    data("gravity/yotov2016_agtpa_1986_2006_every4.csv.gz")
}

const FE3: &str = "exporter^year + importer^year + pair_id";

/// Rounds to the printed precision.
fn printed(x: f64, decimals: i32) -> f64 {
    let m = 10f64.powi(decimals);
    (x * m).round() / m
}

#[test]
fn yotov_ch1_traditional_gravity_matches_the_book() {
    // Yotov et al. (2016), ch. 1: PPML, international flows, 1986..2006 every 4 years, exporter-year and
    // importer-year effects: ln DIST -0.8409, CNTG 0.4374, LANG 0.2475, CLNY -0.2225, N = 28,152.
    let d = apps();
    let v = estimate_json(&[
        "--data",
        d.to_str().unwrap(),
        "--formula",
        "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year",
        "--subset",
        "exporter != importer",
        "--vcov",
        "cluster:pair_id",
    ]);
    assert_eq!(v["nobs"], 28152);
    for (name, want) in [
        ("log(dist)", -0.8409),
        ("cntg", 0.4374),
        ("lang", 0.2475),
        ("clny", -0.2225),
    ] {
        assert_eq!(printed(coef(&v, name).0, 4), want, "{name}");
    }
    assert_eq!(v["converged"], true);
}

#[test]
fn yotov_ch1_rta_application_matches_the_book() {
    // Application 3: pair fixed effects, domestic flows kept, s.e. clustered by pair. The book (Stata) prints
    // RTA 0.557 (0.102); with rta_lead4 0.520 and 0.077; phasing-in 0.291, 0.414, 0.169, 0.119.
    let d = apps();
    let d = d.to_str().unwrap();
    let stata = estimate_json(&[
        "--data",
        d,
        "--formula",
        &format!("trade ~ rta | {FE3}"),
        "--vcov",
        "cluster:pair_id",
        "--ssc",
        "stata",
    ]);
    let (b, se) = coef(&stata, "rta");
    assert_eq!(printed(b, 3), 0.557);
    assert_eq!(printed(se, 3), 0.102);
    // 84 pairs' worth of observations have only zero trade: separated by the FE check
    assert_eq!(stata["dropped"]["separated_fe"], 84);
    // fixest's correction also counts the exporter-year and importer-year effects: (N-1)/(N-K) larger
    let fixest = estimate_json(&[
        "--data",
        d,
        "--formula",
        &format!("trade ~ rta | {FE3}"),
        "--vcov",
        "cluster:pair_id",
    ]);
    let (_, se_f) = coef(&fixest, "rta");
    let n = fixest["nobs"].as_f64().unwrap();
    let k = fixest["df_k"].as_f64().unwrap();
    assert!(
        ((se_f / se).powi(2) - (n - 1.0) / (n - k)).abs() < 1e-9,
        "ratio {}",
        (se_f / se).powi(2)
    );

    let lead = estimate_json(&[
        "--data",
        d,
        "--formula",
        &format!("trade ~ rta + rta_lead4 | {FE3}"),
        "--vcov",
        "cluster:pair_id",
    ]);
    assert_eq!(printed(coef(&lead, "rta").0, 3), 0.520);
    assert_eq!(printed(coef(&lead, "rta_lead4").0, 3), 0.077);
    let phase = estimate_json(&[
        "--data",
        d,
        "--formula",
        &format!("trade ~ rta + rta_lag4 + rta_lag8 + rta_lag12 | {FE3}"),
        "--vcov",
        "cluster:pair_id",
    ]);
    for (name, want) in [
        ("rta", 0.291),
        ("rta_lag4", 0.414),
        ("rta_lag8", 0.169),
        ("rta_lag12", 0.119),
    ] {
        assert_eq!(printed(coef(&phase, name).0, 3), want, "{name}");
    }
}

#[test]
fn yotov_ch2_border_and_gegravity_sample_match_published_values() {
    let ch2 = data("gravity/yotov2016_ch2_trade_without_border_2006.csv.gz");
    let v = estimate_json(&[
        "--data",
        ch2.to_str().unwrap(),
        "--formula",
        "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer",
    ]);
    for (name, want) in [
        ("ln_DIST", -0.7912879),
        ("CNTG", 0.6736456),
        ("INTL_BRDR", -2.4744505),
    ] {
        assert_eq!(printed(coef(&v, name).0, 7), want, "{name}");
    }
    let ge = data("gravity/gegravity_sample_2006_30countries.csv");
    let v = estimate_json(&[
        "--data",
        ge.to_str().unwrap(),
        "--formula",
        "trade ~ pta + contiguity + common_language + lndist + international | exporter + importer",
    ]);
    for (name, want) in [
        ("pta", 0.4711),
        ("contiguity", 0.8916),
        ("common_language", 0.0326),
        ("lndist", -0.3899),
        ("international", -3.4126),
    ] {
        assert_eq!(printed(coef(&v, name).0, 4), want, "{name}");
    }
}

#[test]
fn agrees_with_pyfixest() {
    // Reference values written by bench/pyfixest_reference.py (pyfixest, fixef_tol = iwls_tol = 1e-10).
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("pyfixest_reference.json")).unwrap())
            .unwrap();
    for m in reference["models"].as_array().unwrap() {
        let path = match m["data"].as_str().unwrap() {
            "apps" => apps(),
            "ge" => data("gravity/gegravity_sample_2006_30countries.csv"),
            "ch2" => data("gravity/yotov2016_ch2_trade_without_border_2006.csv.gz"),
            other => panic!("unknown data {other}"),
        };
        let mut args = vec![
            "--data".to_string(),
            path.to_str().unwrap().to_string(),
            "--formula".into(),
            m["formula"].as_str().unwrap().into(),
            "--vcov".into(),
            m["vcov"].as_str().unwrap().into(),
            "--family".into(),
            m["family"].as_str().unwrap().into(),
            "--tol".into(),
            "1e-12".into(),
        ];
        if let Some(s) = m["subset"].as_str() {
            args.push("--subset".into());
            args.push(s.into());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = estimate_json(&refs);
        let name = m["name"].as_str().unwrap();
        assert_eq!(v["nobs"], m["nobs"], "{name}: observations");
        for c in m["coefficients"].as_array().unwrap() {
            let (b, se) = coef(&v, c["name"].as_str().unwrap());
            let (rb, rse) = (
                c["estimate"].as_f64().unwrap(),
                c["std_error"].as_f64().unwrap(),
            );
            assert!(
                ((b - rb) / rb).abs() < 1e-6,
                "{name} {}: {b} vs pyfixest {rb}",
                c["name"]
            );
            assert!(
                ((se - rse) / rse).abs() < 1e-4,
                "{name} {}: se {se} vs pyfixest {rse}",
                c["name"]
            );
        }
    }
}

/// The ppmlhdfe separation datasets: (file, formula with absorbed effects, formula with dummies, truth).
fn conformance() -> Vec<(PathBuf, String, String, Vec<u64>)> {
    let dir = data("conformance/ppmlhdfe_separation");
    let mut out = Vec::new();
    for k in 1..=18 {
        let path = dir.join(format!("{k:02}.csv"));
        let mut rdr = csv::Reader::from_path(&path).unwrap();
        let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
        let xs: Vec<&String> = header.iter().filter(|h| h.starts_with('x')).collect();
        let ids: Vec<&String> = header.iter().filter(|h| h.starts_with("id")).collect();
        let rhs = if xs.is_empty() {
            "1".to_string()
        } else {
            xs.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let absorbed = if ids.is_empty() {
            format!("y ~ {rhs}")
        } else {
            format!(
                "y ~ {rhs} | {}",
                ids.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" + ")
            )
        };
        let mut terms: Vec<String> = xs.iter().map(|s| s.to_string()).collect();
        terms.extend(ids.iter().map(|s| format!("factor({s})")));
        let dummies = format!("y ~ {}", terms.join(" + "));
        let sep_col = header.iter().position(|h| h == "separated").unwrap();
        let truth: Vec<u64> = rdr
            .records()
            .enumerate()
            .filter(|(_, r)| r.as_ref().unwrap()[sep_col].trim() == "1")
            .map(|(i, _)| i as u64 + 1)
            .collect();
        out.push((path, absorbed, dummies, truth));
    }
    out
}

#[test]
fn ppmlhdfe_separation_suite_with_and_without_fixed_effects() {
    let sets = conformance();
    assert_eq!(sets.len(), 18);
    for (path, absorbed, dummies, truth) in &sets {
        for formula in [absorbed, dummies] {
            for methods in [
                "fe,simplex,relu",
                "fe,relu",
                "fe,simplex",
                "relu",
                "simplex",
            ] {
                let v = estimate_json(&[
                    "--data",
                    path.to_str().unwrap(),
                    "--formula",
                    formula,
                    "--separation",
                    methods,
                    "--vcov",
                    "iid",
                    "--report-separated",
                ]);
                let got: Vec<u64> = v["separated_rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap())
                    .collect();
                assert_eq!(&got, truth, "{} [{formula}] with {methods}", path.display());
                assert_eq!(
                    v["dropped"]["separated"].as_u64().unwrap() as usize,
                    truth.len()
                );
                assert_eq!(v["converged"], true, "{} [{formula}]", path.display());
            }
        }
    }
}

#[test]
fn outputs_for_people_and_programs() {
    let ge = data("gravity/gegravity_sample_2006_30countries.csv");
    let ge = ge.to_str().unwrap();
    let f = "trade ~ pta + lndist | exporter + importer";
    let mut c = detour();
    let table = run_ok(c.args(["estimate", "--data", ge, "--formula", f]));
    assert!(table.contains("Poisson PML"), "{table}");
    assert!(
        table.contains("Clustered (exporter)"),
        "fixest's default vcov: {table}"
    );
    assert!(
        table.contains("Fixed effects: exporter (30), importer (30)"),
        "{table}"
    );
    let mut c = detour();
    let latex = run_ok(c.args([
        "estimate",
        "--data",
        ge,
        "--formula",
        f,
        "--format",
        "latex",
    ]));
    assert!(
        latex.contains("\\begin{tabular}") && latex.contains("Observations & 900"),
        "{latex}"
    );
    let mut c = detour();
    let csv_out = run_ok(c.args(["estimate", "--data", ge, "--formula", f, "--format", "csv"]));
    assert!(csv_out.starts_with("name,estimate,std_error"), "{csv_out}");
    assert_eq!(csv_out.lines().count(), 3);
    // fitted values and fixed effects reproduce the outcome's totals by exporter (Poisson's score equations)
    let dir = tempfile::tempdir().unwrap();
    let pred = dir.path().join("pred.csv");
    let fe = dir.path().join("fe.csv");
    let mut c = detour();
    run_ok(c.args([
        "estimate",
        "--data",
        ge,
        "--formula",
        f,
        "--predict-out",
        pred.to_str().unwrap(),
        "--fe-out",
        fe.to_str().unwrap(),
    ]));
    let fitted: f64 = csv::Reader::from_path(&pred)
        .unwrap()
        .records()
        .map(|r| r.unwrap()[1].parse::<f64>().unwrap())
        .sum();
    let observed: f64 = csv::Reader::from_path(ge)
        .unwrap()
        .records()
        .map(|r| r.unwrap()[3].parse::<f64>().unwrap())
        .sum();
    assert!(
        ((fitted - observed) / observed).abs() < 1e-7,
        "{fitted} vs {observed}"
    );
    let fe_rows: Vec<csv::StringRecord> = csv::Reader::from_path(&fe)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(fe_rows.len(), 60);
    assert!(
        fe_rows
            .iter()
            .any(|r| &r[0] == "exporter" && &r[1] == "GBR"),
        "levels are labelled"
    );
}

#[test]
fn parquet_and_store_inputs() {
    // the same model from CSV and from a Parquet copy gives the same estimates
    let ge = data("gravity/gegravity_sample_2006_30countries.csv");
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("ge.parquet");
    let rt = detour_store::runtime().unwrap();
    rt.block_on(async {
        let ctx = datafusion::prelude::SessionContext::new();
        let df = ctx
            .read_csv(
                ge.to_str().unwrap(),
                datafusion::prelude::CsvReadOptions::new(),
            )
            .await
            .unwrap();
        df.write_parquet(
            pq.to_str().unwrap(),
            datafusion::dataframe::DataFrameWriteOptions::new(),
            None,
        )
        .await
        .unwrap();
    });
    let f = "trade ~ pta + lndist + international | exporter + importer";
    let a = estimate_json(&["--data", ge.to_str().unwrap(), "--formula", f]);
    let b = estimate_json(&["--data", pq.to_str().unwrap(), "--formula", f]);
    assert_eq!(a["nobs"], b["nobs"]);
    for name in ["pta", "lndist", "international"] {
        let (x, y) = (coef(&a, name), coef(&b, name));
        assert!(
            (x.0 - y.0).abs() < 1e-12 && (x.1 - y.1).abs() < 1e-12,
            "{name}"
        );
    }
    // from the embedded store: EU member states' yearly exports to the six partners, a two-way panel
    let v = estimate_json(&[
        "--sql",
        "SELECT reporter, partner, year, SUM(value) AS value FROM flows \
         WHERE source = 'eurostat-comext' AND month IS NOT NULL AND reporter NOT IN ('EU27', 'EA20', 'EA19') \
         GROUP BY reporter, partner, year",
        "--formula",
        "value ~ 1 | reporter^partner + partner^year",
        "--vcov",
        "cluster:reporter",
    ]);
    assert!(v["nobs"].as_u64().unwrap() > 500, "{v}");
    assert_eq!(v["converged"], true);
    assert_eq!(v["model"]["fixed_effects"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let nan = write("nan.csv", "y,x\n1,2\n2,NaN\n3,1\n");
    let neg = write("neg.csv", "y,x\n1,2\n-2,1\n3,1\n");
    let text = write("text.csv", "y,x\n1,2\n2,abc\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--data", nan.to_str().unwrap(), "--formula", "y ~ x"],
            "nan.csv:3: field 'x': 'NaN' is not a finite number",
        ),
        (
            vec!["--data", text.to_str().unwrap(), "--formula", "y ~ x"],
            "text.csv:3: field 'x': 'abc' is not a number",
        ),
        (
            vec!["--data", neg.to_str().unwrap(), "--formula", "y ~ x"],
            "the outcome is negative (-2)",
        ),
        (
            vec!["--data", neg.to_str().unwrap(), "--formula", "y ~ z"],
            "no column 'z'",
        ),
        (
            vec!["--data", neg.to_str().unwrap(), "--formula", "y x"],
            "--formula: missing '~'",
        ),
        (
            vec![
                "--data",
                neg.to_str().unwrap(),
                "--formula",
                "y ~ x",
                "--subset",
                "x > 10",
            ],
            "no observations left",
        ),
        (
            vec![
                "--data",
                neg.to_str().unwrap(),
                "--formula",
                "y ~ x",
                "--subset",
                "x in (1",
            ],
            "--subset: expected",
        ),
        (
            vec![
                "--data",
                neg.to_str().unwrap(),
                "--formula",
                "y ~ x",
                "--vcov",
                "cluster:",
            ],
            "name the cluster variables",
        ),
    ];
    for (args, want) in cases {
        let mut c = detour();
        let out = run_err(c.arg("estimate").args(&args));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: expected '{want}' in:\n{err}");
    }
    // Poisson with OLS family accepts negative outcomes
    let mut c = detour();
    run_ok(c.args([
        "estimate",
        "--data",
        neg.to_str().unwrap(),
        "--formula",
        "y ~ x",
        "--family",
        "ols",
    ]));
}

/// `--predict-data`: fitted values for new rows with the estimated coefficients and fixed
/// effects, the outcome column absent, a row with an exporter the sample lacks left empty
/// (fixest's rule). Reference: pyfixest 0.60.0, `fepois(..., iwls_tol=1e-12, fixef_tol=1e-12)
/// .predict(newdata, type="response")` on the same six rows (the sample's first six with row 3
/// renamed to exporter ZZZ and row 5's lndist raised by 1); 1e-6 relative. (At pyfixest's default
/// tolerances its fixed effects are converged less: row 5 then differs by 2e-5.)
#[test]
fn predictions_on_new_data_match_pyfixest() {
    let ge = data("gravity/gegravity_sample_2006_30countries.csv");
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.csv");
    std::fs::write(
        &new,
        "exporter,importer,pta,lndist\nGBR,AUS,0,9.7126\nFIN,AUS,0,9.5997\nZZZ,AUS,1,9.5963\n\
         IND,AUS,0,9.1455\nSGP,AUS,1,9.6732\nCHE,AUS,0,9.6876\n",
    )
    .unwrap();
    let out = dir.path().join("pred.csv");
    let o = detour()
        .args(["estimate", "--data"])
        .arg(&ge)
        .args([
            "--formula",
            "trade ~ pta + lndist | exporter + importer",
            "--predict-data",
        ])
        .arg(&new)
        .arg("--predict-out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("predicted 5 of 6 rows") && err.contains("1 left empty"),
        "{err}"
    );
    let pyfixest = [
        Some(1094.94912428),
        Some(549.12684708),
        None,
        Some(8608.03153102),
        Some(90.48139767),
        Some(443.34851029),
    ];
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(&out)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 6);
    for (i, (r, want)) in rows.iter().zip(pyfixest).enumerate() {
        assert_eq!(&r[0], (i + 1).to_string().as_str());
        match want {
            None => assert_eq!(&r[1], "", "row {}", i + 1),
            Some(w) => {
                let got: f64 = r[1].parse().unwrap();
                assert!(((got - w) / w).abs() < 1e-6, "row {}: {got} vs {w}", i + 1);
            }
        }
    }
    // Without --predict-out it is refused by name.
    let o = detour()
        .args(["estimate", "--data"])
        .arg(&ge)
        .args(["--formula", "trade ~ pta | exporter", "--predict-data"])
        .arg(&new)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--predict-out"));
}

/// On the Yotov et al. (2016) RTA panel (1986–2006, every four years): out-of-sample predictions
/// against pyfixest 0.60.0 (`fepois("trade ~ rta + ldist + cntg + lang | exporter + importer +
/// year", iwls_tol=1e-12, fixef_tol=1e-12).predict(newdata, type="response")`, ldist = log(dist))
/// for five rows of the panel: as recorded, with rta flipped, an exporter the panel lacks, a year
/// it lacks, and the distance doubled; 1e-6 relative. And on the estimation rows themselves the
/// predictions are the fit's own fitted values.
#[test]
fn predictions_on_the_yotov_panel() {
    let panel = data("gravity/yotov2016_agtpa_1986_2006_every4.csv.gz");
    let f = "trade ~ rta + log(dist) + cntg + lang | exporter + importer + year";
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.csv");
    std::fs::write(
        &new,
        "exporter,importer,year,rta,dist,cntg,lang\n\
         ARG,AUS,1986,0,12044.574133735276,0,0\n\
         ARG,AUT,1986,1,11751.146520555496,0,0\n\
         ZZZ,BEL,1986,0,11305.285763851547,0,0\n\
         ARG,BGR,2030,0,12115.572046358871,0,0\n\
         ARG,BOL,1986,0,3731.678825768375,1,1\n",
    )
    .unwrap();
    let predict = |newdata: &std::path::Path, out: &std::path::Path| {
        run_ok(
            detour()
                .args(["estimate", "--data"])
                .arg(&panel)
                .args(["--formula", f, "--predict-data"])
                .arg(newdata)
                .arg("--predict-out")
                .arg(out),
        );
        csv::Reader::from_path(out)
            .unwrap()
            .records()
            .map(|r| r.unwrap()[1].to_string())
            .collect::<Vec<String>>()
    };
    let got = predict(&new, &dir.path().join("new_pred.csv"));
    let pyfixest = [
        Some(230.37956635),
        Some(14.81860479),
        None,
        None,
        Some(29.09667851),
    ];
    assert_eq!(got.len(), 5);
    for (i, (g, want)) in got.iter().zip(pyfixest).enumerate() {
        match want {
            None => assert_eq!(g, "", "row {}", i + 1),
            Some(w) => {
                let v: f64 = g.parse().unwrap();
                assert!(((v - w) / w).abs() < 1e-6, "row {}: {v} vs {w}", i + 1);
            }
        }
    }
    // The estimation rows: --predict-data on the panel itself gives --predict-out of the fit
    // (every row is in the sample with this model).
    let own = predict(&panel, &dir.path().join("own_pred.csv"));
    let fitted_path = dir.path().join("fitted.csv");
    run_ok(
        detour()
            .args(["estimate", "--data"])
            .arg(&panel)
            .args(["--formula", f, "--predict-out"])
            .arg(&fitted_path),
    );
    let fitted: Vec<(usize, f64)> = csv::Reader::from_path(&fitted_path)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].parse().unwrap(), r[1].parse().unwrap())
        })
        .collect();
    assert_eq!(fitted.len(), 28_566);
    for (row, m) in fitted {
        let p: f64 = own[row - 1].parse().unwrap();
        assert!(((p - m) / m).abs() < 1e-9, "row {row}: {p} vs {m}");
    }
}

/// How the fit stopped is said in every output, and a fit that did not converge prints its
/// estimates but exits 1 unless `--allow-nonconvergence` is given.
#[test]
fn convergence_is_said_plainly() {
    let ge = data("gravity/gegravity_sample_2006_30countries.csv");
    let f = "trade ~ pta + lndist | exporter + importer";
    let json = run_ok(detour().args(["estimate", "--data"]).arg(&ge).args([
        "--formula",
        f,
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["converged"], true);
    assert!(v["deviance_change"].as_f64().unwrap() < v["tol"].as_f64().unwrap());
    assert_eq!(v["fe_tolerance"].as_f64(), Some(1e-8));
    assert_eq!(v["fe_converged"], true);
    let table = run_ok(
        detour()
            .args(["estimate", "--data"])
            .arg(&ge)
            .args(["--formula", f]),
    );
    assert!(
        table.contains("IRLS converged in")
            && table.contains("< tolerance 1e-8; demeaning to 1e-8"),
        "{table}"
    );
    let latex = run_ok(detour().args(["estimate", "--data"]).arg(&ge).args([
        "--formula",
        f,
        "--format",
        "latex",
    ]));
    assert!(latex.contains("Converged & Yes"), "{latex}");
    // A tolerance no fit can reach: the estimates are printed, the exit status says no.
    let o = detour()
        .args(["estimate", "--data"])
        .arg(&ge)
        .args(["--formula", f, "--tol", "1e-30", "--format", "csv"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("name,estimate"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("did NOT converge after 100 iterations")
            && err.contains("--allow-nonconvergence"),
        "{err}"
    );
    run_ok(detour().args(["estimate", "--data"]).arg(&ge).args([
        "--formula",
        f,
        "--tol",
        "1e-30",
        "--allow-nonconvergence",
    ]));
}
