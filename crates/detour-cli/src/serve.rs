//! `detour serve`: an HTTP JSON API over the library calls, and the dashboard.
//!
//! Read-only over the store; loopback by default; every parameter checked against a list per
//! endpoint (no file paths from requests: data for `estimate` and texts for `check` come in the
//! request body); bodies up to [`MAX_BODY`]; each request computed within [`TIME_LIMIT`] or answered
//! 503; a fixed pool of worker threads.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use tiny_http::{Header, Method, Request, Response, Server};

use detour_core::period::Period;
use detour_monitor::{Frequency, TradeQuery};
use detour_store::Store;

/// Largest request body (a text to check, a CSV to estimate on).
pub const MAX_BODY: usize = 5 * 1024 * 1024;
/// Longest a request may compute.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; loopback by default. Binding another interface exposes the API to the network.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Worker threads answering requests.
    #[arg(long, default_value_t = 8)]
    pub threads: usize,
}

const DASHBOARD: &str = include_str!("../assets/dashboard.html");
const OPENAPI: &str = include_str!("../assets/openapi.json");
const ECHARTS_GZ: &[u8] = include_bytes!("../assets/echarts/echarts.min.js.gz");

/// A client error (4xx) with its status.
#[derive(Debug)]
struct Http(u16, String);

impl std::fmt::Display for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.1)
    }
}
impl std::error::Error for Http {}

fn bad(msg: impl Into<String>) -> anyhow::Error {
    anyhow!(Http(400, msg.into()))
}

struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    gzip: bool,
}

impl Reply {
    fn json(body: String) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json",
            body: body.into_bytes(),
            gzip: false,
        }
    }
}

fn error_reply(status: u16, msg: &str) -> Reply {
    Reply {
        status,
        content_type: "application/json",
        body: format!("{}\n", serde_json::json!({ "error": msg })).into_bytes(),
        gzip: false,
    }
}

/// Percent-decoding of a query component ('+' is a space).
fn decode(s: &str) -> Result<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let h = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| bad("bad percent-encoding in the query"))?;
                out.push(h);
                i += 2;
            }
            b'%' => return Err(bad("bad percent-encoding in the query")),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| bad("the query is not UTF-8"))
}

/// Parse and vet the query: only `allowed` names, each once, values up to 200 characters.
fn params(query: &str, allowed: &[&str]) -> Result<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(k)?, decode(v)?);
        if !allowed.contains(&k.as_str()) {
            return Err(bad(format!(
                "unknown parameter '{k}'; this endpoint takes: {}",
                allowed.join(", ")
            )));
        }
        if v.chars().count() > 200 {
            return Err(bad(format!(
                "parameter '{k}' is longer than 200 characters"
            )));
        }
        if m.insert(k.clone(), v).is_some() {
            return Err(bad(format!("parameter '{k}' given twice")));
        }
    }
    Ok(m)
}

fn need<'a>(p: &'a BTreeMap<String, String>, k: &str) -> Result<&'a str> {
    p.get(k)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| bad(format!("parameter '{k}' is required")))
}

fn flag(p: &BTreeMap<String, String>, k: &str) -> Result<bool> {
    match p.get(k).map(String::as_str) {
        None | Some("false") | Some("0") => Ok(false),
        Some("") | Some("true") | Some("1") => Ok(true),
        Some(v) => Err(bad(format!("parameter '{k}': '{v}' is not true or false"))),
    }
}

const TRADE_PARAMS: &[&str] = &[
    "reporter",
    "partner",
    "flow",
    "period",
    "yoy",
    "currency",
    "side",
    "commodity",
];

/// The trade question of a request, parsed by the library (as the CLI's flags are).
fn trade_query(p: &BTreeMap<String, String>) -> Result<TradeQuery> {
    detour_monitor::QueryText {
        reporter: need(p, "reporter")?,
        partner: need(p, "partner")?,
        flow: p.get("flow").map_or("exports", String::as_str),
        period: need(p, "period")?,
        side: p.get("side").map_or("auto", String::as_str),
        yoy: flag(p, "yoy")?,
        currency: p
            .get("currency")
            .map(String::as_str)
            .filter(|c| !c.is_empty()),
        commodity: p
            .get("commodity")
            .map(String::as_str)
            .filter(|c| !c.is_empty()),
    }
    .parse()
    .map_err(|e| bad(format!("{e:#}")))
}

/// Answer one request (runs on a worker thread, within the time limit).
fn answer(store: &Store, method: &Method, path: &str, query: &str, body: Vec<u8>) -> Result<Reply> {
    let get_only = |m: &Method| -> Result<()> {
        if *m == Method::Get || *m == Method::Head {
            Ok(())
        } else {
            Err(anyhow!(Http(405, format!("{path} answers GET"))))
        }
    };
    let post_only = |m: &Method| -> Result<()> {
        if *m == Method::Post {
            Ok(())
        } else {
            Err(anyhow!(Http(
                405,
                format!("{path} answers POST (the text or data in the body)")
            )))
        }
    };
    match path {
        "/" | "/index.html" => {
            get_only(method)?;
            Ok(Reply {
                status: 200,
                content_type: "text/html; charset=utf-8",
                body: DASHBOARD.as_bytes().to_vec(),
                gzip: false,
            })
        }
        "/assets/echarts.min.js" => {
            get_only(method)?;
            Ok(Reply {
                status: 200,
                content_type: "application/javascript",
                body: ECHARTS_GZ.to_vec(),
                gzip: true,
            })
        }
        "/api/openapi.json" => {
            get_only(method)?;
            Ok(Reply::json(OPENAPI.to_string()))
        }
        "/api/health" => {
            get_only(method)?;
            params(query, &[])?;
            Ok(Reply::json(format!(
                "{}\n",
                serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "store_files": store.manifest().entries.len()})
            )))
        }
        "/api/trade" | "/api/mirror" | "/api/records" => {
            get_only(method)?;
            let p = params(query, TRADE_PARAMS)?;
            let q = trade_query(&p)?;
            let json = match path {
                "/api/trade" => serde_json::to_string_pretty(&detour_monitor::trade(store, &q)?)?,
                "/api/mirror" => serde_json::to_string_pretty(&detour_monitor::mirror(store, &q)?)?,
                _ => serde_json::to_string_pretty(&detour_monitor::records(store, &q)?)?,
            };
            Ok(Reply::json(format!("{json}\n")))
        }
        "/api/series" => {
            get_only(method)?;
            let mut allowed = TRADE_PARAMS.to_vec();
            allowed.push("freq");
            let p = params(query, &allowed)?;
            let q = trade_query(&p)?;
            let freq: Frequency = p
                .get("freq")
                .map(String::as_str)
                .unwrap_or("monthly")
                .parse()
                .map_err(|e| bad(format!("{e}")))?;
            Ok(Reply::json(format!(
                "{}\n",
                serde_json::to_string_pretty(&detour_monitor::series(store, &q, freq)?)?
            )))
        }
        "/api/diversion" => {
            get_only(method)?;
            let p = params(
                query,
                &[
                    "target",
                    "senders",
                    "conduits",
                    "baseline",
                    "after",
                    "by_sender",
                    "gravity",
                    "event",
                    "missing_as_zero",
                    "products",
                ],
            )?;
            let period = |k: &str, d: &str| -> Result<Period> {
                let t = p.get(k).map(String::as_str).unwrap_or(d);
                Period::parse(t).map_err(|e| bad(format!("{k} '{t}': {e}")))
            };
            let senders = p.get("senders").cloned().unwrap_or_else(|| "EU27".into());
            let target = p.get("target").cloned().unwrap_or_else(|| "RUS".into());
            let conduits: Vec<String> = p
                .get("conduits")
                .map(|c| {
                    c.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_else(|| {
                    detour_diversion::CONDUITS
                        .iter()
                        .map(|s| s.to_string())
                        .collect()
                });
            if let Some(products) = p.get("products") {
                // The product-level model; its windows default to the CN8 file's span.
                let q = detour_diversion::product::ProductQuery::by_windows(
                    &senders,
                    &target,
                    &conduits,
                    period("baseline", "2020-01..2022-02")?,
                    period("after", "2022-03..2022-11")?,
                    products,
                );
                let d = detour_diversion::product::product_did(store, &q)
                    .map_err(|e| bad(e.to_string()))?;
                return Ok(Reply::json(format!(
                    "{}\n",
                    serde_json::to_string_pretty(&d)?
                )));
            }
            let q = detour_diversion::Query {
                senders,
                target,
                conduits,
                baseline: period("baseline", detour_diversion::HEADLINE_BASELINE)?,
                after: period("after", detour_diversion::HEADLINE_AFTER)?,
                by_sender: flag(&p, "by_sender")?,
                gravity: flag(&p, "gravity")?,
                missing_as_zero: flag(&p, "missing_as_zero")?,
                event: match p.get("event") {
                    Some(e) => Some(
                        Period::parse(e)
                            .map_err(|x| bad(format!("event '{e}': {x}")))?
                            .start,
                    ),
                    None => None,
                },
            };
            let d = detour_diversion::diversion(store, &q).map_err(|e| bad(e.to_string()))?;
            Ok(Reply::json(format!(
                "{}\n",
                serde_json::to_string_pretty(&d)?
            )))
        }
        "/api/simulate" => {
            get_only(method)?;
            let p = params(query, &["scenario", "draws"])?;
            let name = p
                .get("scenario")
                .map(String::as_str)
                .unwrap_or("coalition_sanctions_illustration");
            let draws = match p.get("draws") {
                Some(d) => {
                    let n: usize = d
                        .parse()
                        .map_err(|_| bad(format!("draws '{d}': expected a whole number")))?;
                    if n > 200 {
                        return Err(bad("draws: at most 200 over the API"));
                    }
                    Some(n)
                }
                None => None,
            };
            let Some((out, _)) = detour_sim::run_embedded(name, draws, false)? else {
                return Err(bad(format!(
                    "scenario '{name}': expected one of {}",
                    detour_sim::EMBEDDED_SCENARIOS
                        .iter()
                        .map(|s| s.0)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            Ok(Reply::json(out))
        }
        "/api/estimate" => {
            post_only(method)?;
            let allowed = [
                "formula",
                "family",
                "vcov",
                "ssc",
                "subset",
                "weights",
                "offset",
                "separation",
                "level",
            ];
            let p = params(query, &allowed)?;
            if body.is_empty() {
                return Err(bad("POST the data as CSV in the request body"));
            }
            // The body is read in memory, straight into a typed frame: no file, no argv.
            let formula = p.get("formula").ok_or_else(|| bad("formula: required"))?;
            let d = detour_hdfe::model::SpecText::default();
            let text = detour_hdfe::model::SpecText {
                family: p.get("family").map_or(d.family, String::as_str),
                vcov: p.get("vcov").map(String::as_str),
                ssc: p.get("ssc").map_or(d.ssc, String::as_str),
                separation: p.get("separation").map_or(d.separation, String::as_str),
                subset: p.get("subset").map(String::as_str),
                weights: p.get("weights").map(String::as_str),
                offset: p.get("offset").map(String::as_str),
                level: match p.get("level") {
                    Some(v) => v
                        .parse()
                        .map_err(|_| bad(format!("level '{v}': expected a number")))?,
                    None => d.level,
                },
                ..d
            };
            let spec = text.parse().map_err(|e| bad(e.to_string()))?;
            let f = detour_hdfe::formula::Formula::parse(formula)
                .map_err(|e| bad(format!("formula: {e}")))?;
            let (ncols, tcols) = spec.needed(&f);
            let t_load = std::time::Instant::now();
            let frame = detour_store::frame::read_csv_from("<body>", &body[..], &ncols, &tcols)
                .map_err(|e| bad(e.to_string()))?;
            let load_seconds = t_load.elapsed().as_secs_f64();
            let t_fit = std::time::Instant::now();
            let est =
                detour_hdfe::model::estimate(&f, &frame, &spec).map_err(|e| bad(e.to_string()))?;
            let ctx = crate::estimate::Context0 {
                formula,
                subset: text.subset,
                level: text.level,
                report_separated: false,
                loaded: &est.data,
                small_sample: spec.small_sample,
                load_seconds,
                fit_seconds: t_fit.elapsed().as_secs_f64(),
            };
            Ok(Reply::json(format!(
                "{}\n",
                serde_json::to_string_pretty(&crate::estimate::to_json(&est.fit, &ctx))?
            )))
        }
        "/api/check" | "/api/extract" => {
            post_only(method)?;
            let p = params(query, &["date"])?;
            let text =
                detour_claims::text::decode("<body>", &body).map_err(|e| bad(e.to_string()))?;
            let date = match p.get("date") {
                Some(d) => Some(
                    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map_err(|_| bad(format!("date '{d}': expected YYYY-MM-DD")))?,
                ),
                None => detour_claims::text::find_date(&text),
            };
            let claims = detour_claims::extract(&text, &detour_claims::ExtractOptions { date });
            let v = if path == "/api/extract" {
                serde_json::json!({"date": date.map(|d| d.to_string()), "claims": claims})
            } else {
                let checked = detour_claims::verify::check(
                    Some(store),
                    detour_claims::releases::embedded(),
                    &claims,
                    date,
                );
                serde_json::json!({
                    "date": date.map(|d| d.to_string()),
                    "summary": detour_claims::verify::summary(&checked),
                    "claims": checked,
                })
            };
            Ok(Reply::json(format!(
                "{}\n",
                serde_json::to_string_pretty(&v)?
            )))
        }
        _ => Err(anyhow!(Http(
            404,
            format!("no such path: {path}; see /api/openapi.json")
        ))),
    }
}

fn respond(req: Request, r: Reply, head: bool) {
    let accepts_gzip = req
        .headers()
        .iter()
        .any(|h| h.field.equiv("Accept-Encoding") && h.value.as_str().contains("gzip"));
    let mut body = r.body;
    let mut headers = vec![
        Header::from_bytes("Content-Type", r.content_type).expect("valid header"),
        Header::from_bytes("X-Content-Type-Options", "nosniff").expect("valid header"),
        Header::from_bytes("Cache-Control", "no-store").expect("valid header"),
    ];
    if r.gzip {
        if accepts_gzip {
            headers.push(Header::from_bytes("Content-Encoding", "gzip").expect("valid header"));
        } else {
            let mut plain = Vec::new();
            if flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut plain)
                .is_ok()
            {
                body = plain;
            }
        }
    }
    if head {
        body.clear();
    }
    let mut resp = Response::from_data(body).with_status_code(r.status);
    for h in headers {
        resp.add_header(h);
    }
    let _ = req.respond(resp);
}

/// Serve until the process is stopped.
pub fn run(args: &ServeArgs, store: Store) -> Result<()> {
    let server = Server::http(args.addr).map_err(|e| anyhow!("listening on {}: {e}", args.addr))?;
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {} — reachable from the network",
            args.addr
        );
    }
    let bound = server.server_addr().to_ip().unwrap_or(args.addr);
    // The first line names the bound address (port 0 picks a free one): scripts read it.
    crate::output::emit(&format!(
        "detour serve: http://{bound} (dashboard), http://{bound}/api/openapi.json\n"
    ));
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let server = Arc::new(server);
    let store = Arc::new(store);
    let mut workers = Vec::new();
    for _ in 0..args.threads.max(1) {
        let (server, store) = (Arc::clone(&server), Arc::clone(&store));
        workers.push(std::thread::spawn(move || {
            while let Ok(req) = server.recv() {
                handle(req, &store);
            }
        }));
    }
    for w in workers {
        w.join().map_err(|_| anyhow!("a worker thread failed"))?;
    }
    Ok(())
}

fn handle(mut req: Request, store: &Arc<Store>) {
    let url = req.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let (path, query) = (path.to_string(), query.to_string());
    let method = req.method().clone();
    let head = method == Method::Head;
    if req.body_length().is_some_and(|n| n > MAX_BODY) {
        return respond(
            req,
            error_reply(
                413,
                &format!("the body is larger than {} MB", MAX_BODY / (1024 * 1024)),
            ),
            head,
        );
    }
    let mut body = Vec::new();
    if let Err(e) = req
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
    {
        return respond(
            req,
            error_reply(400, &format!("reading the body: {e}")),
            head,
        );
    }
    if body.len() > MAX_BODY {
        return respond(
            req,
            error_reply(
                413,
                &format!("the body is larger than {} MB", MAX_BODY / (1024 * 1024)),
            ),
            head,
        );
    }
    // Compute on a helper thread so that a slow request is answered 503 at the time limit.
    let (tx, rx) = std::sync::mpsc::channel();
    let st = Arc::clone(store);
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            answer(&st, &method, &path, &query, body)
        }));
        let _ = tx.send(r);
    });
    let reply = match rx.recv_timeout(TIME_LIMIT) {
        Ok(Ok(Ok(r))) => r,
        Ok(Ok(Err(e))) => match e.downcast_ref::<Http>() {
            Some(Http(code, msg)) => error_reply(*code, msg),
            None => {
                // Errors of the library on the request's input (an unknown country, no data).
                let msg = format!("{e:#}");
                let code = if msg.starts_with("no data") { 404 } else { 400 };
                error_reply(code, &msg)
            }
        },
        Ok(Err(_)) => error_reply(500, "internal error"),
        Err(_) => error_reply(
            503,
            &format!("the request took longer than {} s", TIME_LIMIT.as_secs()),
        ),
    };
    respond(req, reply, head);
}

/// Used by `main` to report a bind failure with context.
pub fn open(args: &ServeArgs, store: Store) -> Result<()> {
    run(args, store).with_context(|| format!("detour serve on {}", args.addr))
}
