//! Reliability and misuse: inputs that would double count, the read-only SQL, bounded messages,
//! what a killed store creation leaves, and numbers that are not numbers.

use std::io::{Read, Write};

use super::*;
use crate::ingest::ingest;

/// One CSV-like file per ingest format (real published data shipped with the project), read as
/// its header line and its data lines.
pub fn format_files() -> Vec<(&'static str, PathBuf)> {
    vec![
        (
            "eurostat-monthly",
            data("trade/eurostat_eu_trade_with_rus_cis_monthly_2019_2024.csv"),
        ),
        (
            "eurostat-yearly",
            data("trade/eurostat_eu27_exports_by_partner_yearly_2010_2023.csv"),
        ),
        ("comtrade", fixture("comtrade_api.csv")),
        ("baci", fixture("BACI_HS17_Y2022_V202401_sample.csv")),
        ("imf", fixture("imf_imts.csv")),
        (
            "fcs",
            data("trade/russia_fcs_monthly_top29_partners_2006_2021.csv"),
        ),
        (
            "national",
            data("trade/national_stats_imports_arm_kaz_kgz_uzb_yearly_2019_2023.csv"),
        ),
        ("csv", fixture("generic_good.csv")),
    ]
}

pub fn lines_of(path: &Path) -> Vec<String> {
    let raw = std::fs::read(path).unwrap();
    let text = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_string(&mut s)
            .unwrap();
        s
    } else {
        String::from_utf8(raw).unwrap()
    };
    text.lines().map(str::to_string).collect()
}

/// The header and the first data line that the format stores on its own (some lines are
/// aggregates or breakdowns that a format deliberately does not store).
fn stored_line(format: &str, path: &Path, dir: &Path) -> (String, String) {
    let lines = lines_of(path);
    for (k, line) in lines.iter().enumerate().skip(1).take(60) {
        let f = dir.join(format!("{format}-probe-{k}.csv"));
        std::fs::write(&f, format!("{}\n{line}\n", lines[0])).unwrap();
        let store = dir.join(format!("{format}-probe-store-{k}"));
        if ingest(&store, &f, format)
            .output()
            .unwrap()
            .status
            .success()
        {
            return (lines[0].clone(), line.clone());
        }
    }
    panic!("{format}: no line of {} is stored alone", path.display());
}

/// A row given twice in one file would be stored and counted twice: every format refuses it,
/// naming both lines; a header-only file is refused; gzip input is read for every format.
#[test]
fn no_format_double_counts_or_stores_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for (format, path) in format_files() {
        let (header, line) = stored_line(format, &path, tmp.path());
        // the same row twice
        let twice = tmp.path().join(format!("{format}-twice.csv"));
        std::fs::write(&twice, format!("{header}\n{line}\n{line}\n")).unwrap();
        let store = tmp.path().join(format!("{format}-twice-store"));
        let out = run_err(&mut ingest(&store, &twice, format));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(":3:") && err.contains("line 2"),
            "{format}: {err}"
        );
        assert!(!store.exists(), "{format}: a refused file creates no store");
        // the header alone
        let header_only = tmp.path().join(format!("{format}-header.csv"));
        std::fs::write(&header_only, format!("{header}\n")).unwrap();
        let store = tmp.path().join(format!("{format}-header-store"));
        let out = run_err(&mut ingest(&store, &header_only, format));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no rows stored"), "{format}: {err}");
        assert!(!store.exists());
        // gzip, by name and content
        let gz = tmp.path().join(format!("{format}-one.csv.gz"));
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(format!("{header}\n{line}\n").as_bytes())
            .unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let store = tmp.path().join(format!("{format}-gz-store"));
        let out = run_ok(&mut ingest(&store, &gz, format));
        assert!(
            out.contains("stored 1 rows") || out.contains("stored 1 row"),
            "{format}: {out}"
        );
    }
}

/// Parquet input: a duplicated row is refused the same way.
#[test]
fn parquet_input_with_a_repeated_row_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    run_ok(&mut ingest(&store, &fixture("generic_good.csv"), "csv"));
    let pq = tmp.path().join("twice.parquet");
    run_ok(&mut sql_out(
        &store,
        "SELECT reporter, partner, flow, year, month, commodity, value, currency FROM flows \
             UNION ALL SELECT reporter, partner, flow, year, month, commodity, value, currency FROM flows WHERE line = 2",
        &pq,
    ));
    let out = run_err(&mut ingest(&tmp.path().join("s2"), &pq, "parquet"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the same flow as line"), "{err}");
}

/// A field of 10 MB is not echoed whole: the message keeps its start and its reason.
#[test]
fn a_huge_field_is_cut_in_the_message() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("huge.csv");
    let big = "9".repeat(1000) + &"x".repeat(10 * 1024 * 1024);
    std::fs::write(
        &f,
        format!("reporter,partner,flow,year,month,commodity,value,currency\nKAZ,RUS,import,2023,1,TOTAL,{big},USD\n"),
    )
    .unwrap();
    let out = run_err(&mut ingest(&tmp.path().join("s"), &f, "csv"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.len() < 2_000, "message of {} bytes", err.len());
    assert!(
        err.contains("huge.csv:2") && err.contains("characters left out"),
        "{err}"
    );
}

/// `detour sql` only reads: statements that would write files or change the session are
/// refused, the store is byte for byte as before, and `--out` saves a result instead.
#[test]
fn sql_is_read_only_and_exports_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    run_ok(&mut ingest(&store, &fixture("generic_good.csv"), "csv"));
    let before = snapshot_tree(&store);
    let target = store.join("manifest.json");
    for q in [
        format!("COPY (SELECT 1) TO '{}'", target.display()),
        format!(
            "COPY (SELECT 1 AS a) TO '{}' STORED AS CSV",
            tmp.path().join("x.csv").display()
        ),
        "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'".into(),
        "CREATE TABLE t AS SELECT 1".into(),
        "DROP TABLE flows".into(),
        "INSERT INTO flows SELECT * FROM flows".into(),
        "SET datafusion.execution.batch_size = 1".into(),
        "CREATE VIEW v AS SELECT 1".into(),
    ] {
        let out = run_err(detour().arg("--store").arg(&store).args(["sql", &q]));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("read-only"), "{q}: {err}");
    }
    assert!(!tmp.path().join("x.csv").exists());
    assert_eq!(snapshot_tree(&store), before, "the store changed");
    // Export: CSV and Parquet, the same rows as printed.
    let q = "SELECT reporter, partner, value FROM flows ORDER BY line";
    let csv_out = tmp.path().join("r.csv");
    run_ok(&mut sql_out(&store, q, &csv_out));
    let printed = run_ok(
        detour()
            .arg("--store")
            .arg(&store)
            .args(["sql", q, "--format", "csv"]),
    );
    assert_eq!(std::fs::read_to_string(&csv_out).unwrap(), printed);
    // Parquet (read back by ingest::parquet_generic_layout): a whole file, nothing left beside it.
    let pq = tmp.path().join("r.parquet");
    run_ok(&mut sql_out(&store, q, &pq));
    let bytes = std::fs::read(&pq).unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    let partial = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
        .count();
    assert_eq!(partial, 0);
    // Not inside the store, and not in an unknown format.
    let out = run_err(&mut sql_out(&store, q, &store.join("flows/x.parquet")));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the store"));
    let out = run_err(&mut sql_out(&store, q, &tmp.path().join("r.xlsx")));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".parquet or .csv"));
    assert_eq!(snapshot_tree(&store), before);
}

/// A store creation killed midway leaves `.NAME.creating-PID`; the next open removes it (the
/// process is gone), and a live one's directory stays.
#[cfg(target_os = "linux")]
#[test]
fn stale_creating_directories_are_cleaned() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    // A PID that cannot be running: above the kernel's limit.
    let stale = tmp.path().join(".s.creating-4294967");
    std::fs::create_dir_all(stale.join("flows")).unwrap();
    let live = tmp
        .path()
        .join(format!(".s.creating-{}", std::process::id()));
    std::fs::create_dir_all(&live).unwrap();
    run_ok(&mut ingest(&store, &fixture("generic_good.csv"), "csv"));
    assert!(!stale.exists(), "stale creation directory left");
    assert!(live.exists(), "a running process's directory was removed");
    let stale_staging = store.join(".staging-4294967");
    std::fs::create_dir_all(&stale_staging).unwrap();
    run_ok(
        detour()
            .arg("--store")
            .arg(&store)
            .args(["sql", "SELECT 1"]),
    );
    assert!(!stale_staging.exists());
}

/// Numbers that are not numbers are errors, not `null` or a "200% interval".
#[test]
fn non_numbers_are_refused() {
    for args in [
        vec!["implied-base", "nan", "5"],
        vec!["implied-base", "5", "inf"],
        vec!["fx", "nan", "EUR", "USD", "2023"],
    ] {
        let out = run_err(detour().args(&args));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("finite"), "{args:?}: {err}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("d.csv");
    std::fs::write(&f, "y,x\n1,1\n2,3\n4,2\n3,5\n6,4\n").unwrap();
    for level in ["2", "-1", "NaN", "0", "1"] {
        let out = run_err(
            detour()
                .args(["estimate", "--formula", "y ~ x", "--data"])
                .arg(&f)
                .args(["--family", "ols", "--level", level]),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("level") && err.contains("between 0 and 1"),
            "{level}: {err}"
        );
    }
}
