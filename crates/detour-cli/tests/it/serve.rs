//! `detour serve` over real HTTP on loopback, and `detour report`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use serde_json::Value;

use crate::{data, detour, run_ok};

/// A running server, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status, once the process has ended.
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start() -> Server {
    start_with(&[])
}

/// A server with more `serve` options.
pub fn start_with(extra: &[&str]) -> Server {
    let mut child = detour()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Server { child, addr }
}

/// One HTTP/1.1 request; (status, body).
pub fn http(s: &Server, method: &str, path: &str, body: &[u8], extra: &str) -> (u16, Vec<u8>) {
    let mut c = TcpStream::connect(&s.addr).unwrap();
    write!(
        c,
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n",
        s.addr,
        body.len()
    )
    .unwrap();
    let _ = c.write_all(body);
    let mut raw = Vec::new();
    let _ = c.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let end = i + b[i..].windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[i..end]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[end + 2..end + 2 + n]);
        i = end + 2 + n + 2;
    }
    out
}

fn get_json(s: &Server, path: &str) -> (u16, Value) {
    let (st, b) = http(s, "GET", path, b"", "");
    (
        st,
        serde_json::from_slice(&b)
            .unwrap_or_else(|_| panic!("{path}: {}", String::from_utf8_lossy(&b))),
    )
}

#[test]
fn api_answers_like_the_cli() {
    let s = start();
    let (st, h) = get_json(&s, "/api/health");
    assert_eq!((st, h["status"].as_str()), (200, Some("ok")));
    // The contract: the same JSON as `detour trade … --format json`, byte for byte.
    let (st, body) = http(
        &s,
        "GET",
        "/api/trade?reporter=EU27&partner=KGZ&flow=exports&period=2023",
        b"",
        "",
    );
    assert_eq!(st, 200);
    let cli = run_ok(detour().args([
        "trade",
        "--reporter",
        "EU27",
        "--partner",
        "KGZ",
        "--flow",
        "exports",
        "--period",
        "2023",
        "--format",
        "json",
    ]));
    assert_eq!(String::from_utf8(body).unwrap(), cli);
    // Series, mirror, diversion agree with the CLI's numbers.
    let (_, series) = get_json(
        &s,
        "/api/series?reporter=EU27&partner=KGZ&period=2023-01..2023-12&freq=annual",
    );
    let v: Value = serde_json::from_str(&cli).unwrap();
    assert!(
        (series["points"][0]["value"].as_f64().unwrap() - v["value"].as_f64().unwrap()).abs()
            < 1e-6
    );
    let (st, m) = get_json(&s, "/api/mirror?reporter=EU27&partner=KGZ&period=2023");
    assert_eq!(st, 200);
    assert!(m["gap_pct"].as_f64().unwrap() < -50.0);
    let (_, d) = get_json(&s, "/api/diversion");
    let cli_d: Value = crate::diversion::eu27_rus_json(&[]);
    assert_eq!(d["offset_ratio"], cli_d["offset_ratio"]);
    // The product-level model over the API: tier 1 only, the CN8 file's windows by default.
    let (st, pd) = get_json(&s, "/api/diversion?products=1");
    assert_eq!(st, 200, "{pd}");
    let cli_pd: Value = crate::diversion::chpl_json("1");
    assert_eq!(pd["effects"], cli_pd["effects"]);
    assert_eq!(pd["chpl_in_data"], cli_pd["chpl_in_data"]);
    // Claims posted as text.
    let (st, c) = http(
        &s,
        "POST",
        "/api/check?date=2024-12-26",
        &std::fs::read(crate::claims_article()).unwrap(),
        "",
    );
    assert_eq!(st, 200);
    let c: Value = serde_json::from_slice(&c).unwrap();
    assert_eq!(c["summary"]["consistent"], 4);
    // Estimation on a posted CSV equals the CLI on the same file.
    let csv = std::fs::read(data("gravity/gegravity_sample_2006_30countries.csv")).unwrap();
    let f =
        "trade ~ pta + contiguity + common_language + lndist + international | exporter + importer";
    let enc: String = f
        .replace('+', "%2B")
        .replace(' ', "+")
        .replace('|', "%7C")
        .replace('~', "%7E");
    let (st, e) = http(
        &s,
        "POST",
        &format!("/api/estimate?formula={enc}"),
        &csv,
        "",
    );
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&e));
    let e: Value = serde_json::from_slice(&e).unwrap();
    let cli_e: Value = serde_json::from_str(&run_ok(
        detour()
            .arg("estimate")
            .arg("--data")
            .arg(data("gravity/gegravity_sample_2006_30countries.csv"))
            .args(["--formula", f, "--format", "json"]),
    ))
    .unwrap();
    assert_eq!(e["coefficients"], cli_e["coefficients"]);
    // the default scenario: the 2022 sanctions on Russia in the WIOD world, as the CLI gives it
    let (st, g) = get_json(&s, "/api/simulate?draws=0");
    assert_eq!(st, 200);
    assert_eq!(g["countries"].as_array().unwrap().len(), 44);
    assert_eq!(
        g["countries"],
        crate::ge_gravity::russia_json()["countries"]
    );
    let (st, g) = get_json(
        &s,
        "/api/simulate?scenario=coalition_sanctions_illustration&draws=0",
    );
    assert_eq!(st, 200);
    assert!(g["countries"].as_array().unwrap().len() > 60);
    // The dashboard and its chart library.
    let (st, page) = http(&s, "GET", "/", b"", "");
    assert!(st == 200 && String::from_utf8_lossy(&page).contains("detour dashboard"));
    let (st, js) = http(&s, "GET", "/assets/echarts.min.js", b"", "");
    assert!(st == 200 && js.len() > 1_000_000);
    let (_, api) = get_json(&s, "/api/openapi.json");
    assert!(api["paths"]["/api/trade"]["get"].is_object());
}

#[test]
fn api_rejects_bad_requests_clearly() {
    let s = start();
    let cases = [
        (
            "GET",
            "/api/trade?reporter=EU27&partner=KGZ&period=2023&file=/etc/passwd",
            400,
            "unknown parameter 'file'",
        ),
        (
            "GET",
            "/api/trade?reporter=XXX&partner=KGZ&period=2023",
            400,
            "XXX",
        ),
        (
            "GET",
            "/api/trade?reporter=EU27&partner=KGZ",
            400,
            "parameter 'period' is required",
        ),
        (
            "GET",
            "/api/trade?reporter=EU27&partner=KGZ&period=2023-13",
            400,
            "2023-13",
        ),
        (
            "GET",
            "/api/trade?reporter=EU27&partner=KGZ&period=2023&period=2024",
            400,
            "given twice",
        ),
        (
            "GET",
            "/api/series?reporter=EU27&partner=KGZ&period=2023&freq=daily",
            400,
            "freq 'daily'",
        ),
        (
            "GET",
            "/api/simulate?scenario=../../etc/passwd",
            400,
            "expected one of",
        ),
        ("GET", "/api/nothing", 404, "no such path"),
        (
            "POST",
            "/api/trade?reporter=EU27&partner=KGZ&period=2023",
            405,
            "answers GET",
        ),
        ("GET", "/api/check", 405, "answers POST"),
        ("POST", "/api/check", 400, "the text is empty"),
    ];
    for (m, p, code, msg) in cases {
        let (st, b) = http(&s, m, p, b"", "");
        let b = String::from_utf8_lossy(&b);
        assert_eq!(st, code, "{m} {p}: {b}");
        assert!(b.contains(msg), "{m} {p}: {b}");
    }
    // Estimation bodies are read in memory: a bad cell names the body's line and field, an
    // unknown option its name, a missing column the columns there are.
    for (q, body, msg) in [
        (
            "formula=y+%7E+x",
            &b"y,x\n1,2\n2,abc\n"[..],
            "<body>:3: field 'x': 'abc' is not a number",
        ),
        (
            "formula=y+%7E+x&family=probit",
            &b"y,x\n1,2\n"[..],
            "family 'probit': expected poisson or ols",
        ),
        (
            "formula=y+%7E+z",
            &b"y,x\n1,2\n"[..],
            "<body>: no column 'z' (columns: y, x)",
        ),
    ] {
        let (st, b) = http(&s, "POST", &format!("/api/estimate?{q}"), body, "");
        let b = String::from_utf8_lossy(&b);
        assert!(st == 400 && b.contains(msg), "{q}: {st} {b}");
    }
    let (st, b) = http(&s, "POST", "/api/check", b"Trade \xff rose", "");
    assert!(st == 400 && String::from_utf8_lossy(&b).contains("not UTF-8"));
    // A body over the limit is refused from its declared length.
    let mut c = TcpStream::connect(&s.addr).unwrap();
    write!(c, "POST /api/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 60000000\r\n\r\n").unwrap();
    let mut raw = String::new();
    let _ = c.read_to_string(&mut raw);
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    // Still answering.
    assert_eq!(get_json(&s, "/api/health").0, 200);
}

#[test]
fn report_has_every_section_with_the_librarys_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(detour().args(["report", "--out"]).arg(dir.path()));
    assert!(out.contains("index.html"));
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    for id in [
        "monitoring",
        "diversion",
        "gravity",
        "chpl",
        "partner-mirror",
        "ge",
        "claims",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
    }
    assert!(!html.contains("<script"), "the report is static");
    let key = |k: &str| -> String {
        let tag = format!("data-key=\"{k}\">");
        let i = html.find(&tag).unwrap_or_else(|| panic!("no {k}")) + tag.len();
        html[i..].split('<').next().unwrap().to_string()
    };
    let t =
        crate::monitor::trade_json(&["--reporter", "EU27", "--partner", "KGZ", "--period", "2023"]);
    assert_eq!(
        key("eu27_exports_KGZ_2023"),
        format!("{:.1}", t["value"].as_f64().unwrap() / 1e9)
    );
    let d: Value = crate::diversion::eu27_rus_json(&[]);
    assert_eq!(
        key("offset_ratio"),
        format!("{:.3}", d["offset_ratio"].as_f64().unwrap())
    );
    assert_eq!(
        key("target_shortfall_bn"),
        format!("{:.1}", d["target_shortfall"].as_f64().unwrap() / 1e9)
    );
    assert_eq!(key("verdicts_consistent"), "4");
    assert_eq!(html.matches("data-verdict=").count(), 6);
    assert!(key("gravity_RUS × after").parse::<f64>().unwrap() < -1.0);
    assert!(html.matches("<svg").count() >= 5, "charts embedded");
    // The GE section (sanctions on Russia): the target's welfare change inside its Monte Carlo
    // interval, the shock the one the simulation estimates, and third countries' exports to Russia up.
    let w: f64 = key("ge_welfare_RUS").trim_end_matches('%').parse().unwrap();
    let sim = crate::ge_gravity::russia_json();
    assert_eq!(
        key("ge_partial_effect"),
        format!("{:.3}", sim["partial_effect"]["estimate"].as_f64().unwrap())
    );
    assert!(
        html.contains("Russia's neighbours (Kazakhstan"),
        "the ROW caveat is said"
    );
    let tag = "data-key=\"ge_welfare_RUS\">";
    let rest = &html[html.find(tag).unwrap()..];
    let ci = &rest[rest.find('[').unwrap() + 1..rest.find(']').unwrap()];
    let (lo, hi) = ci.split_once(", ").unwrap();
    let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
    assert!(lo < w && w < hi && w < 0.0, "{lo} {w} {hi}");
    // CHPL: the estimates are the product-level model's; the plain change to Russia, computed
    // from the monitor's monthly CHPL series, matches the model's own growth comparison (a second
    // path through the same file) to a tenth of a point.
    let m: Value = crate::diversion::chpl_json("chpl");
    let rus = &m["effects"][0];
    assert_eq!(
        key(&format!("chpl_{}", rus["name"].as_str().unwrap())),
        format!("{:.3}", rus["estimate"].as_f64().unwrap())
    );
    let change: f64 = key("chpl_change_RUS")
        .trim_end_matches('%')
        .parse()
        .unwrap();
    assert!(
        (change - m["growth"][0]["chpl_pct"].as_f64().unwrap()).abs() < 0.1,
        "{change} vs {}",
        m["growth"][0]
    );
    assert!(key("chpl_CHPL × BLR × after").parse::<f64>().unwrap() < -1.0);
    // Partner-side mirror: Kazakhstan's 2023 exports to Russia against Russia's side (IMF).
    let mir: Value = crate::monitor::mirror_json("KAZ", "RUS", "2023");
    assert_eq!(
        key("pmirror_KAZ_RUS_x_2023"),
        format!("{:+.1}%", mir["gap_pct"].as_f64().unwrap())
    );
    assert!(
        mir["partner_view"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("derived from counterpart records"),
        "{mir}"
    );
    assert!(html.contains("derived from counterpart records"));
}
