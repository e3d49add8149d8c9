//! What a simulation answers, as typed values: [`Simulation`] serialises to the JSON of `detour
//! simulate --format json` (the contract), renders as a table or CSV, and gives its charts and
//! pair-level results.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::error::{Result, SimError};

/// How to render a [`Simulation`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// A table for people (the default).
    #[default]
    Table,
    /// The JSON contract.
    Json,
    /// The headline measures, a row per country.
    Csv,
}

impl std::str::FromStr for Format {
    type Err = SimError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            other => Err(SimError::BadOption {
                option: "--format",
                value: other.into(),
                expected: "table, json or csv",
            }),
        }
    }
}

/// A simulation's results, by the method that solved it. Serialises as the method's own object
/// (no tag): `ge_gravity` results carry `"method": "ge_gravity"`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Simulation {
    /// The book's structural model (`[model] method = "structural"`, the default).
    Structural(Box<Structural>),
    /// Zylkin's `ge_gravity` in exact hat algebra.
    GeGravity(Box<GeGravity>),
}

/// An estimated coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    pub name: String,
    pub estimate: f64,
    pub std_error: f64,
}

impl Coefficient {
    pub(crate) fn of(c: &detour_hdfe::Coef) -> Self {
        Coefficient {
            name: c.name.clone(),
            estimate: c.estimate,
            std_error: c.std_error,
        }
    }
}

/// A measure's spread over the Monte Carlo draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Standard deviation over the draws that solved.
    pub se: f64,
    /// 2.5th percentile.
    pub ci_low: f64,
    /// 97.5th percentile.
    pub ci_high: f64,
}

/// Monte Carlo draws of the estimated coefficients from their covariance, each solved anew.
#[derive(Debug, Clone, Serialize)]
pub struct MonteCarlo {
    pub draws: usize,
    /// Draws whose equilibrium did not solve (left out of the intervals).
    pub failed: usize,
    pub seed: u64,
    pub countries: Vec<MonteCarloCountry>,
}

/// One country's intervals, by measure name (e.g. `welfare_change_pct`).
#[derive(Debug, Clone, Serialize)]
pub struct MonteCarloCountry {
    pub country: String,
    #[serde(flatten)]
    pub measures: BTreeMap<String, Interval>,
}

impl MonteCarlo {
    /// The interval of `measure` for country `index`.
    pub fn interval(&self, index: usize, measure: &str) -> Option<Interval> {
        self.countries.get(index)?.measures.get(measure).copied()
    }
}

/// Wall-clock times of the steps.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate_seconds: Option<f64>,
    pub solve_seconds: f64,
    /// Equilibria solved for the headline result (both imbalance rules in `ge_gravity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solves: Option<usize>,
}

/// The summary statistics of one of the book's price updates (`stopping = "book"`).
#[derive(Debug, Clone, Serialize)]
pub struct BookUpdate {
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

/// The structural model's results.
#[derive(Debug, Clone, Serialize)]
pub struct Structural {
    pub scenario: String,
    pub data: String,
    pub sigma: f64,
    pub reference: String,
    pub stopping: String,
    /// The baseline PPML's coefficients.
    pub coefficients: Vec<Coefficient>,
    pub iterations: usize,
    pub converged: bool,
    pub book_updates: Vec<BookUpdate>,
    pub countries: Vec<StructuralCountry>,
    pub timing: Timing,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monte_carlo: Option<MonteCarlo>,
    /// Flows in the baseline estimation.
    #[serde(skip)]
    pub flows: usize,
    /// Every pair's flows: baseline, conditional and full endowment.
    #[serde(skip)]
    pub pairs: Vec<StructuralPair>,
    /// The economies the scenario's changes name (highlighted in charts).
    #[serde(skip)]
    pub named: Vec<String>,
}

/// One country in the structural model, in percent against the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct StructuralCountry {
    pub country: String,
    pub exports_baseline: f64,
    pub exports_change_pct_conditional: f64,
    pub exports_change_pct_full: f64,
    pub imports_change_pct_full: f64,
    pub domestic_change_pct_full: f64,
    pub factory_gate_price_change_pct: f64,
    pub omr_change_pct_conditional: f64,
    pub omr_change_pct_full: f64,
    pub imr_change_pct_conditional: f64,
    /// Inward multilateral resistance, full endowment.
    pub imr_change_pct: f64,
    pub real_gdp_change_pct: f64,
    pub welfare_change_pct: f64,
    pub terms_of_trade_change_pct: f64,
}

/// A pair's flows in the structural model.
#[derive(Debug, Clone, Serialize)]
pub struct StructuralPair {
    pub exporter: String,
    pub importer: String,
    pub baseline: f64,
    pub conditional: f64,
    pub full: f64,
}

/// The headline measures of the structural model: summarised over Monte Carlo draws and written by
/// `--format csv`.
pub(crate) const STRUCTURAL_MEASURES: [&str; 6] = [
    "exports_change_pct_conditional",
    "exports_change_pct_full",
    "factory_gate_price_change_pct",
    "imr_change_pct",
    "real_gdp_change_pct",
    "welfare_change_pct",
];

impl StructuralCountry {
    /// The values of [`STRUCTURAL_MEASURES`].
    pub(crate) fn measures(&self) -> [f64; 6] {
        [
            self.exports_change_pct_conditional,
            self.exports_change_pct_full,
            self.factory_gate_price_change_pct,
            self.imr_change_pct,
            self.real_gdp_change_pct,
            self.welfare_change_pct,
        ]
    }
}

/// The `ge_gravity` model's results.
#[derive(Debug, Clone, Serialize)]
pub struct GeGravity {
    pub scenario: String,
    /// Always `ge_gravity`.
    pub method: &'static str,
    pub data: String,
    /// The scenario's `[data] note`, printed with every result.
    pub note: Option<String>,
    /// The baseline year.
    pub year: i64,
    /// The common trade elasticity (sectors may have their own, in `sectors`).
    pub theta: f64,
    /// The imbalance rule of the headline measures: `additive` or `multiplicative`.
    pub imbalances: &'static str,
    /// The economy named in `[model] focus`.
    pub focus: Option<String>,
    /// By sector, with multi-sector data.
    pub sectors: Option<Vec<GeSector>>,
    pub negative_flows_zeroed: Zeroed,
    pub input_output: bool,
    /// The estimated coefficient of the first variable the changes use.
    pub partial_effect: Option<Coefficient>,
    pub estimation: Option<Estimation>,
    /// Pairs (by sector) whose trade costs change.
    pub pairs_changed: usize,
    pub iterations: Iterations,
    pub countries: Vec<GeCountry>,
    pub timing: Timing,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monte_carlo: Option<MonteCarlo>,
    /// Every pair's (and sector's) flows: baseline, partial effect and new.
    #[serde(skip)]
    pub pairs: Vec<GePair>,
    /// The economies the scenario's changes name (highlighted in charts).
    #[serde(skip)]
    pub named: Vec<String>,
}

/// Negative flows set to zero (`[data] negative_flows = "zero"`).
#[derive(Debug, Clone, Serialize)]
pub struct Zeroed {
    pub count: usize,
    pub sum: f64,
}

/// Solver iterations under each imbalance rule.
#[derive(Debug, Clone, Serialize)]
pub struct Iterations {
    pub additive: usize,
    pub multiplicative: usize,
}

/// The PPML behind the partial effects.
#[derive(Debug, Clone, Serialize)]
pub struct Estimation {
    pub formula: String,
    pub data: String,
    pub vcov: String,
    pub nobs: usize,
    pub iterations: usize,
    pub converged: bool,
    pub coefficients: Vec<Coefficient>,
}

/// One economy in `ge_gravity`, in percent against the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct GeCountry {
    pub country: String,
    /// Under the scenario's imbalance rule.
    pub welfare_change_pct: f64,
    pub welfare_change_pct_additive: f64,
    pub welfare_change_pct_mult: f64,
    pub real_wage_change_pct: f64,
    /// Value added deflated by the consumer price index: the real wage here.
    pub real_gdp_change_pct: f64,
    pub nominal_wage_change_pct: f64,
    pub price_index_change_pct: f64,
    pub exports_baseline: f64,
    pub exports_change_pct: f64,
    pub imports_change_pct: f64,
    pub domestic_change_pct: f64,
    /// Trade with the focus economy (absent for the focus itself and without `focus`).
    #[serde(flatten)]
    pub focus: Option<FocusTrade>,
}

/// An economy's trade with the focus economy.
#[derive(Debug, Clone, Serialize)]
pub struct FocusTrade {
    pub exports_to_focus_baseline: f64,
    pub exports_to_focus_change_pct: f64,
    pub imports_from_focus_baseline: f64,
    pub imports_from_focus_change_pct: f64,
}

/// One sector in `ge_gravity` with multi-sector data.
#[derive(Debug, Clone, Serialize)]
pub struct GeSector {
    pub sector: String,
    pub theta: f64,
    pub pairs_changed: usize,
    pub world_trade_baseline: f64,
    pub world_trade_change_pct: f64,
    /// The focus economy's trade in the sector.
    #[serde(flatten)]
    pub focus: Option<FocusSector>,
}

/// The focus economy's trade in one sector.
#[derive(Debug, Clone, Serialize)]
pub struct FocusSector {
    pub focus_imports_baseline: f64,
    pub focus_imports_change_pct: f64,
    pub focus_exports_baseline: f64,
    pub focus_exports_change_pct: f64,
}

/// A pair's flow in one sector in `ge_gravity`.
#[derive(Debug, Clone, Serialize)]
pub struct GePair {
    pub exporter: String,
    pub importer: String,
    /// The sector code (multi-sector data only).
    pub sector: Option<String>,
    pub baseline: f64,
    /// The log change of trade costs' effect on trade the changes give (`θ`-scaled partial effect).
    pub partial_effect: f64,
    pub new: f64,
}

/// The measures `ge_gravity` summarises over Monte Carlo draws.
pub(crate) const GE_MC_MEASURES: [&str; 3] = [
    "welfare_change_pct",
    "real_wage_change_pct",
    "exports_change_pct",
];

/// The headline measures `ge_gravity` writes with `--format csv`.
const GE_CSV_MEASURES: [&str; 4] = [
    "welfare_change_pct",
    "welfare_change_pct_mult",
    "real_wage_change_pct",
    "exports_change_pct",
];

/// The percent change from `old` to `new` (0 when `old` is 0).
pub(crate) fn change_pct(new: f64, old: f64) -> f64 {
    if old == 0.0 {
        0.0
    } else {
        (new / old - 1.0) * 100.0
    }
}

/// A header and rows into `w`; `what` names the output in errors.
fn write_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    what: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<()> {
    let wrap = |source| SimError::Csv {
        what: what.to_string(),
        source,
    };
    w.write_record(header).map_err(wrap)?;
    for r in rows {
        w.write_record(r).map_err(wrap)?;
    }
    Ok(())
}

fn write_csv(path: &Path, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<()> {
    let what = path.display().to_string();
    let mut w = csv::Writer::from_path(path).map_err(|source| SimError::Csv {
        what: what.clone(),
        source,
    })?;
    write_rows(&mut w, &what, header, rows)?;
    w.flush().map_err(|e| SimError::io("writing", path, e))
}

fn csv_text(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<String> {
    const WHAT: &str = "the CSV answer";
    let mut w = csv::Writer::from_writer(Vec::new());
    write_rows(&mut w, WHAT, header, rows)?;
    let bytes = w.into_inner().map_err(|e| SimError::Csv {
        what: WHAT.into(),
        source: e.into_error().into(),
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

impl Simulation {
    /// The scenario's name.
    pub fn scenario(&self) -> &str {
        match self {
            Simulation::Structural(s) => &s.scenario,
            Simulation::GeGravity(g) => &g.scenario,
        }
    }

    /// The Monte Carlo intervals, when draws were made.
    pub fn monte_carlo(&self) -> Option<&MonteCarlo> {
        match self {
            Simulation::Structural(s) => s.monte_carlo.as_ref(),
            Simulation::GeGravity(g) => g.monte_carlo.as_ref(),
        }
    }

    /// The JSON contract of `detour simulate --format json` (keys sorted, pretty, a newline at the end).
    pub fn to_json(&self) -> Result<String> {
        let v = serde_json::to_value(self)?;
        Ok(format!("{}\n", serde_json::to_string_pretty(&v)?))
    }

    /// Every pair's results as a JSON array of records (the rows `write_pairs` writes, without the
    /// percent change).
    pub fn pairs_to_json(&self) -> Result<String> {
        Ok(match self {
            Simulation::Structural(s) => serde_json::to_string(&s.pairs)?,
            Simulation::GeGravity(g) => serde_json::to_string(&g.pairs)?,
        })
    }

    /// Render as a table, JSON or CSV.
    pub fn render(&self, format: Format) -> Result<String> {
        match (format, self) {
            (Format::Json, _) => self.to_json(),
            (Format::Csv, Simulation::Structural(s)) => csv_text(
                &std::iter::once("country")
                    .chain(STRUCTURAL_MEASURES)
                    .collect::<Vec<_>>(),
                s.countries.iter().map(|c| {
                    std::iter::once(c.country.clone())
                        .chain(c.measures().iter().map(f64::to_string))
                        .collect()
                }),
            ),
            (Format::Csv, Simulation::GeGravity(g)) => csv_text(
                &std::iter::once("country")
                    .chain(GE_CSV_MEASURES)
                    .collect::<Vec<_>>(),
                g.countries.iter().map(|c| {
                    std::iter::once(c.country.clone())
                        .chain(
                            [
                                c.welfare_change_pct,
                                c.welfare_change_pct_mult,
                                c.real_wage_change_pct,
                                c.exports_change_pct,
                            ]
                            .iter()
                            .map(f64::to_string),
                        )
                        .collect()
                }),
            ),
            (Format::Table, Simulation::Structural(s)) => Ok(s.table()),
            (Format::Table, Simulation::GeGravity(g)) => Ok(g.table()),
        }
    }

    /// Write every pair's results to a CSV file.
    pub fn write_pairs(&self, path: &Path) -> Result<()> {
        match self {
            Simulation::Structural(s) => write_csv(
                path,
                &[
                    "exporter",
                    "importer",
                    "baseline",
                    "conditional",
                    "full",
                    "change_pct_full",
                ],
                s.pairs.iter().map(|p| {
                    vec![
                        p.exporter.clone(),
                        p.importer.clone(),
                        p.baseline.to_string(),
                        p.conditional.to_string(),
                        p.full.to_string(),
                        ((p.full / p.baseline - 1.0) * 100.0).to_string(),
                    ]
                }),
            ),
            Simulation::GeGravity(g) => {
                let by_sector = g.pairs.first().is_some_and(|p| p.sector.is_some());
                let mut header = vec!["exporter", "importer"];
                if by_sector {
                    header.push("sector");
                }
                header.extend(["baseline", "partial_effect", "new", "change_pct"]);
                write_csv(
                    path,
                    &header,
                    g.pairs.iter().map(|p| {
                        let mut row = vec![p.exporter.clone(), p.importer.clone()];
                        row.extend(p.sector.clone());
                        row.extend([
                            p.baseline.to_string(),
                            p.partial_effect.to_string(),
                            p.new.to_string(),
                            change_pct(p.new, p.baseline).to_string(),
                        ]);
                        row
                    }),
                )
            }
        }
    }

    /// The two bar charts, `welfare.svg` and `exports.svg` (bars sorted, the economies the changes
    /// name highlighted): their SVG by file name.
    pub fn charts(&self) -> Vec<(&'static str, String)> {
        let (footer, named, welfare, exports) = match self {
            Simulation::Structural(s) => (
                format!(
                    "{}; data {}; σ = {}, reference {}; detour simulate",
                    s.scenario, s.data, s.sigma, s.reference
                ),
                &s.named,
                (
                    "Welfare (real GDP) change, full endowment, %",
                    s.countries
                        .iter()
                        .map(|c| (c.country.clone(), c.welfare_change_pct))
                        .collect::<Vec<_>>(),
                ),
                (
                    "Exports change, full endowment, % (red: countries named in the scenario)",
                    s.countries
                        .iter()
                        .map(|c| (c.country.clone(), c.exports_change_pct_full))
                        .collect::<Vec<_>>(),
                ),
            ),
            Simulation::GeGravity(g) => (
                format!(
                    "{}; data {}, {}; θ = {}, {} imbalances; detour simulate{}",
                    g.scenario,
                    g.data,
                    g.year,
                    g.theta,
                    g.imbalances,
                    g.note
                        .as_deref()
                        .map(|n| format!("; {n}"))
                        .unwrap_or_default()
                ),
                &g.named,
                (
                    "Welfare change (real expenditure), %",
                    g.countries
                        .iter()
                        .map(|c| (c.country.clone(), c.welfare_change_pct))
                        .collect(),
                ),
                (
                    "Exports change, % (red: economies named in the scenario)",
                    g.countries
                        .iter()
                        .map(|c| (c.country.clone(), c.exports_change_pct))
                        .collect(),
                ),
            ),
        };
        [("welfare.svg", welfare), ("exports.svg", exports)]
            .into_iter()
            .map(|(file_name, (title, mut bars))| {
                bars.sort_by(|a, b| b.1.total_cmp(&a.1));
                let svg = detour_charts::bar_svg(
                    title,
                    "percent change against the baseline",
                    &bars,
                    named,
                    &footer,
                );
                (file_name, svg)
            })
            .collect()
    }

    /// Write the charts to `dir` as SVG and PNG.
    pub fn write_charts(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| SimError::io("creating", dir, e))?;
        for (file_name, svg) in self.charts() {
            let path = dir.join(file_name);
            std::fs::write(&path, &svg).map_err(|e| SimError::io("writing", &path, e))?;
            let png = path.with_extension("png");
            detour_charts::png::write_chart(&png, &svg)
                .map_err(|e| SimError::io("writing", &png, e))?;
        }
        Ok(())
    }
}

impl Structural {
    fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{}", self.scenario);
        let coefs: Vec<String> = self
            .coefficients
            .iter()
            .map(|c| format!("{} {:.4}", c.name, c.estimate))
            .collect();
        let _ = writeln!(
            s,
            "Baseline PPML on {} ({} flows): {}; σ = {}, reference {}",
            self.data,
            self.flows,
            coefs.join(", "),
            self.sigma,
            self.reference
        );
        let conv = if self.stopping == "book" {
            format!(
                "book's stopping rule after {} price updates",
                self.iterations
            )
        } else {
            format!("converged in {} price iterations", self.iterations)
        };
        let _ = writeln!(s, "Full endowment: {conv}\n");
        let _ = writeln!(
            s,
            "{:<8} {:>12} {:>12} {:>10} {:>10} {:>10}",
            "country", "exports CGE%", "exports FE%", "price %", "IMR %", "real GDP %"
        );
        for (ci, r) in self.countries.iter().enumerate() {
            let band = self
                .monte_carlo
                .as_ref()
                .and_then(|m| m.interval(ci, "welfare_change_pct"))
                .map(|i| format!("  [{:.2}, {:.2}]", i.ci_low, i.ci_high))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "{:<8} {:>12.2} {:>12.2} {:>10.2} {:>10.2} {:>10.2}{band}",
                r.country,
                r.exports_change_pct_conditional,
                r.exports_change_pct_full,
                r.factory_gate_price_change_pct,
                r.imr_change_pct,
                r.real_gdp_change_pct
            );
        }
        if let Some(m) = &self.monte_carlo {
            let _ = writeln!(
                s,
                "\nBrackets: 95% interval of the welfare change over {} Monte Carlo draws of the coefficients ({} failed to solve).",
                m.draws, m.failed
            );
        }
        let _ = writeln!(
            s,
            "\nCGE: conditional general equilibrium (output and expenditure fixed); FE: full endowment (factory-gate prices adjust). Exports exclude domestic sales; welfare equals real GDP in this model."
        );
        s
    }
}

impl GeGravity {
    fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{}", self.scenario);
        if let Some(e) = &self.estimation {
            let coefs: Vec<String> = e
                .coefficients
                .iter()
                .map(|c| format!("{} {:.7} ({:.7})", c.name, c.estimate, c.std_error))
                .collect();
            let _ = writeln!(
                s,
                "Partial effects, PPML on {} ({} obs., {}): {}",
                e.data,
                e.nobs,
                e.vcov,
                coefs.join(", ")
            );
        }
        let _ = writeln!(
            s,
            "ge_gravity (Armington–CES, exact hat algebra) on the {} flows: θ = {}, {} pairs changed\n",
            self.year, self.theta, self.pairs_changed
        );
        let _ = writeln!(
            s,
            "{:<8} {:>11} {:>11} {:>11} {:>10} {:>10}",
            "economy", "welfare %", "welfare×%", "real wage%", "price %", "exports %"
        );
        for (c, r) in self.countries.iter().enumerate() {
            let band = self
                .monte_carlo
                .as_ref()
                .and_then(|m| m.interval(c, "welfare_change_pct"))
                .map(|i| format!("  [{:.3}, {:.3}]", i.ci_low, i.ci_high))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "{:<8} {:>11.4} {:>11.4} {:>11.4} {:>10.4} {:>10.3}{band}",
                r.country,
                r.welfare_change_pct_additive,
                r.welfare_change_pct_mult,
                r.real_wage_change_pct,
                r.price_index_change_pct,
                r.exports_change_pct
            );
        }
        let _ = writeln!(
            s,
            "\nwelfare %: additive trade imbalances; welfare×%: multiplicative (ge_gravity's mult). Real wage, prices and exports: {} imbalances.",
            self.imbalances
        );
        if let Some(m) = &self.monte_carlo {
            let _ = writeln!(
                s,
                "Brackets: 95% interval of the welfare change over {} Monte Carlo draws of the coefficients ({} failed).",
                m.draws, m.failed
            );
        }
        if let Some(n) = &self.note {
            let _ = writeln!(s, "Note: {n}");
        }
        s
    }
}
