//! Formulas evaluated on a [`Frame`]: the columns a model needs, the rows it keeps, its dummies,
//! interactions and transforms, then the fit — fixest's `fepois`/`feols` as library calls — and
//! what a fit is used for afterwards: the fixed effects by level, and predictions on new data.
//!
//! ```
//! use detour_hdfe::frame::{Column, Frame};
//! use detour_hdfe::model::{Spec, fepois};
//! let x: Vec<f64> = (0..40).map(|i| (i % 10) as f64 / 10.0).collect();
//! let g: Vec<Option<String>> = (0..40).map(|i| Some(format!("g{}", i / 10))).collect();
//! let y: Vec<Option<f64>> = x.iter().zip(0..).map(|(v, i)| Some((0.3 * v + (i / 10) as f64 * 0.1).exp())).collect();
//! let frame = Frame::new("example")
//!     .with_column("y", Column::Num(y)).unwrap()
//!     .with_column("x", Column::Num(x.into_iter().map(Some).collect())).unwrap()
//!     .with_column("g", Column::Text(g)).unwrap();
//! let est = fepois("y ~ x | g", &frame, &Spec::default()).unwrap();
//! assert!((est.fit.coefficients[0].estimate - 0.3).abs() < 1e-8);
//! let pred = est.predict(&frame).unwrap();
//! assert!((pred[3].unwrap() - frame.cell("y", 3).text().unwrap().parse::<f64>().unwrap()).abs() < 1e-6);
//! ```

use std::collections::HashMap;
use std::str::FromStr;

use crate::formula::{Filter, Formula, Func, Term};
use crate::frame::{Cell, Column, Frame};
use crate::{Design, Error, Family, Fit, Options, SeparationChecks, SmallSample, VcovType};

/// The variance of the coefficients, as users name it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Vcov {
    /// fixest's default: clustered by the first fixed effect, iid without fixed effects.
    #[default]
    Default,
    Iid,
    /// Heteroskedasticity-robust (HC1).
    Hetero,
    /// Clustered by these columns (or interactions `a^b`); two or more: multi-way.
    Cluster(Vec<String>),
}

impl FromStr for Vcov {
    type Err = String;
    /// `iid`, `hc1` (`hetero`, `robust`), `cluster:VAR[,VAR…]`.
    fn from_str(s: &str) -> Result<Vcov, String> {
        let s = s.trim();
        match s.to_ascii_lowercase().as_str() {
            "iid" => return Ok(Vcov::Iid),
            "hc1" | "hetero" | "robust" => return Ok(Vcov::Hetero),
            _ => {}
        }
        if let Some(list) = s.strip_prefix("cluster:") {
            let v: Vec<String> = list
                .split(',')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect();
            if v.is_empty() {
                return Err(format!(
                    "'{s}': name the cluster variables, e.g. cluster:pair_id"
                ));
            }
            return Ok(Vcov::Cluster(v));
        }
        Err(format!("'{s}': expected iid, hc1 or cluster:VAR[,VAR]"))
    }
}

impl FromStr for Family {
    type Err = String;
    fn from_str(s: &str) -> Result<Family, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "poisson" | "ppml" => Ok(Family::Poisson),
            "ols" | "gaussian" => Ok(Family::Ols),
            other => Err(format!("'{other}': expected poisson or ols")),
        }
    }
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Poisson => "poisson",
            Family::Ols => "ols",
        }
    }
}

impl FromStr for SmallSample {
    type Err = String;
    fn from_str(s: &str) -> Result<SmallSample, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fixest" => Ok(SmallSample::Fixest),
            "stata" => Ok(SmallSample::Stata),
            "none" => Ok(SmallSample::None),
            other => Err(format!("'{other}': expected fixest, stata or none")),
        }
    }
}

impl SmallSample {
    pub fn name(self) -> &'static str {
        match self {
            SmallSample::Fixest => "fixest",
            SmallSample::Stata => "stata",
            SmallSample::None => "none",
        }
    }
}

impl FromStr for SeparationChecks {
    type Err = String;
    /// Any of `fe,simplex,relu`, or `none`.
    fn from_str(s: &str) -> Result<SeparationChecks, String> {
        let mut c = SeparationChecks {
            fe: false,
            simplex: false,
            relu: false,
        };
        for m in s
            .split(',')
            .map(|m| m.trim().to_ascii_lowercase())
            .filter(|m| !m.is_empty())
        {
            match m.as_str() {
                "fe" => c.fe = true,
                "simplex" => c.simplex = true,
                "relu" => c.relu = true,
                "none" => {}
                other => {
                    return Err(format!("'{other}': expected fe, simplex, relu or none"));
                }
            }
        }
        Ok(c)
    }
}

/// Everything about a model but its formula and data.
#[derive(Debug, Clone)]
pub struct Spec {
    pub family: Family,
    pub vcov: Vcov,
    pub small_sample: SmallSample,
    pub separation: SeparationChecks,
    /// Keep only the rows the filter accepts.
    pub subset: Option<Filter>,
    pub weights: Option<String>,
    pub offset: Option<String>,
    pub tol: f64,
    pub level: f64,
    /// Stop with [`Error::Deadline`] once this has passed.
    pub deadline: Option<std::time::Instant>,
}

impl Default for Spec {
    fn default() -> Spec {
        let o = Options::default();
        Spec {
            family: Family::Poisson,
            vcov: Vcov::Default,
            small_sample: SmallSample::Fixest,
            separation: SeparationChecks::default(),
            subset: None,
            weights: None,
            offset: None,
            tol: o.tol,
            level: o.level,
            deadline: None,
        }
    }
}

/// A model's options as users write them (CLI flags, query parameters, Python keywords), parsed
/// here once. An option left `None` takes [`Spec::default`]'s value.
#[derive(Debug, Clone)]
pub struct SpecText<'a> {
    pub family: Option<&'a str>,
    pub vcov: Option<&'a str>,
    pub ssc: Option<&'a str>,
    pub separation: Option<&'a str>,
    pub subset: Option<&'a str>,
    pub weights: Option<&'a str>,
    pub offset: Option<&'a str>,
    pub tol: f64,
    pub level: f64,
}

impl Default for SpecText<'_> {
    fn default() -> Self {
        let o = Options::default();
        SpecText {
            family: None,
            vcov: None,
            ssc: None,
            separation: None,
            subset: None,
            weights: None,
            offset: None,
            tol: o.tol,
            level: o.level,
        }
    }
}

impl SpecText<'_> {
    /// The spec; an error names the option (`family 'probit': expected poisson or ols`).
    pub fn parse(&self) -> Result<Spec, Error> {
        let bad = |option: &'static str| {
            move |m: String| Error::BadOption {
                option,
                message: format!(" {m}"),
            }
        };
        let d = Spec::default();
        Ok(Spec {
            family: match self.family {
                Some(f) => f.parse().map_err(bad("family"))?,
                None => d.family,
            },
            vcov: match self.vcov {
                Some(v) => v.parse().map_err(bad("vcov"))?,
                None => Vcov::Default,
            },
            small_sample: match self.ssc {
                Some(s) => s.parse().map_err(bad("ssc"))?,
                None => d.small_sample,
            },
            separation: match self.separation {
                Some(s) => s.parse().map_err(bad("separation"))?,
                None => d.separation,
            },
            subset: self
                .subset
                .map(Filter::parse)
                .transpose()
                .map_err(|e| Error::BadOption {
                    option: "subset",
                    message: format!(": {e}"),
                })?,
            weights: self.weights.map(str::to_string),
            offset: self.offset.map(str::to_string),
            tol: self.tol,
            level: self.level,
            deadline: None,
        })
    }
}

impl Spec {
    /// The cluster variables (empty unless clustered).
    pub fn clusters(&self) -> &[String] {
        match &self.vcov {
            Vcov::Cluster(c) => c,
            _ => &[],
        }
    }

    /// The weights and offset columns.
    pub fn extra_columns(&self) -> Vec<String> {
        self.weights
            .iter()
            .chain(self.offset.iter())
            .cloned()
            .collect()
    }

    /// The numeric and identifier columns a model of `formula` with this spec reads (for readers
    /// that load only what is needed).
    pub fn needed(&self, formula: &Formula) -> (Vec<String>, Vec<String>) {
        needed(
            formula,
            &self.extra_columns(),
            self.subset.as_ref(),
            self.clusters(),
        )
    }
}

/// The columns one model reads, over the rows it keeps.
#[derive(Debug, Clone, Default)]
pub struct ModelData {
    /// 1-based row number (in the frame) of each kept row.
    pub rows: Vec<usize>,
    /// Raw values of the numeric columns (before transforms).
    pub numeric: HashMap<String, Vec<f64>>,
    /// Integer ids of the identifier columns (fixed effects, factors, clusters).
    pub ids: HashMap<String, Vec<u64>>,
    /// The text of each id, per identifier column.
    pub labels: HashMap<String, Vec<String>>,
    pub read: usize,
    pub subset_out: usize,
    pub missing: usize,
    pub non_finite: usize,
}

/// The numeric and identifier columns a formula needs, with `extra_num` besides (weights, offset).
pub fn needed(
    f: &Formula,
    extra_num: &[String],
    filter: Option<&Filter>,
    clusters: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut num: Vec<String> = vec![f.outcome.column.clone()];
    num.extend(
        f.regressors
            .iter()
            .filter(|t| t.func != Some(Func::Factor))
            .map(|t| t.column.clone()),
    );
    num.extend(extra_num.iter().cloned());
    let mut text: Vec<String> = f.fixed_effects.iter().flatten().cloned().collect();
    text.extend(
        f.regressors
            .iter()
            .filter(|t| t.func == Some(Func::Factor))
            .map(|t| t.column.clone()),
    );
    text.extend(
        clusters
            .iter()
            .flat_map(|c| c.split('^').map(str::to_string)),
    );
    if let Some(flt) = filter {
        text.extend(flt.columns());
    }
    let mut seen = std::collections::HashSet::new();
    num.retain(|c| seen.insert(c.clone()));
    let mut seen = std::collections::HashSet::new();
    text.retain(|c| seen.insert(c.clone()));
    (num, text)
}

/// Identifier columns are interned by their text; numbers by their value.
#[derive(Clone, Hash, PartialEq, Eq)]
enum Key {
    Num(u64),
    Text(String),
}

impl ModelData {
    /// Read the formula's columns (and `extra_num`, and the cluster columns) from the frame: rows
    /// outside the filter, with a missing cell, or with a transformed value that is not finite (log
    /// of zero, as fixest) are left out and counted. A text cell in a numeric column that does not
    /// parse is an error naming the frame, line and column.
    pub fn collect(
        frame: &Frame,
        f: &Formula,
        extra_num: &[String],
        filter: Option<&Filter>,
        clusters: &[String],
    ) -> Result<ModelData, Error> {
        let (num_cols, text_cols) = needed(f, extra_num, filter, clusters);
        for c in num_cols.iter().chain(&text_cols) {
            if frame.column(c).is_none() {
                return Err(Error::NoColumn {
                    label: frame.label.clone(),
                    name: c.clone(),
                    available: frame.names().join(", "),
                });
            }
        }
        let terms: Vec<(usize, Option<Func>)> = std::iter::once(&f.outcome)
            .chain(f.regressors.iter())
            .filter(|t| t.func != Some(Func::Factor))
            .map(|t| {
                (
                    num_cols
                        .iter()
                        .position(|c| *c == t.column)
                        .expect("term column needed"),
                    t.func,
                )
            })
            .collect();
        let mut numeric: Vec<Vec<f64>> = vec![Vec::new(); num_cols.len()];
        let mut interned: Vec<HashMap<Key, u64>> = vec![HashMap::new(); text_cols.len()];
        let mut labels: Vec<Vec<String>> = vec![Vec::new(); text_cols.len()];
        let mut ids: Vec<Vec<u64>> = vec![Vec::new(); text_cols.len()];
        let mut by_code: Vec<Vec<u64>> = vec![Vec::new(); text_cols.len()];
        let mut vals = vec![0.0; num_cols.len()];
        let mut out = ModelData::default();
        'rows: for i in 0..frame.nrows() {
            out.read += 1;
            if let Some(flt) = filter {
                // The filter's columns were checked to exist above.
                let lookup = |c: &str| frame.cell(c, i).text();
                if !flt.eval(&lookup) {
                    out.subset_out += 1;
                    continue;
                }
            }
            for (k, c) in num_cols.iter().enumerate() {
                vals[k] = match frame.cell(c, i) {
                    Cell::Missing => {
                        out.missing += 1;
                        continue 'rows;
                    }
                    Cell::Num(v) => v,
                    Cell::Text(raw) => {
                        let raw = raw.trim();
                        raw.parse().map_err(|_| Error::NotNumber {
                            label: frame.label.clone(),
                            line: frame.line(i),
                            column: c.clone(),
                            value: raw.chars().take(60).collect(),
                        })?
                    }
                };
                if !vals[k].is_finite() {
                    return Err(Error::NotFiniteCell {
                        label: frame.label.clone(),
                        line: frame.line(i),
                        column: c.clone(),
                        value: vals[k],
                    });
                }
            }
            if text_cols.iter().any(|c| frame.cell(c, i) == Cell::Missing) {
                out.missing += 1;
                continue;
            }
            let finite = terms
                .iter()
                .all(|&(k, func)| func.map_or(vals[k], |f| f.apply(vals[k])).is_finite());
            if !finite {
                out.non_finite += 1;
                continue;
            }
            for (col, v) in numeric.iter_mut().zip(&vals) {
                col.push(*v);
            }
            for (k, c) in text_cols.iter().enumerate() {
                if let Some(Column::Dict { codes, levels }) = frame.column(c) {
                    // Dictionary columns: ids by code, no text hashed per row.
                    let code = codes[i] as usize;
                    let slot = &mut by_code[k];
                    if slot.len() < levels.len() {
                        slot.resize(levels.len(), u64::MAX);
                    }
                    if slot[code] == u64::MAX {
                        slot[code] = labels[k].len() as u64;
                        labels[k].push(levels[code].clone());
                    }
                    ids[k].push(slot[code]);
                    continue;
                }
                let cell = frame.cell(c, i);
                let key = match cell {
                    Cell::Num(v) => Key::Num(v.to_bits()),
                    Cell::Text(s) => Key::Text(s.trim().to_string()),
                    Cell::Missing => unreachable!("missing rows left out above"),
                };
                let next = labels[k].len() as u64;
                let id = *interned[k].entry(key).or_insert_with(|| {
                    labels[k].push(cell.text().unwrap_or_default().trim().to_string());
                    next
                });
                ids[k].push(id);
            }
            out.rows.push(i + 1);
        }
        out.numeric = num_cols.iter().cloned().zip(numeric).collect();
        out.ids = text_cols.iter().cloned().zip(ids).collect();
        out.labels = text_cols.into_iter().zip(labels).collect();
        Ok(out)
    }

    /// A term's values: the column with its transform applied.
    pub fn term(&self, t: &Term) -> Vec<f64> {
        let v = &self.numeric[&t.column];
        match t.func {
            Some(f) => v.iter().map(|&x| f.apply(x)).collect(),
            None => v.clone(),
        }
    }

    /// Combined ids of an interaction `a^b^…` (a plain column when one part).
    pub fn interact(&self, parts: &[String]) -> Vec<u64> {
        let mut acc: Vec<u64> = self.ids[&parts[0]].clone();
        for p in &parts[1..] {
            let other = &self.ids[p];
            let mut map: HashMap<(u64, u64), u64> = HashMap::new();
            acc = acc
                .iter()
                .zip(other)
                .map(|(&a, &b)| {
                    let next = map.len() as u64;
                    *map.entry((a, b)).or_insert(next)
                })
                .collect();
        }
        acc
    }

    /// The levels of a factor column in sorted order (numeric order when every level is a number);
    /// the first is the reference level.
    fn factor_levels(&self, col: &str) -> Vec<usize> {
        let labels = &self.labels[col];
        let mut order: Vec<usize> = (0..labels.len()).collect();
        let numbers: Option<Vec<f64>> = labels.iter().map(|l| l.parse().ok()).collect();
        match numbers {
            Some(n) => order.sort_by(|&a, &b| n[a].total_cmp(&n[b])),
            None => order.sort_by(|&a, &b| labels[a].cmp(&labels[b])),
        }
        order
    }

    /// Dummies `factor(col)::level` for every level of a column but the reference level.
    pub fn dummies(&self, col: &str) -> Vec<(String, Vec<f64>)> {
        let ids = &self.ids[col];
        let labels = &self.labels[col];
        self.factor_levels(col)
            .into_iter()
            .skip(1)
            .map(|lvl| {
                let v = ids
                    .iter()
                    .map(|&g| if g as usize == lvl { 1.0 } else { 0.0 })
                    .collect();
                (factor_name(col, &labels[lvl]), v)
            })
            .collect()
    }
}

fn factor_name(col: &str, level: &str) -> String {
    format!("factor({col})::{level}")
}

/// A fitted model with what it was fitted on.
#[derive(Debug, Clone)]
pub struct Estimate {
    pub formula: Formula,
    pub spec: Spec,
    pub fit: Fit,
    pub data: ModelData,
    /// Each fixed-effect dimension's name and combined ids over the kept rows.
    pub fes: Vec<(String, Vec<u64>)>,
}

/// One fixed-effect level's estimated value.
#[derive(Debug, Clone, PartialEq)]
pub struct FixefLevel {
    /// The dimension (`exporter^year`).
    pub dimension: String,
    /// The level: the text of each interacted column, joined by `^`.
    pub level: String,
    pub value: f64,
}

/// Estimate a formula on a frame.
pub fn estimate(formula: &Formula, frame: &Frame, spec: &Spec) -> Result<Estimate, Error> {
    let clusters = spec.clusters().to_vec();
    let data = ModelData::collect(
        frame,
        formula,
        &spec.extra_columns(),
        spec.subset.as_ref(),
        &clusters,
    )?;
    if data.rows.is_empty() {
        return Err(Error::NoObservations {
            reason: format!(
                "{} rows read, {} outside the subset, {} with missing values, {} with non-finite transformed values",
                data.read, data.subset_out, data.missing, data.non_finite
            ),
        });
    }
    let y = data.term(&formula.outcome);
    let mut xs: Vec<(String, Vec<f64>)> = Vec::new();
    for t in &formula.regressors {
        if t.func == Some(Func::Factor) {
            xs.extend(data.dummies(&t.column));
        } else {
            xs.push((t.to_string(), data.term(t)));
        }
    }
    let fes: Vec<(String, Vec<u64>)> = formula
        .fixed_effects
        .iter()
        .map(|parts| (parts.join("^"), data.interact(parts)))
        .collect();
    let cl: Vec<(String, Vec<u64>)> = clusters
        .iter()
        .map(|c| {
            let parts: Vec<String> = c.split('^').map(str::to_string).collect();
            (c.clone(), data.interact(&parts))
        })
        .collect();
    let weights = spec.weights.as_ref().map(|w| &data.numeric[w]);
    let offset = spec.offset.as_ref().map(|o| &data.numeric[o]);
    let design = Design {
        y: &y,
        x: xs.iter().map(|(n, v)| (n.clone(), v.as_slice())).collect(),
        fe: fes.iter().map(|(n, v)| (n.clone(), v.as_slice())).collect(),
        weights: weights.map(Vec::as_slice),
        offset: offset.map(Vec::as_slice),
        cluster: cl.iter().map(|(n, v)| (n.clone(), v.as_slice())).collect(),
    };
    let opt = Options {
        family: spec.family,
        vcov: match spec.vcov {
            Vcov::Default => VcovType::FixestDefault,
            Vcov::Iid => VcovType::Iid,
            Vcov::Hetero => VcovType::Hetero,
            Vcov::Cluster(_) => VcovType::Cluster,
        },
        small_sample: spec.small_sample,
        separation: spec.separation,
        tol: spec.tol,
        level: spec.level,
        deadline: spec.deadline,
        intercept: formula.intercept,
        ..Options::default()
    };
    let fit = crate::fit(&design, &opt)?;
    Ok(Estimate {
        formula: formula.clone(),
        spec: spec.clone(),
        fit,
        data,
        fes,
    })
}

/// fixest's `fepois`: Poisson PML of a formula on a frame.
pub fn fepois(formula: &str, frame: &Frame, spec: &Spec) -> Result<Estimate, Error> {
    let f = Formula::parse(formula)?;
    let spec = Spec {
        family: Family::Poisson,
        ..spec.clone()
    };
    estimate(&f, frame, &spec)
}

/// fixest's `feols`: least squares of a formula on a frame.
pub fn feols(formula: &str, frame: &Frame, spec: &Spec) -> Result<Estimate, Error> {
    let f = Formula::parse(formula)?;
    let spec = Spec {
        family: Family::Ols,
        ..spec.clone()
    };
    estimate(&f, frame, &spec)
}

impl Estimate {
    /// The estimated fixed effects by level, dimension by dimension, in order of first appearance.
    pub fn fixef(&self) -> Vec<FixefLevel> {
        let mut out = Vec::new();
        for (fe, parts) in self
            .fit
            .fixed_effects
            .iter()
            .zip(&self.formula.fixed_effects)
        {
            let Some((_, combined)) = self.fes.iter().find(|(n, _)| *n == fe.name) else {
                continue;
            };
            let mut first_row: HashMap<u64, usize> = HashMap::new();
            for (row, &id) in combined.iter().enumerate() {
                first_row.entry(id).or_insert(row);
            }
            for (id, v) in fe.ids.iter().zip(&fe.values) {
                let row = first_row[id];
                out.push(FixefLevel {
                    dimension: fe.name.clone(),
                    level: self.level_of(parts, row),
                    value: *v,
                });
            }
        }
        out
    }

    fn level_of(&self, parts: &[String], row: usize) -> String {
        parts
            .iter()
            .map(|p| self.data.labels[p][self.data.ids[p][row] as usize].as_str())
            .collect::<Vec<_>>()
            .join("^")
    }

    /// The columns [`Estimate::predict`] reads from new data, as (numeric, identifier) for readers
    /// that load only what is needed: the regressors, the fixed effects and the offset; not the
    /// outcome, the weights, the subset's or the clusters' columns.
    pub fn predict_columns(&self) -> (Vec<String>, Vec<String>) {
        let (mut num, mut text) = Spec {
            subset: None,
            weights: None,
            vcov: Vcov::Default,
            ..self.spec.clone()
        }
        .needed(&self.formula);
        let y = &self.formula.outcome.column;
        num.retain(|c| c != y);
        text.retain(|c| c != y);
        (num, text)
    }

    /// Predictions (the mean: `exp(η)` for Poisson, `η` for least squares) for every row of
    /// `newdata`, with the estimated fixed effects carried over by level. As fixest: a row whose
    /// fixed-effect level or factor level was not in the estimation sample, or with a missing
    /// cell, is `None`; coefficients dropped as collinear count as zero.
    pub fn predict(&self, newdata: &Frame) -> Result<Vec<Option<f64>>, Error> {
        let coef: HashMap<&str, f64> = self
            .fit
            .coefficients
            .iter()
            .map(|c| (c.name.as_str(), c.estimate))
            .collect();
        let mut fe_maps: Vec<(&Vec<String>, HashMap<String, f64>)> = Vec::new();
        let levels = self.fixef();
        for parts in &self.formula.fixed_effects {
            let dim = parts.join("^");
            let m = levels
                .iter()
                .filter(|l| l.dimension == dim)
                .map(|l| (l.level.clone(), l.value))
                .collect();
            fe_maps.push((parts, m));
        }
        // The factor levels seen, and the reference level of each factor column.
        let mut factors: HashMap<&str, (String, Vec<&String>)> = HashMap::new();
        for t in &self.formula.regressors {
            if t.func == Some(Func::Factor) {
                let order = self.data.factor_levels(&t.column);
                let labels = &self.data.labels[&t.column];
                factors.insert(
                    t.column.as_str(),
                    (
                        labels[order[0]].clone(),
                        order.iter().map(|&k| &labels[k]).collect(),
                    ),
                );
            }
        }
        let (num, text) = self.predict_columns();
        for c in num.iter().chain(&text) {
            if newdata.column(c).is_none() {
                return Err(Error::NoColumn {
                    label: newdata.label.clone(),
                    name: c.to_string(),
                    available: newdata.names().join(", "),
                });
            }
        }
        let number = |c: &str, i: usize| -> Result<Option<f64>, Error> {
            match newdata.cell(c, i) {
                Cell::Missing => Ok(None),
                Cell::Num(v) => Ok(Some(v)),
                Cell::Text(s) => s.trim().parse().map(Some).map_err(|_| Error::NotNumber {
                    label: newdata.label.clone(),
                    line: newdata.line(i),
                    column: c.to_string(),
                    value: s.chars().take(60).collect(),
                }),
            }
        };
        let mut out = Vec::with_capacity(newdata.nrows());
        'rows: for i in 0..newdata.nrows() {
            let mut eta = coef.get("(Intercept)").copied().unwrap_or(0.0);
            for t in &self.formula.regressors {
                if t.func == Some(Func::Factor) {
                    let Some(level) = newdata.cell(&t.column, i).text() else {
                        out.push(None);
                        continue 'rows;
                    };
                    let level = level.trim().to_string();
                    let (reference, seen) = &factors[t.column.as_str()];
                    if !seen.iter().any(|s| **s == level) {
                        out.push(None);
                        continue 'rows;
                    }
                    if level != *reference {
                        eta += coef
                            .get(factor_name(&t.column, &level).as_str())
                            .copied()
                            .unwrap_or(0.0);
                    }
                    continue;
                }
                let Some(v) = number(&t.column, i)? else {
                    out.push(None);
                    continue 'rows;
                };
                let v = t.func.map_or(v, |f| f.apply(v));
                eta += coef.get(t.to_string().as_str()).copied().unwrap_or(0.0) * v;
            }
            for (parts, m) in &fe_maps {
                let mut label = Vec::with_capacity(parts.len());
                for p in parts.iter() {
                    match newdata.cell(p, i).text() {
                        Some(t) => label.push(t.trim().to_string()),
                        None => {
                            out.push(None);
                            continue 'rows;
                        }
                    }
                }
                match m.get(&label.join("^")) {
                    Some(a) => eta += a,
                    None => {
                        out.push(None);
                        continue 'rows;
                    }
                }
            }
            if let Some(o) = &self.spec.offset {
                match number(o, i)? {
                    Some(v) => eta += v,
                    None => {
                        out.push(None);
                        continue 'rows;
                    }
                }
            }
            out.push(Some(match self.fit.family {
                Family::Poisson => eta.exp(),
                Family::Ols => eta,
            }));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel() -> Frame {
        // y = exp(0.4 x + a_g) with three groups; one row has a missing x, one a log of zero.
        let g = ["a", "a", "a", "b", "b", "b", "c", "c", "c", "c"];
        let a: [f64; 3] = [0.0, 0.5, -0.3];
        let x: [f64; 10] = [0.1, 0.7, 1.3, 0.2, 0.9, 1.5, 0.4, 1.1, 0.0, 0.8];
        let y: Vec<Option<f64>> = g
            .iter()
            .zip(&x)
            .map(|(g, x)| {
                let k = (g.as_bytes()[0] - b'a') as usize;
                Some((0.4 * x + a[k]).exp())
            })
            .collect();
        let mut xs: Vec<Option<f64>> = x.iter().copied().map(Some).collect();
        xs[9] = None;
        Frame::new("panel")
            .with_column("y", Column::Num(y))
            .unwrap()
            .with_column("x", Column::Num(xs))
            .unwrap()
            .with_column(
                "g",
                Column::Text(g.iter().map(|s| Some(s.to_string())).collect()),
            )
            .unwrap()
    }

    #[test]
    fn fepois_recovers_and_predicts_with_fixed_effects() {
        let f = panel();
        let e = fepois("y ~ x | g", &f, &Spec::default()).unwrap();
        assert_eq!(e.data.missing, 1);
        assert!((e.fit.coefficients[0].estimate - 0.4).abs() < 1e-8);
        let p = e.predict(&f).unwrap();
        assert_eq!(p[9], None, "missing x");
        for (i, pi) in p.iter().enumerate().take(9) {
            let Cell::Num(y) = f.cell("y", i) else {
                panic!("y is a number")
            };
            assert!((pi.unwrap() - y).abs() < 1e-7 * y, "row {i}");
        }
        // A level not in the sample: no prediction, as fixest.
        let new = Frame::new("new")
            .with_column("x", Column::Num(vec![Some(1.0), Some(1.0)]))
            .unwrap()
            .with_column("g", Column::Text(vec![Some("b".into()), Some("z".into())]))
            .unwrap();
        let p = e.predict(&new).unwrap();
        assert!(p[0].is_some() && p[1].is_none());
        let fx = e.fixef();
        assert_eq!(fx.len(), 3);
        assert_eq!(fx[0].dimension, "g");
    }

    #[test]
    fn bad_input_names_the_frame_line_and_column() {
        let f = panel()
            .with_column(
                "s",
                Column::Text(
                    (0..10)
                        .map(|i| Some(if i == 4 { "abc" } else { "1" }.into()))
                        .collect(),
                ),
            )
            .unwrap();
        let e = fepois("y ~ s", &f, &Spec::default()).unwrap_err();
        assert_eq!(e.to_string(), "panel:5: field 's': 'abc' is not a number");
        let e = fepois("y ~ nope | g", &f, &Spec::default()).unwrap_err();
        assert!(e.to_string().starts_with("panel: no column 'nope'"), "{e}");
        let e = fepois("y ~ x +", &f, &Spec::default()).unwrap_err();
        assert!(e.to_string().contains("at character"), "{e}");
    }

    #[test]
    fn minus_one_drops_the_intercept() {
        let f = panel();
        let with = feols("y ~ x", &f, &Spec::default()).unwrap();
        let without = feols("y ~ x - 1", &f, &Spec::default()).unwrap();
        assert_eq!(with.fit.coefficients[0].name, "(Intercept)");
        assert_eq!(without.fit.coefficients.len(), 1);
        assert_eq!(without.fit.coefficients[0].name, "x");
        // Through the origin: b = Σxy / Σx².
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for i in 0..9 {
            if let (Cell::Num(x), Cell::Num(y)) = (f.cell("x", i), f.cell("y", i)) {
                sxy += x * y;
                sxx += x * x;
            }
        }
        assert!((without.fit.coefficients[0].estimate - sxy / sxx).abs() < 1e-10);
    }

    #[test]
    fn options_parse_once() {
        assert_eq!(
            "cluster:a, b".parse::<Vcov>().unwrap(),
            Vcov::Cluster(vec!["a".into(), "b".into()])
        );
        assert!("cluster:".parse::<Vcov>().is_err());
        assert_eq!("PPML".parse::<Family>().unwrap(), Family::Poisson);
        assert!("probit".parse::<Family>().is_err());
        let s: SeparationChecks = "fe,relu".parse().unwrap();
        assert!(s.fe && s.relu && !s.simplex);
        assert!("x".parse::<SmallSample>().is_err());
    }
}
