//! Store benchmark on a SYNTHETIC product-level panel (labelled synthetic everywhere it is written).
//!
//! `cargo run -p detour-store --example bench_store -- [ROWS] [WORKDIR] [query-only]`
//!
//! 1. Writes a synthetic HS-6 x partner x month CSV in the generic layout (values from a
//!    fixed-seed xorshift generator; not real data).
//! 2. Ingests it with `Store::ingest`, timing it and reading the process's peak RSS.
//! 3. Runs grouped totals through DataFusion, best of 5, and prints one line per query
//!    (`QUERY name seconds`) for `bench/run.sh` to set beside DuckDB on the same Parquet files.
//!    `BENCH_QUERIES=FILE` (one `name<TAB>SQL` per line) times other queries instead;
//!    `BENCH_SET="key=value;…"` sets engine options first.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use detour_store::ingest::Format;
use detour_store::{IngestOptions, Store};

pub const QUERIES: &[(&str, &str)] = &[
    (
        "total_by_partner",
        "SELECT partner, SUM(value) AS v FROM flows GROUP BY partner",
    ),
    (
        "total_by_hs2_month",
        "SELECT substr(commodity, 1, 2) AS hs2, year, month, SUM(value) AS v FROM flows GROUP BY 1, 2, 3",
    ),
    (
        // The same year-on-year, as grouped totals per partner and year (the ratio is taken afterwards).
        "yoy_by_partner_year",
        "SELECT partner, year, SUM(value) AS v FROM flows \
         WHERE reporter = 'EU27' AND flow = 'export' AND month <= 8 AND year IN (2022, 2023) GROUP BY partner, year",
    ),
    (
        // The monitor's year-on-year by partner: January-August 2023 against the matched window of 2022.
        "yoy_by_partner",
        "SELECT partner, SUM(CASE WHEN year = 2023 THEN value END) AS cur, \
         SUM(CASE WHEN year = 2022 THEN value END) AS prev, \
         100 * (SUM(CASE WHEN year = 2023 THEN value END) / SUM(CASE WHEN year = 2022 THEN value END) - 1) AS yoy_pct \
         FROM flows WHERE reporter = 'EU27' AND flow = 'export' AND month <= 8 GROUP BY partner",
    ),
    (
        "filtered_hs6_by_year",
        "SELECT commodity, year, SUM(value) AS v FROM flows WHERE partner IN ('KAZ','KGZ','ARM') GROUP BY 1, 2",
    ),
];

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000_000);
    let work = PathBuf::from(
        args.get(2)
            .cloned()
            .unwrap_or_else(|| "/tmp/detour-bench".into()),
    );
    std::fs::create_dir_all(&work).unwrap();
    let csv_path = work.join(format!("synthetic_panel_{rows}.csv"));
    let partners: Vec<&str> = detour_core::country::Countries::global()
        .all()
        .iter()
        .filter(|a| a.kind == detour_core::country::AreaKind::Country)
        .map(|a| a.code.as_str())
        .take(100)
        .chain(["KAZ", "KGZ", "ARM"])
        .collect();
    let reporters = ["EU27", "USA"];
    if !csv_path.exists() {
        let t = Instant::now();
        let mut w =
            std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(&csv_path).unwrap());
        writeln!(
            w,
            "reporter,partner,flow,year,month,commodity,value,currency,flags"
        )
        .unwrap();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut n = 0u64;
        'outer: for hs in 0..100_000u32 {
            let chapter = 1 + hs % 96;
            let chapter = if chapter >= 77 { chapter + 1 } else { chapter };
            let code = format!("{chapter:02}{:04}", hs / 96 % 10_000);
            for r in reporters {
                for p in &partners {
                    for month in 1..=12 {
                        // Two synthetic years, so that year-on-year queries have a base.
                        for year in [2022, 2023] {
                            if n == rows {
                                break 'outer;
                            }
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            let v = (x % 10_000_000) as f64 / 100.0;
                            writeln!(w, "{r},{p},export,{year},{month},{code},{v},EUR,synthetic")
                                .unwrap();
                            n += 1;
                        }
                    }
                }
            }
        }
        w.flush().unwrap();
        println!(
            "GENERATED {n} synthetic rows in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let bytes = std::fs::metadata(&csv_path).unwrap().len();
    let store = work.join("store");
    let query_only =
        args.get(3).is_some_and(|a| a == "query-only") && store.join("manifest.json").exists();
    if !query_only {
        let _ = std::fs::remove_dir_all(&store);
        let rss_before = peak_rss_mb();
        let t = Instant::now();
        Store::ingest(&store, &csv_path, &IngestOptions::new(Format::Csv), &|_| {}).unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "INGEST rows={rows} bytes={bytes} seconds={secs:.2} rows_per_s={:.0} mb_per_s={:.1} peak_rss_mb={:.0} (before ingest {:.0})",
            rows as f64 / secs,
            bytes as f64 / 1e6 / secs,
            peak_rss_mb(),
            rss_before
        );
    }
    let s = Store::open(&store).unwrap();
    println!(
        "PARQUET {}",
        store.join(&s.manifest().entries[0].parquet).display()
    );
    let rt = detour_store::runtime().unwrap();
    // One session for all queries, as DuckDB keeps one connection.
    let ctx = s.session().unwrap();
    // Optional engine settings to compare, e.g. BENCH_SET="datafusion.execution.batch_size=32768".
    if let Ok(sets) = std::env::var("BENCH_SET") {
        for kv in sets.split(';').filter(|kv| !kv.is_empty()) {
            let (k, v) = kv.split_once('=').expect("KEY=VALUE");
            rt.block_on(async { ctx.sql(&format!("SET {k} = {v}")).await?.collect().await })
                .unwrap();
            println!("SET {k} = {v}");
        }
    }
    // Other queries to time instead, one `name<TAB>SQL` per line (BENCH_QUERIES=FILE).
    let extra: Vec<(String, String)> = std::env::var("BENCH_QUERIES")
        .ok()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .map(|t| {
            t.lines()
                .filter_map(|l| l.split_once('\t'))
                .map(|(n, q)| (n.to_string(), q.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let queries: Vec<(&str, &str)> = if extra.is_empty() {
        QUERIES.to_vec()
    } else {
        extra
            .iter()
            .map(|(n, q)| (n.as_str(), q.as_str()))
            .collect()
    };
    for (name, q) in queries {
        let mut best = f64::INFINITY;
        let mut n_rows = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let batches = rt
                .block_on(async { ctx.sql(q).await?.collect().await })
                .unwrap();
            best = best.min(t.elapsed().as_secs_f64());
            n_rows = batches.iter().map(|b| b.num_rows()).sum::<usize>();
        }
        println!("QUERY {name} {best:.3} rows={n_rows}");
    }
}
