//! The dashboard in a real browser: headless Chromium (Debian's), driven by playwright-core
//! (crates/detour-cli/tests/browser). `.ci/run` installs both and sets DETOUR_BROWSER_TEST=1, which
//! makes a missing browser a failure; elsewhere the test says it is skipped.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::{detour, run_ok};

#[test]
fn dashboard_renders_the_chosen_pair_with_the_apis_numbers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready = Path::new(&chromium).exists() && dir.join("node_modules/playwright-core").exists();
    if !ready {
        assert!(
            std::env::var("DETOUR_BROWSER_TEST").is_err(),
            "DETOUR_BROWSER_TEST is set but {chromium} or tests/browser/node_modules is missing"
        );
        eprintln!(
            "skipped: no Chromium or playwright-core (run `npm ci` in {})",
            dir.display()
        );
        return;
    }
    let server = crate::serve::start();
    let out = Command::new("node")
        .arg(dir.join("dashboard.mjs"))
        .arg(format!("http://{}", server.addr))
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "page errors: {v}");
    // The table the page rendered holds the monthly values the library gives.
    let series: Value = serde_json::from_str(&run_ok(detour().args([
        "series",
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--period",
        "2023-01..2023-12",
        "--freq",
        "monthly",
        "--format",
        "json",
    ])))
    .unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    for (r, p) in rows.iter().zip(series["points"].as_array().unwrap()) {
        assert_eq!(r[0], p["period"]);
        assert!(
            (r[1].as_f64().unwrap() - p["value"].as_f64().unwrap()).abs() < 1e-6,
            "{r} vs {p}"
        );
    }
    // The chart is drawn (ECharts' SVG renderer: axis and line paths) and titled with the pair.
    assert_eq!(v["chart"]["svg"], 1);
    assert!(v["chart"]["paths"].as_u64().unwrap() >= 3);
    assert!(
        v["chart"]["title"]
            .as_str()
            .unwrap()
            .contains("EU27 exports KGZ")
    );
    // The mirror view shows the reporter's 2023 total; the diversion panel the offset ratio.
    let t =
        crate::monitor::trade_json(&["--reporter", "EU27", "--partner", "KGZ", "--period", "2023"]);
    assert!((v["mirror"].as_f64().unwrap() - t["value"].as_f64().unwrap()).abs() < 1e-3);
    assert_eq!(v["offset"], "0.295");
    assert!(v["divPaths"].as_u64().unwrap() > 5);
    // A pasted text checked from the page: the same verdicts as `detour check`.
    assert_eq!(
        v["verdicts"],
        serde_json::json!(["consistent_one_side", "inconsistent"])
    );
    // Goods: the page's CHPL series is the library's.
    let goods: Value = serde_json::from_str(&run_ok(detour().args([
        "series",
        "--reporter",
        "EU27",
        "--partner",
        "RUS",
        "--period",
        "2022-01..2022-06",
        "--freq",
        "monthly",
        "--commodity",
        "chpl",
        "--format",
        "json",
    ])))
    .unwrap();
    let shown = v["goods"].as_array().unwrap();
    assert_eq!(shown.len(), 6);
    for (r, p) in shown.iter().zip(goods["points"].as_array().unwrap()) {
        assert!((r[1].as_f64().unwrap() - p["value"].as_f64().unwrap()).abs() < 1e-6);
    }
    // The CHPL model: two terms, the fall to Russia clearly negative; the event study drawn.
    let chpl = v["chpl"].as_array().unwrap();
    assert_eq!(chpl.len(), 2, "{chpl:?}");
    assert!(chpl[0][0].as_str().unwrap().contains("RUS") && chpl[0][1].as_f64().unwrap() < -1.0);
    assert!(v["chplPaths"].as_u64().unwrap() > 3);
    // The partner-side mirror: nine comparisons, Kazakhstan's 2023 exports to Russia with the gap
    // the API gives, and the note that Russia's side after 2021 is derived.
    let m: Value = crate::monitor::mirror_json("KAZ", "RUS", "2023");
    let row = v["pmirror"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == "KAZ → RUS" && r[1] == "2023")
        .expect("KAZ → RUS 2023");
    assert!(
        (row[2].as_f64().unwrap() - m["gap_pct"].as_f64().unwrap()).abs() < 1e-9,
        "{row}"
    );
    assert!(
        v["pmNotes"]
            .as_str()
            .unwrap()
            .contains("derived from counterpart records")
    );
    // General equilibrium: every economy of the Russia scenario, sorted by welfare (Russia first,
    // with the library's number), and the bars drawn.
    let sim = crate::ge_gravity::russia_json();
    let ge = v["ge"].as_array().unwrap();
    assert_eq!(ge.len(), 44);
    assert_eq!(ge[0][0], "RUS");
    let rus = sim["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["country"] == "RUS")
        .unwrap();
    assert!(
        (ge[0][1].as_f64().unwrap() - rus["welfare_change_pct"].as_f64().unwrap()).abs() < 1e-12
    );
    assert!(v["gePaths"].as_u64().unwrap() > 40);
}
