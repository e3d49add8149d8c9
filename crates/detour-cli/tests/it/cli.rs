//! CLI output, snapshot-tested.

use super::*;

/// Normalise what varies between machines: paths and timestamps.
fn filtered(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        if line.starts_with("detour store: ") {
            out.push_str("detour store: [STORE]\n");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn summary_is_the_default_command() {
    let out = run_ok(&mut detour());
    insta::assert_snapshot!("summary", filtered(&out));
}

#[test]
fn sql_csv_has_a_header() {
    let out = run_ok(detour().args([
        "sql",
        "SELECT partner, year, SUM(value) AS v FROM flows WHERE reporter='EU27' AND partner='ARM' AND month IS NOT NULL AND year=2022 GROUP BY partner, year",
        "--format",
        "csv",
    ]));
    insta::assert_snapshot!("sql_csv", out);
}

#[test]
fn country_group_period_fx() {
    let c = run_ok(detour().args(["country", "Киргизия"]));
    assert!(c.contains("\"code\": \"KGZ\""), "{c}");
    let g = run_ok(detour().args(["group", "EAEU", "--date", "2015-06-01"]));
    insta::assert_snapshot!("group_eaeu_2015", g);
    let p = run_ok(detour().args(["period", "first nine months of 2024"]));
    insta::assert_snapshot!("period", p);
    let fx = run_ok(detour().args(["fx", "100", "EUR", "USD", "2023"]));
    let v: serde_json::Value = serde_json::from_str(&fx).unwrap();
    assert_eq!(v["basis"], "annual_average");
    assert!((v["value"].as_f64().unwrap() - 108.13).abs() < 0.01, "{fx}");
    let e = run_err(detour().args(["fx", "100", "EUR", "RUB", "2022-04"]));
    let msg = String::from_utf8_lossy(&e.stderr);
    assert!(
        msg.contains("no ECB reference rate for RUB in 2022-04"),
        "{msg}"
    );
}

#[test]
fn bad_sql_is_a_clear_error() {
    let e = run_err(detour().args(["sql", "SELECT nope FROM flows"]));
    let msg = String::from_utf8_lossy(&e.stderr);
    assert!(msg.starts_with("error: query:"), "{msg}");
    assert!(msg.contains("nope"), "{msg}");
}

#[test]
fn estimate_table() {
    let ge = data("gravity/gegravity_sample_2006_30countries.csv");
    let out = run_ok(detour().args([
        "estimate",
        "--data",
        ge.to_str().unwrap(),
        "--formula",
        "trade ~ pta + contiguity + common_language + lndist + international | exporter + importer",
        "--vcov",
        "hc1",
    ]));
    // the fit line's trailing digits depend on the order of parallel sums; keep its first part
    let stable: String = out
        .lines()
        .map(|l| match l.find(" (") {
            Some(k) if l.starts_with("IRLS") => format!("{}\n", &l[..k]),
            _ => format!("{l}\n"),
        })
        .collect();
    let stable = stable.replace(&ge.display().to_string(), "[DATA]");
    insta::assert_snapshot!("estimate_table", stable);
}

/// A reader that stops early (`detour … | head -1`) ends detour quietly with success, not a panic.
#[test]
fn closed_stdout_is_not_a_panic() {
    use std::io::Read as _;
    use std::process::Stdio;
    let mut child = detour()
        .args([
            "sql",
            "SELECT reporter, partner, year, value FROM flows LIMIT 20000",
            "--format",
            "csv",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Without any cache directory the default store is not built in a shared, guessable place: a
/// clear error says what to set.
#[test]
fn no_cache_directory_is_a_clear_error() {
    let out = run_err(
        detour()
            .env_remove("DETOUR_CACHE_DIR")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("HOME")
            .args([
                "trade",
                "--reporter",
                "EU27",
                "--partner",
                "KGZ",
                "--period",
                "2023",
            ]),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DETOUR_CACHE_DIR, XDG_CACHE_HOME or HOME"),
        "{err}"
    );
}
