//! Scenarios and general-equilibrium simulation as library calls: a scenario file (`[data]`,
//! `[baseline]`, `[[change]]`, `[model]`) is read, its baseline gravity model estimated on the
//! scenario's data, the trade costs changed, and the conditional and full-endowment equilibria
//! solved (`detour-ge`), with Monte Carlo draws of the coefficients and charts. The CLI's
//! `detour simulate`, the report, the server and the Python package all call [`run`] or
//! [`run_embedded`].

mod hat;
mod io_table;
pub mod scenario;
mod simulate;

pub use simulate::{EMBEDDED_SCENARIOS, SimulateOptions, run, run_embedded};
