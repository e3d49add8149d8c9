//! Seeded fuzzing of every parser: inputs mutated from real seeds (the shipped data, the
//! example scenarios, real-looking periods, formulas and sentences), fed to the parser, which
//! must answer Ok or an error and never panic, hang or change the store on an error.
//!
//! Deterministic (a fixed seed), bounded by a count of cases per parser: `DETOUR_FUZZ_CASES`
//! (default 400) scales every parser's count, so CI's run stays short and a longer hunt is one
//! variable away. A case that fails is printed whole; it then becomes a regression test.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

/// xorshift64*: reproducible mutations without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn cases(base: usize) -> usize {
    let scale: usize = std::env::var("DETOUR_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    (base * scale / 400).max(1)
}

/// Characters that matter to the parsers, besides bytes of the seed itself.
const SPICE: &[&str] = &[
    "",
    " ",
    ",",
    ";",
    ":",
    ".",
    "..",
    "-",
    "~",
    "|",
    "^",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "=",
    "\n",
    "\r\n",
    "\t",
    "0",
    "9",
    "-1",
    "1e309",
    "NaN",
    "inf",
    "%",
    "€",
    "$",
    "млрд",
    "\u{0}",
    "\u{feff}",
    "ytd:",
    "Q",
    "H",
    "billion",
    "TOTAL",
    "EU27",
    "RUS",
    "KGZ",
    "2022",
    "99999999999",
];

/// One mutation of `seed`: delete, duplicate, insert spice, swap or truncate, a few times.
fn mutate(seed: &str, r: &mut Rng) -> String {
    let mut s: Vec<char> = seed.chars().collect();
    for _ in 0..1 + r.below(4) {
        let n = s.len();
        match r.below(6) {
            0 if n > 0 => {
                let a = r.below(n);
                let b = (a + 1 + r.below(8)).min(n);
                s.drain(a..b);
            }
            1 if n > 0 => {
                let a = r.below(n);
                let b = (a + 1 + r.below(16)).min(n);
                let piece: Vec<char> = s[a..b].to_vec();
                let at = r.below(n + 1);
                s.splice(
                    at..at,
                    piece
                        .iter()
                        .copied()
                        .cycle()
                        .take(piece.len() * (1 + r.below(3))),
                );
            }
            2 | 3 => {
                let at = r.below(n + 1);
                let sp = SPICE[r.below(SPICE.len())];
                s.splice(at..at, sp.chars());
            }
            4 if n > 1 => {
                let (a, b) = (r.below(n), r.below(n));
                s.swap(a, b);
            }
            _ => s.truncate(r.below(n + 1)),
        }
    }
    s.into_iter().collect()
}

/// Run `f` on each case; a panic names the case.
fn each(name: &str, seeds: &[String], n: usize, mut f: impl FnMut(&str)) {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ name.len() as u64);
    for i in 0..n {
        let case = mutate(&seeds[i % seeds.len()], &mut r);
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&case)));
        assert!(ok.is_ok(), "{name}: case {i} panicked: {case:?}");
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn repo(rel: &str) -> PathBuf {
    crate::data("..").join(rel)
}

#[test]
fn periods() {
    let seeds = strings(&[
        "2024-01..2024-10",
        "ytd:2024-08",
        "2024-Q2",
        "first nine months of 2024",
        "January-October 2024",
        "H1 2023",
        "2023",
        "2022-03",
    ]);
    each("period", &seeds, cases(4000), |s| {
        let _ = detour_core::period::Period::parse(s).map(|p| p.matched_previous_year().label());
    });
}

#[test]
fn formulas_and_filters() {
    let seeds = strings(&[
        "trade ~ rta + log(dist) | exporter^year + importer^year + pair_id",
        "y ~ x - 1",
        "y ~ i(year, treated, ref = 2021) | id + year",
        "trade ~ eu_enlargement + other_fta | exp_year + imp_year + pair",
        "y ~ x1 * x2 + I(x1^2)",
    ]);
    each("formula", &seeds, cases(4000), |s| {
        let _ = detour_hdfe::formula::Formula::parse(s);
    });
    let filters = strings(&[
        "year in (1986, 1990) & exporter != importer",
        "value > 0 | flag == \"x\"",
        "!(a >= 1.5)",
    ]);
    each("filter", &filters, cases(4000), |s| {
        let _ = detour_hdfe::formula::Filter::parse(s);
    });
}

#[test]
fn scenarios() {
    let seeds: Vec<String> = [
        "coalition_sanctions_illustration",
        "yotov2016_remove_borders",
    ]
    .iter()
    .map(|n| std::fs::read_to_string(repo(&format!("examples/scenarios/{n}.toml"))).unwrap())
    .collect();
    each("scenario", &seeds, cases(2000), |s| {
        let _ = detour_sim::scenario::parse(s, "fuzz.toml");
    });
}

#[test]
fn claim_texts() {
    let seeds: Vec<String> =
        std::fs::read_to_string(repo("examples/sanctions_backfire_article.txt"))
            .unwrap()
            .lines()
            .filter(|l| l.len() > 40)
            .map(str::to_string)
            .collect();
    each("claims", &seeds, cases(600), |s| {
        let claims = detour_claims::extract(s, &detour_claims::ExtractOptions::default());
        let _ =
            detour_claims::verify::check(None, detour_claims::releases::embedded(), &claims, None);
    });
}

/// Every ingest format: a mutated copy of a real file (its first lines) is stored or refused,
/// and a refused one leaves the existing store byte for byte as it was.
#[test]
fn ingest_formats() {
    // The same real file per format as the ingest regression tests use.
    let files = crate::security::format_files();
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let opts =
        |f: &str| detour_store::IngestOptions::new(detour_store::ingest::Format::parse(f).unwrap());
    detour_store::Store::ingest(
        &store,
        &crate::fixture("generic_good.csv"),
        &opts("csv"),
        &|_| {},
    )
    .unwrap();
    for (format, path) in files {
        let mut lines = crate::security::lines_of(&path);
        lines.truncate(12);
        let text = lines.join("\n");
        let mut k = 0;
        each(&format!("ingest {format}"), &[text], cases(60), |s| {
            k += 1;
            let f = tmp.path().join(format!("{format}-{k}.csv"));
            std::fs::write(&f, s).unwrap();
            let before = crate::snapshot_tree(&store);
            if detour_store::Store::ingest(&store, &f, &opts(format), &|_| {}).is_err() {
                assert_eq!(
                    crate::snapshot_tree(&store),
                    before,
                    "a refused file changed the store"
                );
            }
        });
    }
}

/// Query strings against a running server: every answer is a 2xx or 4xx with a JSON body, never
/// a 5xx or a dropped connection, and the server answers its health check at the end.
#[test]
fn http_query_strings() {
    let server = crate::serve::start();
    let addr = server.addr.clone();
    let seeds = strings(&[
        "/api/trade?reporter=EU27&partner=KGZ&period=2023&yoy=true",
        "/api/series?reporter=EU27&partner=KAZ&period=2022&freq=quarterly",
        "/api/mirror?reporter=KAZ&partner=RUS&period=2021",
        "/api/records?reporter=EU27&partner=ARM&period=2023-01..2023-06",
        "/api/diversion?target=RUS&conduits=KAZ,KGZ&baseline=2021&after=2023",
        "/api/simulate?scenario=yotov2016_remove_borders&draws=0",
        "/api/health",
    ]);
    let get = |path: &str| -> (u16, Vec<u8>) {
        let mut c = TcpStream::connect(&addr).unwrap();
        let path: String = path
            .chars()
            .map(|c| if c.is_ascii_graphic() { c } else { '_' })
            .collect();
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        write!(
            c,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        let _ = c.read_to_end(&mut raw);
        let head = String::from_utf8_lossy(&raw[..raw.len().min(20)]).to_string();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, raw)
    };
    each("http", &seeds, cases(400), |q| {
        let (status, raw) = get(q);
        assert!(
            (200..500).contains(&status),
            "{q}: {}",
            String::from_utf8_lossy(&raw)
        );
    });
    assert_eq!(get("/api/health").0, 200);
}
