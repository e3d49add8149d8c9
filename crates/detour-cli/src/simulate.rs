//! `detour simulate`: the options, parsed by clap; the work is `detour_sim::run` (on
//! `detour_sim::simulate`).

use std::path::PathBuf;

#[derive(clap::Args)]
pub struct SimulateArgs {
    /// The scenario file (see examples/scenarios).
    pub scenario: PathBuf,
    /// Data file, overriding the scenario's `[data] file`.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// converged (default) or book (the do-file's early stopping rule).
    #[arg(long)]
    pub stopping: Option<detour_sim::Stopping>,
    /// table, json or csv.
    #[arg(long, default_value = "table")]
    pub format: detour_sim::Format,
    /// Write the pair results (baseline, conditional and full-endowment flows) to this CSV file.
    #[arg(long)]
    pub pairs_out: Option<PathBuf>,
    /// Monte Carlo draws of the coefficients from their estimated (robust) covariance, each solved anew;
    /// gives standard errors and 95% intervals (default: the scenario's `draws`, else none).
    #[arg(long)]
    pub draws: Option<usize>,
    /// Write charts here: welfare.svg/.png (welfare change by country) and exports.svg/.png (full-endowment change of
    /// exports, the countries named in the scenario's changes highlighted against third countries).
    #[arg(long)]
    pub chart_dir: Option<PathBuf>,
    /// Seed of the Monte Carlo draws.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl SimulateArgs {
    pub fn options(&self) -> detour_sim::SimulateOptions {
        detour_sim::SimulateOptions {
            scenario: self.scenario.clone(),
            data: self.data.clone(),
            stopping: self.stopping,
            format: self.format,
            pairs_out: self.pairs_out.clone(),
            draws: self.draws,
            chart_dir: self.chart_dir.clone(),
            seed: self.seed,
            deadline: detour_core::Deadline::none(),
            store: None,
        }
    }
}
