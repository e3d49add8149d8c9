//! The endpoints of `detour serve`: each request's path, parameters and body to a library call
//! and its JSON. Every parameter is checked against a list per endpoint; no file paths come from
//! requests (data for `estimate` and texts for `check` come in the body).

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, anyhow};

use detour_core::Deadline;
use detour_core::period::Period;
use detour_monitor::{Frequency, TradeQuery};
use detour_store::Store;

pub const DASHBOARD: &str = include_str!("../../assets/dashboard.html");
pub const OPENAPI: &str = include_str!("../../assets/openapi.json");
pub const ECHARTS_GZ: &[u8] = include_bytes!("../../assets/echarts/echarts.min.js.gz");

/// A client error (4xx) with its status.
#[derive(Debug)]
pub struct Http(pub u16, pub String);

impl std::fmt::Display for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.1)
    }
}
impl std::error::Error for Http {}

pub fn bad(msg: impl Into<String>) -> anyhow::Error {
    anyhow!(Http(400, msg.into()))
}

pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub gzip: bool,
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

pub fn error_reply(status: u16, msg: &str) -> Reply {
    Reply {
        status,
        content_type: "application/json",
        body: format!("{}\n", serde_json::json!({ "error": msg })).into_bytes(),
        gzip: false,
    }
}

/// Paths answered at once, without a compute worker: the dashboard, its script, the API's
/// description and the health check (which then answers while every worker is busy).
pub fn is_static(path: &str) -> bool {
    matches!(
        path,
        "/" | "/index.html" | "/assets/echarts.min.js" | "/api/openapi.json" | "/api/health"
    )
}

/// The methods a known path answers (for 405's `Allow`); `None` for an unknown path.
pub fn allowed_methods(path: &str) -> Option<&'static str> {
    match path {
        "/api/estimate" | "/api/check" | "/api/extract" => Some("POST"),
        "/"
        | "/index.html"
        | "/assets/echarts.min.js"
        | "/api/openapi.json"
        | "/api/health"
        | "/api/trade"
        | "/api/mirror"
        | "/api/records"
        | "/api/series"
        | "/api/diversion"
        | "/api/simulate" => Some("GET, HEAD"),
        _ => None,
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

/// A diversion error: the deadline's own (a 503), else the request's fault (a 400).
fn diversion_error(e: detour_diversion::Error) -> anyhow::Error {
    match e {
        detour_diversion::Error::Expired(x) => anyhow::Error::new(x),
        e => bad(e.to_string()),
    }
}

/// Answer one request (on a compute worker, except the static paths), its method already
/// checked against [`allowed_methods`]; `deadline` reaches the library call.
pub fn answer(
    store: &Store,
    path: &str,
    query: &str,
    body: &[u8],
    deadline: Instant,
) -> Result<Reply> {
    match path {
        "/" | "/index.html" => Ok(Reply {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: DASHBOARD.as_bytes().to_vec(),
            gzip: false,
        }),
        "/assets/echarts.min.js" => Ok(Reply {
            status: 200,
            content_type: "application/javascript",
            body: ECHARTS_GZ.to_vec(),
            gzip: true,
        }),
        "/api/openapi.json" => Ok(Reply::json(OPENAPI.to_string())),
        "/api/health" => {
            params(query, &[])?;
            Ok(Reply::json(format!(
                "{}\n",
                serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "store_files": store.manifest().entries.len()})
            )))
        }
        "/api/trade" | "/api/mirror" | "/api/records" => {
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
                let q = detour_diversion::product::ProductQuery {
                    deadline: Deadline::at(deadline),
                    ..q
                };
                let d =
                    detour_diversion::product::product_did(store, &q).map_err(diversion_error)?;
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
                deadline: Deadline::at(deadline),
                event: match p.get("event") {
                    Some(e) => Some(
                        Period::parse(e)
                            .map_err(|x| bad(format!("event '{e}': {x}")))?
                            .start,
                    ),
                    None => None,
                },
            };
            let d = detour_diversion::diversion(store, &q).map_err(diversion_error)?;
            Ok(Reply::json(format!(
                "{}\n",
                serde_json::to_string_pretty(&d)?
            )))
        }
        "/api/simulate" => {
            let p = params(query, &["scenario", "draws"])?;
            let name = p
                .get("scenario")
                .map(String::as_str)
                .unwrap_or("russia_sanctions_2022_ge");
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
            let Some((out, _)) =
                detour_sim::run_embedded(name, draws, false, Deadline::at(deadline))?
            else {
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
            let mut spec = text.parse().map_err(|e| bad(e.to_string()))?;
            spec.deadline = Some(deadline);
            let f = detour_hdfe::formula::Formula::parse(formula)
                .map_err(|e| bad(format!("formula: {e}")))?;
            let (ncols, tcols) = spec.needed(&f);
            let t_load = std::time::Instant::now();
            let frame = detour_store::frame::read_csv_from("<body>", body, &ncols, &tcols)
                .map_err(|e| bad(e.to_string()))?;
            let load_seconds = t_load.elapsed().as_secs_f64();
            let t_fit = std::time::Instant::now();
            let est = detour_hdfe::model::estimate(&f, &frame, &spec).map_err(|e| match e {
                detour_hdfe::Error::Deadline => anyhow::Error::new(e),
                e => bad(e.to_string()),
            })?;
            let ctx = crate::estimate::Context0 {
                formula,
                subset: text.subset,
                level: text.level,
                report_separated: false,
                loaded: &est.data,
                small_sample: spec.small_sample,
                tol: spec.tol,
                load_seconds,
                fit_seconds: t_fit.elapsed().as_secs_f64(),
            };
            Ok(Reply::json(format!(
                "{}\n",
                serde_json::to_string_pretty(&crate::estimate::to_json(&est.fit, &ctx))?
            )))
        }
        "/api/check" | "/api/extract" => {
            let p = params(query, &["date"])?;
            let text =
                detour_claims::text::decode("<body>", body).map_err(|e| bad(e.to_string()))?;
            let date = match p.get("date") {
                Some(d) => Some(
                    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map_err(|_| bad(format!("date '{d}': expected YYYY-MM-DD")))?,
                ),
                None => detour_claims::text::find_date(&text),
            };
            let claims = detour_claims::try_extract(
                &text,
                &detour_claims::ExtractOptions {
                    date,
                    deadline: Deadline::at(deadline),
                },
            )?;
            let v = if path == "/api/extract" {
                serde_json::json!({"date": date.map(|d| d.to_string()), "claims": claims})
            } else {
                let checked = detour_claims::verify::check_until(
                    Some(store),
                    detour_claims::releases::embedded(),
                    &claims,
                    date,
                    Deadline::at(deadline),
                )?;
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
