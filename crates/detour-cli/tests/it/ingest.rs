//! Ingest: formats, bad input, atomicity, idempotence and crash safety.

use super::*;

pub fn ingest(store: &Path, file: &Path, format: &str) -> Command {
    let mut c = detour();
    c.arg("--store")
        .arg(store)
        .arg("ingest")
        .arg(file)
        .args(["--format", format]);
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn generic_csv_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = run_ok(&mut ingest(&store, &fixture("generic_good.csv"), "csv"));
    assert!(out.contains("stored 5 rows"), "{out}");
    let rows = sql_rows(
        Some(&store),
        "SELECT reporter, partner, flow, year, month, commodity, value, currency, valuation, line FROM flows ORDER BY line",
    );
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[0],
        [
            "KAZ", "RUS", "import", "2023", "1", "TOTAL", "1000.5", "USD", "CIF", "2"
        ]
    );
    assert_eq!(rows[2][4], "", "annual row has no month");
    assert_eq!(rows[3][0], "ROU", "retired code ROM resolves to ROU");
    assert_eq!(rows[4][0], "EU27");
    assert_eq!(rows[4][5], "854231");
}

#[test]
fn same_file_twice_is_stored_once() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    run_ok(&mut ingest(&store, &fixture("generic_good.csv"), "csv"));
    let before = snapshot_tree(&store);
    let out = run_ok(&mut ingest(&store, &fixture("generic_good.csv"), "csv"));
    assert!(out.contains("already stored"), "{out}");
    assert_eq!(snapshot_tree(&store), before);
    assert_eq!(
        sql_rows(Some(&store), "SELECT COUNT(*) FROM flows")[0][0],
        "5"
    );
}

/// Each bad file names file, line and field, and leaves an existing store byte-for-byte as it was
/// and a missing store uncreated.
#[test]
fn bad_files_name_line_and_field_and_change_nothing() {
    let cases = [
        (
            "generic_bad_country.csv",
            ":3: field 'partner': unknown country code 'QQQ'",
        ),
        (
            "generic_bad_value.csv",
            ":3: field 'value': '12x4' is not a number",
        ),
        (
            "generic_bad_month.csv",
            ":3: field 'month': impossible month '13'",
        ),
        (
            "generic_negative.csv",
            ":2: field 'value': negative trade value -5",
        ),
        (
            "generic_bad_header.csv",
            "not a csv file: missing column(s) flow, month, commodity, currency",
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    run_ok(&mut ingest(&store, &fixture("generic_good.csv"), "csv"));
    let before = snapshot_tree(&store);
    for (file, want) in cases {
        let o = run_err(&mut ingest(&store, &fixture(file), "csv"));
        let e = stderr(&o);
        assert!(e.contains(file), "{file}: {e}");
        assert!(e.contains(want), "{file}: expected '{want}' in: {e}");
        assert_eq!(snapshot_tree(&store), before, "{file} changed the store");
        let fresh = tmp.path().join(format!("new-{file}"));
        run_err(&mut ingest(&fresh, &fixture(file), "csv"));
        assert!(!fresh.exists(), "{file} created a store");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{file} left {leftovers:?}");
    }
}

#[test]
fn skip_bad_counts_and_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let mut c = ingest(&store, &fixture("generic_bad_country.csv"), "csv");
    let out = run_ok(c.arg("--skip-bad"));
    assert!(out.contains("stored 1 rows"), "{out}");
    assert!(out.contains("skipped 1 bad rows"), "{out}");
    assert!(out.contains("line 3: field 'partner'"), "{out}");
}

/// A crash after the Parquet file is written, or after it is moved but before the manifest
/// is renamed, leaves the store reading exactly as before; the next ingest succeeds.
#[test]
fn crash_mid_ingest_leaves_store_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    run_ok(&mut ingest(&store, &fixture("generic_good.csv"), "csv"));
    let manifest = std::fs::read(store.join("manifest.json")).unwrap();
    let q = "SELECT COUNT(*), SUM(value) FROM flows";
    let before = sql_rows(Some(&store), q);
    for point in ["after-parquet", "before-manifest"] {
        let o = ingest(
            &store,
            &data("trade/russia_fcs_monthly_top29_partners_2006_2021.csv"),
            "fcs",
        )
        .env("DETOUR_FAILPOINT", point)
        .output()
        .unwrap();
        assert!(
            !o.status.success(),
            "{point}: the process should have aborted"
        );
        assert_eq!(
            std::fs::read(store.join("manifest.json")).unwrap(),
            manifest,
            "{point}"
        );
        assert_eq!(sql_rows(Some(&store), q), before, "{point}");
    }
    // A real kill at an arbitrary moment: whatever it interrupted, the store reads as before or as after.
    let mut child = ingest(
        &store,
        &data("trade/eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv"),
        "eurostat-monthly",
    )
    .spawn()
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let _ = child.kill();
    let _ = child.wait();
    let after_kill = sql_rows(Some(&store), "SELECT COUNT(*) FROM flows")[0][0].clone();
    assert!(after_kill == "5" || after_kill == "14068", "{after_kill}");
    let out = run_ok(&mut ingest(
        &store,
        &data("trade/russia_fcs_monthly_top29_partners_2006_2021.csv"),
        "fcs",
    ));
    assert!(out.contains("stored 11124 rows"), "{out}");
    assert!(
        out.contains("not stored by design: 12 rows (empty value"),
        "{out}"
    );
    // Orphans from the crashes are gone: only the files the manifest names remain.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("manifest.json")).unwrap()).unwrap();
    let named = m["entries"].as_array().unwrap().len();
    assert_eq!(
        std::fs::read_dir(store.join("flows")).unwrap().count(),
        named
    );
}

#[test]
fn comtrade_current_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = run_ok(&mut ingest(
        &store,
        &fixture("comtrade_api.csv"),
        "comtrade",
    ));
    assert!(out.contains("stored 3 rows"), "{out}");
    assert!(
        out.contains("not stored by design: 1 rows (breakdown"),
        "{out}"
    );
    assert!(
        out.contains("not stored by design: 1 rows (re-export"),
        "{out}"
    );
    let rows = sql_rows(
        Some(&store),
        "SELECT reporter, partner, flow, year, month, commodity, classification, value FROM flows ORDER BY line",
    );
    assert_eq!(
        rows[0],
        [
            "KAZ",
            "RUS",
            "import",
            "2023",
            "1",
            "TOTAL",
            "TOTAL",
            "1500000.0"
        ]
    );
    assert_eq!(
        rows[1][..3],
        ["USA", "KGZ", "export"],
        "842 is the USA in Comtrade"
    );
    assert_eq!(rows[1][6], "HS2022");
    assert_eq!(rows[2][..2], ["FRA", "WLD"], "251 France, 0 World");
    assert_eq!(rows[2][4], "", "annual (refMonth 52)");
}

#[test]
fn comtrade_legacy_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    run_ok(&mut ingest(
        &store,
        &fixture("comtrade_legacy.csv"),
        "comtrade",
    ));
    let rows = sql_rows(
        Some(&store),
        "SELECT reporter, partner, flow, year, month, commodity, value FROM flows ORDER BY line",
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0],
        ["IND", "RUS", "export", "2019", "", "TOTAL", "3000.0"]
    );
    assert_eq!(
        rows[1],
        ["CHE", "KAZ", "import", "2019", "3", "27", "400.0"]
    );
}

#[test]
fn baci_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    run_ok(&mut ingest(
        &store,
        &fixture("BACI_HS17_Y2022_V202401_sample.csv"),
        "baci",
    ));
    let rows = sql_rows(
        Some(&store),
        "SELECT reporter, partner, commodity, classification, value, currency FROM flows ORDER BY line",
    );
    assert_eq!(
        rows[0],
        ["USA", "KGZ", "854231", "HS2017", "12500.0", "USD"]
    );
    assert_eq!(rows[1][2], "010121", "leading zero restored");
    assert_eq!(rows[2][..2], ["FRA", "RUS"]);
}

/// Real CEPII BACI bytes (HS 2017, 2020, release 202301: every flow with Afghanistan or South
/// Africa, 72,097 rows; gzip of the original, see tests/fixtures/README.md): space-padded
/// quantities, codes that lost their leading zero (5,133 rows), values in thousand US$. Reference
/// sums by Python's csv module: Afghanistan to South Africa 95.959, South Africa to Afghanistan
/// 461.724 (thousand US$).
#[test]
fn baci_real_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = run_ok(&mut ingest(
        &store,
        &fixture("BACI_HS17_Y2020_V202301_extract_AFG_ZAF.csv.gz"),
        "baci",
    ));
    assert!(out.contains("stored 72097 rows"), "{out}");
    let rows = sql_rows(
        Some(&store),
        "SELECT COUNT(*), MIN(length(commodity)), MAX(length(commodity)), MIN(classification) FROM flows",
    );
    assert_eq!(rows[0], ["72097", "6", "6", "HS2017"]);
    let zero = sql_rows(
        Some(&store),
        "SELECT COUNT(*) FROM flows WHERE substr(commodity, 1, 1) = '0'",
    );
    assert_eq!(zero[0][0], "5133");
    let pair = |a: &str, b: &str| {
        sql_rows(
            Some(&store),
            &format!("SELECT SUM(value) FROM flows WHERE reporter='{a}' AND partner='{b}'"),
        )[0][0]
            .parse::<f64>()
            .unwrap()
    };
    assert!((pair("AFG", "ZAF") - 95_959.0).abs() < 1e-6);
    assert!((pair("ZAF", "AFG") - 461_724.0).abs() < 1e-6);
}

#[test]
fn imf_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = run_ok(&mut ingest(&store, &fixture("imf_imts.csv"), "imf"));
    assert!(out.contains("stored 3 rows"), "{out}");
    let rows = sql_rows(
        Some(&store),
        "SELECT reporter, partner, flow, year, month, value, valuation FROM flows ORDER BY line",
    );
    assert_eq!(
        rows[0],
        ["ARM", "RUS", "export", "2023", "1", "150500000.0", "FOB"]
    );
    assert_eq!(rows[1][2], "import");
    assert_eq!(rows[2][4], "");
}

#[test]
fn parquet_generic_layout() {
    // Write the generic fixture to Parquet through the store itself (`sql --out`), then ingest it.
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    run_ok(&mut ingest(&store, &fixture("generic_good.csv"), "csv"));
    let pq = tmp.path().join("flows.parquet");
    let q = "SELECT reporter, partner, flow, year, month, commodity, value, currency FROM flows";
    run_ok(&mut sql_out(&store, q, &pq));
    let store2 = tmp.path().join("s2");
    let out = run_ok(&mut ingest(&store2, &pq, "parquet"));
    assert!(out.contains("stored 5 rows"), "{out}");
    let a = sql_rows(
        Some(&store),
        "SELECT reporter, partner, year, month, value FROM flows ORDER BY 1,2,3,4",
    );
    let b = sql_rows(
        Some(&store2),
        "SELECT reporter, partner, year, month, value FROM flows ORDER BY 1,2,3,4",
    );
    assert_eq!(a, b);
}

#[test]
fn unknown_format_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run_err(&mut ingest(
        &tmp.path().join("s"),
        &fixture("generic_good.csv"),
        "xlsx",
    ));
    assert!(
        stderr(&o).contains("unknown format 'xlsx'"),
        "{}",
        stderr(&o)
    );
}

/// An office's table by partner: an unknown partner name, in Russian or English, stops the ingest
/// with the file, line, field and name, and nothing is stored.
#[test]
fn national_by_partner_bad_names() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, bad) in [
        ("ru.csv", "Неизвестностан"),
        ("en.csv", "Atlantis Republic"),
    ] {
        let f = tmp.path().join(name);
        std::fs::write(
            &f,
            format!(
                "reporter,partner_name,flow,year,month,value_thousand_usd\n\
                 KAZ,Россия,export,2022,,9091390.9169\n\
                 KAZ,{bad},export,2022,,10.0\n"
            ),
        )
        .unwrap();
        let store = tmp.path().join(format!("s-{name}"));
        let out = run_err(&mut ingest(&store, &f, "national"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{name}:3")) && err.contains("partner_name") && err.contains(bad),
            "{err}"
        );
        assert!(!store.exists(), "nothing is stored");
    }
}

/// The new layouts' bad rows name file, line and field, and leave nothing stored: the IMF's wide
/// download with an unknown indicator, Eurostat's product file with a 5-digit code and a bad month.
#[test]
fn wide_imf_and_product_layouts_bad_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "imf_wide.csv",
            "imf",
            "COUNTRY.ID,COUNTERPART_COUNTRY.ID,INDICATOR.ID,FREQUENCY.ID,SCALE.ID,2021,2022\n\
             RUS,KAZ,XG_FOB_USD,A,6,18474.1,18198.3\n\
             RUS,KAZ,XX_USD,A,6,1.0,2.0\n",
            ":3: field 'INDICATOR.ID'",
        ),
        (
            "cn8_code.csv",
            "eurostat-monthly",
            "reporter,partner,product,month,value_eur\nAustria,ARM,85423111,2021-01,5.0\nAustria,ARM,85423,2021-01,5.0\n",
            ":3: field 'product'",
        ),
        (
            "cn8_month.csv",
            "eurostat-monthly",
            "reporter,partner,product,month,value_eur\nAustria,ARM,85423111,2021-13,5.0\n",
            ":2: field 'month'",
        ),
    ];
    for (name, format, body, msg) in cases {
        let f = tmp.path().join(name);
        std::fs::write(&f, body).unwrap();
        let store = tmp.path().join(format!("s-{name}"));
        let out = run_err(&mut ingest(&store, &f, format));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("{name}{msg}")), "{err}");
        assert!(!store.exists(), "nothing is stored");
    }
}
