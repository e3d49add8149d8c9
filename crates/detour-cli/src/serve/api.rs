//! The endpoints of `detour serve`: each request's path, parameters and body to a library call
//! and its JSON. Every parameter is checked against a list per endpoint; no file paths come from
//! requests (data for `estimate` and texts for `check` come in the body).

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, anyhow};

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
    pub(super) fn json(body: String) -> Reply {
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
pub(super) fn params(query: &str, allowed: &[&str]) -> Result<BTreeMap<String, String>> {
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

pub(super) fn need<'a>(p: &'a BTreeMap<String, String>, k: &str) -> Result<&'a str> {
    p.get(k)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| bad(format!("parameter '{k}' is required")))
}

pub(super) fn flag(p: &BTreeMap<String, String>, k: &str) -> Result<bool> {
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

/// A library answer, or its error as a status.
pub(super) fn reply_of(r: Result<Reply>) -> Reply {
    match r {
        Ok(r) => r,
        Err(e) => match e.downcast_ref::<Http>() {
            Some(Http(code, msg)) => error_reply(*code, msg),
            None => {
                // Errors of the library on the request's input (an unknown country, no data),
                // and a computation stopped at its deadline.
                let msg = format!("{e:#}");
                let code = if msg.starts_with("no data") {
                    404
                } else if is_deadline(&e) {
                    503
                } else {
                    400
                };
                error_reply(code, &msg)
            }
        },
    }
}

fn is_deadline(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<detour_core::Expired>().is_some()
            || c.downcast_ref::<detour_hdfe::Error>()
                .is_some_and(|h| matches!(h, detour_hdfe::Error::Deadline))
    })
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
        "/api/diversion" => crate::serve::analyses::diversion(store, query, deadline),
        "/api/simulate" => crate::serve::analyses::simulate(query, deadline),
        "/api/estimate" => crate::serve::analyses::estimate(query, body, deadline),
        "/api/check" | "/api/extract" => {
            crate::serve::analyses::check(store, path, query, body, deadline)
        }
        _ => Err(anyhow!(Http(
            404,
            format!("no such path: {path}; see /api/openapi.json")
        ))),
    }
}
