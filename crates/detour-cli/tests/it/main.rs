//! The one integration-test binary: the `detour` CLI and the library crates on real data.

mod browser;
mod claims;
mod cli;
mod diversion;
mod estimate;
mod fuzz;
mod ge_gravity;
mod ingest;
mod limits;
mod monitor;
mod real_data;
mod security;
mod serve;
mod simulate;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The example article.
pub fn claims_article() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sanctions_backfire_article.txt")
}

/// The `detour` binary built by cargo for this test run.
pub fn detour() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_detour"));
    c.env("DETOUR_CACHE_DIR", cache_dir());
    c.env_remove("DETOUR_STORE");
    c.env_remove("DETOUR_FAILPOINT");
    c
}

/// A cache directory shared by the tests, so the default store is built once.
pub fn cache_dir() -> &'static Path {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("detour-cache");
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

/// `detour --store STORE sql QUERY --out FILE`.
pub fn sql_out(store: &Path, query: &str, out: &Path) -> Command {
    let mut c = detour();
    c.arg("--store")
        .arg(store)
        .args(["sql", query, "--out"])
        .arg(out);
    c
}

pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run detour");
    assert!(
        out.status.success(),
        "detour failed: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn run_err(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run detour");
    assert!(
        !out.status.success(),
        "expected failure, got success:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

/// Ingest a test fixture into a new store at `store`.
pub fn ingest_fixture(store: &Path, name: &str, format: &str) {
    run_ok(
        detour()
            .arg("--store")
            .arg(store)
            .arg("ingest")
            .arg(fixture(name))
            .args(["--format", format]),
    );
}

/// Query the default store as CSV and parse the rows.
pub fn sql_rows(store: Option<&Path>, q: &str) -> Vec<Vec<String>> {
    let mut c = detour();
    if let Some(s) = store {
        c.arg("--store").arg(s);
    }
    let out = run_ok(c.args(["sql", q, "--format", "csv"]));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(out.as_bytes());
    rdr.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Every file in a directory tree with its bytes, for byte-for-byte comparisons.
pub fn snapshot_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    if !dir.exists() {
        return out;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}
