//! A scenario file solved: what is shared by the two methods (the options, the `[[change]]` tables,
//! Monte Carlo draws of the estimated coefficients), the embedded scenarios, and the entry points
//! [`simulate`], [`simulate_embedded`] and [`run`].

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use detour_core::group::Groups;

use crate::error::{Result, SimError, err, fail};
use crate::scenario::{self, Table, Value};
use crate::simulation::{Format, Interval, MonteCarlo, MonteCarloCountry, Simulation};

/// A spinner on stderr for long steps (hidden when stderr is not a terminal).
pub(crate) fn spinner(msg: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg}").expect("valid template"),
    );
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// What to simulate and how to answer (the CLI's `detour simulate` options).
#[derive(Debug, Clone, Default)]
pub struct SimulateOptions {
    /// The scenario file (see examples/scenarios).
    pub scenario: PathBuf,
    /// Data file, overriding the scenario's `[data] file`.
    pub data: Option<PathBuf>,
    /// The full-endowment stopping rule of the structural method, overriding the scenario's
    /// `stopping` (default: converged; `book` is the do-file's early stop).
    pub stopping: Option<detour_ge::Stopping>,
    /// How [`run`] renders the answer.
    pub format: Format,
    /// Write the pair results (baseline, conditional and full-endowment flows) to this CSV file.
    pub pairs_out: Option<PathBuf>,
    /// Monte Carlo draws of the coefficients from their estimated (robust) covariance, each solved anew;
    /// gives standard errors and 95% intervals (default: the scenario's `draws`, else none).
    pub draws: Option<usize>,
    /// Write charts here: welfare.svg/.png (welfare change by country) and exports.svg/.png (full-endowment change of
    /// exports, the countries named in the scenario's changes highlighted against third countries).
    pub chart_dir: Option<PathBuf>,
    /// Seed of the Monte Carlo draws.
    pub seed: u64,
    /// Stop with [`Expired`](detour_core::Expired) once this has passed.
    pub deadline: detour_core::Deadline,
    /// The store a scenario's `[estimate] sql` runs on (default: the embedded default store).
    pub store: Option<PathBuf>,
}

/// Where a scenario's data comes from: a file, or shipped in the binary (its path in the
/// repository, which names it in output, and its gzip bytes).
pub(crate) enum Source<'a> {
    File(PathBuf),
    Embedded(&'a str, &'a [u8]),
}

impl Source<'_> {
    /// The data's name in output.
    pub(crate) fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Embedded(n, _) => n.to_string(),
        }
    }

    /// The named numeric and text columns, typed.
    pub(crate) fn read(
        &self,
        numeric: &[String],
        text: &[String],
    ) -> std::result::Result<detour_hdfe::Frame, detour_store::StoreError> {
        match self {
            Source::File(p) => detour_store::frame::read_csv(p, numeric, text),
            Source::Embedded(name, bytes) => detour_store::frame::read_csv_from(
                name,
                flate2::read::GzDecoder::new(*bytes),
                numeric,
                text,
            ),
        }
    }
}

/// A scenario shipped in the binary, run in memory (no file is written).
struct Embedded<'a> {
    name: &'a str,
    text: &'a str,
}

/// The embedded scenarios' data file, by its path in the repository (written once: it names the
/// data in output and is what the binary embeds).
macro_rules! embedded_data_path {
    () => {
        "data/gravity/yotov2016_ch2_trade_without_border_2006.csv.gz"
    };
}
const EMBEDDED_DATA_NAME: &str = embedded_data_path!();

/// SplitMix64 and Box–Muller: standard normal draws, reproducible from a seed.
pub(crate) struct Normal(pub(crate) u64);

impl Normal {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub(crate) fn sample(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// (standard deviation, 2.5th and 97.5th percentiles) of a sample.
pub(crate) fn summarise(v: &mut [f64]) -> (f64, f64, f64) {
    let m = v.len() as f64;
    let mean = v.iter().sum::<f64>() / m;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1.0).max(1.0)).sqrt();
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let pos = p * (v.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
    };
    (sd, q(0.025), q(0.975))
}

/// One trade-cost change of the scenario.
pub(crate) struct Change {
    pub(crate) line: usize,
    /// A regressor set to a value.
    pub(crate) variable: Option<(String, f64)>,
    /// A regressor set to its own value in another year of a panel (`as_of = 2014`).
    pub(crate) as_of: Option<(String, i64)>,
    /// Added to the log cost term (the log change of trade it implies).
    pub(crate) add: f64,
    /// A tariff equivalent `t`: `−elasticity · ln(1 + t)` added to the log cost term.
    pub(crate) tariff: Option<f64>,
    /// An estimated coefficient (times a factor) added to the log cost term.
    pub(crate) coefficient: Option<(String, f64)>,
    /// The sectors the change applies to (multi-sector data; all when absent).
    pub(crate) sectors: Option<Vec<String>>,
    pub(crate) exporters: Option<Vec<String>>,
    pub(crate) importers: Option<Vec<String>>,
    pub(crate) both: bool,
    pub(crate) domestic: bool,
    /// Countries named directly (not through a group), with their lines.
    pub(crate) named: Vec<(String, usize)>,
}

impl Change {
    /// The change of the log cost term from `add` and `tariff`, for a trade elasticity (`σ − 1` in
    /// the book's model, θ in `ge_gravity`).
    pub(crate) fn cost_change(&self, elasticity: f64) -> f64 {
        self.add - self.tariff.map_or(0.0, |t| elasticity * (1.0 + t).ln())
    }

    /// Whether the change applies to sector `code`.
    pub(crate) fn selects_sector(&self, code: &str) -> bool {
        self.sectors
            .as_ref()
            .is_none_or(|l| l.iter().any(|c| c == code))
    }

    /// Whether the change applies to the flow `ex → im`.
    pub(crate) fn selects(&self, ex: &str, im: &str) -> bool {
        if ex == im && !self.domestic {
            return false;
        }
        let inl = |l: &Option<Vec<String>>, code: &str| {
            l.as_ref().is_none_or(|v| v.iter().any(|x| x == code))
        };
        let fwd = inl(&self.exporters, ex) && inl(&self.importers, im);
        let back = self.both && inl(&self.exporters, im) && inl(&self.importers, ex);
        fwd || back
    }
}

pub(crate) fn get_str(t: &Table, key: &str, file: &str) -> Result<Option<String>> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        Some(_) => fail!(file, t.line_of(key); "'{key}' must be a string"),
    }
}

pub(crate) fn get_num(t: &Table, key: &str, file: &str) -> Result<Option<f64>> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::Num(v)) => Ok(Some(*v)),
        Some(_) => fail!(file, t.line_of(key); "'{key}' must be a number"),
    }
}

/// Expand a list of countries and groups (valid on `date`) into codes.
pub(crate) fn expand(
    list: &[String],
    date: Option<NaiveDate>,
    file: &str,
    line: usize,
) -> Result<Vec<String>> {
    let groups = Groups::global();
    let mut out = Vec::new();
    for item in list {
        if groups.is_group(item) {
            let Some(d) = date else {
                fail!(file, line; "group '{item}' needs a date (date = \"YYYY-MM-DD\") to know its members");
            };
            out.extend(groups.members_on(item, d)?);
        } else {
            out.push(item.clone());
        }
    }
    Ok(out)
}

/// The scenario's `[[change]]` tables (groups expanded as of the scenario's `date`).
pub(crate) fn parse_changes(doc: &scenario::Doc, file: &str) -> Result<Vec<Change>> {
    let date =
        match get_str(&doc.root, "date", file)? {
            Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(
                |_| err!(file, doc.root.line_of("date"); "date '{d}' is not YYYY-MM-DD"),
            )?),
            None => None,
        };
    let mut changes = Vec::new();
    for t in doc.arrays.get("change").map(Vec::as_slice).unwrap_or(&[]) {
        let as_of = match get_num(t, "as_of", file)? {
            Some(y) if y.fract() == 0.0 => Some(y as i64),
            Some(y) => fail!(file, t.line_of("as_of"); "as_of {y} is not a year"),
            None => None,
        };
        let variable = match (
            get_str(t, "variable", file)?,
            get_num(t, "value", file)?,
            as_of,
        ) {
            (Some(v), Some(x), None) => Some((v, x)),
            (Some(_), None, Some(_)) | (None, None, None) => None,
            (Some(_), Some(_), Some(_)) => {
                fail!(file, t.line; "give 'value' or 'as_of', not both")
            }
            _ => fail!(file, t.line; "'variable' goes with 'value' or 'as_of'"),
        };
        let as_of_variable = match as_of {
            Some(y) => Some((get_str(t, "variable", file)?.unwrap_or_default(), y)),
            None => None,
        };
        let coefficient = match get_str(t, "coefficient", file)? {
            Some(c) => Some((c, get_num(t, "times", file)?.unwrap_or(1.0))),
            None => None,
        };
        let tariff = get_num(t, "tariff", file)?;
        if let Some(x) = tariff
            && !(x > -1.0 && x.is_finite())
        {
            fail!(file, t.line_of("tariff"); "tariff {x}: a tariff equivalent must be above -1 (-100%)");
        }
        let add = get_num(t, "add", file)?.unwrap_or(0.0);
        let sectors = match t.get("sectors") {
            None => None,
            Some(v) => Some(v.as_strings().ok_or_else(
                || err!(file, t.line_of("sectors"); "'sectors' must be a list of sector codes"),
            )?),
        };
        if variable.is_none()
            && as_of.is_none()
            && coefficient.is_none()
            && add == 0.0
            && tariff.is_none()
        {
            fail!(file, t.line; "a [[change]] needs 'variable' + 'value' (or 'as_of'), 'coefficient', 'add' or 'tariff'");
        }
        let list = |key: &str| -> Result<Option<Vec<String>>> {
            match t.get(key) {
                None => Ok(None),
                Some(v) => {
                    let l = v.as_strings().ok_or_else(|| err!(file, t.line_of(key); "'{key}' must be a list of countries or groups"))?;
                    Ok(Some(expand(&l, date, file, t.line_of(key))?))
                }
            }
        };
        let mut named = Vec::new();
        for key in ["exporters", "importers"] {
            if let Some(l) = t.get(key).and_then(Value::as_strings) {
                named.extend(
                    l.into_iter()
                        .filter(|c| !Groups::global().is_group(c))
                        .map(|c| (c, t.line_of(key))),
                );
            }
        }
        let both = matches!(t.get("both_directions"), Some(Value::Bool(true)));
        let domestic = matches!(t.get("domestic"), Some(Value::Bool(true)));
        changes.push(Change {
            line: t.line,
            variable,
            as_of: as_of_variable,
            add,
            tariff,
            coefficient,
            sectors,
            exporters: list("exporters")?,
            importers: list("importers")?,
            both,
            domestic,
            named,
        });
    }

    Ok(changes)
}

/// Draw `d` of the coefficients: `b + L z` with `L` the Cholesky factor (row-major, lower) of their
/// covariance and `z` standard normal, reproducible from the seed.
pub(crate) fn draw_coefficients(seed: u64, d: usize, b: &[f64], l: &[f64]) -> Vec<f64> {
    let p = b.len();
    let mut rng = Normal(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (d as u64 + 1));
    let z: Vec<f64> = (0..p).map(|_| rng.sample()).collect();
    (0..p)
        .map(|i| b[i] + (0..=i).map(|k| l[i * p + k] * z[k]).sum::<f64>())
        .collect()
}

/// The scenario's Monte Carlo draws: `--draws`, else `[model] draws`, else none; one is refused.
pub(crate) fn draws(args: &SimulateOptions, model_t: &Table, file: &str) -> Result<usize> {
    let draws = match args.draws {
        Some(d) => d,
        None => get_num(model_t, "draws", file)?
            .map(|d| d as usize)
            .unwrap_or(0),
    };
    if draws == 1 {
        return Err(SimError::OneDraw);
    }
    Ok(draws)
}

/// Monte Carlo over estimated coefficients, in parallel over draws: each draw of `b0` from its
/// covariance `vcov` (see [`draw_coefficients`]) is solved by `solve`, which gives each country's
/// `measures` (or `None` when the equilibrium does not solve); the draws that solved are summarised.
pub(crate) fn monte_carlo<const M: usize>(
    args: &SimulateOptions,
    draws: usize,
    b0: &[f64],
    vcov: &detour_hdfe::linalg::Sym,
    countries: &[String],
    measures: &[&str; M],
    solve: impl Fn(&[f64]) -> Option<Vec<[f64; M]>> + Sync,
) -> Result<MonteCarlo> {
    use rayon::prelude::*;
    let l = detour_hdfe::linalg::cholesky(vcov).ok_or(SimError::NotPositiveDefinite)?;
    let pb = spinner(&format!("Monte Carlo: {draws} draws"));
    let per_draw: Vec<Option<Vec<[f64; M]>>> = (0..draws)
        .into_par_iter()
        .map(|d| {
            if args.deadline.passed() {
                return None;
            }
            solve(&draw_coefficients(args.seed, d, b0, &l))
        })
        .collect();
    pb.finish_and_clear();
    args.deadline.check()?;
    let ok: Vec<&Vec<[f64; M]>> = per_draw.iter().flatten().collect();
    if ok.len() < 2 {
        return Err(SimError::TooFewDraws {
            solved: ok.len(),
            draws,
        });
    }
    let countries = countries
        .iter()
        .enumerate()
        .map(|(c, country)| MonteCarloCountry {
            country: country.clone(),
            measures: measures
                .iter()
                .enumerate()
                .map(|(m, name)| {
                    let mut v: Vec<f64> = ok.iter().map(|d| d[c][m]).collect();
                    let (se, ci_low, ci_high) = summarise(&mut v);
                    (
                        name.to_string(),
                        Interval {
                            se,
                            ci_low,
                            ci_high,
                        },
                    )
                })
                .collect(),
        })
        .collect();
    Ok(MonteCarlo {
        draws,
        failed: draws - ok.len(),
        seed: args.seed,
        countries,
    })
}

/// The economies the changes name (highlighted in charts).
pub(crate) fn named(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .flat_map(|c| {
            c.exporters
                .iter()
                .chain(c.importers.iter())
                .flatten()
                .cloned()
        })
        .collect()
}

/// Solve a scenario file (or, with `embedded`, a scenario shipped in the binary, on its shipped data).
fn solve(args: &SimulateOptions, embedded: Option<Embedded<'_>>) -> Result<Simulation> {
    let (file, text) = match &embedded {
        Some(e) => (
            format!("embedded scenario '{}'", e.name),
            e.text.to_string(),
        ),
        None => {
            let file = args.scenario.display().to_string();
            let text = std::fs::read_to_string(&args.scenario)
                .map_err(|e| SimError::io("reading", &args.scenario, e))?;
            (file, text)
        }
    };
    let doc = scenario::parse(&text, &file)?;
    doc.check_keys(&file)?;
    let empty = Table::default();
    let data_t = doc.tables.get("data").unwrap_or(&empty);
    let model_t = doc
        .tables
        .get("model")
        .ok_or_else(|| err!(file; "no [model] table"))?;
    let base_dir = args.scenario.parent().unwrap_or(Path::new("."));
    let data_path = match (&args.data, get_str(data_t, "file", &file)?) {
        _ if embedded.is_some() => PathBuf::from(EMBEDDED_DATA_NAME),
        (Some(p), _) => p.clone(),
        (None, Some(f)) => base_dir.join(f),
        (None, None) => fail!(file; "no data: give [data] file = \"…\" or --data"),
    };
    match get_str(model_t, "method", &file)?.as_deref() {
        None | Some("structural") => {
            let data = match &embedded {
                Some(_) => Source::Embedded(EMBEDDED_DATA_NAME, EMBEDDED_DATA),
                None => Source::File(data_path),
            };
            let s = crate::structural::run(args, &doc, &file, data)?;
            Ok(Simulation::Structural(Box::new(s)))
        }
        Some("ge_gravity") => {
            let source = match &embedded {
                Some(_) => Source::Embedded(EMBEDDED_WIOD_NAME, EMBEDDED_WIOD),
                None => Source::File(data_path),
            };
            let g = crate::hat::run(args, &doc, &file, source)?;
            Ok(Simulation::GeGravity(Box::new(g)))
        }
        Some(other) => {
            fail!(file, model_t.line_of("method"); "method '{other}': expected structural (the book's model, the default) or ge_gravity")
        }
    }
}

/// Solve the scenario file `opts.scenario`.
pub fn simulate(opts: &SimulateOptions) -> Result<Simulation> {
    solve(opts, None)
}

/// Solve an embedded scenario by name (see [`EMBEDDED_SCENARIOS`]) on its shipped data; `None`
/// when no embedded scenario has that name. `opts.scenario` and `opts.data` are not used.
pub fn simulate_embedded(name: &str, opts: &SimulateOptions) -> Result<Option<Simulation>> {
    let Some((name, text)) = EMBEDDED_SCENARIOS.iter().find(|s| s.0 == name) else {
        return Ok(None);
    };
    solve(opts, Some(Embedded { name, text })).map(Some)
}

/// `detour simulate`: solve the scenario file, write the pairs (`pairs_out`) and charts
/// (`chart_dir`) when asked, and render the answer in `opts.format`.
pub fn run(opts: &SimulateOptions) -> Result<String> {
    let sim = simulate(opts)?;
    if let Some(dir) = &opts.chart_dir {
        sim.write_charts(dir)?;
    }
    if let Some(path) = &opts.pairs_out {
        sim.write_pairs(path)?;
    }
    sim.render(opts.format)
}

/// Scenarios shipped inside the binary (the report and the API run only these), with their data.
pub const EMBEDDED_SCENARIOS: &[(&str, &str)] = &[
    (
        "russia_sanctions_2022_ge",
        include_str!("../../../examples/scenarios/russia_sanctions_2022_ge.toml"),
    ),
    (
        "ge_gravity_eu_enlargement",
        include_str!("../../../examples/scenarios/ge_gravity_eu_enlargement.toml"),
    ),
    (
        "coalition_sanctions_illustration",
        include_str!("../../../examples/scenarios/coalition_sanctions_illustration.toml"),
    ),
    (
        "yotov2016_remove_borders",
        include_str!("../../../examples/scenarios/yotov2016_remove_borders.toml"),
    ),
];
/// The WIOD 2016 extract the embedded `ge_gravity` scenarios use.
const EMBEDDED_WIOD_NAME: &str = "data/gravity/wiod2016_agg_allsectors_2000_2014.csv.gz";
const EMBEDDED_WIOD: &[u8] =
    include_bytes!("../../../data/gravity/wiod2016_agg_allsectors_2000_2014.csv.gz");
/// The data the embedded structural scenarios use (Yotov et al. 2016, ch. 2).
const EMBEDDED_DATA: &[u8] = include_bytes!(concat!("../../../", embedded_data_path!()));

#[cfg(test)]
mod tests {
    use super::*;
    use detour_ge::Stopping;

    /// Embedded scenarios run in memory: no file appears in the temporary directory, and the
    /// output names the shipped data, not a scratch path.
    #[test]
    fn embedded_scenarios_write_no_files() {
        let tmp = std::env::temp_dir();
        let ours = |d: &Path| {
            std::fs::read_dir(d)
                .map(|r| {
                    r.flatten()
                        .filter(|e| {
                            e.file_name()
                                .to_string_lossy()
                                .starts_with("detour-simulate")
                        })
                        .count()
                })
                .unwrap_or(0)
        };
        let before = ours(&tmp);
        let sim = simulate_embedded("yotov2016_remove_borders", &SimulateOptions::default())
            .unwrap()
            .unwrap();
        let json = sim.to_json().unwrap();
        assert_eq!(ours(&tmp), before);
        assert!(!json.contains(&*tmp.to_string_lossy()), "{json}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["data"], EMBEDDED_DATA_NAME);
        let Simulation::Structural(s) = &sim else {
            panic!("a structural scenario")
        };
        assert_eq!(s.data, EMBEDDED_DATA_NAME);
        let charts = sim.charts();
        assert_eq!(charts.len(), 2);
        assert!(charts.iter().all(|(_, svg)| svg.starts_with("<svg")));
    }

    /// The typed result and its JSON say the same; the CSV has a row per country; the charts and
    /// pairs come from the same values.
    #[test]
    fn the_typed_result_is_what_the_json_says() {
        let opts = SimulateOptions {
            draws: Some(4),
            ..SimulateOptions::default()
        };
        let sim = simulate_embedded("coalition_sanctions_illustration", &opts)
            .unwrap()
            .unwrap();
        let Simulation::Structural(s) = &sim else {
            panic!("a structural scenario")
        };
        let v: serde_json::Value = serde_json::from_str(&sim.to_json().unwrap()).unwrap();
        assert_eq!(v["countries"].as_array().unwrap().len(), s.countries.len());
        // serde_json's parser may round the last bit
        let same = |j: &serde_json::Value, x: f64| {
            let y = j.as_f64().unwrap();
            assert!((y - x).abs() <= 1e-15 * x.abs().max(1.0), "{y} vs {x}");
        };
        for (c, j) in s.countries.iter().zip(v["countries"].as_array().unwrap()) {
            assert_eq!(j["country"], c.country.as_str());
            same(&j["welfare_change_pct"], c.welfare_change_pct);
            same(&j["imr_change_pct"], c.imr_change_pct);
        }
        let mc = s.monte_carlo.as_ref().unwrap();
        assert_eq!((mc.draws, v["monte_carlo"]["draws"].as_u64()), (4, Some(4)));
        let w = mc.interval(0, "welfare_change_pct").unwrap();
        assert!(w.ci_low <= w.ci_high && w.se >= 0.0);
        same(
            &v["monte_carlo"]["countries"][0]["welfare_change_pct"]["ci_high"],
            w.ci_high,
        );
        let csv = sim.render(Format::Csv).unwrap();
        assert_eq!(csv.lines().count(), s.countries.len() + 1);
        assert!(csv.starts_with("country,exports_change_pct_conditional,"));
        let n = s.countries.len();
        assert_eq!(s.pairs.len(), n * n);
        let pairs: serde_json::Value = serde_json::from_str(&sim.pairs_to_json().unwrap()).unwrap();
        assert_eq!(pairs.as_array().unwrap().len(), n * n);
        assert_eq!(pairs[1]["importer"], s.pairs[1].importer.as_str());
    }

    /// A scenario's mistakes come back as typed errors with the file and line.
    #[test]
    fn scenario_errors_carry_the_file_and_line() {
        let dir = std::env::temp_dir().join(format!("detour-sim-errors-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        std::fs::write(
            &path,
            "name = \"bad\"\n[model]\nformula = \"trade ~ x | exporter + importer\"\nsigma = \"seven\"\n",
        )
        .unwrap();
        let opts = SimulateOptions {
            scenario: path.clone(),
            data: Some(PathBuf::from("unused.csv")),
            ..SimulateOptions::default()
        };
        match simulate(&opts).unwrap_err() {
            SimError::Scenario {
                file,
                line,
                message,
            } => {
                assert_eq!(file, path.display().to_string());
                assert_eq!(line, Some(4));
                assert!(message.contains("'sigma' must be a number"), "{message}");
            }
            e => panic!("{e}"),
        }
        // the stopping rule is parsed where it is written
        std::fs::write(
            &path,
            "[data]\nfile = \"../../data/gravity/yotov2016_ch2_trade_without_border_2006.csv.gz\"\n[model]\nformula = \"trade ~ ln_DIST | exporter + importer\"\nsigma = 7\nreference = \"ZZZ\"\nstopping = \"fast\"\n",
        )
        .unwrap();
        match simulate(&opts).unwrap_err() {
            SimError::Scenario { line, message, .. } => {
                assert_eq!(line, Some(7));
                assert_eq!(message, "stopping 'fast': expected converged or book");
            }
            e => panic!("{e}"),
        }
        assert_eq!("book".parse::<Stopping>(), Ok(Stopping::Book));
        let missing = SimulateOptions {
            scenario: dir.join("missing.toml"),
            ..SimulateOptions::default()
        };
        let e = simulate(&missing).unwrap_err();
        assert!(
            matches!(
                e,
                SimError::Io {
                    action: "reading",
                    ..
                }
            ),
            "{e}"
        );
        assert!(std::error::Error::source(&e).is_some());
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(
            "xml".parse::<Format>(),
            Err(SimError::BadOption {
                option: "--format",
                ..
            })
        ));
    }

    #[test]
    fn a_passed_deadline_stops_the_simulation() {
        let past = detour_core::Deadline::at(
            std::time::Instant::now() - std::time::Duration::from_millis(1),
        );
        let opts = SimulateOptions {
            draws: Some(20),
            deadline: past,
            ..SimulateOptions::default()
        };
        let e = simulate_embedded("coalition_sanctions_illustration", &opts).unwrap_err();
        assert!(matches!(e, SimError::Expired(_)), "{e}");
    }
}
