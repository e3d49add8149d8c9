//! The analysis endpoints of `detour serve` (diversion, simulation, estimation, claims): parameters
//! checked against their lists, the library called with the request's deadline, its JSON answered.

use std::time::Instant;

use anyhow::Result;

use detour_core::Deadline;
use detour_core::period::Period;
use detour_store::Store;

use super::api::{Reply, bad, flag, params};

/// `GET /api/diversion`.
pub(super) fn diversion(store: &Store, query: &str, deadline: Instant) -> Result<Reply> {
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
        let d = detour_diversion::product::product_did(store, &q).map_err(diversion_error)?;
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

/// `GET /api/simulate`.
pub(super) fn simulate(query: &str, deadline: Instant) -> Result<Reply> {
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
    let opts = detour_sim::SimulateOptions {
        draws,
        seed: 1,
        deadline: Deadline::at(deadline),
        ..detour_sim::SimulateOptions::default()
    };
    let Some(sim) = detour_sim::simulate_embedded(name, &opts)? else {
        return Err(bad(format!(
            "scenario '{name}': expected one of {}",
            detour_sim::EMBEDDED_SCENARIOS
                .iter()
                .map(|s| s.0)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    Ok(Reply::json(sim.to_json()?))
}

/// `POST /api/estimate`.
pub(super) fn estimate(query: &str, body: &[u8], deadline: Instant) -> Result<Reply> {
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
        family: p.get("family").map(String::as_str),
        vcov: p.get("vcov").map(String::as_str),
        ssc: p.get("ssc").map(String::as_str),
        separation: p.get("separation").map(String::as_str),
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
    let f =
        detour_hdfe::formula::Formula::parse(formula).map_err(|e| bad(format!("formula: {e}")))?;
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

/// `POST /api/check and /api/extract`.
pub(super) fn check(
    store: &Store,
    path: &str,
    query: &str,
    body: &[u8],
    deadline: Instant,
) -> Result<Reply> {
    let p = params(query, &["date", "headline", "address"])?;
    let text = detour_claims::text::decode("<body>", body).map_err(|e| bad(e.to_string()))?;
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
            headline: detour_claims::text::page_headline(
                p.get("headline").map(|h| h.as_ref()),
                p.get("address").map(|a| a.as_ref()),
            ),
        },
    )?;
    let body = if path == "/api/extract" {
        serde_json::to_string_pretty(
            &serde_json::json!({"date": date.map(|d| d.to_string()), "claims": claims}),
        )?
    } else {
        let checked = detour_claims::verify::check_until(
            Some(store),
            detour_claims::releases::embedded(),
            &claims,
            date,
            Deadline::at(deadline),
        )?;
        serde_json::to_string_pretty(&detour_claims::verify::Report::new(&checked, date, None))?
    };
    Ok(Reply::json(format!("{body}\n")))
}

/// A diversion error: the deadline's own (a 503), else the request's fault (a 400).
fn diversion_error(e: detour_diversion::Error) -> anyhow::Error {
    match e {
        detour_diversion::Error::Expired(x) => anyhow::Error::new(x),
        e => bad(e.to_string()),
    }
}
