//! Scenarios and general-equilibrium simulation as library calls. A scenario file (`[data]`,
//! `[estimate]`, `[[change]]`, `[model]`, `[theta]`) is read and solved by one of two methods:
//!
//! * `structural` (the default): the book's model — a baseline PPML with exporter and importer
//!   effects on the scenario's data, the trade costs changed, the conditional and full-endowment
//!   equilibria solved (`detour_ge::solve`);
//! * `ge_gravity`: Zylkin's model in exact hat algebra on a baseline year's observed flows — partial
//!   effects from a PPML on the scenario's panel, a file or a query on the store (`[estimate]`),
//!   turned into each pair's log change of trade by the changes (`as_of`, `coefficient`, `tariff`,
//!   `add`, by sector with `sectors`), solved with additive and multiplicative imbalances
//!   (`detour_ge::solve_sectors`: one sector, or many with their own θ and, with `[data] io`,
//!   input–output links).
//!
//! Both give Monte Carlo draws of the estimated coefficients and charts. The CLI's `detour
//! simulate`, the report, the server and the Python package all call [`simulate`] or [`simulate_embedded`] (typed [`Simulation`]s); [`run`] renders one as `detour
//! simulate` prints it.

mod error;
mod hat;
mod io_table;
pub mod scenario;
mod simulate;
pub mod simulation;
mod structural;

pub use detour_ge::Stopping;
pub use error::{Result, SimError};
pub use simulate::{EMBEDDED_SCENARIOS, SimulateOptions, run, simulate, simulate_embedded};
pub use simulation::{Format, Simulation};
