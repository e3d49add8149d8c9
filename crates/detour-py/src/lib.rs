//! The native module of detour's Python package (`detour._detour`). It only translates: every
//! capability is a library call (estimation in `detour-hdfe`, data in `detour-store` and
//! `detour-monitor`, diversion in `detour-diversion`, claims in `detour-claims`); Arrow data comes
//! in and goes out through the Arrow PyCapsule interface. The Python layer (`python/detour`)
//! turns the results into DataFrames.

use std::path::PathBuf;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::PyTable;

use detour_hdfe::formula::Formula;
use detour_hdfe::model::Estimate;

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

fn runtime_error(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

fn json(v: &impl serde::Serialize) -> PyResult<String> {
    serde_json::to_string(v).map_err(runtime_error)
}

/// Columns from Arrow data (a pyarrow Table, a polars or pandas DataFrame: anything with
/// `__arrow_c_stream__`), typed by Arrow type.
fn frame_of(data: PyTable, label: &str) -> PyResult<detour_hdfe::Frame> {
    // Rows are counted from 1 in messages ("data:5: field 'x' …"), as `from_batches` gives them.
    let (batches, _) = data.into_inner();
    detour_store::frame::from_batches(label, &batches).map_err(value_error)
}

/// A fitted model.
#[pyclass(module = "detour._detour", frozen)]
struct Fit {
    est: Estimate,
}

#[pymethods]
impl Fit {
    /// (name, estimate, std_error, statistic, p_value, ci_low, ci_high) per coefficient.
    fn coefficients(&self) -> Vec<(String, f64, f64, f64, f64, f64, f64)> {
        self.est
            .fit
            .coefficients
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.estimate,
                    c.std_error,
                    c.statistic,
                    c.p_value,
                    c.ci_low,
                    c.ci_high,
                )
            })
            .collect()
    }

    /// The variance matrix of the coefficients, row by row.
    fn vcov(&self) -> Vec<Vec<f64>> {
        let v = &self.est.fit.vcov;
        (0..v.n)
            .map(|i| (0..v.n).map(|j| v.get(i, j)).collect())
            .collect()
    }

    #[getter]
    fn nobs(&self) -> usize {
        self.est.fit.nobs
    }

    #[getter]
    fn converged(&self) -> bool {
        self.est.fit.converged
    }

    #[getter]
    fn iterations(&self) -> usize {
        self.est.fit.iterations
    }

    #[getter]
    fn family(&self) -> &'static str {
        self.est.fit.family.name()
    }

    #[getter]
    fn vcov_label(&self) -> String {
        self.est.fit.vcov_label.clone()
    }

    #[getter]
    fn deviance(&self) -> f64 {
        self.est.fit.deviance
    }

    #[getter]
    fn pseudo_r2(&self) -> f64 {
        self.est.fit.pseudo_r2
    }

    #[getter]
    fn collinear(&self) -> Vec<String> {
        self.est.fit.collinear.clone()
    }

    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.est.fit.warnings.clone()
    }

    /// Rows left out before estimation, by reason.
    fn dropped(&self) -> Vec<(&'static str, usize)> {
        let d = &self.est.data;
        let f = &self.est.fit.dropped;
        vec![
            ("rows_read", d.read),
            ("subset", d.subset_out),
            ("missing", d.missing),
            ("non_finite", d.non_finite),
            ("singletons", f.singletons),
            ("separated", f.separated()),
            ("separated_fe", f.fe_zero_outcome),
            ("separated_simplex", f.simplex),
            ("separated_relu", f.relu),
        ]
    }

    /// (dimension, level, value) for every fixed-effect level.
    fn fixef(&self) -> Vec<(String, String, f64)> {
        self.est
            .fixef()
            .into_iter()
            .map(|l| (l.dimension, l.level, l.value))
            .collect()
    }

    /// Predicted means on new data; `None` where a level was not in the estimation sample.
    fn predict(&self, py: Python<'_>, data: PyTable) -> PyResult<Vec<Option<f64>>> {
        let f = frame_of(data, "newdata")?;
        py.detach(|| self.est.predict(&f)).map_err(value_error)
    }

    /// Fitted means of the estimation sample, with the 0-based input row of each.
    fn fitted(&self) -> (Vec<usize>, Vec<f64>) {
        let rows = self
            .est
            .data
            .rows
            .iter()
            .zip(&self.est.fit.sample)
            .filter(|(_, k)| **k)
            .map(|(r, _)| r - 1)
            .collect();
        (rows, self.est.fit.fitted.clone())
    }
}

/// Estimate `formula` on `data`.
#[pyfunction]
#[pyo3(signature = (formula, data, family, vcov=None, ssc="fixest", separation="fe,simplex,relu", subset=None, weights=None, offset=None, tol=1e-8, level=0.95))]
#[allow(clippy::too_many_arguments)]
fn fit(
    py: Python<'_>,
    formula: &str,
    data: PyTable,
    family: &str,
    vcov: Option<&str>,
    ssc: &str,
    separation: &str,
    subset: Option<&str>,
    weights: Option<String>,
    offset: Option<String>,
    tol: f64,
    level: f64,
) -> PyResult<Fit> {
    let formula = Formula::parse(formula).map_err(|e| value_error(format!("formula: {e}")))?;
    let spec = detour_hdfe::model::SpecText {
        family: Some(family),
        vcov,
        ssc: Some(ssc),
        separation: Some(separation),
        subset,
        weights: weights.as_deref(),
        offset: offset.as_deref(),
        tol,
        level,
    }
    .parse()
    .map_err(value_error)?;
    let frame = frame_of(data, "data")?;
    let est = py
        .detach(|| detour_hdfe::model::estimate(&formula, &frame, &spec))
        .map_err(value_error)?;
    Ok(Fit { est })
}

/// A detour store: the embedded default data, or a directory.
#[pyclass(module = "detour._detour", frozen)]
struct Store {
    store: detour_store::Store,
}

#[pymethods]
impl Store {
    #[new]
    #[pyo3(signature = (path=None))]
    fn new(py: Python<'_>, path: Option<PathBuf>) -> PyResult<Store> {
        let store = py
            .detach(|| match &path {
                Some(p) => detour_store::Store::open(p),
                None => detour_store::default_store::open(&|_, _| {}),
            })
            .map_err(value_error)?;
        Ok(Store { store })
    }

    #[getter]
    fn path(&self) -> PathBuf {
        self.store.dir().to_path_buf()
    }

    /// The files in the store with their provenance and coverage, as JSON.
    fn files(&self) -> PyResult<String> {
        json(&self.store.manifest().entries)
    }

    /// Run SQL over the store's `flows` table; an Arrow table.
    fn sql(&self, py: Python<'_>, query: &str) -> PyResult<Py<PyAny>> {
        let batches = py
            .detach(|| self.store.sql_blocking(query))
            .map_err(value_error)?;
        let schema = match batches.first() {
            Some(b) => b.schema(),
            None => detour_store::schema::flows_schema(),
        };
        let t = PyTable::try_new(batches, schema)?;
        Ok(t.into_pyarrow(py)?.unbind())
    }

    /// Ingest a file into the store at `path` (the embedded store is read-only); JSON of the
    /// manifest entry, with `already_present`.
    #[staticmethod]
    #[pyo3(signature = (path, file, format, source=None, skip_bad=false))]
    fn ingest(
        py: Python<'_>,
        path: PathBuf,
        file: PathBuf,
        format: &str,
        source: Option<String>,
        skip_bad: bool,
    ) -> PyResult<String> {
        let format = detour_store::ingest::Format::parse(format).map_err(value_error)?;
        let opts = detour_store::IngestOptions {
            format,
            source,
            skip_bad,
        };
        let outcome = py
            .detach(|| detour_store::Store::ingest(&path, &file, &opts, &|_| {}))
            .map_err(value_error)?;
        let (entry, present) = match outcome {
            detour_store::IngestOutcome::Stored(e) => (e, false),
            detour_store::IngestOutcome::AlreadyPresent(e) => (e, true),
        };
        let mut v = serde_json::to_value(&entry).map_err(runtime_error)?;
        v["already_present"] = serde_json::Value::Bool(present);
        Ok(v.to_string())
    }

    /// A monitoring question, answered as the CLI's JSON: `what` is `trade` (one figure),
    /// `mirror` (both sides and the gap) or `series` (by `freq`).
    #[pyo3(signature = (what, reporter, partner, period, flow="exports", side="auto", yoy=false, currency=None, commodity=None, freq="monthly"))]
    #[allow(clippy::too_many_arguments)]
    fn ask(
        &self,
        py: Python<'_>,
        what: &str,
        reporter: &str,
        partner: &str,
        period: &str,
        flow: &str,
        side: &str,
        yoy: bool,
        currency: Option<&str>,
        commodity: Option<&str>,
        freq: &str,
    ) -> PyResult<String> {
        let q = detour_monitor::QueryText {
            reporter,
            partner,
            flow,
            period,
            side,
            yoy,
            currency,
            commodity,
        }
        .parse()
        .map_err(value_error)?;
        let store = &self.store;
        match what {
            "trade" => json(
                &py.detach(|| detour_monitor::trade(store, &q))
                    .map_err(value_error)?,
            ),
            "mirror" => json(
                &py.detach(|| detour_monitor::mirror(store, &q))
                    .map_err(value_error)?,
            ),
            "series" => {
                let freq: detour_monitor::Frequency = freq.parse().map_err(value_error)?;
                json(
                    &py.detach(|| detour_monitor::series(store, &q, freq))
                        .map_err(value_error)?,
                )
            }
            other => Err(value_error(format!(
                "'{other}': expected trade, mirror or series"
            ))),
        }
    }

    /// The diversion analysis (JSON, as `detour diversion --format json`); with `products`, the
    /// product-level model (as `detour diversion --products …`).
    #[pyo3(signature = (target, senders, conduits, baseline, after, by_sender=false, gravity=false, products=None))]
    #[allow(clippy::too_many_arguments)]
    fn diversion(
        &self,
        py: Python<'_>,
        target: &str,
        senders: &str,
        conduits: Vec<String>,
        baseline: &str,
        after: &str,
        by_sender: bool,
        gravity: bool,
        products: Option<&str>,
    ) -> PyResult<String> {
        let period = |k: &str, t: &str| {
            detour_core::period::Period::parse(t)
                .map_err(|e| value_error(format!("{k} '{t}': {e}")))
        };
        let (b, a) = (period("baseline", baseline)?, period("after", after)?);
        if let Some(p) = products {
            let q = detour_diversion::product::ProductQuery::by_windows(
                senders, target, &conduits, b, a, p,
            );
            let d = py
                .detach(|| detour_diversion::product::product_did(&self.store, &q))
                .map_err(value_error)?;
            return json(&d);
        }
        let q = detour_diversion::Query {
            senders: senders.to_string(),
            target: target.to_string(),
            conduits,
            baseline: b,
            after: a,
            by_sender,
            gravity,
            missing_as_zero: false,
            deadline: detour_core::Deadline::none(),
            event: None,
        };
        let d = py
            .detach(|| detour_diversion::diversion(&self.store, &q))
            .map_err(value_error)?;
        json(&d)
    }

    /// The claims of a text checked against this store and the official releases (JSON: date,
    /// summary, claims), as `POST /api/check`.
    #[pyo3(signature = (text, date=None, headline=None, address=None))]
    fn check(
        &self,
        py: Python<'_>,
        text: &str,
        date: Option<&str>,
        headline: Option<&str>,
        address: Option<&str>,
    ) -> PyResult<String> {
        let headline = detour_claims::text::page_headline(headline, address);
        let date = match date {
            Some(d) => Some(
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| value_error(format!("date '{d}': expected YYYY-MM-DD")))?,
            ),
            None => detour_claims::text::find_date(text),
        };
        let checked = py.detach(|| {
            let claims = detour_claims::extract(
                text,
                &detour_claims::ExtractOptions {
                    date,
                    headline,
                    ..Default::default()
                },
            );
            detour_claims::verify::check(
                Some(&self.store),
                detour_claims::releases::embedded(),
                &claims,
                date,
            )
        });
        serde_json::to_string(&detour_claims::verify::Report::new(&checked, date, None))
            .map_err(value_error)
    }
}

/// A general-equilibrium scenario: an embedded one by name, else a scenario file; (the JSON of
/// `detour simulate --format json`, the pairs' results as a JSON array of records).
#[pyfunction]
#[pyo3(signature = (scenario, draws=None, data=None, stopping=None, seed=1))]
fn simulate(
    py: Python<'_>,
    scenario: &str,
    draws: Option<usize>,
    data: Option<PathBuf>,
    stopping: Option<String>,
    seed: u64,
) -> PyResult<(String, String)> {
    let embedded = detour_sim::EMBEDDED_SCENARIOS
        .iter()
        .any(|(name, _)| *name == scenario);
    let stopping: Option<detour_sim::Stopping> = stopping
        .map(|s| s.parse())
        .transpose()
        .map_err(value_error)?;
    py.detach(|| {
        let opts = detour_sim::SimulateOptions {
            scenario: PathBuf::from(scenario),
            data,
            stopping,
            draws,
            seed,
            ..Default::default()
        };
        let found = match embedded && opts.data.is_none() && opts.stopping.is_none() {
            true => detour_sim::simulate_embedded(scenario, &opts)?,
            false => None,
        };
        let sim = match found {
            Some(sim) => sim,
            None => detour_sim::simulate(&opts)?,
        };
        Ok::<_, detour_sim::SimError>((sim.to_json()?, sim.pairs_to_json()?))
    })
    .map_err(|e| value_error(chain(&e)))
}

/// An error and its sources, as `detour` prints them (`a: b: c`).
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(c) = source {
        s.push_str(": ");
        s.push_str(&c.to_string());
        source = c.source();
    }
    s
}

#[pymodule]
fn _detour(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(fit, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_class::<Fit>()?;
    m.add_class::<Store>()?;
    Ok(())
}
